#!/usr/bin/env python3
"""Detection replay tests: every scenario of tests/fixtures/mkattacks.py
goes through yamorid and must raise exactly the alerts its manifest
expects (kind, device, severity) and none it forbids; benign days of a
household raise no critical alert and at most one warning per device per
day. The public captures named in the issue are checked too (skipped with a
message when ../shared/pcaps is absent)."""
import collections
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


class Detect(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-detect-")
        cls.fixtures = os.path.join(cls.tmp, "fixtures")
        subprocess.run(["python3", os.path.join(ROOT, "tests", "fixtures", "mkattacks.py"),
                        "--out", cls.fixtures], check=True, capture_output=True)
        cls.manifest = json.load(open(os.path.join(cls.fixtures, "manifest.json")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_capture(self, path, intel=()):
        state = tempfile.mkdtemp(dir=self.tmp)
        args = [YAMORID, "-r", path, "--state-dir", state]
        if intel:
            # The scenario's indicators go into a copy of the threat lists.
            data = os.path.join(state, "data")
            shutil.copytree(os.path.join(ROOT, "data"), data)
            with open(os.path.join(data, "intel", "scenario.list"), "w") as f:
                for ind in intel:
                    kind = "ip" if ind[0].isdigit() else "domain"
                    f.write("%s %s source=test-scenario\n" % (kind, ind))
            conf = os.path.join(state, "yamori.conf")
            with open(conf, "w") as f:
                f.write("data_dir = %s\n" % data)
            args += ["-c", conf]
        else:
            args += ["-c", "/dev/null"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([YAMORICTL, "--state-dir", state, "alerts", "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def test_scenarios(self):
        for entry in self.manifest:
            with self.subTest(capture=entry["file"]):
                alerts = self.run_capture(os.path.join(self.fixtures, entry["file"]),
                                          entry.get("intel", ()))
                got = {(a["kind"], a["mac"]): a for a in alerts}
                for exp in entry["expect"]:
                    a = got.get((exp["kind"], exp["mac"]))
                    self.assertIsNotNone(a, "%s for %s missing; got %s"
                                         % (exp["kind"], exp["mac"], sorted(got)))
                    self.assertEqual(a["severity"], exp["severity"])
                    self.assertTrue(a["message"])
                    if a["kind"] != "new_device":
                        self.assertTrue(a["evidence"], "an alert says why")
                for forbid in entry["forbid"]:
                    bad = [k for k in got if k[0] == forbid["kind"] and
                           forbid.get("mac", k[1]) == k[1]]
                    self.assertFalse(bad, "forbidden %s" % forbid)
                if entry["file"].startswith("benign"):
                    self.assertBenign(alerts)

    def assertBenign(self, alerts):
        self.assertFalse([a for a in alerts if a["severity"] == "critical"])
        per_day = collections.Counter(
            (a["mac"], a["last_seen"][:10]) for a in alerts if a["severity"] == "warning")
        self.assertFalse([k for k, n in per_day.items() if n > 1], per_day)

    def test_suspicious_flag_and_japanese_message(self):
        path = os.path.join(self.fixtures, "telnet_scan.pcap")
        state = tempfile.mkdtemp(dir=self.tmp)
        subprocess.run([YAMORID, "-r", path, "--state-dir", state, "-c", "/dev/null"],
                       check=True, capture_output=True)
        devs = json.loads(subprocess.run([YAMORICTL, "--state-dir", state, "devices", "--json"],
                                         capture_output=True, text=True, check=True).stdout)
        camera = [d for d in devs if d["mac"] == "c0:56:e3:4a:7b:12"][0]
        self.assertIn("suspicious", camera["flags"])
        others = [d for d in devs if d["mac"] != camera["mac"]]
        self.assertFalse([d["mac"] for d in others if "suspicious" in d["flags"]])
        env = dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja")
        text = subprocess.run([YAMORICTL, "--state-dir", state, "alerts"], env=env,
                              capture_output=True, text=True, check=True).stdout
        self.assertIn("ウイルス", text)
        self.assertIn("お金やパスワードを聞くことはありません", text)

    def shared(self, *parts):
        path = os.path.join(PCAPS, *parts)
        if not os.path.exists(path):
            self.skipTest("%s is absent (../shared/pcaps not here)" % path)
        return self.run_capture(path)

    # The kinds detection raises; the life-cycle kinds (new_device, support,
    # idle) have tests of their own.
    TRAFFIC = {"telnet_scan", "port_scan", "arp_scan", "dos_attack", "malware_contact",
               "dga_domain", "cleartext_credentials", "upnp_exposure", "gateway_spoof",
               "abnormal_upload", "risky_service"}

    def kinds(self, alerts):
        return collections.Counter(a["kind"] for a in alerts if a["kind"] in self.TRAFFIC)

    def test_public_synscan(self):
        self.assertEqual(self.kinds(self.shared("ndpi", "synscan.pcap")), {"port_scan": 1})

    def test_public_tcp_scan(self):
        self.assertEqual(self.kinds(self.shared("ndpi", "head-tcp_scan.pcapng")), {"port_scan": 1})

    def test_public_arp_scan(self):
        self.assertEqual(self.kinds(self.shared("slips", "test8-malicious.pcap")), {"arp_scan": 1})

    def test_public_http_auth(self):
        self.assertEqual(self.kinds(self.shared("ndpi", "http_auth.pcap")),
                         {"cleartext_credentials": 1})

    def test_public_malware(self):
        alerts = self.shared("ndpi", "malware.pcap")
        self.assertEqual(self.kinds(alerts), {"malware_contact": 1})
        self.assertEqual([a["severity"] for a in alerts if a["kind"] == "malware_contact"],
                         ["critical"])

    def test_public_benign_captures_raise_nothing(self):
        for name in ("1kxun.pcap", "iphone.pcap", "alexa-app.pcapng", "head-tuya_lp.pcap",
                     "head-sonos.pcapng", "nest_log_sink.pcap", "upnp.pcap", "nintendo.pcap"):
            with self.subTest(capture=name):
                self.assertEqual(self.kinds(self.shared("ndpi", name)), {})


if __name__ == "__main__":
    unittest.main()
