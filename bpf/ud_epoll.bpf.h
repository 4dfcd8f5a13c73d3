/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One epoll instance: UD_REC_EPOLL, then every epitem of its red-black tree
 * in tree order (file address, then fd: fs/eventpoll.c ep_cmp_ffd), so that a
 * walk cut by the output budget continues after the last key it emitted.
 *
 * The tree is read without ep->mtx; epitems are freed through RCU and the
 * iterator runs under rcu_read_lock, so a concurrent epoll_ctl can make the
 * walk miss or repeat an item that moved, never read freed memory. But a
 * removed epitem's rb_node shares its memory with the rcu_head that frees it
 * (call_rcu / kfree_rcu write over rb_parent and rb_right), and an item's
 * target file is not held by the item: eventpoll_release() removes the item
 * when the file's last reference goes, and the file is freed right after.
 * So a node is descended into only while it is still linked on its file's
 * f_ep list (fllink.pprev is poisoned by hlist_del_rcu() before the node
 * leaves the tree), and an item goes out only if, once its file was read,
 * it is still linked to that same file (ud_epi_same): the file was not
 * released meanwhile.
 */
#ifndef UD_EPOLL_BPF_H
#define UD_EPOLL_BPF_H

#include "ud_common.bpf.h"
#include "ud_file.bpf.h"

static __always_inline struct epitem *ud_epi(struct rb_node *n)
{
	return (struct epitem *)((char *)n - bpf_core_field_offset(struct epitem, rbn));
}

/*
 * In-order traversal with an explicit stack of the nodes still to emit
 * (those whose left subtree is being walked), so that every node is read
 * exactly once, in one probe read of the head of its epitem (rb links, key
 * and event lie within its first ~120 bytes), when it is pushed:
 *
 *   descend: read `descend`, push it, continue with its left child;
 *   else:    pop the top, emit it, descend into its right child.
 *
 * A resumed walk first seeks: from the root, nodes whose key is not below the
 * cursor are pushed and the walk goes left; smaller ones are passed to the
 * right. The stack then holds exactly the items from the cursor on.
 */

/* Bytes of an epitem from its start to the end of its event. */
static __always_inline __u32 ud_epi_head_size(void)
{
	return bpf_core_field_offset(struct epitem, event) + bpf_core_field_size(struct epitem, event);
}

/* Whether an epitem's fllink.pprev says it is on its file's f_ep list:
 * hlist_del_rcu() leaves LIST_POISON2 (0x122 + delta), never aligned. */
static __always_inline bool ud_epi_linked(__u64 pprev)
{
	return pprev && !(pprev & 7);
}

/* Whether the item at e is still what was read: linked, on the same file. */
static __always_inline bool ud_epi_same(struct ud_epi_entry *e)
{
	struct epitem *epi = (struct epitem *)e->epi;

	return (__u64)BPF_CORE_READ(epi, ffd.file) == e->file &&
	       ud_epi_linked((__u64)BPF_CORE_READ(epi, fllink.pprev));
}

#define UD_PUSH_FAILED 0
#define UD_PUSHED 1
#define UD_PUSH_REMOVED 2 /* the node left the tree: its links are not to be followed */

/* Reads node n and pushes what emitting it will need; UD_PUSH_FAILED if the
 * stack is full (deeper than any red-black tree of 2^32 items) or the read
 * failed. */
static __always_inline int ud_epi_push(struct ud_epoll_walk *w, struct rb_node *n)
{
	__u32 size = ud_epi_head_size(), d = w->depth;
	struct ud_epi_entry *e;
	struct epitem *epi = (struct epitem *)w->head;

	if (d >= UD_RB_STACK || size > sizeof(w->head))
		return UD_PUSH_FAILED;
	if (bpf_probe_read_kernel(w->head, size, ud_epi(n)))
		return UD_PUSH_FAILED;
	if (!ud_epi_linked((__u64)epi->fllink.pprev)) {
		w->skipped++;
		return UD_PUSH_REMOVED;
	}
	barrier_var(d);
	e = &w->stack[d & (UD_RB_STACK - 1)];
	e->epi = (__u64)ud_epi(n);
	e->right = (__u64)epi->rbn.rb_right;
	e->file = (__u64)epi->ffd.file;
	e->fd = epi->ffd.fd;
	e->events = epi->event.events;
	e->data = epi->event.data;
	w->left = (__u64)epi->rbn.rb_left;
	w->depth = d + 1;
	return UD_PUSHED;
}

/* ep_cmp_ffd() of the node just pushed against the cursor: below it? */
static __always_inline bool ud_top_below_cursor(struct ud_epoll_walk *w)
{
	__u32 d = w->depth - 1;
	struct ud_epi_entry *e;

	barrier_var(d);
	e = &w->stack[d & (UD_RB_STACK - 1)];
	if (e->file != w->seek_file)
		return e->file < w->seek_file;
	return e->fd < w->seek_fd;
}

static __always_inline long ud_epoll_seek_step(struct ud_epoll_walk *w)
{
	struct rb_node *n = (struct rb_node *)w->descend;
	int pushed = ud_epi_push(w, n);

	if (pushed == UD_PUSH_FAILED)
		return 1;
	if (pushed == UD_PUSH_REMOVED) {
		w->descend = 0;
		w->seeking = 0;
		return 0;
	}
	if (ud_top_below_cursor(w)) {
		/* Before the cursor: not wanted, go right. */
		w->depth--;
		w->descend = w->stack[w->depth & (UD_RB_STACK - 1)].right;
	} else {
		w->descend = w->left;
	}
	if (!w->descend)
		w->seeking = 0;
	return 0;
}

static long ud_epoll_step(__u32 i, void *data)
{
	struct ud_out *o = data;
	struct ud_epoll_walk *w = &o->st->ew;
	struct ud_epoll_item it = {};
	struct ud_epi_entry *e;
	bool fresh;
	int pushed;
	__u32 d;

	if (w->descend) {
		if (w->seeking)
			return ud_epoll_seek_step(w);
		pushed = ud_epi_push(w, (struct rb_node *)w->descend);
		if (pushed == UD_PUSH_FAILED)
			return 1;
		w->descend = pushed == UD_PUSHED ? w->left : 0;
		return 0;
	}
	if (!w->depth)
		return 1;
	d = w->depth - 1;
	barrier_var(d);
	e = &w->stack[d & (UD_RB_STACK - 1)];
	fresh = e->file != w->last_file;
	if (!ud_fits(o, sizeof(it) + (fresh ? sizeof(struct ud_file) : 0) + sizeof(struct ud_warn)))
		return 1;
	if (fresh && !ud_read_file(o, (struct file *)e->file))
		return 1;
	if (!ud_epi_same(e) || !ud_file_same(o, (struct file *)e->file)) {
		/* Its file was being released while read: nothing of it goes out. */
		ud_warn(o, UD_TABLE_EPOLL, UD_WARN_CHANGED, w->ep, e->fd);
		if (fresh)
			w->last_file = 0;
		w->depth = d;
		w->descend = e->right;
		return 0;
	}
	if (fresh) {
		ud_put_file(o);
		w->last_file = e->file;
		w->last_ino = o->st->big.file.ino;
	}
	ud_hdr(o, &it.hdr, UD_REC_EPOLL_ITEM, sizeof(it));
	it.tfd = e->fd;
	it.events = e->events;
	it.data = e->data;
	it.file = e->file;
	it.ino = w->last_ino;
	ud_put(o, &it, sizeof(it));
	w->depth = d;
	w->descend = e->right;
	return 0;
}

/* Summary mode: the same traversal, reading only each node's links. */
static long ud_count_epoll_step(__u32 i, void *data)
{
	struct ud_epoll_walk *w = &((struct ud_out *)data)->st->ew;
	struct rb_node rb;
	__u32 d = w->depth;

	if (w->descend) {
		if (d >= UD_RB_STACK || bpf_probe_read_kernel(&rb, sizeof(rb), (void *)w->descend))
			return 1;
		barrier_var(d);
		w->stack[d & (UD_RB_STACK - 1)].right = (__u64)rb.rb_right;
		w->depth = d + 1;
		w->descend = (__u64)rb.rb_left;
		return 0;
	}
	if (!d)
		return 1;
	d--;
	w->depth = d;
	w->counted++;
	w->descend = w->stack[d & (UD_RB_STACK - 1)].right;
	return 0;
}

/* Walks the items of ep from the first one, or from the first whose key is
 * not below (file, fd). */
static __noinline void ud_walk_epoll(struct ud_out *o, struct eventpoll *ep, bool from_start, __u64 file, __s64 fd)
{
	struct ud_epoll_walk *w = &o->st->ew;
	struct ud_epi_entry *top;

	w->last_file = 0;
	w->depth = 0;
	w->skipped = 0;
	w->ep = (__u64)ep;
	w->seeking = !from_start;
	w->seek_file = file;
	w->seek_fd = fd;
	w->descend = (__u64)BPF_CORE_READ(ep, rbr.rb_root.rb_node);
	if (ud_summary) {
		w->counted = 0;
		if (w->descend)
			bpf_loop(UD_MAX_STEPS, ud_count_epoll_step, o, 0);
		if (w->descend || w->depth)
			ud_warn(o, UD_TABLE_EPOLL, UD_WARN_BOUND, (__u64)ep, w->depth);
		ud_count(o, UD_TABLE_EPOLL, (__u64)ep, w->counted);
		return;
	}
	if (!w->descend)
		return;
	bpf_loop(UD_MAX_STEPS, ud_epoll_step, o, 0);
	/* Subtrees below a removed node were not walked: items may be missing. */
	if (w->skipped)
		ud_warn(o, UD_TABLE_EPOLL, UD_WARN_CHANGED, (__u64)ep, ~0ULL);
	if (!w->descend && !w->depth)
		return;
	/* The budget only stops a walk in front of an item, whose key the next
	 * pass seeks; anything else (a push that failed, UD_MAX_STEPS spent) is
	 * a tree that changed under us or is deeper than any real one. */
	if (o->st->obj.full && !w->descend && w->depth) {
		top = &w->stack[(w->depth - 1) & (UD_RB_STACK - 1)];
		ud_cont(o, UD_TABLE_EPOLL, (__u64)ep, top->file, top->fd);
	} else {
		ud_warn(o, UD_TABLE_EPOLL, UD_WARN_BOUND, (__u64)ep, w->depth);
	}
}

/* Emits an epoll and its items; with `resume` only the asked continuation. */
static __noinline void ud_emit_epoll(struct ud_out *o, struct file *file, __s32 fd, bool resume)
{
	struct eventpoll *ep = BPF_CORE_READ(file, private_data);
	struct ud_epoll e = {};
	__u64 cursor;
	__s64 cursor2;

	if (!ep)
		return;
	if (resume) {
		if (ud_walk_start(o, UD_TABLE_EPOLL, (__u64)ep, &cursor, &cursor2))
			ud_walk_epoll(o, ep, false, cursor, cursor2);
		return;
	}
	ud_hdr(o, &e.hdr, UD_REC_EPOLL, sizeof(e));
	e.fd = fd;
	e.file = (__u64)file;
	e.ep = (__u64)ep;
	e.alias = !ud_first_sight(o, (__u64)ep);
	ud_put(o, &e, sizeof(e));
	if (!e.alias)
		ud_walk_epoll(o, ep, true, 0, 0);
}

#endif
