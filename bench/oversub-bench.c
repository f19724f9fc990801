// SPDX-License-Identifier: MIT
/*
 * oversub-bench: how fast the simulator is. Not a test: it prints figures,
 * it asserts nothing (bench/run.sh runs it, docs/performance.md has the
 * results). Every figure is measured in this process, one run after the
 * other on one core; ratios are against a baseline measured in the same
 * invocation. CPU time (CLOCK_PROCESS_CPUTIME_ID) is printed next to wall
 * time: on a shared machine it is the steadier of the two.
 *
 *   oversub-bench events [--workload W] [--duration D] [--repeat N]
 *	events/s of one fixed scenario: 16 host CPUs, two 16-vCPU VMs
 *   oversub-bench scale [--workload W] [--duration D] [--cpus A,B,C]
 *                       [--repeat N]
 *	16 -> 256 -> 1024 host CPUs at 2x overcommit of 16-vCPU VMs: events,
 *	wall and CPU time (each row the best of N runs), and their ratios
 *	against the first size
 *   oversub-bench cells FILE [--seed N]
 *	every (workload, VMs, policy) run of FILE's [table] for one seed:
 *	which runs dominate the table's time
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "scenario/units.h"
#include "sim/sim.h"

struct sample {
	double wall, cpu; /* seconds */
	u64 events;
	double ops; /* throughput of all VMs */
};

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const struct sim_config *cfg, struct sample *s)
{
	struct sim_metrics m;
	char err[512];
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	int ret = sim_run(cfg, NULL, false, &m, err, sizeof(err));

	s->wall = now(CLOCK_MONOTONIC) - w0;
	s->cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (ret) {
		fprintf(stderr, "oversub-bench: %s\n", err);
		return ret;
	}
	s->events = m.host.events;
	s->ops = 0;
	for (unsigned int i = 0; i < m.nr_vms; i++)
		s->ops += m.vms[i].throughput;
	sim_metrics_free(&m);
	return 0;
}

/* A host of @cpus CPUs (as in the shipped scenarios) with @nr_vms VMs of
 * 16 vCPUs running @wl with its defaults, under @preset. Large hosts have
 * several last-level caches: 16 CPUs per LLC, so wakeup placement and
 * newly-idle balancing scan one LLC as the kernel's domains do. */
static void make_config(struct sim_config *cfg, struct vm_config *vm,
			unsigned int cpus, unsigned int nr_vms,
			const struct workload *wl, const char *preset,
			u64 duration_ns)
{
	struct policy p;

	memset(cfg, 0, sizeof(*cfg));
	host_config_default(&cfg->host);
	cfg->host.cpus = cpus;
	cfg->host.llc_size = 16;
	cfg->host.noise = 2;
	cfg->host.noise_run_ns = 500 * NSEC_PER_USEC;
	cfg->host.noise_sleep_ns = 2 * NSEC_PER_MSEC;
	vm_config_default(vm);
	snprintf(vm->name, sizeof(vm->name), "guest");
	vm->vcpus = 16;
	vm->count = nr_vms;
	vm->wl = wl;
	for (unsigned int k = 0; k < wl->nr_params; k++)
		vm->wl_params[k] = wl->params[k].def;
	policy_preset(&p, preset);
	cfg->vms = vm;
	cfg->nr_vms = 1;
	cfg->sched = p.sched;
	cfg->kvm = p.kvm;
	cfg->duration_ns = duration_ns;
	cfg->warmup_ns = duration_ns / 10;
	cfg->seed = 1;
}

struct args {
	const char *workload;
	u64 duration_ns;
	unsigned int repeat;
	const char *cpus;
	const char *file;
	u64 seed;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		u64 n;

		if (!strcmp(argv[i], "--workload") && v) {
			a->workload = v;
		} else if (!strcmp(argv[i], "--duration") && v) {
			if (parse_duration_ns(v, &a->duration_ns) ||
			    !a->duration_ns)
				return -EINVAL;
		} else if (!strcmp(argv[i], "--repeat") && v) {
			if (parse_u64(v, &n) || !n || n > 100)
				return -EINVAL;
			a->repeat = (unsigned int)n;
		} else if (!strcmp(argv[i], "--cpus") && v) {
			a->cpus = v;
		} else if (!strcmp(argv[i], "--seed") && v) {
			if (parse_u64(v, &a->seed))
				return -EINVAL;
		} else if (argv[i][0] != '-' && !a->file) {
			a->file = argv[i];
			continue;
		} else {
			return -EINVAL;
		}
		i++;
	}
	return 0;
}

static const struct workload *pick_workload(const char *name)
{
	const struct workload *wl = workload_find(name);

	if (!wl)
		fprintf(stderr, "oversub-bench: no workload '%s'\n", name);
	return wl;
}

static int bench_events(const struct args *a)
{
	const struct workload *wl = pick_workload(a->workload);
	struct sim_config cfg;
	struct vm_config vm;
	struct sample s, best = { 0 };
	double sum_ev = 0, sum_cpu = 0;

	if (!wl)
		return 1;
	make_config(&cfg, &vm, 16, 2, wl, "series-v2", a->duration_ns);
	printf("events: 16 host CPUs, 2 VMs x 16 vCPUs, %s, series-v2, "
	       "%.3f s simulated (+10%% warm-up), seed 1, %u runs\n",
	       wl->name, (double)a->duration_ns / 1e9, a->repeat);
	printf("  %-4s %12s %9s %9s %14s\n", "run", "events", "wall s", "cpu s",
	       "events/s (cpu)");
	for (unsigned int r = 0; r < a->repeat; r++) {
		if (run(&cfg, &s))
			return 1;
		printf("  %-4u %12" PRIu64 " %9.3f %9.3f %14.0f\n", r + 1,
		       s.events, s.wall, s.cpu, s.events / s.cpu);
		sum_ev += (double)s.events;
		sum_cpu += s.cpu;
		if (!r || s.cpu < best.cpu)
			best = s;
	}
	printf("events/s: %.2f M (best run, CPU time), %.2f M (mean)\n",
	       best.events / best.cpu / 1e6, sum_ev / sum_cpu / 1e6);
	return 0;
}

static int bench_scale(const struct args *a)
{
	const struct workload *wl = pick_workload(a->workload);
	unsigned int cpus[8], n = 0;
	struct sample base = { 0 };
	char *list, *tok, *save = NULL;

	if (!wl)
		return 1;
	list = strdup(a->cpus);
	for (tok = strtok_r(list, ",", &save); tok && n < 8;
	     tok = strtok_r(NULL, ",", &save)) {
		u64 v;

		if (parse_u64(tok, &v) || v < 16 || v % 16 || v > 65536) {
			fprintf(stderr,
				"oversub-bench: --cpus: multiples of 16, got "
				"'%s'\n",
				tok);
			free(list);
			return 2;
		}
		cpus[n++] = (unsigned int)v;
	}
	free(list);
	printf("scale: 2x overcommit (2 x cpus/16 VMs of 16 vCPUs), %s, "
	       "series-v2, %.3f s simulated (+10%% warm-up), seed 1, best of "
	       "%u runs per row\n",
	       wl->name, (double)a->duration_ns / 1e9, a->repeat);
	printf("  %5s %5s %7s %12s %9s %9s %11s %8s %8s %8s %9s\n", "cpus",
	       "VMs", "vCPUs", "events", "wall s", "cpu s", "events/s",
	       "events x", "wall x", "cpu x", "cpu/event");
	for (unsigned int i = 0; i < n; i++) {
		struct sim_config cfg;
		struct vm_config vm;
		struct sample s;
		double ex, wx, cx;

		make_config(&cfg, &vm, cpus[i], 2 * cpus[i] / 16, wl,
			    "series-v2", a->duration_ns);
		/* the first size once unmeasured: first-touch costs */
		if (!i && run(&cfg, &s))
			return 1;
		/* the best of --repeat runs: the machine's noise only ever
		 * adds time */
		for (unsigned int r = 0; r < a->repeat; r++) {
			struct sample t;

			if (run(&cfg, &t))
				return 1;
			if (!r || t.cpu < s.cpu)
				s = t;
		}
		if (!i)
			base = s;
		ex = (double)s.events / (double)base.events;
		wx = s.wall / base.wall;
		cx = s.cpu / base.cpu;
		printf("  %5u %5u %7u %12" PRIu64
		       " %9.3f %9.3f %11.0f %8.2f %8.2f %8.2f %9.2f\n",
		       cpus[i], vm.count, vm.count * 16, s.events, s.wall,
		       s.cpu, s.events / s.cpu, ex, wx, cx, cx / ex);
	}
	printf("(x: ratio to the first row; cpu/event: cpu x / events x, 1.00 "
	       "= time grows exactly as the events do)\n");
	return 0;
}

static int bench_cells(const struct args *a)
{
	struct scenario sc;
	const struct table_spec *t;
	char err[1024];
	double total_cpu = 0, total_wall = 0;
	int ret = 0;

	if (!a->file) {
		fprintf(stderr, "oversub-bench cells: needs a scenario FILE\n");
		return 2;
	}
	if (scenario_load(a->file, &sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	t = sc.table;
	if (!t) {
		fprintf(stderr, "%s: no [table] section\n", a->file);
		scenario_free(&sc);
		return 2;
	}
	printf("cells: %s, seed %" PRIu64 ", one run per (workload, VMs, "
	       "policy)\n",
	       a->file, a->seed);
	printf("  %-14s %4s %-12s %12s %9s %9s %11s\n", "workload", "VMs",
	       "policy", "events", "wall s", "cpu s", "events/s");
	for (unsigned int w = 0; w < t->nr_wl && !ret; w++) {
		for (unsigned int v = 0; v < t->nr_vms && !ret; v++) {
			/* the table's runs: its presets, then the oracle */
			const char *pol[3 + TABLE_MAX_ATTRIBUTION];
			unsigned int np = 0;

			pol[np++] = t->baseline;
			pol[np++] = t->patched;
			for (unsigned int k = 0; k < t->nr_attribution; k++)
				pol[np++] = t->attribution[k];
			pol[np++] = "oracle";
			for (unsigned int p = 0; p < np && !ret; p++) {
				struct sim_config cfg = sc.cfg;
				struct vm_config vm = sc.cfg.vms[0];
				bool oracle = p + 1 == np;
				struct policy pp;
				struct sample s;

				vm.wl = t->wl[w];
				vm.count = t->vms[v];
				for (unsigned int k = 0; k < vm.wl->nr_params;
				     k++)
					vm.wl_params[k] = vm.wl->params[k].def;
				if (scenario_policy(&sc, oracle ? pol[0] : pol[p],
						    &pp, err, sizeof(err))) {
					fprintf(stderr, "%s: policy %s: %s\n",
						a->file, pol[p], err);
					ret = 1;
					break;
				}
				pp.kvm.oracle_yield |= oracle;
				cfg.vms = &vm;
				cfg.nr_vms = 1;
				cfg.sched = pp.sched;
				cfg.kvm = pp.kvm;
				cfg.seed = a->seed;
				ret = run(&cfg, &s);
				if (ret)
					break;
				total_cpu += s.cpu;
				total_wall += s.wall;
				printf("  %-14s %4u %-12s %12" PRIu64
				       " %9.3f %9.3f %11.0f\n",
				       vm.wl->name, vm.count, pol[p], s.events,
				       s.wall, s.cpu, s.events / s.cpu);
				fflush(stdout);
			}
		}
	}
	if (!ret)
		printf("total for one seed: %.2f s wall, %.2f s CPU; x%u "
		       "seeds = %.1f s CPU, /2 cores = %.1f s\n",
		       total_wall, total_cpu, sc.nr_seeds,
		       total_cpu * sc.nr_seeds, total_cpu * sc.nr_seeds / 2);
	scenario_free(&sc);
	return ret ? 1 : 0;
}

static void usage(FILE *f)
{
	fputs("usage: oversub-bench events [--workload W] [--duration D] "
	      "[--repeat N]\n"
	      "       oversub-bench scale [--workload W] [--duration D] "
	      "[--cpus 16,256,1024] [--repeat N]\n"
	      "       oversub-bench cells FILE [--seed N]\n",
	      f);
}

int main(int argc, char **argv)
{
	struct args a = {
		.workload = "spinlock",
		.duration_ns = NSEC_PER_SEC,
		.repeat = 3,
		.cpus = "16,256,1024",
		.seed = 1,
	};

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (parse_args(argc, argv, &a)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "events"))
		return bench_events(&a);
	if (!strcmp(argv[1], "scale"))
		return bench_scale(&a);
	if (!strcmp(argv[1], "cells"))
		return bench_cells(&a);
	usage(stderr);
	return 2;
}
