// What every snapshot must hold to, whichever reader made it and whether it
// was just read or decoded from an image: slots in order and within their
// table, every file referred to known, and a buffer's segments making up the
// buffer. One implementation for the two places that check it: the
// collector, which drops what fails and says so (src/collect/validate.cpp),
// and `image check` (src/image/image_check.cpp), which rejects the image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/snapshot.h"

namespace ud::model {

struct RingFlaw {
    bool buffer = false;     // in Ring::buffers, else in Ring::files
    std::size_t index = 0;   // of the entry at fault
    std::string detail;      // "buffer slot 3: segments hold 4096 bytes of 8192"
};

// The flaws of one ring of snap, in table order. A snapshot that reads
// buffers' bio_vecs (BPF, not a summary) must have every one of them, one
// segment each; any snapshot's segments, when present, add up to the buffer.
std::vector<RingFlaw> ring_flaws(const Snapshot &snap, const Ring &r);

// The items of an epoll set of snap that name a file the snapshot lacks.
struct ItemFlaw {
    std::size_t index = 0;
    std::string detail;  // "item tfd 7 names no file of the snapshot"
};
std::vector<ItemFlaw> epoll_flaws(const Snapshot &snap, const Epoll &e);

// "pid 12 io_uring fd 3", as the flaws' and partial reasons' lines begin.
std::string ring_where(int pid, const Ring &r);

}  // namespace ud::model
