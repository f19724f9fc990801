// SPDX-License-Identifier: MIT
/*
 * The text report of one scenario under one policy: per VM throughput and
 * CPU share against entitlement, the time breakdown, host counters and
 * Jain's index. Over several seeds it shows means (and the spread of
 * throughput); the JSON and CSV reports keep every run.
 */
#include <errno.h>
#include <inttypes.h>

#include "report/grid.h"
#include "report/report.h"

/* "seed 7" or "3 seeds (1, 2, 3)" */
void report_print_seeds(FILE *f, const struct report_set *s)
{
	if (s->nr_runs == 1) {
		fprintf(f, "seed %" PRIu64, s->seeds[0]);
		return;
	}
	fprintf(f, "%u seeds (", s->nr_runs);
	for (unsigned int i = 0; i < s->nr_runs; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", s->seeds[i]);
	fputc(')', f);
}

static int table_vms(FILE *f, const struct set_summary *sum)
{
	bool multi = sum->nr_runs > 1;
	struct grid g;

	grid_init(&g, multi ? 9 : 8);
	grid_cell(&g, "VM");
	grid_cell(&g, "vCPUs");
	grid_cell(&g, "shares");
	grid_cell(&g, "ops");
	grid_cell(&g, "ops/s");
	if (multi)
		grid_cell(&g, "sd");
	grid_cell(&g, "CPU ms");
	grid_cell(&g, "entitled ms");
	grid_cell(&g, "share");
	grid_row_end(&g);
	for (unsigned int v = 0; v < sum->nr_vms; v++) {
		const struct vm_summary *vm = &sum->vms[v];

		grid_cell(&g, "%s", vm->name);
		grid_cell(&g, "%u", vm->vcpus);
		grid_cell(&g, "%lu", vm->shares);
		grid_cell(&g, multi ? "%.1f" : "%.0f", vm->ops);
		grid_cell(&g, "%.1f", vm->throughput.mean);
		if (multi)
			grid_cell(&g, "%.1f", vm->throughput.sd);
		grid_cell(&g, "%.1f", vm->cpu_ns / 1e6);
		grid_cell(&g, "%.1f", vm->entitlement_ns / 1e6);
		grid_cell(&g, "%.3f", vm->share);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

static int table_tasks(FILE *f, const struct set_summary *sum)
{
	struct grid g;

	grid_init(&g, 7);
	grid_cell(&g, "task");
	grid_cell(&g, "CPU");
	grid_cell(&g, "runs/s");
	grid_cell(&g, "run us");
	grid_cell(&g, "wakeup us");
	grid_cell(&g, "yields/s");
	grid_cell(&g, "migrations/s");
	grid_row_end(&g);
	for (unsigned int t = 0; t < sum->nr_tasks; t++) {
		const struct task_summary *ts = &sum->tasks[t];

		grid_cell(&g, "%s", ts->name);
		grid_cell(&g, "%.4f", ts->cpu);
		grid_cell(&g, "%.1f", ts->runs_per_s);
		grid_cell(&g, "%.1f", ts->run_us);
		grid_cell(&g, "%.1f", ts->wakeup_us);
		grid_cell(&g, "%.1f", ts->yields_per_s);
		grid_cell(&g, "%.2f", ts->migrations_per_s);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

static void breakdown_row(struct grid *g, const char *name, const double *pct)
{
	grid_cell(g, "%s", name);
	for (int k = 0; k < VT_NR; k++)
		grid_cell(g, "%.1f", pct[k]);
	grid_row_end(g);
}

static int table_breakdown(FILE *f, const struct set_summary *sum,
			   bool per_vcpu)
{
	struct grid g;

	grid_init(&g, 1 + VT_NR);
	grid_cell(&g, "VM");
	for (int k = 0; k < VT_NR; k++)
		grid_cell(&g, "%s", vcpu_time_names[k]);
	grid_row_end(&g);
	for (unsigned int v = 0; v < sum->nr_vms; v++) {
		const struct vm_summary *vm = &sum->vms[v];

		breakdown_row(&g, vm->name, vm->pct);
		for (unsigned int c = 0; per_vcpu && c < vm->vcpus; c++) {
			char name[32];

			snprintf(name, sizeof(name), "  vcpu%u", c);
			breakdown_row(&g, name, vm->vcpu_pct[c]);
		}
	}
	return grid_print(f, &g, 2);
}

static int table_host(FILE *f, const struct set_summary *sum)
{
	struct grid g;

	grid_init(&g, 2);
	for (size_t h = 0; h < nr_host_counters; h++) {
		grid_cell(&g, "%s", host_counters[h].label);
		grid_cell(&g, sum->nr_runs > 1 ? "%.1f" : "%.0f", sum->host[h]);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

int report_table_run(FILE *f, const struct report_set *s,
		     const struct report_opts *o)
{
	struct set_summary sum;
	char err[256];
	int ret;

	ret = set_summarize(s, &sum, err, sizeof(err));
	if (ret)
		return ret;

	fprintf(f, "%s: policy %s, ", o->scenario ? o->scenario : "(scenario)",
		s->policy);
	report_print_seeds(f, s);
	fprintf(f, "\n%u host CPUs, %.3f s measured per run\n\n", sum.nr_cpus,
		(double)sum.duration_ns / 1e9);

	ret = 0;
	if (sum.nr_vms) {
		fprintf(f, "Throughput and CPU share%s:\n",
			sum.nr_runs > 1 ?
				" (means over the seeds, sd of ops/s)" :
				"");
		ret = table_vms(f, &sum);

		fprintf(f, "\nTime breakdown (%% of vCPU time%s):\n",
			sum.nr_runs > 1 ? ", all seeds" : "");
		ret = ret ?: table_breakdown(f, &sum, o->per_vcpu);
		fputc('\n', f);
	}
	if (sum.nr_tasks) {
		fprintf(f, "Host tasks%s:\n",
			sum.nr_runs > 1 ? " (means over the seeds)" : "");
		ret = ret ?: table_tasks(f, &sum);
		fputc('\n', f);
	}

	fprintf(f, "Host counters%s:\n",
		sum.nr_runs > 1 ? " (means over the seeds)" : "");
	ret = ret ?: table_host(f, &sum);

	if (sum.nr_vms) {
		fprintf(f, "\nFairness: Jain's index %.4f", sum.jain.mean);
		if (sum.nr_runs > 1)
			fprintf(f, " (sd %.4f)", sum.jain.sd);
		fprintf(f,
			" over %u VMs (1: each VM got the same fraction of "
			"its entitlement)\n",
			sum.nr_vms);
	}
	set_summary_free(&sum);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret;
}
