/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure parsers of /proc text and pagemap entries (proc_parse.c), apart
 * from the code that reads /proc so that unit tests can run them anywhere.
 */
#ifndef _CR_LINUX_PROC_PARSE_H
#define _CR_LINUX_PROC_PARSE_H

#include "core/kops.h"

#define CR_PM_PFN_MASK	((1ULL << 55) - 1)
#define CR_PM_FILE	(1ULL << 61)
#define CR_PM_SWAP	(1ULL << 62)
#define CR_PM_PRESENT	(1ULL << 63)

/* One header line of maps: "start-end perms offset dev inode name" */
struct cr_maps_line {
	unsigned long start, end;
	unsigned long flags;	/* VM_* from the permissions */
	unsigned long offset;	/* bytes */
	unsigned long inode;
	const char *name;	/* into the line; "" for none */
};

int cr_proc_status_field(const char *status, const char *key, char *out,
			 size_t len);
unsigned long cr_vmflags_parse(const char *s);
u32 cr_vma_name_type(const char *name, unsigned long inode, bool *deleted);
int cr_parse_maps_header(const char *line, struct cr_maps_line *m);
int cr_parse_stat_mm(const char *buf, struct cr_mm_map *map);
int cr_auxv_words(const u64 *auxv, size_t n);
u8 cr_pagemap_state(u64 ent, bool anon, u64 zero_pfn);

/*
 * The PAGEMAP_SCAN ioctl of /proc/PID/pagemap (Linux 6.7): ranges of pages
 * that share categories. Not in this distribution's headers yet.
 */
#define CR_PAGE_IS_FILE		(1ULL << 2)
#define CR_PAGE_IS_PRESENT	(1ULL << 3)
#define CR_PAGE_IS_SWAPPED	(1ULL << 4)
#define CR_PAGE_IS_PFNZERO	(1ULL << 5)

u8 cr_scan_state(u64 categories, bool anon);

/* The bytes of a file cr_is_image_head() needs: the head's cr_hdr, magic */
#define CR_IMAGE_HEAD_PEEK	(sizeof(struct cr_hdr) + sizeof(u64))
bool cr_is_image_head(const void *buf, size_t len);

#endif /* _CR_LINUX_PROC_PARSE_H */
