/* SPDX-License-Identifier: GPL-2.0 */
/* The terminal of fds 0-2, both ways (core/tty.c). */
#ifndef _CR_TTY_H
#define _CR_TTY_H

#include "core/ctx.h"

int cr_write_tty(struct cr_ctx *ctx);
int cr_read_tty(struct cr_ctx *ctx);

#endif /* _CR_TTY_H */
