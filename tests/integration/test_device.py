"""Integration: device and client through their links, lifecycle and cleanup."""
import math
import os
import re
import signal
import time

import harness as h
from harness import test, slow, Device, run, spawn, wait_for, wait_line, alive, assert_clean


def parse_line(line):
    m = re.match(r"t=\s*([\d.]+) s\s+(\w+) ([\d.]+) s\s+(\w+)\s+raw\s+(\d+)$", line)
    assert m, "unexpected client line %r" % line
    return float(m.group(1)), m.group(2), float(m.group(3)), m.group(4), int(m.group(5))


@test
def device_and_client_basic():
    d = Device("SIN", "2.0")
    try:
        segs = h.segments()
        assert d.shmid in segs, "segment %d not in ipcs -m" % d.shmid
        assert segs[d.shmid][1] == "600", "perms %s, want 600" % segs[d.shmid][1]
        r = run("client", "-n", d.name, "-c", "3")
        assert r.returncode == 0, (r.returncode, r.stderr)
        lines = r.stdout.splitlines()
        assert len(lines) == 3, lines
        for line in lines:
            t, wave, period, state, raw = parse_line(line)
            assert wave == "SIN" and period == 2 and state == "running", line
            assert 0 <= raw <= 1023
            # The value is the 2 s sine at the device time it reports.
            ideal = 511.5 + 511.5 * math.sin(2 * math.pi * t / 2.0)
            assert abs(raw - ideal) <= 1.5, (line, ideal)
        assert d.stop() == 0
        assert any("shut down" in l for l in d.proc.lines), d.proc.lines
        assert_clean(d)
    finally:
        d.cleanup()


@test
def client_follows_a_sine_over_time():
    d = Device("SIN", "2")
    try:
        r = run("client", "-n", d.name, "-i", "0.1", "-c", "25")
        assert r.returncode == 0, r.stderr
        vals = [parse_line(l) for l in r.stdout.splitlines()]
        raws = [v[4] for v in vals]
        assert max(raws) - min(raws) > 700, raws     # 2.5 s covers a whole period
        times = [v[0] for v in vals]
        assert times == sorted(times), times
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


BAD = [
    ([], "WAVE"),
    (["FOO", "1"], "'FOO'"),
    (["SIN", "0"], "'0'"),
    (["SIN", "-1"], "'-1'"),
    (["SIN", "nan"], "'nan'"),
    (["SIN", "abc"], "'abc'"),
    (["SIN", "inf"], "'inf'"),
    (["SIN", "1e400"], "'1e400'"),
    (["SIN", "2x"], "'2x'"),
    (["SIN", ""], "''"),
    (["SIN", "2", "extra"], "too many"),
    (["-r", "0", "SIN", "2"], "'0'"),
    (["-r", "1e9", "SIN", "2"], "'1e9'"),
    (["-n", "../etc", "SIN", "2"], "'../etc'"),
]


@test
def bad_arguments_are_named_and_leave_nothing():
    before = set(h.segments())
    for args, needle in BAD:
        r = run("device", *args, timeout=10)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert needle in r.stderr, (args, r.stderr)
        assert r.stderr.startswith("device: "), r.stderr
    assert set(h.segments()) <= before


@test
def client_without_device_exits_1():
    name = h.unique_name("none")
    r = run("client", "-n", name)
    assert r.returncode == 1, r.returncode
    assert name in r.stderr and "device" in r.stderr, r.stderr
    assert r.stdout == ""


@test
def client_usage_errors_exit_2():
    for args in (["-c", "0"], ["-c", "x"], ["-i", "0"], ["-i", "abc"], ["-n", ""], ["bogus"]):
        r = run("client", *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
    r = run("client", "--help")
    assert r.returncode == 0 and "Usage: client" in r.stdout


@test
def second_device_of_a_name_is_refused():
    d = Device("SIN", "2")
    try:
        r = run("device", "-n", d.name, "TRI", "1")
        assert r.returncode == 1, (r.returncode, r.stderr)
        assert "already running" in r.stderr and str(d.pid) in r.stderr, r.stderr
        assert alive(d.pid) and d.shmid in h.segments()
        r = run("client", "-n", d.name, "-c", "1")
        assert r.returncode == 0 and "SIN" in r.stdout, r.stdout
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
def names_coexist():
    a = Device("SIN", "2")
    b = Device("TRI", "1")
    try:
        ra = run("client", "-n", a.name, "-c", "1")
        rb = run("client", "-n", b.name, "-c", "1")
        assert "SIN" in ra.stdout and "TRI" in rb.stdout, (ra.stdout, rb.stdout)
        a.stop()
        b.stop()
        assert_clean(a, b)
    finally:
        a.cleanup()
        b.cleanup()


@test
def killed_device_is_reclaimed_by_the_next():
    d = Device("SIN", "2")
    try:
        task = d.task
        d.stop(signal.SIGKILL)
        wait_for(lambda: not alive(task), 5, what="task dies with its device")
        assert d.shmid in h.segments(), "a kill -9 leaves the segment"
        d2 = Device("QUA", "1", name=d.name)
        try:
            assert d.shmid not in h.segments(), "stale segment not reclaimed"
            r = run("client", "-n", d.name, "-c", "1")
            assert r.returncode == 0 and "QUA" in r.stdout, (r.stdout, r.stderr)
            d2.stop()
            assert_clean(d2)
        finally:
            d2.cleanup()
    finally:
        d.cleanup()


@test
def client_reports_shutdown_and_exits_0():
    d = Device("SIN", "2")
    try:
        c = spawn("client", "-n", d.name)
        wait_line(c, r"raw")
        d.stop()
        assert c.wait(timeout=10 * h.SLOW) == 0
        assert any("shut down" in l for l in c.lines), c.lines
        assert_clean(d)
    finally:
        d.cleanup()


@test
def client_exits_1_when_device_is_killed():
    d = Device("SIN", "2")
    try:
        c = spawn("client", "-n", d.name)
        wait_line(c, r"raw")
        d.stop(signal.SIGKILL)
        t0 = time.monotonic()
        assert c.wait(timeout=10 * h.SLOW) == 1
        assert time.monotonic() - t0 < 5 * h.SLOW
        assert any("vanished" in l for l in c.errlines), c.errlines
    finally:
        d.cleanup()
        # The segment of a kill -9 stays until a device of that name reclaims it.
        d2 = Device("SIN", "2", name=d.name)
        d2.stop()
        assert_clean(d2)
        d2.cleanup()


@test
def killed_task_is_restarted():
    d = Device("SIN", "1", rate=100)
    try:
        old = d.task
        os.kill(old, signal.SIGKILL)
        wait_line(d.proc, r"ADC task restarted \(pid (\d+)\)", timeout=10)
        new = wait_for(lambda: d.task_pid() if d.task_pid() not in (None, old) else None, 5,
                       what="a new task pid")
        d.task = new
        r = run("client", "-n", d.name, "-c", "2", "-i", "0.2")
        assert r.returncode == 0, r.stderr
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
@slow
def idle_cpu_at_10hz_is_well_under_one_percent():
    d = Device("SIN", "2")
    try:
        pids = (d.pid, d.task)
        time.sleep(0.5)
        t0 = sum(h.cpu_ticks(p) for p in pids)
        time.sleep(5)
        used = sum(h.cpu_ticks(p) for p in pids) - t0
        hz = os.sysconf("SC_CLK_TCK")
        # 1% of 5 s is 5 ticks at 100 Hz; we expect 0 or 1.
        assert used <= 0.01 * 5 * hz * h.SLOW, "%d ticks in 5 s" % used
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
def task_shows_as_run_device():
    d = Device("SIN", "2")
    try:
        with open("/proc/%d/comm" % d.task) as f:
            assert f.read().strip() == "run_device"
        # By hand it never becomes a second writer: it names who runs the task.
        r = run("run_device", "-n", d.name)
        assert r.returncode == 1, r.returncode
        assert "pid %d" % d.pid in r.stderr and "pid %d" % d.task in r.stderr, r.stderr
        r = run("run_device", "-n", h.unique_name("none"))
        assert r.returncode == 1 and "no device" in r.stderr, r.stderr
        d.stop(signal.SIGINT)
        assert d.wait() == 0
        assert_clean(d)
    finally:
        d.cleanup()


@test
def a_closed_log_pipe_does_not_kill_the_device():
    """`device SIN 2 | head -1` keeps the device running."""
    import subprocess
    name = h.unique_name()
    p = subprocess.Popen(h.binary("device") + ["-n", name, "SIN", "2"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=h.ENV)
    first = p.stdout.readline().decode()
    p.stdout.close()                      # what head -1 does
    try:
        pts = re.search(r"shell on (\S+)", first).group(1)
        t = h.Term(pts, name + "> ")      # the attach is logged: a write to the closed pipe
        assert "running" in t.command("status")
        assert p.poll() is None, "device died"
        t.send("exit\r")
        assert p.wait(timeout=10 * h.SLOW) == 0
        t.close()
    finally:
        if p.poll() is None:
            p.terminate()
            p.wait()


if __name__ == "__main__":
    h.main()
