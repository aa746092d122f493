"""Integration: who may read a device, and runtime files no one can redirect."""
import os
import shutil
import subprocess

import harness as h
from harness import test, Device, run, spawn, wait_line, assert_clean

NOBODY = 65534


def need_root():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        raise h.SkipTest("needs root and setpriv to act as user nobody")


def as_nobody(argv, env=None, gid=NOBODY):
    cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % gid, "--clear-groups", "--"] + argv
    return subprocess.run(cmd, capture_output=True, text=True, env=env or h.ENV,
                          timeout=20 * h.SLOW, cwd="/")


ATTACH = """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
p = libc.shmat(int(sys.argv[1]), None, int(sys.argv[2]))
sys.exit(0 if p not in (None, ctypes.c_void_p(-1).value) else 3)
"""


@test
def segment_is_0600_and_nobody_cannot_read_it():
    need_root()
    d = Device("SIN", "2")
    try:
        assert h.segments()[d.shmid][1] == "600"
        r = as_nobody(h.binary("client") + ["-n", d.name, "-c", "1"])
        assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
        assert r.stderr.startswith("client: ") and r.stdout == "", r.stderr
        # Even knowing the id, the kernel says no: read-only or not.
        for flags in ("4096", "0"):           # SHM_RDONLY, read-write
            r = as_nobody(["python3", "-c", ATTACH, str(d.shmid), flags])
            assert r.returncode == 3, (flags, r.returncode, r.stderr)
        d.stop()
        assert_clean(d)
    finally:
        d.cleanup()


@test
def group_option_shares_read_only_with_that_group():
    need_root()
    shared = os.path.join(h.ROOT, "tests", "tmp", "shared")
    shutil.rmtree(shared, ignore_errors=True)
    os.makedirs(shared)
    os.chown(shared, 0, NOBODY)
    os.chmod(shared, 0o750)
    # As an admin would: a directory root owns and the group may read.
    env = dict(h.ENV, SHMDEV_DIR=shared)
    name = h.unique_name("grp")
    p = subprocess.Popen(h.binary("device") + ["-n", name, "-g", "nogroup", "SIN", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        p.lines, p.errlines = [], []
        import threading
        threading.Thread(target=lambda: [p.lines.append(l.rstrip()) for l in p.stdout],
                         daemon=True).start()
        m = wait_line(p, r"segment (\d+)")
        sid = int(m.group(1))
        assert h.segments()[sid][1] == "640", h.segments()[sid]
        r = as_nobody(h.binary("client") + ["-n", name, "-c", "1"], env=env)
        assert r.returncode == 0 and "raw" in r.stdout, (r.returncode, r.stderr)
        r = as_nobody(["python3", "-c", ATTACH, str(sid), "4096"])
        assert r.returncode == 0, "group member cannot attach read-only"
        r = as_nobody(["python3", "-c", ATTACH, str(sid), "0"])
        assert r.returncode == 3, "group member could attach read-write"
        p.terminate()
        assert p.wait(timeout=10 * h.SLOW) == 0
        assert sid not in h.segments()
        assert os.listdir(shared) == []
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        shutil.rmtree(shared, ignore_errors=True)


@test
def a_planted_symlink_cannot_redirect_runtime_files():
    evil = os.path.join(h.ROOT, "tests", "tmp", "evil")
    xdg = os.path.join(h.ROOT, "tests", "tmp", "xdg")
    for p in (evil, xdg):
        shutil.rmtree(p, ignore_errors=True)
        os.makedirs(p, mode=0o700)
    os.symlink(evil, os.path.join(xdg, "shmdev"))
    env = dict(h.ENV, XDG_RUNTIME_DIR=xdg)
    r = subprocess.run(h.binary("device") + ["-n", "planted", "SIN", "2"], capture_output=True,
                       text=True, env=env, timeout=20 * h.SLOW)
    assert r.returncode == 1 and "refusing runtime directory" in r.stderr, r.stderr
    assert os.listdir(evil) == []
    # A symlink planted as the lock file itself is not followed either.
    os.unlink(os.path.join(xdg, "shmdev"))
    os.makedirs(os.path.join(xdg, "shmdev"), mode=0o700)
    target = os.path.join(evil, "victim")
    os.symlink(target, os.path.join(xdg, "shmdev", "planted.lock"))
    r = subprocess.run(h.binary("device") + ["-n", "planted", "SIN", "2"], capture_output=True,
                       text=True, env=env, timeout=20 * h.SLOW)
    assert r.returncode == 1 and "planted.lock" in r.stderr, r.stderr
    assert not os.path.exists(target)
    shutil.rmtree(evil)
    shutil.rmtree(xdg)


@test
def tmp_fallback_refuses_a_planted_symlink():
    need_root()
    path = "/tmp/shmdev-%d" % NOBODY
    if os.path.lexists(path):
        raise h.SkipTest("%s already exists" % path)
    evil = os.path.join(h.ROOT, "tests", "tmp", "evil-tmp")
    os.makedirs(evil, exist_ok=True)
    os.symlink(evil, path)
    try:
        env = {k: v for k, v in h.ENV.items() if k not in ("XDG_RUNTIME_DIR", "SHMDEV_DIR")}
        r = as_nobody(h.binary("device") + ["-n", "x", "SIN", "2"], env=env)
        assert r.returncode == 1 and "refusing runtime directory " + path in r.stderr, \
            (r.returncode, r.stderr)
        assert os.listdir(evil) == []
    finally:
        os.unlink(path)
        shutil.rmtree(evil)


if __name__ == "__main__":
    h.main()
