// SPDX-License-Identifier: MIT
/* Counting semaphore (kernel/locking/semaphore.c): down() sleeps when no
 * unit is banked, up() wakes the first sleeper or banks a unit. */
#include "guest/guest.h"

/* models down() */
bool sem_down(struct gsem *s, int me)
{
	if (s->count) {
		s->count--;
		return true;
	}
	gfifo_push(&s->waiters, me);
	return false;
}

/* models up() */
int sem_up(struct gsem *s)
{
	int v = gfifo_pop(&s->waiters);

	if (v < 0)
		s->count++;
	return v;
}
