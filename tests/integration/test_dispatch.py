"""Integration: the multi-call binary's dispatch, --list, --install, --help."""
import os
import shutil
import subprocess

import harness as h
from harness import test, run

TMP = os.path.join(h.ROOT, "tests", "tmp", "dispatch")
APPLETS = ["client", "device", "run_device"]


def fresh_tmp():
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    return TMP


def shmdev(*args, argv0=None):
    exe = os.path.join(h.ROOT, "shmdev")
    cmd = h.EMU + [argv0 or exe] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, env=h.ENV, timeout=20 * h.SLOW)


@test
def list_prints_one_applet_per_line():
    r = shmdev("--list")
    assert r.returncode == 0 and r.stdout.split("\n")[:-1] == APPLETS, r.stdout


@test
def help_and_version():
    r = shmdev("--help")
    assert r.returncode == 0 and "Usage: shmdev" in r.stdout
    for a in APPLETS:
        assert a in r.stdout
    r = shmdev("--version")
    assert r.returncode == 0 and r.stdout.startswith("shmdev ")
    r = shmdev()
    assert r.returncode == 2 and "Usage" in r.stderr


@test
def unknown_applet_exits_127():
    r = shmdev("frobnicate")
    assert r.returncode == 127, r.returncode
    assert r.stderr.strip() == "shmdev: applet 'frobnicate' not found", r.stderr


@test
def applet_as_argument_and_through_links():
    for a in APPLETS:
        r = shmdev(a, "--help")
        assert r.returncode == 0 and ("Usage: " + a) in r.stdout, (a, r.stdout)
        r = run(a, "--help")
        assert r.returncode == 0 and ("Usage: " + a) in r.stdout, (a, r.stdout)
        r = run(a, "--no-such-option")
        assert r.returncode == 2, (a, r.returncode)


@test
def name_starting_with_shmdev_takes_the_next_argument():
    d = fresh_tmp()
    link = os.path.join(d, "shmdev-static")
    os.symlink(os.path.join(h.ROOT, "shmdev"), link)
    r = shmdev("--list", argv0=link)
    assert r.returncode == 0 and "device" in r.stdout, r.stdout
    shutil.rmtree(d)


@test
def install_links_each_applet_and_refuses_strangers():
    d = fresh_tmp()
    r = shmdev("--install", d)
    assert r.returncode == 0, r.stderr
    exe = os.path.realpath(os.path.join(h.ROOT, "shmdev"))
    for a in APPLETS:
        p = os.path.join(d, a)
        assert os.path.islink(p) and os.path.realpath(p) == exe, p
    # Running it again is fine: the links are already ours.
    assert shmdev("--install", d).returncode == 0
    # A regular file or a foreign link is never replaced.
    os.unlink(os.path.join(d, "client"))
    with open(os.path.join(d, "client"), "w") as f:
        f.write("mine\n")
    os.unlink(os.path.join(d, "device"))
    os.symlink("/bin/true", os.path.join(d, "device"))
    r = shmdev("--install", d)
    assert r.returncode != 0
    assert "client" in r.stderr and "device" in r.stderr, r.stderr
    with open(os.path.join(d, "client")) as f:
        assert f.read() == "mine\n"
    assert os.readlink(os.path.join(d, "device")) == "/bin/true"
    shutil.rmtree(d)



@test
def readline_is_linked_only_when_chosen():
    if h.EMU or not shutil.which("ldd"):
        raise h.SkipTest("ldd cannot look inside an emulated binary")
    libs = subprocess.run(["ldd", os.path.join(h.ROOT, "shmdev")], capture_output=True,
                          text=True).stdout
    if "not a dynamic executable" in libs or "statically linked" in libs:
        raise h.SkipTest("static binary")
    if h.READLINE == "no":
        assert "libreadline" not in libs, libs
    elif h.READLINE == "yes":
        assert "libreadline" in libs, libs


@test
def make_install_and_uninstall_with_destdir():
    dest = fresh_tmp()
    r = subprocess.run(["make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/usr"], cwd=h.ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    bindir = os.path.join(dest, "usr", "bin")
    assert os.access(os.path.join(bindir, "shmdev"), os.X_OK)
    for a in APPLETS:
        assert os.readlink(os.path.join(bindir, a)) == "shmdev", a
    man = os.path.join(dest, "usr", "share", "man", "man1", "shmdev.1")
    with open(man) as f:
        page = f.read()
    for word in ("device", "client", "run_device", "status", "config", "EXIT STATUS"):
        assert word in page, word
    r = subprocess.run(["make", "-s", "uninstall", "DESTDIR=" + dest, "PREFIX=/usr"],
                       cwd=h.ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.listdir(bindir) == [] and not os.path.exists(man)
    shutil.rmtree(dest)


if __name__ == "__main__":
    h.main()
