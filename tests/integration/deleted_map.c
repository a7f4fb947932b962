// SPDX-License-Identifier: GPL-2.0
/*
 * A mapped file deleted before the checkpoint is saved with its contents:
 * after restore, both a read-only and a written (copied-on-write) private
 * mapping of it read what they did, though the file is gone.
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "crt.h"

#define PAGE	4096
#define NPAGES	6

int main(void)
{
	const char *path = crt_path("doomed.dat");
	char page[PAGE], *ro, *rw;
	unsigned long i, j;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	crt_setup(fd >= 0);
	for (i = 0; i < NPAGES; i++) {
		memset(page, (int)('0' + i), PAGE);
		crt_setup(write(fd, page, PAGE) == PAGE);
	}
	ro = mmap(NULL, NPAGES * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	rw = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		  fd, 0);
	crt_setup(ro != MAP_FAILED && rw != MAP_FAILED);
	close(fd);
	rw[PAGE] = 'x';
	crt_setup(!unlink(path));

	crt_ready_and_wait();

	for (i = 0; i < NPAGES; i++)
		for (j = 0; j < PAGE; j++) {
			char want = (char)('0' + i);

			if (ro[i * PAGE + j] != want) {
				crt_fail("ro page %lu byte %lu", i, j);
				break;
			}
			if (i == 1 && j == 0)
				want = 'x';
			if (rw[i * PAGE + j] != want) {
				crt_fail("rw page %lu byte %lu", i, j);
				break;
			}
		}
	crt_check(access(path, F_OK) && errno == ENOENT,
		  "the file came back to life");
	rw[2 * PAGE] = 'y';
	crt_check(rw[2 * PAGE] == 'y', "write after restore");
	return crt_done();
}
