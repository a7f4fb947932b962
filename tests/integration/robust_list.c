// SPDX-License-Identifier: GPL-2.0
/*
 * The robust futex list glibc registers for the thread comes back
 * registered with the kernel (get_robust_list(2) gives the same head),
 * with a robust mutex held on it, which stays held and usable.
 */
#include <pthread.h>
#include <sys/syscall.h>

#include "crt.h"

int main(void)
{
	pthread_mutexattr_t attr;
	pthread_mutex_t m;
	void *head0 = NULL, *head1 = NULL;
	size_t len0 = 0, len1 = 0;

	crt_setup(!pthread_mutexattr_init(&attr));
	crt_setup(!pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST));
	crt_setup(!pthread_mutex_init(&m, &attr));
	crt_setup(!pthread_mutex_lock(&m));
	crt_setup(!syscall(SYS_get_robust_list, 0, &head0, &len0));
	crt_setup(head0 != NULL);

	crt_ready_and_wait();

	crt_check(!syscall(SYS_get_robust_list, 0, &head1, &len1),
		  "get_robust_list: %s", strerror(errno));
	crt_check(head1 == head0 && len1 == len0,
		  "robust list %p/%zu, was %p/%zu", head1, len1, head0, len0);
	crt_check(pthread_mutex_trylock(&m) == EDEADLK ||
		  pthread_mutex_trylock(&m) == EBUSY, "the mutex is not held");
	crt_check(!pthread_mutex_unlock(&m), "unlock");
	crt_check(!pthread_mutex_lock(&m), "lock again");
	return crt_done();
}
