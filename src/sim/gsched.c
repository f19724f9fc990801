// SPDX-License-Identifier: MIT
/*
 * The guest kernel's scheduler, as the engine needs it when a workload runs
 * more threads than the VM has vCPUs (PARSEC dedup runs 3n + 2 for n).
 * Each vCPU runs one thread (vsim::cur) and keeps a FIFO of runnable
 * threads; a thread that sleeps leaves its vCPU, which runs the next one
 * or halts when none is left.
 *
 * Simplified against the guest's CFS/EEVDF (docs/model.md):
 * - Wakeup placement follows select_idle_sibling(): the previous vCPU if
 *   it is idle, else the first idle vCPU after it, else the previous one.
 *   There is no periodic or newly-idle balancing inside the guest.
 * - A woken thread queued behind a running one does not preempt it (no
 *   check_preempt_wakeup); the guest tick preempts a thread in user code
 *   after GUEST_SLICE_NS when others are queued, never one holding a lock
 *   or inside the guest kernel (PREEMPT_VOLUNTARY).
 * - Queues are FIFO (equal-weight threads, round robin).
 * - A switch costs GUEST_SWITCH_NS of guest kernel time.
 */
#include "sim/engine.h"

/* schedule() + context_switch() with switch_mm in a VM */
#define GUEST_SWITCH_NS 1500
/* the guest's base_slice: 0.75 ms x (1 + ilog2(min(vCPUs, 8))) */
#define GUEST_SLICE_NS (3 * NSEC_PER_MSEC)
#define RESCHED_IRQ_NS 500 /* scheduler_ipi(): wake the sleeper */

/* idle_cpu() in the guest's view: nothing running, nothing queued */
static bool vcpu_idle(const struct vsim *v)
{
	return !v->cur && !v->rq.len;
}

/* models select_idle_sibling() in kernel/sched/fair.c (simplified) */
static struct vsim *select_vcpu(const struct gthread *t)
{
	struct vmsim *vm = t->vm;

	for (unsigned int i = 0; i < vm->nr; i++) {
		struct vsim *v = &vm->v[(t->vcpu + i) % vm->nr];

		if (vcpu_idle(v))
			return v;
	}
	return gthread_vcpu(t);
}

/* models try_to_wake_up() -> ttwu_queue() in the guest; @waker is the
 * vCPU whose thread wakes @t, or NULL from a device interrupt */
void gsched_wake(struct vsim *waker, struct gthread *t, u64 now)
{
	struct vsim *to = select_vcpu(t);

	t->ts = TS_OP;
	t->vcpu = to->idx;
	gfifo_push(&to->rq, t->idx);
	if (to->cur || to->irq_resched_pending)
		return; /* busy: it runs the thread at its next switch */
	if (!waker)
		return; /* a device interrupt of the caller's wakes it */
	/* an idle vCPU is halted: a reschedule IPI wakes it */
	to->irq_resched_pending = true;
	vsim_send_ipi(waker, IRQ_RESCHED, &to->idx, 1, RESCHED_IRQ_NS, now);
}

/* models pick_next_task() + context_switch() in the guest */
bool gsched_pick(struct vsim *v, u64 now)
{
	int t = gfifo_pop(&v->rq);

	if (t < 0)
		return false;
	v->cur = &v->vm->threads[t];
	v->cur->since = now;
	v->need_resched = false;
	v->switch_left += GUEST_SWITCH_NS;
	return true;
}

/* models the slice check of the guest's scheduler_tick() */
void gsched_tick(struct vsim *v, u64 now)
{
	if (v->cur && v->rq.len && now - v->cur->since >= GUEST_SLICE_NS)
		v->need_resched = true;
}

/* models the user-mode preemption point on return from an interrupt */
bool gsched_preempt(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	if (!v->need_resched)
		return false;
	if (t->spin_held || t->held_mutex >= 0 || t->ts != TS_OP ||
	    (t->op_started && t->prog->ops[t->pc].kernel))
		return false; /* not preemptible here: at a later point */
	v->need_resched = false;
	if (!v->rq.len)
		return false;
	if (vsim_guest(v))
		vsim_guest(v)->nivcsw++;
	gfifo_push(&v->rq, t->idx);
	v->cur = NULL;
	return gsched_pick(v, now);
}

/* models task_struct::on_cpu as a guest reader sees it; a waiter halted
 * in pv_wait() counts as off the CPU */
bool gsched_on_cpu(const struct gthread *t)
{
	return gthread_vcpu(t)->cur == t && t->ts != TS_PV_WAIT;
}
