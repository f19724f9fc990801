/* SPDX-License-Identifier: MIT */
/*
 * Host CPU scheduler model: EEVDF as in kernel/sched/fair.c (v6.19 era),
 * with cgroup hierarchy, DELAY_DEQUEUE, RUN_TO_PARITY slice protection,
 * yield/yield_to and the series' debooster (v2) and lag credit (v3).
 * MODEL.md section 1 and 4a/4b state the rules; docs/model.md says what the
 * model simplifies (no PELT, instantaneous group shares, linear queues).
 *
 * Time is simulated nanoseconds. Every entry point takes `now`, the rq clock
 * at the moment of the call; the caller (tests, the sim engine) owns time.
 */
#ifndef OVERSUB_SCHED_H
#define OVERSUB_SCHED_H

#include "core/list.h"
#include "core/prng.h"
#include "core/types.h"

#define NICE_0_LOAD 1024UL
#define MIN_SHARES 2UL
#define MAX_SHARES (1UL << 18)

/* enqueue/dequeue flags, after kernel/sched/sched.h */
#define ENQUEUE_WAKEUP 0x01
#define ENQUEUE_INITIAL 0x02
#define ENQUEUE_MIGRATED 0x04
#define DEQUEUE_SLEEP 0x01
#define DEQUEUE_DELAYED 0x02
#define DEQUEUE_SPECIAL 0x04 /* migration: never delay */

/* Host-level scheduler parameters (the [host] section). */
struct sched_params {
	unsigned int nr_cpus;
	u64 tick_ns; /* NSEC_PER_SEC / HZ */
	u64 base_slice_ns; /* sysctl_sched_base_slice before scaling */
	bool tunable_scaling_log; /* SCHED_TUNABLESCALING_LOG (default) */
	unsigned int llc_size; /* CPUs per last-level cache; 0: one LLC */
	u64 migration_cost_ns; /* sysctl_sched_migration_cost */
	u64 newidle_cost_ns; /* a newly-idle balance pass, per CPU spanned */
	u64 seed; /* of each CPU's sched_rng() stream */
};

/* Scheduler switches: kernel sched_features plus the series' knobs. */
struct sched_features {
	bool run_to_parity; /* RUN_TO_PARITY */
	bool delay_dequeue; /* DELAY_DEQUEUE */
	bool delay_zero; /* DELAY_ZERO */
	bool place_lag; /* PLACE_LAG */
	bool place_deadline_initial; /* PLACE_DEADLINE_INITIAL */
	bool place_rel_deadline; /* PLACE_REL_DEADLINE */
	bool pick_buddy; /* PICK_BUDDY */
	bool cgroup_buddy; /* CGROUP_BUDDY */
	bool wakeup_preemption; /* check_preempt_wakeup_fair at all */
	bool ni_random; /* NI_RANDOM: newidle passes in proportion to success */
	bool vcpu_debooster_enabled; /* series v2, MODEL.md 4a */
	/* v2 code: the rate limit is checked (and stamped when it lets the
	 * call through) before the task, rq and LCA checks, the reverse pair
	 * recorded only past it; off: MODEL.md 4a's order */
	bool debooster_rate_limit_first;
	/* v2 code: the cap counts the tasks under the LCA (h_nr_queued);
	 * off: the entities queued at the LCA level (nr_queued, v1) */
	bool debooster_cap_h_nr_queued;
	u64 debooster_rate_limit_ns; /* 6 ms */
	u64 debooster_debounce_ns; /* 600 us reverse-pair window */
	bool vcpu_lag_credit_enabled; /* series v3, MODEL.md 4b */
};

void sched_params_default(struct sched_params *p);
/* sched_prio_to_weight[]: the weight of a task at @nice (-20..19). */
unsigned long sched_prio_to_weight(int nice);
void sched_features_default(struct sched_features *f);

struct cfs_rq;
struct rq;
struct task_group;

/*
 * PELT's running and runnable averages of a task (kernel/sched/pelt.c),
 * 0..1024, with PELT's 32 ms half-life; the model keeps them in floating
 * point, folded in at each change of state (pelt.c). Only the load
 * balancer's classification of CPUs reads them.
 */
struct sched_avg {
	double util_avg; /* running */
	double runnable_avg; /* running or waiting */
	u64 last_update;
	bool running, runnable; /* the state since last_update */
};

/*
 * A scheduling domain of one CPU (struct sched_domain in
 * kernel/sched/sched.h, as sd_init() sets it up): MC spans the CPU's LLC,
 * its groups single CPUs; PKG, when the host has several LLCs, spans the
 * host, its groups the LLCs. Intervals in ms, as the kernel's.
 */
struct sched_domain {
	unsigned int first, span; /* its CPUs: first .. first + span - 1 */
	unsigned int group_span; /* CPUs per group (the last may be short) */
	bool share_llc; /* SD_SHARE_LLC (MC) */
	unsigned int min_interval, max_interval, balance_interval;
	unsigned int busy_factor, imbalance_pct, cache_nice_tries;
	unsigned int nr_balance_failed;
	u64 last_balance;
	u64 max_newidle_lb_cost;
	u64 last_decay_max_lb_cost;
	/* NI_RANDOM: passes and weighted successes over about the last 1024
	 * newly-idle calls; newidle_ratio the successes of the last window */
	unsigned int newidle_call, newidle_success, newidle_ratio;
};

#define SCHED_MAX_DOMAINS 2

struct sched_entity {
	unsigned long weight;
	u64 vruntime;
	u64 deadline;
	u64 vprot; /* RUN_TO_PARITY protected vruntime */
	u64 slice;
	s64 vlag;
	u64 exec_start;
	u64 sum_exec_runtime;
	bool on_rq;
	bool sched_delayed;
	bool rel_deadline;
	int depth;
	struct sched_entity *parent;
	struct cfs_rq *cfs_rq; /* the queue this entity is on */
	struct cfs_rq *my_q; /* group entities: the queue they own */
	struct list_head node; /* in cfs_rq->queue while queued and not curr */
};

struct cfs_rq {
	unsigned long load; /* weight of queued entities, curr included */
	unsigned int nr_queued; /* entities queued here, curr and delayed included */
	unsigned int h_nr_queued; /* tasks queued in this hierarchy */
	s64 avg_vruntime; /* sum of key * w over queued, curr excluded */
	unsigned long avg_load; /* sum of w over queued, curr excluded */
	u64 zero_vruntime; /* key origin, follows avg_vruntime (v6.19) */
	struct sched_entity *curr;
	struct sched_entity *next; /* next buddy */
	struct list_head queue;
	struct rq *rq;
	struct task_group *tg;
};

/* A cgroup: one group entity and one cfs_rq per CPU (root has no entity). */
struct task_group {
	struct sched *s;
	struct task_group *parent;
	unsigned long shares;
	unsigned long load_sum; /* sum over CPUs of cfs_rq->load */
	int depth;
	struct list_head node; /* in sched->groups */
	struct sched_entity *se; /* [nr_cpus], NULL for the root group */
	struct cfs_rq *cfs_rq; /* [nr_cpus], NULL for the root: rq->cfs */
	char name[64];
};

enum task_state { TASK_RUNNING = 0, TASK_SLEEPING = 1 };

struct task {
	struct sched_entity se;
	struct task_group *tg;
	int cpu; /* task_cpu(): rq it is (or was last) on */
	enum task_state state;
	bool fair; /* false: another sched class (yield_to refuses) */
	const u64 *allowed; /* cpumask bitmap of nr_cpus bits; NULL = any */
	struct list_head tasks_node; /* in rq->cfs_tasks while queued */
	struct list_head attach_node; /* in rq->attached of its CPU */
	struct sched_avg avg;
	int id;
	void *owner; /* upper layer object (struct kvm_vcpu for vCPU threads) */
};

struct sched_stats {
	u64 nr_switches;
	u64 yld_count; /* successful yield_to */
	u64 deboosts; /* debooster penalties applied */
	u64 deboost_rate_limited;
	u64 lag_credits; /* v3 lag credits given */
	u64 lag_credit_resched; /* v3 forced reschedules (rate-limited) */
	u64 wakeup_preemptions;
	u64 migrations;
};

struct rq {
	int cpu;
	struct sched *s;
	struct cfs_rq cfs;
	struct task *curr; /* NULL while idle */
	/* queued tasks, most recently picked first (the balancer takes
	 * from the tail) */
	struct list_head cfs_tasks;
	/* every task whose CPU this is, asleep or not: its PELT averages
	 * count here (blocked load) */
	struct list_head attached;
	/* load balancing */
	struct sched_domain sd[SCHED_MAX_DOMAINS];
	unsigned int nr_sd;
	u64 avg_idle; /* average idle period (update_avg of each) */
	u64 idle_stamp; /* when a newly-idle balance found nothing, 0: not */
	u64 max_idle_balance_cost;
	struct prng rng; /* sched_rng(): the NI_RANDOM dice */
	unsigned int nr_running; /* tasks queued, curr and delayed included */
	u64 clock;
	bool need_resched;
	bool resched_listed; /* in sched->resched_list */
	/* series state: MODEL.md 4a/4b */
	bool deboost_used;
	u64 deboost_last;
	struct {
		const struct task *yielder, *target;
		u64 time;
		bool valid;
	} deboost_pair;
	bool lag_credit_used;
	u64 lag_credit_last;
	struct sched_stats stats;
};

struct sched {
	struct sched_params params;
	struct sched_features feat;
	u64 base_slice; /* scaled sysctl_sched_base_slice */
	unsigned int nr_cpus;
	struct rq *rqs;
	struct task_group root_tg;
	struct list_head groups; /* every group but the root, freed with s */
	int *resched_list; /* CPUs asked to reschedule, for the engine */
	unsigned int nr_resched;
	unsigned int nr_overloaded; /* CPUs with 2+ tasks: rd->overloaded */
};

/* models resched_curr() in kernel/sched/core.c: mark @rq for a reschedule
 * and list it so whoever drives time finds it without scanning all CPUs */
static inline void resched_curr(struct rq *rq)
{
	struct sched *s = rq->s;

	rq->need_resched = true;
	if (!rq->resched_listed) {
		rq->resched_listed = true;
		s->resched_list[s->nr_resched++] = rq->cpu;
	}
}

/* List @rq for the engine without asking for a reschedule: a task was
 * queued behind its curr, which may be waiting on single_task_running()
 * (a vCPU polling in kvm_vcpu_halt). */
static inline void rq_note_enqueue(struct rq *rq)
{
	struct sched *s = rq->s;

	if (rq->curr && !rq->resched_listed) {
		rq->resched_listed = true;
		s->resched_list[s->nr_resched++] = rq->cpu;
	}
}

/* Next CPU listed by resched_curr(), or -1; the engine then calls
 * schedule() on it if need_resched is still set. */
static inline int sched_pop_resched(struct sched *s)
{
	int cpu;

	if (!s->nr_resched)
		return -1;
	cpu = s->resched_list[--s->nr_resched];
	s->rqs[cpu].resched_listed = false;
	return cpu;
}

/* --- setup (core.c) --- */
int sched_init(struct sched *s, const struct sched_params *p,
	       const struct sched_features *f);
void sched_destroy(struct sched *s);
/* A cgroup under @parent (NULL: root), freed by sched_destroy(). Returns
 * NULL with errno EINVAL (shares out of range) or ENOMEM. */
struct task_group *sched_create_group(struct sched *s,
				      struct task_group *parent,
				      unsigned long shares, const char *name);
/* A new, not yet runnable task of @tg (NULL: root) with @weight, on @cpu. */
void sched_task_init(struct sched *s, struct task *p, struct task_group *tg,
		     unsigned long weight, int cpu);

static inline struct rq *cpu_rq(struct sched *s, int cpu)
{
	return &s->rqs[cpu];
}

static inline struct cfs_rq *tg_cfs_rq(struct task_group *tg, int cpu)
{
	return tg->parent ? &tg->cfs_rq[cpu] : &tg->s->rqs[cpu].cfs;
}

static inline struct sched_entity *tg_se(struct task_group *tg, int cpu)
{
	return tg->parent ? &tg->se[cpu] : NULL;
}

static inline struct rq *task_rq(struct sched *s, const struct task *p)
{
	return &s->rqs[p->cpu];
}

static inline bool task_on_cpu(const struct rq *rq, const struct task *p)
{
	return rq->curr == p;
}

/* --- the per-entity arithmetic (eevdf.c) --- */
u64 calc_delta_fair(u64 delta, const struct sched_entity *se);
u64 avg_vruntime(const struct cfs_rq *cfs_rq);
bool entity_eligible(const struct cfs_rq *cfs_rq,
		     const struct sched_entity *se);
s64 entity_lag_limit(const struct sched_entity *se, u64 tick_ns);
void update_entity_lag(struct sched *s, struct cfs_rq *cfs_rq,
		       struct sched_entity *se);
void place_entity(struct sched *s, struct cfs_rq *cfs_rq,
		  struct sched_entity *se, int flags);
bool protect_slice(const struct sched_entity *se);
void set_protect_slice(struct sched *s, struct cfs_rq *cfs_rq,
		       struct sched_entity *se);
void cancel_protect_slice(struct sched_entity *se);
struct sched_entity *pick_eevdf(struct sched *s, struct cfs_rq *cfs_rq);
void __enqueue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se);
void __dequeue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se);
void update_zero_vruntime(struct cfs_rq *cfs_rq);
u64 cfs_rq_min_slice(const struct cfs_rq *cfs_rq);

/* models update_load_add()/update_load_sub() plus the task group's sum of
 * per-CPU loads that calc_group_shares() divides by */
static inline void update_load_add(struct cfs_rq *cfs_rq, unsigned long w)
{
	cfs_rq->load += w;
	cfs_rq->tg->load_sum += w;
}

static inline void update_load_sub(struct cfs_rq *cfs_rq, unsigned long w)
{
	cfs_rq->load -= w;
	cfs_rq->tg->load_sum -= w;
}
void reweight_entity(struct sched *s, struct cfs_rq *cfs_rq,
		     struct sched_entity *se, unsigned long weight);
/* Move a queued entity to lag @vlag (v = V - vlag), keeping its relative
 * deadline; the common step of reweight and the v3 lag credit. */
void requeue_entity_with_lag(struct sched *s, struct cfs_rq *cfs_rq,
			     struct sched_entity *se, s64 vlag);

/* --- fair class (fair.c) --- */
void update_curr(struct sched *s, struct cfs_rq *cfs_rq);
void enqueue_task_fair(struct rq *rq, struct task *p, int flags);
/* false when DELAY_DEQUEUE kept the task queued (sched_delayed). */
bool dequeue_task_fair(struct rq *rq, struct task *p, int flags);
struct task *pick_next_task_fair(struct rq *rq);
void put_prev_task_fair(struct rq *rq, struct task *prev);
void set_next_task_fair(struct rq *rq, struct task *p);
void check_preempt_wakeup_fair(struct rq *rq, struct task *p);
void task_tick_fair(struct rq *rq);
void yield_task_fair(struct rq *rq);
bool yield_to_task_fair(struct rq *rq, struct task *p);
void set_next_buddy(struct sched_entity *se);
void clear_buddies(struct cfs_rq *cfs_rq, struct sched_entity *se);
void update_cfs_group(struct sched *s, struct sched_entity *se);
/* Bring @se and @pse up to the level where they share a cfs_rq. */
void find_matching_se(struct sched_entity **se, struct sched_entity **pse);

static inline struct task *task_of(struct sched_entity *se)
{
	return container_of(se, struct task, se);
}

static inline bool entity_is_task(const struct sched_entity *se)
{
	return se->my_q == NULL;
}

/* --- series (debooster.c) --- */
/* v2 debooster step of yield_to_task_fair; true if a penalty was applied. */
bool yield_deboost(struct rq *rq, struct task *yielder, struct task *target);
/* v3 lag credit step of yield_to_task_fair; true if credit was given. */
bool yield_lag_credit(struct rq *rq, struct task *yielder, struct task *target);
/* The debooster's cap on the penalty for @nr queued entities at the LCA, in
 * tenths of gran (6 g -> 60). */
unsigned int deboost_cap_tenths(unsigned int nr);

/* --- core (core.c): what the engine calls --- */
/* Advance the rq clock and account curr's runtime up to @now. */
void sched_update_clock(struct rq *rq, u64 now);
/* New task becomes runnable on its cpu (wake_up_new_task). */
void wake_up_new_task(struct sched *s, struct task *p, u64 now);
/* Sleeping task becomes runnable (try_to_wake_up); picks the cpu with
 * select_task_rq_fair. Returns the cpu it was queued on. */
int try_to_wake_up(struct sched *s, struct task *p, u64 now);
/* The running task @p blocks (state -> sleeping; dequeued or delayed). */
void sched_block(struct sched *s, struct task *p, u64 now);
/* __schedule(): put prev, pick next; returns the new rq->curr (NULL idle). */
struct task *schedule(struct rq *rq, u64 now);
/* scheduler_tick() on @rq. */
void sched_tick(struct rq *rq, u64 now);
/* yield_to(p, preempt) by the task running on @curr's rq. */
int yield_to(struct sched *s, struct task *curr, struct task *p, bool preempt,
	     u64 now);
/* sys_sched_yield() by the running task. */
void do_sched_yield(struct rq *rq, u64 now);
/* select_task_rq_fair(): idle allowed CPU if any, else the previous one. */
int select_task_rq_fair(struct sched *s, const struct task *p);
/* Move a queued, not running task to @cpu (lag preserved). */
void sched_migrate_task(struct sched *s, struct task *p, int cpu, u64 now);
/* Newly-idle balance of @cpu (sched_balance_newidle): tasks pulled. */
int sched_balance_newidle(struct sched *s, int cpu, u64 now);
/* The periodic balance of @rq's CPU at a tick (sched_balance_trigger and
 * sched_balance_domains): each domain whose interval has passed is
 * balanced. Returns tasks pulled. */
int sched_balance_trigger(struct rq *rq, u64 now);
bool task_allowed_on(const struct task *p, int cpu);

/* --- PELT averages (pelt.c) --- */
/* Fold the time since the last update into @p's averages, then go on
 * with @running / @runnable. */
void pelt_update(struct task *p, u64 now, bool running, bool runnable);
/* @p's averages as they stand at @now, without changing them. */
double pelt_util(const struct task *p, u64 now);
double pelt_runnable(const struct task *p, u64 now);

/* --- invariants.c --- */
/* 0 if every cached sum (avg sums, loads, counts, group load) matches what
 * it summarises and each running task is curr along its chain; else -1
 * with a description in @buf. */
int sched_check_invariants(struct sched *s, char *buf, size_t len);

#endif
