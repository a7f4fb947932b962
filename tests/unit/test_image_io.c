// SPDX-License-Identifier: GPL-2.0
/*
 * core/image_io.c and core/crc32c.c: buffered, checksummed object I/O on
 * a real temporary file, the header buffer, and the 2008 defects of this
 * layer: 16-bit lengths (9/21), the parent mixed with the error (21),
 * names not NUL-terminated (5/20), hbuf overflow as BUG_ON (22), and a
 * use of the hbuf after put passing by luck (3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/time.h>
#include <cmocka.h>

#include "core/image_io.h"

/* A context on an unlinked temporary file, and the last error it logged. */
struct io {
	int fd;
	struct cr_ctx ctx;
	bool live;
	char err[512];
	unsigned int nr_err;
};

static void io_log(void *priv, int level, const char *msg)
{
	struct io *io = priv;

	if (level != CR_LOG_ERR)
		return;
	io->nr_err++;
	snprintf(io->err, sizeof(io->err), "%s", msg);
}

static void io_close_ctx(struct io *io)
{
	if (io->live) {
		cr_ctx_fini(&io->ctx);
		io->live = false;
	}
}

/* (Re)open a context of @flags on the file, at offset 0 */
static void io_open(struct io *io, unsigned int flags)
{
	struct cr_log log = {
		.emit = io_log,
		.priv = io,
		.level = CR_LOG_WARN,
	};

	io_close_ctx(io);
	assert_int_equal(lseek(io->fd, 0, SEEK_SET), 0);
	assert_int_equal(cr_ctx_init(&io->ctx, flags, io->fd, NULL, NULL,
				     &log), 0);
	io->live = true;
	io->err[0] = '\0';
	io->nr_err = 0;
}

/* Flush what the writer holds and open a reader on the same file. */
static void io_reopen_for_read(struct io *io)
{
	assert_int_equal(cr_kflush(&io->ctx), 0);
	io_open(io, CR_CTX_RSTR);
}

static int setup(void **state)
{
	char path[] = "/tmp/crrun-test-io-XXXXXX";
	struct io *io = calloc(1, sizeof(*io));

	assert_non_null(io);
	io->fd = mkstemp(path);
	assert_true(io->fd >= 0);
	unlink(path);
	io_open(io, CR_CTX_CKPT);
	*state = io;
	return 0;
}

static int teardown(void **state)
{
	struct io *io = *state;

	io_close_ctx(io);
	close(io->fd);
	free(io);
	return 0;
}

/* Put raw bytes in the file and open a reader on them. */
static void io_raw_image(struct io *io, const void *buf, size_t n)
{
	assert_int_equal(ftruncate(io->fd, 0), 0);
	assert_int_equal(pwrite(io->fd, buf, n, 0), (ssize_t)n);
	io_open(io, CR_CTX_RSTR);
}

static void io_raw_obj(struct io *io, u32 type, u32 parent, const void *payload,
		       u32 len)
{
	struct cr_hdr h = { .type = type, .len = len, .parent = parent };
	char *buf = malloc(sizeof(h) + len);

	assert_non_null(buf);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	io_raw_image(io, buf, sizeof(h) + len);
	free(buf);
}

/* deterministic pseudo-random bytes (xorshift64) */
static void fill_random(u8 *p, size_t n, u64 seed)
{
	u64 x = seed | 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (u8)(x >> 24);
	}
}

/* CRC32C one bit at a time, straight from the polynomial */
static u32 crc32c_bitwise(u32 crc, const u8 *p, size_t n)
{
	int k;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0x82f63b78U : 0);
	}
	return ~crc;
}

/* ---- crc32c ---- */

static void test_crc32c_of_check_string_is_e3069283(void **state)
{
	assert_int_equal(cr_crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(cr_crc32c(0, "", 0), 0);
}

/*
 * Natively this compares the SSE4.2 path with the reference; the
 * qemu_sw_test_image_io run (qemu -cpu qemu64, no SSE4.2) compares the
 * table path with it. Both sides agreeing with the bitwise reference is
 * what makes them agree with each other.
 */
static void test_crc32c_matches_bitwise_at_odd_lengths_and_alignments(
	void **state)
{
	static const size_t lens[] = { 1, 3, 7, 8, 9, 15, 17, 63, 255, 1021,
				       4097 };
	u8 *buf = malloc(4200 + 16);
	size_t a, l;

	assert_non_null(buf);
	fill_random(buf, 4200 + 16, 0x5eed);
	__builtin_cpu_init();
	print_message("crc32c path: %s\n", __builtin_cpu_supports("sse4.2") ?
		      "sse4.2" : "table");
	for (a = 0; a < 16; a++) {
		for (l = 0; l < ARRAY_SIZE(lens); l++) {
			const u8 *p = buf + a;

			assert_int_equal(cr_crc32c(0, p, lens[l]),
					 crc32c_bitwise(0, p, lens[l]));
			/* from a running value, as the image reader does */
			assert_int_equal(cr_crc32c(0xdeadbeef, p, lens[l]),
					 crc32c_bitwise(0xdeadbeef, p,
							lens[l]));
		}
	}
	free(buf);
}

static void test_crc32c_chains_over_split_buffers(void **state)
{
	u8 buf[1000];
	size_t cut;

	fill_random(buf, sizeof(buf), 42);
	for (cut = 0; cut <= sizeof(buf); cut += 37)
		assert_int_equal(cr_crc32c(cr_crc32c(0, buf, cut), buf + cut,
					   sizeof(buf) - cut),
				 cr_crc32c(0, buf, sizeof(buf)));
}

/* ---- cr_kwrite / cr_kread ---- */

/*
 * Write @total bytes in pieces of the sizes in @wr, read them back in
 * pieces of the sizes in @rd, and compare bytes, positions and checksums.
 */
static void roundtrip_pieces(struct io *io, size_t total, const size_t *wr,
			     size_t nwr, const size_t *rd, size_t nrd)
{
	u8 *src = malloc(total), *dst = malloc(total), *file = malloc(total);
	u32 csum = cr_crc32c(0, NULL, 0);
	size_t off, n, i;

	assert_true(src && dst && file);
	fill_random(src, total, total);
	csum = cr_crc32c(0, src, total);

	for (off = 0, i = 0; off < total; off += n, i++) {
		n = min(wr[i % nwr], total - off);
		assert_int_equal(cr_kwrite(&io->ctx, src + off, n), 0);
		assert_int_equal(io->ctx.pos, off + n);
	}
	assert_int_equal(io->ctx.csum, csum);
	io_reopen_for_read(io);
	assert_int_equal(pread(io->fd, file, total, 0), (ssize_t)total);
	assert_memory_equal(file, src, total);

	memset(dst, 0xaa, total);
	for (off = 0, i = 0; off < total; off += n, i++) {
		n = min(rd[i % nrd], total - off);
		assert_int_equal(cr_kread(&io->ctx, dst + off, n), 0);
		assert_int_equal(io->ctx.pos, off + n);
	}
	assert_memory_equal(dst, src, total);
	assert_int_equal(io->ctx.csum, csum);
	free(file);
	free(dst);
	free(src);
}

static void test_kwrite_kread_small_pieces_cross_the_iobuf_boundary(
	void **state)
{
	static const size_t wr[] = { 1, 16, 100, 4095, 7 };
	static const size_t rd[] = { 24, 3, 999, 16 };

	roundtrip_pieces(*state, 3 * CR_IOBUF_SIZE + 1234, wr, ARRAY_SIZE(wr),
			 rd, ARRAY_SIZE(rd));
}

static void test_kwrite_kread_exactly_iobuf_size_pieces(void **state)
{
	static const size_t sz[] = { CR_IOBUF_SIZE };

	roundtrip_pieces(*state, 3 * CR_IOBUF_SIZE, sz, 1, sz, 1);
}

static void test_kwrite_kread_large_direct_pieces_mixed_with_small(
	void **state)
{
	/* large ones skip the buffer; the small ones around them stay */
	static const size_t wr[] = { 40, CR_IOBUF_SIZE + 4096, 8,
				     CR_IOBUF_SIZE / 2, 1,
				     CR_IOBUF_SIZE - 1 };
	static const size_t rd[] = { 16, CR_IOBUF_SIZE / 2 + 3, 4096,
				     CR_IOBUF_SIZE + 1, 32 };

	roundtrip_pieces(*state, 5 * CR_IOBUF_SIZE + 77, wr, ARRAY_SIZE(wr),
			 rd, ARRAY_SIZE(rd));
}

static void test_kread_past_end_of_image_is_eio(void **state)
{
	struct io *io = *state;
	u8 buf[64], *big;

	io_raw_image(io, "0123456789", 10);
	assert_int_equal(cr_kread(&io->ctx, buf, 4), 0);
	assert_int_equal(cr_kread(&io->ctx, buf, 7), -EIO);
	/* and large reads, which bypass the buffer */
	big = malloc(CR_IOBUF_SIZE);
	assert_non_null(big);
	io_raw_image(io, "0123456789", 10);
	assert_int_equal(cr_kread(&io->ctx, big, CR_IOBUF_SIZE), -EIO);
	io_raw_image(io, "0123456789", 10);
	assert_int_equal(cr_kread(&io->ctx, buf, 1), 0);
	assert_int_equal(cr_kread(&io->ctx, big, CR_IOBUF_SIZE), -EIO);
	free(big);
}

static void test_kwrite_to_a_read_only_fd_returns_the_write_error(
	void **state)
{
	struct cr_ctx ctx;
	u8 *big = calloc(2, CR_IOBUF_SIZE);
	int fd = open("/dev/null", O_RDONLY);

	assert_non_null(big);
	assert_true(fd >= 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kwrite(&ctx, big, 10), 0);	/* buffered */
	assert_int_equal(cr_kflush(&ctx), -EBADF);
	assert_int_equal(cr_kwrite(&ctx, big, CR_IOBUF_SIZE), 0); /* buffered */
	assert_int_equal(cr_kwrite(&ctx, big, 1), -EBADF); /* flush fails */
	/* the buffer is empty now: this one goes straight to write(2) */
	assert_int_equal(cr_kwrite(&ctx, big, CR_IOBUF_SIZE + 1), -EBADF);
	cr_ctx_fini(&ctx);
	close(fd);
	free(big);
}

static void test_kread_from_a_write_only_fd_returns_the_read_error(
	void **state)
{
	struct cr_ctx ctx;
	u8 *big = calloc(1, CR_IOBUF_SIZE);
	int fd = open("/dev/null", O_WRONLY);

	assert_non_null(big);
	assert_true(fd >= 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_RSTR, fd, NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kread(&ctx, big, 1), -EBADF);
	assert_int_equal(cr_kread(&ctx, big, CR_IOBUF_SIZE), -EBADF);
	assert_int_equal(ctx.pos, 0);
	cr_ctx_fini(&ctx);
	close(fd);
	free(big);
}

/* ---- I/O errors of the image file ---- */

/*
 * A full disk: small writes are buffered and succeed, the flush that
 * writes them says -ENOSPC, and a large write that goes straight to the
 * file says it at once.
 */
static void test_kwrite_kflush_to_a_full_disk_return_enospc(void **state)
{
	struct cr_ctx ctx;
	u8 *big = calloc(2, CR_IOBUF_SIZE);
	int fd = open("/dev/full", O_WRONLY);

	assert_non_null(big);
	assert_true(fd >= 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kwrite(&ctx, big, 100), 0);
	assert_int_equal(cr_kflush(&ctx), -ENOSPC);
	assert_int_equal(cr_kflush(&ctx), 0);	/* the bytes were dropped */
	assert_int_equal(cr_write_obj(&ctx, CR_HDR_STRING, 0, big, 10), 0);
	/* does not fit what is buffered: the flush fails */
	assert_int_equal(cr_kwrite(&ctx, big, CR_IOBUF_SIZE), -ENOSPC);
	/* larger than the buffer: straight to write(2), which fails */
	assert_int_equal(cr_kwrite(&ctx, big, CR_IOBUF_SIZE + 1), -ENOSPC);
	cr_ctx_fini(&ctx);
	close(fd);
	free(big);
}

/* A directory opened as the image: read(2)'s -EISDIR, not "truncated". */
static void test_kread_of_a_directory_returns_eisdir_unchanged(void **state)
{
	struct io *io = *state;
	struct cr_log log = { .emit = io_log, .priv = io, .level = CR_LOG_WARN };
	struct cr_hdr h;
	u8 buf[8];
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	io_close_ctx(io);
	assert_int_equal(cr_ctx_init(&io->ctx, CR_CTX_RSTR, fd, NULL, NULL,
				     &log), 0);
	io->live = true;
	io->nr_err = 0;
	assert_int_equal(cr_kread(&io->ctx, buf, sizeof(buf)), -EISDIR);
	assert_int_equal(cr_read_hdr(&io->ctx, &h), -EISDIR);
	assert_int_equal(io->ctx.pos, 0);
	assert_int_equal(io->nr_err, 0);	/* not called a truncation */
	io_close_ctx(io);
	close(fd);
}

/* The image on a pipe cannot be skipped over: lseek's -ESPIPE. */
static void test_kskip_past_the_buffer_on_a_pipe_returns_espipe(void **state)
{
	struct cr_ctx ctx;
	u8 img[64] = { 0 }, buf[8];
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], img, sizeof(img)), (ssize_t)sizeof(img));
	close(p[1]);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_RSTR, p[0], NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kread(&ctx, buf, sizeof(buf)), 0);
	assert_int_equal(cr_kskip(&ctx, 8), 0);		/* in the buffer */
	assert_int_equal(cr_kskip(&ctx, 100), -ESPIPE);
	assert_int_equal(ctx.pos, 16);
	cr_ctx_fini(&ctx);
	close(p[0]);
}

/* A context made without a log drops its messages; the errors remain. */
static void test_context_without_a_log_still_returns_the_error(void **state)
{
	struct cr_ctx ctx;
	struct cr_hdr h;
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_RSTR, fd, NULL, NULL, NULL),
			 0);
	assert_null(ctx.log.emit);
	assert_int_equal(cr_read_hdr(&ctx, &h), -EIO);	/* logs, to nowhere */
	cr_ctx_fini(&ctx);
	close(fd);
	assert_int_equal(cr_ctx_init(&ctx, 0, fd, NULL, NULL, NULL), -EINVAL);
	cr_ctx_fini(&ctx);
}

/*
 * A signal that interrupts a blocking read(2) or write(2) of the image
 * (SIGCHLD, SIGWINCH in the CLI) is not an I/O error: the call is made
 * again. The SIGALRM handler, installed without SA_RESTART, is what
 * unblocks the pipe: it writes the bytes the reader waits for, or drains
 * the pipe the writer waits on.
 */
static int eintr_pipe[2];
static const char eintr_msg[] = "after the signal";

/* the reader fills its whole buffer: it needs the end of file too */
static void eintr_feed(int sig)
{
	ssize_t n = write(eintr_pipe[1], eintr_msg, sizeof(eintr_msg));

	(void)n;
	close(eintr_pipe[1]);
	eintr_pipe[1] = -1;
}

static void eintr_drain(int sig)
{
	char buf[4096];
	ssize_t n = read(eintr_pipe[0], buf, sizeof(buf));

	(void)n;
}

/* Arm SIGALRM in 20 ms with @handler, no SA_RESTART; give the old one. */
static void eintr_arm(void (*handler)(int), struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = handler };
	struct itimerval it = { .it_value = { .tv_usec = 20000 } };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void test_kread_retries_a_read_interrupted_by_a_signal(void **state)
{
	struct sigaction old;
	struct cr_ctx ctx;
	char buf[sizeof(eintr_msg)];

	assert_int_equal(pipe(eintr_pipe), 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_RSTR, eintr_pipe[0], NULL,
				     NULL, NULL), 0);
	eintr_arm(eintr_feed, &old);
	/* blocks on the empty pipe until the handler has written */
	assert_int_equal(cr_kread(&ctx, buf, sizeof(buf)), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_string_equal(buf, eintr_msg);
	assert_int_equal(eintr_pipe[1], -1);
	cr_ctx_fini(&ctx);
	close(eintr_pipe[0]);
}

static void test_kflush_retries_a_write_interrupted_by_a_signal(void **state)
{
	struct sigaction old;
	struct cr_ctx ctx;
	char buf[4096] = { 0 };
	int flags;

	assert_int_equal(pipe(eintr_pipe), 0);
	/* fill the pipe, so that the next write blocks */
	flags = fcntl(eintr_pipe[1], F_GETFL);
	assert_int_equal(fcntl(eintr_pipe[1], F_SETFL, flags | O_NONBLOCK), 0);
	while (write(eintr_pipe[1], buf, sizeof(buf)) > 0)
		;
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(fcntl(eintr_pipe[1], F_SETFL, flags), 0);

	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, eintr_pipe[1], NULL,
				     NULL, NULL), 0);
	assert_int_equal(cr_kwrite(&ctx, eintr_msg, sizeof(eintr_msg)), 0);
	eintr_arm(eintr_drain, &old);
	assert_int_equal(cr_kflush(&ctx), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	cr_ctx_fini(&ctx);
	close(eintr_pipe[0]);
	close(eintr_pipe[1]);
}

/* ---- object headers ---- */

static void test_short_image_gives_eio_naming_the_offset(void **state)
{
	struct io *io = *state;
	struct cr_hdr_fs fs = { .umask = 022 };
	struct cr_hdr h;
	u32 parent;

	assert_int_equal(cr_write_obj(&io->ctx, CR_HDR_FS, 7, &fs, sizeof(fs)),
			 0);
	assert_int_equal(cr_kwrite(&io->ctx, "\1\0\0\0\x10", 5), 0);
	io_reopen_for_read(io);

	assert_int_equal(cr_read_obj_type(&io->ctx, &fs, sizeof(fs), CR_HDR_FS,
					  &parent), 0);
	assert_int_equal(parent, 7);
	assert_int_equal(cr_read_hdr(&io->ctx, &h), -EIO);
	assert_non_null(strstr(io->err, "truncated"));
	assert_non_null(strstr(io->err, "offset 24"));
}

static void test_short_payload_gives_eio_naming_the_object(void **state)
{
	struct io *io = *state;
	struct cr_hdr h = { .type = CR_HDR_SIGNAL,
			    .len = sizeof(struct cr_hdr_signal) };
	struct cr_hdr_signal sig;
	u8 buf[sizeof(h) + 10] = { 0 };

	memcpy(buf, &h, sizeof(h));
	io_raw_image(io, buf, sizeof(buf));
	assert_int_equal(cr_read_obj_type(&io->ctx, &sig, sizeof(sig),
					  CR_HDR_SIGNAL, NULL), -EIO);
	assert_non_null(strstr(io->err, "signal"));
	assert_non_null(strstr(io->err, "truncated"));
}

static void test_read_hdr_rejects_nonzero_reserved_field(void **state)
{
	struct io *io = *state;
	struct cr_hdr h = { .type = CR_HDR_FS, .len = 0, ._pad = 1 };

	io_raw_image(io, &h, sizeof(h));
	assert_int_equal(cr_read_hdr(&io->ctx, &h), -EINVAL);
	assert_non_null(strstr(io->err, "reserved"));
}

static void test_read_obj_type_rejects_another_type_naming_both(void **state)
{
	struct io *io = *state;
	struct cr_hdr_fs fs = { 0 };

	io_raw_obj(io, CR_HDR_SIGNAL, 0, &fs, sizeof(fs));
	assert_int_equal(cr_read_obj_type(&io->ctx, &fs, sizeof(fs), CR_HDR_FS,
					  NULL), -EINVAL);
	assert_non_null(strstr(io->err, "fs expected at offset 0"));
	assert_non_null(strstr(io->err, "found signal"));
}

static void test_read_obj_type_rejects_another_len_naming_the_object(
	void **state)
{
	struct io *io = *state;
	u8 payload[16] = { 0 };
	struct cr_hdr_fs fs;

	io_raw_obj(io, CR_HDR_FS, 0, payload, sizeof(payload));
	assert_int_equal(cr_read_obj_type(&io->ctx, &fs, sizeof(fs), CR_HDR_FS,
					  NULL), -EINVAL);
	assert_non_null(strstr(io->err, "fs: len 16, expected 8"));
	/* shorter than the type is rejected the same way */
	io_raw_obj(io, CR_HDR_FS, 0, payload, 4);
	assert_int_equal(cr_read_obj_type(&io->ctx, &fs, sizeof(fs), CR_HDR_FS,
					  NULL), -EINVAL);
	assert_non_null(strstr(io->err, "len 4"));
}

static void test_read_obj_var_returns_the_tail_length(void **state)
{
	struct io *io = *state;
	struct cr_hdr_pgarr hh = { .nr_pages = 3 };
	u64 addrs[3] = { 0x1000, 0x2000, 0x5000 }, got[3];
	u32 parent = 0, tail = 0;

	assert_int_equal(cr_write_obj_var(&io->ctx, CR_HDR_PGARR, 99, &hh,
					  sizeof(hh), addrs, sizeof(addrs)), 0);
	io_reopen_for_read(io);
	memset(&hh, 0, sizeof(hh));
	assert_int_equal(cr_read_obj_var(&io->ctx, &hh, sizeof(hh),
					 CR_HDR_PGARR, &parent, &tail), 0);
	assert_int_equal(hh.nr_pages, 3);
	assert_int_equal(parent, 99);
	assert_int_equal(tail, sizeof(addrs));
	/* the tail is next in the stream */
	assert_int_equal(cr_kread(&io->ctx, got, tail), 0);
	assert_memory_equal(got, addrs, sizeof(addrs));
}

static void test_read_obj_var_rejects_payload_shorter_than_fixed_part(
	void **state)
{
	struct io *io = *state;
	struct cr_hdr_mm mm;
	u8 payload[sizeof(mm) - 8] = { 0 };
	u32 tail = 12345;

	io_raw_obj(io, CR_HDR_MM, 0, payload, sizeof(payload));
	assert_int_equal(cr_read_obj_var(&io->ctx, &mm, sizeof(mm), CR_HDR_MM,
					 NULL, &tail), -EINVAL);
	assert_non_null(strstr(io->err, "mm: len 104, at least 112"));
}

static void test_read_obj_var_rejects_another_type(void **state)
{
	struct io *io = *state;
	struct cr_hdr_pgarr hh = { 0 };
	u32 tail;

	io_raw_obj(io, CR_HDR_VMA, 0, &hh, sizeof(hh));
	assert_int_equal(cr_read_obj_var(&io->ctx, &hh, sizeof(hh),
					 CR_HDR_PGARR, NULL, &tail), -EINVAL);
	assert_non_null(strstr(io->err, "pgarr expected"));
}

/* 2008 defect 9/21: cr_hdr.len was an s16, records capped at 32 KiB */
static void test_object_over_32k_round_trips(void **state)
{
	struct io *io = *state;
	const u32 big = 100000;		/* > 32 KiB, > 64 KiB */
	struct cr_hdr_task hh = { .pid = 1, .ngroups = big / 4 };
	u8 *groups = malloc(big), *got = malloc(big);
	struct cr_hdr h;
	u32 tail;

	assert_true(groups && got);
	fill_random(groups, big, 7);
	assert_int_equal(cr_write_obj_var(&io->ctx, CR_HDR_TASK, 0, &hh,
					  sizeof(hh), groups, big), 0);
	assert_int_equal(cr_write_obj(&io->ctx, CR_HDR_STRING, 0, groups,
				      40000), 0);
	io_reopen_for_read(io);

	assert_int_equal(pread(io->fd, &h, sizeof(h), 0), sizeof(h));
	assert_int_equal(h.len, sizeof(hh) + big);

	assert_int_equal(cr_read_obj_var(&io->ctx, &hh, sizeof(hh), CR_HDR_TASK,
					 NULL, &tail), 0);
	assert_int_equal(tail, big);
	assert_int_equal(cr_kread(&io->ctx, got, tail), 0);
	assert_memory_equal(got, groups, big);
	assert_int_equal(cr_read_obj_type(&io->ctx, got, 40000, CR_HDR_STRING,
					  NULL), 0);
	assert_memory_equal(got, groups, 40000);
	free(got);
	free(groups);
}

static void test_write_hdr_rejects_len_past_u32(void **state)
{
	struct io *io = *state;

	assert_int_equal(cr_write_hdr(&io->ctx, CR_HDR_STRING, 0,
				      (u64)UINT32_MAX + 1), -E2BIG);
	assert_int_equal(io->ctx.pos, 0);
	assert_int_equal(cr_write_hdr(&io->ctx, CR_HDR_STRING, 0, UINT32_MAX),
			 0);
}

/*
 * 2008 defect 21: cr_read_obj_type() returned the u32 parent as its int
 * result, so a parent >= 2^31 read as an error.
 */
/* Two parts that fit a u32 each but not together: -E2BIG, nothing written. */
static void test_write_obj_var_rejects_parts_summing_past_u32(void **state)
{
	struct io *io = *state;
	u8 b = 0;

	/* the lengths are checked before either buffer is read */
	assert_int_equal(cr_write_obj_var(&io->ctx, CR_HDR_STRING, 0, &b,
					  UINT32_MAX, &b, 1), -E2BIG);
	assert_int_equal(io->ctx.pos, 0);
	assert_int_equal(io->ctx.io_len, 0);
}

/* An object may have no payload at all, or only a variable part. */
static void test_objects_with_empty_parts_round_trip(void **state)
{
	struct io *io = *state;
	u32 parent, tail;
	u64 v = 0x1122334455667788ULL, got = 0;

	assert_int_equal(cr_write_obj(&io->ctx, CR_HDR_STRING, 7, NULL, 0), 0);
	assert_int_equal(cr_write_obj_var(&io->ctx, CR_HDR_STRING, 8, NULL, 0,
					  &v, sizeof(v)), 0);
	assert_int_equal(io->ctx.pos, 2 * sizeof(struct cr_hdr) + sizeof(v));
	io_reopen_for_read(io);
	assert_int_equal(cr_read_obj_type(&io->ctx, &got, 0, CR_HDR_STRING,
					  &parent), 0);
	assert_int_equal(parent, 7);
	assert_int_equal(cr_read_obj_var(&io->ctx, &got, 0, CR_HDR_STRING,
					 &parent, &tail), 0);
	assert_int_equal(parent, 8);
	assert_int_equal(tail, sizeof(v));
	assert_int_equal(cr_kread(&io->ctx, &got, tail), 0);
	assert_int_equal(got, v);
}

static void test_read_obj_type_returns_parent_above_2g_apart_from_error(
	void **state)
{
	static const u32 parents[] = { 0x80000000U, 0xfffffff2U /* -14 */,
				       0xffffffffU };
	struct io *io = *state;
	struct cr_hdr_fs fs = { .umask = 077 };
	u32 parent, tail;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parents); i++)
		assert_int_equal(cr_write_obj(&io->ctx, CR_HDR_FS, parents[i],
					      &fs, sizeof(fs)), 0);
	assert_int_equal(cr_write_obj(&io->ctx, CR_HDR_FS, 0x80000001U, &fs,
				      sizeof(fs)), 0);
	io_reopen_for_read(io);
	for (i = 0; i < ARRAY_SIZE(parents); i++) {
		parent = 0;
		assert_int_equal(cr_read_obj_type(&io->ctx, &fs, sizeof(fs),
						  CR_HDR_FS, &parent), 0);
		assert_int_equal(parent, parents[i]);
		assert_int_equal(fs.umask, 077);
	}
	assert_int_equal(cr_read_obj_var(&io->ctx, &fs, sizeof(fs), CR_HDR_FS,
					 &parent, &tail), 0);
	assert_int_equal(parent, 0x80000001U);
	assert_int_equal(tail, 0);
}

/* ---- cr_read_fname: 2008 defects 5/20 ---- */

static int read_fname_raw(struct io *io, const void *payload, u32 len,
			  char *buf, u32 n)
{
	io_raw_obj(io, CR_HDR_FNAME, 5, payload, len);
	return cr_read_fname(&io->ctx, buf, n, NULL);
}

static void test_read_fname_accepts_a_terminated_name(void **state)
{
	struct io *io = *state;
	char buf[64];
	u32 parent = 0;

	assert_int_equal(cr_write_fname(&io->ctx, 0x90000000U, "/etc/hosts"),
			 0);
	io_reopen_for_read(io);
	assert_int_equal(cr_read_fname(&io->ctx, buf, sizeof(buf), &parent),
			 0);
	assert_string_equal(buf, "/etc/hosts");
	assert_int_equal(parent, 0x90000000U);
	/* the smallest: one character and its NUL, in a buffer just as big */
	assert_int_equal(read_fname_raw(io, "/", 2, buf, 2), 0);
	assert_string_equal(buf, "/");
}

static void test_read_fname_rejects_name_without_nul(void **state)
{
	struct io *io = *state;
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(read_fname_raw(io, "/etc/hosts", 10, buf,
					sizeof(buf)), -EINVAL);
	assert_non_null(strstr(io->err, "fname"));
	/* whatever the caller does next, the buffer holds a string */
	assert_int_equal(buf[0], '\0');
}

static void test_read_fname_rejects_inner_nul(void **state)
{
	struct io *io = *state;
	char buf[64];

	assert_int_equal(read_fname_raw(io, "/etc\0/hosts", 12, buf,
					sizeof(buf)), -EINVAL);
	assert_non_null(strstr(io->err, "NUL"));
	assert_int_equal(read_fname_raw(io, "/etc\0\0", 6, buf, sizeof(buf)),
			 -EINVAL);
}

static void test_read_fname_rejects_empty_name(void **state)
{
	struct io *io = *state;
	char buf[64];

	assert_int_equal(read_fname_raw(io, "", 1, buf, sizeof(buf)), -EINVAL);
	assert_non_null(strstr(io->err, "fname: len 1"));
	assert_int_equal(read_fname_raw(io, "", 0, buf, sizeof(buf)), -EINVAL);
	assert_non_null(strstr(io->err, "fname: len 0"));
}

static void test_read_fname_rejects_name_longer_than_buffer(void **state)
{
	struct io *io = *state;
	char *big = malloc(CR_FNAME_MAX + 2);
	char buf[16 + 8];

	assert_non_null(big);
	/* canaries after the 16 bytes the reader is given */
	memset(buf, 'c', sizeof(buf));
	assert_int_equal(read_fname_raw(io, "/a/very/long/name", 18, buf, 16),
			 -EINVAL);
	assert_memory_equal(buf + 16, "cccccccc", 8);
	assert_non_null(strstr(io->err, "fname: len 18"));

	/* and longer than CR_FNAME_MAX, whatever the buffer */
	memset(big, 'a', CR_FNAME_MAX + 2);
	big[0] = '/';
	big[CR_FNAME_MAX] = '\0';
	assert_int_equal(read_fname_raw(io, big, CR_FNAME_MAX + 1, big,
					CR_FNAME_MAX + 2), -EINVAL);
	free(big);
}

static void test_read_fname_at_the_end_of_the_image_is_eio(void **state)
{
	struct io *io = *state;
	char name[16];

	io_raw_image(io, "", 0);
	assert_int_equal(cr_read_fname(&io->ctx, name, sizeof(name), NULL),
			 -EIO);
	assert_non_null(strstr(io->err, "truncated"));
}

static void test_read_fname_rejects_another_type_naming_both(void **state)
{
	struct io *io = *state;
	char name[16];

	io_raw_obj(io, CR_HDR_STRING, 0, "/a", 3);
	assert_int_equal(cr_read_fname(&io->ctx, name, sizeof(name), NULL),
			 -EINVAL);
	assert_non_null(strstr(io->err, "fname expected"));
	assert_non_null(strstr(io->err, "string"));
}

static void test_read_fname_of_a_truncated_name_is_eio(void **state)
{
	struct io *io = *state;
	struct cr_hdr h = { .type = CR_HDR_FNAME, .len = 10 };
	char buf[sizeof(h) + 4], name[16];

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), "/abc", 4);	/* 6 bytes short */
	io_raw_image(io, buf, sizeof(buf));
	assert_int_equal(cr_read_fname(&io->ctx, name, sizeof(name), NULL),
			 -EIO);
	assert_non_null(strstr(io->err, "fname"));
	assert_non_null(strstr(io->err, "truncated"));
}

static void test_write_fname_rejects_path_past_path_max(void **state)
{
	struct io *io = *state;
	char *big = malloc(CR_FNAME_MAX + 1);

	assert_non_null(big);
	memset(big, 'a', CR_FNAME_MAX);
	big[CR_FNAME_MAX] = '\0';
	assert_int_equal(cr_write_fname(&io->ctx, 0, big), -ENAMETOOLONG);
	big[CR_FNAME_MAX - 1] = '\0';	/* 4095 + NUL: fits */
	assert_int_equal(cr_write_fname(&io->ctx, 0, big), 0);
	free(big);
}

/* ---- the header buffer: 2008 defects 22 and 3 ---- */

static void test_hbuf_get_past_capacity_returns_enomem_not_crash(
	void **state)
{
	struct io *io = *state;
	void *p[CR_HBUF_TOTAL / 512 + 1];
	unsigned int i;

	assert_ptr_equal(cr_hbuf_get(&io->ctx, CR_HBUF_TOTAL + 1),
			 ERR_PTR(-ENOMEM));
	assert_ptr_equal(cr_hbuf_get(&io->ctx, (size_t)-8), ERR_PTR(-ENOMEM));
	assert_int_equal(io->ctx.hbuf_gets, 0);
	for (i = 0; i < CR_HBUF_TOTAL / 512; i++) {
		p[i] = cr_hbuf_get(&io->ctx, 512);
		assert_false(IS_ERR(p[i]));
		memset(p[i], i, 512);	/* valgrind: inside the buffer */
	}
	assert_ptr_equal(cr_hbuf_get(&io->ctx, 1), ERR_PTR(-ENOMEM));
	assert_int_equal(io->ctx.hbuf_gets, CR_HBUF_TOTAL / 512);
	while (i--)
		cr_hbuf_put(&io->ctx, 512);
	assert_int_equal(io->ctx.hbuf_gets, 0);
	assert_int_equal(io->ctx.hpos, 0);
	assert_int_equal(io->nr_err, 0);
}

/* rounding the size up to 8 must not wrap a huge request to 0 bytes */
static void test_hbuf_get_of_size_max_is_enomem_not_a_wrapped_zero(
	void **state)
{
	struct io *io = *state;
	void *p;

	p = cr_hbuf_get(&io->ctx, SIZE_MAX);
	if (!IS_ERR(p))
		cr_hbuf_put(&io->ctx, SIZE_MAX);
	assert_ptr_equal(p, ERR_PTR(-ENOMEM));
	p = cr_hbuf_get(&io->ctx, SIZE_MAX - 6);
	if (!IS_ERR(p))
		cr_hbuf_put(&io->ctx, SIZE_MAX - 6);
	assert_ptr_equal(p, ERR_PTR(-ENOMEM));
	assert_int_equal(io->ctx.hbuf_gets, 0);
}

static void test_hbuf_is_a_stack_of_aligned_blocks(void **state)
{
	struct io *io = *state;
	char *a, *b;

	a = cr_hbuf_get(&io->ctx, 3);
	b = cr_hbuf_get(&io->ctx, 24);
	assert_false(IS_ERR(a) || IS_ERR(b));
	assert_int_equal(b - a, 8);
	assert_int_equal((uintptr_t)b % 8, 0);
	cr_hbuf_put(&io->ctx, 24);
	cr_hbuf_put(&io->ctx, 3);
	assert_ptr_equal(cr_hbuf_get(&io->ctx, 1), a);
	cr_hbuf_put(&io->ctx, 1);
}

/*
 * 2008 defect 3: cr_read_vma read hh->vma_type after cr_hbuf_put and got
 * away with it. The put poisons the bytes, so such a read sees 0x6b6b...
 */
static void test_hbuf_put_poisons_the_bytes(void **state)
{
	struct io *io = *state;
	struct cr_hdr_vma *hh;
	u8 expect[sizeof(*hh)];

	hh = cr_hbuf_get(&io->ctx, sizeof(*hh));
	assert_false(IS_ERR(hh));
	hh->vma_type = CR_VMA_FILE;
	hh->vm_start = 0x400000;
	cr_hbuf_put(&io->ctx, sizeof(*hh));
	memset(expect, 0x6b, sizeof(expect));
	assert_memory_equal(hh, expect, sizeof(expect));
	assert_int_equal(hh->vma_type, 0x6b6b6b6b);
}

static void test_hbuf_put_more_than_held_is_logged_not_applied(void **state)
{
	struct io *io = *state;
	void *p = cr_hbuf_get(&io->ctx, 16);

	assert_false(IS_ERR(p));
	cr_hbuf_put(&io->ctx, 64);
	assert_non_null(strstr(io->err, "hbuf put"));
	assert_int_equal(io->ctx.hpos, 16);
	assert_int_equal(io->ctx.hbuf_gets, 1);
	cr_hbuf_put(&io->ctx, 16);
	assert_int_equal(io->ctx.hbuf_gets, 0);
	cr_hbuf_put(&io->ctx, 0);	/* nothing held: refused too */
	assert_int_equal(io->ctx.hbuf_gets, 0);
}

/* ---- page pad ---- */

static void test_write_page_pad_writes_zeros_to_a_page_boundary(void **state)
{
	struct io *io = *state;
	u8 *file = malloc(2 * PAGE_SIZE), zero[PAGE_SIZE] = { 0 };

	assert_non_null(file);
	assert_int_equal(cr_kwrite(&io->ctx, "abc", 3), 0);
	assert_int_equal(cr_write_page_pad(&io->ctx), 0);
	assert_int_equal(io->ctx.pos, PAGE_SIZE);
	/* at a boundary already: nothing */
	assert_int_equal(cr_write_page_pad(&io->ctx), 0);
	assert_int_equal(io->ctx.pos, PAGE_SIZE);
	assert_int_equal(cr_kwrite(&io->ctx, "d", 1), 0);
	assert_int_equal(cr_write_page_pad(&io->ctx), 0);
	assert_int_equal(io->ctx.pos, 2 * PAGE_SIZE);
	assert_int_equal(cr_kflush(&io->ctx), 0);

	assert_int_equal(pread(io->fd, file, 2 * PAGE_SIZE, 0), 2 * PAGE_SIZE);
	assert_memory_equal(file, "abc", 3);
	assert_memory_equal(file + 3, zero, PAGE_SIZE - 3);
	assert_int_equal(file[PAGE_SIZE], 'd');
	assert_memory_equal(file + PAGE_SIZE + 1, zero, PAGE_SIZE - 1);
	/* the checksum covers the pad */
	assert_int_equal(io->ctx.csum, cr_crc32c(0, file, 2 * PAGE_SIZE));
	free(file);
}

static void test_read_page_pad_skips_zeros_to_a_page_boundary(void **state)
{
	struct io *io = *state;
	u8 buf[100];

	assert_int_equal(cr_kwrite(&io->ctx, "xyz", 3), 0);
	assert_int_equal(cr_write_page_pad(&io->ctx), 0);
	assert_int_equal(cr_kwrite(&io->ctx, "after", 5), 0);
	io_reopen_for_read(io);
	assert_int_equal(cr_read_page_pad(&io->ctx), 0);	/* at 0: none */
	assert_int_equal(io->ctx.pos, 0);
	assert_int_equal(cr_kread(&io->ctx, buf, 3), 0);
	assert_int_equal(cr_read_page_pad(&io->ctx), 0);
	assert_int_equal(io->ctx.pos, PAGE_SIZE);
	assert_int_equal(cr_kread(&io->ctx, buf, 5), 0);
	assert_memory_equal(buf, "after", 5);
}

static void test_read_page_pad_rejects_a_nonzero_pad_byte(void **state)
{
	struct io *io = *state;
	u8 *img = calloc(1, PAGE_SIZE);
	u8 buf[8];

	assert_non_null(img);
	img[PAGE_SIZE - 1] = 1;		/* the last pad byte */
	io_raw_image(io, img, PAGE_SIZE);
	assert_int_equal(cr_kread(&io->ctx, buf, 8), 0);
	assert_int_equal(cr_read_page_pad(&io->ctx), -EINVAL);
	assert_non_null(strstr(io->err, "padding"));
	free(img);
}

static void test_read_page_pad_of_a_truncated_image_is_eio(void **state)
{
	struct io *io = *state;
	u8 img[100] = { 0 }, buf[8];

	io_raw_image(io, img, sizeof(img));
	assert_int_equal(cr_kread(&io->ctx, buf, 8), 0);
	assert_int_equal(cr_read_page_pad(&io->ctx), -EIO);
}

/* ---- cr_kskip ---- */

static void test_kskip_within_and_past_the_buffer(void **state)
{
	struct io *io = *state;
	const size_t total = 2 * CR_IOBUF_SIZE + 3 * PAGE_SIZE;
	u8 *src = malloc(total), buf[16];

	assert_non_null(src);
	fill_random(src, total, 99);
	assert_int_equal(cr_kwrite(&io->ctx, src, total), 0);
	io_reopen_for_read(io);

	assert_int_equal(cr_kread(&io->ctx, buf, 16), 0); /* fills iobuf */
	assert_int_equal(cr_kskip(&io->ctx, 100), 0);		/* in iobuf */
	assert_int_equal(cr_kread(&io->ctx, buf, 16), 0);
	assert_memory_equal(buf, src + 116, 16);
	assert_int_equal(cr_kskip(&io->ctx, CR_IOBUF_SIZE), 0); /* past it */
	assert_int_equal(io->ctx.pos, 132 + CR_IOBUF_SIZE);
	assert_int_equal(cr_kread(&io->ctx, buf, 16), 0);
	assert_memory_equal(buf, src + 132 + CR_IOBUF_SIZE, 16);
	assert_int_equal(cr_kskip(&io->ctx, 0), 0);
	/* up to the very end is fine, one byte more is not */
	assert_int_equal(cr_kskip(&io->ctx, total - io->ctx.pos), 0);
	assert_int_equal(io->ctx.pos, total);
	assert_int_equal(cr_kread(&io->ctx, buf, 1), -EIO);
	free(src);
}

static void test_kskip_past_the_end_is_eio(void **state)
{
	struct io *io = *state;
	u8 img[1000] = { 0 }, buf[8];

	io_raw_image(io, img, sizeof(img));
	assert_int_equal(cr_kread(&io->ctx, buf, 8), 0);
	assert_int_equal(cr_kskip(&io->ctx, 993), -EIO);
	io_open(io, CR_CTX_RSTR);
	assert_int_equal(cr_kskip(&io->ctx, (u64)1 << 40), -EIO);
}

/*
 * The count is a u64; lseek() takes it as a signed off_t. A count past
 * INT64_MAX must not turn into a seek backwards that "succeeds".
 */
static void test_kskip_of_a_huge_count_is_eio_not_a_seek_backwards(
	void **state)
{
	struct io *io = *state;
	u8 img[1000] = { 0 }, buf[8];

	io_raw_image(io, img, sizeof(img));
	assert_int_equal(cr_kread(&io->ctx, buf, 8), 0); /* 992 buffered */
	assert_int_equal(cr_kskip(&io->ctx, (u64)-1), -EIO);
	io_open(io, CR_CTX_RSTR);
	assert_int_equal(cr_kread(&io->ctx, buf, 8), 0);
	assert_int_equal(cr_kskip(&io->ctx, (u64)INT64_MAX + 2), -EIO);
}

static void test_kskip_leaves_the_checksum_alone(void **state)
{
	struct io *io = *state;
	u8 img[64];

	fill_random(img, sizeof(img), 3);
	io_raw_image(io, img, sizeof(img));
	assert_int_equal(cr_kskip(&io->ctx, 32), 0);
	assert_int_equal(io->ctx.csum, 0);
	assert_int_equal(cr_kread(&io->ctx, img, 32), 0);
	assert_int_equal(io->ctx.csum, cr_crc32c(0, img, 32));
}

static void test_hdr_type_names(void **state)
{
	assert_string_equal(cr_hdr_type_name(CR_HDR_VMA), "vma");
	assert_string_equal(cr_hdr_type_name(CR_HDR_TAIL), "tail");
	assert_string_equal(cr_hdr_type_name(0), "unknown");
	assert_string_equal(cr_hdr_type_name(0xffffffff), "unknown");
}

/* Every type has a name of its own: a message never says "unknown" of one. */
static void test_hdr_type_name_of_every_type_is_its_own(void **state)
{
	static const struct {
		u32 type;
		const char *name;
	} names[] = {
		{ CR_HDR_HEAD, "head" },	{ CR_HDR_STRING, "string" },
		{ CR_HDR_FNAME, "fname" },	{ CR_HDR_TASK, "task" },
		{ CR_HDR_THREAD, "thread" },	{ CR_HDR_CPU, "cpu" },
		{ CR_HDR_SIGHAND, "sighand" },	{ CR_HDR_SIGNAL, "signal" },
		{ CR_HDR_FS, "fs" },		{ CR_HDR_MM, "mm" },
		{ CR_HDR_VMA, "vma" },		{ CR_HDR_PGARR, "pgarr" },
		{ CR_HDR_MM_CONTEXT, "mm_context" },
		{ CR_HDR_FILES, "files" },	{ CR_HDR_FD_ENT, "fd_ent" },
		{ CR_HDR_FD_DATA, "fd_data" },	{ CR_HDR_TTY, "tty" },
		{ CR_HDR_TAIL, "tail" },
	};
	unsigned int i, j, known = 0;
	u32 type;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(cr_hdr_type_name(names[i].type),
				    names[i].name);
	/* and no other type below the largest has one */
	for (type = 0; type <= CR_HDR_TAIL + 1; type++) {
		if (!strcmp(cr_hdr_type_name(type), "unknown"))
			continue;
		for (j = 0; j < ARRAY_SIZE(names); j++)
			if (names[j].type == type)
				break;
		assert_true(j < ARRAY_SIZE(names));
		known++;
	}
	assert_int_equal(known, ARRAY_SIZE(names));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_crc32c_of_check_string_is_e3069283),
		T(test_crc32c_matches_bitwise_at_odd_lengths_and_alignments),
		T(test_crc32c_chains_over_split_buffers),
		T(test_kwrite_kread_small_pieces_cross_the_iobuf_boundary),
		T(test_kwrite_kread_exactly_iobuf_size_pieces),
		T(test_kwrite_kread_large_direct_pieces_mixed_with_small),
		T(test_kread_past_end_of_image_is_eio),
		T(test_kwrite_to_a_read_only_fd_returns_the_write_error),
		T(test_kread_from_a_write_only_fd_returns_the_read_error),
		T(test_kwrite_kflush_to_a_full_disk_return_enospc),
		T(test_kread_of_a_directory_returns_eisdir_unchanged),
		T(test_kskip_past_the_buffer_on_a_pipe_returns_espipe),
		T(test_context_without_a_log_still_returns_the_error),
		T(test_kread_retries_a_read_interrupted_by_a_signal),
		T(test_kflush_retries_a_write_interrupted_by_a_signal),
		T(test_short_image_gives_eio_naming_the_offset),
		T(test_short_payload_gives_eio_naming_the_object),
		T(test_read_hdr_rejects_nonzero_reserved_field),
		T(test_read_obj_type_rejects_another_type_naming_both),
		T(test_read_obj_type_rejects_another_len_naming_the_object),
		T(test_read_obj_var_returns_the_tail_length),
		T(test_read_obj_var_rejects_payload_shorter_than_fixed_part),
		T(test_read_obj_var_rejects_another_type),
		T(test_object_over_32k_round_trips),
		T(test_write_hdr_rejects_len_past_u32),
		T(test_write_obj_var_rejects_parts_summing_past_u32),
		T(test_objects_with_empty_parts_round_trip),
		T(test_read_obj_type_returns_parent_above_2g_apart_from_error),
		T(test_read_fname_accepts_a_terminated_name),
		T(test_read_fname_rejects_name_without_nul),
		T(test_read_fname_rejects_inner_nul),
		T(test_read_fname_rejects_empty_name),
		T(test_read_fname_rejects_name_longer_than_buffer),
		T(test_read_fname_at_the_end_of_the_image_is_eio),
		T(test_read_fname_rejects_another_type_naming_both),
		T(test_read_fname_of_a_truncated_name_is_eio),
		T(test_write_fname_rejects_path_past_path_max),
		T(test_hbuf_get_past_capacity_returns_enomem_not_crash),
		T(test_hbuf_get_of_size_max_is_enomem_not_a_wrapped_zero),
		T(test_hbuf_is_a_stack_of_aligned_blocks),
		T(test_hbuf_put_poisons_the_bytes),
		T(test_hbuf_put_more_than_held_is_logged_not_applied),
		T(test_write_page_pad_writes_zeros_to_a_page_boundary),
		T(test_read_page_pad_skips_zeros_to_a_page_boundary),
		T(test_read_page_pad_rejects_a_nonzero_pad_byte),
		T(test_read_page_pad_of_a_truncated_image_is_eio),
		T(test_kskip_within_and_past_the_buffer),
		T(test_kskip_past_the_end_is_eio),
		T(test_kskip_of_a_huge_count_is_eio_not_a_seek_backwards),
		T(test_kskip_leaves_the_checksum_alone),
		T(test_hdr_type_names),
		T(test_hdr_type_name_of_every_type_is_its_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
