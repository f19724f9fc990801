/* SPDX-License-Identifier: MIT */
/*
 * The simulator's event queue: a binary min-heap ordered by (time, seq),
 * where seq is the order events were posted, so simultaneous events run in
 * a stable order that never depends on pointers or hashing. Cancelling is
 * lazy: an event carries its owner's generation and is dropped when popped
 * if the owner has moved on.
 */
#ifndef OVERSUB_SIM_EVENTQ_H
#define OVERSUB_SIM_EVENTQ_H

#include "core/types.h"

struct event {
	u64 t;
	u64 seq;
	u64 gen;
	u32 kind;
	u32 who;
};

struct eventq {
	struct event *heap;
	size_t len, cap;
	u64 seq;
};

int eventq_init(struct eventq *q, size_t cap);
void eventq_free(struct eventq *q);
int eventq_push(struct eventq *q, u64 t, u32 kind, u32 who, u64 gen);
/* Earliest event into @ev; false when empty. */
bool eventq_pop(struct eventq *q, struct event *ev);

#endif
