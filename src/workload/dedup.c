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
 *   fragment: kernel `read`                             read() the input
 *   refine:   user `chunk`                              Rabin fingerprints
 *   dedup:    user `hash`                               SHA-1 + look-up
 *   compress: user `compress`, then free the raw chunk:
 *             mutex(mmap_lock) kernel `unmap`, kernel ZAP_NS,
 *             TLB shootdown to `fanout` vCPUs, handler `flush`
 *   reorder:  kernel `write`
 * A chunk's buffer is freed once, after compression: the compressed copy
 * stays referenced from the hash table (later duplicates point at it) until
 * the end of the run.
 *   put:      sem_wait(slots[q+1]); mutex(queue q+1) `qhold`;
 *             sem_post(items[q+1])
 * The slots semaphores bound each queue: a consumer posts one slot before
 * it waits for an item, so producers run at most one chunk ahead of each
 * consumer (a bounded queue; the real rings are deeper). Fragment takes
 * nothing and Reorder puts nothing.
 *
 * Defaults (per chunk of ~4 KB, a 2-3 GHz core; estimates from the usual
 * throughput of each algorithm, not measurements of the benchmark):
 * - `chunk` 15 us: Rabin fingerprinting runs at a few hundred MB/s.
 * - `read` 3 us: read() copy from the page cache and faults on the buffer.
 * - `hash` 10 us: SHA-1 at ~400-500 MB/s, plus the bucket look-up.
 * - `compress` 60 us: zlib at default level compresses ~40 MB/s, ~100 us
 *   per unique chunk; roughly 40% of chunks are duplicates and skip it.
 * - `write` 5 us: write() of the compressed chunk into the page cache.
 * - `qhold` 500 ns: a ring-buffer insert or remove under the queue mutex.
 * - `unmap` 1 us: the mmap_lock write section of munmap (find and detach
 *   the VMA); the zap after the downgrade is ZAP_NS.
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
 * work of Reorder, and the real rings' depth.
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
	P_FLUSH,
	P_FANOUT,
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
#define ZAP_NS (2 * NSEC_PER_USEC) /* zap_page_range of a chunk's pages */

static const struct wl_param params[] = {
	[P_CHUNK] = { "chunk", WP_DURATION, 15 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		      "user time to fingerprint and cut one chunk "
		      "(exponential)" },
	[P_READ] = { "read", WP_DURATION, 3 * NSEC_PER_USEC, 0, NSEC_PER_SEC,
		     "kernel time to read a chunk's input (exponential)" },
	[P_HASH] = { "hash", WP_DURATION, 10 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		     "user time to SHA-1 and look up a chunk (exponential)" },
	[P_COMPRESS] = { "compress", WP_DURATION, 60 * NSEC_PER_USEC, 1,
			 NSEC_PER_SEC,
			 "user time to compress a chunk (exponential)" },
	[P_WRITE] = { "write", WP_DURATION, 5 * NSEC_PER_USEC, 0, NSEC_PER_SEC,
		      "kernel time to write a chunk out (exponential)" },
	[P_QHOLD] = { "qhold", WP_DURATION, 500, 1, 100 * NSEC_PER_USEC,
		      "hold time of a queue mutex per insert/remove" },
	[P_UNMAP] = { "unmap", WP_DURATION, NSEC_PER_USEC, 1,
		      100 * NSEC_PER_USEC,
		      "mmap_lock write hold per free (munmap/trim)" },
	[P_FLUSH] = { "flush", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		      "TLB flush handler time per target" },
	[P_FANOUT] = { "fanout", WP_UINT, 0, 0, 4095,
		       "vCPUs a shootdown interrupts (0: all; capped at "
		       "vcpus-1)" },
};

/* munmap()/trim of a freed buffer: detach under mmap_lock, zap, flush */
static void free_buffer(struct gprog *g, const u64 *p)
{
	wl_mutex_section(g, MMAP_LOCK, p[P_UNMAP]);
	wl_kernel(g, DIST_EXP, ZAP_NS);
	wl_shootdown(g, (u32)p[P_FANOUT], p[P_FLUSH]);
}

static void stage(struct gprog *g, unsigned int st, const u64 *p)
{
	switch (st) {
	case ST_FRAGMENT:
		wl_kernel(g, DIST_EXP, p[P_READ]);
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
	return 0;
}

/* a chunk passes each of the five stages once */
static double unit_passes(const u64 *p)
{
	(void)p;
	return 5.0;
}

const struct workload workload_dedup = {
	.name = "dedup",
	.summary = "PARSEC dedup: pipeline stages with queue wakeups, frees "
		   "with TLB shootdowns",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "chunk",
	.unit_passes = unit_passes,
};
