// SPDX-License-Identifier: MIT
/*
 * kbuild: a parallel kernel build (make -jN) in the guest.
 *
 * The real workload runs thousands of short processes (make, sh, gcc's
 * driver, cc1, as, ld); cc1 does most of the CPU work in user mode. In the
 * guest kernel each process costs fork/exec/exit (page tables built and
 * torn down, mappings of the shared executables and libraries), page
 * faults, opens and stats of headers, and pipe and wait4() sleeps. The
 * contended locks are sleeping locks with optimistic spinning: the
 * i_rwsem of hot directories (include/, the object directories: lookups
 * that miss the dcache and every create), and i_mmap_rwsem of shared
 * executables and libraries (libc, cc1), which every mmap and munmap of
 * them takes for write. Their spinners stop spinning when the owner's
 * vCPU is preempted only with the PV preempted hint (MODEL.md 5), which is
 * why kernel builds gain from it. Exec and exit free page tables and
 * kernel stacks, which flushes the TLB of the CPUs the mm (or, for vmalloc
 * stacks, the kernel range) was live on: a shootdown to a few vCPUs.
 *
 * Primitives, one pass = one burst of compiler work and the kernel work
 * that follows it:
 *   user `compile` (exponential)             cc1/as between system calls
 *   kernel `syscall`                         open/stat/read, faults
 *   mutex(0 directory i_rwsem) `hold`
 *   kernel `syscall`                         fork/exec/exit, mm work
 *   mutex(1 i_mmap_rwsem) `hold`
 *   TLB shootdown to `fanout` vCPUs, handler `flush`
 *   sleep `io`                               pipe, wait4(), cold reads
 * The two locks are shared by all vCPUs; rwsem readers that could share
 * are modelled as exclusive (the writers are what contends).
 *
 * Defaults and where they come from (estimates for a 2-3 GHz core):
 * - `compile` 300 us: a kernel build spends ~85-90% of its CPU time in
 *   user mode; with ~30 us of kernel work per burst this puts the user
 *   share there.
 * - `syscall` 10 us (x2): exec and exit of a process cost a few hundred
 *   us of kernel time over a life of a few hundred ms of cc1; opens,
 *   stats and faults come in bursts of tens of us.
 * - `hold` 2 us: a directory update or a VMA link/unlink in the
 *   i_mmap tree, a few us with the rwsem held.
 * - `fanout` 2, `flush` 2 us: a single-threaded process's mm is live on
 *   one or two other CPUs when it execs or exits (after a migration); the
 *   handler is one flush_tlb_func().
 * - `io` 30 us: make and the gcc driver wait for children and pipes; the
 *   sources and headers are in the page cache after the first build, so
 *   the waits are wakeups, not disk I/O.
 *
 * Left out: a guest scheduler with more runnable tasks than vCPUs (make
 * -j2N), fork's copy-on-write faults, the dcache's RCU walk, and the
 * final single-threaded link.
 */
#include "workload/build.h"

enum {
	P_COMPILE,
	P_SYSCALL,
	P_HOLD,
	P_FANOUT,
	P_FLUSH,
	P_IO,
};

enum {
	MUTEX_DIR, /* i_rwsem of a hot directory */
	MUTEX_I_MMAP, /* i_mmap_rwsem of a shared executable */
	NR_MUTEXES
};

static const struct wl_param params[] = {
	[P_COMPILE] = { "compile", WP_DURATION, 300 * NSEC_PER_USEC, 1,
			NSEC_PER_SEC,
			"user time per burst of compiler work (exponential)" },
	[P_SYSCALL] = { "syscall", WP_DURATION, 10 * NSEC_PER_USEC, 1,
			NSEC_PER_SEC,
			"kernel time outside locks, x2 per burst "
			"(exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		     "hold time of each sleeping lock (exponential)" },
	[P_FANOUT] = { "fanout", WP_UINT, 2, 0, 4095,
		       "vCPUs an exec/exit flush interrupts (0: all; "
		       "capped at vcpus-1)" },
	[P_FLUSH] = { "flush", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		      "TLB flush handler time per target" },
	[P_IO] = { "io", WP_DURATION, 30 * NSEC_PER_USEC, 0,
		   100 * NSEC_PER_MSEC,
		   "mean wait per burst for children, pipes, I/O "
		   "(exponential)" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->nr_ops = 0;
		wl_user(g, DIST_EXP, p[P_COMPILE]);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		wl_mutex_section(g, MUTEX_DIR, p[P_HOLD]);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		wl_mutex_section(g, MUTEX_I_MMAP, p[P_HOLD]);
		wl_shootdown(g, (u32)p[P_FANOUT], p[P_FLUSH]);
		wl_io(g, p[P_IO]);
	}
	out->nr_threads = nr_vcpus;
	out->nr_mutexes = NR_MUTEXES;
	return 0;
}

const struct workload workload_kbuild = {
	.name = "kbuild",
	.summary = "kernel build: compiler bursts, sleeping-lock contention "
		   "with optimistic spinning, exec/exit flushes, waits",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "burst",
};
