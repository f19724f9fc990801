// SPDX-License-Identifier: MIT
/* The simulator's event queue (src/sim/eventq.c): DESIGN.md "a
 * deterministic event queue (ties broken by a stable sequence, never by
 * pointer)". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/prng.h"
#include "sim/eventq.h"

/* Earliest time first: pushed 30, 10, 20 -> popped 10, 20, 30. */
static void test_time_order(void **state)
{
	struct eventq q;
	struct event ev;

	(void)state;
	assert_int_equal(eventq_init(&q, 2), 0);
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
	assert_int_equal(eventq_init(&q, 1), 0);
	for (u32 i = 0; i < 100; i++)
		eventq_push(&q, 5, 0, i, 0);
	for (u32 i = 0; i < 100; i++) {
		assert_true(eventq_pop(&q, &ev));
		assert_int_equal(ev.who, i);
	}
	eventq_free(&q);
}

/* 10000 random times pop sorted by (time, seq) and the queue grows past
 * its initial capacity. */
static void test_random_sorted(void **state)
{
	struct eventq q;
	struct event ev, last = { 0 };
	struct prng r;

	(void)state;
	prng_seed(&r, 7, 0);
	assert_int_equal(eventq_init(&q, 4), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order),
		cmocka_unit_test(test_ties_in_push_order),
		cmocka_unit_test(test_random_sorted),
	};
	return cmocka_run_group_tests_name("sim_eventq", tests, NULL, NULL);
}
