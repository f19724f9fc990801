// SPDX-License-Identifier: MIT
/* The fair class over time: ticks, wakeups, DELAY_DEQUEUE, groups.
 * MODEL.md section 1, kernel/sched/fair.c. */
#include "fixture.h"

/* Run @rq for @ticks ticks of 4 ms from t=0, rescheduling when asked;
 * record which task ran in each tick interval. */
static void run_ticks(struct fx *f, struct rq *rq, int ticks, int *who)
{
	struct task *cur = schedule(rq, 0);

	for (int i = 0; i < ticks; i++) {
		who[i] = cur ? cur->id : -1;
		sched_tick(rq, MS(4) * (u64)(i + 1));
		if (rq->need_resched)
			cur = schedule(rq, MS(4) * (u64)(i + 1));
		fx_check(f);
	}
}

/* MODEL.md 1 "equal-weight CPU hogs on one CPU alternate once per tick".
 * A and B (w=1024), slice 0.7 ms < tick: at each tick the runner has
 * passed its deadline and V, so the other one runs: A B A B A B A B. */
static void test_equal_hogs_alternate_per_tick(void **state)
{
	static const int want[8] = { 0, 1, 0, 1, 0, 1, 0, 1 };
	struct fx f;
	int who[8];

	(void)state;
	fx_init(&f, 1);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	run_ticks(&f, cpu_rq(&f.s, 0), 8, who);
	assert_memory_equal(who, want, sizeof(want));
	assert_int_equal(f.t[0].se.sum_exec_runtime, MS(16));
	assert_int_equal(f.t[1].se.sum_exec_runtime, MS(16));
	fx_fini(&f);
}

/* MODEL.md 1 "a heavier task runs several ticks in a row". A w=2048,
 * B w=1024. t=4: v_A=2, V=4/3 -> B. t=8: v_B=4, V=8/3, A eligible -> A.
 * t=12: v_A=4, V=4, both eligible, d_A=4.35 < d_B=4.7 -> A again. t=16:
 * v_A=6 > V=16/3 -> B ... so A B A A B A A B A A B A: 32 ms vs 16 ms. */
static void test_heavier_runs_several_ticks(void **state)
{
	static const int want[12] = { 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0 };
	struct fx f;
	int who[12];

	(void)state;
	fx_init(&f, 1);
	sched_task_init(&f.s, &f.t[0], NULL, 2048, 0);
	wake_up_new_task(&f.s, &f.t[0], 0);
	fx_task(&f, 1, NULL, 0, 0);
	run_ticks(&f, cpu_rq(&f.s, 0), 12, who);
	assert_memory_equal(who, want, sizeof(want));
	assert_int_equal(f.t[0].se.sum_exec_runtime, MS(32));
	assert_int_equal(f.t[1].se.sum_exec_runtime, MS(16));
	fx_fini(&f);
}

/* MODEL.md 1 "Wakeup: ... preempt curr if a pick would now choose the
 * wakee"; check_preempt_wakeup_fair(). A alone 0..10 ms: v_A = 10,
 * d_A = 10.7, protection (to 0.35 ms) long gone. B new at 10 ms: v = V =
 * 10, d = 10.35 < 10.7 -> the pick is B -> resched, and B runs. */
static void test_wakeup_preempts(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(rq, 0);
	fx_task(&f, 1, NULL, 0, MS(10));
	assert_int_equal(f.t[1].se.deadline, US(10350));
	assert_true(rq->need_resched);
	assert_ptr_equal(schedule(rq, MS(10)), &f.t[1]);
	fx_fini(&f);
}

/* MODEL.md 1 wakeup preemption goes through the pick, so RUN_TO_PARITY
 * protects curr: A picked at 0 (vprot = d = 0.35 ms), B new at 0.1 ms:
 * v_A = 0.1 < vprot, A eligible (V = 0.1) -> the pick is A, no resched. */
static void test_wakeup_respects_protection(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(rq, 0);
	fx_task(&f, 1, NULL, 0, US(100));
	assert_false(rq->need_resched);
	fx_fini(&f);
}

/* A and B new at 0, A runs to 2 ms and blocks: v_A = 2, V = 1: not
 * eligible. */
static struct rq *block_ineligible(struct fx *f,
				   const struct sched_features *ft)
{
	struct rq *rq;

	fx_init_feat(f, 1, ft);
	rq = cpu_rq(&f->s, 0);
	fx_task(f, 0, NULL, 0, 0);
	fx_task(f, 1, NULL, 0, 0);
	schedule(rq, 0);
	sched_block(&f->s, &f->t[0], MS(2));
	return rq;
}

/* MODEL.md 1 "DELAY_DEQUEUE: a sleeping entity with negative lag stays
 * queued (delayed)"; dequeue_entity(). v_A = 2 > V = 1: A stays queued,
 * sched_delayed, and still counts in nr_running (2). */
static void test_delay_dequeue_keeps_ineligible(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	rq = block_ineligible(&f, &ft);
	assert_true(f.t[0].se.on_rq);
	assert_true(f.t[0].se.sched_delayed);
	assert_int_equal(rq->nr_running, 2);
	fx_fini(&f);
}

/* MODEL.md 1 DELAY_DEQUEUE applies only to negative lag: A blocks at t=0
 * right after being picked, v_A = 0 = V: eligible, so it leaves at once
 * (nr_running 1). */
static void test_delay_dequeue_not_for_eligible(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	schedule(rq, 0);
	sched_block(&f.s, &f.t[0], 0);
	assert_false(f.t[0].se.on_rq);
	assert_false(f.t[0].se.sched_delayed);
	assert_int_equal(rq->nr_running, 1);
	fx_fini(&f);
}

/* MODEL.md 1 "stays queued (delayed) until it is picked"; pick_task_fair()
 * and DELAY_ZERO in finish_delayed_dequeue_entity(). A delayed at 2 ms
 * (v=2). B runs 2..5 ms (v=3) and blocks: V = 2.5 > ... B not eligible,
 * delayed too. The pick finds A eligible (2 <= 2.5), A is delayed: its
 * dequeue finishes with lag +0.5 ms, zeroed by DELAY_ZERO; then B alone is
 * picked, delayed, dequeued: the CPU goes idle with nothing queued. */
static void test_delayed_dequeued_when_picked(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	rq = block_ineligible(&f, &ft);
	assert_ptr_equal(schedule(rq, MS(2)), &f.t[1]);
	sched_block(&f.s, &f.t[1], MS(5));
	assert_true(f.t[1].se.sched_delayed);
	assert_null(schedule(rq, MS(5)));
	assert_false(f.t[0].se.on_rq);
	assert_false(f.t[1].se.on_rq);
	assert_int_equal(f.t[0].se.vlag, 0);
	assert_int_equal(rq->nr_running, 0);
	assert_int_equal(rq->cfs.nr_queued, 0);
	fx_fini(&f);
}

/* Same as above without DELAY_ZERO: A leaves with its +0.5 ms lag. */
static void test_delayed_keeps_positive_lag_without_delay_zero(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	ft.delay_zero = false;
	rq = block_ineligible(&f, &ft);
	schedule(rq, MS(2));
	sched_block(&f.s, &f.t[1], MS(5));
	schedule(rq, MS(5));
	assert_int_equal(f.t[0].se.vlag, (s64)US(500));
	fx_fini(&f);
}

/* MODEL.md 1 DELAY_DEQUEUE: a delayed task that wakes is requeued where it
 * is; requeue_delayed_entity(). A delayed at 2 ms (v=2); B runs 2..2.5;
 * A wakes: V = (2 + 0.5)/2 = 1.25, lag -0.75 (not > 0, so not re-placed):
 * v_A stays 2 ms, no longer delayed, still one of 2 runnable. */
static void test_wake_delayed_requeues_in_place(void **state)
{
	struct sched_features ft;
	struct fx f;
	struct rq *rq;

	(void)state;
	sched_features_default(&ft);
	rq = block_ineligible(&f, &ft);
	schedule(rq, MS(2));
	assert_int_equal(try_to_wake_up(&f.s, &f.t[0], US(2500)), 0);
	assert_int_equal(f.t[0].se.vruntime, MS(2));
	assert_false(f.t[0].se.sched_delayed);
	assert_true(f.t[0].se.on_rq);
	assert_int_equal(f.t[0].state, TASK_RUNNING);
	assert_int_equal(rq->nr_running, 2);
	fx_fini(&f);
}

/* MODEL.md 1 "a VM is a cgroup ... Pick walks down the hierarchy".
 * VM1 with 2 vCPU threads, VM2 with 1, both shares 1024, one CPU: each
 * group entity weighs 1024 * load/load = 1024, so the VMs split the CPU
 * evenly: over 96 ms each gets 48 ms, within one tick (4 ms). */
static void test_groups_share_by_weight(void **state)
{
	struct fx f;
	struct task_group *g1, *g2;
	struct rq *rq;
	struct task *cur;
	s64 vm1, vm2;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	g1 = sched_create_group(&f.s, NULL, 1024, "vm1");
	g2 = sched_create_group(&f.s, NULL, 1024, "vm2");
	fx_task(&f, 0, g1, 0, 0);
	fx_task(&f, 1, g1, 0, 0);
	fx_task(&f, 2, g2, 0, 0);
	cur = schedule(rq, 0);
	for (int i = 1; i <= 24; i++) {
		sched_tick(rq, MS(4) * (u64)i);
		if (rq->need_resched)
			cur = schedule(rq, MS(4) * (u64)i);
		fx_check(&f);
	}
	assert_non_null(cur);
	vm1 = (s64)(f.t[0].se.sum_exec_runtime + f.t[1].se.sum_exec_runtime);
	vm2 = (s64)f.t[2].se.sum_exec_runtime;
	assert_int_equal(vm1 + vm2, (s64)MS(96));
	assert_true(vm1 - vm2 <= (s64)MS(4) && vm2 - vm1 <= (s64)MS(4));
	fx_fini(&f);
}

/* MODEL.md 1 "Each cgroup has a group entity per CPU"; calc_group_shares()
 * = shares * local load / group load. VM (shares 1024) with 1 thread on
 * CPU0 and 3 on CPU1: total 4096; after a tick on each CPU the group
 * entities weigh 1024*1024/4096 = 256 and 1024*3072/4096 = 768. */
static void test_group_shares_split_across_cpus(void **state)
{
	struct fx f;
	struct task_group *g;

	(void)state;
	fx_init(&f, 2);
	g = sched_create_group(&f.s, NULL, 1024, "vm");
	fx_task(&f, 0, g, 0, 0);
	for (int i = 1; i <= 3; i++)
		fx_task(&f, i, g, 1, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	schedule(cpu_rq(&f.s, 1), 0);
	sched_tick(cpu_rq(&f.s, 0), MS(1));
	sched_tick(cpu_rq(&f.s, 1), MS(1));
	assert_int_equal(g->load_sum, 4096);
	assert_int_equal(g->se[0].weight, 256);
	assert_int_equal(g->se[1].weight, 768);
	fx_fini(&f);
}

/* MODEL.md 1 (CGROUP_BUDDY, dequeue_entities()): when a vCPU thread
 * sleeps and its VM still has runnable threads on the CPU, the VM's
 * group entity becomes the next buddy so the CPU stays with the VM. */
static void test_sleep_sets_group_buddy(void **state)
{
	struct fx f;
	struct task_group *g;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	g = sched_create_group(&f.s, NULL, 1024, "vm");
	fx_task(&f, 0, g, 0, 0);
	fx_task(&f, 1, g, 0, 0);
	fx_task(&f, 2, NULL, 0, 0);
	/* the VM's entity was enqueued as a wakeup (full 0.7 ms request), the
	 * new root task with half of it; even them out so the VM runs first */
	set_vd(&f.t[2].se, 0, US(700));
	assert_ptr_equal(schedule(rq, 0), &f.t[0]);
	sched_block(&f.s, &f.t[0], 0);
	assert_ptr_equal(rq->cfs.next, &g->se[0]);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_hogs_alternate_per_tick),
		cmocka_unit_test(test_heavier_runs_several_ticks),
		cmocka_unit_test(test_wakeup_preempts),
		cmocka_unit_test(test_wakeup_respects_protection),
		cmocka_unit_test(test_delay_dequeue_keeps_ineligible),
		cmocka_unit_test(test_delay_dequeue_not_for_eligible),
		cmocka_unit_test(test_delayed_dequeued_when_picked),
		cmocka_unit_test(test_delayed_keeps_positive_lag_without_delay_zero),
		cmocka_unit_test(test_wake_delayed_requeues_in_place),
		cmocka_unit_test(test_groups_share_by_weight),
		cmocka_unit_test(test_group_shares_split_across_cpus),
		cmocka_unit_test(test_sleep_sets_group_buddy),
	};
	return cmocka_run_group_tests_name("sched_fair", tests, NULL, NULL);
}
