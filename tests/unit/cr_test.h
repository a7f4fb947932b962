/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the engine's unit tests share: a log that keeps the last error, an
 * image in a temporary file, a mock process with a bit of everything,
 * whole checkpoints and restores into mock targets, comparison of two
 * mock mms, and surgery on images.
 */
#ifndef _CR_TEST_H
#define _CR_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/ctx.h"
#include "core/image.h"
#include "shim/mock/mock_mm.h"

/* A log sink for tests: keeps the first and last error. */
struct cr_test_log {
	struct cr_log log;
	char first[512];
	char last[512];
	unsigned int nr_err;
};

void cr_test_log_init(struct cr_test_log *tl);

/* A fresh, empty, unlinked temporary file for an image. */
int cr_test_image_fd(void);

/*
 * The standard mock process of the tests, pid CR_TEST_PID:
 *
 *   0x400000-0x402000  r-xp  file /bin/test-exe pgoff 0 (clean)
 *   0x402000-0x404000  rw-p  file /bin/test-exe pgoff 2, page 0 COW'd
 *   0x600000-0x610000  rw-p  anon, pattern in pages 0, 1, 5 and 15
 *   0x610000-0x611000  ---p  anon guard (PROT_NONE), one page written
 *   0x700000-0x702000  r--p  anon, read-only, page 1 written
 *   0x7ffff0000000-0x7ffff0010000 rw-p growsdown stack, top page written
 *   0x7ffff7fc0000-0x7ffff7fc4000  [vvar]
 *   0x7ffff7fc4000-0x7ffff7fc6000  [vdso]
 *
 * plus creds, cwd and umask, fds 0-2 inherited and 3-4 a shared file,
 * handlers for SIGUSR1 and SIGINT, a blocked mask, an altstack, rseq,
 * two LDT entries and valid x86-64 user registers.
 */
#define CR_TEST_PID	4242
#define CR_TEST_EXE	"/bin/test-exe"

struct cr_target *cr_test_mock_process(void);

/*
 * A mock target to restore into, as a fresh child is: one anon mapping at
 * 0x500000 to be destroyed, a vdso and vvar elsewhere, fds 0-2.
 */
struct cr_target *cr_test_mock_empty(void);

/* A terminal on fd 0, 24x80, in raw mode (@raw) or as a shell leaves it. */
void cr_test_terminal(struct cr_tty_info *tty, bool raw);

/* Checkpoint @t into @fd (rewound after). Return: cr_checkpoint()'s. */
int cr_test_checkpoint(struct cr_target *t, int fd, struct cr_test_log *tl);

/* Restore @fd (from offset 0) into @t. Return: cr_restart()'s. */
int cr_test_restart(struct cr_target *t, int fd, struct cr_test_log *tl);

/* Assert two mock mms have the same VMAs, protections and bytes. */
void cr_test_assert_same_mm(struct cr_target *a, struct cr_target *b);

/* Assert two targets have what a restore sets: mm, mm fields, LDT, regs. */
void cr_test_assert_same_process(struct cr_target *a, struct cr_target *b);

/*
 * Image surgery. cr_test_find_obj() gives the file offset of the cr_hdr of
 * the @nth (from 0) object of @type, or -1; page data after pgarr objects
 * is stepped over.
 */
long cr_test_find_obj(int fd, u32 type, unsigned int nth);
void cr_test_pread(int fd, long off, void *buf, size_t n);
void cr_test_pwrite(int fd, long off, const void *buf, size_t n);
/* Recompute the tail's checksum after surgery. */
void cr_test_fix_csum(int fd);
/*
 * Make the image at @fd one of format version 2, as a crrun of that
 * version wrote it: the objects version 3 added are taken out (they all
 * follow the memory, so no page data moves), the head says 2, the tail's
 * size and checksums are made again.
 */
void cr_test_make_v2(int fd);
/*
 * The tail's meta_csum of the @tail bytes of @img: every byte but page
 * data, the page data found by walking @shape (@img before a change that
 * moves it, or @img itself).
 */
u32 cr_test_meta_csum(const u8 *img, const u8 *shape, long tail);
long cr_test_image_size(int fd);
/*
 * A copy of crrun's injected code @code (@len bytes, ending in the int3
 * the shim stops at) in an executable page of this process, its int3 made
 * a ret: to call it here. Free it with cr_test_code_free().
 */
u8 *cr_test_code_page(const u8 *code, size_t len);
void cr_test_code_free(u8 *page);
/* The whole image, malloc'd, its size into @size. */
u8 *cr_test_image_bytes(int fd, long *size);
/* The same bytes, but for the creation time and the checksums of the tail. */
void cr_test_assert_same_image(int fd_a, int fd_b);

#endif /* _CR_TEST_H */
