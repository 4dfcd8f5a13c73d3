/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One io_uring instance: its state (UD_REC_RING), the used slots of its
 * fixed-file table (UD_REC_RING_FILE) and its registered buffers with every
 * bio_vec (UD_REC_RING_BUF, UD_REC_BUF_SEG).
 *
 * Read without uring_lock, like everything a BPF iterator reads: a table
 * that is being replaced while we walk it may be seen half old, half new.
 * Every loop is bounded by the largest table the kernel allows.
 */
#ifndef UD_RING_BPF_H
#define UD_RING_BPF_H

#include "ud_common.bpf.h"
#include "ud_file.bpf.h"
#include "ud_ring_busy.bpf.h"
#include "ud_reqs.bpf.h"
#include "ud_xarray.bpf.h"

#define UD_FFS_MASK (~3UL) /* io_uring/filetable.h: FFS_NOWAIT | FFS_ISREG */

static __always_inline __u32 ud_nr_files(struct io_ring_ctx *ctx, __u32 layout)
{
	if (layout == UD_LAYOUT_RSRC)
		return BPF_CORE_READ(ctx, file_table.data.nr);
	if (layout == UD_LAYOUT_FLAT)
		return BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, nr_user_files);
	return 0;
}

static __always_inline __u32 ud_nr_bufs(struct io_ring_ctx *ctx, __u32 layout)
{
	if (layout == UD_LAYOUT_RSRC)
		return BPF_CORE_READ(ctx, buf_table.nr);
	if (layout == UD_LAYOUT_FLAT)
		return BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, nr_user_bufs);
	return 0;
}

/*
 * The SQPOLL thread, as fdinfo prints it (SqThread, SqThreadCpu): its pid
 * and the CPU it runs on. Read from the thread itself, because what
 * io_sq_data keeps changed meaning: on 6.1 task_pid is the pid of the
 * task that created the ring and sq_cpu stays -1 unless the thread is
 * pinned (fdinfo there prints task_pid_nr() and task_cpu() of the thread);
 * later kernels (6.12, 6.18) have the thread store both itself. A pinned thread runs on
 * its CPU, an unpinned one wherever the scheduler put it last.
 */
static __always_inline void ud_sq_thread(struct ud_ring *r, struct io_sq_data *sqd)
{
	struct task_struct *thread = BPF_CORE_READ(sqd, thread);
	int cpu;

	if (!thread)
		return;
	r->sq_thread_pid = BPF_CORE_READ(thread, pid);
	cpu = BPF_CORE_READ(sqd, sq_cpu);
	r->sq_thread_cpu = cpu >= 0 ? cpu : (int)BPF_CORE_READ(thread, thread_info.cpu);
}

/* Fills everything of a RING record that comes from the ring itself. */
static __noinline void ud_ring_state(struct ud_out *o, struct io_ring_ctx *ctx)
{
	struct ud_ring *r = &o->st->big.ring;
	struct io_rings *rings = BPF_CORE_READ(ctx, rings);
	struct io_sq_data *sqd = BPF_CORE_READ(ctx, sq_data);
	__u32 layout = ud_layout();
	__u32 partial = 0;

	r->ctx = (__u64)ctx;
	r->layout = layout;
	r->flags = BPF_CORE_READ(ctx, flags);
	r->sq_entries = BPF_CORE_READ(ctx, sq_entries);
	r->cq_entries = BPF_CORE_READ(ctx, cq_entries);
	r->cached_sq_head = BPF_CORE_READ(ctx, cached_sq_head);
	r->cached_cq_tail = BPF_CORE_READ(ctx, cached_cq_tail);
	if (rings) {
		r->sq_head = BPF_CORE_READ(rings, sq.head);
		r->sq_tail = BPF_CORE_READ(rings, sq.tail);
		r->cq_head = BPF_CORE_READ(rings, cq.head);
		r->cq_tail = BPF_CORE_READ(rings, cq.tail);
		r->cq_overflow = BPF_CORE_READ(rings, cq_overflow);
		r->sq_dropped = BPF_CORE_READ(rings, sq_dropped);
		r->sq_flags = BPF_CORE_READ(rings, sq_flags.counter);
	}
	r->sq_thread_pid = -1;
	r->sq_thread_cpu = -1;
	if (sqd)
		ud_sq_thread(r, sqd);
	r->nr_files = ud_nr_files(ctx, layout);
	r->nr_bufs = ud_nr_bufs(ctx, layout);
	r->buf_groups = ud_xa_walk(o, &ctx->io_bl_xa, UD_XA_COUNT, 0, &partial);
	/* Up to 6.8 groups below 64 live in a lazily allocated array that has
	 * no count; say the number is a lower bound rather than guess. */
	if (bpf_core_field_exists(((struct io_ring_ctx___flat *)0)->io_bl) &&
	    BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, io_bl))
		partial = 1;
	r->personalities = ud_xa_walk(o, &ctx->personalities, UD_XA_COUNT, 0, &partial);
	r->counts_partial = partial;
	r->has_eventfd = BPF_CORE_READ(ctx, io_ev_fd) != 0;
	r->overflow_pending = !ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, cq_overflow_list));
	r->iowq_max[0] = BPF_CORE_READ(ctx, iowq_limits[0]);
	r->iowq_max[1] = BPF_CORE_READ(ctx, iowq_limits[1]);
	if (bpf_core_field_exists(ctx->napi_list))
		r->napi = !ud_list_empty((char *)ctx + bpf_core_field_offset(struct io_ring_ctx, napi_list));
	if (bpf_core_field_exists(ctx->zcrx_ctxs))
		r->zcrx = BPF_CORE_READ(ctx, zcrx_ctxs.xa_head) != 0;
	else if (bpf_core_field_exists(ctx->ifq))
		r->zcrx = BPF_CORE_READ(ctx, ifq) != 0;
#ifndef UD_TEXT_OUTPUT
	/* The pinned text iterators print no ring state: they skip the
	 * request lists and counts, and the stack those walks need. */
	ud_ring_busy(o, ctx);
#endif
}

/* ---- fixed files ---- */

/* The slot's content: its io_rsrc_node (*node, rsrc) and the file_ptr. */
static __always_inline __u64 ud_slot_read(void *slots, __u32 slot, void **node)
{
	unsigned long file_ptr = 0;

	*node = 0;
	/* ud_layout(), a constant after relocation, so the
	 * verifier drops the branch of the other kernel layout. */
	if (ud_layout() == UD_LAYOUT_RSRC) {
		struct io_rsrc_node *n = 0;

		bpf_probe_read_kernel(&n, sizeof(n), (char *)slots + (__u64)slot * sizeof(void *));
		if (!n)
			return 0;
		*node = n;
		file_ptr = BPF_CORE_READ(n, file_ptr);
	} else {
		bpf_probe_read_kernel(&file_ptr, sizeof(file_ptr),
				      (char *)slots + (__u64)slot * bpf_core_type_size(struct io_fixed_file));
	}
	return file_ptr;
}

static __always_inline struct file *ud_slot_file(struct ud_files_walk *w, __u32 slot)
{
	w->file_ptr = ud_slot_read(w->slots, slot, &w->node);
	return (struct file *)(w->file_ptr & UD_FFS_MASK);
}

/* The ring's fixed-file table and its size, as the walk reads them. */
static __always_inline void *ud_files_table(struct io_ring_ctx *ctx, __u32 *nr)
{
	__u32 layout = ud_layout();

	*nr = ud_nr_files(ctx, layout);
	if (layout == UD_LAYOUT_RSRC)
		return BPF_CORE_READ(ctx, file_table.data.nodes);
	if (layout == UD_LAYOUT_FLAT)
		return BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, file_table.files);
	return 0;
}

/*
 * Whether slot still holds what ud_slot_file() read, in the table the walk
 * started with: read again after what is behind it. The table's array is
 * freed when the table is unregistered (not after a grace period), an
 * updated slot drops its file, and 6.13+ recycles rsrc nodes at once
 * (ctx->node_cache); a slot that still holds the same node and file then
 * held a reference to that file all along.
 */
static __always_inline bool ud_slot_same(struct ud_out *o, __u32 slot)
{
	struct ud_files_walk *w = &o->st->fw;
	void *node = 0;
	__u32 nr = 0;

	if (ud_files_table(w->ctx, &nr) != w->slots || nr != w->nr)
		return false;
	return ud_slot_read(w->slots, slot, &node) == w->file_ptr && node == w->node;
}

static long ud_files_step(__u32 i, void *data)
{
	struct ud_out *o = data;
	struct ud_files_walk *w = &o->st->fw;
	__u32 slot = w->slot, bit = slot & 63;
	struct ud_ring_file rf = {};
	struct file *f;
	bool fresh;

	if (slot >= w->nr) {
		w->done = 1;
		return 1;
	}
	if (bit == 0 || i == 0) {
		w->word = 0;
		bpf_probe_read_kernel(&w->word, sizeof(w->word), w->bitmap + (slot >> 6));
	}
	if (!(w->word >> bit)) {
		w->slot = (slot | 63) + 1; /* no used slot left in this word */
		return 0;
	}
	w->slot = slot + 1;
	if (!((w->word >> bit) & 1))
		return 0;
	f = ud_slot_file(w, slot);
	if (!f)
		return 0;
	w->slot = slot; /* until its records are out */
	fresh = (__u64)f != w->last_file;
	if (!ud_fits(o, sizeof(rf) + (fresh ? sizeof(struct ud_file) : 0) + sizeof(struct ud_warn)))
		return 1;
	if (fresh && !ud_read_file(o, f))
		return 1;
	if (!ud_slot_same(o, slot) || !ud_file_same(o, f)) {
		/* Read while the slot changed: nothing of it goes out. */
		ud_warn(o, UD_TABLE_FILES, UD_WARN_CHANGED, (__u64)w->ctx, slot);
		if (fresh)
			w->last_file = 0;
		w->slot = slot + 1;
		return 0;
	}
	if (fresh) {
		ud_put_file(o);
		w->last_file = (__u64)f;
		w->last_ino = o->st->big.file.ino;
		w->last_dev = o->st->big.file.dev;
		w->last_mode = o->st->big.file.mode;
	}
	ud_hdr(o, &rf.hdr, UD_REC_RING_FILE, sizeof(rf));
	rf.slot = slot;
	rf.file = (__u64)f;
	rf.ino = w->last_ino;
	rf.dev = w->last_dev;
	rf.mode = w->last_mode;
	ud_put(o, &rf, sizeof(rf));
	w->slot = slot + 1;
	return 0;
}

/* Set bits of a word (no popcount instruction in BPF). */
static __always_inline __u64 ud_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* Summary mode: the used slots are the set bits of the table's bitmap. */
static long ud_count_files_step(__u32 i, void *data)
{
	struct ud_files_walk *w = &((struct ud_out *)data)->st->fw;
	__u64 word = 0;

	if ((__u64)i * 64 >= w->nr)
		return 1;
	bpf_probe_read_kernel(&word, sizeof(word), w->bitmap + i);
	if ((__u64)(i + 1) * 64 > w->nr)
		word &= (1ULL << (w->nr & 63)) - 1; /* bits past the table's end */
	w->counted += ud_popcount(word);
	return 0;
}

static __noinline void ud_walk_files(struct ud_out *o, struct io_ring_ctx *ctx, __u32 start)
{
	struct ud_files_walk *w = &o->st->fw;
	__u32 layout = ud_layout();

	w->ctx = ctx;
	w->slot = start;
	w->done = 0;
	w->last_file = 0;
	w->slots = ud_files_table(ctx, &w->nr);
	if (layout == UD_LAYOUT_RSRC) {
		w->bitmap = BPF_CORE_READ(ctx, file_table.bitmap);
	} else if (layout == UD_LAYOUT_FLAT) {
		w->bitmap = BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, file_table.bitmap);
	} else {
		ud_warn(o, UD_TABLE_FILES, UD_WARN_LAYOUT, (__u64)ctx, 0);
		return;
	}
	if (!w->nr)
		return;
	if (w->nr > UD_MAX_FILE_SLOTS || !w->bitmap || !w->slots) {
		ud_warn(o, UD_TABLE_FILES, UD_WARN_READ, (__u64)ctx, w->nr);
		return;
	}
	if (ud_summary) {
		w->counted = 0;
		bpf_loop((w->nr + 63) / 64, ud_count_files_step, o, 0);
		ud_count(o, UD_TABLE_FILES, (__u64)ctx, w->counted);
		return;
	}
	bpf_loop(UD_MAX_STEPS, ud_files_step, o, 0);
	if (!w->done)
		ud_cont(o, UD_TABLE_FILES, (__u64)ctx, w->slot, 0);
}

/* ---- registered buffers ---- */

static __always_inline bool ud_imu_new(void)
{
	return bpf_core_field_exists(((struct io_mapped_ubuf *)0)->len);
}

/* The buffer in slot of table, and what the slot held (*node: the
 * io_rsrc_node on 6.13+, the io_mapped_ubuf itself before). */
static __always_inline void *ud_buf_in(void *table, __u32 slot, void **node)
{
	void *p = 0;

	*node = 0;
	bpf_probe_read_kernel(&p, sizeof(p), (char *)table + (__u64)slot * sizeof(void *));
	if (!p)
		return 0;
	*node = p;
	if (ud_layout() == UD_LAYOUT_RSRC)
		return BPF_CORE_READ((struct io_rsrc_node *)p, buf);
	/* Up to 6.12 an empty slot points at a dummy whose ubuf is -1. */
	if (BPF_CORE_READ((struct io_mapped_ubuf___old *)p, ubuf) == ~0ULL)
		return 0;
	return p;
}

static __always_inline void *ud_buf_at(struct ud_bufs_walk *w, __u32 slot)
{
	return ud_buf_in(w->table, slot, &w->node);
}

/* The ring's buffer table and its size, as the walk reads them. */
static __always_inline void *ud_bufs_table(struct io_ring_ctx *ctx, __u32 *nr)
{
	__u32 layout = ud_layout();

	*nr = ud_nr_bufs(ctx, layout);
	if (layout == UD_LAYOUT_RSRC)
		return BPF_CORE_READ(ctx, buf_table.nodes);
	if (layout == UD_LAYOUT_FLAT)
		return BPF_CORE_READ((struct io_ring_ctx___flat *)ctx, user_bufs);
	return 0;
}

/* A buffer's user address, length and bio_vec count. */
static __always_inline void ud_imu_read(void *imu, __u64 *ubuf, __u64 *len, __u32 *nr_bvecs)
{
	if (ud_imu_new()) {
		struct io_mapped_ubuf *m = imu;

		*ubuf = BPF_CORE_READ(m, ubuf);
		*len = BPF_CORE_READ(m, len);
		*nr_bvecs = BPF_CORE_READ(m, nr_bvecs);
	} else {
		struct io_mapped_ubuf___old *m = imu;

		*ubuf = BPF_CORE_READ(m, ubuf);
		*len = BPF_CORE_READ(m, ubuf_end) - *ubuf;
		*nr_bvecs = BPF_CORE_READ(m, nr_bvecs);
	}
}

/*
 * Whether the walk's slot still holds the buffer whose records went out, as
 * they describe it: read again once its bio_vecs were read. An updated or
 * unregistered buffer is freed at once (kvfree, or on 6.13+ back to
 * ctx->imu_cache, to be the next registered buffer of up to 32 bio_vecs),
 * and so is the table's array on unregistering.
 */
static __always_inline bool ud_buf_same(struct ud_out *o)
{
	struct ud_bufs_walk *w = &o->st->bw;
	void *node = 0, *imu;
	__u64 ubuf = 0, len = 0;
	__u32 nr = 0;

	if (ud_bufs_table(w->ctx, &nr) != w->table || nr != w->nr)
		return false;
	imu = ud_buf_in(w->table, w->slot, &node);
	if (imu != w->imu || node != w->node)
		return false;
	ud_imu_read(imu, &ubuf, &len, &nr);
	return ubuf == w->ubuf && len == w->len && nr == w->nr_rec;
}

/* Drops the walk's current buffer: a WARN that has user space drop the
 * records that went out, then on to the next slot. False without room. */
static __always_inline bool ud_buf_changed(struct ud_out *o)
{
	struct ud_bufs_walk *w = &o->st->bw;

	if (!ud_fits(o, sizeof(struct ud_warn)))
		return false;
	ud_warn(o, UD_TABLE_BUFS, UD_WARN_CHANGED, (__u64)w->ctx, w->slot);
	w->imu = 0;
	w->seg = 0;
	w->slot++;
	return true;
}

/* Emits the RING_BUF record of imu; false if it does not fit. */
static __always_inline bool ud_emit_buf(struct ud_out *o, void *imu)
{
	struct ud_bufs_walk *w = &o->st->bw;
	struct ud_ring_buf b = {};

	/* Room for the first segment too: a walk stopped at (slot, seg 0)
	 * means this record did not go out, and is emitted by the next pass. */
	if (!ud_fits(o, sizeof(b) + sizeof(struct ud_buf_seg)))
		return false;
	ud_hdr(o, &b.hdr, UD_REC_RING_BUF, sizeof(b));
	b.slot = w->slot;
	ud_imu_read(imu, &b.addr, &b.len, &b.nr_bvecs);
	if (ud_imu_new()) {
		struct io_mapped_ubuf *m = imu;

		b.folio_shift = BPF_CORE_READ(m, folio_shift);
		if (bpf_core_field_exists(m->is_kbuf) && BPF_CORE_READ(m, is_kbuf))
			b.flags |= UD_BUF_KERNEL;
	} else {
		b.folio_shift = ud_page_shift; /* one page per bio_vec before folios */
	}
	ud_put(o, &b, sizeof(b));
	w->ubuf = b.addr;
	w->len = b.len;
	w->nr_rec = b.nr_bvecs;
	w->nr_bvecs = b.nr_bvecs;
	return true;
}

static __always_inline __u32 ud_bvec_offset(void)
{
	if (ud_imu_new())
		return bpf_core_field_offset(struct io_mapped_ubuf, bvec);
	return bpf_core_field_offset(struct io_mapped_ubuf___old, bvec);
}

/*
 * Emits up to UD_SEG_BATCH segments of the current buffer: one probe read
 * for their bio_vecs, one write for their records. Returns 1 when the
 * budget has no room for even one.
 */
static __always_inline long ud_emit_segs(struct ud_out *o, struct ud_bufs_walk *w)
{
	struct ud_obj *ob = &o->st->obj;
	__u32 vsize = bpf_core_type_size(struct bio_vec), n, room, i;
	struct ud_buf_seg *rec;
	struct bio_vec *bv;

	n = w->nr_bvecs - w->seg;
	if (n > UD_SEG_BATCH)
		n = UD_SEG_BATCH;
	room = ob->used + UD_RESERVE < ob->limit ? (ob->limit - ob->used - UD_RESERVE) / UD_COST(sizeof(*rec)) : 0;
	if (n > room)
		n = room;
	if (!n) {
		ob->full = 1;
		return 1;
	}
	if (vsize > sizeof(w->bvecs) / UD_SEG_BATCH)
		return 1; /* a bio_vec larger than any kernel's: no layout for it */
	barrier_var(n);
	n &= 2 * UD_SEG_BATCH - 1;
	if (n > UD_SEG_BATCH)
		return 1;
	if (bpf_probe_read_kernel(w->bvecs, n * vsize,
				  (char *)w->imu + ud_bvec_offset() + (__u64)w->seg * vsize))
		return 1;
	for (i = 0; i < UD_SEG_BATCH; i++) {
		if (i >= n)
			break;
		bv = (struct bio_vec *)(w->bvecs + i * vsize);
		rec = &w->recs[i];
		ud_hdr(o, &rec->hdr, UD_REC_BUF_SEG, sizeof(*rec));
		rec->slot = w->slot;
		rec->index = w->seg + i;
		rec->page = (__u64)bv->bv_page;
		rec->offset = bv->bv_offset;
		rec->len = bv->bv_len;
	}
	ud_put(o, w->recs, n * sizeof(*rec));
	w->seg += n;
	return 0;
}

static long ud_bufs_step(__u32 i, void *data)
{
	struct ud_out *o = data;
	struct ud_bufs_walk *w = &o->st->bw;

	if (!w->imu) {
		void *imu;

		if (w->slot >= w->nr) {
			w->done = 1;
			return 1;
		}
		imu = ud_buf_at(w, w->slot);
		if (!imu) {
			/* Resumed inside a buffer that is gone: drop what went out. */
			if (w->seg)
				return ud_buf_changed(o) ? 0 : 1;
			w->slot++;
			return 0;
		}
		w->imu = imu;
		if (w->seg == 0) {
			if (!ud_emit_buf(o, imu)) {
				w->imu = 0;
				return 1;
			}
			if (ud_summary)
				w->nr_bvecs = 0; /* the buffer, not its segments */
		} else {
			/* Resumed inside a buffer whose record and first bio_vecs
			 * went out in an earlier pass: the same buffer, or none of
			 * it. */
			ud_imu_read(imu, &w->ubuf, &w->len, &w->nr_rec);
			w->nr_bvecs = w->nr_rec;
			if ((__u64)imu != w->ident || w->ubuf != w->ident2)
				return ud_buf_changed(o) ? 0 : 1;
		}
		if (w->nr_rec > UD_MAX_BVECS)
			return ud_buf_changed(o) ? 0 : 1;
		return 0;
	}
	if (w->seg >= w->nr_bvecs) {
		/* All its bio_vecs are out: was it the same buffer throughout? */
		if (!ud_buf_same(o))
			return ud_buf_changed(o) ? 0 : 1;
		w->imu = 0;
		w->seg = 0;
		w->slot++;
		return 0;
	}
	return ud_emit_segs(o, w);
}

static __noinline void ud_walk_bufs(struct ud_out *o, struct io_ring_ctx *ctx, __u32 slot, __u32 seg)
{
	struct ud_bufs_walk *w = &o->st->bw;
	__u32 layout = ud_layout();

	w->ctx = ctx;
	w->slot = slot;
	w->seg = seg;
	w->imu = 0;
	w->done = 0;
	w->table = ud_bufs_table(ctx, &w->nr);
	if (layout != UD_LAYOUT_RSRC && layout != UD_LAYOUT_FLAT) {
		ud_warn(o, UD_TABLE_BUFS, UD_WARN_LAYOUT, (__u64)ctx, 0);
		return;
	}
	if (w->nr > UD_MAX_BUFS || (w->nr && !w->table)) {
		ud_warn(o, UD_TABLE_BUFS, UD_WARN_READ, (__u64)ctx, w->nr);
		w->nr = 0;
	}
	/* Resumed inside a buffer of a table that is gone. */
	if (seg && slot >= w->nr)
		ud_warn(o, UD_TABLE_BUFS, UD_WARN_CHANGED, (__u64)ctx, slot);
	if (!w->nr)
		return;
	bpf_loop(UD_MAX_STEPS, ud_bufs_step, o, 0);
	if (w->done)
		return;
	/* Stopped inside a buffer: what went out of it must be of the same
	 * buffer, and the next pass continues only that one (ud_cont says
	 * which). */
	if (w->imu && !ud_buf_same(o)) {
		ud_warn(o, UD_TABLE_BUFS, UD_WARN_CHANGED, (__u64)ctx, w->slot);
		w->imu = 0;
		w->seg = 0;
		w->slot++;
	}
	ud_cont(o, UD_TABLE_BUFS, (__u64)ctx, w->slot, w->seg);
}

/* ---- the whole ring ---- */

/* How a ring was reached, and whether only continuations are wanted. */
struct ud_ring_ref {
	struct io_ring_ctx *ctx;
	struct file *file; /* 0 when reached through a thread's xa */
	__s32 fd;          /* -1 when not through an fd */
	__u32 via;         /* enum ud_ring_via */
	__u32 tid;
	__s32 reg_index;
	__u32 resume;
	__u32 tables;      /* UD_WALK_*: which tables to walk (the text iterators want one) */
};

#define UD_WALK_FILES 1
#define UD_WALK_BUFS 2
#define UD_WALK_REQS 4
#define UD_WALK_ALL (UD_WALK_FILES | UD_WALK_BUFS | UD_WALK_REQS)

/*
 * Emits a ring. Normally: the RING record, then its tables unless another
 * object emitted them already in this snapshot (then the record says alias).
 * With ref->resume: only the continuations user space asked this object for.
 */
static __noinline void ud_emit_ring(struct ud_out *o, struct ud_ring_ref *ref)
{
	struct io_ring_ctx *ctx = ref->ctx;
	struct ud_ring *r = &o->st->big.ring;
	__u64 cursor;
	__s64 cursor2;
	bool first;

	if (!ctx)
		return;
	if (ref->resume) {
		if (ud_walk_start(o, UD_TABLE_FILES, (__u64)ctx, &cursor, &cursor2))
			ud_walk_files(o, ctx, cursor);
		if (ud_walk_start(o, UD_TABLE_BUFS, (__u64)ctx, &cursor, &cursor2))
			ud_walk_bufs(o, ctx, cursor, cursor2);
		if ((ref->tables & UD_WALK_REQS) && ud_walk_start(o, UD_TABLE_REQS, (__u64)ctx, &cursor, &cursor2))
			ud_walk_reqs(o, ctx, cursor, cursor2);
		return;
	}
	if (!ud_fits(o, sizeof(struct ud_ring)))
		return;
	first = ud_first_sight(o, (__u64)ctx);
	__builtin_memset(r, 0, sizeof(*r));
	ud_hdr(o, &r->hdr, UD_REC_RING, sizeof(*r));
	r->fd = ref->fd;
	r->via = ref->via;
	r->tid = ref->tid;
	r->reg_index = ref->reg_index;
	r->file = (__u64)ref->file;
	r->alias = !first;
	ud_ring_state(o, ctx);
	ud_put(o, r, sizeof(*r));
	if (!first)
		return;
	if (ref->tables & UD_WALK_FILES)
		ud_walk_files(o, ctx, 0);
	if (ref->tables & UD_WALK_BUFS)
		ud_walk_bufs(o, ctx, 0, 0);
	if (ref->tables & UD_WALK_REQS) {
		o->st->rw.ident = 0;
		ud_walk_reqs(o, ctx, 0, 0);
	}
}

#endif
