/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the kvm unit tests: one VM whose vCPU threads are real
 * tasks of the sched model, in one cgroup, on chosen CPUs. Tasks marked
 * KT_RUN are woken first and scheduled, so each is rq->curr of its CPU;
 * KT_QUEUED tasks are woken after, so they sit queued, not running.
 */
#ifndef OVERSUB_TEST_KVM_H
#define OVERSUB_TEST_KVM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "kvm/kvm.h"
#include "sched/sched.h"

#define KT_MAX 8
#define MS NSEC_PER_MSEC

enum kt_state {
	KT_IDLE = 0,
	KT_RUN,
	KT_QUEUED
};

struct kt {
	struct sched s;
	struct kvm_knobs k;
	struct kvm kvm;
	struct task_group *tg;
	struct task t[KT_MAX];
	int nr;
	u64 now;
};

static inline struct kvm_vcpu *kt_vcpu(struct kt *x, int i)
{
	return &x->kvm.vcpus[i];
}

static inline struct rq *kt_rq(struct kt *x, int cpu)
{
	return cpu_rq(&x->s, cpu);
}

/*
 * The knobs of the tests: kvm_knobs_default() without APIC
 * virtualization, the host the rules of MODEL.md 3 and 4c are written
 * for; the tests of APICv and IPIv switch them on by name.
 */
static inline void kt_knobs(struct kvm_knobs *k)
{
	kvm_knobs_default(k);
	k->enable_apicv = false;
	k->enable_ipiv = false;
}

/*
 * @k: knobs to use (NULL: kt_knobs()); @cpu[i]: CPU of vCPU i's thread;
 * @st[i]: what the thread is doing at the start (NULL: all idle).
 */
static inline void kt_setup(struct kt *x, unsigned int nr_cpus, int nr,
			    const int *cpu, const enum kt_state *st,
			    const struct kvm_knobs *k)
{
	struct sched_params p;
	struct sched_features f;
	int i;

	memset(x, 0, sizeof(*x));
	assert_true(nr > 0 && nr <= KT_MAX);
	sched_params_default(&p);
	p.nr_cpus = nr_cpus;
	sched_features_default(&f);
	/* keep the series' scheduler changes out of the KVM tests */
	f.vcpu_debooster_enabled = false;
	f.vcpu_lag_credit_enabled = false;
	/* a halted thread leaves its rq at once: exact nr_running counts */
	f.delay_dequeue = false;
	assert_int_equal(sched_init(&x->s, &p, &f), 0);
	x->tg = sched_create_group(&x->s, NULL, NICE_0_LOAD, "vm0");
	assert_non_null(x->tg);
	for (i = 0; i < nr; i++) {
		sched_task_init(&x->s, &x->t[i], x->tg, NICE_0_LOAD,
				cpu ? cpu[i] : 0);
		x->t[i].id = i;
	}
	if (k)
		x->k = *k;
	else
		kt_knobs(&x->k);
	assert_int_equal(kvm_create(&x->kvm, &x->s, &x->k, nr, x->t), 0);
	x->nr = nr;
	x->now = 1 * MS;

	for (i = 0; st && i < nr; i++) {
		struct rq *rq = task_rq(&x->s, &x->t[i]);

		if (st[i] != KT_RUN)
			continue;
		wake_up_new_task(&x->s, &x->t[i], x->now);
		assert_ptr_equal(schedule(rq, x->now), &x->t[i]);
		kvm_sched_in(kt_vcpu(x, i));
		kvm_vcpu_enter_guest(kt_vcpu(x, i));
	}
	for (i = 0; st && i < nr; i++)
		if (st[i] == KT_QUEUED)
			wake_up_new_task(&x->s, &x->t[i], x->now);
}

static inline void kt_teardown(struct kt *x)
{
	kvm_destroy(&x->kvm);
	sched_destroy(&x->s);
}

/*
 * vCPU @i's thread, queued and runnable, is (or was just) switched out
 * while the guest ran at CPL 0 (@in_kernel) or CPL 3: a host interrupt
 * made it exit (kvm_vcpu_external_interrupt_exit, at an instruction
 * boundary), then kvm_sched_out().
 */
static inline void kt_preempt(struct kt *x, int i, bool in_kernel)
{
	struct kvm_vcpu *v = kt_vcpu(x, i);

	v->in_kernel = in_kernel;
	kvm_vcpu_external_interrupt_exit(v);
	kvm_sched_out(v);
	assert_true(v->preempted);
}

/*
 * The running vCPU @i halts: kvm_vcpu_block(), its thread sleeps, its CPU
 * switches to whatever is next (kvm_sched_out / kvm_sched_in).
 */
static inline void kt_halt(struct kt *x, int i)
{
	struct kvm_vcpu *v = kt_vcpu(x, i);
	struct rq *rq = task_rq(&x->s, &x->t[i]);
	struct task *next;

	assert_ptr_equal(rq->curr, &x->t[i]);
	assert_int_equal(kvm_vcpu_block(v), 0);
	sched_block(&x->s, &x->t[i], x->now);
	next = schedule(rq, x->now);
	kvm_sched_out(v);
	if (next && next->owner)
		kvm_sched_in(next->owner);
}

#endif
