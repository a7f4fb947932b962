// SPDX-License-Identifier: GPL-2.0
/*
 * The working directory and the umask come back: relative paths resolve
 * where they did, and new files get the same mode bits.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "crt.h"

int main(void)
{
	char want[4096], cwd[4096];
	struct stat st;
	int fd;

	snprintf(want, sizeof(want), "%s", crt_path("deep/er"));
	mkdir(crt_path("deep"), 0755);
	mkdir(want, 0755);
	crt_setup(!chdir(want));
	crt_setup(getcwd(want, sizeof(want)));	/* canonical */
	fd = open("marker", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	crt_setup(fd >= 0);
	close(fd);
	umask(027);

	crt_ready_and_wait();

	crt_check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want),
		  "cwd '%s', want '%s'", cwd, want);
	crt_check(!access("marker", F_OK), "relative path does not resolve");
	crt_check(umask(027) == 027, "umask");
	unlink("new");
	fd = open("new", O_WRONLY | O_CREAT | O_EXCL, 0666);
	crt_check(fd >= 0, "create a file in the cwd");
	crt_check(fd >= 0 && !fstat(fd, &st) && (st.st_mode & 0777) == 0640,
		  "new file mode %o", st.st_mode & 0777);
	if (fd >= 0)
		close(fd);
	unlink("new");
	return crt_done();
}
