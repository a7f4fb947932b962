// SPDX-License-Identifier: GPL-2.0
/*
 * The mock target's struct cr_kops: every member, by name, in the order of
 * core/kops.h. The members live with the state they act on: mock_mm.c
 * (VMAs, mm fields), mock_page.c (pages), mock_file.c (files),
 * mock_ldt.c (LDT), mock_snapshot.c (snapshot, lazy restore),
 * mock_tty.c (the terminal), mock_task.c (the rest).
 */
#include "shim/mock/mock_priv.h"

const struct cr_kops mock_kops = {
	.find_vma	= mock_find_vma,
	.page_state	= mock_page_state,
	.next_page	= mock_next_page,
	.get_mm_map	= mock_get_mm_map,
	.snapshot_mm	= mock_snapshot_mm,
	.write_pages	= mock_write_pages,

	.do_mmap	= mock_do_mmap,
	.do_munmap	= mock_do_munmap,
	.do_mremap	= mock_do_mremap,
	.filp_open	= mock_filp_open,
	.filp_close	= mock_filp_close,
	.map_image	= mock_map_image,
	.set_mm_map	= mock_set_mm_map,

	.get_user_pages	= mock_get_user_pages,
	.put_page	= mock_put_page,
	.flush		= mock_flush,
	.kmap		= mock_kmap,
	.kunmap		= mock_kunmap,
	.modify_ldt	= mock_modify_ldt,

	.get_creds	= mock_get_creds,
	.set_creds	= mock_set_creds,
	.get_fs		= mock_get_fs,
	.set_fs		= mock_set_fs,
	.next_fd	= mock_next_fd,
	.install_fd	= mock_install_fd,
	.close_fd	= mock_close_fd,
	.get_tty	= mock_get_tty,
	.set_tty	= mock_set_tty,
	.get_sigaction	= mock_get_sigaction,
	.set_sigaction	= mock_set_sigaction,
	.get_sigstate	= mock_get_sigstate,
	.set_sigstate	= mock_set_sigstate,
	.get_thread	= mock_get_thread,
	.set_thread	= mock_set_thread,
	.get_regs	= mock_get_regs,
	.set_regs	= mock_set_regs,
};

/* one enum mock_op per member: a member added to kops.h must be added here */
_Static_assert(sizeof(struct cr_kops) == MOCK_OP_ANY * sizeof(void (*)(void)),
	       "enum mock_op and struct cr_kops differ");
