// SPDX-License-Identifier: GPL-2.0
/*
 * vm_flags -> mmap(2) arguments (the seed's cr_calc_map_prot_bits and
 * cr_calc_map_flags_bits), corrected.
 */
#include <sys/mman.h>

#include "core/mm/vma_flags.h"

/**
 * cr_calc_map_prot_bits() - the PROT_* bits of a VMA
 * @vm_flags: the VM_* bits from the image
 *
 * The seed also tested `vm_flags & PROT_SEM`: PROT_SEM is 0x8, which among
 * VM_* bits is VM_SHARED, so every shared VMA got PROT_SEM (2008 defect 7).
 * PROT_SEM has no VM_* counterpart that survives mmap(2); it is dropped.
 *
 * Return: PROT_READ | PROT_WRITE | PROT_EXEC as the VMA had them.
 */
unsigned long cr_calc_map_prot_bits(unsigned long vm_flags)
{
	unsigned long prot = PROT_NONE;

	if (vm_flags & VM_READ)
		prot |= PROT_READ;
	if (vm_flags & VM_WRITE)
		prot |= PROT_WRITE;
	if (vm_flags & VM_EXEC)
		prot |= PROT_EXEC;
	return prot;
}

/**
 * cr_calc_map_flags_bits() - the MAP_* flags to recreate a private VMA
 * @vm_flags: the VM_* bits from the image; the caller has refused what
 *            cr_vma_unsupported() names
 *
 * Private, but for a read-only shared view of a file (cr_vma_shared_ro()),
 * which is shared again. The seed mapped every VM_MAYSHARE VMA shared,
 * writable ones included (defect 6).
 *
 * MAP_DENYWRITE and MAP_EXECUTABLE, which the seed passed on, are ignored
 * by mmap(2) from user space and are not used. MAP_NORESERVE keeps a large
 * sparse mapping from being charged in full, as it was not before.
 * MAP_LOCKED needs RLIMIT_MEMLOCK room or CAP_IPC_LOCK, as mlock() did.
 *
 * Return: MAP_FIXED | MAP_PRIVATE and what else the VMA needs.
 */
unsigned long cr_calc_map_flags_bits(unsigned long vm_flags)
{
	unsigned long flags = MAP_FIXED;

	flags |= cr_vma_shared_ro(vm_flags) ? MAP_SHARED : MAP_PRIVATE;

	if (vm_flags & VM_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (vm_flags & VM_NORESERVE)
		flags |= MAP_NORESERVE;
	/*
	 * mlock()ed memory comes back locked. mlock2(MLOCK_ONFAULT) memory has
	 * no mmap flag: MAP_LOCKED would fault in all of it, so it comes back
	 * unlocked rather than fully populated.
	 */
	if ((vm_flags & (VM_LOCKED | VM_LOCKONFAULT)) == VM_LOCKED)
		flags |= MAP_LOCKED;
	return flags;
}
