// SPDX-License-Identifier: MIT
/*
 * scenario/scenario: scenario files (docs/scenario.md) parse to exactly the
 * values they say, with units, the preset applied before the knobs, the
 * workload's defaults and overrides and seed ranges; every rule rejects
 * with one "FILE:LINE: KEY: problem" message; the malformed files in
 * tests/scenario/malformed/ get exactly the message of their .err file; the
 * shipped scenarios/ and the fuzz corpus parse without trouble.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scenario/policy.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

#ifndef MALFORMED_DIR
#error "MALFORMED_DIR: tests/scenario/malformed, set by meson"
#endif
#ifndef SCENARIOS_DIR
#error "SCENARIOS_DIR: scenarios/, set by meson"
#endif
#ifndef CORPUS_DIR
#error "CORPUS_DIR: tests/fuzz/corpus, set by meson"
#endif

static char err[1024];

static void parse_ok(const char *text, struct scenario *sc)
{
	int ret = scenario_parse(text, "t.ini", sc, err, sizeof(err));

	if (ret)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(err, "");
}

/* @text must fail with exactly @want. */
static void parse_bad(const char *text, const char *want)
{
	struct scenario sc;

	memset(&sc, 0x5a, sizeof(sc));
	assert_int_equal(scenario_parse(text, "t.ini", &sc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	/* *out untouched */
	for (size_t i = 0; i < sizeof(sc); i++)
		assert_int_equal(((unsigned char *)&sc)[i], 0x5a);
}

#define VM "[vm a]\nworkload = compute\n"

/* --- where keys are --------------------------------------------------- */

/* scenario_line: line 1 is [host], 2 its cpus; 3 the [vm a] header, 4 its
 * workload; a key the file does not set, or a section it does not have,
 * is at line 0 */
/*
 * Numbers are decimal only: a hex integer (0x10), a hex float (0x1p3) or
 * an exponent (2e3) is refused in every kind of value, each with the
 * key's own message; 010 is ten.
 */
static void numbers_decimal_only(void **state)
{
	struct scenario sc;

	(void)state;
	parse_bad("[vm a]\nvcpus = 0x10\nworkload = compute\n",
		  "t.ini:2: vcpus: must be an integer 1..4096, got '0x10'");
	parse_bad("[host]\nghz = 0x1p1GHz\n[vm a]\nworkload = compute\n",
		  "t.ini:2: ghz: must be a frequency 1MHz..100GHz (e.g. 2.5GHz, "
		  "2500MHz), got '0x1p1GHz'");
	parse_bad("[host]\nghz = 2e3MHz\n[vm a]\nworkload = compute\n",
		  "t.ini:2: ghz: must be a frequency 1MHz..100GHz (e.g. 2.5GHz, "
		  "2500MHz), got '2e3MHz'");
	parse_bad("[vm a]\nworkload = compute\nwork = 0x1p3us\n",
		  "t.ini:3: work: must be a duration 1us..1s with a unit (ns, "
		  "us, ms, s), got '0x1p3us'");
	parse_bad("[vm a]\nworkload = compute\n[run]\nseeds = 0x10\n",
		  "t.ini:4: seeds: must be a comma list of seeds "
		  "0..18446744073709551615 and ranges A..B (e.g. 1,2,5..8), got "
		  "'0x10'");
	parse_ok("[vm a]\nvcpus = 010\nworkload = compute\n", &sc);
	assert_int_equal(sc.cfg.vms[0].vcpus, 10);
	scenario_free(&sc);
}

static void key_lines(void **state)
{
	struct scenario sc;

	(void)state;
	parse_ok("[host]\ncpus = 4\n" VM, &sc);
	assert_int_equal(scenario_line(&sc, "[host]", "cpus"), 2);
	assert_int_equal(scenario_line(&sc, "[vm a]", ""), 3);
	assert_int_equal(scenario_line(&sc, "[vm a]", "workload"), 4);
	assert_int_equal(scenario_line(&sc, "[vm a]", "vcpus"), 0);
	assert_int_equal(scenario_line(&sc, "[vm b]", ""), 0);
	scenario_free(&sc);
}

/* --- units ----------------------------------------------------------- */

static void freq_parse(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(parse_freq_khz("2.5GHz", &v), 0);
	assert_true(v == 2500000);
	assert_int_equal(parse_freq_khz("2500MHz", &v), 0);
	assert_true(v == 2500000);
	assert_int_equal(parse_freq_khz("2500000kHz", &v), 0);
	assert_true(v == 2500000);
	assert_int_equal(parse_freq_khz("3ghz", &v), 0);
	assert_true(v == 3000000);
	assert_int_equal(parse_freq_khz("1000Hz", &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_freq_khz("1.001MHz", &v), 0);
	assert_true(v == 1001);
	assert_int_equal(parse_freq_khz("0GHz", &v), 0);
	assert_true(v == 0);
	/* a unit is required; whole kHz only; strict syntax */
	assert_int_equal(parse_freq_khz("2.5", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("1500Hz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("1.0001MHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("GHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("-1GHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz(" 1GHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("1 GHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("1.GHz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("2THz", &v), -EINVAL);
	assert_int_equal(parse_freq_khz("99999999999999999999GHz", &v),
			 -ERANGE);
	assert_int_equal(parse_freq_khz("18446744073709551615GHz", &v),
			 -ERANGE);
}

static void freq_format(void **state)
{
	char buf[32];
	static const u64 vals[] = { 0,	     1,	      999,	 1000,
				    2500000, 3000000, 100000000, 1234567 };

	(void)state;
	format_freq(buf, sizeof(buf), 2500000);
	assert_string_equal(buf, "2500MHz");
	format_freq(buf, sizeof(buf), 3000000);
	assert_string_equal(buf, "3GHz");
	format_freq(buf, sizeof(buf), 1);
	assert_string_equal(buf, "1kHz");
	format_freq(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	for (size_t i = 1; i < ARRAY_SIZE(vals); i++) {
		u64 v;

		format_freq(buf, sizeof(buf), vals[i]);
		assert_int_equal(parse_freq_khz(buf, &v), 0);
		assert_true(v == vals[i]);
	}
}

/* --- good files ------------------------------------------------------ */

static void defaults(void **state)
{
	struct scenario sc;
	struct host_config h;
	struct policy vanilla;
	const struct workload *wl = workload_find("compute");

	(void)state;
	parse_ok(VM, &sc);
	host_config_default(&h);
	assert_memory_equal(&sc.cfg.host, &h, sizeof(h));
	assert_true(h.cpus == 4 && h.khz == 2500000 &&
		    h.tick_ns == 4 * NSEC_PER_MSEC &&
		    h.base_slice_ns == 700 * NSEC_PER_USEC &&
		    h.balance &&
		    h.exit_cost_ns == NSEC_PER_USEC && h.pause_cycles == 40 &&
		    h.migration_cost_ns == 500 * NSEC_PER_USEC &&
		    h.newidle_cost_ns == 2500 &&
		    h.ctx_switch_ns == 2 * NSEC_PER_USEC &&
		    h.wakeup_latency_ns == 19 * NSEC_PER_USEC &&
		    h.ipi_latency_ns == NSEC_PER_USEC &&
		    h.machine_slice && !h.vcpu_cgroups && h.noise == 0 &&
		    h.noise_run_ns == NSEC_PER_MSEC && h.noise_sleep_ns == 0 &&
		    h.llc_size == 0);
	assert_int_equal(sc.cfg.nr_vms, 1);
	assert_string_equal(sc.cfg.vms[0].name, "a");
	assert_int_equal(sc.cfg.vms[0].vcpus, 1);
	assert_int_equal(sc.cfg.vms[0].count, 1);
	assert_int_equal(sc.cfg.vms[0].shares, 1024);
	assert_int_equal(sc.cfg.vms[0].pin, PIN_NONE);
	assert_ptr_equal(sc.cfg.vms[0].wl, wl);
	for (unsigned int i = 0; i < wl->nr_params; i++)
		assert_true(sc.cfg.vms[0].wl_params[i] == wl->params[i].def);
	assert_string_equal(sc.preset, "vanilla");
	policy_defaults(&vanilla);
	assert_memory_equal(&sc.cfg.sched, &vanilla.sched,
			    sizeof(vanilla.sched));
	assert_memory_equal(&sc.cfg.kvm, &vanilla.kvm, sizeof(vanilla.kvm));
	assert_true(sc.cfg.duration_ns == NSEC_PER_SEC);
	assert_true(sc.cfg.warmup_ns == 100 * NSEC_PER_MSEC);
	assert_int_equal(sc.nr_seeds, 1);
	assert_true(sc.seeds[0] == 1 && sc.cfg.seed == 1);
	assert_string_equal(sc.path, "t.ini");
	scenario_free(&sc);
	assert_null(sc.cfg.vms);
	assert_null(sc.seeds);
}

static const char full[] =
	"; every key\n"
	"# both comment styles\n"
	"[host]\n"
	"cpus = 16\n"
	"ghz = 3.2GHz\n"
	"hz = 1000            ; tick 1ms\n"
	"base_slice = 3ms\n"
	"llc = 8\n"
	"balance = off\n"
	"migration_cost = 1ms\n"
	"newidle_cost = 4us\n"
	"exit_cost = 1.5us\n"
	"ctx_switch = 3us\n"
	"wakeup_latency = 40us\n"
	"ipi_latency = 0\n"
	"pause_cycles = 140\n"
	"machine_slice = no\n"
	"vcpu_cgroups = yes\n"
	"noise = 2\n"
	"noise_run = 2ms\n"
	"noise_sleep = 8ms    # inline\n"
	"\n"
	"[vm db]\n"
	"hold = 3us           ; before workload: checked later\n"
	"workload = spinlock\n"
	"vcpus = 4\n"
	"count = 3\n"
	"weight = 2048\n"
	"pin = vcpu\n"
	"locks = 2\n"
	"\n"
	"  [ vm  web-1.x_y ]  \n"
	"  workload=compute\n"
	"\tpin:vm\n"
	"\n"
	"[policy]\n"
	"vcpu_debooster_enabled = off\n"
	"ple_window = 8192\n"
	"preset = series-v2    ; applied first, wherever it is\n"
	"\n"
	"[run]\n"
	"duration = 250ms\n"
	"warmup = 0\n"
	"seeds = 7, 3..5 ,100\n";

static void every_key(void **state)
{
	struct scenario sc;
	const struct host_config *h = &sc.cfg.host;
	const struct vm_config *db, *web;
	const struct workload *spin = workload_find("spinlock");
	struct policy want;

	(void)state;
	parse_ok(full, &sc);
	assert_int_equal(h->cpus, 16);
	assert_true(h->khz == 3200000);
	assert_true(h->tick_ns == NSEC_PER_MSEC);
	assert_true(h->base_slice_ns == 3 * NSEC_PER_MSEC);
	assert_int_equal(h->llc_size, 8);
	assert_false(h->balance);
	assert_true(h->exit_cost_ns == 1500);
	assert_true(h->migration_cost_ns == NSEC_PER_MSEC);
	assert_true(h->newidle_cost_ns == 4 * NSEC_PER_USEC);
	assert_true(h->ctx_switch_ns == 3 * NSEC_PER_USEC);
	assert_true(h->wakeup_latency_ns == 40 * NSEC_PER_USEC);
	assert_true(h->ipi_latency_ns == 0);
	assert_int_equal(h->pause_cycles, 140);
	assert_false(h->machine_slice);
	assert_true(h->vcpu_cgroups);
	assert_int_equal(h->noise, 2);
	assert_true(h->noise_run_ns == 2 * NSEC_PER_MSEC);
	assert_true(h->noise_sleep_ns == 8 * NSEC_PER_MSEC);

	assert_int_equal(sc.cfg.nr_vms, 2);
	db = &sc.cfg.vms[0];
	web = &sc.cfg.vms[1];
	assert_string_equal(db->name, "db");
	assert_ptr_equal(db->wl, spin);
	assert_int_equal(db->vcpus, 4);
	assert_int_equal(db->count, 3);
	assert_int_equal(db->shares, 2048);
	assert_int_equal(db->pin, PIN_VCPU);
	assert_true(db->wl_params[workload_param_index(spin, "hold")] ==
		    3 * NSEC_PER_USEC);
	assert_true(db->wl_params[workload_param_index(spin, "locks")] == 2);
	/* not given: the table's default */
	assert_true(db->wl_params[workload_param_index(spin, "work")] ==
		    spin->params[workload_param_index(spin, "work")].def);
	assert_string_equal(web->name, "web-1.x_y");
	assert_ptr_equal(web->wl, workload_find("compute"));
	assert_int_equal(web->pin, PIN_VM);
	assert_int_equal(web->vcpus, 1);

	/* preset first, then the knobs in file order */
	assert_string_equal(sc.preset, "series-v2");
	assert_int_equal(policy_preset(&want, "series-v2"), 0);
	assert_true(want.sched.vcpu_debooster_enabled);
	want.sched.vcpu_debooster_enabled = false;
	want.kvm.ple_window = 8192;
	assert_memory_equal(&sc.cfg.sched, &want.sched, sizeof(want.sched));
	assert_memory_equal(&sc.cfg.kvm, &want.kvm, sizeof(want.kvm));

	assert_true(sc.cfg.duration_ns == 250 * NSEC_PER_MSEC);
	assert_true(sc.cfg.warmup_ns == 0);
	assert_int_equal(sc.nr_seeds, 5);
	assert_true(sc.seeds[0] == 7 && sc.seeds[1] == 3 && sc.seeds[2] == 4 &&
		    sc.seeds[3] == 5 && sc.seeds[4] == 100);
	assert_true(sc.cfg.seed == 7);
	scenario_free(&sc);
}

static void units_and_forms(void **state)
{
	struct scenario sc;

	(void)state;
	/* bare ghz number = GHz; tick with a unit; kHz, MHz forms */
	parse_ok("[host]\nghz = 2\ntick = 10ms\n" VM, &sc);
	assert_true(sc.cfg.host.khz == 2000000);
	assert_true(sc.cfg.host.tick_ns == 10 * NSEC_PER_MSEC);
	scenario_free(&sc);
	parse_ok("[host]\nghz = 2400MHz\nhz = 300\n" VM, &sc);
	assert_true(sc.cfg.host.khz == 2400000);
	assert_true(sc.cfg.host.tick_ns == NSEC_PER_SEC / 300);
	scenario_free(&sc);
	parse_ok("[host]\nghz = 1800000kHz\n" VM, &sc);
	assert_true(sc.cfg.host.khz == 1800000);
	scenario_free(&sc);
	/* one seed; the largest; 1024 of them */
	parse_ok(VM "[run]\nseed = 18446744073709551615\n", &sc);
	assert_int_equal(sc.nr_seeds, 1);
	assert_true(sc.cfg.seed == UINT64_MAX);
	scenario_free(&sc);
	parse_ok(VM "[run]\nseeds = 1..1024\n", &sc);
	assert_int_equal(sc.nr_seeds, 1024);
	assert_true(sc.seeds[1023] == 1024);
	scenario_free(&sc);
	/* CRLF, a byte order mark, no final newline, key: value */
	parse_ok("\xEF\xBB\xBF[vm a]\r\nworkload: compute\r\nvcpus = 3", &sc);
	assert_int_equal(sc.cfg.vms[0].vcpus, 3);
	scenario_free(&sc);
	/* count x vcpus at the limit */
	parse_ok("[vm a]\nvcpus = 1000\ncount = 1000\nworkload = compute\n",
		 &sc);
	scenario_free(&sc);
	/* weight bounds; NAME of 48 characters */
	parse_ok("[vm aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
		 "workload = compute\nweight = 262144\n"
		 "[vm b]\nworkload = compute\nweight = 2\n",
		 &sc);
	assert_int_equal(strlen(sc.cfg.vms[0].name), 48);
	assert_int_equal(sc.cfg.vms[0].shares, 262144);
	assert_int_equal(sc.cfg.vms[1].shares, 2);
	scenario_free(&sc);
}

/* --- each rule's rejection ------------------------------------------- */

static void rejects(void **state)
{
	(void)state;
	/* ranges and syntax of values */
	parse_bad("[host]\ncpus = 0\n" VM,
		  "t.ini:2: cpus: must be 1..65536, got 0");
	parse_bad("[host]\ncpus = 65537\n" VM,
		  "t.ini:2: cpus: must be 1..65536, got 65537");
	parse_bad("[host]\ncpus = -1\n" VM,
		  "t.ini:2: cpus: must be an integer 1..65536, got '-1'");
	parse_bad("[host]\ncpus =\n" VM,
		  "t.ini:2: cpus: must be an integer 1..65536, got ''");
	parse_bad("[host]\nghz = 0.0001GHz\n" VM,
		  "t.ini:2: ghz: must be 1MHz..100GHz, got 0.0001GHz");
	parse_bad("[host]\ntick = 50us\n" VM,
		  "t.ini:2: tick: must be 100us..1s, got 50us");
	parse_bad("[host]\ntick = 4\n" VM,
		  "t.ini:2: tick: must be a duration 100us..1s with a unit "
		  "(ns, us, ms, s), got '4'");
	parse_bad("[host]\nhz = 10001\n" VM,
		  "t.ini:2: hz: must be 1..10000, got 10001");
	parse_bad("[host]\nhz = 100\ntick = 4ms\n" VM,
		  "t.ini:3: tick: give tick or hz, not both (hz at line 2)");
	parse_bad("[host]\nbase_slice = 200ms\n" VM,
		  "t.ini:2: base_slice: must be 100us..100ms, got 200ms");
	parse_bad("[host]\nbalance = 2s\n" VM,
		  "t.ini:2: balance: must be a boolean (0/1, true/false, on/off, yes/no), got '2s'");
	parse_bad("[host]\nexit_cost = 2ms\n" VM,
		  "t.ini:2: exit_cost: must be 0..1ms, got 2ms");
	parse_bad("[host]\nctx_switch = 2ms\n" VM,
		  "t.ini:2: ctx_switch: must be 0..1ms, got 2ms");
	parse_bad("[host]\nwakeup_latency = 11ms\n" VM,
		  "t.ini:2: wakeup_latency: must be 0..10ms, got 11ms");
	parse_bad("[host]\nipi_latency = 1s\n" VM,
		  "t.ini:2: ipi_latency: must be 0..1ms, got 1s");
	parse_bad("[host]\nnewidle_cost = 2ms\n" VM,
		  "t.ini:2: newidle_cost: must be 0..1ms, got 2ms");
	parse_bad("[host]\nmigration_cost = 2s\n" VM,
		  "t.ini:2: migration_cost: must be 0..1s, got 2s");
	parse_bad("[host]\npause_cycles = 0\n" VM,
		  "t.ini:2: pause_cycles: must be 1..10000, got 0");
	parse_bad("[host]\nmachine_slice = maybe\n" VM,
		  "t.ini:2: machine_slice: must be a boolean (0/1, true/false, "
		  "on/off, yes/no), got 'maybe'");
	parse_bad("[host]\nnoise = 65537\n" VM,
		  "t.ini:2: noise: must be 0..65536, got 65537");
	parse_bad("[host]\nllc = 5\n" VM,
		  "t.ini:2: llc: must be 0..4 (at most cpus), got 5");
	parse_bad("[vm a]\nworkload = compute\nvcpus = 4097\n",
		  "t.ini:3: vcpus: must be 1..4096, got 4097");
	parse_bad("[vm a]\nworkload = compute\ncount = 0\n",
		  "t.ini:3: count: must be 1..4096, got 0");
	parse_bad("[vm a]\nworkload = compute\nweight = 1\n",
		  "t.ini:3: weight: must be 2..262144, got 1");
	parse_bad("[vm a]\nworkload = compute\npin = cpu\n",
		  "t.ini:3: pin: must be none, vcpu or vm, got 'cpu'");
	parse_bad("[vm a]\nworkload = spinlock\nhold = 0\n",
		  "t.ini:3: hold: must be 1ns..1s, got 0");
	parse_bad("[vm a]\nworkload = spinlock\nlocks = 1us\n",
		  "t.ini:3: locks: must be an integer 1..1024, got '1us'");
	parse_bad(VM "[run]\nduration = 0\n",
		  "t.ini:4: duration: must be 1us..3600s, got 0");
	parse_bad(VM "[run]\nduration = 2h\n",
		  "t.ini:4: duration: must be a duration 1us..3600s with a "
		  "unit (ns, us, ms, s), got '2h'");
	parse_bad(VM "[run]\nseeds = 1,,2\n",
		  "t.ini:4: seeds: must be a comma list of seeds "
		  "0..18446744073709551615 and ranges A..B (e.g. 1,2,5..8), "
		  "got '1,,2'");
	parse_bad(VM "[run]\nseeds = 0..1024\n",
		  "t.ini:4: seeds: at most 1024 seeds");
	parse_bad(VM "[run]\nseeds = 0..18446744073709551615\n",
		  "t.ini:4: seeds: at most 1024 seeds");
	parse_bad(VM "[run]\nseeds = 1..3,3\n",
		  "t.ini:4: seeds: seed 3 given twice");

	/* structure */
	parse_bad("[host]\n", "t.ini: no [vm NAME] or [task NAME] section: "
			      "a scenario needs at least one VM or host task");
	parse_bad("", "t.ini: no [vm NAME] or [task NAME] section: a "
		      "scenario needs at least one VM or host task");
	parse_bad("[task t]\n[table]\nworkloads = compute\nvms = 1\n",
		  "t.ini:2: [table]: no [vm NAME] section, the template of "
		  "every cell");
	parse_bad(VM "bogus = 1\n",
		  "t.ini:3: bogus: unknown key in [vm a]; accepted: vcpus, "
		  "count, weight, pin, workload and the parameters of "
		  "compute: work");
	parse_bad(VM "[run]\nlength = 1s\n",
		  "t.ini:4: length: unknown key in [run]; accepted: duration, "
		  "warmup, seed, seeds");
	parse_bad(VM "[policy]\nRUN_TO_PARTY = on\n",
		  "t.ini:4: RUN_TO_PARTY: unknown key in [policy]; accepted: "
		  "preset and the knobs of 'oversub list knobs'");
	parse_bad(VM "[policy]\npreset = vanilla\npreset = deboost\n",
		  "t.ini:5: preset: duplicate key in [policy] (first at line "
		  "4)");
	parse_bad(VM "[host]\n[host]\n",
		  "t.ini:4: [host]: duplicate section (first at line 3)");
	parse_bad(VM "[run]\n[run]\n",
		  "t.ini:4: [run]: duplicate section (first at line 3)");
	parse_bad(VM "[vm]\n", "t.ini:3: [vm]: needs a name: [vm NAME]");
	parse_bad(VM "[host x]\n", "t.ini:3: [host x]: [host] takes no name");
	parse_bad(VM "[host] cpus = 4\n",
		  "t.ini:3: [host]: unexpected text after ']': 'cpus = 4'");
	parse_bad(
		VM "[vm aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n",
		"t.ini:3: [vm aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"...]: name longer than 48 characters");
	parse_bad(VM "[vm b/c]\n",
		  "t.ini:3: [vm b/c]: name may only use letters, digits, '_', "
		  "'.' and '-'");
	parse_bad(VM "= 4\n", "t.ini:3: missing key before '='");
	parse_bad("[vm a]\nvcpus = 2\n[vm b]\nworkload = compute\n",
		  "t.ini:1: [vm a]: no workload; add workload = NAME (one of: "
		  "compute, spinlock, dbench, dedup, vips, blackscholes, "
		  "kbuild, ebizzy)");
	/* a workload param before `workload` is reported at its own line */
	parse_bad("[vm a]\nlocks = 9999\nvcpus = 2\nworkload = spinlock\n",
		  "t.ini:2: locks: must be 1..1024, got 9999");
	/* pin = vm across sections: the host comes later */
	parse_bad("[vm a]\nworkload = compute\nvcpus = 6\npin = vm\n"
		  "[host]\ncpus = 5\n",
		  "t.ini:4: pin: vm needs vcpus <= cpus (5), got vcpus = 6 in "
		  "[vm a]");
	/* the total over sections */
	parse_bad("[vm a]\nworkload = compute\nvcpus = 4096\ncount = 200\n"
		  "[vm b]\nworkload = compute\nvcpus = 4096\ncount = 100\n",
		  "t.ini:5: [vm b]: 100 VMs x 4096 vCPUs bring the total to "
		  "1228800 vCPUs; at most 1000000");
	/* the first error wins */
	parse_bad("[host]\ncpus = 0\nghz = 0\n",
		  "t.ini:2: cpus: must be 1..65536, got 0");
}

/* [task NAME]: host tasks, their keys and defaults; a scenario of tasks
 * alone is fine; the checks name the line. */
static void tasks(void **state)
{
	struct scenario sc;
	const struct task_config *t;

	(void)state;
	parse_ok("[host]\ncpus = 2\n"
		 "[task hog]\n"
		 "[task yielder]\ncount = 2\nnice = -5\ncpu = 1\n"
		 "run = 1.5us\nyield = on\n"
		 "[task sleeper]\nnice = 10\ncpu = any\nrun = 100us\n"
		 "sleep = 1ms\n",
		 &sc);
	assert_int_equal(sc.cfg.nr_vms, 0);
	assert_int_equal(sc.cfg.nr_tasks, 3);
	t = &sc.cfg.tasks[0];
	assert_string_equal(t->name, "hog");
	assert_true(t->count == 1 && t->nice == 0 && t->cpu == -1 &&
		    t->run_ns == NSEC_PER_MSEC && t->sleep_ns == 0 &&
		    !t->yield);
	t = &sc.cfg.tasks[1];
	assert_true(t->count == 2 && t->nice == -5 && t->cpu == 1 &&
		    t->run_ns == 1500 && t->yield);
	t = &sc.cfg.tasks[2];
	assert_true(t->nice == 10 && t->cpu == -1 &&
		    t->run_ns == 100 * NSEC_PER_USEC &&
		    t->sleep_ns == NSEC_PER_MSEC);
	scenario_free(&sc);

	parse_bad("[task t]\nnice = 20\n", "t.ini:2: nice: must be -20..19, "
					      "got 20");
	parse_bad("[task t]\nnice = -21\n",
		  "t.ini:2: nice: must be -20..19, got -21");
	parse_bad("[task t]\nnice = x\n",
		  "t.ini:2: nice: must be an integer -20..19, got 'x'");
	parse_bad("[host]\ncpus = 2\n[task t]\ncpu = 2\n",
		  "t.ini:4: cpu: must be 0..1 (a host CPU) or any, got 2 in "
		  "[task t]");
	parse_bad("[task t]\nyield = on\nsleep = 1ms\n",
		  "t.ini:2: yield: a task that yields does not sleep; drop "
		  "sleep or yield in [task t]");
	parse_bad("[task t]\nrun = 0\n",
		  "t.ini:2: run: must be 100ns..10s, got 0");
	parse_bad("[task t]\nweight = 2\n",
		  "t.ini:2: weight: unknown key in [task t]; accepted: count, "
		  "nice, cpu, run, sleep, yield");
	parse_bad("[task t]\n[task t]\n",
		  "t.ini:2: [task t]: duplicate task name (first at line 1)");
	parse_bad("[task]\n", "t.ini:1: [task]: needs a name: [task NAME]");
}

static void long_lines(void **state)
{
	char *text = malloc(8192);
	struct scenario sc;

	(void)state;
	/* a long comment is fine */
	memset(text, '#', 3000);
	snprintf(text + 3000, 100, "\n" VM);
	parse_ok(text, &sc);
	scenario_free(&sc);
	/* a long value is not */
	snprintf(text, 8192, VM "[run]\nseeds = 1");
	for (int i = 2; i < 200; i++)
		snprintf(text + strlen(text), 16, ",%d", i);
	assert_int_equal(scenario_parse(text, "t.ini", &sc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.ini:4: line too long: at most 198 "
				 "characters without comments");
	/* nor is a line beyond the reader's buffer */
	memset(text, 'x', 5000);
	text[5000] = '\0';
	assert_int_equal(scenario_parse(text, "t.ini", &sc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.ini:1: line too long (at most 4095 "
				 "characters)");
	free(text);
}

static void small_err_buffer(void **state)
{
	struct scenario sc;
	char small[8];

	(void)state;
	assert_int_equal(scenario_parse("[x]\n", "t.ini", &sc, small,
					sizeof(small)),
			 -EINVAL);
	assert_string_equal(small, "t.ini:1");
	assert_int_equal(scenario_parse("[x]\n", "t.ini", &sc, NULL, 0),
			 -EINVAL);
	assert_int_equal(scenario_load("/nonexistent/x.ini", &sc, NULL, 0),
			 -EINVAL);
}

static void load_errors(void **state)
{
	struct scenario sc;
	char path[] = "/tmp/oversub-scenario-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(scenario_load("/nonexistent/x.ini", &sc, err,
				       sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "/nonexistent/x.ini: cannot read: No such "
				 "file or directory");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[vm a]\n\0workload", 16), 16);
	close(fd);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: NUL byte: not a text file"));
	unlink(path);
	/* one byte over the 1 MiB limit: the message names the limit */
	strcpy(path, "/tmp/oversub-scenario-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SCENARIO_MAX_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot read: larger than the 1 MiB limit "
				    "of a scenario file"));
	unlink(path);
}

/* MODEL.md 4b: the v3 lag credit is the alternative to the v2
 * debooster; a policy with both is refused at the line that completes
 * the combination (here the knob on line 4, over preset deboost) */
static void debooster_and_lag_credit_refused(void **state)
{
	struct scenario sc;
	struct policy p;

	(void)state;
	parse_bad(VM "[policy]\npreset = deboost\nvcpu_lag_credit_enabled = on\n",
		  "t.ini:5: vcpu_lag_credit_enabled: the v3 lag credit and the "
		  "v2 debooster are alternatives (MODEL.md 4b); turn one off");
	/* a file that asks for the lag credit is fine alone, but not under
	 * a preset with the debooster (oversub compare --policies deboost) */
	parse_ok(VM "[policy]\nvcpu_lag_credit_enabled = on\n", &sc);
	assert_int_equal(scenario_policy(&sc, "deboost", &p, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "preset deboost with the scenario's "
				 "vcpu_lag_credit_enabled = on: the v3 lag "
				 "credit and the v2 debooster are alternatives "
				 "(MODEL.md 4b)");
	scenario_free(&sc);
}

/* --- files ----------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of @dir ending in @ext, sorted; returns how many. */
static size_t list_dir(const char *dir, const char *ext, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), el = strlen(ext);

		if (len <= el || strcmp(e->d_name + len - el, ext))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		names[n] = strdup(e->d_name);
		assert_non_null(names[n]);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Each malformed file fails with exactly the one line of its .err file
 * (the file named as the test names it: relative to the folder). */
static void malformed_files(void **state)
{
	char **names, cwd[4096];
	size_t n;
	unsigned int checked = 0;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(MALFORMED_DIR), 0);
	n = list_dir(".", ".ini", &names);
	for (size_t i = 0; i < n; i++) {
		char want[1024] = "", errfile[512];
		struct scenario sc;
		FILE *f;
		size_t len;

		snprintf(errfile, sizeof(errfile), "%.*s.err",
			 (int)(strlen(names[i]) - 4), names[i]);
		f = fopen(errfile, "r");
		if (!f)
			fail_msg("%s: no %s", names[i], errfile);
		if (!fgets(want, sizeof(want), f))
			fail_msg("%s: empty", errfile);
		fclose(f);
		len = strlen(want);
		if (len && want[len - 1] == '\n')
			want[len - 1] = '\0';
		if (scenario_load(names[i], &sc, err, sizeof(err)) != -EINVAL)
			fail_msg("%s: parsed, expected: %s", names[i], want);
		if (strcmp(err, want))
			fail_msg("%s:\n  got:  %s\n  want: %s", names[i], err,
				 want);
		checked++;
	}
	free_names(names, n);
	assert_int_equal(chdir(cwd), 0);
	assert_true(checked >= 10);
}

static void shipped_scenarios(void **state)
{
	char **names, path[4096];
	size_t n;

	(void)state;
	n = list_dir(SCENARIOS_DIR, ".ini", &names);
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		struct scenario sc;

		snprintf(path, sizeof(path), "%s/%s", SCENARIOS_DIR, names[i]);
		if (scenario_load(path, &sc, err, sizeof(err)))
			fail_msg("%s", err);
		scenario_free(&sc);
	}
	free_names(names, n);
}

/* The examples the simulator issue names, with the values they promise. */
static void shipped_examples(void **state)
{
	struct scenario u, o, pv;
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/undercommit.ini", SCENARIOS_DIR);
	assert_int_equal(scenario_load(path, &u, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/overcommit-spinlock.ini",
		 SCENARIOS_DIR);
	assert_int_equal(scenario_load(path, &o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/pv-spinlock.ini", SCENARIOS_DIR);
	assert_int_equal(scenario_load(path, &pv, err, sizeof(err)), 0);

	assert_int_equal(u.cfg.host.cpus, 8);
	assert_int_equal(u.cfg.nr_vms, 1);
	assert_int_equal(u.cfg.vms[0].vcpus * u.cfg.vms[0].count, 4);
	assert_string_equal(u.cfg.vms[0].wl->name, "spinlock");

	assert_int_equal(o.cfg.host.cpus, 8);
	assert_int_equal(o.cfg.vms[0].vcpus, 8);
	assert_int_equal(o.cfg.vms[0].count, 2);
	assert_string_equal(o.cfg.vms[0].wl->name, "spinlock");
	assert_false(o.cfg.kvm.pv_unhalt);

	/* pv-spinlock.ini: overcommit-spinlock.ini with pv_unhalt on */
	assert_true(pv.cfg.kvm.pv_unhalt);
	pv.cfg.kvm.pv_unhalt = false;
	assert_memory_equal(&pv.cfg.kvm, &o.cfg.kvm, sizeof(o.cfg.kvm));
	assert_memory_equal(&pv.cfg.sched, &o.cfg.sched, sizeof(o.cfg.sched));
	assert_memory_equal(&pv.cfg.host, &o.cfg.host, sizeof(o.cfg.host));
	assert_int_equal(pv.cfg.nr_vms, o.cfg.nr_vms);
	assert_memory_equal(pv.cfg.vms, o.cfg.vms, sizeof(*o.cfg.vms));
	scenario_free(&u);
	scenario_free(&o);
	scenario_free(&pv);
}

/* The fuzz seed corpus: each file parses or fails cleanly, with the file
 * named; the good-* and shipped ones parse. */
static void fuzz_corpus(void **state)
{
	char **names, path[4096];
	size_t n;

	(void)state;
	n = list_dir(CORPUS_DIR, ".ini", &names);
	assert_true(n >= 12);
	for (size_t i = 0; i < n; i++) {
		struct scenario sc;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, names[i]);
		ret = scenario_load(path, &sc, err, sizeof(err));
		if (!strncmp(names[i], "bad-", 4)) {
			assert_int_equal(ret, -EINVAL);
			assert_true(!strncmp(err, path, strlen(path)));
		} else {
			if (ret)
				fail_msg("%s", err);
			scenario_free(&sc);
		}
	}
	free_names(names, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_decimal_only),
		cmocka_unit_test(key_lines),
		cmocka_unit_test(freq_parse),
		cmocka_unit_test(freq_format),
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_key),
		cmocka_unit_test(units_and_forms),
		cmocka_unit_test(rejects),
		cmocka_unit_test(tasks),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(small_err_buffer),
		cmocka_unit_test(load_errors),
		cmocka_unit_test(debooster_and_lag_credit_refused),
		cmocka_unit_test(malformed_files),
		cmocka_unit_test(shipped_scenarios),
		cmocka_unit_test(shipped_examples),
		cmocka_unit_test(fuzz_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
