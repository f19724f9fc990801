/* SPDX-License-Identifier: MIT */
/*
 * What a run measures, after the warm-up: per vCPU where its time went,
 * per VM its throughput and CPU share, and host-wide counters.
 */
#ifndef OVERSUB_SIM_METRICS_H
#define OVERSUB_SIM_METRICS_H

#include "core/types.h"

/* Where a vCPU's wall-clock time goes; the buckets add up to the run. */
enum vcpu_time {
	VT_WORK, /* guest code making progress (compute, handlers, crit. sect.) */
	VT_SPIN, /* spinning on a lock or a mutex owner */
	VT_IPI_WAIT, /* spinning until IPI handlers ran (call-func, TLB) */
	VT_HALTED, /* blocked: HLT, pv_wait, or its guest thread asleep */
	VT_STEAL, /* runnable on the host but not running */
	VT_EXIT, /* on a host CPU but in the host: exits, PLE, hypercalls */
	VT_POLL, /* halted, but polling on its host CPU (kvm_vcpu_halt) */
	VT_NR,
};

extern const char *const vcpu_time_names[VT_NR];

struct vcpu_metrics {
	u64 t[VT_NR];
};

/*
 * What the guest kernel of a VM would count, for comparing a model with
 * the real program (oversub profile, docs/validation.md): its vCPUs' user
 * time, its threads' context switches, the IPIs its vCPUs took by kind as
 * /proc/interrupts counts them, its TLB shootdowns and its lock
 * contentions as lock:contention_begin/end see them.
 */
struct guest_metrics {
	u64 user_ns; /* guest user mode: compute steps outside the kernel */
	u64 nvcsw; /* a thread left its vCPU to sleep or wait */
	u64 nivcsw; /* a thread was preempted by another (guest tick) */
	u64 ipi_res; /* reschedule IPIs taken */
	u64 ipi_cal; /* call-function IPIs taken (wakeups, calls, TLB) */
	u64 ipi_tlb; /* of those, TLB flushes (flush_tlb_func) */
	u64 tlb_shootdowns; /* flush_tlb_multi() calls that sent IPIs */
	u64 contentions; /* lock slowpaths: spin, rwlock, mutex */
	u64 contention_ns; /* their waits, until the lock was taken */
};

/* A host task of a [task NAME] section (docs/metrics.md). */
struct task_metrics {
	char name[80]; /* section name, with "-N" when count > 1 */
	u64 cpu_ns; /* CPU time it ran */
	u64 runs; /* times it was switched in */
	u64 wakeups; /* times it woke from a sleep */
	u64 wakeup_ns; /* wakeup to running, summed */
	u64 yields; /* sched_yield() calls */
	u64 migrations; /* switched in on another CPU than the last time */
};

struct vm_metrics {
	char name[80]; /* section name, with "-N" when count > 1 */
	unsigned int vcpus;
	unsigned long shares;
	u64 ops; /* workload operations completed */
	double throughput; /* ops per second */
	u64 cpu_ns; /* host CPU time its vCPU threads ran */
	struct guest_metrics guest;
	struct vcpu_metrics *vcpu; /* [vcpus] */
};

struct host_metrics {
	u64 context_switches;
	u64 ple_exits;
	u64 on_spin_calls;
	u64 yield_attempts; /* kvm_vcpu_yield_to calls */
	u64 yield_successes;
	u64 oracle_yields; /* of those, chosen by the oracle */
	u64 deboosts;
	u64 lag_credits;
	u64 ipis_sent;
	u64 ipis_tracked;
	u64 kicks;
	u64 pv_yields; /* KVM_HC_SCHED_YIELD issued */
	u64 tlb_flush_deferred; /* PV TLB flushes done on entry */
	u64 halt_polls; /* halts that polled (kvm_vcpu_halt) */
	u64 halt_poll_successes; /* of those, woken without blocking */
	u64 migrations;
	u64 events; /* simulator events processed (whole run) */
};

struct sim_metrics {
	u64 duration_ns; /* measured span */
	unsigned int nr_cpus;
	struct host_metrics host;
	struct vm_metrics *vms; /* [nr_vms], one per VM instance */
	unsigned int nr_vms;
	struct task_metrics *tasks; /* [nr_tasks], one per [task] instance */
	unsigned int nr_tasks;
};

void sim_metrics_free(struct sim_metrics *m);

struct kvm_vcpu_stat;
struct sched_stats;
/* Add what one vCPU's KVM counters and one host CPU's scheduler counters
 * say to @h: the host counters both engines report. */
void host_metrics_add_vcpu(struct host_metrics *h,
			   const struct kvm_vcpu_stat *st);
void host_metrics_add_cpu(struct host_metrics *h, const struct sched_stats *st);
/* @h minus @base (the counters at the end of the warm-up): what the
 * measured span counted. events, a count of the whole run, is left. */
void host_metrics_sub(struct host_metrics *h, const struct host_metrics *base);

#endif
