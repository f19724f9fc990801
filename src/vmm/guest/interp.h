/* SPDX-License-Identifier: MIT */
/*
 * The KVM engine's guests run the workload programs the simulator runs
 * (src/guest/prog.h): one guest thread per vCPU executes its struct gprog
 * step by step on real memory, with the step times drawn ahead of the run
 * (gop_draw, in TSC cycles) into guest memory. Steps run so far: COMPUTE
 * (a TSC-timed busy loop, as guest-kernel code when the step says so),
 * SPIN_LOCK and SPIN_UNLOCK (the real queued spinlock, qspinlock.h),
 * MUTEX_LOCK and MUTEX_UNLOCK (the mutex with optimistic spinning,
 * mutex.h).
 * Interrupts (the local timer, IPIs) are taken in compute steps and spin
 * loops, except in steps run with interrupts off.
 * vmm_prog_supported() says which; the others need a guest scheduler,
 * IPIs or sleeping, which this engine's guests do not have yet.
 */
#ifndef OVERSUB_VMM_GUEST_INTERP_H
#define OVERSUB_VMM_GUEST_INTERP_H

#include "guest/prog.h"
#include "vmm/guest/irq.h"
#include "vmm/guest/mutex.h"
#include "vmm/guest/qspinlock.h"

#define VMM_PROG_DRAWS 1024 /* drawn step times per COMPUTE step */

struct vmm_gthread {
	const struct gop *ops; /* its program's steps, in guest memory */
	uint32_t nr_ops;
	struct gq_lock *locks; /* the VM's spinlocks */
	struct gq_cpu q; /* its vCPU's lock context and PV area */
	struct guest_irq_cpu irq; /* its vCPU's interrupts */
	struct gm_mutex *mutexes; /* the VM's mutexes */
	struct gm_cpu mc; /* its mutex context */
	const uint64_t *draws; /* [nr_ops][VMM_PROG_DRAWS] TSC cycles */
	uint32_t next_draw;
	/* read by the engine */
	volatile uint64_t passes; /* whole passes of the program */
	volatile uint64_t user_cycles; /* COMPUTE outside the kernel */
};

/* The guest thread's loop: its program, pass after pass, forever. */
void guest_prog_run(void *arg);

#endif
