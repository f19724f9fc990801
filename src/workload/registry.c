// SPDX-License-Identifier: MIT
/* The table of workloads, lookups by name, and building a VM's programs. */
#include "workload/workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

int workload_build(const struct workload *wl, const u64 *params,
		   unsigned int nr_vcpus, struct guest_vm_desc *out, char *err,
		   size_t errlen)
{
	int ret;

	*out = (struct guest_vm_desc){ 0 };
	out->progs = calloc(GUEST_MAX_THREADS(nr_vcpus), sizeof(*out->progs));
	if (!out->progs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	err[0] = 0;
	ret = wl->build(params, nr_vcpus, out, err, errlen);
	if (!ret && (!out->nr_threads ||
		     out->nr_threads > GUEST_MAX_THREADS(nr_vcpus))) {
		snprintf(err, errlen, "%u threads on %u vCPUs", out->nr_threads,
			 nr_vcpus);
		ret = -EINVAL;
	}
	if (!ret && out->nr_sems > GUEST_MAX_SEMS) {
		snprintf(err, errlen, "%u semaphores, at most %d",
			 out->nr_sems, GUEST_MAX_SEMS);
		ret = -EINVAL;
	}
	if (ret) {
		free(out->progs);
		out->progs = NULL;
	}
	return ret;
}
