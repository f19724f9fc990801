// SPDX-License-Identifier: MIT
/*
 * blackscholes (PARSEC): the no-regression control.
 *
 * The real benchmark prices a portfolio of European options with the
 * Black-Scholes PDE. The pthreads version splits the option array into one
 * contiguous block per thread, and every thread prices its block NUM_RUNS
 * (100) times; the threads share the read-only input and only write their
 * own slice of the result array, and they meet only at the final join. In
 * the guest kernel it does nothing after start-up: no locks, no IPIs, no
 * I/O, no sleeping. Its only guest-kernel time is the timer tick, which the
 * engine adds itself.
 *
 * Primitives: one user-mode compute step per operation, nothing else. One
 * operation is a block of options (`work`), drawn uniformly in [work/2,
 * 3work/2]: pricing is branch-light floating point (exp, log, sqrt and the
 * cumulative normal), so blocks of equal size take nearly equal time;
 * uniform keeps a little spread so threads do not stay in phase.
 *
 * Defaults: `work` = 100 us per block and `options` = 2,490 options in it:
 * the pricing loop takes 40.2 ns per option here (the reimplementation in
 * validation/programs, one thread: 24.8 M options/s on 1.0 CPU; PARSEC's
 * own build runs as fast). The size of the block changes nothing in the model but
 * the operation count: no directed-yield mechanism has anything to act
 * on, which is the point.
 */
#include "workload/build.h"

enum {
	P_WORK,
	P_OPTIONS,
};

static const struct wl_param params[] = {
	[P_WORK] = { "work", WP_DURATION, 100 * NSEC_PER_USEC, NSEC_PER_USEC,
		     NSEC_PER_SEC,
		     "user time to price one block of options (uniform)" },
	[P_OPTIONS] = { "options", WP_UINT, 2490, 1, 100000000,
			"options in a block (the unit of the real program's "
			"throughput)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->nr_ops = 0;
		wl_user(g, DIST_UNIFORM, p[P_WORK]);
	}
	out->nr_threads = nr_vcpus;
	return 0;
}

/* a pass prices a block of `options` options */
static double unit_passes(const u64 *p)
{
	return 1.0 / (double)p[P_OPTIONS];
}

const struct workload workload_blackscholes = {
	.name = "blackscholes",
	.summary = "PARSEC blackscholes: independent option pricing, nothing "
		   "shared (control)",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "option",
	.unit_passes = unit_passes,
};
