#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/kbuild/run.sh - profile a real parallel kernel build (make -jN),
# for the simulator's kbuild model (docs/workloads.md, "kbuild").
#
# Source: Debian's linux-source package (/usr/src/linux-source-6.1.tar.xz on
# Debian 12), unpacked once into WORK; an out-of-tree object directory
# (O=$WORK/obj) is configured with `make defconfig` and `make prepare`
# (objtool, generated headers) once, and saved as $WORK/base. Each
# measured run starts from a fresh copy of base (same path, timestamps
# kept, so nothing of prepare is redone) and runs
#     make -C SRC O=$WORK/obj -jN $TARGETS
# TARGETS ("fs/ext4/ fs/jbd2/ fs/proc/" by default: ~70 objects, ~45 s at
# -j1 on a quiet 2-CPU machine) are kbuild directory targets: each object is
# gcc (cc1, as) + objtool + fixdep, and each directory ends in an AR of
# built-in.a; make checks the prepare steps first (GEN Makefile,
# checksyscalls.sh, DESCEND objtool). The window is the whole make run (the
# copy and the quiet wait before it excluded). Unit "compilation": one
# compiler-driver invocation as kbuild reports it (CC, CC [M], AS, HOSTCC,
# HOSTCXX, CPP, LDS lines at V=0); AR, LD and GEN steps are not counted.
#
# Usage: bash validation/kbuild/run.sh
# Environment: OUT (/tmp/oversub-validation; JSON in
#   $OUT/kbuild/kbuild-tN.json), THREADS ("1 2": make -jN), TARGETS (above),
#   WORK (/var/tmp/oversub-kbuild: ~1.5 GB source tree and the object
#   trees, kept for the next run; remove it by hand), QUIET_IDLE (90: %
#   idle over 2 s that counts as quiet), QUIET_WAIT (60 s at most), LOCKS
#   (1: add measure.py --locks).
#   ATTEMPTS (2), OTHER_MAX (0.05): a try (measure.py's plain and locks
#   runs) in which other processes used more than OTHER_MAX CPUs of user
#   time is repeated, ATTEMPTS tries in all, and the cleanest is kept.
# Each run logs quiet-wait warnings and the CPU time used outside the
# measured command to $OUT/kbuild/run.log (and stderr).
# Time: first run ~30 s to unpack and prepare; then per -jN two builds
# (plain and under perf record) of ~45 s (-j1) / ~25 s (-j2) with the
# default TARGETS, plus the quiet waits: about 3 minutes on a quiet machine.
# Needs root for perf -a (system-wide counters and lock tracepoints).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
measure=$here/../lib/measure.py
OUT=${OUT:-/tmp/oversub-validation}
THREADS=${THREADS:-"1 2"}
TARGETS=${TARGETS:-"fs/ext4/ fs/jbd2/ fs/proc/"}
WORK=${WORK:-/var/tmp/oversub-kbuild}
QUIET_IDLE=${QUIET_IDLE:-90}
QUIET_WAIT=${QUIET_WAIT:-60}
LOCKS=${LOCKS:-1}
ATTEMPTS=${ATTEMPTS:-2}
OTHER_MAX=${OTHER_MAX:-0.05}
WL=kbuild

# quiet_wait LOG: wait until the CPUs were >= QUIET_IDLE % idle over 2 s,
# at most QUIET_WAIT s; if they never were, append a warning and what ran
# to LOG and stderr (measure.py's JSON has no place for notes).
quiet_wait() {
	local log=$1 i a b idle=100
	for ((i = 0; i < QUIET_WAIT; i += 2)); do
		a=$(awk '/^cpu / {print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
		sleep 2
		b=$(awk '/^cpu / {print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
		idle=$(echo "$a $b" | awk '{d = $4 - $2; printf "%.1f", (d > 0 ? 100 * ($3 - $1) / d : 100)}')
		awk -v x="$idle" -v m="$QUIET_IDLE" 'BEGIN {exit !(x >= m)}' && return 0
	done
	{
		echo "$(date +%T) WARNING: machine not quiet after ${QUIET_WAIT} s" \
			"(${idle}% idle over 2 s, want ${QUIET_IDLE}%); measuring anyway. Busiest (short-lived" \
			"processes that exited within the second of top's sample are not listed):"
		top -b -d 1 -n 2 -w 160 | awk '/^top -/ {n++} n == 2' | sed -n '3p; 7,12p'
	} | tee -a "$log" >&2
}

# cpu_ticks: CPU ticks of all CPUs (/proc/stat: busy, user + nice) and of
# this shell's waited-for descendants (/proc/$$/stat: cutime + cstime,
# cutime), and the time in ticks
cpu_ticks() {
	echo "$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3}' /proc/stat)" \
		"$(awk '{print $16 + $17, $16}' /proc/$$/stat)" \
		"$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", $1 * hz}' /proc/uptime)"
}

# other_cpu WHAT BEFORE: log the CPU time used outside the measured
# command's processes since BEFORE (cpu_ticks), all of it (other processes,
# kernel threads such as jbd2 or the loop worker, interrupts) and the user
# part (other processes only); append the user part per second of run
# time, in CPUs, to $FOREIGN
other_cpu() {
	local what=$1 before=$2
	echo "$before $(cpu_ticks) $(getconf CLK_TCK)" | awk -v w="$what" -v f="$FOREIGN" '{
		hz = $11; s = ($10 - $5) / hz
		busy = ($6 - $1) / hz; own = ($8 - $3) / hz
		user = ($7 - $2) / hz; ownu = ($9 - $4) / hz
		printf "%s: other CPU %.2f s, of which user %.2f s (%.3f CPUs), in %.1f s; the command %.2f s\n",
			w, busy - own, user - ownu, (s > 0 ? (user - ownu) / s : 0), s, own
		printf "%.4f\n", (s > 0 ? (user - ownu) / s : 0) >> f}' | tee -a "$RUNLOG" >&2
}

# ---- the measured command (run by measure.py, twice with --locks): a
# fresh object tree, wait for quiet, then the build between markers
if [ "${1:-}" = _bench ]; then
	n=$2
	rm -rf "$WORK/obj"
	cp -a "$WORK/base" "$WORK/obj"
	sync
	quiet_wait "$RUNLOG"
	before=$(cpu_ticks)
	echo "kbuild: begin -j$n $TARGETS"
	# shellcheck disable=SC2086 # TARGETS is a list
	make -C "$SRC" O="$WORK/obj" -j"$n" $TARGETS
	echo "kbuild: end"
	other_cpu "$(date +%T) kbuild -j$n" "$before"
	exit 0
fi

case ${1:-} in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# ---- tools: check; as root install with apt-get; else say what is missing
APT_PKGS=(linux-source make gcc libc6-dev flex bison bc libelf-dev libssl-dev xz-utils perl linux-perf python3 procps)
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
tarball() { find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1; }
check() {
	missing=()
	need make make
	need gcc gcc
	need flex flex
	need bison bison
	need bc bc
	need perl perl
	need xz xz-utils
	need perf linux-perf
	need python3 python3
	need top procps
	[ -r /usr/include/libelf.h ] || missing+=("libelf-dev (libelf.h, for objtool)")
	[ -r /usr/include/openssl/ssl.h ] || missing+=("libssl-dev (openssl headers)")
	[ -n "$(tarball)" ] || missing+=("linux-source (/usr/src/linux-source-*.tar.xz)")
}
check
if [ ${#missing[@]} -ne 0 ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "kbuild: installing ${APT_PKGS[*]} (missing: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq </dev/null >/dev/null 2>&1 || true
		apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" \
			</dev/null >/dev/null 2>&1 || true
		check
	fi
	if [ ${#missing[@]} -ne 0 ]; then
		echo "kbuild: missing: ${missing[*]}" >&2
		echo "install them with: sudo apt-get install -y ${APT_PKGS[*]}" >&2
		exit 2
	fi
fi
[ "$(id -u)" -eq 0 ] || { echo "kbuild: needs root (perf -a)" >&2; exit 2; }

# ---- source tree and the prepared object tree (once; outside the runs)
tb=$(tarball)
name=$(basename "$tb" .tar.xz)
SRC=$WORK/$name
mkdir -p "$WORK"
if [ ! -f "$SRC/.oversub-unpacked" ]; then
	echo "kbuild: unpacking $tb into $WORK"
	rm -rf "$SRC"
	tar -C "$WORK" -xf "$tb"
	touch "$SRC/.oversub-unpacked"
fi
if [ ! -f "$WORK/base/.oversub-prepared" ] ||
	[ "$(cat "$WORK/base/.oversub-prepared")" != "$name" ]; then
	echo "kbuild: make defconfig prepare in $WORK/obj (saved as $WORK/base)"
	rm -rf "$WORK/obj" "$WORK/base"
	mkdir -p "$WORK/obj"
	make -s -C "$SRC" O="$WORK/obj" defconfig >/dev/null
	make -s -C "$SRC" O="$WORK/obj" -j"$(nproc)" prepare >/dev/null
	echo "$name" >"$WORK/obj/.oversub-prepared"
	cp -a "$WORK/obj" "$WORK/base"
fi

outdir=$OUT/kbuild
mkdir -p "$outdir"
export RUNLOG=$outdir/run.log FOREIGN=$outdir/.foreign SRC WORK TARGETS QUIET_IDLE QUIET_WAIT
echo "=== $(date "+%F %T") $WL run.sh: THREADS=\"$THREADS\"" >>"$RUNLOG"

# profile JSON VARIANT N ARGS...: measure.py on `run.sh _bench ARGS`; a try
# in whose runs other processes used more than OTHER_MAX CPUs of user time
# is repeated (ATTEMPTS tries in all) and the cleanest try is kept
profile() {
	local json=$1 variant=$2 n=$3 try k f best="" bestf=""
	shift 3
	for ((try = 1; try <= ATTEMPTS; try++)); do
		local cmd=(python3 "$measure" --workload "$WL" --variant "$variant"
			--threads "$n" --parser "python3 $here/parse.py"
			--out "$json.try$try" "${lockopt[@]}"
			-- bash "$here/run.sh" _bench "$@")
		echo "$WL: $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg): ${cmd[*]}"
		k=$(wc -l <"$RUNLOG")
		: >"$FOREIGN"
		"${cmd[@]}"
		tail -n +$((k + 1)) "$RUNLOG" | sed "s/^/$WL: /"
		f=$(sort -g "$FOREIGN" | tail -n 1)
		f=${f:-0}
		if [ -z "$best" ] || awk -v a="$f" -v b="$bestf" 'BEGIN {exit !(a < b)}'; then
			best=$json.try$try bestf=$f
		fi
		awk -v a="$f" -v m="$OTHER_MAX" 'BEGIN {exit !(a <= m)}' && break
		echo "$WL: other processes used $f CPUs of user time (> $OTHER_MAX) in a run of try $try"
	done
	mv "$best" "$json"
	rm -f "$json".try*
	echo "$WL: kept try ${best##*.try} of $json (other user CPU $bestf CPUs)"
	python3 - "$json" <<-'EOF'
		import json, sys
		r = json.load(open(sys.argv[1]))
		p, lk = r["per_op"], r["locks"] or {}
		print(f"{r['workload']}: {r['variant']} t{r['threads']}: {r['ops']:.0f} {r['unit']}s "
		      f"in {r['seconds']} s = {r['ops_per_s']}/s; user {r['user_pct']}% kernel "
		      f"{r['kernel_pct']}% busy {r['busy_pct']}%; per {r['unit']}: cs_vol "
		      f"{p['cs_voluntary']} cs_inv {p['cs_involuntary']} lock contentions "
		      f"{p.get('lock_contentions')} (mean wait {lk.get('mean_wait_us')} us)")
	EOF
}

lockopt=()
[ "$LOCKS" = 1 ] && lockopt=(--locks)
for n in $THREADS; do
	profile "$outdir/kbuild-t$n.json" "${name}-defconfig" "$n" "$n"
done
rm -rf "$WORK/obj"
rm -f "$FOREIGN"
echo "kbuild: results in $outdir (log: $RUNLOG)"
