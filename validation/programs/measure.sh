#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/programs/measure.sh - run one of the programs built by
# build.sh and print its profile, one "key value" line each:
#   ops_per_s          the program's own ops / seconds (its unit/ops/seconds lines)
#   cpu_user_pct ...   machine CPU split over the run from /proc/stat
#                      (user, sys = system + irq + softirq, idle, iowait, steal)
#   own_user_s own_sys_s vcsw ivcsw   the program's rusage (/usr/bin/time -v)
#   foreign_cpu_s      machine user + sys time not the program's: other load
#   tlb res cal (+ _per_s)   /proc/interrupts deltas summed over CPUs: TLB
#                      shootdowns, reschedule and function-call IPIs received
# With -b (root, bpftrace) the run is traced and these are added:
#   futex_wait futex_wake   the program's futex wait (FUTEX_WAIT,
#                      FUTEX_WAIT_BITSET) and wake calls: contended pthread
#                      mutexes and condition-variable sleeps and wakeups
#   lock_contention_<type>  kernel lock contentions in the program's threads
#                      (lock:contention_begin, by lock type)
#   tlb_flush_<reason> tlb:tlb_flush events in the whole machine
# The program's own output is kept in OUT (default /tmp/oversub-programs-run.txt).
#
# Usage: bash validation/programs/measure.sh [-b] PROGRAM [ARGS...]
set -euo pipefail

trace=0
if [ "${1:-}" = "-b" ]; then
	trace=1
	shift
fi
if [ $# -lt 1 ]; then
	echo "usage: $0 [-b] PROGRAM [ARGS...]" >&2
	exit 2
fi
OUT=${OUT:-/tmp/oversub-programs-run.txt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cpu line of /proc/stat: user nice system idle iowait irq softirq steal
cpustat() { awk '/^cpu /{print $2, $3, $4, $5, $6, $7, $8, $9}' /proc/stat; }
# TLB RES CAL counts summed over CPUs
irqs() {
	awk '$1 ~ /^(TLB|RES|CAL):$/ { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; v[$1] = s }
	     END { print v["TLB:"], v["RES:"], v["CAL:"] }' /proc/interrupts
}

if [ $trace -eq 1 ]; then
	comm=$(basename "$1" | cut -c1-15)
	cat >"$tmp/trace.bt" <<EOF
BEGIN { printf("ready\n"); }
tracepoint:syscalls:sys_enter_futex /comm == "$comm"/ {
	\$op = args->op & 0x7f;
	if (\$op == 0 || \$op == 9) { @futex_wait = count(); }
	if (\$op == 1 || \$op == 10) { @futex_wake = count(); }
}
tracepoint:lock:contention_begin /comm == "$comm"/ { @lock_contention[args->flags] = count(); }
tracepoint:tlb:tlb_flush { @tlb_flush[args->reason] = count(); }
EOF
	bpftrace "$tmp/trace.bt" >"$tmp/trace.out" 2>&1 &
	bt=$!
	for _ in $(seq 100); do
		grep -q ready "$tmp/trace.out" 2>/dev/null && break
		sleep 0.1
	done
fi

read -r -a s0 < <(cpustat)
read -r -a i0 < <(irqs)
t0=$(date +%s.%N)
/usr/bin/time -v -o "$tmp/time" "$@" >"$OUT"
t1=$(date +%s.%N)
read -r -a s1 < <(cpustat)
read -r -a i1 < <(irqs)

if [ $trace -eq 1 ]; then
	kill -INT "$bt"
	wait "$bt" || true
fi

hz=$(getconf CLK_TCK)
awk -v hz="$hz" -v t0="$t0" -v t1="$t1" \
    -v s0="${s0[*]}" -v s1="${s1[*]}" -v i0="${i0[*]}" -v i1="${i1[*]}" '
	FILENAME == ARGV[1] && /^ops / { ops = $2 }
	FILENAME == ARGV[1] && /^seconds / { secs = $2 }
	FILENAME == ARGV[2] && /User time/ { ou = $NF }
	FILENAME == ARGV[2] && /System time/ { os = $NF }
	FILENAME == ARGV[2] && /Voluntary context/ { vcsw = $NF }
	FILENAME == ARGV[2] && /Involuntary context/ { ivcsw = $NF }
	END {
		split(s0, a); split(s1, b); split(i0, c); split(i1, d)
		for (k = 1; k <= 8; k++) { x[k] = b[k] - a[k]; tot += x[k] }
		wall = t1 - t0
		printf "ops_per_s %.1f\n", (secs > 0 ? ops / secs : 0)
		printf "wall_s %.2f\n", wall
		printf "cpu_user_pct %.1f\n", 100 * (x[1] + x[2]) / tot
		printf "cpu_sys_pct %.1f\n", 100 * (x[3] + x[6] + x[7]) / tot
		printf "cpu_idle_pct %.1f\n", 100 * x[4] / tot
		printf "cpu_iowait_pct %.1f\n", 100 * x[5] / tot
		printf "cpu_steal_pct %.1f\n", 100 * x[8] / tot
		printf "own_user_s %.2f\nown_sys_s %.2f\n", ou, os
		printf "vcsw %d\nivcsw %d\n", vcsw, ivcsw
		printf "vcsw_per_s %.0f\nivcsw_per_s %.0f\n", vcsw / wall, ivcsw / wall
		printf "foreign_cpu_s %.2f\n", (x[1] + x[2] + x[3] + x[6] + x[7]) / hz - ou - os
		split("tlb res cal", n)
		for (k = 1; k <= 3; k++)
			printf "%s %d\n%s_per_s %.0f\n", n[k], d[k] - c[k], n[k], (d[k] - c[k]) / wall
	}' "$OUT" "$tmp/time"

if [ $trace -eq 1 ]; then
	# lock:contention_begin flags (include/trace/events/lock.h) and
	# tlb:tlb_flush reasons (include/linux/mm_types.h)
	awk '
	BEGIN { split("spin read write rt percpu mutex", lf)
		split("task_switch remote_shootdown local_shootdown local_mm_shootdown remote_send_ipi remote_wrong_cpu", tr) }
	/^@futex_(wait|wake): / { sub(":", "", $1); sub("@", "", $1); print $1, $2 }
	/^@lock_contention\[/ {
		f = $1; gsub(/[^0-9]/, "", f); name = ""
		for (b = 0; b < 6; b++) if (int(f / 2 ^ b) % 2) name = name (name ? "_" : "") lf[b + 1]
		print "lock_contention_" (name ? name : f), $2 }
	/^@tlb_flush\[/ { r = $1; gsub(/[^0-9]/, "", r); print "tlb_flush_" tr[r + 1], $2 }
	' "$tmp/trace.out"
fi
