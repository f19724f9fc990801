// SPDX-License-Identifier: MIT
/* Names of the vCPU time buckets and releasing a run's metrics. */
#include "sim/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "kvm/kvm.h"
#include "sched/sched.h"

const char *const vcpu_time_names[VT_NR] = {
	[VT_WORK] = "work",	    [VT_SPIN] = "spin",
	[VT_IPI_WAIT] = "ipi-wait", [VT_HALTED] = "halted",
	[VT_STEAL] = "steal",	    [VT_EXIT] = "exit",
	[VT_POLL] = "poll",
};

void sim_metrics_free(struct sim_metrics *m)
{
	if (!m)
		return;
	for (unsigned int i = 0; i < m->nr_vms; i++)
		free(m->vms ? m->vms[i].vcpu : NULL);
	free(m->vms);
	free(m->tasks);
	memset(m, 0, sizeof(*m));
}

void host_metrics_add_vcpu(struct host_metrics *h,
			   const struct kvm_vcpu_stat *st)
{
	h->ple_exits += st->ple_exits;
	h->on_spin_calls += st->on_spin_calls;
	h->yield_attempts += st->directed_yield_attempted;
	h->yield_successes += st->directed_yield_successful;
	h->oracle_yields += st->oracle_yields;
	h->ipis_sent += st->ipis_sent;
	h->ipis_tracked += st->ipis_tracked;
	h->kicks += st->kicks;
	h->tlb_flush_deferred += st->tlb_flush_on_entry;
	h->halt_polls += st->halt_attempted_poll;
	h->halt_poll_successes += st->halt_successful_poll;
}

void host_metrics_add_cpu(struct host_metrics *h, const struct sched_stats *st)
{
	h->context_switches += st->nr_switches;
	h->deboosts += st->deboosts;
	h->lag_credits += st->lag_credits;
	h->migrations += st->migrations;
}

void host_metrics_sub(struct host_metrics *h, const struct host_metrics *base)
{
#define SUB(f) h->f -= base->f
	SUB(context_switches);
	SUB(ple_exits);
	SUB(on_spin_calls);
	SUB(yield_attempts);
	SUB(yield_successes);
	SUB(oracle_yields);
	SUB(deboosts);
	SUB(lag_credits);
	SUB(ipis_sent);
	SUB(ipis_tracked);
	SUB(kicks);
	SUB(pv_yields);
	SUB(tlb_flush_deferred);
	SUB(halt_polls);
	SUB(halt_poll_successes);
	SUB(migrations);
#undef SUB
}
