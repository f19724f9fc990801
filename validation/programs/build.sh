#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validation/programs/build.sh - build the reimplementations of PARSEC
# dedup, ebizzy and PARSEC blackscholes (README.md) into BUILD_DIR
# (default /tmp/oversub-programs), outside the source tree.
#
# Needs gcc, libc6-dev, zlib1g-dev (dedup's compression) and nettle-dev
# (dedup's SHA-1). Run as root on Debian, it installs what is missing with
# apt-get; otherwise it names what is missing and exits 1.
#
# Usage: bash validation/programs/build.sh
# Environment: BUILD_DIR (/tmp/oversub-programs), CC (gcc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-/tmp/oversub-programs}
CC=${CC:-gcc}
CFLAGS="-std=c11 -O2 -pthread -Wall -Wextra"
APT_PKGS="gcc libc6-dev zlib1g-dev nettle-dev"

missing=()
check() {
	missing=()
	if ! command -v "$CC" >/dev/null 2>&1; then
		missing+=("$CC (gcc)")
		return
	fi
	local probe
	for probe in "stdio.h libc6-dev" "zlib.h zlib1g-dev" "nettle/sha1.h nettle-dev"; do
		set -- $probe
		printf '#include <%s>\n' "$1" | "$CC" -E -x c - >/dev/null 2>&1 ||
			missing+=("$2 (<$1>)")
	done
}

check
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "build: installing $APT_PKGS (missing: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq </dev/null >/dev/null
		apt-get install -y -qq --no-install-recommends $APT_PKGS </dev/null >/dev/null
		check
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		echo "build: missing: ${missing[*]}" >&2
		echo "install them with: sudo apt-get install -y $APT_PKGS" >&2
		exit 1
	fi
fi

out=$(realpath -m "$BUILD_DIR")
case "$out/" in
"$repo"/*)
	echo "build: BUILD_DIR ($out) is inside the source tree; choose a directory outside $repo" >&2
	exit 1
	;;
esac
mkdir -p "$out"

"$CC" $CFLAGS -o "$out/dedup" "$here/dedup.c" -lnettle -lz -lm
"$CC" $CFLAGS -o "$out/ebizzy" "$here/ebizzy.c"
"$CC" $CFLAGS -o "$out/blackscholes" "$here/blackscholes.c" -lm
echo "build: $out/dedup $out/ebizzy $out/blackscholes"
