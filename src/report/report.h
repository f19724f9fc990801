/* SPDX-License-Identifier: MIT */
/*
 * What users read: fairness against entitlement, the aggregation of a
 * scenario's seeds, and the text, JSON and CSV reports of one scenario
 * (`oversub run`) or of one scenario under several policies
 * (`oversub compare`). docs/metrics.md says what every number means.
 *
 * The inputs are plain struct sim_metrics values, one per (policy, seed);
 * nothing here runs the simulator.
 */
#ifndef OVERSUB_REPORT_H
#define OVERSUB_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "core/types.h"
#include "sim/config.h"
#include "sim/metrics.h"

/* --- fairness.c --- */

/*
 * Water-filling: split @capacity over @n claimants by weight @w, none
 * getting more than its cap @cap; what a capped claimant cannot use goes to
 * the others by weight. Claimants with weight 0 get 0. The result in @out
 * sums to min(@capacity, sum of caps of weighted claimants).
 */
void fairness_waterfill(double capacity, const double *w, const double *cap,
			unsigned int n, double *out);
/* Each VM's entitlement of host CPU time in ns: nr_cpus * duration split by
 * shares, a VM capped at vcpus * duration. @ent has m->nr_vms entries. */
void fairness_entitlements(const struct sim_metrics *m, double *ent);
/* Jain's index (sum x)^2 / (n * sum x^2): 1 is perfectly even, 1/n is one
 * claimant getting everything. 1 for n == 0 or all zero. */
double fairness_jain(const double *x, unsigned int n);
/* Entitlements, each VM's share (cpu_ns / entitlement; 0 if entitled to
 * nothing), and Jain's index over the VMs with an entitlement. */
double fairness_compute(const struct sim_metrics *m, double *ent,
			double *share);

/* --- fields.c --- */

/* The host counters in report order: JSON/CSV key, table label, offset. */
struct host_counter_desc {
	const char *key;
	const char *label;
	size_t offset; /* offsetof(struct host_metrics, ...) */
};

extern const struct host_counter_desc host_counters[];
extern const size_t nr_host_counters;

static inline u64 host_counter_get(const struct host_metrics *h,
				   const struct host_counter_desc *d)
{
	return *(const u64 *)((const char *)h + d->offset);
}

/* JSON/CSV key of a vCPU time bucket: "work", "spin", "ipi_wait", ... */
extern const char *const vcpu_time_keys[VT_NR];

/* --- aggregate.c --- */

/* Mean, sample standard deviation (0 for one value), min and max. */
struct mean_sd {
	double mean, sd, min, max;
	unsigned int n;
};

void mean_sd_compute(const double *x, unsigned int n, struct mean_sd *out);
/*
 * Change of @x's mean against @base's in percent, and its spread: the
 * standard deviation of the ratio of the means by first-order error
 * propagation, in percent. 0/0 when the base mean is 0.
 */
void mean_sd_change(const struct mean_sd *base, const struct mean_sd *x,
		    double *pct, double *spread);
/* Add the time buckets of all of @vm's vCPUs to @t (ns). */
void vm_time_add(const struct vm_metrics *vm, double t[VT_NR]);
/* @t's buckets in percent of their sum (all 0 when the sum is 0). */
void time_to_pct(const double t[VT_NR], double pct[VT_NR]);

/* One policy's runs of a scenario: runs[i] ran with seeds[i]. */
struct report_set {
	const char *policy;
	const u64 *seeds;
	const struct sim_metrics *runs;
	unsigned int nr_runs;
};

struct vm_summary {
	const char *name; /* points into the first run's metrics */
	unsigned int vcpus;
	unsigned long shares;
	struct mean_sd throughput; /* ops/s over the seeds */
	double ops; /* means over the seeds */
	double cpu_ns;
	double entitlement_ns;
	double share; /* mean of cpu_ns / entitlement */
	double pct[VT_NR]; /* time breakdown pooled over vCPUs and seeds */
	double (*vcpu_pct)[VT_NR]; /* [vcpus], pooled over seeds */
};

/* A host task over the seeds (means): docs/metrics.md "Host tasks". */
struct task_summary {
	const char *name; /* points into the first run's metrics */
	double cpu; /* its CPU time over the measured span, in CPUs */
	double runs_per_s; /* times switched in */
	double run_us; /* CPU time per run */
	double wakeup_us; /* from a wakeup until it runs */
	double yields_per_s;
	double migrations_per_s;
};

struct set_summary {
	unsigned int nr_runs, nr_vms, nr_cpus, nr_tasks;
	u64 duration_ns;
	struct vm_summary *vms; /* [nr_vms] */
	struct task_summary *tasks; /* [nr_tasks] */
	struct mean_sd jain;
	double *host; /* [nr_host_counters] means over the seeds */
};

/*
 * Summarize @s. Every run must have the same VMs (names, vCPUs) in the same
 * order; -EINVAL with a message otherwise, -ENOMEM. Free with
 * set_summary_free.
 */
int set_summarize(const struct report_set *s, struct set_summary *out,
		  char *err, size_t errlen);
void set_summary_free(struct set_summary *sum);

/* Summaries of @nr sets checked to have the same VMs (compare); NULL with a
 * message in @err on error. Free with report_summaries_free. */
struct set_summary *report_summarize_sets(const struct report_set *sets,
					  unsigned int nr, char *err,
					  size_t errlen);
void report_summaries_free(struct set_summary *sum, unsigned int nr);

/* --- table.c, compare.c: text --- */

struct report_opts {
	const char *scenario; /* the scenario file, for the header */
	bool per_vcpu; /* time breakdown per vCPU too */
};

int report_table_run(FILE *f, const struct report_set *s,
		     const struct report_opts *o);
/* @sets[0] is the baseline the others' changes are against. */
int report_table_compare(FILE *f, const struct report_set *sets,
			 unsigned int nr_sets, const struct report_opts *o);
/* "seed 7" or "3 seeds (1, 2, 3)" */
void report_print_seeds(FILE *f, const struct report_set *s);

/* --- json.c --- */

/* NULL on allocation failure (or mismatched runs). */
json_t *report_json_run(const struct report_set *s,
			const struct report_opts *o);
json_t *report_json_compare(const struct report_set *sets, unsigned int nr_sets,
			    const struct report_opts *o);
/* Sorted keys, 2-space indent, fixed real precision, trailing newline. */
int report_json_dump(FILE *f, const json_t *j);

/* --- csv.c --- */

/* One row per (seed, VM) under a header line. */
int report_csv_run(FILE *f, const struct report_set *s);
/* One row per (policy, VM): means over the seeds and change vs sets[0]. */
int report_csv_compare(FILE *f, const struct report_set *sets,
		       unsigned int nr_sets);

/* --- profile.c: a VM in the terms of the real program's profile --- */

enum profile_count {
	PC_CS_VOLUNTARY,
	PC_CS_INVOLUNTARY,
	PC_IPI_RES,
	PC_IPI_CAL,
	PC_IPI_TLB,
	PC_TLB_SHOOTDOWNS,
	PC_LOCK_CONTENTIONS,
	PROFILE_NR_COUNTS
};

struct profile {
	const char *workload, *unit;
	unsigned int threads; /* the VM's vCPUs */
	double seconds, ops, ops_per_s; /* per run, in the unit */
	/* % of the vCPUs' time, as the guest's /proc/stat splits it */
	double user_pct, system_pct, idle_pct, steal_pct, busy_pct;
	double per_op[PROFILE_NR_COUNTS], per_s[PROFILE_NR_COUNTS];
	double mean_wait_us; /* of the lock contentions */
};

/* VM @vm of @cfg (its workload and parameters) over @nr_runs runs: means.
 * 0, or -EINVAL (no runs, no such VM, nothing measured). */
int profile_compute(const struct sim_metrics *runs, unsigned int nr_runs,
		    unsigned int vm, const struct vm_config *cfg,
		    struct profile *out);
void profile_print_text(FILE *f, const char *name, const struct profile *p);
/* The JSON object of validation/lib/measure.py's schema, source "model". */
json_t *profile_json(const char *scenario, const struct profile *p);
int profile_json_dump(FILE *f, const json_t *j);

/* --- wire.c: metrics through a pipe between processes of one binary --- */

int metrics_write(FILE *f, const struct sim_metrics *m);
/* 0, -EIO (short or malformed), -ENOMEM. @m is freed on failure. */
int metrics_read(FILE *f, struct sim_metrics *m);

#endif
