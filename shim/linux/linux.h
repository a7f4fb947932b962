/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux shim: struct cr_kops over a real process, driven with ptrace.
 * The CLI uses this header; core/ never includes it.
 */
#ifndef _CR_SHIM_LINUX_H
#define _CR_SHIM_LINUX_H

#include <sys/types.h>
#include "core/kops.h"
#include "core/cr.h"

extern const struct cr_kops cr_linux_kops;

/**
 * cr_linux_seize() - stop a running process for checkpoint
 * @pid: the process; it need not be our child
 * @log: where to explain a refusal (more than one thread, ...)
 *
 * Return: the target, stopped, or ERR_PTR(-errno): -ESRCH it is gone,
 * -EPERM not allowed, -ENOSYS a process crrun cannot save (the log says why).
 */
struct cr_target *cr_linux_seize(pid_t pid, const struct cr_log *log);

/**
 * cr_linux_no_snapshot() - keep the process stopped for its whole checkpoint
 * @t: from cr_linux_seize()
 *
 * By default ->snapshot_mm lets it run on while its memory is saved.
 */
void cr_linux_no_snapshot(struct cr_target *t);

/**
 * cr_linux_release() - let a seized process run on exactly as it was
 * @t: from cr_linux_seize(); freed
 *
 * Return: 0, or -errno if it could not be put back (it is detached anyway).
 */
int cr_linux_release(struct cr_target *t);

/**
 * cr_linux_kill_seized() - kill a seized process where it stands
 * @t: from cr_linux_seize(), checkpointed without a snapshot
 *	(cr_linux_no_snapshot()); freed
 *
 * For checkpoint --kill: the process never runs past its image's instant.
 * Return: 0 once it is dead, or -errno: it was let go instead (as by
 * cr_linux_release()), for the caller to kill by other means.
 */
int cr_linux_kill_seized(struct cr_target *t);

/**
 * cr_linux_spawn() - make the child a restore will fill
 * @layout: the image's pid and VMAs (cr_image_layout())
 * @image_fd: the image, open read-only; the child keeps a copy for
 *	->map_image() (restore --lazy), closed by cr_linux_resume()
 * @log: where to explain a failure
 *
 * The child has the image's pid (clone3 set_tid), is stopped and traced, has
 * no fd above 2 but the image's, no rseq registration, and its own
 * injection page, vdso and vvar outside every VMA of @layout.
 *
 * Return: the target, or ERR_PTR(-errno): -EEXIST the pid is taken,
 * -EINVAL @image_fd is not open read-only.
 */
struct cr_target *cr_linux_spawn(const struct cr_layout *layout, int image_fd,
				 const struct cr_log *log);

/**
 * cr_linux_resume() - let a fully restored child run
 * @t: from cr_linux_spawn(), after cr_restart() succeeded; freed
 *
 * Applies credentials, closes the image's fd, unmaps the injection page,
 * sets registers, detaches.
 * Return: the pid, or -errno (the child is killed then).
 */
pid_t cr_linux_resume(struct cr_target *t);

/** cr_linux_kill() - discard a half-made child; @t is freed */
void cr_linux_kill(struct cr_target *t);

pid_t cr_linux_pid(const struct cr_target *t);

/**
 * cr_linux_has_tty() - will the restored child be given its terminal's
 * settings (it had a terminal on fds 0-2, and is restored on one)?
 */
bool cr_linux_has_tty(const struct cr_target *t);

#endif /* _CR_SHIM_LINUX_H */
