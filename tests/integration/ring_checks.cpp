#include "integration/ring_checks.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>

#include "support/json.h"
#include "support/procfs_truth.h"

namespace ud::test {
namespace {

// fdinfo prints paths with seq_file_path(), which writes ' ', '\t', '\n'
// and '\\' as three-digit octal escapes.
std::string unescape_seq_path(const std::string &s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); i++) {
        if (s[i] == '\\' && i + 3 < s.size()) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

void check_ring_tables(int pid, const rapidjson::Value &ring, const rapidjson::Value &truth) {
    std::map<unsigned, const rapidjson::Value *> files;
    for (auto &f : ring["files"].GetArray()) files[f["slot"].GetUint()] = &f;
    CHECK(files.size() == truth["files"].Size());
    for (auto &t : truth["files"].GetArray()) {
        unsigned slot = t["slot"].GetUint();
        INFO("fixed file slot " << slot);
        REQUIRE(files.count(slot));
        const auto &f = *files[slot];
        CHECK(int_list(f["fds"]) == int_list(t["fds"]));
        CHECK(std::string(f["path"].GetString()) == t["path"].GetString());
        CHECK(f["descriptorless"].GetBool() == t["fds"].Empty());
        if (!t["fds"].Empty()) CHECK(f["ino"].GetUint64() == fd_ino(pid, t["fds"][0].GetInt()));
    }

    std::map<unsigned, const rapidjson::Value *> bufs;
    for (auto &b : ring["buffers"].GetArray()) bufs[b["slot"].GetUint()] = &b;
    CHECK(bufs.size() == truth["buffers"].Size());
    for (auto &t : truth["buffers"].GetArray()) {
        unsigned slot = t["slot"].GetUint();
        INFO("buffer slot " << slot << " (" << t["kind"].GetString() << ")");
        REQUIRE(bufs.count(slot));
        CHECK((*bufs[slot])["addr"].GetUint64() == t["addr"].GetUint64());
        CHECK((*bufs[slot])["len"].GetUint64() == t["len"].GetUint64());
    }
}

void check_frames_against_pagemap(int pid, const rapidjson::Value &ring) {
    for (auto &b : ring["buffers"].GetArray()) {
        std::uint64_t addr = b["addr"].GetUint64(), pos = 0, pages = 0;
        INFO("buffer slot " << b["slot"].GetUint());
        CHECK(b["segments"].Size() == b["nr_bvecs"].GetUint());
        for (auto &s : b["segments"].GetArray()) {
            REQUIRE(s["pfn"].IsUint64());
            std::uint64_t pfn = s["pfn"].GetUint64(), off = s["offset"].GetUint64(), len = s["len"].GetUint64();
            CHECK(off < 4096);
            std::uint64_t first_page = addr + pos - off;
            CHECK(first_page % 4096 == 0);
            for (std::uint64_t k = 0; k * 4096 < off + len; k++) {
                auto want = pagemap_pfn(pid, first_page + k * 4096);
                INFO(fmt::format("page {:#x}", first_page + k * 4096));
                REQUIRE(want);
                CHECK(pfn + k == *want);
                pages++;
            }
            pos += len;
        }
        CHECK(pos == b["len"].GetUint64());
        CHECK(pages >= (b["len"].GetUint64() + 4095) / 4096);
    }
}

void check_ring_against_fdinfo(int pid, int fd, const rapidjson::Value &ring) {
    std::string text = fdinfo_text(pid, fd);
    REQUIRE(fdinfo_value(text, "SqHead"));  // an idle ring: fdinfo has its block
    auto num = [&](const char *key) { return std::stoull(*fdinfo_value(text, key), nullptr, 0); };
    CHECK(ring["sq"]["head"].GetUint64() == num("SqHead"));
    CHECK(ring["sq"]["tail"].GetUint64() == num("SqTail"));
    CHECK(ring["sq"]["cached_head"].GetUint64() == num("CachedSqHead"));
    CHECK(ring["cq"]["head"].GetUint64() == num("CqHead"));
    CHECK(ring["cq"]["tail"].GetUint64() == num("CqTail"));
    CHECK(ring["cq"]["cached_tail"].GetUint64() == num("CachedCqTail"));
    CHECK(ring["sq_entries"].GetUint64() == num("SqMask") + 1);
    CHECK(ring["cq_entries"].GetUint64() == num("CqMask") + 1);
    CHECK(ring["file_slots"].GetUint64() == num("UserFiles"));
    CHECK(ring["buffer_slots"].GetUint64() == num("UserBufs"));

    std::map<unsigned, std::string> fd_files;
    for (auto &line : fdinfo_section(text, "UserFiles")) {
        auto colon = line.find(':');
        fd_files[static_cast<unsigned>(std::stoul(line.substr(0, colon)))] = unescape_seq_path(line.substr(colon + 2));
    }
    std::map<unsigned, std::string> ours;
    for (auto &f : ring["files"].GetArray()) ours[f["slot"].GetUint()] = f["path"].GetString();
    CHECK(ours == fd_files);

    std::map<unsigned, std::string> fd_bufs, our_bufs;
    for (auto &line : fdinfo_section(text, "UserBufs")) {
        auto colon = line.find(':');
        fd_bufs[static_cast<unsigned>(std::stoul(line.substr(0, colon)))] = line.substr(colon + 2);
    }
    for (auto &b : ring["buffers"].GetArray())
        our_bufs[b["slot"].GetUint()] = fmt::format("{:#x}/{}", b["addr"].GetUint64(), b["len"].GetUint64());
    CHECK(our_bufs == fd_bufs);
}

}  // namespace ud::test
