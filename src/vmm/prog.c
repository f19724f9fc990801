// SPDX-License-Identifier: MIT
/* Loading workload programs into a VM (prog.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guest/handlers.h"
#include "vmm/internal.h"
#include "vmm/prog.h"

static bool step_supported(enum gop_kind k)
{
	return k == GOP_COMPUTE || k == GOP_SPIN_LOCK || k == GOP_SPIN_UNLOCK ||
	       k == GOP_MUTEX_LOCK || k == GOP_MUTEX_UNLOCK;
}

static const char *const step_names[] = {
	[GOP_COMPUTE] = "compute", [GOP_SPIN_LOCK] = "spin_lock",
	[GOP_SPIN_UNLOCK] = "spin_unlock", [GOP_READ_LOCK] = "read_lock",
	[GOP_READ_UNLOCK] = "read_unlock", [GOP_WRITE_LOCK] = "write_lock",
	[GOP_WRITE_UNLOCK] = "write_unlock", [GOP_BIT_LOCK] = "bit_lock",
	[GOP_BIT_UNLOCK] = "bit_unlock", [GOP_MUTEX_LOCK] = "mutex_lock",
	[GOP_MUTEX_UNLOCK] = "mutex_unlock", [GOP_CALL_FUNC] = "call_function",
	[GOP_TLB_SHOOTDOWN] = "tlb_shootdown", [GOP_SLEEP] = "sleep",
	[GOP_SEM_POST] = "sem_post", [GOP_SEM_WAIT] = "sem_wait",
	[GOP_BARRIER] = "barrier", [GOP_ONE_IN] = "one_in",
};

int vmm_prog_check(const struct guest_vm_desc *d, unsigned int nr_vcpus,
		   char *err, size_t errlen)
{
	if (nr_vcpus > 64) {
		snprintf(err, errlen, "%u vCPUs: the KVM engine's guests have "
			 "at most 64", nr_vcpus);
		return -EINVAL;
	}
	if (d->nr_threads != nr_vcpus) {
		snprintf(err, errlen, "%u guest threads on %u vCPUs: the KVM "
			 "engine's guests run one thread per vCPU (no guest "
			 "scheduler yet)", d->nr_threads, nr_vcpus);
		return -EINVAL;
	}
	for (unsigned int t = 0; t < d->nr_threads; t++) {
		const struct gprog *g = &d->progs[t];

		for (unsigned int i = 0; i < g->nr_ops; i++) {
			enum gop_kind k = g->ops[i].kind;

			if (step_supported(k))
				continue;
			snprintf(err, errlen, "thread %u, step %u: %s: the KVM "
				 "engine's guests run compute, spin_lock, "
				 "spin_unlock, mutex_lock and mutex_unlock "
				 "steps only", t, i,
				 k < sizeof(step_names) / sizeof(step_names[0]) &&
						 step_names[k] ?
					 step_names[k] : "?");
			return -EINVAL;
		}
	}
	return 0;
}

static size_t thread_bytes(const struct gprog *g)
{
	return sizeof(struct vmm_gthread) + 64 +
	       g->nr_ops * (sizeof(struct gop) + VMM_PROG_DRAWS * 8);
}

unsigned int vmm_prog_mem_mib(const struct guest_vm_desc *d)
{
	size_t n = (d->nr_spinlocks + 1) * sizeof(struct gq_lock) +
		   (d->nr_threads + 1) * sizeof(struct gq_node) + 4096 +
		   sizeof(struct guest_irq_vm) + 64 +
		   (size_t)d->nr_threads * d->nr_threads *
			   sizeof(struct guest_csd) +
		   (d->nr_mutexes + 1) * sizeof(struct gm_mutex);

	for (unsigned int t = 0; t < d->nr_threads; t++)
		n += thread_bytes(&d->progs[t]);
	return (unsigned int)((n + (1u << 20) - 1) >> 20);
}

int vmm_prog_load(struct vmm_vm *vm, const struct guest_vm_desc *d,
		  struct vmm_pv *pv, const struct kvm_knobs *k, uint64_t tsc_hz,
		  uint64_t seed, struct vmm_gthread **threads, char *err,
		  size_t errlen)
{
	struct gq_lock *locks = vmm_alloc(vm, (d->nr_spinlocks + 1) *
						      sizeof(*locks), 64);
	struct gq_node *nodes = vmm_alloc(vm, (d->nr_threads + 1) *
						      sizeof(*nodes), 64);
	struct vmm_gthread *th = vmm_alloc(vm, d->nr_threads * sizeof(*th), 64);
	struct guest_irq_vm *ivm = vmm_alloc(vm, sizeof(*ivm), 64);
	struct guest_csd *csd = vmm_alloc(vm, (size_t)d->nr_threads *
						      d->nr_threads * sizeof(*csd),
					  64);
	struct gm_mutex *mutexes = vmm_alloc(vm, (d->nr_mutexes + 1) *
							 sizeof(*mutexes),
					     64);

	if (!locks || !nodes || !th || !ivm || !csd || !mutexes)
		goto nomem;
	*ivm = (struct guest_irq_vm){
		.nr_vcpus = d->nr_threads,
		.csd = csd,
		.pv = pv,
		.pv_tlb_flush = k->pv_steal_time && k->pv_tlb_flush,
		.pv_sched_yield = k->pv_sched_yield,
		.timer_cycles = (uint64_t)((double)GUEST_TIMER_IRQ_NS * tsc_hz / 1e9),
	};
	for (unsigned int t = 0; t < d->nr_threads; t++) {
		const struct gprog *g = &d->progs[t];
		struct vmm_gthread *x = &th[t];
		struct gop *ops = vmm_alloc(vm, g->nr_ops * sizeof(*ops), 8);
		uint64_t *draws = vmm_alloc(vm, (size_t)g->nr_ops *
							VMM_PROG_DRAWS * 8, 64);
		struct prng r;

		if (!ops || !draws)
			goto nomem;
		memcpy(ops, g->ops, g->nr_ops * sizeof(*ops));
		prng_seed(&r, seed, t);
		for (unsigned int i = 0; i < g->nr_ops; i++) {
			if (ops[i].kind != GOP_COMPUTE)
				continue;
			for (unsigned int k = 0; k < VMM_PROG_DRAWS; k++) {
				uint64_t ns = gop_draw(&r, &ops[i]);

				draws[(size_t)i * VMM_PROG_DRAWS + k] =
					(uint64_t)((double)ns * tsc_hz / 1e9);
			}
		}
		nodes[t].cpu = t;
		*x = (struct vmm_gthread){
			.ops = ops,
			.nr_ops = g->nr_ops,
			.locks = locks,
			.q = { .nodes = nodes, .pv = &pv[t], .irq = &x->irq,
			       .cpu = t, .pv_lock = k->pv_unhalt },
			.irq = { .vm = ivm, .cpu = t,
				 .irr = vmm_vcpu_irr(&vm->vcpus[t]) },
			.mutexes = mutexes,
			.mc = { .q = &x->q, .irq = &x->irq, .all_pv = pv,
				.pv_hint = k->pv_steal_time },
			.draws = draws,
		};
	}
	*threads = th;
	return 0;
nomem:
	snprintf(err, errlen, "guest memory: no room for the workload "
		 "(%zu MiB in all)", vm->ram_size >> 20);
	return -ENOMEM;
}

uint64_t vmm_tsc_hz(unsigned int ms)
{
	struct timespec d = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	uint64_t t0 = vmm_mono_ns(), c0 = __builtin_ia32_rdtsc(), t1, c1;

	nanosleep(&d, NULL);
	t1 = vmm_mono_ns();
	c1 = __builtin_ia32_rdtsc();
	return t1 > t0 ? (uint64_t)((double)(c1 - c0) * 1e9 / (double)(t1 - t0))
		       : 0;
}
