// SPDX-License-Identifier: MIT
/*
 * oversub table FILE, and plain `oversub`: the reproduction of the series'
 * table. Every (workload, VM count, policy, seed) of the scenario's [table]
 * is one simulation run; they go through the runner's job machinery (-j N
 * children, same results as -j 1). Then the two tables, as text or JSON,
 * and optionally the chart by gnuplot.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plotfile.h"
#include "cli/runner.h"
#include "core/guard.h"
#include "report/report.h"
#include "report/repro.h"
#include "scenario/units.h"

/* scenarios/series-table.ini, compiled in (scripts/embed-text.py) */
extern const char series_table_ini[];

#define BUILTIN_NAME "scenarios/series-table.ini (built in)"

enum {
	OPT_SEED = 256,
	OPT_SEEDS,
	OPT_JSON,
	OPT_PLOT,
	OPT_CHECK,
};

struct table_opts {
	const char *cmd; /* "oversub table" or "oversub" */
	bool builtin;
	const char *file;
	bool json;
	const char *plot;
	unsigned int jobs;
	bool has_seed, has_seeds, check;
	u64 seed, nr_seeds;
};

static void table_usage(FILE *f, bool builtin)
{
	if (builtin)
		fputs("usage: oversub [--json] [--plot OUT.png|OUT.svg] [-j N] "
		      "[--seed N | --seeds N]\n",
		      f);
	else
		fputs("usage: oversub table [FILE] [--json] [--plot OUT.png|OUT.svg] "
		      "[-j N]\n"
		      "                     [--seed N | --seeds N]\n",
		      f);
	fputs("\n"
	      "Reproduce a table of gains: every workload and VM count of the\n"
	      "scenario's [table] section under its baseline and patched\n"
	      "policies (and its attribution policies) over the seeds, then per\n"
	      "workload and VM count the throughput of all VMs together (mean\n"
	      "over seeds), the gain with its spread over seeds and the\n"
	      "published gain beside it, and a second table with the gain of\n"
	      "each mechanism alone. Without FILE (and as plain 'oversub'):\n"
	      "the built-in default, a copy of scenarios/series-table.ini\n"
	      "compiled into the binary: the semantics-aware vCPU scheduling\n"
	      "series (v2) against vanilla on 2, 3 and 4 16-vCPU VMs on 16\n"
	      "host CPUs running dbench, dedup and vips.\n"
	      "\n"
	      "Options:\n"
	      "  --json                the tables as JSON: {\"rows\": [...], "
	      "\"attribution\": [...]}\n"
	      "  --plot OUT.svg|OUT.png\n"
	      "                        also draw reproduced vs published gains "
	      "as a grouped\n"
	      "                        bar chart (needs gnuplot)\n"
	      "  -j, --jobs N          run up to N simulations at once in child "
	      "processes;\n"
	      "                        the output is the same as with -j 1\n"
	      "  --seed N              run seed N only\n"
	      "  --seeds N             run seeds 1..N (instead of the "
	      "scenario's seeds)\n"
	      "  --check               verify the scheduler model's invariants "
	      "(slow)\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 a run failed or gnuplot is missing or "
	      "failed,\n"
	      "2 bad options or scenario. docs/usage.md has the details.\n",
	      f);
}

/* 0 to go on, -1 after --help, or an exit status. */
static int table_parse(int argc, char **argv, struct table_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "seeds", required_argument, NULL, OPT_SEEDS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;
	u64 v;

	o->jobs = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			table_usage(stdout, o->builtin);
			return -1;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return cli_usage_error(
					o->cmd,
					"--seed: expected an unsigned integer, got '%s'",
					optarg);
			o->has_seed = true;
			break;
		case OPT_SEEDS:
			if (parse_u64(optarg, &v) || v < 1 ||
			    v > SCENARIO_MAX_SEEDS)
				return cli_usage_error(
					o->cmd,
					"--seeds: expected 1..%d, got '%s'",
					SCENARIO_MAX_SEEDS, optarg);
			o->nr_seeds = v;
			o->has_seeds = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PLOT:
			if (!repro_plot_kind(optarg))
				return cli_usage_error(
					o->cmd,
					"--plot: the file must end in .svg or .png, got '%s'",
					optarg);
			o->plot = optarg;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case 'j':
			ret = runner_parse_jobs(o->cmd, optarg, &o->jobs);
			if (ret)
				return ret;
			break;
		case ':':
			return cli_usage_error(o->cmd,
					       "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(o->cmd, argc, argv);
		}
	}
	if (o->has_seed && o->has_seeds)
		return cli_usage_error(o->cmd,
				       "--seed and --seeds exclude each other");
	if (optind < argc && o->builtin)
		return cli_usage_error(
			o->cmd,
			"unexpected argument '%s' (to run a file: "
			"oversub table FILE)",
			argv[optind]);
	if (argc - optind > 1)
		return cli_usage_error(o->cmd,
				       "one scenario FILE only, got '%s' too",
				       argv[optind + 1]);
	o->file = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* The gnuplot script of the gains chart, for plotfile_draw. */
static int gains_script(FILE *f, const char *out, void *arg)
{
	return report_repro_gnuplot(f, arg, out);
}

struct table_run {
	const struct table_opts *o;
	const struct scenario *sc;
	const struct table_spec *t;
	/* baseline, patched, the attribution presets, then the oracle (the
	 * baseline with oracle_yield) */
	const char *names[3 + TABLE_MAX_ATTRIBUTION];
	unsigned int nr_pol;
	const u64 *seeds;
	unsigned int nr_seeds;
	struct runner_batch b;
};

/* Index of job (cell, policy, seed); cell = workload * nr_vms + vms. */
static unsigned int job_index(const struct table_run *r, unsigned int cell,
			      unsigned int pol, unsigned int seed)
{
	return (cell * r->nr_pol + pol) * r->nr_seeds + seed;
}

/* The throughput of all VMs of one run. */
static double total_throughput(const struct sim_metrics *m)
{
	double sum = 0;

	for (unsigned int i = 0; i < m->nr_vms; i++)
		sum += m->vms[i].throughput;
	return sum;
}

static void cell_gain(const struct table_run *r, unsigned int cell,
		      unsigned int pol, double *base_tput, double *tput,
		      struct repro_gain *g)
{
	double base[SCENARIO_MAX_SEEDS], x[SCENARIO_MAX_SEEDS];

	for (unsigned int s = 0; s < r->nr_seeds; s++) {
		base[s] = total_throughput(
			&r->b.jobs[job_index(r, cell, 0, s)].m);
		x[s] = total_throughput(
			&r->b.jobs[job_index(r, cell, pol, s)].m);
	}
	repro_gain_compute(base, x, r->nr_seeds, base_tput, tput, g);
}

/* The baseline's vCPU time by bucket in % of all vCPU time, pooled over
 * its VMs and seeds (every run lasts as long: the mean over seeds). */
static void cell_time(const struct table_run *r, unsigned int cell,
		      double pct[VT_NR])
{
	double t[VT_NR] = { 0 };

	for (unsigned int s = 0; s < r->nr_seeds; s++) {
		const struct sim_metrics *m =
			&r->b.jobs[job_index(r, cell, 0, s)].m;

		for (unsigned int i = 0; i < m->nr_vms; i++)
			vm_time_add(&m->vms[i], t);
	}
	time_to_pct(t, pct);
}

static int report(struct table_run *r)
{
	const struct table_opts *o = r->o;
	const struct table_spec *t = r->t;
	unsigned int nr_cells = t->nr_wl * t->nr_vms;
	__free(free) struct repro_cell *cells =
		calloc(nr_cells, sizeof(*cells));
	struct repro_table rt = {
		.scenario = r->sc->path,
		.baseline = t->baseline,
		.patched = t->patched,
		.nr_attribution = t->nr_attribution,
		.cpus = r->sc->cfg.host.cpus,
		.vcpus = r->sc->cfg.vms[0].vcpus,
		.seeds = r->seeds,
		.nr_seeds = r->nr_seeds,
		.duration_ns = r->sc->cfg.duration_ns,
		.warmup_ns = r->sc->cfg.warmup_ns,
		.nr_cells = nr_cells,
	};
	int ret;

	if (!cells)
		return -ENOMEM;
	for (unsigned int a = 0; a < t->nr_attribution; a++)
		rt.attribution[a] = t->attribution[a];
	for (unsigned int w = 0; w < t->nr_wl; w++) {
		for (unsigned int v = 0; v < t->nr_vms; v++) {
			unsigned int i = w * t->nr_vms + v;
			struct repro_cell *c = &cells[i];
			double base;

			c->workload = t->wl[w]->name;
			c->vms = t->vms[v];
			cell_gain(r, i, 1, &c->baseline, &c->patched, &c->gain);
			c->has_published = t->has_published[w];
			c->published = t->published[w][v];
			for (unsigned int a = 0; a < t->nr_attribution; a++)
				cell_gain(r, i, 2 + a, &base, &c->attr_tput[a],
					  &c->attr[a]);
			cell_gain(r, i, r->nr_pol - 1, &base, &c->oracle_tput,
				  &c->oracle);
			cell_time(r, i, c->time_pct);
		}
	}
	rt.cells = cells;
	if (o->json) {
		json_t *j = report_repro_json(&rt);

		ret = j ? report_json_dump(stdout, j) : -ENOMEM;
		json_decref(j);
	} else {
		ret = report_repro_text(stdout, &rt);
	}
	if (ret) {
		fprintf(stderr, "%s: writing the report: %s\n", o->cmd,
			strerror(-ret));
		return 1;
	}
	if (o->plot) {
		ret = plotfile_draw(o->cmd, o->plot, gains_script, &rt);
		if (ret)
			return ret;
		fprintf(stderr, "%s: chart written to %s\n", o->cmd, o->plot);
	}
	return 0;
}

static int table_go(struct table_run *r)
{
	const struct table_opts *o = r->o;
	const struct scenario *sc = r->sc;
	const struct table_spec *t = r->t;
	unsigned int nr_cells = t->nr_wl * t->nr_vms;
	struct policy pol[3 + TABLE_MAX_ATTRIBUTION];
	__free(free) struct vm_config *vms = calloc(nr_cells, sizeof(*vms));
	char err[512];
	int ret;

	if (!vms) {
		fprintf(stderr, "%s: out of memory\n", o->cmd);
		return 1;
	}
	for (unsigned int p = 0; p + 1 < r->nr_pol; p++) {
		if (scenario_policy(sc, r->names[p], &pol[p], err, sizeof(err))) {
			fprintf(stderr, "%s: %s: policy %s: %s\n", o->cmd,
				sc->path, r->names[p], err);
			return EXIT_USAGE;
		}
	}
	/* the bound: the baseline, yielding to whom each spinner awaits */
	pol[r->nr_pol - 1] = pol[0];
	pol[r->nr_pol - 1].kvm.oracle_yield = true;
	/* The template, with each cell's workload (defaults) and count. */
	for (unsigned int w = 0; w < t->nr_wl; w++) {
		for (unsigned int v = 0; v < t->nr_vms; v++) {
			struct vm_config *vm = &vms[w * t->nr_vms + v];

			*vm = sc->cfg.vms[0];
			vm->wl = t->wl[w];
			vm->count = t->vms[v];
			for (unsigned int k = 0; k < vm->wl->nr_params; k++)
				vm->wl_params[k] = vm->wl->params[k].def;
		}
	}
	r->b.nr_jobs = nr_cells * r->nr_pol * r->nr_seeds;
	r->b.jobs = runner_jobs_alloc(r->b.nr_jobs);
	if (!r->b.jobs) {
		fprintf(stderr, "%s: out of memory\n", o->cmd);
		return 1;
	}
	for (unsigned int cell = 0; cell < nr_cells; cell++) {
		for (unsigned int p = 0; p < r->nr_pol; p++) {
			for (unsigned int s = 0; s < r->nr_seeds; s++) {
				struct runner_job *j =
					&r->b.jobs[job_index(r, cell, p, s)];

				j->cfg = sc->cfg;
				j->cfg.vms = &vms[cell];
				j->cfg.nr_vms = 1;
				j->cfg.sched = pol[p].sched;
				j->cfg.kvm = pol[p].kvm;
				j->cfg.seed = r->seeds[s];
				snprintf(j->label, sizeof(j->label),
					 "%s, %u VMs, policy %s, seed %" PRIu64,
					 vms[cell].wl->name, vms[cell].count,
					 r->names[p], r->seeds[s]);
			}
		}
	}
	ret = runner_batch_run(&r->b);
	if (ret) {
		fprintf(stderr, "%s: %s\n", o->cmd, r->b.err);
		return ret == -EINVAL ? EXIT_USAGE : 1;
	}
	return report(r);
}

static int table_main(struct table_opts *o)
{
	struct scenario sc;
	struct table_run r = { .o = o };
	char err[1024];
	__free(free) u64 *seeds = NULL;
	int ret;

	if (o->plot) {
		ret = plotfile_check(o->cmd, o->plot);
		if (ret)
			return ret;
	}
	if (o->file) {
		ret = cli_load_scenario(o->cmd, o->file, &sc);
		if (ret)
			return ret;
	} else if (scenario_parse(series_table_ini, BUILTIN_NAME, &sc, err,
				  sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	if (!sc.table) {
		fprintf(stderr,
			"%s: %s: no [table] section; 'oversub run' and "
			"'oversub compare' run plain scenarios (docs/scenario.md "
			"describes [table])\n",
			o->cmd, sc.path);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	r.sc = &sc;
	r.t = sc.table;
	r.names[r.nr_pol++] = sc.table->baseline;
	r.names[r.nr_pol++] = sc.table->patched;
	for (unsigned int a = 0; a < sc.table->nr_attribution; a++)
		r.names[r.nr_pol++] = sc.table->attribution[a];
	r.names[r.nr_pol++] = "oracle";
	if (o->has_seed) {
		r.seeds = &o->seed;
		r.nr_seeds = 1;
	} else if (o->has_seeds) {
		seeds = calloc(o->nr_seeds, sizeof(*seeds));
		if (!seeds) {
			scenario_free(&sc);
			fprintf(stderr, "%s: out of memory\n", o->cmd);
			return 1;
		}
		for (unsigned int i = 0; i < o->nr_seeds; i++)
			seeds[i] = i + 1;
		r.seeds = seeds;
		r.nr_seeds = (unsigned int)o->nr_seeds;
	} else {
		r.seeds = sc.seeds;
		r.nr_seeds = sc.nr_seeds;
	}
	r.b.file = sc.path;
	r.b.check = o->check;
	r.b.max_jobs = o->jobs;
	r.b.tty = isatty(STDERR_FILENO);
	ret = table_go(&r);
	runner_jobs_free(r.b.jobs, r.b.nr_jobs);
	scenario_free(&sc);
	return ret;
}

int cmd_table(int argc, char **argv)
{
	struct table_opts o = { .cmd = "oversub table" };
	int ret = table_parse(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	return table_main(&o);
}

int cmd_default(int argc, char **argv)
{
	struct table_opts o = { .cmd = "oversub", .builtin = true };
	int ret = table_parse(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	return table_main(&o);
}
