/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86-64 system call ABI, as crrun needs it: to inject a syscall into a
 * ptrace-stopped process (shim/linux/), and to restart the one a process
 * was stopped in when it is restored (arch/x86/cpu.c).
 */
#ifndef _CR_X86_SYSCALL_ABI_H
#define _CR_X86_SYSCALL_ABI_H

#include "core/compat.h"
#include "arch/x86/regs.h"

/* `syscall` is two bytes: 0f 05 */
#define CR_SYSCALL_INSN_LEN	2

/* A page of crrun's own holds these: syscall; int3 */
#define CR_SYSCALL_GADGET_LEN	3
extern const u8 cr_arch_syscall_gadget[CR_SYSCALL_GADGET_LEN];

/* One entry of the table cr_arch_syscall_batch runs: 64 bytes */
struct cr_arch_syscall {
	u64 nr;
	u64 args[6];
	s64 ret;		/* set when the call was made */
};

_Static_assert(sizeof(struct cr_arch_syscall) == 64, "the batch's stride");

#define CR_SYSCALL_BATCH_LEN	54
extern const u8 cr_arch_syscall_batch[CR_SYSCALL_BATCH_LEN];

/* The kernel's restart codes (include/linux/errno.h), never seen by users */
#define CR_ERESTARTSYS		512
#define CR_ERESTARTNOINTR	513
#define CR_ERESTARTNOHAND	514
#define CR_ERESTART_RESTARTBLOCK 516

void cr_arch_syscall_setup(struct cr_arch_regs *regs, long nr,
			   const unsigned long args[6],
			   unsigned long gadget_ip);
long cr_arch_syscall_result(const struct cr_arch_regs *regs);
void cr_arch_syscall_batch_setup(struct cr_arch_regs *regs,
				 unsigned long table, unsigned long nr,
				 unsigned long code_ip);
long cr_arch_syscall_batch_done(const struct cr_arch_regs *regs,
				unsigned long table, unsigned long code_ip);
int cr_arch_fixup_syscall_restart(struct cr_arch_regs *regs);

#endif /* _CR_X86_SYSCALL_ABI_H */
