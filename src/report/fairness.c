// SPDX-License-Identifier: MIT
/*
 * Fairness: each VM's entitlement of host CPU time by its shares
 * (water-filling, a VM never entitled to more than its vCPUs can run), its
 * share of that entitlement, and Jain's index over the VMs.
 */
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"
#include "report/report.h"

void fairness_waterfill(double capacity, const double *w, const double *cap,
			unsigned int n, double *out)
{
	__free(free) bool *fixed = calloc(n ? n : 1, sizeof(*fixed));
	double left = capacity;
	bool changed = true;

	for (unsigned int i = 0; i < n; i++)
		out[i] = 0;
	if (!fixed) {
		/* No memory for the bookkeeping: plain proportional split. */
		double sum = 0;

		for (unsigned int i = 0; i < n; i++)
			sum += w[i] > 0 ? w[i] : 0;
		for (unsigned int i = 0; i < n; i++)
			out[i] = sum > 0 && w[i] > 0 ? capacity * w[i] / sum :
						       0;
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		if (!(w[i] > 0) || !(cap[i] > 0))
			fixed[i] = true;

	/* Each round caps every claimant whose fair part of what is left
	 * exceeds its cap; stop when nobody does. At most n rounds. */
	while (changed && left > 0) {
		double sum = 0;

		changed = false;
		for (unsigned int i = 0; i < n; i++)
			if (!fixed[i])
				sum += w[i];
		if (sum <= 0)
			break;
		for (unsigned int i = 0; i < n; i++) {
			if (fixed[i] || left * w[i] / sum < cap[i])
				continue;
			out[i] = cap[i];
			fixed[i] = true;
			changed = true;
		}
		if (!changed) {
			for (unsigned int i = 0; i < n; i++)
				if (!fixed[i])
					out[i] = left * w[i] / sum;
			break;
		}
		left = capacity;
		for (unsigned int i = 0; i < n; i++)
			if (fixed[i])
				left -= out[i];
		if (left < 0)
			left = 0;
	}
}

void fairness_entitlements(const struct sim_metrics *m, double *ent)
{
	unsigned int n = m->nr_vms;
	__free(free) double *w = calloc(n ? n : 1, sizeof(*w));
	__free(free) double *cap = calloc(n ? n : 1, sizeof(*cap));
	double dur = (double)m->duration_ns;

	if (!w || !cap) {
		for (unsigned int i = 0; i < n; i++)
			ent[i] = 0;
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		w[i] = (double)m->vms[i].shares;
		cap[i] = (double)m->vms[i].vcpus * dur;
	}
	fairness_waterfill((double)m->nr_cpus * dur, w, cap, n, ent);
}

double fairness_jain(const double *x, unsigned int n)
{
	double sum = 0, sq = 0;

	for (unsigned int i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	if (!n || sq <= 0)
		return 1.0;
	return sum * sum / ((double)n * sq);
}

double fairness_compute(const struct sim_metrics *m, double *ent, double *share)
{
	unsigned int n = m->nr_vms, k = 0;
	__free(free) double *x = calloc(n ? n : 1, sizeof(*x));

	fairness_entitlements(m, ent);
	for (unsigned int i = 0; i < n; i++) {
		share[i] = ent[i] > 0 ? (double)m->vms[i].cpu_ns / ent[i] : 0;
		if (x && ent[i] > 0)
			x[k++] = share[i];
	}
	return x ? fairness_jain(x, k) : 1.0;
}
