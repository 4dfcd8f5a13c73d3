// The fdinfo parsers of the procfs fallback, on text in each kernel's format,
// and what the fallback makes of each: what it shows and what it marks.
//
// Every io_uring sample is built line by line from the seq_printf() formats
// of io_uring/fdinfo.c (and the generic lines of fs/proc/fd.c) of the kernel
// it names, read from that kernel's source:
//   6.1   Debian linux-source-6.1 6.1.192-3 (bookworm; io_uring_show_fdinfo ->
//         __io_uring_show_fdinfo, has_lock = mutex_trylock(&ctx->uring_lock))
//   6.12  Debian linux-source-6.12 6.12.113-1~deb12u1 (the same has_lock shape)
//   6.18  mainline since d871198ee431 (6.15) and 561e3a0c40dc (6.14), without
//         the Personalities section (6.16), as the running 6.18.44 prints it
// Values (inodes, addresses, pids) are made up; the layout is the kernel's.
#include <doctest/doctest.h>

#include <string>

#include "collect/fdinfo.h"
#include "collect/procfs.h"
#include "records.h"

using namespace ud::collect;

namespace {

const FdinfoFormat k61 = fdinfo_format(6, 1, 192);
const FdinfoFormat k612 = fdinfo_format(6, 12, 113);
const FdinfoFormat k618 = fdinfo_format(6, 18, 44);

// fs/proc/fd.c seq_show(): "pos:\t%lli\nflags:\t0%o\nmnt_id:\t%i\nino:\t%lu\n".
const std::string kGeneric = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1064\n";

// The lines every kernel prints before the SQPOLL thread, for an idle
// 8-entry ring after six NOPs ("SqMask:\t0x%x", "SqHead:\t%u", ...,
// "SQEs:\t%u", "CQEs:\t%u").
const std::string kCounters =
    "SqMask:\t0x7\nSqHead:\t6\nSqTail:\t6\nCachedSqHead:\t6\n"
    "CqMask:\t0xf\nCqHead:\t6\nCqTail:\t6\nCachedCqTail:\t6\n"
    "SQEs:\t0\nCQEs:\t0\n";

// "%5u: <none>\n" for slots [from, to).
std::string none_slots(unsigned from, unsigned to) {
    std::string s;
    char line[32];
    for (unsigned i = from; i < to; i++) {
        std::snprintf(line, sizeof(line), "%5u: <none>\n", i);
        s += line;
    }
    return s;
}

// io_uring_show_cred(): "%5d\n", then seq_put_decimal_ull "\tUid:\t" and
// "\t\t" x3, "\n\tGid:\t" and "\t\t" x3, "\n\tGroups:\t" and the groups,
// "\n\tCapEff:\t" and the hex mask (6.1: two %08x words; 6.12: one 16-digit
// value: the same 16 digits), '\n'.
const std::string kPersonality1 =
    "    1\n\tUid:\t0\t\t0\t\t0\t\t0\n\tGid:\t0\t\t0\t\t0\t\t0\n\tGroups:\t0\n\tCapEff:\t000001ffffffffff\n";

// 6.1.192, fdinfo with the lock: a sparse table of 16 (slot 3 a deleted
// temporary file, 10 a pipe, 12 a unix stream socket, 13 /etc/hostname), three
// buffer slots (1 empty), one personality, one armed poll.
std::string k61_idle() {
    return kGeneric + kCounters + "SqThread:\t-1\nSqThreadCpu:\t-1\n" + "UserFiles:\t16\n" + none_slots(0, 3) +
           "    3: ud_fixture_SSs6WH\n" + none_slots(4, 10) + "   10: \n" + none_slots(11, 12) +
           "   12: UNIX-STREAM\n   13: hostname\n" + none_slots(14, 16) +
           "UserBufs:\t3\n    0: 0x7f7083736000/4096\n    1: 0xffffffffffffffff/1\n    2: 0x7f708372e064/10000\n" +
           "Personalities:\n" + kPersonality1 + "PollList:\n  op=22, task_works=0\nCqOverflowList:\n";
}

// 6.1.192 while another task holds uring_lock (has_lock false).
std::string k61_busy() {
    return kGeneric + kCounters + "SqThread:\t-1\nSqThreadCpu:\t-1\nUserFiles:\t64\nUserBufs:\t4\n" +
           "PollList:\nCqOverflowList:\n";
}

// 6.12.113 while another task holds uring_lock: the same, plus the SQPOLL
// times (0 without the lock) and NAPI.
std::string k612_busy() {
    return kGeneric + kCounters + "SqThread:\t-1\nSqThreadCpu:\t-1\nSqTotalTime:\t0\nSqWorkTime:\t0\n" +
           "UserFiles:\t64\nUserBufs:\t0\nPollList:\nCqOverflowList:\nNAPI:\tdisabled\n";
}

// 6.12.113 with the lock, an SQPOLL ring: sq->task_pid and sq->sq_cpu, an
// eventfd in slot 1, the dummy buffer in slot 0, an overflowed completion,
// NAPI enabled.
std::string k612_sqpoll() {
    return kGeneric + kCounters + "SqThread:\t4242\nSqThreadCpu:\t1\nSqTotalTime:\t15021\nSqWorkTime:\t31\n" +
           "UserFiles:\t2\n    0: <none>\n    1: [eventfd]\n" +
           "UserBufs:\t2\n    0: 0xffffffffffffffff/4294967295\n    1: 0x7f0000001000/8192\n" +
           "PollList:\nCqOverflowList:\n  user_data=7, res=0, flags=0\n" +
           "NAPI:\tenabled\nnapi_busy_poll_dt:\t50000\nnapi_prefer_busy_poll:\tfalse\n";
}

// 6.18 (fdinfo got the lock; otherwise it prints kGeneric alone).
std::string k618_idle() {
    return kGeneric + kCounters + "SqThread:\t-1\nSqThreadCpu:\t-1\nSqTotalTime:\t0\nSqWorkTime:\t0\n" +
           "UserFiles:\t64\n    3: /tmp/a\\040b (deleted)\n   10: pipe:[13329]\n" +
           "   12: /tmp/tab\\011nl\\012back\\134slash\n   13: socket:[13330]\n" +
           "UserBufs:\t3\n    0: 0x7f920a2ed000/4096\n    1: <none>\n    2: 0x7f920a2e9064/10000\n" +
           "PollList:\nCqOverflowList:\n  user_data=5, res=0, flags=0\nNAPI:\tdisabled\n";
}

}  // namespace

TEST_CASE("fdinfo format by kernel version: the text differences BTF cannot show") {
    CHECK_FALSE(k61.all_or_nothing);
    CHECK_FALSE(k61.file_paths);
    CHECK(k61.personalities);
    CHECK(k61.sq_thread_needs_sq_lock);  // sq_data->lock trylock until 6.7

    CHECK_FALSE(k612.all_or_nothing);
    CHECK_FALSE(k612.file_paths);
    CHECK(k612.personalities);
    CHECK_FALSE(k612.sq_thread_needs_sq_lock);

    // 6.14: paths; 6.14.8 took the uring_lock change of 6.15.
    CHECK(fdinfo_format(6, 14, 0).file_paths);
    CHECK_FALSE(fdinfo_format(6, 14, 7).all_or_nothing);
    CHECK(fdinfo_format(6, 14, 8).all_or_nothing);
    CHECK(fdinfo_format(6, 15, 0).all_or_nothing);
    CHECK(fdinfo_format(6, 15, 0).personalities);
    CHECK_FALSE(fdinfo_format(6, 16, 0).personalities);
    CHECK_FALSE(fdinfo_format(6, 13, 12).file_paths);

    CHECK(k618.all_or_nothing);
    CHECK(k618.file_paths);
    CHECK_FALSE(k618.personalities);
    CHECK_FALSE(k618.sq_thread_needs_sq_lock);
}

TEST_CASE("fdinfo 6.1: every slot listed, dentry names (an empty one for a pipe), the dummy buffer, a personality") {
    // 6.1.192: no SqTotalTime/SqWorkTime, no NAPI; with the lock every file
    // slot gets "%5u: %s" of d_iname or "%5u: <none>", every buffer slot
    // "%5u: 0x%llx/%u" with len = ubuf_end - ubuf (the kzalloc'ed dummy:
    // ubuf -1, ubuf_end 0, so 1).
    FdinfoRing r = parse_fdinfo_ring(k61_idle(), k61);
    REQUIRE(r.present);
    CHECK(r.locked_part == std::optional<bool>(true));
    CHECK_FALSE(r.file_names_are_paths);
    CHECK(r.user_files == 16u);
    CHECK(r.file_lines == 16);
    REQUIRE(r.files.size() == 4);
    CHECK(r.files[0].slot == 3);
    CHECK(r.files[0].name == "ud_fixture_SSs6WH");
    CHECK(r.files[1].slot == 10);
    CHECK(r.files[1].name.empty());           // alloc_file_pseudo(inode, pipe_mnt, "", ...)
    CHECK(r.files[2].name == "UNIX-STREAM");  // sock_alloc_file(): the protocol's name
    CHECK(r.files[3].name == "hostname");
    CHECK(r.buf_lines == 3);
    REQUIRE(r.bufs.size() == 2);
    CHECK(r.bufs[0].slot == 0);
    CHECK(r.bufs[1].slot == 2);
    CHECK(r.bufs[1].addr == 0x7f708372e064ULL);
    CHECK(r.bufs[1].len == 10000);
    CHECK(r.personalities == 1u);
    CHECK(r.poll_entries == 1);
    CHECK(r.overflow.empty());
    CHECK_FALSE(r.napi);
}

TEST_CASE("fdinfo 6.1: names are printed raw, not escaped") {
    // d_iname with "%s": a backslash sequence is the name's own text.
    FdinfoRing r = parse_fdinfo_ring(kCounters + "UserFiles:\t1\n    0: a\\040b\n", k61);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].name == "a\\040b");
}

TEST_CASE("fdinfo 6.1 and 6.12: a busy ring prints its counters and the table headers, not the tables") {
    // has_lock false: SqThread/SqThreadCpu -1, "UserFiles:\t%u" and
    // "UserBufs:\t%u" of the counts read without the lock, no slot line, no
    // Personalities; PollList only from the unlocked hash table.
    FdinfoRing r = parse_fdinfo_ring(k61_busy(), k61);
    REQUIRE(r.present);
    CHECK(r.sq_head == 6);
    CHECK(r.user_files == 64u);
    CHECK(r.user_bufs == 4u);
    CHECK(r.files.empty());
    CHECK(r.locked_part == std::optional<bool>(false));

    r = parse_fdinfo_ring(k612_busy(), k612);
    CHECK(r.locked_part == std::optional<bool>(false));  // 64 file slots and no "<none>" line
    CHECK(r.napi == std::optional<bool>(false));

    // Nothing registered: the text cannot show whether fdinfo had the lock.
    r = parse_fdinfo_ring(kCounters +
                              "SqThread:\t-1\nSqThreadCpu:\t-1\nUserFiles:\t0\nUserBufs:\t0\nPollList:\n"
                              "CqOverflowList:\n",
                          k61);
    CHECK_FALSE(r.locked_part.has_value());
}

TEST_CASE("fdinfo 6.12: SQPOLL times, the UINT_MAX dummy buffer, NAPI") {
    // 6.12.113: "SqTotalTime:\t%llu", "SqWorkTime:\t%llu" after SqThreadCpu;
    // buffers "%5u: 0x%llx/%u" of buf->len, the static dummy_ubuf has
    // .ubuf = -1UL, .len = UINT_MAX; NAPI "NAPI:\tenabled" with
    // "napi_busy_poll_dt:\t%llu" and "napi_prefer_busy_poll:\t%s".
    FdinfoRing r = parse_fdinfo_ring(k612_sqpoll(), k612);
    CHECK(r.sq_thread == 4242);
    CHECK(r.sq_thread_cpu == 1);
    REQUIRE(r.files.size() == 1);
    CHECK(r.files[0].name == "[eventfd]");  // anon_inode_getfile(name): d_name is the name given
    REQUIRE(r.bufs.size() == 1);
    CHECK(r.bufs[0].slot == 1);
    CHECK(r.bufs[0].len == 8192);
    CHECK(r.overflow.size() == 1);
    CHECK(r.napi == std::optional<bool>(true));
    CHECK_FALSE(r.personalities.has_value());  // none registered: no section
    CHECK(r.locked_part == std::optional<bool>(true));
}

TEST_CASE("fdinfo 6.18: full escaped paths, empty file slots unlisted, \"<none>\" buffers") {
    // seq_file_path(m, f, " \t\n\\") escapes as \ooo; buffers "%5u: <none>"
    // from 6.13; no Personalities from 6.16.
    FdinfoRing r = parse_fdinfo_ring(k618_idle(), k618);
    REQUIRE(r.present);
    CHECK(r.locked_part == std::optional<bool>(true));
    CHECK(r.file_names_are_paths);
    CHECK(r.sq_mask == 7);
    CHECK(r.cq_mask == 15);
    CHECK(r.sq_head == 6);
    CHECK(r.cached_cq_tail == 6);
    CHECK(r.user_files == 64u);
    REQUIRE(r.files.size() == 4);
    CHECK(r.files[0].slot == 3);
    CHECK(r.files[0].name == "/tmp/a b (deleted)");
    CHECK(r.files[1].name == "pipe:[13329]");
    CHECK(r.files[2].name == "/tmp/tab\tnl\nback\\slash");
    REQUIRE(r.bufs.size() == 2);
    CHECK(r.bufs[1].slot == 2);
    CHECK(r.bufs[1].addr == 0x7f920a2e9064ULL);
    CHECK(r.bufs[1].len == 10000);
    CHECK(r.overflow.size() == 1);
}

TEST_CASE("fdinfo 6.18: a ring whose uring_lock was held prints only the generic lines") {
    FdinfoRing r = parse_fdinfo_ring(kGeneric, k618);
    CHECK_FALSE(r.present);
    CHECK_FALSE(r.locked_part.has_value());
    CHECK(r.files.empty());
}

TEST_CASE("fdinfo: slot 10000 on fills the %5u width; the text overrides the version where it is plain") {
    FdinfoRing r = parse_fdinfo_ring(kCounters + "UserFiles:\t10002\n10000: /tmp/x\n10001: /tmp/y\n", k618);
    REQUIRE(r.files.size() == 2);
    CHECK(r.files[0].slot == 10000);
    CHECK(r.files[1].name == "/tmp/y");

    // "<none>" file lines exist only in the dentry format (a 6.14-numbered
    // kernel without 561e3a0c40dc, say); a '/' only in the path format.
    r = parse_fdinfo_ring(kCounters + "UserFiles:\t2\n    0: <none>\n    1: x\\040y\n", k618);
    CHECK_FALSE(r.file_names_are_paths);
    CHECK(r.files[0].name == "x\\040y");
    r = parse_fdinfo_ring(kCounters + "UserFiles:\t1\n    0: /tmp/x\\040y\n", k61);
    CHECK(r.file_names_are_paths);
    CHECK(r.files[0].name == "/tmp/x y");
}

TEST_CASE("fdinfo: personalities, with their credential lines, are counted and not read as slots") {
    std::string text = kCounters + "SqThread:\t-1\nSqThreadCpu:\t-1\nUserFiles:\t0\nUserBufs:\t1\n" +
                       "    0: 0x1000/4096\nPersonalities:\n" + kPersonality1 +
                       "    2\n\tUid:\t1000\t\t1000\t\t1000\t\t1000\n\tGid:\t1000\t\t1000\t\t1000\t\t1000\n"
                       "\tGroups:\t27 100\n\tCapEff:\t0000000000000000\nPollList:\nCqOverflowList:\n";
    FdinfoRing r = parse_fdinfo_ring(text, k612);
    CHECK(r.personalities == 2u);
    REQUIRE(r.bufs.size() == 1);
    CHECK(r.buf_lines == 1);
}

TEST_CASE("fdinfo: epoll items") {
    auto items = parse_fdinfo_epoll(
        "pos:\t0\nflags:\t02\nmnt_id:\t16\nino:\t1038\n"
        "tfd:        5 events: 8000001d data:             1111  pos:0 ino:344d sdev:9\n"
        "tfd:        9 events: 4000001d data: deadbeefcafef00d  pos:0 ino:40e sdev:f\n");
    REQUIRE(items.size() == 2);
    CHECK(items[0].tfd == 5);
    CHECK(items[0].events == 0x8000001dU);
    CHECK(items[0].data == 0x1111);
    CHECK(items[0].ino == 0x344d);
    CHECK(items[0].sdev == 9);
    CHECK(items[1].data == 0xdeadbeefcafef00dULL);
}

namespace {

struct Fallback {
    ud::model::Snapshot snap;
    FallbackNotes notes;
    ud::model::Ring ring;
};

// The fallback's ring for `text` read on a kernel of `format`; a socket
// "socket:[13330]" is file 77 of the process.
Fallback fallback(const std::string &text, const FdinfoFormat &format) {
    Fallback f;
    std::unordered_map<std::string, ud::model::FileId> sockets{{"socket:[13330]", 77}};
    f.snap.files[77] = {77, 13330, 9, 0140777, 0, "socket:[13330]", false};
    f.ring = ring_from_fdinfo(parse_fdinfo_ring(text, format), format, sockets, "pid 1 io_uring fd 3", f.snap, f.notes);
    add_fallback_notes(f.notes, format, f.snap);
    return f;
}

bool partial_has(const ud::model::Snapshot &snap, const std::string &what) {
    for (auto &p : snap.partial)
        if (p.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("fallback 6.1 and 6.12: a busy ring is state unknown and says why, no empty table as truth") {
    for (auto [text, format] : {std::pair{k61_busy(), k61}, std::pair{k612_busy(), k612}}) {
        Fallback f = fallback(text, format);
        CHECK_FALSE(f.ring.state_known);
        CHECK(f.ring.files.empty());
        CHECK(f.ring.buffers.empty());
        CHECK(partial_has(f.snap, "pid 1 io_uring fd 3: fdinfo printed the ring's counters but not its fixed files"));
        CHECK(partial_has(f.snap, "uring_lock is held"));
    }
}

TEST_CASE("fallback 6.18: a busy ring (nothing printed) is state unknown") {
    Fallback f = fallback(kGeneric, k618);
    CHECK_FALSE(f.ring.state_known);
    CHECK(partial_has(f.snap, "fdinfo printed nothing for this ring (its uring_lock is held)"));
}

TEST_CASE("fallback 6.1: files by dentry name with the path unknown, SqThread -1 unknown, personalities counted") {
    Fallback f = fallback(k61_idle(), k61);
    REQUIRE(f.ring.state_known);
    CHECK(f.ring.state.nr_files == 16);
    REQUIRE(f.ring.files.size() == 4);
    for (auto &ff : f.ring.files) {
        CHECK(ff.name_is_dentry);
        CHECK_FALSE(ff.fds_known);  // no inode printed: no socket is matched either
        CHECK(ff.file == 0);
    }
    CHECK(f.ring.files[0].name == "ud_fixture_SSs6WH");
    CHECK(f.ring.files[1].slot == 10);
    CHECK(f.ring.files[1].name.empty());
    CHECK(partial_has(f.snap, "before 6.14 fdinfo prints a file's dentry name only"));
    // sq_data->lock: -1 is also what an awake SQPOLL thread gives.
    CHECK_FALSE(f.ring.state.sq_thread_known);
    CHECK(partial_has(f.snap, "before 6.7"));
    CHECK(f.ring.state.personalities == 1u);
    CHECK(f.ring.state.waiting == UD_BUSY_POLL);
    REQUIRE(f.ring.buffers.size() == 2);
    CHECK(f.ring.buffers[1].slot == 2);
}

TEST_CASE("fallback 6.12: an SQPOLL thread as printed; no personality section is none; NAPI") {
    Fallback f = fallback(k612_sqpoll(), k612);
    REQUIRE(f.ring.state_known);
    CHECK(f.ring.state.sq_thread_known);
    CHECK(f.ring.state.sq_thread_pid == 4242);
    CHECK(f.ring.state.sq_thread_cpu == 1);
    CHECK(f.ring.state.personalities == 0u);
    CHECK(f.ring.state.napi);
    CHECK(f.ring.state.overflow_pending);
    REQUIRE(f.ring.files.size() == 1);
    CHECK(f.ring.files[0].name == "[eventfd]");
    CHECK(f.ring.files[0].name_is_dentry);

    // No table to show whether fdinfo had the lock: -1 proves nothing.
    f = fallback(kCounters +
                     "SqThread:\t-1\nSqThreadCpu:\t-1\nSqTotalTime:\t0\nSqWorkTime:\t0\n"
                     "UserFiles:\t0\nUserBufs:\t0\nPollList:\nCqOverflowList:\n",
                 k612);
    CHECK(f.ring.state_known);
    CHECK_FALSE(f.ring.state.sq_thread_known);
    CHECK_FALSE(f.ring.state.personalities.has_value());
    CHECK(partial_has(f.snap, "without showing whether it had the ring's uring_lock"));
}

TEST_CASE("fallback 6.14.0 .. 6.14.7: a file table with no line may be empty or unprinted: unknown") {
    Fallback f = fallback(kCounters +
                              "SqThread:\t-1\nSqThreadCpu:\t-1\nSqTotalTime:\t0\nSqWorkTime:\t0\n"
                              "UserFiles:\t8\nUserBufs:\t0\nPollList:\nCqOverflowList:\n",
                          fdinfo_format(6, 14, 3));
    CHECK_FALSE(f.ring.state_known);
    CHECK(partial_has(f.snap, "fdinfo listed none of the 8 fixed-file slots"));
}

TEST_CASE("fallback 6.18: full paths, a socket joined by its path, no personalities known") {
    Fallback f = fallback(k618_idle(), k618);
    REQUIRE(f.ring.state_known);
    CHECK(f.ring.state.sq_thread_known);  // printed under the lock: -1 is no SQPOLL thread
    CHECK(f.ring.state.sq_thread_pid == -1);
    CHECK_FALSE(f.ring.state.personalities.has_value());  // not printed since 6.16
    REQUIRE(f.ring.files.size() == 4);
    CHECK_FALSE(f.ring.files[0].name_is_dentry);
    CHECK(f.ring.files[0].name == "/tmp/a b (deleted)");
    CHECK_FALSE(f.ring.files[0].fds_known);
    CHECK(f.ring.files[3].file == 77);
    CHECK(f.ring.files[3].fds_known);
    CHECK(f.ring.files[3].ino == 13330);
    CHECK(f.snap.partial.empty());
}
