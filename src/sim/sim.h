/* SPDX-License-Identifier: MIT */
/*
 * The simulator: one deterministic discrete-event run of a host, its VMs
 * and their guest workloads over the policy core (sched + kvm). The same
 * config and seed give byte-identical metrics and trace.
 */
#ifndef OVERSUB_SIM_H
#define OVERSUB_SIM_H

#include "sim/config.h"
#include "sim/metrics.h"
#include "sim/trace.h"

/*
 * Run @cfg and fill @out (free with sim_metrics_free). @trace may be NULL.
 * With @check_invariants the scheduler model's consistency is verified
 * after every event (slow; tests and debug runs). Returns 0, or -EINVAL /
 * -ENOMEM with a message in @err.
 */
int sim_run(const struct sim_config *cfg, const struct sim_trace_ops *trace,
	    bool check_invariants, struct sim_metrics *out, char *err,
	    size_t errlen);

#endif
