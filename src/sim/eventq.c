// SPDX-License-Identifier: MIT
#include "sim/eventq.h"

#include <errno.h>
#include <stdlib.h>

/* children per node: a 4-ary heap is half as deep as a binary one, and a
 * node's children share two cache lines */
#define EVENTQ_ARITY 4

static inline bool ev_before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int eventq_init(struct eventq *q, size_t cap)
{
	q->cap = cap ? cap : 64;
	q->len = 0;
	q->seq = 0;
	q->heap = malloc(q->cap * sizeof(*q->heap));
	return q->heap ? 0 : -ENOMEM;
}

void eventq_free(struct eventq *q)
{
	free(q->heap);
	q->heap = NULL;
}

int eventq_push(struct eventq *q, u64 t, u32 kind, u32 who, u64 gen)
{
	struct event ev = { .t = t,
			    .seq = q->seq++,
			    .gen = gen,
			    .kind = kind,
			    .who = who };
	size_t i;

	if (q->len == q->cap) {
		struct event *h = realloc(q->heap, 2 * q->cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		q->heap = h;
		q->cap *= 2;
	}
	i = q->len++;
	while (i) {
		size_t parent = (i - 1) / EVENTQ_ARITY;

		if (!ev_before(&ev, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = ev;
	return 0;
}

bool eventq_pop(struct eventq *q, struct event *ev)
{
	struct event last;
	size_t i = 0;

	if (!q->len)
		return false;
	*ev = q->heap[0];
	last = q->heap[--q->len];
	for (;;) {
		size_t first = EVENTQ_ARITY * i + 1, end, c;

		if (first >= q->len)
			break;
		end = min_t(size_t, first + EVENTQ_ARITY, q->len);
		c = first;
		for (size_t k = first + 1; k < end; k++)
			if (ev_before(&q->heap[k], &q->heap[c]))
				c = k;
		if (!ev_before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->len)
		q->heap[i] = last;
	return true;
}
