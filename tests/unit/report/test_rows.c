// SPDX-License-Identifier: MIT
/*
 * report/rows: a sweep run's row holds its place, its axis values and its
 * metrics in the documented order (docs/sweep.md); a cell reads back as
 * the type it was written with, so rows read from JSON lines or CSV write
 * the same bytes; rows are put in run order with copies dropped and gaps
 * named; the summary is the mean and sd over the seeds and the change
 * against the baseline, computed as worked out below.
 */
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "fixture.h"
#include "report/rows.h"

static char err[512];

static void cell_is(const char *text, json_type type)
{
	json_t *v = row_cell_value(text);

	assert_non_null(v);
	if (json_typeof(v) != type)
		fail_msg("'%s': type %d, expected %d", text, json_typeof(v),
			 type);
	json_decref(v);
}

/* A cell is an integer or a real only if that is exactly how the number
 * is written back; anything else stays a string (010 is not 10). */
static void test_cell_types(void **state)
{
	(void)state;
	cell_is("8", JSON_INTEGER);
	cell_is("-3", JSON_INTEGER);
	cell_is("2.5", JSON_REAL);
	cell_is("66414.0", JSON_REAL);
	cell_is("010", JSON_STRING);
	cell_is("1e3", JSON_STRING);
	cell_is("5us", JSON_STRING);
	cell_is("series-v2", JSON_STRING);
	cell_is("", JSON_NULL);
}

/* Two sections, one instance each, as fixture.h's VMs. */
static struct vm_config fixture_vms[2] = {
	{ .name = "big", .vcpus = 4, .count = 1 },
	{ .name = "small", .vcpus = 1, .count = 1 },
};

static json_t *fixture_row(unsigned int run, const char *policy, u64 seed,
			   double scale, const char *axis_value)
{
	static const char *const names[] = { "vm.big.vcpus" };
	const char *values[] = { axis_value };
	struct row_place p = { .sweep = "00ab", .run = run, .runs = 4,
			       .axis_names = names, .axis_values = values,
			       .nr_axes = 1, .policy = policy, .seed = seed };
	struct sim_config cfg = { .vms = fixture_vms, .nr_vms = 2 };
	struct sim_metrics m;
	json_t *row;

	fixture_metrics(&m, scale);
	row = row_make(&p, &cfg, &m);
	sim_metrics_free(&m);
	assert_non_null(row);
	return row;
}

/*
 * fixture.h: big does 12345 ops/s, small 1000: throughput 13345, per
 * section 12345 and 1000. vCPU time pooled over both VMs (ms): work
 * 3 x 500 + 400 + 1000 = 2900, spin 3 x 200 + 300 = 900, ipi 200, halted
 * 400, steal 400, exit 200, of 5000: 58, 18, 4, 8, 8, 4 %. Shares 2.7/3 =
 * 0.9 and 1/1 = 1: Jain (1.9)^2 / (2 x (0.81 + 1)) = 0.99723757. Host
 * counter i is i + 1: context_switches 1 ... events 17.
 */
static void test_row_make(void **state)
{
	static const char *const order[] = {
		"sweep", "run", "runs", "vm.big.vcpus", "policy", "seed",
		"throughput", "vm.big.throughput", "vm.small.throughput",
		"jain", "work_pct", "spin_pct", "ipi_wait_pct", "halted_pct",
		"steal_pct", "exit_pct", "poll_pct", "context_switches",
	};
	json_t *row = fixture_row(2, "vanilla", 7, 1.0, "4");
	void *it = json_object_iter(row);

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), order[i]);
		it = json_object_iter_next(row, it);
	}
	assert_int_equal(json_integer_value(json_object_get(row, "vm.big.vcpus")), 4);
	assert_int_equal(json_integer_value(json_object_get(row, "seed")), 7);
	assert_float_equal(json_real_value(json_object_get(row, "throughput")),
			   13345.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row, "vm.small.throughput")),
			   1000.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row, "work_pct")),
			   58.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row, "spin_pct")),
			   18.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row, "jain")),
			   0.99723757, 1e-8);
	assert_int_equal(json_integer_value(json_object_get(row, "context_switches")), 1);
	assert_int_equal(json_integer_value(json_object_get(row, "events")), 17);
	assert_int_equal(json_integer_value(json_object_get(row, "duration_ns")),
			 1000000000);
	json_decref(row);
}

static char *write_rows(const struct rows *r, bool csv)
{
	char *buf = NULL;

	CAPTURE(buf, rows_write(f, r, csv));
	return buf;
}

/* Rows written as JSON lines or CSV and read back write the same bytes,
 * in either format. */
static void test_round_trip(void **state)
{
	char path[] = "/tmp/test_rows.XXXXXX";
	struct rows r = { 0 }, back = { 0 };
	char *json, *csv, *again;
	FILE *f;
	int fd;

	(void)state;
	rows_add(&r, fixture_row(0, "vanilla", 1, 1.0, "4"));
	rows_add(&r, fixture_row(1, "vanilla", 2, 1.1, "4"));
	json = write_rows(&r, false);
	csv = write_rows(&r, true);
	assert_non_null(strstr(csv, "sweep,run,runs,vm.big.vcpus,policy,seed,"));
	assert_non_null(strstr(csv, "\n00ab,0,4,4,vanilla,1,13345.0,"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(csv, f);
	fclose(f);
	assert_int_equal(rows_load(&back, path, false, NULL, err, sizeof(err)), 0);
	again = write_rows(&back, false);
	assert_string_equal(again, json);
	free(again);
	again = write_rows(&back, true);
	assert_string_equal(again, csv);
	free(again);
	unlink(path);
	free(json);
	free(csv);
	rows_free(&r);
	rows_free(&back);
}

/* A last line without its newline is a run being written when the sweep
 * stopped: left out when resuming, an error otherwise. */
static void test_torn_line(void **state)
{
	char path[] = "/tmp/test_rows.XXXXXX";
	struct rows r = { 0 };
	bool torn;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("{\"sweep\":\"a\",\"run\":0,\"runs\":2,\"policy\":\"p\",\"seed\":1}\n"
	      "{\"sweep\":\"a\",\"run\":1,\"ru", f);
	fclose(f);
	assert_int_equal(rows_load(&r, path, true, &torn, err, sizeof(err)), 0);
	assert_true(torn);
	assert_int_equal(r.nr, 1);
	rows_free(&r);
	assert_int_equal(rows_load(&r, path, false, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ":2: not a JSON object"));
	rows_free(&r);
	unlink(path);
}

static json_t *mini(const char *sweep, int run, int runs, double x)
{
	json_t *o = json_pack("{s:s,s:i,s:i,s:s,s:i,s:f}", "sweep", sweep,
			      "run", run, "runs", runs, "policy", "p", "seed",
			      1, "throughput", x);

	assert_non_null(o);
	return o;
}

/* Run order; the same run twice with equal values is kept once. */
static void test_canonical_order(void **state)
{
	struct rows r = { 0 };

	(void)state;
	rows_add(&r, mini("a", 2, 3, 3.0));
	rows_add(&r, mini("a", 0, 3, 1.0));
	rows_add(&r, mini("a", 2, 3, 3.0));
	rows_add(&r, mini("a", 1, 3, 2.0));
	assert_int_equal(rows_canonical(&r, true, err, sizeof(err)), 0);
	assert_int_equal(r.nr, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(json_integer_value(json_object_get(r.v[i], "run")), i);
	rows_free(&r);
}

/* A run twice with different values, a run of another sweep and missing
 * runs are refused, each with its message. */
static void test_canonical_refused(void **state)
{
	struct rows r = { 0 };

	(void)state;
	rows_add(&r, mini("a", 0, 3, 1.0));
	rows_add(&r, mini("a", 0, 3, 1.5));
	assert_int_equal(rows_canonical(&r, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "run 0 twice, with different results");
	rows_free(&r);

	rows_add(&r, mini("a", 0, 3, 1.0));
	rows_add(&r, mini("b", 1, 3, 1.0));
	assert_int_equal(rows_canonical(&r, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "run 1: from another sweep (sweep b of 3 runs, "
			    "not a of 3)");
	rows_free(&r);

	rows_add(&r, mini("a", 1, 4, 1.0));
	assert_int_equal(rows_canonical(&r, false, err, sizeof(err)), 0);
	assert_int_equal(rows_canonical(&r, true, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "3 of 4 runs missing (run 0, 2, 3)");
	rows_free(&r);
}

/*
 * One axis x (one value), policies base and new, two seeds each: base
 * 100, 110 (mean 105, sd sqrt(50) = 7.0711), new 120, 130 (mean 125, sd
 * 7.0711). Change 125 / 105 - 1 = +19.05 %; spread r x sqrt((7.0711 /
 * 105)^2 + (7.0711 / 125)^2) = 1.190476 x 0.087949 = 10.47 %.
 */
static void test_summary(void **state)
{
	static const double x[4] = { 100, 110, 120, 130 };
	struct rows r = { 0 };
	char *out = NULL;

	(void)state;
	for (int i = 0; i < 4; i++)
		rows_add(&r, json_pack("{s:s,s:i,s:i,s:i,s:s,s:i,s:f}", "sweep",
				       "id", "run", i, "runs", 4, "x", 8,
				       "policy", i < 2 ? "base" : "new", "seed",
				       1 + i % 2, "throughput", x[i]));
	CAPTURE(out, rows_summary(f, &r, "throughput", NULL, err, sizeof(err)));
	assert_non_null(strstr(out, "Sweep id: 1 point x 2 policies x 2 seeds "
			       "= 4 runs\n"));
	assert_non_null(strstr(out, "base        2           105.0           7.1\n"));
	assert_non_null(strstr(out, "new         2           125.0           7.1"
			       "     +19.05    10.47\n"));
	free(out);
	/* a column that is not there */
	assert_int_equal(rows_summary(stderr, &r, "bogus", NULL, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "metric 'bogus': no such column (docs/sweep.md "
			    "lists them)");
	rows_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_types),
		cmocka_unit_test(test_row_make),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_torn_line),
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_canonical_refused),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
