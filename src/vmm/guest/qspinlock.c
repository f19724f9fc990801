// SPDX-License-Identifier: MIT
/*
 * The KVM engine's guest queued spinlock (qspinlock.h), guest code. Each
 * function names the kernel function it follows.
 */
#include "vmm/guest/qspinlock.h"

#include "guest/pvspin.h"

static inline uint32_t cmpxchg32(volatile uint32_t *p, uint32_t old,
				 uint32_t new)
{
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	return old;
}

static inline uint8_t cmpxchg8(volatile uint8_t *p, uint8_t old, uint8_t new)
{
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	return old;
}

/* queued_spin_trylock() */
static bool trylock(struct gq_lock *l)
{
	return l->val == 0 && cmpxchg32(&l->val, 0, GQ_LOCKED_VAL) == 0;
}

static inline uint16_t cmpxchg16(volatile uint16_t *p, uint16_t old,
				 uint16_t new)
{
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_ACQUIRE);
	return old;
}

/* pv_hybrid_queued_unfair_trylock(): take the lock whenever it is free
 * and the head is not spinning for it; keep trying while waiters are
 * queued and none spins (lock stealing, no halting); leave for the queue
 * when nobody is queued or the head spins again */
static bool unfair_trylock(struct gq_lock *l, struct gq_cpu *c,
			   struct guest_spin *s)
{
	for (;;) {
		uint32_t v = l->val;

		if (!(v & 0xffffu) && cmpxchg8(&l->locked, 0, GQ_LOCKED_VAL) == 0) {
			c->steals++;
			return true;
		}
		if (!(v >> 16) || (v & 0xff00u))
			return false;
		guest_cpu_relax(s);
	}
}

/* trylock_clear_pending(): the spinning head takes a free lock */
static bool trylock_clear_pending(struct gq_lock *l)
{
	return l->locked_pending == 0x0100 &&
	       cmpxchg16(&l->locked_pending, 0x0100, GQ_LOCKED_VAL) == 0x0100;
}

/* pv_wait(): halt unless *ptr changed from val; a kick ends it */
static void pv_wait(struct gq_cpu *c, volatile void *ptr, uint32_t val,
		    bool byte)
{
	uint32_t now = byte ? *(volatile uint8_t *)ptr
			    : *(volatile uint32_t *)ptr;

	if (now != val)
		return;
	c->halts++;
	guest_pv_wait();
}

static void pv_kick(struct gq_cpu *c, uint32_t cpu)
{
	c->kicks++;
	guest_pv_kick(cpu);
}

/* pv_wait_node(): spin for node->locked, halt after the threshold or at
 * once when the waiter before is not running (pv_wait_early) */
static void wait_node(struct gq_cpu *c, struct gq_node *node,
		      struct gq_node *prev, struct guest_spin *s)
{
	for (;;) {
		for (uint32_t loop = PV_SPIN_THRESHOLD; loop; loop--) {
			if (node->locked)
				return;
			if (c->pv_lock && !(loop % PV_PREV_CHECK_SPINS) &&
			    prev->state != GQ_RUNNING)
				break;
			guest_cpu_relax(s);
		}
		if (!c->pv_lock)
			continue;
		/* running -> halted, unless the hand-over came meanwhile */
		if (cmpxchg32(&node->state, GQ_RUNNING, GQ_HALTED) ==
		    GQ_RUNNING) {
			if (!node->locked)
				pv_wait(c, &node->state, GQ_HALTED, false);
			/* running again, unless pv_kick_node made it hashed:
			 * that stays, as the kernel keeps it */
			cmpxchg32(&node->state, GQ_HALTED, GQ_RUNNING);
		}
		guest_spin_begin(s, c->pv);
	}
}

/* pv_wait_head_or_lock(): the head spins for the lock; PV: after the
 * threshold it hashes itself, sets _Q_SLOW_VAL and halts until the
 * unlock kicks it */
static void wait_head_or_lock(struct gq_lock *l, struct gq_cpu *c,
			      struct guest_spin *s)
{
	if (!c->pv_lock) {
		/* native: the head spins until the owner goes */
		for (;;) {
			if (!l->locked &&
			    cmpxchg8(&l->locked, 0, GQ_LOCKED_VAL) == 0)
				return;
			guest_cpu_relax(s);
		}
	}
	for (;;) {
		l->pending = 1; /* set_pending(): stealers back off */
		for (uint32_t loop = PV_SPIN_THRESHOLD; loop; loop--) {
			if (trylock_clear_pending(l))
				return;
			guest_cpu_relax(s);
		}
		l->pending = 0; /* clear_pending() before halting */
		l->hashed = c->cpu + 1;
		if (cmpxchg8(&l->locked, GQ_LOCKED_VAL, GQ_SLOW_VAL) == 0) {
			/* free after all: take it, unhash */
			if (cmpxchg8(&l->locked, 0, GQ_LOCKED_VAL) == 0) {
				l->hashed = 0;
				return;
			}
		}
		pv_wait(c, &l->locked, GQ_SLOW_VAL, true);
		guest_spin_begin(s, c->pv);
	}
}

/* pv_kick_node(): a halted new head is hashed for the unlock to kick */
static void kick_node(struct gq_lock *l, struct gq_node *next)
{
	if (cmpxchg32(&next->state, GQ_HALTED, GQ_HASHED) != GQ_HALTED)
		return;
	l->hashed = next->cpu + 1;
	l->locked = GQ_SLOW_VAL;
}

/* queued_spin_lock_slowpath() (the PV queue path) */
static void slowpath(struct gq_lock *l, struct gq_cpu *c)
{
	struct gq_node *node = &c->nodes[c->cpu], *prev, *next;
	uint16_t tail = (uint16_t)(c->cpu + 1), old;
	struct guest_spin s = { .irq = c->irq };
	uint64_t t0 = guest_rdtsc();

	c->contentions++;
	guest_spin_begin(&s, c->pv);
	node->next = 0;
	node->locked = 0;
	node->state = GQ_RUNNING;
	if (c->pv_lock ? unfair_trylock(l, c, &s) : trylock(l))
		goto out;
	/* xchg_tail(): publish ourselves as the last waiter */
	old = __atomic_exchange_n(&l->tail, tail, __ATOMIC_ACQ_REL);
	if (old) {
		prev = &c->nodes[old - 1];
		__atomic_store_n(&prev->next, node, __ATOMIC_RELEASE);
		wait_node(c, node, prev, &s);
	}
	/* the head: wait for the owner to go */
	wait_head_or_lock(l, c, &s);
	/* we hold the lock byte; leave the queue, or hand the head on */
	if (l->tail == tail) {
		uint32_t v = l->val;

		if ((v >> 16) == tail &&
		    cmpxchg32(&l->val, v, v & 0xffffu) == v)
			goto out;
	}
	while (!(next = node->next))
		__asm__ volatile("pause");
	next->locked = 1;
	if (c->pv_lock)
		kick_node(l, next);
out:
	c->wait_cycles += guest_rdtsc() - t0;
}

/* queued_spin_lock() */
void gq_lock(struct gq_lock *l, struct gq_cpu *c)
{
	guest_kernel_enter(c->pv);
	if (cmpxchg32(&l->val, 0, GQ_LOCKED_VAL) == 0)
		return;
	slowpath(l, c);
}

/* queued_spin_unlock(); PV: __pv_queued_spin_unlock_slowpath kicks the
 * hashed head */
void gq_unlock(struct gq_lock *l, struct gq_cpu *c)
{
	if (cmpxchg8(&l->locked, GQ_LOCKED_VAL, 0) != GQ_LOCKED_VAL) {
		uint32_t h = l->hashed;

		l->hashed = 0;
		__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
		if (h)
			pv_kick(c, h - 1);
	}
	guest_kernel_exit(c->pv);
}
