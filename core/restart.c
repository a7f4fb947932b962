// SPDX-License-Identifier: GPL-2.0
/*
 * Restart of one task (the seed series' checkpoint/restart.c): the image is
 * read in stream order, each object checked field by field before it is
 * used, each effect made through ctx->kops. The tail's checksum is checked
 * last, before the caller lets the target run.
 *
 * Fixed from 2008: the head check demanded the exact kernel version and not
 * the format or the word size (defect 25); file restore swallowed errors,
 * passed O_CREAT/O_TRUNC through, and leaked fds (26); registers and
 * signals came back unchecked (24).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/arch.h"
#include "core/cr.h"
#include "core/image_io.h"
#include "core/mm/mm.h"
#include "core/restart.h"
#include "core/tty.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM	(1U << 31)
#endif

static bool cr_str_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/**
 * cr_read_head() - read and check the head object
 * @ctx: a restore context
 *
 * The format version, the arch and the page size must be ours; the kernel
 * release may differ (the seed refused any other kernel version).
 *
 * Return: 0, -EINVAL.
 */
int cr_read_head(struct cr_ctx *ctx)
{
	struct cr_hdr_head hh;
	struct utsname uts;
	int ret;

	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_HEAD, NULL);
	if (ret < 0) {
		if (ctx->pos <= sizeof(struct cr_hdr))
			cr_err(ctx, "not a crrun image");
		return ret;
	}
	if (hh.magic != CR_IMAGE_MAGIC) {
		cr_err(ctx, "head: magic %#llx: not a crrun image",
		       (unsigned long long)hh.magic);
		return -EINVAL;
	}
	if (hh.version < CR_IMAGE_VERSION_MIN ||
	    hh.version > CR_IMAGE_VERSION) {
		cr_err(ctx, "head: format version %u, this crrun reads %u to %u",
		       hh.version, CR_IMAGE_VERSION_MIN, CR_IMAGE_VERSION);
		return -EINVAL;
	}
	/* a version 1 tail has no meta_csum: nothing would check the objects */
	if (hh.version < 2 && (ctx->flags & CR_CTX_LAZY)) {
		cr_err(ctx, "head: a version %u image cannot be restored lazily: make it again with this crrun",
		       hh.version);
		return -EINVAL;
	}
	ctx->version = hh.version;
	if (hh.arch != CR_ARCH_X86_64 || hh.page_size != PAGE_SIZE) {
		cr_err(ctx, "head: arch %u page_size %u, this crrun is x86-64 with %lu",
		       hh.arch, hh.page_size, PAGE_SIZE);
		return -EINVAL;
	}
	if (hh.flags) {
		cr_err(ctx, "head: flags %#x not understood", hh.flags);
		return -EINVAL;
	}
	if (!cr_str_terminated(hh.release, sizeof(hh.release)) ||
	    !cr_str_terminated(hh.machine, sizeof(hh.machine))) {
		cr_err(ctx, "head: release or machine not NUL-terminated");
		return -EINVAL;
	}
	if (uname(&uts) == 0 && strcmp(uts.release, hh.release))
		cr_info(ctx, "image made on kernel %s, restoring on %s",
			hh.release, uts.release);
	return 0;
}

/**
 * cr_read_task_creds() - read and check the task object
 * @ctx: a restore context; ctx->objref is set to the task's pid
 * @c: filled in; c->groups is allocated: free() it
 *
 * Return: 0, -EINVAL, -ENOSYS for a multi-threaded task, -EIO, -ENOMEM.
 */
int cr_read_task_creds(struct cr_ctx *ctx, struct cr_creds *c)
{
	struct cr_hdr_task hh;
	u32 tail;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = cr_read_obj_var(ctx, &hh, sizeof(hh), CR_HDR_TASK, NULL, &tail);
	if (ret < 0)
		return ret;
	if (!hh.pid || hh.pid > (1U << 22)) {
		cr_err(ctx, "task: pid %u out of range", hh.pid);
		return -EINVAL;
	}
	if (hh.nr_threads != 1) {
		cr_err(ctx, "task: nr_threads %u: only single-threaded tasks are supported",
		       hh.nr_threads);
		return -ENOSYS;
	}
	if (hh.ngroups > CR_NGROUPS_MAX || tail != hh.ngroups * sizeof(u32)) {
		cr_err(ctx, "task: ngroups %u with %u bytes of groups",
		       hh.ngroups, tail);
		return -EINVAL;
	}
	if (!cr_str_terminated(hh.comm, sizeof(hh.comm))) {
		cr_err(ctx, "task: comm not NUL-terminated");
		return -EINVAL;
	}
	c->groups = malloc(hh.ngroups * sizeof(u32) + 1);
	if (!c->groups)
		return -ENOMEM;
	ret = cr_kread_obj(ctx, "task groups", c->groups, tail);
	if (ret < 0) {
		free(c->groups);
		c->groups = NULL;
		return ret;
	}
	ctx->objref = hh.pid;
	c->pid = hh.pid;
	c->uid = hh.uid;
	c->euid = hh.euid;
	c->suid = hh.suid;
	c->fsuid = hh.fsuid;
	c->gid = hh.gid;
	c->egid = hh.egid;
	c->sgid = hh.sgid;
	c->fsgid = hh.fsgid;
	c->ngroups = hh.ngroups;
	c->personality = hh.personality;
	c->cap_inheritable = hh.cap_inheritable;
	c->cap_permitted = hh.cap_permitted;
	c->cap_effective = hh.cap_effective;
	c->cap_bset = hh.cap_bset;
	c->cap_ambient = hh.cap_ambient;
	memcpy(c->comm, hh.comm, sizeof(c->comm));
	return 0;
}

static int cr_read_task(struct cr_ctx *ctx)
{
	struct cr_creds c;
	int ret;

	ret = cr_read_task_creds(ctx, &c);
	if (ret < 0)
		return ret;
	ret = ctx->kops->set_creds(ctx->target, &c);
	if (ret < 0)
		cr_err(ctx, "task: credentials uid %u gid %u: error %d%s", c.uid,
		       c.gid, ret,
		       ret == -EPERM ? " (more privilege than the restoring user has)" : "");
	free(c.groups);
	return ret;
}

/**
 * cr_read_fs_obj() - read and check the fs object and the cwd after it
 * @ctx: a restore context
 * @umask: filled in
 * @cwd: CR_FNAME_MAX bytes, filled in
 *
 * Return: 0, -EINVAL, -EIO.
 */
int cr_read_fs_obj(struct cr_ctx *ctx, u32 *umask, char *cwd)
{
	struct cr_hdr_fs hh;
	u32 parent;
	int ret;

	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_FS, &parent);
	if (ret < 0)
		return ret;
	if (parent != ctx->objref || hh.umask > 0777 || hh._pad) {
		cr_err(ctx, "fs: parent %u umask %#o", parent, hh.umask);
		return -EINVAL;
	}
	ret = cr_read_fname(ctx, cwd, CR_FNAME_MAX, NULL);
	if (ret < 0)
		return ret;
	if (cwd[0] != '/') {
		cr_err(ctx, "fs: cwd '%s' is not an absolute path", cwd);
		return -EINVAL;
	}
	*umask = hh.umask;
	return 0;
}

static int cr_read_fs(struct cr_ctx *ctx)
{
	u32 umask;
	char *cwd;
	int ret;

	cwd = malloc(CR_FNAME_MAX);
	if (!cwd)
		return -ENOMEM;
	ret = cr_read_fs_obj(ctx, &umask, cwd);
	if (!ret) {
		ret = ctx->kops->set_fs(ctx->target, umask, cwd);
		if (ret < 0)
			cr_err(ctx, "fs: cwd %s: error %d", cwd, ret);
	}
	free(cwd);
	return ret;
}

static int cr_read_sighand(struct cr_ctx *ctx)
{
	struct cr_hdr_sighand *hh;
	const struct cr_sigaction *act;
	u32 parent;
	int sig, ret;

	hh = malloc(sizeof(*hh));
	if (!hh)
		return -ENOMEM;
	ret = cr_read_obj_type(ctx, hh, sizeof(*hh), CR_HDR_SIGHAND, &parent);
	if (!ret && parent != ctx->objref) {
		cr_err(ctx, "sighand: parent %u, task is %u", parent,
		       ctx->objref);
		ret = -EINVAL;
	}
	for (sig = 1; !ret && sig <= CR_NSIG; sig++) {
		act = &hh->action[sig - 1];
		if (sig == SIGKILL || sig == SIGSTOP) {
			if (act->handler != (u64)(uintptr_t)SIG_DFL) {
				cr_err(ctx, "sighand: signal %d has a handler",
				       sig);
				ret = -EINVAL;
			}
			continue;
		}
		if ((act->handler > 1 && act->handler >= CR_TASK_SIZE_MAX) ||
		    act->flags > UINT32_MAX) {
			cr_err(ctx, "sighand: signal %d: handler %#llx flags %#llx",
			       sig, (unsigned long long)act->handler,
			       (unsigned long long)act->flags);
			ret = -EINVAL;
			break;
		}
		ret = ctx->kops->set_sigaction(ctx->target, sig, act);
		if (ret < 0)
			cr_err(ctx, "sighand: setting signal %d: error %d", sig,
			       ret);
	}
	free(hh);
	return ret;
}

static int cr_read_signal(struct cr_ctx *ctx)
{
	struct cr_hdr_signal hh;
	struct cr_sigstate s;
	u32 parent;
	int ret;

	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_SIGNAL, &parent);
	if (ret < 0)
		return ret;
	if (parent != ctx->objref ||
	    (hh.ss_flags & ~(SS_DISABLE | SS_ONSTACK | SS_AUTODISARM))) {
		cr_err(ctx, "signal: parent %u ss_flags %#x", parent,
		       hh.ss_flags);
		return -EINVAL;
	}
	switch (hh.stop_sig) {
	case 0:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		break;
	default:
		cr_err(ctx, "signal: stop_sig %u is not a stop signal",
		       hh.stop_sig);
		return -EINVAL;
	}
	/* SIGKILL and SIGSTOP cannot be blocked; the kernel drops the bits */
	s.blocked = hh.blocked & ~((1ULL << (SIGKILL - 1)) |
				   (1ULL << (SIGSTOP - 1)));
	s.ss_sp = hh.ss_sp;
	s.ss_size = hh.ss_size;
	s.ss_flags = hh.ss_flags;
	s.stop_sig = hh.stop_sig;
	ret = ctx->kops->set_sigstate(ctx->target, &s);
	if (ret < 0)
		cr_err(ctx, "signal: setting the mask and altstack: error %d",
		       ret);
	return ret;
}

/* the kernel's struct robust_list_head: what set_robust_list takes */
#define CR_ROBUST_LIST_HEAD_SIZE	24

static int cr_read_thread(struct cr_ctx *ctx)
{
	struct cr_hdr_thread hh = { 0 };
	struct cr_thread_info ti;
	u32 parent;
	int ret;

	ret = cr_read_obj_type(ctx, &hh, ctx->version >= 3 ? sizeof(hh) :
				CR_THREAD_V2_SIZE, CR_HDR_THREAD, &parent);
	if (ret < 0)
		return ret;
	if (hh.robust_list >= CR_TASK_SIZE_MAX ||
	    hh.robust_len != (hh.robust_list ? CR_ROBUST_LIST_HEAD_SIZE : 0)) {
		cr_err(ctx, "thread: robust_list %#llx robust_len %llu",
		       (unsigned long long)hh.robust_list,
		       (unsigned long long)hh.robust_len);
		return -EINVAL;
	}
	if (parent != ctx->objref ||
	    (hh.rseq_len && (hh.rseq_len < 32 || hh.rseq_len > PAGE_SIZE ||
			     !IS_ALIGNED(hh.rseq_addr, 32) ||
			     hh.rseq_addr >= CR_TASK_SIZE_MAX)) ||
	    hh.clear_child_tid >= CR_TASK_SIZE_MAX) {
		cr_err(ctx, "thread: rseq %#llx len %u clear_child_tid %#llx",
		       (unsigned long long)hh.rseq_addr, hh.rseq_len,
		       (unsigned long long)hh.clear_child_tid);
		return -EINVAL;
	}
	ti.rseq_addr = hh.rseq_addr;
	ti.rseq_len = hh.rseq_len;
	ti.rseq_sig = hh.rseq_sig;
	ti.clear_child_tid = hh.clear_child_tid;
	ti.robust_list = hh.robust_list;
	ti.robust_len = hh.robust_len;
	ret = ctx->kops->set_thread(ctx->target, &ti);
	if (ret < 0)
		cr_err(ctx, "thread: registering rseq: error %d", ret);
	return ret;
}

/*
 * The tail: its checksums must match every byte read before it, and
 * nothing may follow it. A lazy restore did not read the page data: only
 * meta_csum, which leaves page data out, can be checked then.
 */
static int cr_read_tail(struct cr_ctx *ctx)
{
	bool lazy = ctx->flags & CR_CTX_LAZY;
	u32 meta_csum = ctx->meta_csum;
	u32 csum = ctx->csum;
	u64 size = ctx->pos;
	struct cr_hdr_tail hh;
	char extra;
	int ret;

	ret = cr_read_obj_type(ctx, &hh, sizeof(hh), CR_HDR_TAIL, NULL);
	if (ret < 0)
		return ret;
	if (hh.magic != CR_TAIL_MAGIC || hh.size != size ||
	    (ctx->version < 2 && hh.meta_csum)) {
		cr_err(ctx, "tail: magic %#llx size %llu at offset %llu",
		       (unsigned long long)hh.magic,
		       (unsigned long long)hh.size, (unsigned long long)size);
		return -EINVAL;
	}
	if (ctx->version >= 2 && hh.meta_csum != meta_csum) {
		cr_err(ctx, "tail: object checksum %#x, the image gives %#x: the image is corrupt",
		       hh.meta_csum, meta_csum);
		return -EBADMSG;
	}
	if (!lazy && hh.csum != csum) {
		cr_err(ctx, "tail: checksum %#x, the image gives %#x: the image is corrupt",
		       hh.csum, csum);
		return -EBADMSG;
	}
	if (cr_kread(ctx, &extra, 1) != -EIO) {
		cr_err(ctx, "tail: data after the end of the image");
		return -EINVAL;
	}
	return 0;
}

/**
 * cr_restart() - restore one task from its image
 * @ctx: a restore context (cr_ctx_init() with CR_CTX_RSTR)
 *
 * Return: 0 when the target is complete and may run; -errno otherwise,
 * with the target half-made for the caller to discard.
 */
int cr_restart(struct cr_ctx *ctx)
{
	int ret;

	ret = cr_read_head(ctx);
	if (!ret)
		ret = cr_read_task(ctx);
	if (!ret)
		ret = cr_read_fs(ctx);
	if (!ret)
		ret = cr_read_mm(ctx);
	if (!ret)
		ret = cr_read_files(ctx);
	if (!ret)
		ret = cr_read_tty(ctx);
	if (!ret)
		ret = cr_read_sighand(ctx);
	if (!ret)
		ret = cr_read_signal(ctx);
	if (!ret)
		ret = cr_read_thread(ctx);
	if (!ret)
		ret = cr_read_cpu(ctx, ctx->objref);
	if (!ret)
		ret = cr_read_tail(ctx);
	if (ret < 0)
		cr_debug(ctx, "restart failed at offset %llu: error %d",
			 (unsigned long long)ctx->pos, ret);
	return ret;
}
