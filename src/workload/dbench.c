// SPDX-License-Identifier: MIT
/*
 * dbench: N clients (one per vCPU) replaying the NetBench file-server load
 * (client.txt) against a local file system, here ext4 on a virtio disk.
 *
 * What it does in the guest kernel: the load is dominated by metadata
 * calls (create/open/close, stat and find, rename and unlink, small reads
 * and writes that hit the page cache) plus a few flushes that wait for the
 * journal. Each call walks a path (RCU-walk, mostly lock-free) and takes
 * the spinlocks of the dentries and inodes it touches (d_lock, i_lock):
 * each client works in its own directory tree, so these are its own. The
 * operations that change metadata start a jbd2 handle, which takes the
 * journal's j_state_lock, a queued rwlock, for read (start_this_handle)
 * and its list lock (j_list_lock) when it files the buffers; both are
 * shared by all clients. A Flush (fsync) writes the file's data, starts a
 * commit (j_state_lock for write in jbd2_log_start_commit) and waits for
 * it; the commit ends with the lock held for write again. Unlink and
 * rename take ext4's per-fs orphan mutex (s_orphan_lock), with the
 * inode's lock and the dentry hash bucket's bit lock (hlist_bl_lock in
 * __d_drop and __d_rehash) inside. dbench is mostly kernel-mode work.
 *
 * Primitives, one pass = one dbench operation:
 *   user `client`                                      parse, build path
 *   kernel `syscall`                                   entry, path walk
 *   spin_lock(dentry of client) kernel `hold` unlock
 *   kernel `syscall`                                   fs code
 *   one op in `mutex_every`:                           unlink / rename
 *     mutex_lock(orphan) kernel (mhold-2*hold)/2
 *       spin_lock(inode of client) kernel `hold` unlock
 *       bit_spin_lock(hash bucket of client) kernel `hold` unlock
 *     kernel (mhold-2*hold)/2 mutex_unlock(orphan)
 *   kernel `syscall`                                   the rest
 *   one op in `handle_every`:                          a jbd2 handle
 *     read_lock(j_state_lock) kernel `rhold` read_unlock
 *     spin_lock(j_list_lock) kernel `jhold` spin_unlock
 *   one op in `flush_every`:                           Flush (fsync)
 *     write_lock(j_state_lock) kernel `whold` unlock   start the commit
 *     sleep `flush`/2                                  data written
 *     write_lock(j_state_lock) kernel `whold` unlock   commit done
 *     sleep `flush`/2                                  the waiter woken
 * The dentry, inode and hash-bucket locks are each client's own (its own
 * tree; the dentry hash has hundreds of thousands of buckets keyed by
 * parent and name); j_state_lock, j_list_lock and the orphan mutex are
 * shared by all clients.
 *
 * Calibrated against the real dbench on this machine (Debian's dbench 4.0
 * and its NetBench client.txt on ext4, 1 and 2 clients, nothing else
 * running: validation/dbench, docs/validation.md); each value's source:
 * - `client` 1 us: the client's user CPU per operation, 0.077 CPU at
 *   79.8k operations/s (1 client).
 * - `syscall` 2.1 us (x3): the client's kernel CPU per operation, 0.536
 *   CPU at 79.8k operations/s = 6.7 us, less the lock sections.
 * - `handle_every` 4: 0.27 jbd2 handles per operation (27k handles/s at
 *   100k operations/s, 2 clients; jbd2 statistics).
 * - `jhold` 80 ns: j_list_lock (with jbd2's other spinlocks) contends 0.29
 *   times per 1,000 operations with 2 clients; with 0.27 acquisitions per
 *   operation by each client at ~51k operations/s, that is the hold that
 *   gives that rate (contentions per op = a^2 x rate x hold).
 * - `mhold` 1 us: the orphan mutex contends 0.09 times per 1,000
 *   operations with 2 clients, at one acquisition in 24 operations.
 * - `mutex_every` 24: Unlink (3.5%) and Rename (0.7%) of the operations.
 * - `flush_every` 83: Flush is 1.2% of the operations.
 * - `flush` 400 us: the client waits 39% of its time with 1 client, 4.9
 *   us per operation, 0.4 ms per Flush, in two sleeps (2.0 voluntary
 *   switches per Flush measured).
 * - `hold` 200 ns, `rhold` 200 ns, `whold` 1 us: estimates from the code
 *   (a list or hash update, start_this_handle's checks and credits, the
 *   commit request and a wakeup); the real profile sees only the
 *   contended acquisitions.
 *
 * Left out: the jbd2 commit thread (its ~20 write sections of
 * j_state_lock per commit are two here, done by the flusher) and the
 * kworkers and block-layer completions that wake it and the flusher from
 * other CPUs (the real program's 0.04-0.07 call-function IPIs per
 * operation), RCU, and the runqueue locks of the guest scheduler.
 */
#include "workload/build.h"

#include <errno.h>
#include <stdio.h>

enum {
	P_CLIENT,
	P_SYSCALL,
	P_HOLD,
	P_HANDLE_EVERY,
	P_RHOLD,
	P_JHOLD,
	P_WHOLD,
	P_MHOLD,
	P_FLUSH,
	P_FLUSH_EVERY,
	P_MUTEX_EVERY,
};

/* spinlocks: the shared list lock, then two of each client's own */
enum {
	LOCK_J_LIST,
	NR_SHARED_LOCKS
};
#define LOCK_DENTRY(i) (NR_SHARED_LOCKS + 2 * (i))
#define LOCK_INODE(i) (NR_SHARED_LOCKS + 2 * (i) + 1)

enum {
	RW_J_STATE, /* jbd2 j_state_lock */
	NR_RWLOCKS
};

static const struct wl_param params[] = {
	[P_CLIENT] = { "client", WP_DURATION, NSEC_PER_USEC, 0, NSEC_PER_MSEC,
		       "client user time per operation (exponential)" },
	[P_SYSCALL] = { "syscall", WP_DURATION, 2100, 1, NSEC_PER_MSEC,
			"kernel time outside locks, x3 per operation "
			"(exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, 200, 1, 100 * NSEC_PER_USEC,
		     "hold of the client's own dentry, inode and hash locks "
		     "(exponential)" },
	[P_HANDLE_EVERY] = { "handle_every", WP_UINT, 4, 1, 1000000,
			     "one operation in this many starts a jbd2 "
			     "handle" },
	[P_RHOLD] = { "rhold", WP_DURATION, 200, 1, 100 * NSEC_PER_USEC,
		      "j_state_lock held for read per handle (exponential)" },
	[P_JHOLD] = { "jhold", WP_DURATION, 80, 1, 100 * NSEC_PER_USEC,
		      "j_list_lock held per handle (exponential)" },
	[P_WHOLD] = { "whold", WP_DURATION, NSEC_PER_USEC, 1,
		      100 * NSEC_PER_USEC,
		      "j_state_lock held for write, twice per Flush "
		      "(exponential)" },
	[P_MHOLD] = { "mhold", WP_DURATION, NSEC_PER_USEC, 3, NSEC_PER_MSEC,
		      "time under the orphan mutex, nested inode and hash "
		      "locks included" },
	[P_FLUSH] = { "flush", WP_DURATION, 400 * NSEC_PER_USEC, 0,
		      100 * NSEC_PER_MSEC,
		      "I/O wait of a Flush, in two sleeps (exponential)" },
	[P_FLUSH_EVERY] = { "flush_every", WP_UINT, 83, 1, 1000000,
			    "one operation in this many is a Flush" },
	[P_MUTEX_EVERY] = { "mutex_every", WP_UINT, 24, 1, 1000000,
			    "one operation in this many takes the orphan "
			    "mutex" },
};

static int build(const u64 *p, unsigned int nr_vcpus, struct guest_vm_desc *out,
		 char *err, size_t errlen)
{
	u64 around;
	unsigned int at;

	if (p[P_MHOLD] <= 2 * p[P_HOLD]) {
		snprintf(err, errlen,
			 "mhold: %llu ns must exceed twice hold (%llu ns): the "
			 "inode and dentry-hash locks are taken inside the "
			 "sleeping lock",
			 (unsigned long long)p[P_MHOLD],
			 (unsigned long long)p[P_HOLD]);
		return -EINVAL;
	}
	/* the mutex section around the nested locks, before and after */
	around = max_t(u64, (p[P_MHOLD] - 2 * p[P_HOLD]) / 2, 1);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct gprog *g = &out->progs[i];

		g->nr_ops = 0;
		wl_user(g, DIST_EXP, p[P_CLIENT]);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		wl_spin_section(g, LOCK_DENTRY(i), p[P_HOLD]);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		at = wl_one_in(g, (u32)p[P_MUTEX_EVERY]);
		wl_op(g, GOP_MUTEX_LOCK, 0);
		wl_kernel(g, DIST_EXP, around);
		wl_spin_section(g, LOCK_INODE(i), p[P_HOLD]);
		wl_bit_section(g, i, p[P_HOLD]);
		wl_kernel(g, DIST_EXP, around);
		wl_op(g, GOP_MUTEX_UNLOCK, 0);
		wl_one_in_end(g, at);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		at = wl_one_in(g, (u32)p[P_HANDLE_EVERY]);
		wl_read_section(g, RW_J_STATE, p[P_RHOLD]);
		wl_spin_section(g, LOCK_J_LIST, p[P_JHOLD]);
		wl_one_in_end(g, at);
		at = wl_one_in(g, (u32)p[P_FLUSH_EVERY]);
		wl_write_section(g, RW_J_STATE, p[P_WHOLD]);
		wl_io(g, p[P_FLUSH] / 2);
		wl_write_section(g, RW_J_STATE, p[P_WHOLD]);
		wl_io(g, p[P_FLUSH] / 2);
		wl_one_in_end(g, at);
	}
	out->nr_threads = nr_vcpus;
	out->nr_spinlocks = NR_SHARED_LOCKS + 2 * nr_vcpus;
	out->nr_rwlocks = NR_RWLOCKS;
	out->nr_bitlocks = nr_vcpus;
	out->nr_mutexes = 1;
	return 0;
}

const struct workload workload_dbench = {
	.name = "dbench",
	.summary = "dbench: fs metadata clients on hot kernel spinlocks, the "
		   "journal rwlock, a sleeping lock and I/O waits",
	.params = params,
	.nr_params = ARRAY_SIZE(params),
	.build = build,
	.unit = "op",
};
