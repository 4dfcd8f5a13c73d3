/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The binary record stream between the BPF programs and the C++ readers.
 *
 * Every record starts with struct ud_hdr and has a fixed size per type, a
 * multiple of 8 so that records stay aligned in the stream. The C++ side
 * rejects a record whose size does not match its type: a BPF object and a
 * binary built from different versions of this header never mix silently.
 *
 * "Identity" fields (file, ctx, ep, page) are kernel addresses. They are only
 * used to join records to each other inside one snapshot and never printed;
 * page addresses are turned into page frame numbers by the reader.
 */
#ifndef UD_RECORDS_H
#define UD_RECORDS_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define UD_RECORDS_VERSION 1

enum ud_rec_type {
	UD_REC_TASK_FD = 1,   /* one open fd of a process */
	UD_REC_PROC = 2,      /* one process (thread group leader): comm */
	UD_REC_RING = 3,      /* one io_uring instance and its state */
	UD_REC_RING_FILE = 4, /* one used slot of a ring's fixed-file table */
	UD_REC_RING_BUF = 5,  /* one registered buffer */
	UD_REC_BUF_SEG = 6,   /* one bio_vec of a registered buffer */
	UD_REC_EPOLL = 7,     /* one epoll instance */
	UD_REC_EPOLL_ITEM = 8,/* one epitem of an epoll instance */
	UD_REC_FILE = 9,      /* identity, inode and path of a file that a ring or epoll refers to */
	UD_REC_CONT = 10,     /* a table walk stopped at the per-object output budget; resume here */
	UD_REC_WARN = 11,     /* a bounded walk hit its bound or read inconsistent data */
	UD_REC_CHUNK = 12,    /* opens the continuation of a table walk in a resume pass */
	UD_REC_COUNT = 13,    /* summary mode: how many entries a table walk counted */
	UD_REC_REQ = 14,      /* one request the ring holds on one of its lists */
};

/*
 * Scoping: RING_FILE, RING_BUF and BUF_SEG records belong to the last RING
 * record before them, EPOLL_ITEM records to the last EPOLL record, and after a
 * CHUNK record to the owner that CHUNK names. FILE records may appear anywhere
 * before the first record that refers to their file.
 */

/* How a ring was found. */
enum ud_ring_via {
	UD_VIA_FD = 0,         /* an open fd of the process */
	UD_VIA_REGISTERED = 1, /* task->io_uring->registered_rings[] (IORING_REGISTER_RING_FDS) */
	UD_VIA_TCTX = 2,       /* task->io_uring->xa: a ring this thread has submitted to */
};

/* Which table a CONT / TABLE_END / WARN record is about. */
enum ud_table {
	UD_TABLE_FILES = 1,
	UD_TABLE_BUFS = 2,
	UD_TABLE_EPOLL = 3,
	UD_TABLE_TCTX = 4,  /* a thread's io_uring context (registered and used rings) */
	UD_TABLE_PATH = 5,  /* the dentry walk of a file's path */
	UD_TABLE_REQS = 6,  /* the lists of a ring where its requests wait */
};

/* Kernel layout the BPF side detected through CO-RE field checks. */
enum ud_layout {
	UD_LAYOUT_UNKNOWN = 0,
	UD_LAYOUT_FLAT = 1,  /* 6.1 .. 6.12: file_table.files[], user_bufs[] */
	UD_LAYOUT_RSRC = 2,  /* 6.13+: io_rsrc_data { nr, nodes[] } */
};

/* ud_file.flags */
#define UD_FILE_DELETED   0x1 /* dentry unlinked: d_path appends " (deleted)" */
#define UD_FILE_DNAME     0x2 /* dentry has d_op->d_dname: a pseudo file ("socket:[..]") */
#define UD_FILE_TRUNCATED 0x4 /* path deeper or longer than the record holds */
#define UD_FILE_DETACHED  0x8 /* walk ended at a mount that is not the root of the tree */

/* ud_ring_buf.flags */
#define UD_BUF_KERNEL     0x1 /* a kernel-provided buffer (ublk/zero copy), no user address */

#define UD_PATH_MAX  256 /* path bytes a FILE record carries (components, leaf first) */

struct ud_hdr {
	__u16 type;
	__u16 size;
	__u32 pid; /* thread group id of the process the record belongs to */
};

struct ud_task_fd {
	struct ud_hdr hdr;
	__s32 fd;
	__u32 kind; /* 0 other, 1 io_uring, 2 epoll */
	__u64 file;
	__u64 f_op;
};

struct ud_proc {
	struct ud_hdr hdr;
	char comm[16];
};

struct ud_ring {
	struct ud_hdr hdr;
	/* -1 when found through the task context only; a ring the context
	 * reaches that no fd of the process reached before in this snapshot
	 * carries the fd the process holds it by now, if any (a TASK_FD
	 * record for it precedes it). */
	__s32 fd;
	__u32 via;             /* enum ud_ring_via */
	__u32 tid;             /* thread whose io_uring context refers to it (via != FD) */
	__s32 reg_index;       /* slot in registered_rings[], -1 if none */
	__u64 ctx;             /* struct io_ring_ctx identity */
	__u64 file;            /* struct file identity, 0 if unknown */
	__u32 flags;           /* IORING_SETUP_* */
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 sq_head;         /* rings->sq.head: what the kernel consumed, as user space sees it */
	__u32 sq_tail;         /* rings->sq.tail: what user space submitted */
	__u32 cq_head;         /* rings->cq.head: what user space reaped */
	__u32 cq_tail;         /* rings->cq.tail: what the kernel posted */
	__u32 cached_sq_head;  /* ctx->cached_sq_head */
	__u32 cached_cq_tail;  /* ctx->cached_cq_tail */
	__u32 cq_overflow;     /* rings->cq_overflow */
	__u32 sq_dropped;      /* rings->sq_dropped */
	__u32 sq_flags;        /* rings->sq_flags */
	__s32 sq_thread_pid;   /* -1 without SQPOLL */
	__s32 sq_thread_cpu;   /* -1 when not pinned or no SQPOLL */
	__u32 nr_files;        /* size of the fixed-file table (slots) */
	__u32 nr_bufs;         /* size of the registered-buffer table (slots) */
	__u32 buf_groups;      /* provided-buffer groups */
	__u32 personalities;   /* registered credentials */
	__u32 iowq_max[2];     /* io-wq worker limits (bounded, unbounded), 0 = default */
	__u8 has_eventfd;
	__u8 overflow_pending; /* cq_overflow_list not empty */
	__u8 napi;             /* NAPI busy polling entries registered */
	__u8 zcrx;             /* zero-copy receive areas registered */
	__u32 layout;          /* enum ud_layout */
	__u32 counts_partial;  /* buf_groups/personalities could not be counted completely */
	__u32 alias;           /* 1: tables were emitted under another fd or process in this snapshot */
	/* Whether the ring holds requests (bpf/ud_ring_busy.bpf.h); UD_UNKNOWN
	 * where this kernel does not say. */
	__u32 req_allocated;   /* ctx->nr_req_allocated: requests the ring allocated */
	__u32 req_cached;      /* of those, the ones idle in its free cache */
	__u32 busy;            /* UD_BUSY_*: kernel lists that hold waiting requests */
	__u32 restricted;      /* IORING_REGISTER_RESTRICTIONS applied */
	/* Kernels without nr_req_allocated: requests the tasks using the ring
	 * (and its SQPOLL thread) have in flight in any ring, UD_UNKNOWN when
	 * they could not be counted. 0 means this ring has none either. */
	__u32 tasks_inflight;
	__u32 pad2;
};

#define UD_UNKNOWN 0xffffffffU

/* ud_ring.busy */
#define UD_BUSY_POLL     0x1  /* cancel_table: armed polls (a read on an empty pipe, ...) */
#define UD_BUSY_TIMEOUT  0x2  /* timeout_list */
#define UD_BUSY_IOPOLL   0x4  /* iopoll_list: IORING_SETUP_IOPOLL requests issued */
#define UD_BUSY_DEFER    0x8  /* defer_list: drained (IOSQE_IO_DRAIN) requests */
#define UD_BUSY_TASKWORK 0x10 /* work_llist, retry_llist: completions waiting for task work */
#define UD_BUSY_URING_CMD 0x20 /* cancelable_uring_cmd: driver commands (ublk, NVMe passthrough) */
#define UD_BUSY_FUTEX    0x40 /* futex_list: futex waits */
#define UD_BUSY_WAITID   0x80 /* waitid_list: waitid calls */

/*
 * ud_req.waiting: the list of the ring the request was found on. Every
 * list but the overflow list holds a struct io_kiocb; the overflow list
 * holds completions that did not fit in the CQ ring, which have no
 * request any more (opcode UD_REQ_NO_OPCODE).
 */
enum ud_req_wait {
	UD_WAIT_POLL = 1,      /* cancel_table(_locked): a poll armed on its file */
	UD_WAIT_TIMEOUT = 2,   /* timeout_list */
	UD_WAIT_LTIMEOUT = 3,  /* ltimeout_list: a linked timeout, armed */
	UD_WAIT_IOPOLL = 4,    /* iopoll_list: issued, completion polled for */
	UD_WAIT_DRAIN = 5,     /* defer_list: held back by IOSQE_IO_DRAIN */
	UD_WAIT_TASK_WORK = 6, /* work_llist / retry_llist: waiting for the task to run it */
	UD_WAIT_URING_CMD = 7, /* cancelable_uring_cmd: a driver holds it */
	UD_WAIT_FUTEX = 8,     /* futex_list */
	UD_WAIT_WAITID = 9,    /* waitid_list */
	UD_WAIT_OVERFLOW = 10, /* cq_overflow_list: a completion, no request */
	UD_WAIT_LINKED = 11,   /* on no list: behind the request before it in a chain */
	UD_WAIT_IOWQ = 12,     /* io-wq of a task using the ring: queued, or run by a worker */
};

#define UD_REQ_NO_OPCODE 0xff

/* ud_req.detail */
#define UD_REQ_MULTISHOT  0x1 /* poll: armed without EPOLLONESHOT */
#define UD_REQ_POLL_ADD   0x2 /* poll: an IORING_OP_POLL_ADD (io_poll in the request), not an armed one */
#define UD_REQ_HAS_TIMER  0x4 /* timeout: expires and clock are known */
#define UD_REQ_IOWQ_RUNNING 0x8  /* io-wq: a worker runs it (target: the worker's tid), else queued */
#define UD_REQ_IOWQ_UNBOUND 0x10 /* io-wq: for an unbound worker (IO_WQ_WORK_UNBOUND) */
#define UD_REQ_IOWQ_HASHED  0x20 /* io-wq: hashed, run after earlier work of its file (IO_WQ_WORK_HASHED) */

struct ud_req {
	struct ud_hdr hdr;
	__u8 waiting;     /* enum ud_req_wait */
	__u8 opcode;      /* IORING_OP_*, UD_REQ_NO_OPCODE for an overflowed completion */
	__u8 detail;      /* UD_REQ_* */
	__u8 clock;       /* timeout: 0 monotonic, 1 boottime, 2 realtime */
	__u32 poll_events;/* poll: the mask armed; overflow: the completion's res */
	__u64 req;        /* struct io_kiocb identity (0: overflow) */
	__u64 user_data;
	__u64 file;       /* req->file identity, 0 if none */
	__u64 link;       /* next request of its chain, 0 if none */
	__u64 flags;      /* REQ_F_* bits (kernel-specific beyond the low ones) */
	__s64 expires;    /* timeout: hrtimer expiry on its clock, ns */
	__u64 target;     /* linked timeout: the request it guards; timeout: its count;
			   * io-wq, running: the worker's tid */
};

struct ud_ring_file {
	struct ud_hdr hdr;
	__u32 slot;
	__u32 mode;   /* inode i_mode */
	__u64 file;
	__u64 ino;
	__u32 dev;    /* superblock s_dev, kernel encoding (major << 20 | minor) */
	__u32 pad;
};

struct ud_ring_buf {
	struct ud_hdr hdr;
	__u32 slot;
	__u32 nr_bvecs;
	__u64 addr;
	__u64 len;
	__u32 folio_shift;
	__u32 flags;  /* UD_BUF_* */
};

struct ud_buf_seg {
	struct ud_hdr hdr;
	__u32 slot;
	__u32 index;  /* bio_vec index within the buffer */
	__u64 page;   /* struct page address; the reader turns it into a pfn */
	__u32 offset; /* bv_offset: may exceed the page size for a folio */
	__u32 len;
};

struct ud_epoll {
	struct ud_hdr hdr;
	__s32 fd;
	__u32 alias;  /* 1: the items were emitted under another fd or process in this snapshot */
	__u64 file;
	__u64 ep;     /* struct eventpoll identity */
};

struct ud_epoll_item {
	struct ud_hdr hdr;
	__s32 tfd;    /* the fd number given to epoll_ctl(ADD) */
	__u32 events;
	__u64 data;
	__u64 file;
	__u64 ino;
};

struct ud_file {
	struct ud_hdr hdr;
	__u32 flags;   /* UD_FILE_* */
	__u32 mode;
	__u64 file;
	__u64 ino;
	__u64 magic;   /* superblock s_magic */
	__u32 dev;
	__u16 path_len;   /* bytes used in path[] */
	__u16 ncomp;      /* components in path[] */
	/* Components leaf first, each as one length byte and the name bytes. For a
	 * UD_FILE_DNAME file only the dentry's own name is present. */
	char path[UD_PATH_MAX];
};

struct ud_cont {
	struct ud_hdr hdr;
	__u32 table;   /* enum ud_table */
	__u32 pad;
	__u64 owner;   /* ctx or ep identity */
	__u64 cursor;  /* next slot, or for epoll the file of the next item */
	__s64 cursor2; /* buffers: next bio_vec of that slot; epoll: fd of the next item */
	__u64 token;   /* the object that continues: tgid:fd, or tid:~0 for a thread's context */
	/* Buffers stopped inside one: that buffer's io_mapped_ubuf and user
	 * address, which the next pass checks before it continues (a buffer
	 * replaced between passes must not lend it its bio_vecs). */
	__u64 ident;
	__u64 ident2;
};

struct ud_count {
	struct ud_hdr hdr;
	__u32 table;   /* UD_TABLE_FILES or UD_TABLE_EPOLL */
	__u32 pad;
	__u64 owner;   /* ctx or ep identity */
	__u64 count;
};

struct ud_chunk {
	struct ud_hdr hdr;
	__u32 table;
	__u32 pad;
	__u64 owner;
};

struct ud_warn {
	struct ud_hdr hdr;
	__u32 table;
	__u32 code;    /* enum ud_warn_code */
	__u64 owner;
	__u64 value;
};

enum ud_warn_code {
	UD_WARN_BOUND = 1,      /* a loop bound was reached: the walk is incomplete */
	UD_WARN_READ = 2,       /* a kernel read failed: the entry is missing */
	UD_WARN_LAYOUT = 3,     /* no known layout for this table on this kernel */
	/* An entry changed while it was read: checked again once read, it no
	 * longer was what had been read. `value` names it: FILES the slot and
	 * EPOLL the item's tfd (their records were not emitted; EPOLL ~0: a
	 * node found removed from the tree, below which the walk did not go);
	 * BUFS the slot,
	 * whose RING_BUF and BUF_SEG records are to be dropped; TCTX the thread
	 * and registered index ((tid << 32) | (__u32)reg_index) through which
	 * the RING record `owner` was reached, to be dropped with its tables. */
	UD_WARN_CHANGED = 4,
};

/* Key of the resume map: which table of which object to continue. Per
 * process: processes sharing a ring or epoll set each walk its tables. */
struct ud_resume_key {
	__u64 owner;
	__u32 table;
	__u32 tgid;
};

struct ud_resume_val {
	__u64 cursor;
	__s64 cursor2;
	__u64 token;
	__u64 ident;   /* ud_cont.ident, ident2 */
	__u64 ident2;
};

#endif
