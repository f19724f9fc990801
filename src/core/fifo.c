// SPDX-License-Identifier: MIT
/* FIFO queues threaded through shared links (fifo.h). */
#include "core/fifo.h"

#include <assert.h>
#include <stdlib.h>

int *gfifo_links(unsigned int n)
{
	int *link = malloc((n ? n : 1) * sizeof(*link));

	for (unsigned int i = 0; link && i < n; i++)
		link[i] = GFIFO_OUT;
	return link;
}

void gfifo_init(struct gfifo *q, int *link)
{
	q->link = link;
	q->head = -1;
	q->tail = -1;
	q->len = 0;
}

void gfifo_push(struct gfifo *q, int v)
{
	/* a member waits in one queue of a kind at a time */
	assert(q->link[v] == GFIFO_OUT);
	q->link[v] = -1;
	if (q->tail >= 0)
		q->link[q->tail] = v;
	else
		q->head = v;
	q->tail = v;
	q->len++;
}

int gfifo_pop(struct gfifo *q)
{
	int v = q->head;

	if (v < 0)
		return -1;
	q->head = q->link[v];
	if (q->head < 0)
		q->tail = -1;
	q->link[v] = GFIFO_OUT;
	q->len--;
	return v;
}

bool gfifo_remove(struct gfifo *q, int v)
{
	int prev = -1, cur = q->head;

	while (cur >= 0 && cur != v) {
		prev = cur;
		cur = q->link[cur];
	}
	if (cur < 0)
		return false;
	if (prev < 0)
		q->head = q->link[v];
	else
		q->link[prev] = q->link[v];
	if (q->tail == v)
		q->tail = prev;
	q->link[v] = GFIFO_OUT;
	q->len--;
	return true;
}
