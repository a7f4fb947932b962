// SPDX-License-Identifier: GPL-2.0
/*
 * The checkpoint/restart context and its log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/mm/pgarr.h"

/**
 * cr_ctx_init() - prepare a context for one checkpoint or one restore
 * @ctx: the context, zeroed here
 * @flags: CR_CTX_CKPT, CR_CTX_RSTR, or CR_CTX_RSTR | CR_CTX_LAZY
 * @fd: the image, open for writing (CKPT) or reading (RSTR) at offset 0
 * @kops: the operations on @target
 * @target: the process or mock mm
 * @log: where messages go; NULL drops them
 *
 * Return: 0, -EINVAL for bad flags, -ENOMEM.
 */
int cr_ctx_init(struct cr_ctx *ctx, unsigned int flags, int fd,
		const struct cr_kops *kops, struct cr_target *target,
		const struct cr_log *log)
{
	memset(ctx, 0, sizeof(*ctx));
	if (flags != CR_CTX_CKPT && flags != CR_CTX_RSTR &&
	    flags != (CR_CTX_RSTR | CR_CTX_LAZY))
		return -EINVAL;

	ctx->flags = flags;
	ctx->fd = fd;
	ctx->kops = kops;
	ctx->target = target;
	if (log)
		ctx->log = *log;
	INIT_LIST_HEAD(&ctx->pgarr_list);
	/* a lazy restore passes over most page data: read little ahead */
	ctx->io_readahead = flags & CR_CTX_LAZY ? CR_IOBUF_SKIM : CR_IOBUF_SIZE;

	ctx->iobuf = malloc(CR_IOBUF_SIZE);
	if (!ctx->iobuf)
		return -ENOMEM;
	ctx->hbuf = malloc(CR_HBUF_TOTAL);
	if (!ctx->hbuf)
		goto out_free_iobuf;
	return 0;

out_free_iobuf:
	free(ctx->iobuf);
	ctx->iobuf = NULL;
	return -ENOMEM;
}

/**
 * cr_ctx_fini() - release what the context holds (not the image fd)
 * @ctx: from cr_ctx_init(), even a failed one
 *
 * Unwritten buffered bytes are dropped: a writer calls cr_kflush() first.
 */
void cr_ctx_fini(struct cr_ctx *ctx)
{
	cr_pgarr_free(ctx);
	free(ctx->defer);
	ctx->defer = NULL;
	free(ctx->hbuf);
	free(ctx->iobuf);
	ctx->hbuf = NULL;
	ctx->iobuf = NULL;
}

/**
 * cr_log() - send one message to the context's sink
 * @ctx: the context
 * @level: enum cr_log_level
 * @fmt: printf format; no trailing newline
 */
void cr_log(struct cr_ctx *ctx, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ctx->log.emit || level > ctx->log.level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log.emit(ctx->log.priv, level, msg);
}
