/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel types uringdump's BPF programs read, declared by hand.
 *
 * This is deliberately not a `bpftool btf dump` of the build host: it holds
 * only the fields the programs touch, every struct is marked
 * preserve_access_index, and libbpf relocates each access against the BTF of
 * the kernel the programs load on. Field order and offsets here mean nothing;
 * names and types do.
 *
 * Layouts that changed between 6.1 and 6.18 are declared twice, the older one
 * as a "___flat" / "___old" flavour (libbpf ignores the suffix when matching
 * names); the programs pick one with bpf_core_field_exists():
 *   - 6.1 .. 6.12: io_ring_ctx.file_table.files[] with nr_user_files, and
 *     io_ring_ctx.user_bufs[] with nr_user_bufs; an empty buffer slot points
 *     at a dummy io_mapped_ubuf whose ubuf is -1.
 *   - 6.13+: file_table.data and buf_table are struct io_rsrc_data
 *     { nr, nodes[] }; an empty slot is a NULL node.
 *   - io_mapped_ubuf: ubuf_end up to 6.10, len and folio_shift from 6.11/6.12,
 *     is_kbuf from 6.15.
 */
#ifndef UD_VMLINUX_CORE_H
#define UD_VMLINUX_CORE_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u64 __be64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef int pid_t;
typedef __u32 dev_t;
typedef __u16 umode_t;
typedef __u32 __poll_t;
typedef struct {
	int counter;
} atomic_t;

/* UAPI constants (stable ABI, include/uapi/linux/bpf.h). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
};
enum {
	BPF_F_NO_PREALLOC = 1,
};
enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_bl_node {
	struct hlist_bl_node *next, **pprev;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

/* __PERCPU_REF_DEAD (bit 1 of percpu_count_ptr): percpu_ref_kill() ran. */
struct percpu_ref {
	unsigned long percpu_count_ptr;
};

struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

struct rb_root_cached {
	struct rb_root rb_root;
	struct rb_node *rb_leftmost;
};

/* Only its size is used: the stride of the vmemmap array. */
struct page {
	unsigned long flags;
};

struct seq_file;
struct file_operations;
struct io_ev_fd;

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry;
struct dentry_operations {
	char *(*d_dname)(struct dentry *, char *, int);
};

struct super_block {
	dev_t s_dev;
	unsigned long s_magic;
};

struct inode {
	umode_t i_mode;
	struct super_block *i_sb;
	unsigned long i_ino;
};

struct dentry {
	struct hlist_bl_node d_hash;
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	const struct dentry_operations *d_op;
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	const struct file_operations *f_op;
	void *private_data;
};

/* ---- xarray (task io_uring context, buffer groups, personalities) ---- */

struct xarray {
	void *xa_head;
};

struct xa_node {
	unsigned char shift;
	unsigned char offset;
	unsigned char count;
	void *slots[64];
};

/* ---- io_uring ---- */

struct io_uring {
	__u32 head;
	__u32 tail;
};

struct io_rings {
	struct io_uring sq;
	struct io_uring cq;
	__u32 sq_dropped;
	atomic_t sq_flags;
	__u32 cq_overflow;
};

struct bio_vec {
	struct page *bv_page;
	unsigned int bv_len;
	unsigned int bv_offset;
};

/* 6.11+ */
struct io_mapped_ubuf {
	__u64 ubuf;
	unsigned int len;
	unsigned int nr_bvecs;
	unsigned int folio_shift;
	bool is_kbuf; /* 6.15+ */
	struct bio_vec bvec[];
};

/* up to 6.10 */
struct io_mapped_ubuf___old {
	__u64 ubuf;
	__u64 ubuf_end;
	unsigned int nr_bvecs;
	struct bio_vec bvec[];
};

/* 6.13+ */
struct io_rsrc_node {
	union {
		unsigned long file_ptr;
		struct io_mapped_ubuf *buf;
	};
};

struct io_rsrc_data {
	unsigned int nr;
	struct io_rsrc_node **nodes;
};

struct io_file_table {
	struct io_rsrc_data data;
	unsigned long *bitmap;
};

/* 6.1 .. 6.12 */
struct io_fixed_file {
	unsigned long file_ptr;
};

struct io_file_table___flat {
	struct io_fixed_file *files;
	unsigned long *bitmap;
};

/* Requests in flight (bpf/ud_ring_busy.bpf.h). */
struct hlist_head {
	void *first;
};

struct llist_head {
	void *first;
};

struct io_wq_work_node {
	struct io_wq_work_node *next;
};

struct io_wq_work_list {
	struct io_wq_work_node *first;
	struct io_wq_work_node *last;
};

struct io_submit_state {
	struct io_wq_work_node free_list;
};

struct io_hash_bucket {
	struct hlist_head list;
};

struct io_hash_table {
	struct io_hash_bucket *hbs;
	unsigned int hash_bits;
};

struct io_restriction {
	bool registered;
};

struct io_sq_data {
	struct task_struct *thread;
	int sq_cpu;
	pid_t task_pid;
};

/* Requests (bpf/ud_reqs.bpf.h). Stable from 6.1 to 6.18 except where noted:
 * io_kiocb.flags is an unsigned int on 6.1 and a u64 from 6.2 (the low 32
 * bits are read, little-endian, the bits that matter are below 32); the
 * poll, timeout and list members sit in anonymous unions on some kernels,
 * which CO-RE looks through. */
struct llist_node {
	struct llist_node *next;
};

struct io_cqe {
	__u64 user_data;
	__s32 res;
};

struct io_task_work {
	struct llist_node node;
};

/* A request's io-wq work item. flags became an atomic_t in 6.3; 6.1's
 * plain int is the ___old flavour (CO-RE does not match a struct with an
 * int). IO_WQ_WORK_* bits are the same on every kernel. */
struct io_wq_work {
	struct io_wq_work_node list;
	atomic_t flags;
};

struct io_wq_work___old {
	struct io_wq_work_node list;
	unsigned int flags;
};

struct io_kiocb {
	struct io_wq_work work;
	struct file *file;
	__u8 opcode;
	unsigned int flags;
	struct io_cqe cqe;
	struct io_ring_ctx *ctx;
	struct io_wq_work_node comp_list;
	struct io_task_work io_task_work;
	struct hlist_node hash_node;
	struct async_poll *apoll;
	void *async_data;
	struct io_kiocb *link;
};

struct io_poll {
	__poll_t events;
};

struct async_poll {
	struct io_poll poll;
};

/* In the request's command area (offset 0 of io_kiocb). */
struct io_timeout {
	__u32 off;
	struct list_head list;
	struct io_kiocb *head;
};

struct timerqueue_node {
	__s64 expires;
};

struct hrtimer {
	struct timerqueue_node node;
};

struct io_timeout_data {
	struct hrtimer timer;
	__u32 flags;
};

struct io_defer_entry {
	struct list_head list;
	struct io_kiocb *req;
};

struct io_uring_cqe {
	__u64 user_data;
	__s32 res;
};

struct io_overflow_cqe {
	struct list_head list;
	struct io_uring_cqe cqe;
};

struct io_ring_ctx {
	struct percpu_ref refs; /* killed when the ring's last file reference went */
	unsigned int flags;
	struct io_rings *rings;
	unsigned int cached_sq_head;
	unsigned int sq_entries;
	unsigned int cached_cq_tail;
	unsigned int cq_entries;
	struct io_file_table file_table;
	struct io_rsrc_data buf_table;
	struct xarray io_bl_xa;
	struct xarray personalities;
	struct io_ev_fd *io_ev_fd;
	struct io_sq_data *sq_data;
	struct list_head cq_overflow_list;
	__u32 iowq_limits[2];
	struct list_head napi_list; /* 6.10+, CONFIG_NET_RX_BUSY_POLL */
	struct xarray zcrx_ctxs;    /* 6.17+ */
	void *ifq;                  /* 6.15..6.16: a single zcrx interface queue */
	unsigned int nr_req_allocated;       /* recent kernels only */
	struct io_submit_state submit_state;
	struct io_hash_table cancel_table;
	struct io_hash_table cancel_table_locked; /* up to 6.12: polls armed under uring_lock */
	struct list_head timeout_list;
	struct list_head ltimeout_list;
	struct io_wq_work_list iopoll_list;
	struct list_head defer_list;
	struct llist_head work_llist;        /* 6.1+: DEFER_TASKRUN completions */
	struct llist_head retry_llist;       /* recent kernels: task work run later */
	struct hlist_head cancelable_uring_cmd; /* 6.6+ */
	struct hlist_head futex_list;        /* 6.7+ */
	struct hlist_head waitid_list;       /* 6.7+ */
	struct list_head tctx_list;          /* io_tctx_node.ctx_node of each task using the ring */
	struct io_restriction restrictions;
};

struct io_ring_ctx___flat {
	struct io_file_table___flat file_table;
	unsigned int nr_user_files;
	unsigned int nr_user_bufs;
	struct io_mapped_ubuf___old **user_bufs;
	void *io_bl; /* 6.1 .. 6.8: array of the first 64 buffer groups */
};

struct io_tctx_node {
	struct list_head ctx_node;
	struct task_struct *task;
	struct io_ring_ctx *ctx;
};

/*
 * io-wq: each task that uses io_uring has one (io_uring_task.io_wq), with a
 * bound and an unbound account (acct[0], acct[1]), each with the work queued
 * for it; its workers run one request each (cur_work).
 *   - 6.12: io_wq.acct[2]; the workers on io_wq.all_list.
 *   - 6.18: the same, but each account has its own workers' all_list.
 *   - 6.1: io_wq.wqes[nr_node_ids], an io_wqe per NUMA node, each with
 *     acct[2] and the workers of that node on all_list.
 * Up to 6.12 a worker also names the work it took from the list before it
 * runs it (next_work).
 */
struct io_wq_acct {
	struct list_head all_list;
	struct io_wq_work_list work_list;
};

struct io_wqe_acct {
	struct io_wq_work_list work_list;
};

struct io_wq;

struct io_wqe {
	struct io_wqe_acct acct[2];
	int node;
	struct list_head all_list;
	struct io_wq *wq;
};

struct io_wq {
	struct io_wq_acct acct[2];
	struct list_head all_list;
	struct io_wqe *wqes[0];
};

struct io_worker {
	struct list_head all_list;
	struct task_struct *task;
	struct io_wq_work *cur_work;
	struct io_wq_work *next_work;
};

struct percpu_counter {
	__s64 count;
	__s32 *counters; /* per CPU */
};

struct io_uring_task {
	int cached_refs;
	struct io_wq *io_wq;
	struct file *registered_rings[16];
	struct xarray xa;
	struct percpu_counter inflight;
};

struct fs_struct {
	struct path root;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
	unsigned long *open_fds;
};

struct files_struct {
	struct fdtable *fdt;
};

/* x86 and arm64 keep the CPU a task runs on here (CONFIG_THREAD_INFO_IN_TASK). */
struct thread_info {
	__u32 cpu;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int flags; /* PF_EXITING: 0x4 */
	pid_t pid;
	pid_t tgid;
	char comm[16];
	struct task_struct *group_leader;
	struct io_uring_task *io_uring;
	struct fs_struct *fs;
	struct files_struct *files;
};

/* ---- epoll ---- */

struct epoll_filefd {
	struct file *file;
	int fd;
} __attribute__((packed));

struct epoll_event {
	__poll_t events;
	__u64 data;
} __attribute__((packed));

struct epitem {
	struct rb_node rbn;
	struct epoll_filefd ffd;
	struct hlist_node fllink; /* on the target file's f_ep list; pprev poisoned once removed */
	struct epoll_event event;
};

struct eventpoll {
	struct rb_root_cached rbr;
};

/* ---- BPF iterator contexts ---- */

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task_file {
	union {
		struct bpf_iter_meta *meta;
	};
	union {
		struct task_struct *task;
	};
	__u32 fd;
	union {
		struct file *file;
	};
};

struct bpf_iter__task {
	union {
		struct bpf_iter_meta *meta;
	};
	union {
		struct task_struct *task;
	};
};

#pragma clang attribute pop

#endif
