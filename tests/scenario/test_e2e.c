// SPDX-License-Identifier: MIT
/*
 * End-to-end runs of the simulator on small hosts, checking what MODEL.md
 * and the simulator issue say must happen: an undercommitted host wastes
 * nothing, a preempted lock holder at 2x overcommit makes waiters spin and
 * take PLE exits, PV spinlocks turn that spinning into halts, the PV hints
 * and the IPI tracker act where they should, runs are deterministic and
 * the scheduler model stays consistent throughout. Tolerances are wide:
 * these are emergent figures, not hand-worked ones.
 */
#include "e2e.h"

/* Undercommitted (4 vCPUs, 8 CPUs): no steal, nothing halted, nobody to
 * yield to; spinning only from genuine lock contention (under 5%). */
static void test_undercommit_wastes_nothing(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 8, 4, 1, wl("spinlock"), "vanilla");
	run(&r, true);
	assert_true(r.frac[VT_STEAL] == 0.0);
	assert_true(r.frac[VT_HALTED] == 0.0);
	assert_int_equal(r.m.host.yield_successes, 0);
	assert_true(r.frac[VT_SPIN] < 0.05);
	assert_true(r.m.vms[0].ops > 0);
	done(&r);
}

/* Each vCPU's time buckets add up to the measured span exactly. */
static void test_time_adds_up(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 4, 8, 1, wl("spinlock"), "vanilla");
	run(&r, false);
	for (unsigned int i = 0; i < 8; i++) {
		u64 sum = 0;

		for (int b = 0; b < VT_NR; b++)
			sum += r.m.vms[0].vcpu[i].t[b];
		assert_int_equal(sum, MS(200));
	}
	done(&r);
}

/* 2x overcommit (16 vCPUs on 8 CPUs), plain queued spinlocks: preempted
 * holders and queued waiters make the rest spin (over 10% of vCPU time,
 * several times the undercommitted figure) and take PLE exits into
 * kvm_vcpu_on_spin, which yields to preempted vCPUs. */
static void test_overcommit_lock_holder_preemption(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 8, 16, 1, wl("spinlock"), "vanilla");
	r.c.kvm.pv_unhalt = false;
	run(&r, true);
	assert_true(r.frac[VT_SPIN] > 0.10);
	assert_true(r.m.host.ple_exits > 10000);
	assert_int_equal(r.m.host.on_spin_calls, r.m.host.ple_exits);
	assert_true(r.m.host.yield_successes > 0);
	assert_true(r.frac[VT_HALTED] == 0.0);
	done(&r);
}

/* MODEL.md 5 PV spinlocks, on a host without PLE (ple_gap = 0), where
 * nothing else rescues a waiter queued behind a preempted vCPU: plain
 * queued spinlocks collapse (lock-waiter preemption: every vCPU spins
 * most of the time); with pv_unhalt waiters halt in pv_wait and are kicked
 * (KICK_CPU), and while the queue head is halted arrivals steal the lock
 * (MODEL.md 7), so halted time appears, spinning drops and throughput is
 * many times higher. (With PLE the waiters' spin is cut into PLE exits
 * and directed yields long before SPIN_THRESHOLD.) */
static void test_pv_spinlocks_turn_spin_into_halts(void **state)
{
	struct run plain, pv;

	(void)state;
	setup(&plain, 8, 16, 1, wl("spinlock"), "vanilla");
	plain.c.kvm.ple_gap = 0;
	plain.c.kvm.pv_unhalt = false;
	run(&plain, false);
	setup(&pv, 8, 16, 1, wl("spinlock"), "vanilla");
	pv.c.kvm.ple_gap = 0;
	run(&pv, true);
	assert_true(plain.frac[VT_SPIN] > 0.4);
	assert_true(idle_frac(&pv) > 0.01);
	assert_true(pv.m.host.kicks > 0);
	assert_true(pv.frac[VT_SPIN] < 0.8 * plain.frac[VT_SPIN]);
	assert_true(pv.m.vms[0].ops > 10 * plain.m.vms[0].ops);
	done(&plain);
	done(&pv);
}

static bool metrics_equal(const struct sim_metrics *a,
			  const struct sim_metrics *b)
{
	if (memcmp(&a->host, &b->host, sizeof(a->host)) ||
	    a->nr_vms != b->nr_vms)
		return false;
	for (unsigned int k = 0; k < a->nr_vms; k++) {
		if (a->vms[k].ops != b->vms[k].ops ||
		    a->vms[k].cpu_ns != b->vms[k].cpu_ns ||
		    memcmp(a->vms[k].vcpu, b->vms[k].vcpu,
			   a->vms[k].vcpus * sizeof(*a->vms[k].vcpu)))
			return false;
	}
	return true;
}

/* DESIGN.md "Same scenario + seed => byte-identical outputs": two runs
 * agree on every metric; another seed does not. */
static void test_deterministic(void **state)
{
	struct run a, b, c;

	(void)state;
	setup(&a, 8, 16, 1, wl("spinlock"), "series-v2");
	setup(&b, 8, 16, 1, wl("spinlock"), "series-v2");
	setup(&c, 8, 16, 1, wl("spinlock"), "series-v2");
	c.c.seed = 2;
	run(&a, false);
	run(&b, false);
	run(&c, false);
	assert_true(metrics_equal(&a.m, &b.m));
	assert_false(metrics_equal(&a.m, &c.m));
	done(&a);
	done(&b);
	done(&c);
}

/* MODEL.md 4c: call-function IPIs to one vCPU are unicast fixed IPIs, so
 * without APIC virtualization the tracker records them (ipi-aware
 * preset); with IPIv (the kvm defaults) nothing is recorded although the
 * IPIs still flow; with APICv alone the ICR writes exit and are recorded
 * (MODEL.md 7, APICv and IPIv are separate). */
static void test_ipi_tracking_and_apicv(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(20) },
		{ .kind = GOP_CALL_FUNC,
		  .mean_ns = US(2),
		  .arg = TARGET_RANDOM },
	};
	struct run r, v;

	(void)state;
	prog(ops, 2);
	setup(&r, 8, 16, 1, &tmpl_wl, "ipi-aware");
	r.c.kvm.enable_apicv = false;
	run(&r, true);
	assert_true(r.m.host.ipis_sent > 1000);
	assert_true(r.m.host.ipis_tracked > 1000);
	assert_true(r.frac[VT_IPI_WAIT] > 0.0);
	setup(&v, 8, 16, 1, &tmpl_wl, "ipi-aware");
	run(&v, false);
	assert_true(v.m.host.ipis_sent > 1000);
	assert_int_equal(v.m.host.ipis_tracked, 0);
	done(&v);
	setup(&v, 8, 16, 1, &tmpl_wl, "ipi-aware");
	v.c.kvm.enable_ipiv = false;
	run(&v, false);
	assert_true(v.m.host.ipis_tracked > 1000);
	done(&r);
	done(&v);
}

/* MODEL.md 5 PV TLB flush: at 2x overcommit shootdowns find preempted
 * targets and defer their flush to entry instead of waiting for them;
 * without the feature nothing is deferred and the waits grow. Without PLE
 * (ple_gap = 0) every deschedule is a preemption at a tick, which the
 * guest sees (MODEL.md 7: a vCPU that left through a PLE yield is not
 * reported preempted, so with PLE the deferral applies far less). */
static void test_pv_tlb_flush(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(50) },
		{ .kind = GOP_TLB_SHOOTDOWN, .mean_ns = US(1), .arg = 0 },
	};
	struct run pv, native;

	(void)state;
	prog(ops, 2);
	setup(&pv, 8, 16, 1, &tmpl_wl, "vanilla");
	pv.c.kvm.ple_gap = 0;
	run(&pv, true);
	setup(&native, 8, 16, 1, &tmpl_wl, "vanilla");
	native.c.kvm.ple_gap = 0;
	native.c.kvm.pv_tlb_flush = false;
	run(&native, false);
	assert_true(pv.m.host.tlb_flush_deferred > 100);
	assert_int_equal(native.m.host.tlb_flush_deferred, 0);
	assert_true(pv.frac[VT_IPI_WAIT] < native.frac[VT_IPI_WAIT]);
	done(&pv);
	done(&native);
}

/* MODEL.md 5 "optimistic spinning ... stop spinning when the owner's vCPU
 * is preempted": with the preempted hint mutex waiters spin less at 2x
 * overcommit than without it. Without PLE, so that the owner's vCPU is
 * descheduled only by preemptions the guest sees (MODEL.md 7). */
static void test_mutex_preempted_hint(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(20) },
		{ .kind = GOP_MUTEX_LOCK, .obj = 0 },
		{ .kind = GOP_COMPUTE,
		  .dist = DIST_EXP,
		  .mean_ns = US(5),
		  .kernel = true },
		{ .kind = GOP_MUTEX_UNLOCK, .obj = 0 },
	};
	struct run hint, blind;

	(void)state;
	prog(ops, 4);
	tmpl_objs.nr_mutexes = 1;
	setup(&hint, 8, 16, 1, &tmpl_wl, "vanilla");
	hint.c.kvm.ple_gap = 0;
	run(&hint, true);
	prog(ops, 4);
	tmpl_objs.nr_mutexes = 1;
	setup(&blind, 8, 16, 1, &tmpl_wl, "vanilla");
	blind.c.kvm.ple_gap = 0;
	blind.c.kvm.pv_steal_time = false;
	run(&blind, false);
	assert_true(hint.frac[VT_SPIN] < blind.frac[VT_SPIN]);
	assert_true(hint.frac[VT_HALTED] > 0.0);
	done(&hint);
	done(&blind);
}

/* Guest wakeups through semaphores (reschedule IPIs) and barriers keep
 * every thread making progress; sleepers halt their vCPUs. */
static void test_semaphore_and_barrier_progress(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(30) },
		{ .kind = GOP_SEM_POST, .obj = 0 },
		{ .kind = GOP_SEM_WAIT, .obj = 0 },
		{ .kind = GOP_BARRIER, .obj = 0 },
	};
	struct run r;

	(void)state;
	prog(ops, 4);
	tmpl_objs.nr_sems = 1;
	tmpl_objs.nr_barriers = 1;
	setup(&r, 4, 6, 1, &tmpl_wl, "series-v2");
	run(&r, true);
	for (unsigned int i = 0; i < 6; i++)
		assert_true(r.m.vms[0].vcpu[i].t[VT_WORK] > 0);
	assert_true(r.m.vms[0].ops > 1000);
	assert_true(r.frac[VT_HALTED] > 0.0);
	done(&r);
}

/* I/O sleeps halt the vCPU: 10 us of work then 90 us asleep on an idle
 * host leaves the vCPUs halted most of the time (about 90%). Alone on
 * their CPUs they halt-poll (MODEL.md 7): the poll window grows 10, 20,
 * 40, 80, 160 us over the first halts and then covers the 90 us sleep,
 * so nearly all of that time is polling, none of it blocked. */
static void test_io_sleep_halts(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(10) },
		{ .kind = GOP_SLEEP, .dist = DIST_FIXED, .mean_ns = US(90) },
	};
	struct run r;

	(void)state;
	prog(ops, 2);
	setup(&r, 4, 2, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	assert_true(idle_frac(&r) > 0.80 && idle_frac(&r) < 0.92);
	assert_true(r.frac[VT_POLL] > 0.8 * idle_frac(&r));
	assert_true(r.m.host.halt_poll_successes > 0);
	assert_true(r.frac[VT_STEAL] == 0.0);
	done(&r);
}

/*
 * MODEL.md 7, costs that are not zero: a wakeup onto an idle CPU. One
 * vCPU alone on its CPU, without halt polling, does 10 us of work and
 * sleeps 90 us on I/O (fixed): each pass halts, blocks and is woken from
 * idle. With wakeup_latency 0 a pass takes 10 + 90 us plus the HLT exit
 * (1 us): ~99 us, ~2020 passes in 200 ms; with the measured 19 us, ~118
 * us: ~1690 passes, a ratio of 1.19.
 */
static void test_wakeup_latency_slows_each_wake(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(10) },
		{ .kind = GOP_SLEEP, .dist = DIST_FIXED, .mean_ns = US(90) },
	};
	struct run fast, slow;
	double ratio;

	(void)state;
	prog(ops, 2);
	setup(&fast, 2, 1, 1, &tmpl_wl, "vanilla");
	fast.c.kvm.halt_poll_ns = 0;
	fast.c.host.wakeup_latency_ns = 0;
	run(&fast, true);
	setup(&slow, 2, 1, 1, &tmpl_wl, "vanilla");
	slow.c.kvm.halt_poll_ns = 0;
	run(&slow, true);
	ratio = (double)fast.m.vms[0].ops / (double)slow.m.vms[0].ops;
	assert_true(ratio > 1.15 && ratio < 1.23);
	done(&fast);
	done(&slow);
}

/*
 * MODEL.md 7, a host context switch costs the task switched in: two
 * single-vCPU compute VMs pinned to one CPU alternate once per 4 ms tick;
 * with ctx_switch = 400 us each 4 ms turn loses 0.4 ms, so the VMs work
 * ~90% of their CPU time (the rest is the switch, in the exit bucket);
 * with 0 they work all of it.
 */
static void test_context_switch_costs_the_task_in(void **state)
{
	struct run r;
	double work;

	(void)state;
	setup(&r, 1, 1, 2, wl("compute"), "vanilla");
	r.c.host.ctx_switch_ns = US(400);
	run(&r, true);
	work = r.frac[VT_WORK] / (r.frac[VT_WORK] + r.frac[VT_EXIT]);
	assert_true(work > 0.88 && work < 0.92);
	done(&r);
	setup(&r, 1, 1, 2, wl("compute"), "vanilla");
	r.c.host.ctx_switch_ns = 0;
	run(&r, true);
	assert_true(r.frac[VT_EXIT] < 0.001);
	done(&r);
}

/*
 * A context switch is the CPU's work, not a debt of the task: a vCPU
 * switched out again before the switch that brought it in was done owes
 * nothing of it. One CPU, one compute vCPU and a host daemon waking every
 * ~300 us for ~50 us; ctx_switch = 1 ms, so the daemon's wakeups often
 * take the CPU back mid-switch. Seed 1: 30.5% of the vCPU's time is work,
 * 23.3% switches (exit); when the unfinished switches were carried over
 * they piled up, 42.9% exit and 10.9% work (a storm of remote yields on
 * dedup did the same at 2 us a switch, docs/model.md 7.10).
 */
static void test_unfinished_switch_is_not_owed(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 1, 1, 1, wl("compute"), "vanilla");
	r.c.host.ctx_switch_ns = MS(1);
	r.c.host.noise = 1;
	r.c.host.noise_run_ns = US(50);
	r.c.host.noise_sleep_ns = US(300);
	run(&r, true);
	assert_true(r.frac[VT_WORK] > r.frac[VT_EXIT]);
	assert_true(r.frac[VT_EXIT] < 0.3);
	done(&r);
}

/*
 * MODEL.md 7, IPI delivery latency to a running vCPU: two vCPUs on an
 * idle host each work 20 us then call a function on the other (handler
 * 2 us) and wait for it. A pass is ~20 us of work, the wait (latency +
 * handler) and ~2 us of the other's handler: ~24 us at 0 latency, ~34 us
 * at 10 us: a ratio of passes ~1.4.
 */
static void test_ipi_latency_delays_the_handler(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(20) },
		{ .kind = GOP_CALL_FUNC, .mean_ns = US(2), .arg = TARGET_NEXT },
	};
	struct run fast, slow;
	double ratio;

	(void)state;
	prog(ops, 2);
	setup(&fast, 4, 2, 1, &tmpl_wl, "vanilla");
	fast.c.host.ipi_latency_ns = 0;
	run(&fast, true);
	setup(&slow, 4, 2, 1, &tmpl_wl, "vanilla");
	slow.c.host.ipi_latency_ns = US(10);
	run(&slow, true);
	ratio = (double)fast.m.vms[0].ops / (double)slow.m.vms[0].ops;
	assert_true(ratio > 1.3 && ratio < 1.5);
	assert_true(slow.frac[VT_IPI_WAIT] > 2 * fast.frac[VT_IPI_WAIT]);
	done(&fast);
	done(&slow);
}

/*
 * MODEL.md 7, interrupts off defer IPI handling: the same two vCPUs, each
 * pass 50 us of kernel work then a call on the other (handler 2 us), then
 * 10 us of user work (exponential, so the two drift apart). With the kernel work run with interrupts off, a
 * call arriving during it waits for its end: the sender's IPI wait grows
 * several times over the same program with interrupts on.
 */
static void test_irqs_off_defer_the_handler(void **state)
{
	struct gop ops[] = {
		{ .kind = GOP_COMPUTE,
		  .dist = DIST_EXP,
		  .mean_ns = US(50),
		  .kernel = true },
		{ .kind = GOP_CALL_FUNC, .mean_ns = US(2), .arg = TARGET_NEXT },
		{ .kind = GOP_COMPUTE, .dist = DIST_EXP, .mean_ns = US(10) },
	};
	struct run on, off;

	(void)state;
	prog(ops, 3);
	setup(&on, 4, 2, 1, &tmpl_wl, "vanilla");
	run(&on, true);
	ops[0].irqoff = true;
	prog(ops, 3);
	setup(&off, 4, 2, 1, &tmpl_wl, "vanilla");
	run(&off, true);
	assert_true(off.frac[VT_IPI_WAIT] > 3 * on.frac[VT_IPI_WAIT]);
	done(&on);
	done(&off);
}

/*
 * MODEL.md 7, load balancing by load: three busy single-vCPU VMs on two
 * host CPUs (scenarios/three-hogs.ini) share them by periodic migration,
 * about two thirds of a CPU each over 10 s (this machine's kernel:
 * 0.63-0.69, 2.4 migrations per task per second). The one alone on a CPU
 * gets pulled from once its utilisation shows it busy (~60 ms), a pass
 * fails and the next moves the waiting task: ~8 migrations per second.
 */
static void test_three_hogs_share_two_cpus(void **state)
{
	struct run r;
	double per_task;

	(void)state;
	setup(&r, 2, 1, 3, wl("compute"), "vanilla");
	r.c.host.noise = 1;
	r.c.host.noise_run_ns = US(100);
	r.c.host.noise_sleep_ns = MS(50);
	r.c.duration_ns = 10 * NSEC_PER_SEC;
	r.c.warmup_ns = NSEC_PER_SEC;
	run(&r, false);
	for (unsigned int k = 0; k < 3; k++) {
		double cpu = (double)r.m.vms[k].cpu_ns / 1e10;

		print_message("# hog %u: %.3f of a CPU\n", k, cpu);
		assert_true(cpu > 0.61 && cpu < 0.73);
	}
	per_task = (double)r.m.host.migrations / 3 / 10;
	print_message("# %.2f migrations per task per second\n", per_task);
	assert_true(per_task > 1.0 && per_task < 5.0);
	done(&r);
}

/*
 * An occasional step (GOP_ONE_IN) runs in one pass of N. One vCPU on an
 * idle host: 10 us of fixed user work per pass, plus 10 us of fixed kernel
 * work guarded by ONE_IN N. N = 1: every pass 20 us, ~10000 passes in the
 * 200 ms measured. N = 4: 10 + 10/4 = 12.5 us per pass on average, so 1.6
 * times as many passes (binomial spread of the draws: ~0.3%).
 */
static void test_one_in_runs_one_pass_in_n(void **state)
{
	struct gop ops[] = {
		{ .kind = GOP_ONE_IN, .obj = 1, .arg = 1 },
		{ .kind = GOP_COMPUTE,
		  .dist = DIST_FIXED,
		  .mean_ns = US(10),
		  .kernel = true },
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(10) },
	};
	struct run every, one_in_4;
	double ratio;

	(void)state;
	prog(ops, 3);
	setup(&every, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&every, true);
	ops[0].arg = 4;
	prog(ops, 3);
	setup(&one_in_4, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&one_in_4, true);
	assert_true(every.m.vms[0].ops > 9700 && every.m.vms[0].ops <= 10000);
	ratio = (double)one_in_4.m.vms[0].ops / (double)every.m.vms[0].ops;
	assert_true(ratio > 1.55 && ratio < 1.65);
	done(&every);
	done(&one_in_4);
}

/*
 * Guest scheduler: a thread that sleeps leaves its vCPU to a runnable one.
 * One vCPU on an idle host, each thread 50 us of work then 50 us of I/O
 * (fixed). One thread: the vCPU is halted about half the time, one pass
 * per ~100 us (~2000 in 200 ms). Two threads: while one waits for its I/O
 * the other runs, so the vCPU is hardly ever idle and passes nearly double
 * (each pass ~50 us of vCPU time plus a 1.5 us switch: ~3800).
 */
static void test_guest_threads_fill_idle_time(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(50) },
		{ .kind = GOP_SLEEP, .dist = DIST_FIXED, .mean_ns = US(50) },
	};
	struct run one, two;

	(void)state;
	prog(ops, 2);
	setup(&one, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&one, true);
	prog(ops, 2);
	tmpl_threads_per_vcpu = 2;
	setup(&two, 2, 1, 1, &tmpl_wl, "vanilla");
	run(&two, true);
	assert_true(idle_frac(&one) > 0.40);
	assert_true(idle_frac(&two) < 0.10);
	assert_true(two.m.vms[0].ops > 1.7 * (double)one.m.vms[0].ops);
	done(&one);
	done(&two);
}

/*
 * Guest scheduler: more runnable threads than vCPUs all make progress (the
 * barrier counts every thread, so one starved thread would stop them all).
 * 8 threads on 2 vCPUs, 100 us of fixed work then the barrier: a round is
 * 4 x 100 us per vCPU plus switches and wakeups, so about 200 ms / ~410 us
 * = ~490 rounds, 8 passes each (~3900), and the vCPUs are rarely idle.
 */
static void test_guest_threads_all_progress(void **state)
{
	static const struct gop ops[] = {
		{ .kind = GOP_COMPUTE, .dist = DIST_FIXED, .mean_ns = US(100) },
		{ .kind = GOP_BARRIER, .obj = 0 },
	};
	struct run r;

	(void)state;
	prog(ops, 2);
	tmpl_objs.nr_barriers = 1;
	tmpl_threads_per_vcpu = 4;
	setup(&r, 4, 2, 1, &tmpl_wl, "vanilla");
	run(&r, true);
	assert_true(r.m.vms[0].ops > 3600 && r.m.vms[0].ops <= 4000);
	assert_true(r.frac[VT_HALTED] < 0.05);
	done(&r);
}

/* Host noise takes CPU time from an otherwise undercommitted VM. */
static void test_host_noise_steals(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 2, 2, 1, wl("compute"), "vanilla");
	r.c.host.noise = 1;
	r.c.host.noise_run_ns = MS(1);
	r.c.host.noise_sleep_ns = MS(1);
	run(&r, true);
	assert_true(r.frac[VT_STEAL] > 0.05);
	done(&r);
}

/* Pinning: each vCPU thread pinned to one CPU never migrates. */
static void test_pinned_vcpus_stay(void **state)
{
	struct run r;

	(void)state;
	setup(&r, 4, 8, 1, wl("spinlock"), "vanilla");
	r.vm.pin = PIN_VCPU;
	run(&r, true);
	assert_int_equal(r.m.host.migrations, 0);
	assert_true(r.m.vms[0].ops > 0);
	done(&r);
}

/* libvirt's layout (host vcpu_cgroups): each vCPU thread alone in a
 * cgroup of its own. yield_task_fair forfeits only curr's own entity
 * (MODEL.md 1), which is now alone in its group, so a vCPU that directed
 * its yield elsewhere is no longer pushed back in its VM's queue. With PV
 * spinlocks that vCPU is a queued waiter whose turn comes next, and the VM
 * gets more done: over seeds 1-4, 167,312 -> 187,865 operations (+12%;
 * per seed +6% to +19%, noisy enough that the test sums four). The
 * invariants hold with the deeper hierarchy. */
static void test_vcpu_cgroups_keep_the_yielder(void **state)
{
	u64 flat_ops = 0, cg_ops = 0;

	(void)state;
	for (u64 seed = 1; seed <= 4; seed++) {
		struct run flat, cg;

		setup(&flat, 8, 16, 1, wl("spinlock"), "vanilla");
		flat.c.seed = seed;
		run(&flat, false);
		setup(&cg, 8, 16, 1, wl("spinlock"), "vanilla");
		cg.c.seed = seed;
		cg.c.host.vcpu_cgroups = true;
		run(&cg, seed == 1);
		assert_true(cg.m.host.yield_successes > 0);
		flat_ops += flat.m.vms[0].ops;
		cg_ops += cg.m.vms[0].ops;
		done(&flat);
		done(&cg);
	}
	assert_true(cg_ops > flat_ops * 103 / 100);
}

/* Two host daemons, as the series' table has: without some asynchrony
 * identical VMs co-schedule by accident and nobody waits on a preempted
 * vCPU (docs/model.md). */
static void daemons(struct run *r)
{
	r->c.host.noise = 2;
	r->c.host.noise_run_ns = US(500);
	r->c.host.noise_sleep_ns = MS(2);
}

/* The dy_eligible alternation (kvm_vcpu_eligible_for_directed_yield):
 * two 8-vCPU VMs on 8 CPUs take one plain queued spinlock (no PV
 * spinlocks), so many vCPUs spin at once; a candidate that is itself in a
 * spin loop is skipped every other time it is looked at. With the
 * alternation off (HAVE_KVM_CPU_RELAX_INTERCEPT = off) every such spinner
 * is a candidate: the scans pick other targets, the yields and the run
 * differ (seed 1: 23,626 yield_to attempts and 44,198 operations with it,
 * 7,507 and 53,214 without; the direction changes with the seed, as the
 * spinners' pile-ups do: scenarios/dy-eligible.ini has 3 seeds). Before
 * the spin loop stayed open across the yield, both gave the same bytes. */
static void test_dy_eligible_alternation_matters(void **state)
{
	struct run on, off;

	(void)state;
	setup(&on, 8, 8, 2, wl("spinlock"), "vanilla");
	daemons(&on);
	on.c.kvm.pv_unhalt = false;
	run(&on, false);
	setup(&off, 8, 8, 2, wl("spinlock"), "vanilla");
	daemons(&off);
	off.c.kvm.pv_unhalt = false;
	off.c.kvm.cpu_relax_intercept = false;
	run(&off, false);
	print_message("# dy_eligible on: attempts %llu ops %llu; off: "
		      "attempts %llu ops %llu\n",
		      (unsigned long long)on.m.host.yield_attempts,
		      (unsigned long long)(on.m.vms[0].ops + on.m.vms[1].ops),
		      (unsigned long long)off.m.host.yield_attempts,
		      (unsigned long long)(off.m.vms[0].ops +
					   off.m.vms[1].ops));
	assert_true(off.m.host.yield_attempts != on.m.host.yield_attempts);
	assert_true(off.m.vms[0].ops + off.m.vms[1].ops !=
		    on.m.vms[0].ops + on.m.vms[1].ops);
	done(&on);
	done(&off);
}

/* PV sched yield (kvm_smp_send_call_func_ipi): two 16-vCPU ebizzy VMs on
 * 16 CPUs without PV TLB flush send their shootdowns as call-function
 * IPIs to all other busy vCPUs; with the hook the sender yields to a
 * preempted target at once instead of spinning in csd_lock_wait until PLE
 * catches it: PV sched yields are issued (seed 1: 296 in 0.2 s) and the
 * run differs. Over 1 s the PLE exits and their directed yields drop
 * (scenarios/pv-sched-yield.ini gives the figures). */
static void test_pv_sched_yield_matters(void **state)
{
	struct run on, off;

	(void)state;
	setup(&on, 16, 16, 2, wl("ebizzy"), "vanilla");
	daemons(&on);
	on.c.kvm.pv_tlb_flush = false;
	run(&on, false);
	setup(&off, 16, 16, 2, wl("ebizzy"), "vanilla");
	daemons(&off);
	off.c.kvm.pv_tlb_flush = false;
	off.c.kvm.pv_sched_yield = false;
	run(&off, false);
	print_message("# pv sched yield on: ple %llu attempts %llu pv yields "
		      "%llu; off: ple %llu attempts %llu\n",
		      (unsigned long long)on.m.host.ple_exits,
		      (unsigned long long)on.m.host.yield_attempts,
		      (unsigned long long)on.m.host.pv_yields,
		      (unsigned long long)off.m.host.ple_exits,
		      (unsigned long long)off.m.host.yield_attempts);
	assert_true(on.m.host.pv_yields > 0);
	assert_int_equal(off.m.host.pv_yields, 0);
	assert_true(on.m.vms[0].ops + on.m.vms[1].ops !=
		    off.m.vms[0].ops + off.m.vms[1].ops);
	done(&on);
	done(&off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undercommit_wastes_nothing),
		cmocka_unit_test(test_time_adds_up),
		cmocka_unit_test(test_overcommit_lock_holder_preemption),
		cmocka_unit_test(test_pv_spinlocks_turn_spin_into_halts),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_ipi_tracking_and_apicv),
		cmocka_unit_test(test_pv_tlb_flush),
		cmocka_unit_test(test_mutex_preempted_hint),
		cmocka_unit_test(test_semaphore_and_barrier_progress),
		cmocka_unit_test(test_io_sleep_halts),
		cmocka_unit_test(test_three_hogs_share_two_cpus),
		cmocka_unit_test(test_wakeup_latency_slows_each_wake),
		cmocka_unit_test(test_context_switch_costs_the_task_in),
		cmocka_unit_test(test_unfinished_switch_is_not_owed),
		cmocka_unit_test(test_ipi_latency_delays_the_handler),
		cmocka_unit_test(test_irqs_off_defer_the_handler),
		cmocka_unit_test(test_one_in_runs_one_pass_in_n),
		cmocka_unit_test(test_guest_threads_fill_idle_time),
		cmocka_unit_test(test_guest_threads_all_progress),
		cmocka_unit_test(test_host_noise_steals),
		cmocka_unit_test(test_pinned_vcpus_stay),
		cmocka_unit_test(test_vcpu_cgroups_keep_the_yielder),
		cmocka_unit_test(test_dy_eligible_alternation_matters),
		cmocka_unit_test(test_pv_sched_yield_matters),
	};
	return cmocka_run_group_tests_name("e2e", tests, NULL, NULL);
}
