// Which buffer memory a restore can recreate, from smaps text written here:
// the rules uringdump-dump(8) gives, one mapping kind at a time.
#include <doctest/doctest.h>

#include "collect/memory_map.h"

using namespace ud::collect;

namespace {

const char *kSmaps =
    "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n"
    "Size:                  8 kB\n"
    "VmFlags: rd wr mr mw me ac sd\n"
    "7f0000002000-7f0000003000 rw-p 00001000 08:01 1234                       /usr/lib/data.bin\n"
    "VmFlags: rd wr mr mw me sd\n"
    "7f0000003000-7f0000004000 rw-s 00000000 00:01 5678                       /dev/zero (deleted)\n"
    "VmFlags: rd wr sh mr mw me ms sd\n"
    "7f0000004000-7f0000005000 rw-s 00000000 00:01 9                          /memfd:buf (deleted)\n"
    "VmFlags: rd wr sh mr mw me ms sd\n"
    "7f0000005000-7f0000006000 rw-p 00000000 08:01 77                         /tmp/gone (deleted)\n"
    "VmFlags: rd wr mr mw me sd\n"
    "7f0000200000-7f0000400000 rw-p 00000000 00:0f 4                          /anon_hugepage (deleted)\n"
    "VmFlags: rd wr mr mw me de ht sd\n"
    "7f0000400000-7f0000401000 rw-s 00000000 00:06 5                          /dev/some_device\n"
    "VmFlags: rd wr sh mr mw me ms io pf sd\n"
    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
    "VmFlags: rd wr mr mw me gd ac\n";

}  // namespace

TEST_CASE("dump buffer memory: smaps lines and their VmFlags are read") {
    auto maps = parse_smaps(kSmaps);
    REQUIRE(maps.size() == 8);
    CHECK(maps[0].start == 0x7f0000000000);
    CHECK(maps[0].end == 0x7f0000002000);
    CHECK(maps[0].path.empty());
    CHECK(maps[1].path == "/usr/lib/data.bin");
    CHECK(maps[1].inode == 1234);
    CHECK(maps[2].shared);
    CHECK(maps[2].path == "/dev/zero (deleted)");
    CHECK(maps[5].has_flag("ht"));
    CHECK_FALSE(maps[0].has_flag("ht"));
}

TEST_CASE("dump buffer memory: each kind of mapping is classified") {
    auto maps = parse_smaps(kSmaps);
    auto kind = [&](std::uint64_t addr, std::uint64_t len) { return classify_range(maps, addr, len).kind; };
    CHECK(kind(0x7f0000000000, 0x2000) == MemoryKind::anon);
    CHECK(kind(0x7f0000002000, 0x1000) == MemoryKind::file);
    CHECK(kind(0x7f0000003000, 0x1000) == MemoryKind::shared_anon);
    CHECK(kind(0x7f0000004000, 0x1000) == MemoryKind::memfd);
    CHECK(kind(0x7f0000005000, 0x1000) == MemoryKind::deleted_file);
    CHECK(kind(0x7f0000200000, 0x1000) == MemoryKind::hugetlb);
    CHECK(kind(0x7f0000400000, 0x1000) == MemoryKind::special);
    CHECK(kind(0x7ffd00000000, 0x1000) == MemoryKind::anon);
    CHECK(kind(0x7e0000000000, 0x1000) == MemoryKind::unmapped);
    CHECK(classify_range({}, 0x7f0000000000, 0x1000).kind == MemoryKind::unknown);
}

TEST_CASE("dump buffer memory: a range over several mappings is plain only if all of them are") {
    auto maps = parse_smaps(kSmaps);
    // anonymous then file: plain, and the first mapping names it
    CHECK(classify_range(maps, 0x7f0000001000, 0x2000).kind == MemoryKind::anon);
    // into the shared mapping: not plain, and that mapping is named
    BufferMemory m = classify_range(maps, 0x7f0000001000, 0x3000);
    CHECK(m.kind == MemoryKind::shared_anon);
    CHECK(m.path == "/dev/zero (deleted)");
    // past the last byte of a mapping into a hole: the hole is named
    m = classify_range(maps, 0x7f0000005800, 0x1000);
    CHECK(m.kind == MemoryKind::deleted_file);
    m = classify_range(maps, 0x7f0000400800, 0x1000);
    CHECK(m.kind == MemoryKind::special);
    m = classify_range(maps, 0x7ffd00020000, 0x2000);
    CHECK(m.kind == MemoryKind::unmapped);
    CHECK(m.path == "0x7ffd00021000-0x7ffd00022000");
}
