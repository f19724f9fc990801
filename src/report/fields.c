// SPDX-License-Identifier: MIT
/* The names the reports give host counters and vCPU time buckets. */
#include <stddef.h>

#include "report/report.h"

#define HC(_f, _label)                                         \
	{                                                      \
#_f, _label, offsetof(struct host_metrics, _f) \
	}

const struct host_counter_desc host_counters[] = {
	HC(context_switches, "context switches"),
	HC(ple_exits, "PLE exits"),
	HC(on_spin_calls, "kvm_vcpu_on_spin calls"),
	HC(yield_attempts, "yield_to attempts"),
	HC(yield_successes, "yield_to successes"),
	HC(oracle_yields, "oracle yields"),
	HC(deboosts, "deboosts applied"),
	HC(lag_credits, "lag credits"),
	HC(ipis_sent, "IPIs sent"),
	HC(ipis_tracked, "IPIs tracked"),
	HC(kicks, "PV kicks"),
	HC(pv_yields, "PV sched yields"),
	HC(tlb_flush_deferred, "TLB flushes deferred"),
	HC(halt_polls, "halt polls"),
	HC(halt_poll_successes, "halt polls successful"),
	HC(migrations, "migrations"),
	HC(events, "simulator events"),
};
const size_t nr_host_counters = ARRAY_SIZE(host_counters);

const char *const vcpu_time_keys[VT_NR] = {
	[VT_WORK] = "work",	    [VT_SPIN] = "spin",
	[VT_IPI_WAIT] = "ipi_wait", [VT_HALTED] = "halted",
	[VT_STEAL] = "steal",	    [VT_EXIT] = "exit",
	[VT_POLL] = "poll",
};
