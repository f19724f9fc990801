#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Profile a real program on this machine, as oversub's workload models
are profiled (`oversub profile`): throughput, where the CPUs' time goes,
and context switches, IPIs, TLB shootdowns and lock contentions per unit
of work. Writes one JSON object (the schema of docs/validation.md).

    measure.py --workload W --threads N --parser P --out F [--variant V]
               [--locks] -- COMMAND [ARG...]

The command runs in a session of its own. While it runs, every 0.25 s:
/proc/stat (CPU time of all CPUs), the RES, CAL and TLB rows of
/proc/interrupts, and the voluntary and involuntary context switches of
every thread of the session (/proc/PID/task/TID/status; a thread that
exits keeps its last sample). `perf stat -a -I 250` counts sched_switch,
tlb_flush (remote IPI sends: the shootdowns) and the ipi_send tracepoints
over the same time.

Each line the command prints is passed to the parser P (a command, run
once the command has exited) as "SECONDS<TAB>LINE" on standard input,
SECONDS since the command started. P prints a JSON object: "unit" (what
one operation is), "ops" (operations done in the measured window) and
optionally "t0" and "t1", the window in the same seconds (default: the
whole run). Every counter is taken over [t0, t1], interpolated between
samples.

With --locks the command runs a second time under `perf record` of
lock:contention_begin/end (system wide, CLOCK_MONOTONIC); the contentions
that begin in that run's window, their mean wait and their kinds (spin,
rwlock, rwsem, mutex, from the tracepoint's flags) are reported per
operation of that run.
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
PERF_EVENTS = (
    ("sched:sched_switch", None, "cs_system"),
    ("tlb:tlb_flush", "reason == 4", "tlb_shootdowns"),
    ("ipi:ipi_send_cpu", None, "ipi_send_cpu"),
    ("ipi:ipi_send_cpumask", None, "ipi_send_cpumask"),
)
# lock:contention_begin flags (include/trace/events/lock.h)
LCB_F_SPIN, LCB_F_READ, LCB_F_WRITE, LCB_F_MUTEX = 1, 2, 4, 32


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


def session_tasks(sid):
    """(tid, voluntary, involuntary) of every thread whose session is sid."""
    tasks = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[3]) != sid:
                continue
            for tid in os.listdir(f"/proc/{pid}/task"):
                vol = inv = 0
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            vol = int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches"):
                            inv = int(line.split()[1])
                tasks.append((int(tid), vol, inv))
        except (OSError, IndexError, ValueError):
            continue  # exited while we looked
    return tasks


class Sampler(threading.Thread):
    """Samples the counters every PERIOD until stopped."""

    def __init__(self, sid, t_start):
        super().__init__(daemon=True)
        self.sid, self.t_start = sid, t_start
        self.samples = []  # (t, stat, interrupts, vol, inv)
        self.last = {}  # tid -> (vol, inv)
        self.stop = threading.Event()

    def sample(self):
        t = time.monotonic() - self.t_start
        stat, irq = read_stat(), read_interrupts()
        for tid, vol, inv in session_tasks(self.sid):
            self.last[tid] = (vol, inv)
        vol = sum(v for v, _ in self.last.values())
        inv = sum(i for _, i in self.last.values())
        self.samples.append((t, stat, irq, vol, inv))

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


def start_perf_stat(path):
    if not shutil.which("perf"):
        return None
    cmd = ["perf", "stat", "-a", "-I", str(int(PERIOD * 1000)), "-x,",
           "-o", path]
    for ev, flt, _ in PERF_EVENTS:
        cmd += ["-e", ev]
        if flt:
            cmd += ["--filter", flt]
    return subprocess.Popen(cmd + ["--", "sleep", "100000"],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def read_perf_stat(path, offset):
    """{key: (times, cumulative counts)}; offset: perf's start in our
    seconds."""
    series = {key: ([0.0], [0.0]) for _, _, key in PERF_EVENTS}
    names = {ev: key for ev, _, key in PERF_EVENTS}
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(",")
                if len(parts) < 4 or parts[3] not in names:
                    continue
                try:
                    t, n = float(parts[0]), float(parts[1])
                except ValueError:
                    continue  # "<not counted>"
                ts, cs = series[names[parts[3]]]
                ts.append(offset + t)
                cs.append(cs[-1] + n)
    except OSError:
        return None
    return series


def run_command(cmd, perf_prefix=None):
    """Run cmd (optionally under perf_prefix); returns (t_start, lines,
    status, sampler, perf stat series or None)."""
    tmp = tempfile.mkdtemp(prefix="measure.")
    stat_path = os.path.join(tmp, "stat.csv")
    perf = None if perf_prefix else start_perf_stat(stat_path)
    perf_t = time.monotonic()
    full = (perf_prefix or []) + cmd
    t_start = time.monotonic()
    try:
        proc = subprocess.Popen(full, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True, text=True,
                                errors="replace")
    except OSError as e:
        die(f"cannot run {full[0]}: {e.strerror}")
    sampler = Sampler(proc.pid, t_start)
    sampler.start()
    lines = []
    for line in proc.stdout:
        lines.append((time.monotonic() - t_start, line.rstrip("\n")))
    status = proc.wait()
    sampler.stop.set()
    sampler.join()
    series = None
    if perf:
        os.killpg(perf.pid, signal.SIGINT)
        perf.wait()
        series = read_perf_stat(stat_path, perf_t - t_start)
    shutil.rmtree(tmp, ignore_errors=True)
    return t_start, lines, status, sampler, series


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


def lock_profile(cmd, parser):
    """Contentions per kind in the measured window of a run under perf
    record; (ops of that run, {kind: [count, wait_ns]})."""
    tmp = tempfile.mkdtemp(prefix="measure-locks.")
    data = os.path.join(tmp, "perf.data")
    prefix = ["perf", "record", "-q", "-a", "-k", "CLOCK_MONOTONIC",
              "-e", "lock:contention_begin", "-e", "lock:contention_end",
              "-o", data, "--"]
    t_start, lines, status, _, _ = run_command(cmd, prefix)
    if status:
        die(f"{cmd[0]} under perf record exited with status {status}", 1)
    _, ops, t0, t1 = parse_output(parser, lines)
    script = subprocess.run(
        ["perf", "script", "-i", data, "-F", "tid,time,event,trace"],
        capture_output=True, text=True, check=False)
    shutil.rmtree(tmp, ignore_errors=True)
    kinds = {}
    open_ = {}  # tid -> (time, kind)
    for line in script.stdout.splitlines():
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
                    names = p[len("(flags="):].rstrip(")").split("|")
                    bits = {"SPIN": LCB_F_SPIN, "READ": LCB_F_READ,
                            "WRITE": LCB_F_WRITE, "MUTEX": LCB_F_MUTEX}
                    flags = sum(bits.get(n, 0) for n in names)
            if flags & LCB_F_MUTEX:
                kind = "mutex"
            elif flags & LCB_F_SPIN:
                kind = "rwlock" if flags & (LCB_F_READ | LCB_F_WRITE) \
                    else "spin"
            else:
                kind = "rwsem" if flags & (LCB_F_READ | LCB_F_WRITE) \
                    else "other"
            open_[tid] = (t, kind)
        elif "contention_end" in parts[2] and tid in open_:
            tb, kind = open_.pop(tid)
            if t0 <= tb < t1:
                k = kinds.setdefault(kind, [0, 0.0])
                k[0] += 1
                k[1] += (t - tb) * 1e9
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

    t_start, lines, status, smp, perf = run_command(cmd)
    if status:
        tail = "\n".join(l for _, l in lines[-10:])
        die(f"{cmd[0]} exited with status {status}:\n{tail}", 1)
    unit, ops, t0, t1 = parse_output(a.parser, lines)
    if not smp.samples:
        die("no samples taken", 1)
    times = [s[0] for s in smp.samples]
    ticks = {f: delta(times, [s[1][f] for s in smp.samples], t0, t1)
             for f in STAT_FIELDS}
    total = sum(ticks.values()) or 1.0
    cpu = {f: round(100.0 * v / total, 2) for f, v in ticks.items()}
    counts = {k: delta(times, [s[2][k] for s in smp.samples], t0, t1)
              for k in ("ipi_res", "ipi_cal", "ipi_tlb")}
    counts["cs_voluntary"] = delta(times, [s[3] for s in smp.samples], t0, t1)
    counts["cs_involuntary"] = delta(times, [s[4] for s in smp.samples],
                                     t0, t1)
    if perf:
        for key, (ts, cs) in perf.items():
            counts[key] = delta(ts, cs, t0, t1)
    secs = t1 - t0
    result = {
        "source": "real",
        "workload": a.workload,
        "variant": a.variant,
        "threads": a.threads,
        "unit": unit,
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release()},
        "command": cmd,
        "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "seconds": round(secs, 3),
        "ops": ops,
        "ops_per_s": round(ops / secs, 3),
        "cpu_pct": cpu,
        "user_pct": round(cpu["user"] + cpu["nice"], 2),
        "kernel_pct": round(cpu["system"] + cpu["irq"] + cpu["softirq"], 2),
        "busy_pct": round(100.0 - cpu["idle"] - cpu["iowait"], 2),
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
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
