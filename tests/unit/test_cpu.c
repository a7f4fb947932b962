// SPDX-License-Identifier: GPL-2.0
/*
 * arch/x86/cpu.c and arch/x86/syscall_abi.c: CR_HDR_CPU written and read
 * back through an image file against the mock target, every check of
 * cr_read_cpu() (2008 defects 23 and 24), the syscall restart rule, and
 * the syscall injection ABI, and the batch code, run in this process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "tests/unit/cr_test.h"
#include "core/arch.h"
#include "core/image_io.h"
#include "arch/x86/regs.h"
#include "arch/x86/syscall_abi.h"
#include "shim/mock/mock_mm.h"

#define TEST_OBJREF	777
#define XSAVE_MIN	(CR_XSTATE_LEGACY + CR_XSTATE_HDR)

/* The mock behind a spy that counts set_regs() and keeps what it got. */
struct spy {
	struct cr_target *inner;
	unsigned int set_regs;
};

static int spy_get_regs(struct cr_target *t, struct cr_arch_regs *regs)
{
	return mock_kops.get_regs(((struct spy *)t)->inner, regs);
}

static int spy_set_regs(struct cr_target *t, const struct cr_arch_regs *regs)
{
	struct spy *spy = (struct spy *)t;

	spy->set_regs++;
	return mock_kops.set_regs(spy->inner, regs);
}

static const struct cr_kops spy_kops = {
	.get_regs = spy_get_regs,
	.set_regs = spy_set_regs,
};

struct fixture {
	FILE *img;
	struct cr_target *t;
	struct spy spy;
	struct cr_ctx ctx;
	bool ctx_live;
	struct cr_arch_regs *regs;	/* what a test writes */
	struct cr_arch_regs *out;	/* what the mock got */
	char err[512];
};

static void log_emit(void *priv, int level, const char *msg)
{
	struct fixture *f = priv;

	if (level == CR_LOG_ERR)
		snprintf(f->err, sizeof(f->err), "%s", msg);
}

static void put_u32(u8 *p, u32 v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u64(u8 *p, u64 v)
{
	memcpy(p, &v, sizeof(v));
}

/* A task stopped in user code, with x87 and SSE state only. */
static void valid_regs(struct cr_arch_regs *r)
{
	u64 *g = r->gregs;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < CR_NR_GREGS; i++)
		g[i] = 0x1000 + i;
	g[CR_ORIG_RAX] = (u64)-1;
	g[CR_RIP] = 0x401000;
	g[CR_CS] = 0x33;
	g[CR_EFLAGS] = 0x246;
	g[CR_RSP] = 0x7ffffffde000;
	g[CR_SS] = 0x2b;
	g[CR_FS_BASE] = 0x7ffff7d8a740;
	g[CR_GS_BASE] = 0;
	g[CR_DS] = g[CR_ES] = g[CR_FS] = g[CR_GS] = 0;

	r->xstate_size = XSAVE_MIN;
	put_u32(r->xstate + 0, 0x037f);			/* fcw */
	put_u32(r->xstate + 24, 0x1f80);		/* mxcsr */
	put_u32(r->xstate + 28, 0xffff);		/* mxcsr_mask */
	for (i = 160; i < 160 + 16 * 16; i++)		/* xmm0-15 */
		r->xstate[i] = i;
	put_u64(r->xstate + 512, 0x3);			/* xstate_bv */
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->img = tmpfile();
	assert_non_null(f->img);
	f->t = mock_mm_new();
	assert_non_null(f->t);
	f->spy.inner = f->t;
	f->regs = cr_arch_regs_alloc();
	f->out = cr_arch_regs_alloc();
	assert_non_null(f->regs);
	assert_non_null(f->out);
	assert_true(((unsigned long)f->regs->xstate & 63) == 0);
	valid_regs(f->regs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ctx_live)
		cr_ctx_fini(&f->ctx);
	cr_arch_regs_free(f->regs);
	cr_arch_regs_free(f->out);
	mock_mm_free(f->t);
	fclose(f->img);
	free(f);
	return 0;
}

static void ctx_begin(struct fixture *f, unsigned int mode)
{
	struct cr_log log = {
		.emit = log_emit, .priv = f, .level = CR_LOG_DEBUG,
	};

	assert_false(f->ctx_live);
	/* each checkpoint writes a new image; each restore reads it all */
	if (mode == CR_CTX_CKPT)
		assert_int_equal(ftruncate(fileno(f->img), 0), 0);
	assert_int_equal(lseek(fileno(f->img), 0, SEEK_SET), 0);
	assert_int_equal(cr_ctx_init(&f->ctx, mode, fileno(f->img), &spy_kops,
				     (struct cr_target *)&f->spy, &log), 0);
	f->ctx_live = true;
	f->err[0] = '\0';
}

static void ctx_end(struct fixture *f)
{
	if (f->ctx.flags == CR_CTX_CKPT)
		assert_int_equal(cr_kflush(&f->ctx), 0);
	assert_int_equal(f->ctx.hbuf_gets, 0);
	assert_int_equal(f->ctx.hpos, 0);
	cr_ctx_fini(&f->ctx);
	f->ctx_live = false;
}

/* Write f->regs as CR_HDR_CPU by hand, with @tail_len bytes of xstate. */
static void write_cpu_obj_raw(struct fixture *f, u32 parent, u32 pad,
			      u32 tail_len)
{
	struct cr_hdr_cpu hh = { 0 };
	u8 *tail = calloc(1, tail_len + 1);

	assert_non_null(tail);
	memcpy(tail, f->regs->xstate, min(tail_len, (u32)CR_XSTATE_MAX));
	memcpy(hh.gregs, f->regs->gregs, sizeof(hh.gregs));
	hh.xstate_size = f->regs->xstate_size;
	hh._pad = pad;

	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_obj_var(&f->ctx, CR_HDR_CPU, parent, &hh,
					  sizeof(hh), tail, tail_len), 0);
	ctx_end(f);
	free(tail);
}

static void write_cpu_obj(struct fixture *f)
{
	write_cpu_obj_raw(f, TEST_OBJREF, 0, f->regs->xstate_size);
}

static int read_cpu(struct fixture *f)
{
	int ret;

	ctx_begin(f, CR_CTX_RSTR);
	ret = cr_read_cpu(&f->ctx, TEST_OBJREF);
	ctx_end(f);
	if (!ret) {
		assert_int_equal(f->spy.set_regs, 1);
		assert_int_equal(mock_kops.get_regs(f->t, f->out), 0);
	} else {
		assert_int_equal(f->spy.set_regs, 0);
	}
	return ret;
}

static void assert_err_names(struct fixture *f, const char *field)
{
	if (strncmp(f->err, "cpu: ", 5) || !strstr(f->err, field))
		fail_msg("error \"%s\" does not name cpu and \"%s\"", f->err,
			 field);
}

/* Write, then read; the read must fail with -EINVAL naming @field. */
static void assert_rejected(struct fixture *f, const char *field)
{
	write_cpu_obj(f);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, field);
}

static void assert_accepted(struct fixture *f)
{
	write_cpu_obj(f);
	if (read_cpu(f))
		fail_msg("refused: %s", f->err);
	f->spy.set_regs = 0;
}

static bool cpu_xcr0(u64 *xcr0)
{
	unsigned int eax, ebx, ecx, edx;
	u32 lo, hi;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1U << 27)))
		return false;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	*xcr0 = (u64)hi << 32 | lo;
	return true;
}

/* ---- round trips ---- */

static void test_cpu_round_trip(void **state)
{
	struct fixture *f = *state;

	f->regs->gregs[CR_RAX] = 0x1234;
	assert_int_equal(mock_kops.set_regs(f->t, f->regs), 0);
	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_cpu(&f->ctx, TEST_OBJREF), 0);
	ctx_end(f);

	mock_mm_free(f->t);
	f->t = f->spy.inner = mock_mm_new();
	assert_non_null(f->t);
	assert_int_equal(read_cpu(f), 0);
	assert_memory_equal(f->out->gregs, f->regs->gregs,
			    sizeof(f->regs->gregs));
	assert_int_equal(f->out->xstate_size, XSAVE_MIN);
	assert_memory_equal(f->out->xstate, f->regs->xstate, XSAVE_MIN);
}

static void test_cpu_round_trip_without_xstate(void **state)
{
	struct fixture *f = *state;

	f->regs->xstate_size = 0;
	assert_int_equal(mock_kops.set_regs(f->t, f->regs), 0);
	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_cpu(&f->ctx, TEST_OBJREF), 0);
	ctx_end(f);
	assert_int_equal(lseek(fileno(f->img), 0, SEEK_END),
			 sizeof(struct cr_hdr) + sizeof(struct cr_hdr_cpu));

	assert_int_equal(read_cpu(f), 0);
	assert_int_equal(f->out->xstate_size, 0);
	assert_memory_equal(f->out->gregs, f->regs->gregs,
			    sizeof(f->regs->gregs));
}

/* What this CPU's own XSAVE writes (standard format) is accepted. */
static void test_read_cpu_accepts_this_cpus_xsave(void **state)
{
	struct fixture *f = *state;
	unsigned int eax, ebx, ecx, edx;
	u64 xcr0 = 0;

	if (!cpu_xcr0(&xcr0))
		skip();
	__cpuid_count(0xd, 0, eax, ebx, ecx, edx);
	assert_true(ebx >= XSAVE_MIN && ebx <= CR_XSTATE_MAX);

	/*
	 * Put every component in its init state first (an XSAVE header with
	 * xstate_bv 0), as in a new process, so that valgrind sees no
	 * register this test never wrote.
	 */
	memset(f->regs->xstate, 0, ebx);
	put_u32(f->regs->xstate + 24, 0x1f80);
	__asm__ volatile("xrstor64 %0"
			 : : "m"(*(u8 (*)[CR_XSTATE_MAX])f->regs->xstate),
			   "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
	memset(f->regs->xstate, 0, ebx);
	__asm__ volatile("xsave64 %0"
			 : "+m"(*(u8 (*)[CR_XSTATE_MAX])f->regs->xstate)
			 : "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
	f->regs->xstate_size = ebx;
	assert_accepted(f);
	assert_memory_equal(f->out->xstate, f->regs->xstate, ebx);
}

/* ---- the object ---- */

static void test_read_cpu_rejects_wrong_parent(void **state)
{
	struct fixture *f = *state;

	write_cpu_obj_raw(f, TEST_OBJREF + 1, 0, XSAVE_MIN);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, "parent");
}

static void test_read_cpu_rejects_pad(void **state)
{
	struct fixture *f = *state;

	write_cpu_obj_raw(f, TEST_OBJREF, 1, XSAVE_MIN);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, "_pad");
}

static void test_read_cpu_rejects_xstate_size_below_header(void **state)
{
	struct fixture *f = *state;

	f->regs->xstate_size = 512;
	assert_rejected(f, "xstate_size");
	f->regs->xstate_size = XSAVE_MIN - 1;
	assert_rejected(f, "xstate_size");
	f->regs->xstate_size = 1;
	assert_rejected(f, "xstate_size");
}

static void test_read_cpu_rejects_xstate_size_above_max(void **state)
{
	struct fixture *f = *state;

	f->regs->xstate_size = CR_XSTATE_MAX + 8;
	write_cpu_obj_raw(f, TEST_OBJREF, 0, CR_XSTATE_MAX + 8);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, "xstate_size");
}

static void test_read_cpu_rejects_xstate_size_not_len(void **state)
{
	struct fixture *f = *state;

	write_cpu_obj_raw(f, TEST_OBJREF, 0, XSAVE_MIN + 64);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, "xstate_size");

	f->spy.set_regs = 0;
	write_cpu_obj_raw(f, TEST_OBJREF, 0, 0);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_err_names(f, "xstate_size");
}

static void test_read_cpu_rejects_truncated_object(void **state)
{
	struct fixture *f = *state;
	off_t end;

	write_cpu_obj(f);
	end = lseek(fileno(f->img), 0, SEEK_END);
	assert_int_equal(ftruncate(fileno(f->img), end - 8), 0);
	assert_int_equal(read_cpu(f), -EIO);
	assert_err_names(f, "xstate");
}

/* ---- the XSAVE area (defect 23) ---- */

static void test_read_cpu_rejects_compacted_xsave(void **state)
{
	struct fixture *f = *state;

	put_u64(f->regs->xstate + 520, 0x8000000000000003ULL);
	assert_rejected(f, "xcomp_bv");
}

static void test_read_cpu_rejects_xsave_header_reserved(void **state)
{
	struct fixture *f = *state;
	unsigned int off;

	for (off = 16; off < 64; off += 47) {
		valid_regs(f->regs);
		f->regs->xstate[512 + off] = 1;
		assert_rejected(f, "reserved");
		f->spy.set_regs = 0;
	}
}

static void test_read_cpu_rejects_xstate_bv_beyond_xcr0(void **state)
{
	struct fixture *f = *state;
	u64 xcr0 = 0;

	if (!cpu_xcr0(&xcr0))
		skip();
	put_u64(f->regs->xstate + 512, 0x3 | 1ULL << 62);
	assert_rejected(f, "xstate_bv");
}

/* A feature the CPU has, but whose bytes the area does not hold. */
static void test_read_cpu_rejects_xstate_bv_feature_past_size(void **state)
{
	struct fixture *f = *state;
	u64 xcr0 = 0;

	if (!cpu_xcr0(&xcr0) || !(xcr0 & 0x4))
		skip();
	put_u64(f->regs->xstate + 512, 0x7);	/* AVX: from byte 576 */
	assert_rejected(f, "xstate_bv");

	/* with its bytes present, the same is fine */
	f->spy.set_regs = 0;
	f->regs->xstate_size = XSAVE_MIN + 256;
	assert_accepted(f);
}

static void test_read_cpu_rejects_mxcsr_reserved_bits(void **state)
{
	struct fixture *f = *state;

	put_u32(f->regs->xstate + 24, 0x1f80 | 1U << 16);
	assert_rejected(f, "mxcsr");

	f->spy.set_regs = 0;
	put_u32(f->regs->xstate + 24, 0x80000000 | 0x1f80);
	assert_rejected(f, "mxcsr");

	/* the image's MXCSR_MASK cannot widen what this CPU takes */
	f->spy.set_regs = 0;
	put_u32(f->regs->xstate + 28, 0xffffffff);
	assert_rejected(f, "mxcsr");
}

/* An MXCSR_MASK of 0 means 0xffbf: DAZ (bit 6) not supported (SDM). */
static void test_read_cpu_mxcsr_mask_zero_means_default(void **state)
{
	struct fixture *f = *state;

	put_u32(f->regs->xstate + 28, 0);
	put_u32(f->regs->xstate + 24, 0x1f80 | 0x40);
	assert_rejected(f, "mxcsr");

	f->spy.set_regs = 0;
	put_u32(f->regs->xstate + 24, 0x1f80 | 0x3f);	/* exception flags */
	assert_accepted(f);
}

/* ---- the registers (defect 24) ---- */

static void test_read_cpu_rejects_kernel_cs(void **state)
{
	struct fixture *f = *state;

	f->regs->gregs[CR_CS] = 0x10;
	write_cpu_obj(f);
	assert_int_equal(read_cpu(f), -EINVAL);
	assert_string_equal(f->err,
			    "cpu: cs 0x10 is not a 64-bit user code selector");
}

static void test_read_cpu_rejects_bad_selectors(void **state)
{
	static const struct {
		int reg;
		u64 value;
		const char *name;
	} cases[] = {
		{ CR_CS, 0x23, "cs" },		/* 32-bit user code */
		{ CR_CS, 0x2b, "cs" },
		{ CR_CS, 0x133, "cs" },
		{ CR_SS, 0x18, "ss" },
		{ CR_SS, 0x33, "ss" },
		{ CR_SS, 0, "ss" },
		{ CR_DS, 0x10, "ds" },		/* rpl 0 */
		{ CR_ES, 0x01, "es" },		/* rpl 1 */
		{ CR_FS, 0x1a, "fs" },		/* rpl 2 */
		{ CR_GS, 0x10003, "gs" },	/* not 16 bits */
	};
	struct fixture *f = *state;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		valid_regs(f->regs);
		f->regs->gregs[cases[i].reg] = cases[i].value;
		assert_rejected(f, cases[i].name);
	}
}

static void test_read_cpu_accepts_user_selectors(void **state)
{
	struct fixture *f = *state;

	f->regs->gregs[CR_DS] = 0x2b;
	f->regs->gregs[CR_ES] = 0x2b;
	f->regs->gregs[CR_FS] = 0x63;	/* a TLS entry of the GDT */
	f->regs->gregs[CR_GS] = 0x07;	/* LDT entry 0 */
	assert_accepted(f);
	assert_memory_equal(f->out->gregs + CR_DS, f->regs->gregs + CR_DS,
			    4 * sizeof(u64));
}

static void test_read_cpu_rejects_privileged_eflags(void **state)
{
	static const struct {
		u64 eflags;
		const char *what;
	} cases[] = {
		{ 0x3246, "IOPL 3" },
		{ 0x1246, "IOPL 1" },
		{ 0x4246, "NT" },
		{ 0x20246, "VM" },
		{ 0x80246, "VIF" },
		{ 0x100246, "VIP" },
		{ 0x24e, "reserved bit 3" },
		{ 0x266, "reserved bit 5" },
		{ 0x8246, "reserved bit 15" },
		{ 0x400246, "bit 22" },
		{ 0x100000246ULL, "bit 32" },
		{ 0x244, "bit 1 clear" },
	};
	struct fixture *f = *state;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		valid_regs(f->regs);
		f->regs->gregs[CR_EFLAGS] = cases[i].eflags;
		write_cpu_obj(f);
		if (read_cpu(f) != -EINVAL)
			fail_msg("eflags 0x%llx (%s) accepted",
				 (unsigned long long)cases[i].eflags,
				 cases[i].what);
		assert_err_names(f, "eflags");
	}
}

static void test_read_cpu_accepts_user_eflags(void **state)
{
	struct fixture *f = *state;
	/* CF PF AF ZF SF TF IF DF OF RF AC ID, and bit 1 */
	u64 all = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 |
		  0x800 | 0x10000 | 0x40000 | 0x200000 | 0x2;

	f->regs->gregs[CR_EFLAGS] = all;
	assert_accepted(f);
	assert_int_equal(f->out->gregs[CR_EFLAGS], all);

	f->regs->gregs[CR_EFLAGS] = 0x2;
	assert_accepted(f);
}

static void test_read_cpu_rejects_non_user_addresses(void **state)
{
	static const struct {
		int reg;
		const char *name;
	} regs[] = {
		{ CR_RIP, "rip" }, { CR_RSP, "rsp" },
		{ CR_FS_BASE, "fs_base" }, { CR_GS_BASE, "gs_base" },
	};
	static const u64 bad[] = {
		0x800000000000ULL, 0xffff800000000000ULL,
		0xffffffffff600000ULL,	/* vsyscall */
		0x0000800000001000ULL,	/* non-canonical */
	};
	struct fixture *f = *state;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			valid_regs(f->regs);
			f->regs->gregs[regs[i].reg] = bad[j];
			assert_rejected(f, regs[i].name);
		}
		valid_regs(f->regs);
		f->regs->gregs[regs[i].reg] = 0x7fffffffffffULL;
		assert_accepted(f);
	}
}

static void test_read_cpu_propagates_set_regs_error(void **state)
{
	struct fixture *f = *state;
	int ret;

	write_cpu_obj(f);
	assert_int_equal(mock_fault_set(f->t, MOCK_OP_SET_REGS, 1, ESRCH,
					false), 0);
	ctx_begin(f, CR_CTX_RSTR);
	ret = cr_read_cpu(&f->ctx, TEST_OBJREF);
	ctx_end(f);
	mock_fault_clear(f->t);
	assert_int_equal(ret, -ESRCH);
	assert_err_names(f, "set_regs");
}

static void test_write_cpu_propagates_get_regs_error(void **state)
{
	struct fixture *f = *state;
	int ret;

	assert_int_equal(mock_fault_set(f->t, MOCK_OP_GET_REGS, 1, ESRCH,
					false), 0);
	ctx_begin(f, CR_CTX_CKPT);
	ret = cr_write_cpu(&f->ctx, TEST_OBJREF);
	ctx_end(f);
	mock_fault_clear(f->t);
	assert_int_equal(ret, -ESRCH);
	assert_err_names(f, "get_regs");
}

/* ---- the syscall restart rule (PLATFORM.md) ---- */

static void test_syscall_restart_rule(void **state)
{
	static const struct {
		s64 orig_rax, rax;
		s64 want_rax;
		u64 want_rip;
	} cases[] = {
		/* restarted: rax back to the syscall number, rip on it */
		{ 0, -512, 0, 0x400ffe },
		{ 7, -513, 7, 0x400ffe },
		{ 230, -514, 230, 0x400ffe },
		/* nanosleep's restart block cannot be carried: -EINTR */
		{ 230, -516, -EINTR, 0x401000 },
		/* not in a syscall: left alone */
		{ -1, -512, -512, 0x401000 },
		{ -1, -516, -516, 0x401000 },
		{ -1, 42, 42, 0x401000 },
		/* a syscall's own result, even negative: left alone */
		{ 0, -EINTR, -EINTR, 0x401000 },
		{ 0, -EINVAL, -EINVAL, 0x401000 },
		{ 0, -515, -515, 0x401000 },	/* ENOIOCTLCMD */
		{ 0, -517, -517, 0x401000 },	/* EPROBE_DEFER */
		{ 0, -511, -511, 0x401000 },
		{ 1, 5, 5, 0x401000 },
	};
	struct cr_arch_regs *r = cr_arch_regs_alloc();
	unsigned int i;

	assert_non_null(r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		valid_regs(r);
		r->gregs[CR_ORIG_RAX] = cases[i].orig_rax;
		r->gregs[CR_RAX] = cases[i].rax;
		r->gregs[CR_RIP] = 0x401000;
		assert_int_equal(cr_arch_fixup_syscall_restart(r), 0);
		if ((s64)r->gregs[CR_RAX] != cases[i].want_rax ||
		    r->gregs[CR_RIP] != cases[i].want_rip)
			fail_msg("case %u: rax %lld rip 0x%llx", i,
				 (long long)r->gregs[CR_RAX],
				 (unsigned long long)r->gregs[CR_RIP]);
		assert_int_equal((s64)r->gregs[CR_ORIG_RAX], -1);
	}
	cr_arch_regs_free(r);
}

static void test_syscall_restart_refuses_rip_below_syscall(void **state)
{
	struct cr_arch_regs *r = cr_arch_regs_alloc();

	assert_non_null(r);
	valid_regs(r);
	r->gregs[CR_ORIG_RAX] = 0;
	r->gregs[CR_RAX] = (u64)-512;
	r->gregs[CR_RIP] = 1;
	assert_int_equal(cr_arch_fixup_syscall_restart(r), -EINVAL);
	cr_arch_regs_free(r);
}

/* cr_read_cpu() applies the rule to what it hands to set_regs(). */
static void test_read_cpu_restarts_interrupted_syscall(void **state)
{
	struct fixture *f = *state;

	f->regs->gregs[CR_ORIG_RAX] = 35;	/* nanosleep */
	f->regs->gregs[CR_RAX] = (u64)-514;
	assert_accepted(f);
	assert_int_equal(f->out->gregs[CR_RAX], 35);
	assert_int_equal(f->out->gregs[CR_RIP], 0x401000 - 2);
	assert_int_equal((s64)f->out->gregs[CR_ORIG_RAX], -1);

	f->regs->gregs[CR_RAX] = (u64)-516;
	assert_accepted(f);
	assert_int_equal((s64)f->out->gregs[CR_RAX], -EINTR);
	assert_int_equal(f->out->gregs[CR_RIP], 0x401000);
}

/* ---- syscall injection ---- */

static void test_syscall_setup_follows_the_abi(void **state)
{
	static const unsigned long args[6] = { 11, 22, 33, 44, 55, 66 };
	struct cr_arch_regs *r = cr_arch_regs_alloc();
	struct cr_arch_regs *before = cr_arch_regs_alloc();
	unsigned int i;

	assert_non_null(r);
	assert_non_null(before);
	valid_regs(r);
	r->gregs[CR_ORIG_RAX] = 230;
	memcpy(before, r, sizeof(*r));

	cr_arch_syscall_setup(r, 9, args, 0x7ffff7ff0000);
	assert_int_equal(r->gregs[CR_RAX], 9);
	assert_int_equal(r->gregs[CR_RDI], 11);
	assert_int_equal(r->gregs[CR_RSI], 22);
	assert_int_equal(r->gregs[CR_RDX], 33);
	assert_int_equal(r->gregs[CR_R10], 44);
	assert_int_equal(r->gregs[CR_R8], 55);
	assert_int_equal(r->gregs[CR_R9], 66);
	assert_int_equal(r->gregs[CR_RIP], 0x7ffff7ff0000);
	assert_int_equal((s64)r->gregs[CR_ORIG_RAX], -1);

	/* nothing else moves */
	for (i = 0; i < CR_NR_GREGS; i++) {
		switch (i) {
		case CR_RAX: case CR_RDI: case CR_RSI: case CR_RDX:
		case CR_R10: case CR_R8: case CR_R9: case CR_RIP:
		case CR_ORIG_RAX:
			continue;
		}
		assert_int_equal(r->gregs[i], before->gregs[i]);
	}
	assert_int_equal(r->xstate_size, before->xstate_size);
	assert_memory_equal(r->xstate, before->xstate, XSAVE_MIN);
	cr_arch_regs_free(r);
	cr_arch_regs_free(before);
}

static void test_syscall_result_is_signed_rax(void **state)
{
	struct cr_arch_regs *r = cr_arch_regs_alloc();

	assert_non_null(r);
	r->gregs[CR_RAX] = (u64)-EEXIST;
	assert_int_equal(cr_arch_syscall_result(r), -EEXIST);
	r->gregs[CR_RAX] = 0x7f0000000000ULL;
	assert_int_equal(cr_arch_syscall_result(r), 0x7f0000000000L);
	cr_arch_regs_free(r);
}

static void test_syscall_gadget_bytes(void **state)
{
	static const u8 want[] = { 0x0f, 0x05, 0xcc };

	assert_int_equal(CR_SYSCALL_GADGET_LEN, sizeof(want));
	assert_memory_equal(cr_arch_syscall_gadget, want, sizeof(want));
	assert_int_equal(CR_SYSCALL_INSN_LEN, 2);
}

/*
 * The batch code, run here in crrun's own process: a copy of it whose
 * int3 is a ret, called with rbx and r12 as the shim sets them. Returns
 * rbx as the code left it.
 */
static unsigned long run_batch(struct cr_arch_syscall *table,
			       unsigned long nr)
{
	register unsigned long rbx asm("rbx") = (unsigned long)table;
	register unsigned long r12 asm("r12") = nr;
	u8 *code;

	code = cr_test_code_page(cr_arch_syscall_batch, CR_SYSCALL_BATCH_LEN);
	asm volatile("sub $128, %%rsp\n\t"	/* off the red zone */
		     "call *%[code]\n\t"
		     "add $128, %%rsp"
		     : "+r"(rbx), "+r"(r12)
		     : [code] "r"(code)
		     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		       "r11", "memory", "cc");
	cr_test_code_free(code);
	return rbx;
}

/* How many entries a run of the batch made, as the shim works it out. */
static long batch_done(struct cr_arch_syscall *table, unsigned long rbx)
{
	struct cr_arch_regs *regs = calloc(1, sizeof(*regs));
	unsigned long code = 0x10000;
	long done;

	assert_non_null(regs);
	cr_arch_syscall_batch_setup(regs, (unsigned long)table, 3, code);
	assert_int_equal(regs->gregs[CR_RBX], (unsigned long)table);
	assert_int_equal(regs->gregs[CR_R12], 3);
	assert_int_equal(regs->gregs[CR_RIP], code);
	assert_int_equal(regs->gregs[CR_ORIG_RAX], (u64)-1);
	regs->gregs[CR_RBX] = rbx;
	regs->gregs[CR_RIP] = code + CR_SYSCALL_BATCH_LEN;	/* past int3 */
	done = cr_arch_syscall_batch_done(regs, (unsigned long)table, code);
	free(regs);
	return done;
}

static void test_syscall_batch_runs_every_call_in_order(void **state)
{
	struct cr_arch_syscall table[3] = {
		{ .nr = SYS_getpid, .ret = 12345 },
		{ .nr = SYS_getppid, .ret = 12345 },
		{ .nr = SYS_lseek, .args = { 0, 0, 99 }, .ret = 12345 },
	};
	unsigned long rbx = run_batch(table, 3);

	assert_int_equal(batch_done(table, rbx), 3);
	assert_int_equal(table[0].ret, getpid());
	assert_int_equal(table[1].ret, getppid());
	assert_int_equal(table[2].ret, -EINVAL);	/* whence 99 */
	assert_int_equal(table[2].nr, SYS_lseek);
}

static void test_syscall_batch_stops_after_the_first_error(void **state)
{
	struct cr_arch_syscall table[3] = {
		{ .nr = SYS_getpid, .ret = 12345 },
		{ .nr = SYS_close, .args = { (u64)-1 }, .ret = 12345 },
		{ .nr = SYS_getpid, .ret = 12345 },
	};
	unsigned long rbx = run_batch(table, 3);

	assert_int_equal(batch_done(table, rbx), 2);
	assert_int_equal(table[0].ret, getpid());
	assert_int_equal(table[1].ret, -EBADF);
	assert_int_equal(table[2].ret, 12345);	/* not made */
}

static void test_syscall_batch_of_none_makes_none(void **state)
{
	struct cr_arch_syscall table[1] = {
		{ .nr = SYS_getpid, .ret = 12345 },
	};
	unsigned long rbx = run_batch(table, 0);

	assert_int_equal(batch_done(table, rbx), 0);
	assert_int_equal(table[0].ret, 12345);
}

/* A stop anywhere but at the batch's int3 is not its end. */
static void test_syscall_batch_done_refuses_another_stop(void **state)
{
	struct cr_arch_regs *regs = calloc(1, sizeof(*regs));
	unsigned long table = 0x20000, code = 0x10000;

	assert_non_null(regs);
	cr_arch_syscall_batch_setup(regs, table, 2, code);
	regs->gregs[CR_RBX] = table + 64;
	regs->gregs[CR_RIP] = code + 0x22;	/* just after its syscall */
	assert_int_equal(cr_arch_syscall_batch_done(regs, table, code),
			 -EFAULT);
	regs->gregs[CR_RIP] = code + CR_SYSCALL_BATCH_LEN;
	regs->gregs[CR_RBX] = table + 65;	/* not on an entry */
	assert_int_equal(cr_arch_syscall_batch_done(regs, table, code),
			 -EFAULT);
	regs->gregs[CR_RBX] = table - 64;
	assert_int_equal(cr_arch_syscall_batch_done(regs, table, code),
			 -EFAULT);
	regs->gregs[CR_RBX] = table + 128;
	assert_int_equal(cr_arch_syscall_batch_done(regs, table, code), 2);
	free(regs);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cpu_round_trip),
		T(test_cpu_round_trip_without_xstate),
		T(test_read_cpu_accepts_this_cpus_xsave),
		T(test_read_cpu_rejects_wrong_parent),
		T(test_read_cpu_rejects_pad),
		T(test_read_cpu_rejects_xstate_size_below_header),
		T(test_read_cpu_rejects_xstate_size_above_max),
		T(test_read_cpu_rejects_xstate_size_not_len),
		T(test_read_cpu_rejects_truncated_object),
		T(test_read_cpu_rejects_compacted_xsave),
		T(test_read_cpu_rejects_xsave_header_reserved),
		T(test_read_cpu_rejects_xstate_bv_beyond_xcr0),
		T(test_read_cpu_rejects_xstate_bv_feature_past_size),
		T(test_read_cpu_rejects_mxcsr_reserved_bits),
		T(test_read_cpu_mxcsr_mask_zero_means_default),
		T(test_read_cpu_rejects_kernel_cs),
		T(test_read_cpu_rejects_bad_selectors),
		T(test_read_cpu_accepts_user_selectors),
		T(test_read_cpu_rejects_privileged_eflags),
		T(test_read_cpu_accepts_user_eflags),
		T(test_read_cpu_rejects_non_user_addresses),
		T(test_read_cpu_propagates_set_regs_error),
		T(test_write_cpu_propagates_get_regs_error),
		T(test_syscall_restart_rule),
		T(test_syscall_restart_refuses_rip_below_syscall),
		T(test_read_cpu_restarts_interrupted_syscall),
		T(test_syscall_setup_follows_the_abi),
		T(test_syscall_result_is_signed_rax),
		T(test_syscall_gadget_bytes),
		T(test_syscall_batch_runs_every_call_in_order),
		T(test_syscall_batch_stops_after_the_first_error),
		T(test_syscall_batch_of_none_makes_none),
		T(test_syscall_batch_done_refuses_another_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
