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
#define UD_RQ_IOWQ 11     /* io-wq: work queued for the workers of a task using the ring */
#define UD_RQ_IOWQ_RUN 12 /* io-wq: the workers, each running one request */
#define UD_RQ_OVERFLOW 13
#define UD_RQ_END 14

/* An io-wq phase's lists are numbered task << 8 | node << 1 | acct: task
 * its index on ctx->tctx_list (the SQPOLL thread after the last), node the
 * NUMA node (6.1 only, else 0), acct 0 bound or 1 unbound. */
#define UD_IOWQ_MAX_NODES 128
#define UD_RQ_SQ_TASK ((void *)1)
#define UD_IO_WQ_WORK_HASHED 2
#define UD_IO_WQ_WORK_UNBOUND 4

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
	case UD_RQ_IOWQ:
	case UD_RQ_IOWQ_RUN: return UD_WAIT_IOWQ;
	default: return UD_WAIT_OVERFLOW;
	}
}

/* A hash table's bucket list: false past the last bucket. */
static __always_inline bool ud_rq_bucket(struct ud_reqs_walk *w, struct io_hash_table *t)
{
	if (!ud_hash_geometry(t, &w->hbs, &w->nr_buckets, &w->stride, &w->list_off))
		return false;
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

static __always_inline bool ud_rq_iowq(__u32 phase)
{
	return phase == UD_RQ_IOWQ || phase == UD_RQ_IOWQ_RUN;
}

/* How many lists an io-wq phase has per task (node << 1 | acct). */
static __always_inline __u32 ud_iowq_lists(void)
{
	__u32 nodes = ud_nr_node_ids ? ud_nr_node_ids : UD_IOWQ_MAX_NODES;

	if (!bpf_core_type_exists(struct io_wqe))
		return 2;
	return 2 * (nodes < UD_IOWQ_MAX_NODES ? nodes : UD_IOWQ_MAX_NODES);
}

/* On to the next phase. */
static __always_inline void ud_rq_next_phase(struct ud_reqs_walk *w)
{
	w->open = 0;
	w->index = 0;
	w->chain = 0;
	w->retries = 0;
	w->skip = 0;
	w->phase++;
	w->bucket = 0;
	w->nr_buckets = 0;
	w->tnode = 0;
}

/* On to the next bucket of a hash phase, the next io-wq list, or the next
 * list. */
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
	if (ud_rq_iowq(w->phase)) {
		/* The task's next list; after its last, the next task's first
		 * (ud_rq_iowq_seek() ends the phase after the last task). */
		if ((w->bucket & 0xff) + 1 < ud_iowq_lists())
			w->bucket++;
		else
			w->bucket = ((w->bucket >> 8) + 1) << 8;
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
	case UD_RQ_IOWQ:
		return (void *)(n - bpf_core_field_offset(struct io_kiocb, work) -
				bpf_core_field_offset(struct io_wq_work, list));
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
	w->prev = w->from;
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
 * A node's next, just read from w->from: whether it can be trusted as the
 * list's. The request at from may have left the list since it was listed,
 * and the requests behind it would then be missed without a word:
 *   - list_del_init() points an unlinked list_head at itself;
 *   - hlist_del_init() clears an unlinked hlist node's next, and
 *     wq_list_cut() an io_wq_work_list node's, which then look like the
 *     list's end: a NULL next counts only from a node still linked (the
 *     node before it points to it; the list's last is it) whose next is
 *     still NULL;
 *   - a recycled request may be on another list (whose nodes would then be
 *     walked as this one's): the request must still be the one listed.
 *   - a request that left and came back at the tail (a multishot timeout
 *     armed again) is no longer behind the node before it.
 * In this order, because a request can leave the list and come back at its
 * head between two reads (recycled, or the same one armed again), which
 * only a later read shows. The io-wq workers' list is RCU's, whose
 * unlinked nodes keep their next; the overflow list holds no request. (The
 * addresses checked are x86-64's and arm64's kernel half.)
 */
static __always_inline bool ud_rq_next_holds(struct ud_reqs_walk *w, void *next)
{
	struct io_wq_work_list *wl = w->head;
	struct hlist_node *n = w->from;
	struct hlist_node **pprev = 0;
	struct io_kiocb *req;
	void *back = 0, *again = 0;

	/* list_del() poisons a node's next (LIST_POISON1, 0xdead...): below
	 * every kernel address (x86-64 with 4 or 5 level paging, arm64). */
	if (next && (__u64)next < 0xff00000000000000ULL)
		return false;
	if (w->from == w->head || w->phase == UD_RQ_OVERFLOW || w->phase == UD_RQ_IOWQ_RUN)
		return next != w->from || w->from == w->head;
	if (next == w->from)
		return false;
	/* Still where it was found: the node before it points to it (one that
	 * left and came back at the list's tail would otherwise end the walk
	 * at the head, or at a NULL next with the list's last it). */
	if (w->prev && (bpf_probe_read_kernel(&back, sizeof(back), w->prev) || back != w->from))
		return false;
	if (!next && ud_rq_hlist(w->phase)) {
		pprev = BPF_CORE_READ(n, pprev);
		if (!pprev || bpf_probe_read_kernel(&back, sizeof(back), pprev) || back != w->from)
			return false;
	}
	if (!next && (w->phase == UD_RQ_IOPOLL || w->phase == UD_RQ_IOWQ) &&
	    (void *)BPF_CORE_READ(wl, last) != w->from)
		return false;
	if (!next && (bpf_probe_read_kernel(&again, sizeof(again), w->from) || again))
		return false;
	req = ud_rq_req(w->phase, w->from);
	/* An io-wq queue holds every ring's work of its task. */
	if (w->phase != UD_RQ_IOWQ && BPF_CORE_READ(req, ctx) != w->ctx)
		return false;
	return BPF_CORE_READ(req, cqe.user_data) == w->at_user_data;
}

/* The list sub (node << 1 | acct) of an io-wq phase in wq, or NULL where
 * this kernel has no such list. */
static __always_inline void *ud_iowq_list(__u32 phase, struct io_wq *wq, __u32 sub)
{
	__u32 node = sub >> 1, acct = sub & 1;
	char *a;

	if (bpf_core_field_exists(wq->wqes)) {
		/* 6.1: one io_wqe per node, its workers on one list. Where the
		 * node count is not known (a pinned iterator), every slot up to
		 * the cap is read, and one counts only if it is that node's
		 * io_wqe of this io_wq. */
		struct io_wqe *wqe = 0;

		bpf_probe_read_kernel(&wqe, sizeof(wqe),
				      (char *)wq + bpf_core_field_offset(struct io_wq, wqes) + node * sizeof(wqe));
		if (!wqe || BPF_CORE_READ(wqe, wq) != wq || BPF_CORE_READ(wqe, node) != node)
			return 0;
		if (phase == UD_RQ_IOWQ_RUN)
			return acct ? 0 : (char *)wqe + bpf_core_field_offset(struct io_wqe, all_list);
		return (char *)wqe + bpf_core_field_offset(struct io_wqe, acct) +
		       acct * bpf_core_type_size(struct io_wqe_acct) + bpf_core_field_offset(struct io_wqe_acct, work_list);
	}
	if (node)
		return 0;
	a = (char *)wq + bpf_core_field_offset(struct io_wq, acct) + acct * bpf_core_type_size(struct io_wq_acct);
	if (phase == UD_RQ_IOWQ)
		return a + bpf_core_field_offset(struct io_wq_acct, work_list);
	if (bpf_core_field_exists(wq->all_list))
		return acct ? 0 : (char *)wq + bpf_core_field_offset(struct io_wq, all_list); /* 6.12 */
	return a + bpf_core_field_offset(struct io_wq_acct, all_list);
}

/*
 * One step towards opening the io-wq list w->bucket names: a step along
 * ctx->tctx_list to its task, then the list of that task's io-wq. The list
 * is walked again from its head when the bucket is before the place
 * reached (a resumed walk), and a node that no longer joins a task to this
 * ring means it changed: read again, as a changed request list is.
 */
static __always_inline void ud_rq_iowq_seek(struct ud_out *o, struct ud_reqs_walk *w)
{
	__u32 target = w->bucket >> 8;
	void *tl = (char *)w->ctx + bpf_core_field_offset(struct io_ring_ctx, tctx_list);
	struct io_uring_task *tctx = 0;
	struct io_wq *wq;
	void *next = 0;

	if (!w->tnode || w->tidx > target + 1) {
		w->tnode = tl;
		w->tidx = 0; /* the head: tidx is one more than the task's index */
	}
	if (w->tidx != target + 1) {
		if (w->tnode == UD_RQ_SQ_TASK) {
			ud_rq_next_phase(w); /* past the last task */
			return;
		}
		bpf_probe_read_kernel(&next, sizeof(next), w->tnode);
		if (next == tl) {
			w->tnode = UD_RQ_SQ_TASK;
		} else if (!next || w->tidx >= UD_MAX_RING_TASKS) {
			ud_warn(o, UD_TABLE_REQS, UD_WARN_BOUND, (__u64)w->ctx, w->phase);
			ud_rq_next_phase(w);
			return;
		} else {
			w->tnode = next;
		}
		w->tidx++;
		return;
	}
	if (w->tnode == UD_RQ_SQ_TASK) {
		struct io_ring_ctx *ctx = w->ctx; /* (w-> inside BPF_CORE_READ would be relocated) */
		struct io_sq_data *sqd = BPF_CORE_READ(ctx, sq_data);
		struct task_struct *t = sqd ? BPF_CORE_READ(sqd, thread) : 0;

		tctx = t ? BPF_CORE_READ(t, io_uring) : 0;
	} else {
		struct io_tctx_node *n = (void *)((char *)w->tnode - bpf_core_field_offset(struct io_tctx_node, ctx_node));
		struct task_struct *t;

		if (BPF_CORE_READ(n, ctx) != w->ctx) {
			w->tnode = 0;
			ud_rq_changed(o, w);
			return;
		}
		t = BPF_CORE_READ(n, task);
		tctx = t ? BPF_CORE_READ(t, io_uring) : 0;
	}
	wq = tctx ? BPF_CORE_READ(tctx, io_wq) : 0;
	w->head = wq ? ud_iowq_list(w->phase, wq, w->bucket & 0xff) : 0;
	if (!w->head) {
		/* A resumed walk expected nodes here: the list is gone. */
		if (w->skip || w->ident)
			ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx, ~0ULL);
		w->skip = 0;
		w->ident = 0;
		if (wq)
			ud_rq_next_list(w);
		else
			w->bucket = (target + 1) << 8; /* no io-wq: the next task */
		return;
	}
	w->open = 1;
	w->from = w->head;
	w->prev = 0;
	w->index = 0;
}

/*
 * The node w->node of an io-wq list: a work item queued (in a request), or
 * a worker and the request it runs (cur_work, or up to 6.12 next_work, the
 * one it took off the queue and is about to run). The workers of a task
 * serve every ring it uses: requests of other rings are passed without a
 * word. A worker that finished its request while read leaves it out (said),
 * and the walk goes on: its list did not change.
 */
static __always_inline long ud_rq_iowq_node(struct ud_out *o, struct ud_reqs_walk *w)
{
	char *node = w->node;
	void *again = 0, *work = 0, *slot = 0, *now = 0;
	struct io_kiocb *req = 0;
	struct task_struct *t = 0;
	bool fresh = false, ok = true;
	__u32 fl = 0;

	if (!ud_rq_room(o))
		return 1;
	if (w->phase == UD_RQ_IOWQ_RUN) {
		struct io_worker *wk = (void *)(node - bpf_core_field_offset(struct io_worker, all_list));

		slot = (char *)wk + bpf_core_field_offset(struct io_worker, cur_work);
		bpf_probe_read_kernel(&work, sizeof(work), slot);
		if (!work && bpf_core_field_exists(wk->next_work)) {
			slot = (char *)wk + bpf_core_field_offset(struct io_worker, next_work);
			bpf_probe_read_kernel(&work, sizeof(work), slot);
		}
		t = BPF_CORE_READ(wk, task);
	} else {
		work = node - bpf_core_field_offset(struct io_wq_work, list);
	}
	if (work)
		req = (void *)((char *)work - bpf_core_field_offset(struct io_kiocb, work));
	if (req && BPF_CORE_READ(req, ctx) == w->ctx) {
		ok = ud_rq_fill(o, w, req, UD_WAIT_IOWQ);
		if (ok)
			ud_rq_file(o, w, &fresh);
	} else {
		if (req && w->phase == UD_RQ_IOWQ)
			w->at_user_data = BPF_CORE_READ(req, cqe.user_data);
		req = 0; /* idle, or another ring's */
	}
	/* The node still where it was found. */
	bpf_probe_read_kernel(&again, sizeof(again), w->from);
	if (again != node) {
		if (fresh)
			w->last_file = 0;
		ud_rq_changed(o, w);
		return 0;
	}
	if (!req) {
		ud_rq_passed(w);
		return 0;
	}
	ok = ok && ud_rq_same(w, req) && (!fresh || ud_file_same(o, (struct file *)w->rec.file));
	if (ok && slot) {
		bpf_probe_read_kernel(&now, sizeof(now), slot);
		ok = now == work;
	}
	if (!ok) {
		if (fresh)
			w->last_file = 0;
		if (w->phase != UD_RQ_IOWQ_RUN) {
			ud_rq_changed(o, w);
			return 0;
		}
		ud_warn(o, UD_TABLE_REQS, UD_WARN_CHANGED, (__u64)w->ctx, w->phase | (2ULL << 32));
		ud_rq_passed(w);
		return 0;
	}
	if (bpf_core_field_exists(((struct io_wq_work___old *)work)->flags))
		fl = BPF_CORE_READ((struct io_wq_work___old *)work, flags);
	else
		fl = BPF_CORE_READ((struct io_wq_work *)work, flags.counter);
	if (fl & UD_IO_WQ_WORK_UNBOUND)
		w->rec.detail |= UD_REQ_IOWQ_UNBOUND;
	if (fl & UD_IO_WQ_WORK_HASHED)
		w->rec.detail |= UD_REQ_IOWQ_HASHED;
	if (slot) {
		w->rec.detail |= UD_REQ_IOWQ_RUNNING;
		w->rec.target = t ? BPF_CORE_READ(t, pid) : 0;
	}
	ud_rq_put(o, w, fresh);
	w->req = req;
	w->at_user_data = w->rec.user_data;
	w->chain_len = 0;
	w->chain = (void *)w->rec.link;
	if (!w->chain)
		ud_rq_passed(w);
	return 0;
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
	if (!w->open && ud_rq_iowq(w->phase)) {
		ud_rq_iowq_seek(o, w);
		return 0;
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
		w->prev = 0;
		w->index = 0;
		return 0;
	}
	bpf_probe_read_kernel(&next, sizeof(next), w->from);
	if (!ud_rq_next_holds(w, next)) {
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
		if (w->phase != UD_RQ_OVERFLOW && w->phase != UD_RQ_IOWQ_RUN) {
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
	if (ud_rq_iowq(w->phase))
		return ud_rq_iowq_node(o, w);
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
	w->retries = 0;
	w->tnode = 0;
	bpf_loop(UD_MAX_STEPS, ud_reqs_step, o, 0);
	if (!w->done) {
		w->ident = (__u64)w->node;
		ud_cont(o, UD_TABLE_REQS, (__u64)ctx, ((__u64)w->phase << 32) | w->bucket, w->index);
	}
}

#endif
