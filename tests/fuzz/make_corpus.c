// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzer's seed images: checkpoints of the unit tests' standard
 * mock process, whole and cut down, into the directory given.
 *
 *   make_corpus DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/cr_test.h"

static void copy_image(int fd, const char *dir, const char *name, long len)
{
	char path[4096];
	char *buf = malloc(len);
	int out;

	assert_non_null(buf);
	cr_test_pread(fd, 0, buf, len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	assert_int_equal(write(out, buf, len), len);
	close(out);
	free(buf);
}

static void write_corpus(void **state)
{
	const char *dir = *state;
	struct cr_test_log tl;
	struct cr_target *t;
	int fd = cr_test_image_fd();

	cr_test_log_init(&tl);
	t = cr_test_mock_process();
	assert_int_equal(cr_test_checkpoint(t, fd, &tl), 0);
	copy_image(fd, dir, "mock-process.img", cr_test_image_size(fd));
	/* up to the first page data: the objects, small and quick to mutate */
	copy_image(fd, dir, "mock-process-head.img",
		   cr_test_find_obj(fd, CR_HDR_PGARR, 0) + 24);
	mock_mm_free(t);
	close(fd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(write_corpus, argc > 1 ? argv[1] : "."),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
