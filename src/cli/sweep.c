// SPDX-License-Identifier: MIT
/*
 * oversub sweep FILE: the cross product of the axes of the scenario's
 * [sweep] section and of --vary, every point under every policy and seed,
 * run in -j N children; each run's row appended to the results file as it
 * ends (so --resume redoes nothing), then the file put in run order, the
 * summary and the chart. --emit-jobs hands the runs to GNU parallel or
 * Slurm instead (sweepjobs.c); `oversub merge` joins what they wrote.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "cli/sweep.h"
#include "core/guard.h"
#include "scenario/policy.h"
#include "scenario/units.h"

#ifndef OVERSUB_VERSION
#define OVERSUB_VERSION "unknown"
#endif

struct sweep_opts {
	struct results_opts res;
	const char *file;
	const char *vary[SWEEP_MAX_VARY];
	unsigned int nr_vary;
	unsigned int jobs;
	bool resume, check, has_run;
	u64 run; /* --run K */
	const char *emit, *exe;
};

/* One sweep being run. */
struct sweeper {
	const struct sweep_opts *o;
	struct sweep sw;
	char id[20];
	struct scenario *points; /* [nr_points], loaded where runs remain */
	struct rows rows; /* every row so far, as read back */
	FILE *out; /* the results file, appended to */
	bool csv, header_done;
};

enum {
	OPT_VARY = 256,
	OPT_RESUME,
	OPT_METRIC,
	OPT_BASELINE,
	OPT_PLOT,
	OPT_PLOT_AXIS,
	OPT_EMIT,
	OPT_EXE,
	OPT_RUN,
	OPT_CHECK,
};

static void sweep_usage(FILE *f)
{
	fputs("usage: oversub sweep FILE [--vary KEY=VALUES]... [-j N] [-o RESULTS]\n"
	      "                      [--resume] [--metric NAME] [--baseline POLICY]\n"
	      "                      [--plot OUT.svg|OUT.png [--plot-axis KEY]]\n"
	      "       oversub sweep FILE [--vary KEY=VALUES]... --emit-jobs DIR [--exe PATH]\n"
	      "\n"
	      "Run the scenario FILE at every point of the cross product of its\n"
	      "axes: the keys of its [sweep] section and of each --vary, under\n"
	      "every policy and seed, and print a summary: per point and policy\n"
	      "the metric's mean and sd over the seeds and its change against the\n"
	      "baseline policy. docs/sweep.md describes it all.\n"
	      "\n"
	      "An axis is KEY = VALUES, the values a comma list of literals and\n"
	      "integer ranges A..B: host.cpus = 8,16; vm.web.vcpus = 4..8;\n"
	      "vm.web.work = 10us,50us; policy.ple_window = 4096,16384; run.duration\n"
	      "= 1s,2s; policy = vanilla,series-v2 (presets, as compare runs them);\n"
	      "seed = 1..5 (replaces [run] seeds).\n"
	      "\n"
	      "Options:\n"
	      "  --vary KEY=VALUES     an axis (repeatable); replaces a [sweep] axis\n"
	      "                        of the same key\n"
	      "  -j, --jobs N          run up to N runs at once in child processes\n"
	      "  -o, --output RESULTS  one row per run, appended as each run ends:\n"
	      "                        CSV if RESULTS ends in .csv, else JSON lines;\n"
	      "                        rewritten in run order at the end\n"
	      "  --resume              RESULTS exists: run only what it lacks\n"
	      "  --metric NAME         the summary's and the chart's column\n"
	      "                        (default throughput; docs/sweep.md lists them)\n"
	      "  --baseline POLICY     the policy changes are against (default: the\n"
	      "                        first)\n"
	      "  --plot OUT.svg|OUT.png\n"
	      "                        a line chart of the metric against one axis,\n"
	      "                        one line per policy (needs gnuplot)\n"
	      "  --plot-axis KEY       the chart's axis (default: the first)\n"
	      "  --emit-jobs DIR       run nothing: print one command per run (for GNU\n"
	      "                        parallel) and write DIR/sweep.sbatch (a Slurm\n"
	      "                        job array); the runs write DIR/run-N.jsonl,\n"
	      "                        'oversub merge' joins them\n"
	      "  --exe PATH            the oversub the emitted jobs run (default:\n"
	      "                        this one's absolute path)\n"
	      "  --run K               run K (0-based, of the whole sweep) alone\n"
	      "  --check               verify the scheduler model's invariants (slow)\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 a run or a write failed, 2 bad options,\n"
	      "scenario or results file.\n",
	      f);
}

static int sweep_parse(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "vary", required_argument, NULL, OPT_VARY },
		{ "jobs", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "plot-axis", required_argument, NULL, OPT_PLOT_AXIS },
		{ "emit-jobs", required_argument, NULL, OPT_EMIT },
		{ "exe", required_argument, NULL, OPT_EXE },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = o->res.cmd;
	int c, ret;

	o->jobs = 1;
	o->res.metric = "throughput";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			sweep_usage(stdout);
			return -1;
		case OPT_VARY:
			if (o->nr_vary == SWEEP_MAX_VARY)
				return cli_usage_error(cmd, "--vary: at most "
						       "%d", SWEEP_MAX_VARY);
			o->vary[o->nr_vary++] = optarg;
			break;
		case 'j':
			ret = runner_parse_jobs(cmd, optarg, &o->jobs);
			if (ret)
				return ret;
			break;
		case 'o':
			if (!*optarg)
				return cli_usage_error(cmd, "-o: empty file name");
			o->res.out = optarg;
			break;
		case OPT_RESUME:
			o->resume = true;
			break;
		case OPT_METRIC:
			o->res.metric = optarg;
			break;
		case OPT_BASELINE:
			o->res.baseline = optarg;
			break;
		case OPT_PLOT:
			o->res.plot = optarg;
			break;
		case OPT_PLOT_AXIS:
			o->res.plot_axis = optarg;
			break;
		case OPT_EMIT:
			if (!*optarg)
				return cli_usage_error(cmd, "--emit-jobs: empty "
						       "folder name");
			o->emit = optarg;
			break;
		case OPT_EXE:
			o->exe = optarg;
			break;
		case OPT_RUN:
			if (parse_u64(optarg, &o->run))
				return cli_usage_error(cmd, "--run: expected a "
						       "run number, got '%s'",
						       optarg);
			o->has_run = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case ':':
			return cli_usage_error(cmd, "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(cmd, argc, argv);
		}
	}
	ret = cli_scenario_arg(cmd, argc, argv, &o->file);
	if (ret)
		return ret;
	if (o->resume && !o->res.out)
		return cli_usage_error(cmd, "--resume needs -o RESULTS");
	if (o->exe && !o->emit)
		return cli_usage_error(cmd, "--exe goes with --emit-jobs");
	if (o->emit && (o->res.out || o->resume || o->has_run ||
			o->res.plot || o->jobs > 1))
		return cli_usage_error(cmd, "--emit-jobs runs nothing: not "
				       "with -o, --resume, --run, --plot or -j");
	if (o->has_run && o->res.plot)
		return cli_usage_error(cmd, "--plot needs the whole sweep, "
				       "not --run");
	return 0;
}

/* The policies and metric asked for exist before anything runs. */
static int names_check(const struct sweep_opts *o, const struct sweeper *s)
{
	const struct sweep *sw = &s->sw;
	bool found = !o->res.baseline;
	json_t *row;
	struct row_place p = { .sweep = "0", .runs = 1, .policy = "x" };
	struct sim_metrics m = { 0 };

	for (unsigned int i = 0; i < sw->nr_policies && !found; i++)
		found = !strcmp(sweep_policy_name(sw, i), o->res.baseline);
	if (!found) {
		fprintf(stderr, "%s: --baseline: '%s' is not a policy of the "
			"sweep (", o->res.cmd, o->res.baseline);
		for (unsigned int i = 0; i < sw->nr_policies; i++)
			fprintf(stderr, "%s%s", i ? ", " : "",
				sweep_policy_name(sw, i));
		fputs(")\n", stderr);
		return EXIT_USAGE;
	}
	/* the columns of a row of this scenario */
	for (unsigned int i = 0; i < sw->base.cfg.nr_vms; i++)
		m.nr_vms += sw->base.cfg.vms[i].count;
	m.vms = calloc(m.nr_vms + 1, sizeof(*m.vms));
	row = m.vms ? row_make(&p, &sw->base.cfg, &m) : NULL;
	free(m.vms);
	if (!row)
		return 1;
	found = json_object_get(row, o->res.metric) &&
		strcmp(o->res.metric, "policy") && strcmp(o->res.metric, "seed");
	if (!found) {
		const char *key;
		json_t *v;
		bool first = true;

		fprintf(stderr, "%s: --metric: '%s' is not a metric; one of:",
			o->res.cmd, o->res.metric);
		json_object_foreach(row, key, v) {
			if (json_is_number(v) && strcmp(key, "run") &&
			    strcmp(key, "runs") && strcmp(key, "seed")) {
				fprintf(stderr, "%s %s", first ? "" : ",", key);
				first = false;
			}
		}
		fputc('\n', stderr);
	}
	json_decref(row);
	return found ? 0 : EXIT_USAGE;
}

/* -o's path: a regular file or nothing, in a folder we can write. */
static int out_check(const struct sweep_opts *o)
{
	if (cli_out_path_check(o->res.cmd, "-o", o->res.out))
		return EXIT_USAGE;
	if (!o->resume && !access(o->res.out, F_OK)) {
		fprintf(stderr, "%s: -o: %s exists; --resume runs what it "
			"lacks, or remove it to start over\n", o->res.cmd,
			o->res.out);
		return EXIT_USAGE;
	}
	return 0;
}

/* --resume: the rows already there (a torn last line left out), which
 * must be of this very sweep. */
static int resume_load(struct sweeper *s)
{
	const struct sweep_opts *o = s->o;
	char err[512];
	bool torn;

	if (access(o->res.out, F_OK))
		return 0;
	if (rows_load(&s->rows, o->res.out, true, &torn, err, sizeof(err)) ||
	    rows_canonical(&s->rows, false, err, sizeof(err))) {
		fprintf(stderr, "%s: --resume: %s\n", o->res.cmd, err);
		return EXIT_USAGE;
	}
	if (s->rows.nr &&
	    (strcmp(json_string_value(json_object_get(s->rows.v[0], "sweep")),
		    s->id) ||
	     json_integer_value(json_object_get(s->rows.v[0], "runs")) !=
		     s->sw.nr_runs)) {
		fprintf(stderr, "%s: --resume: %s holds sweep %s, this is "
			"sweep %s (the scenario, its axes or oversub changed); "
			"remove it to start over\n", o->res.cmd, o->res.out,
			json_string_value(json_object_get(s->rows.v[0],
							  "sweep")),
			s->id);
		return EXIT_USAGE;
	}
	if (torn)
		fprintf(stderr, "%s: --resume: %s ended in a partial row (the "
			"run it was writing is done again)\n", o->res.cmd,
			o->res.out);
	return 0;
}

/* Is run @run among the rows read back? (they are in run order) */
static bool have_run(const struct rows *r, unsigned int run)
{
	size_t lo = 0, hi = r->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		json_int_t x = json_integer_value(
			json_object_get(r->v[mid], "run"));

		if (x == run)
			return true;
		if (x < run)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Each run as it ends: its row to the results file, read back into rows
 * (so the summary is the one `oversub merge` computes from the file). */
static int run_done(struct runner_batch *b, struct runner_job *j)
{
	struct sweeper *s = b->arg;
	const struct sweep *sw = &s->sw;
	const char *names[SWEEP_MAX_AXES], *values[SWEEP_MAX_AXES];
	unsigned int point, pol, seed;
	struct row_place p = { .sweep = s->id, .run = j->tag,
			       .runs = sw->nr_runs, .axis_names = names,
			       .axis_values = values,
			       .nr_axes = sw->nr_axes };
	char *text = NULL;
	size_t len = 0;
	json_t *row, *back;
	FILE *mem;
	int ret;

	sweep_run_split(sw, j->tag, &point, &pol, &seed);
	for (unsigned int a = 0; a < sw->nr_axes; a++) {
		names[a] = sw->axes[a].name;
		values[a] = sweep_value(sw, point, a);
	}
	p.policy = sweep_policy_name(sw, pol);
	p.seed = sw->seeds[seed];
	row = row_make(&p, &j->cfg, &j->m);
	sim_metrics_free(&j->m);
	mem = open_memstream(&text, &len);
	ret = !row || !mem || row_write(mem, row, false, false);
	if (mem && fclose(mem))
		ret = 1;
	json_decref(row);
	back = ret ? NULL : json_loads(text, 0, NULL);
	free(text);
	if (!back || rows_add(&s->rows, back)) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return -ENOMEM;
	}
	if (s->out) {
		ret = row_write(s->out, back, s->csv, s->csv && !s->header_done);
		s->header_done = true;
		if (ret || fflush(s->out)) {
			snprintf(b->err, sizeof(b->err), "writing %s: %s",
				 s->o->res.out, strerror(errno ? errno : EIO));
			return -EIO;
		}
	}
	return 0;
}

/* The job of run @run, its point loaded. */
static int job_make(struct sweeper *s, struct runner_job *j, unsigned int run)
{
	const struct sweep *sw = &s->sw;
	unsigned int point, pol, seed;
	struct scenario *sc;
	struct policy p;
	char err[512];
	size_t len;

	sweep_run_split(sw, run, &point, &pol, &seed);
	sc = &s->points[point];
	if (!sc->cfg.vms && !sc->cfg.tasks &&
	    sweep_point(sw, point, sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	j->cfg = sc->cfg;
	if (sw->policy.nr_values) {
		if (scenario_policy(sc, sweep_policy_name(sw, pol), &p, err,
				    sizeof(err))) {
			fprintf(stderr, "%s: policy %s: %s\n", s->o->res.cmd,
				sweep_policy_name(sw, pol), err);
			return EXIT_USAGE;
		}
		j->cfg.sched = p.sched;
		j->cfg.kvm = p.kvm;
	}
	j->cfg.seed = sw->seeds[seed];
	j->tag = run;
	len = (size_t)snprintf(j->label, sizeof(j->label),
			       "run %u: %s, seed %" PRIu64, run,
			       sweep_policy_name(sw, pol), sw->seeds[seed]);
	for (unsigned int a = 0; a < sw->nr_axes && len < sizeof(j->label);
	     a++)
		len += (size_t)snprintf(j->label + len, sizeof(j->label) - len,
					", %s=%s", sw->axes[a].name,
					sweep_value(sw, point, a));
	return 0;
}

/* The results file, for appending: what --resume kept, rewritten without
 * a torn line, or a new empty file. */
static int out_open(struct sweeper *s)
{
	const struct sweep_opts *o = s->o;

	s->csv = rows_path_csv(o->res.out);
	if (results_write(o->res.cmd, o->res.out, &s->rows))
		return 1;
	s->header_done = s->rows.nr > 0;
	s->out = fopen(o->res.out, "a");
	if (!s->out) {
		fprintf(stderr, "%s: -o: cannot open %s: %s\n", o->res.cmd,
			o->res.out, strerror(errno));
		return 1;
	}
	return 0;
}

static int sweep_go(struct sweeper *s)
{
	const struct sweep_opts *o = s->o;
	const struct sweep *sw = &s->sw;
	struct runner_batch b = { .file = o->file, .check = o->check,
				  .max_jobs = o->jobs,
				  .tty = isatty(STDERR_FILENO),
				  .log = !isatty(STDERR_FILENO),
				  .cmd = o->res.cmd, .done_fn = run_done,
				  .arg = s };
	unsigned int first = o->has_run ? (unsigned int)o->run : 0;
	unsigned int end = o->has_run ? first + 1 : sw->nr_runs;
	int ret = 0;

	s->points = calloc(sw->nr_points, sizeof(*s->points));
	b.jobs = runner_jobs_alloc(end - first);
	if (!s->points || !b.jobs) {
		runner_jobs_free(b.jobs, 0);
		fprintf(stderr, "%s: out of memory\n", o->res.cmd);
		return 1;
	}
	for (unsigned int run = first; run < end && !ret; run++)
		if (!have_run(&s->rows, run))
			ret = job_make(s, &b.jobs[b.nr_jobs++], run);
	b.total = end - first;
	b.before = b.total - b.nr_jobs;
	if (!ret && o->resume && !o->has_run)
		fprintf(stderr, "%s: --resume: %u of %u runs in %s, %u to "
			"run\n", o->res.cmd, b.before, b.total, o->res.out,
			b.nr_jobs);
	if (!ret && o->res.out)
		ret = out_open(s);
	if (!ret && b.nr_jobs && runner_batch_run(&b)) {
		fprintf(stderr, "%s: %s\n", o->res.cmd, b.err);
		ret = 1;
	}
	if (s->out && fclose(s->out) && !ret) {
		fprintf(stderr, "%s: writing %s: %s\n", o->res.cmd, o->res.out,
			strerror(errno));
		ret = 1;
	}
	s->out = NULL;
	runner_jobs_free(b.jobs, b.nr_jobs);
	if (ret)
		return ret;
	if (o->has_run) {
		/* one run: its row, to stdout when there is no file */
		if (!o->res.out && rows_write(stdout, &s->rows, false))
			return 1;
		return 0;
	}
	if (rows_canonical(&s->rows, true, b.err, sizeof(b.err))) {
		fprintf(stderr, "%s: %s\n", o->res.cmd, b.err);
		return 1;
	}
	return results_finish(&o->res, &s->rows);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = { .res.cmd = "oversub sweep" };
	struct sweeper s = { .o = &o };
	const char *axes[SWEEP_MAX_AXES];
	__free(free) char *text = NULL;
	char err[1024];
	int ret = sweep_parse(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (scenario_read(o.file, &text, err, sizeof(err)) ||
	    sweep_init(&s.sw, o.file, text, o.vary, o.nr_vary, err,
		       sizeof(err))) {
		/* a file's errors start with its name, --vary's get ours */
		fprintf(stderr, "%s%s%s\n", strncmp(err, "--vary", 6) ? "" :
			o.res.cmd, strncmp(err, "--vary", 6) ? "" : ": ", err);
		sweep_free(&s.sw);
		return EXIT_USAGE;
	}
	snprintf(s.id, sizeof(s.id), "%016" PRIx64,
		 sweep_id(&s.sw, OVERSUB_VERSION));
	for (unsigned int a = 0; a < s.sw.nr_axes; a++)
		axes[a] = s.sw.axes[a].name;
	if (o.has_run && o.run >= s.sw.nr_runs) {
		fprintf(stderr, "%s: --run: the sweep has runs 0..%u, not "
			"%" PRIu64 "\n", o.res.cmd, s.sw.nr_runs - 1, o.run);
		ret = EXIT_USAGE;
	}
	if (!ret)
		ret = names_check(&o, &s);
	if (!ret && o.emit) {
		struct sweep_emit e = { .cmd = o.res.cmd, .file = o.file,
					.dir = o.emit, .exe = o.exe,
					.vary = o.vary, .nr_vary = o.nr_vary,
					.check = o.check };

		ret = sweep_emit_jobs(&e, &s.sw);
	} else if (!ret) {
		if (o.res.out)
			ret = out_check(&o);
		if (!ret)
			ret = results_plot_check(&o.res, axes, s.sw.nr_axes);
		if (!ret && o.resume)
			ret = resume_load(&s);
		if (!ret)
			ret = sweep_go(&s);
	}
	for (unsigned int i = 0; s.points && i < s.sw.nr_points; i++)
		scenario_free(&s.points[i]);
	free(s.points);
	rows_free(&s.rows);
	sweep_free(&s.sw);
	return ret;
}
