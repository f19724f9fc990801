// SPDX-License-Identifier: MIT
/* The table of workloads and lookups by name. */
#include "workload/workload.h"

#include <string.h>

extern const struct workload workload_compute;
extern const struct workload workload_spinlock;
extern const struct workload workload_dbench;
extern const struct workload workload_dedup;
extern const struct workload workload_vips;
extern const struct workload workload_blackscholes;
extern const struct workload workload_kbuild;
extern const struct workload workload_ebizzy;

const struct workload *const workloads[] = {
	&workload_compute, &workload_spinlock, &workload_dbench,
	&workload_dedup,   &workload_vips,     &workload_blackscholes,
	&workload_kbuild,  &workload_ebizzy,
};
const size_t nr_workloads = ARRAY_SIZE(workloads);

const struct workload *workload_find(const char *name)
{
	for (size_t i = 0; i < nr_workloads; i++)
		if (!strcmp(workloads[i]->name, name))
			return workloads[i];
	return NULL;
}

int workload_param_index(const struct workload *wl, const char *name)
{
	for (unsigned int i = 0; i < wl->nr_params; i++)
		if (!strcmp(wl->params[i].name, name))
			return (int)i;
	return -1;
}
