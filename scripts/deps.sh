#!/usr/bin/env bash
# Check (and on a root Debian machine, install) what the build needs:
# meson, ninja, pkg-config, make, a C compiler, python3, the libraries
# cmocka (tests), inih (scenario files) and jansson (JSON output), and GNU
# parallel (the test of a sweep run through it, as on a cluster).
# Optional: gnuplot (gnuplot-nox) for `oversub --plot`, and pandas
# (python3-pandas) for the test that sweep results load in it: installed
# along with the others when this script installs them; their absence
# never fails this script (and the fast path does not try to install them).
# Fast no-op when everything is present; exit 1 with a clear message when
# something is missing and cannot be installed here.
set -euo pipefail

APT_PKGS="meson ninja-build pkg-config libcmocka-dev libinih-dev libjansson-dev gcc libc6-dev make python3 parallel"
OPT_PKGS="gnuplot-nox python3-pandas"

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

check() {
	missing=()
	need meson meson
	need ninja ninja
	need pkg-config pkg-config
	need python3 python3
	need make make
	need parallel parallel
	if ! command -v "${CC:-cc}" >/dev/null 2>&1 &&
	   ! command -v gcc >/dev/null 2>&1 &&
	   ! command -v clang >/dev/null 2>&1; then
		missing+=("a C compiler (cc/gcc/clang)")
	fi
	if command -v pkg-config >/dev/null 2>&1; then
		for lib in cmocka inih jansson; do
			pkg-config --exists "$lib" ||
				missing+=("$lib (pkg-config $lib)")
		done
	else
		missing+=("cmocka, inih, jansson (pkg-config)")
	fi
}

# The optional packages, after the required ones were installed (lists
# fresh): try once, never fail on it.
optional() {
	command -v gnuplot >/dev/null 2>&1 &&
		/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1 && return 0
	apt-get install -y -qq --no-install-recommends $OPT_PKGS \
		</dev/null >/dev/null 2>&1 && return 0
	echo "deps: optional $OPT_PKGS not installed: 'oversub --plot'" \
	     "will say gnuplot is missing, the pandas check is skipped" >&2
	return 0
}

check
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing $APT_PKGS (missing: ${missing[*]})"
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	if { apt-get update -qq &&
	     apt-get install -y -qq --no-install-recommends $APT_PKGS; } \
		</dev/null >"$log" 2>&1; then
		rm -f "$log"
		optional || true
		check
		[ ${#missing[@]} -eq 0 ] && exit 0
	else
		tail -n 20 "$log" >&2
		rm -f "$log"
	fi
	echo "deps: installation failed; still missing: ${missing[*]}" >&2
	exit 1
fi

{
	echo "deps: missing build dependencies:"
	for m in "${missing[@]}"; do
		echo "  - $m"
	done
	echo "install them with (Debian/Ubuntu):"
	echo "  sudo apt-get install -y $APT_PKGS"
	echo "and optionally (oversub --plot, the pandas check): sudo apt-get install -y $OPT_PKGS"
} >&2
exit 1
