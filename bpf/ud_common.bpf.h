/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every uringdump BPF program shares: the settings user space writes
 * before a pass, the maps, and the output budget of one iterator object.
 *
 * Why a budget: bpf_seq_read() gives each iterator object (here: one open
 * file of one task, or one thread) a buffer of 8 pages; an object whose
 * output does not fit fails the whole read with -E2BIG, and an object is
 * never split across reads. So a walk stops before the object's output
 * reaches that size, says where it stopped (UD_REC_CONT), and user space runs
 * another pass that continues from there (UD_REC_CHUNK opens it).
 *
 * Output may be thrown away and the object shown again (the kernel does that
 * when an object does not fit behind the previous ones in the buffer), so the
 * programs keep no state whose update would be wrong to repeat, except the
 * "seen" map, whose entries carry who wrote them and in which run.
 */
#ifndef UD_COMMON_BPF_H
#define UD_COMMON_BPF_H

/*
 * A limit of the light skeleton (bpftool gen skeleton -L, libbpf 1.1): its
 * loader program keeps one fd per BPF function of the object, entry point
 * or subprogram alike, on its 512-byte stack in room for 32 (loader_stack,
 * MAX_USED_PROGS), and fails verification beyond. uringdump.bpf.o has 30, uringdump_text.bpf.o 26:
 * a helper that is not a loop callback and need not have a frame of its own
 * is __always_inline.
 */

#include "vmlinux_core.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "records.h"
#include "ud_state.bpf.h"

/* ---- settings, written by user space between passes (.bss) ---- */

/* f_op of an io_uring file and of an epoll file, learned from the tool's own
 * ring and epoll fd: the fops symbols are data, which kallsyms may not hold. */
__u64 ud_ring_fops;
__u64 ud_epoll_fops;
/* Snapshot generation: entries of ud_seen from older snapshots are stale. */
__u64 ud_gen;
/* 1: only continue the table walks listed in ud_resume. */
__u32 ud_resume_mode;
/* 1: summary mode (top's list): rings with their buffers, but fixed files
 * and epoll items only counted (UD_REC_COUNT), no segments. */
__u32 ud_summary;
/* In a resume pass, the highest fd with a walk to continue: the task_file
 * program fails the objects after it, which ends the read with EAGAIN
 * instead of visiting the rest of a possibly huge fd table. */
__u32 ud_resume_last_fd;
/* Bytes one object may emit; user space sets it to the seq buffer size
 * (0 until then: the 8 pages of 4 KiB that bpf_seq_read uses on x86). */
__u32 ud_obj_limit;
/* log2 of the page size, sysconf(_SC_PAGESIZE) as user space read it: the
 * pages of a registered buffer on kernels without folio_shift, and where a
 * bio_vec's offset leaves its first page. Written before any pass. */
__u32 ud_page_shift;
/* Counts program runs, so that a rerun of an object can tell itself apart
 * from an earlier run whose output the kernel discarded. */
__u64 ud_run;
/* Written by the programs: sizeof(struct page), the stride of the vmemmap
 * array, so user space need not parse the kernel BTF a second time; and the
 * io_uring layout CO-RE found (enum ud_layout), for `feature` and the tests. */
__u64 ud_page_size;
__u32 ud_kernel_layout;
/* Kernels without a per-ring request count (ud_ring_busy.bpf.h) sum the
 * per-task counters of a ring's tasks, which needs each CPU's per-cpu
 * offset: the programs say whether they need it (ud_counts_per_task), user
 * space then writes where __per_cpu_offset[] is and how many CPUs can be. */
__u32 ud_counts_per_task;
__u64 ud_percpu_offsets;
__u32 ud_nr_cpu_ids;
/* nr_node_ids (from /sys/devices/system/node/possible): how many io_wqe a
 * 6.1 io_wq has; user space writes it. 0 (a pinned iterator): each slot up
 * to UD_IOWQ_MAX_NODES is read and checked (ud_iowq_list()). */
__u32 ud_nr_node_ids;

/* A cancel hash table's buckets (cancel_table, cancel_table_locked): where
 * they are, how many (2^hash_bits, hash_bits <= 8 in io_uring.c), and each
 * one's size and its list's offset in it. False if it has none to read. */
static __always_inline bool ud_hash_geometry(struct io_hash_table *t, void **hbs, __u32 *nr_buckets, __u32 *stride,
					     __u32 *list_off)
{
	__u32 bits = BPF_CORE_READ(t, hash_bits);

	*hbs = BPF_CORE_READ(t, hbs);
	*nr_buckets = bits <= 8 ? 1U << bits : 0;
	*stride = bpf_core_type_size(struct io_hash_bucket);
	*list_off = bpf_core_field_offset(struct io_hash_bucket, list);
	return *hbs && *nr_buckets;
}

/* Tasks on one ring's tctx_list before a walk of it calls it torn. */
#define UD_MAX_RING_TASKS 4096

/* Room kept for the CONT and WARN records walks write when they stop. At
 * most, a ring of a thread's context stopped inside its tables: the file
 * walk's CONT, the buffer walk's WARN (the buffer changed) and CONT, the
 * ring's WARN (the context changed), the context's CONT: 256 bytes. */
#define UD_RESERVE 512

/*
 * Output. By default every record goes out as it is (bpf_seq_write). A
 * program that defines UD_TEXT_OUTPUT before including the walkers (the
 * pinnable iterators of uringdump_text.bpf.c) prints lines instead: it
 * defines ud_text_put(), and every record is budgeted as a line of at most
 * UD_TEXT_LINE bytes, so that text never overruns the per-object buffer.
 */
#ifdef UD_TEXT_OUTPUT
/* The longest line: an epoll item's numbers (at most 87 bytes: three ints,
 * two hex values, an inode, spaces) before its escaped name. */
#define UD_TEXT_LINE (96 + UD_TEXT_NAME_MAX)
#define UD_COST(size) ((size) > UD_TEXT_LINE ? (size) : UD_TEXT_LINE)
struct ud_out;
static void ud_text_put(struct ud_out *o, const void *rec, __u32 size);
#else
#define UD_COST(size) (size)
#endif

/* Bounds. Each is the largest table the kernel allows, so that hitting one
 * means the data is inconsistent (read while it changed), never that a
 * legitimate table was cut short. */
#define UD_MAX_FILE_SLOTS   (1U << 20) /* IORING_MAX_FIXED_FILES */
#define UD_MAX_BUFS         (1U << 14) /* IORING_MAX_REG_BUFFERS */
#define UD_MAX_BVECS        (1U << 18) /* 1 GiB in 4 KiB pages */
#define UD_MAX_STEPS        (1U << 23) /* BPF_MAX_LOOPS */
#define UD_XA_MAX_DEPTH     12         /* 64-bit index in 6-bit levels */
#define UD_PATH_DEPTH       64

/* ---- maps ---- */

/* Allocated as used: most snapshots need no entry at all. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ud_resume_key);
	__type(value, struct ud_resume_val);
} ud_resume SEC(".maps");

/* Which object emitted the tables of a ring or epoll in this snapshot, so a
 * second fd of the same process (dup, registered ring, a thread's context)
 * emits a short alias record instead. Per process, not per address alone: a
 * ring or epoll set freed while the snapshot is taken leaves its address to
 * the next one, quite possibly another process's, which must not pass for
 * an alias of what the first process had. */
struct ud_seen_key {
	__u64 owner; /* ctx or ep identity */
	__u32 tgid;
	__u32 pad;
};

struct ud_seen_val {
	__u64 gen;
	__u64 token;
	__u64 run;
};

/* LRU maps are allocated whole at load, so sizes are kept modest: an
 * evicted ud_seen entry only costs a ring emitted twice (user space merges
 * duplicates), and readers beyond 64 at once only evict idle ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ud_seen_key);
	__type(value, struct ud_seen_val);
} ud_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct ud_state);
} ud_states SEC(".maps");

/* Zeroes for a new ud_states entry (a map value, so it may be that large). */
static struct ud_state ud_state_zero;

/* ---- kernel layout ---- */

/* Which io_uring table layout this kernel has (records.h enum ud_layout):
 * a constant once libbpf or the kernel has relocated the program. */
static __always_inline __u32 ud_layout(void)
{
	if (bpf_core_field_exists(((struct io_ring_ctx *)0)->file_table.data) &&
	    bpf_core_field_exists(((struct io_ring_ctx *)0)->buf_table))
		return UD_LAYOUT_RSRC;
	if (bpf_core_field_exists(((struct io_ring_ctx___flat *)0)->nr_user_files) &&
	    bpf_core_field_exists(((struct io_ring_ctx___flat *)0)->user_bufs))
		return UD_LAYOUT_FLAT;
	return UD_LAYOUT_UNKNOWN;
}

/*
 * Whether a ring is being torn down: its last file reference went, and
 * io_ring_ctx_wait_and_kill() killed its refs (percpu_ref_kill sets
 * __PERCPU_REF_DEAD, bit 1 of percpu_count_ptr). No process holds such a
 * ring any more; it stays in the contexts of the threads that used it until
 * its exit work has them remove it (io_ring_exit_work -> io_tctx_exit_cb),
 * which takes at least an RCU grace period, and a thread that makes and
 * closes rings fast has dozens of them there.
 */
static __always_inline bool ud_ring_dying(struct io_ring_ctx *ctx)
{
	return BPF_CORE_READ(ctx, refs.percpu_count_ptr) & 2;
}

/* Whether a struct list_head at head_addr is empty. */
static __always_inline bool ud_list_empty(void *head_addr)
{
	void *next = 0;

	bpf_probe_read_kernel(&next, sizeof(next), head_addr);
	return next == head_addr;
}

/*
 * Whether the task_file iterator visits this thread only for fds its thread
 * group leader shows already. The kernel skips such threads itself, but
 * older kernels do not with a pid parameter (kernel/bpf/task_iter.c:
 * task_group_seq_get_next did not apply skip_if_dup_files), so on 6.1 every
 * fd of a multi-threaded process came once per thread. The same test as the
 * kernel's, so that every kernel and both kinds of link agree.
 */
static __always_inline bool ud_thread_shares_files(struct task_struct *task)
{
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	return leader && leader != task && BPF_CORE_READ(task, files) == BPF_CORE_READ(leader, files);
}

/* ---- objects and output ---- */

/* Tokens: tgid:fd for an fd of the task_file iterator, tid:~0 for the
 * io_uring context of one thread seen by the task iterator. */
static __always_inline __u64 ud_token_fd(__u32 tgid, __u32 fd)
{
	return ((__u64)tgid << 32) | fd;
}

static __always_inline __u64 ud_token_thread(__u32 tid)
{
	return ((__u64)tid << 32) | 0xffffffffULL;
}

/* Starts an object: finds this reader's state and resets the budget. */
static __always_inline bool ud_begin(struct ud_out *o, struct seq_file *seq, __u32 pid, __u64 token)
{
	__u32 reader = (__u32)bpf_get_current_pid_tgid();
	struct ud_state *st;

	st = bpf_map_lookup_elem(&ud_states, &reader);
	if (!st) {
		bpf_map_update_elem(&ud_states, &reader, &ud_state_zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&ud_states, &reader);
		if (!st)
			return false;
	}
	o->seq = seq;
	o->st = st;
	/* Published for user space (constants after relocation). */
	ud_page_size = bpf_core_type_size(struct page);
	ud_kernel_layout = ud_layout();
	ud_counts_per_task = !bpf_core_field_exists(((struct io_ring_ctx *)0)->nr_req_allocated);
	st->obj.pid = pid;
	st->obj.used = 0;
	st->obj.limit = ud_obj_limit ? ud_obj_limit : 32768;
	st->obj.full = 0;
	st->obj.token = token;
	st->obj.run = __sync_fetch_and_add(&ud_run, 1);
	return true;
}

static __always_inline void ud_hdr(struct ud_out *o, struct ud_hdr *h, __u16 type, __u16 size)
{
	h->type = type;
	h->size = size;
	h->pid = o->st->obj.pid;
}

/* Whether a record of this size still fits in the walk budget. */
static __always_inline bool ud_fits(struct ud_out *o, __u32 size)
{
	struct ud_obj *ob = &o->st->obj;

	if (ob->used + UD_COST(size) + UD_RESERVE > ob->limit) {
		ob->full = 1;
		return false;
	}
	return true;
}

/* Writes a record; the caller checked ud_fits() or is writing one of the
 * small records the reserve is for. */
static __always_inline void ud_put(struct ud_out *o, const void *rec, __u32 size)
{
#if defined(UD_TEXT_OUTPUT)
	ud_text_put(o, rec, size);
#elif defined(UD_DISCARD_OUTPUT)
	/* The benchmark's walk floor: every walk, no output and no budget
	 * spent, so one pass reaches every item (tests/bench/bench.mk). */
#else
	bpf_seq_write(o->seq, rec, size);
	o->st->obj.used += size;
#endif
}

static __noinline void ud_warn(struct ud_out *o, __u32 table, __u32 code, __u64 owner, __u64 value)
{
	struct ud_warn w = {};

	ud_hdr(o, &w.hdr, UD_REC_WARN, sizeof(w));
	w.table = table;
	w.code = code;
	w.owner = owner;
	w.value = value;
	ud_put(o, &w, sizeof(w));
}

static __noinline void ud_count(struct ud_out *o, __u32 table, __u64 owner, __u64 count)
{
	struct ud_count c = {};

	ud_hdr(o, &c.hdr, UD_REC_COUNT, sizeof(c));
	c.table = table;
	c.owner = owner;
	c.count = count;
	ud_put(o, &c, sizeof(c));
}

static __noinline void ud_cont(struct ud_out *o, __u32 table, __u64 owner, __u64 cursor, __s64 cursor2)
{
	struct ud_cont c = {};

	ud_hdr(o, &c.hdr, UD_REC_CONT, sizeof(c));
	c.table = table;
	c.owner = owner;
	c.cursor = cursor;
	c.cursor2 = cursor2;
	c.token = o->st->obj.token;
	if (table == UD_TABLE_BUFS && o->st->bw.imu) {
		/* Stopped inside a buffer: which one (ud_bufs_walk). */
		c.ident = (__u64)o->st->bw.imu;
		c.ident2 = o->st->bw.ubuf;
	}
	if (table == UD_TABLE_REQS)
		c.ident = o->st->rw.ident; /* the node the walk stopped at */
	ud_put(o, &c, sizeof(c));
}

/*
 * Where a table walk starts: at 0 in a normal pass; in a resume pass at the
 * cursor user space stored for this object (opening the output with a CHUNK
 * record), or not at all.
 */
static __noinline bool ud_walk_start(struct ud_out *o, __u32 table, __u64 owner, __u64 *cursor, __s64 *cursor2)
{
	struct ud_resume_key k = { .owner = owner, .table = table, .tgid = o->st->obj.pid };
	struct ud_resume_val *v;
	struct ud_chunk c = {};

	v = bpf_map_lookup_elem(&ud_resume, &k);
	if (!v || v->token != o->st->obj.token)
		return false;
	*cursor = v->cursor;
	*cursor2 = v->cursor2;
	if (table == UD_TABLE_BUFS) {
		o->st->bw.ident = v->ident;
		o->st->bw.ident2 = v->ident2;
	}
	if (table == UD_TABLE_REQS)
		o->st->rw.ident = v->ident;
	ud_hdr(o, &c.hdr, UD_REC_CHUNK, sizeof(c));
	c.table = table;
	c.owner = owner;
	ud_put(o, &c, sizeof(c));
	return true;
}

/*
 * Whether this object emits the tables of `owner` (a ring or an epoll) or only
 * an alias record: the first object of this snapshot to reach it emits them.
 * A rerun of that same object (same token, another run) emits them again,
 * because the kernel threw the first run's output away.
 */
static __noinline bool ud_first_sight(struct ud_out *o, __u64 owner)
{
	struct ud_obj *ob = &o->st->obj;
	struct ud_seen_key k = { .owner = owner, .tgid = ob->pid };
	struct ud_seen_val *v, nv;

#ifdef UD_TEXT_OUTPUT
	/* A pinned iterator has no snapshot generation: each fd prints its
	 * ring or epoll set whole. */
	return true;
#endif
	v = bpf_map_lookup_elem(&ud_seen, &k);
	if (v && v->gen == ud_gen) {
		if (v->token != ob->token)
			return false;
		if (v->run == ob->run)
			return false; /* reached twice within this run */
	}
	nv.gen = ud_gen;
	nv.token = ob->token;
	nv.run = ob->run;
	bpf_map_update_elem(&ud_seen, &k, &nv, BPF_ANY);
	return true;
}

/* Whether this process emitted the ring or epoll `owner` earlier in this
 * snapshot (ud_first_sight), without claiming it. */
static __always_inline bool ud_seen_before(struct ud_out *o, __u64 owner)
{
	struct ud_seen_key k = { .owner = owner, .tgid = o->st->obj.pid };
	struct ud_seen_val *v = bpf_map_lookup_elem(&ud_seen, &k);

	return v && v->gen == ud_gen;
}

#endif
