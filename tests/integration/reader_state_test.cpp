// The BPF reader between collections: one cut short by an exception (a
// failure injected at its first resume pass, URINGDUMP_TEST_FAIL) leaves
// neither summary nor resume mode nor resume cursors behind, and the same
// reader's next collection lists every item, as top's details do after its
// summary list.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <stdexcept>

#include "collect/bpf_reader.h"
#include "support/env.h"
#include "support/fixture.h"

using namespace ud::test;

namespace {

const ud::model::Process *find(const ud::model::Snapshot &s, int pid) {
    for (auto &p : s.processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

// An environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const char *value) : name_(name) { ::setenv(name, value, 1); }
    ~ScopedEnv() { ::unsetenv(name_); }

private:
    const char *name_;
};

}  // namespace

TEST_CASE("BPF reader: a summary collection that throws leaves the reader at rest; the next lists every item") {
    if (!need_bpf()) return;
    // 2048 buffers need resume passes even in a summary (a record each).
    Fixture bufs({"scale-bufs", "2048"});
    Fixture items({"scale-epoll", "5000"});
    ud::collect::BpfReader reader;
    REQUIRE(reader.at_rest());
    {
        ScopedEnv fail("URINGDUMP_TEST_FAIL", "resume");
        CHECK_THROWS_AS(reader.collect({bufs.pid(), items.pid()}, true), std::runtime_error);
    }
    // Summary mode off, resume mode off, no cursor left in the map.
    CHECK(reader.at_rest());

    auto full = reader.collect({bufs.pid(), items.pid()});
    CHECK_FALSE(full.summary);
    CHECK(full.partial.empty());
    const auto *pi = find(full, items.pid());
    REQUIRE(pi);
    REQUIRE(pi->epolls.size() == 1);
    CHECK(pi->epolls[0].items.size() == 5000);  // listed, not counted
    CHECK(pi->epolls[0].items_counted == 0);
    const auto *pb = find(full, bufs.pid());
    REQUIRE(pb);
    REQUIRE(pb->rings.size() == 1);
    CHECK(pb->rings[0].buffers.size() == 2048);
    CHECK(pb->rings[0].segments.size() == 2048 * 16);
    CHECK(reader.at_rest());
}
