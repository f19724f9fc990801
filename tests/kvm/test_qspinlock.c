// SPDX-License-Identifier: MIT
/*
 * KTAP selftests of the KVM engine's guest queued spinlock
 * (src/vmm/guest/qspinlock.c) and of the guest-side interpreter of
 * workload programs (src/vmm/guest/interp.c), on real vCPUs: mutual
 * exclusion with and without PV spinlocks, across real CPUs and under
 * overcommit; PV waiters halt and are kicked (MODEL.md 5: pv_wait,
 * KVM_HC_KICK_CPU); the spinlock workload runs from its program.
 * Skipped where /dev/kvm is absent. Figures are counts, never times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"
#include "guest_engine.h"
#include "vmm/prog.h"
#include "workload/workload.h"

#define NR_CASES 9
#define ITERS 10000
#define VCPUS 4

struct qrun {
	uint64_t counter, halts, kicks, contentions;
	bool ok;
};

/* VCPUS vCPUs each taking the lock ITERS times, on @cpus workers */
static struct qrun run_lock(unsigned int cpus, bool pv, bool ple)
{
	struct qrun r = { 0 };
	struct vmm_engine e;
	struct vmm_engine_params p;
	char err[256];
	struct vmm_vm *vm = vmm_vm_new(1, VCPUS, 0, err, sizeof(err));
	struct vmm_pv *pvs;
	struct gq_node *nodes;
	struct q_shared *sh;
	struct q_arg *args;
	const guest_fn fn = guest_q_worker;

	if (!vm) {
		ktap_diag("%s", err);
		return r;
	}
	pvs = vmm_alloc(vm, VCPUS * sizeof(*pvs), 64);
	nodes = vmm_alloc(vm, VCPUS * sizeof(*nodes), 64);
	sh = vmm_alloc(vm, sizeof(*sh), 64);
	args = vmm_alloc(vm, VCPUS * sizeof(*args), 64);
	sh->iters = ITERS;
	kt_params(&p, cpus, 0);
	p.knobs.pv_unhalt = pv;
	if (!ple)
		p.knobs.ple_gap = 0;
	for (int i = 0; i < VCPUS; i++) {
		nodes[i].cpu = (uint32_t)i;
		args[i] = (struct q_arg){
			.sh = sh,
			.q = { .nodes = nodes, .pv = &pvs[i], .cpu = (uint32_t)i,
			       .pv_lock = pv },
		};
	}
	r.ok = kt_run_vm(&e, &p, vm, pvs, &fn, 1, args, sizeof(*args));
	r.counter = sh->counter;
	for (int i = 0; i < VCPUS; i++) {
		r.halts += args[i].q.halts;
		r.kicks += args[i].q.kicks;
		r.contentions += args[i].q.contentions;
	}
	ktap_diag("%u worker(s), %s%s: counter %llu of %d, contentions %llu, "
		  "halts %llu, kicks %llu", cpus, pv ? "PV" : "native", ple ? "" : ", PLE off",
		  (unsigned long long)r.counter, VCPUS * ITERS,
		  (unsigned long long)r.contentions,
		  (unsigned long long)r.halts, (unsigned long long)r.kicks);
	vmm_engine_destroy(&e);
	vmm_vm_free(vm);
	return r;
}

static void cases_lock(struct ktap *k)
{
	struct qrun n2 = run_lock(2, false, true), p1 = run_lock(1, true, true),
		    p2 = run_lock(2, true, true), h1 = run_lock(1, true, false);

	ktap_result(k, n2.ok && n2.counter == VCPUS * ITERS,
		    "qspinlock: native, mutual exclusion across real CPUs");
	ktap_result(k, n2.contentions > 0,
		    "qspinlock: native, contended acquisitions take the slowpath");
	ktap_result(k, p2.ok && p2.counter == VCPUS * ITERS,
		    "qspinlock: PV, mutual exclusion across real CPUs");
	ktap_result(k, p1.ok && p1.counter == VCPUS * ITERS,
		    "qspinlock: PV, mutual exclusion with 4 vCPUs on 1 CPU");
	/* overcommitted without PLE (no directed yield to the preempted
	 * holder), a waiter spins PV_SPIN_THRESHOLD and halts; only a kick
	 * ends its halt, and the run ends, so the unlocks kicked them */
	ktap_result(k, h1.ok && h1.counter == VCPUS * ITERS && h1.halts > 0 &&
			       h1.kicks > 0,
		    "qspinlock: PV waiters halt and the unlock kicks them");
	ktap_result(k, n2.halts == 0 && n2.kicks == 0,
		    "qspinlock: native waiters never halt");
}

/* the spinlock workload's program, 4 vCPUs on 2 workers, 150 ms */
static void cases_interp(struct ktap *k)
{
	const struct workload *wl = workload_find("spinlock");
	u64 wp[WL_MAX_PARAMS];
	struct guest_vm_desc d = { 0 };
	struct vmm_engine_params p;
	struct vmm_engine e;
	struct vmm_gthread *th = NULL;
	struct vmm_vm *vm = NULL;
	struct vmm_pv *pvs;
	char err[256] = "";
	uint64_t passes = 0, contentions = 0;
	int ret;

	for (unsigned int i = 0; i < wl->nr_params; i++)
		wp[i] = wl->params[i].def;
	ret = workload_build(wl, wp, VCPUS, &d, err, sizeof(err));
	if (!ret)
		ret = vmm_prog_check(&d, VCPUS, err, sizeof(err));
	ktap_result(k, !ret, "interp: the spinlock program is one the engine runs");
	if (!ret) {
		vm = vmm_vm_new(vmm_prog_mem_mib(&d), VCPUS, 0, err, sizeof(err));
		ret = vm ? 0 : -EIO;
	}
	kt_params(&p, 2, 150 * 1000 * 1000);
	if (!ret)
		ret = vmm_engine_init(&e, &p);
	if (!ret) {
		pvs = vmm_alloc(vm, VCPUS * sizeof(*pvs), 64);
		ret = vmm_prog_load(vm, &d, pvs, &p.knobs, vmm_tsc_hz(20), 1, &th,
				    err, sizeof(err));
		for (int i = 0; !ret && i < VCPUS; i++)
			ret = vmm_vcpu_start(&vm->vcpus[i], guest_prog_run,
					     &th[i]);
		if (!ret)
			ret = vmm_engine_add_vm(&e, vm, pvs, NULL);
		if (!ret)
			ret = vmm_engine_run(&e, NULL);
		if (!ret && e.vms[0].dead) {
			snprintf(err, sizeof(err), "%s", e.vms[0].err);
			ret = -EIO;
		}
		for (int i = 0; !ret && i < VCPUS; i++) {
			passes += th[i].passes;
			contentions += th[i].q.contentions;
		}
		vmm_engine_destroy(&e);
	}
	ktap_diag("interp: %s passes %llu, contentions %llu", err,
		  (unsigned long long)passes, (unsigned long long)contentions);
	ktap_result(k, !ret && passes > 0, "interp: every pass of the program counts");
	/* 20 us of work between 2 us sections on 4 vCPUs: the lock is
	 * contended now and then */
	ktap_result(k, !ret && contentions > 0,
		    "interp: the workload's lock is contended");
	vmm_vm_free(vm);
	free(d.progs);
}

int main(void)
{
	struct ktap kt;

	ktap_begin(&kt, NR_CASES);
	if (!ktap_kvm_or_skip(&kt, "qspinlock"))
		return ktap_end(&kt);
	cases_lock(&kt);
	cases_interp(&kt);
	return ktap_end(&kt);
}
