// SPDX-License-Identifier: MIT
/*
 * kvm_vcpu_on_spin(): the baseline candidate rules, round robin and try
 * budget (MODEL.md 3), then the series' IPI-aware test and relaxed round
 * (MODEL.md 4c). Unless said otherwise every vCPU thread is on CPU 0,
 * vCPU 0 runs (it is the spinner) and the others are queued behind it, so
 * a yield_to() to any of them succeeds (> 0).
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0, 0, 0, 0 };
static const enum kt_state run0_rest_q[] = { KT_RUN, KT_QUEUED, KT_QUEUED,
					     KT_QUEUED, KT_QUEUED };

static void setup_one_cpu(struct kt *x, int nr, const struct kvm_knobs *k)
{
	kt_setup(x, 1, nr, cpu_one, run0_rest_q, k);
}

static struct kvm_knobs knobs_series(bool relaxed)
{
	struct kvm_knobs k;

	kt_knobs(&k);
	k.ipi_tracking_enabled = true;
	k.ipi_aware_yield = true;
	k.enable_relaxed_boost = relaxed;
	return k;
}

/* ---- baseline, MODEL.md 3 ---- */

/*
 * MODEL.md 3, skip rule: not ready (kvm_vcpu_on_spin, virt/kvm/kvm_main.c).
 * v1 queued but never scheduled out (ready false): 0 attempts. Once it is
 * preempted in kernel mode (ready true) the same scan yields to it: 1
 * attempt, 1 success, last_boosted_vcpu 1.
 */
static void test_spin_skip_not_ready(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	assert_false(kt_vcpu(&x, 1)->ready);

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);

	kt_preempt(&x, 1, true);
	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, skip rule: blocking and not runnable for directed yield
 * (kvm_vcpu_is_blocking && !kvm_arch_dy_runnable). v1 halts, v0 runs; v1
 * is woken with no interrupt, kick or event pending (kvm_vcpu_wake_up
 * alone): ready and queued, but still blocking and not dy-runnable:
 * 0 attempts.
 */
static void test_spin_skip_blocking_not_dy_runnable(void **state)
{
	static const enum kt_state st[] = { KT_QUEUED, KT_RUN };
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, st, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1); /* v0 runs now */
	assert_true(kvm_vcpu_wake_up(v1, x.now));
	assert_true(v1->ready);
	assert_true(kvm_vcpu_is_blocking(v1));
	assert_false(kvm_arch_dy_runnable(v1));

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, blocking but runnable for directed yield through a pending
 * event: without APICv a fixed IPI from v0 to the halted v1 raises
 * KVM_REQ_EVENT (__apic_accept_irq) and wakes v1, which stays blocking
 * until it runs; kvm_arch_dy_runnable tests KVM_REQ_EVENT, so v1 is a
 * candidate: 1 attempt, 1 success, last_boosted_vcpu 1. Entering the guest
 * injects the interrupt and clears the request.
 */
static void test_spin_blocking_event_request_is_candidate(void **state)
{
	static const enum kt_state st[] = { KT_QUEUED, KT_RUN };
	static const int dest[] = { 1 };
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, st, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1);
	assert_int_equal(kvm_irq_delivery_to_apic(
				 v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now),
			 1);
	assert_true(kvm_vcpu_is_blocking(v1));
	assert_true(kvm_arch_dy_runnable(v1));

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kvm_vcpu_enter_guest(v1);
	assert_false(v1->req_event);
	assert_false(kvm_arch_dy_runnable(v1));
	kt_teardown(&x);
}

/*
 * MODEL.md 3, blocking but runnable for directed yield: a halted v1 kicked
 * by a PV unlock (pv_unhalted, kvm_pv_kick_cpu_op) is woken but still
 * blocking; kvm_arch_dy_runnable is true, so it is a candidate: 1 attempt,
 * 1 success, last_boosted_vcpu 1.
 */
static void test_spin_blocking_pv_unhalted_is_candidate(void **state)
{
	static const enum kt_state st[] = { KT_QUEUED, KT_RUN };
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, st, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1);
	v1->pv_unhalted = true;
	assert_true(kvm_vcpu_wake_up(v1, x.now));
	assert_true(kvm_vcpu_is_blocking(v1));

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, blocking but runnable for directed yield: under APICv a
 * posted interrupt (no KVM_REQ_EVENT) makes a woken, still-blocking v1
 * dy-runnable: the same setup as the event test above, with apicv on,
 * yields to v1 (1 success).
 */
static void test_spin_blocking_posted_irq_is_candidate(void **state)
{
	static const enum kt_state st[] = { KT_QUEUED, KT_RUN };
	static const int dest[] = { 1 };
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.enable_apicv = true;
	kt_setup(&x, 1, 2, cpu_one, st, &k);
	v0 = kt_vcpu(&x, 0);
	kt_halt(&x, 1);
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now);
	assert_true(kvm_vcpu_is_blocking(kt_vcpu(&x, 1)));

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, skip rule: preempted in user mode with yield_to_kernel_mode.
 * v1 preempted at CPL 3, no pending interrupt: kernel-mode scan makes 0
 * attempts; a scan with yield_to_kernel_mode false yields to it (1).
 */
static void test_spin_skip_preempted_user_mode(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);

	kvm_vcpu_on_spin(v0, false, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, preempted in kernel mode is accepted with
 * yield_to_kernel_mode: v1 preempted at CPL 0 -> 1 attempt, 1 success,
 * last_boosted_vcpu 1, and v0's rq was asked to reschedule.
 */
static void test_spin_preempted_in_kernel_accepted(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, true);
	kt_rq(&x, 0)->need_resched = false;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	assert_true(kt_rq(&x, 0)->need_resched);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, a pending posted interrupt (APICv) overrides the user-mode
 * skip (kvm_arch_dy_has_pending_interrupt): v1 preempted at CPL 3 with one
 * posted fixed IPI from v0 -> yielded to (1 success, last_boosted 1).
 */
static void test_spin_posted_interrupt_accepted_apicv(void **state)
{
	static const int dest[] = { 1 };
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.enable_apicv = true;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now);
	assert_int_equal(kt_vcpu(&x, 1)->pending_interrupts, 1);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, without APICv a pending interrupt is not visible to
 * kvm_arch_dy_has_pending_interrupt (arch/x86/kvm/x86.c): the same v1 as
 * above (CPL 3, one pending IPI) is skipped: 0 attempts.
 */
static void test_spin_pending_interrupt_needs_apicv(void **state)
{
	static const int dest[] = { 1 };
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now);
	assert_int_equal(kt_vcpu(&x, 1)->pending_interrupts, 1);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, skip rule: dy_eligible toggle
 * (kvm_vcpu_eligible_for_directed_yield). v1, preempted in kernel, is
 * itself in a spin loop with dy_eligible false: scan 1 skips it (toggle ->
 * true, 0 attempts), scan 2 yields to it (toggle -> false, 1 success),
 * scan 3 skips it again (attempts stay 1, toggle -> true).
 */
static void test_spin_dy_eligible_alternates(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_preempt(&x, 1, true);
	v1->spin_loop.in_spin_loop = true;
	v1->spin_loop.dy_eligible = false;

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	assert_true(v1->spin_loop.dy_eligible);

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_false(v1->spin_loop.dy_eligible);

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_true(v1->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * kvm_vcpu_eligible_for_directed_yield(): a vCPU not in a spin loop is
 * always eligible and its dy_eligible (false) is not toggled.
 */
static void test_eligible_outside_spin_loop(void **state)
{
	struct kt x;
	struct kvm_vcpu *v1;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v1 = kt_vcpu(&x, 1);

	assert_true(kvm_vcpu_eligible_for_directed_yield(v1));
	assert_true(kvm_vcpu_eligible_for_directed_yield(v1));
	assert_false(v1->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, round robin after last_boosted_vcpu. 4 vCPUs, v1..v3
 * preempted in kernel, last_boosted starts at 0: scans yield to v1, v2,
 * v3, then wrap (start (3+1)%4 = 0 = me, skipped) to v1.
 */
static void test_spin_round_robin_after_last_boosted(void **state)
{
	static const int want[] = { 1, 2, 3, 1 };
	struct kt x;
	struct kvm_vcpu *v0;
	size_t i;

	(void)state;
	setup_one_cpu(&x, 4, NULL);
	v0 = kt_vcpu(&x, 0);
	for (i = 1; i < 4; i++)
		kt_preempt(&x, (int)i, true);

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		kvm_vcpu_on_spin(v0, true, x.now);
		assert_int_equal(x.kvm.last_boosted_vcpu, want[i]);
		assert_int_equal(v0->stat.directed_yield_successful, i + 1);
	}
	kt_teardown(&x);
}

/*
 * MODEL.md 3, the scan starts right after last_boosted_vcpu: with it set
 * to 2 in a 4-vCPU VM, v3 is the first candidate (v1, v2 also eligible).
 */
static void test_spin_starts_after_last_boosted(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int i;

	(void)state;
	setup_one_cpu(&x, 4, NULL);
	v0 = kt_vcpu(&x, 0);
	for (i = 1; i < 4; i++)
		kt_preempt(&x, i, true);
	x.kvm.last_boosted_vcpu = 2;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(x.kvm.last_boosted_vcpu, 3);
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, yield_to() < 0 counts against 3 tries. 5 CPUs, v0 alone
 * running on CPU 0, v1..v4 each alone (queued) on CPUs 1..4, all preempted
 * in kernel: every yield_to is -ESRCH (both rqs hold one task). Only 3 are
 * tried: attempted 3, successful 0, last_boosted stays 0; v4, in a spin
 * loop with dy_eligible true, is never looked at (dy_eligible still true).
 */
static void test_spin_three_try_limit(void **state)
{
	static const int cpu[] = { 0, 1, 2, 3, 4 };
	struct kt x;
	struct kvm_vcpu *v0, *v4;
	int i;

	(void)state;
	kt_setup(&x, 5, 5, cpu, run0_rest_q, NULL);
	v0 = kt_vcpu(&x, 0);
	v4 = kt_vcpu(&x, 4);
	for (i = 1; i < 5; i++) {
		kt_preempt(&x, i, true);
		assert_int_equal(kt_rq(&x, i)->nr_running, 1);
	}
	assert_int_equal(kt_rq(&x, 0)->nr_running, 1);
	v4->spin_loop.in_spin_loop = true;
	v4->spin_loop.dy_eligible = true;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 3);
	assert_int_equal(v0->stat.directed_yield_successful, 0);
	assert_int_equal(x.kvm.last_boosted_vcpu, 0);
	assert_true(v4->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, yield_to() == 0 just moves on and costs no try. CPU 0: v0
 * running, v4 queued; v1..v3 running on CPUs 1..3 and marked ready: three
 * yield_to() return 0 (target running), the fourth, to v4, succeeds:
 * attempted 4, successful 1, last_boosted 4.
 */
static void test_spin_zero_result_tries_next(void **state)
{
	static const int cpu[] = { 0, 1, 2, 3, 0 };
	static const enum kt_state st[] = { KT_RUN, KT_RUN, KT_RUN, KT_RUN,
					    KT_QUEUED };
	struct kt x;
	struct kvm_vcpu *v0;
	int i;

	(void)state;
	kt_setup(&x, 4, 5, cpu, st, NULL);
	v0 = kt_vcpu(&x, 0);
	for (i = 1; i < 4; i++)
		kt_vcpu(&x, i)->ready = true; /* running, not preempted */
	kt_preempt(&x, 4, true);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 4);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 4);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, fewer than 2 vCPUs: return at once. A 1-vCPU VM: no scan,
 * in_spin_loop never set, dy_eligible (preset true) not cleared.
 */
static void test_spin_single_vcpu_returns(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->spin_loop.dy_eligible = true;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_false(v0->spin_loop.in_spin_loop);
	assert_true(v0->spin_loop.dy_eligible);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, after a scan that yielded to nobody in_spin_loop and
 * dy_eligible of the spinner are false at once (dy_eligible preset true;
 * v1 is not ready: 0 attempts).
 */
static void test_spin_clears_spin_loop_state(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->spin_loop.dy_eligible = true;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	assert_false(v0->spin_loop.in_spin_loop);
	assert_false(v0->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * MODEL.md 7, in_spin_loop spans the yield: yield_to() schedules inside
 * kvm_vcpu_on_spin(), so after a successful yield (v0 -> v1) v0 is still
 * in its spin loop while it waits to run again; another spinner's scan
 * (v1's) then sees it and the dy_eligible alternation applies: the first
 * look skips v0 (0 attempts, dy_eligible false -> true). When v0 runs
 * again, kvm_vcpu_enter_guest() ends the loop: in_spin_loop false,
 * dy_eligible false.
 */
static void test_spin_loop_spans_the_yield(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	setup_one_cpu(&x, 2, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_preempt(&x, 1, true);

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_true(v0->spin_loop.in_spin_loop);

	/* v0 (spinning at CPL 0) is switched out by the yield; v1 runs and
	 * spins too */
	assert_ptr_equal(schedule(kt_rq(&x, 0), x.now), &x.t[1]);
	v0->in_kernel = true;
	kvm_sched_out(v0);
	kvm_sched_in(v1);
	kvm_vcpu_enter_guest(v1);
	kvm_vcpu_on_spin(v1, true, x.now);
	assert_int_equal(v1->stat.directed_yield_attempted, 0);
	assert_true(v0->spin_loop.dy_eligible);

	kvm_vcpu_enter_guest(v0);
	assert_false(v0->spin_loop.in_spin_loop);
	assert_false(v0->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * The dy_eligible alternation switched off (HAVE_KVM_CPU_RELAX_INTERCEPT
 * not selected, as on riscv): v1, itself in a spin loop with dy_eligible
 * false, is a candidate at the first look: 1 attempt, 1 success, and its
 * dy_eligible is not toggled (still false).
 */
static void test_spin_no_relax_intercept_all_eligible(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_knobs(&k);
	k.cpu_relax_intercept = false;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_preempt(&x, 1, true);
	v1->spin_loop.in_spin_loop = true;
	v1->spin_loop.dy_eligible = false;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_false(v1->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/* ---- the series, MODEL.md 4c ---- */

/*
 * MODEL.md 4c, priority (1): a recent pending IPI receiver of me is
 * accepted even when preempted at CPL 3. v1 and v2 both preempted at CPL
 * 3; v0 sent a unicast IPI to v2 at t. Scan at t+1ms (relaxed boost on):
 * round 1 rejects v1 (rule 3) and takes v2 ahead of it in round-robin
 * order: 1 attempt, last_boosted 2.
 */
static void test_ipi_aware_receiver_beats_preempted(void **state)
{
	static const int dest[] = { 2 };
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 3, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);
	kt_preempt(&x, 2, false);
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now);

	kvm_vcpu_on_spin(v0, true, x.now + 1 * MS);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 2);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, priority (2): a pending posted interrupt is accepted before
 * the preempted rule. APICv: v1 and v2 preempted at CPL 3, v2 has one
 * posted IPI; relaxed boost on: v2 gets the yield ahead of v1 (1 attempt,
 * last_boosted 2).
 */
static void test_ipi_aware_pending_irq_beats_preempted(void **state)
{
	static const int dest[] = { 2 };
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	k.enable_apicv = true;
	setup_one_cpu(&x, 3, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);
	kt_preempt(&x, 2, false);
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, x.now);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 2);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, rule (3), as the series has it ("legacy preempted fallback,
 * with the existing optional in-kernel filter"): a ready vCPU that is not
 * preempted (woken, not blocking) passes, as in the baseline. v1 ready,
 * not preempted: the IPI-aware scan yields to it (1 success, last_boosted
 * 1), exactly as the baseline scan does (a second success).
 */
static void test_ipi_aware_fallback_takes_woken(void **state)
{
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_vcpu(&x, 1)->ready = true;

	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);

	x.k.ipi_aware_yield = false;
	kvm_vcpu_on_spin(v0, true, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 2);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, rule (3) read literally (ipi_strict_fallback): "otherwise
 * require preempted". v1 ready, not preempted, with a stale
 * preempted_in_kernel from an earlier preemption: 0 attempts.
 */
static void test_ipi_aware_strict_fallback_requires_preempted(void **state)
{
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	k.ipi_strict_fallback = true;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_vcpu(&x, 1)->ready = true;
	kt_vcpu(&x, 1)->preempted_in_kernel = true;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, rule (3), the in-kernel filter: a vCPU preempted at CPL 3
 * that is no IPI receiver of me and has no pending interrupt is skipped
 * by a kernel-mode yield. v1 preempted at CPL 3, relaxed boost off: 0
 * attempts.
 */
static void test_ipi_aware_fallback_skips_user_preempted(void **state)
{
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, rule (3) for kernel-mode yields: preempted in kernel is
 * accepted: v1 preempted at CPL 0 -> 1 success, last_boosted 1.
 */
static void test_ipi_aware_preempted_in_kernel_accepted(void **state)
{
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, true);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, window: the receiver rule holds for 50 ms only. IPI v0->v2
 * at t; v2 preempted at CPL 3; relaxed off. kvm_vcpu_is_ipi_receiver is
 * still true at t+50ms, but the scan at t+51ms rejects v2: 0 attempts.
 */
static void test_ipi_aware_receiver_window_expiry(void **state)
{
	static const int dest[] = { 2 };
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0, *v2;
	u64 t;

	(void)state;
	setup_one_cpu(&x, 3, &k);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	kt_preempt(&x, 2, false);
	t = x.now;
	kvm_irq_delivery_to_apic(v0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
				 CALL_FUNCTION_SINGLE_VECTOR, t);
	assert_true(kvm_vcpu_is_ipi_receiver(v0, v2, t + 50 * MS));

	kvm_vcpu_on_spin(v0, true, t + 51 * MS);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, relaxed boost: a first round with no yield is followed by a
 * round that accepts any preempted vCPU. Only v1, preempted at CPL 3:
 * round 1 rejects it, round 2 yields to it: 1 attempt, 1 success,
 * last_boosted 1.
 */
static void test_relaxed_round_after_empty_first(void **state)
{
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, relaxed boost only after an empty first round: v1 preempted
 * at CPL 3, v2 at CPL 0: round 1 yields to v2, no second round, so v1 is
 * never tried: attempted 1, last_boosted 2.
 */
static void test_relaxed_round_not_after_success(void **state)
{
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 3, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);
	kt_preempt(&x, 2, true);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 2);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, enable_relaxed_boost off: no second round. Only v1,
 * preempted at CPL 3: 0 attempts, last_boosted stays 0.
 */
static void test_relaxed_round_off(void **state)
{
	struct kvm_knobs k = knobs_series(false);
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_one_cpu(&x, 2, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	assert_int_equal(x.kvm.last_boosted_vcpu, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c relaxed boost + MODEL.md 3 try budget: the 3 tries are
 * shared by both rounds. 5 CPUs, every vCPU alone on its CPU; v1..v3
 * preempted at CPL 0 (-ESRCH each), v4 at CPL 3 (a relaxed-only
 * candidate); last_boosted 3, so each round starts at v4. Round 1 rejects
 * v4 and spends the 3 tries on v1..v3; no round 2: attempted 3 (a round 2
 * with its own budget would make it 6) and v4, in a spin loop with
 * dy_eligible true, never reaches the eligibility check (still true).
 */
static void test_relaxed_round_shares_try_budget(void **state)
{
	static const int cpu[] = { 0, 1, 2, 3, 4 };
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0, *v4;
	int i;

	(void)state;
	kt_setup(&x, 5, 5, cpu, run0_rest_q, &k);
	v0 = kt_vcpu(&x, 0);
	v4 = kt_vcpu(&x, 4);
	for (i = 1; i < 4; i++)
		kt_preempt(&x, i, true);
	kt_preempt(&x, 4, false);
	v4->spin_loop.in_spin_loop = true;
	v4->spin_loop.dy_eligible = true;
	x.kvm.last_boosted_vcpu = 3;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 3);
	assert_int_equal(v0->stat.directed_yield_successful, 0);
	assert_true(v4->spin_loop.dy_eligible);
	kt_teardown(&x);
}

/*
 * The v2 code (relaxed_boost_on_error): the second round runs on
 * "yielded <= 0", also after a first round that ran out of tries, and
 * with the budget spent errors no longer stop it. The set-up of the test
 * above: round 1 spends its 3 tries on v1..v3 (-ESRCH each); round 2
 * takes v4 (preempted at CPL 3, looked at: dy_eligible true -> false,
 * -ESRCH), then v1..v3 again (-ESRCH each): 3 + 4 = 7 attempts, no
 * success.
 */
static void test_relaxed_round_v2_after_errors(void **state)
{
	static const int cpu[] = { 0, 1, 2, 3, 4 };
	struct kvm_knobs k = knobs_series(true);
	struct kt x;
	struct kvm_vcpu *v0, *v4;
	int i;

	(void)state;
	k.relaxed_boost_on_error = true;
	kt_setup(&x, 5, 5, cpu, run0_rest_q, &k);
	v0 = kt_vcpu(&x, 0);
	v4 = kt_vcpu(&x, 4);
	for (i = 1; i < 4; i++)
		kt_preempt(&x, i, true);
	kt_preempt(&x, 4, false);
	v4->spin_loop.in_spin_loop = true;
	v4->spin_loop.dy_eligible = true;
	x.kvm.last_boosted_vcpu = 3;

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 7);
	assert_int_equal(v0->stat.directed_yield_successful, 0);
	assert_false(v4->spin_loop.dy_eligible);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spin_skip_not_ready),
		cmocka_unit_test(test_spin_skip_blocking_not_dy_runnable),
		cmocka_unit_test(test_spin_blocking_pv_unhalted_is_candidate),
		cmocka_unit_test(test_spin_blocking_event_request_is_candidate),
		cmocka_unit_test(test_spin_blocking_posted_irq_is_candidate),
		cmocka_unit_test(test_spin_skip_preempted_user_mode),
		cmocka_unit_test(test_spin_preempted_in_kernel_accepted),
		cmocka_unit_test(test_spin_posted_interrupt_accepted_apicv),
		cmocka_unit_test(test_spin_pending_interrupt_needs_apicv),
		cmocka_unit_test(test_spin_dy_eligible_alternates),
		cmocka_unit_test(test_spin_loop_spans_the_yield),
		cmocka_unit_test(test_spin_no_relax_intercept_all_eligible),
		cmocka_unit_test(test_eligible_outside_spin_loop),
		cmocka_unit_test(test_spin_round_robin_after_last_boosted),
		cmocka_unit_test(test_spin_starts_after_last_boosted),
		cmocka_unit_test(test_spin_three_try_limit),
		cmocka_unit_test(test_spin_zero_result_tries_next),
		cmocka_unit_test(test_spin_single_vcpu_returns),
		cmocka_unit_test(test_spin_clears_spin_loop_state),
		cmocka_unit_test(test_ipi_aware_receiver_beats_preempted),
		cmocka_unit_test(test_ipi_aware_pending_irq_beats_preempted),
		cmocka_unit_test(test_ipi_aware_fallback_takes_woken),
		cmocka_unit_test(test_ipi_aware_fallback_skips_user_preempted),
		cmocka_unit_test(
			test_ipi_aware_strict_fallback_requires_preempted),
		cmocka_unit_test(test_ipi_aware_preempted_in_kernel_accepted),
		cmocka_unit_test(test_ipi_aware_receiver_window_expiry),
		cmocka_unit_test(test_relaxed_round_after_empty_first),
		cmocka_unit_test(test_relaxed_round_not_after_success),
		cmocka_unit_test(test_relaxed_round_off),
		cmocka_unit_test(test_relaxed_round_shares_try_budget),
		cmocka_unit_test(test_relaxed_round_v2_after_errors),
	};

	return cmocka_run_group_tests_name("kvm_spin", tests, NULL, NULL);
}
