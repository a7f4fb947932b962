// SPDX-License-Identifier: GPL-2.0
/*
 * State crrun cannot carry yet must be refused by name, and the process
 * left as it was. refused_state MODE sets up one such state, says ready,
 * and once let go checks that the state is still there, untouched:
 *
 *   child        a child process, running
 *   zombie       a child that has exited and is not reaped
 *   deleted_cwd  the working directory removed
 *   deleted_exe  the process's executable removed (it runs a copy of this
 *                program, then deletes the copy)
 *   replaced_exe the executable's path now names another file
 *   flock, posix_lock, ofd_lock, lease
 *                a lock (or a read lease) held on a file
 *   deleted_file a regular file open and deleted
 *   plain        nothing special (the driver starts it in a namespace of
 *                its own)
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "crt.h"

static pid_t child;
static int lock_fd = -1;

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open(from, O_RDONLY);
	crt_setup(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	crt_setup(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		crt_setup(write(out, buf, n) == n);
	crt_setup(n == 0);
	close(in);
	close(out);
}

/* Run a copy of this program as @mode2, in this process. */
static void exec_copy(const char *self, const char *mode2)
{
	const char *copy = crt_path("exe-copy");

	copy_file(self, copy);
	execl(copy, copy, mode2, (char *)NULL);
	crt_setup(0);
}

/* Is @fd's lock of @kind seen from another open file description? */
static bool lock_seen(const char *path, const char *kind)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, status;
	pid_t pid;
	bool seen;

	fd = open(path, O_RDWR);
	crt_setup(fd >= 0);
	if (!strcmp(kind, "flock")) {
		seen = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	} else if (!strcmp(kind, "ofd_lock")) {
		crt_setup(!fcntl(fd, F_OFD_GETLK, &fl));
		seen = fl.l_type == F_WRLCK;
	} else {
		/* a POSIX lock is the process's own: ask from a child */
		pid = fork();
		crt_setup(pid >= 0);
		if (pid == 0) {
			if (fcntl(fd, F_GETLK, &fl))
				_exit(2);
			_exit(fl.l_type == F_WRLCK ? 0 : 1);
		}
		crt_setup(waitpid(pid, &status, 0) == pid);
		seen = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	close(fd);
	return seen;
}

static void take_lock(const char *kind)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	const char *path = crt_path("locked");

	lock_fd = open(path, O_RDWR | O_CREAT, 0644);
	crt_setup(lock_fd >= 0);
	if (!strcmp(kind, "flock"))
		crt_setup(!flock(lock_fd, LOCK_EX));
	else if (!strcmp(kind, "posix_lock"))
		crt_setup(!fcntl(lock_fd, F_SETLK, &fl));
	else if (!strcmp(kind, "ofd_lock"))
		crt_setup(!fcntl(lock_fd, F_OFD_SETLK, &fl));
	else {
		close(lock_fd);
		lock_fd = open(path, O_RDONLY);
		crt_setup(lock_fd >= 0);
		crt_setup(!fcntl(lock_fd, F_SETLEASE, F_RDLCK));
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "plain";
	char cwd[4096];
	struct stat st;
	int status, fd = -1;

	if (!strcmp(mode, "deleted_exe") || !strcmp(mode, "replaced_exe")) {
		char run[64];

		snprintf(run, sizeof(run), "run_%s", mode);
		exec_copy(argv[0], run);
	}
	if (!strcmp(mode, "run_deleted_exe")) {
		crt_setup(!unlink(argv[0]));
	} else if (!strcmp(mode, "run_replaced_exe")) {
		const char *other = crt_path("exe-other");

		copy_file("/bin/true", other);
		crt_setup(!rename(other, argv[0]));
	} else if (!strcmp(mode, "child") || !strcmp(mode, "zombie")) {
		child = fork();
		crt_setup(child >= 0);
		if (child == 0) {
			if (!strcmp(mode, "zombie"))
				_exit(7);
			for (;;)
				pause();
		}
		if (!strcmp(mode, "zombie")) {
			/* an exited child shows in /proc as Z until reaped */
			char path[64], state = 0;
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/stat", child);
			do {
				crt_sleep_ms(1);
				f = fopen(path, "r");
				crt_setup(f);
				crt_setup(fscanf(f, "%*d %*s %c", &state) == 1);
				fclose(f);
			} while (state != 'Z');
		}
	} else if (!strcmp(mode, "deleted_cwd")) {
		const char *dir = crt_path("gone");

		crt_setup(!mkdir(dir, 0755));
		crt_setup(!chdir(dir));
		crt_setup(!rmdir(dir));
	} else if (!strcmp(mode, "flock") || !strcmp(mode, "posix_lock") ||
		   !strcmp(mode, "ofd_lock") || !strcmp(mode, "lease")) {
		take_lock(mode);
	} else if (!strcmp(mode, "deleted_file")) {
		const char *path = crt_path("deleted");

		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		crt_setup(fd >= 0);
		crt_setup(write(fd, "kept", 4) == 4);
		crt_setup(!unlink(path));
	} else if (strcmp(mode, "plain")) {
		fprintf(stderr, "SETUP: unknown mode %s\n", mode);
		return 2;
	}

	crt_ready_and_wait();

	if (!strcmp(mode, "child")) {
		crt_check(!kill(child, SIGKILL), "the child is gone");
		crt_check(waitpid(child, &status, 0) == child &&
			  WIFSIGNALED(status), "the child was not ours");
	} else if (!strcmp(mode, "zombie")) {
		crt_check(waitpid(child, &status, 0) == child &&
			  WIFEXITED(status) && WEXITSTATUS(status) == 7,
			  "the zombie's status was lost");
	} else if (!strcmp(mode, "deleted_cwd")) {
		crt_check(!getcwd(cwd, sizeof(cwd)) && errno == ENOENT,
			  "the working directory is not the deleted one");
	} else if (!strcmp(mode, "run_deleted_exe")) {
		crt_check(stat("/proc/self/exe", &st) == 0 && st.st_nlink == 0,
			  "the executable is not the deleted one");
	} else if (!strcmp(mode, "run_replaced_exe")) {
		struct stat path_st;

		crt_check(stat("/proc/self/exe", &st) == 0 &&
			  stat(argv[0], &path_st) == 0 &&
			  st.st_ino != path_st.st_ino,
			  "the executable is not the replaced one");
	} else if (!strcmp(mode, "flock") || !strcmp(mode, "posix_lock") ||
		   !strcmp(mode, "ofd_lock")) {
		crt_check(lock_seen(crt_path("locked"), mode),
			  "the %s is no longer held", mode);
	} else if (!strcmp(mode, "lease")) {
		crt_check(fcntl(lock_fd, F_GETLEASE) == F_RDLCK,
			  "the lease is no longer held");
	} else if (!strcmp(mode, "deleted_file")) {
		char buf[4];

		crt_check(fstat(fd, &st) == 0 && st.st_nlink == 0 &&
			  pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "kept", 4),
			  "the deleted file is not the one opened");
	}
	return crt_done();
}
