// SPDX-License-Identifier: MIT
/*
 * Queued rwlock (kernel/locking/qrwlock.c, include/asm-generic/qrwlock.h):
 * readers share it while no writer holds or waits for it; contended
 * readers and writers queue on wait_lock (a queued spinlock), and the one
 * holding wait_lock spins on the count, never halting, until it can have
 * the lock. jbd2's j_state_lock is one (read in start_this_handle, write
 * to start a transaction or a commit).
 */
#include "guest/guest.h"

/* models queued_read_lock(): _QR_BIAS added, no writer bits (_QW_WMASK) */
bool queued_read_trylock(struct qrwlock *l)
{
	if (l->writer >= 0 || l->waiting)
		return false;
	l->readers++;
	return true;
}

/* models queued_write_lock(): cmpxchg of the whole count from 0 */
bool queued_write_trylock(struct qrwlock *l, int me)
{
	if (l->readers || l->writer >= 0 || l->waiting)
		return false;
	l->writer = me;
	return true;
}

/* models queued_read_lock_slowpath() once wait_lock is held: the bias is
 * added back, then the reader spins while _QW_LOCKED */
void queued_read_lock_queued(struct qrwlock *l)
{
	l->readers++;
}

bool queued_read_lock_ready(const struct qrwlock *l)
{
	return l->writer < 0;
}

/* models queued_write_lock_slowpath() once wait_lock is held */
bool queued_write_lock_queued(struct qrwlock *l, int me)
{
	if (queued_write_trylock(l, me))
		return true;
	l->waiting = true;
	return false;
}

/* the writer's loop: cnts == _QW_WAITING, then cmpxchg to _QW_LOCKED */
bool queued_write_lock_ready(struct qrwlock *l, int me)
{
	if (l->readers || l->writer >= 0)
		return false;
	l->waiting = false;
	l->writer = me;
	return true;
}

/* models queued_read_unlock() */
void queued_read_unlock(struct qrwlock *l)
{
	if (l->readers)
		l->readers--;
}

/* models queued_write_unlock() */
void queued_write_unlock(struct qrwlock *l)
{
	l->writer = -1;
}
