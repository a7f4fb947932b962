// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace, the parts every other file needs: waiting for a stop, registers
 * with the XSAVE area (NT_X86_XSTATE), the signal mask, the rseq
 * registration. Each returns 0 or -errno; errno is read here and nowhere
 * above.
 */
#include <elf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "shim/linux/target.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE	0x202
#endif

/**
 * cr_ptrace_wait_stop() - wait for the next ptrace stop of @t
 * @t: the target
 * @status: the wait status of the stop
 *
 * Return: 0 when stopped, -ESRCH when the target exited or was killed
 * (t->dead is set), or -errno.
 */
int cr_ptrace_wait_stop(struct cr_target *t, int *status)
{
	pid_t ret;

	for (;;) {
		ret = waitpid(t->pid, status, __WALL);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (WIFSTOPPED(*status))
			return 0;
		if (WIFEXITED(*status) || WIFSIGNALED(*status)) {
			t->dead = true;
			t->attached = false;
			return -ESRCH;
		}
	}
}

/**
 * cr_ptrace_get_regs() - general registers and the XSAVE area
 * @t: the stopped target
 * @r: filled; r->xstate is allocated (cr_linux_regs_free())
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_get_regs(struct cr_target *t, struct cr_linux_regs *r)
{
	struct iovec iov;
	u8 *xs;

	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &r->gp) < 0)
		return -errno;
	xs = malloc(CR_XSTATE_MAX);
	if (!xs)
		return -ENOMEM;
	iov.iov_base = xs;
	iov.iov_len = CR_XSTATE_MAX;
	if (ptrace(PTRACE_GETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov) < 0) {
		/* no XSAVE on this CPU: the general registers will do */
		free(xs);
		r->xstate = NULL;
		r->xstate_size = 0;
		return 0;
	}
	free(r->xstate);
	r->xstate = realloc(xs, iov.iov_len) ?: xs;
	r->xstate_size = iov.iov_len;
	return 0;
}

/** cr_linux_regs_free() - free what cr_ptrace_get_regs() allocated */
void cr_linux_regs_free(struct cr_linux_regs *r)
{
	free(r->xstate);
	r->xstate = NULL;
	r->xstate_size = 0;
}

/**
 * cr_ptrace_set_gp() - set the general registers
 * @t: the stopped target
 * @gp: the registers
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_set_gp(struct cr_target *t, const struct user_regs_struct *gp)
{
	if (ptrace(PTRACE_SETREGS, t->pid, NULL, gp) < 0)
		return -errno;
	return 0;
}

/**
 * cr_ptrace_set_xstate() - set the XSAVE area (standard layout)
 * @t: the stopped target
 * @xs: the area
 * @size: its bytes; the kernel takes exactly its own size, so a shorter
 *	area is padded with zeros and a longer one cut
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_set_xstate(struct cr_target *t, const void *xs, u32 size)
{
	struct iovec iov;
	u8 *buf;
	int ret = 0;

	if (!size)
		return 0;
	buf = calloc(1, CR_XSTATE_MAX);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	iov.iov_len = CR_XSTATE_MAX;
	if (ptrace(PTRACE_GETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov) < 0) {
		ret = -errno;
		goto out_free;
	}
	memset(buf, 0, iov.iov_len);
	memcpy(buf, xs, min((size_t)size, iov.iov_len));
	if (ptrace(PTRACE_SETREGSET, t->pid, (void *)NT_X86_XSTATE, &iov) < 0)
		ret = -errno;
out_free:
	free(buf);
	return ret;
}

/**
 * cr_ptrace_get_sigmask() - the blocked mask the target will run with
 * @t: the stopped target
 * @mask: the mask (the saved one of sigsuspend-like calls, see
 *	PLATFORM.md)
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_get_sigmask(struct cr_target *t, u64 *mask)
{
	if (ptrace(PTRACE_GETSIGMASK, t->pid, (void *)sizeof(*mask), mask) < 0)
		return -errno;
	return 0;
}

/**
 * cr_ptrace_set_sigmask() - set the blocked mask
 * @t: the stopped target
 * @mask: the mask (SIGKILL and SIGSTOP are dropped by the kernel)
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_set_sigmask(struct cr_target *t, u64 mask)
{
	if (ptrace(PTRACE_SETSIGMASK, t->pid, (void *)sizeof(mask), &mask) < 0)
		return -errno;
	return 0;
}

/**
 * cr_ptrace_get_rseq() - the rseq area the target registered
 * @t: the stopped target
 * @ti: rseq_addr, rseq_len (0 when none) and rseq_sig are set
 *
 * Return: 0 or -errno.
 */
int cr_ptrace_get_rseq(struct cr_target *t, struct cr_thread_info *ti)
{
	struct __ptrace_rseq_configuration conf = { 0 };
	long ret;

	ret = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, t->pid,
		     (void *)sizeof(conf), &conf);
	if (ret < 0)
		return -errno;
	ti->rseq_addr = conf.rseq_abi_pointer;
	ti->rseq_len = conf.rseq_abi_size;
	ti->rseq_sig = conf.signature;
	return 0;
}
