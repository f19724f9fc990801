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
#   ATTEMPTS (2), OTHER_MAX (0.05): a try in whose plain run other
#   processes used more than OTHER_MAX CPUs of user time (measure.py's
#   other_user_cpus) is repeated, ATTEMPTS tries in all, and the cleanest
#   is kept. These and the quiet wait: validation/lib/common.sh.
# The quiet waits' warnings and each try's other user CPU time are logged
# to $OUT/dbench/run.log (and shown).
# Time: per file system and client count two dbench runs (plain and under
# perf record) of ~DURATION x 1.2 + 3 s each, plus mkfs and the quiet
# waits: about 4 x 2 x 30 s = 4-5 minutes on a quiet machine.
# Needs root (mount, losetup, perf -a). Mounts and the loop device are
# removed on exit, the image too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WL=dbench
# shellcheck source-path=SCRIPTDIR
source "$here/../lib/common.sh"
FSES=${FSES:-"ext4 tmpfs"}
DURATION=${DURATION:-20}
IMG_DIR=${IMG_DIR:-/var/tmp}
IMG_SIZE=${IMG_SIZE:-2G}
MNT=${MNT:-/mnt/oversub-dbench}

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

# ---- the measured command (run by measure.py, twice with --locks): a
# fresh file system, wait for quiet, then dbench
if [ "${1:-}" = _bench ]; then
	fs=$2 n=$3
	fresh_fs "$fs"
	quiet_wait
	echo "dbench-run: begin $fs $n"
	dbench -c "$LOADFILE" -D "$MNT" -t "$DURATION" "$n"
	echo "dbench-run: end"
	exit 0
fi

case ${1:-} in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# ---- tools: check; as root install APT_PKGS; else say what is missing
APT_PKGS=(dbench linux-perf e2fsprogs mount util-linux python3 procps)
loadfile() { dpkg -L dbench 2>/dev/null | grep -m1 '/client.txt$' || true; }
check() {
	need dbench dbench
	need perf linux-perf
	need mkfs.ext4 e2fsprogs
	need losetup mount
	need mountpoint util-linux
	need python3 python3
	need top procps
	[ -r "$(loadfile)" ] || missing+=("dbench's client.txt (package dbench)")
}
ensure_tools check
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

export LOADFILE LOOPDEV MNT DURATION
begin_log "FSES=\"$FSES\" THREADS=\"$THREADS\""
echo "dbench: $(dbench 2>&1 | head -n 1 || true); load file $LOADFILE; loop device ${LOOPDEV:-none}"

for fs in $FSES; do
	for n in $THREADS; do
		profile "$outdir/dbench-$fs-t$n.json" "$fs" "$n" "python3 $here/parse.py" \
			bash "$here/run.sh" _bench "$fs" "$n"
	done
done
echo "dbench: results in $outdir (log: $RUNLOG)"
