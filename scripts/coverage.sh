#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/coverage.sh BUILD_DIR OUT_DIR
#
# Run the unit tests (label unit) of a build configured with -DCR_COVERAGE=ON,
# then the same tests under qemu-x86_64 (label qemu, when qemu was found):
# among them qemu_sw_test_image_io, on a CPU without SSE4.2, is what runs
# the table path of core/crc32c.c. Capture line and branch coverage with
# lcov, keep the engine (core/, core/mm/, arch/), write an HTML report to
# OUT_DIR/html and print the figures. `make coverage` configures, builds
# and calls this.
#
# A program under qemu-user writes its .gcda files through the host's
# file system, like a native one, so both runs add up in the same files.
# The qemu run is serial (-j1): two emulated processes merging one .gcda
# at once is the one case this script does not want to depend on.
#
# The figures include the engine's files that no unit test links (lcov's
# --initial baseline), at 0%, rather than leave them out.
#
# CR_COV_MIN_LINES / CR_COV_MIN_BRANCHES (percent, optional): fail when
# core/ + core/mm/ is below them.
set -euo pipefail

die() {
	echo "coverage: $*" >&2
	exit 1
}

(($# == 2)) || die "usage: $0 BUILD_DIR OUT_DIR"
root=$(cd "$(dirname "$0")/.." && pwd -P)
build=$(cd "$1" && pwd -P) || die "no build directory $1"
mkdir -p "$2"
out=$(cd "$2" && pwd -P)

grep -q '^CR_COVERAGE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null ||
	die "$build is not configured with -DCR_COVERAGE=ON"
command -v lcov >/dev/null || die "lcov is not installed (scripts/install-deps.sh)"

# lcov 1.x names the switch lcov_branch_coverage, 2.x branch_coverage
lcov_major=$(lcov --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if ((${lcov_major:-1} >= 2)); then
	rc=(--rc branch_coverage=1 --ignore-errors unused,empty)
else
	rc=(--rc lcov_branch_coverage=1)
fi
# Debian 12's lcov 1.16 has geninfo warn "Subroutine ... redefined" on
# every capture: noise, filtered out.
lcov_err=$(mktemp)
trap 'rm -f "$lcov_err"' EXIT
lcov() {
	local ret=0
	command lcov --quiet "${rc[@]}" "$@" 2>"$lcov_err" || ret=$?
	grep -v '^Subroutine .* redefined at ' "$lcov_err" >&2 || true
	return $ret
}

info=$out/crrun.info
rm -rf "$out/html" "$out"/*.info

lcov --zerocounters --directory "$build"
lcov --capture --initial --directory "$build" --output-file "$out/base.info"

test_rc=0
ctest --test-dir "$build" -L '^unit$' --output-on-failure --no-tests=error --timeout 900 \
      -j "$(nproc 2>/dev/null || echo 2)" || test_rc=$?
# no qemu tests when qemu-x86_64 is not installed: nothing to add then
ctest --test-dir "$build" -L '^qemu$' --output-on-failure --no-tests=ignore --timeout 900 \
      -j 1 || test_rc=$?

lcov --capture --directory "$build" --output-file "$out/test.info"
lcov --add-tracefile "$out/base.info" --add-tracefile "$out/test.info" \
     --output-file "$out/all.info"
lcov --extract "$out/all.info" "$root/core/*" "$root/arch/*" \
     --output-file "$info"
rm -f "$out/base.info" "$out/test.info" "$out/all.info"

genhtml --quiet "${rc[@]}" --branch-coverage --legend --title crrun \
	--prefix "$root" --output-directory "$out/html" "$info" >/dev/null

# Sum LF/LH (lines found/hit) and BRF/BRH (branches) per area of the tree.
# $1: the tracefile, $2: the source root. Prints one line per area.
summarize() {
	awk -v root="$2/" '
	function pct(hit, found) {
		return found ? sprintf("%5.1f%%", 100 * hit / found) : "   n/a"
	}
	function add(a) {
		lf[a] += LF; lh[a] += LH; brf[a] += BRF; brh[a] += BRH
	}
	/^SF:/ {
		f = substr($0, 4)
		if (index(f, root) == 1)
			f = substr(f, length(root) + 1)
		LF = LH = BRF = BRH = 0
	}
	/^LF:/ { LF = substr($0, 4) }
	/^LH:/ { LH = substr($0, 4) }
	/^BRF:/ { BRF = substr($0, 5) }
	/^BRH:/ { BRH = substr($0, 5) }
	/^end_of_record/ {
		if (f ~ /^core\/mm\//) { add("core/mm/"); add("core/ + core/mm/") }
		else if (f ~ /^core\//) { add("core/"); add("core/ + core/mm/") }
		else if (f ~ /^arch\//) add("arch/")
		add("total")
	}
	END {
		n = split("core/|core/mm/|core/ + core/mm/|arch/|total", order, "|")
		printf "%-18s %-22s %s\n", "coverage", "lines", "branches"
		for (i = 1; i <= n; i++) {
			a = order[i]
			printf "%-18s %s %-14s %s %s\n", a,
			       pct(lh[a], lf[a]), sprintf("(%d/%d)", lh[a], lf[a]),
			       pct(brh[a], brf[a]), sprintf("(%d/%d)", brh[a], brf[a])
		}
	}' "$1"
}

summarize "$info" "$root" | tee "$out/summary.txt"
echo "coverage: report in $out/html/index.html"

# The thresholds, when asked for, on core/ + core/mm/.
read -r lines branches < <(awk '/^core\/ \+ core\/mm\// {
	gsub("%", ""); print $4, $6 }' "$out/summary.txt")
fail=0
if [[ -n "${CR_COV_MIN_LINES:-}" ]] &&
   awk -v v="$lines" -v m="$CR_COV_MIN_LINES" 'BEGIN { exit !(v == "n/a" || v < m) }'; then
	echo "coverage: core/ + core/mm/ lines $lines% < $CR_COV_MIN_LINES%" >&2
	fail=1
fi
if [[ -n "${CR_COV_MIN_BRANCHES:-}" ]] &&
   awk -v v="$branches" -v m="$CR_COV_MIN_BRANCHES" 'BEGIN { exit !(v == "n/a" || v < m) }'; then
	echo "coverage: core/ + core/mm/ branches $branches% < $CR_COV_MIN_BRANCHES%" >&2
	fail=1
fi
((test_rc == 0)) || die "unit tests failed (ctest exit $test_rc): the figures above are from a failing run"
((fail == 0)) || exit 1
