// SPDX-License-Identifier: MIT
/*
 * Load balancing after kernel/sched/fair.c (v6.12-v6.18): the periodic
 * balance each CPU runs at its ticks (sched_balance_trigger ->
 * sched_balance_domains), the newly-idle balance of a CPU about to idle
 * (sched_balance_newidle), and the pass both make on a domain
 * (sched_balance_rq): classify the domain's groups, find the busiest,
 * compute the imbalance (in weighted load, tasks or utilisation), pick the
 * busiest CPU of that group and detach tasks from the least recently run
 * on, within the imbalance; count failures, back off the interval.
 *
 * Simplified (docs/model.md): two levels at most (MC over an LLC, its
 * groups single CPUs; PKG over the host, its groups the LLCs), no SMT,
 * NUMA, asymmetric capacity or misfit; every CPU has capacity 1024; load
 * is the instantaneous weight of the CPU's root queue (no PELT load), with
 * PELT-like utilisation and runnable averages (pelt.c) for classifying
 * groups; no active balance (a load imbalance never asks for one, and the
 * engine has no stopper thread); a newly-idle pass costs newidle_cost_ns
 * per CPU spanned (measured here, docs/model.md 7.9) and that time is not
 * charged; NI_RANDOM (v6.18) throws its die from each CPU's own stream; idle CPUs are balanced
 * at their own ticks (the NOHZ idle balancer's work, without its kick).
 */
#include "sched/sched.h"

#define SCHED_CAPACITY_SCALE 1024UL
#define SCHED_NR_MIGRATE 32 /* sysctl_sched_nr_migrate */
#define LB_MAX_PINNED_RETRIES 8 /* CPUs of a group tried after all-pinned */

enum cpu_idle_type {
	CPU_NOT_IDLE = 0,
	CPU_IDLE,
	CPU_NEWLY_IDLE,
};

/* In order: a higher one is busier (group_type in fair.c, reduced). */
enum group_type {
	group_has_spare = 0,
	group_fully_busy,
	group_overloaded,
};

enum migration_type {
	migrate_load = 0,
	migrate_util,
	migrate_task,
};

struct sg_lb_stats {
	unsigned long load; /* sum of cpu_load() */
	unsigned long avg_load; /* load * 1024 / capacity */
	unsigned long capacity;
	double util, runnable;
	unsigned int nr_running, h_nr_running, idle_cpus, weight;
	enum group_type type;
};

struct lb_env {
	struct sched *s;
	struct sched_domain *sd;
	int dst_cpu;
	enum cpu_idle_type idle;
	long imbalance;
	enum migration_type type;
	u64 now;
	unsigned int first_group, nr_groups; /* the busiest group's CPUs */
	int excluded[LB_MAX_PINNED_RETRIES]; /* busiest CPUs all pinned */
	unsigned int nr_excluded;
};

/* models cpu_load(): the root queue's weight (instantaneous) */
static unsigned long cpu_load(const struct rq *rq)
{
	return rq->cfs.load;
}

static bool cpu_is_idle(const struct rq *rq)
{
	return !rq->curr && !rq->nr_running;
}

/* models cpu_util_cfs() and cpu_runnable(): the averages of every task
 * attached to the CPU, sleeping ones included (blocked), capped at the
 * capacity */
static void cpu_avgs(const struct rq *rq, u64 now, double *util,
		     double *runnable)
{
	const struct task *p;
	double u = 0, r = 0;

	list_for_each_entry(p, &rq->attached, attach_node) {
		u += pelt_util(p, now);
		r += pelt_runnable(p, now);
	}
	*util = u < SCHED_CAPACITY_SCALE ? u : SCHED_CAPACITY_SCALE;
	*runnable = r;
}

/* models group_has_capacity() */
static bool group_has_capacity(unsigned int pct, const struct sg_lb_stats *g)
{
	if (g->nr_running < g->weight)
		return true;
	if ((double)g->capacity * pct < g->runnable * 100)
		return false;
	return (double)g->capacity * 100 > g->util * pct;
}

/* models group_is_overloaded() */
static bool group_is_overloaded(unsigned int pct, const struct sg_lb_stats *g)
{
	if (g->nr_running <= g->weight)
		return false;
	if ((double)g->capacity * 100 < g->util * pct)
		return true;
	return (double)g->capacity * pct < g->runnable * 100;
}

/* models update_sg_lb_stats() and group_classify() for CPUs
 * [first, first + n) */
static void update_sg_lb_stats(const struct lb_env *env, unsigned int first,
			       unsigned int n, struct sg_lb_stats *g)
{
	*g = (struct sg_lb_stats){ .weight = n };
	for (unsigned int cpu = first; cpu < first + n; cpu++) {
		const struct rq *rq = &env->s->rqs[cpu];
		double u, r;

		g->load += cpu_load(rq);
		cpu_avgs(rq, env->now, &u, &r);
		g->util += u;
		g->runnable += r;
		g->nr_running += rq->nr_running;
		g->h_nr_running += rq->cfs.h_nr_queued;
		if (cpu_is_idle(rq))
			g->idle_cpus++;
	}
	g->capacity = SCHED_CAPACITY_SCALE * n;
	if (group_is_overloaded(env->sd->imbalance_pct, g))
		g->type = group_overloaded;
	else if (!group_has_capacity(env->sd->imbalance_pct, g))
		g->type = group_fully_busy;
	else
		g->type = group_has_spare;
	g->avg_load = g->load * SCHED_CAPACITY_SCALE / g->capacity;
}

/* models update_sd_pick_busiest(): is @g busier than @busiest? */
static bool pick_busiest(const struct sg_lb_stats *g,
			 const struct sg_lb_stats *busiest, bool have)
{
	if (!g->h_nr_running)
		return false;
	if (!have || g->type > busiest->type)
		return true;
	if (g->type < busiest->type)
		return false;
	switch (g->type) {
	case group_overloaded:
	case group_fully_busy:
		return g->avg_load > busiest->avg_load;
	case group_has_spare:
		if (g->idle_cpus != busiest->idle_cpus)
			return g->idle_cpus < busiest->idle_cpus;
		return g->nr_running > busiest->nr_running;
	}
	return false;
}

/* models sibling_imbalance(), for groups of equal cores or not */
static long sibling_imbalance(const struct lb_env *env,
			      const struct sg_lb_stats *busiest,
			      const struct sg_lb_stats *local)
{
	long nb = busiest->weight, nl = local->weight, imb;

	if (env->idle == CPU_NOT_IDLE || !busiest->nr_running)
		return 0;
	if (nb == nl) {
		imb = (long)busiest->nr_running - (long)local->nr_running;
		return imb > 0 ? imb : 0;
	}
	imb = nl * (long)busiest->nr_running - nb * (long)local->nr_running;
	if (imb < 0)
		imb = 0;
	imb = (2 * imb + nl + nb) / (nl + nb);
	if (imb <= 1 && !local->nr_running && busiest->nr_running > 1)
		imb = 2;
	return imb;
}

/* models calculate_imbalance() */
static void calculate_imbalance(struct lb_env *env,
				const struct sg_lb_stats *local,
				const struct sg_lb_stats *busiest,
				unsigned long sds_avg_load, bool prefer_sibling)
{
	if (local->type == group_has_spare) {
		if (busiest->type > group_fully_busy && !env->sd->share_llc) {
			double spare = local->capacity > local->util ?
					       local->capacity - local->util :
					       0;

			env->type = migrate_util;
			env->imbalance = (long)spare;
			if (env->idle != CPU_NOT_IDLE && !env->imbalance) {
				env->type = migrate_task;
				env->imbalance = 1;
			}
			return;
		}
		env->type = migrate_task;
		if (busiest->weight == 1 || prefer_sibling) {
			env->imbalance = sibling_imbalance(env, busiest, local);
		} else {
			long d = (long)local->idle_cpus -
				 (long)busiest->idle_cpus;

			env->imbalance = d > 0 ? d : 0;
		}
		env->imbalance >>= 1;
		return;
	}
	if (local->type < group_overloaded &&
	    (local->avg_load >= busiest->avg_load ||
	     local->avg_load >= sds_avg_load)) {
		env->imbalance = 0;
		return;
	}
	env->type = migrate_load;
	env->imbalance =
		(long)min_t(
			unsigned long,
			(busiest->avg_load - sds_avg_load) * busiest->capacity,
			(sds_avg_load - local->avg_load) * local->capacity) /
		(long)SCHED_CAPACITY_SCALE;
}

/* models sched_balance_find_src_group(): the busiest group's first CPU
 * in env, true if there is an imbalance to act on */
static bool find_busiest_group(struct lb_env *env)
{
	struct sched_domain *sd = env->sd;
	struct sg_lb_stats local = { 0 }, busiest = { 0 }, g;
	unsigned long total_load = 0, total_cap = 0, sds_avg;
	unsigned int local_first = 0, busiest_first = 0, busiest_n = 0;
	bool have = false, prefer_sibling = !sd->share_llc;

	for (unsigned int first = sd->first; first < sd->first + sd->span;
	     first += sd->group_span) {
		unsigned int n = min_t(unsigned int, sd->group_span,
				       sd->first + sd->span - first);

		update_sg_lb_stats(env, first, n, &g);
		total_load += g.load;
		total_cap += g.capacity;
		if ((unsigned int)env->dst_cpu >= first &&
		    (unsigned int)env->dst_cpu < first + n) {
			local = g;
			local_first = first;
			continue;
		}
		if (pick_busiest(&g, &busiest, have)) {
			busiest = g;
			busiest_first = first;
			busiest_n = n;
			have = true;
		}
	}
	(void)local_first;
	if (!have)
		return false;
	env->first_group = busiest_first;
	env->nr_groups = busiest_n;
	sds_avg = total_load * SCHED_CAPACITY_SCALE / total_cap;
	if (local.type > busiest.type)
		return false;
	if (local.type == group_overloaded &&
	    (local.avg_load >= busiest.avg_load || local.avg_load >= sds_avg ||
	     100 * busiest.avg_load <= sd->imbalance_pct * local.avg_load))
		return false;
	if (prefer_sibling && local.type == group_has_spare &&
	    sibling_imbalance(env, &busiest, &local) > 1)
		goto force;
	if (busiest.type != group_overloaded) {
		if (env->idle == CPU_NOT_IDLE)
			return false;
		if (busiest.weight > 1 &&
		    local.idle_cpus <= busiest.idle_cpus + 1)
			return false;
		if (busiest.h_nr_running == 1)
			return false;
	}
force:
	calculate_imbalance(env, &local, &busiest, sds_avg, prefer_sibling);
	return env->imbalance > 0;
}

/* models sched_balance_find_src_rq(): the busiest CPU of the group */
static struct rq *find_busiest_queue(struct lb_env *env)
{
	struct rq *best = NULL;
	double best_util = 0;
	unsigned long best_load = 0;
	unsigned int best_nr = 0;

	for (unsigned int i = 0; i < env->nr_groups; i++) {
		struct rq *rq = &env->s->rqs[env->first_group + i];
		unsigned long load = cpu_load(rq);
		bool skip = !rq->cfs.h_nr_queued;
		double u, r;

		for (unsigned int k = 0; k < env->nr_excluded; k++)
			skip |= env->excluded[k] == rq->cpu;
		if (skip)
			continue;
		switch (env->type) {
		case migrate_load:
			/* moving its only task would overshoot */
			if (rq->nr_running == 1 && (long)load > env->imbalance)
				continue;
			if (!best || load > best_load) {
				best = rq;
				best_load = load;
			}
			break;
		case migrate_util:
			if (rq->nr_running <= 1)
				continue;
			cpu_avgs(rq, env->now, &u, &r);
			if (!best || u > best_util) {
				best = rq;
				best_util = u;
			}
			break;
		case migrate_task:
			if (!best || rq->cfs.h_nr_queued > best_nr) {
				best = rq;
				best_nr = rq->cfs.h_nr_queued;
			}
			break;
		}
	}
	return best;
}

/* models task_h_load(): @p's share of its CPU's root load */
static unsigned long task_h_load(const struct task *p)
{
	const struct sched_entity *se = &p->se;
	u64 load = se->weight;

	for (; se->parent; se = se->parent)
		load = load * se->parent->weight / (se->cfs_rq->load + 1);
	return (unsigned long)load;
}

/* models task_hot(): ran on its CPU less than migration_cost ago */
static bool task_hot(const struct lb_env *env, const struct task *p)
{
	u64 cost = env->s->params.migration_cost_ns;

	if (!cost)
		return false;
	return env->now - p->se.exec_start < cost;
}

/* models can_migrate_task(); *pinned counts tasks not allowed on dst */
static bool can_migrate_task(const struct lb_env *env, const struct rq *src,
			     const struct task *p, bool *allowed_any)
{
	if (!task_allowed_on(p, env->dst_cpu))
		return false;
	*allowed_any = true;
	if (src->curr == p || p->se.sched_delayed)
		return false;
	return !task_hot(env, p) ||
	       env->sd->nr_balance_failed > env->sd->cache_nice_tries;
}

/* models detach_tasks() + attach_tasks(): move tasks from @src, least
 * recently run first, until the imbalance is used up. Returns the number
 * moved; *allowed_any: some task may run on dst at all. */
static int detach_tasks(struct lb_env *env, struct rq *src, bool *allowed_any)
{
	struct task *cand[SCHED_NR_MIGRATE];
	unsigned int n = 0, loop_max;
	int moved = 0;
	struct task *p;

	*allowed_any = false;
	if (src->nr_running <= 1 || env->imbalance <= 0)
		return 0;
	loop_max = min_t(unsigned int, SCHED_NR_MIGRATE, src->nr_running);
	list_for_each_entry_reverse(p, &src->cfs_tasks, tasks_node)
	{
		if (n == loop_max)
			break;
		cand[n++] = p;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned long load = 1;

		p = cand[i];
		if (env->idle != CPU_NOT_IDLE && src->nr_running <= 1)
			break;
		if (!can_migrate_task(env, src, p, allowed_any))
			continue;
		switch (env->type) {
		case migrate_load:
			load = max_t(unsigned long, task_h_load(p), 1);
			/* shr_bound(): each failure halves what must fit */
			if ((load >> min_t(unsigned int,
					   env->sd->nr_balance_failed, 63)) >
			    (unsigned long)env->imbalance)
				continue;
			env->imbalance -= (long)load;
			break;
		case migrate_util: {
			long util = (long)pelt_util(p, env->now);

			if ((util >> min_t(unsigned int,
					   env->sd->nr_balance_failed, 63)) >
			    env->imbalance)
				continue;
			env->imbalance -= util;
			break;
		}
		case migrate_task:
			env->imbalance--;
			break;
		}
		sched_migrate_task(env->s, p, env->dst_cpu, env->now);
		moved++;
		/* with CONFIG_PREEMPTION a newly-idle pass moves one */
		if (env->idle == CPU_NEWLY_IDLE || env->imbalance <= 0)
			break;
	}
	return moved;
}

/* models should_we_balance(): the first idle CPU of the local group, else
 * its first CPU, balances for it; newly idle, any CPU still idle */
static bool should_we_balance(const struct lb_env *env)
{
	const struct sched_domain *sd = env->sd;
	unsigned int gs = sd->group_span;
	unsigned int first = (unsigned int)env->dst_cpu -
			     ((unsigned int)env->dst_cpu - sd->first) % gs;
	unsigned int n = min_t(unsigned int, gs, sd->first + sd->span - first);

	if (env->idle == CPU_NEWLY_IDLE)
		return !env->s->rqs[env->dst_cpu].nr_running;
	for (unsigned int cpu = first; cpu < first + n; cpu++)
		if (cpu_is_idle(&env->s->rqs[cpu]))
			return (int)cpu == env->dst_cpu;
	return (int)first == env->dst_cpu;
}

/* models sched_balance_rq() */
static int sched_balance_rq(struct sched *s, int cpu, struct sched_domain *sd,
			    enum cpu_idle_type idle, u64 now,
			    bool *continue_balancing)
{
	struct lb_env env = { .s = s,
			      .sd = sd,
			      .dst_cpu = cpu,
			      .idle = idle,
			      .now = now };
	struct rq *busiest;
	bool allowed_any;
	int moved = 0;

	if (!should_we_balance(&env)) {
		*continue_balancing = false;
		goto out_balanced;
	}
	if (!find_busiest_group(&env))
		goto out_balanced;
	for (;;) {
		busiest = find_busiest_queue(&env);
		if (!busiest)
			goto out_balanced;
		moved = detach_tasks(&env, busiest, &allowed_any);
		if (moved || allowed_any || busiest->nr_running <= 1)
			break;
		/* LBF_ALL_PINNED: try the group's other CPUs */
		if (env.nr_excluded == LB_MAX_PINNED_RETRIES)
			break;
		env.excluded[env.nr_excluded++] = busiest->cpu;
	}
	if (!moved) {
		if (idle != CPU_NEWLY_IDLE)
			sd->nr_balance_failed++;
	} else {
		sd->nr_balance_failed = 0;
	}
	sd->balance_interval = sd->min_interval;
	return moved;

out_balanced:
	sd->nr_balance_failed = 0;
	if (idle != CPU_NEWLY_IDLE && sd->balance_interval < sd->max_interval)
		sd->balance_interval *= 2;
	return 0;
}

/* models update_newidle_stats(): count a newly-idle call and its
 * (weighted) success; every 1024 calls the ratio is the successes and the
 * window halves */
static void update_newidle_stats(struct sched_domain *sd, unsigned int success)
{
	sd->newidle_call++;
	sd->newidle_success += success;
	if (sd->newidle_call >= 1024) {
		sd->newidle_ratio = sd->newidle_success;
		sd->newidle_call /= 2;
		sd->newidle_success /= 2;
	}
}

/* models update_newidle_cost(): a pass that cost something counts in the
 * NI_RANDOM statistics; the most a pass cost, decaying by 1% a second */
static void update_newidle_cost(struct sched_domain *sd, u64 cost,
				unsigned int success, u64 now)
{
	if (cost)
		update_newidle_stats(sd, success);
	if (cost > sd->max_newidle_lb_cost) {
		sd->max_newidle_lb_cost = cost;
		sd->last_decay_max_lb_cost = now;
	} else if (now > sd->last_decay_max_lb_cost + NSEC_PER_SEC) {
		sd->max_newidle_lb_cost = sd->max_newidle_lb_cost * 253 / 256;
		sd->last_decay_max_lb_cost = now;
	}
}

/* models get_sd_balance_interval(): in ticks, x busy_factor when busy */
static u64 balance_interval_ns(const struct sched *s,
			       const struct sched_domain *sd, bool busy)
{
	u64 tick = s->params.tick_ns, ms = sd->balance_interval, j;
	u64 max = NSEC_PER_SEC / tick * s->nr_cpus / 10; /* HZ*cpus/10 */

	if (busy)
		ms *= sd->busy_factor;
	j = (ms * NSEC_PER_MSEC + tick - 1) / tick; /* msecs_to_jiffies */
	if (busy && j > 1)
		j--;
	j = clamp_t(u64, j, 1, max ? max : 1);
	return j * tick;
}

int sched_balance_trigger(struct rq *rq, u64 now)
{
	struct sched *s = rq->s;
	bool busy = !cpu_is_idle(rq), cont = true;
	u64 sum_cost = 0;
	int moved = 0;

	for (unsigned int d = 0; d < rq->nr_sd; d++) {
		struct sched_domain *sd = &rq->sd[d];

		update_newidle_cost(sd, 0, 0, now);
		sum_cost += sd->max_newidle_lb_cost;
		if (!cont)
			continue;
		if (now < sd->last_balance + balance_interval_ns(s, sd, busy))
			continue;
		moved += sched_balance_rq(s, rq->cpu, sd,
					  busy ? CPU_NOT_IDLE : CPU_IDLE, now,
					  &cont);
		busy = !cpu_is_idle(rq);
		sd->last_balance = now;
	}
	rq->max_idle_balance_cost =
		max_t(u64, s->params.migration_cost_ns, sum_cost);
	return moved;
}

int sched_balance_newidle(struct sched *s, int cpu, u64 now)
{
	struct rq *rq = cpu_rq(s, cpu);
	bool cont = true;
	u64 curr_cost = 0;
	int pulled = 0;

	rq->idle_stamp = now;
	if (!rq->nr_sd || !s->nr_overloaded ||
	    rq->avg_idle < rq->sd[0].max_newidle_lb_cost)
		return 0;
	for (unsigned int d = 0; d < rq->nr_sd; d++) {
		struct sched_domain *sd = &rq->sd[d];
		u64 cost = s->params.newidle_cost_ns * sd->span;
		unsigned int weight = 1;

		if (rq->avg_idle < curr_cost + sd->max_newidle_lb_cost)
			break;
		if (s->feat.ni_random) {
			/* a 1024-sided die: pass in proportion to the
			 * recent successes; a success then counts as many
			 * as the passes skipped for it */
			weight = 1 + sd->newidle_ratio;
			if (prng_below(&rq->rng, 1024) > weight) {
				update_newidle_stats(sd, 0);
				continue;
			}
			weight = (1024 + weight / 2) / weight;
		}
		pulled = sched_balance_rq(s, cpu, sd, CPU_NEWLY_IDLE, now,
					  &cont);
		curr_cost += cost;
		update_newidle_cost(sd, cost, weight * !!pulled, now);
		if (pulled || rq->nr_running || !cont)
			break;
	}
	if (curr_cost > rq->max_idle_balance_cost)
		rq->max_idle_balance_cost = curr_cost;
	if (pulled)
		rq->idle_stamp = 0;
	return pulled;
}
