// SPDX-License-Identifier: MIT
/*
 * The workload models (src/workload/, docs/workloads.md): every model's
 * parameter table is consistent, its programs are well formed for 1, 2, 16
 * and 64 vCPUs (steps in bounds, objects within the counts, locks balanced
 * and nested as the guest kernel allows, every wait has a waker), the
 * combinations its ranges cannot express are rejected with a message that
 * names the parameter, and each runs end to end at 2x overcommit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/policy.h"
#include "sim/sim.h"
#include "workload/workload.h"

static const char *const models[] = {
	"dbench", "dedup", "vips", "blackscholes", "kbuild", "ebizzy",
};

static const unsigned int vcpu_counts[] = { 1, 2, 16, 64 };

/* [vm] keys a parameter must not shadow (docs/scenario.md) */
static const char *const vm_keys[] = {
	"vcpus", "count", "weight", "pin", "workload",
};

static const struct workload *wl(const char *name)
{
	const struct workload *w = workload_find(name);

	if (!w)
		fail_msg("workload %s is not registered", name);
	return w;
}

static void defaults(const struct workload *w, u64 *p)
{
	for (unsigned int i = 0; i < w->nr_params; i++)
		p[i] = w->params[i].def;
}

struct built {
	struct guest_vm_desc d;
	char err[512];
	int ret;
};

static void build(const struct workload *w, const u64 *p, unsigned int nr,
		  struct built *b)
{
	memset(b, 0, sizeof(*b));
	b->ret = workload_build(w, p, nr, &b->d, b->err, sizeof(b->err));
}

static void unbuild(struct built *b)
{
	free(b->d.progs);
	b->d.progs = NULL;
}

static bool is_sync(enum gop_kind k)
{
	return k == GOP_SPIN_LOCK || k == GOP_SPIN_UNLOCK ||
	       k == GOP_READ_LOCK || k == GOP_READ_UNLOCK ||
	       k == GOP_WRITE_LOCK || k == GOP_WRITE_UNLOCK ||
	       k == GOP_BIT_LOCK || k == GOP_BIT_UNLOCK ||
	       k == GOP_MUTEX_LOCK || k == GOP_MUTEX_UNLOCK ||
	       k == GOP_SEM_POST || k == GOP_SEM_WAIT || k == GOP_BARRIER;
}

/* A spinning lock held, for the LIFO check: its kind of lock (the lock
 * step's kind), its object and whether it disabled interrupts. */
struct held {
	enum gop_kind kind;
	u32 obj;
	bool irqoff;
};

/* The lock step an unlock step releases. */
static enum gop_kind lock_of(enum gop_kind unlock)
{
	switch (unlock) {
	case GOP_SPIN_UNLOCK:
		return GOP_SPIN_LOCK;
	case GOP_READ_UNLOCK:
		return GOP_READ_LOCK;
	case GOP_WRITE_UNLOCK:
		return GOP_WRITE_LOCK;
	default:
		return GOP_BIT_LOCK;
	}
}

static unsigned int obj_count(const struct guest_vm_desc *d, enum gop_kind k)
{
	switch (k) {
	case GOP_SPIN_LOCK:
	case GOP_SPIN_UNLOCK:
		return d->nr_spinlocks;
	case GOP_READ_LOCK:
	case GOP_READ_UNLOCK:
	case GOP_WRITE_LOCK:
	case GOP_WRITE_UNLOCK:
		return d->nr_rwlocks;
	case GOP_BIT_LOCK:
	case GOP_BIT_UNLOCK:
		return d->nr_bitlocks;
	case GOP_MUTEX_LOCK:
	case GOP_MUTEX_UNLOCK:
		return d->nr_mutexes;
	case GOP_SEM_POST:
	case GOP_SEM_WAIT:
		return d->nr_sems;
	case GOP_BARRIER:
		return d->nr_barriers;
	default:
		return 0;
	}
}

/*
 * One program, as the engine and a guest kernel need it: valid kinds and
 * distributions, objects within the counts, spinning locks (spinlocks,
 * rwlocks, bit locks) released in LIFO order and an irqsave spinlock by
 * an irqrestore, at most one mutex at a time (the engine's held_mutex), no
 * sleeping or mutex while a spinning lock is held, critical sections and
 * interrupts-off code in kernel mode, nothing held at the end of a pass,
 * and some guest code per pass.
 * An occasional block (GOP_ONE_IN) lies inside the program, is not nested,
 * holds no semaphore or barrier (they must be reached every pass) and
 * leaves the locks as it found them.
 */
static void check_prog(const char *name, unsigned int t,
		       const struct guest_vm_desc *d)
{
	const struct gprog *g = &d->progs[t];
	struct held spin_stack[GPROG_MAX_OPS];
	unsigned int spins = 0, computes = 0, block_spins = 0;
	int mutex = -1, block_mutex = -1, block_start = -1, block_end = -1;

	if (g->nr_ops < 1 || g->nr_ops > GPROG_MAX_OPS)
		fail_msg("%s: thread %u: %u steps", name, t, g->nr_ops);
	for (unsigned int s = 0; s < g->nr_ops; s++) {
		const struct gop *op = &g->ops[s];

		if ((unsigned int)op->kind > GOP_ONE_IN ||
		    (unsigned int)op->dist > DIST_UNIFORM)
			fail_msg("%s: thread %u step %u: bad kind/dist", name,
				 t, s);
		if (is_sync(op->kind) && op->obj >= obj_count(d, op->kind))
			fail_msg("%s: thread %u step %u: obj %u of %u", name, t,
				 s, op->obj, obj_count(d, op->kind));
		switch (op->kind) {
		case GOP_COMPUTE:
			computes++;
			assert_true(op->mean_ns > 0);
			if (spins || mutex >= 0 || op->irqoff)
				assert_true(op->kernel);
			break;
		case GOP_SLEEP:
			assert_true(op->mean_ns > 0);
			/* fall through */
		case GOP_SEM_WAIT:
		case GOP_BARRIER:
			if (spins)
				fail_msg("%s: thread %u step %u: sleeps under "
					 "a spinlock",
					 name, t, s);
			break;
		case GOP_SPIN_LOCK:
		case GOP_READ_LOCK:
		case GOP_WRITE_LOCK:
		case GOP_BIT_LOCK:
			for (unsigned int k = 0; k < spins; k++)
				assert_false(spin_stack[k].obj == op->obj &&
					     spin_stack[k].kind == op->kind);
			spin_stack[spins++] = (struct held){ op->kind, op->obj,
							     op->irqoff };
			break;
		case GOP_SPIN_UNLOCK:
		case GOP_READ_UNLOCK:
		case GOP_WRITE_UNLOCK:
		case GOP_BIT_UNLOCK:
			if (!spins ||
			    spin_stack[spins - 1].kind != lock_of(op->kind) ||
			    spin_stack[spins - 1].obj != op->obj ||
			    spin_stack[spins - 1].irqoff != op->irqoff)
				fail_msg("%s: thread %u step %u: unlock of "
					 "lock %u not held last",
					 name, t, s, op->obj);
			spins--;
			break;
		case GOP_MUTEX_LOCK:
			if (spins || mutex >= 0)
				fail_msg("%s: thread %u step %u: mutex under a "
					 "lock",
					 name, t, s);
			mutex = (int)op->obj;
			break;
		case GOP_MUTEX_UNLOCK:
			assert_int_equal(mutex, (int)op->obj);
			mutex = -1;
			break;
		case GOP_CALL_FUNC:
			assert_true(op->arg == TARGET_RANDOM ||
				    op->arg == TARGET_NEXT);
			assert_true(op->mean_ns > 0);
			break;
		case GOP_TLB_SHOOTDOWN:
			assert_true(op->arg < KVM_MAX_VCPUS);
			assert_true(op->mean_ns > 0);
			break;
		case GOP_SEM_POST:
			break;
		case GOP_ONE_IN:
			if (block_end >= 0 || op->arg < 1 ||
			    s + op->obj >= g->nr_ops)
				fail_msg("%s: thread %u step %u: bad occasional "
					 "block (N %u, %u steps)",
					 name, t, s, op->arg, op->obj);
			block_start = (int)s;
			block_end = (int)(s + op->obj);
			block_spins = spins;
			block_mutex = mutex;
			break;
		}
		if (block_end >= 0 && (int)s > block_start &&
		    (op->kind == GOP_BARRIER || op->kind == GOP_SEM_POST ||
		     op->kind == GOP_SEM_WAIT))
			fail_msg("%s: thread %u step %u: a semaphore or barrier "
				 "in an occasional block",
				 name, t, s);
		if (block_end == (int)s) {
			if (spins != block_spins || mutex != block_mutex)
				fail_msg("%s: thread %u step %u: an occasional "
					 "block leaves a lock changed",
					 name, t, s);
			block_end = -1;
		}
	}
	if (spins || mutex >= 0)
		fail_msg("%s: thread %u: a lock is held at the end of a pass",
			 name, t);
	if (!computes)
		fail_msg("%s: thread %u: no guest code in a pass", name, t);
}

/*
 * Across the VM's programs: a semaphore someone waits on is posted by
 * someone, and every thread arrives at each barrier equally often per
 * pass (the barrier counts all threads of the VM).
 */
static void check_vm(const char *name, const struct guest_vm_desc *d,
		     unsigned int nr)
{
	for (unsigned int o = 0; o < d->nr_sems; o++) {
		bool waited = false, posted = false;

		for (unsigned int t = 0; t < d->nr_threads; t++)
			for (unsigned int s = 0; s < d->progs[t].nr_ops; s++) {
				const struct gop *op = &d->progs[t].ops[s];

				if (op->obj != o)
					continue;
				waited |= op->kind == GOP_SEM_WAIT;
				posted |= op->kind == GOP_SEM_POST;
			}
		if (waited && !posted)
			fail_msg("%s, %u vCPUs: sem %u is never posted", name,
				 nr, o);
	}
	for (unsigned int o = 0; o < d->nr_barriers; o++) {
		int per_pass = -1;

		for (unsigned int t = 0; t < d->nr_threads; t++) {
			int n = 0;

			for (unsigned int s = 0; s < d->progs[t].nr_ops; s++)
				n += d->progs[t].ops[s].kind == GOP_BARRIER &&
				     d->progs[t].ops[s].obj == o;
			if (per_pass >= 0 && n != per_pass)
				fail_msg("%s, %u vCPUs: barrier %u: uneven "
					 "arrivals",
					 name, nr, o);
			per_pass = n;
		}
	}
}

/* Default parameters build well-formed programs for 1, 2, 16, 64 vCPUs. */
static void test_defaults_well_formed(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(models); m++) {
		const struct workload *w = wl(models[m]);
		u64 p[WL_MAX_PARAMS];

		defaults(w, p);
		for (size_t c = 0; c < ARRAY_SIZE(vcpu_counts); c++) {
			unsigned int nr = vcpu_counts[c];
			struct built b;

			build(w, p, nr, &b);
			if (b.ret)
				fail_msg("%s, %u vCPUs: %s", w->name, nr,
					 b.err);
			/* dedup runs PARSEC's 3n + 2 threads, the others
			 * one per vCPU */
			assert_int_equal(b.d.nr_threads,
					 strcmp(w->name, "dedup") ? nr :
								    3 * nr + 2);
			for (unsigned int t = 0; t < b.d.nr_threads; t++)
				check_prog(w->name, t, &b.d);
			check_vm(w->name, &b.d, nr);
			unbuild(&b);
		}
	}
}

/* Each parameter at its minimum and at its maximum, the others at their
 * defaults, builds (or is refused with a message) for 16 vCPUs, and what
 * builds is well formed. */
static void test_param_extremes(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(models); m++) {
		const struct workload *w = wl(models[m]);

		for (unsigned int i = 0; i < w->nr_params; i++)
			for (int hi = 0; hi < 2; hi++) {
				u64 p[WL_MAX_PARAMS];
				struct built b;

				defaults(w, p);
				p[i] = hi ? w->params[i].max : w->params[i].min;
				build(w, p, 16, &b);
				if (b.ret) {
					assert_int_equal(b.ret, -EINVAL);
					assert_true(b.err[0] != '\0');
				} else {
					for (unsigned int t = 0;
					     t < b.d.nr_threads; t++)
						check_prog(w->name, t, &b.d);
					check_vm(w->name, &b.d, 16);
				}
				unbuild(&b);
			}
	}
}

/* The parameter tables: within WL_MAX_PARAMS, default within [min, max],
 * names unique and not [vm] keys, every entry explained. */
static void test_param_tables(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(models); m++) {
		const struct workload *w = wl(models[m]);

		assert_non_null(w->summary);
		assert_non_null(w->build);
		assert_true(w->nr_params >= 1 && w->nr_params <= WL_MAX_PARAMS);
		for (unsigned int i = 0; i < w->nr_params; i++) {
			const struct wl_param *p = &w->params[i];

			assert_non_null(p->name);
			assert_non_null(p->meaning);
			assert_true(p->type == WP_UINT ||
				    p->type == WP_DURATION);
			if (p->min > p->def || p->def > p->max)
				fail_msg("%s.%s: default outside its range",
					 w->name, p->name);
			assert_int_equal(workload_param_index(w, p->name),
					 (int)i);
			for (size_t k = 0; k < ARRAY_SIZE(vm_keys); k++)
				assert_string_not_equal(p->name, vm_keys[k]);
		}
	}
}

static void expect_rejected(const char *name, const char *param, u64 value,
			    const char *other, u64 other_value)
{
	const struct workload *w = wl(name);
	u64 p[WL_MAX_PARAMS];
	struct built b;
	int i = workload_param_index(w, param);
	int j = workload_param_index(w, other);

	assert_true(i >= 0 && j >= 0);
	defaults(w, p);
	p[i] = value;
	p[j] = other_value;
	build(w, p, 16, &b);
	assert_int_equal(b.ret, -EINVAL);
	/* the message starts with the parameter's name (scenario.c puts it
	 * at that parameter's line) */
	if (strncmp(b.err, param, strlen(param)) || b.err[strlen(param)] != ':')
		fail_msg("%s: message '%s' does not start with '%s:'", name,
			 b.err, param);
	unbuild(&b);
}

/* Combinations the ranges cannot express are refused with a message. */
static void test_bad_combinations(void **state)
{
	(void)state;
	/* dbench: the inode lock nests in the sleeping lock */
	expect_rejected("dbench", "mhold", 500, "hold", 500);
	expect_rejected("dbench", "mhold", 1000, "hold", 2000);
	/* and the dentry-hash bit lock too: more than twice hold */
	expect_rejected("dbench", "mhold", 1000, "hold", 500);
	/* dedup: a queue operation as long as the work per chunk (hash +
	 * compress, 10 + 60 us) */
	expect_rejected("dedup", "qhold", 80000, "hash", 10000);
	/* vips: the pool lock held longer than a tile takes */
	expect_rejected("vips", "hold", 200000, "tile", 150000);
}

/* The structural facts the models promise (docs/workloads.md). */
static void test_structure(void **state)
{
	u64 p[WL_MAX_PARAMS];
	struct built b;

	(void)state;
	/* blackscholes shares nothing */
	defaults(wl("blackscholes"), p);
	build(wl("blackscholes"), p, 16, &b);
	assert_int_equal(b.d.nr_spinlocks + b.d.nr_mutexes + b.d.nr_sems +
				 b.d.nr_barriers,
			 0);
	for (unsigned int s = 0; s < b.d.progs[0].nr_ops; s++)
		assert_int_equal(b.d.progs[0].ops[s].kind, GOP_COMPUTE);
	unbuild(&b);

	/* dedup at 16 vCPUs: PARSEC's 3n + 2 = 50 threads, Fragment (0),
	 * 16 each of Refine (1-16), Dedup (17-32), Compress (33-48) and
	 * Reorder (49); four queues of two semaphores and a mutex each, plus
	 * mmap_lock. Threads of a stage run the same program, neighbouring
	 * stages different ones; Fragment takes nothing (starts without a
	 * wait), Reorder puts nothing (ends without a post). */
	defaults(wl("dedup"), p);
	build(wl("dedup"), p, 16, &b);
	assert_int_equal(b.d.nr_threads, 50);
	assert_int_equal(b.d.nr_sems, 8);
	assert_int_equal(b.d.nr_mutexes, 5);
	assert_true(memcmp(&b.d.progs[1], &b.d.progs[16],
			   sizeof(b.d.progs[1])) == 0);
	assert_true(memcmp(&b.d.progs[16], &b.d.progs[17],
			   sizeof(b.d.progs[1])) != 0);
	assert_true(memcmp(&b.d.progs[33], &b.d.progs[48],
			   sizeof(b.d.progs[1])) == 0);
	assert_int_not_equal(b.d.progs[0].ops[0].kind, GOP_SEM_POST);
	assert_int_equal(b.d.progs[49].ops[0].kind, GOP_SEM_POST);
	assert_int_not_equal(b.d.progs[49].ops[b.d.progs[49].nr_ops - 1].kind,
			     GOP_SEM_POST);
	unbuild(&b);

	/* dbench at 4 vCPUs: a jbd2 handle takes the journal state rwlock
	 * (0) for read once; a Flush takes it for write twice, the first
	 * right at the start of its occasional block; each client's
	 * dentry-hash bit lock is its own (client 2 locks bit 2); one rwlock,
	 * 4 bit locks, and the shared list lock plus two locks per client:
	 * 9 spinlocks. */
	defaults(wl("dbench"), p);
	build(wl("dbench"), p, 4, &b);
	assert_int_equal(b.d.nr_rwlocks, 1);
	assert_int_equal(b.d.nr_bitlocks, 4);
	assert_int_equal(b.d.nr_spinlocks, 9);
	{
		const struct gprog *g = &b.d.progs[2];
		unsigned int reads = 0, writes = 0, bits = 0;

		for (unsigned int s = 0; s < g->nr_ops; s++) {
			const struct gop *o = &g->ops[s];

			if (o->kind == GOP_READ_LOCK)
				reads++;
			if (o->kind == GOP_WRITE_LOCK && !writes++)
				/* the Flush block: opened by a GOP_ONE_IN
				 * that covers it */
				assert_int_equal(g->ops[s - 1].kind,
						 GOP_ONE_IN);
			if (o->kind == GOP_BIT_LOCK) {
				bits++;
				assert_int_equal(o->obj, 2);
			}
			if (o->kind == GOP_READ_LOCK || o->kind == GOP_WRITE_LOCK)
				assert_int_equal(o->obj, 0);
		}
		assert_int_equal(reads, 1);
		assert_int_equal(writes, 2);
		assert_int_equal(bits, 1);
	}
	unbuild(&b);

	/* ebizzy: one shootdown to all other vCPUs per operation */
	defaults(wl("ebizzy"), p);
	build(wl("ebizzy"), p, 16, &b);
	{
		unsigned int n = 0;

		for (unsigned int s = 0; s < b.d.progs[0].nr_ops; s++)
			if (b.d.progs[0].ops[s].kind == GOP_TLB_SHOOTDOWN) {
				n++;
				assert_int_equal(b.d.progs[0].ops[s].arg, 0);
			}
		assert_int_equal(n, 1);
	}
	unbuild(&b);
}

/* End to end: two 8-vCPU VMs of each model on 4 host CPUs (4x
 * overcommit), 50 ms under vanilla and series-v2 with the scheduler
 * invariants checked after every event: no error, every VM progresses. */
static void smoke(const char *name, const char *preset)
{
	const struct workload *w = wl(name);
	struct sim_config c;
	struct vm_config vm;
	struct sim_metrics m;
	struct policy pol;
	char err[256] = "";

	memset(&c, 0, sizeof(c));
	host_config_default(&c.host);
	c.host.cpus = 4;
	vm_config_default(&vm);
	strcpy(vm.name, "vm");
	vm.vcpus = 8;
	vm.count = 2;
	vm.wl = w;
	for (unsigned int i = 0; i < w->nr_params; i++)
		vm.wl_params[i] = w->params[i].def;
	c.vms = &vm;
	c.nr_vms = 1;
	assert_int_equal(policy_preset(&pol, preset), 0);
	c.sched = pol.sched;
	c.kvm = pol.kvm;
	c.duration_ns = 50 * NSEC_PER_MSEC;
	c.warmup_ns = 5 * NSEC_PER_MSEC;
	c.seed = 1;
	if (sim_run(&c, NULL, true, &m, err, sizeof(err)))
		fail_msg("%s/%s: sim_run: %s", name, preset, err);
	assert_int_equal(m.nr_vms, 2);
	for (unsigned int k = 0; k < m.nr_vms; k++) {
		print_message("# %s/%s %s: ops %llu\n", name, preset,
			      m.vms[k].name, (unsigned long long)m.vms[k].ops);
		if (!m.vms[k].ops)
			fail_msg("%s/%s: VM %s made no progress", name, preset,
				 m.vms[k].name);
	}
	sim_metrics_free(&m);
}

static void test_smoke(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(models); m++) {
		smoke(models[m], "vanilla");
		smoke(models[m], "series-v2");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_tables),
		cmocka_unit_test(test_defaults_well_formed),
		cmocka_unit_test(test_param_extremes),
		cmocka_unit_test(test_bad_combinations),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_smoke),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
