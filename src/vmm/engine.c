// SPDX-License-Identifier: MIT
/*
 * The KVM engine's workers (engine.h): each runs the vCPU its runqueue's
 * schedule() picks, handles its exits with src/kvm under the engine lock,
 * and switches vCPUs with kvm_sched_out()/kvm_sched_in() as the kernel's
 * preempt notifiers do (MODEL.md 2). The PV area in guest memory mirrors
 * the model's steal-time state (preempted byte, steal) after every change.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/engine.h"
#include "vmm/internal.h"

#define ENGINE_SIGNAL SIGUSR1

/* local APIC registers (xAPIC page offsets) the engine serves */
#define APIC_REG_EOI 0x0b0
#define APIC_REG_ICR_LOW 0x300
#define APIC_REG_ICR_HIGH 0x310

u64 vmm_engine_now(const struct vmm_engine *e)
{
	return vmm_mono_ns() - e->t0;
}

/* @v moves to @w at @now: the interval it leaves is accounted */
static void where_to(struct vmm_evcpu *v, enum vmm_where w, u64 now)
{
	v->t[v->where] += now - v->since;
	v->where = w;
	v->since = now;
}

void vmm_evcpu_times(const struct vmm_evcpu *v, u64 now,
		     u64 t[VMM_WHERE_NR])
{
	for (int i = 0; i < VMM_WHERE_NR; i++)
		t[i] = v->t[i];
	if (now > v->since)
		t[v->where] += now - v->since;
}

static struct vmm_evcpu *task_evcpu(struct task *p)
{
	struct kvm_vcpu *kv = p->owner;
	struct vmm_evm *evm = (struct vmm_evm *)((char *)kv->kvm -
						 offsetof(struct vmm_evm, kvm));

	return &evm->v[kv->vcpu_idx];
}

/* a worker reschedules: out of KVM_RUN by a signal, or off its wait */
static void worker_wake(struct vmm_worker *w)
{
	if (!w->started)
		return;
	if (w->in_guest)
		pthread_kill(w->th, ENGINE_SIGNAL);
	else
		pthread_cond_signal(&w->cv);
}

/* the CPUs the policy core asked to reschedule: their workers look */
static void flush_resched(struct vmm_engine *e)
{
	int cpu;

	while ((cpu = sched_pop_resched(&e->s)) >= 0)
		worker_wake(&e->w[cpu]);
}

static void engine_stop(struct vmm_engine *e)
{
	if (!e->stop)
		e->t_end = vmm_engine_now(e);
	e->stop = true;
	for (unsigned int i = 0; i < e->p.nr_cpus; i++)
		worker_wake(&e->w[i]);
}

/* the model's steal-time state into the guest's PV area */
static void pv_mirror(struct vmm_evcpu *v)
{
	v->pv->preempted = v->kv->st_preempted;
	v->pv->steal_ns = v->t[VMM_READY];
	v->pv->ple_window = v->kv->ple_window;
}

static void vcpu_done(struct vmm_evcpu *v, u64 now)
{
	struct vmm_engine *e = v->e;

	if (!v->done) {
		v->done = true;
		if (--e->nr_live == 0)
			engine_stop(e);
	}
	if (v->task->state == TASK_RUNNING &&
	    task_on_cpu(task_rq(&e->s, v->task), v->task))
		sched_block(&e->s, v->task, now);
}

/* @evm ends on a fault: its vCPUs are done; the one running elsewhere
 * stops at its next exit, the queued ones when they are picked */
static void vm_dead(struct vmm_evm *evm, u64 now)
{
	struct vmm_engine *e = evm->v[0].e;

	evm->dead = true;
	snprintf(evm->err, sizeof(evm->err), "%s", evm->vm->err);
	for (int i = 0; i < evm->vm->nr_vcpus; i++) {
		struct vmm_evcpu *v = &evm->v[i];

		if (v->done)
			continue;
		v->done = true;
		if (--e->nr_live == 0)
			engine_stop(e);
		if (task_on_cpu(cpu_rq(&e->s, v->task->cpu), v->task))
			worker_wake(&e->w[v->task->cpu]);
		else
			where_to(v, VMM_DONE, now);
	}
}

static void switch_out(struct vmm_evcpu *v, u64 now)
{
	kvm_sched_out(v->kv);
	vmm_irqchip_put(&v->evm->chip, v->vcpu->idx);
	where_to(v, v->done ? VMM_DONE :
		    v->task->state == TASK_RUNNING ? VMM_READY : VMM_HALTED,
		 now);
	pv_mirror(v);
}

static void switch_in(struct vmm_evcpu *v, u64 now)
{
	kvm_sched_in(v->kv);
	vmm_irqchip_load(&v->evm->chip, v->vcpu->idx);
	where_to(v, VMM_HOST, now);
	/* woken from a blocked halt: kvm_vcpu_halt() returns */
	if (v->kv->in_halt)
		kvm_vcpu_halt_end(v->kv, now, now, true);
}

/* vectors accepted for @v and not handled yet: in the engine's IRR, or
 * in the guest's pending bitmap (taken by the entry points) */
static bool irq_pending(const struct vmm_evcpu *v)
{
	const volatile u64 *g = vmm_vcpu_irr(v->vcpu);

	for (int w = 0; w < 4; w++)
		if (v->irr[w] || g[w])
			return true;
	/* KVM's LAPIC: what it has requested and not yet injected */
	return v->evm->vm->kernel_irqchip &&
	       vmm_vcpu_lapic_pending(v->vcpu) > 0;
}

/* With KVM's LAPIC the engine sees no IPI: at each tick it looks at the
 * halted vCPUs' LAPICs and wakes those with a vector requested
 * (kvm_vcpu_wake_up), as a real host's LAPIC would kick them at once */
static void kernel_irqchip_wakeups(struct vmm_engine *e, u64 now)
{
	for (int k = 0; k < e->nr_vms; k++) {
		struct vmm_evm *evm = &e->vms[k];

		if (!evm->vm->kernel_irqchip || evm->dead)
			continue;
		for (int i = 0; i < evm->vm->nr_vcpus; i++) {
			struct vmm_evcpu *v = &evm->v[i];

			if (v->where == VMM_HALTED && !v->done &&
			    vmm_vcpu_lapic_pending(v->vcpu) > 0)
				kvm_vcpu_wake_up(v->kv, now);
		}
	}
}

static void worker_tick(struct vmm_worker *w, u64 now)
{
	struct vmm_engine *e = w->e;
	struct rq *rq = cpu_rq(&e->s, w->cpu);

	if (e->p.balance)
		sched_balance_trigger(rq, now);
	if (rq->curr) {
		struct vmm_evcpu *v = task_evcpu(rq->curr);

		/* the guest on this CPU takes its timer interrupt on the
		 * same tick (both at HZ, aligned), if it has one */
		if (!v->done && vmm_irqchip_raise(&v->evm->chip, v->vcpu->idx,
						  VMM_PRIV_TIMER, true) == 0)
			kvm_apic_accept_irq(v->kv, APIC_DM_FIXED, now);
		sched_tick(rq, now);
	}
	if (w->cpu == 0)
		kernel_irqchip_wakeups(e, now);
	w->next_tick += e->p.sp.tick_ns;
	if (w->next_tick <= now)
		w->next_tick = now + e->p.sp.tick_ns;
}

static void worker_schedule(struct vmm_worker *w, u64 now)
{
	struct vmm_engine *e = w->e;
	struct rq *rq = cpu_rq(&e->s, w->cpu);
	struct task *prev = rq->curr, *next;

	next = schedule(rq, now);
	if (next != prev) {
		if (prev)
			switch_out(task_evcpu(prev), now);
		if (next)
			switch_in(task_evcpu(next), now);
	}
	if (!next && e->p.balance)
		sched_balance_newidle(&e->s, w->cpu, now);
}

/* a store to the doorbell page: a paravirtual call (rt.h) */
static void doorbell(struct vmm_evcpu *v, u64 now)
{
	struct kvm_run *run = v->vcpu->run;
	struct vmm_engine *e = v->e;
	struct kvm_vcpu *kv = v->kv;
	u64 off = run->mmio.phys_addr - VMM_DOORBELL_GPA, val = 0;

	if (!run->mmio.is_write || run->mmio.len != 8) {
		(void)vmm_error(v->evm->vm, -EIO, "vCPU %d: a %u-byte %s of doorbell "
			      "0x%llx", v->vcpu->idx, run->mmio.len,
			      run->mmio.is_write ? "write" : "read",
			      (unsigned long long)run->mmio.phys_addr);
		vm_dead(v->evm, now);
		return;
	}
	memcpy(&val, run->mmio.data, 8);
	switch (off) {
	case VMM_DB_PLE:
		v->ple_doorbells++;
		if (e->p.knobs.ple_gap)
			handle_pause(kv, now);
		break;
	case VMM_DB_HALT:
		v->halts++;
		kvm_vcpu_halt_begin(kv, now);
		/* an interrupt not yet injected, or taken by the entry points and not
		 * yet handled, keeps it from halting (x86's sti; hlt) */
		if (irq_pending(v) || kvm_vcpu_block(kv) == -EAGAIN)
			kvm_vcpu_halt_end(kv, now, now, false);
		else
			sched_block(&e->s, v->task, now);
		break;
	case VMM_DB_KICK:
		kvm_hc_kick_cpu(kv, (int)val, now);
		break;
	case VMM_DB_YIELD:
		v->pv_yields++;
		kvm_hc_sched_yield(kv, (int)val, now);
		break;
	case VMM_DB_NOP:
		break;
	default:
		(void)vmm_error(v->evm->vm, -EIO, "vCPU %d: guest wrote 0x%llx, which "
			      "nothing serves here", v->vcpu->idx,
			      (unsigned long long)run->mmio.phys_addr);
		vm_dead(v->evm, now);
		return;
	}
	pv_mirror(v);
}

/* the vCPU @id of @evm (APIC id = index), NULL if there is none */
static struct vmm_evcpu *evcpu_by_id(struct vmm_evm *evm, int id)
{
	return id >= 0 && id < evm->vm->nr_vcpus ? &evm->v[id] : NULL;
}

/* @vector accepted by @t's local APIC: injected at its next entry; if
 * it is in the guest right now, its worker stops it */
static void apic_set_irr(struct vmm_evcpu *t, u8 vector)
{
	struct vmm_engine *e = t->e;

	t->irr[vector / 64] |= 1ull << (vector % 64);
	if (t->where == VMM_GUEST)
		worker_wake(&e->w[t->task->cpu]);
}

/* an ICR low-word write: the IPI goes to src/kvm (the IPI tracker, the
 * wakeup of halted targets, kvm_irq_delivery_to_apic) and to each
 * target's IRR (kvm_apic_send_ipi with a userspace irqchip) */
static void apic_icr_write(struct vmm_evcpu *v, u32 low, u64 now)
{
	struct vmm_evm *evm = v->evm;
	u8 vector = low & 0xff;
	int dm = (low >> 8) & 7, sh = (low >> 18) & 3, dest = v->icr_high >> 24;
	enum apic_delivery_mode mode = dm == 0 ? APIC_DM_FIXED :
				       dm == 4 ? APIC_DM_NMI : APIC_DM_OTHER;

	if (kvm_irq_delivery_to_apic(v->kv, mode, (enum apic_dest_shorthand)sh,
				     &dest, 1, vector, now) <= 0 ||
	    mode != APIC_DM_FIXED)
		return;
	for (int i = 0; i < evm->vm->nr_vcpus; i++) {
		bool to = sh == APIC_DEST_NOSHORT ? i == dest :
			  sh == APIC_DEST_SELF	  ? i == v->vcpu->idx :
			  sh == APIC_DEST_ALLINC  ? true :
						    i != v->vcpu->idx;

		if (to && evcpu_by_id(evm, i))
			apic_set_irr(&evm->v[i], vector);
	}
}

/* a store to the local APIC page: ICR (IPIs) and EOI */
static void apic_write(struct vmm_evcpu *v, u64 now)
{
	struct kvm_run *run = v->vcpu->run;
	u64 off = run->mmio.phys_addr - VMM_XAPIC_GPA;
	u32 val = 0;

	if (!run->mmio.is_write || run->mmio.len != 4) {
		(void)vmm_error(v->evm->vm, -EIO, "vCPU %d: a %u-byte %s of "
				"the local APIC at 0x%llx", v->vcpu->idx,
				run->mmio.len,
				run->mmio.is_write ? "write" : "read",
				(unsigned long long)off);
		vm_dead(v->evm, now);
		return;
	}
	memcpy(&val, run->mmio.data, 4);
	switch (off) {
	case APIC_REG_ICR_HIGH:
		v->icr_high = val;
		break;
	case APIC_REG_ICR_LOW:
		apic_icr_write(v, val, now);
		break;
	case APIC_REG_EOI:
		if (v->nr_isr)
			kvm_apic_eoi(v->kv, v->isr[--v->nr_isr], now);
		break;
	default:
		break; /* other registers: ignored, as reads are refused */
	}
}

/* before an entry: the private interrupts the guest sees go to the IRR;
 * then the highest IRR vector, if the local APIC's priority lets it in
 * (above the class of the top in-service vector) and the guest can take
 * it now, is injected (KVM_INTERRUPT); if only the guest's state keeps it
 * out, the engine asks for an interrupt-window exit */
static void apic_inject(struct vmm_evcpu *v)
{
	struct kvm_run *run = v->vcpu->run;
	int w, vec;
	u8 vector;

	if (v->evm->vm->kernel_irqchip) {
		/* KVM's LAPIC injects; private interrupts go to it */
		while ((vec = vmm_irqchip_take(&v->evm->chip,
					       v->vcpu->idx)) >= 0)
			(void)vmm_vm_signal_msi(v->evm->vm, v->vcpu->idx,
						(uint8_t)vec);
		return;
	}
	while ((vec = vmm_irqchip_take(&v->evm->chip, v->vcpu->idx)) >= 0)
		v->irr[vec / 64] |= 1ull << (vec % 64);
	run->request_interrupt_window = 0;
	for (w = 3; w >= 0 && !v->irr[w]; w--)
		;
	if (w < 0)
		return;
	vector = (u8)(w * 64 + 63 - __builtin_clzll(v->irr[w]));
	if (v->nr_isr && (vector >> 4) <= (v->isr[v->nr_isr - 1] >> 4))
		return; /* masked by the processor priority until an EOI */
	if (!run->ready_for_interrupt_injection || !run->if_flag) {
		run->request_interrupt_window = 1;
		return;
	}
	{
		struct kvm_interrupt irq = { .irq = vector };

		if (vmm_vcpu_interrupt(v->vcpu, &irq))
			return;
		v->irr[w] &= ~(1ull << (vector % 64));
		v->isr[v->nr_isr++] = vector;
		v->injected++;
	}
}

static void handle_exit(struct vmm_evcpu *v, enum vmm_exit x,
			const struct ucall *uc, u64 now)
{
	struct vmm_engine *e = v->e;

	v->exits++;
	/* the guest's CPL as its PV area declares it (rt.h: in_kernel) */
	v->kv->in_kernel = v->pv->in_kernel != 0;
	if (v->done) { /* its VM ended while it ran */
		vcpu_done(v, now);
		return;
	}
	switch (x) {
	case VMM_EXIT_INTR:
		/* a host interrupt (tick, reschedule signal): an exit at an
		 * instruction boundary */
		kvm_vcpu_external_interrupt_exit(v->kv);
		break;
	case VMM_EXIT_UCALL:
		if (uc->cmd == UCALL_DONE) {
			vcpu_done(v, now);
			break;
		}
		v->syncs++;
		if (e->p.on_ucall)
			e->p.on_ucall(v, uc, e->p.ctx);
		break;
	case VMM_EXIT_MMIO:
		if ((v->vcpu->run->mmio.phys_addr & ~0xfffull) ==
		    VMM_DOORBELL_GPA) {
			doorbell(v, now);
			break;
		}
		apic_write(v, now);
		if (v->done)
			vcpu_done(v, now);
		break;
	case VMM_EXIT_IRQ_WINDOW:
		break;
	case VMM_EXIT_HLT:
		(void)vmm_error(v->evm->vm, -EIO, "vCPU %d: HLT exit (a ring-3 guest "
			      "cannot halt)", v->vcpu->idx);
		/* fall through */
	case VMM_EXIT_ERROR:
		vm_dead(v->evm, now);
		vcpu_done(v, now);
		break;
	}
}

/* the worker is done, or the run must stop */
static bool worker_should_stop(struct vmm_worker *w, volatile sig_atomic_t *stop,
			       u64 now)
{
	struct vmm_engine *e = w->e;

	if (!e->marked && now >= e->p.warmup_ns) {
		e->marked = true;
		e->t_mark = now;
		if (e->p.on_mark)
			e->p.on_mark(e, now, e->p.ctx);
	}
	if (!e->stop && ((stop && *stop) ||
			 (e->p.duration_ns && now >= e->p.duration_ns))) {
		e->t_end = now;
		engine_stop(e);
	}
	return e->stop;
}

static void idle_wait(struct vmm_worker *w)
{
	struct vmm_engine *e = w->e;
	u64 until = e->t0 + w->next_tick;
	struct timespec ts = {
		.tv_sec = (time_t)(until / NSEC_PER_SEC),
		.tv_nsec = (long)(until % NSEC_PER_SEC),
	};

	pthread_cond_timedwait(&w->cv, &e->lock, &ts);
}

struct worker_arg {
	struct vmm_worker *w;
	volatile sig_atomic_t *stop;
};

static int worker_timer(struct vmm_worker *w, timer_t *t)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = ENGINE_SIGNAL,
	};
	u64 tick = w->e->p.sp.tick_ns;
	struct itimerspec its = {
		.it_interval = { (time_t)(tick / NSEC_PER_SEC),
				 (long)(tick % NSEC_PER_SEC) },
		.it_value = { (time_t)(tick / NSEC_PER_SEC),
			      (long)(tick % NSEC_PER_SEC) },
	};

	sev._sigev_un._tid = gettid(); /* sigev_notify_thread_id */
	if (timer_create(CLOCK_MONOTONIC, &sev, t) < 0)
		return -errno;
	if (timer_settime(*t, 0, &its, NULL) < 0) {
		timer_delete(*t);
		return -errno;
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct vmm_worker *w = ((struct worker_arg *)arg)->w;
	volatile sig_atomic_t *stop = ((struct worker_arg *)arg)->stop;
	struct vmm_engine *e = w->e;
	struct rq *rq = cpu_rq(&e->s, w->cpu);
	timer_t timer;
	bool timer_ok = worker_timer(w, &timer) == 0;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		u64 now = vmm_engine_now(e);
		struct vmm_evcpu *v;
		struct ucall uc;
		enum vmm_exit x;

		if (worker_should_stop(w, stop, now))
			break;
		if (now >= w->next_tick)
			worker_tick(w, now);
		if (rq->need_resched)
			worker_schedule(w, now);
		flush_resched(e);
		if (!rq->curr) {
			idle_wait(w);
			continue;
		}
		v = task_evcpu(rq->curr);
		if (v->done) {
			vcpu_done(v, now);
			continue;
		}
		/* record_steal_time()'s xchg: a PV TLB flush the guest asked
		 * for while this vCPU was preempted is served at entry */
		v->kv->st_preempted = __atomic_exchange_n(&v->pv->preempted, 0,
							  __ATOMIC_ACQ_REL);
		kvm_vcpu_enter_guest(v->kv);
		apic_inject(v);
		v->pv->entries++;
		pv_mirror(v);
		v->vcpu->run->immediate_exit = 0;
		vmm_kick_run = v->vcpu->run;
		w->in_guest = true;
		where_to(v, VMM_GUEST, now);
		pthread_mutex_unlock(&e->lock);

		x = vmm_vcpu_run(v->vcpu, &uc);

		pthread_mutex_lock(&e->lock);
		w->in_guest = false;
		vmm_kick_run = NULL;
		now = vmm_engine_now(e);
		where_to(v, VMM_HOST, now);
		handle_exit(v, x, &uc, now);
		flush_resched(e);
	}
	pthread_mutex_unlock(&e->lock);
	if (timer_ok)
		timer_delete(timer);
	return NULL;
}

int vmm_engine_init(struct vmm_engine *e, const struct vmm_engine_params *p)
{
	pthread_condattr_t ca;
	int ret;

	memset(e, 0, sizeof(*e));
	if (!p->nr_cpus || p->nr_cpus > VMM_MAX_WORKERS) {
		snprintf(e->err, sizeof(e->err), "the engine takes 1..%d host "
			 "CPUs, not %u", VMM_MAX_WORKERS, p->nr_cpus);
		return -EINVAL;
	}
	e->p = *p;
	e->p.sp.nr_cpus = p->nr_cpus;
	/* no polling: a halt blocks at once (docs/kvm-engine.md) */
	e->p.knobs.halt_poll_ns = 0;
	/* a userspace interrupt controller: no APICv, no IPI virtualisation
	 * (every ICR write and EOI exits to the engine) */
	e->p.knobs.enable_apicv = false;
	e->p.knobs.enable_ipiv = false;
	ret = sched_init(&e->s, &e->p.sp, &e->p.sf);
	if (ret) {
		snprintf(e->err, sizeof(e->err), "sched_init: %s",
			 strerror(-ret));
		return ret;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (unsigned int i = 0; i < p->nr_cpus; i++) {
		e->w[i].e = e;
		e->w[i].cpu = (int)i;
		e->w[i].host_cpu = p->host_cpus ? p->host_cpus[i] : -1;
		pthread_cond_init(&e->w[i].cv, &ca);
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

int vmm_engine_add_vm(struct vmm_engine *e, struct vmm_vm *vm,
		      struct vmm_pv *pv, struct task_group *const *tgs)
{
	struct vmm_evm *evm;
	struct task *tasks;
	int nr = vm->nr_vcpus, ret;

	if (e->nr_vms == VMM_MAX_VMS) {
		snprintf(e->err, sizeof(e->err), "the engine runs at most %d "
			 "VMs", VMM_MAX_VMS);
		return -E2BIG;
	}
	evm = &e->vms[e->nr_vms];
	memset(evm, 0, sizeof(*evm));
	evm->vm = vm;
	evm->v = calloc((size_t)nr, sizeof(*evm->v));
	tasks = calloc((size_t)nr, sizeof(*tasks));
	if (!evm->v || !tasks) {
		free(evm->v);
		free(tasks);
		snprintf(e->err, sizeof(e->err), "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < nr; i++)
		sched_task_init(&e->s, &tasks[i], tgs ? tgs[i] : NULL,
				NICE_0_LOAD, i % (int)e->p.nr_cpus);
	ret = kvm_create(&evm->kvm, &e->s, &e->p.knobs, nr, tasks);
	if (!ret) {
		const uint8_t vec[VMM_NR_PRIVATE] = {
			[VMM_PRIV_TIMER] = LOCAL_TIMER_VECTOR,
		};

		ret = vmm_irqchip_init(&evm->chip, nr, 1u << VMM_PRIV_TIMER,
				       1u << VMM_PRIV_TIMER, vec);
		for (int i = 0; !ret && i < nr; i++)
			ret = vmm_irqchip_expose(&evm->chip, i,
						 e->p.guest_timer ?
							 1u << VMM_PRIV_TIMER : 0);
		if (ret)
			kvm_destroy(&evm->kvm);
	}
	if (ret) {
		free(evm->v);
		free(tasks);
		snprintf(e->err, sizeof(e->err), "kvm_create: %s",
			 strerror(-ret));
		return ret;
	}
	for (int i = 0; i < nr; i++) {
		struct vmm_evcpu *v = &evm->v[i];

		v->e = e;
		v->evm = evm;
		v->vcpu = &vm->vcpus[i];
		v->kv = &evm->kvm.vcpus[i];
		v->task = &tasks[i];
		v->pv = &pv[i];
		v->pv->ple_gap = e->p.knobs.ple_gap;
		pv_mirror(v);
	}
	e->nr_live += nr;
	e->nr_vms++;
	return 0;
}

/* the first task of each VM's array: kvm_create keeps the pointers */
static struct task *evm_tasks(struct vmm_evm *evm)
{
	return evm->kvm.vcpus[0].task;
}

void vmm_engine_destroy(struct vmm_engine *e)
{
	for (int i = 0; i < e->nr_vms; i++) {
		struct task *tasks = evm_tasks(&e->vms[i]);

		kvm_destroy(&e->vms[i].kvm);
		vmm_irqchip_destroy(&e->vms[i].chip);
		free(tasks);
		free(e->vms[i].v);
	}
	for (unsigned int i = 0; i < e->p.nr_cpus; i++)
		pthread_cond_destroy(&e->w[i].cv);
	pthread_mutex_destroy(&e->lock);
	sched_destroy(&e->s);
	e->nr_vms = 0;
}

int vmm_engine_run(struct vmm_engine *e, volatile sig_atomic_t *stop)
{
	struct worker_arg args[VMM_MAX_WORKERS];
	struct sigaction sa = { .sa_handler = vmm_kick_handler }, old;
	int ret = 0;

	if (!e->nr_live) {
		snprintf(e->err, sizeof(e->err), "no vCPUs to run");
		return -EINVAL;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(ENGINE_SIGNAL, &sa, &old) < 0) {
		snprintf(e->err, sizeof(e->err), "sigaction: %s",
			 strerror(errno));
		return -errno;
	}
	pthread_mutex_lock(&e->lock);
	e->t0 = vmm_mono_ns();
	for (int i = 0; i < e->nr_vms; i++)
		for (int j = 0; j < e->vms[i].vm->nr_vcpus; j++)
			wake_up_new_task(&e->s, &evm_tasks(&e->vms[i])[j], 0);
	while (sched_pop_resched(&e->s) >= 0)
		;
	for (unsigned int i = 0; i < e->p.nr_cpus; i++) {
		struct vmm_worker *w = &e->w[i];

		w->next_tick = e->p.sp.tick_ns;
		args[i] = (struct worker_arg){ .w = w, .stop = stop };
		ret = pthread_create(&w->th, NULL, worker_main, &args[i]);
		if (ret) {
			snprintf(e->err, sizeof(e->err), "pthread_create: %s",
				 strerror(ret));
			ret = -ret;
			engine_stop(e);
			break;
		}
		w->started = true;
		if (w->host_cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(w->host_cpu, &set);
			pthread_setaffinity_np(w->th, sizeof(set), &set);
		}
	}
	pthread_mutex_unlock(&e->lock);
	for (unsigned int i = 0; i < e->p.nr_cpus; i++)
		if (e->w[i].started)
			pthread_join(e->w[i].th, NULL);
	for (unsigned int i = 0; i < e->p.nr_cpus; i++)
		e->w[i].started = false;
	sigaction(ENGINE_SIGNAL, &old, NULL);
	return ret;
}
