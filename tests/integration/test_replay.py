#!/usr/bin/env python3
"""End-to-end replay tests for yamorid / yamorictl.

Python 3 standard library only.  Run from anywhere:

    python3 tests/integration/test_replay.py [-v]

Environment:
    YAMORI_BUILD       build directory (default: <repo>/build)
    YAMORI_BUILD_ASAN  AddressSanitizer build directory used for the hostile
                       captures (default: <repo>/build-asan when it exists)
    YAMORI_SHARED      shared directory with pcaps/ (default: <repo>/../shared)

Fixture captures are generated once per run with tests/fixtures/mkhome.py;
every test uses its own fresh state directory.
"""

import calendar
import glob
import ipaddress
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timezone

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or
                        os.path.join(REPO, "build"))
SHARED = os.path.abspath(os.environ.get("YAMORI_SHARED") or
                         os.path.join(REPO, "..", "shared"))
PCAPS = os.path.join(SHARED, "pcaps")


def _asan_build():
    env = os.environ.get("YAMORI_BUILD_ASAN")
    if env:
        return os.path.abspath(env)
    default = os.path.join(REPO, "build-asan")
    return default if os.path.isdir(default) else None


BUILD_ASAN = _asan_build()
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")

TIMEOUT = 120  # seconds, per process; the whole file should take far less


def utc(*args):
    return calendar.timegm(args)


# Capture periods (see the table at the top of tests/fixtures/mkhome.py).
PART1_START = utc(2026, 11, 1, 9, 0, 0)
PART1_END = utc(2026, 11, 1, 10, 59, 0) + 0.0381
PART2_START = utc(2026, 11, 1, 12, 0, 0)
PART2_END = utc(2026, 11, 1, 12, 29, 15) + 0.0381

ROUTER = "6c:e4:da:a0:10:01"
PHONE = "5a:3c:91:d2:7e:04"
CAMERA = "d0:37:45:8e:31:c2"
PRINTER = "3c:2a:f4:6b:40:1e"
TV = "fc:f1:52:e5:50:9b"
CONSOLE = "98:e8:fa:4d:60:a7"
LAPTOP = "ac:ed:5c:70:70:ab"
PLUG = "24:6f:28:3a:1f:2c"

# mac -> (ipv4, [ipv6...], hostname or None, acceptable hostnames when the
#         table has no DHCP hostname, vendor)
HOUSEHOLD = {
    ROUTER: ("192.168.10.1", ["fe80::1", "2001:db8:10:1::1"], None, {""},
             "NEC"),
    PHONE: ("192.168.10.23", ["fe80::1c4b:2a9e:d077:31f5",
                              "2001:db8:10:1::23"], "Hanako-iPhone", None,
            "Apple"),
    CAMERA: ("192.168.10.31", [], "Tapo_C200", None, "TP-Link"),
    # The printer has no DHCP hostname; its names are the mDNS ones.
    PRINTER: ("192.168.10.40", [], None, {"", "BRN3C2AF46B401E",
                                          "BRN3C2AF46B401E.local",
                                          "Brother HL-L2350DW series"},
              "Brother"),
    TV: ("192.168.10.50", [], "BRAVIA-KJ-55X9500G", None, "Sony"),
    CONSOLE: ("192.168.10.60", ["fe80::9ae8:faff:fe4d:60a7"], None, {""},
              "Nintendo"),
    LAPTOP: ("192.168.10.70", ["fe80::aeed:5cff:fe70:70ab",
                               "2001:db8:10:1::70"], "taro-laptop", None,
             "Intel"),
}
PLUG_INFO = ("192.168.10.80", [], "ESP_3A1F2C", None, "Tuya")  # Espressif module, Tuya cloud: the platform names the maker
PART1_MACS = set(HOUSEHOLD)
ALL_MACS = PART1_MACS | {PLUG}

REMOTE_NETS = [ipaddress.ip_network(n) for n in
               ("203.0.113.0/24", "198.51.100.0/24", "2001:db8:ffff::/48")]

SANITIZER_RE = re.compile(
    r"ERROR: (Address|Leak|Memory|Thread|UndefinedBehavior)Sanitizer"
    r"|runtime error:|SUMMARY: \w+Sanitizer")


def rfc3339(s):
    """'2026-11-01T09:00:00Z' (optionally with fractions) -> epoch float."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", s)
    if not m:
        raise AssertionError("not an RFC 3339 UTC time: %r" % (s,))
    dt = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    return (dt.replace(tzinfo=timezone.utc).timestamp() +
            (float(m.group(2)) if m.group(2) else 0.0))


# ---------------------------------------------------------------------------
# pcap helpers
# ---------------------------------------------------------------------------

def read_pcap(path):
    """Classic little-endian usec pcap -> (global header, [(hdr, data)])."""
    with open(path, "rb") as f:
        blob = f.read()
    ghdr = blob[:24]
    if struct.unpack("<I", ghdr[:4])[0] != 0xA1B2C3D4:
        raise ValueError("%s: not a little-endian usec pcap" % path)
    recs = []
    off = 24
    while off + 16 <= len(blob):
        hdr = blob[off:off + 16]
        incl = struct.unpack("<I", hdr[8:12])[0]
        if off + 16 + incl > len(blob):
            break  # partial record
        recs.append((hdr, blob[off + 16:off + 16 + incl]))
        off += 16 + incl
    return ghdr, recs


def pcap_ts(hdr):
    sec, usec = struct.unpack("<II", hdr[:8])
    return sec + usec / 1e6


def write_repeated_pcap(src, dst, copies, shift):
    """Concatenate src `copies` times, shifting ts_sec by shift*k."""
    ghdr, recs = read_pcap(src)
    with open(dst, "wb") as out:
        out.write(ghdr)
        for k in range(copies):
            for hdr, data in recs:
                sec = struct.unpack("<I", hdr[:4])[0] + k * shift
                out.write(struct.pack("<I", sec) + hdr[4:])
                out.write(data)
    return copies * len(recs)


def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def write_random_mac_pcap(path, count, seed=4242):
    """`count` Ethernet/IPv4/UDP frames, each from a new random locally
    administered MAC and a random 10.x address, 1 ms apart."""
    rng = random.Random(seed)
    t0 = utc(2026, 11, 2, 8, 0, 0)
    seen = set()
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            while True:
                mac = bytes([(rng.randrange(256) & 0xFC) | 0x02] +
                            [rng.randrange(256) for _ in range(5)])
                if mac not in seen:
                    seen.add(mac)
                    break
            src = bytes([10, rng.randrange(256), rng.randrange(256),
                         rng.randrange(1, 255)])
            payload = b"yamori-limit-test-%05d" % i
            udp = struct.pack("!HHHH", rng.randrange(1024, 65535), 9999,
                              8 + len(payload), 0) + payload
            iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp),
                              i & 0xFFFF, 0, 64, 17, 0, src,
                              bytes([10, 255, 255, 255]))
            iph = iph[:10] + struct.pack("!H", ip_checksum(iph)) + iph[12:]
            frame = b"\xff" * 6 + mac + b"\x08\x00" + iph + udp
            if len(frame) < 60:
                frame += b"\0" * (60 - len(frame))
            ts = t0 * 1000000 + i * 1000
            out.write(struct.pack("<IIII", ts // 1000000, ts % 1000000,
                                  len(frame), len(frame)))
            out.write(frame)


def capinfos_count(path):
    exe = shutil.which("capinfos")
    if not exe:
        return None
    p = subprocess.run([exe, "-c", "-M", path], capture_output=True,
                       text=True, timeout=60)
    m = re.search(r"Number of packets:\s*(\d+)", p.stdout)
    return int(m.group(1)) if p.returncode == 0 and m else None


# ---------------------------------------------------------------------------
# test base
# ---------------------------------------------------------------------------

class YamoriCase(unittest.TestCase):
    fixtures = None
    _tmp = None

    @classmethod
    def setUpClass(cls):
        for exe in (YAMORID, YAMORICTL):
            if not os.access(exe, os.X_OK):
                # a wrong YAMORI_BUILD must not pass as "all skipped"
                raise RuntimeError("%s is not built (set YAMORI_BUILD)" % exe)
        if YamoriCase.fixtures is None:
            YamoriCase._tmp = tempfile.mkdtemp(prefix="yamori-fixtures-")
            fx = os.path.join(YamoriCase._tmp, "fx")
            os.mkdir(fx)
            subprocess.run([sys.executable, MKHOME, "--out", fx], check=True,
                           capture_output=True, timeout=TIMEOUT)
            YamoriCase.fixtures = fx

    def fx(self, name):
        return os.path.join(self.fixtures, name)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yamori-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.state = os.path.join(self.tmp, "state")

    def new_state(self, name):
        return os.path.join(self.tmp, name)

    # -- processes ---------------------------------------------------------

    def run_cmd(self, argv, env=None, timeout=TIMEOUT):
        return subprocess.run(argv, capture_output=True, text=True, env=env,
                              timeout=timeout, errors="replace")

    def yamorid(self, *args, env=None, exe=YAMORID):
        return self.run_cmd([exe] + [str(a) for a in args], env=env)

    def replay(self, *files, state=None, config="/dev/null", exe=YAMORID,
               env=None):
        state = state or self.state
        argv = []
        for f in files:
            argv += ["-r", f]
        argv += ["--state-dir", state]
        if config is not None:
            argv += ["-c", config]
        p = self.yamorid(*argv, exe=exe, env=env)
        self.assertEqual(p.returncode, 0,
                         "yamorid %s failed (rc %d): %s"
                         % (" ".join(argv), p.returncode, p.stderr))
        return p

    def ctl(self, *args, state=None, env=None):
        return self.run_cmd([YAMORICTL, "--state-dir", state or self.state] +
                            list(args), env=env)

    def ctl_json(self, cmd, state=None):
        p = self.ctl(cmd, "--json", state=state)
        self.assertEqual(p.returncode, 0, "yamorictl %s --json failed: %s"
                         % (cmd, p.stderr))
        try:
            return json.loads(p.stdout)
        except ValueError as e:
            self.fail("yamorictl %s --json printed invalid JSON (%s): %.300r"
                      % (cmd, e, p.stdout))

    def devices(self, state=None):
        devs = self.ctl_json("devices", state)
        self.assertIsInstance(devs, list)
        by_mac = {}
        for d in devs:
            self.assertNotIn(d["mac"], by_mac, "device listed twice")
            by_mac[d["mac"]] = d
        return by_mac

    def status(self, state=None):
        st = self.ctl_json("status", state)
        self.assertIsInstance(st, dict)
        return st

    def assertOneLine(self, text, what):
        lines = text.strip().splitlines()
        self.assertEqual(len(lines), 1, "%s: expected one line on stderr, got "
                         "%r" % (what, text))
        return lines[0]

    def assertNoSanitizerReport(self, stderr, what):
        m = SANITIZER_RE.search(stderr)
        if m:
            start = max(0, m.start() - 200)
            self.fail("%s: sanitizer report on stderr:\n%s"
                      % (what, stderr[start:start + 3000]))

    def assertDevice(self, dev, info):
        ipv4, ipv6, hostname, other_names, vendor = info
        mac = dev["mac"]
        expected_ips = {ipv4} | set(ipv6)
        got = set(dev["ips"])
        self.assertEqual(got, expected_ips, "%s: ips" % mac)
        if hostname is not None:
            self.assertEqual(dev["hostname"], hostname, "%s: hostname" % mac)
            self.assertEqual(dev["name"], hostname, "%s: name" % mac)
        else:
            self.assertIn(dev["hostname"], other_names, "%s: hostname" % mac)
            self.assertIn(dev["name"], other_names, "%s: name" % mac)
        # The registry's organisation name, or the brand identification
        # gives it: either way the maker's name is in it.
        if vendor:
            self.assertIn(vendor.lower(), dev["vendor"].lower(), "%s: vendor" % mac)
        else:
            self.assertEqual(dev["vendor"], "", "%s: vendor" % mac)


# ---------------------------------------------------------------------------
# 1-4: the synthetic household
# ---------------------------------------------------------------------------

class HouseholdTest(YamoriCase):

    def test_household_replay(self):
        self.replay(self.fx("home.pcap"))
        devs = self.devices()
        self.assertEqual(set(devs), PART1_MACS,
                         "exactly the 7 devices of home.pcap")
        for mac, info in HOUSEHOLD.items():
            with self.subTest(device=mac):
                self.assertDevice(devs[mac], info)
        # the phone: randomized MAC, no vendor
        self.assertIn("randomized_mac", devs[PHONE]["flags"])
        for mac in PART1_MACS - {PHONE}:
            self.assertNotIn("randomized_mac", devs[mac]["flags"], mac)
        # the router is the only gateway
        gateways = [m for m, d in devs.items() if d["gateway"] is True]
        self.assertEqual(gateways, [ROUTER])
        self.assertEqual(devs[ROUTER]["type"], "router")
        for mac, d in devs.items():
            self.assertIsInstance(d["gateway"], bool, mac)
            if mac != ROUTER:
                self.assertNotEqual(d["type"], "router", mac)
        # remote hosts are never device addresses
        for mac, d in devs.items():
            for ip in d["ips"]:
                addr = ipaddress.ip_address(ip)
                self.assertFalse(any(addr in n for n in REMOTE_NETS),
                                 "%s lists remote address %s" % (mac, ip))
        # times inside the capture period
        for mac, d in devs.items():
            first, last = rfc3339(d["first_seen"]), rfc3339(d["last_seen"])
            self.assertLessEqual(first, last, mac)
            self.assertGreaterEqual(first, PART1_START, mac)
            self.assertLessEqual(last, PART1_END, mac)
        # the TV streams: more down than up
        tv = devs[TV]
        self.assertGreater(tv["bytes_down"], tv["bytes_up"])
        self.assertGreater(tv["bytes_up"], 0)
        st = self.status()
        self.assertEqual(st["malformed"], 6)
        self.assertEqual(sum(st["malformed_by_reason"].values()), 6)
        self.assertEqual(st["packets"], 2387)
        self.assertEqual(st["state"], "stopped")

    def test_two_files_one_capture(self):
        self.replay(self.fx("home.pcap"), self.fx("home-part2.pcapng"))
        devs = self.devices()
        self.assertEqual(set(devs), ALL_MACS, "8 devices")
        self.assertDevice(devs[PLUG], PLUG_INFO)
        st = self.status()
        self.assertEqual(st["files"]["total"], 2)
        self.assertEqual(st["files"]["read"], 2)
        self.assertEqual(st["files"]["truncated"], 0)
        self.assertEqual(st["packets"], 2387 + 413)
        self.assertEqual(st["malformed"], 6)
        last = rfc3339(devs[ROUTER]["last_seen"])
        self.assertGreaterEqual(last, PART2_START)
        self.assertLessEqual(last, PART2_END)
        # one capture: the router was first seen in part 1
        self.assertLess(rfc3339(devs[ROUTER]["first_seen"]), PART1_END)
        first_plug = rfc3339(devs[PLUG]["first_seen"])
        self.assertGreaterEqual(first_plug, PART2_START)

    def test_truncated_capture(self):
        trunc = self.fx("truncated.pcap")
        p = self.replay(trunc)
        self.assertIn(trunc, p.stderr, "stderr should name the cut file")
        st = self.status()
        self.assertEqual(st["files"]["truncated"], 1)
        self.assertEqual(st["files"]["read"], 1)
        _, recs = read_pcap(trunc)
        self.assertEqual(st["packets"], len(recs),
                         "every complete record before the cut is counted")
        cut = int(pcap_ts(recs[-1][0]))
        got = self.devices()

        full_state = self.new_state("full")
        self.replay(self.fx("home.pcap"), state=full_state)
        full = self.devices(full_state)
        before_cut = {m for m, d in full.items()
                      if rfc3339(d["first_seen"]) < cut}
        self.assertTrue(before_cut, "no device before the cut?")
        self.assertLessEqual(before_cut, set(got),
                             "devices seen before the cut are missing")
        self.assertLessEqual(set(got), set(full))
        for mac in before_cut:
            self.assertEqual(got[mac]["first_seen"], full[mac]["first_seen"],
                             mac)
            self.assertEqual(got[mac]["hostname"], full[mac]["hostname"], mac)
            self.assertEqual(got[mac]["vendor"], full[mac]["vendor"], mac)

    def test_persistence_across_runs(self):
        self.replay(self.fx("home.pcap"))
        after1 = self.devices()
        self.assertEqual(set(after1), PART1_MACS)
        self.replay(self.fx("home-part2.pcapng"))
        after2 = self.devices()
        self.assertEqual(set(after2), ALL_MACS,
                         "part-1 devices kept and the plug added")
        for mac in PART1_MACS:
            with self.subTest(device=mac):
                self.assertEqual(after2[mac]["first_seen"],
                                 after1[mac]["first_seen"])
                self.assertEqual(after2[mac]["hostname"],
                                 after1[mac]["hostname"])
                self.assertEqual(after2[mac]["vendor"], after1[mac]["vendor"])
                self.assertLessEqual(set(after1[mac]["ips"]),
                                     set(after2[mac]["ips"]))
        self.assertDevice(after2[PLUG], PLUG_INFO)
        self.assertTrue(after2[ROUTER]["gateway"])
        last = rfc3339(after2[ROUTER]["last_seen"])
        self.assertGreaterEqual(last, PART2_START)
        # the console is absent from part 2: last seen stays in part 1
        self.assertEqual(after2[CONSOLE]["last_seen"],
                         after1[CONSOLE]["last_seen"])


# ---------------------------------------------------------------------------
# 5: exit codes
# ---------------------------------------------------------------------------

class ExitCodeTest(YamoriCase):

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_nonexistent_capture(self):
        path = os.path.join(self.tmp, "no-such-capture.pcap")
        p = self.yamorid("-r", path, "--state-dir", self.state,
                         "-c", "/dev/null")
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "missing capture")
        self.assertIn(path, line)

    def test_not_a_capture(self):
        path = self.write("notes.pcap", "this is a shopping list\n" * 20)
        p = self.yamorid("-r", path, "--state-dir", self.state,
                         "-c", "/dev/null")
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "text file as capture")
        self.assertIn(path, line)

    def test_bad_config_unknown_key(self):
        conf = self.write("unknown.conf",
                          "# yamori\nmax_flows = 4096\nfavourite_colour = blue\n")
        p = self.yamorid("-r", self.fx("home.pcap"), "--state-dir",
                         self.state, "-c", conf)
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "unknown config key")
        self.assertIn("%s:3" % conf, line)

    def test_bad_config_bad_number(self):
        conf = self.write("badnum.conf", "\nmax_devices = lots\n")
        p = self.yamorid("-r", self.fx("home.pcap"), "--state-dir",
                         self.state, "-c", conf)
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "bad number in config")
        self.assertIn("%s:2" % conf, line)

    def test_missing_config(self):
        conf = os.path.join(self.tmp, "missing.conf")
        p = self.yamorid("-r", self.fx("home.pcap"), "--state-dir",
                         self.state, "-c", conf)
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "missing config")
        self.assertIn(conf, line)

    def test_live_and_file_together(self):
        p = self.yamorid("-i", "lo", "-r", self.fx("home.pcap"),
                         "--state-dir", self.state, "-c", "/dev/null")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneLine(p.stderr, "-i with -r")

    def test_no_arguments(self):
        p = self.yamorid()
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertTrue(p.stderr.strip(), "no reason given on stderr")

    def test_ctl_unknown_command(self):
        self.replay(self.fx("home-part2.pcapng"))
        p = self.ctl("frobnicate")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("frobnicate", p.stderr)

    def test_ctl_empty_state_dir(self):
        empty = self.new_state("empty")
        os.mkdir(empty)
        for args in (["devices"], ["devices", "--json"], ["status"]):
            with self.subTest(args=args):
                p = self.ctl(*args, state=empty)
                self.assertNotEqual(p.returncode, 0)
                line = self.assertOneLine(p.stderr, "empty state dir")
                self.assertNotRegex(line.lower(), r"sqlite|traceback|errno")
                self.assertEqual(p.stdout.strip(), "")
        self.assertEqual(os.listdir(empty), [],
                         "yamorictl must not create data in the state dir")

    def test_unusable_state_dir(self):
        afile = self.write("plainfile", "x")
        p = self.yamorid("-r", self.fx("home.pcap"), "--state-dir",
                         os.path.join(afile, "state"), "-c", "/dev/null")
        self.assertEqual(p.returncode, 2, p.stderr)
        line = self.assertOneLine(p.stderr, "state dir under a file")
        self.assertIn(afile, line)


# ---------------------------------------------------------------------------
# 6: yamorictl tables
# ---------------------------------------------------------------------------

def _env_without_locale(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG",
                        "YAMORI_LOCALEDIR")}
    env.update(extra)
    return env


class TableTest(YamoriCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shared_state = tempfile.mkdtemp(prefix="yamori-table-")
        p = subprocess.run([YAMORID, "-r", os.path.join(cls.fixtures,
                                                        "home.pcap"),
                            "--state-dir", cls.shared_state, "-c",
                            "/dev/null"], capture_output=True, text=True,
                           timeout=TIMEOUT)
        if p.returncode != 0:
            raise AssertionError("yamorid failed: %s" % p.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared_state, True)
        super().tearDownClass()

    def test_devices_table(self):
        p = self.ctl("devices", state=self.shared_state,
                     env=_env_without_locale(LANG="C"))
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = {}
        for line in p.stdout.splitlines():
            for mac in HOUSEHOLD:
                if mac in line:
                    rows[mac] = line
        self.assertEqual(set(rows), PART1_MACS,
                         "every device has a row:\n" + p.stdout)
        for mac, (ipv4, _, hostname, _, vendor) in HOUSEHOLD.items():
            with self.subTest(device=mac):
                row = rows[mac]
                if hostname:
                    self.assertIn(hostname, row)
                if vendor:
                    # a narrow column may cut long maker names
                    self.assertIn(vendor.lower()[:20], row.lower())
                self.assertIn(ipv4, row)

    def test_devices_table_japanese(self):
        mo = os.path.join(BUILD, "locale", "ja", "LC_MESSAGES", "yamori.mo")
        if not os.path.exists(mo):
            self.skipTest("%s not built: no Japanese catalogue" % mo)
        en = self.ctl("devices", state=self.shared_state,
                      env=_env_without_locale(LANG="C"))
        ja = self.ctl("devices", state=self.shared_state,
                      env=_env_without_locale(LANG="ja_JP.UTF-8",
                                              LANGUAGE="ja"))
        self.assertEqual(en.returncode, 0, en.stderr)
        self.assertEqual(ja.returncode, 0, ja.stderr)
        en_header = en.stdout.splitlines()[0]
        ja_header = ja.stdout.splitlines()[0]
        self.assertNotEqual(ja_header, en_header,
                            "table header is not translated under "
                            "LANG=ja_JP.UTF-8 LANGUAGE=ja")
        self.assertRegex(ja_header, r"[^\x00-\x7f]",
                         "Japanese header has no Japanese text")
        for mac, info in HOUSEHOLD.items():
            if info[2]:
                self.assertIn(info[2], ja.stdout)

    def test_status_table(self):
        p = self.ctl("status", state=self.shared_state,
                     env=_env_without_locale(LANG="C"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?<![\d,])2,?387(?![\d,])",
                         "packet count missing from status")


# ---------------------------------------------------------------------------
# 7: shared real-world captures
# ---------------------------------------------------------------------------

def shared_capture(rel):
    return os.path.join(PCAPS, rel)


class SharedCaptureTest(YamoriCase):

    def need(self, rel):
        if not os.path.isdir(PCAPS):
            self.skipTest("no shared captures: %s is missing" % PCAPS)
        path = shared_capture(rel)
        if not os.path.exists(path):
            self.skipTest("shared capture %s is missing" % path)
        return path

    def test_iphone(self):
        path = self.need("ndpi/iphone.pcap")
        self.replay(path)
        devs = self.devices()
        phones = [d for d in devs.values() if d["hostname"] == "Lucas-iPhone"]
        self.assertEqual(len(phones), 1, "one device named Lucas-iPhone")
        self.assertIn("Apple", phones[0]["vendor"])

    def test_1kxun_lan(self):
        path = self.need("ndpi/1kxun.pcap")
        self.replay(path)
        devs = self.devices()
        with_vendor = [d for d in devs.values() if d["vendor"]]
        self.assertGreaterEqual(len(with_vendor), 25,
                                "LAN devices with a maker")
        for mac, d in devs.items():
            for ip in d["ips"]:
                addr = ipaddress.ip_address(ip)
                if addr.version == 4:
                    self.assertTrue(addr.is_private,
                                    "%s has public address %s: a remote "
                                    "server became a device" % (mac, ip))
        gateways = [m for m, d in devs.items() if d["gateway"]]
        self.assertEqual(len(gateways), 1, "exactly one gateway: %s"
                         % gateways)

    def test_hostile_captures(self):
        if not os.path.isdir(PCAPS):
            self.skipTest("no shared captures: %s is missing" % PCAPS)
        files = sorted(glob.glob(os.path.join(PCAPS, "tcpdump", "pcap", "*")))
        files += [shared_capture("ndpi/" + n) for n in
                  ("badpackets.pcap", "dhcp-fuzz.pcapng", "malformed_dns.pcap",
                   "ip_fragmented_garbage.pcap")]
        files = [f for f in files if os.path.isfile(f)]
        if not files:
            self.skipTest("none of the hostile captures are present")
        exe = YAMORID
        env = None
        if BUILD_ASAN:
            asan = os.path.join(BUILD_ASAN, "daemon", "yamorid")
            if os.access(asan, os.X_OK):
                exe = asan
                env = dict(os.environ,
                           ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
                           UBSAN_OPTIONS="halt_on_error=1")
        for path in files:
            rel = os.path.relpath(path, PCAPS)
            with self.subTest(capture=rel, binary=exe):
                state = self.new_state("st-" + rel.replace("/", "_"))
                p = self.yamorid("-r", path, "--state-dir", state, "-c",
                                 "/dev/null", exe=exe, env=env)
                self.assertNoSanitizerReport(p.stderr, rel)
                self.assertEqual(p.returncode, 0, "%s: rc %d: %s"
                                 % (rel, p.returncode, p.stderr[-2000:]))
                st = self.status(state)
                self.assertEqual(st["files"]["read"], 1)
                expected = capinfos_count(path)
                if expected is not None:
                    self.assertEqual(st["packets"], expected,
                                     "%s: packets counted" % rel)
                else:
                    self.assertGreater(st["packets"], 0)
                if os.path.basename(path) == "badpackets.pcap":
                    self.assertGreater(st["malformed"], 0)


# ---------------------------------------------------------------------------
# 8: kill -9 safety
# ---------------------------------------------------------------------------

class KillTest(YamoriCase):

    def assertNoDataYet(self, state, why):
        """yamorictl on a state dir without Yamori data yet: a plain
        'no data, run yamorid first' message, never a hard error."""
        p = self.ctl("devices", "--json", state=state)
        self.assertNotEqual(p.returncode, 0, why)
        line = self.assertOneLine(p.stderr, why)
        self.assertNotIn("not a Yamori database", line,
                         "%s: the daemon's own half-created database is "
                         "reported as foreign" % why)
        self.assertEqual(p.stdout.strip(), "")

    def check_after_kill(self, state, why):
        db = os.path.join(state, "yamori.db")
        if not os.path.exists(db):
            # killed before the store existed
            self.assertNoDataYet(state, why)
            return
        # the CLI first (a Python connection could repair a hot journal and
        # hide a problem), then SQLite's own check
        p = self.ctl("devices", "--json", state=state)
        con = sqlite3.connect(db)
        try:
            res = con.execute("PRAGMA integrity_check").fetchall()
            schema = con.execute("SELECT count(*) FROM sqlite_master"
                                 ).fetchone()[0]
        finally:
            con.close()
        self.assertEqual(res, [("ok",)], why)
        if schema == 0:
            # killed while the store was being created: no data yet
            self.assertNoDataYet(state, why)
        else:
            self.assertEqual(p.returncode, 0, "%s: yamorictl: %s"
                             % (why, p.stderr))
            devs = json.loads(p.stdout)
            self.assertIsInstance(devs, list)
            self.assertLessEqual({d["mac"] for d in devs}, PART1_MACS)
        # the daemon starts again on the same state and finishes
        self.replay(self.fx("home-part2.pcapng"), state=state)
        self.assertIn(PLUG, self.devices(state))

    def test_sigkill_keeps_database_sound(self):
        big = os.path.join(self.tmp, "home-x40.pcap")
        write_repeated_pcap(self.fx("home.pcap"), big, 40, 7200)
        conf = os.path.join(self.tmp, "commit.conf")
        with open(conf, "w") as f:
            f.write("commit_interval = 1\n")
        killed = 0
        for i, delay in enumerate((0.05, 0.1, 0.2, 0.4, 0.8)):
            with self.subTest(kill_after=delay):
                state = self.new_state("kill%d" % i)
                proc = subprocess.Popen(
                    [YAMORID, "-r", big, "--state-dir", state, "-c", conf],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(delay)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    killed += 1
                _, err = proc.communicate(timeout=TIMEOUT)
                if proc.returncode != -signal.SIGKILL:
                    self.assertEqual(proc.returncode, 0, err)
                self.check_after_kill(state, "kill -9 after %.2f s" % delay)
        self.assertGreater(killed, 0, "yamorid finished before any kill; "
                           "the capture is too small to test kill -9")

    def test_killed_while_creating_store(self):
        # What a kill -9 during yamorid's first start leaves behind (seen
        # with kills a few ms after start): an empty yamori.db and an empty
        # rollback journal.  Made by hand so the window is hit every time.
        os.mkdir(self.state)
        for name in ("yamori.db", "yamori.db-journal"):
            open(os.path.join(self.state, name), "wb").close()
        self.check_after_kill(self.state, "empty database file")


# ---------------------------------------------------------------------------
# 9: limits
# ---------------------------------------------------------------------------

class LimitTest(YamoriCase):

    def test_random_mac_flood(self):
        cap = os.path.join(self.tmp, "flood.pcap")
        write_random_mac_pcap(cap, 5000)
        conf = os.path.join(self.tmp, "limits.conf")
        with open(conf, "w") as f:
            f.write("max_devices = 64\nmax_stored_devices = 100\n")
        self.replay(cap, config=conf)
        st = self.status()
        self.assertEqual(st["packets"], 5000)
        self.assertLessEqual(st["devices"]["in_memory"], 64)
        self.assertGreater(st["devices"]["in_memory"], 0)
        devs = self.devices()
        self.assertGreater(len(devs), 0)
        self.assertLessEqual(len(devs), 100, "stored device table unbounded")


if __name__ == "__main__":
    try:
        unittest.main(verbosity=2)
    finally:
        if YamoriCase._tmp:
            shutil.rmtree(YamoriCase._tmp, True)
