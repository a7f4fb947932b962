// SPDX-License-Identifier: GPL-2.0
/*
 * core/layout.c: the pre-scan that gives a shim the pid and the VMAs of an
 * image before the restore starts. On a good image it must agree with the
 * process the image was made of; on a bad one it must fail as the restore
 * itself would, and leave nothing behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/pgarr.h"

struct fixture {
	struct cr_target *src;
	int fd;
	long size;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cr_test_log tl;

	assert_non_null(f);
	cr_test_log_init(&tl);
	f->src = cr_test_mock_process();
	f->fd = cr_test_image_fd();
	assert_int_equal(cr_test_checkpoint(f->src, f->fd, &tl), 0);
	f->size = cr_test_image_size(f->fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->fd);
	mock_mm_free(f->src);
	free(f);
	return 0;
}

/* cr_image_layout() from offset 0, its first error kept in @tl */
static int layout(int fd, struct cr_test_log *tl, struct cr_layout *out)
{
	cr_test_log_init(tl);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return cr_image_layout(fd, &tl->log, out);
}

/*
 * What a restore of the same image gives. The target is given fds 0-2, as
 * a fresh child has them (cr_test_mock_empty() has none).
 */
static int restore(int fd)
{
	struct cr_target *t = cr_test_mock_empty();
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	struct cr_test_log tl;
	char why[256];
	int i, ret;

	assert_non_null(info);
	for (i = 0; i < 3; i++) {
		memset(info, 0, sizeof(*info));
		info->fd = i;
		info->fd_type = CR_FD_INHERIT;
		info->dup_of = -1;
		assert_int_equal(mock_task_add_fd(t, info, false), 0);
	}
	free(info);
	cr_test_log_init(&tl);
	ret = cr_test_restart(t, fd, &tl);
	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("restore left the mock unbalanced: %s", why);
	mock_mm_free(t);
	return ret;
}

/* Both must fail with @err; the layout is freed (twice: safe). */
static void expect_layout_fails_as_restore(int fd, int err)
{
	struct cr_layout lay;
	struct cr_test_log tl;
	int ret;

	ret = layout(fd, &tl, &lay);
	cr_layout_free(&lay);
	if (ret != err)
		fail_msg("layout gave %d, expected %d ('%s')", ret, err,
			 tl.first);
	assert_true(tl.nr_err > 0);
	assert_null(lay.vmas);
	assert_int_equal(lay.nr_vmas, 0);
	cr_layout_free(&lay);
	assert_int_equal(restore(fd), err);
}

static long nth_obj(int fd, u32 type, unsigned int nth)
{
	long off = cr_test_find_obj(fd, type, nth);

	assert_true(off >= 0);
	return off;
}

static void test_layout_gives_the_pid_and_vmas_of_the_process(void **state)
{
	struct fixture *f = *state;
	struct cr_vma_info *vma = malloc(sizeof(*vma));
	struct cr_test_log tl;
	struct cr_layout lay;
	unsigned int i;

	assert_non_null(vma);
	assert_int_equal(layout(f->fd, &tl, &lay), 0);
	assert_int_equal(tl.nr_err, 0);
	assert_int_equal(lay.pid, CR_TEST_PID);
	assert_int_equal(lay.nr_vmas, mock_mm_nr_vmas(f->src));
	assert_int_equal(lay.nr_vmas, 8);
	for (i = 0; i < lay.nr_vmas; i++) {
		assert_int_equal(mock_mm_vma(f->src, i, vma), 0);
		assert_int_equal(lay.vmas[i].start, vma->vm_start);
		assert_int_equal(lay.vmas[i].end, vma->vm_end);
		assert_int_equal(lay.vmas[i].vma_type, vma->vma_type);
		if (i)
			assert_true(lay.vmas[i].start >= lay.vmas[i - 1].end);
	}
	/* spot checks against the picture in cr_test.h */
	assert_int_equal(lay.vmas[0].start, 0x400000);
	assert_int_equal(lay.vmas[0].vma_type, CR_VMA_FILE);
	assert_int_equal(lay.vmas[2].start, 0x600000);
	assert_int_equal(lay.vmas[2].end, 0x610000);
	assert_int_equal(lay.vmas[2].vma_type, CR_VMA_ANON);
	assert_int_equal(lay.vmas[6].vma_type, CR_VMA_VVAR);
	assert_int_equal(lay.vmas[7].start, 0x7ffff7fc4000);
	assert_int_equal(lay.vmas[7].vma_type, CR_VMA_VDSO);
	cr_layout_free(&lay);
	free(vma);
}

/*
 * A read-only shared view of a file is saved with no pages: the pre-scan
 * lists it, with the VMAs after it, as the restore maps them.
 */
static void test_layout_lists_a_read_only_shared_file_view(void **state)
{
	struct fixture *f = *state;
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	struct cr_layout lay;
	struct cr_file_id id;
	struct cr_file *file;
	unsigned int i;

	cr_test_log_init(&tl);
	file = mock_kops.filp_open(src, CR_TEST_EXE, O_RDONLY, &id);
	assert_false(IS_ERR(file));
	assert_int_equal(mock_kops.do_mmap(src, 0x800000, 2 * PAGE_SIZE,
					   PROT_READ, MAP_SHARED | MAP_FIXED,
					   file, 1), 0x800000);
	mock_kops.filp_close(src, file);
	assert_int_equal(cr_test_checkpoint(src, f->fd, &tl), 0);
	assert_int_equal(layout(f->fd, &tl, &lay), 0);
	assert_int_equal(lay.nr_vmas, 9);
	for (i = 0; i < lay.nr_vmas; i++)
		if (lay.vmas[i].start == 0x800000)
			break;
	assert_true(i < lay.nr_vmas);
	assert_int_equal(lay.vmas[i].end, 0x802000);
	assert_int_equal(lay.vmas[i].vma_type, CR_VMA_FILE);
	assert_int_equal(lay.vmas[i + 1].start, 0x7ffff0000000);
	cr_layout_free(&lay);
	assert_int_equal(restore(f->fd), 0);
	mock_mm_free(src);
}

static void test_layout_rejects_unsorted_vmas_as_restore_does(void **state)
{
	struct fixture *f = *state;
	long vma1 = nth_obj(f->fd, CR_HDR_VMA, 1) + sizeof(struct cr_hdr);
	u64 se[2] = { 0x300000, 0x302000 };	/* below vma 0 at 0x400000 */

	cr_test_pwrite(f->fd, vma1 + offsetof(struct cr_hdr_vma, vm_start), se,
		       sizeof(se));
	cr_test_fix_csum(f->fd);
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

static void test_layout_rejects_overlapping_vmas_as_restore_does(void **state)
{
	struct fixture *f = *state;
	long vma1 = nth_obj(f->fd, CR_HDR_VMA, 1) + sizeof(struct cr_hdr);
	u64 start = 0x401000;		/* inside vma 0 */

	cr_test_pwrite(f->fd, vma1 + offsetof(struct cr_hdr_vma, vm_start),
		       &start, sizeof(start));
	cr_test_fix_csum(f->fd);
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

static void test_layout_truncated_in_page_data_gives_eio_as_restore(
	void **state)
{
	struct fixture *f = *state;
	long pg = nth_obj(f->fd, CR_HDR_PGARR, 1);	/* vma 1: one page */
	struct cr_hdr_pgarr p;
	struct cr_test_log tl;
	struct cr_layout lay;

	cr_test_pread(f->fd, pg + sizeof(struct cr_hdr), &p, sizeof(p));
	assert_int_equal(p.nr_pages, 1);
	assert_int_equal(ftruncate(f->fd, PAGE_ALIGN((unsigned long)pg) + 100),
			 0);
	expect_layout_fails_as_restore(f->fd, -EIO);
	assert_int_equal(layout(f->fd, &tl, &lay), -EIO);
	assert_non_null(strstr(tl.first, "pgarr"));
	assert_non_null(strstr(tl.first, "truncated"));
	cr_layout_free(&lay);
}

static void test_layout_truncated_in_vma_header_gives_eio_as_restore(
	void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ftruncate(f->fd, nth_obj(f->fd, CR_HDR_VMA, 3) + 20),
			 0);
	expect_layout_fails_as_restore(f->fd, -EIO);
}

/*
 * The checksum is left as it is: both readers stop at the count, long
 * before the tail (and cr_test_find_obj() cannot walk past a count that
 * lies about its page data).
 */
static void set_nr_pages(int fd, unsigned int nth, u64 nr)
{
	cr_test_pwrite(fd, nth_obj(fd, CR_HDR_PGARR, nth) +
		       sizeof(struct cr_hdr), &nr, sizeof(nr));
}

static void test_layout_rejects_pgarr_count_past_chunk_as_restore(
	void **state)
{
	struct fixture *f = *state;

	set_nr_pages(f->fd, 1, CR_PGARR_CHUNK + 1);
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

static void test_layout_rejects_pgarr_count_not_matching_addresses(
	void **state)
{
	struct fixture *f = *state;

	set_nr_pages(f->fd, 1, 2);	/* one address follows */
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

/* vma 1 has two pages: a batch of three is past what it has left. */
static void test_layout_rejects_pgarr_count_past_the_vmas_pages_as_restore(
	void **state)
{
	struct fixture *f = *state;

	set_nr_pages(f->fd, 1, 3);
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

/*
 * Cut short anywhere the pre-scan reads (up to the mm_context, after the
 * last VMA), an image gives -EIO, as its restore does, and says where: at
 * every object's start, inside its header, inside its payload, and at the
 * last byte of its page data.
 */
static void test_layout_truncated_anywhere_it_reads_gives_eio_as_restore(
	void **state)
{
	struct fixture *f = *state;
	long end = nth_obj(f->fd, CR_HDR_MM_CONTEXT, 0), off = 0, next;
	u8 *img = malloc(f->size);
	unsigned int nr = 0, i;
	struct cr_layout lay;
	struct cr_test_log tl;
	long cuts[4];
	struct cr_hdr h;
	int ret;

	assert_non_null(img);
	cr_test_pread(f->fd, 0, img, f->size);
	while (off < end) {
		memcpy(&h, img + off, sizeof(h));
		next = off + sizeof(h) + h.len;
		if (h.type == CR_HDR_PGARR) {
			struct cr_hdr_pgarr p;

			memcpy(&p, img + next - h.len, sizeof(p));
			if (p.nr_pages)
				next = PAGE_ALIGN((unsigned long)next) +
				       p.nr_pages * PAGE_SIZE;
		}
		cuts[0] = off;
		cuts[1] = off + sizeof(h) / 2;
		cuts[2] = off + sizeof(h) + h.len / 2;
		cuts[3] = next - 1;
		for (i = 0; i < ARRAY_SIZE(cuts); i++) {
			if (i && cuts[i] <= cuts[i - 1])
				continue;
			assert_int_equal(ftruncate(f->fd, cuts[i]), 0);
			ret = layout(f->fd, &tl, &lay);
			cr_layout_free(&lay);
			if (ret != -EIO || !tl.nr_err)
				fail_msg("cut at %ld, in the %s object at %ld: layout gave %d, logging '%s'",
					 cuts[i], cr_hdr_type_name(h.type), off,
					 ret, tl.first);
			assert_int_equal(restore(f->fd), -EIO);
			cr_test_pwrite(f->fd, 0, img, f->size);
			nr++;
		}
		off = next;
	}
	assert_int_equal(off, end);
	assert_true(nr > 80);
	free(img);
}

static void test_layout_rejects_end_marker_with_pages_as_restore(
	void **state)
{
	struct fixture *f = *state;

	set_nr_pages(f->fd, 0, 1);	/* vma 0 has no page: just the end */
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

static void test_layout_rejects_page_address_outside_its_vma_as_restore(
	void **state)
{
	struct fixture *f = *state;
	long pg = nth_obj(f->fd, CR_HDR_PGARR, 1);	/* vma 1 0x402000.. */
	u64 addr = 0x404000;				/* its end */

	cr_test_pwrite(f->fd, pg + sizeof(struct cr_hdr) +
		       sizeof(struct cr_hdr_pgarr), &addr, sizeof(addr));
	cr_test_fix_csum(f->fd);
	expect_layout_fails_as_restore(f->fd, -EINVAL);
}

static void test_layout_rejects_bad_head_as_restore(void **state)
{
	struct fixture *f = *state;
	u32 version = CR_IMAGE_VERSION + 1;
	struct cr_test_log tl;
	struct cr_layout lay;

	cr_test_pwrite(f->fd, sizeof(struct cr_hdr) +
		       offsetof(struct cr_hdr_head, version), &version,
		       sizeof(version));
	expect_layout_fails_as_restore(f->fd, -EINVAL);
	assert_int_equal(layout(f->fd, &tl, &lay), -EINVAL);
	assert_int_equal(lay.pid, 0);
	assert_int_equal(lay.nr_vmas, 0);
	assert_null(lay.vmas);
	cr_layout_free(&lay);
}

static void test_layout_of_an_empty_file_gives_eio(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ftruncate(f->fd, 0), 0);
	expect_layout_fails_as_restore(f->fd, -EIO);
}

static void test_layout_free_is_safe_on_a_fresh_layout(void **state)
{
	struct cr_layout lay = { 0 };

	cr_layout_free(&lay);
	cr_layout_free(&lay);
	assert_null(lay.vmas);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_layout_gives_the_pid_and_vmas_of_the_process),
		T(test_layout_lists_a_read_only_shared_file_view),
		T(test_layout_rejects_unsorted_vmas_as_restore_does),
		T(test_layout_rejects_overlapping_vmas_as_restore_does),
		T(test_layout_truncated_in_page_data_gives_eio_as_restore),
		T(test_layout_truncated_in_vma_header_gives_eio_as_restore),
		T(test_layout_rejects_pgarr_count_past_chunk_as_restore),
		T(test_layout_rejects_pgarr_count_not_matching_addresses),
		T(test_layout_rejects_pgarr_count_past_the_vmas_pages_as_restore),
		T(test_layout_truncated_anywhere_it_reads_gives_eio_as_restore),
		T(test_layout_rejects_end_marker_with_pages_as_restore),
		T(test_layout_rejects_page_address_outside_its_vma_as_restore),
		T(test_layout_rejects_bad_head_as_restore),
		T(test_layout_of_an_empty_file_gives_eio),
		T(test_layout_free_is_safe_on_a_fresh_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
