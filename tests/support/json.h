// Small helpers over RapidJSON for reading uringdump's output in tests.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "support/run.h"

namespace ud::test {

// Parses a whole document; FAILs the test (and returns an empty object) on
// invalid JSON, so that "never half a document" is checked everywhere.
rapidjson::Document parse_json(const std::string &text);

// The process entry for pid in a show document, or nullptr.
const rapidjson::Value *find_process(const rapidjson::Document &doc, int pid);

// Whether v has a member named key.
bool has(const rapidjson::Value &v, const char *key);

// `uringdump show -j PID` plus extra arguments: REQUIREs exit 0, one valid
// document and an entry for PID, which `proc` points into.
struct Shown {
    rapidjson::Document doc;
    const rapidjson::Value *proc = nullptr;
    std::string err;  // what it wrote on stderr
};
Shown show_json(int pid, const std::vector<std::string> &extra = {});

// The fds array of a JSON value as a sorted vector.
std::vector<int> int_list(const rapidjson::Value &arr);

}  // namespace ud::test
