#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo.sh BUILD_DIR (`make demo`): a counter is checkpointed,
# killed, shown, restored, and counts on from where it was.
set -u

B=${1:?usage: demo.sh BUILD_DIR}
CRRUN=$B/crrun
COUNTER=$B/tests/integration/counter

if [ -t 1 ]; then
	bold=$'\e[1m' off=$'\e[0m'
else
	bold= off=
fi
say() {
	printf '\n%s== %s%s\n' "$bold" "$*" "$off"
}

[ -x "$CRRUN" ] && [ -x "$COUNTER" ] || {
	echo "demo: build crrun and the counter first (make crrun crt_counter)" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || {
	echo "demo: crrun needs root (ptrace, clone3 with set_tid)" >&2
	exit 1
}

W=$(mktemp -d "${TMPDIR:-/tmp}/crrun-demo.XXXXXX") || exit 1
IMG=$W/counter.img
PID=
RPID=
cleanup() {
	[ -n "$RPID" ] && kill -TERM "$RPID" 2>/dev/null
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# The counter gets no fd above 2: what the calling shell or tool leaked
# (a pipe, say) would be the counter's, and crrun refuses pipes on fd 3+.
exec_closed() {
	local fd

	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] && eval "exec $fd>&-"
	done
	exec "$@"
}

say "starting a counter: it prints a number every 0.2 s"
exec_closed "$COUNTER" &
PID=$!
disown "$PID"	# no "Killed" notice from bash later
sleep 2

say "crrun checkpoint --kill $PID $IMG"
"$CRRUN" checkpoint --kill "$PID" "$IMG" || exit 1
say "process $PID is gone; nothing counts for 2 seconds:"
ps -p "$PID" >/dev/null && ps -p "$PID" || echo "(no process $PID)"
sleep 2

say "crrun show $IMG  ($(du -h "$IMG" | cut -f1) on disk), the first lines:"
"$CRRUN" show "$IMG" | head -n 8
echo "..."

say "crrun restore $IMG: the counter goes on from where it stopped"
"$CRRUN" restore "$IMG" &
RPID=$!
sleep 3

say "stopping it (SIGTERM to crrun restore, which passes it on)"
kill -TERM "$RPID"
wait "$RPID"
rc=$?
RPID=
PID=
echo "crrun restore exited $rc (128 + SIGTERM = 143)"
