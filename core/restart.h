/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the task's objects, shared by the restart (core/restart.c),
 * the file table (core/rstr_file.c) and the layout pre-scan (core/layout.c).
 */
#ifndef _CR_RESTART_H
#define _CR_RESTART_H

#include "core/ctx.h"

int cr_read_head(struct cr_ctx *ctx);
int cr_read_task_creds(struct cr_ctx *ctx, struct cr_creds *c);
int cr_read_fs_obj(struct cr_ctx *ctx, u32 *umask, char *cwd);
int cr_read_files(struct cr_ctx *ctx);

#endif /* _CR_RESTART_H */
