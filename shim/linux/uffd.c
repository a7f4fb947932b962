// SPDX-License-Identifier: GPL-2.0
/*
 * Filling a restore child's fresh anonymous memory with UFFDIO_COPY.
 *
 * Written any other way (process_vm_writev, /proc/PID/mem, the process's
 * own fault), a fresh anonymous page is first zeroed by the kernel, then
 * overwritten. UFFDIO_COPY allocates the page and copies into it without
 * zeroing it: for 2 GiB it took 0.6x the time of a copy with a fault per
 * page here. The userfaultfd is made in the child (it acts on the mm of
 * its maker) and taken by crrun with pidfd_getfd(); each run of pages is
 * registered, copied and unregistered at once, so the child is left with
 * no registration, and its own fd is closed straight away.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "shim/linux/target.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY	1
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

/**
 * cr_uffd_open() - a userfaultfd on the child's mm, for crrun
 * @t: a restore child with its injection area
 *
 * Not being able to is not an error: the pages are written the slower way.
 * User-mode-only faults are all it needs (no fault is ever served), and
 * what an unprivileged user may create.
 */
void cr_uffd_open(struct cr_target *t)
{
	struct uffdio_api api = { .api = UFFD_API };
	long child_fd, ret;
	int pidfd, fd = -1;

	t->uffd = -1;
	if (cr_fault_point(t, "spawn_uffd"))
		return;
	child_fd = cr_rsys(t, __NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (child_fd < 0) {
		cr_ldebug(t, "pid %d: no userfaultfd (error %ld): pages are written through process_vm_writev",
			  t->pid, child_fd);
		return;
	}
	pidfd = syscall(__NR_pidfd_open, t->pid, 0);
	if (pidfd >= 0) {
		fd = syscall(__NR_pidfd_getfd, pidfd, (int)child_fd, 0);
		close(pidfd);
	}
	/* the child must not keep it: crrun's copy holds the context */
	ret = cr_rsys(t, __NR_close, child_fd);
	if (ret < 0 && !t->deferred_err) {
		cr_lerr(t, "pid %d: closing fd %ld: error %ld", t->pid,
			child_fd, ret);
		t->deferred_err = ret;
	}
	if (fd < 0)
		return;
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		close(fd);
		return;
	}
	t->uffd = fd;
}

/** cr_uffd_close() - crrun lets go of the child's userfaultfd */
void cr_uffd_close(struct cr_target *t)
{
	if (t->uffd >= 0)
		close(t->uffd);
	t->uffd = -1;
}

/**
 * cr_uffd_write() - copy @len bytes into fresh pages of the child
 * @t: the restore child
 * @addr: page-aligned, inside one private anonymous VMA
 * @buf: the bytes
 * @len: whole pages
 *
 * Return: the bytes copied, from 0 (a file VMA, pages already there, no
 * userfaultfd): the caller writes the rest another way; or -errno.
 */
ssize_t cr_uffd_write(struct cr_target *t, unsigned long addr,
		      const void *buf, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_range range = { .start = addr, .len = len };
	size_t done = 0;
	int ret = 0;

	if (t->uffd < 0 || ioctl(t->uffd, UFFDIO_REGISTER, &reg) < 0)
		return 0;
	while (done < len) {
		struct uffdio_copy copy = {
			.dst = addr + done,
			.src = (unsigned long)buf + done,
			.len = len - done,
		};

		if (ioctl(t->uffd, UFFDIO_COPY, &copy) == 0) {
			done += copy.copy;
			continue;
		}
		if (copy.copy > 0)
			done += copy.copy;
		if (errno == EAGAIN || errno == EINTR)
			continue;
		break;		/* EEXIST: a page is there already */
	}
	if (ioctl(t->uffd, UFFDIO_UNREGISTER, &range) < 0)
		ret = -errno;	/* the child would keep a registration */
	return ret < 0 ? ret : (ssize_t)done;
}
