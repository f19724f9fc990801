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
#include <sys/types.h>

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
#define RUNNER_TRACE_MAX_DEFAULT (1ull << 30) /* --trace-max: 1 GiB */

struct run_opts {
	const char *cmd; /* "oversub run", for messages */
	bool compare;
	bool kvm; /* run on the KVM engine (oversub kvm, --engine kvm) */
	bool engine_fixed; /* the command has no --engine (oversub kvm) */
	bool kernel_irqchip; /* --irqchip kernel: KVM's in-kernel LAPIC */
	const char *file;
	bool has_seed;
	u64 seed;
	enum out_format out;
	const char *trace; /* --trace FILE or NULL */
	u64 trace_max; /* --trace-max: bytes the trace may take */
	u64 win_start, win_end;
	bool per_vcpu;
	bool check;
	unsigned int jobs; /* -j */
	const char *policies[RUNNER_MAX_POLICIES]; /* compare --policies */
	unsigned int nr_policies;
};

/*
 * One simulation run of a batch: the caller fills cfg and label
 * ("policy vanilla, seed 3": the progress line and error messages);
 * runner_batch_run fills m.
 */
struct runner_job {
	struct sim_config cfg;
	char label[128];
	unsigned int tag; /* the caller's: a sweep's run number */
	struct sim_metrics m;
	/* private: the child process of a parallel run */
	pid_t pid;
	int fd;
	char *buf;
	size_t len, cap;
};

/*
 * Jobs run in this process (max_jobs 1) or in up to max_jobs forked
 * children that send their metrics back through a pipe; the results are the
 * same either way. On a TTY (tty) a progress line on stderr.
 */
struct runner_batch {
	const char *file; /* the scenario, for messages */
	bool kvm; /* the KVM engine runs the jobs, one at a time */
	bool kernel_irqchip; /* with KVM's in-kernel LAPIC */
	bool check; /* verify the scheduler's invariants */
	unsigned int max_jobs; /* -j */
	bool tty;
	/* not a TTY: a progress line every few seconds all the same */
	bool log;
	const char *cmd; /* names the log lines */
	/* called in this process as each job ends, in the order they end;
	 * nonzero (with b->err set) stops the batch */
	int (*done_fn)(struct runner_batch *b, struct runner_job *j);
	void *arg; /* for done_fn */
	struct runner_job *jobs;
	unsigned int nr_jobs, done;
	unsigned int total, before; /* for the progress line: the whole
				     * work, and what was done before */
	double start, last_log; /* CLOCK_MONOTONIC seconds */
	char err[1024]; /* the first failure, "FILE: LABEL: why" */
};

/* nr zeroed jobs, or NULL; free with runner_jobs_free (metrics too). */
struct runner_job *runner_jobs_alloc(unsigned int nr);
void runner_jobs_free(struct runner_job *jobs, unsigned int nr);
/* Run every job of @b. 0, or -errno with the message in b->err (-EINVAL:
 * the configuration was refused). */
int runner_batch_run(struct runner_batch *b);
/* Parse the value of -j (1..RUNNER_MAX_JOBS) into @jobs; 0, or
 * EXIT_USAGE after a message naming @cmd. */
int runner_parse_jobs(const char *cmd, const char *arg, unsigned int *jobs);

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
