// SPDX-License-Identifier: MIT
/* The growable interrupt FIFO of a simulated vCPU (engine.h: girq_ring). */
#include <errno.h>
#include <stdlib.h>

#include "sim/engine.h"

int girq_ring_push(struct girq_ring *r, struct girq x)
{
	if (r->len == r->cap) {
		unsigned int cap = r->cap ? 2 * r->cap : 4;
		struct girq *n = malloc(cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (unsigned int i = 0; i < r->len; i++)
			n[i] = *girq_ring_at(r, i);
		free(r->slot);
		r->slot = n;
		r->cap = cap;
		r->head = 0;
	}
	r->slot[(r->head + r->len++) % r->cap] = x;
	return 0;
}
