// SPDX-License-Identifier: GPL-2.0
/*
 * A private file mapping keeps its copied-on-write pages and still reads
 * the file's own contents elsewhere, at the right file offset; the file
 * itself is never written.
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "crt.h"

#define PAGE	4096
#define NPAGES	8

static char file_byte(unsigned long page)
{
	return (char)('A' + page);
}

static char cow_byte(unsigned long page)
{
	return (char)('a' + page);
}

static bool is_cowed(unsigned long page)
{
	return page == 2 || page == 5;
}

static void check_file_unchanged(const char *path)
{
	char buf[PAGE];
	unsigned long i, j;
	int fd = open(path, O_RDONLY);

	crt_setup(fd >= 0);
	for (i = 0; i < NPAGES; i++) {
		crt_setup(pread(fd, buf, PAGE, i * PAGE) == PAGE);
		for (j = 0; j < PAGE; j++)
			if (buf[j] != file_byte(i)) {
				crt_fail("the file changed: page %lu", i);
				break;
			}
	}
	close(fd);
}

int main(void)
{
	const char *path = crt_path("cow.dat");
	char page[PAGE], *map, *tail;
	unsigned long i, j;
	volatile char sink;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	crt_setup(fd >= 0);
	for (i = 0; i < NPAGES; i++) {
		memset(page, file_byte(i), PAGE);
		crt_setup(write(fd, page, PAGE) == PAGE);
	}
	map = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		   fd, 0);
	/* a read-only view of the second half, at file offset 4 pages */
	tail = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 4 * PAGE);
	crt_setup(map != MAP_FAILED && tail != MAP_FAILED);
	close(fd);

	for (i = 0; i < NPAGES; i++)
		if (is_cowed(i))
			memset(map + i * PAGE, cow_byte(i), PAGE);
	sink = map[3 * PAGE];	/* a clean page, present */
	sink = tail[PAGE];
	(void)sink;

	crt_ready_and_wait();

	for (i = 0; i < NPAGES; i++) {
		char want = is_cowed(i) ? cow_byte(i) : file_byte(i);

		for (j = 0; j < PAGE; j++)
			if (map[i * PAGE + j] != want) {
				crt_fail("page %lu byte %lu: '%c', want '%c'",
					 i, j, map[i * PAGE + j], want);
				break;
			}
	}
	for (i = 0; i < 4; i++)
		crt_check(tail[i * PAGE] == file_byte(4 + i) &&
			  tail[i * PAGE + PAGE - 1] == file_byte(4 + i),
			  "read-only view page %lu", i);
	check_file_unchanged(path);

	/* a new COW after restore stays private too */
	map[0] = 'z';
	check_file_unchanged(path);
	return crt_done();
}
