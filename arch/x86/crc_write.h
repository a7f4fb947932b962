/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A loop crrun runs in a traced process: it checksums the process's memory
 * (CRC32C) and writes it to a file, chunk by chunk (arch/x86/crc_write.c).
 */
#ifndef _CR_X86_CRC_WRITE_H
#define _CR_X86_CRC_WRITE_H

#include "core/compat.h"
#include "arch/x86/regs.h"

#define CR_CRC_WRITE_LEN	88
extern const u8 cr_arch_crc_write[CR_CRC_WRITE_LEN];

int cr_arch_crc_write_setup(struct cr_arch_regs *regs, unsigned long iov,
			    unsigned long nr_iov, int fd, u64 off, u32 crc,
			    unsigned long chunk, unsigned long code_ip);
long cr_arch_crc_write_done(const struct cr_arch_regs *regs,
			    unsigned long code_ip, u32 *crc, u64 *off);

#endif /* _CR_X86_CRC_WRITE_H */
