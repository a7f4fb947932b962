# SPDX-License-Identifier: GPL-2.0
#
# Shared by run_one.sh and run_fail.sh: a work directory, the program
# under test, and the checks. Sourced, with CRRUN set.

# Close what the test runner leaked into this shell (fds above 2 an exec
# would pass on): crrun then holds the image at fd 3 too, where restored
# programs want an fd of their own (files.c), whoever runs the tests.
crt_close_leaked_fds() {
	local f fd flags

	for f in /proc/$$/fdinfo/*; do
		fd=${f##*/}
		[ "$fd" -gt 2 ] || continue
		flags=$(awk '/^flags:/ { print $2 }' "$f" 2>/dev/null)
		[ -n "$flags" ] || continue
		(( 8#$flags & 8#2000000 )) && continue	# O_CLOEXEC
		eval "exec $fd>&-"
	done
}
crt_close_leaked_fds

W=$(mktemp -d "${TMPDIR:-/tmp}/crrun-it.XXXXXX") || exit 1
GO=$W/go
OUT=$W/out
PID=
REAPED=

# Kill only what this test started: a process whose environment carries
# our own CR_GO (the original, or its restored self).
crt_cleanup() {
	local p=$PID

	if [ -n "$p" ] && [ -r "/proc/$p/environ" ] &&
	   tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
	   grep -qx "CR_GO=$GO"; then
		kill -9 "$p" 2>/dev/null
	fi
	exec 7>&- 2>/dev/null
	rm -rf "$W"
}
trap crt_cleanup EXIT

crt_show_output() {
	echo "---- program output ($OUT)"
	cat "$OUT" 2>/dev/null
	echo "----"
}

crt_fail() {
	echo "FAIL: $*"
	crt_show_output
	exit 1
}

crt_skip() {
	echo "SKIP: $*"
	exit 77
}

crt_pass() {
	echo "PASS"
	exit 0
}

crt_require_root_and_ptrace() {
	[ "$(id -u)" = 0 ] || crt_skip "integration tests need root"
	[ -x "$CRRUN" ] || crt_fail "no crrun binary at $CRRUN"
	if ! "$CRRUN" check >"$W/check.out" 2>&1; then
		cat "$W/check.out"
		crt_skip "a kernel feature crrun needs is missing here"
	fi
}

# crt_wait_file FILE [TENTHS]: wait for FILE to exist, 10 s by default
crt_wait_file() {
	local i

	for ((i = 0; i < ${2:-100} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.01
	done
	return 1
}

# crt_start PROGRAM [ARGS...]: start it in the background, as PID. With
# CRT_STDIN set, its stdin is a FIFO nobody writes to (held open on fd 7).
crt_start() {
	local stdin=/dev/null

	if [ -n "${CRT_STDIN:-}" ]; then
		mkfifo "$W/stdin" || crt_fail "mkfifo"
		exec 7<>"$W/stdin"
		stdin=$W/stdin
	fi
	CR_GO=$GO crt_exec_closed "$@" <"$stdin" >>"$OUT" 2>&1 &
	PID=$!
}

# exec PROGRAM with no fd above 2: what the test runner or the shell
# leaked (pipes, say) is not the program's to carry
crt_exec_closed() {
	local fd

	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	exec "$@"
}

crt_wait_ready() {
	local i

	for ((i = 0; i < 1000; i++)); do
		grep -qx ready "$OUT" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null ||
			crt_fail "the program died before it was ready"
		sleep 0.01
	done
	crt_fail "the program did not get ready in 10 s"
}

# crt_checkpoint [--kill] PID IMAGE: must succeed
crt_checkpoint() {
	local rc

	"$CRRUN" checkpoint "$@" 2>"$W/ckpt.err"
	rc=$?
	[ "$rc" = 0 ] ||
		crt_fail "crrun checkpoint $* exited $rc: $(cat "$W/ckpt.err")"
	[ -s "${*: -1}" ] || crt_fail "checkpoint made no image"
}

# crt_reap: wait for the original (our child) to end; its status in REAPED
crt_reap() {
	{ wait "$PID"; } 2>/dev/null
	REAPED=$?
}

# crt_expect_ok N: the program said "ok" N times and never FAIL
crt_expect_ok() {
	local n

	if grep -q '^FAIL\|^SETUP' "$OUT"; then
		crt_fail "the program found differences"
	fi
	n=$(grep -cx ok "$OUT")
	[ "$n" = "$1" ] || crt_fail "the program said ok $n times, not $1"
}

# crt_gone PID: true once no process has that pid (reaping can lag)
crt_gone() {
	local i

	for ((i = 0; i < 300; i++)); do
		[ -e "/proc/$1" ] || return 0
		sleep 0.01
	done
	return 1
}

# crt_proc_state PID FILE: what /proc shows of the process, less what
# moves by itself (CPU time, context switches, faults, its sleeping or
# running state), the peaks (VmPeak, VmHWM: crrun's scratch mapping
# counts there while it exists) and the resident size (a page of a file
# mapping crrun reads is faulted in): docs/STATE.md. A checkpoint without
# --kill must leave all the rest unchanged.
crt_proc_state() {
	local p=/proc/$1 f

	{
		echo "== status"
		grep -v -E '^(State|VmPeak|VmHWM|VmRSS|RssFile|voluntary_ctxt_switches|nonvoluntary_ctxt_switches|SigQ):' "$p/status"
		echo "== stat"
		# pid comm ppid pgrp session tty tpgid flags; priority nice
		# threads starttime vsize; signal masks; exit_signal
		# rt_priority policy
		sed 's/^.*) //' "$p/stat" | awk '{
			print $2, $3, $4, $5, $6, $7, $16, $17, $18, $20,
			      $21, $29, $30, $31, $32, $36, $38, $39 }'
		echo "== sched"
		grep -E '^(policy|prio) ' "$p/sched"
		echo "== limits"
		cat "$p/limits"
		echo "== smaps"
		grep -E '^[0-9a-f]+-[0-9a-f]+ |^VmFlags:|^Locked:|^THPeligible:' "$p/smaps"
		echo "== timers"
		cat "$p/timers"
		for f in "$p"/fdinfo/*; do
			echo "== fd ${f##*/} -> $(readlink "$p/fd/${f##*/}")"
			cat "$f"
		done
		echo "== links"
		readlink "$p/cwd" "$p/root" "$p/exe"
		for f in "$p"/ns/*; do
			echo "${f##*/} $(readlink "$f")"
		done
		echo "== misc"
		for f in comm cmdline environ oom_score_adj loginuid \
			 sessionid personality coredump_filter timerslack_ns \
			 cgroup attr/current task/*/children; do
			echo "$f: $(tr '\0' ' ' <"$p/$f" 2>&1)"
		done
	} >"$2" 2>&1
}

# crt_expect_same_state BEFORE AFTER: no difference but the ones named
crt_expect_same_state() {
	if ! cmp -s "$1" "$2"; then
		diff "$1" "$2" | head -40
		crt_fail "what /proc shows of the process changed"
	fi
}
