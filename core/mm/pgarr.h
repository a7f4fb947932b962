/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-array chains (the seed's checkpoint_mem.h): a batch of page
 * addresses, and on checkpoint the pages pinned for them.
 */
#ifndef _CR_PGARR_H
#define _CR_PGARR_H

#include "core/ctx.h"

#define CR_PGARR_TOTAL	(PAGE_SIZE / sizeof(u64))	/* entries per array */
#define CR_PGARR_CHUNK	(4 * CR_PGARR_TOTAL)		/* pages per batch */

struct cr_pgarr {
	u64 *vaddrs;
	struct cr_page **pages;
	unsigned int nr_used;
	struct list_head list;
};

static inline unsigned int cr_pgarr_nr_free(const struct cr_pgarr *pgarr)
{
	return CR_PGARR_TOTAL - pgarr->nr_used;
}

static inline bool cr_pgarr_is_full(const struct cr_pgarr *pgarr)
{
	return pgarr->nr_used == CR_PGARR_TOTAL;
}

/* how many consecutive pages start at entry @i: one get_user_pages() */
static inline unsigned int cr_pgarr_run(const struct cr_pgarr *pgarr,
					unsigned int i)
{
	unsigned int n;

	for (n = 1; i + n < pgarr->nr_used; n++)
		if (pgarr->vaddrs[i + n] != pgarr->vaddrs[i] + n * PAGE_SIZE)
			break;
	return n;
}

struct cr_pgarr *cr_pgarr_current(struct cr_ctx *ctx);
void cr_pgarr_reset_all(struct cr_ctx *ctx);
void cr_pgarr_free(struct cr_ctx *ctx);
unsigned long cr_pgarr_nr_used(struct cr_ctx *ctx);

#endif /* _CR_PGARR_H */
