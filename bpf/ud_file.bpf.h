/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * FILE records: inode, device, type and path of a file that a ring slot or an
 * epoll item refers to. The file may have no descriptor at all, so bpf_d_path
 * (which wants a trusted struct path) is not an option; the path is walked
 * from the dentry up through the mounts the way d_path() does, stopping at
 * the reading process's root, so that it reads like /proc/PID/fd/N reads to
 * the reader. User space joins the components and adds " (deleted)", or
 * formats pseudo files ("socket:[123]") as the kernel's d_dname would.
 */
#ifndef UD_FILE_BPF_H
#define UD_FILE_BPF_H

#include "ud_common.bpf.h"

static __always_inline struct mount *ud_real_mount(struct vfsmount *v)
{
	return (struct mount *)((char *)v - bpf_core_field_offset(struct mount, mnt));
}

/* Appends one name, as a length byte and the bytes, to the FILE record. */
static __always_inline void ud_path_put(struct ud_state *st, const unsigned char *name, __u32 len)
{
	struct ud_file *r = &st->big.file;
	__u32 off = st->pw.off;

	if (off >= UD_PATH_MAX || len > 255 || off + 1 + len > UD_PATH_MAX) {
		r->flags |= UD_FILE_TRUNCATED;
		st->pw.done = 1;
		return;
	}
	/* The masks restate the checks above in a form the verifier follows:
	 * an index below 256 plus a length below 256 stays inside the record
	 * and the slack after it. */
	barrier_var(off);
	barrier_var(len);
	off &= UD_PATH_MAX - 1;
	len &= 255;
	r->path[off] = (char)len;
	bpf_probe_read_kernel(&r->path[(off + 1) & (UD_PATH_MAX - 1)], len, name);
	st->pw.off = off + 1 + len;
	r->ncomp++;
}

static long ud_path_step(__u32 i, void *data)
{
	struct ud_state *st = ((struct ud_out *)data)->st;
	struct ud_path_walk *w = &st->pw;
	struct dentry *d = w->dentry, *parent;
	struct mount *m = w->mnt;
	struct vfsmount *vm = (struct vfsmount *)((char *)m + bpf_core_field_offset(struct mount, mnt));
	struct qstr name;

	if (w->done)
		return 1;
	if (d == w->root_dentry && vm == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	if (d == BPF_CORE_READ(vm, mnt_root)) {
		struct mount *up = BPF_CORE_READ(m, mnt_parent);

		if (up == m || !up) {
			/* Top of a mount tree the reader's root is not in. */
			st->big.file.flags |= UD_FILE_DETACHED;
			w->done = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	name = BPF_CORE_READ(d, d_name);
	ud_path_put(st, name.name, name.len);
	if (parent == d) {
		/* A dentry outside any directory (d_alloc_pseudo, e.g. memfd). */
		st->big.file.flags |= UD_FILE_DETACHED;
		w->done = 1;
		return 1;
	}
	w->dentry = parent;
	return w->done ? 1 : 0;
}

/*
 * Reads the FILE record of f into the state (big.file), and what it was
 * read from (pw.inode, leaf, vmnt); the caller puts it out once the slot or
 * item that refers to f has been checked again (ud_file_same): f may have
 * been freed and its memory reused (struct file is SLAB_TYPESAFE_BY_RCU
 * since 6.12) while it was read. False if it does not fit in the budget.
 */
static __noinline bool ud_read_file(struct ud_out *o, struct file *f)
{
	struct ud_state *st = o->st;
	struct ud_file *r = &st->big.file;
	const struct dentry_operations *ops;
	struct task_struct *cur;
	struct inode *inode;
	struct dentry *d;

	if (!ud_fits(o, sizeof(struct ud_file)))
		return false;
	__builtin_memset(r, 0, sizeof(*r));
	ud_hdr(o, &r->hdr, UD_REC_FILE, sizeof(*r));
	r->file = (__u64)f;
	inode = BPF_CORE_READ(f, f_inode);
	st->pw.inode = inode;
	r->ino = BPF_CORE_READ(inode, i_ino);
	r->mode = BPF_CORE_READ(inode, i_mode);
	r->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	r->magic = BPF_CORE_READ(inode, i_sb, s_magic);

	d = BPF_CORE_READ(f, f_path.dentry);
	cur = (struct task_struct *)bpf_get_current_task();
	st->pw.leaf = d;
	st->pw.vmnt = BPF_CORE_READ(f, f_path.mnt);
	st->pw.dentry = d;
	st->pw.mnt = ud_real_mount(st->pw.vmnt);
	st->pw.root_dentry = BPF_CORE_READ(cur, fs, root.dentry);
	st->pw.root_mnt = BPF_CORE_READ(cur, fs, root.mnt);
	st->pw.off = 0;
	st->pw.done = 0;

	ops = BPF_CORE_READ(d, d_op);
	if (ops && BPF_CORE_READ(ops, d_dname) &&
	    (BPF_CORE_READ(d, d_parent) != d || d != BPF_CORE_READ(f, f_path.mnt, mnt_root))) {
		/* d_path() hands such a file to d_dname; user space formats it
		 * from the magic, the inode and this name. */
		struct qstr name = BPF_CORE_READ(d, d_name);

		r->flags |= UD_FILE_DNAME;
		ud_path_put(st, name.name, name.len);
	} else {
		/* d_unlinked(): unhashed and not a root. */
		if (!BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d)
			r->flags |= UD_FILE_DELETED;
		bpf_loop(UD_PATH_DEPTH, ud_path_step, o, 0);
		if (!st->pw.done)
			r->flags |= UD_FILE_TRUNCATED;
	}
	r->path_len = st->pw.off;
	return true;
}

/* Puts out the FILE record ud_read_file() read. */
static __always_inline void ud_put_file(struct ud_out *o)
{
	ud_put(o, &o->st->big.file, sizeof(struct ud_file));
}

/*
 * Whether f is still the file ud_read_file() read: its inode and path (which
 * do not change in a file's life) are the ones read. Called after the slot
 * or epoll item that refers to f was found unchanged, which says f was not
 * freed meanwhile; this says its memory was not another file's either.
 */
static __always_inline bool ud_file_same(struct ud_out *o, struct file *f)
{
	struct ud_path_walk *w = &o->st->pw;

	return BPF_CORE_READ(f, f_inode) == w->inode && BPF_CORE_READ(f, f_path.dentry) == w->leaf &&
	       BPF_CORE_READ(f, f_path.mnt) == w->vmnt;
}

#endif
