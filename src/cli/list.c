// SPDX-License-Identifier: MIT
/* oversub list [workloads|presets|knobs]: workloads with their parameters,
 * the policy presets and the knob table. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "scenario/policy.h"
#include "scenario/units.h"
#include "workload/workload.h"

static void list_usage(FILE *f)
{
	fputs("usage: oversub list [workloads|presets|knobs]\n"
	      "\n"
	      "Without an argument, print all three.\n"
	      "  workloads  each workload and its parameters (the keys a [vm]\n"
	      "           section may set): type, default, range and meaning\n"
	      "  presets  each policy preset, what it is, and the knobs it sets\n"
	      "           differently from vanilla\n"
	      "  knobs    every knob: type, default (vanilla), where it lives in\n"
	      "           the kernel or the series, and what it does\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help  this help\n",
	      f);
}

static int format_param(char *buf, size_t len, const struct wl_param *p, u64 v)
{
	if (p->type == WP_DURATION)
		return format_duration(buf, len, v);
	return snprintf(buf, len, "%llu", (unsigned long long)v);
}

static void list_workloads(void)
{
	static const char *const head[] = { "PARAM", "TYPE", "DEFAULT", "RANGE",
					    "MEANING" };
	char def[32], lo[32], hi[32], range[80];
	int w[4];

	for (int c = 0; c < 4; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < nr_workloads; i++) {
		for (unsigned int j = 0; j < workloads[i]->nr_params; j++) {
			const struct wl_param *p = &workloads[i]->params[j];
			int n[4];

			format_param(lo, sizeof(lo), p, p->min);
			format_param(hi, sizeof(hi), p, p->max);
			n[0] = (int)strlen(p->name);
			n[1] = p->type == WP_DURATION ? 8 : 4;
			n[2] = format_param(def, sizeof(def), p, p->def);
			n[3] = snprintf(range, sizeof(range), "%s..%s", lo, hi);
			for (int c = 0; c < 4; c++)
				w[c] = n[c] > w[c] ? n[c] : w[c];
		}
	}

	printf("Workloads (set with 'workload = NAME' and the parameters below in\n"
	       "a [vm] section):\n");
	for (size_t i = 0; i < nr_workloads; i++) {
		const struct workload *wl = workloads[i];

		printf("  %s: %s\n", wl->name, wl->summary);
		if (!wl->nr_params) {
			printf("    (no parameters)\n");
			continue;
		}
		printf("    %-*s  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1],
		       head[1], w[2], head[2], w[3], head[3], head[4]);
		for (unsigned int j = 0; j < wl->nr_params; j++) {
			const struct wl_param *p = &wl->params[j];

			format_param(def, sizeof(def), p, p->def);
			format_param(lo, sizeof(lo), p, p->min);
			format_param(hi, sizeof(hi), p, p->max);
			snprintf(range, sizeof(range), "%s..%s", lo, hi);
			printf("    %-*s  %-*s  %-*s  %-*s  %s\n", w[0],
			       p->name, w[1],
			       p->type == WP_DURATION ? "duration" : "uint",
			       w[2], def, w[3], range, p->meaning);
		}
	}
}

static void list_presets(void)
{
	struct policy vanilla, p;
	char buf[64];
	int w = 0;

	for (size_t i = 0; i < policy_nr_presets; i++) {
		int n = (int)strlen(policy_presets[i].name);

		w = n > w ? n : w;
	}

	policy_defaults(&vanilla);
	printf("Presets (knobs that differ from vanilla below each):\n");
	for (size_t i = 0; i < policy_nr_presets; i++) {
		const struct policy_preset_desc *d = &policy_presets[i];
		int nr_diff = 0;

		policy_preset(&p, d->name);
		printf("  %-*s  %s\n", w, d->name, d->desc);
		printf("  %-*s  ", w, "");
		for (size_t j = 0; j < policy_nr_knobs; j++) {
			const struct knob *k = &policy_knobs[j];

			if (policy_knob_get(&p, k) ==
			    policy_knob_get(&vanilla, k))
				continue;
			policy_knob_format(&p, k, buf, sizeof(buf));
			printf("%s%s=%s", nr_diff++ ? " " : "", k->name, buf);
		}
		printf("%s\n", nr_diff ? "" : "(none)");
	}
}

static void list_knobs(void)
{
	static const char *const head[] = { "KNOB", "TYPE", "DEFAULT", "WHERE",
					    "MEANING" };
	struct policy def;
	char buf[64];
	int w[4];

	policy_defaults(&def);
	for (int c = 0; c < 4; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];
		int n[4];

		n[0] = (int)strlen(k->name);
		n[1] = (int)strlen(knob_type_name(k->type));
		n[2] = policy_knob_format(&def, k, buf, sizeof(buf));
		n[3] = (int)strlen(k->where);
		for (int c = 0; c < 4; c++)
			w[c] = n[c] > w[c] ? n[c] : w[c];
	}

	printf("Knobs (defaults are the vanilla preset):\n");
	printf("  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1], head[1],
	       w[2], head[2], w[3], head[3], head[4]);
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];

		policy_knob_format(&def, k, buf, sizeof(buf));
		printf("  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], k->name, w[1],
		       knob_type_name(k->type), w[2], buf, w[3], k->where,
		       k->meaning);
	}
	printf("\nbool: 0/1, true/false, on/off, yes/no.  uint: 0..4294967295.\n"
	       "duration: a number with unit ns, us, ms or s (bare number: ns),\n"
	       "e.g. 50ms, 600us, 1.5ms; at most 3600s.\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool workloads_ = true, presets = true, knobs = true;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			return cli_bad_option("oversub list", argc, argv);
		}
	}

	if (argc - optind > 1) {
		fprintf(stderr, "oversub list: too many arguments\n");
		fprintf(stderr, "try 'oversub list --help'\n");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		const char *what = argv[optind];

		if (!strcmp(what, "workloads")) {
			presets = knobs = false;
		} else if (!strcmp(what, "presets")) {
			workloads_ = knobs = false;
		} else if (!strcmp(what, "knobs")) {
			workloads_ = presets = false;
		} else {
			fprintf(stderr,
				"oversub list: unknown list '%s' (workloads, presets or knobs)\n",
				what);
			return EXIT_USAGE;
		}
	}

	if (workloads_)
		list_workloads();
	if (workloads_ && (presets || knobs))
		printf("\n");
	if (presets)
		list_presets();
	if (presets && knobs)
		printf("\n");
	if (knobs)
		list_knobs();
	return 0;
}
