#!/usr/bin/env python3
"""Set-up captures of 2016-era European smart-home products, replayed one by
one through yamorid: each must come out with the type, maker and model that
tests/integration/expected/setup-devices.json says.

The captures are STAND-INS written by tests/fixtures/mksetup.py from public
documentation (protocol write-ups, Home Assistant's and openHAB's discovery
code, makers' pages; each fact with its source in mksetup.py and in
docs/IDENTIFY.md). The real set-up captures of these products are not
redistributable and are not here. So this test asserts what Yamori's rules and
logic make of the documented signals - a DHCP host name, an mDNS or SSDP
announcement, a UPnP/HNAP answer, a served TCP or UDP port, a cloud name - not
how well it does on the real devices. It also asserts the limits: a plug or
sensor in set-up mode, which answers the phone's DHCP naming itself the
router, is never called a router with confidence; a device built on a
Wi-Fi module takes its maker from its traffic, not from the module's registry
entry; and a client whose own random ports happen to be a served port's
number is not read as serving it."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import mksetup  # noqa: E402


class SetupCaptures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-idsetup-")
        cls.caps = os.path.join(cls.tmp, "caps")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures", "mksetup.py"),
                        "--out", cls.caps], check=True, capture_output=True)
        cls.families = {f["key"]: f for f in mksetup.families()}
        with open(os.path.join(HERE, "expected", "setup-devices.json")) as fh:
            cls.want = {k: v for k, v in json.load(fh).items() if not k.startswith("_")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def replay_file(self, name):
        st = tempfile.mkdtemp(dir=self.tmp)
        r = subprocess.run([YAMORID, "-r", os.path.join(self.caps, name),
                            "--state-dir", st, "-c", "/dev/null"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([YAMORICTL, "--state-dir", st, "devices", "--json"],
                             capture_output=True, text=True, check=True).stdout
        return {d["mac"]: d for d in json.loads(out)}

    def replay(self, key):
        mac = self.families[key]["mac"]
        got = self.replay_file(key + ".pcap")
        if mac not in got:
            self.fail("%s: device %s not in the inventory" % (key, mac))
        return got[mac]

    def test_one_household(self):
        """All families in one capture, with the household's router: each
        device named as when it was alone (the ones in set-up mode aside,
        which the real router's DHCP now outranks as gateway), none a
        router with confidence, and the router no IoT device."""
        got = self.replay_file("all.pcap")
        for key, exp in sorted(self.want.items()):
            with self.subTest(family=key):
                dev = got[self.families[key]["mac"]]
                why = "%s: %s %s %.2f" % (key, dev["type"], dev["vendor"], dev["confidence"])
                self.assertEqual(dev["vendor"], exp["vendor"], why)
                if "type" in exp and not key.endswith("-softap"):
                    self.assertEqual(dev["type"], exp["type"], why)
                if dev["type"] in ("router", "access_point"):
                    self.assertLessEqual(dev["confidence"], 0.5, why)
                self.assertFalse(dev.get("gateway"), why)

    def test_every_family_has_an_expectation(self):
        self.assertEqual(sorted(self.families), sorted(self.want))

    def test_families_named_as_expected(self):
        for key, exp in sorted(self.want.items()):
            with self.subTest(family=key):
                dev = self.replay(key)
                why = "%s: %s %s %s %.2f %s" % (key, dev["type"], dev["vendor"], dev["model"],
                                                dev["confidence"],
                                                json.dumps(dev["evidence"])[:700])
                if "type" in exp:
                    self.assertEqual(dev["type"], exp["type"], why)
                if "type_in" in exp:
                    self.assertIn(dev["type"], exp["type_in"], why)
                self.assertEqual(dev["vendor"], exp["vendor"], why)
                if "model_contains" in exp:
                    self.assertIn(exp["model_contains"], dev["model"], why)
                if "min_confidence" in exp:
                    self.assertGreaterEqual(dev["confidence"], exp["min_confidence"], why)
                if "max_confidence" in exp:
                    self.assertLessEqual(dev["confidence"], exp["max_confidence"], why)
                # The module maker stays in the evidence.
                if "module_evidence" in exp:
                    self.assertTrue(any(e["signal"] == "oui" and exp["module_evidence"] in e["value"]
                                        for e in dev["evidence"]), why)
                for sig, value, concl in exp.get("evidence", []):
                    self.assertTrue(any(e["signal"] == sig and e["value"] == value and
                                        concl in e["conclusion"] for e in dev["evidence"]),
                                    "%s: no %s %s -> %s" % (why, sig, value, concl))
                for sig in exp.get("no_evidence", []):
                    self.assertFalse(any(e["signal"] == sig for e in dev["evidence"]), why)
                # A decided type comes with evidence that says so.
                if dev["type"] != "unknown":
                    self.assertTrue(any(dev["type"] in e["conclusion"] for e in dev["evidence"]),
                                    why)
                # Never a router with confidence without forwarding.
                if dev["type"] in ("router", "access_point"):
                    self.assertLessEqual(dev["confidence"], 0.5, why)


if __name__ == "__main__":
    unittest.main()
