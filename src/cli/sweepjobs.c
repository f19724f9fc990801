// SPDX-License-Identifier: MIT
/*
 * oversub sweep --emit-jobs DIR: a sweep handed to schedulers users
 * already have. One shell command per run on stdout (for GNU parallel,
 * `parallel < jobs`, also over --sshlogin), and DIR/sweep.sbatch, a Slurm
 * job array that runs the same commands. Each command runs one run of the
 * sweep (--run K) with --resume into DIR/run-K.jsonl, so a job that is run
 * twice does its run once; `oversub merge DIR/run-*.jsonl` joins them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/sweep.h"
#include "cli/tmpguard.h"
#include "core/guard.h"

/* Slurm's default MaxArraySize is 1001: at most 1000 array tasks */
#define SBATCH_MAX_TASKS 1000

/* @s as one shell word: single-quoted, ' as '\'' */
static void put_word(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The command of every run but its number and output: exe sweep FILE
 * --vary ... [--check] */
static void put_prefix(FILE *f, const struct sweep_emit *e, const char *exe,
		       const char *file)
{
	put_word(f, exe);
	fputs(" sweep ", f);
	put_word(f, file);
	for (unsigned int i = 0; i < e->nr_vary; i++) {
		fputs(" --vary ", f);
		put_word(f, e->vary[i]);
	}
	if (e->check)
		fputs(" --check", f);
}

/* DIR/sweep.sbatch: T array tasks, each running its share of the runs. */
static int write_sbatch(const struct sweep_emit *e, const struct sweep *sw,
			const char *exe, const char *file, const char *dir)
{
	unsigned int tasks = sw->nr_runs < SBATCH_MAX_TASKS ?
				     sw->nr_runs :
				     SBATCH_MAX_TASKS;
	unsigned int per = (sw->nr_runs + tasks - 1) / tasks;
	size_t n = strlen(dir) + 32;
	__free(free) char *path = malloc(n), *tmp = NULL;
	FILE *f = NULL;
	bool ok;
	int fd, err;

	if (!path)
		return 1;
	tasks = (sw->nr_runs + per - 1) / per;
	snprintf(path, n, "%s/sweep.sbatch", dir);
	fd = tmpguard_create(path, false, &tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: --emit-jobs: cannot create %s: %s\n",
			e->cmd, tmp ? tmp : path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			tmpguard_finish(tmp, path, false);
		}
		return 1;
	}
	fchmod(fd, 0755); /* a script */
	fprintf(f, "#!/bin/bash\n"
		"# A Slurm job array running the %u runs of the sweep of %s,\n"
		"# %u per array task; written by oversub sweep --emit-jobs.\n"
		"#   sbatch %s\n"
		"# then, when every task is done:\n"
		"#   oversub merge -o results.jsonl %s/run-*.jsonl\n"
		"# Each run writes %s/run-NNNNNN.jsonl; a run already there is\n"
		"# not done again, so resubmitting finishes what failed.\n",
		sw->nr_runs, file, per, path, dir, dir);
	fprintf(f, "#SBATCH --job-name=oversub-sweep\n"
		"#SBATCH --array=0-%u\n"
		"#SBATCH --ntasks=1\n"
		"#SBATCH --cpus-per-task=1\n"
		"#SBATCH --output=%s/slurm-%%A_%%a.out\n"
		"set -euo pipefail\n"
		"per=%u\n"
		"runs=%u\n"
		"first=$((SLURM_ARRAY_TASK_ID * per))\n"
		"for ((k = first; k < first + per && k < runs; k++)); do\n"
		"\t",
		tasks - 1, dir, per, sw->nr_runs);
	put_prefix(f, e, exe, file);
	fputs(" --run \"$k\" --resume -o ", f);
	put_word(f, dir);
	fputs("/run-\"$(printf %06d \"$k\")\".jsonl\ndone\n", f);
	ok = !fclose(f);
	err = errno;
	if (tmpguard_finish(tmp, path, ok) || !ok) {
		fprintf(stderr, "%s: --emit-jobs: writing %s: %s\n", e->cmd,
			path, strerror(ok ? errno : err));
		return 1;
	}
	return 0;
}

int sweep_emit_jobs(const struct sweep_emit *e, const struct sweep *sw)
{
	char exe[PATH_MAX], file[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (mkdir(e->dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s: --emit-jobs: cannot create %s: %s\n",
			e->cmd, e->dir, strerror(errno));
		return EXIT_USAGE;
	}
	if (stat(e->dir, &st) || !S_ISDIR(st.st_mode) ||
	    access(e->dir, W_OK | X_OK)) {
		fprintf(stderr, "%s: --emit-jobs: %s is not a folder this user "
			"can write\n", e->cmd, e->dir);
		return EXIT_USAGE;
	}
	/* absolute paths: the jobs run from wherever the scheduler starts
	 * them */
	if (!realpath(e->dir, dir) || !realpath(e->file, file)) {
		fprintf(stderr, "%s: --emit-jobs: %s\n", e->cmd,
			strerror(errno));
		return EXIT_USAGE;
	}
	if (e->exe) {
		snprintf(exe, sizeof(exe), "%s", e->exe);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0) {
			fprintf(stderr, "%s: --emit-jobs: cannot find this "
				"binary (%s); give --exe PATH\n", e->cmd,
				strerror(errno));
			return 1;
		}
		exe[n] = '\0';
	}
	if (write_sbatch(e, sw, exe, file, dir))
		return 1;
	for (unsigned int run = 0; run < sw->nr_runs; run++) {
		put_prefix(stdout, e, exe, file);
		printf(" --run %u --resume -o ", run);
		put_word(stdout, dir);
		printf("/run-%06u.jsonl\n", run);
	}
	if (fflush(stdout)) {
		fprintf(stderr, "%s: writing the jobs: %s\n", e->cmd,
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "%s: %u jobs; Slurm job array in %s/sweep.sbatch\n",
		e->cmd, sw->nr_runs, dir);
	return 0;
}
