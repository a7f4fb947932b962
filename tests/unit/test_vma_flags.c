// SPDX-License-Identifier: GPL-2.0
/*
 * core/mm/vma_flags.c: VM_* bits -> mmap(2) protections and flags, and the
 * 2008 defects of that conversion: PROT_SEM tested on VM_* bits, where 0x8
 * is VM_SHARED (7), and VM_SHARED tested on MAP_* bits, where it never
 * fires (4/6), so that a VM_MAYSHARE VMA was mapped MAP_SHARED.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "core/image.h"
#include "core/mm/vma_flags.h"

#ifndef PROT_SEM
#define PROT_SEM	0x8
#endif
#ifndef MAP_DENYWRITE
#define MAP_DENYWRITE	0x0800
#endif
#ifndef MAP_EXECUTABLE
#define MAP_EXECUTABLE	0x1000
#endif

/* every VM_* bit the image may carry, one at a time */
static const unsigned long all_bits[] = {
	VM_READ, VM_WRITE, VM_EXEC, VM_SHARED, VM_MAYREAD, VM_MAYWRITE,
	VM_MAYEXEC, VM_MAYSHARE, VM_GROWSDOWN, VM_UFFD_MISSING, VM_PFNMAP,
	VM_UFFD_WP, VM_LOCKED, VM_IO, VM_SEQ_READ, VM_RAND_READ, VM_DONTCOPY,
	VM_DONTEXPAND, VM_LOCKONFAULT, VM_ACCOUNT, VM_NORESERVE, VM_HUGETLB,
	VM_SYNC, VM_ARCH_1, VM_WIPEONFORK, VM_DONTDUMP, VM_SOFTDIRTY,
	VM_MIXEDMAP, VM_HUGEPAGE, VM_NOHUGEPAGE, VM_MERGEABLE,
};

static void test_prot_bits_for_every_read_write_exec_combination(
	void **state)
{
	unsigned long rwx;

	for (rwx = 0; rwx < 8; rwx++) {
		unsigned long vm = (rwx & 1 ? VM_READ : 0) |
				   (rwx & 2 ? VM_WRITE : 0) |
				   (rwx & 4 ? VM_EXEC : 0);
		unsigned long want = (rwx & 1 ? PROT_READ : 0) |
				     (rwx & 2 ? PROT_WRITE : 0) |
				     (rwx & 4 ? PROT_EXEC : 0);

		assert_int_equal(cr_calc_map_prot_bits(vm), want);
		/* the MAY bits and the rest do not add protections */
		assert_int_equal(cr_calc_map_prot_bits(vm | VM_MAYREAD |
						       VM_MAYWRITE |
						       VM_MAYEXEC |
						       VM_GROWSDOWN |
						       VM_ACCOUNT), want);
	}
	assert_int_equal(cr_calc_map_prot_bits(VM_NONE), PROT_NONE);
}

/* 2008 defect 7: `vm_flags & PROT_SEM` is `vm_flags & VM_SHARED` */
static void test_prot_bits_do_not_turn_vm_shared_into_prot_sem(void **state)
{
	assert_int_equal(VM_SHARED, PROT_SEM);	/* why the seed was wrong */
	assert_int_equal(cr_calc_map_prot_bits(VM_SHARED), PROT_NONE);
	assert_int_equal(cr_calc_map_prot_bits(VM_SHARED | VM_MAYSHARE |
					       VM_READ), PROT_READ);
}

static void test_prot_bits_only_ever_read_write_exec(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_bits); i++)
		assert_int_equal(cr_calc_map_prot_bits(all_bits[i]) &
				 ~(unsigned long)(PROT_READ | PROT_WRITE |
						  PROT_EXEC), 0);
	assert_int_equal(cr_calc_map_prot_bits(CR_VM_KNOWN),
			 PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* VM_MAYSHARE alone is a read-only file view: the test just above */
static void test_map_flags_fixed_private_for_every_other_bit(void **state)
{
	size_t i;

	assert_int_equal(cr_calc_map_flags_bits(0), MAP_FIXED | MAP_PRIVATE);
	for (i = 0; i < ARRAY_SIZE(all_bits); i++) {
		unsigned long f = cr_calc_map_flags_bits(all_bits[i]);

		if (all_bits[i] == VM_MAYSHARE)
			continue;

		assert_int_equal(f & (MAP_FIXED | MAP_PRIVATE),
				 MAP_FIXED | MAP_PRIVATE);
		/* MAP_SHARED and MAP_SHARED_VALIDATE share bit 0 */
		assert_int_equal(f & MAP_SHARED, 0);
		assert_int_equal(f & (MAP_DENYWRITE | MAP_EXECUTABLE), 0);
		assert_int_equal(f & MAP_ANONYMOUS, 0);	/* the caller's */
	}
}

/*
 * 2008 defect 6: the seed mapped every VM_MAYSHARE VMA MAP_SHARED. Only a
 * read-only view of a file opened read-only (no VM_SHARED, VM_WRITE or
 * VM_MAYWRITE) is shared again; anything that could write is not.
 */
static void test_map_flags_shared_only_for_a_read_only_file_view(void **state)
{
	assert_int_equal(cr_calc_map_flags_bits(VM_MAYSHARE | VM_READ |
						VM_MAYREAD),
			 MAP_FIXED | MAP_SHARED);
	assert_int_equal(cr_calc_map_flags_bits(VM_MAYSHARE | VM_MAYWRITE |
						VM_READ),
			 MAP_FIXED | MAP_PRIVATE);
	assert_int_equal(cr_calc_map_flags_bits(VM_SHARED | VM_MAYSHARE |
						VM_READ | VM_WRITE),
			 MAP_FIXED | MAP_PRIVATE);
}

static void test_unsupported_lets_only_a_read_only_file_view_share(void **state)
{
	unsigned long ro = VM_MAYSHARE | VM_READ | VM_MAYREAD;

	assert_int_equal(cr_vma_unsupported(CR_VMA_FILE, ro), 0);
	assert_int_equal(cr_vma_unsupported(CR_VMA_ANON, ro), VM_MAYSHARE);
	assert_int_equal(cr_vma_unsupported(CR_VMA_FILE, ro | VM_MAYWRITE),
			 VM_MAYSHARE);
	assert_int_equal(cr_vma_unsupported(CR_VMA_FILE, ro | VM_SHARED),
			 VM_SHARED | VM_MAYSHARE);
	/* the kernel's vvar is VM_IO | VM_PFNMAP, and is moved, not mapped */
	assert_int_equal(cr_vma_unsupported(CR_VMA_VVAR, VM_IO | VM_PFNMAP |
					    VM_READ), 0);
}

static void test_map_flags_growsdown_for_vm_growsdown(void **state)
{
	assert_int_equal(cr_calc_map_flags_bits(VM_GROWSDOWN | VM_READ |
						VM_WRITE),
			 MAP_FIXED | MAP_PRIVATE | MAP_GROWSDOWN);
}

static void test_map_flags_noreserve_for_vm_noreserve(void **state)
{
	assert_int_equal(cr_calc_map_flags_bits(VM_NORESERVE),
			 MAP_FIXED | MAP_PRIVATE | MAP_NORESERVE);
	assert_int_equal(cr_calc_map_flags_bits(VM_NORESERVE | VM_GROWSDOWN),
			 MAP_FIXED | MAP_PRIVATE | MAP_NORESERVE |
			 MAP_GROWSDOWN);
}

static void test_map_flags_no_denywrite_or_executable_for_exec_vmas(
	void **state)
{
	unsigned long f = cr_calc_map_flags_bits(VM_READ | VM_EXEC |
						 VM_MAYREAD | VM_MAYEXEC |
						 VM_MAYWRITE);

	assert_int_equal(f, MAP_FIXED | MAP_PRIVATE);
}

/* 2008 defects 4/6: the check must be on VM_* bits, both of them */
static void test_unsupported_holds_vm_shared_and_vm_mayshare(void **state)
{
	assert_int_equal(CR_VM_UNSUPPORTED & VM_SHARED, VM_SHARED);
	assert_int_equal(CR_VM_UNSUPPORTED & VM_MAYSHARE, VM_MAYSHARE);
	assert_int_equal(CR_VM_UNSUPPORTED & (VM_IO | VM_HUGETLB | VM_PFNMAP |
					      VM_MIXEDMAP),
			 VM_IO | VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP);
	/* nothing an ordinary private mapping has */
	assert_int_equal(CR_VM_UNSUPPORTED & (VM_READ | VM_WRITE | VM_EXEC |
					      VM_MAYREAD | VM_MAYWRITE |
					      VM_MAYEXEC | VM_GROWSDOWN |
					      VM_ACCOUNT | VM_NORESERVE), 0);
	assert_int_equal(CR_VM_UNSUPPORTED & ~CR_VM_KNOWN, 0);
}

static void test_known_holds_every_defined_bit(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_bits); i++)
		assert_int_equal(CR_VM_KNOWN & all_bits[i], all_bits[i]);
	assert_int_equal(CR_VM_KNOWN & 0x800UL, 0);	/* unused bit 11 */
	assert_int_equal(CR_VM_KNOWN >> 32, 0);
}

#define T(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_prot_bits_for_every_read_write_exec_combination),
		T(test_prot_bits_do_not_turn_vm_shared_into_prot_sem),
		T(test_prot_bits_only_ever_read_write_exec),
		T(test_map_flags_fixed_private_for_every_other_bit),
		T(test_map_flags_shared_only_for_a_read_only_file_view),
		T(test_unsupported_lets_only_a_read_only_file_view_share),
		T(test_map_flags_growsdown_for_vm_growsdown),
		T(test_map_flags_noreserve_for_vm_noreserve),
		T(test_map_flags_no_denywrite_or_executable_for_exec_vmas),
		T(test_unsupported_holds_vm_shared_and_vm_mayshare),
		T(test_known_holds_every_defined_bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
