// SPDX-License-Identifier: MIT
/* Task placement and balancing, MODEL.md section 1 "Load balancing: wakeups
 * go to an idle CPU in the LLC if one exists, else the previous CPU ...
 * must support pinned vCPUs" and MODEL.md 7 "Load balancing by load";
 * select_task_rq_fair(), sched_balance_rq(), sched_balance_newidle() in
 * kernel/sched/fair.c (simplified as docs/model.md says). HZ=250: a tick
 * is 4 ms. */
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

/* CPU0 runs A with B and C queued (C queued last); CPU1 idle. */
static void three_on_cpu0(struct fx *f)
{
	fx_init(f, 2);
	busy(f, 0, 0);
	fx_task(f, 1, NULL, 0, 0);
	fx_task(f, 2, NULL, 0, 0);
}

/*
 * MODEL.md 7, load balancing (sched_balance_rq, calculate_imbalance): an
 * idle CPU pulls by task count. Two CPUs, one MC domain (2 ms interval,
 * at HZ=250 one 4 ms tick when idle). At 4 ms CPU1 is idle (has_spare),
 * CPU0 overloaded (3 tasks, utilisation capped at 1024 > 875): migrate_task,
 * imbalance = sibling_imbalance (3 - 0) >> 1 = 1. From the tail of CPU0's
 * tasks (least recently run first): A runs, B (never ran: not cache-hot)
 * moves: CPU0 keeps A and C, CPU1 gets B; one migration.
 */
static void test_balance_idle_cpu_pulls_one_task(void **state)
{
	struct fx f;

	(void)state;
	three_on_cpu0(&f);
	assert_int_equal(sched_balance_trigger(cpu_rq(&f.s, 1), MS(4)), 1);
	assert_int_equal(f.t[1].cpu, 1);
	assert_int_equal(cpu_rq(&f.s, 0)->nr_running, 2);
	assert_int_equal(cpu_rq(&f.s, 1)->stats.migrations, 1);
	fx_fini(&f);
}

/* A periodic pass runs only once its interval has passed: idle, 1 tick;
 * at 0 the domain was balanced at 0, so nothing until 4 ms. */
static void test_balance_waits_for_its_interval(void **state)
{
	struct fx f;

	(void)state;
	three_on_cpu0(&f);
	assert_int_equal(sched_balance_trigger(cpu_rq(&f.s, 1), 0), 0);
	assert_int_equal(cpu_rq(&f.s, 1)->nr_running, 0);
	fx_fini(&f);
}

/*
 * Three CPU-bound tasks on two CPUs, seen from the busy CPU with one:
 * migrate_load. At 60 ms C has run alone on CPU1 long enough that its
 * utilisation passes 875 (1024 - 512 x 2^(-60/32.77) = 882): CPU1 is
 * fully_busy, CPU0 overloaded; loads 2048 and 1024, average 1536:
 * imbalance min(512, 512) = 512. B's load (1024) exceeds it: nothing
 * moves, nr_balance_failed 1. The next busy pass, 2 ms x 16 = 32 ms = 8
 * ticks less one = 28 ms later, halves what must fit (1024 >> 1 = 512,
 * not above 512): B moves to CPU1.
 */
static void test_balance_busy_cpu_moves_load_after_a_failure(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	busy(&f, 2, 1);
	rq1 = cpu_rq(&f.s, 1);
	assert_int_equal(sched_balance_trigger(rq1, MS(60)), 0);
	assert_int_equal(rq1->sd[0].nr_balance_failed, 1);
	assert_int_equal(sched_balance_trigger(rq1, MS(84)), 0);
	assert_int_equal(sched_balance_trigger(rq1, MS(88)), 1);
	assert_int_equal(f.t[1].cpu, 1);
	assert_int_equal(rq1->sd[0].nr_balance_failed, 0);
	fx_fini(&f);
}

/*
 * The PELT caveat: a busy CPU whose one task has not yet built up its
 * utilisation has spare capacity, and a busy CPU never pulls by count
 * (sibling_imbalance is 0 when not idle): balanced. At 28 ms C's
 * utilisation is 1024 - 512 x 2^(-28/32.77) = 741 < 875: nothing moves,
 * the failure count stays 0 and the interval doubles, 2 -> 4 ms.
 */
static void test_balance_spare_busy_cpu_is_balanced(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	busy(&f, 2, 1);
	rq1 = cpu_rq(&f.s, 1);
	assert_int_equal(sched_balance_trigger(rq1, MS(28)), 0);
	assert_int_equal(rq1->sd[0].nr_balance_failed, 0);
	assert_int_equal(rq1->sd[0].balance_interval, 4);
	fx_fini(&f);
}

/*
 * can_migrate_task(): a task that ran less than migration_cost (0.5 ms)
 * ago is cache-hot and stays while nr_balance_failed <= cache_nice_tries
 * (1). B and C ran at 3.9 ms: the idle pass at 4 ms fails (1), the one
 * at 8 ms too (2: they ran at 7.9 ms), the one at 12 ms moves one (2 > 1).
 */
static void test_balance_cache_hot_tasks_stay(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	three_on_cpu0(&f);
	rq1 = cpu_rq(&f.s, 1);
	f.t[1].se.exec_start = f.t[2].se.exec_start = US(3900);
	assert_int_equal(sched_balance_trigger(rq1, MS(4)), 0);
	assert_int_equal(rq1->sd[0].nr_balance_failed, 1);
	f.t[1].se.exec_start = f.t[2].se.exec_start = US(7900);
	assert_int_equal(sched_balance_trigger(rq1, MS(8)), 0);
	f.t[1].se.exec_start = f.t[2].se.exec_start = US(11900);
	assert_int_equal(sched_balance_trigger(rq1, MS(12)), 1);
	fx_fini(&f);
}

/* Balancing respects pinning: B and C pinned to CPU0 stay put. */
static void test_balance_leaves_pinned(void **state)
{
	static const u64 cpu0 = 1;
	struct fx f;

	(void)state;
	three_on_cpu0(&f);
	f.t[1].allowed = &cpu0;
	f.t[2].allowed = &cpu0;
	assert_int_equal(sched_balance_trigger(cpu_rq(&f.s, 1), MS(4)), 0);
	assert_int_equal(cpu_rq(&f.s, 0)->nr_running, 3);
	fx_fini(&f);
}

/*
 * sched_balance_newidle(): skipped while the CPU's average idle period is
 * shorter than what a pass costs the domain (max_newidle_lb_cost), or
 * when no CPU has two tasks (rd->overloaded). avg_idle 100 ns against a
 * cost of 500 ns: nothing; at the initial 1 ms it pulls one task.
 */
static void test_newidle_needs_a_long_enough_idle(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	three_on_cpu0(&f);
	f.s.feat.ni_random = false; /* that rule alone: next tests */
	rq1 = cpu_rq(&f.s, 1);
	rq1->sd[0].max_newidle_lb_cost = 500;
	rq1->avg_idle = 100;
	assert_int_equal(sched_balance_newidle(&f.s, 1, MS(1)), 0);
	rq1->avg_idle = 2 * f.s.params.migration_cost_ns;
	assert_int_equal(sched_balance_newidle(&f.s, 1, MS(1)), 1);
	fx_fini(&f);
}

/*
 * NI_RANDOM (v6.18 sched_balance_newidle): a pass on a domain runs only
 * when a 1024-sided die (the CPU's sched_rng()) shows at most
 * 1 + newidle_ratio; a skipped pass counts as a call without success.
 * Ratio 0: the die passes on 0 or 1 only. The test reads the die the rq
 * will throw from a copy of its stream; with this seed it shows more than
 * 1: no pull, newidle_call 512 -> 513, newidle_success stays 256.
 */
static void test_ni_random_skips_by_the_die(void **state)
{
	struct fx f;
	struct rq *rq1;
	struct prng die;

	(void)state;
	three_on_cpu0(&f);
	rq1 = cpu_rq(&f.s, 1);
	rq1->sd[0].newidle_ratio = 0;
	die = rq1->rng;
	assert_true(prng_below(&die, 1024) > 1);
	assert_int_equal(sched_balance_newidle(&f.s, 1, MS(1)), 0);
	assert_int_equal(cpu_rq(&f.s, 0)->nr_running, 3);
	assert_int_equal(rq1->sd[0].newidle_call, 513);
	assert_int_equal(rq1->sd[0].newidle_success, 256);
	fx_fini(&f);
}

/*
 * NI_RANDOM: at ratio 1023 the die (0..1023) always passes; a pass that
 * pulls counts its success weighted by the passes it stands for,
 * (1024 + 1024 / 2) / 1024 = 1. From call 1023 and success 300 the
 * window closes at call 1024 with 301 successes: ratio 301, then both
 * halve: call 512, success 150.
 */
static void test_ni_random_counts_success_per_window(void **state)
{
	struct fx f;
	struct sched_domain *sd;

	(void)state;
	three_on_cpu0(&f);
	f.s.params.newidle_cost_ns = 1000; /* a pass that cost nothing
					     * is not counted */
	sd = &cpu_rq(&f.s, 1)->sd[0];
	sd->newidle_ratio = 1023;
	sd->newidle_call = 1023;
	sd->newidle_success = 300;
	assert_int_equal(sched_balance_newidle(&f.s, 1, MS(1)), 1);
	assert_int_equal(sd->newidle_ratio, 301);
	assert_int_equal(sd->newidle_call, 512);
	assert_int_equal(sd->newidle_success, 150);
	fx_fini(&f);
}

/* Newly idle with nobody overloaded (one task per busy CPU): no pass. */
static void test_newidle_needs_an_overloaded_cpu(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 3);
	busy(&f, 0, 0);
	busy(&f, 1, 1);
	assert_int_equal(f.s.nr_overloaded, 0);
	assert_int_equal(sched_balance_newidle(&f.s, 2, MS(1)), 0);
	fx_fini(&f);
}

/*
 * avg_idle (ttwu_do_activate): a wakeup ends the idle period a newly-idle
 * pass began; avg += (sample - avg) / 8. From the initial 1 ms, idle from
 * 1 ms to 1.2 ms: 1000 + (200 - 1000) / 8 = 900 us.
 */
static void test_avg_idle_follows_idle_periods(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	fx_init(&f, 2);
	busy(&f, 0, 0);
	rq1 = cpu_rq(&f.s, 1);
	sched_balance_newidle(&f.s, 1, MS(1));
	assert_true(rq1->idle_stamp == MS(1));
	try_to_wake_up(&f.s, sleeper(&f, 1, 1), US(1200));
	assert_true(rq1->avg_idle == US(900));
	assert_true(rq1->idle_stamp == 0);
	fx_fini(&f);
}

/* sd_init(): 8 CPUs in LLCs of 4: CPU 5 has MC over CPUs 4-7 (groups of
 * one, intervals 4..8 ms, cache_nice_tries 1, imbalance_pct 117) and PKG
 * over all 8 (groups: the two LLCs, 8..16 ms); one LLC of 2: MC only. */
static void test_domains_follow_the_llcs(void **state)
{
	struct sched_params p;
	struct sched_features ft;
	struct sched s;
	const struct sched_domain *sd;

	(void)state;
	sched_params_default(&p);
	sched_features_default(&ft);
	p.nr_cpus = 8;
	p.llc_size = 4;
	assert_int_equal(sched_init(&s, &p, &ft), 0);
	assert_int_equal(s.rqs[5].nr_sd, 2);
	sd = &s.rqs[5].sd[0];
	assert_true(sd->first == 4 && sd->span == 4 && sd->group_span == 1);
	assert_true(sd->min_interval == 4 && sd->max_interval == 8);
	assert_true(sd->cache_nice_tries == 1 && sd->imbalance_pct == 117);
	assert_true(sd->share_llc);
	sd = &s.rqs[5].sd[1];
	assert_true(sd->first == 0 && sd->span == 8 && sd->group_span == 4);
	assert_true(sd->min_interval == 8 && !sd->share_llc);
	sched_destroy(&s);
	p.nr_cpus = 2;
	p.llc_size = 0;
	assert_int_equal(sched_init(&s, &p, &ft), 0);
	assert_int_equal(s.rqs[1].nr_sd, 1);
	assert_true(s.rqs[1].sd[0].span == 2);
	sched_destroy(&s);
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
		cmocka_unit_test(test_balance_idle_cpu_pulls_one_task),
		cmocka_unit_test(test_balance_waits_for_its_interval),
		cmocka_unit_test(
			test_balance_busy_cpu_moves_load_after_a_failure),
		cmocka_unit_test(test_balance_spare_busy_cpu_is_balanced),
		cmocka_unit_test(test_balance_cache_hot_tasks_stay),
		cmocka_unit_test(test_balance_leaves_pinned),
		cmocka_unit_test(test_newidle_needs_a_long_enough_idle),
		cmocka_unit_test(test_newidle_needs_an_overloaded_cpu),
		cmocka_unit_test(test_ni_random_skips_by_the_die),
		cmocka_unit_test(test_ni_random_counts_success_per_window),
		cmocka_unit_test(test_avg_idle_follows_idle_periods),
		cmocka_unit_test(test_domains_follow_the_llcs),
		cmocka_unit_test(test_migration_keeps_lag),
	};
	return cmocka_run_group_tests_name("sched_balance", tests, NULL, NULL);
}
