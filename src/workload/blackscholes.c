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
 * Default: `work` = 100 us, about 500 options at the ~0.2 us per option
 * that the CNDF-based pricing loop costs on a 2-3 GHz core (simlarge prices
 * 65,536 options 100 times, a few seconds of serial run time). The size of
 * the block changes nothing in the model except the operation count: no
 * directed-yield mechanism has anything to act on, which is the point.
 */
#include "workload/build.h"

enum {
	P_WORK
};

static const struct wl_param params[] = {
	[P_WORK] = { "work", WP_DURATION, 100 * NSEC_PER_USEC, NSEC_PER_USEC,
		     NSEC_PER_SEC,
		     "user time to price one block of options (uniform)" },
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

const struct workload workload_blackscholes = {
	.name = "blackscholes",
	.summary = "PARSEC blackscholes: independent option pricing, nothing "
		   "shared (control)",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "block",
};
