// SPDX-License-Identifier: MIT
/*
 * The JSON report (jansson): every run with all its numbers, plus the
 * summary over the seeds; for compare, one such object per policy with the
 * change of each VM's throughput against the first policy. Dumped with
 * sorted keys and a fixed real precision so equal inputs give equal bytes.
 */
#include <errno.h>
#include <stdlib.h>

#include "report/report.h"

#define JSON_FLAGS (JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(12))

/* json_object_set_new that remembers a failure in @ok. */
static void jset(json_t *o, const char *key, json_t *v, bool *ok)
{
	if (!v || !o || json_object_set_new(o, key, v))
		*ok = false;
}

static void jappend(json_t *a, json_t *v, bool *ok)
{
	if (!v || !a || json_array_append_new(a, v))
		*ok = false;
}

static json_t *json_buckets(const u64 *t, bool *ok)
{
	json_t *o = json_object();

	for (int k = 0; k < VT_NR; k++)
		jset(o, vcpu_time_keys[k], json_integer((json_int_t)t[k]), ok);
	return o;
}

static json_t *json_pct(const double *pct, bool *ok)
{
	json_t *o = json_object();

	for (int k = 0; k < VT_NR; k++)
		jset(o, vcpu_time_keys[k], json_real(pct[k]), ok);
	return o;
}

static json_t *json_host(const struct host_metrics *h, bool *ok)
{
	json_t *o = json_object();

	for (size_t i = 0; i < nr_host_counters; i++)
		jset(o, host_counters[i].key,
		     json_integer((
			     json_int_t)host_counter_get(h, &host_counters[i])),
		     ok);
	return o;
}

static json_t *json_vm(const struct vm_metrics *vm, double ent, double share,
		       bool *ok)
{
	json_t *o = json_object(), *vc = json_array();
	u64 sum[VT_NR] = { 0 };

	jset(o, "name", json_string(vm->name), ok);
	jset(o, "vcpus", json_integer(vm->vcpus), ok);
	jset(o, "shares", json_integer((json_int_t)vm->shares), ok);
	jset(o, "ops", json_integer((json_int_t)vm->ops), ok);
	jset(o, "throughput", json_real(vm->throughput), ok);
	jset(o, "cpu_ns", json_integer((json_int_t)vm->cpu_ns), ok);
	jset(o, "entitlement_ns", json_real(ent), ok);
	jset(o, "share", json_real(share), ok);
	for (unsigned int c = 0; vm->vcpu && c < vm->vcpus; c++) {
		jappend(vc, json_buckets(vm->vcpu[c].t, ok), ok);
		for (int k = 0; k < VT_NR; k++)
			sum[k] += vm->vcpu[c].t[k];
	}
	jset(o, "time_ns", json_buckets(sum, ok), ok);
	jset(o, "vcpu_time_ns", vc, ok);
	return o;
}

static json_t *json_task(const struct task_metrics *t, bool *ok)
{
	json_t *o = json_object();

	jset(o, "name", json_string(t->name), ok);
	jset(o, "cpu_ns", json_integer((json_int_t)t->cpu_ns), ok);
	jset(o, "runs", json_integer((json_int_t)t->runs), ok);
	jset(o, "wakeups", json_integer((json_int_t)t->wakeups), ok);
	jset(o, "wakeup_ns", json_integer((json_int_t)t->wakeup_ns), ok);
	jset(o, "yields", json_integer((json_int_t)t->yields), ok);
	jset(o, "migrations", json_integer((json_int_t)t->migrations), ok);
	return o;
}

static json_t *json_one_run(const struct sim_metrics *m, u64 seed, bool *ok)
{
	unsigned int n = m->nr_vms ? m->nr_vms : 1;
	double *ent = calloc(n, sizeof(*ent));
	double *share = calloc(n, sizeof(*share));
	json_t *o = json_object(), *vms = json_array();
	double jain;

	if (!ent || !share) {
		free(ent);
		free(share);
		*ok = false;
		json_decref(o);
		json_decref(vms);
		return NULL;
	}
	jain = fairness_compute(m, ent, share);
	jset(o, "seed", json_integer((json_int_t)seed), ok);
	jset(o, "duration_ns", json_integer((json_int_t)m->duration_ns), ok);
	jset(o, "cpus", json_integer(m->nr_cpus), ok);
	jset(o, "host", json_host(&m->host, ok), ok);
	jset(o, "jain", json_real(jain), ok);
	for (unsigned int v = 0; v < m->nr_vms; v++)
		jappend(vms, json_vm(&m->vms[v], ent[v], share[v], ok), ok);
	jset(o, "vms", vms, ok);
	if (m->nr_tasks) {
		json_t *tasks = json_array();

		for (unsigned int t = 0; t < m->nr_tasks; t++)
			jappend(tasks, json_task(&m->tasks[t], ok), ok);
		jset(o, "tasks", tasks, ok);
	}
	free(ent);
	free(share);
	return o;
}

static json_t *json_mean_sd(const struct mean_sd *x, bool *ok)
{
	json_t *o = json_object();

	jset(o, "mean", json_real(x->mean), ok);
	jset(o, "stddev", json_real(x->sd), ok);
	jset(o, "min", json_real(x->min), ok);
	jset(o, "max", json_real(x->max), ok);
	return o;
}

/* @base: the baseline's summary for compare, NULL for run. */
static json_t *json_summary(const struct set_summary *sum,
			    const struct set_summary *base, bool *ok)
{
	json_t *o = json_object(), *vms = json_array(), *host = json_object();

	jset(o, "runs", json_integer(sum->nr_runs), ok);
	jset(o, "jain", json_mean_sd(&sum->jain, ok), ok);
	for (size_t h = 0; h < nr_host_counters; h++)
		jset(host, host_counters[h].key, json_real(sum->host[h]), ok);
	jset(o, "host_mean", host, ok);
	for (unsigned int v = 0; v < sum->nr_vms; v++) {
		const struct vm_summary *vm = &sum->vms[v];
		json_t *j = json_object();

		jset(j, "name", json_string(vm->name), ok);
		jset(j, "throughput", json_mean_sd(&vm->throughput, ok), ok);
		jset(j, "share_mean", json_real(vm->share), ok);
		jset(j, "time_pct", json_pct(vm->pct, ok), ok);
		if (base) {
			double pct, spread;

			mean_sd_change(&base->vms[v].throughput,
				       &vm->throughput, &pct, &spread);
			jset(j, "change_pct", json_real(pct), ok);
			jset(j, "change_spread_pct", json_real(spread), ok);
		}
		jappend(vms, j, ok);
	}
	jset(o, "vms", vms, ok);
	if (sum->nr_tasks) {
		json_t *tasks = json_array();

		for (unsigned int t = 0; t < sum->nr_tasks; t++) {
			const struct task_summary *ts = &sum->tasks[t];
			json_t *j = json_object();

			jset(j, "name", json_string(ts->name), ok);
			jset(j, "cpu", json_real(ts->cpu), ok);
			jset(j, "runs_per_s", json_real(ts->runs_per_s), ok);
			jset(j, "run_us", json_real(ts->run_us), ok);
			jset(j, "wakeup_us", json_real(ts->wakeup_us), ok);
			jset(j, "yields_per_s", json_real(ts->yields_per_s),
			     ok);
			jset(j, "migrations_per_s",
			     json_real(ts->migrations_per_s), ok);
			jappend(tasks, j, ok);
		}
		jset(o, "tasks", tasks, ok);
	}
	return o;
}

static json_t *json_set(const struct report_set *s,
			const struct set_summary *sum,
			const struct set_summary *base, bool *ok)
{
	json_t *o = json_object(), *runs = json_array();

	jset(o, "policy", json_string(s->policy), ok);
	for (unsigned int r = 0; r < s->nr_runs; r++)
		jappend(runs, json_one_run(&s->runs[r], s->seeds[r], ok), ok);
	jset(o, "runs", runs, ok);
	jset(o, "summary", json_summary(sum, base, ok), ok);
	return o;
}

json_t *report_json_run(const struct report_set *s, const struct report_opts *o)
{
	struct set_summary sum;
	char err[256];
	bool ok = true;
	json_t *j;

	if (set_summarize(s, &sum, err, sizeof(err)))
		return NULL;
	j = json_set(s, &sum, NULL, &ok);
	jset(j, "scenario", json_string(o->scenario ? o->scenario : ""), &ok);
	set_summary_free(&sum);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *report_json_compare(const struct report_set *sets, unsigned int nr,
			    const struct report_opts *o)
{
	struct set_summary *sum;
	json_t *j = json_object(), *pol = json_array();
	char err[256];
	bool ok = true;

	sum = nr ? report_summarize_sets(sets, nr, err, sizeof(err)) : NULL;
	if (!sum) {
		json_decref(j);
		json_decref(pol);
		return NULL;
	}
	jset(j, "scenario", json_string(o->scenario ? o->scenario : ""), &ok);
	jset(j, "baseline", json_string(sets[0].policy), &ok);
	for (unsigned int p = 0; p < nr; p++)
		jappend(pol,
			json_set(&sets[p], &sum[p], p ? &sum[0] : NULL, &ok),
			&ok);
	jset(j, "policies", pol, &ok);
	report_summaries_free(sum, nr);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int report_json_dump(FILE *f, const json_t *j)
{
	if (json_dumpf(j, f, JSON_FLAGS))
		return -EIO;
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}
