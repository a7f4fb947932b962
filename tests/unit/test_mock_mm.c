// SPDX-License-Identifier: GPL-2.0
/*
 * The mock target itself: its VMA list must behave as the kernel's, its
 * page store as memory, its checks must catch the misuses they are for,
 * and its fault injection must fail exactly the call it was armed for.
 * The engine's tests trust all of this.
 *
 * Addresses are in units of K = one page, from a base B:
 *   B + 3*K  is the fourth page of the test area.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <asm/ldt.h>

#include "arch/x86/regs.h"
#include "core/mm/vma_flags.h"
#include "shim/mock/mock_mm.h"

#define K	PAGE_SIZE
#define B	0x400000UL

#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define FIXED_ANON	(ANON | MAP_FIXED)
#define RW		(PROT_READ | PROT_WRITE)
#define VM_MAYS		(VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

static const struct cr_kops *ops = &mock_kops;

static int setup(void **state)
{
	struct cr_target *t = mock_mm_new();

	if (IS_ERR_OR_NULL(t))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	mock_mm_free(*state);
	return 0;
}

static long map_anon(struct cr_target *t, unsigned long addr,
		     unsigned long len, unsigned long prot)
{
	return ops->do_mmap(t, addr, len, prot, FIXED_ANON, NULL, 0);
}

#define assert_vma(t, i, start, end, type) \
	_assert_vma(t, i, start, end, type, __FILE__, __LINE__)

static void _assert_vma(struct cr_target *t, int i, unsigned long start,
			unsigned long end, u32 type, const char *file, int line)
{
	static struct cr_vma_info v;

	if (mock_mm_vma(t, i, &v))
		_fail(file, line);
	if (v.vm_start != start || v.vm_end != end || v.vma_type != type) {
		print_error("vma %d is [%#lx, %#lx) type %u, expected [%#lx, %#lx) type %u\n",
			    i, v.vm_start, v.vm_end, v.vma_type, start, end,
			    type);
		_fail(file, line);
	}
}

static void assert_balanced(struct cr_target *t)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why))) {
		print_error("not balanced: %s\n", why);
		fail();
	}
}

static void fill(struct cr_target *t, unsigned long addr, int c, size_t len)
{
	u8 *buf = malloc(len);

	assert_non_null(buf);
	memset(buf, c, len);
	assert_int_equal(mock_mm_write(t, addr, buf, len), 0);
	free(buf);
}

static int byte_at(struct cr_target *t, unsigned long addr)
{
	u8 c;

	assert_int_equal(mock_mm_read(t, addr, &c, 1), 0);
	return c;
}

/* ---- VMA list ---- */

static void test_mmap_anon_sets_vm_flags_from_prot(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(map_anon(t, B, 2 * K, PROT_READ | PROT_EXEC), B);
	assert_int_equal(mock_mm_vma(t, 0, &v), 0);
	assert_int_equal(v.vm_start, B);
	assert_int_equal(v.vm_end, B + 2 * K);
	assert_int_equal(v.vm_flags, VM_READ | VM_EXEC | VM_MAYS);
	assert_int_equal(v.vm_pgoff, 0);
	assert_int_equal(v.vma_type, CR_VMA_ANON);
}

static void test_mmap_len_rounds_up_to_pages(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, K + 1, RW), B);
	assert_vma(t, 0, B, B + 2 * K, CR_VMA_ANON);
}

static void test_mmap_growsdown_sets_vm_growsdown(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(ops->do_mmap(t, B, K, RW, FIXED_ANON | MAP_GROWSDOWN,
				      NULL, 0), B);
	assert_int_equal(mock_mm_vma(t, 0, &v), 0);
	assert_int_equal(v.vm_flags, VM_READ | VM_WRITE | VM_MAYS |
				     VM_GROWSDOWN);
}

static void test_mmap_rejects_bad_arguments(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 0, RW), -EINVAL);
	assert_int_equal(map_anon(t, B + 1, K, RW), -EINVAL);
	assert_int_equal(map_anon(t, CR_TASK_SIZE_MAX - K, 2 * K, RW),
			 -ENOMEM);
	assert_int_equal(ops->do_mmap(t, B, K, RW, MAP_SHARED | MAP_ANONYMOUS |
				      MAP_FIXED, NULL, 0), -EINVAL);
	/* PROT_SEM is 0x8, which is VM_SHARED: 2008 defect 4 would pass it */
	assert_int_equal(map_anon(t, B, K, RW | 0x8), -EINVAL);
	assert_int_equal(ops->do_mmap(t, B, K, RW, MAP_PRIVATE | MAP_FIXED,
				      NULL, 0), -EBADF);
	assert_int_equal(mock_mm_nr_vmas(t), 0);
}

/*
 *   before:  [ A: B .. B+4K                 )
 *   mmap:              [ N: B+1K .. B+3K )
 *   after:   [ A ][ N               ][ A'   )
 */
static void test_mmap_fixed_replaces_overlap(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(map_anon(t, B, 4 * K, RW), B);
	fill(t, B, 0xaa, 4 * K);
	assert_int_equal(map_anon(t, B + K, 2 * K, PROT_READ), B + K);

	assert_int_equal(mock_mm_nr_vmas(t), 3);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + K, B + 3 * K, CR_VMA_ANON);
	assert_vma(t, 2, B + 3 * K, B + 4 * K, CR_VMA_ANON);
	assert_int_equal(mock_mm_vma(t, 1, &v), 0);
	assert_int_equal(v.vm_flags, VM_READ | VM_MAYS);
	/* the replaced pages are gone, the others kept */
	assert_int_equal(byte_at(t, B), 0xaa);
	assert_int_equal(byte_at(t, B + K), 0);
	assert_int_equal(byte_at(t, B + 3 * K - 1), 0);
	assert_int_equal(byte_at(t, B + 3 * K), 0xaa);
	assert_int_equal(mock_mm_nr_pages(t), 2);
}

/*
 *   before:  [ A: B .. B+2K )   [ C: B+3K .. B+5K )
 *   mmap:          [ N: B+1K .. B+4K )
 *   after:   [ A ][ N              ][ C' )
 */
static void test_mmap_fixed_replaces_across_vmas_and_hole(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(map_anon(t, B + 3 * K, 2 * K, RW), B + 3 * K);
	assert_int_equal(map_anon(t, B + K, 3 * K, RW), B + K);
	assert_int_equal(mock_mm_nr_vmas(t), 3);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + K, B + 4 * K, CR_VMA_ANON);
	assert_vma(t, 2, B + 4 * K, B + 5 * K, CR_VMA_ANON);
}

static void test_mmap_fixed_noreplace_refuses_overlap(void **state)
{
	struct cr_target *t = *state;
	unsigned long f = ANON | MAP_FIXED_NOREPLACE;

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(ops->do_mmap(t, B + K, 2 * K, RW, f, NULL, 0),
			 -EEXIST);
	assert_int_equal(mock_mm_nr_vmas(t), 1);
	assert_vma(t, 0, B, B + 2 * K, CR_VMA_ANON);
	assert_int_equal(ops->do_mmap(t, B + 2 * K, K, RW, f, NULL, 0),
			 B + 2 * K);
}

static void test_adjacent_vmas_are_not_merged(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(map_anon(t, B + K, K, RW), B + K);
	assert_int_equal(mock_mm_nr_vmas(t), 2);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + K, B + 2 * K, CR_VMA_ANON);
}

static void test_mmap_without_fixed_picks_free_range_top_down(void **state)
{
	struct cr_target *t = *state;
	unsigned long top = MOCK_MMAP_BASE;
	long a, b;

	a = ops->do_mmap(t, 0, 2 * K, RW, ANON, NULL, 0);
	assert_int_equal(a, top - 2 * K);
	b = ops->do_mmap(t, 0, K, RW, ANON, NULL, 0);
	assert_int_equal(b, top - 3 * K);
	/* a free hint is taken */
	assert_int_equal(ops->do_mmap(t, B, K, RW, ANON, NULL, 0), B);
	/* a taken one is not */
	assert_int_equal(ops->do_mmap(t, B, K, RW, ANON, NULL, 0),
			 top - 4 * K);
}

/*
 *   before:  [ A: B .. B+4K            )
 *   munmap:        [ B+1K .. B+2K )
 *   after:   [ A ]                [ A' )
 */
static void test_munmap_splits_vma(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 4 * K, RW), B);
	fill(t, B, 0x11, 4 * K);
	assert_int_equal(ops->do_munmap(t, B + K, K), 0);
	assert_int_equal(mock_mm_nr_vmas(t), 2);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + 2 * K, B + 4 * K, CR_VMA_ANON);
	assert_int_equal(mock_mm_nr_pages(t), 3);
	assert_int_equal(mock_mm_page_state(t, B + K), -EFAULT);
	assert_int_equal(byte_at(t, B + 2 * K), 0x11);
}

static void test_munmap_across_vmas_trims_both(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(map_anon(t, B + 2 * K, 2 * K, RW), B + 2 * K);
	assert_int_equal(ops->do_munmap(t, B + K, 2 * K), 0);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + 3 * K, B + 4 * K, CR_VMA_ANON);
	/* nothing mapped there: fine, as in the kernel */
	assert_int_equal(ops->do_munmap(t, B + K, 2 * K), 0);
}

static void test_munmap_unaligned_is_einval(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(ops->do_munmap(t, B + 1, K), -EINVAL);
	assert_int_equal(ops->do_munmap(t, B, 0), -EINVAL);
	assert_int_equal(mock_mm_nr_vmas(t), 1);
}

static void test_find_vma_returns_first_ending_above(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(map_anon(t, B + 4 * K, K, RW), B + 4 * K);
	assert_int_equal(ops->find_vma(t, 0, &v), 0);
	assert_int_equal(v.vm_start, B);
	assert_int_equal(ops->find_vma(t, B + K - 1, &v), 0);
	assert_int_equal(v.vm_start, B);
	assert_int_equal(ops->find_vma(t, B + K, &v), 0);
	assert_int_equal(v.vm_start, B + 4 * K);
	assert_int_equal(ops->find_vma(t, B + 5 * K, &v), -ENOENT);
}

/*
 *   before:  [ A: B .. B+4K   )        [ D: B+8K .. B+10K )
 *   mremap(B+1K, 2K, B+9K): the middle of A moves over half of D
 *   after:   [ A ]     [ A'' ]        [ D ][ A': B+9K .. B+11K )
 */
static void test_mremap_moves_pages(void **state)
{
	struct cr_target *t = *state;
	int k;

	assert_int_equal(map_anon(t, B, 4 * K, RW), B);
	assert_int_equal(map_anon(t, B + 8 * K, 2 * K, PROT_READ), B + 8 * K);
	for (k = 0; k < 4; k++)
		fill(t, B + k * K, 0x10 + k, K);
	fill(t, B + 8 * K, 0xdd, 2 * K);

	assert_int_equal(ops->do_mremap(t, B + K, 2 * K, B + 9 * K), 0);
	assert_int_equal(mock_mm_nr_vmas(t), 4);
	assert_vma(t, 0, B, B + K, CR_VMA_ANON);
	assert_vma(t, 1, B + 3 * K, B + 4 * K, CR_VMA_ANON);
	assert_vma(t, 2, B + 8 * K, B + 9 * K, CR_VMA_ANON);
	assert_vma(t, 3, B + 9 * K, B + 11 * K, CR_VMA_ANON);
	assert_int_equal(byte_at(t, B), 0x10);
	assert_int_equal(byte_at(t, B + 3 * K), 0x13);
	assert_int_equal(byte_at(t, B + 8 * K), 0xdd);
	assert_int_equal(byte_at(t, B + 9 * K), 0x11);
	assert_int_equal(byte_at(t, B + 10 * K), 0x12);
	assert_int_equal(mock_mm_page_state(t, B + K), -EFAULT);
	assert_int_equal(mock_mm_nr_pages(t), 5);
}

/*
 *   before:  [ A: B .. B+10K                            )
 *   mremap(B+8K, 1K, B+2K): down, inside the same VMA
 *   after:   [ A ][ N: B+2K .. B+3K ][ A' ]  hole  [ A" )
 */
static void test_mremap_within_one_vma_moves_down(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, 10 * K, RW), B);
	fill(t, B + 8 * K, 0x88, K);
	fill(t, B + 2 * K, 0x22, K);
	assert_int_equal(ops->do_mremap(t, B + 8 * K, K, B + 2 * K), 0);
	assert_int_equal(mock_mm_nr_vmas(t), 4);
	assert_vma(t, 0, B, B + 2 * K, CR_VMA_ANON);
	assert_vma(t, 1, B + 2 * K, B + 3 * K, CR_VMA_ANON);
	assert_vma(t, 2, B + 3 * K, B + 8 * K, CR_VMA_ANON);
	assert_vma(t, 3, B + 9 * K, B + 10 * K, CR_VMA_ANON);
	assert_int_equal(byte_at(t, B + 2 * K), 0x88);
	assert_int_equal(mock_mm_nr_pages(t), 1);
}

static void test_mremap_keeps_special_type(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(mock_mm_add_special(t, CR_VMA_VDSO, B, 2 * K), 0);
	fill(t, B, 0x7f, 2 * K);
	assert_int_equal(ops->do_mremap(t, B, 2 * K, B + 16 * K), 0);
	assert_int_equal(mock_mm_nr_vmas(t), 1);
	assert_int_equal(ops->find_vma(t, 0, &v), 0);
	assert_int_equal(v.vm_start, B + 16 * K);
	assert_int_equal(v.vma_type, CR_VMA_VDSO);
	assert_int_equal(byte_at(t, B + 17 * K), 0x7f);
}

static void test_mremap_rejects_range_across_vmas(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(map_anon(t, B + K, K, RW), B + K);
	assert_int_equal(ops->do_mremap(t, B, 2 * K, B + 8 * K), -EFAULT);
	assert_int_equal(ops->do_mremap(t, B, K, B + K / 2), -EINVAL);
	assert_int_equal(ops->do_mremap(t, B, 2 * K, B + K), -EINVAL);
	assert_int_equal(mock_mm_nr_vmas(t), 2);
}

static void test_specials_report_their_type(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(mock_mm_add_special(t, CR_VMA_VVAR, B, 4 * K), 0);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VDSO, B + 4 * K, 2 * K),
			 0);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VSYSCALL,
					     0xffffffffff600000UL, K), 0);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VDSO, B + 5 * K, K),
			 -EEXIST);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_ANON, B + 9 * K, K),
			 -EINVAL);

	assert_int_equal(ops->find_vma(t, 0, &v), 0);
	assert_int_equal(v.vma_type, CR_VMA_VVAR);
	assert_true(v.vm_flags & VM_PFNMAP);
	assert_int_equal(ops->find_vma(t, B + 4 * K, &v), 0);
	assert_int_equal(v.vma_type, CR_VMA_VDSO);
	assert_int_equal(v.vm_flags, VM_READ | VM_EXEC | VM_MAYS);
	assert_int_equal(ops->find_vma(t, B + 6 * K, &v), 0);
	assert_int_equal(v.vma_type, CR_VMA_VSYSCALL);
	assert_int_equal(v.vm_start, 0xffffffffff600000UL);
	/* vvar is VM_IO | VM_PFNMAP: no pages to pin */
	{
		struct cr_page *p;

		assert_int_equal(ops->get_user_pages(t, B, 1, 0, 1, &p),
				 -EFAULT);
	}
}

static void test_shim_vma_is_never_touched(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	u8 st;

	assert_int_equal(mock_mm_add_special(t, CR_VMA_SHIM, B + 2 * K, K), 0);
	fill(t, B + 2 * K, 0x5a, K);

	assert_int_equal(map_anon(t, B, 4 * K, RW), -EPERM);
	assert_int_equal(ops->do_munmap(t, B, 4 * K), -EPERM);
	assert_int_equal(ops->do_mremap(t, B + 2 * K, K, B + 8 * K), -EPERM);
	assert_int_equal(ops->get_user_pages(t, B + 2 * K, 1, 1, 1, &p), -EPERM);
	assert_int_equal(ops->page_state(t, B + 2 * K, 1, &st), -EPERM);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_SHIM), 5);
	assert_int_equal(mock_misuse_addr(t, MOCK_MISUSE_SHIM), B + 2 * K);
	assert_int_equal(mock_check_balanced(t, NULL, 0), -1);

	/* untouched, and maps around it are fine */
	assert_int_equal(byte_at(t, B + 2 * K), 0x5a);
	assert_vma(t, 0, B + 2 * K, B + 3 * K, CR_VMA_SHIM);
	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(ops->do_munmap(t, B, 2 * K), 0);
}

/* ---- pages ---- */

static void test_absent_anon_page_reads_zero_without_materializing(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	u8 *data;
	int i;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(byte_at(t, B + 100), 0);
	assert_int_equal(ops->get_user_pages(t, B, 1, 0, 0, &p), 1);
	data = ops->kmap(t, p);
	for (i = 0; i < (int)K; i++)
		assert_int_equal(data[i], 0);
	ops->kunmap(t, data);
	ops->put_page(t, p);
	assert_int_equal(mock_mm_nr_pages(t), 0);
	assert_int_equal(mock_mm_page_state(t, B), CR_PAGE_NONE);
	assert_balanced(t);
}

static const struct cr_file_id file_id = { 8, 42, 3 * 4096 + 10, 123 };

static void add_file(struct cr_target *t, const char *path)
{
	u8 *data = malloc(file_id.size);
	size_t i;

	assert_non_null(data);
	for (i = 0; i < file_id.size; i++)
		data[i] = 0x40 + i / K;		/* page n holds 0x40 + n */
	assert_int_equal(mock_mm_add_file(t, path, data, file_id.size,
					  &file_id), 0);
	free(data);
}

static void test_private_file_page_cow_leaves_file_unchanged(void **state)
{
	struct cr_target *t = *state;
	struct cr_file_id id;
	struct cr_vma_info v;
	struct cr_file *f;
	struct cr_page *p;
	u8 *data;

	add_file(t, "/lib/x.so");
	f = ops->filp_open(t, "/lib/x.so", O_RDONLY, &id);
	assert_false(IS_ERR(f));
	assert_memory_equal(&id, &file_id, sizeof(id));
	/* pages 1..3 of the file; the last one is short */
	assert_int_equal(ops->do_mmap(t, B, 3 * K, PROT_READ,
				      MAP_PRIVATE | MAP_FIXED, f, 1), B);
	ops->filp_close(t, f);		/* the VMA keeps the file */

	assert_int_equal(mock_mm_vma(t, 0, &v), 0);
	assert_int_equal(v.vma_type, CR_VMA_FILE);
	assert_int_equal(v.vm_pgoff, 1);
	assert_string_equal(v.path, "/lib/x.so");
	assert_int_equal(v.id.ino, 42);
	assert_int_equal(byte_at(t, B), 0x41);
	assert_int_equal(byte_at(t, B + 2 * K + 9), 0x43);
	assert_int_equal(byte_at(t, B + 2 * K + 10), 0);	/* past EOF */

	/* a forced write pin copies the page; the file stays as it was */
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 1, &p), 1);
	data = ops->kmap(t, p);
	assert_int_equal(data[0], 0x41);
	data[0] = 0x99;
	ops->kunmap(t, data);
	ops->put_page(t, p);
	assert_int_equal(byte_at(t, B), 0x99);
	assert_int_equal(mock_mm_page_state(t, B), CR_PAGE_PRIVATE);

	assert_int_equal(ops->do_munmap(t, B, 3 * K), 0);
	assert_int_equal(ops->do_mmap(t, B, K, PROT_READ,
				      MAP_PRIVATE | MAP_FIXED,
				      f = ops->filp_open(t, "/lib/x.so",
							 O_RDONLY, &id), 1), B);
	ops->filp_close(t, f);
	assert_int_equal(byte_at(t, B), 0x41);
	assert_balanced(t);
}

static void test_page_state_reports_private_file_none(void **state)
{
	struct cr_target *t = *state;
	struct cr_file *f;
	struct cr_page *p;
	u8 st[3];

	add_file(t, "/f");
	f = ops->filp_open(t, "/f", O_RDONLY, NULL);
	assert_false(IS_ERR(f));
	assert_int_equal(ops->do_mmap(t, B, 3 * K, PROT_READ,
				      MAP_PRIVATE | MAP_FIXED, f, 0), B);
	ops->filp_close(t, f);
	fill(t, B, 1, 1);				/* page 0: written */
	assert_int_equal(ops->get_user_pages(t, B + K, 1, 0, 0, &p), 1);
	ops->put_page(t, p);				/* page 1: read */
	assert_int_equal(byte_at(t, B + 2 * K), 0x42);	/* page 2: peeked */

	assert_int_equal(ops->page_state(t, B, 3, st), 0);
	assert_int_equal(st[0], CR_PAGE_PRIVATE);
	assert_int_equal(st[1], CR_PAGE_FILE);
	assert_int_equal(st[2], CR_PAGE_NONE);
	assert_balanced(t);
}

static void test_page_state_across_vmas_is_efault(void **state)
{
	struct cr_target *t = *state;
	u8 st[4];

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(map_anon(t, B + 2 * K, 2 * K, RW), B + 2 * K);
	assert_int_equal(ops->page_state(t, B, 4, st), -EFAULT);
	assert_int_equal(ops->page_state(t, B + 4 * K, 1, st), -EFAULT);
	assert_int_equal(ops->page_state(t, B, 2, st), 0);
	assert_int_equal(ops->page_state(t, B, 0, st), -EINVAL);
}

/*
 * ->next_page answers exactly, whether it walks the range page by page
 * (a range no larger than the store) or the store (a larger one): the
 * first page held, a file page read counting, or the end.
 */
static void test_next_page_finds_the_first_held_page_by_either_walk(void **state)
{
	const unsigned long big = 1UL << 30;
	struct cr_target *t = *state;
	struct cr_page *p;

	assert_int_equal(map_anon(t, B, big, RW), B);
	assert_int_equal(ops->next_page(t, B, B + big), B + big);
	fill(t, B + 7 * K, 1, 1);
	fill(t, B + big - K, 1, 2);
	/* the store holds 2 pages: 2 pages are walked page by page */
	assert_int_equal(ops->next_page(t, B + 6 * K, B + 8 * K), B + 7 * K);
	assert_int_equal(ops->next_page(t, B + 4 * K, B + 6 * K), B + 6 * K);
	/* more than 2: the store is walked */
	assert_int_equal(ops->next_page(t, B, B + 4 * K), B + 4 * K);
	assert_int_equal(ops->next_page(t, B, B + big), B + 7 * K);
	assert_int_equal(ops->next_page(t, B + 8 * K, B + big), B + big - K);
	assert_int_equal(ops->next_page(t, B + 8 * K, B + big - K),
			 B + big - K);
	/* a page only read is no page of the process's: still none */
	assert_int_equal(ops->get_user_pages(t, B + 9 * K, 1, 0, 0, &p), 1);
	ops->put_page(t, p);
	assert_int_equal(ops->next_page(t, B + 8 * K, B + big), B + big - K);

	assert_int_equal(ops->next_page(t, B + 1, B + big), -EINVAL);
	assert_int_equal(ops->next_page(t, B, B), -EINVAL);
	assert_int_equal(ops->next_page(t, B, B + big + K), -EFAULT);
	assert_balanced(t);
}

static void test_gup_without_force_respects_prot(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p[2];

	assert_int_equal(map_anon(t, B, K, PROT_READ), B);
	assert_int_equal(map_anon(t, B + K, K, PROT_NONE), B + K);
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 0, p), -EFAULT);
	assert_int_equal(ops->get_user_pages(t, B + K, 1, 0, 0, p), -EFAULT);
	/* one page allowed, the next not: nothing pinned */
	assert_int_equal(ops->get_user_pages(t, B, 2, 0, 0, p), -EFAULT);
	assert_balanced(t);
	assert_int_equal(ops->get_user_pages(t, B, 1, 0, 0, p), 1);
	ops->put_page(t, p[0]);
	assert_balanced(t);
}

static void test_gup_force_writes_through_readonly(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p[2];
	u8 *d;

	assert_int_equal(map_anon(t, B, 2 * K, PROT_NONE), B);
	assert_int_equal(ops->get_user_pages(t, B, 2, 1, 1, p), 2);
	d = ops->kmap(t, p[1]);
	memset(d, 0x33, K);
	ops->kunmap(t, d);
	ops->put_page(t, p[0]);
	ops->put_page(t, p[1]);
	assert_int_equal(byte_at(t, B + K + 5), 0x33);
	assert_int_equal(mock_mm_page_state(t, B), CR_PAGE_PRIVATE);
	assert_int_equal(mock_mm_nr_pages(t), 2);
	assert_balanced(t);
}

static void test_gup_outside_vma_pins_nothing(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p[3];

	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 3, 1, 1, p), -EFAULT);
	assert_int_equal(ops->get_user_pages(t, B - K, 2, 0, 1, p), -EFAULT);
	assert_int_equal(mock_mm_nr_pages(t), 0);
	assert_balanced(t);
}

static void test_gup_bad_count_or_alignment_is_einval(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 0, 0, 0, &p), -EINVAL);
	assert_int_equal(ops->get_user_pages(t, B, -1, 0, 0, &p), -EINVAL);
	assert_int_equal(ops->get_user_pages(t, B + 8, 1, 0, 0, &p), -EINVAL);
}

static void test_kunmap_of_wrong_pointer_is_recorded(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	void *data;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 1, &p), 1);
	data = ops->kmap(t, p);
	/* 2008 defect 1: kunmap given the page, not what kmap returned */
	ops->kunmap(t, p);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KUNMAP), 1);
	assert_int_equal(mock_misuse_addr(t, MOCK_MISUSE_KUNMAP),
			 (unsigned long)p);
	ops->kunmap(t, data);
	ops->kunmap(t, data);		/* twice */
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KUNMAP), 2);
	assert_int_equal(mock_misuse_addr(t, MOCK_MISUSE_KUNMAP),
			 (unsigned long)data);
	ops->put_page(t, p);
	assert_int_equal(mock_check_balanced(t, NULL, 0), -1);
}

static void test_put_page_unpinned_is_recorded(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	void *data;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 1, 0, 0, &p), 1);
	ops->put_page(t, p);
	assert_balanced(t);
	ops->put_page(t, p);		/* the page struct outlives the pin */
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_PUT_PAGE), 1);
	assert_int_equal(mock_misuse_addr(t, MOCK_MISUSE_PUT_PAGE), B);
	data = ops->kmap(t, p);		/* kmap after put */
	assert_non_null(data);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KMAP), 1);
}

static void test_put_page_while_kmapped_is_recorded(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	void *data;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 0, &p), 1);
	data = ops->kmap(t, p);
	ops->put_page(t, p);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_PUT_PAGE), 1);
	ops->kunmap(t, data);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KUNMAP), 0);
}

static void test_write_through_read_pin_is_recorded(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	u8 *data;

	assert_int_equal(map_anon(t, B, K, RW), B);
	fill(t, B, 0x01, K);
	assert_int_equal(ops->get_user_pages(t, B, 1, 0, 0, &p), 1);
	data = ops->kmap(t, p);
	data[7] = 0x02;
	ops->kunmap(t, data);
	ops->put_page(t, p);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_RO_WRITE), 1);
	assert_int_equal(mock_misuse_addr(t, MOCK_MISUSE_RO_WRITE), B);
}

static void test_check_balanced_reports_leaks(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p[2];
	struct cr_file *f;
	char why[256];
	void *d;

	add_file(t, "/leak");
	assert_int_equal(map_anon(t, B, 2 * K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 2, 1, 0, p), 2);
	d = ops->kmap(t, p[1]);
	f = ops->filp_open(t, "/leak", O_RDONLY, NULL);
	assert_false(IS_ERR(f));
	assert_int_equal(mock_check_balanced(t, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "2 page pins"));
	assert_non_null(strstr(why, "1 kmaps"));
	assert_non_null(strstr(why, "1 files"));
	ops->kunmap(t, d);
	ops->put_page(t, p[0]);
	ops->put_page(t, p[1]);
	ops->filp_close(t, f);
	assert_balanced(t);
	ops->filp_close(t, f);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_FILE), 1);
}

static void test_munmap_of_pinned_page_keeps_it_until_put(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	u8 *data;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 0, &p), 1);
	assert_int_equal(ops->do_munmap(t, B, K), 0);
	data = ops->kmap(t, p);		/* still valid memory */
	data[0] = 1;
	ops->kunmap(t, data);
	ops->put_page(t, p);
	assert_int_equal(mock_mm_nr_pages(t), 0);
	assert_balanced(t);
}

static void test_mock_mm_write_outside_vma_is_efault(void **state)
{
	struct cr_target *t = *state;
	u8 buf[16] = { 0 };

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(mock_mm_write(t, B + K - 8, buf, 16), -EFAULT);
	assert_int_equal(mock_mm_read(t, B + K - 8, buf, 16), -EFAULT);
	assert_int_equal(mock_mm_nr_pages(t), 0);
	/* across two adjacent VMAs is fine */
	assert_int_equal(map_anon(t, B + K, K, RW), B + K);
	assert_int_equal(mock_mm_write(t, B + K - 8, buf, 16), 0);
	assert_int_equal(mock_mm_nr_pages(t), 2);
}

/* ---- files ---- */

static void test_filp_open_falls_back_to_disk(void **state)
{
	struct cr_target *t = *state;
	char path[] = "/tmp/test_mock_mm.XXXXXX";
	struct cr_file_id id;
	struct cr_file *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	f = ops->filp_open(t, path, O_RDONLY, &id);
	unlink(path);
	assert_false(IS_ERR(f));
	assert_int_equal(id.size, 5);
	assert_true(id.ino != 0);
	assert_int_equal(ops->do_mmap(t, B, K, PROT_READ,
				      MAP_PRIVATE | MAP_FIXED, f, 0), B);
	ops->filp_close(t, f);
	assert_int_equal(byte_at(t, B + 4), 'o');
	assert_int_equal(byte_at(t, B + 5), 0);

	f = ops->filp_open(t, "/nonexistent/mock", O_RDONLY, &id);
	assert_int_equal(PTR_ERR(f), -ENOENT);
	f = ops->filp_open(t, path, O_RDWR, &id);
	assert_int_equal(PTR_ERR(f), -EINVAL);
	assert_balanced(t);
}

static void test_mmap_of_closed_file_is_recorded(void **state)
{
	struct cr_target *t = *state;
	struct cr_file *f;

	add_file(t, "/c");
	f = ops->filp_open(t, "/c", O_RDONLY, NULL);
	ops->filp_close(t, f);
	assert_int_equal(ops->do_mmap(t, B, K, PROT_READ,
				      MAP_PRIVATE | MAP_FIXED, f, 0), -EBADF);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_FILE), 1);
}

/* ---- fault injection ---- */

static void test_fault_nth_call_fails_once(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(mock_fault_set(t, MOCK_OP_DO_MMAP, 2, ENOMEM, false),
			 0);
	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(map_anon(t, B + K, K, RW), -ENOMEM);
	assert_int_equal(map_anon(t, B + K, K, RW), B + K);
	assert_int_equal(mock_fault_fired(t), 1);
	assert_int_equal(mock_calls(t, MOCK_OP_DO_MMAP), 3);
	assert_int_equal(mock_mm_nr_vmas(t), 2);
}

static void test_fault_persistent(void **state)
{
	struct cr_target *t = *state;
	struct cr_vma_info v;

	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(mock_fault_set(t, MOCK_OP_FIND_VMA, 2, EIO, true), 0);
	assert_int_equal(ops->find_vma(t, 0, &v), 0);
	assert_int_equal(ops->find_vma(t, 0, &v), -EIO);
	assert_int_equal(ops->find_vma(t, 0, &v), -EIO);
	assert_int_equal(map_anon(t, B + K, K, RW), B + K); /* other ops work */
	assert_int_equal(mock_fault_fired(t), 2);
	mock_fault_clear(t);
	assert_int_equal(ops->find_vma(t, 0, &v), 0);
	assert_int_equal(mock_calls(t, MOCK_OP_FIND_VMA), 4);
	assert_int_equal(mock_calls(t, MOCK_OP_ANY), 5);
}

static void test_fault_any_skips_calls_that_cannot_fail(void **state)
{
	struct cr_target *t = *state;
	struct cr_page *p;
	void *d;

	assert_int_equal(map_anon(t, B, K, RW), B);
	/* calls: 1 gup, 2 kmap, 3 kunmap, 4 put_page, 5 flush */
	assert_int_equal(mock_fault_set(t, MOCK_OP_ANY, 2, EIO, false), 0);
	assert_int_equal(ops->get_user_pages(t, B, 1, 1, 0, &p), 1);
	d = ops->kmap(t, p);
	ops->kunmap(t, d);
	ops->put_page(t, p);
	assert_int_equal(mock_fault_fired(t), 0);
	assert_int_equal(ops->flush(t), -EIO);
	assert_int_equal(mock_fault_fired(t), 1);
	assert_int_equal(mock_calls(t, MOCK_OP_ANY), 5);
	assert_balanced(t);
}

static void test_fault_set_rejects_ops_that_cannot_fail(void **state)
{
	struct cr_target *t = *state;

	assert_int_equal(mock_fault_set(t, MOCK_OP_PUT_PAGE, 1, EIO, 0),
			 -EINVAL);
	assert_int_equal(mock_fault_set(t, MOCK_OP_KMAP, 1, EIO, 0), -EINVAL);
	assert_int_equal(mock_fault_set(t, MOCK_OP_DO_MMAP, 0, EIO, 0),
			 -EINVAL);
	assert_int_equal(mock_fault_set(t, MOCK_OP_DO_MMAP, 1, -EIO, 0),
			 -EINVAL);
	assert_int_equal(mock_fault_set(t, MOCK_OP_NR, 1, EIO, 0), -EINVAL);
}

static struct user_desc all_bits_desc(unsigned int entry);

struct layout {
	int nr;
	unsigned long pages;
	struct cr_vma_info v[8];
};

static void snapshot(struct cr_target *t, struct layout *l)
{
	int i;

	memset(l, 0, sizeof(*l));
	l->nr = mock_mm_nr_vmas(t);
	l->pages = mock_mm_nr_pages(t);
	assert_true(l->nr <= 8);
	for (i = 0; i < l->nr; i++)
		assert_int_equal(mock_mm_vma(t, i, &l->v[i]), 0);
}

/* An injected failure happens before the op does anything. */
static void test_fault_leaves_state_unchanged(void **state)
{
	struct cr_target *t = *state;
	static struct layout before, after;
	struct user_desc u = all_bits_desc(0);
	struct cr_page *p[2] = { NULL, NULL };
	u8 ldt[16];
	int op;

	assert_int_equal(map_anon(t, B, 4 * K, RW), B);
	fill(t, B, 0x3c, 4 * K);
	for (op = 0; op < 5; op++) {
		long ret = 0;

		snapshot(t, &before);
		switch (op) {
		case 0:
			mock_fault_set(t, MOCK_OP_DO_MMAP, 1, EIO, false);
			ret = map_anon(t, B + K, K, PROT_READ);
			break;
		case 1:
			mock_fault_set(t, MOCK_OP_DO_MUNMAP, 1, EIO, false);
			ret = ops->do_munmap(t, B + K, K);
			break;
		case 2:
			mock_fault_set(t, MOCK_OP_DO_MREMAP, 1, EIO, false);
			ret = ops->do_mremap(t, B + K, K, B + 9 * K);
			break;
		case 3:
			mock_fault_set(t, MOCK_OP_GET_USER_PAGES, 1, EIO,
				       false);
			ret = ops->get_user_pages(t, B + 4 * K - 2 * K, 2, 1,
						  1, p);
			break;
		case 4:
			mock_fault_set(t, MOCK_OP_MODIFY_LDT, 1, EIO, false);
			ret = ops->modify_ldt(t, 0x11, &u, sizeof(u));
			break;
		}
		assert_int_equal(ret, -EIO);
		assert_int_equal(mock_fault_fired(t), 1);
		snapshot(t, &after);
		assert_memory_equal(&before, &after, sizeof(before));
		assert_balanced(t);
	}
	assert_null(p[0]);
	assert_int_equal(ops->modify_ldt(t, 0, ldt, sizeof(ldt)), 0);
}

/* ---- LDT ---- */

static u64 ldt_entry(struct cr_target *t, unsigned int i)
{
	u8 buf[CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE];
	u64 d = 0;
	int k;

	assert_int_equal(ops->modify_ldt(t, 0, buf, sizeof(buf)),
			 (int)sizeof(buf));
	for (k = 7; k >= 0; k--)
		d = d << 8 | buf[i * 8 + k];
	return d;
}

static struct user_desc all_bits_desc(unsigned int entry)
{
	struct user_desc u = {
		.entry_number = entry,
		.base_addr = 0x12345678,
		.limit = 0xabcde,
		.seg_32bit = 1,
		.contents = 2,		/* code */
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
		.lm = 1,		/* ignored: the kernel keeps L at 0 */
	};

	return u;
}

/*
 * base 0x12345678 limit 0xabcde, 32-bit present readable code, G, AVL:
 *   low  dword: base 15:0 = 0x5678 | limit 15:0 = 0xbcde
 *   high dword: base 31:24 = 0x12 | G D . AVL = 1101 | limit 19:16 = 0xa
 *               | P DPL S = 1 11 1 | type = 1011 (code, readable,
 *               accessed) | base 23:16 = 0x34
 */
static void test_ldt_write_read_all_bits(void **state)
{
	struct cr_target *t = *state;
	struct user_desc u = all_bits_desc(3);

	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u)), 0);
	assert_int_equal(ldt_entry(t, 3), 0x12dafb345678bcdeULL);
	assert_int_equal(ldt_entry(t, 2), 0);
}

static void test_ldt_oldmode_clears_avl(void **state)
{
	struct cr_target *t = *state;
	struct user_desc u = all_bits_desc(0);

	assert_int_equal(ops->modify_ldt(t, 1, &u, sizeof(u)), 0);
	assert_int_equal(ldt_entry(t, 0), 0x12cafb345678bcdeULL);
	/* old mode: base 0 and limit 0 clear the entry */
	u.base_addr = 0;
	u.limit = 0;
	assert_int_equal(ops->modify_ldt(t, 1, &u, sizeof(u)), 0);
	assert_int_equal(ldt_entry(t, 0), 0);
}

static void test_ldt_empty_desc_clears_entry(void **state)
{
	struct cr_target *t = *state;
	struct user_desc u = all_bits_desc(5);
	struct user_desc empty = {
		.entry_number = 5, .read_exec_only = 1, .seg_not_present = 1,
	};

	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u)), 0);
	assert_int_equal(ops->modify_ldt(t, 0x11, &empty, sizeof(empty)), 0);
	assert_int_equal(ldt_entry(t, 5), 0);
}

static void test_ldt_read_returns_used_part_zero_filled(void **state)
{
	struct cr_target *t = *state;
	struct user_desc u = all_bits_desc(1);
	u8 buf[64];

	assert_int_equal(ops->modify_ldt(t, 0, buf, sizeof(buf)), 0);
	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u)), 0);
	memset(buf, 0xff, sizeof(buf));
	/* two entries in use; the kernel zero-fills up to what was asked */
	assert_int_equal(ops->modify_ldt(t, 0, buf, 12), 12);
	assert_int_equal(buf[8], 0xde);
	assert_int_equal(buf[12], 0xff);
	assert_int_equal(ops->modify_ldt(t, 0, buf, sizeof(buf)), 64);
	assert_int_equal(buf[16], 0);
	assert_int_equal(buf[63], 0);
}

static void test_ldt_rejects_bad_writes(void **state)
{
	struct cr_target *t = *state;
	struct user_desc u = all_bits_desc(CR_LDT_ENTRIES);

	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u)), -EINVAL);
	u.entry_number = 0;
	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u) - 1), -EINVAL);
	u.contents = 3;
	assert_int_equal(ops->modify_ldt(t, 0x11, &u, sizeof(u)), -EINVAL);
	assert_int_equal(ops->modify_ldt(t, 7, &u, sizeof(u)), -ENOSYS);
	assert_int_equal(ops->modify_ldt(t, 0, &u, sizeof(u)), 0);
}

/* ---- mm fields and task state ---- */

static void test_mm_map_roundtrip_with_exe(void **state)
{
	struct cr_target *t = *state;
	struct cr_mm_map m = { 0 }, out;
	struct cr_file *f;
	char exe[64];

	m.start_code = B;
	m.end_code = B + K;
	m.brk = m.start_brk = B + 8 * K;
	m.nr_auxv = 2;
	m.auxv[0] = 6;
	m.auxv[1] = 4096;
	add_file(t, "/bin/prog");
	f = ops->filp_open(t, "/bin/prog", O_RDONLY, NULL);
	assert_int_equal(ops->set_mm_map(t, &m, f), 0);
	ops->filp_close(t, f);
	assert_int_equal(ops->get_mm_map(t, &out, exe, sizeof(exe)), 0);
	assert_memory_equal(&out, &m, sizeof(m));
	assert_string_equal(exe, "/bin/prog");
	assert_int_equal(ops->get_mm_map(t, &out, exe, 4), -ENAMETOOLONG);

	m.nr_auxv = 3;
	assert_int_equal(ops->set_mm_map(t, &m, NULL), -EINVAL);
	m.nr_auxv = 2;
	m.end_code = B - K;
	assert_int_equal(ops->set_mm_map(t, &m, NULL), -EINVAL);
	assert_balanced(t);
}

static void test_install_fd_dup_copies_entry(void **state)
{
	struct cr_target *t = *state;
	static struct cr_fd_info in, out;

	in.fd = 3;
	in.fd_type = CR_FD_FILE;
	in.dup_of = -1;
	in.f_flags = O_RDWR;
	in.f_pos = 77;
	strcpy(in.path, "/data");
	assert_int_equal(ops->install_fd(t, &in), 0);
	in.fd = 5;
	in.dup_of = 3;
	in.close_on_exec = 1;
	in.f_pos = 0;
	strcpy(in.path, "ignored");
	assert_int_equal(ops->install_fd(t, &in), 0);

	assert_int_equal(ops->next_fd(t, 4, &out), 0);
	assert_int_equal(out.fd, 5);
	assert_int_equal(out.f_pos, 77);
	assert_string_equal(out.path, "/data");
	assert_int_equal(out.close_on_exec, 1);
	{
		static struct cr_fd_info first;

		assert_int_equal(ops->next_fd(t, 0, &first), 0);
		assert_int_equal(first.fd, 3);
		assert_true(first.ofd_key == out.ofd_key);
	}
	in.dup_of = 9;
	assert_int_equal(ops->install_fd(t, &in), -EBADF);
	in.fd = MOCK_NR_FDS;
	in.dup_of = -1;
	assert_int_equal(ops->install_fd(t, &in), -EBADF);
}

static void test_next_fd_iterates_and_reports_unsupported(void **state)
{
	struct cr_target *t = *state;
	static struct cr_fd_info in, out;

	in.fd = 0;
	in.fd_type = CR_FD_CHR;
	strcpy(in.path, "/dev/null");
	assert_int_equal(mock_task_add_fd(t, &in, false), 0);
	in.fd = 4;
	strcpy(in.path, "socket:[123]");
	assert_int_equal(mock_task_add_fd(t, &in, true), 0);

	assert_int_equal(ops->next_fd(t, 0, &out), 0);
	assert_int_equal(out.fd, 0);
	assert_int_equal(ops->next_fd(t, 1, &out), -EOPNOTSUPP);
	assert_int_equal(out.fd, 4);
	assert_string_equal(out.path, "socket:[123]");
	assert_int_equal(ops->next_fd(t, 5, &out), -ENOENT);
	assert_int_equal(ops->close_fd(t, 4), 0);
	assert_int_equal(ops->close_fd(t, 4), -EBADF);
	assert_int_equal(ops->next_fd(t, 1, &out), -ENOENT);
}

static void test_sigaction_refuses_sigkill_and_sigstop(void **state)
{
	struct cr_target *t = *state;
	struct cr_sigaction a = { .handler = 0x401000, .flags = 0x04000000,
				  .restorer = 0x402000, .mask = 0x5 }, b;
	struct cr_sigstate s = { .blocked = ~0ULL, .ss_sp = 0x7000,
				 .ss_size = 8192 }, s2;

	assert_int_equal(ops->set_sigaction(t, 10, &a), 0);
	assert_int_equal(ops->get_sigaction(t, 10, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(ops->set_sigaction(t, 9, &a), -EINVAL);
	assert_int_equal(ops->set_sigaction(t, 19, &a), -EINVAL);
	assert_int_equal(ops->set_sigaction(t, 65, &a), -EINVAL);
	assert_int_equal(ops->get_sigaction(t, 0, &b), -EINVAL);
	assert_int_equal(ops->set_sigstate(t, &s), 0);
	assert_int_equal(ops->get_sigstate(t, &s2), 0);
	assert_int_equal(s2.blocked, ~0ULL & ~(1ULL << 8) & ~(1ULL << 18));
	assert_int_equal(s2.ss_size, 8192);
}

static void test_creds_fs_thread_roundtrip(void **state)
{
	struct cr_target *t = *state;
	u32 groups[3] = { 4, 24, 27 }, umask;
	struct cr_creds c = { .uid = 1000, .euid = 1000, .ngroups = 3,
			      .groups = groups, .cap_bset = ~0ULL,
			      .comm = "prog" }, out;
	struct cr_thread_info ti = { 0x7f00, 32, 0x53053053, 0x7f10 }, to;
	char cwd[8];

	assert_int_equal(ops->set_creds(t, &c), 0);
	groups[0] = 99;			/* the mock keeps its own copy */
	assert_int_equal(ops->get_creds(t, &out), 0);
	assert_int_equal(out.uid, 1000);
	assert_int_equal(out.ngroups, 3);
	assert_int_equal(out.groups[0], 4);
	assert_int_equal(out.groups[2], 27);
	assert_string_equal(out.comm, "prog");
	free(out.groups);

	assert_int_equal(ops->set_fs(t, 027, "/srv"), 0);
	assert_int_equal(ops->get_fs(t, &umask, cwd, sizeof(cwd)), 0);
	assert_int_equal(umask, 027);
	assert_string_equal(cwd, "/srv");
	assert_int_equal(ops->get_fs(t, &umask, cwd, 4), -ERANGE);
	assert_int_equal(ops->set_fs(t, 0, "rel"), -EINVAL);

	assert_int_equal(ops->set_thread(t, &ti), 0);
	assert_int_equal(ops->get_thread(t, &to), 0);
	assert_memory_equal(&ti, &to, sizeof(ti));
}

static void test_regs_roundtrip(void **state)
{
	struct cr_target *t = *state;
	struct cr_arch_regs *r, *out;
	void *p1 = NULL, *p2 = NULL;

	assert_int_equal(posix_memalign(&p1, 64, sizeof(*r)), 0);
	assert_int_equal(posix_memalign(&p2, 64, sizeof(*r)), 0);
	r = p1;
	out = p2;
	memset(r, 0, sizeof(*r));
	memset(out, 0xff, sizeof(*out));
	r->gregs[CR_RIP] = 0x401234;
	r->gregs[CR_FS_BASE] = 0x7fff0000;
	r->xstate_size = 1024;
	r->xstate[1023] = 0x9;
	assert_int_equal(ops->set_regs(t, r), 0);
	assert_int_equal(ops->get_regs(t, out), 0);
	assert_int_equal(out->gregs[CR_RIP], 0x401234);
	assert_int_equal(out->gregs[CR_FS_BASE], 0x7fff0000);
	assert_int_equal(out->xstate_size, 1024);
	assert_int_equal(out->xstate[1023], 0x9);
	r->xstate_size = CR_XSTATE_MAX + 1;
	assert_int_equal(ops->set_regs(t, r), -EINVAL);
	free(p1);
	free(p2);
}

static void test_kops_table_is_complete(void **state)
{
	void (*const *fn)(void) = (void (*const *)(void))&mock_kops;
	size_t i;

	for (i = 0; i < sizeof(mock_kops) / sizeof(*fn); i++) {
		if (!fn[i])
			print_error("kops member %zu (%s) is NULL\n", i,
				    mock_op_name(i));
		assert_non_null(fn[i]);
	}
	assert_string_equal(mock_op_name(MOCK_OP_SET_REGS), "set_regs");
}

static void test_two_targets_are_independent(void **state)
{
	struct cr_target *t = *state, *u = mock_mm_new();

	assert_false(IS_ERR_OR_NULL(u));
	assert_int_equal(mock_fault_set(u, MOCK_OP_DO_MMAP, 1, EIO, true), 0);
	assert_int_equal(map_anon(t, B, K, RW), B);
	assert_int_equal(map_anon(u, B, K, RW), -EIO);
	assert_int_equal(mock_mm_nr_vmas(u), 0);
	mock_mm_free(u);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mmap_anon_sets_vm_flags_from_prot),
		T(test_mmap_len_rounds_up_to_pages),
		T(test_mmap_growsdown_sets_vm_growsdown),
		T(test_mmap_rejects_bad_arguments),
		T(test_mmap_fixed_replaces_overlap),
		T(test_mmap_fixed_replaces_across_vmas_and_hole),
		T(test_mmap_fixed_noreplace_refuses_overlap),
		T(test_adjacent_vmas_are_not_merged),
		T(test_mmap_without_fixed_picks_free_range_top_down),
		T(test_munmap_splits_vma),
		T(test_munmap_across_vmas_trims_both),
		T(test_munmap_unaligned_is_einval),
		T(test_find_vma_returns_first_ending_above),
		T(test_mremap_moves_pages),
		T(test_mremap_within_one_vma_moves_down),
		T(test_mremap_keeps_special_type),
		T(test_mremap_rejects_range_across_vmas),
		T(test_specials_report_their_type),
		T(test_shim_vma_is_never_touched),
		T(test_absent_anon_page_reads_zero_without_materializing),
		T(test_private_file_page_cow_leaves_file_unchanged),
		T(test_page_state_reports_private_file_none),
		T(test_page_state_across_vmas_is_efault),
		T(test_next_page_finds_the_first_held_page_by_either_walk),
		T(test_gup_without_force_respects_prot),
		T(test_gup_force_writes_through_readonly),
		T(test_gup_outside_vma_pins_nothing),
		T(test_gup_bad_count_or_alignment_is_einval),
		T(test_kunmap_of_wrong_pointer_is_recorded),
		T(test_put_page_unpinned_is_recorded),
		T(test_put_page_while_kmapped_is_recorded),
		T(test_write_through_read_pin_is_recorded),
		T(test_check_balanced_reports_leaks),
		T(test_munmap_of_pinned_page_keeps_it_until_put),
		T(test_mock_mm_write_outside_vma_is_efault),
		T(test_filp_open_falls_back_to_disk),
		T(test_mmap_of_closed_file_is_recorded),
		T(test_fault_nth_call_fails_once),
		T(test_fault_persistent),
		T(test_fault_any_skips_calls_that_cannot_fail),
		T(test_fault_set_rejects_ops_that_cannot_fail),
		T(test_fault_leaves_state_unchanged),
		T(test_ldt_write_read_all_bits),
		T(test_ldt_oldmode_clears_avl),
		T(test_ldt_empty_desc_clears_entry),
		T(test_ldt_read_returns_used_part_zero_filled),
		T(test_ldt_rejects_bad_writes),
		T(test_mm_map_roundtrip_with_exe),
		T(test_install_fd_dup_copies_entry),
		T(test_next_fd_iterates_and_reports_unsupported),
		T(test_sigaction_refuses_sigkill_and_sigstop),
		T(test_creds_fs_thread_roundtrip),
		T(test_regs_roundtrip),
		T(test_kops_table_is_complete),
		T(test_two_targets_are_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
