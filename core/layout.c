// SPDX-License-Identifier: GPL-2.0
/*
 * The layout pre-scan: the pid and the VMAs of an image, read from its
 * object headers with the restore's own checks, page data skipped. A shim
 * uses it to keep its own mappings out of the way before the restore.
 */
#include <stdlib.h>
#include <unistd.h>

#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/mm.h"
#include "core/mm/pgarr.h"
#include "core/mm/vma_flags.h"
#include "core/restart.h"

static int cr_skip_fname(struct cr_ctx *ctx)
{
	char *name;
	int ret;

	name = malloc(CR_FNAME_MAX);
	if (!name)
		return -ENOMEM;
	ret = cr_read_fname(ctx, name, CR_FNAME_MAX, NULL);
	free(name);
	return ret;
}

/*
 * Pass over the pgarr batches of one VMA, checking their counts and page
 * addresses as the restore does (@vaddrs: room for CR_PGARR_CHUNK).
 */
static int cr_skip_vma_contents(struct cr_ctx *ctx, u64 *vaddrs, u64 vm_start,
				u64 vm_end)
{
	struct cr_hdr_pgarr hh;
	u64 left = (vm_end - vm_start) >> PAGE_SHIFT;
	u64 next = vm_start;
	u32 tail;
	int ret;

	for (;;) {
		ret = cr_read_obj_var(ctx, &hh, sizeof(hh), CR_HDR_PGARR, NULL,
				      &tail);
		if (ret < 0)
			return ret;
		if (hh.nr_pages > CR_PGARR_CHUNK || hh.nr_pages > left ||
		    tail != hh.nr_pages * sizeof(u64)) {
			cr_err(ctx, "pgarr: nr_pages %llu (%u address bytes) past its bounds",
			       (unsigned long long)hh.nr_pages, tail);
			return -EINVAL;
		}
		if (!hh.nr_pages)
			return 0;
		left -= hh.nr_pages;
		ret = cr_kread_obj(ctx, "pgarr addresses", vaddrs, tail);
		if (!ret)
			ret = cr_check_page_addrs(ctx, vaddrs, hh.nr_pages,
						  &next, vm_end);
		if (!ret)
			ret = cr_kskip(ctx, PAGE_ALIGN(ctx->pos) - ctx->pos +
					       hh.nr_pages * PAGE_SIZE);
		if (ret < 0) {
			if (ret == -EIO)
				cr_err(ctx, "pgarr: image truncated in page data");
			return ret;
		}
	}
}

static int cr_layout_vmas(struct cr_ctx *ctx, struct cr_layout *out)
{
	struct cr_vma_walk walk = { 0 };
	struct cr_hdr_mm mm;
	struct cr_hdr_vma vma;
	u32 parent, tail;
	u64 *vaddrs;
	int ret;

	ret = cr_read_obj_var(ctx, &mm, sizeof(mm), CR_HDR_MM, &parent, &tail);
	if (!ret)
		ret = cr_check_mm(ctx, &mm, parent, tail);
	if (!ret) {
		ret = cr_kskip(ctx, tail);
		if (ret == -EIO)
			cr_err(ctx, "mm auxv: image truncated at offset %llu",
			       (unsigned long long)ctx->pos);
	}
	if (!ret && mm.exe_fname)
		ret = cr_skip_fname(ctx);
	if (ret < 0)
		return ret;

	out->vmas = calloc(mm.map_count + 1, sizeof(*out->vmas));
	vaddrs = malloc(CR_PGARR_CHUNK * sizeof(*vaddrs));
	if (!out->vmas || !vaddrs) {
		ret = -ENOMEM;
		goto out_free_vaddrs;
	}
	for (walk.index = 0; walk.index < mm.map_count; walk.index++) {
		ret = cr_read_obj_type(ctx, &vma, sizeof(vma), CR_HDR_VMA, NULL);
		if (!ret)
			ret = cr_check_vma(ctx, &walk, &vma);
		if (!ret && vma.vma_type == CR_VMA_FILE)
			ret = cr_skip_fname(ctx);
		if (!ret && (vma.vma_type == CR_VMA_ANON ||
			     vma.vma_type == CR_VMA_FILE))
			ret = cr_skip_vma_contents(ctx, vaddrs, vma.vm_start,
					cr_vma_shared_ro(vma.vm_flags) ?
					vma.vm_start : vma.vm_end);
		if (ret < 0)
			goto out_free_vaddrs;
		out->vmas[out->nr_vmas].start = vma.vm_start;
		out->vmas[out->nr_vmas].end = vma.vm_end;
		out->vmas[out->nr_vmas].vma_type = vma.vma_type;
		out->nr_vmas++;
	}
out_free_vaddrs:
	free(vaddrs);
	return ret;
}

/**
 * cr_image_layout() - read the pid and the VMAs of an image
 * @fd: the image, at offset 0; left at an unspecified offset
 * @log: where to say what is wrong with the image
 * @out: filled in; cr_layout_free() it, also after a failure
 *
 * Return: 0, or the error the restore itself would give for the same
 * objects (-EINVAL, -EIO, -ENOMEM).
 */
int cr_image_layout(int fd, const struct cr_log *log, struct cr_layout *out)
{
	struct cr_ctx ctx;
	struct cr_creds c;
	u32 umask;
	char *cwd;
	int ret;

	out->pid = 0;
	out->nr_vmas = 0;
	out->vmas = NULL;
	ret = cr_ctx_init(&ctx, CR_CTX_RSTR, fd, NULL, NULL, log);
	if (ret < 0)
		goto out_fini;
	ctx.io_readahead = CR_IOBUF_SKIM;	/* it skips all page data */
	ret = cr_read_head(&ctx);
	if (ret < 0)
		goto out_fini;
	ret = cr_read_task_creds(&ctx, &c);
	if (ret < 0)
		goto out_fini;
	free(c.groups);
	out->pid = c.pid;

	cwd = malloc(CR_FNAME_MAX);
	if (!cwd) {
		ret = -ENOMEM;
		goto out_fini;
	}
	ret = cr_read_fs_obj(&ctx, &umask, cwd);
	free(cwd);
	if (!ret)
		ret = cr_layout_vmas(&ctx, out);
out_fini:
	cr_ctx_fini(&ctx);
	return ret;
}

/**
 * cr_layout_free() - free what cr_image_layout() allocated
 * @layout: the layout
 */
void cr_layout_free(struct cr_layout *layout)
{
	free(layout->vmas);
	layout->vmas = NULL;
	layout->nr_vmas = 0;
}
