/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every integration test program shares. A program sets up its state,
 * says "ready" on stdout, and waits (polling, 10 ms) for the file named by
 * $CR_GO: it is checkpointed while it waits. Then it checks its state,
 * prints "ok" or what differs, and exits 0 or 1. run_one.sh drives it.
 */
#ifndef _CRT_H
#define _CRT_H

#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int crt_failures;

#define crt_fail(fmt, ...)                                                  \
	do {                                                                \
		fprintf(stderr, "FAIL %s:%d: " fmt "\n", __FILE__, __LINE__,\
			##__VA_ARGS__);                                     \
		crt_failures++;                                             \
	} while (0)

#define crt_check(cond, fmt, ...)                                           \
	do {                                                                \
		if (!(cond))                                                \
			crt_fail("%s: " fmt, #cond, ##__VA_ARGS__);         \
	} while (0)

/* A setup step that must work, or the test cannot mean anything. */
#define crt_setup(cond)                                                     \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "SETUP %s:%d: %s: %s\n", __FILE__,  \
				__LINE__, #cond, strerror(errno));          \
			exit(2);                                            \
		}                                                           \
	} while (0)

static inline const char *crt_go_path(void)
{
	const char *go = getenv("CR_GO");

	if (!go || !*go) {
		fprintf(stderr, "SETUP: CR_GO is not set\n");
		exit(2);
	}
	return go;
}

/* A file name in the test's own directory (the one of $CR_GO). */
static inline const char *crt_path(const char *name)
{
	static char buf[16][4096];
	static int n;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", crt_go_path());
	n = (n + 1) % 16;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", dirname(dir), name);
	return buf[n];
}

static inline void crt_say(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		exit(2);
}

static inline void crt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * No VMA may be registered with a userfaultfd: crrun registers memory of
 * a restored process while it fills it, and must leave none behind (a
 * fault there would wait for crrun). Not inlined: its buffer would grow
 * every frame of a deep recursion that waits at its bottom.
 */
static __attribute__((noinline, unused)) void crt_check_no_userfaultfd(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	crt_setup(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmFlags:", 8))
			continue;
		crt_check(!strstr(line, " um") && !strstr(line, " uw"),
			  "a VMA is registered with a userfaultfd: %s", line);
	}
	fclose(f);
}

/* Say "ready", then wait to be checkpointed and let go. */
static inline void crt_ready_and_wait(void)
{
	const char *go = crt_go_path();

	crt_say("ready\n");
	while (access(go, F_OK))
		crt_sleep_ms(10);
	crt_check_no_userfaultfd();
}

static inline int crt_done(void)
{
	if (crt_failures) {
		fprintf(stderr, "FAILED: %d checks\n", crt_failures);
		return 1;
	}
	crt_say("ok\n");
	return 0;
}

/* A repeatable pattern: word @i of the thing numbered @seed. */
static inline uint64_t crt_pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + i;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	return x;
}

#endif /* _CRT_H */
