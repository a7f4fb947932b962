#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_one.sh CRRUN MODE PROGRAM [ARGS...]
#
# Drive one integration test program (see crt.h): start it, wait for its
# "ready", checkpoint it with the real crrun binary, let it go, restore it,
# and check that it says "ok" and exits 0. MODE:
#
#   kill     checkpoint --kill, then restore
#   nokill   checkpoint and leave it running: the original must verify
#            itself; then, once it has exited, restore it too
#   notrace  as nokill, and what /proc shows of the process (status,
#            stat, sched, limits, smaps flags, timers, fdinfo, links,
#            namespaces, ...: crt_proc_state) is the same before and
#            after the checkpoint
#   stopped  the program stopped with SIGSTOP: a checkpoint leaves it
#            stopped; checkpoint --kill, restore: it comes back stopped,
#            says nothing until SIGCONT, then carries on
#   pidns    as nokill, the program started in a pid namespace of its own
#            (unshare), where its pids are not crrun's
#   twice    checkpoint --kill, restore, and restore again from one image
#   again    checkpoint --kill, restore, checkpoint the restored process
#            --kill, restore that second image
#   lazy     checkpoint --kill, then restore --lazy: while the process
#            runs, /proc/PID/maps shows the image and it has the fds the
#            original had (the image's is closed)
#   lazy_again
#            checkpoint --kill, restore --lazy, checkpoint that process
#            (its image still there), delete the first image, restore
#            --lazy the second, delete it while the process runs,
#            checkpoint again (its image deleted): the third image names
#            no earlier one and restores copied, then lazily
#   valgrind checkpoint --kill and show --verify run under valgrind
#            memcheck, which must report nothing; the restore runs plainly
#            (its child is crrun's own fork: under valgrind it would be a
#            valgrind process, whose memory the restore replaces)
#
# Environment:
#   CRT_MAX_IMAGE_MIB  the image must be smaller than this
#   CRT_STDIN          the program's stdin is an idle pipe; this text (plus
#                      a newline) goes into the stdin of `crrun restore`
#   CRT_SIGNAL         sent to the restored process once it runs
#   CRT_LAZY_UNMAPPED  lazy: the program has no run of pages long enough
#                      to be mapped; only its fds are checked
#   CRT_RESTORE_SAYS   the restores run with --verbose and each must print
#                      this text
#   CRT_NEEDS_CPUS     skip unless crrun may run on this many CPUs
#
# Exit: 0 pass, 1 fail, 77 skipped (not root, or a kernel feature missing).

set -u

CRRUN=$1
MODE=$2
shift 2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

crt_require_root_and_ptrace
[ "$(nproc)" -ge "${CRT_NEEDS_CPUS:-1}" ] ||
	crt_skip "needs ${CRT_NEEDS_CPUS} CPUs, has $(nproc)"

start_program() {
	crt_start "$@"
	crt_wait_ready
}

# restore_wait IMAGE [OPTIONS...]: restore, wait for the program, check
# its status
restore_wait() {
	local image=$1 rc rpid

	shift
	[ -n "${CRT_RESTORE_SAYS:-}" ] && set -- --verbose "$@"
	rm -f "$W/pidfile"
	if [ -n "${CRT_STDIN:-}" ]; then
		printf '%s\n' "$CRT_STDIN" |
			"$CRRUN" restore "$@" --pidfile "$W/pidfile" "$image" \
			2>"$W/rstr.err"
		rc=$?
	elif [ -n "${CRT_SIGNAL:-}" ]; then
		"$CRRUN" restore "$@" --pidfile "$W/pidfile" "$image" \
			2>"$W/rstr.err" &
		rpid=$!
		crt_wait_file "$W/pidfile" || crt_fail "no pid file"
		# let it get back into its system call first
		sleep 0.5
		kill -s "$CRT_SIGNAL" "$(cat "$W/pidfile")"
		wait "$rpid"
		rc=$?
	else
		"$CRRUN" restore "$@" --pidfile "$W/pidfile" "$image" \
			2>"$W/rstr.err"
		rc=$?
	fi
	[ "$rc" = 0 ] ||
		crt_fail "restore of $image exited $rc: $(cat "$W/rstr.err")"
	[ -z "${CRT_RESTORE_SAYS:-}" ] ||
		grep -qF -- "$CRT_RESTORE_SAYS" "$W/rstr.err" ||
		crt_fail "restore of $image did not say '$CRT_RESTORE_SAYS'"
	[ "$(cat "$W/pidfile" 2>/dev/null)" = "$PID" ] ||
		crt_fail "restored with pid $(cat "$W/pidfile"), not $PID"
}

# wait_state PID LETTER: the process's State is LETTER within 5 s
wait_state() {
	local i

	for ((i = 0; i < 500; i++)); do
		grep -q "^State:[[:space:]]*$2" "/proc/$1/status" 2>/dev/null &&
			return 0
		sleep 0.01
	done
	return 1
}

fds_of() {
	ls "/proc/$1/fd" 2>/dev/null | sort -n | tr '\n' ' '
}

# restore_bg IMAGE [OPTIONS...]: restore in the background (crrun's pid in
# RPID) and wait until the process runs: crrun has let go of it
restore_bg() {
	local image=$1 i

	shift
	rm -f "$W/pidfile"
	"$CRRUN" restore "$@" --pidfile "$W/pidfile" "$image" \
		2>"$W/rstr.err" &
	RPID=$!
	for ((i = 0; i < 1000; i++)); do
		[ -s "$W/pidfile" ] || ! kill -0 "$RPID" 2>/dev/null && break
		sleep 0.01
	done
	[ -s "$W/pidfile" ] ||
		crt_fail "restore of $image: no pid file: $(cat "$W/rstr.err")"
	[ "$(cat "$W/pidfile")" = "$PID" ] ||
		crt_fail "restored with pid $(cat "$W/pidfile"), not $PID"
	for ((i = 0; i < 1000; i++)); do
		grep -qx 'TracerPid:[[:space:]]*0' "/proc/$PID/status" \
			2>/dev/null && return 0
		sleep 0.01
	done
	crt_fail "restore of $image: the process is still traced after 10 s"
}

# checkpoint_restored IMAGE: checkpoint --kill what restore_bg restored
checkpoint_restored() {
	local rc

	crt_checkpoint --kill "$PID" "$1"
	wait "$RPID"
	rc=$?
	[ "$rc" = 137 ] ||
		crt_fail "the restore exited $rc, not 137 (SIGKILL): $(cat "$W/rstr.err")"
}

# expect_lazy IMAGE FDS: the process runs with IMAGE mapped and fds FDS
expect_lazy() {
	[ -n "${CRT_LAZY_UNMAPPED:-}" ] || grep -qF " $1" "/proc/$PID/maps" ||
		crt_fail "$1 is not mapped: $(cat "/proc/$PID/maps")"
	[ "$(fds_of "$PID")" = "$2" ] ||
		crt_fail "fds after restore --lazy: $(fds_of "$PID"), before: $2"
}

check_image() {
	local image=$1 size max

	"$CRRUN" show "$image" >"$W/show.out" 2>&1 ||
		crt_fail "crrun show $image: $(tail -1 "$W/show.out")"
	"$CRRUN" show --verify "$image" >"$W/show.out" 2>&1 ||
		crt_fail "crrun show --verify $image: $(tail -1 "$W/show.out")"
	# every object decoded: head first, tail last, all the VMAs
	command -v python3 >/dev/null ||
		return 0
	"$CRRUN" show --json --verify "$image" | python3 -c '
import json, sys
o = json.load(sys.stdin)
t = [x["type"] for x in o]
mm = [x for x in o if x["type"] == "mm"]
assert t[0] == "head" and t[-1] == "tail", "head/tail"
assert o[-1]["checksum_ok"], "checksum"
assert len(mm) == 1 and mm[0]["map_count"] == t.count("vma"), "vmas"
assert "cpu" in t and "sighand" in t and "fd_ent" in t, "objects"
' || crt_fail "crrun show --json $image: not the objects expected"
	if [ -n "${CRT_MAX_IMAGE_MIB:-}" ]; then
		size=$(stat -c %s "$image")
		max=$((CRT_MAX_IMAGE_MIB << 20))
		[ "$size" -lt "$max" ] ||
			crt_fail "image of $size bytes, limit ${CRT_MAX_IMAGE_MIB} MiB"
		echo "image: $size bytes"
	fi
}

case $MODE in
kill)
	start_program "$@"
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	check_image "$W/img"
	touch "$GO"
	restore_wait "$W/img"
	crt_expect_ok 1
	;;
nokill)
	start_program "$@"
	crt_checkpoint "$PID" "$W/img"
	check_image "$W/img"
	touch "$GO"
	crt_reap
	[ "$REAPED" = 0 ] || crt_fail "the checkpointed original exited $REAPED"
	crt_expect_ok 1
	restore_wait "$W/img"
	crt_expect_ok 2
	;;
stopped)
	start_program "$@"
	kill -STOP "$PID"
	wait_state "$PID" T || crt_fail "SIGSTOP did not stop it"
	crt_checkpoint "$PID" "$W/img"
	sleep 0.2
	wait_state "$PID" T || crt_fail "the checkpoint let the stopped process run"
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	check_image "$W/img"
	"$CRRUN" show "$W/img" | grep -q "stopped by" ||
		crt_fail "the image does not say it stood stopped"
	touch "$GO"
	rm -f "$W/pidfile"
	"$CRRUN" restore --pidfile "$W/pidfile" "$W/img" 2>"$W/rstr.err" &
	rpid=$!
	crt_wait_file "$W/pidfile" || crt_fail "no pid file: $(cat "$W/rstr.err")"
	wait_state "$PID" T || crt_fail "the restored process runs"
	sleep 0.3
	wait_state "$PID" T || crt_fail "the restored process did not stay stopped"
	grep -qx ok "$OUT" && crt_fail "it ran before SIGCONT"
	kill -CONT "$PID"
	wait "$rpid"
	rc=$?
	[ "$rc" = 0 ] || crt_fail "restore exited $rc: $(cat "$W/rstr.err")"
	crt_expect_ok 1
	;;
notrace)
	start_program "$@"
	crt_proc_state "$PID" "$W/state.before"
	crt_checkpoint "$PID" "$W/img"
	crt_proc_state "$PID" "$W/state.after"
	crt_expect_same_state "$W/state.before" "$W/state.after"
	check_image "$W/img"
	touch "$GO"
	crt_reap
	[ "$REAPED" = 0 ] || crt_fail "the checkpointed original exited $REAPED"
	crt_expect_ok 1
	restore_wait "$W/img"
	crt_expect_ok 2
	;;
pidns)
	unshare --pid --fork --mount-proc true 2>/dev/null ||
		crt_skip "no pid namespace here"
	start_program unshare --pid --fork --mount-proc "$@"
	upid=$PID
	read -r PID _ <"/proc/$upid/task/$upid/children"
	[ -n "$PID" ] || { kill -9 "$upid"; crt_fail "no process in the namespace"; }
	crt_checkpoint "$PID" "$W/img"
	check_image "$W/img"
	touch "$GO"
	wait "$upid"
	rc=$?
	[ "$rc" = 0 ] || crt_fail "the checkpointed original exited $rc"
	crt_expect_ok 1
	restore_wait "$W/img"
	crt_expect_ok 2
	;;
twice)
	start_program "$@"
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	touch "$GO"
	restore_wait "$W/img"
	restore_wait "$W/img"
	crt_expect_ok 2
	;;
again)
	start_program "$@"
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	"$CRRUN" restore --pidfile "$W/pidfile" "$W/img" 2>"$W/rstr.err" &
	rpid=$!
	crt_wait_file "$W/pidfile" || crt_fail "no pid file"
	sleep 0.2
	crt_checkpoint --kill "$PID" "$W/img2"
	wait "$rpid"
	rc=$?
	[ "$rc" = 137 ] ||
		crt_fail "the first restore exited $rc, not 137 (SIGKILL)"
	check_image "$W/img2"
	touch "$GO"
	restore_wait "$W/img2"
	crt_expect_ok 1
	;;
lazy)
	start_program "$@"
	fds=$(fds_of "$PID")
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	restore_bg "$W/img" --lazy
	expect_lazy "$W/img" "$fds"
	touch "$GO"
	wait "$RPID"
	rc=$?
	[ "$rc" = 0 ] || crt_fail "restore --lazy exited $rc: $(cat "$W/rstr.err")"
	crt_expect_ok 1
	grep -qx 'memory: copied' "$OUT" && crt_fail "memory was copied"
	;;
lazy_again)
	start_program "$@"
	fds=$(fds_of "$PID")
	crt_checkpoint --kill "$PID" "$W/img"
	crt_reap
	restore_bg "$W/img" --lazy
	expect_lazy "$W/img" "$fds"
	checkpoint_restored "$W/img2"
	rm "$W/img"
	restore_bg "$W/img2" --lazy
	expect_lazy "$W/img2" "$fds"
	rm "$W/img2"
	grep -qF " $W/img2 (deleted)" "/proc/$PID/maps" ||
		crt_fail "the deleted image is not mapped"
	checkpoint_restored "$W/img3"
	check_image "$W/img3"
	"$CRRUN" show "$W/img3" | grep -F "file $W/img" &&
		crt_fail "the new image maps an earlier one"
	touch "$GO"
	restore_wait "$W/img3"
	restore_wait "$W/img3" --lazy
	crt_expect_ok 2
	if [ "$(grep -cx 'memory: copied' "$OUT")" != 1 ] ||
	   [ "$(grep -cx 'memory: lazy' "$OUT")" != 1 ]; then
		crt_fail "not one copied and one lazy restore"
	fi
	;;
valgrind)
	command -v valgrind >/dev/null || crt_skip "no valgrind"
	VG="valgrind --quiet --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite,indirect --log-file=$W/vg.%p"
	start_program "$@"
	$VG "$CRRUN" checkpoint --kill "$PID" "$W/img" 2>"$W/ckpt.err" ||
		crt_fail "valgrind crrun checkpoint: $(cat "$W"/vg.* "$W/ckpt.err")"
	crt_reap
	$VG "$CRRUN" show --verify "$W/img" >"$W/show.out" 2>&1 ||
		crt_fail "valgrind crrun show: $(cat "$W"/vg.* "$W/show.out")"
	# errors and leaks make the exit 99; what the logs may still hold is
	# valgrind 3.19 not knowing pidfd_open (crrun then polls /proc)
	if grep -q "ERROR SUMMARY: [1-9]\|definitely lost: [1-9]" "$W"/vg.* 2>/dev/null; then
		crt_fail "valgrind reported: $(cat "$W"/vg.*)"
	fi
	touch "$GO"
	restore_wait "$W/img"
	crt_expect_ok 1
	;;
*)
	echo "run_one.sh: unknown mode $MODE" >&2
	exit 2
	;;
esac
crt_pass
