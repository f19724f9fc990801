/* SPDX-License-Identifier: MIT */
/*
 * The simulator's event queue: events pop in (time, seq) order, where seq
 * is the order they were posted, so simultaneous events run in a stable
 * order that never depends on pointers or hashing. Cancelling is lazy: an
 * event carries its owner's generation and is dropped when popped if the
 * owner has moved on.
 *
 * Inside, a timing wheel keeps the cost per event flat as hosts grow:
 * events due in the next `span` of simulated time sit unsorted in buckets
 * of `width` ns; only the bucket being consumed is ordered (a small heap,
 * `near`), and the few events beyond the wheel wait in a heap (`far`)
 * until the wheel reaches them. The width is a speed hint, never a
 * change of order: any width pops the same sequence.
 */
#ifndef OVERSUB_SIM_EVENTQ_H
#define OVERSUB_SIM_EVENTQ_H

#include "sim/evheap.h"

/* An event waiting in a bucket: nodes come from one pool and go back to
 * it last in, first out, so the next event posted reuses a node still in
 * cache. */
struct evnode {
	struct event ev;
	u32 next; /* EVQ_NIL ends a list */
};

#define EVQ_NIL UINT32_MAX

struct eventq {
	struct evheap near; /* t < near_end */
	struct evheap far; /* t >= near_end + span */
	/* [nr_buckets] lists of nodes, unsorted: near_end <= t < +span */
	u32 *bucket;
	u64 *nonempty; /* one bit per bucket */
	struct evnode *pool;
	u32 pool_len, pool_cap, free; /* free: a list of unused nodes */
	u64 near_end; /* a multiple of the bucket width */
	unsigned int shift; /* bucket width = 1 << shift ns */
	unsigned int nr_buckets; /* a power of two; span = nr << shift */
	size_t in_wheel; /* events in buckets */
	u64 seq;
};

/*
 * @width_ns: about the simulated time in which a handful of events fall
 * due (rounded down to a power of two, at least 1); @span_ns: how far
 * ahead the wheel reaches (most events are due within it).
 */
int eventq_init(struct eventq *q, u64 width_ns, u64 span_ns);
void eventq_free(struct eventq *q);
/* 0, or -ENOMEM (nothing was queued). */
int eventq_push(struct eventq *q, u64 t, u32 kind, u32 who, u64 gen);
/* The earliest event into @ev: 1; 0 when empty; -ENOMEM. */
int eventq_pop(struct eventq *q, struct event *ev);

#endif
