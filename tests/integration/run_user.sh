#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_user.sh CRRUN MODE PROGRAM [ARGS...]
#
# Restore by a user who is not root. clone3(set_tid) and PR_SET_MM_MAP need
# CAP_CHECKPOINT_RESTORE, so the user (nobody) is given that one capability
# (and CAP_SYS_PTRACE) as ambient capabilities, nothing else. MODE:
#
#   own      the program ran as nobody: its image restores, and it checks
#            itself and says ok
#   root     the program ran as root: restoring it as nobody would give
#            more privilege than nobody has; it must be refused cleanly,
#            with no process left
#
# Exit: 0 pass, 1 fail, 77 skipped.

set -u

CRRUN=$1
MODE=$2
shift 2

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

crt_require_root_and_ptrace
command -v setpriv >/dev/null || crt_skip "no setpriv"
id nobody >/dev/null 2>&1 || crt_skip "no user nobody"
setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$CRRUN" ||
	crt_skip "nobody cannot run $CRRUN (a private build directory?)"

AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
CAPS="--inh-caps=+checkpoint_restore,+sys_ptrace
      --ambient-caps=+checkpoint_restore,+sys_ptrace"

# the work directory and the program's output belong to nobody
chown nobody "$W"
: >"$OUT"
chown nobody "$OUT"

case $MODE in
own)
	crt_start $AS_NOBODY "$@"
	;;
root)
	crt_start "$@"
	;;
*)
	echo "run_user.sh: unknown mode $MODE" >&2
	exit 2
	;;
esac
crt_wait_ready
crt_checkpoint --kill "$PID" "$W/img"
crt_reap
chmod 644 "$W/img"
touch "$GO"

# shellcheck disable=SC2086
$AS_NOBODY $CAPS "$CRRUN" restore --pidfile "$W/pidfile" "$W/img" \
	2>"$W/rstr.err"
rc=$?

case $MODE in
own)
	[ "$rc" = 0 ] ||
		crt_fail "restore as nobody exited $rc: $(cat "$W/rstr.err")"
	[ "$(cat "$W/pidfile")" = "$PID" ] || crt_fail "restored with another pid"
	crt_expect_ok 1
	;;
root)
	[ "$rc" != 0 ] && [ "$rc" -lt 128 ] ||
		crt_fail "restore of root's image as nobody exited $rc"
	[ ! -e "$W/pidfile" ] || crt_fail "the process was let run"
	grep -q "more privilege" "$W/rstr.err" ||
		crt_fail "message: $(cat "$W/rstr.err")"
	crt_gone "$PID" || crt_fail "a process with pid $PID is left"
	;;
esac
crt_pass
