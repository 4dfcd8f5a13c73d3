#include "support/json.h"

#include <doctest/doctest.h>
#include <rapidjson/error/en.h>

#include <algorithm>

namespace ud::test {

rapidjson::Document parse_json(const std::string &text) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError()) {
        FAIL_CHECK("invalid JSON at offset " << d.GetErrorOffset() << ": "
                                             << rapidjson::GetParseError_En(d.GetParseError()) << "\n"
                                             << text.substr(0, 400));
        d.SetObject();
    }
    return d;
}

const rapidjson::Value *find_process(const rapidjson::Document &doc, int pid) {
    if (!doc.IsObject() || !doc.HasMember("processes")) return nullptr;
    for (auto &p : doc["processes"].GetArray())
        if (p["pid"].GetInt() == pid) return &p;
    return nullptr;
}

Shown show_json(int pid, const std::vector<std::string> &extra) {
    std::vector<std::string> args{"show", "-j"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(std::to_string(pid));
    Result r = run_uringdump(args);
    REQUIRE(r.code == 0);
    Shown s;
    s.err = r.err;
    s.doc = parse_json(r.out);
    s.proc = find_process(s.doc, pid);
    REQUIRE(s.proc);
    return s;
}

bool has(const rapidjson::Value &v, const char *key) { return v.IsObject() && v.HasMember(key); }

std::vector<int> int_list(const rapidjson::Value &arr) {
    std::vector<int> out;
    for (auto &x : arr.GetArray()) out.push_back(x.GetInt());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace ud::test
