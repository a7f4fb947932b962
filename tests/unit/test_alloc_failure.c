// SPDX-License-Identifier: GPL-2.0
/*
 * SQLite-style allocation failure over whole restores, checkpoints and
 * layout pre-scans (tests/unit/fail_alloc.h).
 *
 * A clean run counts the allocations it makes (N): the engine's and the
 * mock's, since a failure in either comes back to the engine as -ENOMEM.
 * Then, for k = 1 .. N, allocation k fails, once, then from k on
 * (persistent), and the run must:
 *  - return -ENOMEM. No allocation of these runs is one the engine or
 *    the mock may do without: the one tolerant place, the mock's page
 *    store growing its hash table (mock_page.c, store_grow()), is only
 *    reached past 1024 pages, and the standard process has a few dozen;
 *  - give back everything it took (mock_check_balanced(), and the header
 *    buffer: cr_test_restart/checkpoint assert it);
 *  - leak nothing (the valgrind run of this test checks that);
 *  - for a checkpoint, leave the source as it was.
 * Allocation N + 1 is armed last: it is never made, and the run passes
 * with the result of a clean one.
 *
 * The targets are built before arming: their own allocations are not
 * part of the run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/cr_test.h"
#include "tests/unit/fail_alloc.h"
#include "core/cr.h"

/* ---- the injector itself ---- */

static void test_fail_alloc_fails_only_the_nth_allocation_once(void **state)
{
	void *p[5];
	int i;

	cr_fail_alloc_set(3, false);
	for (i = 0; i < 5; i++) {
		errno = 0;
		p[i] = malloc(16);
		if (i == 2) {
			assert_null(p[i]);
			assert_int_equal(errno, ENOMEM);
		} else {
			assert_non_null(p[i]);
		}
	}
	cr_fail_alloc_clear();
	assert_int_equal(cr_fail_alloc_count(), 5);
	assert_int_equal(cr_fail_alloc_fired(), 1);
	for (i = 0; i < 5; i++)
		free(p[i]);
}

static void test_fail_alloc_persistent_fails_every_allocation_from_the_nth(void **state)
{
	void *a, *b, *c, *d, *e;

	cr_fail_alloc_set(2, true);
	a = malloc(8);
	b = calloc(1, 8);
	c = realloc(NULL, 8);
	d = aligned_alloc(64, 64);
	e = malloc(8);
	cr_fail_alloc_clear();
	assert_non_null(a);
	assert_null(b);
	assert_null(c);
	assert_null(d);
	assert_null(e);
	assert_int_equal(cr_fail_alloc_count(), 5);
	assert_int_equal(cr_fail_alloc_fired(), 4);
	free(a);
}

static void test_fail_alloc_failed_realloc_keeps_the_old_block(void **state)
{
	/* called through a pointer: gcc would call the use of p after it an
	 * error, not knowing that the call is to fail */
	void *(*volatile realloc_fn)(void *, size_t) = realloc;
	char *p = malloc(4), *q;

	assert_non_null(p);
	memcpy(p, "abc", 4);
	cr_fail_alloc_set(1, false);
	q = realloc_fn(p, 1 << 20);
	cr_fail_alloc_clear();
	assert_null(q);
	assert_string_equal(p, "abc");	/* still ours: valgrind sees no leak */
	free(p);
}

static void test_fail_alloc_unarmed_or_nth_zero_never_fails(void **state)
{
	void *p;

	cr_fail_alloc_set(0, true);
	p = malloc(8);
	assert_non_null(p);
	free(p);
	assert_int_equal(cr_fail_alloc_count(), 1);
	assert_int_equal(cr_fail_alloc_fired(), 0);
	cr_fail_alloc_clear();
	p = malloc(8);			/* not counted once cleared */
	assert_non_null(p);
	free(p);
	assert_int_equal(cr_fail_alloc_count(), 1);
}

/* ---- whole runs ---- */

struct af_state {
	int fd;				/* the image of the standard process */
	struct cr_target *good;		/* a clean restore of it */
	struct cr_layout layout;	/* its clean layout */
	unsigned long restore_allocs;
	unsigned long ckpt_allocs;
	unsigned long layout_allocs;
};

static int setup(void **state)
{
	struct af_state *s = calloc(1, sizeof(*s));
	struct cr_target *src;
	struct cr_test_log tl;

	if (!s)
		return -1;
	cr_test_log_init(&tl);
	s->fd = cr_test_image_fd();
	src = cr_test_mock_process();
	cr_fail_alloc_set(0, false);
	if (cr_test_checkpoint(src, s->fd, &tl))
		return -1;
	s->ckpt_allocs = cr_fail_alloc_count();
	cr_fail_alloc_clear();
	mock_mm_free(src);

	s->good = cr_test_mock_empty();
	cr_fail_alloc_set(0, false);
	if (cr_test_restart(s->good, s->fd, &tl))
		return -1;
	s->restore_allocs = cr_fail_alloc_count();
	cr_fail_alloc_clear();

	assert_int_equal(lseek(s->fd, 0, SEEK_SET), 0);
	cr_fail_alloc_set(0, false);
	if (cr_image_layout(s->fd, &tl.log, &s->layout))
		return -1;
	s->layout_allocs = cr_fail_alloc_count();
	cr_fail_alloc_clear();
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct af_state *s = *state;

	cr_fail_alloc_clear();		/* in case a test failed while armed */
	cr_layout_free(&s->layout);
	mock_mm_free(s->good);
	close(s->fd);
	free(s);
	return 0;
}

/*
 * What every failed run must satisfy: fired -> -ENOMEM, not fired ->
 * success (allocation k of a deterministic run is always made for k <= N).
 */
static void assert_outcome(const char *what, unsigned long k, unsigned long n,
			   bool persistent, unsigned long fired, int ret,
			   const struct cr_test_log *tl)
{
	if (k <= n && !fired)
		fail_msg("%s: allocation %lu of %lu was never made", what, k, n);
	if (k > n && fired)
		fail_msg("%s: %lu allocations, not %lu", what, n + fired, n);
	if (fired && ret != -ENOMEM)
		fail_msg("%s, allocation %lu%s failing: returned %d, not -ENOMEM (%s)",
			 what, k, persistent ? " on" : "", ret, tl->first);
	if (!fired && ret)
		fail_msg("%s, no allocation failed: returned %d (%s)", what,
			 ret, tl->first);
}

static void assert_balanced_k(struct cr_target *t, const char *what,
			      unsigned long k, bool persistent)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("%s, allocation %lu%s failing: not balanced: %s", what,
			 k, persistent ? " on" : "", why);
}

static void restore_loop(struct af_state *s, bool persistent)
{
	unsigned long k, n = s->restore_allocs, fired;
	struct cr_test_log tl;
	struct cr_target *t;
	int ret;

	assert_true(n > 10);
	for (k = 1; k <= n + 1; k++) {
		cr_test_log_init(&tl);
		t = cr_test_mock_empty();
		cr_fail_alloc_set(k, persistent);
		ret = cr_test_restart(t, s->fd, &tl);
		cr_fail_alloc_clear();
		fired = cr_fail_alloc_fired();
		assert_outcome("restore", k, n, persistent, fired, ret, &tl);
		assert_balanced_k(t, "restore", k, persistent);
		if (!ret)
			cr_test_assert_same_process(s->good, t);
		mock_mm_free(t);
	}
}

static void test_restore_returns_enomem_cleanly_at_every_allocation_once(void **state)
{
	restore_loop(*state, false);
}

static void test_restore_returns_enomem_cleanly_at_every_allocation_persistently(void **state)
{
	restore_loop(*state, true);
}

static void checkpoint_loop(struct af_state *s, bool persistent)
{
	struct cr_target *twin = cr_test_mock_process(), *src, *t;
	unsigned long k, n = s->ckpt_allocs, fired;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();
	int ret;

	assert_true(n > 10);
	for (k = 1; k <= n + 1; k++) {
		cr_test_log_init(&tl);
		src = cr_test_mock_process();
		cr_fail_alloc_set(k, persistent);
		ret = cr_test_checkpoint(src, fd, &tl);
		cr_fail_alloc_clear();
		fired = cr_fail_alloc_fired();
		assert_outcome("checkpoint", k, n, persistent, fired, ret, &tl);
		assert_balanced_k(src, "checkpoint", k, persistent);
		/* the source is as it was */
		cr_test_assert_same_process(twin, src);
		assert_int_equal(mock_mm_nr_pages(src), mock_mm_nr_pages(twin));
		if (!ret) {
			t = cr_test_mock_empty();
			assert_int_equal(cr_test_restart(t, fd, &tl), 0);
			cr_test_assert_same_process(s->good, t);
			mock_mm_free(t);
		}
		mock_mm_free(src);
	}
	close(fd);
	mock_mm_free(twin);
}

static void test_checkpoint_returns_enomem_cleanly_at_every_allocation_once(void **state)
{
	checkpoint_loop(*state, false);
}

static void test_checkpoint_returns_enomem_cleanly_at_every_allocation_persistently(void **state)
{
	checkpoint_loop(*state, true);
}

static void layout_loop(struct af_state *s, bool persistent)
{
	unsigned long k, n = s->layout_allocs, fired;
	struct cr_layout layout;
	struct cr_test_log tl;
	unsigned int i;
	int ret;

	/* ctx iobuf and hbuf, cwd, the vma array and the address buffer... */
	assert_true(n >= 5);
	for (k = 1; k <= n + 1; k++) {
		cr_test_log_init(&tl);
		assert_int_equal(lseek(s->fd, 0, SEEK_SET), 0);
		cr_fail_alloc_set(k, persistent);
		ret = cr_image_layout(s->fd, &tl.log, &layout);
		cr_fail_alloc_clear();
		fired = cr_fail_alloc_fired();
		assert_outcome("layout", k, n, persistent, fired, ret, &tl);
		if (!ret) {
			assert_int_equal(layout.pid, s->layout.pid);
			assert_int_equal(layout.nr_vmas, s->layout.nr_vmas);
			for (i = 0; i < layout.nr_vmas; i++)
				assert_memory_equal(&layout.vmas[i],
						    &s->layout.vmas[i],
						    sizeof(layout.vmas[i]));
		}
		/* also after a failure (cr.h); valgrind checks it is enough */
		cr_layout_free(&layout);
		assert_null(layout.vmas);
	}
	assert_int_equal(s->layout.pid, CR_TEST_PID);
	assert_int_equal(s->layout.nr_vmas, 8);
}

static void test_layout_returns_enomem_cleanly_at_every_allocation_once(void **state)
{
	layout_loop(*state, false);
}

static void test_layout_returns_enomem_cleanly_at_every_allocation_persistently(void **state)
{
	layout_loop(*state, true);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_alloc_fails_only_the_nth_allocation_once),
		cmocka_unit_test(test_fail_alloc_persistent_fails_every_allocation_from_the_nth),
		cmocka_unit_test(test_fail_alloc_failed_realloc_keeps_the_old_block),
		cmocka_unit_test(test_fail_alloc_unarmed_or_nth_zero_never_fails),
		T(test_restore_returns_enomem_cleanly_at_every_allocation_once),
		T(test_restore_returns_enomem_cleanly_at_every_allocation_persistently),
		T(test_checkpoint_returns_enomem_cleanly_at_every_allocation_once),
		T(test_checkpoint_returns_enomem_cleanly_at_every_allocation_persistently),
		T(test_layout_returns_enomem_cleanly_at_every_allocation_once),
		T(test_layout_returns_enomem_cleanly_at_every_allocation_persistently),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
