/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct cr_kops: every effect crrun has on a target process goes through
 * this table. The engine (core/, core/mm/, arch/) sees nothing else; the
 * shims implement it: shim/linux/ over a real process driven with ptrace,
 * shim/mock/ over an in-memory mm for the unit tests.
 *
 * Every member returns 0 (or a count, or an address) on success and a
 * negative errno on failure, unless its comment says otherwise. A member
 * never prints: it returns an errno and the caller names what failed.
 */
#ifndef _CR_KOPS_H
#define _CR_KOPS_H

#include "core/compat.h"
#include "core/image.h"

struct cr_target;	/* the shim's: a stopped process, or a mock mm */
struct cr_page;		/* the shim's: one page pinned by get_user_pages */
struct cr_file;		/* the shim's: a file opened for mapping */
struct cr_arch_regs;	/* arch's: registers and xstate (arch/x86/regs.h) */

/* What identifies a file's contents: restore refuses a file that changed. */
struct cr_file_id {
	u64 dev;
	u64 ino;
	u64 size;
	u64 mtime_ns;
};

/* A VMA as checkpoint sees it. */
#define CR_VMA_SHIM	0x100	/* vma_type of the shim's own mappings */

struct cr_vma_info {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_flags;	/* VM_* (core/mm/vma_flags.h) */
	unsigned long vm_pgoff;	/* in pages */
	u32 vma_type;		/* enum cr_vma_type, or CR_VMA_SHIM: skip it */
	struct cr_file_id id;	/* CR_VMA_FILE only */
	char path[CR_FNAME_MAX]; /* CR_VMA_FILE only, NUL-ended */
};

/* Page states reported by ->page_state() */
enum cr_page_state {
	CR_PAGE_NONE = 0,	/* not present: reads as zero or as the file */
	CR_PAGE_PRIVATE,	/* anonymous, COW-ed or swapped: must be saved */
	CR_PAGE_FILE,		/* a clean page of the mapped file */
};

/* The mm fields, as prctl(PR_SET_MM_MAP) takes them. */
struct cr_mm_map {
	u64 start_code, end_code;
	u64 start_data, end_data;
	u64 start_brk, brk;
	u64 start_stack;
	u64 arg_start, arg_end;
	u64 env_start, env_end;
	u64 auxv[CR_AUXV_MAX];
	u32 nr_auxv;		/* u64 words used in @auxv */
};

struct cr_creds {
	u32 pid;		/* get_creds: the target's pid; set: ignored */
	u32 uid, euid, suid, fsuid;
	u32 gid, egid, sgid, fsgid;
	u32 personality;
	u32 ngroups;
	u32 *groups;		/* @ngroups entries; owned by the caller */
	u64 cap_inheritable, cap_permitted, cap_effective;
	u64 cap_bset, cap_ambient;
	char comm[16];
};

/* A file descriptor, both ways. */
struct cr_fd_info {
	int fd;
	u32 fd_type;		/* enum cr_fd_type */
	int dup_of;		/* restore: an earlier fd sharing the file, or -1 */
	u64 ofd_key;		/* checkpoint: equal for fds sharing one file */
	u32 f_flags;
	u32 close_on_exec;
	u64 f_pos;
	struct cr_file_id id;
	char path[CR_FNAME_MAX];
};

/* The signal state that is not per handler. */
struct cr_sigstate {
	u64 blocked;
	u64 ss_sp;
	u64 ss_size;
	u32 ss_flags;
	u32 stop_sig;		/* stopped by job control: the signal; else 0 */
};

/* The terminal on fds 0-2: settings (termios2) and window size. */
struct cr_tty_info {
	int fd;			/* which of 0-2 it was found on, or is set on */
	u32 c_iflag, c_oflag, c_cflag, c_lflag;
	u32 c_ispeed, c_ospeed;
	u8 c_line;
	u8 c_cc[CR_TTY_NCCS];
	u16 ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct cr_thread_info {
	u64 rseq_addr;
	u32 rseq_len;
	u32 rseq_sig;
	u64 clear_child_tid;
	u64 robust_list;	/* set_robust_list(2): head, or 0 */
	u64 robust_len;
};

struct cr_kops {
	/* ---- memory: checkpoint ---- */

	/**
	 * @find_vma: the first VMA that ends above @addr, into @vma.
	 * Return: 0, -ENOENT when there is none, or -errno.
	 */
	int (*find_vma)(struct cr_target *t, unsigned long addr,
			struct cr_vma_info *vma);

	/**
	 * @page_state: the state of @nr pages from @addr (page-aligned, all in
	 * one VMA) into @state[], one enum cr_page_state each.
	 */
	int (*page_state)(struct cr_target *t, unsigned long addr,
			  unsigned long nr, u8 *state);

	/**
	 * @next_page: optional (NULL: not offered). Where to ask
	 * ->page_state from next: an address in [@addr, @end] (page-aligned,
	 * all in one VMA) at or below the first page that ->page_state would
	 * not call CR_PAGE_NONE; @end when there is none. @addr itself is
	 * always a right answer; a better one skips an empty stretch, so
	 * that a mapping's cost follows the pages it holds, not its size.
	 * Return: the address, or -errno.
	 */
	long (*next_page)(struct cr_target *t, unsigned long addr,
			  unsigned long end);

	/** @get_mm_map: read the mm fields and the saved auxv. */
	int (*get_mm_map)(struct cr_target *t, struct cr_mm_map *map,
			  char *exe, size_t exe_len);

	/**
	 * @snapshot_mm: optional (NULL: not offered). Take a copy of the
	 * target's memory as it is at this instant and let the target run
	 * on. From then on ->find_vma, ->page_state and ->get_user_pages read
	 * the copy, which has the same VMAs; no other member may be called.
	 * The copy must be invisible to the target, and gone once the shim
	 * lets go of it.
	 * Return: 0; -EOPNOTSUPP when no copy can be taken of this target
	 * (the caller goes on reading the stopped target); or -errno.
	 */
	int (*snapshot_mm)(struct cr_target *t);

	/**
	 * @write_pages: optional (NULL: not offered). Write the target's
	 * @nr pages at @vaddrs (ascending, page-aligned, each one that
	 * ->page_state called private) into the file @fd at byte @off, one
	 * after the other, straight from the target's memory rather than
	 * through ->get_user_pages() and ->kmap(). @fd is the image: a
	 * regular file, open for writing. @csum is the image's CRC32C so far
	 * (as cr_crc32c() computes it); the shim may carry it on over the
	 * bytes it writes.
	 * Return: 1 with every byte written and *@csum carried over them; 0
	 * with every byte written and *@csum untouched (the caller reads
	 * them back); -EOPNOTSUPP when these pages cannot be written this
	 * way (the caller writes them itself, over anything written
	 * meanwhile); or -errno.
	 */
	int (*write_pages)(struct cr_target *t, const u64 *vaddrs,
			   unsigned int nr, int fd, u64 off, u32 *csum);

	/* ---- memory: restore ---- */

	/**
	 * @do_mmap: mmap(2) in the target. @file is NULL for anonymous memory.
	 * Return: the address mapped, or -errno.
	 */
	long (*do_mmap)(struct cr_target *t, unsigned long addr,
			unsigned long len, unsigned long prot,
			unsigned long flags, struct cr_file *file,
			unsigned long pgoff);

	/** @do_munmap: munmap(2) in the target. */
	int (*do_munmap)(struct cr_target *t, unsigned long addr,
			 unsigned long len);

	/**
	 * @do_mremap: move the mapping at [@old, @old + @len) to @new
	 * (MREMAP_MAYMOVE | MREMAP_FIXED). Used for the vdso and vvar.
	 */
	int (*do_mremap)(struct cr_target *t, unsigned long old,
			 unsigned long len, unsigned long new);

	/**
	 * @filp_open: open @path for mapping (@flags O_RDONLY) and fill @id.
	 * Return: a file for ->do_mmap() and ->set_mm_map(), or ERR_PTR.
	 */
	struct cr_file *(*filp_open)(struct cr_target *t, const char *path,
				     int flags, struct cr_file_id *id);

	/** @filp_close: give back what ->filp_open() returned. */
	void (*filp_close)(struct cr_target *t, struct cr_file *file);

	/**
	 * @map_image: optional (NULL: not offered). Map @nr pages of the
	 * image being restored, from its byte @off (page-aligned), at @addr
	 * as private memory with @prot, over what is mapped there (MAP_FIXED
	 * | MAP_PRIVATE): the pages are read from the image when first
	 * touched, not copied now (restore --lazy).
	 * Return: 0, or -errno with nothing changed at @addr.
	 */
	int (*map_image)(struct cr_target *t, unsigned long addr,
			 unsigned long nr, unsigned long prot, u64 off);

	/**
	 * @set_mm_map: set the mm fields, the saved auxv and, if @exe is not
	 * NULL, the exe link (prctl PR_SET_MM_MAP).
	 */
	int (*set_mm_map)(struct cr_target *t, const struct cr_mm_map *map,
			  struct cr_file *exe);

	/* ---- memory: both ways ---- */

	/**
	 * @get_user_pages: pin @nr consecutive pages from @addr into @pages.
	 * @write: the caller will write them (checkpoint reads, restore
	 * writes). @force: ignore the VMA's protection, as ptrace does.
	 * What the caller writes through ->kmap() reaches the target by the
	 * time the page is given back with ->put_page().
	 * Return: @nr, or -errno with no page pinned.
	 */
	int (*get_user_pages)(struct cr_target *t, unsigned long addr, int nr,
			      int write, int force, struct cr_page **pages);

	/**
	 * @put_page: unpin a page from ->get_user_pages(). For a write pin,
	 * this is where the shim may write the page to the target; a failure
	 * there is reported by ->flush().
	 */
	void (*put_page)(struct cr_target *t, struct cr_page *page);

	/**
	 * @flush: finish writes started by ->put_page().
	 * Return: 0, or the first error since the last flush.
	 */
	int (*flush)(struct cr_target *t);

	/**
	 * @kmap: a pointer to the PAGE_SIZE bytes of @page. Cannot fail; give
	 * it back with ->kunmap() before ->put_page().
	 */
	void *(*kmap)(struct cr_target *t, struct cr_page *page);

	/** @kunmap: @addr is the pointer ->kmap() returned (2008 defect 1). */
	void (*kunmap)(struct cr_target *t, void *addr);

	/**
	 * @modify_ldt: modify_ldt(2) in the target: func 0 reads up to @n bytes
	 * of the LDT into @ptr, 0x11 writes one struct user_desc.
	 * Return: bytes read (func 0), 0, or -errno.
	 */
	int (*modify_ldt)(struct cr_target *t, int func, void *ptr,
			  unsigned long n);

	/* ---- task ---- */

	/** @get_creds: ids, groups (@c->groups allocated by the shim: free()
	 * it), capabilities, personality, comm. */
	int (*get_creds)(struct cr_target *t, struct cr_creds *c);

	/**
	 * @set_creds: make the target run with @c. Refuses (-EPERM) creds that
	 * give more privilege than the restoring user has.
	 */
	int (*set_creds)(struct cr_target *t, const struct cr_creds *c);

	/** @get_fs / @set_fs: umask and working directory. */
	int (*get_fs)(struct cr_target *t, u32 *umask, char *cwd, size_t len);
	int (*set_fs)(struct cr_target *t, u32 umask, const char *cwd);

	/**
	 * @next_fd: the first open fd >= @fd, into @info (ofd_key set).
	 * Return: 0, -ENOENT when there is none, -EOPNOTSUPP for a kind of
	 * file crrun cannot save (info->fd and info->path say which), -errno.
	 */
	int (*next_fd)(struct cr_target *t, int fd, struct cr_fd_info *info);

	/**
	 * @install_fd: make @info->fd in the target: reopen by path, dup
	 * @info->dup_of, or keep the inherited one (CR_FD_INHERIT).
	 */
	int (*install_fd)(struct cr_target *t, const struct cr_fd_info *info);

	/** @close_fd: close @fd in the target; -EBADF if it was not open. */
	int (*close_fd)(struct cr_target *t, int fd);

	/**
	 * @get_tty: the terminal of the first of fds 0-2 that is one.
	 * Return: 0, -ENOENT when none is a terminal, or -errno.
	 */
	int (*get_tty)(struct cr_target *t, struct cr_tty_info *tty);

	/**
	 * @set_tty: give the terminal the target has at @tty->fd @tty's
	 * settings, and tell the target (SIGWINCH) if its window size is not
	 * @tty's, once it runs: the terminal is the restoring user's, and its
	 * size is the one of the window it is in now. Done when the target
	 * is let run, so that a failed restore leaves the terminal as it was.
	 * Return: 0; -ENOTTY when the target has no terminal at @tty->fd;
	 * or -errno.
	 */
	int (*set_tty)(struct cr_target *t, const struct cr_tty_info *tty);

	/** @get_sigaction / @set_sigaction: the handler of signal @sig. */
	int (*get_sigaction)(struct cr_target *t, int sig,
			     struct cr_sigaction *act);
	int (*set_sigaction)(struct cr_target *t, int sig,
			     const struct cr_sigaction *act);

	/**
	 * @get_sigstate / @set_sigstate: blocked mask, sigaltstack, and the
	 * job-control stop (@stop_sig): set_sigstate leaves the target
	 * stopped, once let go, when @stop_sig is not 0.
	 */
	int (*get_sigstate)(struct cr_target *t, struct cr_sigstate *s);
	int (*set_sigstate)(struct cr_target *t, const struct cr_sigstate *s);

	/**
	 * @get_thread / @set_thread: rseq registration, clear_child_tid, the
	 * robust futex list.
	 */
	int (*get_thread)(struct cr_target *t, struct cr_thread_info *ti);
	int (*set_thread)(struct cr_target *t, const struct cr_thread_info *ti);

	/**
	 * @get_regs / @set_regs: general registers, fs/gs base and xstate.
	 * set_regs takes effect when the target is let run, after every other
	 * operation.
	 */
	int (*get_regs)(struct cr_target *t, struct cr_arch_regs *regs);
	int (*set_regs)(struct cr_target *t, const struct cr_arch_regs *regs);
};

#endif /* _CR_KOPS_H */
