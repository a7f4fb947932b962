// SPDX-License-Identifier: GPL-2.0
/*
 * crrun checkpoint [--kill] [--sync] PID IMAGE
 *
 * The image is written to an unnamed file in IMAGE's directory (or a
 * hidden temporary one where O_TMPFILE is not supported) and renamed into
 * place: IMAGE either appears whole or not at all. With --sync or --kill
 * the file and the directory are fsync'ed first: the image is on disk
 * before crrun returns, or before the process dies. Without, a crash of
 * the machine soon after can leave a torn image, which the checksum in its
 * tail then refuses; fsync would triple the time of a large checkpoint.
 *
 * The process is stopped only while its state is read: its memory is
 * then copied from a snapshot while it runs on (the shim's ->snapshot_mm),
 * but for --kill, where it must not run past the instant saved: it stays
 * stopped until the image is on disk, and is killed where it stands. The
 * target is released whatever else happens, and SIGINT/SIGTERM/SIGHUP/
 * SIGQUIT are held back while it is seized so that crrun never dies with
 * it stopped.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cli/cli.h"
#include "core/cr.h"
#include "shim/linux/linux.h"

static const char ckpt_usage[] =
	"usage: crrun checkpoint [--kill] [--sync] PID IMAGE\n"
	"\n"
	"Write the state of the running process PID into the file IMAGE.\n"
	"The process is stopped while its state is read, and runs on while\n"
	"its memory is saved from a snapshot; IMAGE appears only once it has\n"
	"been written completely.\n"
	"\n"
	"  -k, --kill     kill the process once IMAGE is safely on disk\n"
	"                 (it stays stopped until then: no snapshot)\n"
	"  -s, --sync     fsync IMAGE before returning (implied by --kill)\n"
	"  -v, --verbose  say what is being done\n"
	"  -h, --help     this text\n";

/* Signals that would otherwise kill crrun with the target stopped. */
static const int ckpt_held_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* An image being written: a file with no name (or a hidden one) yet. */
struct image_tmp {
	int dirfd;
	int fd;
	char *dir;		/* directory of the image */
	char *base;		/* final name inside @dir */
	char tmpname[NAME_MAX + 1];	/* the mkstemp name, "" for O_TMPFILE */
};

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

/* Split @path into a directory and a last component. */
static int image_split_path(const char *path, char **dir, char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash) {
		if (!slash[1])
			return -EISDIR;
		*dir = slash == path ? strdup("/") :
				       strndup(path, slash - path);
		*base = strdup(slash + 1);
	} else {
		*dir = strdup(".");
		*base = strdup(path);
	}
	if (!*dir || !*base) {
		free(*dir);
		free(*base);
		return -ENOMEM;
	}
	if (strlen(*base) > NAME_MAX - 8) {
		free(*dir);
		free(*base);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * image_tmp_create() - open an unnamed file in the directory of @path
 * Return: 0 or -errno.
 */
static int image_tmp_create(struct image_tmp *it, const char *path)
{
	struct stat st;
	int ret;

	memset(it, 0, sizeof(*it));
	it->fd = -1;
	ret = image_split_path(path, &it->dir, &it->base);
	if (ret)
		return ret;

	it->dirfd = open(it->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (it->dirfd < 0) {
		ret = -errno;
		goto out_free_names;
	}
	/* found now, not after the whole checkpoint */
	if (!fstatat(it->dirfd, it->base, &st, 0) && S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out_close_dir;
	}

	it->fd = openat(it->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
			0600);
	if (it->fd >= 0)
		return 0;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		ret = -errno;
		goto out_close_dir;
	}

	/* no O_TMPFILE here: a hidden name, removed on failure */
	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(it->tmpname, sizeof(it->tmpname), ".%s.%06lx",
			 it->base, (unsigned long)(ts.tv_nsec ^ getpid()) &
				   0xffffff);
		it->fd = openat(it->dirfd, it->tmpname,
				O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (it->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	ret = -errno;
	it->tmpname[0] = '\0';
out_close_dir:
	close(it->dirfd);
out_free_names:
	free(it->dir);
	free(it->base);
	return ret;
}

/* Drop an image that will not be kept: nothing appears under its name. */
static void image_tmp_discard(struct image_tmp *it)
{
	if (it->tmpname[0])
		unlinkat(it->dirfd, it->tmpname, 0);
	close(it->fd);
	close(it->dirfd);
	free(it->dir);
	free(it->base);
}

/* Give an O_TMPFILE file a temporary name, from which it is renamed. */
static int image_tmp_link(struct image_tmp *it)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", it->fd);
	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(it->tmpname, sizeof(it->tmpname), ".%s.%06lx",
			 it->base, (unsigned long)(ts.tv_nsec ^ getpid()) &
				   0xffffff);
		if (!linkat(AT_FDCWD, proc, it->dirfd, it->tmpname,
			    AT_SYMLINK_FOLLOW))
			return 0;
		if (errno != EEXIST)
			break;
	}
	it->tmpname[0] = '\0';
	return -errno;
}

/*
 * image_tmp_commit() - give the image its final name, on disk if @sync
 * On failure the temporary file is gone and nothing has the final name.
 * Return: 0 or -errno; @what says which step failed.
 */
static int image_tmp_commit(struct image_tmp *it, bool sync,
			    const char **what)
{
	int ret;

	*what = "fsync";
	if (sync && fsync(it->fd))
		goto out_errno;
	if (!it->tmpname[0]) {
		*what = "link";
		ret = image_tmp_link(it);
		if (ret)
			goto out_discard;
	}
	*what = "rename";
	if (renameat(it->dirfd, it->tmpname, it->dirfd, it->base))
		goto out_errno;
	it->tmpname[0] = '\0';	/* it is the image now */

	/* the image is whole and in place; only its durability is unsure */
	if (sync && fsync(it->dirfd))
		cli_log.emit(cli_log.priv, CR_LOG_WARN,
			     "fsync of the image's directory failed");
	close(it->fd);
	close(it->dirfd);
	free(it->dir);
	free(it->base);
	return 0;

out_errno:
	ret = -errno;
out_discard:
	image_tmp_discard(it);
	return ret;
}

static int pidfd_open_pid(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* Is /proc/PID still there (a zombie not yet reaped counts as there)? */
static bool pid_exists(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) == 0;
}

/*
 * kill_and_wait() - SIGKILL @pid and wait until its pid is free
 * @t: the process, still seized and stopped (it dies where it stands), or
 *	NULL when it was let go
 * @pidfd: a pidfd of @pid taken while it was seized (so that a recycled
 *	   pid is never killed), or -1 where pidfd_open is missing.
 *
 * The process is not our child: we wait for it to exit (as its tracer, or
 * through the pidfd), then for its parent to reap it, which can lag
 * (PLATFORM.md).
 */
static int kill_and_wait(pid_t pid, struct cr_target *t, int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int ret, i;

	/* on failure it was let go: kill it as one not held */
	if (t && !cr_linux_kill_seized(t))
		goto out_wait_reaped;
	if (pidfd >= 0)
		ret = syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	else
		ret = kill(pid, SIGKILL);
	if (ret && errno != ESRCH) {
		cli_err("process %d: cannot kill it: %s", pid,
			 strerror(errno));
		return -errno;
	}
	if (pidfd >= 0) {
		while (poll(&pfd, 1, 10000) < 0 && errno == EINTR)
			;
	}
out_wait_reaped:
	for (i = 0; i < 500 && pid_exists(pid); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (pid_exists(pid))
		cli_log.emit(cli_log.priv, CR_LOG_WARN,
			     "process killed, but its parent has not reaped "
			     "it yet: its pid stays in use until then");
	return 0;
}

static void seize_error(pid_t pid, long err)
{
	switch (err) {
	case -ESRCH:
		cli_fail("process %d: no such process", pid);
		break;
	case -EPERM:
	case -EACCES:
		cli_fail("process %d: permission denied (ptrace is not "
			 "allowed on it)", pid);
		break;
	case -ENOSYS:
	case -EOPNOTSUPP:
		cli_fail("process %d: crrun cannot checkpoint it", pid);
		break;
	default:
		cli_fail("process %d: cannot seize it: %s", pid,
			 strerror((int)-err));
		break;
	}
}

static const char *ckpt_strerror(int err)
{
	switch (err) {
	case -ENOSYS:
	case -EOPNOTSUPP:
		return "the process is in a state crrun cannot save";
	case -ESRCH:
		return "the process went away";
	default:
		return strerror(-err);
	}
}

/* A held-back signal that asked crrun to stop, or 0. */
static int pending_stop_signal(void)
{
	sigset_t pending;
	unsigned int i;

	if (sigpending(&pending))
		return 0;
	for (i = 0; i < ARRAY_SIZE(ckpt_held_signals); i++)
		if (sigismember(&pending, ckpt_held_signals[i]))
			return ckpt_held_signals[i];
	return 0;
}

/* Let go of a process held for --kill; 0 or -errno (the message printed) */
static int release_held(pid_t pid, struct cr_target *t)
{
	int rel = cr_linux_release(t);

	if (rel)
		cli_err("process %d: could not be put back as it was: %s",
			 pid, strerror(-rel));
	return rel;
}

/*
 * checkpoint_to() - seize @pid, write its image into @it, release it
 * @held: with @kill_after, the process on success, still seized and
 *	  stopped (release_held() or kill_and_wait() it); else NULL
 * Return: 0 or -errno (the message is printed).
 */
static int checkpoint_to(pid_t pid, struct image_tmp *it, bool kill_after,
			 int *pidfd, struct cr_target **held)
{
	struct cr_target *t;
	struct cr_ctx ctx;
	int ret, rel;

	t = cr_linux_seize(pid, &cli_log);
	if (IS_ERR(t)) {
		seize_error(pid, PTR_ERR(t));
		return (int)PTR_ERR(t);
	}
	/* it dies for the image: it must not run past the instant saved */
	if (kill_after)
		cr_linux_no_snapshot(t);
	/* while it is held, the pid cannot be recycled */
	*pidfd = pidfd_open_pid(pid);

	ret = cr_ctx_init(&ctx, CR_CTX_CKPT, it->fd, &cr_linux_kops, t,
			  &cli_log);
	if (!ret) {
		ret = cr_checkpoint(&ctx);
		cr_ctx_fini(&ctx);
	}

	*held = NULL;
	if (!ret && kill_after) {
		*held = t;
		return 0;
	}
	rel = cr_linux_release(t);
	if (ret) {
		cli_fail("checkpoint of process %d failed: %s", pid,
			 ckpt_strerror(ret));
		if (rel)
			cli_err("process %d: could not be put back as it "
				 "was: %s", pid, strerror(-rel));
		return ret;
	}
	if (rel) {
		cli_err("process %d: could not be put back as it was: %s",
			 pid, strerror(-rel));
		return rel;
	}
	return 0;
}

int cmd_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kill", no_argument, NULL, 'k' },
		{ "sync", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cr_target *t = NULL;
	struct image_tmp it;
	sigset_t held;
	const char *image, *what;
	bool kill_after = false, sync = false;
	int pidfd = -1;
	unsigned int i;
	pid_t pid;
	int c, ret, sig;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ksvh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kill_after = true;
			break;
		case 's':
			sync = true;
			break;
		case 'v':
			cli_verbose = 1;
			break;
		case 'h':
			fputs(ckpt_usage, stdout);
			return 0;
		default:
			fputs(ckpt_usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "crrun: checkpoint takes a PID and an IMAGE\n");
		fputs(ckpt_usage, stderr);
		return 2;
	}
	if (parse_pid(argv[optind], &pid)) {
		fprintf(stderr, "crrun: '%s' is not a process id\n",
			argv[optind]);
		return 2;
	}
	image = argv[optind + 1];

	sigemptyset(&held);
	for (i = 0; i < ARRAY_SIZE(ckpt_held_signals); i++)
		sigaddset(&held, ckpt_held_signals[i]);
	sigprocmask(SIG_BLOCK, &held, NULL);

	ret = image_tmp_create(&it, image);
	if (ret) {
		cli_err("%s: cannot create the image: %s", image,
			 strerror(-ret));
		goto out_unblock;
	}

	ret = checkpoint_to(pid, &it, kill_after, &pidfd, &t);
	if (ret) {
		image_tmp_discard(&it);
		goto out_close_pidfd;
	}

	sig = pending_stop_signal();
	if (sig) {
		if (t)
			release_held(pid, t);
		image_tmp_discard(&it);
		cli_err("interrupted by %s: no image written, process %d "
			 "left running", strsignal(sig), pid);
		ret = -EINTR;
		goto out_close_pidfd;
	}

	ret = image_tmp_commit(&it, sync || kill_after, &what);
	if (ret) {
		cli_err("%s: %s failed: %s; no image written", image, what,
			 strerror(-ret));
		if (t)
			release_held(pid, t);
		goto out_close_pidfd;
	}
	cli_info("process %d saved to %s", pid, image);

	if (kill_after) {
		ret = kill_and_wait(pid, t, pidfd);
		if (!ret)
			cli_info("process %d killed", pid);
	}

out_close_pidfd:
	if (pidfd >= 0)
		close(pidfd);
out_unblock:
	/* a signal held back until now dies with us, unhandled */
	return ret ? 1 : 0;
}
