// SPDX-License-Identifier: GPL-2.0
/*
 * crrun check: try, one by one, the kernel features checkpoint and restore
 * rely on, and say which are here. Each probe does the real thing on a
 * throwaway child (or on crrun itself) rather than guessing from versions.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <asm/ldt.h>

#include "cli/cli.h"

static const char check_usage[] =
	"usage: crrun check\n"
	"\n"
	"Try the kernel features crrun relies on and print one line for each:\n"
	"'ok' or 'missing'. Exits 1 if a required feature is missing.\n"
	"\n"
	"  -v, --verbose  say more about each probe\n"
	"  -h, --help     this text\n";

struct check_probe {
	const char *name;
	bool required;
	/* 0 when present; else -errno, with @note saying more */
	int (*probe)(char *note, size_t len);
};

/* A child that only waits to be probed, then is killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Seize a child, interrupt it, read its registers, let it go. */
static int with_seized_child(int (*fn)(pid_t, char *, size_t), char *note,
			     size_t len)
{
	int status, ret;
	pid_t pid;

	pid = spawn_sleeper();
	if (pid < 0)
		return -errno;
	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		ret = -errno;
		snprintf(note, len, "PTRACE_SEIZE: %s", strerror(errno));
		goto out_reap;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		ret = -errno;
		snprintf(note, len, "PTRACE_INTERRUPT: %s", strerror(errno));
		goto out_reap;
	}
	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status)) {
		ret = -ECHILD;
		snprintf(note, len, "the child did not stop");
		goto out_reap;
	}
	ret = fn(pid, note, len);
out_reap:
	reap(pid);
	return ret;
}

static int ptrace_regs(pid_t pid, char *note, size_t len)
{
	struct {
		unsigned long r[27];
	} regs;

	if (ptrace(PTRACE_GETREGS, pid, 0, &regs)) {
		snprintf(note, len, "PTRACE_GETREGS: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int probe_ptrace(char *note, size_t len)
{
	return with_seized_child(ptrace_regs, note, len);
}

static int ptrace_xstate(pid_t pid, char *note, size_t len)
{
	static uint8_t buf[64 << 10];
	struct iovec iov = { buf, sizeof(buf) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov)) {
		snprintf(note, len, "NT_X86_XSTATE: %s", strerror(errno));
		return -errno;
	}
	snprintf(note, len, "%zu bytes, xfeatures 0x%llx", iov.iov_len,
		 iov.iov_len >= 520 ?
			 (unsigned long long)*(uint64_t *)(buf + 464) : 0ULL);
	return 0;
}

static int probe_xstate(char *note, size_t len)
{
	return with_seized_child(ptrace_xstate, note, len);
}

static int probe_pagemap(char *note, size_t len)
{
	static volatile char page[4096] __attribute__((aligned(4096)));
	uint64_t entry;
	off_t off;
	int fd, ret = 0;

	page[0] = 1;	/* present */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(note, len, "/proc/self/pagemap: %s", strerror(errno));
		return -errno;
	}
	off = (off_t)((uintptr_t)page / 4096) * 8;
	if (pread(fd, &entry, 8, off) != 8) {
		ret = -EIO;
		snprintf(note, len, "reading pagemap failed");
	} else if (!(entry >> 63)) {
		ret = -ENODATA;
		snprintf(note, len, "a touched page does not show as present");
	} else if (!(entry & ((1ULL << 55) - 1))) {
		snprintf(note, len, "no PFNs visible (not root?)");
	}
	close(fd);
	return ret;
}

static int probe_process_vm(char *note, size_t len)
{
	char src[64] = "crrun", dst[64] = "";
	struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };
	pid_t pid;
	int ret = 0;

	pid = spawn_sleeper();
	if (pid < 0)
		return -errno;
	/* the child's copy of src holds the same bytes at the same address */
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != sizeof(dst)) {
		ret = -errno;
		snprintf(note, len, "process_vm_readv: %s", strerror(errno));
	} else if (strcmp(dst, "crrun")) {
		ret = -EIO;
		snprintf(note, len, "read the wrong bytes");
	}
	reap(pid);
	return ret;
}

static int probe_mm_map(char *note, size_t len)
{
	unsigned int size = 0;

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0)) {
		snprintf(note, len, "PR_SET_MM_MAP_SIZE: %s%s", strerror(errno),
			 errno == EINVAL ? " (CONFIG_CHECKPOINT_RESTORE off?)" :
					   "");
		return -errno;
	}
	snprintf(note, len, "struct prctl_mm_map of %u bytes", size);
	return 0;
}

/*
 * clone3 with set_tid: make a child with a chosen free pid. Free pids are
 * found by /proc; a race with another fork only gives EEXIST, retried.
 */
static int probe_set_tid(char *note, size_t len)
{
	struct clone_args args;
	int tries, ret = -EEXIST;
	pid_t want = 0, pid, pid_max = 32768;
	FILE *f;

	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%d", &pid_max) != 1)
			pid_max = 32768;
		fclose(f);
	}

	f = fopen("/proc/sys/kernel/ns_last_pid", "r");
	if (!f || fscanf(f, "%d", &want) != 1) {
		snprintf(note, len, "/proc/sys/kernel/ns_last_pid unreadable");
		if (f)
			fclose(f);
		return -ENOENT;
	}
	fclose(f);

	for (tries = 0; tries < 50 && ret == -EEXIST; tries++) {
		char path[32];

		want += 1000 + tries;
		if (want >= pid_max)
			want = 300 + tries;	/* where pids wrap to */
		snprintf(path, sizeof(path), "/proc/%d", want);
		if (!access(path, F_OK))
			continue;
		memset(&args, 0, sizeof(args));
		args.exit_signal = SIGCHLD;
		args.set_tid = (uintptr_t)&want;
		args.set_tid_size = 1;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			syscall(SYS_exit_group, 0);
		if (pid < 0) {
			ret = -errno;
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (pid != want) {
			snprintf(note, len, "asked for pid %d, got %d", want,
				 pid);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(note, len, "clone3: %s%s", strerror(-ret),
		 ret == -EPERM ? " (needs CAP_CHECKPOINT_RESTORE)" : "");
	return ret;
}

static int probe_modify_ldt(char *note, size_t len)
{
	struct user_desc d;
	long n;

	/* reading our own (empty) LDT changes nothing */
	n = syscall(SYS_modify_ldt, 0, &d, sizeof(d));
	if (n < 0) {
		snprintf(note, len, "modify_ldt: %s%s", strerror(errno),
			 errno == ENOSYS ? " (CONFIG_MODIFY_LDT_SYSCALL off)" :
					   "");
		return -errno;
	}
	return 0;
}

/* a deleted mapped file is read back through here at checkpoint */
static int probe_map_files(char *note, size_t len)
{
	char path[300];
	struct dirent *de;
	int fd, ret = -ENOENT;
	DIR *dir;

	dir = opendir("/proc/self/map_files");
	if (!dir) {
		snprintf(note, len, "/proc/self/map_files: %s",
			 strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/map_files/%s",
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			snprintf(note, len, "open %s: %s", path,
				 strerror(errno));
		} else {
			close(fd);
			ret = 0;
		}
		break;
	}
	closedir(dir);
	return ret;
}

static const struct check_probe check_probes[] = {
	{ "ptrace seize/interrupt/getregs", true, probe_ptrace },
	{ "ptrace NT_X86_XSTATE", true, probe_xstate },
	{ "process_vm_readv", true, probe_process_vm },
	{ "/proc/PID/pagemap", true, probe_pagemap },
	{ "prctl PR_SET_MM_MAP", true, probe_mm_map },
	{ "clone3 with set_tid", true, probe_set_tid },
	{ "modify_ldt", false, probe_modify_ldt },
	{ "/proc/PID/map_files", false, probe_map_files },
};

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i, missing = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			cli_verbose = 1;
			break;
		case 'h':
			fputs(check_usage, stdout);
			return 0;
		default:
			fputs(check_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "crrun: check takes no arguments\n");
		return 2;
	}

	for (i = 0; i < ARRAY_SIZE(check_probes); i++) {
		const struct check_probe *p = &check_probes[i];
		char note[256] = "";
		int ret = p->probe(note, sizeof(note));

		printf("%-32s %s%s%s%s\n", p->name, ret ? "missing" : "ok",
		       ret && !p->required ? " (optional)" : "",
		       note[0] && (ret || cli_verbose) ? ": " : "",
		       note[0] && (ret || cli_verbose) ? note : "");
		if (ret && p->required)
			missing++;
	}
	fflush(stdout);
	if (missing) {
		fprintf(stderr, "crrun: %u required feature%s missing\n",
			missing, missing == 1 ? "" : "s");
		return 1;
	}
	return 0;
}
