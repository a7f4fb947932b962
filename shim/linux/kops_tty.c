// SPDX-License-Identifier: GPL-2.0
/*
 * ->get_tty and ->set_tty: the terminal on a process's fds 0-2.
 *
 * crrun takes the process's own fd with pidfd_getfd(), not an open() of
 * /proc/PID/fd/N: that would open the device anew, which for some devices
 * does something, and for a pipe adds a reader. Where pidfd_getfd is
 * missing, a terminal (and nothing else) is opened by its /proc link. Restore keeps the settings
 * and puts them on the terminal only when the child is let go (resume), so
 * that a failed restore leaves the user's terminal as it was.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <asm/termbits.h>

#include "shim/linux/linux.h"
#include "shim/linux/target.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

_Static_assert(sizeof(((struct termios2 *)0)->c_cc) == CR_TTY_NCCS,
	       "termios2 c_cc");

/* Is @rdev a terminal's: ttyN/ttyS, tty/console/ptmx, or a pts? */
static bool cr_tty_major(dev_t rdev)
{
	unsigned int major = major(rdev);

	return major == 4 || major == 5 || (major >= 136 && major <= 143);
}

/*
 * Without pidfd_getfd (Linux before 5.6, or valgrind): an open() of the
 * /proc link, for terminals only, where an open does nothing more.
 */
static int cr_tty_open_link(struct cr_target *t, int fd)
{
	char link[64];
	struct stat st;
	int tfd;

	snprintf(link, sizeof(link), "/proc/%d/fd/%d", t->pid, fd);
	if (stat(link, &st) < 0)
		return errno == ENOENT ? -ENOTTY : -errno;
	if (!S_ISCHR(st.st_mode) || !cr_tty_major(st.st_rdev))
		return -ENOTTY;
	tfd = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return tfd < 0 ? -errno : tfd;
}

/* A copy of the target's fd @fd, if it is a terminal; else -ENOTTY. */
static int cr_tty_fd(struct cr_target *t, int fd)
{
	struct termios2 tio;
	struct stat st;
	int pidfd, tfd;

	pidfd = syscall(__NR_pidfd_open, t->pid, 0);
	if (pidfd < 0 && errno == ENOSYS)
		return cr_tty_open_link(t, fd);
	if (pidfd < 0)
		return -errno;
	tfd = syscall(__NR_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (tfd < 0 && errno == ENOSYS)
		return cr_tty_open_link(t, fd);
	if (tfd < 0)
		return errno == EBADF ? -ENOTTY : -errno;
	if (fstat(tfd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    ioctl(tfd, TCGETS2, &tio) < 0) {
		close(tfd);
		return -ENOTTY;
	}
	return tfd;
}

static void cr_tty_from_kernel(struct cr_tty_info *tty,
			       const struct termios2 *tio,
			       const struct winsize *ws)
{
	tty->c_iflag = tio->c_iflag;
	tty->c_oflag = tio->c_oflag;
	tty->c_cflag = tio->c_cflag;
	tty->c_lflag = tio->c_lflag;
	tty->c_ispeed = tio->c_ispeed;
	tty->c_ospeed = tio->c_ospeed;
	tty->c_line = tio->c_line;
	memcpy(tty->c_cc, tio->c_cc, sizeof(tty->c_cc));
	tty->ws_row = ws->ws_row;
	tty->ws_col = ws->ws_col;
	tty->ws_xpixel = ws->ws_xpixel;
	tty->ws_ypixel = ws->ws_ypixel;
}

/**
 * cr_linux_get_tty() - ->get_tty: the first of fds 0-2 that is a terminal
 * @t: the target
 * @tty: filled in
 *
 * Return: 0, -ENOENT when none is, or -errno.
 */
int cr_linux_get_tty(struct cr_target *t, struct cr_tty_info *tty)
{
	struct termios2 tio;
	struct winsize ws;
	int fd, tfd, ret;

	for (fd = 0; fd <= 2; fd++) {
		tfd = cr_tty_fd(t, fd);
		if (tfd == -ENOTTY)
			continue;
		if (tfd < 0)
			return tfd;
		ret = 0;
		if (ioctl(tfd, TCGETS2, &tio) < 0 ||
		    ioctl(tfd, TIOCGWINSZ, &ws) < 0)
			ret = -errno;
		close(tfd);
		if (ret < 0)
			return ret;
		tty->fd = fd;
		cr_tty_from_kernel(tty, &tio, &ws);
		return 0;
	}
	return -ENOENT;
}

/**
 * cr_linux_set_tty() - ->set_tty: keep @tty for resume, if the child has a
 *	terminal at @tty->fd
 * @t: a restore child
 * @tty: the settings
 *
 * Return: 0, -ENOTTY, or -errno.
 */
int cr_linux_set_tty(struct cr_target *t, const struct cr_tty_info *tty)
{
	int tfd;

	if (tty->fd < 0 || tty->fd > 2)
		return -EBADF;
	tfd = cr_tty_fd(t, tty->fd);
	if (tfd < 0)
		return tfd;
	close(tfd);
	t->new_tty = *tty;
	t->have_tty = true;
	return 0;
}

/**
 * cr_linux_resume_tty() - put the kept settings on the child's terminal,
 *	and queue a SIGWINCH if its window is not the size it was
 * @t: a restore child, stopped, about to be let go
 *
 * Return: 0 or -errno.
 */
int cr_linux_resume_tty(struct cr_target *t)
{
	const struct cr_tty_info *tty = &t->new_tty;
	struct termios2 tio;
	struct winsize ws;
	int tfd, ret = 0;

	if (!t->have_tty)
		return 0;
	tfd = cr_tty_fd(t, tty->fd);
	if (tfd < 0)
		return tfd;
	if (ioctl(tfd, TCGETS2, &tio) < 0 || ioctl(tfd, TIOCGWINSZ, &ws) < 0) {
		ret = -errno;
		goto out_close;
	}
	tio.c_iflag = tty->c_iflag;
	tio.c_oflag = tty->c_oflag;
	tio.c_cflag = tty->c_cflag;
	tio.c_lflag = tty->c_lflag;
	tio.c_ispeed = tty->c_ispeed;
	tio.c_ospeed = tty->c_ospeed;
	tio.c_line = tty->c_line;
	memcpy(tio.c_cc, tty->c_cc, sizeof(tio.c_cc));
	if (ioctl(tfd, TCSETS2, &tio) < 0) {
		ret = -errno;
		goto out_close;
	}
	if ((ws.ws_row != tty->ws_row || ws.ws_col != tty->ws_col) &&
	    syscall(SYS_tgkill, t->pid, t->pid, SIGWINCH) < 0)
		ret = -errno;
out_close:
	close(tfd);
	return ret;
}

/**
 * cr_linux_has_tty() - will the restored child be given a terminal's
 *	settings (it had a terminal, and is restored on one)?
 * @t: a restore child
 *
 * Return: true if so.
 */
bool cr_linux_has_tty(const struct cr_target *t)
{
	return t->have_tty;
}
