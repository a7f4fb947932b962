// SPDX-License-Identifier: GPL-2.0
/*
 * A program on a terminal, in raw mode, comes back on the terminal of
 * `crrun restore` with its settings: after the restore, one key (no
 * newline) is read at once, and echo stays off. The window there is
 * another size, and the program is told so with SIGWINCH. Run by
 * run_tty.py, which gives it a pty for stdin, stdout and stderr.
 */
#include <signal.h>
#include <termios.h>
#include <sys/ioctl.h>

#include "crt.h"

static volatile int winches;

static void on_winch(int sig)
{
	winches++;
}

int main(void)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 100 };
	struct termios raw, now;
	char c = 0;

	crt_setup(!tcgetattr(0, &raw));
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_iflag &= ~ICRNL;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	crt_setup(!tcsetattr(0, TCSANOW, &raw));
	crt_setup(!tcgetattr(0, &raw));
	crt_setup(!ioctl(0, TIOCSWINSZ, &ws));
	crt_setup(signal(SIGWINCH, on_winch) != SIG_ERR);
	winches = 0;

	crt_ready_and_wait();

	crt_check(!tcgetattr(0, &now), "tcgetattr: %s", strerror(errno));
	crt_check(now.c_lflag == raw.c_lflag, "c_lflag %#x, was %#x",
		  now.c_lflag, raw.c_lflag);
	crt_check(now.c_iflag == raw.c_iflag, "c_iflag %#x, was %#x",
		  now.c_iflag, raw.c_iflag);
	crt_check(now.c_cc[VMIN] == 1 && now.c_cc[VTIME] == 0,
		  "VMIN %d VTIME %d", now.c_cc[VMIN], now.c_cc[VTIME]);
	crt_check(!ioctl(0, TIOCGWINSZ, &ws), "TIOCGWINSZ");
	if (ws.ws_row != 30 || ws.ws_col != 100)
		crt_check(winches > 0, "window %ux%u, and no SIGWINCH",
			  ws.ws_row, ws.ws_col);

	/* raw: one key comes through alone */
	crt_say("reading\n");
	alarm(10);
	crt_check(read(0, &c, 1) == 1 && c == 'x', "read %d", c);
	alarm(0);
	return crt_done();
}
