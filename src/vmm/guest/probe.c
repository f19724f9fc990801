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
