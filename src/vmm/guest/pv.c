// SPDX-License-Identifier: MIT
/*
 * Guest-side paravirtual calls (pv.h). The pause-loop exit is the one
 * VMX makes (vmx.c: PLE): a loop of PAUSEs longer than the vCPU's window
 * exits; every VM entry (after this exit or any other) starts a new
 * spell, as the PLE count is reset at entry. PAUSE does not exit
 * on this machine's nested KVM, so the guest measures its spin with the
 * TSC against the window the engine publishes in its PV area. The same
 * TSC reads count the vCPU's spin time (vmm_pv.spin_cycles).
 */
#include "vmm/guest/pv.h"

static inline void doorbell(uint64_t off, uint64_t val)
{
	volatile uint64_t *p = (volatile uint64_t *)(VMM_DOORBELL_GPA + off);

	__asm__ volatile("movq %1, %0" : "=m"(*p) : "r"(val) : "memory");
}

void guest_cpu_relax(struct guest_spin *s)
{
	struct vmm_pv *pv = s->pv;
	uint64_t now;

	__asm__ volatile("pause" ::: "memory");
	if (s->irq)
		guest_irq_poll(s->irq);
	now = guest_rdtsc();
	if (pv->entries != s->entries) {
		/* a VM entry since the last look: a new spell; the time out
		 * of the guest is not spin time */
		s->entries = pv->entries;
		s->start = s->last = now;
		return;
	}
	pv->spin_cycles += now - s->last;
	s->last = now;
	if (pv->ple_gap && pv->in_kernel && now - s->start > pv->ple_window)
		doorbell(VMM_DB_PLE, 0);
}

void guest_pv_wait(void)
{
	doorbell(VMM_DB_HALT, 0);
}

void guest_pv_kick(uint64_t apicid)
{
	doorbell(VMM_DB_KICK, apicid);
}

void guest_pv_yield(uint64_t apicid)
{
	doorbell(VMM_DB_YIELD, apicid);
}
