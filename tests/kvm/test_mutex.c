// SPDX-License-Identifier: MIT
/*
 * KTAP selftests of the KVM engine's guest mutex with optimistic spinning
 * (src/vmm/guest/mutex.c) on real vCPUs: mutual exclusion; a waiter spins
 * while the owner's vCPU runs and sleeps (halts, woken by the unlock's
 * IPI) when the PV hint says the owner's vCPU is preempted; without the
 * hint it spins on a preempted owner (MODEL.md 5). Skipped where /dev/kvm
 * is absent; figures are counts, never times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"
#include "guest_engine.h"

#define NR_CASES 5
#define VCPUS 4
#define ITERS 2000

struct mrun {
	bool ok;
	u64 counter, contentions, spins, sleeps;
};

static struct mrun run_mutex(unsigned int cpus, bool steal_time)
{
	struct mrun r = { 0 };
	struct vmm_engine_params p;
	struct vmm_engine e;
	char err[256];
	struct vmm_vm *vm = vmm_vm_new(1, VCPUS, 0, err, sizeof(err));
	struct guest_irq_vm *ivm;
	struct gq_node *nodes;
	struct m_shared *sh;
	struct m_arg *args;
	struct vmm_pv *pvs;
	const guest_fn fn = guest_m_worker;

	if (!vm) {
		ktap_diag("%s", err);
		return r;
	}
	pvs = vmm_alloc(vm, VCPUS * sizeof(*pvs), 64);
	nodes = vmm_alloc(vm, VCPUS * sizeof(*nodes), 64);
	ivm = vmm_alloc(vm, sizeof(*ivm), 64);
	sh = vmm_alloc(vm, sizeof(*sh), 64);
	args = vmm_alloc(vm, VCPUS * sizeof(*args), 64);
	ivm->nr_vcpus = VCPUS;
	ivm->csd = vmm_alloc(vm, VCPUS * VCPUS * sizeof(struct guest_csd), 64);
	ivm->pv = pvs;
	sh->iters = ITERS;
	sh->hold_cycles = 20000; /* ~8 us */
	for (int i = 0; i < VCPUS; i++) {
		struct m_arg *a = &args[i];

		nodes[i].cpu = (uint32_t)i;
		a->sh = sh;
		a->irq = (struct guest_irq_cpu){ .vm = ivm, .cpu = (uint32_t)i,
						 .irr = vmm_vcpu_irr(&vm->vcpus[i]) };
		a->q = (struct gq_cpu){ .nodes = nodes, .pv = &pvs[i],
					.irq = &a->irq, .cpu = (uint32_t)i,
					.pv_lock = true };
		a->mc = (struct gm_cpu){ .q = &a->q, .irq = &a->irq,
					 .all_pv = pvs, .pv_hint = steal_time };
	}
	kt_params(&p, cpus, 10ull * 1000 * 1000 * 1000);
	p.knobs.pv_steal_time = steal_time;
	r.ok = kt_run_vm(&e, &p, vm, pvs, &fn, 1, args, sizeof(*args)) &&
	       e.nr_live == 0;
	r.counter = sh->counter;
	for (int i = 0; i < VCPUS; i++) {
		r.contentions += args[i].mc.contentions;
		r.spins += args[i].mc.spins;
		r.sleeps += args[i].mc.sleeps;
	}
	ktap_diag("%u worker(s), PV hint %s: counter %llu of %d, contentions "
		  "%llu, spins %llu, sleeps %llu", cpus,
		  steal_time ? "on" : "off", (unsigned long long)r.counter,
		  VCPUS * ITERS, (unsigned long long)r.contentions,
		  (unsigned long long)r.spins, (unsigned long long)r.sleeps);
	vmm_engine_destroy(&e);
	vmm_vm_free(vm);
	return r;
}

int main(void)
{
	struct ktap k;
	struct mrun two, one, blind;

	ktap_begin(&k, NR_CASES);
	if (!ktap_kvm_or_skip(&k, "mutex"))
		return ktap_end(&k);
	two = run_mutex(2, true);
	one = run_mutex(1, true);
	blind = run_mutex(1, false);
	ktap_result(&k, two.ok && two.counter == VCPUS * ITERS &&
				one.ok && one.counter == VCPUS * ITERS,
		    "mutex: mutual exclusion, on two CPUs and on one");
	/* two workers: the owner's vCPU often runs on the other CPU, and
	 * its waiters spin on it */
	ktap_result(&k, two.spins > 0,
		    "mutex: a waiter spins while the owner's vCPU runs");
	/* one worker: whenever a waiter runs, the owner's vCPU is preempted;
	 * the PV hint says so and the waiter sleeps; the unlock's IPI wakes it */
	ktap_result(&k, one.sleeps > 0,
		    "mutex: the PV hint sends a waiter of a preempted owner to sleep");
	ktap_result(&k, one.ok, "mutex: every sleeper is woken by an unlock");
	/* without steal time the guest cannot tell: it spins on, never sleeps */
	ktap_result(&k, blind.ok && blind.counter == VCPUS * ITERS &&
				blind.sleeps == 0 && blind.spins > 0,
		    "mutex: without the hint a waiter spins on a preempted owner");
	return ktap_end(&k);
}
