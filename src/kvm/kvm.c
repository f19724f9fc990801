// SPDX-License-Identifier: MIT
/*
 * struct kvm lifetime: the VM and its vCPUs, bound to their host tasks.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kvm/kvm.h"

/* models the module parameter defaults of arch/x86/kvm/vmx/vmx.c */
void kvm_knobs_default(struct kvm_knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->ple_gap = 128;
	k->ple_window = 4096;
	k->ple_window_grow = 2;
	k->ple_window_shrink = 0;
	k->ple_window_max = UINT_MAX;
	k->cpu_relax_intercept = true; /* selected by arch/x86/kvm/Kconfig */
	/* virt/kvm/kvm_main.c; KVM_HALT_POLL_NS_DEFAULT on x86 */
	k->halt_poll_ns = 200 * NSEC_PER_USEC;
	k->halt_poll_ns_grow = 2;
	k->halt_poll_ns_grow_start = 10 * NSEC_PER_USEC;
	k->halt_poll_ns_shrink = 2;
	/* the series is off in the vanilla knob set; presets switch it on */
	k->ipi_tracking_enabled = false;
	k->ipi_window_ns = 50 * NSEC_PER_MSEC;
	k->ipi_aware_yield = false;
	k->ipi_strict_fallback = false;
	k->enable_relaxed_boost = false;
	/* both module parameters default to on; the hardware decides
	 * (IPIv: Sapphire Rapids and later) */
	k->enable_apicv = true;
	k->enable_ipiv = true;
	k->pv_steal_time = true;
	k->pv_tlb_flush = true;
	k->pv_sched_yield = true;
	k->pv_unhalt = true;
}

static void kvm_vcpu_init(struct kvm *kvm, struct kvm_vcpu *vcpu, int i,
			  struct task *task)
{
	vcpu->kvm = kvm;
	vcpu->vcpu_idx = i;
	vcpu->vcpu_id = i;
	vcpu->task = task;
	if (task)
		task->owner = vcpu;
	/* a vCPU thread of the model lives inside KVM_RUN */
	vcpu->wants_to_run = true;
	vcpu->ple_window = kvm->knobs->ple_window;
	vcpu->ipi.last_ipi_receiver = -1;
	vcpu->ipi.ipi_sender = -1;
	vcpu->yielded_to = -1;
}

/* models kvm_create_vm() + kvm_vm_ioctl_create_vcpu() in virt/kvm/kvm_main.c */
int kvm_create(struct kvm *kvm, struct sched *s, const struct kvm_knobs *k,
	       int nr, struct task *tasks)
{
	struct kvm_vcpu *vcpus;
	int i;

	if (!kvm || !k || nr < 1 || nr > KVM_MAX_VCPUS)
		return -EINVAL;
	if (tasks && !s)
		return -EINVAL;

	vcpus = calloc((size_t)nr, sizeof(*vcpus));
	if (!vcpus)
		return -ENOMEM;

	memset(kvm, 0, sizeof(*kvm));
	kvm->sched = s;
	kvm->knobs = k;
	kvm->nr_vcpus = nr;
	kvm->vcpus = vcpus;
	/* struct kvm starts zeroed upstream: the first scan starts at 1 */
	kvm->last_boosted_vcpu = 0;

	for (i = 0; i < nr; i++)
		kvm_vcpu_init(kvm, &vcpus[i], i, tasks ? &tasks[i] : NULL);
	return 0;
}

/* models kvm_destroy_vm() in virt/kvm/kvm_main.c */
void kvm_destroy(struct kvm *kvm)
{
	int i;

	if (!kvm || !kvm->vcpus)
		return;
	for (i = 0; i < kvm->nr_vcpus; i++) {
		struct task *t = kvm->vcpus[i].task;

		if (t && t->owner == &kvm->vcpus[i])
			t->owner = NULL;
	}
	free(kvm->vcpus);
	kvm->vcpus = NULL;
	kvm->nr_vcpus = 0;
}

/* models kvm_get_vcpu() in include/linux/kvm_host.h */
struct kvm_vcpu *kvm_get_vcpu(struct kvm *kvm, int idx)
{
	if (!kvm || idx < 0 || idx >= kvm->nr_vcpus)
		return NULL;
	return &kvm->vcpus[idx];
}

/* models kvm_get_vcpu_by_id() in include/linux/kvm_host.h */
struct kvm_vcpu *kvm_get_vcpu_by_id(struct kvm *kvm, int id)
{
	struct kvm_vcpu *vcpu;
	int i;

	if (!kvm || id < 0)
		return NULL;
	/* ids equal indices unless a VMM numbers them otherwise */
	vcpu = kvm_get_vcpu(kvm, id);
	if (vcpu && vcpu->vcpu_id == id)
		return vcpu;
	for (i = 0; i < kvm->nr_vcpus; i++)
		if (kvm->vcpus[i].vcpu_id == id)
			return &kvm->vcpus[i];
	return NULL;
}
