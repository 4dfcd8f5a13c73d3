#include "support/model_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace ud::test {
namespace {

using namespace ud::model;

// The number of initializers an aggregate takes (an array member counts its
// elements): how many fields it has, without naming them.
struct AnyField {
    template <typename T>
    operator T() const;
};

template <typename T, typename... Given>
consteval std::size_t field_count() {
    if constexpr (requires { T{Given{}..., AnyField{}}; })
        return field_count<T, Given..., AnyField>();
    else
        return sizeof...(Given);
}

// A field added to a model struct stops the build here. operator== compares
// it already; decide whether an image stores it: if so, add it to the schema
// (src/image/uringdump.proto), the encoder and the decoder, and give it a
// value other than its default in tests/support/sample_snapshot.cpp (the
// codec test checks the schema's side of that); if not, clear it in
// canonical() below and say why. Then update the count.
static_assert(field_count<FdSpan>() == 2);
static_assert(field_count<FileInfo>() == 7);
static_assert(field_count<TaskFd>() == 3);
static_assert(field_count<Segment>() == 4);
static_assert(field_count<Buffer>() == 8);
static_assert(field_count<FixedFile>() == 10);
static_assert(field_count<RingState>() == 30);  // 29 fields, iowq_max counting its two elements
static_assert(field_count<RingUser>() == 2);
static_assert(field_count<Ring>() == 14);
static_assert(field_count<EpollItem>() == 8);
static_assert(field_count<Epoll>() == 6);
static_assert(field_count<Process>() == 6);
static_assert(field_count<PfnStatus>() == 2);
static_assert(field_count<Snapshot>() == 8);

// Identities in order of first use, as the encoder numbers them; 0 stays 0.
class Renumber {
public:
    std::uint64_t operator()(std::uint64_t id) {
        if (!id) return 0;
        return ids_.try_emplace(id, ids_.size() + 1).first->second;
    }

private:
    std::unordered_map<std::uint64_t, std::uint64_t> ids_;
};

// Appends "path differs" for each of a's elements that b lacks or holds
// otherwise, and for a length mismatch.
template <typename T, typename Each>
void list_diff(std::vector<std::string> &out, const std::string &path, const std::vector<T> &a,
               const std::vector<T> &b, Each each) {
    if (a.size() != b.size()) out.push_back(fmt::format("{}: {} entries written, {} read", path, a.size(), b.size()));
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); i++)
        if (!(a[i] == b[i])) each(fmt::format("{}[{}]", path, i), a[i], b[i]);
}

void field(std::vector<std::string> &out, const std::string &path, bool same) {
    if (!same) out.push_back(path + " differs");
}

// fd_pool's layout follows a hash table's order, which depends on the
// identities' values: the spans are laid out again in the order they are
// used, so that what each entry holds is compared, not where it sits.
void relay_spans(Process &p) {
    std::vector<int> pool;
    auto relay = [&](FdSpan &s) {
        FdSpan moved{static_cast<std::uint32_t>(pool.size()), s.count};
        for (std::uint32_t k = 0; k < s.count; k++) {
            std::size_t at = std::size_t{s.begin} + k;
            pool.push_back(at < p.fd_pool.size() ? p.fd_pool[at] : -2);  // -2: a span past the pool
        }
        s = moved;
    };
    for (auto &r : p.rings)
        for (auto &f : r.files) relay(f.fds);
    for (auto &e : p.epolls)
        for (auto &it : e.items) relay(it.fds);
    p.fd_pool = std::move(pool);
}

}  // namespace

Snapshot canonical(Snapshot s, const CompareOptions &opts) {
    Renumber ids;
    // Files first, in the order of their identities, as the encoder writes them.
    std::vector<FileInfo> files;
    for (auto &[id, f] : s.files) files.push_back(f);
    std::sort(files.begin(), files.end(), [](auto &a, auto &b) { return a.id < b.id; });
    s.files.clear();
    for (auto &f : files) {
        f.id = ids(f.id);
        s.files[f.id] = f;
    }
    for (auto &p : s.processes) {
        for (auto &tf : p.task_fds) {
            tf.file = ids(tf.file);
            // Not stored: what calibration identified files by; an image
            // says which files are rings and epolls by their tables.
            tf.f_op = 0;
        }
        for (auto &r : p.rings) {
            r.ctx = ids(r.ctx);
            r.file = ids(r.file);
            for (auto &f : r.files) f.file = ids(f.file);
            // Not stored: struct page addresses (the builder clears them
            // once frames are known), and summary counts (a dump is never of
            // a summary).
            for (auto &seg : r.segments) seg.page = 0;
            r.files_counted = 0;
            // Not stored: the requests a ring holds. A ring holding any is
            // never dumped (dump refuses it: in flight), and a restore
            // could not resubmit them.
            r.requests.clear();
            r.requests_read = false;
        }
        for (auto &e : p.epolls) {
            e.ep = ids(e.ep);
            e.file = ids(e.file);
            for (auto &it : e.items) it.file = ids(it.file);
            e.items_counted = 0;
        }
        relay_spans(p);
    }
    s.summary = false;
    if (!opts.same_moment) s.taken_ns = 0;
    return s;
}

std::vector<std::string> model_differences(const Snapshot &written, const Snapshot &read, const CompareOptions &opts) {
    Snapshot a = canonical(written, opts), b = canonical(read, opts);
    std::vector<std::string> out;
    if (a == b) return out;
    // Where, for the failure message; the verdict above is the complete one.
    field(out, "source", a.source == b.source);
    field(out, "files", a.files == b.files);
    field(out, "pfn", a.pfn == b.pfn);
    field(out, "partial", a.partial == b.partial);
    field(out, "taken_ns", a.taken_ns == b.taken_ns);
    field(out, "summary", a.summary == b.summary);
    list_diff(out, "processes", a.processes, b.processes, [&](const std::string &pp, const Process &x, const Process &y) {
        field(out, pp + ".pid", x.pid == y.pid);
        field(out, pp + ".comm", x.comm == y.comm);
        field(out, pp + ".task_fds", x.task_fds == y.task_fds);
        field(out, pp + ".fd_pool", x.fd_pool == y.fd_pool);
        list_diff(out, pp + ".rings", x.rings, y.rings, [&](const std::string &rp, const Ring &r, const Ring &q) {
            field(out, rp + ".fd", r.fd == q.fd);
            field(out, rp + ".fds", r.fds == q.fds);
            field(out, rp + ".users", r.users == q.users);
            field(out, rp + ".ctx", r.ctx == q.ctx);
            field(out, rp + ".file", r.file == q.file);
            field(out, rp + ".layout", r.layout == q.layout);
            field(out, rp + ".state", r.state == q.state);
            field(out, rp + ".state_known", r.state_known == q.state_known);
            list_diff(out, rp + ".files", r.files, q.files,
                      [&](const std::string &fp, const FixedFile &, const FixedFile &) { out.push_back(fp + " differs"); });
            list_diff(out, rp + ".buffers", r.buffers, q.buffers,
                      [&](const std::string &bp, const Buffer &, const Buffer &) { out.push_back(bp + " differs"); });
            field(out, rp + ".segments", r.segments == q.segments);
        });
        list_diff(out, pp + ".epolls", x.epolls, y.epolls, [&](const std::string &ep, const Epoll &e, const Epoll &f) {
            field(out, ep + ".fd", e.fd == f.fd);
            field(out, ep + ".fds", e.fds == f.fds);
            field(out, ep + ".ep", e.ep == f.ep);
            field(out, ep + ".file", e.file == f.file);
            list_diff(out, ep + ".items", e.items, f.items,
                      [&](const std::string &ip, const EpollItem &, const EpollItem &) { out.push_back(ip + " differs"); });
        });
    });
    if (out.empty()) out.push_back("the snapshots differ in a field the list above does not name");
    return out;
}

}  // namespace ud::test
