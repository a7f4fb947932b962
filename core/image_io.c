// SPDX-License-Identifier: GPL-2.0
/*
 * Image I/O: buffered, checksummed reads and writes of image objects, and
 * the header buffer (the seed's checkpoint/sys.c and restart.c helpers).
 *
 * Fixed here, from the 2008 code: lengths are u32, not s16 (defect 21/9);
 * the parent of an object is returned apart from the error code (21);
 * an hbuf overflow is an error, not a BUG_ON (22); names read from the
 * image are checked to be NUL-terminated (5/20).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/image_io.h"

static int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* Return: bytes read (short only at end of file), or -errno */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, p + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

/**
 * cr_kflush() - write out what cr_kwrite() buffered
 * @ctx: a checkpoint context
 *
 * Return: 0 or -errno from write(2).
 */
int cr_kflush(struct cr_ctx *ctx)
{
	int ret;

	if (!ctx->io_len)
		return 0;
	ret = write_full(ctx->fd, ctx->iobuf, ctx->io_len);
	ctx->io_len = 0;
	return ret;
}

/* Keep @n bytes for cr_kwrite_deferred(), outside the checksums. */
static int cr_kdefer(struct cr_ctx *ctx, const void *buf, size_t n)
{
	if (ctx->defer_max - ctx->defer_len < n) {
		size_t max = max(2 * ctx->defer_max, ctx->defer_len + n);
		char *p = realloc(ctx->defer, max);

		if (!p)
			return -ENOMEM;
		ctx->defer = p;
		ctx->defer_max = max;
	}
	memcpy(ctx->defer + ctx->defer_len, buf, n);
	ctx->defer_len += n;
	return 0;
}

/* Append @n bytes; page data (@data) is left out of ctx->meta_csum. */
static int __cr_kwrite(struct cr_ctx *ctx, const void *buf, size_t n,
		       bool data)
{
	int ret;

	if (ctx->deferring)
		return cr_kdefer(ctx, buf, n);
	ctx->csum = cr_crc32c(ctx->csum, buf, n);
	if (!data)
		ctx->meta_csum = cr_crc32c(ctx->meta_csum, buf, n);
	ctx->pos += n;

	if (ctx->io_len + n <= CR_IOBUF_SIZE) {
		memcpy(ctx->iobuf + ctx->io_len, buf, n);
		ctx->io_len += n;
		return 0;
	}
	ret = cr_kflush(ctx);
	if (ret < 0)
		return ret;
	if (n < CR_IOBUF_SIZE / 2) {
		memcpy(ctx->iobuf, buf, n);
		ctx->io_len = n;
		return 0;
	}
	return write_full(ctx->fd, buf, n);
}

/**
 * cr_kwrite() - append bytes of objects to the image
 * @ctx: a checkpoint context
 * @buf: the bytes
 * @n: how many
 *
 * Small writes are gathered in ctx->iobuf; large ones go straight to the
 * file. While deferring (cr_kdefer_begin()) they are kept aside instead.
 *
 * Return: 0 or -errno.
 */
int cr_kwrite(struct cr_ctx *ctx, const void *buf, size_t n)
{
	return __cr_kwrite(ctx, buf, n, false);
}

/**
 * cr_kwrite_data() - append page data to the image
 * @ctx: a checkpoint context
 * @buf: the bytes: whole pages
 * @n: how many
 *
 * As cr_kwrite(), but the bytes are left out of the tail's meta_csum.
 *
 * Return: 0 or -errno.
 */
int cr_kwrite_data(struct cr_ctx *ctx, const void *buf, size_t n)
{
	return __cr_kwrite(ctx, buf, n, true);
}

/* Checksum @n bytes of the image at @off by reading them: -EIO if short. */
static int cr_csum_read(struct cr_ctx *ctx, u64 off, u64 n)
{
	ssize_t r;

	while (n) {
		r = pread(ctx->fd, ctx->iobuf, min(n, (u64)CR_IOBUF_SIZE), off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		ctx->csum = cr_crc32c(ctx->csum, ctx->iobuf, r);
		off += r;
		n -= r;
	}
	return 0;
}

/**
 * cr_kwrite_extern() - take in page data the shim wrote into the image
 * @ctx: a checkpoint context, not deferring
 * @n: bytes the shim wrote at the image's byte ctx->pos (->write_pages)
 * @csum: the image's checksum carried over them by the shim, or NULL
 *
 * Without @csum they are checksummed from the file (what the tail covers
 * is what the file holds), through a mapping of its page cache where they
 * start on a page (page data does): no copy. The next cr_kwrite() goes
 * after them.
 *
 * Return: 0, -EIO if the file holds fewer, or -errno.
 */
int cr_kwrite_extern(struct cr_ctx *ctx, u64 n, const u32 *csum)
{
	struct stat st;
	void *p;
	int ret;

	if (ctx->deferring)
		return -EINVAL;
	ret = cr_kflush(ctx);
	if (ret < 0)
		return ret;
	if (fstat(ctx->fd, &st) < 0)
		return -errno;
	/* a mapping past the end of the file would fault */
	if ((u64)st.st_size < ctx->pos || (u64)st.st_size - ctx->pos < n)
		return -EIO;
	if (csum) {
		ctx->csum = *csum;
		goto out_seek;
	}
	p = MAP_FAILED;
	if (n && IS_ALIGNED(ctx->pos, PAGE_SIZE) && n <= SIZE_MAX)
		p = mmap(NULL, n, PROT_READ, MAP_SHARED | MAP_POPULATE,
			 ctx->fd, ctx->pos);
	if (p != MAP_FAILED) {
		ctx->csum = cr_crc32c(ctx->csum, p, n);
		munmap(p, n);
	} else {
		ret = cr_csum_read(ctx, ctx->pos, n);
		if (ret < 0)
			return ret;
	}
out_seek:
	ctx->pos += n;
	if (lseek(ctx->fd, ctx->pos, SEEK_SET) < 0)
		return -errno;
	return 0;
}

/**
 * cr_kdefer_begin() - keep what is written from now on aside
 * @ctx: a checkpoint context
 *
 * The checkpoint reads the task's state while it is stopped, before its
 * memory, though the image holds most of it after the memory: the objects
 * are rendered now and appended in their place by cr_kwrite_deferred().
 * Nothing written while deferring may depend on the file offset.
 */
void cr_kdefer_begin(struct cr_ctx *ctx)
{
	ctx->deferring = true;
}

/** cr_kdefer_end() - write to the image again */
void cr_kdefer_end(struct cr_ctx *ctx)
{
	ctx->deferring = false;
}

/**
 * cr_kwrite_deferred() - append what was kept aside, and forget it
 * @ctx: a checkpoint context, not deferring
 *
 * Return: 0 or -errno.
 */
int cr_kwrite_deferred(struct cr_ctx *ctx)
{
	int ret = 0;

	if (ctx->defer_len)
		ret = cr_kwrite(ctx, ctx->defer, ctx->defer_len);
	free(ctx->defer);
	ctx->defer = NULL;
	ctx->defer_len = ctx->defer_max = 0;
	return ret;
}

/* Read @n bytes; page data (@data) is left out of ctx->meta_csum. */
static int __cr_kread(struct cr_ctx *ctx, void *buf, size_t n, bool data)
{
	char *p = buf;
	size_t want = n;
	ssize_t r;

	while (want) {
		size_t avail = ctx->io_len - ctx->io_off;

		if (avail) {
			size_t c = min(avail, want);

			memcpy(p, ctx->iobuf + ctx->io_off, c);
			ctx->io_off += c;
			p += c;
			want -= c;
			continue;
		}
		if (want >= CR_IOBUF_SIZE / 2) {
			/* large reads (page data) skip the buffer */
			r = read_full(ctx->fd, p, want);
			if (r < 0)
				return r;
			if ((size_t)r < want)
				return -EIO;
			p += r;
			want = 0;
			break;
		}
		r = read_full(ctx->fd, ctx->iobuf, ctx->io_readahead);
		if (r < 0)
			return r;
		if (r == 0)
			return -EIO;
		ctx->io_len = r;
		ctx->io_off = 0;
	}
	ctx->csum = cr_crc32c(ctx->csum, buf, n);
	if (!data)
		ctx->meta_csum = cr_crc32c(ctx->meta_csum, buf, n);
	ctx->pos += n;
	return 0;
}

/**
 * cr_kread() - read exactly @n bytes of objects from the image
 * @ctx: a restore context
 * @buf: where to
 * @n: how many
 *
 * Return: 0, -EIO if the image ends first, or -errno from read(2).
 */
int cr_kread(struct cr_ctx *ctx, void *buf, size_t n)
{
	return __cr_kread(ctx, buf, n, false);
}

/**
 * cr_kread_data() - read exactly @n bytes of page data from the image
 * @ctx: a restore context
 * @buf: where to
 * @n: how many
 *
 * As cr_kread(), but the bytes are left out of ctx->meta_csum.
 *
 * Return: 0, -EIO if the image ends first, or -errno from read(2).
 */
int cr_kread_data(struct cr_ctx *ctx, void *buf, size_t n)
{
	return __cr_kread(ctx, buf, n, true);
}

/**
 * cr_kskip() - pass over @n bytes of the image without reading them
 * @ctx: a restore context
 * @n: how many
 *
 * Neither checksum covers skipped bytes: pre-scans use this, and a lazy
 * restore for the page data it maps.
 *
 * Return: 0, -EIO if the image is shorter, or -errno.
 */
int cr_kskip(struct cr_ctx *ctx, u64 n)
{
	size_t avail = ctx->io_len - ctx->io_off;
	off_t end;

	/* no image is that large, and lseek must not be sent backwards */
	if (n > INT64_MAX / 2)
		return -EIO;
	if (n <= avail) {
		ctx->io_off += n;
		ctx->pos += n;
		return 0;
	}
	/* the image does not change while it is read: its size, once */
	if (!ctx->io_end) {
		end = lseek(ctx->fd, 0, SEEK_END);
		if (end < 0)
			return -errno;
		ctx->io_end = end;
	}
	/* ctx->pos is the file offset: the image was opened at offset 0 */
	if (ctx->pos + n > ctx->io_end)
		return -EIO;
	if (lseek(ctx->fd, ctx->pos + n, SEEK_SET) < 0)
		return -errno;
	ctx->io_len = ctx->io_off = 0;
	ctx->pos += n;
	return 0;
}

/**
 * cr_kread_obj() - cr_kread() of the part of an object that follows its
 * fixed payload (groups, auxv, page addresses, page data...)
 * @ctx: a restore context
 * @what: the object, named in the message if the image ends first
 * @buf: where to
 * @n: how many bytes
 *
 * Return: 0, -EIO with a message naming @what, or -errno.
 */
int cr_kread_obj(struct cr_ctx *ctx, const char *what, void *buf, size_t n)
{
	u64 at = ctx->pos;
	int ret = cr_kread(ctx, buf, n);

	if (ret == -EIO)
		cr_err(ctx, "%s: image truncated at offset %llu", what,
		       (unsigned long long)at);
	return ret;
}

static const char cr_zero_page[PAGE_SIZE];

/**
 * cr_write_page_pad() - zero bytes up to the next page-aligned offset
 * @ctx: a checkpoint context
 *
 * Return: 0 or -errno.
 */
int cr_write_page_pad(struct cr_ctx *ctx)
{
	size_t pad = PAGE_ALIGN(ctx->pos) - ctx->pos;

	return pad ? cr_kwrite(ctx, cr_zero_page, pad) : 0;
}

/**
 * cr_read_page_pad() - skip the zero bytes up to a page-aligned offset
 * @ctx: a restore context
 *
 * Return: 0, -EIO if the image ends, -EINVAL if a pad byte is not zero.
 */
int cr_read_page_pad(struct cr_ctx *ctx)
{
	size_t pad = PAGE_ALIGN(ctx->pos) - ctx->pos;
	char buf[PAGE_SIZE];
	int ret;

	if (!pad)
		return 0;
	ret = cr_kread_obj(ctx, "pgarr padding", buf, pad);
	if (ret < 0)
		return ret;
	if (memcmp(buf, cr_zero_page, pad)) {
		cr_err(ctx, "pgarr: padding before page data is not zero");
		return -EINVAL;
	}
	return 0;
}

/**
 * cr_write_hdr() - write an object header alone; the caller writes the
 * @len bytes of payload after it
 * @ctx: a checkpoint context
 * @type: enum cr_hdr_type
 * @parent: objref of the owner, or 0
 * @len: payload size
 *
 * Return: 0, -E2BIG if @len does not fit the header, or -errno.
 */
int cr_write_hdr(struct cr_ctx *ctx, u32 type, u32 parent, u64 len)
{
	struct cr_hdr h = {
		.type = type,
		.len = len,
		.parent = parent,
	};

	if (len > UINT32_MAX)
		return -E2BIG;
	return cr_kwrite(ctx, &h, sizeof(h));
}

/**
 * cr_write_obj_var() - write an object whose payload has two parts
 * @ctx: a checkpoint context
 * @type: enum cr_hdr_type
 * @parent: objref of the owner, or 0
 * @buf: the fixed part
 * @len: its size
 * @tail: the variable part (groups, auxv, addresses, xstate...), or NULL
 * @tail_len: its size
 *
 * Return: 0 or -errno.
 */
int cr_write_obj_var(struct cr_ctx *ctx, u32 type, u32 parent,
		     const void *buf, u32 len, const void *tail, u32 tail_len)
{
	int ret;

	ret = cr_write_hdr(ctx, type, parent, (u64)len + tail_len);
	if (!ret && len)
		ret = cr_kwrite(ctx, buf, len);
	if (!ret && tail_len)
		ret = cr_kwrite(ctx, tail, tail_len);
	return ret;
}

/**
 * cr_write_obj() - write one object: its cr_hdr and payload
 * @ctx: a checkpoint context
 * @type: enum cr_hdr_type
 * @parent: objref of the owner, or 0
 * @buf: the payload
 * @len: its size
 *
 * Return: 0 or -errno.
 */
int cr_write_obj(struct cr_ctx *ctx, u32 type, u32 parent, const void *buf,
		 u32 len)
{
	return cr_write_obj_var(ctx, type, parent, buf, len, NULL, 0);
}

/**
 * cr_write_fname() - write a CR_HDR_FNAME object, NUL included
 * @ctx: a checkpoint context
 * @parent: objref of the owner, or 0
 * @name: the path
 *
 * Return: 0, -ENAMETOOLONG, or -errno.
 */
int cr_write_fname(struct cr_ctx *ctx, u32 parent, const char *name)
{
	size_t len = strlen(name) + 1;

	if (len > CR_FNAME_MAX)
		return -ENAMETOOLONG;
	return cr_write_obj(ctx, CR_HDR_FNAME, parent, name, len);
}

/**
 * cr_read_hdr() - read and check the next object header
 * @ctx: a restore context
 * @h: filled in
 *
 * Return: 0, -EIO at the end of the image, -EINVAL for a bad header.
 */
int cr_read_hdr(struct cr_ctx *ctx, struct cr_hdr *h)
{
	u64 at = ctx->pos;
	int ret;

	ret = cr_kread(ctx, h, sizeof(*h));
	if (ret < 0) {
		if (ret == -EIO)
			cr_err(ctx, "image truncated at offset %llu",
			       (unsigned long long)at);
		return ret;
	}
	if (h->_pad) {
		cr_err(ctx, "object at offset %llu: reserved header field not zero",
		       (unsigned long long)at);
		return -EINVAL;
	}
	return 0;
}

static int cr_read_payload(struct cr_ctx *ctx, const struct cr_hdr *h,
			   void *buf, u32 len)
{
	int ret = cr_kread(ctx, buf, len);

	if (ret == -EIO)
		cr_err(ctx, "%s: image truncated in the object",
		       cr_hdr_type_name(h->type));
	return ret;
}

static int cr_check_type(struct cr_ctx *ctx, const struct cr_hdr *h, u32 type)
{
	if (h->type == type)
		return 0;
	cr_err(ctx, "%s expected at offset %llu, found %s (type %u)",
	       cr_hdr_type_name(type),
	       (unsigned long long)(ctx->pos - sizeof(*h)),
	       cr_hdr_type_name(h->type), h->type);
	return -EINVAL;
}

/* the next object's header, which must be of @type */
static int cr_read_hdr_type(struct cr_ctx *ctx, struct cr_hdr *h, u32 type)
{
	int ret = cr_read_hdr(ctx, h);

	if (ret < 0)
		return ret;
	return cr_check_type(ctx, h, type);
}

/**
 * cr_read_obj_type() - read an object of a known type and fixed size
 * @ctx: a restore context
 * @buf: where the payload goes
 * @len: the payload size the type has
 * @type: enum cr_hdr_type expected
 * @parent: the object's parent, if not NULL
 *
 * Unlike the seed, the parent is not mixed with the error code (defect 21).
 *
 * Return: 0, -EINVAL for another type or size, -EIO if truncated.
 */
int cr_read_obj_type(struct cr_ctx *ctx, void *buf, u32 len, u32 type,
		     u32 *parent)
{
	struct cr_hdr h;
	int ret;

	ret = cr_read_hdr_type(ctx, &h, type);
	if (ret < 0)
		return ret;
	if (h.len != len) {
		cr_err(ctx, "%s: len %u, expected %u", cr_hdr_type_name(type),
		       h.len, len);
		return -EINVAL;
	}
	if (parent)
		*parent = h.parent;
	return cr_read_payload(ctx, &h, buf, len);
}

/**
 * cr_read_obj_var() - read the fixed part of a variable-size object
 * @ctx: a restore context
 * @buf: where the fixed part goes
 * @len: its size
 * @type: enum cr_hdr_type expected
 * @parent: the object's parent, if not NULL
 * @tail_len: set to the bytes of payload left, which the caller checks
 *            against the fixed part's counts and then reads
 *
 * Return: 0, -EINVAL for another type or a short payload, -EIO.
 */
int cr_read_obj_var(struct cr_ctx *ctx, void *buf, u32 len, u32 type,
		    u32 *parent, u32 *tail_len)
{
	struct cr_hdr h;
	int ret;

	ret = cr_read_hdr_type(ctx, &h, type);
	if (ret < 0)
		return ret;
	if (h.len < len) {
		cr_err(ctx, "%s: len %u, at least %u expected",
		       cr_hdr_type_name(type), h.len, len);
		return -EINVAL;
	}
	if (parent)
		*parent = h.parent;
	*tail_len = h.len - len;
	return cr_read_payload(ctx, &h, buf, len);
}

/**
 * cr_read_fname() - read a CR_HDR_FNAME object
 * @ctx: a restore context
 * @fname: buffer
 * @n: its size
 * @parent: the object's parent, if not NULL
 *
 * The 2008 cr_read_fname() trusted the image to end the name with a NUL
 * (defect 5): here it must, with no NUL before the end and no empty name.
 *
 * Return: 0, -EINVAL, -EIO.
 */
int cr_read_fname(struct cr_ctx *ctx, char *fname, u32 n, u32 *parent)
{
	struct cr_hdr h;
	int ret;

	ret = cr_read_hdr_type(ctx, &h, CR_HDR_FNAME);
	if (ret < 0)
		return ret;
	if (h.len < 2 || h.len > n || h.len > CR_FNAME_MAX) {
		cr_err(ctx, "fname: len %u out of range [2, %u]", h.len,
		       min(n, (u32)CR_FNAME_MAX));
		return -EINVAL;
	}
	ret = cr_read_payload(ctx, &h, fname, h.len);
	if (ret < 0)
		return ret;
	if (fname[h.len - 1] != '\0' || strlen(fname) != h.len - 1) {
		fname[0] = '\0';
		cr_err(ctx, "fname: name not NUL-terminated or holds a NUL");
		return -EINVAL;
	}
	if (parent)
		*parent = h.parent;
	return 0;
}

#define HBUF_ALIGN	8
#define HBUF_POISON	0x6b		/* POISON_FREE */

/**
 * cr_hbuf_get() - take @n bytes from the header buffer
 * @ctx: the context
 * @n: bytes wanted
 *
 * A stack: give back in reverse order with cr_hbuf_put() and the same @n.
 *
 * Return: the buffer, or ERR_PTR(-ENOMEM) when full (the seed BUG()ed).
 */
void *cr_hbuf_get(struct cr_ctx *ctx, size_t n)
{
	void *p;

	/* check before aligning: ALIGN() of a huge n wraps to 0 */
	if (n > CR_HBUF_TOTAL - ctx->hpos)
		return ERR_PTR(-ENOMEM);
	n = ALIGN(n, HBUF_ALIGN);
	if (n > CR_HBUF_TOTAL - ctx->hpos)
		return ERR_PTR(-ENOMEM);
	p = ctx->hbuf + ctx->hpos;
	ctx->hpos += n;
	ctx->hbuf_gets++;
	return p;
}

/**
 * cr_hbuf_put() - give back the last @n bytes taken, poisoned
 * @ctx: the context
 * @n: as given to cr_hbuf_get()
 *
 * The bytes are overwritten so that a use after put (2008 defect 3 of
 * cr_read_vma) reads garbage in the tests instead of passing by luck.
 */
void cr_hbuf_put(struct cr_ctx *ctx, size_t n)
{
	n = ALIGN(n, HBUF_ALIGN);
	if (n > ctx->hpos || !ctx->hbuf_gets) {
		cr_err(ctx, "internal: hbuf put of %zu with %zu held", n,
		       ctx->hpos);
		return;
	}
	ctx->hpos -= n;
	ctx->hbuf_gets--;
	memset(ctx->hbuf + ctx->hpos, HBUF_POISON, n);
}

/**
 * cr_hdr_type_name() - the name of an object type, for messages
 * @type: enum cr_hdr_type, or anything
 *
 * Return: a constant string; "unknown" for a type crrun does not know.
 */
const char *cr_hdr_type_name(u32 type)
{
	switch (type) {
	case CR_HDR_HEAD:	return "head";
	case CR_HDR_STRING:	return "string";
	case CR_HDR_FNAME:	return "fname";
	case CR_HDR_TASK:	return "task";
	case CR_HDR_THREAD:	return "thread";
	case CR_HDR_CPU:	return "cpu";
	case CR_HDR_SIGHAND:	return "sighand";
	case CR_HDR_SIGNAL:	return "signal";
	case CR_HDR_FS:		return "fs";
	case CR_HDR_MM:		return "mm";
	case CR_HDR_VMA:	return "vma";
	case CR_HDR_PGARR:	return "pgarr";
	case CR_HDR_MM_CONTEXT:	return "mm_context";
	case CR_HDR_FILES:	return "files";
	case CR_HDR_FD_ENT:	return "fd_ent";
	case CR_HDR_FD_DATA:	return "fd_data";
	case CR_HDR_TTY:	return "tty";
	case CR_HDR_TAIL:	return "tail";
	}
	return "unknown";
}
