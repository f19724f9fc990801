#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Profile a real program on this machine, as oversub's workload models
are profiled (`oversub profile`): throughput, where the CPUs' time goes,
and context switches, IPIs, TLB shootdowns and lock contentions per unit
of work. Writes one JSON object (the schema of docs/validation.md).

    measure.py --workload W --threads N --parser P --out F [--variant V]
               [--locks] -- COMMAND [ARG...]

Run as root. The command runs in a cgroup of its own (cgroup v2 cpu.stat
or v1 cpuacct), so the CPU time of every process it starts counts, short
ones included. While it runs, every 0.25 s: /proc/stat (all CPUs), the
RES, CAL and TLB rows of /proc/interrupts, and the cgroup's user and
system time. `perf record -a` records sched_switch, sched_process_fork
and tlb_flush (reason 4: a flush_tlb_multi() that may send IPIs) over the
same time: the program's context switches are those of the processes it
forked, voluntary when the thread left the CPU asleep, involuntary when
it was still runnable (prev_state R).

Each line the command prints is passed to the parser P (a command, run
once the command has exited) as "SECONDS<TAB>LINE" on standard input,
SECONDS since the command started. P prints a JSON object: "unit" (what
one operation is), "ops" (operations done in the measured window) and
optionally "t0" and "t1", the window in the same seconds (default: the
whole run). Every figure is taken over [t0, t1]; sampled counters are
interpolated between samples.

With --locks the command runs a second time under `perf record` of
lock:contention_begin/end; the contentions that begin in that run's
window, their mean wait and their kinds (spin, rwlock, rwsem, mutex, from
the tracepoint's flags) are reported per operation of that run.

"other_user_cpus" is the user time of other processes meanwhile, in CPUs
(the machine's user time less the program's): other work that distorts
the system-wide counts (IPIs, TLB flushes, lock contentions); near 0 for
a clean run.
"""

import argparse
import bisect
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

PERIOD = 0.25
STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq",
               "softirq", "steal")
TICK = os.sysconf("SC_CLK_TCK")
# lock:contention_begin flags (include/trace/events/lock.h)
LOCK_BITS = {"SPIN": 1, "READ": 2, "WRITE": 4, "MUTEX": 32}


def die(msg, status=2):
    print(f"measure.py: {msg}", file=sys.stderr)
    sys.exit(status)


def read_stat():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu "):
                vals = [int(x) for x in line.split()[1:1 + len(STAT_FIELDS)]]
                return dict(zip(STAT_FIELDS, vals))
    die("/proc/stat has no cpu line", 1)
    return None


def read_interrupts():
    out = {"ipi_res": 0, "ipi_cal": 0, "ipi_tlb": 0}
    names = {"RES:": "ipi_res", "CAL:": "ipi_cal", "TLB:": "ipi_tlb"}
    ncpu = os.cpu_count()
    with open("/proc/interrupts") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0] in names:
                out[names[parts[0]]] = sum(int(x) for x in parts[1:1 + ncpu])
    return out


class Cgroup:
    """A cgroup for the command: its CPU time, exited tasks included."""

    def __init__(self):
        name = f"oversub-measure.{os.getpid()}"
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            self.path = f"/sys/fs/cgroup/{name}"
            self.v2 = True
        elif os.path.isdir("/sys/fs/cgroup/cpuacct"):
            self.path = f"/sys/fs/cgroup/cpuacct/{name}"
            self.v2 = False
        else:
            die("no cgroup v2 and no v1 cpuacct hierarchy: cannot account "
                "the program's CPU time", 1)
        try:
            os.mkdir(self.path)
        except OSError as e:
            die(f"cannot create {self.path}: {e.strerror} (run as root)", 1)

    def wrap(self, cmd):
        """cmd, made to join the cgroup before it runs."""
        return ["sh", "-c", f'echo $$ > {self.path}/cgroup.procs && '
                'exec "$@"', "sh"] + cmd

    def cpu(self):
        """(user, system) seconds so far."""
        vals = {}
        with open(os.path.join(self.path,
                               "cpu.stat" if self.v2 else "cpuacct.stat")) \
                as f:
            for line in f:
                k, v = line.split()
                vals[k] = int(v)
        if self.v2:
            return vals["user_usec"] / 1e6, vals["system_usec"] / 1e6
        return vals["user"] / TICK, vals["system"] / TICK

    def remove(self):
        try:
            os.rmdir(self.path)
        except OSError:
            pass


class Sampler(threading.Thread):
    """Samples the counters every PERIOD until stopped."""

    def __init__(self, cg, t_start):
        super().__init__(daemon=True)
        self.cg, self.t_start = cg, t_start
        self.samples = []  # (t, stat, interrupts, (user, system))
        self.stop = threading.Event()

    def sample(self):
        t = time.monotonic() - self.t_start
        self.samples.append((t, read_stat(), read_interrupts(),
                             self.cg.cpu()))

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(PERIOD)
        self.sample()


def at(times, values, t):
    """values (a list of numbers) at time t, linear between samples."""
    i = bisect.bisect_left(times, t)
    if i <= 0:
        return values[0]
    if i >= len(times):
        return values[-1]
    t0, t1 = times[i - 1], times[i]
    f = (t - t0) / (t1 - t0) if t1 > t0 else 1.0
    return values[i - 1] + f * (values[i] - values[i - 1])


def delta(times, values, t0, t1):
    return at(times, values, t1) - at(times, values, t0)


def perf_record(path, events):
    """perf record -a of events ([(name, filter or None)]), in the
    background."""
    cmd = ["perf", "record", "-q", "-a", "-k", "CLOCK_MONOTONIC", "-o", path]
    for ev, flt in events:
        cmd += ["-e", ev]
        if flt:
            cmd += ["--filter", flt]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.0)  # let it attach
    return proc


def perf_stop(proc):
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait()


def perf_script(path, fields):
    res = subprocess.run(["perf", "script", "-i", path, "-F", fields],
                         capture_output=True, text=True, check=False)
    return res.stdout.splitlines()


def run_command(cmd, cg, events, data):
    """Run cmd in cg with perf recording events into data; returns
    (t_start, lines, status, sampler)."""
    perf = perf_record(data, events)
    t_start = time.monotonic()
    try:
        proc = subprocess.Popen(cg.wrap(cmd), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True, text=True,
                                errors="replace")
    except OSError as e:
        perf_stop(perf)
        die(f"cannot run {cmd[0]}: {e.strerror}")
    sampler = Sampler(cg, t_start)
    sampler.start()
    lines = []
    for line in proc.stdout:
        lines.append((time.monotonic() - t_start, line.rstrip("\n")))
    status = proc.wait()
    sampler.stop.set()
    sampler.join()
    perf_stop(perf)
    return t_start, proc.pid, lines, status, sampler


def parse_output(parser, lines):
    text = "".join(f"{t:.3f}\t{l}\n" for t, l in lines)
    try:
        res = subprocess.run(parser, shell=True, input=text, text=True,
                             capture_output=True, check=False)
    except OSError as e:
        die(f"parser {parser}: {e.strerror}", 1)
    try:
        out = json.loads(res.stdout)
        ops = float(out["ops"])
    except (ValueError, KeyError, TypeError):
        tail = "\n".join(l for _, l in lines[-10:])
        die(f"parser {parser} gave no ops (status {res.returncode}): "
            f"{res.stdout.strip()!r} {res.stderr.strip()!r}\n"
            f"command output ends:\n{tail}", 1)
    t_end = lines[-1][0] if lines else 0.0
    t0 = float(out.get("t0", 0.0))
    t1 = float(out.get("t1", t_end))
    if not t1 > t0:
        die(f"parser {parser}: empty window [{t0}, {t1}]", 1)
    return out.get("unit", "op"), ops, t0, t1


def field(parts, name):
    """The value of NAME=VALUE among a tracepoint's fields."""
    for p in parts:
        if p.startswith(name + "="):
            return p[len(name) + 1:]
    return None


def switches_and_flushes(data, root, t_start, t0, t1):
    """(voluntary, involuntary) switches of root's process tree and the
    machine's tlb_flush (reason 4) events in [t0, t1]."""
    tree, vol, inv, flushes = {root}, 0, 0, 0
    for line in perf_script(data, "tid,time,event,trace"):
        parts = line.split()
        if len(parts) < 3:
            continue
        try:
            t = float(parts[1].rstrip(":")) - t_start
        except ValueError:
            continue
        ev = parts[2]
        if "sched_process_fork" in ev:
            parent, child = field(parts, "pid"), field(parts, "child_pid")
            if parent and child and int(parent) in tree:
                tree.add(int(child))
        elif not t0 <= t < t1:
            continue
        elif "sched_switch" in ev:
            pid, state = field(parts, "prev_pid"), field(parts, "prev_state")
            if pid and int(pid) in tree and state:
                if state.startswith("R"):
                    inv += 1
                elif state[0] not in "ZX":  # not its exit
                    vol += 1
        elif "tlb_flush" in ev:
            flushes += 1
    return vol, inv, flushes


def lock_profile(cmd, parser):
    """Contentions per kind in the measured window of a run under perf
    record; (ops of that run, {kind: [count, wait_ns]})."""
    tmp = tempfile.mkdtemp(prefix="measure-locks.")
    data = os.path.join(tmp, "perf.data")
    cg = Cgroup()
    try:
        t_start, _, lines, status, _ = run_command(
            cmd, cg, [("lock:contention_begin", None),
                      ("lock:contention_end", None)], data)
    finally:
        cg.remove()
    if status:
        die(f"{cmd[0]} under perf record exited with status {status}", 1)
    _, ops, t0, t1 = parse_output(parser, lines)
    kinds, open_ = {}, {}  # kind -> [count, wait ns]; tid -> (t, kind)
    for line in perf_script(data, "tid,time,event,trace"):
        parts = line.split()
        if len(parts) < 3:
            continue
        try:
            tid = int(parts[0])
            t = float(parts[1].rstrip(":")) - t_start
        except ValueError:
            continue
        if "contention_begin" in parts[2]:
            flags = 0
            for p in parts[3:]:
                if p.startswith("(flags="):
                    flags = sum(LOCK_BITS.get(n, 0) for n in
                                p[len("(flags="):].rstrip(")").split("|"))
            rw = flags & (LOCK_BITS["READ"] | LOCK_BITS["WRITE"])
            if flags & LOCK_BITS["MUTEX"]:
                kind = "mutex"
            elif flags & LOCK_BITS["SPIN"]:
                kind = "rwlock" if rw else "spin"
            else:
                kind = "rwsem" if rw else "other"
            # a mutex that spins, then sleeps, begins twice: the first
            # begin is when the wait started
            open_.setdefault(tid, (t, kind))
        elif "contention_end" in parts[2] and tid in open_:
            tb, kind = open_.pop(tid)
            if t0 <= tb < t1:
                k = kinds.setdefault(kind, [0, 0.0])
                k[0] += 1
                k[1] += (t - tb) * 1e9
    shutil.rmtree(tmp, ignore_errors=True)
    return ops, kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", required=True)
    ap.add_argument("--variant", default="")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--parser", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--locks", action="store_true")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        die("no command after --")
    if a.threads < 1:
        die(f"--threads: must be at least 1, got {a.threads}")
    if not shutil.which("perf"):
        die("perf is not installed (Debian: apt-get install linux-perf)", 1)

    tmp = tempfile.mkdtemp(prefix="measure.")
    data = os.path.join(tmp, "perf.data")
    cg = Cgroup()
    try:
        t_start, root, lines, status, smp = run_command(
            cmd, cg, [("sched:sched_switch", None),
                      ("sched:sched_process_fork", None),
                      ("tlb:tlb_flush", "reason == 4")], data)
    finally:
        cg.remove()
    if status:
        tail = "\n".join(l for _, l in lines[-10:])
        die(f"{cmd[0]} exited with status {status}:\n{tail}", 1)
    unit, ops, t0, t1 = parse_output(a.parser, lines)
    vol, inv, flushes = switches_and_flushes(data, root, t_start, t0, t1)
    shutil.rmtree(tmp, ignore_errors=True)

    times = [s[0] for s in smp.samples]
    ticks = {f: delta(times, [s[1][f] for s in smp.samples], t0, t1)
             for f in STAT_FIELDS}
    total = sum(ticks.values()) or 1.0
    cpu = {f: round(100.0 * v / total, 2) for f, v in ticks.items()}
    secs = t1 - t0
    ncpu = os.cpu_count()
    prog = {"user": delta(times, [s[3][0] for s in smp.samples], t0, t1)
            / secs,
            "system": delta(times, [s[3][1] for s in smp.samples], t0, t1)
            / secs}
    other_user = max(0.0, (ticks["user"] + ticks["nice"]) / TICK / secs -
                     prog["user"])
    counts = {k: delta(times, [s[2][k] for s in smp.samples], t0, t1)
              for k in ("ipi_res", "ipi_cal", "ipi_tlb")}
    counts.update(cs_voluntary=vol, cs_involuntary=inv,
                  tlb_shootdowns=flushes)
    result = {
        "source": "real",
        "workload": a.workload,
        "variant": a.variant,
        "threads": a.threads,
        "unit": unit,
        "machine": {"cpus": ncpu, "kernel": platform.release()},
        "command": cmd,
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "seconds": round(secs, 3),
        "ops": ops,
        "ops_per_s": round(ops / secs, 3),
        "cpu_pct": cpu,
        "user_pct": round(cpu["user"] + cpu["nice"], 2),
        "kernel_pct": round(cpu["system"] + cpu["irq"] + cpu["softirq"], 2),
        "busy_pct": round(100.0 - cpu["idle"] - cpu["iowait"], 2),
        "program_cpus": {k: round(v, 4) for k, v in prog.items()},
        "other_user_cpus": round(other_user, 4),
        "per_op": {k: round(v / ops, 6) if ops else None
                   for k, v in counts.items()},
        "per_s": {k: round(v / secs, 2) for k, v in counts.items()},
        "locks": None,
    }
    if a.locks:
        lops, kinds = lock_profile(cmd, a.parser)
        n = sum(k[0] for k in kinds.values())
        wait = sum(k[1] for k in kinds.values())
        result["locks"] = {
            "ops": lops,
            "contentions_per_op": round(n / lops, 6) if lops else None,
            "mean_wait_us": round(wait / n / 1000.0, 2) if n else None,
            "by_kind": {k: {"per_op": round(c / lops, 6) if lops else None,
                            "mean_wait_us": round(w / c / 1000.0, 2)}
                        for k, (c, w) in sorted(kinds.items())},
        }
        result["per_op"]["lock_contentions"] = \
            result["locks"]["contentions_per_op"]
    tmp_out = a.out + ".tmp"
    with open(tmp_out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp_out, a.out)


if __name__ == "__main__":
    main()
