// SPDX-License-Identifier: GPL-2.0
/*
 * File descriptors: listed from /proc/PID/fd and fdinfo at checkpoint,
 * with fds that share an open file description found by kcmp(KCMP_FILE);
 * reopened, dup'ed or kept at restore by injected calls.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/kcmp.h>

#include "shim/linux/target.h"

#define CR_KERNEL_O_LARGEFILE	0100000

static int cr_cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* List the target's fds once, sorted. */
static int cr_list_fds(struct cr_target *t)
{
	unsigned int nr = 0, cap = 0;
	struct dirent *de;
	char path[64];
	int *fds = NULL, *nfds;
	DIR *dir;

	if (t->fds_valid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", t->pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 64;
			nfds = realloc(fds, cap * sizeof(int));
			if (!nfds) {
				free(fds);
				closedir(dir);
				return -ENOMEM;
			}
			fds = nfds;
		}
		fds[nr++] = atoi(de->d_name);
	}
	closedir(dir);
	qsort(fds, nr, sizeof(int), cr_cmp_int);
	free(t->fds);
	t->fds = fds;
	t->nr_fds = nr;
	t->fds_valid = true;
	return 0;
}

/* pos and flags from /proc/PID/fdinfo/FD (flags are octal there) */
static int cr_read_fdinfo(struct cr_target *t, int fd, u64 *pos, u32 *flags)
{
	char name[32], buf[4096], val[64];
	int ret;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	ret = cr_proc_read_file(t->pid, name, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (cr_proc_status_field(buf, "pos", val, sizeof(val)) ||
	    cr_proc_status_field(buf, "flags", val + 32, sizeof(val) - 32))
		return -EINVAL;
	*pos = strtoull(val, NULL, 10);
	*flags = strtoul(val + 32, NULL, 8);
	return 0;
}

/* The key of the open file description of @fd: 1 + the first fd on it. */
static u64 cr_ofd_key(struct cr_target *t, int fd, const struct stat *st)
{
	char path[64];
	struct stat ost;
	unsigned int i;

	for (i = 0; i < t->nr_fds && t->fds[i] < fd; i++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", t->pid,
			 t->fds[i]);
		if (stat(path, &ost) < 0 || ost.st_dev != st->st_dev ||
		    ost.st_ino != st->st_ino)
			continue;
		if (syscall(SYS_kcmp, t->pid, t->pid, KCMP_FILE, t->fds[i],
			    fd) == 0)
			return t->fds[i] + 1;
	}
	return fd + 1;
}

static bool cr_is_saveable_chr(dev_t rdev)
{
	/* /dev/null, zero, full, random, urandom */
	if (major(rdev) != 1)
		return false;
	switch (minor(rdev)) {
	case 3: case 5: case 7: case 8: case 9:
		return true;
	}
	return false;
}

static bool cr_path_deleted(const char *path)
{
	size_t n = strlen(path), m = strlen(" (deleted)");

	return n >= m && !strcmp(path + n - m, " (deleted)");
}

/* Fill @info for the open fd @fd. */
static int cr_fd_info(struct cr_target *t, int fd, struct cr_fd_info *info)
{
	char link[64];
	struct stat st;
	ssize_t n;
	int ret;

	memset(info, 0, sizeof(*info));
	info->fd = fd;
	info->dup_of = -1;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", t->pid, fd);
	n = readlink(link, info->path, sizeof(info->path) - 1);
	if (n < 0)
		return -errno;
	info->path[n] = '\0';
	if (stat(link, &st) < 0)
		return -errno;
	ret = cr_read_fdinfo(t, fd, &info->f_pos, &info->f_flags);
	if (ret < 0)
		return ret;
	info->close_on_exec = !!(info->f_flags & O_CLOEXEC);
	/* the kernel sets O_LARGEFILE on every 64-bit open; libc calls it 0 */
	info->f_flags &= ~(O_CLOEXEC | CR_KERNEL_O_LARGEFILE);
	info->id.dev = st.st_dev;
	info->id.ino = st.st_ino;
	info->id.size = st.st_size;
	info->id.mtime_ns = (u64)st.st_mtim.tv_sec * 1000000000ULL +
			    st.st_mtim.tv_nsec;
	info->ofd_key = cr_ofd_key(t, fd, &st);

	if (info->path[0] == '/' && !cr_path_deleted(info->path)) {
		if (S_ISREG(st.st_mode)) {
			info->fd_type = CR_FD_FILE;
			return 0;
		}
		if (S_ISDIR(st.st_mode)) {
			info->fd_type = CR_FD_DIR;
			return 0;
		}
		if (S_ISCHR(st.st_mode) && cr_is_saveable_chr(st.st_rdev)) {
			info->fd_type = CR_FD_CHR;
			info->f_pos = 0;
			return 0;
		}
	}
	if (fd <= 2 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
			S_ISCHR(st.st_mode))) {
		info->fd_type = CR_FD_INHERIT;
		info->f_pos = 0;
		memset(&info->id, 0, sizeof(info->id));
		return 0;
	}
	return -EOPNOTSUPP;
}

/**
 * cr_linux_next_fd() - ->next_fd from /proc/PID/fd and fdinfo
 * @t: the target
 * @fd: the first fd to look at
 * @info: the first open fd >= @fd
 *
 * Return: 0, -ENOENT past the last fd, -EOPNOTSUPP for a kind of file
 * crrun cannot save (@info->fd and @info->path say which), or -errno.
 */
int cr_linux_next_fd(struct cr_target *t, int fd, struct cr_fd_info *info)
{
	unsigned int i;
	int ret;

	ret = cr_list_fds(t);
	if (ret < 0)
		return ret;
	for (i = 0; i < t->nr_fds; i++) {
		if (t->fds[i] < fd)
			continue;
		ret = cr_fd_info(t, t->fds[i], info);
		if (ret == -ENOENT)
			continue;	/* closed under us */
		return ret;
	}
	return -ENOENT;
}

static long cr_set_cloexec(struct cr_target *t, int fd, bool cloexec)
{
	long ret;

	ret = cr_rsys(t, __NR_fcntl, fd, F_SETFD, cloexec ? FD_CLOEXEC : 0);
	return ret < 0 ? ret : 0;
}

/*
 * The image's fd (restore: kept for ->map_image() until resume closes it)
 * is where the image wants @fd: move it out of the way first, or the dup3
 * that makes @fd would take its place and resume would close @fd.
 */
static int cr_move_image_fd(struct cr_target *t, int fd)
{
	long nfd;

	if (fd != t->image_fd)
		return 0;
	nfd = cr_rsys(t, __NR_fcntl, fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return nfd;
	t->image_fd = nfd;	/* the old one goes with the dup3 over it */
	return 0;
}

/* Reopen the file of @info by path at @info->fd. */
static int cr_reopen_fd(struct cr_target *t, const struct cr_fd_info *info)
{
	int flags = info->f_flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	struct cr_file_id id;
	long nfd, ret;

	nfd = cr_remote_open(t, info->path, flags | O_CLOEXEC);
	if (nfd < 0)
		return nfd;
	ret = cr_fd_identity(t, nfd, &id, NULL);
	if (!ret && info->fd_type != CR_FD_CHR &&
	    (id.dev != info->id.dev || id.ino != info->id.ino)) {
		cr_lerr(t, "fd %d: %s is not the file that was saved (device or inode differ)",
			info->fd, info->path);
		ret = -ESTALE;
	}
	if (!ret && nfd != info->fd)
		ret = cr_move_image_fd(t, info->fd);
	if (!ret && nfd != info->fd) {
		ret = cr_rsys(t, __NR_dup3, nfd, info->fd,
			      info->close_on_exec ? O_CLOEXEC : 0);
		cr_rsys(t, __NR_close, nfd);
	} else if (!ret) {
		ret = cr_set_cloexec(t, info->fd, info->close_on_exec);
	} else {
		cr_rsys(t, __NR_close, nfd);
	}
	if (ret < 0)
		return ret;
	if (info->fd_type != CR_FD_CHR && !(info->f_flags & O_PATH) &&
	    info->f_pos) {
		ret = cr_rsys(t, __NR_lseek, info->fd, info->f_pos, SEEK_SET);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * cr_linux_install_fd() - ->install_fd: make @info->fd in the target
 * @t: a restore child
 * @info: reopen by path, dup @info->dup_of, or keep the inherited fd
 *
 * Return: 0, -ESTALE when the file by that path is another one, -errno.
 */
int cr_linux_install_fd(struct cr_target *t, const struct cr_fd_info *info)
{
	long ret;

	if (info->fd < 0)
		return -EBADF;
	if (info->dup_of >= 0) {
		if (info->dup_of == info->fd)
			return -EINVAL;
		ret = cr_move_image_fd(t, info->fd);
		if (ret < 0)
			return ret;
		ret = cr_rsys(t, __NR_dup3, info->dup_of, info->fd,
			      info->close_on_exec ? O_CLOEXEC : 0);
		return ret < 0 ? ret : 0;
	}
	if (info->fd_type == CR_FD_INHERIT) {
		ret = cr_set_cloexec(t, info->fd, info->close_on_exec);
		if (ret == -EBADF) {
			/* crrun itself runs without this fd: nothing to give */
			cr_lwarn(t, "fd %d: crrun has no fd %d to pass on; left closed",
				 info->fd, info->fd);
			ret = 0;
		}
		return ret;
	}
	return cr_reopen_fd(t, info);
}

/**
 * cr_linux_close_fd() - ->close_fd: an injected close(2)
 * @t: the target
 * @fd: the fd
 *
 * Return: 0, -EBADF if it was not open, or -errno.
 */
int cr_linux_close_fd(struct cr_target *t, int fd)
{
	long ret;

	if (fd == t->image_fd)
		return -EBADF;	/* crrun's, not the process's */
	ret = cr_rsys(t, __NR_close, fd);
	return ret < 0 ? ret : 0;
}
