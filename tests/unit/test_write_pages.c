// SPDX-License-Identifier: GPL-2.0
/*
 * core/mm/ckpt_mem.c with ->write_pages: the shim writes each batch of
 * pages into the image itself (the Linux shim's snapshot child does,
 * straight from its memory) and either carries the checksum over them or
 * leaves the engine to read them back for it. The
 * image must be byte for byte the one the copying path makes; pages the
 * shim refuses are copied; a failure fails the checkpoint, named; into a
 * pipe or a write-only file (nothing to read back) every page is copied.
 *
 * The process is the standard one (cr_test.h) plus a 1500-page anonymous
 * VMA at BIG, every page written: three page arrays, one batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"
#include "core/image_io.h"

#define BIG		0x10000000UL
#define BIG_PAGES	1500UL
#define BIG2		0x20000000UL

static struct cr_target *big_process(void)
{
	struct cr_target *t = cr_test_mock_process();
	u8 *page = malloc(PAGE_SIZE);
	unsigned long p;
	size_t i;

	assert_non_null(page);
	assert_int_equal(mock_kops.do_mmap(t, BIG, BIG_PAGES * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS |
						   MAP_FIXED,
					   NULL, 0),
			 (long)BIG);
	for (p = 0; p < BIG_PAGES; p++) {
		for (i = 0; i < PAGE_SIZE; i++)
			page[i] = (u8)(p * 13 + i * 5 + 3);
		assert_int_equal(mock_mm_write(t, BIG + p * PAGE_SIZE, page,
					       PAGE_SIZE),
				 0);
	}
	free(page);
	return t;
}

/* The image of @t, by the copying path or ->write_pages, as @how says. */
static int checkpoint(struct cr_target *t, enum mock_write_pages how, int fd,
		      struct cr_test_log *tl)
{
	int ret;

	cr_test_log_init(tl);
	mock_mm_offer_write_pages(t, how);
	ret = cr_test_checkpoint(t, fd, tl);
	mock_mm_release(t);
	return ret;
}

/*
 * Checkpoint @t into @fd as it is (a pipe, a write-only fd: no truncation
 * or rewind as cr_test_checkpoint() does) through @kops.
 */
static int checkpoint_into(struct cr_target *t, int fd,
			   const struct cr_kops *kops, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	cr_test_log_init(tl);
	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, kops, t, &tl->log);
	if (!ret)
		ret = cr_checkpoint(&ctx);
	cr_ctx_fini(&ctx);
	mock_mm_release(t);
	return ret;
}

/* The pages an image holds: the sum of its batches. */
static unsigned long image_pages(int fd)
{
	struct cr_hdr_pgarr p;
	unsigned long n = 0;
	unsigned int nth;
	long o;

	for (nth = 0; (o = cr_test_find_obj(fd, CR_HDR_PGARR, nth)) >= 0;
	     nth++) {
		cr_test_pread(fd, o + sizeof(struct cr_hdr), &p, sizeof(p));
		n += p.nr_pages;
	}
	return n;
}

static void assert_balanced(struct cr_target *t)
{
	char why[256];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("not balanced: %s", why);
}

/* What the checkpoint through ->write_pages did. */
struct outcome {
	unsigned long pages;		/* in the image */
	unsigned long written;		/* by ->write_pages */
	unsigned long copy_runs;	/* get_user_pages() calls */
};

/*
 * Checkpoint @t by copying, then through ->write_pages as @how says, with
 * its @refuse_nth call (0: none) refused: the images must be the same.
 */
static struct outcome assert_written_as_copied(struct cr_target *t,
					       enum mock_write_pages how,
					       unsigned long refuse_nth)
{
	int copied = cr_test_image_fd(), written = cr_test_image_fd();
	unsigned long gups, before = mock_mm_written_pages(t);
	struct cr_test_log tl;
	struct outcome o;

	assert_int_equal(checkpoint(t, MOCK_WRITE_REFUSED, copied, &tl), 0);
	if (refuse_nth)
		assert_int_equal(mock_fault_set(t, MOCK_OP_WRITE_PAGES,
						refuse_nth, EOPNOTSUPP, false),
				 0);
	gups = mock_calls(t, MOCK_OP_GET_USER_PAGES);
	assert_int_equal(checkpoint(t, how, written, &tl), 0);
	cr_test_assert_same_image(copied, written);
	assert_balanced(t);
	o.pages = image_pages(written);
	o.written = mock_mm_written_pages(t) - before;
	o.copy_runs = mock_calls(t, MOCK_OP_GET_USER_PAGES) - gups;
	close(written);
	close(copied);
	return o;
}

/*
 * Written by the shim (summed by it, or read back) or copied, the image is
 * the same, byte for byte.
 */
static void test_written_pages_make_the_image_a_copy_makes(void **state)
{
	static const enum mock_write_pages hows[] = {
		MOCK_WRITE_PAGES, MOCK_WRITE_SUMMED,
	};
	struct cr_target *t = big_process();
	struct outcome o;

	for (unsigned int i = 0; i < ARRAY_SIZE(hows); i++) {
		o = assert_written_as_copied(t, hows[i], 0);
		/*
		 * every private page went through ->write_pages but the
		 * standard process's one page of PROT_NONE memory, copied
		 */
		assert_true(o.pages >= BIG_PAGES);
		assert_int_equal(o.written, o.pages - 1);
		assert_int_equal(o.copy_runs, 1);
	}
	mock_mm_free(t);
}

/* And it restores, checksum checked, into the same process. */
static void test_written_pages_restore_the_same_process(void **state)
{
	static const enum mock_write_pages hows[] = {
		MOCK_WRITE_PAGES, MOCK_WRITE_SUMMED,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(hows); i++) {
		enum mock_write_pages how = hows[i];
		struct cr_target *src = big_process();
		struct cr_target *dst = cr_test_mock_empty();
		int fd = cr_test_image_fd();
		struct cr_test_log tl;

		assert_int_equal(checkpoint(src, how, fd, &tl), 0);
		assert_int_equal(cr_test_restart(dst, fd, &tl), 0);
		cr_test_assert_same_process(src, dst);
		assert_balanced(dst);
		close(fd);
		mock_mm_free(dst);
		mock_mm_free(src);
	}
}

/*
 * Pages of a VMA the shim cannot read (no PROT_READ: the child's write
 * would fault) are refused with -EOPNOTSUPP and copied by the engine.
 */
static void test_refused_pages_are_copied_instead(void **state)
{
	struct cr_target *t = big_process();
	u8 page[PAGE_SIZE];
	struct outcome o;
	unsigned long p;

	/* a second big VMA, written, then left without access */
	assert_int_equal(mock_kops.do_mmap(t, BIG2, 300 * PAGE_SIZE, PROT_NONE,
					   MAP_PRIVATE | MAP_ANONYMOUS |
						   MAP_FIXED,
					   NULL, 0),
			 (long)BIG2);
	for (p = 0; p < 300; p++) {
		memset(page, (int)p + 1, PAGE_SIZE);
		assert_int_equal(mock_mm_write(t, BIG2 + p * PAGE_SIZE, page,
					       PAGE_SIZE),
				 0);
	}
	o = assert_written_as_copied(t, MOCK_WRITE_PAGES, 0);
	assert_int_equal(o.written, o.pages - 300 - 1);
	assert_true(o.copy_runs > 1);
	mock_mm_free(t);
}

/* Any other failure of ->write_pages fails the checkpoint, named. */
static void test_write_pages_failure_fails_the_checkpoint(void **state)
{
	struct cr_target *t = big_process();
	struct cr_test_log tl;
	unsigned long nth, calls;
	int fd;

	fd = cr_test_image_fd();
	assert_int_equal(checkpoint(t, MOCK_WRITE_PAGES, fd, &tl), 0);
	close(fd);
	calls = mock_calls(t, MOCK_OP_WRITE_PAGES);
	assert_true(calls >= 3);
	for (nth = 1; nth <= calls; nth++) {
		fd = cr_test_image_fd();
		assert_int_equal(mock_fault_set(t, MOCK_OP_WRITE_PAGES, nth,
						ENOSPC, false),
				 0);
		assert_int_equal(checkpoint(t, MOCK_WRITE_PAGES, fd, &tl), -ENOSPC);
		assert_non_null(strstr(tl.first, "into the image"));
		assert_balanced(t);
		close(fd);
	}
	mock_mm_free(t);
}

/* A shim that says it wrote the last batch but did not: nothing there. */
static int lying_write_pages(struct cr_target *t, const u64 *vaddrs,
			     unsigned int nr, int fd, u64 off, u32 *csum)
{
	return 0;
}

/* The engine finds the file short and fails, naming the pages. */
static void test_pages_not_in_the_file_fail_the_checkpoint(void **state)
{
	struct cr_target *t = big_process();
	struct cr_kops kops = mock_kops;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	kops.write_pages = lying_write_pages;
	assert_int_equal(checkpoint_into(t, fd, &kops, &tl), -EIO);
	assert_non_null(strstr(tl.first, "taking in"));
	assert_balanced(t);
	close(fd);
	mock_mm_free(t);
}

/* A refusal of one batch is not a refusal of the next. */
static void test_one_refusal_copies_one_batch(void **state)
{
	struct cr_target *t = big_process();
	struct outcome o;

	o = assert_written_as_copied(t, MOCK_WRITE_PAGES, 2);
	assert_true(o.written > 0);
	assert_true(o.written < o.pages - 1);
	assert_true(o.copy_runs > 1);
	mock_mm_free(t);
}

/* Into a pipe nothing can be written at an offset: every page is copied. */
static void test_no_write_pages_into_a_pipe(void **state)
{
	struct cr_target *t = cr_test_mock_process();
	struct cr_test_log tl;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 1 << 20);
	mock_mm_offer_write_pages(t, MOCK_WRITE_PAGES);
	assert_int_equal(checkpoint_into(t, p[1], &mock_kops, &tl), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_WRITE_PAGES), 0);
	assert_true(mock_calls(t, MOCK_OP_GET_USER_PAGES) > 0);
	close(p[1]);
	close(p[0]);
	mock_mm_free(t);
}

/* The checksum covers what the file holds, and a short file is -EIO. */
static void test_kwrite_extern_sums_the_file_and_moves_past(void **state)
{
	static const char head[] = "objects before the page data";
	int fd = cr_test_image_fd();
	u8 *page = malloc(2 * PAGE_SIZE), *all = malloc(3 * PAGE_SIZE);
	struct cr_ctx ctx;
	u32 expect;

	assert_true(page && all);
	memset(page, 0x5a, 2 * PAGE_SIZE);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kwrite(&ctx, head, sizeof(head)), 0);
	assert_int_equal(cr_write_page_pad(&ctx), 0);
	assert_int_equal(ctx.pos, PAGE_SIZE);
	/* the header is still buffered: the shim writes past it */
	cr_test_pwrite(fd, PAGE_SIZE, page, 2 * PAGE_SIZE);
	assert_int_equal(cr_kwrite_extern(&ctx, 2 * PAGE_SIZE, NULL), 0);
	assert_int_equal(ctx.pos, 3 * PAGE_SIZE);
	assert_int_equal(cr_kwrite(&ctx, "!", 1), 0);
	assert_int_equal(cr_kflush(&ctx), 0);
	assert_int_equal(cr_test_image_size(fd), 3 * PAGE_SIZE + 1);
	cr_test_pread(fd, 0, all, 3 * PAGE_SIZE);
	expect = cr_crc32c(cr_crc32c(0, all, 3 * PAGE_SIZE), "!", 1);
	assert_int_equal(ctx.csum, expect);
	/* the page data is not in the objects' checksum */
	expect = cr_crc32c(cr_crc32c(0, all, PAGE_SIZE), "!", 1);
	assert_int_equal(ctx.meta_csum, expect);

	/* nothing there: the file is short */
	assert_int_equal(cr_kwrite_extern(&ctx, PAGE_SIZE, NULL), -EIO);
	cr_ctx_fini(&ctx);
	free(all);
	free(page);
	close(fd);
}

/* Not on a page boundary, the bytes are read, not mapped: the same sum. */
static void test_kwrite_extern_reads_what_it_cannot_map(void **state)
{
	int fd = cr_test_image_fd();
	u8 data[100], all[110];
	struct cr_ctx ctx;

	memset(data, 0xa5, sizeof(data));
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, NULL, NULL, NULL),
			 0);
	assert_int_equal(cr_kwrite(&ctx, "0123456789", 10), 0);
	cr_test_pwrite(fd, 10, data, sizeof(data));
	assert_int_equal(cr_kwrite_extern(&ctx, sizeof(data), NULL), 0);
	assert_int_equal(ctx.pos, 110);
	cr_test_pread(fd, 0, all, sizeof(all));
	assert_int_equal(ctx.csum, cr_crc32c(0, all, sizeof(all)));
	cr_ctx_fini(&ctx);
	close(fd);
}

/* A checksum the shim carried is taken as it is: the bytes are not read. */
static void test_kwrite_extern_takes_a_carried_checksum(void **state)
{
	int fd = cr_test_image_fd();
	u8 page[PAGE_SIZE];
	struct cr_ctx ctx;
	u32 carried = 0x600dcafe;

	memset(page, 0x11, sizeof(page));
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, NULL, NULL, NULL),
			 0);
	cr_test_pwrite(fd, 0, page, sizeof(page));
	assert_int_equal(cr_kwrite_extern(&ctx, PAGE_SIZE, &carried), 0);
	assert_int_equal(ctx.csum, carried);
	assert_int_equal(ctx.pos, PAGE_SIZE);
	/* still checked against the file's size */
	assert_int_equal(cr_kwrite_extern(&ctx, PAGE_SIZE, &carried), -EIO);
	cr_ctx_fini(&ctx);
	close(fd);
}

/* A checkpoint into a file crrun cannot read back copies every page. */
static void test_no_write_pages_into_a_write_only_file(void **state)
{
	struct cr_target *t = cr_test_mock_process();
	int fd = cr_test_image_fd(), wfd;
	struct cr_test_log tl;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wfd = open(path, O_WRONLY);
	assert_true(wfd >= 0);
	mock_mm_offer_write_pages(t, MOCK_WRITE_PAGES);
	assert_int_equal(checkpoint_into(t, wfd, &mock_kops, &tl), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_WRITE_PAGES), 0);
	close(wfd);
	close(fd);
	mock_mm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_pages_make_the_image_a_copy_makes),
		cmocka_unit_test(test_written_pages_restore_the_same_process),
		cmocka_unit_test(test_refused_pages_are_copied_instead),
		cmocka_unit_test(test_write_pages_failure_fails_the_checkpoint),
		cmocka_unit_test(test_one_refusal_copies_one_batch),
		cmocka_unit_test(test_pages_not_in_the_file_fail_the_checkpoint),
		cmocka_unit_test(test_no_write_pages_into_a_pipe),
		cmocka_unit_test(test_kwrite_extern_sums_the_file_and_moves_past),
		cmocka_unit_test(test_kwrite_extern_reads_what_it_cannot_map),
		cmocka_unit_test(test_kwrite_extern_takes_a_carried_checksum),
		cmocka_unit_test(test_no_write_pages_into_a_write_only_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
