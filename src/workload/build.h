/* SPDX-License-Identifier: MIT */
/*
 * Helpers for workload builders: append steps to a guest program. A
 * program holds at most GPROG_MAX_OPS steps; the builders size their
 * programs statically, so running out is a bug (asserted), not bad input.
 */
#ifndef OVERSUB_WORKLOAD_BUILD_H
#define OVERSUB_WORKLOAD_BUILD_H

#include <assert.h>

#include "workload/workload.h"

static inline void wl_add(struct gprog *g, struct gop op)
{
	assert(g->nr_ops < GPROG_MAX_OPS);
	g->ops[g->nr_ops++] = op;
}

/* Guest code for @ns (skipped when 0): user code, or kernel code. */
static inline void wl_user(struct gprog *g, enum gop_dist dist, u64 ns)
{
	if (ns)
		wl_add(g, (struct gop){ .kind = GOP_COMPUTE,
					.dist = dist,
					.mean_ns = ns });
}

static inline void wl_kernel(struct gprog *g, enum gop_dist dist, u64 ns)
{
	if (ns)
		wl_add(g, (struct gop){ .kind = GOP_COMPUTE,
					.dist = dist,
					.kernel = true,
					.mean_ns = ns });
}

/* Kernel code for @hold ns between the steps @lock and @unlock on @obj. */
static inline void wl_section(struct gprog *g, enum gop_kind lock,
			      enum gop_kind unlock, u32 obj, u64 hold)
{
	wl_add(g, (struct gop){ .kind = lock, .obj = obj });
	wl_add(g, (struct gop){ .kind = GOP_COMPUTE,
				.dist = DIST_EXP,
				.kernel = true,
				.mean_ns = hold });
	wl_add(g, (struct gop){ .kind = unlock, .obj = obj });
}

/* A kernel critical section of @hold ns under spinlock @lock. */
static inline void wl_spin_section(struct gprog *g, u32 lock, u64 hold)
{
	wl_section(g, GOP_SPIN_LOCK, GOP_SPIN_UNLOCK, lock, hold);
}

/* Under queued rwlock @rw, for read (the readers share it). */
static inline void wl_read_section(struct gprog *g, u32 rw, u64 hold)
{
	wl_section(g, GOP_READ_LOCK, GOP_READ_UNLOCK, rw, hold);
}

/* Under queued rwlock @rw, for write. */
static inline void wl_write_section(struct gprog *g, u32 rw, u64 hold)
{
	wl_section(g, GOP_WRITE_LOCK, GOP_WRITE_UNLOCK, rw, hold);
}

/* Under bit spinlock @bit. */
static inline void wl_bit_section(struct gprog *g, u32 bit, u64 hold)
{
	wl_section(g, GOP_BIT_LOCK, GOP_BIT_UNLOCK, bit, hold);
}

/* A critical section of @hold ns under mutex @m. */
static inline void wl_mutex_section(struct gprog *g, u32 m, u64 hold)
{
	wl_section(g, GOP_MUTEX_LOCK, GOP_MUTEX_UNLOCK, m, hold);
}

/*
 * Open an occasional block: the steps appended until wl_one_in_end() run
 * in one pass of @n (drawn per pass) and are skipped in the others.
 * Returns what wl_one_in_end() takes.
 */
static inline unsigned int wl_one_in(struct gprog *g, u32 n)
{
	wl_add(g, (struct gop){ .kind = GOP_ONE_IN, .arg = n });
	return g->nr_ops - 1;
}

static inline void wl_one_in_end(struct gprog *g, unsigned int at)
{
	g->ops[at].obj = g->nr_ops - at - 1;
}

static inline void wl_op(struct gprog *g, enum gop_kind kind, u32 obj)
{
	wl_add(g, (struct gop){ .kind = kind, .obj = obj });
}

/* flush_tlb_multi() to @fanout other vCPUs (0: all), handler @flush ns. */
static inline void wl_shootdown(struct gprog *g, u32 fanout, u64 flush)
{
	wl_add(g, (struct gop){ .kind = GOP_TLB_SHOOTDOWN,
				.arg = fanout,
				.mean_ns = flush });
}

/* An I/O wait of mean @ns (exponential); skipped when 0. */
static inline void wl_io(struct gprog *g, u64 ns)
{
	if (ns)
		wl_add(g, (struct gop){ .kind = GOP_SLEEP,
					.dist = DIST_EXP,
					.mean_ns = ns });
}

#endif
