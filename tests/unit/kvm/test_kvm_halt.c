// SPDX-License-Identifier: MIT
/*
 * Halt polling (MODEL.md 7, "halt polling"): kvm_vcpu_halt() in
 * virt/kvm/kvm_main.c with the x86 defaults halt_poll_ns 200 us, grow 2,
 * grow_start 10 us, shrink 2. vCPU 0 runs alone on CPU 0 unless said
 * otherwise; times are relative to the fixture's start (1 ms).
 */
#include "kvm_test.h"

#define US(x) ((u64)(x) * NSEC_PER_USEC)

static const int cpu_one[] = { 0, 0 };
static const enum kt_state run0[] = { KT_RUN, KT_IDLE };

static struct kvm_vcpu *alone(struct kt *x)
{
	kt_setup(x, 1, 2, cpu_one, run0, NULL);
	return kt_vcpu(x, 0);
}

/* One halt of @len that polls for @polled and then (@waited) blocks. */
static void one_halt(struct kvm_vcpu *v, u64 *now, u64 polled, u64 len,
		     bool waited)
{
	kvm_vcpu_halt_begin(v, *now);
	kvm_vcpu_halt_end(v, *now + polled, *now + len, waited);
	*now += len;
}

/* The window starts at 0: the first halt does not poll (begin returns 0,
 * no poll attempted); it blocks 50 us, shorter than the 200 us maximum,
 * so the window grows: 0 x 2 = 0 < grow_start, so 10 us. */
static void test_halt_poll_first_halt_grows_to_start(void **state)
{
	struct kt x;
	struct kvm_vcpu *v = alone(&x);

	(void)state;
	assert_int_equal(v->halt_poll_ns, 0);
	assert_int_equal(kvm_vcpu_halt_begin(v, x.now), 0);
	assert_false(v->halt_polls);
	kvm_vcpu_halt_end(v, x.now, x.now + US(50), true);
	assert_int_equal(v->stat.halt_attempted_poll, 0);
	assert_int_equal(v->halt_poll_ns, US(10));
	kt_teardown(&x);
}

/* grow_halt_poll_ns() doubles and does not cap: 160 us, a 170 us halt
 * (longer than the window, under the maximum) -> 320 us; the next halt
 * starts by clamping it to halt_poll_ns: it may poll 200 us. */
static void test_halt_poll_grow_doubles_then_clamps(void **state)
{
	struct kt x;
	struct kvm_vcpu *v = alone(&x);

	(void)state;
	v->halt_poll_ns = US(160);
	one_halt(v, &x.now, US(160), US(170), true);
	assert_int_equal(v->halt_poll_ns, US(320));
	assert_int_equal(kvm_vcpu_halt_begin(v, x.now), US(200));
	assert_int_equal(v->halt_poll_ns, US(200));
	kt_teardown(&x);
}

/* shrink_halt_poll_ns() halves after a halt longer than the maximum:
 * 200 us, a 5 ms block -> 100 us; from 15 us a long block gives 7.5 us,
 * under grow_start: 0. */
static void test_halt_poll_shrink_after_long_block(void **state)
{
	struct kt x;
	struct kvm_vcpu *v = alone(&x);

	(void)state;
	v->halt_poll_ns = US(200);
	one_halt(v, &x.now, US(200), 5 * MS, true);
	assert_int_equal(v->halt_poll_ns, US(100));
	v->halt_poll_ns = US(15);
	one_halt(v, &x.now, US(15), 5 * MS, true);
	assert_int_equal(v->halt_poll_ns, 0);
	kt_teardown(&x);
}

/* A halt no longer than the window leaves it alone: 40 us window, woken
 * by the poll after 30 us: a successful poll (1 attempted, 1 successful,
 * 30 us of successful polling), window still 40 us. */
static void test_halt_poll_success_keeps_window(void **state)
{
	struct kt x;
	struct kvm_vcpu *v = alone(&x);

	(void)state;
	v->halt_poll_ns = US(40);
	assert_int_equal(kvm_vcpu_halt_begin(v, x.now), US(40));
	assert_true(v->halted);
	kvm_vcpu_halt_end(v, x.now + US(30), x.now + US(30), false);
	assert_int_equal(v->stat.halt_attempted_poll, 1);
	assert_int_equal(v->stat.halt_successful_poll, 1);
	assert_int_equal(v->stat.halt_poll_success_ns, US(30));
	assert_int_equal(v->halt_poll_ns, US(40));
	kt_teardown(&x);
}

/* kvm_vcpu_can_poll(): only while single_task_running(). With v1 queued
 * on the same CPU the halt still counts as a poll attempt (do_halt_poll:
 * a window) but polls 0 ns and blocks; its 40 us of blocking (within the
 * window) is a failed poll of 0 ns. */
static void test_halt_poll_needs_single_task(void **state)
{
	static const enum kt_state st[] = { KT_RUN, KT_QUEUED };
	struct kt x;
	struct kvm_vcpu *v;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, st, NULL);
	v = kt_vcpu(&x, 0);
	v->halt_poll_ns = US(40);
	assert_int_equal(kvm_vcpu_halt_begin(v, x.now), 0);
	kvm_vcpu_halt_end(v, x.now, x.now + US(40), true);
	assert_int_equal(v->stat.halt_attempted_poll, 1);
	assert_int_equal(v->stat.halt_successful_poll, 0);
	assert_int_equal(v->stat.halt_poll_fail_ns, 0);
	kt_teardown(&x);
}

/* halt_poll_ns = 0 turns polling off: no poll, and the vCPU's window is
 * reset to 0 at the end of each halt. */
static void test_halt_poll_off(void **state)
{
	struct kvm_knobs k;
	struct kt x;
	struct kvm_vcpu *v;

	(void)state;
	kt_knobs(&k);
	k.halt_poll_ns = 0;
	kt_setup(&x, 1, 2, cpu_one, run0, &k);
	v = kt_vcpu(&x, 0);
	v->halt_poll_ns = US(40);
	assert_int_equal(kvm_vcpu_halt_begin(v, x.now), 0);
	kvm_vcpu_halt_end(v, x.now, x.now + US(5), true);
	assert_int_equal(v->halt_poll_ns, 0);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt_poll_first_halt_grows_to_start),
		cmocka_unit_test(test_halt_poll_grow_doubles_then_clamps),
		cmocka_unit_test(test_halt_poll_shrink_after_long_block),
		cmocka_unit_test(test_halt_poll_success_keeps_window),
		cmocka_unit_test(test_halt_poll_needs_single_task),
		cmocka_unit_test(test_halt_poll_off),
	};

	return cmocka_run_group_tests_name("kvm_halt", tests, NULL, NULL);
}
