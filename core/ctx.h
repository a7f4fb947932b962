/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct cr_ctx: one checkpoint or one restore. Everything that would have
 * been a global lives here, so that a test can build two side by side.
 */
#ifndef _CR_CTX_H
#define _CR_CTX_H

#include "core/compat.h"
#include "core/kops.h"

enum cr_log_level {
	CR_LOG_ERR,
	CR_LOG_WARN,
	CR_LOG_INFO,
	CR_LOG_DEBUG,
};

/* Where messages go: the CLI prints them, tests keep the last error. */
struct cr_log {
	void (*emit)(void *priv, int level, const char *msg);
	void *priv;
	int level;		/* messages above this are dropped */
};

#define CR_CTX_CKPT	0x1	/* writing an image */
#define CR_CTX_RSTR	0x2	/* reading an image */
#define CR_CTX_LAZY	0x4	/* with RSTR: map page data, do not copy it */

#define CR_HBUF_TOTAL	(8 * 4096)	/* the seed's header buffer */
#define CR_IOBUF_SIZE	(256 << 10)
/* what a reader that skips page data reads ahead: the addresses of a batch */
#define CR_IOBUF_SKIM	(32 << 10)

struct cr_ctx {
	unsigned int flags;		/* CR_CTX_* */
	const struct cr_kops *kops;
	struct cr_target *target;
	struct cr_log log;

	/* the image: buffered, checksummed as it goes (core/image_io.c) */
	int fd;
	u64 pos;			/* bytes written or consumed so far */
	u32 csum;			/* CRC32C of bytes [0, pos) */
	u32 meta_csum;			/* the same, less page data */
	u32 version;			/* read: the image's format version */
	char *iobuf;
	size_t io_len;			/* bytes held in iobuf */
	size_t io_off;			/* read: next byte of iobuf */
	size_t io_readahead;		/* read: bytes a refill asks for */
	u64 io_end;			/* read: the image's size, 0 if unknown */

	/*
	 * write: objects rendered ahead of their place in the stream (read
	 * from the stopped task before its memory), appended later
	 */
	char *defer;
	size_t defer_len, defer_max;
	bool deferring;
	bool direct_pages;		/* ->write_pages into this image */

	/* header buffer: a stack of small allocations (cr_hbuf_get/put) */
	char *hbuf;
	size_t hpos;
	unsigned int hbuf_gets;		/* get/put balance, for the tests */

	/* page-array chain (core/mm/pgarr.c) */
	struct list_head pgarr_list;
	unsigned int pgarr_nr;		/* arrays allocated */

	u32 objref;			/* the task's pid, parent of its objects */
	u64 nr_pages;			/* pages saved or restored */
};

int cr_ctx_init(struct cr_ctx *ctx, unsigned int flags, int fd,
		const struct cr_kops *kops, struct cr_target *target,
		const struct cr_log *log);
void cr_ctx_fini(struct cr_ctx *ctx);

void cr_log(struct cr_ctx *ctx, int level, const char *fmt, ...)
	__printf(3, 4);

#define cr_err(ctx, fmt, ...)	cr_log(ctx, CR_LOG_ERR, fmt, ##__VA_ARGS__)
#define cr_warn(ctx, fmt, ...)	cr_log(ctx, CR_LOG_WARN, fmt, ##__VA_ARGS__)
#define cr_info(ctx, fmt, ...)	cr_log(ctx, CR_LOG_INFO, fmt, ##__VA_ARGS__)
#define cr_debug(ctx, fmt, ...)	cr_log(ctx, CR_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* _CR_CTX_H */
