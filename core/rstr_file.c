// SPDX-License-Identifier: GPL-2.0
/*
 * Restore the file table (the seed series' 9/9, rstr_file.c).
 *
 * Fixed from 2008 (defect 26): errors of each fd are returned, not reset
 * to 0 after the loop; the fd's own error is reported, not its parent's;
 * the seek result is not overwritten; no fd leaks on a later error (the
 * shim installs each fd whole or not at all); open flags that create or
 * truncate are refused, not passed to open.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "core/image_io.h"
#include "core/restart.h"

/* O_* bits an open file description can carry in f_flags */
#define CR_FD_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC |     \
			 O_SYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY |   \
			 O_NOFOLLOW | O_NOATIME | O_PATH | FASYNC)

/* What the reader knows of the open files met so far. */
struct cr_files_walk {
	int *first_fd;		/* per objref - 1: the fd that opened it */
	u32 nr_refs;
	int prev_fd;
	bool has_std[3];
};

static int cr_check_fd_data(struct cr_ctx *ctx, const struct cr_hdr_fd_ent *ent,
			    const struct cr_hdr_fd_data *data)
{
	if (data->fd_type < CR_FD_FILE || data->fd_type > CR_FD_TYPE_MAX) {
		cr_err(ctx, "fd %d: fd_type %u unknown", ent->fd,
		       data->fd_type);
		return -EINVAL;
	}
	if (data->fd_type == CR_FD_INHERIT && ent->fd > 2) {
		cr_err(ctx, "fd %d: fd_type inherit is for fds 0-2 only",
		       ent->fd);
		return -EINVAL;
	}
	if (data->f_flags & ~CR_FD_FLAGS) {
		cr_err(ctx, "fd %d: f_flags %#x has bits %#x that are not an open file's",
		       ent->fd, data->f_flags, data->f_flags & ~CR_FD_FLAGS);
		return -EINVAL;
	}
	if (data->f_pos > INT64_MAX) {
		cr_err(ctx, "fd %d: f_pos %llu", ent->fd,
		       (unsigned long long)data->f_pos);
		return -EINVAL;
	}
	return 0;
}

/* The first fd of an open file: its data, its name, and a fresh open. */
static int cr_read_fd_first(struct cr_ctx *ctx, const struct cr_hdr_fd_ent *ent,
			    struct cr_fd_info *info)
{
	struct cr_hdr_fd_data data;
	u32 parent;
	int ret;

	ret = cr_read_obj_type(ctx, &data, sizeof(data), CR_HDR_FD_DATA,
			       &parent);
	if (ret < 0)
		return ret;
	if (parent != ent->objref) {
		cr_err(ctx, "fd %d: fd_data parent %u, objref %u", ent->fd,
		       parent, ent->objref);
		return -EINVAL;
	}
	ret = cr_check_fd_data(ctx, ent, &data);
	if (ret < 0)
		return ret;
	info->fd_type = data.fd_type;
	info->f_flags = data.f_flags;
	info->f_pos = data.f_pos;
	info->id.dev = data.f_dev;
	info->id.ino = data.f_ino;
	info->id.size = data.f_size;
	info->id.mtime_ns = data.f_mtime_ns;
	info->path[0] = '\0';
	if (data.fd_type == CR_FD_INHERIT)
		return 0;
	ret = cr_read_fname(ctx, info->path, sizeof(info->path), NULL);
	if (ret < 0)
		return ret;
	if (info->path[0] != '/') {
		cr_err(ctx, "fd %d: path '%s' is not absolute", ent->fd,
		       info->path);
		return -EINVAL;
	}
	return 0;
}

static int cr_read_fd(struct cr_ctx *ctx, struct cr_files_walk *walk,
		      struct cr_fd_info *info)
{
	struct cr_hdr_fd_ent ent;
	u32 parent;
	int ret;

	ret = cr_read_obj_type(ctx, &ent, sizeof(ent), CR_HDR_FD_ENT, &parent);
	if (ret < 0)
		return ret;
	if (parent != ctx->objref || ent._pad || ent.close_on_exec > 1 ||
	    ent.fd <= walk->prev_fd || ent.fd >= CR_NFDS_MAX) {
		cr_err(ctx, "fd_ent: fd %d (after %d) parent %u close_on_exec %u",
		       ent.fd, walk->prev_fd, parent, ent.close_on_exec);
		return -EINVAL;
	}
	if (!ent.objref || ent.objref > walk->nr_refs + 1) {
		cr_err(ctx, "fd %d: objref %u, %u files so far", ent.fd,
		       ent.objref, walk->nr_refs);
		return -EINVAL;
	}
	walk->prev_fd = ent.fd;
	info->fd = ent.fd;
	info->close_on_exec = ent.close_on_exec;
	info->dup_of = -1;
	if (ent.objref == walk->nr_refs + 1) {
		ret = cr_read_fd_first(ctx, &ent, info);
		if (ret < 0)
			return ret;
		walk->first_fd[walk->nr_refs++] = ent.fd;
	} else {
		info->dup_of = walk->first_fd[ent.objref - 1];
	}
	if (ent.fd < 3)
		walk->has_std[ent.fd] = true;

	ret = ctx->kops->install_fd(ctx->target, info);
	if (ret < 0)
		cr_err(ctx, "fd %d (%s): error %d", ent.fd,
		       info->dup_of >= 0 ? "dup" :
		       info->fd_type == CR_FD_INHERIT ? "inherited" : info->path,
		       ret);
	return ret;
}

/**
 * cr_read_files() - restore the file table
 * @ctx: a restore context
 *
 * fds 0-2 that the image does not have are closed, so the restored
 * process has exactly the fds it had.
 *
 * Return: 0 or -errno.
 */
int cr_read_files(struct cr_ctx *ctx)
{
	struct cr_files_walk walk = { .prev_fd = -1 };
	struct cr_fd_info *info;
	struct cr_hdr_files hh;
	u32 parent, i;
	int fd, ret;

	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_FILES, &parent);
	if (ret < 0)
		return ret;
	if (parent != ctx->objref || hh.objref != ctx->objref ||
	    hh.nfds > CR_NFDS_MAX) {
		cr_err(ctx, "files: objref %u parent %u nfds %u", hh.objref,
		       parent, hh.nfds);
		return -EINVAL;
	}
	info = malloc(sizeof(*info));
	walk.first_fd = malloc((hh.nfds + 1) * sizeof(int));
	if (!info || !walk.first_fd) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < hh.nfds; i++) {
		ret = cr_read_fd(ctx, &walk, info);
		if (ret < 0)
			goto out_free;
	}
	for (fd = 0; fd < 3; fd++) {
		if (walk.has_std[fd])
			continue;
		ret = ctx->kops->close_fd(ctx->target, fd);
		if (ret == -EBADF)
			ret = 0;
		if (ret < 0) {
			cr_err(ctx, "files: closing fd %d: error %d", fd, ret);
			goto out_free;
		}
	}
out_free:
	free(walk.first_fd);
	free(info);
	return ret;
}
