// SPDX-License-Identifier: MIT
/*
 * The series' scheduler side (MODEL.md 4a, 4b): in yield_to_task_fair(),
 * before the forfeit, either penalise the yielder at the lowest common
 * ancestor of yielder and target (v2 "debooster"), or give the target's
 * buddy chain a small positive lag so the buddy path picks it (v3).
 *
 * The v2 code differs from MODEL.md 4a in order and count; two knobs
 * select it (debooster_rate_limit_first, debooster_cap_h_nr_queued; the
 * deboost and series-v2 presets switch them on).
 *
 * Two readings the model had to choose for MODEL.md 4a (docs/model.md):
 * - the reverse-pair record is taken at every debooster attempt that passes
 *   the validity checks, before the rate limit, otherwise a reverse pair
 *   600 us after an applied penalty could never reach the debounce;
 * - the v3 credit is gran / nr_queued at each level of the chain, added to
 *   the entity's non-negative lag and clamped to the entity_lag bound.
 */
#include "sched/sched.h"

/* MODEL.md 4a cap table, in tenths of gran */
unsigned int deboost_cap_tenths(unsigned int nr)
{
	if (nr <= 2)
		return 60;
	if (nr == 3)
		return 40;
	if (nr <= 6)
		return 25;
	if (nr <= 8)
		return 20;
	if (nr <= 12)
		return 15;
	return 10;
}

/*
 * Yielder and target: different fair tasks, both queued on @rq. On success
 * *yse / *tse are their entities at the lowest common ancestor level.
 */
static bool yield_pair_lca(struct rq *rq, struct task *yielder,
			   struct task *target, struct sched_entity **yse,
			   struct sched_entity **tse)
{
	if (!yielder || yielder == target || !yielder->fair || !target->fair)
		return false;
	if (yielder->cpu != rq->cpu || target->cpu != rq->cpu)
		return false;
	if (!yielder->se.on_rq || !target->se.on_rq)
		return false;
	*yse = &yielder->se;
	*tse = &target->se;
	find_matching_se(yse, tse);
	return (*yse)->cfs_rq->nr_queued > 1;
}

/* Move a queued entity's vruntime, keeping the queue sums right. */
static void entity_set_vruntime(struct cfs_rq *cfs_rq, struct sched_entity *se,
				u64 vruntime)
{
	bool queued = se != cfs_rq->curr;

	if (queued)
		__dequeue_entity(cfs_rq, se);
	se->vruntime = vruntime;
	se->deadline = vruntime + calc_delta_fair(se->slice, se);
	if (queued)
		__enqueue_entity(cfs_rq, se);
}

/*
 * v2's yield_deboost_rate_limit(): limited if a deboost passed this rq
 * less than (v2: at most) the limit ago; a call let through stamps it.
 */
static bool deboost_rate_limited_v2(struct rq *rq, u64 now)
{
	if (rq->deboost_used &&
	    now - rq->deboost_last <= rq->s->feat.debooster_rate_limit_ns) {
		rq->stats.deboost_rate_limited++;
		return true;
	}
	rq->deboost_used = true;
	rq->deboost_last = now;
	return false;
}

/* models yield_to_task_fair() in kernel/sched/fair.c as patched by the
 * series: its v2 debooster step (MODEL.md 4a) */
bool yield_deboost(struct rq *rq, struct task *yielder, struct task *target)
{
	struct sched *s = rq->s;
	struct sched_entity *yse, *tse;
	struct cfs_rq *cfs_rq;
	u64 now = rq->clock, gran, need = 0, penalty, cap;
	bool early = s->feat.debooster_rate_limit_first;
	unsigned int nr;
	bool reverse;

	if (early && deboost_rate_limited_v2(rq, now))
		return false;
	if (!yield_pair_lca(rq, yielder, target, &yse, &tse))
		return false;
	cfs_rq = yse->cfs_rq;
	nr = s->feat.debooster_cap_h_nr_queued ? cfs_rq->h_nr_queued :
						 cfs_rq->nr_queued;
	if (nr <= 1)
		return false;

	reverse = rq->deboost_pair.valid &&
		  rq->deboost_pair.yielder == target &&
		  rq->deboost_pair.target == yielder &&
		  now - rq->deboost_pair.time <= s->feat.debooster_debounce_ns;
	rq->deboost_pair.yielder = yielder;
	rq->deboost_pair.target = target;
	rq->deboost_pair.time = now;
	rq->deboost_pair.valid = true;

	if (!early && rq->deboost_used &&
	    now - rq->deboost_last < s->feat.debooster_rate_limit_ns) {
		rq->stats.deboost_rate_limited++;
		return false;
	}

	update_curr(s, cfs_rq);
	gran = calc_delta_fair(s->base_slice, yse);
	if ((s64)(tse->vruntime - yse->vruntime) > 0)
		need = tse->vruntime - yse->vruntime;
	penalty = gran + need + need / 10;
	if (reverse)
		penalty = min_t(u64, penalty, max_t(u64, need, gran));
	cap = gran * deboost_cap_tenths(nr) / 10;
	penalty = clamp_t(u64, penalty, gran, cap);

	entity_set_vruntime(cfs_rq, yse, yse->vruntime + penalty);
	rq->deboost_used = true;
	rq->deboost_last = now;
	rq->stats.deboosts++;
	return true;
}

/* models yield_to_task_fair() in kernel/sched/fair.c as patched by the
 * series: its v3 lag-credit step (MODEL.md 4b) */
bool yield_lag_credit(struct rq *rq, struct task *yielder, struct task *target)
{
	struct sched *s = rq->s;
	struct sched_entity *yse, *tse, *se;
	u64 now = rq->clock;

	if (!yield_pair_lca(rq, yielder, target, &yse, &tse))
		return false;

	for (se = &target->se;; se = se->parent) {
		struct cfs_rq *cfs_rq = se->cfs_rq;
		s64 credit, vlag, limit;

		update_curr(s, cfs_rq);
		update_entity_lag(s, cfs_rq, se);
		credit = (s64)(calc_delta_fair(s->base_slice, se) /
			       cfs_rq->nr_queued);
		limit = entity_lag_limit(se, s->params.tick_ns);
		vlag = max_t(s64, se->vlag, 0) + credit;
		requeue_entity_with_lag(s, cfs_rq, se, min_t(s64, vlag, limit));
		if (se == tse)
			break;
	}
	for (se = &yielder->se;; se = se->parent) {
		cancel_protect_slice(se);
		if (se == yse)
			break;
	}
	if (!rq->lag_credit_used ||
	    now - rq->lag_credit_last >= s->feat.debooster_rate_limit_ns) {
		resched_curr(rq);
		rq->stats.lag_credit_resched++;
		rq->lag_credit_used = true;
		rq->lag_credit_last = now;
	}
	rq->stats.lag_credits++;
	return true;
}
