// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/light_skel.h"
#include "uringdump.lskel.h"

struct uringdump_light *ud_light_load(int *err)
{
	struct uringdump_light *skel = uringdump_light__open();
	int r;

	if (!skel) {
		*err = -ENOMEM;
		return NULL;
	}
	r = uringdump_light__load(skel);
	if (r) {
		*err = r < 0 ? r : -EINVAL;
		uringdump_light__destroy(skel);
		return NULL;
	}
	return skel;
}

void ud_light_destroy(struct uringdump_light *skel)
{
	uringdump_light__destroy(skel);
}

int ud_light_task_file_prog(const struct uringdump_light *skel)
{
	return skel->progs.ud_task_file.prog_fd;
}

int ud_light_task_prog(const struct uringdump_light *skel)
{
	return skel->progs.ud_task.prog_fd;
}

int ud_light_resume_map(const struct uringdump_light *skel)
{
	return skel->maps.ud_resume.map_fd;
}

void *ud_light_bss(struct uringdump_light *skel)
{
	return skel->bss;
}
