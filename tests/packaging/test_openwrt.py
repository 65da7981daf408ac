#!/usr/bin/env python3
"""The OpenWrt package's scripts (packaging/openwrt): shellcheck over the
init script and the UCI renderer; yamori-uci2conf on sample UCI files, good
and malformed, with the system's sh and awk and with BusyBox's (what a
router has); and yamorid --check-config on what it renders.

Environment: YAMORI_BUILD (default <repo>/build), YAMORI_FEATURES_OFF (as
for test_features.py). shellcheck and busybox are in ./run.sh's
TEST_PACKAGES; a missing one skips its test with the reason.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or
                        os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
PKG = os.path.join(REPO, "packaging", "openwrt")
FILES = os.path.join(PKG, "files")
UCI2CONF = os.path.join(FILES, "yamori-uci2conf")
OFF = set(f for f in os.environ.get("YAMORI_FEATURES_OFF", "").split(",") if f)

GOOD = r"""
package yamori

# A comment line, and one after a value.
config yamori 'main'
	option enabled '1'
	list interface 'br-lan'
	list interface "lan2"
	option state_dir '/mnt/usb stick/it'\''s'   # kept with its spaces
	option audit "on"
	option isolate none
	option promiscuous 'off'
	option max_devices 300
"""
GOOD_CONF = """interface = br-lan
interface = lan2
state_dir = /mnt/usb stick/it's
audit = on
isolate = none
promiscuous = no
max_devices = 300
"""

# (UCI text, line, what the message must say)
BAD = [
    ("config yamori main\n\toption audit 'on\n", 2, "quote is not closed"),
    ("\toption audit on\n", 1, "before any config section"),
    ("config yamori main\n\toption colour blue\n", 2, 'unknown option "colour"'),
    ("config yamori main\n\toptoin audit on\n", 2, 'not "optoin"'),
    ("config yamori a\nconfig yamori b\n", 2, "a second config yamori"),
    ("config firewall main\n", 1, 'unknown section type "firewall"'),
    ("config yamori main\n\toption audit on off\n", 2, "a name and one value"),
    ("config yamori main\n\tlist audit on\n", 2, "audit is an option, not a list"),
    ("config yamori main\n\toption audit on\n\toption audit off\n", 3, "given twice"),
    ("config yamori main\n\toption promiscuous maybe\n", 2, "promiscuous is a boolean"),
    ("config yamori main\n\toption state_dir ''\n", 2, "state_dir is empty"),
    ("config yamori main\n\toption state_dir '/x\x01y'\n", 2, "control character"),
]


def uci2conf(text, env=None, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".uci", delete=False) as f:
        f.write(text)
    try:
        r = subprocess.run(["sh", UCI2CONF] + list(args) + [f.name],
                           capture_output=True, text=True, timeout=60,
                           env=env)
    finally:
        os.unlink(f.name)
    return r, f.name


def body(conf):
    """The rendered file without its first (comment) line."""
    lines = conf.splitlines(True)
    assert lines and lines[0].startswith("# Written by yamori-uci2conf"), conf
    return "".join(lines[1:])


class OpenWrt(unittest.TestCase):
    def test_shellcheck(self):
        if not shutil.which("shellcheck"):
            self.skipTest("shellcheck is not installed (./run.sh test installs it)")
        r = subprocess.run(["shellcheck", "-s", "sh",
                            os.path.join(FILES, "yamori.init"), UCI2CONF],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_renders_a_good_file(self):
        r, _ = uci2conf(GOOD)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(body(r.stdout), GOOD_CONF)

    def test_renders_the_same_with_busybox(self):
        busybox = shutil.which("busybox")
        if not busybox:
            self.skipTest("busybox is not installed (./run.sh test installs it)")
        d = tempfile.mkdtemp(prefix="ym-busybox-")
        try:
            # Only BusyBox's applets on the PATH: sh, awk, tr, mv, chmod.
            for applet in ("sh", "awk", "tr", "mv", "chmod", "rm", "cat"):
                os.symlink(busybox, os.path.join(d, applet))
            env = {"PATH": d}
            r = subprocess.run([os.path.join(d, "sh"), UCI2CONF, "-"],
                               input=GOOD, capture_output=True, text=True,
                               env=env, timeout=60)
            # "-" is not a file: the same refusal as elsewhere.
            self.assertEqual(r.returncode, 2)
            path = os.path.join(d, "yamori")
            with open(path, "w") as f:
                f.write(GOOD)
            r = subprocess.run([os.path.join(d, "sh"), UCI2CONF, path],
                               capture_output=True, text=True, env=env,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(body(r.stdout), GOOD_CONF)
            for text, line, why in BAD[:3]:
                with open(path, "w") as f:
                    f.write(text)
                r = subprocess.run([os.path.join(d, "sh"), UCI2CONF, path],
                                   capture_output=True, text=True, env=env,
                                   timeout=60)
                self.assertEqual(r.returncode, 2, text)
                self.assertIn("%s:%d: " % (path, line), r.stderr)
                self.assertIn(why, r.stderr)
        finally:
            shutil.rmtree(d)

    def test_malformed_files_are_refused_with_the_line(self):
        for text, line, why in BAD:
            with self.subTest(why=why):
                r, path = uci2conf(text)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertEqual(r.stdout, "")
                msg = r.stderr.strip().splitlines()
                self.assertEqual(len(msg), 1, r.stderr)
                self.assertIn("%s:%d: " % (path, line), msg[0])
                self.assertIn(why, msg[0])

    def test_no_section_and_no_file(self):
        r, _ = uci2conf("# nothing\n")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no config yamori section", r.stderr)
        r = subprocess.run(["sh", UCI2CONF, "/nonexistent/yamori"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read /nonexistent/yamori", r.stderr)

    def test_output_file_is_replaced_only_when_good(self):
        d = tempfile.mkdtemp(prefix="ym-uci-")
        try:
            out = os.path.join(d, "yamori.conf")
            r, _ = uci2conf(GOOD, None, "-o", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out) as f:
                good = f.read()
            self.assertEqual(body(good), GOOD_CONF)
            r, _ = uci2conf(BAD[0][0], None, "-o", out)
            self.assertEqual(r.returncode, 2)
            with open(out) as f:
                self.assertEqual(f.read(), good)
            self.assertEqual(os.listdir(d), ["yamori.conf"])  # no temp file left
        finally:
            shutil.rmtree(d)

    def check_config(self, conf_text):
        d = tempfile.mkdtemp(prefix="ym-uci-")
        try:
            path = os.path.join(d, "yamori.conf")
            with open(path, "w") as f:
                f.write(conf_text)
            return subprocess.run([YAMORID, "--check-config", "-c", path],
                                  capture_output=True, text=True, timeout=60)
        finally:
            shutil.rmtree(d)

    def test_yamorid_accepts_what_is_rendered(self):
        r, _ = uci2conf(GOOD)
        self.assertEqual(r.returncode, 0, r.stderr)
        c = self.check_config(r.stdout)
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn("valid", c.stdout)

    def test_the_shipped_config(self):
        with open(os.path.join(FILES, "yamori.config")) as f:
            shipped = f.read()
        r, _ = uci2conf(shipped)
        self.assertEqual(r.returncode, 0, r.stderr)
        conf = body(r.stdout)
        # Off until turned on; the LAN bridge; nft isolation in its own tables.
        self.assertIn("option enabled '0'", shipped)
        self.assertIn("interface = br-lan\n", conf)
        self.assertIn("isolate = nft\n", conf)
        c = self.check_config(r.stdout)
        if "nft_isolation" in OFF:
            # A build without nftables says so and refuses to start with it.
            self.assertEqual(c.returncode, 2)
            self.assertIn("without nftables", c.stderr)
            c = self.check_config(r.stdout.replace("isolate = nft", "isolate = none"))
        self.assertEqual(c.returncode, 0, c.stderr)

    def test_a_value_yamorid_refuses(self):
        r, _ = uci2conf("config yamori main\n\toption audit sometimes\n")
        self.assertEqual(r.returncode, 0, r.stderr)  # the renderer knows names only
        c = self.check_config(r.stdout)
        self.assertEqual(c.returncode, 2)
        self.assertIn("audit", c.stderr)

    def test_makefile_installs_the_files_that_exist(self):
        with open(os.path.join(PKG, "Makefile")) as f:
            mk = f.read()
        used = set(re.findall(r"\./files/([A-Za-z0-9._-]+)", mk))
        self.assertEqual(used, set(os.listdir(FILES)))
        # Every CMake option the package sets exists in the top CMakeLists.
        with open(os.path.join(REPO, "CMakeLists.txt")) as f:
            top = f.read()
        for opt in re.findall(r"-D(YAMORI_[A-Z]+)=", mk):
            self.assertIn("option(%s " % opt, top)


if __name__ == "__main__":
    unittest.main()
