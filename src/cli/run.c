// SPDX-License-Identifier: MIT
/* oversub run FILE: simulate a scenario over its seeds and report. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/runner.h"

static void run_usage(FILE *f)
{
	fputs("usage: oversub run FILE [options]\n"
	      "\n"
	      "Simulate the scenario FILE once per seed of its [run] section and\n"
	      "print the report: per VM throughput, CPU share against entitlement\n"
	      "and where its vCPUs' time went; host counters; Jain's index. Over\n"
	      "several seeds the table shows means (and the spread of throughput);\n"
	      "--json and --csv keep every run. docs/metrics.md explains each number.\n"
	      "\n"
	      "Options:\n"
	      "  --seed N              run seed N only (instead of the scenario's seeds)\n"
	      "  --json                the report as JSON (every run, and a summary)\n"
	      "  --csv                 the report as CSV, one row per seed and VM\n"
	      "  --per-vcpu            the time breakdown of every vCPU too (text)\n"
	      "  --trace OUT.json      write a Chrome/Perfetto trace of the run (needs a\n"
	      "                        single run: one seed); open it in ui.perfetto.dev\n"
	      "  --trace-window A..B   trace only simulated time [A, B), warm-up\n"
	      "                        included (e.g. 100ms..120ms; either side may be\n"
	      "                        empty)\n"
	      "  -j, --jobs N          run up to N seeds at once in child processes;\n"
	      "                        the output is the same as with -j 1\n"
	      "  --check               verify the scheduler model's invariants after\n"
	      "                        every event (slow)\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 the run failed, 2 bad options or scenario.\n",
	      f);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { .cmd = "oversub run" };
	int ret = runner_parse(argc, argv, &o, run_usage);

	if (ret)
		return ret < 0 ? 0 : ret;
	return runner_main(&o);
}
