// SPDX-License-Identifier: GPL-2.0
/*
 * The task members of cr_kops that are not credentials or files: umask
 * and cwd, signal actions, mask and altstack, rseq and clear_child_tid,
 * registers. Checkpoint reads with ptrace, /proc and injected calls that
 * change nothing (a NULL new value); restore sets with injected calls, or
 * records what cr_linux_resume() applies last (mask, registers).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/prctl.h>

#include "shim/linux/target.h"

/* struct sigaction as the kernel has it on x86-64: cr_sigaction's layout */
_Static_assert(sizeof(struct cr_sigaction) == 32, "kernel sigaction");

/* stack_t as the kernel has it on x86-64 */
struct cr_kstack {
	u64 ss_sp;
	s32 ss_flags;
	u32 _pad;
	u64 ss_size;
};

/**
 * cr_linux_get_fs() - ->get_fs: Umask from status, cwd from /proc
 * @t: the target
 * @umask: the umask
 * @cwd: the working directory
 * @len: size of @cwd
 *
 * Return: 0, -ENOENT if the directory was removed, or -errno.
 */
int cr_linux_get_fs(struct cr_target *t, u32 *umask, char *cwd, size_t len)
{
	char *status, val[32], link[64];
	ssize_t n;
	int ret;

	status = malloc(65536);
	if (!status)
		return -ENOMEM;
	ret = cr_proc_read_file(t->pid, "status", status, 65536);
	if (ret >= 0)
		ret = cr_proc_status_field(status, "Umask", val, sizeof(val));
	free(status);
	if (ret < 0)
		return ret;
	*umask = strtoul(val, NULL, 8);

	snprintf(link, sizeof(link), "/proc/%d/cwd", t->pid);
	n = readlink(link, cwd, len - 1);
	if (n < 0)
		return -errno;
	cwd[n] = '\0';
	if ((size_t)n > strlen(" (deleted)") &&
	    !strcmp(cwd + n - strlen(" (deleted)"), " (deleted)"))
		return -ENOENT;
	return 0;
}

/**
 * cr_linux_set_fs() - ->set_fs: injected umask(2) and chdir(2)
 * @t: a restore child
 * @umask: the umask
 * @cwd: the working directory
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_fs(struct cr_target *t, u32 umask, const char *cwd)
{
	size_t len = strlen(cwd) + 1;
	long ret;

	if (len > CR_FNAME_MAX)
		return -ENAMETOOLONG;
	ret = cr_rsys(t, __NR_umask, umask & 0777);
	if (ret < 0)
		return ret;
	ret = cr_scratch_put(t, 0, cwd, len);
	if (!ret)
		ret = cr_rsys(t, __NR_chdir, t->scratch);
	return ret < 0 ? ret : 0;
}

/*
 * Read every signal action in one go: rt_sigaction(sig, NULL, old) for
 * each, in one ptrace stop (the engine asks for them one by one, and the
 * target is stopped meanwhile: they cannot change).
 */
static int cr_read_all_sigactions(struct cr_target *t)
{
	struct cr_arch_syscall *calls;
	int sig, ret;

	if ((size_t)CR_NSIG * (sizeof(t->act[0]) + sizeof(*calls)) >
	    t->scratch_len)
		return -E2BIG;
	calls = calloc(CR_NSIG, sizeof(*calls));
	if (!calls)
		return -ENOMEM;
	for (sig = 1; sig <= CR_NSIG; sig++) {
		calls[sig - 1].nr = __NR_rt_sigaction;
		calls[sig - 1].args[0] = sig;
		calls[sig - 1].args[2] = t->scratch +
					 (sig - 1) * sizeof(t->act[0]);
		calls[sig - 1].args[3] = sizeof(u64);
	}
	ret = cr_remote_syscalls(t, calls, CR_NSIG);
	if (!ret)
		ret = cr_mem_read(t, t->scratch, t->act, sizeof(t->act));
	if (!ret)
		t->have_act = true;
	free(calls);
	return ret;
}

/**
 * cr_linux_get_sigaction() - ->get_sigaction: rt_sigaction(sig, NULL, old)
 * @t: the target
 * @sig: 1..64
 * @act: the action
 *
 * All 64 are read at the first call.
 *
 * Return: 0 or -errno.
 */
int cr_linux_get_sigaction(struct cr_target *t, int sig,
			   struct cr_sigaction *act)
{
	int ret;

	if (sig < 1 || sig > CR_NSIG)
		return -EINVAL;
	if (!t->have_act) {
		ret = cr_read_all_sigactions(t);
		if (ret < 0)
			return ret;
	}
	*act = t->act[sig - 1];
	return 0;
}

/**
 * cr_linux_set_sigaction() - ->set_sigaction: rt_sigaction(sig, act, NULL)
 * @t: a restore child
 * @sig: 1..64; SIGKILL and SIGSTOP take only SIG_DFL, which they have
 * @act: the action
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_sigaction(struct cr_target *t, int sig,
			   const struct cr_sigaction *act)
{
	long ret;

	if (sig == SIGKILL || sig == SIGSTOP)
		return act->handler == 0 ? 0 : -EINVAL;
	/* what the child was born with, it has */
	if (t->have_inherited_act &&
	    !memcmp(act, &t->inherited_act[sig - 1], sizeof(*act)))
		return 0;
	ret = cr_scratch_put(t, 0, act, sizeof(*act));
	if (!ret)
		ret = cr_rsys(t, __NR_rt_sigaction, sig, t->scratch, 0,
			      sizeof(u64));
	return ret < 0 ? ret : 0;
}

/**
 * cr_linux_get_sigstate() - ->get_sigstate: mask as seized, sigaltstack
 * @t: the target
 * @s: the state
 *
 * The mask is PTRACE_GETSIGMASK's from the seize (the shim blocks every
 * signal while it injects calls).
 *
 * Return: 0 or -errno.
 */
int cr_linux_get_sigstate(struct cr_target *t, struct cr_sigstate *s)
{
	struct cr_kstack ss;
	long ret;

	ret = cr_rsys(t, __NR_sigaltstack, 0, t->scratch);
	if (ret < 0)
		return ret;
	ret = cr_mem_read(t, t->scratch, &ss, sizeof(ss));
	if (ret < 0)
		return ret;
	s->blocked = t->sigmask0;
	s->stop_sig = t->listen ? t->stop_sig0 : 0;
	s->ss_sp = ss.ss_sp;
	s->ss_size = ss.ss_size;
	s->ss_flags = ss.ss_flags;
	return 0;
}

/**
 * cr_linux_set_sigstate() - ->set_sigstate: sigaltstack now, mask at resume
 * @t: a restore child
 * @s: the state
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_sigstate(struct cr_target *t, const struct cr_sigstate *s)
{
	struct cr_kstack ss = { 0 };
	long ret;

	if (s->ss_flags & SS_DISABLE) {
		ss.ss_flags = SS_DISABLE;
	} else {
		ss.ss_sp = s->ss_sp;
		ss.ss_size = s->ss_size;
		/* "on the stack" is where rsp is, not a mode */
		ss.ss_flags = s->ss_flags & ~SS_ONSTACK;
	}
	ret = cr_scratch_put(t, 0, &ss, sizeof(ss));
	if (!ret)
		ret = cr_rsys(t, __NR_sigaltstack, t->scratch, 0);
	if (ret < 0)
		return ret;
	t->new_sigmask = s->blocked;
	t->have_sigmask = true;
	t->new_stop_sig = s->stop_sig;
	return 0;
}

/* The robust futex list, asked of the kernel from here: no injection. */
static int cr_get_robust_list(struct cr_target *t, struct cr_thread_info *ti)
{
	size_t len = 0;
	void *head = NULL;

	if (syscall(SYS_get_robust_list, t->pid, &head, &len) < 0)
		return errno == ENOSYS ? 0 : -errno;
	ti->robust_list = (unsigned long)head;
	ti->robust_len = head ? len : 0;
	return 0;
}

/**
 * cr_linux_get_thread() - ->get_thread: rseq by ptrace, clear_child_tid
 *	by an injected prctl(PR_GET_TID_ADDRESS), the robust list by
 *	get_robust_list(2)
 * @t: the target
 * @ti: the state
 *
 * Return: 0 or -errno.
 */
int cr_linux_get_thread(struct cr_target *t, struct cr_thread_info *ti)
{
	u64 ctid = 0;
	long ret;

	memset(ti, 0, sizeof(*ti));
	ret = cr_ptrace_get_rseq(t, ti);
	if (ret < 0)
		return ret;
	ret = cr_rsys(t, __NR_prctl, PR_GET_TID_ADDRESS, t->scratch, 0, 0, 0);
	if (!ret)
		ret = cr_mem_read(t, t->scratch, &ctid, sizeof(ctid));
	else if (ret == -EINVAL)
		ret = 0;	/* kernel without CHECKPOINT_RESTORE */
	ti->clear_child_tid = ctid;
	if (ret < 0)
		return ret;
	return cr_get_robust_list(t, ti);
}

/**
 * cr_linux_set_thread() - ->set_thread: injected rseq(2), set_tid_address(2),
 *	set_robust_list(2)
 * @t: a restore child (its inherited rseq is already gone)
 * @ti: the state
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_thread(struct cr_target *t, const struct cr_thread_info *ti)
{
	long ret;

	if (ti->rseq_len) {
		ret = cr_rsys(t, __NR_rseq, ti->rseq_addr, ti->rseq_len, 0,
			      ti->rseq_sig);
		if (ret < 0)
			return ret;
	}
	if (ti->clear_child_tid) {
		ret = cr_rsys(t, __NR_set_tid_address, ti->clear_child_tid);
		if (ret < 0)
			return ret;
	}
	if (ti->robust_list) {
		ret = cr_rsys(t, __NR_set_robust_list, ti->robust_list,
			      ti->robust_len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * cr_linux_get_regs() - ->get_regs: the registers as seized
 * @t: the target
 * @regs: general registers and the XSAVE area
 *
 * A target stopped inside a syscall is given as it is (orig_rax, rax):
 * the arch code applies the restart rule at restore.
 *
 * Return: 0 or -E2BIG if the XSAVE area does not fit.
 */
int cr_linux_get_regs(struct cr_target *t, struct cr_arch_regs *regs)
{
	if (t->regs0.xstate_size > sizeof(regs->xstate))
		return -E2BIG;
	memcpy(regs->gregs, &t->regs0.gp, sizeof(regs->gregs));
	regs->xstate_size = t->regs0.xstate_size;
	if (t->regs0.xstate_size)
		memcpy(regs->xstate, t->regs0.xstate, t->regs0.xstate_size);
	return 0;
}

/**
 * cr_linux_set_regs() - ->set_regs: recorded, set by cr_linux_resume()
 * @t: a restore child
 * @regs: the registers
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_regs(struct cr_target *t, const struct cr_arch_regs *regs)
{
	if (regs->xstate_size > sizeof(regs->xstate))
		return -EINVAL;
	if (!t->new_regs) {
		t->new_regs = malloc(sizeof(*t->new_regs));
		if (!t->new_regs)
			return -ENOMEM;
	}
	memcpy(t->new_regs->gregs, regs->gregs, sizeof(regs->gregs));
	t->new_regs->xstate_size = regs->xstate_size;
	memcpy(t->new_regs->xstate, regs->xstate, regs->xstate_size);
	return 0;
}
