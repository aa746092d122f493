"""Integration: the client applet - follow mode, formats, lifecycle events,
waiting for a device, many clients at once, the terminal plot, usage.

Figures are checked with generous margins and every deadline is long: the
suite runs on a noisy 2-core machine, and under EMU (qemu, valgrind)."""
import csv
import ctypes
import io
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import time

import harness as h
from harness import test, slow, Device, run, spawn, wait_for, wait_line, alive, assert_clean

CSV_FIELDS = ["seq", "t", "raw", "wave", "period", "gen"]
HUMAN = re.compile(r"t=\s*([\d.]+) s\s+(\w+) ([\d.]+) s\s+(\w+)\s+raw\s+(\d+)$")


def console(d, line):
    """Type a command into the device's console as a script would."""
    assert d.pts, "device printed no console path: %r" % d.proc.lines
    with open(d.pts, "w") as f:
        f.write(line + "\n")


def rows_of(lines):
    """csv rows (dicts) from a client's stdout lines, header checked."""
    assert lines and lines[0] == ",".join(CSV_FIELDS), lines[:3]
    return list(csv.DictReader(io.StringIO("\n".join(lines) + "\n")))


def seqs_of(rows):
    return [int(r["seq"]) for r in rows]


def assert_consecutive(seqs):
    for a, b in zip(seqs, seqs[1:]):
        assert b == a + 1, "seq %d then %d" % (a, b)


def count_lines(lines, pattern):
    rx = re.compile(pattern)
    return sum(1 for l in lines if rx.search(l))


def stop_client(c, sig=signal.SIGTERM):
    """End a spawned client as a user would; it flushes and exits 0."""
    if c.poll() is None:
        os.kill(c.pid, sig)
    rc = c.wait(timeout=10 * h.SLOW)
    time.sleep(0.2)          # let the pump threads take the last lines
    return rc


def reclaim(name):
    """After a kill -9 the segment stays until a device of that name
    starts: start one and stop it, so nothing is left behind."""
    d2 = Device("SIN", "2", name=name)
    try:
        assert d2.stop() == 0
        assert_clean(d2)
    finally:
        d2.cleanup()


def release(*devices):
    """For finally blocks: stop what still runs the clean way (a failed
    test must not leave segments behind either), then reclaim the segment
    of any device that was killed."""
    for d in devices:
        if d.proc.poll() is None:
            d.send(signal.SIGTERM)
            try:
                d.wait()
            except subprocess.TimeoutExpired:
                pass
        d.cleanup()
    for d in devices:
        if d.shmid in h.segments():
            try:
                reclaim(d.name)
            except Exception:
                pass


@test
def follow_at_1khz_is_lossless_into_a_pipe():
    d = Device("SIN", "1", rate=1000)
    try:
        r = run("client", "-n", d.name, "-f", "-o", "csv", "-c", "2000", timeout=30)
        assert r.returncode == 0, (r.returncode, r.stderr)
        assert r.stderr == "", r.stderr          # no event, no loss
        rows = rows_of(r.stdout.splitlines())
        assert len(rows) == 2000, len(rows)
        seqs = seqs_of(rows)
        assert len(set(seqs)) == 2000
        assert_consecutive(seqs)
        for row in rows:
            assert row["wave"] == "SIN" and float(row["period"]) == 1.0, row
            assert 0 <= int(row["raw"]) <= 1023, row
        d.stop()
        assert_clean(d)
    finally:
        release(d)


def sine_fit(ts, ys, freq):
    """IEEE 1241 three-parameter fit at a known frequency: y = a cos + b sin
    + c by least squares (normal equations, Gaussian elimination).
    Returns (amplitude, offset, rms of the residual)."""
    w = 2 * math.pi * freq
    cols = [[math.cos(w * t) for t in ts], [math.sin(w * t) for t in ts], [1.0] * len(ts)]
    m = [[sum(x * y for x, y in zip(cols[i], cols[j])) for j in range(3)] +
         [sum(x * y for x, y in zip(cols[i], ys))] for i in range(3)]
    for i in range(3):
        p = max(range(i, 3), key=lambda r: abs(m[r][i]))
        m[i], m[p] = m[p], m[i]
        for r in range(3):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [x - f * y for x, y in zip(m[r], m[i])]
    a, b, c = (m[i][3] / m[i][i] for i in range(3))
    resid = [y - (a * ca + b * sb + c) for y, ca, sb in zip(ys, cols[0], cols[1])]
    return math.hypot(a, b), c, math.sqrt(sum(e * e for e in resid) / len(resid))


@test
def follow_record_fits_a_10_bit_sine():
    # 257.31 samples per period: all 4096 samples sit at distinct phases,
    # so the quantisation error is not one period's pattern repeated.
    period = 0.25731
    d = Device("SIN", str(period), rate=1000)
    try:
        r = run("client", "-n", d.name, "-f", "-o", "csv", "-c", "4096", timeout=30)
        assert r.returncode == 0 and r.stderr == "", (r.returncode, r.stderr)
        rows = rows_of(r.stdout.splitlines())
        assert_consecutive(seqs_of(rows))
        raw = [int(x["raw"]) for x in rows]
        ts = [float(x["t"]) for x in rows]
        assert min(raw) <= 2 and max(raw) >= 1021, (min(raw), max(raw))
        assert float(rows[0]["period"]) == period, rows[0]
        amp, offset, noise = sine_fit(ts, raw, 1 / period)
        sinad = 20 * math.log10((amp / math.sqrt(2)) / noise)
        enob = (sinad - 1.76) / 6.02
        print("  sine fit: amplitude %.3f, offset %.3f, residual %.4f LSB rms, "
              "SINAD %.2f dB, ENOB %.3f" % (amp, offset, noise, sinad, enob))
        assert abs(amp - 511.5) < 1 and abs(offset - 511.5) < 1, (amp, offset)
        assert enob >= 9.9, enob
        d.stop()
        assert_clean(d)
    finally:
        release(d)


def ideal_tri(t, period):
    phi = (t / period) % 1.0
    tri = 4 * phi if phi < 0.25 else 2 - 4 * phi if phi < 0.75 else 4 * phi - 4
    return math.floor(511.5 + 511.5 * tri + 0.5)


@test
def json_lines_match_csv_and_the_configuration():
    d = Device("TRI", "0.5", rate=100)
    try:
        cj = spawn("client", "-n", d.name, "-f", "-o", "json", "-c", "60")
        cc = spawn("client", "-n", d.name, "-f", "-o", "csv", "-c", "60")
        assert cj.wait(timeout=20 * h.SLOW) == 0, cj.errlines
        assert cc.wait(timeout=20 * h.SLOW) == 0, cc.errlines
        time.sleep(0.2)
        assert cj.errlines == [] and cc.errlines == [], (cj.errlines, cc.errlines)
        objs = [json.loads(l) for l in cj.lines]
        assert len(objs) == 60
        by_seq = {}
        for o in objs:
            assert list(o) == CSV_FIELDS, o
            assert isinstance(o["seq"], int) and isinstance(o["raw"], int), o
            assert isinstance(o["t"], (int, float)) and isinstance(o["period"], (int, float))
            assert o["wave"] == "TRI" and o["period"] == 0.5 and o["gen"] == 0, o
            assert abs(o["raw"] - ideal_tri(o["t"], 0.5)) <= 1, o
            by_seq[o["seq"]] = o
        assert_consecutive([o["seq"] for o in objs])
        rows = rows_of(cc.lines)
        common = 0
        for row in rows:
            o = by_seq.get(int(row["seq"]))
            if o:
                common += 1
                assert (float(row["t"]), int(row["raw"]), row["wave"], float(row["period"]),
                        int(row["gen"])) == (o["t"], o["raw"], o["wave"], o["period"],
                                             o["gen"]), (row, o)
        assert common >= 10, "csv and json runs barely overlap: %d" % common
        d.stop()
        assert_clean(d)
    finally:
        release(d)


LOST = re.compile(r"lost (\d+) samples \(seq (\d+) to (\d+)\)")


@test
@slow
def overrun_reports_exactly_what_was_lost():
    d = Device("SIN", "1", rate=1000)
    try:
        c = spawn("client", "-n", d.name, "-f", "-o", "csv")
        wait_for(lambda: len(c.lines) > 200, 10, what="rows before the stop")
        os.kill(c.pid, signal.SIGSTOP)
        time.sleep(6)                     # 6000 samples into a 4096-sample ring
        os.kill(c.pid, signal.SIGCONT)
        wait_for(lambda: any(LOST.search(l) for l in c.errlines), 10,
                 what="a lost report on stderr")
        n = len(c.lines)
        wait_for(lambda: len(c.lines) > n + 500, 10, what="rows after the loss")
        assert stop_client(c) == 0, c.errlines
        seqs = seqs_of(rows_of(c.lines))
        gaps = {(a + 1, b - 1) for a, b in zip(seqs, seqs[1:]) if b != a + 1}
        reports = set()
        for l in c.errlines:
            m = LOST.search(l)
            assert m, "unexpected stderr line %r" % l
            n, first, last = (int(x) for x in m.groups())
            assert n == last - first + 1, l
            reports.add((first, last))
        assert gaps == reports, (gaps, reports)
        lost = sum(b - a + 1 for a, b in gaps)
        assert lost >= 1000, "only %d lost: was the client really stopped?" % lost
        assert all(b > a for a, b in zip(seqs, seqs[1:])), "a duplicated or reordered seq"
        d.stop()
        assert_clean(d)
    finally:
        release(d)


@test
def lifecycle_events_are_reported_once_each():
    d = Device("SIN", "2")
    try:
        latest = spawn("client", "-n", d.name, "-i", "0.2")
        follow = spawn("client", "-n", d.name, "-f")
        machine = spawn("client", "-n", d.name, "-f", "-o", "csv")
        for c in (latest, follow):
            wait_line(c, r"raw")
        wait_for(lambda: len(machine.lines) > 2, 10, what="csv rows")
        ev = r"device %s " % re.escape(d.name)

        console(d, "stop")
        for c in (latest, follow):
            wait_line(c, ev + "stopped$")
        wait_for(lambda: any(re.search(ev + "stopped$", l) for l in machine.errlines), 10)
        console(d, "start")
        for c in (latest, follow):
            wait_line(c, ev + "resumed$")
        console(d, "config TRI 0.5")
        for c in (latest, follow):
            wait_line(c, ev + r"reconfigured: TRI 0.5 s$")
            wait_line(c, r"TRI 0.5 s\s+running\s+raw")
        # Killed twice: the first restart is at once, the second waits out
        # the device's 1 s back-off, and the samples it missed are lost.
        for i in (1, 2):
            old = d.task
            os.kill(old, signal.SIGKILL)
            wait_for(lambda: count_lines(d.proc.lines, r"ADC task restarted") == i, 10)
            d.task = wait_for(lambda: d.task_pid() if d.task_pid() not in (None, old) else None,
                              10, what="a new task")
        for c in (latest, follow):
            wait_line(c, r"ADC task restarted \(2 restarts so far\)")
        wait_line(follow, LOST.pattern)
        n = len(follow.lines)
        wait_for(lambda: any(HUMAN.search(l) for l in follow.lines[n:]), 10, what="samples again")

        assert d.stop() == 0
        for c in (latest, follow, machine):
            assert c.wait(timeout=10 * h.SLOW) == 0, (c.lines[-5:], c.errlines)
        time.sleep(0.2)
        for c in (latest, follow):
            for pat in ("stopped$", "resumed$", "reconfigured", "shut down$"):
                assert count_lines(c.lines, pat) == 1, (pat, c.lines)
            assert count_lines(c.lines, "ADC task restarted") in (1, 2), c.lines
            assert c.errlines == [], c.errlines
            for l in c.lines:
                assert HUMAN.search(l) or l.startswith("device ") or LOST.search(l), l
        # csv: stdout carries data only; every event once on stderr
        rows = rows_of(machine.lines)
        assert {r["wave"] for r in rows} == {"SIN", "TRI"}, {r["wave"] for r in rows}
        assert len({r["gen"] for r in rows}) == 2
        for pat in ("stopped$", "resumed$", "reconfigured: TRI 0.5 s", "shut down$"):
            assert count_lines(machine.errlines, pat) == 1, (pat, machine.errlines)
        assert count_lines(machine.errlines, r"restarted \(2 restarts") == 1, machine.errlines
        assert all(l.startswith("client: ") for l in machine.errlines), machine.errlines
        # The lost reports name exactly the gaps in the data.
        seqs = seqs_of(rows)
        gaps = {(a + 1, b - 1) for a, b in zip(seqs, seqs[1:]) if b != a + 1}
        reports = {(int(m.group(2)), int(m.group(3)))
                   for m in map(LOST.search, machine.errlines) if m}
        assert gaps == reports and gaps, (gaps, reports)
        assert_clean(d)
    finally:
        release(d)


@test
def killed_device_exits_1_quickly():
    d = Device("SIN", "1", rate=100)
    try:
        clients = [spawn("client", "-n", d.name), spawn("client", "-n", d.name, "-f"),
                   spawn("client", "-n", d.name, "-f", "-o", "json")]
        for c in clients[:2]:
            wait_line(c, r"raw")
        wait_for(lambda: clients[2].lines, 10, what="json lines")
        d.stop(signal.SIGKILL)
        t0 = time.monotonic()
        for c in clients:
            assert c.wait(timeout=10 * h.SLOW) == 1, (c.returncode, c.errlines)
        took = time.monotonic() - t0
        assert took < 5 * h.SLOW, "took %.1f s to notice" % took
        for c in clients:
            assert any("vanished" in l for l in c.errlines), c.errlines
            assert not any("shut down" in l for l in c.lines + c.errlines)
    finally:
        release(d)


@test
def client_waits_for_the_device():
    name = h.unique_name("wait")
    c = spawn("client", "-w", "-n", name, "-i", "0.2", "-c", "3")
    d = None
    try:
        wait_line(c, r"waiting for device " + re.escape(name))
        time.sleep(1)
        assert c.poll() is None, (c.returncode, c.errlines)
        assert not any("raw" in l for l in c.lines)
        d = Device("SIN", "2", name=name)
        assert c.wait(timeout=15 * h.SLOW) == 0, c.errlines
        time.sleep(0.2)
        assert count_lines(c.lines, r"raw") == 3, c.lines
        assert count_lines(c.lines, r"device \S+ started: SIN 2 s") == 1, c.lines
        d.stop()
        assert_clean(d)
    finally:
        if d:
            release(d)


@test
def wait_follow_carries_on_across_device_restarts():
    """-w -f is like tail -F: a shutdown or a vanish is reported, then the
    next device of that name is followed from its first sample."""
    name = h.unique_name("wf")
    c = spawn("client", "-w", "-f", "-o", "csv", "-n", name)
    devs = []
    try:
        devs.append(Device("SIN", "1", name=name, rate=100))
        wait_for(lambda: len(c.lines) > 30, 10, what="rows of the first device")
        # A slow start (valgrind, qemu) may find the device already there.
        waits = count_lines(c.errlines, "waiting for device")
        assert devs[0].stop() == 0
        wait_for(lambda: any("shut down" in l for l in c.errlines), 10)
        wait_for(lambda: count_lines(c.errlines, "waiting for device") == waits + 1, 10,
                 what="waiting again after the shutdown")
        assert c.poll() is None
        n = len(c.lines)
        devs.append(Device("TRI", "1", name=name, rate=100))
        wait_for(lambda: len(c.lines) > n + 30, 10, what="rows of the second device")
        devs[1].stop(signal.SIGKILL)
        wait_for(lambda: any("vanished" in l for l in c.errlines), 10)
        assert c.poll() is None, "-w must outlive a vanished device"
        n2 = len(c.lines)
        devs.append(Device("QUA", "1", name=name, rate=100))   # reclaims the segment
        wait_for(lambda: len(c.lines) > n2 + 30, 10, what="rows of the third device")
        assert stop_client(c) == 0, c.errlines
        rows = rows_of(c.lines)
        runs = [[r for r in rows if r["wave"] == w] for w in ("SIN", "TRI", "QUA")]
        for i, rs in enumerate(runs):
            seqs = seqs_of(rs)
            assert_consecutive(seqs)
            if i:       # a device that appeared while we waited: from its first sample
                assert seqs[0] == 0, seqs[:3]
        assert count_lines(c.errlines, r"started: (TRI|QUA) 1 s") == 2, c.errlines
        assert not any(LOST.search(l) for l in c.errlines), c.errlines
        devs[2].stop()
        assert_clean(devs[0], devs[2])
    finally:
        release(*devs)


@test
@slow
def a_hundred_clients_do_not_slow_the_device():
    d = Device("SIN", "2")          # 10 Hz
    clients = []
    try:
        for i in range(100):
            args = ["-n", d.name] + (["-f"] if i % 2 else ["-i", "0.2"])
            clients.append(spawn("client", *args))
        for c in clients:
            wait_line(c, r"raw", timeout=30)
        time.sleep(3)
        assert all(c.poll() is None for c in clients)
        term = h.Term(d.pts, d.name + "> ")
        out = term.command("status")
        term.close()
        m = re.search(r"(\d+) overruns", out)
        assert m and int(m.group(1)) == 0, out
        m = re.search(r"(\d+) attached", out)
        assert m and int(m.group(1)) >= 100, out
        for c in clients:
            assert stop_client(c) == 0
        for c in clients[1::2]:      # followers: every sample, in order
            ts = [float(HUMAN.search(l).group(1)) for l in c.lines if HUMAN.search(l)]
            assert len(ts) >= 20 and all(abs(b - a - 0.1) < 1e-6 for a, b in zip(ts, ts[1:])), ts
        d.stop()
        assert_clean(d)
    finally:
        release(d)


def tmux(sock, *args):
    env = dict(h.ENV, LC_ALL="C.UTF-8")
    return subprocess.run(["tmux", "-L", sock, "-u"] + list(args), capture_output=True,
                          env=env, timeout=20)


def screen_of(sock, sess):
    return tmux(sock, "capture-pane", "-p", "-t", sess).stdout.decode("utf-8", "replace")


def plot_in_tmux(d, locale, check):
    if not shutil.which("tmux"):
        raise h.SkipTest("no tmux")
    sock = sess = h.unique_name("plot")
    cmd = "cd %s && env XDG_RUNTIME_DIR=%s LC_ALL=%s %s --plot -n %s; echo EXIT=$?; sleep 60" % (
        shlex.quote(h.ROOT), shlex.quote(h.RUNDIR), locale,
        " ".join(shlex.quote(a) for a in h.binary("client")), d.name)
    r = tmux(sock, "new-session", "-d", "-s", sess, "-x", "100", "-y", "30", cmd)
    assert r.returncode == 0, r.stderr
    try:
        check(sock, sess)
        tmux(sock, "send-keys", "-t", sess, "C-c")
        wait_for(lambda: "EXIT=" in screen_of(sock, sess), 10, what="the plot to exit")
        scr = screen_of(sock, sess)
        assert "EXIT=0" in scr, scr
        # Back on the normal screen, cursor shown.
        flags = tmux(sock, "display", "-p", "-t", sess,
                     "#{alternate_on} #{cursor_flag}").stdout.decode().split()
        assert flags == ["0", "1"], flags
    finally:
        tmux(sock, "kill-session", "-t", sess)
        tmux(sock, "kill-server")


BRAILLE = re.compile("[\u2801-\u28ff]")


@test
def plot_draws_a_trace_and_restores_the_terminal():
    d = Device("SIN", "2", rate=50)

    def check(sock, sess):
        scr = wait_for(lambda: (lambda s: s if len(BRAILLE.findall(s)) > 50 and
                                "running" in s else None)(screen_of(sock, sess)),
                       15, what="a braille trace and a title")
        lines = scr.splitlines()
        assert re.search(r"SIN\s+period 2 s\s+50 Hz\s+running", lines[0]), lines[0]
        assert d.name in lines[0]
        assert "1023" in scr and "512" in scr, scr
        assert all(len(l) <= 100 for l in lines), max(len(l) for l in lines)
        assert len(lines) <= 30
        console(d, "stop")
        wait_for(lambda: "stopped" in screen_of(sock, sess).splitlines()[0], 10,
                 what="stopped in the title")
        console(d, "config TRI 1")
        wait_for(lambda: re.search(r"TRI\s+period 1 s.*running", screen_of(sock, sess)), 10,
                 what="the new configuration in the title")
        # A smaller window: redrawn to fit.
        tmux(sock, "resize-window", "-t", sess, "-x", "60", "-y", "15")
        wait_for(lambda: (lambda s: s if s.splitlines() and
                          all(len(l) <= 60 for l in s.splitlines()) and
                          BRAILLE.search(s) and "TRI" in s else None)(screen_of(sock, sess)),
                 10, what="a redraw at 60 columns")

    try:
        plot_in_tmux(d, "C.UTF-8", check)
        d.stop()
        assert_clean(d)
    finally:
        release(d)


@test
def plot_falls_back_to_ascii_outside_utf8():
    d = Device("QUA", "1")

    def check(sock, sess):
        scr = wait_for(lambda: (lambda s: s if s.count("*") > 20 and "QUA" in s else None)(
            screen_of(sock, sess)), 15, what="an ASCII trace")
        assert not BRAILLE.search(scr), scr

    try:
        plot_in_tmux(d, "C", check)
        d.stop()
        assert_clean(d)
    finally:
        release(d)


@test
def plot_needs_a_terminal():
    d = Device("SIN", "2")
    try:
        r = run("client", "-n", d.name, "--plot")
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert "terminal" in r.stderr and "stdout" in r.stderr, r.stderr
        assert r.stdout == ""
        d.stop()
        assert_clean(d)
    finally:
        release(d)


USAGE = [
    (["-o", "xml"], "bad format 'xml': expected human, csv or json"),
    (["-c", "0"], "'0'"),
    (["-c", "12x"], "'12x'"),
    (["-c", "-5"], "'-5'"),
    (["-i", "abc"], "bad interval 'abc'"),
    (["-i", "0"], "'0'"),
    (["-i", "nan"], "'nan'"),
    (["-n", "../etc"], "'../etc'"),
    (["-n", ""], "''"),
    (["--bogus"], "'--bogus'"),
    (["-x"], "'-x'"),
    (["-fx"], "'-x'"),
    (["-o"], "'-o' needs a value"),
    (["--format"], "'--format' needs a value"),
    (["extra"], "'extra'"),
    (["-f", "-i", "1"], "-i"),
    (["--plot", "-o", "csv"], "-o"),
    (["--plot", "-c", "3"], "-c"),
    (["--plot", "-f"], "-f"),
]


@test
def usage_errors_exit_2_and_name_the_value():
    for args, needle in USAGE:
        r = run("client", *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert needle in r.stderr, (args, r.stderr)
        assert r.stderr.startswith("client: "), r.stderr
        assert r.stdout == "", (args, r.stdout)
    r = run("client", "--help")
    assert r.returncode == 0 and r.stdout.startswith("Usage: client"), r.stdout
    for word in ("-f", "--follow", "-o", "csv", "json", "-w", "--plot", "seq", "period",
                 "gen", "stderr", "Exit status", "lost N samples"):
        assert word in r.stdout, word


def fake_segment(name, size, rng):
    """A segment at name's key whose header passes the client's checks and
    whose body is garbage. Returns (shmid, address, lock path)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    libc.shmdt.argtypes = [ctypes.c_void_p]
    libc.ftok.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lock = os.path.join(h.RUNDIR, "shmdev", name + ".lock")
    os.makedirs(os.path.dirname(lock), mode=0o700, exist_ok=True)
    open(lock, "w").close()
    key = libc.ftok(lock.encode(), ord("S"))
    sid = libc.shmget(key, size, 0o1000 | 0o2000 | 0o600)     # IPC_CREAT | IPC_EXCL
    assert sid >= 0, "shmget: errno %d" % ctypes.get_errno()
    addr = libc.shmat(sid, None, 0)
    return libc, sid, addr, lock


@test
def a_corrupt_segment_never_crashes_the_client():
    # Take a real header (sizes as this build lays them out), then garbage.
    d = Device("SIN", "2")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        libc.shmdt.argtypes = [ctypes.c_void_p]
        addr = libc.shmat(d.shmid, None, 0o10000)         # SHM_RDONLY
        header = ctypes.string_at(addr, 56)
        libc.shmdt(ctypes.c_void_p(addr))
        d.stop()
        assert_clean(d)
    finally:
        release(d)
    size = int.from_bytes(header[8:12], "little")
    ring = size - 4096 * 16
    cfg = ring - 4 * 32
    rng = random.Random(1241)
    for trial in range(4):
        name = h.unique_name("junk")
        libc, sid, addr, lock = fake_segment(name, size, rng)
        try:
            body = bytearray(rng.getrandbits(8) for _ in range(size))
            body[:56] = header[:24] + name.encode().ljust(32, b"\0")
            body[56:60] = os.getpid().to_bytes(4, "little")        # a live "device"
            body[60:64] = rng.choice([1, 2, 7, 0xffffffff]).to_bytes(4, "little")
            head = rng.getrandbits(32)
            body[80:84] = head.to_bytes(4, "little")
            gen = rng.getrandbits(32)
            body[68:72] = gen.to_bytes(4, "little")
            for k in range(4):          # records that pass their tags, wild values
                g = (gen - k) & 0xffffffff
                rec = [g, rng.choice([0, 1, 2, 3, 99]), rng.getrandbits(32),
                       rng.choice([0, 1, 20]), rng.choice([0, 1, 1000, 0xffffffff]),
                       rng.choice([0, 1, 0xffffffff]), rng.getrandbits(32), g]
                o = cfg + (g % 4) * 32
                body[o:o + 32] = b"".join(v.to_bytes(4, "little") for v in rec)
            for k in range(4096):       # slots that pass their tags
                s = (head - 1 - k) & 0xffffffff
                if rng.random() < 0.9:
                    value = rng.getrandbits(16) | ((gen - rng.randrange(6)) & 0xffff) << 16
                    rec = [s, rng.getrandbits(32), value, s]
                    o = ring + (s % 4096) * 16
                    body[o:o + 16] = b"".join(v.to_bytes(4, "little") for v in rec)
            body[:4] = b"\0\0\0\0"
            ctypes.memmove(addr, bytes(body), size)
            ctypes.memmove(addr, header[:4], 4)                 # magic last
            procs = [spawn("client", "-n", name, "-c", "3", "-i", "0.01"),
                     spawn("client", "-n", name, "-f", "-c", "5000"),
                     spawn("client", "-n", name, "-f", "-o", "json", "-c", "5000")]
            time.sleep(1.5)
            for p in procs:
                if p.poll() is None:
                    os.kill(p.pid, signal.SIGTERM)
                rc = p.wait(timeout=10 * h.SLOW)
                assert rc in (0, 1), (trial, rc, p.errlines[-5:])
        finally:
            libc.shmdt(ctypes.c_void_p(addr))
            libc.shmctl(sid, 0, None)                           # IPC_RMID
            os.unlink(lock)
        assert sid not in h.segments()


if __name__ == "__main__":
    h.main()
