"""Integration: faults. kill -9 at random moments, stopped and churning
clients, foreign segments at the instance's key, and resources that fail."""
import ctypes
import os
import random
import re
import shutil
import signal
import subprocess
import time

import harness as h
from harness import test, slow, Device, Term, run, spawn, wait_for, wait_line, alive, assert_clean

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
IPC_CREAT, IPC_RMID = 0o1000, 0


def status(d):
    t = Term(d.pts, d.name + "> ")
    out = t.command("status")
    t.close()
    return out


def counter(out, word):
    m = re.search(r"(\d+) " + word, out)
    assert m, (word, out)
    return int(m.group(1))


@test
def kill_9_device_or_task_at_random_moments():
    rnd = random.Random(os.getpid())
    name = h.unique_name("k9")
    for i in range(10):          # five of each
        d = Device("SIN", "1", name=name, rate=100)
        try:
            c = spawn("client", "-n", name, "-f")
            time.sleep(rnd.uniform(0.05, 0.6))
            if i % 2 == 0:
                os.kill(d.task, signal.SIGKILL)
                t0 = time.monotonic()
                m = wait_line(d.proc, r"ADC task restarted \(pid (\d+)\)", timeout=5)
                assert time.monotonic() - t0 < 2.5 * h.SLOW, "restart took too long"
                d.task = int(m.group(1))
                # The follower keeps going across the restart.
                n = len(c.lines)
                wait_for(lambda: len(c.lines) > n + 5, 5, what="samples after restart")
                assert c.poll() is None
                d.stop()
                assert c.wait(timeout=10 * h.SLOW) == 0
                assert_clean(d)
            else:
                task = d.task
                d.stop(signal.SIGKILL)
                wait_for(lambda: not alive(task), 5, what="task dies with its device")
                # The client notices the device is gone: exit 1.
                assert c.wait(timeout=10 * h.SLOW) == 1, c.errlines
        finally:
            d.cleanup()
    # The last kill -9 left a stale segment; the next device reclaims it.
    d = Device("TRI", "1", name=name)
    try:
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
@slow
def a_stopped_client_costs_the_device_nothing():
    """The writer never waits for a reader: a client stopped for 5 s at
    1 kHz adds no overruns beyond what the machine's own noise causes in
    an equal window with the client running."""
    d = Device("SIN", "1", rate=1000)
    try:
        c = spawn("client", "-n", d.name, "-f", "-o", "csv")
        wait_for(lambda: len(c.lines) > 100, 10, what="client following")
        s0 = status(d)
        time.sleep(5)
        s1 = status(d)
        os.kill(c.pid, signal.SIGSTOP)
        time.sleep(5)
        s2 = status(d)
        os.kill(c.pid, signal.SIGCONT)
        wait_for(lambda: any("lost" in l for l in c.errlines), 10, what="loss report")
        base = counter(s1, "overruns") - counter(s0, "overruns")
        stopped = counter(s2, "overruns") - counter(s1, "overruns")
        taken = counter(s2, "taken") - counter(s1, "taken")
        assert taken > 4000 // h.SLOW, (s1, s2)
        assert stopped <= base + taken // 100, (base, stopped, s1, s2)
        c.kill()
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
@slow
def two_hundred_clients_churning():
    d = Device("SIN", "1", rate=100)
    rnd = random.Random(7)
    try:
        base = counter(status(d), "overruns")
        live, bad, started = [], [], 0
        t_end = time.monotonic() + 10
        while time.monotonic() < t_end or started < 200:
            while len(live) < 40 and started < 400:
                mode = rnd.choice((["-c", "1", "-i", "0.1"], ["-f", "-c", "20"],
                                   ["-f", "-o", "json", "-c", "5"]))
                live.append(subprocess.Popen(h.binary("client") + ["-n", d.name] + mode,
                                             stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, env=h.ENV))
                started += 1
            for p in list(live):
                if p.poll() is not None:
                    live.remove(p)
                    if p.returncode != 0:
                        bad.append((p.returncode, p.stderr.read()))
                elif rnd.random() < 0.02:
                    p.kill()            # detaching at a random moment
                    p.wait()
                    live.remove(p)
            time.sleep(0.02)
            if started >= 400:
                break
        for p in live:
            p.wait(timeout=30 * h.SLOW)
            if p.returncode != 0:
                bad.append((p.returncode, p.stderr.read()))
        assert started >= 200, started
        assert not bad, bad[:3]
        assert counter(status(d), "overruns") == base
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


def ftok(path, proj=ord("S")):
    k = libc.ftok(path.encode(), proj)
    assert k != -1
    return k


def plant_segment(name, size, magic):
    """A segment that is not ours at the key device NAME would use."""
    lockdir = os.path.join(h.RUNDIR, "shmdev")
    os.makedirs(lockdir, mode=0o700, exist_ok=True)
    lock = os.path.join(lockdir, name + ".lock")
    open(lock, "w").close()
    sid = libc.shmget(ftok(lock), size, IPC_CREAT | 0o600)
    assert sid >= 0, ctypes.get_errno()
    addr = libc.shmat(sid, None, 0)
    ctypes.memmove(addr, magic, len(magic))
    libc.shmdt(ctypes.c_void_p(addr))
    return sid, lock


@test
def foreign_segments_are_refused_and_left_alone():
    cases = [
        ("wrong magic", 70000, b"ELF!" + b"\0" * 60),
        ("wrong size", 4096, b"DMHS" + b"\x01\0\0\0"),         # our magic, small segment
        ("truncated", 16, b"DMHS"),
    ]
    for what, size, head in cases:
        name = h.unique_name("foreign")
        sid, lock = plant_segment(name, size, head)
        try:
            r = run("client", "-n", name, "-c", "1")
            assert r.returncode == 1 and "client:" in r.stderr, (what, r.returncode, r.stderr)
            assert "not ours" in r.stderr or "refus" in r.stderr, (what, r.stderr)
            assert r.stdout == ""
            r = run("device", "-n", name, "SIN", "2")
            assert r.returncode == 1, (what, r.returncode, r.stderr)
            assert "refusing" in r.stderr and str(sid) in r.stderr, (what, r.stderr)
            assert sid in h.segments(), "%s: the foreign segment was removed" % what
        finally:
            libc.shmctl(sid, IPC_RMID, None)
            if os.path.exists(lock):
                os.unlink(lock)


def need_root_and(tool):
    if os.geteuid() != 0 or not shutil.which(tool):
        raise h.SkipTest("needs root and %s" % tool)


def unshare_run(prep, *args):
    """Run device in fresh namespaces after a root shell snippet."""
    exe = " ".join(h.EMU + [os.path.join(h.ROOT, "device")])
    cmd = ["unshare", "--ipc", "--mount", "--propagation", "private", "sh", "-c",
           prep + ' && exec ' + exe + ' "$@"', "sh"] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, env=h.ENV, timeout=30 * h.SLOW)


@test
def shmget_failure_is_reported_and_leaves_nothing():
    need_root_and("unshare")
    name = h.unique_name("noshm")
    r = unshare_run("echo 4096 > /proc/sys/kernel/shmmax", "-n", name, "SIN", "2")
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "segment" in r.stderr and "Invalid argument" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(h.RUNDIR, "shmdev", name + ".lock"))


@test
def pty_failure_is_reported_and_leaves_nothing():
    need_root_and("unshare")
    name = h.unique_name("nopty")
    prep = ("mount -t devpts -o newinstance,ptmxmode=0666,max=1 devpts /dev/pts && "
            "mount --bind /dev/pts/ptmx /dev/ptmx && "
            "exec 3<>/dev/ptmx")        # the one pty there is, taken
    r = unshare_run(prep, "-n", name, "SIN", "2")
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "pseudoterminal" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(h.RUNDIR, "shmdev", name + ".lock"))
    # The device removed its segment (in its own IPC namespace, gone with it).


if __name__ == "__main__":
    h.main()
