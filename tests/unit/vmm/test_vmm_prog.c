// SPDX-License-Identifier: MIT
/*
 * Which workload programs the KVM engine's guests run (src/vmm/prog.c,
 * docs/kvm-engine.md): one guest thread per vCPU, compute and spinlock
 * steps only; anything else is refused with the thread and the step. No
 * /dev/kvm needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/prog.h"
#include "workload/workload.h"

/* @name's program with its defaults for @vcpus vCPUs, into @d */
static void build(const char *name, unsigned int vcpus,
		  struct guest_vm_desc *d)
{
	const struct workload *wl = workload_find(name);
	u64 p[WL_MAX_PARAMS];
	char err[128];

	assert_non_null(wl);
	for (unsigned int i = 0; i < wl->nr_params; i++)
		p[i] = wl->params[i].def;
	memset(d, 0, sizeof(*d));
	assert_int_equal(workload_build(wl, p, vcpus, d, err, sizeof(err)), 0);
}

/* spinlock: compute, spin_lock, compute (kernel), spin_unlock on each of
 * 4 threads for 4 vCPUs: all steps the guests run */
static void test_prog_spinlock_runs(void **state)
{
	struct guest_vm_desc d;
	char err[256] = "";

	(void)state;
	build("spinlock", 4, &d);
	assert_int_equal(vmm_prog_check(&d, 4, err, sizeof(err)), 0);
	free(d.progs);
}

/* 4 threads on 2 vCPUs: one thread per vCPU only (no guest scheduler) */
static void test_prog_threads_must_match_vcpus(void **state)
{
	struct guest_vm_desc d;
	char err[256] = "";

	(void)state;
	build("spinlock", 4, &d);
	assert_int_equal(vmm_prog_check(&d, 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "4 guest threads on 2 vCPUs"));
	free(d.progs);
}

/* a sleep step (dbench's Flush) is refused, naming thread and step */
static void test_prog_sleep_refused(void **state)
{
	struct guest_vm_desc d = { 0 };
	struct gprog g = { .nr_ops = 2 };
	char err[256] = "";

	(void)state;
	g.ops[0] = (struct gop){ .kind = GOP_COMPUTE, .mean_ns = 1000 };
	g.ops[1] = (struct gop){ .kind = GOP_SLEEP, .mean_ns = 1000 };
	d.nr_threads = 1;
	d.progs = &g;
	assert_int_equal(vmm_prog_check(&d, 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "thread 0, step 1: sleep"));
}

/* spinlock on 4 vCPUs: 4 x (4 steps x (40 B + 8 KiB of drawn times) +
 * a thread) is about 130 KiB: 1 MiB */
static void test_prog_mem_rounds_up(void **state)
{
	struct guest_vm_desc d;

	(void)state;
	build("spinlock", 4, &d);
	assert_int_equal(vmm_prog_mem_mib(&d), 1);
	free(d.progs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prog_spinlock_runs),
		cmocka_unit_test(test_prog_threads_must_match_vcpus),
		cmocka_unit_test(test_prog_sleep_refused),
		cmocka_unit_test(test_prog_mem_rounds_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
