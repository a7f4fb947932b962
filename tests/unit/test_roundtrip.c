// SPDX-License-Identifier: GPL-2.0
/*
 * Whole round trips on the mock: the standard process (cr_test.h has its
 * picture) is checkpointed into an image and restored into an empty
 * target that had a mapping of its own at 0x500000 and its vdso and vvar
 * elsewhere (0x7f0000100000). Everything the image carries must come back:
 * the layout, the protections, every byte, the mm fields, the LDT, the
 * registers, and the specials at the image's addresses. And nothing but
 * private pages goes into the image.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tests/unit/cr_test.h"
#include "arch/x86/regs.h"
#include "core/arch.h"
#include "core/cr.h"
#include "core/mm/vma_flags.h"

#define LDT_BYTES	(CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE)

/* where the empty target's own things were before the restore */
#define EMPTY_OLD_ANON	0x500000UL
#define EMPTY_OLD_VVAR	0x7f0000100000UL
/* where the image has them */
#define IMAGE_VVAR	0x7ffff7fc0000UL
#define IMAGE_VDSO	0x7ffff7fc4000UL

/* The private pages of the standard process, in address order. */
static const unsigned long std_private_pages[] = {
	0x402000,			/* the COW'd page of the data segment */
	0x600000, 0x601000, 0x605000, 0x60f000,
	0x610000,			/* PROT_NONE */
	0x701000,			/* read-only */
	0x7ffff000f000,			/* stack top */
};

/* The byte cr_test.c puts at @i of a page filled with @seed. */
static u8 fill_byte(u8 seed, size_t i)
{
	return (u8)(seed + i * 13);
}

/* The byte of the test executable at file offset @off. */
static u8 exe_byte(size_t off)
{
	return (u8)(off * 7 + 3);
}

struct rt_state {
	int fd;
	struct cr_target *src;
	struct cr_test_log tl;
};

static int setup(void **state)
{
	struct rt_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->fd = cr_test_image_fd();
	s->src = cr_test_mock_process();
	cr_test_log_init(&s->tl);
	if (cr_test_checkpoint(s->src, s->fd, &s->tl)) {
		fprintf(stderr, "checkpoint of the standard process: %s\n",
			s->tl.last);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct rt_state *s = *state;

	mock_mm_free(s->src);
	close(s->fd);
	free(s);
	return 0;
}

/* A fresh empty target with the image restored into it, balanced. */
static struct cr_target *restore_into_empty(struct rt_state *s)
{
	struct cr_target *t = cr_test_mock_empty();
	char why[256];
	int ret;

	ret = cr_test_restart(t, s->fd, &s->tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, s->tl.last);
	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("restore not balanced: %s", why);
	return t;
}

static void assert_page_filled(struct cr_target *t, unsigned long addr,
			       u8 seed)
{
	u8 page[PAGE_SIZE];
	size_t i;

	assert_int_equal(mock_mm_read(t, addr, page, PAGE_SIZE), 0);
	for (i = 0; i < PAGE_SIZE; i++)
		if (page[i] != fill_byte(seed, i))
			fail_msg("%#lx+%zu: %#x, expected %#x", addr, i, page[i],
				 fill_byte(seed, i));
}

static void assert_page_of_exe(struct cr_target *t, unsigned long addr,
			       size_t file_off)
{
	u8 page[PAGE_SIZE];
	size_t i;

	assert_int_equal(mock_mm_read(t, addr, page, PAGE_SIZE), 0);
	for (i = 0; i < PAGE_SIZE; i++)
		if (page[i] != exe_byte(file_off + i))
			fail_msg("%#lx+%zu: %#x, expected the file's %#x", addr,
				 i, page[i], exe_byte(file_off + i));
}

static void assert_page_zero(struct cr_target *t, unsigned long addr)
{
	static const u8 zero[PAGE_SIZE];
	u8 page[PAGE_SIZE];

	assert_int_equal(mock_mm_read(t, addr, page, PAGE_SIZE), 0);
	assert_memory_equal(page, zero, PAGE_SIZE);
}

/* The VMA that holds @addr, which must exist. */
static void vma_at(struct cr_target *t, unsigned long addr,
		   struct cr_vma_info *vma)
{
	int i;

	for (i = 0; mock_mm_vma(t, i, vma) == 0; i++)
		if (vma->vm_start <= addr && addr < vma->vm_end)
			return;
	fail_msg("no VMA at %#lx", addr);
}

/*
 * Every private page of a pgarr object of the image, in image order, into
 * @addrs (up to @max); the count is returned. The page counts of the
 * objects are checked against their payload length on the way.
 */
static unsigned long image_page_addrs(int fd, u64 *addrs, unsigned long max)
{
	unsigned long nr = 0;
	unsigned int n;
	long off;

	for (n = 0; (off = cr_test_find_obj(fd, CR_HDR_PGARR, n)) >= 0; n++) {
		struct cr_hdr h;
		struct cr_hdr_pgarr p;

		cr_test_pread(fd, off, &h, sizeof(h));
		cr_test_pread(fd, off + sizeof(h), &p, sizeof(p));
		assert_int_equal(h.len, sizeof(p) + p.nr_pages * sizeof(u64));
		if (nr + p.nr_pages <= max)
			cr_test_pread(fd, off + sizeof(h) + sizeof(p),
				      addrs + nr, p.nr_pages * sizeof(u64));
		nr += p.nr_pages;
	}
	return nr;
}

static void test_roundtrip_restores_layout_protections_and_every_byte(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	struct cr_vma_info *vma = malloc(sizeof(*vma));

	assert_non_null(vma);
	cr_test_assert_same_mm(s->src, t);

	/* The same bytes could be the same wrong bytes: check them too. */
	assert_page_of_exe(t, 0x400000, 0);		/* clean text */
	assert_page_of_exe(t, 0x401000, PAGE_SIZE);
	assert_page_filled(t, 0x402000, 0x21);		/* COW'd data page */
	assert_page_of_exe(t, 0x403000, 3 * PAGE_SIZE);	/* clean data page */
	assert_page_filled(t, 0x600000, 1);
	assert_page_filled(t, 0x601000, 2);
	assert_page_zero(t, 0x602000);
	assert_page_filled(t, 0x605000, 3);
	assert_page_filled(t, 0x60f000, 4);
	assert_page_filled(t, 0x610000, 5);		/* PROT_NONE */
	assert_page_zero(t, 0x700000);
	assert_page_filled(t, 0x701000, 6);		/* read-only */
	assert_page_filled(t, 0x7ffff000f000, 7);	/* stack top */

	/* the clean file pages come from the file, not from the image */
	assert_int_equal(mock_mm_page_state(t, 0x400000), CR_PAGE_NONE);
	assert_int_equal(mock_mm_page_state(t, 0x403000), CR_PAGE_NONE);
	assert_int_equal(mock_mm_page_state(t, 0x402000), CR_PAGE_PRIVATE);

	/* protections and kinds, against the picture in cr_test.h */
	vma_at(t, 0x400000, vma);
	assert_int_equal(vma->vma_type, CR_VMA_FILE);
	assert_int_equal(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC),
			 VM_READ | VM_EXEC);
	assert_string_equal(vma->path, CR_TEST_EXE);
	vma_at(t, 0x402000, vma);
	assert_int_equal(vma->vma_type, CR_VMA_FILE);
	assert_int_equal(vma->vm_pgoff, 2);
	assert_int_equal(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC),
			 VM_READ | VM_WRITE);
	vma_at(t, 0x610000, vma);
	assert_int_equal(vma->vm_start, 0x610000);
	assert_int_equal(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC), 0);
	vma_at(t, 0x700000, vma);
	assert_int_equal(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC),
			 VM_READ);
	vma_at(t, 0x7ffff0000000, vma);
	assert_int_equal(vma->vm_start, 0x7ffff0000000);
	assert_int_equal(vma->vm_end, 0x7ffff0010000);
	assert_true(vma->vm_flags & VM_GROWSDOWN);

	free(vma);
	mock_mm_free(t);
}

static void test_roundtrip_drops_the_targets_old_mapping(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	u8 byte;

	assert_int_equal(mock_mm_read(t, EMPTY_OLD_ANON, &byte, 1), -EFAULT);
	assert_int_equal(mock_mm_page_state(t, EMPTY_OLD_ANON), -EFAULT);
	mock_mm_free(t);
}

static void test_roundtrip_moves_vdso_and_vvar_to_the_images_addresses(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	struct cr_vma_info *vma = malloc(sizeof(*vma));
	u8 byte;

	assert_non_null(vma);
	vma_at(t, IMAGE_VVAR, vma);
	assert_int_equal(vma->vma_type, CR_VMA_VVAR);
	assert_int_equal(vma->vm_start, IMAGE_VVAR);
	assert_int_equal(vma->vm_end, IMAGE_VVAR + 4 * PAGE_SIZE);
	vma_at(t, IMAGE_VDSO, vma);
	assert_int_equal(vma->vma_type, CR_VMA_VDSO);
	assert_int_equal(vma->vm_start, IMAGE_VDSO);
	assert_int_equal(vma->vm_end, IMAGE_VDSO + 2 * PAGE_SIZE);
	/* moved, not copied: nothing is left where the target had them */
	assert_int_equal(mock_mm_read(t, EMPTY_OLD_VVAR, &byte, 1), -EFAULT);
	assert_int_equal(mock_mm_read(t, EMPTY_OLD_VVAR + 4 * PAGE_SIZE,
				      &byte, 1), -EFAULT);
	free(vma);
	mock_mm_free(t);
}

static void test_roundtrip_restores_mm_fields_auxv_and_exe(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	struct cr_mm_map *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char *ea = calloc(1, CR_FNAME_MAX), *eb = calloc(1, CR_FNAME_MAX);

	assert_true(a && b && ea && eb);
	assert_int_equal(mock_kops.get_mm_map(s->src, a, ea, CR_FNAME_MAX), 0);
	assert_int_equal(mock_kops.get_mm_map(t, b, eb, CR_FNAME_MAX), 0);
	assert_int_equal(b->start_code, 0x400000);
	assert_int_equal(b->brk, 0x610000);
	assert_int_equal(b->nr_auxv, 6);
	assert_memory_equal(a, b, sizeof(*a));
	assert_string_equal(eb, CR_TEST_EXE);
	assert_string_equal(ea, eb);
	free(eb);
	free(ea);
	free(b);
	free(a);
	mock_mm_free(t);
}

/* The LDT as modify_ldt(0) reads it: LDT_BYTES bytes, zero-filled. */
static u8 *read_ldt(struct cr_target *t)
{
	u8 *ldt = calloc(1, LDT_BYTES);
	int n;

	assert_non_null(ldt);
	n = mock_kops.modify_ldt(t, 0, ldt, LDT_BYTES);
	assert_true(n >= 0);
	return ldt;
}

static void test_roundtrip_restores_ldt_bytes(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	static const u8 zero[CR_LDT_ENTRY_SIZE];
	u8 *a = read_ldt(s->src), *b = read_ldt(t);

	u64 d0;

	/* entries 0 and 5 are set in the source: not trivially equal */
	assert_memory_not_equal(a, zero, CR_LDT_ENTRY_SIZE);
	assert_memory_not_equal(a + 5 * CR_LDT_ENTRY_SIZE, zero,
				CR_LDT_ENTRY_SIZE);
	assert_memory_equal(a, b, LDT_BYTES);
	/*
	 * Entry 0 is base 0x12345678, limit 0xfffff, AVL set: the bits the
	 * seed dropped (base2, limit1) or cleared (AVL, by modify_ldt(1))
	 * are there (defect 13; test_ldt.c has every bit).
	 */
	memcpy(&d0, b, sizeof(d0));
	assert_int_equal(d0 >> 56, 0x12);		/* base2 */
	assert_int_equal((d0 >> 48) & 0xf, 0xf);	/* limit1 */
	assert_int_equal((d0 >> 52) & 1, 1);		/* AVL */
	free(b);
	free(a);
	mock_mm_free(t);
}

static void test_roundtrip_restores_registers(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t = restore_into_empty(s);
	struct cr_arch_regs *a = cr_arch_regs_alloc(), *b = cr_arch_regs_alloc();

	assert_true(a && b);
	assert_int_equal(mock_kops.get_regs(s->src, a), 0);
	assert_int_equal(mock_kops.get_regs(t, b), 0);
	assert_int_equal(b->gregs[CR_RIP], 0x400123);
	assert_int_equal(b->gregs[CR_RSP], 0x7ffff000ff00);
	assert_memory_equal(a->gregs, b->gregs, sizeof(a->gregs));
	assert_int_equal(a->xstate_size, b->xstate_size);
	assert_memory_equal(a->xstate, b->xstate, a->xstate_size);
	cr_arch_regs_free(b);
	cr_arch_regs_free(a);
	mock_mm_free(t);
}

static void test_roundtrip_same_image_restores_twice_alike(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t1 = restore_into_empty(s);
	struct cr_target *t2 = restore_into_empty(s);

	cr_test_assert_same_mm(s->src, t1);
	cr_test_assert_same_mm(s->src, t2);
	cr_test_assert_same_mm(t1, t2);
	mock_mm_free(t2);
	mock_mm_free(t1);
}

/*
 * A restored process checkpoints again into an image that restores to the
 * same mm. The two images need not be byte-identical (the head holds the
 * time), so the mms are compared.
 */
static void test_roundtrip_restored_target_checkpoints_to_the_same_mm(void **state)
{
	struct rt_state *s = *state;
	struct cr_target *t1 = restore_into_empty(s), *t2;
	int fd2 = cr_test_image_fd();
	char why[256];
	int ret;

	ret = cr_test_checkpoint(t1, fd2, &s->tl);
	if (ret)
		fail_msg("second checkpoint: %d: %s", ret, s->tl.last);
	assert_int_equal(mock_check_balanced(t1, why, sizeof(why)), 0);
	t2 = cr_test_mock_empty();
	ret = cr_test_restart(t2, fd2, &s->tl);
	if (ret)
		fail_msg("second restore: %d: %s", ret, s->tl.last);
	assert_int_equal(mock_check_balanced(t2, why, sizeof(why)), 0);
	cr_test_assert_same_mm(s->src, t2);
	cr_test_assert_same_mm(t1, t2);
	/* the same private pages, no more: restoring made none of its own */
	assert_int_equal(cr_test_image_size(fd2), cr_test_image_size(s->fd));
	mock_mm_free(t2);
	mock_mm_free(t1);
	close(fd2);
}

static void test_checkpoint_saves_only_private_pages(void **state)
{
	struct rt_state *s = *state;
	u64 addrs[32];
	unsigned long nr, i;

	nr = image_page_addrs(s->fd, addrs, ARRAY_SIZE(addrs));
	assert_int_equal(nr, ARRAY_SIZE(std_private_pages));
	for (i = 0; i < nr; i++)
		assert_int_equal(addrs[i], std_private_pages[i]);
	/* the clean pages of the exe, text and data, are not there */
	for (i = 0; i < nr; i++) {
		assert_false(addrs[i] >= 0x400000 && addrs[i] < 0x402000);
		assert_int_not_equal(addrs[i], 0x403000);
	}
}

/* Checkpoint @t with a context of our own, to read ctx.nr_pages. */
static int checkpoint_counting(struct cr_target *t, int fd,
			       struct cr_test_log *tl, u64 *nr_pages)
{
	struct cr_ctx ctx;
	int ret;

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, &mock_kops, t, &tl->log);
	if (!ret)
		ret = cr_checkpoint(&ctx);
	*nr_pages = ctx.nr_pages;
	cr_ctx_fini(&ctx);
	assert_int_equal(ctx.hbuf_gets, 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return ret;
}

#define SPARSE_START	0x10000000UL
#define SPARSE_PAGES	4096UL

/* 4096 pages mapped, 3 written: 3 pages in the image, not 4096. */
/*
 * A read-only MAP_SHARED view of a file (glibc's gconv-modules.cache) is
 * saved with no pages and comes back shared, with the file's bytes. 2008
 * let it reach a BUG_ON (defect 15); crrun refused it until it was seen in
 * every UTF-8 process.
 */
static void test_roundtrip_keeps_a_read_only_shared_file_view(void **state)
{
	struct cr_target *src = cr_test_mock_process(), *dst;
	struct cr_vma_info *vma;
	struct cr_test_log tl;
	struct cr_file_id id;
	struct cr_file *file;
	u8 want[PAGE_SIZE], got[PAGE_SIZE];
	u64 nr_pages = 0;
	int fd = cr_test_image_fd();
	long ret;
	int i;

	cr_test_log_init(&tl);
	file = mock_kops.filp_open(src, CR_TEST_EXE, O_RDONLY, &id);
	assert_false(IS_ERR(file));
	ret = mock_kops.do_mmap(src, 0x800000, 2 * PAGE_SIZE, PROT_READ,
				MAP_SHARED | MAP_FIXED, file, 1);
	mock_kops.filp_close(src, file);
	assert_int_equal(ret, 0x800000);

	ret = checkpoint_counting(src, fd, &tl, &nr_pages);
	if (ret)
		fail_msg("checkpoint: %ld: %s", ret, tl.last);
	assert_int_equal(nr_pages, ARRAY_SIZE(std_private_pages));

	dst = cr_test_mock_empty();
	ret = cr_test_restart(dst, fd, &tl);
	if (ret)
		fail_msg("restart: %ld: %s", ret, tl.last);
	cr_test_assert_same_mm(src, dst);

	vma = malloc(sizeof(*vma));
	assert_non_null(vma);
	for (i = 0; i < mock_mm_nr_vmas(dst); i++) {
		assert_int_equal(mock_mm_vma(dst, i, vma), 0);
		if (vma->vm_start == 0x800000)
			break;
	}
	assert_int_equal(vma->vm_start, 0x800000);
	assert_true(vma->vm_flags & VM_MAYSHARE);
	assert_false(vma->vm_flags & (VM_WRITE | VM_MAYWRITE));
	assert_int_equal(mock_mm_read(src, 0x801000, want, PAGE_SIZE), 0);
	assert_int_equal(mock_mm_read(dst, 0x801000, got, PAGE_SIZE), 0);
	assert_memory_equal(want, got, PAGE_SIZE);
	free(vma);
	mock_mm_free(dst);
	mock_mm_free(src);
	close(fd);
}

static void test_checkpoint_of_sparse_vma_saves_only_the_written_pages(void **state)
{
	static const unsigned long written[] = { 0, 1777, SPARSE_PAGES - 1 };
	struct cr_target *src = cr_test_mock_process(), *t;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();
	u64 *addrs, nr_pages = 0;
	unsigned long nr, i, in_sparse = 0;
	long ret;
	char why[256];

	cr_test_log_init(&tl);
	ret = mock_kops.do_mmap(src, SPARSE_START, SPARSE_PAGES * PAGE_SIZE,
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	assert_int_equal(ret, SPARSE_START);
	for (i = 0; i < ARRAY_SIZE(written); i++) {
		u64 v = 0x5a5a0000 + i;

		assert_int_equal(mock_mm_write(src, SPARSE_START +
					       written[i] * PAGE_SIZE + 8 * i,
					       &v, sizeof(v)), 0);
	}

	ret = checkpoint_counting(src, fd, &tl, &nr_pages);
	if (ret)
		fail_msg("checkpoint: %ld: %s", ret, tl.last);
	assert_int_equal(nr_pages, ARRAY_SIZE(std_private_pages) + 3);

	addrs = calloc(64, sizeof(*addrs));
	assert_non_null(addrs);
	nr = image_page_addrs(fd, addrs, 64);
	assert_int_equal(nr, nr_pages);
	for (i = 0; i < nr; i++) {
		if (addrs[i] < SPARSE_START ||
		    addrs[i] >= SPARSE_START + SPARSE_PAGES * PAGE_SIZE)
			continue;
		assert_int_equal(addrs[i],
				 SPARSE_START + written[in_sparse] * PAGE_SIZE);
		in_sparse++;
	}
	assert_int_equal(in_sparse, 3);

	t = cr_test_mock_empty();
	ret = cr_test_restart(t, fd, &tl);
	if (ret)
		fail_msg("restore: %ld: %s", ret, tl.last);
	assert_int_equal(mock_check_balanced(t, why, sizeof(why)), 0);
	cr_test_assert_same_mm(src, t);
	/* the restore wrote 3 pages there too, and materialized no other */
	for (i = 0, in_sparse = 0; i < SPARSE_PAGES; i++)
		if (mock_mm_page_state(t, SPARSE_START + i * PAGE_SIZE) ==
		    CR_PAGE_PRIVATE)
			in_sparse++;
	assert_int_equal(in_sparse, 3);

	free(addrs);
	mock_mm_free(t);
	mock_mm_free(src);
	close(fd);
}

/*
 * The VM_* bits that mmap(2) flags give come back: MAP_GROWSDOWN,
 * MAP_NORESERVE and MAP_LOCKED (an mlock()ed buffer of a database, say).
 * cr_test_assert_same_mm() looks at rwx and growsdown only.
 */
/* What a test that may fail midway owns, freed by its teardown. */
struct owned {
	struct cr_target *t[2];
	void *mem[2];
	int fd;
};

static int owned_setup(void **state)
{
	struct owned *o = calloc(1, sizeof(*o));

	if (!o)
		return -1;
	o->fd = -1;
	*state = o;
	return 0;
}

static int owned_teardown(void **state)
{
	struct owned *o = *state;
	int i;

	for (i = 0; i < 2; i++) {
		mock_mm_free(o->t[i]);
		free(o->mem[i]);
	}
	if (o->fd >= 0)
		close(o->fd);
	free(o);
	return 0;
}

static void test_roundtrip_keeps_the_vm_flags_mmap_can_give(void **state)
{
	struct owned *o = *state;
	static const struct {
		unsigned long addr, flags, vm;
	} maps[] = {
		{ 0x20000000, MAP_NORESERVE, VM_NORESERVE },
		{ 0x20010000, MAP_LOCKED, VM_LOCKED },
	};
	const unsigned long mask = VM_READ | VM_WRITE | VM_EXEC |
				   VM_GROWSDOWN | VM_NORESERVE | VM_LOCKED;
	struct cr_target *src = o->t[0] = cr_test_mock_process(), *t;
	struct cr_vma_info *a = o->mem[0] = malloc(sizeof(*a));
	struct cr_vma_info *b = o->mem[1] = malloc(sizeof(*b));
	struct cr_test_log tl;
	int fd = o->fd = cr_test_image_fd(), i, ret;

	assert_true(a && b);
	cr_test_log_init(&tl);
	for (i = 0; i < (int)ARRAY_SIZE(maps); i++) {
		assert_int_equal(mock_kops.do_mmap(src, maps[i].addr, 4 * PAGE_SIZE,
						   PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS |
						   MAP_FIXED | maps[i].flags,
						   NULL, 0), (long)maps[i].addr);
		vma_at(src, maps[i].addr, a);
		assert_true(a->vm_flags & maps[i].vm);
	}
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	t = o->t[1] = cr_test_mock_empty();
	ret = cr_test_restart(t, fd, &tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, tl.first);
	cr_test_assert_same_mm(src, t);
	for (i = 0; mock_mm_vma(src, i, a) == 0; i++) {
		assert_int_equal(mock_mm_vma(t, i, b), 0);
		if (a->vma_type != CR_VMA_ANON && a->vma_type != CR_VMA_FILE)
			continue;
		if ((a->vm_flags & mask) != (b->vm_flags & mask))
			fail_msg("vma %#lx-%#lx: vm_flags %#lx restored as %#lx",
				 a->vm_start, a->vm_end, a->vm_flags & mask,
				 b->vm_flags & mask);
	}
}

/*
 * [vvar_vclock] is moved like [vdso] and [vvar]; [vsyscall] is the
 * kernel's, at its fixed address in every process, and left alone.
 */
#define VSYSCALL_ADDR	0xffffffffff600000UL

static void test_roundtrip_moves_vvar_vclock_and_leaves_vsyscall(void **state)
{
	struct owned *o = *state;
	struct cr_target *src = o->t[0] = cr_test_mock_process(), *t;
	struct cr_vma_info *vma = o->mem[0] = malloc(sizeof(*vma));
	struct cr_test_log tl;
	unsigned long mremaps;
	int ret;

	assert_non_null(vma);
	cr_test_log_init(&tl);
	o->fd = cr_test_image_fd();
	assert_int_equal(mock_mm_add_special(src, CR_VMA_VVAR_VCLOCK,
					     IMAGE_VDSO + 2 * PAGE_SIZE,
					     PAGE_SIZE), 0);
	assert_int_equal(mock_mm_add_special(src, CR_VMA_VSYSCALL,
					     VSYSCALL_ADDR, PAGE_SIZE), 0);
	assert_int_equal(cr_test_checkpoint(src, o->fd, &tl), 0);

	t = o->t[1] = cr_test_mock_empty();
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VVAR_VCLOCK,
					     EMPTY_OLD_VVAR + 6 * PAGE_SIZE,
					     PAGE_SIZE), 0);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VSYSCALL,
					     VSYSCALL_ADDR, PAGE_SIZE), 0);
	mremaps = mock_calls(t, MOCK_OP_DO_MREMAP);
	ret = cr_test_restart(t, o->fd, &tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, tl.first);
	cr_test_assert_same_mm(src, t);
	vma_at(t, IMAGE_VDSO + 2 * PAGE_SIZE, vma);
	assert_int_equal(vma->vma_type, CR_VMA_VVAR_VCLOCK);
	vma_at(t, VSYSCALL_ADDR, vma);
	assert_int_equal(vma->vma_type, CR_VMA_VSYSCALL);
	/* vvar, vdso and vvar_vclock moved; vsyscall not */
	assert_int_equal(mock_calls(t, MOCK_OP_DO_MREMAP) - mremaps, 3);
}

/*
 * A restore into a live process, not a fresh child: its file and anonymous
 * mappings are destroyed whatever they hold, and its specials, already
 * where the image has them, stay (no mremap).
 */
static void test_roundtrip_over_a_live_process_replaces_its_mappings(void **state)
{
	struct owned *o = *state;
	struct cr_target *src = o->t[0] = cr_test_mock_process(), *t;
	struct cr_file_id id;
	struct cr_file *exe;
	struct cr_test_log tl;
	unsigned long mremaps;
	u8 junk[64];
	int ret;

	cr_test_log_init(&tl);
	o->fd = cr_test_image_fd();
	assert_int_equal(cr_test_checkpoint(src, o->fd, &tl), 0);

	t = o->t[1] = cr_test_mock_process();
	memset(junk, 0xee, sizeof(junk));
	assert_int_equal(mock_mm_write(t, 0x600000, junk, sizeof(junk)), 0);
	assert_int_equal(mock_mm_write(t, 0x402000, junk, sizeof(junk)), 0);
	exe = mock_kops.filp_open(t, CR_TEST_EXE, O_RDONLY, &id);
	assert_false(IS_ERR(exe));
	assert_int_equal(mock_kops.do_mmap(t, 0x800000, PAGE_SIZE, PROT_READ,
					   MAP_PRIVATE | MAP_FIXED, exe, 1),
			 0x800000);
	mock_kops.filp_close(t, exe);
	mremaps = mock_calls(t, MOCK_OP_DO_MREMAP);

	ret = cr_test_restart(t, o->fd, &tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, tl.first);
	cr_test_assert_same_process(src, t);
	assert_int_equal(mock_calls(t, MOCK_OP_DO_MREMAP), mremaps);
	assert_int_equal(mock_mm_read(t, 0x800000, junk, 1), -EFAULT);
}

/* get_mm_map of a process whose exe link cannot be read: "" */
static int no_exe_get_mm_map(struct cr_target *t, struct cr_mm_map *map,
			     char *exe, size_t len)
{
	int ret = mock_kops.get_mm_map(t, map, exe, len);

	if (!ret && exe)
		exe[0] = '\0';
	return ret;
}

/* No exe link: none in the image (no fname), none set on restore. */
static void test_roundtrip_of_a_process_without_exe_link(void **state)
{
	struct owned *o = *state;
	struct cr_target *src = o->t[0] = cr_test_mock_process(), *t;
	struct cr_mm_map *map = o->mem[0] = calloc(1, sizeof(*map));
	char *exe = o->mem[1] = calloc(1, CR_FNAME_MAX);
	struct cr_kops kops = mock_kops;
	struct cr_hdr_mm mm;
	struct cr_layout lay;
	struct cr_test_log tl;
	struct cr_ctx ctx;
	int ret;

	assert_true(map && exe);
	cr_test_log_init(&tl);
	o->fd = cr_test_image_fd();
	kops.get_mm_map = no_exe_get_mm_map;
	assert_int_equal(cr_ctx_init(&ctx, CR_CTX_CKPT, o->fd, &kops, src,
				     &tl.log), 0);
	ret = cr_checkpoint(&ctx);
	cr_ctx_fini(&ctx);
	assert_int_equal(ret, 0);
	cr_test_pread(o->fd, cr_test_find_obj(o->fd, CR_HDR_MM, 0) +
		      sizeof(struct cr_hdr), &mm, sizeof(mm));
	assert_int_equal(mm.exe_fname, 0);

	assert_int_equal(lseek(o->fd, 0, SEEK_SET), 0);
	assert_int_equal(cr_image_layout(o->fd, &tl.log, &lay), 0);
	assert_int_equal(lay.nr_vmas, 8);
	cr_layout_free(&lay);

	t = o->t[1] = cr_test_mock_empty();
	ret = cr_test_restart(t, o->fd, &tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, tl.first);
	cr_test_assert_same_mm(src, t);
	assert_int_equal(mock_kops.get_mm_map(t, map, exe, CR_FNAME_MAX), 0);
	assert_string_equal(exe, "");
	assert_int_equal(map->start_code, 0x400000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_restores_layout_protections_and_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_drops_the_targets_old_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_moves_vdso_and_vvar_to_the_images_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_restores_mm_fields_auxv_and_exe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_restores_ldt_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_restores_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_same_image_restores_twice_alike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_restored_target_checkpoints_to_the_same_mm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_saves_only_private_pages, setup, teardown),
		cmocka_unit_test(test_checkpoint_of_sparse_vma_saves_only_the_written_pages),
		cmocka_unit_test(test_roundtrip_keeps_a_read_only_shared_file_view),
		cmocka_unit_test_setup_teardown(test_roundtrip_keeps_the_vm_flags_mmap_can_give, owned_setup, owned_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_moves_vvar_vclock_and_leaves_vsyscall, owned_setup, owned_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_over_a_live_process_replaces_its_mappings, owned_setup, owned_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_of_a_process_without_exe_link, owned_setup, owned_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
