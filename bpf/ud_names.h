/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * How a file is named: as /proc/PID/fd/N names it (d_path()), from what a
 * FILE record holds (records.h). The one statement of these rules, followed
 * by both sides that print names: the C++ decoder of FILE records
 * (src/model/file_path.cpp, for show, top, dump) and the pinned text
 * iterators (bpf/uringdump_text.bpf.c), so that `cat` of a pin and `show`
 * print the same name for the same file.
 */
#ifndef UD_NAMES_H
#define UD_NAMES_H

#include "records.h"

/* include/uapi/linux/magic.h */
#define UD_SOCKFS_MAGIC 0x534F434B
#define UD_PIPEFS_MAGIC 0x50495045
#define UD_ANON_INODE_FS_MAGIC 0x09041934
#define UD_PIDFS_MAGIC 0x50494446
#define UD_TMPFS_MAGIC 0x01021994
#define UD_HUGETLBFS_MAGIC 0x958458f6

enum ud_name_form {
	/* "/" and the components root first; UD_NAME_TRUNCATED before a path
	 * the record could not hold whole, UD_NAME_DELETED after an unlinked
	 * file. No component: "/". */
	UD_NAME_PATH,
	UD_NAME_SOCKET,      /* "socket:[INO]" (sockfs_dname) */
	UD_NAME_PIPE,        /* "pipe:[INO]" (pipefs_dname) */
	UD_NAME_ANON,        /* UD_NAME_ANON_PREFIX and the dentry name, "[eventfd]" */
	UD_NAME_PIDFD,       /* UD_NAME_PIDFD_NAME (pidfs_dname keeps the anon inode spelling) */
	UD_NAME_PSEUDO,      /* "/", the dentry name, UD_NAME_DELETED: simple_dname (memfd) */
	UD_NAME_PSEUDO_GUESS /* another d_dname: printed as UD_NAME_PSEUDO, not exact */
};

#define UD_NAME_DELETED " (deleted)"
#define UD_NAME_TRUNCATED "..."
#define UD_NAME_ANON_PREFIX "anon_inode:"
#define UD_NAME_PIDFD_NAME "anon_inode:[pidfd]"

static inline enum ud_name_form ud_name_form(__u32 flags, __u64 magic)
{
	if (!(flags & UD_FILE_DNAME))
		return UD_NAME_PATH;
	switch (magic) {
	case UD_SOCKFS_MAGIC:
		return UD_NAME_SOCKET;
	case UD_PIPEFS_MAGIC:
		return UD_NAME_PIPE;
	case UD_ANON_INODE_FS_MAGIC:
		return UD_NAME_ANON;
	case UD_PIDFS_MAGIC:
		return UD_NAME_PIDFD;
	case UD_TMPFS_MAGIC:
	case UD_HUGETLBFS_MAGIC:
		return UD_NAME_PSEUDO;
	default:
		return UD_NAME_PSEUDO_GUESS;
	}
}

#endif
