// SPDX-License-Identifier: GPL-2.0
/*
 * What crrun cannot carry yet, found from /proc before the process is
 * touched: each is refused with a message that names it, so that a
 * checkpoint never says yes and loses state (docs/STATE.md lists them).
 *
 * Every check reads; none stops or changes the process.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "shim/linux/proc_parse.h"
#include "shim/linux/target.h"

/* The namespaces a restore would not give back: crrun's own are used. */
static const char *const cr_ns_names[] = {
	"mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time",
};

static bool cr_link_deleted(const char *path)
{
	size_t n = strlen(path), m = strlen(" (deleted)");

	return n >= m && !strcmp(path + n - m, " (deleted)");
}

/* readlink of /proc/PID/@name into @buf; -errno (-ENOENT: gone) */
static int cr_proc_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%.64s", pid, name);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Children, zombies among them: crrun saves one process, not a tree. */
static int cr_refuse_children(struct cr_target *t)
{
	char dir[64], name[320], *buf;
	struct dirent *de;
	DIR *d;
	int ret = 0, n;

	buf = malloc(4096);
	if (!buf)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "/proc/%d/task", t->pid);
	d = opendir(dir);
	if (!d) {
		free(buf);
		return errno == ENOENT ? -ESRCH : -errno;
	}
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "task/%s/children", de->d_name);
		n = cr_proc_read_file(t->pid, name, buf, 4096);
		if (n == -ENOENT)
			continue;	/* the thread went */
		if (n < 0) {
			ret = n;
			break;
		}
		n = strcspn(buf, "\n");
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == ' ')
			buf[--n] = '\0';
		if (n) {
			cr_lerr(t, "pid %d: has child processes (%s); crrun saves a single process, not a process tree",
				t->pid, buf);
			ret = -ENOSYS;
		}
	}
	closedir(d);
	free(buf);
	return ret;
}

/* Namespaces other than crrun's, and a root other than crrun's. */
static int cr_refuse_namespaces(struct cr_target *t)
{
	struct stat mine, theirs;
	char path[64], root[256];
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cr_ns_names); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s",
			 cr_ns_names[i]);
		if (stat(path, &mine) < 0)
			continue;	/* a kernel without this namespace */
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", t->pid,
			 cr_ns_names[i]);
		if (stat(path, &theirs) < 0)
			return errno == ENOENT ? -ESRCH : -errno;
		if (mine.st_ino != theirs.st_ino || mine.st_dev != theirs.st_dev) {
			cr_lerr(t, "pid %d: runs in a %s namespace of its own, which crrun cannot restore",
				t->pid, cr_ns_names[i]);
			return -ENOSYS;
		}
	}
	ret = cr_proc_link(t->pid, "root", root, sizeof(root));
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	if (strcmp(root, "/")) {
		cr_lerr(t, "pid %d: runs with its root directory at %s (chroot), which crrun cannot restore",
			t->pid, root);
		return -ENOSYS;
	}
	return 0;
}

/* A working directory or an executable that is no longer where it was. */
static int cr_refuse_deleted_paths(struct cr_target *t)
{
	struct stat now, then;
	char *path, link[64];
	int ret;

	path = malloc(CR_FNAME_MAX);
	if (!path)
		return -ENOMEM;
	ret = cr_proc_link(t->pid, "cwd", path, CR_FNAME_MAX);
	if (ret < 0)
		goto out_free;
	if (cr_link_deleted(path)) {
		cr_lerr(t, "pid %d: its working directory %s was deleted; crrun cannot restore it",
			t->pid, path);
		ret = -ENOSYS;
		goto out_free;
	}

	ret = cr_proc_link(t->pid, "exe", path, CR_FNAME_MAX);
	if (ret == -ENOENT) {
		ret = 0;	/* a kernel thread has none */
		goto out_free;
	}
	if (ret < 0)
		goto out_free;
	snprintf(link, sizeof(link), "/proc/%d/exe", t->pid);
	if (cr_link_deleted(path) || stat(link, &then) < 0 ||
	    stat(path, &now) < 0 || now.st_dev != then.st_dev ||
	    now.st_ino != then.st_ino) {
		cr_lerr(t, "pid %d: its executable %s was deleted or replaced since it started; crrun cannot restore it",
			t->pid, path);
		ret = -ENOSYS;
	}
out_free:
	free(path);
	return ret == -ENOENT ? -ESRCH : ret;
}

/*
 * Per fd: a file lock or lease held through it (fdinfo lists exactly the
 * ones of this process on this open file), or a regular file that was
 * deleted.
 */
static int cr_refuse_fd(struct cr_target *t, const char *fd, char *buf,
			size_t len)
{
	char name[64], kind[32], *lock;
	char link[64], path[256];
	struct stat st;
	int ret;

	snprintf(name, sizeof(name), "fdinfo/%s", fd);
	ret = cr_proc_read_file(t->pid, name, buf, len);
	if (ret < 0)
		return ret;
	lock = strstr(buf, "\nlock:");
	if (lock) {
		/* "lock:\t1: FLOCK  ADVISORY  WRITE 123 ..." */
		if (sscanf(lock, "\nlock: %*s %31s", kind) != 1)
			strcpy(kind, "file");
		snprintf(name, sizeof(name), "fd/%s", fd);
		if (cr_proc_link(t->pid, name, path, sizeof(path)) < 0)
			path[0] = '\0';
		cr_lerr(t, "fd %s (%s): holds a %s lock, which crrun cannot save yet",
			fd, path, kind);
		return -ENOSYS;
	}
	snprintf(name, sizeof(name), "fd/%s", fd);
	ret = cr_proc_link(t->pid, name, path, sizeof(path));
	if (ret < 0)
		return ret;
	snprintf(link, sizeof(link), "/proc/%d/fd/%s", t->pid, fd);
	if (path[0] == '/' && cr_link_deleted(path) && !stat(link, &st) &&
	    (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		cr_lerr(t, "fd %s (%s): the file was deleted while open; crrun cannot save deleted files yet",
			fd, path);
		return -ENOSYS;
	}
	return 0;
}

static int cr_refuse_fds(struct cr_target *t)
{
	struct dirent *de;
	char dir[64], *buf;
	int ret = 0;
	DIR *d;

	buf = malloc(65536);
	if (!buf)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", t->pid);
	d = opendir(dir);
	if (!d) {
		free(buf);
		return errno == ENOENT ? -ESRCH : -errno;
	}
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		ret = cr_refuse_fd(t, de->d_name, buf, 65536);
		if (ret == -ENOENT)
			ret = 0;	/* closed meanwhile */
	}
	closedir(d);
	free(buf);
	return ret;
}

/**
 * cr_check_refusals() - refuse state that a restore would not give back
 * @t: the target, not seized yet
 * @status: its /proc/PID/status
 *
 * Return: 0; -ENOSYS with the message logged; -ESRCH if it went away; or
 * -errno.
 */
int cr_check_refusals(struct cr_target *t, const char *status __maybe_unused)
{
	int ret;

	ret = cr_refuse_children(t);
	if (!ret)
		ret = cr_refuse_namespaces(t);
	if (!ret)
		ret = cr_refuse_deleted_paths(t);
	if (!ret)
		ret = cr_refuse_fds(t);
	return ret;
}
