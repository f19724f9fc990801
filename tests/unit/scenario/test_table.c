// SPDX-License-Identifier: MIT
/*
 * scenario/table: the [table] section (docs/scenario.md "[table]") parses
 * to exactly the lists and published gains it gives; the template [vm]
 * keeps its vCPUs and gets the largest VM count; every rule (unknown
 * workload or preset, duplicates, counts that do not match, a template
 * with a workload or count, missing keys) rejects with one
 * "FILE:LINE: KEY: problem" message; the shipped table and the reduced
 * test table parse. The workloads used are the stand-ins compute and
 * spinlock, so this does not depend on the workload models.
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

#include "scenario/scenario.h"
#include "scenario/table.h"

#ifndef SOURCE_DIR
#error "SOURCE_DIR: the source root, set by meson"
#endif

static char err[1024];

#define HEAD           \
	"[host]\n"     \
	"cpus = 16\n"  \
	"\n"           \
	"[vm guest]\n" \
	"vcpus = 16\n" \
	"\n"
/* line 7 is [table], 8.. its keys */
#define TABLE                             \
	"[table]\n"                       \
	"workloads = spinlock, compute\n" \
	"vms = 2, 3, 4\n"                 \
	"baseline = vanilla\n"            \
	"patched = series-v2\n"

static void parse_ok(const char *text, struct scenario *sc)
{
	if (scenario_parse(text, "t.ini", sc, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
}

static void parse_bad(const char *text, const char *want)
{
	struct scenario sc;

	assert_int_equal(scenario_parse(text, "t.ini", &sc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
}

static void full_table(void **state)
{
	struct scenario sc;
	const struct table_spec *t;

	(void)state;
	parse_ok(HEAD TABLE "attribution = deboost , ipi-aware\n"
			    "published.compute = 0, -0.5%, +1\n"
			    "published.spinlock = 14.4, 9.8, 6.7\n",
		 &sc);
	t = sc.table;
	assert_non_null(t);
	assert_int_equal(t->nr_wl, 2);
	assert_string_equal(t->wl[0]->name, "spinlock");
	assert_string_equal(t->wl[1]->name, "compute");
	assert_int_equal(t->nr_vms, 3);
	assert_int_equal(t->vms[0], 2);
	assert_int_equal(t->vms[1], 3);
	assert_int_equal(t->vms[2], 4);
	assert_string_equal(t->baseline, "vanilla");
	assert_string_equal(t->patched, "series-v2");
	assert_int_equal(t->nr_attribution, 2);
	assert_string_equal(t->attribution[0], "deboost");
	assert_string_equal(t->attribution[1], "ipi-aware");
	assert_true(t->has_published[0] && t->has_published[1]);
	assert_float_equal(t->published[0][0], 14.4, 1e-12);
	assert_float_equal(t->published[0][2], 6.7, 1e-12);
	assert_float_equal(t->published[1][1], -0.5, 1e-12);
	assert_float_equal(t->published[1][2], 1.0, 1e-12);
	/* the template: no workload, its vCPUs, count = the largest cell */
	assert_int_equal(sc.cfg.nr_vms, 1);
	assert_null(sc.cfg.vms[0].wl);
	assert_int_equal(sc.cfg.vms[0].vcpus, 16);
	assert_int_equal(sc.cfg.vms[0].count, 4);
	assert_int_equal(table_max_vms(t), 4);
	scenario_free(&sc);
	assert_null(sc.table);
}

/* Published rows and attribution are optional; a file without [table]
 * has no spec. */
static void optional_keys(void **state)
{
	struct scenario sc;

	(void)state;
	parse_ok(HEAD TABLE, &sc);
	assert_int_equal(sc.table->nr_attribution, 0);
	assert_false(sc.table->has_published[0]);
	assert_false(sc.table->has_published[1]);
	scenario_free(&sc);
	parse_ok("[vm a]\nworkload = compute\n", &sc);
	assert_null(sc.table);
	scenario_free(&sc);
}

/* [table] may come before the [vm] template, keys in any order. */
static void any_order(void **state)
{
	struct scenario sc;

	(void)state;
	parse_ok("[table]\n"
		 "published.compute = 1, 2\n"
		 "patched = series-v3\n"
		 "vms = 4, 1\n"
		 "baseline = vanilla\n"
		 "workloads = compute\n"
		 "[vm t]\n"
		 "vcpus = 2\n",
		 &sc);
	assert_int_equal(sc.table->vms[0], 4);
	assert_int_equal(sc.table->vms[1], 1);
	assert_int_equal(sc.cfg.vms[0].count, 4);
	assert_float_equal(sc.table->published[0][1], 2, 1e-12);
	scenario_free(&sc);
}

static void rejects_prefix(const char *text, const char *prefix)
{
	struct scenario sc;

	assert_int_equal(scenario_parse(text, "t.ini", &sc, err, sizeof(err)),
			 -EINVAL);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("got:  %s\nwant: %s...", err, prefix);
}

static void rejects_each_rule(void **state)
{
	(void)state;
	rejects_prefix(HEAD "[table]\nworkloads = spinlock, dbenchh\n",
		       "t.ini:8: workloads: unknown workload 'dbenchh'; "
		       "accepted: compute, spinlock");
	parse_bad(HEAD "[table]\nworkloads = compute, compute\n",
		  "t.ini:8: workloads: workload compute listed twice");
	parse_bad(HEAD "[table]\nworkloads = compute,,spinlock\n",
		  "t.ini:8: workloads: empty item in the list "
		  "'compute,,spinlock' (a comma list, e.g. A, B)");
	parse_bad(HEAD "[table]\nvms = 2, 3, 3\n",
		  "t.ini:8: vms: VM count 3 listed twice");
	parse_bad(HEAD "[table]\nvms = 2, x\n",
		  "t.ini:8: vms: each VM count must be 1..4096, got 'x'");
	parse_bad(HEAD "[table]\nvms = 4097\n",
		  "t.ini:8: vms: each VM count must be 1..4096, got '4097'");
	rejects_prefix(HEAD "[table]\nbaseline = plain\n",
		       "t.ini:8: baseline: unknown preset 'plain'; accepted: "
		       "vanilla, ");
	rejects_prefix(HEAD "[table]\nattribution = deboost, nope\n",
		       "t.ini:8: attribution: unknown preset 'nope'");
	parse_bad(HEAD "[table]\nattribution = deboost, deboost\n",
		  "t.ini:8: attribution: preset deboost listed twice");
	parse_bad(HEAD "[table]\npublished.compute = 1, two\n",
		  "t.ini:8: published.compute: each gain must be a number "
		  "of percent -100..10000 (e.g. 14.4 or -0.5%), got 'two'");
	parse_bad(HEAD "[table]\npublished.compute = -101\n",
		  "t.ini:8: published.compute: each gain must be a number "
		  "of percent -100..10000 (e.g. 14.4 or -0.5%), got '-101'");
	parse_bad(HEAD "[table]\npublished. = 1\n",
		  "t.ini:8: published.: expected published.WORKLOAD (e.g. "
		  "published.dbench)");
	parse_bad(HEAD "[table]\nrows = 1\n",
		  "t.ini:8: rows: unknown key in [table]; accepted: "
		  "workloads, vms, baseline, patched, attribution, "
		  "published.WORKLOAD");
	parse_bad(HEAD "[table]\nvms = 2\nvms = 3\n",
		  "t.ini:9: vms: duplicate key in [table] (first at line 8)");
	parse_bad(HEAD "[table name]\n",
		  "t.ini:7: [table name]: [table] takes no name");
	/* across keys, at the end */
	parse_bad(HEAD TABLE "published.spinlock = 1, 2\n",
		  "t.ini:12: published.spinlock: 2 values for 3 VM counts "
		  "(vms at line 9); give one per VM count");
	parse_bad(HEAD TABLE "published.dbench = 1, 2, 3\n",
		  "t.ini:12: published.dbench: dbench is not in workloads "
		  "(line 8)");
	parse_bad(HEAD "[table]\nworkloads = compute\nvms = 2\n"
		       "patched = series-v2\n",
		  "t.ini:7: [table]: missing key baseline (needs workloads, "
		  "vms, baseline and patched)");
	parse_bad(HEAD "[table]\nworkloads = compute\nvms = 2\n"
		       "baseline = deboost\npatched = deboost\n",
		  "t.ini:11: patched: is the baseline (deboost); name the "
		  "preset to compare against it");
	parse_bad(HEAD TABLE "attribution = vanilla\n",
		  "t.ini:12: attribution: vanilla is the baseline; list the "
		  "presets that enable one mechanism each");
	/* the template */
	parse_bad("[vm g]\nvcpus = 4\nworkload = compute\n" TABLE,
		  "t.ini:3: workload: set per cell by [table] workloads "
		  "(line 5); remove it from [vm g]");
	parse_bad("[vm g]\nvcpus = 4\ncount = 2\n" TABLE,
		  "t.ini:3: count: set per cell by [table] vms (line 6); "
		  "remove it from [vm g]");
	parse_bad("[vm g]\nwork = 1us\n" TABLE,
		  "t.ini:2: work: unknown key in [vm g]; accepted: vcpus, "
		  "count, weight, pin, workload (workload parameters need "
		  "workload = NAME; a [table] template takes none)");
	parse_bad("[vm g]\n[vm h]\n" TABLE,
		  "t.ini:2: [vm h]: a [table] scenario has one [vm NAME] "
		  "section, the template of every cell (first at line 1)");
	/* without [table], a [vm] still needs a workload */
	rejects_prefix("[vm g]\nvcpus = 4\n[run]\nseed = 3\n",
		       "t.ini:1: [vm g]: no workload; add workload = NAME "
		       "(one of: compute, spinlock");
}

/* The total-vCPU limit counts the largest cell. */
static void total_vcpus_uses_largest_cell(void **state)
{
	(void)state;
	parse_bad("[vm big]\nvcpus = 4096\n[table]\nworkloads = compute\n"
		  "vms = 1, 300\nbaseline = vanilla\npatched = series-v2\n",
		  "t.ini:1: [vm big]: 300 VMs x 4096 vCPUs bring the total to "
		  "1228800 vCPUs; at most 1000000");
}

static void shipped_tables(void **state)
{
	struct scenario sc;

	(void)state;
	if (scenario_load(SOURCE_DIR "/tests/scenario/table-small.ini", &sc,
			  err, sizeof(err)))
		fail_msg("%s", err);
	assert_non_null(sc.table);
	assert_int_equal(sc.table->nr_wl, 2);
	assert_int_equal(sc.table->nr_attribution, 2);
	scenario_free(&sc);
	if (!workload_find("dbench") || !workload_find("dedup") ||
	    !workload_find("vips"))
		skip(); /* the workload models are not in this build */
	if (scenario_load(SOURCE_DIR "/scenarios/series-table.ini", &sc, err,
			  sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(sc.table->nr_wl, 3);
	assert_int_equal(sc.table->nr_vms, 3);
	assert_int_equal(sc.cfg.host.cpus, 16);
	assert_int_equal(sc.cfg.vms[0].vcpus, 16);
	assert_float_equal(sc.table->published[1][0], 47.1, 1e-12);
	scenario_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_table),
		cmocka_unit_test(optional_keys),
		cmocka_unit_test(any_order),
		cmocka_unit_test(rejects_each_rule),
		cmocka_unit_test(total_vcpus_uses_largest_cell),
		cmocka_unit_test(shipped_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
