// SPDX-License-Identifier: MIT
/* Guest code of the cost probes (src/vmm/costs.c). */
#include "vmm/guest/rt.h"

/* exits forever: one NOP doorbell store after another */
void guest_probe_exits(void *arg)
{
	volatile uint64_t *db =
		(volatile uint64_t *)(VMM_DOORBELL_GPA + VMM_DB_NOP);

	(void)arg;
	for (;;)
		*db = 0;
}

/* never exits: counts in *arg */
void guest_probe_spin(void *arg)
{
	volatile uint64_t *n = arg;

	for (;;)
		(*n)++;
}

/* a self-IPI of CALL_FUNCTION_SINGLE_VECTOR, then up to *arg polls of
 * the pending bitmap; reports 1 if the entry point took it, else 0 */
void guest_probe_self_ipi(void *arg)
{
	uint64_t polls = *(volatile uint64_t *)arg, seen = 0;
	volatile uint32_t *icr_hi = (volatile uint32_t *)(VMM_XAPIC_GPA + 0x310);
	volatile uint32_t *icr_lo = (volatile uint32_t *)(VMM_XAPIC_GPA + 0x300);
	volatile uint64_t *irr = (volatile uint64_t *)((uint64_t *)arg)[1];

	*icr_hi = (uint32_t)((uint64_t *)arg)[2] << 24;
	*icr_lo = 0xfb;
	for (uint64_t i = 0; i < polls && !seen; i++)
		seen = irr[3] >> (0xfb - 192) & 1;
	GUEST_REPORT(seen);
}
