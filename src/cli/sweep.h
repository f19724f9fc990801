/* SPDX-License-Identifier: MIT */
/*
 * What `oversub sweep` and `oversub merge` share: the options of the
 * results (metric, baseline, chart) and finishing a complete set of rows
 * (the results file in run order, the summary, the chart); and the job
 * files `oversub sweep --emit-jobs` writes for GNU parallel and Slurm.
 */
#ifndef OVERSUB_CLI_SWEEP_H
#define OVERSUB_CLI_SWEEP_H

#include <stdbool.h>

#include "report/rows.h"
#include "scenario/sweep.h"

#define SWEEP_MAX_VARY 32

struct results_opts {
	const char *cmd;
	const char *out; /* -o: the results file, or NULL */
	const char *metric; /* --metric, default "throughput" */
	const char *baseline; /* --baseline, or NULL: the first policy */
	const char *plot, *plot_axis; /* --plot, --plot-axis */
};

/*
 * @r holds every run of one sweep, in run order: write it to o->out
 * (through a temporary file renamed into place), print the summary and
 * draw the chart. Returns the exit status.
 */
int results_finish(const struct results_opts *o, const struct rows *r);
/* Write @r to @path whole or not at all: a temporary file beside it,
 * renamed into place. 0, or 1 after a message. */
int results_write(const char *cmd, const char *path, const struct rows *r);
/* Before any run: o->plot's path and gnuplot, and a --plot-axis that is
 * one of the @nr_axes @axes (NULL: the first). 0 or the exit status. */
int results_plot_check(const struct results_opts *o, const char *const *axes,
		       unsigned int nr_axes);

/* What --emit-jobs needs of the sweep command line. */
struct sweep_emit {
	const char *cmd;
	const char *file; /* the scenario */
	const char *dir; /* --emit-jobs DIR */
	const char *exe; /* --exe, or NULL: this binary */
	const char *const *vary;
	unsigned int nr_vary;
	bool check;
};

/*
 * Print one command per run of @sw (each runs that run alone and writes
 * DIR/run-NNNNNN.jsonl) and write DIR/sweep.sbatch, a Slurm job array
 * running them. Returns the exit status.
 */
int sweep_emit_jobs(const struct sweep_emit *e, const struct sweep *sw);

#endif
