// SPDX-License-Identifier: GPL-2.0
/*
 * The mock's terminal: one on the target's fds 0-2, or none. A test says
 * which with mock_set_terminal(); set_tty changes its settings as the
 * kernel's TCSETS2 would, and notes the SIGWINCH a window of another size
 * calls for.
 */
#include <string.h>

#include "shim/mock/mock_priv.h"

/**
 * mock_set_terminal() - give the target a terminal, or take it away
 * @t: the mock target
 * @tty: the terminal's fd (0-2), settings and window; NULL: no terminal
 */
void mock_set_terminal(struct cr_target *t, const struct cr_tty_info *tty)
{
	t->task.has_tty = tty != NULL;
	if (tty)
		t->task.tty = *tty;
	t->task.winch_sent = false;
}

/**
 * mock_winch_sent() - did set_tty tell the target its window changed?
 * @t: the mock target
 *
 * Return: true if a SIGWINCH was queued.
 */
bool mock_winch_sent(struct cr_target *t)
{
	return t->task.winch_sent;
}

/**
 * mock_get_tty() - kops->get_tty
 * @t: the mock target
 * @tty: filled with the terminal's settings and window
 *
 * Return: 0, or -ENOENT when the target has no terminal.
 */
int mock_get_tty(struct cr_target *t, struct cr_tty_info *tty)
{
	int err;

	mock_task_read(t);
	err = mock_fault_hit(t, MOCK_OP_GET_TTY);
	if (err)
		return err;
	if (!t->task.has_tty)
		return -ENOENT;
	*tty = t->task.tty;
	return 0;
}

/**
 * mock_set_tty() - kops->set_tty
 * @t: the mock target
 * @tty: the settings to give the terminal at @tty->fd
 *
 * Return: 0, or -ENOTTY when the target has no terminal there.
 */
int mock_set_tty(struct cr_target *t, const struct cr_tty_info *tty)
{
	struct cr_tty_info *now = &t->task.tty;
	int err;

	err = mock_fault_hit(t, MOCK_OP_SET_TTY);
	if (err)
		return err;
	if (!t->task.has_tty || now->fd != tty->fd)
		return -ENOTTY;
	if (now->ws_row != tty->ws_row || now->ws_col != tty->ws_col)
		t->task.winch_sent = true;
	/* the window stays the terminal's own */
	now->c_iflag = tty->c_iflag;
	now->c_oflag = tty->c_oflag;
	now->c_cflag = tty->c_cflag;
	now->c_lflag = tty->c_lflag;
	now->c_ispeed = tty->c_ispeed;
	now->c_ospeed = tty->c_ospeed;
	now->c_line = tty->c_line;
	memcpy(now->c_cc, tty->c_cc, sizeof(now->c_cc));
	return 0;
}
