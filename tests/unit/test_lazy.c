// SPDX-License-Identifier: GPL-2.0
/*
 * core/mm/rstr_mem.c and core/restart.c under CR_CTX_LAZY (restore
 * --lazy): long runs of anonymous pages are mapped from the image through
 * ->map_image, short runs and every other kind of VMA are copied, and the
 * process holds the same bytes as after a normal restore. Only the
 * objects are checksummed then (the tail's meta_csum).
 *
 * The process is the standard one (cr_test.h) plus a 3000-page anonymous
 * VMA at BIG, every page written: 3000 pages are two batches (2048, 952),
 * so two runs to map, the first crossing the pgarr arrays of its batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/pgarr.h"

#define BIG		0x10000000UL
#define BIG_PAGES	3000UL

struct lz_state {
	int fd;
	struct cr_target *src;
	struct cr_test_log tl;
};

static u8 big_byte(unsigned long page, size_t i)
{
	return (u8)(page * 31 + i * 7 + 1);
}

static int setup(void **state)
{
	struct lz_state *s = calloc(1, sizeof(*s));
	u8 *page = malloc(PAGE_SIZE);
	unsigned long p;
	size_t i;

	if (!s || !page)
		return -1;
	s->fd = cr_test_image_fd();
	s->src = cr_test_mock_process();
	if (mock_kops.do_mmap(s->src, BIG, BIG_PAGES * PAGE_SIZE,
			      PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			      0) != (long)BIG)
		return -1;
	for (p = 0; p < BIG_PAGES; p++) {
		for (i = 0; i < PAGE_SIZE; i++)
			page[i] = big_byte(p, i);
		if (mock_mm_write(s->src, BIG + p * PAGE_SIZE, page, PAGE_SIZE))
			return -1;
	}
	free(page);
	cr_test_log_init(&s->tl);
	if (cr_test_checkpoint(s->src, s->fd, &s->tl)) {
		fprintf(stderr, "checkpoint: %s\n", s->tl.last);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct lz_state *s = *state;

	mock_mm_free(s->src);
	close(s->fd);
	free(s);
	return 0;
}

/* Restore @fd into @t with @flags; the mock maps from @fd. */
static int restore_flags(struct cr_target *t, int fd, unsigned int flags,
			 const struct cr_kops *kops, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	cr_test_log_init(tl);
	mock_mm_set_image(t, fd);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = cr_ctx_init(&ctx, flags, fd, kops, t, &tl->log);
	if (!ret)
		ret = cr_restart(&ctx);
	cr_ctx_fini(&ctx);
	assert_int_equal(ctx.hbuf_gets, 0);
	return ret;
}

static int restore_lazy(struct cr_target *t, int fd, struct cr_test_log *tl)
{
	return restore_flags(t, fd, CR_CTX_RSTR | CR_CTX_LAZY, &mock_kops, tl);
}

/* Every byte of every VMA of @a reads the same in @b. */
static void assert_same_bytes(struct cr_target *a, struct cr_target *b)
{
	struct cr_vma_info *vma = malloc(sizeof(*vma));
	u8 *pa = malloc(PAGE_SIZE), *pb = malloc(PAGE_SIZE);
	unsigned long addr;
	int i, n = mock_mm_nr_vmas(a);

	assert_true(vma && pa && pb);
	for (i = 0; i < n; i++) {
		assert_int_equal(mock_mm_vma(a, i, vma), 0);
		if (vma->vma_type != CR_VMA_ANON && vma->vma_type != CR_VMA_FILE)
			continue;
		for (addr = vma->vm_start; addr < vma->vm_end;
		     addr += PAGE_SIZE) {
			assert_int_equal(mock_mm_read(a, addr, pa, PAGE_SIZE),
					 0);
			assert_int_equal(mock_mm_read(b, addr, pb, PAGE_SIZE),
					 0);
			if (memcmp(pa, pb, PAGE_SIZE))
				fail_msg("page %#lx differs", addr);
		}
	}
	free(pb);
	free(pa);
	free(vma);
}

static void assert_balanced(struct cr_target *t)
{
	char why[256];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("not balanced: %s", why);
}

/* Which VMA of @t holds @addr, as mock_mm_vma() sees it. */
static void vma_at(struct cr_target *t, unsigned long addr,
		   struct cr_vma_info *vma)
{
	int i, n = mock_mm_nr_vmas(t);

	for (i = 0; i < n; i++) {
		assert_int_equal(mock_mm_vma(t, i, vma), 0);
		if (vma->vm_start <= addr && addr < vma->vm_end)
			return;
	}
	fail_msg("no VMA at %#lx", addr);
}

static void test_lazy_restore_holds_the_same_bytes_as_a_copy(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();

	assert_int_equal(restore_lazy(t, s->fd, &s->tl), 0);
	assert_balanced(t);
	assert_same_bytes(s->src, t);
	mock_mm_free(t);
}

/*
 * The big VMA is mapped, in one call a batch (its 2048-page first run
 * spans four pgarr arrays); the standard process's scattered pages (runs
 * of one to two pages) are copied.
 */
static void test_lazy_restore_maps_long_runs_and_copies_short_ones(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();
	struct cr_vma_info vma;

	assert_int_equal(restore_lazy(t, s->fd, &s->tl), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_MAP_IMAGE), 2);
	assert_int_equal(mock_mm_image_pages(t), BIG_PAGES);
	vma_at(t, BIG, &vma);
	assert_int_equal(vma.vma_type, CR_VMA_FILE);
	assert_string_equal(vma.path, MOCK_IMAGE_PATH);
	assert_int_equal(vma.vm_end - vma.vm_start, CR_PGARR_CHUNK * PAGE_SIZE);
	vma_at(t, 0x600000, &vma);
	assert_int_equal(vma.vma_type, CR_VMA_ANON);
	mock_mm_free(t);
}

/* Without the flag nothing is mapped from the image. */
static void test_restore_without_lazy_maps_nothing(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();

	assert_int_equal(restore_flags(t, s->fd, CR_CTX_RSTR, &mock_kops,
				       &s->tl), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_MAP_IMAGE), 0);
	assert_same_bytes(s->src, t);
	mock_mm_free(t);
}

/* A shim without ->map_image restores lazily by copying. */
static void test_lazy_restore_without_map_image_copies(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();
	struct cr_kops kops = mock_kops;

	kops.map_image = NULL;
	assert_int_equal(restore_flags(t, s->fd, CR_CTX_RSTR | CR_CTX_LAZY,
				       &kops, &s->tl), 0);
	assert_int_equal(mock_mm_image_pages(t), 0);
	assert_same_bytes(s->src, t);
	mock_mm_free(t);
}

/* A flipped byte of page data: lazy does not see it, a copy does. */
static void test_lazy_restore_does_not_check_page_data(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();
	long off = -1;
	u8 b;

	/* a byte of page 100 of the big VMA */
	for (unsigned int nth = 0; off < 0; nth++) {
		long o = cr_test_find_obj(s->fd, CR_HDR_PGARR, nth);
		struct cr_hdr_pgarr p;
		u64 first;

		assert_true(o >= 0);
		cr_test_pread(s->fd, o + sizeof(struct cr_hdr), &p, sizeof(p));
		if (!p.nr_pages)
			continue;
		cr_test_pread(s->fd, o + sizeof(struct cr_hdr) + sizeof(p),
			      &first, sizeof(first));
		if (first == BIG)
			off = PAGE_ALIGN(o + sizeof(struct cr_hdr) + sizeof(p) +
					 p.nr_pages * sizeof(u64)) +
			      100 * PAGE_SIZE + 5;
	}
	cr_test_pread(s->fd, off, &b, 1);
	b ^= 0x40;
	cr_test_pwrite(s->fd, off, &b, 1);

	assert_int_equal(restore_lazy(t, s->fd, &s->tl), 0);
	mock_mm_free(t);
	t = cr_test_mock_empty();
	assert_int_equal(restore_flags(t, s->fd, CR_CTX_RSTR, &mock_kops,
				       &s->tl), -EBADMSG);
	mock_mm_free(t);

	b ^= 0x40;
	cr_test_pwrite(s->fd, off, &b, 1);
}

/* A flipped byte of an object is caught by the object checksum. */
static void test_lazy_restore_checks_every_object(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();
	long off = cr_test_find_obj(s->fd, CR_HDR_SIGHAND, 0);
	u8 b;

	assert_true(off > 0);
	off += sizeof(struct cr_hdr) + 8 * 32 + 8;	/* SIGUSR1's flags */
	cr_test_pread(s->fd, off, &b, 1);
	b ^= 0x01;
	cr_test_pwrite(s->fd, off, &b, 1);
	assert_int_equal(restore_lazy(t, s->fd, &s->tl), -EBADMSG);
	assert_non_null(strstr(s->tl.first, "object checksum"));
	mock_mm_free(t);
	b ^= 0x01;
	cr_test_pwrite(s->fd, off, &b, 1);
}

/* A version 1 image has no object checksum: refused lazily, not else. */
static void test_lazy_restore_refuses_a_version_1_image(void **state)
{
	struct lz_state *s = *state;
	long head = cr_test_find_obj(s->fd, CR_HDR_HEAD, 0);
	long tail = cr_test_find_obj(s->fd, CR_HDR_TAIL, 0);
	struct cr_hdr_tail tt;
	struct cr_target *t;
	unsigned long mmaps;
	u32 v1 = 1;

	/* without the objects of later versions, then called version 1 */
	cr_test_make_v2(s->fd);
	tail = cr_test_find_obj(s->fd, CR_HDR_TAIL, 0);
	cr_test_pwrite(s->fd, head + sizeof(struct cr_hdr) +
			      offsetof(struct cr_hdr_head, version), &v1,
		       sizeof(v1));
	cr_test_fix_csum(s->fd);
	cr_test_pread(s->fd, tail + sizeof(struct cr_hdr), &tt, sizeof(tt));
	tt.meta_csum = 0;
	cr_test_pwrite(s->fd, tail + sizeof(struct cr_hdr), &tt, sizeof(tt));

	t = cr_test_mock_empty();
	mmaps = mock_calls(t, MOCK_OP_DO_MMAP);
	assert_int_equal(restore_lazy(t, s->fd, &s->tl), -EINVAL);
	assert_non_null(strstr(s->tl.first, "version 1"));
	/* refused before anything was done to the target */
	assert_int_equal(mock_calls(t, MOCK_OP_DO_MMAP), mmaps);
	mock_mm_free(t);

	t = cr_test_mock_empty();
	assert_int_equal(restore_flags(t, s->fd, CR_CTX_RSTR, &mock_kops,
				       &s->tl), 0);
	assert_same_bytes(s->src, t);
	mock_mm_free(t);
}

/* An image that cannot be mapped here (noexec mount...) is copied. */
static void test_lazy_restore_copies_when_the_image_cannot_be_mapped(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();

	assert_int_equal(mock_fault_set(t, MOCK_OP_MAP_IMAGE, 1, EPERM,
					false), 0);
	assert_int_equal(restore_lazy(t, s->fd, &s->tl), 0);
	assert_int_equal(mock_mm_image_pages(t), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_MAP_IMAGE), 1);
	assert_same_bytes(s->src, t);
	assert_balanced(t);
	mock_mm_free(t);
}

/* Any other failure to map fails the restore, naming the address. */
static void test_lazy_restore_fails_on_a_failed_mapping(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty();

	assert_int_equal(mock_fault_set(t, MOCK_OP_MAP_IMAGE, 2, ENOMEM,
					false), 0);
	assert_int_equal(restore_lazy(t, s->fd, &s->tl), -ENOMEM);
	assert_non_null(strstr(s->tl.first, "mapping"));
	assert_balanced(t);
	mock_mm_free(t);
}

/* An image cut inside page data it would map is refused, not mapped. */
static void test_lazy_restore_of_an_image_cut_in_page_data_gives_eio(void **state)
{
	struct lz_state *s = *state;
	long size = cr_test_image_size(s->fd);
	int fd = cr_test_image_fd();
	struct cr_target *t = cr_test_mock_empty();
	u8 *img = malloc(size);
	long cut = -1;

	assert_non_null(img);
	cr_test_pread(s->fd, 0, img, size);
	/* half-way through the big VMA's second batch */
	for (unsigned int nth = 0; cut < 0; nth++) {
		long o = cr_test_find_obj(s->fd, CR_HDR_PGARR, nth);
		struct cr_hdr_pgarr p;
		u64 first;

		assert_true(o >= 0);
		memcpy(&p, img + o + sizeof(struct cr_hdr), sizeof(p));
		if (!p.nr_pages)
			continue;
		memcpy(&first, img + o + sizeof(struct cr_hdr) + sizeof(p),
		       sizeof(first));
		if (first == BIG + CR_PGARR_CHUNK * PAGE_SIZE)
			cut = o + 16 * PAGE_SIZE;
	}
	cr_test_pwrite(fd, 0, img, cut);
	assert_int_equal(restore_lazy(t, fd, &s->tl), -EIO);
	assert_non_null(strstr(s->tl.first, "truncated"));
	assert_balanced(t);
	mock_mm_free(t);
	free(img);
	close(fd);
}

/* A lazily restored process checkpoints into an image of its own. */
static void test_lazily_restored_process_checkpoints_again(void **state)
{
	struct lz_state *s = *state;
	struct cr_target *t = cr_test_mock_empty(), *u;
	int fd2 = cr_test_image_fd();

	assert_int_equal(restore_lazy(t, s->fd, &s->tl), 0);
	assert_int_equal(cr_test_checkpoint(t, fd2, &s->tl), 0);
	u = cr_test_mock_empty();
	assert_int_equal(restore_flags(u, fd2, CR_CTX_RSTR, &mock_kops,
				       &s->tl), 0);
	assert_same_bytes(s->src, u);
	mock_mm_free(u);
	mock_mm_free(t);
	close(fd2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_restore_holds_the_same_bytes_as_a_copy),
		cmocka_unit_test(test_lazy_restore_maps_long_runs_and_copies_short_ones),
		cmocka_unit_test(test_restore_without_lazy_maps_nothing),
		cmocka_unit_test(test_lazy_restore_without_map_image_copies),
		cmocka_unit_test(test_lazy_restore_does_not_check_page_data),
		cmocka_unit_test(test_lazy_restore_checks_every_object),
		cmocka_unit_test(test_lazy_restore_copies_when_the_image_cannot_be_mapped),
		cmocka_unit_test(test_lazy_restore_fails_on_a_failed_mapping),
		cmocka_unit_test(test_lazily_restored_process_checkpoints_again),
		cmocka_unit_test(test_lazy_restore_of_an_image_cut_in_page_data_gives_eio),
		/* last: it rewrites the image as version 1 */
		cmocka_unit_test(test_lazy_restore_refuses_a_version_1_image),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
