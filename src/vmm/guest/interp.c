// SPDX-License-Identifier: MIT
/* The guest-side interpreter of workload programs (interp.h), guest code. */
#include "vmm/guest/interp.h"

/* a COMPUTE step: spin on the TSC for its drawn time */
static void compute(struct vmm_gthread *t, uint32_t i, bool kernel,
		    bool irqoff)
{
	uint64_t cycles = t->draws[(uint64_t)i * VMM_PROG_DRAWS + t->next_draw];
	uint64_t t0 = guest_rdtsc();

	if (kernel)
		guest_kernel_enter(t->q.pv);
	/* the time an interrupt takes is not the step's: TSC time spent in
	 * handlers and exits is added back to the deadline */
	while (guest_rdtsc() - t0 < cycles) {
		if (!irqoff && guest_irq_pending(&t->irq)) {
			uint64_t h = guest_rdtsc();

			guest_irq_handle(&t->irq);
			t0 += guest_rdtsc() - h;
		}
	}
	if (kernel)
		guest_kernel_exit(t->q.pv);
	else
		t->user_cycles += cycles;
}

void guest_prog_run(void *arg)
{
	struct vmm_gthread *t = arg;

	for (;;) {
		for (uint32_t i = 0; i < t->nr_ops; i++) {
			const struct gop *op = &t->ops[i];

			switch (op->kind) {
			case GOP_COMPUTE:
				compute(t, i, op->kernel, op->irqoff);
				break;
			case GOP_SPIN_LOCK:
				gq_lock(&t->locks[op->obj], &t->q);
				break;
			case GOP_SPIN_UNLOCK:
				gq_unlock(&t->locks[op->obj], &t->q);
				break;
			case GOP_MUTEX_LOCK:
				gm_lock(&t->mutexes[op->obj], &t->mc);
				break;
			case GOP_MUTEX_UNLOCK:
				gm_unlock(&t->mutexes[op->obj], &t->mc);
				break;
			default:
				/* the host refuses such programs */
				GUEST_ASSERT(!"step the engine's guests run");
			}
		}
		t->next_draw = (t->next_draw + 1) % VMM_PROG_DRAWS;
		t->passes++;
	}
}
