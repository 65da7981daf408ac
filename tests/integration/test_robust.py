#!/usr/bin/env python3
"""Regression tests for what a hostile LAN, a careless client or a power cut
did to Yamori (issue 17). Each test is named after the finding it guards.

Python 3 standard library only; the daemon replays the generated sample
household and keeps answering on its socket (--serve).

    python3 tests/integration/test_robust.py [-v]
"""

import json
import os
import random
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import ymapi  # noqa: E402  (tests/integration, the script's folder)

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or
                        os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")
CONF = os.path.join(REPO, "data", "yamori.conf")
TIMEOUT = 120

FIXTURES = None


def setUpModule():
    global FIXTURES
    FIXTURES = tempfile.mkdtemp(prefix="ymrobust-fx-")
    subprocess.run([sys.executable, MKHOME, "--out", FIXTURES], check=True,
                   stdout=subprocess.DEVNULL, timeout=TIMEOUT)


def tearDownModule():
    shutil.rmtree(FIXTURES, ignore_errors=True)


def ctl(state, *args, timeout=TIMEOUT):
    return subprocess.run([YAMORICTL, "--state-dir", state] + list(args),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def replay(state, *extra):
    return subprocess.run([YAMORID, "-r", os.path.join(FIXTURES, "home.pcap"),
                           "--state-dir", state, "-c", CONF] + list(extra),
                          capture_output=True, text=True, timeout=TIMEOUT)


class Serving:
    """yamorid replaying the sample household and serving its socket."""

    def __init__(self, state):
        self.state = state
        self.sock = os.path.join(state, "yamori.sock")
        self.proc = subprocess.Popen(
            [YAMORID, "-r", os.path.join(FIXTURES, "home.pcap"),
             "--state-dir", state, "-c", CONF, "--serve"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("yamorid exited %d: %s" %
                                     (self.proc.returncode, self.proc.stderr.read()))
            if os.path.exists(self.sock) and self.ask({"cmd": "status"}).get("ok"):
                return
            time.sleep(0.1)
        raise AssertionError("the socket never answered")

    def ask(self, req, timeout=30):
        return ymapi.ask(self.sock, req, timeout) or {}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode


class ClosedSocket(unittest.TestCase):
    """Finding 1: a client that closes before reading killed yamorid."""

    def test_finding_1_client_closes_before_reading(self):
        state = tempfile.mkdtemp(prefix="ymrobust-")
        d = Serving(state)
        try:
            for _ in range(8):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(d.sock)
                # A large answer that cannot fit the socket buffer, then
                # the client goes away before reading any of it.
                s.sendall(b'{"cmd":"devices"}\n' * 20)
                s.close()
            time.sleep(0.5)
            self.assertIsNone(d.proc.poll(), "yamorid died: exit %s" % d.proc.returncode)
            self.assertTrue(d.ask({"cmd": "status"}).get("ok"))
        finally:
            self.assertEqual(d.stop(), 0)
            shutil.rmtree(state, ignore_errors=True)


def arp_frame(mac, ip):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + bytes(6) + ip
    return b"\xff" * 6 + mac + b"\x08\x06" + body + bytes(18)


def with_frames(path, base_pcap, frames):
    """The sample household, then frames, one a second."""
    with open(base_pcap, "rb") as f:
        data = f.read()
    last, off = 0, 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        last = max(last, sec * 1000000 + usec)
        off += 16 + incl
    out = [data]
    for i, frame in enumerate(frames):
        t = last + (i + 1) * 1000000
        out.append(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
        out.append(frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))


class CutCharacters(unittest.TestCase):
    """Finding 2: a maker name cut in the middle of a character (the IEEE
    registry's "SHENZHEN BILIAN ELECTRONIC CO.，LTD", a Wi-Fi module maker)
    made the device vanish from the API and the offline list fail; an error
    quoting a cut request was never sent."""

    MAC = "20:32:33:00:00:77"

    def test_finding_2_cut_utf8_never_hides_a_device(self):
        state = tempfile.mkdtemp(prefix="ymrobust-")
        try:
            pcap = os.path.join(state, "bilian.pcap")
            with_frames(pcap, os.path.join(FIXTURES, "home.pcap"),
                        [arp_frame(bytes.fromhex(self.MAC.replace(":", "")),
                                   bytes([192, 168, 10, 77]))] * 3)
            d = Serving.__new__(Serving)
            d.state, d.sock = state, os.path.join(state, "yamori.sock")
            d.proc = subprocess.Popen([YAMORID, "-r", pcap, "--state-dir", state, "-c", CONF,
                                       "--serve"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    files = d.ask({"cmd": "status"}).get("result", {}).get("files", {})
                    if files.get("read") == files.get("total") == 1:
                        break
                    time.sleep(0.1)
                devs = d.ask({"cmd": "devices"})["result"]
                dev = [x for x in devs if x["mac"] == self.MAC]
                self.assertEqual(len(dev), 1, [x["mac"] for x in devs])
                self.assertTrue(dev[0]["vendor"].startswith("SHENZHEN BILIAN"), dev[0]["vendor"])
                # An error that quotes a long Japanese request still comes.
                r = d.ask({"cmd": "rename", "args": {"mac": "居間" * 40, "name": "x"}}, timeout=10)
                self.assertFalse(r.get("ok", True), r)
                self.assertEqual(r.get("code"), "bad_request", r)
                r = d.ask({"cmd": "居間のカメラ" * 20}, timeout=10)
                self.assertEqual(r.get("code"), "unknown_command", r)
            finally:
                self.assertEqual(d.stop(), 0)
            r = ctl(state, "devices", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(self.MAC, [x["mac"] for x in json.loads(r.stdout)])
        finally:
            shutil.rmtree(state, ignore_errors=True)


class Durable(unittest.TestCase):
    """Finding 3: what the API acknowledged waited for the next 30-second
    commit; a kill -9 (or power cut) right after "ok" lost it."""

    def test_finding_3_acknowledged_changes_survive_kill_9(self):
        state = tempfile.mkdtemp(prefix="ymrobust-")
        d = Serving(state)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                files = d.ask({"cmd": "status"}).get("result", {}).get("files", {})
                if files.get("read") == files.get("total") == 1:
                    break
                time.sleep(0.1)
            alerts = d.ask({"cmd": "alerts"})["result"]
            self.assertTrue(alerts)
            steps = [
                {"cmd": "rename", "args": {"mac": "d0:37:45:8e:31:c2", "name": "居間のカメラ"}},
                {"cmd": "retire", "args": {"mac": "98:e8:fa:4d:60:a7"}},
                {"cmd": "never_isolate", "args": {"mac": "3c:2a:f4:6b:40:1e", "on": True}},
                {"cmd": "acknowledge", "args": {"id": alerts[0]["id"]}},
                {"cmd": "settings", "args": {"audit": "on", "auto_isolate": "critical"}},
            ]
            for req in steps:
                r = d.ask(req)
                self.assertTrue(r.get("ok"), (req, r))
            # yamorictl settings reads (and sets) the same choices.
            r = ctl(state, "settings", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["audit"], "on")
            self.assertEqual(ctl(state, "settings", "audit=maybe").returncode, 2)
            # The moment after the last "ok": no commit interval has passed.
            d.proc.kill()
            d.proc.wait()
        finally:
            d.stop()
        try:
            con = sqlite3.connect(os.path.join(state, "yamori.db"))
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            rows = dict(con.execute("SELECT mac, user_name FROM devices"))
            self.assertEqual(rows["d0:37:45:8e:31:c2"], "居間のカメラ")
            settings = json.loads(con.execute(
                "SELECT value FROM meta WHERE key = 'settings'").fetchone()[0])
            self.assertEqual(settings["audit"], "on")
            self.assertEqual(settings["auto_isolate"], "critical")
            state_of = con.execute("SELECT state FROM alerts WHERE id = ?",
                                   (alerts[0]["id"],)).fetchone()[0]
            self.assertEqual(state_of, "acknowledged")
            con.close()
            r = ctl(state, "devices", "--all", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            devs = {x["mac"]: x for x in json.loads(r.stdout)}
            self.assertIn("retired", devs["98:e8:fa:4d:60:a7"]["flags"])
            self.assertTrue(devs["3c:2a:f4:6b:40:1e"]["never_isolate"])
        finally:
            shutil.rmtree(state, ignore_errors=True)


class DamagedDatabase(unittest.TestCase):
    """Finding 8: a damaged database stopped the daemon, made wipe fail and
    made `devices` say "No devices found yet." with exit 0."""

    def damage(self, state, how):
        db = os.path.join(state, "yamori.db")
        if how == "wrong header":
            with open(db, "r+b") as f:
                f.write(b"this is not a database at all!!")
        elif how == "torn file":
            size = os.path.getsize(db)
            with open(db, "r+b") as f:
                f.truncate(size // 2 + 100)
        elif how == "corrupted page":
            with open(db, "r+b") as f:
                f.seek(4096 + 8)  # inside the second page, past its header
                f.write(os.urandom(4000))

    def recorded(self, state):
        self.assertEqual(replay(state).returncode, 0)
        con = sqlite3.connect(os.path.join(state, "yamori.db"))
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()

    def test_finding_8_damaged_database(self):
        for how in ("wrong header", "torn file", "corrupted page"):
            with self.subTest(how=how):
                state = tempfile.mkdtemp(prefix="ymrobust-")
                try:
                    self.recorded(state)
                    self.damage(state, how)
                    # The offline list says the record is damaged, and fails.
                    r = ctl(state, "devices")
                    self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                    self.assertIn("damaged", r.stderr)
                    self.assertNotIn("No devices found yet", r.stdout)
                    # The daemon keeps the damaged file aside and starts.
                    r = replay(state)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    kept = [f for f in os.listdir(state) if ".damaged-" in f]
                    self.assertTrue(any(f.startswith("yamori.db.damaged-") and
                                        not f.endswith(("-wal", "-shm")) for f in kept), kept)
                    con = sqlite3.connect(os.path.join(state, "yamori.db"))
                    self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                    con.close()
                    r = ctl(state, "devices", "--json")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertGreater(len(json.loads(r.stdout)), 0)
                    # The household is told, in its language.
                    r = ctl(state, "alerts", "--json")
                    alerts = json.loads(r.stdout)
                    damaged = [a for a in alerts if a["kind"] == "database_damaged"]
                    self.assertEqual(len(damaged), 1, alerts)
                    self.assertEqual(damaged[0]["severity"], "warning")
                    env = dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja")
                    r = subprocess.run([YAMORICTL, "--state-dir", state, "alerts"],
                                       capture_output=True, text=True, env=env,
                                       timeout=TIMEOUT)
                    self.assertIn("家守の記録が、こわれていました。", r.stdout)
                    # wipe removes whatever is there, the damaged copy too.
                    self.damage(state, how)
                    r = ctl(state, "wipe", "--yes")
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual([f for f in os.listdir(state) if f.startswith("yamori.db")], [])
                finally:
                    shutil.rmtree(state, ignore_errors=True)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn_frame(src_mac, dst_mac, sip, dip, sport, dport):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 1024, 0, 0)
    pseudo = sip + dip + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + seg + bytes(max(0, 60 - 14 - len(ip) - len(seg)))


def write_flood(path, base_pcap, macs, victim_mac, victim_ip):
    """The sample household, then `macs` spoofed source MACs each scanning
    fifteen ports of one household device within a few minutes."""
    with open(base_pcap, "rb") as f:
        data = f.read()
    last = 0
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        last = max(last, sec * 1000000 + usec)
        off += 16 + incl
    rng = random.Random(17)
    out = [data]
    t = last + 1000000
    for i in range(macs):
        mac = bytes([0x00, 0x1b]) + rng.getrandbits(32).to_bytes(4, "big")
        sip = bytes([192, 168, 10, 100 + i % 150])
        for port in range(1, 16):
            frame = syn_frame(mac, victim_mac, sip, victim_ip, 40000 + i % 20000, port)
            out.append(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)))
            out.append(frame)
            t += 50
    with open(path, "wb") as f:
        f.write(b"".join(out))


class Flood(unittest.TestCase):
    """Findings 4 and 5: spoofed MACs scanning made thousands of alerts that
    the API could not send, and pushed real devices out of the database."""

    HOUSEHOLD = ["6c:e4:da:a0:10:01", "5a:3c:91:d2:7e:04", "d0:37:45:8e:31:c2",
                 "3c:2a:f4:6b:40:1e", "fc:f1:52:e5:50:9b", "98:e8:fa:4d:60:a7",
                 "ac:ed:5c:70:70:ab"]

    def test_finding_4_alert_flood_is_one_alert_and_the_list_is_shown(self):
        state = tempfile.mkdtemp(prefix="ymrobust-")
        try:
            pcap = os.path.join(state, "flood.pcap")
            write_flood(pcap, os.path.join(FIXTURES, "home.pcap"), 3000,
                        bytes.fromhex("d03745 8e31c2".replace(" ", "")), bytes([192, 168, 10, 31]))
            d = Serving.__new__(Serving)
            d.state = state
            d.sock = os.path.join(state, "yamori.sock")
            d.proc = subprocess.Popen([YAMORID, "-r", pcap, "--state-dir", state, "-c", CONF,
                                       "--serve"], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 120
                status = {}
                while time.monotonic() < deadline:
                    status = d.ask({"cmd": "status"})
                    files = status.get("result", {}).get("files", {})
                    if status.get("ok") and files.get("read") == files.get("total") == 1:
                        break
                    time.sleep(0.2)
                r = d.ask({"cmd": "alerts"})
                self.assertTrue(r.get("ok"), r)
                alerts = r["result"]
                scans = [a for a in alerts if a["kind"] == "port_scan"]
                self.assertLessEqual(len(scans), 17, "a flood must fold into one alert")
                many = [a for a in scans if a["target"] == "many_devices"]
                self.assertEqual(len(many), 1, scans)
                self.assertEqual(many[0]["mac"], "")
                self.assertGreater(many[0]["count"], 1)
                self.assertIn("Many devices", many[0]["message"])
                # Pages: any history is shown a page at a time, in order.
                paged, offset = [], 0
                while True:
                    page = d.ask({"cmd": "alerts", "args": {"offset": offset, "limit": 20}})
                    self.assertTrue(page.get("ok"), page)
                    paged += page["result"]
                    offset += len(page["result"])
                    if len(page["result"]) < 20:
                        break
                self.assertEqual([a["id"] for a in paged], [a["id"] for a in alerts])
                r = ctl(state, "alerts", "--json")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(len(json.loads(r.stdout)), len(alerts))
                joined = [a for a in alerts if a["kind"] == "new_device"]
                self.assertLessEqual(len(joined), len(self.HOUSEHOLD) + 64 + 1)
                self.assertEqual([a["target"] for a in joined].count("many_devices"), 1)
            finally:
                self.assertEqual(d.stop(), 0)
        finally:
            shutil.rmtree(state, ignore_errors=True)

    def test_finding_5_mac_flood_never_prunes_the_household(self):
        state = tempfile.mkdtemp(prefix="ymrobust-")
        try:
            conf = os.path.join(state, "small.conf")
            with open(CONF) as f, open(conf, "w") as out:
                out.write(f.read() + "\nmax_devices = 64\nmax_stored_devices = 256\n")
            pcap = os.path.join(state, "flood.pcap")
            write_flood(pcap, os.path.join(FIXTURES, "home.pcap"), 3000,
                        bytes.fromhex("d037458e31c2"), bytes([192, 168, 10, 31]))
            r = subprocess.run([YAMORID, "-r", pcap, "--state-dir", state, "-c", conf],
                               capture_output=True, text=True, timeout=TIMEOUT)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = ctl(state, "devices", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            macs = {d["mac"] for d in json.loads(r.stdout)}
            self.assertEqual([m for m in self.HOUSEHOLD if m not in macs], [])
            # The cap holds, on top of what must stay.
            self.assertLess(len(macs), 256 + 64, len(macs))
        finally:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
