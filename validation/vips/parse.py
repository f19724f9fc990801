#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Parser for measure.py (validation/vips/run.sh): reads "SECONDS<TAB>LINE"
lines of `run.sh _bench` and prints the measured window and its work.

The window is from the "vips-bench: begin W H IMAGES THREADS" marker
(printed just before the first vips starts) to "vips-bench: end" (just
after the last exits): the whole run of the IMAGES images, image
generation excluded. Unit "tile": 128 x 128 output pixels; im_benchmark's
output is the input's size, so ops = W x H / 16384 per image whose output
vips reported done ("vips out.v: done in ...", from --vips-progress).
The extra keys (image, images, ...) are comments: measure.py reads only
unit, ops, t0 and t1."""

import json
import re
import sys

TILE = 128 * 128


def main():
    t0 = t1 = None
    size = None
    done = []  # seconds vips reported for each image
    threads = set()
    for raw in sys.stdin:
        sec, _, line = raw.rstrip("\n").partition("\t")
        try:
            t = float(sec)
        except ValueError:
            continue
        m = re.match(r"vips-bench: begin (\d+) (\d+) (\d+) (\d+)", line)
        if m:
            t0 = t
            size = (int(m.group(1)), int(m.group(2)))
            continue
        if line.startswith("vips-bench: end"):
            t1 = t
            continue
        m = re.match(r"vips \S*out\.v: done in ([0-9.e+-]+)s", line)
        if m:
            done.append(float(m.group(1)))
            continue
        m = re.match(r"vips \S*out\.v: (\d+) x (\d+) pixels, (\d+) threads", line)
        if m:
            threads.add(int(m.group(3)))
    if t0 is None or t1 is None or size is None or not done:
        print(json.dumps({"error": "no begin/end markers or no image done"}))
        return 1
    w, h = size
    print(json.dumps({
        "unit": "tile",
        "ops": w * h / TILE * len(done),
        "t0": t0,
        "t1": t1,
        "image": f"{w}x{h}",
        "images": len(done),
        "tiles_per_image": round(w * h / TILE, 2),
        "vips_seconds": done,
        "vips_threads": sorted(threads),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
