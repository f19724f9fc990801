// SPDX-License-Identifier: MIT
/*
 * oversub merge RESULTS...: the rows of one sweep run in pieces (by GNU
 * parallel, a Slurm array, several machines, or an interrupted local
 * sweep) joined into one results file in run order, with the summary and
 * chart of a local sweep. Every run must be there exactly once (the same
 * run twice is fine if its results agree).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/sweep.h"

enum {
	OPT_METRIC = 256,
	OPT_BASELINE,
	OPT_PLOT,
	OPT_PLOT_AXIS,
};

static void merge_usage(FILE *f)
{
	fputs("usage: oversub merge [-o RESULTS] [--metric NAME] [--baseline POLICY]\n"
	      "                     [--plot OUT.svg|OUT.png [--plot-axis KEY]] FILE...\n"
	      "\n"
	      "Join the results files of one sweep (JSON lines or CSV, as\n"
	      "'oversub sweep -o' and its --emit-jobs commands write them) and\n"
	      "print the sweep's summary. Every run of the sweep must be in\n"
	      "them; the output is what 'oversub sweep' run locally writes and\n"
	      "prints, byte for byte.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --output RESULTS  the joined rows in run order: CSV if RESULTS\n"
	      "                        ends in .csv, else JSON lines\n"
	      "  --metric NAME         the summary's and the chart's column\n"
	      "                        (default throughput)\n"
	      "  --baseline POLICY     the policy changes are against (default: the\n"
	      "                        first)\n"
	      "  --plot OUT.svg|OUT.png\n"
	      "                        a line chart of the metric against one axis\n"
	      "  --plot-axis KEY       the chart's axis (default: the first)\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 a write failed, 2 bad options or results\n"
	      "(unreadable, of different sweeps, runs missing).\n",
	      f);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "plot-axis", required_argument, NULL, OPT_PLOT_AXIS },
		{ NULL, 0, NULL, 0 },
	};
	struct results_opts o = { .cmd = "oversub merge",
				  .metric = "throughput" };
	struct rows r = { 0 };
	const char *axes[64];
	unsigned int nr_axes;
	char err[1024];
	int c, ret = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			merge_usage(stdout);
			return 0;
		case 'o':
			if (!*optarg)
				return cli_usage_error(o.cmd, "-o: empty file name");
			o.out = optarg;
			break;
		case OPT_METRIC:
			o.metric = optarg;
			break;
		case OPT_BASELINE:
			o.baseline = optarg;
			break;
		case OPT_PLOT:
			o.plot = optarg;
			break;
		case OPT_PLOT_AXIS:
			o.plot_axis = optarg;
			break;
		case ':':
			return cli_usage_error(o.cmd, "option '%s' needs a value",
					       argv[optind - 1]);
		default:
			return cli_bad_option(o.cmd, argc, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(o.cmd, "missing the results FILEs");
	for (int i = optind; i < argc && !ret; i++)
		if (rows_load(&r, argv[i], false, NULL, err, sizeof(err)))
			ret = EXIT_USAGE;
	if (!ret && !r.nr) {
		snprintf(err, sizeof(err), "%s%s: no rows of a sweep",
			 argv[optind], argc - optind > 1 ? " ..." : "");
		ret = EXIT_USAGE;
	}
	if (!ret && rows_canonical(&r, true, err, sizeof(err)))
		ret = EXIT_USAGE;
	if (ret) {
		fprintf(stderr, "%s: %s\n", o.cmd, err);
		rows_free(&r);
		return ret;
	}
	if (o.baseline) {
		bool found = false;

		for (size_t i = 0; i < r.nr && !found; i++)
			found = !strcmp(json_string_value(json_object_get(
						r.v[i], "policy")) ?: "",
					o.baseline);
		if (!found) {
			fprintf(stderr, "%s: --baseline: '%s' is not a policy "
				"of the sweep\n", o.cmd, o.baseline);
			rows_free(&r);
			return EXIT_USAGE;
		}
	}
	nr_axes = rows_axes(&r, axes, 64);
	ret = results_plot_check(&o, axes, nr_axes);
	if (!ret)
		ret = results_finish(&o, &r);
	rows_free(&r);
	return ret;
}
