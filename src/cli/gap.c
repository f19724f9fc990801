// SPDX-License-Identifier: MIT
/*
 * oversub gap FILE: the scenario on both engines, the simulator given
 * this machine's costs as the KVM engine measures them (src/vmm/costs.h),
 * and per metric real, simulated and the relative gap.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/kvmjob.h"
#include "core/guard.h"
#include "report/report.h"
#include "scenario/units.h"
#include "sim/sim.h"
#include "vmm/costs.h"
#include "vmm/prog.h"

#define GAP_MAX_ROWS 256

struct gap_opts {
	const char *file;
	bool has_seed, json;
	u64 seed;
	unsigned int samples;
};

struct gap_row {
	char name[96];
	double real, sim;
};

static void gap_usage(FILE *f)
{
	fputs("usage: oversub gap FILE [options]\n"
	      "\n"
	      "Run the scenario FILE on both engines, for real on /dev/kvm and in\n"
	      "the simulator, over its seeds, and print per metric the real value,\n"
	      "the simulated one and the gap (simulated / real - 1). The simulator\n"
	      "is given this machine's costs as the KVM engine measures them at\n"
	      "the start: exit_cost (a doorbell exit and re-entry), ctx_switch (a\n"
	      "signal that stops a vCPU plus the next entry) and ghz (the TSC\n"
	      "rate the guests time their spins with), unless [host] sets them.\n"
	      "The scenario must be one 'oversub kvm' runs (docs/kvm-engine.md).\n"
	      "\n"
	      "Options:\n"
	      "  --seed N              run seed N only (instead of the scenario's seeds)\n"
	      "  --samples N           cost-probe samples (default 1000)\n"
	      "  --json                the table as JSON, with the costs used\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 a run failed (or /dev/kvm is missing), 2 bad\n"
	      "options or a scenario the KVM engine cannot run.\n",
	      f);
}

static int gap_parse(int argc, char **argv, struct gap_opts *o)
{
	enum { OPT_SEED = 256, OPT_JSON, OPT_SAMPLES };
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "samples", required_argument, NULL, OPT_SAMPLES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "oversub gap";
	int c;
	u64 v;

	o->samples = 1000;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			gap_usage(stdout);
			return -1;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return cli_usage_error(cmd, "--seed: expected an "
						       "unsigned integer, got '%s'",
						       optarg);
			o->has_seed = true;
			break;
		case OPT_SAMPLES:
			if (parse_u64(optarg, &v) || v < 10 || v > 1000000)
				return cli_usage_error(cmd, "--samples: expected "
						       "10..1000000, got '%s'",
						       optarg);
			o->samples = (unsigned int)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case ':':
			return cli_usage_error(cmd, "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(cmd, argc, argv);
		}
	}
	return cli_scenario_arg(cmd, argc, argv, &o->file);
}

/* the host parameters the simulator gets: measured unless [host] set them */
static void given_costs(const struct scenario *sc, const struct vmm_costs *c,
			u64 tsc_hz, struct host_config *h)
{
	if (!scenario_line(sc, "[host]", "exit_cost"))
		h->exit_cost_ns = c->exit_ns;
	if (!scenario_line(sc, "[host]", "ctx_switch"))
		h->ctx_switch_ns = c->signal_ns + c->run_ns;
	if (!scenario_line(sc, "[host]", "ghz") && tsc_hz)
		h->khz = tsc_hz / 1000;
}

static void add(struct gap_row *rows, unsigned int *n, const char *name,
		double real, double sim)
{
	if (*n == GAP_MAX_ROWS)
		return;
	snprintf(rows[*n].name, sizeof(rows[*n].name), "%s", name);
	rows[*n].real = real;
	rows[*n].sim = sim;
	(*n)++;
}

/* the rows: per VM throughput and time split, then the host counters per
 * second, each the mean over the runs */
static unsigned int build_rows(const struct sim_metrics *real,
			       const struct sim_metrics *sim, unsigned int runs,
			       struct gap_row *rows)
{
	static const int buckets[] = { VT_WORK, VT_SPIN, VT_HALTED, VT_STEAL,
				       VT_EXIT };
	unsigned int n = 0;
	char name[96];

	for (unsigned int k = 0; k < real[0].nr_vms; k++) {
		double tr[VT_NR] = { 0 }, ts[VT_NR] = { 0 }, pr[VT_NR], ps[VT_NR];
		double thr = 0, ths = 0;

		for (unsigned int r = 0; r < runs; r++) {
			thr += real[r].vms[k].throughput / runs;
			ths += sim[r].vms[k].throughput / runs;
			vm_time_add(&real[r].vms[k], tr);
			vm_time_add(&sim[r].vms[k], ts);
		}
		time_to_pct(tr, pr);
		time_to_pct(ts, ps);
		snprintf(name, sizeof(name), "%s: ops/s", real[0].vms[k].name);
		add(rows, &n, name, thr, ths);
		/* on its CPU: what the engines split differently (the real
		 * exit transitions are inside KVM_RUN, so in work) */
		snprintf(name, sizeof(name), "%s: on CPU %%",
			 real[0].vms[k].name);
		add(rows, &n, name, 100 - pr[VT_HALTED] - pr[VT_STEAL],
		    100 - ps[VT_HALTED] - ps[VT_STEAL]);
		for (size_t b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++) {
			snprintf(name, sizeof(name), "%s: %s %%",
				 real[0].vms[k].name,
				 vcpu_time_names[buckets[b]]);
			add(rows, &n, name, pr[buckets[b]], ps[buckets[b]]);
		}
	}
	for (size_t c = 0; c < nr_host_counters; c++) {
		const struct host_counter_desc *d = &host_counters[c];
		double a = 0, b = 0;

		if (!strcmp(d->key, "events"))
			continue;
		for (unsigned int r = 0; r < runs; r++) {
			a += (double)host_counter_get(&real[r].host, d) * 1e9 /
			     (double)real[r].duration_ns / runs;
			b += (double)host_counter_get(&sim[r].host, d) * 1e9 /
			     (double)sim[r].duration_ns / runs;
		}
		if (a == 0 && b == 0)
			continue;
		snprintf(name, sizeof(name), "%s /s", d->label);
		add(rows, &n, name, a, b);
	}
	return n;
}

static void print_text(const struct gap_opts *o, const struct vmm_costs *c,
		       const struct host_config *h, unsigned int runs,
		       const struct gap_row *rows, unsigned int n)
{
	printf("%s: real (KVM engine) vs simulated, %u run%s each\n", o->file,
	       runs, runs == 1 ? "" : "s");
	printf("costs measured here: exit %.1f us, signal %.1f us, bare "
	       "KVM_RUN %.1f us; the simulator ran with exit_cost %.1f us, "
	       "ctx_switch %.1f us, %.3f GHz\n\n",
	       c->exit_ns / 1e3, c->signal_ns / 1e3, c->run_ns / 1e3,
	       h->exit_cost_ns / 1e3, h->ctx_switch_ns / 1e3, h->khz / 1e6);
	printf("  %-34s %14s %14s %9s\n", "metric", "real", "simulated",
	       "gap");
	for (unsigned int i = 0; i < n; i++) {
		char gap[32];

		if (rows[i].real > 0)
			snprintf(gap, sizeof(gap), "%+.1f%%",
				 (rows[i].sim / rows[i].real - 1) * 100);
		else
			snprintf(gap, sizeof(gap), "n/a");
		printf("  %-34s %14.1f %14.1f %9s\n", rows[i].name,
		       rows[i].real, rows[i].sim, gap);
	}
}

static int print_json(const struct gap_opts *o, const struct vmm_costs *c,
		      const struct host_config *h, unsigned int runs,
		      const struct gap_row *rows, unsigned int n)
{
	json_t *root = json_object(), *arr = json_array();
	int ret;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return -ENOMEM;
	}
	json_object_set_new(root, "scenario", json_string(o->file));
	json_object_set_new(root, "runs", json_integer(runs));
	json_object_set_new(root, "costs",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "exit_ns",
				      (json_int_t)c->exit_ns, "signal_ns",
				      (json_int_t)c->signal_ns, "run_ns",
				      (json_int_t)c->run_ns, "sim_exit_cost_ns",
				      (json_int_t)h->exit_cost_ns,
				      "sim_ctx_switch_ns",
				      (json_int_t)h->ctx_switch_ns, "sim_khz",
				      (json_int_t)h->khz));
	for (unsigned int i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:s,s:f,s:f,s:o}", "metric",
				       rows[i].name, "real", rows[i].real,
				       "simulated", rows[i].sim, "gap",
				       rows[i].real > 0 ?
					       json_real(rows[i].sim /
							 rows[i].real - 1) :
					       json_null()));
	json_object_set_new(root, "metrics", arr);
	ret = json_dumpf(root, stdout, JSON_INDENT(2)) ? -EIO : 0;
	putchar('\n');
	json_decref(root);
	return ret;
}

static int gap_go(const struct gap_opts *o, struct scenario *sc,
		  struct sim_metrics *real, struct sim_metrics *sim,
		  unsigned int runs)
{
	struct vmm_costs c;
	struct host_config h = sc->cfg.host;
	struct gap_row *rows = calloc(GAP_MAX_ROWS, sizeof(*rows));
	char err[512];
	unsigned int n;
	int ret;

	if (!rows)
		return 1;
	if (vmm_measure_costs(&c, o->samples, err, sizeof(err))) {
		fprintf(stderr, "oversub gap: %s\n", err);
		free(rows);
		return 1;
	}
	given_costs(sc, &c, vmm_tsc_hz(20), &h);
	for (unsigned int r = 0; r < runs; r++) {
		struct sim_config cfg = sc->cfg;

		cfg.seed = o->has_seed ? o->seed : sc->seeds[r];
		ret = kvmjob_run(&cfg, NULL, false, &real[r], err, sizeof(err));
		if (!ret) {
			cfg.host = h;
			ret = sim_run(&cfg, NULL, false, &sim[r], err,
				      sizeof(err));
		}
		if (ret) {
			fprintf(stderr, "oversub gap: %s: seed %llu: %s\n",
				o->file, (unsigned long long)cfg.seed, err);
			free(rows);
			return ret == -EINVAL ? EXIT_USAGE : 1;
		}
	}
	n = build_rows(real, sim, runs, rows);
	if (o->json)
		ret = print_json(o, &c, &h, runs, rows, n);
	else
		print_text(o, &c, &h, runs, rows, n), ret = 0;
	free(rows);
	return ret ? 1 : 0;
}

int cmd_gap(int argc, char **argv)
{
	struct gap_opts o = { 0 };
	struct scenario sc;
	char err[512];
	unsigned int runs;
	int ret = gap_parse(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (cli_load_scenario("oversub gap", o.file, &sc))
		return EXIT_USAGE;
	if (sc.table || kvmjob_check(&sc, err, sizeof(err))) {
		fprintf(stderr, "oversub gap: %s\n",
			sc.table ? "a [table] scenario: use one [vm] section per VM" : err);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	if (!vmm_kvm_available(err, sizeof(err))) {
		fprintf(stderr, "oversub gap: %s\n", err);
		scenario_free(&sc);
		return 1;
	}
	runs = o.has_seed ? 1 : sc.nr_seeds;
	{
		struct sim_metrics *real = calloc(runs, sizeof(*real));
		struct sim_metrics *sim = calloc(runs, sizeof(*sim));

		ret = real && sim ? gap_go(&o, &sc, real, sim, runs) : 1;
		for (unsigned int r = 0; real && sim && r < runs; r++) {
			sim_metrics_free(&real[r]);
			sim_metrics_free(&sim[r]);
		}
		free(real);
		free(sim);
	}
	scenario_free(&sc);
	return ret;
}
