// SPDX-License-Identifier: MIT
/*
 * Pause-loop exiting: PLE window grow on a PAUSE exit, shrink on reload
 * after being scheduled out (MODEL.md 2 and 3; arch/x86/kvm/vmx/vmx.c).
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0 };
static const enum kt_state run0_q1[] = { KT_RUN, KT_QUEUED };

/*
 * MODEL.md 3, handle_pause() -> grow_ple_window() (vmx.c), __grow_ple_window
 * (x86.h): grow 2 < base 4096 multiplies: 4096 -> 8192 -> 16384 -> 32768
 * over three exits; ple_exits = 3.
 */
static void test_ple_grow_doubles_per_exit(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 1, cpu_one, NULL, NULL);
	v0 = kt_vcpu(&x, 0);

	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 8192);
	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 16384);
	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 32768);
	assert_int_equal(v0->stat.ple_exits, 3);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, __grow_ple_window(): the result is min(val * 2, max); with
 * ple_window_max 20000: 4096 -> 8192 -> 16384 -> 20000 -> 20000.
 */
static void test_ple_grow_bounded_by_max(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.ple_window_max = 20000;
	kt_setup(&x, 1, 1, cpu_one, NULL, &k);
	v0 = kt_vcpu(&x, 0);

	handle_pause(v0, x.now);
	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 16384);
	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 20000);
	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 20000);
	kt_teardown(&x);
}

/*
 * __grow_ple_window(): with the default UINT_MAX bound the product is taken
 * in 64 bits and clamped: 3e9 * 2 = 6e9 -> 4294967295, no wrap-around.
 */
static void test_ple_grow_no_overflow(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 1, cpu_one, NULL, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->ple_window = 3000000000u;

	grow_ple_window(v0);
	assert_int_equal(v0->ple_window, 4294967295u);
	kt_teardown(&x);
}

/*
 * __grow_ple_window(): a modifier >= base is added, not multiplied: grow
 * 5000, base 4096: 4096 + 5000 = 9096; grow 0 resets to base 4096.
 */
static void test_ple_grow_adds_large_modifier(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.ple_window_grow = 5000;
	kt_setup(&x, 1, 1, cpu_one, NULL, &k);
	v0 = kt_vcpu(&x, 0);

	grow_ple_window(v0);
	assert_int_equal(v0->ple_window, 9096);
	x.k.ple_window_grow = 0;
	grow_ple_window(v0);
	assert_int_equal(v0->ple_window, 4096);
	kt_teardown(&x);
}

/*
 * handle_pause() (vmx.c): with PLE off (ple_gap 0) the window is left
 * alone: stays 4096, but the exit is still counted (ple_exits 1).
 */
static void test_ple_no_grow_when_gap_zero(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.ple_gap = 0;
	kt_setup(&x, 1, 1, cpu_one, NULL, &k);
	v0 = kt_vcpu(&x, 0);

	handle_pause(v0, x.now);
	assert_int_equal(v0->ple_window, 4096);
	assert_int_equal(v0->stat.ple_exits, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 2, vmx_vcpu_load() via kvm_arch_vcpu_load(): the window shrinks
 * only when the vCPU is reloaded after being scheduled out. Window 32768:
 * a load without scheduled_out keeps 32768; sched_out + sched_in with
 * shrink 0 resets it to base 4096.
 */
static void test_ple_shrink_only_after_scheduled_out(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	v0->ple_window = 32768;

	kvm_arch_vcpu_load(v0);
	assert_int_equal(v0->ple_window, 32768);

	kvm_sched_out(v0);
	assert_int_equal(v0->ple_window, 32768);
	kvm_sched_in(v0);
	assert_int_equal(v0->ple_window, 4096);
	kt_teardown(&x);
}

/*
 * __shrink_ple_window() (x86.h): shrink 2 < base divides, floored at base:
 * 32768 -> 16384 -> 8192 -> 4096 -> 4096 over four reloads.
 */
static void test_ple_shrink_divides_to_base(void **state)
{
	static const unsigned int want[] = { 16384, 8192, 4096, 4096 };
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;
	size_t i;

	(void)state;
	kt_knobs(&k);
	k.ple_window_shrink = 2;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, &k);
	v0 = kt_vcpu(&x, 0);
	v0->ple_window = 32768;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		kvm_sched_out(v0);
		kvm_sched_in(v0);
		assert_int_equal(v0->ple_window, want[i]);
	}
	kt_teardown(&x);
}

/*
 * __shrink_ple_window(): shrink 8192 >= base 4096 subtracts, floored at
 * base: 20000 -> 11808 -> max(3616, 4096) = 4096 (saturating, no wrap).
 */
static void test_ple_shrink_subtracts_large_modifier(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_knobs(&k);
	k.ple_window_shrink = 8192;
	kt_setup(&x, 1, 1, cpu_one, NULL, &k);
	v0 = kt_vcpu(&x, 0);
	v0->ple_window = 20000;

	shrink_ple_window(v0);
	assert_int_equal(v0->ple_window, 11808);
	shrink_ple_window(v0);
	assert_int_equal(v0->ple_window, 4096);
	kt_teardown(&x);
}

/*
 * MODEL.md 3, handle_pause() calls kvm_vcpu_on_spin(vcpu, true): a
 * candidate preempted at CPL 3 is skipped (kernel-mode yield), so no
 * yield_to is attempted: on_spin_calls 1, attempted 0.
 */
static void test_ple_exit_yields_to_kernel_mode(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, run0_q1, NULL);
	v0 = kt_vcpu(&x, 0);
	kt_preempt(&x, 1, false);

	handle_pause(v0, x.now);

	assert_int_equal(v0->stat.on_spin_calls, 1);
	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	/* the same candidate is taken by a user-mode-allowed scan */
	kvm_vcpu_on_spin(v0, false, x.now);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ple_grow_doubles_per_exit),
		cmocka_unit_test(test_ple_grow_bounded_by_max),
		cmocka_unit_test(test_ple_grow_no_overflow),
		cmocka_unit_test(test_ple_grow_adds_large_modifier),
		cmocka_unit_test(test_ple_no_grow_when_gap_zero),
		cmocka_unit_test(test_ple_shrink_only_after_scheduled_out),
		cmocka_unit_test(test_ple_shrink_divides_to_base),
		cmocka_unit_test(test_ple_shrink_subtracts_large_modifier),
		cmocka_unit_test(test_ple_exit_yields_to_kernel_mode),
	};

	return cmocka_run_group_tests_name("kvm_ple", tests, NULL, NULL);
}
