#!/usr/bin/env python3
"""Soak (issue 17): two days of a home's traffic with floods mixed in.

tests/fixtures/mksoak.py writes 48 hours of capture: eight household
devices chatting all day (a name lookup and a TLS session each every two
minutes on average, DHCP renewals, the router's ARP), and every 4 hours a
flood of 1,500 random MACs and a port-scan burst (one household device and
50 spoofed MACs). yamorid replays it with --serve while this test samples,
every 20 ms, its resident memory (VmRSS, VmHWM in /proc/PID/status), its
open file descriptors (/proc/PID/fd) and how far it has read the file
(/proc/PID/fdinfo), and asks its socket for the status now and then.

The first day warms up (the device table fills to its cap, the flow table,
nDPI and SQLite's cache reach their size); the second day must add nothing:

  - memory flat: VmRSS and VmHWM in the second day at most MEM_SLACK_KB
    above the end of the first;
  - no growth in file descriptors: the second day's count at most the first
    day's end plus one (a client of the socket being answered);
  - the database within DB_BUDGET_BYTES after the stop (8 MB, with what is
    left of its WAL;
    the stored devices (4,096) and alerts (10,000) are capped, so floods
    cannot grow it without bound; two days of floods leave about 3 MB).

Python 3 standard library only; no root needed.

    python3 tests/integration/test_soak.py [-v]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import ymapi  # noqa: E402  (tests/integration, the script's folder)

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.path.abspath(os.environ.get("YAMORI_BUILD") or os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
MKSOAK = os.path.join(REPO, "tests", "fixtures", "mksoak.py")
CONF = os.path.join(REPO, "data", "yamori.conf")

MEM_SLACK_KB = 4096
DB_BUDGET_BYTES = 8 * 1024 * 1024


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])
    return out


def db_bytes(state, suffix=""):
    path = os.path.join(state, "yamori.db" + suffix)
    return os.path.getsize(path) if os.path.exists(path) else 0


@unittest.skipUnless(os.path.exists(YAMORID), "yamorid not built")
class Soak(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ymsoak-")
        t = time.monotonic()
        subprocess.run([sys.executable, MKSOAK, "--out", cls.tmp, "--days", "2"], check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
        cls.gen_seconds = time.monotonic() - t
        cls.pcap = os.path.join(cls.tmp, "soak.pcap")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def status(self, sock):
        answer = ymapi.ask(sock, {"cmd": "status"})
        return answer.get("result") if answer else None

    def test_two_days_memory_fds_and_database_flat(self):
        state = os.path.join(self.tmp, "state")
        os.makedirs(state)
        sock = os.path.join(state, "yamori.sock")
        size = os.path.getsize(self.pcap)
        log = open(os.path.join(state, "yamorid.log"), "w")
        start = time.monotonic()
        proc = subprocess.Popen([YAMORID, "-r", self.pcap, "--state-dir", state, "-c", CONF,
                                 "--serve"], stdout=log, stderr=subprocess.STDOUT)
        samples = []  # (fraction of the file read, rss, hwm, fds)
        pcap_fd = None
        day1_db, day1_wal = None, 0
        asked = 0
        try:
            last_ask = 0
            while True:
                self.assertIsNone(proc.poll(), "yamorid ended (see %s/yamorid.log)" % state)
                fds = os.listdir("/proc/%d/fd" % proc.pid)
                if pcap_fd is None:
                    for fd in fds:
                        try:
                            if os.readlink("/proc/%d/fd/%s" % (proc.pid, fd)) == self.pcap:
                                pcap_fd = fd
                        except OSError:
                            pass
                pos = None
                if pcap_fd is not None:
                    try:
                        with open("/proc/%d/fdinfo/%s" % (proc.pid, pcap_fd)) as f:
                            pos = int(f.readline().split()[1])
                    except (OSError, ValueError, IndexError):
                        pos = None  # closed: the file is read
                if pcap_fd is not None and pos is None:
                    break
                st = proc_status(proc.pid)
                if pos is not None:
                    frac = pos / size
                    samples.append((frac, st["VmRSS"], st["VmHWM"], len(fds)))
                    if day1_db is None and frac >= 0.5:
                        day1_db, day1_wal = db_bytes(state), db_bytes(state, "-wal")
                now = time.monotonic()
                if os.path.exists(sock) and now - last_ask > 0.2:
                    if self.status(sock):
                        asked += 1
                    last_ask = now
                if now - start > 300:
                    self.fail("the replay took more than 5 minutes")
                time.sleep(0.02)
            replay_seconds = time.monotonic() - start
            # Serving after the replay: the file read, every packet counted.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                st = self.status(sock)
                if st and st["files"]["read"] == 1:
                    break
                time.sleep(0.1)
            self.assertEqual(st["files"], {"total": 1, "read": 1, "truncated": 0,
                                           "last_problem": ""})
            end = proc_status(proc.pid)
            end_fds = len(os.listdir("/proc/%d/fd" % proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        self.assertEqual(proc.returncode, 0)
        # After the stop: the WAL is checkpointed into the file.
        end_db = db_bytes(state)
        end_wal = db_bytes(state, "-wal")

        day1 = [s for s in samples if s[0] < 0.5]
        day2 = [s for s in samples if s[0] >= 0.5]
        self.assertGreaterEqual(len(day1), 5, "too few samples in day 1: %d" % len(day1))
        self.assertGreaterEqual(len(day2), 5, "too few samples in day 2: %d" % len(day2))
        base_rss, base_hwm, base_fds = day1[-1][1], day1[-1][2], day1[-1][3]
        max_rss = max(s[1] for s in day2)
        max_hwm = max(s[2] for s in day2 + [(1, 0, end["VmHWM"], 0)])
        max_fds = max(s[3] for s in day2)
        lines = [
            "soak: 2 days (%d MB of capture) generated in %.0f s, replayed in %.1f s, "
            "%d samples, %d status requests" % (size >> 20, self.gen_seconds, replay_seconds,
                                                len(samples), asked),
            "  VmRSS end of day 1 %d KB, day 2 max %d KB (+%d), after %d KB" %
            (base_rss, max_rss, max_rss - base_rss, end["VmRSS"]),
            "  VmHWM end of day 1 %d KB, end %d KB (+%d)" % (base_hwm, max_hwm,
                                                          max_hwm - base_hwm),
            "  fds end of day 1 %d, day 2 max %d, serving %d" % (base_fds, max_fds, end_fds),
            "  database end of day 1 %d KB (its WAL %d KB), after the stop %d KB, WAL %d KB "
            "(budget %d KB)" % ((day1_db or 0) >> 10, day1_wal >> 10, end_db >> 10, end_wal >> 10,
                                DB_BUDGET_BYTES >> 10),
        ]
        print("\n" + "\n".join(lines), file=sys.stderr)
        with open(os.path.join(BUILD, "soak.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.assertLessEqual(max_rss - base_rss, MEM_SLACK_KB, lines[1])
        self.assertLessEqual(max_hwm - base_hwm, MEM_SLACK_KB, lines[2])
        self.assertLessEqual(max_fds, base_fds + 1, lines[3])
        self.assertLessEqual(end_fds, base_fds + 1, lines[3])
        self.assertLessEqual(end_db + end_wal, DB_BUDGET_BYTES, lines[4])


if __name__ == "__main__":
    unittest.main()
