// SPDX-License-Identifier: GPL-2.0
/*
 * core/tty.c: the terminal of fds 0-2 comes back with its settings, on the
 * terminal the restore runs on, whose window stays its own (the process
 * is told with SIGWINCH when the size differs); a process without a
 * terminal, or restored without one, is still restored; a bad object is
 * refused by field; a version 2 image, which has no such object, restores.
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

struct tty_state {
	struct cr_target *src;
	int fd;
	struct cr_test_log tl;
};

static int setup(void **state)
{
	struct tty_state *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->src = cr_test_mock_process();	/* raw mode on fd 0, 24x80 */
	s->fd = cr_test_image_fd();
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct tty_state *s = *state;

	close(s->fd);
	mock_mm_free(s->src);
	free(s);
	return 0;
}

/* A checkpoint of the source, with a fresh log. */
static int checkpoint(struct tty_state *s)
{
	cr_test_log_init(&s->tl);
	return cr_test_checkpoint(s->src, s->fd, &s->tl);
}

/* A restore of the image into @t, with a fresh log. */
static int restart(struct tty_state *s, struct cr_target *t)
{
	cr_test_log_init(&s->tl);
	return cr_test_restart(t, s->fd, &s->tl);
}

static void get_tty(struct cr_target *t, struct cr_tty_info *tty)
{
	assert_int_equal(mock_kops.get_tty(t, tty), 0);
}

static void assert_same_settings(const struct cr_tty_info *a,
				 const struct cr_tty_info *b)
{
	assert_int_equal(a->c_iflag, b->c_iflag);
	assert_int_equal(a->c_oflag, b->c_oflag);
	assert_int_equal(a->c_cflag, b->c_cflag);
	assert_int_equal(a->c_lflag, b->c_lflag);
	assert_int_equal(a->c_ispeed, b->c_ispeed);
	assert_int_equal(a->c_ospeed, b->c_ospeed);
	assert_int_equal(a->c_line, b->c_line);
	assert_memory_equal(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

static void test_tty_raw_mode_comes_back_on_the_restoring_terminal(void **state)
{
	struct tty_state *s = *state;
	struct cr_tty_info was, now;
	struct cr_target *t;

	assert_int_equal(checkpoint(s), 0);
	t = cr_test_mock_empty();	/* its terminal: cooked, 24x80 */
	assert_int_equal(restart(s, t), 0);
	get_tty(s->src, &was);
	get_tty(t, &now);
	assert_int_equal(now.c_lflag, 0);	/* raw */
	assert_same_settings(&was, &now);
	assert_false(mock_winch_sent(t));	/* same size: nothing to say */
	mock_mm_free(t);
}

static void test_tty_window_of_another_size_stays_and_sends_sigwinch(void **state)
{
	struct tty_state *s = *state;
	struct cr_tty_info big, now;
	struct cr_target *t;

	assert_int_equal(checkpoint(s), 0);
	t = cr_test_mock_empty();
	cr_test_terminal(&big, false);
	big.ws_row = 50;
	big.ws_col = 132;
	mock_set_terminal(t, &big);
	assert_int_equal(restart(s, t), 0);
	get_tty(t, &now);
	assert_int_equal(now.ws_row, 50);
	assert_int_equal(now.ws_col, 132);
	assert_int_equal(now.c_lflag, 0);
	assert_true(mock_winch_sent(t));
	mock_mm_free(t);
}

static void test_tty_restored_without_a_terminal_warns_and_runs(void **state)
{
	struct tty_state *s = *state;
	struct cr_target *t;

	assert_int_equal(checkpoint(s), 0);
	t = cr_test_mock_empty();
	mock_set_terminal(t, NULL);
	assert_int_equal(restart(s, t), 0);
	assert_int_equal(s->tl.nr_err, 0);
	mock_mm_free(t);
}

static void test_tty_none_leaves_the_restoring_terminal_alone(void **state)
{
	struct tty_state *s = *state;
	struct cr_tty_info before, after;
	struct cr_target *t;

	mock_set_terminal(s->src, NULL);
	assert_int_equal(checkpoint(s), 0);
	t = cr_test_mock_empty();
	get_tty(t, &before);
	assert_int_equal(restart(s, t), 0);
	get_tty(t, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(mock_calls(t, MOCK_OP_SET_TTY), 0);
	mock_mm_free(t);
}

static void expect_rejected(struct tty_state *s, size_t off, const void *val,
			    size_t n, const char *what)
{
	long obj = cr_test_find_obj(s->fd, CR_HDR_TTY, 0);
	struct cr_target *t;

	assert_true(obj > 0);
	cr_test_pwrite(s->fd, obj + sizeof(struct cr_hdr) + off, val, n);
	cr_test_fix_csum(s->fd);
	t = cr_test_mock_empty();
	assert_int_equal(restart(s, t), -EINVAL);
	if (!strstr(s->tl.first, "tty") || !strstr(s->tl.first, what))
		fail_msg("message '%s' does not name tty and '%s'",
			 s->tl.first, what);
	assert_int_equal(s->tl.nr_err, 1);
	assert_int_equal(mock_calls(t, MOCK_OP_SET_TTY), 0);
	mock_mm_free(t);
}

static void test_tty_rejects_an_fd_above_2(void **state)
{
	struct tty_state *s = *state;
	s32 fd = 3;

	assert_int_equal(checkpoint(s), 0);
	expect_rejected(s, offsetof(struct cr_hdr_tty, fd), &fd, sizeof(fd),
			"fd 3");
}

static void test_tty_rejects_an_fd_below_minus_1(void **state)
{
	struct tty_state *s = *state;
	s32 fd = -2;

	assert_int_equal(checkpoint(s), 0);
	expect_rejected(s, offsetof(struct cr_hdr_tty, fd), &fd, sizeof(fd),
			"fd -2");
}

static void test_tty_rejects_an_unknown_line_discipline(void **state)
{
	struct tty_state *s = *state;
	u8 line = 30;

	assert_int_equal(checkpoint(s), 0);
	expect_rejected(s, offsetof(struct cr_hdr_tty, c_line), &line,
			sizeof(line), "c_line 30");
}

static void test_tty_rejects_another_tasks_object(void **state)
{
	struct tty_state *s = *state;
	long obj;
	u32 parent = 1;
	struct cr_target *t;

	assert_int_equal(checkpoint(s), 0);
	obj = cr_test_find_obj(s->fd, CR_HDR_TTY, 0);
	cr_test_pwrite(s->fd, obj + offsetof(struct cr_hdr, parent), &parent,
		       sizeof(parent));
	cr_test_fix_csum(s->fd);
	t = cr_test_mock_empty();
	assert_int_equal(restart(s, t), -EINVAL);
	assert_non_null(strstr(s->tl.first, "tty: parent 1"));
	mock_mm_free(t);
}

/* A version 2 image has no tty object: the terminal is not touched. */
static void test_tty_version_2_image_restores_without_it(void **state)
{
	struct tty_state *s = *state;
	struct cr_tty_info before, after;
	struct cr_target *t;

	assert_int_equal(checkpoint(s), 0);
	cr_test_make_v2(s->fd);
	assert_true(cr_test_find_obj(s->fd, CR_HDR_TTY, 0) < 0);
	t = cr_test_mock_empty();
	get_tty(t, &before);
	assert_int_equal(restart(s, t), 0);
	get_tty(t, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	cr_test_assert_same_process(s->src, t);
	mock_mm_free(t);
}

/* Each of the two calls failing fails the whole run, by name. */
static void test_tty_failing_calls_are_named(void **state)
{
	struct tty_state *s = *state;
	struct cr_target *t;

	assert_int_equal(mock_fault_set(s->src, MOCK_OP_GET_TTY, 1, EIO,
					false), 0);
	assert_int_equal(checkpoint(s), -EIO);
	if (!strstr(s->tl.first, "tty: reading"))
		fail_msg("first error: %s", s->tl.first);
	mock_fault_clear(s->src);

	assert_int_equal(checkpoint(s), 0);
	t = cr_test_mock_empty();
	assert_int_equal(mock_fault_set(t, MOCK_OP_SET_TTY, 1, EIO, false), 0);
	assert_int_equal(restart(s, t), -EIO);
	assert_non_null(strstr(s->tl.first, "tty: setting the terminal of fd 0"));
	mock_mm_free(t);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_tty_raw_mode_comes_back_on_the_restoring_terminal),
		T(test_tty_window_of_another_size_stays_and_sends_sigwinch),
		T(test_tty_restored_without_a_terminal_warns_and_runs),
		T(test_tty_none_leaves_the_restoring_terminal_alone),
		T(test_tty_rejects_an_fd_above_2),
		T(test_tty_rejects_an_fd_below_minus_1),
		T(test_tty_rejects_an_unknown_line_discipline),
		T(test_tty_rejects_another_tasks_object),
		T(test_tty_version_2_image_restores_without_it),
		T(test_tty_failing_calls_are_named),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
