// SPDX-License-Identifier: GPL-2.0
/*
 * The task-level kops of the mock target: credentials, umask and cwd, a
 * small fd table, signal handlers and state, thread info, registers. Each
 * is stored state, set and read back; the checks are the kernel's where
 * they are cheap (SIGKILL/SIGSTOP cannot be caught nor blocked, dup of a
 * closed fd is -EBADF). Tests set the state up through mock_kops itself,
 * or mock_task_add_fd() for fds the engine could not install.
 *
 * Not the kernel's: set_creds accepts any credentials (a test wanting the
 * -EPERM path injects it with mock_fault_set()).
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/regs.h"
#include "shim/mock/mock_priv.h"

#define SIG_UNCATCHABLE	((1ULL << (9 - 1)) | (1ULL << (19 - 1)))	/* KILL, STOP */

/**
 * mock_task_init() - the state of a fresh task
 * @t: the mock target
 *
 * umask 022, cwd "/", comm "mock", no fds, default signal handlers, zero
 * registers.
 *
 * Return: 0 or -ENOMEM.
 */
int mock_task_init(struct cr_target *t)
{
	struct mock_task *task = &t->task;
	void *regs;

	task->fds = calloc(MOCK_NR_FDS, sizeof(*task->fds));
	if (!task->fds)
		return -ENOMEM;
	if (posix_memalign(&regs, 64, sizeof(struct cr_arch_regs)))
		goto out_free_fds;
	memset(regs, 0, sizeof(struct cr_arch_regs));
	task->regs = regs;
	task->umask = 022;
	strcpy(task->cwd, "/");
	strcpy(task->creds.comm, "mock");
	return 0;

out_free_fds:
	free(task->fds);
	task->fds = NULL;
	return -ENOMEM;
}

/**
 * mock_task_fini() - free what mock_task_init() and the setters allocated
 * @t: the mock target
 */
void mock_task_fini(struct cr_target *t)
{
	free(t->task.creds.groups);
	free(t->task.fds);
	free(t->task.regs);
}

/**
 * mock_get_creds() - kops->get_creds
 * @t: the mock target
 * @c: filled; @c->groups is allocated here (NULL when none): free() it
 *
 * Return: 0 or -ENOMEM.
 */
int mock_get_creds(struct cr_target *t, struct cr_creds *c)
{
	const struct cr_creds *cur = &t->task.creds;
	u32 *groups = NULL;
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_CREDS);
	if (err)
		return err;
	if (cur->ngroups) {
		groups = malloc(cur->ngroups * sizeof(*groups));
		if (!groups)
			return -ENOMEM;
		memcpy(groups, cur->groups, cur->ngroups * sizeof(*groups));
	}
	*c = *cur;
	c->groups = groups;
	return 0;
}

/**
 * mock_set_creds() - kops->set_creds: store them (groups copied)
 * @t: the mock target
 * @c: the credentials
 *
 * Return: 0, -EINVAL (more than CR_NGROUPS_MAX groups, or groups NULL),
 * -ENOMEM.
 */
int mock_set_creds(struct cr_target *t, const struct cr_creds *c)
{
	struct cr_creds *cur = &t->task.creds;
	u32 *groups = NULL;
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_CREDS);
	if (err)
		return err;
	if (c->ngroups > CR_NGROUPS_MAX || (c->ngroups && !c->groups))
		return -EINVAL;
	if (c->ngroups) {
		groups = malloc(c->ngroups * sizeof(*groups));
		if (!groups)
			return -ENOMEM;
		memcpy(groups, c->groups, c->ngroups * sizeof(*groups));
	}
	free(cur->groups);
	*cur = *c;
	cur->groups = groups;
	cur->comm[sizeof(cur->comm) - 1] = '\0';
	return 0;
}

/**
 * mock_get_fs() - kops->get_fs
 * @t: the mock target
 * @umask: receives the umask
 * @cwd: receives the working directory
 * @len: bytes at @cwd
 *
 * Return: 0, or -ERANGE when @cwd is too small (as getcwd).
 */
int mock_get_fs(struct cr_target *t, u32 *umask, char *cwd, size_t len)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_FS);
	if (err)
		return err;
	if (strlen(t->task.cwd) >= len)
		return -ERANGE;
	*umask = t->task.umask;
	strcpy(cwd, t->task.cwd);
	return 0;
}

/**
 * mock_set_fs() - kops->set_fs
 * @t: the mock target
 * @umask: at most 0777
 * @cwd: an absolute path
 *
 * Return: 0, -EINVAL (umask or a relative/empty cwd), -ENAMETOOLONG.
 */
int mock_set_fs(struct cr_target *t, u32 umask, const char *cwd)
{
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_FS);
	if (err)
		return err;
	if (umask & ~0777U || !cwd || cwd[0] != '/')
		return -EINVAL;
	if (strlen(cwd) >= sizeof(t->task.cwd))
		return -ENAMETOOLONG;
	t->task.umask = umask;
	strcpy(t->task.cwd, cwd);
	return 0;
}

static bool fd_valid(int fd)
{
	return fd >= 0 && fd < MOCK_NR_FDS;
}

/**
 * mock_task_add_fd() - give the task an fd directly, for a test's setup
 * @t: the mock target
 * @info: the fd, stored as it is; ofd_key 0 gets a fresh one
 * @unsupported: next_fd reports this fd as -EOPNOTSUPP, a kind of file
 *	crrun cannot save
 *
 * Not a kops call. Replaces whatever @info->fd was.
 *
 * Return: 0, or -EBADF for an fd outside 0 .. MOCK_NR_FDS - 1.
 */
int mock_task_add_fd(struct cr_target *t, const struct cr_fd_info *info,
		     bool unsupported)
{
	struct mock_fd *slot;

	if (!fd_valid(info->fd))
		return -EBADF;
	slot = &t->task.fds[info->fd];
	slot->info = *info;
	slot->info.path[sizeof(slot->info.path) - 1] = '\0';
	if (!slot->info.ofd_key)
		slot->info.ofd_key = ++t->task.next_ofd_key;
	slot->open = true;
	slot->unsupported = unsupported;
	return 0;
}

/**
 * mock_next_fd() - kops->next_fd
 * @t: the mock target
 * @fd: where to start looking
 * @info: filled with the first open fd >= @fd
 *
 * Return: 0, -ENOENT when there is none, -EOPNOTSUPP for an fd added as
 * unsupported (@info filled all the same).
 */
int mock_next_fd(struct cr_target *t, int fd, struct cr_fd_info *info)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_NEXT_FD);
	if (err)
		return err;
	for (fd = max(fd, 0); fd < MOCK_NR_FDS; fd++) {
		const struct mock_fd *slot = &t->task.fds[fd];

		if (!slot->open)
			continue;
		*info = slot->info;
		return slot->unsupported ? -EOPNOTSUPP : 0;
	}
	return -ENOENT;
}

/**
 * mock_install_fd() - kops->install_fd
 * @t: the mock target
 * @info: the fd to make: a dup of @info->dup_of (the entry is copied, with
 *	its ofd_key), the inherited fd kept (CR_FD_INHERIT: it must be open
 *	already), or a file reopened by path (stored, with a new ofd_key)
 *
 * Replaces @info->fd if it was open, as dup2.
 *
 * Return: 0, -EBADF (fd out of range, dup_of or an inherited fd not
 * open), -EINVAL (bad fd_type, empty path).
 */
int mock_install_fd(struct cr_target *t, const struct cr_fd_info *info)
{
	struct mock_fd *fds = t->task.fds, *slot;
	int err;

	err = mock_fault_hit(t, MOCK_OP_INSTALL_FD);
	if (err)
		return err;
	if (!fd_valid(info->fd))
		return -EBADF;
	if (info->fd_type < CR_FD_FILE || info->fd_type > CR_FD_TYPE_MAX)
		return -EINVAL;
	slot = &fds[info->fd];

	if (info->dup_of >= 0) {
		if (!fd_valid(info->dup_of) || !fds[info->dup_of].open)
			return -EBADF;
		slot->info = fds[info->dup_of].info;
		slot->info.fd = info->fd;
		slot->info.dup_of = info->dup_of;
		slot->info.close_on_exec = info->close_on_exec;
	} else if (info->fd_type == CR_FD_INHERIT) {
		if (!slot->open)
			return -EBADF;
		slot->info.close_on_exec = info->close_on_exec;
	} else {
		if (!info->path[0])
			return -EINVAL;
		slot->info = *info;
		slot->info.path[sizeof(slot->info.path) - 1] = '\0';
		slot->info.ofd_key = ++t->task.next_ofd_key;
	}
	slot->open = true;
	slot->unsupported = false;
	return 0;
}

/**
 * mock_close_fd() - kops->close_fd
 * @t: the mock target
 * @fd: the fd
 *
 * Return: 0, or -EBADF when @fd was not open.
 */
int mock_close_fd(struct cr_target *t, int fd)
{
	int err;

	err = mock_fault_hit(t, MOCK_OP_CLOSE_FD);
	if (err)
		return err;
	if (!fd_valid(fd) || !t->task.fds[fd].open)
		return -EBADF;
	memset(&t->task.fds[fd], 0, sizeof(t->task.fds[fd]));
	return 0;
}

/**
 * mock_get_sigaction() - kops->get_sigaction
 * @t: the mock target
 * @sig: 1 .. CR_NSIG
 * @act: filled with its handler
 *
 * Return: 0, or -EINVAL for a signal out of range.
 */
int mock_get_sigaction(struct cr_target *t, int sig, struct cr_sigaction *act)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_SIGACTION);
	if (err)
		return err;
	if (sig < 1 || sig > CR_NSIG)
		return -EINVAL;
	*act = t->task.sigactions[sig - 1];
	return 0;
}

/**
 * mock_set_sigaction() - kops->set_sigaction
 * @t: the mock target
 * @sig: 1 .. CR_NSIG, not SIGKILL nor SIGSTOP
 * @act: the handler
 *
 * Return: 0, or -EINVAL (out of range, SIGKILL, SIGSTOP).
 */
int mock_set_sigaction(struct cr_target *t, int sig,
		       const struct cr_sigaction *act)
{
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_SIGACTION);
	if (err)
		return err;
	if (sig < 1 || sig > CR_NSIG || (SIG_UNCATCHABLE >> (sig - 1) & 1))
		return -EINVAL;
	t->task.sigactions[sig - 1] = *act;
	return 0;
}

/**
 * mock_get_sigstate() - kops->get_sigstate
 * @t: the mock target
 * @s: filled with the blocked mask and the altstack
 *
 * Return: 0.
 */
int mock_get_sigstate(struct cr_target *t, struct cr_sigstate *s)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_SIGSTATE);
	if (err)
		return err;
	*s = t->task.sigstate;
	return 0;
}

/**
 * mock_set_sigstate() - kops->set_sigstate
 * @t: the mock target
 * @s: the blocked mask (SIGKILL and SIGSTOP dropped, as the kernel does)
 *	and the altstack
 *
 * Return: 0.
 */
int mock_set_sigstate(struct cr_target *t, const struct cr_sigstate *s)
{
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_SIGSTATE);
	if (err)
		return err;
	t->task.sigstate = *s;
	t->task.sigstate.blocked &= ~SIG_UNCATCHABLE;
	return 0;
}

/**
 * mock_get_thread() - kops->get_thread
 * @t: the mock target
 * @ti: filled with the rseq registration and clear_child_tid
 *
 * Return: 0.
 */
int mock_get_thread(struct cr_target *t, struct cr_thread_info *ti)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_THREAD);
	if (err)
		return err;
	*ti = t->task.thread;
	return 0;
}

/**
 * mock_set_thread() - kops->set_thread
 * @t: the mock target
 * @ti: the rseq registration and clear_child_tid
 *
 * Return: 0.
 */
int mock_set_thread(struct cr_target *t, const struct cr_thread_info *ti)
{
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_THREAD);
	if (err)
		return err;
	t->task.thread = *ti;
	return 0;
}

/**
 * mock_get_regs() - kops->get_regs
 * @t: the mock target
 * @regs: filled with the registers and xstate_size bytes of xstate
 *
 * Return: 0.
 */
int mock_get_regs(struct cr_target *t, struct cr_arch_regs *regs)
{
	const struct cr_arch_regs *cur = t->task.regs;
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_REGS);
	if (err)
		return err;
	memcpy(regs->gregs, cur->gregs, sizeof(regs->gregs));
	regs->xstate_size = cur->xstate_size;
	memcpy(regs->xstate, cur->xstate, cur->xstate_size);
	return 0;
}

/**
 * mock_set_regs() - kops->set_regs
 * @t: the mock target
 * @regs: the registers and xstate
 *
 * Return: 0, or -EINVAL when xstate_size exceeds CR_XSTATE_MAX.
 */
int mock_set_regs(struct cr_target *t, const struct cr_arch_regs *regs)
{
	struct cr_arch_regs *cur = t->task.regs;
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_REGS);
	if (err)
		return err;
	if (regs->xstate_size > CR_XSTATE_MAX)
		return -EINVAL;
	memcpy(cur->gregs, regs->gregs, sizeof(cur->gregs));
	cur->xstate_size = regs->xstate_size;
	memcpy(cur->xstate, regs->xstate, regs->xstate_size);
	memset(cur->xstate + regs->xstate_size, 0,
	       CR_XSTATE_MAX - regs->xstate_size);
	return 0;
}
