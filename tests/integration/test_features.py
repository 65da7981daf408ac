#!/usr/bin/env python3
"""The optional parts of a build (CMake YAMORI_NFT, YAMORI_SSH, YAMORI_TLS,
YAMORI_FETCH): what yamorictl status says, what yamorid --check-config and
the start make of a setting the build cannot honour, and what a password
check says of a service the build cannot check.

Runs against any build: YAMORI_FEATURES_OFF (set by tests/CMakeLists.txt
from the CMake options, ','-separated feature names) says which parts the
build left out, and every check asserts the answer for that build, so the
full build and the minimal one (build-min, ./run.sh test) both run it.

Environment: YAMORI_BUILD (default <repo>/build), YAMORI_FEATURES_OFF.
The password check runs in a network namespace of its own (root only;
skipped with the reason otherwise).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or
                        os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
AUDIT_DRIVER = os.path.join(BUILD, "tests", "audit_driver")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")

ALL = ["nft_isolation", "ssh_checks", "tls_checks", "update_download", "fleet_reports"]
OFF = set(f for f in os.environ.get("YAMORI_FEATURES_OFF", "").split(",") if f)
NETNS = "ym-openwrt14-features"


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=120, **kw)


class Features(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert OFF <= set(ALL), "unknown feature in YAMORI_FEATURES_OFF: %s" % OFF
        cls.tmp = tempfile.mkdtemp(prefix="ym-features-")
        fx = os.path.join(cls.tmp, "fx")
        subprocess.run([sys.executable, MKHOME, "--out", fx], check=True,
                       capture_output=True)
        cls.state = os.path.join(cls.tmp, "state")
        r = run(YAMORID, "-r", os.path.join(fx, "home.pcap"), "--state-dir",
                cls.state, "-c", "/dev/null")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def conf(self, text):
        path = os.path.join(self.tmp, "yamori-%d.conf" % abs(hash(text)))
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_status_json_names_every_part(self):
        r = run(YAMORICTL, "--state-dir", self.state, "status", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        features = json.loads(r.stdout)["features"]
        self.assertEqual(sorted(features), sorted(ALL))
        for name in ALL:
            self.assertIs(features[name], name not in OFF, name)

    def test_status_table_says_what_is_not_built_in(self):
        r = run(YAMORICTL, "--state-dir", self.state, "status",
                env=dict(os.environ, LANG="C.UTF-8", LANGUAGE="", LC_ALL=""))
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [l for l in r.stdout.splitlines() if l.startswith("Not built in:")]
        if not OFF:
            self.assertEqual(line, [])
            return
        self.assertEqual(len(line), 1, r.stdout)
        labels = {"nft_isolation": "cutting devices off (nftables)",
                  "ssh_checks": "password checks over SSH",
                  "tls_checks": "password checks of HTTPS pages",
                  "update_download": "downloading data updates",
                  "fleet_reports": "reports to the provider"}
        for name in ALL:
            self.assertEqual(labels[name] in line[0], name in OFF, line[0])

    def test_check_config_accepts_a_plain_file(self):
        r = run(YAMORID, "--check-config", "-c",
                self.conf("isolate = none\naudit = ask\n"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("valid", r.stdout)

    def test_check_config_refuses_a_bad_value(self):
        r = run(YAMORID, "--check-config", "-c", self.conf("isolate = maybe\n"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_nft_isolation_setting(self):
        path = self.conf("isolate = nft\n")
        r = run(YAMORID, "--check-config", "-c", path)
        if "nft_isolation" in OFF:
            self.assertEqual(r.returncode, 2)
            self.assertIn("isolate = nft", r.stderr)
            self.assertIn("without nftables", r.stderr)
            # The daemon itself refuses to start with it, before any capture.
            r = run(YAMORID, "-r", "/nonexistent.pcap", "--state-dir",
                    os.path.join(self.tmp, "nft-state"), "-c", path)
            self.assertEqual(r.returncode, 2)
            self.assertIn("without nftables", r.stderr)
        else:
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_update_url_setting(self):
        path = self.conf("update_url = https://updates.example.net/y.tar\n")
        r = run(YAMORID, "--check-config", "-c", path)
        if "update_download" in OFF:
            self.assertEqual(r.returncode, 2)
            self.assertIn("update_url", r.stderr)
            self.assertIn("yamorictl update FILE", r.stderr)
        else:
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_password_check_of_parts_not_built(self):
        if os.geteuid() != 0 or not shutil.which("ip"):
            self.skipTest("needs root and ip(8) for a network namespace")
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        try:
            # A link of its own (a veth pair, both ends in the namespace)
            # with no device behind the address: every connection attempt
            # goes unanswered, nothing leaves the namespace.
            for cmd in (["link", "add", "ymf0", "type", "veth", "peer", "name", "ymf1"],
                        ["addr", "add", "10.231.14.1/24", "dev", "ymf0"],
                        ["link", "set", "ymf0", "up"],
                        ["link", "set", "ymf1", "up"]):
                subprocess.run(["ip", "-n", NETNS] + cmd, check=True)
            r = run("ip", "netns", "exec", NETNS, AUDIT_DRIVER,
                    "--connect-ms", "200", "--step-ms", "200",
                    "10.231.14.7", "02:00:00:00:14:07")
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)
        services = json.loads(r.stdout)["reports"][0]["services"]
        by = {(s["service"], s["port"]): s for s in services}
        off_services = set()
        if "ssh_checks" in OFF:
            off_services.add(("ssh", 22))
        if "tls_checks" in OFF:
            off_services |= {("https", 443), ("https", 8443)}
        for key, s in by.items():
            if key in off_services:
                self.assertEqual(s["result"], "not_supported", key)
                self.assertEqual(s["attempts"], 0, key)
            else:
                # Nobody there: closed or unreachable, never not_supported.
                self.assertNotEqual(s["result"], "not_supported", key)
        self.assertTrue(off_services <= set(by), by.keys())


if __name__ == "__main__":
    unittest.main()
