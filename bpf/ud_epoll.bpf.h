/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One epoll instance: UD_REC_EPOLL, then every epitem of its red-black tree
 * in tree order (file address, then fd: fs/eventpoll.c ep_cmp_ffd), so that a
 * walk cut by the output budget continues after the last key it emitted.
 *
 * The tree is read without ep->mtx; epitems are freed through RCU and the
 * iterator runs under rcu_read_lock, so a concurrent epoll_ctl can make the
 * walk miss or repeat an item that moved, never read freed memory.
 */
#ifndef UD_EPOLL_BPF_H
#define UD_EPOLL_BPF_H

#include "ud_common.bpf.h"
#include "ud_file.bpf.h"

static __always_inline struct rb_node *ud_rb_parent(struct rb_node *n)
{
	return (struct rb_node *)(BPF_CORE_READ(n, __rb_parent_color) & ~3UL);
}

static __always_inline struct epitem *ud_epi(struct rb_node *n)
{
	return (struct epitem *)((char *)n - bpf_core_field_offset(struct epitem, rbn));
}

/* ep_cmp_ffd(): negative when item (file, fd) sorts before the cursor. */
static __always_inline int ud_epi_cmp(struct rb_node *n, __u64 file, __s64 fd)
{
	struct epitem *epi = ud_epi(n);
	__u64 f = (__u64)BPF_CORE_READ(epi, ffd.file);
	__s64 d = BPF_CORE_READ(epi, ffd.fd);

	if (f != file)
		return f < file ? -1 : 1;
	return d < fd ? -1 : (d > fd ? 1 : 0);
}

struct ud_lb_walk {
	struct rb_node *n;
	struct rb_node *best;
	__u64 file;
	__s64 fd;
};

static long ud_lb_step(__u32 i, void *data)
{
	struct ud_lb_walk *w = data;
	struct rb_node *n = w->n;

	if (!n)
		return 1;
	if (ud_epi_cmp(n, w->file, w->fd) >= 0) {
		w->best = n;
		w->n = BPF_CORE_READ(n, rb_left);
	} else {
		w->n = BPF_CORE_READ(n, rb_right);
	}
	return 0;
}

/* First node whose key is not below (file, fd). */
static __always_inline struct rb_node *ud_rb_lower_bound(struct eventpoll *ep, __u64 file, __s64 fd)
{
	struct ud_lb_walk w = { .file = file, .fd = fd };

	w.n = BPF_CORE_READ(ep, rbr.rb_root.rb_node);
	bpf_loop(UD_RB_MAX_HEIGHT, ud_lb_step, &w, 0);
	return w.best;
}

/*
 * In-order traversal, one tree move per loop step so that no step holds an
 * inner loop: after emitting a node, go to its right child and then down
 * the left spine; without a right child, climb while coming from the right.
 */
enum { UD_RB_EMIT = 0, UD_RB_DOWN = 1, UD_RB_UP = 2 };

static __always_inline long ud_rb_move(struct ud_epoll_walk *w)
{
	struct rb_node *n = w->node, *next;

	if (w->phase == UD_RB_DOWN) {
		next = BPF_CORE_READ(n, rb_left);
		if (next)
			w->node = next;
		else
			w->phase = UD_RB_EMIT;
		return 0;
	}
	/* UD_RB_UP */
	next = ud_rb_parent(n);
	w->node = next;
	if (next && BPF_CORE_READ(next, rb_right) != n)
		w->phase = UD_RB_EMIT; /* came up from the left: the parent is next */
	return next ? 0 : 1;
}

static long ud_epoll_step(__u32 i, void *data)
{
	struct ud_out *o = data;
	struct ud_epoll_walk *w = &o->st->ew;
	struct ud_epoll_item it = {};
	struct rb_node *node = w->node, *right;
	struct epitem *epi;
	struct file *f;

	if (!node)
		return 1;
	if (w->phase != UD_RB_EMIT)
		return ud_rb_move(w);
	epi = ud_epi(node);
	f = BPF_CORE_READ(epi, ffd.file);
	w->next_file = (__u64)f;
	w->next_fd = BPF_CORE_READ(epi, ffd.fd);
	if ((__u64)f != w->last_file) {
		if (!ud_fits(o, sizeof(it) + sizeof(struct ud_file)) || !ud_emit_file(o, f))
			return 1;
		w->last_file = (__u64)f;
	}
	if (!ud_fits(o, sizeof(it)))
		return 1;
	ud_hdr(o, &it.hdr, UD_REC_EPOLL_ITEM, sizeof(it));
	it.tfd = w->next_fd;
	it.events = BPF_CORE_READ(epi, event.events);
	it.data = BPF_CORE_READ(epi, event.data);
	it.file = (__u64)f;
	it.ino = BPF_CORE_READ(f, f_inode, i_ino);
	ud_put(o, &it, sizeof(it));
	right = BPF_CORE_READ(node, rb_right);
	if (right) {
		w->node = right;
		w->phase = UD_RB_DOWN;
	} else {
		w->phase = UD_RB_UP;
	}
	return 0;
}

static __noinline void ud_walk_epoll(struct ud_out *o, struct eventpoll *ep, bool from_start, __u64 file, __s64 fd)
{
	struct ud_epoll_walk *w = &o->st->ew;

	w->last_file = 0;
	w->phase = UD_RB_EMIT;
	if (from_start)
		w->node = BPF_CORE_READ(ep, rbr.rb_leftmost);
	else
		w->node = ud_rb_lower_bound(ep, file, fd);
	bpf_loop(UD_MAX_STEPS, ud_epoll_step, o, 0);
	if (w->node) {
		/* The budget only stops a walk in front of an item, whose key
		 * the next pass looks up; anything else is a walk that did not
		 * end within UD_MAX_STEPS, a tree changing under us. */
		if (o->st->obj.full && w->phase == UD_RB_EMIT)
			ud_cont(o, UD_TABLE_EPOLL, (__u64)ep, w->next_file, w->next_fd);
		else
			ud_warn(o, UD_TABLE_EPOLL, UD_WARN_BOUND, (__u64)ep, 0);
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
