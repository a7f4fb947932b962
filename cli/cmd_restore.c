// SPDX-License-Identifier: GPL-2.0
/*
 * crrun restore [--lazy] [--detach] [--pidfile FILE] IMAGE
 *
 * A fresh child with the image's pid is made by the Linux shim, filled by
 * the engine, and let run only once every object of the image has been
 * read and checked. Any failure before that kills the half-made child.
 * Without --detach crrun stays its parent, forwards SIGINT, SIGTERM and
 * SIGHUP to it, and exits with its status.
 *
 * A process that had a terminal on its fds 0-2 is restored on crrun's, as a
 * shell job is continued: the terminal gets the process's settings, and
 * gets crrun's back once the process is gone. --detach is refused then:
 * the process would be left in a background process group, where reading
 * its terminal stops it or fails.
 *
 * --lazy (CR_CTX_LAZY): long runs of anonymous pages are mapped from the
 * image (private file mappings of it) instead of copied, and read when
 * first touched; only the checksum of the objects is checked, not that of
 * the page data. The child holds the image open until it is let run.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "core/cr.h"
#include "shim/linux/linux.h"

static const char rstr_usage[] =
	"usage: crrun restore [--lazy] [--detach] [--pidfile FILE] IMAGE\n"
	"\n"
	"Bring back the process saved in IMAGE, with its original pid.\n"
	"Without --detach, crrun waits for it, passes SIGINT, SIGTERM and\n"
	"SIGHUP on to it, and exits with its exit status (128+N if signal\n"
	"N killed it).\n"
	"\n"
	"  -l, --lazy          map memory from IMAGE instead of copying it:\n"
	"                      pages are read when first touched. IMAGE must\n"
	"                      not be changed in place while the process runs\n"
	"                      (deleting or renaming it is fine); its page\n"
	"                      data is not checked against the checksum\n"
	"  -d, --detach        return as soon as the process runs\n"
	"  -p, --pidfile FILE  write the pid of the process to FILE\n"
	"  -v, --verbose       say what is being done\n"
	"  -h, --help          this text\n";

/* held back while the child is half-made; forwarded once it runs */
static const int rstr_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int rstr_forwarded[] = { SIGINT, SIGTERM, SIGHUP };

static volatile pid_t rstr_child;

/* crrun's own terminal settings, put back when the process is gone */
struct rstr_tty {
	int fd;			/* -1: none kept */
	struct termios tio;
};

static const char *image_strerror(int err)
{
	switch (err) {
	case -EIO:
		return "the image ends early or cannot be read";
	case -EINVAL:
		return "the image is damaged or not a crrun image";
	case -EBADMSG:
		return "checksum mismatch: the image is damaged";
	case -ENOSYS:
	case -EOPNOTSUPP:
		return "the image holds state crrun cannot restore";
	default:
		return strerror(-err);
	}
}

/*
 * A signal for the restored process. One the terminal sent to the whole
 * foreground group (SI_KERNEL) has reached the child already.
 */
static void rstr_forward(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (rstr_child > 0 && si->si_code != SI_KERNEL)
		kill(rstr_child, sig);
	errno = saved;
}

/*
 * write_pidfile() - write @pid into @path, atomically
 * Return: 0 or -errno.
 */
static int write_pidfile(const char *path, pid_t pid)
{
	size_t n = strlen(path);
	char *tmp, buf[32];
	int fd, len, ret = 0;

	tmp = malloc(n + 16);
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	len = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write(fd, buf, len) != len || fchmod(fd, 0644))
		ret = errno ? -errno : -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
out_free:
	free(tmp);
	return ret;
}

static int pending_stop_signal(void)
{
	sigset_t pending;
	unsigned int i;

	if (sigpending(&pending))
		return 0;
	for (i = 0; i < ARRAY_SIZE(rstr_signals); i++)
		if (sigismember(&pending, rstr_signals[i]))
			return rstr_signals[i];
	return 0;
}

/*
 * restore_image() - make a process from the image on @fd
 * @flags: CR_CTX_RSTR, with CR_CTX_LAZY for --lazy
 * Return: its pid, running, or -errno (the message is printed and no
 * process is left behind).
 */
static pid_t restore_image(const char *image, int fd, const char *pidfile,
			   unsigned int flags, bool detach,
			   struct rstr_tty *tty)
{
	struct cr_layout layout;
	struct cr_target *t;
	struct cr_ctx ctx;
	pid_t pid;
	int ret, sig;

	ret = cr_image_layout(fd, &cli_log, &layout);
	if (ret) {
		cr_layout_free(&layout);	/* also after a failure */
		cli_fail("%s: %s", image, image_strerror(ret));
		return ret;
	}
	pid = layout.pid;

	t = cr_linux_spawn(&layout, fd, &cli_log);
	cr_layout_free(&layout);
	if (IS_ERR(t)) {
		ret = (int)PTR_ERR(t);
		if (ret == -EEXIST)
			cli_fail("pid %d is in use", pid);
		else
			cli_fail("cannot make a process for pid %d: %s", pid,
				 strerror(-ret));
		return ret;
	}

	if (lseek(fd, 0, SEEK_SET) < 0) {
		ret = -errno;
		cli_err("%s: %s", image, strerror(-ret));
		goto out_kill;
	}
	ret = cr_ctx_init(&ctx, flags, fd, &cr_linux_kops, t, &cli_log);
	if (ret) {
		cli_err("%s: %s", image, strerror(-ret));
		goto out_kill;
	}
	ret = cr_restart(&ctx);
	cr_ctx_fini(&ctx);
	if (ret) {
		cli_fail("%s: restore failed: %s", image, image_strerror(ret));
		goto out_kill;
	}

	sig = pending_stop_signal();
	if (sig) {
		cli_err("interrupted by %s: process not restored",
			 strsignal(sig));
		ret = -EINTR;
		goto out_kill;
	}

	if (cr_linux_has_tty(t)) {
		if (detach) {
			cli_err("%s: the process ran on a terminal: --detach would leave it in a background process group, unable to read it; restore it without --detach, or with stdin, stdout and stderr not on a terminal",
				image);
			ret = -EPERM;
			goto out_kill;
		}
		for (tty->fd = 0; tty->fd <= 2; tty->fd++)
			if (!tcgetattr(tty->fd, &tty->tio))
				break;
		if (tty->fd > 2)
			tty->fd = -1;
	}

	/* before it runs, so that a failure here leaves nothing behind */
	if (pidfile) {
		ret = write_pidfile(pidfile, cr_linux_pid(t));
		if (ret) {
			cli_err("%s: cannot write the pid file: %s", pidfile,
				 strerror(-ret));
			goto out_kill;
		}
	}

	pid = cr_linux_resume(t);
	if (pid < 0) {
		cli_fail("%s: the process could not be started: %s", image,
			 strerror(-pid));
		if (pidfile)
			unlink(pidfile);
		return pid;
	}
	return pid;

out_kill:
	cr_linux_kill(t);
	return ret;
}

/* Wait for the restored child; its exit status becomes ours. */
static int wait_child(pid_t pid, const sigset_t *old)
{
	struct sigaction sa;
	unsigned int i;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = rstr_forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	rstr_child = pid;
	for (i = 0; i < ARRAY_SIZE(rstr_forwarded); i++)
		sigaction(rstr_forwarded[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);	/* pending ones go out now */

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			cli_err("waiting for process %d: %s", pid,
				 strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status)) {
		cli_info("process %d exited with status %d", pid,
			  WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	if (WIFSIGNALED(status)) {
		cli_info("process %d killed by signal %d", pid,
			  WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return 1;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lazy", no_argument, NULL, 'l' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *image, *pidfile = NULL;
	struct rstr_tty tty = { .fd = -1 };
	unsigned int flags = CR_CTX_RSTR;
	bool detach = false;
	sigset_t held, old;
	struct stat st;
	unsigned int i;
	int c, fd, ret;
	pid_t pid;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ldp:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			flags |= CR_CTX_LAZY;
			break;
		case 'd':
			detach = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'v':
			cli_verbose = 1;
			break;
		case 'h':
			fputs(rstr_usage, stdout);
			return 0;
		default:
			fputs(rstr_usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "crrun: restore takes one IMAGE\n");
		fputs(rstr_usage, stderr);
		return 2;
	}
	image = argv[optind];

	fd = open(image, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_err("%s: %s", image, strerror(errno));
		return 1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cli_err("%s: not a regular file", image);
		close(fd);
		return 1;
	}
	if (!st.st_size) {
		cli_err("%s: empty file, not a crrun image", image);
		close(fd);
		return 1;
	}

	sigemptyset(&held);
	for (i = 0; i < ARRAY_SIZE(rstr_signals); i++)
		sigaddset(&held, rstr_signals[i]);
	sigprocmask(SIG_BLOCK, &held, &old);

	pid = restore_image(image, fd, pidfile, flags, detach, &tty);
	close(fd);
	if (pid < 0)
		return 1;	/* held signals die with us, unhandled */
	cli_info("process %d restored from %s", pid, image);

	if (detach)
		return 0;
	ret = wait_child(pid, &old);
	if (tty.fd >= 0)
		tcsetattr(tty.fd, TCSADRAIN, &tty.tio);
	return ret;
}
