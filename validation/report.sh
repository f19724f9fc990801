#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/report.sh - the sim-vs-real gap report (docs/validation.md).
#
# Profiles every real program on this machine at 1 and 2 threads
# (validation/<workload>/run.sh, through validation/lib/measure.py) and
# the host scheduler's cases (validation/host/run.sh), then each workload
# model and host case the same way (`oversub profile
# validation/model/<workload>.ini --vcpus 1|2`), and prints, per workload,
# real beside model for every metric with the gap; writes
# docs/validation.md from validation/validation.md.in with that table and
# the date.
#
#   bash validation/report.sh              everything (~20-30 minutes)
#   bash validation/report.sh --model-only reuse the real profiles in OUT
#
# Run as root on a quiet machine: the scripts install what they need with
# apt-get, mount a loop device for dbench, and read system-wide counters
# that other work distorts. Environment: OUT (default
# /tmp/oversub-validation: real/ and model/ profiles), WORKLOADS (default
# all six), THREADS ("1 2").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
OUT=${OUT:-/tmp/oversub-validation}
WORKLOADS=${WORKLOADS:-"dbench vips kbuild dedup ebizzy blackscholes"}
THREADS=${THREADS:-"1 2"}
model_only=0
case "${1:-}" in
--model-only) model_only=1 ;;
"") ;;
*)
	echo "usage: bash validation/report.sh [--model-only]" >&2
	exit 2
	;;
esac

cd "$top"
make build
oversub=$top/build/src/cli/oversub

if [ "$model_only" = 0 ]; then
	mkdir -p "$OUT/real"
	RUNS=${RUNS:-3} bash validation/host/run.sh "$OUT/real/host.json"
	for wl in $WORKLOADS; do
		case $wl in
		dedup | ebizzy | blackscholes)
			OUT=$OUT/real THREADS=$THREADS \
				bash validation/programs/run.sh "$wl" ;;
		*)
			OUT=$OUT/real THREADS=$THREADS \
				bash "validation/$wl/run.sh" ;;
		esac
	done
fi

# each model, and its variants (validation/model/WORKLOAD-VARIANT.ini,
# set beside the real runs of that variant)
for wl in $WORKLOADS; do
	mkdir -p "$OUT/model/$wl"
	for f in "validation/model/$wl.ini" validation/model/"$wl"-*.ini; do
		[ -e "$f" ] || continue
		v=$(basename "$f" .ini)
		v=${v#"$wl"}
		v=${v#-}
		for t in $THREADS; do
			"$oversub" profile "$f" --vcpus "$t" --json \
				-j "$(nproc)" |
				python3 -c 'import json, sys
p = json.load(sys.stdin)
for x in p:
    x["variant"] = sys.argv[1]
json.dump(p, sys.stdout)' "$v" >"$OUT/model/$wl/${v:-default}-t$t.json"
		done
	done
done

mkdir -p "$OUT/model/host"
for f in validation/model/host-*.ini; do
	"$oversub" run "$f" --json -j "$(nproc)" \
		>"$OUT/model/host/$(basename "$f" .ini).json"
done
python3 validation/host/compare.py --real "$OUT/real/host.json" \
	--model "$OUT/model/host" >"$OUT/host.md"

python3 validation/report.py --real "$OUT/real" --model "$OUT/model" \
	--host "$OUT/host.md" --template validation/validation.md.in \
	--out docs/validation.md
echo "report.sh: wrote docs/validation.md"
