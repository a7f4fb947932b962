// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint memory address space (the seed series' 4/9, ckpt_mem.c):
 * cr_write_mm_head, cr_write_mm_vmas -> cr_write_vma ->
 * cr_write_private_vma_contents, through
 * ctx->kops only.
 *
 * Fixed from 2008: the per-batch page count is reset after every batch
 * (defect 5: the cumulative count made images with large VMAs unreadable);
 * shared mappings of every kind are refused up front, VM_MAYSHARE included
 * (defect 15); clean file pages are told from private ones by the shim's
 * page state, not by page_mapping() (defect 16); the vdso and vvar are
 * recorded as what they are, not dumped as anonymous memory (defect 12);
 * the mapped file's identity is recorded (defect 17).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arch.h"
#include "core/image_io.h"
#include "core/mm/mm.h"
#include "core/mm/pgarr.h"
#include "core/mm/vma_flags.h"

/* pages whose state is asked at once */
#define CR_STATE_WINDOW	CR_PGARR_CHUNK

static const char *cr_vma_type_name(u32 type)
{
	switch (type) {
	case CR_VMA_ANON:		return "anon";
	case CR_VMA_FILE:		return "file";
	case CR_VMA_VDSO:		return "[vdso]";
	case CR_VMA_VVAR:		return "[vvar]";
	case CR_VMA_VVAR_VCLOCK:	return "[vvar_vclock]";
	case CR_VMA_VSYSCALL:		return "[vsyscall]";
	}
	return "?";
}

static bool cr_vma_has_contents(u32 type)
{
	return type == CR_VMA_ANON || type == CR_VMA_FILE;
}

/* Can this VMA be saved? Say why not, naming it. */
static int cr_check_vma_saveable(struct cr_ctx *ctx,
				 const struct cr_vma_info *vma)
{
	if (vma->vma_type < CR_VMA_ANON || vma->vma_type > CR_VMA_TYPE_MAX) {
		cr_err(ctx, "vma %#lx-%#lx: unknown kind %u", vma->vm_start,
		       vma->vm_end, vma->vma_type);
		return -EINVAL;
	}
	if (cr_vma_unsupported(vma->vma_type, vma->vm_flags)) {
		cr_err(ctx, "vma %#lx-%#lx%s%s: shared or device mapping (vm_flags %#lx) cannot be saved",
		       vma->vm_start, vma->vm_end,
		       vma->vma_type == CR_VMA_FILE ? " " : "",
		       vma->vma_type == CR_VMA_FILE ? vma->path : "",
		       vma->vm_flags);
		return -ENOSYS;
	}
	return 0;
}

/* Count the VMAs to save, refusing what cannot be saved before writing. */
static int cr_count_vmas(struct cr_ctx *ctx, struct cr_vma_info *vma,
			 u32 *count)
{
	unsigned long addr = 0;
	u32 nr = 0;
	int ret;

	while ((ret = ctx->kops->find_vma(ctx->target, addr, vma)) == 0) {
		addr = vma->vm_end;
		if (vma->vma_type == CR_VMA_SHIM)
			continue;
		ret = cr_check_vma_saveable(ctx, vma);
		if (ret < 0)
			return ret;
		if (++nr > CR_MAP_COUNT_MAX) {
			cr_err(ctx, "mm: more than %u VMAs", CR_MAP_COUNT_MAX);
			return -ENOSYS;
		}
	}
	if (ret != -ENOENT) {
		cr_err(ctx, "mm: finding the VMA above %#lx: error %d", addr,
		       ret);
		return ret;
	}
	*count = nr;
	return 0;
}

/* Give back the pages of a batch pinned so far. */
static void cr_put_batch_pages(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;
	unsigned int i;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list) {
		for (i = 0; i < pgarr->nr_used; i++) {
			if (!pgarr->pages[i])
				continue;
			ctx->kops->put_page(ctx->target, pgarr->pages[i]);
			pgarr->pages[i] = NULL;
		}
	}
}

/* Pin the pages of one array in runs of consecutive addresses. */
static int cr_pin_pgarr(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	unsigned int i = 0, n;
	int ret;

	while (i < pgarr->nr_used) {
		n = cr_pgarr_run(pgarr, i);
		ret = ctx->kops->get_user_pages(ctx->target, pgarr->vaddrs[i],
						n, 0, 1, &pgarr->pages[i]);
		if (ret < 0) {
			/* nothing is pinned: forget what the shim left there */
			memset(&pgarr->pages[i], 0, n * sizeof(*pgarr->pages));
			cr_err(ctx, "pgarr: reading %u pages at %#llx: error %d",
			       n, (unsigned long long)pgarr->vaddrs[i], ret);
			return ret;
		}
		i += n;
	}
	return 0;
}

/*
 * Write @nr pages kmapped side by side from @start unless an earlier write
 * failed (@ret), and kunmap them.
 */
static int cr_write_kmapped(struct cr_ctx *ctx, char *start, unsigned int nr,
			    int ret)
{
	unsigned int i;

	if (!ret)
		ret = cr_kwrite_data(ctx, start, (size_t)nr * PAGE_SIZE);
	for (i = 0; i < nr; i++)
		ctx->kops->kunmap(ctx->target, start + (size_t)i * PAGE_SIZE);
	return ret;
}

/*
 * Write the pinned pages of one array. Pages the shim maps side by side
 * go out in one write, not page by page through the I/O buffer.
 */
static int cr_pgarr_write_pages(struct cr_ctx *ctx, struct cr_pgarr *pgarr)
{
	char *start = NULL, *ptr;
	unsigned int i, nr = 0;
	int ret = 0;

	for (i = 0; i < pgarr->nr_used; i++) {
		ptr = ctx->kops->kmap(ctx->target, pgarr->pages[i]);
		if (start && ptr == start + (size_t)nr * PAGE_SIZE) {
			nr++;
			continue;
		}
		if (start)
			ret = cr_write_kmapped(ctx, start, nr, ret);
		start = ptr;
		nr = 1;
	}
	if (start)
		ret = cr_write_kmapped(ctx, start, nr, ret);
	return ret;
}

/* Pin the batch's pages array by array, and write them to the image. */
static int cr_copy_batch(struct cr_ctx *ctx)
{
	struct cr_pgarr *pgarr;
	unsigned int i;
	int ret;

	list_for_each_entry(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			break;
		ret = cr_pin_pgarr(ctx, pgarr);
		if (ret < 0)
			goto out_put_pages;
		ret = cr_pgarr_write_pages(ctx, pgarr);
		if (ret < 0)
			goto out_put_pages;
		for (i = 0; i < pgarr->nr_used; i++) {
			ctx->kops->put_page(ctx->target, pgarr->pages[i]);
			pgarr->pages[i] = NULL;
		}
	}
	return 0;

out_put_pages:
	cr_put_batch_pages(ctx);
	return ret;
}

/*
 * Have the shim write the batch's @nr pages into the image itself,
 * straight from the target (->write_pages): a copy less, and none through
 * crrun. Return: 0, 1 when it cannot (the caller copies them), or -errno.
 */
static int cr_write_batch_direct(struct cr_ctx *ctx, unsigned long nr)
{
	struct cr_pgarr *pgarr;
	unsigned long n = 0;
	u64 *vaddrs;
	u32 csum;
	int ret;

	if (!ctx->direct_pages)
		return 1;
	/* one call a batch: its addresses side by side */
	vaddrs = malloc(nr * sizeof(*vaddrs));
	if (!vaddrs)
		return -ENOMEM;
	list_for_each_entry(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			break;
		memcpy(vaddrs + n, pgarr->vaddrs,
		       pgarr->nr_used * sizeof(*vaddrs));
		n += pgarr->nr_used;
	}
	csum = ctx->csum;
	ret = ctx->kops->write_pages(ctx->target, vaddrs, nr, ctx->fd,
				     ctx->pos, &csum);
	if (ret == -EOPNOTSUPP) {
		ret = 1;
		goto out_free;
	}
	if (ret < 0) {
		cr_err(ctx, "pgarr: writing %lu pages from %#llx into the image: error %d",
		       nr, (unsigned long long)vaddrs[0], ret);
		goto out_free;
	}
	ret = cr_kwrite_extern(ctx, (u64)nr * PAGE_SIZE, ret ? &csum : NULL);
	if (ret < 0)
		cr_err(ctx, "pgarr: taking in %lu pages written at offset %llu: error %d",
		       nr, (unsigned long long)ctx->pos, ret);
out_free:
	free(vaddrs);
	return ret;
}

/*
 * Write one batch: CR_HDR_PGARR with the addresses, zero padding to a page
 * boundary, then the pages in the same order.
 */
static int cr_write_pages_batch(struct cr_ctx *ctx, unsigned long nr)
{
	struct cr_hdr_pgarr hh = { .nr_pages = nr };
	struct cr_pgarr *pgarr;
	int ret;

	ret = cr_write_hdr(ctx, CR_HDR_PGARR, 0, sizeof(hh) + nr * sizeof(u64));
	if (ret < 0)
		return ret;
	ret = cr_kwrite(ctx, &hh, sizeof(hh));
	if (ret < 0)
		return ret;
	list_for_each_entry(pgarr, &ctx->pgarr_list, list) {
		if (!pgarr->nr_used)
			break;
		ret = cr_kwrite(ctx, pgarr->vaddrs,
				pgarr->nr_used * sizeof(u64));
		if (ret < 0)
			return ret;
	}
	ret = cr_write_page_pad(ctx);
	if (ret < 0)
		return ret;

	ret = cr_write_batch_direct(ctx, nr);
	if (ret > 0)
		ret = cr_copy_batch(ctx);
	if (!ret)
		ctx->nr_pages += nr;
	cr_pgarr_reset_all(ctx);
	return ret;
}

/*
 * Where in [@addr, @end) the next page may be that is worth a look:
 * ->next_page skips what holds nothing. Return: the address (@end: none
 * left), or -errno (-EPROTO for an answer outside the range).
 */
static long cr_next_page(struct cr_ctx *ctx, unsigned long addr,
			 unsigned long end)
{
	long next;

	if (!ctx->kops->next_page)
		return addr;
	next = ctx->kops->next_page(ctx->target, addr, end);
	if (next < 0)
		return next;
	if ((unsigned long)next < addr || (unsigned long)next > end ||
	    !IS_ALIGNED(next, PAGE_SIZE))
		return -EPROTO;
	return next;
}

/*
 * cr_write_private_vma_contents - dump the pages a VMA holds of its own
 *
 * The pages the shim calls private (anonymous, copied-on-write, swapped)
 * are gathered into the pgarr chain and written in batches of at most
 * CR_PGARR_CHUNK; a batch of zero pages ends the VMA. The 2008 loop never
 * reset its count after a batch (defect 5): here @cnt restarts at zero.
 * The states are asked a window at a time, each window starting where
 * ->next_page says a page may be.
 */
static int cr_write_private_vma_contents(struct cr_ctx *ctx,
					 const struct cr_vma_info *vma)
{
	struct cr_hdr_pgarr end = { .nr_pages = 0 };
	unsigned long addr, cnt = 0, nr, i;
	struct cr_pgarr *pgarr;
	u8 *state;
	long next;
	int ret = 0;

	state = malloc(CR_STATE_WINDOW);
	if (!state)
		return -ENOMEM;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += nr * PAGE_SIZE) {
		next = cr_next_page(ctx, addr, vma->vm_end);
		if (next < 0) {
			ret = next;
			cr_err(ctx, "vma %#lx-%#lx: next page from %#lx: error %d",
			       vma->vm_start, vma->vm_end, addr, ret);
			goto out_free_state;
		}
		addr = next;
		if (addr >= vma->vm_end)
			break;
		nr = min((vma->vm_end - addr) / PAGE_SIZE,
			 (unsigned long)CR_STATE_WINDOW);
		ret = ctx->kops->page_state(ctx->target, addr, nr, state);
		if (ret < 0) {
			cr_err(ctx, "vma %#lx-%#lx: page state at %#lx: error %d",
			       vma->vm_start, vma->vm_end, addr, ret);
			goto out_free_state;
		}
		for (i = 0; i < nr; i++) {
			if (state[i] != CR_PAGE_PRIVATE)
				continue;
			pgarr = cr_pgarr_current(ctx);
			if (!pgarr) {
				ret = -ENOMEM;
				goto out_free_state;
			}
			pgarr->vaddrs[pgarr->nr_used++] = addr + i * PAGE_SIZE;
			if (++cnt < CR_PGARR_CHUNK)
				continue;
			ret = cr_write_pages_batch(ctx, cnt);
			if (ret < 0)
				goto out_free_state;
			cnt = 0;
		}
	}
	if (cnt) {
		ret = cr_write_pages_batch(ctx, cnt);
		if (ret < 0)
			goto out_free_state;
	}
	ret = cr_write_obj(ctx, CR_HDR_PGARR, 0, &end, sizeof(end));

out_free_state:
	cr_pgarr_reset_all(ctx);
	free(state);
	return ret;
}

static int cr_write_vma(struct cr_ctx *ctx, const struct cr_vma_info *vma)
{
	struct cr_hdr_vma hh = {
		.vma_type = vma->vma_type,
		.vm_start = vma->vm_start,
		.vm_end = vma->vm_end,
		.vm_flags = vma->vm_flags,
	};
	int ret;

	cr_debug(ctx, "vma %#lx-%#lx %s flags %#lx", vma->vm_start,
		 vma->vm_end, cr_vma_type_name(vma->vma_type), vma->vm_flags);

	if (vma->vma_type == CR_VMA_FILE) {
		hh.vm_pgoff = vma->vm_pgoff;
		hh.f_dev = vma->id.dev;
		hh.f_ino = vma->id.ino;
		hh.f_size = vma->id.size;
		hh.f_mtime_ns = vma->id.mtime_ns;
	}
	ret = cr_write_obj(ctx, CR_HDR_VMA, 0, &hh, sizeof(hh));
	if (ret < 0)
		return ret;
	if (vma->vma_type == CR_VMA_FILE) {
		ret = cr_write_fname(ctx, 0, vma->path);
		if (ret < 0)
			return ret;
	}
	if (!cr_vma_has_contents(vma->vma_type))
		return 0;
	/* a shared view of a file holds only the file's pages */
	if (cr_vma_shared_ro(vma->vm_flags)) {
		struct cr_hdr_pgarr end = { .nr_pages = 0 };

		return cr_write_obj(ctx, CR_HDR_PGARR, 0, &end, sizeof(end));
	}
	return cr_write_private_vma_contents(ctx, vma);
}

static int cr_write_mm_hdr(struct cr_ctx *ctx, const struct cr_mm_map *map,
			   const char *exe, u32 map_count)
{
	struct cr_hdr_mm hh = {
		.objref = ctx->objref,
		.map_count = map_count,
		.start_code = map->start_code,
		.end_code = map->end_code,
		.start_data = map->start_data,
		.end_data = map->end_data,
		.start_brk = map->start_brk,
		.brk = map->brk,
		.start_stack = map->start_stack,
		.arg_start = map->arg_start,
		.arg_end = map->arg_end,
		.env_start = map->env_start,
		.env_end = map->env_end,
		.nr_auxv = map->nr_auxv,
		.exe_fname = exe[0] != '\0',
	};
	int ret;

	if (map->nr_auxv > CR_AUXV_MAX || map->nr_auxv % 2) {
		cr_err(ctx, "mm: saved auxv of %u words", map->nr_auxv);
		return -EINVAL;
	}
	ret = cr_write_obj_var(ctx, CR_HDR_MM, ctx->objref, &hh, sizeof(hh),
			       map->auxv, map->nr_auxv * sizeof(u64));
	if (ret < 0 || !hh.exe_fname)
		return ret;
	return cr_write_fname(ctx, ctx->objref, exe);
}

/**
 * cr_write_mm_head() - write the mm object and the exe name
 * @ctx: a checkpoint context; ctx->objref is the task's pid
 * @map_count: the VMAs cr_write_mm_vmas() must then find
 *
 * Every VMA is checked before anything is written, so that a process
 * crrun cannot save is refused with the reason and an unchanged image.
 *
 * Return: 0, -ENOSYS for a mapping crrun cannot save, or -errno.
 */
int cr_write_mm_head(struct cr_ctx *ctx, u32 *map_count)
{
	struct cr_vma_info *vma;
	struct cr_mm_map *map;
	char *exe;
	int ret = -ENOMEM;

	vma = malloc(sizeof(*vma));
	map = calloc(1, sizeof(*map));
	exe = calloc(1, CR_FNAME_MAX);
	if (!vma || !map || !exe)
		goto out_free;

	ret = ctx->kops->get_mm_map(ctx->target, map, exe, CR_FNAME_MAX);
	if (ret < 0) {
		cr_err(ctx, "mm: reading the mm fields: error %d", ret);
		goto out_free;
	}
	ret = cr_count_vmas(ctx, vma, map_count);
	if (!ret)
		ret = cr_write_mm_hdr(ctx, map, exe, *map_count);

out_free:
	free(exe);
	free(map);
	free(vma);
	return ret;
}

/**
 * cr_write_mm_vmas() - write the VMAs and their pages
 * @ctx: a checkpoint context, after cr_write_mm_head()
 * @map_count: what cr_write_mm_head() counted
 *
 * The memory may be a snapshot by now (->snapshot_mm): it must hold the
 * VMAs that were counted, no more, no fewer.
 *
 * Return: 0, -EAGAIN if the VMAs changed, or -errno.
 */
int cr_write_mm_vmas(struct cr_ctx *ctx, u32 map_count)
{
	struct cr_vma_info *vma;
	unsigned long addr = 0;
	int flags, ret;

	vma = malloc(sizeof(*vma));
	if (!vma)
		return -ENOMEM;
	/*
	 * ->write_pages writes at file offsets (not into a pipe), and what
	 * it wrote is read back for the checksum
	 */
	flags = fcntl(ctx->fd, F_GETFL);
	ctx->direct_pages = ctx->kops->write_pages && flags >= 0 &&
			    (flags & O_ACCMODE) == O_RDWR &&
			    lseek(ctx->fd, 0, SEEK_CUR) >= 0;
	while ((ret = ctx->kops->find_vma(ctx->target, addr, vma)) == 0) {
		addr = vma->vm_end;
		if (vma->vma_type == CR_VMA_SHIM)
			continue;
		if (!map_count--) {
			cr_err(ctx, "mm: VMAs appeared while saving");
			ret = -EAGAIN;
			goto out_free;
		}
		ret = cr_write_vma(ctx, vma);
		if (ret < 0)
			goto out_free;
	}
	if (ret != -ENOENT) {
		cr_err(ctx, "mm: finding the VMA above %#lx: error %d", addr,
		       ret);
		goto out_free;
	}
	ret = 0;
	if (map_count) {
		cr_err(ctx, "mm: VMAs vanished while saving");
		ret = -EAGAIN;
	}
out_free:
	free(vma);
	return ret;
}
