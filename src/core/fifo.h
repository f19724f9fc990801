/* SPDX-License-Identifier: MIT */
/*
 * FIFO queues of small integers (a VM's guest thread indices): the guest
 * layer's wait queues and the vCPUs' run queues. A queue is a list
 * threaded through a links array that all queues of one kind share: a
 * thread waits on one thing at a time and sits in one run queue, so each
 * kind needs one int per thread, where a ring per queue sized for every
 * thread took memory growing with the square of a VM's vCPUs.
 */
#ifndef OVERSUB_CORE_FIFO_H
#define OVERSUB_CORE_FIFO_H

#include "core/types.h"

#define GFIFO_OUT (-2) /* link of a member in no queue of its kind */

struct gfifo {
	int *link; /* the kind's: link[v] follows v, -1 after the tail */
	int head, tail; /* -1 when empty */
	unsigned int len;
};

/* Links for members 0 .. @n-1, each in no queue (malloc'd; free()). */
int *gfifo_links(unsigned int n);
/* An empty queue over @link. */
void gfifo_init(struct gfifo *q, int *link);
/* Append @v; it must be in no queue of these links (an internal
 * invariant, asserted). */
void gfifo_push(struct gfifo *q, int v);
int gfifo_pop(struct gfifo *q); /* -1 if empty */
bool gfifo_remove(struct gfifo *q, int v);

/* The first member, or -1. */
static inline int gfifo_head(const struct gfifo *q)
{
	return q->head;
}

/* The member after @v in @q, or -1. */
static inline int gfifo_next(const struct gfifo *q, int v)
{
	return q->link[v];
}

#endif
