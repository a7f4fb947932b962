// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory keeps every byte: a pattern over 2048 pages
 * with some pages never touched (they must read as zero, not as garbage),
 * some touched at one byte only, and a .bss array. With an argument N,
 * N MiB more are filled too (a large process, for the tests that need a
 * checkpoint to take a while).
 */
#include <sys/mman.h>

#include "crt.h"

#define NPAGES		2048
#define PAGE		4096
#define WORDS		(PAGE / 8)

static uint64_t bss_words[100000];

static bool untouched(unsigned long i)
{
	return i % 7 == 3;
}

static bool one_byte(unsigned long i)
{
	return i % 11 == 5 && !untouched(i);
}

int main(int argc, char **argv)
{
	unsigned long extra = argc > 1 ? strtoul(argv[1], NULL, 0) << 20 : 0;
	uint64_t *p, *big = NULL;
	unsigned long i, j, bad = 0;

	p = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	crt_setup(p != MAP_FAILED);
	for (i = 0; i < NPAGES; i++) {
		if (untouched(i))
			continue;
		if (one_byte(i)) {
			((unsigned char *)p)[i * PAGE + PAGE - 1] = 0xa5;
			continue;
		}
		for (j = 0; j < WORDS; j++)
			p[i * WORDS + j] = crt_pattern(i, j);
	}
	for (i = 0; i < 100000; i++)
		bss_words[i] = crt_pattern(~0ULL, i);
	if (extra) {
		big = mmap(NULL, extra, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		crt_setup(big != MAP_FAILED);
		for (i = 0; i < extra / 8; i++)
			big[i] = i;
	}

	crt_ready_and_wait();

	for (i = 0; i < extra / 8; i++)
		if (big[i] != i && bad++ < 5)
			crt_fail("large area word %lu", i);

	for (i = 0; i < NPAGES; i++) {
		for (j = 0; j < WORDS; j++) {
			uint64_t want = crt_pattern(i, j);

			if (untouched(i))
				want = 0;
			else if (one_byte(i))
				want = j == WORDS - 1 ? 0xa5ULL << 56 : 0;
			if (p[i * WORDS + j] != want && bad++ < 5)
				crt_fail("page %lu word %lu: %#llx, want %#llx",
					 i, j,
					 (unsigned long long)p[i * WORDS + j],
					 (unsigned long long)want);
		}
	}
	for (i = 0; i < 100000; i++)
		if (bss_words[i] != crt_pattern(~0ULL, i) && bad++ < 10)
			crt_fail("bss word %lu differs", i);
	/* still ours to write */
	for (i = 0; i < NPAGES; i++)
		p[i * WORDS] = i;
	for (i = 0; i < NPAGES; i++)
		crt_check(p[i * WORDS] == i, "page %lu", i);
	return crt_done();
}
