// SPDX-License-Identifier: GPL-2.0
/*
 * The memory members of cr_kops over a real process: VMAs and page states
 * from /proc, mappings made by injected mmap/munmap/mremap, files opened
 * in the target, pages moved in runs through /proc/PID/mem and
 * process_vm_writev, the image mapped by restore --lazy.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/prctl.h>

#include "shim/linux/proc_parse.h"
#include "shim/linux/target.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/**
 * cr_linux_find_vma() - ->find_vma over /proc/PID/smaps
 * @t: the target
 * @addr: the address
 * @vma: the first VMA ending above @addr
 *
 * Return: 0, -ENOENT when there is none, or -errno.
 */
int cr_linux_find_vma(struct cr_target *t, unsigned long addr,
		      struct cr_vma_info *vma)
{
	const struct cr_linux_vma *v;
	int ret;

	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	v = cr_maps_find(t, addr);
	if (!v)
		return -ENOENT;
	memset(&vma->id, 0, sizeof(vma->id));
	vma->vm_start = v->start;
	vma->vm_end = v->end;
	vma->vm_flags = v->flags;
	vma->vm_pgoff = v->pgoff;
	vma->vma_type = v->type;
	vma->path[0] = '\0';
	if (v->type == CR_VMA_FILE) {
		vma->id = v->id;
		if (strlen(v->path) >= sizeof(vma->path))
			return -ENAMETOOLONG;
		strcpy(vma->path, v->path);
	}
	return 0;
}

/**
 * cr_linux_next_page() - ->next_page: PAGEMAP_SCAN for the first page held
 * @t: the target
 * @addr: page-aligned
 * @end: page-aligned, in the VMA of @addr
 *
 * Return: the address, @end if no page is held, or -errno.
 */
long cr_linux_next_page(struct cr_target *t, unsigned long addr,
			unsigned long end)
{
	const struct cr_linux_vma *v;
	int ret;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    end <= addr)
		return -EINVAL;
	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	v = cr_maps_find(t, addr);
	if (!v || v->start > addr || v->end < end)
		return -EINVAL;
	return cr_pagemap_next(t, v, addr, end);
}

/**
 * cr_linux_page_state() - ->page_state over /proc/PID/pagemap
 * @t: the target
 * @addr: page-aligned, inside one VMA with the @nr pages after it
 * @nr: pages
 * @state: enum cr_page_state each
 *
 * Return: 0, -EINVAL if the range is not inside one VMA, or -errno.
 */
int cr_linux_page_state(struct cr_target *t, unsigned long addr,
			unsigned long nr, u8 *state)
{
	const struct cr_linux_vma *v;
	int ret;

	if (!IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	v = cr_maps_find(t, addr);
	if (!v || v->start > addr || nr > (v->end - addr) >> PAGE_SHIFT)
		return -EINVAL;
	return cr_pagemap_states(t, v, addr, nr, state);
}

/* The saved auxv, up to and with its AT_NULL entry. */
static int cr_read_auxv(struct cr_target *t, struct cr_mm_map *map)
{
	u64 buf[CR_AUXV_MAX + 2];
	char path[64];
	ssize_t n;
	int ret, fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	ret = cr_auxv_words(buf, n / sizeof(u64));
	if (ret < 0)
		return ret;
	memcpy(map->auxv, buf, ret * sizeof(u64));
	map->nr_auxv = ret;
	return 0;
}

/**
 * cr_linux_get_mm_map() - ->get_mm_map from /proc/PID/{stat,auxv,exe}
 * @t: the target
 * @map: the mm fields and the saved auxv
 * @exe: the exe link, or "" when there is none
 * @exe_len: size of @exe
 *
 * brk is not in /proc: an injected brk(0) tells it without changing it.
 *
 * Return: 0 or -errno.
 */
int cr_linux_get_mm_map(struct cr_target *t, struct cr_mm_map *map,
			char *exe, size_t exe_len)
{
	char path[64];
	ssize_t n;
	long brk;
	int ret;

	memset(map, 0, sizeof(*map));
	ret = cr_proc_stat_mm(t->pid, map);
	if (ret < 0)
		return ret;
	brk = cr_rsys(t, __NR_brk, 0);
	if (brk < 0)
		return brk;
	map->brk = brk;
	ret = cr_read_auxv(t, map);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/exe", t->pid);
	n = readlink(path, exe, exe_len);
	if (n < 0 || (size_t)n >= exe_len)
		n = 0;
	exe[n] = '\0';
	return 0;
}

/* The shim's own area must survive whatever the engine maps or unmaps. */
static bool cr_hits_shim_area(struct cr_target *t, unsigned long addr,
			      unsigned long len)
{
	return t->area && addr < t->area + t->area_len &&
	       t->area < addr + len;
}

/**
 * cr_linux_do_mmap() - ->do_mmap: an injected mmap(2)
 * @t: the target
 * @addr: address
 * @len: length
 * @prot: PROT_*
 * @flags: MAP_*
 * @file: from ->filp_open(), or NULL
 * @pgoff: file offset in pages
 *
 * Return: the address mapped, -EBUSY over the shim's own area, or -errno.
 */
long cr_linux_do_mmap(struct cr_target *t, unsigned long addr,
		      unsigned long len, unsigned long prot,
		      unsigned long flags, struct cr_file *file,
		      unsigned long pgoff)
{
	long ret;

	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
	    cr_hits_shim_area(t, addr, len))
		return -EBUSY;
	if (pgoff > (~0UL >> PAGE_SHIFT))
		return -EINVAL;
	ret = cr_rsys(t, __NR_mmap, addr, len, prot, flags,
		      file ? (u64)file->fd : (u64)-1, pgoff << PAGE_SHIFT);
	/* its runs may be copied under one registration (uffd.c) */
	if (ret == (long)addr && !file && (flags & MAP_PRIVATE))
		cr_uffd_fresh_map(t, addr, len);
	/*
	 * The kernel may have merged it with a neighbour: read the maps
	 * again, but only when they are next asked for (a restore maps
	 * every VMA before it looks again).
	 */
	cr_maps_drop(t);
	return ret;
}

/**
 * cr_linux_map_image() - ->map_image: an injected mmap(2) of the image
 * @t: a restore child, with the image open at t->image_fd
 * @addr: page-aligned
 * @nr: pages
 * @prot: PROT_*
 * @off: the image's byte where the pages start, page-aligned
 *
 * A private mapping of the image: its pages are read from the image when
 * first touched and copied on write; the image itself is never written.
 *
 * Return: 0, -EBUSY over the shim's own area, -EINVAL for a bad range,
 * -EBADF with no image, or -errno of mmap (nothing changed at @addr then:
 * the kernel checks the file and the range before it unmaps anything).
 */
int cr_linux_map_image(struct cr_target *t, unsigned long addr,
		       unsigned long nr, unsigned long prot, u64 off)
{
	unsigned long len = nr << PAGE_SHIFT;
	long ret;

	if (t->image_fd < 0)
		return -EBADF;
	if (!nr || nr > CR_TASK_SIZE_MAX >> PAGE_SHIFT ||
	    !IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(off, PAGE_SIZE) ||
	    addr >= CR_TASK_SIZE_MAX || len > CR_TASK_SIZE_MAX - addr ||
	    off > (u64)LONG_MAX - len)
		return -EINVAL;
	if (cr_hits_shim_area(t, addr, len))
		return -EBUSY;
	ret = cr_rsys(t, __NR_mmap, addr, len, prot, MAP_PRIVATE | MAP_FIXED,
		      t->image_fd, off);
	/* it replaced part of a VMA (a hole punched in the list): read again */
	cr_maps_drop(t);
	if (ret < 0)
		return ret;
	return (unsigned long)ret == addr ? 0 : -EFAULT;
}

/**
 * cr_linux_do_munmap() - ->do_munmap: an injected munmap(2)
 * @t: the target
 * @addr: address
 * @len: length
 *
 * Return: 0, -EBUSY over the shim's own area, or -errno.
 */
int cr_linux_do_munmap(struct cr_target *t, unsigned long addr,
		       unsigned long len)
{
	long ret;

	if (cr_hits_shim_area(t, addr, len))
		return -EBUSY;
	ret = cr_rsys(t, __NR_munmap, addr, len);
	if (ret < 0)
		cr_maps_drop(t);
	else
		cr_maps_unmapped(t, addr & PAGE_MASK,
				 ALIGN(addr + len, PAGE_SIZE));
	return ret < 0 ? ret : 0;
}

/**
 * cr_linux_do_mremap() - ->do_mremap: an injected mremap(2) to @new
 * @t: the target
 * @old: the mapping
 * @len: its length
 * @new: where it goes
 *
 * Return: 0 or -errno.
 */
int cr_linux_do_mremap(struct cr_target *t, unsigned long old,
		       unsigned long len, unsigned long new)
{
	long ret;

	if (cr_hits_shim_area(t, old, len) || cr_hits_shim_area(t, new, len))
		return -EBUSY;
	ret = cr_rsys(t, __NR_mremap, old, len, len,
		      MREMAP_MAYMOVE | MREMAP_FIXED, new);
	if (ret < 0 || (unsigned long)ret != new)
		cr_maps_drop(t);
	else
		cr_maps_moved(t, old, len, new);
	if (ret < 0)
		return ret;
	return (unsigned long)ret == new ? 0 : -EFAULT;
}

/**
 * cr_fd_identity() - what identifies the file the target has at @fd
 * @t: the target
 * @fd: its fd
 * @id: dev, ino, size, mtime
 * @mode: the st_mode, if not NULL
 *
 * Return: 0 or -errno.
 */
int cr_fd_identity(struct cr_target *t, int fd, struct cr_file_id *id,
		   unsigned int *mode)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->pid, fd);
	if (stat(path, &st) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime_ns = (u64)st.st_mtim.tv_sec * 1000000000ULL +
		       st.st_mtim.tv_nsec;
	if (mode)
		*mode = st.st_mode;
	return 0;
}

/**
 * cr_remote_open() - open @path in the target (injected openat)
 * @t: the target
 * @path: absolute path
 * @flags: O_* for openat
 *
 * Return: the target's fd, or -errno.
 */
long cr_remote_open(struct cr_target *t, const char *path, int flags)
{
	size_t len = strlen(path) + 1;
	int ret;

	if (len > CR_FNAME_MAX)
		return -ENAMETOOLONG;
	ret = cr_scratch_put(t, 0, path, len);
	if (ret < 0)
		return ret;
	return cr_rsys(t, __NR_openat, (u64)AT_FDCWD, t->scratch, flags, 0);
}

/**
 * cr_linux_filp_open() - ->filp_open: open @path in the target
 * @t: the target
 * @path: the file
 * @flags: O_RDONLY (O_CLOEXEC is added)
 * @id: the identity of what was opened
 *
 * Return: the file, or ERR_PTR(-errno).
 */
struct cr_file *cr_linux_filp_open(struct cr_target *t, const char *path,
				   int flags, struct cr_file_id *id)
{
	struct cr_file *file;
	long fd;
	int ret;

	file = malloc(sizeof(*file));
	if (!file)
		return ERR_PTR(-ENOMEM);
	fd = cr_remote_open(t, path, flags | O_CLOEXEC);
	if (fd < 0) {
		free(file);
		return ERR_PTR(fd);
	}
	ret = cr_fd_identity(t, fd, id, NULL);
	if (ret < 0) {
		cr_rsys(t, __NR_close, fd);
		free(file);
		return ERR_PTR(ret);
	}
	file->fd = fd;
	return file;
}

/**
 * cr_linux_filp_close() - ->filp_close: an injected close(2)
 * @t: the target
 * @file: from cr_linux_filp_open(); freed
 *
 * A failure cannot be returned here: it is kept, and cr_linux_resume()
 * refuses to let the process run with the fd leaked into it.
 */
void cr_linux_filp_close(struct cr_target *t, struct cr_file *file)
{
	long ret;

	if (IS_ERR_OR_NULL(file))
		return;
	ret = cr_rsys(t, __NR_close, file->fd);
	/* an fd left open would leak into the restored process */
	if (ret < 0 && !t->deferred_err) {
		cr_lerr(t, "pid %d: closing fd %d: error %ld", t->pid, file->fd,
			ret);
		t->deferred_err = ret;
	}
	free(file);
}

/**
 * cr_linux_set_mm_map() - ->set_mm_map: prctl(PR_SET_MM, PR_SET_MM_MAP)
 * @t: the target (a restore child: its scratch holds the arguments)
 * @map: the fields and the auxv
 * @exe: the new exe link, or NULL
 *
 * Return: 0 or -errno.
 */
int cr_linux_set_mm_map(struct cr_target *t, const struct cr_mm_map *map,
			struct cr_file *exe)
{
	struct prctl_mm_map pm = {
		.start_code = map->start_code,
		.end_code = map->end_code,
		.start_data = map->start_data,
		.end_data = map->end_data,
		.start_brk = map->start_brk,
		.brk = map->brk,
		.start_stack = map->start_stack,
		.arg_start = map->arg_start,
		.arg_end = map->arg_end,
		.env_start = map->env_start,
		.env_end = map->env_end,
		.auxv_size = map->nr_auxv * sizeof(u64),
		.exe_fd = exe ? (u32)exe->fd : (u32)-1,
	};
	unsigned long auxv_off = ALIGN(sizeof(pm), 16);
	long ret;

	if (map->nr_auxv > CR_AUXV_MAX)
		return -EINVAL;
	if (map->nr_auxv)
		pm.auxv = (__u64 *)(t->scratch + auxv_off);
	ret = cr_scratch_put(t, auxv_off, map->auxv,
			     map->nr_auxv * sizeof(u64));
	if (!ret)
		ret = cr_scratch_put(t, 0, &pm, sizeof(pm));
	if (ret < 0)
		return ret;
	ret = cr_rsys(t, __NR_prctl, PR_SET_MM, PR_SET_MM_MAP, t->scratch,
		      sizeof(pm), 0);
	return ret < 0 ? ret : 0;
}

/* A buffer of @len bytes for a run: the target's, or one of its own. */
static int cr_run_buf_get(struct cr_target *t, struct cr_page_run *run,
			  size_t len)
{
	if (t->run_buf_len - t->run_buf_used >= len) {
		run->buf = t->run_buf + t->run_buf_used;
		run->own_buf = false;
		t->run_buf_used += len;
	} else {
		run->buf = malloc(len);
		if (!run->buf)
			return -ENOMEM;
		run->own_buf = true;
	}
	t->nr_runs++;
	t->run_bytes += len;
	t->run_bytes_peak = max(t->run_bytes_peak, t->run_bytes);
	return 0;
}

static void cr_run_free(struct cr_page_run *run)
{
	struct cr_target *t = run->t;

	if (run->own_buf)
		free(run->buf);
	t->run_bytes -= (size_t)run->nr * PAGE_SIZE;
	free(run);
	if (--t->nr_runs)
		return;
	t->run_buf_used = 0;
	if (t->run_bytes_peak <= t->run_buf_len)
		return;
	/*
	 * None pinned: grow it to what was pinned at once. Plain malloc:
	 * with aligned_alloc(PAGE_SIZE) the 64 MiB benchmark stopped the
	 * process 40 ms longer (not understood yet).
	 */
	free(t->run_buf);
	t->run_buf = malloc(t->run_bytes_peak);
	t->run_buf_len = t->run_buf ? t->run_bytes_peak : 0;
}

/**
 * cr_linux_get_user_pages() - ->get_user_pages: one run of @nr pages
 * @t: the target
 * @addr: the first page
 * @nr: pages (the engine asks up to 2048 at once)
 * @write: the caller fills them; they are written back when the last
 *	one is put. They start with whatever the buffer held (not zeroed:
 *	the engine writes every byte of a page it pins to write)
 * @force: ignored: writes go through protections anyway (cr_mem_write())
 * @pages: the pages
 *
 * A read is one pread of /proc/PID/mem; a write, one cr_mem_write() when
 * the last page is put.
 * The buffers are not allocated per run: see cr_run_buf_get().
 *
 * Return: @nr, or -errno with nothing pinned.
 */
int cr_linux_get_user_pages(struct cr_target *t, unsigned long addr, int nr,
			    int write, int force, struct cr_page **pages)
{
	struct cr_page_run *run;
	int i, ret;

	if (nr <= 0 || !IS_ALIGNED(addr, PAGE_SIZE) ||
	    (unsigned long)nr > (CR_TASK_SIZE_MAX - addr) >> PAGE_SHIFT)
		return -EINVAL;
	run = malloc(sizeof(*run) + nr * sizeof(run->pages[0]));
	if (!run)
		return -ENOMEM;
	run->t = t;
	if (cr_run_buf_get(t, run, (size_t)nr * PAGE_SIZE) < 0) {
		free(run);
		return -ENOMEM;
	}
	run->addr = addr;
	run->nr = nr;
	run->refs = nr;
	run->write = write;
	if (!write) {
		ret = cr_fault_point(t, "gup_read");
		if (!ret)
			ret = cr_mem_read(t, addr, run->buf,
					  (size_t)nr * PAGE_SIZE);
		if (ret < 0) {
			cr_run_free(run);
			return ret;
		}
	}
	for (i = 0; i < nr; i++) {
		run->pages[i].run = run;
		pages[i] = &run->pages[i];
	}
	return nr;
}

/*
 * Fresh anonymous pages by UFFDIO_COPY, which spares the kernel zeroing
 * them first; the rest (file COW pages, pages already there) the usual way.
 */
static int cr_write_run(struct cr_target *t, struct cr_page_run *run)
{
	size_t len = (size_t)run->nr * PAGE_SIZE;
	ssize_t n;

	n = cr_uffd_write(t, run->addr, run->buf, len);
	if (n < 0)
		return n;
	if ((size_t)n == len)
		return 0;
	return cr_mem_write(t, run->addr + n, run->buf + n, len - n);
}

/**
 * cr_linux_put_page() - ->put_page: the last page of a write run sends it
 * @t: the target
 * @page: from cr_linux_get_user_pages()
 */
void cr_linux_put_page(struct cr_target *t, struct cr_page *page)
{
	struct cr_page_run *run = page->run;
	int ret;

	if (--run->refs > 0)
		return;
	if (run->write) {
		ret = cr_fault_point(t, "gup_write");
		if (!ret)
			ret = cr_write_run(t, run);
		if (ret < 0 && !t->flush_err)
			t->flush_err = ret;
	}
	cr_run_free(run);
}

/**
 * cr_linux_flush() - ->flush: the first write-back error since last time
 * @t: the target
 *
 * Return: 0 or -errno.
 */
int cr_linux_flush(struct cr_target *t)
{
	int ret = t->flush_err;

	t->flush_err = 0;
	return ret;
}

/**
 * cr_linux_kmap() - ->kmap: the page's bytes in its run's buffer
 * @t: the target
 * @page: a pinned page
 *
 * Return: PAGE_SIZE bytes.
 */
void *cr_linux_kmap(struct cr_target *t, struct cr_page *page)
{
	struct cr_page_run *run = page->run;

	return run->buf + (size_t)(page - run->pages) * PAGE_SIZE;
}

/**
 * cr_linux_kunmap() - ->kunmap: nothing to undo
 * @t: the target
 * @addr: what cr_linux_kmap() returned
 */
void cr_linux_kunmap(struct cr_target *t, void *addr)
{
}

/**
 * cr_linux_modify_ldt() - ->modify_ldt: modify_ldt(2) injected
 * @t: the target
 * @func: 0 or 2 read the LDT into @ptr; 1 or 0x11 write one entry
 * @ptr: our buffer
 * @n: its bytes
 *
 * Return: bytes read, 0, or -errno.
 */
int cr_linux_modify_ldt(struct cr_target *t, int func, void *ptr,
			unsigned long n)
{
	long ret;

	if (func == 0 || func == 2) {
		n = min(n, t->scratch_len);
		ret = cr_rsys(t, __NR_modify_ldt, func, t->scratch, n);
		if (ret > 0) {
			int err = cr_mem_read(t, t->scratch, ptr, ret);

			if (err < 0)
				return err;
		}
		return ret;
	}
	ret = cr_scratch_put(t, 0, ptr, n);
	if (ret < 0)
		return ret;
	ret = cr_rsys(t, __NR_modify_ldt, func, t->scratch, n);
	return ret < 0 ? ret : 0;
}
