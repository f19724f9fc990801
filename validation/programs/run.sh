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
# The measured command, `run.sh _bench PROGRAM ARGS...`, waits for a quiet
# machine, then runs the program with ARGS; the window is the program's
# work phase (its summary, validation/lib/summary_parser.py).
#
# Environment: OUT (default /tmp/oversub-validation), THREADS ("1 2"),
# SECONDS_PER_RUN (10), BUILD_DIR (build.sh's), QUIET_IDLE (90: % idle
# over 2 s that counts as quiet), QUIET_WAIT (60 s at most), LOCKS (1: add
# measure.py --locks), ATTEMPTS (2), OTHER_MAX (0.05): a try in whose plain
# run other processes used more than OTHER_MAX CPUs of user time
# (measure.py's other_user_cpus) is repeated, ATTEMPTS tries in all, and
# the cleanest is kept. These and the quiet wait: validation/lib/common.sh.
# The quiet waits' warnings and each try's other user CPU time are logged
# to $OUT/PROGRAM/run.log (and shown). About 25 s per thread count.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WL=${1:-}
if [ "$WL" = _bench ]; then WL=${2:-}; fi
case $WL in
dedup | ebizzy | blackscholes) ;;
*)
	echo "usage: bash validation/programs/run.sh dedup|ebizzy|blackscholes" >&2
	exit 2
	;;
esac
# shellcheck source-path=SCRIPTDIR
source "$here/../lib/common.sh"
secs=${SECONDS_PER_RUN:-10}
build=${BUILD_DIR:-/tmp/oversub-programs}

# ---- the measured command (run by measure.py, twice with --locks): wait
# for quiet, then the program
if [ "$1" = _bench ]; then
	shift 2
	quiet_wait
	exec "$build/$WL" "$@"
fi

BUILD_DIR=$build bash "$here/build.sh"
begin_log "THREADS=\"$THREADS\""

extra=()
[ "$WL" = ebizzy ] && extra=(-m)

for t in $THREADS; do
	profile "$outdir/$WL-t$t.json" "" "$t" "python3 $here/../lib/summary_parser.py" \
		bash "$here/run.sh" _bench "$WL" -t "$t" -d "$secs" "${extra[@]}"
done
echo "$WL: results in $outdir (log: $RUNLOG)"
