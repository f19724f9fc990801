// SPDX-License-Identifier: MIT
/*
 * The run loop: pop the earliest event, let it act on the model, then
 * reschedule every host CPU the model asked to (resched_curr), switching
 * vCPU threads and host tasks in and out. Ticks drive the host scheduler
 * and its periodic balance, a CPU going idle its newly-idle balance, as
 * the kernel's tick and balancer do (docs/model.md says how simplified).
 */
#include "sim/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_post(struct sim *sim, u64 t, enum ev_kind kind, u32 who, u64 gen)
{
	if (t > sim->t_end)
		return; /* would never run */
	if (eventq_push(&sim->q, t, (u32)kind, who, gen))
		sim->failed = -ENOMEM;
}

u64 sim_cycles_to_ns(const struct sim *sim, u64 cycles)
{
	/* khz cycles per ms: ns = cycles * 1e6 / khz, in 64 bits when the
	 * product fits (any 32-bit PLE window does) */
	if (cycles <= UINT64_MAX / NSEC_PER_MSEC)
		return cycles * NSEC_PER_MSEC / sim->cfg->host.khz;
	return (u64)((unsigned __int128)cycles * NSEC_PER_MSEC /
		     sim->cfg->host.khz);
}

void vsim_account(struct vsim *v, u64 now, enum vcpu_time bucket)
{
	u64 t0 = container_of(v->kv->kvm->sched, struct sim, s)->t0;
	u64 from = max_t(u64, v->bucket_since, t0);

	if (now > from) {
		v->t[v->bucket] += now - from;
		if (v->bucket_user)
			v->user_ns += now - from;
	}
	if (v->cpu >= 0 && now > v->bucket_since)
		v->slice_t[v->bucket] += now - v->bucket_since;
	v->bucket = bucket;
	v->bucket_since = now;
	/* the mode of the segment that opens it (seg_begin sets in_kernel
	 * first; exits and polls keep the last one and are not work) */
	v->bucket_user = bucket == VT_WORK && v->cur && !v->kv->in_kernel;
}

/* The end of @h's run, when it sleeps or yields then. */
static void hog_post_end(struct sim *sim, struct hog *h, u64 now)
{
	if (h->sleep_ns || h->yield)
		sim_post(sim, now + h->remaining, EV_HOG, (u32)(h - sim->hogs),
			 h->gen);
}

static void hog_switch_in(struct sim *sim, struct hog *h, int cpu, u64 cost,
			  u64 now)
{
	if (now >= sim->t0) {
		h->m.runs++;
		/* from its wakeup until it runs, the switch's cost included */
		if (h->woken_at)
			h->m.wakeup_ns += now - h->woken_at + cost;
		if (h->last_cpu >= 0 && cpu != h->last_cpu)
			h->m.migrations++;
	}
	h->woken_at = 0;
	h->cpu = cpu;
	h->last_cpu = cpu;
	h->seg_start = now;
	h->gen++;
	h->remaining += cost; /* the switch delays its work */
	h->switch_in_left = cost;
	hog_post_end(sim, h, now);
}

static void hog_switch_out(struct sim *sim, struct hog *h, u64 now)
{
	const struct sim_trace_ops *tr = sim->trace;
	u64 ran = now - h->seg_start;
	char name[96];

	if (now > sim->t0)
		h->m.cpu_ns += now - max_t(u64, h->seg_start, sim->t0);
	/* the part of the switch not done is the CPU's, not owed (as for
	 * vCPU threads, vsim_switch_out) */
	if (h->switch_in_left > ran)
		ran = h->switch_in_left;
	h->switch_in_left = 0;
	h->remaining -= min_t(u64, ran, h->remaining);
	h->gen++;
	if (tr && now > tr->window_start && h->seg_start < tr->window_end) {
		if (h->cfg)
			snprintf(name, sizeof(name), "%s-%u", h->cfg->name,
				 h->nr);
		else
			snprintf(name, sizeof(name), "hog %d",
				 (int)(h - sim->hogs));
		tr->run_slice(tr->ctx, h->cpu, name,
			      max_t(u64, h->seg_start, tr->window_start),
			      min_t(u64, now, tr->window_end), "host");
	}
	h->cpu = -1;
}

static void task_switch_out(struct sim *sim, struct task *p, u64 now)
{
	struct vsim *v = task_vsim(sim, p);

	if (v)
		vsim_switch_out(v, now);
	else
		hog_switch_out(sim, task_hog(sim, p), now);
}

/* @p runs on @cpu from @now; @idle: the CPU was idle, so getting there
 * took a wakeup from idle, else a context switch (host costs). */
static void task_switch_in(struct sim *sim, struct task *p, int cpu, bool idle,
			   u64 now)
{
	const struct host_config *hc = &sim->cfg->host;
	struct vsim *v = task_vsim(sim, p);
	u64 cost = idle ? hc->wakeup_latency_ns : hc->ctx_switch_ns;

	if (v)
		vsim_switch_in(v, cpu, cost, now);
	else
		hog_switch_in(sim, task_hog(sim, p), cpu, cost, now);
}

static void cpu_switch(struct sim *sim, int cpu)
{
	struct rq *rq = cpu_rq(&sim->s, cpu);
	const struct sim_trace_ops *tr = sim->trace;
	struct task *prev = rq->curr, *next;
	struct vsim *pv = prev ? task_vsim(sim, prev) : NULL;

	/* a vCPU polling in kvm_vcpu_halt() stops once another task is
	 * queued here or a reschedule is due, and blocks */
	if (pv && pv->polling && (rq->need_resched || rq->nr_running > 1))
		vsim_poll_abort(pv, sim->now);
	if (!rq->need_resched)
		return;
	next = schedule(rq, sim->now);
	if (next != prev) {
		if (prev)
			task_switch_out(sim, prev, sim->now);
		if (next)
			task_switch_in(sim, next, cpu, !prev, sim->now);
	}
	if (tr && sim->now >= tr->window_start && sim->now < tr->window_end)
		tr->rq_counter(tr->ctx, cpu, sim->now, rq->nr_running);
	/* newly idle: pull a task (relists this CPU through its wakeup) */
	if (!next && sim->cfg->host.balance)
		sched_balance_newidle(&sim->s, cpu, sim->now);
}

void sim_reschedule_cpus(struct sim *sim)
{
	int cpu;

	while ((cpu = sched_pop_resched(&sim->s)) >= 0)
		cpu_switch(sim, cpu);
}

static void hog_event(struct sim *sim, struct hog *h, const struct event *ev)
{
	if (ev->kind == EV_HOG_WAKE) {
		h->remaining = h->run_ns;
		h->woken_at = sim->now;
		if (sim->now >= sim->t0)
			h->m.wakeups++;
		try_to_wake_up(&sim->s, &h->task, sim->now);
		return;
	}
	if (ev->gen != h->gen || h->cpu < 0)
		return;
	if (h->yield) {
		/* sched_yield(), then the next run: it goes on here unless
		 * the yield gives the CPU away (hog_switch_out) */
		if (sim->now >= sim->t0)
			h->m.yields++;
		if (sim->now > sim->t0)
			h->m.cpu_ns +=
				sim->now - max_t(u64, h->seg_start, sim->t0);
		h->remaining = h->run_ns;
		h->seg_start = sim->now;
		h->switch_in_left = 0;
		h->gen++;
		hog_post_end(sim, h, sim->now);
		do_sched_yield(cpu_rq(&sim->s, h->cpu), sim->now);
		return;
	}
	h->remaining = 0;
	sched_block(&sim->s, &h->task, sim->now);
	sim_post(sim, sim->now + h->sleep_ns, EV_HOG_WAKE, (u32)(h - sim->hogs),
		 0);
}

static void dispatch(struct sim *sim, const struct event *ev)
{
	const struct host_config *hc = &sim->cfg->host;
	struct vsim *v;

	switch ((enum ev_kind)ev->kind) {
	case EV_END:
		break;
	case EV_MARK:
		sim_host_counters(sim, &sim->base);
		break;
	case EV_TICK:
		/* ticks are aligned across CPUs: one event ticks them all */
		for (unsigned int cpu = 0; cpu < hc->cpus; cpu++) {
			struct rq *rq = cpu_rq(&sim->s, (int)cpu);

			/* sched_balance_trigger(): an idle CPU's balance is
			 * the NOHZ idle balancer's, done here for it */
			if (hc->balance)
				sched_balance_trigger(rq, sim->now);
			if (!rq->curr)
				continue;
			/* the guest on this CPU takes its timer interrupt on
			 * the same tick (both at HZ, aligned) */
			v = task_vsim(sim, rq->curr);
			if (v)
				vsim_guest_tick(v, sim->now);
			sched_tick(rq, sim->now);
		}
		sim_post(sim, sim->now + hc->tick_ns, EV_TICK, 0, 0);
		break;
	case EV_VCPU:
		v = sim->vcpus[ev->who];
		if (ev->gen == v->gen)
			vsim_event(v, sim->now);
		break;
	case EV_IO:
		gthread_io_done(sim->threads[ev->who], sim->now);
		break;
	case EV_IPI:
		vsim_ipi_arrive(sim->vcpus[ev->who], sim->now);
		break;
	case EV_HOG:
	case EV_HOG_WAKE:
		hog_event(sim, &sim->hogs[ev->who], ev);
		break;
	}
}

static void sim_start(struct sim *sim)
{
	const struct host_config *hc = &sim->cfg->host;

	sim_post(sim, hc->tick_ns, EV_TICK, 0, 0);
	sim_post(sim, sim->t0, EV_MARK, 0, 0);
	sim_post(sim, sim->t_end, EV_END, 0, 0);
	for (unsigned int i = 0; i < sim->nr_vcpus; i++)
		wake_up_new_task(&sim->s, sim->vcpus[i]->task, 0);
	for (unsigned int i = 0; i < sim->nr_hogs; i++)
		wake_up_new_task(&sim->s, &sim->hogs[i].task, 0);
	sim_reschedule_cpus(sim);
}

/* Close every open interval at the end of the run. */
static void sim_finish(struct sim *sim)
{
	for (unsigned int cpu = 0; cpu < sim->s.nr_cpus; cpu++) {
		struct task *p = cpu_rq(&sim->s, (int)cpu)->curr;

		if (p)
			task_switch_out(sim, p, sim->t_end);
	}
	for (unsigned int i = 0; i < sim->nr_vcpus; i++)
		vsim_account(sim->vcpus[i], sim->t_end, VT_STEAL);
}

/*
 * The checks of a debug run after each event: the scheduler model's cached
 * sums (sched_check_invariants: weights, counts, one running entity per
 * CPU along its chain) and that a task still running on a CPU never saw
 * its vruntime go back.
 */
static int sim_check(struct sim *sim, char *why, size_t len)
{
	if (sched_check_invariants(&sim->s, why, len))
		return -1;
	for (unsigned int cpu = 0; cpu < sim->s.nr_cpus; cpu++) {
		const struct task *p = sim->s.rqs[cpu].curr;

		if (p && p == sim->last_curr[cpu] &&
		    (s64)(p->se.vruntime - sim->last_vruntime[cpu]) < 0) {
			snprintf(why, len,
				 "cpu%u: vruntime of running task %d "
				 "went back",
				 cpu, p->id);
			return -1;
		}
		sim->last_curr[cpu] = p;
		sim->last_vruntime[cpu] = p ? p->se.vruntime : 0;
	}
	return 0;
}

int sim_run(const struct sim_config *cfg, const struct sim_trace_ops *trace,
	    bool check_invariants, struct sim_metrics *out, char *err,
	    size_t errlen)
{
	struct sim *sim = calloc(1, sizeof(*sim));
	struct event ev;
	char why[256];
	int ret;

	if (!sim) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	sim->trace = trace;
	sim->check = check_invariants;
	sim->err = err;
	sim->errlen = errlen;
	ret = sim_setup(sim, cfg);
	if (ret)
		goto out;
	sim_start(sim);
	while (!sim->failed && (ret = eventq_pop(&sim->q, &ev)) > 0) {
		sim->now = ev.t;
		sim->events++;
		if (ev.kind == EV_END)
			break;
		dispatch(sim, &ev);
		sim_reschedule_cpus(sim);
		if (sim->check && sim_check(sim, why, sizeof(why))) {
			snprintf(err, errlen, "t=%llu ns: %s",
				 (unsigned long long)sim->now, why);
			ret = -EINVAL;
			goto out;
		}
	}
	if (ret < 0)
		sim->failed = ret;
	if (sim->failed) {
		snprintf(err, errlen, "out of memory during the run");
		ret = sim->failed;
		goto out;
	}
	sim->now = sim->t_end;
	sim_finish(sim);
	ret = sim_collect(sim, out);
out:
	sim_teardown(sim);
	free(sim);
	return ret;
}
