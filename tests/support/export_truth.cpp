#include "support/export_truth.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/names.h"

namespace ud::test {

static const std::uint64_t kPage = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

// A comm with what the text format must escape (a quote, a backslash, a
// newline) and what Prometheus refuses raw (bytes that are not UTF-8).
const std::string kHostileComm = std::string("q\"b\\s\n\xff\xfe", 8) + "\xc3\xa9";

// What a label value must be: the bytes, with each one that is not part of
// valid UTF-8 (the tests' own oracle) replaced by U+FFFD.
std::string lossy(const std::string &s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_oracle(std::string_view(s).substr(i));
        if (n == 0) {
            out += "\xef\xbf\xbd";
            i++;
        } else {
            out += s.substr(i, n);
            i += n;
        }
    }
    return out;
}

std::string memory_kind(const std::string &fixture_kind) {
    if (fixture_kind == "file") return "file";
    if (fixture_kind == "shared" || fixture_kind == "memfd") return "shmem";
    if (fixture_kind == "hugetlb") return "hugetlb";
    if (fixture_kind == "unmapped") return "unmapped";
    return "anonymous";  // page, pages16, unaligned, thp, anon: private anonymous memory
}

BufferTruth buffers_of(const rapidjson::Value &ring) {
    BufferTruth t;
    for (auto &b : ring["buffers"].GetArray()) {
        std::uint64_t addr = b["addr"].GetUint64(), len = b["len"].GetUint64();
        t.count++;
        t.bytes += len;
        t.pages[memory_kind(b["kind"].GetString())] += (addr % kPage + len + kPage - 1) / kPage;
    }
    return t;
}

// Values of the text exposition with pid (and more) labels.
std::optional<double> text_value(const std::vector<PromSample> &s, const std::string &name, const Fixture &fx,
                                 LabelSet more) {
    more["pid"] = fx.pid_str();
    auto found = samples_with(s, name, more);
    if (found.size() != 1) return std::nullopt;
    return found[0].value;
}

std::string export_temp_dir() {
    char tmpl[] = "/tmp/ud-export-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    return tmpl;
}

std::string slurp(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace ud::test
