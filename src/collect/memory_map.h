// How a process maps the memory behind its registered buffers, from
// /proc/PID/smaps: a restore can recreate plain anonymous memory and
// mappings of files that still exist, not shared memory, memfds, deleted
// files, hugetlb or device mappings, nor memory no longer mapped at all.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/snapshot.h"

namespace ud::collect {

// One line of /proc/PID/maps with the VmFlags smaps adds.
struct Mapping {
    std::uint64_t start = 0, end = 0;
    bool shared = false;         // 's' in the permissions
    std::uint64_t inode = 0;
    std::string path;            // as the kernel prints it, "" for anonymous
    std::vector<std::string> vm_flags;

    bool has_flag(std::string_view f) const;
};

// Parses smaps text (maps text works too, without VmFlags).
std::vector<Mapping> parse_smaps(std::string_view text);

// /proc/PID/smaps; empty if it cannot be read.
std::vector<Mapping> read_mappings(int pid);

enum class MemoryKind {
    unknown,      // smaps could not be read
    anon,         // private anonymous: heap, stack, mmap, THP
    file,         // a mapping of a file that still exists
    shared_anon,  // MAP_SHARED|MAP_ANONYMOUS, SysV shared memory
    memfd,
    deleted_file,
    hugetlb,
    special,      // device memory (VM_IO, VM_PFNMAP), [vdso] and the like
    unmapped,     // the process maps no memory there any more
    kernel,       // a kernel-provided buffer: no user address
};

std::string_view memory_kind_name(MemoryKind k);
bool memory_kind_plain(MemoryKind k);  // anon or file: what a restore can recreate

struct BufferMemory {
    MemoryKind kind = MemoryKind::unknown;
    std::string path;  // the mapping that decided the kind, or the range not mapped
    bool operator==(const BufferMemory &) const = default;
};

// The kind of [addr, addr + len): the first piece that is not plain decides,
// else the kind of the first mapping. Mappings sorted by start.
BufferMemory classify_range(const std::vector<Mapping> &maps, std::uint64_t addr, std::uint64_t len);

// A buffer by position in the snapshot: pid, index of the ring in that
// process's rings, index of the buffer in that ring's buffers.
struct BufferKey {
    int pid = 0;
    std::uint32_t ring = 0;
    std::uint32_t buffer = 0;
    auto operator<=>(const BufferKey &) const = default;
};
using BufferMemoryMap = std::map<BufferKey, BufferMemory>;

// Classifies every registered buffer of the snapshot, reading each
// process's smaps once.
BufferMemoryMap classify_buffers(const model::Snapshot &snap);

}  // namespace ud::collect
