/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CR_MM_H
#define _CR_MM_H

#include "core/ctx.h"
#include "core/image.h"

/* core/mm/ckpt_mem.c: CR_HDR_MM, then its VMAs and their pages */
int cr_write_mm_head(struct cr_ctx *ctx, u32 *map_count);
int cr_write_mm_vmas(struct cr_ctx *ctx, u32 map_count);

/* core/mm/rstr_mem.c: the mirror image */
int cr_read_mm(struct cr_ctx *ctx);

/* What the VMA reader keeps from one VMA to the next. */
struct cr_vma_walk {
	unsigned int index;	/* of the VMA being read, for messages */
	u64 prev_end;		/* VMAs must be sorted and disjoint */
	u32 specials;		/* 1 << type of the specials already placed */
	/* restore: the last file VMA's file, still open for the next ones */
	struct cr_file *file;
	char *fname;
	struct cr_file_id id;
};

/* the checks of cr_read_mm, shared with the layout pre-scan */
int cr_check_mm(struct cr_ctx *ctx, const struct cr_hdr_mm *hh, u32 parent,
		u32 tail);
int cr_check_vma(struct cr_ctx *ctx, struct cr_vma_walk *walk,
		 const struct cr_hdr_vma *hh);
int cr_check_page_addrs(struct cr_ctx *ctx, const u64 *vaddrs,
			unsigned long nr, u64 *next, u64 vm_end);

#endif /* _CR_MM_H */
