#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""measure.py's parser for the programs of validation/programs/: each
prints, at exit, "unit NAME", "ops N" and "seconds S" (the work phase,
without its set-up). The window ends at the summary and lasts S."""

import json
import sys

vals, t_end = {}, None
for line in sys.stdin:
    t, _, text = line.rstrip("\n").partition("\t")
    parts = text.split()
    if len(parts) == 2 and parts[0] in ("unit", "ops", "seconds"):
        vals[parts[0]] = parts[1]
        t_end = float(t)
if not {"unit", "ops", "seconds"} <= vals.keys():
    sys.exit("summary_parser.py: no unit/ops/seconds lines")
secs = float(vals["seconds"])
print(json.dumps({"unit": vals["unit"], "ops": float(vals["ops"]),
                  "t0": max(0.0, t_end - secs), "t1": t_end}))
