// SPDX-License-Identifier: MIT
/*
 * The oracle policy (MODEL.md 7, "the oracle"): on a PLE exit and on a PV
 * yield it yields straight to the vCPU the engine says the spinner waits
 * for, when that vCPU is runnable and not running; it keeps spinning when
 * everything it waits for runs; otherwise the kernel's own rule decides. Every vCPU thread is on CPU 0 unless said otherwise;
 * vCPU 0 runs (the spinner) and the others are queued behind it.
 */
#include "kvm_test.h"

static const int cpu_one[] = { 0, 0, 0, 0 };
static const enum kt_state run0_rest_q[] = { KT_RUN, KT_QUEUED, KT_QUEUED,
					     KT_QUEUED };

/* The engine's answer, fixed by the test. */
static int awaited_is(const struct kvm_vcpu *me, void *ctx)
{
	(void)me;
	return *(const int *)ctx;
}

static void setup(struct kt *x, bool oracle, int *awaited)
{
	struct kvm_knobs k;

	kt_knobs(&k);
	k.oracle_yield = oracle;
	kt_setup(x, 1, 4, cpu_one, run0_rest_q, &k);
	x->kvm.awaited = awaited_is;
	x->kvm.awaited_ctx = awaited;
	for (int i = 1; i < 4; i++)
		kt_preempt(x, i, true);
}

/* The oracle on two CPUs: vCPU i on cpus[i], running or queued as st[i]. */
static void setup2(struct kt *x, const int *cpus, const enum kt_state *st,
		   int *awaited)
{
	struct kvm_knobs k;

	kt_knobs(&k);
	k.oracle_yield = true;
	kt_setup(x, 2, 4, cpus, st, &k);
	x->kvm.awaited = awaited_is;
	x->kvm.awaited_ctx = awaited;
}

/*
 * v1..v3 preempted in kernel mode, all candidates. The round robin would
 * start after last_boosted_vcpu 0, at v1; the oracle is told v0 waits for
 * v3 and yields there: 1 attempt, 1 success, 1 oracle yield, yielded_to
 * 3, and the round-robin start (last_boosted_vcpu) untouched at 0.
 */
static void test_oracle_yields_to_awaited(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = 3;

	(void)state;
	setup(&x, true, &awaited);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(v0->stat.oracle_yields, 1);
	assert_int_equal(v0->yielded_to, 3);
	assert_int_equal(x.kvm.last_boosted_vcpu, 0);
	/* yielded: still in its spin loop until it runs again */
	assert_true(v0->spin_loop.in_spin_loop);
	kt_teardown(&x);
}

/*
 * The awaited vCPU runs on another CPU: nothing to yield to there, so the
 * baseline scan decides. v0 on CPU 0 with v2, v3 queued (preempted); v1
 * runs on CPU 1 and is the one awaited. The oracle declines; the round
 * robin from v1 skips v1 (not ready: it runs) and yields to v2: 1
 * attempt, 1 success, 0 oracle yields, last_boosted_vcpu 2.
 */
static void test_oracle_awaited_running_falls_back(void **state)
{
	static const int cpus[] = { 0, 1, 0, 0 };
	static const enum kt_state st[] = { KT_RUN, KT_RUN, KT_QUEUED,
					    KT_QUEUED };
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = 1;

	(void)state;
	setup2(&x, cpus, st, &awaited);
	kt_preempt(&x, 2, true);
	kt_preempt(&x, 3, true);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(v0->stat.oracle_yields, 0);
	assert_int_equal(x.kvm.last_boosted_vcpu, 2);
	kt_teardown(&x);
}

/*
 * The awaited vCPU is queued on another CPU: the oracle yields there too
 * (yield_to() makes it the next buddy on its CPU and reschedules that
 * CPU). v0 runs on CPU 0 with v3 queued (preempted in kernel mode); v2
 * runs on CPU 1 with v1 queued behind it, preempted in user mode, which
 * the kernel's rule would skip; v1 is the one awaited: 1 attempt, 1
 * success, 1 oracle yield, yielded_to 1, last_boosted_vcpu untouched (0).
 */
static void test_oracle_yields_across_cpus(void **state)
{
	static const int cpus[] = { 0, 1, 1, 0 };
	static const enum kt_state st[] = { KT_RUN, KT_QUEUED, KT_RUN,
					    KT_QUEUED };
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = 1;

	(void)state;
	setup2(&x, cpus, st, &awaited);
	kt_preempt(&x, 1, false);
	kt_preempt(&x, 3, true);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(v0->stat.oracle_yields, 1);
	assert_int_equal(v0->yielded_to, 1);
	assert_int_equal(x.kvm.last_boosted_vcpu, 0);
	kt_teardown(&x);
}

/*
 * The engine cannot name a vCPU that would help (KVM_AWAIT_UNKNOWN), or
 * names the spinner itself: the baseline scan decides, from v1: 1
 * attempt, 1 success to v1, 0 oracle yields.
 */
static void test_oracle_nobody_awaited_falls_back(void **state)
{
	static const int answers[] = { KVM_AWAIT_UNKNOWN, 0 };

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		struct kt x;
		struct kvm_vcpu *v0;
		int awaited = answers[i];

		setup(&x, true, &awaited);
		v0 = kt_vcpu(&x, 0);
		kvm_vcpu_on_spin(v0, true, x.now);
		assert_int_equal(v0->stat.directed_yield_successful, 1);
		assert_int_equal(v0->stat.oracle_yields, 0);
		assert_int_equal(x.kvm.last_boosted_vcpu, 1);
		kt_teardown(&x);
	}
}

/*
 * Everything v0 waits for runs (KVM_AWAIT_RUNS): a yield would only delay
 * v0, so the oracle keeps spinning: no attempt although v1..v3 are
 * candidates, 1 oracle spin, the spin loop closed at once.
 */
static void test_oracle_keeps_spinning_while_awaited_runs(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = KVM_AWAIT_RUNS;

	(void)state;
	setup(&x, true, &awaited);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.directed_yield_attempted, 0);
	assert_int_equal(v0->stat.oracle_spins, 1);
	assert_false(v0->spin_loop.in_spin_loop);
	kt_teardown(&x);
}

/*
 * With oracle_yield off the engine's answer is never asked: the baseline
 * yields to v1 although v3 is awaited.
 */
static void test_oracle_off_ignores_awaited(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = 3;

	(void)state;
	setup(&x, false, &awaited);
	v0 = kt_vcpu(&x, 0);

	kvm_vcpu_on_spin(v0, true, x.now);

	assert_int_equal(v0->stat.oracle_yields, 0);
	assert_int_equal(x.kvm.last_boosted_vcpu, 1);
	assert_int_equal(v0->yielded_to, 1);
	kt_teardown(&x);
}

/*
 * A PV yield (KVM_HC_SCHED_YIELD) names v1, but v0 waits for v2: the
 * oracle yields to v2 instead (1 attempt, 1 success, 1 oracle yield,
 * yielded_to 2).
 */
static void test_oracle_redirects_pv_yield(void **state)
{
	struct kt x;
	struct kvm_vcpu *v0;
	int awaited = 2;

	(void)state;
	setup(&x, true, &awaited);
	v0 = kt_vcpu(&x, 0);

	assert_int_equal(kvm_hc_sched_yield(v0, 1, x.now), 0);

	assert_int_equal(v0->stat.directed_yield_attempted, 1);
	assert_int_equal(v0->stat.directed_yield_successful, 1);
	assert_int_equal(v0->stat.oracle_yields, 1);
	assert_int_equal(v0->yielded_to, 2);
	kt_teardown(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle_yields_to_awaited),
		cmocka_unit_test(test_oracle_awaited_running_falls_back),
		cmocka_unit_test(test_oracle_yields_across_cpus),
		cmocka_unit_test(test_oracle_nobody_awaited_falls_back),
		cmocka_unit_test(test_oracle_keeps_spinning_while_awaited_runs),
		cmocka_unit_test(test_oracle_off_ignores_awaited),
		cmocka_unit_test(test_oracle_redirects_pv_yield),
	};

	return cmocka_run_group_tests_name("kvm_oracle", tests, NULL, NULL);
}
