// SPDX-License-Identifier: MIT
/*
 * Guest programs: the time a step takes (prog.h). Not a kernel model: a
 * workload step's duration is the workload's, drawn by its distribution
 * (the distributions and means come from each workload's table, sourced
 * in docs/workloads.md).
 */
#include "guest/prog.h"

u64 gop_draw(struct prng *r, const struct gop *op)
{
	u64 m = op->mean_ns, x;

	switch (op->dist) {
	case DIST_EXP:
		x = prng_exp(r, m);
		break;
	case DIST_UNIFORM:
		x = m / 2 + prng_below(r, m + 1);
		break;
	default:
		x = m;
		break;
	}
	return x ? x : 1; /* every step takes time: no zero-time loops */
}
