// SPDX-License-Identifier: MIT
/*
 * Guest interrupts (irq.h), guest code. Each function names the Linux
 * function whose part it plays.
 */
#include "vmm/guest/irq.h"

#define KVM_VCPU_PREEMPTED_BIT 1
#define KVM_VCPU_FLUSH_TLB_BIT 2

static inline void apic_write(uint32_t reg, uint32_t val)
{
	volatile uint32_t *p = (volatile uint32_t *)(VMM_XAPIC_GPA + reg);

	__asm__ volatile("movl %1, %0" : "=m"(*p) : "r"(val) : "memory");
}

/* __x2apic_send_IPI_dest / native_apic_icr_write: destination, then the
 * low word, which sends */
void guest_send_ipi(struct guest_irq_cpu *c, uint32_t dest, uint32_t vector)
{
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, vector);
	c->ipis_sent++;
}

/* generic_smp_call_function_single_interrupt(): run every request queued
 * for this vCPU */
static void call_function_interrupt(struct guest_irq_cpu *c)
{
	struct guest_irq_vm *vm = c->vm;

	for (uint32_t s = 0; s < vm->nr_vcpus; s++) {
		struct guest_csd *csd = &vm->csd[c->cpu * vm->nr_vcpus + s];
		uint64_t t0;

		if (!csd->pending)
			continue;
		t0 = guest_rdtsc();
		while (guest_rdtsc() - t0 < csd->cycles)
			;
		__atomic_store_n(&csd->pending, 0, __ATOMIC_RELEASE);
	}
}

void guest_irq_poll(struct guest_irq_cpu *c)
{
	if (guest_irq_pending(c))
		guest_irq_handle(c);
}

/* the local timer interrupt's work (tick accounting), then EOI */
static void timer_interrupt(struct guest_irq_cpu *c)
{
	uint64_t t0 = guest_rdtsc();

	while (guest_rdtsc() - t0 < c->vm->timer_cycles)
		;
}

void guest_irq_handle(struct guest_irq_cpu *c)
{
	for (int w = 0; w < 4; w++) {
		uint64_t bits = __atomic_exchange_n(&c->irr[w], 0,
						    __ATOMIC_ACQ_REL);

		while (bits) {
			uint32_t vector = (uint32_t)w * 64 +
					  (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			c->ipis_taken++;
			if (vector == GUEST_CALL_FUNCTION_SINGLE_VECTOR ||
			    vector == GUEST_CALL_FUNCTION_VECTOR)
				call_function_interrupt(c);
			else if (vector == GUEST_LOCAL_TIMER_VECTOR)
				timer_interrupt(c);
			apic_write(APIC_EOI, 0);
		}
	}
}

/* csd_lock_wait(): spin, with interrupts on, until the handler ran */
static void csd_wait(struct guest_irq_cpu *c, struct guest_csd *csd,
		     struct vmm_pv *pv)
{
	struct guest_spin s = { .irq = c };
	uint64_t t0 = guest_rdtsc();

	guest_spin_begin(&s, pv);
	while (csd->pending)
		guest_cpu_relax(&s);
	c->call_wait_cycles += guest_rdtsc() - t0;
}

void guest_call_function_single(struct guest_irq_cpu *c, uint32_t target,
				uint64_t cycles, struct vmm_pv *pv)
{
	struct guest_csd *csd =
		&c->vm->csd[target * c->vm->nr_vcpus + c->cpu];

	guest_kernel_enter(pv);
	csd->cycles = cycles;
	__atomic_store_n(&csd->pending, 1, __ATOMIC_RELEASE);
	guest_send_ipi(c, target, GUEST_CALL_FUNCTION_SINGLE_VECTOR);
	csd_wait(c, csd, pv);
	guest_kernel_exit(pv);
}

/* kvm_flush_tlb_multi(): a preempted target gets KVM_VCPU_FLUSH_TLB in
 * its steal-time byte instead of an IPI; the others are sent the
 * call-function IPI (native_flush_tlb_multi) and waited for; with PV
 * sched yield the sender yields to a preempted receiver it must wait for
 * (kvm_smp_send_call_func_ipi) */
void guest_flush_tlb_multi(struct guest_irq_cpu *c, const uint32_t *targets,
			   uint32_t n, uint64_t cycles, struct vmm_pv *pv)
{
	struct guest_irq_vm *vm = c->vm;

	guest_kernel_enter(pv);
	c->tlb_shootdowns++;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t t = targets[i];
		struct guest_csd *csd = &vm->csd[t * vm->nr_vcpus + c->cpu];
		volatile uint8_t *st = &vm->pv[t].preempted;
		uint8_t state = *st;

		if (vm->pv_tlb_flush && (state & KVM_VCPU_PREEMPTED_BIT) &&
		    __atomic_compare_exchange_n(st, &state,
						state | KVM_VCPU_FLUSH_TLB_BIT,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			continue;
		csd->cycles = cycles;
		__atomic_store_n(&csd->pending, 1, __ATOMIC_RELEASE);
		guest_send_ipi(c, t, GUEST_CALL_FUNCTION_VECTOR);
		if (vm->pv_sched_yield && n > 1 &&
		    (vm->pv[t].preempted & KVM_VCPU_PREEMPTED_BIT))
			guest_pv_yield(t);
	}
	for (uint32_t i = 0; i < n; i++)
		csd_wait(c, &vm->csd[targets[i] * vm->nr_vcpus + c->cpu], pv);
	guest_kernel_exit(pv);
}
