/* SPDX-License-Identifier: MIT */
/*
 * The KVM engine (DESIGN.md: the second engine): real vCPUs of vmm VMs
 * multiplexed onto worker threads, one per host CPU the scenario gives,
 * pinned. Each worker owns the runqueue of its CPU in a src/sched model
 * and runs KVM_RUN on the vCPU that model's schedule() picks; every exit
 * the hypervisor would handle goes to src/kvm (kvm_sched_out/in at each
 * switch, handle_pause on a pause-loop exit, kicks and PV yields), so the
 * policies are the simulator's own code. Time is CLOCK_MONOTONIC.
 *
 * One lock guards the policy core: workers hold it from a vCPU's exit to
 * its next entry. A worker preempts its vCPU at each tick and when
 * another worker asks it to reschedule, by a signal whose handler sets
 * the vCPU's immediate_exit (a signal is the only way to stop KVM_RUN).
 */
#ifndef OVERSUB_VMM_ENGINE_H
#define OVERSUB_VMM_ENGINE_H

#include <pthread.h>
#include <signal.h>

#include "kvm/kvm.h"
#include "sched/sched.h"
#include "vmm/irqchip.h"
#include "vmm/vmm.h"

#define VMM_MAX_WORKERS 64
#define VMM_MAX_VMS 16

struct vmm_engine;

/* Where a vCPU is, for its time accounts (each instant in exactly one). */
enum vmm_where {
	VMM_READY, /* runnable, off its CPU (steal) */
	VMM_HOST, /* on its CPU, out of the guest: exits, switches */
	VMM_GUEST, /* in KVM_RUN */
	VMM_HALTED, /* blocked: a halt or pv_wait, off its CPU */
	VMM_DONE, /* returned, or its VM ended */
	VMM_WHERE_NR,
};

/* One vCPU as the engine runs it. */
struct vmm_evcpu {
	struct vmm_engine *e;
	struct vmm_evm *evm;
	struct vmm_vcpu *vcpu;
	struct kvm_vcpu *kv;
	struct task *task; /* its thread */
	struct vmm_pv *pv; /* its PV area, in guest memory */
	bool done; /* returned, or its VM ended */
	enum vmm_where where;
	u64 since; /* in where since */
	u64 t[VMM_WHERE_NR]; /* time in each, closed intervals only */
	u64 exits, ple_doorbells, halts, syncs, pv_yields;
	/* the userspace interrupt controller's local APIC of this vCPU */
	u32 icr_high; /* the destination written before the ICR low word */
	u64 irr[4]; /* accepted vectors not yet injected */
	u8 isr[16]; /* injected, not yet EOI'd (a stack: EOI pops the top) */
	int nr_isr;
	u64 injected; /* KVM_INTERRUPT calls */
};

/* One VM in the engine. */
struct vmm_evm {
	struct vmm_vm *vm;
	struct kvm kvm;
	struct vmm_evcpu *v; /* [vm->nr_vcpus] */
	struct vmm_irqchip chip; /* its private interrupts (the timer) */
	bool dead; /* ended by a fault: err says why */
	char err[256];
};

struct vmm_worker {
	struct vmm_engine *e;
	int cpu; /* its runqueue */
	int host_cpu; /* pinned to, -1: not pinned */
	pthread_t th;
	pthread_cond_t cv; /* idle: waits here */
	bool in_guest; /* in KVM_RUN (under the lock: false) */
	bool started;
	u64 next_tick;
};

struct vmm_engine_params {
	unsigned int nr_cpus; /* workers; the model's host CPUs */
	const int *host_cpus; /* [nr_cpus] to pin to; NULL: none */
	struct sched_params sp;
	struct sched_features sf;
	/* halt polling is not done (halts block); APICv and IPIv are off
	 * (a userspace interrupt controller sees every ICR write and EOI) */
	struct kvm_knobs knobs;
	bool balance; /* load balancing: periodic and newly idle */
	/* the running vCPU takes a timer interrupt at each tick (LOCAL_TIMER
	 * _VECTOR, private interrupt 0, exposed to every vCPU) */
	bool guest_timer;
	u64 duration_ns; /* 0: until every vCPU has returned */
	/* at the first exit or tick at or after warmup_ns, once, under the
	 * engine lock: the caller's snapshot of what the warm-up did */
	u64 warmup_ns;
	void (*on_mark)(struct vmm_engine *e, u64 now, void *ctx);
	/* a SYNC or REPORT ucall, under the engine lock (may be NULL) */
	void (*on_ucall)(struct vmm_evcpu *v, const struct ucall *uc,
			 void *ctx);
	void *ctx;
};

struct vmm_engine {
	struct vmm_engine_params p;
	struct sched s;
	pthread_mutex_t lock;
	struct vmm_worker w[VMM_MAX_WORKERS];
	struct vmm_evm vms[VMM_MAX_VMS];
	int nr_vms;
	int nr_live; /* vCPUs not done */
	u64 t0; /* CLOCK_MONOTONIC at the start */
	u64 t_mark, t_end; /* engine time of the mark and of the stop */
	bool marked;
	bool stop;
	volatile sig_atomic_t *interrupted; /* set by a SIGINT handler: stop */
	char err[256];
};

/* An engine of @p->nr_cpus workers; 0 or -errno with e->err. */
int vmm_engine_init(struct vmm_engine *e, const struct vmm_engine_params *p);
void vmm_engine_destroy(struct vmm_engine *e);
/* Add @vm, its vCPUs started (vmm_vcpu_start) and each given a PV area:
 * vCPU i's is @pv[i], in @vm's memory; its thread is in cgroup @tgs[i]
 * of e->s (@tgs NULL: the root). vCPU i starts on CPU i % nr_cpus. */
int vmm_engine_add_vm(struct vmm_engine *e, struct vmm_vm *vm,
		      struct vmm_pv *pv, struct task_group *const *tgs);
/* Run until every vCPU is done, the duration passes, or *@stop (polled
 * at every exit and tick) is set. 0, or -errno with e->err (a VM that
 * ended on a fault does not fail the run: its evm->err says why). */
int vmm_engine_run(struct vmm_engine *e, volatile sig_atomic_t *stop);
/* Engine time now, ns since the run started. */
u64 vmm_engine_now(const struct vmm_engine *e);
/* @v's time in each place up to @now, the open interval included. */
void vmm_evcpu_times(const struct vmm_evcpu *v, u64 now,
		     u64 t[VMM_WHERE_NR]);

#endif
