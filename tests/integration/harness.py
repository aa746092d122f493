"""tests/integration/harness.py - run the real binary through its links.

Each test file defines functions decorated with @test and ends with
`harness.main()`, which runs them and prints one "PASS: name" or
"FAIL: name" line each (tests/run.sh counts them), with the reason on
stderr.

Rules every test follows, because the suite runs on a noisy 2-core machine
and, under EMU, inside qemu-user or valgrind:
  * never assert a tight time: poll with generous deadlines (wait_for);
  * every instance gets a unique name, and runtime files go under
    tests/tmp/run (XDG_RUNTIME_DIR), inside the build tree;
  * everything a test starts is killed by pid, and each test checks that
    no segment, process or runtime file of its own is left behind.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMU = shlex.split(os.environ.get("EMU", ""))
SLOW = 1 if not EMU else 10          # deadlines stretch under emulation
RUNDIR = os.path.join(ROOT, "tests", "tmp", "run")
READLINE = os.environ.get("READLINE", "")

os.makedirs(RUNDIR, mode=0o700, exist_ok=True)
os.chmod(RUNDIR, 0o700)
ENV = dict(os.environ, XDG_RUNTIME_DIR=RUNDIR, INPUTRC="/dev/null", LC_ALL="C")

_tests = []
_started = []        # Popen objects started by this test file
_counter = [0]


def test(fn):
    _tests.append(fn)
    return fn


def slow(fn):
    """A soak or timing test: long, and about the machine as much as the
    build. QUICK=1 (CI's extra builds: sanitizers, qemu, valgrind) skips
    it visibly; the main builds always run it."""
    def run_unless_quick():
        if os.environ.get("QUICK") == "1":
            raise SkipTest("slow test, QUICK=1")
        fn()
    run_unless_quick.__name__ = fn.__name__
    return run_unless_quick


def unique_name(tag="t"):
    _counter[0] += 1
    return "%s%dx%d" % (tag, os.getpid(), _counter[0])


def binary(applet):
    return EMU + [os.path.join(ROOT, applet)]


def wait_for(pred, timeout=10.0, step=0.05, what="condition"):
    """Poll pred() until it returns something true; fail after timeout."""
    deadline = time.monotonic() + timeout * SLOW
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout * SLOW, what))
        time.sleep(step)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cpu_ticks(pid):
    """utime + stime of pid in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def segments():
    """{shmid: (key, perms, nattch, cpid)} from ipcs."""
    out = {}
    perm = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout
    pids = subprocess.run(["ipcs", "-m", "-p"], capture_output=True, text=True).stdout
    cp = {}
    for line in pids.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0].isdigit():
            cp[int(f[0])] = int(f[2])
    for line in perm.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0].startswith("0x"):
            sid = int(f[1])
            out[sid] = (f[0], f[3], int(f[5]), cp.get(sid))
    return out


def run(applet, *args, timeout=20, input=None):
    """Run an applet to completion: CompletedProcess with text output."""
    return subprocess.run(binary(applet) + list(args), capture_output=True, text=True,
                          timeout=timeout * SLOW, env=ENV, input=input, cwd=ROOT)


def spawn(applet, *args, stdin=subprocess.DEVNULL):
    """Start an applet in the background; stdout lines are collected."""
    p = subprocess.Popen(binary(applet) + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=stdin, text=True, env=ENV,
                         cwd=ROOT, bufsize=1)
    p.lines = []
    p.errlines = []

    def pump(stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))
    for stream, into in ((p.stdout, p.lines), (p.stderr, p.errlines)):
        t = threading.Thread(target=pump, args=(stream, into), daemon=True)
        t.start()
        into_thread = t
    p.pump_threads = into_thread
    _started.append(p)
    return p


def wait_line(p, pattern, timeout=10.0, start=0):
    """Wait for a stdout line of p matching the regex; return the match."""
    rx = re.compile(pattern)

    def find():
        for line in p.lines[start:]:
            m = rx.search(line)
            if m:
                return m
        if p.poll() is not None:
            time.sleep(0.2)
            for line in p.lines[start:]:
                m = rx.search(line)
                if m:
                    return m
            raise AssertionError("process exited (%s) before printing /%s/; stdout %r stderr %r"
                                 % (p.returncode, pattern, p.lines, p.errlines))
        return None
    return wait_for(find, timeout, what="/%s/ in output %r" % (pattern, p.lines))


class Device:
    """A device under test: started, parsed, and cleaned up by pid."""

    def __init__(self, *args, name=None, rate=None, extra=()):
        self.name = name or unique_name()
        argv = ["-n", self.name] + (["-r", str(rate)] if rate else []) + list(extra) + list(args)
        self.proc = spawn("device", *argv)
        self.pid = self.proc.pid
        m = wait_line(self.proc, r"segment (\d+)", timeout=15)
        self.shmid = int(m.group(1))
        self.task = int(wait_line(self.proc, r"ADC task pid (\d+)").group(1))
        m = re.search(r"shell on (/dev/pts/\d+)", "\n".join(self.proc.lines))
        self.pts = m.group(1) if m else None

    def task_pid(self):
        with open("/proc/%d/task/%d/children" % (self.pid, self.pid)) as f:
            kids = [int(x) for x in f.read().split()]
        return kids[0] if kids else None

    def send(self, sig=signal.SIGTERM):
        if alive(self.pid):
            os.kill(self.pid, sig)

    def wait(self, timeout=10.0):
        return self.proc.wait(timeout=timeout * SLOW)

    def stop(self, sig=signal.SIGTERM):
        self.send(sig)
        rc = self.wait()
        return rc

    def cleanup(self):
        """After a failed test: a clean shutdown if it still listens,
        so no segment is left behind; SIGKILL only if it does not."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid in (self.task,):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)


def assert_clean(*devices):
    """No segment, process or runtime file of these devices is left."""
    for d in devices:
        wait_for(lambda: d.shmid not in segments(), 5, what="segment %d removed" % d.shmid)
        assert not alive(d.pid), "device pid %d still alive" % d.pid
        if d.task:
            wait_for(lambda: not alive(d.task), 5, what="task %d gone" % d.task)
        lock = os.path.join(RUNDIR, "shmdev", d.name + ".lock")
        assert not os.path.exists(lock), "%s left behind" % lock


def _cleanup():
    for p in _started:
        if p.poll() is None:
            p.kill()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def main():
    failed = 0
    only = sys.argv[1:]
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        try:
            fn()
            print("PASS: %s" % fn.__name__, flush=True)
        except SkipTest as e:
            print("SKIP: %s (%s)" % (fn.__name__, e), flush=True)
        except Exception:
            failed += 1
            print("FAIL: %s" % fn.__name__, flush=True)
            traceback.print_exc()
        finally:
            _cleanup()
            _started.clear()
    sys.exit(1 if failed else 0)


class SkipTest(Exception):
    pass


class Term:
    """A serial terminal on a device's console, as screen or picocom opens
    it: the slave in raw mode, bytes in, bytes out."""

    def __init__(self, path, prompt, greet=True):
        import tty
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = b""
        self.prompt = prompt.encode()
        if greet:
            self.expect(b"Type 'help'", 10)
            self.expect(re.escape(self.prompt), 10)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def _fill(self, timeout):
        """Read what arrives within timeout: True if anything came, False
        on silence, None once the line hung up."""
        import select
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return None
        self.buf += chunk
        return True if chunk else None

    def expect(self, pattern, timeout=10.0):
        """Wait until the output so far matches; consume through the match."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else re.compile(pattern.encode())
        deadline = time.monotonic() + timeout * SLOW
        while True:
            m = rx.search(self.buf)
            if m:
                out = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return out
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; got %r" % (pattern, self.buf[-400:]))
            if self._fill(min(left, 0.2)) is None:
                raise AssertionError("terminal hung up waiting for %r; got %r"
                                     % (pattern, self.buf[-400:]))

    def command(self, line, timeout=10.0):
        """Type a line, return what the device answered before the next prompt."""
        self.send(line + "\r")
        out = self.expect(rb"(?s)\r\n.*?" + re.escape(self.prompt), timeout)
        return out.decode(errors="replace")

    def drain(self, quiet=0.3):
        """Everything until the terminal has been quiet for `quiet` s."""
        deadline = time.monotonic() + 30 * SLOW
        while self._fill(quiet) and time.monotonic() < deadline:
            pass
        out, self.buf = self.buf, b""
        return out

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
        self.fd = -1
