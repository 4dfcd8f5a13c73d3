// Reading while the kernel changes under the reader (issue 12): processes
// that create and destroy rings, register and replace files and buffers,
// fill and empty epoll sets and die at random (ud_fixture churn, see
// tests/fixtures/ud_fixture_churn.c), next to "foreign" processes whose
// files, buffers and epoll targets the churners never have. Every item
// `show -j` lists for a churner must be one a churner can have registered,
// every buffer whole; and every image `dump --force` writes under the same
// churn passes `image check`.
//
// How long: `show` loads its BPF programs at every run (~35 ms of an idle
// core here), so the run count is a function of a time budget with a floor:
// the runs go on until there are at least kFloor documents and the budget
// (UD_CHURN_SECONDS, default 20 s) is spent. kFloor is 1000 on the host and
// 40 under emulation (a CPU model named "QEMU": the qemu TCG runs of 6.1
// and 6.12 are about 10x slower); UD_CHURN_RUNS sets it. Two readers run at
// once, half of the documents per PID (the churners and foreigners alive at
// that moment), half system-wide.
#include <doctest/doctest.h>
#include <dirent.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/env.h"
#include "support/fixture.h"
#include "support/image_file.h"
#include "support/json.h"
#include "support/procfs_truth.h"
#include "support/run.h"

using namespace ud::test;

namespace {

using Clock = std::chrono::steady_clock;

bool emulated() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.find("QEMU") != std::string::npos;
    return false;
}

long env_long(const char *name, long def) {
    const char *v = std::getenv(name);
    return v && *v ? std::atol(v) : def;
}

long run_floor() { return env_long("UD_CHURN_RUNS", emulated() ? 40 : 1000); }

// The supervisor's kill interval, ms: a show under emulation takes seconds,
// which at the host's pace would find nearly every PID it was given gone.
std::string kill_ms() { return emulated() ? "1500" : "100"; }
double run_budget_s() { return static_cast<double>(env_long("UD_CHURN_SECONDS", 20)); }

// What one kind of process (churner or foreigner) can ever have.
struct Role {
    std::string comm;
    std::map<std::string, std::uint64_t> files;  // path -> inode, of its directory
    std::set<std::string> pseudo;                // pseudo files it may register or poll ("anon_inode:[eventfd]")
    std::set<std::string> numbered;              // "pipe", "socket": "NAME:[INO]" with INO its own inode
    std::uint64_t buf_base = 0, buf_stride = 0, buf_count = 0;
    std::set<std::uint64_t> buf_lens;
    std::uint64_t data_base = 0;  // epoll data: data_base + 0..7
    unsigned max_rings = 0, max_epolls = 0;
};

struct Truth {
    Role churner, foreigner;
};

std::map<std::string, std::uint64_t> dir_files(const std::string &dir, int n) {
    std::map<std::string, std::uint64_t> out;
    for (int i = 0; i < n; i++) {
        std::string path = dir + "/f" + std::to_string(i);
        struct stat st;
        REQUIRE(::stat(path.c_str(), &st) == 0);
        out[path] = st.st_ino;
    }
    return out;
}

Truth truth_of(const Fixture &fx) {
    const auto &t = fx.truth();
    Truth tr;
    Role &c = tr.churner;
    c.comm = t["comm"].GetString();
    c.files = dir_files(t["dir"].GetString(), t["dir_files"].GetInt());
    c.pseudo = {"anon_inode:[eventfd]"};
    c.numbered = {"pipe"};
    c.buf_base = t["buf_base"].GetUint64();
    c.buf_stride = t["buf_stride"].GetUint64();
    c.buf_count = t["buf_count"].GetUint64();
    for (auto &l : t["buf_lens"].GetArray()) c.buf_lens.insert(l.GetUint64());
    c.data_base = t["epoll_data"].GetUint64();
    // A churner that destroys a ring reached only through its context makes
    // a ring for the one system call that unregisters it: one more. And a
    // snapshot reads a process's fds and its threads' contexts one after the
    // other, each at most that many rings, possibly not the same ones.
    c.max_rings = 2 * (t["max_rings"].GetUint() + 1);
    // The fds are read one after the other too: a set closed after its fd
    // was read and another opened at a higher fd are both seen.
    c.max_epolls = 2 * t["max_epolls"].GetUint();
    Role &f = tr.foreigner;
    f = c;
    f.comm = t["foreign_comm"].GetString();
    f.files = dir_files(t["foreign_dir"].GetString(), t["dir_files"].GetInt());
    f.pseudo = {"anon_inode:[timerfd]"};
    f.numbered = {"socket"};
    f.buf_base = t["foreign_base"].GetUint64();
    f.buf_stride = 16384;
    f.buf_lens = {16384};
    f.data_base = 0xF0F00000ULL;
    return tr;
}

std::string comm_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string s;
    std::getline(in, s);
    return s;
}

std::vector<int> pids_named(const std::set<std::string> &comms) {
    std::vector<int> out;
    DIR *d = ::opendir("/proc");
    if (!d) return out;
    while (dirent *e = ::readdir(d)) {
        int pid = std::atoi(e->d_name);
        if (pid > 0 && comms.count(comm_of(pid))) out.push_back(pid);
    }
    ::closedir(d);
    return out;
}

// The tally of a reader thread (no doctest macros off the main thread).
struct Tally {
    long docs = 0, per_pid = 0, wide = 0, vanished = 0, bad_docs = 0;
    long processes = 0, rings = 0, files = 0, buffers = 0, items = 0;
    long foreign = 0;         // items no process of that role can have
    long torn = 0;            // buffers whose segments do not make the buffer
    long unmarked_torn = 0;   // ... in a document without "partial"
    long too_many = 0;        // more rings or epoll sets than the role holds
    long fdless = 0;          // "fd": null for a ring no thread registered
    long partial_docs = 0;
    std::map<std::string, long> reasons;
    std::vector<std::string> examples;

    void bad(const std::string &what) {
        if (examples.size() < 30) examples.push_back(what);
    }
    void merge(const Tally &o) {
        docs += o.docs, per_pid += o.per_pid, wide += o.wide, vanished += o.vanished, bad_docs += o.bad_docs;
        processes += o.processes, rings += o.rings, files += o.files, buffers += o.buffers, items += o.items;
        foreign += o.foreign, torn += o.torn, unmarked_torn += o.unmarked_torn, too_many += o.too_many;
        fdless += o.fdless;
        partial_docs += o.partial_docs;
        for (auto &[k, v] : o.reasons) reasons[k] += v;
        for (auto &e : o.examples) bad(e);
    }
};

// "pipe:[123]" with 123 the item's inode, for NAME in role.numbered.
bool numbered_ok(const Role &role, const std::string &path, std::uint64_t ino) {
    for (auto &name : role.numbered)
        if (path == name + ":[" + std::to_string(ino) + "]") return true;
    return false;
}

bool file_ok(const Role &role, const std::string &path, std::uint64_t ino) {
    auto it = role.files.find(path);
    if (it != role.files.end()) return it->second == ino;
    return role.pseudo.count(path) || numbered_ok(role, path, ino);
}

// Reasons are per pid and per ring: "pid 12: ..." -> "...".
std::string reason_kind(std::string r) {
    if (r.rfind("pid ", 0) == 0) {
        auto colon = r.find(": ");
        if (colon != std::string::npos) r = r.substr(colon + 2);
    }
    for (auto &c : r)
        if (c >= '0' && c <= '9') c = 'N';
    return r;
}

void check_process(const rapidjson::Value &p, const Role &role, bool partial, Tally &t) {
    int pid = p["pid"].GetInt();
    std::string who = role.comm + " " + std::to_string(pid);
    t.processes++;
    const auto &rings = p["io_uring"];
    if (rings.Size() > role.max_rings) {
        t.too_many++;
        t.bad(who + ": " + std::to_string(rings.Size()) + " rings");
    }
    if (p["epoll"].Size() > role.max_epolls) {
        t.too_many++;
        t.bad(who + ": " + std::to_string(p["epoll"].Size()) + " epoll sets");
    }
    for (auto &r : rings.GetArray()) {
        t.rings++;
        std::string ring = who + " ring fd " + (r["fd"].IsNull() ? "null" : std::to_string(r["fd"].GetInt()));
        // Its processes close a ring's fd only after registering it
        // (IORING_REGISTER_RING_FDS), and unmap it before closing it: a ring
        // without an fd is a registered one. (A ring being torn down, or one
        // opened after the fds were read, must not pass for one.)
        if (r["fd"].IsNull()) {
            bool registered = false;
            if (r.HasMember("registered"))
                for (auto &u : r["registered"].GetArray()) registered |= !u["index"].IsNull();
            if (!registered) {
                t.fdless++;
                t.bad(ring + ": no fd, registered by no thread");
            }
        }
        for (auto &f : r["files"].GetArray()) {
            t.files++;
            std::string path = f["path"].IsString() ? f["path"].GetString() : "(null)";
            std::uint64_t ino = f["ino"].GetUint64();
            if (!file_ok(role, path, ino)) {
                t.foreign++;
                t.bad(ring + ": file slot " + std::to_string(f["slot"].GetUint()) + " " + path + " ino " +
                      std::to_string(ino));
            }
        }
        for (auto &b : r["buffers"].GetArray()) {
            t.buffers++;
            std::uint64_t addr = b["addr"].GetUint64(), len = b["len"].GetUint64();
            std::string buf = ring + ": buffer slot " + std::to_string(b["slot"].GetUint()) + " addr " +
                              std::to_string(addr) + " len " + std::to_string(len);
            bool in_pool = addr >= role.buf_base && (addr - role.buf_base) % role.buf_stride == 0 &&
                           (addr - role.buf_base) / role.buf_stride < role.buf_count;
            if (!in_pool || !role.buf_lens.count(len)) {
                t.foreign++;
                t.bad(buf);
                continue;
            }
            const auto &segs = b["segments"];
            std::uint64_t sum = 0, at = addr;
            bool frames_ok = true;
            for (auto &s : segs.GetArray()) {
                if (!s["pfn"].IsNull()) {
                    auto want = pagemap_pfn(pid, at & ~4095ULL);
                    if (want && *want != s["pfn"].GetUint64()) frames_ok = false;
                }
                sum += s["len"].GetUint64();
                at += s["len"].GetUint64();
            }
            if (sum != len || segs.Size() != b["nr_bvecs"].GetUint() || !frames_ok) {
                t.torn++;
                if (!partial) t.unmarked_torn++;
                t.bad(buf + ": " + std::to_string(segs.Size()) + " of " + std::to_string(b["nr_bvecs"].GetUint()) +
                      " bio_vecs holding " + std::to_string(sum) + " bytes" + (frames_ok ? "" : ", frames not its own") +
                      (partial ? " (marked partial)" : ""));
            }
        }
    }
    for (auto &e : p["epoll"].GetArray()) {
        for (auto &it : e["items"].GetArray()) {
            t.items++;
            std::uint64_t data = it["data"].GetUint64(), ino = it["ino"].GetUint64();
            std::string path = it["path"].IsString() ? it["path"].GetString() : "(null)";
            if (data - role.data_base >= 8 || !file_ok(role, path, ino) || role.files.count(path)) {
                t.foreign++;
                t.bad(who + " epoll fd " + std::to_string(e["fd"].GetInt()) + ": item data " + std::to_string(data) +
                      " " + path + " ino " + std::to_string(ino));
            }
        }
    }
}

void check_doc(const std::string &text, const Truth &truth, Tally &t) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("processes")) {
        t.bad_docs++;
        t.bad("not a show document: " + text.substr(0, 200));
        return;
    }
    t.docs++;
    bool partial = d.HasMember("partial");
    if (partial) {
        t.partial_docs++;
        for (auto &r : d["partial"].GetArray()) t.reasons[reason_kind(r.GetString())]++;
    }
    for (auto &p : d["processes"].GetArray()) {
        std::string comm = p["comm"].GetString();
        if (comm == truth.churner.comm) check_process(p, truth.churner, partial, t);
        if (comm == truth.foreigner.comm) check_process(p, truth.foreigner, partial, t);
    }
}

void report(const char *what, const Tally &t, double seconds) {
    std::string reasons;
    for (auto &[k, v] : t.reasons) reasons += "\n    " + std::to_string(v) + "x " + k;
    std::string examples;
    for (auto &e : t.examples) examples += "\n    " + e;
    MESSAGE(std::string(what) << ": " << t.docs << " documents (" << t.per_pid << " per PID, " << t.wide << " system-wide, "
                 << t.vanished << " runs whose PIDs were gone) in " << seconds << " s; checked " << t.processes
                 << " processes, " << t.rings << " rings, " << t.files << " fixed files, " << t.buffers
                 << " buffers, " << t.items << " epoll items; foreign " << t.foreign << ", torn " << t.torn
                 << " (unmarked " << t.unmarked_torn << "), too many rings or sets " << t.too_many
                 << ", rings without fd or registration " << t.fdless << "; "
                 << t.partial_docs << " documents partial:" << reasons << std::string(examples.empty() ? "" : "\n  first:")
                 << examples);
}

}  // namespace

TEST_CASE("show -j under churn: every item is one its process can have, every buffer whole") {
    if (!need_bpf()) return;
    Fixture fx({"churn", "3", "2", kill_ms()});
    const Truth truth = truth_of(fx);
    const long floor = run_floor();
    const double budget = run_budget_s();
    const auto t0 = Clock::now();
    std::atomic<long> started{0}, done_docs{0};
    std::mutex mu;
    Tally total;

    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    auto reader = [&] {
        Tally t;
        for (;;) {
            if (done_docs.load() >= floor && elapsed() >= budget) break;
            long n = started++;
            std::vector<std::string> args{"show", "-j"};
            bool per_pid = n % 2 == 0;
            if (per_pid) {
                auto pids = pids_named({truth.churner.comm, truth.foreigner.comm});
                for (int pid : pids) args.push_back(std::to_string(pid));
                if (pids.empty()) continue;
            }
            Result r = run_uringdump(args);
            if (per_pid && r.code == 3 && r.err.find("no such process") != std::string::npos) {
                t.vanished++;  // died between the scan and the check: no document
                continue;
            }
            if (r.code != 0) {
                t.bad_docs++;
                t.bad("exit " + std::to_string(r.code) + ": " + r.err.substr(0, 300));
                continue;
            }
            (per_pid ? t.per_pid : t.wide)++;
            check_doc(r.out, truth, t);
            done_docs++;
        }
        std::lock_guard<std::mutex> lock(mu);
        total.merge(t);
    };
    std::thread a(reader), b(reader);
    a.join();
    b.join();
    report("show under churn", total, elapsed());
    CHECK(total.docs >= floor);
    CHECK(total.bad_docs == 0);
    CHECK(total.processes > 0);
    CHECK(total.foreign == 0);
    CHECK(total.unmarked_torn == 0);
    CHECK(total.torn == 0);  // a torn buffer is dropped (and said so), never shown
    CHECK(total.too_many == 0);
    // A ring with no fd and no registration is one the process does not
    // hold (its fd closed a moment before, the release still on its way
    // out of close(2); or opened after the fds were read): never shown.
    CHECK(total.fdless == 0);
}

TEST_CASE("dump --force under churn: every image written passes image check; refusals exit 5") {
    if (!need_bpf()) return;
    Fixture fx({"churn", "3", "2", kill_ms()});
    const Truth truth = truth_of(fx);
    TempDir dir;
    // A tenth of the show test's runs: each is a dump and a check.
    const long floor = std::max(10L, run_floor() / 10);
    const double budget = run_budget_s() / 4;
    const auto t0 = Clock::now();
    long written = 0, refused = 0, vanished = 0, rejected = 0, other = 0, runs = 0;
    std::vector<std::string> examples;
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    while (written + refused < floor || elapsed() < budget) {
        auto pids = pids_named({truth.churner.comm});
        if (pids.empty()) continue;
        std::string img = dir.file("churn-" + std::to_string(runs++) + ".img");
        std::vector<std::string> args{"dump", "--force", "-o", img};
        for (int pid : pids) args.push_back(std::to_string(pid));
        Result r = run_uringdump(args);
        bool exists = ::access(img.c_str(), F_OK) == 0;
        if (r.code == 3 && r.err.find("no such process") != std::string::npos) {
            vanished++;
        } else if (r.code == 5) {
            refused++;
            if (exists) {
                other++;
                examples.push_back("refused, and still wrote " + img);
            }
        } else if (r.code == 0 && exists) {
            written++;
            Result c = run_uringdump({"image", "check", img});
            if (c.code != 0 && c.code != 5) {
                rejected++;
                if (examples.size() < 10) examples.push_back("image check exit " + std::to_string(c.code) + ": " + c.err);
            }
        } else {
            other++;
            if (examples.size() < 10) examples.push_back("dump exit " + std::to_string(r.code) + ": " + r.err);
        }
        if (exists) ::unlink(img.c_str());
    }
    std::string ex;
    for (auto &e : examples) ex += "\n    " + e;
    MESSAGE("dump under churn: " << runs << " runs in " << elapsed() << " s: " << written << " images written, "
                                 << rejected << " of them rejected by image check; " << refused << " refused (exit 5); "
                                 << vanished << " whose PIDs were gone; " << other << " other" << ex);
    CHECK(written > 0);
    CHECK(rejected == 0);
    CHECK(other == 0);
}
