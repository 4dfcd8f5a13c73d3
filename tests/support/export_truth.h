// What the export tests expect, from the fixtures' truth lines: the
// buffers' bytes and pages by memory kind, a comm as a label must carry it,
// and the values of a text exposition by pid.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/fixture.h"
#include "support/prom.h"

namespace ud::test {

// A comm with what the text format must escape (a quote, a backslash, a
// newline) and what Prometheus refuses raw (bytes that are not UTF-8).
extern const std::string kHostileComm;

// What a label value must be: the bytes, with each one that is not part of
// valid UTF-8 (the tests' own oracle, support/names.h) replaced by U+FFFD.
std::string lossy(const std::string &s);

// The label uringdump_pinned_pages{kind} must have for a buffer the
// fixture made of that kind (its truth's "kind").
std::string memory_kind(const std::string &fixture_kind);

// What a fixture's truth says of its ring's buffers.
struct BufferTruth {
    std::uint64_t count = 0, bytes = 0;
    std::map<std::string, std::uint64_t> pages;  // by kind, of the system's page size
};
BufferTruth buffers_of(const rapidjson::Value &ring);

// The one value of name for the fixture's pid (and more labels); empty if
// absent or not one.
std::optional<double> text_value(const std::vector<PromSample> &s, const std::string &name, const Fixture &fx,
                                 LabelSet more = {});

std::string export_temp_dir();
std::string slurp(const std::string &path);

}  // namespace ud::test
