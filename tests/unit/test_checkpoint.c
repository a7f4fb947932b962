// SPDX-License-Identifier: GPL-2.0
/*
 * core/checkpoint.c: what the writer of the task's objects refuses (a file
 * it cannot save, more groups than an image holds), a file table that
 * outgrows its first allocation, an image that cannot be written, and the
 * order of the reads around ->snapshot_mm: the whole task first, then only
 * the memory, so that the task may run on while its memory is saved.
 * The memory side is test_ckpt_mem.c; whole round trips, test_roundtrip.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"

static void assert_balanced(struct cr_target *t)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("not balanced: %s", why);
}

/* A whole checkpoint of @t through @kops into @fd (not rewound). */
static int checkpoint_with(struct cr_target *t, int fd,
			   const struct cr_kops *kops, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	cr_test_log_init(tl);
	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, kops, t, &tl->log);
	if (!ret)
		ret = cr_checkpoint(&ctx);
	cr_ctx_fini(&ctx);
	mock_mm_release(t);	/* as the CLI lets go of the process */
	assert_int_equal(ctx.hbuf_gets, 0);
	return ret;
}

/*
 * A socket, say: the shim says it cannot describe it. The checkpoint is
 * refused with -ENOSYS (a kind of state crrun cannot save) and the message
 * names the fd and what the shim knew of it.
 */
static void test_checkpoint_refuses_an_unsupported_fd_naming_it(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	assert_non_null(info);
	info->fd = 9;
	info->fd_type = CR_FD_FILE;
	info->dup_of = -1;
	strcpy(info->path, "socket:[31337]");
	assert_int_equal(mock_task_add_fd(src, info, true), 0);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), -ENOSYS);
	assert_non_null(strstr(tl.first, "fd 9"));
	assert_non_null(strstr(tl.first, "socket:[31337]"));
	assert_non_null(strstr(tl.first, "cannot be saved"));
	assert_balanced(src);
	free(info);
	close(fd);
	mock_mm_free(src);
}

/* get_creds with more groups than CR_HDR_TASK can carry (a broken shim) */
static int many_groups_get_creds(struct cr_target *t, struct cr_creds *c)
{
	int ret = mock_kops.get_creds(t, c);

	if (ret < 0)
		return ret;
	free(c->groups);
	c->ngroups = CR_NGROUPS_MAX + 1;
	c->groups = calloc(c->ngroups, sizeof(u32));
	return c->groups ? 0 : -ENOMEM;
}

/* Refused before a task object is written; the groups are freed (valgrind). */
static void test_checkpoint_refuses_more_groups_than_an_image_holds(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_kops kops = mock_kops;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();
	struct cr_hdr h;

	kops.get_creds = many_groups_get_creds;
	assert_int_equal(checkpoint_with(src, fd, &kops, &tl), -EINVAL);
	/* the head alone went out, buffered and never flushed */
	assert_int_equal(pread(fd, &h, sizeof(h), 0), 0);
	assert_balanced(src);
	close(fd);
	mock_mm_free(src);
}

#define MANY_FDS	40	/* past the table's first 16 and its first 32 */

/*
 * fds 5 .. MANY_FDS + 4: files, every third one a dup of the one before
 * (the same open file: its flags, position and path)
 */
static void add_many_fds(struct cr_target *t)
{
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	int i, file;

	assert_non_null(info);
	for (i = 5; i < 5 + MANY_FDS; i++) {
		file = i % 3 == 0 ? i - 1 : i;
		memset(info, 0, sizeof(*info));
		info->fd = i;
		info->fd_type = CR_FD_FILE;
		info->dup_of = -1;
		info->f_flags = file % 2 ? O_RDONLY : O_WRONLY | O_APPEND;
		info->f_pos = 100 * file;
		info->close_on_exec = i % 5 == 0;
		info->ofd_key = 5000 + file;
		snprintf(info->path, sizeof(info->path), "/tmp/work/f%d", file);
		assert_int_equal(mock_task_add_fd(t, info, false), 0);
	}
	free(info);
}

/*
 * The checkpoint's fd table starts at 16 entries and doubles: 45 fds take
 * two reallocations, and every fd comes back with its flags, position,
 * path, close-on-exec flag and dups.
 */
static void test_checkpoint_of_45_fds_restores_every_one(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *t = cr_test_mock_empty();
	struct cr_fd_info *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), n = 0, from = 0, ra, rb;

	assert_true(a && b);
	add_many_fds(src);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_balanced(t);

	for (;;) {
		ra = mock_kops.next_fd(src, from, a);
		rb = mock_kops.next_fd(t, from, b);
		assert_int_equal(ra, rb);
		if (ra == -ENOENT)
			break;
		assert_int_equal(ra, 0);
		assert_int_equal(a->fd, b->fd);
		assert_int_equal(a->fd_type, b->fd_type);
		assert_int_equal(a->close_on_exec, b->close_on_exec);
		if (a->fd_type == CR_FD_FILE) {
			assert_int_equal(a->f_flags, b->f_flags);
			assert_int_equal(a->f_pos, b->f_pos);
			assert_string_equal(a->path, b->path);
		}
		/* a dup in the source is a dup of the same fd in the target */
		if (a->fd >= 5 && a->fd % 3 == 0)
			assert_int_equal(b->dup_of, a->fd - 1);
		from = a->fd + 1;
		n++;
	}
	assert_int_equal(n, 5 + MANY_FDS);
	free(b);
	free(a);
	close(fd);
	mock_mm_free(t);
	mock_mm_free(src);
}

/* A full disk: the image cannot be written, and the source is untouched. */
static void test_checkpoint_to_a_full_disk_returns_enospc(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *twin = cr_test_mock_process();
	struct cr_test_log tl;
	int fd = open("/dev/full", O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(checkpoint_with(src, fd, &mock_kops, &tl), -ENOSPC);
	assert_balanced(src);
	cr_test_assert_same_process(twin, src);
	close(fd);
	mock_mm_free(twin);
	mock_mm_free(src);
}

/* What the process "running on" does to itself after the snapshot. */
static void run_on(struct cr_target *t, void *arg)
{
	struct cr_sigaction act = { .handler = 0x123000, .flags = 0 };
	struct cr_sigstate ss = { .blocked = 0x5 };

	assert_int_equal(mock_kops.set_sigaction(t, SIGUSR1, &act), 0);
	assert_int_equal(mock_kops.set_sigstate(t, &ss), 0);
	assert_int_equal(mock_kops.set_fs(t, 0077, "/tmp"), 0);
	(*(int *)arg)++;
}

/*
 * The image holds the task as it was at the snapshot: nothing of it is
 * read after (the mock records any such read as misuse, and the restored
 * task has the handler, mask and umask of before).
 */
static void test_checkpoint_reads_the_task_before_the_snapshot(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *twin = cr_test_mock_process();
	struct cr_target *t = cr_test_mock_empty();
	struct cr_sigaction a, b;
	struct cr_sigstate sa, sb;
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), ran = 0;
	char cwd[64];
	u32 umask_a, umask_b;

	mock_mm_on_snapshot(src, run_on, &ran);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_int_equal(ran, 1);
	assert_balanced(src);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);

	assert_int_equal(mock_kops.get_sigaction(twin, SIGUSR1, &a), 0);
	assert_int_equal(mock_kops.get_sigaction(t, SIGUSR1, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(mock_kops.get_sigstate(twin, &sa), 0);
	assert_int_equal(mock_kops.get_sigstate(t, &sb), 0);
	assert_int_equal(sa.blocked, sb.blocked);
	assert_int_equal(mock_kops.get_fs(twin, &umask_a, cwd, sizeof(cwd)), 0);
	assert_int_equal(mock_kops.get_fs(t, &umask_b, cwd, sizeof(cwd)), 0);
	assert_int_equal(umask_a, umask_b);
	cr_test_assert_same_process(twin, t);
	close(fd);
	mock_mm_free(t);
	mock_mm_free(twin);
	mock_mm_free(src);
}

/* A shim that cannot take a snapshot here: the stopped task is read. */
static void test_checkpoint_without_a_snapshot_reads_the_stopped_task(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *t = cr_test_mock_empty();
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	assert_int_equal(mock_fault_set(src, MOCK_OP_SNAPSHOT_MM, 1,
					EOPNOTSUPP, false), 0);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_int_equal(mock_fault_fired(src), 1);
	assert_balanced(src);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	cr_test_assert_same_process(src, t);
	close(fd);
	mock_mm_free(t);
	mock_mm_free(src);
}

/* A snapshot that fails otherwise fails the checkpoint, saying so. */
static void test_checkpoint_fails_when_the_snapshot_fails(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	assert_int_equal(mock_fault_set(src, MOCK_OP_SNAPSHOT_MM, 1, ENOMEM,
					false), 0);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), -ENOMEM);
	assert_non_null(strstr(tl.first, "snapshot"));
	assert_balanced(src);
	close(fd);
	mock_mm_free(src);
}

/* A shim without ->snapshot_mm: the checkpoint is whole all the same. */
static void test_checkpoint_with_a_shim_without_snapshots(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *t = cr_test_mock_empty();
	struct cr_kops kops = mock_kops;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	kops.snapshot_mm = NULL;
	assert_int_equal(checkpoint_with(src, fd, &kops, &tl), 0);
	assert_false(mock_mm_snapshot_taken(src));
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	cr_test_assert_same_process(src, t);
	close(fd);
	mock_mm_free(t);
	mock_mm_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_refuses_an_unsupported_fd_naming_it),
		cmocka_unit_test(test_checkpoint_refuses_more_groups_than_an_image_holds),
		cmocka_unit_test(test_checkpoint_of_45_fds_restores_every_one),
		cmocka_unit_test(test_checkpoint_to_a_full_disk_returns_enospc),
		cmocka_unit_test(test_checkpoint_reads_the_task_before_the_snapshot),
		cmocka_unit_test(test_checkpoint_without_a_snapshot_reads_the_stopped_task),
		cmocka_unit_test(test_checkpoint_fails_when_the_snapshot_fails),
		cmocka_unit_test(test_checkpoint_with_a_shim_without_snapshots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
