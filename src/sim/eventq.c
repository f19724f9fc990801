// SPDX-License-Identifier: MIT
#include "sim/eventq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* bounds on the wheel's size: 64 buckets (one bitmap word) .. 1 Mi */
#define MIN_BUCKETS 64u
#define MAX_BUCKETS (1u << 20)

int eventq_init(struct eventq *q, u64 width_ns, u64 span_ns)
{
	u64 nr = MIN_BUCKETS;

	memset(q, 0, sizeof(*q));
	q->free = EVQ_NIL;
	while (q->shift < 40 && (2ULL << q->shift) <= width_ns)
		q->shift++;
	while (nr < MAX_BUCKETS && (nr << q->shift) < span_ns)
		nr *= 2;
	q->nr_buckets = (unsigned int)nr;
	q->bucket = malloc(nr * sizeof(*q->bucket));
	q->nonempty = calloc(nr / 64, sizeof(*q->nonempty));
	if (!q->bucket || !q->nonempty) {
		eventq_free(q);
		return -ENOMEM;
	}
	for (u64 i = 0; i < nr; i++)
		q->bucket[i] = EVQ_NIL;
	return 0;
}

void eventq_free(struct eventq *q)
{
	free(q->bucket);
	free(q->nonempty);
	free(q->pool);
	evheap_free(&q->near);
	evheap_free(&q->far);
	memset(q, 0, sizeof(*q));
}

static bool in_wheel(const struct eventq *q, u64 t)
{
	return (t - q->near_end) >> q->shift < q->nr_buckets;
}

/* A node from the free list, else a new one from the pool. */
static int node_get(struct eventq *q, u32 *out)
{
	if (q->free != EVQ_NIL) {
		*out = q->free;
		q->free = q->pool[*out].next;
		return 0;
	}
	if (q->pool_len == q->pool_cap) {
		u32 cap = q->pool_cap ? 2 * q->pool_cap : 256;
		struct evnode *p;

		if (cap <= q->pool_cap) /* 2^32 nodes: the index would wrap */
			return -ENOMEM;
		p = realloc(q->pool, (size_t)cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		q->pool = p;
		q->pool_cap = cap;
	}
	*out = q->pool_len++;
	return 0;
}

/* Add to the bucket of @e->t (unsorted); @e->t is within the wheel. */
static int bucket_add(struct eventq *q, const struct event *e)
{
	unsigned int i = (unsigned int)(e->t >> q->shift) & (q->nr_buckets - 1);
	u32 n;

	if (node_get(q, &n))
		return -ENOMEM;
	q->pool[n].ev = *e;
	q->pool[n].next = q->bucket[i];
	q->bucket[i] = n;
	q->nonempty[i / 64] |= 1ULL << (i % 64);
	q->in_wheel++;
	return 0;
}

int eventq_push(struct eventq *q, u64 t, u32 kind, u32 who, u64 gen)
{
	struct event e = { .t = t,
			   .seq = q->seq++,
			   .gen = gen,
			   .kind = kind,
			   .who = who };

	if (t < q->near_end)
		return evheap_push(&q->near, &e);
	if (in_wheel(q, t))
		return bucket_add(q, &e);
	return evheap_push(&q->far, &e);
}

/* Move the far events the wheel now reaches into their buckets. */
static int far_refill(struct eventq *q)
{
	struct event e;

	while (q->far.len && in_wheel(q, q->far.ev[0].t)) {
		if (bucket_add(q, &q->far.ev[0]))
			return -ENOMEM;
		evheap_pop(&q->far, &e);
	}
	return 0;
}

/* The first non-empty bucket at or after @from, going round the wheel;
 * there is one (in_wheel > 0). */
static unsigned int next_nonempty(const struct eventq *q, unsigned int from)
{
	unsigned int words = q->nr_buckets / 64, w = from / 64;
	u64 bits = q->nonempty[w] & (~0ULL << (from % 64));

	for (unsigned int n = 0; n <= words; n++) {
		if (bits)
			return w * 64 + (unsigned int)__builtin_ctzll(bits);
		w = (w + 1) & (words - 1);
		bits = q->nonempty[w];
	}
	return from;
}

/*
 * Make the earliest non-empty bucket the near heap: every event left in
 * the wheel or beyond it is due at or after the bucket's end.
 */
static int near_refill(struct eventq *q)
{
	unsigned int mask = q->nr_buckets - 1, cur, i;
	int ret;

	if (!q->in_wheel) {
		/* only far events: jump to the first one's bucket */
		q->near_end = q->far.ev[0].t >> q->shift << q->shift;
		ret = far_refill(q);
		if (ret)
			return ret;
	}
	cur = (unsigned int)(q->near_end >> q->shift) & mask;
	i = next_nonempty(q, cur);
	q->near_end += ((u64)((i - cur) & mask) + 1) << q->shift;
	while (q->bucket[i] != EVQ_NIL) {
		u32 n = q->bucket[i];

		if (q->near.len == q->near.cap && evheap_grow(&q->near))
			return -ENOMEM;
		q->near.ev[q->near.len++] = q->pool[n].ev;
		q->bucket[i] = q->pool[n].next;
		q->pool[n].next = q->free;
		q->free = n;
		q->in_wheel--;
	}
	q->nonempty[i / 64] &= ~(1ULL << (i % 64));
	evheap_heapify(&q->near);
	return far_refill(q);
}

int eventq_pop(struct eventq *q, struct event *ev)
{
	while (!q->near.len) {
		int ret;

		if (!q->in_wheel && !q->far.len)
			return 0;
		ret = near_refill(q);
		if (ret)
			return ret;
	}
	evheap_pop(&q->near, ev);
	return 1;
}
