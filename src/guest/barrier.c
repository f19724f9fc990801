// SPDX-License-Identifier: MIT
/* A reusable barrier as threaded workloads build it from a counter and a
 * wait queue (pthread_barrier over futexes): the last arrival wakes all. */
#include "guest/guest.h"

/* models pthread_barrier_wait() (its arrive step) on futex wait/wake */
bool barrier_arrive(struct gbarrier *b, int me)
{
	if (++b->arrived < b->parties) {
		gfifo_push(&b->waiters, me);
		return false;
	}
	b->arrived = 0;
	b->generation++;
	return true;
}
