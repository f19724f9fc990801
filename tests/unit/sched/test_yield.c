// SPDX-License-Identifier: MIT
/* yield_task_fair (forfeit), yield_to_task_fair and yield_to.
 * MODEL.md section 1, kernel/sched/fair.c and kernel/sched/core.c. */
#include <errno.h>

#include "fixture.h"

/* A runs 0..0.1 ms (v=0.1, d=0.35) beside B queued at v_B, d_B. */
static struct rq *a_running(struct fx *f, u64 vb, u64 db)
{
	struct rq *rq;

	fx_init(f, 1);
	rq = cpu_rq(&f->s, 0);
	fx_task(f, 0, NULL, 0, 0);
	fx_task(f, 1, NULL, 0, 0);
	schedule(rq, 0);
	set_vd(&f->t[1].se, vb, db);
	sched_update_clock(rq, US(100));
	return rq;
}

/* MODEL.md 1 "yield_task_fair (forfeit): if curr is eligible, v = deadline
 * and deadline += calc_delta_fair(slice)". B at v=1 ms: V = (0.1+1)/2 =
 * 0.55, A eligible: v = 0.35 ms, d = 0.35 + 0.7 = 1.05 ms. */
static void test_forfeit_when_eligible(void **state)
{
	struct fx f;
	struct rq *rq = a_running(&f, MS(1), US(1700));

	(void)state;
	yield_task_fair(rq);
	assert_int_equal(f.t[0].se.vruntime, US(350));
	assert_int_equal(f.t[0].se.deadline, US(1050));
	fx_fini(&f);
}

/* MODEL.md 1 forfeit "only if eligible". B at v=0: V = 0.05 < v_A = 0.1:
 * A is not eligible, v and d stay 0.1 / 0.35 ms. */
static void test_no_forfeit_when_ineligible(void **state)
{
	struct fx f;
	struct rq *rq = a_running(&f, 0, US(350));

	(void)state;
	yield_task_fair(rq);
	assert_int_equal(f.t[0].se.vruntime, US(100));
	assert_int_equal(f.t[0].se.deadline, US(350));
	fx_fini(&f);
}

/* MODEL.md 1 forfeit: "nothing if alone". A alone (always eligible) keeps
 * v = 0.1 ms and d = 0.35 ms. */
static void test_no_forfeit_alone(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(rq, 0);
	sched_tick(rq, US(100));
	do_sched_yield(rq, US(100));
	assert_int_equal(f.t[0].se.vruntime, US(100));
	assert_int_equal(f.t[0].se.deadline, US(350));
	fx_fini(&f);
}

/* MODEL.md 1 forfeit acts on curr's own entity, at its own level. With
 * libvirt's layout (host vcpu_cgroups) A and B each run alone in a cgroup
 * of their own. A runs 0..0.1 ms; alone in its group's queue it is
 * eligible and forfeits there: v = d = 0.35 ms, d = 0.35 + 0.7 = 1.05 ms.
 * Its group's entity in the root queue, where A competes with B, keeps
 * v = 0 and its wakeup request d = 0.7 ms: the yield does not reach it. */
static void test_forfeit_stays_in_own_group(void **state)
{
	struct fx f;
	struct task_group *ga, *gb;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	ga = sched_create_group(&f.s, NULL, 1024, "vcpu0");
	gb = sched_create_group(&f.s, NULL, 1024, "vcpu1");
	fx_task(&f, 0, ga, 0, 0);
	fx_task(&f, 1, gb, 0, 0);
	assert_ptr_equal(schedule(rq, 0), &f.t[0]);
	sched_update_clock(rq, US(100));
	yield_task_fair(rq);
	assert_int_equal(f.t[0].se.vruntime, US(350));
	assert_int_equal(f.t[0].se.deadline, US(1050));
	assert_int_equal(ga->se[0].vruntime, 0);
	assert_int_equal(ga->se[0].deadline, US(700));
	fx_fini(&f);
}

/* MODEL.md 1 forfeit: "clear buddies". A set as next buddy yields: the
 * buddy is gone. */
static void test_forfeit_clears_buddies(void **state)
{
	struct fx f;
	struct rq *rq = a_running(&f, MS(1), US(1700));

	(void)state;
	rq->cfs.next = &f.t[0].se;
	yield_task_fair(rq);
	assert_null(rq->cfs.next);
	fx_fini(&f);
}

/* MODEL.md 1 "yield_to: both rqs hold one task only -> -ESRCH". A alone
 * on CPU0, B alone on CPU1. */
static void test_yield_to_esrch(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 2);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 1, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	schedule(cpu_rq(&f.s, 1), 0);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(10)),
			 -ESRCH);
	fx_fini(&f);
}

/* CPU0: A running, C queued; CPU1: B running, D queued. */
static void two_busy_cpus(struct fx *f)
{
	fx_init(f, 2);
	fx_task(f, 0, NULL, 0, 0);
	fx_task(f, 2, NULL, 0, 0);
	fx_task(f, 1, NULL, 1, 0);
	fx_task(f, 3, NULL, 1, 0);
	schedule(cpu_rq(&f->s, 0), 0);
	schedule(cpu_rq(&f->s, 1), 0);
}

/* MODEL.md 1 "yield_to: p running ... -> 0". B is on CPU1 right now. */
static void test_yield_to_running_target(void **state)
{
	struct fx f;

	(void)state;
	two_busy_cpus(&f);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(10)), 0);
	assert_null(cpu_rq(&f.s, 1)->cfs.next);
	fx_fini(&f);
}

/* MODEL.md 1 "yield_to: p ... not runnable -> 0". B blocked (eligible at
 * t=0, so really dequeued); D runs on CPU1. */
static void test_yield_to_sleeping_target(void **state)
{
	struct fx f;

	(void)state;
	two_busy_cpus(&f);
	sched_block(&f.s, &f.t[1], 0);
	schedule(cpu_rq(&f.s, 1), 0);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(10)), 0);
	fx_fini(&f);
}

/* MODEL.md 1 "yield_to: different class -> 0". D (queued on CPU1) is
 * marked as another class. */
static void test_yield_to_other_class(void **state)
{
	struct fx f;

	(void)state;
	two_busy_cpus(&f);
	f.t[3].fair = false;
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[3], true, US(10)), 0);
	fx_fini(&f);
}

/* MODEL.md 1 "yield_to_task_fair(p): set_next_buddy(p) ... then
 * yield_task_fair" and "the caller then schedules". Same rq: A runs 0..0.1
 * (v=0.1 > V=0.05, no forfeit), target B at v=0 is an eligible buddy and
 * runs next. */
static void test_yield_to_same_rq_runs_target(void **state)
{
	struct fx f;
	struct rq *rq = a_running(&f, 0, US(350));

	(void)state;
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[1], true, US(100)), 1);
	assert_ptr_equal(rq->cfs.next, &f.t[1].se);
	assert_true(rq->need_resched);
	assert_int_equal(rq->stats.yld_count, 1);
	assert_ptr_equal(schedule(rq, US(100)), &f.t[1]);
	fx_fini(&f);
}

/* MODEL.md 1 "on success and p on another rq, resched that rq". D queued
 * on CPU1 behind B (v_B = 0.1 ms at 0.1 ms, V = 0.05, D eligible): CPU1
 * is told to reschedule and its pick takes the buddy D. */
static void test_yield_to_other_rq_resched(void **state)
{
	struct fx f;
	struct rq *rq1;

	(void)state;
	two_busy_cpus(&f);
	rq1 = cpu_rq(&f.s, 1);
	assert_int_equal(yield_to(&f.s, &f.t[0], &f.t[3], true, US(100)), 1);
	assert_true(rq1->need_resched);
	assert_ptr_equal(rq1->cfs.next, &f.t[3].se);
	assert_ptr_equal(schedule(rq1, US(100)), &f.t[3]);
	fx_fini(&f);
}

/* MODEL.md 1 "yield_to_task_fair(p): fails if p not queued (or ...
 * delayed)". A delayed task is still on_rq but refused. */
static void test_yield_to_task_fair_refuses_delayed(void **state)
{
	struct fx f;
	struct rq *rq;

	(void)state;
	fx_init(&f, 1);
	rq = cpu_rq(&f.s, 0);
	fx_task(&f, 0, NULL, 0, 0);
	fx_task(&f, 1, NULL, 0, 0);
	fx_task(&f, 2, NULL, 0, 0);
	schedule(rq, 0);
	/* A runs to 3 ms: v=3, V=1 -> blocks delayed */
	sched_block(&f.s, &f.t[0], MS(3));
	assert_true(f.t[0].se.sched_delayed);
	schedule(rq, MS(3));
	assert_false(yield_to_task_fair(rq, &f.t[0]));
	assert_null(rq->cfs.next);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forfeit_when_eligible),
		cmocka_unit_test(test_no_forfeit_when_ineligible),
		cmocka_unit_test(test_no_forfeit_alone),
		cmocka_unit_test(test_forfeit_stays_in_own_group),
		cmocka_unit_test(test_forfeit_clears_buddies),
		cmocka_unit_test(test_yield_to_esrch),
		cmocka_unit_test(test_yield_to_running_target),
		cmocka_unit_test(test_yield_to_sleeping_target),
		cmocka_unit_test(test_yield_to_other_class),
		cmocka_unit_test(test_yield_to_same_rq_runs_target),
		cmocka_unit_test(test_yield_to_other_rq_resched),
		cmocka_unit_test(test_yield_to_task_fair_refuses_delayed),
	};
	return cmocka_run_group_tests_name("sched_yield", tests, NULL, NULL);
}
