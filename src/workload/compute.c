// SPDX-License-Identifier: MIT
/*
 * compute: every vCPU thread runs guest code with nothing shared, one
 * operation per `work` of computation. The control workload: it needs no
 * lock, IPI or wakeup, so no directed-yield mechanism should change it.
 */
#include "workload/workload.h"

enum {
	P_WORK
};

static const struct wl_param params[] = {
	[P_WORK] = { "work", WP_DURATION, 100 * NSEC_PER_USEC, NSEC_PER_USEC,
		     NSEC_PER_SEC, "computation per operation (exponential)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->ops[0] = (struct gop){ .kind = GOP_COMPUTE,
					  .dist = DIST_EXP,
					  .mean_ns = p[P_WORK] };
		g->nr_ops = 1;
	}
	out->nr_threads = nr_vcpus;
	return 0;
}

const struct workload workload_compute = {
	.name = "compute",
	.summary = "independent computation, nothing shared (control)",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "op",
};
