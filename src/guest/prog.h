/* SPDX-License-Identifier: MIT */
/*
 * A guest thread's program: the steps a workload thread loops over, each a
 * guest kernel primitive (MODEL.md section 5 and the simulator issue):
 * compute (with interrupts on or off), queued spinlock (irqsave or not),
 * queued rwlock, bit spinlock, mutex with optimistic spinning,
 * call-function IPI with wait, TLB shootdown, I/O sleep, semaphore
 * post/wait (wakeups through reschedule IPIs) and barriers. One pass over
 * the program is one workload operation; throughput counts passes.
 * GOP_ONE_IN makes the steps after it occasional (a rename in one
 * operation of N); the steps it guards leave every lock as they found it.
 */
#ifndef OVERSUB_GUEST_PROG_H
#define OVERSUB_GUEST_PROG_H

#include "core/prng.h"
#include "core/types.h"

enum gop_kind {
	GOP_COMPUTE, /* run guest code for a duration (user or kernel) */
	GOP_SPIN_LOCK, /* queued spinlock: acquire obj (irqoff: _irqsave) */
	GOP_SPIN_UNLOCK, /* release obj (irqoff: _irqrestore) */
	GOP_READ_LOCK, /* queued rwlock obj, for read */
	GOP_READ_UNLOCK,
	GOP_WRITE_LOCK, /* queued rwlock obj, for write */
	GOP_WRITE_UNLOCK,
	GOP_BIT_LOCK, /* bit spinlock obj */
	GOP_BIT_UNLOCK,
	GOP_MUTEX_LOCK, /* mutex obj, optimistic spinning while owner runs */
	GOP_MUTEX_UNLOCK,
	GOP_CALL_FUNC, /* smp_call_function_single(wait=1) to one vCPU */
	GOP_TLB_SHOOTDOWN, /* flush_tlb_multi to arg vCPUs (0: all), wait */
	GOP_SLEEP, /* block for a duration (I/O); the vCPU may halt */
	GOP_SEM_POST, /* up(obj): wake one waiter */
	GOP_SEM_WAIT, /* down(obj): sleep until a post */
	GOP_BARRIER, /* wait until every thread of the VM arrived at obj */
	GOP_ONE_IN, /* the next obj steps run in one pass of arg, else skip */
};

/* How a step's duration is drawn around its mean. */
enum gop_dist {
	DIST_FIXED,
	DIST_EXP, /* exponential */
	DIST_UNIFORM, /* uniform in [mean/2, 3*mean/2] */
};

/* Whom a call-function IPI goes to. */
enum gop_target {
	TARGET_RANDOM, /* another vCPU of the VM, uniformly */
	TARGET_NEXT, /* the next vCPU (index + 1, wrapping) */
};

struct gop {
	enum gop_kind kind;
	enum gop_dist dist;
	u32 obj; /* lock / mutex / semaphore / barrier index */
	u32 arg; /* TLB shootdown fan-out; call-func target (enum gop_target);
		  * ONE_IN: N */
	bool kernel; /* COMPUTE: guest kernel code (CPL 0), else user code */
	/* interrupts disabled: a COMPUTE step runs with them off; a
	 * SPIN_LOCK disables them before it spins (spin_lock_irqsave) and
	 * its SPIN_UNLOCK enables them again */
	bool irqoff;
	u64 mean_ns; /* COMPUTE/SLEEP duration; CALL_FUNC/TLB handler time */
};

#define GPROG_MAX_OPS 40

struct gprog {
	struct gop ops[GPROG_MAX_OPS];
	unsigned int nr_ops;
	bool uncounted; /* its passes are not the VM's operations */
};

/* A workload may run up to this many guest threads on @nr_vcpus vCPUs
 * (PARSEC dedup runs 3n + 2 for n vCPUs); the guest scheduler in
 * src/sim/gsched.c multiplexes them. */
#define GUEST_MAX_THREADS(nr_vcpus) (4 * (nr_vcpus) + 4)

#define GUEST_MAX_SEMS 16

/* Everything a workload builds for one VM: a program per guest thread and
 * how many of each synchronisation object the programs use. */
struct guest_vm_desc {
	unsigned int nr_threads; /* 1 .. GUEST_MAX_THREADS(vCPUs) */
	struct gprog *progs; /* [GUEST_MAX_THREADS], owned by the caller */
	unsigned int nr_spinlocks;
	unsigned int nr_rwlocks;
	unsigned int nr_bitlocks;
	unsigned int nr_mutexes;
	unsigned int nr_sems; /* at most GUEST_MAX_SEMS */
	u64 sem_count[GUEST_MAX_SEMS]; /* each semaphore's initial count */
	unsigned int nr_barriers;
};

/*
 * How long one run of a COMPUTE or SLEEP step lasts, drawn from @r by its
 * distribution (never 0: every step takes time). Both engines draw step
 * times with it: the simulator as it goes, the KVM engine ahead of the
 * run into its guests' memory.
 */
u64 gop_draw(struct prng *r, const struct gop *op);

#endif
