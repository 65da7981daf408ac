#!/usr/bin/env python3
"""Rules 1, 3 and 4 on replayed weeks (tests/fixtures/mkdays.py: one pcap
per day). Everything runs on the capture clock: a device with only
background chatter becomes idle after idle_days and not before, devices
used every few days never do, a device unplugged becomes gone; support
that ended is flagged; a device given away leaves the lists and comes
back as new; retention drops old records; wipe erases everything."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")

CAMERA = "34:76:c5:1b:62:0d"
TV = "fc:f1:52:e5:50:9b"
PRINTER = "3c:2a:f4:6b:40:1e"
LAPTOP = "ac:ed:5c:70:70:ab"
PLUG = "24:6f:28:3a:1f:2c"
ROUTER = "6c:e4:da:a0:10:01"


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-life-")
        cls.days = os.path.join(cls.tmp, "days")
        subprocess.run(["python3", os.path.join(ROOT, "tests", "fixtures", "mkdays.py"),
                        "--out", cls.days, "--days", "40"], check=True, capture_output=True)
        cls.files = sorted(glob.glob(os.path.join(cls.days, "day-*.pcap")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def replay(self, first, last, state=None, conf_text=""):
        state = state or tempfile.mkdtemp(dir=self.tmp)
        conf = os.path.join(state, "test.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        args = [YAMORID, "--state-dir", state, "-c", conf]
        for path in self.files[first - 1:last]:
            args += ["-r", path]
        r = subprocess.run(args, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return state

    def ctl(self, state, *args, check=True):
        return subprocess.run([YAMORICTL, "--state-dir", state, *args],
                              capture_output=True, text=True, check=check)

    def devices(self, state, *extra):
        return {d["mac"]: d for d in json.loads(self.ctl(state, "devices", "--json",
                                                         *extra).stdout)}

    def alerts(self, state):
        return json.loads(self.ctl(state, "alerts", "--json").stdout)

    def test_not_idle_before_the_threshold(self):
        st = self.replay(1, 23)
        for mac, dev in self.devices(st).items():
            self.assertNotIn("idle", dev["flags"], mac)
            self.assertNotIn("gone", dev["flags"], mac)
        self.assertFalse([a for a in self.alerts(st) if a["kind"] == "idle"])

    def test_idle_and_gone_after_the_threshold(self):
        st = self.replay(1, 31)
        devs = self.devices(st)
        self.assertIn("idle", devs[CAMERA]["flags"])
        self.assertIn("gone", devs[PLUG]["flags"])
        self.assertNotIn("idle", devs[PLUG]["flags"], "gone is not idle")
        for mac in (TV, PRINTER, LAPTOP, ROUTER):
            self.assertNotIn("idle", devs[mac]["flags"], mac)
            self.assertNotIn("gone", devs[mac]["flags"], mac)
        idle = [a for a in self.alerts(st) if a["kind"] == "idle"]
        self.assertEqual([(a["mac"], a["severity"], a["count"]) for a in idle],
                         [(CAMERA, "info", 1)])
        self.assertIn("電源を切って", subprocess.run(
            [YAMORICTL, "--state-dir", st, "alerts"], capture_output=True, text=True,
            env=dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja")).stdout)

    def test_idle_holds_day_by_day(self):
        # The same result when the days arrive one run at a time, as a
        # restarted daemon would see them.
        st = tempfile.mkdtemp(dir=self.tmp)
        for day in range(1, 32):
            self.replay(day, day, state=st)
            flags = self.devices(st)[CAMERA]["flags"]
            self.assertEqual("idle" in flags, day >= 31, "day %d" % day)
        self.assertNotIn("idle", self.devices(st)[TV]["flags"])

    def test_support_ended(self):
        data = os.path.join(self.tmp, "data-eos")
        shutil.copytree(os.path.join(ROOT, "data"), data, dirs_exist_ok=True)
        # Files load in name order and the first matching model wins.
        with open(os.path.join(data, "support", "00-test.kb"), "w") as f:
            f.write('[model Sony "*"]\ntype = tv\nend_of_support = 2026-10-05\n'
                    'source = test\n')
        st = self.replay(1, 3, conf_text="data_dir = %s\n" % data)
        self.assertNotIn("unsupported", self.devices(st)[TV]["flags"])
        st = self.replay(1, 6, conf_text="data_dir = %s\n" % data)
        self.assertIn("unsupported", self.devices(st)[TV]["flags"])
        kinds = [(a["kind"], a["mac"]) for a in self.alerts(st)]
        self.assertIn(("unsupported", TV), kinds)

    def test_retire_and_come_back(self):
        st = self.replay(1, 2)
        out = self.ctl(st, "retire", TV).stdout
        self.assertIn("given away", out)
        self.assertIn("1.", out, "the reset steps are listed")
        self.assertNotIn(TV, self.devices(st))
        self.assertIn("retired", self.devices(st, "--all")[TV]["flags"])
        # The TV is seen again the next day: a new device to the household.
        self.replay(3, 3, state=st)
        dev = self.devices(st)[TV]
        self.assertNotIn("retired", dev["flags"])
        news = [a for a in self.alerts(st) if a["kind"] == "new_device" and a["mac"] == TV]
        self.assertEqual(news[0]["count"], 2)

    def test_rename_and_refusals(self):
        st = self.replay(1, 1)
        self.ctl(st, "rename", CAMERA, "古いカメラ")
        self.assertEqual(self.devices(st)[CAMERA]["name"], "古いカメラ")
        r = self.ctl(st, "rename", "02:00:00:00:00:99", "x", check=False)
        self.assertEqual(r.returncode, 2)
        r = self.ctl(st, "retire", "not-a-mac", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)

    def test_retention(self):
        st = self.replay(1, 40, conf_text="retention_alerts_days = 5\n")
        last = max(d["last_seen"] for d in self.devices(st).values())
        for a in self.alerts(st):
            self.assertGreaterEqual(a["last_seen"][:10], "2026-10-31", a)

    def test_wipe(self):
        st = self.replay(1, 2)
        r = subprocess.run([YAMORICTL, "--state-dir", st, "wipe"], input="no\n",
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(self.devices(st))
        self.ctl(st, "wipe", "--yes")
        self.assertFalse(os.path.exists(os.path.join(st, "yamori.db")))
        r = self.ctl(st, "devices", check=False)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    unittest.main()
