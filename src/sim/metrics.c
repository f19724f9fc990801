// SPDX-License-Identifier: MIT
/* Names of the vCPU time buckets and releasing a run's metrics. */
#include "sim/metrics.h"

#include <stdlib.h>
#include <string.h>

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
