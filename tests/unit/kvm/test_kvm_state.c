// SPDX-License-Identifier: MIT
/*
 * vCPU state flags: kvm_sched_out / kvm_sched_in / arch put, halt and
 * wakeup, VM creation (MODEL.md 2).
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0, 0, 0 };
static const enum kt_state run0_q1[] = { KT_RUN, KT_QUEUED };

/*
 * MODEL.md 2, kvm_sched_out() (virt/kvm/kvm_main.c): the thread is switched
 * out while still runnable inside KVM_RUN -> scheduled_out = preempted =
 * ready = true.
 */
static void test_sched_out_preempted_sets_flags(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	assert_int_equal(x.t[0].state, TASK_RUNNING);
	assert_false(v0->preempted);
	assert_false(v0->ready);
	assert_false(v0->scheduled_out);

	kvm_sched_out(v0);

	assert_true(v0->scheduled_out);
	assert_true(v0->preempted);
	assert_true(v0->ready);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_sched_out(): a thread switched out because it blocked
 * (halted, task not runnable) is scheduled_out but neither preempted nor
 * ready.
 */
static void test_sched_out_blocked_not_preempted(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);

	kt_halt(&x, 0); /* kvm_vcpu_block, sched_block, schedule, sched_out */

	assert_int_equal(x.t[0].state, TASK_SLEEPING);
	assert_true(v0->scheduled_out);
	assert_true(v0->blocking);
	assert_false(v0->preempted);
	assert_false(v0->ready);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_sched_out(): a runnable thread outside KVM_RUN
 * (wants_to_run false) is not marked preempted.
 */
static void test_sched_out_outside_kvm_run_not_preempted(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->wants_to_run = false;

	kvm_sched_out(v0);

	assert_true(v0->scheduled_out);
	assert_false(v0->preempted);
	assert_false(v0->ready);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_sched_in() (virt/kvm/kvm_main.c): preempted and ready
 * are cleared and scheduled_out is false afterwards.
 */
static void test_sched_in_clears_flags(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kvm_sched_out(v0);
	assert_true(v0->preempted && v0->ready && v0->scheduled_out);

	kvm_sched_in(v0);

	assert_false(v0->preempted);
	assert_false(v0->ready);
	assert_false(v0->scheduled_out);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_arch_vcpu_put() (arch/x86/kvm/x86.c): on a preempted put,
 * preempted_in_kernel = (CPL == 0) at that moment; CPL 0 -> true, then a
 * later preemption at CPL 3 -> false.
 */
static void test_put_records_preempted_in_kernel(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);

	v0->in_kernel = true;
	kvm_sched_out(v0);
	assert_true(v0->preempted_in_kernel);
	assert_true(kvm_arch_vcpu_preempted_in_kernel(v0));

	kvm_sched_in(v0);
	v0->in_kernel = false;
	kvm_sched_out(v0);
	assert_false(v0->preempted_in_kernel);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_arch_vcpu_put(): a put that is not a preemption (blocked
 * thread) leaves preempted_in_kernel as it was (false -> false even at
 * CPL 0).
 */
static void test_put_not_preempted_leaves_in_kernel(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->in_kernel = true;

	kt_halt(&x, 0);

	assert_false(v0->preempted);
	assert_false(v0->preempted_in_kernel);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_vcpu_wake_up() (virt/kvm/kvm_main.c): waking a halted
 * vCPU sets ready, counts halt_wakeup = 1, and its thread is runnable again
 * (1 CPU: rq0 goes from 1 task, v1, to 2); a second wakeup before it ran
 * finds no sleeper: false, halt_wakeup stays 1.
 */
static void test_wake_up_blocking_sets_ready(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_halt(&x, 0); /* v1 now runs on cpu0, alone */
	assert_int_equal(kt_rq(&x, 0)->nr_running, 1);
	assert_false(v0->ready);

	assert_true(kvm_vcpu_wake_up(v0, x.now));

	assert_true(v0->ready);
	assert_int_equal(v0->stat.halt_wakeup, 1);
	assert_int_equal(x.t[0].state, TASK_RUNNING);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 2);
	assert_false(kvm_vcpu_wake_up(v0, x.now));
	assert_int_equal(v0->stat.halt_wakeup, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 3 (blocking vCPU), kvm_vcpu_is_blocking() (rcuwait_active): a
 * woken vCPU is still blocking until its thread runs and re-enters the
 * guest: true after wake_up and after sched_in, false after entry.
 */
static void test_blocking_until_reentry(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_halt(&x, 0);
	assert_true(kvm_vcpu_is_blocking(v0));

	assert_true(kvm_vcpu_wake_up(v0, x.now));
	assert_true(kvm_vcpu_is_blocking(v0));
	kvm_sched_in(v0);
	assert_true(kvm_vcpu_is_blocking(v0));
	kvm_vcpu_enter_guest(v0);
	assert_false(kvm_vcpu_is_blocking(v0));
	kt_teardown(&x);
}

/*
 * MODEL.md 2, kvm_vcpu_wake_up(): a vCPU that is not blocking is not woken:
 * returns false, ready stays false, halt_wakeup stays 0.
 */
static void test_wake_up_not_blocking_noop(void **state)
{
	struct kt x;
	struct kvm_vcpu *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v1 = kt_vcpu(&x, 1);

	assert_false(kvm_vcpu_wake_up(v1, x.now));
	assert_false(v1->ready);
	assert_int_equal(v1->stat.halt_wakeup, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 5 (PV spinlocks), kvm_vcpu_block()/kvm_vcpu_check_block()
 * (virt/kvm/kvm_main.c): a kick that arrived before the halt keeps the vCPU
 * running: -EAGAIN, not blocking, pv_unhalted consumed.
 */
static void test_block_with_pending_kick_does_not_halt(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->pv_unhalted = true;

	assert_int_equal(kvm_vcpu_block(v0), -EAGAIN);
	assert_false(v0->blocking);
	assert_false(v0->pv_unhalted);
	kt_teardown(&x);
}

/*
 * MODEL.md 5, vcpu_block() (arch/x86/kvm/x86.c): pv_unhalted of a kicked
 * halted vCPU survives the wakeup (so it stays dy-runnable) and is cleared
 * when the vCPU re-enters the guest.
 */
static void test_pv_unhalted_cleared_on_reentry(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_halt(&x, 0);
	v0->pv_unhalted = true;
	assert_true(kvm_vcpu_wake_up(v0, x.now));
	assert_true(v0->pv_unhalted);

	kvm_sched_in(v0);
	kvm_vcpu_enter_guest(v0);

	assert_false(v0->pv_unhalted);
	assert_false(v0->halted);
	kt_teardown(&x);
}

/*
 * kvm_create() (virt/kvm/kvm_main.c): vcpu_idx = vcpu_id = i, task->owner =
 * vCPU, last_boosted_vcpu = 0 (zeroed struct kvm upstream), no IPI context
 * (-1), PLE window = base 4096; nr 0 and nr > KVM_MAX_VCPUS are -EINVAL.
 */
static void test_kvm_create_initial_state(void **state)
{
	struct kt x;
	struct kvm bad;
	int i;

	(void)state;
	kt_setup(&x, 1, 3, cpu_one, NULL, NULL);
	assert_int_equal(x.kvm.nr_vcpus, 3);
	assert_int_equal(x.kvm.last_boosted_vcpu, 0);
	for (i = 0; i < 3; i++) {
		struct kvm_vcpu *v = kt_vcpu(&x, i);

		assert_int_equal(v->vcpu_idx, i);
		assert_int_equal(v->vcpu_id, i);
		assert_ptr_equal(v->task, &x.t[i]);
		assert_ptr_equal(x.t[i].owner, v);
		assert_int_equal(v->ipi.last_ipi_receiver, -1);
		assert_int_equal(v->ipi.ipi_sender, -1);
		assert_int_equal(v->ple_window, 4096);
		assert_ptr_equal(kvm_get_vcpu_by_id(&x.kvm, i), v);
	}
	assert_null(kvm_get_vcpu_by_id(&x.kvm, 3));
	assert_int_equal(kvm_create(&bad, &x.s, &x.k, 0, NULL), -EINVAL);
	assert_int_equal(kvm_create(&bad, &x.s, &x.k, KVM_MAX_VCPUS + 1, NULL),
			 -EINVAL);
	kt_teardown(&x);
	assert_null(x.t[0].owner);
}

/*
 * kvm_knobs_default(): vmx.c module defaults ple_gap 128, ple_window 4096,
 * grow 2, shrink 0, max UINT_MAX; the series off (vanilla), window 50 ms;
 * enable_apicv and enable_ipiv on (vmx.c; the hardware may refuse them);
 * HAVE_KVM_CPU_RELAX_INTERCEPT selected (x86); all PV features on.
 */
static void test_knobs_default(void **state)
{
	struct kvm_knobs k;

	(void)state;
	memset(&k, 0xff, sizeof(k));
	kvm_knobs_default(&k);
	assert_int_equal(k.ple_gap, 128);
	assert_int_equal(k.ple_window, 4096);
	assert_int_equal(k.ple_window_grow, 2);
	assert_int_equal(k.ple_window_shrink, 0);
	assert_int_equal(k.ple_window_max, 4294967295u);
	assert_false(k.ipi_tracking_enabled);
	assert_false(k.ipi_aware_yield);
	assert_false(k.enable_relaxed_boost);
	assert_int_equal(k.ipi_window_ns, 50000000);
	assert_true(k.enable_apicv);
	assert_true(k.enable_ipiv);
	assert_true(k.cpu_relax_intercept);
	assert_true(k.pv_steal_time && k.pv_tlb_flush && k.pv_sched_yield &&
		    k.pv_unhalt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_out_preempted_sets_flags),
		cmocka_unit_test(test_sched_out_blocked_not_preempted),
		cmocka_unit_test(test_sched_out_outside_kvm_run_not_preempted),
		cmocka_unit_test(test_sched_in_clears_flags),
		cmocka_unit_test(test_put_records_preempted_in_kernel),
		cmocka_unit_test(test_put_not_preempted_leaves_in_kernel),
		cmocka_unit_test(test_wake_up_blocking_sets_ready),
		cmocka_unit_test(test_blocking_until_reentry),
		cmocka_unit_test(test_wake_up_not_blocking_noop),
		cmocka_unit_test(test_block_with_pending_kick_does_not_halt),
		cmocka_unit_test(test_pv_unhalted_cleared_on_reentry),
		cmocka_unit_test(test_kvm_create_initial_state),
		cmocka_unit_test(test_knobs_default),
	};

	return cmocka_run_group_tests_name("kvm_state", tests, NULL, NULL);
}
