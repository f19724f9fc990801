// SPDX-License-Identifier: MIT
/*
 * core/: scope guards (guard.h), the seeded PRNG (prng.h), list.h and the
 * integer helpers of types.h. No model knowledge here: these check the
 * foundation the model layers build on (DESIGN.md "Conventions").
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/guard.h"
#include "core/list.h"
#include "core/prng.h"
#include "core/types.h"

/* --- guard.h --- */

struct obj {
	int id;
};

static int nr_released;
static int last_released;

static void obj_release(struct obj *o)
{
	nr_released++;
	last_released = o->id;
	free(o);
}

static struct obj *obj_new(int id)
{
	struct obj *o = malloc(sizeof(*o));

	assert_non_null(o);
	o->id = id;
	return o;
}

DEFINE_FREE(obj, struct obj *, if (_T) obj_release(_T))

/* __free releases the object when its variable leaves scope. */
static void guard_free_releases_at_scope_exit(void **state)
{
	(void)state;
	nr_released = 0;
	{
		__free(obj) struct obj *o = obj_new(7);

		assert_int_equal(o->id, 7);
		assert_int_equal(nr_released, 0);
	}
	assert_int_equal(nr_released, 1);
	assert_int_equal(last_released, 7);
}

/* Inner scopes release first, in reverse order of declaration. */
static void guard_free_releases_in_reverse_order(void **state)
{
	(void)state;
	nr_released = 0;
	{
		__free(obj) struct obj *a = obj_new(1);
		__free(obj) struct obj *b = obj_new(2);

		(void)a;
		(void)b;
	}
	assert_int_equal(nr_released, 2);
	assert_int_equal(last_released, 1);
}

static struct obj *make_obj_handed_out(int id)
{
	__free(obj) struct obj *o = obj_new(id);

	return no_free_ptr(o);
}

/* no_free_ptr hands ownership out: nothing is released at scope exit. */
static void guard_no_free_ptr_hands_out(void **state)
{
	struct obj *kept;

	(void)state;
	nr_released = 0;
	kept = make_obj_handed_out(42);
	assert_int_equal(nr_released, 0);
	assert_int_equal(kept->id, 42);
	obj_release(kept);
	assert_int_equal(nr_released, 1);
}

/* no_free_ptr leaves the guarded variable NULL, so its release is a no-op. */
static void guard_no_free_ptr_clears_variable(void **state)
{
	struct obj *kept;

	(void)state;
	nr_released = 0;
	{
		__free(obj) struct obj *o = obj_new(3);

		kept = no_free_ptr(o);
		assert_null(o);
	}
	assert_int_equal(nr_released, 0);
	obj_release(kept);
}

/* __free(free) and __free(fclose) on the libc resources (ASan checks the
 * release). */
static void guard_free_libc_resources(void **state)
{
	(void)state;
	{
		__free(free) char *buf = malloc(64);

		assert_non_null(buf);
		memset(buf, 'x', 64);
	}
	{
		__free(fclose) FILE *f = tmpfile();

		if (f)
			assert_int_equal(fputs("x", f) >= 0, 1);
	}
	{
		__free(fclose) FILE *none = NULL; /* NULL is fine */

		(void)none;
	}
}

static pthread_mutex_t test_lock = PTHREAD_MUTEX_INITIALIZER;

/* trylock on a default mutex fails with EBUSY while anyone holds it. */
static bool lock_is_held(pthread_mutex_t *m)
{
	int ret = pthread_mutex_trylock(m);

	if (ret == 0) {
		pthread_mutex_unlock(m);
		return false;
	}
	assert_int_equal(ret, EBUSY);
	return true;
}

/* guard(mutex) holds the lock for the rest of the scope, then unlocks. */
static void guard_mutex_unlocks_at_scope_end(void **state)
{
	(void)state;
	assert_false(lock_is_held(&test_lock));
	{
		guard(mutex)(&test_lock);
		assert_true(lock_is_held(&test_lock));
	}
	assert_false(lock_is_held(&test_lock));
}

static int locked_early_return(int x)
{
	guard(mutex)(&test_lock);
	if (x > 0)
		return 1;
	return lock_is_held(&test_lock) ? 2 : 3;
}

/* Every return path unlocks, the early one included. */
static void guard_mutex_unlocks_on_early_return(void **state)
{
	(void)state;
	assert_int_equal(locked_early_return(1), 1);
	assert_false(lock_is_held(&test_lock));
	assert_int_equal(locked_early_return(0), 2);
	assert_false(lock_is_held(&test_lock));
}

/* A guard inside a loop body unlocks at the end of each iteration and on
 * break. */
static void guard_mutex_in_loop(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		guard(mutex)(&test_lock);
		assert_true(lock_is_held(&test_lock));
		if (i == 1)
			break;
	}
	assert_false(lock_is_held(&test_lock));
}

/* --- prng.h --- */

/* Same run seed and stream: the same sequence. */
static void prng_same_seed_same_sequence(void **state)
{
	struct prng a, b;

	(void)state;
	prng_seed(&a, 12345, 3);
	prng_seed(&b, 12345, 3);
	for (int i = 0; i < 1000; i++)
		assert_true(prng_next(&a) == prng_next(&b));
}

/* Different streams of one seed, or different seeds, differ. */
static void prng_streams_differ(void **state)
{
	struct prng a, b, c;
	int same_ab = 0, same_ac = 0;

	(void)state;
	prng_seed(&a, 12345, 0);
	prng_seed(&b, 12345, 1);
	prng_seed(&c, 12346, 0);
	for (int i = 0; i < 1000; i++) {
		u64 x = prng_next(&a), y = prng_next(&b), z = prng_next(&c);

		same_ab += x == y;
		same_ac += x == z;
	}
	assert_int_equal(same_ab, 0);
	assert_int_equal(same_ac, 0);
}

/* A seed of 0 still gives a usable (non-zero) state. */
static void prng_seed_zero_works(void **state)
{
	struct prng r;
	u64 acc = 0;

	(void)state;
	prng_seed(&r, 0, 0);
	for (int i = 0; i < 16; i++)
		acc |= prng_next(&r);
	assert_true(acc != 0);
}

/* prng_below(n) stays in [0, n), hits many values, and bound 0/1 give 0. */
static void prng_below_in_range_not_constant(void **state)
{
	struct prng r;
	int seen[10] = { 0 };
	int distinct = 0;

	(void)state;
	prng_seed(&r, 7, 0);
	for (int i = 0; i < 10000; i++) {
		u64 v = prng_below(&r, 10);

		assert_true(v < 10);
		seen[v]++;
	}
	for (int i = 0; i < 10; i++) {
		distinct += seen[i] > 0;
		/* 1000 expected per bucket; sd ~30: a wide band */
		assert_in_range(seen[i], 800, 1200);
	}
	assert_int_equal(distinct, 10);
	assert_true(prng_below(&r, 0) == 0);
	assert_true(prng_below(&r, 1) == 0);
	/* a bound that is not a power of two, close to 2^64 */
	for (int i = 0; i < 100; i++)
		assert_true(prng_below(&r, UINT64_MAX - 2) < UINT64_MAX - 2);
}

/* prng_unit is in [0, 1) with a mean near 1/2. */
static void prng_unit_in_unit_interval(void **state)
{
	struct prng r;
	double sum = 0;

	(void)state;
	prng_seed(&r, 99, 5);
	for (int i = 0; i < 10000; i++) {
		double u = prng_unit(&r);

		assert_true(u >= 0.0 && u < 1.0);
		sum += u;
	}
	/* sd of the mean ~0.003 */
	assert_true(sum / 10000 > 0.47 && sum / 10000 < 0.53);
}

/* prng_exp's sample mean is near its mean (sd of the mean: 1%). */
static void prng_exp_mean(void **state)
{
	struct prng r;
	u64 sum = 0;

	(void)state;
	prng_seed(&r, 2026, 1);
	for (int i = 0; i < 10000; i++)
		sum += prng_exp(&r, 1000);
	assert_in_range(sum / 10000, 900, 1100);
	assert_true(prng_exp(&r, 0) == 0);
}

/* --- list.h and types.h --- */

struct item {
	int v;
	struct list_head node;
};

/* list_add_tail keeps insertion order; list_del_init unlinks and
 * reinitialises. */
static void list_order_and_delete(void **state)
{
	struct list_head head = LIST_HEAD_INIT(head);
	struct item it[3] = { { .v = 1 }, { .v = 2 }, { .v = 3 } };
	struct item *pos;
	int expect[] = { 1, 3 }, n = 0;

	(void)state;
	assert_true(list_empty(&head));
	for (int i = 0; i < 3; i++)
		list_add_tail(&it[i].node, &head);
	list_del_init(&it[1].node);
	assert_true(list_empty(&it[1].node));
	list_for_each_entry(pos, &head, node) {
		assert_true(n < 2);
		assert_int_equal(pos->v, expect[n++]);
	}
	assert_int_equal(n, 2);
}

/* ilog2_u64 is floor(log2); clamp_t/min_t/max_t as in the kernel. */
static void types_helpers(void **state)
{
	(void)state;
	assert_int_equal(ilog2_u64(0), 0);
	assert_int_equal(ilog2_u64(1), 0);
	assert_int_equal(ilog2_u64(8), 3);
	assert_int_equal(ilog2_u64(9), 3);
	assert_int_equal(ilog2_u64(UINT64_MAX), 63);
	assert_int_equal(clamp_t(int, 5, 1, 3), 3);
	assert_int_equal(clamp_t(int, -5, 1, 3), 1);
	assert_int_equal(min_t(u64, 2, 7), 2);
	assert_int_equal(max_t(s64, -2, -7), -2);
	assert_int_equal(NSEC_PER_MSEC, 1000 * NSEC_PER_USEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guard_free_releases_at_scope_exit),
		cmocka_unit_test(guard_free_releases_in_reverse_order),
		cmocka_unit_test(guard_no_free_ptr_hands_out),
		cmocka_unit_test(guard_no_free_ptr_clears_variable),
		cmocka_unit_test(guard_free_libc_resources),
		cmocka_unit_test(guard_mutex_unlocks_at_scope_end),
		cmocka_unit_test(guard_mutex_unlocks_on_early_return),
		cmocka_unit_test(guard_mutex_in_loop),
		cmocka_unit_test(prng_same_seed_same_sequence),
		cmocka_unit_test(prng_streams_differ),
		cmocka_unit_test(prng_seed_zero_works),
		cmocka_unit_test(prng_below_in_range_not_constant),
		cmocka_unit_test(prng_unit_in_unit_interval),
		cmocka_unit_test(prng_exp_mean),
		cmocka_unit_test(list_order_and_delete),
		cmocka_unit_test(types_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
