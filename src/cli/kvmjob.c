// SPDX-License-Identifier: MIT
/*
 * A scenario run on the KVM engine (kvmjob.h): each VM instance becomes a
 * real VM whose vCPUs run the workload's programs (src/vmm/prog.h), in
 * the cgroups the simulator would give them (a cgroup per VM, under
 * machine.slice, with libvirt's per-vCPU children when the scenario says
 * so); the engine runs warm-up and measured span, and its accounts become
 * the simulator's metrics: where each vCPU's time went (in the guest,
 * less its spinning; spinning; halted; runnable off its CPU; on it but
 * out of the guest), operations, and the host counters of src/kvm and
 * src/sched.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/kvmjob.h"
#include "vmm/engine.h"
#include "vmm/prog.h"

/* "FILE:LINE: " for @key of @section, or "FILE: " without a line */
static int at(char *err, size_t len, const struct scenario *sc,
	      const char *section, const char *key)
{
	int line = scenario_line(sc, section, key);

	return line ? snprintf(err, len, "%s:%d: ", sc->path, line) :
		      snprintf(err, len, "%s: ", sc->path);
}

#define REFUSE(sec, key, ...)                                              \
	do {                                                               \
		int __n = at(err, errlen, sc, sec, key);                   \
		if (__n >= 0 && (size_t)__n < errlen)                      \
			snprintf(err + __n, errlen - (size_t)__n,          \
				 __VA_ARGS__);                             \
		return -EINVAL;                                            \
	} while (0)

static int check_vm(const struct scenario *sc, const struct vm_config *c,
		    char *err, size_t errlen)
{
	struct guest_vm_desc d = { 0 };
	char sec[96], msg[256];
	int ret;

	snprintf(sec, sizeof(sec), "[vm %s]", c->name);
	if (c->vcpus > VMM_MAX_VCPUS)
		REFUSE(sec, "vcpus", "vcpus: the KVM engine runs VMs of 1..%d "
		       "vCPUs, got %u", VMM_MAX_VCPUS, c->vcpus);
	if (c->pin != PIN_NONE)
		REFUSE(sec, "pin", "pin: the KVM engine does not pin vCPUs "
		       "yet (pin = none only)");
	ret = workload_build(c->wl, c->wl_params, c->vcpus, &d, msg,
			     sizeof(msg));
	if (!ret)
		ret = vmm_prog_check(&d, c->vcpus, msg, sizeof(msg));
	free(d.progs);
	if (ret == -ENOMEM) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	if (ret)
		REFUSE(sec, "workload", "workload: %s: %s", c->wl->name, msg);
	return 0;
}

int kvmjob_check(const struct scenario *sc, char *err, size_t errlen)
{
	const struct sim_config *cfg = &sc->cfg;
	unsigned int vms = 0;
	int ret;

	if (cfg->nr_tasks) {
		char sec[96];

		snprintf(sec, sizeof(sec), "[task %s]", cfg->tasks[0].name);
		REFUSE(sec, "", "%s: the KVM engine runs VMs only, not host "
		       "tasks", sec);
	}
	if (cfg->host.noise)
		REFUSE("[host]", "noise", "noise: the KVM engine runs no host "
		       "noise tasks");
	if (cfg->host.cpus > VMM_MAX_WORKERS)
		REFUSE("[host]", "cpus", "cpus: the KVM engine takes 1..%d "
		       "host CPUs (one worker thread each), got %u",
		       VMM_MAX_WORKERS, cfg->host.cpus);
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		ret = check_vm(sc, &cfg->vms[i], err, errlen);
		if (ret)
			return ret;
		vms += cfg->vms[i].count;
	}
	if (vms > VMM_MAX_VMS)
		REFUSE("[run]", "", "the KVM engine runs at most %d VMs, the "
		       "scenario has %u", VMM_MAX_VMS, vms);
	return 0;
}

/* One VM instance of the run. */
struct jvm {
	const struct vm_config *c;
	char name[80];
	struct vmm_vm *vm;
	struct vmm_pv *pv;
	struct vmm_gthread *th;
	struct guest_vm_desc d;
	struct task_group *tgs[VMM_MAX_VCPUS];
};

/* What a vCPU had done at the mark. */
struct snap {
	u64 t[VMM_WHERE_NR];
	u64 spin_cycles, passes, user_cycles, contentions, wait_cycles;
};

struct job {
	const struct sim_config *cfg;
	struct vmm_engine e;
	bool e_ready; /* e initialised */
	struct jvm *vms;
	unsigned int nr_vms;
	struct snap *mark; /* [vm][vcpu], VMM_MAX_VCPUS per VM */
	struct host_metrics base;
	u64 tsc_hz;
	unsigned int vm_flags; /* vmm_vm_create's */
	char *err;
	size_t errlen;
};

static void host_counters(const struct job *j, struct host_metrics *h)
{
	memset(h, 0, sizeof(*h));
	for (int k = 0; k < j->e.nr_vms; k++) {
		const struct vmm_evm *evm = &j->e.vms[k];

		for (int i = 0; i < evm->vm->nr_vcpus; i++) {
			host_metrics_add_vcpu(h, &evm->v[i].kv->stat);
			h->pv_yields += evm->v[i].pv_yields;
		}
	}
	for (unsigned int cpu = 0; cpu < j->e.s.nr_cpus; cpu++)
		host_metrics_add_cpu(h, &j->e.s.rqs[cpu].stats);
}

static void take_snap(const struct job *j, unsigned int k, int i, u64 now,
		      struct snap *s)
{
	const struct vmm_evcpu *v = &j->e.vms[k].v[i];
	const struct vmm_gthread *t = &j->vms[k].th[i];

	vmm_evcpu_times(v, now, s->t);
	s->spin_cycles = v->pv->spin_cycles;
	s->passes = j->vms[k].d.progs[i].uncounted ? 0 : t->passes;
	s->user_cycles = t->user_cycles;
	s->contentions = t->q.contentions + t->mc.contentions;
	s->wait_cycles = t->q.wait_cycles + t->mc.wait_cycles;
}

static void on_mark(struct vmm_engine *e, u64 now, void *ctx)
{
	struct job *j = ctx;

	(void)e;
	for (unsigned int k = 0; k < j->nr_vms; k++)
		for (int i = 0; i < j->vms[k].vm->nr_vcpus; i++)
			take_snap(j, k, i, now, &j->mark[k * VMM_MAX_VCPUS + i]);
	host_counters(j, &j->base);
}

static int fail(struct job *j, int ret, const char *fmt, const char *what)
{
	snprintf(j->err, j->errlen, fmt, what);
	return ret;
}

/* cgroups as sim/setup.c makes them: per VM (under machine.slice), and
 * per vCPU with vcpu_cgroups */
static int make_groups(struct job *j, struct task_group *machine,
		       struct jvm *x)
{
	struct task_group *tg = sched_create_group(&j->e.s, machine,
						   x->c->shares, x->name);

	if (!tg)
		return fail(j, -ENOMEM, "%s", "out of memory");
	for (unsigned int i = 0; i < x->c->vcpus; i++) {
		char name[sizeof(x->name) + 16];

		x->tgs[i] = tg;
		if (!j->cfg->host.vcpu_cgroups)
			continue;
		snprintf(name, sizeof(name), "%s/vcpu%u", x->name, i);
		x->tgs[i] = sched_create_group(&j->e.s, tg, NICE_0_LOAD, name);
		if (!x->tgs[i])
			return fail(j, -ENOMEM, "%s", "out of memory");
	}
	return 0;
}

static int vm_setup(struct job *j, struct jvm *x, struct task_group *machine,
		    u64 seed)
{
	char msg[256];
	int ret;

	ret = workload_build(x->c->wl, x->c->wl_params, x->c->vcpus, &x->d,
			     msg, sizeof(msg));
	if (ret)
		return fail(j, ret, "%s", msg);
	x->vm = vmm_vm_new(vmm_prog_mem_mib(&x->d) + 1, (int)x->c->vcpus,
			   j->vm_flags, msg,
			   sizeof(msg));
	if (!x->vm)
		return fail(j, -EIO, "%s", msg);
	x->pv = vmm_alloc(x->vm, x->c->vcpus * sizeof(*x->pv), 64);
	if (!x->pv)
		return fail(j, -ENOMEM, "%s", "guest memory: out of room");
	ret = vmm_prog_load(x->vm, &x->d, x->pv, &j->cfg->kvm,
			    j->tsc_hz, seed, &x->th, msg, sizeof(msg));
	if (ret)
		return fail(j, ret, "%s", msg);
	for (unsigned int i = 0; i < x->c->vcpus; i++) {
		ret = vmm_vcpu_start(&x->vm->vcpus[i], guest_prog_run,
				     &x->th[i]);
		if (ret)
			return fail(j, ret, "%s", x->vm->err);
	}
	ret = make_groups(j, machine, x);
	if (!ret && vmm_engine_add_vm(&j->e, x->vm, x->pv, x->tgs))
		return fail(j, -EIO, "%s", j->e.err);
	return ret;
}

static void engine_params(const struct sim_config *cfg,
			  struct vmm_engine_params *p, int *pin)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(p, 0, sizeof(*p));
	p->nr_cpus = cfg->host.cpus;
	for (unsigned int i = 0; i < cfg->host.cpus; i++)
		pin[i] = (int)(i % (unsigned int)(ncpu > 0 ? ncpu : 1));
	p->host_cpus = pin;
	sched_params_default(&p->sp);
	p->sp.tick_ns = cfg->host.tick_ns;
	p->sp.base_slice_ns = cfg->host.base_slice_ns;
	p->sp.llc_size = cfg->host.llc_size;
	p->sp.migration_cost_ns = cfg->host.migration_cost_ns;
	p->sp.newidle_cost_ns = cfg->host.newidle_cost_ns;
	p->sp.seed = cfg->seed;
	p->sf = cfg->sched;
	p->knobs = cfg->kvm; /* the engine turns APICv and IPIv off */
	p->balance = cfg->host.balance;
	p->guest_timer = true; /* as the simulator's guests */
	p->warmup_ns = cfg->warmup_ns;
	p->duration_ns = cfg->warmup_ns + cfg->duration_ns;
}

static double cycles_ns(const struct job *j, u64 cycles)
{
	return j->tsc_hz ? (double)cycles * 1e9 / (double)j->tsc_hz : 0;
}

static int collect(struct job *j, struct sim_metrics *m)
{
	u64 end = j->e.t_end;
	struct host_metrics *h = &m->host;

	memset(m, 0, sizeof(*m));
	m->duration_ns = end - j->e.t_mark;
	m->nr_cpus = j->cfg->host.cpus;
	host_counters(j, h);
	host_metrics_sub(h, &j->base);
	m->vms = calloc(j->nr_vms + 1, sizeof(*m->vms));
	m->tasks = calloc(1, sizeof(*m->tasks));
	if (!m->vms || !m->tasks)
		return fail(j, -ENOMEM, "%s", "out of memory");
	m->nr_vms = j->nr_vms;
	for (unsigned int k = 0; k < j->nr_vms; k++) {
		struct vm_metrics *vm = &m->vms[k];
		const struct jvm *x = &j->vms[k];

		snprintf(vm->name, sizeof(vm->name), "%s", x->name);
		vm->vcpus = x->c->vcpus;
		vm->shares = x->c->shares;
		vm->vcpu = calloc(vm->vcpus, sizeof(*vm->vcpu));
		if (!vm->vcpu)
			return fail(j, -ENOMEM, "%s", "out of memory");
		for (int i = 0; i < (int)vm->vcpus; i++) {
			const struct snap *a = &j->mark[k * VMM_MAX_VCPUS + i];
			struct snap b;
			u64 *t = vm->vcpu[i].t, guest, spin;

			take_snap(j, k, i, end, &b);
			guest = b.t[VMM_GUEST] - a->t[VMM_GUEST];
			spin = (u64)cycles_ns(j, b.spin_cycles - a->spin_cycles);
			if (spin > guest)
				spin = guest;
			t[VT_WORK] = guest - spin;
			t[VT_SPIN] = spin;
			t[VT_HALTED] = b.t[VMM_HALTED] - a->t[VMM_HALTED];
			t[VT_STEAL] = b.t[VMM_READY] - a->t[VMM_READY];
			t[VT_EXIT] = b.t[VMM_HOST] - a->t[VMM_HOST];
			vm->cpu_ns += guest + t[VT_EXIT];
			vm->ops += b.passes - a->passes;
			vm->guest.user_ns +=
				(u64)cycles_ns(j, b.user_cycles - a->user_cycles);
			vm->guest.contentions += b.contentions - a->contentions;
			vm->guest.contention_ns +=
				(u64)cycles_ns(j, b.wait_cycles - a->wait_cycles);
		}
		vm->throughput = m->duration_ns ? (double)vm->ops * 1e9 /
							  (double)m->duration_ns :
						  0.0;
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int job_run(struct job *j, volatile sig_atomic_t *stop,
		   struct sim_metrics *m)
{
	const struct sim_config *cfg = j->cfg;
	struct task_group *machine = NULL;
	struct vmm_engine_params p;
	int pin[VMM_MAX_WORKERS], ret;
	unsigned int k = 0;

	engine_params(cfg, &p, pin);
	p.on_mark = on_mark;
	p.ctx = j;
	ret = vmm_engine_init(&j->e, &p);
	if (ret)
		return fail(j, ret, "%s", j->e.err);
	j->e_ready = true;
	if (cfg->host.machine_slice) {
		machine = sched_create_group(&j->e.s, NULL, NICE_0_LOAD,
					     "machine.slice");
		if (!machine)
			return fail(j, -ENOMEM, "%s", "out of memory");
	}
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		for (unsigned int n = 0; n < cfg->vms[i].count; n++, k++) {
			struct jvm *x = &j->vms[k];

			x->c = &cfg->vms[i];
			if (x->c->count > 1)
				snprintf(x->name, sizeof(x->name), "%s-%u",
					 x->c->name, n);
			else
				snprintf(x->name, sizeof(x->name), "%s",
					 x->c->name);
			j->nr_vms = k + 1;
			ret = vm_setup(j, x, machine, cfg->seed * 1000003u + k);
			if (ret)
				return ret;
		}
	}
	ret = vmm_engine_run(&j->e, stop);
	if (ret)
		return fail(j, ret, "%s", j->e.err);
	if (stop && *stop)
		return fail(j, -EINTR, "%s", "interrupted");
	for (int i = 0; i < j->e.nr_vms; i++)
		if (j->e.vms[i].dead)
			return fail(j, -EIO, "%s", j->e.vms[i].err);
	if (!j->e.marked)
		return fail(j, -EIO, "%s", "the run ended before its warm-up");
	return collect(j, m);
}

int kvmjob_run(const struct sim_config *cfg, volatile sig_atomic_t *stop,
	       bool kernel_irqchip, struct sim_metrics *m, char *err,
	       size_t errlen)
{
	struct job j = { .cfg = cfg, .err = err, .errlen = errlen,
			 .vm_flags = kernel_irqchip ? VMM_VM_KERNEL_IRQCHIP : 0 };
	/* SA_RESTART: the VMs' setup ioctls go on; KVM_RUN still returns
	 * -EINTR, and the workers see the flag at their next exit */
	struct sigaction sa = { .sa_handler = on_sigint, .sa_flags = SA_RESTART },
			 old;
	unsigned int total = 0;
	int ret;

	if (cfg->kvm.oracle_yield) {
		snprintf(err, errlen, "the oracle needs the engine to name the "
			 "vCPU a spinner awaits; the KVM engine does not yet");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_vms; i++)
		total += cfg->vms[i].count;
	j.vms = calloc(total + 1, sizeof(*j.vms));
	j.mark = calloc((size_t)(total + 1) * VMM_MAX_VCPUS, sizeof(*j.mark));
	if (!j.vms || !j.mark) {
		free(j.vms);
		free(j.mark);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	j.tsc_hz = vmm_tsc_hz(20);
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	ret = job_run(&j, stop ? stop : &interrupted, m);
	sigaction(SIGINT, &old, NULL);
	if (interrupted) {
		/* whatever the run was doing when Ctrl-C came */
		snprintf(err, errlen, "interrupted");
		ret = -EINTR;
	}
	if (ret)
		sim_metrics_free(m);
	if (j.e_ready)
		vmm_engine_destroy(&j.e);
	for (unsigned int k = 0; k < j.nr_vms; k++) {
		vmm_vm_free(j.vms[k].vm);
		free(j.vms[k].d.progs);
	}
	free(j.vms);
	free(j.mark);
	return ret;
}
