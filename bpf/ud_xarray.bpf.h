/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A bounded depth-first walk over an xarray: provided-buffer groups and
 * personalities of a ring (counted), and the rings a thread has submitted to
 * (task->io_uring->xa, indexed by the ring's address, so up to 11 levels).
 *
 * Entry encoding (include/linux/xarray.h): an entry whose low two bits are 2
 * is internal; internal entries above 4096 are node pointers (plus 2), the
 * small ones are sibling/retry/zero markers and carry no value.
 */
#ifndef UD_XARRAY_BPF_H
#define UD_XARRAY_BPF_H

#include "ud_common.bpf.h"

#define UD_XA_CHUNK 64

static __always_inline bool ud_xa_is_node(unsigned long e)
{
	return (e & 3) == 2 && e > 4096;
}

static __always_inline bool ud_xa_is_internal(unsigned long e)
{
	return (e & 3) == 2;
}

/*
 * A leaf of a thread's context (task->io_uring->xa): an io_tctx_node, which
 * io_uring_del_tctx_node() erases and kfree()s at once, not after an RCU
 * grace period, so that a leaf read a moment ago may already be another
 * object. It counts only as a node of this task (node->task) for a ring
 * that is not being torn down; ud_tctx_node_ok() checks it again where it
 * is used.
 */
static __always_inline bool ud_tctx_leaf_ok(struct task_struct *task, unsigned long e)
{
	struct io_tctx_node *node = (struct io_tctx_node *)e;
	struct io_ring_ctx *ctx = BPF_CORE_READ(node, ctx);

	return ctx && BPF_CORE_READ(node, task) == task && !ud_ring_dying(ctx);
}

static __always_inline void ud_xa_leaf(struct ud_xa_walk *w, unsigned long e)
{
	__u32 n = w->count;

	if (w->task && !ud_tctx_leaf_ok(w->task, e))
		return;
	if (w->keep && n < UD_XA_OUT_MAX) {
		barrier_var(n);
		w->out[n & (UD_XA_OUT_MAX - 1)] = e;
	}
	w->count = n + 1;
}

struct ud_xa_cb {
	struct ud_xa_walk *w;
};

static long ud_xa_step(__u32 i, void *data)
{
	struct ud_xa_walk *w = ((struct ud_xa_cb *)data)->w;
	__s32 depth = w->depth;
	struct xa_node *n;
	unsigned long e = 0;
	__u32 d;
	__u8 s;

	if (depth < 0)
		return 1;
	if (depth >= UD_XA_MAX_DEPTH) {
		w->bound_hit = 1;
		return 1;
	}
	d = depth;
	barrier_var(d);
	d &= UD_XA_STACK - 1;
	n = w->node[d];
	s = w->slot[d];
	if (s >= UD_XA_CHUNK) {
		w->depth = depth - 1; /* node finished: back to its parent */
		return 0;
	}
	w->slot[d] = s + 1;
	bpf_probe_read_kernel(&e, sizeof(e), (char *)n + bpf_core_field_offset(struct xa_node, slots) +
						 (s & (UD_XA_CHUNK - 1)) * sizeof(void *));
	if (!e)
		return 0;
	if (ud_xa_is_node(e)) {
		if (depth + 1 >= UD_XA_MAX_DEPTH) {
			w->bound_hit = 1;
			return 1;
		}
		w->node[(d + 1) & (UD_XA_STACK - 1)] = (struct xa_node *)(e - 2);
		w->slot[(d + 1) & (UD_XA_STACK - 1)] = 0;
		w->depth = depth + 1;
		return 0;
	}
	if (!ud_xa_is_internal(e))
		ud_xa_leaf(w, e);
	return 0;
}

/*
 * The entry xa holds at index, or 0: xa_load()'s descent, one level of 6
 * bits per step from the head's node down. Internal entries (retry, sibling)
 * count as absent.
 */
static __always_inline __u64 ud_xa_load(struct xarray *xa, __u64 index)
{
	unsigned long e = (unsigned long)BPF_CORE_READ(xa, xa_head);
	__u32 i, shift;

	for (i = 0; i < UD_XA_MAX_DEPTH; i++) {
		struct xa_node *n;

		if (!ud_xa_is_node(e))
			break;
		n = (struct xa_node *)(e - 2);
		shift = BPF_CORE_READ(n, shift);
		if (shift > 60)
			return 0; /* no level of a 64-bit index starts above bit 60 */
		/* The top node covers indices below 64 << shift only. */
		if (i == 0 && shift + 6 < 64 && (index >> (shift + 6)))
			return 0;
		e = 0;
		bpf_probe_read_kernel(&e, sizeof(e), (char *)n + bpf_core_field_offset(struct xa_node, slots) +
							 ((index >> shift) & (UD_XA_CHUNK - 1)) * sizeof(void *));
	}
	if (ud_xa_is_internal(e))
		return 0;
	if (i == 0 && index)
		return 0; /* an entry in the head itself is at index 0 */
	return e;
}

/*
 * Walks xa with walker `which` of this reader's state and returns the number
 * of leaf entries; with `keep` the first UD_XA_OUT_MAX land in its out[].
 * *partial is set when a bound was hit.
 */
static __noinline __u32 ud_xa_walk(struct ud_out *o, struct xarray *xa, __u32 which, __u32 keep, __u32 *partial)
{
	struct ud_xa_cb cb;
	struct ud_xa_walk *w;
	unsigned long head = (unsigned long)BPF_CORE_READ(xa, xa_head);

	w = &o->st->xw[which & 1];
	w->count = 0;
	w->keep = keep;
	w->bound_hit = 0;
	w->depth = -1;
	if (!head)
		return 0;
	if (!ud_xa_is_node(head)) {
		/* A single entry at index 0, stored in the head itself. */
		if (!ud_xa_is_internal(head))
			ud_xa_leaf(w, head);
		return w->count;
	}
	w->node[0] = (struct xa_node *)(head - 2);
	w->slot[0] = 0;
	w->depth = 0;
	cb.w = w;
	/* Each step visits one slot or leaves one node: 65 steps per node;
	 * UD_MAX_STEPS covers 129k nodes. */
	bpf_loop(UD_MAX_STEPS, ud_xa_step, &cb, 0);
	if (w->depth >= 0 || w->bound_hit)
		*partial = 1;
	return w->count;
}

#endif
