/* SPDX-License-Identifier: MIT */
/*
 * The harness of the end-to-end tests: a small host and one VM section
 * set up in code, a test workload whose threads run one given program,
 * and the run with its vCPU-time fractions.
 */
#ifndef OVERSUB_TEST_E2E_H
#define OVERSUB_TEST_E2E_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "scenario/policy.h"
#include "sim/sim.h"

#define MS(x) ((u64)(x)*NSEC_PER_MSEC)
#define US(x) ((u64)(x)*NSEC_PER_USEC)

/* A workload whose every thread runs the same program, for tests. */
static struct gprog tmpl;
static struct guest_vm_desc tmpl_objs;
static unsigned int tmpl_threads_per_vcpu = 1;

static inline int tmpl_build(const u64 *p, unsigned int nr,
			     struct guest_vm_desc *out, char *err,
			     size_t errlen)
{
	(void)p;
	(void)err;
	(void)errlen;
	out->nr_threads = nr * tmpl_threads_per_vcpu;
	for (unsigned int i = 0; i < out->nr_threads; i++)
		out->progs[i] = tmpl;
	out->nr_spinlocks = tmpl_objs.nr_spinlocks;
	out->nr_mutexes = tmpl_objs.nr_mutexes;
	out->nr_sems = tmpl_objs.nr_sems;
	out->nr_barriers = tmpl_objs.nr_barriers;
	return 0;
}

static const struct workload tmpl_wl = { .name = "test",
					.build = tmpl_build,
					.unit = "op" };

static inline void prog(const struct gop *ops, unsigned int n)
{
	memcpy(tmpl.ops, ops, n * sizeof(*ops));
	tmpl.nr_ops = n;
	memset(&tmpl_objs, 0, sizeof(tmpl_objs));
	tmpl_threads_per_vcpu = 1;
}

struct run {
	struct sim_config c;
	struct vm_config vm;
	struct sim_metrics m;
	double frac[VT_NR]; /* of all vCPU time */
};

static inline void setup(struct run *r, unsigned int cpus, unsigned int vcpus,
			 unsigned int count, const struct workload *wl,
			 const char *preset)
{
	struct policy p;

	memset(r, 0, sizeof(*r));
	host_config_default(&r->c.host);
	r->c.host.cpus = cpus;
	vm_config_default(&r->vm);
	strcpy(r->vm.name, "vm");
	r->vm.vcpus = vcpus;
	r->vm.count = count;
	r->vm.wl = wl;
	for (unsigned int i = 0; i < wl->nr_params; i++)
		r->vm.wl_params[i] = wl->params[i].def;
	r->c.vms = &r->vm;
	r->c.nr_vms = 1;
	assert_int_equal(policy_preset(&p, preset), 0);
	r->c.sched = p.sched;
	r->c.kvm = p.kvm;
	r->c.duration_ns = MS(200);
	r->c.warmup_ns = MS(20);
	r->c.seed = 1;
}

static inline void run(struct run *r, bool check)
{
	char err[256] = "";
	u64 all = 0, t[VT_NR] = { 0 };

	if (sim_run(&r->c, NULL, check, &r->m, err, sizeof(err)))
		fail_msg("sim_run: %s", err);
	for (unsigned int k = 0; k < r->m.nr_vms; k++)
		for (unsigned int i = 0; i < r->m.vms[k].vcpus; i++)
			for (int b = 0; b < VT_NR; b++)
				t[b] += r->m.vms[k].vcpu[i].t[b];
	for (int b = 0; b < VT_NR; b++)
		all += t[b];
	for (int b = 0; b < VT_NR; b++)
		r->frac[b] = (double)t[b] / (double)all;
	print_message(
		"# %s: ops %llu work %.3f spin %.3f ipi %.3f halt %.3f "
		"steal %.3f exit %.3f poll %.3f ple %llu yields %llu/%llu "
		"kicks %llu tracked %llu tlbdef %llu\n",
		r->vm.wl->name, (unsigned long long)r->m.vms[0].ops,
		r->frac[VT_WORK], r->frac[VT_SPIN], r->frac[VT_IPI_WAIT],
		r->frac[VT_HALTED], r->frac[VT_STEAL], r->frac[VT_EXIT],
		r->frac[VT_POLL], (unsigned long long)r->m.host.ple_exits,
		(unsigned long long)r->m.host.yield_successes,
		(unsigned long long)r->m.host.yield_attempts,
		(unsigned long long)r->m.host.kicks,
		(unsigned long long)r->m.host.ipis_tracked,
		(unsigned long long)r->m.host.tlb_flush_deferred);
}

/* Halted in the guest's view: blocked, or polling in kvm_vcpu_halt(). */
static inline double idle_frac(const struct run *r)
{
	return r->frac[VT_HALTED] + r->frac[VT_POLL];
}

static inline void done(struct run *r)
{
	sim_metrics_free(&r->m);
}

static inline const struct workload *wl(const char *name)
{
	const struct workload *w = workload_find(name);

	assert_non_null(w);
	return w;
}

#endif
