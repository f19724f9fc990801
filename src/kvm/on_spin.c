// SPDX-License-Identifier: MIT
/*
 * Directed yield from a spinning vCPU: the baseline scan of
 * kvm_vcpu_on_spin() (MODEL.md 3) and the series' IPI-aware candidate test
 * and relaxed second round (MODEL.md 4c).
 */
#include "kvm/kvm.h"

/* kvm_vcpu_on_spin() gives up after this many yield_to() < 0 results */
#define ON_SPIN_TRIES 3

enum spin_round {
	SPIN_ROUND_STRICT, /* baseline, or the IPI-aware priority test */
	SPIN_ROUND_RELAXED, /* series: any preempted candidate */
};

enum spin_result {
	SPIN_NONE, /* nobody yielded to */
	SPIN_YIELDED, /* a yield_to() > 0 */
	SPIN_EXHAUSTED, /* ON_SPIN_TRIES failures */
};

/* models kvm_vcpu_eligible_for_directed_yield() in virt/kvm/kvm_main.c */
bool kvm_vcpu_eligible_for_directed_yield(struct kvm_vcpu *vcpu)
{
	bool eligible;

	/* without CONFIG_HAVE_KVM_CPU_RELAX_INTERCEPT every vCPU is */
	if (!vcpu->kvm->knobs->cpu_relax_intercept)
		return true;

	eligible = !vcpu->spin_loop.in_spin_loop || vcpu->spin_loop.dy_eligible;
	/* a spinner is a candidate only every other time it is looked at */
	if (vcpu->spin_loop.in_spin_loop)
		vcpu->spin_loop.dy_eligible = !vcpu->spin_loop.dy_eligible;
	return eligible;
}

/* models kvm_vcpu_yield_to() in virt/kvm/kvm_main.c */
int kvm_vcpu_yield_to(struct kvm_vcpu *me, struct kvm_vcpu *target, u64 now)
{
	struct sched *s = me->kvm->sched;
	int ret;

	if (!s || !me->task || !target->task)
		return 0;
	me->stat.directed_yield_attempted++;
	ret = yield_to(s, me->task, target->task, true, now);
	if (ret > 0) {
		me->stat.directed_yield_successful++;
		me->yielded_to = target->vcpu_idx;
	}
	return ret;
}

/*
 * The oracle (MODEL.md 7), no kernel function: the engine names the vCPU
 * @me waits for; a runnable vCPU that is not on a CPU gets the yield;
 * while everything @me waits for runs, yielding would only delay @me, so
 * it keeps spinning.
 */
enum oracle_result kvm_oracle_yield(struct kvm_vcpu *me, u64 now)
{
	struct kvm *kvm = me->kvm;
	struct kvm_vcpu *target;
	struct task *t;
	int idx;

	if (!kvm->awaited || !kvm->sched)
		return ORACLE_PASS;
	idx = kvm->awaited(me, kvm->awaited_ctx);
	if (idx == KVM_AWAIT_RUNS) {
		me->stat.oracle_spins++;
		return ORACLE_SPIN;
	}
	target = kvm_get_vcpu(kvm, idx);
	if (!target || target == me || !target->task)
		return ORACLE_PASS;
	t = target->task;
	if (t->state != TASK_RUNNING || task_on_cpu(task_rq(kvm->sched, t), t))
		return ORACLE_PASS;
	if (kvm_vcpu_yield_to(me, target, now) <= 0)
		return ORACLE_PASS;
	me->stat.oracle_yields++;
	return ORACLE_YIELDED;
}

/* The baseline skip rule for a preempted vCPU, kept as upstream has it. */
static bool spin_baseline_ok(const struct kvm_vcpu *vcpu,
			     bool yield_to_kernel_mode)
{
	/* a pending interrupt counts as "in kernel": it will run a handler */
	if (vcpu->preempted && yield_to_kernel_mode &&
	    !kvm_arch_dy_has_pending_interrupt(vcpu) &&
	    !kvm_arch_vcpu_preempted_in_kernel(vcpu))
		return false;
	return true;
}

/*
 * The series' candidate test, checked in priority order (MODEL.md 4c).
 * Rule (3) is by default the series' "legacy preempted fallback, with the
 * existing optional in-kernel filter" (v3 09/10): the baseline skip rule,
 * which lets a ready vCPU that is not preempted (one just woken by a kick
 * or an IPI) through. ipi_strict_fallback selects MODEL.md's literal
 * "otherwise require preempted", which rejects it (docs/model.md).
 */
static bool spin_ipi_aware_ok(const struct kvm_vcpu *me,
			      const struct kvm_vcpu *vcpu,
			      bool yield_to_kernel_mode, u64 now)
{
	if (kvm_vcpu_is_ipi_receiver(me, vcpu, now))
		return true;
	if (kvm_arch_dy_has_pending_interrupt(vcpu))
		return true;
	if (me->kvm->knobs->ipi_strict_fallback && !vcpu->preempted)
		return false;
	return spin_baseline_ok(vcpu, yield_to_kernel_mode);
}

static bool spin_candidate_ok(const struct kvm_vcpu *me,
			      const struct kvm_vcpu *vcpu,
			      bool yield_to_kernel_mode, enum spin_round round,
			      u64 now)
{
	if (round == SPIN_ROUND_RELAXED)
		return vcpu->preempted;
	if (me->kvm->knobs->ipi_aware_yield)
		return spin_ipi_aware_ok(me, vcpu, yield_to_kernel_mode, now);
	return spin_baseline_ok(vcpu, yield_to_kernel_mode);
}

/*
 * One pass over the other vCPUs, round robin after last_boosted_vcpu.
 * @tries is shared by both rounds: a yield_to() < 0 means the host has
 * nothing to switch to, which the second round would not change.
 */
static enum spin_result spin_round(struct kvm_vcpu *me,
				   bool yield_to_kernel_mode,
				   enum spin_round round, int *tries, u64 now)
{
	struct kvm *kvm = me->kvm;
	int nr = kvm->nr_vcpus;
	int start = kvm->last_boosted_vcpu + 1;
	int i;

	for (i = 0; i < nr; i++) {
		int idx = (start + i) % nr;
		struct kvm_vcpu *vcpu = &kvm->vcpus[idx];
		int yielded;

		if (idx == me->vcpu_idx)
			continue;
		if (!vcpu->ready)
			continue;
		if (kvm_vcpu_is_blocking(vcpu) && !kvm_arch_dy_runnable(vcpu))
			continue;
		if (!spin_candidate_ok(me, vcpu, yield_to_kernel_mode, round,
				       now))
			continue;
		if (!kvm_vcpu_eligible_for_directed_yield(vcpu))
			continue;

		yielded = kvm_vcpu_yield_to(me, vcpu, now);
		if (yielded > 0) {
			/* the index of the vCPU, not the loop counter */
			kvm->last_boosted_vcpu = idx;
			return SPIN_YIELDED;
		}
		if (yielded < 0 && --*tries == 0)
			return SPIN_EXHAUSTED;
	}
	return SPIN_NONE;
}

/* models kvm_vcpu_on_spin() in virt/kvm/kvm_main.c */
void kvm_vcpu_on_spin(struct kvm_vcpu *me, bool yield_to_kernel_mode, u64 now)
{
	struct kvm *kvm = me->kvm;
	int tries = ON_SPIN_TRIES;
	enum spin_result res;

	me->stat.on_spin_calls++;
	if (kvm->nr_vcpus < 2)
		return;
	/* a stale index (e.g. from a larger VM) must not break the modulo */
	if (kvm->last_boosted_vcpu < -1 ||
	    kvm->last_boosted_vcpu >= kvm->nr_vcpus)
		kvm->last_boosted_vcpu = 0;

	me->spin_loop.in_spin_loop = true;

	if (kvm->knobs->oracle_yield) {
		switch (kvm_oracle_yield(me, now)) {
		case ORACLE_YIELDED:
			return;
		case ORACLE_SPIN:
			kvm_vcpu_spin_loop_end(me);
			return;
		case ORACLE_PASS:
			break;
		}
	}
	res = spin_round(me, yield_to_kernel_mode, SPIN_ROUND_STRICT, &tries,
			 now);
	/* v2 retries on "yielded <= 0", also after a round that ran out of
	 * tries; with none left, errors no longer stop the second round */
	if (kvm->knobs->enable_relaxed_boost &&
	    (res == SPIN_NONE ||
	     (res == SPIN_EXHAUSTED && kvm->knobs->relaxed_boost_on_error)))
		res = spin_round(me, yield_to_kernel_mode, SPIN_ROUND_RELAXED,
				 &tries, now);
	/*
	 * A successful yield_to() schedules away inside the loop: the
	 * spinner stays in its spin loop, seen by other spinners' scans,
	 * until it runs again (kvm_vcpu_enter_guest ends it).
	 */
	if (res != SPIN_YIELDED)
		kvm_vcpu_spin_loop_end(me);
}

/* The end of kvm_vcpu_on_spin() in virt/kvm/kvm_main.c, once the scan
 * and any schedule() inside yield_to() are over. */
void kvm_vcpu_spin_loop_end(struct kvm_vcpu *me)
{
	me->spin_loop.in_spin_loop = false;
	/* not eligible in the next spin loop until looked at once */
	me->spin_loop.dy_eligible = false;
}
