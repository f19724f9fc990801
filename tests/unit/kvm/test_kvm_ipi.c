// SPDX-License-Identifier: MIT
/*
 * IPI delivery, EOI and the series' IPI tracker (MODEL.md 4c). The VM has
 * 4 vCPUs with no running threads unless a test needs them; tracking is on.
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0, 0, 0 };

static void setup_tracking(struct kt *x, bool apicv)
{
	struct kvm_knobs k;

	kt_knobs(&k);
	k.ipi_tracking_enabled = true;
	k.enable_apicv = apicv;
	kt_setup(x, 1, 4, cpu_one, NULL, &k);
	/* the tests that want IPIv switch it on */
}

static int send(struct kt *x, int src, enum apic_delivery_mode dm,
		enum apic_dest_shorthand sh, const int *dest, int n, u64 now)
{
	return kvm_irq_delivery_to_apic(kt_vcpu(x, src), dm, sh, dest, n,
					CALL_FUNCTION_SINGLE_VECTOR, now);
}

/*
 * MODEL.md 4c, tracking: a fixed, no-shorthand IPI v0 -> v2 at t = 1 ms is
 * recorded: v0 {receiver 2, pending, time 1 ms}, v2 {sender 0},
 * ipis_tracked 1; it is delivered (v2 pending_interrupts 1).
 */
static void test_ipi_unicast_recorded(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
			      1 * MS),
			 1);

	assert_int_equal(v0->ipi.last_ipi_receiver, 2);
	assert_true(v0->ipi.pending_ipi);
	assert_int_equal(v0->ipi.last_ipi_time_ns, 1 * MS);
	assert_int_equal(v2->ipi.ipi_sender, 0);
	assert_int_equal(v0->stat.ipis_tracked, 1);
	assert_int_equal(v0->stat.ipis_sent, 1);
	assert_int_equal(v2->pending_interrupts, 1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, tracking: a broadcast (all-but-self shorthand) is delivered
 * to v1, v2, v3 (3 receivers, one pending interrupt each, none on v0) but
 * not recorded: receiver -1, not pending, no sender on anyone, tracked 0.
 */
static void test_ipi_broadcast_not_recorded(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int i;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_ALLBUT, NULL, 0,
			      x.now),
			 3);

	assert_int_equal(v0->pending_interrupts, 0);
	for (i = 1; i < 4; i++) {
		assert_int_equal(kt_vcpu(&x, i)->pending_interrupts, 1);
		assert_int_equal(kt_vcpu(&x, i)->ipi.ipi_sender, -1);
	}
	assert_int_equal(v0->ipi.last_ipi_receiver, -1);
	assert_false(v0->ipi.pending_ipi);
	assert_int_equal(v0->stat.ipis_tracked, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, tracking: a multicast to {1, 2} is delivered to both but
 * not recorded (tracked 0, v0 receiver -1, v1/v2 sender -1).
 */
static void test_ipi_multicast_not_recorded(void **state)
{
	static const int dest[] = { 1, 2 };
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 2,
			      x.now),
			 2);

	assert_int_equal(kt_vcpu(&x, 1)->pending_interrupts, 1);
	assert_int_equal(kt_vcpu(&x, 2)->pending_interrupts, 1);
	assert_int_equal(v0->stat.ipis_tracked, 0);
	assert_int_equal(v0->ipi.last_ipi_receiver, -1);
	assert_int_equal(kt_vcpu(&x, 1)->ipi.ipi_sender, -1);
	assert_int_equal(kt_vcpu(&x, 2)->ipi.ipi_sender, -1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, "exactly one vCPU": a destination list naming v2 twice is
 * one receiver: delivered once (pending_interrupts 1) and recorded.
 */
static void test_ipi_duplicate_destination_is_unicast(void **state)
{
	static const int dest[] = { 2, 2 };
	struct kt x;

	(void)state;
	setup_tracking(&x, false);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 2,
			      x.now),
			 1);

	assert_int_equal(kt_vcpu(&x, 2)->pending_interrupts, 1);
	assert_int_equal(kt_vcpu(&x, 0)->ipi.last_ipi_receiver, 2);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, tracking: an IPI to oneself without shorthand (dest {0}
 * from v0) is delivered (v0 pending 1) but not recorded (tracked 0,
 * receiver -1, sender -1).
 */
static void test_ipi_self_not_recorded(void **state)
{
	static const int dest[] = { 0 };
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1,
			      x.now),
			 1);

	assert_int_equal(v0->pending_interrupts, 1);
	assert_int_equal(v0->stat.ipis_tracked, 0);
	assert_int_equal(v0->ipi.last_ipi_receiver, -1);
	assert_int_equal(v0->ipi.ipi_sender, -1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, tracking: shorthand IPIs are never recorded: SELF (1
 * receiver: v0) and ALL-INCLUDING-SELF (4 receivers) give tracked 0.
 */
static void test_ipi_shorthand_not_recorded(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);

	assert_int_equal(
		send(&x, 0, APIC_DM_FIXED, APIC_DEST_SELF, NULL, 0, x.now), 1);
	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_ALLINC, NULL, 0,
			      x.now),
			 4);

	assert_int_equal(v0->pending_interrupts, 2);
	assert_int_equal(v0->stat.ipis_tracked, 0);
	assert_int_equal(v0->ipi.last_ipi_receiver, -1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, tracking: only fixed delivery mode counts; an NMI v0 -> v2
 * is not recorded (tracked 0) and leaves no pending interrupt to EOI.
 */
static void test_ipi_nmi_not_recorded(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;

	(void)state;
	setup_tracking(&x, false);

	assert_int_equal(
		send(&x, 0, APIC_DM_NMI, APIC_DEST_NOSHORT, dest, 1, x.now), 1);

	assert_int_equal(kt_vcpu(&x, 0)->stat.ipis_tracked, 0);
	assert_int_equal(kt_vcpu(&x, 2)->ipi.ipi_sender, -1);
	assert_int_equal(kt_vcpu(&x, 2)->pending_interrupts, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, switch ipi_tracking_enabled off (the vanilla default): a
 * unicast IPI is delivered (pending 1) but not recorded (tracked 0).
 */
static void test_ipi_tracking_off_not_recorded(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;

	(void)state;
	kt_setup(&x, 1, 4, cpu_one, NULL, NULL);

	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	assert_int_equal(kt_vcpu(&x, 2)->pending_interrupts, 1);
	assert_int_equal(kt_vcpu(&x, 0)->stat.ipis_tracked, 0);
	assert_false(kt_vcpu(&x, 0)->ipi.pending_ipi);
	kt_teardown(&x);
}

/*
 * MODEL.md 7, APICv and IPIv are separate; 4c, limitation: with IPIv
 * (enable_apicv and enable_ipiv) the ICR write does not exit, KVM never
 * sees the IPI: a unicast v0 -> v2 is delivered (pending 1) and nothing
 * is recorded (tracked 0, receiver -1, sender -1).
 */
static void test_ipi_ipiv_nothing_recorded(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;

	(void)state;
	setup_tracking(&x, true);
	x.k.enable_ipiv = true;

	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	assert_int_equal(kt_vcpu(&x, 2)->pending_interrupts, 1);
	assert_int_equal(kt_vcpu(&x, 0)->stat.ipis_tracked, 0);
	assert_int_equal(kt_vcpu(&x, 0)->ipi.last_ipi_receiver, -1);
	assert_false(kt_vcpu(&x, 0)->ipi.pending_ipi);
	assert_int_equal(kt_vcpu(&x, 2)->ipi.ipi_sender, -1);
	kt_teardown(&x);
}

/*
 * MODEL.md 7, APICv and IPIv are separate: with APICv but no IPIv (every
 * Xeon before Sapphire Rapids) the ICR write still exits and the IPI is
 * recorded (v0 {2, pending}, v2 {sender 0}, tracked 1), but the EOI of
 * an edge-triggered vector is virtualised and never exits: after v2's
 * EOI at 1 ms the context survives; only the pending interrupt count
 * drops (1 -> 0). The sender stays "pending" until the 50 ms window ends.
 */
static void test_ipi_apicv_sees_ipi_not_eoi(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	setup_tracking(&x, true);
	x.k.enable_ipiv = false;
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);
	assert_int_equal(v0->stat.ipis_tracked, 1);
	assert_int_equal(v2->ipi.ipi_sender, 0);

	kvm_apic_eoi(v2, CALL_FUNCTION_SINGLE_VECTOR, x.now + 1 * MS);

	assert_int_equal(v2->pending_interrupts, 0);
	assert_int_equal(v2->ipi.ipi_sender, 0);
	assert_true(v0->ipi.pending_ipi);
	assert_true(kvm_vcpu_is_ipi_receiver(v0, v2, x.now + 50 * MS));
	assert_false(kvm_vcpu_is_ipi_receiver(v0, v2, x.now + 51 * MS));
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, EOI stage 1: the receiver's context is always cleared. v0
 * IPIs v2, then v3 (so v0 now waits on v3); v2's EOI clears v2's sender
 * (0 -> -1) but v0 stays pending (its receiver is v3, not v2).
 */
static void test_eoi_clears_receiver_always(void **state)
{
	static const int d2[] = { 2 }, d3[] = { 3 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, d2, 1, x.now);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, d3, 1, x.now);
	assert_int_equal(v0->ipi.last_ipi_receiver, 3);

	kvm_apic_eoi(v2, CALL_FUNCTION_SINGLE_VECTOR, x.now + 1 * MS);

	assert_int_equal(v2->ipi.ipi_sender, -1);
	assert_true(v0->ipi.pending_ipi);
	assert_int_equal(v2->pending_interrupts, 0);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, EOI stage 2: the sender's pending flag is cleared when its
 * recorded receiver is the EOIing vCPU and within the window: IPI v0 -> v2
 * at t, EOI by v2 at t+1ms -> v0 not pending.
 */
static void test_eoi_clears_sender_within_window(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	kvm_apic_eoi(kt_vcpu(&x, 2), CALL_FUNCTION_SINGLE_VECTOR,
		     x.now + 1 * MS);

	assert_false(v0->ipi.pending_ipi);
	assert_false(
		kvm_vcpu_is_ipi_receiver(v0, kt_vcpu(&x, 2), x.now + 1 * MS));
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, EOI stage 2: outside the window the sender is left alone:
 * IPI v0 -> v2 at t, EOI by v2 at t+60ms -> v0 still pending (its own
 * recency check expires it), v2's sender cleared (stage 1).
 */
static void test_eoi_keeps_sender_outside_window(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	kvm_apic_eoi(v2, CALL_FUNCTION_SINGLE_VECTOR, x.now + 60 * MS);

	assert_true(v0->ipi.pending_ipi);
	assert_int_equal(v2->ipi.ipi_sender, -1);
	kt_teardown(&x);
}

/*
 * MODEL.md 4c, window (kvm_vcpu_is_ipi_receiver): IPI v0 -> v2 at t: v2 is
 * a receiver at t and t+50ms (<= 50 ms), not at t+50ms+1ns; v1 never is.
 */
static void test_ipi_receiver_window_boundary(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;
	u64 t;

	(void)state;
	setup_tracking(&x, false);
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	t = x.now;
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, t);

	assert_true(kvm_vcpu_is_ipi_receiver(v0, v2, t));
	assert_true(kvm_vcpu_is_ipi_receiver(v0, v2, t + 50 * MS));
	assert_false(kvm_vcpu_is_ipi_receiver(v0, v2, t + 50 * MS + 1));
	assert_false(kvm_vcpu_is_ipi_receiver(v0, kt_vcpu(&x, 1), t));
	kt_teardown(&x);
}

/*
 * MODEL.md 2, ready on interrupt delivery (kvm_vcpu_kick ->
 * kvm_vcpu_wake_up): a fixed IPI to a halted v1 wakes it: ready, its
 * thread runnable and queued (rq0 1 -> 2 tasks), halt_wakeup 1.
 */
static void test_ipi_wakes_halted_receiver(void **state)
{
	static const enum kt_state st[] = { KT_QUEUED, KT_RUN };
	static const int dest[] = { 1 };
	struct kt x;
	struct kvm_vcpu *v1;

	(void)state;
	kt_setup(&x, 1, 2, cpu_one, st, NULL);
	v1 = kt_vcpu(&x, 1);
	kt_halt(&x, 1);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 1);

	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	assert_true(v1->ready);
	assert_int_equal(v1->stat.halt_wakeup, 1);
	assert_int_equal(x.t[1].state, TASK_RUNNING);
	assert_int_equal(kt_rq(&x, 0)->nr_running, 2);
	kt_teardown(&x);
}

/*
 * The v3 code (ipi_eoi_match_vector): only the EOI of the tracked IPI's
 * vector ends it. v0 sends CALL_FUNCTION_SINGLE_VECTOR to v2; v2 EOIs its
 * timer interrupt (LOCAL_TIMER_VECTOR) first: under v3 nothing is
 * cleared (v0 pending, v2's sender 0); the call-function EOI then clears
 * both. Under v2's rule (knob off) the timer's EOI already clears v0.
 */
static void test_eoi_v3_matches_vector(void **state)
{
	static const int dest[] = { 2 };
	struct kt x;
	struct kvm_vcpu *v0, *v2;

	(void)state;
	setup_tracking(&x, false);
	x.k.ipi_eoi_match_vector = true;
	v0 = kt_vcpu(&x, 0);
	v2 = kt_vcpu(&x, 2);
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);

	kvm_apic_eoi(v2, LOCAL_TIMER_VECTOR, x.now + 1 * MS);
	assert_true(v0->ipi.pending_ipi);
	assert_int_equal(v2->ipi.ipi_sender, 0);
	kvm_apic_eoi(v2, CALL_FUNCTION_SINGLE_VECTOR, x.now + 1 * MS);
	assert_false(v0->ipi.pending_ipi);
	assert_int_equal(v2->ipi.ipi_sender, -1);

	x.k.ipi_eoi_match_vector = false;
	send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 1, x.now);
	kvm_apic_eoi(v2, LOCAL_TIMER_VECTOR, x.now + 1 * MS);
	assert_false(v0->ipi.pending_ipi);
	kt_teardown(&x);
}

/*
 * kvm_irq_delivery_to_apic(): bad input is refused with -EINVAL and
 * nothing is delivered: index 4 in a 4-vCPU VM, n < 0, NULL list with
 * n > 0, unknown shorthand.
 */
static void test_ipi_bad_destination_einval(void **state)
{
	static const int dest[] = { 1, 4 };
	struct kt x;
	int i;

	(void)state;
	setup_tracking(&x, false);

	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, 2,
			      x.now),
			 -EINVAL);
	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest, -1,
			      x.now),
			 -EINVAL);
	assert_int_equal(send(&x, 0, APIC_DM_FIXED, APIC_DEST_NOSHORT, NULL, 1,
			      x.now),
			 -EINVAL);
	assert_int_equal(send(&x, 0, APIC_DM_FIXED, (enum apic_dest_shorthand)7,
			      NULL, 0, x.now),
			 -EINVAL);
	for (i = 0; i < 4; i++)
		assert_int_equal(kt_vcpu(&x, i)->pending_interrupts, 0);
	assert_int_equal(kt_vcpu(&x, 0)->stat.ipis_sent, 0);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipi_unicast_recorded),
		cmocka_unit_test(test_ipi_broadcast_not_recorded),
		cmocka_unit_test(test_ipi_multicast_not_recorded),
		cmocka_unit_test(test_ipi_duplicate_destination_is_unicast),
		cmocka_unit_test(test_ipi_self_not_recorded),
		cmocka_unit_test(test_ipi_shorthand_not_recorded),
		cmocka_unit_test(test_ipi_nmi_not_recorded),
		cmocka_unit_test(test_ipi_tracking_off_not_recorded),
		cmocka_unit_test(test_ipi_ipiv_nothing_recorded),
		cmocka_unit_test(test_ipi_apicv_sees_ipi_not_eoi),
		cmocka_unit_test(test_eoi_v3_matches_vector),
		cmocka_unit_test(test_eoi_clears_receiver_always),
		cmocka_unit_test(test_eoi_clears_sender_within_window),
		cmocka_unit_test(test_eoi_keeps_sender_outside_window),
		cmocka_unit_test(test_ipi_receiver_window_boundary),
		cmocka_unit_test(test_ipi_wakes_halted_receiver),
		cmocka_unit_test(test_ipi_bad_destination_einval),
	};

	return cmocka_run_group_tests_name("kvm_ipi", tests, NULL, NULL);
}
