// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls injected into a stopped target: point rip at a `syscall`
 * instruction already in its memory (the gadget), load the arguments, step
 * it with PTRACE_SYSCALL to the entry stop and the exit stop, read rax.
 * The registers of the call are built from the target's own (so that rsp
 * and the rest stay valid); the caller puts the real ones back at the end.
 *
 * While calls are injected every signal is blocked (PTRACE_SETSIGMASK),
 * so that a pending signal is not delivered in the middle of them: the
 * original mask is put back by release/resume.
 *
 * cr_remote_syscalls() makes a list of calls in one stop: a short loop
 * (cr_arch_syscall_batch) copied after the trap gadget runs a table of
 * them from the scratch area.
 *
 * Also here: finding a gadget, a free place for the shim's own mapping,
 * and that mapping.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "arch/x86/syscall_abi.h"
#include "core/mm/vma_flags.h"
#include "shim/linux/target.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/* below this the kernel refuses mappings (vm.mmap_min_addr) */
#define CR_MMAP_MIN	0x10000UL

static const char *cr_sys_name(long nr, char *buf, size_t len)
{
	switch (nr) {
	case __NR_mmap:			return "sys_mmap";
	case __NR_munmap:		return "sys_munmap";
	case __NR_mremap:		return "sys_mremap";
	case __NR_openat:		return "sys_openat";
	case __NR_close:		return "sys_close";
	case __NR_prctl:		return "sys_prctl";
	case __NR_modify_ldt:		return "sys_modify_ldt";
	case __NR_rt_sigaction:		return "sys_rt_sigaction";
	case __NR_sigaltstack:		return "sys_sigaltstack";
	case __NR_rseq:			return "sys_rseq";
	case __NR_set_tid_address:	return "sys_set_tid_address";
	case __NR_set_robust_list:	return "sys_set_robust_list";
	case __NR_umask:		return "sys_umask";
	case __NR_chdir:		return "sys_chdir";
	case __NR_dup3:			return "sys_dup3";
	case __NR_lseek:		return "sys_lseek";
	case __NR_setgroups:		return "sys_setgroups";
	case __NR_setresuid:		return "sys_setresuid";
	case __NR_setresgid:		return "sys_setresgid";
	case __NR_setfsuid:		return "sys_setfsuid";
	case __NR_setfsgid:		return "sys_setfsgid";
	case __NR_capset:		return "sys_capset";
	case __NR_personality:		return "sys_personality";
	case __NR_brk:			return "sys_brk";
	case __NR_fcntl:		return "sys_fcntl";
	case __NR_clone:		return "sys_clone";
	case __NR_wait4:		return "sys_wait4";
	case __NR_userfaultfd:		return "sys_userfaultfd";
	case __NR_prlimit64:		return "sys_prlimit64";
	case __NR_close_range:		return "sys_close_range";
	case __NR_socket:		return "sys_socket";
	case __NR_connect:		return "sys_connect";
	case __NR_recvmsg:		return "sys_recvmsg";
	case __NR_pwritev:		return "sys_pwritev";
	}
	snprintf(buf, len, "sys_%ld", nr);
	return buf;
}

/*
 * An event stop of an injected call: a clone (PTRACE_O_TRACECLONE) tells
 * the child's pid in our pid namespace, where the call returns the one of
 * the target's.
 */
static void cr_note_event(struct cr_target *t, int status)
{
	unsigned long msg;

	if (status >> 16 != PTRACE_EVENT_CLONE &&
	    status >> 16 != PTRACE_EVENT_FORK)
		return;
	if (!ptrace(PTRACE_GETEVENTMSG, t->pid, NULL, &msg))
		t->clone_child = msg;
}

/*
 * Resume to the next syscall stop (entry or exit). Stops that are not ours
 * (a late PTRACE_INTERRUPT trap, SIGSTOP sent by someone) are stepped over;
 * a signal raised by the call itself (a bad gadget) is an error.
 */
static int cr_step_to_syscall_stop(struct cr_target *t)
{
	int status, sig, ret;

	for (;;) {
		if (ptrace(PTRACE_SYSCALL, t->pid, NULL, NULL) < 0)
			return -errno;
		ret = cr_ptrace_wait_stop(t, &status);
		if (ret < 0)
			return ret;
		sig = WSTOPSIG(status);
		if (sig == (SIGTRAP | 0x80))
			return 0;
		if (status >> 16) {
			cr_note_event(t, status);
			continue;	/* an event stop: not a signal */
		}
		switch (sig) {
		case SIGSEGV:
		case SIGBUS:
		case SIGILL:
		case SIGTRAP:
		case SIGFPE:
			return -EFAULT;
		}
		cr_lwarn(t, "pid %d: signal %d during an injected call, dropped",
			 t->pid, sig);
	}
}

/*
 * Let the target run the gadget's `syscall` and stop at the int3 after it:
 * one stop a call instead of two (entry and exit). The kernel restarts an
 * interrupted call by itself here, as it would for the process.
 */
static int cr_run_to_trap(struct cr_target *t)
{
	int status, sig, ret;

	for (;;) {
		if (ptrace(PTRACE_CONT, t->pid, NULL, NULL) < 0)
			return -errno;
		ret = cr_ptrace_wait_stop(t, &status);
		if (ret < 0)
			return ret;
		if (status >> 16) {
			cr_note_event(t, status);
			continue;	/* an event stop: not a signal */
		}
		sig = WSTOPSIG(status);
		switch (sig) {
		case SIGTRAP:
			return 0;	/* the int3; the next CONT drops it */
		case SIGSEGV:
		case SIGBUS:
		case SIGILL:
		case SIGFPE:
			return -EFAULT;
		}
		cr_lwarn(t, "pid %d: signal %d during an injected call, dropped",
			 t->pid, sig);
	}
}

/*
 * Before crrun's code runs in the target: the registers' buffer, and
 * every signal blocked (the mask is put back by release or resume).
 */
static int cr_remote_prepare(struct cr_target *t)
{
	int ret;

	/* the child runs: no range of it may stay registered */
	ret = cr_uffd_drop(t);
	if (ret < 0)
		return ret;
	if (!t->inj) {
		t->inj = malloc(sizeof(*t->inj));
		if (!t->inj)
			return -ENOMEM;
	}
	if (!t->sigmask_blocked) {
		ret = cr_ptrace_set_sigmask(t, ~0ULL);
		if (ret < 0)
			return ret;
		t->sigmask_blocked = true;
	}
	return 0;
}

/**
 * cr_remote_syscall() - make the stopped target call syscall @nr
 * @t: the target, stopped under ptrace, with a gadget
 * @nr: the syscall number
 * @args: its arguments
 *
 * Return: what the call returned (which may be -errno), or -errno if it
 * could not be made (-ESRCH: the target is gone).
 */
long cr_remote_syscall(struct cr_target *t, long nr, const u64 args[6])
{
	struct user_regs_struct gp;
	char name[32];
	int ret;

	ret = cr_fault_point(t, cr_sys_name(nr, name, sizeof(name)));
	if (ret < 0)
		return ret;
	if (t->dead || !t->attached)
		return -ESRCH;
	if (!t->gadget)
		return -ENOEXEC;
	ret = cr_remote_prepare(t);
	if (ret < 0)
		return ret;

	gp = t->regs0.gp;
	if (t->inj_sp)
		gp.rsp = t->inj_sp;
	memcpy(t->inj->gregs, &gp, sizeof(gp));
	cr_arch_syscall_setup(t->inj, nr, (const unsigned long *)args,
			      t->trap_gadget ?: t->gadget);
	memcpy(&gp, t->inj->gregs, sizeof(gp));
	ret = cr_ptrace_set_gp(t, &gp);
	if (ret < 0)
		return ret;
	t->dirty = true;
	t->nr_injected++;

	if (t->trap_gadget) {
		ret = cr_run_to_trap(t);
	} else {
		ret = cr_step_to_syscall_stop(t);	/* entry */
		if (!ret)
			ret = cr_step_to_syscall_stop(t);	/* exit */
	}
	if (ret < 0)
		return ret;
	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &gp) < 0)
		return -errno;
	memcpy(t->inj->gregs, &gp, sizeof(gp));
	return cr_arch_syscall_result(t->inj);
}

/* Calls the batch cannot run: one at a time, as cr_remote_syscall(). */
static int cr_remote_syscalls_one_by_one(struct cr_target *t,
					 struct cr_arch_syscall *calls,
					 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		calls[i].ret = cr_remote_syscall(t, calls[i].nr,
						 calls[i].args);
		if (calls[i].ret < 0)
			return calls[i].ret;
	}
	return 0;
}

/**
 * cr_remote_base_regs() - the registers crrun's code in the target starts
 * from: the target's own, with rsp the injection stack if there is one
 * @t: the target
 * @regs: filled in
 */
void cr_remote_base_regs(struct cr_target *t, struct cr_arch_regs *regs)
{
	struct user_regs_struct gp = t->regs0.gp;

	if (t->inj_sp)
		gp.rsp = t->inj_sp;
	memcpy(regs->gregs, &gp, sizeof(gp));
}

/**
 * cr_remote_run_code() - run code of crrun's in the stopped target until
 * its int3
 * @t: the target, stopped under ptrace
 * @regs: the registers to run with (rip: the code); on return, the ones
 *	at the int3 stop
 *
 * Signals stay blocked meanwhile, as for injected calls.
 *
 * Return: 0, or -errno (-EFAULT: it stopped on a fault).
 */
int cr_remote_run_code(struct cr_target *t, struct cr_arch_regs *regs)
{
	struct user_regs_struct gp;
	int ret;

	if (t->dead || !t->attached)
		return -ESRCH;
	ret = cr_remote_prepare(t);
	if (ret < 0)
		return ret;
	memcpy(&gp, regs->gregs, sizeof(gp));
	ret = cr_ptrace_set_gp(t, &gp);
	if (ret < 0)
		return ret;
	t->dirty = true;
	ret = cr_run_to_trap(t);
	if (ret < 0)
		return ret;
	if (ptrace(PTRACE_GETREGS, t->pid, NULL, &gp) < 0)
		return -errno;
	memcpy(regs->gregs, &gp, sizeof(gp));
	return 0;
}

/**
 * cr_remote_code() - crrun's code, copied into the page of the trap gadget
 * @t: the target, with the shim's executable page
 * @off: where in that page (CR_*_CODE_OFF)
 * @code: the bytes
 * @len: how many
 * @at: the copy's address once made, or 0: copied only the first time
 *
 * Return: 0 or -errno.
 */
int cr_remote_code(struct cr_target *t, unsigned long off, const u8 *code,
		   size_t len, unsigned long *at)
{
	int ret;

	if (*at)
		return 0;
	ret = cr_mem_write(t, t->trap_gadget + off, code, len);
	if (ret < 0)
		return ret;
	*at = t->trap_gadget + off;
	return 0;
}

/* Run @n calls of the table at @table, all in one stop. */
static int cr_run_batch(struct cr_target *t, unsigned long table,
			unsigned int n, long *done)
{
	unsigned long code;
	int ret;

	ret = cr_remote_code(t, CR_BATCH_CODE_OFF, cr_arch_syscall_batch,
			     sizeof(cr_arch_syscall_batch), &t->batch_code);
	if (ret < 0)
		return ret;
	code = t->batch_code;
	cr_remote_base_regs(t, t->inj);
	cr_arch_syscall_batch_setup(t->inj, table, n, code);
	t->nr_injected += n;
	ret = cr_remote_run_code(t, t->inj);
	if (ret < 0)
		return ret;
	*done = cr_arch_syscall_batch_done(t->inj, table, code);
	return *done < 0 ? (int)*done : 0;
}

/**
 * cr_remote_syscalls() - make the stopped target call several syscalls
 * @t: the target, stopped under ptrace, with a gadget
 * @calls: the calls, in order; ->ret is set for each one made
 * @n: how many
 *
 * They are made in order, up to the first that fails, as one call after
 * the other would be; with the shim's executable page, all in one ptrace
 * stop (cr_arch_syscall_batch), else one at a time. The table goes at the
 * end of the scratch area: arguments that point into scratch memory must
 * stay below its last @n * 64 bytes.
 *
 * Return: 0 when every call returned >= 0; else the first -errno, of a
 * call or of making it (-E2BIG: the table does not fit).
 */
int cr_remote_syscalls(struct cr_target *t, struct cr_arch_syscall *calls,
		       unsigned int n)
{
	size_t bytes = (size_t)n * sizeof(*calls);
	unsigned long table;
	unsigned int i, run;
	char name[32];
	long done = 0;
	int ret, fault = 0;

	if (t->dead || !t->attached)
		return -ESRCH;
	if (!t->trap_gadget || !t->scratch)
		return cr_remote_syscalls_one_by_one(t, calls, n);
	if (bytes > t->scratch_len)
		return -E2BIG;
	/* the named fault points of the calls, in order: run those before */
	for (run = 0; run < n; run++) {
		fault = cr_fault_point(t, cr_sys_name(calls[run].nr, name,
						      sizeof(name)));
		if (fault < 0)
			break;
	}
	ret = cr_remote_prepare(t);
	if (ret < 0)
		return ret;

	table = t->scratch + t->scratch_len - bytes;
	if (run) {
		ret = cr_mem_write(t, table, calls, run * sizeof(*calls));
		if (!ret)
			ret = cr_run_batch(t, table, run, &done);
		if (!ret)
			ret = cr_mem_read(t, table, calls, done * sizeof(*calls));
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < done; i++)
		if (calls[i].ret < 0)
			return calls[i].ret;
	if (fault < 0) {
		calls[run].ret = fault;
		return fault;
	}
	return done == run ? 0 : -EFAULT;
}

/* Find the two bytes 0f 05 in [start, end) of the target. */
static unsigned long cr_scan_for_syscall(struct cr_target *t,
					 unsigned long start,
					 unsigned long end)
{
	unsigned long addr, len, i;
	u8 *buf;

	buf = malloc(16 * PAGE_SIZE + 1);
	if (!buf)
		return 0;
	for (addr = start; addr < end; addr += len) {
		len = min(end - addr, 16 * PAGE_SIZE);
		if (cr_mem_read(t, addr, buf, len) < 0)
			break;
		for (i = 0; i + 1 < len; i++) {
			if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
				free(buf);
				return addr + i;
			}
		}
	}
	free(buf);
	return 0;
}

/**
 * cr_find_gadget() - find a `syscall` instruction in the target
 * @t: the target, stopped, with /proc/PID/mem open
 *
 * The vdso has some (the fallbacks of its calls); failing that, any
 * executable mapping. Executing from the middle of another instruction is
 * fine: the CPU decodes from rip.
 *
 * Return: 0 with t->gadget set, or -ENOEXEC when there is none.
 */
int cr_find_gadget(struct cr_target *t)
{
	const struct cr_linux_vma *v;
	unsigned int i, pass;
	int ret;

	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < t->nr_vmas; i++) {
			v = &t->vmas[i];
			if (!(v->flags & VM_EXEC) || v->type == CR_VMA_VSYSCALL)
				continue;
			if ((pass == 0) != (v->type == CR_VMA_VDSO))
				continue;
			t->gadget = cr_scan_for_syscall(t, v->start, v->end);
			if (t->gadget)
				return 0;
		}
	}
	return -ENOEXEC;
}

/* The VM_* bits a private anonymous mapping of @prot gets. */
static unsigned long cr_prot_vm_flags(int prot)
{
	unsigned long flags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		flags |= VM_READ;
	if (prot & PROT_WRITE)
		flags |= VM_WRITE;
	if (prot & PROT_EXEC)
		flags |= VM_EXEC;
	return flags;
}

static int cr_cmp_range(const void *a, const void *b)
{
	const struct cr_layout_vma *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/**
 * cr_find_free_area() - a free place for @len bytes in the target
 * @t: the target
 * @len: page-aligned length
 * @avoid: ranges to keep clear of too (the image's VMAs), or NULL
 * @nr_avoid: how many
 *
 * The highest gap below the top of the user address space that leaves a
 * free page on either side, so that the new mapping merges with nothing.
 *
 * Return: the address, or 0 when there is no such gap.
 */
unsigned long cr_find_free_area(struct cr_target *t, unsigned long len,
				const struct cr_layout_vma *avoid,
				unsigned int nr_avoid)
{
	struct cr_layout_vma *r;
	unsigned long lo = CR_MMAP_MIN, best = 0;
	unsigned int i, n = 0;

	if (cr_maps_refresh(t) < 0)
		return 0;
	r = malloc((t->nr_vmas + nr_avoid + 1) * sizeof(*r));
	if (!r)
		return 0;
	for (i = 0; i < t->nr_vmas; i++) {
		r[n].start = t->vmas[i].start;
		r[n++].end = t->vmas[i].end;
	}
	for (i = 0; i < nr_avoid; i++)
		r[n++] = avoid[i];
	r[n].start = r[n].end = CR_TASK_SIZE_MAX;
	n++;
	qsort(r, n, sizeof(*r), cr_cmp_range);
	for (i = 0; i < n; i++) {
		unsigned long hi = min(r[i].start, (u64)CR_TASK_SIZE_MAX);

		if (hi > lo && hi - lo >= len + 2 * PAGE_SIZE)
			best = hi - PAGE_SIZE - len;
		lo = max(lo, (unsigned long)r[i].end);
		if (lo >= CR_TASK_SIZE_MAX)
			break;
	}
	free(r);
	return best;
}

/**
 * cr_map_shim_area() - map the shim's own private anonymous area
 * @t: the target, with a gadget
 * @len: page-aligned length
 * @avoid: ranges to keep clear of (the image's VMAs), or NULL
 * @nr_avoid: how many
 * @prot: PROT_*
 *
 * find_vma reports it as CR_VMA_SHIM.
 *
 * Return: 0 with t->area and t->area_len set, or -errno.
 */
int cr_map_shim_area(struct cr_target *t, unsigned long len,
		     const struct cr_layout_vma *avoid, unsigned int nr_avoid,
		     int prot)
{
	unsigned long addr;
	long ret;

	addr = cr_find_free_area(t, len, avoid, nr_avoid);
	if (!addr)
		return -ENOMEM;
	ret = cr_rsys(t, __NR_mmap, addr, len, prot,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		      (u64)-1, 0);
	if (ret < 0 || (unsigned long)ret != addr)
		cr_maps_drop(t);
	if (ret < 0)
		return ret;
	if ((unsigned long)ret != addr) {
		cr_rsys(t, __NR_munmap, ret, len);
		return -EEXIST;
	}
	/* a free page on either side: it merged with nothing */
	cr_maps_insert(t, addr, addr + len, cr_prot_vm_flags(prot),
		       CR_VMA_SHIM);
	t->batch_code = 0;	/* a new area holds no code yet */
	t->crc_write_code = 0;
	t->area = addr;
	t->area_len = len;
	return 0;
}

/**
 * cr_scratch_put() - copy arguments into the scratch area
 * @t: the target
 * @off: offset in the scratch area
 * @buf: the bytes
 * @len: how many
 *
 * Return: 0, -E2BIG if they do not fit, or -errno.
 */
int cr_scratch_put(struct cr_target *t, unsigned long off, const void *buf,
		   size_t len)
{
	if (!t->scratch)
		return -ENOMEM;
	if (off > t->scratch_len || len > t->scratch_len - off)
		return -E2BIG;
	return cr_mem_write(t, t->scratch + off, buf, len);
}
