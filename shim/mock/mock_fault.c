// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection and accounting for the mock target, after SQLite's
 * fault simulation: arm a countdown on one op (or on every op), run, and
 * the nth call fails with the chosen errno, once or from then on. Every
 * kops member of the mock calls mock_fault_hit() before it does anything,
 * so a failed call leaves the target as it was.
 *
 * Accounting: every get_user_pages pin must be put, every kmap kunmapped,
 * every filp_open closed, and nothing may have been misused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shim/mock/mock_priv.h"

static const char *const mock_op_names[MOCK_OP_NR] = {
	[MOCK_OP_FIND_VMA]		= "find_vma",
	[MOCK_OP_PAGE_STATE]		= "page_state",
	[MOCK_OP_NEXT_PAGE]		= "next_page",
	[MOCK_OP_GET_MM_MAP]		= "get_mm_map",
	[MOCK_OP_SNAPSHOT_MM]		= "snapshot_mm",
	[MOCK_OP_WRITE_PAGES]		= "write_pages",
	[MOCK_OP_DO_MMAP]		= "do_mmap",
	[MOCK_OP_DO_MUNMAP]		= "do_munmap",
	[MOCK_OP_DO_MREMAP]		= "do_mremap",
	[MOCK_OP_FILP_OPEN]		= "filp_open",
	[MOCK_OP_FILP_CLOSE]		= "filp_close",
	[MOCK_OP_MAP_IMAGE]		= "map_image",
	[MOCK_OP_SET_MM_MAP]		= "set_mm_map",
	[MOCK_OP_GET_USER_PAGES]	= "get_user_pages",
	[MOCK_OP_PUT_PAGE]		= "put_page",
	[MOCK_OP_FLUSH]			= "flush",
	[MOCK_OP_KMAP]			= "kmap",
	[MOCK_OP_KUNMAP]		= "kunmap",
	[MOCK_OP_MODIFY_LDT]		= "modify_ldt",
	[MOCK_OP_GET_CREDS]		= "get_creds",
	[MOCK_OP_SET_CREDS]		= "set_creds",
	[MOCK_OP_GET_FS]		= "get_fs",
	[MOCK_OP_SET_FS]		= "set_fs",
	[MOCK_OP_NEXT_FD]		= "next_fd",
	[MOCK_OP_INSTALL_FD]		= "install_fd",
	[MOCK_OP_CLOSE_FD]		= "close_fd",
	[MOCK_OP_GET_TTY]		= "get_tty",
	[MOCK_OP_SET_TTY]		= "set_tty",
	[MOCK_OP_GET_SIGACTION]		= "get_sigaction",
	[MOCK_OP_SET_SIGACTION]		= "set_sigaction",
	[MOCK_OP_GET_SIGSTATE]		= "get_sigstate",
	[MOCK_OP_SET_SIGSTATE]		= "set_sigstate",
	[MOCK_OP_GET_THREAD]		= "get_thread",
	[MOCK_OP_SET_THREAD]		= "set_thread",
	[MOCK_OP_GET_REGS]		= "get_regs",
	[MOCK_OP_SET_REGS]		= "set_regs",
	[MOCK_OP_ANY]			= "any",
};

static const char *const mock_misuse_names[MOCK_MISUSE_NR] = {
	[MOCK_MISUSE_KMAP]	= "kmap of an unpinned page",
	[MOCK_MISUSE_KUNMAP]	= "kunmap of a pointer kmap did not give",
	[MOCK_MISUSE_PUT_PAGE]	= "put_page of an unpinned or kmapped page",
	[MOCK_MISUSE_RO_WRITE]	= "page written through a read pin",
	[MOCK_MISUSE_FILE]	= "closed file used or closed again",
	[MOCK_MISUSE_SHIM]	= "shim's own VMA touched",
	[MOCK_MISUSE_SNAPSHOT]	= "task read after snapshot_mm",
};

/* The ops whose kops member returns nothing (or cannot fail, as kmap). */
static bool mock_op_can_fail(enum mock_op op)
{
	switch (op) {
	case MOCK_OP_FILP_CLOSE:
	case MOCK_OP_PUT_PAGE:
	case MOCK_OP_KMAP:
	case MOCK_OP_KUNMAP:
		return false;
	default:
		return true;
	}
}

/**
 * mock_op_name() - the kops member an op stands for
 * @op: enum mock_op
 *
 * Return: its name ("do_mmap"), "any" for MOCK_OP_ANY, or "?" when @op
 * is out of range.
 */
const char *mock_op_name(enum mock_op op)
{
	if ((unsigned int)op >= MOCK_OP_NR)
		return "?";
	return mock_op_names[op];
}

/**
 * mock_fault_hit() - count a call of @op and decide whether it fails
 * @t: the mock target
 * @op: the kops member being called
 *
 * Called first thing by every kops member of the mock. When the armed op
 * is MOCK_OP_ANY and its nth call is one that cannot fail (put_page,
 * kunmap, filp_close, kmap), the failure goes to the next call that can,
 * so that a loop over nth = 1, 2, ... stops exactly when a run gets
 * through without the fault firing.
 *
 * Return: 0, or the armed -errno if this call is to fail.
 */
int mock_fault_hit(struct cr_target *t, enum mock_op op)
{
	struct mock_fault *f = &t->fault;
	unsigned long n;

	f->calls[op]++;
	f->calls[MOCK_OP_ANY]++;
	if (!f->armed || f->spent)
		return 0;
	if (f->op != MOCK_OP_ANY && f->op != op)
		return 0;
	n = f->calls[f->op];
	if (n < f->nth || !mock_op_can_fail(op))
		return 0;
	f->fired++;
	if (!f->persistent)
		f->spent = true;
	return -f->err;
}

/**
 * mock_fault_set() - arm a failure
 * @t: the mock target
 * @op: the op to fail, or MOCK_OP_ANY for the nth call of any op
 * @nth: which call fails, from 1, counted from now
 * @err: the positive errno the call returns negated
 * @persistent: that call and every later one of @op fail, not only that one
 *
 * Resets every call counter and the fired count.
 *
 * Return: 0, or -EINVAL for an op out of range, one that cannot fail,
 * @nth 0 or @err not in 1..4095.
 */
int mock_fault_set(struct cr_target *t, enum mock_op op, unsigned long nth,
		   int err, bool persistent)
{
	struct mock_fault *f = &t->fault;

	if ((unsigned int)op >= MOCK_OP_NR || !mock_op_can_fail(op))
		return -EINVAL;
	if (!nth || err <= 0 || err > MAX_ERRNO)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->armed = true;
	f->op = op;
	f->nth = nth;
	f->err = err;
	f->persistent = persistent;
	return 0;
}

/**
 * mock_fault_clear() - disarm
 * @t: the mock target
 *
 * The call counters and the fired count are kept, for the test to read.
 */
void mock_fault_clear(struct cr_target *t)
{
	t->fault.armed = false;
}

/**
 * mock_calls() - how many times @op was called
 * @t: the mock target
 * @op: an op, or MOCK_OP_ANY for all calls
 *
 * Return: the calls since the last mock_fault_set(), or since
 * mock_mm_new(); failed calls included. 0 for an op out of range.
 */
unsigned long mock_calls(struct cr_target *t, enum mock_op op)
{
	if ((unsigned int)op >= MOCK_OP_NR)
		return 0;
	return t->fault.calls[op];
}

/**
 * mock_fault_fired() - how many calls the armed fault made fail
 * @t: the mock target
 *
 * Return: 0 when the fault never fired; 1 for a one-off fault that did.
 */
unsigned long mock_fault_fired(struct cr_target *t)
{
	return t->fault.fired;
}

/**
 * mock_misuse() - record a misuse of the kops API
 * @t: the mock target
 * @kind: what went wrong
 * @addr: the address, pointer or fd involved, for the test to assert on
 */
void mock_misuse(struct cr_target *t, enum mock_misuse kind,
		 unsigned long addr)
{
	t->misuse[kind].count++;
	t->misuse[kind].addr = addr;
}

/**
 * mock_misuse_count() - how many misuses of one kind were recorded
 * @t: the mock target
 * @kind: enum mock_misuse
 *
 * Return: the count since mock_mm_new(); 0 for a kind out of range.
 */
unsigned long mock_misuse_count(struct cr_target *t, enum mock_misuse kind)
{
	if ((unsigned int)kind >= MOCK_MISUSE_NR)
		return 0;
	return t->misuse[kind].count;
}

/**
 * mock_misuse_addr() - the address of the last misuse of one kind
 * @t: the mock target
 * @kind: enum mock_misuse
 *
 * Return: the page address, the pointer given to kunmap, etc.; 0 if none.
 */
unsigned long mock_misuse_addr(struct cr_target *t, enum mock_misuse kind)
{
	if ((unsigned int)kind >= MOCK_MISUSE_NR)
		return 0;
	return t->misuse[kind].addr;
}

static __printf(4, 5) void why_add(char *why, size_t len, size_t *pos,
				   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || *pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(why + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = min(*pos + (size_t)n, len);
}

/**
 * mock_check_balanced() - did the engine give back everything it took?
 * @t: the mock target
 * @why: where to describe what is not balanced (may be NULL)
 * @len: bytes at @why
 *
 * Checks that no page is still pinned or kmapped, that every file opened
 * was closed, and that no misuse was recorded.
 *
 * Return: 0 when balanced, else -1 with @why saying what is not (the one
 * place the mock returns -1: this is a predicate for assert, not a call
 * that fails).
 */
int mock_check_balanced(struct cr_target *t, char *why, size_t len)
{
	unsigned long pins = 0, kmaps = 0, first_pin = 0, first_kmap = 0;
	struct cr_page *page;
	size_t pos = 0;
	int k, bad = 0;

	if (why && len)
		why[0] = '\0';
	list_for_each_entry(page, &t->pinned, pinned) {
		if (page->pins && !pins)
			first_pin = page->addr;
		pins += page->pins;
	}
	list_for_each_entry(page, &t->kmapped, kmapped) {
		if (!kmaps)
			first_kmap = page->addr;
		kmaps += page->kmaps;
	}
	if (pins) {
		why_add(why, len, &pos, "%lu page pins not put (first 0x%lx); ",
			pins, first_pin);
		bad = 1;
	}
	if (kmaps) {
		why_add(why, len, &pos, "%lu kmaps not kunmapped (first 0x%lx); ",
			kmaps, first_kmap);
		bad = 1;
	}
	if (t->nr_open_files) {
		why_add(why, len, &pos, "%lu files not closed; ",
			t->nr_open_files);
		bad = 1;
	}
	for (k = 0; k < MOCK_MISUSE_NR; k++) {
		if (!t->misuse[k].count)
			continue;
		why_add(why, len, &pos, "%lu x %s (last 0x%lx); ",
			t->misuse[k].count, mock_misuse_names[k],
			t->misuse[k].addr);
		bad = 1;
	}
	return bad ? -1 : 0;
}
