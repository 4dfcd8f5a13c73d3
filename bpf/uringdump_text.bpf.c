// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pinnable text iterators (`uringdump iter pin KIND PATH`): the walkers of
 * uringdump.bpf.c, printing lines instead of records, so that `cat PATH`
 * shows the kernel's state without uringdump running:
 *
 *   ud_text_files  one line per used fixed-file slot of every ring fd
 *   ud_text_bufs   one line per bio_vec of every registered buffer, with its
 *                  page frame number
 *   ud_text_epoll  one line per item of every epoll fd
 *
 * Only rings held by an fd are printed (the task_file iterator visits fds);
 * `uringdump show` also finds rings that live in a thread's context only.
 * The kernel gives each open file at most 32 KiB of output per read, and a
 * pinned iterator cannot resume as uringdump's reader does: a table larger
 * than that ends with a line saying so, never silently.
 *
 * uringdump writes the settings below (and the fops of ud_common.bpf.h)
 * before it attaches and pins; the pinned link keeps them.
 */
#define UD_TEXT_OUTPUT
#include "ud_common.bpf.h"
#include "ud_ring.bpf.h"
#include "ud_epoll.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* From uringdump's calibration: the struct page array base, and whether it
 * was verified (otherwise frames print as "-"). */
__u64 ud_text_vmemmap_base;
__u32 ud_text_pfn_ok;

enum { UD_TEXT_FILES = 1, UD_TEXT_BUFS = 2, UD_TEXT_EPOLL = 3 };

/* include/uapi/linux/magic.h */
#define UD_SOCKFS_MAGIC 0x534F434B
#define UD_PIPEFS_MAGIC 0x50495045
#define UD_ANON_INODE_FS_MAGIC 0x09041934

static const char hdr_files[] = "PID RING_FD SLOT INO TYPE NAME\n";
static const char hdr_bufs[] = "PID RING_FD SLOT ADDR SEG PFN OFFSET LEN\n";
static const char hdr_epoll[] = "PID EPOLL_FD TFD EVENTS DATA INO NAME\n";
static const char fmt_file[] = "%d %d %u %lu %s %s\n";
static const char fmt_seg[] = "%d %d %u 0x%lx %u 0x%lx %u %u\n";
static const char fmt_seg_nopfn[] = "%d %d %u 0x%lx %u - %u %u\n";
static const char fmt_item[] = "%d %d %d 0x%x 0x%lx %lu %s\n";
static const char fmt_more[] =
	"%d %d ... more entries not shown: a kernel iterator prints at most 32 KiB per file; see uringdump show %d\n";
static const char fmt_warn[] = "%d %d ... the table changed while read: entries may be missing\n";
static const char fmt_changed[] = "%d %d ... slot or tfd %ld changed while read: not shown, or not to be trusted above\n";
static const char fmt_socket[] = "socket:[%lu]";
static const char fmt_pipe[] = "pipe:[%lu]";
static const char fmt_anon[] = "anon_inode:%s";
static const char fmt_deleted[] = "%s (deleted)";

static const char t_reg[] = "reg", t_dir[] = "dir", t_sock[] = "sock", t_fifo[] = "fifo", t_chr[] = "chr",
		  t_blk[] = "blk", t_lnk[] = "lnk", t_anon[] = "anon";

static __always_inline const char *ud_type_word(__u32 mode)
{
	switch (mode & 0170000) {
	case 0100000: return t_reg;
	case 0040000: return t_dir;
	case 0140000: return t_sock;
	case 0010000: return t_fifo;
	case 0020000: return t_chr;
	case 0060000: return t_blk;
	case 0120000: return t_lnk;
	default: return t_anon;
	}
}

/* Formats one line into the state and writes it, counting its real size. */
static __always_inline void ud_line(struct ud_out *o, const char *fmt, __u32 fmt_size, __u64 *args, __u32 nargs)
{
	struct ud_text *t = &o->st->text;
	long n = bpf_snprintf(t->line, sizeof(t->line), fmt, args, nargs * sizeof(__u64));

	if (n <= 1)
		return;
	n -= 1; /* the NUL */
	if (n > (long)sizeof(t->line) - 1)
		n = sizeof(t->line) - 1;
	barrier_var(n);
	n &= sizeof(t->line) - 1;
	bpf_seq_write(o->seq, t->line, n);
	o->st->obj.used += n;
}

/* The name of a FILE record's file: what d_dname makes of a pseudo file,
 * else its dentry's own name (the first component, leaf first). */
static __always_inline void ud_stash_name(struct ud_text *t, const struct ud_file *f)
{
	__u64 args[1];
	__u32 len = (__u8)f->path[0];

	t->name[0] = 0;
	if (f->ncomp && len < sizeof(t->name) - 1) {
		bpf_probe_read_kernel(t->name, len & 255, &f->path[1]);
		t->name[len & 255] = 0;
	}
	if (f->flags & UD_FILE_DELETED) {
		char leaf[64];

		bpf_probe_read_kernel_str(leaf, sizeof(leaf), t->name);
		args[0] = (__u64)leaf;
		bpf_snprintf(t->name, sizeof(t->name), fmt_deleted, args, sizeof(args));
	}
	if (!(f->flags & UD_FILE_DNAME))
		return;
	args[0] = f->ino;
	if (f->magic == UD_SOCKFS_MAGIC) {
		bpf_snprintf(t->name, sizeof(t->name), fmt_socket, args, sizeof(args));
	} else if (f->magic == UD_PIPEFS_MAGIC) {
		bpf_snprintf(t->name, sizeof(t->name), fmt_pipe, args, sizeof(args));
	} else if (f->magic == UD_ANON_INODE_FS_MAGIC) {
		/* The dentry name is "[eventfd]" and the like. */
		char leaf[64];

		bpf_probe_read_kernel_str(leaf, sizeof(leaf), t->name);
		args[0] = (__u64)leaf;
		bpf_snprintf(t->name, sizeof(t->name), fmt_anon, args, sizeof(args));
	}
}

static void ud_text_put(struct ud_out *o, const void *rec, __u32 size)
{
	struct ud_text *t = &o->st->text;
	const struct ud_hdr *h = rec;
	__u64 a[8];
	__u32 i;

	switch (h->type) {
	case UD_REC_FILE:
		ud_stash_name(t, rec);
		break;
	case UD_REC_RING_FILE:
		if (t->kind != UD_TEXT_FILES)
			break;
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = ((const struct ud_ring_file *)rec)->slot;
		a[3] = ((const struct ud_ring_file *)rec)->ino;
		a[4] = (__u64)ud_type_word(((const struct ud_ring_file *)rec)->mode);
		a[5] = (__u64)t->name;
		ud_line(o, fmt_file, sizeof(fmt_file), a, 6);
		break;
	case UD_REC_RING_BUF:
		t->buf_addr = ((const struct ud_ring_buf *)rec)->addr;
		break;
	case UD_REC_BUF_SEG:
		/* Segments come in batches (ud_emit_segs). */
		for (i = 0; i < 16; i++) {
			const struct ud_buf_seg *s = (const struct ud_buf_seg *)rec + i;
			__u64 first, pfn;

			if ((i + 1) * sizeof(*s) > size)
				break;
			if (t->kind != UD_TEXT_BUFS)
				break;
			/* The frame of the segment's first byte (bv_offset may
			 * run past the first page of a folio). */
			first = s->offset >> 12;
			a[0] = s->hdr.pid;
			a[1] = t->fd;
			a[2] = s->slot;
			a[3] = t->buf_addr;
			a[4] = s->index;
			if (ud_text_pfn_ok && ud_page_size && s->page >= ud_text_vmemmap_base) {
				pfn = (s->page - ud_text_vmemmap_base) / ud_page_size + first;
				a[5] = pfn;
				a[6] = s->offset & 4095;
				a[7] = s->len;
				ud_line(o, fmt_seg, sizeof(fmt_seg), a, 8);
			} else {
				a[5] = s->offset & 4095;
				a[6] = s->len;
				ud_line(o, fmt_seg_nopfn, sizeof(fmt_seg_nopfn), a, 7);
			}
		}
		break;
	case UD_REC_EPOLL_ITEM:
		if (t->kind != UD_TEXT_EPOLL)
			break;
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = (__s64)((const struct ud_epoll_item *)rec)->tfd;
		a[3] = ((const struct ud_epoll_item *)rec)->events;
		a[4] = ((const struct ud_epoll_item *)rec)->data;
		a[5] = ((const struct ud_epoll_item *)rec)->ino;
		a[6] = (__u64)t->name;
		ud_line(o, fmt_item, sizeof(fmt_item), a, 7);
		break;
	case UD_REC_CONT:
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = h->pid;
		ud_line(o, fmt_more, sizeof(fmt_more), a, 3);
		break;
	case UD_REC_WARN:
		a[0] = h->pid;
		a[1] = t->fd;
		if (((const struct ud_warn *)rec)->code == UD_WARN_CHANGED) {
			a[2] = ((const struct ud_warn *)rec)->value;
			ud_line(o, fmt_changed, sizeof(fmt_changed), a, 3);
		} else {
			ud_line(o, fmt_warn, sizeof(fmt_warn), a, 2);
		}
		break;
	default:
		break; /* TASK_FD, RING, EPOLL: no line of their own */
	}
}

/* Common start of the three programs; false when this fd is not printed. */
static __always_inline bool ud_text_begin(struct bpf_iter__task_file *ctx, struct ud_out *o, __u32 kind,
					  const char *hdr, __u32 hdr_size, __u64 want_fops)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	__u32 tgid;

	if (ctx->meta->seq_num == 0)
		bpf_seq_write(ctx->meta->seq, hdr, hdr_size - 1);
	if (!task || !file || !want_fops || (__u64)BPF_CORE_READ(file, f_op) != want_fops)
		return false;
	tgid = BPF_CORE_READ(task, tgid);
	if (!ud_begin(o, ctx->meta->seq, tgid, ud_token_fd(tgid, ctx->fd)))
		return false;
	o->st->text.kind = kind;
	o->st->text.fd = ctx->fd;
	o->st->text.name[0] = 0;
	return true;
}

static __always_inline int ud_text_ring(struct bpf_iter__task_file *ctx, __u32 kind, const char *hdr,
					__u32 hdr_size, __u32 tables)
{
	struct ud_ring_ref ref = { .fd = ctx->fd, .via = UD_VIA_FD, .reg_index = -1, .tables = tables };
	struct file *file = ctx->file;
	struct ud_out o;

	if (!file || !ud_text_begin(ctx, &o, kind, hdr, hdr_size, ud_ring_fops))
		return 0;
	ref.file = file;
	ref.ctx = BPF_CORE_READ(file, private_data);
	ud_emit_ring(&o, &ref);
	return 0;
}

SEC("iter/task_file")
int ud_text_files(struct bpf_iter__task_file *ctx)
{
	return ud_text_ring(ctx, UD_TEXT_FILES, hdr_files, sizeof(hdr_files), UD_WALK_FILES);
}

SEC("iter/task_file")
int ud_text_bufs(struct bpf_iter__task_file *ctx)
{
	return ud_text_ring(ctx, UD_TEXT_BUFS, hdr_bufs, sizeof(hdr_bufs), UD_WALK_BUFS);
}

SEC("iter/task_file")
int ud_text_epoll(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct ud_out o;

	if (!file || !ud_text_begin(ctx, &o, UD_TEXT_EPOLL, hdr_epoll, sizeof(hdr_epoll), ud_epoll_fops))
		return 0;
	ud_emit_epoll(&o, file, ctx->fd, false);
	return 0;
}
