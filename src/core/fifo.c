// SPDX-License-Identifier: MIT
/* A fixed-capacity FIFO of vCPU indices for guest wait queues. */
#include "core/fifo.h"

#include <errno.h>
#include <assert.h>
#include <stdlib.h>

int gfifo_init(struct gfifo *q, unsigned int cap)
{
	q->slot = calloc(cap ? cap : 1, sizeof(*q->slot));
	q->cap = cap ? cap : 1;
	q->head = 0;
	q->len = 0;
	return q->slot ? 0 : -ENOMEM;
}

void gfifo_free(struct gfifo *q)
{
	free(q->slot);
	q->slot = NULL;
}

void gfifo_push(struct gfifo *q, int v)
{
	/* one entry per vCPU at most: the capacity is the vCPU count */
	assert(q->len < q->cap);
	q->slot[(q->head + q->len++) % q->cap] = v;
}

int gfifo_pop(struct gfifo *q)
{
	int v;

	if (!q->len)
		return -1;
	v = q->slot[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	return v;
}

bool gfifo_remove(struct gfifo *q, int v)
{
	unsigned int i;

	for (i = 0; i < q->len; i++)
		if (q->slot[(q->head + i) % q->cap] == v)
			break;
	if (i == q->len)
		return false;
	for (; i + 1 < q->len; i++)
		q->slot[(q->head + i) % q->cap] =
			q->slot[(q->head + i + 1) % q->cap];
	q->len--;
	return true;
}
