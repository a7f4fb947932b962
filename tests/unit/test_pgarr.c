// SPDX-License-Identifier: GPL-2.0
/*
 * core/mm/pgarr.c: the page-array chain at every boundary (0, 1, exactly
 * one array full, full + 1, several arrays), its reuse after a reset, and
 * 2008 defect 8: cr_pgarr_current() looked only at the head of the list,
 * so after cr_pgarr_reset_all() the chain grew by an array per batch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/mm/pgarr.h"

static int setup(void **state)
{
	struct cr_ctx *ctx = malloc(sizeof(*ctx));

	assert_non_null(ctx);
	assert_int_equal(cr_ctx_init(ctx, CR_CTX_RSTR, -1, NULL, NULL, NULL),
			 0);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct cr_ctx *ctx = *state;

	cr_ctx_fini(ctx);
	free(ctx);
	return 0;
}

/* Add @nr addresses from @base, one at a time, as a reader of vaddrs does. */
static void add_pages(struct cr_ctx *ctx, unsigned long nr, u64 base)
{
	struct cr_pgarr *pgarr;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		pgarr = cr_pgarr_current(ctx);
		assert_non_null(pgarr);
		assert_false(cr_pgarr_is_full(pgarr));
		pgarr->vaddrs[pgarr->nr_used++] = base + i * PAGE_SIZE;
	}
}

/* Add @nr addresses in runs as large as the current array takes. */
static void add_pages_bulk(struct cr_ctx *ctx, unsigned long nr)
{
	struct cr_pgarr *pgarr;
	unsigned int n;

	while (nr) {
		pgarr = cr_pgarr_current(ctx);
		assert_non_null(pgarr);
		n = min((unsigned long)cr_pgarr_nr_free(pgarr), nr);
		assert_true(n > 0);
		pgarr->nr_used += n;
		nr -= n;
	}
}

static unsigned int list_len(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;
	unsigned int n = 0;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		n++;
	return n;
}

/* The addresses of the chain, in list order, are @nr pages from @base. */
static void assert_chain_holds(struct cr_ctx *ctx, unsigned long nr, u64 base)
{
	struct cr_pgarr *pgarr;
	unsigned long k = 0;
	unsigned int i;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list)
		for (i = 0; i < pgarr->nr_used; i++, k++)
			assert_int_equal(pgarr->vaddrs[i],
					 base + k * PAGE_SIZE);
	assert_int_equal(k, nr);
	assert_int_equal(cr_pgarr_nr_used(ctx), nr);
}

static void test_pgarr_total_is_a_page_of_addresses(void **state)
{
	assert_int_equal(CR_PGARR_TOTAL, 512);
	assert_int_equal(CR_PGARR_CHUNK % CR_PGARR_TOTAL, 0);
}

static void test_pgarr_zero_pages_allocates_nothing(void **state)
{
	struct cr_ctx *ctx = *state;

	add_pages(ctx, 0, 0x1000);
	assert_int_equal(ctx->pgarr_nr, 0);
	assert_true(list_empty(&ctx->pgarr_list));
	assert_int_equal(cr_pgarr_nr_used(ctx), 0);
	cr_pgarr_reset_all(ctx);	/* on an empty chain: nothing */
	assert_int_equal(ctx->pgarr_nr, 0);
}

static void test_pgarr_one_page_allocates_one_array(void **state)
{
	struct cr_ctx *ctx = *state;
	struct cr_pgarr *pgarr;

	add_pages(ctx, 1, 0x1000);
	assert_int_equal(ctx->pgarr_nr, 1);
	assert_int_equal(list_len(ctx), 1);
	pgarr = list_first_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	assert_int_equal(pgarr->nr_used, 1);
	assert_int_equal(cr_pgarr_nr_free(pgarr), CR_PGARR_TOTAL - 1);
	assert_non_null(pgarr->pages);
	assert_chain_holds(ctx, 1, 0x1000);
	/* the same array is current while it has room */
	assert_ptr_equal(cr_pgarr_current(ctx), pgarr);
}

static void test_pgarr_exactly_total_fills_one_array(void **state)
{
	struct cr_ctx *ctx = *state;
	struct cr_pgarr *pgarr;

	add_pages(ctx, CR_PGARR_TOTAL, 0x10000);
	assert_int_equal(ctx->pgarr_nr, 1);
	pgarr = list_first_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	assert_true(cr_pgarr_is_full(pgarr));
	assert_int_equal(cr_pgarr_nr_free(pgarr), 0);
	assert_chain_holds(ctx, CR_PGARR_TOTAL, 0x10000);
}

static void test_pgarr_total_plus_one_chains_a_second_array(void **state)
{
	struct cr_ctx *ctx = *state;
	struct cr_pgarr *first, *second;

	add_pages(ctx, CR_PGARR_TOTAL + 1, 0x10000);
	assert_int_equal(ctx->pgarr_nr, 2);
	assert_int_equal(list_len(ctx), 2);
	first = list_first_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	second = list_last_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	assert_true(cr_pgarr_is_full(first));
	assert_int_equal(second->nr_used, 1);
	/* in order of use: the reader of contents walks the list in order */
	assert_chain_holds(ctx, CR_PGARR_TOTAL + 1, 0x10000);
	assert_ptr_equal(cr_pgarr_current(ctx), second);
}

static void test_pgarr_several_arrays_at_one_chunk_and_beyond(void **state)
{
	struct cr_ctx *ctx = *state;

	add_pages(ctx, CR_PGARR_CHUNK, 0x100000);
	assert_int_equal(ctx->pgarr_nr, CR_PGARR_CHUNK / CR_PGARR_TOTAL);
	assert_chain_holds(ctx, CR_PGARR_CHUNK, 0x100000);
	cr_pgarr_free(ctx);

	add_pages(ctx, 3 * CR_PGARR_TOTAL + 5, 0x200000);
	assert_int_equal(ctx->pgarr_nr, 4);
	assert_int_equal(list_len(ctx), 4);
	assert_chain_holds(ctx, 3 * CR_PGARR_TOTAL + 5, 0x200000);
}

static void test_pgarr_nr_used_sums_the_chain(void **state)
{
	struct cr_ctx *ctx = *state;

	assert_int_equal(cr_pgarr_nr_used(ctx), 0);
	add_pages_bulk(ctx, 7);
	assert_int_equal(cr_pgarr_nr_used(ctx), 7);
	add_pages_bulk(ctx, 2 * CR_PGARR_TOTAL);
	assert_int_equal(cr_pgarr_nr_used(ctx), 2 * CR_PGARR_TOTAL + 7);
	assert_int_equal(ctx->pgarr_nr, 3);
	cr_pgarr_reset_all(ctx);
	assert_int_equal(cr_pgarr_nr_used(ctx), 0);
	assert_int_equal(ctx->pgarr_nr, 3);
}

/*
 * 2008 defect 8. The seed's cr_pgarr_current() checked only the list head
 * and added new arrays there: after a reset the head was refilled, then a
 * new array was allocated for every one already in the chain, batch after
 * batch. Here the count after N fill/reset rounds is the count after one.
 */
static void test_pgarr_reset_reuses_arrays_instead_of_growing(void **state)
{
	struct cr_ctx *ctx = *state;
	unsigned int round, arrays;

	add_pages(ctx, CR_PGARR_CHUNK, 0x400000);
	arrays = ctx->pgarr_nr;
	assert_int_equal(arrays, CR_PGARR_CHUNK / CR_PGARR_TOTAL);
	for (round = 0; round < 8; round++) {
		cr_pgarr_reset_all(ctx);
		assert_int_equal(cr_pgarr_nr_used(ctx), 0);
		add_pages(ctx, CR_PGARR_CHUNK, 0x400000 + round * PAGE_SIZE);
		assert_int_equal(ctx->pgarr_nr, arrays);
		assert_int_equal(list_len(ctx), arrays);
		assert_chain_holds(ctx, CR_PGARR_CHUNK,
				   0x400000 + round * PAGE_SIZE);
	}
}

static void test_pgarr_smaller_batch_after_reset_reuses_first_arrays(
	void **state)
{
	struct cr_ctx *ctx = *state;
	struct cr_pgarr *first;

	add_pages(ctx, 3 * CR_PGARR_TOTAL, 0x400000);
	first = list_first_entry(&ctx->pgarr_list, struct cr_pgarr, list);
	cr_pgarr_reset_all(ctx);
	add_pages(ctx, 1, 0x800000);
	assert_ptr_equal(cr_pgarr_current(ctx), first);
	assert_chain_holds(ctx, 1, 0x800000);
	cr_pgarr_reset_all(ctx);
	add_pages(ctx, CR_PGARR_TOTAL + 1, 0x900000);
	assert_chain_holds(ctx, CR_PGARR_TOTAL + 1, 0x900000);
	/* and a batch larger than any before grows the chain only by need */
	cr_pgarr_reset_all(ctx);
	add_pages(ctx, 4 * CR_PGARR_TOTAL, 0xa00000);
	assert_int_equal(ctx->pgarr_nr, 4);
}

static void test_pgarr_free_empties_the_chain_and_can_start_again(
	void **state)
{
	struct cr_ctx *ctx = *state;

	add_pages(ctx, 2 * CR_PGARR_TOTAL + 1, 0x1000);
	cr_pgarr_free(ctx);
	assert_int_equal(ctx->pgarr_nr, 0);
	assert_true(list_empty(&ctx->pgarr_list));
	assert_int_equal(cr_pgarr_nr_used(ctx), 0);
	cr_pgarr_free(ctx);		/* twice: nothing */
	add_pages(ctx, 1, 0x1000);
	assert_int_equal(ctx->pgarr_nr, 1);
	/* teardown's cr_ctx_fini() frees it; valgrind checks */
}

static void test_pgarr_free_is_safe_after_a_failed_ctx_init(void **state)
{
	struct cr_ctx ctx;

	assert_int_equal(cr_ctx_init(&ctx, 0, -1, NULL, NULL, NULL), -EINVAL);
	cr_pgarr_free(&ctx);
	cr_ctx_fini(&ctx);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pgarr_total_is_a_page_of_addresses),
		T(test_pgarr_zero_pages_allocates_nothing),
		T(test_pgarr_one_page_allocates_one_array),
		T(test_pgarr_exactly_total_fills_one_array),
		T(test_pgarr_total_plus_one_chains_a_second_array),
		T(test_pgarr_several_arrays_at_one_chunk_and_beyond),
		T(test_pgarr_nr_used_sums_the_chain),
		T(test_pgarr_reset_reuses_arrays_instead_of_growing),
		T(test_pgarr_smaller_batch_after_reset_reuses_first_arrays),
		T(test_pgarr_free_empties_the_chain_and_can_start_again),
		T(test_pgarr_free_is_safe_after_a_failed_ctx_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
