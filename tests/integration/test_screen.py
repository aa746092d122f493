"""Integration: a person at a real `screen`, inside tmux, on the console.

tmux gives screen a terminal; send-keys types, capture-pane reads what a
person would see. Prints SKIP when screen or tmux is not installed."""
import os
import re
import shutil
import subprocess
import time

import harness as h
from harness import test, Device, run, spawn, wait_for, wait_line, assert_clean


def tmux(*args):
    return subprocess.run(["tmux"] + list(args), capture_output=True, text=True, timeout=20)


def screen_text(session):
    return tmux("capture-pane", "-p", "-t", session).stdout


def need_tools():
    for tool in ("screen", "tmux"):
        if not shutil.which(tool):
            raise h.SkipTest("%s is not installed" % tool)


def open_screen(d, session):
    # A private socket dir keeps screen's files inside the build tree.
    sockdir = os.path.join(h.ROOT, "tests", "tmp", "screen")
    os.makedirs(sockdir, mode=0o700, exist_ok=True)
    os.chmod(sockdir, 0o700)
    cmd = "SCREENDIR=%s screen -S %s %s" % (sockdir, session, d.pts)
    r = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd)
    assert r.returncode == 0, r.stderr
    # The device greets a new terminal by itself: no key needed.
    wait_for(lambda: "Type 'help'" in screen_text(session), 15, step=0.2,
             what="greeting in screen")


def type_line(session, text):
    tmux("send-keys", "-t", session, "-l", text)
    tmux("send-keys", "-t", session, "Enter")


@test
def a_person_at_screen():
    need_tools()
    d = Device("SIN", "2")
    session = "shmdev%d" % os.getpid()
    try:
        open_screen(d, session)
        type_line(session, "status")
        wait_for(lambda: "uptime" in screen_text(session), 10, what="status in screen")
        # Echo once: the command appears once on its prompt line.
        shown = screen_text(session)
        assert shown.count(d.name + "> status") == 1, shown
        # stop halts the client, start resumes it.
        type_line(session, "stop")
        wait_line(d.proc, r": stopped$")
        c = spawn("client", "-n", d.name, "-i", "0.2")
        wait_line(c, r"device \S+ stopped")
        type_line(session, "start")
        wait_line(c, r"raw")
        # config changes what the client shows; Tab completes on the way.
        tmux("send-keys", "-t", session, "-l", "conf")
        tmux("send-keys", "-t", session, "Tab")
        tmux("send-keys", "-t", session, "-l", "TRI 0.5")
        tmux("send-keys", "-t", session, "Enter")
        wait_line(c, r"TRI 0.5 s")
        c.kill()
        # Quit screen (Ctrl-A k y) and attach again: the shell still answers.
        tmux("send-keys", "-t", session, "C-a", "k")
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "y")
        wait_line(d.proc, "terminal detached")
        wait_for(lambda: tmux("has-session", "-t", session).returncode != 0, 10,
                 what="screen to quit")
        open_screen(d, session)
        type_line(session, "exit")
        assert d.wait() == 0
        assert_clean(d)
    finally:
        tmux("kill-session", "-t", session)
        d.cleanup()


if __name__ == "__main__":
    h.main()
