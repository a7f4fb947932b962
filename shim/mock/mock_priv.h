/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock's insides, shared by the files of shim/mock/ and nothing else:
 * struct cr_target and what hangs off it, and the mock's kops members
 * (gathered into mock_kops by mock_kops.c).
 */
#ifndef _CR_MOCK_PRIV_H
#define _CR_MOCK_PRIV_H

#include "core/compat.h"
#include "core/kops.h"
#include "core/image.h"
#include "shim/mock/mock_mm.h"

struct cr_arch_regs;

/* A file's contents, shared by the registry, open files and VMAs. */
struct mock_inode {
	struct list_head reg;		/* t->inodes, if registered */
	unsigned int refcount;
	char *path;
	u8 *data;
	size_t size;
	struct cr_file_id id;
	bool image;			/* pages of the image (->map_image) */
};

/* What filp_open gives; kept until mock_mm_free to catch use after close. */
struct cr_file {
	struct list_head list;		/* t->files */
	struct mock_inode *inode;	/* NULL once closed */
};

struct mock_vma {
	struct list_head list;		/* t->vmas, by address */
	unsigned long start, end;
	unsigned long flags;		/* VM_* */
	unsigned long pgoff;		/* file VMAs only; 0 otherwise */
	u32 type;			/* enum cr_vma_type or CR_VMA_SHIM */
	struct mock_inode *inode;	/* CR_VMA_FILE: a reference */
};

/*
 * A page: in the store (hashed by address) while mapped, and/or pinned.
 * A page that was ever pinned keeps its struct until mock_mm_free, so
 * that a late put_page or kmap is recorded instead of touching freed
 * memory; its data goes as soon as it is neither mapped nor pinned.
 */
struct cr_page {
	struct list_head hash;		/* a store bucket, while in_store */
	struct list_head pinned;	/* t->pinned, once ever pinned */
	struct list_head kmapped;	/* t->kmapped, while kmaps > 0 */
	unsigned long addr;
	u8 *data;			/* PAGE_SIZE bytes, or NULL when dead */
	bool in_store;
	bool file_clean;		/* a file page never written */
	bool pinned_ever;
	bool sum_valid;			/* only read pins since pins became 1 */
	unsigned int pins;
	unsigned int kmaps;
	u64 sum;			/* of data when first read-pinned */
};

struct mock_store {
	struct list_head *buckets;
	unsigned int nbuckets;		/* a power of 2 */
	unsigned long nr;		/* pages in the store */
};

struct mock_fault {
	bool armed;
	bool spent;			/* a one-off failure already fired */
	enum mock_op op;
	unsigned long nth;
	int err;
	bool persistent;
	unsigned long fired;
	unsigned long calls[MOCK_OP_NR];
};

struct mock_misuse_rec {
	unsigned long count;
	unsigned long addr;		/* of the last one */
};

struct mock_fd {
	bool open;
	bool unsupported;		/* next_fd says -EOPNOTSUPP */
	struct cr_fd_info info;
};

struct mock_task {
	struct cr_creds creds;		/* groups owned by the mock */
	u32 umask;
	char cwd[CR_FNAME_MAX];
	struct mock_fd *fds;		/* MOCK_NR_FDS of them */
	u64 next_ofd_key;
	struct cr_sigaction sigactions[CR_NSIG];
	struct cr_sigstate sigstate;
	struct cr_thread_info thread;
	struct cr_arch_regs *regs;	/* 64-byte aligned */
	bool has_tty;			/* a terminal on one of fds 0-2 */
	struct cr_tty_info tty;		/* its settings and window */
	bool winch_sent;		/* set_tty found another window size */
};

struct cr_target {
	struct list_head vmas;
	int nr_vmas;
	struct mock_store store;
	struct list_head pinned;
	struct list_head kmapped;
	u8 *scratch;			/* what a misused kmap returns */

	struct list_head inodes;	/* mock_mm_add_file's registry */
	struct list_head files;		/* every cr_file ever opened */
	unsigned long nr_open_files;

	struct cr_mm_map mm_map;
	char exe[CR_FNAME_MAX];

	u8 *ldt;			/* CR_LDT_ENTRIES * 8, NULL: no LDT */
	unsigned int ldt_nr;		/* entries in use, as the kernel counts */

	struct mock_task task;

	/* mock_snapshot.c */
	bool snapshot_taken;
	void (*on_snapshot)(struct cr_target *t, void *arg);
	void *on_snapshot_arg;
	int image_fd;			/* for ->map_image; -1: none */
	unsigned long image_pages;	/* mapped by ->map_image */
	enum mock_write_pages write_pages;	/* what ->write_pages does */
	unsigned long written_pages;	/* by ->write_pages */

	struct mock_fault fault;
	struct mock_misuse_rec misuse[MOCK_MISUSE_NR];
};

/* mock_fault.c */
int mock_fault_hit(struct cr_target *t, enum mock_op op);
void mock_misuse(struct cr_target *t, enum mock_misuse kind,
		 unsigned long addr);

/* mock_mm.c */
long __mock_do_mmap(struct cr_target *t, unsigned long addr,
		    unsigned long len, unsigned long prot, unsigned long flags,
		    struct mock_inode *inode, unsigned long pgoff);
struct mock_vma *mock_vma_find(struct cr_target *t, unsigned long addr);
struct mock_vma *mock_vma_next(struct cr_target *t, struct mock_vma *vma);
int mock_range_check(struct cr_target *t, unsigned long start,
		     unsigned long end);

/* mock_page.c: the page store */
int mock_store_init(struct mock_store *s);
void mock_store_fini(struct cr_target *t);
struct cr_page *mock_store_lookup(struct cr_target *t, unsigned long addr);
void mock_store_remove_range(struct cr_target *t, unsigned long start,
			     unsigned long end);
void mock_store_move_range(struct cr_target *t, unsigned long start,
			   unsigned long end, unsigned long new);

/* mock_file.c */
struct mock_inode *mock_inode_new(const char *path, const void *data,
				  size_t size, const struct cr_file_id *id);
void mock_inode_get(struct mock_inode *inode);
void mock_inode_put(struct mock_inode *inode);
struct mock_inode *mock_file_inode(struct cr_target *t, struct cr_file *file);
void mock_files_fini(struct cr_target *t);

/* mock_snapshot.c: a task member called after the snapshot is misuse */
void mock_task_read(struct cr_target *t);

/* mock_task.c */
int mock_task_init(struct cr_target *t);
void mock_task_fini(struct cr_target *t);

/* the kops members, one file each concern */
int mock_find_vma(struct cr_target *t, unsigned long addr,
		  struct cr_vma_info *vma);
long mock_next_page(struct cr_target *t, unsigned long addr,
		    unsigned long end);
int mock_page_state(struct cr_target *t, unsigned long addr,
		    unsigned long nr, u8 *state);
int mock_get_mm_map(struct cr_target *t, struct cr_mm_map *map, char *exe,
		    size_t exe_len);
int mock_snapshot_mm(struct cr_target *t);
int mock_write_pages(struct cr_target *t, const u64 *vaddrs, unsigned int nr,
		     int fd, u64 off, u32 *csum);
int mock_map_image(struct cr_target *t, unsigned long addr, unsigned long nr,
		   unsigned long prot, u64 off);
long mock_do_mmap(struct cr_target *t, unsigned long addr, unsigned long len,
		  unsigned long prot, unsigned long flags, struct cr_file *file,
		  unsigned long pgoff);
int mock_do_munmap(struct cr_target *t, unsigned long addr,
		   unsigned long len);
int mock_do_mremap(struct cr_target *t, unsigned long old, unsigned long len,
		   unsigned long new);
struct cr_file *mock_filp_open(struct cr_target *t, const char *path,
			       int flags, struct cr_file_id *id);
void mock_filp_close(struct cr_target *t, struct cr_file *file);
int mock_set_mm_map(struct cr_target *t, const struct cr_mm_map *map,
		    struct cr_file *exe);
int mock_get_user_pages(struct cr_target *t, unsigned long addr, int nr,
			int write, int force, struct cr_page **pages);
void mock_put_page(struct cr_target *t, struct cr_page *page);
int mock_flush(struct cr_target *t);
void *mock_kmap(struct cr_target *t, struct cr_page *page);
void mock_kunmap(struct cr_target *t, void *addr);
int mock_modify_ldt(struct cr_target *t, int func, void *ptr,
		    unsigned long n);
int mock_get_creds(struct cr_target *t, struct cr_creds *c);
int mock_set_creds(struct cr_target *t, const struct cr_creds *c);
int mock_get_fs(struct cr_target *t, u32 *umask, char *cwd, size_t len);
int mock_set_fs(struct cr_target *t, u32 umask, const char *cwd);
int mock_next_fd(struct cr_target *t, int fd, struct cr_fd_info *info);
int mock_install_fd(struct cr_target *t, const struct cr_fd_info *info);
int mock_close_fd(struct cr_target *t, int fd);
int mock_get_sigaction(struct cr_target *t, int sig,
		       struct cr_sigaction *act);
int mock_set_sigaction(struct cr_target *t, int sig,
		       const struct cr_sigaction *act);
int mock_get_tty(struct cr_target *t, struct cr_tty_info *tty);
int mock_set_tty(struct cr_target *t, const struct cr_tty_info *tty);
int mock_get_sigstate(struct cr_target *t, struct cr_sigstate *s);
int mock_set_sigstate(struct cr_target *t, const struct cr_sigstate *s);
int mock_get_thread(struct cr_target *t, struct cr_thread_info *ti);
int mock_set_thread(struct cr_target *t, const struct cr_thread_info *ti);
int mock_get_regs(struct cr_target *t, struct cr_arch_regs *regs);
int mock_set_regs(struct cr_target *t, const struct cr_arch_regs *regs);

#endif /* _CR_MOCK_PRIV_H */
