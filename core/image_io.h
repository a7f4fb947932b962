/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing image objects (the seed's cr_kread/cr_kwrite,
 * cr_write_obj/cr_read_obj, cr_hbuf_get/put).
 *
 * Errors, everywhere an image is read:
 *   -EIO     the image ended early, or read(2)/write(2) failed
 *   -EINVAL  a field holds a value crrun does not accept (the message
 *            names the object and the field)
 *   -EBADMSG the checksum does not match
 *   -ENOMEM  out of memory
 *   -ENOSYS  a kind of state crrun cannot save or restore yet
 */
#ifndef _CR_IMAGE_IO_H
#define _CR_IMAGE_IO_H

#include "core/ctx.h"
#include "core/image.h"

int __must_check cr_kwrite(struct cr_ctx *ctx, const void *buf, size_t n);
int __must_check cr_kread(struct cr_ctx *ctx, void *buf, size_t n);
/* page data: in the tail's csum, not in its meta_csum */
int __must_check cr_kwrite_data(struct cr_ctx *ctx, const void *buf,
				size_t n);
int __must_check cr_kread_data(struct cr_ctx *ctx, void *buf, size_t n);
/* page data written into the image by the shim (->write_pages) */
int __must_check cr_kwrite_extern(struct cr_ctx *ctx, u64 n,
				  const u32 *csum);
/* objects read from the stopped task, written after its memory */
void cr_kdefer_begin(struct cr_ctx *ctx);
void cr_kdefer_end(struct cr_ctx *ctx);
int __must_check cr_kwrite_deferred(struct cr_ctx *ctx);
int __must_check cr_kread_obj(struct cr_ctx *ctx, const char *what, void *buf,
			      size_t n);
int __must_check cr_kflush(struct cr_ctx *ctx);
int __must_check cr_kskip(struct cr_ctx *ctx, u64 n);

/* zero bytes (write) or skip zero bytes (read) up to a page boundary */
int __must_check cr_write_page_pad(struct cr_ctx *ctx);
int __must_check cr_read_page_pad(struct cr_ctx *ctx);

int __must_check cr_write_hdr(struct cr_ctx *ctx, u32 type, u32 parent,
			      u64 len);
int __must_check cr_write_obj(struct cr_ctx *ctx, u32 type, u32 parent,
			      const void *buf, u32 len);
int __must_check cr_write_obj_var(struct cr_ctx *ctx, u32 type, u32 parent,
				  const void *buf, u32 len,
				  const void *tail, u32 tail_len);
int __must_check cr_write_fname(struct cr_ctx *ctx, u32 parent,
				const char *name);

int __must_check cr_read_hdr(struct cr_ctx *ctx, struct cr_hdr *h);
int __must_check cr_read_obj_type(struct cr_ctx *ctx, void *buf, u32 len,
				  u32 type, u32 *parent);
int __must_check cr_read_obj_var(struct cr_ctx *ctx, void *buf, u32 len,
				 u32 type, u32 *parent, u32 *tail_len);
int __must_check cr_read_fname(struct cr_ctx *ctx, char *fname, u32 n,
			       u32 *parent);

void *cr_hbuf_get(struct cr_ctx *ctx, size_t n);
void cr_hbuf_put(struct cr_ctx *ctx, size_t n);

u32 cr_crc32c(u32 crc, const void *buf, size_t n);

#endif /* _CR_IMAGE_IO_H */
