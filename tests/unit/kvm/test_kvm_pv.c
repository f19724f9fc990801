// SPDX-License-Identifier: MIT
/*
 * Paravirtual hints (MODEL.md 5): the steal-time preempted byte, PV TLB
 * flush deferral, KVM_HC_KICK_CPU and KVM_HC_SCHED_YIELD.
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0, 0 };
static const enum kt_state run0_q1[] = { KT_RUN, KT_QUEUED };
/* v1 runs first and can halt, handing CPU 0 to v0 */
static const enum kt_state q0_run1[] = { KT_QUEUED, KT_RUN };

/*
 * MODEL.md 2/5, kvm_arch_vcpu_put() -> kvm_steal_time_set_preempted()
 * (arch/x86/kvm/x86.c): a preempted put at an instruction boundary writes
 * KVM_VCPU_PREEMPTED (0x1): byte 0 -> 1, preemption_reported 1, the guest's
 * vcpu_is_preempted() false -> true.
 */
static void test_pv_preempted_byte_set_on_preempted_put(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	assert_false(kvm_vcpu_is_preempted_guest(v0));

	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);

	assert_int_equal(v0->st_preempted, KVM_VCPU_PREEMPTED);
	assert_int_equal(v0->stat.preemption_reported, 1);
	assert_int_equal(v0->stat.preemption_other, 0);
	assert_true(kvm_vcpu_is_preempted_guest(v0));
	kt_teardown(&x);
}

/*
 * MODEL.md 7, preempted is reported only for involuntary deschedules:
 * v0 entered the guest (kvm_vcpu_enter_guest clears
 * at_instruction_boundary, the vcpu_run loop) and leaves on a PAUSE exit;
 * handle_pause() yields to v1, so v0 is switched out from inside the exit
 * handler (kvm_sched_out from yield_to's schedule()): it is preempted and
 * ready for KVM (a directed-yield candidate), but nothing is written for
 * the guest: byte 0, preemption_other 1, reported 0, vcpu_is_preempted()
 * false.
 */
static void test_pv_preempted_byte_not_set_off_boundary(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, true);
	assert_false(v0->at_instruction_boundary);

	handle_pause(v0, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kvm_sched_out(v0);

	assert_true(v0->preempted);
	assert_int_equal(v0->st_preempted, 0);
	assert_int_equal(v0->stat.preemption_other, 1);
	assert_int_equal(v0->stat.preemption_reported, 0);
	assert_false(kvm_vcpu_is_preempted_guest(v0));
	kt_teardown(&x);
}

/*
 * MODEL.md 7, at_instruction_boundary: set by an external-interrupt exit
 * (handle_external_interrupt_irqoff), cleared at the top of each vcpu_run
 * loop (kvm_vcpu_enter_guest): false -> true -> false.
 */
static void test_pv_boundary_external_exit_until_entry(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	assert_false(v0->at_instruction_boundary);

	kvm_vcpu_external_interrupt_exit(v0);
	assert_true(v0->at_instruction_boundary);

	kvm_vcpu_enter_guest(v0);
	assert_false(v0->at_instruction_boundary);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_arch_vcpu_put(): a vCPU switched out because it halted is
 * not preempted, so no byte is written: 0, reported 0, other 0.
 */
static void test_pv_preempted_byte_not_set_on_halt(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);

	kt_halt(&x, 0);

	assert_int_equal(v0->st_preempted, 0);
	assert_int_equal(v0->stat.preemption_reported, 0);
	assert_int_equal(v0->stat.preemption_other, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, record_steal_time() (arch/x86/kvm/x86.c), requested by
 * kvm_arch_vcpu_load(): the byte is cleared on guest entry. After the
 * preempted put: 1; after sched_in (request pending): still 1; after
 * entry: 0 and the guest reads "not preempted".
 */
static void test_pv_preempted_byte_cleared_on_entry(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);
	assert_int_equal(v0->st_preempted, KVM_VCPU_PREEMPTED);

	kvm_sched_in(v0);
	assert_true(v0->req_steal_update);
	assert_int_equal(v0->st_preempted, KVM_VCPU_PREEMPTED);

	kvm_vcpu_enter_guest(v0);
	assert_false(v0->req_steal_update);
	assert_int_equal(v0->st_preempted, 0);
	assert_false(kvm_vcpu_is_preempted_guest(v0));
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KVM_FEATURE_STEAL_TIME off: no byte is written (0) and the
 * guest never sees "preempted"; the put is still counted as reported (1),
 * as upstream counts before its steal-time MSR check.
 */
static void test_pv_preempted_byte_needs_steal_time(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.pv_steal_time = false;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, &k);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);

	assert_int_equal(v0->st_preempted, 0);
	assert_false(kvm_vcpu_is_preempted_guest(v0));
	assert_int_equal(v0->stat.preemption_reported, 1);
	kt_teardown(&x);
}

/*
 * kvm_steal_time_set_preempted(): a byte that is still set is not
 * rewritten, so a flush request the guest added survives a second put:
 * put (1), guest defers a flush (1|2 = 3), reload without entry, put ->
 * still 3.
 */
static void test_pv_preempted_byte_not_rewritten(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);
	assert_true(kvm_flush_tlb_deferred(v0));
	assert_int_equal(v0->st_preempted, 3);

	kvm_sched_in(v0);
	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);

	assert_int_equal(v0->st_preempted,
			 KVM_VCPU_PREEMPTED | KVM_VCPU_FLUSH_TLB);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, PV TLB flush: kvm_flush_tlb_multi() (arch/x86/kernel/kvm.c)
 * does not IPI a preempted target but sets KVM_VCPU_FLUSH_TLB in its byte
 * (1 -> 3); record_steal_time() does the flush on the target's entry
 * (tlb_flush_on_entry 0 -> 1) and the byte is 0 again.
 */
static void test_pv_tlb_flush_deferred_to_entry(void **state)
{
	struct kt x;
	struct kvm_vcpu *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v1 = kt_vcpu(&x, 1);
	kt_preempt(&x, 1, true);
	assert_int_equal(v1->st_preempted, KVM_VCPU_PREEMPTED);

	assert_true(kvm_flush_tlb_deferred(v1));
	assert_int_equal(v1->st_preempted, 3);
	assert_int_equal(v1->stat.tlb_flush_on_entry, 0);

	kvm_sched_in(v1);
	kvm_vcpu_enter_guest(v1);

	assert_int_equal(v1->stat.tlb_flush_on_entry, 1);
	assert_int_equal(v1->st_preempted, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, PV TLB flush: a running target (byte 0) cannot be deferred:
 * false (the guest sends the IPI), byte stays 0, no flush on entry later.
 */
static void test_pv_tlb_flush_running_target_needs_ipi(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);

	assert_false(kvm_flush_tlb_deferred(v0));
	assert_int_equal(v0->st_preempted, 0);
	kvm_vcpu_external_interrupt_exit(v0);
	kvm_sched_out(v0);
	kvm_sched_in(v0);
	kvm_vcpu_enter_guest(v0);
	assert_int_equal(v0->stat.tlb_flush_on_entry, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KVM_FEATURE_PV_TLB_FLUSH off: the guest IPIs even a
 * preempted target: false, byte stays 1 (no flush bit).
 */
static void test_pv_tlb_flush_needs_feature(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v1;

	(void)state;
	kt_knobs(&k);
	k.pv_tlb_flush = false;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, &k);
	v1 = kt_vcpu(&x, 1);
	kt_preempt(&x, 1, true);

	assert_false(kvm_flush_tlb_deferred(v1));
	assert_int_equal(v1->st_preempted, KVM_VCPU_PREEMPTED);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KVM_HC_KICK_CPU (kvm_pv_kick_cpu_op + kvm_sched_yield,
 * arch/x86/kvm/x86.c): v1 halted, v0 running alone on CPU 0. v0 kicks
 * APIC id 1: v1 pv_unhalted, woken (ready, thread runnable, rq0 1 -> 2
 * tasks), and v0 yields to it: returns 0, kicks 1, attempted 1,
 * successful 1.
 */
static void test_kick_cpu_unhalts_wakes_and_yields(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, q0_run1, NULL);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 1);

	assert_int_equal(kvm_hc_kick_cpu(v0, 1, x.now), 0);

	assert_true(v1->pv_unhalted);
	assert_true(v1->ready);
	assert_int_equal(x.t[1].state, TASK_RUNNING);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 2);
	assert_int_equal(v0->stat.kicks, 1);
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KICK_CPU yields whether or not KVM_FEATURE_PV_SCHED_YIELD is
 * offered: with pv_sched_yield off the kick above still yields (1).
 */
static void test_kick_cpu_yield_without_pv_sched_yield(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.pv_sched_yield = false;
	kt_setup(&x, 1, 2, cpu_one, q0_run1, &k);
	v0 = kt_vcpu(&x, 0);
	kt_halt(&x, 1);

	assert_int_equal(kvm_hc_kick_cpu(v0, 1, x.now), 0);

	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KVM_HC_KICK_CPU needs KVM_FEATURE_PV_UNHALT: off -> -ENOSYS,
 * the halted v1 is not touched (pv_unhalted false, thread still asleep),
 * kicks 0.
 */
static void test_kick_cpu_needs_pv_unhalt(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0, *v1;

	(void)state;
	kt_knobs(&k);
	k.pv_unhalt = false;
	kt_setup(&x, 1, 2, cpu_one, q0_run1, &k);
	v0 = kt_vcpu(&x, 0);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1);

	assert_int_equal(kvm_hc_kick_cpu(v0, 1, x.now), -ENOSYS);

	assert_false(v1->pv_unhalted);
	assert_int_equal(x.t[1].state, TASK_SLEEPING);
	assert_int_equal(v0->stat.kicks, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, kvm_sched_yield(): a yield to oneself is refused even when
 * the caller counts as ready: false, attempted 1, successful 0.
 */
static void test_sched_yield_refuses_self(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->ready = true;

	assert_false(kvm_sched_yield(v0, 0, x.now));

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, kvm_sched_yield(): a target that is not ready is refused: v1
 * queued, never scheduled out: false, attempted 1, successful 0; once
 * preempted (ready) the same call yields: true, successful 1.
 */
static void test_sched_yield_refuses_not_ready(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);

	assert_false(kvm_sched_yield(v0, 1, x.now));
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 0);

	kt_preempt(&x, 1, false);
	assert_true(kvm_sched_yield(v0, 1, x.now));
	assert_int_equal(v0->stat.directed_yield_attempted, 2);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, kvm_sched_yield(): refused when the caller's rq runs a
 * single task (single_task_running). CPU 0: v0 alone; CPU 1: v2 running,
 * v1 preempted behind it. v0 -> v1: false, attempted 1, successful 0
 * (yield_to itself would succeed: rq1 holds 2 tasks, as v2 -> v1 shows).
 */
static void test_sched_yield_refuses_single_task(void **state)
{
	static const int cpu[] = { 0, 1, 1 };
	static const enum kt_state st[] = { KT_RUN, KT_QUEUED, KT_RUN };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	kt_setup(&x, 2, 3, cpu, st, NULL);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	kt_preempt(&x, 1, true);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 1);
	assert_int_equal(kt_rq(&x, 1)->nr_running, 2);

	assert_false(kvm_sched_yield(v0, 1, x.now));
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 0);

	assert_true(kvm_sched_yield(v2, 1, x.now));
	kt_teardown(&x);
}

/*
 * MODEL.md 5, kvm_sched_yield(): an APIC id with no vCPU is refused:
 * id 9 in a 2-vCPU VM -> false, attempted 1.
 */
static void test_sched_yield_refuses_unknown_apicid(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, true);

	assert_false(kvm_sched_yield(v0, 9, x.now));
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, KVM_HC_SCHED_YIELD needs KVM_FEATURE_PV_SCHED_YIELD: off ->
 * -ENOSYS and no attempt (0); on -> 0 and a yield to the preempted v1
 * (attempted 1, successful 1).
 */
static void test_hc_sched_yield_needs_feature(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.pv_sched_yield = false;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, &k);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, true);

	assert_int_equal(kvm_hc_sched_yield(v0, 1, x.now), -ENOSYS);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);

	x.k.pv_sched_yield = true;
	assert_int_equal(kvm_hc_sched_yield(v0, 1, x.now), 0);
	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pv_preempted_byte_set_on_preempted_put),
		cmocka_unit_test(test_pv_preempted_byte_not_set_off_boundary),
		cmocka_unit_test(test_pv_boundary_external_exit_until_entry),
		cmocka_unit_test(test_pv_preempted_byte_not_set_on_halt),
		cmocka_unit_test(test_pv_preempted_byte_cleared_on_entry),
		cmocka_unit_test(test_pv_preempted_byte_needs_steal_time),
		cmocka_unit_test(test_pv_preempted_byte_not_rewritten),
		cmocka_unit_test(test_pv_tlb_flush_deferred_to_entry),
		cmocka_unit_test(test_pv_tlb_flush_running_target_needs_ipi),
		cmocka_unit_test(test_pv_tlb_flush_needs_feature),
		cmocka_unit_test(test_kick_cpu_unhalts_wakes_and_yields),
		cmocka_unit_test(test_kick_cpu_yield_without_pv_sched_yield),
		cmocka_unit_test(test_kick_cpu_needs_pv_unhalt),
		cmocka_unit_test(test_sched_yield_refuses_self),
		cmocka_unit_test(test_sched_yield_refuses_not_ready),
		cmocka_unit_test(test_sched_yield_refuses_single_task),
		cmocka_unit_test(test_sched_yield_refuses_unknown_apicid),
		cmocka_unit_test(test_hc_sched_yield_needs_feature),
	};

	return cmocka_run_group_tests_name("kvm_pv", tests, NULL, NULL);
}
