// SPDX-License-Identifier: MIT
/*
 * Aggregation over the seeds of a scenario: per VM the mean and spread of
 * its throughput, its mean CPU share, and its time breakdown pooled over
 * vCPUs and seeds; host counters and Jain's index averaged.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"
#include "report/report.h"

void mean_sd_compute(const double *x, unsigned int n, struct mean_sd *out)
{
	double sum = 0, sq = 0;

	memset(out, 0, sizeof(*out));
	out->n = n;
	if (!n)
		return;
	out->min = out->max = x[0];
	for (unsigned int i = 0; i < n; i++) {
		sum += x[i];
		out->min = x[i] < out->min ? x[i] : out->min;
		out->max = x[i] > out->max ? x[i] : out->max;
	}
	out->mean = sum / n;
	if (n < 2)
		return;
	for (unsigned int i = 0; i < n; i++)
		sq += (x[i] - out->mean) * (x[i] - out->mean);
	out->sd = sqrt(sq / (n - 1));
}

void mean_sd_change(const struct mean_sd *base, const struct mean_sd *x,
		    double *pct, double *spread)
{
	double r, rel;

	if (!(base->mean > 0)) {
		*pct = 0;
		*spread = 0;
		return;
	}
	r = x->mean / base->mean;
	rel = (base->sd / base->mean) * (base->sd / base->mean);
	if (x->mean > 0)
		rel += (x->sd / x->mean) * (x->sd / x->mean);
	*pct = (r - 1) * 100;
	*spread = r * sqrt(rel) * 100;
}

void set_summary_free(struct set_summary *sum)
{
	if (sum->vms)
		for (unsigned int i = 0; i < sum->nr_vms; i++)
			free(sum->vms[i].vcpu_pct);
	free(sum->vms);
	free(sum->tasks);
	free(sum->host);
	memset(sum, 0, sizeof(*sum));
}

static int check_runs(const struct report_set *s, char *err, size_t errlen)
{
	const struct sim_metrics *a = &s->runs[0];

	for (unsigned int r = 1; r < s->nr_runs; r++) {
		const struct sim_metrics *b = &s->runs[r];

		if (b->nr_vms != a->nr_vms) {
			snprintf(err, errlen, "run %u has %u VMs, run 0 has %u",
				 r, b->nr_vms, a->nr_vms);
			return -EINVAL;
		}
		if (b->nr_tasks != a->nr_tasks) {
			snprintf(err, errlen,
				 "run %u has %u host tasks, run 0 has %u", r,
				 b->nr_tasks, a->nr_tasks);
			return -EINVAL;
		}
		for (unsigned int v = 0; v < a->nr_vms; v++) {
			if (strcmp(a->vms[v].name, b->vms[v].name) ||
			    a->vms[v].vcpus != b->vms[v].vcpus) {
				snprintf(
					err, errlen,
					"run %u: VM %u is %s (%u vCPUs), run 0 has %s (%u vCPUs)",
					r, v, b->vms[v].name, b->vms[v].vcpus,
					a->vms[v].name, a->vms[v].vcpus);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Pool one vCPU's buckets of every run into @t. */
static void pool_vcpu(const struct report_set *s, unsigned int v,
		      unsigned int c, double *t)
{
	for (unsigned int r = 0; r < s->nr_runs; r++) {
		const struct vm_metrics *vm = &s->runs[r].vms[v];

		if (vm->vcpu)
			for (int k = 0; k < VT_NR; k++)
				t[k] += (double)vm->vcpu[c].t[k];
	}
}

void vm_time_add(const struct vm_metrics *vm, double t[VT_NR])
{
	for (unsigned int c = 0; vm->vcpu && c < vm->vcpus; c++)
		for (int k = 0; k < VT_NR; k++)
			t[k] += (double)vm->vcpu[c].t[k];
}

void time_to_pct(const double t[VT_NR], double pct[VT_NR])
{
	double sum = 0;

	for (int k = 0; k < VT_NR; k++)
		sum += t[k];
	for (int k = 0; k < VT_NR; k++)
		pct[k] = sum > 0 ? t[k] * 100 / sum : 0;
}

static int summarize_vm(const struct report_set *s, unsigned int v,
			double *const *ent, double *const *share,
			struct vm_summary *out)
{
	const struct vm_metrics *vm0 = &s->runs[0].vms[v];
	unsigned int n = s->nr_runs;
	__free(free) double *tp = calloc(n, sizeof(*tp));
	double total[VT_NR] = { 0 };

	out->vcpu_pct =
		calloc(vm0->vcpus ? vm0->vcpus : 1, sizeof(*out->vcpu_pct));
	if (!tp || !out->vcpu_pct)
		return -ENOMEM;
	out->name = vm0->name;
	out->vcpus = vm0->vcpus;
	out->shares = vm0->shares;
	for (unsigned int r = 0; r < n; r++) {
		const struct vm_metrics *vm = &s->runs[r].vms[v];

		tp[r] = vm->throughput;
		out->ops += (double)vm->ops / n;
		out->cpu_ns += (double)vm->cpu_ns / n;
		out->entitlement_ns += ent[r][v] / n;
		out->share += share[r][v] / n;
	}
	mean_sd_compute(tp, n, &out->throughput);
	for (unsigned int c = 0; c < vm0->vcpus; c++) {
		double t[VT_NR] = { 0 };

		pool_vcpu(s, v, c, t);
		time_to_pct(t, out->vcpu_pct[c]);
		for (int k = 0; k < VT_NR; k++)
			total[k] += t[k];
	}
	time_to_pct(total, out->pct);
	return 0;
}

static void free_rows(double **rows, unsigned int n)
{
	if (!rows)
		return;
	for (unsigned int i = 0; i < n; i++)
		free(rows[i]);
	free(rows);
}

/* Host task @t over the runs of @s: means. */
static void summarize_task(const struct report_set *s, unsigned int t,
			   struct task_summary *out)
{
	double cpu = 0, runs = 0, wake = 0, wakeups = 0, yields = 0, mig = 0;
	double secs = 0;

	out->name = s->runs[0].tasks[t].name;
	for (unsigned int r = 0; r < s->nr_runs; r++) {
		const struct task_metrics *m = &s->runs[r].tasks[t];

		cpu += (double)m->cpu_ns;
		runs += (double)m->runs;
		wake += (double)m->wakeup_ns;
		wakeups += (double)m->wakeups;
		yields += (double)m->yields;
		mig += (double)m->migrations;
		secs += (double)s->runs[r].duration_ns;
	}
	if (secs <= 0)
		return;
	out->cpu = cpu / secs;
	secs /= 1e9;
	out->runs_per_s = runs / secs;
	out->run_us = runs > 0 ? cpu / runs / 1000.0 : 0;
	out->wakeup_us = wakeups > 0 ? wake / wakeups / 1000.0 : 0;
	out->yields_per_s = yields / secs;
	out->migrations_per_s = mig / secs;
}

int set_summarize(const struct report_set *s, struct set_summary *out,
		  char *err, size_t errlen)
{
	unsigned int n = s->nr_runs, nv;
	double **ent, **share;
	__free(free) double *jain = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!n) {
		snprintf(err, errlen, "policy %s: no runs", s->policy);
		return -EINVAL;
	}
	ret = check_runs(s, err, errlen);
	if (ret)
		return ret;
	nv = s->runs[0].nr_vms;
	out->nr_runs = n;
	out->nr_vms = nv;
	out->nr_cpus = s->runs[0].nr_cpus;
	out->duration_ns = s->runs[0].duration_ns;
	out->vms = calloc(nv ? nv : 1, sizeof(*out->vms));
	out->nr_tasks = s->runs[0].nr_tasks;
	out->tasks = calloc(out->nr_tasks + 1, sizeof(*out->tasks));
	out->host = calloc(nr_host_counters, sizeof(*out->host));
	jain = calloc(n, sizeof(*jain));
	ent = calloc(n, sizeof(*ent));
	share = calloc(n, sizeof(*share));
	if (!out->vms || !out->tasks || !out->host || !jain || !ent || !share) {
		ret = -ENOMEM;
	} else {
		for (unsigned int r = 0; r < n && !ret; r++) {
			ent[r] = calloc(nv ? nv : 1, sizeof(**ent));
			share[r] = calloc(nv ? nv : 1, sizeof(**share));
			if (!ent[r] || !share[r]) {
				ret = -ENOMEM;
				break;
			}
			jain[r] =
				fairness_compute(&s->runs[r], ent[r], share[r]);
			for (size_t h = 0; h < nr_host_counters; h++)
				out->host[h] += (double)host_counter_get(
							&s->runs[r].host,
							&host_counters[h]) /
						n;
		}
	}
	for (unsigned int v = 0; v < nv && !ret; v++)
		ret = summarize_vm(s, v, ent, share, &out->vms[v]);
	for (unsigned int t = 0; t < out->nr_tasks && !ret; t++)
		summarize_task(s, t, &out->tasks[t]);
	if (!ret)
		mean_sd_compute(jain, n, &out->jain);
	free_rows(ent, n);
	free_rows(share, n);
	if (ret) {
		set_summary_free(out);
		snprintf(err, errlen, "out of memory");
	}
	return ret;
}
