#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/vips/run.sh - profile the real vips running PARSEC's vips
# benchmark, for the simulator's vips model (docs/workloads.md, "vips").
#
# PARSEC's vips runs `vips im_benchmark INPUT output.v` (IM_CONCURRENCY =
# threads): one pipeline over a LabQ image, computed tile by tile by the
# thread pool: LabQ2Lab, crop 100 px, affine shrink to 90% (bilinear), a
# colour chain (lintra, Lab2XYZ, recomb D65->D50, lintra x2, XYZ2Lab,
# lintra), L > 99 mask + ifthenelse, Lab2LabQ, sharpen (11x11), affine back
# to the input size, LabQ2disp to sRGB, written to a .v file. Debian's
# libvips-tools (8.14) still has the operation (vips7 compatibility), so
# the real program runs unchanged.
#
# Input: a generated LabQ image of PARSEC's simlarge size (bigben, 2662 x
# 5500; W, H to change), made once before measuring (vips gaussnoise per
# band, bandjoin, Lab2LabQ) in WORK. One measured command processes IMAGES
# images in turn (one vips process each, as PARSEC runs one per image);
# the window is from just before the first vips starts to just after the
# last exits. Unit "tile": 128 x 128 output pixels (ops = W x H / 16384 x
# IMAGES). Threads: VIPS_CONCURRENCY=N and --vips-concurrency=N (vips'
# N workers, plus its main and write-behind threads).
#
# Usage: bash validation/vips/run.sh
# Environment: OUT (/tmp/oversub-validation; JSON in $OUT/vips/vips-tN.json),
#   THREADS ("1 2"), W (2662), H (5500), IMAGES (4), WORK (/dev/shm/oversub-vips:
#   input and output images, removed at exit), QUIET_IDLE (90: % idle over
#   2 s that counts as quiet), QUIET_WAIT (60 s at most), LOCKS (1: add
#   measure.py --locks).
#   ATTEMPTS (2), OTHER_MAX (0.05): a try in whose plain run other
#   processes used more than OTHER_MAX CPUs of user time (measure.py's
#   other_user_cpus) is repeated, ATTEMPTS tries in all, and the cleanest
#   is kept. These and the quiet wait: validation/lib/common.sh.
# The quiet waits' warnings and each try's other user CPU time are logged
# to $OUT/vips/run.log (and shown).
# Time: ~5 s to make the image, then per thread count two runs (plain and
# under perf record) of ~9 s (1 thread) / ~5 s (2 threads) each, plus the
# quiet waits: about 40 s on a quiet 2-CPU machine.
# Needs root for perf -a (system-wide counters and lock tracepoints).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WL=vips
# shellcheck source-path=SCRIPTDIR
source "$here/../lib/common.sh"
W=${W:-2662}
H=${H:-5500}
IMAGES=${IMAGES:-4}
WORK=${WORK:-/dev/shm/oversub-vips}

# ---- the measured command (run by measure.py, twice with --locks):
# wait for quiet, then IMAGES runs of PARSEC's command between markers
if [ "${1:-}" = _bench ]; then
	n=$2
	quiet_wait
	echo "vips-bench: begin $W $H $IMAGES $n"
	for ((i = 1; i <= IMAGES; i++)); do
		VIPS_CONCURRENCY=$n vips --vips-progress --vips-concurrency="$n" \
			im_benchmark "$WORK/in.v" "$WORK/out.v"
		rm -f "$WORK/out.v"
	done
	echo "vips-bench: end"
	exit 0
fi

case ${1:-} in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# ---- tools: check; as root install APT_PKGS; else say what is missing
APT_PKGS=(libvips-tools linux-perf python3 procps)
check() {
	need vips libvips-tools
	need vipsheader libvips-tools
	need perf linux-perf
	need python3 python3
	need top procps
}
ensure_tools check
[ "$(id -u)" -eq 0 ] || { echo "vips: needs root (perf -a)" >&2; exit 2; }
usage=$(vips im_benchmark 2>&1 || true)
[[ $usage == *"im_benchmark in out"* ]] ||
	{ echo "vips: this vips has no im_benchmark (vips7 compatibility)" >&2; exit 2; }

mkdir -p "$WORK"
export W H IMAGES WORK
begin_log "THREADS=\"$THREADS\""
cleanup() { rm -rf "${WORK:?}"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the input image (outside the measured runs): L ~ N(50, 25), a, b ~
# N(0, 30) (a few % of L above 99, so the white-surround branch is taken)
echo "vips: making a ${W}x${H} LabQ image in $WORK"
t=$WORK/gen
mkdir -p "$t"
vips gaussnoise "$t/L.v" "$W" "$H" --mean 50 --sigma 25
vips gaussnoise "$t/a.v" "$W" "$H" --mean 0 --sigma 30
vips gaussnoise "$t/b.v" "$W" "$H" --mean 10 --sigma 30
vips bandjoin "$t/L.v $t/a.v $t/b.v" "$t/Lab.v"
vips copy "$t/Lab.v" "$t/Lab2.v" --interpretation lab
vips Lab2LabQ "$t/Lab2.v" "$WORK/in.v"
rm -rf "$t"
vipsheader "$WORK/in.v"
sync

for n in $THREADS; do
	profile "$outdir/vips-t$n.json" "simlarge-${W}x${H}" "$n" "python3 $here/parse.py" \
		bash "$here/run.sh" _bench "$n"
done
echo "vips: results in $outdir (log: $RUNLOG)"
