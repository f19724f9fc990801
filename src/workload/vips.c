// SPDX-License-Identifier: MIT
/*
 * vips (PARSEC, simlarge): the VIPS image library's benchmark pipeline
 * (affine transform, convolution/sharpen, colour conversion) over one
 * large image.
 *
 * The real benchmark evaluates the whole operation chain per output tile
 * on a thread pool: each worker asks the pool for the next tile (the
 * allocation runs under the pool's mutex), computes it, and hands the
 * result to the write-behind buffer; when a buffer (a strip of the output
 * as wide as the image) is complete, the writer thread writes it out
 * while the workers fill the next one, and a worker that runs ahead of
 * the writer sleeps on a semaphore until the buffer is free. In the guest
 * kernel that is futex traffic: a contended pool mutex, and a wakeup
 * (try_to_wake_up() and a reschedule IPI) for every sleeper each time a
 * strip completes. Between those points it is pure user-mode computation.
 *
 * Primitives, one pass = one strip's share of work per thread:
 *   repeat `tiles` times:
 *     user `tile` (uniform)                 compute one tile
 *     mutex(pool) kernel `hold`             ask for the next tile (futex)
 *   barrier                                 strip complete, next buffer
 * The barrier stands for the write-behind hand-off: every worker waits
 * until the strip is done and is then woken, which is stricter than the
 * real double buffer (a worker only waits when it is a whole strip ahead).
 *
 * Defaults and where they come from:
 * - `tile` 2 ms: the CPU time of one 128 x 128 output tile of the
 *   benchmark's chain, measured here (Debian's libvips, one worker: 0.98
 *   CPU of user time at 492 tiles/s; validation/vips, docs/validation.md).
 * - `tiles` 1: tiles per thread per strip: a strip of the 2662-pixel-wide
 *   simlarge image is 21 tiles of 128 pixels, one or two per thread at
 *   16 threads. Range 1..7 (program size).
 * - `hold` 1 us: the pool's allocation step (next tile position, region
 *   bookkeeping) under its mutex, a futex when contended (an estimate).
 *
 * Left out: the separate writer thread and its I/O (the output write is
 * folded into the barrier wait), vips' buffer cache and memory reuse (no
 * frees, so no TLB shootdowns), and the real double buffer's slack.
 */
#include "workload/build.h"

#include <errno.h>
#include <stdio.h>

enum {
	P_TILE,
	P_TILES,
	P_HOLD,
};

static const struct wl_param params[] = {
	[P_TILE] = { "tile", WP_DURATION, 2 * NSEC_PER_MSEC, NSEC_PER_USEC,
		     NSEC_PER_SEC, "user time per tile (uniform)" },
	[P_TILES] = { "tiles", WP_UINT, 1, 1, 7,
		      "tiles per thread between strip synchronisations" },
	[P_HOLD] = { "hold", WP_DURATION, NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		     "thread-pool mutex hold per tile (exponential)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	if (p[P_HOLD] >= p[P_TILE]) {
		snprintf(err, errlen,
			 "hold: %llu ns must be shorter than tile (%llu ns): "
			 "the pool lock only hands out the work",
			 (unsigned long long)p[P_HOLD],
			 (unsigned long long)p[P_TILE]);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->nr_ops = 0;
		for (u64 t = 0; t < p[P_TILES]; t++) {
			wl_user(g, DIST_UNIFORM, p[P_TILE]);
			wl_mutex_section(g, 0, p[P_HOLD]);
		}
		wl_op(g, GOP_BARRIER, 0);
	}
	out->nr_threads = nr_vcpus;
	out->nr_mutexes = 1;
	out->nr_barriers = 1;
	return 0;
}

/* a pass computes `tiles` tiles */
static double unit_passes(const u64 *p)
{
	return 1.0 / (double)p[P_TILES];
}

const struct workload workload_vips = {
	.name = "vips",
	.summary = "PARSEC vips: compute-heavy tiles, a thread-pool mutex and "
		   "a barrier per strip",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "tile",
	.unit_passes = unit_passes,
};
