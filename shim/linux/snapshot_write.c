// SPDX-License-Identifier: GPL-2.0
/*
 * ->write_pages: the snapshot child (snapshot.c) writes its own pages into
 * the image.
 *
 * Read through /proc/PID/mem, each byte of the snapshot is copied twice in
 * the kernel (into a bounce page, then out to crrun) and once more into
 * the page cache by write(2). The child's pwritev(2) copies it once,
 * straight from its memory into the page cache, as a plain write of the
 * same bytes from a buffer would. The child also sums them: a loop of
 * crrun's (arch/x86/crc_write.c), run in one stop a batch, takes the
 * CRC32C of each 256 KiB chunk and then writes it while it is in the
 * CPU's cache, so the bytes come from memory once. Where that loop cannot
 * run (no executable page for crrun's code, no SSE4.2) the child makes
 * plain pwritev() calls and crrun reads the pages back from the page cache
 * for the checksum (cr_kwrite_extern()).
 *
 * The image gets into the child like this: the child first gives up the
 * fd table it shares with the process (close_range() of every fd with
 * CLOSE_RANGE_UNSHARE: a table of its own, empty; the process's is not
 * touched), connects to an abstract unix socket crrun listens on, and
 * receives the image's fd over it (SCM_RIGHTS); crrun checks that the peer
 * is the child. Nothing of this reaches the process.
 *
 * Not taken (->write_pages says -EOPNOTSUPP and crrun reads the pages
 * itself): when the process is in another cgroup than crrun (the page
 * cache the child fills would be charged to the process's cgroup); under
 * a seccomp filter (it could kill the child for a call the process never
 * makes); with a finite RLIMIT_FSIZE (SIGXFSZ, a short image); when the
 * socket cannot be reached (another network namespace) or any step fails;
 * from the first write an LSM refuses the child on; for pages the child
 * cannot read (no PROT_READ), one call at a time; for a batch of fewer
 * than CR_WRITE_MIN_PAGES pages, which crrun copies sooner than it stops
 * the child.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "arch/x86/crc_write.h"
#include "core/mm/vma_flags.h"
#include "shim/linux/target.h"

#ifndef __NR_close_range
#define __NR_close_range	436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE	(1U << 1)
#endif

/* iovecs one injected pwritev() takes: IOV_MAX */
#define CR_WRITE_IOV_MAX	1024
/*
 * Fewer pages than this cost more as a stop of the snapshot (and, the
 * first time, the handing over of the image) than as a copy by crrun: a
 * small process's checkpoint took 7.4 ms with every batch written by the
 * child, 7.0 ms with this bound (medians of 40, alternated).
 */
#define CR_WRITE_MIN_PAGES	64
/* bytes summed then written at a time: in the CPU's cache for the write */
#define CR_WRITE_CHUNK		(256UL << 10)

/* What the child's recvmsg() reads, laid out in its scratch area. */
struct cr_fd_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
};

/* Do the process's cgroups, seccomp and file size limit allow it? */
static bool cr_write_allowed(struct cr_target *t)
{
	char mine[1024], its[1024], status[4096];
	struct rlimit lim;
	const char *p;
	long ret;

	if (cr_proc_read_file(0, "cgroup", mine, sizeof(mine)) < 0 ||
	    cr_proc_read_file(t->pid, "cgroup", its, sizeof(its)) < 0 ||
	    strcmp(mine, its)) {
		cr_ldebug(t, "pid %d: in another cgroup than crrun",
			  t->snap_parent);
		return false;
	}
	if (cr_proc_read_file(t->pid, "status", status, sizeof(status)) < 0)
		return false;
	p = strstr(status, "\nSeccomp:");
	if (!p || strtol(p + strlen("\nSeccomp:"), NULL, 10) != 0) {
		cr_ldebug(t, "pid %d: under seccomp", t->snap_parent);
		return false;
	}
	/* the process's own limit: crrun may not read another's */
	ret = cr_rsys(t, __NR_prlimit64, 0, RLIMIT_FSIZE, 0, t->scratch);
	if (ret < 0 || cr_mem_read(t, t->scratch, &lim, sizeof(lim)) < 0)
		return false;
	if (lim.rlim_cur != RLIM_INFINITY) {
		cr_ldebug(t, "pid %d: RLIMIT_FSIZE is finite", t->snap_parent);
		return false;
	}
	return true;
}

/* Listen on a fresh abstract unix socket: its fd, or -errno. */
static int cr_write_listen(struct cr_target *t, struct sockaddr_un *addr,
			   socklen_t *addrlen)
{
	u64 nonce = 0;
	int s, n;

	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) < 0)
		nonce = (u64)(unsigned long)addr ^ t->nr_injected;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	/* abstract: sun_path[0] is NUL, and the name is not a string */
	n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1,
		     "crrun-%d-%d-%llx", getpid(), t->pid,
		     (unsigned long long)nonce);
	*addrlen = offsetof(struct sockaddr_un, sun_path) + 1 + n;

	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)addr, *addrlen) < 0 ||
	    listen(s, 1) < 0) {
		n = -errno;
		close(s);
		return n;
	}
	return s;
}

/* Accept the child's connection, not another's: its fd, or -errno. */
static int cr_write_accept(struct cr_target *t, int lsock)
{
	struct ucred cred;
	socklen_t len;
	int c;

	for (;;) {
		c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			return errno == EAGAIN ? -ECONNREFUSED : -errno;
		len = sizeof(cred);
		if (!getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
		    cred.pid == t->pid)
			return c;
		close(c);
	}
}

/* Send @fd over @sock. Return: 0 or -errno. */
static int cr_send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	memset(&control, 0, sizeof(control));
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* The child receives the fd crrun sent on its socket @s: its number. */
static long cr_child_recv_fd(struct cr_target *t, long s)
{
	struct cr_fd_msg *m = calloc(1, sizeof(*m));
	unsigned long base = t->scratch;
	struct cmsghdr *cmsg;
	long ret;
	int fd;

	if (!m)
		return -ENOMEM;
	/* pointers as the child sees its copy of the struct */
	m->iov.iov_base = (void *)(base + offsetof(struct cr_fd_msg, byte));
	m->iov.iov_len = 1;
	m->msg.msg_iov = (void *)(base + offsetof(struct cr_fd_msg, iov));
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = (void *)(base + offsetof(struct cr_fd_msg,
						      control));
	m->msg.msg_controllen = sizeof(m->control.buf);
	ret = cr_scratch_put(t, 0, m, sizeof(*m));
	if (!ret)
		ret = cr_rsys(t, __NR_recvmsg, s, base,
			      MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (ret == 1)
		ret = cr_mem_read(t, base, m, sizeof(*m));
	else if (ret >= 0)
		ret = -EPROTO;
	if (ret < 0)
		goto out_free;

	/* our copy: point the header at it to walk the control data */
	m->msg.msg_control = m->control.buf;
	cmsg = CMSG_FIRSTHDR(&m->msg);
	ret = -EPROTO;
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		goto out_free;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	ret = fd;
out_free:
	free(m);
	return ret;
}

/*
 * Give the child the image @fd: its own fd table, then the fd over a
 * socket. Return: the child's fd number, or -errno.
 */
static long cr_write_give_fd(struct cr_target *t, int fd)
{
	struct sockaddr_un addr;
	socklen_t addrlen;
	int lsock, conn;
	long s, ret;

	ret = cr_rsys(t, __NR_close_range, 0, ~0U, CLOSE_RANGE_UNSHARE);
	if (ret < 0)
		return ret;
	lsock = cr_write_listen(t, &addr, &addrlen);
	if (lsock < 0)
		return lsock;
	/* non-blocking: a full backlog must not hang the child */
	s = cr_rsys(t, __NR_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK,
		    0);
	if (s < 0) {
		ret = s;
		goto out_close_lsock;
	}
	ret = cr_scratch_put(t, 0, &addr, addrlen);
	if (!ret)
		ret = cr_rsys(t, __NR_connect, s, t->scratch, addrlen);
	if (ret < 0)
		goto out_close_lsock;
	conn = cr_write_accept(t, lsock);
	if (conn < 0) {
		ret = conn;
		goto out_close_lsock;
	}
	ret = cr_send_fd(conn, fd);
	close(conn);
	if (!ret)
		ret = cr_child_recv_fd(t, s);
	/* the socket's fd in the child is left: the child is killed */
out_close_lsock:
	close(lsock);
	return ret;
}

/*
 * Born on the process's CPU, the child would share it with the process
 * (which runs on) while crrun's sits idle waiting for the child: on crrun's,
 * the two take turns. Best effort.
 */
static void cr_write_beside_us(struct cr_target *t)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(t->pid, sizeof(set), &set);
}

/* Can this write be taken at all? The child's fd for the image, set up once. */
static int cr_write_setup(struct cr_target *t, int fd)
{
	long child_fd;
	int ret;

	if (t->write_state == CR_WRITE_READY)
		return fd == t->write_src_fd ? 0 : -EINVAL;
	if (t->write_state == CR_WRITE_OFF)
		return -EOPNOTSUPP;
	t->write_state = CR_WRITE_OFF;
	ret = cr_fault_point(t, "write_setup");
	if (ret < 0 || !cr_write_allowed(t))
		return -EOPNOTSUPP;
	child_fd = cr_write_give_fd(t, fd);
	if (child_fd < 0) {
		cr_ldebug(t, "pid %d: the snapshot cannot have the image: error %ld",
			  t->snap_parent, child_fd);
		return -EOPNOTSUPP;
	}
	cr_write_beside_us(t);
	t->write_state = CR_WRITE_READY;
	t->write_src_fd = fd;
	t->write_child_fd = child_fd;
	cr_ldebug(t, "pid %d: the snapshot writes its pages into the image itself",
		  t->snap_parent);
	return 0;
}

/*
 * The runs of consecutive pages in @vaddrs as iovecs, each in a readable
 * VMA. Return: how many, or -EOPNOTSUPP for a page the child cannot read.
 */
static int cr_write_runs(struct cr_target *t, const u64 *vaddrs,
			 unsigned int nr, struct iovec *iov)
{
	const struct cr_linux_vma *v;
	unsigned int i, n = 0;
	unsigned long end;

	for (i = 0; i < nr; i++) {
		if (n && (unsigned long)iov[n - 1].iov_base +
				 iov[n - 1].iov_len == vaddrs[i]) {
			iov[n - 1].iov_len += PAGE_SIZE;
			continue;
		}
		iov[n].iov_base = (void *)(unsigned long)vaddrs[i];
		iov[n++].iov_len = PAGE_SIZE;
	}
	for (i = 0; i < n; i++) {
		end = (unsigned long)iov[i].iov_base + iov[i].iov_len;
		v = cr_maps_find(t, (unsigned long)iov[i].iov_base);
		if (!v || v->start > (unsigned long)iov[i].iov_base ||
		    v->end < end || !(v->flags & VM_READ))
			return -EOPNOTSUPP;
	}
	return n;
}

/* Move @iov (@n of them) past @done bytes: the first one not all written. */
static unsigned int cr_iov_advance(struct iovec *iov, unsigned int n,
				   size_t done)
{
	unsigned int i = 0;

	while (i < n && done >= iov[i].iov_len)
		done -= iov[i++].iov_len;
	if (i < n) {
		iov[i].iov_base = (char *)iov[i].iov_base + done;
		iov[i].iov_len -= done;
	}
	return i;
}

/*
 * Checksum and write the @n iovecs at @iov (in the child's scratch area)
 * in one stop: cr_arch_crc_write, copied into the shim's page once.
 */
static int cr_write_summed(struct cr_target *t, unsigned long iov,
			   unsigned int n, u64 off, u32 *csum)
{
	struct cr_arch_regs *regs;
	unsigned long code;
	long ret;
	u64 end;

	ret = cr_remote_code(t, CR_CRC_WRITE_CODE_OFF, cr_arch_crc_write,
			     sizeof(cr_arch_crc_write), &t->crc_write_code);
	if (ret < 0)
		return ret;
	code = t->crc_write_code;
	regs = malloc(sizeof(*regs));
	if (!regs)
		return -ENOMEM;
	cr_remote_base_regs(t, regs);
	ret = cr_arch_crc_write_setup(regs, iov, n, t->write_child_fd, off,
				      *csum, CR_WRITE_CHUNK, code);
	if (!ret)
		ret = cr_remote_run_code(t, regs);
	if (!ret)
		ret = cr_arch_crc_write_done(regs, code, csum, &end);
	free(regs);
	return ret;
}

/* Write the @n iovecs at @iov (ours) with injected pwritev()s. */
static int cr_write_plain(struct cr_target *t, struct iovec *iov,
			  unsigned int n, u64 off)
{
	unsigned int i = 0, cnt, max_iov;
	long ret;

	max_iov = min(t->scratch_len / sizeof(*iov),
		      (unsigned long)CR_WRITE_IOV_MAX);
	while (i < n) {
		cnt = min(n - i, max_iov);
		ret = cr_scratch_put(t, 0, &iov[i], cnt * sizeof(*iov));
		if (!ret)
			ret = cr_rsys(t, __NR_pwritev, t->write_child_fd,
				      t->scratch, cnt, off, 0);
		if (ret == 0)
			ret = -EIO;
		if (ret < 0)
			return ret;
		off += ret;
		i += cr_iov_advance(&iov[i], cnt, ret);
	}
	return 0;
}

/* Can the child run cr_arch_crc_write? */
static bool cr_can_sum(struct cr_target *t, unsigned int n)
{
	if (cr_fault_point(t, "write_summed") < 0)
		return false;
	return t->trap_gadget && n * sizeof(struct iovec) <= t->scratch_len &&
	       __builtin_cpu_supports("sse4.2");
}

/**
 * cr_linux_write_pages() - ->write_pages: the snapshot child writes them
 * @t: a target with a snapshot
 * @vaddrs: ascending page addresses
 * @nr: how many
 * @fd: the image, ours
 * @off: where the first page goes
 * @csum: the image's checksum, carried over the pages when the child sums
 *	them as it writes (cr_arch_crc_write)
 *
 * Return: 1 (written and summed), 0 (written); -EOPNOTSUPP without a
 * snapshot, for a small batch, when the child cannot have the image (see
 * above), or cannot read a page; or -errno.
 */
int cr_linux_write_pages(struct cr_target *t, const u64 *vaddrs,
			 unsigned int nr, int fd, u64 off, u32 *csum)
{
	struct iovec *iov;
	unsigned int n;
	long ret;

	if (!t->snap_parent || !nr)
		return nr ? -EOPNOTSUPP : -EINVAL;
	if (nr < CR_WRITE_MIN_PAGES)
		return -EOPNOTSUPP;
	ret = cr_write_setup(t, fd);
	if (ret < 0)
		return ret;
	iov = malloc(nr * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	ret = cr_write_runs(t, vaddrs, nr, iov);
	if (ret < 0)
		goto out_free;
	n = ret;
	ret = cr_fault_point(t, "write_pages");
	if (ret < 0)
		goto out_free;
	if (cr_fault_point(t, "write_denied") < 0) {
		ret = -EACCES;
	} else if (cr_can_sum(t, n)) {
		ret = cr_scratch_put(t, 0, iov, n * sizeof(*iov));
		if (!ret)
			ret = cr_write_summed(t, t->scratch, n, off, csum);
		if (!ret)
			ret = 1;
	} else {
		ret = cr_write_plain(t, iov, n, off);
	}
	if (ret == -EFAULT)
		ret = -EOPNOTSUPP;	/* a page it could not read */
	if (ret == -EACCES || ret == -EPERM) {
		/* an LSM may not let the process write crrun's file */
		cr_ldebug(t, "pid %d: the snapshot may not write the image: error %ld",
			  t->snap_parent, ret);
		t->write_state = CR_WRITE_OFF;
		ret = -EOPNOTSUPP;
	}
out_free:
	free(iov);
	return ret;
}
