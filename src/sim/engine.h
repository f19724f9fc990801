/* SPDX-License-Identifier: MIT */
/*
 * The engine's own state: host CPUs, host noise tasks, VMs with their
 * vCPUs and guest threads. Internal to src/sim/.
 */
#ifndef OVERSUB_SIM_ENGINE_H
#define OVERSUB_SIM_ENGINE_H

#include "core/prng.h"
#include "guest/guest.h"
#include "kvm/kvm.h"
#include "sched/sched.h"
#include "sim/eventq.h"
#include "sim/sim.h"

#define SIM_SHARED_PROGS 64

enum ev_kind {
	EV_END,
	EV_TICK, /* host tick on every CPU */
	EV_VCPU, /* vCPU who: its current segment ended / re-evaluate */
	EV_IO, /* vCPU who: its I/O completed */
	EV_IPI, /* vCPU who: the oldest IPI in flight to it arrives */
	EV_HOG, /* hog who: its run ended */
	EV_HOG_WAKE, /* hog who: its sleep ended */
	EV_MARK, /* end of the warm-up: snapshot the host counters */
};

/* What a guest thread is doing. */
enum tstate {
	TS_OP, /* at prog->ops[pc] */
	TS_SPIN_LOCK, /* queued on a spinlock, spinning */
	TS_STEAL, /* PV: looping in the unfair trylock (not queued) */
	TS_PV_WAIT, /* queued on a spinlock, halted in pv_wait() */
	TS_RW_SPIN, /* holding a rwlock's wait_lock, spinning on its count */
	TS_BIT_SPIN, /* spinning on a bit spinlock */
	TS_MUTEX_SPIN, /* optimistic spinning on a mutex owner */
	TS_IPI_WAIT, /* spinning until its IPIs' handlers ran */
	TS_SLEEP, /* asleep (mutex, semaphore, barrier, I/O): off its vCPU */
};

/* What a vCPU on a host CPU is busy with until its next event. */
enum seg {
	SEG_NONE,
	SEG_COMPUTE, /* guest code */
	SEG_SPIN, /* spinning (lock, mutex, IPI wait) */
	SEG_IRQ, /* an interrupt handler */
	SEG_EXIT, /* in the host: exit handling */
	SEG_SWITCH, /* guest context switch (schedule(), switch_mm) */
	SEG_POLL, /* halted, polling in the host (kvm_vcpu_halt) */
};

enum irq_kind {
	IRQ_CALL_FUNC, /* call-function IPI; from = sender */
	IRQ_TLB, /* TLB shootdown IPI; from = sender */
	IRQ_RESCHED, /* reschedule IPI: a guest wakeup */
	IRQ_TIMER, /* guest timer */
	IRQ_IO, /* device completion */
};

struct girq {
	enum irq_kind kind;
	u8 vector; /* the guest's vector, for the EOI */
	int from;
	u64 cost;
};

/*
 * A FIFO of interrupts that grows as needed (doubling), so a vCPU's
 * queues take memory for the interrupts it actually has pending, not for
 * the worst case (one per sender of a VM of thousands of vCPUs).
 */
struct girq_ring {
	struct girq *slot;
	unsigned int head, len, cap;
};

/* The @i-th oldest entry (i < len). */
static inline struct girq *girq_ring_at(const struct girq_ring *r,
					unsigned int i)
{
	return &r->slot[(r->head + i) % r->cap];
}

/* Append @x: 0, or -ENOMEM (nothing changed) when it cannot grow. */
int girq_ring_push(struct girq_ring *r, struct girq x);

/* Remove the oldest into @out; false if empty. */
static inline bool girq_ring_pop(struct girq_ring *r, struct girq *out)
{
	if (!r->len)
		return false;
	*out = r->slot[r->head];
	r->head = (r->head + 1) % r->cap;
	r->len--;
	return true;
}

struct vmsim;

/* A guest thread: its program and where it is in it. */
struct gthread {
	struct vmsim *vm;
	int idx; /* in its VM */
	int gid; /* across the host: EV_IO events name it */
	int vcpu; /* the vCPU it runs or is queued on, or last ran on */
	const struct gprog *prog;
	struct prng rng;
	unsigned int pc;
	enum tstate ts;
	bool op_started;
	bool granted; /* a lock was handed to it */
	u64 remaining; /* of the current compute step */
	u64 spin_run; /* ns spun on the current spinlock (PV threshold) */
	u64 since; /* when it last became current (guest slice) */
	int held_mutex;
	unsigned int spin_held; /* spinning locks held: in the guest kernel */
	unsigned int irqs_off; /* local_irq_save() nesting: no interrupts */
	u32 wait_obj; /* the lock it waits for */
	bool head_loop; /* PV queue head in its pv_wait_head_or_lock loop */
	bool pv_halted; /* TS_PV_WAIT: the halt began */
	int rw_op; /* rwlock slowpath under way (glock.c), 0: none */
	u32 rw_obj; /* its rwlock */
	int rd_lock; /* the rwlock it holds for read, -1: none */
	bool contended; /* in a lock slowpath (counted) since: */
	u64 contended_since;
};

struct vsim {
	struct vmsim *vm;
	int idx; /* in its VM */
	int gid; /* across the host */
	struct kvm_vcpu *kv;
	struct task *task;
	u64 *mask; /* allowed CPUs when pinned */
	struct prng rng;
	char name[96];

	/* guest scheduler (gsched.c) */
	struct gthread *cur; /* NULL: idle */
	struct gfifo rq; /* runnable threads waiting for this vCPU */
	bool need_resched; /* the guest tick found the slice used up */
	u64 switch_left; /* of the context switch being run */
	unsigned int ipi_wait; /* handlers still to run for cur's IPIs */

	/* pending guest interrupts (at most one per sender, thread, and 2) */
	struct girq_ring irq;
	/* IPIs sent to it while on a CPU, not yet arrived (ipi_latency) */
	struct girq_ring inflight;
	bool irq_resched_pending, irq_timer_pending;
	u64 handler_left; /* of the handler being run */
	struct girq handling;
	bool in_handler;
	u64 exit_left; /* host time still owed for exits */
	/* of exit_left, the host context switch that brought it in (paid
	 * first): the CPU's cost, dropped if it is switched out before */
	u64 switch_in_left;

	/* host side */
	int cpu; /* host CPU it is on, -1 when not running */
	enum seg seg;
	u64 seg_start;
	u64 gen; /* current generation of its EV_VCPU events */
	bool in_host; /* out of the guest: the next run starts with an entry */
	u64 ple_spin; /* ns spun in this PAUSE loop (since the last PLE
		       * exit, VM entry, or a gap of more than ple_gap) */
	u64 ple_last_pause; /* when it last stopped spinning */
	bool polling; /* halted, polling in kvm_vcpu_halt() */
	u64 poll_left; /* of the halt-polling window */
	u64 poll_end; /* when the last halt stopped polling */
	u64 run_start;
	u64 slice_t[VT_NR]; /* this run slice, for the trace state */

	/* accounting */
	enum vcpu_time bucket;
	u64 bucket_since;
	u64 t[VT_NR];
	bool bucket_user; /* the open VT_WORK interval is guest user mode */
	u64 user_ns;
	u64 ops;
	u64 cpu_ns;
	u64 flow_in; /* flow id to close when it next runs, 0: none */
};

struct vmsim {
	const struct vm_config *cfg;
	struct guest_metrics guest; /* counted after the warm-up */
	char name[80];
	struct task_group *tg;
	struct kvm kvm;
	struct task *tasks;
	struct vsim *v;
	unsigned int nr;
	struct gthread *threads; /* [desc.nr_threads] */
	struct guest_vm_desc desc;
	struct qspinlock *locks; /* spinlocks, then the rwlocks' wait_locks */
	struct qrwlock *rwlocks;
	struct gbitlock *bitlocks;
	struct gmutex *mutexes;
	struct gsem *sems;
	struct gbarrier *barriers;
	/* the links of its threads' queues (core/fifo.h): one kind for the
	 * wait queues of all its locks, semaphores and barriers, one for the
	 * vCPUs' run queues */
	int *wait_links, *rq_links;
};

/* A host task: a [host] noise task, or one of a [task NAME] section. */
struct hog {
	struct task task;
	const struct task_config *cfg; /* NULL: noise */
	unsigned int nr; /* its index in the section */
	u64 run_ns, sleep_ns; /* one run; 0: never sleeps */
	bool yield; /* sched_yield() after each run */
	u64 *mask; /* allowed CPUs when pinned */
	u64 remaining;
	u64 seg_start;
	u64 switch_in_left; /* of the switch that brought it in */
	u64 gen;
	int cpu, last_cpu;
	u64 woken_at; /* its wakeup's time, while it waits to run */
	struct task_metrics m; /* after the warm-up */
};

struct sim {
	const struct sim_config *cfg;
	const struct sim_trace_ops *trace;
	struct sched s;
	struct task_group *machine;
	struct vmsim *vms;
	unsigned int nr_vms;
	struct vsim **vcpus; /* by gid */
	unsigned int nr_vcpus;
	struct gthread **threads; /* by gid */
	unsigned int nr_threads;
	/* distinct thread programs, shared by equal ones (setup.c) */
	const struct gprog *shared_progs[SIM_SHARED_PROGS];
	unsigned int nr_shared_progs;
	struct hog *hogs;
	unsigned int nr_hogs;
	struct eventq q;
	u64 now;
	u64 t0; /* end of warm-up: measuring starts */
	u64 t_end;
	u64 events;
	u64 next_flow;
	u64 pv_yields;
	struct host_metrics base; /* host counters at the end of warm-up */
	u64 pv_spin_ns; /* PV_SPIN_THRESHOLD spins of a PV waiter */
	u64 pv_check_ns; /* PV_PREV_CHECK_SPINS spins */
	u64 ple_gap_ns; /* ple_gap cycles */
	int mask_words;
	bool check;
	const struct task **last_curr; /* [cpus], for the debug checks */
	u64 *last_vruntime;
	char *err;
	size_t errlen;
	int failed; /* first error (-ENOMEM) seen inside the run */
};

/* setup.c */
int sim_setup(struct sim *sim, const struct sim_config *cfg);
void sim_teardown(struct sim *sim);
int sim_collect(struct sim *sim, struct sim_metrics *out);
void sim_host_counters(const struct sim *sim, struct host_metrics *h);

/* run.c */
void sim_post(struct sim *sim, u64 t, enum ev_kind kind, u32 who, u64 gen);
void sim_reschedule_cpus(struct sim *sim);
u64 sim_cycles_to_ns(const struct sim *sim, u64 cycles);
void vsim_account(struct vsim *v, u64 now, enum vcpu_time bucket);

/* vcpu.c */
/* @v's thread runs on @cpu from @now, after @cost of host time (the
 * switch, or the wakeup from idle) */
void vsim_switch_in(struct vsim *v, int cpu, u64 cost, u64 now);
void vsim_switch_out(struct vsim *v, u64 now);
void vsim_event(struct vsim *v, u64 now);
void vsim_notify(struct vsim *v, u64 now);
void vsim_guest_tick(struct vsim *v, u64 now);
/* Its CPU got another task or a reschedule: a polling vCPU stops polling
 * (kvm_vcpu_can_poll fails) and blocks. */
void vsim_poll_abort(struct vsim *v, u64 now);
void gthread_io_done(struct gthread *t, u64 now);
void vsim_send_ipi(struct vsim *v, enum irq_kind kind, const int *dest, int n,
		   u64 cost, u64 now);
/* EV_IPI: the oldest IPI in flight to @v reaches its guest. */
void vsim_ipi_arrive(struct vsim *v, u64 now);

/* gsched.c: the guest scheduler */
/* The guest thread that has become runnable goes to a vCPU's queue. */
void gsched_wake(struct vsim *waker, struct gthread *t, u64 now);
/* Pick the next thread for an idle @v; false if its queue is empty. */
bool gsched_pick(struct vsim *v, u64 now);
/* The guest tick: ask for a switch if @v's thread used its slice. */
void gsched_tick(struct vsim *v, u64 now);
/* At a preemption point: put a thread that used its slice back. */
bool gsched_preempt(struct vsim *v, u64 now);
/* Is thread @t on a CPU in the guest's view (task_struct::on_cpu)? */
bool gsched_on_cpu(const struct gthread *t);

/* vcpu.c, for glock.c: the thread on @v is done with its step; spin
 * until something changes, a PLE exit or @limit ns; halt (true: the vCPU
 * polls or blocks); take an exit; leave the vCPU to sleep */
#define NO_END UINT64_MAX
void vsim_advance(struct vsim *v, u64 now);
void vsim_spin(struct vsim *v, u64 limit, u64 now);
bool vsim_halt(struct vsim *v, u64 now);
void vsim_exit(struct vsim *v);
void gthread_sleep(struct vsim *v);
/* Interrupts off on @v: its thread is in an irqsave section, or the guest
 * is switching threads. */
bool vsim_irqs_off(const struct vsim *v);

/* glock.c: the lock steps (GOP_SPIN_LOCK ... GOP_MUTEX_UNLOCK) and the
 * lock waits (TS_SPIN_LOCK ... TS_MUTEX_SPIN) of the thread on @v; true:
 * go on deciding, false: a segment started */
bool glock_step(struct vsim *v, const struct gop *op, u64 now);
bool glock_wait(struct vsim *v, u64 now);
/* The owner of mutex @obj slept or was preempted: its spinners look. */
void glock_mutex_owner_changed(struct vmsim *vm, u32 obj, u64 now);

/* oracle.c: kvm_awaited_fn of a VM (@ctx: its struct vmsim) */
int sim_awaited_vcpu(const struct kvm_vcpu *me, void *ctx);

/* Record, for the trace, a flow that ends where @to next runs. */
void vsim_flow_to(struct vsim *from, struct vsim *to, enum trace_flow_kind kind,
		  u64 now);

/* The vCPU thread @t runs or is queued on. */
static inline struct vsim *gthread_vcpu(const struct gthread *t)
{
	return &t->vm->v[t->vcpu];
}

static inline struct sim *vsim_sim(const struct vsim *v)
{
	return container_of(v->kv->kvm->sched, struct sim, s);
}

/* The guest counters of @v's VM, or NULL during the warm-up. */
static inline struct guest_metrics *vsim_guest(const struct vsim *v)
{
	const struct sim *sim = vsim_sim(v);

	return sim->now >= sim->t0 ? &v->vm->guest : NULL;
}

static inline struct vsim *task_vsim(struct sim *sim, const struct task *p)
{
	return p->id >= 0 ? sim->vcpus[p->id] : NULL;
}

static inline struct hog *task_hog(struct sim *sim, struct task *p)
{
	return p->id < 0 ? &sim->hogs[-p->id - 1] : NULL;
}

#endif
