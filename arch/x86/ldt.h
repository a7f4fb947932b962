/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 LDT descriptors: the 8-byte segment descriptor as the CPU (and the
 * image) holds it, and struct user_desc as modify_ldt(2) takes it.
 * Internal to arch/x86/ and its tests; core/ sees only core/arch.h.
 */
#ifndef _CR_X86_LDT_H
#define _CR_X86_LDT_H

#include <asm/ldt.h>		/* struct user_desc, LDT_ENTRIES */

#include "core/compat.h"
#include "core/image.h"

/*
 * The layout of the kernel's struct desc_struct (arch/x86/include/asm/
 * desc_defs.h): GCC allocates bit-fields from the least significant bit on
 * x86, so this is the descriptor byte for byte.
 */
struct cr_desc_struct {
	u16 limit0;
	u16 base0;
	u16 base1 : 8, type : 4, s : 1, dpl : 2, p : 1;
	u16 limit1 : 4, avl : 1, l : 1, d : 1, g : 1, base2 : 8;
} __attribute__((packed));

_Static_assert(sizeof(struct cr_desc_struct) == CR_LDT_ENTRY_SIZE,
	       "a segment descriptor is 8 bytes");
_Static_assert(LDT_ENTRIES == CR_LDT_ENTRIES, "LDT_ENTRIES");
_Static_assert(LDT_ENTRY_SIZE == CR_LDT_ENTRY_SIZE, "LDT_ENTRY_SIZE");

/* modify_ldt(2) functions */
#define CR_LDT_FUNC_READ	0	/* read the LDT */
#define CR_LDT_FUNC_WRITE_OLD	1	/* write, clearing AVL: never used */
#define CR_LDT_FUNC_WRITE	0x11	/* write one entry, all bits */

bool cr_desc_empty(const struct cr_desc_struct *desc);
bool cr_user_desc_empty(const struct user_desc *info);

void cr_desc_to_user_desc(const struct cr_desc_struct *desc,
			  unsigned int entry, struct user_desc *info);
void cr_user_desc_to_desc(const struct user_desc *info,
			  struct cr_desc_struct *desc);

const char *cr_desc_refused(const struct cr_desc_struct *desc);

#endif /* _CR_X86_LDT_H */
