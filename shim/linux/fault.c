// SPDX-License-Identifier: GPL-2.0
/*
 * Named fault points, for the integration tests: with CRRUN_FAULT=NAME in
 * the environment, the step called NAME fails with -EIO each time it is
 * reached; with CRRUN_FAULT=NAME:N, only the Nth time (from 1). The state
 * lives in the target, not in a global. Compiled when CR_FAULT_POINTS is
 * defined (the default build); otherwise every point is a no-op.
 *
 * The names:
 *
 *   checkpoint (cr_linux_seize, cr_linux_release)
 *     seize_attach      PTRACE_SEIZE
 *     seize_interrupt   PTRACE_INTERRUPT
 *     seize_wait        waiting for the stop
 *     seize_regs        reading registers, xstate and the signal mask
 *     seize_gadget      finding a `syscall` instruction in the target
 *     seize_scratch     mapping the scratch area
 *     maps_hints        the VmFlags read before the stop are found stale
 *                       (not an error: smaps is read, stopped)
 *     snapshot_clone    the injected fork of the memory snapshot (none is
 *                       taken then: the stopped process is read)
 *     snapshot_child    once the fork is made, the process still stopped
 *                       (the child is killed and reaped at once)
 *     snapshot_reap     reaping the snapshot in the process (reports -EIO
 *                       after doing its work; the injected wait4 itself
 *                       is sys_wait4, tried twice)
 *     write_setup       giving the snapshot the image (not an error: crrun
 *                       reads the pages itself then; nor is a failure of
 *                       sys_prlimit64 ... sys_recvmsg, the calls it takes)
 *     pagemap_scan      the PAGEMAP_SCAN ioctl (not an error: pagemap is
 *                       read page by page, as before Linux 6.7)
 *     write_pages       the snapshot's writing of a batch into the image
 *     write_denied      the snapshot's write refused with EACCES, as by an
 *                       LSM (not an error: crrun writes the pages)
 *     write_summed      the loop that sums and writes in the snapshot (not
 *                       an error: plain pwritev, the image read back)
 *     release_munmap    unmapping the scratch area (it is left mapped)
 *     release_regs      putting registers, xstate and mask back
 *     release_detach    the final stop and PTRACE_DETACH
 *                       (these two report -EIO after doing their work:
 *                       a target is never left broken by a test)
 *
 *   restore (cr_linux_spawn, cr_linux_resume)
 *     spawn_clone       clone3 with set_tid
 *     spawn_wait        waiting for the child to stop
 *     spawn_attach      ptrace options, /proc files, registers
 *     spawn_inject_area mapping the injection area
 *     spawn_uffd        making the child's userfaultfd (not an error: the
 *                       pages are then written by process_vm_writev)
 *     spawn_rseq        unregistering the inherited rseq area
 *     spawn_specials    moving the vdso and vvar out of the image's way
 *     resume_creds      groups, ids, capabilities, name, personality
 *     resume_close_image closing the image's fd in the child
 *     resume_munmap     unmapping the injection area
 *     resume_regs       setting the image's registers and mask
 *     resume_detach     PTRACE_DETACH
 *
 *   memory (both ways)
 *     gup_read          the read of a run of pages
 *     gup_write         the write-back of a run (seen through ->flush)
 *
 *   every injected system call, by name:
 *     sys_mmap sys_munmap sys_mremap sys_openat sys_close sys_prctl
 *     sys_modify_ldt sys_rt_sigaction sys_sigaltstack sys_rseq
 *     sys_set_tid_address sys_umask sys_chdir sys_dup3 sys_lseek
 *     sys_setgroups sys_setresuid sys_setresgid sys_setfsuid
 *     sys_setfsgid sys_capset sys_personality sys_brk sys_fcntl
 *     sys_clone sys_wait4 sys_userfaultfd sys_prlimit64 sys_close_range
 *     sys_socket sys_connect sys_recvmsg sys_pwritev
 *     (any other: sys_<number>)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim/linux/target.h"

#ifdef CR_FAULT_POINTS

/**
 * cr_fault_init() - arm the fault points of @t from CRRUN_FAULT
 * @t: a new target
 */
void cr_fault_init(struct cr_target *t)
{
	const char *env = getenv("CRRUN_FAULT");
	char *colon;

	t->fault_name[0] = '\0';
	t->fault_nth = 0;
	t->fault_hits = 0;
	if (!env || !*env)
		return;
	snprintf(t->fault_name, sizeof(t->fault_name), "%s", env);
	colon = strchr(t->fault_name, ':');
	if (colon) {
		*colon = '\0';
		t->fault_nth = strtoul(colon + 1, NULL, 10);
	}
}

/**
 * cr_fault_point() - fail here if the tests asked for it
 * @t: the target
 * @name: the point's name (the list above)
 *
 * Return: -EIO when armed for @name (at the chosen hit), else 0.
 */
int cr_fault_point(struct cr_target *t, const char *name)
{
	if (!t->fault_name[0] || strcmp(t->fault_name, name))
		return 0;
	t->fault_hits++;
	if (t->fault_nth && t->fault_hits != t->fault_nth)
		return 0;
	cr_lerr(t, "fault point %s: failing (CRRUN_FAULT)", name);
	return -EIO;
}
#endif /* CR_FAULT_POINTS */
