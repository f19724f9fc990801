// SPDX-License-Identifier: MIT
/*
 * dedup (PARSEC, simlarge): pipelined compression with deduplication.
 *
 * The real benchmark streams its input through five pipeline stages, each
 * a pool of threads joined by bounded queues: Fragment (cut the input into
 * coarse fragments), FragmentRefine (Rabin fingerprinting cuts them into
 * chunks of a few KB), Deduplicate (SHA-1 of each chunk, then a look-up
 * and insert in a global hash table), Compress (zlib/gzip of the chunks
 * seen for the first time) and Reorder (restores order and write()s the
 * output). A queue is a ring buffer under a pthread mutex with condition
 * variables, so every hand-off that finds a consumer waiting is a futex
 * wake: in the guest kernel, try_to_wake_up() and a reschedule IPI to the
 * sleeper's idle vCPU. Every chunk is malloc()ed and freed, and the buffers
 * are large enough that glibc returns memory to the kernel all the time
 * (munmap of mmap()ed buffers, heap trimming with madvise(MADV_DONTNEED)):
 * each return takes mmap_lock for write to detach the range, downgrades it,
 * zaps the pages and flushes the TLB of every other CPU currently running
 * the process (flush_tlb_mm_range -> flush_tlb_multi: a call-function IPI
 * with wait; PV TLB flush skips preempted vCPUs). When exactly one other
 * CPU is in the mask, smp_call_function_many_cond() sends it a single
 * call-function IPI, the unicast the series' tracker records: the engine's
 * shootdown step does exactly that when one target remains, so the model
 * needs no separate call-function step. No other cross-CPU call with wait
 * lies on this path, so there is none in the model.
 *
 * Primitives. The threads are the real program's, 3n + 2 for n vCPUs
 * (PARSEC runs dedup with n = the CPU count): one Fragment thread, n each
 * of FragmentRefine, Deduplicate and Compress, one Reorder thread; the
 * guest scheduler (src/sim/gsched.c) multiplexes them on the vCPUs. A
 * thread loops over one chunk of its stage:
 *   take:     sem_post(slots[q]); sem_wait(items[q]);
 *             mutex(queue q) `qhold`                    dequeue
 *   fragment: user `read`                               copy of the input
 *   refine:   user `chunk`                              Rabin fingerprints
 *   dedup:    user `hash`                               SHA-1 + look-up
 *   compress: user `compress`, then free the raw chunk:
 *             mutex(mmap_lock) kernel `unmap`, kernel `trim`,
 *             TLB shootdown to `fanout` vCPUs, handler `flush`
 *   reorder:  kernel `write`
 * A chunk's buffer is freed once, after compression: the compressed copy
 * stays referenced from the hash table (later duplicates point at it) until
 * the end of the run.
 *   put:      sem_wait(slots[q+1]); mutex(queue q+1) `qhold`;
 *             sem_post(items[q+1])
 * The slots semaphores bound each queue at `depth` chunks (a consumer posts
 * a slot before it waits for an item). PARSEC's queues hold up to a
 * million entries: what stops its Fragment stage running ahead is the end
 * of the input, which this endless stream does not have; a depth of 50
 * stands for it (below). Fragment takes nothing and Reorder puts nothing;
 * a chunk counts as done when Reorder has written it.
 *
 * Defaults, per chunk, measured here on the reimplementation of PARSEC's
 * dedup (validation/programs: the same pipeline, Rabin chunking, SHA-1 and
 * zlib, byte-identical output; one thread per stage, 14.2k chunks/s;
 * docs/validation.md) where they can be:
 * - `chunk` 11 us: FragmentRefine's CPU time per chunk.
 * - `read` 1 us: Fragment's copy of the preloaded input (PARSEC's run
 *   arguments preload it), ~4 KB at a few GB/s: an estimate.
 * - `hash` 4 us: Deduplicate's CPU time per chunk (SHA-1 and look-up).
 * - `compress` 35 us: Compress's CPU time per chunk over all chunks (65
 *   us; ~40% are duplicates and skip zlib) less its kernel time (`trim`).
 * - `write` 2 us: Reorder's time per chunk, the write() included.
 * - `trim` 28 us: the kernel time per chunk (0.47 CPU of system time at
 *   13.8k chunks/s: 34 us) less `unmap`, `write` and the flush: zlib
 *   allocates and frees ~260 KB per call, glibc trims the heap and the
 *   next call faults the pages back in, about twice per new chunk.
 * User time per chunk adds up to the measured 52 us (0.72 CPU at 13.8k
 * chunks/s).
 * - `depth` 50: the depth at which the consumers sleep as often per
 *   chunk as the real ones (0.12 voluntary switches per chunk with one
 *   and two threads per stage).
 * - `shoot_every` 2: a trim flushes the TLB of the other CPUs running the
 *   process only when one does: 0.46 TLB IPIs per chunk with two threads
 *   per stage, where every trim here would flush the other vCPU.
 * - `qhold` 500 ns: a queue insert or remove under its mutex (an
 *   estimate).
 * - `unmap` 1 us: the mmap_lock write section of the trim (an estimate).
 * - `flush` 2 us: flush_tlb_func() in the target (IPI entry, a ranged or
 *   full flush, EOI); exits are charged separately by the engine.
 * - `fanout` 0: the flush goes to every other CPU running the process at
 *   that moment (idle ones are in lazy-TLB mode and are skipped, the
 *   engine's shootdown skips idle vCPUs); with 3n + 2 threads that is
 *   every busy vCPU. A smaller value caps the targets (capped at vcpus-1).
 *
 * Left out: the hash table's locks (PARSEC's hashtable.c has one pthread
 * mutex per bucket, thousands of them, so two threads rarely meet on one;
 * the contended locks of this path are the queue mutexes and mmap_lock),
 * glibc arena locks, page faults taking mmap_lock for read, the ordering
 * work of Reorder, and the real queues' batching: they move chunks 20 at a
 * time, so a real consumer that catches up with its producer sleeps once
 * per batch where the model's sleeps once per chunk.
 */
#include "workload/build.h"

#include <errno.h>
#include <stdio.h>

enum {
	P_CHUNK,
	P_READ,
	P_HASH,
	P_COMPRESS,
	P_WRITE,
	P_QHOLD,
	P_UNMAP,
	P_TRIM,
	P_FLUSH,
	P_FANOUT,
	P_DEPTH,
	P_SHOOT_EVERY,
};

/* the pipeline's stages, in order */
enum {
	ST_FRAGMENT,
	ST_REFINE,
	ST_DEDUP,
	ST_COMPRESS,
	ST_REORDER,
	NR_STAGES
};

#define MMAP_LOCK 0 /* mutex 0; queue q's mutex is 1 + q */

static const struct wl_param params[] = {
	[P_CHUNK] = { "chunk", WP_DURATION, 11 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		      "user time to fingerprint and cut one chunk "
		      "(exponential)" },
	[P_READ] = { "read", WP_DURATION, NSEC_PER_USEC, 0, NSEC_PER_SEC,
		     "user time to copy a chunk's input (exponential)" },
	[P_HASH] = { "hash", WP_DURATION, 4 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		     "user time to SHA-1 and look up a chunk (exponential)" },
	[P_COMPRESS] = { "compress", WP_DURATION, 35 * NSEC_PER_USEC, 1,
			 NSEC_PER_SEC,
			 "user time to compress a chunk (exponential)" },
	[P_WRITE] = { "write", WP_DURATION, 2 * NSEC_PER_USEC, 0, NSEC_PER_SEC,
		      "kernel time to write a chunk out (exponential)" },
	[P_QHOLD] = { "qhold", WP_DURATION, 500, 1, 100 * NSEC_PER_USEC,
		      "hold time of a queue mutex per insert/remove" },
	[P_UNMAP] = { "unmap", WP_DURATION, NSEC_PER_USEC, 1,
		      100 * NSEC_PER_USEC,
		      "mmap_lock write hold per free (munmap/trim)" },
	[P_TRIM] = { "trim", WP_DURATION, 28 * NSEC_PER_USEC, 0, NSEC_PER_SEC,
		     "kernel time of a heap trim and the faults after it, "
		     "per chunk (exponential)" },
	[P_FLUSH] = { "flush", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		      "TLB flush handler time per target" },
	[P_FANOUT] = { "fanout", WP_UINT, 0, 0, 4095,
		       "vCPUs a shootdown interrupts (0: all; capped at "
		       "vcpus-1)" },
	[P_DEPTH] = { "depth", WP_UINT, 50, 1, 1000000000,
		      "chunks a queue holds before its producer waits" },
	[P_SHOOT_EVERY] = { "shoot_every", WP_UINT, 2, 1, 1000000,
			    "one trim in this many flushes other vCPUs' TLB" },
};

/* munmap()/trim of a freed buffer: detach under mmap_lock, zap, and now
 * and then flush the other CPUs that run the process */
static void free_buffer(struct gprog *g, const u64 *p)
{
	unsigned int at;

	wl_mutex_section(g, MMAP_LOCK, p[P_UNMAP]);
	wl_kernel(g, DIST_EXP, p[P_TRIM]);
	at = wl_one_in(g, (u32)p[P_SHOOT_EVERY]);
	wl_shootdown(g, (u32)p[P_FANOUT], p[P_FLUSH]);
	wl_one_in_end(g, at);
}

static void stage(struct gprog *g, unsigned int st, const u64 *p)
{
	switch (st) {
	case ST_FRAGMENT:
		wl_user(g, DIST_EXP, p[P_READ]);
		break;
	case ST_REFINE:
		wl_user(g, DIST_EXP, p[P_CHUNK]);
		break;
	case ST_DEDUP:
		wl_user(g, DIST_EXP, p[P_HASH]);
		break;
	case ST_COMPRESS:
		wl_user(g, DIST_EXP, p[P_COMPRESS]);
		free_buffer(g, p);
		break;
	case ST_REORDER:
		wl_kernel(g, DIST_EXP, p[P_WRITE]);
		break;
	}
}

/* The stage of thread @i of 3n + 2: Fragment, n Refine, n Dedup,
 * n Compress, Reorder. */
static unsigned int thread_stage(unsigned int i, unsigned int n)
{
	if (i == 0)
		return ST_FRAGMENT;
	if (i > 3 * n)
		return ST_REORDER;
	return ST_REFINE + (i - 1) / n;
}

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	unsigned int nt = 3 * nr_vcpus + 2;

	if (p[P_QHOLD] >= p[P_HASH] + p[P_COMPRESS]) {
		snprintf(err, errlen,
			 "qhold: %llu ns is not shorter than the work per "
			 "chunk (hash + compress): the queues would be the "
			 "whole program",
			 (unsigned long long)p[P_QHOLD]);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nt; i++) {
		struct gprog *g = &out->progs[i];
		unsigned int st = thread_stage(i, nr_vcpus);

		g->nr_ops = 0;
		/* a chunk is done when Reorder writes it out */
		g->uncounted = st != ST_REORDER;
		if (st > 0) {
			/* items of queue q are sem 2q, its free slots 2q+1;
			 * queue q feeds stage q + 1 */
			wl_op(g, GOP_SEM_POST, 2 * (st - 1) + 1);
			wl_op(g, GOP_SEM_WAIT, 2 * (st - 1));
			wl_mutex_section(g, 1 + (st - 1), p[P_QHOLD]);
		}
		stage(g, st, p);
		if (st + 1 < NR_STAGES) {
			wl_op(g, GOP_SEM_WAIT, 2 * st + 1);
			wl_mutex_section(g, 1 + st, p[P_QHOLD]);
			wl_op(g, GOP_SEM_POST, 2 * st);
		}
	}
	out->nr_threads = nt;
	out->nr_mutexes = 1 + (NR_STAGES - 1);
	out->nr_sems = 2 * (NR_STAGES - 1);
	for (unsigned int q = 0; q + 1 < NR_STAGES; q++)
		out->sem_count[2 * q + 1] = p[P_DEPTH]; /* free slots */
	return 0;
}

const struct workload workload_dedup = {
	.name = "dedup",
	.summary = "PARSEC dedup: pipeline stages with queue wakeups, frees "
		   "with TLB shootdowns",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "chunk",
};
