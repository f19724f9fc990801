// SPDX-License-Identifier: MIT
/*
 * report/: fairness (water-filling entitlements, Jain's index), the
 * aggregation over seeds, the text, JSON and CSV reports of a hand-built
 * metrics struct (exact strings), and the metrics wire format of -j N.
 */
#include <errno.h>
#include <math.h>

#include "fixture.h"

#define EPS 1e-9

/* --- fairness.c --- */

/* One claimant capped: 8 over weights 1:2:1, caps 1, 10, 10. The first's
 * fair part 2 exceeds its cap 1; the 7 left split 2:1 = 14/3, 7/3. */
static void waterfill_redistributes_capped_leftover(void **state)
{
	const double w[] = { 1, 2, 1 }, cap[] = { 1, 10, 10 };
	double out[3];

	(void)state;
	fairness_waterfill(8, w, cap, 3, out);
	assert_float_equal(out[0], 1, EPS);
	assert_float_equal(out[1], 14.0 / 3, EPS);
	assert_float_equal(out[2], 7.0 / 3, EPS);
}

/* Capping cascades: 10 over 1:1:1 with caps 1, 3, 100. Fair part 10/3
 * exceeds caps 1 and 3; the third gets the remaining 6. */
static void waterfill_caps_several_in_one_round(void **state)
{
	const double w[] = { 1, 1, 1 }, cap[] = { 1, 3, 100 };
	double out[3];

	(void)state;
	fairness_waterfill(10, w, cap, 3, out);
	assert_float_equal(out[0], 1, EPS);
	assert_float_equal(out[1], 3, EPS);
	assert_float_equal(out[2], 6, EPS);
}

/* 12 over 1:1:2, caps 2, 3.5, 100. Round 1: fair 3, 3, 6 caps only the
 * first (2). Round 2: 10 over 1:2 gives 10/3 < 3.5 and 20/3: done. With
 * the second cap 3.2 instead, round 1 still caps only the first, round 2
 * caps the second too (10/3 > 3.2) and the third gets 12 - 2 - 3.2. */
static void waterfill_second_round(void **state)
{
	const double w[] = { 1, 1, 2 }, cap1[] = { 2, 3.5, 100 },
		     cap2[] = { 2, 3.2, 100 };
	double out[3];

	(void)state;
	fairness_waterfill(12, w, cap1, 3, out);
	assert_float_equal(out[0], 2, EPS);
	assert_float_equal(out[1], 10.0 / 3, EPS);
	assert_float_equal(out[2], 20.0 / 3, EPS);
	fairness_waterfill(12, w, cap2, 3, out);
	assert_float_equal(out[0], 2, EPS);
	assert_float_equal(out[1], 3.2, EPS);
	assert_float_equal(out[2], 6.8, EPS);
}

/* Everyone capped: the capacity left over is nobody's; weight 0 gets 0. */
static void waterfill_all_capped_and_zero_weight(void **state)
{
	const double w[] = { 1, 3, 0 }, cap[] = { 2, 3, 50 };
	double out[3];

	(void)state;
	fairness_waterfill(10, w, cap, 3, out);
	assert_float_equal(out[0], 2, EPS);
	assert_float_equal(out[1], 3, EPS);
	assert_float_equal(out[2], 0, EPS);
}

/* Jain: equal values give 1, one of n getting all gives 1/n, and
 * (0.9, 1.0) gives 1.9^2 / (2 * 1.81) = 3.61 / 3.62. */
static void jain_hand_worked(void **state)
{
	const double eq[] = { 2, 2, 2, 2 }, one[] = { 0, 5, 0, 0 },
		     two[] = { 0.9, 1.0 };

	(void)state;
	assert_float_equal(fairness_jain(eq, 4), 1, EPS);
	assert_float_equal(fairness_jain(one, 4), 0.25, EPS);
	assert_float_equal(fairness_jain(two, 2), 3.61 / 3.62, EPS);
	assert_float_equal(fairness_jain(NULL, 0), 1, EPS);
}

/* The fixture: 4 CPUs x 1 s split 2 s / 2 s by equal shares; "small" (1
 * vCPU) is capped at 1 s so "big" is entitled to 3 s. big used 2.7 s
 * (share 0.9), small 1 s (share 1.0). */
static void fairness_of_fixture(void **state)
{
	struct sim_metrics m;
	double ent[2], share[2], jain;

	(void)state;
	fixture_metrics(&m, 1.0);
	jain = fairness_compute(&m, ent, share);
	assert_float_equal(ent[0], 3e9, 1);
	assert_float_equal(ent[1], 1e9, 1);
	assert_float_equal(share[0], 0.9, EPS);
	assert_float_equal(share[1], 1.0, EPS);
	assert_float_equal(jain, 3.61 / 3.62, EPS);

	/* Shares 3:1 with no caps binding: 3 s and 1 s. */
	m.vms[1].vcpus = 4;
	m.vms[0].shares = 3072;
	fairness_entitlements(&m, ent);
	assert_float_equal(ent[0], 3e9, 1);
	assert_float_equal(ent[1], 1e9, 1);
	sim_metrics_free(&m);
	assert_null(m.vms);
}

/* --- aggregate.c --- */

/* 100 and 110: mean 105, sample sd sqrt(50). Change of 110 +- 11 against
 * 100 +- 0: +10 %, spread 1.1 * (11 / 110) = 11 %. */
static void mean_sd_and_change(void **state)
{
	const double x[] = { 100, 110 };
	struct mean_sd a, base = { .mean = 100, .n = 1 },
			  y = { .mean = 110, .sd = 11, .n = 3 };
	double pct, spread;

	(void)state;
	mean_sd_compute(x, 2, &a);
	assert_float_equal(a.mean, 105, EPS);
	assert_float_equal(a.sd, sqrt(50), EPS);
	assert_float_equal(a.min, 100, EPS);
	assert_float_equal(a.max, 110, EPS);
	mean_sd_compute(x, 1, &a);
	assert_float_equal(a.sd, 0, EPS);
	mean_sd_change(&base, &y, &pct, &spread);
	assert_float_equal(pct, 10, EPS);
	assert_float_equal(spread, 11, EPS);
	base.mean = 0;
	mean_sd_change(&base, &y, &pct, &spread);
	assert_float_equal(pct, 0, EPS);
}

/* Two seeds: big's throughput 12345 and 13579.5; breakdown pooled over
 * its 4 vCPUs: spin (200 * 3 + 300) / 4000 = 22.5 %. */
static void summary_over_seeds(void **state)
{
	struct sim_metrics m[2];
	const u64 seeds[] = { 1, 2 };
	struct report_set s = { "vanilla", seeds, m, 2 };
	struct set_summary sum;
	char err[128];

	(void)state;
	fixture_metrics(&m[0], 1.0);
	fixture_metrics(&m[1], 1.1);
	assert_int_equal(set_summarize(&s, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nr_vms, 2);
	assert_float_equal(sum.vms[0].throughput.mean, (12345 + 13579.5) / 2,
			   EPS);
	assert_float_equal(sum.vms[0].throughput.sd,
			   fabs(13579.5 - 12345) / sqrt(2), 1e-6);
	assert_float_equal(sum.vms[0].pct[VT_SPIN], 22.5, EPS);
	assert_float_equal(sum.vms[0].vcpu_pct[3][VT_SPIN], 30, EPS);
	assert_float_equal(sum.vms[1].pct[VT_WORK], 100, EPS);
	assert_float_equal(sum.host[0], 1, EPS);
	assert_float_equal(sum.jain.mean, 3.61 / 3.62, EPS);
	set_summary_free(&sum);

	/* A run with other VMs cannot be aggregated. */
	strcpy(m[1].vms[1].name, "other");
	assert_int_equal(set_summarize(&s, &sum, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "other"));
	sim_metrics_free(&m[0]);
	sim_metrics_free(&m[1]);
}

/* --- table.c, compare.c, csv.c, json.c --- */

static const char table_run_expect[] =
	"x.ini: policy vanilla, seed 1\n"
	"4 host CPUs, 1.000 s measured per run\n"
	"\n"
	"Throughput and CPU share:\n"
	"  VM     vCPUs  shares    ops    ops/s  CPU ms  entitled ms  share\n"
	"  big        4    1024  12345  12345.0  2700.0       3000.0  0.900\n"
	"  small      1    1024   1000   1000.0  1000.0       1000.0  1.000\n"
	"\n"
	"Time breakdown (% of vCPU time):\n"
	"  VM        work  spin  ipi-wait  halted  steal  exit  poll\n"
	"  big       47.5  22.5       5.0    10.0   10.0   5.0   0.0\n"
	"    vcpu0   50.0  20.0       5.0    10.0   10.0   5.0   0.0\n"
	"    vcpu1   50.0  20.0       5.0    10.0   10.0   5.0   0.0\n"
	"    vcpu2   50.0  20.0       5.0    10.0   10.0   5.0   0.0\n"
	"    vcpu3   40.0  30.0       5.0    10.0   10.0   5.0   0.0\n"
	"  small    100.0   0.0       0.0     0.0    0.0   0.0   0.0\n"
	"    vcpu0  100.0   0.0       0.0     0.0    0.0   0.0   0.0\n"
	"\n"
	"Host counters:\n"
	"  context switches         1\n"
	"  PLE exits                2\n"
	"  kvm_vcpu_on_spin calls   3\n"
	"  yield_to attempts        4\n"
	"  yield_to successes       5\n"
	"  oracle yields            6\n"
	"  deboosts applied         7\n"
	"  lag credits              8\n"
	"  IPIs sent                9\n"
	"  IPIs tracked            10\n"
	"  PV kicks                11\n"
	"  PV sched yields         12\n"
	"  TLB flushes deferred    13\n"
	"  halt polls              14\n"
	"  halt polls successful   15\n"
	"  migrations              16\n"
	"  simulator events        17\n"
	"\n"
	"Fairness: Jain's index 0.9972 over 2 VMs (1: each VM got the same fraction of its entitlement)\n";

static void table_run_exact(void **state)
{
	struct sim_metrics m;
	const u64 seed = 1;
	struct report_set s = { "vanilla", &seed, &m, 1 };
	struct report_opts o = { .scenario = "x.ini", .per_vcpu = true };
	char *buf = NULL;

	(void)state;
	fixture_metrics(&m, 1.0);
	CAPTURE(buf, report_table_run(f, &s, &o));
	assert_string_equal(buf, table_run_expect);
	free(buf);
	sim_metrics_free(&m);
}

static const char table_compare_expect[] =
	"x.ini: 2 policies, seed 1\n"
	"4 host CPUs, 1.000 s measured per run\n"
	"\n"
	"Throughput (ops/s; change vs vanilla):\n"
	"  VM     vanilla     full  change\n"
	"  big    12345.0  13579.5  +10.0%\n"
	"  small   1000.0   1000.0   +0.0%\n"
	"\n"
	"CPU share of entitlement:\n"
	"  VM            vanilla    full\n"
	"  big             0.900   0.900\n"
	"  small           1.000   1.000\n"
	"  Jain's index   0.9972  0.9972\n"
	"\n"
	"Time breakdown (% of vCPU time):\n"
	"  VM      policy   work  spin  ipi-wait  halted  steal  exit  poll\n"
	"  big    vanilla   47.5  22.5       5.0    10.0   10.0   5.0   0.0\n"
	"            full   47.5  22.5       5.0    10.0   10.0   5.0   0.0\n"
	"  small  vanilla  100.0   0.0       0.0     0.0    0.0   0.0   0.0\n"
	"            full  100.0   0.0       0.0     0.0    0.0   0.0   0.0\n"
	"\n"
	"Host counters:\n"
	"  counter                 vanilla  full\n"
	"  context switches              1     1\n"
	"  PLE exits                     2     2\n"
	"  kvm_vcpu_on_spin calls        3     3\n"
	"  yield_to attempts             4     4\n"
	"  yield_to successes            5     5\n"
	"  oracle yields                 6     6\n"
	"  deboosts applied              7     7\n"
	"  lag credits                   8     8\n"
	"  IPIs sent                     9     9\n"
	"  IPIs tracked                 10    10\n"
	"  PV kicks                     11    11\n"
	"  PV sched yields              12    12\n"
	"  TLB flushes deferred         13    13\n"
	"  halt polls                   14    14\n"
	"  halt polls successful        15    15\n"
	"  migrations                   16    16\n"
	"  simulator events             17    17\n";

static void table_compare_exact(void **state)
{
	struct sim_metrics m[2];
	const u64 seed = 1;
	struct report_set sets[] = { { "vanilla", &seed, &m[0], 1 },
				     { "full", &seed, &m[1], 1 } };
	struct report_opts o = { .scenario = "x.ini" };
	char *buf = NULL;

	(void)state;
	fixture_metrics(&m[0], 1.0);
	fixture_metrics(&m[1], 1.1);
	CAPTURE(buf, report_table_compare(f, sets, 2, &o));
	assert_string_equal(buf, table_compare_expect);
	free(buf);
	sim_metrics_free(&m[0]);
	sim_metrics_free(&m[1]);
}

/* Several seeds: a spread column, and compare cells "mean ± sd". */
static void table_multi_seed_shows_spread(void **state)
{
	struct sim_metrics m[2];
	const u64 seeds[] = { 1, 2 };
	struct report_set s = { "vanilla", seeds, m, 2 };
	struct report_set sets[] = { s, { "full", seeds, m, 2 } };
	struct report_opts o = { .scenario = "x.ini" };
	char *buf = NULL;

	(void)state;
	fixture_metrics(&m[0], 1.0);
	fixture_metrics(&m[1], 1.1);
	CAPTURE(buf, report_table_run(f, &s, &o));
	assert_non_null(strstr(buf, "x.ini: policy vanilla, 2 seeds (1, 2)\n"));
	assert_non_null(strstr(buf, "  big        4    1024  12962.0  12962.2  "
				    "872.9  2700.0       3000.0  0.900\n"));
	free(buf);
	CAPTURE(buf, report_table_compare(f, sets, 2, &o));
	assert_non_null(strstr(buf, "  big    12962.2 ± 872.9  12962.2 ± 872.9"
				    "  +0.0% ± 9.5\n"));
	free(buf);
	sim_metrics_free(&m[0]);
	sim_metrics_free(&m[1]);
}

static const char csv_compare_expect[] =
	"policy,vm,vcpus,shares,runs,throughput_mean,throughput_stddev,change_pct,change_spread_pct,share_mean,work_pct,spin_pct,ipi_wait_pct,halted_pct,steal_pct,exit_pct,poll_pct,jain_mean\n"
	"vanilla,big,4,1024,1,12345.000,0.000,0.00,0.00,0.9000,47.50,22.50,5.00,10.00,10.00,5.00,0.00,0.9972\n"
	"vanilla,small,1,1024,1,1000.000,0.000,0.00,0.00,1.0000,100.00,0.00,0.00,0.00,0.00,0.00,0.00,0.9972\n"
	"full,big,4,1024,1,13579.500,0.000,10.00,0.00,0.9000,47.50,22.50,5.00,10.00,10.00,5.00,0.00,0.9972\n"
	"full,small,1,1024,1,1000.000,0.000,0.00,0.00,1.0000,100.00,0.00,0.00,0.00,0.00,0.00,0.00,0.9972\n";

static void csv_exact(void **state)
{
	struct sim_metrics m[2];
	const u64 seed = 7;
	struct report_set sets[] = { { "vanilla", &seed, &m[0], 1 },
				     { "full", &seed, &m[1], 1 } };
	char *buf = NULL;

	(void)state;
	fixture_metrics(&m[0], 1.0);
	fixture_metrics(&m[1], 1.1);
	strcpy(m[0].vms[0].name, "a,\"b\"");
	strcpy(m[1].vms[0].name, "a,\"b\"");
	CAPTURE(buf, report_csv_run(f, &sets[0]));
	assert_string_equal(
		buf,
		"policy,seed,vm,vcpus,shares,ops,throughput,cpu_ns,"
		"entitlement_ns,share,work_pct,spin_pct,ipi_wait_pct,"
		"halted_pct,steal_pct,exit_pct,poll_pct,jain\n"
		"vanilla,7,\"a,\"\"b\"\"\",4,1024,12345,12345.000,2700000000,"
		"3000000000,0.9000,47.50,22.50,5.00,10.00,10.00,5.00,0.00,0.9972\n"
		"vanilla,7,small,1,1024,1000,1000.000,1000000000,1000000000,"
		"1.0000,100.00,0.00,0.00,0.00,0.00,0.00,0.00,0.9972\n");
	free(buf);
	strcpy(m[0].vms[0].name, "big");
	strcpy(m[1].vms[0].name, "big");
	CAPTURE(buf, report_csv_compare(f, sets, 2));
	assert_string_equal(buf, csv_compare_expect);
	free(buf);
	sim_metrics_free(&m[0]);
	sim_metrics_free(&m[1]);
}

/* A one-VM, one-vCPU run: the whole JSON, byte for byte. */
static const char json_small_expect[] =
	"{\n"
	"  \"policy\": \"vanilla\",\n"
	"  \"runs\": [\n"
	"    {\n"
	"      \"cpus\": 1,\n"
	"      \"duration_ns\": 1000,\n"
	"      \"host\": {\n"
	"        \"context_switches\": 0,\n"
	"        \"deboosts\": 0,\n"
	"        \"events\": 0,\n"
	"        \"halt_poll_successes\": 0,\n"
	"        \"halt_polls\": 0,\n"
	"        \"ipis_sent\": 0,\n"
	"        \"ipis_tracked\": 0,\n"
	"        \"kicks\": 0,\n"
	"        \"lag_credits\": 0,\n"
	"        \"migrations\": 0,\n"
	"        \"on_spin_calls\": 0,\n"
	"        \"oracle_yields\": 0,\n"
	"        \"ple_exits\": 5,\n"
	"        \"pv_yields\": 0,\n"
	"        \"tlb_flush_deferred\": 0,\n"
	"        \"yield_attempts\": 0,\n"
	"        \"yield_successes\": 0\n"
	"      },\n"
	"      \"jain\": 1.0,\n"
	"      \"seed\": 3,\n"
	"      \"vms\": [\n"
	"        {\n"
	"          \"cpu_ns\": 700,\n"
	"          \"entitlement_ns\": 1000.0,\n"
	"          \"name\": \"vm\",\n"
	"          \"ops\": 3,\n"
	"          \"share\": 0.7,\n"
	"          \"shares\": 1024,\n"
	"          \"throughput\": 3000000.0,\n"
	"          \"time_ns\": {\n"
	"            \"exit\": 0,\n"
	"            \"halted\": 200,\n"
	"            \"ipi_wait\": 0,\n"
	"            \"poll\": 0,\n"
	"            \"spin\": 100,\n"
	"            \"steal\": 100,\n"
	"            \"work\": 600\n"
	"          },\n"
	"          \"vcpu_time_ns\": [\n"
	"            {\n"
	"              \"exit\": 0,\n"
	"              \"halted\": 200,\n"
	"              \"ipi_wait\": 0,\n"
	"              \"poll\": 0,\n"
	"              \"spin\": 100,\n"
	"              \"steal\": 100,\n"
	"              \"work\": 600\n"
	"            }\n"
	"          ],\n"
	"          \"vcpus\": 1\n"
	"        }\n"
	"      ]\n"
	"    }\n"
	"  ],\n"
	"  \"scenario\": \"s.ini\",\n"
	"  \"summary\": {\n"
	"    \"host_mean\": {\n"
	"      \"context_switches\": 0.0,\n"
	"      \"deboosts\": 0.0,\n"
	"      \"events\": 0.0,\n"
	"      \"halt_poll_successes\": 0.0,\n"
	"      \"halt_polls\": 0.0,\n"
	"      \"ipis_sent\": 0.0,\n"
	"      \"ipis_tracked\": 0.0,\n"
	"      \"kicks\": 0.0,\n"
	"      \"lag_credits\": 0.0,\n"
	"      \"migrations\": 0.0,\n"
	"      \"on_spin_calls\": 0.0,\n"
	"      \"oracle_yields\": 0.0,\n"
	"      \"ple_exits\": 5.0,\n"
	"      \"pv_yields\": 0.0,\n"
	"      \"tlb_flush_deferred\": 0.0,\n"
	"      \"yield_attempts\": 0.0,\n"
	"      \"yield_successes\": 0.0\n"
	"    },\n"
	"    \"jain\": {\n"
	"      \"max\": 1.0,\n"
	"      \"mean\": 1.0,\n"
	"      \"min\": 1.0,\n"
	"      \"stddev\": 0.0\n"
	"    },\n"
	"    \"runs\": 1,\n"
	"    \"vms\": [\n"
	"      {\n"
	"        \"name\": \"vm\",\n"
	"        \"share_mean\": 0.7,\n"
	"        \"throughput\": {\n"
	"          \"max\": 3000000.0,\n"
	"          \"mean\": 3000000.0,\n"
	"          \"min\": 3000000.0,\n"
	"          \"stddev\": 0.0\n"
	"        },\n"
	"        \"time_pct\": {\n"
	"          \"exit\": 0.0,\n"
	"          \"halted\": 20.0,\n"
	"          \"ipi_wait\": 0.0,\n"
	"          \"poll\": 0.0,\n"
	"          \"spin\": 10.0,\n"
	"          \"steal\": 10.0,\n"
	"          \"work\": 60.0\n"
	"        }\n"
	"      }\n"
	"    ]\n"
	"  }\n"
	"}\n";

static void json_exact_small(void **state)
{
	struct sim_metrics m = { 0 };
	struct vm_metrics vm = { 0 };
	struct vcpu_metrics vc = { { 600, 100, 0, 200, 100, 0 } };
	const u64 seed = 3;
	struct report_set s = { "vanilla", &seed, &m, 1 };
	struct report_opts o = { .scenario = "s.ini" };
	char *buf = NULL;
	json_t *j;

	(void)state;
	m.duration_ns = 1000;
	m.nr_cpus = 1;
	m.nr_vms = 1;
	m.vms = &vm;
	m.host.ple_exits = 5;
	strcpy(vm.name, "vm");
	vm.vcpus = 1;
	vm.shares = 1024;
	vm.ops = 3;
	vm.throughput = 3e6;
	vm.cpu_ns = 700;
	vm.vcpu = &vc;
	j = report_json_run(&s, &o);
	assert_non_null(j);
	CAPTURE(buf, report_json_dump(f, j));
	json_decref(j);
	assert_string_equal(buf, json_small_expect);
	free(buf);
}

/* The fixture's JSON parses back with the numbers the table shows, and is
 * the same bytes every time. */
static void json_compare_parses_and_is_deterministic(void **state)
{
	struct sim_metrics m[2];
	const u64 seed = 1;
	struct report_set sets[] = { { "vanilla", &seed, &m[0], 1 },
				     { "full", &seed, &m[1], 1 } };
	struct report_opts o = { .scenario = "x.ini" };
	char *a = NULL, *b = NULL;
	json_t *j, *root, *vm;
	json_error_t jerr;

	(void)state;
	fixture_metrics(&m[0], 1.0);
	fixture_metrics(&m[1], 1.1);
	j = report_json_compare(sets, 2, &o);
	CAPTURE(a, report_json_dump(f, j));
	json_decref(j);
	j = report_json_compare(sets, 2, &o);
	CAPTURE(b, report_json_dump(f, j));
	json_decref(j);
	assert_string_equal(a, b);

	root = json_loads(a, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(
		json_string_value(json_object_get(root, "baseline")),
		"vanilla");
	vm = json_array_get(
		json_object_get(
			json_object_get(
				json_array_get(
					json_object_get(root, "policies"), 1),
				"summary"),
			"vms"),
		0);
	assert_float_equal(json_real_value(json_object_get(vm, "change_pct")),
			   10, 1e-9);
	json_decref(root);
	free(a);
	free(b);
	sim_metrics_free(&m[0]);
	sim_metrics_free(&m[1]);
}

/* --- wire.c --- */

static void wire_round_trip_is_exact(void **state)
{
	struct sim_metrics m, back;
	char *buf = NULL;
	size_t len;
	FILE *f;

	(void)state;
	fixture_metrics(&m, 1.0 / 3);
	f = open_memstream(&buf, &len);
	assert_int_equal(metrics_write(f, &m), 0);
	assert_int_equal(metrics_write(f, &m), 0);
	fclose(f);

	f = fmemopen(buf, len, "r");
	assert_int_equal(metrics_read(f, &back), 0);
	assert_int_equal(back.nr_vms, 2);
	assert_memory_equal(&back.host, &m.host, sizeof(m.host));
	assert_string_equal(back.vms[0].name, "big");
	assert_true(back.vms[0].throughput == m.vms[0].throughput);
	assert_memory_equal(back.vms[0].vcpu, m.vms[0].vcpu,
			    4 * sizeof(*m.vms[0].vcpu));
	sim_metrics_free(&back);
	assert_int_equal(metrics_read(f, &back), 0);
	sim_metrics_free(&back);
	/* end of stream and a truncated record are errors, not crashes */
	assert_int_equal(metrics_read(f, &back), -EIO);
	fclose(f);
	f = fmemopen(buf, len / 2 - 7, "r");
	assert_int_equal(metrics_read(f, &back), -EIO);
	fclose(f);
	free(buf);
	sim_metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waterfill_redistributes_capped_leftover),
		cmocka_unit_test(waterfill_caps_several_in_one_round),
		cmocka_unit_test(waterfill_second_round),
		cmocka_unit_test(waterfill_all_capped_and_zero_weight),
		cmocka_unit_test(jain_hand_worked),
		cmocka_unit_test(fairness_of_fixture),
		cmocka_unit_test(mean_sd_and_change),
		cmocka_unit_test(summary_over_seeds),
		cmocka_unit_test(table_run_exact),
		cmocka_unit_test(table_compare_exact),
		cmocka_unit_test(table_multi_seed_shows_spread),
		cmocka_unit_test(csv_exact),
		cmocka_unit_test(json_exact_small),
		cmocka_unit_test(json_compare_parses_and_is_deterministic),
		cmocka_unit_test(wire_round_trip_is_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
