// SPDX-License-Identifier: MIT
/*
 * The oracle's knowledge (MODEL.md 7, "the oracle": the vCPU actually
 * awaited, the lock owner or the IPI receiver that has not answered),
 * sim_awaited_vcpu() of src/sim/oracle.c, on a hand-built VM of four
 * vCPUs, each running its own guest thread (vCPU i on host CPU i) unless a
 * test takes it off its CPU (cpu -1: preempted).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "sim/engine.h"

#define NV 4

struct ofx {
	struct vmsim vm;
	struct vsim v[NV];
	struct gthread th[NV];
	struct kvm_vcpu kv[NV];
	struct qspinlock lock;
	struct gmutex mutex;
	struct girq irq[NV][NV + 2];
	int links[NV]; /* the lock's wait queues' (core/fifo.h) */
};

static void ofx_init(struct ofx *f)
{
	memset(f, 0, sizeof(*f));
	f->vm.nr = NV;
	f->vm.v = f->v;
	f->vm.threads = f->th;
	f->vm.locks = &f->lock;
	f->vm.mutexes = &f->mutex;
	f->lock.owner = -1;
	f->mutex.owner = -1;
	for (int i = 0; i < NV; i++)
		f->links[i] = GFIFO_OUT;
	gfifo_init(&f->lock.waiters, f->links);
	gfifo_init(&f->lock.stealers, f->links);
	for (int i = 0; i < NV; i++) {
		f->kv[i].vcpu_idx = i;
		f->v[i] = (struct vsim){ .vm = &f->vm,
					 .idx = i,
					 .kv = &f->kv[i],
					 .cpu = i,
					 .cur = &f->th[i],
					 .irq = { .slot = f->irq[i],
						  .cap = NV + 2 } };
		f->th[i] = (struct gthread){ .vm = &f->vm,
					     .idx = i,
					     .vcpu = i,
					     .ts = TS_OP,
					     .held_mutex = -1 };
	}
}

static int awaited(struct ofx *f, int me)
{
	return sim_awaited_vcpu(&f->kv[me], &f->vm);
}

/* Thread @t queues on the spinlock and spins. */
static void spin_on_lock(struct ofx *f, int t)
{
	assert_int_equal(queued_spin_lock(&f->lock, t, false), QSPIN_QUEUED);
	f->th[t].ts = TS_SPIN_LOCK;
	f->th[t].wait_obj = 0;
}

/* Thread 1 holds the spinlock, its vCPU is preempted; thread 0 spins on
 * it: vCPU 0 awaits vCPU 1. */
static void test_awaits_preempted_lock_owner(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	assert_int_equal(queued_spin_lock(&f.lock, 1, false), QSPIN_LOCKED);
	f.v[1].cpu = -1;
	spin_on_lock(&f, 0);

	assert_int_equal(awaited(&f, 0), 1);
}

/* The owner (thread 1) runs; thread 2, queued ahead of thread 0, is on a
 * preempted vCPU: the lock will pass to it first, so vCPU 0 awaits vCPU
 * 2; thread 3, queued behind 0, does not count. */
static void test_awaits_preempted_waiter_ahead(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	assert_int_equal(queued_spin_lock(&f.lock, 1, false), QSPIN_LOCKED);
	spin_on_lock(&f, 2);
	spin_on_lock(&f, 0);
	spin_on_lock(&f, 3);
	f.v[2].cpu = -1;
	f.v[3].cpu = -1;

	assert_int_equal(awaited(&f, 0), 2);
}

/* Everyone in the way runs and makes progress: the wait ends by itself
 * (KVM_AWAIT_RUNS). */
static void test_awaits_nobody_when_all_run(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	assert_int_equal(queued_spin_lock(&f.lock, 1, false), QSPIN_LOCKED);
	spin_on_lock(&f, 2);
	spin_on_lock(&f, 0);

	assert_int_equal(awaited(&f, 0), KVM_AWAIT_RUNS);
}

/* The chain is followed: the spinlock's owner (thread 1) runs but spins
 * on a mutex whose owner (thread 3) is on a preempted vCPU: vCPU 0
 * awaits vCPU 3. */
static void test_awaits_through_a_waiting_owner(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	assert_int_equal(queued_spin_lock(&f.lock, 1, false), QSPIN_LOCKED);
	spin_on_lock(&f, 0);
	assert_true(mutex_trylock(&f.mutex, 3));
	f.th[1].ts = TS_MUTEX_SPIN;
	f.th[1].wait_obj = 0;
	f.v[3].cpu = -1;

	assert_int_equal(awaited(&f, 0), 3);
}

/* A mutex owner that is not current on any vCPU (it slept): no host
 * yield helps (KVM_AWAIT_UNKNOWN). */
static void test_awaits_nobody_for_a_sleeping_owner(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	assert_true(mutex_trylock(&f.mutex, 1));
	f.th[1].ts = TS_SLEEP;
	f.v[1].cur = NULL;
	f.v[1].cpu = -1;
	f.th[0].ts = TS_MUTEX_SPIN;
	f.th[0].wait_obj = 0;

	assert_int_equal(awaited(&f, 0), KVM_AWAIT_UNKNOWN);
}

/* An IPI sender waits for the receivers whose handler has not run: vCPU
 * 2 holds vCPU 0's call-function IPI queued and is preempted (vCPU 3 has
 * an unrelated timer interrupt): vCPU 0 awaits vCPU 2. Once vCPU 2 runs
 * the handler's IPI is still queued but vCPU 2 makes progress: the wait
 * ends by itself (KVM_AWAIT_RUNS). */
static void test_awaits_unanswered_ipi_receiver(void **state)
{
	struct ofx f;

	(void)state;
	ofx_init(&f);
	f.th[0].ts = TS_IPI_WAIT;
	f.v[2].irq.slot[0] = (struct girq){ .kind = IRQ_CALL_FUNC, .from = 0 };
	f.v[2].irq.len = 1;
	f.v[2].cpu = -1;
	f.v[3].irq.slot[0] = (struct girq){ .kind = IRQ_TIMER, .from = -1 };
	f.v[3].irq.len = 1;
	f.v[3].cpu = -1;

	assert_int_equal(awaited(&f, 0), 2);
	f.v[2].cpu = 2;
	assert_int_equal(awaited(&f, 0), KVM_AWAIT_RUNS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_awaits_preempted_lock_owner),
		cmocka_unit_test(test_awaits_preempted_waiter_ahead),
		cmocka_unit_test(test_awaits_nobody_when_all_run),
		cmocka_unit_test(test_awaits_through_a_waiting_owner),
		cmocka_unit_test(test_awaits_nobody_for_a_sleeping_owner),
		cmocka_unit_test(test_awaits_unanswered_ipi_receiver),
	};

	return cmocka_run_group_tests_name("sim_oracle", tests, NULL, NULL);
}
