// SPDX-License-Identifier: MIT
/*
 * Load balancing, simplified (docs/model.md): the kernel's
 * sched_balance_rq() weighs PELT load over sched domains; the model evens
 * out runnable counts. A CPU pulls one task from the CPU with the most
 * runnable tasks when that CPU has at least two more than it; the task is
 * the oldest queued one that is not running, not delayed and allowed here.
 */
#include "sched/sched.h"

static struct task *movable_task(struct rq *src, int dst_cpu)
{
	struct task *p;

	list_for_each_entry(p, &src->cfs_tasks, tasks_node) {
		if (p == src->curr || p->se.sched_delayed)
			continue;
		if (task_allowed_on(p, dst_cpu))
			return p;
	}
	return NULL;
}

/* The CPU with the most runnable tasks among [first, first + n), with a
 * task that may move to @dst; NULL if none has two more than @dst. */
static struct task *pull_candidate(struct sched *s, int dst, unsigned int first,
				   unsigned int n)
{
	struct rq *this = cpu_rq(s, dst);
	struct task *best = NULL;
	unsigned int best_nr = this->nr_running + 1;

	for (unsigned int i = first; i < first + n; i++) {
		struct rq *rq = cpu_rq(s, (int)i);
		struct task *p;

		if ((int)i == dst || rq->nr_running <= best_nr)
			continue;
		p = movable_task(rq, dst);
		if (p) {
			best = p;
			best_nr = rq->nr_running;
		}
	}
	return best;
}

/* models the newly-idle sched_balance_newidle() in kernel/sched/fair.c
 * (simplified): pull within this CPU's LLC */
int sched_balance_cpu(struct sched *s, int cpu, u64 now)
{
	unsigned int llc = s->params.llc_size ? s->params.llc_size : s->nr_cpus;
	unsigned int first = (unsigned int)cpu - (unsigned int)cpu % llc;
	struct task *p = pull_candidate(s, cpu, first,
					min_t(unsigned int, llc,
					      s->nr_cpus - first));

	if (!p)
		return 0;
	sched_migrate_task(s, p, cpu, now);
	return 1;
}

/* The CPU with the most runnable tasks (lowest index on ties). */
static unsigned int busiest_cpu(struct sched *s)
{
	unsigned int best = 0;

	for (unsigned int i = 1; i < s->nr_cpus; i++)
		if (s->rqs[i].nr_running > s->rqs[best].nr_running)
			best = i;
	return best;
}

/* models the periodic sched_balance_rq() in kernel/sched/fair.c
 * (simplified): every CPU in turn pulls one task from the busiest CPU of
 * the host if that one has at least two more runnable tasks. The busiest
 * CPU is found once and again only after a move, so a pass costs O(cpus)
 * plus O(cpus) per task moved. */
int sched_balance(struct sched *s, u64 now)
{
	unsigned int busiest = busiest_cpu(s);
	int moved = 0;

	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct rq *src = cpu_rq(s, (int)busiest);
		struct task *p;

		if (cpu == busiest ||
		    src->nr_running < cpu_rq(s, (int)cpu)->nr_running + 2)
			continue;
		p = movable_task(src, (int)cpu);
		if (!p) {
			/* nothing here may move to this CPU: ask the others */
			p = pull_candidate(s, (int)cpu, 0, s->nr_cpus);
			if (!p)
				continue;
		}
		sched_migrate_task(s, p, (int)cpu, now);
		moved++;
		busiest = busiest_cpu(s);
	}
	return moved;
}
