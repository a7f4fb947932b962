// SPDX-License-Identifier: GPL-2.0
/*
 * cr_linux_kops: the table of kernel operations over a real process.
 * The members live by concern in kops_mem.c, creds.c, files.c and
 * kops_task.c.
 */
#include "shim/linux/linux.h"
#include "shim/linux/target.h"

const struct cr_kops cr_linux_kops = {
	.find_vma	= cr_linux_find_vma,
	.page_state	= cr_linux_page_state,
	.next_page	= cr_linux_next_page,
	.get_mm_map	= cr_linux_get_mm_map,
	.snapshot_mm	= cr_linux_snapshot_mm,
	.write_pages	= cr_linux_write_pages,
	.do_mmap	= cr_linux_do_mmap,
	.do_munmap	= cr_linux_do_munmap,
	.do_mremap	= cr_linux_do_mremap,
	.filp_open	= cr_linux_filp_open,
	.filp_close	= cr_linux_filp_close,
	.map_image	= cr_linux_map_image,
	.set_mm_map	= cr_linux_set_mm_map,
	.get_user_pages	= cr_linux_get_user_pages,
	.put_page	= cr_linux_put_page,
	.flush		= cr_linux_flush,
	.kmap		= cr_linux_kmap,
	.kunmap		= cr_linux_kunmap,
	.modify_ldt	= cr_linux_modify_ldt,
	.get_creds	= cr_linux_get_creds,
	.set_creds	= cr_linux_set_creds,
	.get_fs		= cr_linux_get_fs,
	.set_fs		= cr_linux_set_fs,
	.next_fd	= cr_linux_next_fd,
	.install_fd	= cr_linux_install_fd,
	.close_fd	= cr_linux_close_fd,
	.get_tty	= cr_linux_get_tty,
	.set_tty	= cr_linux_set_tty,
	.get_sigaction	= cr_linux_get_sigaction,
	.set_sigaction	= cr_linux_set_sigaction,
	.get_sigstate	= cr_linux_get_sigstate,
	.set_sigstate	= cr_linux_set_sigstate,
	.get_thread	= cr_linux_get_thread,
	.set_thread	= cr_linux_set_thread,
	.get_regs	= cr_linux_get_regs,
	.set_regs	= cr_linux_set_regs,
};

/**
 * cr_linux_pid() - the process behind a target
 * @t: the target
 *
 * Return: its pid.
 */
pid_t cr_linux_pid(const struct cr_target *t)
{
	return t->pid;
}
