/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's VM_* bits (include/linux/mm.h), which the image records in
 * cr_hdr_vma.vm_flags, and their conversion into mmap(2) arguments.
 */
#ifndef _CR_VMA_FLAGS_H
#define _CR_VMA_FLAGS_H

#include "core/compat.h"
#include "core/image.h"

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_UFFD_MISSING	0x00000200UL
#define VM_PFNMAP	0x00000400UL
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_SYNC		0x00800000UL
#define VM_ARCH_1	0x01000000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL

/* Bits an image may carry; any other bit is rejected. */
#define CR_VM_KNOWN	(VM_READ | VM_WRITE | VM_EXEC | VM_SHARED |      \
			 VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |         \
			 VM_MAYSHARE | VM_GROWSDOWN | VM_LOCKED | VM_IO |\
			 VM_SEQ_READ | VM_RAND_READ | VM_DONTCOPY |      \
			 VM_DONTEXPAND | VM_LOCKONFAULT | VM_ACCOUNT |   \
			 VM_NORESERVE | VM_HUGETLB | VM_PFNMAP |         \
			 VM_MIXEDMAP | VM_WIPEONFORK | VM_DONTDUMP |     \
			 VM_SOFTDIRTY | VM_HUGEPAGE | VM_NOHUGEPAGE |    \
			 VM_MERGEABLE | VM_UFFD_MISSING | VM_UFFD_WP |   \
			 VM_ARCH_1 | VM_SYNC)

/* Bits crrun cannot restore (2008 defects 6, 15): refused with -ENOSYS. */
#define CR_VM_UNSUPPORTED (VM_SHARED | VM_MAYSHARE | VM_IO | VM_HUGETLB | \
			   VM_PFNMAP | VM_MIXEDMAP)

/**
 * cr_vma_shared_ro() - a read-only shared mapping of a file?
 * @vm_flags: VM_* bits
 *
 * MAP_SHARED of a file opened read-only gives VM_MAYSHARE without VM_SHARED
 * or VM_MAYWRITE (glibc maps gconv-modules.cache so in UTF-8 locales): its
 * pages are the file's and can never be written, so it is saved with no
 * pages and mapped again, shared, from the file. The seed let such a VMA
 * reach a BUG_ON (defect 15).
 */
static inline bool cr_vma_shared_ro(unsigned long vm_flags)
{
	return (vm_flags & VM_MAYSHARE) &&
	       !(vm_flags & (VM_SHARED | VM_WRITE | VM_MAYWRITE));
}

/**
 * cr_vma_unsupported() - the VM_* bits that stop a VMA being saved
 * @vma_type: enum cr_vma_type
 * @vm_flags: VM_* bits
 *
 * Return: 0 if crrun can save and restore the VMA, else the offending bits.
 * The kernel's specials (vdso, vvar: VM_IO | VM_PFNMAP) are moved, not
 * mapped, and are never refused.
 */
static inline unsigned long cr_vma_unsupported(u32 vma_type,
					       unsigned long vm_flags)
{
	unsigned long bad = vm_flags & CR_VM_UNSUPPORTED;

	if (vma_type != CR_VMA_ANON && vma_type != CR_VMA_FILE)
		return 0;
	if (vma_type == CR_VMA_FILE && cr_vma_shared_ro(vm_flags))
		bad &= ~VM_MAYSHARE;
	return bad;
}

unsigned long cr_calc_map_prot_bits(unsigned long vm_flags);
unsigned long cr_calc_map_flags_bits(unsigned long vm_flags);

#endif /* _CR_VMA_FLAGS_H */
