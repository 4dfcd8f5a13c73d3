// Summary snapshots (top's list): fixed files and epoll items counted in the
// kernel rather than listed. The counts must equal what the fixtures made,
// on tables large enough that the counting walks resume.
#include <doctest/doctest.h>

#include "collect/collector.h"
#include "support/env.h"
#include "support/fixture.h"

using namespace ud::test;

namespace {

const ud::model::Process *find(const ud::model::Snapshot &s, int pid) {
    for (auto &p : s.processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

}  // namespace

TEST_CASE("summary snapshots count fixed files, epoll items and buffers as the fixtures made them") {
    if (!need_bpf()) return;
    Fixture items({"scale-epoll", "50000"});
    Fixture files({"scale-files", "20000"});
    Fixture ring({"ring"});  // a sparse table and 4 buffers
    ud::collect::Collector c({});
    REQUIRE(c.using_bpf());
    auto s = c.snapshot({items.pid(), files.pid(), ring.pid()}, true);
    CHECK(s.partial.empty());

    const auto *pi = find(s, items.pid());
    REQUIRE(pi);
    REQUIRE(pi->epolls.size() == 1);
    CHECK(pi->epolls[0].items.empty());  // counted, not listed
    CHECK(pi->epolls[0].items_counted == 50000);

    const auto *pf = find(s, files.pid());
    REQUIRE(pf);
    REQUIRE(pf->rings.size() == 1);
    CHECK(pf->rings[0].files.empty());
    CHECK(pf->rings[0].files_counted == 20000);

    const auto *pr = find(s, ring.pid());
    REQUIRE(pr);
    REQUIRE(pr->rings.size() == 1);
    const auto &truth = ring.truth()["rings"][0];
    CHECK(pr->rings[0].files_counted == truth["files"].Size());
    CHECK(pr->rings[0].buffers.size() == truth["buffers"].Size());
    CHECK(pr->rings[0].segments.empty());  // no frames in a summary
}
