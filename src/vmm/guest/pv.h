/* SPDX-License-Identifier: MIT */
/*
 * Guest-side paravirtual calls and the spin-loop primitive of the KVM
 * engine's guests, as a Linux guest makes them (arch/x86/kernel/kvm.c),
 * through the doorbells of rt.h instead of VMCALL:
 *   guest_cpu_relax()  cpu_relax() in a spin loop: PAUSE, and past the PLE
 *                      window the pause-loop exit hardware would make
 *   guest_pv_wait()    kvm_wait(): halt until kicked (or interrupted)
 *   guest_pv_kick()    kvm_kick_cpu(): KVM_HC_KICK_CPU
 *   guest_pv_yield()   kvm_smp_send_call_func_ipi's KVM_HC_SCHED_YIELD
 *   guest_vcpu_is_preempted()  kvm_vcpu_is_preempted(): the steal-time
 *                      preempted byte of another vCPU
 */
#ifndef OVERSUB_VMM_GUEST_PV_H
#define OVERSUB_VMM_GUEST_PV_H

#include <stdbool.h>

#include "vmm/guest/rt.h"

struct guest_irq_cpu;

/* One spin loop's PLE state: when the current spell of spinning began,
 * and in which stay in the guest (a VM entry restarts the count); the
 * interrupts it takes while it spins (irq.h; NULL: none, interrupts off). */
struct guest_spin {
	struct guest_irq_cpu *irq;
	struct vmm_pv *pv; /* the spinning vCPU's own area */
	uint64_t start; /* this spell began (TSC) */
	uint64_t last; /* the previous guest_cpu_relax() (TSC) */
	uint64_t entries;
};

static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* A new spell of spinning (s->irq is left as the caller set it). */
static inline void guest_spin_begin(struct guest_spin *s, struct vmm_pv *pv)
{
	s->pv = pv;
	s->entries = pv->entries;
	s->start = s->last = guest_rdtsc();
}

/* The code that follows is (is no longer) guest-kernel code: spinlocks,
 * IPI handling. Nests. */
static inline void guest_kernel_enter(struct vmm_pv *pv)
{
	pv->in_kernel++;
}

static inline void guest_kernel_exit(struct vmm_pv *pv)
{
	pv->in_kernel--;
}

void guest_cpu_relax(struct guest_spin *s);
/* Handle @c's pending interrupts, if any (irq.c). */
void guest_irq_poll(struct guest_irq_cpu *c);
void guest_pv_wait(void);
void guest_pv_kick(uint64_t apicid);
void guest_pv_yield(uint64_t apicid);

static inline bool guest_vcpu_is_preempted(const struct vmm_pv *pv)
{
	return pv->preempted & 1;
}

#endif
