#include "integration/ring_checks.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>

#include "support/json.h"
#include "support/kernel.h"
#include "support/procfs_truth.h"

namespace ud::test {

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

    // Fixed files: the same slots; what each says depends on the kernel.
    std::map<unsigned, std::string> fd_files = fdinfo_files(text);
    std::map<unsigned, std::string> ours;
    for (auto &f : ring["files"].GetArray()) ours[f["slot"].GetUint()] = f["path"].GetString();
    if (fdinfo_file_paths()) {
        // 6.14 on: the full path, as show has it.
        CHECK(ours == fd_files);
    } else {
        // Before 6.14: every slot has a line, "<none>" when empty, and a used
        // one the dentry's inline name, which follows from show's path.
        CHECK(fdinfo_section(text, "UserFiles").size() == num("UserFiles"));
        std::vector<unsigned> our_slots, fd_slots;
        for (auto &[slot, path] : ours) our_slots.push_back(slot);
        for (auto &[slot, name] : fd_files) fd_slots.push_back(slot);
        CHECK(our_slots == fd_slots);
        for (auto &[slot, path] : ours) {
            auto name = dentry_name_of(pid, path);
            INFO("slot " << slot << " path " << path);
            if (!name) {
                MESSAGE("slot " << slot << ": what a kernel before 6.14 prints for " << path
                                << " cannot be told (a long name or an unknown socket); not compared");
                continue;
            }
            CHECK(fd_files[slot] == *name);
        }
    }

    // Buffers: every kernel lists every slot, each marking an empty one its
    // own way (fdinfo_bufs leaves those out).
    CHECK(fdinfo_section(text, "UserBufs").size() == num("UserBufs"));
    std::map<unsigned, std::string> our_bufs;
    for (auto &b : ring["buffers"].GetArray())
        our_bufs[b["slot"].GetUint()] = fmt::format("{:#x}/{}", b["addr"].GetUint64(), b["len"].GetUint64());
    CHECK(our_bufs == fdinfo_bufs(text));
}

}  // namespace ud::test
