// SPDX-License-Identifier: MIT
/*
 * KTAP selftests of IPIs in the KVM engine: the guest's ICR writes reach
 * the engine's userspace interrupt controller, which hands them to src/kvm
 * (kvm_irq_delivery_to_apic: the series' IPI tracker, the wakeup of a
 * halted target) and injects them with KVM_INTERRUPT; the guest's ring-0
 * entry points take them, its ring-3 handler answers, its EOI reaches
 * kvm_apic_eoi. MODEL.md 4c (IPI tracking, IPI-aware yield) and 5 (PV TLB
 * flush). vCPU 0 sends to vCPU 1, both on one worker. Skipped where
 * /dev/kvm is absent; figures are counts, never times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"
#include "guest_engine.h"
#include "vmm/costs.h"

#define NR_CASES 10
#define CALLS 200

struct irun {
	bool ok;
	u64 sent, taken, injected, halts;
	struct kvm_vcpu_stat s0, s1;
	bool pending_ipi; /* vCPU 0's tracker at the end */
};

/* vCPU 0 sends CALLS requests to vCPU 1; @halt: the receiver halts while
 * idle; @tlb: shootdowns; @series: ipi tracking and IPI-aware yield */
static struct irun run_ipi(bool halt, bool tlb, bool series, bool kernel)
{
	struct irun r = { 0 };
	struct vmm_engine_params p;
	struct vmm_engine e;
	char err[256];
	struct vmm_vm *vm = vmm_vm_new(1, 2, kernel ? VMM_VM_KERNEL_IRQCHIP : 0,
				       err, sizeof(err));
	struct guest_irq_vm *ivm;
	struct ipi_shared *sh;
	struct ipi_arg *args;
	struct vmm_pv *pvs;
	const guest_fn fns[2] = { guest_ipi_sender, guest_ipi_receiver };

	if (!vm) {
		ktap_diag("%s", err);
		return r;
	}
	pvs = vmm_alloc(vm, 2 * sizeof(*pvs), 64);
	sh = vmm_alloc(vm, sizeof(*sh), 64);
	ivm = vmm_alloc(vm, sizeof(*ivm), 64);
	args = vmm_alloc(vm, 2 * sizeof(*args), 64);
	ivm->nr_vcpus = 2;
	ivm->csd = vmm_alloc(vm, 4 * sizeof(struct guest_csd), 64);
	ivm->pv = pvs;
	ivm->pv_tlb_flush = true;
	ivm->pv_sched_yield = true;
	*sh = (struct ipi_shared){ .calls = CALLS, .cycles = 20000,
				   .halt = halt, .tlb = tlb };
	for (int i = 0; i < 2; i++)
		args[i] = (struct ipi_arg){
			.sh = sh,
			.pv = &pvs[i],
			.irq = { .vm = ivm, .cpu = (uint32_t)i,
				 .irr = vmm_vcpu_irr(&vm->vcpus[i]) },
		};
	kt_params(&p, 1, 5ull * 1000 * 1000 * 1000);
	p.knobs.ipi_tracking_enabled = series; /* the engine has no APICv */
	p.knobs.ipi_aware_yield = series;
	r.ok = kt_run_vm(&e, &p, vm, pvs, fns, 2, args, sizeof(*args)) &&
	       e.vms[0].v[0].done && e.vms[0].v[1].done;
	if (e.nr_vms) {
		r.sent = args[0].irq.ipis_sent;
		r.taken = args[1].irq.ipis_taken;
		r.injected = e.vms[0].v[1].injected;
		r.halts = e.vms[0].v[1].halts;
		r.s0 = e.vms[0].v[0].kv->stat;
		r.s1 = e.vms[0].v[1].kv->stat;
		r.pending_ipi = e.vms[0].v[0].kv->ipi.pending_ipi;
	}
	ktap_diag("%s%s%s%s: done %d, sent %llu, taken %llu, injected %llu, "
		  "receiver halts %llu woken %llu, tracked %llu, PLE exits "
		  "%llu, yields %llu, flushes on entry %llu",
		  tlb ? "TLB shootdowns" : "call-function IPIs",
		  halt ? ", halting receiver" : "", series ? ", series" : "",
		  kernel ? ", kernel irqchip" : "",
		  r.ok, (unsigned long long)r.sent, (unsigned long long)r.taken,
		  (unsigned long long)r.injected, (unsigned long long)r.halts,
		  (unsigned long long)r.s1.halt_wakeup,
		  (unsigned long long)r.s0.ipis_tracked,
		  (unsigned long long)r.s0.ple_exits,
		  (unsigned long long)r.s0.directed_yield_successful,
		  (unsigned long long)r.s1.tlb_flush_on_entry);
	vmm_engine_destroy(&e);
	vmm_vm_free(vm);
	return r;
}

int main(void)
{
	struct ktap k;
	struct irun a, h, t, ka, kh;
	char why[256];

	ktap_begin(&k, NR_CASES);
	if (!ktap_kvm_or_skip(&k, "ipi"))
		return ktap_end(&k);
	a = run_ipi(false, false, true, false);
	h = run_ipi(true, false, false, false);
	t = run_ipi(false, true, false, false);
	/* every request was sent through the ICR, injected, taken by the
	 * entry point and answered, and the sender's waits all ended */
	ktap_result(&k, a.ok && a.sent == CALLS && a.taken == CALLS &&
				a.injected == CALLS,
		    "ipi: each call-function IPI is injected and answered");
	/* MODEL.md 4c: with ipi_tracking_enabled every unicast IPI is
	 * recorded; the receiver's EOIs leave none pending */
	ktap_result(&k, a.ok && a.s0.ipis_tracked == CALLS && !a.pending_ipi,
		    "ipi: the tracker records each IPI, EOI clears it");
	/* the sender waits in csd_lock_wait with the receiver preempted on
	 * the one worker: its PLE exits yield to the receiver */
	ktap_result(&k, a.ok && a.s0.ple_exits > 0 &&
				a.s0.directed_yield_successful > 0,
		    "ipi: a waiting sender's PLE exits yield to the receiver");
	ktap_result(&k, h.ok && h.taken == CALLS,
		    "ipi: a halting receiver answers every IPI");
	/* kvm_apic_accept_irq wakes a halted vCPU (kvm_vcpu_wake_up) */
	ktap_result(&k, h.ok && h.halts > 0 && h.s1.halt_wakeup > 0,
		    "ipi: an IPI wakes the halted receiver");
	/* a shootdown IPIs a running target and waits for its answer; the
	 * flush requests to a preempted one coalesce in its steal-time byte
	 * until its entry: all CALLS end either way */
	ktap_result(&k, t.ok && t.taken == t.sent,
		    "tlb: every shootdown ends, its IPIs answered");
	/* MODEL.md 5: a preempted target is flagged, not sent an IPI, and
	 * flushes at its next entry (record_steal_time) */
	ktap_result(&k, t.ok && t.s1.tlb_flush_on_entry > 0 && t.sent < CALLS,
		    "tlb: PV TLB flush defers to a preempted target's entry");
	/* --irqchip kernel, where the host's LAPIC can deliver to the
	 * engine's guests (vmm_kernel_irqchip_works says why not) */
	if (!vmm_kernel_irqchip_works(why, sizeof(why))) {
		ktap_skip(&k, "irqchip kernel: KVM's LAPIC delivers every IPI",
			  why);
		ktap_skip(&k, "irqchip kernel: the engine sees no IPI, the "
			  "tracker none", why);
		ktap_skip(&k, "irqchip kernel: a halted receiver is woken for "
			  "each IPI", why);
		return ktap_end(&k);
	}
	ka = run_ipi(false, false, true, true);
	kh = run_ipi(true, false, false, true);
	/* KVM's LAPIC delivers and injects; the engine injects nothing */
	ktap_result(&k, ka.ok && ka.taken == CALLS && ka.injected == 0,
		    "irqchip kernel: KVM's LAPIC delivers every IPI");
	/* the ICR writes and EOIs never exit: the series' tracker, fed by
	 * the engine's exits, sees none, as with APICv and IPIv */
	ktap_result(&k, ka.ok && ka.s0.ipis_tracked == 0 && ka.s0.ipis_sent == 0,
		    "irqchip kernel: the engine sees no IPI, the tracker none");
	ktap_result(&k, kh.ok && kh.taken == CALLS && kh.halts > 0,
		    "irqchip kernel: a halted receiver is woken for each IPI");
	return ktap_end(&k);
}
