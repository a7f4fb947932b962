// SPDX-License-Identifier: GPL-2.0
/*
 * A loop crrun runs in a traced process (the snapshot child of a
 * checkpoint: shim/linux/snapshot_write.c): for each iovec, for each chunk
 * of it, the CRC32C of the chunk (the SSE4.2 crc32 instruction), then a
 * pwrite64() of that chunk to a file, at consecutive offsets. The chunk is
 * in the CPU's cache when it is written, so the bytes come from memory
 * once; crrun gets the image's checksum without a second pass over them,
 * and a whole batch of pages costs one ptrace stop.
 *
 * In:  rbx the iovecs, r12 how many, r13 the fd, r10 the file offset,
 *      r15 the CRC (inverted, as the instruction keeps it), rbp the chunk
 *      size; the chunk size and every iovec length a multiple of 8.
 * Out, at its int3: rax 0 when every byte was written, else what the
 *      failing pwrite64 returned (a short count or -errno); r15 and r10
 *      as far as it got. Only rax, rcx, rdx, rsi, rdi, r8-r12 and r15
 *      change.
 */
#include <errno.h>

#include "arch/x86/crc_write.h"

const u8 cr_arch_crc_write[CR_CRC_WRITE_LEN] = {
	0x4d, 0x85, 0xe4,		/* 00: test %r12,%r12		*/
	0x74, 0x50,			/* 03: je 55 (none left)	*/
	0x4c, 0x8b, 0x0b,		/* 05: mov (%rbx),%r9  (base)	*/
	0x4c, 0x8b, 0x43, 0x08,		/* 08: mov 0x8(%rbx),%r8 (len)	*/
	0x48, 0x83, 0xc3, 0x10,		/* 0c: add $0x10,%rbx		*/
	0x49, 0xff, 0xcc,		/* 10: dec %r12			*/
	0x4d, 0x85, 0xc0,		/* 13: test %r8,%r8		*/
	0x74, 0xe8,			/* 16: je 00 (next iovec)	*/
	0x4c, 0x89, 0xc2,		/* 18: mov %r8,%rdx		*/
	0x48, 0x39, 0xea,		/* 1b: cmp %rbp,%rdx		*/
	0x48, 0x0f, 0x47, 0xd5,		/* 1e: cmova %rbp,%rdx (chunk)	*/
	0x4c, 0x89, 0xce,		/* 22: mov %r9,%rsi		*/
	0x48, 0x89, 0xd1,		/* 25: mov %rdx,%rcx		*/
	0xf2, 0x4c, 0x0f, 0x38, 0xf1, 0x3e, /* 28: crc32q (%rsi),%r15	*/
	0x48, 0x83, 0xc6, 0x08,		/* 2e: add $0x8,%rsi		*/
	0x48, 0x83, 0xe9, 0x08,		/* 32: sub $0x8,%rcx		*/
	0x75, 0xf0,			/* 36: jne 28			*/
	0xb8, 0x12, 0x00, 0x00, 0x00,	/* 38: mov $18,%eax (pwrite64)	*/
	0x4c, 0x89, 0xef,		/* 3d: mov %r13,%rdi		*/
	0x4c, 0x89, 0xce,		/* 40: mov %r9,%rsi		*/
	0x0f, 0x05,			/* 43: syscall (rdx, r10 kept)	*/
	0x48, 0x39, 0xd0,		/* 45: cmp %rdx,%rax		*/
	0x75, 0x0d,			/* 48: jne 57 (short or error)	*/
	0x49, 0x01, 0xd2,		/* 4a: add %rdx,%r10		*/
	0x49, 0x01, 0xd1,		/* 4d: add %rdx,%r9		*/
	0x49, 0x29, 0xd0,		/* 50: sub %rdx,%r8		*/
	0xeb, 0xbe,			/* 53: jmp 13 (next chunk)	*/
	0x31, 0xc0,			/* 55: xor %eax,%eax		*/
	0xcc,				/* 57: int3			*/
};

/**
 * cr_arch_crc_write_setup() - set registers to run cr_arch_crc_write
 * @regs: registers of the stopped target, changed in place
 * @iov: address in the target of @nr_iov struct iovec
 * @nr_iov: how many
 * @fd: the file, the target's fd
 * @off: where the first byte goes
 * @crc: the CRC32C so far, as cr_crc32c() gives it
 * @chunk: bytes checksummed then written at a time, a multiple of 8
 * @code_ip: address in the target of a copy of cr_arch_crc_write
 *
 * Return: 0, or -EINVAL for a chunk size the loop cannot take.
 */
int cr_arch_crc_write_setup(struct cr_arch_regs *regs, unsigned long iov,
			    unsigned long nr_iov, int fd, u64 off, u32 crc,
			    unsigned long chunk, unsigned long code_ip)
{
	u64 *r = regs->gregs;

	if (!chunk || chunk % 8)
		return -EINVAL;
	r[CR_RBX] = iov;
	r[CR_R12] = nr_iov;
	r[CR_R13] = (u64)fd;
	r[CR_R10] = off;
	r[CR_R15] = (u32)~crc;
	r[CR_RBP] = chunk;
	r[CR_RIP] = code_ip;
	r[CR_ORIG_RAX] = (u64)-1;
	return 0;
}

/**
 * cr_arch_crc_write_done() - what a run of cr_arch_crc_write did
 * @regs: registers at its int3 stop
 * @code_ip: as given to cr_arch_crc_write_setup()
 * @crc: the CRC32C of everything before and the bytes written
 * @off: the offset after the last byte written
 *
 * @crc and @off are set whatever the outcome; @crc then also covers the
 * chunk whose write failed.
 *
 * Return: 0 when every byte was written, -EIO after a short write, the
 * write's -errno, or -EFAULT if the target did not stop at the int3.
 */
long cr_arch_crc_write_done(const struct cr_arch_regs *regs,
			    unsigned long code_ip, u32 *crc, u64 *off)
{
	const u64 *r = regs->gregs;
	s64 rax = (s64)r[CR_RAX];

	*crc = ~(u32)r[CR_R15];
	*off = r[CR_R10];
	/* the int3 is the last byte; a trap stops just past it */
	if (r[CR_RIP] != code_ip + CR_CRC_WRITE_LEN)
		return -EFAULT;
	if (rax < 0 && rax >= -4095)
		return rax;
	return rax ? -EIO : 0;
}
