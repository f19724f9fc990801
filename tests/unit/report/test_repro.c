// SPDX-License-Identifier: MIT
/*
 * report/repro: the reproduction table of `oversub table` from hand-built
 * numbers: the gain of the means and the sd of the paired per-seed gains,
 * the exact text of the three tables, the JSON object (keys, rounding,
 * null for a missing published gain) and the gnuplot script's terminal
 * and data.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"
#include "report/repro.h"

static const u64 seeds[] = { 1, 2 };

static const struct repro_cell cells[] = {
	{
		.workload = "dbench",
		.vms = 2,
		.baseline = 1000.04,
		.patched = 1144.0,
		.gain = { 14.396, 1.2345 },
		.has_published = true,
		.published = 14.4,
		.attr_tput = { 1100.0 },
		.attr = { { 10.0, 0.5 } },
		.oracle_tput = 1300.04,
		.oracle = { 29.996, 2.5 },
		.time_pct = { 35.84, 4.6, 0.04, 50.26, 1.0, 4.26, 4.0 },
	},
	{
		.workload = "dbench",
		.vms = 3,
		.baseline = 900.0,
		.patched = 890.0,
		.gain = { -1.111, 0.004 },
		.has_published = false,
		.attr_tput = { 899.95 },
		.attr = { { -0.00001, 0.0 } },
		.oracle_tput = 950.0,
		.oracle = { 5.5555, 0.1 },
		.time_pct = { 25, 0, 0, 25, 50, 0, 0 },
	},
};

static const struct repro_table table = {
	.scenario = "t.ini",
	.baseline = "vanilla",
	.patched = "series-v2",
	.attribution = { "deboost" },
	.nr_attribution = 1,
	.cpus = 16,
	.vcpus = 16,
	.seeds = seeds,
	.nr_seeds = 2,
	.duration_ns = 1000000000,
	.warmup_ns = 200000000,
	.cells = cells,
	.nr_cells = 2,
};

/* Run @fn into a string. */
static char *capture(int (*fn)(FILE *, const struct repro_table *),
		     const struct repro_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, t), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Gain of the means; sd of the per-seed gains (+10% and +30%: mean 20,
 * sd sqrt(200) = 14.142...). */
static void gain_of_means_sd_of_paired_gains(void **state)
{
	const double base[] = { 100, 200 }, x[] = { 110, 260 };
	double mb, mx;
	struct repro_gain g;

	(void)state;
	repro_gain_compute(base, x, 2, &mb, &mx, &g);
	assert_float_equal(mb, 150, 1e-12);
	assert_float_equal(mx, 185, 1e-12);
	assert_float_equal(g.pct, 100.0 * (185.0 / 150.0 - 1), 1e-9);
	assert_float_equal(g.sd, sqrt(200.0), 1e-9);
	/* one seed: no spread; a zero baseline: no gain */
	repro_gain_compute(base, x, 1, &mb, &mx, &g);
	assert_float_equal(g.pct, 10, 1e-9);
	assert_float_equal(g.sd, 0, 0);
	repro_gain_compute((const double[]){ 0 }, x, 1, &mb, &mx, &g);
	assert_float_equal(g.pct, 0, 0);
}

static void text_tables(void **state)
{
	char *s = capture(report_repro_text, &table);

	(void)state;
	assert_string_equal(
		s,
		"t.ini: 16 host CPUs, VMs of 16 vCPUs; 2 seeds (1, 2); 1.000 s "
		"measured per run after 0.200 s warm-up\n"
		"\n"
		"Throughput of all VMs (ops/s, mean over seeds) and the gain "
		"of series-v2 over vanilla (%; sd: of the per-seed gains);\n"
		"oracle headroom: the gain of vanilla yielding straight to the "
		"vCPU each spinner awaits, the most any directed yield can "
		"win\n"
		"  workload  VMs  vanilla  series-v2  gain %   sd  "
		"oracle headroom %   sd  published %\n"
		"  dbench      2   1000.0     1144.0   +14.4  1.2  "
		"            +30.0  2.5        +14.4\n"
		"              3    900.0      890.0    -1.1  0.0  "
		"             +5.6  0.1            -\n"
		"\n"
		"Attribution: gain over vanilla of each mechanism alone and "
		"of both (series-v2) (%; sd of the per-seed gains)\n"
		"  workload  VMs  deboost only   sd   both   sd\n"
		"  dbench      2         +10.0  0.5  +14.4  1.2\n"
		"              3          +0.0  0.0   -1.1  0.0\n"
		"\n"
		"Where the vanilla vCPU time goes (% of all vCPU time, mean "
		"over seeds): spin and ipi-wait bound what directed yield can "
		"win back\n"
		"  workload  VMs  work  spin  ipi-wait  halted  steal  exit  poll\n"
		"  dbench      2  35.8   4.6       0.0    50.3    1.0   4.3   4.0\n"
		"              3  25.0   0.0       0.0    25.0   50.0   0.0   0.0\n");
	free(s);
}

/* One seed: no sd columns; no attribution: no second table (the time
 * breakdown stays). */
static void text_one_seed_no_attribution(void **state)
{
	struct repro_table t = table;
	char *s;

	(void)state;
	t.nr_seeds = 1;
	t.nr_attribution = 0;
	t.nr_cells = 1;
	s = capture(report_repro_text, &t);
	assert_string_equal(
		s,
		"t.ini: 16 host CPUs, VMs of 16 vCPUs; seed 1; 1.000 s "
		"measured per run after 0.200 s warm-up\n"
		"\n"
		"Throughput of all VMs (ops/s, mean over seeds) and the gain "
		"of series-v2 over vanilla (%);\n"
		"oracle headroom: the gain of vanilla yielding straight to the "
		"vCPU each spinner awaits, the most any directed yield can "
		"win\n"
		"  workload  VMs  vanilla  series-v2  gain %  "
		"oracle headroom %  published %\n"
		"  dbench      2   1000.0     1144.0   +14.4  "
		"            +30.0        +14.4\n"
		"\n"
		"Where the vanilla vCPU time goes (% of all vCPU time, mean "
		"over seeds): spin and ipi-wait bound what directed yield can "
		"win back\n"
		"  workload  VMs  work  spin  ipi-wait  halted  steal  exit  poll\n"
		"  dbench      2  35.8   4.6       0.0    50.3    1.0   4.3   4.0\n");
	free(s);
}

static int dump(FILE *f, const struct repro_table *t)
{
	json_t *j = report_repro_json(t);
	int ret;

	assert_non_null(j);
	ret = report_json_dump(f, j);
	json_decref(j);
	return ret;
}

static void json_object_rows(void **state)
{
	char *s = capture(dump, &table);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e), *rows, *r, *attr;

	(void)state;
	assert_non_null(j);
	rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	assert_int_equal(json_object_size(r), 10);
	assert_string_equal(json_string_value(json_object_get(r, "workload")),
			    "dbench");
	assert_int_equal(json_integer_value(json_object_get(r, "vms")), 2);
	/* rounded: 0.1 ops/s, 0.01 % */
	assert_float_equal(json_real_value(json_object_get(r, "baseline")),
			   1000.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "patched")),
			   1144.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "gain_pct")),
			   14.4, 1e-9);
	assert_float_equal(
		json_real_value(json_object_get(r, "gain_stddev_pct")), 1.23,
		1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "published_pct")),
			   14.4, 1e-9);
	/* the oracle's throughput and headroom, rounded the same way */
	assert_float_equal(json_real_value(json_object_get(r, "oracle")),
			   1300.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "oracle_pct")),
			   30.0, 1e-9);
	assert_float_equal(
		json_real_value(json_object_get(r, "oracle_stddev_pct")), 2.5,
		1e-9);
	r = json_array_get(rows, 1);
	assert_float_equal(json_real_value(json_object_get(r, "oracle_pct")),
			   5.56, 1e-9);
	assert_true(json_is_null(json_object_get(r, "published_pct")));
	/* attribution: each mechanism, then both, per cell */
	attr = json_object_get(j, "attribution");
	assert_int_equal(json_array_size(attr), 4);
	r = json_array_get(attr, 1);
	assert_string_equal(json_string_value(json_object_get(r, "mechanism")),
			    "both");
	assert_string_equal(json_string_value(json_object_get(r, "policy")),
			    "series-v2");
	r = json_array_get(attr, 2);
	assert_string_equal(json_string_value(json_object_get(r, "mechanism")),
			    "deboost");
	assert_float_equal(json_real_value(json_object_get(r, "throughput")),
			   900.0, 1e-9);
	json_decref(j);
	/* the exact bytes of one row: sorted keys, fixed precision, no -0 */
	assert_non_null(strstr(s, "      \"baseline\": 1000.0,\n"
				  "      \"gain_pct\": 14.4,\n"
				  "      \"gain_stddev_pct\": 1.23,\n"
				  "      \"oracle\": 1300.0,\n"
				  "      \"oracle_pct\": 30.0,\n"
				  "      \"oracle_stddev_pct\": 2.5,\n"
				  "      \"patched\": 1144.0,\n"
				  "      \"published_pct\": 14.4,\n"
				  "      \"vms\": 2,\n"
				  "      \"workload\": \"dbench\"\n"));
	assert_non_null(strstr(s, "\"gain_pct\": 0.0,"));
	assert_null(strstr(s, "-0.0"));
	free(s);
}

/* "baseline_time": one object per cell, every bucket as NAME_pct ("-" as
 * "_"), rounded to 0.01. */
static void json_baseline_time(void **state)
{
	char *s = capture(dump, &table);
	json_error_t e;
	json_t *j = json_loads(s, 0, &e), *times, *r;

	(void)state;
	assert_non_null(j);
	times = json_object_get(j, "baseline_time");
	assert_int_equal(json_array_size(times), 2);
	r = json_array_get(times, 0);
	assert_int_equal(json_object_size(r), 2 + 7);
	assert_string_equal(json_string_value(json_object_get(r, "workload")),
			    "dbench");
	assert_float_equal(json_real_value(json_object_get(r, "work_pct")),
			   35.84, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "ipi_wait_pct")),
			   0.04, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "exit_pct")),
			   4.26, 1e-9);
	assert_float_equal(json_real_value(json_object_get(r, "poll_pct")),
			   4.0, 1e-9);
	r = json_array_get(times, 1);
	assert_int_equal(json_integer_value(json_object_get(r, "vms")), 3);
	assert_float_equal(json_real_value(json_object_get(r, "steal_pct")),
			   50.0, 1e-9);
	json_decref(j);
	free(s);
}

static char *script(const struct repro_table *t, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_repro_gnuplot(f, t, out), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void gnuplot_script(void **state)
{
	char *s;
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(repro_plot_kind("a.svg"), 1);
	assert_int_equal(repro_plot_kind("A.PNG"), 2);
	assert_int_equal(repro_plot_kind("a.pdf"), 0);
	assert_int_equal(repro_plot_kind(".svg"), 0);
	assert_int_equal(report_repro_gnuplot(f, &table, "a.pdf"), -EINVAL);
	fclose(f);
	s = script(&table, "out/it's.svg");
	assert_non_null(strstr(s, "set terminal svg "));
	assert_non_null(strstr(s, "set output 'out/it''s.svg'\n"));
	assert_non_null(strstr(s, "\"dbench 2\" 14.3960 1.2345 29.9960 2.5000 "
				  "14.4000 0\n"
				  "\"dbench 3\" -1.1110 0.0040 5.5555 0.1000 ? ?\n"
				  "EOD\n"));
	/* reproduced, the oracle's bound, published */
	assert_non_null(strstr(s, "plot $gains using 2:3:xtic(1)"));
	assert_non_null(strstr(s, "$gains using 4:5 title 'oracle"));
	assert_non_null(strstr(s, "$gains using 6:7 title 'published'"));
	free(s);
	s = script(&table, "x.png");
	assert_non_null(strstr(s, "pngcairo"));
	assert_null(strstr(s, "set terminal svg"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gain_of_means_sd_of_paired_gains),
		cmocka_unit_test(text_tables),
		cmocka_unit_test(text_one_seed_no_attribution),
		cmocka_unit_test(json_object_rows),
		cmocka_unit_test(json_baseline_time),
		cmocka_unit_test(gnuplot_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
