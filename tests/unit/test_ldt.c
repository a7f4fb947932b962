// SPDX-License-Identifier: GPL-2.0
/*
 * arch/x86/ldt.c: descriptor <-> user_desc conversion, CR_HDR_MM_CONTEXT
 * written and read back through an image file, against the mock target.
 * The 2008 defects 13 and 14 each have a test that fails on the old code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/arch.h"
#include "core/image_io.h"
#include "arch/x86/ldt.h"
#include "shim/mock/mock_mm.h"

#define TEST_OBJREF	4242

/*
 * The target the engine sees: the mock, behind a spy that counts the
 * modify_ldt() calls by function. The engine gets &spy as its cr_target.
 */
struct spy {
	struct cr_target *inner;
	unsigned int ldt_reads;		/* func 0 */
	unsigned int ldt_writes;	/* func 0x11 */
	unsigned int ldt_other;		/* anything else, e.g. the seed's 1 */
};

static int spy_modify_ldt(struct cr_target *t, int func, void *ptr,
			  unsigned long n)
{
	struct spy *spy = (struct spy *)t;

	if (func == CR_LDT_FUNC_READ)
		spy->ldt_reads++;
	else if (func == CR_LDT_FUNC_WRITE)
		spy->ldt_writes++;
	else
		spy->ldt_other++;
	return mock_kops.modify_ldt(spy->inner, func, ptr, n);
}

static const struct cr_kops spy_kops = {
	.modify_ldt = spy_modify_ldt,
};

struct fixture {
	FILE *img;
	struct cr_target *t;
	struct spy spy;
	struct cr_ctx ctx;
	bool ctx_live;
	char err[512];			/* the last error logged */
};

static void log_emit(void *priv, int level, const char *msg)
{
	struct fixture *f = priv;

	if (level == CR_LOG_ERR)
		snprintf(f->err, sizeof(f->err), "%s", msg);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->img = tmpfile();
	assert_non_null(f->img);
	f->t = mock_mm_new();
	assert_non_null(f->t);
	f->spy.inner = f->t;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->ctx_live)
		cr_ctx_fini(&f->ctx);
	mock_mm_free(f->t);
	fclose(f->img);
	free(f);
	return 0;
}

static void ctx_begin(struct fixture *f, unsigned int mode)
{
	struct cr_log log = {
		.emit = log_emit, .priv = f, .level = CR_LOG_DEBUG,
	};

	assert_false(f->ctx_live);
	/* each checkpoint writes a new image; each restore reads it all */
	if (mode == CR_CTX_CKPT)
		assert_int_equal(ftruncate(fileno(f->img), 0), 0);
	assert_int_equal(lseek(fileno(f->img), 0, SEEK_SET), 0);
	assert_int_equal(cr_ctx_init(&f->ctx, mode, fileno(f->img), &spy_kops,
				     (struct cr_target *)&f->spy, &log), 0);
	f->ctx_live = true;
	f->err[0] = '\0';
}

static void ctx_end(struct fixture *f)
{
	if (f->ctx.flags == CR_CTX_CKPT)
		assert_int_equal(cr_kflush(&f->ctx), 0);
	assert_int_equal(f->ctx.hbuf_gets, 0);
	assert_int_equal(f->ctx.hpos, 0);
	cr_ctx_fini(&f->ctx);
	f->ctx_live = false;
}

/* ---- descriptors ---- */

static struct cr_desc_struct desc_from_raw(u64 raw)
{
	struct cr_desc_struct d;

	memcpy(&d, &raw, sizeof(d));
	return d;
}

static u64 desc_raw(const struct cr_desc_struct *d)
{
	u64 raw;

	memcpy(&raw, d, sizeof(raw));
	return raw;
}

/* a descriptor with the given fields, the way the kernel builds them */
static struct cr_desc_struct make_desc(u32 base, u32 limit, unsigned int type,
				       bool p, bool avl, bool d, bool g)
{
	struct cr_desc_struct desc = {
		.limit0 = limit & 0xffff, .limit1 = limit >> 16,
		.base0 = base & 0xffff, .base1 = (base >> 16) & 0xff,
		.base2 = base >> 24,
		.type = type, .s = 1, .dpl = 3, .p = p,
		.avl = avl, .l = 0, .d = d, .g = g,
	};
	return desc;
}

static struct cr_desc_struct round_trip(const struct cr_desc_struct *d)
{
	struct cr_desc_struct back;
	struct user_desc info;

	cr_desc_to_user_desc(d, 5, &info);
	assert_int_equal(info.entry_number, 5);
	cr_user_desc_to_desc(&info, &back);
	return back;
}

/* The bit-fields give the hardware layout: a flat 4 GiB dpl 3 data segment. */
static void test_desc_layout_is_the_hardware_one(void **state)
{
	struct cr_desc_struct d = desc_from_raw(0x00cff3000000ffffULL);
	struct user_desc info;

	assert_int_equal(d.limit0, 0xffff);
	assert_int_equal(d.limit1, 0xf);
	assert_int_equal(d.base0 | d.base1 | d.base2, 0);
	assert_int_equal(d.type, 0x3);
	assert_int_equal(d.s, 1);
	assert_int_equal(d.dpl, 3);
	assert_int_equal(d.p, 1);
	assert_int_equal(d.avl, 0);
	assert_int_equal(d.l, 0);
	assert_int_equal(d.d, 1);
	assert_int_equal(d.g, 1);

	cr_desc_to_user_desc(&d, 0, &info);
	assert_int_equal(info.limit, 0xfffff);
	assert_int_equal(info.seg_32bit, 1);
	assert_int_equal(info.limit_in_pages, 1);
	assert_int_equal(info.read_exec_only, 0);
	assert_int_equal(info.contents, 0);
	assert_int_equal(info.seg_not_present, 0);

	d = make_desc(0xff000000, 0xf0000, 0x1, 0, 1, 0, 0);
	assert_int_equal(desc_raw(&d), 0xff1f710000000000ULL);
}

/*
 * Defect 13: the seed rebuilt base as base0 | base1 << 16 and limit as
 * limit0. Both answers below differ from the 2008 formula's.
 */
static void test_ldt_conversion_keeps_base2_and_limit1(void **state)
{
	struct cr_desc_struct d = make_desc(0x12345678, 0xabcde, 0x3, 1, 0, 1, 0);
	struct cr_desc_struct back;
	struct user_desc info;

	cr_desc_to_user_desc(&d, 0, &info);
	assert_int_equal(info.base_addr, 0x12345678);
	assert_int_equal(info.limit, 0xabcde);
	assert_int_not_equal(info.base_addr, d.base0 | (d.base1 << 16));
	assert_int_not_equal(info.limit, d.limit0);

	cr_user_desc_to_desc(&info, &back);
	assert_int_equal(back.base2, 0x12);
	assert_int_equal(back.limit1, 0xa);
	assert_memory_equal(&back, &d, sizeof(d));
}

static void test_ldt_empty_desc_is_the_kernels_ldt_empty(void **state)
{
	struct cr_desc_struct zero = { 0 }, back;
	struct user_desc info;

	cr_desc_to_user_desc(&zero, 17, &info);
	assert_int_equal(info.entry_number, 17);
	assert_int_equal(info.base_addr, 0);
	assert_int_equal(info.limit, 0);
	assert_int_equal(info.contents, 0);
	assert_int_equal(info.read_exec_only, 1);
	assert_int_equal(info.seg_32bit, 0);
	assert_int_equal(info.limit_in_pages, 0);
	assert_int_equal(info.seg_not_present, 1);
	assert_int_equal(info.useable, 0);
	assert_int_equal(info.lm, 0);
	assert_true(cr_user_desc_empty(&info));
	assert_true(cr_desc_empty(&zero));

	memset(&back, 0xff, sizeof(back));
	cr_user_desc_to_desc(&info, &back);
	assert_true(cr_desc_empty(&back));
	assert_null(cr_desc_refused(&zero));
}

/* Descriptors the kernel builds: a few shapes, each field exercised. */
static const struct {
	u32 base, limit;
	unsigned int type;
	bool p, avl, d, g;
} valid_descs[] = {
	{ 0x00000000, 0xfffff, 0x3, 1, 0, 1, 1 },	/* flat data */
	{ 0x00000000, 0xfffff, 0xb, 1, 0, 1, 1 },	/* flat code */
	{ 0x12345678, 0xabcde, 0x3, 1, 1, 1, 0 },	/* avl */
	{ 0xdeadbeef, 0x00001, 0x1, 1, 0, 0, 0 },	/* read-only, 16-bit */
	{ 0x00010000, 0x0ffff, 0x7, 1, 0, 1, 0 },	/* expand-down */
	{ 0xff000000, 0xf0000, 0x9, 1, 0, 1, 1 },	/* execute-only */
	{ 0x00000001, 0x00000, 0xf, 0, 1, 0, 1 },	/* conforming, absent */
	{ 0x80000000, 0x80000, 0x5, 0, 0, 1, 0 },	/* not present */
};

/*
 * desc -> user_desc -> desc is the identity for every descriptor the
 * kernel can hold; and flipping any one of the 64 bits of such a
 * descriptor gives either another one that round-trips, or one that
 * cr_desc_refused() names (never a silent change).
 */
static void test_ldt_conversion_round_trips_every_bit(void **state)
{
	unsigned int i, bit, accepted = 0, refused = 0;

	for (i = 0; i < ARRAY_SIZE(valid_descs); i++) {
		struct cr_desc_struct d = make_desc(valid_descs[i].base,
			valid_descs[i].limit, valid_descs[i].type,
			valid_descs[i].p, valid_descs[i].avl,
			valid_descs[i].d, valid_descs[i].g);
		struct cr_desc_struct back = round_trip(&d);

		assert_null(cr_desc_refused(&d));
		assert_memory_equal(&back, &d, sizeof(d));

		for (bit = 0; bit < 64; bit++) {
			struct cr_desc_struct x =
				desc_from_raw(desc_raw(&d) ^ (1ULL << bit));
			struct cr_desc_struct xb = round_trip(&x);
			u64 raw = desc_raw(&x);

			if (!cr_desc_refused(&x)) {
				if (desc_raw(&xb) != raw)
					fail_msg("desc 0x%016llx (bit %u of case %u) accepted but round-trips to 0x%016llx",
						 (unsigned long long)raw, bit, i,
						 (unsigned long long)desc_raw(&xb));
				accepted++;
				continue;
			}
			refused++;
			/* refused: either it would change, or the kernel says no */
			if (desc_raw(&xb) == raw)
				assert_true(x.type >> 2 == 3 && x.p);
		}
	}
	/* base (32), limit (20), avl, d, g, p and type bits 1-3 are free */
	assert_true(accepted >= ARRAY_SIZE(valid_descs) * 52);
	assert_true(refused > 0);
}

static void assert_user_desc_equal(const struct user_desc *a,
				   const struct user_desc *b)
{
	assert_int_equal(a->entry_number, b->entry_number);
	assert_int_equal(a->base_addr, b->base_addr);
	assert_int_equal(a->limit, b->limit);
	assert_int_equal(a->seg_32bit, b->seg_32bit);
	assert_int_equal(a->contents, b->contents);
	assert_int_equal(a->read_exec_only, b->read_exec_only);
	assert_int_equal(a->limit_in_pages, b->limit_in_pages);
	assert_int_equal(a->seg_not_present, b->seg_not_present);
	assert_int_equal(a->useable, b->useable);
	assert_int_equal(a->lm, b->lm);
}

/* Each field of a user_desc, alone, survives user_desc -> desc -> user_desc. */
static void test_user_desc_round_trips_each_field(void **state)
{
	struct user_desc cases[32 + 20 + 8];
	unsigned int n = 0, i;

	for (i = 0; i < 32; i++)
		cases[n++] = (struct user_desc){ .base_addr = 1U << i };
	for (i = 0; i < 20; i++)
		cases[n++] = (struct user_desc){ .limit = 1U << i };
	cases[n++] = (struct user_desc){ .seg_32bit = 1 };
	cases[n++] = (struct user_desc){ .contents = 1 };
	cases[n++] = (struct user_desc){ .contents = 2 };
	cases[n++] = (struct user_desc){ .contents = 3, .seg_not_present = 1 };
	cases[n++] = (struct user_desc){ .read_exec_only = 1 };
	cases[n++] = (struct user_desc){ .limit_in_pages = 1 };
	cases[n++] = (struct user_desc){ .seg_not_present = 1 };
	cases[n++] = (struct user_desc){ .useable = 1 };
	assert_int_equal(n, ARRAY_SIZE(cases));

	for (i = 0; i < n; i++) {
		struct cr_desc_struct d;
		struct user_desc back;

		cases[i].entry_number = i;
		cr_user_desc_to_desc(&cases[i], &d);
		assert_false(cr_desc_empty(&d));
		assert_null(cr_desc_refused(&d));
		cr_desc_to_user_desc(&d, i, &back);
		assert_user_desc_equal(&back, &cases[i]);
	}
}

static void test_desc_refused_names_what_the_kernel_cannot_make(void **state)
{
	static const struct {
		u64 raw;
		const char *why;
	} cases[] = {
		/* 64-bit call gate, dpl 3: s=0, type 0xc */
		{ 0x0000ec0000100000ULL, "system" },
		{ 0x00cf93000000ffffULL, "dpl" },	/* flat data, dpl 0 */
		{ 0x00cfb3000000ffffULL, "dpl" },	/* dpl 1 */
		{ 0x00aff9000000ffffULL, "l (64-bit" },	/* 64-bit code */
		{ 0x00cff2000000ffffULL, "accessed" },
		{ 0x00cfff000000ffffULL, "conforming" },
		{ 0x0000710000000000ULL, "empty" },	/* reads as LDT_empty */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cr_desc_struct d = desc_from_raw(cases[i].raw);
		const char *why = cr_desc_refused(&d);

		if (!why || !strstr(why, cases[i].why))
			fail_msg("0x%016llx: refused for \"%s\", expected \"%s\"",
				 (unsigned long long)cases[i].raw,
				 why ? why : "(accepted)", cases[i].why);
	}
}

/* ---- the mock's LDT ---- */

static void ldt_set(struct cr_target *t, unsigned int entry,
		    const struct cr_desc_struct *d)
{
	struct user_desc info;

	cr_desc_to_user_desc(d, entry, &info);
	assert_int_equal(mock_kops.modify_ldt(t, CR_LDT_FUNC_WRITE, &info,
					      sizeof(info)), 0);
}

/* the mock's LDT, CR_LDT_ENTRIES entries; free() it */
static struct cr_desc_struct *ldt_get(struct cr_target *t)
{
	size_t size = CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE;
	struct cr_desc_struct *ldt = calloc(1, size);
	int ret;

	assert_non_null(ldt);
	ret = mock_kops.modify_ldt(t, CR_LDT_FUNC_READ, ldt, size);
	assert_true(ret >= 0 && (size_t)ret <= size);
	return ldt;
}

static void assert_ldt_equal(struct cr_target *t,
			     const struct cr_desc_struct *want, unsigned int n)
{
	struct cr_desc_struct *ldt = ldt_get(t);
	unsigned int i;

	for (i = 0; i < CR_LDT_ENTRIES; i++) {
		u64 have = desc_raw(&ldt[i]);
		u64 exp = i < n ? desc_raw(&want[i]) : 0;

		if (have != exp)
			fail_msg("ldt entry %u: 0x%016llx, expected 0x%016llx",
				 i, (unsigned long long)have,
				 (unsigned long long)exp);
	}
	free(ldt);
}

/* Write CR_HDR_MM_CONTEXT by hand, fields as given. */
static void write_mm_context_obj(struct fixture *f, u32 parent, u32 entry_size,
				 u32 nldt, const void *tail, u32 tail_len)
{
	struct cr_hdr_mm_context hh = {
		.ldt_entry_size = entry_size, .nldt = nldt,
	};

	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_obj_var(&f->ctx, CR_HDR_MM_CONTEXT, parent,
					  &hh, sizeof(hh), tail, tail_len), 0);
	ctx_end(f);
}

static int read_mm_context(struct fixture *f)
{
	int ret;

	ctx_begin(f, CR_CTX_RSTR);
	ret = cr_read_mm_context(&f->ctx, TEST_OBJREF);
	ctx_end(f);
	return ret;
}

static void assert_err_names(struct fixture *f, const char *a, const char *b)
{
	if (!strstr(f->err, a) || (b && !strstr(f->err, b)))
		fail_msg("error \"%s\" does not name \"%s\" and \"%s\"",
			 f->err, a, b ? b : "");
}

static void test_mm_context_round_trip(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct want[8] = { 0 };
	struct cr_hdr_mm_context hh;
	struct cr_hdr h;
	unsigned int i;

	want[0] = make_desc(0x12345678, 0xabcde, 0x3, 1, 1, 1, 0);
	want[3] = make_desc(0xff000000, 0xfffff, 0xb, 1, 0, 1, 1);
	want[7] = make_desc(0x00001000, 0x00fff, 0x1, 0, 1, 0, 0);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (!cr_desc_empty(&want[i]))
			ldt_set(f->t, i, &want[i]);

	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_mm_context(&f->ctx, TEST_OBJREF), 0);
	ctx_end(f);

	/* the object: entries up to the last one in use */
	assert_int_equal(lseek(fileno(f->img), 0, SEEK_SET), 0);
	assert_int_equal(read(fileno(f->img), &h, sizeof(h)), sizeof(h));
	assert_int_equal(read(fileno(f->img), &hh, sizeof(hh)), sizeof(hh));
	assert_int_equal(h.type, CR_HDR_MM_CONTEXT);
	assert_int_equal(h.parent, TEST_OBJREF);
	assert_int_equal(h.len, sizeof(hh) + 8 * CR_LDT_ENTRY_SIZE);
	assert_int_equal(hh.ldt_entry_size, CR_LDT_ENTRY_SIZE);
	assert_int_equal(hh.nldt, 8);

	/* restored into a fresh target */
	mock_mm_free(f->t);
	f->t = f->spy.inner = mock_mm_new();
	assert_non_null(f->t);
	assert_int_equal(read_mm_context(f), 0);
	assert_ldt_equal(f->t, want, ARRAY_SIZE(want));
	assert_int_equal(f->spy.ldt_writes, 3);
	assert_int_equal(f->spy.ldt_other, 0);
}

static void test_mm_context_round_trip_no_ldt(void **state)
{
	struct fixture *f = *state;

	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_mm_context(&f->ctx, TEST_OBJREF), 0);
	ctx_end(f);
	assert_int_equal(lseek(fileno(f->img), 0, SEEK_END),
			 sizeof(struct cr_hdr) + sizeof(struct cr_hdr_mm_context));

	assert_int_equal(read_mm_context(f), 0);
	assert_int_equal(f->spy.ldt_writes, 0);
	assert_int_equal(f->spy.ldt_other, 0);
	assert_ldt_equal(f->t, NULL, 0);
}

/* Defect 13: modify_ldt(1) clears AVL; 0x11 keeps it. */
static void test_read_mm_context_uses_func_0x11_keeping_avl(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct want[2];

	want[0] = make_desc(0x10000, 0xfff, 0x3, 1, 1, 1, 0);
	want[1] = make_desc(0x20000, 0xfff, 0xb, 1, 1, 1, 0);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 2, want,
			     sizeof(want));

	assert_int_equal(read_mm_context(f), 0);
	assert_int_equal(f->spy.ldt_other, 0);
	assert_int_equal(f->spy.ldt_writes, 2);
	assert_ldt_equal(f->t, want, 2);
}

/* Defect 14: entries of the previous LDT at and above nldt are cleared. */
static void test_read_mm_context_clears_previous_ldt(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct old = make_desc(0xabc000, 0xfff, 0x3, 1, 0, 1, 0);
	struct cr_desc_struct want[2];
	unsigned int i;

	for (i = 0; i < 10; i++)
		ldt_set(f->t, i, &old);
	ldt_set(f->t, CR_LDT_ENTRIES - 1, &old);

	want[0] = make_desc(0x10000, 0xfff, 0x3, 1, 0, 1, 0);
	want[1] = (struct cr_desc_struct){ 0 };	/* a hole over an old entry */
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 2, want,
			     sizeof(want));

	assert_int_equal(read_mm_context(f), 0);
	assert_ldt_equal(f->t, want, 2);
	assert_int_equal(f->spy.ldt_other, 0);
}

/* Defect 14: nldt is bounded by LDT_ENTRIES, before anything is touched. */
static void test_read_mm_context_rejects_nldt_past_ldt_entries(void **state)
{
	struct fixture *f = *state;
	u32 nldt = CR_LDT_ENTRIES + 1;
	void *tail = calloc(nldt, CR_LDT_ENTRY_SIZE);

	assert_non_null(tail);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, nldt, tail,
			     nldt * CR_LDT_ENTRY_SIZE);
	free(tail);

	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", "nldt");
	assert_int_equal(f->spy.ldt_reads + f->spy.ldt_writes, 0);
}

static void test_read_mm_context_accepts_nldt_of_ldt_entries(void **state)
{
	struct fixture *f = *state;
	u32 nldt = CR_LDT_ENTRIES;
	struct cr_desc_struct *want = calloc(nldt, sizeof(*want));

	assert_non_null(want);
	want[nldt - 1] = make_desc(0x1000, 0xfff, 0x3, 1, 0, 1, 0);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, nldt, want,
			     nldt * CR_LDT_ENTRY_SIZE);

	assert_int_equal(read_mm_context(f), 0);
	assert_ldt_equal(f->t, want, nldt);
	/* empty entries over empty ones are not written */
	assert_int_equal(f->spy.ldt_writes, 1);
	free(want);
}

static void test_read_mm_context_rejects_ldt_entry_size(void **state)
{
	struct fixture *f = *state;
	u8 tail[16] = { 0 };

	write_mm_context_obj(f, TEST_OBJREF, 16, 1, tail, sizeof(tail));
	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", "ldt_entry_size");
	assert_int_equal(f->spy.ldt_reads + f->spy.ldt_writes, 0);
}

static void test_read_mm_context_rejects_nldt_not_matching_len(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct tail[3] = { 0 };

	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 2, tail,
			     sizeof(tail));
	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", "nldt");
	assert_int_equal(f->spy.ldt_reads + f->spy.ldt_writes, 0);
}

static void test_read_mm_context_rejects_wrong_parent(void **state)
{
	struct fixture *f = *state;

	write_mm_context_obj(f, TEST_OBJREF + 1, CR_LDT_ENTRY_SIZE, 0, NULL, 0);
	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", "parent");
}

static void test_read_mm_context_rejects_truncated_object(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct want[2];
	off_t end;

	want[0] = make_desc(0x10000, 0xfff, 0x3, 1, 0, 1, 0);
	want[1] = make_desc(0x20000, 0xfff, 0x3, 1, 0, 1, 0);
	ldt_set(f->t, 5, &want[0]);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 2, want,
			     sizeof(want));
	end = lseek(fileno(f->img), 0, SEEK_END);
	assert_int_equal(ftruncate(fileno(f->img), end - 4), 0);

	assert_int_equal(read_mm_context(f), -EIO);
	assert_err_names(f, "mm_context", NULL);
	/* nothing was touched: the old entry is still there */
	assert_int_equal(f->spy.ldt_reads + f->spy.ldt_writes, 0);
}

static void test_read_mm_context_rejects_wrong_type(void **state)
{
	struct fixture *f = *state;
	struct cr_hdr_pgarr pg = { 0 };

	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_obj(&f->ctx, CR_HDR_PGARR, TEST_OBJREF, &pg,
				      sizeof(pg)), 0);
	ctx_end(f);
	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", NULL);
}

/* A call gate in the image: refused, naming the entry; nothing touched. */
static void test_read_mm_context_rejects_call_gate(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct old = make_desc(0xabc000, 0xfff, 0x3, 1, 0, 1, 0);
	struct cr_desc_struct want[3];

	ldt_set(f->t, 4, &old);
	want[0] = make_desc(0x10000, 0xfff, 0x3, 1, 0, 1, 0);
	want[1] = desc_from_raw(0x0000ec0000100000ULL);
	want[2] = make_desc(0x10000, 0xfff, 0x3, 1, 0, 1, 0);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 3, want,
			     sizeof(want));

	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "mm_context", "ldt entry 1");
	assert_int_equal(f->spy.ldt_reads + f->spy.ldt_writes, 0);
	{
		struct cr_desc_struct *ldt = ldt_get(f->t);

		assert_memory_equal(&ldt[4], &old, sizeof(old));
		free(ldt);
	}
}

static void test_read_mm_context_rejects_kernel_dpl(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct want = desc_from_raw(0x00cf93000000ffffULL);

	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 1, &want,
			     sizeof(want));
	assert_int_equal(read_mm_context(f), -EINVAL);
	assert_err_names(f, "ldt entry 0", "dpl");
}

/* Every modify_ldt() failure comes back as it was, and is named. */
static void test_read_mm_context_propagates_modify_ldt_errors(void **state)
{
	struct fixture *f = *state;
	struct cr_desc_struct want[2];
	unsigned long nth, calls;
	int ret;

	want[0] = make_desc(0x10000, 0xfff, 0x3, 1, 0, 1, 0);
	want[1] = make_desc(0x20000, 0xfff, 0x3, 1, 0, 1, 0);
	ldt_set(f->t, 6, &want[0]);
	write_mm_context_obj(f, TEST_OBJREF, CR_LDT_ENTRY_SIZE, 2, want,
			     sizeof(want));

	/* a clean run: one read, one clear, two writes */
	calls = mock_calls(f->t, MOCK_OP_MODIFY_LDT);
	assert_int_equal(read_mm_context(f), 0);
	calls = mock_calls(f->t, MOCK_OP_MODIFY_LDT) - calls;
	assert_int_equal(calls, 4);

	for (nth = 1; nth <= calls; nth++) {
		ldt_set(f->t, 6, &want[0]);
		assert_int_equal(mock_fault_set(f->t, MOCK_OP_MODIFY_LDT, nth,
						ENOMEM, false), 0);
		ret = read_mm_context(f);
		mock_fault_clear(f->t);
		assert_int_equal(ret, -ENOMEM);
		assert_err_names(f, "mm_context", NULL);
	}
}

static void test_write_mm_context_propagates_read_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mock_fault_set(f->t, MOCK_OP_MODIFY_LDT, 1, EFAULT,
					false), 0);
	ctx_begin(f, CR_CTX_CKPT);
	assert_int_equal(cr_write_mm_context(&f->ctx, TEST_OBJREF), -EFAULT);
	ctx_end(f);
	mock_fault_clear(f->t);
	assert_err_names(f, "mm_context", NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_desc_layout_is_the_hardware_one),
		T(test_ldt_conversion_keeps_base2_and_limit1),
		T(test_ldt_empty_desc_is_the_kernels_ldt_empty),
		T(test_ldt_conversion_round_trips_every_bit),
		T(test_user_desc_round_trips_each_field),
		T(test_desc_refused_names_what_the_kernel_cannot_make),
		T(test_mm_context_round_trip),
		T(test_mm_context_round_trip_no_ldt),
		T(test_read_mm_context_uses_func_0x11_keeping_avl),
		T(test_read_mm_context_clears_previous_ldt),
		T(test_read_mm_context_rejects_nldt_past_ldt_entries),
		T(test_read_mm_context_accepts_nldt_of_ldt_entries),
		T(test_read_mm_context_rejects_ldt_entry_size),
		T(test_read_mm_context_rejects_nldt_not_matching_len),
		T(test_read_mm_context_rejects_wrong_parent),
		T(test_read_mm_context_rejects_truncated_object),
		T(test_read_mm_context_rejects_wrong_type),
		T(test_read_mm_context_rejects_call_gate),
		T(test_read_mm_context_rejects_kernel_dpl),
		T(test_read_mm_context_propagates_modify_ldt_errors),
		T(test_write_mm_context_propagates_read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
