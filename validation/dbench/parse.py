#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parser for measure.py (validation/dbench/run.sh): reads "SECONDS<TAB>LINE"
lines of dbench 4.0 and prints the execute phase and its operations.

dbench 4.0's timer prints, once a second, "  N  LINES  MB/s MB/sec  warmup
K sec  latency L ms" during the warmup; at the end of the warmup it restarts
its clock and zeroes the clients' operation counts (no line that second);
then "  N  LINES  MB/s MB/sec  execute K sec ..." with K the seconds since
that restart; at the first tick past the time limit it tells the clients
to stop and prints "  N  cleanup K sec". The final table (" Operation
Count AvgLat MaxLat", a dashed line, one row per operation) counts the
operations since the end of the warmup.

Window: t0 = first execute line's time minus its K (the clock restart),
t1 = first cleanup line (the stop). ops = the table's counts summed.
The extra keys are comments: measure.py reads only unit, ops, t0 and t1."""

import json
import re
import sys

EXEC = re.compile(r"^\s*\d+\s+\d+\s+([0-9.]+) MB/sec\s+execute\s+([0-9.]+) sec")
CLEANUP = re.compile(r"^\s*\d+\s+cleanup\s+([0-9.]+) sec")
ROW = re.compile(r"^\s*([A-Za-z]+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s*$")


def main():
    t0 = t1 = last_exec = None
    mbs = None
    table = {}
    in_table = False
    for raw in sys.stdin:
        sec, _, line = raw.rstrip("\n").partition("\t")
        try:
            t = float(sec)
        except ValueError:
            continue
        m = EXEC.match(line)
        if m:
            if t0 is None:
                t0 = t - float(m.group(2))
            last_exec = t
            mbs = float(m.group(1))
            continue
        m = CLEANUP.match(line)
        if m:
            if t1 is None:
                t1 = t
            continue
        if line.strip().startswith("Operation") and "Count" in line:
            in_table = True
            continue
        if in_table:
            if line.strip().startswith("---"):
                continue
            m = ROW.match(line)
            if m:
                table[m.group(1)] = int(m.group(2))
            elif not line.strip():
                in_table = False
    if t1 is None:
        t1 = last_exec
    if t0 is None or t1 is None or not table:
        print(json.dumps({"error": "no execute lines or no operation table"}))
        return 1
    print(json.dumps({
        "unit": "op",
        "ops": sum(table.values()),
        "t0": round(t0, 3),
        "t1": t1,
        "mb_per_s": mbs,
        "op_counts": table,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
