// SPDX-License-Identifier: MIT
/*
 * ebizzy: a web-server-like allocation pattern; one thread per CPU.
 *
 * The real benchmark keeps a set of memory chunks filled with records;
 * each thread, in a loop, picks a chunk, allocates a new buffer of the
 * chunk's size, copies the chunk into it, searches it for a record and
 * frees the buffer. The buffers are large (hundreds of KB), so glibc
 * serves them with mmap() and returns them with munmap(): every iteration
 * faults the new pages in, and on the free takes mmap_lock for write to
 * detach the range, zaps the pages and flushes the TLB of every other CPU
 * running the process. With one thread per CPU all of them are running,
 * so each iteration is a shootdown to all other vCPUs (PV TLB flush skips
 * the preempted ones). ebizzy is the usual stress test for munmap TLB
 * flushing (e.g. the 2013 x86 TLB range-flush regression found with it).
 *
 * Primitives, one pass = one iteration (one "record" in ebizzy's count):
 *   user `work` (exponential)                copy + search
 *   kernel `fault`                           mmap + page faults
 *   mutex(mmap_lock) kernel `hold`           munmap: detach the VMA
 *   kernel ZAP_NS                            zap after the downgrade
 *   TLB shootdown to `fanout` vCPUs, handler `flush`
 *
 * This is ebizzy -m: every buffer mmap()ed and munmap()ed. Plain ebizzy
 * on a current glibc unmaps only the first buffers (glibc then raises its
 * mmap threshold and serves them from the heap) and is all user time.
 *
 * Defaults and where they come from: ebizzy -m measured here with one
 * thread (the reimplementation in validation/programs, 3,717 records/s,
 * 0.113 CPU user and 0.885 CPU system; docs/validation.md):
 * - `work` 30 us: the user time per record (copy and search).
 * - `fault` 232 us: the kernel time per record (238 us: mmap, faulting in
 *   and zeroing the 512 KiB buffer's 128 pages, munmap) less the munmap's
 *   hold and zap below.
 * - `hold` 1 us: find and detach the VMA under mmap_lock for write (an
 *   estimate).
 * - ZAP_NS 5 us: free the pages and their page table entries (an
 *   estimate).
 * - `flush` 2 us: flush_tlb_func() in each target, IPI entry to EOI.
 * - `fanout` 0: all other vCPUs, as one thread per CPU keeps the mm live
 *   everywhere.
 *
 * Left out: page faults taking mmap_lock (or the per-VMA lock) for read
 * (with two threads the real one sleeps 2.9 times per record on it),
 * glibc's arena locks, and ebizzy's random vs. linear search modes.
 */
#include "workload/build.h"

enum {
	P_WORK,
	P_FAULT,
	P_HOLD,
	P_FLUSH,
	P_FANOUT,
};

#define MMAP_LOCK 0
#define ZAP_NS (5 * NSEC_PER_USEC)

static const struct wl_param params[] = {
	[P_WORK] = { "work", WP_DURATION, 30 * NSEC_PER_USEC, 1, NSEC_PER_SEC,
		     "user time to copy and search a chunk (exponential)" },
	[P_FAULT] = { "fault", WP_DURATION, 232 * NSEC_PER_USEC, 0,
		      NSEC_PER_SEC,
		      "kernel time to map and fault in a buffer "
		      "(exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, NSEC_PER_USEC, 1, 100 * NSEC_PER_USEC,
		     "mmap_lock write hold per munmap (exponential)" },
	[P_FLUSH] = { "flush", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		      "TLB flush handler time per target" },
	[P_FANOUT] = { "fanout", WP_UINT, 0, 0, 4095,
		       "vCPUs a shootdown interrupts (0: all; capped at "
		       "vcpus-1)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->nr_ops = 0;
		wl_user(g, DIST_EXP, p[P_WORK]);
		wl_kernel(g, DIST_EXP, p[P_FAULT]);
		wl_mutex_section(g, MMAP_LOCK, p[P_HOLD]);
		wl_kernel(g, DIST_EXP, ZAP_NS);
		wl_shootdown(g, (u32)p[P_FANOUT], p[P_FLUSH]);
	}
	out->nr_threads = nr_vcpus;
	out->nr_mutexes = 1;
	return 0;
}

const struct workload workload_ebizzy = {
	.name = "ebizzy",
	.summary = "ebizzy: allocate, copy, search, free: dominated by munmap "
		   "TLB shootdowns",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "record",
};
