// SPDX-License-Identifier: MIT
/*
 * A vCPU as the engine runs it: while its thread is on a host CPU the guest
 * thread it runs (gsched.c picks it) makes progress through its program in
 * segments (guest code, spinning, an interrupt handler, a guest context
 * switch, host time for an exit); each segment ends in an event.
 * Preemption stops the segment and keeps what is left. The guest kernel's
 * decisions come from src/guest/, the hypervisor's from src/kvm/.
 *
 * Costs the model charges (docs/model.md): `exit_cost` of host time for
 * each exit a real guest would take (IPI send without APICv, EOI without
 * APICv, PLE exit, hypercall, timer expiry); the handler times below.
 */
#include "guest/handlers.h"
#include "sim/engine.h"

#include <assert.h>
#include <errno.h>

#define TIMER_IRQ_NS GUEST_TIMER_IRQ_NS
#define IO_IRQ_NS GUEST_IO_IRQ_NS

static const struct kvm_knobs *knobs(const struct vsim *v)
{
	return v->kv->kvm->knobs;
}

static u64 exit_cost(const struct vsim *v)
{
	return vsim_sim(v)->cfg->host.exit_cost_ns;
}

/* The guest takes an exit KVM handles (an ICR or EOI write, a PAUSE
 * loop, a hypercall): host time before the next VM entry. */
void vsim_exit(struct vsim *v)
{
	v->exit_left += exit_cost(v);
	v->in_host = true;
}

/* The running guest is interrupted from outside (a kick IPI, the host
 * tick): an external-interrupt exit, unless it is in the host already. */
static void vsim_kick(struct vsim *v)
{
	if (v->cpu < 0 || v->in_host)
		return;
	v->exit_left += exit_cost(v);
	v->in_host = true;
	kvm_vcpu_external_interrupt_exit(v->kv);
}

/* VM entry: KVM's part (kvm_vcpu_enter_guest), and the hardware's: the
 * first PAUSE after an entry starts a new PAUSE loop. */
static void vsim_vm_entry(struct vsim *v)
{
	kvm_vcpu_enter_guest(v->kv);
	v->in_host = false;
	v->ple_spin = 0;
}

static enum vcpu_time seg_bucket(const struct vsim *v, enum seg seg)
{
	switch (seg) {
	case SEG_SPIN:
		return v->cur->ts == TS_IPI_WAIT ? VT_IPI_WAIT : VT_SPIN;
	case SEG_EXIT:
		return VT_EXIT;
	case SEG_POLL:
		return VT_POLL;
	default:
		return VT_WORK;
	}
}

/* Guest CPL for kvm_arch_vcpu_put(): user mode only while running user
 * code outside any lock or handler. */
static bool in_guest_kernel(const struct vsim *v, enum seg seg)
{
	const struct gthread *t = v->cur;

	if (seg != SEG_COMPUTE || v->in_handler || t->spin_held ||
	    t->held_mutex >= 0)
		return true;
	return t->prog->ops[t->pc].kernel;
}

static void seg_begin(struct vsim *v, enum seg seg, u64 len, u64 now)
{
	if (seg != SEG_EXIT && seg != SEG_POLL)
		v->kv->in_kernel = in_guest_kernel(v, seg);
	v->seg = seg;
	v->seg_start = now;
	v->gen++;
	vsim_account(v, now, seg_bucket(v, seg));
	if (len != NO_END)
		sim_post(vsim_sim(v), now + len, EV_VCPU, (u32)v->gid, v->gen);
}

/* Stop the current segment at @now, keeping its partial progress. */
static void seg_stop(struct vsim *v, u64 now)
{
	u64 el = now - v->seg_start;

	switch (v->seg) {
	case SEG_COMPUTE:
		v->cur->remaining -= min_t(u64, el, v->cur->remaining);
		break;
	case SEG_SPIN:
		v->cur->spin_run += el;
		v->ple_spin += el;
		v->ple_last_pause = now;
		break;
	case SEG_SWITCH:
		v->switch_left -= min_t(u64, el, v->switch_left);
		break;
	case SEG_IRQ:
		v->handler_left -= min_t(u64, el, v->handler_left);
		break;
	case SEG_EXIT:
		el = min_t(u64, el, v->exit_left);
		v->exit_left -= el;
		v->switch_in_left -= min_t(u64, el, v->switch_in_left);
		break;
	case SEG_POLL:
		v->poll_left -= min_t(u64, el, v->poll_left);
		v->poll_end = now;
		break;
	case SEG_NONE:
		break;
	}
	v->seg = SEG_NONE;
	v->gen++;
}

void vsim_notify(struct vsim *v, u64 now)
{
	if (v->cpu < 0)
		return;
	seg_stop(v, now);
	sim_post(vsim_sim(v), now, EV_VCPU, (u32)v->gid, v->gen);
}

void vsim_flow_to(struct vsim *from, struct vsim *to, enum trace_flow_kind kind,
		  u64 now)
{
	struct sim *sim = vsim_sim(from);
	const struct sim_trace_ops *tr = sim->trace;

	if (!tr || now < tr->window_start || now >= tr->window_end ||
	    from->cpu < 0 || to->flow_in)
		return;
	to->flow_in = ++sim->next_flow;
	tr->flow_begin(tr->ctx, to->flow_in, kind, from->cpu, now);
	/* a target on a CPU (running, or polling in a halt) takes it there */
	if (to->cpu >= 0) {
		tr->flow_end(tr->ctx, to->flow_in, to->cpu, now);
		to->flow_in = 0;
	}
}

/* Queue an interrupt for the guest on @t (a sender has one call-function
 * or TLB IPI outstanding at a time, a thread one I/O, and the reschedule
 * and timer interrupts are one each); memory running out ends the run. */
static void irq_queue(struct vsim *t, enum irq_kind kind, u8 vector, int from,
		      u64 cost)
{
	if (girq_ring_push(&t->irq, (struct girq){ .kind = kind,
						   .vector = vector,
						   .from = from,
						   .cost = cost }))
		vsim_sim(t)->failed = -ENOMEM;
}

static void irq_push(struct vsim *t, enum irq_kind kind, u8 vector, int from,
		     u64 cost, u64 now)
{
	irq_queue(t, kind, vector, from, cost);
	/* without posted interrupts a running guest is kicked out to have
	 * it injected (kvm_vcpu_kick); with APICv it is posted */
	if (!kvm_apicv_active(knobs(t)))
		vsim_kick(t);
	vsim_notify(t, now);
}

/* Send @kind to @n vCPUs of @v's VM as one fixed-mode IPI. */
void vsim_send_ipi(struct vsim *v, enum irq_kind kind, const int *dest, int n,
		   u64 cost, u64 now)
{
	struct vmsim *vm = v->vm;
	u8 vector;

	switch (kind) {
	case IRQ_TLB:
		/* smp_call_function_many_cond(): one target, a single IPI */
		vector = n == 1 ? CALL_FUNCTION_SINGLE_VECTOR :
				  CALL_FUNCTION_VECTOR;
		break;
	default:
		/* a call, or a wakeup of an idle vCPU: ttwu_queue_wakelist()
		 * queues the task there and sends a call-function IPI */
		vector = CALL_FUNCTION_SINGLE_VECTOR;
		break;
	}
	if (!kvm_ipiv_active(knobs(v)))
		vsim_exit(v); /* ICR write */
	kvm_irq_delivery_to_apic(v->kv, APIC_DM_FIXED, APIC_DEST_NOSHORT, dest,
				 n, vector, now);
	for (int i = 0; i < n; i++) {
		struct vsim *t = &vm->v[dest[i]];
		u64 lat = vsim_sim(v)->cfg->host.ipi_latency_ns;

		vsim_flow_to(v, t, FLOW_IPI, now);
		/* a receiver off its CPU takes it when it runs again (that
		 * wait is steal or a wakeup); one on a CPU after the
		 * delivery latency (posted interrupt, or kick and entry) */
		if (!lat || t->cpu < 0) {
			irq_push(t, kind, vector, v->idx, cost, now);
			continue;
		}
		if (girq_ring_push(&t->inflight,
				   (struct girq){ .kind = kind,
						  .vector = vector,
						  .from = v->idx,
						  .cost = cost }))
			vsim_sim(v)->failed = -ENOMEM;
		sim_post(vsim_sim(v), now + lat, EV_IPI, (u32)t->gid, 0);
	}
}

void vsim_ipi_arrive(struct vsim *v, u64 now)
{
	struct girq irq;

	if (!girq_ring_pop(&v->inflight, &irq))
		return;
	irq_push(v, irq.kind, irq.vector, irq.from, irq.cost, now);
}

/* The latency is the guest's notice of a posted interrupt: a vCPU that
 * leaves the guest (to halt, or scheduled out) finds every IPI sent to it
 * pending at once (kvm_vcpu_check_block sees the PIR). */
static void ipi_arrive_all(struct vsim *v)
{
	struct girq irq;

	while (girq_ring_pop(&v->inflight, &irq))
		irq_queue(v, irq.kind, irq.vector, irq.from, irq.cost);
}

/* The thread on @v is done with its step; a whole pass is one op. */
void vsim_advance(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	t->op_started = false;
	if (++t->pc < t->prog->nr_ops)
		return;
	t->pc = 0;
	if (now >= vsim_sim(v)->t0 && !t->prog->uncounted)
		v->ops++;
}

static int pick_target(struct vsim *v, u32 how)
{
	unsigned int n = v->vm->nr;

	if (how == TARGET_NEXT)
		return (int)((v->idx + 1) % n);
	return (int)((v->idx + 1 + prng_below(&v->rng, n - 1)) % n);
}

/* smp_call_function_single(wait): one target, through
 * send_call_func_single_ipi, which PV sched yield does not hook */
static void call_func(struct vsim *v, const struct gop *op, u64 now)
{
	int t = pick_target(v, op->arg);

	vsim_send_ipi(v, IRQ_CALL_FUNC, &t, 1, op->mean_ns, now);
	v->ipi_wait = 1;
	v->cur->ts = TS_IPI_WAIT;
}

/* After a multi-target call-function IPI to @ipi: the guest's PV sched
 * yield (kvm_smp_send_call_func_ipi) to the first busy, preempted one. */
static void call_func_pv_yield(struct vsim *v, const int *ipi, int n, u64 now)
{
	bool busy[KVM_MAX_VCPUS];
	int i;

	for (i = 0; i < n; i++)
		busy[i] = v->vm->v[ipi[i]].cur != NULL;
	i = kvm_smp_call_func_yield_target(&v->vm->kvm, ipi, busy, n);
	if (i < 0)
		return;
	vsim_exit(v);
	vsim_sim(v)->pv_yields++;
	kvm_hc_sched_yield(v->kv, v->vm->kvm.vcpus[ipi[i]].vcpu_id, now);
}

/*
 * flush_tlb_multi() from @v to @op->arg other vCPUs (0: all): the targets
 * are CPUs that may cache the mm, i.e. that run a thread (an idle CPU is in
 * lazy-TLB mode and is skipped, as native_flush_tlb_multi() skips lazy
 * CPUs), taken from a random start for fairness. Every thread of a VM is
 * one process's.
 */
static void tlb_shootdown(struct vsim *v, const struct gop *op, u64 now)
{
	struct vmsim *vm = v->vm;
	unsigned int want = op->arg ? op->arg : vm->nr - 1;
	unsigned int start = (unsigned int)prng_below(&v->rng, vm->nr);
	int targets[KVM_MAX_VCPUS], ipi[KVM_MAX_VCPUS];
	int n = 0, kept;

	for (unsigned int i = 0; i < vm->nr && n < (int)want; i++) {
		int t = (int)((start + i) % vm->nr);

		if (t != v->idx && vm->v[t].cur)
			targets[n++] = t;
	}
	kept = flush_tlb_multi(&vm->kvm, targets, n, ipi);
	if (!kept)
		return;
	if (vsim_guest(v))
		vsim_guest(v)->tlb_shootdowns++;
	vsim_send_ipi(v, IRQ_TLB, ipi, kept, op->mean_ns, now);
	v->ipi_wait = (unsigned int)kept;
	v->cur->ts = TS_IPI_WAIT;
	call_func_pv_yield(v, ipi, kept, now);
}

/* The thread on @v goes to sleep: it leaves the vCPU. */
void gthread_sleep(struct vsim *v)
{
	struct guest_metrics *g = vsim_guest(v);

	if (g)
		g->nvcsw++;
	v->cur->ts = TS_SLEEP;
	v->cur = NULL;
}

/* Execute the op at pc. true: go on deciding; false: a segment started. */
static bool step_op(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	const struct gop *op = &t->prog->ops[t->pc];
	struct vmsim *vm = v->vm;
	u32 skip;
	int w;

	switch (op->kind) {
	case GOP_COMPUTE:
		if (!t->op_started) {
			t->remaining = gop_draw(&t->rng, op);
			t->op_started = true;
		}
		if (!t->remaining) {
			vsim_advance(v, now);
			return true;
		}
		seg_begin(v, SEG_COMPUTE, t->remaining, now);
		return false;
	case GOP_SPIN_LOCK:
	case GOP_SPIN_UNLOCK:
	case GOP_READ_LOCK:
	case GOP_READ_UNLOCK:
	case GOP_WRITE_LOCK:
	case GOP_WRITE_UNLOCK:
	case GOP_BIT_LOCK:
	case GOP_BIT_UNLOCK:
	case GOP_MUTEX_LOCK:
	case GOP_MUTEX_UNLOCK:
		return glock_step(v, op, now);
	case GOP_CALL_FUNC:
		vsim_advance(v, now);
		if (vm->nr > 1)
			call_func(v, op, now);
		return true;
	case GOP_TLB_SHOOTDOWN:
		vsim_advance(v, now);
		if (vm->nr > 1)
			tlb_shootdown(v, op, now);
		return true;
	case GOP_SLEEP:
		vsim_advance(v, now);
		sim_post(vsim_sim(v), now + gop_draw(&t->rng, op), EV_IO, (u32)t->gid, 0);
		gthread_sleep(v);
		return true;
	case GOP_SEM_POST:
		vsim_advance(v, now);
		w = sem_up(&vm->sems[op->obj]);
		if (w >= 0)
			gsched_wake(v, &vm->threads[w], now);
		return true;
	case GOP_SEM_WAIT:
		vsim_advance(v, now);
		if (!sem_down(&vm->sems[op->obj], t->idx))
			gthread_sleep(v);
		return true;
	case GOP_ONE_IN:
		/* one draw per pass: the guarded steps run with probability
		 * 1/N, else the pass goes on after them */
		skip = 0;
		if (op->arg > 1 && prng_below(&t->rng, op->arg))
			skip = op->obj;
		vsim_advance(v, now);
		while (skip--)
			vsim_advance(v, now);
		return true;
	case GOP_BARRIER:
		vsim_advance(v, now);
		if (barrier_arrive(&vm->barriers[op->obj], t->idx)) {
			while ((w = gfifo_pop(
					&vm->barriers[op->obj].waiters)) >= 0)
				gsched_wake(v, &vm->threads[w], now);
		} else {
			gthread_sleep(v);
		}
		return true;
	}
	return true;
}

/* The halt blocks (kvm_vcpu_block): the vCPU thread sleeps until a wake.
 * false if a kick already arrived, which ends the halt instead. */
static bool halt_block(struct vsim *v, u64 now)
{
	struct sim *sim = vsim_sim(v);

	if (kvm_vcpu_block(v->kv) == -EAGAIN) {
		kvm_vcpu_halt_end(v->kv, now, now, false);
		return false;
	}
	vsim_account(v, now, VT_HALTED);
	sched_block(&sim->s, v->task, now);
	return true;
}

bool vsim_irqs_off(const struct vsim *v)
{
	const struct gthread *t = v->cur;

	if (v->switch_left)
		return true;
	if (!t)
		return false;
	/* in an irqsave section, or in a step run with interrupts off */
	return t->irqs_off ||
	       (t->ts == TS_OP && t->op_started &&
		t->prog->ops[t->pc].irqoff);
}

/* kvm_vcpu_check_block() for a halted vCPU: an interrupt it can take
 * (pv_wait halts with interrupts off inside spin_lock_irqsave) or a kick
 * ends the halt. */
static bool halt_wake_pending(const struct vsim *v)
{
	return (v->irq.len > 0 && !vsim_irqs_off(v)) || v->kv->pv_unhalted;
}

/* HLT (or pv_wait's halt), through kvm_vcpu_halt(): true if the vCPU now
 * polls or blocks, false if a kick already pending ends it at once. */
bool vsim_halt(struct vsim *v, u64 now)
{
	u64 poll;

	if (v->kv->pv_unhalted) {
		v->kv->pv_unhalted = false; /* consumed by this halt */
		return false;
	}
	ipi_arrive_all(v);
	if (halt_wake_pending(v))
		return false;
	if (v->cur && v->cur->held_mutex >= 0)
		glock_mutex_owner_changed(v->vm, (u32)v->cur->held_mutex, now);
	vsim_exit(v); /* the HLT exit and the entry after the halt */
	poll = kvm_vcpu_halt_begin(v->kv, now);
	if (poll) {
		v->polling = true;
		v->poll_left = poll;
		seg_begin(v, SEG_POLL, poll, now);
		return true;
	}
	v->poll_end = now;
	return halt_block(v, now);
}

/* The poll stopped at @now (an event, the end of the window): a wake
 * event ends the halt without blocking (true: go on); else it polls on
 * while it may, or blocks (false). */
static bool poll_stopped(struct vsim *v, u64 now)
{
	const struct rq *rq = cpu_rq(&vsim_sim(v)->s, v->cpu);

	ipi_arrive_all(v);
	if (halt_wake_pending(v)) {
		v->polling = false;
		kvm_vcpu_halt_end(v->kv, now, now, false);
		return true;
	}
	if (v->poll_left && rq->nr_running == 1 && !rq->need_resched) {
		seg_begin(v, SEG_POLL, v->poll_left, now);
		return false;
	}
	v->polling = false;
	return !halt_block(v, now);
}

void vsim_poll_abort(struct vsim *v, u64 now)
{
	seg_stop(v, now);
	v->polling = false;
	ipi_arrive_all(v);
	if (halt_wake_pending(v)) {
		/* the event came at the same instant: the halt is over */
		kvm_vcpu_halt_end(v->kv, now, now, false);
		sim_post(vsim_sim(v), now, EV_VCPU, (u32)v->gid, v->gen);
		return;
	}
	if (!halt_block(v, now))
		sim_post(vsim_sim(v), now, EV_VCPU, (u32)v->gid, v->gen);
}

/* The vCPU's PLE window in ns. */
static u64 ple_window_ns(const struct vsim *v)
{
	return sim_cycles_to_ns(vsim_sim(v), v->kv->ple_window);
}

/* Spin until something changes, a PLE exit, or @limit ns more. */
void vsim_spin(struct vsim *v, u64 limit, u64 now)
{
	u64 len = limit;

	if (knobs(v)->ple_gap) {
		u64 window = ple_window_ns(v);

		/* PAUSEs further apart than ple_gap cycles: a new loop */
		if (now - v->ple_last_pause > vsim_sim(v)->ple_gap_ns)
			v->ple_spin = 0;

		len = min_t(u64, len,
			    window > v->ple_spin ? window - v->ple_spin : 0);
	}
	seg_begin(v, SEG_SPIN, len, now);
}

/* /proc/interrupts of the guest: a call-function IPI counts in CAL, a
 * TLB flush also in TLB; a wakeup is a call-function IPI too (the
 * wakelist of ttwu_queue_wakelist(): its targets are idle). The guest
 * scheduler sends no reschedule IPI (RES): a wakeup onto a busy vCPU
 * waits for its next switch (gsched_wake). */
static void irq_count(struct vsim *v, const struct girq *irq)
{
	struct guest_metrics *g = vsim_guest(v);

	if (!g)
		return;
	switch (irq->kind) {
	case IRQ_TLB:
		g->ipi_tlb++;
		g->ipi_cal++;
		break;
	case IRQ_CALL_FUNC:
	case IRQ_RESCHED:
		g->ipi_cal++;
		break;
	case IRQ_TIMER:
	case IRQ_IO:
		break;
	}
}

static void irq_complete(struct vsim *v, u64 now)
{
	struct girq *irq = &v->handling;

	v->in_handler = false;
	irq_count(v, irq);
	switch (irq->kind) {
	case IRQ_CALL_FUNC:
	case IRQ_TLB: {
		struct vsim *s = &v->vm->v[irq->from];

		if (s->ipi_wait && --s->ipi_wait == 0)
			vsim_notify(s, now);
		break;
	}
	case IRQ_RESCHED:
		v->irq_resched_pending = false;
		break;
	case IRQ_TIMER:
		v->irq_timer_pending = false;
		gsched_tick(v, now);
		break;
	case IRQ_IO:
		break;
	}
	kvm_apic_eoi(v->kv, irq->vector, now);
	if (!kvm_apicv_active(knobs(v)))
		vsim_exit(v); /* EOI write */
}

/* What the thread on @v does next. true: go on deciding; false: a
 * segment started or the vCPU blocked. */
static bool thread_run(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	switch (t->ts) {
	case TS_OP:
		if (t->contended) {
			/* contention_end: it holds the lock now */
			t->contended = false;
			if (vsim_guest(v) && t->contended_since >= vsim_sim(v)->t0)
				vsim_guest(v)->contention_ns +=
					now - t->contended_since;
		}
		if (gsched_preempt(v, now))
			return true;
		return step_op(v, now);
	case TS_SPIN_LOCK:
	case TS_STEAL:
	case TS_PV_WAIT:
	case TS_RW_SPIN:
	case TS_BIT_SPIN:
	case TS_MUTEX_SPIN:
		return glock_wait(v, now);
	case TS_IPI_WAIT:
		if (!v->ipi_wait) {
			t->ts = TS_OP;
			return true;
		}
		vsim_spin(v, NO_END, now);
		return false;
	case TS_SLEEP:
		break; /* a sleeping thread is never current */
	}
	return true;
}

/* Decide what the vCPU does next, from @now, while it is on a CPU. */
static void vsim_run(struct vsim *v, u64 now)
{
	for (int guard = 0; guard < 64; guard++) {
		if (v->cpu < 0)
			return;
		if (v->exit_left) {
			seg_begin(v, SEG_EXIT, v->exit_left, now);
			return;
		}
		if (v->in_host)
			vsim_vm_entry(v);
		if (v->in_handler) {
			seg_begin(v, SEG_IRQ, v->handler_left, now);
			return;
		}
		/* schedule() switches threads with interrupts off */
		if (v->switch_left) {
			seg_begin(v, SEG_SWITCH, v->switch_left, now);
			return;
		}
		if (v->irq.len && !vsim_irqs_off(v)) {
			girq_ring_pop(&v->irq, &v->handling);
			v->in_handler = true;
			v->handler_left = v->handling.cost ? v->handling.cost :
							     1;
			continue;
		}
		if (!v->cur && !gsched_pick(v, now)) {
			/* idle: HLT until an interrupt */
			if (vsim_halt(v, now))
				return;
			continue;
		}
		if (v->switch_left)
			continue;
		if (!thread_run(v, now))
			return;
	}
	/* many zero-time steps in a row: go on at the same time, later */
	seg_stop(v, now);
	sim_post(vsim_sim(v), now, EV_VCPU, (u32)v->gid, v->gen);
}

/* A PAUSE-loop exit: handle_pause() may yield this CPU to another vCPU. */
static void ple_exit(struct vsim *v, u64 now)
{
	u64 before = v->kv->stat.directed_yield_successful;

	v->ple_spin = 0;
	vsim_exit(v);
	handle_pause(v->kv, now);
	if (v->kv->stat.directed_yield_successful != before)
		vsim_flow_to(v, &v->vm->v[v->kv->yielded_to], FLOW_YIELD, now);
}

void vsim_event(struct vsim *v, u64 now)
{
	enum seg seg = v->seg;
	u64 window;

	if (v->cpu < 0)
		return;
	seg_stop(v, now);
	/* the poll ran out or something woke it (vsim_notify) */
	if (v->polling) {
		if (!poll_stopped(v, now))
			return;
		vsim_run(v, now);
		return;
	}
	switch (seg) {
	case SEG_COMPUTE:
		if (!v->cur->remaining)
			vsim_advance(v, now);
		break;
	case SEG_SPIN:
		if (!knobs(v)->ple_gap)
			break;
		window = ple_window_ns(v);
		if (v->ple_spin >= window)
			ple_exit(v, now);
		break;
	case SEG_IRQ:
		if (!v->handler_left)
			irq_complete(v, now);
		break;
	case SEG_POLL:
	case SEG_EXIT:
	case SEG_SWITCH:
	case SEG_NONE:
		break;
	}
	vsim_run(v, now);
}

void vsim_switch_in(struct vsim *v, int cpu, u64 cost, u64 now)
{
	struct sim *sim = vsim_sim(v);
	const struct sim_trace_ops *tr = sim->trace;

	/* the wait ends: closed before the run slice starts, so the trace
	 * labels the slice by what the vCPU did on the CPU only */
	vsim_account(v, now, VT_WORK);
	v->cpu = cpu;
	v->run_start = now;
	for (int i = 0; i < VT_NR; i++)
		v->slice_t[i] = 0;
	kvm_sched_in(v->kv);
	/* woken from a blocked halt: kvm_vcpu_halt() returns */
	if (v->kv->in_halt)
		kvm_vcpu_halt_end(v->kv, v->poll_end, now, true);
	/* back in vcpu_run: the next VM entry comes after the switch and
	 * any exit handling left over (vsim_run) */
	v->in_host = true;
	v->exit_left += cost;
	v->switch_in_left = cost;
	if (v->flow_in) {
		if (tr && now >= tr->window_start && now < tr->window_end)
			tr->flow_end(tr->ctx, v->flow_in, cpu, now);
		v->flow_in = 0;
	}
	vsim_run(v, now);
}

void vsim_switch_out(struct vsim *v, u64 now)
{
	struct sim *sim = vsim_sim(v);
	const struct sim_trace_ops *tr = sim->trace;
	int cpu = v->cpu;

	seg_stop(v, now);
	ipi_arrive_all(v);
	/* a switch is the CPU's work: switched out again before it was
	 * done, the thread owes none of it (it would pile up over a storm
	 * of switches and starve it) */
	v->exit_left -= v->switch_in_left;
	v->switch_in_left = 0;
	/* preempted in guest mode: the host interrupt that brought the
	 * scheduler in made it exit at an instruction boundary */
	if (!v->in_host) {
		v->in_host = true;
		kvm_vcpu_external_interrupt_exit(v->kv);
	}
	vsim_account(v, now,
		     v->task->state == TASK_RUNNING ? VT_STEAL : VT_HALTED);
	if (now > sim->t0)
		v->cpu_ns += now - max_t(u64, v->run_start, sim->t0);
	v->cpu = -1;
	kvm_sched_out(v->kv);
	if (tr && now > tr->window_start && v->run_start < tr->window_end) {
		int best = VT_WORK;

		for (int i = 0; i < VT_NR; i++)
			if (v->slice_t[i] > v->slice_t[best])
				best = i;
		tr->run_slice(tr->ctx, cpu, v->name,
			      max_t(u64, v->run_start, tr->window_start),
			      min_t(u64, now, tr->window_end),
			      vcpu_time_names[best]);
	}
	if (v->cur && v->cur->held_mutex >= 0 && knobs(v)->pv_steal_time)
		glock_mutex_owner_changed(v->vm, (u32)v->cur->held_mutex, now);
}

void vsim_guest_tick(struct vsim *v, u64 now)
{
	/* a halted (polling) vCPU has no guest tick: NOHZ idle */
	if (v->irq_timer_pending || v->polling)
		return;
	v->irq_timer_pending = true;
	kvm_apic_accept_irq(v->kv, APIC_DM_FIXED, now);
	vsim_kick(v); /* the host tick's interrupt: timer expiry exit */
	irq_push(v, IRQ_TIMER, LOCAL_TIMER_VECTOR, -1, TIMER_IRQ_NS, now);
}

/*
 * The device completion of @t's I/O: its interrupt is taken on the vCPU
 * the woken thread is placed on (the guest's wake-affine placement), whose
 * handler makes the thread runnable there.
 */
void gthread_io_done(struct gthread *t, u64 now)
{
	struct vsim *v;

	gsched_wake(NULL, t, now);
	v = gthread_vcpu(t);
	kvm_apic_accept_irq(v->kv, APIC_DM_FIXED, now);
	irq_push(v, IRQ_IO, DEVICE_MSI_VECTOR, -1, IO_IRQ_NS, now);
}

