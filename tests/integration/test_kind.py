#!/usr/bin/env python3
"""The household says what a device is (issue 12, item 8): set_kind over
the socket, kept across a restart, shown as the household's evidence, and
never overridden silently by the traffic.

Python 3 standard library only; the daemon replays the generated sample
household and keeps answering on its socket (--serve).

    python3 tests/integration/test_kind.py [-v]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_robust  # noqa: E402  (the Serving helper and the paths)
from test_robust import Serving, ctl  # noqa: E402

CAMERA = "d0:37:45:8e:31:c2"   # a TP-Link camera by its traffic
PC = "ac:ed:5c:70:70:ab"       # a computer with no support entry


def setUpModule():
    test_robust.setUpModule()


def tearDownModule():
    test_robust.tearDownModule()


def device(d, mac):
    r = d.ask({"cmd": "devices"})
    assert r.get("ok"), r
    for dev in r["result"]:
        if dev["mac"] == mac:
            return dev
    raise AssertionError("no device " + mac)


def signals(dev):
    return {e["signal"]: e for e in dev["evidence"]}


class SetKind(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.mkdtemp(prefix="ymkind-")

    def tearDown(self):
        shutil.rmtree(self.state, ignore_errors=True)

    def test_household_kind_is_kept_across_a_restart(self):
        d = Serving(self.state)
        try:
            self.assertEqual(device(d, CAMERA)["type"], "camera")
            r = d.ask({"cmd": "set_kind", "args": {
                "mac": CAMERA, "type": "smart_plug", "vendor": "Acme"}})
            self.assertTrue(r.get("ok"), r)
            self.assertEqual(r["result"]["type"], "smart_plug")
            self.assertEqual(r["result"]["vendor"], "Acme")
            ev = signals(r["result"])
            self.assertIn("household", ev)
            self.assertEqual(ev["household"]["value"], "smart_plug")
            # The traffic reads as a camera: said, not hidden.
            self.assertIn("traffic", ev)
            self.assertEqual(ev["traffic"]["conclusion"],
                             "traffic suggests camera")
            # A kind outside the vocabulary is refused.
            bad = d.ask({"cmd": "set_kind", "args": {
                "mac": CAMERA, "type": "toaster"}})
            self.assertFalse(bad.get("ok"), bad)
            self.assertEqual(bad.get("code"), "bad_request", bad)
            self.assertEqual(device(d, CAMERA)["type"], "smart_plug")
            # Rule 1 tells what it could not check.
            st = d.ask({"cmd": "status"})["result"]["support_check"]
            self.assertGreaterEqual(st["no_entry"], 1)
        finally:
            self.assertEqual(d.stop(), 0)
        # The same state directory after a restart (and the whole capture
        # seen again): still the household's word.
        d = Serving(self.state)
        try:
            dev = device(d, CAMERA)
            self.assertEqual(dev["type"], "smart_plug")
            self.assertEqual(dev["vendor"], "Acme")
            self.assertEqual(signals(dev)["household"]["value"], "smart_plug")
            # Forgetting it gives the traffic's reading back.
            r = d.ask({"cmd": "set_kind", "args": {"mac": CAMERA,
                                                   "type": None}})
            self.assertTrue(r.get("ok"), r)
            self.assertEqual(r["result"]["type"], "camera")
            self.assertNotIn("household", signals(r["result"]))
            self.assertNotIn("traffic", signals(r["result"]))
        finally:
            self.assertEqual(d.stop(), 0)

    def test_ctl_kind(self):
        d = Serving(self.state)
        try:
            r = ctl(self.state, "kind", PC, "game_console")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("game_console", r.stdout)
            self.assertEqual(device(d, PC)["type"], "game_console")
            r = ctl(self.state, "kind", PC, "toaster")
            self.assertEqual(r.returncode, 2, r.stderr)
            r = ctl(self.state, "kind", PC, "none")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(device(d, PC)["type"], "computer")
        finally:
            self.assertEqual(d.stop(), 0)


if __name__ == "__main__":
    unittest.main()
