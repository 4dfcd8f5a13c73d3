// What the benchmark compares uringdump with, measured in this process:
// reading fdinfo text, CRIU's kcmp matching of epoll items to fds, page
// frames through pagemap, and iterator passes that emit nothing: one that
// only visits the fds, one that also walks every table show walks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct floor_bpf;
struct walk_floor_bpf;
struct bpf_link;

namespace ud::bench {

// Reads /proc/PID/fdinfo/FD whole, for every (pid, fd); returns the bytes.
std::size_t read_fdinfo(const std::vector<std::pair<int, int>> &fds);

// CRIU's way of finding the fd of each epoll item (criu/eventpoll.c): the
// tfd number first, then every open fd, compared with
// kcmp(KCMP_EPOLL_TFD). `limit` items at most (0: all); returns the number
// of kcmp calls made and, in *items, the items matched or given up on.
std::uint64_t kcmp_match(int pid, int epfd, std::size_t limit, std::size_t *items);

// Page frames of every page of the ring's registered buffers (addresses
// from fdinfo's UserBufs), through /proc/PID/pagemap; returns pages read.
std::size_t pagemap_frames(int pid, int ring_fd);

// The empty iterator program, loaded and attached once, to one process
// (pid 0: every process).
class Floor {
public:
    explicit Floor(int pid);
    ~Floor();
    // One pass: an iterator fd read to its end.
    void pass();

private:
    floor_bpf *skel_ = nullptr;
    bpf_link *link_ = nullptr;
};

// uringdump's own programs built with UD_DISCARD_OUTPUT (bench.mk): every
// ring, fixed-file table, buffer and epoll tree walked as show walks them,
// nothing written, so one pass and no user-space work. What reading these
// items costs the kernel at least; show's collect phase is compared with it.
class WalkFloor {
public:
    explicit WalkFloor(int pid);
    ~WalkFloor();
    void pass();

private:
    void release();  // links, then programs (also when the constructor fails)

    walk_floor_bpf *skel_ = nullptr;
    bpf_link *file_link_ = nullptr;
    bpf_link *task_link_ = nullptr;
};

}  // namespace ud::bench
