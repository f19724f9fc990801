#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/host/newidle/run.sh - measure what the Linux scheduler's
# newly-idle balance (sched_balance_newidle -> sched_balance_rq) costs on
# this machine, for oversub's [host] newidle_cost (see README.md).
#
# Builds, into a directory outside the tree, the BPF tracer newidle.bpf.c
# (vmlinux.h generated there from /sys/kernel/btf/vmlinux, skeleton from
# bpftool), its loader newidle.c and the workloads wl.c; then traces each
# workload with `newidle RUN.bin COMMAND` and summarizes all runs with
# analyze.py, in this order:
#   messaging    perf bench sched messaging -p -g 1    (passes pull tasks)
#   idle_only    wl: sleeper on CPU 0, CPU 1 idle      (calls stop at the gate)
#   noover       wl: the same + 1 hog pinned to CPU 1  (still not overloaded)
#   pinned_fail  wl: the same + 2 hogs pinned to CPU 1 (passes fail: pinned)
# messaging comes first because pinned_fail drives NI_RANDOM's
# newidle_ratio to 0, after which balance passes run on 2 calls in 1024
# and may not pull anything, and so not raise the ratio, for many seconds.
#
# Usage: bash validation/host/newidle/run.sh
# Environment: BUILD_DIR (default ${TMPDIR:-/tmp}/oversub-newidle), CC
# (default cc), DURATION (default 10: seconds of each wl mode), MSG_LOOPS
# (default 25000: perf bench messaging loops, ~8 s here), QUIET_CPUS
# (default 0.1), QUIET_WAIT (default 60: seconds to wait for an idle
# machine before each run, then go on regardless, with a note).
# Needs root, >= 2 CPUs, a kernel with BTF and the sched_entry_tp and
# sched_exit_tp tracepoints (6.18 has them), and clang, libbpf-dev,
# bpftool and linux-perf (installed with apt-get if missing).  About 1-2
# minutes (~40 s of tracing, plus waits for an idle machine).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-${TMPDIR:-/tmp}/oversub-newidle}
CC=${CC:-cc}
DURATION=${DURATION:-10}
MSG_LOOPS=${MSG_LOOPS:-25000}
QUIET_CPUS=${QUIET_CPUS:-0.1}
QUIET_WAIT=${QUIET_WAIT:-60}
CFLAGS="-std=c17 -O2 -Wall -Wextra -Werror"

die() { echo "run.sh: $*" >&2; exit 1; }
PATH=$PATH:/usr/sbin # bpftool

[ "$(id -u)" = 0 ] || die "needs root (BPF programs on raw tracepoints)"
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs"
[ -r /sys/kernel/btf/vmlinux ] || die "no kernel BTF (/sys/kernel/btf/vmlinux)"
case "$build" in
"$here" | "$here"/*) die "BUILD_DIR must be outside the source tree" ;;
esac

# ---- tools: command or file -> Debian package --------------------------
missing=()
command -v clang >/dev/null || missing+=(clang)
[ -e /usr/include/bpf/libbpf.h ] || missing+=(libbpf-dev)
command -v bpftool >/dev/null || missing+=(bpftool)
command -v perf >/dev/null || missing+=(linux-perf)
if [ ${#missing[@]} -gt 0 ]; then
	command -v apt-get >/dev/null ||
		die "missing ${missing[*]} and no apt-get: install them by hand"
	echo "== installing missing packages: ${missing[*]}"
	apt-get install -y "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (try apt-get update first)"
fi
command -v python3 >/dev/null || die "needs python3"
command -v "$CC" >/dev/null || die "no C compiler ($CC)"

# ---- build ---------------------------------------------------------------
mkdir -p "$build/runs"
B=$build
echo "== build: $B"
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$B/vmlinux.h"
clang -O2 -g -Wall -Werror -target bpf -I"$B" -c "$here/newidle.bpf.c" -o "$B/newidle.bpf.o"
bpftool gen skeleton "$B/newidle.bpf.o" name newidle_bpf >"$B/newidle.skel.h"
# shellcheck disable=SC2086 # CFLAGS is a list of flags
$CC $CFLAGS -I"$B" -o "$B/newidle" "$here/newidle.c" -lbpf
# shellcheck disable=SC2086
$CC $CFLAGS -pthread -o "$B/wl" "$here/wl.c"

# ---- helpers ---------------------------------------------------------------
notes=$B/notes.txt
: >"$notes"
# le A B: true if number A <= number B
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# busy_now: CPUs busy (all processes) over the next second, from /proc/stat
busy_now() {
	local a b
	a=$(head -1 /proc/stat)
	sleep 1
	b=$(head -1 /proc/stat)
	printf '%s\n%s\n' "$a" "$b" | awk -v hz="$(getconf CLK_TCK)" '
		{ busy[NR] = $2 + $3 + $4 + $7 + $8 }
		END { printf "%.3f\n", (busy[2] - busy[1]) / hz }'
}
# wait_quiet RUN: wait up to QUIET_WAIT s for an idle machine
wait_quiet() {
	local b waited=0
	while b=$(busy_now) && ! le "$b" "$QUIET_CPUS"; do
		if [ "$waited" -ge "$QUIET_WAIT" ]; then
			echo "$1: background load $b CPUs after ${QUIET_WAIT}s, measured anyway" >>"$notes"
			return 0
		fi
		[ "$waited" = 0 ] && echo "   (waiting for an idle machine: $b CPUs busy)"
		sleep 4
		waited=$((waited + 5))
	done
}
# trace RUN COMMAND...: run COMMAND under the tracer into runs/RUN.bin
trace() {
	local run=$1 d f
	shift
	echo "-- $run: $B/newidle $B/runs/$run.bin $*"
	wait_quiet "$run"
	"$B/newidle" "$B/runs/$run.bin" "$@" >"$B/runs/$run.log"
	sed 's/^/   /' "$B/runs/$run.log"
	d=$(awk '$1 == "dropped" { print $2 }' "$B/runs/$run.log")
	[ "${d:-0}" = 0 ] || echo "$run: $d events dropped (ring buffer full)" >>"$notes"
	f=$(awk '$1 == "foreign_cpus" { print $2 }' "$B/runs/$run.log")
	le "${f:-0}" "$QUIET_CPUS" || echo "$run: other processes used $f CPUs during the run" >>"$notes"
}

# ---- runs ------------------------------------------------------------------
echo "== machine: $(nproc) CPUs, $(uname -sr), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
trace messaging perf bench sched messaging -p -g 1 -l "$MSG_LOOPS"
for mode in idle_only noover pinned_fail; do
	trace "$mode" "$B/wl" "$mode" "$DURATION"
done
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

python3 "$here/analyze.py" "$B"/runs/{messaging,idle_only,noover,pinned_fail}.bin
while read -r line; do echo "note: $line"; done <"$notes"
