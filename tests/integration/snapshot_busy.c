// SPDX-License-Identifier: GPL-2.0
/*
 * A process that keeps writing its memory while it is checkpointed (left
 * running), and must not notice the memory snapshot crrun takes of it:
 *
 *  - until it is let go it rewrites 4096 pages in passes, each page
 *    stamped at both ends with the pass number; a pass ends with a check
 *    of the go file. An image whose pages came from different instants
 *    (memory read while the process ran, not from a snapshot) restores a
 *    process that finds, at the end of its pass, pages of other passes or
 *    torn pages;
 *  - it counts SIGCHLD, and once let go it checks that it got none, that
 *    wait without __WALL and waitid with __WALL find no child, and that
 *    the kernel lists no child of it (/proc/self/task/TID/children).
 *
 * With the argument "dontfork" the pages are MADV_DONTFORK: a child would
 * not have them, so crrun must not snapshot and reads the stopped process.
 * With "locked" they are mlock()ed, which a child does not inherit: the
 * image must say they were, and the restored process has them locked.
 * With "killed" (checkpoint --kill) each pass also appends its number to
 * a file: the process must not have run past the instant of its image,
 * so the restored one finds no pass in the file beyond its own.
 */
#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "crt.h"

#define NPAGES	4096
#define PAGE	4096
#define WORDS	(PAGE / 8)

static volatile sig_atomic_t sigchld_seen;

static void on_sigchld(int sig)
{
	sigchld_seen++;
}

/* Every page holds @pass at both ends. */
static void check_pages(const uint64_t *p, uint64_t pass)
{
	unsigned long i, bad = 0, first = 0;

	for (i = 0; i < NPAGES; i++) {
		if (p[i * WORDS] == pass && p[i * WORDS + WORDS - 1] == pass)
			continue;
		if (!bad++)
			first = i;
	}
	crt_check(!bad, "%lu pages not of pass %llu (first: page %lu holds %llu/%llu)",
		  bad, (unsigned long long)pass, first,
		  (unsigned long long)p[first * WORDS],
		  (unsigned long long)p[first * WORDS + WORDS - 1]);
}

/* No pass in the file beyond @pass: nothing ran after the image's instant */
static void check_not_run_past(uint64_t pass)
{
	uint64_t buf[512], last = 0;
	ssize_t n, i;
	int fd;

	fd = open(crt_path("passes"), O_RDONLY);
	crt_setup(fd >= 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n / 8; i++)
			last = buf[i] > last ? buf[i] : last;
	close(fd);
	crt_check(last <= pass,
		  "the original ran on to pass %llu, past its image's (%llu)",
		  (unsigned long long)last, (unsigned long long)pass);
}

/* VmLck of /proc/self/status covers the pages */
static void check_locked(void)
{
	char buf[4096], *p;
	unsigned long kib = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/status", O_RDONLY);
	crt_setup(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	crt_setup(n > 0);
	buf[n] = '\0';
	p = strstr(buf, "VmLck:");
	if (p)
		kib = strtoul(p + 6, NULL, 10);
	crt_check(kib >= NPAGES * PAGE / 1024, "VmLck: %lu kB", kib);
}

static void check_no_child(void)
{
	char path[64], buf[256];
	siginfo_t si = { 0 };
	ssize_t n;
	int fd;

	crt_check(sigchld_seen == 0, "%d SIGCHLD", (int)sigchld_seen);
	crt_check(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
		  "waitpid(-1) found a child");
	errno = 0;
	crt_check(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | __WALL) == -1 &&
			  errno == ECHILD,
		  "waitid(__WALL) found child %d", si.si_pid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	fd = open(path, O_RDONLY);
	crt_setup(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	crt_check(n == 0, "children listed: %.*s", (int)(n > 0 ? n : 0), buf);
}

int main(int argc, char **argv)
{
	bool dontfork = argc > 1 && !strcmp(argv[1], "dontfork");
	bool locked = argc > 1 && !strcmp(argv[1], "locked");
	bool killed = argc > 1 && !strcmp(argv[1], "killed");
	const char *go = crt_go_path();
	struct sigaction sa = { .sa_handler = on_sigchld };
	uint64_t *p, pass = 0;
	unsigned long i;
	int passes = -1;

	crt_setup(sigaction(SIGCHLD, &sa, NULL) == 0);
	p = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	crt_setup(p != MAP_FAILED);
	if (dontfork)
		crt_setup(madvise(p, NPAGES * PAGE, MADV_DONTFORK) == 0);
	if (locked)
		crt_setup(mlock(p, NPAGES * PAGE) == 0);
	if (killed) {
		passes = open(crt_path("passes"),
			      O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0600);
		crt_setup(passes >= 0);
	}

	crt_say("ready\n");
	for (;;) {
		pass++;
		for (i = 0; i < NPAGES; i++) {
			p[i * WORDS] = pass;
			p[i * WORDS + WORDS - 1] = pass;
		}
		if (killed)
			crt_setup(write(passes, &pass, 8) == 8);
		if (!access(go, F_OK))
			break;
	}
	check_pages(p, pass);
	check_no_child();
	if (locked)
		check_locked();
	if (killed)
		check_not_run_past(pass);
	return crt_done();
}
