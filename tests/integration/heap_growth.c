// SPDX-License-Identifier: GPL-2.0
/*
 * The heap comes back whole: thousands of malloc'ed blocks of many sizes
 * (some large enough to be mmap'ed), with holes from free(); and the brk
 * still works after restore: malloc, free and sbrk go on from where they
 * were.
 */
#include <malloc.h>

#include "crt.h"

#define NBLOCKS	3000

static unsigned char *blocks[NBLOCKS];
static size_t sizes[NBLOCKS];

static size_t block_size(unsigned long i)
{
	if (i % 500 == 7)
		return 300 * 1024 + i;	/* above the mmap threshold */
	return 1 + (crt_pattern(i, 0) % (i % 3 ? 200 : 20000));
}

static unsigned char block_byte(unsigned long i, size_t j)
{
	return (unsigned char)(i * 31 + j * 7);
}

int main(void)
{
	unsigned long i, bad = 0;
	char *brk0, *brk1, *more;
	size_t j;

	for (i = 0; i < NBLOCKS; i++) {
		sizes[i] = block_size(i);
		blocks[i] = malloc(sizes[i]);
		crt_setup(blocks[i]);
		for (j = 0; j < sizes[i]; j++)
			blocks[i][j] = block_byte(i, j);
	}
	for (i = 0; i < NBLOCKS; i += 3) {
		free(blocks[i]);
		blocks[i] = NULL;
	}
	brk0 = sbrk(0);

	crt_ready_and_wait();

	crt_check(sbrk(0) == brk0, "brk moved: %p, was %p", sbrk(0),
		  (void *)brk0);
	for (i = 0; i < NBLOCKS; i++) {
		if (!blocks[i])
			continue;
		for (j = 0; j < sizes[i]; j++)
			if (blocks[i][j] != block_byte(i, j) && bad++ < 5)
				crt_fail("block %lu byte %zu", i, j);
	}

	/* the allocator carries on */
	for (i = 1; i < NBLOCKS; i += 3) {
		free(blocks[i]);
		blocks[i] = malloc(sizes[i] * 2);
		crt_check(blocks[i] != NULL, "malloc");
		if (blocks[i])
			memset(blocks[i], 0x77, sizes[i] * 2);
	}
	/* and the brk grows */
	brk1 = sbrk(0);
	more = sbrk(1 << 20);
	crt_check(more == brk1, "sbrk returned %p, brk was %p", (void *)more,
		  (void *)brk1);
	if (more != (void *)-1) {
		memset(more, 0x42, 1 << 20);
		crt_check(more[(1 << 20) - 1] == 0x42, "new brk memory");
		crt_check(sbrk(0) == more + (1 << 20), "brk after sbrk");
	}
	for (i = 2; i < NBLOCKS; i += 3)
		free(blocks[i]);
	return crt_done();
}
