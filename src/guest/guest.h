/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel synchronisation objects and the decisions they make: who
 * gets a lock on release, whether a mutex waiter spins or sleeps, which
 * vCPUs a TLB flush must interrupt, who a semaphore post or a barrier wakes.
 * Time is not here: the simulator executes the spinning, sleeping and IPIs
 * these decisions call for. Owners and waiters are guest threads,
 * identified by their index in the VM; each object's FIFO holds at most one
 * entry per thread, so it is sized by the VM's thread count.
 */
#ifndef OVERSUB_GUEST_H
#define OVERSUB_GUEST_H

#include "core/fifo.h"
#include "core/types.h"
#include "kvm/kvm.h"

/* --- queued spinlock, spinlock.c --- */
struct qspinlock {
	int owner; /* thread holding it (or handed it), -1: free */
	struct gfifo waiters; /* MCS queue order */
};

/* true: @me holds the lock now; false: @me is queued behind the owner. */
bool queued_spin_lock(struct qspinlock *l, int me);
/* Release; returns the thread the lock passes to (the queue head), or -1. */
int queued_spin_unlock(struct qspinlock *l);

/* pvqspinlock's SPIN_THRESHOLD: spins of a waiter before pv_wait() */
#define PV_SPIN_THRESHOLD (1U << 15)
/* pv_wait_early(): a queued waiter checks every this many spins whether
 * the vCPU of the waiter before it is preempted, and if so waits at once */
#define PV_PREV_CHECK_SPINS (1U << 8)

/* The waiter queued right before @me on @l, or -1 (@me is the head). */
int queued_spin_prev(const struct qspinlock *l, int me);

/* --- mutex with optimistic spinning, mutex.c --- */
struct gmutex {
	int owner; /* -1: free */
	struct gfifo spinners; /* optimistic spinners (osq order) */
	struct gfifo sleepers; /* wait_list order */
};

bool mutex_trylock(struct gmutex *m, int me);
/*
 * May a waiter keep spinning on the owner (mutex_spin_on_owner /
 * owner_on_cpu)? Only while the owner's thread is on a CPU in the guest's
 * view and, with the PV preempted hint, its vCPU is not preempted.
 */
bool mutex_can_spin_on_owner(const struct kvm_vcpu *owner_vcpu,
			     bool owner_thread_running);
/* Release; returns the new owner (first spinner, else first sleeper), or
 * -1. A sleeper handed the lock must be woken by the caller. */
int mutex_unlock(struct gmutex *m, bool *was_sleeper);

/* --- semaphore, sem.c --- */
struct gsem {
	u64 count;
	struct gfifo waiters;
};

/* down(): true if a unit was taken, false if @me sleeps. */
bool sem_down(struct gsem *s, int me);
/* up(): the sleeper to wake, or -1 (the unit was banked). */
int sem_up(struct gsem *s);

/* --- barrier, barrier.c --- */
struct gbarrier {
	unsigned int parties, arrived;
	u64 generation;
	struct gfifo waiters;
};

/* true if @me was the last to arrive: the waiters to wake are popped with
 * gfifo_pop(&b->waiters) and the barrier is open again. */
bool barrier_arrive(struct gbarrier *b, int me);

/* --- TLB shootdown, tlb.c --- */
/*
 * models kvm_flush_tlb_multi() in arch/x86/kernel/kvm.c: of @targets
 * (@n vCPU indices of @kvm), keep in @ipi those that must be interrupted;
 * with PV TLB flush a preempted target gets the flush-on-entry bit instead.
 * Returns the number kept.
 */
int flush_tlb_multi(struct kvm *kvm, const int *targets, int n, int *ipi);

/* --- call-function IPIs, smp.c --- */
/*
 * models kvm_smp_send_call_func_ipi() in arch/x86/kernel/kvm.c, the
 * smp_ops.send_call_func_ipi hook of a guest with PV sched yield: after a
 * call-function IPI to the @n vCPUs of @mask (a multi-target send; a
 * single target goes through send_call_func_single_ipi, which is not
 * hooked), the first target whose guest CPU is not idle (@busy[i]) and
 * whose vCPU the guest sees preempted is the one to yield to. Returns its
 * index in @mask, or -1: no hypercall.
 */
int kvm_smp_call_func_yield_target(const struct kvm *kvm, const int *mask,
				   const bool *busy, int n);

#endif
