// SPDX-License-Identifier: GPL-2.0
/*
 * ->snapshot_mm: the memory of a seized process, copied by an injected
 * fork, so that the process runs on while its memory is saved.
 *
 * The engine has read everything else of the stopped process. The shim
 * then makes it call clone(flags 0): a child sharing nothing, its memory
 * a copy-on-write copy of the parent's at that instant. Its exit signal is
 * 0: the parent gets no SIGCHLD, and its wait() and waitpid() without
 * __WALL or __WCLONE never see it. The child is traced by crrun from birth
 * (PTRACE_O_TRACECLONE), killed if crrun dies (PTRACE_O_EXITKILL), and
 * gives up its fds at once, so that it holds no pipe or socket open. The
 * parent is put back and let go; the memory members read the child.
 *
 * At release the child is killed and waited for by crrun, its tracer;
 * that leaves a zombie only its parent can reap, so the parent is stopped
 * once more, briefly, to reap it with an injected wait4(). The parent
 * then has no child it did not make, and never had a signal for one.
 *
 * Not taken (the stopped process is read, as without a snapshot): with
 * `crrun checkpoint --kill`, which must not let the process run past the
 * instant saved; when a VMA is not copied to a child as it is
 * (MADV_DONTFORK, MADV_WIPEONFORK); when the fork fails (memory
 * overcommit, RLIMIT_NPROC).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "core/mm/vma_flags.h"
#include "shim/linux/linux.h"
#include "shim/linux/target.h"

#ifndef __NR_close_range
#define __NR_close_range	436
#endif

/* Would a child's copy of this memory differ from the parent's? */
static bool cr_snapshot_differs(struct cr_target *t)
{
	unsigned int i;

	if (cr_maps_refresh(t) < 0)
		return true;
	for (i = 0; i < t->nr_vmas; i++) {
		const struct cr_linux_vma *v = &t->vmas[i];

		if (v->type != CR_VMA_SHIM &&
		    (v->flags & (VM_DONTCOPY | VM_WIPEONFORK))) {
			cr_ldebug(t, "pid %d: vma %#lx-%#lx is not copied to a child as it is: no snapshot",
				  t->pid, v->start, v->end);
			return true;
		}
	}
	return false;
}

/* Wait for a traced child's first stop. Return: 0 or -errno. */
static int cr_wait_new_child(pid_t child)
{
	int status;

	for (;;) {
		pid_t r = waitpid(child, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (WIFSTOPPED(status))
			return 0;
		return -ESRCH;
	}
}

/* Kill the snapshot child and wait until it is a zombie of its parent. */
static void cr_snapshot_kill(pid_t child)
{
	int status;

	kill(child, SIGKILL);
	for (;;) {
		pid_t r = waitpid(child, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status))
			return;
	}
}

/* Fork the stopped target. Return: the child's pid, or -errno. */
static long cr_snapshot_fork(struct cr_target *t)
{
	long child;
	int ret;

	ret = cr_fault_point(t, "snapshot_clone");
	if (ret < 0)
		return ret;
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD |
				  PTRACE_O_TRACECLONE)) < 0)
		return -errno;
	child = cr_rsys(t, __NR_clone, 0, 0, 0, 0, 0);
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)PTRACE_O_TRACESYSGOOD) < 0 && child > 0) {
		cr_snapshot_kill(child);
		return -errno;
	}
	if (child <= 0)
		return child < 0 ? child : -EINVAL;
	ret = cr_wait_new_child(child);
	if (!ret && ptrace(PTRACE_SETOPTIONS, child, NULL,
			   (void *)(long)(PTRACE_O_TRACESYSGOOD |
					  PTRACE_O_EXITKILL)) < 0)
		ret = -errno;
	if (ret < 0) {
		cr_snapshot_kill(child);
		return ret;
	}
	return child;
}

/**
 * cr_linux_snapshot_mm() - ->snapshot_mm: fork the target, let it run on
 * @t: a seized, stopped target whose task state has been read
 *
 * Return: 0 with the memory members reading the snapshot; -EOPNOTSUPP
 * when none can be taken (the target is still stopped then); or -errno
 * (the target may be running again).
 */
int cr_linux_snapshot_mm(struct cr_target *t)
{
	unsigned long area = t->area, area_len = t->area_len;
	unsigned long trap_gadget = t->trap_gadget;
	pid_t parent = t->pid;
	long child, r;
	int ret;

	if (t->no_snapshot || t->kind != CR_TARGET_SEIZED)
		return -EOPNOTSUPP;
	if (cr_snapshot_differs(t))
		return -EOPNOTSUPP;
	child = cr_snapshot_fork(t);
	if (child < 0) {
		cr_ldebug(t, "pid %d: no snapshot: fork failed: error %ld",
			  parent, child);
		return child == -ESRCH ? -ESRCH : -EOPNOTSUPP;
	}

	/* from here on, release kills the child and reaps it in the parent */
	t->snap_parent = parent;
	ret = cr_seized_let_go(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: letting it run on after the snapshot: error %d",
			parent, ret);
		t->pid = child;
		t->attached = true;
		return ret;
	}

	/* the memory members now read the child: the same VMAs, ours too */
	t->pid = child;
	t->attached = true;
	t->stopped = true;
	t->dead = false;
	t->dirty = false;
	t->sigmask_blocked = false;
	t->area = area;
	t->area_len = area_len;
	t->trap_gadget = trap_gadget;	/* the child has a copy */
	cr_maps_drop(t);
	ret = cr_target_open_proc(t);
	if (ret < 0)
		return ret;
	/*
	 * Not process_vm_readv: it pins pages, and pinning a page the child
	 * shares copy-on-write makes the kernel unshare it first, a copy of
	 * every page (2 GiB read in 4.5 s instead of 1.3 s through
	 * /proc/PID/mem here, and the memory used twice).
	 */
	t->no_vm_read = true;
	/* it must not hold the process's pipes and sockets open */
	r = cr_rsys(t, __NR_close_range, 0, ~0U, 0);
	if (r < 0)
		return r;
	cr_ldebug(t, "pid %d: memory snapshot in child %ld; the process runs on",
		  parent, child);
	return 0;
}

void cr_linux_no_snapshot(struct cr_target *t)
{
	t->no_snapshot = true;
}

/**
 * cr_snapshot_drop() - kill the snapshot and reap it in its parent
 * @t: with a snapshot (t->snap_parent); left with t->pid the parent's,
 *	detached
 *
 * Return: 0 (also when the parent is gone: its children went to init),
 * or -errno if the snapshot could not be reaped (a zombie child with no
 * exit signal is left to the process).
 */
int cr_snapshot_drop(struct cr_target *t)
{
	pid_t child = t->pid;
	long r;
	int ret;

	cr_snapshot_kill(child);
	cr_maps_drop(t);
	cr_target_close_proc(t);
	t->pid = t->snap_parent;
	t->snap_parent = 0;
	t->attached = false;
	t->area = 0;
	t->trap_gadget = 0;

	ret = cr_reseize(t);
	if (ret == -ESRCH && !t->attached)
		return 0;	/* it exited: init reaps what it left */
	if (ret < 0) {
		cr_lerr(t, "pid %d: stopping it again to reap its snapshot %d: error %d",
			t->pid, child, ret);
		cr_seized_let_go(t);
		return ret;
	}
	r = cr_rsys(t, __NR_wait4, child, 0, __WALL, 0);
	if (r < 0 && r != -ECHILD) {
		cr_lerr(t, "pid %d: reaping its snapshot %d: error %ld", t->pid,
			child, r);
		ret = r;
	}
	r = cr_seized_let_go(t);
	if (!ret && !r)
		ret = cr_fault_point(t, "snapshot_reap");
	return ret ?: (int)r;
}
