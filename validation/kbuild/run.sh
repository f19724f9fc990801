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
#   ATTEMPTS (2), OTHER_MAX (0.05): a try in whose plain run other
#   processes used more than OTHER_MAX CPUs of user time (measure.py's
#   other_user_cpus) is repeated, ATTEMPTS tries in all, and the cleanest
#   is kept. These and the quiet wait: validation/lib/common.sh.
# The quiet waits' warnings and each try's other user CPU time are logged
# to $OUT/kbuild/run.log (and shown).
# Time: first run ~30 s to unpack and prepare; then per -jN two builds
# (plain and under perf record) of ~45 s (-j1) / ~25 s (-j2) with the
# default TARGETS, plus the quiet waits: about 3 minutes on a quiet machine.
# Needs root for perf -a (system-wide counters and lock tracepoints).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
WL=kbuild
# shellcheck source-path=SCRIPTDIR
source "$here/../lib/common.sh"
TARGETS=${TARGETS:-"fs/ext4/ fs/jbd2/ fs/proc/"}
WORK=${WORK:-/var/tmp/oversub-kbuild}

# ---- the measured command (run by measure.py, twice with --locks): a
# fresh object tree, wait for quiet, then the build between markers
if [ "${1:-}" = _bench ]; then
	n=$2
	rm -rf "$WORK/obj"
	cp -a "$WORK/base" "$WORK/obj"
	sync
	quiet_wait
	echo "kbuild: begin -j$n $TARGETS"
	# shellcheck disable=SC2086 # TARGETS is a list
	make -C "$SRC" O="$WORK/obj" -j"$n" $TARGETS
	echo "kbuild: end"
	exit 0
fi

case ${1:-} in -h | --help) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

# ---- tools: check; as root install APT_PKGS; else say what is missing
APT_PKGS=(linux-source make gcc libc6-dev flex bison bc libelf-dev libssl-dev xz-utils perl linux-perf python3 procps)
tarball() { find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' | sort -V | tail -n 1; }
check() {
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
ensure_tools check
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

export SRC WORK TARGETS
begin_log "THREADS=\"$THREADS\""

for n in $THREADS; do
	profile "$outdir/kbuild-t$n.json" "${name}-defconfig" "$n" "python3 $here/parse.py" \
		bash "$here/run.sh" _bench "$n"
done
rm -rf "$WORK/obj"
echo "kbuild: results in $outdir (log: $RUNLOG)"
