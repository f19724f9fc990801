// SPDX-License-Identifier: MIT
/*
 * Local APIC IPI delivery and EOI, with the series' IPI tracker that
 * remembers who is waiting on whom (MODEL.md 4c).
 */
#include <errno.h>

#include "kvm/kvm.h"

/* Does KVM see the ICR write of a unicast IPI? Not with IPIv. */
static bool ipi_track_send(const struct kvm *kvm)
{
	return kvm->knobs->ipi_tracking_enabled &&
	       !kvm_ipiv_active(kvm->knobs);
}

/* Does KVM see the EOI of an IPI? Not with APICv: edge-triggered
 * vectors are not in the EOI-exit bitmap, the EOI never exits. */
static bool ipi_track_eoi(const struct kvm *kvm)
{
	return kvm->knobs->ipi_tracking_enabled &&
	       !kvm_apicv_active(kvm->knobs);
}

/*
 * Is @now within the recency window after @then? A @now behind @then (two
 * CPUs' clocks) counts as recent.
 */
static bool ipi_in_window(const struct kvm *kvm, u64 then, u64 now)
{
	if (now < then)
		return true;
	return now - then <= kvm->knobs->ipi_window_ns;
}

/* models __apic_accept_irq() in arch/x86/kvm/lapic.c */
void kvm_apic_accept_irq(struct kvm_vcpu *vcpu, enum apic_delivery_mode dm,
			 u64 now)
{
	/* a fixed interrupt stays pending until the guest EOIs it; without
	 * APICv it is injected at the next entry (KVM_REQ_EVENT), with APICv
	 * it is posted */
	if (dm == APIC_DM_FIXED) {
		vcpu->pending_interrupts++;
		if (!kvm_apicv_active(vcpu->kvm->knobs))
			vcpu->req_event = true;
	}
	/* kvm_vcpu_kick(): a halted receiver is woken, which sets ready */
	kvm_vcpu_wake_up(vcpu, now);
}

/* The series' record of a unicast IPI, on both ends. */
static void kvm_ipi_track(struct kvm_vcpu *src, struct kvm_vcpu *dst,
			  u8 vector, u64 now)
{
	src->ipi.last_ipi_receiver = dst->vcpu_idx;
	src->ipi.last_ipi_vector = vector;
	src->ipi.pending_ipi = true;
	src->ipi.last_ipi_time_ns = now;
	dst->ipi.ipi_sender = src->vcpu_idx;
	src->stat.ipis_tracked++;
}

static bool dest_seen_before(const int *dest, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (dest[j] == dest[i])
			return true;
	return false;
}

/*
 * models kvm_irq_delivery_to_apic() in arch/x86/kvm/irq_comm.c (the ICR
 * write path of arch/x86/kvm/lapic.c) plus the series' tracking hook
 */
int kvm_irq_delivery_to_apic(struct kvm_vcpu *src, enum apic_delivery_mode dm,
			     enum apic_dest_shorthand sh, const int *dest,
			     int n, u8 vector, u64 now)
{
	struct kvm *kvm;
	struct kvm_vcpu *only = NULL;
	int delivered = 0;
	int i;

	if (!src || !src->kvm)
		return -EINVAL;
	kvm = src->kvm;
	if (dm != APIC_DM_FIXED && dm != APIC_DM_NMI && dm != APIC_DM_OTHER)
		return -EINVAL;

	switch (sh) {
	case APIC_DEST_NOSHORT:
		if (n < 0 || (n > 0 && !dest))
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (dest[i] < 0 || dest[i] >= kvm->nr_vcpus)
				return -EINVAL;
		for (i = 0; i < n; i++) {
			if (dest_seen_before(dest, i))
				continue;
			kvm_apic_accept_irq(&kvm->vcpus[dest[i]], dm, now);
			only = &kvm->vcpus[dest[i]];
			delivered++;
		}
		break;
	case APIC_DEST_SELF:
		kvm_apic_accept_irq(src, dm, now);
		delivered = 1;
		break;
	case APIC_DEST_ALLINC:
	case APIC_DEST_ALLBUT:
		for (i = 0; i < kvm->nr_vcpus; i++) {
			if (sh == APIC_DEST_ALLBUT && i == src->vcpu_idx)
				continue;
			kvm_apic_accept_irq(&kvm->vcpus[i], dm, now);
			delivered++;
		}
		break;
	default:
		return -EINVAL;
	}

	if (delivered)
		src->stat.ipis_sent++;

	/* only a fixed, no-shorthand IPI to exactly one other vCPU counts */
	if (ipi_track_send(kvm) && dm == APIC_DM_FIXED &&
	    sh == APIC_DEST_NOSHORT && delivered == 1 && only != src)
		kvm_ipi_track(src, only, vector, now);
	return delivered;
}

/* models kvm_apic_eoi() / apic_set_eoi() in arch/x86/kvm/lapic.c */
void kvm_apic_eoi(struct kvm_vcpu *vcpu, u8 vector, u64 now)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvm_vcpu *sender;
	int sender_idx;

	if (vcpu->pending_interrupts)
		vcpu->pending_interrupts--;
	if (!ipi_track_eoi(kvm))
		return;
	/* v3: only the EOI of the tracked IPI's vector ends it */
	if (kvm->knobs->ipi_eoi_match_vector) {
		sender = kvm_get_vcpu(kvm, vcpu->ipi.ipi_sender);
		if (!sender || sender->ipi.last_ipi_vector != vector)
			return;
	}

	/* stage 1: the receiver forgets its sender unconditionally */
	sender_idx = vcpu->ipi.ipi_sender;
	vcpu->ipi.ipi_sender = -1;

	/* stage 2: the sender stops waiting only if it waits on us, recently */
	sender = kvm_get_vcpu(kvm, sender_idx);
	if (!sender)
		return;
	if (sender->ipi.last_ipi_receiver == vcpu->vcpu_idx &&
	    ipi_in_window(kvm, sender->ipi.last_ipi_time_ns, now))
		sender->ipi.pending_ipi = false;
}

/* models kvm_vcpu_is_ipi_receiver() of the series (virt/kvm/kvm_main.c) */
bool kvm_vcpu_is_ipi_receiver(const struct kvm_vcpu *me,
			      const struct kvm_vcpu *cand, u64 now)
{
	if (!me->ipi.pending_ipi)
		return false;
	if (me->ipi.last_ipi_receiver != cand->vcpu_idx)
		return false;
	return ipi_in_window(me->kvm, me->ipi.last_ipi_time_ns, now);
}
