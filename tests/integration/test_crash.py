#!/usr/bin/env python3
"""Crash and power loss (issue 17): kill -9 at random moments.

yamorid is killed with SIGKILL at moments drawn from a seeded generator
(YAMORI_CRASH_SEED, default 17; the seed and every moment are printed so a
failure can be replayed) while it

  - replays the sample household from a file and then serves its socket
    (--serve), with API writes (rename, acknowledge, settings) sent from a
    second thread up to the kill;
  - captures live in network namespaces this test creates (10.232.0.0/24,
    private, nothing leaves them: a veth pair, a device pinging and probing
    ports of the box), with the same API writes.

Each scenario keeps one state directory across its kills, as a box that
loses power again and again keeps its SD card. After each kill:

  - `PRAGMA integrity_check` is ok;
  - every change the API answered "ok" to is there (a value sent after the
    last "ok" may or may not be, as its answer never came);
  - every alert row another reader saw committed before the kill is there
    (same kind, device and target), and so is every device it saw;
  - the committed status is no newer than what was seen (a restart starts).

A kill -9 loses nothing the kernel holds; a power cut also loses what is
not synced. What is acknowledged is synced before "ok" (the WAL is
fdatasync'd: ym_store_commit_durable); the test checks the ordering of
promises through a process kill, which is what can be done without
pulling a plug. Python 3 standard library only; the live part needs root.

    python3 tests/integration/test_crash.py [-v]
"""

import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import ymapi  # noqa: E402  (tests/integration, the script's folder)

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")
CONF = os.path.join(REPO, "data", "yamori.conf")
SEED = int(os.environ.get("YAMORI_CRASH_SEED", "17"))
KILLS_REPLAY = 5
KILLS_LIVE = 4

PID = os.getpid()
NS_DEV = "ymcrash-dev%d" % PID
NS_BOX = "ymcrash-box%d" % PID
DEV_IP, BOX_IP = "10.232.0.2", "10.232.0.1"

# Devices of the sample household (tests/fixtures/mkhome.py).
HOUSEHOLD = ["d0:37:45:8e:31:c2", "98:e8:fa:4d:60:a7", "3c:2a:f4:6b:40:1e"]

FIXTURES = None


def setUpModule():
    global FIXTURES
    FIXTURES = tempfile.mkdtemp(prefix="ymcrash-fx-")
    subprocess.run([sys.executable, MKHOME, "--out", FIXTURES], check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    print("crash seed %d (YAMORI_CRASH_SEED)" % SEED, file=sys.stderr)


def tearDownModule():
    shutil.rmtree(FIXTURES, ignore_errors=True)


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def can_make_namespaces():
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    probe = "ymcrash-probe%d" % PID
    ok = sh("ip", "netns", "add", probe, check=False).returncode == 0
    if ok:
        sh("ip", "netns", "del", probe, check=False)
    return ok


ask = ymapi.ask  # one request; the answer, or None when none came


class Promises:
    """What was sent and what was answered "ok", per thing changed."""

    def __init__(self):
        self.hist = {}  # key -> [[value, acked]]

    def sent(self, key, value):
        entry = [value, False]
        self.hist.setdefault(key, []).append(entry)
        return entry

    def allowed(self, key):
        """The values the record may hold: the last acknowledged one or
        any sent after it; None when nothing was acknowledged."""
        h = self.hist.get(key, [])
        last = max((i for i, (_, ok) in enumerate(h) if ok), default=None)
        if last is None:
            return None
        return {v for v, _ in h[last:]}


class Writer(threading.Thread):
    """API writes, one after another, until the daemon stops answering."""

    def __init__(self, sock, promises, macs, rng):
        super().__init__(daemon=True)
        self.sock, self.p, self.macs, self.rng = sock, promises, macs, rng
        self.n = 0
        self.stop = False

    def run(self):
        while not self.stop:
            kind = self.rng.choice(("rename", "rename", "settings", "acknowledge"))
            if kind == "rename":
                mac = self.rng.choice(self.macs)
                name = "機器-%d" % self.rng.randrange(10 ** 6)
                req = {"cmd": "rename", "args": {"mac": mac, "name": name}}
                key = ("name", mac)
                entry = self.p.sent(key, name)
            elif kind == "settings":
                value = self.rng.choice(("never", "ask", "critical"))
                req = {"cmd": "settings", "args": {"auto_isolate": value}}
                key = ("auto_isolate",)
                entry = self.p.sent(key, value)
            else:
                r = ask(self.sock, {"cmd": "alerts"})
                if r is None:
                    return
                open_ = [a for a in r.get("result") or [] if a.get("state") == "open"]
                if not open_:
                    continue
                aid = self.rng.choice(open_)["id"]
                req = {"cmd": "acknowledge", "args": {"id": aid}}
                key = ("ack", aid)
                entry = self.p.sent(key, "acknowledged")
            r = ask(self.sock, req)
            if r is None:
                return
            if r.get("ok"):
                entry[1] = True
                self.n += 1
            else:
                # Refused (a device not seen yet in this run): no promise.
                self.p.hist[key].remove(entry)


class Committed:
    """What another reader sees committed, sampled until the kill."""

    def __init__(self, db):
        self.db = db
        self.alerts = {}   # id -> (kind, mac, target)
        self.devices = set()
        self.samples = 0

    def sample(self):
        if not os.path.exists(self.db):
            return
        try:
            con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=1)
            try:
                with con:
                    alerts = {i: (k, m, t) for i, k, m, t in con.execute(
                        "SELECT id, kind, mac, target FROM alerts")}
                    devices = {m for (m,) in con.execute("SELECT mac FROM devices")}
            finally:
                con.close()
        except sqlite3.Error:
            return  # not created yet, or busy: the next sample
        self.alerts.update(alerts)
        self.devices |= devices
        self.samples += 1


@unittest.skipUnless(os.path.exists(YAMORID), "yamorid not built")
class KillNine(unittest.TestCase):

    def run_and_kill(self, argv, state, at, promises, macs, rng, sock, ready_sock=True):
        """Starts yamorid, writes through its API from a thread once the
        socket answers, samples the committed record, and kills it AT
        seconds after the start."""
        db = os.path.join(state, "yamori.db")
        committed = Committed(db)
        with open(os.path.join(state, "yamorid.log"), "a") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        start = time.monotonic()
        writer = None
        try:
            while time.monotonic() - start < at:
                if proc.poll() is not None:
                    self.fail("yamorid ended by itself (exit %d); see %s/yamorid.log"
                              % (proc.returncode, state))
                if writer is None and ready_sock and os.path.exists(sock):
                    writer = Writer(sock, promises, macs, random.Random(rng.random()))
                    writer.start()
                committed.sample()
                time.sleep(0.02)
            proc.kill()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if writer:
                writer.stop = True
                writer.join(timeout=30)
        return committed, writer.n if writer else 0

    def check(self, state, promises, committed, label):
        con = sqlite3.connect(os.path.join(state, "yamori.db"))
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", label)
            names = dict(con.execute("SELECT mac, user_name FROM devices"))
            alerts = {i: (k, m, t) for i, k, m, t in con.execute(
                "SELECT id, kind, mac, target FROM alerts")}
            states = dict(con.execute("SELECT id, state FROM alerts"))
            row = con.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
            settings = json.loads(row[0]) if row else {}
        finally:
            con.close()
        for key in list(promises.hist):
            allowed = promises.allowed(key)
            if allowed is None:
                continue
            if key[0] == "name":
                self.assertIn(names.get(key[1]), allowed, "%s: %s" % (label, key))
            elif key[0] == "auto_isolate":
                self.assertIn(settings.get("auto_isolate"), allowed, label)
            elif key[0] == "ack":
                self.assertEqual(states.get(key[1]), "acknowledged", "%s: alert %s" % (label, key[1]))
        for aid, what in committed.alerts.items():
            self.assertEqual(alerts.get(aid), what, "%s: committed alert %d lost" % (label, aid))
        self.assertLessEqual(committed.devices, set(names), "%s: committed devices lost" % label)

    def scenario(self, name, argv, state, kills, macs, rng, window):
        sock = os.path.join(state, "yamori.sock")
        promises = Promises()
        acked = seen = 0
        for k in range(kills):
            # The last kill comes late in the window, once alerts have been
            # committed (a failed connection is judged when its flow ends,
            # 10 s after its last packet), so that promise is tested too.
            at = rng.uniform(*window) if k < kills - 1 else \
                rng.uniform(window[0] + 0.8 * (window[1] - window[0]), window[1])
            print("%s kill %d at %.2f s" % (name, k + 1, at), file=sys.stderr)
            committed, n = self.run_and_kill(argv, state, at, promises, macs, rng, sock)
            acked += n
            seen = max(seen, len(committed.alerts))
            self.check(state, promises, committed, "%s kill %d at %.2f s" % (name, k + 1, at))
        print("%s: %d kills, %d acknowledged writes checked, up to %d committed alerts "
              "checked" % (name, kills, acked, seen), file=sys.stderr)
        self.assertGreater(acked, 0, "no write was acknowledged: the kills came too early")
        self.assertGreater(seen, 0, "no alert was committed before a kill")

    def test_kill_9_during_replay_and_api_writes(self):
        rng = random.Random(SEED)
        state = tempfile.mkdtemp(prefix="ymcrash-replay-")
        try:
            argv = [YAMORID, "-r", os.path.join(FIXTURES, "home.pcap"), "--state-dir", state,
                    "-c", CONF, "--serve"]
            # From the first packets (the replay takes about half a second)
            # to API writes while it serves.
            self.scenario("replay", argv, state, KILLS_REPLAY, HOUSEHOLD, rng, (0.2, 3.0))
        finally:
            shutil.rmtree(state, ignore_errors=True)

    @unittest.skipUnless(can_make_namespaces(), "needs root and ip netns (./run.sh test runs it as root)")
    def test_kill_9_during_live_capture_and_api_writes(self):
        rng = random.Random(SEED + 1)
        sh("ip", "netns", "add", NS_DEV)
        sh("ip", "netns", "add", NS_BOX)
        state = tempfile.mkdtemp(prefix="ymcrash-live-")
        traffic = []
        try:
            sh("ip", "link", "add", "ymcveth0", "netns", NS_BOX, "type", "veth",
               "peer", "name", "ymcveth1", "netns", NS_DEV)
            sh("ip", "-n", NS_BOX, "addr", "add", BOX_IP + "/24", "dev", "ymcveth0")
            sh("ip", "-n", NS_DEV, "addr", "add", DEV_IP + "/24", "dev", "ymcveth1")
            for ns, dev in ((NS_BOX, "ymcveth0"), (NS_DEV, "ymcveth1")):
                sh("ip", "-n", ns, "link", "set", dev, "up")
                sh("ip", "-n", ns, "link", "set", "lo", "up")
            dev_mac = json.loads(sh("ip", "-n", NS_DEV, "-j", "link", "show",
                                    "ymcveth1").stdout)[0]["address"]
            conf = os.path.join(state, "test.conf")
            with open(conf, "w") as f:
                f.write("commit_interval = 1\n")
            # The device keeps talking through every kill: pings, and a
            # sweep of the box's ports now and then (alerts to commit).
            traffic.append(subprocess.Popen(
                ["ip", "netns", "exec", NS_DEV, "ping", "-i", "0.05", "-q", BOX_IP],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            traffic.append(subprocess.Popen(
                ["ip", "netns", "exec", NS_DEV, sys.executable, "-c",
                 "import socket, time\n"
                 "while True:\n"
                 "    for p in range(1, 200):\n"
                 "        s = socket.socket(); s.settimeout(0.05)\n"
                 "        try: s.connect(('%s', p))\n"
                 "        except OSError: pass\n"
                 "        s.close()\n"
                 "    time.sleep(1)\n" % BOX_IP],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            argv = ["ip", "netns", "exec", NS_BOX, YAMORID, "-i", "ymcveth0",
                    "--state-dir", state, "-c", conf]
            self.scenario("live", argv, state, KILLS_LIVE, [dev_mac], rng, (0.5, 16.0))
        finally:
            for p in traffic:
                p.kill()
                p.wait()
            sh("ip", "netns", "del", NS_DEV, check=False)
            sh("ip", "netns", "del", NS_BOX, check=False)
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
