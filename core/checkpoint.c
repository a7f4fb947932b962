// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint of one task (the seed series' checkpoint/checkpoint.c): the
 * image is written in stream order, every object through image_io, every
 * fact about the task through ctx->kops.
 *
 *   head, task (+groups), fs (+cwd), mm ... mm_context, files ..., tty,
 *   sighand, signal, thread, cpu (+xstate), tail
 *
 * The task is read whole before its memory: the objects that follow the
 * VMAs in the stream are rendered aside first, so that the shim may then
 * let the task run on while its memory is copied from a snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>

#include "core/arch.h"
#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/mm.h"
#include "core/tty.h"

static int cr_write_head(struct cr_ctx *ctx)
{
	struct cr_hdr_head hh = {
		.magic = CR_IMAGE_MAGIC,
		.version = CR_IMAGE_VERSION,
		.arch = CR_ARCH_X86_64,
		.page_size = PAGE_SIZE,
		.time = time(NULL),
	};
	struct utsname uts;

	if (uname(&uts) == 0) {
		snprintf(hh.release, sizeof(hh.release), "%.*s",
			 (int)sizeof(hh.release) - 1, uts.release);
		snprintf(hh.machine, sizeof(hh.machine), "%.*s",
			 (int)sizeof(hh.machine) - 1, uts.machine);
	}
	return cr_write_obj(ctx, CR_HDR_HEAD, 0, &hh, sizeof(hh));
}

static int cr_write_task(struct cr_ctx *ctx)
{
	struct cr_creds c = { 0 };
	struct cr_hdr_task hh = { 0 };
	int ret;

	ret = ctx->kops->get_creds(ctx->target, &c);
	if (ret < 0) {
		cr_err(ctx, "task: reading credentials: error %d", ret);
		return ret;
	}
	ctx->objref = c.pid;
	hh.pid = c.pid;
	hh.nr_threads = 1;
	hh.uid = c.uid;
	hh.euid = c.euid;
	hh.suid = c.suid;
	hh.fsuid = c.fsuid;
	hh.gid = c.gid;
	hh.egid = c.egid;
	hh.sgid = c.sgid;
	hh.fsgid = c.fsgid;
	hh.ngroups = c.ngroups;
	hh.personality = c.personality;
	hh.cap_inheritable = c.cap_inheritable;
	hh.cap_permitted = c.cap_permitted;
	hh.cap_effective = c.cap_effective;
	hh.cap_bset = c.cap_bset;
	hh.cap_ambient = c.cap_ambient;
	memcpy(hh.comm, c.comm, sizeof(hh.comm) - 1);

	if (c.ngroups > CR_NGROUPS_MAX) {
		cr_err(ctx, "task: %u supplementary groups, more than %u",
		       c.ngroups, CR_NGROUPS_MAX);
		ret = -EINVAL;
	} else
		ret = cr_write_obj_var(ctx, CR_HDR_TASK, 0, &hh, sizeof(hh),
				       c.groups, c.ngroups * sizeof(u32));
	free(c.groups);
	return ret;
}

static int cr_write_fs(struct cr_ctx *ctx)
{
	struct cr_hdr_fs hh = { 0 };
	char *cwd;
	int ret;

	cwd = malloc(CR_FNAME_MAX);
	if (!cwd)
		return -ENOMEM;
	ret = ctx->kops->get_fs(ctx->target, &hh.umask, cwd, CR_FNAME_MAX);
	if (ret < 0) {
		cr_err(ctx, "fs: reading umask and cwd: error %d", ret);
		goto out_free_cwd;
	}
	ret = cr_write_obj(ctx, CR_HDR_FS, ctx->objref, &hh, sizeof(hh));
	if (!ret)
		ret = cr_write_fname(ctx, ctx->objref, cwd);
out_free_cwd:
	free(cwd);
	return ret;
}

/* The file table as read from the target, before it is written. */
struct cr_fd_table {
	struct cr_fd_info *fds;
	u32 *objref;		/* per fd: its open file description */
	unsigned int nr, max;
};

static int cr_fd_table_add(struct cr_fd_table *tab,
			   const struct cr_fd_info *info)
{
	unsigned int i;
	u32 ref = 0;

	if (tab->nr == tab->max) {
		unsigned int max = tab->max ? 2 * tab->max : 16;
		void *fds, *refs;

		fds = realloc(tab->fds, max * sizeof(*tab->fds));
		if (!fds)
			return -ENOMEM;
		tab->fds = fds;
		refs = realloc(tab->objref, max * sizeof(*tab->objref));
		if (!refs)
			return -ENOMEM;
		tab->objref = refs;
		tab->max = max;
	}
	/* the first earlier fd on the same open file gives its objref */
	for (i = 0; i < tab->nr; i++) {
		if (tab->fds[i].ofd_key == info->ofd_key) {
			ref = tab->objref[i];
			break;
		}
		ref = max(ref, tab->objref[i]);
	}
	if (i == tab->nr)
		ref++;
	tab->fds[tab->nr] = *info;
	tab->objref[tab->nr] = ref;
	tab->nr++;
	return 0;
}

static int cr_read_fd_table(struct cr_ctx *ctx, struct cr_fd_table *tab)
{
	struct cr_fd_info *info;
	int fd = 0, ret;

	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	while ((ret = ctx->kops->next_fd(ctx->target, fd, info)) == 0) {
		ret = cr_fd_table_add(tab, info);
		if (ret < 0)
			break;
		fd = info->fd + 1;
	}
	if (ret == -EOPNOTSUPP) {
		cr_err(ctx, "fd %d (%s): this kind of file cannot be saved",
		       info->fd, info->path);
		ret = -ENOSYS;
	} else if (ret == -ENOENT) {
		ret = 0;
	} else if (ret < 0) {
		cr_err(ctx, "files: reading fd %d: error %d", fd, ret);
	}
	free(info);
	return ret;
}

static int cr_write_fd(struct cr_ctx *ctx, const struct cr_fd_info *info,
		       u32 objref, bool first)
{
	struct cr_hdr_fd_ent ent = {
		.objref = objref,
		.fd = info->fd,
		.close_on_exec = !!info->close_on_exec,
	};
	struct cr_hdr_fd_data data = {
		.fd_type = info->fd_type,
		.f_flags = info->f_flags,
		.f_pos = info->f_pos,
		.f_dev = info->id.dev,
		.f_ino = info->id.ino,
		.f_size = info->id.size,
		.f_mtime_ns = info->id.mtime_ns,
	};
	int ret;

	ret = cr_write_obj(ctx, CR_HDR_FD_ENT, ctx->objref, &ent, sizeof(ent));
	if (ret < 0 || !first)
		return ret;
	ret = cr_write_obj(ctx, CR_HDR_FD_DATA, objref, &data, sizeof(data));
	if (ret < 0 || info->fd_type == CR_FD_INHERIT)
		return ret;
	return cr_write_fname(ctx, objref, info->path);
}

static int cr_write_files(struct cr_ctx *ctx, const struct cr_fd_table *tab)
{
	struct cr_hdr_files hh = {
		.objref = ctx->objref,
		.nfds = tab->nr,
	};
	u32 written = 0;
	unsigned int i;
	int ret;

	ret = cr_write_obj(ctx, CR_HDR_FILES, ctx->objref, &hh, sizeof(hh));
	for (i = 0; !ret && i < tab->nr; i++) {
		bool first = tab->objref[i] > written;

		ret = cr_write_fd(ctx, &tab->fds[i], tab->objref[i], first);
		written = max(written, tab->objref[i]);
	}
	return ret;
}

static int cr_write_sighand(struct cr_ctx *ctx)
{
	struct cr_hdr_sighand *hh;
	int sig, ret = 0;

	hh = calloc(1, sizeof(*hh));
	if (!hh)
		return -ENOMEM;
	for (sig = 1; sig <= CR_NSIG && !ret; sig++) {
		ret = ctx->kops->get_sigaction(ctx->target, sig,
					       &hh->action[sig - 1]);
		if (ret < 0)
			cr_err(ctx, "sighand: reading the action of signal %d: error %d",
			       sig, ret);
	}
	if (!ret)
		ret = cr_write_obj(ctx, CR_HDR_SIGHAND, ctx->objref, hh,
				   sizeof(*hh));
	free(hh);
	return ret;
}

static int cr_write_signal(struct cr_ctx *ctx)
{
	struct cr_sigstate s = { 0 };
	struct cr_hdr_signal hh = { 0 };
	int ret;

	ret = ctx->kops->get_sigstate(ctx->target, &s);
	if (ret < 0) {
		cr_err(ctx, "signal: reading the mask and altstack: error %d",
		       ret);
		return ret;
	}
	hh.blocked = s.blocked;
	hh.ss_sp = s.ss_sp;
	hh.ss_size = s.ss_size;
	hh.ss_flags = s.ss_flags;
	hh.stop_sig = s.stop_sig;
	return cr_write_obj(ctx, CR_HDR_SIGNAL, ctx->objref, &hh, sizeof(hh));
}

static int cr_write_thread(struct cr_ctx *ctx)
{
	struct cr_thread_info ti = { 0 };
	struct cr_hdr_thread hh;
	int ret;

	ret = ctx->kops->get_thread(ctx->target, &ti);
	if (ret < 0) {
		cr_err(ctx, "thread: reading rseq: error %d", ret);
		return ret;
	}
	hh.rseq_addr = ti.rseq_addr;
	hh.rseq_len = ti.rseq_len;
	hh.rseq_sig = ti.rseq_sig;
	hh.clear_child_tid = ti.clear_child_tid;
	hh.robust_list = ti.robust_list;
	hh.robust_len = ti.robust_len;
	return cr_write_obj(ctx, CR_HDR_THREAD, ctx->objref, &hh, sizeof(hh));
}

static int cr_write_tail(struct cr_ctx *ctx)
{
	struct cr_hdr_tail hh = {
		.magic = CR_TAIL_MAGIC,
		.csum = ctx->csum,
		.meta_csum = ctx->meta_csum,
		.size = ctx->pos,
	};
	int ret;

	ret = cr_write_obj(ctx, CR_HDR_TAIL, 0, &hh, sizeof(hh));
	if (!ret)
		ret = cr_kflush(ctx);
	return ret;
}

/*
 * The objects after the memory, read now from the stopped task: the LDT
 * (which closes the mm), the files, the signal state, the registers.
 */
static int cr_render_task_rest(struct cr_ctx *ctx,
			       const struct cr_fd_table *tab)
{
	int ret;

	cr_kdefer_begin(ctx);
	ret = cr_write_mm_context(ctx, ctx->objref);
	if (!ret)
		ret = cr_write_files(ctx, tab);
	if (!ret)
		ret = cr_write_tty(ctx);
	if (!ret)
		ret = cr_write_sighand(ctx);
	if (!ret)
		ret = cr_write_signal(ctx);
	if (!ret)
		ret = cr_write_thread(ctx);
	if (!ret)
		ret = cr_write_cpu(ctx, ctx->objref);
	cr_kdefer_end(ctx);
	return ret;
}

/*
 * Let the shim copy the memory aside and the task run on, if it can: the
 * task then stands stopped only while it is read, not while its memory is.
 */
static int cr_snapshot_mm(struct cr_ctx *ctx)
{
	int ret;

	if (!ctx->kops->snapshot_mm)
		return 0;
	ret = ctx->kops->snapshot_mm(ctx->target);
	if (ret == -EOPNOTSUPP) {
		cr_debug(ctx, "mm: no snapshot: the memory is read from the stopped task");
		return 0;
	}
	if (ret < 0)
		cr_err(ctx, "mm: taking a snapshot of the memory: error %d",
		       ret);
	return ret;
}

/**
 * cr_checkpoint() - write the image of one task
 * @ctx: a checkpoint context (cr_ctx_init() with CR_CTX_CKPT)
 *
 * Nothing is changed in the target. Everything but the memory is read
 * first; then ->snapshot_mm, if the shim has it, may let the target run on
 * while the memory is written. On failure the image is incomplete: the
 * caller removes it.
 *
 * Return: 0, -ENOSYS for state crrun cannot save (the log says what), or
 * -errno.
 */
int cr_checkpoint(struct cr_ctx *ctx)
{
	struct cr_fd_table tab = { 0 };
	u32 map_count = 0;
	int ret;

	/*
	 * The file table is read first, though written after the memory: an
	 * fd crrun cannot save refuses the process before its memory is read
	 * (which keeps it stopped the longest).
	 */
	ret = cr_read_fd_table(ctx, &tab);
	if (!ret)
		ret = cr_write_head(ctx);
	if (!ret)
		ret = cr_write_task(ctx);
	if (!ret)
		ret = cr_write_fs(ctx);
	if (!ret)
		ret = cr_write_mm_head(ctx, &map_count);
	if (!ret)
		ret = cr_render_task_rest(ctx, &tab);
	if (!ret)
		ret = cr_snapshot_mm(ctx);
	if (!ret)
		ret = cr_write_mm_vmas(ctx, map_count);
	if (!ret)
		ret = cr_kwrite_deferred(ctx);
	if (!ret)
		ret = cr_write_tail(ctx);
	if (ret < 0)
		cr_debug(ctx, "checkpoint failed at offset %llu: error %d",
			 (unsigned long long)ctx->pos, ret);
	free(tab.objref);
	free(tab.fds);
	return ret;
}
