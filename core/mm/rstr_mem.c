// SPDX-License-Identifier: GPL-2.0
/*
 * Restore memory address space (the seed, patch 5/9, rstr_mem.c), through
 * ctx->kops only: cr_read_mm -> cr_destroy_mm, cr_read_vma ->
 * cr_read_private_vma_contents -> cr_read_pages_vaddrs,
 * cr_read_pages_contents.
 *
 * The image is untrusted: every field is checked before it is used, and a
 * message names the object and the field. Fixed from 2008 (DESIGN.md):
 *  - cr_read_pages_contents returned 0 whatever happened (defect 2);
 *  - cr_read_vma read hh->vma_type after cr_hbuf_put (3);
 *  - VM_SHARED was tested on MAP_* bits and PROT_SEM on VM_* bits (4);
 *  - no bounds on map_count, nr_pages, page addresses; unaligned, empty,
 *    overlapping or unsorted VMAs and vm_pgoff overflow accepted; the saved
 *    auxv not restored; the vdso mapped as anonymous memory (7);
 *  - the pgarr chain grew by an array per batch (8, in pgarr.c).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/arch.h"
#include "core/image_io.h"
#include "core/mm/mm.h"
#include "core/mm/pgarr.h"
#include "core/mm/vma_flags.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/*
 * restore --lazy maps runs of at least this many pages from the image and
 * copies shorter ones: each mapping is a VMA, and a mapping per scattered
 * page would cost more than the copy and split the process's VMAs up.
 */
#define CR_LAZY_MIN_PAGES	16

/* The vsyscall page sits at a fixed address above the user address space. */
#define CR_VSYSCALL_ADDR	0xffffffffff600000ULL

/**
 * cr_check_vma() - check a VMA record before anything is done with it
 * @ctx: the context (for messages)
 * @walk: index and end of the previous VMA; prev_end is advanced
 * @hh: the record
 *
 * Shared by the restore and by the layout pre-scan (core/layout.c).
 *
 * Return: 0, -EINVAL for a bad field, -ENOSYS for a mapping crrun does
 * not restore (shared, device, huge pages).
 */
int cr_check_vma(struct cr_ctx *ctx, struct cr_vma_walk *walk,
		 const struct cr_hdr_vma *hh)
{
	unsigned int i = walk->index;
	u64 npages;

	if (hh->vma_type < CR_VMA_ANON || hh->vma_type > CR_VMA_TYPE_MAX) {
		cr_err(ctx, "vma %u: vma_type %u unknown", i, hh->vma_type);
		return -EINVAL;
	}
	if (hh->_pad) {
		cr_err(ctx, "vma %u: reserved field not zero", i);
		return -EINVAL;
	}
	if (hh->vm_flags & ~CR_VM_KNOWN) {
		cr_err(ctx, "vma %u: vm_flags %#llx has unknown bits %#llx", i,
		       (unsigned long long)hh->vm_flags,
		       (unsigned long long)(hh->vm_flags & ~CR_VM_KNOWN));
		return -EINVAL;
	}
	if (hh->vma_type == CR_VMA_VSYSCALL) {
		if (hh->vm_start != CR_VSYSCALL_ADDR ||
		    hh->vm_end != CR_VSYSCALL_ADDR + PAGE_SIZE) {
			cr_err(ctx, "vma %u: [vsyscall] at %#llx", i,
			       (unsigned long long)hh->vm_start);
			return -EINVAL;
		}
		return 0;
	}
	if (hh->vm_end <= hh->vm_start) {
		cr_err(ctx, "vma %u: vm_end %#llx not above vm_start %#llx", i,
		       (unsigned long long)hh->vm_end,
		       (unsigned long long)hh->vm_start);
		return -EINVAL;
	}
	if (!IS_ALIGNED(hh->vm_start, PAGE_SIZE) ||
	    !IS_ALIGNED(hh->vm_end, PAGE_SIZE)) {
		cr_err(ctx, "vma %u: %s %#llx not page-aligned", i,
		       IS_ALIGNED(hh->vm_start, PAGE_SIZE) ? "vm_end" : "vm_start",
		       (unsigned long long)(IS_ALIGNED(hh->vm_start, PAGE_SIZE) ?
					    hh->vm_end : hh->vm_start));
		return -EINVAL;
	}
	if (hh->vm_end > CR_TASK_SIZE_MAX) {
		cr_err(ctx, "vma %u: vm_end %#llx above the user address space",
		       i, (unsigned long long)hh->vm_end);
		return -EINVAL;
	}
	if (hh->vm_start < walk->prev_end) {
		cr_err(ctx, "vma %u: vm_start %#llx below the end %#llx of the one before (unsorted or overlapping)",
		       i, (unsigned long long)hh->vm_start,
		       (unsigned long long)walk->prev_end);
		return -EINVAL;
	}
	/*
	 * The seed tested VM_SHARED on MAP_* bits, where it never fired.
	 * Only a read-only shared view of a file is let through.
	 */
	if (cr_vma_unsupported(hh->vma_type, hh->vm_flags)) {
		cr_err(ctx, "vma %u: vm_flags %#llx: shared or device mappings are not supported",
		       i, (unsigned long long)hh->vm_flags);
		return -ENOSYS;
	}
	npages = (hh->vm_end - hh->vm_start) >> PAGE_SHIFT;
	if (hh->vma_type == CR_VMA_FILE) {
		/* the file offset, in bytes, must fit an off_t */
		if (hh->vm_pgoff > ((u64)INT64_MAX >> PAGE_SHIFT) - npages) {
			cr_err(ctx, "vma %u: vm_pgoff %#llx overflows", i,
			       (unsigned long long)hh->vm_pgoff);
			return -EINVAL;
		}
	} else if (hh->vm_pgoff || hh->f_dev || hh->f_ino || hh->f_size ||
		   hh->f_mtime_ns) {
		cr_err(ctx, "vma %u: vm_pgoff or file identity set on a %s VMA",
		       i, hh->vma_type == CR_VMA_ANON ? "anonymous" : "special");
		return -EINVAL;
	}
	walk->prev_end = hh->vm_end;
	return 0;
}

/**
 * cr_check_page_addrs() - check the page addresses of a pgarr batch
 * @ctx: the context (for messages)
 * @vaddrs: the addresses
 * @nr: how many
 * @next: the lowest address allowed; advanced past the last one
 * @vm_end: the end of their VMA
 *
 * Every address must be page-aligned, inside the VMA just mapped and above
 * the previous one (defect 10: the seed took any address, and
 * get_user_pages(force) then wrote wherever it pointed). Shared with the
 * layout pre-scan.
 *
 * Return: 0 or -EINVAL.
 */
int cr_check_page_addrs(struct cr_ctx *ctx, const u64 *vaddrs,
			unsigned long nr, u64 *next, u64 vm_end)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (!IS_ALIGNED(vaddrs[i], PAGE_SIZE) || vaddrs[i] < *next ||
		    vaddrs[i] >= vm_end) {
			cr_err(ctx, "pgarr: page address %#llx not aligned, unsorted or outside its VMA (next %#llx, vm_end %#llx)",
			       (unsigned long long)vaddrs[i],
			       (unsigned long long)*next,
			       (unsigned long long)vm_end);
			return -EINVAL;
		}
		*next = vaddrs[i] + PAGE_SIZE;
	}
	return 0;
}

/* cr_read_pages_vaddrs - read the addresses of a batch into the chain */
static int cr_read_pages_vaddrs(struct cr_ctx *ctx, unsigned long nr_pages,
				u64 *next, u64 vm_end)
{
	struct cr_pgarr *pgarr;
	unsigned int nr;
	u64 *vaddrp;
	int ret;

	while (nr_pages) {
		pgarr = cr_pgarr_current(ctx);
		if (!pgarr)
			return -ENOMEM;
		nr = min((unsigned long)cr_pgarr_nr_free(pgarr), nr_pages);
		vaddrp = &pgarr->vaddrs[pgarr->nr_used];
		ret = cr_kread_obj(ctx, "pgarr addresses", vaddrp,
				   nr * sizeof(*vaddrp));
		if (ret < 0)
			return ret;
		ret = cr_check_page_addrs(ctx, vaddrp, nr, next, vm_end);
		if (ret < 0)
			return ret;
		pgarr->nr_used += nr;
		nr_pages -= nr;
	}
	return 0;
}

/*
 * Read @nr pages of page data into pages kmapped side by side from @start
 * unless an earlier read failed (@ret), and kunmap them.
 */
static int cr_read_kmapped(struct cr_ctx *ctx, char *start, unsigned int nr,
			   int ret)
{
	u64 at = ctx->pos;
	unsigned int i;

	if (!ret) {
		ret = cr_kread_data(ctx, start, (size_t)nr * PAGE_SIZE);
		if (ret == -EIO)
			cr_err(ctx, "pgarr page data: image truncated at offset %llu",
			       (unsigned long long)at);
	}
	/* the seed gave kunmap the page, not the mapping (defect 1) */
	for (i = 0; i < nr; i++)
		ctx->kops->kunmap(ctx->target, start + (size_t)i * PAGE_SIZE);
	return ret;
}

/*
 * Fill @nr pinned pages from the image: pages the shim maps side by side
 * are read in one go, not page by page through the I/O buffer.
 */
static int cr_read_pinned(struct cr_ctx *ctx, struct cr_page **pages,
			  unsigned int nr)
{
	char *start = NULL, *ptr;
	unsigned int i, n = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		ptr = ctx->kops->kmap(ctx->target, pages[i]);
		if (start && ptr == start + (size_t)n * PAGE_SIZE) {
			n++;
			continue;
		}
		if (start)
			ret = cr_read_kmapped(ctx, start, n, ret);
		start = ptr;
		n = 1;
	}
	if (start)
		ret = cr_read_kmapped(ctx, start, n, ret);
	return ret;
}

/* Copy @n consecutive pages from entry @i of @pgarr into the target. */
static int cr_copy_run(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
		       unsigned int i, unsigned int n)
{
	unsigned int j;
	int ret;

	ret = ctx->kops->get_user_pages(ctx->target, pgarr->vaddrs[i], n, 1, 1,
					&pgarr->pages[i]);
	if (ret < 0) {
		cr_err(ctx, "pgarr: pinning %u pages at %#llx: error %d", n,
		       (unsigned long long)pgarr->vaddrs[i], ret);
		return ret;
	}
	ret = cr_read_pinned(ctx, &pgarr->pages[i], n);
	for (j = 0; j < n; j++)
		ctx->kops->put_page(ctx->target, pgarr->pages[i + j]);
	return ret;
}

/*
 * How many consecutive pages start at entry @i of @pgarr, following the
 * chain into the next arrays (a lazy run is not cut where an array ends).
 */
static unsigned long cr_chain_run(struct cr_ctx *ctx, struct cr_pgarr *pgarr,
				  unsigned int i)
{
	u64 next = pgarr->vaddrs[i];
	unsigned long n = 0;

	list_for_each_entry_from(pgarr, &ctx->pgarr_list, list) {
		for (; i < pgarr->nr_used; i++, n++, next += PAGE_SIZE)
			if (pgarr->vaddrs[i] != next)
				return n;
		if (pgarr->nr_used < CR_PGARR_TOTAL)
			break;
		i = 0;
	}
	return n;
}

/*
 * Map @n pages of page data from the image (restore --lazy) and pass over
 * their bytes. Return: 0, 1 if the shim cannot map them (copy them then),
 * or -errno.
 */
static int cr_map_run(struct cr_ctx *ctx, u64 addr, unsigned long n,
		      unsigned long prot)
{
	u64 off = ctx->pos;
	int ret;

	ret = ctx->kops->map_image(ctx->target, addr, n, prot, off);
	if (ret == -EACCES || ret == -EPERM || ret == -ENODEV) {
		/* e.g. executable memory and an image on a noexec mount */
		cr_warn(ctx, "pgarr: cannot map the image at %#llx (error %d): copying instead",
			(unsigned long long)addr, ret);
		ctx->flags &= ~CR_CTX_LAZY;
		ctx->io_readahead = CR_IOBUF_SIZE;
		return 1;
	}
	if (ret < 0) {
		cr_err(ctx, "pgarr: mapping %lu pages of the image at %#llx: error %d",
		       n, (unsigned long long)addr, ret);
		return ret;
	}
	ret = cr_kskip(ctx, (u64)n * PAGE_SIZE);
	if (ret == -EIO)
		cr_err(ctx, "pgarr page data: image truncated at offset %llu",
		       (unsigned long long)off);
	return ret;
}

/*
 * cr_read_pages_contents - put the data of every page in the chain into
 * the target: copied, or, for long runs of a lazy VMA (@lazy_prot not
 * -1), mapped from the image.
 *
 * The seed ended with "return 0" and lost every error (defect 2).
 */
static int cr_read_pages_contents(struct cr_ctx *ctx, long lazy_prot)
{
	struct cr_pgarr *pgarr;
	unsigned long n, skip = 0;
	unsigned int i;
	int ret, flushed;

	ret = cr_read_page_pad(ctx);
	if (ret < 0)
		return ret;
	list_for_each_entry(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			break;
		for (i = 0; i < pgarr->nr_used && !ret; i += n) {
			/* pages a lazy run from an earlier array mapped */
			if (skip) {
				n = min(skip, (unsigned long)pgarr->nr_used - i);
				skip -= n;
				continue;
			}
			n = lazy_prot >= 0 && (ctx->flags & CR_CTX_LAZY) ?
				    cr_chain_run(ctx, pgarr, i) : 0;
			if (n >= CR_LAZY_MIN_PAGES) {
				ret = cr_map_run(ctx, pgarr->vaddrs[i], n,
						 lazy_prot);
				if (ret == 0) {
					skip = n - min(n, (unsigned long)
						       pgarr->nr_used - i);
					n = min(n, (unsigned long)
						   pgarr->nr_used - i);
					continue;
				}
				if (ret < 0)
					break;
				ret = 0;
			}
			n = cr_pgarr_run(pgarr, i);
			ret = cr_copy_run(ctx, pgarr, i, n);
		}
		if (ret < 0)
			break;
	}
	flushed = ctx->kops->flush(ctx->target);
	if (!ret && flushed < 0) {
		cr_err(ctx, "pgarr: writing pages into the target: error %d",
		       flushed);
		ret = flushed;
	}
	return ret;
}

/**
 * cr_read_private_vma_contents - restore the contents of a private VMA
 * @ctx: restart context
 * @vm_start: the VMA just mapped
 * @vm_end: its end
 * @lazy_prot: the VMA's PROT_* if its pages may be mapped from the image
 *	(restore --lazy), else -1
 *
 * Reads a header that says how many pages follow, reads their addresses
 * into the pgarr chain, then their contents. Iterates until a header of
 * zero pages, which ends the VMA. A batch holds at most CR_PGARR_CHUNK
 * pages and no more than the VMA has left (defect 7: the seed took any
 * nr_pages and allocated for it).
 *
 * Return: 0 or -errno.
 */
static int cr_read_private_vma_contents(struct cr_ctx *ctx, u64 vm_start,
					u64 vm_end, long lazy_prot)
{
	struct cr_hdr_pgarr *hh;
	u64 next = vm_start;
	u64 nr_pages;
	u32 tail;
	int ret;

	for (;;) {
		hh = cr_hbuf_get(ctx, sizeof(*hh));
		if (IS_ERR(hh))
			return PTR_ERR(hh);
		ret = cr_read_obj_var(ctx, hh, sizeof(*hh), CR_HDR_PGARR, NULL,
				      &tail);
		nr_pages = hh->nr_pages;
		cr_hbuf_put(ctx, sizeof(*hh));
		if (ret < 0)
			return ret;

		if (nr_pages > CR_PGARR_CHUNK ||
		    nr_pages > (vm_end - next) >> PAGE_SHIFT) {
			cr_err(ctx, "pgarr: nr_pages %llu past the batch bound %lu or the %llu pages left in the VMA",
			       (unsigned long long)nr_pages,
			       (unsigned long)CR_PGARR_CHUNK,
			       (unsigned long long)((vm_end - next) >> PAGE_SHIFT));
			return -EINVAL;
		}
		if (tail != nr_pages * sizeof(u64)) {
			cr_err(ctx, "pgarr: len holds %u address bytes for %llu pages",
			       tail, (unsigned long long)nr_pages);
			return -EINVAL;
		}
		if (!nr_pages)
			return 0;

		ret = cr_read_pages_vaddrs(ctx, nr_pages, &next, vm_end);
		if (!ret)
			ret = cr_read_pages_contents(ctx, lazy_prot);
		cr_pgarr_reset_all(ctx);
		if (ret < 0)
			return ret;
		ctx->nr_pages += nr_pages;
	}
}

/* Find the target's own special mapping of @type (its vdso, say). */
static int cr_find_special(struct cr_ctx *ctx, u32 type,
			   struct cr_vma_info *vma)
{
	unsigned long addr = 0;
	int ret;

	while ((ret = ctx->kops->find_vma(ctx->target, addr, vma)) == 0) {
		if (vma->vma_type == type)
			return 0;
		addr = vma->vm_end;
	}
	return ret;
}

static const char *const cr_special_name[] = {
	[CR_VMA_VDSO] = "[vdso]",
	[CR_VMA_VVAR] = "[vvar]",
	[CR_VMA_VVAR_VCLOCK] = "[vvar_vclock]",
};

/*
 * Move this kernel's vdso (or vvar) to where the image had it: libc keeps
 * its address (PLATFORM.md). The seed dumped it as anonymous memory, old
 * kernel's code and all (defect 12). A vdso of another size is another
 * kernel's, and is refused for now.
 */
static int cr_restore_special(struct cr_ctx *ctx, struct cr_vma_walk *walk,
			      u32 type, u64 vm_start, u64 vm_end)
{
	unsigned int index = walk->index;
	struct cr_vma_info *vma;
	int ret;

	/* a second one would move the first away from where it was put */
	if (walk->specials & (1U << type)) {
		cr_err(ctx, "vma %u: a second %s", index, cr_special_name[type]);
		return -EINVAL;
	}
	walk->specials |= 1U << type;

	vma = malloc(sizeof(*vma));
	if (!vma)
		return -ENOMEM;
	ret = cr_find_special(ctx, type, vma);
	if (ret == -ENOENT) {
		cr_err(ctx, "vma %u: the image has %s, this kernel gives none",
		       index, cr_special_name[type]);
		ret = -EINVAL;
		goto out_free_vma;
	}
	if (ret < 0) {
		cr_err(ctx, "vma %u: finding this kernel's %s: error %d", index,
		       cr_special_name[type], ret);
		goto out_free_vma;
	}
	if (vma->vm_end - vma->vm_start != vm_end - vm_start) {
		cr_err(ctx, "vma %u: %s of %llu bytes, this kernel's has %lu: images from another kernel are not supported",
		       index, cr_special_name[type],
		       (unsigned long long)(vm_end - vm_start),
		       vma->vm_end - vma->vm_start);
		ret = -EINVAL;
		goto out_free_vma;
	}
	if (vma->vm_start != vm_start)
		ret = ctx->kops->do_mremap(ctx->target, vma->vm_start,
					   vm_end - vm_start, vm_start);
	if (ret < 0)
		cr_err(ctx, "vma %u: moving %s to %#llx: error %d", index,
		       cr_special_name[type], (unsigned long long)vm_start,
		       ret);
out_free_vma:
	free(vma);
	return ret;
}

/* Close the file cr_read_vma_file() kept open, if any. */
static void cr_vma_file_put(struct cr_ctx *ctx, struct cr_vma_walk *walk)
{
	if (walk->file)
		ctx->kops->filp_close(ctx->target, walk->file);
	walk->file = NULL;
	free(walk->fname);
	walk->fname = NULL;
}

static bool cr_file_id_equal(const struct cr_file_id *id,
			     const struct cr_hdr_vma *hh)
{
	return id->dev == hh->f_dev && id->ino == hh->f_ino &&
	       id->size == hh->f_size && id->mtime_ns == hh->f_mtime_ns;
}

/*
 * Open the file of a CR_VMA_FILE VMA and check it is the one saved. The
 * file stays open in @walk (cr_vma_file_put()): a binary or a library is
 * several VMAs in a row, and on Linux each open and close is a call
 * injected into the target.
 */
static struct cr_file *cr_read_vma_file(struct cr_ctx *ctx,
					struct cr_vma_walk *walk,
					const struct cr_hdr_vma *hh)
{
	unsigned int index = walk->index;
	struct cr_file_id id;
	struct cr_file *file;
	char *fname;
	int ret;

	fname = malloc(CR_FNAME_MAX);
	if (!fname)
		return ERR_PTR(-ENOMEM);
	ret = cr_read_fname(ctx, fname, CR_FNAME_MAX, NULL);
	if (ret < 0) {
		file = ERR_PTR(ret);
		goto out_free_fname;
	}
	/* the same file as the VMA before, saved with the same identity */
	if (walk->file && !strcmp(walk->fname, fname) &&
	    cr_file_id_equal(&walk->id, hh)) {
		file = walk->file;
		goto out_free_fname;
	}
	cr_vma_file_put(ctx, walk);
	file = ctx->kops->filp_open(ctx->target, fname, O_RDONLY, &id);
	if (IS_ERR(file)) {
		cr_err(ctx, "vma %u: opening %s: error %ld", index, fname,
		       PTR_ERR(file));
		goto out_free_fname;
	}
	if (!cr_file_id_equal(&id, hh)) {
		cr_err(ctx, "vma %u: %s changed since the checkpoint (dev, inode, size or mtime differ)",
		       index, fname);
		ctx->kops->filp_close(ctx->target, file);
		file = ERR_PTR(-ESTALE);
		goto out_free_fname;
	}
	walk->file = file;
	walk->fname = fname;
	walk->id = id;
	return file;

out_free_fname:
	free(fname);
	return file;
}

/*
 * May the pages of this VMA be mapped from the image (restore --lazy)?
 * Anonymous memory only: a file's COW pages must stay pages of that file.
 * Not a stack, which must keep growing down from its lowest VMA, nor
 * mlock'ed memory, which is meant to be resident.
 * Return: the PROT_* to map them with, or -1.
 */
static long cr_lazy_prot(const struct cr_ctx *ctx, const struct cr_hdr_vma *vma,
			 unsigned long prot)
{
	if (!(ctx->flags & CR_CTX_LAZY) || !ctx->kops->map_image ||
	    vma->vma_type != CR_VMA_ANON ||
	    (vma->vm_flags & (VM_GROWSDOWN | VM_LOCKED | VM_LOCKONFAULT)))
		return -1;
	return prot;
}

/*
 * cr_read_vma - read one VMA record, map it, and fill it
 *
 * The fields are copied out of the header buffer before it is put: the
 * seed read hh->vma_type after cr_hbuf_put() (defect 3).
 */
static int cr_read_vma(struct cr_ctx *ctx, struct cr_vma_walk *walk)
{
	unsigned int index = walk->index;
	struct cr_file *file = NULL;
	struct cr_hdr_vma *hh, vma;
	unsigned long prot, flags;
	long addr;
	int ret;

	hh = cr_hbuf_get(ctx, sizeof(*hh));
	if (IS_ERR(hh))
		return PTR_ERR(hh);
	ret = cr_read_obj_type(ctx, hh, sizeof(*hh), CR_HDR_VMA, NULL);
	vma = *hh;
	cr_hbuf_put(ctx, sizeof(*hh));
	if (ret < 0)
		return ret;
	ret = cr_check_vma(ctx, walk, &vma);
	if (ret < 0)
		return ret;

	cr_debug(ctx, "vma %u: %#llx-%#llx type %u flags %#llx", index,
		 (unsigned long long)vma.vm_start,
		 (unsigned long long)vma.vm_end, vma.vma_type,
		 (unsigned long long)vma.vm_flags);

	switch (vma.vma_type) {
	case CR_VMA_ANON:
		break;
	case CR_VMA_FILE:
		file = cr_read_vma_file(ctx, walk, &vma);
		if (IS_ERR(file))
			return PTR_ERR(file);
		break;
	case CR_VMA_VSYSCALL:
		return 0;	/* the kernel's, at its fixed place */
	default:
		return cr_restore_special(ctx, walk, vma.vma_type,
					  vma.vm_start, vma.vm_end);
	}

	prot = cr_calc_map_prot_bits(vma.vm_flags);
	flags = cr_calc_map_flags_bits(vma.vm_flags);
	/* never replace a mapping: the image's VMAs go into free space only */
	flags = (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE;
	if (!file)
		flags |= MAP_ANONYMOUS;

	addr = ctx->kops->do_mmap(ctx->target, vma.vm_start,
				  vma.vm_end - vma.vm_start, prot, flags, file,
				  vma.vm_pgoff);
	/* the file stays open in @walk, for the next VMA of it */
	if (addr < 0) {
		cr_err(ctx, "vma %u: mmap %#llx-%#llx: error %ld", index,
		       (unsigned long long)vma.vm_start,
		       (unsigned long long)vma.vm_end, addr);
		return addr;
	}
	if ((u64)addr != vma.vm_start) {
		cr_err(ctx, "vma %u: mmap at %#llx gave %#lx", index,
		       (unsigned long long)vma.vm_start, addr);
		return -EFAULT;
	}
	/*
	 * A shared view of a file gets no pages: writing one would write the
	 * file. An empty range makes any page past the pages left.
	 */
	if (cr_vma_shared_ro(vma.vm_flags))
		return cr_read_private_vma_contents(ctx, vma.vm_start,
						    vma.vm_start, -1);
	return cr_read_private_vma_contents(ctx, vma.vm_start, vma.vm_end,
					    cr_lazy_prot(ctx, &vma, prot));
}

/* Unmap [@start, @end) of the target, if not empty. */
static int cr_unmap_range(struct cr_ctx *ctx, unsigned long start,
			  unsigned long end)
{
	int ret;

	if (start == end)
		return 0;
	ret = ctx->kops->do_munmap(ctx->target, start, end - start);
	if (ret < 0)
		cr_err(ctx, "mm: unmapping %#lx-%#lx: error %d", start, end,
		       ret);
	return ret;
}

/*
 * cr_destroy_mm - unmap everything the target has, but for the kernel's
 * special mappings (moved later, not recreated) and the shim's own.
 *
 * One munmap covers a whole stretch of VMAs to destroy, holes included
 * (munmap(2) takes them), up to the next VMA that stays: a restore child
 * is a copy of crrun with some twenty VMAs, and each munmap is a call
 * injected into it.
 */
static int cr_destroy_mm(struct cr_ctx *ctx)
{
	struct cr_vma_info *vma;
	unsigned long addr = 0, start = 0, end = 0;
	int ret;

	vma = malloc(sizeof(*vma));
	if (!vma)
		return -ENOMEM;
	for (;;) {
		ret = ctx->kops->find_vma(ctx->target, addr, vma);
		if (ret == -ENOENT) {
			ret = cr_unmap_range(ctx, start, end);
			break;
		}
		if (ret < 0) {
			cr_err(ctx, "mm: finding the VMA above %#lx: error %d",
			       addr, ret);
			break;
		}
		addr = vma->vm_end;
		if (vma->vma_type == CR_VMA_ANON ||
		    vma->vma_type == CR_VMA_FILE) {
			if (start == end)
				start = vma->vm_start;
			end = vma->vm_end;
			continue;
		}
		/* one that stays: what was before it goes now */
		ret = cr_unmap_range(ctx, start, end);
		if (ret < 0)
			break;
		start = end = 0;
	}
	free(vma);
	return ret;
}

/**
 * cr_check_mm() - check the mm record before anything is done with it
 * @ctx: the context; ctx->objref is the task's pid
 * @hh: the record
 * @parent: its parent field
 * @tail: bytes of auxv that follow it
 *
 * The seed tested a u32 map_count for < 0 and nothing else (defect 7).
 *
 * Return: 0 or -EINVAL.
 */
int cr_check_mm(struct cr_ctx *ctx, const struct cr_hdr_mm *hh, u32 parent,
		u32 tail)
{
	const struct {
		const char *name;
		u64 lo, hi;
	} ranges[] = {
		{ "start_code..end_code", hh->start_code, hh->end_code },
		{ "start_data..end_data", hh->start_data, hh->end_data },
		{ "start_brk..brk", hh->start_brk, hh->brk },
		{ "arg_start..arg_end", hh->arg_start, hh->arg_end },
		{ "env_start..env_end", hh->env_start, hh->env_end },
		{ "start_stack", hh->start_stack, hh->start_stack },
	};
	unsigned int i;

	if (parent != ctx->objref || hh->objref != ctx->objref) {
		cr_err(ctx, "mm: objref %u parent %u, task is %u", hh->objref,
		       parent, ctx->objref);
		return -EINVAL;
	}
	if (hh->map_count > CR_MAP_COUNT_MAX) {
		cr_err(ctx, "mm: map_count %u above %u", hh->map_count,
		       CR_MAP_COUNT_MAX);
		return -EINVAL;
	}
	if (hh->nr_auxv > CR_AUXV_MAX || hh->nr_auxv % 2 ||
	    tail != hh->nr_auxv * sizeof(u64)) {
		cr_err(ctx, "mm: nr_auxv %u (with %u bytes) not an even count up to %u",
		       hh->nr_auxv, tail, CR_AUXV_MAX);
		return -EINVAL;
	}
	if (hh->exe_fname > 1 || hh->flags) {
		cr_err(ctx, "mm: exe_fname %u or flags %#llx not understood",
		       hh->exe_fname, (unsigned long long)hh->flags);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		if (ranges[i].lo > ranges[i].hi ||
		    ranges[i].hi > CR_TASK_SIZE_MAX) {
			cr_err(ctx, "mm: %s %#llx..%#llx out of order or above the user address space",
			       ranges[i].name, (unsigned long long)ranges[i].lo,
			       (unsigned long long)ranges[i].hi);
			return -EINVAL;
		}
	}
	return 0;
}

static void cr_mm_map_from_hdr(struct cr_mm_map *map,
			       const struct cr_hdr_mm *hh)
{
	map->start_code = hh->start_code;
	map->end_code = hh->end_code;
	map->start_data = hh->start_data;
	map->end_data = hh->end_data;
	map->start_brk = hh->start_brk;
	map->brk = hh->brk;
	map->start_stack = hh->start_stack;
	map->arg_start = hh->arg_start;
	map->arg_end = hh->arg_end;
	map->env_start = hh->env_start;
	map->env_end = hh->env_end;
	map->nr_auxv = hh->nr_auxv;
}

/* Set the mm fields, the auxv and the exe link, once the VMAs exist. */
static int cr_restore_mm_map(struct cr_ctx *ctx, const struct cr_mm_map *map,
			     const char *exe)
{
	struct cr_file_id id;
	struct cr_file *file = NULL;
	int ret;

	if (exe[0]) {
		file = ctx->kops->filp_open(ctx->target, exe, O_RDONLY, &id);
		if (IS_ERR(file)) {
			cr_err(ctx, "mm: opening exe %s: error %ld", exe,
			       PTR_ERR(file));
			return PTR_ERR(file);
		}
	}
	ret = ctx->kops->set_mm_map(ctx->target, map, file);
	if (ret < 0)
		cr_err(ctx, "mm: setting the mm fields: error %d", ret);
	if (file)
		ctx->kops->filp_close(ctx->target, file);
	return ret;
}

/**
 * cr_read_mm() - restore the address space of ctx->target
 * @ctx: a restart context; ctx->objref is the task's pid
 *
 * The mm record is read and checked in full before the target is touched;
 * then its mappings are destroyed (the seed's "point of no return": a
 * failure after it leaves the target half-made, and the caller discards
 * it), each VMA is read, mapped and filled, the mm fields are set, and the
 * LDT is restored.
 *
 * Return: 0 or -errno.
 */
int cr_read_mm(struct cr_ctx *ctx)
{
	struct cr_vma_walk walk = { 0 };
	struct cr_hdr_mm *hh;
	struct cr_mm_map *map;
	u32 parent, tail, nr = 0;
	char *exe;
	int ret = -ENOMEM;

	map = calloc(1, sizeof(*map));
	exe = calloc(1, CR_FNAME_MAX);
	if (!map || !exe)
		goto out_free;

	hh = cr_hbuf_get(ctx, sizeof(*hh));
	if (IS_ERR(hh)) {
		ret = PTR_ERR(hh);
		goto out_free;
	}
	ret = cr_read_obj_var(ctx, hh, sizeof(*hh), CR_HDR_MM, &parent, &tail);
	if (!ret)
		ret = cr_check_mm(ctx, hh, parent, tail);
	if (!ret) {
		cr_mm_map_from_hdr(map, hh);
		nr = hh->map_count;
		ret = cr_kread_obj(ctx, "mm auxv", map->auxv, tail);
		if (!ret && hh->exe_fname)
			ret = cr_read_fname(ctx, exe, CR_FNAME_MAX, NULL);
	}
	cr_hbuf_put(ctx, sizeof(*hh));
	if (ret < 0)
		goto out_free;

	/* point of no return -- destroy the target's mm */
	ret = cr_destroy_mm(ctx);
	if (ret < 0)
		goto out_free;

	for (walk.index = 0; walk.index < nr; walk.index++) {
		ret = cr_read_vma(ctx, &walk);
		if (ret < 0)
			break;
	}
	/* the mappings hold the files now */
	cr_vma_file_put(ctx, &walk);
	if (ret < 0)
		goto out_free;
	ret = cr_restore_mm_map(ctx, map, exe);
	if (ret < 0)
		goto out_free;
	ret = cr_read_mm_context(ctx, ctx->objref);

out_free:
	free(exe);
	free(map);
	return ret;
}
