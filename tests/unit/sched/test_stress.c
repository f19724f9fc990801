// SPDX-License-Identifier: MIT
/*
 * Random walks through the scheduler model's entry points, checking after
 * every step that the cached sums still match the queues
 * (sched_check_invariants) and the basic rules of MODEL.md section 1 hold:
 * one running task per CPU, a running task is runnable and queued, per-task
 * vruntime never moves backwards while it runs.
 */
#include "core/prng.h"
#include "fixture.h"

#define CPUS 4
#define STEPS 4000

static void random_walk(const struct sched_features *ft, u64 seed)
{
	struct fx f;
	struct task_group *vm[3];
	struct prng r;
	u64 now = 0;

	fx_init_feat(&f, CPUS, ft);
	prng_seed(&r, seed, 0);
	vm[0] = sched_create_group(&f.s, NULL, 1024, "vm0");
	vm[1] = sched_create_group(&f.s, NULL, 2048, "vm1");
	vm[2] = sched_create_group(&f.s, vm[0], 512, "vm0/nested");
	for (int i = 0; i < FX_TASKS; i++)
		fx_task(&f, i, i == 7 ? NULL : vm[i % 3], i % CPUS, 0);

	for (int step = 0; step < STEPS; step++) {
		int cpu = (int)prng_below(&r, CPUS);
		struct rq *rq = cpu_rq(&f.s, cpu);
		struct task *p = &f.t[prng_below(&r, FX_TASKS)];
		u64 before = rq->curr ? rq->curr->se.vruntime : 0;
		struct task *ran = rq->curr;

		now += prng_below(&r, US(1500));
		/* weights: tick 2, block 1, wake 3, yield_to 2, yield 1,
		 * balance 1 (in tenths) */
		switch (prng_below(&r, 10)) {
		case 0:
		case 1:
			sched_tick(rq, now);
			break;
		case 2:
			if (rq->curr)
				sched_block(&f.s, rq->curr, now);
			break;
		case 3:
		case 4:
		case 5:
			try_to_wake_up(&f.s, p, now);
			break;
		case 6:
		case 7:
			if (rq->curr && rq->curr != p)
				yield_to(&f.s, rq->curr, p, true, now);
			break;
		case 8:
			do_sched_yield(rq, now);
			break;
		default:
			if (rq->curr)
				sched_balance_trigger(rq, now);
			else
				sched_balance_newidle(&f.s, cpu, now);
			break;
		}
		if (ran && rq->curr == ran && ran->se.on_rq)
			assert_true((s64)(ran->se.vruntime - before) >= 0);
		for (int c = 0; c < CPUS; c++) {
			struct rq *q = cpu_rq(&f.s, c);

			if (q->need_resched || !q->curr)
				schedule(q, now);
			if (q->curr) {
				assert_int_equal(q->curr->cpu, c);
				assert_int_equal(q->curr->state, TASK_RUNNING);
				assert_true(q->curr->se.on_rq);
			}
		}
		fx_check(&f);
	}
	/* the walk really went through the paths it is meant to test */
	struct sched_stats sum = { 0 };
	for (int c = 0; c < CPUS; c++) {
		const struct sched_stats *st = &cpu_rq(&f.s, c)->stats;

		sum.nr_switches += st->nr_switches;
		sum.yld_count += st->yld_count;
		sum.deboosts += st->deboosts;
		sum.lag_credits += st->lag_credits;
		sum.migrations += st->migrations;
	}
	print_message("# seed %llu: switches %llu yields %llu deboosts %llu "
		      "credits %llu migrations %llu\n",
		      (unsigned long long)seed,
		      (unsigned long long)sum.nr_switches,
		      (unsigned long long)sum.yld_count,
		      (unsigned long long)sum.deboosts,
		      (unsigned long long)sum.lag_credits,
		      (unsigned long long)sum.migrations);
	assert_true(sum.nr_switches > 500);
	assert_true(sum.yld_count > 20);
	assert_true(sum.migrations > 20);
	assert_true(!ft->vcpu_debooster_enabled || sum.deboosts > 10);
	assert_true(!ft->vcpu_lag_credit_enabled || sum.lag_credits > 10);
	fx_fini(&f);
}

/* Upstream defaults (MODEL.md 1). */
static void test_walk_vanilla(void **state)
{
	struct sched_features ft;

	(void)state;
	sched_features_default(&ft);
	for (u64 seed = 1; seed <= 4; seed++)
		random_walk(&ft, seed);
}

/* With the v2 debooster (MODEL.md 4a) and no rate limit, so it acts
 * often. */
static void test_walk_debooster(void **state)
{
	struct sched_features ft;

	(void)state;
	sched_features_default(&ft);
	ft.vcpu_debooster_enabled = true;
	ft.debooster_rate_limit_ns = 0;
	for (u64 seed = 1; seed <= 4; seed++)
		random_walk(&ft, seed);
}

/* With the v3 lag credit (MODEL.md 4b) and DELAY_DEQUEUE off. */
static void test_walk_lag_credit(void **state)
{
	struct sched_features ft;

	(void)state;
	sched_features_default(&ft);
	ft.vcpu_lag_credit_enabled = true;
	ft.delay_dequeue = false;
	for (u64 seed = 1; seed <= 4; seed++)
		random_walk(&ft, seed);
}

/* The checker itself can fail: a load sum off by one is reported. */
static void test_checker_catches_bad_sum(void **state)
{
	struct fx f;
	char why[256];

	(void)state;
	fx_init(&f, 1);
	fx_task(&f, 0, NULL, 0, 0);
	cpu_rq(&f.s, 0)->cfs.load += 1;
	assert_int_equal(sched_check_invariants(&f.s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "load"));
	cpu_rq(&f.s, 0)->cfs.load -= 1;
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_vanilla),
		cmocka_unit_test(test_walk_debooster),
		cmocka_unit_test(test_walk_lag_credit),
		cmocka_unit_test(test_checker_catches_bad_sum),
	};
	return cmocka_run_group_tests_name("sched_stress", tests, NULL, NULL);
}
