// SPDX-License-Identifier: GPL-2.0
/*
 * The LDT: CR_HDR_MM_CONTEXT, written at checkpoint and restored with
 * modify_ldt(2) in the target (the seed's arch/x86/mm/restart.c
 * cr_read_mm_context(), and its checkpoint twin).
 *
 * What the 2008 code got wrong (defects 13 and 14 of LINUX-CR.md):
 *  - it rebuilt base as base0 | base1 << 16 and limit as limit0, dropping
 *    base2 (bits 24-31) and limit1 (bits 16-19) of every descriptor;
 *  - it wrote with modify_ldt(1), the old mode that clears AVL;
 *  - it left entries of the previous LDT at and above nldt in place;
 *  - it did not bound nldt.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/image_io.h"
#include "arch/x86/ldt.h"

#define CR_LDT_BYTES	(CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE)

/**
 * cr_desc_empty() - is this descriptor all zero (an unused LDT entry)?
 * @desc: the descriptor
 *
 * Return: true if every bit is clear.
 */
bool cr_desc_empty(const struct cr_desc_struct *desc)
{
	static const struct cr_desc_struct zero;

	return !memcmp(desc, &zero, sizeof(zero));
}

/**
 * cr_user_desc_empty() - the kernel's LDT_empty() for x86-64
 * @info: what modify_ldt() would be given
 *
 * Writing such a user_desc clears the entry instead of filling it.
 *
 * Return: true if @info asks for an empty entry.
 */
bool cr_user_desc_empty(const struct user_desc *info)
{
	return info->base_addr == 0 && info->limit == 0 &&
	       info->contents == 0 && info->read_exec_only == 1 &&
	       info->seg_32bit == 0 && info->limit_in_pages == 0 &&
	       info->seg_not_present == 1 && info->useable == 0 &&
	       info->lm == 0;
}

/**
 * cr_desc_to_user_desc() - what to give modify_ldt(0x11) to get @desc back
 * @desc: a descriptor as the LDT holds it
 * @entry: its index, for @info->entry_number
 * @info: filled in full
 *
 * The reverse of the kernel's fill_ldt(), keeping every bit: base from
 * base0, base1 and base2, limit from limit0 and limit1, AVL as useable and
 * L as lm. An all-zero descriptor becomes the "empty" user_desc
 * (read_exec_only and seg_not_present set, the rest clear), which clears
 * the entry when written.
 */
void cr_desc_to_user_desc(const struct cr_desc_struct *desc,
			  unsigned int entry, struct user_desc *info)
{
	memset(info, 0, sizeof(*info));
	info->entry_number = entry;

	if (cr_desc_empty(desc)) {
		info->read_exec_only = 1;
		info->seg_not_present = 1;
		return;
	}

	info->base_addr = desc->base0 | (u32)desc->base1 << 16 |
			  (u32)desc->base2 << 24;
	info->limit = desc->limit0 | (u32)desc->limit1 << 16;
	info->seg_32bit = desc->d;
	info->contents = desc->type >> 2;
	info->read_exec_only = !(desc->type & 0x2);
	info->limit_in_pages = desc->g;
	info->seg_not_present = !desc->p;
	info->useable = desc->avl;
	info->lm = desc->l;
}

/**
 * cr_user_desc_to_desc() - the descriptor modify_ldt(0x11, @info) installs
 * @info: a user_desc
 * @desc: filled in full
 *
 * The kernel's write_ldt() and fill_ldt() (arch/x86/include/asm/desc.h):
 * an empty user_desc (LDT_empty()) clears the entry; otherwise the
 * descriptor is a user segment (s = 1, dpl = 3), present or not, with the
 * accessed bit set, and lm is ignored (l = 0). The checks write_ldt() makes
 * (entry_number, a present conforming code segment) are not made here.
 */
void cr_user_desc_to_desc(const struct user_desc *info,
			  struct cr_desc_struct *desc)
{
	memset(desc, 0, sizeof(*desc));
	if (cr_user_desc_empty(info))
		return;

	desc->limit0 = info->limit & 0xffff;
	desc->limit1 = (info->limit >> 16) & 0xf;
	desc->base0 = info->base_addr & 0xffff;
	desc->base1 = (info->base_addr >> 16) & 0xff;
	desc->base2 = (info->base_addr >> 24) & 0xff;
	/* the kernel sets the accessed bit so that the LDT can be mapped RO */
	desc->type = (!info->read_exec_only) << 1 | info->contents << 2 | 1;
	desc->s = 1;
	desc->dpl = 3;
	desc->p = !info->seg_not_present;
	desc->avl = info->useable;
	desc->d = info->seg_32bit;
	desc->g = info->limit_in_pages;
	desc->l = 0;
}

/**
 * cr_desc_refused() - can modify_ldt() recreate this descriptor exactly?
 * @desc: a descriptor from an image
 *
 * modify_ldt() builds only what fill_ldt() makes: a user code or data
 * segment, dpl 3, accessed, not 64-bit, and never a present conforming
 * code segment. Anything else (a call gate or other system descriptor, a
 * kernel-privilege segment...) cannot come from a real LDT and would be
 * restored as something else, so the image is refused.
 *
 * Return: NULL if @desc can be restored, else why not.
 */
const char *cr_desc_refused(const struct cr_desc_struct *desc)
{
	if (cr_desc_empty(desc))
		return NULL;
	if (!desc->s)
		return "system descriptor (s=0: gate, TSS or LDT)";
	if (desc->dpl != 3)
		return "dpl is not 3";
	if (desc->l)
		return "l (64-bit code) is set";
	if (!(desc->type & 0x1))
		return "accessed bit is clear";
	if ((desc->type >> 2) == 3 && desc->p)
		return "present conforming code segment";
	/* what remains would read as LDT_empty() and be cleared */
	if (!desc->p && desc->type == 0x1 && !desc->base0 && !desc->base1 &&
	    !desc->base2 && !desc->limit0 && !desc->limit1 && !desc->avl &&
	    !desc->d && !desc->g)
		return "not present and otherwise empty";
	return NULL;
}

static unsigned long long cr_desc_raw(const struct cr_desc_struct *desc)
{
	u64 raw;

	memcpy(&raw, desc, sizeof(raw));
	return raw;
}

/*
 * Read the target's LDT into @ldt (CR_LDT_ENTRIES entries). Once an LDT
 * exists the kernel returns the whole size asked for, zero-filled, so the
 * count returned is that of the entries up to the last one in use.
 */
static int cr_ldt_read(struct cr_ctx *ctx, struct cr_desc_struct *ldt)
{
	int ret, n;

	memset(ldt, 0, CR_LDT_BYTES);
	ret = ctx->kops->modify_ldt(ctx->target, CR_LDT_FUNC_READ, ldt,
				    CR_LDT_BYTES);
	if (ret < 0)
		return ret;

	n = min(ret, CR_LDT_BYTES) / CR_LDT_ENTRY_SIZE;
	/* a partial entry at the end is not one */
	memset(ldt + n, 0, CR_LDT_BYTES - n * CR_LDT_ENTRY_SIZE);
	while (n > 0 && cr_desc_empty(&ldt[n - 1]))
		n--;
	return n;
}

static int cr_ldt_write(struct cr_ctx *ctx, unsigned int entry,
			const struct cr_desc_struct *desc)
{
	struct user_desc info;
	int ret;

	cr_desc_to_user_desc(desc, entry, &info);
	ret = ctx->kops->modify_ldt(ctx->target, CR_LDT_FUNC_WRITE, &info,
				    sizeof(info));
	if (ret < 0) {
		cr_err(ctx, "mm_context: ldt entry %u (0x%016llx): modify_ldt: %d",
		       entry, cr_desc_raw(desc), ret);
		return ret;
	}
	return 0;
}

/**
 * cr_write_mm_context() - write the target's LDT as CR_HDR_MM_CONTEXT
 * @ctx: a checkpoint context
 * @objref: the mm's objref, the object's parent
 *
 * The object holds the entries up to the last one in use, raw.
 *
 * Return: 0 or -errno.
 */
int cr_write_mm_context(struct cr_ctx *ctx, u32 objref)
{
	struct cr_hdr_mm_context hh = { .ldt_entry_size = CR_LDT_ENTRY_SIZE };
	struct cr_desc_struct *ldt;
	int n, ret;

	ldt = malloc(CR_LDT_BYTES);
	if (!ldt)
		return -ENOMEM;

	n = cr_ldt_read(ctx, ldt);
	if (n < 0) {
		ret = n;
		cr_err(ctx, "mm_context: reading the ldt: %d", ret);
		goto out_free_ldt;
	}

	hh.nldt = n;
	ret = cr_write_obj_var(ctx, CR_HDR_MM_CONTEXT, objref, &hh, sizeof(hh),
			       ldt, n * CR_LDT_ENTRY_SIZE);
	if (ret > 0)
		ret = 0;

out_free_ldt:
	free(ldt);
	return ret;
}

/* Read and check the header; its fields are copied out before the put. */
static int cr_read_mm_context_hdr(struct cr_ctx *ctx, u32 objref, u32 *nldt)
{
	struct cr_hdr_mm_context *hh;
	u32 parent, tail_len, entry_size;
	int ret;

	hh = cr_hbuf_get(ctx, sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	ret = cr_read_obj_var(ctx, hh, sizeof(*hh), CR_HDR_MM_CONTEXT,
			      &parent, &tail_len);
	entry_size = hh->ldt_entry_size;
	*nldt = hh->nldt;
	cr_hbuf_put(ctx, sizeof(*hh));
	if (ret < 0)
		return ret;

	if (parent != objref) {
		cr_err(ctx, "mm_context: parent %u is not the mm's objref %u",
		       parent, objref);
		return -EINVAL;
	}
	if (entry_size != CR_LDT_ENTRY_SIZE) {
		cr_err(ctx, "mm_context: ldt_entry_size %u is not %u",
		       entry_size, CR_LDT_ENTRY_SIZE);
		return -EINVAL;
	}
	if (*nldt > CR_LDT_ENTRIES) {
		cr_err(ctx, "mm_context: nldt %u above LDT_ENTRIES %u",
		       *nldt, CR_LDT_ENTRIES);
		return -EINVAL;
	}
	if (tail_len != *nldt * CR_LDT_ENTRY_SIZE) {
		cr_err(ctx, "mm_context: nldt %u needs %u bytes of entries, the object has %u",
		       *nldt, *nldt * CR_LDT_ENTRY_SIZE, tail_len);
		return -EINVAL;
	}
	return 0;
}

/*
 * Make the target's LDT hold @ldt[0..@nldt) and nothing above: first clear
 * the entries of the previous LDT at and above @nldt (the seed left them),
 * then write each entry. An empty entry over an empty one is skipped: each
 * write is a syscall in the target, and would grow its LDT for nothing.
 */
static int cr_ldt_restore(struct cr_ctx *ctx,
			  const struct cr_desc_struct *ldt, unsigned int nldt)
{
	static const struct cr_desc_struct empty;
	struct cr_desc_struct *cur;
	unsigned int i;
	int n, ret = 0;

	cur = malloc(CR_LDT_BYTES);
	if (!cur)
		return -ENOMEM;

	n = cr_ldt_read(ctx, cur);
	if (n < 0) {
		ret = n;
		cr_err(ctx, "mm_context: reading the previous ldt: %d", ret);
		goto out_free_cur;
	}

	for (i = nldt; i < (unsigned int)n; i++) {
		if (cr_desc_empty(&cur[i]))
			continue;
		ret = cr_ldt_write(ctx, i, &empty);
		if (ret < 0)
			goto out_free_cur;
	}

	for (i = 0; i < nldt; i++) {
		if (cr_desc_empty(&ldt[i]) && cr_desc_empty(&cur[i]))
			continue;
		ret = cr_ldt_write(ctx, i, &ldt[i]);
		if (ret < 0)
			goto out_free_cur;
	}

out_free_cur:
	free(cur);
	return ret;
}

/**
 * cr_read_mm_context() - restore the LDT from CR_HDR_MM_CONTEXT
 * @ctx: a restore context
 * @objref: the mm's objref, which the object must name as its parent
 *
 * Every field and every descriptor is checked before the target is
 * touched. Then the entries of the previous LDT at and above nldt are
 * cleared, and each entry of the image is written with modify_ldt(0x11),
 * which, unlike the seed's mode 1, keeps AVL.
 *
 * Context: after the target's mappings are in place (cr_read_mm()).
 * Return: 0, -EINVAL for a bad field or descriptor, -EIO for a short
 * image, -ENOMEM, or the error of modify_ldt() in the target.
 */
int cr_read_mm_context(struct cr_ctx *ctx, u32 objref)
{
	struct cr_desc_struct *ldt = NULL;
	const char *why;
	unsigned int i;
	u32 nldt = 0;
	int ret;

	ret = cr_read_mm_context_hdr(ctx, objref, &nldt);
	if (ret < 0)
		return ret;
	cr_debug(ctx, "mm_context: nldt %u", nldt);

	if (nldt) {
		ldt = malloc(nldt * CR_LDT_ENTRY_SIZE);
		if (!ldt)
			return -ENOMEM;
		ret = cr_kread_obj(ctx, "mm_context ldt", ldt, nldt * CR_LDT_ENTRY_SIZE);
		if (ret < 0) {
			cr_err(ctx, "mm_context: reading %u ldt entries: %d",
			       nldt, ret);
			goto out_free_ldt;
		}
	}

	for (i = 0; i < nldt; i++) {
		why = cr_desc_refused(&ldt[i]);
		if (why) {
			cr_err(ctx, "mm_context: ldt entry %u (0x%016llx): %s",
			       i, cr_desc_raw(&ldt[i]), why);
			ret = -EINVAL;
			goto out_free_ldt;
		}
	}

	ret = cr_ldt_restore(ctx, ldt, nldt);

out_free_ldt:
	free(ldt);
	return ret;
}
