// SPDX-License-Identifier: GPL-2.0
/*
 * The process crbench checkpoints and restores. It fills its memory, says
 * "ready", then spins reading CLOCK_MONOTONIC and keeps the largest gap
 * between two reads: a gap is time it did not run (a ptrace stop, or a
 * checkpoint-to-restore pause). It talks only through stdout (fds 0-2 may
 * be anything to crrun; the driver gives it a pipe) with one line each:
 *
 *   ready <rss_kib>          memory filled, spinning
 *   max <gap_ns> <now_ns>    on SIGUSR1: largest gap since the last "max"
 *   gap <from_ns> <to_ns>    any gap over GAP_REPORT_NS, as soon as it ends:
 *                            after a restore, <to_ns> is when it ran again
 *   verify ok|bad <n>        on SIGUSR2: its memory, reread against the
 *                            pattern it wrote (<n> words differ)
 *
 * workload touched  MIB          MIB of pseudo-random private anonymous
 *                                memory, touched page by page
 * workload sparse   MAPPED_MIB TOUCHED_MIB
 *                                MAP_NORESERVE mapping; TOUCHED_MIB written
 *                                in 64 KiB runs spread evenly over it
 * workload small                 a plain program: 2 MiB of heap, libc
 *
 * Whatever happens to the driver, the workload exits by itself after
 * LIFETIME_S seconds of CLOCK_MONOTONIC (which keeps running across a
 * checkpoint and restore), so none outlives a killed benchmark for long.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB	      (1UL << 20)
#define PAGE	      4096UL
#define RUN_BYTES     (64UL << 10)
#define SMALL_BYTES   (2UL << 20)
#define GAP_REPORT_NS 2000000ULL /* 2 ms */
#define LIFETIME_S    900ULL

static volatile sig_atomic_t report_wanted, verify_wanted;

/* what was filled, for the verification */
static char *area;
static size_t area_len, run_len, run_stride, nruns;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		report_wanted = 1;
	else
		verify_wanted = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * xorshift64*: incompressible bytes, about 2 GiB/s on one core. Fills
 * @buf, or with @check counts the words that differ from the pattern.
 */
static size_t fill_random(void *buf, size_t len, uint64_t seed, bool check)
{
	uint64_t *w = buf, x = seed | 1;
	size_t i, bad = 0;

	for (i = 0; i < len / 8; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		if (!check)
			w[i] = x * 0x2545f4914f6cdd1dULL;
		else if (w[i] != x * 0x2545f4914f6cdd1dULL)
			bad++;
	}
	return bad;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* a failed write (the driver has gone) ends us */
	if (write(STDOUT_FILENO, line, n) != n)
		_exit(3);
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (long)(PAGE / 1024);
}

static void *map_anon(size_t len, int extra_flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "workload: mmap %zu: %s\n", len,
			strerror(errno));
		exit(2);
	}
	return p;
}

/* the seed of run i (one run for touched and small) */
static uint64_t seed_of(size_t i)
{
	return 0x9e3779b97f4a7c15ULL * (i + 1);
}

/* fill (or check) every run of the area; the count of bad words */
static size_t fill_area(bool check)
{
	size_t i, bad = 0;

	for (i = 0; i < nruns; i++)
		bad += fill_random(area + i * run_stride, run_len, seed_of(i),
				   check);
	return bad;
}

static void setup_touched(unsigned long mib)
{
	area_len = mib * MIB;
	area = map_anon(area_len, 0);
	run_len = run_stride = area_len;
	nruns = 1;
}

static void setup_sparse(unsigned long mapped_mib, unsigned long touched_mib)
{
	area_len = mapped_mib * MIB;
	nruns = touched_mib * MIB / RUN_BYTES;
	if (!nruns || nruns * RUN_BYTES > area_len) {
		fprintf(stderr, "workload: sparse %lu %lu: bad sizes\n",
			mapped_mib, touched_mib);
		exit(2);
	}
	area = map_anon(area_len, MAP_NORESERVE);
	run_len = RUN_BYTES;
	run_stride = area_len / nruns & ~(PAGE - 1);
}

static void setup_small(void)
{
	/* malloc'd like any plain program's buffers, not a bench mapping */
	area = malloc(SMALL_BYTES);
	if (!area)
		exit(2);
	area_len = run_len = run_stride = SMALL_BYTES;
	nruns = 1;
}

static void __attribute__((noreturn)) spin(void)
{
	uint64_t start = now_ns(), prev = start, max_gap = 0;

	for (;;) {
		uint64_t t = now_ns(), gap = t - prev;

		if (gap > max_gap)
			max_gap = gap;
		if (gap > GAP_REPORT_NS)
			say("gap %llu %llu\n", (unsigned long long)prev,
			    (unsigned long long)t);
		/*
		 * The next window starts at t, before the report is written:
		 * crbench starts crrun as soon as it reads the line, and a
		 * stop that lands in or just after this write must count
		 * (reading the clock again here lost such a stop whole).
		 */
		if (report_wanted) {
			report_wanted = 0;
			say("max %llu %llu\n", (unsigned long long)max_gap,
			    (unsigned long long)t);
			max_gap = 0;
		}
		if (verify_wanted) {
			size_t bad = fill_area(true);

			verify_wanted = 0;
			if (bad)
				say("verify bad %zu\n", bad);
			else
				say("verify ok\n");
			t = now_ns();
		}
		if (t - start > LIFETIME_S * 1000000000ULL)
			exit(0);
		prev = t;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: workload touched MIB\n"
			"       workload sparse MAPPED_MIB TOUCHED_MIB\n"
			"       workload small\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};

	if (argc == 3 && !strcmp(argv[1], "touched"))
		setup_touched(strtoul(argv[2], NULL, 0));
	else if (argc == 4 && !strcmp(argv[1], "sparse"))
		setup_sparse(strtoul(argv[2], NULL, 0),
			     strtoul(argv[3], NULL, 0));
	else if (argc == 2 && !strcmp(argv[1], "small"))
		setup_small();
	else
		usage();
	fill_area(false);

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR2, &sa, NULL))
		exit(2);
	say("ready %ld\n", rss_kib());
	spin();
}
