// SPDX-License-Identifier: GPL-2.0
/*
 * The mock target's pages: a store of materialized pages hashed by
 * address, get_user_pages/put_page pins, kmap/kunmap pairing, page_state,
 * and the ptrace-like mock_mm_read/mock_mm_write of the tests.
 *
 * A page is materialized (put in the store) when it is written, pinned for
 * write, or read-pinned in a file VMA (the kernel maps the page cache page
 * on a read fault: CR_PAGE_FILE until written, then CR_PAGE_PRIVATE, its
 * copy-on-write). A read pin of an absent anonymous page gets a zeroed
 * page of its own that is not part of the address space (the kernel's zero
 * page, but one per pin, so that kunmap can tell them apart).
 *
 * Checks the kernel does not make: a read-pinned page must be unchanged
 * when its last pin is put (MOCK_MISUSE_RO_WRITE), kunmap takes exactly a
 * pointer kmap gave, put_page takes a pinned page that is not kmapped.
 */
#include <stdlib.h>
#include <string.h>

#include "core/mm/vma_flags.h"
#include "shim/mock/mock_priv.h"

#define MOCK_STORE_BUCKETS	256

static unsigned int store_hash(const struct mock_store *s, unsigned long addr)
{
	u64 h = (u64)(addr >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 32) & (s->nbuckets - 1);
}

/**
 * mock_store_init() - an empty page store
 * @s: the store
 *
 * Return: 0 or -ENOMEM.
 */
int mock_store_init(struct mock_store *s)
{
	unsigned int i;

	s->buckets = malloc(MOCK_STORE_BUCKETS * sizeof(*s->buckets));
	if (!s->buckets)
		return -ENOMEM;
	s->nbuckets = MOCK_STORE_BUCKETS;
	for (i = 0; i < s->nbuckets; i++)
		INIT_LIST_HEAD(&s->buckets[i]);
	s->nr = 0;
	return 0;
}

/* Double the buckets when chains get long; if that fails, chains stay long. */
static void store_grow(struct mock_store *s)
{
	struct mock_store bigger = { .nbuckets = s->nbuckets * 2, .nr = s->nr };
	struct cr_page *page, *next;
	unsigned int i;

	bigger.buckets = malloc(bigger.nbuckets * sizeof(*bigger.buckets));
	if (!bigger.buckets)
		return;
	for (i = 0; i < bigger.nbuckets; i++)
		INIT_LIST_HEAD(&bigger.buckets[i]);
	for (i = 0; i < s->nbuckets; i++) {
		list_for_each_entry_safe(page, next, &s->buckets[i], hash) {
			list_del(&page->hash);
			list_add(&page->hash, &bigger.buckets[
				 store_hash(&bigger, page->addr)]);
		}
	}
	free(s->buckets);
	*s = bigger;
}

static void store_insert(struct cr_target *t, struct cr_page *page)
{
	struct mock_store *s = &t->store;

	list_add(&page->hash, &s->buckets[store_hash(s, page->addr)]);
	page->in_store = true;
	s->nr++;
	if (s->nr > 4UL * s->nbuckets)
		store_grow(s);
}

/**
 * mock_store_lookup() - the materialized page at @addr
 * @t: the mock target
 * @addr: a page address
 *
 * Return: the page, or NULL when it is not materialized.
 */
struct cr_page *mock_store_lookup(struct cr_target *t, unsigned long addr)
{
	struct mock_store *s = &t->store;
	struct cr_page *page;

	list_for_each_entry(page, &s->buckets[store_hash(s, addr)], hash) {
		if (page->addr == addr)
			return page;
	}
	return NULL;
}

/* Free what nothing can reach any more; see struct cr_page. */
static void page_release(struct cr_target *t, struct cr_page *page)
{
	if (page->in_store || page->pins || page->kmaps)
		return;
	free(page->data);
	page->data = NULL;
	if (!page->pinned_ever)
		free(page);
}

static void store_drop(struct cr_target *t, struct cr_page *page)
{
	list_del(&page->hash);
	page->in_store = false;
	t->store.nr--;
	page_release(t, page);
}

/**
 * mock_store_remove_range() - drop the pages of [@start, @end)
 * @t: the mock target
 * @start: page-aligned
 * @end: page-aligned, above @start
 *
 * Pinned pages leave the address space but live on until put.
 */
void mock_store_remove_range(struct cr_target *t, unsigned long start,
			     unsigned long end)
{
	struct mock_store *s = &t->store;
	struct cr_page *page, *next;
	unsigned long addr;
	unsigned int i;

	if ((end - start) >> PAGE_SHIFT <= s->nr) {
		for (addr = start; addr < end; addr += PAGE_SIZE) {
			page = mock_store_lookup(t, addr);
			if (page)
				store_drop(t, page);
		}
		return;
	}
	for (i = 0; i < s->nbuckets; i++) {
		list_for_each_entry_safe(page, next, &s->buckets[i], hash) {
			if (page->addr >= start && page->addr < end)
				store_drop(t, page);
		}
	}
}

/**
 * mock_store_move_range() - move the pages of [@start, @end) to @new
 * @t: the mock target
 * @start: page-aligned
 * @end: page-aligned, above @start
 * @new: page-aligned; [@new, @new + @end - @start) holds no page
 */
void mock_store_move_range(struct cr_target *t, unsigned long start,
			   unsigned long end, unsigned long new)
{
	struct mock_store *s = &t->store;
	struct cr_page *page, *next;
	struct list_head moving = LIST_HEAD_INIT(moving);
	unsigned int i;

	for (i = 0; i < s->nbuckets; i++) {
		list_for_each_entry_safe(page, next, &s->buckets[i], hash) {
			if (page->addr < start || page->addr >= end)
				continue;
			list_del(&page->hash);
			list_add(&page->hash, &moving);
		}
	}
	list_for_each_entry_safe(page, next, &moving, hash) {
		list_del(&page->hash);
		page->addr = page->addr - start + new;
		list_add(&page->hash, &s->buckets[store_hash(s, page->addr)]);
	}
}

/**
 * mock_store_fini() - free every page, mapped, pinned or dead
 * @t: the mock target
 */
void mock_store_fini(struct cr_target *t)
{
	struct mock_store *s = &t->store;
	struct cr_page *page, *next;
	unsigned int i;

	for (i = 0; i < s->nbuckets; i++) {
		list_for_each_entry_safe(page, next, &s->buckets[i], hash) {
			list_del(&page->hash);
			if (!page->pinned_ever) {
				free(page->data);
				free(page);
			}
		}
	}
	list_for_each_entry_safe(page, next, &t->pinned, pinned) {
		free(page->data);
		free(page);
	}
	INIT_LIST_HEAD(&t->pinned);
	INIT_LIST_HEAD(&t->kmapped);
	free(s->buckets);
	s->buckets = NULL;
	s->nr = 0;
}

/* What an absent page of @vma reads as: the file's bytes, or zeros. */
static void page_fill(const struct mock_vma *vma, unsigned long addr, u8 *buf)
{
	const struct mock_inode *inode = vma->inode;
	u64 off;
	size_t n = 0;

	if (inode) {
		off = ((u64)vma->pgoff << PAGE_SHIFT) + (addr - vma->start);
		if (off < inode->size) {
			n = min((u64)PAGE_SIZE, inode->size - off);
			memcpy(buf, inode->data + off, n);
		}
	}
	memset(buf + n, 0, PAGE_SIZE - n);
}

static struct cr_page *page_alloc(const struct mock_vma *vma,
				  unsigned long addr, bool write)
{
	struct cr_page *page;

	page = calloc(1, sizeof(*page));
	if (!page)
		return NULL;
	page->data = malloc(PAGE_SIZE);
	if (!page->data) {
		free(page);
		return NULL;
	}
	INIT_LIST_HEAD(&page->hash);
	INIT_LIST_HEAD(&page->pinned);
	INIT_LIST_HEAD(&page->kmapped);
	page->addr = addr;
	page->file_clean = vma->inode && !write;
	page_fill(vma, addr, page->data);
	return page;
}

static void page_free(struct cr_page *page)
{
	free(page->data);
	free(page);
}

/* FNV-1a over the page, a word at a time: did a read pin write it? */
static u64 page_sum(const u8 *data)
{
	u64 h = 0xcbf29ce484222325ULL, w;
	size_t i;

	for (i = 0; i < PAGE_SIZE; i += sizeof(w)) {
		memcpy(&w, data + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return h;
}

static void page_pin(struct cr_target *t, struct cr_page *page, bool write)
{
	if (!page->pinned_ever) {
		page->pinned_ever = true;
		list_add_tail(&page->pinned, &t->pinned);
	}
	if (!page->pins) {
		page->sum_valid = !write;
		if (!write)
			page->sum = page_sum(page->data);
	} else if (write) {
		page->sum_valid = false;
	}
	if (write)
		page->file_clean = false;	/* the COW fault */
	page->pins++;
}

/* May [start, end) be pinned? Holes, protection, the shim, PFN maps. */
static int gup_check(struct cr_target *t, unsigned long start,
		     unsigned long end, bool write, bool force)
{
	struct mock_vma *vma = mock_vma_find(t, start);
	unsigned long pos = start, need;

	if (write)
		need = force ? VM_MAYWRITE : VM_WRITE;
	else
		need = force ? VM_MAYREAD : VM_READ;
	while (pos < end) {
		if (!vma || vma->start > pos)
			return -EFAULT;
		if (vma->type == CR_VMA_SHIM) {
			mock_misuse(t, MOCK_MISUSE_SHIM, pos);
			return -EPERM;
		}
		if ((vma->flags & (VM_IO | VM_PFNMAP)) || !(vma->flags & need))
			return -EFAULT;
		pos = vma->end;
		vma = mock_vma_next(t, vma);
	}
	return 0;
}

/**
 * mock_get_user_pages() - kops->get_user_pages
 * @t: the mock target
 * @addr: page-aligned
 * @nr: pages, at least 1
 * @write: pin for writing: the pages become private (materialized)
 * @force: as ptrace: write needs VM_MAYWRITE instead of VM_WRITE, read
 *	VM_MAYREAD instead of VM_READ
 * @pages: receives @nr pinned pages
 *
 * Return: @nr; -EINVAL (@nr < 1, unaligned, no @pages), -EFAULT (a page
 * outside any VMA, not allowed by its protection, or in a VM_IO/VM_PFNMAP
 * VMA), -EPERM (the shim's own VMA), -ENOMEM. Nothing is pinned on error.
 */
int mock_get_user_pages(struct cr_target *t, unsigned long addr, int nr,
			int write, int force, struct cr_page **pages)
{
	struct cr_page **fresh;
	struct mock_vma *vma;
	unsigned long a;
	int i, err;

	err = mock_fault_hit(t, MOCK_OP_GET_USER_PAGES);
	if (err)
		return err;
	if (nr <= 0 || !pages || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (addr + ((unsigned long)nr << PAGE_SHIFT) < addr)
		return -EFAULT;
	err = gup_check(t, addr, addr + ((unsigned long)nr << PAGE_SHIFT),
			write, force);
	if (err)
		return err;

	/* allocate every missing page first: then nothing can fail */
	fresh = calloc(nr, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	vma = mock_vma_find(t, addr);
	for (i = 0, a = addr; i < nr; i++, a += PAGE_SIZE) {
		while (vma->end <= a)
			vma = mock_vma_next(t, vma);
		if (mock_store_lookup(t, a))
			continue;
		fresh[i] = page_alloc(vma, a, write);
		if (!fresh[i])
			goto out_free_fresh;
	}

	for (i = 0, a = addr; i < nr; i++, a += PAGE_SIZE) {
		struct cr_page *page = fresh[i];

		if (!page)
			page = mock_store_lookup(t, a);
		else if (write || page->file_clean)
			store_insert(t, page);
		page_pin(t, page, write);
		pages[i] = page;
	}
	free(fresh);
	return nr;

out_free_fresh:
	while (i--) {
		if (fresh[i])
			page_free(fresh[i]);
	}
	free(fresh);
	return -ENOMEM;
}

/**
 * mock_put_page() - kops->put_page: drop one pin
 * @t: the mock target
 * @page: a page from mock_get_user_pages()
 *
 * Putting NULL, an unpinned page or a page still kmapped is recorded as
 * MOCK_MISUSE_PUT_PAGE (the last still drops its pin). A page whose last
 * pin was a read pin must not have changed (MOCK_MISUSE_RO_WRITE).
 */
void mock_put_page(struct cr_target *t, struct cr_page *page)
{
	mock_fault_hit(t, MOCK_OP_PUT_PAGE);
	if (IS_ERR_OR_NULL(page)) {
		mock_misuse(t, MOCK_MISUSE_PUT_PAGE, (unsigned long)page);
		return;
	}
	if (!page->pins) {
		mock_misuse(t, MOCK_MISUSE_PUT_PAGE, page->addr);
		return;
	}
	if (page->kmaps)
		mock_misuse(t, MOCK_MISUSE_PUT_PAGE, page->addr);
	if (--page->pins)
		return;
	if (page->sum_valid && page->data && page_sum(page->data) != page->sum)
		mock_misuse(t, MOCK_MISUSE_RO_WRITE, page->addr);
	page->sum_valid = false;
	page_release(t, page);
}

/**
 * mock_flush() - kops->flush: the mock writes pages in place
 * @t: the mock target
 *
 * Return: 0, or an injected fault.
 */
int mock_flush(struct cr_target *t)
{
	return mock_fault_hit(t, MOCK_OP_FLUSH);
}

/**
 * mock_kmap() - kops->kmap
 * @t: the mock target
 * @page: a pinned page
 *
 * Return: the page's PAGE_SIZE bytes. For a page that is not pinned the
 * misuse is recorded (MOCK_MISUSE_KMAP) and a scratch page returned.
 */
void *mock_kmap(struct cr_target *t, struct cr_page *page)
{
	mock_fault_hit(t, MOCK_OP_KMAP);
	if (IS_ERR_OR_NULL(page) || !page->pins || !page->data) {
		mock_misuse(t, MOCK_MISUSE_KMAP, IS_ERR_OR_NULL(page) ?
			    (unsigned long)page : page->addr);
		return t->scratch;
	}
	if (!page->kmaps++)
		list_add_tail(&page->kmapped, &t->kmapped);
	return page->data;
}

/**
 * mock_kunmap() - kops->kunmap
 * @t: the mock target
 * @addr: exactly a pointer mock_kmap() returned and not yet kunmapped;
 *	anything else (the struct cr_page, as in 2008 defect 1) is recorded
 *	as MOCK_MISUSE_KUNMAP with @addr
 */
void mock_kunmap(struct cr_target *t, void *addr)
{
	struct cr_page *page;

	mock_fault_hit(t, MOCK_OP_KUNMAP);
	list_for_each_entry(page, &t->kmapped, kmapped) {
		if (page->data != addr)
			continue;
		if (!--page->kmaps) {
			list_del(&page->kmapped);
			page_release(t, page);
		}
		return;
	}
	mock_misuse(t, MOCK_MISUSE_KUNMAP, (unsigned long)addr);
}

static enum cr_page_state page_state_of(struct cr_target *t,
					unsigned long addr)
{
	struct cr_page *page = mock_store_lookup(t, addr);

	if (!page)
		return CR_PAGE_NONE;
	return page->file_clean ? CR_PAGE_FILE : CR_PAGE_PRIVATE;
}

/**
 * mock_page_state() - kops->page_state
 * @t: the mock target
 * @addr: page-aligned
 * @nr: pages, at least 1, all in the VMA that holds @addr
 * @state: receives @nr enum cr_page_state
 *
 * A file page only ever read through mock_mm_read() is CR_PAGE_NONE.
 *
 * Return: 0, -EINVAL (unaligned, @nr 0), -EFAULT (the range is not inside
 * one VMA), -EPERM (the shim's own VMA).
 */
int mock_page_state(struct cr_target *t, unsigned long addr,
		    unsigned long nr, u8 *state)
{
	struct mock_vma *vma;
	unsigned long i;
	int err;

	err = mock_fault_hit(t, MOCK_OP_PAGE_STATE);
	if (err)
		return err;
	if (!nr || !state || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (nr > (~0UL - addr) >> PAGE_SHIFT)
		return -EFAULT;
	vma = mock_vma_find(t, addr);
	if (!vma || vma->start > addr || vma->end - addr < nr << PAGE_SHIFT)
		return -EFAULT;
	if (vma->type == CR_VMA_SHIM) {
		mock_misuse(t, MOCK_MISUSE_SHIM, addr);
		return -EPERM;
	}
	/* every page of an image mapping holds the process's data */
	for (i = 0; i < nr; i++)
		state[i] = vma->inode && vma->inode->image ?
				   CR_PAGE_PRIVATE :
				   page_state_of(t, addr + (i << PAGE_SHIFT));
	return 0;
}

/**
 * mock_next_page() - kops->next_page: the first page held at or above
 *	@addr, exactly
 * @t: the mock target
 * @addr: page-aligned
 * @end: page-aligned, above @addr, in the VMA that holds @addr
 *
 * Return: that page's address, @end when there is none (@addr for an
 * image mapping, all of which counts), or -EINVAL, -EFAULT, -EPERM as
 * mock_page_state().
 */
long mock_next_page(struct cr_target *t, unsigned long addr,
		    unsigned long end)
{
	struct mock_store *s = &t->store;
	unsigned long best = end, a;
	struct mock_vma *vma;
	struct cr_page *page;
	unsigned int i;
	int err;

	err = mock_fault_hit(t, MOCK_OP_NEXT_PAGE);
	if (err)
		return err;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    end <= addr)
		return -EINVAL;
	vma = mock_vma_find(t, addr);
	if (!vma || vma->start > addr || vma->end < end)
		return -EFAULT;
	if (vma->type == CR_VMA_SHIM) {
		mock_misuse(t, MOCK_MISUSE_SHIM, addr);
		return -EPERM;
	}
	if (vma->inode && vma->inode->image)
		return addr;
	/* by address when the range is small, else over the whole store */
	if ((end - addr) >> PAGE_SHIFT <= s->nr) {
		for (a = addr; a < end; a += PAGE_SIZE)
			if (page_state_of(t, a) != CR_PAGE_NONE)
				return a;
		return end;
	}
	for (i = 0; i < s->nbuckets; i++)
		list_for_each_entry(page, &s->buckets[i], hash)
			if (page->addr >= addr && page->addr < best &&
			    page_state_of(t, page->addr) != CR_PAGE_NONE)
				best = page->addr;
	return best;
}

/**
 * mock_mm_page_state() - the state of one page, for assertions
 * @t: the mock target
 * @addr: any address in the page
 *
 * Not a kops call: not counted, never fails by injection.
 *
 * Return: an enum cr_page_state, or -EFAULT when @addr is not mapped.
 */
int mock_mm_page_state(struct cr_target *t, unsigned long addr)
{
	struct mock_vma *vma = mock_vma_find(t, addr);

	if (!vma || vma->start > addr)
		return -EFAULT;
	return page_state_of(t, addr & PAGE_MASK);
}

/**
 * mock_mm_nr_pages() - how many pages are materialized
 * @t: the mock target
 *
 * Return: the pages in the address space (private and clean file pages).
 */
unsigned long mock_mm_nr_pages(struct cr_target *t)
{
	return t->store.nr;
}

/**
 * mock_mm_write() - write the target's memory as ptrace would
 * @t: the mock target
 * @addr: any address
 * @buf: the bytes
 * @len: how many
 *
 * Ignores protection; the pages written become private (materialized).
 * Not a kops call.
 *
 * Return: 0, -EFAULT if any byte is not mapped (nothing written), -ENOMEM.
 */
int mock_mm_write(struct cr_target *t, unsigned long addr, const void *buf,
		  size_t len)
{
	const u8 *src = buf;
	struct mock_vma *vma;
	int err;

	if (!len)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	err = mock_range_check(t, addr, addr + len);
	if (err)
		return err;
	vma = mock_vma_find(t, addr);
	while (len) {
		unsigned long base = addr & PAGE_MASK, off = addr - base;
		size_t n = min(len, PAGE_SIZE - off);
		struct cr_page *page;

		while (vma->end <= base)
			vma = mock_vma_next(t, vma);
		page = mock_store_lookup(t, base);
		if (!page) {
			page = page_alloc(vma, base, true);
			if (!page)
				return -ENOMEM;
			store_insert(t, page);
		}
		page->file_clean = false;
		memcpy(page->data + off, src, n);
		src += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/**
 * mock_mm_read() - read the target's memory as ptrace would
 * @t: the mock target
 * @addr: any address
 * @buf: receives the bytes
 * @len: how many
 *
 * Ignores protection; an absent page reads as zeros, or as the file for a
 * file VMA, and is not materialized. Not a kops call.
 *
 * Return: 0, or -EFAULT if any byte is not mapped.
 */
int mock_mm_read(struct cr_target *t, unsigned long addr, void *buf,
		 size_t len)
{
	u8 *dst = buf, tmp[PAGE_SIZE];
	struct mock_vma *vma;
	int err;

	if (!len)
		return 0;
	if (addr + len < addr)
		return -EFAULT;
	err = mock_range_check(t, addr, addr + len);
	if (err)
		return err;
	vma = mock_vma_find(t, addr);
	while (len) {
		unsigned long base = addr & PAGE_MASK, off = addr - base;
		size_t n = min(len, PAGE_SIZE - off);
		struct cr_page *page;

		while (vma->end <= base)
			vma = mock_vma_next(t, vma);
		page = mock_store_lookup(t, base);
		if (page) {
			memcpy(dst, page->data + off, n);
		} else {
			page_fill(vma, base, tmp);
			memcpy(dst, tmp + off, n);
		}
		dst += n;
		addr += n;
		len -= n;
	}
	return 0;
}
