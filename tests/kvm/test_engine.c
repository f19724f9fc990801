// SPDX-License-Identifier: MIT
/*
 * KTAP selftests of the KVM engine (src/vmm/engine.c): real vCPUs on one
 * worker thread, scheduled by the src/sched model, their exits handled by
 * src/kvm. One case per rule of MODEL.md section 2 (vCPU state across
 * switches), 3 (PLE exit to kvm_vcpu_on_spin) and 5 (PV kick, preempted
 * byte, steal time), and the engine's own: a faulting VM ends alone, a
 * stop request ends vCPUs that never exit. Skipped where /dev/kvm is
 * absent. Figures are counts and flags, never times.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine_fixture.h"
#include "guest_engine.h"

#define NR_CASES 12
#define MS (1000ull * 1000ull)

/* one VM of two vCPUs (or one) running @fn0/@fn1 on one worker */
struct fix {
	struct vmm_engine e;
	struct vmm_vm vm[2];
	int nr_vms;
	struct eng_shared *sh;
	struct eng_arg *arg[2][2];
	char err[256];
};


/* VM @i with @nr vCPUs running @fns, added to the engine */
static int fix_vm(struct fix *f, int i, int nr, const guest_fn *fns)
{
	struct vmm_vm *vm = &f->vm[i];
	struct vmm_pv *pv;
	int ret = vmm_vm_create(vm, 1, nr, 0, f->err, sizeof(f->err));

	if (ret)
		return ret;
	f->nr_vms = i + 1;
	pv = vmm_alloc(vm, (size_t)nr * sizeof(*pv), 64);
	f->sh = vmm_alloc(vm, sizeof(*f->sh), 64);
	f->sh->hold_cycles = 50ull * 1000 * 1000; /* ~20 ms at 2.5 GHz */
	for (int j = 0; j < nr; j++) {
		f->arg[i][j] = vmm_alloc(vm, sizeof(struct eng_arg), 64);
		f->arg[i][j]->sh = f->sh;
		f->arg[i][j]->pv = &pv[j];
	}
	for (int j = 0; j < nr; j++) {
		f->arg[i][j]->other = f->arg[i][nr - 1 - j];
		ret = vmm_vcpu_start(&vm->vcpus[j], fns[j], f->arg[i][j]);
		if (ret)
			return ret;
	}
	return vmm_engine_add_vm(&f->e, vm, pv, NULL);
}

/* an engine with one 2-vCPU VM of @fn0, @fn1, run for @duration (0:
 * until both return); 0 or -errno with f->err */
static int fix_run2(struct fix *f, guest_fn fn0, guest_fn fn1, u64 duration)
{
	struct vmm_engine_params p;
	const guest_fn fns[2] = { fn0, fn1 };
	int ret;

	memset(f, 0, sizeof(*f));
	kt_params(&p, 1, duration);
	ret = vmm_engine_init(&f->e, &p);
	if (ret) {
		snprintf(f->err, sizeof(f->err), "%s", f->e.err);
		return ret;
	}
	ret = fix_vm(f, 0, 2, fns);
	if (!ret) {
		ret = vmm_engine_run(&f->e, NULL);
		if (ret)
			snprintf(f->err, sizeof(f->err), "%s", f->e.err);
	}
	return ret;
}

static void fix_free(struct fix *f)
{
	vmm_engine_destroy(&f->e);
	for (int i = 0; i < f->nr_vms; i++)
		vmm_vm_destroy(&f->vm[i]);
}

static void fix_put(struct fix *f)
{
	fix_free(f);
	free(f);
}

/* fix_run2 on a new fixture; NULL (after saying why) if the run failed or
 * its VM ended on a fault */
static struct fix *run2(guest_fn fn0, guest_fn fn1, u64 duration)
{
	struct fix *f = calloc(1, sizeof(*f));
	int ret = f ? fix_run2(f, fn0, fn1, duration) : -ENOMEM;

	if (!ret && f->e.vms[0].dead) {
		snprintf(f->err, sizeof(f->err), "%s", f->e.vms[0].err);
		ret = -EIO;
	}
	if (ret) {
		ktap_diag("%s", f ? f->err : "out of memory");
		if (f)
			fix_put(f);
		return NULL;
	}
	return f;
}

static void fail_cases(struct ktap *k, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		ktap_result(k, false, what);
}

static struct kvm_vcpu *kv(struct fix *f, int vm, int i)
{
	return f->e.vms[vm].v[i].kv;
}

static void cases_share(struct ktap *k)
{
	struct fix *f = run2(guest_eng_count, guest_eng_count, 80 * MS);
	struct vmm_evcpu *v0, *v1;

	if (!f) {
		fail_cases(k, 4, "share: the engine ran");
		return;
	}
	v0 = &f->e.vms[0].v[0], v1 = &f->e.vms[0].v[1];
	ktap_diag("counters %llu %llu, run %llu %llu us, steal %llu %llu us, "
		  "preemptions %llu %llu",
		  (unsigned long long)f->arg[0][0]->counter,
		  (unsigned long long)f->arg[0][1]->counter,
		  (unsigned long long)v0->t[VMM_GUEST] / 1000,
		  (unsigned long long)v1->t[VMM_GUEST] / 1000,
		  (unsigned long long)v0->t[VMM_READY] / 1000,
		  (unsigned long long)v1->t[VMM_READY] / 1000,
		  (unsigned long long)kv(f, 0, 0)->stat.preemption_reported,
		  (unsigned long long)kv(f, 0, 1)->stat.preemption_reported);
	/* two vCPUs that never exit on one worker: the tick preempts each
	 * in turn, so both count */
	ktap_result(k, f->arg[0][0]->counter > 0 && f->arg[0][1]->counter > 0,
		    "tick: two vCPUs that never exit share one worker");
	/* MODEL.md 2: a runnable vCPU scheduled out after an external
	 * interrupt exit is reported preempted (kvm_arch_vcpu_put) */
	ktap_result(k, kv(f, 0, 0)->stat.preemption_reported > 0 &&
			       kv(f, 0, 1)->stat.preemption_reported > 0,
		    "state: each preempted vCPU is reported preempted");
	/* MODEL.md 5: steal time is the runnable time off the CPU; the
	 * guest's PV area holds what the engine counted */
	ktap_result(k, v0->t[VMM_READY] > 0 && v1->t[VMM_READY] > 0 &&
			       v0->pv->steal_ns == v0->t[VMM_READY] &&
			       v1->pv->steal_ns == v1->t[VMM_READY],
		    "pv: steal time reaches the guest's PV area");
	/* neither returned: the run ended on its duration */
	ktap_result(k, !v0->done && !v1->done && f->e.nr_live == 2,
		    "run: the duration ends vCPUs that never return");
	fix_put(f);
}

static void case_preempted_byte(struct ktap *k)
{
	struct fix *f = run2(guest_eng_watch, guest_eng_watch, 60 * MS);
	struct eng_arg *a0, *a1;

	if (!f) {
		fail_cases(k, 1, "pv: the engine ran");
		return;
	}
	a0 = f->arg[0][0], a1 = f->arg[0][1];
	ktap_diag("vCPU 0 saw vCPU 1 preempted %llu, running %llu; vCPU 1 "
		  "saw 0 preempted %llu, running %llu",
		  (unsigned long long)a0->seen_preempted,
		  (unsigned long long)a0->seen_running,
		  (unsigned long long)a1->seen_preempted,
		  (unsigned long long)a1->seen_running);
	/* one worker: whenever one runs the other is off its CPU, runnable,
	 * switched out after a tick (an instruction boundary): its byte is
	 * set every time it is read (MODEL.md 2 and 5) */
	ktap_result(k, a0->seen_preempted > 0 && a1->seen_preempted > 0 &&
			       !a0->seen_running && !a1->seen_running,
		    "pv: a descheduled runnable vCPU reads as preempted");
	fix_put(f);
}

static void cases_ple(struct ktap *k)
{
	struct fix *f = run2(guest_eng_lock_holder, guest_eng_lock_waiter, 0);
	struct kvm_vcpu *w;

	if (!f) {
		fail_cases(k, 3, "ple: the engine ran");
		return;
	}
	w = kv(f, 0, 1);
	ktap_diag("waiter: %llu PLE exits, %llu on_spin, %llu of %llu yields "
		  "made, last to vCPU %d; holder counted %llu",
		  (unsigned long long)w->stat.ple_exits,
		  (unsigned long long)w->stat.on_spin_calls,
		  (unsigned long long)w->stat.directed_yield_successful,
		  (unsigned long long)w->stat.directed_yield_attempted,
		  w->yielded_to, (unsigned long long)f->arg[0][0]->counter);
	ktap_result(k, f->e.vms[0].v[0].done && f->e.vms[0].v[1].done,
		    "ple: holder and waiter both return");
	/* MODEL.md 3: a spin past the window is a PLE exit, handled by
	 * handle_pause -> kvm_vcpu_on_spin */
	ktap_result(k, w->stat.ple_exits > 0 &&
			       w->stat.on_spin_calls == w->stat.ple_exits,
		    "ple: each pause-loop exit calls kvm_vcpu_on_spin");
	/* the only candidate is the preempted holder: yields go to it */
	ktap_result(k, w->stat.directed_yield_successful > 0 &&
			       w->yielded_to == 0,
		    "ple: the spinner yields to the preempted lock holder");
	fix_put(f);
}

static void cases_kick(struct ktap *k)
{
	struct fix *f = run2(guest_eng_kicker, guest_eng_kick_waiter, 0);

	if (!f) {
		fail_cases(k, 2, "kick: the engine ran");
		return;
	}
	ktap_diag("waiter halted %llu times, woken %llu; kicker kicked %llu",
		  (unsigned long long)f->e.vms[0].v[1].halts,
		  (unsigned long long)kv(f, 0, 1)->stat.halt_wakeup,
		  (unsigned long long)kv(f, 0, 0)->stat.kicks);
	ktap_result(k, f->e.vms[0].v[0].done && f->e.vms[0].v[1].done,
		    "kick: kicker and halted waiter both return");
	/* MODEL.md 5: KVM_HC_KICK_CPU wakes the halted vCPU's thread */
	ktap_result(k, f->e.vms[0].v[1].halts >= 1 &&
			       kv(f, 0, 1)->stat.halt_wakeup >= 1 &&
			       kv(f, 0, 0)->stat.kicks == 1,
		    "kick: a halted waiter is woken by the kick");
	fix_put(f);
}

/* VM 0 triple-faults, VM 1 counts to its end on the same worker */
static void case_fault(struct ktap *k)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct vmm_engine_params p;
	const guest_fn bad[1] = { guest_eng_count }, good[2] = {
		guest_eng_lock_holder, guest_eng_lock_waiter
	};
	int ret = f ? 0 : -ENOMEM;

	kt_params(&p, 1, 0);
	if (!ret)
		ret = vmm_engine_init(&f->e, &p);
	if (!ret)
		ret = fix_vm(f, 0, 1, bad);
	if (!ret) {
		/* a wild write: #PF without an IDT */
		f->arg[0][0]->sh = (struct eng_shared *)0x1000;
		ret = fix_vm(f, 1, 2, good);
	}
	if (!ret)
		ret = vmm_engine_run(&f->e, NULL);
	if (f)
		ktap_diag("ret %d: %s; VM 0: %s", ret, f->err, f->e.vms[0].err);
	ktap_result(k, !ret && f->e.vms[0].dead &&
			       strstr(f->e.vms[0].err, "triple fault") &&
			       !f->e.vms[1].dead && f->e.vms[1].v[0].done &&
			       f->e.vms[1].v[1].done,
		    "fault: a VM that faults ends alone; the other finishes");
	if (f)
		fix_put(f);
}

static volatile sig_atomic_t stop_flag;

static void *stopper(void *arg)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	stop_flag = 1;
	return NULL;
}

static void case_stop(struct ktap *k)
{
	struct fix *f = calloc(1, sizeof(*f));
	const guest_fn fns[2] = { guest_eng_count, guest_eng_count };
	struct vmm_engine_params p;
	pthread_t th;
	int ret = f ? 0 : -ENOMEM;

	kt_params(&p, 1, 0);
	if (!ret)
		ret = vmm_engine_init(&f->e, &p);
	if (!ret)
		ret = fix_vm(f, 0, 2, fns);
	if (!ret) {
		stop_flag = 0;
		pthread_create(&th, NULL, stopper, NULL);
		ret = vmm_engine_run(&f->e, &stop_flag);
		pthread_join(th, NULL);
	}
	ktap_result(k, !ret && f->e.stop && f->e.nr_live == 2,
		    "stop: a stop request ends vCPUs that never exit");
	if (f)
		fix_put(f);
}

int main(void)
{
	struct ktap k;

	ktap_begin(&k, NR_CASES);
	if (!ktap_kvm_or_skip(&k, "engine"))
		return ktap_end(&k);
	cases_share(&k);
	case_preempted_byte(&k);
	cases_ple(&k);
	cases_kick(&k);
	case_fault(&k);
	case_stop(&k);
	return ktap_end(&k);
}
