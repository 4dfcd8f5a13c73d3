#include "support/sample_snapshot.h"

#include "model/join.h"

namespace ud::test {
namespace {

constexpr model::FileId kRingFile = 0xffff888001000000, kFileA = 0xffff888001000100, kFileB = 0xffff888001000200,
                        kFileC = 0xffff888001000300, kEpollFile = 0xffff888001000400;

model::FileInfo file(model::FileId id, std::uint64_t ino, std::uint32_t mode, std::string path) {
    return {id, ino, (8u << 20) | 1, mode, 0xef53, std::move(path), false};
}

model::Ring full_ring() {
    model::Ring r;
    r.fd = 3;
    r.users = {{100, -1}, {101, 0}};
    r.ctx = 0xffff888002000000;
    r.file = kRingFile;
    r.layout = 2;
    model::RingState &s = r.state;
    // Every field other than its default somewhere in the sample, so that
    // one an image loses shows (the codec test checks the schema's side).
    s = {1u << 12, 64, 128, 7, 7, 9, 9, 7, 9, 2, 1, 1, -1, -1, 16, 8};
    s.buf_groups = 0;
    s.personalities = 0;
    s.counts_partial = true;
    s.has_eventfd = false;
    s.overflow_pending = true;
    s.napi = true;
    s.zcrx = true;
    s.iowq_max[0] = 4;
    s.inflight = 0;
    s.tasks_inflight = 0;
    s.waiting = 1;
    s.restricted = true;
    r.files = {{0, kFileA, 11, (8u << 20) | 1, 0100644, {}, {}, true},
               {5, kFileB, 12, 0, 0010600, {}, {}, true},
               {9, 0, 0, 0, 0, "fallback-name", {}, false, false, false},
               {11, 0, 0, 0, 0, "", {}, false, true, false},  // the fallback before 6.14: a pipe's dentry name
               {12, 0, 0, 0, 0, "UNIX-STREAM", {}, false, true, false}};
    s.sq_thread_known = false;  // the fallback: a SqThread -1 that proves nothing
    // Buffer 0 is longer than one piece of contents (1 MiB).
    model::Buffer b0{0, 0x7f0000001000, kBigBuffer, 3, 12, false, 0, 3};
    model::Buffer b1{3, 0x7f0000100064, 5000, 2, 12, false, 3, 2};
    model::Buffer b2{7, 0, 65536, 1, 16, true, 5, 1};
    r.buffers = {b0, b1, b2};
    r.segments = {{0x1234, 0, 0, 4096}, {0x9999, 0, 0, 4096}, {0x4000, 0, 0, 1u << 20}, {0x2000, 0, 100, 3996},
                  {0x2001, 0, 0, 1004}, {0x3000, 0, 0, 65536}};
    return r;
}

model::Ring unknown_ring() {
    model::Ring r;
    r.users = {{102, 3}};
    r.ctx = 0xffff888002100000;
    r.state_known = false;
    return r;
}

}  // namespace

model::Snapshot sample_procfs_snapshot() {
    model::Snapshot snap = sample_snapshot();
    snap.source = model::Source::procfs;
    snap.pfn = {false, "page frames need the BPF reader"};
    return snap;
}

model::Snapshot sample_snapshot() {
    model::Snapshot snap;
    snap.source = model::Source::bpf;
    snap.pfn = {true, {}};
    snap.partial = {"pid 100: epoll tree: walk ended at its bound (the structure changed while read)"};
    snap.taken_ns = 123456789;
    snap.page_size = 16384;  // not this system's: an image keeps the dumping system's
    for (auto f : {file(kRingFile, 1, 0, "anon_inode:[io_uring]"), file(kFileA, 11, 0100644, "/tmp/a"),
                   file(kFileB, 12, 0010600, "pipe:[12]"), file(kFileC, 13, 0140777, "socket:[13]"),
                   file(kEpollFile, 14, 0, "anon_inode:[eventpoll]")})
        snap.files[f.id] = f;
    snap.files[kFileA].path = "/tmp/\xff\xfe not utf-8";
    snap.files[kFileC].path_truncated = true;

    model::Process p;
    p.pid = 100;
    p.comm = "app";
    p.task_fds = {{3, kRingFile, 0xffffffff81000000}, {4, kFileA, 0}, {5, kEpollFile, 0}, {7, kFileA, 0}, {9, kFileC, 0}};
    p.rings = {full_ring(), unknown_ring()};
    model::Epoll e;
    e.fd = 5;
    e.ep = 0xffff888003000000;
    e.file = kEpollFile;
    e.items = {{4, 0x80000001u, 0x1111, kFileA, 11, 0, {}, true},
               {8, 0x4u, 0xdeadbeefcafef00dULL, kFileC, 13, 0, {}, true},
               {10, 0x1u, 42, 0, 99, (8u << 20) | 2, {}, false}};
    p.epolls = {e};
    model::join_fds(p);

    model::Process q;
    q.pid = 200;
    q.comm = "other";
    model::Epoll empty;
    empty.fd = 0;
    q.epolls = {empty};
    model::join_fds(q);
    snap.processes = {p, q};
    return snap;
}

collect::BufferMemoryMap sample_memory(const model::Snapshot &snap) {
    collect::BufferMemoryMap m;
    const model::Process &p = snap.processes[0];
    m[{p.pid, 0, 0}] = {collect::MemoryKind::anon, {}};
    m[{p.pid, 0, 1}] = {collect::MemoryKind::shared_anon, "/dev/zero (deleted)"};
    m[{p.pid, 0, 2}] = {collect::MemoryKind::kernel, {}};
    return m;
}

}  // namespace ud::test
