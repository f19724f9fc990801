#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parser for measure.py (validation/kbuild/run.sh): reads "SECONDS<TAB>LINE"
lines of `run.sh _bench` (kbuild's V=0 output between two markers) and
prints the measured window and its work.

Window: "kbuild: begin" (printed just before make starts) to "kbuild: end"
(just after it exits). Unit "compilation": one compiler-driver invocation
as kbuild announces it, a line "  CC      fs/ext4/inode.o" (also CC [M],
AS, HOSTCC, HOSTCXX, CPP, LDS); kbuild prints it when the recipe starts.
The extra keys are comments: measure.py reads only unit, ops, t0 and t1."""

import json
import re
import sys

COMPILE = re.compile(r"^\s+(CC \[M\]|CC|AS|HOSTCC|HOSTCXX|CPP|LDS)\s+\S")
STEP = re.compile(r"^\s+([A-Z][A-Z0-9_]*(?: \[M\])?)\s+\S")


def main():
    t0 = t1 = None
    kinds = {}
    steps = {}
    first = last = None  # first and last compilation line
    failed = False
    for raw in sys.stdin:
        sec, _, line = raw.rstrip("\n").partition("\t")
        try:
            t = float(sec)
        except ValueError:
            continue
        if line.startswith("kbuild: begin"):
            t0 = t
        elif line.startswith("kbuild: end"):
            t1 = t
        elif t0 is not None and t1 is None:
            m = COMPILE.match(line)
            if m:
                kinds[m.group(1)] = kinds.get(m.group(1), 0) + 1
                first = t if first is None else first
                last = t
            else:
                m = STEP.match(line)
                if m:
                    steps[m.group(1)] = steps.get(m.group(1), 0) + 1
            if re.search(r"\*\*\* |Error \d", line):
                failed = True
    ops = sum(kinds.values())
    if t0 is None or t1 is None or not ops or failed:
        print(json.dumps({"error": "no begin/end markers, no compilation "
                          "or a make error"}))
        return 1
    print(json.dumps({
        "unit": "compilation",
        "ops": ops,
        "t0": t0,
        "t1": t1,
        "compilations": kinds,
        "other_steps": steps,
        "first_compile_s": round(first - t0, 3),
        "last_compile_start_s": round(last - t0, 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
