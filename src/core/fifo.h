/* SPDX-License-Identifier: MIT */
/* A FIFO of small integers (vCPU indices) with a capacity fixed at
 * creation; the guest layer's wait queues. */
#ifndef OVERSUB_CORE_FIFO_H
#define OVERSUB_CORE_FIFO_H

#include "core/types.h"

struct gfifo {
	int *slot;
	unsigned int cap, head, len;
};

int gfifo_init(struct gfifo *q, unsigned int cap);
void gfifo_free(struct gfifo *q);
/* Append; the caller guarantees room (an internal invariant). */
void gfifo_push(struct gfifo *q, int v);
int gfifo_pop(struct gfifo *q); /* -1 if empty */
bool gfifo_remove(struct gfifo *q, int v);

#endif
