// SPDX-License-Identifier: GPL-2.0
/*
 * core/mm/ckpt_mem.c: what cr_write_mm_head() and cr_write_mm_vmas() put
 * into the image, and what they refuse to. The standard mock process (cr_test.h has its picture) is the
 * base; a test adds what it needs.
 *
 * The mock refuses to map MAP_SHARED (the engine never does), so a shared
 * VMA is shown to the engine through a kops table of our own: mock_kops
 * with ->find_vma() wrapped to add VM_SHARED or VM_MAYSHARE to the VMA at
 * one address (see struct kops_lie).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "tests/unit/cr_test.h"
#include "core/cr.h"
#include "core/mm/mm.h"
#include "core/mm/pgarr.h"
#include "core/mm/vma_flags.h"

#define IMAGE_VDSO	0x7ffff7fc4000UL
#define IMAGE_VVAR	0x7ffff7fc0000UL
#define BIG_START	0x10000000UL
#define BIG_PAGES	(2 * CR_PGARR_CHUNK + 17)

static void assert_balanced(struct cr_target *t)
{
	char why[512];

	if (mock_check_balanced(t, why, sizeof(why)))
		fail_msg("not balanced: %s", why);
}

/*
 * What the wrapped kops say that the mock does not: extra vm_flags for the
 * VMA at @addr, a VMA type of our choosing, or a VMA that shows up only
 * from the second walk over the address space on (or only in the first).
 */
static struct kops_lie {
	unsigned long addr;		/* the VMA lied about, by vm_start */
	unsigned long add_flags;
	u32 vma_type;			/* 0: keep the mock's */
	bool hide_until_second_walk;
	bool hide_from_second_walk;
	unsigned int walks;		/* walks that ended with -ENOENT */
} lie;

static int lying_find_vma(struct cr_target *t, unsigned long addr,
			  struct cr_vma_info *vma)
{
	int ret = mock_kops.find_vma(t, addr, vma);

	if (!ret && vma->vm_start == lie.addr &&
	    ((lie.hide_until_second_walk && !lie.walks) ||
	     (lie.hide_from_second_walk && lie.walks)))
		ret = mock_kops.find_vma(t, vma->vm_end, vma);
	if (ret == -ENOENT)
		lie.walks++;
	if (ret < 0)
		return ret;
	if (vma->vm_start == lie.addr) {
		vma->vm_flags |= lie.add_flags;
		if (lie.vma_type)
			vma->vma_type = lie.vma_type;
	}
	return 0;
}

static struct cr_kops lying_kops;

static const struct cr_kops *lying(void)
{
	lying_kops = mock_kops;
	lying_kops.find_vma = lying_find_vma;
	return &lying_kops;
}

/*
 * Run cr_write_mm_head() and cr_write_mm_vmas() alone on @t, as
 * cr_checkpoint() would after the task object; @pos_moved says whether
 * they wrote anything.
 */
static int write_mm_only(struct cr_target *t, const struct cr_kops *kops,
			 struct cr_test_log *tl, bool *pos_moved)
{
	struct cr_ctx ctx;
	int fd = cr_test_image_fd(), ret;
	u32 map_count = 0;
	u64 pos;

	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, kops, t, &tl->log);
	assert_int_equal(ret, 0);
	ctx.objref = CR_TEST_PID;
	pos = ctx.pos;
	ret = cr_write_mm_head(&ctx, &map_count);
	if (!ret)
		ret = cr_write_mm_vmas(&ctx, map_count);
	*pos_moved = ctx.pos != pos;
	cr_ctx_fini(&ctx);
	assert_int_equal(ctx.hbuf_gets, 0);
	close(fd);
	return ret;
}

/* A whole checkpoint through @kops. */
static int checkpoint_with(struct cr_target *t, int fd,
			   const struct cr_kops *kops, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, kops, t, &tl->log);
	if (!ret)
		ret = cr_checkpoint(&ctx);
	cr_ctx_fini(&ctx);
	mock_mm_release(t);	/* as the CLI lets go of the process */
	assert_int_equal(ctx.hbuf_gets, 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return ret;
}

/* The image offset of the VMA object for [@start, ...), or fail. */
static long find_vma_obj(int fd, unsigned long start, unsigned int *nth,
			 struct cr_hdr_vma *out)
{
	struct cr_hdr_vma hv;
	unsigned int n;
	long off;

	for (n = 0; (off = cr_test_find_obj(fd, CR_HDR_VMA, n)) >= 0; n++) {
		cr_test_pread(fd, off + sizeof(struct cr_hdr), &hv, sizeof(hv));
		if (hv.vm_start != start)
			continue;
		if (nth)
			*nth = n;
		if (out)
			*out = hv;
		return off;
	}
	fail_msg("no VMA object for %#lx in the image", start);
	return -1;
}

/* The type of the object right after the one at @off (not after pgarrs). */
static u32 next_obj_type(int fd, long off)
{
	struct cr_hdr h;

	cr_test_pread(fd, off, &h, sizeof(h));
	cr_test_pread(fd, off + sizeof(h) + h.len, &h, sizeof(h));
	return h.type;
}

/*
 * A VMA with 2 * CR_PGARR_CHUNK + 17 private pages is saved as batches of
 * CHUNK, CHUNK, 17 and the closing 0. The 2008 loop never reset its count
 * after a batch (defect 5 of LINUX-CR.md): its headers said CHUNK, 2*CHUNK,
 * 2*CHUNK+17 while fewer addresses followed, and the image could not be
 * read back.
 */
static void test_write_mm_resets_batch_count_after_each_chunk(void **state)
{
	static const u64 expect[] = { CR_PGARR_CHUNK, CR_PGARR_CHUNK, 17, 0 };
	struct cr_target *src = cr_test_mock_process(), *t;
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), ret;
	unsigned int nvma, i, n;
	long vma_off, next_vma_off, off;
	u64 *addrs, want;

	cr_test_log_init(&tl);
	assert_int_equal(mock_kops.do_mmap(src, BIG_START, BIG_PAGES * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   NULL, 0), (long)BIG_START);
	for (i = 0; i < BIG_PAGES; i++) {
		u64 v = 0xb16b00b5ULL << 16 | i;

		assert_int_equal(mock_mm_write(src, BIG_START + i * PAGE_SIZE +
					       (i % 500) * 8, &v, sizeof(v)), 0);
	}
	ret = cr_test_checkpoint(src, fd, &tl);
	if (ret)
		fail_msg("checkpoint: %d: %s", ret, tl.last);
	assert_balanced(src);

	vma_off = find_vma_obj(fd, BIG_START, &nvma, NULL);
	next_vma_off = cr_test_find_obj(fd, CR_HDR_VMA, nvma + 1);
	assert_true(next_vma_off > vma_off);

	addrs = malloc(CR_PGARR_CHUNK * sizeof(*addrs));
	assert_non_null(addrs);
	for (n = 0; (off = cr_test_find_obj(fd, CR_HDR_PGARR, n)) >= 0; n++)
		if (off > vma_off)
			break;
	want = BIG_START;
	for (i = 0; i < ARRAY_SIZE(expect); i++, n++) {
		struct cr_hdr h;
		struct cr_hdr_pgarr p;
		unsigned int j;

		off = cr_test_find_obj(fd, CR_HDR_PGARR, n);
		assert_true(off > vma_off && off < next_vma_off);
		cr_test_pread(fd, off, &h, sizeof(h));
		cr_test_pread(fd, off + sizeof(h), &p, sizeof(p));
		assert_int_equal(p.nr_pages, expect[i]);
		assert_int_equal(h.len, sizeof(p) + p.nr_pages * sizeof(u64));
		/* every batch carries its own addresses, in order */
		cr_test_pread(fd, off + sizeof(h) + sizeof(p), addrs,
			      p.nr_pages * sizeof(u64));
		for (j = 0; j < p.nr_pages; j++, want += PAGE_SIZE)
			assert_int_equal(addrs[j], want);
	}
	assert_int_equal(want, BIG_START + BIG_PAGES * PAGE_SIZE);
	/* the closing batch was the VMA's last object */
	off = cr_test_find_obj(fd, CR_HDR_PGARR, n);
	assert_true(off < 0 || off > next_vma_off);
	free(addrs);

	/* and the image reads back */
	t = cr_test_mock_empty();
	ret = cr_test_restart(t, fd, &tl);
	if (ret)
		fail_msg("restore: %d: %s", ret, tl.last);
	assert_balanced(t);
	cr_test_assert_same_mm(src, t);
	mock_mm_free(t);
	mock_mm_free(src);
	close(fd);
}

/* A batch exactly CHUNK pages long is followed by the end, not by an empty batch. */
static void test_write_mm_exactly_one_chunk_gives_one_batch_and_the_end(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	int fd = cr_test_image_fd(), ret;
	unsigned int n, nvma;
	long vma_off, off;
	struct cr_hdr_pgarr p;
	unsigned long i;

	cr_test_log_init(&tl);
	assert_int_equal(mock_kops.do_mmap(src, BIG_START,
					   CR_PGARR_CHUNK * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   NULL, 0), (long)BIG_START);
	for (i = 0; i < CR_PGARR_CHUNK; i++)
		assert_int_equal(mock_mm_write(src, BIG_START + i * PAGE_SIZE,
					       &i, sizeof(i)), 0);
	ret = cr_test_checkpoint(src, fd, &tl);
	assert_int_equal(ret, 0);
	vma_off = find_vma_obj(fd, BIG_START, &nvma, NULL);
	for (n = 0; (off = cr_test_find_obj(fd, CR_HDR_PGARR, n)) >= 0; n++)
		if (off > vma_off)
			break;
	cr_test_pread(fd, off + sizeof(struct cr_hdr), &p, sizeof(p));
	assert_int_equal(p.nr_pages, CR_PGARR_CHUNK);
	off = cr_test_find_obj(fd, CR_HDR_PGARR, n + 1);
	cr_test_pread(fd, off + sizeof(struct cr_hdr), &p, sizeof(p));
	assert_int_equal(p.nr_pages, 0);
	assert_int_equal(next_obj_type(fd, off), CR_HDR_VMA);
	mock_mm_free(src);
	close(fd);
}

/* Refused with -ENOSYS before anything of the mm is written, naming it. */
static void assert_shared_refused(unsigned long addr, unsigned long flag,
				  const char *name)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	bool moved = true;
	char want[64];
	int fd, ret;

	cr_test_log_init(&tl);
	memset(&lie, 0, sizeof(lie));
	lie.addr = addr;
	lie.add_flags = flag;

	ret = write_mm_only(src, lying(), &tl, &moved);
	assert_int_equal(ret, -ENOSYS);
	assert_false(moved);
	snprintf(want, sizeof(want), "vma %#lx-", addr);
	if (!strstr(tl.last, want) || !strstr(tl.last, "shared") ||
	    (name && !strstr(tl.last, name)))
		fail_msg("message does not name the VMA: %s", tl.last);
	/* refused on the first walk: no page was looked at */
	assert_int_equal(mock_calls(src, MOCK_OP_PAGE_STATE), 0);
	assert_int_equal(mock_calls(src, MOCK_OP_GET_USER_PAGES), 0);
	assert_balanced(src);

	/* and the whole checkpoint fails the same way */
	fd = cr_test_image_fd();
	assert_int_equal(checkpoint_with(src, fd, lying(), &tl), -ENOSYS);
	assert_int_equal(cr_test_find_obj(fd, CR_HDR_MM, 0), -1);
	assert_balanced(src);
	close(fd);
	mock_mm_free(src);
}

static void test_write_mm_refuses_vm_shared_anon_before_writing(void **state)
{
	assert_shared_refused(0x600000, VM_SHARED | VM_MAYSHARE, NULL);
}

/*
 * A read-only MAP_SHARED file mapping has VM_MAYSHARE without VM_SHARED:
 * 2008 let it through to a BUG_ON (defect 15).
 */
static void test_write_mm_refuses_vm_mayshare_file_before_writing(void **state)
{
	assert_shared_refused(0x400000, VM_MAYSHARE, CR_TEST_EXE);
}

static void test_write_mm_refuses_unknown_vma_kind(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	bool moved = true;

	cr_test_log_init(&tl);
	memset(&lie, 0, sizeof(lie));
	lie.addr = 0x700000;
	lie.vma_type = 0x55;
	assert_int_equal(write_mm_only(src, lying(), &tl, &moved), -EINVAL);
	assert_false(moved);
	assert_non_null(strstr(tl.last, "vma 0x700000-"));
	assert_non_null(strstr(tl.last, "unknown kind"));
	mock_mm_free(src);
}

/* The count of the first walk is what the mm header says: a VMA that
 * shows up in the second walk is an error, not a corrupt image. */
static void test_write_mm_refuses_vma_appearing_while_saving(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	bool moved;

	cr_test_log_init(&tl);
	memset(&lie, 0, sizeof(lie));
	lie.addr = 0x700000;
	lie.hide_until_second_walk = true;
	assert_int_equal(write_mm_only(src, lying(), &tl, &moved), -EAGAIN);
	assert_non_null(strstr(tl.last, "appeared"));
	assert_balanced(src);
	mock_mm_free(src);
}

/* The mirror image: a VMA unmapped between the count and the writing. */
static void test_write_mm_refuses_vma_vanishing_while_saving(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	bool moved;

	cr_test_log_init(&tl);
	memset(&lie, 0, sizeof(lie));
	lie.addr = 0x700000;
	lie.hide_from_second_walk = true;
	assert_int_equal(write_mm_only(src, lying(), &tl, &moved), -EAGAIN);
	assert_non_null(strstr(tl.last, "vanished"));
	assert_balanced(src);
	mock_mm_free(src);
}

/* find_vma of a process with a one-page VMA at every other page */
#define ENDLESS_BASE	0x100000000UL

static int endless_find_vma(struct cr_target *t, unsigned long addr,
			    struct cr_vma_info *vma)
{
	unsigned long start = max(PAGE_ALIGN(addr), ENDLESS_BASE);

	if (start >= ENDLESS_BASE + 2 * (CR_MAP_COUNT_MAX + 10) * PAGE_SIZE)
		return -ENOENT;
	start = ENDLESS_BASE + ALIGN(start - ENDLESS_BASE, 2 * PAGE_SIZE);
	memset(vma, 0, sizeof(*vma));
	vma->vm_start = start;
	vma->vm_end = start + PAGE_SIZE;
	vma->vm_flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;
	vma->vma_type = CR_VMA_ANON;
	return 0;
}

/*
 * More VMAs than vm.max_map_count allows, which a restore would refuse
 * (cr_check_mm): refused at the count, before anything is written.
 */
static void test_write_mm_refuses_more_vmas_than_an_image_holds(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_kops kops = mock_kops;
	struct cr_test_log tl;
	bool moved = true;

	cr_test_log_init(&tl);
	kops.find_vma = endless_find_vma;
	assert_int_equal(write_mm_only(src, &kops, &tl, &moved), -ENOSYS);
	assert_false(moved);
	assert_non_null(strstr(tl.last, "more than 65530 VMAs"));
	mock_mm_free(src);
}

static u32 bad_nr_auxv;

static int bad_auxv_get_mm_map(struct cr_target *t, struct cr_mm_map *map,
			       char *exe, size_t len)
{
	int ret = mock_kops.get_mm_map(t, map, exe, len);

	map->nr_auxv = bad_nr_auxv;
	return ret;
}

/* A saved auxv the restore would refuse (odd, or too long) is not written. */
static void test_write_mm_refuses_a_saved_auxv_the_restore_would(void **state)
{
	static const u32 bad[] = { 5, CR_AUXV_MAX + 2 };
	struct cr_target *src = cr_test_mock_process();
	struct cr_kops kops = mock_kops;
	struct cr_test_log tl;
	char want[32];
	bool moved = true;
	unsigned int i;

	kops.get_mm_map = bad_auxv_get_mm_map;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		cr_test_log_init(&tl);
		bad_nr_auxv = bad[i];
		assert_int_equal(write_mm_only(src, &kops, &tl, &moved),
				 -EINVAL);
		assert_false(moved);
		snprintf(want, sizeof(want), "auxv of %u words", bad[i]);
		assert_non_null(strstr(tl.last, want));
	}
	mock_mm_free(src);
}

/*
 * The image file hits its size limit (RLIMIT_FSIZE: write(2) fails with
 * -EFBIG) in the middle of a batch, with the rest of its page array still
 * pinned: the checkpoint fails with -EFBIG and every pin is put. The
 * limits fall in the first batch, the second and the last.
 */
static void test_write_mm_puts_every_pin_when_the_image_write_fails_mid_batch(void **state)
{
	static const rlim_t limits[] = { 1 << 20, 9 << 20, 16 << 20 };
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	struct rlimit old, lim;
	void (*old_handler)(int);
	unsigned long pages, i;
	int fd = cr_test_image_fd(), ret;

	assert_int_equal(mock_kops.do_mmap(src, BIG_START, BIG_PAGES * PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   NULL, 0), (long)BIG_START);
	for (i = 0; i < BIG_PAGES; i++)
		assert_int_equal(mock_mm_write(src, BIG_START + i * PAGE_SIZE,
					       &i, sizeof(i)), 0);
	pages = mock_mm_nr_pages(src);
	/* the image is larger than the largest limit */
	assert_true(BIG_PAGES * PAGE_SIZE > limits[ARRAY_SIZE(limits) - 1]);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	old_handler = signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		cr_test_log_init(&tl);
		lim.rlim_cur = limits[i];
		lim.rlim_max = old.rlim_max;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		ret = cr_test_checkpoint(src, fd, &tl);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		if (ret != -EFBIG)
			fail_msg("limit %lu: checkpoint gave %d, not -EFBIG",
				 (unsigned long)limits[i], ret);
		assert_balanced(src);
		assert_int_equal(mock_mm_nr_pages(src), pages);
	}
	signal(SIGXFSZ, old_handler);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	close(fd);
	mock_mm_free(src);
}

/*
 * The vdso is recorded as what it is, with no pages: 2008 dumped it as
 * anonymous memory, the old kernel's code and all (defect 12). The vvar
 * likewise.
 */
static void test_write_mm_records_vdso_and_vvar_without_pages(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	struct cr_hdr_vma hv;
	int fd = cr_test_image_fd();
	long off;
	u8 code[64];

	cr_test_log_init(&tl);
	/* the vdso has bytes: a dump as anonymous memory would save them */
	memset(code, 0xc3, sizeof(code));
	assert_int_equal(mock_mm_write(src, IMAGE_VDSO, code, sizeof(code)), 0);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);

	off = find_vma_obj(fd, IMAGE_VDSO, NULL, &hv);
	assert_int_equal(hv.vma_type, CR_VMA_VDSO);
	assert_int_equal(hv.vm_end, IMAGE_VDSO + 2 * PAGE_SIZE);
	assert_int_equal(hv.vm_pgoff, 0);
	assert_int_equal(hv.f_ino, 0);
	/* no pgarr, no fname: the next object is the next VMA or the LDT */
	assert_int_not_equal(next_obj_type(fd, off), CR_HDR_PGARR);
	assert_int_not_equal(next_obj_type(fd, off), CR_HDR_FNAME);

	off = find_vma_obj(fd, IMAGE_VVAR, NULL, &hv);
	assert_int_equal(hv.vma_type, CR_VMA_VVAR);
	assert_int_equal(next_obj_type(fd, off), CR_HDR_VMA);
	mock_mm_free(src);
	close(fd);
}

/*
 * The file of a private file mapping is recorded by path and identity
 * (dev, inode, size, mtime), so that restore can refuse a file that
 * changed: 2008 recorded the path only (defect 17).
 */
static void test_write_mm_records_file_identity_and_path(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	struct cr_hdr_vma hv;
	struct cr_hdr h;
	char name[sizeof(CR_TEST_EXE)];
	int fd = cr_test_image_fd();
	long off;

	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);

	off = find_vma_obj(fd, 0x402000, NULL, &hv);
	assert_int_equal(hv.vma_type, CR_VMA_FILE);
	assert_int_equal(hv.vm_pgoff, 2);
	assert_int_equal(hv.f_dev, 0x801);
	assert_int_equal(hv.f_ino, 777);
	assert_int_equal(hv.f_size, 4 * PAGE_SIZE);
	assert_int_equal(hv.f_mtime_ns, 1700000000123456789ULL);
	assert_int_equal(hv.vm_flags & (VM_READ | VM_WRITE | VM_EXEC |
					VM_SHARED | VM_MAYSHARE),
			 VM_READ | VM_WRITE);

	/* the path follows, NUL-terminated */
	cr_test_pread(fd, off, &h, sizeof(h));
	off += sizeof(h) + h.len;
	cr_test_pread(fd, off, &h, sizeof(h));
	assert_int_equal(h.type, CR_HDR_FNAME);
	assert_int_equal(h.len, sizeof(name));
	cr_test_pread(fd, off + sizeof(h), name, sizeof(name));
	assert_string_equal(name, CR_TEST_EXE);

	/* an anonymous VMA carries no file identity */
	find_vma_obj(fd, 0x600000, NULL, &hv);
	assert_int_equal(hv.vma_type, CR_VMA_ANON);
	assert_int_equal(hv.f_dev | hv.f_ino | hv.f_size | hv.f_mtime_ns |
			 hv.vm_pgoff, 0);
	mock_mm_free(src);
	close(fd);
}

#define SHIM_ADDR	0x7ffff7ff0000UL

/*
 * The shim's own mapping (the injection page of shim/linux) is not the
 * process's: it is neither saved nor touched; the mock records any kops
 * call aimed at it as MOCK_MISUSE_SHIM.
 */
static void test_write_mm_skips_the_shims_vma(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_test_log tl;
	struct cr_hdr_mm hm;
	struct cr_hdr_vma hv;
	int fd = cr_test_image_fd(), nvmas;
	unsigned int n;
	long off;

	cr_test_log_init(&tl);
	nvmas = mock_mm_nr_vmas(src);
	assert_int_equal(mock_mm_add_special(src, CR_VMA_SHIM, SHIM_ADDR,
					     PAGE_SIZE), 0);
	assert_int_equal(mock_mm_write(src, SHIM_ADDR, "syscall", 8), 0);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_int_equal(mock_misuse_count(src, MOCK_MISUSE_SHIM), 0);
	assert_balanced(src);

	off = cr_test_find_obj(fd, CR_HDR_MM, 0);
	assert_true(off > 0);
	cr_test_pread(fd, off + sizeof(struct cr_hdr), &hm, sizeof(hm));
	assert_int_equal(hm.map_count, nvmas);
	for (n = 0; (off = cr_test_find_obj(fd, CR_HDR_VMA, n)) >= 0; n++) {
		cr_test_pread(fd, off + sizeof(struct cr_hdr), &hv, sizeof(hv));
		assert_false(hv.vm_start <= SHIM_ADDR && SHIM_ADDR < hv.vm_end);
	}
	assert_int_equal(n, nvmas);
	mock_mm_free(src);
	close(fd);
}

#define HUGE_START	0x200000000000UL
#define HUGE_LEN	(64UL << 30)

/* The standard process, and a 64 GiB VMA holding three pages. */
static struct cr_target *huge_sparse_process(void)
{
	static const unsigned long at[] = {
		0, (HUGE_LEN / 2) + 5 * PAGE_SIZE, HUGE_LEN - PAGE_SIZE,
	};
	struct cr_target *t = cr_test_mock_process();
	unsigned long i;

	assert_int_equal(mock_kops.do_mmap(t, HUGE_START, HUGE_LEN,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
					   NULL, 0), (long)HUGE_START);
	for (i = 0; i < ARRAY_SIZE(at); i++)
		assert_int_equal(mock_mm_write(t, HUGE_START + at[i], &i,
					       sizeof(i)), 0);
	return t;
}

static struct cr_kops plain_kops;

/* mock_kops without ->next_page: every window of every VMA is asked. */
static const struct cr_kops *without_next_page(void)
{
	plain_kops = mock_kops;
	plain_kops.next_page = NULL;
	return &plain_kops;
}

/*
 * A mapping costs what it holds, not its size: with ->next_page the states
 * of a 64 GiB VMA holding three pages are asked three times, not once for
 * each of its 8192 windows, and the image is the same byte for byte.
 */
static void test_write_mm_asks_page_states_only_where_pages_are(void **state)
{
	struct cr_target *base = cr_test_mock_process();
	struct cr_target *src = huge_sparse_process();
	struct cr_target *slow = huge_sparse_process();
	int fd = cr_test_image_fd(), fd_slow = cr_test_image_fd();
	unsigned long base_calls, calls;
	struct cr_test_log tl;

	cr_test_log_init(&tl);
	assert_int_equal(checkpoint_with(base, fd, &mock_kops, &tl), 0);
	base_calls = mock_calls(base, MOCK_OP_PAGE_STATE);

	assert_int_equal(checkpoint_with(src, fd, &mock_kops, &tl), 0);
	calls = mock_calls(src, MOCK_OP_PAGE_STATE);
	assert_int_equal(calls, base_calls + 3);
	assert_balanced(src);

	assert_int_equal(checkpoint_with(slow, fd_slow, without_next_page(),
					 &tl), 0);
	assert_true(mock_calls(slow, MOCK_OP_PAGE_STATE) >=
		    HUGE_LEN / PAGE_SIZE / CR_PGARR_CHUNK);
	assert_int_equal(mock_calls(slow, MOCK_OP_NEXT_PAGE), 0);
	cr_test_assert_same_image(fd, fd_slow);

	mock_mm_free(slow);
	mock_mm_free(src);
	mock_mm_free(base);
	close(fd_slow);
	close(fd);
}

/* How ->next_page lies: 0 as the mock, else below, past, or unaligned. */
static int next_page_lie;

static long lying_next_page(struct cr_target *t, unsigned long addr,
			    unsigned long end)
{
	long next = mock_kops.next_page(t, addr, end);

	if (next < 0 || next == (long)end)
		return next;
	switch (next_page_lie) {
	case 1:
		return addr - PAGE_SIZE;
	case 2:
		return end + PAGE_SIZE;
	case 3:
		return next + 8;
	}
	return next;
}

/*
 * A shim's ->next_page outside [addr, end], or not on a page, is refused
 * (-EPROTO, the VMA named) rather than trusted to skip or repeat pages.
 */
static void test_write_mm_refuses_a_next_page_outside_the_range(void **state)
{
	struct cr_target *src;
	struct cr_kops k = mock_kops;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	k.next_page = lying_next_page;
	for (next_page_lie = 1; next_page_lie <= 3; next_page_lie++) {
		src = huge_sparse_process();
		cr_test_log_init(&tl);
		assert_int_equal(checkpoint_with(src, fd, &k, &tl), -EPROTO);
		if (!strstr(tl.last, "next page"))
			fail_msg("message does not say what failed: %s",
				 tl.last);
		assert_balanced(src);
		mock_mm_free(src);
	}
	close(fd);
}

/*
 * kunmap takes what kmap returned: the seed gave it the page (defect 1).
 * The mock records any other pointer as MOCK_MISUSE_KUNMAP.
 */
static void test_kunmap_gets_the_kmapped_pointer_on_checkpoint_and_restore(void **state)
{
	struct cr_target *src = cr_test_mock_process(), *t;
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_true(mock_calls(src, MOCK_OP_KMAP) > 0);
	assert_int_equal(mock_calls(src, MOCK_OP_KMAP),
			 mock_calls(src, MOCK_OP_KUNMAP));
	assert_int_equal(mock_misuse_count(src, MOCK_MISUSE_KUNMAP), 0);
	assert_int_equal(mock_misuse_count(src, MOCK_MISUSE_KMAP), 0);
	assert_balanced(src);

	t = cr_test_mock_empty();
	assert_int_equal(cr_test_restart(t, fd, &tl), 0);
	assert_true(mock_calls(t, MOCK_OP_KMAP) > 0);
	assert_int_equal(mock_calls(t, MOCK_OP_KMAP),
			 mock_calls(t, MOCK_OP_KUNMAP));
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KUNMAP), 0);
	assert_int_equal(mock_misuse_count(t, MOCK_MISUSE_KMAP), 0);
	assert_balanced(t);
	mock_mm_free(t);
	mock_mm_free(src);
	close(fd);
}

/*
 * Checkpoint reads: the source is left as it was, page states included
 * (a clean file page must not become private by being looked at), and no
 * page changed under a read pin (MOCK_MISUSE_RO_WRITE).
 */
static void test_checkpoint_leaves_the_source_unchanged(void **state)
{
	struct cr_target *src = cr_test_mock_process();
	struct cr_target *twin = cr_test_mock_process();
	struct cr_test_log tl;
	int fd = cr_test_image_fd();

	cr_test_log_init(&tl);
	assert_int_equal(cr_test_checkpoint(src, fd, &tl), 0);
	assert_balanced(src);
	cr_test_assert_same_mm(src, twin);
	assert_int_equal(mock_mm_nr_pages(src), mock_mm_nr_pages(twin));
	assert_int_equal(mock_mm_page_state(src, 0x403000), CR_PAGE_NONE);
	assert_int_equal(mock_mm_page_state(src, 0x400000), CR_PAGE_NONE);
	mock_mm_free(twin);
	mock_mm_free(src);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_mm_resets_batch_count_after_each_chunk),
		cmocka_unit_test(test_write_mm_exactly_one_chunk_gives_one_batch_and_the_end),
		cmocka_unit_test(test_write_mm_refuses_vm_shared_anon_before_writing),
		cmocka_unit_test(test_write_mm_refuses_vm_mayshare_file_before_writing),
		cmocka_unit_test(test_write_mm_refuses_unknown_vma_kind),
		cmocka_unit_test(test_write_mm_refuses_vma_appearing_while_saving),
		cmocka_unit_test(test_write_mm_refuses_vma_vanishing_while_saving),
		cmocka_unit_test(test_write_mm_refuses_more_vmas_than_an_image_holds),
		cmocka_unit_test(test_write_mm_refuses_a_saved_auxv_the_restore_would),
		cmocka_unit_test(test_write_mm_puts_every_pin_when_the_image_write_fails_mid_batch),
		cmocka_unit_test(test_write_mm_records_vdso_and_vvar_without_pages),
		cmocka_unit_test(test_write_mm_records_file_identity_and_path),
		cmocka_unit_test(test_write_mm_skips_the_shims_vma),
		cmocka_unit_test(test_write_mm_asks_page_states_only_where_pages_are),
		cmocka_unit_test(test_write_mm_refuses_a_next_page_outside_the_range),
		cmocka_unit_test(test_kunmap_gets_the_kmapped_pointer_on_checkpoint_and_restore),
		cmocka_unit_test(test_checkpoint_leaves_the_source_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
