#include "render/snapshot_json.h"

#include <algorithm>
#include <unordered_map>

#include "model/describe.h"
#include "model/join.h"
#include "records.h"
#include "render/json_lines.h"
#include "render/name_json.h"

namespace ud::render {
namespace {

using namespace ud::model;

void int_array(JsonOut &j, const std::vector<int> &v) {
    j.begin_array();
    for (int x : v) j.i64(x);
    j.end_array();
}

void ring_json(JsonOut &j, JsonLines &lines, const Process &p, const Ring &r) {
    const RingState &s = r.state;
    j.begin_object();
    if (r.fd)
        j.kv_i("fd", *r.fd);
    else
        j.key("fd").null();
    j.key("fds");
    int_array(j, r.fds);
    if (!r.users.empty()) {
        j.key("registered").begin_array();
        for (auto &u : r.users) {
            j.begin_object().kv_i("tid", u.tid);
            if (u.reg_index >= 0)
                j.kv_i("index", u.reg_index);
            else
                j.key("index").null();
            j.end_object();
        }
        j.end_array();
    }
    if (!r.state_known) j.kv_b("state_unknown", true);
    j.kv_u("flags", s.flags).kv("flags_str", setup_flags_str(s.flags));
    j.kv_u("sq_entries", s.sq_entries).kv_u("cq_entries", s.cq_entries);
    j.key("sq").begin_object()
        .kv_u("head", s.sq_head).kv_u("tail", s.sq_tail)
        .kv_u("cached_head", s.cached_sq_head).kv_u("dropped", s.sq_dropped).kv_u("flags", s.sq_flags)
        .end_object();
    j.key("cq").begin_object()
        .kv_u("head", s.cq_head).kv_u("tail", s.cq_tail).kv_u("overflow", s.cq_overflow)
        .kv_u("cached_tail", s.cached_cq_tail).kv_b("overflow_pending", s.overflow_pending)
        .end_object();
    if (s.sq_thread_pid >= 0)
        j.key("sq_thread").begin_object().kv_i("pid", s.sq_thread_pid).kv_i("cpu", s.sq_thread_cpu).end_object();
    else
        j.key("sq_thread").null();
    if (!s.sq_thread_known) j.kv_b("sq_thread_unknown", true);
    if (s.buf_groups) j.kv_u("buf_groups", *s.buf_groups); else j.key("buf_groups").null();
    if (s.personalities) j.kv_u("personalities", *s.personalities); else j.key("personalities").null();
    if (s.counts_partial) j.kv_b("counts_partial", true);
    if (s.has_eventfd) j.kv_b("eventfd", *s.has_eventfd); else j.key("eventfd").null();
    j.kv_b("napi", s.napi).kv_b("zcrx", s.zcrx);
    j.key("iowq_max").begin_array().u64(s.iowq_max[0]).u64(s.iowq_max[1]).end_array();
    if (s.inflight) j.kv_u("inflight", *s.inflight); else j.key("inflight").null();
    if (s.tasks_inflight) j.kv_u("tasks_inflight", *s.tasks_inflight);
    j.kv_u("waiting", s.waiting).kv_b("restricted", s.restricted);
    j.kv_u("file_slots", s.nr_files).kv_u("buffer_slots", s.nr_bufs);

    j.key("files").begin_array();
    for (auto &f : r.files) j.raw_object(lines.fixed_file(p, f));
    j.end_array();

    j.key("buffers").begin_array();
    for (auto &b : r.buffers) {
        j.begin_object().kv_u("slot", b.slot).kv_u("addr", b.addr).kv_u("len", b.len)
            .kv_u("nr_bvecs", b.nr_bvecs).kv_u("folio_shift", b.folio_shift);
        if (b.kernel) j.kv_b("kernel", true);
        j.key("segments").begin_array();
        for (std::uint32_t i = 0; i < b.seg_count; i++) j.raw_object(lines.segment(r.segments[b.seg_begin + i]));
        j.end_array().end_object();
    }
    j.end_array();
    if (r.requests_read) {
        // Where one request's chain goes on, and what a linked timeout
        // guards: by position in this list.
        std::unordered_map<std::uint64_t, long> at;
        for (std::size_t i = 0; i < r.requests.size(); i++)
            if (r.requests[i].req) at.emplace(r.requests[i].req, static_cast<long>(i));
        auto index = [&](std::uint64_t id) {
            auto it = id ? at.find(id) : at.end();
            return it == at.end() ? -1L : it->second;
        };
        j.key("requests").begin_array();
        for (auto &q : r.requests) j.raw_object(lines.request(p, q, index(q.link), index(q.guards)));
        j.end_array();
        // What is in flight on no list: known where the kernel counts the
        // ring's requests.
        if (auto n = requests_unlisted(r))
            j.kv_u("requests_unlisted", *n);
        else
            j.key("requests_unlisted").null();
    }
    j.end_object();
}

void epoll_json(JsonOut &j, JsonLines &lines, const Process &p, const Epoll &e) {
    j.begin_object().kv_i("fd", e.fd).key("fds");
    int_array(j, e.fds);
    j.key("items").begin_array();
    for (auto &it : e.items) j.raw_object(lines.epoll_item(p, it));
    j.end_array().end_object();
}

}  // namespace

void snapshot_json(JsonOut &j, const Snapshot &snap) {
    JsonLines lines(snap);
    j.begin_object();
    j.key("processes").begin_array();
    for (auto &p : snap.processes) {
        j.begin_object().kv_i("pid", p.pid);
        name_kv(j, "comm", p.comm);
        j.key("io_uring").begin_array();
        for (auto &r : p.rings) ring_json(j, lines, p, r);
        j.end_array();
        j.key("epoll").begin_array();
        for (auto &e : p.epolls) epoll_json(j, lines, p, e);
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.kv("source", snap.source == Source::bpf ? "bpf" : "procfs");
    if (!snap.pfn.ok) j.kv("pfn_unavailable", snap.pfn.reason);
    if (!snap.partial.empty()) {
        j.key("partial").begin_array();
        for (auto &why : snap.partial) j.str(why);
        j.end_array();
    }
    j.end_object();
}

}  // namespace ud::render
