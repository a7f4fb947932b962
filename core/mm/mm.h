/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CR_MM_H
#define _CR_MM_H

#include "core/ctx.h"

/* core/mm/ckpt_mem.c: CR_HDR_MM, its VMAs and their pages, the LDT */
int cr_write_mm(struct cr_ctx *ctx);

/* core/mm/rstr_mem.c: the mirror image */
int cr_read_mm(struct cr_ctx *ctx);

#endif /* _CR_MM_H */
