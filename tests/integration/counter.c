// SPDX-License-Identifier: GPL-2.0
/*
 * The demo's program (scripts/demo.sh): prints an increasing counter every
 * 0.2 s, forever, or N times with an argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long max = argc > 1 ? atol(argv[1]) : -1, n;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	char line[64];

	for (n = 1; max < 0 || n <= max; n++) {
		int len = snprintf(line, sizeof(line),
				   "counter: %ld (pid %d)\n", n, (int)getpid());

		if (write(STDOUT_FILENO, line, len) != len)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}
