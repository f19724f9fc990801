// SPDX-License-Identifier: MIT
/* pick_eevdf() rules, MODEL.md section 1, kernel/sched/fair.c. Three tasks
 * of weight 1024 on one CPU (slice 0.7 ms) unless a test says otherwise. */
#include "fixture.h"

static struct cfs_rq *three(struct fx *f)
{
	fx_init(f, 1);
	for (int i = 0; i < 3; i++)
		fx_task(f, i, NULL, 0, 0);
	return &cpu_rq(&f->s, 0)->cfs;
}

/* MODEL.md 1 pick_eevdf "(1) one queued entity: it". After A blocks
 * (DELAY_DEQUEUE off), B is the only one queued and is picked. */
static void test_pick_single(void **state)
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
	sched_block(&f.s, &f.t[0], MS(1));
	assert_ptr_equal(pick_eevdf(&f.s, &rq->cfs), &f.t[1].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick_eevdf "(2) the next buddy if set and eligible".
 * All at v=0 (V=0, all eligible); deadlines 0.35/0.5/0.7 ms; buddy C with
 * the latest deadline is still picked. */
static void test_pick_eligible_buddy(void **state)
{
	struct fx f;
	struct cfs_rq *q = three(&f);

	(void)state;
	set_vd(&f.t[0].se, 0, US(350));
	set_vd(&f.t[1].se, 0, US(500));
	set_vd(&f.t[2].se, 0, US(700));
	q->next = &f.t[2].se;
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[2].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick_eevdf "(2) ... if eligible": v = 0, 0, 1 ms: V = 1/3 ms,
 * buddy C (v=1 ms) is not eligible, so the earliest eligible deadline (A,
 * 0.35 ms) wins although C's deadline 0.1 ms is earlier. */
static void test_pick_ineligible_buddy_ignored(void **state)
{
	struct fx f;
	struct cfs_rq *q = three(&f);

	(void)state;
	set_vd(&f.t[0].se, 0, US(350));
	set_vd(&f.t[1].se, 0, US(500));
	set_vd(&f.t[2].se, MS(1), US(100));
	q->next = &f.t[2].se;
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[0].se);
	fx_fini(&f);
}

/* A curr at v=0.4 ms with deadline 0.8 ms, B 0.4/0.5, C 0.4/1.0: V = 0.4,
 * all eligible; B has the earliest deadline. */
static struct cfs_rq *parity_setup(struct fx *f, u64 vprot)
{
	struct cfs_rq *q = three(f);

	assert_ptr_equal(schedule(cpu_rq(&f->s, 0), 0), &f->t[0]);
	set_vd(&f->t[0].se, US(400), US(800));
	f->t[0].se.vprot = vprot;
	set_vd(&f->t[1].se, US(400), US(500));
	set_vd(&f->t[2].se, US(400), US(1000));
	return q;
}

/* MODEL.md 1 pick_eevdf "(3) curr if it is still protected
 * (RUN_TO_PARITY)"; protect_slice(). vprot 0.8 ms > v 0.4 ms: A keeps the
 * CPU although B's deadline (0.5) is earlier than A's (0.8). */
static void test_pick_protected_curr(void **state)
{
	struct fx f;
	struct cfs_rq *q = parity_setup(&f, US(800));

	(void)state;
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[0].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick_eevdf "(4) otherwise the eligible entity with the
 * earliest deadline": same as above with protection used up (vprot 0.35
 * ms < v 0.4 ms): B (0.5 ms) wins. */
static void test_pick_earliest_eligible_deadline(void **state)
{
	struct fx f;
	struct cfs_rq *q = parity_setup(&f, US(350));

	(void)state;
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[1].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick_eevdf "(4) ... (curr if its deadline is earlier)": A
 * unprotected but with deadline 0.45 ms < B's 0.5 ms keeps running. */
static void test_pick_curr_earliest_deadline(void **state)
{
	struct fx f;
	struct cfs_rq *q = parity_setup(&f, US(350));

	(void)state;
	set_vd(&f.t[0].se, US(400), US(450));
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[0].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick_eevdf "(4)": an ineligible entity is never picked by
 * deadline. v = 0, 0, 1.2 ms (V = 0.4): C's deadline 0.1 ms is earliest
 * but C is after V; A (0.35) wins over B (0.5). */
static void test_pick_skips_ineligible_early_deadline(void **state)
{
	struct fx f;
	struct cfs_rq *q = three(&f);

	(void)state;
	set_vd(&f.t[0].se, 0, US(350));
	set_vd(&f.t[1].se, 0, US(500));
	set_vd(&f.t[2].se, US(1200), US(100));
	assert_ptr_equal(pick_eevdf(&f.s, q), &f.t[0].se);
	fx_fini(&f);
}

/* MODEL.md 1 pick order on equal deadlines (the rbtree keeps the entity
 * queued first leftmost): tasks 1 then 0 woken at t=0 with equal v and
 * deadline 0.35 ms; task 1, queued first, is picked. */
static void test_pick_tie_goes_to_first_queued(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, 1);
	fx_task(&f, 1, NULL, 0, 0);
	fx_task(&f, 0, NULL, 0, 0);
	assert_ptr_equal(schedule(cpu_rq(&f.s, 0), 0), &f.t[1]);
	fx_fini(&f);
}

/* MODEL.md 1 "RUN_TO_PARITY: it keeps running until its protected
 * vruntime, at most its deadline"; set_protect_slice(). 16 CPUs: slice 2.8
 * ms, first deadline 1.4 ms (halved). With RUN_TO_PARITY: vprot = deadline
 * = 1.4 ms. Without: one unscaled base slice, v + 0.7 = 0.7 ms. */
static void test_protection_bound(void **state)
{
	struct sched_features ft;
	struct fx f;

	(void)state;
	fx_init(&f, 16);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	assert_int_equal(f.t[0].se.deadline, US(1400));
	assert_int_equal(f.t[0].se.vprot, US(1400));
	fx_fini(&f);

	sched_features_default(&ft);
	ft.run_to_parity = false;
	fx_init_feat(&f, 16, &ft);
	fx_task(&f, 0, NULL, 0, 0);
	schedule(cpu_rq(&f.s, 0), 0);
	assert_int_equal(f.t[0].se.vprot, US(700));
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_single),
		cmocka_unit_test(test_pick_eligible_buddy),
		cmocka_unit_test(test_pick_ineligible_buddy_ignored),
		cmocka_unit_test(test_pick_protected_curr),
		cmocka_unit_test(test_pick_earliest_eligible_deadline),
		cmocka_unit_test(test_pick_curr_earliest_deadline),
		cmocka_unit_test(test_pick_skips_ineligible_early_deadline),
		cmocka_unit_test(test_pick_tie_goes_to_first_queued),
		cmocka_unit_test(test_protection_bound),
	};
	return cmocka_run_group_tests_name("sched_pick", tests, NULL, NULL);
}
