# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# validation/lib/common.sh - what the validation run.sh scripts (dbench,
# vips, kbuild, programs) share; each sources it after setting WL, the
# workload's name: the settings below, the wait for a quiet machine, and
# measure.py's runs, repeated until clean, with their summary; the check
# and install of the tools a script needs.
#
# Environment: OUT (/tmp/oversub-validation; the JSON and run.log in
#   $OUT/$WL/), THREADS ("1 2"), QUIET_IDLE (90: % idle over 2 s that
#   counts as quiet), QUIET_WAIT (60 s at most), LOCKS (1: add measure.py
#   --locks), ATTEMPTS (2) and OTHER_MAX (0.05): see profile.
# Sets outdir ($OUT/$WL) and RUNLOG ($outdir/run.log: the quiet waits'
# warnings and each try's other user CPU time).

OUT=${OUT:-/tmp/oversub-validation}
THREADS=${THREADS:-"1 2"}
QUIET_IDLE=${QUIET_IDLE:-90}
QUIET_WAIT=${QUIET_WAIT:-60}
LOCKS=${LOCKS:-1}
ATTEMPTS=${ATTEMPTS:-2}
OTHER_MAX=${OTHER_MAX:-0.05}
outdir=$OUT/${WL:?set WL before sourcing common.sh}
RUNLOG=$outdir/run.log
measure=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/measure.py

# begin_log SETTINGS: make $outdir and note in RUNLOG that a run of the
# script begins, with SETTINGS
begin_log() {
	mkdir -p "$outdir"
	echo "=== $(date "+%F %T") $WL run.sh: $1" >>"$RUNLOG"
}

# quiet_wait: wait until the CPUs were >= QUIET_IDLE % idle over 2 s, at
# most QUIET_WAIT s; if they never were, append a warning and what ran to
# RUNLOG and stderr (measure.py's JSON has no place for notes).
quiet_wait() {
	local i a b idle=100
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
	} | tee -a "$RUNLOG" >&2
}

# profile JSON VARIANT N PARSER COMMAND...: measure.py --workload $WL
# --variant VARIANT --threads N --parser PARSER (and --locks when LOCKS is
# 1) on COMMAND, into JSON, then its summary. A try whose plain run had
# other processes using more than OTHER_MAX CPUs of user time (the JSON's
# other_user_cpus) is repeated, ATTEMPTS tries in all, and the cleanest
# try is kept. What the command and the tries add to RUNLOG is shown.
profile() {
	local json=$1 variant=$2 n=$3 parser=$4 try k f best="" bestf="" locks=()
	shift 4
	[ "$LOCKS" = 1 ] && locks=(--locks)
	for ((try = 1; try <= ATTEMPTS; try++)); do
		local cmd=(python3 "$measure" --workload "$WL" --variant "$variant"
			--threads "$n" --parser "$parser" --out "$json.try$try"
			"${locks[@]}" -- "$@")
		echo "$WL: $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg): ${cmd[*]}"
		k=$(wc -l <"$RUNLOG")
		"${cmd[@]}"
		f=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["other_user_cpus"])' \
			"$json.try$try")
		echo "$(date +%T) $WL ${variant:+$variant }t$n try $try: other processes used $f CPUs of user time" \
			>>"$RUNLOG"
		tail -n +$((k + 1)) "$RUNLOG" | sed "s/^/$WL: /"
		if [ -z "$best" ] || awk -v a="$f" -v b="$bestf" 'BEGIN {exit !(a < b)}'; then
			best=$json.try$try bestf=$f
		fi
		awk -v a="$f" -v m="$OTHER_MAX" 'BEGIN {exit !(a <= m)}' && break
		echo "$WL: that is more than OTHER_MAX ($OTHER_MAX)"
	done
	mv "$best" "$json"
	rm -f "$json".try*
	echo "$WL: kept try ${best##*.try} of $json (other user CPU $bestf CPUs)"
	summary "$json"
}

# summary JSON: one line of measure.py's JSON: throughput, CPU split,
# switches and lock contentions per operation
summary() {
	python3 - "$1" <<-'EOF'
		import json, sys
		r = json.load(open(sys.argv[1]))
		p, lk, v = r["per_op"], r["locks"] or {}, r["variant"]
		print(f"{r['workload']}: {v + ' ' if v else ''}t{r['threads']}: {r['ops']:.0f} {r['unit']}s "
		      f"in {r['seconds']} s = {r['ops_per_s']}/s; user {r['user_pct']}% kernel "
		      f"{r['kernel_pct']}% busy {r['busy_pct']}%; per {r['unit']}: cs_vol "
		      f"{p['cs_voluntary']} cs_inv {p['cs_involuntary']} lock contentions "
		      f"{p.get('lock_contentions')} (mean wait {lk.get('mean_wait_us')} us)")
	EOF
}

# need COMMAND PACKAGE: note PACKAGE as missing unless COMMAND is on PATH
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

# ensure_tools CHECK: run CHECK, a function that notes what is missing in
# the array missing (with need); if anything is, as root install APT_PKGS
# with apt-get and run CHECK again; if anything is still missing, say what
# and how to install it, and exit 2
ensure_tools() {
	missing=()
	"$1"
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "$WL: installing ${APT_PKGS[*]} (missing: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq </dev/null >/dev/null 2>&1 || true
		apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" \
			</dev/null >/dev/null 2>&1 || true
		missing=()
		"$1"
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "$WL: missing: ${missing[*]}" >&2
	echo "install them with: sudo apt-get install -y ${APT_PKGS[*]}" >&2
	exit 2
}
