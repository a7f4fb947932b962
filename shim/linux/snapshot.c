// SPDX-License-Identifier: GPL-2.0
/*
 * ->snapshot_mm: the memory of a seized process, copied by an injected
 * fork, so that the process runs on while its memory is saved.
 *
 * The engine has read everything else of the stopped process. The shim
 * then makes it call clone(CLONE_FILES): a child whose memory is a
 * copy-on-write copy of the parent's at that instant, and which shares the
 * parent's fd table rather than holding a copy of every file (a pipe the
 * parent closes meanwhile still sees its end closed). Its exit signal is
 * 0: the parent gets no SIGCHLD, and its wait() and waitpid() without
 * __WALL or __WCLONE never see it. The child is traced by crrun from birth
 * (PTRACE_O_TRACECLONE) and never runs a user instruction; it inherits
 * PTRACE_O_EXITKILL, which the parent has for the clone only, so that it
 * dies with crrun rather than run on as a second copy of the process. The
 * parent is put back and let go; the memory members read the child, whose
 * VMAs are the parent's as parsed while it was stopped (the child's own
 * show no VM_LOCKED: fork does not pass mlock on).
 *
 * At release the child is killed and waited for by crrun, its tracer;
 * that leaves a zombie only its parent can reap, so the parent is stopped
 * once more, briefly, to reap it with an injected wait4(). The parent
 * then has no child it did not make, and never had a signal for one. If
 * crrun itself is killed meanwhile, the zombie stays until the process
 * waits with __WALL or exits.
 *
 * Not taken (the stopped process is read, as without a snapshot): with
 * `crrun checkpoint --kill`, which must not let the process run past the
 * instant saved; when a VMA is not copied to a child as it is
 * (MADV_DONTFORK, MADV_WIPEONFORK) or is registered with a userfaultfd
 * (whose reader would be told of the fork); when the clone fails (memory
 * overcommit, RLIMIT_NPROC).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sched.h>

#include "core/mm/vma_flags.h"
#include "shim/linux/linux.h"
#include "shim/linux/target.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif

/* The target's options while it forks: the child inherits them. */
#define CR_SNAP_FORK_OPTS	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | \
				 PTRACE_O_EXITKILL)

/* Would a child's copy of this memory differ from the parent's? */
static bool cr_snapshot_differs(struct cr_target *t)
{
	const unsigned long not_forked = VM_DONTCOPY | VM_WIPEONFORK |
					 VM_UFFD_MISSING | VM_UFFD_WP;
	unsigned int i;

	if (cr_maps_refresh(t) < 0)
		return true;
	for (i = 0; i < t->nr_vmas; i++) {
		const struct cr_linux_vma *v = &t->vmas[i];

		if (v->type != CR_VMA_SHIM && (v->flags & not_forked)) {
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

/*
 * Kill the snapshot child and wait until it is a zombie of its parent.
 * @child is our traced child by our pid namespace: until the parent reaps
 * it, its pid cannot name another process.
 */
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

/*
 * Reap the killed child in its parent, stopped under us: an injected
 * wait4(), which needs no memory. @vpid is the child's pid as the parent
 * sees it. WNOHANG: it is a zombie by now, and the parent must never block
 * on it. ECHILD: the parent reaped it itself (a wait with __WALL).
 * Return: 0 or -errno.
 */
static int cr_snapshot_reap(struct cr_target *t, pid_t vpid)
{
	int tries;
	long r = 0;

	/* once more if the injection failed: a zombie must not stay */
	for (tries = 0; tries < 2; tries++) {
		r = cr_rsys(t, __NR_wait4, vpid, 0, __WALL | WNOHANG, 0);
		if (r == vpid || r == -ECHILD)
			return 0;
		if (r == -ESRCH)
			break;
	}
	cr_lerr(t, "pid %d: reaping its snapshot (its pid %d): error %ld",
		t->pid, vpid, r);
	return r < 0 ? (int)r : -EAGAIN;
}

/* Kill and reap a child made while the parent is still stopped. */
static int cr_snapshot_discard(struct cr_target *t, pid_t child, long vpid)
{
	cr_snapshot_kill(child);
	if (vpid <= 0)
		return vpid < 0 ? (int)vpid : -ESRCH;
	return cr_snapshot_reap(t, vpid);
}

/* clone's own refusals: no snapshot here, the stopped target is read. */
static bool cr_clone_refused(long err)
{
	return err == -ENOMEM || err == -EAGAIN || err == -EPERM ||
	       err == -ENOSYS || err == -EINVAL || err == -ENOSPC ||
	       err == -EUSERS;
}

/*
 * Fork the stopped target: 0 with t->clone_child (ours) and t->snap_vpid
 * (the target's pid of it) set, the child stopped; -EOPNOTSUPP when the
 * clone is refused; or -errno. Whatever fails, no child is left.
 */
static int cr_snapshot_fork(struct cr_target *t)
{
	long vpid;
	int ret;

	ret = cr_fault_point(t, "snapshot_clone");
	if (ret < 0)
		return -EOPNOTSUPP;
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)CR_SNAP_FORK_OPTS) < 0)
		return -errno;
	t->clone_child = 0;
	/* flags: exit signal 0 and CLONE_FILES */
	vpid = cr_rsys(t, __NR_clone, CLONE_FILES, 0, 0, 0, 0);
	/* the target must not die with crrun from here on */
	ret = 0;
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)PTRACE_O_TRACESYSGOOD) < 0)
		ret = -errno;
	if (!t->clone_child) {
		if (vpid > 0)	/* made, but not seen: not a child of ours */
			return -EPROTO;
		if (!ret && vpid < 0 && cr_clone_refused(vpid))
			return -EOPNOTSUPP;
		return ret ?: vpid < 0 ? (int)vpid : -EPROTO;
	}
	if (!ret)
		ret = cr_wait_new_child(t->clone_child);
	if (!ret && ptrace(PTRACE_SETOPTIONS, t->clone_child, NULL,
			   (void *)(long)PTRACE_O_EXITKILL) < 0)
		ret = -errno;
	if (!ret && vpid <= 0)
		ret = vpid < 0 ? (int)vpid : -EPROTO;
	if (ret < 0) {
		cr_snapshot_discard(t, t->clone_child, vpid);
		t->clone_child = 0;
		return ret;
	}
	t->snap_vpid = vpid;
	return 0;
}

/* Has the target exited (a zombie counts) since it was let go? */
static bool cr_snapshot_parent_gone(struct cr_target *t)
{
	struct pollfd pfd = { .fd = t->snap_pidfd, .events = POLLIN };
	char stat[512], *p;

	if (t->snap_pidfd >= 0)
		return poll(&pfd, 1, 0) > 0;
	/* no pidfd (a kernel before 5.3): its state */
	if (cr_proc_read_file(t->pid, "stat", stat, sizeof(stat)) < 0)
		return true;
	p = strrchr(stat, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
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
	pid_t parent = t->pid, child;
	int ret, err;

	if (t->no_snapshot || t->kind != CR_TARGET_SEIZED || !t->attached)
		return -EOPNOTSUPP;
	if (cr_snapshot_differs(t))
		return -EOPNOTSUPP;
	ret = cr_snapshot_fork(t);
	if (ret < 0) {
		cr_ldebug(t, "pid %d: no snapshot: fork failed: error %d",
			  parent, ret);
		return ret;
	}
	child = t->clone_child;
	ret = cr_fault_point(t, "snapshot_child");
	if (!ret)
		ret = cr_maps_match(t, child);
	if (ret < 0) {
		/* the parent is still stopped: the child goes at once */
		err = cr_snapshot_discard(t, child, t->snap_vpid);
		return err ?: ret;
	}
	/* to tell, at release, an exit from a recycled pid */
	t->snap_pidfd = syscall(__NR_pidfd_open, parent, 0);

	/* from here on, release kills the child and reaps it in the parent */
	t->snap_parent = parent;
	ret = cr_seized_let_go(t);
	t->pid = child;
	t->attached = true;
	if (ret < 0) {
		cr_lerr(t, "pid %d: letting it run on after the snapshot: error %d",
			parent, ret);
		return ret;
	}

	/*
	 * The memory members now read the child. Its VMAs are the parent's,
	 * shim area included: the list parsed from the parent stays.
	 */
	t->stopped = true;
	t->dead = false;
	t->dirty = false;
	t->sigmask_blocked = false;
	t->area = area;
	t->area_len = area_len;
	t->trap_gadget = trap_gadget;	/* the child has a copy */
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
	cr_ldebug(t, "pid %d: memory snapshot in child %d; the process runs on",
		  parent, child);
	return 0;
}

/**
 * cr_linux_no_snapshot() - keep the process stopped for its whole checkpoint
 * @t: from cr_linux_seize()
 */
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
	int ret, err;

	cr_snapshot_kill(child);
	cr_target_close_proc(t);
	t->pid = t->snap_parent;
	t->snap_parent = 0;
	t->write_state = CR_WRITE_UNTRIED;
	t->attached = false;
	t->area = 0;
	t->trap_gadget = 0;
	/* code copied into the snapshot's page only, not the process's */
	t->batch_code = 0;
	t->crc_write_code = 0;
	t->no_vm_read = false;

	if (cr_snapshot_parent_gone(t))
		return 0;	/* it exited: init reaps what it left */
	ret = cr_reseize(t);
	if (ret < 0 && !t->attached &&
	    (ret == -ESRCH || cr_snapshot_parent_gone(t)))
		return 0;
	if (!ret && cr_snapshot_parent_gone(t)) {
		/* its pid is another process's now: not ours to touch */
		cr_seized_let_go(t);
		return 0;
	}
	if (ret < 0) {
		cr_lerr(t, "pid %d: stopping it again to reap its snapshot %d: error %d",
			t->pid, child, ret);
		cr_seized_let_go(t);
		return ret;
	}
	ret = cr_snapshot_reap(t, t->snap_vpid);
	err = cr_seized_let_go(t);
	/* a test's failure here is reported, but the process is not hurt */
	if (!ret && !err)
		ret = cr_fault_point(t, "snapshot_reap");
	return ret ?: err;
}
