#!/usr/bin/env python3
"""Identification replay tests: captures go through yamorid and the devices
must come out as the expected JSON says (type, vendor, model, os,
confidence), with the evidence that says why. Tests on ../shared/pcaps are
skipped with a message when that folder is absent."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
PCAPS = os.path.join(SHARED, "pcaps")
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
HERE = os.path.dirname(os.path.abspath(__file__))


def replay(state, *files, config=None):
    args = [YAMORID]
    for f in files:
        args += ["-r", f]
    args += ["--state-dir", state, "-c", config or "/dev/null"]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def devices(state):
    out = subprocess.run([YAMORICTL, "--state-dir", state, "devices", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return {d["mac"]: d for d in json.loads(out)}


class Identify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-identify-")
        cls.fixtures = os.path.join(cls.tmp, "fixtures")
        subprocess.run(["python3", os.path.join(ROOT, "tests", "fixtures", "mkhome.py"),
                        "--out", cls.fixtures], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def state(self):
        return tempfile.mkdtemp(dir=self.tmp)

    def test_household_matches_expected_json(self):
        st = self.state()
        r = replay(st, os.path.join(self.fixtures, "home.pcap"),
                   os.path.join(self.fixtures, "home-part2.pcapng"))
        self.assertEqual(r.returncode, 0, r.stderr)
        got = devices(st)
        want = json.load(open(os.path.join(HERE, "expected", "home-devices.json")))
        for mac, exp in want.items():
            if mac.startswith("_"):
                continue
            with self.subTest(device=mac):
                dev = got[mac]
                for key in ("type", "vendor", "os", "gateway"):
                    if key in exp:
                        self.assertEqual(dev[key], exp[key], key)
                if "model_contains" in exp:
                    self.assertIn(exp["model_contains"], dev["model"])
                if "min_confidence" in exp:
                    self.assertGreaterEqual(dev["confidence"], exp["min_confidence"])
                if "max_confidence" in exp:
                    self.assertLessEqual(dev["confidence"], exp["max_confidence"])
                for flag in exp.get("flags", []):
                    self.assertIn(flag, dev["flags"])
                # A decided type always comes with evidence that says so.
                if dev["type"] != "unknown":
                    self.assertTrue(any(("type %s" % dev["type"]) in e["conclusion"]
                                        for e in dev["evidence"]), dev["evidence"])
                for e in dev["evidence"]:
                    self.assertEqual(set(e), {"signal", "value", "conclusion"})

    def test_bad_rule_file_is_refused(self):
        data = os.path.join(self.tmp, "data")
        shutil.copytree(os.path.join(ROOT, "data"), data, dirs_exist_ok=True)
        with open(os.path.join(data, "fingerprints", "zz-local.rules"), "w") as f:
            f.write("# local additions\ndhcp_hostname Fridge-* type=fridge source=me\n")
        conf = os.path.join(self.tmp, "bad.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n" % data)
        r = replay(self.state(), os.path.join(self.fixtures, "home.pcap"), config=conf)
        self.assertEqual(r.returncode, 2)
        self.assertIn("zz-local.rules:2: unknown type 'fridge'", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_without_rules_devices_keep_registry_names(self):
        data = os.path.join(self.tmp, "empty-data")
        os.makedirs(data, exist_ok=True)
        conf = os.path.join(self.tmp, "empty.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n" % data)
        st = self.state()
        r = replay(st, os.path.join(self.fixtures, "home.pcap"), config=conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("will not be identified", r.stderr)
        got = devices(st)
        self.assertEqual(got["3c:2a:f4:6b:40:1e"]["vendor"], "Brother Industries, LTD.")
        self.assertEqual(got["6c:e4:da:a0:10:01"]["type"], "router")

    def shared(self, *parts):
        path = os.path.join(PCAPS, *parts)
        if not os.path.exists(path):
            self.skipTest("%s is absent (../shared/pcaps not here)" % path)
        st = self.state()
        r = replay(st, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return devices(st)

    def by_name(self, devs, name):
        found = [d for d in devs.values() if d["name"] == name or d["hostname"] == name]
        self.assertTrue(found, "no device named %s" % name)
        return found[0]

    def test_iphone_capture(self):
        devs = self.shared("ndpi", "iphone.pcap")
        phone = self.by_name(devs, "Lucas-iPhone")
        self.assertEqual((phone["type"], phone["vendor"]), ("phone", "Apple"))
        imac = self.by_name(devs, "Lucas-iMac")
        self.assertEqual(imac["type"], "computer")

    def test_nintendo_capture(self):
        devs = self.shared("ndpi", "nintendo.pcap")
        consoles = [d for d in devs.values() if d["type"] == "game_console"]
        self.assertEqual(len(consoles), 1)
        self.assertEqual(consoles[0]["vendor"], "Nintendo")

    def test_sonos_capture(self):
        devs = self.shared("ndpi", "head-sonos.pcapng")
        speakers = [d for d in devs.values() if d["vendor"] == "Sonos"]
        self.assertTrue(speakers)
        for d in speakers:
            self.assertIn(d["type"], ("speaker", "unknown"))

    def test_no_confident_router_among_1kxun_clients(self):
        devs = self.shared("ndpi", "1kxun.pcap")
        routers = [d for d in devs.values() if d["type"] == "router"]
        self.assertEqual(len(routers), 1, [d["mac"] for d in routers])
        self.assertTrue(routers[0]["gateway"])
        # The Windows and Mac clients are computers, not cameras or TVs.
        for name in ("kevin-PC", "Joanna-PC", "MacBook-Air"):
            self.assertEqual(self.by_name(devs, name)["type"], "computer", name)


if __name__ == "__main__":
    unittest.main()
