// SPDX-License-Identifier: MIT
/* TLB shootdown target selection with PV TLB flush. */
#include "guest/guest.h"

/* models kvm_flush_tlb_multi() in arch/x86/kernel/kvm.c */
int flush_tlb_multi(struct kvm *kvm, const int *targets, int n, int *ipi)
{
	int kept = 0;

	for (int i = 0; i < n; i++) {
		struct kvm_vcpu *v = &kvm->vcpus[targets[i]];

		if (kvm_flush_tlb_deferred(v))
			continue;
		ipi[kept++] = targets[i];
	}
	return kept;
}
