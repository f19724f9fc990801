// SPDX-License-Identifier: MIT
/* oversub: entry point, global options and subcommand dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

#ifndef OVERSUB_VERSION
#define OVERSUB_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "compare", cmd_compare },
	{ "kvm", cmd_kvm },
	{ "gap", cmd_gap },
	{ "list", cmd_list },
	{ "table", cmd_table },
	{ "profile", cmd_profile },
	{ "sweep", cmd_sweep },
	{ "merge", cmd_merge },
};

static void usage(FILE *f)
{
	fputs("usage: oversub [--json] [--plot OUT.svg|OUT.png] [-j N] [--seed N | --seeds N]\n"
	      "       oversub <command> [options]\n"
	      "       oversub --help | --version\n"
	      "\n"
	      "A simulator of vCPU scheduling on oversubscribed KVM hosts: the\n"
	      "host's EEVDF scheduler, KVM's directed yield and IPI tracking, the\n"
	      "semantics-aware vCPU scheduling series and the PV hints guests use.\n"
	      "\n"
	      "Without a command: the built-in default run, the series' published\n"
	      "table reproduced: dbench, dedup and vips in 2, 3 and 4 16-vCPU VMs on\n"
	      "16 host CPUs, vanilla against series-v2, the gains beside the\n"
	      "published ones, and what each mechanism alone contributes. Its\n"
	      "scenario is scenarios/series-table.ini, compiled into the binary (no\n"
	      "source tree needed); the options are those of 'oversub table'.\n"
	      "\n"
	      "Commands:\n"
	      "  run FILE              simulate a scenario and print the report\n"
	      "  compare FILE --policies a,b,...\n"
	      "                        the scenario under several policies, side by\n"
	      "                        side with the change against the first\n"
	      "  kvm FILE              run a scenario for real on /dev/kvm (the KVM\n"
	      "                        engine, docs/kvm-engine.md) and print the report\n"
	      "  gap FILE              the scenario on both engines: real, simulated\n"
	      "                        and the gap, per metric\n"
	      "  table [FILE]          the gains table of a scenario with a [table]\n"
	      "                        section (default: the built-in one)\n"
	      "  profile FILE          the VMs profiled as the real programs are\n"
	      "                        (docs/validation.md)\n"
	      "  sweep FILE [--vary KEY=VALUES]...\n"
	      "                        the scenario over the cross product of its\n"
	      "                        axes, policies and seeds; results as JSON\n"
	      "                        lines or CSV, resumable, or as jobs for GNU\n"
	      "                        parallel and Slurm (docs/sweep.md)\n"
	      "  merge RESULTS...      join the results of a sweep run in pieces\n"
	      "  list [workloads|presets|knobs]\n"
	      "                        the workloads and their parameters, the policy\n"
	      "                        presets, every knob with its default, kernel\n"
	      "                        location and meaning\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help            this help; 'oversub <command> --help' for a command\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "'oversub -j 2' runs the default table on two cores;\n"
	      "'oversub run scenarios/overcommit-spinlock.ini' one scenario;\n"
	      "docs/usage.md and docs/metrics.md describe runs and reports.\n",
	      f);
}

int cli_bad_option(const char *cmd, int argc, char **argv)
{
	/* getopt: optopt is the bad short option, or 0 for a long one, which
	 * is then the argument just consumed. */
	if (optopt)
		fprintf(stderr, "%s: unknown option '-%c'\n", cmd, optopt);
	else
		fprintf(stderr, "%s: unknown option '%s'\n", cmd,
			optind > 0 && optind <= argc ? argv[optind - 1] : "?");
	fprintf(stderr, "try '%s --help'\n", cmd);
	return EXIT_USAGE;
}

static int finish(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		perror("oversub: writing output");
		return ret ? ret : 1;
	}
	return ret;
}

int cli_out_path_check(const char *cmd, const char *opt, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s: %s exists and is not a regular file\n",
			cmd, opt, path);
		return EXIT_USAGE;
	}
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + 1),
			 path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "%s: %s: cannot write in %s: %s\n", cmd, opt,
			dir, strerror(errno));
		return EXIT_USAGE;
	}
	return 0;
}

int cli_scenario_arg(const char *cmd, int argc, char **argv,
		     const char **file)
{
	if (optind >= argc)
		return cli_usage_error(cmd, "missing the scenario FILE");
	if (argc - optind > 1)
		return cli_usage_error(cmd,
				       "one scenario FILE only, got '%s' too",
				       argv[optind + 1]);
	*file = argv[optind];
	return 0;
}

int cli_load_scenario(const char *cmd, const char *file, struct scenario *sc)
{
	char err[1024];

	if (scenario_load(file, sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	if (!sc->sweep_line)
		return 0;
	fprintf(stderr, "%s: %s:%d: a [sweep] section: run the scenario's "
		"sweep with 'oversub sweep %s'\n", cmd, sc->path,
		sc->sweep_line, sc->path);
	scenario_free(sc);
	return EXIT_USAGE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry '%s --help'\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* No command: the default run; its options are those of `table`. */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "-h") &&
			 strcmp(argv[1], "--help") && strcmp(argv[1], "-V") &&
			 strcmp(argv[1], "--version")))
		return finish(cmd_default(argc, argv));

	opterr = 0;
	/* '+': stop at the subcommand; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return finish(0);
		case 'V':
			printf("oversub %s\n", OVERSUB_VERSION);
			return finish(0);
		default:
			return cli_bad_option("oversub", argc, argv);
		}
	}

	if (optind >= argc)
		return finish(cmd_default(1, argv));

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[optind], commands[i].name)) {
			char **sub = argv + optind;
			int nsub = argc - optind;

			optind = 0; /* full getopt reset for the subcommand */
			return finish(commands[i].fn(nsub, sub));
		}
	}
	fprintf(stderr, "oversub: unknown command '%s'\n", argv[optind]);
	fprintf(stderr, "try 'oversub --help'\n");
	return EXIT_USAGE;
}
