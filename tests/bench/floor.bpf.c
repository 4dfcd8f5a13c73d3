// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The benchmark's floor: a task_file iterator program that emits nothing.
 * A pass of it over a process costs what visiting its fds costs. */
#include "vmlinux_core.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("iter/task_file")
int floor_pass(struct bpf_iter__task_file *ctx)
{
	return 0;
}
