// SPDX-License-Identifier: GPL-2.0
/*
 * Memory that restore --lazy maps from the image, and memory it copies,
 * both come back and stay the process's own: 64 MiB of anonymous memory
 * with a pattern, a read-only anonymous area, the heap, a large stack
 * frame, and copied-on-write pages of a private file mapping. Afterwards
 * every area is written, the heap grows, and no fd but 0-2 is open.
 *
 * It says "memory: lazy" when its 64 MiB are a mapping of a file (the
 * image) and "memory: copied" when they are anonymous, and checks the two
 * documented differences of a lazy restore: a page given back with
 * MADV_DONTNEED reads as the image's data again, not as zeros, and mremap
 * of the whole area may fail with EFAULT (it is several mappings).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "crt.h"

#define PAGE		4096UL
#define WORDS		(PAGE / 8)
#define BIG		(64UL << 20)
#define RO_PAGES	64
#define HEAP		(4UL << 20)
#define FILE_PAGES	32
#define STACK_WORDS	(256 * 1024 / 8)

enum { S_BIG = 1, S_RO, S_HEAP, S_FILE, S_COW, S_STACK };

static uint64_t *big, *ro, *heap, *file;

static unsigned long check_words(const uint64_t *p, unsigned long n,
				 uint64_t seed, const char *what)
{
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++)
		if (p[i] != crt_pattern(seed, i) && bad++ < 3)
			crt_fail("%s word %lu: %#llx, want %#llx", what, i,
				 (unsigned long long)p[i],
				 (unsigned long long)crt_pattern(seed, i));
	return bad;
}

static void fill_words(uint64_t *p, unsigned long n, uint64_t seed)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		p[i] = crt_pattern(seed, i);
}

/* What the file's page @pg holds: written (COW) on odd pages only. */
static uint64_t file_seed(unsigned long pg)
{
	return pg % 2 ? S_COW * 1000 + pg : S_FILE * 1000 + pg;
}

static void setup_file(void)
{
	const char *path = crt_path("cow");
	uint64_t page[WORDS];
	unsigned long pg;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	crt_setup(fd >= 0);
	for (pg = 0; pg < FILE_PAGES; pg++) {
		fill_words(page, WORDS, S_FILE * 1000 + pg);
		crt_setup(write(fd, page, PAGE) == (ssize_t)PAGE);
	}
	file = mmap(NULL, FILE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE, fd, 0);
	crt_setup(file != MAP_FAILED);
	close(fd);
	for (pg = 1; pg < FILE_PAGES; pg += 2)
		fill_words(file + pg * WORDS, WORDS, file_seed(pg));
}

/* Is @addr in a mapping of a file (the image), as /proc/self/maps says? */
static bool file_backed(const void *addr)
{
	unsigned long start, end, inode;
	char line[512];
	bool ret = false;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	crt_setup(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &start, &end,
			   &inode) != 3)
			continue;
		if ((unsigned long)addr >= start && (unsigned long)addr < end) {
			ret = inode != 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* fds 0-2 only: the image a restore held open is closed */
static void check_fds(void)
{
	struct dirent *de;
	DIR *d;
	int fd;

	d = opendir("/proc/self/fd");
	crt_setup(d != NULL);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd > 2 && fd != dirfd(d))
			crt_fail("fd %d is open", fd);
	}
	closedir(d);
}

static void check_saved_state(void)
{
	unsigned long pg;

	check_words(big, BIG / 8, S_BIG, "64 MiB area");
	check_words(ro, RO_PAGES * WORDS, S_RO, "read-only area");
	check_words(heap, HEAP / 8, S_HEAP, "heap");
	for (pg = 0; pg < FILE_PAGES; pg++)
		check_words(file + pg * WORDS, WORDS, file_seed(pg),
			    pg % 2 ? "file COW page" : "file page");
}

/* Every area stays ours to write, and the heap grows. */
static void check_writable(void)
{
	unsigned long i;
	uint64_t *more;

	for (i = 0; i < BIG / 8; i += WORDS)
		big[i] = ~i;
	for (i = 0; i < BIG / 8; i += WORDS)
		crt_check(big[i] == ~i, "64 MiB area word %lu", i);
	crt_check(!mprotect(ro, RO_PAGES * PAGE, PROT_READ | PROT_WRITE),
		  "mprotect: %s", strerror(errno));
	fill_words(ro, RO_PAGES * WORDS, ~(uint64_t)S_RO);
	check_words(ro, RO_PAGES * WORDS, ~(uint64_t)S_RO, "read-only area");
	fill_words(heap, HEAP / 8, ~(uint64_t)S_HEAP);
	check_words(heap, HEAP / 8, ~(uint64_t)S_HEAP, "heap");
	fill_words(file, FILE_PAGES * WORDS, S_FILE);
	check_words(file, FILE_PAGES * WORDS, S_FILE, "file mapping");
	more = sbrk(HEAP);
	crt_check(more != (void *)-1, "sbrk: %s", strerror(errno));
	if (more != (void *)-1) {
		fill_words(more, HEAP / 8, 7);
		check_words(more, HEAP / 8, 7, "grown heap");
	}
}

/* The documented differences of a lazy restore. */
static void check_lazy_differences(bool lazy)
{
	uint64_t *moved;

	/* page 1 was written by check_writable(); give it back */
	crt_check(!madvise(big + WORDS, PAGE, MADV_DONTNEED), "madvise: %s",
		  strerror(errno));
	if (lazy)
		crt_check(big[WORDS] == crt_pattern(S_BIG, WORDS),
			  "a lazy page after MADV_DONTNEED: %#llx, not the image's",
			  (unsigned long long)big[WORDS]);
	else
		crt_check(big[WORDS] == 0,
			  "an anonymous page after MADV_DONTNEED: %#llx, not 0",
			  (unsigned long long)big[WORDS]);

	moved = mremap(big, BIG, 2 * BIG, MREMAP_MAYMOVE);
	if (moved == MAP_FAILED) {
		crt_check(lazy && errno == EFAULT, "mremap: %s",
			  strerror(errno));
		return;
	}
	crt_check(moved[BIG / 8 - WORDS] == ~(BIG / 8 - WORDS),
		  "moved area's last page");
	crt_check(moved[BIG / 4 - 1] == 0, "moved area's new end");
}

/* A large frame on the stack, held over the checkpoint. */
static void __attribute__((noinline)) stack_frame_and_wait(void)
{
	volatile uint64_t stk[STACK_WORDS];
	unsigned long i, bad = 0;

	for (i = 0; i < STACK_WORDS; i++)
		stk[i] = crt_pattern(S_STACK, i);

	crt_ready_and_wait();

	for (i = 0; i < STACK_WORDS; i++)
		if (stk[i] != crt_pattern(S_STACK, i) && bad++ < 3)
			crt_fail("stack word %lu", i);
}

int main(void)
{
	bool lazy;

	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	crt_setup(big != MAP_FAILED);
	fill_words(big, BIG / 8, S_BIG);
	ro = mmap(NULL, RO_PAGES * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	crt_setup(ro != MAP_FAILED);
	fill_words(ro, RO_PAGES * WORDS, S_RO);
	crt_setup(!mprotect(ro, RO_PAGES * PAGE, PROT_READ));
	heap = sbrk(HEAP);
	crt_setup(heap != (void *)-1);
	fill_words(heap, HEAP / 8, S_HEAP);
	setup_file();

	stack_frame_and_wait();

	lazy = file_backed(big);
	crt_say(lazy ? "memory: lazy\n" : "memory: copied\n");
	check_fds();
	check_saved_state();
	check_writable();
	check_lazy_differences(lazy);
	return crt_done();
}
