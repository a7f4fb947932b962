// SPDX-License-Identifier: GPL-2.0
/*
 * The terminal of a process's fds 0-2 (CR_HDR_TTY): its settings and
 * window size. A process on a terminal is restored on the terminal of
 * `crrun restore` (those fds are inherited, CR_FD_INHERIT), as a shell job
 * is continued: the terminal gets the settings the process had (a program
 * in raw mode stays in raw mode), and the process is told with SIGWINCH if
 * the window is not the size it was.
 */
#include <string.h>

#include "core/image_io.h"
#include "core/tty.h"

/* the line disciplines the kernel knows (NR_LDISCS) */
#define CR_TTY_NR_LDISCS	30

/**
 * cr_write_tty() - write the CR_HDR_TTY object of the target
 * @ctx: a checkpoint context
 *
 * Return: 0 or -errno.
 */
int cr_write_tty(struct cr_ctx *ctx)
{
	struct cr_hdr_tty hh = { .fd = -1 };
	struct cr_tty_info tty;
	int ret;

	memset(&tty, 0, sizeof(tty));
	ret = ctx->kops->get_tty(ctx->target, &tty);
	if (ret == -ENOENT)
		return cr_write_obj(ctx, CR_HDR_TTY, ctx->objref, &hh,
				    sizeof(hh));
	if (ret < 0) {
		cr_err(ctx, "tty: reading the terminal's settings: error %d",
		       ret);
		return ret;
	}
	hh.fd = tty.fd;
	hh.c_iflag = tty.c_iflag;
	hh.c_oflag = tty.c_oflag;
	hh.c_cflag = tty.c_cflag;
	hh.c_lflag = tty.c_lflag;
	hh.c_ispeed = tty.c_ispeed;
	hh.c_ospeed = tty.c_ospeed;
	hh.c_line = tty.c_line;
	memcpy(hh.c_cc, tty.c_cc, sizeof(hh.c_cc));
	hh.ws_row = tty.ws_row;
	hh.ws_col = tty.ws_col;
	hh.ws_xpixel = tty.ws_xpixel;
	hh.ws_ypixel = tty.ws_ypixel;
	return cr_write_obj(ctx, CR_HDR_TTY, ctx->objref, &hh, sizeof(hh));
}

/**
 * cr_read_tty() - restore the terminal's settings from CR_HDR_TTY
 * @ctx: a restore context
 *
 * Images before version 3 have no such object: nothing is read. A process
 * that had a terminal but is restored without one (crrun restore's fd is a
 * file or a pipe) gets a warning, not a failure: the user chose its stdio.
 *
 * Return: 0 or -errno.
 */
int cr_read_tty(struct cr_ctx *ctx)
{
	struct cr_hdr_tty hh;
	struct cr_tty_info tty;
	u32 parent;
	int ret;

	if (ctx->version < 3)
		return 0;
	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_TTY, &parent);
	if (ret < 0)
		return ret;
	if (parent != ctx->objref || hh.fd < -1 || hh.fd > 2) {
		cr_err(ctx, "tty: parent %u fd %d", parent, hh.fd);
		return -EINVAL;
	}
	if (hh.fd < 0)
		return 0;
	if (hh.c_line >= CR_TTY_NR_LDISCS) {
		cr_err(ctx, "tty: c_line %u is no line discipline", hh.c_line);
		return -EINVAL;
	}
	tty.fd = hh.fd;
	tty.c_iflag = hh.c_iflag;
	tty.c_oflag = hh.c_oflag;
	tty.c_cflag = hh.c_cflag;
	tty.c_lflag = hh.c_lflag;
	tty.c_ispeed = hh.c_ispeed;
	tty.c_ospeed = hh.c_ospeed;
	tty.c_line = hh.c_line;
	memcpy(tty.c_cc, hh.c_cc, sizeof(tty.c_cc));
	tty.ws_row = hh.ws_row;
	tty.ws_col = hh.ws_col;
	tty.ws_xpixel = hh.ws_xpixel;
	tty.ws_ypixel = hh.ws_ypixel;
	ret = ctx->kops->set_tty(ctx->target, &tty);
	if (ret == -ENOTTY) {
		cr_warn(ctx, "tty: the process had a terminal on fd %d; it is restored on fd %d that is not one",
			hh.fd, hh.fd);
		return 0;
	}
	if (ret < 0)
		cr_err(ctx, "tty: setting the terminal of fd %d: error %d",
		       hh.fd, ret);
	return ret;
}
