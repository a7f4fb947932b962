// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's target: allocation, the log, and the target's memory through
 * /proc/PID/mem (which, like get_user_pages(force), reads and writes
 * through the VMA's protection).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "shim/linux/target.h"

/**
 * cr_target_alloc() - a target for @pid, not attached yet
 * @pid: the process
 * @kind: seized for a checkpoint, or a restore child
 * @log: where messages go (may be NULL)
 *
 * Return: the target, or NULL when out of memory.
 */
struct cr_target *cr_target_alloc(pid_t pid, enum cr_target_kind kind,
				  const struct cr_log *log)
{
	struct cr_target *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->pid = pid;
	t->kind = kind;
	t->log = log;
	t->mem_fd = -1;
	t->pagemap_fd = -1;
	t->image_fd = -1;
	t->uffd = -1;
	t->snap_pidfd = -1;
	cr_fault_init(t);
	return t;
}

/**
 * cr_target_free() - free what the target holds on our side
 * @t: the target, or NULL
 *
 * Context: the process is detached or gone; nothing is done to it here.
 */
void cr_target_free(struct cr_target *t)
{
	if (!t)
		return;
	cr_maps_drop(t);
	free(t->hints);
	cr_target_close_proc(t);
	if (t->snap_pidfd >= 0)
		close(t->snap_pidfd);
	cr_linux_regs_free(&t->regs0);
	free(t->run_buf);
	free(t->fds);
	free(t->image_files);
	cr_uffd_close(t);
	free(t->new_regs);
	free(t->inj);
	free(t->creds.groups);
	free(t);
}

/**
 * cr_linux_log() - a message to the target's log sink
 * @t: the target
 * @level: CR_LOG_*
 * @fmt: printf format
 */
void cr_linux_log(const struct cr_target *t, int level, const char *fmt, ...)
{
	const struct cr_log *log = t ? t->log : NULL;
	char msg[512];
	va_list ap;

	if (!log || !log->emit || level > log->level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->emit(log->priv, level, msg);
}

/** cr_target_close_proc() - close what cr_target_open_proc() opened */
void cr_target_close_proc(struct cr_target *t)
{
	if (t->mem_fd >= 0)
		close(t->mem_fd);
	if (t->pagemap_fd >= 0)
		close(t->pagemap_fd);
	t->mem_fd = t->pagemap_fd = -1;
}

/**
 * cr_target_open_proc() - open the target's mem and pagemap
 * @t: the target, attached (the open is checked against ptrace access)
 *
 * Those of an earlier t->pid are closed first.
 *
 * Return: 0 or -errno (pagemap is optional: it is left -1 if refused).
 */
int cr_target_open_proc(struct cr_target *t)
{
	char path[64];

	cr_target_close_proc(t);

	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	t->mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (t->mem_fd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", t->pid);
	t->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
	return 0;
}

/*
 * As much of @len bytes at @addr as process_vm_readv (or, @write,
 * process_vm_writev) will move in one go, retried while it makes progress.
 * Return: the bytes moved (short where a page refused: the caller goes on
 * through /proc/PID/mem), or -errno. EPERM and ENOSYS turn it off for good
 * (@off): a seccomp filter, an emulator.
 */
static ssize_t cr_vm_copy(struct cr_target *t, unsigned long addr, void *buf,
			  size_t len, bool write, bool *off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len && !*off) {
		struct iovec local = { .iov_base = (u8 *)buf + done,
				       .iov_len = len - done };
		struct iovec remote = { .iov_base = (void *)(addr + done),
					.iov_len = len - done };

		n = write ? process_vm_writev(t->pid, &local, 1, &remote, 1, 0) :
			    process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPERM || errno == ENOSYS))
			*off = true;
		else if (n < 0 && errno != EFAULT)
			return -errno;
		if (n <= 0)
			break;		/* EFAULT: not accessible, or not mapped */
		done += n;
	}
	return done;
}

/**
 * cr_mem_read() - read @len bytes of the target at @addr
 * @t: the target
 * @addr: where
 * @buf: into
 * @len: how much
 *
 * process_vm_readv copies once, from the target's pages straight into
 * @buf; a pread of /proc/PID/mem goes through a kernel page. It honours
 * protections, though: from a page it may not read (PROT_NONE), the rest
 * goes through /proc/PID/mem, which reads through them as ptrace does;
 * where it is not allowed at all, /proc/PID/mem does everything.
 *
 * Return: 0, or -EIO (-errno) if any part could not be read.
 */
int cr_mem_read(struct cr_target *t, unsigned long addr, void *buf,
		size_t len)
{
	u8 *p = buf;
	ssize_t n;

	n = cr_uffd_drop(t);
	if (n < 0)
		return n;
	n = cr_vm_copy(t, addr, p, len, false, &t->no_vm_read);
	if (n < 0)
		return n;
	p += n;
	addr += n;
	len -= n;
	while (len) {
		n = pread(t->mem_fd, p, len, (off_t)addr);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/**
 * cr_mem_write() - write @len bytes into the target at @addr
 * @t: the target
 * @addr: where
 * @buf: from
 * @len: how much
 *
 * process_vm_writev copies once, straight into the target's pages, which
 * it faults in without a fault per page; a pwrite of /proc/PID/mem goes
 * through a kernel page and cost 1.8x as long for 256 MiB of resident
 * memory (1.25x for fresh pages). But process_vm_writev honours the VMA's
 * protection, and the engine writes pages into VMAs it mapped read-only:
 * where it stops, at a page it may not write, the rest goes through
 * /proc/PID/mem, which writes through protections as get_user_pages(force)
 * does. Where process_vm_writev is not allowed at all (EPERM, ENOSYS: a
 * seccomp filter, an emulator), /proc/PID/mem does everything.
 *
 * Return: 0 or -errno.
 */
int cr_mem_write(struct cr_target *t, unsigned long addr, const void *buf,
		 size_t len)
{
	const u8 *p = buf;
	ssize_t n;

	n = cr_uffd_drop(t);
	if (n < 0)
		return n;
	n = cr_vm_copy(t, addr, (void *)p, len, true, &t->no_vm_write);
	if (n < 0)
		return n;
	p += n;
	addr += n;
	len -= n;
	while (len) {
		n = pwrite(t->mem_fd, p, len, (off_t)addr);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		addr += n;
		len -= n;
	}
	return 0;
}
