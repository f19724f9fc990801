// SPDX-License-Identifier: MIT
/*
 * Pause-loop exiting: the per-vCPU PLE window and the PAUSE exit handler
 * (arch/x86/kvm/vmx/vmx.c, arch/x86/kvm/x86.h), MODEL.md 2 and 3.
 */
#include "kvm/kvm.h"

/* models __grow_ple_window() in arch/x86/kvm/x86.h */
static unsigned int __grow_ple_window(unsigned int val, unsigned int base,
				      unsigned int modifier, unsigned int max)
{
	u64 ret = val;

	if (modifier < 1)
		return base;
	if (modifier < base)
		ret *= modifier;
	else
		ret += modifier;
	return (unsigned int)min_t(u64, ret, max);
}

/*
 * models __shrink_ple_window() in arch/x86/kvm/x86.h; the subtraction
 * saturates at @min instead of wrapping when @modifier exceeds @val.
 */
static unsigned int __shrink_ple_window(unsigned int val, unsigned int base,
					unsigned int modifier, unsigned int min)
{
	if (modifier < 1)
		return base;
	if (modifier < base)
		val /= modifier;
	else
		val = val > modifier ? val - modifier : 0;
	return max_t(unsigned int, val, min);
}

/* models grow_ple_window() in arch/x86/kvm/vmx/vmx.c */
void grow_ple_window(struct kvm_vcpu *vcpu)
{
	const struct kvm_knobs *k = vcpu->kvm->knobs;

	vcpu->ple_window = __grow_ple_window(vcpu->ple_window, k->ple_window,
					     k->ple_window_grow,
					     k->ple_window_max);
}

/* models shrink_ple_window() in arch/x86/kvm/vmx/vmx.c */
void shrink_ple_window(struct kvm_vcpu *vcpu)
{
	const struct kvm_knobs *k = vcpu->kvm->knobs;

	vcpu->ple_window = __shrink_ple_window(vcpu->ple_window, k->ple_window,
					       k->ple_window_shrink,
					       k->ple_window);
}

/* models handle_pause() in arch/x86/kvm/vmx/vmx.c */
void handle_pause(struct kvm_vcpu *vcpu, u64 now)
{
	if (vcpu->kvm->knobs->ple_gap)
		grow_ple_window(vcpu);
	vcpu->stat.ple_exits++;
	/* PLE only fires at CPL 0, so VMX always asks for kernel-mode yield */
	kvm_vcpu_on_spin(vcpu, true, now);
}
