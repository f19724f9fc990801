#!/usr/bin/env bash
# The performance figures of docs/performance.md, measured in one go:
#  (a) simulated events per second on one core for a fixed scenario,
#  (b) how run time grows from 16 to 256 to 1024 host CPUs with VMs scaled
#      to match (2x overcommit of 16-vCPU VMs), as ratios against the
#      16-CPU run of the same invocation,
#  (c) where the default table's time goes (one run per cell, one seed),
#  (d) the wall time of the default table (plain `oversub`) with -j 2,
#  (e) with BASE=REV (a release tag, a commit), (a) and (d) again for REV's
#      binary, built in the same invocation (a git worktree in
#      build-base/), and each as a ratio of this tree's to REV's.
# Performance is measured here, never in the tests. Needs a built tree
# (make build); BUILD=dir picks another build directory. Pass --quick to
# skip (c), (d) and the table part of (e).
set -euo pipefail

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
bench=$BUILD/bench/oversub-bench
oversub=$BUILD/src/cli/oversub
[ -x "$bench" ] && [ -x "$oversub" ] || {
	echo "bench: build first (make build)" >&2
	exit 1
}
# dbench when the workload models are in, else the spinlock stand-in
wl=spinlock
"$oversub" list workloads | grep -q '^  dbench:' && wl=dbench

echo "== machine: $(nproc) CPUs, $(uname -srm), load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
echo
echo "== (a) $bench events --workload $wl --duration 1s --repeat 3"
"$bench" events --workload "$wl" --duration 1s --repeat 3
echo
echo "== (b) $bench scale --workload $wl --duration 100ms --cpus 16,256,1024"
"$bench" scale --workload "$wl" --duration 100ms --cpus 16,256,1024
if [ "${1:-}" != --quick ]; then
	echo
	echo "== (c) $bench cells scenarios/series-table.ini --seed 1"
	"$bench" cells scenarios/series-table.ini --seed 1
	echo
	echo "== (d) time $oversub -j 2 (the default table)"
	start=$(date +%s%N)
	"$oversub" -j 2 >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	printf 'default table, -j 2: %d.%03d s wall (load after: %s)\n' \
		$((ms / 1000)) $((ms % 1000)) "$(cut -d' ' -f1-3 /proc/loadavg)"
fi

[ -n "${BASE:-}" ] || exit 0
echo
echo "== (e) against $BASE ($(git rev-parse --short "$BASE"))"
base_dir=build-base
rm -rf "$base_dir"
git worktree prune
git worktree add --detach -q "$base_dir/src" "$BASE"
trap 'git worktree remove --force "$base_dir/src" 2>/dev/null; rm -rf "$base_dir"' EXIT
meson setup "$base_dir/build" "$base_dir/src" >/dev/null
meson compile -C "$base_dir/build" >/dev/null
base_bench=$base_dir/build/bench/oversub-bench
base_oversub=$base_dir/build/src/cli/oversub
# events/s, in millions: the best of 3 runs (the summary line)
evs() { "$1" events --workload "$wl" --duration 1s --repeat 3 |
	awk '/^events\/s:/ {print $2}'; }
new_ev=$(evs "$bench")
base_ev=$(evs "$base_bench")
awk -v a="$new_ev" -v b="$base_ev" 'BEGIN {printf "events/s: this tree %.2f M, base %.2f M: ratio %.3f\n", a, b, (b > 0 ? a / b : 0)}'
[ "${1:-}" = --quick ] && exit 0
table_s() {
	local start ms
	start=$(date +%s%N)
	"$1" -j 2 >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "$ms"
}
new_ms=$(table_s "$oversub")
base_ms=$(table_s "$base_oversub")
awk -v a="$new_ms" -v b="$base_ms" 'BEGIN {printf "default table, -j 2: this tree %.1f s, base %.1f s: ratio %.3f\n", a / 1000, b / 1000, (b > 0 ? a / b : 0)}'
