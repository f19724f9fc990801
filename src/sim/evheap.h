/* SPDX-License-Identifier: MIT */
/*
 * A 4-ary min-heap of events ordered by (time, seq): the building block of
 * the event queue (eventq.h). Four children per node make it half as deep
 * as a binary heap, and a node's children share two cache lines.
 */
#ifndef OVERSUB_SIM_EVHEAP_H
#define OVERSUB_SIM_EVHEAP_H

#include "core/types.h"

struct event {
	u64 t;
	u64 seq; /* order of posting: ties in t pop in this order */
	u64 gen;
	u32 kind;
	u32 who;
};

static inline bool ev_before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

struct evheap {
	struct event *ev;
	size_t len, cap;
};

void evheap_free(struct evheap *h);
/* 0, or -ENOMEM (the heap is unchanged). */
int evheap_push(struct evheap *h, const struct event *e);
/* Remove the earliest event into @out; the heap must not be empty. */
void evheap_pop(struct evheap *h, struct event *out);
/* Double the capacity: 0, or -ENOMEM (the heap is unchanged). */
int evheap_grow(struct evheap *h);
/* Make a heap of @h->ev[0 .. len) in any order, in place. */
void evheap_heapify(struct evheap *h);

#endif
