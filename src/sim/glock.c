// SPDX-License-Identifier: MIT
/*
 * Guest locks as the engine runs them: the lock and unlock steps of a
 * thread's program and the waits they lead to, for queued spinlocks
 * (native: hand-over to the queue head; PV: pv_wait/pv_kick, the head's
 * pending spin and arrivals stealing the lock), queued rwlocks (wait_lock,
 * then a spin on the count that never halts), bit spinlocks (a race for
 * the bit) and mutexes with optimistic spinning. What each lock decides is
 * src/guest/'s; here is when, who is told, and what the vCPU does in the
 * meantime (spin, halt, sleep). Waiters are told of a change by
 * vsim_notify(), which makes their vCPU look again at once.
 */
#include "sim/engine.h"

#include <assert.h>

enum rw_op {
	RW_NONE,
	RW_READ, /* queued_read_lock_slowpath */
	RW_WRITE, /* queued_write_lock_slowpath */
};

static bool pv(const struct vsim *v)
{
	return v->kv->kvm->knobs->pv_unhalt;
}

static void thread_notify(const struct vmsim *vm, int t, u64 now)
{
	vsim_notify(gthread_vcpu(&vm->threads[t]), now);
}

/* Tell every thread in @q to look again. */
static void fifo_notify(const struct vmsim *vm, const struct gfifo *q, u64 now)
{
	for (int w = gfifo_head(q); w >= 0; w = gfifo_next(q, w))
		thread_notify(vm, w, now);
}

/* trace_contention_begin(): the thread on @v enters a lock's slowpath;
 * the wait ends when it goes on with its program (thread_run) */
static void contention_begin(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	if (t->contended)
		return;
	t->contended = true;
	t->contended_since = now;
	if (vsim_guest(v))
		vsim_guest(v)->contentions++;
}

/* ---- mutexes ---------------------------------------------------------- */

void glock_mutex_owner_changed(struct vmsim *vm, u32 obj, u64 now)
{
	fifo_notify(vm, &vm->mutexes[obj].spinners, now);
}

static bool mutex_lock_step(struct vsim *v, u32 obj, u64 now)
{
	struct vmsim *vm = v->vm;
	struct gthread *t = v->cur;
	struct gmutex *m = &vm->mutexes[obj];
	struct gthread *o;

	if (mutex_trylock(m, t->idx)) {
		t->held_mutex = (int)obj;
		return true;
	}
	contention_begin(v, now);
	t->wait_obj = obj;
	o = &vm->threads[m->owner];
	if (mutex_can_spin_on_owner(gthread_vcpu(o)->kv, gsched_on_cpu(o))) {
		gfifo_push(&m->spinners, t->idx);
		t->ts = TS_MUTEX_SPIN;
	} else {
		gfifo_push(&m->sleepers, t->idx);
		gthread_sleep(v);
	}
	return true;
}

static void mutex_unlock_step(struct vsim *v, u32 obj, u64 now)
{
	struct vmsim *vm = v->vm;
	bool sleeper;
	int w;

	v->cur->held_mutex = -1;
	w = mutex_unlock(&vm->mutexes[obj], &sleeper);
	if (w < 0)
		return;
	vm->threads[w].held_mutex = (int)obj;
	if (sleeper) {
		gsched_wake(v, &vm->threads[w], now);
	} else {
		vm->threads[w].granted = true;
		thread_notify(vm, w, now);
	}
}

/* TS_MUTEX_SPIN: mutex_spin_on_owner() */
static bool mutex_spin(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct gmutex *m = &v->vm->mutexes[t->wait_obj];
	struct gthread *o;

	if (t->granted) {
		t->granted = false;
		t->ts = TS_OP;
		return true;
	}
	o = &v->vm->threads[m->owner];
	if (!mutex_can_spin_on_owner(gthread_vcpu(o)->kv, gsched_on_cpu(o))) {
		gfifo_remove(&m->spinners, t->idx);
		gfifo_push(&m->sleepers, t->idx);
		gthread_sleep(v);
		return true;
	}
	vsim_spin(v, NO_END, now);
	return false;
}

/* ---- queued spinlocks ------------------------------------------------- */

static bool rw_continue(struct vsim *v, u64 now);

/* The thread on @v holds spinlock @obj now: it goes on with its program,
 * or, if the lock is a rwlock's wait_lock, with the rwlock's slowpath. */
static bool spin_lock_acquired(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	t->head_loop = false;
	if (t->rw_op != RW_NONE)
		return rw_continue(v, now);
	t->ts = TS_OP;
	return true;
}

/* A PV queue head took lock @obj and left the queue: the next waiter is
 * the head now. A halted one is hashed for the unlock to kick
 * (pv_kick_node); a spinning one is told, to spin for the lock itself.
 * With nobody left queued, the stealers leave their loop for the queue. */
static void pv_head_left(struct vmsim *vm, struct qspinlock *l, u64 now)
{
	int h = queued_spin_head(l);

	if (h < 0) {
		fifo_notify(vm, &l->stealers, now);
		return;
	}
	if (vm->threads[h].ts == TS_PV_WAIT) /* vcpu_halted */
		pv_kick_node(l);
	else
		thread_notify(vm, h, now);
}

/* The PV unlock kicks halted head @n (pv_kick: KVM_HC_KICK_CPU). */
static void pv_kick(struct vsim *v, struct gthread *n, u64 now)
{
	struct vsim *nv = gthread_vcpu(n);

	vsim_exit(v); /* the hypercall */
	vsim_flow_to(v, nv, FLOW_KICK, now);
	kvm_hc_kick_cpu(v->kv, nv->kv->vcpu_id, now);
	vsim_notify(nv, now); /* a polling head sees pv_unhalted */
}

/* The thread on @v starts to take spinlock @obj. */
static bool spin_lock_begin(struct vsim *v, u32 obj, u64 now)
{
	struct gthread *t = v->cur;
	struct qspinlock *l = &v->vm->locks[obj];

	t->wait_obj = obj;
	t->spin_run = 0;
	t->head_loop = false;
	switch (queued_spin_lock(l, t->idx, pv(v))) {
	case QSPIN_LOCKED:
		return spin_lock_acquired(v, now);
	case QSPIN_QUEUED:
		t->ts = TS_SPIN_LOCK;
		contention_begin(v, now);
		break;
	case QSPIN_STEALING:
		t->ts = TS_STEAL;
		contention_begin(v, now);
		break;
	}
	return true;
}

/* Release spinlock @obj: native, it passes to the queue head; PV, it is
 * free, the halted head is kicked, a spinning head and the stealers race
 * for it. */
static void spin_unlock(struct vsim *v, u32 obj, u64 now)
{
	struct vmsim *vm = v->vm;
	struct qspinlock *l = &vm->locks[obj];
	int w = queued_spin_unlock(l, pv(v)), h;

	if (!pv(v)) {
		if (w >= 0) {
			vm->threads[w].granted = true;
			thread_notify(vm, w, now);
		}
		return;
	}
	if (w >= 0)
		pv_kick(v, &vm->threads[w], now);
	h = queued_spin_head(l);
	if (h >= 0 && h != w)
		thread_notify(vm, h, now);
	fifo_notify(vm, &l->stealers, now);
}

/*
 * The PV queue head (pv_wait_head_or_lock): sets pending and takes the
 * lock when free; after SPIN_THRESHOLD spins it clears pending, hashes
 * itself and halts until the unlock kicks it, then spins again.
 */
static bool pv_head_spin(struct vsim *v, struct qspinlock *l, u64 now)
{
	struct gthread *t = v->cur;
	u64 th = vsim_sim(v)->pv_spin_ns;
	bool was_pending = l->pending;

	if (!t->head_loop) {
		t->head_loop = true;
		t->spin_run = 0;
	}
	if (pv_wait_head_trylock(l, t->idx)) {
		pv_head_left(v->vm, l, now);
		return spin_lock_acquired(v, now);
	}
	if (!was_pending) /* a head spins: stealers queue instead */
		fifo_notify(v->vm, &l->stealers, now);
	if (t->spin_run < th) {
		vsim_spin(v, th - t->spin_run, now);
		return false;
	}
	if (pv_wait_head_halt(l, t->idx)) {
		pv_head_left(v->vm, l, now);
		return spin_lock_acquired(v, now);
	}
	/* pending is clear: arrivals may steal it now */
	t->ts = TS_PV_WAIT;
	return true;
}

/*
 * A PV waiter behind the head (pv_wait_node): spins up to
 * SPIN_THRESHOLD on its node, but waits early (pv_wait_early) once a
 * check, every PV_PREV_CHECK_SPINS spins, finds the waiter before it
 * halted (prev->state != vcpu_running).
 */
static bool pv_node_spin(struct vsim *v, struct qspinlock *l, u64 now)
{
	struct gthread *t = v->cur;
	const struct sim *sim = vsim_sim(v);
	u64 th = sim->pv_spin_ns, check = sim->pv_check_ns;
	int prev = queued_spin_prev(l, t->idx);

	if (t->spin_run >= th ||
	    (t->spin_run >= check && prev >= 0 &&
	     v->vm->threads[prev].ts == TS_PV_WAIT)) {
		t->ts = TS_PV_WAIT;
		return true;
	}
	vsim_spin(v,
		  min_t(u64, th - t->spin_run, check - t->spin_run % check),
		  now);
	return false;
}

/* TS_SPIN_LOCK: queued on spinlock wait_obj. */
static bool spin_lock_wait(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct qspinlock *l = &v->vm->locks[t->wait_obj];

	if (t->granted) {
		t->granted = false;
		return spin_lock_acquired(v, now);
	}
	if (!pv(v)) {
		vsim_spin(v, NO_END, now);
		return false;
	}
	if (queued_spin_head(l) == t->idx)
		return pv_head_spin(v, l, now);
	return pv_node_spin(v, l, now);
}

/* TS_STEAL: one more look of pv_hybrid_queued_unfair_trylock(). */
static bool spin_steal(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	switch (pv_hybrid_queued_unfair_trylock(&v->vm->locks[t->wait_obj],
						t->idx)) {
	case QSPIN_LOCKED:
		return spin_lock_acquired(v, now);
	case QSPIN_QUEUED:
		t->ts = TS_SPIN_LOCK;
		t->spin_run = 0;
		return true;
	case QSPIN_STEALING:
		break;
	}
	vsim_spin(v, NO_END, now);
	return false;
}

/* TS_PV_WAIT: halt in pv_wait(); once woken (a kick, or an interrupt)
 * the waiter spins again, as a new round of its loop. */
static bool pv_wait(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;

	if (!t->pv_halted) {
		t->pv_halted = true;
		if (vsim_halt(v, now))
			return false;
	}
	t->pv_halted = false;
	t->ts = TS_SPIN_LOCK;
	t->spin_run = 0;
	t->head_loop = false;
	return true;
}

/* ---- queued rwlocks --------------------------------------------------- */

/* The slowpath is done: release wait_lock, go on. */
static bool rw_done(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct qrwlock *rw = &v->vm->rwlocks[t->rw_obj];

	if (t->rw_op == RW_READ)
		t->rd_lock = (int)t->rw_obj;
	t->rw_op = RW_NONE;
	t->ts = TS_OP;
	spin_unlock(v, rw->wait_lock, now);
	return true;
}

/* wait_lock is held: count in (reader) or wait (writer), then spin on the
 * count (TS_RW_SPIN) until it may have the lock. */
static bool rw_continue(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct qrwlock *rw = &v->vm->rwlocks[t->rw_obj];

	if (t->rw_op == RW_READ) {
		queued_read_lock_queued(rw);
		if (queued_read_lock_ready(rw))
			return rw_done(v, now);
	} else if (queued_write_lock_queued(rw, t->idx)) {
		return rw_done(v, now);
	}
	t->ts = TS_RW_SPIN;
	return true;
}

/* TS_RW_SPIN: the spin on the count, holding wait_lock. */
static bool rw_spin(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct qrwlock *rw = &v->vm->rwlocks[t->rw_obj];

	if (t->rw_op == RW_READ ? queued_read_lock_ready(rw) :
				  queued_write_lock_ready(rw, t->idx))
		return rw_done(v, now);
	vsim_spin(v, NO_END, now);
	return false;
}

static bool rw_lock_step(struct vsim *v, u32 obj, enum rw_op op, u64 now)
{
	struct gthread *t = v->cur;
	struct qrwlock *rw = &v->vm->rwlocks[obj];

	if (op == RW_READ ? queued_read_trylock(rw) :
			    queued_write_trylock(rw, t->idx)) {
		if (op == RW_READ)
			t->rd_lock = (int)obj;
		return true;
	}
	contention_begin(v, now); /* the rwlock's, not its wait_lock's */
	t->rw_op = op;
	t->rw_obj = obj;
	return spin_lock_begin(v, rw->wait_lock, now);
}

/* A waiter spinning on the count, if any: wait_lock's holder. */
static void rw_count_changed(struct vsim *v, const struct qrwlock *rw,
			     u64 now)
{
	int o = v->vm->locks[rw->wait_lock].owner;

	if (o >= 0 && v->vm->threads[o].ts == TS_RW_SPIN)
		thread_notify(v->vm, o, now);
}

/* ---- bit spinlocks ---------------------------------------------------- */

/* TS_BIT_SPIN: bit_spin_lock()'s test_bit loop, then the race. */
static bool bit_spin(struct vsim *v, u64 now)
{
	struct gthread *t = v->cur;
	struct gbitlock *b = &v->vm->bitlocks[t->wait_obj];

	if (bit_spin_trylock(b, t->idx)) {
		gfifo_remove(&b->spinners, t->idx);
		t->ts = TS_OP;
		return true;
	}
	vsim_spin(v, NO_END, now);
	return false;
}

/* ---- the steps and the waits ------------------------------------------ */

bool glock_step(struct vsim *v, const struct gop *op, u64 now)
{
	struct vmsim *vm = v->vm;
	struct gthread *t = v->cur;

	vsim_advance(v, now);
	switch (op->kind) {
	case GOP_SPIN_LOCK:
		t->spin_held++;
		if (op->irqoff)
			t->irqs_off++; /* local_irq_save() first */
		return spin_lock_begin(v, op->obj, now);
	case GOP_SPIN_UNLOCK:
		t->spin_held--;
		spin_unlock(v, op->obj, now);
		if (op->irqoff && t->irqs_off)
			t->irqs_off--;
		return true;
	case GOP_READ_LOCK:
		t->spin_held++;
		return rw_lock_step(v, op->obj, RW_READ, now);
	case GOP_WRITE_LOCK:
		t->spin_held++;
		return rw_lock_step(v, op->obj, RW_WRITE, now);
	case GOP_READ_UNLOCK:
		t->spin_held--;
		t->rd_lock = -1;
		queued_read_unlock(&vm->rwlocks[op->obj]);
		if (!vm->rwlocks[op->obj].readers)
			rw_count_changed(v, &vm->rwlocks[op->obj], now);
		return true;
	case GOP_WRITE_UNLOCK:
		t->spin_held--;
		queued_write_unlock(&vm->rwlocks[op->obj]);
		rw_count_changed(v, &vm->rwlocks[op->obj], now);
		return true;
	case GOP_BIT_LOCK:
		t->spin_held++;
		if (!bit_spin_trylock(&vm->bitlocks[op->obj], t->idx)) {
			gfifo_push(&vm->bitlocks[op->obj].spinners, t->idx);
			t->wait_obj = op->obj;
			t->ts = TS_BIT_SPIN;
		}
		return true;
	case GOP_BIT_UNLOCK:
		t->spin_held--;
		bit_spin_unlock(&vm->bitlocks[op->obj]);
		fifo_notify(vm, &vm->bitlocks[op->obj].spinners, now);
		return true;
	case GOP_MUTEX_LOCK:
		return mutex_lock_step(v, op->obj, now);
	case GOP_MUTEX_UNLOCK:
		mutex_unlock_step(v, op->obj, now);
		return true;
	default:
		break;
	}
	assert(0 && "not a lock step");
	return true;
}

bool glock_wait(struct vsim *v, u64 now)
{
	switch (v->cur->ts) {
	case TS_SPIN_LOCK:
		return spin_lock_wait(v, now);
	case TS_STEAL:
		return spin_steal(v, now);
	case TS_PV_WAIT:
		return pv_wait(v, now);
	case TS_RW_SPIN:
		return rw_spin(v, now);
	case TS_BIT_SPIN:
		return bit_spin(v, now);
	case TS_MUTEX_SPIN:
		return mutex_spin(v, now);
	default:
		break;
	}
	assert(0 && "not a lock wait");
	return true;
}
