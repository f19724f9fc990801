/* SPDX-License-Identifier: MIT */
/*
 * Shared set-up for the sched model tests: a host of N CPUs with default
 * parameters (HZ=250 -> 4 ms tick, 0.70 ms base slice scaled by
 * 1 + ilog2(min(N, 8))), tasks of weight 1024, helpers to put an entity at
 * a chosen vruntime/deadline without breaking the queue sums.
 */
#ifndef OVERSUB_TEST_SCHED_FIXTURE_H
#define OVERSUB_TEST_SCHED_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sched/sched.h"

#define US(x) ((u64)(x) * NSEC_PER_USEC)
#define MS(x) ((u64)(x) * NSEC_PER_MSEC)

#define FX_TASKS 8

struct fx {
	struct sched s;
	struct task t[FX_TASKS];
};

static inline __attribute__((unused)) void
fx_init_feat(struct fx *f, unsigned int ncpus, const struct sched_features *ft)
{
	struct sched_params p;

	sched_params_default(&p);
	p.nr_cpus = ncpus;
	memset(f, 0, sizeof(*f));
	assert_int_equal(sched_init(&f->s, &p, ft), 0);
}

static inline __attribute__((unused)) void fx_init(struct fx *f,
						    unsigned int ncpus)
{
	struct sched_features ft;

	sched_features_default(&ft);
	fx_init_feat(f, ncpus, &ft);
}

/* Task i of group tg (NULL: root), weight 1024, woken as new on cpu. */
static inline __attribute__((unused)) struct task *
fx_task(struct fx *f, int i, struct task_group *tg, int cpu, u64 now)
{
	struct task *p = &f->t[i];

	sched_task_init(&f->s, p, tg, NICE_0_LOAD, cpu);
	p->id = i;
	wake_up_new_task(&f->s, p, now);
	return p;
}

/* Put @se at vruntime v, deadline d, keeping the avg sums consistent. */
static inline __attribute__((unused)) void set_vd(struct sched_entity *se,
						  u64 v, u64 d)
{
	struct cfs_rq *cfs_rq = se->cfs_rq;
	bool in_tree = se->on_rq && cfs_rq->curr != se;

	if (in_tree)
		__dequeue_entity(cfs_rq, se);
	se->vruntime = v;
	se->deadline = d;
	if (in_tree)
		__enqueue_entity(cfs_rq, se);
}

/* The lag V - v of an entity as the queue sees it now. */
static inline __attribute__((unused)) s64 lag_of(const struct sched_entity *se)
{
	return (s64)(avg_vruntime(se->cfs_rq) - se->vruntime);
}

/* Fail the test if the model's cached sums disagree with its queues. */
static inline __attribute__((unused)) void fx_check(struct fx *f)
{
	char why[256];

	if (sched_check_invariants(&f->s, why, sizeof(why)))
		fail_msg("sched invariant broken: %s", why);
}

/* Every test ends with a consistency check of the whole model. */
static inline __attribute__((unused)) void fx_fini(struct fx *f)
{
	fx_check(f);
	sched_destroy(&f->s);
}

#endif
