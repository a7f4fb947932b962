/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The crrun image, format version 2: the objects of the 2008 v6 stream
 * (include/linux/checkpoint_hdr.h) with 32-bit lengths and counts, 64-bit
 * addresses, explicit padding, and page data at page-aligned offsets.
 *
 * Every field is little-endian and fixed-width; every struct is a multiple
 * of 8 bytes with no implicit padding (checked at build time below).
 * docs/IMAGE.md describes the same thing for people; keep them in step.
 */
#ifndef _CR_IMAGE_H
#define _CR_IMAGE_H

#include "core/compat.h"

#define CR_IMAGE_MAGIC		0x00feed0cc0a2d200ULL	/* the seed's */
#define CR_TAIL_MAGIC		0x002d2a0cc0deef00ULL
#define CR_IMAGE_VERSION	3	/* what crrun writes */
#define CR_IMAGE_VERSION_MIN	1	/* the oldest it reads: no meta_csum */

#define CR_ARCH_X86_64		1

/* Bounds the reader enforces; a larger value in an image is rejected. */
#define CR_FNAME_MAX		4096		/* PATH_MAX, with its NUL */
#define CR_MAP_COUNT_MAX	65530		/* default vm.max_map_count */
#define CR_AUXV_MAX		64		/* u64 words: >= saved_auxv */
#define CR_NGROUPS_MAX		65536		/* NGROUPS_MAX */
#define CR_LDT_ENTRIES		8192		/* LDT_ENTRIES */
#define CR_LDT_ENTRY_SIZE	8
#define CR_NSIG			64
#define CR_NFDS_MAX		(1 << 20)	/* fs.nr_open default */
#define CR_XSTATE_MAX		(64 << 10)
#define CR_TASK_SIZE_MAX	0x00007ffffffff000ULL /* 4-level paging */

/* The pre-header of every object: cr_hdr, then @len bytes of payload. */
struct cr_hdr {
	u32 type;	/* enum cr_hdr_type */
	u32 len;	/* payload bytes that follow this header */
	u32 parent;	/* objref of the object this one belongs to, or 0 */
	u32 _pad;	/* zero */
};

enum cr_hdr_type {
	CR_HDR_HEAD = 1,
	CR_HDR_STRING,
	CR_HDR_FNAME,

	CR_HDR_TASK = 101,
	CR_HDR_THREAD,
	CR_HDR_CPU,
	CR_HDR_SIGHAND,
	CR_HDR_SIGNAL,
	CR_HDR_FS,

	CR_HDR_MM = 201,
	CR_HDR_VMA,
	CR_HDR_PGARR,
	CR_HDR_MM_CONTEXT,

	CR_HDR_FILES = 301,
	CR_HDR_FD_ENT,
	CR_HDR_FD_DATA,
	CR_HDR_TTY = 306,

	CR_HDR_TAIL = 5001,
};

/* CR_HDR_HEAD: opens the image */
struct cr_hdr_head {
	u64 magic;		/* CR_IMAGE_MAGIC */
	u32 version;		/* CR_IMAGE_VERSION */
	u32 arch;		/* CR_ARCH_X86_64 */
	u32 page_size;		/* 4096 */
	u32 flags;		/* none defined yet: must be 0 */
	u64 time;		/* creation, seconds since the epoch */
	char release[65];	/* uname -r of the checkpointing kernel, NUL-ended */
	char machine[23];	/* uname -m, NUL-ended */
};

/*
 * CR_HDR_TAIL: closes the image. @csum covers every byte before it;
 * @meta_csum (version 2) the same bytes but for page data, so that a
 * restore that maps page data instead of reading it (--lazy) still checks
 * every object.
 */
struct cr_hdr_tail {
	u64 magic;		/* CR_TAIL_MAGIC */
	u32 csum;		/* CRC32C of the image up to this object's cr_hdr */
	u32 meta_csum;		/* CRC32C of the same bytes less page data; v1: 0 */
	u64 size;		/* bytes before this object's cr_hdr */
};

/*
 * CR_HDR_TASK: identity and credentials; @ngroups u32 group ids follow in
 * the same payload.
 */
struct cr_hdr_task {
	u32 pid;		/* also the objref of the task's objects */
	u32 nr_threads;		/* 1: crrun saves single-threaded tasks */
	u32 uid, euid, suid, fsuid;
	u32 gid, egid, sgid, fsgid;
	u32 ngroups;
	u32 personality;
	u64 cap_inheritable;
	u64 cap_permitted;
	u64 cap_effective;
	u64 cap_bset;
	u64 cap_ambient;
	char comm[16];		/* NUL-ended */
};

/* CR_HDR_FS: umask; a CR_HDR_FNAME with the working directory follows */
struct cr_hdr_fs {
	u32 umask;
	u32 _pad;
};

/*
 * CR_HDR_MM: the mm fields; @nr_auxv u64 words of saved auxv follow in the
 * same payload. If @exe_fname, a CR_HDR_FNAME with /proc/PID/exe follows.
 * Then @map_count VMA objects, then one CR_HDR_MM_CONTEXT.
 */
struct cr_hdr_mm {
	u32 objref;
	u32 map_count;
	u64 start_code, end_code;
	u64 start_data, end_data;
	u64 start_brk, brk;
	u64 start_stack;
	u64 arg_start, arg_end;
	u64 env_start, env_end;
	u64 flags;		/* mm->flags as far as userspace sees them: 0 */
	u32 nr_auxv;		/* u64 words, even, <= CR_AUXV_MAX */
	u32 exe_fname;		/* 1 if a CR_HDR_FNAME follows */
};

enum cr_vma_type {
	CR_VMA_ANON = 1,	/* private anonymous (and deleted files) */
	CR_VMA_FILE,		/* private mapping of a file, by path */
	CR_VMA_VDSO,		/* [vdso]: moved, not copied */
	CR_VMA_VVAR,		/* [vvar]: moved, not copied */
	CR_VMA_VVAR_VCLOCK,	/* [vvar_vclock]: moved, not copied */
	CR_VMA_VSYSCALL,	/* [vsyscall]: fixed by the kernel, recorded only */
	CR_VMA_TYPE_MAX = CR_VMA_VSYSCALL,
};

/*
 * CR_HDR_VMA. For CR_VMA_FILE a CR_HDR_FNAME follows, and the file's identity
 * is recorded so that restore refuses a file that changed. ANON and FILE
 * VMAs are then followed by their contents: CR_HDR_PGARR batches ending with
 * one of nr_pages == 0. Special VMAs have no contents.
 */
struct cr_hdr_vma {
	u32 vma_type;		/* enum cr_vma_type */
	u32 _pad;
	u64 vm_start;
	u64 vm_end;
	u64 vm_flags;		/* the kernel's VM_* bits (core/mm/vma_flags.h) */
	u64 vm_pgoff;		/* in pages; 0 for anonymous memory */
	u64 f_dev;		/* st_dev of the mapped file (FILE only) */
	u64 f_ino;
	u64 f_size;
	u64 f_mtime_ns;		/* st_mtim in nanoseconds */
};

/*
 * CR_HDR_PGARR: a batch of pages. The payload is this struct followed by
 * @nr_pages u64 page addresses, increasing, inside the VMA. After the
 * object, zero bytes up to the next page-aligned file offset, then
 * @nr_pages * page_size bytes of page data, in the same order.
 */
struct cr_hdr_pgarr {
	u64 nr_pages;
};

/* CR_HDR_MM_CONTEXT: the LDT; @nldt raw 8-byte descriptors follow */
struct cr_hdr_mm_context {
	u32 ldt_entry_size;	/* CR_LDT_ENTRY_SIZE */
	u32 nldt;		/* <= CR_LDT_ENTRIES */
};

/* CR_HDR_FILES: @nfds CR_HDR_FD_ENT objects follow, by increasing fd */
struct cr_hdr_files {
	u32 objref;
	u32 nfds;
};

enum cr_fd_type {
	CR_FD_FILE = 1,		/* regular file, reopened by path */
	CR_FD_DIR,		/* directory, reopened by path */
	CR_FD_CHR,		/* character device (/dev/null...), by path */
	CR_FD_INHERIT,		/* fd 0-2 not reopenable: taken from restore's own */
	CR_FD_TYPE_MAX = CR_FD_INHERIT,
};

/*
 * CR_HDR_FD_ENT: one descriptor. The first fd that refers to an open file
 * description carries it: a CR_HDR_FD_DATA follows (and its CR_HDR_FNAME
 * for FILE, DIR, CHR). Later fds with the same @objref share it (dup).
 */
struct cr_hdr_fd_ent {
	u32 objref;		/* the open file description, from 1 */
	s32 fd;
	u32 close_on_exec;
	u32 _pad;
};

struct cr_hdr_fd_data {
	u32 fd_type;		/* enum cr_fd_type */
	u32 f_flags;		/* O_* status and access flags */
	u64 f_pos;
	u64 f_dev;		/* identity of the file when saved */
	u64 f_ino;
	u64 f_size;
	u64 f_mtime_ns;
};

/*
 * CR_HDR_TTY (version 3, one, after the files): the terminal the process
 * had on its fds 0-2 (the first of them that was one; @fd -1: none), with
 * its settings (struct termios2) and window size.
 */
#define CR_TTY_NCCS	19	/* termios2's c_cc */

struct cr_hdr_tty {
	s32 fd;			/* 0, 1 or 2; -1: no terminal */
	u32 c_iflag;
	u32 c_oflag;
	u32 c_cflag;
	u32 c_lflag;
	u32 c_ispeed;
	u32 c_ospeed;
	u8 c_line;
	u8 c_cc[CR_TTY_NCCS];
	u16 ws_row;
	u16 ws_col;
	u16 ws_xpixel;
	u16 ws_ypixel;
};

/* CR_HDR_SIGHAND: CR_NSIG of these, for signals 1..64 */
struct cr_sigaction {
	u64 handler;		/* SIG_DFL 0, SIG_IGN 1, or an address */
	u64 flags;		/* SA_* */
	u64 restorer;
	u64 mask;
};

struct cr_hdr_sighand {
	struct cr_sigaction action[CR_NSIG];
};

/*
 * CR_HDR_SIGNAL: the blocked mask, the alternate stack, and whether the
 * process stood stopped by job control (a field that was padding, zero, in
 * images before it: they restore running, as they did).
 */
struct cr_hdr_signal {
	u64 blocked;
	u64 ss_sp;
	u64 ss_size;
	u32 ss_flags;
	u32 stop_sig;		/* 0, or the signal that stopped it (SIGSTOP...) */
};

/*
 * CR_HDR_THREAD: per-thread state that is not registers. The rseq area the
 * process registered (rseq_len 0 when none). Version 3 adds the robust
 * futex list; before, the object ends at @robust_list (CR_THREAD_V2_SIZE).
 */
struct cr_hdr_thread {
	u64 rseq_addr;
	u32 rseq_len;
	u32 rseq_sig;
	u64 clear_child_tid;	/* set_tid_address; 0 when unknown */
	u64 robust_list;	/* set_robust_list: the head, 0: none */
	u64 robust_len;		/* its size (24), or 0 with no head */
};

#define CR_THREAD_V2_SIZE	24

/*
 * CR_HDR_CPU: general registers in struct user_regs_struct order (27 u64,
 * fs_base and gs_base included), then @xstate_size bytes of XSAVE area in the
 * standard layout (PTRACE_GETREGSET NT_X86_XSTATE) in the same payload.
 */
#define CR_NR_GREGS	27

struct cr_hdr_cpu {
	u64 gregs[CR_NR_GREGS];
	u32 xstate_size;
	u32 _pad;
};

#define CR_IMAGE_STRUCT_CHECK(s, n)                                          \
	_Static_assert(sizeof(struct s) == (n) && sizeof(struct s) % 8 == 0, \
		       #s " layout")
CR_IMAGE_STRUCT_CHECK(cr_hdr, 16);
CR_IMAGE_STRUCT_CHECK(cr_hdr_head, 120);
CR_IMAGE_STRUCT_CHECK(cr_hdr_tail, 24);
CR_IMAGE_STRUCT_CHECK(cr_hdr_task, 104);
CR_IMAGE_STRUCT_CHECK(cr_hdr_fs, 8);
CR_IMAGE_STRUCT_CHECK(cr_hdr_mm, 112);
CR_IMAGE_STRUCT_CHECK(cr_hdr_vma, 72);
CR_IMAGE_STRUCT_CHECK(cr_hdr_pgarr, 8);
CR_IMAGE_STRUCT_CHECK(cr_hdr_mm_context, 8);
CR_IMAGE_STRUCT_CHECK(cr_hdr_files, 8);
CR_IMAGE_STRUCT_CHECK(cr_hdr_fd_ent, 16);
CR_IMAGE_STRUCT_CHECK(cr_hdr_fd_data, 48);
CR_IMAGE_STRUCT_CHECK(cr_hdr_tty, 56);
CR_IMAGE_STRUCT_CHECK(cr_hdr_sighand, 2048);
CR_IMAGE_STRUCT_CHECK(cr_hdr_signal, 32);
CR_IMAGE_STRUCT_CHECK(cr_hdr_thread, 40);
CR_IMAGE_STRUCT_CHECK(cr_hdr_cpu, 224);

const char *cr_hdr_type_name(u32 type);

#endif /* _CR_IMAGE_H */
