// SPDX-License-Identifier: MIT
/*
 * oversub profile FILE: the scenario's VMs profiled in the terms a real
 * program is profiled in on this machine (validation/lib/measure.py):
 * throughput in the real program's unit, the vCPUs' user / system / idle
 * split, and context switches, IPIs, TLB shootdowns and lock contentions
 * per operation. validation/report.sh puts the two side by side.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runner.h"
#include "core/guard.h"
#include "report/report.h"
#include "scenario/units.h"

#define PROFILE_MAX_VCPUS 4096

struct profile_opts {
	const char *cmd;
	const char *file;
	bool json;
	bool has_seed;
	u64 seed;
	unsigned int vcpus; /* 0: the file's */
	unsigned int jobs;
};

static void profile_usage(FILE *f)
{
	fputs("usage: oversub profile FILE [options]\n"
	      "\n"
	      "Simulate the scenario FILE once per seed and print, for each VM,\n"
	      "the profile a real program gets on a real machine\n"
	      "(validation/lib/measure.py): throughput in the real program's\n"
	      "unit, the vCPUs' time as the guest's /proc/stat splits it (user,\n"
	      "system, idle, steal), and context switches, IPIs taken by kind,\n"
	      "TLB shootdowns and lock contentions per operation and per second\n"
	      "(means over the seeds). docs/validation.md compares them with the\n"
	      "real programs.\n"
	      "\n"
	      "Options:\n"
	      "  --vcpus N             give every VM N vCPUs (1..4096)\n"
	      "  --seed N              run seed N only\n"
	      "  --json                one JSON object per VM, in an array\n"
	      "  -j, --jobs N          run up to N seeds at once\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 the run failed, 2 bad options or scenario.\n",
	      f);
}

static int profile_parse(int argc, char **argv, struct profile_opts *o)
{
	enum {
		OPT_SEED = 256,
		OPT_JSON,
		OPT_VCPUS
	};
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	u64 v;

	o->jobs = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hj:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			profile_usage(stdout);
			return -1;
		case 'j':
			if (runner_parse_jobs(o->cmd, optarg, &o->jobs))
				return EXIT_USAGE;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return cli_usage_error(
					o->cmd,
					"--seed: expected an unsigned integer, got '%s'",
					optarg);
			o->has_seed = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_VCPUS:
			if (parse_u64(optarg, &v) || v < 1 ||
			    v > PROFILE_MAX_VCPUS)
				return cli_usage_error(
					o->cmd,
					"--vcpus: expected 1..%d, got '%s'",
					PROFILE_MAX_VCPUS, optarg);
			o->vcpus = (unsigned int)v;
			break;
		case ':':
			return cli_usage_error(o->cmd,
					       "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(o->cmd, argc, argv);
		}
	}
	return cli_scenario_arg(o->cmd, argc, argv, &o->file);
}

/* Print every VM instance's profile over the runs of @b. */
static int profile_report(const struct profile_opts *o,
			  const struct scenario *sc, struct runner_batch *b)
{
	__free(free) struct sim_metrics *runs =
		calloc(b->nr_jobs, sizeof(*runs));
	json_t *arr = o->json ? json_array() : NULL;
	unsigned int vm = 0;
	int ret = 0;

	if (!runs || (o->json && !arr)) {
		json_decref(arr);
		fprintf(stderr, "%s: out of memory\n", o->cmd);
		return 1;
	}
	for (unsigned int r = 0; r < b->nr_jobs; r++)
		runs[r] = b->jobs[r].m;
	for (unsigned int s = 0; s < sc->cfg.nr_vms && !ret; s++) {
		const struct vm_config *cfg = &sc->cfg.vms[s];

		for (unsigned int i = 0; i < cfg->count && !ret; i++, vm++) {
			struct profile p;

			if (profile_compute(runs, b->nr_jobs, vm, cfg, &p)) {
				fprintf(stderr,
					"%s: %s: VM %u measured nothing\n",
					o->cmd, sc->path, vm);
				ret = 1;
			} else if (arr) {
				json_t *j = profile_json(sc->path, &p);

				if (!j || json_array_append_new(arr, j))
					ret = 1;
			} else {
				profile_print_text(stdout, runs[0].vms[vm].name,
						   &p);
			}
		}
	}
	if (!ret && arr && profile_json_dump(stdout, arr))
		ret = 1;
	json_decref(arr);
	return ret;
}

static int profile_main(const struct profile_opts *o)
{
	struct scenario sc;
	struct runner_batch b = { .max_jobs = o->jobs };
	const u64 *seeds;
	unsigned int nr_seeds;
	int ret;

	if (cli_load_scenario(o->cmd, o->file, &sc))
		return EXIT_USAGE;
	if (!sc.cfg.nr_vms) {
		fprintf(stderr, "%s: %s: no [vm NAME] to profile\n", o->cmd,
			sc.path);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	if (o->vcpus)
		for (unsigned int s = 0; s < sc.cfg.nr_vms; s++)
			sc.cfg.vms[s].vcpus = o->vcpus;
	seeds = o->has_seed ? &o->seed : sc.seeds;
	nr_seeds = o->has_seed ? 1 : sc.nr_seeds;
	b.file = sc.path;
	b.tty = isatty(STDERR_FILENO);
	b.nr_jobs = nr_seeds;
	b.jobs = runner_jobs_alloc(nr_seeds);
	if (!b.jobs) {
		scenario_free(&sc);
		fprintf(stderr, "%s: out of memory\n", o->cmd);
		return 1;
	}
	for (unsigned int s = 0; s < nr_seeds; s++) {
		b.jobs[s].cfg = sc.cfg;
		b.jobs[s].cfg.seed = seeds[s];
		snprintf(b.jobs[s].label, sizeof(b.jobs[s].label),
			 "seed %" PRIu64, seeds[s]);
	}
	ret = runner_batch_run(&b);
	if (ret) {
		fprintf(stderr, "%s: %s\n", o->cmd, b.err);
		ret = ret == -EINVAL ? EXIT_USAGE : 1;
	} else {
		ret = profile_report(o, &sc, &b);
	}
	runner_jobs_free(b.jobs, b.nr_jobs);
	scenario_free(&sc);
	return ret;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_opts o = { .cmd = "oversub profile" };
	int ret = profile_parse(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	return profile_main(&o);
}
