#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The host cases, real beside simulated: this machine's kernel
(validation/host/run.sh's JSON) and oversub's host model on the same cases
(`oversub run validation/model/host-*.ini --json`, one file per case in a
directory). Prints markdown tables; a CPU share is within its bound at one
point (0.01 of a CPU), the other metrics are set side by side.

    compare.py --real host.json --model DIR
"""

import argparse
import json
import os
import sys

SHARE_BOUND = 0.01


def real_metric(tests, test, key):
    try:
        return tests[test]["metrics"][key]["median"]
    except KeyError:
        return None


def model_tasks(d, case):
    path = os.path.join(d, f"host-{case}.json")
    try:
        with open(path) as f:
            return {t["name"]: t for t in json.load(f)["summary"]["tasks"]}
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"compare.py: {path}: {e}")


def mean(tasks, prefix, key):
    vals = [t[key] for n, t in tasks.items() if n.startswith(prefix)]
    return sum(vals) / len(vals) if vals else None


# (case, real test, [(metric, real key, task, model key, scale, is_share)])
CASES = [
    (f"nice{n}", f"4_nice0_vs_nice{n}", [
        ("nice 0: CPU", "nice0_frac", "nice0", "cpu", 1, True),
        (f"nice {n}: CPU", "niceB_frac", f"nice{n}", "cpu", 1, True),
        ("nice 0: mean run (us)", "nice0_mean_run_ns", "nice0", "run_us",
         1e-3, False),
        (f"nice {n}: mean run (us)", "niceB_mean_run_ns", f"nice{n}",
         "run_us", 1e-3, False),
    ]) for n in (1, 5, 10)
] + [
    ("sleeper", "4_sleeper_vs_hog", [
        ("sleeper: CPU", "sleeper_frac", "sleeper", "cpu", 1, True),
        ("hog: CPU", "hog_frac", "hog", "cpu", 1, True),
        ("sleeper: loops/s", "loops_per_s", "sleeper", "runs_per_s", 1,
         False),
        ("sleeper: mean run (us)", "sleeper_mean_run_ns", "sleeper",
         "run_us", 1e-3, False),
        ("sleeper: wakeup latency (us)", "sleeper_wait_per_run_ns",
         "sleeper", "wakeup_us", 1e-3, False),
        ("hog: mean run (us)", "hog_mean_run_ns", "hog", "run_us", 1e-3,
         False),
    ]),
    ("yield", "4_yield_vs_hog", [
        ("yielder: CPU", "yielder_frac", "yielder", "cpu", 1, True),
        ("hog: CPU", "hog_frac", "hog", "cpu", 1, True),
        ("yielder: yields/s", "yields_per_s", "yielder", "yields_per_s", 1,
         False),
        ("yielder: runs/s", "yielder_runs_per_s", "yielder", "runs_per_s",
         1, False),
        ("yielder: mean run (us)", "yielder_mean_run_ns", "yielder",
         "run_us", 1e-3, False),
        ("hog: mean run (us)", "hog_mean_run_ns", "hog", "run_us", 1e-3,
         False),
    ]),
    ("three-hogs", "1_hogs", [
        ("each hog: CPU", "hog_cpu_frac", "hog", "cpu", 1, True),
        ("each hog: migrations/s", "hog_migr_per_s", "hog",
         "migrations_per_s", 1, False),
        ("each hog: mean run (us)", "hog_mean_run_ns", "hog", "run_us",
         1e-3, False),
    ]),
]


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.4f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", required=True)
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    try:
        with open(a.real) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"compare.py: {a.real}: {e}")
    out, misses = [], []
    for case, test, metrics in CASES:
        tasks = model_tasks(a.model, case)
        out.append(f"**{case}** (`{tests.get(test, {}).get('command', '?')}`"
                   f" / `validation/model/host-{case}.ini`)\n")
        out.append("| metric | real | model | gap | bound |")
        out.append("|---|---|---|---|---|")
        for name, rkey, task, mkey, scale, share in metrics:
            r = real_metric(tests, test, rkey)
            r = r * scale if r is not None else None
            m = mean(tasks, task, mkey)
            if r is None or m is None:
                gap, ok = "n/a", ""
            elif share:
                gap = f"{(m - r) * 100:+.2f} pts"
                ok = "ok" if abs(m - r) <= SHARE_BOUND else "OUT"
                if ok == "OUT":
                    misses.append(f"{case}: {name}")
            else:
                gap, ok = (f"x{m / r:.2f}" if r else "n/a"), ""
            out.append(f"| {name} | {fmt(r)} | {fmt(m)} | {gap} | {ok} |")
        out.append("")
    out.append("Host shares outside one point: " +
               (", ".join(misses) if misses else "none") + ".")
    print("\n".join(out))


if __name__ == "__main__":
    main()
