// SPDX-License-Identifier: MIT
/*
 * The series' scheduler side: v2 debooster (MODEL.md 4a) and v3 lag credit
 * (MODEL.md 4b), both steps of yield_to_task_fair() in kernel/sched/fair.c.
 * One CPU: base slice 0.7 ms, so gran = 0.7 ms for weight 1024.
 */
#include "fixture.h"

static struct sched_features feat(bool deboost, bool credit, u64 rate)
{
	struct sched_features ft;

	sched_features_default(&ft);
	ft.vcpu_debooster_enabled = deboost;
	ft.vcpu_lag_credit_enabled = credit;
	ft.debooster_rate_limit_ns = rate;
	return ft;
}

/* One VM (cgroup) with vCPU threads Y (t0) and T (t1), and X (t2) if
 * @three; Y running at v=0. T put at v_t, deadline v_t + 0.7 ms. */
static struct rq *one_vm(struct fx *f, const struct sched_features *ft,
			 bool three, u64 v_t)
{
	struct task_group *vm;
	struct rq *rq;

	fx_init_feat(f, 1, ft);
	rq = cpu_rq(&f->s, 0);
	vm = sched_create_group(&f->s, NULL, 1024, "vm");
	fx_task(f, 0, vm, 0, 0);
	fx_task(f, 1, vm, 0, 0);
	if (three)
		fx_task(f, 2, vm, 0, 0);
	assert_ptr_equal(schedule(rq, 0), &f->t[0]);
	set_vd(&f->t[1].se, v_t, v_t + US(700));
	return rq;
}

/* MODEL.md 4a "penalty = gran + need + need/10", "Apply: yielder v +=
 * penalty, deadline = v + calc_delta_fair(slice)". need = 0.9 ms:
 * penalty = 0.7 + 0.9 + 0.09 = 1.69 ms (cap 6 x 0.7 = 4.2): v_Y = 1.69,
 * d_Y = 2.39 ms. Then V = (1.69 + 0.9)/2: Y not eligible, no forfeit. */
static void test_deboost_penalty(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct fx f;
	struct rq *rq = one_vm(&f, &ft, false, US(900));

	(void)state;
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, 0), 1);
	assert_int_equal(f.t[0].se.vruntime, US(1690));
	assert_int_equal(f.t[0].se.deadline, US(2390));
	assert_int_equal(rq->stats.deboosts, 1);
	fx_fini(&f);
}

/* MODEL.md 4a "need = max(0, v_target - v_yielder)": T behind Y (v_T = 0,
 * v_Y = 0.5 ms): need 0, penalty = gran = 0.7 -> v_Y = 1.2 ms. */
static void test_deboost_need_not_negative(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct fx f;

	(void)state;
	one_vm(&f, &ft, false, 0);
	set_vd(&f.t[0].se, US(500), US(1200));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(f.t[0].se.vruntime, US(1200));
	fx_fini(&f);
}

/* MODEL.md 4a cap table, one row per line: 2: 6g; 3: 4g; 4-6: 2.5g;
 * 7-8: 2g; 9-12: 1.5g; more: 1g (tenths of gran). */
static void test_deboost_cap_table(void **state)
{
	static const unsigned int want[][2] = {
		{ 2, 60 },  { 3, 40 },  { 4, 25 },  { 5, 25 },  { 6, 25 },
		{ 7, 20 },  { 8, 20 },  { 9, 15 },  { 12, 15 }, { 13, 10 },
		{ 64, 10 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(deboost_cap_tenths(want[i][0]), want[i][1]);
}

/* MODEL.md 4a "Clamp to [gran, cap]", 2 queued: need = 100 ms, penalty
 * 0.7 + 100 + 10 ms is capped at 6 x 0.7 = 4.2 ms. Y is still far behind
 * T (V = 52.1 ms), so it is eligible and the forfeit adds its 0.7 ms
 * request: 4.9 ms. */
static void test_deboost_cap_two_queued(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct fx f;

	(void)state;
	one_vm(&f, &ft, false, MS(100));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(f.t[0].se.vruntime, US(4900));
	fx_fini(&f);
}

/* MODEL.md 4a cap row "3: 4g" applied: X also queued, same huge need:
 * penalty capped at 4 x 0.7 = 2.8 ms, plus the 0.7 ms forfeit of the
 * still eligible Y (V = 34.27 ms): 3.5 ms. */
static void test_deboost_cap_three_queued(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct fx f;

	(void)state;
	one_vm(&f, &ft, true, MS(100));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(f.t[0].se.vruntime, US(3500));
	fx_fini(&f);
}

/* A first Y->T deboost at t=0 (v_T = 0.9 ms); returns the rq. */
static struct rq *first_yield(struct fx *f, u64 rate)
{
	struct sched_features ft = feat(true, false, rate);
	struct rq *rq = one_vm(f, &ft, false, US(900));

	assert_int_equal(yield_to(&f->s, &f->t[0], &f->t[1], true, 0), 1);
	return rq;
}

/* Bring the runner's vruntime up to @now, put @other 2 ms ahead of it and
 * let the runner yield to it; returns the penalty the runner received. */
static u64 yield_with_need_2ms(struct fx *f, struct rq *rq, struct task *me,
			       struct task *other, u64 now)
{
	u64 before;

	sched_update_clock(rq, now);
	update_curr(&f->s, me->se.cfs_rq);
	before = me->se.vruntime;
	set_vd(&other->se, before + MS(2), before + MS(2) + US(700));
	assert_int_equal(yield_to(&f->s, me, other, true, now), 1);
	return me->se.vruntime - before;
}

/* MODEL.md 4a "Reverse-pair debounce: if the previous pair on this rq was
 * target->yielder within 600 us, penalty = min(penalty, max(need, gran))".
 * Y->T at 0, T runs, T->Y at 0.3 ms with need 2 ms: penalty min(0.7 + 2 +
 * 0.2, max(2, 0.7)) = 2 ms. That puts T exactly at Y's vruntime = V, so T
 * is eligible and the forfeit that follows adds its 0.7 ms request:
 * 2.7 ms in all (undebounced it would be 2.9). Rate limit off. */
static void test_deboost_debounce_reverse_pair(void **state)
{
	struct fx f;
	struct rq *rq = first_yield(&f, 0);

	(void)state;
	assert_ptr_equal(schedule(rq, 0), &f.t[1]);
	assert_int_equal(yield_with_need_2ms(&f, rq, &f.t[1], &f.t[0],
					     US(300)),
			 US(2700));
	fx_fini(&f);
}

/* MODEL.md 4a debounce "only for the reverse pair": Y->T again at 0.3 ms
 * with need 2 ms gets the full 0.7 + 2 + 0.2 = 2.9 ms. */
static void test_deboost_same_pair_not_debounced(void **state)
{
	struct fx f;
	struct rq *rq = first_yield(&f, 0);

	(void)state;
	assert_int_equal(yield_with_need_2ms(&f, rq, &f.t[0], &f.t[1],
					     US(300)),
			 US(2900));
	fx_fini(&f);
}

/* MODEL.md 4a debounce "within 600 us": the reverse pair at 0.7 ms gets
 * the full 2.9 ms. */
static void test_deboost_reverse_pair_after_window(void **state)
{
	struct fx f;
	struct rq *rq = first_yield(&f, 0);

	(void)state;
	schedule(rq, 0);
	assert_int_equal(yield_with_need_2ms(&f, rq, &f.t[1], &f.t[0],
					     US(700)),
			 US(2900));
	fx_fini(&f);
}

/* MODEL.md 4a "Rate limit: at most once per 6 ms per rq". Applied at 0;
 * at 1 ms not (counted as rate limited); at 6 ms again. */
static void test_deboost_rate_limit(void **state)
{
	struct fx f;
	struct rq *rq = first_yield(&f, MS(6));

	(void)state;
	assert_int_equal(rq->stats.deboosts, 1);
	yield_to(&f.s, &f.t[0], &f.t[1], true, MS(1));
	assert_int_equal(rq->stats.deboosts, 1);
	assert_int_equal(rq->stats.deboost_rate_limited, 1);
	yield_to(&f.s, &f.t[0], &f.t[1], true, MS(6));
	assert_int_equal(rq->stats.deboosts, 2);
	fx_fini(&f);
}

/* MODEL.md 4a "Runtime switch": with the debooster off the same yield
 * only forfeits: Y eligible (0 <= V = 0.45 ms) -> v = d = 0.35 ms. */
static void test_deboost_switch_off(void **state)
{
	struct sched_features ft = feat(false, false, MS(6));
	struct fx f;
	struct rq *rq = one_vm(&f, &ft, false, US(900));

	(void)state;
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(f.t[0].se.vruntime, US(350));
	assert_int_equal(rq->stats.deboosts, 0);
	fx_fini(&f);
}

/* MODEL.md 4a "Yielder and target must be ... on the same rq": Y on CPU0
 * (with X), T queued on CPU1 (behind Z): the yield succeeds, no penalty. */
static void test_deboost_same_rq_only(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct task_group *vm;
	struct fx f;

	(void)state;
	fx_init_feat(&f, 2, &ft);
	vm = sched_create_group(&f.s, NULL, 1024, "vm");
	fx_task(&f, 0, vm, 0, 0);
	fx_task(&f, 2, vm, 0, 0);
	fx_task(&f, 3, vm, 1, 0);
	fx_task(&f, 1, vm, 1, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	schedule(cpu_rq(&f.s, 1), 0);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(100)), 1);
	assert_int_equal(cpu_rq(&f.s, 0)->stats.deboosts, 0);
	assert_int_equal(f.t[0].se.vruntime, US(100));
	fx_fini(&f);
}

/* Y and X on CPU0 (Y running), Z and T on CPU1 (Z running), one VM. */
static void two_cpus(struct fx *f, const struct sched_features *ft)
{
	struct task_group *vm;

	fx_init_feat(f, 2, ft);
	vm = sched_create_group(&f->s, NULL, 1024, "vm");
	fx_task(f, 0, vm, 0, 0);
	fx_task(f, 2, vm, 0, 0);
	fx_task(f, 3, vm, 1, 0);
	fx_task(f, 1, vm, 1, 0);
	schedule(cpu_rq(&f->s, 0), 0);
	schedule(cpu_rq(&f->s, 1), 0);
}

/* The v2 code (debooster_rate_limit_first): the rate limit is checked,
 * and stamped when it lets the call through, before the same-rq check.
 * Y yields to T on the other CPU at 100 us: no penalty, but CPU0's limit
 * is stamped; Y's yield to X on its own CPU at 200 us falls within 6 ms:
 * rate limited (0 deboosts, 1 limited). In MODEL.md 4a's order (knob off)
 * the same two yields deboost once. */
static void test_deboost_v2_rate_limit_stamped_before_same_rq(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct fx f;
	struct rq *rq;

	(void)state;
	ft.debooster_rate_limit_first = true;
	two_cpus(&f, &ft);
	rq = cpu_rq(&f.s, 0);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(100)), 1);
	assert_int_equal(rq->stats.deboosts, 0);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[2], true, US(200)), 1);
	assert_int_equal(rq->stats.deboosts, 0);
	assert_int_equal(rq->stats.deboost_rate_limited, 1);
	fx_fini(&f);

	ft.debooster_rate_limit_first = false;
	two_cpus(&f, &ft);
	rq = cpu_rq(&f.s, 0);
	yield_to(&f.s, &f.t[0], &f.t[1], true, US(100));
	yield_to(&f.s, &f.t[0], &f.t[2], true, US(200));
	assert_int_equal(rq->stats.deboosts, 1);
	fx_fini(&f);
}

/* The v2 code (debooster_cap_h_nr_queued): the cap counts the tasks under
 * the LCA. Y and T in one VM, beside a child cgroup of three tasks: 3
 * entities at the VM's level (4g = 2.8 ms) but 5 tasks (2.5g = 1.75 ms).
 * T is 100 ms ahead: penalty 0.7 + 100 + 10 ms capped at 1.75 ms; Y is
 * still eligible (V >= 33 ms), so the forfeit adds its 0.7 ms request:
 * 2.45 ms. Counting entities (knob off): 2.8 + 0.7 = 3.5 ms. */
static void test_deboost_v2_cap_counts_h_nr_queued(void **state)
{
	static const bool h[] = { true, false };
	static const u64 want[] = { US(2450), US(3500) };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct sched_features ft = feat(true, false, MS(6));
		struct task_group *vm, *emu;
		struct fx f;
		struct rq *rq;

		ft.debooster_cap_h_nr_queued = h[i];
		fx_init_feat(&f, 1, &ft);
		rq = cpu_rq(&f.s, 0);
		vm = sched_create_group(&f.s, NULL, 1024, "vm");
		emu = sched_create_group(&f.s, vm, 1024, "vm/emu");
		fx_task(&f, 0, vm, 0, 0);
		fx_task(&f, 1, vm, 0, 0);
		for (int k = 2; k < 5; k++)
			fx_task(&f, k, emu, 0, 0);
		assert_ptr_equal(schedule(rq, 0), &f.t[0]);
		set_vd(&f.t[1].se, MS(100), MS(100) + US(700));
		assert_int_equal(f.t[0].se.cfs_rq->nr_queued, 3);
		assert_int_equal(f.t[0].se.cfs_rq->h_nr_queued, 5);

		yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
		assert_int_equal(f.t[0].se.vruntime, want[i]);
		fx_fini(&f);
	}
}

/* MODEL.md 4a "lowest common ancestor", depth 0: Y in vm1, T in vm2, both
 * under the root. The pair at the LCA is the two VMs' group entities
 * (weight 1024 each): vm2 ahead by 0.9 ms -> vm1's entity gets 1.69 ms.
 * Y itself, alone (so eligible) in vm1, only forfeits: 0 -> 0.35 ms. */
static void test_deboost_lca_between_vms(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct task_group *vm1, *vm2;
	struct fx f;

	(void)state;
	fx_init_feat(&f, 1, &ft);
	vm1 = sched_create_group(&f.s, NULL, 1024, "vm1");
	vm2 = sched_create_group(&f.s, NULL, 1024, "vm2");
	fx_task(&f, 0, vm1, 0, 0);
	fx_task(&f, 1, vm2, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	set_vd(&vm2->se[0], US(900), US(1600));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(vm1->se[0].vruntime, US(1690));
	assert_int_equal(f.t[0].se.vruntime, US(350));
	fx_fini(&f);
}

/* MODEL.md 4a LCA at depth 1: machine.slice holds vm1 and vm2; the root
 * holds only machine.slice. The penalty lands on vm1's entity inside
 * machine.slice (1.69 ms), not on machine.slice's own entity. */
static void test_deboost_lca_nested(void **state)
{
	struct sched_features ft = feat(true, false, MS(6));
	struct task_group *m, *vm1, *vm2;
	struct fx f;

	(void)state;
	fx_init_feat(&f, 1, &ft);
	m = sched_create_group(&f.s, NULL, 1024, "machine.slice");
	vm1 = sched_create_group(&f.s, m, 1024, "vm1");
	vm2 = sched_create_group(&f.s, m, 1024, "vm2");
	fx_task(&f, 0, vm1, 0, 0);
	fx_task(&f, 1, vm2, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	assert_int_equal(vm1->se[0].depth, 1);
	set_vd(&vm2->se[0], US(900), US(1600));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(vm1->se[0].vruntime, US(1690));
	assert_int_equal(m->se[0].vruntime, 0);
	fx_fini(&f);
}

/* Y curr at v=10 ms (d 10.7), T at v_t (d v_t + 0.7), one VM. */
static struct rq *credit_setup(struct fx *f, bool credit, u64 v_t)
{
	struct sched_features ft = feat(false, credit, MS(6));
	struct rq *rq = one_vm(f, &ft, false, v_t);

	set_vd(&f->t[0].se, MS(10), US(10700));
	return rq;
}

/* MODEL.md 4b "give the nominated buddy chain a small positive lag credit
 * ... so that pick_eevdf chooses it through the buddy path". v_T = 13:
 * V = 11.5, vlag -1.5 ms -> max(0, .) + 0.7/2 = 0.35 ms; placed beside Y
 * alone: lag 0.35 x 2048/1024 = 0.7 -> v_T = 9.3, deadline 9.3 + 0.7 = 10;
 * V = 9.65, lag 0.35 ms; the buddy is eligible and runs. */
static void test_lag_credit_makes_buddy_eligible(void **state)
{
	struct fx f;
	struct rq *rq = credit_setup(&f, true, MS(13));

	(void)state;
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, 0), 1);
	assert_int_equal(f.t[1].se.vruntime, US(9300));
	assert_int_equal(f.t[1].se.deadline, MS(10));
	assert_int_equal(lag_of(&f.t[1].se), (s64)US(350));
	assert_int_equal(rq->stats.lag_credits, 1);
	assert_ptr_equal(schedule(rq, 0), &f.t[1]);
	fx_fini(&f);
}

/* MODEL.md 4b, the problem it fixes: without the credit the ineligible
 * buddy (13 > V) is passed over and the yielder runs on. */
static void test_no_credit_ineligible_buddy_skipped(void **state)
{
	struct fx f;
	struct rq *rq = credit_setup(&f, false, MS(13));

	(void)state;
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_ptr_equal(schedule(rq, 0), &f.t[0]);
	fx_fini(&f);
}

/* MODEL.md 4b "clamped to the legal lag bound": v_T = 2.2: V = 6.1, lag
 * +3.9 ms; + 0.35 = 4.25 > 4 ms bound -> 4 ms; placed: 4 x 2 = 8 ->
 * v_T = 10 - 8 = 2 ms. */
static void test_lag_credit_clamped(void **state)
{
	struct fx f;

	(void)state;
	credit_setup(&f, true, US(2200));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(f.t[1].se.vruntime, MS(2));
	fx_fini(&f);
}

/* MODEL.md 4b "the nominated buddy chain": across VMs the credit reaches
 * the target VM's group entity at the root: vm1 at 10 ms (curr), vm2 at
 * 13 ms -> vm2's entity is placed at 9.3 ms exactly as a task would be. */
static void test_lag_credit_reaches_group_entity(void **state)
{
	struct sched_features ft = feat(false, true, MS(6));
	struct task_group *vm1, *vm2;
	struct fx f;

	(void)state;
	fx_init_feat(&f, 1, &ft);
	vm1 = sched_create_group(&f.s, NULL, 1024, "vm1");
	vm2 = sched_create_group(&f.s, NULL, 1024, "vm2");
	fx_task(&f, 0, vm1, 0, 0);
	fx_task(&f, 1, vm2, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	set_vd(&vm1->se[0], MS(10), US(10700));
	set_vd(&vm2->se[0], MS(13), US(13700));
	yield_to(&f.s, &f.t[0], &f.t[1], true, 0);
	assert_int_equal(vm2->se[0].vruntime, US(9300));
	fx_fini(&f);
}

/* MODEL.md 4b "cancel the yielder's slice protection";
 * cancel_protect_slice(): vprot 20 ms > v 10 ms becomes v. */
static void test_lag_credit_cancels_protection(void **state)
{
	struct fx f;
	struct rq *rq = credit_setup(&f, true, MS(13));

	(void)state;
	f.t[0].se.vprot = MS(20);
	assert_true(yield_lag_credit(rq, &f.t[0], &f.t[1]));
	assert_int_equal(f.t[0].se.vprot, MS(10));
	fx_fini(&f);
}

/* MODEL.md 4b "only that forced reschedule is rate-limited to 6 ms":
 * credits at 0, 1 and 6 ms force a reschedule at 0 and 6 ms only (counted
 * apart: update_curr may ask for a reschedule of its own). */
static void test_lag_credit_resched_rate_limited(void **state)
{
	static const u64 at[3] = { 0, MS(1), MS(6) };
	static const u64 want[3] = { 1, 1, 2 };
	struct fx f;
	struct rq *rq = credit_setup(&f, true, MS(13));

	(void)state;
	for (int i = 0; i < 3; i++) {
		sched_update_clock(rq, at[i]);
		assert_true(yield_lag_credit(rq, &f.t[0], &f.t[1]));
		assert_int_equal(rq->stats.lag_credit_resched, want[i]);
	}
	assert_int_equal(rq->stats.lag_credits, 3);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deboost_penalty),
		cmocka_unit_test(test_deboost_need_not_negative),
		cmocka_unit_test(test_deboost_cap_table),
		cmocka_unit_test(test_deboost_v2_rate_limit_stamped_before_same_rq),
		cmocka_unit_test(test_deboost_v2_cap_counts_h_nr_queued),
		cmocka_unit_test(test_deboost_cap_two_queued),
		cmocka_unit_test(test_deboost_cap_three_queued),
		cmocka_unit_test(test_deboost_debounce_reverse_pair),
		cmocka_unit_test(test_deboost_same_pair_not_debounced),
		cmocka_unit_test(test_deboost_reverse_pair_after_window),
		cmocka_unit_test(test_deboost_rate_limit),
		cmocka_unit_test(test_deboost_switch_off),
		cmocka_unit_test(test_deboost_same_rq_only),
		cmocka_unit_test(test_deboost_lca_between_vms),
		cmocka_unit_test(test_deboost_lca_nested),
		cmocka_unit_test(test_lag_credit_makes_buddy_eligible),
		cmocka_unit_test(test_no_credit_ineligible_buddy_skipped),
		cmocka_unit_test(test_lag_credit_clamped),
		cmocka_unit_test(test_lag_credit_reaches_group_entity),
		cmocka_unit_test(test_lag_credit_cancels_protection),
		cmocka_unit_test(test_lag_credit_resched_rate_limited),
	};
	return cmocka_run_group_tests_name("sched_debooster", tests, NULL,
					   NULL);
}
