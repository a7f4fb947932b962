// SPDX-License-Identifier: GPL-2.0
/*
 * core/restart.c and core/rstr_file.c: every field of the task's objects
 * that the reader checks, each corrupted alone in an image of the standard
 * mock process (tests/unit/cr_test.h), and the restore refusing it with
 * the right errno and a message naming the object and the field; the
 * tail's checksum, magic and end; truncation anywhere; and what a good
 * restore gives back (files, signal state, thread, credentials).
 *
 * After every restore, failed or not, the target must be balanced: no
 * page left pinned or kmapped, no file left open, no misuse of the kops.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/unit/cr_test.h"
#include "core/image_io.h"

/* The image of test_process(), made once for the whole file. */
static u8 *good_image;
static long good_size;

/*
 * cr_test_mock_process(), with fd 4 made a dup of fd 3 as its comment
 * says: the helper adds both with ofd_key 0, which gives each its own
 * open file, so the image would hold two files and no dup.
 */
static struct cr_target *test_process(void)
{
	struct cr_target *t = cr_test_mock_process();
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	u64 key;

	assert_non_null(info);
	assert_int_equal(mock_kops.next_fd(t, 3, info), 0);
	assert_int_equal(info->fd, 3);
	key = info->ofd_key;
	assert_int_equal(mock_kops.next_fd(t, 4, info), 0);
	assert_int_equal(info->fd, 4);
	if (info->ofd_key != key) {
		info->ofd_key = key;
		assert_int_equal(mock_task_add_fd(t, info, false), 0);
	}
	free(info);
	return t;
}

static int group_setup(void **state)
{
	struct cr_test_log tl;
	struct cr_target *t;
	int fd;

	cr_test_log_init(&tl);
	t = test_process();
	fd = cr_test_image_fd();
	assert_int_equal(cr_test_checkpoint(t, fd, &tl), 0);
	good_size = cr_test_image_size(fd);
	good_image = malloc(good_size);
	assert_non_null(good_image);
	cr_test_pread(fd, 0, good_image, good_size);
	close(fd);
	mock_mm_free(t);
	return 0;
}

static int group_teardown(void **state)
{
	free(good_image);
	return 0;
}

/* A fresh copy of the good image in its own file, for each test. */
static int setup(void **state)
{
	int *fd = malloc(sizeof(*fd));

	assert_non_null(fd);
	*fd = cr_test_image_fd();
	cr_test_pwrite(*fd, 0, good_image, good_size);
	*state = fd;
	return 0;
}

static int teardown(void **state)
{
	int *fd = *state;

	close(*fd);
	free(fd);
	return 0;
}

/*
 * What a restore goes into: cr_test_mock_empty() has no fds, but a fresh
 * child has 0-2, which CR_FD_INHERIT entries keep; give it those.
 */
static struct cr_target *restore_target(void)
{
	struct cr_target *t = cr_test_mock_empty();
	struct cr_fd_info *fd = calloc(1, sizeof(*fd));
	int i;

	assert_non_null(fd);
	for (i = 0; i < 3; i++) {
		memset(fd, 0, sizeof(*fd));
		fd->fd = i;
		fd->fd_type = CR_FD_INHERIT;
		fd->dup_of = -1;
		fd->f_flags = O_RDWR;
		assert_int_equal(mock_task_add_fd(t, fd, false), 0);
	}
	free(fd);
	return t;
}

static void assert_balanced(struct cr_target *t)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("mock not balanced: %s", why);
}

/* kops calls the last restore() made on its target */
static unsigned long last_calls;

/* Restore @fd into a fresh target, check the balance, free the target. */
static int restore(int fd, struct cr_test_log *tl)
{
	struct cr_target *t = restore_target();
	unsigned long before = mock_calls(t, MOCK_OP_ANY);
	int ret;

	cr_test_log_init(tl);
	ret = cr_test_restart(t, fd, tl);
	last_calls = mock_calls(t, MOCK_OP_ANY) - before;
	assert_balanced(t);
	mock_mm_free(t);
	return ret;
}

/* Overwrite @n bytes at @field_off in the payload of the @nth @type. */
static void poke(int fd, u32 type, unsigned int nth, size_t field_off,
		 const void *val, size_t n)
{
	long off = cr_test_find_obj(fd, type, nth);

	assert_true(off >= 0);
	cr_test_pwrite(fd, off + sizeof(struct cr_hdr) + field_off, val, n);
}

#define POKE(fd, type, nth, st, field, val)                                 \
	do {                                                                \
		__typeof__(((struct st *)0)->field) v_ = (val);             \
		poke(fd, type, nth, offsetof(struct st, field), &v_,        \
		     sizeof(v_));                                           \
	} while (0)

static void poke_hdr_parent(int fd, u32 type, unsigned int nth, u32 parent)
{
	long off = cr_test_find_obj(fd, type, nth);

	assert_true(off >= 0);
	cr_test_pwrite(fd, off + offsetof(struct cr_hdr, parent), &parent,
		       sizeof(parent));
}

/* Make the @nth @type object claim to be of @new_type. */
static void poke_hdr_type(int fd, u32 type, unsigned int nth, u32 new_type)
{
	long off = cr_test_find_obj(fd, type, nth);

	assert_true(off >= 0);
	cr_test_pwrite(fd, off + offsetof(struct cr_hdr, type), &new_type,
		       sizeof(new_type));
}

/* The offset of the fname object right after the @nth @type object. */
static long fname_after(int fd, u32 type, unsigned int nth)
{
	long off = cr_test_find_obj(fd, type, nth);
	struct cr_hdr h;

	assert_true(off >= 0);
	cr_test_pread(fd, off, &h, sizeof(h));
	off += sizeof(h) + h.len;
	cr_test_pread(fd, off, &h, sizeof(h));
	assert_int_equal(h.type, CR_HDR_FNAME);
	return off;
}

/*
 * With the checksum fixed (so that only the field is wrong), the restore
 * must fail with @err and its first error must name @obj and @field.
 */
static void expect_rejected(int fd, int err, const char *obj,
			    const char *field)
{
	struct cr_test_log tl;
	int ret;

	cr_test_fix_csum(fd);
	ret = restore(fd, &tl);
	if (ret != err)
		fail_msg("restore gave %d, expected %d (first error: '%s')",
			 ret, err, tl.first);
	if (!strstr(tl.first, obj) || !strstr(tl.first, field))
		fail_msg("message '%s' does not name '%s' and '%s'", tl.first,
			 obj, field);
}

/*
 * The same, for head and task fields: cr_restart() touches nothing of the
 * target before those two objects have been checked (core/cr.h).
 */
static void expect_rejected_untouched(int fd, int err, const char *obj,
				      const char *field)
{
	expect_rejected(fd, err, obj, field);
	if (last_calls)
		fail_msg("%s %s: %lu kops calls made before the refusal",
			 obj, field, last_calls);
}

/* ---- the good image ---- */

static void test_restart_of_the_good_image_succeeds(void **state)
{
	struct cr_test_log tl;

	assert_int_equal(restore(*(int *)*state, &tl), 0);
	assert_int_equal(tl.nr_err, 0);
}

/* ---- head ---- */

static void test_restart_rejects_head_magic(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_HEAD, 0, cr_hdr_head, magic, CR_IMAGE_MAGIC + 1);
	expect_rejected_untouched(fd, -EINVAL, "head", "magic");
}

static void test_restart_rejects_head_version(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_HEAD, 0, cr_hdr_head, version, CR_IMAGE_VERSION + 1);
	expect_rejected_untouched(fd, -EINVAL, "head", "version");
}

static void test_restart_rejects_head_arch(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_HEAD, 0, cr_hdr_head, arch, 3);
	expect_rejected_untouched(fd, -EINVAL, "head", "arch 3");
}

static void test_restart_rejects_head_page_size(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_HEAD, 0, cr_hdr_head, page_size, 16384);
	expect_rejected_untouched(fd, -EINVAL, "head", "page_size 16384");
}

static void test_restart_rejects_head_flags(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_HEAD, 0, cr_hdr_head, flags, 1);
	expect_rejected_untouched(fd, -EINVAL, "head", "flags");
}

static void test_restart_rejects_head_release_without_nul(void **state)
{
	int fd = *(int *)*state;
	char release[sizeof(((struct cr_hdr_head *)0)->release)];

	memset(release, 'r', sizeof(release));
	poke(fd, CR_HDR_HEAD, 0, offsetof(struct cr_hdr_head, release),
	     release, sizeof(release));
	expect_rejected_untouched(fd, -EINVAL, "head", "release");
}

static void test_restart_rejects_head_machine_without_nul(void **state)
{
	int fd = *(int *)*state;
	char machine[sizeof(((struct cr_hdr_head *)0)->machine)];

	memset(machine, 'm', sizeof(machine));
	poke(fd, CR_HDR_HEAD, 0, offsetof(struct cr_hdr_head, machine),
	     machine, sizeof(machine));
	expect_rejected_untouched(fd, -EINVAL, "head", "machine");
}

static void test_restart_rejects_image_not_starting_with_head(void **state)
{
	int fd = *(int *)*state;
	u32 type = CR_HDR_TASK;
	struct cr_test_log tl;

	cr_test_pwrite(fd, 0, &type, sizeof(type));
	assert_int_equal(restore(fd, &tl), -EINVAL);
	assert_non_null(strstr(tl.first, "head expected at offset 0"));
	assert_non_null(strstr(tl.last, "not a crrun image"));
}

/* A log sink that keeps the info messages too. */
struct info_log {
	char text[2048];
	size_t len;
};

static void info_log_emit(void *priv, int level, const char *msg)
{
	struct info_log *il = priv;

	il->len += snprintf(il->text + il->len, sizeof(il->text) - il->len,
			    "%s\n", msg);
	if (il->len >= sizeof(il->text))
		il->len = sizeof(il->text) - 1;
}

/*
 * The kernel release is not the format: an image made on another kernel
 * restores (the seed refused it, defect 25), with a note naming both.
 */
static void test_restart_of_an_image_from_another_release_notes_it(void **state)
{
	static const char other[] = "2.6.25-rc3-cr";
	int fd = *(int *)*state;
	char release[sizeof(((struct cr_hdr_head *)0)->release)] = { 0 };
	struct cr_target *t = restore_target();
	struct info_log il = { .len = 0 };
	struct cr_test_log tl;

	memcpy(release, other, sizeof(other));
	poke(fd, CR_HDR_HEAD, 0, offsetof(struct cr_hdr_head, release),
	     release, sizeof(release));
	cr_test_fix_csum(fd);
	cr_test_log_init(&tl);
	tl.log.emit = info_log_emit;
	tl.log.priv = &il;
	tl.log.level = CR_LOG_INFO;
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_non_null(strstr(il.text, "image made on kernel 2.6.25-rc3-cr"));
	assert_balanced(t);
	mock_mm_free(t);
}

/* A restore by a user who may not take the image's credentials. */
static void test_restart_says_why_credentials_are_refused(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *t = restore_target();
	struct cr_test_log tl;

	cr_test_log_init(&tl);
	assert_int_equal(mock_fault_set(t, MOCK_OP_SET_CREDS, 1, EPERM, false),
			 0);
	assert_int_equal(cr_test_restart(t, fd, &tl), -EPERM);
	assert_non_null(strstr(tl.first, "uid 1000 gid 100"));
	assert_non_null(strstr(tl.first, "more privilege"));
	assert_balanced(t);
	mock_mm_free(t);
}

/* ---- task ---- */

static void test_restart_refuses_task_with_two_threads(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, nr_threads, 2);
	expect_rejected_untouched(fd, -ENOSYS, "task", "nr_threads 2");
}

static void test_restart_rejects_task_ngroups_past_bound(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, ngroups, CR_NGROUPS_MAX + 1);
	expect_rejected_untouched(fd, -EINVAL, "task", "ngroups");
}

static void test_restart_rejects_task_ngroups_not_matching_tail(void **state)
{
	int fd = *(int *)*state;

	/* the image has 3 groups */
	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, ngroups, 2);
	expect_rejected_untouched(fd, -EINVAL, "task", "ngroups 2 with 12");
	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, ngroups, 4);
	expect_rejected_untouched(fd, -EINVAL, "task", "ngroups 4 with 12");
}

static void test_restart_rejects_task_comm_without_nul(void **state)
{
	int fd = *(int *)*state;
	char comm[16];

	memset(comm, 'c', sizeof(comm));
	poke(fd, CR_HDR_TASK, 0, offsetof(struct cr_hdr_task, comm), comm,
	     sizeof(comm));
	expect_rejected_untouched(fd, -EINVAL, "task", "comm");
}

static void test_restart_rejects_task_pid_zero(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, pid, 0);
	expect_rejected_untouched(fd, -EINVAL, "task", "pid 0");
}

static void test_restart_rejects_task_pid_above_pid_max(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, pid, (1U << 22) + 1);
	expect_rejected_untouched(fd, -EINVAL, "task", "pid");
	POKE(fd, CR_HDR_TASK, 0, cr_hdr_task, pid, 0x80000000U);
	expect_rejected_untouched(fd, -EINVAL, "task", "pid");
}

/* ---- fs ---- */

static void test_restart_rejects_fs_umask_above_0777(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FS, 0, cr_hdr_fs, umask, 01000);
	expect_rejected(fd, -EINVAL, "fs", "umask");
}

static void test_restart_rejects_fs_cwd_not_absolute(void **state)
{
	int fd = *(int *)*state;
	long fs = cr_test_find_obj(fd, CR_HDR_FS, 0);
	long cwd = cr_test_find_obj(fd, CR_HDR_FNAME, 0);

	/* the cwd is the fname right after the fs object */
	assert_int_equal(cwd, fs + sizeof(struct cr_hdr) +
			      sizeof(struct cr_hdr_fs));
	poke(fd, CR_HDR_FNAME, 0, 0, "t", 1);
	expect_rejected(fd, -EINVAL, "fs", "cwd");
}

static void test_restart_rejects_fs_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_FS, 0, CR_TEST_PID + 1);
	expect_rejected(fd, -EINVAL, "fs", "parent");
}

static void test_restart_rejects_fs_reserved_field(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FS, 0, cr_hdr_fs, _pad, 1);
	expect_rejected(fd, -EINVAL, "fs", "umask");
}

static void test_restart_rejects_image_without_fs(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_type(fd, CR_HDR_FS, 0, CR_HDR_STRING);
	expect_rejected(fd, -EINVAL, "fs expected", "found string");
}

static void test_restart_rejects_fs_without_cwd(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_type(fd, CR_HDR_FNAME, 0, CR_HDR_STRING);
	expect_rejected(fd, -EINVAL, "fname expected", "found string");
}

/* ---- files: fds 0-2 inherited (objrefs 1-3), fd 3 a file, fd 4 its dup */

static void test_restart_rejects_files_nfds_above_the_image(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FILES, 0, cr_hdr_files, nfds, 6);
	expect_rejected(fd, -EINVAL, "fd_ent expected", "found tty");
}

static void test_restart_rejects_files_nfds_below_the_image(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FILES, 0, cr_hdr_files, nfds, 4);
	expect_rejected(fd, -EINVAL, "tty expected", "found fd_ent");
}

static void test_restart_rejects_files_nfds_too_large(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FILES, 0, cr_hdr_files, nfds, CR_NFDS_MAX + 1);
	expect_rejected(fd, -EINVAL, "files", "nfds");
	POKE(fd, CR_HDR_FILES, 0, cr_hdr_files, nfds, 0xffffffffU);
	expect_rejected(fd, -EINVAL, "files", "nfds");
}

static void test_restart_rejects_fd_not_increasing(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_ENT, 1, cr_hdr_fd_ent, fd, 0);
	expect_rejected(fd, -EINVAL, "fd_ent", "fd 0 (after 0)");
}

static void test_restart_rejects_negative_fd(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_ENT, 0, cr_hdr_fd_ent, fd, -2);
	expect_rejected(fd, -EINVAL, "fd_ent", "fd -2");
}

static void test_restart_rejects_fd_type_unknown(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, fd_type, 99);
	expect_rejected(fd, -EINVAL, "fd 3", "fd_type 99");
	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, fd_type, 0);
	expect_rejected(fd, -EINVAL, "fd 3", "fd_type 0");
}

static void test_restart_rejects_inherit_on_fd_above_2(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, fd_type, CR_FD_INHERIT);
	expect_rejected(fd, -EINVAL, "fd 3", "inherit");
}

/* 2008 defect 26: saved f_flags went straight to open() */
static void test_restart_rejects_f_flags_with_o_creat(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, f_flags,
	     O_RDWR | O_APPEND | O_CREAT);
	expect_rejected(fd, -EINVAL, "fd 3", "f_flags");
}

static void test_restart_rejects_f_flags_with_o_trunc(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, f_flags, O_RDWR | O_TRUNC);
	expect_rejected(fd, -EINVAL, "fd 3", "f_flags");
	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, f_flags, O_RDWR | O_EXCL);
	expect_rejected(fd, -EINVAL, "fd 3", "f_flags");
}

static void test_restart_rejects_fd_objref_skipping_ahead(void **state)
{
	int fd = *(int *)*state;

	/* fd 3 opens the fourth file: objref 4; 5 skips one */
	POKE(fd, CR_HDR_FD_ENT, 3, cr_hdr_fd_ent, objref, 5);
	expect_rejected(fd, -EINVAL, "fd 3", "objref 5");
	POKE(fd, CR_HDR_FD_ENT, 3, cr_hdr_fd_ent, objref, 0);
	expect_rejected(fd, -EINVAL, "fd 3", "objref 0");
}

static void test_restart_rejects_close_on_exec_above_1(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_ENT, 4, cr_hdr_fd_ent, close_on_exec, 2);
	expect_rejected(fd, -EINVAL, "fd_ent", "close_on_exec 2");
}

static void test_restart_rejects_fd_data_of_another_file(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_FD_DATA, 3, 3);
	expect_rejected(fd, -EINVAL, "fd 3", "parent 3");
}

static void test_restart_rejects_fd_path_not_absolute(void **state)
{
	int fd = *(int *)*state;
	long data = cr_test_find_obj(fd, CR_HDR_FD_DATA, 3);
	long off = data + sizeof(struct cr_hdr) + sizeof(struct cr_hdr_fd_data);
	struct cr_hdr h;

	cr_test_pread(fd, off, &h, sizeof(h));
	assert_int_equal(h.type, CR_HDR_FNAME);
	cr_test_pwrite(fd, off + sizeof(h), "t", 1);
	expect_rejected(fd, -EINVAL, "fd 3", "not absolute");
}

static void test_restart_rejects_image_without_files(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_type(fd, CR_HDR_FILES, 0, CR_HDR_STRING);
	expect_rejected(fd, -EINVAL, "files expected", "found string");
}

static void test_restart_rejects_files_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_FILES, 0, 1);
	expect_rejected(fd, -EINVAL, "files", "parent 1");
}

static void test_restart_rejects_files_objref_not_the_tasks(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FILES, 0, cr_hdr_files, objref, CR_TEST_PID + 1);
	expect_rejected(fd, -EINVAL, "files", "objref 4243");
}

static void test_restart_rejects_fd_ent_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_FD_ENT, 2, 1);
	expect_rejected(fd, -EINVAL, "fd_ent", "parent 1");
}

static void test_restart_rejects_fd_ent_reserved_field(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_ENT, 2, cr_hdr_fd_ent, _pad, 1);
	expect_rejected(fd, -EINVAL, "fd_ent", "fd 2");
}

static void test_restart_rejects_fd_at_nr_open(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_ENT, 4, cr_hdr_fd_ent, fd, CR_NFDS_MAX);
	expect_rejected(fd, -EINVAL, "fd_ent", "fd 1048576");
}

/* An lseek(2) offset is an off_t: a position past INT64_MAX is not one. */
static void test_restart_rejects_fd_f_pos_above_int64_max(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_FD_DATA, 3, cr_hdr_fd_data, f_pos, (u64)INT64_MAX + 1);
	expect_rejected(fd, -EINVAL, "fd 3", "f_pos 9223372036854775808");
}

static void test_restart_rejects_fd_without_its_path(void **state)
{
	int fd = *(int *)*state;
	long off = fname_after(fd, CR_HDR_FD_DATA, 3);
	u32 type = CR_HDR_STRING;

	cr_test_pwrite(fd, off + offsetof(struct cr_hdr, type), &type,
		       sizeof(type));
	expect_rejected(fd, -EINVAL, "fname expected", "found string");
}

/* ---- sighand, signal, thread ---- */

static void test_restart_rejects_sigkill_with_a_handler(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGHAND, 0, cr_hdr_sighand,
	     action[SIGKILL - 1].handler, 0x401000);
	expect_rejected(fd, -EINVAL, "sighand", "signal 9 has a handler");
}

static void test_restart_rejects_sigstop_ignored(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGHAND, 0, cr_hdr_sighand,
	     action[SIGSTOP - 1].handler, 1 /* SIG_IGN */);
	expect_rejected(fd, -EINVAL, "sighand", "signal 19 has a handler");
}

static void test_restart_rejects_handler_above_user_space(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGHAND, 0, cr_hdr_sighand,
	     action[SIGUSR1 - 1].handler, 0xffffffff81000000ULL);
	expect_rejected(fd, -EINVAL, "sighand", "handler");
}

static void test_restart_rejects_signal_ss_flags_unknown(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGNAL, 0, cr_hdr_signal, ss_flags, 0x100);
	expect_rejected(fd, -EINVAL, "signal", "ss_flags 0x100");
}

static void test_restart_rejects_signal_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_SIGNAL, 0, 1);
	expect_rejected(fd, -EINVAL, "signal", "parent 1");
}

static void test_restart_rejects_thread_rseq_len_16(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, rseq_len, 16);
	expect_rejected(fd, -EINVAL, "thread", "len 16");
}

static void test_restart_rejects_thread_rseq_addr_unaligned(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, rseq_addr, 0x602010);
	expect_rejected(fd, -EINVAL, "thread", "rseq 0x602010");
}

static void test_restart_rejects_sighand_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_SIGHAND, 0, 1);
	expect_rejected(fd, -EINVAL, "sighand", "parent 1");
}

/* sa_flags is an int in the kernel: bits above 32 are not flags. */
static void test_restart_rejects_sigaction_flags_above_32_bits(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGHAND, 0, cr_hdr_sighand, action[SIGINT - 1].flags,
	     1ULL << 32);
	expect_rejected(fd, -EINVAL, "sighand", "signal 2");
}

static void test_restart_rejects_image_without_signal(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_type(fd, CR_HDR_SIGNAL, 0, CR_HDR_STRING);
	expect_rejected(fd, -EINVAL, "signal expected", "found string");
}

static void test_restart_rejects_signal_stop_sig_not_a_stop_signal(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_SIGNAL, 0, cr_hdr_signal, stop_sig, SIGUSR1);
	expect_rejected(fd, -EINVAL, "signal", "stop_sig 10 is not a stop");
}

/* images before stop_sig had zero there: they restore running */
static void test_restart_of_signal_without_stop_sig_leaves_it_running(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *t = restore_target();
	struct cr_sigstate ss;
	struct cr_test_log tl;

	POKE(fd, CR_HDR_SIGNAL, 0, cr_hdr_signal, stop_sig, 0);
	cr_test_fix_csum(fd);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_int_equal(mock_kops.get_sigstate(t, &ss), 0);
	assert_int_equal(ss.stop_sig, 0);
	mock_mm_free(t);
}

static void test_restart_rejects_thread_of_another_task(void **state)
{
	int fd = *(int *)*state;

	poke_hdr_parent(fd, CR_HDR_THREAD, 0, 1);
	expect_rejected(fd, -EINVAL, "thread", "rseq 0x602000");
}

static void test_restart_rejects_thread_rseq_len_past_a_page(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, rseq_len, PAGE_SIZE + 32);
	expect_rejected(fd, -EINVAL, "thread", "len 4128");
}

static void test_restart_rejects_thread_robust_len_not_the_heads(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, robust_len, 25);
	expect_rejected(fd, -EINVAL, "thread", "robust_len 25");
}

static void test_restart_rejects_thread_robust_len_without_a_head(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, robust_list, 0);
	expect_rejected(fd, -EINVAL, "thread", "robust_list 0 robust_len 24");
}

static void test_restart_rejects_thread_robust_list_above_user_space(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, robust_list,
	     CR_TASK_SIZE_MAX);
	expect_rejected(fd, -EINVAL, "thread", "robust_list 0x7ffffffff000");
}

/* a version 2 image: a 24-byte thread object, and no robust list set */
static void test_restart_of_version_2_thread_sets_no_robust_list(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *t = restore_target();
	struct cr_thread_info ti;
	struct cr_test_log tl;

	cr_test_make_v2(fd);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_int_equal(mock_kops.get_thread(t, &ti), 0);
	assert_int_equal(ti.rseq_addr, 0x602000);
	assert_int_equal(ti.robust_list, 0);
	assert_int_equal(ti.robust_len, 0);
	mock_mm_free(t);
}

static void test_restart_rejects_thread_rseq_addr_above_user_space(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, rseq_addr, CR_TASK_SIZE_MAX);
	expect_rejected(fd, -EINVAL, "thread", "rseq 0x7ffffffff000");
}

static void test_restart_rejects_clear_child_tid_above_user_space(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, clear_child_tid,
	     0xffff800000000000ULL);
	expect_rejected(fd, -EINVAL, "thread", "clear_child_tid 0xffff8");
}

/* No rseq registered: rseq_len 0, and the address is not looked at. */
static void test_restart_of_a_thread_without_rseq_registers_none(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *t = restore_target();
	struct cr_thread_info ti;
	struct cr_test_log tl;

	POKE(fd, CR_HDR_THREAD, 0, cr_hdr_thread, rseq_len, 0);
	cr_test_fix_csum(fd);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_int_equal(mock_kops.get_thread(t, &ti), 0);
	assert_int_equal(ti.rseq_len, 0);
	assert_balanced(t);
	mock_mm_free(t);
}

/* ---- the tail ---- */

/* The file offset of the first page of data of the image. */
static long first_page_data(int fd)
{
	struct cr_hdr_pgarr p;
	struct cr_hdr h;
	unsigned int nth;
	long off;

	for (nth = 0; (off = cr_test_find_obj(fd, CR_HDR_PGARR, nth)) >= 0;
	     nth++) {
		cr_test_pread(fd, off, &h, sizeof(h));
		cr_test_pread(fd, off + sizeof(h), &p, sizeof(p));
		if (p.nr_pages)
			return PAGE_ALIGN((unsigned long)off + sizeof(h) +
					  h.len);
	}
	fail_msg("no page data in the image");
	return -1;
}

static void test_restart_flipped_page_byte_fails_the_checksum(void **state)
{
	int fd = *(int *)*state;
	long off = first_page_data(fd) + 100;
	struct cr_test_log tl;
	u8 b;

	cr_test_pread(fd, off, &b, 1);
	b ^= 0x10;
	cr_test_pwrite(fd, off, &b, 1);
	assert_int_equal(restore(fd, &tl), -EBADMSG);
	assert_non_null(strstr(tl.first, "tail"));
	assert_non_null(strstr(tl.first, "checksum"));
	assert_non_null(strstr(tl.first, "corrupt"));
}

static void test_restart_rejects_tail_magic(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TAIL, 0, cr_hdr_tail, magic, CR_TAIL_MAGIC ^ 1);
	expect_rejected(fd, -EINVAL, "tail", "magic");
}

static void test_restart_rejects_tail_size(void **state)
{
	int fd = *(int *)*state;

	POKE(fd, CR_HDR_TAIL, 0, cr_hdr_tail, size, 4096);
	expect_rejected(fd, -EINVAL, "tail", "size 4096");
}

static void test_restart_rejects_tail_object_checksum(void **state)
{
	int fd = *(int *)*state;
	struct cr_test_log tl;
	long off = cr_test_find_obj(fd, CR_HDR_TAIL, 0);
	struct cr_hdr_tail hh;

	assert_true(off >= 0);
	memcpy(&hh, good_image + off + sizeof(struct cr_hdr), sizeof(hh));
	POKE(fd, CR_HDR_TAIL, 0, cr_hdr_tail, meta_csum, hh.meta_csum ^ 1);
	assert_int_equal(restore(fd, &tl), -EBADMSG);
	assert_non_null(strstr(tl.first, "object checksum"));
}

static void test_restart_rejects_bytes_after_the_tail(void **state)
{
	int fd = *(int *)*state;
	struct cr_test_log tl;

	cr_test_pwrite(fd, good_size, "", 1);
	assert_int_equal(restore(fd, &tl), -EINVAL);
	assert_non_null(strstr(tl.first, "tail"));
	assert_non_null(strstr(tl.first, "after the end"));
}

/*
 * An image cut anywhere is refused with -EIO, never a crash, and leaves
 * the mock balanced. Cut from the end down so the file is written once.
 */
static void test_restart_truncated_every_97_bytes_gives_eio(void **state)
{
	int fd = *(int *)*state;
	struct cr_test_log tl;
	long cut, n = 0;
	int ret;

	for (cut = good_size - 1; cut >= 0; cut -= 97, n++) {
		assert_int_equal(ftruncate(fd, cut), 0);
		ret = restore(fd, &tl);
		if (ret != -EIO)
			fail_msg("image cut at %ld of %ld: restore gave %d "
				 "(%s)", cut, good_size, ret, tl.first);
	}
	assert_true(n > 100);
}

/* What of the good image holds byte @off: "pgarr page data", "vma"... */
static void region_of(long off, char *buf, size_t n)
{
	long at = 0, next;
	struct cr_hdr h;

	while (at + (long)sizeof(h) <= good_size) {
		memcpy(&h, good_image + at, sizeof(h));
		next = at + sizeof(h) + h.len;
		if (off < next) {
			snprintf(buf, n, "%s", cr_hdr_type_name(h.type));
			return;
		}
		if (h.type == CR_HDR_PGARR && h.len >= 8) {
			u64 nr;

			memcpy(&nr, good_image + at + sizeof(h), sizeof(nr));
			if (nr) {
				next = PAGE_ALIGN((unsigned long)next);
				if (off < next) {
					snprintf(buf, n, "pgarr pad");
					return;
				}
				next += nr * PAGE_SIZE;
				if (off < next) {
					snprintf(buf, n, "pgarr page data");
					return;
				}
			}
		}
		at = next;
	}
	snprintf(buf, n, "?");
}

/* ... and logs an error for it, wherever the cut is. */
static void test_restart_truncated_anywhere_logs_an_error(void **state)
{
	int fd = *(int *)*state;
	struct cr_test_log tl;
	char silent[1024] = "", where[32], last[32] = "";
	size_t len = 0;
	long cut, nr_silent = 0;

	for (cut = good_size - 1; cut >= 0; cut -= 97) {
		assert_int_equal(ftruncate(fd, cut), 0);
		assert_int_equal(restore(fd, &tl), -EIO);
		if (tl.nr_err)
			continue;
		nr_silent++;
		region_of(cut, where, sizeof(where));
		if (strcmp(where, last) && len < sizeof(silent) - 64)
			len += snprintf(silent + len, sizeof(silent) - len,
					" %ld (in %s)", cut, where);
		strcpy(last, where);
	}
	if (nr_silent)
		fail_msg("%ld of %ld cuts give -EIO with no message, e.g.%s",
			 nr_silent, good_size / 97 + 1, silent);
}

/* ---- what a good restore gives back ---- */

static void get_fd(struct cr_target *t, int from, struct cr_fd_info *info)
{
	assert_int_equal(mock_kops.next_fd(t, from, info), 0);
}

static void test_restart_restores_files_with_dups_and_cloexec(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *t = restore_target();
	struct cr_fd_info *a = calloc(1, sizeof(*a));
	struct cr_fd_info *b = calloc(1, sizeof(*b));
	struct cr_hdr_fd_ent e3, e4;
	struct cr_test_log tl;
	int i;

	assert_true(a && b);
	/* in the image, fd 4 names fd 3's open file and has no fd_data */
	assert_int_equal(cr_test_find_obj(fd, CR_HDR_FD_DATA, 4), -1);
	cr_test_pread(fd, cr_test_find_obj(fd, CR_HDR_FD_ENT, 3) +
		      sizeof(struct cr_hdr), &e3, sizeof(e3));
	cr_test_pread(fd, cr_test_find_obj(fd, CR_HDR_FD_ENT, 4) +
		      sizeof(struct cr_hdr), &e4, sizeof(e4));
	assert_int_equal(e3.fd, 3);
	assert_int_equal(e4.fd, 4);
	assert_int_equal(e4.objref, e3.objref);

	cr_test_log_init(&tl);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_balanced(t);

	for (i = 0; i < 3; i++) {
		get_fd(t, i, a);
		assert_int_equal(a->fd, i);
		assert_int_equal(a->fd_type, CR_FD_INHERIT);
		assert_int_equal(a->close_on_exec, 0);
	}
	get_fd(t, 3, a);
	assert_int_equal(a->fd, 3);
	assert_int_equal(a->fd_type, CR_FD_FILE);
	assert_string_equal(a->path, "/tmp/work/data.log");
	assert_int_equal(a->f_flags, O_RDWR | O_APPEND);
	assert_int_equal(a->f_pos, 1234);
	assert_int_equal(a->close_on_exec, 0);
	assert_int_equal(a->dup_of, -1);

	get_fd(t, 4, b);
	assert_int_equal(b->fd, 4);
	assert_int_equal(b->dup_of, 3);
	assert_int_equal(b->ofd_key, a->ofd_key);	/* one open file */
	assert_int_equal(b->close_on_exec, 1);		/* per fd, kept */
	assert_string_equal(b->path, a->path);

	assert_int_equal(mock_kops.next_fd(t, 5, b), -ENOENT);
	free(b);
	free(a);
	mock_mm_free(t);
}

static void test_restart_closes_std_fds_missing_from_the_image(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *src = test_process(), *t;
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	struct cr_test_log tl;

	assert_non_null(info);
	cr_test_log_init(&tl);
	assert_int_equal(mock_kops.close_fd(src, 1), 0);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);

	t = restore_target();		/* 0, 1 and 2 open */
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_balanced(t);
	get_fd(t, 0, info);
	assert_int_equal(info->fd, 0);
	get_fd(t, 1, info);
	assert_int_equal(info->fd, 2);	/* 1 was closed */
	assert_int_equal(mock_kops.close_fd(t, 1), -EBADF);

	free(info);
	mock_mm_free(t);
	mock_mm_free(src);
}

/* An fd 1 the image lacks and the target lacks too: nothing to close. */
static void test_restart_std_fd_missing_from_both_is_no_error(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *src = test_process(), *t;
	struct cr_fd_info *info = calloc(1, sizeof(*info));
	struct cr_test_log tl;

	assert_non_null(info);
	cr_test_log_init(&tl);
	assert_int_equal(mock_kops.close_fd(src, 1), 0);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);

	t = restore_target();
	assert_int_equal(mock_kops.close_fd(t, 1), 0);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);	/* -EBADF: fine */
	assert_balanced(t);
	get_fd(t, 1, info);
	assert_int_equal(info->fd, 2);
	free(info);
	mock_mm_free(t);
	mock_mm_free(src);
}

/* Closing an fd 0-2 the image lacks fails: the restore says which. */
static void test_restart_reports_a_failed_close_of_a_std_fd(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *src = test_process(), *t;
	struct cr_test_log tl;

	cr_test_log_init(&tl);
	assert_int_equal(mock_kops.close_fd(src, 1), 0);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);

	t = restore_target();
	assert_int_equal(mock_fault_set(t, MOCK_OP_CLOSE_FD, 1, EIO, false), 0);
	assert_int_equal(cr_test_restart(t, fd, &tl), -EIO);
	assert_non_null(strstr(tl.first, "closing fd 1"));
	assert_balanced(t);
	mock_mm_free(t);
	mock_mm_free(src);
}

static void test_restart_restores_task_state_equal(void **state)
{
	int fd = *(int *)*state;
	struct cr_target *src = test_process(), *t = restore_target();
	struct cr_sigaction sa, sb;
	struct cr_sigstate ssa, ssb;
	struct cr_thread_info ta, tb;
	struct cr_creds ca, cb;
	char *cwda = malloc(CR_FNAME_MAX), *cwdb = malloc(CR_FNAME_MAX);
	u32 ua, ub;
	struct cr_test_log tl;
	int sig;

	assert_true(cwda && cwdb);
	cr_test_log_init(&tl);
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_balanced(t);

	for (sig = 1; sig <= CR_NSIG; sig++) {
		assert_int_equal(mock_kops.get_sigaction(src, sig, &sa), 0);
		assert_int_equal(mock_kops.get_sigaction(t, sig, &sb), 0);
		assert_memory_equal(&sa, &sb, sizeof(sa));
	}
	assert_int_equal(mock_kops.get_sigaction(t, SIGUSR1, &sb), 0);
	assert_int_equal(sb.handler, 0x401000);

	assert_int_equal(mock_kops.get_sigstate(src, &ssa), 0);
	assert_int_equal(mock_kops.get_sigstate(t, &ssb), 0);
	assert_int_equal(ssb.blocked, 1ULL << (SIGTERM - 1));
	assert_int_equal(ssa.blocked, ssb.blocked);
	assert_int_equal(ssa.ss_sp, ssb.ss_sp);
	assert_int_equal(ssa.ss_size, ssb.ss_size);
	assert_int_equal(ssa.ss_flags, ssb.ss_flags);
	assert_int_equal(ssb.stop_sig, SIGTSTP);

	assert_int_equal(mock_kops.get_thread(src, &ta), 0);
	assert_int_equal(mock_kops.get_thread(t, &tb), 0);
	assert_int_equal(tb.rseq_addr, 0x602000);
	assert_int_equal(tb.robust_list, 0x602040);
	assert_memory_equal(&ta, &tb, sizeof(ta));

	assert_int_equal(mock_kops.get_creds(src, &ca), 0);
	assert_int_equal(mock_kops.get_creds(t, &cb), 0);
	assert_int_equal(cb.pid, CR_TEST_PID);
	assert_int_equal(cb.uid, 1000);
	assert_int_equal(ca.euid, cb.euid);
	assert_int_equal(ca.suid, cb.suid);
	assert_int_equal(ca.fsuid, cb.fsuid);
	assert_int_equal(ca.gid, cb.gid);
	assert_int_equal(ca.egid, cb.egid);
	assert_int_equal(ca.sgid, cb.sgid);
	assert_int_equal(ca.fsgid, cb.fsgid);
	assert_int_equal(ca.personality, cb.personality);
	assert_int_equal(ca.cap_inheritable, cb.cap_inheritable);
	assert_int_equal(ca.cap_permitted, cb.cap_permitted);
	assert_int_equal(ca.cap_effective, cb.cap_effective);
	assert_int_equal(ca.cap_bset, cb.cap_bset);
	assert_int_equal(ca.cap_ambient, cb.cap_ambient);
	assert_string_equal(cb.comm, "testproc");
	assert_int_equal(cb.ngroups, 3);
	assert_memory_equal(ca.groups, cb.groups, 3 * sizeof(u32));
	free(ca.groups);
	free(cb.groups);

	assert_int_equal(mock_kops.get_fs(t, &ub, cwdb, CR_FNAME_MAX), 0);
	assert_int_equal(mock_kops.get_fs(src, &ua, cwda, CR_FNAME_MAX), 0);
	assert_int_equal(ub, 022);
	assert_int_equal(ua, ub);
	assert_string_equal(cwdb, "/tmp/work");

	free(cwdb);
	free(cwda);
	mock_mm_free(t);
	mock_mm_free(src);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_restart_of_the_good_image_succeeds),
		T(test_restart_rejects_head_magic),
		T(test_restart_rejects_head_version),
		T(test_restart_rejects_head_arch),
		T(test_restart_rejects_head_page_size),
		T(test_restart_rejects_head_flags),
		T(test_restart_rejects_head_release_without_nul),
		T(test_restart_rejects_head_machine_without_nul),
		T(test_restart_rejects_image_not_starting_with_head),
		T(test_restart_of_an_image_from_another_release_notes_it),
		T(test_restart_says_why_credentials_are_refused),
		T(test_restart_refuses_task_with_two_threads),
		T(test_restart_rejects_task_ngroups_past_bound),
		T(test_restart_rejects_task_ngroups_not_matching_tail),
		T(test_restart_rejects_task_comm_without_nul),
		T(test_restart_rejects_task_pid_zero),
		T(test_restart_rejects_task_pid_above_pid_max),
		T(test_restart_rejects_fs_umask_above_0777),
		T(test_restart_rejects_fs_cwd_not_absolute),
		T(test_restart_rejects_fs_of_another_task),
		T(test_restart_rejects_fs_reserved_field),
		T(test_restart_rejects_image_without_fs),
		T(test_restart_rejects_fs_without_cwd),
		T(test_restart_rejects_files_nfds_above_the_image),
		T(test_restart_rejects_files_nfds_below_the_image),
		T(test_restart_rejects_files_nfds_too_large),
		T(test_restart_rejects_fd_not_increasing),
		T(test_restart_rejects_negative_fd),
		T(test_restart_rejects_fd_type_unknown),
		T(test_restart_rejects_inherit_on_fd_above_2),
		T(test_restart_rejects_f_flags_with_o_creat),
		T(test_restart_rejects_f_flags_with_o_trunc),
		T(test_restart_rejects_fd_objref_skipping_ahead),
		T(test_restart_rejects_close_on_exec_above_1),
		T(test_restart_rejects_fd_data_of_another_file),
		T(test_restart_rejects_fd_path_not_absolute),
		T(test_restart_rejects_image_without_files),
		T(test_restart_rejects_files_of_another_task),
		T(test_restart_rejects_files_objref_not_the_tasks),
		T(test_restart_rejects_fd_ent_of_another_task),
		T(test_restart_rejects_fd_ent_reserved_field),
		T(test_restart_rejects_fd_at_nr_open),
		T(test_restart_rejects_fd_f_pos_above_int64_max),
		T(test_restart_rejects_fd_without_its_path),
		T(test_restart_rejects_sigkill_with_a_handler),
		T(test_restart_rejects_sigstop_ignored),
		T(test_restart_rejects_handler_above_user_space),
		T(test_restart_rejects_signal_ss_flags_unknown),
		T(test_restart_rejects_signal_of_another_task),
		T(test_restart_rejects_thread_rseq_len_16),
		T(test_restart_rejects_thread_rseq_addr_unaligned),
		T(test_restart_rejects_sighand_of_another_task),
		T(test_restart_rejects_sigaction_flags_above_32_bits),
		T(test_restart_rejects_image_without_signal),
		T(test_restart_rejects_signal_stop_sig_not_a_stop_signal),
		T(test_restart_of_signal_without_stop_sig_leaves_it_running),
		T(test_restart_rejects_thread_of_another_task),
		T(test_restart_rejects_thread_rseq_len_past_a_page),
		T(test_restart_rejects_thread_rseq_addr_above_user_space),
		T(test_restart_rejects_thread_robust_len_not_the_heads),
		T(test_restart_rejects_thread_robust_len_without_a_head),
		T(test_restart_rejects_thread_robust_list_above_user_space),
		T(test_restart_of_version_2_thread_sets_no_robust_list),
		T(test_restart_rejects_clear_child_tid_above_user_space),
		T(test_restart_of_a_thread_without_rseq_registers_none),
		T(test_restart_flipped_page_byte_fails_the_checksum),
		T(test_restart_rejects_tail_magic),
		T(test_restart_rejects_tail_size),
		T(test_restart_rejects_tail_object_checksum),
		T(test_restart_rejects_bytes_after_the_tail),
		T(test_restart_truncated_every_97_bytes_gives_eio),
		T(test_restart_truncated_anywhere_logs_an_error),
		T(test_restart_restores_files_with_dups_and_cloexec),
		T(test_restart_closes_std_fds_missing_from_the_image),
		T(test_restart_std_fd_missing_from_both_is_no_error),
		T(test_restart_reports_a_failed_close_of_a_std_fd),
		T(test_restart_restores_task_state_equal),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
