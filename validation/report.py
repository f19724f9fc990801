#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The sim-vs-real gap report: each real program's profile on this machine
(validation/<workload>/run.sh -> validation/lib/measure.py) beside its
model's (`oversub profile validation/model/<workload>.ini`), metric by
metric, with the gap.

    report.py --real DIR --model DIR [--template T --out docs/validation.md]

DIR/<workload>/*.json are the profiles: the real ones carry "variant"
(ext4, tmpfs, ...), the model's come one per thread count. CPU time is
compared per thread: the real program's own threads' CPU time over its
thread count, the model's vCPUs' time; the whole machine's busy CPUs
(kernel threads working for the program included) are shown beside. Counts are compared per operation (the real program's unit).
A share is within its bound at 5 points, a count at a factor of 1.5
(docs/validation.md).
"""

import argparse
import glob
import json
import os
import sys
import time

SHARE_POINTS = 5.0
COUNT_FACTOR = 1.5
COUNTS = ("cs_voluntary", "cs_involuntary", "ipi_res", "ipi_cal",
          "ipi_tlb", "tlb_shootdowns", "lock_contentions")
# a count below this per operation on both sides is "none" on both
NEGLIGIBLE = 0.001


def load(d):
    """{workload: [profile, ...]} from DIR/<workload>/*.json."""
    out = {}
    for path in sorted(glob.glob(os.path.join(d, "*", "*.json"))):
        try:
            with open(path) as f:
                p = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"report.py: {path}: {e}")
        for prof in p if isinstance(p, list) else [p]:
            if not isinstance(prof, dict) or "source" not in prof:
                continue  # not a profile (a host case's run report)
            prof["_path"] = path
            out.setdefault(prof["workload"], []).append(prof)
    return out


def thread_shares(p):
    """(user, kernel, busy) in % of its threads' CPUs: the model's vCPUs;
    the real program's own threads (program_cpus over its thread count)."""
    if p["source"] == "model":
        return p["user_pct"], p["kernel_pct"], p["busy_pct"]
    u = 100.0 * p["program_cpus"]["user"] / p["threads"]
    k = 100.0 * p["program_cpus"]["system"] / p["threads"]
    return u, k, u + k


def machine_cpus(p):
    """The busy CPUs of the whole machine (real), or of the VM (model)."""
    if p["source"] == "model":
        return p["busy_pct"] * p["threads"] / 100.0
    return p["busy_pct"] * p["machine"]["cpus"] / 100.0


def count_gap(real, model):
    """(text, within bound) of a per-operation count."""
    if real is None or model is None:
        return "n/a", None
    if real < NEGLIGIBLE and model < NEGLIGIBLE:
        return "both ~0", True
    if real < NEGLIGIBLE or model < NEGLIGIBLE:
        return "one ~0", False
    f = model / real
    return f"x{f:.2f}", 1 / COUNT_FACTOR <= f <= COUNT_FACTOR


def rows(real, model):
    """The comparison of one real profile with its model's."""
    ru, rk, rb = thread_shares(real)
    mu, mk, mb = thread_shares(model)
    out = [("throughput (%s/s)" % real["unit"], real["ops_per_s"],
            model["ops_per_s"],
            f"x{model['ops_per_s'] / real['ops_per_s']:.2f}"
            if real["ops_per_s"] else "n/a", None)]
    for name, r, m in (("busy % of its threads' CPUs", rb, mb),
                       ("user %", ru, mu), ("kernel %", rk, mk)):
        d = m - r
        ok = abs(d) <= SHARE_POINTS if name.startswith("busy") else None
        out.append((name, r, m, f"{d:+.1f} pts", ok))
    rm, mm = machine_cpus(real), machine_cpus(model)
    out.append(("busy CPUs, whole machine", rm, mm, f"{mm - rm:+.2f}", None))
    rlocks = real.get("locks") or {}
    for k in COUNTS:
        r = real["per_op"].get(k)
        if k == "lock_contentions" and r is None:
            r = rlocks.get("contentions_per_op")
        m = model["per_op"].get(k)
        text, ok = count_gap(r, m)
        if k in ("ipi_res", "lock_contentions", "tlb_shootdowns"):
            ok = None  # reported, not bound (docs/validation.md)
        out.append((k + " /op", r, m, text, ok))
    rw = rlocks.get("mean_wait_us")
    mw = (model.get("locks") or {}).get("mean_wait_us")
    out.append(("lock wait (us)", rw, mw, "", None))
    return out


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def mark(ok):
    return "" if ok is None else ("ok" if ok else "OUT")


def tables(real, model):
    """Markdown tables, one per (workload, variant, threads)."""
    md, misses = [], []
    for wl in sorted(set(real) | set(model)):
        # a real variant meets the model of that variant, else the default
        models = {(p.get("variant", ""), p["threads"]): p
                  for p in model.get(wl, [])}
        reals = sorted(real.get(wl, []),
                       key=lambda p: (p.get("variant", ""), p["threads"]))
        if not reals:
            md.append(f"### {wl}\n\nNo real profile in this run.\n")
            continue
        md.append(f"### {wl}\n")
        for r in reals:
            m = models.get((r.get("variant", ""), r["threads"]),
                           models.get(("", r["threads"])))
            v = r.get("variant") or ""
            title = f"{wl}{' ' + v if v else ''}, {r['threads']} " \
                    f"thread{'s' if r['threads'] > 1 else ''}"
            if not m:
                md.append(f"{title}: no model profile.\n")
                continue
            md.append(f"**{title}** (real: {r['date']}, "
                      f"{r['seconds']:.1f} s; model: "
                      f"{m['seconds']:.1f} s x seeds)\n")
            md.append("| metric | real | model | gap | bound |")
            md.append("|---|---|---|---|---|")
            for name, rv, mv, gap, ok in rows(r, m):
                md.append(f"| {name} | {fmt(rv)} | {fmt(mv)} | {gap} | "
                          f"{mark(ok)} |")
                if ok is False:
                    misses.append(f"{title}: {name}")
            md.append("")
    return "\n".join(md), misses


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", help="the host cases' markdown "
                    "(validation/host/compare.py)")
    ap.add_argument("--template")
    ap.add_argument("--out")
    a = ap.parse_args()
    real, model = load(a.real), load(a.model)
    md, misses = tables(real, model)
    summary = "Outside their bounds: " + (", ".join(misses) if misses
                                          else "none") + "."
    print(md)
    print(summary)
    if a.out:
        if not a.template:
            sys.exit("report.py: --out needs --template")
        with open(a.template) as f:
            text = f.read()
        text = text.replace("@DATE@", time.strftime("%Y-%m-%d"))
        text = text.replace("@TABLES@", md + "\n" + summary)
        host = "(not measured in this run)"
        if a.host:
            with open(a.host) as f:
                host = f.read()
        text = text.replace("@HOST@", host)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
