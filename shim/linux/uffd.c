// SPDX-License-Identifier: GPL-2.0
/*
 * Filling a restore child's fresh anonymous memory with UFFDIO_COPY.
 *
 * Written any other way (process_vm_writev, /proc/PID/mem, the process's
 * own fault), a fresh anonymous page is first zeroed by the kernel, then
 * overwritten. UFFDIO_COPY allocates the page and copies into it without
 * zeroing it: for 2 GiB it took 0.6x the time of a copy with a fault per
 * page here. The userfaultfd is made in the child (it acts on the mm of
 * its maker) and taken by crrun with pidfd_getfd(); its own fd is closed
 * straight away.
 *
 * A range is registered for the copies and unregistered after them: the
 * child must never run, nor crrun reach its memory another way, while a
 * range is registered (a fault there would wait for crrun, or fail).
 * Registering a part of a VMA splits it and unregistering merges it back,
 * which for a run of pages at a time cost as much as the copies (4 GiB
 * mapped, 1024 runs of 64 KiB: 41 ms against 23 ms). So a private
 * anonymous VMA just mapped (cr_uffd_fresh_map()) is registered whole at
 * its first run and kept so while its runs are copied; cr_uffd_drop()
 * unregisters it before anything else is done to the child: an injected
 * call (cr_remote_prepare()), a read or write of its memory, the end.
 * Runs anywhere else are registered one at a time.
 *
 * A run of CR_UFFD_SPLIT_MIN bytes or more is copied by two threads, half
 * each, when crrun may run on two CPUs: what a fresh page costs (its
 * allocation, and on a VM the host's fault behind it) is then paid on both
 * at once. A plain program filled 2 GiB of fresh memory from two threads
 * in 0.85-0.97 s here, from one in 1.4-3.3 s; a restore of 2 GiB took
 * 0.92 s against 1.42 s (medians of 6, alternated). The second thread is
 * started once
 * CR_UFFD_HELPER_AFTER bytes have been copied (a small process's restore
 * was 0.6 ms slower with it: starting it, and waking an idle CPU, cost
 * more than it saved), lives as long as the userfaultfd and does nothing
 * else.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
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

/* runs at least this long are split between the two threads */
#define CR_UFFD_SPLIT_MIN	(256UL << 10)
/* the second thread is started once this much has been copied */
#define CR_UFFD_HELPER_AFTER	(16UL << 20)

/* The second thread, and the one copy it is given at a time. */
struct cr_uffd_helper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int uffd;
	unsigned long dst;
	const char *src;
	size_t len;
	size_t done;		/* bytes copied from the start of the job */
	bool busy;		/* a job is given and not yet done */
	bool quit;
};

/*
 * UFFDIO_COPY @len bytes from @src to @dst. Return: how many were copied
 * from the start (less at the first page that is there already, EEXIST,
 * or any other error: the caller writes the rest another way).
 */
static size_t cr_uffd_copy(int uffd, unsigned long dst, const char *src,
			   size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct uffdio_copy copy = {
			.dst = dst + done,
			.src = (unsigned long)src + done,
			.len = len - done,
		};

		if (ioctl(uffd, UFFDIO_COPY, &copy) == 0) {
			done += copy.copy;
			continue;
		}
		if (copy.copy > 0)
			done += copy.copy;
		if (errno == EAGAIN || errno == EINTR)
			continue;
		break;		/* EEXIST: a page is there already */
	}
	return done;
}

static void *cr_uffd_helper_main(void *arg)
{
	struct cr_uffd_helper *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->quit)
			break;
		pthread_mutex_unlock(&h->lock);
		h->done = cr_uffd_copy(h->uffd, h->dst, h->src, h->len);
		pthread_mutex_lock(&h->lock);
		h->busy = false;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Start the second thread if crrun may use two CPUs; NULL if not. */
static struct cr_uffd_helper *cr_uffd_helper_start(struct cr_target *t,
						   int uffd)
{
	struct cr_uffd_helper *h;
	sigset_t all, old;
	cpu_set_t cpus;
	int err;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0 ||
	    CPU_COUNT(&cpus) < 2 || cr_fault_point(t, "uffd_helper"))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->uffd = uffd;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	/* signals are crrun's main thread's to take */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&h->thread, NULL, cr_uffd_helper_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	return h;
}

static void cr_uffd_helper_stop(struct cr_uffd_helper *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->quit = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/*
 * Copy @len bytes, the second half by the helper. Return: as
 * cr_uffd_copy(), over the whole.
 */
static size_t cr_uffd_copy_split(struct cr_uffd_helper *h, unsigned long dst,
				 const char *src, size_t len)
{
	size_t half = (len / 2) & ~(PAGE_SIZE - 1);
	size_t done;

	pthread_mutex_lock(&h->lock);
	h->dst = dst + half;
	h->src = src + half;
	h->len = len - half;
	h->busy = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);

	done = cr_uffd_copy(h->uffd, dst, src, half);

	pthread_mutex_lock(&h->lock);
	while (h->busy)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	/* what the helper copied counts only after a whole first half */
	return done == half ? half + h->done : done;
}

/**
 * cr_uffd_drop() - unregister the range kept registered, if any
 * @t: the target
 *
 * Return: 0 or -errno (the child would keep a registration).
 */
int cr_uffd_drop(struct cr_target *t)
{
	struct uffdio_range range = {
		.start = t->uffd_reg_start,
		.len = t->uffd_reg_end - t->uffd_reg_start,
	};

	/* a call made now is not the one that mapped the fresh VMA */
	t->fresh_start = t->fresh_end = 0;
	if (!range.len)
		return 0;
	t->uffd_reg_start = t->uffd_reg_end = 0;
	if (ioctl(t->uffd, UFFDIO_UNREGISTER, &range) < 0)
		return -errno;
	return 0;
}

/**
 * cr_uffd_fresh_map() - the last call mapped [@start, @start + @len),
 *	private and anonymous, for its runs to be copied next
 * @t: the target
 * @start: where
 * @len: how much
 */
void cr_uffd_fresh_map(struct cr_target *t, unsigned long start, size_t len)
{
	if (t->uffd < 0)
		return;
	t->fresh_start = start;
	t->fresh_end = start + len;
}

/*
 * Have [@addr, @addr + @len) registered: within the range kept, by
 * registering the fresh VMA it lies in (kept), or alone. Return: 1 kept,
 * 0 registered for this run only, -ENOENT not registered (not anonymous
 * memory: the caller writes it another way), or -errno.
 */
static int cr_uffd_register(struct cr_target *t, unsigned long addr,
			    size_t len)
{
	unsigned long start = t->fresh_start, end = t->fresh_end;
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int ret;

	if (addr >= t->uffd_reg_start && addr + len <= t->uffd_reg_end)
		return 1;
	ret = cr_uffd_drop(t);
	if (ret < 0)
		return ret;
	if (addr >= start && addr + len <= end) {
		reg.range.start = start;
		reg.range.len = end - start;
		if (!ioctl(t->uffd, UFFDIO_REGISTER, &reg)) {
			t->uffd_reg_start = start;
			t->uffd_reg_end = end;
			return 1;
		}
	}
	reg.range.start = addr;
	reg.range.len = len;
	return ioctl(t->uffd, UFFDIO_REGISTER, &reg) < 0 ? -ENOENT : 0;
}

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
	t->uffd_helper = NULL;
	t->uffd_helper_tried = false;
	t->uffd_bytes = 0;
}

/** cr_uffd_close() - crrun lets go of the child's userfaultfd */
void cr_uffd_close(struct cr_target *t)
{
	if (t->uffd >= 0)
		cr_uffd_drop(t);	/* crrun's close drops it anyway */
	cr_uffd_helper_stop(t->uffd_helper);
	t->uffd_helper = NULL;
	if (t->uffd >= 0)
		close(t->uffd);
	t->uffd = -1;
}

/* Count @len more bytes to copy; start the helper once they are enough. */
static void cr_uffd_helper_want(struct cr_target *t, size_t len)
{
	t->uffd_bytes += len;
	if (t->uffd_bytes < CR_UFFD_HELPER_AFTER || t->uffd_helper_tried)
		return;
	t->uffd_helper_tried = true;
	t->uffd_helper = cr_uffd_helper_start(t, t->uffd);
	if (t->uffd_helper)
		cr_ldebug(t, "pid %d: fresh pages are copied by two threads",
			  t->pid);
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
	struct uffdio_range range = { .start = addr, .len = len };
	size_t done;
	int kept;

	if (t->uffd < 0)
		return 0;
	kept = cr_uffd_register(t, addr, len);
	if (kept == -ENOENT)
		return 0;
	if (kept < 0)
		return kept;
	cr_uffd_helper_want(t, len);
	if (t->uffd_helper && len >= CR_UFFD_SPLIT_MIN)
		done = cr_uffd_copy_split(t->uffd_helper, addr, buf, len);
	else
		done = cr_uffd_copy(t->uffd, addr, buf, len);
	if (!kept && ioctl(t->uffd, UFFDIO_UNREGISTER, &range) < 0)
		return -errno;	/* the child would keep a registration */
	return done;
}
