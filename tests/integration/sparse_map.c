// SPDX-License-Identifier: GPL-2.0
/*
 * Only present pages are saved: a 4 GiB MAP_NORESERVE mapping with 16 MiB
 * touched, spread over it, comes back with its contents (run_one.sh checks
 * that the image stays well under 64 MiB), and untouched pages read zero.
 */
#include <sys/mman.h>

#include "crt.h"

#define MAP_SIZE	(4ULL << 30)
#define PAGE		4096ULL
#define TOUCHED		4096ULL			/* 16 MiB */
#define STRIDE		(MAP_SIZE / TOUCHED)	/* 1 MiB */

int main(void)
{
	uint64_t *p, i;

	p = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	crt_setup(p != MAP_FAILED);
	for (i = 0; i < TOUCHED; i++) {
		uint64_t *page = p + i * STRIDE / 8;
		unsigned int j;

		for (j = 0; j < PAGE / 8; j += 64)
			page[j] = crt_pattern(i, j);
	}

	crt_ready_and_wait();

	for (i = 0; i < TOUCHED; i++) {
		uint64_t *page = p + i * STRIDE / 8;
		unsigned int j;

		for (j = 0; j < PAGE / 8; j++) {
			uint64_t want = j % 64 ? 0 : crt_pattern(i, j);

			if (page[j] != want) {
				crt_fail("page %llu word %u",
					 (unsigned long long)i, j);
				return crt_done();
			}
		}
		/* the page after each touched one was never touched */
		if (page[PAGE / 8] != 0) {
			crt_fail("untouched page after %llu",
				 (unsigned long long)i);
			return crt_done();
		}
	}
	return crt_done();
}
