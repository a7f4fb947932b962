// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers of the engine's unit tests (see cr_test.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <asm/ldt.h>

#include "tests/unit/cr_test.h"
#include "core/arch.h"
#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/vma_flags.h"
#include "arch/x86/regs.h"

static void cr_test_log_emit(void *priv, int level, const char *msg)
{
	struct cr_test_log *tl = priv;

	if (level != CR_LOG_ERR)
		return;
	if (!tl->nr_err++)
		snprintf(tl->first, sizeof(tl->first), "%s", msg);
	snprintf(tl->last, sizeof(tl->last), "%s", msg);
	if (getenv("CR_TEST_VERBOSE"))
		fprintf(stderr, "  log: %s\n", msg);
}

void cr_test_log_init(struct cr_test_log *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->log.emit = cr_test_log_emit;
	tl->log.priv = tl;
	tl->log.level = CR_LOG_WARN;
}

int cr_test_image_fd(void)
{
	char path[] = "/tmp/crrun-test-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

/* the bytes of the test executable: two clean pages and two data pages */
static u8 *cr_test_exe_bytes(void)
{
	u8 *data = malloc(4 * PAGE_SIZE);
	size_t i;

	assert_non_null(data);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		data[i] = (u8)(i * 7 + 3);
	return data;
}

static void cr_test_fill(struct cr_target *t, unsigned long addr, u8 seed)
{
	u8 page[PAGE_SIZE];
	size_t i;

	for (i = 0; i < PAGE_SIZE; i++)
		page[i] = (u8)(seed + i * 13);
	assert_int_equal(mock_mm_write(t, addr, page, PAGE_SIZE), 0);
}

static void cr_test_map(struct cr_target *t, unsigned long addr,
			unsigned long len, unsigned long prot,
			unsigned long flags, struct cr_file *file,
			unsigned long pgoff)
{
	long ret = mock_kops.do_mmap(t, addr, len, prot,
				     flags | MAP_FIXED | MAP_PRIVATE |
				     (file ? 0 : MAP_ANONYMOUS),
				     file, pgoff);

	assert_int_equal(ret, (long)addr);
}

static void cr_test_set_ldt(struct cr_target *t)
{
	struct user_desc d = {
		.entry_number = 0,
		.base_addr = 0x12345678,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.contents = 0,
		.read_exec_only = 0,
		.limit_in_pages = 1,
		.seg_not_present = 0,
		.useable = 1,
	};

	assert_int_equal(mock_kops.modify_ldt(t, 0x11, &d, sizeof(d)), 0);
	d.entry_number = 5;
	d.base_addr = 0xabcdef00;
	d.limit = 0x1234;
	d.contents = 2;		/* code */
	d.useable = 0;
	d.limit_in_pages = 0;
	assert_int_equal(mock_kops.modify_ldt(t, 0x11, &d, sizeof(d)), 0);
}

/* fds 0-2 as a process started from a shell has them */
static void cr_test_add_std_fds(struct cr_target *t)
{
	struct cr_fd_info *fd;
	int i;

	fd = calloc(1, sizeof(*fd));
	assert_non_null(fd);
	for (i = 0; i < 3; i++) {
		memset(fd, 0, sizeof(*fd));
		fd->fd = i;
		fd->fd_type = CR_FD_INHERIT;
		fd->dup_of = -1;
		fd->f_flags = O_RDWR;
		assert_int_equal(mock_task_add_fd(t, fd, false), 0);
	}
	free(fd);
}

/* A terminal on fd 0, 24x80; @raw: as a full-screen program sets it. */
void cr_test_terminal(struct cr_tty_info *tty, bool raw)
{
	memset(tty, 0, sizeof(*tty));
	tty->fd = 0;
	tty->c_iflag = raw ? 0 : 0x500;		/* ICRNL | IXON */
	tty->c_oflag = 0x5;			/* OPOST | ONLCR */
	tty->c_cflag = 0xbf;			/* CS8 | CREAD | B38400 */
	tty->c_lflag = raw ? 0 : 0x8a3b;	/* ICANON | ECHO | ISIG ... */
	tty->c_ispeed = tty->c_ospeed = 38400;
	tty->c_cc[6] = 1;			/* VMIN */
	tty->c_cc[0] = 3;			/* VINTR: ^C */
	tty->ws_row = 24;
	tty->ws_col = 80;
}

static void cr_test_set_task(struct cr_target *t)
{
	struct cr_tty_info tty;
	u32 groups[] = { 10, 20, 30 };
	struct cr_creds c = {
		.pid = CR_TEST_PID,
		.uid = 1000, .euid = 1000, .suid = 1000, .fsuid = 1000,
		.gid = 100, .egid = 100, .sgid = 100, .fsgid = 100,
		.ngroups = 3,
		.groups = groups,
		.cap_bset = 0x1ffffffffffULL,
		.comm = "testproc",
	};
	struct cr_fd_info *fd;
	struct cr_sigaction act = {
		.handler = 0x401000,
		.flags = SA_SIGINFO | SA_RESTART | 0x04000000 /* SA_RESTORER */,
		.restorer = 0x401100,
		.mask = 1ULL << (SIGUSR2 - 1),
	};
	struct cr_sigstate ss = {
		.blocked = 1ULL << (SIGTERM - 1),
		.ss_sp = 0x600000,
		.ss_size = 0x4000,
		.stop_sig = SIGTSTP,	/* stood stopped by ^Z */
	};
	struct cr_thread_info ti = {
		.rseq_addr = 0x602000,
		.rseq_len = 32,
		.rseq_sig = 0x53053053,
		.robust_list = 0x602040,
		.robust_len = 24,
	};
	struct cr_arch_regs *regs;
	int i;

	assert_int_equal(mock_kops.set_creds(t, &c), 0);
	assert_int_equal(mock_kops.set_fs(t, 022, "/tmp/work"), 0);
	cr_test_terminal(&tty, true);
	mock_set_terminal(t, &tty);

	fd = calloc(1, sizeof(*fd));
	assert_non_null(fd);
	cr_test_add_std_fds(t);
	memset(fd, 0, sizeof(*fd));
	fd->fd = 3;
	fd->fd_type = CR_FD_FILE;
	fd->dup_of = -1;
	fd->f_flags = O_RDWR | O_APPEND;
	fd->f_pos = 1234;
	fd->ofd_key = 1000;	/* fd 4 shares it: a dup */
	strcpy(fd->path, "/tmp/work/data.log");
	assert_int_equal(mock_task_add_fd(t, fd, false), 0);
	fd->fd = 4;
	fd->dup_of = 3;
	fd->close_on_exec = 1;
	assert_int_equal(mock_task_add_fd(t, fd, false), 0);
	free(fd);

	assert_int_equal(mock_kops.set_sigaction(t, SIGUSR1, &act), 0);
	act.handler = 1;	/* SIG_IGN */
	act.flags = 0;
	act.restorer = 0;
	act.mask = 0;
	assert_int_equal(mock_kops.set_sigaction(t, SIGINT, &act), 0);
	assert_int_equal(mock_kops.set_sigstate(t, &ss), 0);
	assert_int_equal(mock_kops.set_thread(t, &ti), 0);

	regs = cr_arch_regs_alloc();
	assert_non_null(regs);
	for (i = 0; i < CR_NR_GREGS; i++)
		regs->gregs[i] = 0x1000 + i;
	regs->gregs[CR_RIP] = 0x400123;
	regs->gregs[CR_RSP] = 0x7ffff000ff00;
	regs->gregs[CR_CS] = 0x33;
	regs->gregs[CR_SS] = 0x2b;
	regs->gregs[CR_DS] = regs->gregs[CR_ES] = 0;
	regs->gregs[CR_FS] = regs->gregs[CR_GS] = 0;
	regs->gregs[CR_EFLAGS] = 0x246;
	regs->gregs[CR_ORIG_RAX] = (u64)-1;
	regs->gregs[CR_FS_BASE] = 0x600100;
	regs->gregs[CR_GS_BASE] = 0;
	regs->xstate_size = 0;
	assert_int_equal(mock_kops.set_regs(t, regs), 0);
	cr_arch_regs_free(regs);
}

static void cr_test_add_specials(struct cr_target *t, unsigned long vvar)
{
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VVAR, vvar,
					     4 * PAGE_SIZE), 0);
	assert_int_equal(mock_mm_add_special(t, CR_VMA_VDSO,
					     vvar + 4 * PAGE_SIZE,
					     2 * PAGE_SIZE), 0);
}

struct cr_target *cr_test_mock_process(void)
{
	struct cr_file_id id = {
		.dev = 0x801, .ino = 777, .size = 4 * PAGE_SIZE,
		.mtime_ns = 1700000000123456789ULL,
	};
	struct cr_mm_map map = {
		.start_code = 0x400000, .end_code = 0x402000,
		.start_data = 0x402000, .end_data = 0x404000,
		.start_brk = 0x600000, .brk = 0x610000,
		.start_stack = 0x7ffff000fff0,
		.arg_start = 0x7ffff000ff00, .arg_end = 0x7ffff000ff80,
		.env_start = 0x7ffff000ff80, .env_end = 0x7ffff000ffe0,
		.auxv = { 6, 4096, 25, 0x7ffff000ffe8, 0, 0 },
		.nr_auxv = 6,
	};
	struct cr_target *t;
	struct cr_file *exe;
	struct cr_file_id got;
	u8 *bytes;

	t = mock_mm_new();
	assert_false(IS_ERR_OR_NULL(t));
	bytes = cr_test_exe_bytes();
	assert_int_equal(mock_mm_add_file(t, CR_TEST_EXE, bytes,
					  4 * PAGE_SIZE, &id), 0);
	free(bytes);

	exe = mock_kops.filp_open(t, CR_TEST_EXE, O_RDONLY, &got);
	assert_false(IS_ERR(exe));
	cr_test_map(t, 0x400000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC, 0,
		    exe, 0);
	cr_test_map(t, 0x402000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, 0,
		    exe, 2);
	cr_test_fill(t, 0x402000, 0x21);		/* COW'd */

	cr_test_map(t, 0x600000, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, 0,
		    NULL, 0);
	cr_test_fill(t, 0x600000, 1);
	cr_test_fill(t, 0x601000, 2);
	cr_test_fill(t, 0x605000, 3);
	cr_test_fill(t, 0x60f000, 4);
	cr_test_map(t, 0x610000, PAGE_SIZE, PROT_NONE, 0, NULL, 0);
	cr_test_fill(t, 0x610000, 5);
	cr_test_map(t, 0x700000, 2 * PAGE_SIZE, PROT_READ, 0, NULL, 0);
	cr_test_fill(t, 0x701000, 6);
	cr_test_map(t, 0x7ffff0000000, 16 * PAGE_SIZE,
		    PROT_READ | PROT_WRITE, MAP_GROWSDOWN, NULL, 0);
	cr_test_fill(t, 0x7ffff000f000, 7);
	cr_test_add_specials(t, 0x7ffff7fc0000);

	assert_int_equal(mock_kops.set_mm_map(t, &map, exe), 0);
	mock_kops.filp_close(t, exe);

	cr_test_set_ldt(t);
	cr_test_set_task(t);
	return t;
}

struct cr_target *cr_test_mock_empty(void)
{
	struct cr_file_id id = {
		.dev = 0x801, .ino = 777, .size = 4 * PAGE_SIZE,
		.mtime_ns = 1700000000123456789ULL,
	};
	struct cr_tty_info tty;
	struct cr_target *t;
	u8 *bytes;

	t = mock_mm_new();
	assert_false(IS_ERR_OR_NULL(t));
	bytes = cr_test_exe_bytes();
	assert_int_equal(mock_mm_add_file(t, CR_TEST_EXE, bytes,
					  4 * PAGE_SIZE, &id), 0);
	free(bytes);
	/* what a fresh child has: something to destroy, and a vdso */
	cr_test_map(t, 0x500000, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, 0,
		    NULL, 0);
	cr_test_fill(t, 0x500000, 99);
	cr_test_add_specials(t, 0x7f0000100000);
	cr_test_add_std_fds(t);
	/* restored on a terminal of its own settings */
	cr_test_terminal(&tty, false);
	mock_set_terminal(t, &tty);
	return t;
}

int cr_test_checkpoint(struct cr_target *t, int fd, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, fd, &mock_kops, t, &tl->log);
	if (!ret)
		ret = cr_checkpoint(&ctx);
	cr_ctx_fini(&ctx);
	mock_mm_release(t);	/* as the CLI lets go of the process */
	assert_int_equal(ctx.hbuf_gets, 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return ret;
}

int cr_test_restart(struct cr_target *t, int fd, struct cr_test_log *tl)
{
	struct cr_ctx ctx;
	int ret;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = cr_ctx_init(&ctx, CR_CTX_RSTR, fd, &mock_kops, t, &tl->log);
	if (!ret)
		ret = cr_restart(&ctx);
	cr_ctx_fini(&ctx);
	assert_int_equal(ctx.hbuf_gets, 0);
	return ret;
}

void cr_test_assert_same_mm(struct cr_target *a, struct cr_target *b)
{
	struct cr_vma_info *va, *vb;
	u8 *pa, *pb;
	unsigned long addr;
	int i, n;

	va = malloc(sizeof(*va));
	vb = malloc(sizeof(*vb));
	pa = malloc(PAGE_SIZE);
	pb = malloc(PAGE_SIZE);
	assert_true(va && vb && pa && pb);

	n = mock_mm_nr_vmas(a);
	assert_int_equal(n, mock_mm_nr_vmas(b));
	for (i = 0; i < n; i++) {
		assert_int_equal(mock_mm_vma(a, i, va), 0);
		assert_int_equal(mock_mm_vma(b, i, vb), 0);
		assert_int_equal(va->vm_start, vb->vm_start);
		assert_int_equal(va->vm_end, vb->vm_end);
		assert_int_equal(va->vma_type, vb->vma_type);
		assert_int_equal(va->vm_flags & (VM_READ | VM_WRITE | VM_EXEC |
						 VM_GROWSDOWN),
				 vb->vm_flags & (VM_READ | VM_WRITE | VM_EXEC |
						 VM_GROWSDOWN));
		if (va->vma_type != CR_VMA_ANON && va->vma_type != CR_VMA_FILE)
			continue;
		if (va->vma_type == CR_VMA_FILE) {
			assert_string_equal(va->path, vb->path);
			assert_int_equal(va->vm_pgoff, vb->vm_pgoff);
		}
		for (addr = va->vm_start; addr < va->vm_end; addr += PAGE_SIZE) {
			assert_int_equal(mock_mm_read(a, addr, pa, PAGE_SIZE), 0);
			assert_int_equal(mock_mm_read(b, addr, pb, PAGE_SIZE), 0);
			assert_memory_equal(pa, pb, PAGE_SIZE);
		}
	}
	free(pb);
	free(pa);
	free(vb);
	free(va);
}

#define CR_TEST_LDT_BYTES	(CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE)

void cr_test_assert_same_process(struct cr_target *a, struct cr_target *b)
{
	struct cr_mm_map *ma = calloc(1, sizeof(*ma)), *mb = calloc(1, sizeof(*mb));
	struct cr_arch_regs *ra = cr_arch_regs_alloc(), *rb = cr_arch_regs_alloc();
	u8 *la = calloc(1, CR_TEST_LDT_BYTES), *lb = calloc(1, CR_TEST_LDT_BYTES);

	assert_true(ma && mb && ra && rb && la && lb);
	cr_test_assert_same_mm(a, b);
	assert_int_equal(mock_kops.get_mm_map(a, ma, NULL, 0), 0);
	assert_int_equal(mock_kops.get_mm_map(b, mb, NULL, 0), 0);
	assert_memory_equal(ma, mb, sizeof(*ma));
	assert_true(mock_kops.modify_ldt(a, 0, la, CR_TEST_LDT_BYTES) >= 0);
	assert_true(mock_kops.modify_ldt(b, 0, lb, CR_TEST_LDT_BYTES) >= 0);
	assert_memory_equal(la, lb, CR_TEST_LDT_BYTES);
	assert_int_equal(mock_kops.get_regs(a, ra), 0);
	assert_int_equal(mock_kops.get_regs(b, rb), 0);
	assert_memory_equal(ra->gregs, rb->gregs, sizeof(ra->gregs));
	free(lb);
	free(la);
	cr_arch_regs_free(rb);
	cr_arch_regs_free(ra);
	free(mb);
	free(ma);
}

void cr_test_pread(int fd, long off, void *buf, size_t n)
{
	assert_int_equal(pread(fd, buf, n, off), (ssize_t)n);
}

void cr_test_pwrite(int fd, long off, const void *buf, size_t n)
{
	assert_int_equal(pwrite(fd, buf, n, off), (ssize_t)n);
}

long cr_test_image_size(int fd)
{
	long end = lseek(fd, 0, SEEK_END);

	assert_true(end >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return end;
}

u8 *cr_test_code_page(const u8 *code, size_t len)
{
	u8 *page;

	assert_true(len && len <= PAGE_SIZE);
	page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(page != MAP_FAILED);
	memcpy(page, code, len);
	assert_int_equal(page[len - 1], 0xcc);
	page[len - 1] = 0xc3;	/* ret */
	return page;
}

void cr_test_code_free(u8 *page)
{
	munmap(page, PAGE_SIZE);
}

u8 *cr_test_image_bytes(int fd, long *size)
{
	u8 *img;

	*size = cr_test_image_size(fd);
	img = malloc(*size);
	assert_non_null(img);
	cr_test_pread(fd, 0, img, *size);
	return img;
}

void cr_test_assert_same_image(int fd_a, int fd_b)
{
	long size_a, size_b;
	u8 *a = cr_test_image_bytes(fd_a, &size_a);
	u8 *b = cr_test_image_bytes(fd_b, &size_b);
	long i, time_at = sizeof(struct cr_hdr) +
			  offsetof(struct cr_hdr_head, time);

	assert_int_equal(size_a, size_b);
	/* the creation times may be a second apart, and with them the sums */
	memcpy(b + time_at, a + time_at, sizeof(u64));
	size_a -= sizeof(struct cr_hdr_tail);
	for (i = 0; i < size_a; i++)
		if (a[i] != b[i])
			fail_msg("the images differ from byte %ld of %ld", i,
				 size_a);
	free(b);
	free(a);
}

long cr_test_find_obj(int fd, u32 type, unsigned int nth)
{
	long off = 0, size = cr_test_image_size(fd);
	struct cr_hdr h;

	while (off + (long)sizeof(h) <= size) {
		cr_test_pread(fd, off, &h, sizeof(h));
		if (h.type == type && nth-- == 0)
			return off;
		off += sizeof(h) + h.len;
		if (h.type == CR_HDR_PGARR) {
			struct cr_hdr_pgarr p;

			cr_test_pread(fd, off - h.len, &p, sizeof(p));
			if (p.nr_pages)
				off = PAGE_ALIGN((unsigned long)off) +
				      p.nr_pages * PAGE_SIZE;
		}
	}
	return -1;
}

/* the objects format version 3 added */
static bool cr_test_v3_only(u32 type)
{
	switch (type) {
	case CR_HDR_TTY:
		return true;
	}
	return false;
}

void cr_test_make_v2(int fd)
{
	long size = cr_test_image_size(fd), off = 0, out = 0, tail;
	bool data_seen_after_cut = false, cut = false;
	struct cr_hdr_head hh;
	struct cr_hdr_tail tt;
	struct cr_hdr h;
	u8 *buf;

	buf = malloc(size);
	assert_non_null(buf);
	cr_test_pread(fd, 0, buf, size);
	while (off + (long)sizeof(h) <= size) {
		long next;

		memcpy(&h, buf + off, sizeof(h));
		next = off + sizeof(h) + h.len;
		if (h.type == CR_HDR_PGARR) {
			struct cr_hdr_pgarr p;

			memcpy(&p, buf + next - h.len, sizeof(p));
			if (p.nr_pages) {
				next = PAGE_ALIGN((unsigned long)next) +
				       p.nr_pages * PAGE_SIZE;
				data_seen_after_cut |= cut;
			}
		}
		if (cr_test_v3_only(h.type)) {
			cut = true;
		} else if (h.type == CR_HDR_THREAD) {
			/* version 2's thread object ends before robust_list */
			h.len = CR_THREAD_V2_SIZE;
			memcpy(buf + out, &h, sizeof(h));
			memmove(buf + out + sizeof(h), buf + off + sizeof(h),
				h.len);
			out += sizeof(h) + h.len;
			cut = true;
		} else {
			memmove(buf + out, buf + off, next - off);
			out += next - off;
		}
		off = next;
	}
	/* page data after a cut would sit at another alignment */
	assert_false(data_seen_after_cut);
	assert_int_equal(ftruncate(fd, 0), 0);
	cr_test_pwrite(fd, 0, buf, out);
	free(buf);

	cr_test_pread(fd, sizeof(h), &hh, sizeof(hh));
	hh.version = 2;
	cr_test_pwrite(fd, sizeof(h), &hh, sizeof(hh));
	tail = cr_test_find_obj(fd, CR_HDR_TAIL, 0);
	assert_true(tail > 0);
	cr_test_pread(fd, tail + sizeof(h), &tt, sizeof(tt));
	tt.size = tail;
	cr_test_pwrite(fd, tail + sizeof(h), &tt, sizeof(tt));
	cr_test_fix_csum(fd);
}

u32 cr_test_meta_csum(const u8 *img, const u8 *shape, long tail)
{
	long at = 0, from = 0;
	u32 csum = 0;

	/* hash every byte that is not page data, as the tail's meta_csum */
	while (at + (long)sizeof(struct cr_hdr) <= tail) {
		struct cr_hdr_pgarr p;
		struct cr_hdr h;
		long end, data;

		memcpy(&h, shape + at, sizeof(h));
		end = at + sizeof(h) + h.len;
		at = end;
		if (h.type != CR_HDR_PGARR || end > tail)
			continue;
		memcpy(&p, shape + end - h.len, sizeof(p));
		if (!p.nr_pages)
			continue;
		data = PAGE_ALIGN((unsigned long)end);
		if (data + (long)(p.nr_pages * PAGE_SIZE) > tail)
			break;
		csum = cr_crc32c(csum, img + from, data - from);
		from = at = data + p.nr_pages * PAGE_SIZE;
	}
	return cr_crc32c(csum, img + from, tail - from);
}

void cr_test_fix_csum(int fd)
{
	long tail = cr_test_find_obj(fd, CR_HDR_TAIL, 0);
	struct cr_hdr_tail tt;
	u8 *buf;

	assert_true(tail > 0);
	buf = malloc(tail);
	assert_non_null(buf);
	cr_test_pread(fd, 0, buf, tail);
	cr_test_pread(fd, tail + sizeof(struct cr_hdr), &tt, sizeof(tt));
	tt.csum = cr_crc32c(0, buf, tail);
	tt.meta_csum = cr_test_meta_csum(buf, buf, tail);
	cr_test_pwrite(fd, tail + sizeof(struct cr_hdr), &tt, sizeof(tt));
	free(buf);
}
