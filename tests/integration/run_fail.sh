#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_fail.sh CRRUN MODE [ARG] PROGRAM [ARGS...]
#
# Failures are normal: each mode makes crrun fail one way and checks that it
# fails cleanly: non-zero exit (not a signal), one "crrun:" message, no
# image left behind, the checkpointed process still running unharmed, and
# no restored process left behind.
#
#   nopid              checkpoint of a pid nobody has
#   bad_images         restore and show of empty, foreign, truncated and
#                      corrupted images
#   disk_full          checkpoint into a 1 MiB tmpfs
#   interrupt          SIGINT to crrun while it checkpoints a large process
#   ckpt_fault NAME    checkpoint with CRRUN_FAULT=NAME (NAME:1, a one-off
#                      failure, may also be retried into a success)
#   rstr_fault NAME    restore with CRRUN_FAULT=NAME (and the options in
#                      CRT_RESTORE_ARGS, say --lazy)
#   refused TEXT       checkpoint, then checkpoint --kill, of a process
#                      holding state crrun cannot carry: both refused in
#                      one line that contains TEXT, the process unharmed
#                      (CRT_PIDNS=1: started in a pid namespace)
#   lazy_images        restore --lazy of damaged images: damaged objects
#                      and truncated images are refused; damaged page
#                      data that is mapped is not seen by crrun (only the
#                      process can tell), but a plain restore refuses it
#
# Exit: 0 pass, 1 fail, 77 skipped.

set -u

CRRUN=$1
MODE=$2
shift 2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

crt_require_root_and_ptrace

# expect_clean_failure RC ERRFILE WHAT
expect_clean_failure() {
	local rc=$1 err=$2 what=$3

	[ "$rc" != 0 ] || crt_fail "$what: succeeded"
	[ "$rc" -lt 128 ] || crt_fail "$what: died of signal $((rc - 128))"
	grep -q '^crrun: ' "$err" ||
		crt_fail "$what: no 'crrun:' message: $(cat "$err")"
	if grep -qi 'sanitizer\|runtime error\|core dumped' "$err"; then
		crt_fail "$what: $(cat "$err")"
	fi
}

# no image, and no temporary file of one, is left in the work directory
expect_no_stray_files() {
	local left

	left=$(cd "$W" && ls -A | grep -E '^\.?img' | tr '\n' ' ')
	[ -z "$left" ] || crt_fail "files left behind: $left"
}

# what the process has that crrun could leave a trace in
snapshot() {
	cat "/proc/$PID/maps" >"$W/maps.$1" 2>/dev/null
	ls -l "/proc/$PID/fd" 2>/dev/null | sed 1d |
		awk '{ print $9, $10, $11 }' >"$W/fds.$1"
	cat /proc/"$PID"/task/*/children >"$W/children.$1" 2>/dev/null
}

# the original runs on: let it go and it must verify itself
expect_original_unharmed() {
	kill -0 "$PID" 2>/dev/null || crt_fail "the process is gone"
	snapshot after
	if ! cmp -s "$W/maps.before" "$W/maps.after"; then
		diff "$W/maps.before" "$W/maps.after"
		crt_fail "its mappings changed"
	fi
	if ! cmp -s "$W/fds.before" "$W/fds.after"; then
		diff "$W/fds.before" "$W/fds.after"
		crt_fail "its fds changed"
	fi
	grep -q '^State:.*[tT]' "/proc/$PID/status" &&
		crt_fail "the process was left stopped"
	# no new child, not even a zombie of a snapshot
	cmp -s "$W/children.before" "$W/children.after" ||
		crt_fail "its children were $(cat "$W/children.before"), now $(cat "$W/children.after")"
	touch "$GO"
	crt_reap
	[ "$REAPED" = 0 ] || crt_fail "the process exited $REAPED afterwards"
	crt_expect_ok 1
}

# the image's pid is free: no half-made process was left
expect_no_process() {
	crt_gone "$PID" || crt_fail "$1: a process with pid $PID is left"
}

free_pid() {
	local p

	p=$(($(cat /proc/sys/kernel/pid_max) - 7))
	while [ -e "/proc/$p" ]; do
		p=$((p - 1))
	done
	echo "$p"
}

# the image of a program that is then killed
make_image() {
	crt_start "$@"
	crt_wait_ready
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	touch "$GO"
}

# restore_fails WHAT IMAGE [OPTIONS...]: the restore must fail before the
# process runs (the pid file is written just before it would)
restore_fails() {
	local what=$1 image=$2 rc

	shift 2
	rm -f "$W/pidfile"
	"$CRRUN" restore "$@" --pidfile "$W/pidfile" "$image" >/dev/null \
		2>"$W/rstr.err"
	rc=$?
	[ ! -e "$W/pidfile" ] ||
		crt_fail "$what: the process was let run (exit $rc): $(cat "$W/rstr.err")"
	expect_clean_failure "$rc" "$W/rstr.err" "$what"
	expect_no_process "$what"
}

try_show() {
	local what=$1 image=$2 rc

	"$CRRUN" show --verify "$image" >/dev/null 2>"$W/show.err"
	rc=$?
	expect_clean_failure "$rc" "$W/show.err" "show --verify of $what"
	"$CRRUN" show --json "$image" 2>/dev/null |
		python3 -c 'import json, sys; json.load(sys.stdin)' ||
		crt_fail "show --json of $what is not JSON"
}

# corrupt NAME OFFSET: a copy of the image with one byte flipped
corrupt() {
	cp "$W/img" "$W/bad-$1"
	printf "$(printf '\\x%02x' $(( ($(od -An -tu1 -j "$2" -N1 "$W/img") ^ 0x5a) & 0xff )))" |
		dd of="$W/bad-$1" bs=1 seek="$2" conv=notrunc status=none
}

# json_field TYPE FIELD: FIELD of the middle object of TYPE that has it
json_field() {
	"$CRRUN" show --json "$W/img" | python3 -c '
import json, sys
objs = [o for o in json.load(sys.stdin)
        if o["type"] == sys.argv[1] and sys.argv[2] in o]
print(objs[len(objs) // 2][sys.argv[2]])
' "$1" "$2"
}

case $MODE in
nopid)
	p=$(free_pid)
	"$CRRUN" checkpoint "$p" "$W/img" 2>"$W/ckpt.err"
	expect_clean_failure $? "$W/ckpt.err" "checkpoint of pid $p"
	grep -q "^crrun: pid $p: no such process$" "$W/ckpt.err" ||
		crt_fail "message: $(cat "$W/ckpt.err")"
	[ "$(wc -l <"$W/ckpt.err")" = 1 ] ||
		crt_fail "more than one line: $(cat "$W/ckpt.err")"
	[ ! -e "$W/img" ] || crt_fail "an image was left"
	expect_no_stray_files
	;;
bad_images)
	make_image "$@"
	size=$(stat -c %s "$W/img")
	: >"$W/bad-empty"
	head -c 100000 "$CRRUN" >"$W/bad-foreign"
	for n in 1 15 16 100 136 4096 $((size / 3)) $((size / 2)) \
		 $((size - 40)) $((size - 24)) $((size - 1)); do
		head -c "$n" "$W/img" >"$W/bad-trunc-$n"
	done
	corrupt head-magic 20
	corrupt head-version 24
	corrupt task-pid 152
	vma=$(json_field vma offset)
	corrupt vma-hdr-len $((vma + 4))
	corrupt vma-type $((vma + 16))
	corrupt vma-start $((vma + 16 + 8 + 2))
	corrupt vma-end $((vma + 16 + 16 + 1))
	corrupt vma-flags $((vma + 16 + 24))
	corrupt pgarr-count $(($(json_field pgarr offset) + 16))
	corrupt page-data $(($(json_field pgarr data_offset) + 100))
	corrupt cpu-rip $(($(json_field cpu offset) + 16 + 16 * 8))
	corrupt tail-csum $((size - 16))
	for f in "$W"/bad-*; do
		what=${f##*/bad-}
		restore_fails "restore of $what" "$f"
		try_show "$what" "$f"
	done
	rm -f "$W"/bad-*
	# and the image itself is fine
	"$CRRUN" restore "$W/img" 2>"$W/rstr.err" ||
		crt_fail "the undamaged image: $(cat "$W/rstr.err")"
	crt_expect_ok 1
	;;
lazy_images)
	make_image "$@"
	size=$(stat -c %s "$W/img")
	# page data of a run long enough to be mapped: in the middle of a
	# batch of 2048 pages
	data=$("$CRRUN" show --json "$W/img" | python3 -c '
import json, sys
print([o for o in json.load(sys.stdin) if o["type"] == "pgarr" and
       o["nr_pages"] >= 2048][0]["data_offset"])')
	corrupt vma-type $(($(json_field vma offset) + 16))
	corrupt cpu-rip $(($(json_field cpu offset) + 16 + 16 * 8))
	corrupt pgarr-count $(($(json_field pgarr offset) + 16))
	corrupt tail-meta-csum $((size - 12))
	head -c $((data + 1000 * 4096)) "$W/img" >"$W/bad-trunc-data"
	for f in "$W"/bad-*; do
		restore_fails "restore --lazy of ${f##*/bad-}" "$f" --lazy
	done
	rm -f "$W"/bad-*
	corrupt page-data $((data + 1000 * 4096 + 100))
	restore_fails "restore of page-data" "$W/bad-page-data"
	crt_expect_ok 0
	# the undamaged image restores lazily
	"$CRRUN" restore --lazy "$W/img" 2>"$W/rstr.err" ||
		crt_fail "restore --lazy of the undamaged image: $(cat "$W/rstr.err")"
	crt_expect_ok 1
	# the damaged page is the process's to find: it runs, and says so
	"$CRRUN" restore --lazy "$W/bad-page-data" 2>"$W/rstr.err"
	rc=$?
	if [ "$rc" != 1 ] || ! grep -q '^FAIL' "$OUT"; then
		crt_fail "restore --lazy of damaged page data exited $rc: $(cat "$W/rstr.err")"
	fi
	;;
disk_full)
	mkdir "$W/small"
	mount -t tmpfs -o size=1m tmpfs "$W/small" 2>/dev/null ||
		crt_skip "cannot mount a tmpfs"
	crt_start "$@"
	crt_wait_ready
	snapshot before
	"$CRRUN" checkpoint --kill "$PID" "$W/small/img" 2>"$W/ckpt.err"
	rc=$?
	leftover=$(ls -A "$W/small")
	umount "$W/small"
	expect_clean_failure "$rc" "$W/ckpt.err" "checkpoint to a full disk"
	grep -q 'No space left' "$W/ckpt.err" ||
		crt_fail "message: $(cat "$W/ckpt.err")"
	[ -z "$leftover" ] || crt_fail "left on the full disk: $leftover"
	expect_original_unharmed
	;;
interrupt)
	crt_start "$@"
	crt_wait_ready
	snapshot before
	"$CRRUN" checkpoint --kill "$PID" "$W/img" 2>"$W/ckpt.err" &
	cpid=$!
	sleep 0.05
	kill -INT "$cpid"
	wait "$cpid"
	rc=$?
	if [ "$rc" = 0 ]; then
		crt_skip "the checkpoint ended before SIGINT came"
	fi
	[ "$rc" -lt 128 ] || grep -q '^crrun: ' "$W/ckpt.err" ||
		echo "note: crrun died of SIGINT before it seized the process"
	[ ! -e "$W/img" ] || crt_fail "an image was left"
	expect_no_stray_files
	expect_original_unharmed
	;;
refused)
	text=$1
	shift
	if [ -n "${CRT_PIDNS:-}" ]; then
		crt_start unshare --pid --fork --mount-proc "$@"
		crt_wait_ready
		upid=$PID
		read -r PID _ <"/proc/$upid/task/$upid/children"
		[ -n "$PID" ] || crt_fail "no process in the namespace"
	else
		crt_start "$@"
		crt_wait_ready
	fi
	snapshot before
	for opt in "" --kill; do
		# shellcheck disable=SC2086 # no option, or one
		"$CRRUN" checkpoint $opt "$PID" "$W/img" 2>"$W/ckpt.err"
		expect_clean_failure $? "$W/ckpt.err" "checkpoint $opt"
		grep -qF -- "$text" "$W/ckpt.err" ||
			crt_fail "checkpoint $opt: message: $(cat "$W/ckpt.err")"
		[ "$(wc -l <"$W/ckpt.err")" = 1 ] ||
			crt_fail "checkpoint $opt: not one line: $(cat "$W/ckpt.err")"
		[ ! -e "$W/img" ] || crt_fail "an image was left"
		expect_no_stray_files
		kill -0 "$PID" 2>/dev/null || crt_fail "checkpoint $opt killed it"
	done
	if [ -n "${CRT_PIDNS:-}" ]; then
		touch "$GO"
		wait "$upid"
		rc=$?
		[ "$rc" = 0 ] || crt_fail "the process exited $rc"
		crt_expect_ok 1
	else
		expect_original_unharmed
	fi
	;;
ckpt_fault)
	fault=$1
	shift
	crt_start "$@"
	crt_wait_ready
	snapshot before
	CRRUN_FAULT=$fault "$CRRUN" checkpoint "$PID" "$W/img" 2>"$W/ckpt.err"
	rc=$?
	if [ "$rc" = 0 ] && [ "${fault%:1}" != "$fault" ]; then
		# a one-off failure may be retried: then the image is whole
		"$CRRUN" show --verify "$W/img" >/dev/null 2>"$W/show.err" ||
			crt_fail "image after a retried $fault: $(cat "$W/show.err")"
		rm -f "$W/img"
	else
		expect_clean_failure $rc "$W/ckpt.err" \
			"checkpoint with fault $fault"
	fi
	[ ! -e "$W/img" ] || crt_fail "an image was left"
	expect_no_stray_files
	expect_original_unharmed
	;;
rstr_fault)
	fault=$1
	shift
	make_image "$@"
	# shellcheck disable=SC2086 # options, split
	CRRUN_FAULT=$fault restore_fails "restore with fault $fault" "$W/img" \
		${CRT_RESTORE_ARGS:-}
	crt_expect_ok 0
	# the pid is free again: a clean restore works
	# shellcheck disable=SC2086
	"$CRRUN" restore ${CRT_RESTORE_ARGS:-} "$W/img" 2>"$W/rstr.err" ||
		crt_fail "restore without the fault: $(cat "$W/rstr.err")"
	crt_expect_ok 1
	;;
*)
	echo "run_fail.sh: unknown mode $MODE" >&2
	exit 2
	;;
esac
crt_pass
