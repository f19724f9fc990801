#!/usr/bin/env bash
# The whole test suite: unit tests in a normal build (build/) and under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), plus a smoke
# test of the oversub CLI. Every TAP case counts; the last line of output is
# always "N passed, N failed", and the exit status is non-zero if any failed.
# Runs unattended (CI=true, no TTY, no stdin).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
skipped=0
failures=()

summary() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo
		echo "failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	[ "$skipped" -gt 0 ] && echo "($skipped skipped, not counted)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

fail() {
	failed=$((failed + 1))
	failures+=("$1")
}

if ! scripts/deps.sh </dev/null; then
	fail "deps: missing build dependencies"
	summary
fi

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

# configure + compile one build dir; $1 dir, rest: meson setup options
build() {
	local dir=$1 log
	shift
	log=$(mktemp)
	echo "== $dir: build"
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir" # never set up, or a failed setup: start over
		if ! meson setup "$dir" --werror "$@" >"$log" 2>&1; then
			tail -n 40 "$log"
			rm -f "$log"
			fail "$dir: meson setup"
			return 1
		fi
	fi
	if ! meson compile -C "$dir" >"$log" 2>&1; then
		tail -n 60 "$log"
		rm -f "$log"
		fail "$dir: compile"
		return 1
	fi
	rm -f "$log"
}

# meson test in $1; results are read from its testlog.json afterwards
unit() {
	local dir=$1
	shift
	echo "== $dir: unit tests"
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --suite unit --suite kvm --print-errorlogs "$@" </dev/null
	# the exit status is accounted for by count_tap below
	return 0
}

# Count TAP cases in $1/meson-logs/testlog.json: prints
# "passed failed skipped" then one failure name per line.
count_tap() {
	python3 - "$1" <<'PY'
import json, re, sys

d = sys.argv[1]
p = f = s = 0
names = []
try:
    lines = open(f"{d}/meson-logs/testlog.json").read().splitlines()
except OSError:
    lines = []
    f += 1
    names.append(f"{d}: no test log (meson test did not run)")
for line in lines:
    if not line.strip():
        continue
    t = json.loads(line)
    name, res, out = t["name"], t["result"], t.get("stdout") or ""
    nok = nskip = 0
    for l in out.splitlines():
        if not re.match(r"^(not )?ok\b", l):
            continue
        if re.search(r"#\s*SKIP", l, re.I):
            # cmocka 1.1 prints a skipped case as "not ok N # SKIP"
            s += 1
            nskip += 1
        elif l.startswith("ok"):
            p += 1
        elif not re.search(r"#\s*TODO", l, re.I):
            f += 1
            nok += 1
            names.append(f"{d} {name}: {l}")
    bad = res not in ("OK", "SKIP", "EXPECTEDFAIL")
    # meson calls cmocka's "not ok # SKIP" a failure; the exit status
    # says whether the binary itself failed.
    if bad and nskip and t.get("returncode") == 0:
        bad = False
    if bad and nok == 0:
        f += 1
        names.append(f"{d} {name}: {res}, exit {t.get('returncode')} (no TAP 'not ok' line)")
print(p, f, s)
for n in names:
    print(n)
PY
}

tally() {
	local dir=$1 out first
	out=$(count_tap "$dir")
	first=$(head -n 1 <<<"$out")
	read -r p f s <<<"$first"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	while IFS= read -r line; do
		[ -n "$line" ] && failures+=("$line")
	done < <(tail -n +2 <<<"$out")
	if [ "$s" -gt 0 ]; then
		echo "   $dir: $p passed, $f failed, $s skipped"
	else
		echo "   $dir: $p passed, $f failed"
	fi
}

# CLI smoke: $1 dir holding the build
cli_case() {
	local name=$1 want=$2 got
	shift 2
	"$@" >/tmp/oversub-smoke.$$ 2>&1 </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then
		passed=$((passed + 1))
	else
		fail "cli $name: exit $got, expected $want"
		sed 's/^/    /' /tmp/oversub-smoke.$$ | tail -n 20
	fi
}

cli_contains() {
	local name=$1 text=$2
	if grep -qF -- "$text" /tmp/oversub-smoke.$$; then
		passed=$((passed + 1))
	else
		fail "cli $name: output lacks '$text'"
	fi
}

# Same bytes from two commands: $1 name, $2 and $3 the output files.
cli_same() {
	if cmp -s "$2" "$3"; then
		passed=$((passed + 1))
	else
		fail "cli $1: outputs differ"
	fi
}

# Runs of the shipped scenarios: reports, determinism, -j, traces.
runs() {
	local dir=$1 bin=$2 f tmp
	tmp=$(mktemp -d)
	for f in scenarios/*.ini; do
		# [table] scenarios are for `oversub table` (tables() below)
		grep -q '^\[table\]' "$f" && continue
		cli_case "$dir run $f" 0 "$bin" run "$f"
		cli_contains "$dir run $f: report" "Time breakdown"
	done
	f=scenarios/overcommit-spinlock.ini
	"$bin" run "$f" --seed 7 --json >"$tmp/a.json" 2>/dev/null
	"$bin" run "$f" --seed 7 --json >"$tmp/b.json" 2>/dev/null
	cli_same "$dir run --json twice" "$tmp/a.json" "$tmp/b.json"
	"$bin" compare "$f" --policies vanilla,series-v2 --json -j 1 \
		>"$tmp/j1.json" 2>/dev/null
	"$bin" compare "$f" --policies vanilla,series-v2 --json -j 2 \
		>"$tmp/j2.json" 2>/dev/null
	cli_same "$dir compare -j 1 vs -j 2" "$tmp/j1.json" "$tmp/j2.json"
	cli_case "$dir run --trace" 0 "$bin" run scenarios/pv-spinlock.ini \
		--seed 3 --trace "$tmp/t1.json" --trace-window 100ms..200ms
	"$bin" run scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/t2.json" \
		--trace-window 100ms..200ms >/dev/null 2>&1
	cli_same "$dir trace twice" "$tmp/t1.json" "$tmp/t2.json"
	# the trace is JSON with CPU tracks, run slices, runnable counters
	# and flow arrows that pair up
	if python3 - "$tmp/t1.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
ph = lambda p: [e for e in ev if e.get("ph") == p]
tracks = {e["args"]["name"] for e in ph("M") if e.get("name") == "thread_name"}
assert {"CPU 0", "CPU 7"} <= tracks, tracks
assert len(ph("X")) > 100 and len(ph("C")) > 100
starts = {e["id"] for e in ph("s")}
ends = {e["id"] for e in ph("f")}
# every arrow that ends began; one begun near the window's end whose
# target had not run again by then has no end
assert starts and ends <= starts, (len(starts), len(ends))
assert len(starts - ends) < len(starts) / 100, (len(starts), len(ends))
PY
	then
		passed=$((passed + 1))
	else
		fail "cli $dir trace: not the expected Perfetto JSON"
	fi
	# --trace's path before the run; its size limit; the mode it keeps
	cli_case "$dir run --trace to a folder" 2 "$bin" run \
		scenarios/pv-spinlock.ini --seed 3 --trace "$tmp"
	cli_contains "$dir run --trace to a folder: reason" "is not a regular file"
	cli_case "$dir run --trace, no such folder" 2 "$bin" run \
		scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/no/t.json"
	cli_case "$dir run --trace-max bogus" 2 "$bin" run \
		scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/t3.json" \
		--trace-max 12X
	cli_case "$dir run --trace-max 1M" 1 "$bin" run \
		scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/t3.json" \
		--trace-max 1M
	cli_contains "$dir run --trace-max 1M: reason" "grew past --trace-max"
	if [ ! -e "$tmp/t3.json" ] && ! ls "$tmp" | grep -q 't3.json.tmp'; then
		passed=$((passed + 1))
	else
		fail "cli $dir run --trace-max 1M: a file was left"
	fi
	: >"$tmp/t4.json"
	chmod 600 "$tmp/t4.json"
	"$bin" run scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/t4.json" \
		--trace-window 100ms..110ms >/dev/null 2>&1
	if [ "$(stat -c %a "$tmp/t4.json")" = 600 ] && [ -s "$tmp/t4.json" ]; then
		passed=$((passed + 1))
	else
		fail "cli $dir run --trace: the replaced file's mode not kept"
	fi
	cli_case "$dir run --trace-window after the run" 0 "$bin" run \
		scenarios/pv-spinlock.ini --seed 3 --trace "$tmp/t5.json" \
		--trace-window 10s..
	cli_contains "$dir run --trace-window after the run: warning" \
		"after the run ends"
	# SIGTERM during a traced run: no temporary file left (SIGINT is
	# ignored by background jobs of a script, so TERM stands for it)
	mkdir -p "$tmp/sig"
	"$bin" run scenarios/overcommit-spinlock.ini --seed 1 \
		--trace "$tmp/sig/t.json" >/dev/null 2>&1 &
	local pid=$! k kids alive=0
	sleep 0.3
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -z "$(ls -A "$tmp/sig")" ]; then
		passed=$((passed + 1))
	else
		fail "cli $dir run --trace, SIGTERM: left $(ls -A "$tmp/sig")"
	fi
	# -j workers die with their parent, even one killed outright (a
	# sweep of 16 runs of 30 s simulated: seconds, whatever the build)
	"$bin" sweep tests/scenario/sweep-small.ini -j 2 \
		--vary run.duration=30s >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	kids=$(pgrep -P "$pid")
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sleep 0.5
	for k in $kids; do
		case $(ps -o stat= -p "$k" 2>/dev/null) in
		'' | Z*) ;;
		*) alive=$((alive + 1)) ;;
		esac
	done
	if [ -n "$kids" ] && [ "$alive" -eq 0 ]; then
		passed=$((passed + 1))
	else
		fail "cli $dir sweep -j 2, parent killed: workers '$kids', $alive alive"
	fi
	# the state is linear in the vCPUs: 65,536 of them run in 1 GB; a
	# scenario the memory cannot hold is refused with the estimate (not
	# under ASan, whose shadow memory needs the address space)
	if [ "$dir" = build ]; then
		cli_case "$dir run, 16 VMs of 4096 vCPUs in 1 GB" 0 sh -c \
			"ulimit -v 1000000; exec '$bin' run tests/scenario/big-vm.ini"
		cli_case "$dir run, too big for the memory" 2 sh -c \
			"ulimit -v 1000000; exec '$bin' run tests/scenario/huge-vm.ini"
		cli_contains "$dir run, too big for the memory: estimate" \
			"the run needs about"
	fi
	cli_case "$dir run malformed" 2 "$bin" run \
		tests/scenario/malformed/01-vcpus-zero.ini
	cli_contains "$dir run malformed: names the line" "01-vcpus-zero.ini:6"
	rm -rf "$tmp"
}

# The KVM engine from the CLI: what it refuses (no /dev/kvm needed), and
# one real run of scenarios/kvm-spinlock.ini where /dev/kvm is usable.
kvm_cli() {
	local dir=$1 bin=$2 tmp
	tmp=$(mktemp -d)
	cli_case "$dir kvm dbench refused" 2 "$bin" kvm validation/model/dbench.ini
	cli_contains "$dir kvm dbench refused: names the line and step" \
		"dbench.ini:15: workload: dbench: thread"
	cli_case "$dir kvm [task] refused" 2 "$bin" kvm \
		validation/model/host-sleeper.ini
	cli_contains "$dir kvm [task] refused: names the line" \
		"host-sleeper.ini:14: [task sleeper]"
	cli_case "$dir kvm --trace refused" 2 "$bin" kvm \
		scenarios/kvm-spinlock.ini --trace "$tmp/t.json"
	cli_case "$dir kvm -j 2 refused" 2 "$bin" kvm scenarios/kvm-spinlock.ini -j 2
	cli_case "$dir kvm --engine refused" 2 "$bin" kvm \
		scenarios/kvm-spinlock.ini --engine sim
	cli_case "$dir compare --engine bogus" 2 "$bin" compare \
		scenarios/kvm-spinlock.ini --policies vanilla --engine bogus
	cli_case "$dir kvm --irqchip bogus" 2 "$bin" kvm \
		scenarios/kvm-spinlock.ini --irqchip bogus
	cli_case "$dir run --irqchip refused" 2 "$bin" run \
		scenarios/kvm-spinlock.ini --irqchip kernel
	cli_case "$dir kvm oracle refused" 2 "$bin" compare \
		scenarios/kvm-spinlock.ini --policies oracle --engine kvm --seed 1
	# usable /dev/kvm: the VM selftest does not skip (its whole output
	# first: grep -q would cut the pipe, and pipefail is on)
	if grep -q '^ok 1 [^#]*$' <<<"$("$dir/tests/kvm/test_vm" 2>/dev/null)"; then
		cli_case "$dir kvm run" 0 "$bin" kvm scenarios/kvm-spinlock.ini \
			--seed 1 --json
		if python3 - /tmp/oversub-smoke.$$ <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
vms = r["runs"][0]["vms"]
assert [v["name"] for v in vms] == ["guest-0", "guest-1"], vms
assert all(v["ops"] > 0 for v in vms), vms
PY
		then
			passed=$((passed + 1))
		else
			fail "cli $dir kvm run: not two VMs with operations"
		fi
		# SIGINT half a second in: exit 1, the reason, no report (or,
		# if it lands before the run set its handler, the default: 130)
		timeout --preserve-status -s INT 0.5 "$bin" kvm \
			scenarios/kvm-spinlock.ini >"$tmp/int.out" 2>"$tmp/int.err"
		local st=$?
		if [ ! -s "$tmp/int.out" ] && { [ "$st" -eq 130 ] ||
			{ [ "$st" -eq 1 ] && grep -q interrupted "$tmp/int.err"; }; }; then
			passed=$((passed + 1))
		else
			fail "cli $dir kvm SIGINT: not exit 1 with no output"
		fi
	else
		echo "   skip: $dir kvm run (no usable /dev/kvm)"
		skipped=$((skipped + 3))
	fi
	rm -rf "$tmp"
}

# `oversub table` on a reduced table (compute and spinlock, 4 CPUs, short
# runs), and the default run (plain `oversub`) for one seed in the normal
# build only: the whole default table is minutes under the sanitizers.
tables() {
	local dir=$1 bin=$2 tmp small=tests/scenario/table-small.ini
	tmp=$(mktemp -d)
	cli_case "$dir table --json" 0 "$bin" table "$small" --json -j 2
	"$bin" table "$small" --json -j 2 >"$tmp/j2.json" 2>/dev/null
	if python3 - "$tmp/j2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"workload", "vms", "baseline", "patched", "gain_pct",
        "gain_stddev_pct", "oracle", "oracle_pct", "oracle_stddev_pct",
        "published_pct"}
rows = d["rows"]
assert len(rows) == 4, len(rows)  # 2 workloads x 2 VM counts
for r in rows:
    assert set(r) == keys, sorted(r)
assert [(r["workload"], r["vms"]) for r in rows] == [
    ("compute", 2), ("compute", 3), ("spinlock", 2), ("spinlock", 3)]
assert rows[0]["published_pct"] is None and rows[2]["published_pct"] == 10.0
assert all(r["baseline"] > 0 and r["patched"] > 0 for r in rows)
# the oracle's headroom is its throughput over the baseline's
for r in rows:
    assert r["oracle"] > 0
    assert abs(100 * (r["oracle"] / r["baseline"] - 1) - r["oracle_pct"]) < 0.02, r
# deboost, ipi-aware and both, per cell
assert len(d["attribution"]) == 12, len(d["attribution"])
# the baseline's vCPU time per cell: six buckets adding up to 100%
times = d["baseline_time"]
assert [(r["workload"], r["vms"]) for r in times] == [
    (r["workload"], r["vms"]) for r in rows]
for r in times:
    pcts = [v for k, v in r.items() if k.endswith("_pct")]
    assert len(pcts) == 7 and abs(sum(pcts) - 100) < 0.1, r
assert times[0]["steal_pct"] > 40  # compute, 2 VMs on 4 CPUs: 2x
PY
	then
		passed=$((passed + 1))
	else
		fail "cli $dir table --json: not the expected rows"
	fi
	"$bin" table "$small" --json -j 1 >"$tmp/j1.json" 2>/dev/null
	cli_same "$dir table -j 1 vs -j 2" "$tmp/j1.json" "$tmp/j2.json"
	cli_case "$dir table (text)" 0 "$bin" table "$small" --seed 3
	cli_contains "$dir table (text): attribution" "Attribution"
	if command -v gnuplot >/dev/null 2>&1; then
		cli_case "$dir table --plot" 0 "$bin" table "$small" --seed 1 \
			--plot "$tmp/gains.svg"
		if [ -s "$tmp/gains.svg" ] && grep -q '<svg' "$tmp/gains.svg"; then
			passed=$((passed + 1))
		else
			fail "cli $dir table --plot: no SVG written"
		fi
		# nothing of the chart on stdout, no temporary file left
		if ! grep -q '<svg' /tmp/oversub-smoke.$$ &&
			! ls "$tmp" | grep -q '\.tmp\.'; then
			passed=$((passed + 1))
		else
			fail "cli $dir table --plot: chart on stdout or a temp file left"
		fi
		# a full disk: exit 1, the reason, no chart and no temp file
		# (a 8 KiB tmpfs in a mount namespace; root only)
		if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
			cli_case "$dir table --plot, full disk" 1 unshare -m sh -c \
				"mount -t tmpfs -o size=8k tmpfs '$tmp' &&
				 '$bin' table '$small' --seed 1 --plot '$tmp/full.svg';
				 r=\$?; echo left: \$(ls -A '$tmp'); exit \$r"
			cli_contains "$dir table --plot, full disk: reason" \
				"incomplete (a full disk?)"
			if grep -qx 'left:' /tmp/oversub-smoke.$$; then
				passed=$((passed + 1))
			else
				fail "cli $dir table --plot, full disk: a file was left"
			fi
		else
			echo "   skip: $dir table --plot, full disk (needs root)"
			skipped=$((skipped + 3))
		fi
	else
		cli_case "$dir table --plot (no gnuplot)" 1 "$bin" table \
			"$small" --seed 1 --plot "$tmp/gains.svg"
		cli_contains "$dir table --plot (no gnuplot): message" \
			"needs gnuplot"
	fi
	# gnuplot missing, whatever this machine has
	cli_case "$dir table --plot, PATH without gnuplot" 1 \
		env PATH=/nonexistent "$bin" table "$small" \
		--plot "$tmp/none.svg"
	cli_contains "$dir table --plot, PATH without gnuplot: message" \
		"needs gnuplot"
	cli_case "$dir table --plot x.pdf" 2 "$bin" table "$small" \
		--plot "$tmp/x.pdf"
	# the path is checked before any run
	cli_case "$dir table --plot, no such folder" 2 "$bin" table "$small" \
		--plot "$tmp/nonexistent/x.svg"
	cli_contains "$dir table --plot, no such folder: reason" \
		"No such file or directory"
	mkdir -p "$tmp/adir.svg"
	cli_case "$dir table --plot, a folder" 2 "$bin" table "$small" \
		--plot "$tmp/adir.svg"
	cli_contains "$dir table --plot, a folder: reason" \
		"is not a regular file"
	cli_case "$dir run on a [table] file" 2 "$bin" run "$small"
	cli_contains "$dir run on a [table] file: points to table" \
		"oversub table"
	cli_case "$dir table on a plain file" 2 "$bin" table \
		scenarios/overcommit-spinlock.ini
	cli_case "$dir table malformed" 2 "$bin" table \
		tests/scenario/malformed/29-table-published-count.ini
	cli_contains "$dir table malformed: names the line" \
		"29-table-published-count.ini:12"
	cli_case "$dir profile --json" 0 "$bin" profile \
		validation/model/dbench.ini --vcpus 1 --seed 1 --json
	cli_contains "$dir profile --json: model source" '"source": "model"'
	"$bin" profile validation/model/dedup.ini --json -j 1 >"$tmp/p1.json"
	"$bin" profile validation/model/dedup.ini --json -j 2 >"$tmp/p2.json"
	cli_same "$dir profile -j 1 vs -j 2" "$tmp/p1.json" "$tmp/p2.json"
	cli_case "$dir profile --vcpus 0" 2 "$bin" profile \
		validation/model/dbench.ini --vcpus 0
	cli_case "$dir profile malformed" 2 "$bin" profile \
		tests/scenario/malformed/01-vcpus-zero.ini
	if [ "$dir" = build ]; then
		# the built-in default (plain `oversub`): one seed of each cell
		"$bin" --seed 1 -j 2 --json >"$tmp/default.json" 2>/dev/null
		if python3 - "$tmp/default.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["rows"]) == 9, len(d["rows"])
assert all(r["published_pct"] is not None for r in d["rows"])
PY
		then
			passed=$((passed + 1))
		else
			fail "cli $dir oversub --seed 1 (default run): not 9 rows"
		fi
	fi
	rm -rf "$tmp"
}

# `oversub sweep` and `oversub merge` on tests/scenario/sweep-small.ini (3
# axes: VM count, lock hold time, policy; 2 seeds: 16 runs): results that
# load in Python, the same sweep through GNU parallel merged byte for byte
# equal to the local one, a resume after SIGINT that redoes nothing, and
# the refusals.
sweeps() {
	local dir=$1 bin=$2 tmp s=tests/scenario/sweep-small.ini py=python3
	tmp=$(mktemp -d)
	cli_case "$dir sweep --help" 0 "$bin" sweep --help
	cli_contains "$dir sweep --help: usage" "usage: oversub sweep FILE"
	cli_case "$dir merge --help" 0 "$bin" merge --help
	cli_case "$dir sweep -j 2" 0 "$bin" sweep "$s" -j 2 -o "$tmp/local.jsonl"
	cli_contains "$dir sweep -j 2: summary" "4 points x 2 policies x 2 seeds = 16 runs"
	"$bin" sweep "$s" -j 2 -o "$tmp/local.jsonl" --resume \
		>"$tmp/local.txt" 2>/dev/null
	"$bin" sweep "$s" -o "$tmp/local.csv" >/dev/null 2>&1
	if python3 - "$tmp/local.jsonl" "$tmp/local.csv" <<'PY'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 16 and [r["run"] for r in rows] == list(range(16))
axes = list(rows[0])[3:6]
assert axes == ["vm.guest.count", "vm.guest.hold", "policy"], axes
assert {(r["vm.guest.count"], r["vm.guest.hold"], r["policy"], r["seed"])
        for r in rows} == {(c, h, p, s) for c in (2, 3) for h in ("5us", "20us")
                           for p in ("vanilla", "series-v2") for s in (1, 2)}
assert all(r["throughput"] > 0 and abs(sum(v for k, v in r.items()
           if k.endswith("_pct")) - 100) < 1e-6 for r in rows)
c = list(csv.DictReader(open(sys.argv[2])))
assert [float(r["throughput"]) for r in c] == [r["throughput"] for r in rows]
PY
	then
		passed=$((passed + 1))
	else
		fail "cli $dir sweep: results not the 16 expected rows"
	fi
	# pandas, where this machine has it (Debian's python3-pandas)
	$py -c 'import pandas' 2>/dev/null || py=/usr/bin/python3
	if $py -c 'import pandas' 2>/dev/null; then
		if $py - "$tmp/local.jsonl" "$tmp/local.csv" <<'PY'
import sys, pandas as pd
j = pd.read_json(sys.argv[1], lines=True)
c = pd.read_csv(sys.argv[2])
assert j.shape == c.shape == (16, 34), (j.shape, c.shape)
g = j.groupby(["vm.guest.count", "vm.guest.hold", "policy"])["throughput"]
assert len(g.mean()) == 8
assert (j["throughput"] == c["throughput"]).all()
PY
		then
			passed=$((passed + 1))
		else
			fail "cli $dir sweep: results do not load in pandas"
		fi
	else
		echo "   skip: $dir sweep results in pandas (no python3-pandas)"
		skipped=$((skipped + 1))
	fi
	# the same sweep as jobs, run by GNU parallel, merged: the same bytes
	cli_case "$dir sweep --emit-jobs" 0 "$bin" sweep "$s" \
		--emit-jobs "$tmp/jobs"
	grep '^/\|^'"'" /tmp/oversub-smoke.$$ >"$tmp/jobs.txt"
	if [ "$(wc -l <"$tmp/jobs.txt")" -eq 16 ] &&
		parallel --will-cite -j 2 <"$tmp/jobs.txt" >/dev/null 2>&1 &&
		"$bin" merge -o "$tmp/merged.jsonl" "$tmp"/jobs/run-*.jsonl \
			>"$tmp/merged.txt" 2>/dev/null &&
		cmp -s "$tmp/merged.jsonl" "$tmp/local.jsonl" &&
		cmp -s "$tmp/merged.txt" "$tmp/local.txt"; then
		passed=$((passed + 1))
	else
		fail "cli $dir sweep through GNU parallel: merged results differ from the local sweep"
	fi
	# the Slurm array script: bash, each task's runs, resubmission safe
	if bash -n "$tmp/jobs/sweep.sbatch" &&
		grep -q '^#SBATCH --array=0-15$' "$tmp/jobs/sweep.sbatch" &&
		rm -f "$tmp"/jobs/run-000003.jsonl &&
		SLURM_ARRAY_TASK_ID=3 bash "$tmp/jobs/sweep.sbatch" &&
		SLURM_ARRAY_TASK_ID=3 bash "$tmp/jobs/sweep.sbatch" &&
		"$bin" merge "$tmp"/jobs/run-*.jsonl >"$tmp/merged2.txt" 2>&1 &&
		cmp -s "$tmp/merged2.txt" "$tmp/local.txt"; then
		passed=$((passed + 1))
	else
		fail "cli $dir sweep --emit-jobs: the Slurm script does not run its task"
	fi
	# a CSV file merges to the same summary, and to the same JSON rows
	"$bin" merge -o "$tmp/fromcsv.jsonl" "$tmp/local.csv" >"$tmp/fromcsv.txt" 2>&1
	cli_same "$dir merge of the CSV results" "$tmp/fromcsv.jsonl" "$tmp/local.jsonl"
	cli_same "$dir merge of the CSV results: summary" "$tmp/fromcsv.txt" "$tmp/local.txt"
	rm -f "$tmp"/jobs/run-000005.jsonl
	cli_case "$dir merge, a run missing" 2 "$bin" merge "$tmp"/jobs/run-*.jsonl
	cli_contains "$dir merge, a run missing: names it" "1 of 16 runs missing (run 5)"
	if [ "$dir" = build ]; then
		# SIGINT once the first rows are in (the sweep in the
		# foreground: a background job of a script ignores SIGINT), then
		# --resume: what was written is kept, the rest is run, and the
		# result is that of an uninterrupted sweep
		local watcher i
		(
			for i in $(seq 400); do
				[ -s "$tmp/pid" ] && [ -s "$tmp/r.jsonl" ] && break
				sleep 0.05
			done
			kill -INT "$(cat "$tmp/pid")" 2>/dev/null
		) &
		watcher=$!
		sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" "$bin" sweep \
			"$s" --vary run.duration=30s -j 2 -o "$tmp/r.jsonl" \
			>/dev/null 2>&1
		wait "$watcher"
		cp "$tmp/r.jsonl" "$tmp/before.jsonl"
		"$bin" sweep "$s" --vary run.duration=30s -j 2 -o "$tmp/r.jsonl" \
			--resume >"$tmp/r.txt" 2>"$tmp/r.err"
		"$bin" sweep "$s" --vary run.duration=30s -j 2 \
			-o "$tmp/full.jsonl" >"$tmp/full.txt" 2>/dev/null
		local k
		k=$(grep -c '' "$tmp/before.jsonl")
		if [ "$k" -gt 0 ] && [ "$k" -lt 16 ] &&
			grep -q -- "--resume: $k of 16 runs in $tmp/r.jsonl, $((16 - k)) to run" "$tmp/r.err" &&
			[ -z "$(sort "$tmp/before.jsonl" | comm -23 - <(sort "$tmp/r.jsonl"))" ] &&
			cmp -s "$tmp/r.jsonl" "$tmp/full.jsonl" &&
			cmp -s "$tmp/r.txt" "$tmp/full.txt"; then
			passed=$((passed + 1))
		else
			fail "cli $dir sweep --resume after SIGINT ($k runs written before): not the uninterrupted sweep"
			sed 's/^/    /' "$tmp/r.err"
		fi
	fi
	if command -v gnuplot >/dev/null 2>&1; then
		cli_case "$dir sweep --plot" 0 "$bin" merge "$tmp/local.jsonl" \
			--plot "$tmp/s.svg" --plot-axis vm.guest.hold
		if grep -q '</svg>' "$tmp/s.svg" && ! grep -q '<svg' /tmp/oversub-smoke.$$ &&
			! ls "$tmp" | grep -q '\.tmp\.'; then
			passed=$((passed + 1))
		else
			fail "cli $dir sweep --plot: no chart, or a chart on stdout"
		fi
	fi
	# refusals: exit 2, a reason, nothing written
	cli_case "$dir sweep -o existing" 2 "$bin" sweep "$s" -o "$tmp/local.jsonl"
	cli_contains "$dir sweep -o existing: says --resume" "--resume runs what it lacks"
	cli_case "$dir sweep --resume, other sweep" 2 "$bin" sweep "$s" \
		--vary seed=3 -o "$tmp/local.jsonl" --resume
	cli_contains "$dir sweep --resume, other sweep: says so" "remove it to start over"
	cli_case "$dir sweep --vary bad key" 2 "$bin" sweep "$s" --vary vm.nope.vcpus=2
	cli_contains "$dir sweep --vary bad key: names it" \
		"--vary vm.nope.vcpus=2: no [vm nope] section"
	cli_case "$dir sweep bad value" 2 "$bin" sweep "$s" --vary vm.guest.hold=1y
	cli_case "$dir sweep --metric bogus" 2 "$bin" sweep "$s" --metric bogus
	cli_contains "$dir sweep --metric bogus: lists them" "spin_pct"
	cli_case "$dir sweep --baseline bogus" 2 "$bin" sweep "$s" --baseline deboost
	cli_case "$dir sweep --plot-axis bogus" 2 "$bin" sweep "$s" \
		--plot "$tmp/x.svg" --plot-axis seed
	cli_case "$dir run on a [sweep] file" 2 "$bin" run "$s"
	cli_contains "$dir run on a [sweep] file: points to sweep" "oversub sweep"
	if [ -e "$tmp/x.svg" ] || ls "$tmp" | grep -q '\.tmp\.'; then
		fail "cli $dir sweep refusals: a file was left"
	else
		passed=$((passed + 1))
	fi
	rm -rf "$tmp"
}

smoke() {
	local dir=$1 bin=$1/src/cli/oversub p k
	echo "== $dir: CLI smoke"
	local before_p=$passed before_f=$failed
	cli_case "$dir oversub list" 0 "$bin" list
	for p in vanilla deboost lagcredit ipi-aware series-v2 series-v3; do
		cli_contains "$dir oversub list: preset $p" "$p"
	done
	cli_case "$dir oversub list knobs" 0 "$bin" list knobs
	for k in RUN_TO_PARITY DELAY_DEQUEUE PLACE_LAG vcpu_debooster_enabled \
		 vcpu_lag_credit_enabled ple_window ipi_tracking_enabled \
		 ipi_window_ns enable_relaxed_boost apicv pv_unhalt; do
		cli_contains "$dir oversub list knobs: $k" "$k"
	done
	cli_case "$dir oversub list presets" 0 "$bin" list presets
	cli_case "$dir oversub list --help" 0 "$bin" list --help
	cli_case "$dir oversub --help" 0 "$bin" --help
	cli_contains "$dir oversub --help: usage" "usage: oversub"
	cli_contains "$dir oversub --help: built-in default" \
		"compiled into the binary"
	cli_case "$dir oversub --version" 0 "$bin" --version
	cli_contains "$dir oversub --version: version" "oversub "
	cli_case "$dir oversub bogus" 2 "$bin" bogus
	cli_contains "$dir oversub bogus: names it" "bogus"
	cli_case "$dir oversub --bogus" 2 "$bin" --bogus
	cli_case "$dir oversub list bogus" 2 "$bin" list bogus
	cli_case "$dir compare --policies twice" 2 "$bin" compare \
		scenarios/overcommit-spinlock.ini --policies vanilla,series-v2,vanilla
	cli_contains "$dir compare --policies twice: names it" "'vanilla' twice"
	cli_case "$dir oversub list --bogus" 2 "$bin" list --bogus
	runs "$dir" "$bin"
	kvm_cli "$dir" "$bin"
	tables "$dir" "$bin"
	sweeps "$dir" "$bin"
	rm -f /tmp/oversub-smoke.$$
	echo "   $dir cli: $((passed - before_p)) passed, $((failed - before_f)) failed"
}

if build build; then
	unit build
	tally build
	smoke build
fi

if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
	# LeakSanitizer cannot run everywhere (e.g. under ptrace): probe it.
	if ASAN_OPTIONS=detect_leaks=1 build-asan/src/cli/oversub --version \
		2>&1 >/dev/null </dev/null | grep -q LeakSanitizer; then
		echo "   (LeakSanitizer unavailable here: detect_leaks=0)"
		export ASAN_OPTIONS=detect_leaks=0
	fi
	unit build-asan --timeout-multiplier 4
	tally build-asan
	smoke build-asan
fi

# libFuzzer over the scenario parser (tests/fuzz/): built with clang in
# build-fuzz/, run for a bounded time over a copy of the seed corpus; one
# case. FUZZ_TIME (seconds, default 20) bounds it.
fuzz() {
	local dir=build-fuzz bin=build-fuzz/tests/fuzz/fuzz_scenario tmp log
	echo "== $dir: fuzz scenario_parse"
	if ! command -v clang >/dev/null 2>&1; then
		echo "   skip: clang not found, fuzz target not built"
		skipped=$((skipped + 1))
		return 0
	fi
	log=$(mktemp)
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir"
		if ! CC=clang meson setup "$dir" --werror -Dfuzz=enabled \
			-Dtests=disabled -Db_sanitize=address,undefined \
			-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
			>"$log" 2>&1; then
			tail -n 40 "$log"
			rm -f "$log"
			rm -rf "$dir"
			fail "$dir: meson setup"
			return 1
		fi
	fi
	if ! meson compile -C "$dir" fuzz_scenario >"$log" 2>&1; then
		tail -n 60 "$log"
		rm -f "$log"
		fail "$dir: compile"
		return 1
	fi
	tmp=$(mktemp -d)
	cp tests/fuzz/corpus/* "$tmp/"
	if "$bin" -max_total_time="${FUZZ_TIME:-20}" -timeout=5 -max_len=65536 \
		-rss_limit_mb=2048 -artifact_prefix="$tmp/" "$tmp" \
		>"$log" 2>&1 </dev/null; then
		passed=$((passed + 1))
		echo "   fuzz_scenario: $(grep -o 'Done [0-9]* runs.*' "$log" |
			tail -n 1), no crash"
		rm -rf "$tmp"
	else
		tail -n 40 "$log"
		fail "fuzz_scenario: crash or timeout (inputs kept in $tmp)"
	fi
	rm -f "$log"
}

fuzz

summary
