// SPDX-License-Identifier: GPL-2.0
/*
 * Open files come back at the same fd numbers, with the same holes
 * between them: offsets, access modes, O_APPEND and O_NONBLOCK,
 * close-on-exec, dup'ed fds sharing one offset, a directory, /dev/null,
 * and a sparse file whose offset lies in a hole.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "crt.h"

#define SPARSE_END	(1 << 20)

static int open_at(int want, const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	crt_setup(fd >= 0);
	if (fd != want) {
		crt_setup(dup2(fd, want) == want);
		close(fd);
	}
	return want;
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static void check_fd(int fd, const char *path, int acc, int flags,
		     bool cloexec, off_t pos)
{
	int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

	if (fl < 0 || fdfl < 0) {
		crt_fail("fd %d is not open", fd);
		return;
	}
	crt_check((fl & O_ACCMODE) == acc, "fd %d access mode %#x", fd,
		  fl & O_ACCMODE);
	crt_check((fl & (O_APPEND | O_NONBLOCK)) == flags,
		  "fd %d flags %#x", fd, fl);
	crt_check(!!(fdfl & FD_CLOEXEC) == cloexec, "fd %d close-on-exec %d",
		  fd, fdfl);
	if (path)
		crt_check(same_file(fd, path), "fd %d is not %s", fd, path);
	if (pos >= 0)
		crt_check(lseek(fd, 0, SEEK_CUR) == pos, "fd %d offset %lld, "
			  "want %lld", fd, (long long)lseek(fd, 0, SEEK_CUR),
			  (long long)pos);
}

int main(void)
{
	const char *data = crt_path("data"), *log = crt_path("log");
	const char *ro = crt_path("ro"), *sparse = crt_path("sparse");
	const char *nb = crt_path("nb");
	char dir[4096], buf[10000], got[16];
	static const int open_fds[] = { 3, 5, 8, 9, 10, 12, 13, 15, 20 };
	struct stat st, null_st;
	unsigned int i;
	int fd;

	/* only what this test opens, above 2 */
	for (fd = 3; fd < 64; fd++)
		close(fd);
	snprintf(dir, sizeof(dir), "%s", crt_path("."));

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	open_at(3, data, O_RDWR | O_CREAT | O_TRUNC);
	crt_setup(write(3, buf, sizeof(buf)) == sizeof(buf));
	crt_setup(lseek(3, 1234, SEEK_SET) == 1234);
	crt_setup(dup2(3, 9) == 9);		/* shares the offset */

	open_at(5, log, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC);
	crt_setup(write(5, "first\n", 6) == 6);

	open_at(8, ro, O_RDWR | O_CREAT | O_TRUNC);
	crt_setup(write(8, buf, 100) == 100);
	close(8);
	open_at(8, ro, O_RDONLY);
	crt_setup(fcntl(8, F_SETFD, FD_CLOEXEC) == 0);
	crt_setup(lseek(8, 17, SEEK_SET) == 17);

	open_at(10, sparse, O_RDWR | O_CREAT | O_TRUNC);
	crt_setup(pwrite(10, "head", 4, 0) == 4);
	crt_setup(pwrite(10, "tail", 4, SPARSE_END) == 4);
	crt_setup(lseek(10, SPARSE_END / 2, SEEK_SET) == SPARSE_END / 2);

	open_at(12, dir, O_RDONLY | O_DIRECTORY);
	open_at(13, "/dev/null", O_WRONLY);
	open_at(15, nb, O_RDWR | O_CREAT | O_TRUNC | O_NONBLOCK);
	fd = open(data, O_RDONLY | O_CLOEXEC);
	crt_setup(fd >= 0 && dup3(fd, 20, O_CLOEXEC) == 20);
	close(fd);

	crt_ready_and_wait();

	check_fd(3, data, O_RDWR, 0, false, 1234);
	check_fd(9, data, O_RDWR, 0, false, 1234);
	check_fd(5, log, O_WRONLY, O_APPEND, false, -1);
	check_fd(8, ro, O_RDONLY, 0, true, 17);
	check_fd(10, sparse, O_RDWR, 0, false, SPARSE_END / 2);
	check_fd(12, dir, O_RDONLY, 0, false, -1);
	check_fd(13, "/dev/null", O_WRONLY, 0, false, -1);
	check_fd(15, nb, O_RDWR, O_NONBLOCK, false, 0);
	check_fd(20, data, O_RDONLY, 0, true, 0);

	/* the holes between them stayed holes */
	for (fd = 3; fd < 64; fd++) {
		bool open = false;

		for (i = 0; i < sizeof(open_fds) / sizeof(open_fds[0]); i++)
			open |= open_fds[i] == fd;
		if (!open)
			crt_check(fcntl(fd, F_GETFD) < 0 && errno == EBADF,
				  "fd %d is open", fd);
	}

	/* 3 and 9 share one offset */
	crt_check(read(3, got, 10) == 10 && !memcmp(got, buf + 1234, 10),
		  "read at 1234");
	crt_check(lseek(9, 0, SEEK_CUR) == 1244, "fd 9 did not follow fd 3");
	crt_check(read(8, got, 3) == 3 && !memcmp(got, buf + 17, 3),
		  "read at 17");
	/* O_APPEND still appends */
	crt_check(write(5, "second\n", 7) == 7, "write to log");
	crt_check(!fstat(5, &st) && st.st_size >= 13, "log size");
	crt_check(pread(10, got, 4, SPARSE_END) == 4 &&
		  !memcmp(got, "tail", 4), "sparse tail");
	crt_check(lseek(10, 0, SEEK_HOLE) == 4096 || lseek(10, 0, SEEK_HOLE)
		  == SPARSE_END + 4, "SEEK_HOLE");
	crt_check(!fstat(13, &st) && !stat("/dev/null", &null_st) &&
		  st.st_rdev == null_st.st_rdev, "fd 13 is not /dev/null");
	crt_check(write(13, "x", 1) == 1, "write to /dev/null");
	return crt_done();
}
