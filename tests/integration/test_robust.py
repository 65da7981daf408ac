#!/usr/bin/env python3
"""Regression tests for what a hostile LAN, a careless client or a power cut
did to Yamori (issue 17). Each test is named after the finding it guards.

Python 3 standard library only; the daemon replays the generated sample
household and keeps answering on its socket (--serve).

    python3 tests/integration/test_robust.py [-v]
"""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

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
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
            s.sendall(json.dumps(req).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            return json.loads(buf) if buf else {}
        except (ConnectionError, FileNotFoundError, socket.timeout):
            return {}
        finally:
            s.close()

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


if __name__ == "__main__":
    unittest.main()
