// SPDX-License-Identifier: MIT
/* The simulator's event queue (src/sim/eventq.c): DESIGN.md "a
 * deterministic event queue (ties broken by a stable sequence, never by
 * pointer)". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/prng.h"
#include "sim/eventq.h"

/* Earliest time first: pushed 30, 10, 20 -> popped 10, 20, 30. */
static void test_time_order(void **state)
{
	struct eventq q;
	struct event ev;

	(void)state;
	assert_int_equal(eventq_init(&q, 8, 64), 0);
	eventq_push(&q, 30, 0, 3, 0);
	eventq_push(&q, 10, 0, 1, 0);
	eventq_push(&q, 20, 0, 2, 0);
	for (u32 want = 1; want <= 3; want++) {
		assert_true(eventq_pop(&q, &ev));
		assert_int_equal(ev.who, want);
	}
	assert_false(eventq_pop(&q, &ev));
	eventq_free(&q);
}

/* Equal times pop in the order they were pushed (who 0..99), whatever
 * the heap shape. */
static void test_ties_in_push_order(void **state)
{
	struct eventq q;
	struct event ev;

	(void)state;
	assert_int_equal(eventq_init(&q, 1, 1), 0);
	for (u32 i = 0; i < 100; i++)
		eventq_push(&q, 5, 0, i, 0);
	for (u32 i = 0; i < 100; i++) {
		assert_true(eventq_pop(&q, &ev));
		assert_int_equal(ev.who, i);
	}
	eventq_free(&q);
}

/* 10000 random times pop sorted by (time, seq); most lie beyond the
 * wheel (16 ns x 64 buckets), so they pass through the far heap. */
static void test_random_sorted(void **state)
{
	struct eventq q;
	struct event ev, last = { 0 };
	struct prng r;

	(void)state;
	prng_seed(&r, 7, 0);
	assert_int_equal(eventq_init(&q, 16, 0), 0);
	for (u32 i = 0; i < 10000; i++)
		eventq_push(&q, prng_below(&r, 1000), 1, i, i);
	for (u32 i = 0; i < 10000; i++) {
		assert_true(eventq_pop(&q, &ev));
		if (i)
			assert_true(ev.t > last.t ||
				    (ev.t == last.t && ev.seq > last.seq));
		last = ev;
	}
	assert_false(eventq_pop(&q, &ev));
	eventq_free(&q);
}

/*
 * The simulator's use: pop one event, post a few at or after its time
 * (some at once, some far ahead). Against a reference that scans every
 * pending event for the least (time, seq), 20000 pops come out the same,
 * for a bucket width of 1 ns, 64 ns and 1 ms and with empty stretches
 * that make the wheel jump.
 */
#define REF_MAX 4096

struct ref {
	struct event ev[REF_MAX];
	unsigned int len;
	u64 seq;
};

static void ref_push(struct ref *r, u64 t, u32 who)
{
	assert_true(r->len < REF_MAX);
	r->ev[r->len++] = (struct event){ .t = t, .seq = r->seq++, .who = who };
}

static struct event ref_pop(struct ref *r)
{
	unsigned int best = 0;
	struct event e;

	for (unsigned int i = 1; i < r->len; i++)
		if (ev_before(&r->ev[i], &r->ev[best]))
			best = i;
	e = r->ev[best];
	r->ev[best] = r->ev[--r->len];
	return e;
}

static void both_push(struct eventq *q, struct ref *r, u64 t, u32 who)
{
	assert_int_equal(eventq_push(q, t, 0, who, 0), 0);
	ref_push(r, t, who);
}

static void run_against_reference(u64 width_ns)
{
	static struct ref r;
	struct eventq q;
	struct event ev, want;
	struct prng rng;
	u32 who = 0;

	memset(&r, 0, sizeof(r));
	prng_seed(&rng, 11, width_ns);
	assert_int_equal(eventq_init(&q, width_ns, 1000), 0);
	for (int i = 0; i < 8; i++)
		both_push(&q, &r, prng_below(&rng, 100), who++);
	for (int n = 0; n < 20000; n++) {
		int posts = (int)prng_below(&rng, 3);

		assert_int_equal(eventq_pop(&q, &ev), 1);
		want = ref_pop(&r);
		assert_int_equal(ev.t, want.t);
		assert_int_equal(ev.who, want.who);
		if (r.len < 4 && !posts)
			posts = 1;
		for (int k = 0; k < posts && r.len < REF_MAX - 1; k++) {
			u64 lead;

			switch (prng_below(&rng, 4)) {
			case 0:
				lead = 0;
				break;
			case 1:
				lead = prng_below(&rng, 50);
				break;
			case 2:
				lead = prng_below(&rng, 5000);
				break;
			default: /* an empty stretch after it */
				lead = 100000 + prng_below(&rng, 1000000);
				break;
			}
			both_push(&q, &r, ev.t + lead, who++);
		}
	}
	eventq_free(&q);
}

static void test_same_order_as_reference(void **state)
{
	(void)state;
	run_against_reference(1);
	run_against_reference(64);
	run_against_reference(1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_ties_in_push_order),
		cmocka_unit_test(test_random_sorted),
		cmocka_unit_test(test_same_order_as_reference),
	};
	return cmocka_run_group_tests_name("sim_eventq", tests, NULL, NULL);
}
