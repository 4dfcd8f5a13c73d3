// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * uringdump's collectors, on the upstream task iterators (the dedicated
 * io_uring and epoll iterators proposed in 2021 were never merged):
 *
 *  ud_task_file (iter/task_file): every open fd of a process as a TASK_FD
 *    record for the join; for an io_uring fd the ring, its fixed files and
 *    its buffers; for an epoll fd its items.
 *  ud_task (iter/task): per thread, the comm of the process and the rings
 *    that the thread's io_uring context holds: registered ring fds
 *    (IORING_REGISTER_RING_FDS) and rings it submitted to. This is how a ring
 *    whose fd was registered and then closed is found.
 *
 * User space attaches one link per PID (task iterator pid parameter) or one
 * system-wide, reads the binary records (records.h) and runs resume passes
 * for the walks that hit the per-object budget (ud_common.bpf.h).
 */
#include "ud_common.bpf.h"
#include "ud_ring.bpf.h"
#include "ud_epoll.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("iter/task_file")
int ud_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct ud_task_fd tf = {};
	struct ud_out o;
	__u64 fops;
	__u32 tgid;

	if (!task || !file || ud_thread_shares_files(task))
		return 0;
	if (ud_resume_mode && ctx->fd > ud_resume_last_fd)
		return 1;
	/* Task fields through CO-RE reads, not direct loads: the verifier
	 * checks direct loads against the running kernel's layout, which a
	 * program relocated against another kernel's BTF (the CO-RE tests)
	 * would not match. */
	tgid = BPF_CORE_READ(task, tgid);
	if (!ud_begin(&o, seq, tgid, ud_token_fd(tgid, ctx->fd)))
		return 0;
	fops = (__u64)BPF_CORE_READ(file, f_op);
	if (!ud_resume_mode) {
		ud_hdr(&o, &tf.hdr, UD_REC_TASK_FD, sizeof(tf));
		tf.fd = ctx->fd;
		tf.file = (__u64)file;
		tf.f_op = fops;
		tf.kind = fops && fops == ud_ring_fops ? 1 : fops && fops == ud_epoll_fops ? 2 : 0;
		ud_put(&o, &tf, sizeof(tf));
	}
	if (!fops)
		return 0;
	if (fops == ud_ring_fops) {
		struct ud_ring_ref ref = {
			.ctx = BPF_CORE_READ(file, private_data),
			.file = file,
			.fd = ctx->fd,
			.via = UD_VIA_FD,
			.reg_index = -1,
			.resume = ud_resume_mode,
			.tables = UD_WALK_ALL,
		};

		ud_emit_ring(&o, &ref);
	} else if (fops == ud_epoll_fops) {
		ud_emit_epoll(&o, file, ctx->fd, ud_resume_mode);
	}
	return 0;
}

/* ---- per thread: the io_uring context ---- */

#define UD_REG_RINGS 16 /* IO_RINGFD_REG_MAX */

/*
 * What the thread's context refers to can go while it is read: the thread
 * unregisters a ring (fput of registered_rings[k], which may free the file),
 * or a ring's exit work has the thread remove its io_tctx_node
 * (io_uring_del_tctx_node: xa_erase, then kfree, no grace period), after
 * which the ring itself is freed (io_ring_exit_work frees the ctx once its
 * tctx_list is empty, on 6.1 as on 6.18). So a ring is read only through a
 * reference checked first, and checked again once its records are out:
 *  - registered_rings[k] holds the ring's file, an io_uring file whose
 *    private_data is the ctx (io_uring_release clears it);
 *  - a tctx node is the one the context's xarray holds at the index that
 *    is the ring's own address (io_tctx_install_node), of this thread.
 * While the reference holds, the ring is not freed.
 */
static __always_inline bool ud_tctx_ref_ok(struct ud_tctx_walk *w, __u32 k, void *ref, struct io_ring_ctx *ctx)
{
	if (k < UD_REG_RINGS) {
		struct file *file = 0;

		bpf_probe_read_kernel(&file, sizeof(file),
				      (char *)w->tctx + bpf_core_field_offset(struct io_uring_task, registered_rings) +
					      k * sizeof(void *));
		return file == ref && BPF_CORE_READ(file, private_data) == ctx;
	}
	return ud_xa_load(&w->tctx->xa, (__u64)ctx) == (__u64)ref &&
	       BPF_CORE_READ((struct io_tctx_node *)ref, task) == w->task;
}

static long ud_fd_scan_step(__u32 i, void *data)
{
	struct ud_fd_scan *s = &((struct ud_out *)data)->st->fs;
	__u32 fd = s->next, bit = fd & 63;
	struct file *f = 0;

	if (fd >= s->max)
		return 1;
	if (bit == 0 || i == 0) {
		s->word = 0;
		bpf_probe_read_kernel(&s->word, sizeof(s->word), s->open_fds + (fd >> 6));
	}
	if (!(s->word >> bit)) {
		s->next = (fd | 63) + 1; /* no open fd left in this word */
		return 0;
	}
	s->next = fd + 1;
	if (!((s->word >> bit) & 1))
		return 0;
	bpf_probe_read_kernel(&f, sizeof(f), s->fd + fd);
	if (f && (__u64)BPF_CORE_READ(f, f_op) == ud_ring_fops && BPF_CORE_READ(f, private_data) == s->ctx) {
		s->found = fd;
		s->file = f;
		return 1;
	}
	return 0;
}

#define UD_PF_EXITING 0x4

/*
 * The lowest fd by which task's process holds ring ctx, or -1; its file in
 * st->fs.file. For a ring the context reaches that no fd of the process
 * reached earlier in this snapshot: fd-less (registered and closed), or
 * opened since the fds were read, which "fd": null would misstate. The fd
 * table is read as the kernel's own iterator reads it, without the task
 * lock that keeps task->files from going: a task that exits or execs
 * meanwhile gives no answer.
 */
static __always_inline __s32 ud_ring_fd(struct ud_out *o, struct task_struct *task, struct io_ring_ctx *ctx)
{
	struct ud_fd_scan *s = &o->st->fs;
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt;

	s->found = -1;
	s->file = 0;
	if (!files)
		return -1;
	fdt = BPF_CORE_READ(files, fdt);
	s->fd = BPF_CORE_READ(fdt, fd);
	s->open_fds = BPF_CORE_READ(fdt, open_fds);
	s->max = BPF_CORE_READ(fdt, max_fds);
	s->ctx = ctx;
	s->next = 0;
	if (!s->fd || !s->open_fds)
		return -1;
	bpf_loop(UD_MAX_STEPS, ud_fd_scan_step, o, 0);
	if (BPF_CORE_READ(task, files) != files || (BPF_CORE_READ(task, flags) & UD_PF_EXITING))
		return -1;
	return s->found;
}

/* The TASK_FD record of the fd ud_ring_fd() found. */
static __always_inline void ud_emit_found_fd(struct ud_out *o)
{
	struct ud_task_fd tf = {};

	ud_hdr(o, &tf.hdr, UD_REC_TASK_FD, sizeof(tf));
	tf.fd = o->st->fs.found;
	tf.file = (__u64)o->st->fs.file;
	tf.f_op = ud_ring_fops;
	tf.kind = 1;
	ud_put(o, &tf, sizeof(tf));
}

/* Ring k of the thread: 0..15 are registered_rings[], then the xa entries. */
static long ud_tctx_step(__u32 k, void *data)
{
	struct ud_out *o = data;
	struct ud_state *st = o->st;
	struct ud_tctx_walk *w = &st->tw;
	struct ud_ring_ref ref = { .fd = -1, .tid = w->tid, .reg_index = -1, .tables = UD_WALK_ALL };
	struct io_ring_ctx *ctx = 0;
	struct file *file = 0;
	void *held;

	if (k < UD_REG_RINGS) {
		bpf_probe_read_kernel(&file, sizeof(file),
				      (char *)w->tctx + bpf_core_field_offset(struct io_uring_task, registered_rings) +
					      k * sizeof(void *));
		if (!file || (__u64)BPF_CORE_READ(file, f_op) != ud_ring_fops)
			return 0;
		ctx = BPF_CORE_READ(file, private_data);
		ref.via = UD_VIA_REGISTERED;
		ref.reg_index = k;
		held = file;
	} else {
		__u32 j = k - UD_REG_RINGS;
		struct io_tctx_node *node;

		if (j >= w->nr_used || j >= UD_XA_OUT_MAX)
			return 1;
		barrier_var(j);
		node = (struct io_tctx_node *)st->xw[UD_XA_TCTX].out[j & (UD_XA_OUT_MAX - 1)];
		ctx = BPF_CORE_READ(node, ctx);
		ref.via = UD_VIA_TCTX;
		held = node;
	}
	/* Gone since the context was walked, or closed and being torn down:
	 * the thread no longer refers to a ring the process holds. */
	if (!ctx || !ud_tctx_ref_ok(w, k, held, ctx) || ud_ring_dying(ctx))
		return 0;
	ref.ctx = ctx;
	ref.file = file;
	if (ud_resume_mode && k < w->resume_from) {
		/* Only continuations of this ring's tables, if any were asked. */
		ref.resume = 1;
	} else if (!ud_fits(o, sizeof(struct ud_ring) + sizeof(struct ud_warn) + sizeof(struct ud_task_fd))) {
		w->stopped_at = k;
		return 1;
	} else if (!ud_seen_before(o, (__u64)ctx) && ud_ring_fd(o, w->task, ctx) >= 0) {
		ref.fd = st->fs.found;
		if (!ref.file)
			ref.file = st->fs.file;
		ud_emit_found_fd(o);
	}
	/* A ring not reached before: its full record, even in a resume pass. */
	ud_emit_ring(o, &ref);
	/* Read whole while the reference held, and still not being closed. */
	if (!ud_tctx_ref_ok(w, k, held, ctx) || ud_ring_dying(ctx))
		ud_warn(o, UD_TABLE_TCTX, UD_WARN_CHANGED, (__u64)ctx, ((__u64)w->tid << 32) | (__u32)ref.reg_index);
	return 0;
}

SEC("iter/task")
int ud_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct ud_tctx_walk *w;
	struct ud_out o;
	__u32 partial = 0, tgid, tid;
	__u64 cursor;
	__s64 cursor2;

	if (!task)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	tid = BPF_CORE_READ(task, pid);
	if (!ud_begin(&o, seq, tgid, ud_token_thread(tid)))
		return 0;
	if (!ud_resume_mode && tid == tgid) {
		struct ud_proc p = {};

		ud_hdr(&o, &p.hdr, UD_REC_PROC, sizeof(p));
		BPF_CORE_READ_STR_INTO(&p.comm, task, comm);
		ud_put(&o, &p, sizeof(p));
	}
	w = &o.st->tw;
	w->tctx = BPF_CORE_READ(task, io_uring);
	if (!w->tctx)
		return 0;
	w->tid = tid;
	w->task = task;
	w->stopped_at = ~0U;
	w->resume_from = 0;
	o.st->xw[UD_XA_TCTX].task = task; /* keeps this thread's nodes of live rings only */
	w->nr_used = ud_xa_walk(&o, &w->tctx->xa, UD_XA_TCTX, 1, &partial);
	if (partial || w->nr_used > UD_XA_OUT_MAX)
		ud_warn(&o, UD_TABLE_TCTX, UD_WARN_BOUND, tid, w->nr_used);
	if (ud_resume_mode) {
		/* Without a TCTX continuation every ring was reached before. */
		if (ud_walk_start(&o, UD_TABLE_TCTX, tid, &cursor, &cursor2))
			w->resume_from = cursor;
		else
			w->resume_from = ~0U;
	}
	bpf_loop(UD_REG_RINGS + UD_XA_OUT_MAX, ud_tctx_step, &o, 0);
	if (w->stopped_at != ~0U)
		ud_cont(&o, UD_TABLE_TCTX, tid, w->stopped_at, 0);
	return 0;
}
