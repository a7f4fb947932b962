// SPDX-License-Identifier: GPL-2.0
/*
 * Page-array chains (the seed's ckpt_mem.c helpers).
 *
 * The 2008 cr_pgarr_current() looked only at the head of the list, so after
 * cr_pgarr_reset_all() emptied arrays were never reused and the chain grew
 * by one array per batch (defect 8). Here the chain is kept in order of
 * use: the current array is the first one that is not full, and a reset
 * makes every array available again.
 */
#include <stdlib.h>

#include "core/mm/pgarr.h"

static struct cr_pgarr *cr_pgarr_alloc(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;

	pgarr = calloc(1, sizeof(*pgarr));
	if (!pgarr)
		return NULL;
	pgarr->vaddrs = malloc(CR_PGARR_TOTAL * sizeof(*pgarr->vaddrs));
	if (!pgarr->vaddrs)
		goto out_free_pgarr;
	pgarr->pages = calloc(CR_PGARR_TOTAL, sizeof(*pgarr->pages));
	if (!pgarr->pages)
		goto out_free_vaddrs;
	list_add_tail(&pgarr->list, &ctx->pgarr_list);
	ctx->pgarr_nr++;
	return pgarr;

out_free_vaddrs:
	free(pgarr->vaddrs);
out_free_pgarr:
	free(pgarr);
	return NULL;
}

/**
 * cr_pgarr_current() - the array new addresses go into
 * @ctx: the context
 *
 * Return: the first array of the chain with room, a new one appended if
 * every array is full, or NULL when out of memory.
 */
struct cr_pgarr *cr_pgarr_current(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		if (!cr_pgarr_is_full(pgarr))
			return pgarr;
	return cr_pgarr_alloc(ctx);
}

/**
 * cr_pgarr_nr_used() - addresses held in the whole chain
 * @ctx: the context
 *
 * Return: the sum of nr_used over the chain.
 */
unsigned long cr_pgarr_nr_used(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;
	unsigned long nr = 0;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		nr += pgarr->nr_used;
	return nr;
}

/**
 * cr_pgarr_reset_all() - empty every array, keeping them for reuse
 * @ctx: the context
 *
 * Pages still pinned in pages[] are the caller's to put first.
 */
void cr_pgarr_reset_all(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		pgarr->nr_used = 0;
}

/**
 * cr_pgarr_free() - free the whole chain
 * @ctx: the context
 */
void cr_pgarr_free(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr, *tmp;

	if (!ctx->pgarr_list.next)
		return;
	list_for_each_entry_safe(pgarr, tmp, &ctx->pgarr_list, list) {
		list_del(&pgarr->list);
		free(pgarr->pages);
		free(pgarr->vaddrs);
		free(pgarr);
	}
	ctx->pgarr_nr = 0;
}
