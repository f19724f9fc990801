/* SPDX-License-Identifier: MIT */
/*
 * A queued spinlock on real guest memory for the KVM engine's guests,
 * after kernel/locking/qspinlock.c and qspinlock_paravirt.h (written
 * anew): a lock word of a locked byte and an MCS tail, one queue node per
 * vCPU; with PV spinlocks a queued waiter halts (pv_wait) after
 * PV_SPIN_THRESHOLD spins, or at once when the waiter before it is halted
 * (pv_wait_early); the queue head halts after as many, setting the locked
 * byte to _Q_SLOW_VAL, and the unlock then kicks it; a new head found
 * halted is not kicked at hand-over but left for the unlock to kick
 * (pv_kick_node). Spins go through guest_cpu_relax(), so they make
 * pause-loop exits; the lock and unlock run as guest-kernel code.
 *
 * With PV spinlocks an arrival first tries to steal the lock while
 * waiters are queued but the head is not spinning for it (pending clear:
 * it halted, or its vCPU is preempted): pv_hybrid_queued_unfair_trylock;
 * the head sets pending while it spins.
 *
 * Simplified: the native path has no pending-bit fast path for a single
 * waiter (it queues), one node per vCPU (no nesting from interrupts), and
 * the PV hash table is one slot per lock (its head's APIC id).
 */
#ifndef OVERSUB_VMM_GUEST_QSPINLOCK_H
#define OVERSUB_VMM_GUEST_QSPINLOCK_H

#include <stdbool.h>

#include "vmm/guest/pv.h"

#define GQ_LOCKED_VAL 1
#define GQ_SLOW_VAL 3

struct gq_lock {
	union {
		volatile uint32_t val;
		struct {
			volatile uint16_t locked_pending;
			volatile uint16_t tail_word;
		};
		struct {
			volatile uint8_t locked;
			volatile uint8_t pending; /* PV: the head spins for it */
			volatile uint16_t tail; /* APIC id + 1 of the last waiter */
		};
	};
	volatile uint32_t hashed; /* PV: APIC id + 1 of the halted head */
};

enum gq_state { GQ_RUNNING, GQ_HALTED, GQ_HASHED };

struct gq_node {
	struct gq_node *volatile next;
	volatile uint32_t locked; /* the waiter before it made it the head */
	volatile uint32_t state; /* enum gq_state */
	uint32_t cpu;
};

/* What a vCPU brings to the lock: its node among the VM's, its PV area. */
struct gq_cpu {
	struct gq_node *nodes; /* the VM's nodes, [APIC id] */
	struct vmm_pv *pv;
	struct guest_irq_cpu *irq; /* interrupts taken while it spins */
	uint32_t cpu; /* its APIC id */
	bool pv_lock; /* PV spinlocks (KVM_FEATURE_PV_UNHALT) */
	/* counted as the guest kernel's lock:contention_begin/end see them */
	uint64_t contentions;
	uint64_t steals; /* taken by the unfair trylock */
	uint64_t wait_cycles; /* TSC cycles in the slowpath */
	uint64_t halts; /* pv_wait calls */
	uint64_t kicks; /* pv_kick calls */
};

void gq_lock(struct gq_lock *l, struct gq_cpu *c);
void gq_unlock(struct gq_lock *l, struct gq_cpu *c);

#endif
