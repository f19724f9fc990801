// SPDX-License-Identifier: MIT
/* oversub kvm FILE: run a scenario on the KVM engine and report. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/runner.h"

static void kvm_usage(FILE *f)
{
	fputs("usage: oversub kvm FILE [options]\n"
	      "\n"
	      "Run the scenario FILE for real: its VMs on /dev/kvm, their vCPUs\n"
	      "multiplexed onto one worker thread per [host] CPU and scheduled by\n"
	      "the same host scheduler and KVM code as the simulator; once per\n"
	      "seed of its [run] section (the seed draws the guests' step times).\n"
	      "The report is that of 'oversub run'. Small scale: at most 16 VMs of\n"
	      "64 vCPUs and 64 worker threads; workloads whose steps the engine's\n"
	      "guests run (docs/kvm-engine.md); keys it cannot honour are refused\n"
	      "with their file and line. Ctrl-C stops the run; nothing is printed.\n"
	      "\n"
	      "Options:\n"
	      "  --seed N              run seed N only (instead of the scenario's seeds)\n"
	      "  --json                the report as JSON (every run, and a summary)\n"
	      "  --csv                 the report as CSV, one row per seed and VM\n"
	      "  --per-vcpu            the time breakdown of every vCPU too (text)\n"
	      "  --irqchip user|kernel the engine is the interrupt controller (user,\n"
	      "                        the default: it sees every IPI and EOI), or\n"
	      "                        KVM's in-kernel LAPIC (kernel: it sees none, the\n"
	      "                        real counterpart of the apicv knob); refused\n"
	      "                        where the host's LAPIC cannot deliver to them\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 the run failed (or /dev/kvm is missing), 2 bad\n"
	      "options or a scenario the engine cannot run.\n",
	      f);
}

int cmd_kvm(int argc, char **argv)
{
	struct run_opts o = { .cmd = "oversub kvm", .kvm = true,
			      .engine_fixed = true };
	int ret = runner_parse(argc, argv, &o, kvm_usage);

	if (ret)
		return ret < 0 ? 0 : ret;
	return runner_main(&o);
}
