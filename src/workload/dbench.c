// SPDX-License-Identifier: MIT
/*
 * dbench: N clients (one per vCPU) replaying the NetBench file-server load
 * (client.txt) against a local file system, here ext4 on a virtio disk.
 *
 * What it does in the guest kernel: the load is dominated by metadata
 * calls (create/open/close, stat and find, rename and unlink, small reads
 * and writes that hit the page cache) plus a few flushes that wait for the
 * journal. Each call walks a path (RCU-walk, mostly lock-free), then takes
 * a handful of short, fs-wide spinlocks: the dentry and dcache locks
 * (d_lock, the dentry LRU lock, rename_lock), the inode locks (i_lock, the
 * super block's inode list lock on create and evict) and jbd2's list lock
 * for every metadata update. Every update starts a jbd2 handle, which
 * takes the journal's j_state_lock, a queued rwlock, for read
 * (start_this_handle); a Flush starts the commit with it held for write
 * (jbd2_log_start_commit). Updates that change a directory or orphan list
 * take sleeping locks: the parent directory's i_rwsem and ext4's per-fs
 * orphan mutex on unlink/truncate; the inode's own spinlock is taken
 * inside them, and the dentry leaves and re-enters the dentry hash, whose
 * buckets are bit spinlocks (hlist_bl_lock in __d_drop and __d_rehash).
 * Flushes and the journal commit make the client sleep on I/O. The
 * clients' own user code (parsing the load file) is small: dbench is
 * mostly kernel-mode work.
 *
 * Primitives, one pass = one dbench operation:
 *   user `client`                                      client-side work
 *   kernel `syscall`                                   entry, path walk
 *   spin_lock(0 dcache) kernel `hold` spin_unlock(0)
 *   kernel `syscall`                                   fs code
 *   one op in `mutex_every`:                           rename / unlink
 *     mutex_lock(0) kernel (mhold-2*hold)/2            orphan, rename
 *       spin_lock(1 inode) kernel `hold` spin_unlock(1)
 *       bit_spin_lock(client) kernel `hold` unlock     dentry hash
 *     kernel (mhold-2*hold)/2 mutex_unlock(0)
 *   kernel `syscall`                                   jbd2 handle
 *   read_lock(0 j_state_lock) kernel `rhold` read_unlock(0)
 *   spin_lock(2 journal) kernel `hold` spin_unlock(2)
 *   one op in `flush_every`:                           Flush (fsync)
 *     write_lock(0) kernel `whold` write_unlock(0)     start the commit
 *     sleep `flush`                                    wait for it
 * The three spinlocks, the rwlock and the mutex are shared by all clients:
 * they stand for the fs-wide locks, not the per-directory ones (each
 * dbench client works in its own directory tree, so a per-directory
 * i_rwsem is rarely contended; the fs-wide sleeping locks are). For the
 * same reason each client hashes its names into its own dentry-hash
 * bucket (one bit lock per client): the hash has hundreds of thousands
 * of buckets, keyed by parent dentry and name, and two clients' trees
 * share no parent.
 *
 * Defaults and where they come from:
 * - `syscall` 3 us (x3, ~9 us of kernel time per operation outside
 *   locks): dbench on a tmpfs or cached ext4 reaches roughly 50-100k
 *   operations/s per core, i.e. 10-20 us of CPU per operation, almost all
 *   of it in the kernel.
 * - `client` 2 us: the client parses one line of the load file and
 *   builds the path; small next to the system call.
 * - `hold` 500 ns: the fs spinlocks guard list and counter updates (a
 *   hash-chain insert, a list_add, a journal buffer state change), a few
 *   hundred ns each.
 * - `rhold` 200 ns: start_this_handle() under the read lock checks the
 *   running transaction and adds the handle's credits (a few tests and two
 *   atomic adds), an estimate from the code.
 * - `whold` 1 us: __jbd2_log_start_commit() under the write lock records
 *   the commit request and wakes the commit thread (a wakeup), an
 *   estimate from the code.
 * - `mhold` 2 us: time under the sleeping lock, which includes a
 *   directory entry update or an orphan-list change and the nested inode
 *   and hash locks; a few us.
 * - `mutex_every` 25: only operations that change a directory's entries
 *   take an fs-wide sleeping lock: in the NetBench load about 1.3% of the
 *   lines are Rename and 0.6% to 3.5% Unlink (a sample of dbench's
 *   client_plain.txt; dbench's own end-of-run operation counts), so one
 *   operation in 25 to 50; the model takes the busier end.
 * - `flush` 1 ms, `flush_every` 50: most operations hit the page cache
 *   and wait for nothing; about 1 in 50 of the NetBench mix is a Flush
 *   (fsync), which waits for a journal commit on the virtio disk (~1 ms
 *   with a host NVMe behind it), exponentially distributed.
 *
 * Left out: the page cache and writeback threads, RCU, the jbd2 commit
 * thread itself (its work, and its own write sections of j_state_lock,
 * show only as the I/O wait), rwsem reader sharing (i_rwsem is taken
 * exclusively here), and the per-client directories' own locks.
 */
#include "workload/build.h"

#include <errno.h>
#include <stdio.h>

enum {
	P_CLIENT,
	P_SYSCALL,
	P_HOLD,
	P_RHOLD,
	P_WHOLD,
	P_MHOLD,
	P_FLUSH,
	P_FLUSH_EVERY,
	P_MUTEX_EVERY,
};

enum {
	LOCK_DCACHE,
	LOCK_INODE,
	LOCK_JOURNAL,
	NR_LOCKS
};

enum {
	RW_J_STATE, /* jbd2 j_state_lock */
	NR_RWLOCKS
};

static const struct wl_param params[] = {
	[P_CLIENT] = { "client", WP_DURATION, 2 * NSEC_PER_USEC, 0,
		       NSEC_PER_MSEC,
		       "client user time per operation (exponential)" },
	[P_SYSCALL] = { "syscall", WP_DURATION, 3 * NSEC_PER_USEC, 1,
			NSEC_PER_MSEC,
			"kernel time outside locks, x3 per operation "
			"(exponential)" },
	[P_HOLD] = { "hold", WP_DURATION, 500, 1, 100 * NSEC_PER_USEC,
		     "hold time of each fs spinlock: dcache, inode, journal "
		     "(exponential)" },
	[P_RHOLD] = { "rhold", WP_DURATION, 200, 1, 100 * NSEC_PER_USEC,
		      "hold time of the journal state rwlock for read, per "
		      "operation (exponential)" },
	[P_WHOLD] = { "whold", WP_DURATION, NSEC_PER_USEC, 1,
		      100 * NSEC_PER_USEC,
		      "hold time of the journal state rwlock for write, per "
		      "Flush (exponential)" },
	[P_MHOLD] = { "mhold", WP_DURATION, 2 * NSEC_PER_USEC, 3, NSEC_PER_MSEC,
		      "time under the fs sleeping lock, nested inode and "
		      "hash locks included" },
	[P_FLUSH] = { "flush", WP_DURATION, NSEC_PER_MSEC, 0,
		      100 * NSEC_PER_MSEC,
		      "I/O wait of a Flush (fsync: journal commit), "
		      "exponential" },
	[P_FLUSH_EVERY] = { "flush_every", WP_UINT, 50, 1, 1000000,
			    "one operation in this many is a Flush" },
	[P_MUTEX_EVERY] = { "mutex_every", WP_UINT, 25, 1, 1000000,
			    "one operation in this many takes the fs sleeping "
			    "lock" },
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
		wl_spin_section(g, LOCK_DCACHE, p[P_HOLD]);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		at = wl_one_in(g, (u32)p[P_MUTEX_EVERY]);
		wl_op(g, GOP_MUTEX_LOCK, 0);
		wl_kernel(g, DIST_EXP, around);
		wl_spin_section(g, LOCK_INODE, p[P_HOLD]);
		wl_bit_section(g, i, p[P_HOLD]);
		wl_kernel(g, DIST_EXP, around);
		wl_op(g, GOP_MUTEX_UNLOCK, 0);
		wl_one_in_end(g, at);
		wl_kernel(g, DIST_EXP, p[P_SYSCALL]);
		wl_read_section(g, RW_J_STATE, p[P_RHOLD]);
		wl_spin_section(g, LOCK_JOURNAL, p[P_HOLD]);
		at = wl_one_in(g, (u32)p[P_FLUSH_EVERY]);
		wl_write_section(g, RW_J_STATE, p[P_WHOLD]);
		wl_io(g, p[P_FLUSH]);
		wl_one_in_end(g, at);
	}
	out->nr_threads = nr_vcpus;
	out->nr_spinlocks = NR_LOCKS;
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
