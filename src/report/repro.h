/* SPDX-License-Identifier: MIT */
/*
 * The reproduction table (`oversub table`, plain `oversub`): per workload
 * and VM count the throughput of all VMs together under a baseline and a
 * patched policy, the gain with its spread over seeds, the oracle's
 * headroom (the bound of any directed yield) and the published gain beside
 * it; then the attribution of each gain to the mechanisms
 * alone; then where the baseline's vCPU time goes (its spin and IPI-wait
 * time bounds what directed yield can win back). Text, JSON and a gnuplot
 * script for the chart. Plain numbers in, nothing here runs the simulator.
 */
#ifndef OVERSUB_REPORT_REPRO_H
#define OVERSUB_REPORT_REPRO_H

#include <stdio.h>

#include <jansson.h>

#include "core/types.h"
#include "sim/metrics.h"

#define REPRO_MAX_ATTRIBUTION 8

/* A gain in percent: of the means over seeds, and the sample standard
 * deviation of the per-seed (paired) gains. */
struct repro_gain {
	double pct, sd;
};

struct repro_cell {
	const char *workload;
	unsigned int vms;
	double baseline, patched; /* ops/s of all VMs, mean over seeds */
	struct repro_gain gain; /* patched over baseline */
	bool has_published;
	double published; /* percent */
	/* [nr_attribution]: each attribution policy over the baseline */
	double attr_tput[REPRO_MAX_ATTRIBUTION];
	struct repro_gain attr[REPRO_MAX_ATTRIBUTION];
	/* the oracle (the baseline yielding straight to the vCPU each
	 * spinner awaits) over the baseline: what any directed yield could
	 * win at most */
	double oracle_tput;
	struct repro_gain oracle;
	/* the baseline's vCPU time by bucket, % of all its vCPUs' time,
	 * mean over seeds */
	double time_pct[VT_NR];
};

struct repro_table {
	const char *scenario; /* file, for the header */
	const char *baseline, *patched; /* policy names */
	const char *attribution[REPRO_MAX_ATTRIBUTION];
	unsigned int nr_attribution;
	unsigned int cpus, vcpus; /* host CPUs, vCPUs per VM */
	const u64 *seeds;
	unsigned int nr_seeds;
	u64 duration_ns, warmup_ns;
	const struct repro_cell *cells; /* workload-major, then VM count */
	unsigned int nr_cells;
};

/*
 * Over @n seeds with throughputs @base[i] and @x[i] (paired by seed): the
 * means in *@mbase, *@mx, and the gain: 100 * (mean x / mean base - 1) and
 * the sample sd of 100 * (x[i] / base[i] - 1) (0 for one seed). A zero
 * baseline counts as no gain.
 */
void repro_gain_compute(const double *base, const double *x, unsigned int n,
			double *mbase, double *mx, struct repro_gain *g);

/* The three tables as text. 0 or -EIO / -ENOMEM. */
int report_repro_text(FILE *f, const struct repro_table *t);
/*
 * {"rows": [{"workload", "vms", "baseline", "patched", "gain_pct",
 * "gain_stddev_pct", "oracle", "oracle_pct", "oracle_stddev_pct",
 * "published_pct"}], "attribution": [{"workload",
 * "vms", "mechanism", "policy", "throughput", "gain_pct",
 * "gain_stddev_pct"}], "baseline_time": [{"workload", "vms", "work_pct",
 * "spin_pct", "ipi_wait_pct", "halted_pct", "steal_pct", "exit_pct"}],
 * ...}: throughputs rounded to 0.1 ops/s, percents to 0.01; published_pct
 * null where none was given. NULL on allocation failure. Print with
 * report_json_dump.
 */
json_t *report_repro_json(const struct repro_table *t);
/*
 * A gnuplot script drawing reproduced (with sd) and published gains as a
 * grouped bar chart into @out: SVG if it ends in ".svg", PNG if ".png"
 * (pngcairo where gnuplot has it). -EINVAL for another extension.
 */
int report_repro_gnuplot(FILE *f, const struct repro_table *t, const char *out);
/* 1 if @out ends in .svg, 2 if in .png (any case), 0 otherwise. */
int repro_plot_kind(const char *out);
/* A gnuplot script's terminal (by @out's extension) and output lines;
 * -EINVAL for an extension other than .svg and .png. */
int repro_plot_head(FILE *f, const char *out);

#endif
