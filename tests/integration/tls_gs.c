// SPDX-License-Identifier: GPL-2.0
/*
 * The thread pointer and gs_base come back: __thread variables keep their
 * values at the same fs_base, and a gs_base set with ARCH_SET_GS still
 * points at its buffer (read back with ARCH_GET_GS and through %gs:).
 */
#include <asm/prctl.h>
#include <pthread.h>
#include <sys/syscall.h>

#include "crt.h"

static __thread uint64_t tls_word = 0x1122334455667788ULL;
static __thread char tls_text[64];
static __thread uint64_t tls_array[512];

static uint64_t gs_buf[512] __attribute__((aligned(4096)));

static unsigned long arch_get(int code)
{
	unsigned long v = 0;

	crt_setup(!syscall(SYS_arch_prctl, code, &v));
	return v;
}

static uint64_t read_gs(unsigned long off)
{
	uint64_t v;

	asm volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

int main(void)
{
	unsigned long fs0, gs0, i;
	void *self0;

	tls_word ^= 0xffff;
	snprintf(tls_text, sizeof(tls_text), "thread-local %d", 42);
	for (i = 0; i < 512; i++) {
		tls_array[i] = crt_pattern(1, i);
		gs_buf[i] = crt_pattern(2, i);
	}
	crt_setup(!syscall(SYS_arch_prctl, ARCH_SET_GS,
			   (unsigned long)gs_buf));
	fs0 = arch_get(ARCH_GET_FS);
	gs0 = arch_get(ARCH_GET_GS);
	self0 = (void *)pthread_self();
	crt_setup(gs0 == (unsigned long)gs_buf);
	crt_setup(read_gs(8) == gs_buf[1]);

	crt_ready_and_wait();

	crt_check(arch_get(ARCH_GET_FS) == fs0, "fs_base %#lx, was %#lx",
		  arch_get(ARCH_GET_FS), fs0);
	crt_check(arch_get(ARCH_GET_GS) == gs0, "gs_base %#lx, was %#lx",
		  arch_get(ARCH_GET_GS), gs0);
	crt_check((void *)pthread_self() == self0, "pthread_self");
	crt_check(tls_word == (0x1122334455667788ULL ^ 0xffff), "tls_word");
	crt_check(!strcmp(tls_text, "thread-local 42"), "tls_text '%s'",
		  tls_text);
	for (i = 0; i < 512; i++) {
		if (tls_array[i] != crt_pattern(1, i)) {
			crt_fail("tls_array[%lu]", i);
			break;
		}
		if (read_gs(i * 8) != crt_pattern(2, i)) {
			crt_fail("%%gs:%lu", i * 8);
			break;
		}
	}
	errno = 0;	/* errno is thread-local too */
	crt_check(close(-1) == -1 && errno == EBADF, "errno");
	return crt_done();
}
