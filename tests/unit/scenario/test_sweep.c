// SPDX-License-Identifier: MIT
/*
 * scenario/sweep: axes (docs/sweep.md) expand to exactly the values they
 * list, name the section and key they set, multiply into the runs in the
 * documented order (the last axis fastest, then policy, then seed), put
 * their values in place of the file's (or add them), and every bad axis or
 * value is refused with one message naming the [sweep] line or --vary.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/sweep.h"

static char err[1024];

/* line 1..: the [sweep] section is at lines 12-14 */
static const char base_text[] =
	"[host]\n"		/* 1 */
	"cpus = 4\n"		/* 2 */
	"\n"			/* 3 */
	"[vm web]\n"		/* 4 */
	"vcpus = 4\n"		/* 5 */
	"workload = spinlock\n" /* 6 */
	"\n"			/* 7 */
	"[run]\n"		/* 8 */
	"duration = 10ms\n"	/* 9 */
	"seeds = 1..2\n"	/* 10 */
	"\n"			/* 11 */
	"[sweep]\n"		/* 12 */
	"vm.web.vcpus = 2, 4\n" /* 13 */
	"host.cpus = 4..6\n"	/* 14 */
	"policy = vanilla, series-v2\n"; /* 15 */

static void values_ok(const char *s, unsigned int n, const char *const *want)
{
	char(*v)[SWEEP_MAX_VALUE_LEN];
	unsigned int nr;

	if (sweep_values_parse(s, &v, &nr, err, sizeof(err)))
		fail_msg("%s: %s", s, err);
	assert_int_equal(nr, n);
	for (unsigned int i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
	free(v);
}

static void values_bad(const char *s, const char *want)
{
	char(*v)[SWEEP_MAX_VALUE_LEN];
	unsigned int nr;

	assert_int_equal(sweep_values_parse(s, &v, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	assert_null(v);
	assert_int_equal(nr, 0);
}

/* A comma list keeps its order; blanks around values go. */
static void test_values_list(void **state)
{
	static const char *const want[] = { "8", "16", "10us", "on" };

	(void)state;
	values_ok(" 8, 16,10us ,on", 4, want);
}

/* A..B is every integer from A to B, inclusive, among other values. */
static void test_values_range(void **state)
{
	static const char *const want[] = { "1", "2", "3", "7" };

	(void)state;
	values_ok("1..3, 7", 4, want);
}

/* An empty range, a value twice (also through a range), an empty value
 * and characters a CSV cell or a shell word would need quoted. */
static void test_values_bad(void **state)
{
	(void)state;
	values_bad("5..3", "range '5..3' is empty (A..B needs A <= B)");
	values_bad("1..3, 2", "value '2' given twice");
	values_bad("1,,2", "empty value in '1,,2'");
	values_bad("a b", "value 'a b': letters, digits and _ . + - % only");
	values_bad("1..x", "bad range '1..x': A..B takes two decimal integers");
}

static void init_bad(const char *text, const char *const *vary,
		     unsigned int nr, const char *want)
{
	struct sweep sw;

	assert_int_equal(sweep_init(&sw, "t.ini", text, vary, nr, err,
				    sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	sweep_free(&sw);
}

static void init_ok(struct sweep *sw, const char *text,
		    const char *const *vary, unsigned int nr)
{
	if (sweep_init(sw, "t.ini", text, vary, nr, err, sizeof(err)))
		fail_msg("%s", err);
}

/* KIND.NAME.KEY names [kind NAME]; host/run/policy take no name; policy
 * and seed are the special axes. */
static void test_axis_names(void **state)
{
	static const char *const vary[] = { "task.hog.nice=0,5",
					    "policy.ple_window=4096",
					    "seed=3,4,5" };
	static const char text[] = "[host]\ncpus = 2\n[task hog]\nrun = 1ms\n"
				   "[policy]\npreset = deboost\n";
	struct sweep sw;

	(void)state;
	init_ok(&sw, text, vary, 3);
	assert_int_equal(sw.nr_axes, 2);
	assert_string_equal(sw.axes[0].section, "[task hog]");
	assert_string_equal(sw.axes[0].key, "nice");
	assert_string_equal(sw.axes[1].section, "[policy]");
	assert_string_equal(sw.axes[1].key, "ple_window");
	/* seeds 3, 4, 5 replace the file's (1); no policy axis: its own */
	assert_int_equal(sw.nr_seeds, 3);
	assert_int_equal(sw.seeds[2], 5);
	assert_int_equal(sw.nr_policies, 1);
	assert_string_equal(sweep_policy_name(&sw, 0), "deboost");
	sweep_free(&sw);
}

static void test_axis_names_bad(void **state)
{
	static const char *const v1[] = { "vm.vcpus=4" };
	static const char *const v2[] = { "run.seeds=1..3" };
	static const char *const v3[] = { "table.vms=2" };
	static const char *const v4[] = { "disk.size=2" };
	static const char *const v5[] = { "vcpus" };

	(void)state;
	init_bad(base_text, v1, 1, "--vary: vm.vcpus: needs the section's "
		 "name: vm.NAME.vcpus");
	init_bad(base_text, v2, 1, "--vary: run.seeds: seeds are the `seed` "
		 "axis (seed = 1..5)");
	init_bad(base_text, v3, 1, "--vary: table.vms: [table] keys cannot "
		 "be swept");
	init_bad(base_text, v4, 1, "--vary: 'disk.size': an axis is policy, "
		 "seed, host.KEY, run.KEY, policy.KNOB, vm.NAME.KEY or "
		 "task.NAME.KEY");
	init_bad(base_text, v5, 1, "--vary: expected KEY=VALUES (e.g. "
		 "vm.web.vcpus=4,8 or seed=1..5), got 'vcpus'");
}

/*
 * 2 vcpus values x 3 cpus values = 6 points, x 2 policies x 2 seeds = 24
 * runs. run = (point * 2 + policy) * 2 + seed, so run 17 is seed 17 % 2
 * = 1, policy (17 / 2) % 2 = 0, point 17 / 4 = 4; the last axis varies
 * fastest: point 4 is vcpus value 4 / 3 = 1 ("4") and cpus value 4 % 3 =
 * 1 ("5").
 */
static void test_cross_product(void **state)
{
	unsigned int point, pol, seed;
	struct sweep sw;

	(void)state;
	init_ok(&sw, base_text, NULL, 0);
	assert_int_equal(sw.nr_points, 6);
	assert_int_equal(sw.nr_policies, 2);
	assert_int_equal(sw.nr_seeds, 2);
	assert_int_equal(sw.nr_runs, 24);
	sweep_run_split(&sw, 17, &point, &pol, &seed);
	assert_int_equal(seed, 1);
	assert_int_equal(pol, 0);
	assert_int_equal(point, 4);
	assert_string_equal(sweep_value(&sw, 4, 0), "4");
	assert_string_equal(sweep_value(&sw, 4, 1), "5");
	assert_string_equal(sweep_policy_name(&sw, 1), "series-v2");
	sweep_free(&sw);
}

/* A point is the file with its values in place: vcpus and cpus of point
 * 4 are 4 and 5; a key the file lacks is added to its section, and a
 * [policy] the file lacks is added too. */
static void test_point_values(void **state)
{
	static const char *const vary[] = { "vm.web.hold=7us",
					    "policy.ple_window=8192" };
	struct scenario sc;
	struct sweep sw;

	(void)state;
	init_ok(&sw, base_text, vary, 2);
	assert_int_equal(sw.nr_axes, 4);
	assert_int_equal(sweep_point(&sw, 4, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc.cfg.vms[0].vcpus, 4);
	assert_int_equal(sc.cfg.host.cpus, 5);
	assert_int_equal(sc.cfg.kvm.ple_window, 8192);
	scenario_free(&sc);
	sweep_free(&sw);
}

/* --vary for an axis of [sweep] replaces it (no new axis). */
static void test_vary_replaces(void **state)
{
	static const char *const vary[] = { "vm.web.vcpus=1,2,3" };
	struct sweep sw;

	(void)state;
	init_ok(&sw, base_text, vary, 1);
	assert_int_equal(sw.nr_axes, 2);
	assert_string_equal(sw.axes[0].name, "vm.web.vcpus");
	assert_int_equal(sw.axes[0].nr_values, 3);
	/* 3 x 3 points x 2 policies x 2 seeds */
	assert_int_equal(sw.nr_runs, 36);
	sweep_free(&sw);
}

/* A value the key refuses: the message names the [sweep] line, the axis
 * and the value, then the key's own complaint; from --vary, the flag. */
static void test_value_errors_name_origin(void **state)
{
	static const char *const vary[] = { "host.cpus=0" };
	char text[sizeof(base_text) + 16];

	(void)state;
	snprintf(text, sizeof(text), "%s", base_text);
	memcpy(strstr(text, "2, 4"), "0, 4", 4);
	init_bad(text, NULL, 0, "t.ini:13: vm.web.vcpus = 0: vcpus: must be "
		 "1..4096, got 0");
	init_bad(base_text, vary, 1, "--vary host.cpus=0: cpus: must be "
		 "1..65536, got 0");
}

/* An axis over a section the file does not have. */
static void test_missing_section(void **state)
{
	static const char *const vary[] = { "vm.db.vcpus=2" };

	(void)state;
	init_bad(base_text, vary, 1, "--vary vm.db.vcpus=2: no [vm db] "
		 "section in t.ini");
}

/* A check of the whole section or file that a point's values fail names
 * the point: pin = vm needs vcpus <= cpus, and cpus = 2 breaks it. */
static void test_point_error_names_point(void **state)
{
	static const char *const vary[] = { "host.cpus=4,2" };
	static const char text[] = "[vm web]\n"	    /* 1 */
				   "vcpus = 4\n"	    /* 2 */
				   "pin = vm\n"	    /* 3 */
				   "workload = spinlock\n"; /* 4 */

	(void)state;
	init_bad(text, vary, 1, "t.ini:3: pin: vm needs vcpus <= cpus (2), "
		 "got vcpus = 4 in [vm web] (at host.cpus=2)");
}

/* An unknown preset on the policy axis. */
static void test_policy_unknown(void **state)
{
	static const char *const vary[] = { "policy=vanilla,bogus" };

	(void)state;
	init_bad(base_text, vary, 1, "--vary: policy: unknown preset 'bogus' "
		 "(oversub list presets)");
}

/* More than SWEEP_MAX_RUNS (100000) runs: 4096 x 4096 points. */
static void test_too_many_runs(void **state)
{
	static const char *const vary[] = { "vm.web.vcpus=1..4096",
					    "host.cpus=1..4096" };

	(void)state;
	init_bad(base_text, vary, 2, "t.ini: the sweep has more than 100000 "
		 "runs (axes x policies x seeds); split it");
}

/* A [table] scenario is not swept. */
static void test_table_refused(void **state)
{
	static const char text[] =
		"[vm g]\nvcpus = 2\n[table]\nworkloads = compute\nvms = 2\n"
		"baseline = vanilla\npatched = series-v2\n";

	(void)state;
	init_bad(text, NULL, 0, "t.ini: a [table] scenario is a sweep of its "
		 "own: run it with 'oversub table t.ini'");
}

/* The id is the same for the same sweep and changes with any value. */
static void test_id(void **state)
{
	static const char *const vary[] = { "seed=1..3" };
	struct sweep a, b, c;

	(void)state;
	init_ok(&a, base_text, NULL, 0);
	init_ok(&b, base_text, NULL, 0);
	init_ok(&c, base_text, vary, 1);
	assert_true(a.id == b.id);
	assert_true(a.id != c.id);
	sweep_free(&a);
	sweep_free(&b);
	sweep_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_list),
		cmocka_unit_test(test_values_range),
		cmocka_unit_test(test_values_bad),
		cmocka_unit_test(test_axis_names),
		cmocka_unit_test(test_axis_names_bad),
		cmocka_unit_test(test_cross_product),
		cmocka_unit_test(test_point_values),
		cmocka_unit_test(test_vary_replaces),
		cmocka_unit_test(test_value_errors_name_origin),
		cmocka_unit_test(test_missing_section),
		cmocka_unit_test(test_point_error_names_point),
		cmocka_unit_test(test_policy_unknown),
		cmocka_unit_test(test_too_many_runs),
		cmocka_unit_test(test_table_refused),
		cmocka_unit_test(test_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
