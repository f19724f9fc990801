#!/usr/bin/env python3
"""Summarize the raw outputs of validation/dbench/profile.sh.

Usage: analyze.py RAW_DIR [--top N]

RAW_DIR holds one folder per configuration (ext4_c1, ext4_c2, tmpfs_c1,
...) with runs A (plain), B (lock contention tracepoints with call graphs)
and C (jbd2/ext4 tracepoints + perf stat counts).  Prints markdown and
writes RAW_DIR/summary.json.

Lock contention (run B): lock:contention_begin/end are paired per task and
lock address (a mutex that first spins then sleeps emits two begins and one
end: the wait counts from the first begin).  Each contention is labelled
with a lock name guessed from its call chain (rules below; the kernel has no
KALLSYMS_ALL, so even static locks have no symbol), its type from the
tracepoint flags (as perf lock does), its caller (first frame outside the
locking code) and the syscall (dbench operation) it happened in.
"""
import gzip
import json
import os
import re
import sys
from collections import Counter, defaultdict

# dbench NetBench operation -> syscalls of dbench's fileio backend (for the
# attribution of lock contention to operations)
SYSCALL_OP = {
    "openat": "NTCreateX", "open": "NTCreateX", "creat": "NTCreateX",
    "close": "Close", "rename": "Rename", "renameat2": "Rename",
    "unlink": "Unlink/Deltree", "unlinkat": "Unlink/Deltree",
    "rmdir": "Deltree", "mkdir": "Mkdir",
    "newstat": "Qpathinfo/Find", "newlstat": "Qpathinfo/Find",
    "newfstatat": "Qpathinfo/Find", "statx": "Qpathinfo/Find",
    "newfstat": "Qfileinfo", "fstat": "Qfileinfo",
    "statfs": "Qfsinfo", "fstatfs": "Qfsinfo",
    "utimensat": "Sfileinfo", "utimes": "Sfileinfo", "ftruncate": "Sfileinfo",
    "fchmod": "Sfileinfo", "chmod": "Sfileinfo",
    "getdents64": "Find", "getdents": "Find",
    "pwrite64": "WriteX", "write": "WriteX",
    "pread64": "ReadX", "read": "ReadX",
    "fcntl": "LockX/UnlockX", "fsync": "Flush", "fdatasync": "Flush",
    "kill": "(dbench kill(ppid,0) per op)",
}

LOCK_FRAME = re.compile(
    r"^(__pv_queued_spin_lock_slowpath|native_queued_spin_lock_slowpath|"
    r"queued_spin_lock_slowpath|queued_(read|write)_lock_slowpath|"
    r"_raw_(spin|read|write)_(try)?lock\w*|do_raw_\w+|"
    r"__mutex_lock\w*|mutex_lock\w*|__rt_mutex\w*|rt_mutex\w*|"
    r"rwsem_down_\w+|down_(read|write)\w*|__down_\w+|"
    r"percpu_down_\w+|__percpu_down\w+|"
    r"raw_spin_rq_lock\w*|_raw_spin_rq_lock\w*|__task_rq_lock|task_rq_lock|"
    r"double_rq_lock|_double_lock_balance|double_lock_balance|"
    r"rq_lock\w*|__lock_task_sighand|lock_timer_base)$")

# (regex on a function name, label); the first frame (from the top of the
# stack) matching any rule decides.  Scanning starts at the lock primitives,
# so rq-lock helpers win over the caller that wanted the rq lock.
RULES = [
    (r"^(raw_spin_rq_lock\w*|_raw_spin_rq_lock\w*|__task_rq_lock|task_rq_lock|"
     r"double_rq_lock|_double_lock_balance|double_lock_balance|rq_lock\w*)$",
     "rq->__lock (runqueue)"),
    (r"^__schedule$", "rq->__lock (runqueue)"),
    (r"^(sched_balance_rq|sched_balance_\w+|sched_tick|update_blocked_averages)$",
     "rq->__lock (runqueue)"),
    (r"^try_to_wake_up$", "p->pi_lock (try_to_wake_up; rq lock if inlined)"),
    (r"^(jbd2_journal_next_log_block|start_this_handle|jbd2_journal_commit_transaction|"
     r"kjournald2|__jbd2_log_start_commit|jbd2_log_start_commit|jbd2_log_wait_commit|"
     r"jbd2_complete_transaction|jbd2_trans_will_send_data_barrier|"
     r"jbd2_transaction_committed|add_transaction_credits|wait_transaction_\w+|"
     r"jbd2_journal_stop|jbd2__journal_restart|jbd2_journal_lock_updates|"
     r"__jbd2_log_wait_for_space|jbd2_log_do_checkpoint|jbd2_journal_start_commit|"
     r"jbd2_journal_update_sb_log_tail|jbd2_write_superblock|__jbd2_update_log_tail|"
     r"jbd2_journal_bmap|jbd2_descriptor_block_csum_set|"
     r"jbd2_journal_get_descriptor_buffer)$@RW",
     "journal->j_state_lock (rwlock)"),
    (r"^(__jbd2_journal_file_buffer|jbd2_journal_file_buffer|__jbd2_journal_refile_buffer|"
     r"jbd2_journal_refile_buffer|jbd2_journal_dirty_metadata|do_get_write_access|"
     r"jbd2_journal_get_write_access|jbd2_journal_get_create_access|"
     r"jbd2_journal_forget|jbd2_journal_try_to_free_buffers|"
     r"__jbd2_journal_remove_checkpoint|jbd2_journal_commit_transaction|"
     r"__jbd2_journal_clean_checkpoint_list|jbd2_journal_shrink_checkpoint_list|"
     r"jbd2_journal_write_metadata_buffer|jbd2_journal_put_journal_head|"
     r"jbd2_journal_add_journal_head|jbd2_journal_grab_journal_head|"
     r"__jbd2_journal_unfile_buffer|jbd2_journal_invalidate_folio|"
     r"jbd2_journal_inode_ranged_write|jbd2_journal_file_inode|"
     r"jbd2_journal_release_jbd_inode|journal_submit_data_buffers|"
     r"journal_finish_inode_data_buffers|jbd2_journal_begin_ordered_truncate|"
     r"jbd2_journal_set_triggers|jbd2_journal_revoke|jbd2_journal_cancel_revoke|"
     r"jbd2_journal_switch_revoke_table|insert_revoke_hash|find_revoke_record)$@SPIN",
     "jbd2 spinlock (j_list_lock / t_handle_lock / j_revoke_lock)"),
    (r"^(ext4_orphan_add|ext4_orphan_del|ext4_orphan_file_\w+)$", "ext4 s_orphan_lock (mutex)"),
    # inode_sb_list_add/del are inlined into new_inode and evict: the same
    # (per-sb) address is contended from both, so it is not inode->i_lock
    (r"^(inode_sb_list_add|inode_sb_list_del|evict_inodes|__iget|new_inode|evict)$@SPIN",
     "sb->s_inode_list_lock"),
    (r"^(__insert_inode_hash|insert_inode_locked\w*|__remove_inode_hash|remove_inode_hash|"
     r"iget_locked|iget5_locked\w*|ilookup\w*|find_inode\w*|insert_inode_hash)$",
     "inode_hash_lock (or inode->i_lock under it)"),
    (r"^(d_move|__d_move|d_exchange|d_splice_alias|__d_unalias)$",
     "rename_lock (global seqlock) / dentry->d_lock (d_move)"),
    (r"^(lockref_\w+|dput|fast_dput|__dput_to_list|dget_parent|d_alloc\w*|__d_lookup\w*|"
     r"d_lookup|d_add|__d_add|d_instantiate\w*|d_delete|d_walk|lock_for_kill|"
     r"__dentry_kill|dentry_kill|shrink_dentry_list|select_collect|d_invalidate|"
     r"d_prune_aliases|lock_parent|d_set_d_op|__d_instantiate|d_make_root|"
     r"simple_positive|dcache_readdir|scan_positives|simple_offset_\w+|"
     r"lookup_fast|try_to_unlazy\w*|legitimize_\w+|step_into|d_same_name)$",
     "dentry->d_lock"),
    (r"^(inode_permission|generic_permission|may_lookup|acl_permission_check|"
     r"get_inode_acl|get_cached_acl\w*|__inode_add_lru|inode_add_lru|iput|iput_final|"
     r"inode_lru_isolate|__mark_inode_dirty|inode_io_list_\w+|igrab|ihold|evict|"
     r"inode_set_flags|touch_atime|file_update_time|inode_needs_update_time)$@SPIN",
     "inode->i_lock"),
    (r"^(folio_lruvec_lock\w*|folio_lruvec_relock\w*|lruvec_\w+|folio_batch_move_lru|"
     r"__folio_batch_release|release_pages|folios_put_refs|lru_add_drain\w*|"
     r"__page_cache_release|shrink_\w+_list|isolate_lru_folios)$",
     "lruvec->lru_lock"),
    (r"^(get_page_from_freelist|rmqueue\w*|__rmqueue\w*|free_pcppages_bulk|free_one_page|"
     r"__free_pages_ok|free_unref_\w+|rmqueue_bulk|__free_one_page|drain_pages\w*|"
     r"free_frozen_page\w*)$",
     "zone->lock"),
    (r"^(__filemap_add_folio|filemap_add_folio|__filemap_remove_folio|filemap_remove_folio|"
     r"delete_from_page_cache\w*|__folio_end_writeback|folio_end_writeback|"
     r"__folio_start_writeback|__folio_mark_dirty|filemap_dirty_folio|"
     r"tag_pages_for_writeback|xas_\w+|xa_\w+|truncate_inode_pages_range|"
     r"delete_from_page_cache_batch|filemap_unaccount_folio|folio_account_cleaned|"
     r"invalidate_inode_pages2_range|mapping_try_invalidate)$",
     "mapping->i_pages (xa_lock)"),
    (r"^(__percpu_counter_sum|percpu_counter_add_batch|__percpu_counter_compare|"
     r"percpu_counter_\w+)$", "percpu_counter->lock"),
    (r"^(ext4_mb_\w+|mb_\w+|ext4_lock_group|ext4_free_blocks|ext4_mb_new_blocks|"
     r"ext4_read_block_bitmap\w*|ext4_free_inode|__ext4_new_inode|find_inode_bit)$",
     "ext4 block-group lock / mballoc"),
    (r"^(ext4_es_\w+|__es_\w+|es_\w+)$", "ext4 ei->i_es_lock (rwlock)"),
    (r"^(ext4_da_reserve_space|ext4_da_release_space|ext4_da_update_reserve_space|"
     r"ext4_claim_free_clusters)$", "ext4 i_block_reservation_lock"),
    (r"^(ext4_map_blocks|ext4_da_map_blocks|ext4_ext_\w+|ext4_ind_\w+|"
     r"ext4_truncate|ext4_punch_hole|ext4_discard_preallocations)$@SLEEP",
     "ext4 ei->i_data_sem (rwsem)"),
    (r"^(ext4_xattr_\w+|ext4_get_acl|ext4_set_acl)$@SLEEP", "ext4 xattr_sem (rwsem)"),
    (r"^(lock_rename\w*|filename_create|open_last_lookups|do_unlinkat|do_rmdir|"
     r"vfs_rename|do_renameat2|ext4_buffered_write_iter|ext4_file_write_iter|"
     r"iterate_dir|ext4_setattr|notify_change|do_truncate|vfs_unlink|vfs_rmdir|"
     r"lookup_slow|__lookup_slow|inode_lock\w*|generic_file_write_iter|"
     r"shmem_file_write_iter|do_sys_ftruncate|chmod_common|utimes_common|"
     r"vfs_utimes|dcache_dir_lseek|ext4_llseek|generic_file_llseek\w*|"
     r"lock_two_directories|start_dirop|start_creating|start_removing\w*)$@SLEEP",
     "inode->i_rwsem"),
    (r"^(kick_pool|__queue_work|worker_thread|process_one_work|worker_enter_idle|"
     r"worker_leave_idle|manage_workers|pwq_\w+|insert_work|try_to_grab_pending|"
     r"__flush_work|flush_work|queue_work_on|mod_delayed_work_on)$",
     "workqueue pool->lock"),
    (r"^(loop_queue_rq|loop_process_work|loop_queue_work|loop_handle_cmd|"
     r"lo_rw_aio_complete|lo_complete_rq)$", "loop lo_work_lock"),
    (r"^(blk_\w+|__blk_\w+|bfq_\w+|dd_\w+|kyber_\w+|blk_mq_\w+)$", "block layer (blk-mq / flush)"),
    (r"^(__wake_up\w*|wake_up_bit|__wake_up_bit|prepare_to_wait\w*|finish_wait|"
     r"add_wait_queue\w*|remove_wait_queue|prepare_to_swait\w*|finish_swait|swake_up\w*|"
     r"folio_wake_bit|folio_wait_bit\w*|__folio_lock\w*|autoremove_wake_function|"
     r"wake_bit_function|wake_page_function|__wait_on_bit\w*|out_of_line_wait_on_bit\w*)$",
     "wait_queue_head->lock"),
    (r"^(__run_timers|run_timer_softirq|call_timer_fn|add_timer\w*|__mod_timer|"
     r"mod_timer\w*|timer_\w+|del_timer\w*|tmigr_\w+|hrtimer_\w+|__hrtimer_\w+|"
     r"lock_hrtimer_base|try_to_del_timer_sync|timer_delete\w*)$", "timer base lock"),
    (r"^(tick_do_update_jiffies64|tick_sched_do_timer)$", "jiffies_lock"),
    (r"^(rcu_\w+|__rcu_\w+|note_gp_changes|force_qs_rnp)$", "rcu_node->lock"),
    (r"^(__mod_memcg_\w+|mem_cgroup_\w+|memcg_\w+|cgroup_rstat_\w+|css_rstat_\w+)$",
     "memcg / rstat lock"),
    (r"^(shmem_evict_inode|shmem_free_inode|__shmem_get_inode|shmem_reserve_inode)$@SPIN",
     "shmem sbinfo->stat_lock"),
    (r"^(shmem_\w+)$", "shmem (info->lock / other)"),
    (r"^(ep_poll_callback|ep_\w+)$", "eventpoll lock"),
]
RULES = [(re.compile(r.split("@")[0]), (r.split("@")[1] if "@" in r else None), lab)
         for r, lab in RULES]

HEAD = re.compile(r"^\s*(?P<comm>.*?)\s+(?P<tid>\d+)\s+\[(?P<cpu>\d+)\]\s+"
                  r"(?P<t>\d+\.\d+):\s+(?P<ev>[\w:]+):\s*(?P<rest>.*)$")


def lock_type(flags):
    f = set(flags.split("|")) if flags else set()
    if "MUTEX" in f:
        return "mutex"
    if "RT" in f:
        return "rtmutex"
    if "PERCPU" in f:
        return "percpu-rwsem:" + ("W" if "WRITE" in f else "R")
    if "SPIN" in f:
        if "READ" in f:
            return "rwlock:R"
        if "WRITE" in f:
            return "rwlock:W"
        return "spinlock"
    if "READ" in f:
        return "rwsem:R"
    if "WRITE" in f:
        return "rwsem:W"
    return "?" + flags


def kind_ok(want, ltype):
    if want is None:
        return True
    if want == "RW":
        return ltype.startswith("rwlock")
    if want == "SPIN":
        return ltype == "spinlock"
    if want == "SLEEP":
        return ltype.startswith(("rwsem", "mutex", "percpu"))
    return True


def label(frames, ltype):
    for fn in frames:
        for rx, want, lab in RULES:
            if rx.match(fn) and kind_ok(want, ltype):
                if lab == "journal->j_state_lock (rwlock)" and not ltype.startswith("rwlock"):
                    continue
                return lab
    if ltype.startswith("rwlock"):
        return "other rwlock"
    if ltype.startswith("rwsem"):
        return "other rwsem"
    if ltype == "mutex":
        return "other mutex"
    return "other spinlock"


def caller(frames):
    for fn in frames:
        if not LOCK_FRAME.match(fn):
            return fn
    return frames[-1] if frames else "?"


SYS_RX = re.compile(r"^(?:__x64_sys|__ia32_sys|__do_sys|__se_sys)_(\w+)$")


def context(frames, comm):
    for fn in frames:
        m = SYS_RX.match(fn)
        if m:
            return "sys_" + m.group(1)
    if comm.startswith("jbd2/"):
        return "[jbd2 kthread]"
    if comm.startswith("kworker"):
        return "[kworker]"
    if comm.startswith(("swapper", "ksoftirqd", "rcu_", "migration")):
        return "[" + comm.split("/")[0] + "]"
    if any(fn in ("handle_softirqs", "__irq_exit_rcu", "irq_exit_rcu") for fn in frames):
        return "[irq/softirq in %s]" % comm.split("/")[0]
    if any(fn in ("exit_to_user_mode_loop", "irqentry_exit", "irqentry_exit_to_user_mode")
           for fn in frames):
        return "[return to user / preemption in %s]" % comm.split("/")[0]
    return "[%s]" % re.sub(r"[/:-]?\d.*$", "", comm)


def read_events(path):
    """Yield (comm, tid, cpu, t, event, rest, frames) from perf script text."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt", errors="replace") as f:
        cur = None
        for line in f:
            if not line.strip():
                if cur:
                    yield cur
                    cur = None
                continue
            if line[0] in " \t" and cur is not None and re.match(r"^\s+[0-9a-f]+ ", line):
                parts = line.split()
                if len(parts) >= 2:
                    cur[6].append(parts[1].split("+")[0])
                continue
            m = HEAD.match(line)
            if m:
                if cur:
                    yield cur
                cur = (m["comm"], int(m["tid"]), int(m["cpu"]), float(m["t"]),
                       m["ev"], m["rest"], [])
        if cur:
            yield cur


def analyze_locks(path, duration, dbench_comm="dbench"):
    open_ = {}
    recs = []
    t0 = t1 = None
    others = Counter()
    for comm, tid, cpu, t, ev, rest, frames in read_events(path):
        t0 = t if t0 is None else t0
        t1 = t
        if ev == "lock:contention_begin":
            m = re.match(r"(0x[0-9a-f]+)\s+\(flags=([A-Z|]*)\)", rest)
            if not m:
                continue
            key = (tid, m.group(1))
            if key in open_:
                o = open_[key]
                open_[key] = (o[0], o[1] + "|" + m.group(2), o[2], o[3])
            else:
                open_[key] = (t, m.group(2), frames, comm)
        elif ev == "lock:contention_end":
            m = re.match(r"(0x[0-9a-f]+)", rest)
            if not m:
                continue
            o = open_.pop((tid, m.group(1)), None)
            if o is None:
                continue
            flags = "|".join(sorted(set(o[1].split("|")) - {""}))
            # a mutex/rwsem that spun first: report as the sleeping lock
            lt = lock_type(flags)
            fr = [f for f in o[2] if f != "[unknown]"]
            recs.append(dict(addr=m.group(1), type=lt, wait=t - o[0],
                             label=label(fr, lt), caller=caller(fr),
                             ctx=context(fr, o[3]), comm=o[3],
                             dbench=o[3] == dbench_comm, stack=fr[:12]))
        else:
            others[ev] += 1
    # one address is one lock: give every contention on an address the
    # label most of that address's contentions got from their call chains
    # (e.g. the rq lock taken inside try_to_wake_up, where rq_lock() is
    # inlined, gets the label the rq lock has in __schedule)
    byaddr = defaultdict(Counter)
    for r in recs:
        byaddr[r["addr"]][r["label"]] += 1
    weak = ("other", "p->pi_lock", "wait_queue_head")
    for r in recs:
        labs = [lab for lab, _ in byaddr[r["addr"]].most_common()
                if not lab.startswith(weak)] or \
               [lab for lab, _ in byaddr[r["addr"]].most_common()
                if not lab.startswith("other")]
        if labs and labs[0] != r["label"]:
            r["chain_label"] = r["label"]
            r["label"] = labs[0]
    span = (t1 - t0) if t0 is not None and t1 is not None else duration
    return recs, span, others


def agg(recs, keyf):
    d = defaultdict(lambda: dict(n=0, tot=0.0, mx=0.0, types=Counter(), callers=Counter(),
                                 ctx=Counter(), addrs=Counter(), dbn=0))
    for r in recs:
        a = d[keyf(r)]
        a["n"] += 1
        a["tot"] += r["wait"]
        a["mx"] = max(a["mx"], r["wait"])
        a["types"][r["type"]] += 1
        a["callers"][r["caller"]] += 1
        a["ctx"][r["ctx"]] += 1
        a["addrs"][r["addr"]] += 1
        a["dbn"] += r["dbench"]
    return d


def parse_dbench(path):
    ops = {}
    thr = None
    lines = open(path, errors="replace").read().splitlines()
    intable = False
    for ln in lines:
        if re.match(r"^\s*Operation\s+Count\s+AvgLat\s+MaxLat", ln):
            intable = True
            continue
        if intable:
            m = re.match(r"^\s*(\w+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s*$", ln)
            if m:
                ops[m.group(1)] = dict(count=int(m.group(2)), avg_ms=float(m.group(3)),
                                       max_ms=float(m.group(4)))
        m = re.search(r"Throughput ([\d.]+) MB/sec\s+(\d+) clients.*max_latency=([\d.]+) ms", ln)
        if m:
            thr = dict(mbps=float(m.group(1)), clients=int(m.group(2)),
                       max_latency_ms=float(m.group(3)))
    return ops, thr


def parse_time(path):
    out = {}
    if not os.path.exists(path):
        return out
    for ln in open(path):
        ln = ln.strip()
        for key, name in (("Voluntary context switches", "vcsw"),
                          ("Involuntary context switches", "ivcsw"),
                          ("User time (seconds)", "user_s"),
                          ("System time (seconds)", "sys_s")):
            if ln.startswith(key + ":"):
                out[name] = float(ln.split(":")[-1])
        if ln.startswith("Elapsed (wall clock)"):
            v = ln.split(": ")[-1]
            parts = [float(x) for x in v.split(":")]
            s = 0.0
            for p in parts:
                s = s * 60 + p
            out["elapsed_s"] = s
    return out


def cpu_split(d):
    def rd(p):
        for ln in open(p):
            if ln.startswith("cpu "):
                v = [int(x) for x in ln.split()[1:]]
            if ln.startswith("ctxt "):
                c = int(ln.split()[1])
        return v, c
    (a, ca), (b, cb) = rd(d + "/stat.before"), rd(d + "/stat.after")
    dv = [y - x for x, y in zip(a, b)]
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    tot = sum(dv[:8]) or 1
    res = {n: 100.0 * dv[i] / tot for i, n in enumerate(names)}
    res["ctxt"] = cb - ca
    return res


def irq_delta(d):
    def rd(p):
        out = {}
        for ln in open(p):
            parts = ln.split()
            if parts and parts[0].rstrip(":") in ("RES", "CAL", "TLB", "LOC", "IWI", "PMI"):
                nums = []
                for x in parts[1:]:
                    if x.isdigit():
                        nums.append(int(x))
                    else:
                        break
                out[parts[0].rstrip(":")] = sum(nums)
        return out
    a, b = rd(d + "/interrupts.before"), rd(d + "/interrupts.after")
    return {k: b[k] - a.get(k, 0) for k in b}


def wall(d):
    try:
        return float(open(d + "/t.after").read()) - float(open(d + "/t.before").read())
    except OSError:
        return None


def loopdev_kdev(d):
    try:
        txt = open(d + "/mount.txt").read()
    except OSError:
        return None
    m = re.search(r"loopdev: \S+ (\d+) (\d+)", txt)
    return (int(m.group(1)), int(m.group(2))) if m else None


def analyze_c(d):
    res = {}
    pf = d + "/perf_script.txt.gz"
    if os.path.exists(pf):
        ev = Counter()
        runst = defaultdict(lambda: Counter())
        for comm, tid, cpu, t, e, rest, frames in read_events(pf):
            m = re.search(r"dev (\d+),(\d+)", rest)
            dev = (int(m.group(1)), int(m.group(2))) if m else None
            if dev is None:	# "[FAILED TO PARSE] dev=7340032 ..." (raw dev_t)
                m = re.search(r"dev=(\d+)", rest)
                if m:
                    v = int(m.group(1))
                    dev = (v >> 20, v & 0xfffff)
            ev[(e, dev)] += 1
            if e == "jbd2:jbd2_run_stats":
                for k in ("handle_count", "blocks", "blocks_logged"):
                    mm = re.search(r"\b" + k + r"[ =](\d+)", rest)
                    if mm:
                        runst[dev][k] += int(mm.group(1))
                runst[dev]["n"] += 1
        res["events"] = {"%s dev=%s" % (e, "%d,%d" % dv if dv else "-"): n
                         for (e, dv), n in sorted(ev.items(), key=lambda x: -x[1])}
        res["run_stats"] = {"%d,%d" % k if k else "-": dict(v) for k, v in runst.items()}
    ps = d + "/perfstat.csv"
    if os.path.exists(ps):
        cnt = {}
        for ln in open(ps):
            p = ln.strip().split(",")
            if len(p) >= 3 and p[0].replace(".", "").isdigit():
                cnt[p[2]] = float(p[0])
        res["perfstat"] = cnt
    return res


def fmt_us(s):
    return "%.1f" % (s * 1e6)


def main():
    raw = sys.argv[1]
    top = 15
    if "--top" in sys.argv:
        top = int(sys.argv[sys.argv.index("--top") + 1])
    summary = {}
    env = open(os.path.join(raw, "env.txt")).read() if os.path.exists(
        os.path.join(raw, "env.txt")) else ""
    dur = int(re.search(r"DURATION=(\d+)", env).group(1)) if "DURATION=" in env else 25
    print("# dbench lock/scheduling profile\n")
    print("```\n" + env.strip() + "\n```\n")
    tags = sorted(t for t in os.listdir(raw) if os.path.isdir(os.path.join(raw, t)))
    for tag in tags:
        s = summary[tag] = {}
        base = os.path.join(raw, tag)
        print("## %s\n" % tag)
        # ---- per run: throughput, ops, ctx switches, CPU, IPIs
        print("| run | MB/s | ops/s | dbench vcsw/s | ivcsw/s | user% | sys% | idle% | iowait% "
              "| softirq% | ctxt/s (system) | RES/s | CAL/s | TLB/s | wall s | foreign user CPU s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in sorted(os.listdir(base)):
            d = os.path.join(base, r)
            if not os.path.isdir(d) or not os.path.exists(d + "/dbench.txt"):
                continue
            ops, thr = parse_dbench(d + "/dbench.txt")
            tm = parse_time(d + "/time.txt")
            cpu = cpu_split(d)
            irq = irq_delta(d)
            w = wall(d) or tm.get("elapsed_s") or dur
            el = tm.get("elapsed_s") or w
            tot_ops = sum(o["count"] for o in ops.values())
            rs = s.setdefault(r, {})
            rs.update(dict(throughput=thr, ops=ops, total_ops=tot_ops,
                           ops_per_s=tot_ops / dur, time=tm, cpu=cpu, irq=irq,
                           wall_s=w))
            print("| %s | %.1f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f "
                  "| %.0f | %.0f | %.0f | %.1f | %s |" % (
                      r, thr["mbps"] if thr else float("nan"), tot_ops / dur,
                      tm.get("vcsw", 0) / el, tm.get("ivcsw", 0) / el,
                      cpu["user"] + cpu["nice"], cpu["system"], cpu["idle"], cpu["iowait"],
                      cpu["softirq"] + cpu["irq"], cpu["ctxt"] / w,
                      irq.get("RES", 0) / w, irq.get("CAL", 0) / w, irq.get("TLB", 0) / w, w,
                      open(d + "/foreign_user_s").read().strip()
                      if os.path.exists(d + "/foreign_user_s") else "?"))
        print()
        a = s.get("A")
        if a and a["ops"]:
            print("Operation mix (run A, %d s execute phase):\n" % dur)
            print("| op | count | per s | share | avg ms | max ms |")
            print("|---|---|---|---|---|---|")
            for k, o in sorted(a["ops"].items(), key=lambda x: -x[1]["count"]):
                print("| %s | %d | %.0f | %.1f%% | %.3f | %.3f |" % (
                    k, o["count"], o["count"] / dur, 100.0 * o["count"] / a["total_ops"],
                    o["avg_ms"], o["max_ms"]))
            print()
        # ---- locks (run B)
        pb = os.path.join(base, "B", "perf_script.txt.gz")
        if os.path.exists(pb):
            recs, span, others = analyze_locks(pb, dur)
            b = s["B"]
            bops = b["total_ops"] or 1
            el = (b["time"].get("elapsed_s") or span)
            byl = agg(recs, lambda r: r["label"])
            totn = len(recs)
            totw = sum(r["wait"] for r in recs)
            s["locks"] = {}
            print("Lock contention (run B, perf record of lock:contention_begin/end, "
                  "%.1f s, %d contentions, %.1f ms total wait, %.0f /s; %.3f per dbench op; "
                  "dbench ops in B: %d):\n" % (el, totn, totw * 1e3, totn / el, totn / bops, bops))
            print("| lock (from call chain) | types | count | /s | per 1k dbench ops | "
                  "total wait ms | avg us | max us | in dbench tasks | top callers | "
                  "top contexts (syscall) | distinct addrs |")
            print("|---|---|---|---|---|---|---|---|---|---|---|---|")
            for lab, v in sorted(byl.items(), key=lambda x: -x[1]["tot"])[:top]:
                s["locks"][lab] = dict(count=v["n"], per_s=v["n"] / el,
                                       per_kop=1000.0 * v["n"] / bops,
                                       total_wait_ms=v["tot"] * 1e3,
                                       avg_us=v["tot"] / v["n"] * 1e6, max_us=v["mx"] * 1e6,
                                       types=dict(v["types"]), callers=v["callers"].most_common(5),
                                       contexts=v["ctx"].most_common(6),
                                       addrs=len(v["addrs"]))
                print("| %s | %s | %d | %.0f | %.2f | %.2f | %s | %s | %d%% | %s | %s | %d |" % (
                    lab, ", ".join("%s:%d" % kv for kv in v["types"].most_common(3)),
                    v["n"], v["n"] / el, 1000.0 * v["n"] / bops, v["tot"] * 1e3,
                    fmt_us(v["tot"] / v["n"]), fmt_us(v["mx"]), 100 * v["dbn"] // v["n"],
                    "; ".join("%s %d" % kv for kv in v["callers"].most_common(3)),
                    "; ".join("%s %d" % kv for kv in v["ctx"].most_common(4)),
                    len(v["addrs"])))
            print()
            # per dbench op (syscall) view
            byctx = agg([r for r in recs if r["dbench"]], lambda r: r["ctx"])
            print("Contention inside dbench tasks by syscall (-> dbench op):\n")
            print("| syscall | dbench op | contentions | per 1k dbench ops | per op of that kind "
                  "| wait ms | top locks |")
            print("|---|---|---|---|---|---|---|")
            opsb = b["ops"]
            for ctx, v in sorted(byctx.items(), key=lambda x: -x[1]["n"])[:top]:
                sc = ctx[4:] if ctx.startswith("sys_") else ctx
                op = SYSCALL_OP.get(sc, "")
                nop = 0
                for k in op.replace("/", " ").split():
                    nop += opsb.get(k, {}).get("count", 0)
                labs = Counter(r["label"] for r in recs if r["dbench"] and r["ctx"] == ctx)
                print("| %s | %s | %d | %.2f | %s | %.2f | %s |" % (
                    ctx, op, v["n"], 1000.0 * v["n"] / bops,
                    "%.4f" % (v["n"] / nop) if nop else "", v["tot"] * 1e3,
                    "; ".join("%s %d" % kv for kv in labs.most_common(3))))
            print()
            # j_state_lock details
            js = [r for r in recs if r["label"].startswith("journal->j_state_lock")]
            if js:
                print("j_state_lock contention by type and caller:\n")
                print("| type | caller | count | /s | avg us | max us |")
                print("|---|---|---|---|---|---|")
                g = agg(js, lambda r: (r["type"], r["caller"]))
                for (t, c), v in sorted(g.items(), key=lambda x: -x[1]["n"])[:12]:
                    print("| %s | %s | %d | %.1f | %s | %s |" % (
                        t, c, v["n"], v["n"] / el, fmt_us(v["tot"] / v["n"]), fmt_us(v["mx"])))
                print()
                s["j_state_lock_by_type"] = {t: n for t, n in Counter(
                    r["type"] for r in js).items()}
            # sleeping locks
            sl = [r for r in recs if r["type"].startswith(("mutex", "rwsem", "percpu"))]
            print("Sleeping locks (mutex/rwsem): %d contentions, %.2f ms wait" % (
                len(sl), sum(r["wait"] for r in sl) * 1e3))
            g = agg(sl, lambda r: (r["type"], r["label"], r["caller"]))
            for (t, lab, c), v in sorted(g.items(), key=lambda x: -x[1]["n"])[:8]:
                print("  - %s %s via %s: %d, avg %s us, max %s us" % (
                    t, lab, c, v["n"], fmt_us(v["tot"] / v["n"]), fmt_us(v["mx"])))
            print()
            oth = agg([r for r in recs if r["label"].startswith("other")],
                      lambda r: (r["type"], r["caller"]))
            if oth:
                print("Unlabelled (top callers): " + "; ".join(
                    "%s %s %d" % (t, c, v["n"]) for (t, c), v in
                    sorted(oth.items(), key=lambda x: -x[1]["n"])[:8]) + "\n")
            if others:
                print("Other events in B: " + ", ".join("%s %d" % kv for kv in others.items()) + "\n")
        # ---- jbd2 (run C)
        dc = os.path.join(base, "C")
        if os.path.isdir(dc):
            c = analyze_c(dc)
            s["C_counts"] = c
            el = s["C"]["time"].get("elapsed_s") or dur
            kd = loopdev_kdev(dc)
            kds = "%d,%d" % kd if kd else None
            ps = c.get("perfstat", {})
            if ps:
                print("perf stat (run C, system-wide, %.1f s): " % (s["C"]["wall_s"]) + ", ".join(
                    "%s %.0f/s" % (k, v / s["C"]["wall_s"]) for k, v in ps.items()) + "\n")
            evs = c.get("events", {})
            if evs:
                print("jbd2/ext4 tracepoints (run C, per second over dbench's %.1f s; "
                      "test fs dev=%s):\n" % (el, kds))
                for k, v in evs.items():
                    print("  - %s: %d (%.1f/s)" % (k, v, v / el))
                rs = c.get("run_stats", {})
                for dev, v in rs.items():
                    n = v.get("n", 0) or 1
                    print("  - run_stats dev=%s: %d transactions, %.1f handles/txn, "
                          "%.1f blocks/txn, %.1f blocks_logged/txn" % (
                              dev, v.get("n", 0), v.get("handle_count", 0) / n,
                              v.get("blocks", 0) / n, v.get("blocks_logged", 0) / n))
                if kds and kds in rs:
                    v = rs[kds]
                    n = v.get("n", 0)
                    commits = evs.get("jbd2:jbd2_start_commit dev=%s" % kds, n)
                    bl = v.get("blocks_logged", 0) / (n or 1)
                    per = bl + 11
                    s["j_state_lock_write_est"] = dict(
                        commits_per_s=commits / el, blocks_logged_per_txn=bl,
                        write_acq_per_commit=per, write_acq_per_s=per * commits / el,
                        handles_per_s=v.get("handle_count", 0) / el)
                    print("\n  Estimated j_state_lock write acquisitions: %.1f commits/s x "
                          "(%.1f jbd2_journal_next_log_block per commit (= blocks_logged) + ~11 "
                          "fixed: ~7 in jbd2_journal_commit_transaction, ~2 kjournald2 loop, 1 "
                          "start_this_handle new transaction, 1 jbd2_log_start_commit) = ~%.0f/s; "
                          "read acquisitions >= handles %.0f/s (start_this_handle) + fsync path."
                          % (commits / el, bl, per * commits / el, v.get("handle_count", 0) / el))
                print()
    with open(os.path.join(raw, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, default=str)


if __name__ == "__main__":
    main()
