// SPDX-License-Identifier: MIT
/*
 * The guest's counters behind `oversub profile` (docs/validation.md), one
 * rule per test, on hosts with a CPU for every vCPU so that nothing but
 * the program decides: user and system time as the guest's /proc/stat
 * splits them, a sleep is a voluntary switch, a call-function IPI counts
 * in CAL, a TLB shootdown in CAL, TLB and the shootdown count, a lock
 * slowpath is a contention with its wait, and the real program's unit.
 * The runs are 200 ms after 20 ms of warm-up; a pass that straddles
 * either end makes counts per operation move by a pass or so.
 */
#include "e2e.h"

#include "report/report.h"

static struct profile prof(struct run *r)
{
	struct profile p;

	assert_int_equal(profile_compute(&r->m, 1, 0, &r->vm, &p), 0);
	return p;
}

/*
 * A pass of 75 us in user mode and 25 us in the kernel (fixed), one vCPU
 * on two CPUs: user 75% and system 25% of the vCPU's time, less the
 * guest's timer ticks (a handler of a few us every 4 ms, system time):
 * within a point.
 */
static void test_user_and_system_time(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(75) },
		{ .kind = GOP_COMPUTE,
		  .dist = DIST_FIXED,
		  .kernel = true,
		  .mean_ns = US(25) },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 2);
	setup(&r, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.user_pct > 74.0 && p.user_pct <= 75.0);
	assert_true(p.system_pct >= 25.0 && p.system_pct < 26.0);
	assert_true(p.idle_pct < 0.01 && p.steal_pct == 0.0);
	done(&r);
}

/*
 * A pass computes 100 us and sleeps 100 us (I/O, exponential): one
 * voluntary switch per operation, no involuntary ones (one thread per
 * vCPU), and the vCPU idle about half the time.
 */
static void test_sleep_is_a_voluntary_switch(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(100) },
		{ .kind = GOP_SLEEP, .dist = DIST_EXP, .mean_ns = US(100) },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 2);
	setup(&r, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.per_op[PC_CS_VOLUNTARY] > 0.99 &&
		    p.per_op[PC_CS_VOLUNTARY] < 1.01);
	assert_true(p.per_op[PC_CS_INVOLUNTARY] == 0.0);
	assert_true(p.idle_pct > 30.0 && p.idle_pct < 60.0);
	done(&r);
}

/*
 * Two threads on one vCPU, CPU-bound: the guest tick takes the vCPU from
 * one for the other when its slice is used up: involuntary switches, no
 * voluntary ones.
 */
static void test_guest_preemption_is_involuntary(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(100) },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 1);
	tmpl_threads_per_vcpu = 2;
	setup(&r, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.per_s[PC_CS_INVOLUNTARY] > 0.0);
	assert_true(p.per_op[PC_CS_VOLUNTARY] == 0.0);
	done(&r);
}

/*
 * Two vCPUs, each pass calls a function on the next one and waits: every
 * IPI is taken by one receiver, so one call-function IPI (CAL) per
 * operation, none of them a TLB flush, no shootdown.
 */
static void test_call_function_counts_in_cal(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(20) },
		{ .kind = GOP_CALL_FUNC, .mean_ns = US(2), .arg = TARGET_NEXT },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 2);
	setup(&r, 2, 2, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.per_op[PC_IPI_CAL] > 0.99 && p.per_op[PC_IPI_CAL] < 1.01);
	assert_true(p.per_op[PC_IPI_TLB] == 0.0);
	assert_true(p.per_op[PC_TLB_SHOOTDOWNS] == 0.0);
	done(&r);
}

/*
 * Two vCPUs, each pass flushes the TLB of the other one (flush_tlb_multi
 * to one target: a single call-function IPI whose handler flushes): one
 * shootdown, one TLB IPI and one CAL per operation, as /proc/interrupts
 * counts a TLB flush in both rows.
 */
static void test_shootdown_counts_in_tlb_and_cal(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(20) },
		{ .kind = GOP_TLB_SHOOTDOWN, .mean_ns = US(1), .arg = 1 },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 2);
	setup(&r, 2, 2, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.per_op[PC_TLB_SHOOTDOWNS] > 0.99 &&
		    p.per_op[PC_TLB_SHOOTDOWNS] < 1.01);
	assert_true(p.per_op[PC_IPI_TLB] > 0.99 && p.per_op[PC_IPI_TLB] < 1.01);
	assert_true(p.per_op[PC_IPI_CAL] == p.per_op[PC_IPI_TLB]);
	done(&r);
}

/*
 * Two vCPUs take one spinlock for 10 us (fixed) after 10 us of work on
 * average (exponential, so they do not fall into lockstep): the lock is
 * busy more than half the time, so many acquisitions find it taken and
 * enter the slowpath (a contention each); a waiter waits at most the rest
 * of one hold (10 us), so the mean wait lies between 0 and 10 us.
 */
static void test_lock_slowpath_is_a_contention(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(10) },
		{ .kind = GOP_SPIN_LOCK, .obj = 0 },
		{ .kind = GOP_COMPUTE,
		  .dist = DIST_FIXED,
		  .kernel = true,
		  .mean_ns = US(10) },
		{ .kind = GOP_SPIN_UNLOCK, .obj = 0 },
	};
	struct run r;
	struct profile p;

	(void)state;
	prog(ops, 4);
	tmpl_objs.nr_spinlocks = 1;
	setup(&r, 2, 2, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	p = prof(&r);
	assert_true(p.per_op[PC_LOCK_CONTENTIONS] > 0.1 &&
		    p.per_op[PC_LOCK_CONTENTIONS] <= 1.0);
	print_message("# contentions per op %.3f, mean wait %.2f us\n",
		      p.per_op[PC_LOCK_CONTENTIONS], p.mean_wait_us);
	assert_true(p.mean_wait_us > 0.0 && p.mean_wait_us < 10.0);
	done(&r);
}

/*
 * The real program's unit: a vips pass computes `tiles` tiles, a kbuild
 * compilation is `bursts` passes, a blackscholes pass prices `options`
 * options. 1,000 counted passes in 1 s: vips with tiles 4 is 4,000
 * tiles/s; kbuild with bursts 100, 10 compilations/s; blackscholes with
 * options 2,000, 2 M options/s; dbench 1,000 ops/s.
 */
static void test_units_of_the_real_programs(void **state)
{
	static const struct {
		const char *wl;
		double ops;
		const char *unit;
	} cases[] = {
		{ "vips", 4000.0, "tile" },
		{ "kbuild", 10.0, "compilation" },
		{ "blackscholes", 2000000.0, "option" },
		{ "dbench", 1000.0, "op" },
	};
	struct vcpu_metrics vc = { .t = { [VT_WORK] = NSEC_PER_SEC } };
	struct vm_metrics vm = { .vcpus = 1, .ops = 1000, .vcpu = &vc };
	struct sim_metrics m = { .duration_ns = NSEC_PER_SEC,
				 .vms = &vm,
				 .nr_vms = 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vm_config cfg;
		struct profile p;
		int t;

		vm_config_default(&cfg);
		cfg.wl = workload_find(cases[i].wl);
		assert_non_null(cfg.wl);
		for (unsigned int k = 0; k < cfg.wl->nr_params; k++)
			cfg.wl_params[k] = cfg.wl->params[k].def;
		t = workload_param_index(cfg.wl, "tiles");
		if (t >= 0)
			cfg.wl_params[t] = 4;
		t = workload_param_index(cfg.wl, "bursts");
		if (t >= 0)
			cfg.wl_params[t] = 100;
		t = workload_param_index(cfg.wl, "options");
		if (t >= 0)
			cfg.wl_params[t] = 2000;
		assert_int_equal(profile_compute(&m, 1, 0, &cfg, &p), 0);
		assert_true(p.ops_per_s == cases[i].ops);
		assert_string_equal(p.unit, cases[i].unit);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_and_system_time),
		cmocka_unit_test(test_sleep_is_a_voluntary_switch),
		cmocka_unit_test(test_guest_preemption_is_involuntary),
		cmocka_unit_test(test_call_function_counts_in_cal),
		cmocka_unit_test(test_shootdown_counts_in_tlb_and_cal),
		cmocka_unit_test(test_lock_slowpath_is_a_contention),
		cmocka_unit_test(test_units_of_the_real_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
