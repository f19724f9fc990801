// SPDX-License-Identifier: MIT
/*
 * Queued spinlock (kernel/locking/qspinlock.c): waiters queue in MCS order
 * and the lock goes to the queue head when it is released. A head that is
 * not running cannot take it, and nobody behind it can: that is lock
 * waiter preemption, which the model keeps by handing the lock to the head
 * at release. The PV variant (qspinlock_paravirt.h: pv_wait after
 * SPIN_THRESHOLD spins, pv_kick of a halted head) is driven by the
 * simulator, which knows who is halted.
 */
#include "guest/guest.h"

/* models queued_spin_lock() / queued_spin_lock_slowpath() */
bool queued_spin_lock(struct qspinlock *l, int me)
{
	if (l->owner < 0 && !l->waiters.len) {
		l->owner = me;
		return true;
	}
	gfifo_push(&l->waiters, me);
	return false;
}

/* models queued_spin_unlock() with the MCS hand-over to the queue head */
int queued_spin_unlock(struct qspinlock *l)
{
	l->owner = gfifo_pop(&l->waiters);
	return l->owner;
}

/* models the node->prev link pv_wait_early() looks at */
int queued_spin_prev(const struct qspinlock *l, int me)
{
	const struct gfifo *q = &l->waiters;
	unsigned int at = q->head, prev;

	for (unsigned int i = 1; i < q->len; i++) {
		prev = at;
		if (++at == q->cap)
			at = 0;
		if (q->slot[at] == me)
			return q->slot[prev];
	}
	return -1;
}
