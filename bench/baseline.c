// SPDX-License-Identifier: GPL-2.0
/*
 * What the memory and the file system of this machine do with the same
 * bytes, without crrun: the figures crrun's times are held against. They
 * are measured in a child process, so that crbench itself stays small and
 * every mapping is gone when it exits.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crbench.h"

#define WRITE_CHUNK (8UL << 20)
#define HPAGE	    (2UL << 20)

static double since_s(uint64_t t0)
{
	return (bench_now_ns() - t0) / 1e9;
}

static void *map_touched(uint64_t bytes, int c)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	memset(p, c, bytes);
	return p;
}

static double time_write(const char *dir, const void *src, uint64_t bytes,
			 bool sync)
{
	char path[4200];
	uint64_t t0, done;
	double s;
	int fd;

	snprintf(path, sizeof(path), "%s/baseline.write", dir);
	t0 = bench_now_ns();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return BENCH_NONE;
	for (done = 0; done < bytes;) {
		size_t n =
			bytes - done < WRITE_CHUNK ? bytes - done : WRITE_CHUNK;
		ssize_t w = write(fd, (const char *)src + done, n);

		if (w <= 0)
			break;
		done += w;
	}
	if (sync && fsync(fd))
		done = 0;
	close(fd);
	s = since_s(t0);
	unlink(path);
	return done == bytes ? s : BENCH_NONE;
}

/* mmap + memcpy into pages that do not exist yet; munmap not timed */
static double time_fresh(const void *src, uint64_t bytes, int how)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t len = bytes, t0;
	char *p, *dst;
	double s;

	if (how == 'p')
		flags |= MAP_POPULATE;
	if (how == 'h')
		len += HPAGE; /* room to align to a huge page */
	t0 = bench_now_ns();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return BENCH_NONE;
	dst = p;
	if (how == 'h') {
		dst = (char *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));
		madvise(dst, bytes, MADV_HUGEPAGE);
	} else if (how == 'f') {
		madvise(dst, bytes, MADV_NOHUGEPAGE);
	}
	memcpy(dst, src, bytes);
	s = since_s(t0);
	munmap(p, len);
	return s;
}

static int measure_in_child(const char *dir, uint64_t bytes,
			    struct bench_baseline *b)
{
	char *src = map_touched(bytes, 0x5a), *dst = map_touched(bytes, 0);
	uint64_t t0;

	if (!src || !dst)
		return -ENOMEM;
	t0 = bench_now_ns();
	memcpy(dst, src, bytes);
	b->memcpy_s = since_s(t0);
	munmap(dst, bytes);

	/*
	 * Twice: on this VM a freed page goes back to the host, and the
	 * first write into new page cache often pays for that (see
	 * docs/PERFORMANCE.md); the second reuses the pages the first freed.
	 */
	b->write_s = time_write(dir, src, bytes, false);
	b->rewrite_s = time_write(dir, src, bytes, false);
	b->fsync_s = time_write(dir, src, bytes, true);
	b->fresh_s = time_fresh(src, bytes, 'f');
	b->populate_s = time_fresh(src, bytes, 'p');
	b->thp_s = time_fresh(src, bytes, 'h');
	return 0;
}

/**
 * bench_measure_baseline() - time the baselines over @bytes, in a child
 * @o: the options (the directory for the file write, the step bound)
 * @bytes: how many bytes
 * @b: the figures, BENCH_NONE where one failed
 *
 * Return: 0, or -errno if the child failed or ran out of time.
 */
int bench_measure_baseline(const struct bench_opts *o, uint64_t bytes,
			   struct bench_baseline *b)
{
	struct bench_baseline got;
	int pfd[2], status, ret;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_close_pipe;
	}
	if (pid == 0) {
		close(pfd[0]);
		ret = measure_in_child(o->workdir, bytes, &got);
		if (ret || write(pfd[1], &got, sizeof(got)) != sizeof(got))
			_exit(1);
		_exit(0);
	}
	bench_track(pid);
	close(pfd[1]);
	pfd[1] = -1;
	ret = bench_wait(pid, o->timeout_s * 1000, &status, NULL);
	if (ret)
		goto out_close_pipe;
	n = read(pfd[0], &got, sizeof(got));
	if (!WIFEXITED(status) || WEXITSTATUS(status) || n != sizeof(got)) {
		ret = -EIO;
		goto out_close_pipe;
	}
	*b = got;
out_close_pipe:
	close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return ret;
}
