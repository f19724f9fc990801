// SPDX-License-Identifier: MIT
/* Private interrupts of the engine's interrupt controller (irqchip.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/irqchip.h"

int vmm_irqchip_init(struct vmm_irqchip *c, int nr, uint16_t implemented,
		     uint16_t user_drivable, const uint8_t *vector)
{
	memset(c, 0, sizeof(*c));
	if (nr < 1 || (user_drivable & ~implemented))
		return -EINVAL;
	c->cpu = calloc((size_t)nr, sizeof(*c->cpu));
	if (!c->cpu)
		return -ENOMEM;
	c->nr_vcpus = nr;
	c->implemented = implemented;
	c->user_drivable = user_drivable;
	memcpy(c->vector, vector, sizeof(c->vector));
	return 0;
}

void vmm_irqchip_destroy(struct vmm_irqchip *c)
{
	free(c->cpu);
	memset(c, 0, sizeof(*c));
}

uint16_t vmm_irqchip_user_drivable(const struct vmm_irqchip *c)
{
	return c->user_drivable;
}

int vmm_irqchip_expose(struct vmm_irqchip *c, int vcpu, uint16_t mask)
{
	struct vmm_irqchip_cpu *p;

	if (vcpu < 0 || vcpu >= c->nr_vcpus || (mask & ~c->implemented))
		return -EINVAL;
	p = &c->cpu[vcpu];
	p->exposed = mask;
	p->pending &= mask;
	p->saved &= mask;
	return 0;
}

int vmm_irqchip_raise(struct vmm_irqchip *c, int vcpu, int id,
		      bool from_user)
{
	struct vmm_irqchip_cpu *p;
	uint16_t bit;

	if (vcpu < 0 || vcpu >= c->nr_vcpus || id < 0 || id >= VMM_NR_PRIVATE)
		return -EINVAL;
	bit = (uint16_t)(1u << id);
	if (from_user && !(c->user_drivable & bit))
		return -EPERM;
	p = &c->cpu[vcpu];
	if (!(p->exposed & bit))
		return -ENOENT;
	if (p->loaded)
		p->pending |= bit;
	else
		p->saved |= bit;
	return 0;
}

void vmm_irqchip_put(struct vmm_irqchip *c, int vcpu)
{
	struct vmm_irqchip_cpu *p = &c->cpu[vcpu];

	if (!p->loaded)
		return;
	p->saved |= p->pending;
	p->pending = 0;
	p->loaded = false;
}

void vmm_irqchip_load(struct vmm_irqchip *c, int vcpu)
{
	struct vmm_irqchip_cpu *p = &c->cpu[vcpu];

	if (p->loaded)
		return;
	p->pending |= p->saved;
	p->saved = 0;
	p->loaded = true;
}

uint16_t vmm_irqchip_guest_pending(const struct vmm_irqchip *c, int vcpu)
{
	const struct vmm_irqchip_cpu *p = &c->cpu[vcpu];

	return p->loaded ? (uint16_t)(p->pending & p->exposed) : 0;
}

int vmm_irqchip_take(struct vmm_irqchip *c, int vcpu)
{
	uint16_t seen = vmm_irqchip_guest_pending(c, vcpu);
	int id;

	if (!seen)
		return -1;
	id = __builtin_ctz(seen);
	c->cpu[vcpu].pending &= (uint16_t)~(1u << id);
	return c->vector[id];
}
