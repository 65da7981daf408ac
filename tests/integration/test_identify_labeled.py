#!/usr/bin/env python3
"""Replay tests on real devices: a sample per device class from the public
labeled captures (../shared/refs/labeled-captures, ../shared/pcaps/nku)
goes through yamorid, and each device must come out as
expected/labeled-devices.json says: named right, or 'unknown', and never
confidently wrong. Skipped with a message when ../shared is absent; the
captures are never copied into the project."""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
HERE = os.path.dirname(os.path.abspath(__file__))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
CONFIDENT = 0.8
sys.path.insert(0, os.path.join(ROOT, "tools"))
from identify_check import load_tool  # noqa: E402


@unittest.skipUnless(os.path.isdir(os.path.join(SHARED, "refs", "labeled-captures")),
                     "../shared/refs/labeled-captures is absent")
class Labeled(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-labeled-")
        with open(os.path.join(HERE, "expected", "labeled-devices.json")) as f:
            cls.want = {k: v for k, v in json.load(f).items() if not k.startswith("_")}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def replay(self, mac, files):
        state = tempfile.mkdtemp(dir=self.tmp)
        args = [YAMORID]
        for f in files:
            args += ["-r", os.path.join(SHARED, f)]
        args += ["--state-dir", state, "-c", "/dev/null"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([YAMORICTL, "--state-dir", state, "devices", "--json"],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        for d in json.loads(out.stdout):
            if d["mac"] == mac:
                return d
        self.fail("%s not in the inventory" % mac)

    def test_sample_per_class(self):
        for mac, exp in sorted(self.want.items()):
            with self.subTest(device=mac, label=exp["label"]):
                if not all(os.path.exists(os.path.join(SHARED, f)) for f in exp["captures"]):
                    self.skipTest("capture missing for %s" % mac)
                dev = self.replay(mac, exp["captures"])
                why = "%s: %s" % (exp["label"], json.dumps(dev["evidence"])[:600])
                if "type" in exp:
                    self.assertEqual(dev["type"], exp["type"], why)
                if "type_in" in exp:
                    self.assertIn(dev["type"], exp["type_in"], why)
                if "min_confidence" in exp:
                    self.assertGreaterEqual(dev["confidence"], exp["min_confidence"], why)
                if "max_confidence" in exp:
                    self.assertLessEqual(dev["confidence"], exp["max_confidence"], why)
                if "vendor" in exp:
                    self.assertEqual(dev["vendor"], exp["vendor"], why)
                if "model_contains" in exp:
                    self.assertIn(exp["model_contains"], dev["model"], why)
                # Evidence lines that must be there: [signal, value,
                # text the conclusion holds].
                for sig, value, concl in exp.get("evidence", []):
                    self.assertTrue(any(e["signal"] == sig and e["value"] == value and
                                        concl in e["conclusion"] for e in dev["evidence"]),
                                    "%s: no %s %s -> %s" % (why, sig, value, concl))
                # Never confidently wrong, whatever the file says.
                label_type = exp["label"].split(" / ")[0]
                if dev["type"] not in ("unknown", label_type):
                    self.assertLess(dev["confidence"], CONFIDENT, why)


NMAP_TSV = os.path.join(SHARED, "refs", "nmap-service-probes", "nmap_service_matches.tsv")


@unittest.skipUnless(os.path.exists(NMAP_TSV), "../shared/refs/nmap-service-probes is absent")
class WebServersSayWhatTheyAre(unittest.TestCase):
    """nmap's matches that carry a device type and a literal login realm,
    page title, Server: header, FTP greeting or telnet prompt (about 1,100
    of them): each written as a device at home answering a phone, from a
    MAC block no rule knows, and replayed (tools/identify-nmap-check.py).
    None may be named another kind at confidence 0.8 or more, and the
    kinds whose words are rules (cameras, printers, IP phones) must stay
    named."""

    def test_never_confidently_wrong(self):
        tally = load_tool("identify-nmap-check.py").measure(BUILD)
        total = sum(tally.values(), collections.Counter())
        self.assertGreater(total["n"], 900, dict(total))
        self.assertEqual(total["wrong>=0.8"], 0,
                         {k: dict(v) for k, v in tally.items() if v["wrong>=0.8"]})
        # Where the base's own words name a brand Yamori knows, Yamori
        # names no other maker ("netcam", a TRENDnet camera's realm, once
        # named Belkin).
        self.assertEqual(total["vendor wrong"], 0,
                         {k: dict(v) for k, v in tally.items() if v["vendor wrong"]})
        # Measured when written: 20 cameras, 13 printers, 7 IP phones.
        self.assertGreaterEqual(tally["webcam"]["right"], 18, dict(tally["webcam"]))
        self.assertGreaterEqual(tally["printer"]["right"], 11, dict(tally["printer"]))
        self.assertGreaterEqual(tally["VoIP phone"]["right"], 6, dict(tally["VoIP phone"]))
        # Network storage lines (round 6): 6 when written.
        self.assertGreaterEqual(tally["storage-misc"]["right"], 5, dict(tally["storage-misc"]))


SATORI_TSV = os.path.join(SHARED, "refs", "satori-fingerprints", "satori_tests_flat.tsv")


@unittest.skipUnless(os.path.exists(SATORI_TSV), "../shared/refs/satori-fingerprints is absent")
class SatoriFingerprintsNeverConfidentlyWrong(unittest.TestCase):
    """Satori's DHCP parameter lists, DHCP vendor classes, User-Agents and
    Server: headers that carry a kind of device (about 2,100): each
    written as one device doing just that, from a MAC block no
    rule knows, and replayed (tools/identify-satori-check.py). None may be
    named another kind at confidence 0.8 or more; the IP phones and game
    consoles its vendor classes name stay named."""

    def test_never_confidently_wrong(self):
        tally = load_tool("identify-satori-check.py").measure(BUILD)
        total = sum(tally.values(), collections.Counter())
        self.assertGreater(total["n"], 1500, dict(total))
        self.assertEqual(total["wrong>=0.8"], 0,
                         {k: dict(v) for k, v in tally.items() if v["wrong>=0.8"]})
        # Where the base's own words name a brand Yamori knows, Yamori
        # names no other maker ("netcam", a TRENDnet camera's realm, once
        # named Belkin).
        self.assertEqual(total["vendor wrong"], 0,
                         {k: dict(v) for k, v in tally.items() if v["vendor wrong"]})
        # Measured when written: 195 right (107 watches, 59 media
        # receivers, 12 printers, 10 IP phones, 7 consoles).
        self.assertGreaterEqual(total["right"], 180, dict(total))
        self.assertGreaterEqual(tally["Printer"]["right"], 10, dict(tally["Printer"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
