// SPDX-License-Identifier: MIT
/*
 * spinlock: every vCPU thread computes in user mode, then takes one of `locks`
 * kernel spinlocks (queued spinlock, PV wait/kick when enabled) and holds it
 * for `hold`. The textbook lock-holder-preemption case: at overcommit a
 * holder's vCPU is preempted inside the critical section and the waiters
 * spin (PLE exits, directed yield) or, with PV spinlocks, halt.
 */
#include "workload/workload.h"

#include <errno.h>
#include <stdio.h>

enum {
	P_WORK,
	P_HOLD,
	P_LOCKS
};

static const struct wl_param params[] = {
	[P_WORK] = { "work", WP_DURATION, 20 * NSEC_PER_USEC, 0, NSEC_PER_SEC,
		     "computation between critical sections (exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		     "time the lock is held (exponential)" },
	[P_LOCKS] = { "locks", WP_UINT, 1, 1, 1024,
		      "number of locks; a thread takes lock (op % locks)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	if (p[P_LOCKS] > nr_vcpus) {
		snprintf(err, errlen,
			 "locks: %llu locks for %u vCPUs: need at most one "
			 "lock per vCPU",
			 (unsigned long long)p[P_LOCKS], nr_vcpus);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];
		u32 lock = (u32)(i % p[P_LOCKS]);
		unsigned int n = 0;

		if (p[P_WORK])
			g->ops[n++] = (struct gop){ .kind = GOP_COMPUTE,
						    .dist = DIST_EXP,
						    .mean_ns = p[P_WORK] };
		g->ops[n++] =
			(struct gop){ .kind = GOP_SPIN_LOCK, .obj = lock };
		g->ops[n++] = (struct gop){ .kind = GOP_COMPUTE,
					    .dist = DIST_EXP,
					    .kernel = true,
					    .mean_ns = p[P_HOLD] };
		g->ops[n++] =
			(struct gop){ .kind = GOP_SPIN_UNLOCK, .obj = lock };
		g->nr_ops = n;
	}
	out->nr_threads = nr_vcpus;
	out->nr_spinlocks = (unsigned int)p[P_LOCKS];
	return 0;
}

const struct workload workload_spinlock = {
	.name = "spinlock",
	.summary = "compute, then a short critical section on a shared "
		   "spinlock",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "op",
};
