// SPDX-License-Identifier: GPL-2.0
/*
 * CR_HDR_CPU: general registers and the XSAVE area (the seed series'
 * cr_write_cpu()/cr_read_cpu(), x86-64 and from user space).
 *
 * The 2008 code restored registers, segments, eflags and the FPU state as
 * the image had them, with no checks ("FIX: sanity check...", defect 24),
 * and copied sizeof(union thread_xstate) whatever the CPU's xstate size
 * (defect 23). Here every register the kernel would refuse, or that would
 * let an image reach kernel state, is refused first, and the XSAVE area is
 * checked against what this CPU supports.
 */
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/image_io.h"
#include "arch/x86/regs.h"
#include "arch/x86/syscall_abi.h"

/* 64-bit user selectors (arch/x86/include/asm/segment.h) */
#define CR_USER_CS		0x33	/* __USER_CS */
#define CR_USER_DS		0x2b	/* __USER_DS, also ss */
#define CR_SEL_RPL_MASK		0x3
#define CR_SEL_RPL_USER		0x3

/* eflags: what a user task may have; bit 1 is reserved and always set */
#define CR_EFLAGS_FIXED		0x00000002ULL
#define CR_EFLAGS_USER							\
	(0x00000001ULL |	/* CF */				\
	 0x00000004ULL |	/* PF */				\
	 0x00000010ULL |	/* AF */				\
	 0x00000040ULL |	/* ZF */				\
	 0x00000080ULL |	/* SF */				\
	 0x00000100ULL |	/* TF */				\
	 0x00000200ULL |	/* IF: always set in user mode */	\
	 0x00000400ULL |	/* DF */				\
	 0x00000800ULL |	/* OF */				\
	 0x00010000ULL |	/* RF: ptrace may set it */		\
	 0x00040000ULL |	/* AC */				\
	 0x00200000ULL)		/* ID */

/* user addresses are below the canonical hole (4-level paging) */
#define CR_USER_ADDR_END	0x0000800000000000ULL

/* the legacy (FXSAVE) area and the XSAVE header */
#define CR_FXSAVE_MXCSR		24
#define CR_FXSAVE_MXCSR_MASK	28
#define CR_XSAVE_HDR_XSTATE_BV	(CR_XSTATE_LEGACY + 0)
#define CR_XSAVE_HDR_XCOMP_BV	(CR_XSTATE_LEGACY + 8)
#define CR_XSAVE_HDR_RESERVED	(CR_XSTATE_LEGACY + 16)
#define CR_XSAVE_MIN		(CR_XSTATE_LEGACY + CR_XSTATE_HDR)
#define CR_MXCSR_MASK_DEFAULT	0xffbf	/* SDM: when MXCSR_MASK reads 0 */
#define CR_XFEATURE_FIRST_EXT	2	/* x87 and SSE live in the legacy area */
#define CR_XFEATURE_MAX		63

#define CPUID_1_ECX_OSXSAVE	(1U << 27)
#define CPUID_LEAF_XSTATE	0xd

/* What this CPU (and the kernel running on it) accepts. */
struct cr_x86_cpu {
	bool xcr0_known;	/* no OSXSAVE: qemu may not have it */
	u64 xcr0;
	u32 mxcsr_mask;
};

static void cr_x86_cpu_probe(struct cr_x86_cpu *cpu)
{
	u8 fx[512] __attribute__((aligned(16)));
	unsigned int eax, ebx, ecx, edx;
	u32 lo, hi;

	memset(cpu, 0, sizeof(*cpu));
	if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) &&
	    (ecx & CPUID_1_ECX_OSXSAVE)) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		cpu->xcr0 = (u64)hi << 32 | lo;
		cpu->xcr0_known = true;
	}

	memset(fx, 0, sizeof(fx));
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	memcpy(&cpu->mxcsr_mask, fx + CR_FXSAVE_MXCSR_MASK, sizeof(u32));
	if (!cpu->mxcsr_mask)
		cpu->mxcsr_mask = CR_MXCSR_MASK_DEFAULT;
}

static u64 cr_get_u64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u32 cr_get_u32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/**
 * cr_arch_regs_alloc() - allocate a zeroed struct cr_arch_regs
 *
 * It is too large for a stack (the XSAVE area is up to CR_XSTATE_MAX).
 *
 * Return: the registers, 64-byte aligned, or NULL.
 */
struct cr_arch_regs *cr_arch_regs_alloc(void)
{
	struct cr_arch_regs *regs;

	regs = aligned_alloc(__alignof__(struct cr_arch_regs), sizeof(*regs));
	if (regs)
		memset(regs, 0, sizeof(*regs));
	return regs;
}

/**
 * cr_arch_regs_free() - free what cr_arch_regs_alloc() returned
 * @regs: the registers, or NULL
 */
void cr_arch_regs_free(struct cr_arch_regs *regs)
{
	free(regs);
}

/**
 * cr_write_cpu() - write the target's registers as CR_HDR_CPU
 * @ctx: a checkpoint context
 * @objref: the task's objref, the object's parent
 *
 * The registers are saved as the target had them, a syscall in progress
 * included: the restart is decided at restore (cr_read_cpu()).
 *
 * Return: 0 or -errno.
 */
int cr_write_cpu(struct cr_ctx *ctx, u32 objref)
{
	struct cr_hdr_cpu hh = { 0 };
	struct cr_arch_regs *regs;
	int ret;

	regs = cr_arch_regs_alloc();
	if (!regs)
		return -ENOMEM;

	ret = ctx->kops->get_regs(ctx->target, regs);
	if (ret < 0) {
		cr_err(ctx, "cpu: get_regs: %d", ret);
		goto out_free_regs;
	}
	if (regs->xstate_size > CR_XSTATE_MAX) {
		cr_err(ctx, "cpu: xstate_size %u above %u", regs->xstate_size,
		       CR_XSTATE_MAX);
		ret = -EINVAL;
		goto out_free_regs;
	}

	memcpy(hh.gregs, regs->gregs, sizeof(hh.gregs));
	hh.xstate_size = regs->xstate_size;
	ret = cr_write_obj_var(ctx, CR_HDR_CPU, objref, &hh, sizeof(hh),
			       regs->xstate, regs->xstate_size);
	if (ret > 0)
		ret = 0;

out_free_regs:
	cr_arch_regs_free(regs);
	return ret;
}

/* Read the object into @regs; the header's fields are checked here. */
static int cr_read_cpu_obj(struct cr_ctx *ctx, u32 objref,
			   struct cr_arch_regs *regs)
{
	struct cr_hdr_cpu *hh;
	u32 parent, tail_len, size, pad;
	int ret;

	hh = cr_hbuf_get(ctx, sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	ret = cr_read_obj_var(ctx, hh, sizeof(*hh), CR_HDR_CPU, &parent,
			      &tail_len);
	memcpy(regs->gregs, hh->gregs, sizeof(regs->gregs));
	size = hh->xstate_size;
	pad = hh->_pad;
	cr_hbuf_put(ctx, sizeof(*hh));
	if (ret < 0)
		return ret;

	if (parent != objref) {
		cr_err(ctx, "cpu: parent %u is not the task's objref %u",
		       parent, objref);
		return -EINVAL;
	}
	if (pad) {
		cr_err(ctx, "cpu: _pad 0x%x is not zero", pad);
		return -EINVAL;
	}
	if (size && (size < CR_XSAVE_MIN || size > CR_XSTATE_MAX)) {
		cr_err(ctx, "cpu: xstate_size %u is neither 0 nor in [%u, %u]",
		       size, CR_XSAVE_MIN, CR_XSTATE_MAX);
		return -EINVAL;
	}
	if (tail_len != size) {
		cr_err(ctx, "cpu: xstate_size %u but the object has %u bytes of xstate",
		       size, tail_len);
		return -EINVAL;
	}

	regs->xstate_size = size;
	ret = cr_kread_obj(ctx, "cpu xstate", regs->xstate, size);
	if (ret < 0) {
		cr_err(ctx, "cpu: reading %u bytes of xstate: %d", size, ret);
		return ret;
	}
	return 0;
}

static int cr_check_selectors(struct cr_ctx *ctx, const u64 *r)
{
	static const struct {
		int reg;
		const char *name;
	} data_segs[] = {
		{ CR_DS, "ds" }, { CR_ES, "es" }, { CR_FS, "fs" }, { CR_GS, "gs" },
	};
	unsigned int i;
	u64 sel;

	if (r[CR_CS] != CR_USER_CS) {
		cr_err(ctx, "cpu: cs 0x%llx is not a 64-bit user code selector",
		       (unsigned long long)r[CR_CS]);
		return -EINVAL;
	}
	if (r[CR_SS] != CR_USER_DS) {
		cr_err(ctx, "cpu: ss 0x%llx is not the 64-bit user stack selector",
		       (unsigned long long)r[CR_SS]);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(data_segs); i++) {
		sel = r[data_segs[i].reg];
		if (sel == 0 || (sel <= 0xffff &&
				 (sel & CR_SEL_RPL_MASK) == CR_SEL_RPL_USER))
			continue;
		cr_err(ctx, "cpu: %s 0x%llx is not a user selector (0, or rpl 3)",
		       data_segs[i].name, (unsigned long long)sel);
		return -EINVAL;
	}
	return 0;
}

static int cr_check_gregs(struct cr_ctx *ctx, const u64 *r)
{
	static const struct {
		int reg;
		const char *name;
	} addrs[] = {
		{ CR_RIP, "rip" }, { CR_RSP, "rsp" },
		{ CR_FS_BASE, "fs_base" }, { CR_GS_BASE, "gs_base" },
	};
	u64 eflags = r[CR_EFLAGS];
	unsigned int i;
	int ret;

	ret = cr_check_selectors(ctx, r);
	if (ret < 0)
		return ret;

	if (eflags & ~(CR_EFLAGS_USER | CR_EFLAGS_FIXED)) {
		cr_err(ctx, "cpu: eflags 0x%llx sets privileged or reserved bits 0x%llx",
		       (unsigned long long)eflags,
		       (unsigned long long)(eflags &
					    ~(CR_EFLAGS_USER | CR_EFLAGS_FIXED)));
		return -EINVAL;
	}
	if (!(eflags & CR_EFLAGS_FIXED)) {
		cr_err(ctx, "cpu: eflags 0x%llx has reserved bit 1 clear",
		       (unsigned long long)eflags);
		return -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		if (r[addrs[i].reg] < CR_USER_ADDR_END)
			continue;
		cr_err(ctx, "cpu: %s 0x%llx is not a canonical user address",
		       addrs[i].name, (unsigned long long)r[addrs[i].reg]);
		return -EINVAL;
	}
	return 0;
}

/* Each extended feature in @xstate_bv must lie inside the area. */
static int cr_check_xfeature_offsets(struct cr_ctx *ctx, u64 xstate_bv,
				     u32 size)
{
	unsigned int eax, ebx, ecx, edx;
	int i;

	if (__get_cpuid_max(0, NULL) < CPUID_LEAF_XSTATE)
		return 0;
	for (i = CR_XFEATURE_FIRST_EXT; i < CR_XFEATURE_MAX; i++) {
		if (!(xstate_bv & (1ULL << i)))
			continue;
		__cpuid_count(CPUID_LEAF_XSTATE, i, eax, ebx, ecx, edx);
		/* ecx bit 0: a supervisor feature, not in the user area */
		if (!eax || (ecx & 1))
			continue;
		if ((u64)ebx + eax > size) {
			cr_err(ctx, "cpu: xstate_bv feature %d (bytes %u-%u) beyond xstate_size %u",
			       i, ebx, ebx + eax - 1, size);
			return -EINVAL;
		}
	}
	return 0;
}

static int cr_check_xstate(struct cr_ctx *ctx, const u8 *xs, u32 size)
{
	struct cr_x86_cpu cpu;
	u64 xstate_bv, xcomp_bv;
	u32 mxcsr, mask;
	unsigned int i;

	if (!size)
		return 0;
	cr_x86_cpu_probe(&cpu);

	xstate_bv = cr_get_u64(xs + CR_XSAVE_HDR_XSTATE_BV);
	xcomp_bv = cr_get_u64(xs + CR_XSAVE_HDR_XCOMP_BV);
	if (xcomp_bv) {
		cr_err(ctx, "cpu: xcomp_bv 0x%llx is not 0 (the standard format)",
		       (unsigned long long)xcomp_bv);
		return -EINVAL;
	}
	for (i = CR_XSAVE_HDR_RESERVED; i < CR_XSAVE_MIN; i++) {
		if (!xs[i])
			continue;
		cr_err(ctx, "cpu: xsave header byte %u (reserved) is 0x%02x, not 0",
		       i - CR_XSTATE_LEGACY, xs[i]);
		return -EINVAL;
	}
	if (cpu.xcr0_known) {
		if (xstate_bv & ~cpu.xcr0) {
			cr_err(ctx, "cpu: xstate_bv 0x%llx has features 0x%llx this CPU lacks (XCR0 0x%llx)",
			       (unsigned long long)xstate_bv,
			       (unsigned long long)(xstate_bv & ~cpu.xcr0),
			       (unsigned long long)cpu.xcr0);
			return -EINVAL;
		}
		if (cr_check_xfeature_offsets(ctx, xstate_bv, size) < 0)
			return -EINVAL;
	} else {
		cr_debug(ctx, "cpu: no OSXSAVE, xstate_bv 0x%llx not checked",
			 (unsigned long long)xstate_bv);
	}

	mxcsr = cr_get_u32(xs + CR_FXSAVE_MXCSR);
	mask = cr_get_u32(xs + CR_FXSAVE_MXCSR_MASK);
	if (!mask)
		mask = CR_MXCSR_MASK_DEFAULT;
	mask &= cpu.mxcsr_mask;
	if (mxcsr & ~mask) {
		cr_err(ctx, "cpu: mxcsr 0x%x sets reserved bits 0x%x (mxcsr_mask 0x%x)",
		       mxcsr, mxcsr & ~mask, mask);
		return -EINVAL;
	}
	return 0;
}

/**
 * cr_read_cpu() - restore the registers from CR_HDR_CPU
 * @ctx: a restore context
 * @objref: the task's objref, which the object must name as its parent
 *
 * Checks the object (parent, xstate_size against the bytes that follow),
 * the registers (64-bit user cs and ss, user data selectors, eflags with
 * no privileged bit, canonical user rip, rsp, fs_base and gs_base) and the
 * XSAVE area (standard format, features this CPU has, each inside the
 * area, reserved header bytes and MXCSR bits clear). Then a syscall the
 * task was stopped in is set up to restart (cr_arch_fixup_syscall_restart())
 * and the registers go to ->set_regs().
 *
 * Context: last of a restore: ->set_regs() takes effect when the target runs.
 * Return: 0, -EINVAL for a bad field, -EIO for a short image, -ENOMEM, or
 * the error of ->set_regs().
 */
int cr_read_cpu(struct cr_ctx *ctx, u32 objref)
{
	struct cr_arch_regs *regs;
	int ret;

	regs = cr_arch_regs_alloc();
	if (!regs)
		return -ENOMEM;

	ret = cr_read_cpu_obj(ctx, objref, regs);
	if (ret < 0)
		goto out_free_regs;
	ret = cr_check_gregs(ctx, regs->gregs);
	if (ret < 0)
		goto out_free_regs;
	ret = cr_check_xstate(ctx, regs->xstate, regs->xstate_size);
	if (ret < 0)
		goto out_free_regs;

	ret = cr_arch_fixup_syscall_restart(regs);
	if (ret < 0) {
		cr_err(ctx, "cpu: rip 0x%llx is below the syscall to restart",
		       (unsigned long long)regs->gregs[CR_RIP]);
		goto out_free_regs;
	}

	ret = ctx->kops->set_regs(ctx->target, regs);
	if (ret < 0)
		cr_err(ctx, "cpu: set_regs: %d", ret);
	else
		ret = 0;

out_free_regs:
	cr_arch_regs_free(regs);
	return ret;
}
