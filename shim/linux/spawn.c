// SPDX-License-Identifier: GPL-2.0
/*
 * Restore side: the child a restore fills, and its end.
 *
 * cr_linux_spawn() clones a child with the image's pid (clone3 set_tid).
 * The child asks to be traced, closes every fd above 2 but the image's
 * (kept for restore --lazy to map page data from) and stops itself; from
 * then on it runs nothing of its own. Through calls injected at a
 * `syscall` of its vdso, crrun maps the injection area (`0f 05 cc`, then
 * scratch memory) where the image has nothing, unregisters the rseq area
 * the child inherited from crrun's libc, and moves the vdso and vvar out
 * of the image's way. The engine then replaces everything else.
 *
 * cr_linux_resume() applies the credentials, closes the image, unmaps the
 * injection area as the last injected call (the exit stop lands on the
 * unmapped page + 2), sets the image's registers and mask, and detaches.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/prctl.h>
#include <linux/sched.h>

#include "arch/x86/syscall_abi.h"
#include "shim/linux/linux.h"
#include "shim/linux/target.h"

#ifndef RSEQ_FLAG_UNREGISTER
#define RSEQ_FLAG_UNREGISTER	1
#endif

/* How long a just-killed process may keep its pid (PLATFORM.md) */
#define CR_PID_WAIT_TRIES	100
#define CR_PID_WAIT_US		10000

/*
 * The child, between clone3 and its stop: raw syscalls only (it is a copy
 * of crrun with libc's idea of its own tid wrong). It keeps @image_fd (> 2)
 * and no other fd above 2.
 */
static void __attribute__((noreturn)) cr_child_main(int image_fd)
{
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0)
		syscall(SYS_exit_group, 126);
	if (image_fd > 3)
		syscall(SYS_close_range, 3, image_fd - 1, 0);
	syscall(SYS_close_range, image_fd + 1, ~0U, 0);
	syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
	syscall(SYS_exit_group, 127);
	__builtin_unreachable();
}

/*
 * The signal actions the child is born with: crrun's own. A restore sets
 * only those the image has otherwise (most are SIG_DFL in both), sparing
 * an injected call for each of the others.
 */
static void cr_record_inherited_actions(struct cr_target *t)
{
	int sig;

	t->have_inherited_act = false;
	for (sig = 1; sig <= CR_NSIG; sig++)
		if (syscall(SYS_rt_sigaction, sig, NULL,
			    &t->inherited_act[sig - 1], sizeof(u64)) < 0)
			return;
	t->have_inherited_act = true;
}

static long cr_clone_with_pid(pid_t pid, int image_fd)
{
	pid_t tid = pid;
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (u64)(unsigned long)&tid,
		.set_tid_size = 1,
	};
	long ret;

	ret = syscall(SYS_clone3, &args, sizeof(args));
	if (ret < 0)
		return -errno;
	if (ret == 0)
		cr_child_main(image_fd);
	return ret;
}

/* Is @pid held by a process that is dead or dying (so it will be free)? */
static bool cr_pid_dying(pid_t pid)
{
	char buf[512], *p;
	int ret;

	ret = cr_proc_read_file(pid, "stat", buf, sizeof(buf));
	if (ret == -ENOENT || ret == -ESRCH)
		return true;
	if (ret < 0)
		return false;
	p = strrchr(buf, ')');
	return p && (p[2] == 'Z' || p[2] == 'X');
}

static bool cr_overlaps_layout(unsigned long start, unsigned long end,
			       const struct cr_layout *layout)
{
	unsigned int i;

	for (i = 0; i < layout->nr_vmas; i++)
		if (start < layout->vmas[i].end && layout->vmas[i].start < end)
			return true;
	return false;
}

/*
 * Move the child's vdso and vvar pages, together (the vdso finds its data
 * at a fixed distance), to a place no VMA of the image uses, if they are
 * in the way. The engine moves them to the image's addresses later.
 */
static int cr_move_specials(struct cr_target *t,
			    const struct cr_layout *layout)
{
	struct { unsigned long start, end; } sp[4];
	unsigned long lo = ~0UL, hi = 0, base;
	unsigned int i, n = 0;
	bool in_way = false;
	long ret;

	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	for (i = 0; i < t->nr_vmas && n < ARRAY_SIZE(sp); i++) {
		const struct cr_linux_vma *v = &t->vmas[i];

		if (v->type != CR_VMA_VDSO && v->type != CR_VMA_VVAR &&
		    v->type != CR_VMA_VVAR_VCLOCK)
			continue;
		sp[n].start = v->start;
		sp[n].end = v->end;
		lo = min(lo, v->start);
		hi = max(hi, v->end);
		in_way |= cr_overlaps_layout(v->start, v->end, layout);
		n++;
	}
	if (!in_way)
		return 0;
	base = cr_find_free_area(t, hi - lo, layout->vmas, layout->nr_vmas);
	if (!base)
		return -ENOMEM;
	cr_ldebug(t, "pid %d: vdso and vvar %#lx-%#lx in the image's way, moved to %#lx",
		  t->pid, lo, hi, base);
	for (i = 0; i < n; i++) {
		unsigned long len = sp[i].end - sp[i].start;
		unsigned long to = base + (sp[i].start - lo);

		ret = cr_rsys(t, __NR_mremap, sp[i].start, len, len,
			      MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (ret < 0 || (unsigned long)ret != to)
			cr_maps_drop(t);
		if (ret < 0)
			return ret;
		if ((unsigned long)ret != to)
			return -EFAULT;
		cr_maps_moved(t, sp[i].start, len, to);
	}
	return 0;
}

/* Map the injection area and switch the gadget to it. */
static int cr_setup_inject_area(struct cr_target *t,
				const struct cr_layout *layout)
{
	int ret;

	ret = cr_map_shim_area(t, CR_LINUX_INJECT_PAGES * PAGE_SIZE,
			       layout->vmas, layout->nr_vmas,
			       PROT_READ | PROT_WRITE | PROT_EXEC);
	if (ret < 0)
		return ret;
	ret = cr_mem_write(t, t->area, cr_arch_syscall_gadget,
			   sizeof(cr_arch_syscall_gadget));
	if (ret < 0)
		return ret;
	t->gadget = t->area;
	t->trap_gadget = t->area;
	t->scratch = t->area + PAGE_SIZE;
	t->scratch_len = (CR_LINUX_INJECT_PAGES - 2) * PAGE_SIZE;
	t->inj_sp = t->area + t->area_len - 128;
	return 0;
}

static int cr_unregister_rseq(struct cr_target *t)
{
	struct cr_thread_info ti;
	long ret;

	ret = cr_ptrace_get_rseq(t, &ti);
	if (ret < 0 || !ti.rseq_len)
		return ret;
	ret = cr_rsys(t, __NR_rseq, ti.rseq_addr, ti.rseq_len,
		      RSEQ_FLAG_UNREGISTER, ti.rseq_sig);
	return ret < 0 ? ret : 0;
}

/* The child is stopped by its own SIGSTOP: take it over. */
static int cr_spawn_attach(struct cr_target *t)
{
	int status, ret;

	ret = cr_fault_point(t, "spawn_wait");
	if (!ret)
		ret = cr_ptrace_wait_stop(t, &status);
	if (ret < 0)
		return ret;
	t->attached = true;
	if (WSTOPSIG(status) != SIGSTOP)
		return -ECHILD;
	ret = cr_fault_point(t, "spawn_attach");
	if (ret < 0)
		return ret;
	if (ptrace(PTRACE_SETOPTIONS, t->pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0)
		return -errno;
	ret = cr_target_open_proc(t);
	if (!ret)
		ret = cr_ptrace_get_regs(t, &t->regs0);
	if (!ret)
		ret = cr_find_gadget(t);
	return ret;
}

/*
 * The image's fd for the child: @image_fd itself, or a copy above 2 if it
 * is one of the fds the child inherits as 0-2. Return: the fd, or -errno.
 */
static int cr_child_image_fd(int image_fd)
{
	int fl;

	fl = fcntl(image_fd, F_GETFL);
	if (fl < 0)
		return -errno;
	/* a mapping can write nothing back through a read-only file */
	if ((fl & O_ACCMODE) != O_RDONLY)
		return -EINVAL;
	if (image_fd > 2)
		return image_fd;
	fl = fcntl(image_fd, F_DUPFD_CLOEXEC, 3);
	return fl < 0 ? -errno : fl;
}

/**
 * cr_linux_spawn() - make the child a restore will fill
 * @layout: the image's pid and VMAs (cr_image_layout())
 * @image_fd: the image, open read-only; the child keeps a copy for
 *	->map_image() (restore --lazy), closed by cr_linux_resume()
 * @log: where to explain a failure
 *
 * The child has the image's pid (clone3 set_tid), is stopped and traced, has
 * no fd above 2 but the image's, no rseq registration, and its own
 * injection page, vdso and vvar outside every VMA of @layout.
 *
 * Return: the target, or ERR_PTR(-errno): -EEXIST the pid is taken,
 * -EINVAL @image_fd is not open read-only.
 */
struct cr_target *cr_linux_spawn(const struct cr_layout *layout, int image_fd,
				 const struct cr_log *log)
{
	struct cr_target *t;
	unsigned int tries;
	int ret, child_fd;
	long pid;

	t = cr_target_alloc(0, CR_TARGET_CHILD, log);
	if (!t)
		return ERR_PTR(-ENOMEM);
	ret = cr_fault_point(t, "spawn_clone");
	if (ret < 0)
		goto out_free;
	child_fd = cr_child_image_fd(image_fd);
	if (child_fd < 0) {
		ret = child_fd;
		cr_lerr(t, "the image's fd %d: error %d", image_fd, ret);
		goto out_free;
	}
	cr_record_inherited_actions(t);
	for (tries = 0;; tries++) {
		pid = cr_clone_with_pid(layout->pid, child_fd);
		if (pid != -EEXIST || tries >= CR_PID_WAIT_TRIES ||
		    !cr_pid_dying(layout->pid))
			break;
		usleep(CR_PID_WAIT_US);
	}
	if (child_fd != image_fd)
		close(child_fd);	/* the child has its own */
	if (pid < 0) {
		ret = pid;
		if (ret == -EEXIST)
			cr_lerr(t, "pid %u is in use by another process",
				layout->pid);
		else if (ret == -EPERM)
			cr_lerr(t, "making a process with pid %u needs root or CAP_CHECKPOINT_RESTORE",
				layout->pid);
		else
			cr_lerr(t, "clone3 with pid %u: %s", layout->pid,
				strerror(-ret));
		goto out_free;
	}
	t->pid = pid;
	t->image_fd = child_fd;

	ret = cr_spawn_attach(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: taking hold of the new child: error %d",
			t->pid, ret);
		goto out_kill;
	}
	ret = cr_fault_point(t, "spawn_inject_area");
	if (!ret)
		ret = cr_setup_inject_area(t, layout);
	if (ret < 0) {
		cr_lerr(t, "pid %d: mapping the injection area: error %d",
			t->pid, ret);
		goto out_kill;
	}
	cr_uffd_open(t);
	ret = cr_fault_point(t, "spawn_rseq");
	if (!ret)
		ret = cr_unregister_rseq(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: unregistering the inherited rseq area: error %d",
			t->pid, ret);
		goto out_kill;
	}
	ret = cr_fault_point(t, "spawn_specials");
	if (!ret)
		ret = cr_move_specials(t, layout);
	if (ret < 0) {
		cr_lerr(t, "pid %d: moving the vdso out of the image's way: error %d",
			t->pid, ret);
		goto out_kill;
	}
	return t;

out_kill:
	cr_linux_kill(t);
	return ERR_PTR(ret);
out_free:
	cr_target_free(t);
	return ERR_PTR(ret);
}

/* The image's registers and mask, at the exit stop of the last call. */
static int cr_resume_regs(struct cr_target *t)
{
	struct user_regs_struct gp;
	int ret;

	ret = cr_fault_point(t, "resume_regs");
	if (ret < 0)
		return ret;
	memcpy(&gp, t->new_regs->gregs, sizeof(gp));
	ret = cr_ptrace_set_gp(t, &gp);
	if (!ret)
		ret = cr_ptrace_set_xstate(t, t->new_regs->xstate,
					   t->new_regs->xstate_size);
	if (!ret)
		ret = cr_ptrace_set_sigmask(t, t->have_sigmask ?
					    t->new_sigmask : 0);
	return ret;
}

/**
 * cr_linux_resume() - let a fully restored child run
 * @t: from cr_linux_spawn(), after cr_restart() succeeded; freed
 *
 * Applies credentials, closes the image's fd, unmaps the injection page,
 * sets registers, detaches.
 * Return: the pid, or -errno (the child is killed then).
 */
pid_t cr_linux_resume(struct cr_target *t)
{
	pid_t pid = t->pid;
	long ret;

	if (!t->new_regs) {
		cr_lerr(t, "pid %d: no registers were set", pid);
		ret = -EINVAL;
		goto out_kill;
	}
	if (t->deferred_err) {
		ret = t->deferred_err;
		goto out_kill;
	}
	ret = cr_fault_point(t, "resume_creds");
	if (!ret)
		ret = cr_linux_apply_creds(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: applying credentials: error %ld", pid, ret);
		goto out_kill;
	}
	/* the child's own guard against crrun dying: ptrace's EXITKILL now */
	ret = cr_rsys(t, __NR_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (ret < 0) {
		cr_lerr(t, "pid %d: clearing the parent-death signal: error %ld",
			pid, ret);
		goto out_kill;
	}
	/* mappings of the image (restore --lazy) hold it: the fd can go */
	ret = cr_fault_point(t, "resume_close_image");
	if (!ret && t->image_fd >= 0)
		ret = cr_rsys(t, __NR_close, t->image_fd);
	if (ret < 0) {
		cr_lerr(t, "pid %d: closing the image's fd %d: error %ld", pid,
			t->image_fd, ret);
		goto out_kill;
	}
	t->image_fd = -1;
	/*
	 * The int3 goes with the area: this call stops at its exit, which
	 * is also the stop cr_resume_regs() expects to leave the child in.
	 */
	t->trap_gadget = 0;
	ret = cr_fault_point(t, "resume_munmap");
	if (!ret)
		ret = cr_rsys(t, __NR_munmap, t->area, t->area_len);
	if (ret < 0) {
		cr_lerr(t, "pid %d: unmapping the injection area: error %ld",
			pid, ret);
		goto out_kill;
	}
	t->area = 0;
	t->gadget = 0;
	ret = cr_resume_regs(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: setting registers: error %ld", pid, ret);
		goto out_kill;
	}
	ret = cr_linux_resume_tty(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: setting its terminal: error %ld", pid, ret);
		goto out_kill;
	}
	/*
	 * A process that stood stopped by job control stops again before
	 * it runs an instruction: the SIGSTOP queued now is taken on its
	 * way out of the detach.
	 */
	if (t->new_stop_sig && syscall(SYS_tgkill, pid, pid, SIGSTOP) < 0) {
		ret = -errno;
		cr_lerr(t, "pid %d: stopping it as it stood: error %ld", pid,
			ret);
		goto out_kill;
	}
	ret = cr_fault_point(t, "resume_detach");
	if (!ret && ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0)
		ret = -errno;
	if (ret < 0) {
		cr_lerr(t, "pid %d: detaching: error %ld", pid, ret);
		goto out_kill;
	}
	t->attached = false;
	cr_target_free(t);
	return pid;

out_kill:
	cr_linux_kill(t);
	return ret;
}

/**
 * cr_linux_kill() - discard a half-made child; @t is freed
 * @t: from cr_linux_spawn(), or NULL
 */
void cr_linux_kill(struct cr_target *t)
{
	int status;
	pid_t ret;

	if (!t)
		return;
	if (t->pid > 0 && !t->dead) {
		kill(t->pid, SIGKILL);
		do {
			ret = waitpid(t->pid, &status, __WALL);
		} while ((ret < 0 && errno == EINTR) ||
			 (ret == t->pid && !WIFEXITED(status) &&
			  !WIFSIGNALED(status)));
	}
	cr_target_free(t);
}
