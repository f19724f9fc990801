// SPDX-License-Identifier: MIT
/*
 * Halt polling (MODEL.md 7): kvm_vcpu_halt() in virt/kvm/kvm_main.c polls
 * for a wake event before it blocks the vCPU thread, for up to the vCPU's
 * own window, which grows after short halts and shrinks after long ones.
 * The engine runs the poll in time; this file decides whether and how
 * long to poll and adapts the window.
 */
#include "kvm/kvm.h"

/* models kvm_vcpu_max_halt_poll_ns() (no per-VM override) */
static u64 max_halt_poll_ns(const struct kvm_vcpu *vcpu)
{
	return vcpu->kvm->knobs->halt_poll_ns;
}

/* models grow_halt_poll_ns() in virt/kvm/kvm_main.c: not capped here;
 * the next halt clamps it to the maximum */
static void grow_halt_poll_ns(struct kvm_vcpu *vcpu)
{
	const struct kvm_knobs *k = vcpu->kvm->knobs;
	u64 val = vcpu->halt_poll_ns;

	if (!k->halt_poll_ns_grow)
		return;
	val *= k->halt_poll_ns_grow;
	if (val < k->halt_poll_ns_grow_start)
		val = k->halt_poll_ns_grow_start;
	vcpu->halt_poll_ns = val;
}

/* models shrink_halt_poll_ns() in virt/kvm/kvm_main.c */
static void shrink_halt_poll_ns(struct kvm_vcpu *vcpu)
{
	const struct kvm_knobs *k = vcpu->kvm->knobs;
	u64 val = vcpu->halt_poll_ns;

	if (!k->halt_poll_ns_shrink)
		val = 0;
	else
		val /= k->halt_poll_ns_shrink;
	if (val < k->halt_poll_ns_grow_start)
		val = 0;
	vcpu->halt_poll_ns = val;
}

/* models kvm_vcpu_can_poll() in include/linux/kvm_host.h, at its start */
static bool kvm_vcpu_can_poll(const struct kvm_vcpu *vcpu)
{
	const struct sched *s = vcpu->kvm->sched;

	return kvm_vcpu_single_task_running(vcpu) &&
	       !s->rqs[vcpu->task->cpu].need_resched;
}

/* models the start of kvm_vcpu_halt() in virt/kvm/kvm_main.c */
u64 kvm_vcpu_halt_begin(struct kvm_vcpu *vcpu, u64 now)
{
	u64 max = max_halt_poll_ns(vcpu);

	if (vcpu->halt_poll_ns > max)
		vcpu->halt_poll_ns = max;
	vcpu->halted = true; /* mp_state HALTED until the next entry */
	vcpu->in_halt = true;
	vcpu->halt_start = now;
	/* do_halt_poll: x86 polls unless the guest turned it off
	 * (MSR_KVM_POLL_CONTROL, only with the realtime hint) */
	vcpu->halt_polls = vcpu->halt_poll_ns > 0;
	if (!vcpu->halt_polls)
		return 0;
	vcpu->stat.halt_attempted_poll++;
	if (!vcpu->kvm->sched || !vcpu->task || !kvm_vcpu_can_poll(vcpu))
		return 0;
	return vcpu->halt_poll_ns;
}

/* models the end of kvm_vcpu_halt() with update_halt_poll_stats() */
void kvm_vcpu_halt_end(struct kvm_vcpu *vcpu, u64 poll_end, u64 now,
		       bool waited)
{
	u64 halt_ns = now - vcpu->halt_start, max = max_halt_poll_ns(vcpu);

	if (!vcpu->in_halt)
		return;
	vcpu->in_halt = false;
	if (vcpu->halt_polls) {
		u64 polled = poll_end - vcpu->halt_start;

		if (waited) {
			vcpu->stat.halt_poll_fail_ns += polled;
		} else {
			vcpu->stat.halt_successful_poll++;
			vcpu->stat.halt_poll_success_ns += polled;
		}
	}
	if (!max) {
		vcpu->halt_poll_ns = 0;
		return;
	}
	if (halt_ns <= vcpu->halt_poll_ns)
		return;
	/* a long block: shrink; a short halt the window missed: grow */
	if (vcpu->halt_poll_ns && halt_ns > max)
		shrink_halt_poll_ns(vcpu);
	else if (vcpu->halt_poll_ns < max && halt_ns < max)
		grow_halt_poll_ns(vcpu);
}
