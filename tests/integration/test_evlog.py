#!/usr/bin/env python3
"""The event log (Yamori's own record) is tamper-evident: a replay writes a
hash-chained, signed log; `yamorictl log` lists it; `yamorictl log verify`
says it is intact and finds the first broken link when an entry is edited,
deleted, reordered, cut off the end, or the whole chain is rewritten
without the box's key. `wipe` erases the log and the key and says so."""
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")


def chain_hash(prev, seq, at, kind, mac, detail):
    """evlog.c's ym_evlog_hash, for an attacker who rewrites the chain."""
    h = hashlib.sha256()
    for part in ("yamori-evlog-1", prev, "%d %d" % (seq, at), kind, mac, detail):
        b = part.encode()
        h.update(len(b).to_bytes(8, "big") + b)
    return h.hexdigest()


class EventLog(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-evlog-")
        fx = os.path.join(cls.tmp, "fx")
        subprocess.run(["python3", os.path.join(ROOT, "tests", "fixtures", "mkbrute.py"),
                        "--out", fx], check=True)
        cls.state = os.path.join(cls.tmp, "state")
        r = subprocess.run([YAMORID, "-r", os.path.join(fx, "brute_telnet_in.pcap"),
                            "--state-dir", cls.state, "-c", "/dev/null"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ctl(self, state, *args, env=None):
        return subprocess.run([YAMORICTL, "--state-dir", state] + list(args),
                              capture_output=True, text=True, timeout=60, env=env)

    def copy(self, name):
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.state, d)
        return d

    def verify(self, state):
        r = self.ctl(state, "log", "verify", "--json")
        return r.returncode, json.loads(r.stdout)

    def db(self, state):
        return sqlite3.connect(os.path.join(state, "yamori.db"))

    def test_files_and_modes(self):
        key = os.path.join(self.state, "evlog.key")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertTrue(os.path.exists(os.path.join(self.state, "evlog.pub")))
        self.assertTrue(os.path.exists(os.path.join(self.state, "evlog.head")))

    def test_list_and_intact(self):
        r = self.ctl(self.state, "log", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        events = json.loads(r.stdout)
        kinds = [e["kind"] for e in events]
        self.assertIn("alert_raised", kinds)
        self.assertIn("head", kinds)
        raised = [e["detail"]["alert"] for e in events if e["kind"] == "alert_raised"]
        self.assertIn("brute_force", raised)
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        rc, v = self.verify(self.state)
        self.assertEqual((rc, v["result"]), (0, "ok"), v)
        self.assertEqual(v["entries"], len(events))
        # Plain Japanese for the household.
        env = dict(os.environ, LANGUAGE="ja", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        r = self.ctl(self.state, "log", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("お知らせ", r.stdout)
        r = self.ctl(self.state, "log", "verify", env=env)
        self.assertIn("書きかえられていません", r.stdout)

    def test_edited(self):
        st = self.copy("edited")
        with self.db(st) as c:
            c.execute("UPDATE event_log SET detail = replace(detail, 'warning',"
                      " 'info') WHERE kind = 'alert_raised' AND detail LIKE"
                      " '%brute_force%'")
            seq = c.execute("SELECT seq FROM event_log WHERE detail LIKE"
                            " '%brute_force%'").fetchone()[0]
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"], v["seq"]), (1, "edited", seq), v)
        r = self.ctl(st, "log", "verify")
        self.assertIn("Entry %d was changed" % seq, r.stdout)

    def test_deleted(self):
        st = self.copy("deleted")
        with self.db(st) as c:
            c.execute("DELETE FROM event_log WHERE seq = 2")
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"], v["seq"]), (1, "deleted", 2), v)

    def test_reordered(self):
        st = self.copy("reordered")
        with self.db(st) as c:
            c.execute("UPDATE event_log SET seq = -1 WHERE seq = 2")
            c.execute("UPDATE event_log SET seq = 2 WHERE seq = 3")
            c.execute("UPDATE event_log SET seq = 3 WHERE seq = -1")
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"], v["seq"]), (1, "reordered", 2), v)

    def test_truncated(self):
        st = self.copy("truncated")
        with self.db(st) as c:
            last = c.execute("SELECT max(seq) FROM event_log").fetchone()[0]
            c.execute("DELETE FROM event_log WHERE seq >= ?", (last - 2,))
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"]), (1, "truncated"), v)
        self.assertEqual(v["seq"], last - 2)

    def test_rewritten_without_key(self):
        """An entry edited and every hash after it recomputed: only the
        signatures (which need the box's key) tell."""
        st = self.copy("rewritten")
        with self.db(st) as c:
            rows = c.execute("SELECT seq, at, kind, mac, detail FROM event_log"
                             " ORDER BY seq").fetchall()
            prev = "0" * 64
            for seq, at, kind, mac, detail in rows:
                if kind == "alert_raised" and "brute_force" in detail:
                    detail = detail.replace("brute_force", "new_device")
                h = chain_hash(prev, seq, at, kind, mac, detail)
                c.execute("UPDATE event_log SET detail = ?, prev = ?, hash = ?"
                          " WHERE seq = ?", (detail, prev, h, seq))
                prev = h
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"]), (1, "bad_signature"), v)

    def test_settings_rename_logged(self):
        st = self.copy("rename")
        r = self.ctl(st, "rename", "24:0f:9b:11:22:33", "居間のカメラ")
        self.assertEqual(r.returncode, 0, r.stderr)
        events = json.loads(self.ctl(st, "log", "--json").stdout)
        self.assertEqual(events[-1]["kind"], "renamed")
        self.assertEqual(events[-1]["mac"], "24:0f:9b:11:22:33")
        # Chained, not yet signed (no daemon ran): still intact.
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"]), (0, "ok"), v)

    def test_trimmed_within_its_size(self):
        """A script renaming a device in a loop (each rename an entry and a
        signed head) cannot grow the record without bound: beyond
        max_log_entries the oldest go, the record says so in plain words,
        and it still verifies; a cut at the front by anyone else does not."""
        st = self.copy("trim")
        conf = os.path.join(self.tmp, "trim.conf")
        with open(conf, "w") as f:
            f.write("max_log_entries = 100\n")
        sock = os.path.join(st, "yamori.sock")
        log = open(os.path.join(self.tmp, "trim.log"), "w")
        if os.path.exists(sock):
            os.unlink(sock)
        d = subprocess.Popen([YAMORID, "-r", os.path.join(self.tmp, "fx", "brute_telnet_in.pcap"),
                              "--state-dir", st, "-c", conf, "--serve"],
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            # yamorictl talks to the daemon of its state directory once
            # its socket is there, as a household's script would.
            deadline = time.monotonic() + 120
            while not os.path.exists(sock):
                self.assertIsNone(d.poll(), "yamorid ended (see %s)" % log.name)
                self.assertLess(time.monotonic(), deadline, "no socket")
                time.sleep(0.2)
            for i in range(150):
                r = self.ctl(st, "rename", "24:0f:9b:11:22:33", "camera %d" % i)
                self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            d.terminate()
            self.assertEqual(d.wait(timeout=60), 0)
            log.close()
        events = json.loads(self.ctl(st, "log", "--json").stdout)
        self.assertLessEqual(len(events), 100)
        self.assertGreater(events[0]["seq"], 1)
        self.assertEqual(events[0]["kind"], "head")
        self.assertEqual(events[-1]["kind"], "head")
        self.assertEqual(events[-2]["kind"], "renamed")
        self.assertEqual(events[-2]["detail"]["name"], "camera 149")
        trims = [e for e in events if e["kind"] == "log_trimmed"]
        self.assertTrue(trims)
        self.assertEqual(trims[-1]["detail"]["before"], events[0]["seq"])
        self.assertIn("oldest %d entries were removed" % trims[-1]["detail"]["removed"],
                      trims[-1]["message"])
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"]), (0, "ok"), v)
        env = dict(os.environ, LANGUAGE="ja", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.assertIn("いちばん古い記録を", self.ctl(st, "log", env=env).stdout)
        # Someone else removes more from the front, up to a later head.
        with self.db(st) as c:
            head = c.execute("SELECT min(seq) FROM event_log WHERE kind = 'head'"
                             " AND seq > ?", (events[0]["seq"],)).fetchone()[0]
            c.execute("DELETE FROM event_log WHERE seq < ?", (head,))
        rc, v = self.verify(st)
        self.assertEqual((rc, v["result"]), (1, "deleted"), v)

    def test_wipe_erases_log_and_key(self):
        st = self.copy("wipe")
        r = self.ctl(st, "wipe", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("key", r.stdout)
        for f in ("yamori.db", "evlog.key", "evlog.pub", "evlog.head"):
            self.assertFalse(os.path.exists(os.path.join(st, f)), f)


if __name__ == "__main__":
    unittest.main()
