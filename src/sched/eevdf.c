// SPDX-License-Identifier: MIT
/*
 * EEVDF arithmetic on one cfs_rq: virtual time, the weighted average V,
 * eligibility, lag, placement, slice protection and the pick.
 * MODEL.md section 1. Queues are plain lists in insertion order (the kernel
 * uses an augmented rbtree); a pick is a linear scan, which for the handful
 * of entities on one CPU's queue is faster than a tree and picks the same
 * entity: ties in deadline go to the entity queued first, as rb_add does.
 */
#include "sched/sched.h"

#include <assert.h>

/* models calc_delta_fair() in kernel/sched/fair.c: d * NICE_0_LOAD / w */
u64 calc_delta_fair(u64 delta, const struct sched_entity *se)
{
	if (se->weight == NICE_0_LOAD)
		return delta;
	/* 64-bit arithmetic unless delta * 1024 could overflow (200+ days) */
	if (delta <= UINT64_MAX / NICE_0_LOAD)
		return delta * NICE_0_LOAD / se->weight;
	return (u64)((unsigned __int128)delta * NICE_0_LOAD / se->weight);
}

static inline s64 entity_key(const struct cfs_rq *cfs_rq,
			     const struct sched_entity *se)
{
	return (s64)(se->vruntime - cfs_rq->zero_vruntime);
}

/* models avg_vruntime_add() in kernel/sched/fair.c */
static void avg_vruntime_add(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	cfs_rq->avg_vruntime += entity_key(cfs_rq, se) * (s64)se->weight;
	cfs_rq->avg_load += se->weight;
}

/* models avg_vruntime_sub() in kernel/sched/fair.c */
static void avg_vruntime_sub(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	cfs_rq->avg_vruntime -= entity_key(cfs_rq, se) * (s64)se->weight;
	cfs_rq->avg_load -= se->weight;
}

/* Sum of key*w and of w over the queue, curr included when on_rq. */
static void avg_sums(const struct cfs_rq *cfs_rq, s64 *avg, s64 *load)
{
	const struct sched_entity *curr = cfs_rq->curr;

	*avg = cfs_rq->avg_vruntime;
	*load = (s64)cfs_rq->avg_load;
	if (curr && curr->on_rq) {
		*avg += entity_key(cfs_rq, curr) * (s64)curr->weight;
		*load += (s64)curr->weight;
	}
}

/* models avg_vruntime() in kernel/sched/fair.c: V, rounded down */
u64 avg_vruntime(const struct cfs_rq *cfs_rq)
{
	s64 avg, load;

	avg_sums(cfs_rq, &avg, &load);
	if (load) {
		if (avg < 0)
			avg -= load - 1; /* floor, not truncation */
		avg /= load;
	}
	return cfs_rq->zero_vruntime + (u64)avg;
}

/* models update_zero_vruntime() in kernel/sched/fair.c: move the key origin
 * to V so keys stay small; the sums shift by the same amount */
void update_zero_vruntime(struct cfs_rq *cfs_rq)
{
	u64 v = avg_vruntime(cfs_rq);
	s64 delta = (s64)(v - cfs_rq->zero_vruntime);

	cfs_rq->avg_vruntime -= (s64)cfs_rq->avg_load * delta;
	cfs_rq->zero_vruntime = v;
}

/* models vruntime_eligible() in kernel/sched/fair.c: v <= V, division-free */
static bool vruntime_eligible(const struct cfs_rq *cfs_rq, u64 vruntime)
{
	s64 avg, load;

	avg_sums(cfs_rq, &avg, &load);
	return avg >= (s64)(vruntime - cfs_rq->zero_vruntime) * load;
}

/* models entity_eligible() in kernel/sched/fair.c */
bool entity_eligible(const struct cfs_rq *cfs_rq, const struct sched_entity *se)
{
	return vruntime_eligible(cfs_rq, se->vruntime);
}

/* The +/- bound on vlag: calc_delta_fair(max(2 * slice, TICK_NSEC)), as in
 * update_entity_lag() in kernel/sched/fair.c. */
s64 entity_lag_limit(const struct sched_entity *se, u64 tick_ns)
{
	return (s64)calc_delta_fair(max_t(u64, 2 * se->slice, tick_ns), se);
}

/* models update_entity_lag() in kernel/sched/fair.c */
void update_entity_lag(struct sched *s, struct cfs_rq *cfs_rq,
		       struct sched_entity *se)
{
	s64 lag = (s64)(avg_vruntime(cfs_rq) - se->vruntime);
	s64 limit = entity_lag_limit(se, s->params.tick_ns);

	se->vlag = clamp_t(s64, lag, -limit, limit);
}

/* models place_entity() in kernel/sched/fair.c */
void place_entity(struct sched *s, struct cfs_rq *cfs_rq,
		  struct sched_entity *se, int flags)
{
	u64 vslice = calc_delta_fair(se->slice, se);
	u64 vruntime = avg_vruntime(cfs_rq);
	s64 lag = 0;

	/*
	 * Adding se moves V towards it; inflate the stored lag by (W + w) / W
	 * so that the lag measured after placement equals the one saved.
	 */
	if (s->feat.place_lag && cfs_rq->nr_queued && se->vlag) {
		const struct sched_entity *curr = cfs_rq->curr;
		s64 load = (s64)cfs_rq->avg_load;

		if (curr && curr->on_rq)
			load += (s64)curr->weight;
		if (!load)
			load = 1;
		lag = (s64)((__int128)se->vlag * (load + (s64)se->weight) /
			    load);
	}
	se->vruntime = vruntime - (u64)lag;

	if (se->rel_deadline) {
		se->deadline += se->vruntime;
		se->rel_deadline = false;
		return;
	}
	if (s->feat.place_deadline_initial && (flags & ENQUEUE_INITIAL))
		vslice /= 2;
	se->deadline = se->vruntime + vslice;
}

/* models protect_slice() in kernel/sched/fair.c */
bool protect_slice(const struct sched_entity *se)
{
	return (s64)(se->vprot - se->vruntime) > 0;
}

/* models cfs_rq_min_slice() in kernel/sched/fair.c */
u64 cfs_rq_min_slice(const struct cfs_rq *cfs_rq)
{
	const struct sched_entity *curr = cfs_rq->curr, *se;
	u64 slice = UINT64_MAX;

	if (curr && curr->on_rq)
		slice = curr->slice;
	list_for_each_entry(se, &cfs_rq->queue, node)
		slice = min_t(u64, slice, se->slice);
	return slice;
}

/* models set_protect_slice() in kernel/sched/fair.c: RUN_TO_PARITY keeps a
 * picked entity running until its deadline (or the shortest slice queued);
 * without it the protection is one unscaled base slice */
void set_protect_slice(struct sched *s, struct cfs_rq *cfs_rq,
		       struct sched_entity *se)
{
	u64 slice = s->params.base_slice_ns;
	u64 vprot = se->deadline;

	if (s->feat.run_to_parity)
		slice = cfs_rq_min_slice(cfs_rq);
	slice = min_t(u64, slice, se->slice);
	if (slice != se->slice) {
		u64 v = se->vruntime + calc_delta_fair(slice, se);

		if ((s64)(v - vprot) < 0)
			vprot = v;
	}
	se->vprot = vprot;
}

/* models cancel_protect_slice() in kernel/sched/fair.c */
void cancel_protect_slice(struct sched_entity *se)
{
	if (protect_slice(se))
		se->vprot = se->vruntime;
}

/* models __enqueue_entity() in kernel/sched/fair.c */
void __enqueue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	avg_vruntime_add(cfs_rq, se);
	list_add_tail(&se->node, &cfs_rq->queue);
}

/* models __dequeue_entity() in kernel/sched/fair.c */
void __dequeue_entity(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	list_del_init(&se->node);
	avg_vruntime_sub(cfs_rq, se);
}

static inline bool entity_before(const struct sched_entity *a,
				 const struct sched_entity *b)
{
	return (s64)(a->deadline - b->deadline) < 0;
}

/*
 * models pick_eevdf() in kernel/sched/fair.c (with the PICK_BUDDY step of
 * pick_next_entity): one entity -> it; an eligible next buddy; curr while
 * its slice is protected; else the eligible entity with the earliest
 * deadline.
 */
struct sched_entity *pick_eevdf(struct sched *s, struct cfs_rq *cfs_rq)
{
	struct sched_entity *curr = cfs_rq->curr, *se, *best = NULL;
	struct sched_entity *first = NULL;

	if (!list_empty(&cfs_rq->queue))
		first = list_entry(cfs_rq->queue.next, struct sched_entity,
				   node);
	if (cfs_rq->nr_queued == 1)
		return curr && curr->on_rq ? curr : first;

	if (s->feat.pick_buddy && cfs_rq->next &&
	    entity_eligible(cfs_rq, cfs_rq->next))
		return cfs_rq->next;

	if (curr && (!curr->on_rq || !entity_eligible(cfs_rq, curr)))
		curr = NULL;
	if (curr && protect_slice(curr))
		return curr;

	list_for_each_entry(se, &cfs_rq->queue, node) {
		if (!entity_eligible(cfs_rq, se))
			continue;
		if (!best || entity_before(se, best))
			best = se;
	}
	if (!best || (curr && entity_before(curr, best)))
		best = curr;
	/* V is a weighted mean of the queue, so someone is always eligible */
	assert(best || !first);
	return best;
}

/* Take a queued entity out of the sums, its deadline made relative. */
static void entity_detach_rel(struct cfs_rq *cfs_rq, struct sched_entity *se)
{
	se->deadline -= se->vruntime;
	se->rel_deadline = true;
	cfs_rq->nr_queued--;
	if (cfs_rq->curr != se)
		__dequeue_entity(cfs_rq, se);
	update_load_sub(cfs_rq, se->weight);
}

/* Put it back at lag se->vlag with its relative deadline. */
static void entity_attach_placed(struct sched *s, struct cfs_rq *cfs_rq,
				 struct sched_entity *se)
{
	place_entity(s, cfs_rq, se, 0);
	update_load_add(cfs_rq, se->weight);
	if (cfs_rq->curr != se)
		__enqueue_entity(cfs_rq, se);
	cfs_rq->nr_queued++;
}

/*
 * models reweight_entity() in kernel/sched/fair.c: keep the lag w*(V-v)
 * and the relative deadline while the weight changes.
 */
void reweight_entity(struct sched *s, struct cfs_rq *cfs_rq,
		     struct sched_entity *se, unsigned long weight)
{
	if (se->weight == weight)
		return;
	if (se->on_rq) {
		if (cfs_rq->curr == se)
			update_curr(s, cfs_rq);
		update_entity_lag(s, cfs_rq, se);
		entity_detach_rel(cfs_rq, se);
	}
	se->vlag = (s64)((__int128)se->vlag * (s64)se->weight / (s64)weight);
	if (se->rel_deadline)
		se->deadline = (u64)((__int128)(s64)se->deadline *
				     (s64)se->weight / (s64)weight);
	se->weight = weight;
	if (se->on_rq)
		entity_attach_placed(s, cfs_rq, se);
}

void requeue_entity_with_lag(struct sched *s, struct cfs_rq *cfs_rq,
			     struct sched_entity *se, s64 vlag)
{
	assert(se->on_rq);
	entity_detach_rel(cfs_rq, se);
	se->vlag = vlag;
	entity_attach_placed(s, cfs_rq, se);
}
