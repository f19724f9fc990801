/* SPDX-License-Identifier: MIT */
/*
 * What `oversub run` and `oversub compare` share: their options, loading
 * the scenario, running the (policy x seed) jobs in this process or in
 * -j N children, the progress line, the trace file, and printing the
 * report in the chosen format.
 */
#ifndef OVERSUB_CLI_RUNNER_H
#define OVERSUB_CLI_RUNNER_H

#include <stdio.h>

#include "core/types.h"
#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "sim/metrics.h"

enum out_format {
	OUT_TEXT,
	OUT_JSON,
	OUT_CSV
};

#define RUNNER_MAX_POLICIES 32
#define RUNNER_MAX_JOBS 1024

struct run_opts {
	const char *cmd; /* "oversub run", for messages */
	bool compare;
	const char *file;
	bool has_seed;
	u64 seed;
	enum out_format out;
	const char *trace; /* --trace FILE or NULL */
	u64 win_start, win_end;
	bool per_vcpu;
	bool check;
	unsigned int jobs; /* -j */
	const char *policies[RUNNER_MAX_POLICIES]; /* compare --policies */
	unsigned int nr_policies;
};

/*
 * Parse @argv into @o. Returns 0 to go on, or an exit status to return
 * right away (0 after --help, EXIT_USAGE after a message). @usage prints
 * the subcommand's help.
 */
int runner_parse(int argc, char **argv, struct run_opts *o,
		 void (*usage)(FILE *f));
/*
 * Load the scenario, run every (policy, seed) job and print the report.
 * @policies[i] are the presets to run (for run: the scenario's own policy,
 * given as NULL names). Returns the exit status.
 */
int runner_main(struct run_opts *o);

#endif
