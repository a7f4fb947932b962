// SPDX-License-Identifier: GPL-2.0
/*
 * The LDT comes back bit for bit (base, limit, flags, the AVL bit), and
 * segment registers loaded with LDT selectors still hold them: %gs is
 * loaded from an LDT entry whose base points at a buffer below 4 GiB, and
 * reads through %gs: after restore still reach it.
 *
 * Some hypervisors (this project's Firecracker VMs among them) accept
 * modify_ldt() but never load the LDT into the CPU: loading any LDT
 * selector faults. A child tries it first; where it faults, the program
 * says so and checks the LDT's contents alone.
 */
#include <asm/ldt.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "crt.h"

#define SEL(entry)	((entry) << 3 | 4 | 3)	/* LDT, RPL 3 */

static void write_entry(unsigned int entry, unsigned long base,
			unsigned int limit, bool avl)
{
	struct user_desc d = {
		.entry_number = entry,
		.base_addr = (unsigned int)base,
		.limit = limit,
		.seg_32bit = 1,
		.contents = 0,		/* data, expand-up */
		.read_exec_only = 0,
		.limit_in_pages = 0,
		.seg_not_present = 0,
		.useable = avl,
	};

	crt_setup(!syscall(SYS_modify_ldt, 0x11, &d, sizeof(d)));
}

static uint16_t get_gs(void)
{
	uint16_t v;

	asm volatile("mov %%gs, %0" : "=r"(v));
	return v;
}

static uint16_t get_es(void)
{
	uint16_t v;

	asm volatile("mov %%es, %0" : "=r"(v));
	return v;
}

static uint64_t read_gs(unsigned long off)
{
	uint64_t v;

	asm volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

/* Can this CPU load the LDT selector @sel? Tried in a child: it may fault. */
static bool ldt_selectors_load(uint16_t sel)
{
	int status;
	pid_t pid;

	pid = fork();
	crt_setup(pid >= 0);
	if (pid == 0) {
		asm volatile("mov %0, %%es" : : "r"(sel));
		_exit(0);
	}
	crt_setup(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
	bool segments;
	uint8_t ldt0[16 * 8], ldt1[16 * 8];
	uint64_t *buf;
	long n0, n1;
	int i;

	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	crt_setup(buf != MAP_FAILED && (unsigned long)buf < (1UL << 32));
	for (i = 0; i < 512; i++)
		buf[i] = crt_pattern(7, i);

	write_entry(0, (unsigned long)buf, 0xfff, true);
	write_entry(5, (unsigned long)buf + 0x100, 0xabcde, false);
	write_entry(13, 0x12345678, 0xfffff, true);

	memset(ldt0, 0, sizeof(ldt0));
	n0 = syscall(SYS_modify_ldt, 0, ldt0, sizeof(ldt0));
	crt_setup(n0 > 13 * 8);

	segments = ldt_selectors_load(SEL(5));
	if (segments) {
		asm volatile("mov %0, %%gs" : : "r"((uint16_t)SEL(0)));
		asm volatile("mov %0, %%es" : : "r"((uint16_t)SEL(5)));
		crt_setup(read_gs(16) == buf[2]);
	} else {
		fprintf(stderr, "note: this CPU cannot load LDT selectors "
				"(a hypervisor's limit): the LDT's contents "
				"are checked, not segment loads\n");
	}

	crt_ready_and_wait();

	memset(ldt1, 0, sizeof(ldt1));
	n1 = syscall(SYS_modify_ldt, 0, ldt1, sizeof(ldt1));
	crt_check(n1 == n0, "modify_ldt read %ld bytes, before %ld", n1, n0);
	for (i = 0; i < 16; i++)
		crt_check(!memcmp(ldt0 + i * 8, ldt1 + i * 8, 8),
			  "entry %d: %#llx, was %#llx", i,
			  *(unsigned long long *)(ldt1 + i * 8),
			  *(unsigned long long *)(ldt0 + i * 8));
	if (!segments)
		return crt_done();
	crt_check(get_gs() == SEL(0), "%%gs %#x", get_gs());
	crt_check(get_es() == SEL(5), "%%es %#x", get_es());
	for (i = 0; i < 512; i++)
		if (read_gs(i * 8) != crt_pattern(7, i)) {
			crt_fail("%%gs:%d does not reach the buffer", i * 8);
			break;
		}
	/* a fresh load from the restored LDT works too */
	asm volatile("mov %0, %%gs" : : "r"((uint16_t)SEL(5)));
	crt_check(read_gs(0) == buf[0x100 / 8], "reload of %%gs");
	asm volatile("mov %0, %%gs" : : "r"((uint16_t)0));
	return crt_done();
}
