// SPDX-License-Identifier: GPL-2.0
/*
 * A process checkpointed in the middle of a blocking system call carries
 * on correctly after restore. The mode says which call:
 *
 *   rel    nanosleep(2 s): the kernel cannot carry its restart block, so
 *          restore may end it with EINTR; retried as glibc callers do, the
 *          whole sleep still lasts at least 2 s.
 *   abs    clock_nanosleep(TIMER_ABSTIME): restarted, never EINTR.
 *   read   read(0) on a pipe: restarted, then reads what run_one.sh writes
 *          into the stdin of `crrun restore` ("hello").
 *   pause  pause(): still waiting after restore; returns EINTR once the
 *          SIGUSR1 that run_one.sh sends has run its handler.
 */
#include <signal.h>

#include "crt.h"

#define SLEEP_NS	(2 * 1000000000LL)

static volatile int usr1_runs;

static void on_usr1(int sig)
{
	usr1_runs++;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ns_to_ts(long long ns)
{
	struct timespec ts = { ns / 1000000000LL, ns % 1000000000LL };

	return ts;
}

static void sleep_relative(void)
{
	long long t0 = now_ns(), left = SLEEP_NS;
	int eintr = 0;

	crt_say("ready\n");
	while (left > 0) {
		struct timespec ts = ns_to_ts(left);

		if (nanosleep(&ts, NULL) && errno == EINTR)
			eintr++;
		left = t0 + SLEEP_NS - now_ns();
	}
	crt_check(now_ns() - t0 >= SLEEP_NS, "slept too little");
	crt_check(now_ns() - t0 < 30 * 1000000000LL, "slept too long");
	fprintf(stderr, "nanosleep: %d EINTR\n", eintr);
}

static void sleep_absolute(void)
{
	long long t0 = now_ns();
	struct timespec until = ns_to_ts(t0 + SLEEP_NS);
	int ret;

	crt_say("ready\n");
	ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	crt_check(ret == 0, "clock_nanosleep: %s", strerror(ret));
	crt_check(now_ns() - t0 >= SLEEP_NS, "slept too little");
}

static void read_pipe(void)
{
	char buf[64] = "";
	ssize_t n;

	crt_say("ready\n");
	n = read(STDIN_FILENO, buf, sizeof(buf) - 1);
	crt_check(n == 6 && !memcmp(buf, "hello\n", 6), "read returned %zd "
		  "'%s' (%s)", n, n > 0 ? buf : "", n < 0 ? strerror(errno) :
		  "");
}

static void wait_signal(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int ret;

	crt_setup(!sigaction(SIGUSR1, &sa, NULL));
	crt_say("ready\n");
	ret = pause();
	crt_check(ret == -1 && errno == EINTR, "pause returned %d", ret);
	crt_check(usr1_runs == 1, "SIGUSR1 ran %d times", usr1_runs);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "rel"))
		sleep_relative();
	else if (!strcmp(mode, "abs"))
		sleep_absolute();
	else if (!strcmp(mode, "read"))
		read_pipe();
	else if (!strcmp(mode, "pause"))
		wait_signal();
	else {
		fprintf(stderr, "usage: %s rel|abs|read|pause\n", argv[0]);
		return 2;
	}
	return crt_done();
}
