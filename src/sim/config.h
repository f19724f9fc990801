/* SPDX-License-Identifier: MIT */
/*
 * What one simulation run needs: the host, the VMs, the policy switches,
 * the run length and the seed. The scenario layer fills it from a file;
 * tests fill it directly.
 */
#ifndef OVERSUB_SIM_CONFIG_H
#define OVERSUB_SIM_CONFIG_H

#include "core/types.h"
#include "kvm/kvm.h"
#include "sched/sched.h"
#include "workload/workload.h"

enum pin_mode {
	PIN_NONE, /* vCPU threads float over all host CPUs */
	PIN_VCPU, /* vCPU i of every VM pinned to host CPU i % cpus */
	PIN_VM, /* each VM's threads share a block of vcpus host CPUs */
};

struct host_config {
	unsigned int cpus; /* 1..65536 */
	u64 khz; /* clock, kHz: turns PLE cycles into time */
	u64 tick_ns; /* host tick (HZ) */
	u64 base_slice_ns; /* sysctl_sched_base_slice, unscaled */
	unsigned int llc_size; /* CPUs per LLC; 0: one LLC */
	bool balance; /* load balancing (periodic and newly idle) */
	u64 migration_cost_ns; /* sysctl_sched_migration_cost */
	u64 newidle_cost_ns; /* a newly-idle balance pass, per CPU spanned */
	u64 exit_cost_ns; /* one VM exit + re-entry on the host */
	u64 ctx_switch_ns; /* a host context switch, charged to the task in */
	u64 wakeup_latency_ns; /* try_to_wake_up to running, on an idle CPU */
	u64 ipi_latency_ns; /* an IPI's send to its handler, on a CPU */
	unsigned int pause_cycles; /* cycles of one PAUSE in a spin loop */
	bool machine_slice; /* VMs under one machine.slice cgroup */
	bool vcpu_cgroups; /* each vCPU thread in a child cgroup of its VM's */
	unsigned int noise; /* host CPU hog tasks (root cgroup) */
	u64 noise_run_ns; /* a hog runs this long ... */
	u64 noise_sleep_ns; /* ... then sleeps this long (0: never) */
};

struct vm_config {
	char name[64];
	unsigned int vcpus; /* 1..KVM_MAX_VCPUS */
	unsigned int count; /* identical VMs from one section */
	unsigned long shares; /* cgroup weight, MIN_SHARES..MAX_SHARES */
	enum pin_mode pin;
	const struct workload *wl;
	u64 wl_params[WL_MAX_PARAMS]; /* one per wl->params entry */
};

/*
 * A host task besides the VMs ([task NAME]): a thread of the root cgroup
 * that runs `run_ns` at a time and then sleeps `sleep_ns`, or calls
 * sched_yield() (yield), or runs on (a hog: sleep 0, no yield).
 */
struct task_config {
	char name[64];
	unsigned int count; /* identical tasks from one section */
	int nice; /* -20..19 */
	int cpu; /* pinned to this host CPU; -1: any */
	u64 run_ns;
	u64 sleep_ns; /* 0: never sleeps */
	bool yield; /* after each run, sched_yield() (sleep_ns is 0) */
};

struct sim_config {
	struct host_config host;
	struct vm_config *vms; /* sections, each expanding to count VMs */
	unsigned int nr_vms;
	struct task_config *tasks; /* sections, each expanding to count */
	unsigned int nr_tasks;
	struct sched_features sched;
	struct kvm_knobs kvm;
	u64 duration_ns; /* measured time, after the warm-up */
	u64 warmup_ns;
	u64 seed;
};

void host_config_default(struct host_config *h);
/* A VM section with the defaults: 1 vCPU, count 1, shares 1024, no pin,
 * no workload. */
void vm_config_default(struct vm_config *v);
/* A task section with the defaults: count 1, nice 0, any CPU, a hog
 * (run 1 ms, no sleep, no yield). */
void task_config_default(struct task_config *t);

#endif
