// SPDX-License-Identifier: MIT
#include "sim/evheap.h"

#include <errno.h>
#include <stdlib.h>

#define ARITY 4

void evheap_free(struct evheap *h)
{
	free(h->ev);
	h->ev = NULL;
	h->len = h->cap = 0;
}

int evheap_grow(struct evheap *h)
{
	size_t cap = h->cap ? 2 * h->cap : 16;
	struct event *ev = realloc(h->ev, cap * sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	h->ev = ev;
	h->cap = cap;
	return 0;
}

int evheap_push(struct evheap *h, const struct event *e)
{
	size_t i;

	if (h->len == h->cap && evheap_grow(h))
		return -ENOMEM;
	i = h->len++;
	while (i) {
		size_t parent = (i - 1) / ARITY;

		if (!ev_before(e, &h->ev[parent]))
			break;
		h->ev[i] = h->ev[parent];
		i = parent;
	}
	h->ev[i] = *e;
	return 0;
}

/* Put @e at @i or below it, moving earlier children up. */
static void sift_down(struct evheap *h, size_t i, const struct event *e)
{
	for (;;) {
		size_t first = ARITY * i + 1, end, c;

		if (first >= h->len)
			break;
		end = min_t(size_t, first + ARITY, h->len);
		c = first;
		for (size_t k = first + 1; k < end; k++)
			if (ev_before(&h->ev[k], &h->ev[c]))
				c = k;
		if (!ev_before(&h->ev[c], e))
			break;
		h->ev[i] = h->ev[c];
		i = c;
	}
	h->ev[i] = *e;
}

void evheap_pop(struct evheap *h, struct event *out)
{
	struct event last;

	*out = h->ev[0];
	last = h->ev[--h->len];
	if (h->len)
		sift_down(h, 0, &last);
}

void evheap_heapify(struct evheap *h)
{
	if (h->len < 2)
		return;
	for (size_t i = (h->len - 2) / ARITY + 1; i-- > 0;) {
		struct event e = h->ev[i];

		sift_down(h, i, &e);
	}
}
