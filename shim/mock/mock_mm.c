// SPDX-License-Identifier: GPL-2.0
/*
 * The mock target's address space: a sorted list of VMAs with the
 * kernel's mmap/munmap/mremap semantics (MAP_FIXED replaces and splits,
 * MAP_FIXED_NOREPLACE refuses, munmap splits), find_vma, the mm fields,
 * and the target's life cycle.
 *
 * Not the kernel's: adjacent compatible VMAs are never merged (a test sees
 * exactly the VMAs it made, split where something cut them), anonymous
 * VMAs report vm_pgoff 0 (as /proc/PID/maps does), and VM_ACCOUNT is not
 * set. Every operation checks all it can before it changes anything, and
 * allocates what a split may need up front, so that a failure leaves the
 * address space as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/mm/vma_flags.h"
#include "shim/mock/mock_priv.h"

#define MOCK_TASK_SIZE		((unsigned long)CR_TASK_SIZE_MAX)

/* mmap flags the mock takes; anything else is a bug in the engine */
#define MOCK_MAP_KNOWN	(MAP_TYPE | MAP_FIXED | MAP_FIXED_NOREPLACE |   \
			 MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_NORESERVE |  \
			 MAP_LOCKED | MAP_POPULATE | MAP_STACK |          \
			 MAP_DENYWRITE | MAP_EXECUTABLE)

/* VMAs a split or a replace may need, allocated before anything changes */
#define MOCK_SPARES	4

struct mock_spares {
	struct mock_vma *v[MOCK_SPARES];
	int nr;
};

static int spares_alloc(struct mock_spares *sp, int nr)
{
	sp->nr = 0;
	while (sp->nr < nr) {
		sp->v[sp->nr] = calloc(1, sizeof(struct mock_vma));
		if (!sp->v[sp->nr])
			goto out_free_spares;
		sp->nr++;
	}
	return 0;

out_free_spares:
	while (sp->nr)
		free(sp->v[--sp->nr]);
	return -ENOMEM;
}

static struct mock_vma *spares_take(struct mock_spares *sp)
{
	return sp->v[--sp->nr];	/* callers allocate enough: never empty */
}

static void spares_free(struct mock_spares *sp)
{
	while (sp->nr)
		free(sp->v[--sp->nr]);
}

static void vma_free(struct mock_vma *vma)
{
	mock_inode_put(vma->inode);
	free(vma);
}

/* Put @vma in t->vmas, which is sorted by address. */
static void vma_link(struct cr_target *t, struct mock_vma *vma)
{
	struct mock_vma *pos;

	list_for_each_entry(pos, &t->vmas, list) {
		if (pos->start > vma->start)
			break;
	}
	list_add_tail(&vma->list, &pos->list);
	t->nr_vmas++;
}

static void vma_unlink(struct cr_target *t, struct mock_vma *vma)
{
	list_del(&vma->list);
	t->nr_vmas--;
}

/**
 * mock_vma_find() - the first VMA that ends above @addr, as find_vma()
 * @t: the mock target
 * @addr: an address
 *
 * Return: the VMA (which may start above @addr), or NULL.
 */
struct mock_vma *mock_vma_find(struct cr_target *t, unsigned long addr)
{
	struct mock_vma *vma;

	list_for_each_entry(vma, &t->vmas, list) {
		if (vma->end > addr)
			return vma;
	}
	return NULL;
}

/**
 * mock_vma_next() - the VMA after @vma
 * @t: the mock target
 * @vma: a VMA of @t
 *
 * Return: the next VMA by address, or NULL after the last.
 */
struct mock_vma *mock_vma_next(struct cr_target *t, struct mock_vma *vma)
{
	if (vma->list.next == &t->vmas)
		return NULL;
	return list_entry(vma->list.next, struct mock_vma, list);
}

/**
 * mock_range_check() - is [@start, @end) covered by VMAs with no hole?
 * @t: the mock target
 * @start: first byte
 * @end: past the last byte, above @start
 *
 * Return: 0, or -EFAULT if any byte of the range is not mapped.
 */
int mock_range_check(struct cr_target *t, unsigned long start,
		     unsigned long end)
{
	struct mock_vma *vma = mock_vma_find(t, start);
	unsigned long pos = start;

	while (vma && vma->start <= pos) {
		pos = vma->end;
		if (pos >= end)
			return 0;
		vma = mock_vma_next(t, vma);
	}
	return -EFAULT;
}

static bool range_overlaps(struct cr_target *t, unsigned long start,
			   unsigned long end, u32 type)
{
	struct mock_vma *vma;

	for (vma = mock_vma_find(t, start); vma && vma->start < end;
	     vma = mock_vma_next(t, vma)) {
		if (!type || vma->type == type)
			return true;
	}
	return false;
}

/* Refuse (and record) an operation on [start, end) that hits the shim. */
static int shim_guard(struct cr_target *t, unsigned long start,
		      unsigned long end)
{
	if (!range_overlaps(t, start, end, CR_VMA_SHIM))
		return 0;
	mock_misuse(t, MOCK_MISUSE_SHIM, start);
	return -EPERM;
}

/* Cut @vma in two at @at; the upper part is @tail, linked after it. */
static void vma_split(struct cr_target *t, struct mock_vma *vma,
		      unsigned long at, struct mock_vma *tail)
{
	*tail = *vma;
	tail->start = at;
	if (vma->inode) {
		tail->pgoff = vma->pgoff + ((at - vma->start) >> PAGE_SHIFT);
		mock_inode_get(vma->inode);
	}
	vma->end = at;
	list_add(&tail->list, &vma->list);
	t->nr_vmas++;
}

/*
 * Remove [start, end) from the address space, splitting the VMAs that
 * straddle its ends. @sp must hold 2 spares.
 */
static void unmap_range(struct cr_target *t, unsigned long start,
			unsigned long end, struct mock_spares *sp)
{
	struct mock_vma *vma = mock_vma_find(t, start), *next;

	while (vma && vma->start < end) {
		if (vma->start < start) {
			vma_split(t, vma, start, spares_take(sp));
			vma = mock_vma_next(t, vma);
			continue;
		}
		if (vma->end > end)
			vma_split(t, vma, end, spares_take(sp));
		next = mock_vma_next(t, vma);
		vma_unlink(t, vma);
		vma_free(vma);
		vma = next;
	}
	mock_store_remove_range(t, start, end);
}

/* Top-down below MOCK_MMAP_BASE, after trying the hint as the kernel does. */
static long get_unmapped_area(struct cr_target *t, unsigned long hint,
			      unsigned long len)
{
	unsigned long gap_end = MOCK_MMAP_BASE;
	struct mock_vma *vma;

	if (hint && IS_ALIGNED(hint, PAGE_SIZE) && hint >= MOCK_MMAP_MIN &&
	    hint <= MOCK_TASK_SIZE - len &&
	    !range_overlaps(t, hint, hint + len, 0))
		return hint;
	list_for_each_entry_reverse(vma, &t->vmas, list) {
		if (vma->end <= gap_end && gap_end - vma->end >= len)
			break;
		gap_end = min(gap_end, vma->start);
	}
	if (gap_end < MOCK_MMAP_MIN || gap_end - MOCK_MMAP_MIN < len)
		return -ENOMEM;
	return gap_end - len;
}

static unsigned long mmap_vm_flags(unsigned long prot, unsigned long flags)
{
	unsigned long vm = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		vm |= VM_READ;
	if (prot & PROT_WRITE)
		vm |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm |= VM_EXEC;
	if (flags & MAP_GROWSDOWN)
		vm |= VM_GROWSDOWN;
	if (flags & MAP_NORESERVE)
		vm |= VM_NORESERVE;
	if (flags & MAP_LOCKED)
		vm |= VM_LOCKED;
	return vm;
}

/**
 * mock_do_mmap() - kops->do_mmap over the VMA list
 * @t: the mock target
 * @addr: where (a hint without MAP_FIXED / MAP_FIXED_NOREPLACE)
 * @len: bytes, rounded up to pages
 * @prot: PROT_READ, PROT_WRITE, PROT_EXEC; any other bit is -EINVAL
 * @flags: MAP_PRIVATE and MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE,
 *	MAP_GROWSDOWN, MAP_NORESERVE, MAP_LOCKED...; MAP_SHARED only of a
 *	file without PROT_WRITE (VM_MAYSHARE without VM_MAYWRITE, as for a
 *	file opened read-only), else -EINVAL
 * @file: the file for a file mapping, NULL with MAP_ANONYMOUS
 * @pgoff: the file offset in pages
 *
 * MAP_FIXED replaces whatever the range overlaps, splitting VMAs at its
 * ends and dropping their pages; MAP_FIXED_NOREPLACE fails with -EEXIST
 * when anything is there; otherwise a free range is picked top-down below
 * MOCK_MMAP_BASE (the hint first, if free).
 *
 * Return: the address mapped; -EINVAL (len 0, unaligned fixed address,
 * bad prot or flags, a file with MAP_ANONYMOUS), -EBADF (no file, or a
 * closed one), -ENOMEM (beyond the task size, or no room), -EOVERFLOW
 * (@pgoff wraps), -EEXIST, -EPERM (over the shim's own VMA).
 */
long mock_do_mmap(struct cr_target *t, unsigned long addr, unsigned long len,
		  unsigned long prot, unsigned long flags, struct cr_file *file,
		  unsigned long pgoff)
{
	struct mock_inode *inode = NULL;
	long err;

	err = mock_fault_hit(t, MOCK_OP_DO_MMAP);
	if (err)
		return err;
	if (flags & MAP_ANONYMOUS) {
		if (file)
			return -EINVAL;
	} else {
		if (!file)
			return -EBADF;
		inode = mock_file_inode(t, file);
		if (!inode)
			return -EBADF;
	}
	return __mock_do_mmap(t, addr, len, prot, flags, inode, pgoff);
}

/**
 * __mock_do_mmap() - mock_do_mmap() of an inode, not counted as a call
 * @t: the mock target
 * @addr: where
 * @len: bytes
 * @prot: PROT_*
 * @flags: MAP_*
 * @inode: the file's contents with MAP_ANONYMOUS clear, else NULL
 * @pgoff: the file offset in pages
 *
 * Return: as mock_do_mmap().
 */
long __mock_do_mmap(struct cr_target *t, unsigned long addr,
		    unsigned long len, unsigned long prot, unsigned long flags,
		    struct mock_inode *inode, unsigned long pgoff)
{
	struct mock_spares sp;
	struct mock_vma *vma;
	bool fixed;
	long err;

	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (flags & ~(unsigned long)MOCK_MAP_KNOWN)
		return -EINVAL;
	/*
	 * The engine maps shared memory only as a read-only view of a file
	 * opened read-only: anything else shared is a bug to catch.
	 */
	if ((flags & MAP_TYPE) != MAP_PRIVATE &&
	    ((flags & MAP_TYPE) != MAP_SHARED || (flags & MAP_ANONYMOUS) ||
	     (prot & PROT_WRITE)))
		return -EINVAL;
	if (!len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > MOCK_TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_ANONYMOUS) {
		if (inode)
			return -EINVAL;
		pgoff = 0;
	} else if (pgoff + (len >> PAGE_SHIFT) < pgoff) {
		return -EOVERFLOW;
	}

	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (!IS_ALIGNED(addr, PAGE_SIZE))
			return -EINVAL;
		if (addr > MOCK_TASK_SIZE - len)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) &&
		    range_overlaps(t, addr, addr + len, 0))
			return -EEXIST;
		err = shim_guard(t, addr, addr + len);
		if (err)
			return err;
	} else {
		err = get_unmapped_area(t, addr, len);
		if (err < 0)
			return err;
		addr = err;
	}

	if (spares_alloc(&sp, 3))
		return -ENOMEM;
	vma = spares_take(&sp);
	unmap_range(t, addr, addr + len, &sp);
	spares_free(&sp);

	vma->start = addr;
	vma->end = addr + len;
	vma->flags = mmap_vm_flags(prot, flags);
	/* a file opened read-only, shared: the kernel's VM_MAYSHARE alone */
	if ((flags & MAP_TYPE) == MAP_SHARED)
		vma->flags = (vma->flags & ~VM_MAYWRITE) | VM_MAYSHARE;
	vma->pgoff = pgoff;
	vma->type = inode ? CR_VMA_FILE : CR_VMA_ANON;
	vma->inode = inode;
	if (inode)
		mock_inode_get(inode);
	vma_link(t, vma);
	return addr;
}

/**
 * mock_do_munmap() - kops->do_munmap
 * @t: the mock target
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages
 *
 * Splits the VMAs straddling the ends and drops the range's pages; a range
 * with nothing mapped is fine, as in the kernel.
 *
 * Return: 0, -EINVAL (unaligned, empty or beyond the task size), -ENOMEM,
 * -EPERM (the shim's own VMA).
 */
int mock_do_munmap(struct cr_target *t, unsigned long addr, unsigned long len)
{
	struct mock_spares sp;
	int err;

	err = mock_fault_hit(t, MOCK_OP_DO_MUNMAP);
	if (err)
		return err;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || addr > MOCK_TASK_SIZE ||
	    len > MOCK_TASK_SIZE - addr)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	err = shim_guard(t, addr, addr + len);
	if (err)
		return err;
	if (spares_alloc(&sp, 2))
		return -ENOMEM;
	unmap_range(t, addr, addr + len, &sp);
	spares_free(&sp);
	return 0;
}

/**
 * mock_do_mremap() - kops->do_mremap: move a mapping with its pages
 * @t: the mock target
 * @old: page-aligned start of the range to move, inside one VMA
 * @len: bytes, rounded up to pages
 * @new: page-aligned destination
 *
 * As mremap(MREMAP_MAYMOVE | MREMAP_FIXED) with equal sizes: the range is
 * split out of its VMA if it is only part of it, whatever [@new, @new +
 * @len) overlaps is unmapped, and the VMA (type, flags, file, pgoff) and
 * its pages move there.
 *
 * Return: 0, -EINVAL (unaligned, empty, overlapping ranges, beyond the task
 * size, or [vsyscall]), -EFAULT (@old range not inside one VMA), -ENOMEM,
 * -EPERM (the shim's own VMA at either end).
 */
int mock_do_mremap(struct cr_target *t, unsigned long old, unsigned long len,
		   unsigned long new)
{
	struct mock_vma *vma;
	struct mock_spares sp;
	int err;

	err = mock_fault_hit(t, MOCK_OP_DO_MREMAP);
	if (err)
		return err;
	if (!IS_ALIGNED(old, PAGE_SIZE) || !IS_ALIGNED(new, PAGE_SIZE))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > MOCK_TASK_SIZE || new > MOCK_TASK_SIZE - len)
		return -EINVAL;
	if (old + len < old)
		return -EFAULT;
	if (old < new + len && new < old + len)
		return -EINVAL;
	vma = mock_vma_find(t, old);
	if (!vma || vma->start > old || vma->end < old + len)
		return -EFAULT;
	if (vma->type == CR_VMA_VSYSCALL)
		return -EINVAL;
	err = shim_guard(t, old, old + len);
	if (!err)
		err = shim_guard(t, new, new + len);
	if (err)
		return err;
	if (spares_alloc(&sp, 4))
		return -ENOMEM;

	unmap_range(t, new, new + len, &sp);
	/* the destination may have cut the source VMA: find it again */
	vma = mock_vma_find(t, old);
	if (vma->start < old) {
		vma_split(t, vma, old, spares_take(&sp));
		vma = mock_vma_next(t, vma);
	}
	if (vma->end > old + len)
		vma_split(t, vma, old + len, spares_take(&sp));
	spares_free(&sp);

	vma_unlink(t, vma);
	vma->start = new;
	vma->end = new + len;
	vma_link(t, vma);
	mock_store_move_range(t, old, old + len, new);
	return 0;
}

static void vma_info(const struct mock_vma *vma, struct cr_vma_info *info)
{
	info->vm_start = vma->start;
	info->vm_end = vma->end;
	info->vm_flags = vma->flags;
	info->vm_pgoff = vma->pgoff;
	info->vma_type = vma->type;
	memset(&info->id, 0, sizeof(info->id));
	info->path[0] = '\0';
	if (vma->inode) {
		info->id = vma->inode->id;
		snprintf(info->path, sizeof(info->path), "%s",
			 vma->inode->path);
	}
}

/**
 * mock_find_vma() - kops->find_vma
 * @t: the mock target
 * @addr: an address
 * @info: filled with the first VMA that ends above @addr
 *
 * Special VMAs report their own vma_type (CR_VMA_VDSO...), the shim's own
 * CR_VMA_SHIM. A mapping of the image (->map_image) is the process's
 * anonymous memory, as the Linux shim reports it: CR_VMA_ANON, no file.
 *
 * Return: 0, or -ENOENT when no VMA ends above @addr.
 */
int mock_find_vma(struct cr_target *t, unsigned long addr,
		  struct cr_vma_info *info)
{
	struct mock_vma *vma;
	int err;

	err = mock_fault_hit(t, MOCK_OP_FIND_VMA);
	if (err)
		return err;
	vma = mock_vma_find(t, addr);
	if (!vma)
		return -ENOENT;
	vma_info(vma, info);
	if (vma->inode && vma->inode->image) {
		info->vma_type = CR_VMA_ANON;
		info->vm_pgoff = 0;
		memset(&info->id, 0, sizeof(info->id));
		info->path[0] = '\0';
	}
	return 0;
}

/**
 * mock_mm_add_special() - add a VMA the kernel would have made
 * @t: the mock target
 * @vma_type: CR_VMA_VDSO, CR_VMA_VVAR, CR_VMA_VVAR_VCLOCK, CR_VMA_VSYSCALL,
 *	or CR_VMA_SHIM for a range of the shim's own that the engine must
 *	never touch
 * @addr: page-aligned start (vsyscall may lie above the task size)
 * @len: page-aligned length
 *
 * vm_flags are what /proc/PID/smaps shows for them: [vdso] rd ex mr mw me,
 * [vvar] and [vvar_vclock] rd mr pf io de dd, [vsyscall] ex, the shim's
 * rd wr ex mr mw me. Contents start as zeros; mock_mm_write() fills them.
 *
 * Return: 0, -EINVAL (bad type, unaligned, empty, wraps or beyond the task
 * size), -EEXIST (overlaps a VMA), -ENOMEM.
 */
int mock_mm_add_special(struct cr_target *t, u32 vma_type, unsigned long addr,
			unsigned long len)
{
	unsigned long flags;
	struct mock_vma *vma;

	switch (vma_type) {
	case CR_VMA_VDSO:
		flags = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE |
			VM_MAYEXEC;
		break;
	case CR_VMA_VVAR:
	case CR_VMA_VVAR_VCLOCK:
		flags = VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO |
			VM_DONTEXPAND | VM_DONTDUMP;
		break;
	case CR_VMA_VSYSCALL:
		flags = VM_EXEC;
		break;
	case CR_VMA_SHIM:
		flags = VM_READ | VM_WRITE | VM_EXEC | VM_MAYREAD |
			VM_MAYWRITE | VM_MAYEXEC;
		break;
	default:
		return -EINVAL;
	}
	if (!len || !IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return -EINVAL;
	if (addr + len < addr)
		return -EINVAL;
	if (vma_type != CR_VMA_VSYSCALL && addr + len > MOCK_TASK_SIZE)
		return -EINVAL;
	if (range_overlaps(t, addr, addr + len, 0))
		return -EEXIST;
	vma = calloc(1, sizeof(*vma));
	if (!vma)
		return -ENOMEM;
	vma->start = addr;
	vma->end = addr + len;
	vma->flags = flags;
	vma->type = vma_type;
	vma_link(t, vma);
	return 0;
}

/**
 * mock_mm_nr_vmas() - how many VMAs the target has
 * @t: the mock target
 *
 * Return: the count, specials and the shim's included.
 */
int mock_mm_nr_vmas(struct cr_target *t)
{
	return t->nr_vmas;
}

/**
 * mock_mm_vma() - the @i-th VMA in address order
 * @t: the mock target
 * @i: from 0
 * @info: filled with it
 *
 * Return: 0, or -ENOENT when there are not that many.
 */
int mock_mm_vma(struct cr_target *t, int i, struct cr_vma_info *info)
{
	struct mock_vma *vma;

	list_for_each_entry(vma, &t->vmas, list) {
		if (i-- == 0) {
			vma_info(vma, info);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * mock_get_mm_map() - kops->get_mm_map
 * @t: the mock target
 * @map: filled with the mm fields and saved auxv
 * @exe: filled with the exe path ("" when none), may be NULL
 * @exe_len: bytes at @exe
 *
 * Return: 0, or -ENAMETOOLONG when the path does not fit in @exe.
 */
int mock_get_mm_map(struct cr_target *t, struct cr_mm_map *map, char *exe,
		    size_t exe_len)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_MM_MAP);
	if (err)
		return err;
	if (exe && strlen(t->exe) >= exe_len)
		return -ENAMETOOLONG;
	*map = t->mm_map;
	if (exe)
		strcpy(exe, t->exe);
	return 0;
}

/**
 * mock_set_mm_map() - kops->set_mm_map
 * @t: the mock target
 * @map: the mm fields and saved auxv
 * @exe: the new exe file, or NULL to keep the current one
 *
 * Return: 0, -EINVAL (an odd or too large nr_auxv, an end below its start,
 * an address beyond the task size), -EBADF (@exe closed).
 */
int mock_set_mm_map(struct cr_target *t, const struct cr_mm_map *map,
		    struct cr_file *exe)
{
	const u64 *f = &map->start_code;
	struct mock_inode *inode = NULL;
	int i, err;

	err = mock_fault_hit(t, MOCK_OP_SET_MM_MAP);
	if (err)
		return err;
	if (map->nr_auxv > CR_AUXV_MAX || map->nr_auxv % 2)
		return -EINVAL;
	/* start_code .. env_end are eleven u64 in a row */
	for (i = 0; i < 11; i++) {
		if (f[i] >= MOCK_TASK_SIZE)
			return -EINVAL;
	}
	if (map->end_code < map->start_code ||
	    map->end_data < map->start_data || map->brk < map->start_brk ||
	    map->arg_end < map->arg_start || map->env_end < map->env_start)
		return -EINVAL;
	if (exe) {
		inode = mock_file_inode(t, exe);
		if (!inode)
			return -EBADF;
	}
	t->mm_map = *map;
	if (inode)
		snprintf(t->exe, sizeof(t->exe), "%s", inode->path);
	return 0;
}

/**
 * mock_mm_new() - a new, empty mock target
 *
 * No VMAs, no LDT, no fds; umask 022, cwd "/".
 *
 * Return: the target, or ERR_PTR(-ENOMEM).
 */
struct cr_target *mock_mm_new(void)
{
	struct cr_target *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&t->vmas);
	INIT_LIST_HEAD(&t->pinned);
	INIT_LIST_HEAD(&t->kmapped);
	INIT_LIST_HEAD(&t->inodes);
	INIT_LIST_HEAD(&t->files);
	t->image_fd = -1;
	t->scratch = calloc(1, PAGE_SIZE);
	if (!t->scratch)
		goto out_free_target;
	if (mock_store_init(&t->store))
		goto out_free_scratch;
	if (mock_task_init(t))
		goto out_fini_store;
	return t;

out_fini_store:
	mock_store_fini(t);
out_free_scratch:
	free(t->scratch);
out_free_target:
	free(t);
	return ERR_PTR(-ENOMEM);
}

/**
 * mock_mm_free() - free a mock target and everything it holds
 * @t: the target, or NULL / an ERR_PTR
 *
 * Pages still pinned and files still open are freed too: the test asserts
 * the balance with mock_check_balanced() before.
 */
void mock_mm_free(struct cr_target *t)
{
	struct mock_vma *vma, *next;

	if (IS_ERR_OR_NULL(t))
		return;
	list_for_each_entry_safe(vma, next, &t->vmas, list)
		vma_free(vma);
	mock_store_fini(t);
	mock_files_fini(t);
	mock_task_fini(t);
	free(t->ldt);
	free(t->scratch);
	free(t);
}
