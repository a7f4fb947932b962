// SPDX-License-Identifier: GPL-2.0
/*
 * Replays the fuzz harness over saved inputs without libFuzzer, as a unit
 * test: every file named (or every file in each directory named) goes
 * through LLVMFuzzerTestOneInput, which aborts on an unbalanced mock or
 * hbuf; the sanitizer and valgrind runs of this test catch the rest.
 * tests/fuzz/regress/ holds inputs the fuzzer kept for the coverage they
 * reach; an input that ever crashed crrun goes there too.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/compat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir, unsigned int *nr)
{
	char path[4096];
	struct dirent *d;
	DIR *dp = opendir(dir);
	int ret = 0;

	if (!dp) {
		ret = replay_file(dir);	/* a file, not a directory */
		if (!ret)
			++*nr;
		return ret;
	}
	while (!ret && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		ret = replay_file(path);
		if (!ret)
			++*nr;
		else
			fprintf(stderr, "replay: %s: %s\n", path, strerror(-ret));
	}
	closedir(dp);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int nr = 0;
	int i;

	for (i = 1; i < argc; i++)
		if (replay_dir(argv[i], &nr))
			return 1;
	if (!nr) {
		fprintf(stderr, "replay: no input\n");
		return 1;
	}
	printf("replay: %u inputs, no crash, mock and hbuf balanced\n", nr);
	return 0;
}
