// SPDX-License-Identifier: MIT
/*
 * The fair class across the cgroup hierarchy: enqueue/dequeue walks,
 * DELAY_DEQUEUE, the pick walk, put/set of the running chain, wakeup
 * preemption, the tick, group shares, yield and yield_to.
 * MODEL.md section 1. Simplified (docs/model.md): no PELT; a group entity's
 * weight uses the instantaneous queued weight of its cfs_rqs (the kernel
 * uses the PELT load average of the same quantity); no bandwidth control.
 */
#include "sched/sched.h"

#include <assert.h>

#define for_each_sched_entity(se) for (; se; se = se->parent)

/* models update_deadline() in kernel/sched/fair.c */
static bool update_deadline(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	(void)cfs_rq;
	if ((s64)(se->vruntime - se->deadline) < 0)
		return false;
	se->deadline = se->vruntime + calc_delta_fair(se->slice, se);
	return true;
}

/* models update_curr() in kernel/sched/fair.c */
void update_curr(struct sched *s, struct cfs_rq *cfs_rq)
{
	struct sched_entity *curr = cfs_rq->curr;
	struct rq *rq = cfs_rq->rq;
	s64 delta_exec;
	bool resched;

	(void)s;
	if (!curr)
		return;
	delta_exec = (s64)(rq->clock - curr->exec_start);
	if (delta_exec <= 0)
		return;
	curr->exec_start = rq->clock;
	curr->sum_exec_runtime += (u64)delta_exec;
	curr->vruntime += calc_delta_fair((u64)delta_exec, curr);
	resched = update_deadline(cfs_rq, curr);
	update_zero_vruntime(cfs_rq);

	if (cfs_rq->nr_queued == 1)
		return;
	if (resched || !protect_slice(curr)) {
		resched_curr(rq);
		clear_buddies(cfs_rq, curr);
	}
}

/* models calc_group_shares() in kernel/sched/fair.c, on queued weight */
static unsigned long calc_group_shares(const struct cfs_rq *cfs_rq)
{
	const struct task_group *tg = cfs_rq->tg;
	unsigned long shares = tg->shares * cfs_rq->load;

	if (tg->load_sum)
		shares /= tg->load_sum;
	return clamp_t(unsigned long, shares, MIN_SHARES, tg->shares);
}

/* models update_cfs_group() in kernel/sched/fair.c */
void update_cfs_group(struct sched *s, struct sched_entity *se)
{
	if (!se->my_q)
		return;
	reweight_entity(s, se->cfs_rq, se, calc_group_shares(se->my_q));
}

/* models set_next_buddy() in kernel/sched/fair.c */
void set_next_buddy(struct sched_entity *se)
{
	for_each_sched_entity(se) {
		if (!se->on_rq || se->sched_delayed)
			return;
		se->cfs_rq->next = se;
	}
}

/* models clear_buddies() in kernel/sched/fair.c */
void clear_buddies(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	(void)cfs_rq;
	for_each_sched_entity(se) {
		if (se->cfs_rq->next != se)
			break;
		se->cfs_rq->next = NULL;
	}
}

/* models enqueue_entity() in kernel/sched/fair.c */
static void enqueue_entity(struct sched *s, struct cfs_rq *cfs_rq,
			   struct sched_entity *se, int flags)
{
	bool curr = cfs_rq->curr == se;

	/* curr is renormalised before update_curr() moves V */
	if (curr)
		place_entity(s, cfs_rq, se, flags);
	update_curr(s, cfs_rq);
	update_cfs_group(s, se);
	if (!curr)
		place_entity(s, cfs_rq, se, flags);
	update_load_add(cfs_rq, se->weight);
	cfs_rq->nr_queued++;
	if (!curr)
		__enqueue_entity(cfs_rq, se);
	se->on_rq = true;
}

/* models requeue_delayed_entity() in kernel/sched/fair.c: a delayed entity
 * that is wanted again stays where it is, at most at zero lag (DELAY_ZERO) */
static void requeue_delayed_entity(struct sched *s, struct sched_entity *se)
{
	struct cfs_rq *cfs_rq = se->cfs_rq;

	assert(se->sched_delayed && se->on_rq);
	update_curr(s, cfs_rq);
	if (s->feat.delay_zero) {
		update_entity_lag(s, cfs_rq, se);
		if (se->vlag > 0)
			requeue_entity_with_lag(s, cfs_rq, se, 0);
	}
	se->sched_delayed = false;
}

/* models enqueue_task_fair() in kernel/sched/fair.c */
void enqueue_task_fair(struct rq *rq, struct task *p, int flags)
{
	struct sched *s = rq->s;
	struct sched_entity *se = &p->se;
	u64 slice = 0;

	if (se->sched_delayed) {
		requeue_delayed_entity(s, se);
		return;
	}
	for_each_sched_entity(se) {
		if (se->on_rq) {
			if (se->sched_delayed)
				requeue_delayed_entity(s, se);
			break;
		}
		/* a group serves its members within their shortest slice */
		if (slice)
			se->slice = slice;
		enqueue_entity(s, se->cfs_rq, se, flags);
		slice = cfs_rq_min_slice(se->cfs_rq);
		se->cfs_rq->h_nr_queued++;
		flags = ENQUEUE_WAKEUP;
	}
	for_each_sched_entity(se) {
		update_cfs_group(s, se);
		se->slice = slice;
		slice = cfs_rq_min_slice(se->cfs_rq);
		se->cfs_rq->h_nr_queued++;
	}
	if (++rq->nr_running == 2)
		s->nr_overloaded++;
	list_add(&p->tasks_node, &rq->cfs_tasks);
	pelt_update(p, rq->clock, rq->curr == p, true);
}

/* models dequeue_entity() in kernel/sched/fair.c; false: delayed instead */
static bool dequeue_entity(struct sched *s, struct cfs_rq *cfs_rq,
			   struct sched_entity *se, int flags)
{
	update_curr(s, cfs_rq);
	clear_buddies(cfs_rq, se);

	if (!(flags & DEQUEUE_DELAYED) && s->feat.delay_dequeue &&
	    (flags & DEQUEUE_SLEEP) && !(flags & DEQUEUE_SPECIAL) &&
	    !entity_eligible(cfs_rq, se)) {
		se->sched_delayed = true;
		return false;
	}

	update_entity_lag(s, cfs_rq, se);
	if (s->feat.place_rel_deadline && !(flags & DEQUEUE_SLEEP)) {
		se->deadline -= se->vruntime;
		se->rel_deadline = true;
	}
	if (se != cfs_rq->curr)
		__dequeue_entity(cfs_rq, se);
	se->on_rq = false;
	update_load_sub(cfs_rq, se->weight);
	cfs_rq->nr_queued--;
	update_cfs_group(s, se);

	if (flags & DEQUEUE_DELAYED) {
		se->sched_delayed = false;
		if (s->feat.delay_zero && se->vlag > 0)
			se->vlag = 0;
	}
	return true;
}

/* models dequeue_entities() in kernel/sched/fair.c; false if the task was
 * delayed rather than dequeued */
static bool dequeue_entities(struct rq *rq, struct sched_entity *se, int flags)
{
	struct sched *s = rq->s;
	struct task *p = entity_is_task(se) ? task_of(se) : NULL;
	unsigned int h_nr = p ? 1 : se->my_q->h_nr_queued;
	bool task_sleep = flags & DEQUEUE_SLEEP;

	for_each_sched_entity(se) {
		struct cfs_rq *cfs_rq = se->cfs_rq;

		if (!dequeue_entity(s, cfs_rq, se, flags)) {
			if (p && &p->se == se)
				return false;
			break;
		}
		cfs_rq->h_nr_queued -= h_nr;
		/* the parent stays queued while it has others besides us */
		if (cfs_rq->load) {
			se = se->parent;
			if (s->feat.cgroup_buddy && task_sleep && se)
				set_next_buddy(se);
			break;
		}
		flags |= DEQUEUE_SLEEP;
		flags &= ~(DEQUEUE_DELAYED | DEQUEUE_SPECIAL);
	}
	for_each_sched_entity(se) {
		update_cfs_group(s, se);
		se->cfs_rq->h_nr_queued -= h_nr;
	}
	if (p) {
		if (rq->nr_running-- == 2)
			s->nr_overloaded--;
		list_del_init(&p->tasks_node);
		pelt_update(p, rq->clock, false, false);
	}
	return true;
}

/* models dequeue_task_fair() in kernel/sched/fair.c */
bool dequeue_task_fair(struct rq *rq, struct task *p, int flags)
{
	return dequeue_entities(rq, &p->se, flags);
}

/* models set_next_entity() in kernel/sched/fair.c */
static void set_next_entity(struct sched *s, struct cfs_rq *cfs_rq,
			    struct sched_entity *se)
{
	clear_buddies(cfs_rq, se);
	if (se->on_rq) {
		__dequeue_entity(cfs_rq, se);
		set_protect_slice(s, cfs_rq, se);
	}
	se->exec_start = cfs_rq->rq->clock;
	cfs_rq->curr = se;
}

/* models put_prev_entity() in kernel/sched/fair.c */
static void put_prev_entity(struct sched *s, struct cfs_rq *cfs_rq,
			    struct sched_entity *prev)
{
	if (prev->on_rq) {
		update_curr(s, cfs_rq);
		__enqueue_entity(cfs_rq, prev);
	}
	cfs_rq->curr = NULL;
}

/* models put_prev_task_fair() in kernel/sched/fair.c */
void put_prev_task_fair(struct rq *rq, struct task *prev)
{
	struct sched_entity *se = &prev->se;

	for_each_sched_entity(se)
		put_prev_entity(rq->s, se->cfs_rq, se);
}

/* models set_next_task_fair() in kernel/sched/fair.c */
void set_next_task_fair(struct rq *rq, struct task *p)
{
	struct sched_entity *se = &p->se;

	/* most recently run first: the balancer takes from the tail */
	list_move(&p->tasks_node, &rq->cfs_tasks);
	for_each_sched_entity(se)
		set_next_entity(rq->s, se->cfs_rq, se);
}

/* models pick_task_fair() in kernel/sched/fair.c: walk down the hierarchy,
 * finishing the dequeue of a delayed entity when it is picked */
static struct task *pick_task_fair(struct rq *rq)
{
	struct sched *s = rq->s;
	struct sched_entity *se;
	struct cfs_rq *cfs_rq;

again:
	cfs_rq = &rq->cfs;
	if (!cfs_rq->nr_queued)
		return NULL;
	do {
		if (cfs_rq->curr && cfs_rq->curr->on_rq)
			update_curr(s, cfs_rq);
		se = pick_eevdf(s, cfs_rq);
		if (se->sched_delayed) {
			dequeue_entities(rq, se, DEQUEUE_SLEEP | DEQUEUE_DELAYED);
			goto again;
		}
		cfs_rq = se->my_q;
	} while (cfs_rq);
	return task_of(se);
}

/* models pick_next_task_fair() in kernel/sched/fair.c: put and set only the
 * levels where prev's and next's chains differ */
struct task *pick_next_task_fair(struct rq *rq)
{
	struct sched *s = rq->s;
	struct task *prev = rq->curr;
	struct task *p = pick_task_fair(rq);
	struct sched_entity *se, *pse;

	if (!p) {
		if (prev)
			put_prev_task_fair(rq, prev);
		return NULL;
	}
	if (!prev) {
		set_next_task_fair(rq, p);
		return p;
	}
	if (prev == p)
		return p;

	list_move(&p->tasks_node, &rq->cfs_tasks);
	se = &p->se;
	pse = &prev->se;
	while (se->cfs_rq != pse->cfs_rq) {
		int se_depth = se->depth, pse_depth = pse->depth;

		if (se_depth <= pse_depth) {
			put_prev_entity(s, pse->cfs_rq, pse);
			pse = pse->parent;
		}
		if (se_depth >= pse_depth) {
			set_next_entity(s, se->cfs_rq, se);
			se = se->parent;
		}
	}
	put_prev_entity(s, pse->cfs_rq, pse);
	set_next_entity(s, se->cfs_rq, se);
	return p;
}

/* models find_matching_se() in kernel/sched/fair.c */
void find_matching_se(struct sched_entity **se, struct sched_entity **pse)
{
	while ((*se)->depth > (*pse)->depth)
		*se = (*se)->parent;
	while ((*pse)->depth > (*se)->depth)
		*pse = (*pse)->parent;
	while ((*se)->cfs_rq != (*pse)->cfs_rq) {
		*se = (*se)->parent;
		*pse = (*pse)->parent;
	}
}

/* models check_preempt_wakeup_fair() in kernel/sched/fair.c: preempt curr
 * when a pick would now choose the wakee */
void check_preempt_wakeup_fair(struct rq *rq, struct task *p)
{
	struct sched *s = rq->s;
	struct sched_entity *se, *pse = &p->se;
	struct cfs_rq *cfs_rq;

	if (!rq->curr) {
		resched_curr(rq);
		return;
	}
	se = &rq->curr->se;
	if (se == pse || rq->need_resched || !s->feat.wakeup_preemption ||
	    !rq->curr->fair)
		return;
	find_matching_se(&se, &pse);
	cfs_rq = se->cfs_rq;
	update_curr(s, cfs_rq);
	if (pick_eevdf(s, cfs_rq) == pse) {
		resched_curr(rq);
		rq->stats.wakeup_preemptions++;
	}
}

/* models task_tick_fair() and entity_tick() in kernel/sched/fair.c */
void task_tick_fair(struct rq *rq)
{
	struct sched_entity *se;

	if (!rq->curr)
		return;
	se = &rq->curr->se;
	for_each_sched_entity(se) {
		update_curr(rq->s, se->cfs_rq);
		update_cfs_group(rq->s, se);
	}
}

/* models yield_task_fair() in kernel/sched/fair.c (v6.19 forfeit): an
 * eligible yielder gives up the rest of its request */
void yield_task_fair(struct rq *rq)
{
	struct task *curr = rq->curr;
	struct sched_entity *se = &curr->se;
	struct cfs_rq *cfs_rq = se->cfs_rq;

	if (rq->nr_running == 1)
		return;
	clear_buddies(cfs_rq, se);
	update_curr(rq->s, cfs_rq);
	if (entity_eligible(cfs_rq, se)) {
		se->vruntime = se->deadline;
		se->deadline += calc_delta_fair(se->slice, se);
	}
}

/* models yield_to_task_fair() in kernel/sched/fair.c, with the series'
 * debooster (v2) or lag credit (v3) before the forfeit */
bool yield_to_task_fair(struct rq *rq, struct task *p)
{
	struct sched *s = rq->s;
	struct sched_entity *se = &p->se;

	if (!se->on_rq || se->sched_delayed)
		return false;
	set_next_buddy(se);
	if (s->feat.vcpu_debooster_enabled)
		yield_deboost(rq, rq->curr, p);
	if (s->feat.vcpu_lag_credit_enabled)
		yield_lag_credit(rq, rq->curr, p);
	yield_task_fair(rq);
	return true;
}
