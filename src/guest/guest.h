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
#include "guest/pvspin.h"
#include "kvm/kvm.h"

/* --- queued spinlock, spinlock.c --- */
/*
 * The lock word and the MCS queue of kernel/locking/qspinlock.c. Natively
 * the lock passes to the queue head at release (the head alone may take
 * it: lock-waiter preemption). Paravirtual (qspinlock_paravirt.h): the
 * release only unlocks, the head takes the lock when it next looks, and
 * while the head is not spinning for it (pending clear: halted, or not
 * yet run as head) arrivals loop in an unfair trylock and may steal it.
 */
struct qspinlock {
	int owner; /* thread holding it (or handed it), -1: unlocked */
	bool pending; /* PV: the queue head is in its spin loop */
	bool slow; /* PV: _Q_SLOW_VAL: the head halted, the unlock kicks it */
	struct gfifo waiters; /* MCS queue order, the head first */
	struct gfifo stealers; /* PV: arrivals in the unfair trylock loop */
};

enum qspin_state {
	QSPIN_LOCKED, /* the caller holds the lock */
	QSPIN_QUEUED, /* queued in MCS order, spinning or halted */
	QSPIN_STEALING, /* PV: spinning in the unfair trylock, not queued */
};

/* queued_spin_lock(), native or @pv: the fast path, then the slowpath's
 * first step (PV: pv_queue's unfair trylock). */
enum qspin_state queued_spin_lock(struct qspinlock *l, int me, bool pv);
/*
 * Release. Native: the lock passes to the queue head, returned (or -1).
 * PV: unlocked; returns the halted head the unlocker must kick
 * (__pv_queued_spin_unlock_slowpath), or -1.
 */
int queued_spin_unlock(struct qspinlock *l, bool pv);
/* The queue head, -1 if nobody is queued. */
int queued_spin_head(const struct qspinlock *l);
/* The waiter queued right before @me on @l, or -1 (@me is the head). */
int queued_spin_prev(const struct qspinlock *l, int me);
/* PV stealer @me looks again (one iteration of
 * pv_hybrid_queued_unfair_trylock): takes the lock, keeps looping, or
 * leaves for the queue (nobody queued, or the head spins). */
enum qspin_state pv_hybrid_queued_unfair_trylock(struct qspinlock *l, int me);
/* The PV queue head @me spins (pv_wait_head_or_lock: set_pending, then
 * trylock_clear_pending): true if it took the lock, and left the queue. */
bool pv_wait_head_trylock(struct qspinlock *l, int me);
/* The head @me stops spinning to halt (clear_pending, pv_hash and the
 * xchg to _Q_SLOW_VAL): true if that found the lock free, so @me holds
 * it and left the queue; false: it halts until the unlocker kicks it. */
bool pv_wait_head_halt(struct qspinlock *l, int me);
/* pv_kick_node(): the new head is halted in pv_wait_node; rather than
 * kick it now, hash it so that the unlock kicks it. */
void pv_kick_node(struct qspinlock *l);


/* --- queued rwlock, rwlock.c --- */
/*
 * kernel/locking/qrwlock.c: the count word (readers, a writer holding it,
 * a writer waiting) and wait_lock, a queued spinlock (PV where spinlocks
 * are) that orders the slowpaths; its index is the rwlock's own. A waiter
 * that holds wait_lock spins on the count without ever halting.
 */
struct qrwlock {
	int readers; /* holding it for read, or (slowpath) about to */
	int writer; /* the thread holding it for write, -1: none */
	bool waiting; /* _QW_WAITING: a writer holds wait_lock, waits */
	u32 wait_lock; /* index of its wait_lock among the VM's spinlocks */
};

/* queued_read_lock()'s fast path: true if @l is read-locked now. */
bool queued_read_trylock(struct qrwlock *l);
/* queued_write_lock()'s fast path: true if @me write-locked it. */
bool queued_write_trylock(struct qrwlock *l, int me);
/* queued_read_lock_slowpath() with wait_lock held: the reader counts
 * itself (so no writer gets in) and may go on once no writer holds it. */
void queued_read_lock_queued(struct qrwlock *l);
bool queued_read_lock_ready(const struct qrwlock *l);
/* queued_write_lock_slowpath() with wait_lock held: takes the lock if it
 * is free, else sets _QW_WAITING; then each look takes it once the
 * readers are gone. true: @me holds it for write. */
bool queued_write_lock_queued(struct qrwlock *l, int me);
bool queued_write_lock_ready(struct qrwlock *l, int me);
void queued_read_unlock(struct qrwlock *l);
void queued_write_unlock(struct qrwlock *l);

/* --- bit spinlock, bitlock.c --- */
/* include/linux/bit_spinlock.h: test_and_set_bit with no queue, no PV
 * hook; waiters spin on test_bit and race for the bit when it clears. */
struct gbitlock {
	int owner; /* -1: the bit is clear */
	struct gfifo spinners; /* threads spinning on the bit */
};

/* bit_spin_lock()'s test_and_set_bit_lock(): true if @me set the bit. */
bool bit_spin_trylock(struct gbitlock *l, int me);
/* __bit_spin_unlock(): clears the bit; the spinners race for it. */
void bit_spin_unlock(struct gbitlock *l);

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
