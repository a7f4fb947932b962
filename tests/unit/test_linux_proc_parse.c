// SPDX-License-Identifier: GPL-2.0
/*
 * shim/linux/proc_parse.c: what /proc shows, turned into crrun's terms --
 * smaps VmFlags into VM_* bits, VMA names into kinds, maps header lines,
 * the mm fields of /proc/PID/stat, the saved auxv, pagemap entries into
 * page states. Text only: no process is read, so this runs under qemu.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/mm/vma_flags.h"
#include "shim/linux/proc_parse.h"

static const struct {
	const char *name;
	unsigned long flag;
} vmflags[] = {
	{ "rd", VM_READ },	{ "wr", VM_WRITE },	{ "ex", VM_EXEC },
	{ "sh", VM_SHARED },	{ "mr", VM_MAYREAD },	{ "mw", VM_MAYWRITE },
	{ "me", VM_MAYEXEC },	{ "ms", VM_MAYSHARE },	{ "gd", VM_GROWSDOWN },
	{ "pf", VM_PFNMAP },	{ "lo", VM_LOCKED },	{ "io", VM_IO },
	{ "sr", VM_SEQ_READ },	{ "rr", VM_RAND_READ },	{ "dc", VM_DONTCOPY },
	{ "de", VM_DONTEXPAND },{ "lf", VM_LOCKONFAULT },{ "ac", VM_ACCOUNT },
	{ "nr", VM_NORESERVE },	{ "ht", VM_HUGETLB },	{ "sf", VM_SYNC },
	{ "ar", VM_ARCH_1 },	{ "wf", VM_WIPEONFORK },{ "dd", VM_DONTDUMP },
	{ "sd", VM_SOFTDIRTY },	{ "mm", VM_MIXEDMAP },	{ "hg", VM_HUGEPAGE },
	{ "nh", VM_NOHUGEPAGE },{ "mg", VM_MERGEABLE },	{ "um", VM_UFFD_MISSING },
	{ "uw", VM_UFFD_WP },
};

static void test_vmflags_each_name_gives_its_bit(void **state)
{
	char buf[16];
	unsigned int i;

	for (i = 0; i < sizeof(vmflags) / sizeof(vmflags[0]); i++) {
		snprintf(buf, sizeof(buf), " %s \n", vmflags[i].name);
		assert_int_equal(cr_vmflags_parse(buf), vmflags[i].flag);
	}
}

static void test_vmflags_typical_stack_line(void **state)
{
	assert_int_equal(cr_vmflags_parse(" rd wr mr mw me gd ac"),
			 VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE |
			 VM_MAYEXEC | VM_GROWSDOWN | VM_ACCOUNT);
}

static void test_vmflags_unknown_names_are_left_out(void **state)
{
	/* shadow stack, sealed, a protection key: no VM_* bit of ours */
	assert_int_equal(cr_vmflags_parse("rd ss sl 1 zz ex"),
			 VM_READ | VM_EXEC);
	assert_int_equal(cr_vmflags_parse(""), 0);
	assert_int_equal(cr_vmflags_parse("   "), 0);
}

static void test_vma_names_special(void **state)
{
	bool del;

	assert_int_equal(cr_vma_name_type("[vdso]", 0, &del), CR_VMA_VDSO);
	assert_int_equal(cr_vma_name_type("[vvar]", 0, &del), CR_VMA_VVAR);
	assert_int_equal(cr_vma_name_type("[vvar_vclock]", 0, &del),
			 CR_VMA_VVAR_VCLOCK);
	assert_int_equal(cr_vma_name_type("[vsyscall]", 0, &del),
			 CR_VMA_VSYSCALL);
	assert_false(del);
}

static void test_vma_names_anonymous(void **state)
{
	bool del;

	assert_int_equal(cr_vma_name_type("", 0, &del), CR_VMA_ANON);
	assert_int_equal(cr_vma_name_type("[heap]", 0, &del), CR_VMA_ANON);
	assert_int_equal(cr_vma_name_type("[stack]", 0, &del), CR_VMA_ANON);
	assert_int_equal(cr_vma_name_type("[anon:glibc: malloc]", 0, &del),
			 CR_VMA_ANON);
	assert_false(del);
}

static void test_vma_names_files_and_deleted_files(void **state)
{
	bool del;

	assert_int_equal(cr_vma_name_type("/usr/lib/libc.so.6", 42, &del),
			 CR_VMA_FILE);
	assert_false(del);
	assert_int_equal(cr_vma_name_type("/a b/with spaces", 7, &del),
			 CR_VMA_FILE);
	assert_false(del);
	assert_int_equal(cr_vma_name_type("/tmp/x (deleted)", 7, &del),
			 CR_VMA_ANON);
	assert_true(del);
	assert_int_equal(cr_vma_name_type("/memfd:buf (deleted)", 9, &del),
			 CR_VMA_ANON);
	assert_true(del);
}

static void test_maps_header_file_line(void **state)
{
	struct cr_maps_line m;
	const char *line = "7f0372f84000-7f03730da000 r-xp 00026000 fe:00 332835"
			   "                     /usr/lib/x86_64-linux-gnu/libc.so.6";

	assert_int_equal(cr_parse_maps_header(line, &m), 0);
	assert_int_equal(m.start, 0x7f0372f84000UL);
	assert_int_equal(m.end, 0x7f03730da000UL);
	assert_int_equal(m.flags, VM_READ | VM_MAYREAD | VM_EXEC | VM_MAYEXEC);
	assert_int_equal(m.offset, 0x26000);
	assert_int_equal(m.inode, 332835);
	assert_string_equal(m.name, "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

static void test_maps_header_anonymous_and_shared(void **state)
{
	struct cr_maps_line m;

	assert_int_equal(cr_parse_maps_header(
		"55eb06291000-55eb062a1000 rw-p 00000000 00:00 0 ", &m), 0);
	assert_string_equal(m.name, "");
	assert_int_equal(m.flags, VM_READ | VM_MAYREAD | VM_WRITE |
			 VM_MAYWRITE);
	assert_int_equal(cr_parse_maps_header(
		"1000-2000 r--s 00000000 00:01 5 /dev/zero (deleted)", &m), 0);
	assert_true(m.flags & VM_SHARED);
	assert_string_equal(m.name, "/dev/zero (deleted)");
}

static void test_maps_header_rejects_field_lines(void **state)
{
	struct cr_maps_line m;

	assert_int_equal(cr_parse_maps_header("Size:  4 kB", &m), -EINVAL);
	assert_int_equal(cr_parse_maps_header("VmFlags: rd wr", &m), -EINVAL);
	assert_int_equal(cr_parse_maps_header("2000-1000 rw-p 0 00:00 0 ", &m),
			 -EINVAL);
	assert_int_equal(cr_parse_maps_header("", &m), -EINVAL);
}

static void test_status_field(void **state)
{
	const char *status = "Name:\tcat\nUmask:\t0022\nState:\tS (sleeping)\n"
			     "Uid:\t1000\t1000\t1000\t1000\nGroups:\t\n"
			     "CapEff:\t000001ffffffffff\nCap:\tx";
	char val[64];

	assert_int_equal(cr_proc_status_field(status, "Umask", val,
					      sizeof(val)), 0);
	assert_string_equal(val, "0022");
	assert_int_equal(cr_proc_status_field(status, "Uid", val,
					      sizeof(val)), 0);
	assert_string_equal(val, "1000\t1000\t1000\t1000");
	assert_int_equal(cr_proc_status_field(status, "Groups", val,
					      sizeof(val)), 0);
	assert_string_equal(val, "");
	/* "Cap" is not a prefix match of "CapEff" */
	assert_int_equal(cr_proc_status_field(status, "Cap", val,
					      sizeof(val)), 0);
	assert_string_equal(val, "x");
	assert_int_equal(cr_proc_status_field(status, "Threads", val,
					      sizeof(val)), -ENOENT);
	/* the value is cut to the buffer */
	assert_int_equal(cr_proc_status_field(status, "State", val, 4), 0);
	assert_string_equal(val, "S (");
}

static void test_stat_mm_fields_after_a_tricky_comm(void **state)
{
	char line[1024];
	struct cr_mm_map map = { 0 };
	int i, n;

	/* comm with spaces and a ')' inside, then fields 3..52 */
	n = snprintf(line, sizeof(line), "1234 (a) b (c)) S");
	for (i = 4; i <= 52; i++)
		n += snprintf(line + n, sizeof(line) - n, " %d", i * 1000);
	assert_int_equal(cr_parse_stat_mm(line, &map), 0);
	assert_int_equal(map.start_code, 26000);
	assert_int_equal(map.end_code, 27000);
	assert_int_equal(map.start_stack, 28000);
	assert_int_equal(map.start_data, 45000);
	assert_int_equal(map.end_data, 46000);
	assert_int_equal(map.start_brk, 47000);
	assert_int_equal(map.arg_start, 48000);
	assert_int_equal(map.arg_end, 49000);
	assert_int_equal(map.env_start, 50000);
	assert_int_equal(map.env_end, 51000);
}

static void test_stat_mm_rejects_short_lines(void **state)
{
	struct cr_mm_map map;

	assert_int_equal(cr_parse_stat_mm("1 (x) S 1 2 3", &map), -EINVAL);
	assert_int_equal(cr_parse_stat_mm("no parenthesis", &map), -EINVAL);
}

static void test_auxv_words_keep_the_at_null_pair(void **state)
{
	u64 auxv[] = { 33, 0x7fff0000, 6, 4096, 0, 0, 99, 99 };
	u64 none[] = { 33, 1, 6, 4096 };
	u64 big[CR_AUXV_MAX + 4];

	assert_int_equal(cr_auxv_words(auxv, 8), 6);
	assert_int_equal(cr_auxv_words(none, 4), 4);
	assert_int_equal(cr_auxv_words(auxv, 0), 0);
	memset(big, 0xff, sizeof(big));
	assert_int_equal(cr_auxv_words(big, CR_AUXV_MAX + 4), -E2BIG);
	big[CR_AUXV_MAX - 2] = 0;
	assert_int_equal(cr_auxv_words(big, CR_AUXV_MAX + 4), CR_AUXV_MAX);
}

static void test_pagemap_states(void **state)
{
	const u64 zero_pfn = 0x1234;

	assert_int_equal(cr_pagemap_state(0, true, zero_pfn), CR_PAGE_NONE);
	assert_int_equal(cr_pagemap_state(CR_PM_PRESENT | 77, true, zero_pfn),
			 CR_PAGE_PRIVATE);
	assert_int_equal(cr_pagemap_state(CR_PM_SWAP | 5, true, zero_pfn),
			 CR_PAGE_PRIVATE);
	assert_int_equal(cr_pagemap_state(CR_PM_SWAP | 5, false, zero_pfn),
			 CR_PAGE_PRIVATE);
	assert_int_equal(cr_pagemap_state(CR_PM_PRESENT | CR_PM_FILE | 8,
					  false, zero_pfn), CR_PAGE_FILE);
	/* a copied-on-write page of a file mapping is private */
	assert_int_equal(cr_pagemap_state(CR_PM_PRESENT | 8, false, zero_pfn),
			 CR_PAGE_PRIVATE);
}

/*
 * A PAGEMAP_SCAN range is classed as a pagemap entry of the same page
 * would be, for every combination of what the two report.
 */
static void test_scan_state_agrees_with_pagemap_state(void **state)
{
	const u64 zero_pfn = 0x1234, other_pfn = 0x999;
	unsigned int bits;

	for (bits = 0; bits < 32; bits++) {
		bool present = bits & 1, swapped = bits & 2, file = bits & 4;
		bool zero = bits & 8, anon = bits & 16;
		u64 ent = 0, cats = 0;

		if (present) {
			ent |= CR_PM_PRESENT | (zero ? zero_pfn : other_pfn);
			cats |= CR_PAGE_IS_PRESENT;
			if (zero)
				cats |= CR_PAGE_IS_PFNZERO;
		}
		if (swapped) {
			ent |= CR_PM_SWAP;
			cats |= CR_PAGE_IS_SWAPPED;
		}
		if (file) {
			ent |= CR_PM_FILE;
			cats |= CR_PAGE_IS_FILE;
		}
		if (cr_scan_state(cats, anon) !=
		    cr_pagemap_state(ent, anon, zero_pfn))
			fail_msg("present %d swapped %d file %d zero %d anon %d",
				 present, swapped, file, zero, anon);
	}
	/* unlike pagemap without a known zero PFN, the scan always knows */
	assert_int_equal(cr_scan_state(CR_PAGE_IS_PRESENT | CR_PAGE_IS_PFNZERO,
				       true),
			 CR_PAGE_NONE);
}

static void test_pagemap_zero_page_is_not_saved_in_anon_only(void **state)
{
	const u64 zero_pfn = 0x1234;
	const u64 ent = CR_PM_PRESENT | zero_pfn;

	assert_int_equal(cr_pagemap_state(ent, true, zero_pfn), CR_PAGE_NONE);
	assert_int_equal(cr_pagemap_state(ent, false, zero_pfn),
			 CR_PAGE_PRIVATE);
	/* without a known zero PFN (no CAP_SYS_ADMIN), save it */
	assert_int_equal(cr_pagemap_state(CR_PM_PRESENT, true, 0),
			 CR_PAGE_PRIVATE);
}

/* The first 24 bytes of an image as checkpoint writes them (docs/IMAGE.md) */
static const u8 image_start[CR_IMAGE_HEAD_PEEK] = {
	0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00,	/* HEAD, len 120 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* parent, _pad */
	0x00, 0xd2, 0xa2, 0xc0, 0x0c, 0xed, 0xfe, 0x00,	/* CR_IMAGE_MAGIC */
};

static void test_image_head_is_recognised(void **state)
{
	u8 buf[64] = { 0 };

	assert_true(cr_is_image_head(image_start, sizeof(image_start)));
	/* more bytes read than needed: the rest does not matter */
	memcpy(buf, image_start, sizeof(image_start));
	memset(buf + sizeof(image_start), 0xff,
	       sizeof(buf) - sizeof(image_start));
	assert_true(cr_is_image_head(buf, sizeof(buf)));
}

static void test_image_head_rejects_other_files(void **state)
{
	static const u8 elf[CR_IMAGE_HEAD_PEEK] = { 0x7f, 'E', 'L', 'F', 2, 1 };
	u8 buf[CR_IMAGE_HEAD_PEEK];
	unsigned int i;

	assert_false(cr_is_image_head(elf, sizeof(elf)));
	/* a file shorter than the head's magic */
	assert_false(cr_is_image_head(image_start, sizeof(image_start) - 1));
	assert_false(cr_is_image_head(image_start, 0));
	/* the magic alone at offset 0 (no cr_hdr before it) */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, image_start + 16, 8);
	assert_false(cr_is_image_head(buf, sizeof(buf)));
	/* any byte of the type or of the magic changed */
	for (i = 0; i < sizeof(buf); i++) {
		if (i >= 4 && i < 16)
			continue;	/* len, parent, _pad: not looked at */
		memcpy(buf, image_start, sizeof(buf));
		buf[i] ^= 0x40;
		assert_false(cr_is_image_head(buf, sizeof(buf)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmflags_each_name_gives_its_bit),
		cmocka_unit_test(test_vmflags_typical_stack_line),
		cmocka_unit_test(test_vmflags_unknown_names_are_left_out),
		cmocka_unit_test(test_vma_names_special),
		cmocka_unit_test(test_vma_names_anonymous),
		cmocka_unit_test(test_vma_names_files_and_deleted_files),
		cmocka_unit_test(test_maps_header_file_line),
		cmocka_unit_test(test_maps_header_anonymous_and_shared),
		cmocka_unit_test(test_maps_header_rejects_field_lines),
		cmocka_unit_test(test_status_field),
		cmocka_unit_test(test_stat_mm_fields_after_a_tricky_comm),
		cmocka_unit_test(test_stat_mm_rejects_short_lines),
		cmocka_unit_test(test_auxv_words_keep_the_at_null_pair),
		cmocka_unit_test(test_pagemap_states),
		cmocka_unit_test(test_scan_state_agrees_with_pagemap_state),
		cmocka_unit_test(test_pagemap_zero_page_is_not_saved_in_anon_only),
		cmocka_unit_test(test_image_head_is_recognised),
		cmocka_unit_test(test_image_head_rejects_other_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
