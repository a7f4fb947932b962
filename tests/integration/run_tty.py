#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""run_tty.py CRRUN MODE PROGRAM: a program on a terminal (tty_state.c).

The program runs on a pty and puts it in raw mode. It is checkpointed
--kill, then:

  restore  `crrun restore` runs on a second pty (cooked, another window
           size) as its controlling terminal: the program must find its
           settings there, read one key without a newline, and say ok;
           once it is gone the second pty has crrun's settings back
  detach   `crrun restore --detach` on the second pty is refused in one
           line that names the terminal, and leaves no process behind

Exit: 0 pass, 1 fail.
"""
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time

CRRUN, MODE, PROG = sys.argv[1], sys.argv[2], sys.argv[3]
work = tempfile.mkdtemp(prefix="crrun-tty.")
go = os.path.join(work, "go")
out = b""


def fail(msg):
    print("FAIL: " + msg)
    print("---- program output\n" + out.decode(errors="replace") + "\n----")
    sys.exit(1)


def read_until(fd, text, seconds=10):
    global out
    end = time.time() + seconds
    while text not in out:
        left = end - time.time()
        if left <= 0:
            fail("no %r in %s s" % (text, seconds))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                fail("the terminal closed before %r" % text)
            out += data


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def on_ctty():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


env = dict(os.environ, CR_GO=go)
m1, s1 = pty.openpty()
p = subprocess.Popen([PROG], stdin=s1, stdout=s1, stderr=s1, env=env,
                     preexec_fn=on_ctty, close_fds=True)
os.close(s1)
read_until(m1, b"ready")
pid = p.pid
r = subprocess.run([CRRUN, "checkpoint", "--kill", str(pid),
                    os.path.join(work, "img")], capture_output=True)
if r.returncode:
    fail("checkpoint: " + r.stderr.decode())
p.wait()
show = subprocess.run([CRRUN, "show", os.path.join(work, "img")],
                      capture_output=True, text=True).stdout
if "tty: fd 0" not in show:
    fail("the image has no terminal: " + show)
open(go, "w").close()

m2, s2 = pty.openpty()
set_size(s2, 40, 120)
cooked = termios.tcgetattr(s2)
args = [CRRUN, "restore"] + (["--detach"] if MODE == "detach" else [])
args += ["--pidfile", os.path.join(work, "pid"), os.path.join(work, "img")]
err = os.path.join(work, "rstr.err")
with open(err, "w") as errf:
    rp = subprocess.Popen(args, stdin=s2, stdout=s2, stderr=errf,
                          preexec_fn=on_ctty, close_fds=True)
out = b""
if MODE == "detach":
    rc = rp.wait(timeout=30)
    msg = open(err).read()
    if rc == 0:
        fail("restore --detach on a terminal succeeded")
    if "terminal" not in msg or msg.count("\n") != 1:
        fail("message: " + msg)
    for _ in range(300):
        if not os.path.exists("/proc/%d" % pid):
            break
        time.sleep(0.01)
    else:
        fail("a process with pid %d is left" % pid)
else:
    read_until(m2, b"reading")
    time.sleep(0.2)
    os.write(m2, b"x")
    read_until(m2, b"ok")
    rc = rp.wait(timeout=30)
    if rc != 0:
        fail("restore exited %d: %s" % (rc, open(err).read()))
    if b"FAIL" in out:
        fail("the program found differences")
    if termios.tcgetattr(s2)[3] != cooked[3]:
        fail("crrun did not give its terminal its settings back")
subprocess.run(["rm", "-rf", work])
print("PASS")
