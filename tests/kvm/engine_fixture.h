/* SPDX-License-Identifier: MIT */
/*
 * What the engine's KTAP selftests share: engine parameters with the
 * models' defaults, and one VM run on the engine to its end. (APICv needs
 * no setting: the engine turns it off.)
 */
#ifndef OVERSUB_TESTS_KVM_ENGINE_FIXTURE_H
#define OVERSUB_TESTS_KVM_ENGINE_FIXTURE_H

#include <string.h>

#include "ktap.h"
#include "vmm/engine.h"

/* @cpus workers, the models' defaults, a run of @duration (0: until every
 * vCPU has returned; a bound otherwise, never a figure) */
static inline void kt_params(struct vmm_engine_params *p, unsigned int cpus,
			     u64 duration)
{
	memset(p, 0, sizeof(*p));
	p->nr_cpus = cpus;
	sched_params_default(&p->sp);
	sched_features_default(&p->sf);
	kvm_knobs_default(&p->knobs);
	p->duration_ns = duration;
}

/*
 * Run @vm on an engine @e of @p, vCPU i at @fns[i] (@fns[0] for all when
 * @nr_fns is 1) with argument @args + i x @arg_size, to its end. True if
 * the run went and the VM did not fault; else false, the reason a KTAP
 * diagnostic. The caller reads @e's accounts, then vmm_engine_destroy().
 */
static inline bool kt_run_vm(struct vmm_engine *e,
			     const struct vmm_engine_params *p,
			     struct vmm_vm *vm, struct vmm_pv *pvs,
			     const guest_fn *fns, int nr_fns, void *args,
			     size_t arg_size)
{
	int ret = vmm_engine_init(e, p);

	for (int i = 0; !ret && i < vm->nr_vcpus; i++)
		ret = vmm_vcpu_start(&vm->vcpus[i], fns[nr_fns > 1 ? i : 0],
				     (char *)args + (size_t)i * arg_size);
	if (!ret)
		ret = vmm_engine_add_vm(e, vm, pvs, NULL);
	if (!ret)
		ret = vmm_engine_run(e, NULL);
	if (ret)
		ktap_diag("engine: %s %s", e->err, vm->err);
	else if (e->vms[0].dead)
		ktap_diag("VM: %s", e->vms[0].err);
	return !ret && !e->vms[0].dead;
}

#endif
