// SPDX-License-Identifier: MIT
/*
 * The scheduler core as the engine sees it: setup of rqs, cgroups and
 * tasks, and the entry points of kernel/sched/core.c that the model needs
 * (wakeups, __schedule, the tick, yield_to, sched_yield, migration).
 */
#include "sched/sched.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"

#define SCHED_MAX_CPUS 65536U

void sched_params_default(struct sched_params *p)
{
	*p = (struct sched_params){
		.nr_cpus = 1,
		.tick_ns = NSEC_PER_SEC / 250, /* HZ=250 */
		.base_slice_ns = 700 * NSEC_PER_USEC, /* v6.17+ */
		.tunable_scaling_log = true,
		.llc_size = 0,
		.migration_cost_ns = 500 * NSEC_PER_USEC,
		.newidle_cost_ns = 0,
	};
}

void sched_features_default(struct sched_features *f)
{
	*f = (struct sched_features){
		.run_to_parity = true,
		.delay_dequeue = true,
		.delay_zero = true,
		.place_lag = true,
		.place_deadline_initial = true,
		.place_rel_deadline = true,
		.pick_buddy = true,
		.cgroup_buddy = true,
		.wakeup_preemption = true,
		.ni_random = true,
		.vcpu_debooster_enabled = false,
		.debooster_rate_limit_ns = 6 * NSEC_PER_MSEC,
		.debooster_debounce_ns = 600 * NSEC_PER_USEC,
		.vcpu_lag_credit_enabled = false,
	};
}

/* models sched_prio_to_weight[] in kernel/sched/core.c: the load weight of
 * nice -20..19, each step about 1.25x */
unsigned long sched_prio_to_weight(int nice)
{
	static const unsigned long weights[40] = {
		88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705,
		14949, 11916, 9548,  7620,  6100,  4904,  3906,	 3121,
		2501,  1991,  1586,  1277,  1024,  820,	  655,	 526,
		423,   335,   272,   215,   172,   137,	  110,	 87,
		70,    56,    45,    36,    29,	   23,	  18,	 15,
	};

	nice = clamp_t(int, nice, -20, 19);
	return weights[nice + 20];
}

/* models update_sysctl()/get_update_sysctl_factor() in kernel/sched/fair.c:
 * base slice x (1 + ilog2(min(ncpus, 8))) under SCHED_TUNABLESCALING_LOG */
static u64 scaled_base_slice(const struct sched_params *p)
{
	unsigned int factor = 1;

	if (p->tunable_scaling_log)
		factor = 1 + ilog2_u64(min_t(unsigned int, p->nr_cpus, 8));
	return p->base_slice_ns * factor;
}

/* models sd_init() in kernel/sched/topology.c for a domain of @span CPUs
 * from @first, its groups of @group_span */
static void init_domain(struct sched_domain *sd, unsigned int first,
			unsigned int span, unsigned int group_span,
			bool share_llc)
{
	*sd = (struct sched_domain){
		.first = first,
		.span = span,
		.group_span = group_span,
		.share_llc = share_llc,
		.min_interval = span,
		.max_interval = 2 * span,
		.balance_interval = span,
		.busy_factor = 16,
		.imbalance_pct = 117,
		/* SD_SHARE_LLC and the other non-NUMA levels */
		.cache_nice_tries = 1,
		/* NI_RANDOM starts at one success in two */
		.newidle_call = 512,
		.newidle_success = 256,
		.newidle_ratio = 512,
	};
}

/* models build_sched_domains(): MC over the CPU's LLC (when it has more
 * than one CPU), PKG over the host (when it has more than one LLC);
 * a level with a single group is degenerate and left out */
static void init_domains(struct sched *s, struct rq *rq)
{
	unsigned int n = s->nr_cpus, cpu = (unsigned int)rq->cpu;
	unsigned int llc = s->params.llc_size ? s->params.llc_size : n;
	unsigned int first = cpu - cpu % llc;

	llc = min_t(unsigned int, llc, n);
	rq->nr_sd = 0;
	if (min_t(unsigned int, llc, n - first) > 1)
		init_domain(&rq->sd[rq->nr_sd++], first,
			    min_t(unsigned int, llc, n - first), 1, true);
	if (llc < n)
		init_domain(&rq->sd[rq->nr_sd++], 0, n, llc, false);
}

static void init_cfs_rq(struct cfs_rq *cfs_rq, struct rq *rq,
			struct task_group *tg)
{
	memset(cfs_rq, 0, sizeof(*cfs_rq));
	INIT_LIST_HEAD(&cfs_rq->queue);
	cfs_rq->rq = rq;
	cfs_rq->tg = tg;
}

int sched_init(struct sched *s, const struct sched_params *p,
	       const struct sched_features *f)
{
	if (p->nr_cpus == 0 || p->nr_cpus > SCHED_MAX_CPUS || !p->tick_ns ||
	    !p->base_slice_ns)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->params = *p;
	s->feat = *f;
	s->nr_cpus = p->nr_cpus;
	s->base_slice = scaled_base_slice(p);
	INIT_LIST_HEAD(&s->groups);
	s->rqs = calloc(p->nr_cpus, sizeof(*s->rqs));
	s->resched_list = calloc(p->nr_cpus, sizeof(*s->resched_list));
	if (!s->rqs || !s->resched_list) {
		free(s->rqs);
		free(s->resched_list);
		return -ENOMEM;
	}

	s->root_tg.s = s;
	s->root_tg.shares = NICE_0_LOAD;
	snprintf(s->root_tg.name, sizeof(s->root_tg.name), "/");
	for (unsigned int cpu = 0; cpu < p->nr_cpus; cpu++) {
		struct rq *rq = &s->rqs[cpu];

		rq->cpu = (int)cpu;
		rq->s = s;
		INIT_LIST_HEAD(&rq->cfs_tasks);
		INIT_LIST_HEAD(&rq->attached);
		init_cfs_rq(&rq->cfs, rq, &s->root_tg);
		init_domains(s, rq);
		/* sched_init(): avg_idle = 2 x, max_idle_balance_cost = 1 x
		 * sysctl_sched_migration_cost */
		rq->avg_idle = 2 * p->migration_cost_ns;
		rq->max_idle_balance_cost = p->migration_cost_ns;
		/* its own stream: far from the engine's (vCPUs from 0,
		 * guest threads from 2^32) */
		prng_seed(&rq->rng, p->seed, (2ULL << 32) + cpu);
	}
	return 0;
}

void sched_destroy(struct sched *s)
{
	while (!list_empty(&s->groups)) {
		struct task_group *tg =
			list_entry(s->groups.next, struct task_group, node);

		list_del_init(&tg->node);
		free(tg->se);
		free(tg->cfs_rq);
		free(tg);
	}
	free(s->rqs);
	free(s->resched_list);
	s->rqs = NULL;
	s->resched_list = NULL;
}

/* models sched_create_group()/init_tg_cfs_entry() in kernel/sched */
struct task_group *sched_create_group(struct sched *s,
				      struct task_group *parent,
				      unsigned long shares, const char *name)
{
	if (shares < MIN_SHARES || shares > MAX_SHARES) {
		errno = EINVAL;
		return NULL;
	}
	if (!parent)
		parent = &s->root_tg;

	__free(free) struct task_group *tg = calloc(1, sizeof(*tg));
	__free(free) struct sched_entity *se = calloc(s->nr_cpus, sizeof(*se));
	__free(free) struct cfs_rq *cfs = calloc(s->nr_cpus, sizeof(*cfs));
	if (!tg || !se || !cfs) {
		errno = ENOMEM;
		return NULL;
	}
	tg->s = s;
	tg->parent = parent;
	tg->shares = shares;
	tg->depth = parent->depth + 1;
	snprintf(tg->name, sizeof(tg->name), "%s", name ? name : "");
	for (unsigned int cpu = 0; cpu < s->nr_cpus; cpu++) {
		struct sched_entity *gse = &se[cpu];

		init_cfs_rq(&cfs[cpu], &s->rqs[cpu], tg);
		INIT_LIST_HEAD(&gse->node);
		gse->weight = NICE_0_LOAD;
		gse->slice = s->base_slice;
		gse->depth = parent->depth;
		gse->parent = tg_se(parent, (int)cpu);
		gse->cfs_rq = tg_cfs_rq(parent, (int)cpu);
		gse->my_q = &cfs[cpu];
	}
	tg->se = no_free_ptr(se);
	tg->cfs_rq = no_free_ptr(cfs);
	list_add_tail(&tg->node, &s->groups);
	return no_free_ptr(tg);
}

/* models set_task_cpu(): the task's entity joins @cpu's queues of its
 * group, and its averages move with it (attach/detach_entity_load_avg) */
static void set_task_cpu(struct sched *s, struct task *p, int cpu)
{
	list_move(&p->attach_node, &cpu_rq(s, cpu)->attached);
	p->cpu = cpu;
	p->se.cfs_rq = tg_cfs_rq(p->tg, cpu);
	p->se.parent = tg_se(p->tg, cpu);
}

/* models __sched_fork()/sched_fork() in kernel/sched/core.c */
void sched_task_init(struct sched *s, struct task *p, struct task_group *tg,
		     unsigned long weight, int cpu)
{
	memset(p, 0, sizeof(*p));
	p->tg = tg ? tg : &s->root_tg;
	p->se.weight = weight;
	p->se.slice = s->base_slice;
	p->se.depth = p->tg->depth;
	INIT_LIST_HEAD(&p->se.node);
	INIT_LIST_HEAD(&p->tasks_node);
	INIT_LIST_HEAD(&p->attach_node);
	p->state = TASK_SLEEPING;
	p->fair = true;
	/* post_init_entity_util_avg(): half an empty CPU's capacity */
	p->avg.util_avg = 512;
	p->avg.runnable_avg = 512;
	set_task_cpu(s, p, cpu);
}

bool task_allowed_on(const struct task *p, int cpu)
{
	return !p->allowed || (p->allowed[cpu / 64] >> (cpu % 64)) & 1;
}

void sched_update_clock(struct rq *rq, u64 now)
{
	if ((s64)(now - rq->clock) > 0)
		rq->clock = now;
}

/* models wakeup_preempt() in kernel/sched/core.c */
static void wakeup_preempt(struct rq *rq, struct task *p)
{
	check_preempt_wakeup_fair(rq, p);
	rq_note_enqueue(rq);
}

/* models wake_up_new_task() in kernel/sched/core.c */
void wake_up_new_task(struct sched *s, struct task *p, u64 now)
{
	struct rq *rq = task_rq(s, p);

	sched_update_clock(rq, now);
	p->state = TASK_RUNNING;
	enqueue_task_fair(rq, p, ENQUEUE_INITIAL);
	wakeup_preempt(rq, p);
}

/* models the avg_idle update of ttwu_do_activate(): a wakeup ends an idle
 * period that began when a newly-idle balance found nothing to pull */
static void ttwu_avg_idle(struct rq *rq, u64 now)
{
	u64 max = 2 * rq->max_idle_balance_cost;
	s64 delta;

	if (!rq->idle_stamp)
		return;
	delta = (s64)(now - rq->idle_stamp) - (s64)rq->avg_idle;
	rq->avg_idle = (u64)((s64)rq->avg_idle + delta / 8); /* update_avg */
	if (rq->avg_idle > max)
		rq->avg_idle = max;
	rq->idle_stamp = 0;
}

/* models try_to_wake_up() in kernel/sched/core.c; a task still queued
 * (delayed) is requeued where it is, as ttwu_runnable() does */
int try_to_wake_up(struct sched *s, struct task *p, u64 now)
{
	struct rq *rq;
	int cpu;

	if (p->state == TASK_RUNNING)
		return p->cpu;
	p->state = TASK_RUNNING;
	if (p->se.on_rq) {
		rq = task_rq(s, p);
		sched_update_clock(rq, now);
		enqueue_task_fair(rq, p, ENQUEUE_WAKEUP);
		wakeup_preempt(rq, p);
		return p->cpu;
	}
	cpu = select_task_rq_fair(s, p);
	if (cpu != p->cpu) {
		set_task_cpu(s, p, cpu);
		cpu_rq(s, cpu)->stats.migrations++;
	}
	rq = cpu_rq(s, cpu);
	sched_update_clock(rq, now);
	ttwu_avg_idle(rq, now);
	enqueue_task_fair(rq, p, ENQUEUE_WAKEUP);
	wakeup_preempt(rq, p);
	return cpu;
}

void sched_block(struct sched *s, struct task *p, u64 now)
{
	struct rq *rq = task_rq(s, p);

	assert(rq->curr == p);
	sched_update_clock(rq, now);
	p->state = TASK_SLEEPING;
	dequeue_task_fair(rq, p, DEQUEUE_SLEEP);
	resched_curr(rq);
}

/* models __schedule() in kernel/sched/core.c */
struct task *schedule(struct rq *rq, u64 now)
{
	struct task *prev = rq->curr, *next;

	sched_update_clock(rq, now);
	next = pick_next_task_fair(rq);
	if (next != prev) {
		if (prev)
			pelt_update(prev, rq->clock, false,
				    prev->se.on_rq &&
					    prev->state == TASK_RUNNING);
		if (next)
			pelt_update(next, rq->clock, true, true);
	}
	rq->curr = next;
	rq->need_resched = false;
	if (next != prev)
		rq->stats.nr_switches++;
	return next;
}

/* models sched_tick() in kernel/sched/core.c */
void sched_tick(struct rq *rq, u64 now)
{
	sched_update_clock(rq, now);
	task_tick_fair(rq);
}

/* models yield_to() in kernel/sched/core.c; on success the caller's rq is
 * marked for rescheduling (the kernel calls schedule() right away) */
int yield_to(struct sched *s, struct task *curr, struct task *p, bool preempt,
	     u64 now)
{
	struct rq *rq = task_rq(s, curr), *p_rq = task_rq(s, p);
	bool yielded;

	assert(rq->curr == curr);
	sched_update_clock(rq, now);
	sched_update_clock(p_rq, now);
	if (rq->nr_running == 1 && p_rq->nr_running == 1)
		return -ESRCH;
	if (!curr->fair || !p->fair)
		return 0;
	if (task_on_cpu(p_rq, p) || p->state != TASK_RUNNING)
		return 0;
	yielded = yield_to_task_fair(rq, p);
	if (!yielded)
		return 0;
	rq->stats.yld_count++;
	if (preempt && rq != p_rq)
		resched_curr(p_rq);
	resched_curr(rq);
	return 1;
}

/* models do_sched_yield() in kernel/sched/syscalls.c */
void do_sched_yield(struct rq *rq, u64 now)
{
	sched_update_clock(rq, now);
	if (rq->curr)
		yield_task_fair(rq);
	resched_curr(rq);
}

static bool cpu_idle(struct sched *s, int cpu)
{
	const struct rq *rq = cpu_rq(s, cpu);

	return !rq->curr && !rq->nr_running;
}

/* models select_task_rq_fair()/select_idle_sibling() in
 * kernel/sched/fair.c, simplified: the previous CPU if idle, else the
 * first idle allowed CPU of its LLC scanning upward from it, else the
 * previous CPU (or, if no longer allowed, the first allowed one) */
int select_task_rq_fair(struct sched *s, const struct task *p)
{
	int prev = p->cpu, n = (int)s->nr_cpus;
	int llc = s->params.llc_size ? (int)s->params.llc_size : n;
	int first = prev - prev % llc;
	int size = min_t(int, llc, n - first);

	for (int i = 0; i < size; i++) {
		int cpu = first + (prev - first + i) % size;

		if (task_allowed_on(p, cpu) && cpu_idle(s, cpu))
			return cpu;
	}
	if (task_allowed_on(p, prev))
		return prev;
	for (int cpu = 0; cpu < n; cpu++)
		if (task_allowed_on(p, cpu) && cpu_idle(s, cpu))
			return cpu;
	for (int cpu = 0; cpu < n; cpu++)
		if (task_allowed_on(p, cpu))
			return cpu;
	return prev;
}

/* models move_queued_task() in kernel/sched/core.c */
void sched_migrate_task(struct sched *s, struct task *p, int cpu, u64 now)
{
	struct rq *src = task_rq(s, p), *dst = cpu_rq(s, cpu);

	assert(p->se.on_rq && !p->se.sched_delayed && src->curr != p);
	sched_update_clock(src, now);
	sched_update_clock(dst, now);
	dequeue_task_fair(src, p, DEQUEUE_SPECIAL);
	set_task_cpu(s, p, cpu);
	enqueue_task_fair(dst, p, ENQUEUE_MIGRATED);
	wakeup_preempt(dst, p);
	dst->stats.migrations++;
}
