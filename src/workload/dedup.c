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
 * Primitives. The five stages become four model stages (Fragment and
 * FragmentRefine merged: both cut data, and Fragment is a single thread
 * feeding the refiners), spread over the vCPUs round robin: vCPU i runs
 * stage i % 4, so 16 vCPUs give four threads per stage. With fewer than
 * four vCPUs neighbouring stages share a thread (one vCPU runs the whole
 * pipeline). One pass = one chunk through one thread's stage(s):
 *   take:   sem_post(slots[p-1]); sem_wait(items[p-1]);
 *           mutex(queue p-1) `qhold`                    dequeue
 *   refine: user `chunk`, kernel `read`                 Rabin, read()
 *   dedup:  user `hash`                                 SHA-1 + look-up
 *   comp.:  user `compress`, then free the raw chunk:
 *           mutex(mmap_lock) kernel `unmap`, kernel ZAP_NS,
 *           TLB shootdown to `fanout` vCPUs, handler `flush`
 *   write:  kernel `write`, then free the compressed chunk (as above)
 *   put:    sem_wait(slots[p]); mutex(queue p) `qhold`; sem_post(items[p])
 * The slots semaphores bound each queue: a consumer posts one slot before
 * it waits for an item, so a producer runs at most one chunk ahead of each
 * consumer (a bounded queue; the real rings are deeper).
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
 * - `fanout` 4: the flush goes only to CPUs running the process at that
 *   moment (idle ones are in lazy-TLB mode and are skipped); with the
 *   compress stage the bottleneck, about one stage's worth of threads runs
 *   at a time, four at 16 vCPUs. Capped at vcpus - 1; 0 = all.
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

/* the model's pipeline stages */
enum {
	ST_REFINE,
	ST_DEDUP,
	ST_COMPRESS,
	ST_WRITE,
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
	[P_FANOUT] = { "fanout", WP_UINT, 4, 0, 4095,
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
	case ST_REFINE:
		wl_user(g, DIST_EXP, p[P_CHUNK]);
		wl_kernel(g, DIST_EXP, p[P_READ]);
		break;
	case ST_DEDUP:
		wl_user(g, DIST_EXP, p[P_HASH]);
		break;
	case ST_COMPRESS:
		wl_user(g, DIST_EXP, p[P_COMPRESS]);
		free_buffer(g, p);
		break;
	case ST_WRITE:
		wl_kernel(g, DIST_EXP, p[P_WRITE]);
		free_buffer(g, p);
		break;
	}
}

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	unsigned int pos = nr_vcpus < NR_STAGES ? nr_vcpus : NR_STAGES;

	if (p[P_QHOLD] >= p[P_HASH] + p[P_COMPRESS]) {
		snprintf(err, errlen,
			 "qhold: %llu ns is not shorter than the work per "
			 "chunk (hash + compress): the queues would be the "
			 "whole program",
			 (unsigned long long)p[P_QHOLD]);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];
		unsigned int at = i % pos; /* pipeline position */

		g->nr_ops = 0;
		if (at > 0) {
			/* items of queue q are sem 2q, its free slots 2q+1 */
			wl_op(g, GOP_SEM_POST, 2 * (at - 1) + 1);
			wl_op(g, GOP_SEM_WAIT, 2 * (at - 1));
			wl_mutex_section(g, 1 + (at - 1), p[P_QHOLD]);
		}
		/* model stages st with st * pos / NR_STAGES == at */
		for (unsigned int st = 0; st < NR_STAGES; st++)
			if (st * pos / NR_STAGES == at)
				stage(g, st, p);
		if (at + 1 < pos) {
			wl_op(g, GOP_SEM_WAIT, 2 * at + 1);
			wl_mutex_section(g, 1 + at, p[P_QHOLD]);
			wl_op(g, GOP_SEM_POST, 2 * at);
		}
	}
	out->nr_threads = nr_vcpus;
	out->nr_mutexes = 1 + (pos - 1);
	out->nr_sems = 2 * (pos - 1);
	return 0;
}

const struct workload workload_dedup = {
	.name = "dedup",
	.summary = "PARSEC dedup: pipeline stages with queue wakeups, frees "
		   "with TLB shootdowns",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
};
