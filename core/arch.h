/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What core/ asks of the architecture. Declared here, defined under arch/
 * (arch/x86/ for now). No weak symbols: a missing piece fails to link.
 */
#ifndef _CR_ARCH_H
#define _CR_ARCH_H

#include "core/ctx.h"

/* CR_HDR_MM_CONTEXT: the LDT (arch/x86/ldt.c) */
int cr_write_mm_context(struct cr_ctx *ctx, u32 objref);
int cr_read_mm_context(struct cr_ctx *ctx, u32 objref);

/* CR_HDR_CPU: registers and extended state (arch/x86/cpu.c) */
int cr_write_cpu(struct cr_ctx *ctx, u32 objref);
int cr_read_cpu(struct cr_ctx *ctx, u32 objref);

/* struct cr_arch_regs, which is the arch's own, for whoever allocates one */
struct cr_arch_regs *cr_arch_regs_alloc(void);
void cr_arch_regs_free(struct cr_arch_regs *regs);

#endif /* _CR_ARCH_H */
