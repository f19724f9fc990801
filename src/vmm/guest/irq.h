/* SPDX-License-Identifier: MIT */
/*
 * Interrupts in the KVM engine's guests: IPIs sent through the local
 * APIC's ICR (xAPIC MMIO, which exits to the engine: its userspace
 * interrupt controller), taken by the ring-0 entry points (irq.S) into the
 * vCPU's pending bitmap, handled at ring 3 by guest_irq_handle() at the
 * points the guest allows them (spin loops, compute), and ended with an
 * EOI write. The guest kernel's answers: smp_call_function_single() with
 * wait (call-function IPI, the caller spins on its csd until the handler
 * ran) and a TLB shootdown to several vCPUs (flush_tlb_multi; with PV TLB
 * flush a preempted target is not sent an IPI but flagged for a flush at
 * its next entry, kvm_flush_tlb_multi).
 */
#ifndef OVERSUB_VMM_GUEST_IRQ_H
#define OVERSUB_VMM_GUEST_IRQ_H

#include <stdbool.h>

#include "vmm/guest/pv.h"

#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define APIC_EOI 0x0b0
#define GUEST_CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define GUEST_CALL_FUNCTION_VECTOR 0xfc
#define GUEST_LOCAL_TIMER_VECTOR 0xec

/* A call-function request from one vCPU to another (struct
 * __call_single_data): the sender fills it and waits for done. */
struct guest_csd {
	volatile uint64_t pending; /* CSD_FLAG_LOCK: set by the sender */
	volatile uint64_t cycles; /* the handler's work, TSC cycles */
	uint64_t pad[6];
};

/* A VM's interrupt state in guest memory. */
struct guest_irq_vm {
	uint32_t nr_vcpus;
	struct guest_csd *csd; /* [target][sender] */
	struct vmm_pv *pv; /* [vCPU]: to read whether a target is preempted */
	bool pv_tlb_flush; /* KVM_FEATURE_PV_TLB_FLUSH */
	bool pv_sched_yield; /* KVM_FEATURE_PV_SCHED_YIELD */
	uint64_t timer_cycles; /* the local timer handler's work */
};

/* One vCPU's view. */
struct guest_irq_cpu {
	struct guest_irq_vm *vm;
	uint32_t cpu;
	volatile uint64_t *irr; /* its pending bitmap (4 words), in its area */
	/* counted for the report */
	uint64_t ipis_sent, ipis_taken, tlb_shootdowns, call_wait_cycles;
};

/* Handle every pending interrupt (the handlers, then EOI each). */
void guest_irq_handle(struct guest_irq_cpu *c);

static inline bool guest_irq_pending(const struct guest_irq_cpu *c)
{
	return c->irr[0] | c->irr[1] | c->irr[2] | c->irr[3];
}

/* an IPI of @vector to @dest (ICR high, then low) */
void guest_send_ipi(struct guest_irq_cpu *c, uint32_t dest, uint32_t vector);

/* smp_call_function_single(target, handler of @cycles, wait = 1) */
void guest_call_function_single(struct guest_irq_cpu *c, uint32_t target,
				uint64_t cycles, struct vmm_pv *pv);
/* flush_tlb_multi() to @n targets (handler of @cycles each), wait */
void guest_flush_tlb_multi(struct guest_irq_cpu *c, const uint32_t *targets,
			   uint32_t n, uint64_t cycles, struct vmm_pv *pv);

#endif
