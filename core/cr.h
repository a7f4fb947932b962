/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The drivers: a whole checkpoint (core/checkpoint.c) and a whole restart
 * (core/restart.c) of one task, through ctx->kops.
 */
#ifndef _CR_CR_H
#define _CR_CR_H

#include "core/ctx.h"

/* write the image of ctx->target to ctx->fd; the target is not changed */
int cr_checkpoint(struct cr_ctx *ctx);

/*
 * Read the image from ctx->fd into ctx->target. Nothing of the target is
 * touched before the head and task objects have been checked; after that
 * a failure leaves the target half-made: the caller discards it.
 */
int cr_restart(struct cr_ctx *ctx);



/*
 * What a restore needs to know before it starts: the pid and the VMAs of
 * the image, read from its headers (page data is skipped, not read), so
 * that a shim can keep its own mappings out of the image's way.
 */
struct cr_layout_vma {
	u64 start, end;
	u32 vma_type;		/* enum cr_vma_type */
};

struct cr_layout {
	u32 pid;
	unsigned int nr_vmas;
	struct cr_layout_vma *vmas;	/* sorted, non-overlapping */
};

int cr_image_layout(int fd, const struct cr_log *log, struct cr_layout *out);
void cr_layout_free(struct cr_layout *layout);
#endif /* _CR_CR_H */
