// SPDX-License-Identifier: MIT
/* Task placement and balancing, MODEL.md section 1 "Load balancing: wakeups
 * go to an idle CPU in the LLC if one exists, else the previous CPU;
 * periodic balancing evens out runnable counts ... must support pinned
 * vCPUs"; select_task_rq_fair(), sched_balance_rq() in kernel/sched/fair.c
 * (simplified as docs/model.md says). */
#include "fixture.h"

/* Task i running alone on @cpu. */
static void busy(struct fx *f, int i, int cpu)
{
	fx_task(f, i, NULL, cpu, 0);
	schedule(cpu_rq(&f->s, cpu), 0);
}

static struct task *sleeper(struct fx *f, int i, int prev_cpu)
{
	sched_task_init(&f->s, &f->t[i], NULL, NICE_0_LOAD, prev_cpu);
	f->t[i].id = i;
	return &f->t[i];
}

/* Wakeup to an idle CPU of the LLC: prev CPU0 busy, CPU1 idle -> 1. */
static void test_wakeup_to_idle_cpu(void **state)
{
	struct fx f;
	struct task *t;

	(void)state;
	fx_init(&f, 4);
	busy(&f, 0, 0);
	t = sleeper(&f, 1, 0);
	assert_int_equal(try_to_wake_up(&f.s, t, US(10)), 1);
	assert_int_equal(t->cpu, 1);
	assert_ptr_equal(t->se.cfs_rq, &cpu_rq(&f.s, 1)->cfs);
	fx_fini(&f);
}

/* The previous CPU first when it is idle: prev CPU2 idle (CPU1 idle too)
 * -> 2. */
static void test_wakeup_prefers_idle_prev(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 4);
	busy(&f, 0, 0);
	assert_int_equal(try_to_wake_up(&f.s, sleeper(&f, 1, 2), US(10)), 2);
	fx_fini(&f);
}

/* "else the previous CPU": both CPUs busy, prev CPU1 -> 1. */
static void test_wakeup_prev_when_none_idle(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	busy(&f, 1, 1);
	assert_int_equal(try_to_wake_up(&f.s, sleeper(&f, 2, 1), US(10)), 1);
	fx_fini(&f);
}

/* "must support pinned vCPUs": allowed {2,3}, prev CPU0 (not allowed),
 * CPU1 idle but not allowed, CPU2 busy, CPU3 idle -> 3; with CPU3 busy
 * too -> the first allowed CPU, 2. */
static void test_wakeup_honours_pinning(void **state)
{
	static const u64 mask = (1u << 2) | (1u << 3);
	struct fx f;
	struct task *t;

	(void)state;
	fx_init(&f, 4);
	busy(&f, 0, 2);
	t = sleeper(&f, 1, 0);
	t->allowed = &mask;
	assert_int_equal(select_task_rq_fair(&f.s, t), 3);
	busy(&f, 2, 3);
	assert_int_equal(select_task_rq_fair(&f.s, t), 2);
	fx_fini(&f);
}

/* "an idle CPU in the LLC": LLCs of 2 CPUs; prev CPU2 and its sibling
 * CPU3 busy, CPU0 idle in the other LLC -> stays on 2. */
static void test_wakeup_stays_in_llc(void **state)
{
	struct sched_params p;
	struct sched_features ft;
	struct fx f;

	(void)state;
	sched_params_default(&p);
	sched_features_default(&ft);
	p.nr_cpus = 4;
	p.llc_size = 2;
	memset(&f, 0, sizeof(f));
	assert_int_equal(sched_init(&f.s, &p, &ft), 0);
	busy(&f, 0, 2);
	busy(&f, 1, 3);
	assert_int_equal(select_task_rq_fair(&f.s, sleeper(&f, 2, 2)), 2);
	fx_fini(&f);
}

/* "periodic balancing evens out runnable counts": CPU0 runs A with B and C
 * queued (3), CPU1 idle (0): one pass moves B (oldest queued, not
 * running) -> 2 and 1; a second pass moves nothing (difference 1). */
static void test_balance_evens_counts(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	fx_task(&f, 2, NULL, 0, 0);
	assert_int_equal(sched_balance(&f.s, US(100)), 1);
	assert_int_equal(f.t[1].cpu, 1);
	assert_int_equal(cpu_rq(&f.s, 0)->nr_running, 2);
	assert_int_equal(cpu_rq(&f.s, 1)->nr_running, 1);
	assert_int_equal(sched_balance(&f.s, US(200)), 0);
	fx_fini(&f);
}

/* Balancing respects pinning: B and C pinned to CPU0 stay put. */
static void test_balance_leaves_pinned(void **state)
{
	static const u64 cpu0 = 1;
	struct fx f;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	fx_task(&f, 2, NULL, 0, 0);
	f.t[1].allowed = &cpu0;
	f.t[2].allowed = &cpu0;
	assert_int_equal(sched_balance(&f.s, US(100)), 0);
	assert_int_equal(cpu_rq(&f.s, 0)->nr_running, 3);
	fx_fini(&f);
}

/* MODEL.md 1 lag is kept across a move (dequeue saves vlag, place_entity
 * restores it; PLACE_REL_DEADLINE keeps the relative deadline). CPU0: A
 * curr v=10, B v=11 d=11.7: V = 10.5, vlag_B = -0.5 ms. CPU1: C curr v=0.
 * Moved: lag -0.5 x 2048/1024 = -1 -> v_B = 1 ms, d = 1 + 0.7 = 1.7 ms,
 * lag measured on CPU1 (V = 0.5) -0.5 ms. */
static void test_migration_keeps_lag(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	busy(&f, 2, 1);
	set_vd(&f.t[0].se, MS(10), US(10700));
	set_vd(&f.t[1].se, MS(11), US(11700));
	sched_migrate_task(&f.s, &f.t[1], 1, 0);
	assert_int_equal(f.t[1].cpu, 1);
	assert_int_equal(f.t[1].se.vruntime, MS(1));
	assert_int_equal(f.t[1].se.deadline, US(1700));
	assert_int_equal(lag_of(&f.t[1].se), -(s64)US(500));
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wakeup_to_idle_cpu),
		cmocka_unit_test(test_wakeup_prefers_idle_prev),
		cmocka_unit_test(test_wakeup_prev_when_none_idle),
		cmocka_unit_test(test_wakeup_honours_pinning),
		cmocka_unit_test(test_wakeup_stays_in_llc),
		cmocka_unit_test(test_balance_evens_counts),
		cmocka_unit_test(test_balance_leaves_pinned),
		cmocka_unit_test(test_migration_keeps_lag),
	};
	return cmocka_run_group_tests_name("sched_balance", tests, NULL, NULL);
}
