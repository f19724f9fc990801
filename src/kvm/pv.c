// SPDX-License-Identifier: MIT
/*
 * Paravirtual hints (MODEL.md 5): the steal-time preempted byte on both
 * sides, the PV TLB flush deferral, and the KICK_CPU / SCHED_YIELD
 * hypercalls.
 */
#include <errno.h>

#include "kvm/kvm.h"

/* models kvm_steal_time_set_preempted() in arch/x86/kvm/x86.c */
void kvm_steal_time_set_preempted(struct kvm_vcpu *vcpu)
{
	/* a hint is only safe between two guest instructions */
	if (!vcpu->at_instruction_boundary) {
		vcpu->stat.preemption_other++;
		return;
	}
	/* counted before the steal-time MSR check, as upstream */
	vcpu->stat.preemption_reported++;
	if (!vcpu->kvm->knobs->pv_steal_time)
		return;
	if (vcpu->st_preempted)
		return;
	vcpu->st_preempted = KVM_VCPU_PREEMPTED;
}

/* models record_steal_time() in arch/x86/kvm/x86.c */
bool record_steal_time(struct kvm_vcpu *vcpu)
{
	const struct kvm_knobs *k = vcpu->kvm->knobs;
	u8 old;

	if (!k->pv_steal_time)
		return false;
	/* the host swaps the byte to 0 and looks at what the guest left */
	old = vcpu->st_preempted;
	vcpu->st_preempted = 0;
	if (k->pv_tlb_flush && (old & KVM_VCPU_FLUSH_TLB)) {
		vcpu->stat.tlb_flush_on_entry++;
		return true;
	}
	return false;
}

/* models kvm_vcpu_is_preempted() in arch/x86/kernel/kvm.c (guest side) */
bool kvm_vcpu_is_preempted_guest(const struct kvm_vcpu *vcpu)
{
	/* without steal time the guest uses the native "never preempted" */
	if (!vcpu->kvm->knobs->pv_steal_time)
		return false;
	return vcpu->st_preempted & KVM_VCPU_PREEMPTED;
}

/* models the per-CPU step of kvm_flush_tlb_multi() in arch/x86/kernel/kvm.c */
bool kvm_flush_tlb_deferred(struct kvm_vcpu *target)
{
	const struct kvm_knobs *k = target->kvm->knobs;

	/* the guest installs PV TLB flush only with steal time as well */
	if (!k->pv_tlb_flush || !k->pv_steal_time)
		return false;
	if (!(target->st_preempted & KVM_VCPU_PREEMPTED))
		return false;
	target->st_preempted |= KVM_VCPU_FLUSH_TLB;
	return true;
}

/* models kvm_sched_yield() in arch/x86/kvm/x86.c */
bool kvm_sched_yield(struct kvm_vcpu *vcpu, int apicid, u64 now)
{
	struct kvm_vcpu *target;

	/* kvm_vcpu_yield_to() counts the attempts that reach the scheduler */
	if (kvm_vcpu_single_task_running(vcpu))
		goto no_yield;
	/* the oracle yields to whom the caller really waits for */
	if (vcpu->kvm->knobs->oracle_yield) {
		switch (kvm_oracle_yield(vcpu, now)) {
		case ORACLE_YIELDED:
			return true;
		case ORACLE_SPIN:
			return false;
		case ORACLE_PASS:
			break;
		}
	}
	target = kvm_get_vcpu_by_id(vcpu->kvm, apicid);
	if (!target || !target->ready)
		goto no_yield;
	if (target == vcpu)
		goto no_yield;
	return kvm_vcpu_yield_to(vcpu, target, now) > 0;

no_yield:
	vcpu->stat.directed_yield_attempted++;
	return false;
}

/* models kvm_pv_kick_cpu_op() in arch/x86/kvm/x86.c (APIC_DM_REMRD path) */
static void kvm_pv_kick_cpu_op(struct kvm *kvm, int apicid, u64 now)
{
	struct kvm_vcpu *target = kvm_get_vcpu_by_id(kvm, apicid);

	if (!target)
		return;
	target->pv_unhalted = true;
	kvm_vcpu_wake_up(target, now);
}

/* models the KVM_HC_KICK_CPU case of kvm_emulate_hypercall() in x86.c */
int kvm_hc_kick_cpu(struct kvm_vcpu *vcpu, int apicid, u64 now)
{
	if (!vcpu->kvm->knobs->pv_unhalt)
		return -ENOSYS;
	kvm_pv_kick_cpu_op(vcpu->kvm, apicid, now);
	vcpu->stat.kicks++;
	kvm_sched_yield(vcpu, apicid, now);
	return 0;
}

/* models the KVM_HC_SCHED_YIELD case of kvm_emulate_hypercall() in x86.c */
int kvm_hc_sched_yield(struct kvm_vcpu *vcpu, int apicid, u64 now)
{
	if (!vcpu->kvm->knobs->pv_sched_yield)
		return -ENOSYS;
	kvm_sched_yield(vcpu, apicid, now);
	return 0;
}
