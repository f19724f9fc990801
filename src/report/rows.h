/* SPDX-License-Identifier: MIT */
/*
 * The results of a sweep: one flat row per run (its place in the sweep,
 * its axis values, its policy and seed, and its metrics), written as JSON
 * lines or CSV as each run finishes, read back to resume or merge, put in
 * run order, summarised (mean and sd over the seeds, change against a
 * baseline policy) and charted. docs/sweep.md lists the columns.
 *
 * A row is a jansson object whose keys keep their order:
 *	sweep, run, runs, AXIS..., policy, seed, METRIC...
 * Values are integers, reals (12 significant digits) or strings; a cell
 * reads back as the type it was written with (row_cell_value), so a row
 * read from either format writes the same bytes again.
 */
#ifndef OVERSUB_REPORT_ROWS_H
#define OVERSUB_REPORT_ROWS_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "core/types.h"
#include "sim/config.h"
#include "sim/metrics.h"

/* Where a run sits in its sweep. */
struct row_place {
	const char *sweep; /* the sweep's id: 16 hex digits */
	unsigned int run, runs;
	const char *const *axis_names, *const *axis_values;
	unsigned int nr_axes;
	const char *policy;
	u64 seed;
};

/* The row of one run of @cfg that measured @m; NULL on allocation
 * failure. A value that reads as a number is one (row_cell_value). */
json_t *row_make(const struct row_place *p, const struct sim_config *cfg,
		 const struct sim_metrics *m);
/* @text as the value it stands for: an integer or a real if @text is
 * exactly how this module writes that number, "" null, else a string. */
json_t *row_cell_value(const char *text);
/* Write @row as one line: compact JSON, or CSV (after the header line
 * when @header). 0 or -EIO. */
int row_write(FILE *f, const json_t *row, bool csv, bool header);
/* Does @path name a CSV file (ends in .csv)? Else JSON lines. */
bool rows_path_csv(const char *path);

struct rows {
	json_t **v; /* objects, owned */
	size_t nr, cap;
};

void rows_free(struct rows *r);
/* Append @row (the reference moves to @r). 0 or -ENOMEM. */
int rows_add(struct rows *r, json_t *row);
/*
 * Append the rows of @path, JSON lines or CSV (told by its first byte).
 * With @torn_ok a last line without its newline (a run being written when
 * the sweep stopped) is left out and *@torn set. 0, or -EINVAL with
 * "FILE:LINE: why" in @err.
 */
int rows_load(struct rows *r, const char *path, bool torn_ok, bool *torn,
	      char *err, size_t errlen);
/*
 * Put @r in run order and check it is one sweep: the same sweep id and
 * columns everywhere, a run twice only with the same values (the copy
 * dropped), and with @complete every run 0..runs-1. 0 or -EINVAL.
 */
int rows_canonical(struct rows *r, bool complete, char *err, size_t errlen);
/* Every row of @r in order, the CSV header first. 0 or -EIO. */
int rows_write(FILE *f, const struct rows *r, bool csv);
/* The axis columns of @r's rows (between "runs" and "policy"). */
unsigned int rows_axes(const struct rows *r, const char **names,
		       unsigned int max);

/*
 * The summary of canonical rows: per point and policy the mean and sd of
 * @metric over the seeds and its change against @baseline at the same
 * point (NULL: the first policy). 0, or -EINVAL with a message.
 */
int rows_summary(FILE *f, const struct rows *r, const char *metric,
		 const char *baseline, char *err, size_t errlen);
/*
 * A gnuplot script charting @metric (mean, sd as error bars) against axis
 * @axis, one line per policy and value of the other axes, into @out (.svg
 * or .png). 0, or -EINVAL with a message.
 */
int rows_gnuplot(FILE *f, const struct rows *r, const char *metric,
		 const char *axis, const char *out, char *err, size_t errlen);

#endif
