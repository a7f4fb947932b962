// SPDX-License-Identifier: GPL-2.0
/*
 * The mock's ->snapshot_mm, ->write_pages and ->map_image.
 *
 * Nothing runs in the mock, so its snapshot copies nothing: what it checks
 * is the engine's side of the contract, that the task is read whole before
 * the snapshot and only its memory after. A test's callback changes the
 * task in the snapshot, as the process running on would.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "core/image_io.h"
#include "core/mm/vma_flags.h"
#include "shim/mock/mock_priv.h"

/**
 * mock_snapshot_mm() - kops->snapshot_mm: mark the target, run the callback
 * @t: the mock target
 *
 * Return: 0, or the injected fault (-EOPNOTSUPP says "no snapshot here").
 */
int mock_snapshot_mm(struct cr_target *t)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_SNAPSHOT_MM);
	if (err)
		return err;
	t->snapshot_taken = true;
	if (t->on_snapshot)
		t->on_snapshot(t, t->on_snapshot_arg);
	return 0;
}

/**
 * mock_task_read() - a member that reads the task was called
 * @t: the mock target
 *
 * After the snapshot the process runs on: what the engine would read of
 * it then is not what the memory holds.
 */
void mock_task_read(struct cr_target *t)
{
	if (t->snapshot_taken)
		mock_misuse(t, MOCK_MISUSE_SNAPSHOT, 0);
}

/**
 * mock_write_pages() - kops->write_pages: pages straight into the image
 * @t: the mock target
 * @vaddrs: ascending page addresses
 * @nr: how many
 * @fd: the image
 * @off: where the first goes
 * @csum: the image's checksum, carried over the pages if MOCK_WRITE_SUMMED
 *
 * Return: 1 (summed) or 0, -EOPNOTSUPP unless offered or for a page of a
 * VMA that is not readable (the Linux shim's child could not write it),
 * -EINVAL for addresses out of order or unmapped, -EIO if the file takes
 * less.
 */
int mock_write_pages(struct cr_target *t, const u64 *vaddrs, unsigned int nr,
		     int fd, u64 off, u32 *csum)
{
	u8 buf[PAGE_SIZE];
	struct mock_vma *vma;
	unsigned int i;
	int err;

	err = mock_fault_hit(t, MOCK_OP_WRITE_PAGES);
	if (err)
		return err;
	if (t->write_pages == MOCK_WRITE_REFUSED)
		return -EOPNOTSUPP;
	if (!nr)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (!IS_ALIGNED(vaddrs[i], PAGE_SIZE) ||
		    (i && vaddrs[i] <= vaddrs[i - 1]))
			return -EINVAL;
		vma = mock_vma_find(t, vaddrs[i]);
		if (!vma || vma->start > vaddrs[i])
			return -EINVAL;
		if (!(vma->flags & VM_READ))
			return -EOPNOTSUPP;
	}
	for (i = 0; i < nr; i++) {
		err = mock_mm_read(t, vaddrs[i], buf, PAGE_SIZE);
		if (err)
			return err;
		if (pwrite(fd, buf, PAGE_SIZE, off + (u64)i * PAGE_SIZE) !=
		    PAGE_SIZE)
			return -EIO;
		if (t->write_pages == MOCK_WRITE_SUMMED)
			*csum = cr_crc32c(*csum, buf, PAGE_SIZE);
		t->written_pages++;
	}
	return t->write_pages == MOCK_WRITE_SUMMED;
}

/** mock_mm_offer_write_pages() - what ->write_pages does */
void mock_mm_offer_write_pages(struct cr_target *t,
			       enum mock_write_pages how)
{
	t->write_pages = how;
}

/** mock_mm_written_pages() - pages ->write_pages wrote into images */
unsigned long mock_mm_written_pages(struct cr_target *t)
{
	return t->written_pages;
}

/**
 * mock_map_image() - kops->map_image: a private mapping of image pages
 * @t: the mock target
 * @addr: where, page-aligned
 * @nr: pages
 * @prot: PROT_*
 * @off: byte offset in the image, page-aligned
 *
 * Pages past the end of the image map as zeros (the kernel would map them
 * and give SIGBUS on access): the engine must find the image short itself.
 *
 * Return: 0, -EBADF without an image, -EINVAL (unaligned), -EIO, -ENOMEM,
 * or what mapping there gives.
 */
int mock_map_image(struct cr_target *t, unsigned long addr, unsigned long nr,
		   unsigned long prot, u64 off)
{
	struct cr_file_id id = { 0 };
	struct mock_inode *inode;
	size_t len = nr * PAGE_SIZE;
	long ret;

	ret = mock_fault_hit(t, MOCK_OP_MAP_IMAGE);
	if (ret)
		return ret;
	if (t->image_fd < 0)
		return -EBADF;
	if (!nr || nr > CR_TASK_SIZE_MAX / PAGE_SIZE ||
	    !IS_ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	/* one inode a mapping: the image's bytes at @off as its page 0 */
	inode = mock_inode_new(MOCK_IMAGE_PATH, NULL, len, &id);
	if (!inode)
		return -ENOMEM;
	inode->image = true;
	/* as mmap(2), a range past the end of the file maps (then faults) */
	ret = pread(t->image_fd, inode->data, len, off);
	if (ret < 0) {
		ret = -EIO;
		goto out_put;
	}
	memset(inode->data + ret, 0, len - ret);
	ret = __mock_do_mmap(t, addr, len, prot, MAP_PRIVATE | MAP_FIXED,
			     inode, 0);
	if (ret >= 0) {
		t->image_pages += nr;
		ret = 0;
	}
out_put:
	mock_inode_put(inode);
	return ret;
}

/**
 * mock_mm_on_snapshot() - call @fn(@t, @arg) when the snapshot is taken
 * @t: the mock target
 * @fn: the callback, NULL for none
 * @arg: its argument
 */
void mock_mm_on_snapshot(struct cr_target *t,
			 void (*fn)(struct cr_target *t, void *arg), void *arg)
{
	t->on_snapshot = fn;
	t->on_snapshot_arg = arg;
}

/** mock_mm_snapshot_taken() - did ->snapshot_mm succeed on @t? */
bool mock_mm_snapshot_taken(struct cr_target *t)
{
	return t->snapshot_taken;
}

/**
 * mock_mm_release() - the checkpoint is over: the task may be read again
 * @t: the mock target
 */
void mock_mm_release(struct cr_target *t)
{
	t->snapshot_taken = false;
}

/**
 * mock_mm_set_image() - the image ->map_image maps from
 * @t: the mock target
 * @fd: open for reading; the caller keeps it open and closes it
 */
void mock_mm_set_image(struct cr_target *t, int fd)
{
	t->image_fd = fd;
}

/** mock_mm_image_pages() - pages ->map_image mapped into @t */
unsigned long mock_mm_image_pages(struct cr_target *t)
{
	return t->image_pages;
}
