// SPDX-License-Identifier: MIT
/* Guest code of the engine selftests: runs at ring 3 in the test's VMs. */
#include "guest_engine.h"

#include "vmm/guest/pv.h"

/* counts until the engine ends the run; never exits by itself */
void guest_eng_count(void *arg)
{
	struct eng_arg *a = arg;

	a->started = 1;
	while (!a->sh->stop)
		a->counter++;
}

/* reads the other vCPU's preempted byte, once it has run */
void guest_eng_watch(void *arg)
{
	struct eng_arg *a = arg;

	a->started = 1;
	while (!a->sh->stop) {
		if (!a->other->started)
			continue;
		if (guest_vcpu_is_preempted(a->other->pv))
			a->seen_preempted++;
		else
			a->seen_running++;
	}
}

static void lock_take(struct eng_arg *a)
{
	struct guest_spin s = { 0 };

	guest_spin_begin(&s, a->pv);
	while (__atomic_exchange_n(&a->sh->lock, 1, __ATOMIC_ACQUIRE))
		while (a->sh->lock)
			guest_cpu_relax(&s);
}

/* takes the lock, keeps it hold_cycles of TSC, releases it: kernel code */
void guest_eng_lock_holder(void *arg)
{
	struct eng_arg *a = arg;
	uint64_t t0;

	guest_kernel_enter(a->pv);
	lock_take(a);
	a->sh->held = 1;
	t0 = guest_rdtsc();
	while (guest_rdtsc() - t0 < a->sh->hold_cycles)
		a->counter++;
	__atomic_store_n(&a->sh->lock, 0, __ATOMIC_RELEASE);
	guest_kernel_exit(a->pv);
}

/* once the holder has the lock, spins for it (pause-loop exits) */
void guest_eng_lock_waiter(void *arg)
{
	struct eng_arg *a = arg;

	while (!a->sh->held)
		__asm__ volatile("pause");
	guest_kernel_enter(a->pv);
	lock_take(a);
	a->counter++;
	__atomic_store_n(&a->sh->lock, 0, __ATOMIC_RELEASE);
	guest_kernel_exit(a->pv);
}

/* halts (PV wait) until the flag is set */
void guest_eng_kick_waiter(void *arg)
{
	struct eng_arg *a = arg;

	a->sh->waiting = 1;
	while (!a->sh->flag) {
		guest_pv_wait();
		a->counter++;
	}
}

/* once the waiter announced itself, sets the flag and kicks vCPU 1 */
void guest_eng_kicker(void *arg)
{
	struct eng_arg *a = arg;

	while (!a->sh->waiting)
		__asm__ volatile("pause");
	a->sh->flag = 1;
	guest_pv_kick(1);
}

/* the lock, a non-atomic increment that races without it, the unlock */
void guest_q_worker(void *arg)
{
	struct q_arg *a = arg;

	for (uint64_t i = 0; i < a->sh->iters; i++) {
		uint64_t x;

		gq_lock(&a->sh->lock, &a->q);
		x = a->sh->counter;
		for (int k = 0; k < 20; k++)
			__asm__ volatile("pause");
		a->sh->counter = x + 1;
		gq_unlock(&a->sh->lock, &a->q);
	}
}

/* sends sh->calls call-function IPIs (or TLB shootdowns) to vCPU 1,
 * each waited for */
void guest_ipi_sender(void *arg)
{
	struct ipi_arg *a = arg;
	const uint32_t target = 1;

	for (uint64_t i = 0; i < a->sh->calls; i++) {
		if (a->sh->tlb)
			guest_flush_tlb_multi(&a->irq, &target, 1, a->sh->cycles,
					      a->pv);
		else
			guest_call_function_single(&a->irq, target,
						   a->sh->cycles, a->pv);
	}
	a->sh->done = 1;
	guest_pv_kick(target);
}

/* answers interrupts until the sender is done: spinning, or halted */
void guest_ipi_receiver(void *arg)
{
	struct ipi_arg *a = arg;

	a->started = 1;
	while (!a->sh->done) {
		if (guest_irq_pending(&a->irq))
			guest_irq_handle(&a->irq);
		else if (a->sh->halt)
			guest_pv_wait();
		else
			__asm__ volatile("pause");
	}
}

/* the mutex, a non-atomic increment held hold_cycles, the unlock */
void guest_m_worker(void *arg)
{
	struct m_arg *a = arg;

	for (uint64_t i = 0; i < a->sh->iters; i++) {
		uint64_t x, t0;

		gm_lock(&a->sh->m, &a->mc);
		x = a->sh->counter;
		t0 = guest_rdtsc();
		while (guest_rdtsc() - t0 < a->sh->hold_cycles)
			;
		a->sh->counter = x + 1;
		gm_unlock(&a->sh->m, &a->mc);
	}
}
