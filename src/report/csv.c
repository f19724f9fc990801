// SPDX-License-Identifier: MIT
/*
 * CSV reports: `run` gives one row per (seed, VM) with the raw numbers,
 * `compare` one row per (policy, VM) with means over the seeds and the
 * change against the first policy. VM names are quoted when they need it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int report_csv_run(FILE *f, const struct report_set *s)
{
	fputs("policy,seed,vm,vcpus,shares,ops,throughput,cpu_ns,"
	      "entitlement_ns,share",
	      f);
	for (int k = 0; k < VT_NR; k++)
		fprintf(f, ",%s_pct", vcpu_time_keys[k]);
	fputs(",jain\n", f);

	for (unsigned int r = 0; r < s->nr_runs; r++) {
		const struct sim_metrics *m = &s->runs[r];
		unsigned int n = m->nr_vms ? m->nr_vms : 1;
		double *ent = calloc(n, sizeof(*ent));
		double *share = calloc(n, sizeof(*share));
		double jain;

		if (!ent || !share) {
			free(ent);
			free(share);
			return -ENOMEM;
		}
		jain = fairness_compute(m, ent, share);
		for (unsigned int v = 0; v < m->nr_vms; v++) {
			const struct vm_metrics *vm = &m->vms[v];
			double t[VT_NR] = { 0 }, pct[VT_NR];

			vm_time_add(vm, t);
			time_to_pct(t, pct);

			csv_str(f, s->policy);
			fprintf(f, ",%" PRIu64 ",", s->seeds[r]);
			csv_str(f, vm->name);
			fprintf(f,
				",%u,%lu,%" PRIu64 ",%.3f,%" PRIu64
				",%.0f,%.4f",
				vm->vcpus, vm->shares, vm->ops, vm->throughput,
				vm->cpu_ns, ent[v], share[v]);
			for (int k = 0; k < VT_NR; k++)
				fprintf(f, ",%.2f", pct[k]);
			fprintf(f, ",%.4f\n", jain);
		}
		free(ent);
		free(share);
	}
	return ferror(f) ? -EIO : 0;
}

int report_csv_compare(FILE *f, const struct report_set *sets, unsigned int nr)
{
	struct set_summary *sum;
	char err[256];

	sum = nr ? report_summarize_sets(sets, nr, err, sizeof(err)) : NULL;
	if (!sum)
		return -EINVAL;
	fputs("policy,vm,vcpus,shares,runs,throughput_mean,throughput_stddev,"
	      "change_pct,change_spread_pct,share_mean",
	      f);
	for (int k = 0; k < VT_NR; k++)
		fprintf(f, ",%s_pct", vcpu_time_keys[k]);
	fputs(",jain_mean\n", f);
	for (unsigned int p = 0; p < nr; p++) {
		for (unsigned int v = 0; v < sum[p].nr_vms; v++) {
			const struct vm_summary *vm = &sum[p].vms[v];
			double pct, spread;

			mean_sd_change(&sum[0].vms[v].throughput,
				       &vm->throughput, &pct, &spread);
			csv_str(f, sets[p].policy);
			fputc(',', f);
			csv_str(f, vm->name);
			fprintf(f, ",%u,%lu,%u,%.3f,%.3f,%.2f,%.2f,%.4f",
				vm->vcpus, vm->shares, sum[p].nr_runs,
				vm->throughput.mean, vm->throughput.sd, pct,
				spread, vm->share);
			for (int k = 0; k < VT_NR; k++)
				fprintf(f, ",%.2f", vm->pct[k]);
			fprintf(f, ",%.4f\n", sum[p].jain.mean);
		}
	}
	report_summaries_free(sum, nr);
	return ferror(f) ? -EIO : 0;
}
