// SPDX-License-Identifier: GPL-2.0
/*
 * The processes crbench starts: spawned with fds 0-2 only, tracked until
 * they are reaped so that any exit of crbench kills them, and waited for
 * with a bound. Also the line reader for the workload's pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crbench.h"

#define MAX_TRACKED 64

static volatile pid_t tracked[MAX_TRACKED];

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * bench_track() - remember a process to kill if crbench ends early
 * @pid: a process crbench started (or a restored one it adopted)
 */
void bench_track(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_TRACKED; i++) {
		if (!tracked[i]) {
			tracked[i] = pid;
			return;
		}
	}
	/* more live children than any run has: a bug in crbench */
	fprintf(stderr, "crbench: too many processes to track\n");
	kill(pid, SIGKILL);
	abort();
}

/**
 * bench_untrack() - forget a process once it has been reaped
 * @pid: a tracked process
 */
void bench_untrack(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == pid)
			tracked[i] = 0;
}

/**
 * bench_kill_tracked() - SIGKILL every tracked process
 *
 * Context: async-signal-safe; called from atexit and the fatal-signal
 * handler.
 */
void bench_kill_tracked(void)
{
	int i;

	for (i = 0; i < MAX_TRACKED; i++) {
		if (tracked[i] > 0)
			kill(tracked[i], SIGKILL);
		tracked[i] = 0;
	}
}

/**
 * bench_spawn() - start a program with the given fds 0-2 and no other fd
 * @argv: the program and its arguments; argv[0] is a path
 * @fd0: its stdin
 * @fd1: its stdout
 * @fd2: its stderr
 *
 * crrun refuses to save fds it does not support (pipes above fd 2, say),
 * so nothing of crbench's may leak into a workload.
 *
 * Return: the child's pid (tracked), or -errno.
 */
pid_t bench_spawn(char *const argv[], int fd0, int fd1, int fd2)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0)
			_exit(126);
		syscall(SYS_close_range, 3U, ~0U, 0U);
		execv(argv[0], argv);
		dprintf(2, "crbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	bench_track(pid);
	return pid;
}

/**
 * bench_wait() - wait for a child to end, at most @timeout_ms
 * @pid: a child of crbench's
 * @timeout_ms: the bound; the child is killed when it runs out
 * @status: its wait status
 * @ru: its resource usage (ru_maxrss: its peak RSS), or NULL
 *
 * Return: 0, or -ETIMEDOUT (the child was killed and reaped), or -errno.
 */
int bench_wait(pid_t pid, int timeout_ms, int *status, struct rusage *ru)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), ret = 0;
	struct pollfd pfd;
	struct rusage ignored;

	if (pidfd < 0)
		return -errno;
	pfd = (struct pollfd){.fd = pidfd, .events = POLLIN};
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		kill(pid, SIGKILL);
		ret = -ETIMEDOUT;
	} else {
		ret = ret < 0 ? -errno : 0;
	}
	close(pidfd);
	while (wait4(pid, status, 0, ru ? ru : &ignored) < 0) {
		if (errno != EINTR)
			return ret ? ret : -errno;
	}
	bench_untrack(pid);
	return ret;
}

/**
 * bench_kill_wait() - SIGKILL a child, reap it, wait until its pid is free
 * @pid: a child of crbench's (original or adopted)
 * @timeout_ms: the bound on each of the two waits
 *
 * This VM's init reaps lazily and a restore needs the pid back, so "dead"
 * means /proc/PID is gone, not just that kill() returned.
 *
 * Return: 0, or -ETIMEDOUT, or -errno.
 */
int bench_kill_wait(pid_t pid, int timeout_ms)
{
	int status, ret;

	kill(pid, SIGKILL);
	ret = bench_wait(pid, timeout_ms, &status, NULL);
	if (ret && ret != -ECHILD)
		return ret;
	bench_untrack(pid);
	return bench_wait_gone(pid, timeout_ms);
}

/**
 * bench_wait_gone() - wait until no process has @pid
 * @pid: the pid
 * @timeout_ms: the bound
 *
 * Return: 0, or -ETIMEDOUT.
 */
int bench_wait_gone(pid_t pid, int timeout_ms)
{
	uint64_t end = bench_now_ns() + (uint64_t)timeout_ms * 1000000;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	while (access(path, F_OK) == 0) {
		if (bench_now_ns() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/**
 * bench_read_line() - the next line from a workload's pipe
 * @lr: the reader (fd and buffer)
 * @line: where the line goes, without its newline
 * @size: the size of @line
 * @timeout_ms: the bound on the whole wait
 *
 * Return: 1 with a line, 0 at end of file, -ETIMEDOUT, or -errno.
 */
int bench_read_line(struct bench_lines *lr, char *line, size_t size,
		    int timeout_ms)
{
	uint64_t end = bench_now_ns() + (uint64_t)timeout_ms * 1000000;

	for (;;) {
		char *nl = memchr(lr->buf, '\n', lr->len);
		struct pollfd pfd = {.fd = lr->fd, .events = POLLIN};
		uint64_t now = bench_now_ns();
		ssize_t n;
		int ret;

		if (nl) {
			size_t l = nl - lr->buf;

			snprintf(line, size, "%.*s", (int)l, lr->buf);
			memmove(lr->buf, nl + 1, lr->len - l - 1);
			lr->len -= l + 1;
			return 1;
		}
		if (lr->len == sizeof(lr->buf))
			return -EOVERFLOW;
		if (now >= end)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, (int)((end - now) / 1000000) + 1);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = read(lr->fd, lr->buf + lr->len, sizeof(lr->buf) - lr->len);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n == 0)
			return 0;
		if (n > 0)
			lr->len += n;
	}
}

/**
 * bench_help_lists() - whether `crrun CMD --help` mentions an option
 * @crrun: the crrun binary
 * @cmd: the command ("restore")
 * @opt: the option as its help spells it ("--lazy")
 * @timeout_ms: the bound on the whole call
 *
 * The benchmark runs against crrun before and after an option lands: an
 * option this crrun lacks is reported as "n/a", not as a failure.
 *
 * Return: 1 if some line of the help has @opt, 0 if none, or -errno.
 */
int bench_help_lists(const char *crrun, const char *cmd, const char *opt,
		     int timeout_ms)
{
	char *argv[] = {(char *)crrun, (char *)cmd, "--help", NULL};
	struct bench_lines lr = {.fd = -1};
	int pfd[2], null, status, ret, wret, found = 0;
	char line[512];
	pid_t pid;

	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		return -errno;
	if (pipe2(pfd, O_CLOEXEC)) {
		ret = -errno;
		goto out_close_null;
	}
	pid = bench_spawn(argv, null, pfd[1], pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		ret = pid;
		goto out_close_pipe;
	}
	lr.fd = pfd[0];
	while ((ret = bench_read_line(&lr, line, sizeof(line), timeout_ms)) > 0)
		if (strstr(line, opt))
			found = 1;
	wret = bench_wait(pid, timeout_ms, &status, NULL);
	if (!ret)
		ret = wret ? wret : found;
out_close_pipe:
	close(pfd[0]);
out_close_null:
	close(null);
	return ret;
}
