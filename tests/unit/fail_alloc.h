/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation fault injection for the unit tests, as SQLite's fault
 * simulator: every unit test is linked with
 *
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc
 *
 * so that the engine's and the mock's allocations (and the tests' own: arm
 * only around the call under test) go through fail_alloc.c. Unarmed, each
 * wrapper calls the C library's allocator. Armed, the @nth allocation
 * counted from cr_fail_alloc_set() returns NULL with errno ENOMEM, and
 * with @persistent every one after it as well.
 *
 * Only what the linker wraps is seen: calls inside shared libraries
 * (cmocka, libc's own strdup or stdio buffers) are not counted and never
 * fail. free() is not wrapped.
 */
#ifndef _CR_FAIL_ALLOC_H
#define _CR_FAIL_ALLOC_H

#include <stdbool.h>

/**
 * cr_fail_alloc_set() - arm: fail the @nth allocation from now on
 * @nth: 1 for the next one; 0 counts without ever failing
 * @persistent: fail every allocation after the @nth as well
 *
 * Resets the count and the fired count.
 */
void cr_fail_alloc_set(unsigned long nth, bool persistent);

/** cr_fail_alloc_clear() - disarm; the counts are kept for reading */
void cr_fail_alloc_clear(void);

/**
 * cr_fail_alloc_count() - allocations tried since cr_fail_alloc_set()
 *
 * Failed ones included; counting stops at cr_fail_alloc_clear().
 *
 * Return: the count.
 */
unsigned long cr_fail_alloc_count(void);

/**
 * cr_fail_alloc_fired() - allocations failed since cr_fail_alloc_set()
 *
 * Return: the count.
 */
unsigned long cr_fail_alloc_fired(void);

#endif /* _CR_FAIL_ALLOC_H */
