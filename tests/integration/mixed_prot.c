// SPDX-License-Identifier: GPL-2.0
/*
 * Protections survive: read-only, read-write, executable code and
 * PROT_NONE guard pages come back with the same permissions in
 * /proc/self/maps, the guard pages still fault, the code still runs, and
 * every area can be mprotect'ed and used afterwards (the contents of a
 * PROT_NONE area included).
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "crt.h"

#define PAGE	4096

static sigjmp_buf fault_jmp;

static void on_segv(int sig)
{
	siglongjmp(fault_jmp, 1);
}

static bool faults(volatile char *addr)
{
	if (sigsetjmp(fault_jmp, 1))
		return true;
	(void)*addr;
	return false;
}

/* The permissions /proc/self/maps gives for the VMA holding @addr. */
static bool maps_perms(void *addr, char perms[5])
{
	unsigned long a = (unsigned long)addr, start, end;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	bool found = false;

	crt_setup(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3)
			continue;
		if (a >= start && a < end) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static void check_perms(void *addr, const char *want, const char *what)
{
	char perms[5] = "";

	if (!maps_perms(addr, perms))
		crt_fail("%s: no VMA at %p", what, addr);
	else if (strcmp(perms, want))
		crt_fail("%s: perms %s, want %s", what, perms, want);
}

int main(void)
{
	/* mov $42, %eax; ret */
	static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
	char *ro, *rw, *rx, *none, *area;
	int (*fn)(void);
	unsigned long i;
	struct sigaction sa = { .sa_handler = on_segv };

	ro = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rw = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rx = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* guard | rw rw rw | guard, one mapping split by mprotect */
	area = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	crt_setup(ro != MAP_FAILED && rw != MAP_FAILED && rx != MAP_FAILED &&
		  none != MAP_FAILED && area != MAP_FAILED);

	for (i = 0; i < 4 * PAGE; i++) {
		ro[i] = (char)(i * 7);
		rw[i] = (char)(i * 13);
	}
	memcpy(rx, code, sizeof(code));
	memset(none, 0x5a, 2 * PAGE);
	memset(area + PAGE, 0x3c, 3 * PAGE);
	crt_setup(!mprotect(ro, 4 * PAGE, PROT_READ));
	crt_setup(!mprotect(rx, PAGE, PROT_READ | PROT_EXEC));
	crt_setup(!mprotect(none, 2 * PAGE, PROT_NONE));
	crt_setup(!mprotect(area, PAGE, PROT_NONE));
	crt_setup(!mprotect(area + 4 * PAGE, PAGE, PROT_NONE));
	crt_setup(!sigaction(SIGSEGV, &sa, NULL));

	crt_ready_and_wait();

	check_perms(ro, "r--p", "read-only area");
	check_perms(rw, "rw-p", "read-write area");
	check_perms(rx, "r-xp", "code");
	check_perms(none, "---p", "PROT_NONE area");
	check_perms(area, "---p", "low guard");
	check_perms(area + PAGE, "rw-p", "guarded area");
	check_perms(area + 4 * PAGE, "---p", "high guard");

	for (i = 0; i < 4 * PAGE; i++) {
		if (ro[i] != (char)(i * 7) || rw[i] != (char)(i * 13)) {
			crt_fail("byte %lu of the ro/rw areas differs", i);
			break;
		}
	}
	fn = (int (*)(void))rx;
	crt_check(fn() == 42, "the code page no longer returns 42");
	crt_check(faults(none), "PROT_NONE area readable");
	crt_check(faults(area), "low guard page readable");
	crt_check(faults(area + 4 * PAGE), "high guard page readable");
	for (i = 0; i < 3 * PAGE; i++)
		if (area[PAGE + i] != 0x3c) {
			crt_fail("guarded area byte %lu", i);
			break;
		}

	/* and they can all be changed and used */
	crt_check(!mprotect(none, 2 * PAGE, PROT_READ), "mprotect");
	for (i = 0; i < 2 * PAGE; i++)
		if (none[i] != 0x5a) {
			crt_fail("PROT_NONE area byte %lu lost", i);
			break;
		}
	crt_check(!mprotect(ro, 4 * PAGE, PROT_READ | PROT_WRITE), "mprotect");
	ro[0] = 1;
	crt_check(!mprotect(area, 5 * PAGE, PROT_READ | PROT_WRITE),
		  "mprotect");
	area[0] = area[5 * PAGE - 1] = 1;
	crt_check(!mprotect(rx, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC),
		  "mprotect");
	rx[1] = 7;
	crt_check(fn() == 7, "rewritten code");
	return crt_done();
}
