// SPDX-License-Identifier: GPL-2.0
/*
 * SQLite-style fault simulation over whole restores and checkpoints.
 *
 * A clean run counts the kops calls it makes (N). Then, for k = 1 .. N,
 * a fresh target is armed to fail call k (MOCK_OP_ANY: the kth call of any
 * op; if that one cannot fail, as put_page or kunmap, the next one that
 * can), once, then from k on (persistent), and the run must:
 *  - fail with the injected -errno, passed up unchanged, or succeed only
 *    if the fault never fired or hit a call whose failure is tolerated,
 *    and then give the same mm, LDT and registers as a clean run;
 *  - give back everything it took: every pin put, every kmap kunmapped,
 *    every file closed, no misuse of the API (mock_check_balanced()), and
 *    the header buffer balanced (cr_test_restart/checkpoint assert it);
 *  - leak nothing (the valgrind run of this test checks that);
 *  - for a checkpoint, leave the source as it was.
 * Finally call N + 1 is armed: the fault does not fire and the run passes.
 *
 * The errno alternates between EIO, ENOMEM and EFAULT with k, so that an
 * errno the engine treats specially (-ENOENT from find_vma, -EBADF from
 * close_fd) is not what it sees.
 *
 * The process is the standard one of cr_test.h, as it is: its restore
 * makes about 150 kops calls and its checkpoint about 130, so each loop
 * takes a fraction of a second natively and stays within the qemu and
 * valgrind budgets.
 *
 * Apart from the loops that check the run is clean, two more check that a
 * failed run says why (an error in the log), listing the calls where it
 * did not.
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
#include "arch/x86/regs.h"
#include "core/arch.h"

static const int fault_errnos[] = { EIO, ENOMEM, EFAULT };

static void assert_balanced_k(struct cr_target *t, const char *what,
			      unsigned long k, bool persistent)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("%s, fault at call %lu%s: not balanced: %s", what, k,
			 persistent ? " on" : "", why);
}

/* Reset the call counters without a fault that can fire. */
static void count_from_now(struct cr_target *t)
{
	assert_int_equal(mock_fault_set(t, MOCK_OP_ANY, ~0UL, EIO, false), 0);
}

static bool is_errno(int ret)
{
	return ret < 0 && ret >= -MAX_ERRNO;
}

struct fi_state {
	int fd;				/* the image of the standard process */
	struct cr_target *src;
	struct cr_target *good;		/* a clean restore of it */
	unsigned long restore_calls;	/* kops calls of a clean restore */
	unsigned long ckpt_calls;	/* kops calls of a clean checkpoint */
};

static int setup(void **state)
{
	struct fi_state *s = calloc(1, sizeof(*s));
	struct cr_test_log tl;
	struct cr_target *t;

	if (!s)
		return -1;
	cr_test_log_init(&tl);
	s->fd = cr_test_image_fd();
	s->src = cr_test_mock_process();
	count_from_now(s->src);
	if (cr_test_checkpoint(s->src, s->fd, &tl))
		return -1;
	s->ckpt_calls = mock_calls(s->src, MOCK_OP_ANY);
	mock_fault_clear(s->src);

	t = cr_test_mock_empty();
	count_from_now(t);
	if (cr_test_restart(t, s->fd, &tl))
		return -1;
	s->restore_calls = mock_calls(t, MOCK_OP_ANY);
	mock_fault_clear(t);
	s->good = t;
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct fi_state *s = *state;

	mock_mm_free(s->good);
	mock_mm_free(s->src);
	close(s->fd);
	free(s);
	return 0;
}

/*
 * Restore with call @k failing; check the outcome. Return: whether the
 * fault fired.
 */
static bool restore_with_fault(struct fi_state *s, unsigned long k,
			       bool persistent, bool *silent)
{
	int err = fault_errnos[k % ARRAY_SIZE(fault_errnos)];
	struct cr_target *t = cr_test_mock_empty();
	struct cr_test_log tl;
	unsigned long fired;
	int ret;

	cr_test_log_init(&tl);
	assert_int_equal(mock_fault_set(t, MOCK_OP_ANY, k, err, persistent), 0);
	ret = cr_test_restart(t, s->fd, &tl);
	fired = mock_fault_fired(t);
	mock_fault_clear(t);

	if (ret && !is_errno(ret))
		fail_msg("restore, fault %d at call %lu%s: returned %d",
			 err, k, persistent ? " on" : "", ret);
	if (ret && !fired)
		fail_msg("restore, fault at call %lu: failed with %d (%s) but the fault never fired",
			 k, ret, tl.first);
	if (ret && ret != -err)
		fail_msg("restore, fault %d at call %lu%s: returned %d, not the injected error (%s)",
			 -err, k, persistent ? " on" : "", ret, tl.first);
	*silent = ret && !tl.nr_err;
	assert_balanced_k(t, "restore", k, persistent);
	if (!ret)
		cr_test_assert_same_process(s->good, t);
	mock_mm_free(t);
	return fired;
}

/* The calls whose failure made a run fail without a message: " k k k". */
struct silent_list {
	char ks[512];
	size_t len;
	unsigned int nr;
};

static void silent_add(struct silent_list *sl, unsigned long k)
{
	if (sl->len < sizeof(sl->ks) - 32)
		sl->len += snprintf(sl->ks + sl->len, sizeof(sl->ks) - sl->len,
				    " %lu", k);
	sl->nr++;
}

static void restore_loop(struct fi_state *s, bool persistent,
			 struct silent_list *sl)
{
	unsigned long k, n = s->restore_calls;
	bool silent;

	assert_true(n > 50);
	for (k = 1; k <= n; k++) {
		if (!restore_with_fault(s, k, persistent, &silent) && k < n)
			fail_msg("restore: the fault armed at call %lu of %lu never fired",
				 k, n);
		if (silent)
			silent_add(sl, k);
	}
	/* one past the last call: nothing fires, the restore passes */
	assert_false(restore_with_fault(s, n + 1, persistent, &silent));
}

static void test_restore_fails_cleanly_at_every_kops_call_once(void **state)
{
	struct silent_list sl = { .len = 0 };

	restore_loop(*state, false, &sl);
}

static void test_restore_fails_cleanly_at_every_kops_call_persistently(void **state)
{
	struct silent_list sl = { .len = 0 };

	restore_loop(*state, true, &sl);
}

/*
 * A failed restore says what failed: a kops error the engine returns
 * without a message leaves the user with a bare errno (STYLE.md: errors
 * name the object). Every call of the loop is tried and the silent ones
 * are listed together.
 */
static void test_restore_logs_why_at_every_failed_kops_call(void **state)
{
	struct silent_list sl = { .len = 0 };

	restore_loop(*state, false, &sl);
	if (sl.nr)
		fail_msg("%u failed restores logged no error; fault at call:%s",
			 sl.nr, sl.ks);
}

/*
 * Checkpoint with call @k failing: a clean -errno, the source as it was
 * (compared with a twin that was never checkpointed), balanced.
 */
static bool checkpoint_with_fault(struct fi_state *s, struct cr_target *twin,
				  unsigned long k, bool persistent, bool *silent)
{
	int err = fault_errnos[k % ARRAY_SIZE(fault_errnos)];
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	int fd = cr_test_image_fd();
	unsigned long fired;
	int ret;

	cr_test_log_init(&tl);
	assert_int_equal(mock_fault_set(src, MOCK_OP_ANY, k, err, persistent),
			 0);
	ret = cr_test_checkpoint(src, fd, &tl);
	fired = mock_fault_fired(src);
	mock_fault_clear(src);

	if (ret && !is_errno(ret))
		fail_msg("checkpoint, fault %d at call %lu%s: returned %d",
			 err, k, persistent ? " on" : "", ret);
	if (fired && !ret)
		fail_msg("checkpoint, fault %d at call %lu%s: fired and was ignored",
			 err, k, persistent ? " on" : "");
	if (ret && ret != -err)
		fail_msg("checkpoint, fault %d at call %lu%s: returned %d, not the injected error (%s)",
			 -err, k, persistent ? " on" : "", ret, tl.first);
	*silent = ret && !tl.nr_err;
	assert_balanced_k(src, "checkpoint", k, persistent);
	cr_test_assert_same_process(twin, src);
	assert_int_equal(mock_mm_nr_pages(src), mock_mm_nr_pages(twin));
	if (!ret) {
		/* the image is whole: it restores to the source */
		struct cr_target *t = cr_test_mock_empty();

		assert_int_equal(cr_test_restart(t, fd, &tl), 0);
		cr_test_assert_same_process(src, t);
		mock_mm_free(t);
	}
	close(fd);
	mock_mm_free(src);
	return fired;
}

static void checkpoint_loop(struct fi_state *s, bool persistent,
			    struct silent_list *sl)
{
	struct cr_target *twin = cr_test_mock_process();
	unsigned long k, n = s->ckpt_calls;
	bool silent;

	assert_true(n > 50);
	for (k = 1; k <= n; k++) {
		if (!checkpoint_with_fault(s, twin, k, persistent, &silent) &&
		    k < n)
			fail_msg("checkpoint: the fault armed at call %lu of %lu never fired",
				 k, n);
		if (silent)
			silent_add(sl, k);
	}
	assert_false(checkpoint_with_fault(s, twin, n + 1, persistent,
					   &silent));
	mock_mm_free(twin);
}

static void test_checkpoint_fails_cleanly_at_every_kops_call_once(void **state)
{
	struct silent_list sl = { .len = 0 };

	checkpoint_loop(*state, false, &sl);
}

static void test_checkpoint_fails_cleanly_at_every_kops_call_persistently(void **state)
{
	struct silent_list sl = { .len = 0 };

	checkpoint_loop(*state, true, &sl);
}

static void test_checkpoint_logs_why_at_every_failed_kops_call(void **state)
{
	struct silent_list sl = { .len = 0 };

	checkpoint_loop(*state, false, &sl);
	if (sl.nr)
		fail_msg("%u failed checkpoints logged no error; fault at call:%s",
			 sl.nr, sl.ks);
}

/*
 * The standard process has no batch longer than four pages. The error
 * paths of batches that span several page arrays and several pin runs,
 * and of VMAs of several batches, are reached with a bigger VMA, failing
 * each call of one op in turn (the ANY loop over it would be quadratic in
 * its thousands of kmap/kunmap/put_page calls):
 *
 *   BIG_START + pages [0, 600) [700, 1000) [1050, 2200) written:
 *   2050 pages, one batch of CR_PGARR_CHUNK (2048) and one of 2; the
 *   first batch fills four arrays of 512, with pin runs cut by the gaps
 *   and by the array ends.
 */
#define BIG_START	0x10000000UL
#define BIG_PAGES	2300UL

static struct cr_target *big_process(void)
{
	static const unsigned long runs[][2] = {
		{ 0, 600 }, { 700, 1000 }, { 1050, 2200 },
	};
	struct cr_target *t = cr_test_mock_process();
	unsigned long i, p;

	assert_int_equal(mock_kops.do_mmap(t, BIG_START, BIG_PAGES * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   NULL, 0), (long)BIG_START);
	for (i = 0; i < ARRAY_SIZE(runs); i++)
		for (p = runs[i][0]; p < runs[i][1]; p++)
			assert_int_equal(mock_mm_write(t, BIG_START + p * PAGE_SIZE +
						       (p % 64) * 8, &p,
						       sizeof(p)), 0);
	return t;
}

static const enum mock_op page_ops_restore[] = {
	MOCK_OP_GET_USER_PAGES, MOCK_OP_FLUSH, MOCK_OP_DO_MMAP,
};
static const enum mock_op page_ops_ckpt[] = {
	MOCK_OP_GET_USER_PAGES, MOCK_OP_PAGE_STATE, MOCK_OP_FIND_VMA,
	MOCK_OP_NEXT_PAGE,
};

static void test_restore_of_multi_array_batches_fails_cleanly_at_every_page_op(void **state)
{
	struct cr_target *src = big_process(), *good, *t;
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), ret, err;
	unsigned long n, k, i, p;
	char why[512];

	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	good = cr_test_mock_empty();
	count_from_now(good);
	assert_int_equal(cr_test_restart(good, fd, &tl), 0);
	cr_test_assert_same_mm(src, good);

	for (i = 0; i < ARRAY_SIZE(page_ops_restore); i++) {
		enum mock_op op = page_ops_restore[i];

		n = mock_calls(good, op);
		assert_true(n > 0);
		for (p = 0; p < 2; p++) {
			for (k = 1; k <= n + 1; k++) {
				err = fault_errnos[k % ARRAY_SIZE(fault_errnos)];
				t = cr_test_mock_empty();
				assert_int_equal(mock_fault_set(t, op, k, err, p), 0);
				ret = cr_test_restart(t, fd, &tl);
				if (k <= n && ret != -err)
					fail_msg("restore, %s fails at call %lu%s with %d: returned %d",
						 mock_op_name(op), k, p ? " on" : "", -err, ret);
				if (k > n && ret)
					fail_msg("restore, %s armed past its last call: %d",
						 mock_op_name(op), ret);
				if (mock_check_balanced(t, why, sizeof(why)))
					fail_msg("restore, %s fails at call %lu%s: not balanced: %s",
						 mock_op_name(op), k, p ? " on" : "", why);
				mock_mm_free(t);
			}
		}
	}
	mock_mm_free(good);
	mock_mm_free(src);
	close(fd);
}

static void test_checkpoint_of_multi_array_batches_fails_cleanly_at_every_page_op(void **state)
{
	struct cr_target *src = big_process(), *twin = big_process(), *t;
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), ret, err;
	unsigned long n, k, i, p;
	char why[512];

	cr_test_log_init(&tl);
	for (i = 0; i < ARRAY_SIZE(page_ops_ckpt); i++) {
		enum mock_op op = page_ops_ckpt[i];

		count_from_now(src);
		assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
		n = mock_calls(src, op);
		assert_true(n > 0);
		for (p = 0; p < 2; p++) {
			for (k = 1; k <= n + 1; k++) {
				err = fault_errnos[k % ARRAY_SIZE(fault_errnos)];
				assert_int_equal(mock_fault_set(src, op, k, err, p), 0);
				ret = cr_test_checkpoint(src, fd, &tl);
				mock_fault_clear(src);
				if (k <= n && ret != -err)
					fail_msg("checkpoint, %s fails at call %lu%s with %d: returned %d",
						 mock_op_name(op), k, p ? " on" : "", -err, ret);
				if (k > n && ret)
					fail_msg("checkpoint, %s armed past its last call: %d",
						 mock_op_name(op), ret);
				if (mock_check_balanced(src, why, sizeof(why)))
					fail_msg("checkpoint, %s fails at call %lu%s: not balanced: %s",
						 mock_op_name(op), k, p ? " on" : "", why);
			}
		}
	}
	/* after all that, the source is as it was, and its image whole */
	cr_test_assert_same_mm(twin, src);
	assert_int_equal(mock_mm_nr_pages(src), mock_mm_nr_pages(twin));
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	t = cr_test_mock_empty();
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	cr_test_assert_same_mm(twin, t);
	mock_mm_free(t);
	mock_mm_free(twin);
	mock_mm_free(src);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_restore_fails_cleanly_at_every_kops_call_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_fails_cleanly_at_every_kops_call_persistently, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_fails_cleanly_at_every_kops_call_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_fails_cleanly_at_every_kops_call_persistently, setup, teardown),
		cmocka_unit_test(test_restore_of_multi_array_batches_fails_cleanly_at_every_page_op),
		cmocka_unit_test(test_checkpoint_of_multi_array_batches_fails_cleanly_at_every_page_op),
		cmocka_unit_test_setup_teardown(test_restore_logs_why_at_every_failed_kops_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_logs_why_at_every_failed_kops_call, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
