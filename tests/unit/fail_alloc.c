// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation fault injection for the unit tests (see fail_alloc.h).
 *
 * The state is one static struct, not a context: the allocator is
 * process-wide, and so is whatever decides which of its calls fail. The
 * tests are single-threaded, and only tests link this file.
 *
 * __real_malloc() and the others are the C library's symbols as the linker
 * resolves them without --wrap, so valgrind, which replaces libc's
 * malloc, still sees (and checks) every allocation made through here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "tests/unit/fail_alloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

static struct {
	bool armed;
	bool persistent;
	unsigned long nth;	/* 0: count only */
	unsigned long count;	/* allocations tried since armed */
	unsigned long fired;	/* of which failed */
} fail_alloc;

void cr_fail_alloc_set(unsigned long nth, bool persistent)
{
	fail_alloc.nth = nth;
	fail_alloc.persistent = persistent;
	fail_alloc.count = 0;
	fail_alloc.fired = 0;
	fail_alloc.armed = true;
}

void cr_fail_alloc_clear(void)
{
	fail_alloc.armed = false;
}

unsigned long cr_fail_alloc_count(void)
{
	return fail_alloc.count;
}

unsigned long cr_fail_alloc_fired(void)
{
	return fail_alloc.fired;
}

/* Count one allocation; true if it is to fail. */
static bool fail_alloc_now(void)
{
	unsigned long k;

	if (!fail_alloc.armed)
		return false;
	k = ++fail_alloc.count;
	if (!fail_alloc.nth || k < fail_alloc.nth ||
	    (k > fail_alloc.nth && !fail_alloc.persistent))
		return false;
	fail_alloc.fired++;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t size)
{
	return fail_alloc_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	return fail_alloc_now() ? NULL : __real_calloc(nmemb, size);
}

/* a failed realloc leaves @ptr allocated, as the real one does */
void *__wrap_realloc(void *ptr, size_t size)
{
	return fail_alloc_now() ? NULL : __real_realloc(ptr, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	return fail_alloc_now() ? NULL : __real_aligned_alloc(align, size);
}
