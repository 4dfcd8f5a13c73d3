/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Whether a ring holds requests: what a checkpoint must know before it calls
 * a ring quiet. The SQ and CQ counters only show what user space and the
 * kernel exchanged; a request can also wait inside the kernel with neither
 * ring showing it (a poll armed on an empty pipe, a timeout, work in io-wq).
 *
 * Recent kernels count the requests a ring allocated (ctx->nr_req_allocated);
 * the ones not in flight sit in its free cache (submit_state.free_list), so
 * the difference is what is in flight, wherever it waits. Every kernel also
 * has the lists where requests wait; those are looked at too, and are all an
 * older kernel offers.
 *
 * Read without uring_lock: a ring that is being used while we look may be
 * counted wrong, which a quiet ring, the only kind a checkpoint accepts,
 * never is.
 */
#ifndef UD_RING_BUSY_BPF_H
#define UD_RING_BUSY_BPF_H

#include "ud_common.bpf.h"

/* The free cache holds at most what was allocated; more steps than this
 * means the list changed under the walk. */
#define UD_MAX_REQ_CACHE (1U << 20)
/* cancel_table has 2^hash_bits buckets, hash_bits <= 8 (io_uring.c). */
#define UD_MAX_HASH_BUCKETS (1U << 8)

static long ud_free_list_step(__u32 i, void *data)
{
	struct ud_busy_walk *w = &((struct ud_out *)data)->st->busy;
	struct io_wq_work_node *next = 0;

	if (!w->node) {
		w->done = 1;
		return 1;
	}
	bpf_probe_read_kernel(&next, sizeof(next), &w->node->next);
	w->node = next;
	w->count++;
	return 0;
}

static long ud_poll_bucket_step(__u32 i, void *data)
{
	struct ud_busy_walk *w = &((struct ud_out *)data)->st->busy;
	void *first = 0;

	if (w->bucket >= w->nr_buckets) {
		w->done = 1;
		return 1;
	}
	bpf_probe_read_kernel(&first, sizeof(first), (char *)w->hbs + (__u64)w->bucket * w->stride + w->list_off);
	w->bucket++;
	if (first) {
		w->count++;
		w->done = 1;
		return 1;
	}
	return 0;
}

/* Requests in the ring's free cache, or UD_UNKNOWN if the walk did not end. */
static __always_inline __u32 ud_req_cached(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_busy_walk *w = &o->st->busy;

	w->node = BPF_CORE_READ(ctx, submit_state.free_list.next);
	w->count = 0;
	w->done = 0;
	bpf_loop(UD_MAX_REQ_CACHE, ud_free_list_step, o, 0);
	return w->done ? w->count : UD_UNKNOWN;
}

/* Whether any bucket of cancel_table holds an armed poll. */
static __always_inline bool ud_polls_armed(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_busy_walk *w = &o->st->busy;
	__u32 bits = BPF_CORE_READ(ctx, cancel_table.hash_bits);

	w->hbs = BPF_CORE_READ(ctx, cancel_table.hbs);
	if (!w->hbs || bits > 8)
		return false;
	w->nr_buckets = 1U << bits;
	w->stride = bpf_core_type_size(struct io_hash_bucket);
	w->list_off = bpf_core_field_offset(struct io_hash_bucket, list);
	w->bucket = 0;
	w->count = 0;
	w->done = 0;
	bpf_loop(UD_MAX_HASH_BUCKETS, ud_poll_bucket_step, o, 0);
	return w->count != 0;
}

/* Fills req_allocated, req_cached, busy and restricted of the RING record. */
static __noinline void ud_ring_busy(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_ring *r = &o->st->big.ring;
	__u32 busy = 0;

	r->req_allocated = UD_UNKNOWN;
	r->req_cached = UD_UNKNOWN;
	if (bpf_core_field_exists(ctx->nr_req_allocated)) {
		r->req_allocated = BPF_CORE_READ(ctx, nr_req_allocated);
		r->req_cached = ud_req_cached(o, ctx);
	}
	if (bpf_core_field_exists(ctx->cancel_table) && ud_polls_armed(o, ctx))
		busy |= UD_BUSY_POLL;
	if (!ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, timeout_list)))
		busy |= UD_BUSY_TIMEOUT;
	if (BPF_CORE_READ(ctx, iopoll_list.first))
		busy |= UD_BUSY_IOPOLL;
	if (!ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, defer_list)))
		busy |= UD_BUSY_DEFER;
	if (bpf_core_field_exists(ctx->work_llist) && BPF_CORE_READ(ctx, work_llist.first))
		busy |= UD_BUSY_TASKWORK;
	r->busy = busy;
	r->restricted = BPF_CORE_READ(ctx, restrictions.registered);
}

#endif
