// SPDX-License-Identifier: MIT
/* EEVDF arithmetic: MODEL.md section 1, kernel/sched/fair.c. */
#include "fixture.h"

/* MODEL.md 1 "Base slice 0.70 ms x (1 + ilog2(min(ncpus, 8)))";
 * update_sysctl(). 1 CPU: 0.7 x 1; 2: 0.7 x 2 = 1.4; 4: 0.7 x 3 = 2.1;
 * 16: min(16,8)=8, ilog2 3 -> 0.7 x 4 = 2.8 ms; no scaling: 0.7 ms. */
static void test_base_slice_scaling(void **state)
{
	static const struct {
		unsigned int cpus;
		bool scale;
		u64 slice;
	} cases[] = {
		{ 1, true, 700000 },   { 2, true, 1400000 },
		{ 4, true, 2100000 },  { 16, true, 2800000 },
		{ 16, false, 700000 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sched_params p;
		struct sched_features f;
		struct sched s;

		sched_params_default(&p);
		sched_features_default(&f);
		p.nr_cpus = cases[i].cpus;
		p.tunable_scaling_log = cases[i].scale;
		assert_int_equal(sched_init(&s, &p, &f), 0);
		assert_int_equal(s.base_slice, cases[i].slice);
		sched_destroy(&s);
	}
}

/* MODEL.md 1 "calc_delta_fair(d, se) = d * 1024 / w"; calc_delta_fair().
 * w=1024: 1000 -> 1000; w=2048: 1000 -> 500; w=3: 1024000/3 = 341333. */
static void test_calc_delta_fair(void **state)
{
	struct sched_entity se = { .weight = 1024 };

	(void)state;
	assert_int_equal(calc_delta_fair(1000, &se), 1000);
	se.weight = 2048;
	assert_int_equal(calc_delta_fair(1000, &se), 500);
	se.weight = 3;
	assert_int_equal(calc_delta_fair(1000, &se), 341333);
}

/* MODEL.md 1 "avg_vruntime V: weighted average of queued vruntime";
 * avg_vruntime(). A w=1024 v=10 ms, B w=2048 v=13 ms:
 * V = (10*1024 + 13*2048) / 3072 = 36864/3072 = 12 ms. */
static void test_avg_vruntime_weighted(void **state)
{
	struct fx f;
	struct task *a, *b;

	(void)state;
	fx_init(&f, 1);
	a = fx_task(&f, 0, NULL, 0, 0);
	sched_task_init(&f.s, &f.t[1], NULL, 2048, 0);
	b = &f.t[1];
	wake_up_new_task(&f.s, b, 0);
	set_vd(&a->se, MS(10), MS(11));
	set_vd(&b->se, MS(13), MS(14));
	assert_int_equal(avg_vruntime(&cpu_rq(&f.s, 0)->cfs), MS(12));
	fx_fini(&f);
}

/* MODEL.md 1 V "rounded down"; avg_vruntime() floors a negative mean:
 * keys -1 and 0, w=1024 each: sum -1024 / 2048 = -0.5 -> floor -1, so
 * V = 2^64 - 1 (truncation would give 0). */
static void test_avg_vruntime_floors(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 1);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	set_vd(&f.t[0].se, (u64)-1, MS(1));
	set_vd(&f.t[1].se, 0, MS(1));
	assert_true(avg_vruntime(&cpu_rq(&f.s, 0)->cfs) == UINT64_MAX);
	fx_fini(&f);
}

/* MODEL.md 1 "eligible iff vruntime <= V, without division";
 * vruntime_eligible(). v = 0, 1500, 3000 ns (w=1024): V = 1500, the middle
 * one is eligible (equal). Moved to 1501: sum key*w = 4501*1024 = 4609024 <
 * 1501 * 3072 = 4611072, so not eligible although floor(V) = 1500. */
static void test_eligible_iff_not_after_V(void **state)
{
	struct fx f;
	struct cfs_rq *q;

	(void)state;
	fx_init(&f, 1);
	for (int i = 0; i < 3; i++)
		fx_task(&f, i, NULL, 0, 0);
	q = &cpu_rq(&f.s, 0)->cfs;
	set_vd(&f.t[1].se, 1500, MS(1));
	set_vd(&f.t[2].se, 3000, MS(1));
	assert_true(entity_eligible(q, &f.t[0].se));
	assert_true(entity_eligible(q, &f.t[1].se));
	assert_false(entity_eligible(q, &f.t[2].se));
	set_vd(&f.t[1].se, 1501, MS(1));
	assert_int_equal(avg_vruntime(q), 1500);
	assert_false(entity_eligible(q, &f.t[1].se));
	fx_fini(&f);
}

/* MODEL.md 1 "Lag clamped to +/- calc_delta_fair(max(slice, tick))-ish";
 * update_entity_lag() uses max(2 * slice, TICK_NSEC). Tick 4 ms:
 * slice 0.7 ms -> 4 ms; slice 2.8 ms -> 5.6 ms; slice 2.8 ms at w=2048 ->
 * 5.6 * 1024/2048 = 2.8 ms. */
static void test_entity_lag_limit(void **state)
{
	struct sched_entity se = { .weight = 1024, .slice = US(700) };

	(void)state;
	assert_int_equal(entity_lag_limit(&se, MS(4)), MS(4));
	se.slice = US(2800);
	assert_int_equal(entity_lag_limit(&se, MS(4)), US(5600));
	se.weight = 2048;
	assert_int_equal(entity_lag_limit(&se, MS(4)), US(2800));
}

/* MODEL.md 1 lag "Saved at dequeue", clamped; update_entity_lag() from
 * dequeue_entity(). A runs 0..20 ms untouched by ticks while B waits at
 * v=0; A blocks: v_A = 20 ms, V = (20 + 0)/2 = 10 ms, lag = -10 ms,
 * clamped to -4 ms (limit max(1.4, 4) ms). DELAY_DEQUEUE off so the sleeper
 * really leaves. */
static void test_lag_saved_and_clamped_at_dequeue(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	ft.delay_dequeue = false;
	fx_init_feat(&f, 1, &ft);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	assert_ptr_equal(schedule(rq, 0), &f.t[0]);
	sched_block(&f.s, &f.t[0], MS(20));
	assert_false(f.t[0].se.on_rq);
	assert_int_equal(f.t[0].se.vlag, -(s64)MS(4));
	fx_fini(&f);
}

/* MODEL.md 1 "place_entity: lag = vlag * (W + w) / W, v = V - lag";
 * place_entity(). A blocks at 2 ms with v=2, V=1 -> vlag -1 ms. B runs
 * 2..3 ms (v_B = 1 ms). A wakes at 3 ms: W = 1024 (B), lag = -1 * 2048/1024
 * = -2 ms, v_A = 1 + 2 = 3 ms; afterwards V = (1 + 3)/2 = 2 ms, so the lag
 * measured is -1 ms again: it survived dequeue/enqueue. */
static void test_lag_survives_sleep(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	ft.delay_dequeue = false;
	fx_init_feat(&f, 1, &ft);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	schedule(rq, 0);
	sched_block(&f.s, &f.t[0], MS(2));
	assert_int_equal(f.t[0].se.vlag, -(s64)MS(1));
	assert_ptr_equal(schedule(rq, MS(2)), &f.t[1]);
	try_to_wake_up(&f.s, &f.t[0], MS(3));
	assert_int_equal(f.t[0].se.vruntime, MS(3));
	assert_int_equal(f.t[0].se.deadline, MS(3) + US(700));
	assert_int_equal(lag_of(&f.t[0].se), -(s64)MS(1));
	fx_fini(&f);
}

/* MODEL.md 1 "a new task's first slice is halved: PLACE_DEADLINE_INITIAL";
 * place_entity(). First task: V = 0, v = 0, deadline 0.35 ms; with the
 * feature off, 0.7 ms. */
static void test_initial_slice_halved(void **state)
{
	struct sched_features ft;
	struct fx f;

	(void)state;
	fx_init(&f, 1);
	fx_task(&f, 0, NULL, 0, 0);
	assert_int_equal(f.t[0].se.deadline, US(350));
	fx_fini(&f);

	sched_features_default(&ft);
	ft.place_deadline_initial = false;
	fx_init_feat(&f, 1, &ft);
	fx_task(&f, 0, NULL, 0, 0);
	assert_int_equal(f.t[0].se.deadline, US(700));
	fx_fini(&f);
}

/* MODEL.md 1 "update_curr: v += calc_delta_fair(delta_exec)";
 * update_curr(). A w=2048 runs 3 ms: v = 3 * 1024/2048 = 1.5 ms; its
 * runtime sum is the real 3 ms. */
static void test_update_curr_weighted(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	sched_task_init(&f.s, &f.t[0], NULL, 2048, 0);
	wake_up_new_task(&f.s, &f.t[0], 0);
	schedule(rq, 0);
	sched_tick(rq, MS(3));
	assert_int_equal(f.t[0].se.vruntime, US(1500));
	assert_int_equal(f.t[0].se.sum_exec_runtime, MS(3));
	fx_fini(&f);
}

/* MODEL.md 1 "update_deadline: once v >= deadline, deadline = v +
 * calc_delta_fair(slice)"; update_deadline(). Alone, A runs 1 ms past its
 * 0.35 ms deadline: new deadline 1 + 0.7 = 1.7 ms; no resched while it is
 * the only entity queued. */
static void test_deadline_renewed_alone_no_resched(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(rq, 0);
	sched_tick(rq, MS(1));
	assert_int_equal(f.t[0].se.deadline, US(1700));
	assert_false(rq->need_resched);
	fx_fini(&f);
}

/* MODEL.md 1 "update_deadline ... and reschedule"; update_curr(). With B
 * queued, the same renewal at 1 ms asks for a reschedule. */
static void test_deadline_renewal_reschedules(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	schedule(rq, 0);
	sched_tick(rq, MS(1));
	assert_int_equal(f.t[0].se.deadline, US(1700));
	assert_true(rq->need_resched);
	fx_fini(&f);
}

/* MODEL.md 1 (weights; lag kept across a weight change); reweight_entity().
 * A curr v=10 ms, B queued v=11 ms d=11.7 ms: V = 10.5, vlag_B = -0.5 ms.
 * B to w=2048: vlag scaled by 1024/2048 -> -0.25 ms; without B, V = 10 ms;
 * placed lag = -0.25 * (1024 + 2048)/1024 = -0.75 -> v_B = 10.75 ms;
 * relative deadline 0.7 ms scaled to 0.35 -> 11.1 ms; then
 * V = (10*1024 + 10.75*2048)/3072 = 10.5 ms and the lag is -0.25 ms. */
static void test_reweight_keeps_lag(void **state)
{
	struct fx f;
	struct cfs_rq *q;

	(void)state;
	fx_init(&f, 1);
	q = &cpu_rq(&f.s, 0)->cfs;
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	set_vd(&f.t[0].se, MS(10), US(10700));
	set_vd(&f.t[1].se, MS(11), US(11700));
	reweight_entity(&f.s, q, &f.t[1].se, 2048);
	assert_int_equal(f.t[1].se.weight, 2048);
	assert_int_equal(f.t[1].se.vruntime, US(10750));
	assert_int_equal(f.t[1].se.deadline, US(11100));
	assert_int_equal(lag_of(&f.t[1].se), -(s64)US(250));
	assert_int_equal(q->load, 3072);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_slice_scaling),
		cmocka_unit_test(test_calc_delta_fair),
		cmocka_unit_test(test_avg_vruntime_weighted),
		cmocka_unit_test(test_avg_vruntime_floors),
		cmocka_unit_test(test_eligible_iff_not_after_V),
		cmocka_unit_test(test_entity_lag_limit),
		cmocka_unit_test(test_lag_saved_and_clamped_at_dequeue),
		cmocka_unit_test(test_lag_survives_sleep),
		cmocka_unit_test(test_initial_slice_halved),
		cmocka_unit_test(test_update_curr_weighted),
		cmocka_unit_test(test_deadline_renewed_alone_no_resched),
		cmocka_unit_test(test_deadline_renewal_reschedules),
		cmocka_unit_test(test_reweight_keeps_lag),
	};
	return cmocka_run_group_tests_name("sched_eevdf", tests, NULL, NULL);
}
