// The size of a page: taken from the system (sysconf), never assumed. A
// snapshot carries the one of the system it was read on (Snapshot::page_size),
// which an image keeps, so that frames are counted right wherever it is shown.
#pragma once

#include <cstdint>

namespace ud::model {

// sysconf(_SC_PAGESIZE) of this system, read once.
std::uint32_t system_page_size();

// log2 of a page size (a power of two).
std::uint32_t page_shift(std::uint64_t page_size);

}  // namespace ud::model
