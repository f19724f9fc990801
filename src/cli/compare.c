// SPDX-License-Identifier: MIT
/* oversub compare FILE --policies a,b,c: one scenario under several
 * policies, side by side. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/runner.h"

static void compare_usage(FILE *f)
{
	fputs("usage: oversub compare FILE --policies A,B,... [options]\n"
	      "\n"
	      "Simulate the scenario FILE under each policy preset (see 'oversub\n"
	      "list presets') over the scenario's seeds, and print them side by\n"
	      "side: each VM's throughput (mean and sd over the seeds) and its\n"
	      "change against the first policy, CPU shares and Jain's index, the\n"
	      "time breakdown and the host counters. The preset replaces the\n"
	      "scenario's own preset; knobs its [policy] section sets explicitly\n"
	      "are applied on top of every preset.\n"
	      "\n"
	      "Options:\n"
	      "  --policies A,B,...    the presets to compare; A is the baseline\n"
	      "  --engine sim|kvm      simulate (default), or run for real on /dev/kvm\n"
	      "                        (docs/kvm-engine.md: one run at a time, no\n"
	      "                        --trace, -j or --check)\n"
	      "  --irqchip user|kernel with --engine kvm: the engine's interrupt\n"
	      "                        controller, or KVM's in-kernel LAPIC\n"
	      "  --seed N              run seed N only (instead of the scenario's seeds)\n"
	      "  --json                the report as JSON (every run, and summaries)\n"
	      "  --csv                 the report as CSV, one row per policy and VM\n"
	      "  --trace OUT.json      a Chrome/Perfetto trace (needs a single run: one\n"
	      "                        policy and one seed)\n"
	      "  --trace-window A..B   trace only simulated time [A, B)\n"
	      "  -j, --jobs N          run up to N (policy, seed) jobs at once in child\n"
	      "                        processes; the output is the same as with -j 1\n"
	      "  --check               verify the scheduler model's invariants (slow)\n"
	      "  --per-vcpu            accepted for symmetry with run (no effect)\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 a run failed, 2 bad options or scenario.\n",
	      f);
}

int cmd_compare(int argc, char **argv)
{
	struct run_opts o = { .cmd = "oversub compare", .compare = true };
	int ret = runner_parse(argc, argv, &o, compare_usage);

	if (ret)
		return ret < 0 ? 0 : ret;
	return runner_main(&o);
}
