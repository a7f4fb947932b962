// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint side: seize a running process and let it go again exactly as
 * it was.
 *
 * The process is stopped with PTRACE_SEIZE + PTRACE_INTERRUPT. Its
 * registers, XSAVE area and signal mask are kept; the shim maps a scratch
 * area (reported as CR_VMA_SHIM) for the calls it injects. On release the
 * area is unmapped and the registers and mask put back; then, if calls
 * were injected, the process is sent through one more PTRACE_INTERRUPT
 * stop before the detach, so that it leaves from inside the signal code
 * as it was stopped: the kernel's own syscall restart logic then sees the
 * original orig_rax/rax (a process stopped in nanosleep resumes its
 * nanosleep). Leaving straight from a syscall-exit stop would hand it
 * -ERESTART_RESTARTBLOCK as a return value.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "arch/x86/syscall_abi.h"
#include "shim/linux/linux.h"
#include "shim/linux/target.h"

static int cr_count_threads(pid_t pid)
{
	struct dirent *de;
	char path[64];
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* Refuse what crrun cannot save, before touching it. */
static int cr_check_seizable(struct cr_target *t)
{
	char *status, val[64];
	int ret, threads;

	if (t->pid == getpid()) {
		cr_lerr(t, "pid %d: crrun cannot checkpoint itself", t->pid);
		return -EINVAL;
	}
	status = malloc(65536);
	if (!status)
		return -ENOMEM;
	ret = cr_proc_read_file(t->pid, "status", status, 65536);
	if (ret == -ENOENT) {
		cr_lerr(t, "pid %d: no such process", t->pid);
		ret = -ESRCH;
	}
	if (ret < 0)
		goto out_free;
	ret = -ENOSYS;
	if (!cr_proc_status_field(status, "State", val, sizeof(val)) &&
	    (val[0] == 'Z' || val[0] == 'X')) {
		threads = cr_count_threads(t->pid);
		if (threads > 1)
			cr_lerr(t, "pid %d: its main thread has exited while %d other threads live on; crrun saves single-threaded processes only",
				t->pid, threads - 1);
		else
			cr_lerr(t, "pid %d: is a zombie", t->pid);
		goto out_free;
	}
	if (!cr_proc_status_field(status, "TracerPid", val, sizeof(val)) &&
	    atoi(val) != 0) {
		cr_lerr(t, "pid %d: already traced by pid %d", t->pid,
			atoi(val));
		goto out_free;
	}
	/* an injected call could kill it, and the filter cannot be saved */
	if (!cr_proc_status_field(status, "Seccomp", val, sizeof(val)) &&
	    atoi(val) != 0) {
		cr_lerr(t, "pid %d: runs under seccomp (mode %d), which crrun cannot save",
			t->pid, atoi(val));
		goto out_free;
	}
	threads = cr_count_threads(t->pid);
	if (threads > 1) {
		cr_lerr(t, "pid %d: has %d threads; crrun saves single-threaded processes only",
			t->pid, threads);
		goto out_free;
	}
	ret = threads < 0 ? threads : cr_check_refusals(t, status);
out_free:
	free(status);
	return ret;
}

/*
 * Wait for the PTRACE_INTERRUPT stop. A signal that arrives first is let
 * through as it would have been; the interrupt stays pending.
 */
static int cr_seize_wait(struct cr_target *t)
{
	int status, ret;

	for (;;) {
		ret = cr_ptrace_wait_stop(t, &status);
		if (ret < 0)
			return ret;
		if (status >> 16 == PTRACE_EVENT_STOP) {
			t->listen = WSTOPSIG(status) != SIGTRAP;
			t->stop_sig0 = WSTOPSIG(status);
			t->stopped = true;
			return 0;
		}
		if (ptrace(PTRACE_CONT, t->pid, NULL,
			   (void *)(long)(status >> 16 ? 0 : WSTOPSIG(status))) < 0)
			return -errno;
	}
}

/* struct rseq_cs (linux/rseq.h): a critical section's descriptor */
struct cr_rseq_cs {
	u32 version;
	u32 flags;
	u64 start_ip;
	u64 post_commit_offset;
	u64 abort_ip;
};

/*
 * A process stopped inside an rseq critical section would be sent to its
 * abort handler by the kernel on its way back to user space. The calls the
 * shim injects return elsewhere, and the kernel then only clears rseq_cs,
 * so do here what the kernel would have done: rip to abort_ip, rseq_cs to
 * zero. The image then holds the process as it will run anyway.
 */
static int cr_rseq_fixup(struct cr_target *t)
{
	struct cr_thread_info ti;
	struct cr_rseq_cs cs;
	u64 cs_ptr, zero = 0, rip = t->regs0.gp.rip;
	int ret;

	ret = cr_ptrace_get_rseq(t, &ti);
	if (ret < 0 || !ti.rseq_len)
		return ret == -EIO ? 0 : ret;
	/* struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs */
	if (cr_mem_read(t, ti.rseq_addr + 8, &cs_ptr, sizeof(cs_ptr)) < 0 ||
	    !cs_ptr)
		return 0;
	if (cr_mem_read(t, cs_ptr, &cs, sizeof(cs)) < 0)
		return 0;
	if (rip < cs.start_ip || rip - cs.start_ip >= cs.post_commit_offset)
		return 0;
	cr_ldebug(t, "pid %d: stopped in an rseq critical section at %#llx: to its abort handler %#llx",
		  t->pid, (unsigned long long)rip,
		  (unsigned long long)cs.abort_ip);
	ret = cr_mem_write(t, ti.rseq_addr + 8, &zero, sizeof(zero));
	if (ret < 0)
		return ret;
	t->regs0.gp.rip = cs.abort_ip;
	t->dirty = true;
	return 0;
}

/*
 * The scratch area for the arguments of injected calls, and after it a
 * page with `syscall; int3`: a call then costs one ptrace stop, not two.
 * Where executable memory cannot be mapped (an LSM's execmem rule) the
 * vdso's `syscall` serves, two stops a call.
 */
static int cr_map_scratch(struct cr_target *t)
{
	unsigned long len = CR_LINUX_SCRATCH_PAGES * PAGE_SIZE;
	int ret;

	ret = cr_map_shim_area(t, len + PAGE_SIZE, NULL, 0,
			       PROT_READ | PROT_WRITE | PROT_EXEC);
	if (!ret) {
		ret = cr_mem_write(t, t->area + len, cr_arch_syscall_gadget,
				   sizeof(cr_arch_syscall_gadget));
		if (!ret)
			t->trap_gadget = t->area + len;
	} else if (ret == -EACCES || ret == -EPERM) {
		ret = cr_map_shim_area(t, len, NULL, 0,
				       PROT_READ | PROT_WRITE);
	}
	if (ret < 0)
		return ret;
	t->scratch = t->area;
	t->scratch_len = len;
	return 0;
}

/**
 * cr_linux_seize() - stop a running process for checkpoint
 * @pid: the process; it need not be our child
 * @log: where to explain a refusal
 *
 * Return: the target, stopped, or ERR_PTR(-errno): -ESRCH it is gone,
 * -EPERM not allowed, -ENOSYS a process crrun cannot save (the log says why).
 */
struct cr_target *cr_linux_seize(pid_t pid, const struct cr_log *log)
{
	struct cr_target *t;
	int ret;

	t = cr_target_alloc(pid, CR_TARGET_SEIZED, log);
	if (!t)
		return ERR_PTR(-ENOMEM);
	ret = cr_check_seizable(t);
	if (ret < 0)
		goto out_free;

	/* the page walk of smaps, while it still runs */
	cr_maps_preread(t);

	ret = cr_fault_point(t, "seize_attach");
	if (ret < 0)
		goto out_free;
	if (ptrace(PTRACE_SEIZE, pid, NULL,
		   (void *)(long)PTRACE_O_TRACESYSGOOD) < 0) {
		ret = -errno;
		cr_lerr(t, "pid %d: PTRACE_SEIZE: %s", pid, strerror(-ret));
		goto out_free;
	}
	t->attached = true;

	ret = cr_fault_point(t, "seize_interrupt");
	if (!ret && ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
		ret = -errno;
	if (ret < 0)
		goto out_release;
	ret = cr_fault_point(t, "seize_wait");
	if (!ret)
		ret = cr_seize_wait(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: waiting for it to stop: error %d", pid, ret);
		goto out_release;
	}
	/* a thread may have been born between the check and the stop */
	ret = cr_count_threads(pid);
	if (ret > 1) {
		cr_lerr(t, "pid %d: has %d threads; crrun saves single-threaded processes only",
			pid, ret);
		ret = -ENOSYS;
		goto out_release;
	}

	ret = cr_fault_point(t, "seize_regs");
	if (!ret)
		ret = cr_ptrace_get_regs(t, &t->regs0);
	if (!ret)
		ret = cr_ptrace_get_sigmask(t, &t->sigmask0);
	if (!ret)
		ret = cr_target_open_proc(t);
	if (!ret)
		ret = cr_rseq_fixup(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: reading registers: error %d", pid, ret);
		goto out_release;
	}

	ret = cr_fault_point(t, "seize_gadget");
	if (!ret)
		ret = cr_find_gadget(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: no syscall instruction found to inject calls: error %d",
			pid, ret);
		goto out_release;
	}
	ret = cr_fault_point(t, "seize_scratch");
	if (!ret)
		ret = cr_map_scratch(t);
	if (ret < 0) {
		cr_lerr(t, "pid %d: mapping a scratch area: error %d", pid, ret);
		goto out_release;
	}
	return t;

out_release:
	cr_linux_release(t);
	return ERR_PTR(ret);
out_free:
	cr_target_free(t);
	return ERR_PTR(ret);
}

/*
 * Detach through a fresh PTRACE_INTERRUPT stop (see the top of the file).
 * A signal-delivery stop met on the way is detached with its signal.
 */
static int cr_detach_via_interrupt(struct cr_target *t)
{
	long sig = 0;
	int status, ret;

	if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_CONT, t->pid, NULL, NULL) < 0)
		return -errno;
	for (;;) {
		ret = cr_ptrace_wait_stop(t, &status);
		if (ret < 0)
			return ret;
		if (status >> 16 == PTRACE_EVENT_STOP)
			break;
		if (!(status >> 16) && WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status);
			break;
		}
		if (ptrace(PTRACE_CONT, t->pid, NULL, NULL) < 0)
			return -errno;
	}
	if (ptrace(PTRACE_DETACH, t->pid, NULL, (void *)sig) < 0)
		return -errno;
	return 0;
}

/* Registers, XSAVE area and mask as they were at the seize. */
static int cr_put_back_regs(struct cr_target *t)
{
	int ret = 0;

	if (t->dirty)
		ret = cr_ptrace_set_gp(t, &t->regs0.gp);
	if (!ret && t->dirty)
		ret = cr_ptrace_set_xstate(t, t->regs0.xstate,
					   t->regs0.xstate_size);
	if (!ret && t->sigmask_blocked)
		ret = cr_ptrace_set_sigmask(t, t->sigmask0);
	return ret;
}

/**
 * cr_seized_let_go() - put a seized process back and detach it
 * @t: seized; kept, for the caller to free or reuse
 *
 * Return: 0, or -errno if it could not be put back (it is detached anyway).
 */
int cr_seized_let_go(struct cr_target *t)
{
	int ret = 0, err;
	long r;

	if (!t->attached || t->dead)
		return t->dead ? -ESRCH : 0;
	if (!t->stopped) {
		/* seized, but the interrupt stop was never waited for */
		if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0 ||
		    cr_seize_wait(t) < 0) {
			t->attached = false;
			return -ESRCH;
		}
	}
	if (t->area) {
		int tries;

		/* the int3 goes with the area: this call uses the vdso's */
		t->trap_gadget = 0;
		/* once more on failure: the area must not stay behind */
		for (tries = 0; tries < 2; tries++) {
			err = cr_fault_point(t, "release_munmap");
			r = err ?: cr_rsys(t, __NR_munmap, t->area,
					   t->area_len);
			if (r >= 0 || r == -ESRCH)
				break;
		}
		if (r < 0) {
			cr_lerr(t, "pid %d: unmapping the scratch area %#lx: error %ld",
				t->pid, t->area, r);
			ret = r;
		}
		t->area = 0;
	}
	err = cr_put_back_regs(t);
	/* a test's failure here is reported, but the target is not hurt */
	if (!err)
		err = cr_fault_point(t, "release_regs");
	if (err < 0) {
		cr_lerr(t, "pid %d: putting its registers back: error %d",
			t->pid, err);
		ret = ret ?: err;
	}
	if (t->dirty)
		err = cr_detach_via_interrupt(t);
	else if (ptrace(PTRACE_DETACH, t->pid, NULL, NULL) < 0)
		err = -errno;
	else
		err = 0;
	if (!err)
		err = cr_fault_point(t, "release_detach");
	if (err < 0) {
		/* whatever happened, do not keep it traced */
		ptrace(PTRACE_DETACH, t->pid, NULL, NULL);
		cr_lerr(t, "pid %d: detaching: error %d", t->pid, err);
		ret = ret ?: err;
	}
	t->attached = false;
	return ret;
}

/**
 * cr_reseize() - take hold of a process again, briefly
 * @t: a target let go by cr_seized_let_go(), t->pid its pid
 *
 * Only what an injected call without memory needs: stopped, registers and
 * mask kept to put back (and an rseq critical section left for its abort
 * handler, as at the seize), a `syscall` still where it was (or found
 * anew).
 *
 * Return: 0, -ESRCH if it is gone, or -errno.
 */
int cr_reseize(struct cr_target *t)
{
	u16 insn = 0;
	int ret;

	t->stopped = t->dirty = t->sigmask_blocked = t->listen = false;
	t->dead = false;
	t->have_act = false;	/* it ran meanwhile */
	if (ptrace(PTRACE_SEIZE, t->pid, NULL,
		   (void *)(long)PTRACE_O_TRACESYSGOOD) < 0)
		return -errno;
	t->attached = true;
	if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL) < 0)
		return -errno;
	ret = cr_seize_wait(t);
	if (!ret) {
		cr_linux_regs_free(&t->regs0);
		ret = cr_ptrace_get_regs(t, &t->regs0);
	}
	if (!ret)
		ret = cr_ptrace_get_sigmask(t, &t->sigmask0);
	if (!ret)
		ret = cr_target_open_proc(t);
	/* the injected call must not skip an rseq abort, as at the seize */
	if (!ret)
		ret = cr_rseq_fixup(t);
	if (ret < 0)
		return ret;
	/* an exec in the meantime moved the vdso */
	if (cr_mem_read(t, t->gadget, &insn, sizeof(insn)) < 0 ||
	    insn != 0x050f) {
		cr_maps_drop(t);
		ret = cr_find_gadget(t);
	}
	return ret;
}

/**
 * cr_linux_kill_seized() - kill a seized process where it stands
 * @t: from cr_linux_seize(), its checkpoint taken without a snapshot;
 *	freed
 *
 * checkpoint --kill: the process must not run past the instant its image
 * holds, not even while the image is made durable, so it dies stopped
 * instead of being let go first. Its parent reaps it, as for any death;
 * crrun only waits for it as its tracer.
 *
 * Return: 0 once it is dead, or -errno: it was let go instead, as by
 * cr_linux_release() (a snapshot was taken, or it could not be killed).
 */
int cr_linux_kill_seized(struct cr_target *t)
{
	int status, ret = 0;
	pid_t r;

	if (!t)
		return 0;
	if (t->dead)
		goto out_free;
	if (t->snap_parent || !t->attached || !t->stopped) {
		ret = cr_linux_release(t);
		return ret ?: -EBUSY;
	}
	/* traced and unreaped by us: its pid names no one else */
	if (kill(t->pid, SIGKILL) < 0) {
		ret = -errno;
		cr_linux_release(t);
		return ret;
	}
	for (;;) {
		r = waitpid(t->pid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = errno == ECHILD ? 0 : -errno;
			break;
		}
		/* a stop already on its way is passed over: it dies anyway */
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
	}
	t->attached = false;
	t->dead = true;
out_free:
	cr_target_free(t);
	return ret;
}

/**
 * cr_linux_release() - let a seized process run on exactly as it was
 * @t: from cr_linux_seize(); freed
 *
 * With a memory snapshot (cr_linux_snapshot_mm()) the process is running
 * already: the snapshot goes, and leaves no trace in it.
 *
 * Return: 0, or -errno if it could not be put back (it is detached anyway).
 */
int cr_linux_release(struct cr_target *t)
{
	int ret;

	if (!t)
		return 0;
	if (t->snap_parent)
		ret = cr_snapshot_drop(t);
	else
		ret = cr_seized_let_go(t);
	cr_target_free(t);
	return ret;
}
