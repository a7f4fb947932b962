/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 registers as crrun carries them: struct user_regs_struct (27 u64,
 * with fs_base and gs_base) and the XSAVE area in the standard layout that
 * PTRACE_GETREGSET NT_X86_XSTATE gives.
 */
#ifndef _CR_X86_REGS_H
#define _CR_X86_REGS_H

#include "core/compat.h"
#include "core/image.h"

/* indexes into gregs[], as in struct user_regs_struct */
enum cr_x86_greg {
	CR_R15, CR_R14, CR_R13, CR_R12, CR_RBP, CR_RBX, CR_R11, CR_R10,
	CR_R9, CR_R8, CR_RAX, CR_RCX, CR_RDX, CR_RSI, CR_RDI, CR_ORIG_RAX,
	CR_RIP, CR_CS, CR_EFLAGS, CR_RSP, CR_SS, CR_FS_BASE, CR_GS_BASE,
	CR_DS, CR_ES, CR_FS, CR_GS,
};

_Static_assert(CR_GS + 1 == CR_NR_GREGS, "user_regs_struct has 27 u64");

#define CR_XSTATE_LEGACY	512	/* FXSAVE area */
#define CR_XSTATE_HDR		64	/* XSAVE header after it */

struct cr_arch_regs {
	u64 gregs[CR_NR_GREGS];
	u32 xstate_size;	/* 0: no extended state known */
	u8 xstate[CR_XSTATE_MAX] __attribute__((aligned(64)));
};

#endif /* _CR_X86_REGS_H */
