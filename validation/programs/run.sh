#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/programs/run.sh PROGRAM - profile one of the reimplemented
# programs (dedup, ebizzy, blackscholes; README.md) on this machine at each
# thread count of THREADS, through validation/lib/measure.py: one JSON per
# thread count in $OUT/PROGRAM/ (docs/validation.md).
#
#   bash validation/programs/run.sh dedup
#
# ebizzy runs with -m (every buffer mmap()ed and munmap()ed, the TLB
# shootdown load oversub's ebizzy model stands for; without it glibc raises
# its mmap threshold after the first free and ebizzy never unmaps).
#
# Environment: OUT (default /tmp/oversub-validation), THREADS ("1 2"),
# SECONDS_PER_RUN (10), BUILD_DIR (build.sh's). Waits up to 60 s for a
# quiet machine before each run. About 25 s per thread count.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=${1:-}
case $prog in
dedup | ebizzy | blackscholes) ;;
*)
	echo "usage: bash validation/programs/run.sh dedup|ebizzy|blackscholes" >&2
	exit 2
	;;
esac
OUT=${OUT:-/tmp/oversub-validation}
THREADS=${THREADS:-"1 2"}
secs=${SECONDS_PER_RUN:-10}
build=${BUILD_DIR:-/tmp/oversub-programs}

BUILD_DIR=$build bash "$here/build.sh"
mkdir -p "$OUT/$prog"

# Wait (up to 60 s) until the CPUs were at least 90% idle over 2 s.
quiet() {
	local i a b
	for i in $(seq 30); do
		a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
		sleep 2
		b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
		if awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y);
			exit !((y[2] - x[2]) >= 0.9 * (y[1] - x[1])) }'; then
			return 0
		fi
	done
	echo "run.sh: the machine did not go quiet; measuring anyway" >&2
}

extra=()
[ "$prog" = ebizzy ] && extra=(-m)

for t in $THREADS; do
	quiet
	python3 "$here/../lib/measure.py" --workload "$prog" --threads "$t" \
		--parser "python3 $here/../lib/summary_parser.py" --locks \
		--out "$OUT/$prog/$prog-t$t.json" -- \
		"$build/$prog" -t "$t" -d "$secs" "${extra[@]}"
	echo "run.sh: $OUT/$prog/$prog-t$t.json"
done
