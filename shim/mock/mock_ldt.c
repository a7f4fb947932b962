// SPDX-License-Identifier: GPL-2.0
/*
 * The mock target's LDT: modify_ldt(2) as arch/x86/kernel/ldt.c does it,
 * over an array of CR_LDT_ENTRIES raw 8-byte descriptors.
 *
 * func 0 reads, func 1 writes in the old mode (AVL cleared, base 0 and
 * limit 0 clear the entry), func 0x11 writes in the new mode, func 2 reads
 * the (all zero) default LDT. The LDT grows to the highest entry written
 * and never shrinks; clearing an entry zeroes it.
 */
#include <stdlib.h>
#include <string.h>
#include <asm/ldt.h>

#include "shim/mock/mock_priv.h"

#define LDT_BYTES	(CR_LDT_ENTRIES * CR_LDT_ENTRY_SIZE)

/* What the kernel's LDT_empty() calls an empty user_desc (lm not looked at) */
static bool user_desc_empty(const struct user_desc *info)
{
	return info->base_addr == 0 && info->limit == 0 &&
	       info->contents == 0 && info->read_exec_only == 1 &&
	       info->seg_32bit == 0 && info->limit_in_pages == 0 &&
	       info->seg_not_present == 1 && info->useable == 0;
}

/*
 * The descriptor fill_ldt() makes, as one little-endian u64:
 *   bits  0-15 limit 15:0     16-39 base 23:0     40-43 type (accessed set)
 *   44 S=1   45-46 DPL=3   47 P   48-51 limit 19:16   52 AVL   53 L=0
 *   54 D   55 G   56-63 base 31:24
 * L stays 0 whatever lm says: the kernel refuses 64-bit code segments.
 */
static u64 fill_ldt(const struct user_desc *info)
{
	u64 type, d = 0;

	type = 1 | (u64)(info->read_exec_only ^ 1) << 1 |
	       (u64)info->contents << 2;
	d |= info->limit & 0xffffULL;
	d |= (u64)(info->base_addr & 0xffffff) << 16;
	d |= type << 40;
	d |= 1ULL << 44;
	d |= 3ULL << 45;
	d |= (u64)(info->seg_not_present ^ 1) << 47;
	d |= (u64)((info->limit >> 16) & 0xf) << 48;
	d |= (u64)info->useable << 52;
	d |= (u64)info->seg_32bit << 54;
	d |= (u64)info->limit_in_pages << 55;
	d |= (u64)(info->base_addr >> 24) << 56;
	return d;
}

static int read_ldt(struct cr_target *t, void *ptr, unsigned long n)
{
	size_t used;

	if (!t->ldt)
		return 0;
	if (!ptr)
		return -EFAULT;
	n = min(n, (unsigned long)LDT_BYTES);
	used = min((unsigned long)t->ldt_nr * CR_LDT_ENTRY_SIZE, n);
	memcpy(ptr, t->ldt, used);
	/* the kernel zero-fills the rest and pretends it read n bytes */
	memset((u8 *)ptr + used, 0, n - used);
	return n;
}

static int read_default_ldt(void *ptr, unsigned long n)
{
	n = min(n, 128UL);
	if (!n)
		return 0;
	if (!ptr)
		return -EFAULT;
	memset(ptr, 0, n);
	return n;
}

static int write_ldt(struct cr_target *t, const void *ptr, unsigned long n,
		     bool oldmode)
{
	struct user_desc info;
	u64 desc = 0;
	int i;

	if (n != sizeof(info))
		return -EINVAL;
	if (!ptr)
		return -EFAULT;
	memcpy(&info, ptr, sizeof(info));
	if (info.entry_number >= CR_LDT_ENTRIES)
		return -EINVAL;
	if (info.contents == 3 && (oldmode || !info.seg_not_present))
		return -EINVAL;

	if (!((oldmode && !info.base_addr && !info.limit) ||
	      user_desc_empty(&info))) {
		desc = fill_ldt(&info);
		if (oldmode)
			desc &= ~(1ULL << 52);	/* AVL */
	}
	if (!t->ldt) {
		t->ldt = calloc(1, LDT_BYTES);
		if (!t->ldt)
			return -ENOMEM;
	}
	for (i = 0; i < CR_LDT_ENTRY_SIZE; i++)
		t->ldt[info.entry_number * CR_LDT_ENTRY_SIZE + i] = desc >> 8 * i;
	t->ldt_nr = max(t->ldt_nr, info.entry_number + 1);
	return 0;
}

/**
 * mock_modify_ldt() - kops->modify_ldt, with the kernel's semantics
 * @t: the mock target
 * @func: 0 read, 1 write (old mode), 2 read the default LDT, 0x11 write
 * @ptr: the buffer, or the struct user_desc to write
 * @n: its size: bytes to read, or sizeof(struct user_desc)
 *
 * func 0 returns 0 when no LDT was ever written; otherwise it copies the
 * entries in use, zero-fills up to min(@n, 64 KiB) and returns that, as
 * the kernel's read_ldt() does.
 *
 * Return: bytes read, 0 after a write, -EINVAL (a bad size, entry_number
 * >= 8192, contents 3 refused), -EFAULT (NULL @ptr), -ENOSYS (other
 * @func), -ENOMEM.
 */
int mock_modify_ldt(struct cr_target *t, int func, void *ptr,
		    unsigned long n)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_MODIFY_LDT);
	if (err)
		return err;
	switch (func) {
	case 0:
		return read_ldt(t, ptr, n);
	case 1:
		return write_ldt(t, ptr, n, true);
	case 2:
		return read_default_ldt(ptr, n);
	case 0x11:
		return write_ldt(t, ptr, n, false);
	default:
		return -ENOSYS;
	}
}
