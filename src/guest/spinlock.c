// SPDX-License-Identifier: MIT
/*
 * Queued spinlock (kernel/locking/qspinlock.c and qspinlock_paravirt.h):
 * the lock word (owner, the pending bit, _Q_SLOW_VAL) and the MCS queue.
 *
 * Native: arrivals that find the lock taken or anybody queued join the
 * queue, and the queue head alone can take the lock, so the model hands it
 * to the head at release, even to a head whose vCPU is preempted: that is
 * lock-waiter preemption.
 *
 * PV: the release only unlocks; the head takes the lock when it next
 * looks (trylock_clear_pending), and an arrival that finds waiters queued
 * but the head not spinning for the lock (pending clear: the head halted
 * in pv_wait, or has not run since it became head) loops in
 * pv_hybrid_queued_unfair_trylock, taking the lock whenever it is free,
 * until the queue empties or a head spins again: lock stealing, a spin
 * that never halts. The simulator drives the spinning and halting these
 * decisions call for, and knows which waiters are halted.
 */
#include "guest/guest.h"

static void take(struct qspinlock *l, int me)
{
	l->owner = me;
}

int queued_spin_head(const struct qspinlock *l)
{
	return gfifo_head(&l->waiters);
}

/* models queued_spin_lock() and the start of queued_spin_lock_slowpath() */
enum qspin_state queued_spin_lock(struct qspinlock *l, int me, bool pv)
{
	/* the fast path: the whole lock word is 0 */
	if (l->owner < 0 && !l->pending && !l->waiters.len) {
		take(l, me);
		return QSPIN_LOCKED;
	}
	if (!pv) {
		gfifo_push(&l->waiters, me);
		return QSPIN_QUEUED;
	}
	/* pv_queue: queued_spin_trylock() is the unfair trylock */
	gfifo_push(&l->stealers, me);
	return pv_hybrid_queued_unfair_trylock(l, me);
}

/* models pv_hybrid_queued_unfair_trylock() in qspinlock_paravirt.h */
enum qspin_state pv_hybrid_queued_unfair_trylock(struct qspinlock *l, int me)
{
	if (l->owner < 0 && !l->pending) {
		gfifo_remove(&l->stealers, me);
		take(l, me);
		return QSPIN_LOCKED;
	}
	/* stay unfair while waiters are queued and none spins for it */
	if (l->waiters.len && !l->pending)
		return QSPIN_STEALING;
	gfifo_remove(&l->stealers, me);
	gfifo_push(&l->waiters, me);
	return QSPIN_QUEUED;
}

/* models set_pending() + trylock_clear_pending() in pv_wait_head_or_lock() */
bool pv_wait_head_trylock(struct qspinlock *l, int me)
{
	l->pending = true;
	if (l->owner >= 0)
		return false;
	l->pending = false;
	gfifo_pop(&l->waiters);
	take(l, me);
	return true;
}

/* models clear_pending(), pv_hash() and the xchg to _Q_SLOW_VAL in
 * pv_wait_head_or_lock() */
bool pv_wait_head_halt(struct qspinlock *l, int me)
{
	l->pending = false;
	if (l->owner < 0) {
		/* the xchg found it unlocked: the head owns it */
		gfifo_pop(&l->waiters);
		take(l, me);
		return true;
	}
	l->slow = true;
	return false;
}

/* models pv_kick_node() in qspinlock_paravirt.h */
void pv_kick_node(struct qspinlock *l)
{
	l->slow = true;
}

/* models queued_spin_unlock(): the MCS hand-over natively,
 * __pv_queued_spin_unlock() (and its slowpath's pv_kick) with PV */
int queued_spin_unlock(struct qspinlock *l, bool pv)
{
	if (!pv) {
		l->owner = gfifo_pop(&l->waiters);
		return l->owner;
	}
	l->owner = -1;
	if (!l->slow)
		return -1;
	l->slow = false;
	return queued_spin_head(l);
}

/* models the node->prev link pv_wait_early() looks at */
int queued_spin_prev(const struct qspinlock *l, int me)
{
	const struct gfifo *q = &l->waiters;

	for (int w = gfifo_head(q); w >= 0; w = gfifo_next(q, w))
		if (gfifo_next(q, w) == me)
			return w;
	return -1;
}
