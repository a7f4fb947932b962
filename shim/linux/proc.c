// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc tells of a target: its VMAs (smaps, with the kernel's VmFlags
 * turned back into VM_* bits), page states (pagemap), the mm fields
 * (stat). Nothing here changes the target.
 *
 * A private mapping of a crrun image is what restore --lazy left: the
 * process's own memory, read from the image when first touched. A
 * checkpoint sees it as anonymous memory with every page saved, so that
 * the new image does not depend on the old one.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/mm/vma_flags.h"
#include "shim/linux/proc_parse.h"
#include "shim/linux/target.h"

/* pagemap entries read at once */
#define CR_PAGEMAP_BATCH	4096

/* Read a whole file into a NUL-terminated buffer (malloc'ed). */
static char *cr_slurp(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 16384;
	char *buf, *nbuf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ERR_PTR(-errno);
	buf = malloc(cap);
	if (!buf)
		goto out_nomem;
	for (;;) {
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf)
				goto out_nomem;
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			close(fd);
			return ERR_PTR(n);
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;

out_nomem:
	free(buf);
	close(fd);
	return ERR_PTR(-ENOMEM);
}

/**
 * cr_proc_read_file() - read /proc/@pid/@name into @buf, NUL-terminated
 * @pid: the process (0: self)
 * @name: the file under /proc/PID
 * @buf: where
 * @len: its size; a longer file is cut
 *
 * Return: bytes read, or -errno.
 */
int cr_proc_read_file(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	size_t got = 0;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		n = read(fd, buf + got, len - got - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

/** cr_maps_drop() - forget the parsed maps (the mm changed) */
void cr_maps_drop(struct cr_target *t)
{
	unsigned int i;

	for (i = 0; i < t->nr_vmas; i++)
		free(t->vmas[i].path);
	free(t->vmas);
	t->vmas = NULL;
	t->nr_vmas = 0;
	t->maps_valid = false;
}

static void cr_vma_set_identity(struct cr_target *t, struct cr_linux_vma *v)
{
	char link[96];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", t->pid,
		 v->start, v->end);
	if (stat(link, &st) < 0 && (v->deleted || stat(v->path, &st) < 0))
		return;
	v->id.dev = st.st_dev;
	v->id.ino = st.st_ino;
	v->id.size = st.st_size;
	v->id.mtime_ns = (u64)st.st_mtim.tv_sec * 1000000000ULL +
			 st.st_mtim.tv_nsec;
}

/* Read the first bytes of the file @v maps: a crrun image? */
static bool cr_file_is_image(struct cr_target *t, const struct cr_linux_vma *v)
{
	u8 head[CR_IMAGE_HEAD_PEEK];
	char link[96];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", t->pid,
		 v->start, v->end);
	fd = open(link, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* map_files needs CAP_SYS_ADMIN; by path, never a device */
		if (stat(v->path, &st) < 0 || !S_ISREG(st.st_mode))
			return false;
		fd = open(v->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return false;
	}
	n = -1;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_dev == v->id.dev && st.st_ino == v->id.ino)
		n = pread(fd, head, sizeof(head), 0);
	close(fd);
	return n > 0 && cr_is_image_head(head, n);
}

/*
 * Is @v a private mapping of a crrun image? Each file (by device and
 * inode) is read once per target; a file that cannot be read is not one.
 */
static bool cr_vma_is_image(struct cr_target *t, const struct cr_linux_vma *v)
{
	struct cr_image_file *nf;
	unsigned int i;
	bool image;

	if (v->type != CR_VMA_FILE || (v->flags & VM_SHARED) || !v->id.ino)
		return false;
	for (i = 0; i < t->nr_image_files; i++)
		if (t->image_files[i].dev == v->id.dev &&
		    t->image_files[i].ino == v->id.ino)
			return t->image_files[i].image;
	image = cr_file_is_image(t, v);
	nf = realloc(t->image_files, (i + 1) * sizeof(*nf));
	if (nf) {	/* out of memory, it is read again next time */
		t->image_files = nf;
		nf[i].dev = v->id.dev;
		nf[i].ino = v->id.ino;
		nf[i].image = image;
		t->nr_image_files++;
	}
	return image;
}

/* Parse one header line of maps/smaps into @v. */
static int cr_parse_maps_line(struct cr_target *t, const char *line,
			      struct cr_linux_vma *v)
{
	struct cr_maps_line m;
	int ret;

	ret = cr_parse_maps_header(line, &m);
	if (ret < 0)
		return ret;
	memset(v, 0, sizeof(*v));
	v->start = m.start;
	v->end = m.end;
	v->flags = m.flags;
	v->type = cr_vma_name_type(m.name, m.inode, &v->deleted);
	if (t->area && m.start >= t->area && m.end <= t->area + t->area_len)
		v->type = CR_VMA_SHIM;
	if (v->type == CR_VMA_FILE || v->deleted) {
		v->path = strdup(m.name);
		if (!v->path)
			return -ENOMEM;
		/* only a checkpoint records (and checks) what a file is */
		if (t->kind == CR_TARGET_SEIZED)
			cr_vma_set_identity(t, v);
	}
	if (t->kind == CR_TARGET_SEIZED && cr_vma_is_image(t, v)) {
		v->type = CR_VMA_ANON;
		v->image = true;
		free(v->path);
		v->path = NULL;
		memset(&v->id, 0, sizeof(v->id));
	}
	if (v->type == CR_VMA_FILE)
		v->pgoff = m.offset >> PAGE_SHIFT;
	if (v->deleted) {
		v->file_pgoff = m.offset >> PAGE_SHIFT;
		v->file_size = v->id.size;
	}
	return 0;
}

/*
 * The VmFlags the parse of a maps text takes from t->hints: those of the
 * VMA with the same bounds, offset, inode and rwxs bits. Both lists are in
 * address order; @pos walks the hints.
 */
static const struct cr_vmflags_hint *cr_hint_find(struct cr_target *t,
						  const struct cr_maps_line *m,
						  unsigned int *pos)
{
	const unsigned long shown = VM_READ | VM_WRITE | VM_EXEC | VM_SHARED;
	const struct cr_vmflags_hint *h;

	while (*pos < t->nr_hints && t->hints[*pos].end <= m->start)
		(*pos)++;
	if (*pos >= t->nr_hints)
		return NULL;
	h = &t->hints[*pos];
	if (h->start != m->start || h->end != m->end ||
	    h->offset != m->offset || h->inode != m->inode ||
	    (h->flags & shown) != (m->flags & shown))
		return NULL;
	return h;
}

/*
 * mlock() of a whole VMA changes no bound: do the VM_LOCKED VMAs add up
 * to the VmLck of status (mm->locked_vm)? Return: 0, -EAGAIN if not.
 */
static int cr_maps_check_locked(struct cr_target *t,
				const struct cr_linux_vma *vmas,
				unsigned int nr)
{
	unsigned long kib = 0;
	char *status, val[64];
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++)
		if (vmas[i].flags & VM_LOCKED)
			kib += (vmas[i].end - vmas[i].start) >> 10;
	status = malloc(65536);
	if (!status)
		return -ENOMEM;
	ret = cr_proc_read_file(t->pid, "status", status, 65536);
	if (ret >= 0)
		ret = cr_proc_status_field(status, "VmLck", val, sizeof(val));
	if (!ret && strtoul(val, NULL, 10) != kib)
		ret = -EAGAIN;
	free(status);
	return ret;
}

/*
 * Parse /proc/PID/@name into t->vmas. With @hints (a maps text), each
 * VMA's VmFlags are its hint's: -EAGAIN when one has none.
 */
static int cr_maps_read(struct cr_target *t, const char *name, bool hints)
{
	struct cr_linux_vma *vmas = NULL, *nv;
	const struct cr_vmflags_hint *h;
	unsigned int nr = 0, cap = 0, pos = 0;
	char path[64], *buf, *line, *next;
	struct cr_maps_line m;
	int ret = 0;

	cr_maps_drop(t);
	snprintf(path, sizeof(path), "/proc/%d/%s", t->pid, name);
	buf = cr_slurp(path, NULL);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, "VmFlags:", 8) && nr) {
			unsigned long f = cr_vmflags_parse(line + 8);

			if (f)
				vmas[nr - 1].flags = f;
			continue;
		}
		if (!isxdigit((unsigned char)line[0]) || isupper(line[0]))
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(vmas, cap * sizeof(*vmas));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			vmas = nv;
		}
		h = NULL;
		if (hints) {
			ret = cr_parse_maps_header(line, &m);
			if (!ret)
				h = cr_hint_find(t, &m, &pos);
			if (!ret && !h)
				ret = -EAGAIN;
			if (ret < 0)
				break;
		}
		ret = cr_parse_maps_line(t, line, &vmas[nr]);
		if (ret < 0)
			break;
		if (h)
			vmas[nr].flags = h->flags;
		nr++;
	}
	free(buf);
	if (!ret && hints)
		ret = cr_maps_check_locked(t, vmas, nr);
	t->vmas = vmas;
	t->nr_vmas = nr;
	if (ret < 0) {
		cr_maps_drop(t);
		return ret;
	}
	t->maps_valid = true;
	return 0;
}

static void cr_hints_drop(struct cr_target *t)
{
	free(t->hints);
	t->hints = NULL;
	t->nr_hints = 0;
}

/**
 * cr_maps_preread() - read a seized target's VmFlags before it is stopped
 * @t: the target, not stopped yet
 *
 * smaps walks every page table of the process (43 ms for 2 GiB resident
 * here); maps costs nothing. The first cr_maps_refresh() of the stopped
 * target reads maps, and takes each VMA's VmFlags from here if the VMA is
 * the same (bounds, offset, inode, rwxs) and the mlock()ed VMAs still add
 * up to VmLck; otherwise it reads smaps after all. What a flag change on
 * a whole VMA in between can leave unseen: madvise(MADV_WIPEONFORK),
 * MADV_DONTFORK (a snapshot then finds the VMA missing in its copy, see
 * cr_maps_match()), and flags no image carries (MADV_HUGEPAGE, ...). A
 * VMA made MADV_WIPEONFORK in that window is saved as a fork sees it,
 * zero, which is what its owner is built to cope with.
 *
 * Best effort: without the hints the refresh reads smaps.
 */
void cr_maps_preread(struct cr_target *t)
{
	struct cr_vmflags_hint *hints = NULL, *nh;
	unsigned int nr = 0, cap = 0;
	char path[64], *buf, *line, *next;
	struct cr_maps_line m;

	cr_hints_drop(t);
	snprintf(path, sizeof(path), "/proc/%d/smaps", t->pid);
	buf = cr_slurp(path, NULL);
	if (IS_ERR(buf))
		return;
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, "VmFlags:", 8) && nr) {
			unsigned long f = cr_vmflags_parse(line + 8);

			if (f)
				hints[nr - 1].flags = f;
			continue;
		}
		if (!isxdigit((unsigned char)line[0]) || isupper(line[0]) ||
		    cr_parse_maps_header(line, &m) < 0)
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			nh = realloc(hints, cap * sizeof(*hints));
			if (!nh)
				goto out_free;
			hints = nh;
		}
		hints[nr].start = m.start;
		hints[nr].end = m.end;
		hints[nr].offset = m.offset;
		hints[nr].inode = m.inode;
		hints[nr].flags = m.flags;
		nr++;
	}
	t->hints = hints;
	t->nr_hints = nr;
	hints = NULL;
out_free:
	free(hints);
	free(buf);
}

/**
 * cr_maps_refresh() - parse the target's VMAs unless they are known
 * @t: the target
 *
 * A seized target's smaps gives the VmFlags (or maps and the flags read
 * before the stop, cr_maps_preread()); a restore child's maps is enough.
 * What the shim itself does to the mm afterwards updates the parsed list
 * (cr_maps_unmapped(), cr_maps_moved(), cr_maps_insert()) rather than
 * reading it again: a restore unmaps VMA after VMA.
 *
 * Return: 0 or -errno.
 */
int cr_maps_refresh(struct cr_target *t)
{
	int ret;

	if (t->maps_valid)
		return 0;
	if (t->hints) {
		ret = cr_fault_point(t, "maps_hints") ? -EAGAIN :
			cr_maps_read(t, "maps", true);
		cr_hints_drop(t);	/* good for the first read only */
		if (ret != -EAGAIN)
			return ret;
		cr_ldebug(t, "pid %d: its VMAs changed since they were first read",
			  t->pid);
	}
	return cr_maps_read(t, t->kind == CR_TARGET_SEIZED ? "smaps" : "maps",
			    false);
}

/* Make room for one more VMA at @i; false (and the list dropped) if not. */
static bool cr_maps_open_slot(struct cr_target *t, unsigned int i)
{
	struct cr_linux_vma *nv;

	nv = realloc(t->vmas, (t->nr_vmas + 1) * sizeof(*nv));
	if (!nv) {
		cr_maps_drop(t);
		return false;
	}
	t->vmas = nv;
	memmove(&nv[i + 1], &nv[i], (t->nr_vmas - i) * sizeof(*nv));
	t->nr_vmas++;
	return true;
}

/* Cut the first @delta bytes off @v, keeping its file offsets right. */
static void cr_vma_trim_front(struct cr_linux_vma *v, unsigned long delta)
{
	v->start += delta;
	if (v->type == CR_VMA_FILE)
		v->pgoff += delta >> PAGE_SHIFT;
	if (v->deleted)
		v->file_pgoff += delta >> PAGE_SHIFT;
}

/**
 * cr_maps_unmapped() - remove [@start, @end) from the parsed VMAs
 * @t: the target, after a successful munmap(2) of that range
 * @start: page-aligned
 * @end: page-aligned
 *
 * munmap cuts VMAs exactly at its bounds and merges nothing, so the list
 * stays what /proc would show. Out of memory, the list is dropped (and
 * read again when next needed).
 */
void cr_maps_unmapped(struct cr_target *t, unsigned long start,
		      unsigned long end)
{
	struct cr_linux_vma *v;
	unsigned int i = 0;

	if (!t->maps_valid)
		return;
	while (i < t->nr_vmas) {
		v = &t->vmas[i];
		if (v->end <= start) {
			i++;
			continue;
		}
		if (v->start >= end)
			break;
		if (v->start < start && v->end > end) {
			/* a hole in the middle: split in two */
			char *path = NULL;

			if (v->path) {
				path = strdup(v->path);
				if (!path) {
					cr_maps_drop(t);
					return;
				}
			}
			if (!cr_maps_open_slot(t, i + 1)) {
				free(path);
				return;
			}
			v = &t->vmas[i];
			t->vmas[i + 1] = *v;
			t->vmas[i + 1].path = path;
			cr_vma_trim_front(&t->vmas[i + 1], end - v->start);
			v->end = start;
			return;
		}
		if (v->start < start) {
			v->end = start;
			i++;
			continue;
		}
		if (v->end > end) {
			cr_vma_trim_front(v, end - v->start);
			return;
		}
		free(v->path);
		memmove(v, v + 1, (t->nr_vmas - i - 1) * sizeof(*v));
		t->nr_vmas--;
	}
}

/**
 * cr_maps_insert() - add a mapping the shim made to the parsed VMAs
 * @t: the target
 * @start: page-aligned
 * @end: page-aligned
 * @flags: VM_*
 * @type: enum cr_vma_type, or CR_VMA_SHIM
 *
 * Only for anonymous mappings the kernel cannot have merged with a
 * neighbour (a free page on either side, or a special mapping): the list
 * must stay what /proc would show. Out of memory, the list is dropped.
 */
void cr_maps_insert(struct cr_target *t, unsigned long start,
		    unsigned long end, unsigned long flags, u32 type)
{
	unsigned int i;

	if (!t->maps_valid)
		return;
	for (i = 0; i < t->nr_vmas && t->vmas[i].end <= start; i++)
		;
	if (i < t->nr_vmas && t->vmas[i].start < end) {
		cr_maps_drop(t);	/* not what the caller said: read again */
		return;
	}
	if (!cr_maps_open_slot(t, i))
		return;
	memset(&t->vmas[i], 0, sizeof(t->vmas[i]));
	t->vmas[i].start = start;
	t->vmas[i].end = end;
	t->vmas[i].flags = flags;
	t->vmas[i].type = type;
}

/**
 * cr_maps_moved() - follow a successful mremap(2) in the parsed VMAs
 * @t: the target
 * @old: the mapping that moved
 * @len: its length
 * @new: where it is now
 *
 * The kernel's special mappings (vdso, vvar) never merge, so moving one
 * is followed exactly; anything else drops the list.
 */
void cr_maps_moved(struct cr_target *t, unsigned long old, unsigned long len,
		   unsigned long new)
{
	const struct cr_linux_vma *v;
	unsigned long flags;
	u32 type;

	if (!t->maps_valid)
		return;
	v = cr_maps_find(t, old);
	if (!v || v->start != old || v->end != old + len ||
	    (v->type != CR_VMA_VDSO && v->type != CR_VMA_VVAR &&
	     v->type != CR_VMA_VVAR_VCLOCK)) {
		cr_maps_drop(t);
		return;
	}
	flags = v->flags;
	type = v->type;
	cr_maps_unmapped(t, old, old + len);
	cr_maps_unmapped(t, new, new + len);
	cr_maps_insert(t, new, new + len, flags, type);
}

/**
 * cr_maps_match() - has @pid the VMAs of the parsed list?
 * @t: the target, its VMAs parsed
 * @pid: a process that should have the same layout (a fork of the target)
 *
 * Bounds and the rwxs bits of /proc/@pid/maps, which costs no page walk;
 * what only smaps shows is taken from the list.
 *
 * Return: 0 when they match, -EOPNOTSUPP when they do not, or -errno.
 */
int cr_maps_match(struct cr_target *t, pid_t pid)
{
	const unsigned long shown = VM_READ | VM_WRITE | VM_EXEC | VM_SHARED;
	char path[64], *buf, *line, *next;
	struct cr_maps_line m;
	unsigned int i = 0;
	int ret = 0;

	ret = cr_maps_refresh(t);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	buf = cr_slurp(path, NULL);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	for (line = buf; *line && !ret; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (cr_parse_maps_header(line, &m) < 0)
			continue;
		if (i >= t->nr_vmas || m.start != t->vmas[i].start ||
		    m.end != t->vmas[i].end ||
		    (m.flags & shown) != (t->vmas[i].flags & shown))
			ret = -EOPNOTSUPP;
		i++;
	}
	if (!ret && i != t->nr_vmas)
		ret = -EOPNOTSUPP;
	if (ret < 0)
		cr_ldebug(t, "pid %d: its VMAs differ from those of pid %d at VMA %u",
			  pid, t->pid, i);
	free(buf);
	return ret;
}

/**
 * cr_maps_find() - the first VMA that ends above @addr
 * @t: the target, with its maps parsed
 * @addr: the address
 *
 * Return: the VMA, or NULL.
 */
const struct cr_linux_vma *cr_maps_find(struct cr_target *t,
					unsigned long addr)
{
	unsigned int lo = 0, hi = t->nr_vmas, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->vmas[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < t->nr_vmas ? &t->vmas[lo] : NULL;
}

/* The PFN of the zero page, from a page of our own that only read it. */
static u64 cr_find_zero_pfn(void)
{
	volatile u8 *p;
	u64 ent = 0;
	int fd;

	p = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &ent, sizeof(ent),
			  ((unsigned long)p >> PAGE_SHIFT) * sizeof(ent)) !=
		    sizeof(ent))
			ent = 0;
		close(fd);
	}
	munmap((void *)p, PAGE_SIZE);
	if (!(ent & CR_PM_PRESENT) || (ent & CR_PM_FILE))
		return 0;
	return ent & CR_PM_PFN_MASK;
}

static u8 cr_page_state_of(struct cr_target *t, const struct cr_linux_vma *v,
			   unsigned long addr, u64 ent)
{
	/* in the page tables or only in the image, it is the process's data */
	if (v->image)
		return CR_PAGE_PRIVATE;
	if (v->deleted) {
		u64 off = ((addr - v->start) >> PAGE_SHIFT) + v->file_pgoff;

		/* the file is gone: all of it that is mapped is saved */
		if (off < (v->file_size + PAGE_SIZE - 1) >> PAGE_SHIFT)
			return CR_PAGE_PRIVATE;
	}
	return cr_pagemap_state(ent, v->type == CR_VMA_ANON && !v->deleted,
				t->zero_pfn);
}

/* struct pm_scan_arg and struct page_region of <linux/fs.h> (Linux 6.7) */
struct cr_pm_scan_arg {
	u64 size, flags, start, end, walk_end, vec, vec_len, max_pages;
	u64 category_inverted, category_mask, category_anyof_mask;
	u64 return_mask;
};

struct cr_page_region {
	u64 start, end, categories;
};

#define CR_PAGEMAP_SCAN		_IOWR('f', 16, struct cr_pm_scan_arg)
/* ranges a PAGEMAP_SCAN call returns at most */
#define CR_SCAN_REGIONS		256

/*
 * The states of @nr pages from @addr by PAGEMAP_SCAN: only the ranges that
 * hold pages come back, so an empty stretch of a sparse mapping costs
 * nothing, where pagemap gives 8 bytes a page.
 * Return: 0, -ENOTTY without the ioctl, or -errno.
 */
static int cr_scan_states(struct cr_target *t, const struct cr_linux_vma *v,
			  unsigned long addr, unsigned long nr, u8 *state)
{
	const u64 cats = CR_PAGE_IS_PRESENT | CR_PAGE_IS_SWAPPED;
	bool anon = v->type == CR_VMA_ANON;
	struct cr_page_region *reg;
	struct cr_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = addr,
		.end = addr + nr * PAGE_SIZE,
		.vec_len = CR_SCAN_REGIONS,
		.category_anyof_mask = cats,
		.return_mask = cats | CR_PAGE_IS_FILE | CR_PAGE_IS_PFNZERO,
	};
	unsigned long i, p;
	long n;

	/* zeroed: valgrind does not know the ioctl fills it */
	reg = calloc(CR_SCAN_REGIONS, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	arg.vec = (unsigned long)reg;
	memset(state, CR_PAGE_NONE, nr);
	for (;;) {
		n = ioctl(t->pagemap_fd, CR_PAGEMAP_SCAN, &arg);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			break;
		}
		for (i = 0; i < (unsigned long)n; i++) {
			if (reg[i].start < addr || reg[i].end > arg.end ||
			    reg[i].start >= reg[i].end) {
				n = -EPROTO;
				goto out_free;
			}
			for (p = reg[i].start; p < reg[i].end; p += PAGE_SIZE)
				state[(p - addr) >> PAGE_SHIFT] =
					cr_scan_state(reg[i].categories, anon);
		}
		/* a full vector stops the walk early: go on from there */
		if (arg.walk_end >= arg.end)
			break;
		arg.start = arg.walk_end;
	}
out_free:
	free(reg);
	return n < 0 ? (int)n : 0;
}

/* May PAGEMAP_SCAN be used? Not before 6.7, nor in a test of without. */
static bool cr_pagemap_scan_usable(struct cr_target *t)
{
	if (!t->no_pagemap_scan && cr_fault_point(t, "pagemap_scan") < 0)
		t->no_pagemap_scan = true;
	return t->pagemap_fd >= 0 && !t->no_pagemap_scan;
}

/**
 * cr_pagemap_next() - the first page at or above @addr, below @end, that
 *	holds anything (present or swapped), by PAGEMAP_SCAN
 * @t: the target
 * @vma: the VMA holding [@addr, @end)
 * @addr: page-aligned
 * @end: page-aligned
 *
 * One call whatever the size of the stretch: the kernel walks the page
 * tables, skipping what was never populated a page-table page at a time.
 * Where everything counts (an image, a deleted file) or without the
 * ioctl, @addr.
 * Return: the address, @end if there is none, or -errno.
 */
long cr_pagemap_next(struct cr_target *t, const struct cr_linux_vma *vma,
		     unsigned long addr, unsigned long end)
{
	const u64 cats = CR_PAGE_IS_PRESENT | CR_PAGE_IS_SWAPPED;
	struct cr_page_region reg = { 0 };
	struct cr_pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = addr,
		.end = end,
		.vec = (unsigned long)&reg,
		.vec_len = 1,
		.max_pages = 1,
		.category_anyof_mask = cats,
		.return_mask = cats,
	};
	long n;

	if (vma->image || vma->deleted || !cr_pagemap_scan_usable(t))
		return addr;
	do {
		n = ioctl(t->pagemap_fd, CR_PAGEMAP_SCAN, &arg);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == ENOTTY || errno == EINVAL)) {
		t->no_pagemap_scan = true;	/* before 6.7 */
		return addr;
	}
	if (n < 0)
		return -errno;
	/* nothing up to where the walk ended (@end, unless cut short) */
	if (!n)
		return arg.walk_end > addr && arg.walk_end <= end ?
			       (long)arg.walk_end : (long)addr;
	if (reg.start < addr || reg.start >= end)
		return -EPROTO;
	return reg.start;
}

/**
 * cr_pagemap_states() - page states of @nr pages from @addr in @vma
 * @t: the target
 * @vma: the VMA holding them all
 * @addr: page-aligned
 * @nr: pages
 * @state: one enum cr_page_state each
 *
 * Return: 0 or -errno.
 */
int cr_pagemap_states(struct cr_target *t, const struct cr_linux_vma *vma,
		      unsigned long addr, unsigned long nr, u8 *state)
{
	unsigned long i, n, done = 0;
	u64 *ents;
	ssize_t got;

	if (t->pagemap_fd < 0)
		return -EACCES;
	/* an image or a deleted file is saved whatever pagemap says */
	if (cr_pagemap_scan_usable(t) && !vma->image && !vma->deleted) {
		int ret = cr_scan_states(t, vma, addr, nr, state);

		if (ret != -ENOTTY && ret != -EINVAL)
			return ret;
		t->no_pagemap_scan = true;	/* before 6.7: read pagemap */
	}
	if (!t->zero_pfn)
		t->zero_pfn = cr_find_zero_pfn();
	ents = malloc(CR_PAGEMAP_BATCH * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	while (done < nr) {
		n = min(nr - done, (unsigned long)CR_PAGEMAP_BATCH);
		got = pread(t->pagemap_fd, ents, n * sizeof(*ents),
			    ((addr >> PAGE_SHIFT) + done) * sizeof(*ents));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || got % sizeof(*ents)) {
			free(ents);
			return got < 0 ? -errno : -EIO;
		}
		n = got / sizeof(*ents);
		for (i = 0; i < n; i++)
			state[done + i] = cr_page_state_of(t, vma,
				addr + (done + i) * PAGE_SIZE, ents[i]);
		done += n;
	}
	free(ents);
	return 0;
}

/**
 * cr_proc_stat_mm() - the mm fields /proc/PID/stat shows
 * @pid: the process
 * @map: the fields cr_parse_stat_mm() fills
 *
 * Return: 0 or -errno.
 */
int cr_proc_stat_mm(pid_t pid, struct cr_mm_map *map)
{
	char buf[2048];
	int ret;

	ret = cr_proc_read_file(pid, "stat", buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return cr_parse_stat_mm(buf, map);
}
