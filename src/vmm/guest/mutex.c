// SPDX-License-Identifier: MIT
/* The KVM engine's guest mutex (mutex.h), guest code. */
#include "vmm/guest/mutex.h"

#define GUEST_RESCHEDULE_VECTOR 0xfd

static inline bool try_take(struct gm_mutex *m, uint64_t me)
{
	uint64_t zero = 0;

	return m->owner == 0 &&
	       __atomic_compare_exchange_n(&m->owner, &zero, me, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* owner_on_cpu(): the owner's vCPU runs, as far as the guest can tell */
static bool owner_on_cpu(const struct gm_cpu *c, uint64_t owner)
{
	return !c->pv_hint || !(c->all_pv[owner - 1].preempted & 1);
}

/* mutex_optimistic_spin(): spin while the owner runs; true if taken */
static bool optimistic_spin(struct gm_mutex *m, struct gm_cpu *c,
			    uint64_t me)
{
	struct guest_spin s = { .irq = c->irq };

	guest_spin_begin(&s, c->q->pv);
	for (;;) {
		uint64_t o = m->owner;

		if (!o) {
			if (try_take(m, me))
				return true;
			continue;
		}
		if (!owner_on_cpu(c, o))
			return false;
		c->spins++;
		guest_cpu_relax(&s);
	}
}

/* __mutex_lock_common(): queue, sleep (halt) until woken, retry */
static void sleep_until_taken(struct gm_mutex *m, struct gm_cpu *c,
			      uint64_t me)
{
	uint32_t cpu = c->q->cpu;

	for (;;) {
		gq_lock(&m->wait_lock, c->q);
		m->wait[m->tail % GM_MAX_WAITERS] = cpu;
		m->tail++;
		m->woken[cpu] = 0;
		gq_unlock(&m->wait_lock, c->q);
		if (try_take(m, me)) {
			/* taken after all: leave the list (it is ours to
			 * drop when the unlock pops it: mark us woken) */
			m->woken[cpu] = 1;
			return;
		}
		c->sleeps++;
		while (!m->woken[cpu]) {
			guest_irq_poll(c->irq);
			if (!m->woken[cpu])
				guest_pv_wait();
		}
		if (try_take(m, me) || optimistic_spin(m, c, me))
			return;
	}
}

void gm_lock(struct gm_mutex *m, struct gm_cpu *c)
{
	uint64_t me = (uint64_t)c->q->cpu + 1, t0;

	guest_kernel_enter(c->q->pv);
	if (try_take(m, me))
		return;
	c->contentions++;
	t0 = guest_rdtsc();
	if (!optimistic_spin(m, c, me))
		sleep_until_taken(m, c, me);
	c->wait_cycles += guest_rdtsc() - t0;
}

/* __mutex_unlock_slowpath(): release, wake the first sleeper still
 * waiting (one that took the mutex meanwhile is skipped) */
void gm_unlock(struct gm_mutex *m, struct gm_cpu *c)
{
	uint32_t w = 64; /* none */

	__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
	gq_lock(&m->wait_lock, c->q);
	while (m->head != m->tail) {
		uint32_t x = m->wait[m->head % GM_MAX_WAITERS];

		m->head++;
		if (!m->woken[x]) {
			w = x;
			m->woken[x] = 1;
			break;
		}
	}
	gq_unlock(&m->wait_lock, c->q);
	if (w < 64)
		guest_send_ipi(c->irq, w, GUEST_RESCHEDULE_VECTOR);
	guest_kernel_exit(c->q->pv);
}
