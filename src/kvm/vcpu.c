// SPDX-License-Identifier: MIT
/*
 * vCPU scheduling state: the preempt notifiers, arch load/put, halt and
 * wakeup, and the "is it worth yielding to" predicates (MODEL.md 2, 3).
 */
#include <errno.h>

#include "kvm/kvm.h"

/* models single_task_running() in kernel/sched/core.c, on the CPU of the
 * vCPU's thread */
bool kvm_vcpu_single_task_running(const struct kvm_vcpu *vcpu)
{
	const struct sched *s = vcpu->kvm->sched;

	if (!s || !vcpu->task)
		return false;
	return s->rqs[vcpu->task->cpu].nr_running == 1;
}

/* models kvm_sched_out() in virt/kvm/kvm_main.c */
void kvm_sched_out(struct kvm_vcpu *vcpu)
{
	bool runnable = vcpu->task && vcpu->task->state == TASK_RUNNING;

	vcpu->scheduled_out = true;
	if (runnable && vcpu->wants_to_run) {
		vcpu->preempted = true;
		vcpu->ready = true;
	}
	kvm_arch_vcpu_put(vcpu);
}

/* models kvm_sched_in() in virt/kvm/kvm_main.c */
void kvm_sched_in(struct kvm_vcpu *vcpu)
{
	vcpu->preempted = false;
	vcpu->ready = false;
	kvm_arch_vcpu_load(vcpu);
	vcpu->scheduled_out = false;
}

/*
 * models kvm_arch_vcpu_load() in arch/x86/kvm/x86.c with vmx_vcpu_load() in
 * arch/x86/kvm/vmx/vmx.c: shrink the PLE window of a vCPU coming back from
 * being scheduled out, and request a steal-time update. The preempted byte
 * is cleared by record_steal_time() when that request is served on guest
 * entry (kvm_vcpu_enter_guest), as upstream, not here.
 */
void kvm_arch_vcpu_load(struct kvm_vcpu *vcpu)
{
	if (vcpu->scheduled_out && vcpu->kvm->knobs->ple_gap)
		shrink_ple_window(vcpu);
	vcpu->req_steal_update = true;
}

/* models kvm_arch_vcpu_put() in arch/x86/kvm/x86.c */
void kvm_arch_vcpu_put(struct kvm_vcpu *vcpu)
{
	if (!vcpu->preempted)
		return;
	vcpu->preempted_in_kernel = vcpu->in_kernel;
	kvm_steal_time_set_preempted(vcpu);
}

/*
 * models vcpu_run() -> vcpu_block() -> vcpu_enter_guest() in
 * arch/x86/kvm/x86.c: a vCPU back from a halt stops blocking (the rcuwait
 * ends only when its thread runs again), leaves the HALTED state and so
 * consumes its kick; then pending requests are served before VM entry.
 */
void kvm_vcpu_enter_guest(struct kvm_vcpu *vcpu)
{
	/* the top of the vcpu_run loop: any code after this point may be in
	 * the middle of an instruction */
	vcpu->at_instruction_boundary = false;
	/* back from yield_to()'s schedule(): kvm_vcpu_on_spin ends */
	if (vcpu->spin_loop.in_spin_loop)
		kvm_vcpu_spin_loop_end(vcpu);
	if (vcpu->halted) {
		vcpu->halted = false;
		vcpu->blocking = false;
		vcpu->pv_unhalted = false;
	}
	vcpu->req_event = false; /* pending interrupts are injected */
	if (vcpu->req_steal_update) {
		vcpu->req_steal_update = false;
		record_steal_time(vcpu);
	}
}

/* models handle_external_interrupt_irqoff() in arch/x86/kvm/vmx/vmx.c */
void kvm_vcpu_external_interrupt_exit(struct kvm_vcpu *vcpu)
{
	vcpu->at_instruction_boundary = true;
}

/*
 * models kvm_vcpu_block() in virt/kvm/kvm_main.c with the
 * kvm_vcpu_check_block() test: a kick that already arrived keeps the vCPU
 * from halting.
 */
int kvm_vcpu_block(struct kvm_vcpu *vcpu)
{
	if (vcpu->pv_unhalted) {
		vcpu->pv_unhalted = false;
		return -EAGAIN;
	}
	vcpu->blocking = true;
	vcpu->halted = true;
	return 0;
}

/*
 * models kvm_vcpu_wake_up() in virt/kvm/kvm_main.c: only a sleeping waiter
 * is woken (a thread already woken, not yet run, is not woken twice); the
 * vCPU stays "blocking" until its thread runs (kvm_vcpu_enter_guest).
 */
bool kvm_vcpu_wake_up(struct kvm_vcpu *vcpu, u64 now)
{
	struct sched *s = vcpu->kvm->sched;
	struct task *t = vcpu->task;

	if (!vcpu->blocking)
		return false;
	if (t && t->state == TASK_RUNNING)
		return false;
	vcpu->ready = true;
	vcpu->stat.halt_wakeup++;
	if (s && t)
		try_to_wake_up(s, t, now);
	return true;
}

/* models kvm_vcpu_is_blocking() in virt/kvm/kvm_main.c */
bool kvm_vcpu_is_blocking(const struct kvm_vcpu *vcpu)
{
	return vcpu->blocking;
}

/*
 * models kvm_arch_dy_has_pending_interrupt() in arch/x86/kvm/x86.c: only a
 * posted interrupt (APICv) is visible to a remote vCPU.
 */
bool kvm_arch_dy_has_pending_interrupt(const struct kvm_vcpu *vcpu)
{
	return kvm_apicv_active(vcpu->kvm->knobs) &&
	       vcpu->pending_interrupts > 0;
}

/*
 * models kvm_arch_dy_runnable() in arch/x86/kvm/x86.c: a PV kick, a pending
 * KVM_REQ_EVENT (an interrupt delivered without APICv, not yet injected) or
 * a pending posted interrupt (the model has no NMIs or SMIs).
 */
bool kvm_arch_dy_runnable(const struct kvm_vcpu *vcpu)
{
	if (vcpu->pv_unhalted || vcpu->req_event)
		return true;
	return kvm_arch_dy_has_pending_interrupt(vcpu);
}

/* models kvm_arch_vcpu_preempted_in_kernel() in arch/x86/kvm/x86.c */
bool kvm_arch_vcpu_preempted_in_kernel(const struct kvm_vcpu *vcpu)
{
	return vcpu->preempted_in_kernel;
}
