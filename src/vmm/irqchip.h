/* SPDX-License-Identifier: MIT */
/*
 * The private interrupts of the KVM engine's userspace interrupt
 * controller: per-vCPU interrupts (the local timer; PPIs on a GIC), after
 * the rules the vGIC-v5 PPI series and kvmtool's --irqchip follow
 * (MODEL.md 6):
 *   - a vCPU's private interrupts are behind an exposure mask: the guest
 *     cannot see or drive one that is not exposed;
 *   - userspace may drive only the private interrupts the controller says
 *     it may (vmm_irqchip_user_drivable(), the UAPI query), and only
 *     exposed ones;
 *   - a vCPU's pending state is saved when it is put (switched out) and
 *     restored when it is loaded (switched in); an interrupt raised while
 *     it is put is kept in the saved state, not lost and not delivered.
 * Each private interrupt is delivered as its own vector.
 */
#ifndef OVERSUB_VMM_IRQCHIP_H
#define OVERSUB_VMM_IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>

#define VMM_NR_PRIVATE 16

/* Private interrupt 0: the local timer the engine raises at each tick. */
#define VMM_PRIV_TIMER 0

struct vmm_irqchip_cpu {
	uint16_t exposed; /* what the guest may see and drive */
	uint16_t pending; /* live state, while loaded */
	uint16_t saved; /* state saved at put, while not loaded */
	bool loaded;
};

struct vmm_irqchip {
	int nr_vcpus;
	uint16_t implemented; /* private interrupts this controller has */
	uint16_t user_drivable; /* of those, what userspace may drive */
	uint8_t vector[VMM_NR_PRIVATE]; /* each one's vector */
	struct vmm_irqchip_cpu *cpu; /* [nr_vcpus] */
};

/* A controller for @nr vCPUs with private interrupts @implemented, of
 * which userspace may drive @user_drivable (a subset), each delivered as
 * @vector[i]; nothing exposed, every vCPU put. 0, -EINVAL, -ENOMEM. */
int vmm_irqchip_init(struct vmm_irqchip *c, int nr, uint16_t implemented,
		     uint16_t user_drivable, const uint8_t *vector);
void vmm_irqchip_destroy(struct vmm_irqchip *c);
/* The UAPI query: which private interrupts userspace may drive. */
uint16_t vmm_irqchip_user_drivable(const struct vmm_irqchip *c);
/* Expose @mask on @vcpu (replacing the mask): -EINVAL if @mask has a
 * private interrupt the controller does not implement. Un-exposing
 * drops that interrupt's pending state. */
int vmm_irqchip_expose(struct vmm_irqchip *c, int vcpu, uint16_t mask);
/* Raise private interrupt @id on @vcpu: by userspace (@from_user: the
 * engine's timer, a test) or by the guest itself. -EPERM if userspace may
 * not drive it, -ENOENT if it is not exposed on @vcpu, -EINVAL for a bad
 * @vcpu or @id. Raised on a put vCPU, it waits in the saved state. */
int vmm_irqchip_raise(struct vmm_irqchip *c, int vcpu, int id,
		      bool from_user);
/* kvm_arch_vcpu_put / load: save and clear the live state, or restore
 * it. */
void vmm_irqchip_put(struct vmm_irqchip *c, int vcpu);
void vmm_irqchip_load(struct vmm_irqchip *c, int vcpu);
/* Take the lowest pending private interrupt of a loaded @vcpu that the
 * guest can see: its vector, or -1 (none, or the vCPU is put). */
int vmm_irqchip_take(struct vmm_irqchip *c, int vcpu);
/* What the guest of @vcpu sees pending (exposed only; 0 while put). */
uint16_t vmm_irqchip_guest_pending(const struct vmm_irqchip *c, int vcpu);

#endif
