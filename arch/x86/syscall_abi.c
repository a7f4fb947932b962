// SPDX-License-Identifier: GPL-2.0
/*
 * The x86-64 system call ABI: nr in rax, arguments in rdi, rsi, rdx, r10,
 * r8, r9, the result in rax; rcx and r11 are clobbered.
 */
#include "arch/x86/syscall_abi.h"

const u8 cr_arch_syscall_gadget[CR_SYSCALL_GADGET_LEN] = {
	0x0f, 0x05,	/* syscall */
	0xcc,		/* int3: a stop if the tracer lets it run on */
};

/**
 * cr_arch_syscall_setup() - set registers to make one syscall at a gadget
 * @regs: registers of the stopped target, changed in place
 * @nr: the syscall number
 * @args: its six arguments (unused ones are ignored by the kernel)
 * @gadget_ip: an address in the target holding `0f 05`
 *
 * Only rax, the argument registers, rip and orig_rax change; the caller
 * keeps a copy of the target's registers to put back afterwards.
 * orig_rax is set to -1 so that the kernel does not take the target for
 * one stopped inside a syscall and "restart" it when it resumes.
 */
void cr_arch_syscall_setup(struct cr_arch_regs *regs, long nr,
			   const unsigned long args[6],
			   unsigned long gadget_ip)
{
	u64 *r = regs->gregs;

	r[CR_RAX] = nr;
	r[CR_RDI] = args[0];
	r[CR_RSI] = args[1];
	r[CR_RDX] = args[2];
	r[CR_R10] = args[3];
	r[CR_R8] = args[4];
	r[CR_R9] = args[5];
	r[CR_RIP] = gadget_ip;
	r[CR_ORIG_RAX] = (u64)-1;
}

/**
 * cr_arch_syscall_result() - what an injected syscall returned
 * @regs: registers at the syscall-exit stop
 *
 * Return: rax as a signed value: a result, or -errno (-4095..-1).
 */
long cr_arch_syscall_result(const struct cr_arch_regs *regs)
{
	return (long)regs->gregs[CR_RAX];
}

/**
 * cr_arch_fixup_syscall_restart() - restart the syscall a task was saved in
 * @regs: registers from an image, changed in place
 *
 * A task stopped inside a syscall has orig_rax >= 0. If rax holds
 * -ERESTARTSYS, -ERESTARTNOINTR or -ERESTARTNOHAND, the kernel would have
 * restarted the call: rax = orig_rax and rip back over the `syscall`.
 * -ERESTART_RESTARTBLOCK needs kernel state (the restart block) that no
 * image carries, so the call returns -EINTR instead; callers such as
 * nanosleep() users retry with the time left. Any other rax is a result
 * and stays. orig_rax then becomes -1, so that the kernel does not apply
 * its own restart logic over this one when the task resumes.
 *
 * Return: 0, or -EINVAL if rip is too small to step back over `syscall`.
 */
int cr_arch_fixup_syscall_restart(struct cr_arch_regs *regs)
{
	u64 *r = regs->gregs;

	if ((s64)r[CR_ORIG_RAX] >= 0) {
		switch ((s64)r[CR_RAX]) {
		case -CR_ERESTARTSYS:
		case -CR_ERESTARTNOINTR:
		case -CR_ERESTARTNOHAND:
			if (r[CR_RIP] < CR_SYSCALL_INSN_LEN)
				return -EINVAL;
			r[CR_RAX] = r[CR_ORIG_RAX];
			r[CR_RIP] -= CR_SYSCALL_INSN_LEN;
			break;
		case -CR_ERESTART_RESTARTBLOCK:
			r[CR_RAX] = (u64)-EINTR;
			break;
		}
	}
	r[CR_ORIG_RAX] = (u64)-1;
	return 0;
}
