// SPDX-License-Identifier: MIT
/*
 * PELT's running and runnable averages of a task (kernel/sched/pelt.c),
 * simplified: the kernel sums 1024 us periods with a decay of y per
 * period, y^32 = 1/2; the model decays continuously with the same
 * half-life (32 periods, 32.768 ms), in floating point, from one change of
 * state to the next: while a task runs its util_avg moves towards 1024,
 * otherwise towards 0; runnable_avg likewise while it is runnable
 * (running or waiting). Only the load balancer reads them, to classify
 * CPUs (group_has_capacity, group_is_overloaded); the load it balances is
 * the instantaneous weight (docs/model.md).
 */
#include <math.h>

#include "sched/sched.h"

/* LOAD_AVG_PERIOD periods of 1024 us */
#define PELT_HALF_LIFE_NS (32.0 * 1024 * NSEC_PER_USEC)
#define PELT_MAX 1024.0

static double decay(u64 from, u64 now)
{
	if (now <= from)
		return 1.0;
	return exp2(-(double)(now - from) / PELT_HALF_LIFE_NS);
}

/* @avg, in state @on since @from, at @now */
static double avg_at(double avg, bool on, u64 from, u64 now)
{
	double d = decay(from, now);

	return on ? PELT_MAX - (PELT_MAX - avg) * d : avg * d;
}

/* models update_load_avg() -> __update_load_avg_se() for one entity */
void pelt_update(struct task *p, u64 now, bool running, bool runnable)
{
	struct sched_avg *a = &p->avg;

	a->util_avg = avg_at(a->util_avg, a->running, a->last_update, now);
	a->runnable_avg =
		avg_at(a->runnable_avg, a->runnable, a->last_update, now);
	if (now > a->last_update)
		a->last_update = now;
	a->running = running;
	a->runnable = runnable;
}

double pelt_util(const struct task *p, u64 now)
{
	return avg_at(p->avg.util_avg, p->avg.running, p->avg.last_update,
		      now);
}

double pelt_runnable(const struct task *p, u64 now)
{
	return avg_at(p->avg.runnable_avg, p->avg.runnable,
		      p->avg.last_update, now);
}
