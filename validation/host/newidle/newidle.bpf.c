// SPDX-License-Identifier: MIT
/*
 * newidle.bpf.c - brackets around the newly-idle balance of the Linux
 * scheduler (sched_balance_newidle -> sched_balance_rq) from raw
 * tracepoints only, for kernels where function tracing, kprobes and
 * fentry/fexit are unavailable (see README.md).
 *
 * Per CPU, within one __schedule() (sched_entry_tp .. sched_exit_tp):
 *   sched_update_nr_running_tp  a negative change on this CPU's rq: the
 *                               blocking task's dequeue (time, rq->clock)
 *   sched_migrate_task          a task moved to this CPU: a newly-idle pull
 *   sched_switch                prev blocked (prev_state != TASK_RUNNING):
 *                               emit a struct newidle_event with the times
 *                               above, rq->clock again, and each sched
 *                               domain's max_newidle_lb_cost and
 *                               newidle_ratio
 * No hook fires inside sched_balance_newidle unless it pulls a task, so
 * dequeue -> switch times the newly-idle call plus a small fixed part of
 * __schedule.  rq->clock moving between dequeue and switch means the call
 * got past its first gate: sched_balance_update_blocked_averages() updates
 * the clock.
 *
 * Events of every blocking switch are emitted (the kernel values are
 * sampled on all of them); `own` marks tasks of the traced command, whose
 * tgids the loader seeds in `tracked` and sched_process_fork extends.
 *
 * Licence: the source is MIT, but the program declares "GPL" to the
 * kernel because it calls GPL-only helpers (bpf_probe_read_kernel and
 * bpf_probe_read_kernel_str, through BPF_CORE_READ); a program with a
 * non-GPL licence string is refused them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "newidle.h"

char LICENSE[] SEC("license") = "GPL";

/* What the current __schedule() of a CPU has seen so far. */
struct cpu_state {
	__u64 t_deq, t_mig, clk_deq;
	__u32 n_deq, n_mig;
	__u32 in_schedule;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} state SEC(".maps");

/* tgids of the traced command and its descendants */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

__u64 dropped; /* events lost to a full ring buffer */

static __always_inline struct cpu_state *cpu_state(void)
{
	__u32 key = 0;
	return bpf_map_lookup_elem(&state, &key);
}

SEC("raw_tp/sched_entry_tp")
int on_entry(struct bpf_raw_tracepoint_args *ctx)
{
	struct cpu_state *s = cpu_state();
	if (s)
		*s = (struct cpu_state){ .in_schedule = 1 };
	return 0;
}

SEC("raw_tp/sched_exit_tp")
int on_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct cpu_state *s = cpu_state();
	if (s)
		s->in_schedule = 0;
	return 0;
}

/* TP_PROTO(struct rq *rq, int change) */
SEC("raw_tp/sched_update_nr_running_tp")
int on_nr_running(struct bpf_raw_tracepoint_args *ctx)
{
	struct rq *rq = (struct rq *)ctx->args[0];
	int change = (int)ctx->args[1];
	struct cpu_state *s = cpu_state();

	if (!s || !s->in_schedule || change >= 0 ||
	    BPF_CORE_READ(rq, cpu) != (int)bpf_get_smp_processor_id())
		return 0;
	s->t_deq = bpf_ktime_get_ns();
	s->clk_deq = BPF_CORE_READ(rq, clock);
	s->n_deq++;
	return 0;
}

/* TP_PROTO(struct task_struct *p, int dest_cpu) */
SEC("raw_tp/sched_migrate_task")
int on_migrate(struct bpf_raw_tracepoint_args *ctx)
{
	int dest = (int)ctx->args[1];
	struct cpu_state *s = cpu_state();

	if (!s || !s->in_schedule || dest != (int)bpf_get_smp_processor_id())
		return 0;
	if (!s->n_mig)
		s->t_mig = bpf_ktime_get_ns();
	s->n_mig++;
	return 0;
}

/* TP_PROTO(struct task_struct *parent, struct task_struct *child) */
SEC("raw_tp/sched_process_fork")
int on_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (ctgid != ptgid && bpf_map_lookup_elem(&tracked, &ptgid))
		bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	return 0;
}

/*
 * TP_PROTO(bool preempt, struct task_struct *prev,
 *          struct task_struct *next, unsigned int prev_state)
 */
SEC("raw_tp/sched_switch")
int on_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_struct *prev = (struct task_struct *)ctx->args[1];
	struct task_struct *next = (struct task_struct *)ctx->args[2];
	unsigned int prev_state = (unsigned int)ctx->args[3];
	struct cpu_state *s = cpu_state();

	/* blocking switches of real tasks only */
	if (!s || !s->in_schedule || prev_state == 0 ||
	    BPF_CORE_READ(prev, pid) == 0)
		return 0;
	/* this CPU's rq (the runqueues per-CPU symbol is not in kallsyms) */
	struct rq *rq = BPF_CORE_READ(prev, se.cfs_rq, rq);
	if (!rq)
		return 0;

	struct newidle_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&dropped, 1);
		return 0;
	}
	__u32 tgid = BPF_CORE_READ(prev, tgid);
	e->t_deq = s->t_deq;
	e->t_mig = s->t_mig;
	e->t_switch = now;
	e->clk_deq = s->clk_deq;
	e->clk_switch = BPF_CORE_READ(rq, clock);
	e->cpu = bpf_get_smp_processor_id();
	e->n_deq = s->n_deq;
	e->n_mig = s->n_mig;
	e->to_idle = BPF_CORE_READ(next, pid) == 0;
	e->own = bpf_map_lookup_elem(&tracked, &tgid) != NULL;

	struct sched_domain *sd = BPF_CORE_READ(rq, sd);
	__u32 n = 0;
	for (int i = 0; i < NEWIDLE_MAX_SD; i++) {
		struct newidle_sd *o = &e->sd[i];
		if (!sd) {
			__builtin_memset(o, 0, sizeof(*o));
			continue;
		}
		o->max_newidle_lb_cost = BPF_CORE_READ(sd, max_newidle_lb_cost);
		o->newidle_ratio = NEWIDLE_NO_RATIO;
		if (bpf_core_field_exists(sd->newidle_ratio))
			o->newidle_ratio = BPF_CORE_READ(sd, newidle_ratio);
		o->span_weight = BPF_CORE_READ(sd, span_weight);
		o->level = BPF_CORE_READ(sd, level);
		__builtin_memset(o->name, 0, sizeof(o->name));
		bpf_probe_read_kernel_str(o->name, sizeof(o->name),
					  BPF_CORE_READ(sd, name));
		n++;
		sd = BPF_CORE_READ(sd, parent);
	}
	e->nsd = n;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}
