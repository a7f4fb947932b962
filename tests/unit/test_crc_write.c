// SPDX-License-Identifier: GPL-2.0
/*
 * arch/x86/crc_write.c: the loop the snapshot child runs, run here in the
 * test's own process (a copy of it whose int3 is a ret, called through a
 * trampoline that loads the registers cr_arch_crc_write_setup() set and
 * stores the ones cr_arch_crc_write_done() reads). It must write every
 * iovec, chunk by chunk, at consecutive offsets, and sum exactly what
 * cr_crc32c() sums; stop at a failed write; and never run without SSE4.2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <cmocka.h>

#include "tests/unit/cr_test.h"
#include "core/image_io.h"
#include "arch/x86/crc_write.h"

/* What the trampoline loads and stores, in this order. */
struct loop_regs {
	u64 rbx, r12, r13, r10, r15, rbp, code, rax;
};

void run_loop(struct loop_regs *lr);

/* Callee-saved registers kept; the loop's ret comes back here. */
asm(".text\n"
    ".type run_loop, @function\n"
    "run_loop:\n\t"
    "push %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n\t"
    "push %r14\n\tpush %r15\n\tpush %rdi\n\t"
    "mov 0(%rdi), %rbx\n\tmov 8(%rdi), %r12\n\tmov 16(%rdi), %r13\n\t"
    "mov 24(%rdi), %r10\n\tmov 32(%rdi), %r15\n\tmov 40(%rdi), %rbp\n\t"
    "call *48(%rdi)\n\t"
    "pop %rdi\n\t"
    "mov %rax, 56(%rdi)\n\tmov %r15, 32(%rdi)\n\tmov %r10, 24(%rdi)\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\t"
    "pop %rbx\n\t"
    "ret\n"
    ".size run_loop, .-run_loop\n");

/*
 * Run the loop over @iov with a @chunk: the registers go through
 * cr_arch_crc_write_setup() and come back through _done(), as in the shim.
 */
static long run(const struct iovec *iov, unsigned long nr, int fd, u64 off,
		unsigned long chunk, u32 *crc, u64 *end)
{
	struct cr_arch_regs *regs = calloc(1, sizeof(*regs));
	struct loop_regs lr;
	u8 *code;
	long ret;

	assert_non_null(regs);
	code = cr_test_code_page(cr_arch_crc_write, CR_CRC_WRITE_LEN);

	assert_int_equal(cr_arch_crc_write_setup(regs, (unsigned long)iov, nr,
						 fd, off, *crc, chunk,
						 (unsigned long)code),
			 0);
	lr.rbx = regs->gregs[CR_RBX];
	lr.r12 = regs->gregs[CR_R12];
	lr.r13 = regs->gregs[CR_R13];
	lr.r10 = regs->gregs[CR_R10];
	lr.r15 = regs->gregs[CR_R15];
	lr.rbp = regs->gregs[CR_RBP];
	lr.code = regs->gregs[CR_RIP];
	run_loop(&lr);
	regs->gregs[CR_RAX] = lr.rax;
	regs->gregs[CR_R15] = lr.r15;
	regs->gregs[CR_R10] = lr.r10;
	regs->gregs[CR_RIP] = (unsigned long)code + CR_CRC_WRITE_LEN;
	ret = cr_arch_crc_write_done(regs, (unsigned long)code, crc, end);
	cr_test_code_free(code);
	free(regs);
	return ret;
}

static int need_sse42(void **state)
{
	if (!__builtin_cpu_supports("sse4.2"))
		skip();
	return 0;
}

static void fill(u8 *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(i * 7 + seed * 13 + (i >> 9));
}

/* Three regions, cut in chunks of 16 KiB: the file and the sum are whole. */
static void test_crc_write_writes_and_sums_every_byte(void **state)
{
	static const size_t len[] = { 3 * 4096, 4096, 70 * 4096 + 8 };
	size_t total = len[0] + len[1] + len[2], o = 0;
	u8 *buf[3], *want = malloc(total), *got = malloc(total);
	int fd = cr_test_image_fd();
	struct iovec iov[3];
	u32 crc = 0x1234abcd, seed = crc;
	u64 end;

	need_sse42(state);
	assert_true(want && got);
	for (int i = 0; i < 3; i++) {
		buf[i] = malloc(len[i]);
		assert_non_null(buf[i]);
		fill(buf[i], len[i], i);
		iov[i].iov_base = buf[i];
		iov[i].iov_len = len[i];
		memcpy(want + o, buf[i], len[i]);
		o += len[i];
	}
	assert_int_equal(run(iov, 3, fd, 4096, 16384, &crc, &end), 0);
	assert_int_equal(end, 4096 + total);
	cr_test_pread(fd, 4096, got, total);
	assert_memory_equal(got, want, total);
	assert_int_equal(crc, cr_crc32c(seed, want, total));
	for (int i = 0; i < 3; i++)
		free(buf[i]);
	free(got);
	free(want);
	close(fd);
}

/* Nothing to write: nothing written, the sum as it was. */
static void test_crc_write_of_no_iovec_changes_nothing(void **state)
{
	u32 crc = 0xdeadbeef;
	u64 end;

	need_sse42(state);
	assert_int_equal(run(NULL, 0, -1, 8192, 4096, &crc, &end), 0);
	assert_int_equal(crc, 0xdeadbeef);
	assert_int_equal(end, 8192);
}

/* A write that fails stops the loop with its error, the offset unmoved. */
static void test_crc_write_stops_at_a_failed_write(void **state)
{
	u8 page[4096];
	struct iovec iov[2] = {
		{ .iov_base = page, .iov_len = sizeof(page) },
		{ .iov_base = page, .iov_len = sizeof(page) },
	};
	u32 crc = 0;
	u64 end;

	need_sse42(state);
	memset(page, 1, sizeof(page));
	assert_int_equal(run(iov, 2, -1, 0, 4096, &crc, &end), -EBADF);
	assert_int_equal(end, 0);
}

/* The setup refuses chunk sizes the 8-byte loop cannot end on. */
static void test_crc_write_setup_refuses_odd_chunks(void **state)
{
	struct cr_arch_regs *regs = calloc(1, sizeof(*regs));

	assert_non_null(regs);
	assert_int_equal(cr_arch_crc_write_setup(regs, 0, 0, 0, 0, 0, 0, 0),
			 -EINVAL);
	assert_int_equal(cr_arch_crc_write_setup(regs, 0, 0, 0, 0, 0, 4100,
						 0),
			 -EINVAL);
	free(regs);
}

/* Stopped anywhere but at its int3, the run is refused. */
static void test_crc_write_done_refuses_a_stop_elsewhere(void **state)
{
	struct cr_arch_regs *regs = calloc(1, sizeof(*regs));
	u32 crc;
	u64 end;

	assert_non_null(regs);
	assert_int_equal(cr_arch_crc_write_setup(regs, 0, 0, 0, 0, 0, 4096,
						 0x10000),
			 0);
	regs->gregs[CR_RIP] = 0x10000 + 0x2a;
	assert_int_equal(cr_arch_crc_write_done(regs, 0x10000, &crc, &end),
			 -EFAULT);
	free(regs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_write_writes_and_sums_every_byte),
		cmocka_unit_test(test_crc_write_of_no_iovec_changes_nothing),
		cmocka_unit_test(test_crc_write_stops_at_a_failed_write),
		cmocka_unit_test(test_crc_write_setup_refuses_odd_chunks),
		cmocka_unit_test(test_crc_write_done_refuses_a_stop_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
