// uringdump feature: what this kernel and these privileges allow, each line
// from a real probe (as `bpftool feature probe`), and what show would do
// with the same options: read through BPF, fall back to /proc, or fail
// (collect::choose_reader, show's own decision).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/errors.h"
#include "cli/json_doc.h"
#include "collect/bpf_reader.h"
#include "collect/collector.h"
#include "collect/text_iter.h"
#include "records.h"
#include "render/json_out.h"

namespace ud::cli {
namespace {

struct Probe {
    std::string key;    // JSON key
    std::string label;  // table label
    bool ok = false;
    std::string detail;
};

// Effective capability bits from /proc/self/status.
unsigned long long cap_eff() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
    return 0;
}

std::string layout_name(std::uint32_t layout) {
    switch (layout) {
        case UD_LAYOUT_RSRC:
            return "io_rsrc_data nodes (6.13+)";
        case UD_LAYOUT_FLAT:
            return "flat file_table.files and user_bufs (6.1 to 6.12)";
        default:
            return "unknown";
    }
}

// What show would do, in show's own words: the decision of
// collect::choose_reader(), and a failure of the reader's first collection,
// which show would meet too.
Probe show_probe(const collect::ReaderChoice &choice, bool forced, const std::string &read_error) {
    using Kind = collect::ReaderChoice::Kind;
    Probe p{"show_uses_bpf", "show reads through BPF", false, {}};
    switch (choice.kind) {
        case Kind::bpf:
            p.ok = read_error.empty();
            p.detail = p.ok ? "no fallback to /proc needed" : "no: show fails (exit 1): " + read_error;
            break;
        case Kind::procfs:
            p.detail = (forced ? "no: " : "it falls back to /proc: ") + choice.why;
            break;
        case Kind::no_bpf:
            p.detail = "no: show fails (exit 7, --require-bpf): " + choice.why;
            break;
        case Kind::error:
            p.detail = "no: show fails (exit 1): " + choice.why;
            break;
    }
    return p;
}

std::vector<Probe> probe_all(const collect::CollectOptions &opts) {
    std::vector<Probe> out;
    struct stat st;
    std::string btf = collect::vmlinux_btf_path();
    bool has_btf = ::stat(btf.c_str(), &st) == 0;
    out.push_back({"btf", "kernel BTF", has_btf,
                   has_btf ? btf + ", " + std::to_string(st.st_size / 1024) + " KiB" : btf + " missing"});

    unsigned long long caps = cap_eff();
    auto cap = [&](int bit) { return (caps >> bit) & 1ULL; };
    bool privileged = cap(39) && cap(38);  // CAP_BPF, CAP_PERFMON
    out.push_back({"privileges", "CAP_BPF and CAP_PERFMON", privileged,
                   std::string("CAP_BPF ") + (cap(39) ? "yes" : "no") + ", CAP_PERFMON " + (cap(38) ? "yes" : "no") +
                       ", CAP_SYS_ADMIN " + (cap(21) ? "yes" : "no")});

    // The decision show makes with these options; where it does not load
    // the programs (--procfs, URINGDUMP_NO_BPF), the same decision made as
    // if BPF were wanted, for the probes below.
    collect::ReaderChoice choice = collect::choose_reader(opts);
    collect::ReaderChoice wanted;
    if (choice.kind == collect::ReaderChoice::Kind::procfs && opts.force_procfs)
        wanted = collect::choose_reader({false, false});
    const collect::ReaderChoice &probed = opts.force_procfs ? wanted : choice;
    collect::BpfReader *reader = probed.reader.get();
    std::string read_error;
    if (!reader) {
        out.push_back({"programs", "BPF programs load", false, probed.why});
    } else {
        const auto &f = reader->facts();
        char ms[64];
        std::snprintf(ms, sizeof(ms), "%.1f ms", static_cast<double>(f.load_ns) / 1e6);
        out.push_back({"programs", "BPF programs load", true, std::string(reader->loader()) + ", " + ms});
        // A pass over this process alone: the task_file iterator and its
        // pid parameter (6.1+) at work.
        int self = static_cast<int>(::getpid());
        model::Snapshot one;
        try {
            one = reader->collect({self});
        } catch (const std::exception &e) {
            read_error = e.what();
        }
        bool only_self = !one.processes.empty();
        std::size_t fds = 0;
        for (auto &p : one.processes) {
            only_self &= p.pid == self;
            fds += p.task_fds.size();
        }
        out.push_back({"task_file_iterator", "task_file iterator", fds > 0,
                       read_error.empty() ? std::to_string(fds) + " fds of this process" : read_error});
        out.push_back({"iterator_pid_parameter", "iterator pid parameter", only_self,
                       only_self ? "a link to one process visits only it" : "a link to one process saw others"});
        out.push_back({"io_uring", "io_uring files identified", f.ring_fops != 0,
                       f.ring_fops ? "by the f_op of a ring of uringdump's own" : "no ring could be created"});
        out.push_back(
            {"io_uring_layout", "io_uring table layout", f.layout != UD_LAYOUT_UNKNOWN, layout_name(f.layout)});
        out.push_back({"page_frames", "page frames", f.pfn.ok,
                       f.pfn.ok ? "vmemmap base verified with /proc/self/pagemap, struct page " +
                                      std::to_string(f.struct_page_size) + " bytes"
                                : f.pfn.reason});
    }
    // The pinnable text iterators are separate programs, verified on their
    // own: each is loaded once, so a kernel that rejects one says so here.
    if (reader) {
        for (auto kind : {collect::TextIterKind::io_uring_file, collect::TextIterKind::io_uring_buf,
                          collect::TextIterKind::epoll, collect::TextIterKind::io_uring_req}) {
            std::string name = collect::text_iter_name(kind);
            try {
                collect::check_text_iter_loads(kind);
                out.push_back({"iter_" + name, "iter pin " + name, true, "the kernel accepts it"});
            } catch (const std::exception &e) {
                out.push_back({"iter_" + name, "iter pin " + name, false, e.what()});
            }
        }
    }
    out.push_back(
        show_probe(choice, opts.force_procfs, choice.kind == collect::ReaderChoice::Kind::bpf ? read_error : ""));
    return out;
}

int run_feature(Context &ctx) {
    expect_args(ctx, 0, 0, "feature takes no arguments");
    auto probes = probe_all(collect_options(ctx));
    if (ctx.json) {
        print_json(ctx, [&](render::JsonOut &j) {
            j.begin_object();
            for (auto &p : probes) j.key(p.key).begin_object().kv_b("ok", p.ok).kv("detail", p.detail).end_object();
            j.end_object();
        });
    } else {
        for (auto &p : probes) std::printf("%-28s %-4s %s\n", p.label.c_str(), p.ok ? "yes" : "no", p.detail.c_str());
    }
    return kOk;
}

}  // namespace

const Command &feature_command() {
    static const Command c{"feature",
                           "",
                           "probe what this kernel and these privileges allow: BTF, iterators, layout, page frames, "
                           "fallback",
                           {},
                           {},
                           run_feature};
    return c;
}

}  // namespace ud::cli
