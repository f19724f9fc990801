#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarize the event files that newidle (newidle.c) wrote.

Usage: analyze.py RUN.bin...

For each file (named after its workload, e.g. pinned_fail.bin) prints:

1. The sched domains seen, and per CPU and domain the kernel's own
   sd->max_newidle_lb_cost as sampled at every blocking switch of any
   task (min / median / max, ns), with NI_RANDOM's newidle_ratio
   (min / median / max; "n/a" on kernels without it).  The kernel times
   each balance pass with sched_clock_cpu() and keeps the decaying maximum,
   so this is the tail of the per-pass cost, with no tracing inside it.
   Where the sampled value rises, the new value is exactly what the pass
   that raised it cost (capped at sysctl_sched_migration_cost + 200 ns):
   these are listed as "rises".

2. Bracket timings, dequeue of the blocking task -> sched_switch (ns), of
   the traced command's own tasks, per CPU and class:
     to_task  another task was runnable: no newly-idle call at all
     gate     going idle, rq->clock unchanged: the newly-idle call stopped
              at its first gate (rd not overloaded, or avg_idle too short)
     passed   going idle, rq->clock moved, nothing pulled: the call updated
              the blocked load and rolled NI_RANDOM's dice; some of these
              ran sched_balance_rq and failed
     pulled   the call pulled a task (sched_migrate_task to this CPU);
              pulled->mig is dequeue -> the first such migration
   with n / median / mean / p90 / p99 / max (nearest-rank percentiles).
   Switches with no dequeue seen (DELAY_DEQUEUE) are only counted.

3. For each "passed" row, an estimate of a balance pass that found
   nothing to pull: NI_RANDOM runs sched_balance_rq when a 1024-sided die
   shows at most 1 + newidle_ratio, so about k = sum((2 + ratio) / 1024)
   of the calls ran it; if those were the k slowest calls, the median of
   the k slowest is the whole call with a failed pass (biased up: noise
   such as vCPU preemption also lands in the slowest).
"""
import os
import statistics
import struct
import sys

MAGIC = b"NEWIDLE\0"
VERSION = 1
HEADER = struct.Struct("<8sII")
MAX_SD = 3
SD_FMT = "QIIi12s"
EVENT = struct.Struct("<5Q6I" + SD_FMT * MAX_SD)
SD_FIELDS = 5
NO_RATIO = 0xFFFFFFFF
CLASSES = ("to_task", "gate", "passed", "pulled", "pulled->mig")


def die(msg):
    print("analyze.py: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    """The events of one file as tuples (struct newidle_event order)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < HEADER.size:
        die("%s: too short for a header" % path)
    magic, version, size = HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION or size != EVENT.size:
        die("%s: not a version %d newidle file with %d-byte records"
            % (path, VERSION, EVENT.size))
    body = memoryview(data)[HEADER.size:]
    if len(body) % EVENT.size:
        die("%s: truncated (a partial record at the end)" % path)
    return list(EVENT.iter_unpack(body))


def percentile(sorted_v, p):
    """Nearest-rank percentile, as percentile_sorted() in ../common.h."""
    rank = max(1, min(len(sorted_v), -(-len(sorted_v) * p // 100)))
    return sorted_v[int(rank) - 1]


def domains(ev):
    """(cpu, level) -> samples [(cost, ratio)], name and span, rises."""
    samples, names, rises = {}, {}, {}
    for e in ev:
        cpu, nsd = e[5], e[10]
        for i in range(nsd):
            cost, ratio, span, level, name = e[11 + i * SD_FIELDS:
                                                11 + (i + 1) * SD_FIELDS]
            key = (cpu, level)
            names[key] = (name.split(b"\0")[0].decode(), span)
            s = samples.setdefault(key, [])
            if s and cost > s[-1][0]:
                rises.setdefault(key, []).append(cost)
            s.append((cost, ratio))
    return samples, names, rises


def brackets(ev):
    """(cpu, class) -> sorted dequeue->switch times of own tasks; the
    lowest domain's newidle_ratio of each "passed" call; no-dequeue count."""
    out, ratios, no_deq = {}, {}, 0
    for e in ev:
        (t_deq, t_mig, t_switch, clk_deq, clk_switch,
         cpu, n_deq, n_mig, to_idle, own, nsd) = e[:11]
        if not own:
            continue
        if not n_deq:
            no_deq += 1
            continue
        if n_mig:
            cls = "pulled"
            if t_mig >= t_deq:
                out.setdefault((cpu, "pulled->mig"), []).append(t_mig - t_deq)
        elif not to_idle:
            cls = "to_task"
        elif clk_switch == clk_deq:
            cls = "gate"
        else:
            cls = "passed"
            ratios.setdefault(cpu, []).append(e[12] if nsd else NO_RATIO)
        out.setdefault((cpu, cls), []).append(t_switch - t_deq)
    for v in out.values():
        v.sort()
    return out, ratios, no_deq


def pass_share(ratio):
    """Chance that NI_RANDOM's die lets a newly-idle call balance."""
    return 1.0 if ratio == NO_RATIO else min(1.0, (2 + ratio) / 1024)


def report(path):
    ev = load(path)
    run = os.path.splitext(os.path.basename(path))[0]
    own = sum(1 for e in ev if e[9])
    print("== %s: %d blocking switches, %d of the traced command (%s)"
          % (run, len(ev), own, path))

    samples, names, rises = domains(ev)
    print("\nkernel sd->max_newidle_lb_cost, ns, sampled at every blocking switch")
    print("%-4s %-10s %7s %8s %8s %8s   %s" % ("cpu", "domain", "n", "min",
          "median", "max", "newidle_ratio min/median/max"))
    for key in sorted(samples):
        cost = [c for c, _ in samples[key]]
        ratio = [r for _, r in samples[key] if r != NO_RATIO]
        name, span = names[key]
        rtxt = ("%d / %d / %d" % (min(ratio), statistics.median_low(ratio),
                                  max(ratio)) if ratio else "n/a")
        print("cpu%-1d %-10s %7d %8d %8d %8d   %s"
              % (key[0], "%s/%d" % (name, span), len(cost), min(cost),
                 statistics.median_low(cost), max(cost), rtxt))
    for key in sorted(rises):
        r = rises[key]
        print("cpu%d %s rises (the cost of the pass that set it): %s%s"
              % (key[0], names[key][0], " ".join(str(x) for x in r[:12]),
                 " ... (%d in all)" % len(r) if len(r) > 12 else ""))

    times, ratios, no_deq = brackets(ev)
    print("\ndequeue -> sched_switch, ns, own tasks")
    print("%-4s %-12s %7s %8s %8s %8s %8s %8s" % ("cpu", "class", "n",
          "median", "mean", "p90", "p99", "max"))
    for cpu in sorted({k[0] for k in times}):
        for cls in CLASSES:
            v = times.get((cpu, cls))
            if not v:
                continue
            print("cpu%-1d %-12s %7d %8d %8.0f %8d %8d %8d"
                  % (cpu, cls, len(v), statistics.median_low(v),
                     statistics.fmean(v), percentile(v, 90),
                     percentile(v, 99), v[-1]))
    print("(own blocking switches with no dequeue seen: %d)" % no_deq)
    for cpu in sorted(ratios):
        v = times[(cpu, "passed")]
        k = round(sum(pass_share(r) for r in ratios[cpu]))
        if k:
            print("cpu%d passed: ~%d ran a balance pass; median of the %d"
                  " slowest: %d ns" % (cpu, k, k,
                                       statistics.median_low(v[-k:])))
    print()


def main():
    if len(sys.argv) < 2 or any(a.startswith("-") for a in sys.argv[1:]):
        print("usage: analyze.py RUN.bin...", file=sys.stderr)
        sys.exit(2)
    for path in sys.argv[1:]:
        try:
            report(path)
        except OSError as err:
            die(str(err))


if __name__ == "__main__":
    main()
