#!/usr/bin/env python3
"""Threat lists and brute force (issue 15): the shipped lists (built by
data/intel/import/import.py) make a device that contacts a listed Mirai
address or name raise malware_contact; the brute-force captures of
tests/fixtures/mkbrute.py raise brute_force with the right severity and the
benign SSH look-alike stays quiet; the importer rebuilds the committed
lists byte for byte from the snapshot; the public captures named in
data/intel/README.md raise what the table there says (skipped with a
message when ../shared is absent)."""
import filecmp
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
PCAPS = os.path.join(SHARED, "pcaps")
FEEDS = os.path.join(SHARED, "refs", "threat-feeds")
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
INTEL = os.path.join(ROOT, "data", "intel")

sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import mkbrute  # noqa: E402
from mkhome import IP4, udp, ipv4, eth, dns_query, dns_response  # noqa: E402


def first_listed(kind, source):
    with open(os.path.join(INTEL, "maltrail-iot.list")) as f:
        for line in f:
            t = line.split()
            if len(t) >= 3 and t[0] == kind and t[2] == "source=" + source:
                return t[1]
    raise AssertionError("no %s from %s in maltrail-iot.list" % (kind, source))


class Threats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-threats-")
        cls.fx = os.path.join(cls.tmp, "fx")
        mkbrute.write_all(cls.fx)
        with open(os.path.join(cls.fx, "manifest.json")) as f:
            cls.manifest = json.load(f)
        cls.conf = os.path.join(cls.tmp, "yamori.conf")
        with open(cls.conf, "w") as f:
            f.write("data_dir = %s\n" % os.path.join(ROOT, "data"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def replay(self, path):
        state = tempfile.mkdtemp(dir=self.tmp)
        r = subprocess.run([YAMORID, "-r", path, "--state-dir", state, "-c", self.conf],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([YAMORICTL, "--state-dir", state, "alerts", "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def test_brute_force_fixtures(self):
        for name, m in sorted(self.manifest.items()):
            with self.subTest(capture=name):
                alerts = self.replay(os.path.join(self.fx, name))
                got = {(a["kind"], a["mac"], a["severity"]) for a in alerts}
                for kind, mac, sev in m["expect"]:
                    self.assertIn((kind, mac, sev), got, alerts)
                bad = [a for a in alerts if a["kind"] in m["forbid_kinds"]]
                self.assertEqual(bad, [], name)

    def test_listed_mirai_contact(self):
        """The camera looks up a listed Mirai name and connects to a listed
        Mirai address; the laptop talks to the address next to it."""
        ip = first_listed("ip", "maltrail:mirai")
        name = first_listed("domain", "maltrail:mirai")
        near = ip.rsplit(".", 1)[0] + "." + str((int(ip.rsplit(".", 1)[1]) + 1) % 250 + 1)
        with open(os.path.join(INTEL, "maltrail-iot.list")) as f:
            self.assertNotIn("ip %s " % near, f.read())
        path = os.path.join(self.tmp, "mirai_contact.pcap")
        pc = mkbrute.Pcap(path)
        t = 1795431600
        cam_mac, cam_ip = mkbrute.CAMERA
        router_ip = IP4("192.168.10.1")
        q = udp(cam_ip, router_ip, 40001, 53, dns_query(0x1234, name, "A"))
        pc.frame(t, eth(mkbrute.ROUTER, cam_mac, 0x0800, ipv4(cam_ip, router_ip, 17, q, 7)))
        a = udp(router_ip, cam_ip, 53, 40001,
                dns_response(0x1234, name, "A", [IP4(ip)]))
        pc.frame(t + 0.02, eth(cam_mac, mkbrute.ROUTER, 0x0800,
                               ipv4(router_ip, cam_ip, 17, a, 8)))
        c = mkbrute.Conn(pc, t + 1, mkbrute.CAMERA, IP4(ip), mkbrute.ROUTER, 45000, 6667)
        c.open()
        c.send(True, mkbrute.PSH | mkbrute.ACK, b"NICK bot\r\n", 0.01)
        c.send(False, mkbrute.PSH | mkbrute.ACK, b":srv 001 bot\r\n", 0.05)
        c.close()
        c = mkbrute.Conn(pc, t + 10, mkbrute.LAPTOP, IP4(near), mkbrute.ROUTER, 45001, 443)
        c.open()
        c.close()
        pc.close()
        alerts = self.replay(path)
        mc = {(a["mac"], a["target"]) for a in alerts if a["kind"] == "malware_contact"}
        self.assertIn(("24:0f:9b:11:22:33", ip), mc, alerts)
        self.assertIn(("24:0f:9b:11:22:33", name), mc, alerts)
        self.assertEqual([m for m in mc if m[0] != "24:0f:9b:11:22:33"], [])

    def test_lists_have_source_licence_date(self):
        for fn in ("maltrail-iot.list", "abusech-botnet.list", "abusech-threatfox.list"):
            with open(os.path.join(INTEL, fn)) as f:
                head = "".join(f.readline() for _ in range(5))
            for word in ("# source:", "# licence:", "# snapshot:"):
                self.assertIn(word, head, fn)

    def test_importer_rebuilds_lists(self):
        if not os.path.isdir(FEEDS):
            self.skipTest("no ../shared/refs/threat-feeds snapshot")
        out = os.path.join(self.tmp, "intel")
        os.makedirs(out)
        subprocess.run(["python3", os.path.join(INTEL, "import", "import.py"),
                        "--feeds", FEEDS, "--out", out], check=True, capture_output=True)
        for fn in os.listdir(out):
            self.assertTrue(filecmp.cmp(os.path.join(out, fn), os.path.join(INTEL, fn),
                                        shallow=False), fn)

    def test_public_captures(self):
        """data/intel/README.md's table: which public captures raise
        malware_contact; the benign ones raise nothing critical."""
        if not os.path.isdir(PCAPS):
            self.skipTest("no ../shared/pcaps")
        raise_ = {"ndpi/malware.pcap": "www.internetbadguys.com"}
        quiet = ["ndpi/trickbot.pcap", "ndpi/head-bot.pcap", "ndpi/1kxun.pcap",
                 "ndpi/alexa-app.pcapng", "nku/traffic_demo/xiaodu_plug/xiaodu_plug.pcap",
                 "moniotr/yi_camera_sample.pcap"]
        for rel, target in raise_.items():
            with self.subTest(capture=rel):
                alerts = self.replay(os.path.join(PCAPS, rel))
                self.assertIn(target, [a["target"] for a in alerts
                                       if a["kind"] == "malware_contact"], alerts)
        for rel in quiet:
            with self.subTest(capture=rel):
                alerts = self.replay(os.path.join(PCAPS, rel))
                self.assertEqual([a for a in alerts if a["severity"] == "critical"], [], rel)


if __name__ == "__main__":
    unittest.main()
