// SPDX-License-Identifier: MIT
/*
 * Consistency of the scheduler model's state, for tests and debug builds:
 * every cached sum must equal what it summarises. Not a kernel function;
 * the kernel's counterparts are its SCHED_WARN_ON()s.
 */
#include "sched/sched.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

static int fail(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_cfs_rq(const struct cfs_rq *q, int cpu, char *buf,
			size_t len)
{
	const struct sched_entity *se, *curr = q->curr;
	unsigned long load = 0, avg_load = 0;
	unsigned int nr = 0;
	s64 avg = 0;

	list_for_each_entry(se, &q->queue, node) {
		if (!se->on_rq || se == curr)
			return fail(buf, len, "cpu%d %s: bad entity in queue",
				    cpu, q->tg->name);
		avg += (s64)(se->vruntime - q->zero_vruntime) * (s64)se->weight;
		avg_load += se->weight;
		nr++;
	}
	load = avg_load;
	if (curr && curr->on_rq) {
		load += curr->weight;
		nr++;
	}
	if (avg != q->avg_vruntime || avg_load != q->avg_load)
		return fail(buf, len, "cpu%d %s: avg sums %" PRId64 "/%lu, "
			    "queue says %" PRId64 "/%lu", cpu, q->tg->name,
			    q->avg_vruntime, q->avg_load, avg, avg_load);
	if (load != q->load || nr != q->nr_queued)
		return fail(buf, len, "cpu%d %s: load %lu nr %u, queue says "
			    "%lu %u", cpu, q->tg->name, q->load, q->nr_queued,
			    load, nr);
	if (q->next && (!q->next->on_rq || q->next->cfs_rq != q))
		return fail(buf, len, "cpu%d %s: stale next buddy", cpu,
			    q->tg->name);
	return 0;
}

static int check_group(struct sched *s, struct task_group *tg, char *buf,
		       size_t len)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct cfs_rq *q = tg_cfs_rq(tg, (int)cpu);

		if (check_cfs_rq(q, (int)cpu, buf, len))
			return -1;
		sum += q->load;
	}
	if (sum != tg->load_sum)
		return fail(buf, len, "%s: load_sum %lu, queues sum to %lu",
			    tg->name, tg->load_sum, sum);
	return 0;
}

int sched_check_invariants(struct sched *s, char *buf, size_t len)
{
	struct task_group *tg;

	if (check_group(s, &s->root_tg, buf, len))
		return -1;
	list_for_each_entry(tg, &s->groups, node)
		if (check_group(s, tg, buf, len))
			return -1;
	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct rq *rq = cpu_rq(s, (int)cpu);
		const struct sched_entity *se;
		const struct task *p;
		unsigned int nr = 0;

		list_for_each_entry(p, &rq->cfs_tasks, tasks_node) {
			if (!p->se.on_rq || p->cpu != (int)cpu)
				return fail(buf, len, "cpu%u: task %d listed "
					    "but not queued here", cpu, p->id);
			nr++;
		}
		if (nr != rq->nr_running || nr != rq->cfs.h_nr_queued)
			return fail(buf, len, "cpu%u: nr_running %u, "
				    "h_nr_queued %u, tasks listed %u", cpu,
				    rq->nr_running, rq->cfs.h_nr_queued, nr);
		if (!rq->curr)
			continue;
		/* the running task's chain is curr at every level */
		for (se = &rq->curr->se; se; se = se->parent)
			if (se->cfs_rq->curr != se)
				return fail(buf, len, "cpu%u: running task %d "
					    "is not curr at depth %d", cpu,
					    rq->curr->id, se->depth);
	}
	return 0;
}
