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

/*
 * Several syscalls in one ptrace stop: the table at rbx holds r12 entries
 * of struct cr_arch_syscall (nr, six arguments, the result), run in order
 * until one returns -errno or none is left; then the int3 stops the
 * target. rbx is left past the last entry run. Only rax, rcx, r11, the
 * argument registers, rbx and r12 change.
 */
const u8 cr_arch_syscall_batch[CR_SYSCALL_BATCH_LEN] = {
	0x4d, 0x85, 0xe4,		/* 00: test %r12,%r12		*/
	0x74, 0x30,			/* 03: je 35 (none left)	*/
	0x48, 0x8b, 0x03,		/* 05: mov (%rbx),%rax		*/
	0x48, 0x8b, 0x7b, 0x08,		/* 08: mov 0x08(%rbx),%rdi	*/
	0x48, 0x8b, 0x73, 0x10,		/* 0c: mov 0x10(%rbx),%rsi	*/
	0x48, 0x8b, 0x53, 0x18,		/* 10: mov 0x18(%rbx),%rdx	*/
	0x4c, 0x8b, 0x53, 0x20,		/* 14: mov 0x20(%rbx),%r10	*/
	0x4c, 0x8b, 0x43, 0x28,		/* 18: mov 0x28(%rbx),%r8	*/
	0x4c, 0x8b, 0x4b, 0x30,		/* 1c: mov 0x30(%rbx),%r9	*/
	0x0f, 0x05,			/* 20: syscall			*/
	0x48, 0x89, 0x43, 0x38,		/* 22: mov %rax,0x38(%rbx)	*/
	0x48, 0x83, 0xc3, 0x40,		/* 26: add $0x40,%rbx		*/
	0x49, 0xff, 0xcc,		/* 2a: dec %r12			*/
	0x48, 0x3d, 0x01, 0xf0, 0xff, 0xff, /* 2d: cmp $-4095,%rax	*/
	0x72, 0xcb,			/* 33: jb 00 (not an error)	*/
	0xcc,				/* 35: int3			*/
};

/**
 * cr_arch_syscall_batch_setup() - set registers to run a table of syscalls
 * @regs: registers of the stopped target, changed in place
 * @table: address in the target of the struct cr_arch_syscall entries
 * @nr: how many
 * @code_ip: address in the target of a copy of cr_arch_syscall_batch
 *
 * orig_rax is set to -1, as for one call.
 */
void cr_arch_syscall_batch_setup(struct cr_arch_regs *regs,
				 unsigned long table, unsigned long nr,
				 unsigned long code_ip)
{
	u64 *r = regs->gregs;

	r[CR_RBX] = table;
	r[CR_R12] = nr;
	r[CR_RIP] = code_ip;
	r[CR_ORIG_RAX] = (u64)-1;
}

/**
 * cr_arch_syscall_batch_done() - how many entries a batch ran
 * @regs: registers at the int3 stop
 * @table: as given to cr_arch_syscall_batch_setup()
 * @code_ip: likewise
 *
 * Return: the number of entries run (the last one failed if fewer than
 * asked), or -EFAULT if the target did not stop at the batch's int3.
 */
long cr_arch_syscall_batch_done(const struct cr_arch_regs *regs,
				unsigned long table, unsigned long code_ip)
{
	const u64 *r = regs->gregs;

	/* the int3 is the last byte; a trap stops just past it */
	if (r[CR_RIP] != code_ip + CR_SYSCALL_BATCH_LEN ||
	    r[CR_RBX] < table ||
	    (r[CR_RBX] - table) % sizeof(struct cr_arch_syscall))
		return -EFAULT;
	return (r[CR_RBX] - table) / sizeof(struct cr_arch_syscall);
}

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
