#!/usr/bin/env python3
"""Fleet reports to the ISP and advisories back (issue 18, docs/FLEET.md),
against real parts: a 3-node nats-server cluster (MQTT over TLS, JetStream)
with each node in a network namespace made here, PostgreSQL started here as
the postgres user, the yamori-fleet aggregator (two instances sharing one
durable consumer), yamorid replaying the sample household with fleet = on,
and bench/fleet-load's simulated boxes.

What a user would check: a report holds what docs/FLEET.md lists and
nothing else (byte by byte, and no address or name of the household's in
it); reports survive a broker outage and a power cut, and the queue stays
bounded; a wrong certificate on either side is refused; a good notice and
a good bundle are taken, a tampered, rolled-back or expired one refused and
logged; a node killed mid-run loses no acknowledged report and counts none
twice; the aggregator's figures match the simulated boxes' reports."""
import collections
import csv
import datetime
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fleetlab  # noqa: E402
from fleetlab import REPO, BUILD, sh, wait_for  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "tools"))
import yamori_advisory as ya  # noqa: E402
import yamori_bundle as yb  # noqa: E402

YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")
NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)

# What docs/FLEET.md says a report holds, in the order it is written.
REPORT_KEYS = ["schema", "report_id", "box", "sent", "yamori", "data",
               "classes", "alerts"]
CLASS_KEYS = ["type", "maker", "model", "devices", "default_password",
              "unsupported", "outdated_firmware", "idle", "suspicious",
              "isolated"]
ALERT_KEYS = ["day", "kind", "count"]
LABEL = re.compile(r"^[A-Za-z0-9 .,_+()/-]*$")
QUEUE_MAX = 5


def check_report_bytes(test, raw):
    """raw (bytes) is a report of exactly the listed form: compact JSON, the
    keys in order, every value of its type and charset, nothing else."""
    r = json.loads(raw, object_pairs_hook=collections.OrderedDict)
    test.assertEqual(list(r), REPORT_KEYS)
    # Byte by byte: the same object written compactly is the same bytes,
    # so nothing hides in spacing, escapes or duplicated keys.
    test.assertEqual(json.dumps(r, separators=(",", ":"),
                                ensure_ascii=False).encode(), raw)
    test.assertEqual(r["schema"], 1)
    test.assertRegex(r["box"], r"^[0-9a-f]{32}$")
    test.assertRegex(r["report_id"], r"^" + r["box"] + r"-[0-9]+$")
    test.assertRegex(r["sent"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    test.assertRegex(r["yamori"], r"^[0-9.]+$")
    test.assertIsInstance(r["data"], int)
    for c in r["classes"]:
        test.assertEqual(list(c), CLASS_KEYS)
        for k in CLASS_KEYS[:3]:
            test.assertRegex(c[k], LABEL)
        for k in CLASS_KEYS[3:]:
            test.assertIsInstance(c[k], int)
            test.assertGreaterEqual(c[k], 0)
        test.assertGreater(c["devices"], 0)
    for a in r["alerts"]:
        test.assertEqual(list(a), ALERT_KEYS)
        test.assertRegex(a["day"], r"^\d{4}-\d\d-\d\d$")
        test.assertRegex(a["kind"], r"^[a-z0-9_]+$")
        test.assertIsInstance(a["count"], int)
    return r


class Box:
    """yamorid replaying the sample household, serving its socket, with
    fleet reports on, in the lab's hub namespace."""

    def __init__(self, lab, env, state, cert=None, key=None, ca=None,
                 broker=None):
        self.lab, self.state = lab, state
        self.sock = os.path.join(state, "yamori.sock")
        os.makedirs(state, exist_ok=True)
        self.conf = os.path.join(state, "test.conf")
        with open(self.conf, "w") as f:
            f.write("keys_dir = %s\ndata_dir = %s\nfleet = on\n"
                    "fleet_broker = mqtts://%s:%d\nfleet_ca = %s\n"
                    "fleet_cert = %s\nfleet_key = %s\nfleet_queue = %d\n" %
                    (env.keys, os.path.join(REPO, "data"),
                     broker or fleetlab.BROKER_NAME, fleetlab.MQTT_PORT,
                     ca or lab.ca, cert or lab.box_crt, key or lab.box_key,
                     QUEUE_MAX))
        self.log = open(os.path.join(state, "yamorid.log"), "a")
        self.p = subprocess.Popen(lab.hub_exec(
            YAMORID, "-r", env.pcap, "--state-dir", state, "-c", self.conf,
            "--serve", "--user", "root"), stdout=self.log,
            stderr=subprocess.STDOUT)
        wait_for(lambda: self.ask({"cmd": "fleet"}).get("ok"), 60,
                 "yamorid's socket")

    def ask(self, req, timeout=30):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
            s.sendall(json.dumps(req).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
            return json.loads(buf) if buf else {}
        except (ConnectionError, FileNotFoundError, socket.timeout):
            return {}
        finally:
            s.close()

    def fleet(self):
        return self.ask({"cmd": "fleet"}).get("result", {})

    def send(self):
        r = self.ask({"cmd": "fleet_send"})
        assert r.get("ok"), r
        return r["result"]

    def power_cut(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self):
        """Stops the daemon; the seconds it took (None if killed)."""
        took = None
        if self.p.poll() is None:
            t0 = time.monotonic()
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=30)
                took = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return took

    def events(self):
        out = sh(YAMORICTL, "--state-dir", self.state, "log", "--json",
                 check=False).stdout
        return [json.loads(line) for line in out.splitlines()
                if line.startswith("{")] or \
            (json.loads(out) if out.strip().startswith("[") else [])


class Env:
    def __init__(self, tmp):
        self.tmp = tmp
        self.keys = os.path.join(tmp, "keys")
        os.makedirs(self.keys)
        self.key = os.path.join(tmp, "isp.key")
        self.wrong = os.path.join(tmp, "wrong.key")
        sh("minisign", "-G", "-W", "-p", os.path.join(self.keys, "isp.pub"),
           "-s", self.key)
        sh("minisign", "-G", "-W", "-p", os.path.join(tmp, "wrong.pub"),
           "-s", self.wrong)
        sh(sys.executable, MKHOME, "--out", tmp)
        self.pcap = os.path.join(tmp, "home.pcap")
        self.n = 0

    def write(self, data):
        self.n += 1
        path = os.path.join(self.tmp, "adv%d.json" % self.n)
        with open(path, "wb") as f:
            f.write(data)
        return path


def missing():
    out = fleetlab.missing()
    if not shutil.which("minisign"):
        out.append("minisign")
    return out


@unittest.skipIf(missing(), "needs %s" % ", ".join(missing()))
class FleetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lab = fleetlab.Lab("t")
        cls.tmp = tempfile.mkdtemp(prefix="ymfleet-box-")
        try:
            cls.env = Env(cls.tmp)
            cls.lab.start_cluster()
            cls.lab.start_postgres()
            # Two aggregators share one durable consumer: the queue.
            cls.lab.start_aggregator(batch=8)
            cls.lab.start_aggregator(batch=8)
            cls.box = Box(cls.lab, cls.env, os.path.join(cls.tmp, "box"))
            wait_for(lambda: cls.box.fleet().get("connected"), 60,
                     "the box's connection")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "box", None):
            cls.box.stop()
        cls.lab.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def stored(self, report_id):
        return self.lab.psql("SELECT count(*) FROM reports WHERE report_id"
                             " = '%s'" % report_id) == "1"

    # --- what is sent ---------------------------------------------------

    def test_1_report_holds_only_the_listed_fields(self):
        box = self.box
        devices = box.ask({"cmd": "devices", "args": {"all": True}})["result"]
        if isinstance(devices, dict):
            devices = devices["devices"]
        # The household names a device: the name must never leave.
        cam = next(d for d in devices if d.get("type") == "camera")
        self.assertTrue(box.ask({"cmd": "rename", "args": {
            "mac": cam["mac"], "name": "Hanako room camera"}}).get("ok"))
        sub = subprocess.Popen(self.lab.hub_exec(
            "mosquitto_sub", *self.lab.mqtt_args(1), "-i", "privacy-check",
            "-q", "1", "-t", "yamori/report/" + box.fleet()["box"], "-C",
            "1", "-N"), stdout=subprocess.PIPE)
        # The subscription is in place once the retained-free topic is
        # subscribed; a report sent until one arrives.
        raw = b""
        for _ in range(20):
            box.send()
            try:
                raw, _ = sub.communicate(timeout=3)
                break
            except subprocess.TimeoutExpired:
                continue
        sub.kill()
        self.assertTrue(raw, "no report reached the broker")
        r = check_report_bytes(self, raw)
        text = raw.decode()
        # Nothing of the household's: no MAC, no address, no host name,
        # no name it gave, no DNS name.
        self.assertNotRegex(text, r"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}")
        self.assertNotRegex(text, r"\b\d{1,3}(\.\d{1,3}){3}\b")
        self.assertNotIn("Hanako", text)
        for d in devices:
            self.assertNotIn(d["mac"], text.lower())
            for ip in d.get("ips", []):
                self.assertNotIn(ip if isinstance(ip, str) else ip.get("ip", "?"),
                                 text)
            for key in ("hostname", "name"):
                v = d.get(key) or ""
                if len(v) >= 3:
                    self.assertNotIn(v, text, key)
        self.assertNotIn(".local", text)
        self.assertNotIn(".jp", text)
        self.assertNotIn(".com", text)
        # The counts are the household's devices, by class.
        self.assertEqual(sum(c["devices"] for c in r["classes"]),
                         sum(1 for d in devices if not d.get("gateway")
                             and "gone" not in d.get("flags", [])
                             and "retired" not in d.get("flags", [])))
        cams = [c for c in r["classes"] if c["type"] == "camera"]
        self.assertTrue(cams)
        # ...and it reaches the ISP's database.
        wait_for(lambda: self.stored(r["report_id"]), 60, "the report in "
                 "PostgreSQL")
        # The panel shows the last report sent.
        wait_for(lambda: box.fleet().get("last_report"), 30, "last report")

    # --- outage, power cut, bounded queue -------------------------------

    def broker(self, up):
        """The whole cluster away (every node killed: the box's connection
        is cut at once), or back on the same JetStream stores."""
        if up:
            self.lab.start_cluster()
        else:
            for i in range(len(self.lab.node_ns)):
                self.lab.kill_node(i)

    def test_2_outage_and_power_cut(self):
        box = self.box
        before = box.fleet()
        self.broker(False)
        wait_for(lambda: not box.fleet().get("connected"), 60,
                 "the box to notice the outage", step=0.5)
        ids = [box.send()["report_id"] for _ in range(3)]
        st = box.fleet()
        self.assertFalse(st["connected"])
        self.assertEqual(st["queued"], 3)
        # A power cut during the outage: the reports kept on the disk are
        # there after the restart.
        box.power_cut()
        box = Box(self.lab, self.env, box.state)
        type(self).box = box
        self.assertEqual(box.fleet()["queued"], 3)
        # More than the bound: the oldest go first.
        ids += [box.send()["report_id"] for _ in range(QUEUE_MAX - 1)]
        st = box.fleet()
        self.assertEqual(st["queued"], QUEUE_MAX)
        self.assertEqual(st["dropped"], 2)
        qdir = os.path.join(box.state, "fleet-queue")
        self.assertEqual(len([n for n in os.listdir(qdir)
                              if n.endswith(".json")]), QUEUE_MAX)
        # The broker back: the running box reconnects by itself (backoff
        # with jitter) and the queue drains.
        self.broker(True)
        wait_for(lambda: box.fleet().get("queued") == 0, 240,
                 "the queue to drain", step=0.5)
        for i in ids[2:]:
            wait_for(lambda: self.stored(i), 60, "report %s stored" % i)
        for i in ids[:2]:
            self.assertFalse(self.stored(i), "a dropped report arrived")
        self.assertTrue(box.fleet()["connected"])
        self.assertGreater(box.fleet()["sent"], 0)
        self.assertNotEqual(before["box"], "")

    # --- TLS ------------------------------------------------------------

    def test_3_wrong_certificates_refused(self):
        # A box whose certificate the ISP did not issue: the broker refuses.
        stranger = Box(self.lab, self.env, os.path.join(self.tmp, "stranger"),
                       cert=self.lab.wrong_crt, key=self.lab.wrong_key)
        # A box that does not trust the broker's certificate refuses it.
        wary = Box(self.lab, self.env, os.path.join(self.tmp, "wary"),
                   ca=self.lab.other_ca)
        try:
            for b in (stranger, wary):
                b.send()
                wait_for(lambda: b.fleet().get("last_problem"), 60,
                         "a refused connection")
                st = b.fleet()
                self.assertFalse(st["connected"])
                self.assertEqual(st["sent"], 0)
                self.assertEqual(st["queued"], 1)
                self.assertEqual(self.lab.psql(
                    "SELECT count(*) FROM reports WHERE box = '%s'" %
                    st["box"]), "0")
        finally:
            stranger.stop()
            wary.stop()

    # --- advisories -----------------------------------------------------

    def advise(self, payload):
        self.lab.publish_retained("yamori/advisory", self.env.write(payload),
                                  node=1)

    def notice(self, version, ja, key=None, created=None, expires=None):
        text = ya.notice_text(version, created or NOW, expires or NOW + DAY,
                              ja, maker="Hikvision", model="DS-2CD2032")
        return text, ya.notice(text, key or self.env.key)

    def refused_after(self, n):
        wait_for(lambda: self.box.fleet().get("advisories_refused", 0) > n,
                 60, "the refusal")
        return self.box.fleet()

    def test_4_advisories(self):
        box = self.box
        ja = "このカメラには弱点が見つかりました。更新してください。"
        _, good = self.notice(5, ja)
        self.advise(good)
        wait_for(lambda: (box.fleet().get("notice") or {}).get("version") == 5,
                 60, "the notice")
        self.assertEqual(box.fleet()["notice"]["ja"], ja)

        refused = box.fleet()["advisories_refused"]
        # Tampered: the text changed after it was signed.
        text, signed = self.notice(6, ja)
        adv = json.loads(signed)
        adv["notice"] = adv["notice"].replace("更新", "放置")
        self.advise(json.dumps(adv, ensure_ascii=False).encode())
        st = self.refused_after(refused)
        self.assertIn("signature", st["last_problem"])
        # Signed with a key the box does not trust.
        self.advise(self.notice(7, ja, key=self.env.wrong)[1])
        st = self.refused_after(refused + 1)
        # Rolled back: well signed, but older than the one in force.
        self.advise(self.notice(4, "古いお知らせです。")[1])
        st = self.refused_after(refused + 2)
        self.assertIn("rolled back", st["last_problem"])
        # Expired.
        self.advise(self.notice(9, ja, created=NOW - 3 * DAY,
                                expires=NOW - DAY)[1])
        st = self.refused_after(refused + 3)
        self.assertIn("expired", st["last_problem"])
        # Unsigned.
        self.advise(json.dumps({"kind": "notice", "notice": "yamori-notice 1"
                                "\nversion 10\n", "minisig": ""}).encode())
        st = self.refused_after(refused + 4)
        self.assertEqual(st["notice"]["version"], 5)
        # Every refusal is in the box's own record.
        kinds = [e["kind"] for e in json.loads(sh(
            YAMORICTL, "--state-dir", box.state, "log", "--json").stdout)]
        self.assertGreaterEqual(kinds.count("fleet_advisory_refused"), 5,
                                kinds)
        self.assertIn("fleet_notice", kinds)

        # A signed data bundle: the same checks as yamorictl update.
        files = yb.data_files(os.path.join(REPO, "data"))
        bundle = yb.build(files, 40, self.env.key, self.tmp)
        self.advise(ya.bundle(bundle))
        wait_for(lambda: box.ask({"cmd": "status"})["result"]["data"]
                 ["version"] == 40, 60, "the bundle in use")
        old = yb.build(files, 39, self.env.key, self.tmp)
        self.advise(ya.bundle(old))
        wait_for(lambda: "not newer" in box.ask({"cmd": "status"})["result"]
                 ["data"].get("last_problem", ""), 60,
                 "the rolled-back bundle refused")
        self.assertEqual(box.ask({"cmd": "status"})["result"]["data"]
                         ["version"], 40)

    # --- the cluster ----------------------------------------------------

    def test_4b_newest_report_speaks_for_the_box(self):
        """Two reports of one box sent within one second (the "sent"
        field's resolution) and stored out of order: the later-numbered
        one speaks for the box, whichever aggregator stores it last."""
        box = "%032x" % 0x5eed0b0c5
        sent = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        # Gone again afterwards: the later tests count every box stored.
        self.addCleanup(self.lab.psql, "; ".join(
            "DELETE FROM %s WHERE box = '%s'" % (t, box)
            for t in ("box_alerts", "box_classes", "boxes", "reports")))

        def report(seq, cams):
            return json.dumps({
                "schema": 1, "report_id": "%s-%d" % (box, seq), "box": box,
                "sent": sent, "yamori": "0.1.0", "data": 3,
                "classes": [{"type": "camera", "maker": "D-Link", "model": "DCS-930L",
                             "devices": cams, "default_password": 0, "unsupported": 0,
                             "outdated_firmware": 0, "idle": 0, "suspicious": 0,
                             "isolated": 0}],
                "alerts": []})
        # The later report first, then the earlier one.
        for seq, cams in ((3, 3), (2, 2)):
            path = os.path.join(self.tmp, "order-%d.json" % seq)
            with open(path, "w") as f:
                f.write(report(seq, cams))
            sh(*self.lab.hub_exec("mosquitto_pub", *self.lab.mqtt_args(1), "-i",
                                  "order-%d" % seq, "-q", "1", "-t",
                                  "yamori/report/" + box, "-f", path))
            wait_for(lambda: self.stored("%s-%d" % (box, seq)), 60,
                     "report %d in PostgreSQL" % seq)
        self.assertEqual(self.lab.psql("SELECT report_id FROM boxes WHERE box = '%s'" % box),
                         box + "-3")
        self.assertEqual(self.lab.psql("SELECT devices FROM box_classes WHERE box = '%s'"
                                       % box), "3")

    def test_5_node_killed_mid_run(self):
        out = os.path.join(self.tmp, "load.jsonl")
        load = subprocess.Popen(self.lab.hub_exec(
            fleetlab.LOAD, "--servers", self.lab.servers(), "--boxes", "60",
            "--reports", "5", "--interval-ms", "400", "--ca", self.lab.ca,
            "--cert", self.lab.box_crt, "--key", self.lab.box_key,
            "--seed", "18", "--out", out, "--timeout", "150",
            "--connect-rate", "100"), stdout=subprocess.PIPE, text=True)

        def acked():
            try:
                with open(out) as f:
                    return sum(1 for _ in f)
            except FileNotFoundError:
                return 0
        wait_for(lambda: acked() >= 60, 120, "the first reports")
        # The node the box and a third of the simulated boxes are on.
        self.lab.kill_node(0)
        summary, _ = load.communicate(timeout=200)
        self.assertEqual(load.returncode, 0, summary)
        summary = json.loads(summary)
        self.assertEqual(summary["reports_acked"], 300)
        self.assertGreater(summary["reconnects"], 0)
        # The box comes back on another node.
        last = self.box.send()["report_id"]
        wait_for(lambda: self.stored(last), 120, "the box's report after the"
                 " node died")

        with open(out) as f:
            sent = [json.loads(line)["report"] for line in f]
        ids = {r["report_id"] for r in sent}
        self.assertEqual(len(ids), 300)

        def all_stored():
            n = self.lab.psql("SELECT count(*) FROM reports WHERE box IN (%s)"
                              % ",".join("'%s'" % b for b in
                                         {r["box"] for r in sent}))
            return n == "300"
        try:
            wait_for(all_stored, 120, "every acknowledged report in "
                     "PostgreSQL")
        except AssertionError:
            stored = set(self.lab.psql(
                "SELECT report_id FROM reports").split("\n"))
            lost = sorted(ids - stored)
            with open(out) as f:
                when = {json.loads(x)["report"]["report_id"]:
                        json.loads(x)["acked_at"] for x in f}
            raise AssertionError("%d acknowledged reports lost, acked at %s;"
                                 " aggregators: %s" % (
                                     len(lost), sorted(when[i] for i in lost),
                                     self.lab.stop_aggregators()))
        stored = set(self.lab.psql(
            "SELECT report_id FROM reports").split("\n"))
        self.assertFalse(ids - stored, "acknowledged reports lost")
        st = self.lab.stats()
        self.assertEqual(st["reports"], st["distinct_reports"])
        self.assertEqual(st["rejected"], 0)

        # The aggregator's figures: each box's latest report, per model.
        latest = {}
        for r in sent:
            seq = int(r["report_id"].split("-")[1])
            if r["box"] not in latest or seq > latest[r["box"]][0]:
                latest[r["box"]] = (seq, r)
        wait_for(lambda: self.box.fleet().get("queued") == 0, 60, "box queue")
        mine = self.box.fleet()["last_report"]
        wait_for(lambda: self.lab.psql("SELECT report_id FROM boxes WHERE box"
                                       " = '%s'" % mine["box"]) ==
                 mine["report_id"], 60, "the box's latest report kept")
        expect = collections.defaultdict(lambda: collections.Counter())
        for r in [x[1] for x in latest.values()] + [mine]:
            for c in r["classes"]:
                e = expect[(c["type"], c["maker"], c["model"])]
                e["boxes"] += 1
                for k in ("devices", "default_password", "unsupported",
                          "outdated_firmware", "isolated"):
                    e[k] += c[k]
                e["infected"] += c["suspicious"]
        got = sh(fleetlab.AGGREGATOR, "report", "--csv", "--db",
                 self.lab.db).stdout
        rows = {(r["type"], r["maker"], r["model"]): r
                for r in csv.DictReader(io.StringIO(got))}
        self.assertEqual(set(rows), set(expect))
        for model, e in expect.items():
            for k in ("boxes", "devices", "default_password", "unsupported",
                      "outdated_firmware", "infected", "isolated"):
                self.assertEqual(int(rows[model][k]), e[k], (model, k))
        # The customers to tell, and the HTML report for the ISP's staff.
        boxes = sh(fleetlab.AGGREGATOR, "report", "--boxes", "--db",
                   self.lab.db).stdout.splitlines()
        flagged = sum(1 for _, r in latest.values() if any(
            c["default_password"] + c["unsupported"] + c["outdated_firmware"]
            + c["suspicious"] for c in r["classes"]))
        self.assertEqual(len(boxes) - 1, flagged + (1 if any(
            c["default_password"] + c["unsupported"] + c["outdated_firmware"]
            + c["suspicious"] for c in mine["classes"]) else 0))
        html = os.path.join(self.tmp, "fleet.html")
        sh(fleetlab.AGGREGATOR, "report", "--html", html, "--db",
           self.lab.db)
        with open(html, encoding="utf-8") as f:
            page = f.read()
        self.assertIn("<svg", page)
        self.assertIn("Homes affected, by model", page)
        self.assertIn("Hikvision DS-2CD2032", page)
        # Both aggregators took a share of the queue.
        shares = self.lab.psql("SELECT stored_by, count(*) FROM reports"
                               " GROUP BY stored_by").splitlines()
        self.assertEqual(len(shares), 2, shares)


@unittest.skipIf(missing(), "needs %s" % ", ".join(missing()))
class SwallowedBrokerTest(unittest.TestCase):
    """A broker address that swallows packets (no answer, no refusal: a
    dead middlebox) held the box's MQTT thread in its blocking connect for
    about two minutes, and with it turning reports off (the API's handler,
    on the daemon's event loop) and stopping the daemon. Neither may wait
    for it. The address lies behind a veth pair in the lab's namespace
    whose far end has no address: what is sent there vanishes, so the
    connect hangs as on the real network."""

    @classmethod
    def setUpClass(cls):
        cls.lab = fleetlab.Lab("w", nodes=0)
        cls.tmp = tempfile.mkdtemp(prefix="ymfleet-swallow-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        cls.addClassCleanup(cls.lab.close)
        hub = ("ip", "-n", cls.lab.hub)
        sh(*hub, "link", "add", "void0", "type", "veth", "peer", "name", "void1")
        sh(*hub, "link", "set", "void1", "address", "02:00:00:00:09:02")
        sh(*hub, "addr", "add", "10.119.9.1/24", "dev", "void0")
        sh(*hub, "link", "set", "void0", "up")
        sh(*hub, "link", "set", "void1", "up")
        # The broker's address answers no ARP: a fixed neighbour sends the
        # packets to the other end, which has no address and drops them.
        sh(*hub, "neigh", "add", "10.119.9.2", "lladdr", "02:00:00:00:09:02",
           "dev", "void0", "nud", "permanent")
        cls.env = Env(cls.tmp)

    def start_box(self, name):
        box = Box(self.lab, self.env, os.path.join(self.tmp, name),
                  broker="10.119.9.2")
        self.addCleanup(box.stop)
        # Past the first connect's start: it hangs from here on.
        time.sleep(2)
        st = box.fleet()
        self.assertTrue(st.get("on"), st)
        self.assertFalse(st.get("connected"), st)
        return box

    def test_1_turning_reports_off_answers_at_once(self):
        box = self.start_box("off")
        t0 = time.monotonic()
        r = box.ask({"cmd": "fleet_set", "args": {"on": False}}, timeout=60)
        took = time.monotonic() - t0
        self.assertTrue(r.get("ok"), r)
        self.assertFalse(r["result"]["on"])
        # The daemon's loop was not held: it answers the next request too.
        self.assertTrue(box.ask({"cmd": "status"}).get("ok"))
        self.assertLess(took, 15, "turning reports off waited %.0f s" % took)

    def test_2_daemon_stops_at_once(self):
        box = self.start_box("stop")
        took = box.stop()
        self.assertIsNotNone(took, "yamorid did not stop within 30 s")
        self.assertEqual(box.p.returncode, 0)
        self.assertLess(took, 15, "stopping waited %.0f s" % took)


if __name__ == "__main__":
    unittest.main()
