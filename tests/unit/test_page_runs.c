// SPDX-License-Identifier: GPL-2.0
/*
 * Pages a shim maps side by side (the Linux shim's run buffers) are
 * written to the image, and read from it, in one go (core/mm/ckpt_mem.c,
 * rstr_mem.c). The mock maps every page apart; here a wrapper around it
 * gives each get_user_pages() run one buffer, kmap()s into it, and copies
 * between it and the mock's pages at pin and at put, as the Linux shim
 * does. A round trip through it must give back every byte, and every kmap
 * must be undone with the pointer it gave.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"

#define MAX_PINNED	8192

/* One pinned page of the wrapper: its mock page and its run's bytes. */
struct run_page {
	struct cr_page *page;
	u8 *data;		/* inside its run's buffer */
	u8 *run_buf;		/* freed by the run's last put */
	int *run_refs;
	bool write;
	bool kmapped;
};

static struct run_page pinned[MAX_PINNED];
static unsigned int nr_kmaps, nr_kunmaps, nr_side_by_side;

static struct run_page *find_page(struct cr_page *page)
{
	for (unsigned int i = 0; i < MAX_PINNED; i++)
		if (pinned[i].page == page)
			return &pinned[i];
	return NULL;
}

static struct run_page *free_slot(void)
{
	return find_page(NULL);
}

/* Between a mock page and a run's bytes: @to_run says which way. */
static void copy_page(struct cr_target *t, struct cr_page *page, u8 *data,
		      bool to_run)
{
	u8 *p = mock_kops.kmap(t, page);

	if (to_run)
		memcpy(data, p, PAGE_SIZE);
	else
		memcpy(p, data, PAGE_SIZE);
	mock_kops.kunmap(t, p);
}

static int run_gup(struct cr_target *t, unsigned long addr, int nr, int write,
		   int force, struct cr_page **pages)
{
	u8 *buf;
	int *refs, ret, i;

	ret = mock_kops.get_user_pages(t, addr, nr, write, force, pages);
	if (ret < 0)
		return ret;
	buf = malloc((size_t)nr * PAGE_SIZE);
	refs = malloc(sizeof(*refs));
	assert_true(buf && refs);
	*refs = nr;
	for (i = 0; i < nr; i++) {
		struct run_page *rp = free_slot();

		assert_non_null(rp);
		rp->page = pages[i];
		rp->data = buf + (size_t)i * PAGE_SIZE;
		rp->run_buf = buf;
		rp->run_refs = refs;
		rp->write = write;
		rp->kmapped = false;
		if (!write)
			copy_page(t, pages[i], rp->data, true);
	}
	return nr;
}

static void *run_kmap(struct cr_target *t, struct cr_page *page)
{
	struct run_page *rp = find_page(page);
	static struct run_page *last;

	assert_non_null(rp);
	assert_false(rp->kmapped);
	rp->kmapped = true;
	nr_kmaps++;
	if (last && last->kmapped && rp->data == last->data + PAGE_SIZE)
		nr_side_by_side++;
	last = rp;
	return rp->data;
}

static void run_kunmap(struct cr_target *t, void *addr)
{
	for (unsigned int i = 0; i < MAX_PINNED; i++) {
		if (pinned[i].page && pinned[i].data == addr) {
			assert_true(pinned[i].kmapped);
			pinned[i].kmapped = false;
			nr_kunmaps++;
			return;
		}
	}
	fail_msg("kunmap of %p, which kmap did not give", addr);
}

static void run_put_page(struct cr_target *t, struct cr_page *page)
{
	struct run_page *rp = find_page(page);

	assert_non_null(rp);
	assert_false(rp->kmapped);
	if (rp->write)
		copy_page(t, page, rp->data, false);
	if (--*rp->run_refs == 0) {
		free(rp->run_buf);
		free(rp->run_refs);
	}
	memset(rp, 0, sizeof(*rp));
	mock_kops.put_page(t, page);
}

static const struct cr_kops *run_kops(void)
{
	static struct cr_kops kops;

	kops = mock_kops;
	kops.get_user_pages = run_gup;
	kops.kmap = run_kmap;
	kops.kunmap = run_kunmap;
	kops.put_page = run_put_page;
	return &kops;
}

static void test_pages_mapped_side_by_side_round_trip_whole(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *t = cr_test_mock_empty();
	struct cr_test_log tl;
	struct cr_ctx ctx;
	int fd = cr_test_image_fd();
	char why[256];

	cr_test_log_init(&tl);
	nr_kmaps = nr_kunmaps = nr_side_by_side = 0;
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, fd, run_kops(), src,
				     &tl.log), 0);
	assert_int_equal(cr_checkpoint(&ctx), 0);
	cr_ctx_fini(&ctx);
	mock_mm_release(src);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_RSTR, fd, run_kops(), t,
				     &tl.log), 0);
	assert_int_equal(cr_restart(&ctx), 0);
	cr_ctx_fini(&ctx);

	/* the standard process has runs of 2 pages: some went side by side */
	assert_true(nr_side_by_side > 0);
	assert_int_equal(nr_kmaps, nr_kunmaps);
	if (mock_check_balanced(src, why, sizeof(why)) ||
	    mock_check_balanced(t, why, sizeof(why)))
		fail_msg("not balanced: %s", why);
	cr_test_assert_same_process(src, t);
	close(fd);
	mock_mm_free(t);
	mock_mm_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_mapped_side_by_side_round_trip_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
