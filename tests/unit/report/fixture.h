/* SPDX-License-Identifier: MIT */
/*
 * Hand-built metrics for the report tests: a 4-CPU host measured for 1 s
 * with VM "big" (4 vCPUs, 1024 shares) and VM "small" (1 vCPU, 1024
 * shares). Capacity 4 s split 2 s / 2 s by shares; "small" can use only
 * 1 s, so "big" is entitled to 3 s.
 */
#ifndef OVERSUB_TEST_REPORT_FIXTURE_H
#define OVERSUB_TEST_REPORT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/report.h"

#define MS NSEC_PER_MSEC

/* big: 2.7 s of CPU; each vCPU 500 work, 200 spin, 50 ipi, 100 halted,
 * 100 steal, 50 exit (ms). small: 1 s of CPU, all work. @tp_scale scales
 * big's throughput (for multi-seed sets). */
static inline void fixture_metrics(struct sim_metrics *m, double tp_scale)
{
	static const u64 big_t[VT_NR] = { 500 * MS, 200 * MS, 50 * MS,
					  100 * MS, 100 * MS, 50 * MS };
	struct vm_metrics *vm;

	memset(m, 0, sizeof(*m));
	m->duration_ns = NSEC_PER_SEC;
	m->nr_cpus = 4;
	m->nr_vms = 2;
	m->vms = calloc(2, sizeof(*m->vms));
	assert_non_null(m->vms);
	for (size_t i = 0; i < nr_host_counters; i++)
		*(u64 *)((char *)&m->host + host_counters[i].offset) = i + 1;

	vm = &m->vms[0];
	strcpy(vm->name, "big");
	vm->vcpus = 4;
	vm->shares = 1024;
	vm->ops = (u64)(12345 * tp_scale);
	vm->throughput = 12345.0 * tp_scale;
	vm->cpu_ns = 2700 * MS;
	vm->vcpu = calloc(4, sizeof(*vm->vcpu));
	assert_non_null(vm->vcpu);
	for (int c = 0; c < 4; c++)
		memcpy(vm->vcpu[c].t, big_t, sizeof(big_t));
	/* vCPU 3 spins instead of working: big's spin is 300/1000 on it */
	vm->vcpu[3].t[VT_WORK] = 400 * MS;
	vm->vcpu[3].t[VT_SPIN] = 300 * MS;

	vm = &m->vms[1];
	strcpy(vm->name, "small");
	vm->vcpus = 1;
	vm->shares = 1024;
	vm->ops = 1000;
	vm->throughput = 1000.0;
	vm->cpu_ns = 1000 * MS;
	vm->vcpu = calloc(1, sizeof(*vm->vcpu));
	assert_non_null(vm->vcpu);
	vm->vcpu[0].t[VT_WORK] = 1000 * MS;
}

/* Everything @fn writes to a FILE, as a malloc'd string. */
#define CAPTURE(_buf, _call)                               \
	do {                                               \
		size_t __len;                              \
		FILE *f = open_memstream(&(_buf), &__len); \
		assert_non_null(f);                        \
		assert_int_equal((_call), 0);              \
		assert_int_equal(fclose(f), 0);            \
	} while (0)

#endif
