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

/* models sched_balance_rq() in kernel/sched/fair.c (simplified) */
int sched_balance_cpu(struct sched *s, int cpu, u64 now)
{
	struct rq *this = cpu_rq(s, cpu);
	struct task *best = NULL;
	unsigned int best_nr = this->nr_running + 1;

	for (unsigned int i = 0; i < s->nr_cpus; i++) {
		struct rq *rq = cpu_rq(s, (int)i);
		struct task *p;

		if ((int)i == cpu || rq->nr_running <= best_nr)
			continue;
		p = movable_task(rq, cpu);
		if (p) {
			best = p;
			best_nr = rq->nr_running;
		}
	}
	if (!best)
		return 0;
	sched_migrate_task(s, best, cpu, now);
	return 1;
}

int sched_balance(struct sched *s, u64 now)
{
	int moved = 0;

	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++)
		moved += sched_balance_cpu(s, (int)cpu, now);
	return moved;
}
