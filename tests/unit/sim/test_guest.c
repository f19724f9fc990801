// SPDX-License-Identifier: MIT
/* Guest kernel objects (src/guest/): MODEL.md section 5 and the guest
 * primitives of the simulator issue, one rule per test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "guest/guest.h"

/* A VM of 4 vCPUs without host tasks, for the guest-visible PV state. */
struct gfx {
	struct kvm_knobs k;
	struct kvm kvm;
};

static void gfx_init(struct gfx *g)
{
	kvm_knobs_default(&g->k);
	assert_int_equal(kvm_create(&g->kvm, NULL, &g->k, 4, NULL), 0);
}

/* The links of threads 0..7 in their wait queues, none queued: all the
 * queues of a test share them, as a VM's do (core/fifo.h). */
static int wait_links[8];

static int *links_reset(void)
{
	for (int i = 0; i < 8; i++)
		wait_links[i] = GFIFO_OUT;
	return wait_links;
}

static void lock_init(struct qspinlock *l)
{
	*l = (struct qspinlock){ .owner = -1 };
	gfifo_init(&l->waiters, links_reset());
	gfifo_init(&l->stealers, wait_links);
}

/* queued_spin_lock(): a free lock is taken at once; later comers queue. */
static void test_spin_lock_free_then_queue(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	assert_int_equal(queued_spin_lock(&l, 0, false), QSPIN_LOCKED);
	assert_int_equal(queued_spin_lock(&l, 1, false), QSPIN_QUEUED);
	assert_int_equal(queued_spin_lock(&l, 2, false), QSPIN_QUEUED);
	assert_int_equal(l.owner, 0);
	assert_int_equal(l.waiters.len, 2);
}

/* queued_spin_unlock(), native: MCS order, the lock passes to the queue
 * head (1 then 2), then is free (-1). */
static void test_spin_unlock_fifo_handover(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, false);
	queued_spin_lock(&l, 1, false);
	queued_spin_lock(&l, 2, false);
	assert_int_equal(queued_spin_unlock(&l, false), 1);
	assert_int_equal(queued_spin_unlock(&l, false), 2);
	assert_int_equal(queued_spin_unlock(&l, false), -1);
	assert_int_equal(l.owner, -1);
}

/* pv_wait_early() looks at the previous node: the head has none, the
 * second waiter's is the head. */
static void test_spin_prev_node(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, false);
	queued_spin_lock(&l, 3, false);
	queued_spin_lock(&l, 1, false);
	assert_int_equal(queued_spin_prev(&l, 3), -1);
	assert_int_equal(queued_spin_prev(&l, 1), 3);
}

/* MODEL.md 7, PV lock stealing (pv_hybrid_queued_unfair_trylock): 0 holds
 * the lock, 1 is queued as head but has not spun yet (pending clear): an
 * arrival (2) loops in the unfair trylock instead of queueing
 * (STEALING, in stealers); once the PV unlock frees the lock (and, the
 * head not hashed, kicks nobody: -1), 2's next look takes it ahead of the
 * head. */
static void test_pv_arrival_steals_while_head_not_spinning(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	assert_int_equal(queued_spin_lock(&l, 0, true), QSPIN_LOCKED);
	assert_int_equal(queued_spin_lock(&l, 1, true), QSPIN_QUEUED);
	assert_int_equal(queued_spin_lock(&l, 2, true), QSPIN_STEALING);
	assert_int_equal(l.stealers.len, 1);
	assert_int_equal(queued_spin_unlock(&l, true), -1);
	assert_int_equal(l.owner, -1);
	assert_int_equal(pv_hybrid_queued_unfair_trylock(&l, 2), QSPIN_LOCKED);
	assert_int_equal(l.owner, 2);
	assert_int_equal(l.stealers.len, 0);
	assert_int_equal(queued_spin_head(&l), 1);
}

/* MODEL.md 7: a head spinning for the lock (pv_wait_head_or_lock's
 * set_pending) sends arrivals to the queue (the unfair loop stops once
 * pending is set): 0 holds, 1 queued and spinning (trylock fails, pending
 * set), 2 queues behind it; a stealer already looping leaves for the
 * queue on its next look. */
static void test_pv_pending_head_sends_arrivals_to_queue(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, true);
	queued_spin_lock(&l, 1, true);
	assert_int_equal(queued_spin_lock(&l, 3, true), QSPIN_STEALING);
	assert_false(pv_wait_head_trylock(&l, 1));
	assert_true(l.pending);
	assert_int_equal(queued_spin_lock(&l, 2, true), QSPIN_QUEUED);
	assert_int_equal(pv_hybrid_queued_unfair_trylock(&l, 3), QSPIN_QUEUED);
	assert_int_equal(l.waiters.len, 3);
	assert_int_equal(queued_spin_prev(&l, 3), 2);
}

/* The PV unlock only unlocks: with the head spinning (pending), the lock
 * stays free until the head looks again (trylock_clear_pending), which
 * takes it, clears pending and leaves the queue to the next waiter. */
static void test_pv_spinning_head_takes_free_lock(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, true);
	queued_spin_lock(&l, 1, true);
	pv_wait_head_trylock(&l, 1);
	queued_spin_lock(&l, 2, true);
	assert_int_equal(queued_spin_unlock(&l, true), -1);
	assert_int_equal(l.owner, -1);
	assert_true(pv_wait_head_trylock(&l, 1));
	assert_int_equal(l.owner, 1);
	assert_false(l.pending);
	assert_int_equal(queued_spin_head(&l), 2);
}

/* The head gives up (clear_pending, pv_hash, xchg to _Q_SLOW_VAL): with
 * the lock held it will halt, and the unlock then kicks it (returns 1);
 * had the lock been free at that moment, the head owns it instead. */
static void test_pv_head_halt_then_kicked(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, true);
	queued_spin_lock(&l, 1, true);
	pv_wait_head_trylock(&l, 1);
	assert_false(pv_wait_head_halt(&l, 1));
	assert_false(l.pending);
	assert_true(l.slow);
	assert_int_equal(queued_spin_unlock(&l, true), 1);
	assert_false(l.slow);
	/* the lock is free when the head halts: it takes it */
	assert_true(pv_wait_head_halt(&l, 1));
	assert_int_equal(l.owner, 1);
	assert_int_equal(l.waiters.len, 0);
}

/* pv_kick_node(): a halted waiter that becomes head is hashed, not
 * kicked: the holder's unlock kicks it (returns the head, 2). */
static void test_pv_kick_node_defers_to_unlock(void **state)
{
	struct qspinlock l;

	(void)state;
	lock_init(&l);
	queued_spin_lock(&l, 0, true);
	queued_spin_lock(&l, 1, true);
	pv_wait_head_trylock(&l, 1); /* 1 spins: 2 queues behind it */
	assert_int_equal(queued_spin_lock(&l, 2, true), QSPIN_QUEUED);
	queued_spin_unlock(&l, true);
	assert_true(pv_wait_head_trylock(&l, 1)); /* 1 holds, 2 is head */
	pv_kick_node(&l);
	assert_int_equal(queued_spin_unlock(&l, true), 2);
}

/* MODEL.md 7, queued rwlocks (qrwlock.c): readers share it; a writer
 * needs the count at 0 (fast path refused with a reader in); in the
 * slowpath (holding wait_lock) it sets _QW_WAITING, which sends new
 * readers to the slowpath too; it takes the lock once the last reader
 * left. */
static void test_rwlock_writer_waits_for_readers(void **state)
{
	struct qrwlock rw = { .writer = -1 };

	(void)state;
	assert_true(queued_read_trylock(&rw));
	assert_true(queued_read_trylock(&rw));
	assert_false(queued_write_trylock(&rw, 5));
	assert_false(queued_write_lock_queued(&rw, 5));
	assert_true(rw.waiting);
	assert_false(queued_read_trylock(&rw));
	queued_read_unlock(&rw);
	assert_false(queued_write_lock_ready(&rw, 5));
	queued_read_unlock(&rw);
	assert_true(queued_write_lock_ready(&rw, 5));
	assert_int_equal(rw.writer, 5);
	assert_false(rw.waiting);
}

/* queued_read_lock_slowpath(): a reader holding wait_lock counts itself
 * in (a new writer's fast path fails) and goes on once no writer holds
 * the lock. */
static void test_rwlock_queued_reader_waits_for_writer(void **state)
{
	struct qrwlock rw = { .writer = -1 };

	(void)state;
	assert_true(queued_write_trylock(&rw, 1));
	assert_false(queued_read_trylock(&rw));
	queued_read_lock_queued(&rw);
	assert_false(queued_read_lock_ready(&rw));
	queued_write_unlock(&rw);
	assert_true(queued_read_lock_ready(&rw));
	assert_false(queued_write_trylock(&rw, 2));
	assert_int_equal(rw.readers, 1);
}

/* MODEL.md 7, bit spinlocks: test-and-set, no queue: whoever looks first
 * after the clear wins (3 before 1, who waited longer). */
static void test_bitlock_race(void **state)
{
	struct gbitlock b = { .owner = -1 };

	(void)state;
	assert_true(bit_spin_trylock(&b, 0));
	assert_false(bit_spin_trylock(&b, 1));
	bit_spin_unlock(&b);
	assert_true(bit_spin_trylock(&b, 3));
	assert_false(bit_spin_trylock(&b, 1));
	assert_int_equal(b.owner, 3);
}

/* MODEL.md 5 "mutex ... spinning stop spinning when the owner's vCPU is
 * preempted"; owner_on_cpu(): running owner, vCPU not preempted -> spin;
 * preempted byte set -> stop; owner asleep -> stop. */
static void test_mutex_spin_stops_on_preempted_owner(void **state)
{
	struct gfx g;
	struct kvm_vcpu *o;

	(void)state;
	gfx_init(&g);
	o = &g.kvm.vcpus[1];
	assert_true(mutex_can_spin_on_owner(o, true));
	o->st_preempted = KVM_VCPU_PREEMPTED;
	assert_false(mutex_can_spin_on_owner(o, true));
	o->st_preempted = 0;
	assert_false(mutex_can_spin_on_owner(o, false));
	kvm_destroy(&g.kvm);
}

/* MODEL.md 5: without steal time the guest cannot see the preemption and
 * keeps spinning on a preempted owner. */
static void test_mutex_spin_blind_without_steal_time(void **state)
{
	struct gfx g;

	(void)state;
	gfx_init(&g);
	g.k.pv_steal_time = false;
	g.kvm.vcpus[1].st_preempted = KVM_VCPU_PREEMPTED;
	assert_true(mutex_can_spin_on_owner(&g.kvm.vcpus[1], true));
	kvm_destroy(&g.kvm);
}

/* __mutex_unlock_slowpath() (simplified): a spinner is preferred to a
 * sleeper; the sleeper is reported so the caller wakes it. */
static void test_mutex_unlock_spinner_first(void **state)
{
	struct gmutex m = { .owner = -1 };
	bool sleeper;

	(void)state;
	gfifo_init(&m.spinners, links_reset());
	gfifo_init(&m.sleepers, wait_links);
	assert_true(mutex_trylock(&m, 0));
	assert_false(mutex_trylock(&m, 1));
	gfifo_push(&m.sleepers, 2);
	gfifo_push(&m.spinners, 3);
	assert_int_equal(mutex_unlock(&m, &sleeper), 3);
	assert_false(sleeper);
	assert_int_equal(mutex_unlock(&m, &sleeper), 2);
	assert_true(sleeper);
	assert_int_equal(mutex_unlock(&m, &sleeper), -1);
}

/* down()/up(): a banked unit is taken without sleeping; without one the
 * caller sleeps; up() wakes the first sleeper, else banks a unit. */
static void test_semaphore(void **state)
{
	struct gsem s = { .count = 1 };

	(void)state;
	gfifo_init(&s.waiters, links_reset());
	assert_true(sem_down(&s, 0));
	assert_false(sem_down(&s, 1));
	assert_false(sem_down(&s, 2));
	assert_int_equal(sem_up(&s), 1);
	assert_int_equal(sem_up(&s), 2);
	assert_int_equal(sem_up(&s), -1);
	assert_int_equal(s.count, 1);
}

/* A barrier of 3: the first two wait, the third opens it (generation 1)
 * and the two are woken in arrival order; then it is reusable. */
static void test_barrier(void **state)
{
	struct gbarrier b = { .parties = 3 };

	(void)state;
	gfifo_init(&b.waiters, links_reset());
	assert_false(barrier_arrive(&b, 2));
	assert_false(barrier_arrive(&b, 0));
	assert_true(barrier_arrive(&b, 1));
	assert_int_equal(b.generation, 1);
	assert_int_equal(gfifo_pop(&b.waiters), 2);
	assert_int_equal(gfifo_pop(&b.waiters), 0);
	assert_int_equal(gfifo_pop(&b.waiters), -1);
	assert_false(barrier_arrive(&b, 1));
}

/* MODEL.md 5 "PV TLB flush skips preempted vCPUs (sets a flush-on-entry
 * bit instead of sending an IPI)"; kvm_flush_tlb_multi(). Targets 1,2,3
 * with 2 preempted: IPIs to 1 and 3, vCPU 2's byte gains the flush bit. */
static void test_tlb_flush_skips_preempted(void **state)
{
	static const int targets[3] = { 1, 2, 3 };
	struct gfx g;
	int ipi[3];

	(void)state;
	gfx_init(&g);
	g.kvm.vcpus[2].st_preempted = KVM_VCPU_PREEMPTED;
	assert_int_equal(flush_tlb_multi(&g.kvm, targets, 3, ipi), 2);
	assert_int_equal(ipi[0], 1);
	assert_int_equal(ipi[1], 3);
	assert_int_equal(g.kvm.vcpus[2].st_preempted,
			 KVM_VCPU_PREEMPTED | KVM_VCPU_FLUSH_TLB);
	kvm_destroy(&g.kvm);
}

/* Without PV TLB flush every target gets the IPI. */
static void test_tlb_flush_native_ipis_all(void **state)
{
	static const int targets[3] = { 1, 2, 3 };
	struct gfx g;
	int ipi[3];

	(void)state;
	gfx_init(&g);
	g.k.pv_tlb_flush = false;
	g.kvm.vcpus[2].st_preempted = KVM_VCPU_PREEMPTED;
	assert_int_equal(flush_tlb_multi(&g.kvm, targets, 3, ipi), 3);
	kvm_destroy(&g.kvm);
}

/* The wait-queue FIFO keeps order across wrap-around and removal. */
/* MODEL.md 7, PV sched yield from kvm_smp_send_call_func_ipi(): after a
 * multi-target call-function IPI to vCPUs 1, 2, 3, where 2 is idle (in
 * the guest) and preempted and 3 is busy and preempted, the yield goes to
 * the first busy preempted target: 3 (index 2 in the mask). */
static void test_call_func_pv_yield_first_busy_preempted(void **state)
{
	static const int mask[3] = { 1, 2, 3 };
	static const bool busy[3] = { true, false, true };
	struct gfx g;

	(void)state;
	gfx_init(&g);
	g.kvm.vcpus[2].st_preempted = KVM_VCPU_PREEMPTED;
	g.kvm.vcpus[3].st_preempted = KVM_VCPU_PREEMPTED;
	assert_int_equal(kvm_smp_call_func_yield_target(&g.kvm, mask, busy, 3),
			 2);
	/* no preempted busy target: no hypercall */
	g.kvm.vcpus[3].st_preempted = 0;
	assert_int_equal(kvm_smp_call_func_yield_target(&g.kvm, mask, busy, 3),
			 -1);
	kvm_destroy(&g.kvm);
}

/* MODEL.md 7: only send_call_func_ipi is hooked, a single-target
 * call-function IPI (send_call_func_single_ipi) never yields; nor does
 * any without the PV sched yield feature. */
static void test_call_func_pv_yield_not_single_nor_without_feature(void **state)
{
	static const int mask[2] = { 1, 2 };
	static const bool busy[2] = { true, true };
	struct gfx g;

	(void)state;
	gfx_init(&g);
	g.kvm.vcpus[1].st_preempted = KVM_VCPU_PREEMPTED;
	assert_int_equal(kvm_smp_call_func_yield_target(&g.kvm, mask, busy, 1),
			 -1);
	assert_int_equal(kvm_smp_call_func_yield_target(&g.kvm, mask, busy, 2),
			 0);
	g.k.pv_sched_yield = false;
	assert_int_equal(kvm_smp_call_func_yield_target(&g.kvm, mask, busy, 2),
			 -1);
	kvm_destroy(&g.kvm);
}

/*
 * core/fifo.h: first in, first out; removal from the middle or the tail
 * keeps the others' order; a member out of one queue can join another of
 * the same links. Pushes 1, 2; pop -> 1; push 3, 4, 5; remove 4 (middle)
 * and 5 (tail) -> [2, 3]; push 5 -> [2, 3, 5]; pop 2, 3, 5, then empty.
 */
static void test_fifo(void **state)
{
	struct gfifo q, other;

	(void)state;
	gfifo_init(&q, links_reset());
	gfifo_init(&other, wait_links);
	gfifo_push(&q, 1);
	gfifo_push(&q, 2);
	assert_int_equal(gfifo_pop(&q), 1);
	gfifo_push(&other, 1); /* out of q: it may wait elsewhere */
	gfifo_push(&q, 3);
	gfifo_push(&q, 4);
	gfifo_push(&q, 5);
	assert_true(gfifo_remove(&q, 4));
	assert_true(gfifo_remove(&q, 5));
	assert_false(gfifo_remove(&q, 7));
	assert_int_equal(q.len, 2);
	gfifo_push(&q, 5);
	assert_int_equal(gfifo_head(&q), 2);
	assert_int_equal(gfifo_next(&q, 3), 5);
	assert_int_equal(gfifo_pop(&q), 2);
	assert_int_equal(gfifo_pop(&q), 3);
	assert_int_equal(gfifo_pop(&q), 5);
	assert_int_equal(gfifo_pop(&q), -1);
	assert_int_equal(gfifo_head(&q), -1);
	assert_int_equal(gfifo_pop(&other), 1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(wait_links[i], GFIFO_OUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spin_lock_free_then_queue),
		cmocka_unit_test(test_spin_unlock_fifo_handover),
		cmocka_unit_test(test_spin_prev_node),
		cmocka_unit_test(test_pv_arrival_steals_while_head_not_spinning),
		cmocka_unit_test(test_pv_pending_head_sends_arrivals_to_queue),
		cmocka_unit_test(test_pv_spinning_head_takes_free_lock),
		cmocka_unit_test(test_pv_head_halt_then_kicked),
		cmocka_unit_test(test_pv_kick_node_defers_to_unlock),
		cmocka_unit_test(test_rwlock_writer_waits_for_readers),
		cmocka_unit_test(test_rwlock_queued_reader_waits_for_writer),
		cmocka_unit_test(test_bitlock_race),
		cmocka_unit_test(test_mutex_spin_stops_on_preempted_owner),
		cmocka_unit_test(test_mutex_spin_blind_without_steal_time),
		cmocka_unit_test(test_mutex_unlock_spinner_first),
		cmocka_unit_test(test_semaphore),
		cmocka_unit_test(test_barrier),
		cmocka_unit_test(test_tlb_flush_skips_preempted),
		cmocka_unit_test(test_tlb_flush_native_ipis_all),
		cmocka_unit_test(test_call_func_pv_yield_first_busy_preempted),
		cmocka_unit_test(
			test_call_func_pv_yield_not_single_nor_without_feature),
		cmocka_unit_test(test_fifo),
	};
	return cmocka_run_group_tests_name("guest", tests, NULL, NULL);
}
