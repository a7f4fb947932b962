// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parsers of what /proc shows (and of the first bytes of a mapped
 * file, to tell a crrun image): no file is opened here, so that
 * tests/unit/test_linux_proc_parse.c can check them anywhere (qemu too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm/vma_flags.h"
#include "shim/linux/proc_parse.h"

/**
 * cr_proc_status_field() - the value of "Key:" in /proc/PID/status text
 * @status: the text
 * @key: the key, without the colon
 * @out: the value, leading blanks skipped, up to the end of the line
 * @len: size of @out
 *
 * Return: 0, or -ENOENT when there is no such line.
 */
int cr_proc_status_field(const char *status, const char *key, char *out,
			 size_t len)
{
	size_t klen = strlen(key), n;
	const char *p = status, *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			p += klen + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			end = strchrnul(p, '\n');
			n = min((size_t)(end - p), len - 1);
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static const struct {
	char name[3];
	unsigned long flag;
} cr_vmflag_names[] = {
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

/**
 * cr_vmflags_parse() - the VM_* bits of a smaps "VmFlags:" value
 * @s: the two-letter names, separated by blanks
 *
 * Names that have no VM_* bit in core/mm/vma_flags.h (shadow stack,
 * sealing, protection keys ...) are left out.
 *
 * Return: the bits.
 */
unsigned long cr_vmflags_parse(const char *s)
{
	unsigned long flags = 0;
	unsigned int i;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!s[0] || s[0] == '\n' || !s[1])
			break;
		for (i = 0; i < ARRAY_SIZE(cr_vmflag_names); i++) {
			if (s[0] == cr_vmflag_names[i].name[0] &&
			    s[1] == cr_vmflag_names[i].name[1]) {
				flags |= cr_vmflag_names[i].flag;
				break;
			}
		}
		while (*s && *s != ' ' && *s != '\t' && *s != '\n')
			s++;
	}
	return flags;
}

static bool cr_str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/**
 * cr_vma_name_type() - the kind of VMA the name column of maps says
 * @name: the name ("" for none)
 * @inode: the inode column
 * @deleted: set when the name is a file's with " (deleted)"
 *
 * Return: enum cr_vma_type.
 */
u32 cr_vma_name_type(const char *name, unsigned long inode, bool *deleted)
{
	*deleted = false;
	if (!strcmp(name, "[vdso]"))
		return CR_VMA_VDSO;
	if (!strcmp(name, "[vvar]"))
		return CR_VMA_VVAR;
	if (!strcmp(name, "[vvar_vclock]"))
		return CR_VMA_VVAR_VCLOCK;
	if (!strcmp(name, "[vsyscall]"))
		return CR_VMA_VSYSCALL;
	if (name[0] != '/' || !inode)
		return CR_VMA_ANON;	/* [heap], [stack], [anon:x], none */
	if (cr_str_ends(name, " (deleted)")) {
		*deleted = true;
		return CR_VMA_ANON;
	}
	return CR_VMA_FILE;
}

/**
 * cr_parse_maps_header() - one header line of /proc/PID/maps or smaps
 * @line: the line, without its newline
 * @m: start, end, the VM_* bits the permissions give, offset, inode, name
 *
 * Return: 0, or -EINVAL when @line is not a VMA's header.
 */
int cr_parse_maps_header(const char *line, struct cr_maps_line *m)
{
	unsigned int maj, mnr;
	char perms[8];
	int n = 0;

	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &m->start, &m->end,
		   perms, &m->offset, &maj, &mnr, &m->inode, &n) < 7 || !n ||
	    strlen(perms) != 4 || m->end <= m->start)
		return -EINVAL;
	m->name = line + n;
	m->flags = 0;
	if (perms[0] == 'r')
		m->flags |= VM_READ | VM_MAYREAD;
	if (perms[1] == 'w')
		m->flags |= VM_WRITE | VM_MAYWRITE;
	if (perms[2] == 'x')
		m->flags |= VM_EXEC | VM_MAYEXEC;
	if (perms[3] == 's')
		m->flags |= VM_SHARED | VM_MAYSHARE;
	return 0;
}

/**
 * cr_parse_stat_mm() - the mm fields of a /proc/PID/stat line
 * @buf: the line (the comm may hold spaces and parentheses)
 * @map: start_code, end_code, start_stack (fields 26-28), start_data,
 *	end_data, start_brk, arg_start, arg_end, env_start, env_end (45-51);
 *	brk is not there
 *
 * Return: 0, or -EINVAL when a field is missing.
 */
int cr_parse_stat_mm(const char *buf, struct cr_mm_map *map)
{
	unsigned long long v[52] = { 0 };
	const char *p;
	char *end;
	unsigned int field;

	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	for (field = 3; field <= 51; field++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return -EINVAL;
		if (field == 3) {	/* state: a letter */
			p++;
			continue;
		}
		v[field] = strtoull(p, &end, 10);
		if (end == p)
			return -EINVAL;
		p = end;
	}
	map->start_code = v[26];
	map->end_code = v[27];
	map->start_stack = v[28];
	map->start_data = v[45];
	map->end_data = v[46];
	map->start_brk = v[47];
	map->arg_start = v[48];
	map->arg_end = v[49];
	map->env_start = v[50];
	map->env_end = v[51];
	return 0;
}

/**
 * cr_auxv_words() - how many words of a saved auxv to keep
 * @auxv: the words of /proc/PID/auxv
 * @n: how many were read
 *
 * Return: the words up to and with the AT_NULL pair (all pairs if there
 * is none), or -E2BIG past CR_AUXV_MAX.
 */
int cr_auxv_words(const u64 *auxv, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		if (auxv[i] == 0) {	/* AT_NULL */
			i += 2;
			break;
		}
	}
	if (i > CR_AUXV_MAX)
		return -E2BIG;
	return i;
}

/**
 * cr_scan_state() - the enum cr_page_state of a PAGEMAP_SCAN range
 * @categories: CR_PAGE_IS_* of its pages
 * @anon: they are in an anonymous VMA (not a deleted file's)
 *
 * The same as cr_pagemap_state() for the same pages, but that the zero
 * page is always known here (PAGE_IS_PFNZERO needs no privilege).
 *
 * Return: the state.
 */
u8 cr_scan_state(u64 categories, bool anon)
{
	if ((categories & CR_PAGE_IS_PRESENT) &&
	    !(categories & CR_PAGE_IS_FILE)) {
		if (anon && (categories & CR_PAGE_IS_PFNZERO))
			return CR_PAGE_NONE;
		return CR_PAGE_PRIVATE;
	}
	if (categories & CR_PAGE_IS_SWAPPED)
		return CR_PAGE_PRIVATE;
	if (categories & CR_PAGE_IS_PRESENT)
		return CR_PAGE_FILE;
	return CR_PAGE_NONE;
}

/**
 * cr_is_image_head() - do the first bytes of a file open a crrun image?
 * @buf: the file's first bytes
 * @len: how many; fewer than CR_IMAGE_HEAD_PEEK is not an image
 *
 * An image opens with the cr_hdr of its head object (type CR_HDR_HEAD),
 * then the head's magic, CR_IMAGE_MAGIC, at byte 16; any format version.
 *
 * Return: true for an image.
 */
bool cr_is_image_head(const void *buf, size_t len)
{
	struct cr_hdr h;
	u64 magic;

	if (len < CR_IMAGE_HEAD_PEEK)
		return false;
	memcpy(&h, buf, sizeof(h));
	memcpy(&magic, (const u8 *)buf + sizeof(h), sizeof(magic));
	return h.type == CR_HDR_HEAD && magic == CR_IMAGE_MAGIC;
}

/**
 * cr_pagemap_state() - the enum cr_page_state of one pagemap entry
 * @ent: the entry (bit 63 present, 62 swapped, 61 file or shared)
 * @anon: the page is in an anonymous VMA (not a deleted file's)
 * @zero_pfn: the zero page's PFN, or 0 when unknown
 *
 * Private when present and anonymous (copied-on-write included) or when
 * swapped; file when present and a page of the page cache; none when not
 * there. The zero page of an anonymous VMA reads as zero: none.
 *
 * Return: the state.
 */
u8 cr_pagemap_state(u64 ent, bool anon, u64 zero_pfn)
{
	if ((ent & CR_PM_PRESENT) && !(ent & CR_PM_FILE)) {
		if (anon && zero_pfn && (ent & CR_PM_PFN_MASK) == zero_pfn)
			return CR_PAGE_NONE;
		return CR_PAGE_PRIVATE;
	}
	if (ent & CR_PM_SWAP)
		return CR_PAGE_PRIVATE;
	if (ent & CR_PM_PRESENT)
		return CR_PAGE_FILE;
	return CR_PAGE_NONE;
}
