#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what crrun's build and tests need, from Debian's packages.
#
#   scripts/install-deps.sh            the default set (see DEFAULT_PKGS)
#   scripts/install-deps.sh PKG...     only these packages
#
# A machine that has every package already gets no apt-get call at all: the
# check is dpkg-query, which needs neither root nor the network. Installing
# needs root; a non-root user who lacks a package gets the command to run.
#
# CR_SKIP_DEPS=1 skips the whole thing (a machine set up by other means).
set -euo pipefail

DEFAULT_PKGS=(
	cmake make gcc		# the build
	libcmocka-dev		# unit tests
	qemu-user		# unit tests again under qemu-x86_64 (label qemu)
	valgrind		# unit tests again under memcheck (label valgrind)
	lcov			# make coverage
	python3			# test helpers, integration tests
	clang			# the fuzzing harness
)

die() {
	echo "install-deps: $*" >&2
	exit 1
}

[[ "${CR_SKIP_DEPS:-0}" == 1 ]] && exit 0

if (($#)); then
	pkgs=("$@")
else
	pkgs=("${DEFAULT_PKGS[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: no dpkg-query: not a Debian system; make sure these" \
	     "are installed: ${pkgs[*]}" >&2
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	# "ii " is installed and configured; anything else (absent,
	# removed with config files left, half-installed) needs installing
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ "$status" == "ii "* ]] || missing+=("$p")
done

((${#missing[@]})) || exit 0

if ((EUID != 0)); then
	die "missing Debian packages: ${missing[*]}
install-deps: run as root:  apt-get update && apt-get install -y ${missing[*]}
install-deps: (or: sudo $0${*:+ $*})"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o DPkg::Lock::Timeout=300)

# the mirrors are sometimes briefly unreachable: try a few times
for try in 1 2 3; do
	if apt-get "${apt_opts[@]}" update &&
	   apt-get "${apt_opts[@]}" install -y "${missing[@]}" </dev/null; then
		break
	fi
	((try < 3)) || die "apt-get failed to install: ${missing[*]}"
	echo "install-deps: apt-get failed, retrying in $((try * 10))s" >&2
	sleep $((try * 10))
done

# check again: apt-get can succeed and still leave a package unconfigured
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ "$status" == "ii "* ]] || die "package $p is still not installed"
done
