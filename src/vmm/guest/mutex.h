/* SPDX-License-Identifier: MIT */
/*
 * A mutex with optimistic spinning on real guest memory for the KVM
 * engine's guests, after kernel/locking/mutex.c (written anew): the fast
 * path takes a free mutex; else the waiter spins while the owner runs
 * (owner_on_cpu(): with the PV hint, not while the owner's vCPU is
 * preempted: vcpu_is_preempted() reads its steal-time byte); else it
 * sleeps on the wait list. One guest thread per vCPU, so sleeping is
 * halting; the unlock wakes the first sleeper as try_to_wake_up() wakes
 * a task on an idle CPU, with a reschedule IPI. A woken sleeper retries
 * and may lose to a spinner (lock stealing), as in the kernel.
 * Simplified: no osq (spinners race on the owner word), no handoff flag,
 * a waiter's spin is not bounded by need_resched (no guest scheduler).
 */
#ifndef OVERSUB_VMM_GUEST_MUTEX_H
#define OVERSUB_VMM_GUEST_MUTEX_H

#include "vmm/guest/irq.h"
#include "vmm/guest/qspinlock.h"

#define GM_MAX_WAITERS 256 /* ring of sleepers; a vCPU may appear twice */

struct gm_mutex {
	volatile uint64_t owner; /* 0 free, else the owner's APIC id + 1 */
	struct gq_lock wait_lock;
	volatile uint32_t wait[GM_MAX_WAITERS]; /* FIFO of sleepers */
	volatile uint32_t head, tail;
	volatile uint8_t woken[64]; /* [APIC id] */
};

/* What a vCPU brings: its spinlock context (the wait_lock, its PV area,
 * its interrupts) and every vCPU's PV area (vcpu_is_preempted). */
struct gm_cpu {
	struct gq_cpu *q;
	struct guest_irq_cpu *irq;
	const struct vmm_pv *all_pv; /* [APIC id] */
	bool pv_hint; /* KVM_FEATURE_STEAL_TIME: the preempted byte is read */
	uint64_t contentions, wait_cycles, sleeps, spins;
};

void gm_lock(struct gm_mutex *m, struct gm_cpu *c);
void gm_unlock(struct gm_mutex *m, struct gm_cpu *c);

#endif
