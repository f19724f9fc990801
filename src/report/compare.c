// SPDX-License-Identifier: MIT
/*
 * The text report of one scenario under several policies side by side:
 * throughput per VM with its change against the first policy, CPU share
 * and Jain's index, time breakdown and host counters per policy.
 */
#include <errno.h>
#include <stdlib.h>

#include "report/grid.h"
#include "report/report.h"

static void summaries_free(struct set_summary *sum, unsigned int n)
{
	if (!sum)
		return;
	for (unsigned int i = 0; i < n; i++)
		set_summary_free(&sum[i]);
	free(sum);
}

/* Summaries of every set, checked to have the same VMs; NULL on error. */
struct set_summary *report_summarize_sets(const struct report_set *sets,
					  unsigned int nr, char *err,
					  size_t errlen)
{
	struct set_summary *sum = calloc(nr ? nr : 1, sizeof(*sum));

	if (!sum) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (set_summarize(&sets[i], &sum[i], err, errlen) ||
		    sum[i].nr_vms != sum[0].nr_vms) {
			if (sum[i].nr_vms != sum[0].nr_vms)
				snprintf(err, errlen,
					 "policy %s has %u VMs, %s has %u",
					 sets[i].policy, sum[i].nr_vms,
					 sets[0].policy, sum[0].nr_vms);
			summaries_free(sum, i + 1);
			return NULL;
		}
	}
	return sum;
}

void report_summaries_free(struct set_summary *sum, unsigned int nr)
{
	summaries_free(sum, nr);
}

static int compare_throughput(FILE *f, const struct report_set *sets,
			      const struct set_summary *sum, unsigned int nr)
{
	bool multi = sum[0].nr_runs > 1;
	struct grid g;

	grid_init(&g, 1 + 2 * nr - 1);
	grid_cell(&g, "VM");
	for (unsigned int p = 0; p < nr; p++) {
		grid_cell(&g, "%s", sets[p].policy);
		if (p)
			grid_cell(&g, "change");
	}
	grid_row_end(&g);
	for (unsigned int v = 0; v < sum[0].nr_vms; v++) {
		const struct mean_sd *base = &sum[0].vms[v].throughput;

		grid_cell(&g, "%s", sum[0].vms[v].name);
		for (unsigned int p = 0; p < nr; p++) {
			const struct mean_sd *x = &sum[p].vms[v].throughput;
			double pct, spread;

			if (multi)
				grid_cell(&g, "%.1f ± %.1f", x->mean, x->sd);
			else
				grid_cell(&g, "%.1f", x->mean);
			if (!p)
				continue;
			mean_sd_change(base, x, &pct, &spread);
			if (multi)
				grid_cell(&g, "%+.1f%% ± %.1f", pct, spread);
			else
				grid_cell(&g, "%+.1f%%", pct);
		}
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

static int compare_share(FILE *f, const struct report_set *sets,
			 const struct set_summary *sum, unsigned int nr)
{
	struct grid g;

	grid_init(&g, 1 + nr);
	grid_cell(&g, "VM");
	for (unsigned int p = 0; p < nr; p++)
		grid_cell(&g, "%s", sets[p].policy);
	grid_row_end(&g);
	for (unsigned int v = 0; v < sum[0].nr_vms; v++) {
		grid_cell(&g, "%s", sum[0].vms[v].name);
		for (unsigned int p = 0; p < nr; p++)
			grid_cell(&g, "%.3f", sum[p].vms[v].share);
		grid_row_end(&g);
	}
	grid_cell(&g, "Jain's index");
	for (unsigned int p = 0; p < nr; p++)
		grid_cell(&g, "%.4f", sum[p].jain.mean);
	grid_row_end(&g);
	return grid_print(f, &g, 2);
}

static int compare_breakdown(FILE *f, const struct report_set *sets,
			     const struct set_summary *sum, unsigned int nr)
{
	struct grid g;

	grid_init(&g, 2 + VT_NR);
	grid_cell(&g, "VM");
	grid_cell(&g, "policy");
	for (int k = 0; k < VT_NR; k++)
		grid_cell(&g, "%s", vcpu_time_names[k]);
	grid_row_end(&g);
	for (unsigned int v = 0; v < sum[0].nr_vms; v++) {
		for (unsigned int p = 0; p < nr; p++) {
			grid_cell(&g, "%s", p ? "" : sum[0].vms[v].name);
			grid_cell(&g, "%s", sets[p].policy);
			for (int k = 0; k < VT_NR; k++)
				grid_cell(&g, "%.1f", sum[p].vms[v].pct[k]);
			grid_row_end(&g);
		}
	}
	return grid_print(f, &g, 2);
}

static int compare_host(FILE *f, const struct report_set *sets,
			const struct set_summary *sum, unsigned int nr)
{
	const char *fmt = sum[0].nr_runs > 1 ? "%.1f" : "%.0f";
	struct grid g;

	grid_init(&g, 1 + nr);
	grid_cell(&g, "counter");
	for (unsigned int p = 0; p < nr; p++)
		grid_cell(&g, "%s", sets[p].policy);
	grid_row_end(&g);
	for (size_t h = 0; h < nr_host_counters; h++) {
		grid_cell(&g, "%s", host_counters[h].label);
		for (unsigned int p = 0; p < nr; p++)
			grid_cell(&g, fmt, sum[p].host[h]);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

int report_table_compare(FILE *f, const struct report_set *sets,
			 unsigned int nr, const struct report_opts *o)
{
	char err[256];
	struct set_summary *sum;
	bool multi;
	int ret;

	if (!nr)
		return -EINVAL;
	sum = report_summarize_sets(sets, nr, err, sizeof(err));
	if (!sum)
		return -EINVAL;
	multi = sum[0].nr_runs > 1;

	fprintf(f, "%s: %u policies, ",
		o->scenario ? o->scenario : "(scenario)", nr);
	report_print_seeds(f, &sets[0]);
	fprintf(f, "\n%u host CPUs, %.3f s measured per run\n\n",
		sum[0].nr_cpus, (double)sum[0].duration_ns / 1e9);

	fprintf(f, "Throughput (ops/s%s; change vs %s):\n",
		multi ? ", mean ± sd over the seeds" : "", sets[0].policy);
	ret = compare_throughput(f, sets, sum, nr);

	fprintf(f, "\nCPU share of entitlement%s:\n",
		multi ? " (means over the seeds)" : "");
	ret = ret ?: compare_share(f, sets, sum, nr);

	fprintf(f, "\nTime breakdown (%% of vCPU time):\n");
	ret = ret ?: compare_breakdown(f, sets, sum, nr);

	fprintf(f, "\nHost counters%s:\n",
		multi ? " (means over the seeds)" : "");
	ret = ret ?: compare_host(f, sets, sum, nr);

	summaries_free(sum, nr);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret;
}
