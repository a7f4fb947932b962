/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux shim's own view of a target: a process stopped under ptrace,
 * either seized for a checkpoint or forked to be filled by a restore.
 * Private to shim/linux/.
 */
#ifndef _CR_LINUX_TARGET_H
#define _CR_LINUX_TARGET_H

#include <sys/types.h>
#include <sys/user.h>

#include "core/ctx.h"
#include "core/kops.h"
#include "core/cr.h"
#include "arch/x86/regs.h"
#include "arch/x86/syscall_abi.h"
#include "shim/linux/proc_parse.h"

_Static_assert(sizeof(struct user_regs_struct) == CR_NR_GREGS * 8,
	       "user_regs_struct is the image's gregs");

enum cr_target_kind {
	CR_TARGET_SEIZED,	/* someone's process, seized for a checkpoint */
	CR_TARGET_CHILD,	/* our child, made for a restore */
};

/* Pages of the shim's mapping in a seized target: scratch for injected calls */
#define CR_LINUX_SCRATCH_PAGES	17	/* 64 KiB of LDT, and a page */
/* Pages of the injection area in a restore child: the gadget, then scratch */
#define CR_LINUX_INJECT_PAGES	66	/* 256 KiB of groups, and two pages */

/*
 * crrun's code in the page of the trap gadget (`syscall; int3` at 0):
 * cr_arch_syscall_batch (remote_syscall.c) and cr_arch_crc_write
 * (snapshot_write.c), each copied there when first used
 */
#define CR_BATCH_CODE_OFF	16
#define CR_CRC_WRITE_CODE_OFF	128

/* One VMA of the target, as /proc/PID/smaps showed it. */
struct cr_linux_vma {
	unsigned long start, end;
	unsigned long flags;		/* VM_* */
	unsigned long pgoff;
	u32 type;			/* enum cr_vma_type or CR_VMA_SHIM */
	bool deleted;			/* a deleted file, saved as anonymous */
	bool image;			/* a crrun image (restore --lazy mapped
					 * it): saved as anonymous, every page */
	unsigned long file_pgoff;	/* deleted: where the file starts */
	u64 file_size;			/* deleted: bytes the file holds */
	struct cr_file_id id;
	char *path;			/* NULL for anonymous memory */
};

/* A VMA's VmFlags, read from smaps before the stop (cr_maps_preread()). */
struct cr_vmflags_hint {
	unsigned long start, end;
	unsigned long offset;		/* as maps shows it */
	unsigned long inode;
	unsigned long flags;		/* VM_* */
};

/* A file mapped by a checkpointed process: is it a crrun image? */
struct cr_image_file {
	u64 dev, ino;
	bool image;
};

/* A file the shim opened in the target for mapping. */
struct cr_file {
	int fd;				/* in the target */
};

/* One pinned page: a slot of a run. */
struct cr_page {
	struct cr_page_run *run;
};

/*
 * A run of consecutive pages pinned by one get_user_pages() call: one
 * buffer, filled with one read, written back with one write.
 */
struct cr_page_run {
	struct cr_target *t;
	unsigned long addr;
	int nr;
	int refs;			/* pages not yet put */
	bool write;
	bool own_buf;			/* @buf malloc'ed, not in the target's */
	u8 *buf;			/* nr * PAGE_SIZE */
	struct cr_page pages[];
};

/* The registers of a stopped target, as ptrace gives them. */
struct cr_linux_regs {
	struct user_regs_struct gp;
	u32 xstate_size;
	u8 *xstate;			/* xstate_size bytes, or NULL */
};

struct cr_target {
	pid_t pid;
	enum cr_target_kind kind;
	const struct cr_log *log;
	int mem_fd;			/* /proc/PID/mem, read-write */
	bool no_vm_write;		/* process_vm_writev refused: mem_fd only */
	bool no_vm_read;		/* process_vm_readv refused: mem_fd only */
	int pagemap_fd;			/* /proc/PID/pagemap, or -1 */
	int uffd;			/* restore: a userfaultfd on its mm, or -1 */
	struct cr_uffd_helper *uffd_helper; /* its second copying thread */
	bool uffd_helper_tried;		/* started, or could not be */
	size_t uffd_bytes;		/* copied so far */
	/* a range kept registered (uffd.c), and the VMA just mapped */
	unsigned long uffd_reg_start, uffd_reg_end;
	unsigned long fresh_start, fresh_end;
	bool attached;			/* ptrace holds it */
	bool dead;			/* it exited under us */
	bool stopped;			/* in a ptrace stop (seize: after the first) */

	/* as found when stopped: a checkpoint puts these back */
	struct cr_linux_regs regs0;
	u64 sigmask0;			/* PTRACE_GETSIGMASK */
	bool sigmask_blocked;		/* all blocked for injection */
	bool dirty;			/* an injection changed the registers */
	bool listen;			/* stopped in a group stop at seize */
	int stop_sig0;			/* the signal of that group stop */

	/*
	 * checkpoint with a snapshot (snapshot.c): t->pid is then the
	 * snapshot, a child of the process, which runs on
	 */
	bool no_snapshot;		/* the CLI said not to take one */
	pid_t snap_parent;		/* the process, or 0: no snapshot */
	pid_t snap_vpid;		/* the snapshot's pid as the process sees it */
	int snap_pidfd;			/* the process's pidfd (did it exit?), or -1 */
	pid_t clone_child;		/* the child of the last injected clone, by
					 * our pid namespace (PTRACE_GETEVENTMSG) */
	/* ->write_pages: the snapshot writes into the image (snapshot_write.c) */
	enum {
		CR_WRITE_UNTRIED,
		CR_WRITE_READY,		/* the child holds the image */
		CR_WRITE_OFF,		/* it cannot: crrun reads the pages */
	} write_state;
	int write_src_fd;		/* the image, ours */
	long write_child_fd;		/* the image, the child's */

	/* syscall injection */
	unsigned long gadget;		/* address of `0f 05` in the target */
	unsigned long trap_gadget;	/* `0f 05 cc` in the shim's area, or 0:
					   one stop a call instead of two */
	unsigned long crc_write_code;	/* cr_arch_crc_write copied there, or 0 */
	unsigned long batch_code;	/* cr_arch_syscall_batch copied after
					   it, or 0 (not yet) */
	unsigned long area;		/* the shim's mapping, or 0 */
	unsigned long area_len;
	unsigned long scratch;		/* argument memory inside it */
	unsigned long scratch_len;
	unsigned long inj_sp;		/* rsp for injected calls (restore) */
	unsigned long nr_injected;
	struct cr_arch_regs *inj;	/* registers of an injected call */

	/* the maps, parsed on demand, kept up to date by the shim's own calls */
	struct cr_linux_vma *vmas;
	unsigned int nr_vmas;
	bool maps_valid;
	struct cr_vmflags_hint *hints;	/* seize: VmFlags read while it ran */
	unsigned int nr_hints;
	u64 zero_pfn;			/* the zero page's PFN, or 0 */
	bool no_pagemap_scan;		/* no PAGEMAP_SCAN: read pagemap */

	/* checkpoint: the fds, listed once */
	int *fds;
	unsigned int nr_fds;
	bool fds_valid;

	/* restore: the image, open in the child for ->map_image(), or -1 */
	int image_fd;

	/* checkpoint: which mapped files are crrun images, by dev and ino */
	struct cr_image_file *image_files;
	unsigned int nr_image_files;

	/* checkpoint: the signal actions, all read at the first asked */
	struct cr_sigaction act[CR_NSIG];
	bool have_act;

	/* restore: the child's signal actions, inherited from crrun */
	struct cr_sigaction inherited_act[CR_NSIG];
	bool have_inherited_act;

	/* restore: what resume applies */
	struct cr_arch_regs *new_regs;
	bool have_creds;
	struct cr_creds creds;		/* groups owned here */
	bool have_sigmask;
	u64 new_sigmask;
	u32 new_stop_sig;		/* left stopped by job control */
	bool have_tty;			/* new_tty goes on its terminal */
	struct cr_tty_info new_tty;

	/*
	 * get_user_pages: the runs pinned at once take their buffers one
	 * after the other from run_buf; once none is pinned it is free again,
	 * and grown to the most that was pinned at once if that did not fit
	 */
	u8 *run_buf;
	size_t run_buf_len;
	size_t run_buf_used;		/* bytes of it the pinned runs hold */
	size_t run_bytes;		/* bytes pinned now, in it or not */
	size_t run_bytes_peak;
	unsigned int nr_runs;		/* runs pinned now */

	int flush_err;			/* first failed write-back */
	int deferred_err;		/* first failure of a void op (filp_close) */

	/* named fault points (fault.c) */
	char fault_name[64];
	unsigned long fault_nth;	/* 0: every hit */
	unsigned long fault_hits;
};

/* target.c */
struct cr_target *cr_target_alloc(pid_t pid, enum cr_target_kind kind,
				  const struct cr_log *log);
void cr_target_free(struct cr_target *t);
void cr_linux_log(const struct cr_target *t, int level, const char *fmt, ...)
	__printf(3, 4);
int cr_target_open_proc(struct cr_target *t);
void cr_target_close_proc(struct cr_target *t);

/* seize.c */
int cr_seized_let_go(struct cr_target *t);
int cr_reseize(struct cr_target *t);

/* refuse.c: state a restore would not give back, refused by name */
int cr_check_refusals(struct cr_target *t, const char *status);

/* snapshot.c: the memory of a seized target, copied by an injected fork */
int cr_linux_snapshot_mm(struct cr_target *t);
int cr_snapshot_drop(struct cr_target *t);

/* snapshot_write.c */
int cr_linux_write_pages(struct cr_target *t, const u64 *vaddrs,
			 unsigned int nr, int fd, u64 off, u32 *csum);
int cr_mem_read(struct cr_target *t, unsigned long addr, void *buf,
		size_t len);
int cr_mem_write(struct cr_target *t, unsigned long addr, const void *buf,
		 size_t len);

#define cr_lerr(t, fmt, ...)	cr_linux_log(t, CR_LOG_ERR, fmt, ##__VA_ARGS__)
#define cr_lwarn(t, fmt, ...)	cr_linux_log(t, CR_LOG_WARN, fmt, ##__VA_ARGS__)
#define cr_ldebug(t, fmt, ...)	cr_linux_log(t, CR_LOG_DEBUG, fmt, ##__VA_ARGS__)

/* fault.c */
#ifdef CR_FAULT_POINTS
void cr_fault_init(struct cr_target *t);
int cr_fault_point(struct cr_target *t, const char *name);
#else
static inline void cr_fault_init(struct cr_target *t) { }
static inline int cr_fault_point(struct cr_target *t, const char *name)
{
	return 0;
}
#endif

/* ptrace.c */
int cr_ptrace_wait_stop(struct cr_target *t, int *status);
int cr_ptrace_get_regs(struct cr_target *t, struct cr_linux_regs *r);
int cr_ptrace_set_gp(struct cr_target *t, const struct user_regs_struct *gp);
int cr_ptrace_set_xstate(struct cr_target *t, const void *xs, u32 size);
int cr_ptrace_get_sigmask(struct cr_target *t, u64 *mask);
int cr_ptrace_set_sigmask(struct cr_target *t, u64 mask);
int cr_ptrace_get_rseq(struct cr_target *t, struct cr_thread_info *ti);
void cr_linux_regs_free(struct cr_linux_regs *r);

/* remote_syscall.c */
long cr_remote_syscall(struct cr_target *t, long nr, const u64 args[6]);
void cr_remote_base_regs(struct cr_target *t, struct cr_arch_regs *regs);
int cr_remote_run_code(struct cr_target *t, struct cr_arch_regs *regs);
int cr_remote_code(struct cr_target *t, unsigned long off, const u8 *code,
		   size_t len, unsigned long *at);
int cr_remote_syscalls(struct cr_target *t, struct cr_arch_syscall *calls,
		       unsigned int n);
#define cr_rsys(t, nr, ...) \
	cr_remote_syscall(t, nr, (const u64[6]){ __VA_ARGS__ })
int cr_find_gadget(struct cr_target *t);

/* uffd.c: fresh anonymous pages of a restore child, filled by UFFDIO_COPY */
void cr_uffd_open(struct cr_target *t);
void cr_uffd_close(struct cr_target *t);
int cr_uffd_drop(struct cr_target *t);
void cr_uffd_fresh_map(struct cr_target *t, unsigned long start, size_t len);
ssize_t cr_uffd_write(struct cr_target *t, unsigned long addr,
		      const void *buf, size_t len);
unsigned long cr_find_free_area(struct cr_target *t, unsigned long len,
				const struct cr_layout_vma *avoid,
				unsigned int nr_avoid);
int cr_map_shim_area(struct cr_target *t, unsigned long len,
		     const struct cr_layout_vma *avoid, unsigned int nr_avoid,
		     int prot);
int cr_scratch_put(struct cr_target *t, unsigned long off, const void *buf,
		   size_t len);

/* proc.c */
int cr_proc_read_file(pid_t pid, const char *name, char *buf, size_t len);
int cr_maps_refresh(struct cr_target *t);
void cr_maps_preread(struct cr_target *t);
void cr_maps_drop(struct cr_target *t);
void cr_maps_unmapped(struct cr_target *t, unsigned long start,
		      unsigned long end);
void cr_maps_insert(struct cr_target *t, unsigned long start,
		    unsigned long end, unsigned long flags, u32 type);
void cr_maps_moved(struct cr_target *t, unsigned long old, unsigned long len,
		   unsigned long new);
const struct cr_linux_vma *cr_maps_find(struct cr_target *t,
					unsigned long addr);
int cr_maps_match(struct cr_target *t, pid_t pid);
long cr_pagemap_next(struct cr_target *t, const struct cr_linux_vma *vma,
		     unsigned long addr, unsigned long end);
int cr_pagemap_states(struct cr_target *t, const struct cr_linux_vma *vma,
		      unsigned long addr, unsigned long nr, u8 *state);
int cr_proc_stat_mm(pid_t pid, struct cr_mm_map *map);

/* kops_mem.c: the memory members of cr_linux_kops */
int cr_linux_find_vma(struct cr_target *t, unsigned long addr,
		      struct cr_vma_info *vma);
long cr_linux_next_page(struct cr_target *t, unsigned long addr,
			unsigned long end);
int cr_linux_page_state(struct cr_target *t, unsigned long addr,
			unsigned long nr, u8 *state);
int cr_linux_get_mm_map(struct cr_target *t, struct cr_mm_map *map,
			char *exe, size_t exe_len);
long cr_linux_do_mmap(struct cr_target *t, unsigned long addr,
		      unsigned long len, unsigned long prot,
		      unsigned long flags, struct cr_file *file,
		      unsigned long pgoff);
int cr_linux_do_munmap(struct cr_target *t, unsigned long addr,
		       unsigned long len);
int cr_linux_do_mremap(struct cr_target *t, unsigned long old,
		       unsigned long len, unsigned long new);
struct cr_file *cr_linux_filp_open(struct cr_target *t, const char *path,
				   int flags, struct cr_file_id *id);
void cr_linux_filp_close(struct cr_target *t, struct cr_file *file);
int cr_linux_set_mm_map(struct cr_target *t, const struct cr_mm_map *map,
			struct cr_file *exe);
int cr_linux_get_user_pages(struct cr_target *t, unsigned long addr, int nr,
			    int write, int force, struct cr_page **pages);
void cr_linux_put_page(struct cr_target *t, struct cr_page *page);
int cr_linux_flush(struct cr_target *t);
void *cr_linux_kmap(struct cr_target *t, struct cr_page *page);
void cr_linux_kunmap(struct cr_target *t, void *addr);
int cr_linux_map_image(struct cr_target *t, unsigned long addr,
		       unsigned long nr, unsigned long prot, u64 off);
int cr_linux_modify_ldt(struct cr_target *t, int func, void *ptr,
			unsigned long n);
int cr_fd_identity(struct cr_target *t, int fd, struct cr_file_id *id,
		   unsigned int *mode);
long cr_remote_open(struct cr_target *t, const char *path, int flags);

/* creds.c */
int cr_linux_get_creds(struct cr_target *t, struct cr_creds *c);
int cr_linux_set_creds(struct cr_target *t, const struct cr_creds *c);
int cr_linux_apply_creds(struct cr_target *t);

/* files.c */
int cr_linux_next_fd(struct cr_target *t, int fd, struct cr_fd_info *info);
int cr_linux_install_fd(struct cr_target *t, const struct cr_fd_info *info);
int cr_linux_close_fd(struct cr_target *t, int fd);

/* kops_task.c */
int cr_linux_get_fs(struct cr_target *t, u32 *umask, char *cwd, size_t len);
int cr_linux_set_fs(struct cr_target *t, u32 umask, const char *cwd);
int cr_linux_get_sigaction(struct cr_target *t, int sig,
			   struct cr_sigaction *act);
int cr_linux_set_sigaction(struct cr_target *t, int sig,
			   const struct cr_sigaction *act);
int cr_linux_get_tty(struct cr_target *t, struct cr_tty_info *tty);
int cr_linux_set_tty(struct cr_target *t, const struct cr_tty_info *tty);
int cr_linux_resume_tty(struct cr_target *t);
int cr_linux_get_sigstate(struct cr_target *t, struct cr_sigstate *s);
int cr_linux_set_sigstate(struct cr_target *t, const struct cr_sigstate *s);
int cr_linux_get_thread(struct cr_target *t, struct cr_thread_info *ti);
int cr_linux_set_thread(struct cr_target *t, const struct cr_thread_info *ti);
int cr_linux_get_regs(struct cr_target *t, struct cr_arch_regs *regs);
int cr_linux_set_regs(struct cr_target *t, const struct cr_arch_regs *regs);

#endif /* _CR_LINUX_TARGET_H */
