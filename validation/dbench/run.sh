#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/dbench/run.sh - profile the real dbench (Debian's dbench 4.0,
# NetBench load /usr/share/dbench/client.txt) with validation/lib/measure.py,
# for the simulator's dbench model (docs/workloads.md, "dbench"): one JSON
# per file system (ext4, tmpfs) and client count. (profile.sh in this
# folder is the older, deeper study: lock names, jbd2 commits, op mix.)
#
# Each measured run makes a fresh file system on $MNT first: ext4 on a loop
# device over a sparse image ($IMG_DIR, IMG_SIZE), `mkfs.ext4 -E
# lazy_itable_init=0,lazy_journal_init=0,nodiscard` (no background
# inode-table zeroing, no discards) and default mount options; or tmpfs
# (size=4G). Then sync, drop_caches, a wait for a quiet machine, and
#     dbench -c client.txt -D $MNT -t $DURATION N
# dbench warms up (DURATION/5 s), executes for DURATION s (a line
# "N  LINES  MB/sec  execute K sec" per second), then cleans up. Window: the
# execute phase (from the first execute line minus its K seconds to the
# first cleanup line, when dbench ends it). Unit "op": one NetBench
# operation of the execute phase (the sum of dbench's final table, which
# counts the operations since the end of the warmup).
#
# Usage: bash validation/dbench/run.sh
# Environment: OUT (/tmp/oversub-validation; JSON in
#   $OUT/dbench/dbench-FS-tN.json), THREADS ("1 2": clients), FSES ("ext4
#   tmpfs"), DURATION (20 s), IMG_DIR (/var/tmp), IMG_SIZE (2G), MNT
#   (/mnt/oversub-dbench), QUIET_IDLE (90: % idle over 2 s that counts as
#   quiet), QUIET_WAIT (60 s at most), LOCKS (1: add measure.py --locks).
#   ATTEMPTS (2), OTHER_MAX (0.05): a try (measure.py's plain and locks
#   runs) in which other processes used more than OTHER_MAX CPUs of user
#   time is repeated, ATTEMPTS tries in all, and the cleanest is kept.
# Each run logs quiet-wait warnings and the CPU time used outside the
# measured command to $OUT/dbench/run.log (and stderr).
# Time: per file system and client count two dbench runs (plain and under
# perf record) of ~DURATION x 1.2 + 3 s each, plus mkfs and the quiet
# waits: about 4 x 2 x 30 s = 4-5 minutes on a quiet machine.
# Needs root (mount, losetup, perf -a). Mounts and the loop device are
# removed on exit, the image too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
measure=$here/../lib/measure.py
OUT=${OUT:-/tmp/oversub-validation}
THREADS=${THREADS:-"1 2"}
FSES=${FSES:-"ext4 tmpfs"}
DURATION=${DURATION:-20}
IMG_DIR=${IMG_DIR:-/var/tmp}
IMG_SIZE=${IMG_SIZE:-2G}
MNT=${MNT:-/mnt/oversub-dbench}
QUIET_IDLE=${QUIET_IDLE:-90}
QUIET_WAIT=${QUIET_WAIT:-60}
LOCKS=${LOCKS:-1}
ATTEMPTS=${ATTEMPTS:-2}
OTHER_MAX=${OTHER_MAX:-0.05}
WL=dbench

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

# fresh_fs FS: a new, empty FS (ext4 | tmpfs) mounted on $MNT
fresh_fs() {
	if mountpoint -q "$MNT"; then umount "$MNT"; fi
	case $1 in
	ext4)
		mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0,nodiscard "$LOOPDEV"
		mount -t ext4 "$LOOPDEV" "$MNT"
		;;
	tmpfs)
		mount -t tmpfs -o size=4G tmpfs "$MNT"
		;;
	*)
		echo "dbench: unknown file system $1" >&2
		exit 2
		;;
	esac
	sync
	echo 3 >/proc/sys/vm/drop_caches
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
# fresh file system, wait for quiet, then dbench
if [ "${1:-}" = _bench ]; then
	fs=$2 n=$3
	fresh_fs "$fs"
	quiet_wait "$RUNLOG"
	before=$(cpu_ticks)
	echo "dbench-run: begin $fs $n"
	dbench -c "$LOADFILE" -D "$MNT" -t "$DURATION" "$n"
	echo "dbench-run: end"
	other_cpu "$(date +%T) dbench $fs $n clients (whole run)" "$before"
	exit 0
fi

case ${1:-} in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# ---- tools: check; as root install with apt-get; else say what is missing
APT_PKGS=(dbench linux-perf e2fsprogs mount util-linux python3 procps)
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
loadfile() { dpkg -L dbench 2>/dev/null | grep -m1 '/client.txt$' || true; }
check() {
	missing=()
	need dbench dbench
	need perf linux-perf
	need mkfs.ext4 e2fsprogs
	need losetup mount
	need mountpoint util-linux
	need python3 python3
	need top procps
	[ -r "$(loadfile)" ] || missing+=("dbench's client.txt (package dbench)")
}
check
if [ ${#missing[@]} -ne 0 ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "dbench: installing ${APT_PKGS[*]} (missing: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq </dev/null >/dev/null 2>&1 || true
		apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" \
			</dev/null >/dev/null 2>&1 || true
		check
	fi
	if [ ${#missing[@]} -ne 0 ]; then
		echo "dbench: missing: ${missing[*]}" >&2
		echo "install them with: sudo apt-get install -y ${APT_PKGS[*]}" >&2
		exit 2
	fi
fi
[ "$(id -u)" -eq 0 ] || { echo "dbench: needs root (mount, losetup, perf -a)" >&2; exit 2; }
LOADFILE=$(loadfile)

# ---- the loop device under the ext4 runs; everything undone on exit
IMG=$IMG_DIR/oversub-dbench-ext4.img
LOOPDEV=""
cleanup() {
	set +e
	if mountpoint -q "$MNT" 2>/dev/null; then umount "$MNT" || umount -l "$MNT"; fi
	[ -n "$LOOPDEV" ] && losetup -d "$LOOPDEV"
	rm -f "$IMG"
	rmdir "$MNT" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$MNT"
if mountpoint -q "$MNT"; then
	echo "dbench: $MNT is already a mount point (another run?)" >&2
	trap - EXIT
	exit 2
fi
case " $FSES " in
*" ext4 "*)
	rm -f "$IMG"
	truncate -s "$IMG_SIZE" "$IMG"
	LOOPDEV=$(losetup --find --show "$IMG")
	;;
esac

outdir=$OUT/dbench
mkdir -p "$outdir"
export RUNLOG=$outdir/run.log FOREIGN=$outdir/.foreign LOADFILE LOOPDEV MNT DURATION QUIET_IDLE QUIET_WAIT
echo "=== $(date "+%F %T") $WL run.sh: FSES=\"$FSES\" THREADS=\"$THREADS\"" >>"$RUNLOG"
echo "dbench: $(dbench 2>&1 | head -n 1 || true); load file $LOADFILE; loop device ${LOOPDEV:-none}"

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
for fs in $FSES; do
	for n in $THREADS; do
		profile "$outdir/dbench-$fs-t$n.json" "$fs" "$n" "$fs" "$n"
	done
done
rm -f "$FOREIGN"
echo "dbench: results in $outdir (log: $RUNLOG)"
