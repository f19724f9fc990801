// SPDX-License-Identifier: MIT
/*
 * Bit spinlock (include/linux/bit_spinlock.h): a test-and-set bit with no
 * queue and no paravirt hook, so a waiter spins until it wins the bit,
 * however long its holder is preempted. The dentry hash chains
 * (hlist_bl_lock in fs/dcache.c) are bit spinlocks.
 */
#include "guest/guest.h"

/* models test_and_set_bit_lock() in bit_spin_lock() */
bool bit_spin_trylock(struct gbitlock *l, int me)
{
	if (l->owner >= 0)
		return false;
	l->owner = me;
	return true;
}

/* models __bit_spin_unlock() */
void bit_spin_unlock(struct gbitlock *l)
{
	l->owner = -1;
}
