// SPDX-License-Identifier: MIT
/* The guest's PV sched yield after a multi-target call-function IPI. */
#include "guest/guest.h"

/* models kvm_smp_send_call_func_ipi() in arch/x86/kernel/kvm.c */
int kvm_smp_call_func_yield_target(const struct kvm *kvm, const int *mask,
				   const bool *busy, int n)
{
	/* installed only with the feature (pv_sched_yield_supported()) */
	if (n < 2 || !kvm->knobs->pv_sched_yield)
		return -1;
	for (int i = 0; i < n; i++)
		if (busy[i] && kvm_vcpu_is_preempted_guest(&kvm->vcpus[mask[i]]))
			return i;
	return -1;
}
