// SPDX-License-Identifier: MIT
/*
 * Mutex with optimistic spinning (kernel/locking/mutex.c): a waiter spins
 * while the owner is running on a CPU, and sleeps otherwise. Under
 * virtualisation "running" is the guest's view: without the PV preempted
 * hint a waiter keeps spinning on an owner whose vCPU the host preempted.
 * Simplified: release hands the mutex to the first spinner, else to the
 * first sleeper (no stealing, no handoff flag).
 */
#include "guest/guest.h"

/* models __mutex_trylock() */
bool mutex_trylock(struct gmutex *m, int me)
{
	if (m->owner >= 0)
		return false;
	m->owner = me;
	return true;
}

/* models owner_on_cpu() in include/linux/sched.h: on_cpu and not
 * vcpu_is_preempted(task_cpu(owner)) */
bool mutex_can_spin_on_owner(const struct kvm_vcpu *owner_vcpu,
			     bool owner_thread_running)
{
	return owner_thread_running && !kvm_vcpu_is_preempted_guest(owner_vcpu);
}

/* models __mutex_unlock_slowpath() */
int mutex_unlock(struct gmutex *m, bool *was_sleeper)
{
	*was_sleeper = false;
	m->owner = gfifo_pop(&m->spinners);
	if (m->owner < 0) {
		m->owner = gfifo_pop(&m->sleepers);
		*was_sleeper = m->owner >= 0;
	}
	return m->owner;
}
