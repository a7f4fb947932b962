// SPDX-License-Identifier: GPL-2.0
/*
 * Signal state comes back: every action (handler, flags, mask, restorer)
 * as the kernel holds it, the blocked mask, and the alternate stack. Then
 * it is used: SIGUSR1 runs on the alternate stack with its sa_mask added to
 * the blocked mask, SA_RESETHAND resets SIGHUP after one delivery, an
 * ignored SIGUSR2 stays ignored, and a blocked signal stays pending.
 */
#include <signal.h>
#include <sys/syscall.h>

#include "crt.h"

#define ALTSTACK_SIZE	(64 * 1024)
#define SA_RESTORER	0x04000000	/* the kernel's; glibc hides it */

/* struct sigaction as rt_sigaction(2) takes it */
struct ksigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	uint64_t mask;
};

static char *altstack;
static volatile int usr1_runs, hup_runs;
static volatile bool usr1_on_altstack;
static volatile uint64_t usr1_blocked;

static uint64_t blocked_now(void)
{
	uint64_t set = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &set, 8);
	return set;
}

static uint64_t bit(int sig)
{
	return 1ULL << (sig - 1);
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	char here;

	usr1_on_altstack = &here >= altstack &&
			   &here < altstack + ALTSTACK_SIZE;
	usr1_blocked = blocked_now();
	usr1_runs++;
}

static void on_hup(int sig)
{
	hup_runs++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
}

static void get_actions(struct ksigaction act[65])
{
	int sig;

	memset(act, 0, 65 * sizeof(*act));
	for (sig = 1; sig <= 64; sig++)
		syscall(SYS_rt_sigaction, sig, NULL, &act[sig], 8);
}

static void set_action(int sig, void *handler, int flags,
		       const int *mask_sigs)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	for (; mask_sigs && *mask_sigs; mask_sigs++)
		sigaddset(&sa.sa_mask, *mask_sigs);
	crt_setup(!sigaction(sig, &sa, NULL));
}

int main(void)
{
	static const int usr1_mask[] = { SIGUSR2, SIGWINCH, 0 };
	static const int rt_mask[] = { SIGTERM, 0 };
	struct ksigaction before[65], after[65];
	stack_t ss = { 0 }, ss_after;
	uint64_t blocked;
	sigset_t set;
	int sig;

	altstack = malloc(ALTSTACK_SIZE);
	crt_setup(altstack);
	ss.ss_sp = altstack;
	ss.ss_size = ALTSTACK_SIZE;
	crt_setup(!sigaltstack(&ss, NULL));

	set_action(SIGUSR1, on_usr1, SA_SIGINFO | SA_ONSTACK | SA_RESTART,
		   usr1_mask);
	set_action(SIGUSR2, SIG_IGN, 0, NULL);
	set_action(SIGHUP, on_hup, SA_RESETHAND | SA_NODEFER, NULL);
	set_action(SIGRTMIN + 3, on_rt, SA_SIGINFO, rt_mask);
	set_action(SIGCHLD, SIG_DFL, SA_NOCLDSTOP, NULL);

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGALRM);
	crt_setup(!sigprocmask(SIG_BLOCK, &set, NULL));

	get_actions(before);
	blocked = blocked_now();

	crt_ready_and_wait();

	get_actions(after);
	for (sig = 1; sig <= 64; sig++) {
		crt_check(before[sig].handler == after[sig].handler,
			  "signal %d handler %#lx, was %#lx", sig,
			  after[sig].handler, before[sig].handler);
		crt_check(before[sig].flags == after[sig].flags,
			  "signal %d flags %#lx, was %#lx", sig,
			  after[sig].flags, before[sig].flags);
		crt_check(before[sig].mask == after[sig].mask,
			  "signal %d mask %#llx, was %#llx", sig,
			  (unsigned long long)after[sig].mask,
			  (unsigned long long)before[sig].mask);
		if (before[sig].flags & SA_RESTORER)
			crt_check(before[sig].restorer == after[sig].restorer,
				  "signal %d restorer", sig);
	}
	crt_check(blocked_now() == blocked, "blocked %#llx, was %#llx",
		  (unsigned long long)blocked_now(),
		  (unsigned long long)blocked);
	crt_setup(!sigaltstack(NULL, &ss_after));
	crt_check(ss_after.ss_sp == altstack && ss_after.ss_size ==
		  ALTSTACK_SIZE && ss_after.ss_flags == 0,
		  "altstack %p size %zu flags %d", ss_after.ss_sp,
		  ss_after.ss_size, ss_after.ss_flags);

	/* and it all still works */
	raise(SIGUSR1);
	crt_check(usr1_runs == 1, "SIGUSR1 ran %d times", usr1_runs);
	crt_check(usr1_on_altstack, "SIGUSR1 did not run on the altstack");
	crt_check((usr1_blocked & (bit(SIGUSR1) | bit(SIGUSR2) |
				   bit(SIGWINCH) | blocked)) ==
		  (bit(SIGUSR1) | bit(SIGUSR2) | bit(SIGWINCH) | blocked),
		  "mask in the SIGUSR1 handler %#llx",
		  (unsigned long long)usr1_blocked);
	raise(SIGUSR2);		/* ignored, or it would kill us */
	raise(SIGHUP);
	crt_check(hup_runs == 1, "SIGHUP ran %d times", hup_runs);
	get_actions(after);
	crt_check(after[SIGHUP].handler == (unsigned long)SIG_DFL,
		  "SA_RESETHAND did not reset SIGHUP");
	raise(SIGPIPE);		/* blocked: stays pending */
	crt_setup(!sigpending(&set));
	crt_check(sigismember(&set, SIGPIPE), "SIGPIPE not pending");
	set_action(SIGPIPE, SIG_IGN, 0, NULL);
	return crt_done();
}
