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

/*
 * Kernels without nr_req_allocated (6.1, 6.12) count in flight per task
 * instead: io_uring_task.inflight, a percpu counter charged for every
 * request the task submits until the request is freed, wherever it waits
 * (io-wq, the block layer, a poll). The task keeps cached_refs of it charged
 * in advance, so what is really in flight is the counter's sum less those.
 * A ring whose tasks (ctx->tctx_list, and its SQPOLL thread) have nothing in
 * flight holds nothing; more than nothing cannot be told apart per ring.
 *
 * The sum needs each CPU's per-cpu offset, __per_cpu_offset[cpu], whose
 * address user space finds in kallsyms (ud_percpu_offsets, ud_common.bpf.h):
 * a typed ksym would make the programs fail to load on kernels whose
 * kallsyms has no data symbols. Without it the count stays unknown.
 */
#define UD_MAX_CPUS 8192        /* CONFIG_NR_CPUS of the largest configs */

/* Starts counting one task's context; false if it has none. */
static __always_inline bool ud_inflight_task(struct ud_busy_walk *w, struct io_uring_task *tctx)
{
	w->tctx = tctx;
	if (!tctx)
		return false;
	w->counters = BPF_CORE_READ(tctx, inflight.counters);
	w->sum = BPF_CORE_READ(tctx, inflight.count) - BPF_CORE_READ(tctx, cached_refs);
	w->cpu = 0;
	return true;
}

/* One step: one CPU of the task being counted, or on to the next task. */
static long ud_inflight_step(__u32 i, void *data)
{
	struct ud_busy_walk *w = &((struct ud_out *)data)->st->busy;
	struct list_head *next = 0;
	unsigned long off = 0;
	__s32 delta = 0;

	if (w->tctx) {
		if (w->cpu < ud_nr_cpu_ids && w->cpu < UD_MAX_CPUS) {
			if (bpf_probe_read_kernel(&off, sizeof(off), (char *)ud_percpu_offsets + w->cpu * sizeof(off)) ||
			    bpf_probe_read_kernel(&delta, sizeof(delta), (char *)w->counters + off)) {
				w->failed = 1;
				return 1;
			}
			w->sum += delta;
			w->cpu++;
			return 0;
		}
		/* Past the last possible CPU: this task is summed. */
		w->total += w->sum;
		w->tctx = 0;
	}
	if (w->pos == (void *)1) {
		w->done = 1; /* the SQPOLL thread was the last */
		return 1;
	}
	/* Plain probe reads: a list_head's next is its first member on every
	 * kernel, and a CO-RE read through w-> would relocate our own struct. */
	bpf_probe_read_kernel(&next, sizeof(next), w->pos ? w->pos : w->head);
	if (!next) {
		w->failed = 1;
		return 1;
	}
	if (next == w->head) {
		/* The list is done; the SQPOLL thread's context comes last. */
		w->pos = (void *)1;
		ud_inflight_task(w, w->sq_tctx);
		return 0;
	}
	w->pos = next;
	if (++w->count > UD_MAX_RING_TASKS) {
		w->failed = 1;
		return 1;
	}
	/* ctx_node is io_tctx_node's list link. */
	{
		struct io_tctx_node *node = (void *)((char *)next - bpf_core_field_offset(struct io_tctx_node, ctx_node));
		struct task_struct *task = BPF_CORE_READ(node, task);

		ud_inflight_task(w, task ? BPF_CORE_READ(task, io_uring) : 0);
	}
	return 0;
}

/* What the tasks using ctx have in flight, or UD_UNKNOWN. */
static __always_inline __u32 ud_tasks_inflight(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_busy_walk *w = &o->st->busy;
	struct io_sq_data *sqd = BPF_CORE_READ(ctx, sq_data);
	struct task_struct *sq_thread = sqd ? BPF_CORE_READ(sqd, thread) : 0;

	if (!ud_percpu_offsets || !ud_nr_cpu_ids)
		return UD_UNKNOWN;
	w->head = (void *)((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, tctx_list));
	w->pos = 0;
	w->tctx = 0;
	w->sq_tctx = sq_thread ? BPF_CORE_READ(sq_thread, io_uring) : 0;
	w->total = 0;
	w->count = 0;
	w->done = 0;
	w->failed = 0;
	/* Steps: one per CPU per task, one per task. */
	bpf_loop(UD_MAX_STEPS, ud_inflight_step, o, 0);
	if (!w->done || w->failed || w->total < 0 || w->total > 0xfffffffeLL)
		return UD_UNKNOWN;
	return (__u32)w->total;
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

/* Whether any bucket of a cancel hash table holds an armed poll. */
static __always_inline bool ud_polls_armed(struct ud_out *o, struct io_hash_table *table)
{
	struct ud_busy_walk *w = &o->st->busy;
	if (!ud_hash_geometry(table, &w->hbs, &w->nr_buckets, &w->stride, &w->list_off))
		return false;
	w->bucket = 0;
	w->count = 0;
	w->done = 0;
	bpf_loop(UD_MAX_HASH_BUCKETS, ud_poll_bucket_step, o, 0);
	return w->count != 0;
}

/* Fills req_allocated, req_cached, busy and restricted of the RING record. */
static __noinline __attribute__((unused)) void ud_ring_busy(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_ring *r = &o->st->big.ring;
	__u32 busy = 0;

	r->req_allocated = UD_UNKNOWN;
	r->req_cached = UD_UNKNOWN;
	r->tasks_inflight = UD_UNKNOWN;
	if (bpf_core_field_exists(ctx->nr_req_allocated)) {
		r->req_allocated = BPF_CORE_READ(ctx, nr_req_allocated);
		r->req_cached = ud_req_cached(o, ctx);
	} else {
		r->tasks_inflight = ud_tasks_inflight(o, ctx);
	}
	/* Every list a request can wait on, on each kernel that has it. Polls
	 * armed with uring_lock held went to cancel_table_locked up to 6.12. */
	if (bpf_core_field_exists(ctx->cancel_table) && ud_polls_armed(o, &ctx->cancel_table))
		busy |= UD_BUSY_POLL;
	if (bpf_core_field_exists(ctx->cancel_table_locked) && ud_polls_armed(o, &ctx->cancel_table_locked))
		busy |= UD_BUSY_POLL;
	if (!ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, timeout_list)))
		busy |= UD_BUSY_TIMEOUT;
	if (bpf_core_field_exists(ctx->ltimeout_list) &&
	    !ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, ltimeout_list)))
		busy |= UD_BUSY_TIMEOUT;
	if (BPF_CORE_READ(ctx, iopoll_list.first))
		busy |= UD_BUSY_IOPOLL;
	if (!ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, defer_list)))
		busy |= UD_BUSY_DEFER;
	if (bpf_core_field_exists(ctx->work_llist) && BPF_CORE_READ(ctx, work_llist.first))
		busy |= UD_BUSY_TASKWORK;
	if (bpf_core_field_exists(ctx->retry_llist) && BPF_CORE_READ(ctx, retry_llist.first))
		busy |= UD_BUSY_TASKWORK;
	if (bpf_core_field_exists(ctx->cancelable_uring_cmd) && BPF_CORE_READ(ctx, cancelable_uring_cmd.first))
		busy |= UD_BUSY_URING_CMD;
	if (bpf_core_field_exists(ctx->futex_list) && BPF_CORE_READ(ctx, futex_list.first))
		busy |= UD_BUSY_FUTEX;
	if (bpf_core_field_exists(ctx->waitid_list) && BPF_CORE_READ(ctx, waitid_list.first))
		busy |= UD_BUSY_WAITID;
	r->busy = busy;
	r->restricted = BPF_CORE_READ(ctx, restrictions.registered);
}

#endif
