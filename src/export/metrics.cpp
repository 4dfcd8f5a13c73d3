#include "export/metrics.h"

#include <map>
#include <optional>
#include <string_view>

#include "render/utf8.h"

namespace ud::exporter {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

enum Fam {
    kRings,
    kEpolls,
    kEpollItems,
    kPinnedPages,
    kProcesses,
    kSqEntries,
    kCqEntries,
    kSqesConsumed,
    kCqesPosted,
    kCqOverflows,
    kInflight,
    kFileSlots,
    kFileSlotsUsed,
    kBuffers,
    kBufferBytes,
    kFamCount
};

struct FamDef {
    const char *name;
    MetricType type;
    const char *help;
};

// Names, types and HELP as Prometheus' conventions want them: the
// uringdump_ prefix, _total on counters, base units (_bytes), pages as a
// count of the system's page size.
const FamDef kFams[kFamCount] = {
    {"uringdump_rings", MetricType::Gauge, "io_uring instances the process holds (by fd or registered ring fd)."},
    {"uringdump_epolls", MetricType::Gauge, "epoll sets the process holds."},
    {"uringdump_epoll_items", MetricType::Gauge, "Items registered in the process's epoll sets."},
    {"uringdump_pinned_pages", MetricType::Gauge,
     "Pages (of the system's page size) that registered buffers pin, by the kind of memory that backs them."},
    {"uringdump_processes", MetricType::Gauge, "Processes with this comm holding a ring or an epoll set."},
    {"uringdump_ring_sq_entries", MetricType::Gauge, "Size of the ring's submission queue, in entries."},
    {"uringdump_ring_cq_entries", MetricType::Gauge, "Size of the ring's completion queue, in entries."},
    {"uringdump_ring_sqes_consumed_total", MetricType::Counter,
     "Submission queue entries the kernel consumed (SQ head), wraps of the u32 position accounted for."},
    {"uringdump_ring_cqes_posted_total", MetricType::Counter,
     "Completion queue entries the kernel posted (CQ tail), wraps of the u32 position accounted for."},
    {"uringdump_ring_cq_overflows_total", MetricType::Counter,
     "Completions that did not fit the completion queue (the kernel's cq_overflow)."},
    {"uringdump_ring_inflight_requests", MetricType::Gauge,
     "Requests the ring holds inside the kernel; absent where the kernel does not count them."},
    {"uringdump_ring_fixed_file_slots", MetricType::Gauge, "Slots of the ring's fixed-file table."},
    {"uringdump_ring_fixed_file_slots_used", MetricType::Gauge, "Slots of the ring's fixed-file table holding a file."},
    {"uringdump_ring_registered_buffers", MetricType::Gauge, "Buffers registered with the ring."},
    {"uringdump_ring_registered_buffer_bytes", MetricType::Gauge, "Bytes of the buffers registered with the ring."},
};

using Labels = std::vector<ClientMetric::Label>;

// Collects samples per family; with aggregation, sums samples whose labels
// are equal once pid and ring are dropped. A sample without a value (the
// kernel does not count it) makes its sum absent too: never a fake 0.
class Sink {
public:
    explicit Sink(bool aggregate) : aggregate_(aggregate) {}

    void add(Fam f, Labels labels, std::optional<double> v) {
        if (aggregate_) std::erase_if(labels, [](auto &l) { return l.name == "pid" || l.name == "ring"; });
        auto [it, fresh] = samples_[f].try_emplace(std::move(labels), v);
        if (fresh) return;
        if (it->second && v)
            *it->second += *v;
        else
            it->second.reset();
    }
    // A value that is not summed (an aggregate counter set once per comm).
    void set(Fam f, Labels labels, double v) { samples_[f][std::move(labels)] = v; }

    void emit(std::vector<MetricFamily> &out) const {
        for (int f = 0; f < kFamCount; f++) {
            MetricFamily fam{kFams[f].name, kFams[f].help, kFams[f].type, {}};
            for (auto &[labels, v] : samples_[f]) {
                if (!v) continue;
                ClientMetric m;
                m.label = labels;
                (fam.type == MetricType::Counter ? m.counter.value : m.gauge.value) = *v;
                fam.metric.push_back(std::move(m));
            }
            if (!fam.metric.empty()) out.push_back(std::move(fam));
        }
    }

private:
    bool aggregate_;
    std::map<Labels, std::optional<double>> samples_[kFamCount];
};

std::string ring_label(const model::Ring &r, std::size_t nofd_index) {
    if (r.fd) return std::to_string(*r.fd);
    return nofd_index ? "none" + std::to_string(nofd_index) : "none";
}

// Pages a buffer spans, as top's PAGES column counts them.
std::uint64_t pages_spanned(const model::Buffer &b, std::uint64_t page) {
    return (b.addr % page + b.len + page - 1) / page;
}

void add_process(Sink &sink, const MetricsInput &in, const model::Process &p, std::uint32_t page_size) {
    // Label values are UTF-8 in Prometheus: invalid bytes of a comm become
    // U+FFFD (as the JSON output's `comm`); quotes, backslashes and newlines
    // are escaped by the text format itself.
    const std::string comm = render::utf8_lossy(p.comm);
    const Labels proc{{"comm", comm}, {"pid", std::to_string(p.pid)}};
    sink.add(kRings, proc, static_cast<double>(p.rings.size()));
    sink.add(kEpolls, proc, static_cast<double>(p.epolls.size()));
    std::uint64_t items = 0;
    for (auto &e : p.epolls) items += e.items.empty() ? e.items_counted : e.items.size();
    sink.add(kEpollItems, proc, static_cast<double>(items));
    if (in.aggregate_comm) sink.add(kProcesses, proc, 1);

    std::map<std::string_view, std::uint64_t> pinned;
    std::size_t nofd = 0;
    for (std::uint32_t ri = 0; ri < p.rings.size(); ri++) {
        const model::Ring &r = p.rings[ri];
        Labels ring = proc;
        ring.push_back({"ring", ring_label(r, r.fd ? 0 : nofd++)});
        std::uint64_t bytes = 0;
        for (std::uint32_t bi = 0; bi < r.buffers.size(); bi++) {
            const model::Buffer &b = r.buffers[bi];
            bytes += b.len;
            collect::MemoryKind kind = collect::MemoryKind::unknown;
            if (in.memory) {
                auto it = in.memory->find({p.pid, ri, bi});
                if (it != in.memory->end()) kind = it->second.kind;
            }
            pinned[pinned_kind(kind)] += pages_spanned(b, page_size);
        }
        sink.add(kBuffers, ring, static_cast<double>(r.buffers.size()));
        sink.add(kBufferBytes, ring, static_cast<double>(bytes));
        if (!r.state_known) continue;  // the fallback could not read it: nothing made up
        const model::RingState &s = r.state;
        sink.add(kSqEntries, ring, s.sq_entries);
        sink.add(kCqEntries, ring, s.cq_entries);
        sink.add(kFileSlots, ring, s.nr_files);
        sink.add(kFileSlotsUsed, ring, static_cast<double>(r.files.empty() ? r.files_counted : r.files.size()));
        sink.add(kInflight, ring, s.inflight ? std::optional<double>(*s.inflight) : std::nullopt);
        if (in.aggregate_comm) {
            if (const RingTotals *t = in.counters ? in.counters->comm(comm) : nullptr) {
                const Labels c{{"comm", comm}};
                sink.set(kSqesConsumed, c, static_cast<double>(t->sqes_consumed));
                sink.set(kCqesPosted, c, static_cast<double>(t->cqes_posted));
                sink.set(kCqOverflows, c, static_cast<double>(t->cq_overflows));
            }
        } else if (const RingTotals *t = in.counters ? in.counters->ring(p.pid, r) : nullptr) {
            sink.add(kSqesConsumed, ring, static_cast<double>(t->sqes_consumed));
            sink.add(kCqesPosted, ring, static_cast<double>(t->cqes_posted));
            sink.add(kCqOverflows, ring, static_cast<double>(t->cq_overflows));
        }
    }
    for (auto &[kind, pages] : pinned) {
        Labels l = proc;
        l.push_back({"kind", std::string(kind)});
        sink.add(kPinnedPages, l, static_cast<double>(pages));
    }
}

MetricFamily gauge(const char *name, const char *help, double v, Labels labels = {}) {
    MetricFamily f{name, help, MetricType::Gauge, {}};
    ClientMetric m;
    m.label = std::move(labels);
    m.gauge.value = v;
    f.metric.push_back(std::move(m));
    return f;
}

MetricFamily counter(const char *name, const char *help, double v) {
    MetricFamily f{name, help, MetricType::Counter, {}};
    ClientMetric m;
    m.counter.value = v;
    f.metric.push_back(std::move(m));
    return f;
}

}  // namespace

std::string_view pinned_kind(collect::MemoryKind k) {
    switch (k) {
        case collect::MemoryKind::anon:
            return "anonymous";
        case collect::MemoryKind::shared_anon:
        case collect::MemoryKind::memfd:
            return "shmem";
        case collect::MemoryKind::file:
        case collect::MemoryKind::deleted_file:
            return "file";
        case collect::MemoryKind::hugetlb:
            return "hugetlb";
        case collect::MemoryKind::unmapped:
            return "unmapped";
        case collect::MemoryKind::special:
        case collect::MemoryKind::kernel:
            return "other";
        case collect::MemoryKind::unknown:
            return "unknown";
    }
    return "unknown";
}

std::vector<MetricFamily> build_metrics(const MetricsInput &in) {
    std::vector<MetricFamily> out;
    if (in.snap) {
        Sink sink(in.aggregate_comm);
        for (auto &p : in.snap->processes) add_process(sink, in, p, in.snap->page_size);
        sink.emit(out);
    }
    const ExporterStatus &s = in.status;
    out.push_back(gauge("uringdump_exporter_scrape_duration_seconds",
                        "Time the exporter's last read of the kernel took (a scrape within --min-interval of it "
                        "reuses it).",
                        s.last_read_seconds));
    out.push_back(counter("uringdump_exporter_reads_total", "Reads of the kernel the exporter made.",
                          static_cast<double>(s.reads)));
    out.push_back(counter("uringdump_exporter_read_errors_total",
                          "Reads of the kernel that failed; the per-process series are absent until one succeeds.",
                          static_cast<double>(s.read_errors)));
    out.push_back(gauge("uringdump_exporter_last_read_success",
                        "1 if the last read of the kernel succeeded, 0 if it failed.", s.last_read_ok ? 1 : 0));
    if (s.last_success_unix > 0)
        out.push_back(gauge("uringdump_exporter_last_read_success_timestamp_seconds",
                            "When the last successful read of the kernel ended, in seconds since the epoch.",
                            s.last_success_unix));
    out.push_back(gauge("uringdump_exporter_source",
                        "How the exporter reads the kernel: through BPF, or the /proc fallback (value 1).", 1,
                        {{"source", s.source}}));
    return out;
}

}  // namespace ud::exporter
