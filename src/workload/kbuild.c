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
 * that follows it, up to the next sleep:
 *   user `compile` (exponential)             cc1/as between system calls
 *   kernel `syscall`                         open/stat/read, faults
 *   mutex(0 directory i_rwsem) `hold`
 *   kernel `syscall`                         fork/exec/exit, mm work
 *   mutex(1 i_mmap_rwsem) `hold`
 *   one pass in `shoot_every`: TLB shootdown to `fanout` vCPUs, handler
 *   `flush`                                  exec/exit of an mm
 *   sleep `io`                               wait4(), pipes
 * The two locks are shared by all vCPUs; rwsem readers that could share
 * are modelled as exclusive (the writers are what contends). A compilation
 * (one compiler invocation, the real program's unit) is `bursts` passes.
 *
 * Calibrated against a real parallel build on this machine (make -j1 of
 * fs/ext4, fs/jbd2 and fs/proc of Debian's linux-source 6.1, 70
 * compilations; validation/kbuild, docs/validation.md):
 * - `bursts` 107: the build's voluntary context switches per compilation
 *   (each pass ends in one sleep).
 * - `compile` 4.1 ms: its user CPU per compilation (0.44 s) over `bursts`.
 * - `syscall` 490 us (x2): its system CPU per compilation (0.105 s) over
 *   2 x `bursts`.
 * - `io` 50 us: the -j1 build keeps its one CPU 99% busy: the waits are
 *   short next to the bursts.
 * - `shoot_every` 14, `fanout` 1: 7.9 TLB IPIs per compilation (a flush
 *   of an mm that is live on one other CPU).
 * - `hold` 2 us, `flush` 2 us: estimates (a directory update or a VMA
 *   link under the rwsem; flush_tlb_func()).
 *
 * Left out: a guest scheduler with more runnable tasks than vCPUs (make
 * -j2N), fork's copy-on-write faults, the dcache's RCU walk, the final
 * link, and the cross-CPU wakeups of make and the compiler driver (the real
 * build's ~57 call-function IPIs per compilation: here its sleeps are
 * woken by the device, without an IPI).
 */
#include "workload/build.h"

enum {
	P_COMPILE,
	P_SYSCALL,
	P_HOLD,
	P_FANOUT,
	P_FLUSH,
	P_IO,
	P_BURSTS,
	P_SHOOT_EVERY,
};

enum {
	MUTEX_DIR, /* i_rwsem of a hot directory */
	MUTEX_I_MMAP, /* i_mmap_rwsem of a shared executable */
	NR_MUTEXES
};

static const struct wl_param params[] = {
	[P_COMPILE] = { "compile", WP_DURATION, 4100 * NSEC_PER_USEC, 1,
			NSEC_PER_SEC,
			"user time per burst of compiler work (exponential)" },
	[P_SYSCALL] = { "syscall", WP_DURATION, 490 * NSEC_PER_USEC, 1,
			NSEC_PER_SEC,
			"kernel time outside locks, x2 per burst "
			"(exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		     "hold time of each sleeping lock (exponential)" },
	[P_FANOUT] = { "fanout", WP_UINT, 1, 0, 4095,
		       "vCPUs an exec/exit flush interrupts (0: all; "
		       "capped at vcpus-1)" },
	[P_FLUSH] = { "flush", WP_DURATION, 2 * NSEC_PER_USEC, 1, NSEC_PER_MSEC,
		      "TLB flush handler time per target" },
	[P_IO] = { "io", WP_DURATION, 50 * NSEC_PER_USEC, 0,
		   100 * NSEC_PER_MSEC,
		   "mean wait per burst for children, pipes, I/O "
		   "(exponential)" },
	[P_BURSTS] = { "bursts", WP_UINT, 107, 1, 1000000,
		       "bursts per compilation (the unit of throughput)" },
	[P_SHOOT_EVERY] = { "shoot_every", WP_UINT, 14, 1, 1000000,
			    "one burst in this many flushes the TLB of "
			    "other vCPUs" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	unsigned int at;

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
		at = wl_one_in(g, (u32)p[P_SHOOT_EVERY]);
		wl_shootdown(g, (u32)p[P_FANOUT], p[P_FLUSH]);
		wl_one_in_end(g, at);
		wl_io(g, p[P_IO]);
	}
	out->nr_threads = nr_vcpus;
	out->nr_mutexes = NR_MUTEXES;
	return 0;
}

/* a compilation is `bursts` passes */
static double unit_passes(const u64 *p)
{
	return (double)p[P_BURSTS];
}

const struct workload workload_kbuild = {
	.name = "kbuild",
	.summary = "kernel build: compiler bursts, sleeping-lock contention "
		   "with optimistic spinning, exec/exit flushes, waits",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "compilation",
	.unit_passes = unit_passes,
};
