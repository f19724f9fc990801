/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's PV spinlock constants (kernel/locking/
 * qspinlock_paravirt.h), shared by the simulator's guest model (guest.h)
 * and the KVM engine's real guest lock (src/vmm/guest/qspinlock.c), so
 * both wait the same number of spins before they halt.
 */
#ifndef OVERSUB_GUEST_PVSPIN_H
#define OVERSUB_GUEST_PVSPIN_H

/* pvqspinlock's SPIN_THRESHOLD: spins of a waiter before pv_wait() */
#define PV_SPIN_THRESHOLD (1U << 15)
/* pv_wait_early(): a queued waiter checks every this many spins whether
 * the waiter before it is halted (prev->state != vcpu_running), and if so
 * waits at once */
#define PV_PREV_CHECK_SPINS (1U << 8)

#endif
