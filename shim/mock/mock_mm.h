/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock target: an in-memory mm (VMA list and page store), task state
 * and fault injection behind struct cr_kops, for the unit tests.
 *
 * A test builds a target with mock_mm_new(), gives it state through the
 * helpers below or through mock_kops itself, runs the engine on it, and
 * then asserts on the layout (mock_mm_vma()), the memory (mock_mm_read()),
 * the call counts (mock_calls()) and the get/put balance
 * (mock_check_balanced()).
 *
 * Semantics worth knowing when writing a test:
 *  - Adjacent VMAs are never merged: two mmaps side by side stay two VMAs,
 *    and a VMA split by munmap/MAP_FIXED stays split.
 *  - A page is materialized only when written (mock_mm_write(), a write
 *    pin) or, for a file VMA, when read-pinned. page_state reports
 *    CR_PAGE_PRIVATE for written pages, CR_PAGE_FILE for file pages that
 *    were read-pinned and never written, CR_PAGE_NONE otherwise (a file
 *    page only read through mock_mm_read() stays CR_PAGE_NONE).
 *  - The engine must never touch a CR_VMA_SHIM VMA: a kops call that would
 *    (map over it, unmap it, move it, pin or query its pages) fails with
 *    -EPERM and is recorded as MOCK_MISUSE_SHIM.
 *  - Misuse of the API (kunmap of a pointer kmap did not give, put_page of
 *    an unpinned page, a write through a read pin, a closed file used) is
 *    recorded, never fatal: see enum mock_misuse.
 */
#ifndef _CR_MOCK_MM_H
#define _CR_MOCK_MM_H

#include "core/compat.h"
#include "core/kops.h"

/* mmap_base of the mock: addresses without MAP_FIXED are picked below it */
#define MOCK_MMAP_BASE		0x7f0000000000UL
/* and not below this one (vm.mmap_min_addr) */
#define MOCK_MMAP_MIN		0x10000UL
/* fds 0 .. MOCK_NR_FDS - 1 exist in the mock's fd table */
#define MOCK_NR_FDS		64

extern const struct cr_kops mock_kops;

/* ---- life cycle (mock_mm.c) ---- */

struct cr_target *mock_mm_new(void);
void mock_mm_free(struct cr_target *t);

/* ---- building and inspecting the address space (mock_mm.c, mock_page.c) */

int mock_mm_add_file(struct cr_target *t, const char *path, const void *data,
		     size_t size, const struct cr_file_id *id);
int mock_mm_add_special(struct cr_target *t, u32 vma_type, unsigned long addr,
			unsigned long len);
int mock_mm_write(struct cr_target *t, unsigned long addr, const void *buf,
		  size_t len);
int mock_mm_read(struct cr_target *t, unsigned long addr, void *buf,
		 size_t len);
int mock_mm_nr_vmas(struct cr_target *t);
int mock_mm_vma(struct cr_target *t, int i, struct cr_vma_info *vma);
int mock_mm_page_state(struct cr_target *t, unsigned long addr);
unsigned long mock_mm_nr_pages(struct cr_target *t);

/*
 * ---- snapshot and lazy restore (mock_snapshot.c) ----
 *
 * ->snapshot_mm succeeds and marks the target: the task (anything but
 * find_vma, page_state and get_user_pages for reading) must not be read
 * after it, and a call that does is recorded as MOCK_MISUSE_SNAPSHOT. The
 * callback set with mock_mm_on_snapshot() runs in it, to change the task
 * the way the running process would. ->map_image maps pages read from the
 * fd set with mock_mm_set_image() as a private file mapping whose path is
 * MOCK_IMAGE_PATH; it counts the pages so mapped. mock_mm_release() ends
 * the snapshot, as the Linux shim's release does.
 */
#define MOCK_IMAGE_PATH		"[crrun image]"

void mock_mm_on_snapshot(struct cr_target *t,
			 void (*fn)(struct cr_target *t, void *arg), void *arg);
bool mock_mm_snapshot_taken(struct cr_target *t);
void mock_mm_release(struct cr_target *t);
void mock_mm_set_image(struct cr_target *t, int fd);
unsigned long mock_mm_image_pages(struct cr_target *t);

/*
 * ->write_pages says -EOPNOTSUPP unless offered: then it writes the pages
 * of readable VMAs (-EOPNOTSUPP for any other, as the Linux shim), counts
 * them, and with MOCK_WRITE_SUMMED carries the checksum over them.
 */
enum mock_write_pages {
	MOCK_WRITE_REFUSED,	/* -EOPNOTSUPP: the default */
	MOCK_WRITE_PAGES,	/* written, 0: the engine reads them back */
	MOCK_WRITE_SUMMED,	/* written and summed, 1 */
};

void mock_mm_offer_write_pages(struct cr_target *t,
			       enum mock_write_pages how);
unsigned long mock_mm_written_pages(struct cr_target *t);

/* ---- task state (mock_task.c); the rest is set through mock_kops ---- */

int mock_task_add_fd(struct cr_target *t, const struct cr_fd_info *info,
		     bool unsupported);

/* ---- fault injection and accounting (mock_fault.c) ---- */

/* One per struct cr_kops member, in the order of the table. */
enum mock_op {
	MOCK_OP_FIND_VMA,
	MOCK_OP_PAGE_STATE,
	MOCK_OP_NEXT_PAGE,
	MOCK_OP_GET_MM_MAP,
	MOCK_OP_SNAPSHOT_MM,
	MOCK_OP_WRITE_PAGES,
	MOCK_OP_DO_MMAP,
	MOCK_OP_DO_MUNMAP,
	MOCK_OP_DO_MREMAP,
	MOCK_OP_FILP_OPEN,
	MOCK_OP_FILP_CLOSE,	/* counted, never fails */
	MOCK_OP_MAP_IMAGE,
	MOCK_OP_SET_MM_MAP,
	MOCK_OP_GET_USER_PAGES,
	MOCK_OP_PUT_PAGE,	/* counted, never fails */
	MOCK_OP_FLUSH,
	MOCK_OP_KMAP,		/* counted, never fails */
	MOCK_OP_KUNMAP,		/* counted, never fails */
	MOCK_OP_MODIFY_LDT,
	MOCK_OP_GET_CREDS,
	MOCK_OP_SET_CREDS,
	MOCK_OP_GET_FS,
	MOCK_OP_SET_FS,
	MOCK_OP_NEXT_FD,
	MOCK_OP_INSTALL_FD,
	MOCK_OP_CLOSE_FD,
	MOCK_OP_GET_TTY,
	MOCK_OP_SET_TTY,
	MOCK_OP_GET_SIGACTION,
	MOCK_OP_SET_SIGACTION,
	MOCK_OP_GET_SIGSTATE,
	MOCK_OP_SET_SIGSTATE,
	MOCK_OP_GET_THREAD,
	MOCK_OP_SET_THREAD,
	MOCK_OP_GET_REGS,
	MOCK_OP_SET_REGS,
	MOCK_OP_ANY,		/* every call of every op */
	MOCK_OP_NR,
};

/* What the mock records instead of crashing. */
enum mock_misuse {
	MOCK_MISUSE_KMAP,	/* kmap of a page that is not pinned */
	MOCK_MISUSE_KUNMAP,	/* kunmap of a pointer kmap did not give */
	MOCK_MISUSE_PUT_PAGE,	/* put_page of an unpinned or kmapped page */
	MOCK_MISUSE_RO_WRITE,	/* a page changed while only read-pinned */
	MOCK_MISUSE_FILE,	/* a closed (or NULL) file used or closed */
	MOCK_MISUSE_SHIM,	/* a kops call aimed at a CR_VMA_SHIM VMA */
	MOCK_MISUSE_SNAPSHOT,	/* the task read after ->snapshot_mm */
	MOCK_MISUSE_NR,
};

/* mock_tty.c: the terminal the target has on its fds 0-2 (NULL: none) */
void mock_set_terminal(struct cr_target *t, const struct cr_tty_info *tty);
bool mock_winch_sent(struct cr_target *t);

int mock_fault_set(struct cr_target *t, enum mock_op op, unsigned long nth,
		   int err, bool persistent);
void mock_fault_clear(struct cr_target *t);
unsigned long mock_calls(struct cr_target *t, enum mock_op op);
unsigned long mock_fault_fired(struct cr_target *t);
const char *mock_op_name(enum mock_op op);

unsigned long mock_misuse_count(struct cr_target *t, enum mock_misuse kind);
unsigned long mock_misuse_addr(struct cr_target *t, enum mock_misuse kind);
int mock_check_balanced(struct cr_target *t, char *why, size_t len);

#endif /* _CR_MOCK_MM_H */
