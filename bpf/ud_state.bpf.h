/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The working memory of one reading thread: the budget of the object being
 * shown, the cursors of the walks in progress, and records too large for the
 * BPF stack.
 *
 * It lives in a map value rather than on the stack for two reasons. The
 * stack of all frames together may not exceed 512 bytes, and these walks
 * nest (ring -> file table -> path of one file). And the verifier tracks
 * stack scalars precisely, so a loop callback whose counters live on the
 * stack is explored once per counter value; values loaded from a map are
 * unknown scalars, and the callbacks converge at once.
 *
 * It is keyed by the reading thread rather than per CPU: iterator programs
 * run preemptibly, and two readers on one CPU must not share cursors.
 */
#ifndef UD_STATE_BPF_H
#define UD_STATE_BPF_H

#include "vmlinux_core.h"
#include <bpf/bpf_helpers.h>
#include "records.h"

#define UD_XA_STACK 16   /* xarray walk depth: 11 levels of a 64-bit index, rounded up */
#define UD_XA_OUT_MAX 64 /* leaf entries one xarray walk hands back */
#define UD_XA_COUNT 0
#define UD_XA_TCTX 1

/* The object being shown: one fd (task_file) or one thread (task). */
struct ud_obj {
	__u32 pid;   /* tgid, written into every record header */
	__u32 used;  /* bytes emitted for this object */
	__u32 limit; /* bytes this object may emit */
	__u32 full;  /* a walk stopped on the budget */
	__u64 token; /* who emits: tgid:fd or tid:~0 */
	__u64 run;   /* unique per program run */
};

struct ud_files_walk {
	struct io_ring_ctx *ctx;
	unsigned long *bitmap;
	void *slots;      /* io_fixed_file[] (flat) or io_rsrc_node *[] (rsrc) */
	void *node;       /* the slot being read: its io_rsrc_node (rsrc) */
	__u64 file_ptr;   /* and what it held, as read */
	__u64 last_file;  /* last FILE record emitted by this walk */
	__u64 last_ino;   /* and its inode, device and mode, read once */
	__u64 counted;    /* summary mode: used slots */
	__u32 last_dev;
	__u32 last_mode;
	__u64 word;       /* bitmap word holding `slot` */
	__u32 nr;
	__u32 slot;       /* next slot to look at */
	__u32 done;
};

#define UD_SEG_BATCH 16 /* bio_vecs read and emitted at once */

struct ud_bufs_walk {
	__u8 bvecs[UD_SEG_BATCH * 16];              /* bio_vecs as read (16 bytes each) */
	struct ud_buf_seg recs[UD_SEG_BATCH];      /* their records */
	struct io_ring_ctx *ctx;
	void *table;      /* io_mapped_ubuf *[] (flat) or io_rsrc_node *[] (rsrc) */
	void *imu;        /* the buffer being walked, 0 between buffers */
	void *node;       /* what its slot held: the io_rsrc_node (rsrc) or imu (flat) */
	__u64 ubuf;       /* its user address and length as its RING_BUF record has them */
	__u64 len;
	__u64 ident;      /* a resumed walk: the buffer it continues (ud_cont.ident) */
	__u64 ident2;
	__u32 nr;
	__u32 slot;
	__u32 seg;        /* next bio_vec of imu */
	__u32 nr_bvecs;   /* bio_vecs to emit (0 in summary mode) */
	__u32 nr_rec;     /* bio_vecs its RING_BUF record says it has */
	__u32 done;
};

#define UD_RB_STACK 64 /* red-black tree of 2^32 nodes is at most 64 deep */

/* An item pushed on the traversal stack: what emitting it needs. */
struct ud_epi_entry {
	__u64 epi;   /* the epitem, read again before its item is emitted */
	__u64 right; /* rb_right of the node */
	__u64 file;
	__s64 fd;
	__u64 data;
	__u32 events;
	__u32 pad;
};

struct ud_epoll_walk {
	struct ud_epi_entry stack[UD_RB_STACK];
	__u8 head[128];      /* one epitem head as read (116 bytes on 6.18) */
	__u64 descend;       /* node to push next, 0 when popping */
	__u64 left;          /* rb_left of the node pushed last */
	__u64 last_file;     /* last FILE record emitted by this walk */
	__u64 last_ino;      /* and its inode */
	__u64 counted;       /* summary mode: items */
	__u64 seek_file;     /* the cursor of a resumed walk */
	__s64 seek_fd;
	__u64 ep;            /* the eventpoll walked */
	__u32 depth;
	__u32 seeking;
	__u32 skipped;       /* nodes found removed from the tree, not descended into */
	__u32 pad;
};

struct ud_path_walk {
	/* The file whose FILE record is being filled, as read: checked again
	 * once its referrer is validated (ud_file_same). */
	struct inode *inode;
	struct dentry *leaf;
	struct vfsmount *vmnt;
	struct dentry *dentry;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 off;
	__u32 done;
};

struct ud_xa_walk {
	struct xa_node *node[UD_XA_STACK];
	__u8 slot[UD_XA_STACK];
	__s32 depth;    /* -1 when done */
	__u32 count;    /* leaf entries seen */
	__u32 keep;     /* copy the first UD_XA_OUT_MAX leaves to out[] */
	__u32 bound_hit;
	/* A thread's context (UD_XA_TCTX): leaves are io_tctx_node, and only
	 * those of this task for a ring not being torn down count. */
	struct task_struct *task;
	__u64 out[UD_XA_OUT_MAX];
};

struct ud_tctx_walk {
	struct io_uring_task *tctx;
	struct task_struct *task;
	__u32 tid;
	__u32 nr_used;     /* leaves of tctx->xa, in xw.out[] */
	__u32 resume_from; /* rings before this index were emitted by an earlier pass */
	__u32 stopped_at;  /* first ring whose record did not fit, or ~0 */
};

/* Looking for the fd by which a process holds a ring (uringdump.bpf.c). */
struct ud_fd_scan {
	struct file **fd;         /* the fd table's array */
	unsigned long *open_fds;  /* its bitmap */
	struct io_ring_ctx *ctx;  /* the ring */
	struct file *file;        /* its file, once found */
	__u64 word;
	__u32 max;
	__u32 next;               /* next fd to look at */
	__s32 found;              /* the fd, or -1 */
	__u32 pad;
};

/* Counting the requests of a ring (ud_ring_busy.bpf.h). */
struct ud_busy_walk {
	struct io_wq_work_node *node; /* free cache: next node to count */
	void *hbs;                    /* cancel_table buckets */
	__u32 nr_buckets;
	__u32 bucket;
	__u32 stride;
	__u32 list_off;
	__u32 count;
	__u32 done;
	/* The in-flight count of the tasks using a ring (ud_tasks_inflight). */
	struct list_head *head;       /* &ctx->tctx_list */
	struct list_head *pos;        /* the node whose task is being counted */
	struct io_uring_task *tctx;   /* that task's context, 0 between tasks */
	struct io_uring_task *sq_tctx;/* the SQPOLL thread's, counted last */
	__s32 *counters;              /* its percpu counter's per-CPU deltas */
	__s64 sum;                    /* of the task being counted */
	__s64 total;
	__u32 cpu;
	__u32 failed;
};

/* Listing the requests of a ring (ud_reqs.bpf.h). */
struct ud_reqs_walk {
	struct ud_req rec;      /* the record being filled */
	struct io_ring_ctx *ctx;
	void *hbs;              /* a hash phase: its buckets */
	void *head;             /* the list being walked: its head */
	void *from;             /* where the next node's address is read (head, then the node before) */
	void *prev;             /* what pointed to from (0 while from is the head) */
	void *node;             /* the node read last */
	void *req;              /* its request */
	void *chain;            /* a chain being followed: the request after req */
	__u64 ident;            /* a resumed walk: the node expected at the cursor */
	__u64 last_file;        /* last FILE record this walk emitted */
	__u64 at_user_data;     /* user_data of the request of the node at from */
	__u32 phase;            /* UD_RQ_* list */
	__u32 bucket;
	__u32 nr_buckets;
	__u32 stride;           /* io_hash_bucket size, and its list's offset */
	__u32 list_off;
	__u32 index;            /* nodes of this list before node */
	__u32 skip;             /* a resumed walk: nodes still to pass */
	__u32 open;             /* a list is being walked */
	__u32 done;
	__u32 chain_len;
	__u32 retries;          /* times the open list was read again from its head */
	__u32 tidx;             /* an io-wq phase: index of tnode on ctx->tctx_list */
	void *tnode;            /* ... that node (the list head before the first, UD_RQ_SQ_TASK after the last) */
};

/* An escaped name (ud_stash_name): a prefix of at most 11 bytes
 * ("anon_inode:"), at most 4 bytes for each of the 256 bytes of a path,
 * " (deleted)", a newline: 1046 bytes. Offsets are masked with
 * UD_TEXT_NAME - 1, and the array has room for the longest piece written
 * at a masked offset. */
#define UD_TEXT_NAME 2048
#define UD_TEXT_NAME_MAX (11 + 4 * 256 + 10 + 1)

/* The pinnable text iterators' working memory (uringdump_text.bpf.c). */
struct ud_text {
	char line[512];        /* the line being formatted (a power of two: masks) */
	char name[UD_TEXT_NAME + 16]; /* name of the file of the last FILE record, escaped */
	char raw[512 + 8];     /* that name as read or joined (at most 256 bytes), NULs after it: sequences
	                        * are checked 3 bytes ahead; room for a component at a masked offset */
	__u64 args[8];         /* bpf_snprintf arguments of the line */
	__u64 buf_addr;        /* user address of the buffer whose segments follow */
	__s32 fd;              /* the ring or epoll fd being printed */
	__u32 kind;            /* which table this iterator prints */
	__u32 name_len;        /* bytes in name[] */
	__u32 raw_len;         /* bytes in raw[] */
	__u32 raw_at;          /* escaping: the next byte of raw[] */
	__u32 copy;            /* escaping: bytes of a valid sequence still to copy */
	__u32 hex;             /* escaping: bytes of a hidden character still to write as \xHH */
};

struct ud_state {
	struct ud_obj obj;
	struct ud_text text;
	struct ud_files_walk fw;
	struct ud_bufs_walk bw;
	struct ud_epoll_walk ew;
	struct ud_path_walk pw;
	struct ud_xa_walk xw[2]; /* [UD_XA_COUNT]: counting; [UD_XA_TCTX]: a thread's rings */
	struct ud_tctx_walk tw;
	struct ud_fd_scan fs;
	struct ud_busy_walk busy;
	struct ud_reqs_walk rw;
	union {
		struct ud_ring ring;
		struct ud_file file;
		/* A bounded copy into the end of ud_file.path may run past it. */
		char slack[sizeof(struct ud_file) + UD_PATH_MAX];
	} big;
};

/* What every walker function gets: where output goes and the state. */
struct ud_out {
	struct seq_file *seq;
	struct ud_state *st;
};

#endif
