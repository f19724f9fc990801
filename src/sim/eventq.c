// SPDX-License-Identifier: MIT
#include "sim/eventq.h"

#include <errno.h>
#include <stdlib.h>

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
		size_t parent = (i - 1) / 2;

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
		size_t c = 2 * i + 1;

		if (c >= q->len)
			break;
		if (c + 1 < q->len && ev_before(&q->heap[c + 1], &q->heap[c]))
			c++;
		if (!ev_before(&q->heap[c], &last))
			break;
		q->heap[i] = q->heap[c];
		i = c;
	}
	if (q->len)
		q->heap[i] = last;
	return true;
}
