// SPDX-License-Identifier: MIT
/*
 * The oracle's knowledge (MODEL.md 7): whom a spinning vCPU actually
 * waits for. No kernel can know it (the host does not see guest locks);
 * the engine does, and the oracle policy (kvm_knobs::oracle_yield) uses it
 * to yield straight there, which bounds what any directed-yield heuristic
 * can win.
 *
 * A waiting thread waits for a chain of threads: a queued spinlock waiter
 * for the owner and then every waiter queued ahead of it; a PV stealer
 * for the owner (or, with the lock free, the head spinning for it); a
 * rwlock reader for the writer, a writer for the readers; a bit spinlock
 * or mutex spinner for the owner; an IPI sender for every receiver whose
 * handler has not run. The first of them that is not making progress
 * stands in the way: if it is current on a vCPU that is off its host
 * CPU, that vCPU is the answer; if its vCPU runs but the thread waits
 * itself, its own chain is followed (up to ORACLE_DEPTH links); if it is
 * not current on any vCPU (asleep, or queued in the guest), nothing a
 * host yield can do helps (KVM_AWAIT_UNKNOWN). When every one of them
 * runs and makes progress, the wait ends by itself (KVM_AWAIT_RUNS).
 */
#include "sim/engine.h"

#define ORACLE_DEPTH 8

static int awaited_thread(const struct gthread *t, int depth);

/* Where a waiter on @x must yield: @x's vCPU if @x is current there and
 * the vCPU is off its CPU; @x's own chain if it runs and waits. */
static int blocker(const struct gthread *x, int depth)
{
	const struct vsim *v = gthread_vcpu(x);

	if (v->cur != x)
		return KVM_AWAIT_UNKNOWN;
	if (v->cpu < 0)
		return v->idx;
	if (x->ts == TS_OP)
		return KVM_AWAIT_RUNS;
	return awaited_thread(x, depth + 1);
}

/* The owner of @l, then each waiter queued ahead of @me. */
static int awaited_spinlock(const struct vmsim *vm, const struct qspinlock *l,
			    int me, int depth)
{
	const struct gfifo *q = &l->waiters;
	int r;

	if (l->owner >= 0) {
		r = blocker(&vm->threads[l->owner], depth);
		if (r != KVM_AWAIT_RUNS)
			return r;
	}
	for (int w = gfifo_head(q); w >= 0; w = gfifo_next(q, w)) {
		if (w == me)
			break;
		r = blocker(&vm->threads[w], depth);
		if (r != KVM_AWAIT_RUNS)
			return r;
	}
	return KVM_AWAIT_RUNS;
}

/* A PV stealer waits for the owner; with the lock free and a head
 * spinning for it (pending), for the head. */
static int awaited_steal(const struct vmsim *vm, const struct qspinlock *l,
			 int depth)
{
	if (l->owner >= 0)
		return blocker(&vm->threads[l->owner], depth);
	if (l->pending && queued_spin_head(l) >= 0)
		return blocker(&vm->threads[queued_spin_head(l)], depth);
	return KVM_AWAIT_RUNS;
}

/* Holding a rwlock's wait_lock, a reader waits for the writer, a writer
 * for the threads reading it. */
static int awaited_rwlock(const struct vmsim *vm, const struct gthread *t,
			  int depth)
{
	const struct qrwlock *rw = &vm->rwlocks[t->rw_obj];
	int r;

	if (rw->writer >= 0)
		return blocker(&vm->threads[rw->writer], depth);
	for (unsigned int i = 0; i < vm->desc.nr_threads; i++) {
		if (vm->threads[i].rd_lock != (int)t->rw_obj)
			continue;
		r = blocker(&vm->threads[i], depth);
		if (r != KVM_AWAIT_RUNS)
			return r;
	}
	return KVM_AWAIT_RUNS;
}

static bool owes(const struct girq *q, int from)
{
	return q->from == from &&
	       (q->kind == IRQ_CALL_FUNC || q->kind == IRQ_TLB);
}

/* Does vCPU @w still owe a call-function or TLB handler to vCPU @from? */
static bool owes_handler(const struct vsim *w, int from)
{
	if (w->in_handler && owes(&w->handling, from))
		return true;
	for (unsigned int i = 0; i < w->irq.len; i++)
		if (owes(girq_ring_at(&w->irq, i), from))
			return true;
	for (unsigned int i = 0; i < w->inflight.len; i++)
		if (owes(girq_ring_at(&w->inflight, i), from))
			return true;
	return false;
}

/* The receivers of @v's IPIs whose handlers have not run. */
static int awaited_ipi(const struct vsim *v, int depth)
{
	const struct vmsim *vm = v->vm;
	int r;

	for (unsigned int i = 0; i < vm->nr; i++) {
		const struct vsim *w = &vm->v[i];

		if (w == v || !owes_handler(w, v->idx))
			continue;
		if (w->cpu < 0)
			return w->idx;
		/* on its CPU it answers as soon as its thread lets it */
		if (w->cur && w->cur->ts != TS_OP) {
			r = awaited_thread(w->cur, depth + 1);
			if (r != KVM_AWAIT_RUNS)
				return r;
		}
	}
	return KVM_AWAIT_RUNS;
}

/* The vCPU index thread @t, if it waits, should have the CPU yielded to;
 * KVM_AWAIT_RUNS or KVM_AWAIT_UNKNOWN. */
static int awaited_thread(const struct gthread *t, int depth)
{
	const struct vmsim *vm = t->vm;
	int owner;

	if (depth > ORACLE_DEPTH)
		return KVM_AWAIT_UNKNOWN;
	switch (t->ts) {
	case TS_SPIN_LOCK:
	case TS_PV_WAIT:
		return awaited_spinlock(vm, &vm->locks[t->wait_obj], t->idx,
					depth);
	case TS_STEAL:
		return awaited_steal(vm, &vm->locks[t->wait_obj], depth);
	case TS_RW_SPIN:
		return awaited_rwlock(vm, t, depth);
	case TS_BIT_SPIN:
		owner = vm->bitlocks[t->wait_obj].owner;
		return owner < 0 ? KVM_AWAIT_RUNS :
				   blocker(&vm->threads[owner], depth);
	case TS_MUTEX_SPIN:
		owner = vm->mutexes[t->wait_obj].owner;
		return owner < 0 ? KVM_AWAIT_RUNS :
				   blocker(&vm->threads[owner], depth);
	case TS_IPI_WAIT:
		return awaited_ipi(gthread_vcpu(t), depth);
	case TS_OP:
	case TS_SLEEP:
		break;
	}
	return KVM_AWAIT_UNKNOWN;
}

int sim_awaited_vcpu(const struct kvm_vcpu *me, void *ctx)
{
	const struct vmsim *vm = ctx;
	const struct vsim *v = &vm->v[me->vcpu_idx];

	if (!v->cur)
		return KVM_AWAIT_UNKNOWN;
	return awaited_thread(v->cur, 0);
}
