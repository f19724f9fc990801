// SPDX-License-Identifier: MIT
/*
 * Building a host from a config: the scheduler with one cgroup per VM
 * (under machine.slice when asked, each vCPU thread in a child cgroup of
 * its own with vcpu_cgroups), the vCPU threads with their pinning,
 * a struct kvm per VM, the guest objects each workload asks for, and the
 * host noise tasks. Also tearing it down and reading the metrics out.
 */
#include "sim/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/*
 * The event queue's speed hints (they never change the order of events):
 * each running vCPU posts an event every 1-4 us, so a host of n CPUs has
 * about n events due per us and a bucket of 4 us / n holds a few (smaller
 * near heaps to order than with 16 us / n: 1-3% faster here, 2026-12-05);
 * 99% of the events are posted less than 64 us ahead (dbench, 1024 CPUs),
 * the rest wait in the far heap. Measured in bench/ (docs/performance.md).
 */
#define EVQ_WIDTH_CPU_NS (4 * NSEC_PER_USEC)
#define EVQ_SPAN_NS (64 * NSEC_PER_USEC)

static int fail(struct sim *sim, int ret, const char *msg)
{
	snprintf(sim->err, sim->errlen, "%s", msg);
	return ret;
}

/* Pin vCPU @i of the @k-th VM instance: fill v->mask and return its first
 * allowed CPU; unpinned threads start spread by global index. */
static int pin_mask(struct sim *sim, struct vsim *v, const struct vm_config *c,
		    unsigned int k, unsigned int i, int gid)
{
	unsigned int cpus = sim->cfg->host.cpus, first, n;

	if (c->pin == PIN_NONE)
		return (int)((unsigned int)gid % cpus);
	v->mask = calloc((size_t)sim->mask_words, sizeof(u64));
	if (!v->mask)
		return -ENOMEM;
	if (c->pin == PIN_VCPU) {
		first = i % cpus;
		n = 1;
	} else {
		first = (k * c->vcpus) % cpus;
		n = min_t(unsigned int, c->vcpus, cpus);
	}
	for (unsigned int j = 0; j < n; j++) {
		unsigned int cpu = (first + j) % cpus;

		v->mask[cpu / 64] |= 1ULL << (cpu % 64);
	}
	return (int)((first + (c->pin == PIN_VM ? i % n : 0)) % cpus);
}

static int vm_objects(struct vmsim *vm)
{
	struct guest_vm_desc *d = &vm->desc;
	int *w;

	/* each rwlock's wait_lock is a spinlock after the workload's own */
	unsigned int nl = d->nr_spinlocks + d->nr_rwlocks;

	vm->locks = calloc(nl + 1, sizeof(*vm->locks));
	vm->rwlocks = calloc(d->nr_rwlocks + 1, sizeof(*vm->rwlocks));
	vm->bitlocks = calloc(d->nr_bitlocks + 1, sizeof(*vm->bitlocks));
	vm->mutexes = calloc(d->nr_mutexes + 1, sizeof(*vm->mutexes));
	vm->sems = calloc(d->nr_sems + 1, sizeof(*vm->sems));
	vm->barriers = calloc(d->nr_barriers + 1, sizeof(*vm->barriers));
	vm->wait_links = gfifo_links(d->nr_threads);
	vm->rq_links = gfifo_links(d->nr_threads);
	if (!vm->locks || !vm->rwlocks || !vm->bitlocks || !vm->mutexes ||
	    !vm->sems || !vm->barriers || !vm->wait_links || !vm->rq_links)
		return -ENOMEM;
	w = vm->wait_links;
	for (unsigned int i = 0; i < nl; i++) {
		vm->locks[i].owner = -1;
		gfifo_init(&vm->locks[i].waiters, w);
		gfifo_init(&vm->locks[i].stealers, w);
	}
	for (unsigned int i = 0; i < d->nr_rwlocks; i++) {
		vm->rwlocks[i].writer = -1;
		vm->rwlocks[i].wait_lock = d->nr_spinlocks + i;
	}
	for (unsigned int i = 0; i < d->nr_bitlocks; i++) {
		vm->bitlocks[i].owner = -1;
		gfifo_init(&vm->bitlocks[i].spinners, w);
	}
	for (unsigned int i = 0; i < d->nr_mutexes; i++) {
		vm->mutexes[i].owner = -1;
		gfifo_init(&vm->mutexes[i].spinners, w);
		gfifo_init(&vm->mutexes[i].sleepers, w);
	}
	for (unsigned int i = 0; i < d->nr_sems; i++) {
		vm->sems[i].count = d->sem_count[i];
		gfifo_init(&vm->sems[i].waiters, w);
	}
	for (unsigned int i = 0; i < d->nr_barriers; i++) {
		vm->barriers[i].parties = d->nr_threads;
		gfifo_init(&vm->barriers[i].waiters, w);
	}
	return 0;
}

static bool gop_equal(const struct gop *a, const struct gop *b)
{
	return a->kind == b->kind && a->dist == b->dist && a->obj == b->obj &&
	       a->arg == b->arg && a->kernel == b->kernel &&
	       a->irqoff == b->irqoff && a->mean_ns == b->mean_ns;
}

/*
 * Threads whose programs are equal (every client of a dbench VM, every VM
 * made from one [vm] section) share one copy: a large host then reads a
 * few programs instead of thousands, which keeps them in cache. Programs
 * are read-only during the run; the first SIM_SHARED_PROGS distinct ones
 * are shared, any further ones are used in place.
 */
static const struct gprog *prog_shared(struct sim *sim, const struct gprog *g)
{
	for (unsigned int k = 0; k < sim->nr_shared_progs; k++) {
		const struct gprog *s = sim->shared_progs[k];
		unsigned int i = 0;

		if (s->nr_ops != g->nr_ops || s->uncounted != g->uncounted)
			continue;
		while (i < g->nr_ops && gop_equal(&s->ops[i], &g->ops[i]))
			i++;
		if (i == g->nr_ops)
			return s;
	}
	if (sim->nr_shared_progs < SIM_SHARED_PROGS)
		sim->shared_progs[sim->nr_shared_progs++] = g;
	return g;
}

/* The guest threads: thread i starts on vCPU i % vCPUs, the first of each
 * vCPU running, the others queued behind it. */
static void vm_threads(struct sim *sim, struct vmsim *vm)
{
	for (unsigned int i = 0; i < vm->desc.nr_threads; i++) {
		struct gthread *t = &vm->threads[i];
		struct vsim *v = &vm->v[i % vm->nr];

		t->vm = vm;
		t->idx = (int)i;
		t->gid = (int)sim->nr_threads;
		t->vcpu = v->idx;
		t->prog = prog_shared(sim, &vm->desc.progs[i]);
		t->held_mutex = -1;
		t->rd_lock = -1;
		/* streams after every vCPU's: a thread's draws do not depend
		 * on the host's size */
		prng_seed(&t->rng, sim->cfg->seed, (1ULL << 32) + (u64)t->gid);
		sim->threads[sim->nr_threads++] = t;
		if (!v->cur)
			v->cur = t;
		else
			gfifo_push(&v->rq, t->idx);
	}
}

/* Host task @k: a [host] noise task (@t NULL) or instance @n of [task]
 * section @t, with its weight (nice), its CPU and its run/sleep cycle. */
static int hog_setup(struct sim *sim, struct hog *h,
		     const struct task_config *t, unsigned int n,
		     unsigned int k)
{
	const struct host_config *hc = &sim->cfg->host;
	int cpu = t && t->cpu >= 0 ? t->cpu : (int)(k % hc->cpus);

	sched_task_init(&sim->s, &h->task, NULL,
			t ? sched_prio_to_weight(t->nice) : NICE_0_LOAD, cpu);
	h->task.id = -(int)k - 1;
	h->cfg = t;
	h->nr = n;
	h->run_ns = t ? t->run_ns : hc->noise_run_ns;
	h->sleep_ns = t ? t->sleep_ns : hc->noise_sleep_ns;
	h->yield = t && t->yield;
	h->remaining = h->run_ns;
	h->cpu = -1;
	h->last_cpu = -1;
	if (t && t->cpu >= 0) {
		h->mask = calloc((size_t)sim->mask_words, sizeof(u64));
		if (!h->mask)
			return fail(sim, -ENOMEM, "out of memory");
		h->mask[cpu / 64] |= 1ULL << (cpu % 64);
		h->task.allowed = h->mask;
	}
	return 0;
}

/*
 * libvirt's layout: vCPU thread i of a VM runs alone in the cgroup
 * machine-qemu-N.scope/libvirt/vcpuI, at the default weight. The VM's
 * cgroup stands for both the scope and its libvirt child: the scope has no
 * other child, and a lone entity is always picked.
 */
static struct task_group *vcpu_group(struct sim *sim, struct vmsim *vm,
				     unsigned int i)
{
	char name[sizeof(vm->name) + 16];

	snprintf(name, sizeof(name), "%s/vcpu%u", vm->name, i);
	return sched_create_group(&sim->s, vm->tg, NICE_0_LOAD, name);
}

/*
 * About the bytes the run's state takes, all of it linear: per host CPU
 * its runqueue and, for every cgroup (the VMs', machine.slice and with
 * vcpu_cgroups each vCPU's), a scheduling entity and a queue (as the
 * kernel has); per vCPU its simulator, KVM and task state and CPU mask;
 * per guest thread its state and queue links; the event queue's nodes;
 * per VM the programs its workload may build (GUEST_MAX_THREADS of them,
 * allocated whole: most of the address space a vCPU takes, about 5 KiB).
 * The interrupt queues grow with what is in flight and are left out.
 * Against max RSS: 2.5 KiB per vCPU measured for 4-64 VMs of 4096
 * spinlock vCPUs (2026-12-05), 6.4 KiB estimated.
 */
static u64 run_bytes(const struct sim_config *cfg,
		     const struct guest_vm_desc *descs)
{
	u64 cpus = cfg->host.cpus, groups = 1, vcpus = 0, threads = 0, progs = 0;
	u64 mask = (cpus + 63) / 64 * sizeof(u64);

	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		u64 n = (u64)cfg->vms[i].count;

		groups += n * (1 + (cfg->host.vcpu_cgroups ?
					    cfg->vms[i].vcpus : 0));
		vcpus += n * cfg->vms[i].vcpus;
		threads += n * descs[i].nr_threads;
		progs += n * GUEST_MAX_THREADS((u64)cfg->vms[i].vcpus);
	}
	for (unsigned int i = 0; i < cfg->nr_tasks; i++)
		vcpus += cfg->tasks[i].count; /* a task is as big as a vCPU */
	return cpus * (sizeof(struct rq) + sizeof(u64) * 8) +
	       groups * (sizeof(struct task_group) +
			 cpus * (sizeof(struct sched_entity) +
				 sizeof(struct cfs_rq))) +
	       vcpus * (sizeof(struct vsim) + sizeof(struct kvm_vcpu) +
			sizeof(struct task) + mask + 4 * sizeof(struct evnode)) +
	       threads * (sizeof(struct gthread) + 2 * sizeof(int)) +
	       progs * sizeof(struct gprog);
}

/* What a run may take: the kernel's MemAvailable, and the address-space
 * and data limits (ulimit -v, -d) when they are lower */
static u64 mem_available(void)
{
	u64 avail = UINT64_MAX;
	struct rlimit rl;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long kb;

		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			avail = (u64)kb << 10;
			break;
		}
	}
	if (f)
		fclose(f);
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < avail)
		avail = rl.rlim_cur;
	if (!getrlimit(RLIMIT_DATA, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < avail)
		avail = rl.rlim_cur;
	return avail;
}

/* Refuse, before allocating anything, a run whose state would take more
 * than @limit bytes: -EINVAL with the estimate. */
static int check_memory(struct sim *sim, const struct sim_config *cfg,
			u64 limit)
{
	struct guest_vm_desc *descs = calloc(cfg->nr_vms + 1, sizeof(*descs));
	u64 need;

	if (!descs)
		return fail(sim, -ENOMEM, "out of memory");
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		const struct vm_config *c = &cfg->vms[i];
		char msg[256];

		if (workload_build(c->wl, c->wl_params, c->vcpus, &descs[i],
				   msg, sizeof(msg)))
			continue; /* vm_setup reports it */
		free(descs[i].progs);
	}
	need = run_bytes(cfg, descs);
	free(descs);
	if (need <= limit)
		return 0;
	snprintf(sim->err, sim->errlen, "the run needs about %llu MiB (its "
		 "vCPUs, guest threads and the scheduler's per-CPU state of "
		 "each cgroup), more than the %llu MiB this machine has "
		 "available; use fewer vCPUs or host CPUs",
		 (unsigned long long)(need >> 20),
		 (unsigned long long)(limit >> 20));
	return -EINVAL;
}

static int vm_setup(struct sim *sim, struct vmsim *vm,
		    const struct vm_config *c, unsigned int k, unsigned int n)
{
	char msg[256];
	int ret;

	vm->cfg = c;
	vm->nr = c->vcpus;
	if (c->count > 1)
		snprintf(vm->name, sizeof(vm->name), "%s-%u", c->name, n);
	else
		snprintf(vm->name, sizeof(vm->name), "%s", c->name);
	vm->tg = sched_create_group(&sim->s, sim->machine, c->shares, vm->name);
	vm->tasks = calloc(vm->nr, sizeof(*vm->tasks));
	vm->v = calloc(vm->nr, sizeof(*vm->v));
	if (!vm->tg || !vm->tasks || !vm->v)
		return fail(sim, -ENOMEM, "out of memory");
	ret = workload_build(c->wl, c->wl_params, vm->nr, &vm->desc, msg,
			     sizeof(msg));
	if (ret == -ENOMEM)
		return fail(sim, ret, "out of memory");
	if (ret) {
		snprintf(sim->err, sim->errlen, "vm %s: workload %s: %s",
			 c->name, c->wl->name, msg);
		return -EINVAL;
	}
	vm->threads = calloc(vm->desc.nr_threads, sizeof(*vm->threads));
	if (!vm->threads || vm_objects(vm))
		return fail(sim, -ENOMEM, "out of memory");

	for (unsigned int i = 0; i < vm->nr; i++) {
		struct vsim *v = &vm->v[i];
		int gid = (int)sim->nr_vcpus;
		int cpu = pin_mask(sim, v, c, k, i, gid);
		struct task_group *tg = vm->tg;

		if (cpu < 0)
			return fail(sim, -ENOMEM, "out of memory");
		if (sim->cfg->host.vcpu_cgroups) {
			tg = vcpu_group(sim, vm, i);
			if (!tg)
				return fail(sim, -ENOMEM, "out of memory");
		}
		sched_task_init(&sim->s, &vm->tasks[i], tg, NICE_0_LOAD, cpu);
		vm->tasks[i].id = gid;
		vm->tasks[i].allowed = v->mask;
		v->task = &vm->tasks[i];
		sim->vcpus[sim->nr_vcpus++] = v;
	}
	ret = kvm_create(&vm->kvm, &sim->s, &sim->cfg->kvm, (int)vm->nr,
			 vm->tasks);
	if (ret)
		return fail(sim, ret, "cannot create the VM");
	vm->kvm.awaited = sim_awaited_vcpu;
	vm->kvm.awaited_ctx = vm;
	for (unsigned int i = 0; i < vm->nr; i++) {
		struct vsim *v = &vm->v[i];

		v->vm = vm;
		v->idx = (int)i;
		v->gid = vm->tasks[i].id;
		v->kv = &vm->kvm.vcpus[i];
		v->cpu = -1;
		v->bucket = VT_STEAL;
		prng_seed(&v->rng, sim->cfg->seed, (u64)v->gid);
		snprintf(v->name, sizeof(v->name), "%s/vcpu%u", vm->name, i);
		gfifo_init(&v->rq, vm->rq_links);
	}
	vm_threads(sim, vm);
	return 0;
}

int sim_setup(struct sim *sim, const struct sim_config *cfg)
{
	const struct host_config *hc = &cfg->host;
	struct sched_params sp;
	unsigned int total = 0, threads = 0, k = 0, nr_tasks = 0;
	int ret;

	sim->cfg = cfg;
	if (!hc->cpus || !hc->khz || !hc->tick_ns ||
	    (!cfg->nr_vms && !cfg->nr_tasks))
		return fail(sim, -EINVAL,
			    "config needs cpus, a clock, a tick "
			    "and at least one VM or task");
	for (unsigned int i = 0; i < cfg->nr_tasks; i++) {
		if (!cfg->tasks[i].count || !cfg->tasks[i].run_ns ||
		    cfg->tasks[i].cpu >= (int)hc->cpus ||
		    cfg->tasks[i].nice < -20 || cfg->tasks[i].nice > 19)
			return fail(sim, -EINVAL,
				    "a task needs a count, a run time, nice "
				    "-20..19 and a host CPU");
		nr_tasks += cfg->tasks[i].count;
	}
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		if (!cfg->vms[i].wl || !cfg->vms[i].vcpus || !cfg->vms[i].count)
			return fail(sim, -EINVAL,
				    "a VM needs vcpus, a count "
				    "and a workload");
		sim->nr_vms += cfg->vms[i].count;
		total += cfg->vms[i].vcpus * cfg->vms[i].count;
		threads += GUEST_MAX_THREADS(cfg->vms[i].vcpus) *
			   cfg->vms[i].count;
	}
	sim->t0 = cfg->warmup_ns;
	sim->t_end = cfg->warmup_ns + cfg->duration_ns;
	ret = check_memory(sim, cfg, mem_available());
	if (ret)
		return ret;
	sim->pv_spin_ns = sim_cycles_to_ns(sim, (u64)PV_SPIN_THRESHOLD *
							hc->pause_cycles);
	sim->pv_check_ns = sim_cycles_to_ns(sim, (u64)PV_PREV_CHECK_SPINS *
							 hc->pause_cycles);
	sim->ple_gap_ns = sim_cycles_to_ns(sim, cfg->kvm.ple_gap);
	sim->mask_words = (int)((hc->cpus + 63) / 64);

	sched_params_default(&sp);
	sp.nr_cpus = hc->cpus;
	sp.tick_ns = hc->tick_ns;
	sp.base_slice_ns = hc->base_slice_ns;
	sp.llc_size = hc->llc_size;
	sp.migration_cost_ns = hc->migration_cost_ns;
	sp.newidle_cost_ns = hc->newidle_cost_ns;
	sp.seed = cfg->seed;
	ret = sched_init(&sim->s, &sp, &cfg->sched);
	if (ret)
		return fail(sim, ret, "bad host scheduler parameters");
	if (hc->machine_slice) {
		sim->machine = sched_create_group(&sim->s, NULL, NICE_0_LOAD,
						  "machine.slice");
		if (!sim->machine)
			return fail(sim, -ENOMEM, "out of memory");
	}
	sim->vms = calloc(sim->nr_vms, sizeof(*sim->vms));
	sim->vcpus = calloc(total, sizeof(*sim->vcpus));
	sim->threads = calloc(threads, sizeof(*sim->threads));
	sim->hogs = calloc(hc->noise + nr_tasks + 1, sizeof(*sim->hogs));
	sim->last_curr = calloc(hc->cpus, sizeof(*sim->last_curr));
	sim->last_vruntime = calloc(hc->cpus, sizeof(*sim->last_vruntime));
	if (!sim->vms || !sim->vcpus || !sim->threads || !sim->hogs ||
	    !sim->last_curr || !sim->last_vruntime ||
	    eventq_init(&sim->q, EVQ_WIDTH_CPU_NS / hc->cpus, EVQ_SPAN_NS))
		return fail(sim, -ENOMEM, "out of memory");
	for (unsigned int i = 0; i < cfg->nr_vms; i++) {
		for (unsigned int n = 0; n < cfg->vms[i].count; n++, k++) {
			ret = vm_setup(sim, &sim->vms[k], &cfg->vms[i], k, n);
			if (ret)
				return ret;
		}
	}
	for (unsigned int i = 0; i < hc->noise; i++, sim->nr_hogs++)
		hog_setup(sim, &sim->hogs[i], NULL, 0, i);
	for (unsigned int i = 0; i < cfg->nr_tasks; i++) {
		for (unsigned int n = 0; n < cfg->tasks[i].count; n++) {
			k = sim->nr_hogs++;
			ret = hog_setup(sim, &sim->hogs[k], &cfg->tasks[i], n,
					k);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void sim_teardown(struct sim *sim)
{
	for (unsigned int k = 0; sim->vms && k < sim->nr_vms; k++) {
		struct vmsim *vm = &sim->vms[k];

		for (unsigned int i = 0; vm->v && i < vm->nr; i++) {
			free(vm->v[i].irq.slot);
			free(vm->v[i].inflight.slot);
			free(vm->v[i].mask);
		}
		free(vm->locks);
		free(vm->rwlocks);
		free(vm->bitlocks);
		free(vm->mutexes);
		free(vm->sems);
		free(vm->barriers);
		free(vm->wait_links);
		free(vm->rq_links);
		if (vm->kvm.vcpus)
			kvm_destroy(&vm->kvm);
		free(vm->desc.progs);
		free(vm->threads);
		free(vm->v);
		free(vm->tasks);
	}
	free(sim->vms);
	free(sim->vcpus);
	free(sim->threads);
	for (unsigned int i = 0; sim->hogs && i < sim->nr_hogs; i++)
		free(sim->hogs[i].mask);
	free(sim->hogs);
	free(sim->last_curr);
	free(sim->last_vruntime);
	eventq_free(&sim->q);
	if (sim->s.rqs)
		sched_destroy(&sim->s);
}

/* Host counters as the model's statistics stand now. */
void sim_host_counters(const struct sim *sim, struct host_metrics *h)
{
	memset(h, 0, sizeof(*h));
	for (unsigned int k = 0; k < sim->nr_vms; k++) {
		const struct vmsim *vm = &sim->vms[k];

		for (unsigned int i = 0; i < vm->nr; i++)
			host_metrics_add_vcpu(h, &vm->v[i].kv->stat);
	}
	for (unsigned int cpu = 0; cpu < sim->s.nr_cpus; cpu++)
		host_metrics_add_cpu(h, &sim->s.rqs[cpu].stats);
	h->pv_yields = sim->pv_yields;
}

int sim_collect(struct sim *sim, struct sim_metrics *out)
{
	struct host_metrics *h = &out->host;

	memset(out, 0, sizeof(*out));
	/* counters over the measured span: minus what the warm-up did */
	sim_host_counters(sim, h);
	host_metrics_sub(h, &sim->base);
	h->events = sim->events;
	out->duration_ns = sim->cfg->duration_ns;
	out->nr_cpus = sim->cfg->host.cpus;
	out->vms = calloc(sim->nr_vms + 1, sizeof(*out->vms));
	if (!out->vms)
		return fail(sim, -ENOMEM, "out of memory");
	out->nr_vms = sim->nr_vms;
	out->tasks = calloc(sim->nr_hogs + 1, sizeof(*out->tasks));
	if (!out->tasks) {
		sim_metrics_free(out);
		return fail(sim, -ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < sim->nr_hogs; i++) {
		const struct hog *h = &sim->hogs[i];
		struct task_metrics *t = &out->tasks[out->nr_tasks];

		if (!h->cfg)
			continue; /* [host] noise: not reported one by one */
		*t = h->m;
		if (h->cfg->count > 1)
			snprintf(t->name, sizeof(t->name), "%s-%u",
				 h->cfg->name, h->nr);
		else
			snprintf(t->name, sizeof(t->name), "%s", h->cfg->name);
		out->nr_tasks++;
	}
	for (unsigned int k = 0; k < sim->nr_vms; k++) {
		struct vmsim *vm = &sim->vms[k];
		struct vm_metrics *m = &out->vms[k];

		snprintf(m->name, sizeof(m->name), "%s", vm->name);
		m->vcpus = vm->nr;
		m->shares = vm->cfg->shares;
		m->vcpu = calloc(vm->nr, sizeof(*m->vcpu));
		if (!m->vcpu) {
			sim_metrics_free(out);
			return fail(sim, -ENOMEM, "out of memory");
		}
		for (unsigned int i = 0; i < vm->nr; i++) {
			const struct vsim *v = &vm->v[i];

			memcpy(m->vcpu[i].t, v->t, sizeof(v->t));
			m->ops += v->ops;
			m->cpu_ns += v->cpu_ns;
		}
		m->guest = vm->guest;
		for (unsigned int i = 0; i < vm->nr; i++)
			m->guest.user_ns += vm->v[i].user_ns;
		m->throughput = out->duration_ns ?
					(double)m->ops * 1e9 /
						(double)out->duration_ns :
					0.0;
	}
	return 0;
}
