"""Integration: the device's console on a real pseudoterminal.

The tests open the slave as a serial terminal would (raw mode), type into
it, and check both the answers and the effect on the segment (read back
with the real client)."""
import os
import random
import re
import signal
import time

import harness as h
from harness import test, slow, Device, Term, run, spawn, wait_for, wait_line, alive, assert_clean


def prompt(d):
    return d.name + "> "


def attach(d, greet=True):
    return Term(d.pts, prompt(d), greet=greet)


def client_line(d):
    r = run("client", "-n", d.name, "-c", "1")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout


def shut(d, t=None):
    if t:
        t.send("exit\r")
        assert d.wait() == 0
        t.close()
    else:
        d.stop()
    assert_clean(d)


@test
def prints_the_console_path_and_greets():
    d = Device("SIN", "2")
    try:
        assert d.pts and re.match(r"/dev/pts/\d+$", d.pts), d.proc.lines
        assert any("screen " + d.pts in l for l in d.proc.lines), d.proc.lines
        t = attach(d)
        wait_line(d.proc, "terminal attached")
        out = t.command("help")
        for cmd in ("start", "stop", "config", "status", "exit", "help"):
            assert cmd in out, out
        shut(d, t)
    finally:
        d.cleanup()


@test
def status_reports_everything():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        out = t.command("status")
        for word in ("running", "SIN", "period 2 s", "10 Hz", "taken", "late", "overruns",
                     "uptime", "pid %d" % d.task, "id %d" % d.shmid, "attached"):
            assert word in out, (word, out)
        shut(d, t)
    finally:
        d.cleanup()


@test
def stop_and_start_drive_the_client():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        assert "stopped" in t.command("stop")
        assert "already stopped" in t.command("stop")
        wait_line(d.proc, r": stopped$")
        c = spawn("client", "-n", d.name, "-i", "0.2")
        wait_line(c, r"device \S+ stopped")
        time.sleep(0.5)
        assert not any("raw" in l for l in c.lines), c.lines
        assert "already" not in t.command("start")
        assert "already running" in t.command("start")
        wait_line(c, r"raw")
        c.kill()
        shut(d, t)
    finally:
        d.cleanup()


@test
def config_in_one_line_changes_what_the_client_shows():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        t.command("stop")
        out = t.command("config TRI 0.5")
        assert "TRI" in out, out
        wait_line(d.proc, r"configured TRI 0.5 s")
        wait_for(lambda: "TRI 0.5 s  running" in client_line(d), 10, what="client sees TRI 0.5")
        out = t.command("config QUA 1 reset")
        wait_for(lambda: "QUA 1 s" in client_line(d), 10, what="client sees QUA 1")
        for bad, needle in (("config FOO 1", "'FOO'"), ("config SIN 0", "'0'"),
                            ("config SIN abc", "'abc'"), ("config SIN nan", "'nan'"),
                            ("config SIN 0.1", "'0.1'")):
            out = t.command(bad)
            assert needle in out, (bad, out)
        assert "QUA 1 s" in client_line(d)
        shut(d, t)
    finally:
        d.cleanup()


@test
def config_dialog_reasks_and_cancels():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        t.send("config\r")
        t.expect(rb"(?i)wave.*: ")
        t.send("BOGUS\r")
        t.expect(rb"'BOGUS'")
        t.expect(rb"(?i)wave.*: ")
        t.send("tri\r")
        t.expect(rb"(?i)reset.*: ")
        t.send("maybe\r")
        t.expect(rb"'maybe'")
        t.expect(rb"(?i)reset.*: ")
        t.send("yes\r")
        t.expect(rb"(?i)period.*: ")
        t.send("0\r")
        t.expect(rb"'0'")
        t.expect(rb"(?i)period.*: ")
        t.send("0.8\r")
        t.expect(re.escape(prompt(d).encode()))
        wait_for(lambda: "TRI 0.8 s" in client_line(d), 10, what="dialog applied")
        # Ctrl-C in the middle changes nothing.
        t.send("config\r")
        t.expect(rb"(?i)wave.*: ")
        t.send("SIN\r")
        t.expect(rb"(?i)reset.*: ")
        t.send("\x03")
        t.expect(rb"(?i)cancel")
        t.expect(re.escape(prompt(d).encode()))
        time.sleep(0.3)
        assert "TRI 0.8 s" in client_line(d)
        shut(d, t)
    finally:
        d.cleanup()


@test
def unknown_command_is_named_and_device_runs_on():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        out = t.command("frobnicate now")
        assert "'frobnicate'" in out and "help" in out, out
        assert "running" in t.command("status")
        shut(d, t)
    finally:
        d.cleanup()


@test
def echo_once_crlf_and_ctrl_c():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        t.send("status\r")
        out = t.expect(re.escape(prompt(d).encode())).decode(errors="replace")
        assert out.count("status") == 1, out
        # CR, LF, CRLF and LFCR are one Enter each: one prompt per line.
        for enter in ("\r", "\n", "\r\n", "\n\r"):
            t.drain()
            t.send("help" + enter)
            time.sleep(0.4)
            out = t.drain().decode(errors="replace")
            assert out.count(prompt(d)) == 1, (enter, out)
        # CR CR is two: an empty line gives a second prompt.
        t.drain()
        t.send("help\r\r")
        time.sleep(0.4)
        assert t.drain().decode(errors="replace").count(prompt(d)) == 2
        # Ctrl-C abandons the line, the device lives on.
        t.send("stat\x03")
        t.expect(rb"\^C")
        t.expect(re.escape(prompt(d).encode()))
        out = t.command("status")
        assert "running" in out and alive(d.pid), out
        shut(d, t)
    finally:
        d.cleanup()


@test
def tab_completes_commands_and_waves():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        t.send("stat\t")
        t.expect(rb"status")
        t.send("\r")
        t.expect(rb"uptime")
        t.expect(re.escape(prompt(d).encode()))
        t.send("config tr\t")
        t.expect(rb"TRI")
        t.send("\x03")
        t.expect(re.escape(prompt(d).encode()))
        shut(d, t)
    finally:
        d.cleanup()


@test
def scripts_can_drive_the_shell():
    d = Device("SIN", "2")
    try:
        with open(d.pts, "w") as f:
            f.write("stop\n")
        wait_line(d.proc, r": stopped$")
        c = spawn("client", "-n", d.name, "-c", "1")
        wait_line(c, r"device \S+ stopped")
        with open(d.pts, "w") as f:
            f.write("exit\n")
        assert d.wait() == 0
        assert c.wait(timeout=10 * h.SLOW) == 0
        assert_clean(d)
    finally:
        d.cleanup()


@test
@slow
def attach_detach_cycles_cost_no_cpu():
    d = Device("SIN", "2")
    try:
        def detaches():
            return sum("terminal detached" in l for l in d.proc.lines)
        for i in range(3):
            t = attach(d)
            assert "running" in t.command("status")
            t.close()
            wait_for(lambda: detaches() > i, 5, what="detach %d noticed" % (i + 1))
        time.sleep(0.5)
        t0 = h.cpu_ticks(d.pid) + h.cpu_ticks(d.task)
        time.sleep(5)
        used = h.cpu_ticks(d.pid) + h.cpu_ticks(d.task) - t0
        assert used <= 0.01 * 5 * os.sysconf("SC_CLK_TCK") * h.SLOW, "%d ticks in 5 s" % used
        t = attach(d)
        assert "running" in t.command("status")
        shut(d, t)
    finally:
        d.cleanup()


@test
@slow
def fifty_attach_cycles_and_a_flood_while_detached():
    d = Device("SIN", "1", rate=100)
    try:
        for i in range(50):
            fd = os.open(d.pts, os.O_RDWR | os.O_NOCTTY)
            os.close(fd)
        # Commands whose output nobody reads: bounded, never blocking.
        fd = os.open(d.pts, os.O_WRONLY | os.O_NOCTTY)
        for i in range(300):
            os.write(fd, b"help\rstatus\r")
        os.close(fd)
        time.sleep(1)
        t = attach(d)
        out = t.command("status")
        assert "running" in out and " 0 overruns" in out, out
        shut(d, t)
    finally:
        d.cleanup()


@test
@slow
def random_bytes_and_long_lines_leave_it_answering():
    d = Device("SIN", "1", rate=100)
    try:
        t = attach(d)
        rnd = random.Random(1234)
        blob = bytes(rnd.getrandbits(8) for _ in range(1 << 20))
        fd = os.open(d.pts, os.O_WRONLY | os.O_NOCTTY)
        for i in range(0, len(blob), 4096):
            os.write(fd, blob[i:i + 4096])
        os.write(fd, b"x" * 100000 + b"\r")
        os.close(fd)
        t.drain(1.0)
        t.send("\x03")
        t.expect(re.escape(prompt(d).encode()))
        out = t.command("status")
        assert "running" in out, out
        m = re.search(r"(\d+) overruns", out)
        taken = re.search(r"(\d+) taken", out)
        assert m and taken, out
        # Natively: no instant missed. Under emulation the 2 cores are busy
        # emulating the typing too; allow a trace, still no stall.
        assert int(m.group(1)) <= (int(taken.group(1)) // 100 if h.EMU else 0), out
        assert alive(d.pid) and alive(d.task)
        shut(d, t)
    finally:
        d.cleanup()


@test
def link_lifecycle():
    linkdir = os.path.join(h.ROOT, "tests", "tmp", "links")
    os.makedirs(linkdir, exist_ok=True)
    link = os.path.join(linkdir, "console-%d" % os.getpid())
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink("/nonexistent", link)          # an old link is replaced
    d = Device("SIN", "2", extra=("-l", link))
    try:
        assert os.readlink(link) == d.pts
        t = Term(link, prompt(d))
        shut(d, t)
        assert not os.path.lexists(link), "link left behind"
    finally:
        d.cleanup()
    with open(link, "w") as f:
        f.write("precious\n")
    r = run("device", "-n", h.unique_name(), "-l", link, "SIN", "2")
    assert r.returncode == 1 and "not a symlink" in r.stderr, (r.returncode, r.stderr)
    with open(link) as f:
        assert f.read() == "precious\n"
    os.unlink(link)


@test
def link_pointing_elsewhere_at_exit_is_left_alone():
    linkdir = os.path.join(h.ROOT, "tests", "tmp", "links")
    os.makedirs(linkdir, exist_ok=True)
    link = os.path.join(linkdir, "moved-%d" % os.getpid())
    d = Device("SIN", "2", extra=("-l", link))
    try:
        os.unlink(link)
        os.symlink("/dev/null", link)
        d.stop()
        assert os.readlink(link) == "/dev/null"
        os.unlink(link)
        assert_clean(d)
    finally:
        d.cleanup()


def run_daemon(*args):
    """device -D, with stderr in a file: valgrind keeps a copy of the
    stderr it was started with, which would hold a pipe open for as long
    as the daemon runs."""
    import subprocess
    errpath = os.path.join(h.ROOT, "tests", "tmp", "daemon-%d.err" % os.getpid())
    with open(errpath, "w+") as err:
        r = subprocess.run(h.binary("device") + list(args), stdout=subprocess.PIPE, stderr=err,
                           text=True, env=h.ENV, timeout=30 * h.SLOW, cwd=h.ROOT)
        err.seek(0)
        r.stderr = err.read()
    os.unlink(errpath)
    return r


@test
def daemon_mode_returns_once_ready():
    name = h.unique_name()
    lock = os.path.join(h.RUNDIR, "shmdev", name + ".lock")
    try:
        r = run_daemon("-D", "-n", name, "SIN", "2")
    finally:
        # Whatever happened, a daemon that started is found and stopped.
        try:
            with open(lock) as f:
                pid = int(f.read() or 0)
        except OSError:
            pid = 0
    try:
        assert r.returncode == 0, (r.returncode, r.stderr)
        m = re.search(r"shell on (/dev/pts/\d+)", r.stdout)
        assert m, r.stdout
        assert alive(pid)
        r2 = run("client", "-n", name, "-c", "1")
        assert r2.returncode == 0, r2.stderr
        with open(m.group(1), "w") as f:
            f.write("exit\n")
        wait_for(lambda: not alive(pid), 10, what="daemon exits")
        assert not os.path.exists(lock)
    finally:
        if pid and alive(pid):
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not alive(pid), 10, what="daemon stops")
    r = run_daemon("-D", "-n", name, "SIN", "0")
    assert r.returncode == 2
    # A failure after the fork is reported by the foreground process.
    d = Device("SIN", "2", name=name)
    try:
        r = run_daemon("-D", "-n", name, "SIN", "2")
        assert r.returncode == 1 and "already running" in r.stderr, (r.returncode, r.stderr)
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
def signals_shut_down_like_exit():
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        d = Device("SIN", "2")
        try:
            c = spawn("client", "-n", d.name)
            wait_line(c, "raw")
            pts = d.pts
            assert d.stop(sig) == 0, sig
            assert c.wait(timeout=10 * h.SLOW) == 0
            assert_clean(d)
            assert not os.path.exists(pts) or True
        finally:
            d.cleanup()


@test
def exit_removes_segment_pts_and_link():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        c = spawn("client", "-n", d.name)
        wait_line(c, "raw")
        t.send("exit\r")
        assert d.wait() == 0
        assert c.wait(timeout=10 * h.SLOW) == 0 and any("shut down" in l for l in c.lines)
        assert_clean(d)
        t.close()
    finally:
        d.cleanup()


@test
def killed_task_is_announced_in_the_shell():
    d = Device("SIN", "2")
    try:
        t = attach(d)
        os.kill(d.task, signal.SIGKILL)
        t.expect(rb"ADC task \(pid \d+\) was killed by signal 9")
        t.expect(rb"ADC task restarted \(pid \d+\)")
        t.expect(re.escape(prompt(d).encode()))
        wait_for(lambda: d.task_pid() not in (None, d.task), 5)
        d.task = d.task_pid()
        out = t.command("status")
        assert "restarted 1 times" in out, out
        shut(d, t)
    finally:
        d.cleanup()


@test
def the_shell_never_changes_the_terminal_modes():
    import termios
    d = Device("SIN", "2")
    try:
        t = attach(d)
        # A client's own choice of modes, as picocom or minicom might set.
        mode = termios.tcgetattr(t.fd)
        mode[3] |= termios.ECHOE          # lflag bits raw mode cleared
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 5
        termios.tcsetattr(t.fd, termios.TCSANOW, mode)
        before = termios.tcgetattr(t.fd)
        for line in ("help", "status", "stop", "start", "config TRI 1", "bogus"):
            t.command(line)
        t.send("sta\t\x03")
        t.expect(re.escape(prompt(d).encode()))
        assert termios.tcgetattr(t.fd) == before
        shut(d, t)
    finally:
        d.cleanup()


@test
def no_bracketed_paste_noise():
    d = Device("SIN", "2")
    try:
        t = attach(d, greet=False)
        out = t.expect(re.escape(prompt(d).encode()))
        out += t.command("help").encode()
        assert b"\x1b[?2004" not in out, out
        # Every line ends in CRLF: no bare LF reaches the terminal.
        assert re.search(rb"(?<!\r)\n", out) is None, out
        shut(d, t)
    finally:
        d.cleanup()


if __name__ == "__main__":
    h.main()
