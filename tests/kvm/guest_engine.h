/* SPDX-License-Identifier: MIT */
/* Guest functions of the engine selftests (guest_engine.c, guest code). */
#ifndef OVERSUB_TESTS_KVM_GUEST_ENGINE_H
#define OVERSUB_TESTS_KVM_GUEST_ENGINE_H

#include <stdint.h>

#include "vmm/guest/irq.h"
#include "vmm/guest/mutex.h"
#include "vmm/guest/qspinlock.h"
#include "vmm/guest/rt.h"

struct eng_shared {
	volatile uint64_t stop; /* never set: runs end by the engine */
	volatile uint64_t lock; /* 0 free, 1 held */
	volatile uint64_t held; /* the holder has the lock */
	volatile uint64_t waiting; /* the kick waiter is about to halt */
	volatile uint64_t flag; /* what the kick waiter waits for */
	uint64_t hold_cycles; /* TSC cycles the holder keeps the lock */
};

struct eng_arg {
	struct eng_shared *sh;
	struct vmm_pv *pv; /* this vCPU's PV area */
	struct eng_arg *other; /* the other vCPU's argument */
	volatile uint64_t started;
	volatile uint64_t counter;
	volatile uint64_t seen_preempted, seen_running;
};

/* the qspinlock test: each vCPU takes the lock `iters` times and bumps a
 * counter inside with a read, a pause and a write */
struct q_shared {
	struct gq_lock lock;
	volatile uint64_t counter;
	uint64_t iters;
};

struct q_arg {
	struct q_shared *sh;
	struct gq_cpu q;
};

void guest_q_worker(void *arg);

/* the IPI tests: vCPU 0 sends, vCPU 1 answers */
struct ipi_shared {
	volatile uint64_t done; /* the sender finished */
	uint64_t calls; /* call-function IPIs (or shootdowns) to send */
	uint64_t cycles; /* the handler's work */
	uint64_t halt; /* the receiver halts while it waits */
	uint64_t tlb; /* shootdowns instead of single calls */
};

struct ipi_arg {
	struct ipi_shared *sh;
	struct guest_irq_cpu irq;
	struct vmm_pv *pv;
	volatile uint64_t started;
};

void guest_ipi_sender(void *arg);
void guest_ipi_receiver(void *arg);
void guest_eng_count(void *arg);
void guest_eng_watch(void *arg);
void guest_eng_lock_holder(void *arg);
void guest_eng_lock_waiter(void *arg);
void guest_eng_kick_waiter(void *arg);
void guest_eng_kicker(void *arg);


/* the mutex test: each vCPU takes the mutex `iters` times and bumps a
 * counter inside with a read, a hold and a write */
struct m_shared {
	struct gm_mutex m;
	volatile uint64_t counter;
	uint64_t iters, hold_cycles;
};

struct m_arg {
	struct m_shared *sh;
	struct gm_cpu mc;
	struct gq_cpu q;
	struct guest_irq_cpu irq;
};

void guest_m_worker(void *arg);

#endif
