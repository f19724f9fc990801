#!/usr/bin/env bash
# validation/host/run.sh - measure this machine's Linux scheduler for the
# defaults of the simulator's host model.  Builds the C programs of this
# directory into a build directory outside the tree, runs each test RUNS
# times and prints median, range and count of every metric with the exact
# command.  With an argument, also writes all results (and every raw
# value) as JSON to that path.
#
#   1 hogs      3 spinning threads, affinity {0,1} (not one per CPU), 10 s:
#               CPU fraction, migrations/s, voluntary/involuntary switches/s,
#               runs/s, mean run length and run-queue wait per run
#   2 switch    write+read on a pipe to self (no switch); pipe ping-pong of
#               two threads pinned to CPU 0; switch cost =
#               (rtt - 2*(write+read)) / 2; switch count confirmed by
#               perf stat -e sched:sched_switch,context-switches
#   3 wakeup    the same ping-pong on CPUs 0 and 1 (the wakee's CPU idles
#               while it waits): one-way = rtt/2 - (write+read); also the
#               direct sched_waking -> sched_switch-in time from perf record;
#               both again with a 1 ms idle gap before each ping
#   4 share     two threads pinned to CPU 0 (share.c): sched_yield() loop
#               vs hog; nice 0 vs nice N hog for N = 1, 5, 10; sleeper
#               (spin 100 us of CPU, sleep 1000 us, repeat) vs hog
#   (validation/host/cases.md: the four CPU-sharing cases in a table)
#
# Metric keys added for the per-thread schedstat figures (each program's
# header comment has the full list; "runs" = times switched in, field 3 of
# /proc/<pid>/task/<tid>/schedstat; CPU time = field 1; run-queue wait =
# field 2, from enqueue (wakeup or preemption) to switch-in):
#   <role>_runs_per_s       runs per second
#   <role>_mean_run_ns      mean run length: CPU time delta / runs
#   <role>_wait_per_run_ns  mean run-queue wait before a run: wait delta / runs
#   <role>_vcsw_per_s, <role>_ivcsw_per_s
#                           (non)voluntary switches / s (/proc/.../status)
#   roles: hog (1_hogs, one value per hog; 4_* tests, the spinning thread),
#   yielder (4_yield_vs_hog), nice0 and niceB (4_nice0_vs_niceN),
#   sleeper (4_sleeper_vs_hog).  Already there before: hog_vcsw_per_s and
#   hog_ivcsw_per_s of 1_hogs; yielder_vcsw_per_s, yielder_ivcsw_per_s,
#   hog_ivcsw_per_s of 4_yield_vs_hog; nice0_ivcsw_per_s and
#   niceB_ivcsw_per_s of the nice test (then only 4_nice0_vs_nice5).
# Tests 4_nice0_vs_nice1 and 4_nice0_vs_nice10 have the keys of
# 4_nice0_vs_nice5 (nice0_frac, niceB_frac, nice0_share,
# nice0_share_expected = kernel weight ratio 1024 / (1024 + w(N))).
# Test 4_sleeper_vs_hog (share sleep 5 100 1000 0) adds:
#   sleeper_frac, hog_frac  CPU time / wall time of the sleeper and the hog
#   sleeper_duty_nominal    100 / (100 + 1000): the sleeper's fraction if
#                           it woke with zero latency
#   loops_per_s             sleeper's spin+sleep loops per second
#   wake_late_mean_ns, wake_late_median_ns, wake_late_p90_ns
#                           per loop, in the sleeper: CLOCK_MONOTONIC after
#                           clock_nanosleep(TIMER_ABSTIME) returned minus the
#                           requested wake time (timer + wakeup + wait
#                           behind the hog + switch)
#   timer_slack_ns          sleeper's timer slack (set to 1 ns)
#   sleeper_wait_per_run_ns is the scheduler's part of the wakeup latency
#   (timer's enqueue -> running), hog_mean_run_ns the hog's run length.
#
# Other processes distort every number here, so before each repetition the
# script waits until the machine is idle (< QUIET_CPUS CPUs busy over 1 s),
# and each program reports foreign_cpus, the CPU time other processes used
# during its measurement; a repetition above QUIET_CPUS is run again (up to
# 3 attempts; the last is kept, with a note).  Perf-wrapped repetitions are
# not retried (perf's own CPU time counts as foreign there).
#
# Usage: bash validation/host/run.sh [OUT.json]
# Environment: RUNS (default 5) repetitions of each test, PERF_RUNS
# (default 3) of the perf-wrapped ones, BUILD_DIR (default
# ${TMPDIR:-/tmp}/oversub-hostval), CC (default cc), QUIET_CPUS (default
# 0.1), QUIET_WAIT (default 900: total seconds to wait for an idle
# machine, then go on regardless, with a note), QUICK=1 (short durations,
# for a smoke test only).  Needs >= 2 CPUs; perf parts need root (or
# perf_event_paranoid <= -1) and are skipped, with a note, if perf or the
# sched tracepoints are unavailable.  About 5-6 minutes on an idle machine.
# The build directory is kept, so the printed commands can be rerun alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out_json=${1:-}
RUNS=${RUNS:-5}
PERF_RUNS=${PERF_RUNS:-3}
build=${BUILD_DIR:-${TMPDIR:-/tmp}/oversub-hostval}
CC=${CC:-cc}
CFLAGS="-std=c17 -O2 -Wall -Wextra -Werror -pthread"
QUIET_CPUS=${QUIET_CPUS:-0.1}
QUIET_WAIT=${QUIET_WAIT:-900}

# durations and iteration counts (QUICK=1: smoke test, not for results)
hog_s=10 share_s=5 sys_n=1000000 same_n=100000 cross_n=50000 gap_n=2000
perf_cross_n=20000
if [ "${QUICK:-0}" = 1 ]; then
	hog_s=2 share_s=1 sys_n=100000 same_n=10000 cross_n=5000 gap_n=300
	perf_cross_n=2000
fi

[ "$(nproc)" -ge 2 ] || { echo "run.sh: needs at least 2 CPUs" >&2; exit 1; }

mkdir -p "$build"
for p in hogs pingpong share wakelat; do
	# shellcheck disable=SC2086 # CFLAGS is a list of flags
	$CC $CFLAGS -o "$build/$p" "$here/$p.c"
done
B=$build
samples=$B/samples.tsv   # test <TAB> metric <TAB> value, one line per value
cmds=$B/commands.tsv     # test <TAB> command
notes=$B/notes.txt       # free-text caveats found while running
: >"$samples"
: >"$cmds"
: >"$notes"

# cmd TEST STRING: record the exact command of a test (once)
cmd() { printf '%s\t%s\n' "$1" "$2" >>"$cmds"; }
# add TEST: append stdin's "key value" lines as samples (except thread ids
# and iteration counts)
add() { awk -v t="$1" 'NF == 2 && $1 !~ /^(tid_|iters_total)/ { print t "\t" $1 "\t" $2 }' >>"$samples"; }
# val FILE KEY: the value of KEY in a program's "key value" output
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
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

# wait_quiet: wait (within the QUIET_WAIT budget) for an idle machine
waited=0
wait_quiet() {
	local b
	while b=$(busy_now) && ! le "$b" "$QUIET_CPUS"; do
		if [ "$waited" -ge "$QUIET_WAIT" ]; then
			echo "background load $b CPUs: QUIET_WAIT=${QUIET_WAIT}s used up, measured anyway" >>"$notes"
			return 0
		fi
		[ "$waited" = 0 ] && echo "   (waiting for an idle machine: $b CPUs busy)"
		sleep 4
		waited=$((waited + 5))
	done
}

# rep TEST CMD...: one repetition of CMD, retried while disturbed
rep() {
	local t=$1 a f
	shift
	for a in 1 2 3; do
		wait_quiet
		"$@" >"$B/rep.out"
		f=$(val "$B/rep.out" foreign_cpus)
		le "${f:-0}" "$QUIET_CPUS" && break
		if [ $a = 3 ]; then
			echo "$t: kept a run with foreign_cpus=$f after 3 attempts" >>"$notes"
		else
			echo "   (run disturbed: foreign_cpus=$f, retrying)"
		fi
	done
	add "$t" <"$B/rep.out"
}

echo "== machine: $(nproc) CPUs, $(uname -sr), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== build: $B (RUNS=$RUNS, PERF_RUNS=$PERF_RUNS${QUICK:+, QUICK=$QUICK})"

# plain TEST DESCRIPTION CMD...: RUNS repetitions of CMD
plain() {
	local t=$1 d=$2
	shift 2
	cmd "$t" "$*"
	echo "-- $d: $*  x$RUNS"
	for _ in $(seq "$RUNS"); do rep "$t" "$@"; done
}

# ---- 1: three hogs on CPUs 0,1 ------------------------------------------
plain 1_hogs "1 hogs" "$B/hogs" 3 "$hog_s" 1

# ---- 2: context-switch cost ----------------------------------------------
plain 2_syscall "2 syscall" "$B/pingpong" syscall "$sys_n"
plain 2_pp_same_cpu "2 same-CPU ping-pong" "$B/pingpong" pp 0 0 "$same_n"

# perf: is it there, and may we use tracepoints and -a?
perf_ok=1
if ! command -v perf >/dev/null; then
	perf_ok=0
	echo "perf: not installed; perf parts skipped" >>"$notes"
elif ! perf stat -e sched:sched_switch,context-switches -- true >/dev/null 2>&1; then
	perf_ok=0
	echo "perf: cannot count sched:sched_switch (tracefs/permissions); perf parts skipped" >>"$notes"
fi

if [ $perf_ok = 1 ]; then
	t=2_pp_same_cpu_perf_stat
	c=(perf stat "-x," -e "sched:sched_switch,context-switches" -o "$B/perfstat.csv"
		-- "$B/pingpong" pp 0 0 "$same_n")
	cmd $t "${c[*]}"
	echo "-- 2 perf stat: ${c[*]}  x$PERF_RUNS"
	for _ in $(seq "$PERF_RUNS"); do
		wait_quiet
		"${c[@]}" >"$B/pp.out"
		n=$(val "$B/pp.out" iters_total)
		# CSV: value,unit,event,...; counts cover warm-up too, hence iters_total
		awk -F, -v n="$n" '$3 == "sched:sched_switch" { print "sched_switch_per_rt", $1 / n }
			$3 == "context-switches" { print "context_switches_per_rt", $1 / n }' \
			"$B/perfstat.csv" | add $t
		grep -E '^(rtt_mean_ns|csw_per_rt|foreign_cpus) ' "$B/pp.out" |
			sed 's/^rtt_mean_ns/rtt_mean_ns_under_perf/' | add $t
	done
fi

# ---- 3: wakeup latency to an idle CPU -------------------------------------
plain 3_pp_cross_cpu "3 cross-CPU ping-pong" "$B/pingpong" pp 0 1 "$cross_n"
plain 3_pp_cross_cpu_gap1ms "3 cross-CPU ping-pong, 1 ms idle before each ping" \
	"$B/pingpong" pp 0 1 "$gap_n" 1000

if [ $perf_ok = 1 ] &&
	! perf record -q -o "$B/probe.data" -e sched:sched_waking,sched:sched_switch -a -- true >/dev/null 2>&1; then
	perf_ok=0
	echo "perf: record -a of sched:sched_waking,sched:sched_switch failed; tracepoint latency skipped" >>"$notes"
fi

# perf_wake TEST PINGPONG-ARGS...: PERF_RUNS traced runs of the cross-CPU
# ping-pong, each analysed by wakelat
perf_wake() {
	local t=$1 c c2
	shift
	c=(perf record -q -o "$B/wake.data" -e "sched:sched_waking,sched:sched_switch" -a
		-- "$B/pingpong" pp 0 1 "$@")
	c2="perf script -i $B/wake.data -F cpu,time,event,trace --ns | $B/wakelat TID_A TID_B"
	cmd "$t" "${c[*]}; $c2"
	echo "-- 3 tracepoints: ${c[*]}  x$PERF_RUNS"
	echo "   then: $c2"
	for _ in $(seq "$PERF_RUNS"); do
		wait_quiet
		"${c[@]}" >"$B/pp.out" 2>"$B/perf.err" || { cat "$B/perf.err" >&2; exit 1; }
		if grep -qi 'lost' "$B/perf.err"; then
			echo "$t: perf record reported lost events" >>"$notes"
		fi
		perf script -i "$B/wake.data" -F cpu,time,event,trace --ns 2>/dev/null |
			"$B/wakelat" "$(val "$B/pp.out" tid_a)" "$(val "$B/pp.out" tid_b)" | add "$t"
		grep -E '^(rtt_mean_ns|foreign_cpus) ' "$B/pp.out" |
			sed 's/^rtt_mean_ns/rtt_mean_ns_under_perf/' | add "$t"
	done
}
if [ $perf_ok = 1 ]; then
	perf_wake 3_perf_wakeup "$perf_cross_n"
	perf_wake 3_perf_wakeup_gap1ms "$gap_n" 1000
	rm -f "$B/wake.data" "$B/probe.data"
fi

# ---- 4: CPU shares on one CPU ---------------------------------------------
plain 4_yield_vs_hog "4 yield vs hog" "$B/share" yield "$share_s" 0
for n in 1 5 10; do
	plain "4_nice0_vs_nice$n" "4 nice 0 vs nice $n" "$B/share" nice "$share_s" "$n" 0
done
plain 4_sleeper_vs_hog "4 sleeper (100 us run, 1 ms sleep) vs hog" \
	"$B/share" sleep "$share_s" 100 1000 0

# ---- derived per-run values -------------------------------------------------
# switch cost and one-way wakeup from each run's mean (and median) round
# trip and the median write+read cost of test 2 (the syscall part):
#   switch_cost_ns   = (rtt - 2 * write_read) / 2      (same CPU)
#   oneway_wakeup_ns = rtt / 2 - write_read            (CPUs 0 and 1)
awk -F'\t' '
	{ row[NR] = $0; t[NR] = $1; m[NR] = $2; v[NR] = $3 }
	$1 == "2_syscall" && $2 == "write_read_ns" { wr[++nwr] = $3 }
	END {
		# median of write+read
		for (i = 1; i <= nwr; i++) for (j = i + 1; j <= nwr; j++)
			if (wr[j] < wr[i]) { x = wr[i]; wr[i] = wr[j]; wr[j] = x }
		w = nwr % 2 ? wr[(nwr + 1) / 2] : (wr[nwr / 2] + wr[nwr / 2 + 1]) / 2
		for (i = 1; i <= NR; i++) {
			if (m[i] == "rtt_mean_ns") sfx = ""
			else if (m[i] == "rtt_median_ns") sfx = "_from_median_rtt"
			else continue
			if (t[i] == "2_pp_same_cpu")
				printf "%s\tswitch_cost_ns%s\t%.1f\n", t[i], sfx, (v[i] - 2 * w) / 2
			if (t[i] ~ /^3_pp_cross_cpu/)
				printf "%s\toneway_wakeup_ns%s\t%.1f\n", t[i], sfx, v[i] / 2 - w
		}
	}' "$samples" >"$B/derived.tsv"
cat "$B/derived.tsv" >>"$samples"

echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- machine facts for the JSON and the caveats -----------------------------
facts=$B/facts.tsv
{
	printf 'kernel\t%s\n' "$(uname -r)"
	printf 'cpus\t%s\n' "$(nproc)"
	printf 'cpu_model\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	printf 'hypervisor\t%s\n' "$(grep -qw hypervisor /proc/cpuinfo && echo yes || echo no)"
	printf 'clocksource\t%s\n' "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo '?')"
	printf 'cpuidle_driver\t%s\n' "$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)"
	printf 'cpuidle_governor\t%s\n' "$(cat /sys/devices/system/cpu/cpuidle/current_governor 2>/dev/null || echo none)"
	printf 'cpuidle_states\t%s\n' "$(cat /sys/devices/system/cpu/cpu0/cpuidle/state*/name 2>/dev/null | paste -sd, || echo none)"
	printf 'guest_halt_poll_ns\t%s\n' "$(cat /sys/module/haltpoll/parameters/guest_halt_poll_ns 2>/dev/null || echo n/a)"
	cfg=$( (zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null) |
		grep -E '^CONFIG_(HZ|PREEMPT_DYNAMIC|PREEMPT_NONE|PREEMPT_VOLUNTARY|PREEMPT|SCHEDSTATS|NO_HZ_IDLE|NO_HZ_FULL)=' | paste -sd' ' || true)
	printf 'config\t%s\n' "${cfg:-unknown}"
	printf 'sched_autogroup_enabled\t%s\n' "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo n/a)"
	printf 'se_slice_ns\t%s\n' "$(awk '/^se.slice/ { print $3; exit }' /proc/self/sched 2>/dev/null || echo '?')"
	printf 'perf\t%s\n' "$( (perf --version 2>/dev/null || echo none) | head -1)"
	printf 'cmdline_sched_idle\t%s\n' "$(tr ' ' '\n' </proc/cmdline | grep -E 'idle|poll|nohz|isolcpus|pvm|sched' | paste -sd' ' || true)"
} >"$facts"

# ---- report: table on stdout, JSON to $out_json ---------------------------
awk -F'\t' -v json="$out_json" -v runs="$RUNS" -v perf_runs="$PERF_RUNS" '
	function num(x) { return (x >= 1000 || x <= -1000) ? sprintf("%.0f", x) : sprintf("%.4g", x) }
	function jstr(s) { gsub(/\\/, "&&", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
	FILENAME == ARGV[1] { fk[++nf] = $1; fv[$1] = $2; next }
	FILENAME == ARGV[2] { if (!($1 in command)) { command[$1] = $2; tord[++nt] = $1 }; next }
	FILENAME == ARGV[3] { note[++nn] = $0; next }
	{
		k = $1 SUBSEP $2
		if (!(k in cnt)) { mord[$1, ++nm[$1]] = $2 }
		vals[k, ++cnt[k]] = $3
	}
	END {
		printf "\n%-26s %-34s %10s %10s %10s %3s\n", "test", "metric", "median", "min", "max", "n"
		for (a = 1; a <= nt; a++) {
			t = tord[a]
			printf "# %s: %s\n", t, command[t]
			for (b = 1; b <= nm[t]; b++) {
				k = t SUBSEP mord[t, b]; n = cnt[k]
				for (i = 1; i <= n; i++) s[i] = vals[k, i] + 0
				for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
					if (s[j] < s[i]) { x = s[i]; s[i] = s[j]; s[j] = x }
				med[k] = n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
				lo[k] = s[1]; hi[k] = s[n]
				printf "%-26s %-34s %10s %10s %10s %3d\n", t, mord[t, b], num(med[k]), num(lo[k]), num(hi[k]), n
			}
		}
		for (i = 1; i <= nn; i++) printf "note: %s\n", note[i]
		if (json == "") exit
		printf "{\n  \"machine\": {" >json
		for (i = 1; i <= nf; i++) printf "%s\n    %s: %s", (i > 1 ? "," : ""), jstr(fk[i]), jstr(fv[fk[i]]) >json
		printf "\n  },\n  \"runs\": %d,\n  \"perf_runs\": %d,\n  \"notes\": [", runs, perf_runs >json
		for (i = 1; i <= nn; i++) printf "%s%s", (i > 1 ? ", " : ""), jstr(note[i]) >json
		printf "],\n  \"tests\": {" >json
		for (a = 1; a <= nt; a++) {
			t = tord[a]
			printf "%s\n    %s: {\n      \"command\": %s,\n      \"metrics\": {", (a > 1 ? "," : ""), jstr(t), jstr(command[t]) >json
			for (b = 1; b <= nm[t]; b++) {
				k = t SUBSEP mord[t, b]
				printf "%s\n        %s: {\"median\": %.10g, \"min\": %.10g, \"max\": %.10g, \"n\": %d, \"values\": [", (b > 1 ? "," : ""), jstr(mord[t, b]), med[k], lo[k], hi[k], cnt[k] >json
				for (i = 1; i <= cnt[k]; i++) printf "%s%s", (i > 1 ? ", " : ""), vals[k, i] >json
				printf "]}" >json
			}
			printf "\n      }\n    }" >json
		}
		printf "\n  }\n}\n" >json
		close(json)
		printf "JSON written to %s\n", json
	}' "$facts" "$cmds" "$notes" "$samples"
