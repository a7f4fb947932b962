// SPDX-License-Identifier: GPL-2.0
/*
 * Registers are carried across a checkpoint for real: one asm block loads
 * patterns into the vector registers (ymm0-15, or zmm0-31 and k1-k7 where
 * AVX-512 is on), callee-saved general registers, MXCSR, the x87 control
 * word and st(0), then waits for the go file with raw system calls only,
 * so that no code between the checkpoint and the check can touch them;
 * then it stores them and C compares.
 */
#include <cpuid.h>
#include <stddef.h>

#include "crt.h"

#define NVEC	32

struct hold {
	uint8_t in[NVEC][64];		/*    0 */
	uint8_t out[NVEC][64];		/* 2048 */
	uint64_t gp_in[5];		/* 4096: rbx r12 r13 r14 r15 */
	uint64_t gp_out[5];		/* 4136 */
	uint32_t mxcsr_in, mxcsr_out;	/* 4176 4180 */
	uint16_t fcw_in, fcw_out;	/* 4184 4186 */
	uint32_t _pad;
	const char *go;			/* 4192 */
	struct timespec tick;		/* 4200 */
	uint64_t k_in[8], k_out[8];	/* 4216 4280 */
	long double st_in, st_out;	/* 4352 4368 */
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct hold, out) == 2048, "out");
_Static_assert(offsetof(struct hold, gp_in) == 4096, "gp_in");
_Static_assert(offsetof(struct hold, gp_out) == 4136, "gp_out");
_Static_assert(offsetof(struct hold, mxcsr_in) == 4176, "mxcsr");
_Static_assert(offsetof(struct hold, fcw_in) == 4184, "fcw");
_Static_assert(offsetof(struct hold, go) == 4192, "go");
_Static_assert(offsetof(struct hold, tick) == 4200, "tick");
_Static_assert(offsetof(struct hold, k_in) == 4216, "k_in");
_Static_assert(offsetof(struct hold, k_out) == 4280, "k_out");
_Static_assert(offsetof(struct hold, st_in) == 4352, "st_in");

static struct hold h;

/* The wait, in asm: access(go) until it exists, nanosleep(tick) between. */
#define WAIT_FOR_GO                                                      \
	"1:	mov $21, %%eax\n"		/* SYS_access */         \
	"	mov 4192(%[h]), %%rdi\n"                                 \
	"	xor %%esi, %%esi\n"                                      \
	"	syscall\n"                                               \
	"	test %%rax, %%rax\n"                                     \
	"	jz 2f\n"                                                 \
	"	mov $35, %%eax\n"		/* SYS_nanosleep */      \
	"	lea 4200(%[h]), %%rdi\n"                                 \
	"	xor %%esi, %%esi\n"                                      \
	"	syscall\n"                                               \
	"	jmp 1b\n"                                                \
	"2:\n"

#define LOAD_GP_FPU                                                      \
	"	mov 4096(%[h]), %%rbx\n"                                 \
	"	mov 4104(%[h]), %%r12\n"                                 \
	"	mov 4112(%[h]), %%r13\n"                                 \
	"	mov 4120(%[h]), %%r14\n"                                 \
	"	mov 4128(%[h]), %%r15\n"                                 \
	"	ldmxcsr 4176(%[h])\n"                                    \
	"	fldcw 4184(%[h])\n"                                      \
	"	fldt 4352(%[h])\n"

#define STORE_GP_FPU                                                     \
	"	mov %%rbx, 4136(%[h])\n"                                 \
	"	mov %%r12, 4144(%[h])\n"                                 \
	"	mov %%r13, 4152(%[h])\n"                                 \
	"	mov %%r14, 4160(%[h])\n"                                 \
	"	mov %%r15, 4168(%[h])\n"                                 \
	"	stmxcsr 4180(%[h])\n"                                    \
	"	fnstcw 4186(%[h])\n"                                     \
	"	fstpt 4368(%[h])\n"

#define Y_LD(n)	"	vmovdqu " #n "*64(%[h]), %%ymm" #n "\n"
#define Y_ST(n)	"	vmovdqu %%ymm" #n ", 2048+" #n "*64(%[h])\n"
#define Z_LD(n)	"	vmovdqu64 " #n "*64(%[h]), %%zmm" #n "\n"
#define Z_ST(n)	"	vmovdqu64 %%zmm" #n ", 2048+" #n "*64(%[h])\n"
#define K_LD(n)	"	kmovq 4216+" #n "*8(%[h]), %%k" #n "\n"
#define K_ST(n)	"	kmovq %%k" #n ", 4280+" #n "*8(%[h])\n"

#define ALL16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) \
		 M(11) M(12) M(13) M(14) M(15)
#define HI16(M) M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23) M(24)    \
		M(25) M(26) M(27) M(28) M(29) M(30) M(31)
#define K7(M)	M(1) M(2) M(3) M(4) M(5) M(6) M(7)

#define CLOBBERS "rax", "rcx", "r11", "rdi", "rsi", "rbx", "r12", "r13",   \
	"r14", "r15", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",      \
	"xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",\
	"xmm14", "xmm15", "memory", "cc"

static void hold_avx(void)
{
	asm volatile(ALL16(Y_LD) LOAD_GP_FPU WAIT_FOR_GO
		     ALL16(Y_ST) STORE_GP_FPU
		     : : [h] "r"(&h) : CLOBBERS);
}

/* zmm16-31 and k1-k7 are unknown to the compiler without -mavx512f */
static void hold_avx512(void)
{
	asm volatile(ALL16(Z_LD) HI16(Z_LD) K7(K_LD) LOAD_GP_FPU WAIT_FOR_GO
		     ALL16(Z_ST) HI16(Z_ST) K7(K_ST) STORE_GP_FPU
		     : : [h] "r"(&h) : CLOBBERS);
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* 0: no AVX, 1: AVX (ymm), 2: AVX-512 F+BW (zmm, k) */
static int vector_level(void)
{
	unsigned int a, b, c, d;
	uint64_t xcr0;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return 0;
	xcr0 = xgetbv0();
	if ((xcr0 & 6) != 6)
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 1;
	if ((b & bit_AVX512F) && (b & bit_AVX512BW) && (xcr0 & 0xe6) == 0xe6)
		return 2;
	return 1;
}

int main(void)
{
	int level = vector_level(), nvec, width, i, j;

	if (!level) {
		fprintf(stderr, "no AVX on this CPU: nothing to test\n");
		crt_ready_and_wait();
		return crt_done();
	}
	nvec = level == 2 ? 32 : 16;
	width = level == 2 ? 64 : 32;
	for (i = 0; i < NVEC; i++)
		for (j = 0; j < 64; j++)
			h.in[i][j] = (uint8_t)(crt_pattern(i, j) >> 7);
	for (i = 0; i < 5; i++)
		h.gp_in[i] = crt_pattern(100, i);
	for (i = 1; i < 8; i++)
		h.k_in[i] = crt_pattern(200, i);
	h.mxcsr_in = 0xff80;	/* round toward zero, flush to zero */
	h.fcw_in = 0x0f7f;	/* x87: round toward zero */
	h.st_in = 3.14159265358979323846264338327950288L;
	h.go = crt_go_path();
	h.tick.tv_nsec = 10 * 1000 * 1000;

	crt_say("ready\n");
	if (level == 2)
		hold_avx512();
	else
		hold_avx();
	/* back to the defaults before libc runs again */
	asm volatile("ldmxcsr %0" : : "m"((uint32_t){ 0x1f80 }));
	asm volatile("fldcw %0" : : "m"((uint16_t){ 0x037f }));

	for (i = 0; i < nvec; i++)
		if (memcmp(h.in[i], h.out[i], width))
			crt_fail("%cmm%d differs", level == 2 ? 'z' : 'y', i);
	for (i = 0; i < 5; i++)
		crt_check(h.gp_in[i] == h.gp_out[i], "general register %d", i);
	if (level == 2)
		for (i = 1; i < 8; i++)
			crt_check(h.k_in[i] == h.k_out[i], "k%d", i);
	crt_check(h.mxcsr_in == h.mxcsr_out, "mxcsr %#x", h.mxcsr_out);
	crt_check(h.fcw_in == h.fcw_out, "x87 control word %#x", h.fcw_out);
	crt_check(!memcmp(&h.st_in, &h.st_out, 10), "st(0)");
	fprintf(stderr, "checked %d %s registers\n", nvec,
		level == 2 ? "zmm" : "ymm");
	return crt_done();
}
