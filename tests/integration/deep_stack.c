// SPDX-License-Identifier: GPL-2.0
/*
 * A deep stack comes back: 20000 frames (several MiB) each holding values
 * of its own, checked while unwinding after restore; and the stack still
 * grows down after restore (recursing deeper than ever before).
 */
#include "crt.h"

#define DEPTH		20000
#define DEEPER		10000
#define FRAME_WORDS	16

static unsigned long check_frames(unsigned long depth, unsigned long limit,
				  bool wait)
{
	volatile uint64_t local[FRAME_WORDS];
	unsigned long i, sum;

	for (i = 0; i < FRAME_WORDS; i++)
		local[i] = crt_pattern(depth, i);
	if (depth == limit) {
		if (wait)
			crt_ready_and_wait();
		sum = 0;
	} else {
		sum = check_frames(depth + 1, limit, wait);
	}
	for (i = 0; i < FRAME_WORDS; i++)
		if (local[i] != crt_pattern(depth, i)) {
			crt_fail("frame %lu word %lu differs", depth, i);
			break;
		}
	/* use the result, so that this is no tail call */
	return sum + (local[depth % FRAME_WORDS] & 1);
}

int main(void)
{
	unsigned long a, b;

	a = check_frames(0, DEPTH, true);
	/* after restore: deeper than the saved stack reached */
	b = check_frames(0, DEPTH + DEEPER, false);
	crt_check(a <= DEPTH + 1 && b <= DEPTH + DEEPER + 1, "sums");
	return crt_done();
}
