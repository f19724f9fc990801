/* SPDX-License-Identifier: MIT */
/*
 * Seeded PRNG: xoshiro256** (Blackman & Vigna), seeded through splitmix64.
 * Every simulated entity owns its own stream, derived from the run seed and a
 * stable stream id, so adding an entity never shifts another one's numbers.
 */
#ifndef OVERSUB_CORE_PRNG_H
#define OVERSUB_CORE_PRNG_H

#include "core/types.h"

struct prng {
	u64 s[4];
};

/* Stream @stream of run seed @seed. */
void prng_seed(struct prng *r, u64 seed, u64 stream);
u64 prng_next(struct prng *r);
/* Uniform in [0, bound); bound 0 yields 0. Unbiased (rejection). */
u64 prng_below(struct prng *r, u64 bound);
/* Uniform in [0, 1). */
double prng_unit(struct prng *r);
/* Exponentially distributed with the given mean, rounded to an integer. */
u64 prng_exp(struct prng *r, u64 mean);

#endif
