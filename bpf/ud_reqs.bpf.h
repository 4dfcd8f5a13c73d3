/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The requests a ring holds, one UD_REC_REQ record each: every request on
 * one of the ring's lists, in list order, each followed by the requests
 * linked behind it (IOSQE_IO_LINK), which wait on no list of their own.
 *
 * The lists (each where this kernel has it; ud_ring_busy.bpf.h counts the
 * same ones): the poll hash tables cancel_table and, up to 6.12,
 * cancel_table_locked; timeout_list and ltimeout_list; iopoll_list;
 * defer_list (drained requests); work_llist and retry_llist (task work of
 * DEFER_TASKRUN rings); cancelable_uring_cmd; futex_list; waitid_list; and
 * cq_overflow_list, which holds completions rather than requests.
 * A request on none of them (block I/O issued, work in io-wq, task work of
 * a ring without DEFER_TASKRUN) is not reached here.
 *
 * Requests are recycled at once: a request that completes goes back to the
 * ring's free cache and may be the next one submitted, to any list. So each
 * request is read, then checked again: the node before it (or the list
 * head) still points to it, it still belongs to this ring, with the same
 * opcode, user_data and file. One that fails is left out (UD_WARN_CHANGED),
 * and the rest of its list with it, since where it pointed is not known to
 * be the list any more.
 *
 * Resuming: the walk stops at the output budget like the table walks, and
 * its continuation (UD_TABLE_REQS) names the list (phase and bucket), how
 * many nodes of it came before and the node it expects there; a list that
 * changed between passes is reported, and requests seen twice are merged by
 * user space.
 */
#ifndef UD_REQS_BPF_H
#define UD_REQS_BPF_H

#include "ud_common.bpf.h"
#include "ud_file.bpf.h"

/* The lists, in the order they are walked (ud_reqs_walk.phase). */
#define UD_RQ_POLL 0
#define UD_RQ_POLL_LOCKED 1
#define UD_RQ_TIMEOUT 2
#define UD_RQ_LTIMEOUT 3
#define UD_RQ_IOPOLL 4
#define UD_RQ_DEFER 5
#define UD_RQ_WORK 6
#define UD_RQ_RETRY 7
#define UD_RQ_URING_CMD 8
#define UD_RQ_FUTEX 9
#define UD_RQ_WAITID 10
#define UD_RQ_OVERFLOW 11
#define UD_RQ_END 12

/* A list whose request changed while read is read again from its head
 * this many times (its requests shown before are merged by user space),
 * then given up with what was read. */
#define UD_RQ_RETRIES 4

/* A chain is at most as long as the SQ ring is (IORING_MAX_ENTRIES). */
#define UD_MAX_CHAIN (1U << 15)

#define UD_OP_POLL_ADD 6
#define UD_OP_TIMEOUT 11
#define UD_OP_LINK_TIMEOUT 15
#define UD_EPOLLONESHOT (1U << 30)
#define UD_TIMEOUT_BOOTTIME (1U << 2)
#define UD_TIMEOUT_REALTIME (1U << 3)

static __always_inline __u8 ud_rq_wait(__u32 phase)
{
	switch (phase) {
	case UD_RQ_POLL:
	case UD_RQ_POLL_LOCKED: return UD_WAIT_POLL;
	case UD_RQ_TIMEOUT: return UD_WAIT_TIMEOUT;
	case UD_RQ_LTIMEOUT: return UD_WAIT_LTIMEOUT;
	case UD_RQ_IOPOLL: return UD_WAIT_IOPOLL;
	case UD_RQ_DEFER: return UD_WAIT_DRAIN;
	case UD_RQ_WORK:
	case UD_RQ_RETRY: return UD_WAIT_TASK_WORK;
	case UD_RQ_URING_CMD: return UD_WAIT_URING_CMD;
	case UD_RQ_FUTEX: return UD_WAIT_FUTEX;
	case UD_RQ_WAITID: return UD_WAIT_WAITID;
	default: return UD_WAIT_OVERFLOW;
	}
}

/* A hash table's bucket list: false past the last bucket. */
static __always_inline bool ud_rq_bucket(struct ud_reqs_walk *w, struct io_hash_table *t)
{
	__u32 bits = BPF_CORE_READ(t, hash_bits);

	w->hbs = BPF_CORE_READ(t, hbs);
	if (!w->hbs || bits > 8)
		return false;
	w->nr_buckets = 1U << bits;
	w->stride = bpf_core_type_size(struct io_hash_bucket);
	w->list_off = bpf_core_field_offset(struct io_hash_bucket, list);
	if (w->bucket >= w->nr_buckets)
		return false;
	w->head = (char *)w->hbs + (__u64)w->bucket * w->stride + w->list_off;
	return true;
}

/* Opens the list of the walk's phase (and bucket): false if this kernel
 * has no such list, or the hash table has no such bucket. */
static __always_inline bool ud_rq_open(struct ud_reqs_walk *w)
{
	struct io_ring_ctx *ctx = w->ctx;
	char *c = (char *)ctx;

	switch (w->phase) {
	case UD_RQ_POLL:
		return bpf_core_field_exists(ctx->cancel_table) && ud_rq_bucket(w, &ctx->cancel_table);
	case UD_RQ_POLL_LOCKED:
		return bpf_core_field_exists(ctx->cancel_table_locked) && ud_rq_bucket(w, &ctx->cancel_table_locked);
	case UD_RQ_TIMEOUT:
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, timeout_list);
		return true;
	case UD_RQ_LTIMEOUT:
		if (!bpf_core_field_exists(ctx->ltimeout_list))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, ltimeout_list);
		return true;
	case UD_RQ_IOPOLL:
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, iopoll_list);
		return true;
	case UD_RQ_DEFER:
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, defer_list);
		return true;
	case UD_RQ_WORK:
		if (!bpf_core_field_exists(ctx->work_llist))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, work_llist);
		return true;
	case UD_RQ_RETRY:
		if (!bpf_core_field_exists(ctx->retry_llist))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, retry_llist);
		return true;
	case UD_RQ_URING_CMD:
		if (!bpf_core_field_exists(ctx->cancelable_uring_cmd))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, cancelable_uring_cmd);
		return true;
	case UD_RQ_FUTEX:
		if (!bpf_core_field_exists(ctx->futex_list))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, futex_list);
		return true;
	case UD_RQ_WAITID:
		if (!bpf_core_field_exists(ctx->waitid_list))
			return false;
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, waitid_list);
		return true;
	case UD_RQ_OVERFLOW:
		w->head = c + bpf_core_field_offset(struct io_ring_ctx, cq_overflow_list);
		return true;
	}
	return false;
}

/* On to the next bucket of a hash phase, or the next list. */
static __always_inline void ud_rq_next_list(struct ud_reqs_walk *w)
{
	w->open = 0;
	w->index = 0;
	w->chain = 0;
	w->retries = 0;
	if ((w->phase == UD_RQ_POLL || w->phase == UD_RQ_POLL_LOCKED) && w->bucket + 1 < w->nr_buckets) {
		w->bucket++;
		return;
	}
	w->phase++;
	w->bucket = 0;
	w->nr_buckets = 0;
}

/* The request a node of the phase's list belongs to (every list links a
 * member of the request, but defer_list, whose entries point to it). */
static __always_inline struct io_kiocb *ud_rq_req(__u32 phase, void *node)
{
	char *n = node;

	switch (phase) {
	case UD_RQ_TIMEOUT:
	case UD_RQ_LTIMEOUT:
		/* io_timeout lives in the request's command area, offset 0. */
		return (void *)(n - bpf_core_field_offset(struct io_timeout, list));
	case UD_RQ_IOPOLL:
		return (void *)(n - bpf_core_field_offset(struct io_kiocb, comp_list));
	case UD_RQ_DEFER: {
		struct io_defer_entry *de = (void *)(n - bpf_core_field_offset(struct io_defer_entry, list));

		return BPF_CORE_READ(de, req);
	}
	case UD_RQ_WORK:
	case UD_RQ_RETRY:
		return (void *)(n - bpf_core_field_offset(struct io_kiocb, io_task_work) -
				bpf_core_field_offset(struct io_task_work, node));
	default:
		return (void *)(n - bpf_core_field_offset(struct io_kiocb, hash_node));
	}
}

/* Fills the record of req; false if it is not a request of this ring. */
static __always_inline bool ud_rq_fill(struct ud_out *o, struct ud_reqs_walk *w, struct io_kiocb *req, __u8 wait)
{
	struct ud_req *r = &w->rec;

	__builtin_memset(r, 0, sizeof(*r));
	ud_hdr(o, &r->hdr, UD_REC_REQ, sizeof(*r));
	r->waiting = wait;
	r->req = (__u64)req;
	if (BPF_CORE_READ(req, ctx) != w->ctx)
		return false;
	r->opcode = BPF_CORE_READ(req, opcode);
	r->flags = BPF_CORE_READ(req, flags);
	r->user_data = BPF_CORE_READ(req, cqe.user_data);
	r->file = (__u64)BPF_CORE_READ(req, file);
	r->link = (__u64)BPF_CORE_READ(req, link);
	if (r->opcode == UD_OP_POLL_ADD) {
		/* io_poll in the command area: what the SQE asked for. */
		r->poll_events = BPF_CORE_READ((struct io_poll *)req, events);
		r->detail |= UD_REQ_POLL_ADD;
	} else if (wait == UD_WAIT_POLL) {
		struct async_poll *ap = BPF_CORE_READ(req, apoll);

		if (ap)
			r->poll_events = BPF_CORE_READ(ap, poll.events);
	}
	if (wait == UD_WAIT_POLL && !(r->poll_events & UD_EPOLLONESHOT))
		r->detail |= UD_REQ_MULTISHOT;
	if (r->opcode == UD_OP_TIMEOUT || r->opcode == UD_OP_LINK_TIMEOUT) {
		struct io_timeout_data *d = BPF_CORE_READ(req, async_data);
		struct io_timeout *t = (void *)req;

		if (d && wait != UD_WAIT_LINKED) {
			/* Armed: the timer holds when it fires. */
			__u32 fl = BPF_CORE_READ(d, flags);

			r->expires = BPF_CORE_READ(d, timer.node.expires);
			r->clock = fl & UD_TIMEOUT_BOOTTIME ? 1 : fl & UD_TIMEOUT_REALTIME ? 2 : 0;
			r->detail |= UD_REQ_HAS_TIMER;
		}
		r->target = r->opcode == UD_OP_LINK_TIMEOUT ? (__u64)BPF_CORE_READ(t, head) : BPF_CORE_READ(t, off);
	}
	return true;
}

/* Whether req is still what ud_rq_fill() read. */
static __always_inline bool ud_rq_same(struct ud_reqs_walk *w, struct io_kiocb *req)
{
	struct ud_req *r = &w->rec;

	return BPF_CORE_READ(req, ctx) == w->ctx && BPF_CORE_READ(req, cqe.user_data) == r->user_data &&
	       BPF_CORE_READ(req, opcode) == r->opcode && (__u64)BPF_CORE_READ(req, file) == r->file &&
	       (__u64)BPF_CORE_READ(req, link) == r->link;
}

/* The FILE record of the record's file, unless the last one was it; false
 * when its FILE record was read but the file changed since. */
static __always_inline bool ud_rq_file(struct ud_out *o, struct ud_reqs_walk *w, bool *fresh)
{
	struct file *f = (struct file *)w->rec.file;

	*fresh = f && (__u64)f != w->last_file;
	if (*fresh)
		ud_read_file(o, f); /* ud_rq_room() made room for it */
	return true;
}

/* Puts out the record (and its FILE record) once checked again. */
static __always_inline void ud_rq_put(struct ud_out *o, struct ud_reqs_walk *w, bool fresh)
{
	if (fresh) {
		ud_put_file(o);
		w->last_file = w->rec.file;
	}
	ud_put(o, &w->rec, sizeof(w->rec));
}

static __always_inline bool ud_rq_room(struct ud_out *o)
{
	return ud_fits(o, sizeof(struct ud_req) + sizeof(struct ud_file) + sizeof(struct ud_warn));
}

/* The node read is done: on past it. */
static __always_inline void ud_rq_passed(struct ud_reqs_walk *w)
{
	w->chain = 0;
	w->index++;
	w->from = w->node;
}

/* One request of the chain behind the request w->req. */
static __always_inline long ud_rq_chain(struct ud_out *o, struct ud_reqs_walk *w)
{
	struct io_kiocb *req = w->chain, *prev = w->req;
	bool fresh = false, ok;

	if (++w->chain_len > UD_MAX_CHAIN) {
		ud_warn(o, UD_TABLE_REQS, UD_WARN_BOUND, (__u64)w->ctx, w->phase);
		ud_rq_passed(w);
		return 0;
	}
	if (!ud_rq_room(o))
		return 1; /* the next pass shows the chain's head again, and the chain */
	ok = ud_rq_fill(o, w, req, UD_WAIT_LINKED);
	if (ok)
		ud_rq_file(o, w, &fresh);
	ok = ok && (__u64)BPF_CORE_READ(prev, link) == (__u64)req && ud_rq_same(w, req) &&
	     (!fresh || ud_file_same(o, (struct file *)w->rec.file));
	if (!ok) {
		ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx, w->phase);
		if (fresh)
			w->last_file = 0;
		ud_rq_passed(w);
		return 0;
	}
	ud_rq_put(o, w, fresh);
	w->req = req;
	w->chain = (void *)w->rec.link;
	if (!w->chain)
		ud_rq_passed(w);
	return 0;
}

/* The node the walk stands on changed while read. Where it pointed is not
 * known to be the list any more, so the list is read again from its head,
 * or, after a few times, the rest of it is given up. Either way user space
 * says a request was left out. */
static __always_inline void ud_rq_changed(struct ud_out *o, struct ud_reqs_walk *w)
{
	ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx,
		w->retries < UD_RQ_RETRIES ? w->phase : w->phase | (1ULL << 32));
	if (w->retries < UD_RQ_RETRIES) {
		w->retries++;
		w->open = 0;
		w->chain = 0;
		return;
	}
	ud_rq_next_list(w);
}

/* Whether the phase's list is an hlist of io_kiocb.hash_node (the poll
 * hash buckets, cancelable uring_cmds, futex and waitid waits). */
static __always_inline bool ud_rq_hlist(__u32 phase)
{
	return phase == UD_RQ_POLL || phase == UD_RQ_POLL_LOCKED || phase == UD_RQ_URING_CMD ||
	       phase == UD_RQ_FUTEX || phase == UD_RQ_WAITID;
}

/*
 * An hlist node's next, just read from w->from: whether it can be trusted
 * as the list's. The request at from may have left the list since it was
 * listed: hlist_del_init() clears its next (which then looks like the
 * list's end), and a recycled request may be on another bucket's list
 * (whose nodes would then be walked as this one's). Either way the
 * requests behind it would be missed without a word. So the request must
 * still be the one listed (ring and user_data), and a NULL next must come
 * from a node still linked (the node before it, or the head, points to it).
 */
static __always_inline bool ud_rq_hlist_next_holds(struct ud_reqs_walk *w, void *next)
{
	struct hlist_node *n = w->from;
	struct hlist_node **pprev = 0;
	struct io_kiocb *req;
	void *back = 0;

	if (w->from == w->head)
		return true;
	req = ud_rq_req(w->phase, w->from);
	if (BPF_CORE_READ(req, ctx) != w->ctx || BPF_CORE_READ(req, cqe.user_data) != w->at_user_data)
		return false;
	if (next)
		return true;
	pprev = BPF_CORE_READ(n, pprev);
	if (!pprev || bpf_probe_read_kernel(&back, sizeof(back), pprev))
		return false;
	return back == w->from;
}

/* The node w->node of the open list. */
static __always_inline long ud_rq_node(struct ud_out *o, struct ud_reqs_walk *w)
{
	void *node = w->node, *again = 0;
	struct ud_req *r = &w->rec;
	struct io_kiocb *req = 0;
	bool fresh = false, ok;

	if (!ud_rq_room(o))
		return 1;
	if (w->phase == UD_RQ_OVERFLOW) {
		struct io_overflow_cqe *oc =
			(void *)((char *)node - bpf_core_field_offset(struct io_overflow_cqe, list));

		__builtin_memset(r, 0, sizeof(*r));
		ud_hdr(o, &r->hdr, UD_REC_REQ, sizeof(*r));
		r->waiting = UD_WAIT_OVERFLOW;
		r->opcode = UD_REQ_NO_OPCODE;
		r->user_data = BPF_CORE_READ(oc, cqe.user_data);
		r->poll_events = BPF_CORE_READ(oc, cqe.res);
		ok = true;
	} else {
		req = ud_rq_req(w->phase, node);
		ok = req && ud_rq_fill(o, w, req, ud_rq_wait(w->phase));
		if (ok)
			ud_rq_file(o, w, &fresh);
	}
	/* Still linked where it was found, and still the same request. */
	bpf_probe_read_kernel(&again, sizeof(again), w->from);
	ok = ok && again == node;
	if (ok && req) {
		ok = ud_rq_same(w, req) && (!fresh || ud_file_same(o, (struct file *)r->file));
		if (ok && w->phase == UD_RQ_DEFER)
			ok = BPF_CORE_READ((struct io_defer_entry *)((char *)node -
								   bpf_core_field_offset(struct io_defer_entry, list)),
					   req) == req;
	}
	if (!ok) {
		if (fresh)
			w->last_file = 0;
		/* It completed (or was recycled) while read: not shown. */
		ud_rq_changed(o, w);
		return 0;
	}
	ud_rq_put(o, w, fresh);
	w->req = req;
	w->at_user_data = r->user_data;
	w->chain_len = 0;
	w->chain = req ? (void *)r->link : 0;
	if (!w->chain)
		ud_rq_passed(w);
	return 0;
}

static long ud_reqs_step(__u32 i, void *data)
{
	struct ud_out *o = data;
	struct ud_reqs_walk *w = &o->st->rw;
	void *next = 0;

	if (w->chain)
		return ud_rq_chain(o, w);
	if (w->phase >= UD_RQ_END) {
		w->done = 1;
		return 1;
	}
	if (!w->open) {
		if (!ud_rq_open(w)) {
			w->phase++;
			w->bucket = 0;
			w->skip = 0;
			return 0;
		}
		w->open = 1;
		w->from = w->head;
		w->index = 0;
		return 0;
	}
	bpf_probe_read_kernel(&next, sizeof(next), w->from);
	if (ud_rq_hlist(w->phase) && !ud_rq_hlist_next_holds(w, next)) {
		ud_rq_changed(o, w);
		return 0;
	}
	if (!next || next == w->head) {
		if (w->skip || w->ident)
			ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx, ~0ULL);
		w->skip = 0;
		w->ident = 0;
		ud_rq_next_list(w);
		return 0;
	}
	w->node = next;
	if (w->skip) {
		/* A resumed walk: past what an earlier pass emitted. */
		w->skip--;
		if (ud_rq_hlist(w->phase)) {
			/* (Not inside BPF_CORE_READ: w-> would be relocated too.) */
			struct io_kiocb *passed = ud_rq_req(w->phase, next);

			w->at_user_data = BPF_CORE_READ(passed, cqe.user_data);
		}
		ud_rq_passed(w);
		return 0;
	}
	if (w->ident) {
		if ((__u64)next != w->ident)
			ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx, ~0ULL);
		w->ident = 0;
	}
	return ud_rq_node(o, w);
}

/*
 * Lists the requests of ctx, from the list and position a resume pass
 * continues (cursor: phase << 32 | bucket, cursor2: nodes before it).
 */
static __noinline void ud_walk_reqs(struct ud_out *o, struct io_ring_ctx *ctx, __u64 cursor, __s64 cursor2)
{
	struct ud_reqs_walk *w = &o->st->rw;

	if (ud_summary)
		return; /* top's list: the ring's counts say enough */

	w->ctx = ctx;
	w->phase = cursor >> 32;
	w->bucket = (__u32)cursor;
	w->nr_buckets = 0;
	w->skip = cursor2 > 0 ? (__u32)cursor2 : 0;
	w->open = 0;
	w->index = 0;
	w->chain = 0;
	w->done = 0;
	w->last_file = 0;
	bpf_loop(UD_MAX_STEPS, ud_reqs_step, o, 0);
	if (!w->done) {
		w->ident = (__u64)w->node;
		ud_cont(o, UD_TABLE_REQS, (__u64)ctx, ((__u64)w->phase << 32) | w->bucket, w->index);
	}
}

#endif
