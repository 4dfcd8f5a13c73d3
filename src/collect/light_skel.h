/* The light skeleton of bpf/uringdump.bpf.c behind a C interface: bpftool's
 * light skeletons are C only (they convert void pointers implicitly). */
#ifndef UD_LIGHT_SKEL_H
#define UD_LIGHT_SKEL_H

#ifdef __cplusplus
extern "C" {
#endif

struct uringdump_light;

/* Loads the programs; NULL with -errno in *err on failure. */
struct uringdump_light *ud_light_load(int *err);
void ud_light_destroy(struct uringdump_light *skel);
int ud_light_task_file_prog(const struct uringdump_light *skel);
int ud_light_task_prog(const struct uringdump_light *skel);
int ud_light_resume_map(const struct uringdump_light *skel);
/* The programs' .bss, laid out as struct uringdump_light__bss. */
void *ud_light_bss(struct uringdump_light *skel);

#ifdef __cplusplus
}
#endif

#endif
