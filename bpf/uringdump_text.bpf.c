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
 *   ud_text_reqs   one line per request on a list of every ring fd
 *                  (bpf/ud_reqs.bpf.h), with the name of its file
 *
 * Only rings held by an fd are printed (the task_file iterator visits fds);
 * `uringdump show` also finds rings that live in a thread's context only.
 * The kernel gives each open file at most 32 KiB of output per read, and a
 * pinned iterator cannot resume as uringdump's reader does: a table larger
 * than that ends with a line saying so, never silently.
 *
 * uringdump writes the settings below (and the fops and page shift of
 * ud_common.bpf.h) before it attaches and pins; the pinned link keeps them.
 *
 * Names are escaped as uringdump escapes them for a terminal
 * (src/render/name_text.h): a file name is anyone's bytes, and `cat` hands
 * them to the terminal as they are.
 */
#define UD_TEXT_OUTPUT
#include "ud_common.bpf.h"
#include "ud_ring.bpf.h"
#include "ud_epoll.bpf.h"
#include "ud_names.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* From uringdump's calibration: the struct page array base, and whether it
 * was verified (otherwise frames print as "-"). */
__u64 ud_text_vmemmap_base;
__u32 ud_text_pfn_ok;

enum { UD_TEXT_FILES = 1, UD_TEXT_BUFS = 2, UD_TEXT_EPOLL = 3, UD_TEXT_REQS = 4 };


static const char hdr_files[] = "PID RING_FD SLOT INO TYPE NAME\n";
static const char hdr_bufs[] = "PID RING_FD SLOT ADDR SEG PFN OFFSET LEN\n";
static const char hdr_epoll[] = "PID EPOLL_FD TFD EVENTS DATA INO NAME\n";
static const char hdr_reqs[] = "PID RING_FD USER_DATA OPCODE WAITING EVENTS NAME\n";
/* Lines of files and items end with the name, written after the numbers
 * (ud_line_name): bpf_snprintf copies %s arguments into 512 bytes shared by
 * all of them, too few for an escaped name. */
static const char fmt_file[] = "%d %d %u %lu %s ";
static const char fmt_seg[] = "%d %d %u 0x%lx %u 0x%lx %u %u\n";
static const char fmt_seg_nopfn[] = "%d %d %u 0x%lx %u - %u %u\n";
static const char fmt_item[] = "%d %d %d 0x%x 0x%lx %lu ";
/* OPCODE is the IORING_OP_* number; EVENTS the poll mask armed (0 but
 * for polls); NAME "-" for a request without a file. */
static const char fmt_req[] = "%d %d %lu %u %s 0x%x ";
static const char fmt_req_nofile[] = "%d %d %lu %u %s 0x%x -\n";
static const char fmt_more[] =
	"%d %d ... more entries not shown: a kernel iterator prints at most 32 KiB per file; see uringdump show %d\n";
static const char fmt_warn[] = "%d %d ... the table changed while read: entries may be missing\n";
static const char fmt_changed[] = "%d %d ... slot or tfd %ld changed while read: not shown, or not to be trusted above\n";
static const char fmt_socket[] = "socket:[%lu]";
static const char fmt_pipe[] = "pipe:[%lu]";
static const char anon_prefix[] = UD_NAME_ANON_PREFIX;
static const char deleted_suffix[] = UD_NAME_DELETED;
static const char truncated_prefix[] = UD_NAME_TRUNCATED;
static const char pidfd_name[] = UD_NAME_PIDFD_NAME;
static const char slash[] = "/";

static const char w_poll[] = "poll", w_timeout[] = "timeout", w_iopoll[] = "iopoll", w_drain[] = "drain",
		  w_task_work[] = "task_work", w_uring_cmd[] = "uring_cmd", w_futex[] = "futex", w_waitid[] = "waitid",
		  w_overflow[] = "overflow", w_linked[] = "linked", w_iowq[] = "io-wq";

/* show's "waiting" words (src/model/describe.cpp request_wait_name). */
static __always_inline const char *ud_wait_word(__u8 waiting)
{
	switch (waiting) {
	case UD_WAIT_POLL: return w_poll;
	case UD_WAIT_TIMEOUT:
	case UD_WAIT_LTIMEOUT: return w_timeout;
	case UD_WAIT_IOPOLL: return w_iopoll;
	case UD_WAIT_DRAIN: return w_drain;
	case UD_WAIT_TASK_WORK: return w_task_work;
	case UD_WAIT_URING_CMD: return w_uring_cmd;
	case UD_WAIT_FUTEX: return w_futex;
	case UD_WAIT_WAITID: return w_waitid;
	case UD_WAIT_OVERFLOW: return w_overflow;
	case UD_WAIT_IOWQ: return w_iowq;
	default: return w_linked;
	}
}

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

/* Whether c continues a UTF-8 sequence. */
static __always_inline bool ud_utf8_tail(__u8 c)
{
	return (c & 0xc0) == 0x80;
}

/* The length of the valid UTF-8 sequence that starts with c (c1..c3 after
 * it), or 0: RFC 3629, no overlong forms, no surrogates, nothing above
 * U+10FFFF. A truncated sequence meets the NULs after the name and fails. */
static __always_inline __u32 ud_utf8_len(__u8 c, __u8 c1, __u8 c2, __u8 c3)
{
	__u8 lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		return ud_utf8_tail(c1) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			lo = 0xa0; /* overlong below */
		if (c == 0xed)
			hi = 0x9f; /* surrogates above */
		return c1 >= lo && c1 <= hi && ud_utf8_tail(c2) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			lo = 0x90; /* overlong below */
		if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
		return c1 >= lo && c1 <= hi && ud_utf8_tail(c2) && ud_utf8_tail(c3) ? 4 : 0;
	}
	return 0;
}

/* Whether a valid sequence of n bytes encodes a C1 control (U+0080-U+009F),
 * U+2028-U+202E or U+2066-U+2069: written byte by byte as \xHH. */
static __always_inline bool ud_hidden(__u32 n, __u8 c, __u8 c1, __u8 c2)
{
	if (n == 2)
		return c == 0xc2 && c1 < 0xa0;
	if (n == 3 && c == 0xe2) {
		if (c1 == 0x80)
			return c2 >= 0xa8 && c2 <= 0xae;
		if (c1 == 0x81)
			return c2 >= 0xa6 && c2 <= 0xa9;
	}
	return false;
}

static __always_inline char ud_hex_digit(__u8 d)
{
	return d < 10 ? '0' + d : 'a' + d - 10;
}

/* Escapes one byte of t->raw onto the end of t->name: the bpf_loop callback
 * of ud_text_escape. Its cursors are read from the map value, unknown to the
 * verifier, so it checks this once rather than once per byte. */
static long ud_escape_step(__u32 i, void *data)
{
	struct ud_text *t = &((struct ud_out *)data)->st->text;
	__u32 at = t->raw_at, o = t->name_len, n;
	__u8 c, c1, c2, c3;
	char esc = 0;
	bool hex = false;

	if (at >= t->raw_len || at > 255)
		return 1;
	barrier_var(at);
	at &= 255;
	c = t->raw[at];
	c1 = t->raw[at + 1];
	c2 = t->raw[at + 2];
	c3 = t->raw[at + 3];
	t->raw_at = at + 1;
	if (t->hex) {
		t->hex--;
		hex = true;
	} else if (t->copy) {
		t->copy--;
	} else if (c == '\\') {
		esc = '\\';
	} else if (c == '\t') {
		esc = 't';
	} else if (c == '\n') {
		esc = 'n';
	} else if (c == '\r') {
		esc = 'r';
	} else if (c < 0x20 || c == 0x7f) {
		hex = true;
	} else if (c >= 0x80) {
		n = ud_utf8_len(c, c1, c2, c3);
		if (!n) {
			hex = true; /* not UTF-8: this byte alone */
		} else if (ud_hidden(n, c, c1, c2)) {
			t->hex = n - 1;
			hex = true;
		} else {
			t->copy = n - 1;
		}
	}
	barrier_var(o);
	o &= UD_TEXT_NAME - 1;
	if (hex) {
		t->name[o] = '\\';
		t->name[o + 1] = 'x';
		t->name[o + 2] = ud_hex_digit(c >> 4);
		t->name[o + 3] = ud_hex_digit(c & 15);
		t->name_len = o + 4;
	} else if (esc) {
		t->name[o] = '\\';
		t->name[o + 1] = esc;
		t->name_len = o + 2;
	} else {
		t->name[o] = c;
		t->name_len = o + 1;
	}
	return 0;
}

/* Appends a constant string (size with its NUL) to t->name. */
static __always_inline void ud_name_append(struct ud_text *t, const char *s, __u32 size)
{
	__u32 o = t->name_len;

	barrier_var(o);
	o &= UD_TEXT_NAME - 1;
	bpf_probe_read_kernel(&t->name[o], size - 1, s);
	t->name_len = o + size - 1;
}

/* Escapes t->raw[0..raw_len) onto the end of t->name. */
static __always_inline void ud_escape_raw(struct ud_out *o)
{
	struct ud_text *t = &o->st->text;
	__u32 len = t->raw_len;

	barrier_var(len);
	len &= 511;
	t->raw[len] = 0;
	t->raw[len + 1] = 0;
	t->raw[len + 2] = 0;
	t->raw_at = 0;
	t->copy = 0;
	t->hex = 0;
	bpf_loop(256, ud_escape_step, o, 0);
}

/* Appends len bytes at src (a name of at most 255), escaped. */
static __always_inline void ud_name_escape(struct ud_out *o, const char *src, __u32 len)
{
	struct ud_text *t = &o->st->text;

	len &= 255;
	bpf_probe_read_kernel(t->raw, len, src);
	t->raw_len = len;
	ud_escape_raw(o);
}

/* One component of the FILE record (leaf first: a length byte, the bytes)
 * into its place in t->raw, root first: the joined "/a/b" is as long as
 * the record's components, each length byte becoming a '/'. raw_at is the
 * component's offset in the record, raw_len the path's length. */
static long ud_join_step(__u32 i, void *data)
{
	struct ud_state *st = ((struct ud_out *)data)->st;
	struct ud_text *t = &st->text;
	const struct ud_file *f = &st->big.file;
	__u32 off = t->raw_at, end = t->raw_len, len, at;

	if (off >= end || end > UD_PATH_MAX)
		return 1;
	barrier_var(off);
	off &= UD_PATH_MAX - 1;
	len = (__u8)f->path[off];
	if (off + 1 + len > end)
		return 1;
	at = end - off - 1 - len;
	barrier_var(at);
	at &= 255;
	len &= 255;
	t->raw[at] = '/';
	bpf_probe_read_kernel(&t->raw[at + 1], len, &f->path[(off + 1) & (UD_PATH_MAX - 1)]);
	t->raw_at = off + 1 + len;
	return 0;
}

/* The name of a FILE record's file, escaped, into t->name, by the rules of
 * ud_names.h: what /proc/PID/fd shows, as show prints it. The record is
 * the state's (ud_emit_file builds it there). All in the map value: no
 * stack. */
static __always_inline void ud_stash_name(struct ud_out *o, const struct ud_file *f)
{
	struct ud_text *t = &o->st->text;
	__u32 len = f->ncomp ? (__u8)f->path[0] : 0;
	__u64 args[1] = { f->ino };
	long n;

	t->name_len = 0;
	switch (ud_name_form(f->flags, f->magic)) {
	case UD_NAME_SOCKET:
		n = bpf_snprintf(t->name, 64, fmt_socket, args, sizeof(args));
		t->name_len = n > 1 ? n - 1 : 0;
		return;
	case UD_NAME_PIPE:
		n = bpf_snprintf(t->name, 64, fmt_pipe, args, sizeof(args));
		t->name_len = n > 1 ? n - 1 : 0;
		return;
	case UD_NAME_PIDFD:
		ud_name_append(t, pidfd_name, sizeof(pidfd_name));
		return;
	case UD_NAME_ANON:
		ud_name_append(t, anon_prefix, sizeof(anon_prefix));
		ud_name_escape(o, &f->path[1], len);
		return;
	case UD_NAME_PSEUDO:
	case UD_NAME_PSEUDO_GUESS:
		ud_name_append(t, slash, sizeof(slash));
		ud_name_escape(o, &f->path[1], len);
		ud_name_append(t, deleted_suffix, sizeof(deleted_suffix));
		return;
	default:
		break;
	}
	if (f->flags & UD_FILE_TRUNCATED)
		ud_name_append(t, truncated_prefix, sizeof(truncated_prefix));
	len = f->path_len;
	if (!f->ncomp || len > UD_PATH_MAX)
		len = 0;
	if (len) {
		t->raw_len = len;
		t->raw_at = 0;
		bpf_loop(UD_PATH_DEPTH, ud_join_step, o, 0);
		ud_escape_raw(o);
	} else {
		ud_name_append(t, slash, sizeof(slash));
	}
	if (f->flags & UD_FILE_DELETED)
		ud_name_append(t, deleted_suffix, sizeof(deleted_suffix));
}

/* Ends a line with the stashed name and a newline. */
static __always_inline void ud_line_name(struct ud_out *o)
{
	struct ud_text *t = &o->st->text;
	__u32 n = t->name_len;

	barrier_var(n);
	n &= UD_TEXT_NAME - 1;
	t->name[n] = '\n';
	bpf_seq_write(o->seq, t->name, n + 1);
	o->st->obj.used += n + 1;
}

static void ud_text_put(struct ud_out *o, const void *rec, __u32 size)
{
	struct ud_text *t = &o->st->text;
	const struct ud_hdr *h = rec;
	/* In the state, not on the stack: this runs in the deepest frame of
	 * the walks, and 6.1 limits the stack of a whole call chain. */
	__u64 *a = t->args;
	__u32 i;

	/* Each case also checks the size: the verifier cannot see the type
	 * of a record built on the stack (a 2-byte store is not a known
	 * constant to it), so it walks every case with every record, and a
	 * case reading past a smaller record would read past its frame. The
	 * size is a constant where this is inlined: the compiler drops the
	 * cases that cannot apply. */
	switch (h->type) {
	case UD_REC_FILE:
		if (size < sizeof(struct ud_file))
			break;
		ud_stash_name(o, rec);
		break;
	case UD_REC_RING_FILE:
		if (t->kind != UD_TEXT_FILES || size < sizeof(struct ud_ring_file))
			break;
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = ((const struct ud_ring_file *)rec)->slot;
		a[3] = ((const struct ud_ring_file *)rec)->ino;
		a[4] = (__u64)ud_type_word(((const struct ud_ring_file *)rec)->mode);
		ud_line(o, fmt_file, sizeof(fmt_file), a, 5);
		ud_line_name(o);
		break;
	case UD_REC_RING_BUF:
		if (size < sizeof(struct ud_ring_buf))
			break;
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
			 * run past the first page of a folio), in pages of the
			 * size user space read from the system. */
			first = s->offset >> ud_page_shift;
			a[0] = s->hdr.pid;
			a[1] = t->fd;
			a[2] = s->slot;
			a[3] = t->buf_addr;
			a[4] = s->index;
			if (ud_text_pfn_ok && ud_page_size && s->page >= ud_text_vmemmap_base) {
				pfn = (s->page - ud_text_vmemmap_base) / ud_page_size + first;
				a[5] = pfn;
				a[6] = (s->offset & ((1U << ud_page_shift) - 1));
				a[7] = s->len;
				ud_line(o, fmt_seg, sizeof(fmt_seg), a, 8);
			} else {
				a[5] = (s->offset & ((1U << ud_page_shift) - 1));
				a[6] = s->len;
				ud_line(o, fmt_seg_nopfn, sizeof(fmt_seg_nopfn), a, 7);
			}
		}
		break;
	case UD_REC_EPOLL_ITEM:
		if (t->kind != UD_TEXT_EPOLL || size < sizeof(struct ud_epoll_item))
			break;
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = (__s64)((const struct ud_epoll_item *)rec)->tfd;
		a[3] = ((const struct ud_epoll_item *)rec)->events;
		a[4] = ((const struct ud_epoll_item *)rec)->data;
		a[5] = ((const struct ud_epoll_item *)rec)->ino;
		ud_line(o, fmt_item, sizeof(fmt_item), a, 6);
		ud_line_name(o);
		break;
	case UD_REC_REQ: {
		const struct ud_req *q = rec;

		if (t->kind != UD_TEXT_REQS || size < sizeof(struct ud_req))
			break;
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = q->user_data;
		a[3] = q->opcode;
		a[4] = (__u64)ud_wait_word(q->waiting);
		a[5] = q->poll_events;
		if (q->file) {
			/* Its FILE record came before it (or with an earlier
			 * request of the same file): the name stashed. */
			ud_line(o, fmt_req, sizeof(fmt_req), a, 6);
			ud_line_name(o);
		} else {
			ud_line(o, fmt_req_nofile, sizeof(fmt_req_nofile), a, 6);
		}
		break;
	}
	case UD_REC_CONT:
		a[0] = h->pid;
		a[1] = t->fd;
		a[2] = h->pid;
		ud_line(o, fmt_more, sizeof(fmt_more), a, 3);
		break;
	case UD_REC_WARN:
		a[0] = h->pid;
		a[1] = t->fd;
		if (size >= sizeof(struct ud_warn) && ((const struct ud_warn *)rec)->code == UD_WARN_CHANGED) {
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
	if (!task || !file || !want_fops || ud_thread_shares_files(task) ||
	    (__u64)BPF_CORE_READ(file, f_op) != want_fops)
		return false;
	tgid = BPF_CORE_READ(task, tgid);
	if (!ud_begin(o, ctx->meta->seq, tgid, ud_token_fd(tgid, ctx->fd)))
		return false;
	o->st->text.kind = kind;
	o->st->text.fd = ctx->fd;
	o->st->text.name_len = 0;
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
int ud_text_reqs(struct bpf_iter__task_file *ctx)
{
	return ud_text_ring(ctx, UD_TEXT_REQS, hdr_reqs, sizeof(hdr_reqs), UD_WALK_REQS);
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
