#!/usr/bin/env python3
"""Live capture on real interfaces, in network namespaces this test creates.

Two namespaces joined by a veth pair (private addresses 10.231.0.0/24 only,
nothing leaves them). yamorid captures inside one namespace; the other sends
ping and UDP traffic. Checks what a user would: the neighbour appears as a
device with its address, SIGTERM ends the daemon cleanly with exit 0, a
missing interface and a capture without privileges are exit 2 with one plain
line, and kill -9 during live capture leaves a sound database.
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")

NS_DEV = "ymtest-dev%d" % os.getpid()
NS_BOX = "ymtest-box%d" % os.getpid()
DEV_IP, BOX_IP = "10.231.0.2", "10.231.0.1"


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def can_make_namespaces():
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    probe = "ymtest-probe%d" % os.getpid()
    ok = sh("ip", "netns", "add", probe, check=False).returncode == 0
    if ok:
        sh("ip", "netns", "del", probe, check=False)
    return ok


HAVE_NETNS = can_make_namespaces()


class NetnsCase(unittest.TestCase):
    """Two namespaces on a veth pair; yamorid runs in the appliance's."""

    @classmethod
    def setUpClass(cls):
        sh("ip", "netns", "add", NS_DEV)
        sh("ip", "netns", "add", NS_BOX)
        sh("ip", "link", "add", "ymveth0", "netns", NS_BOX, "type", "veth",
           "peer", "name", "ymveth1", "netns", NS_DEV)
        sh("ip", "-n", NS_BOX, "addr", "add", BOX_IP + "/24", "dev", "ymveth0")
        sh("ip", "-n", NS_DEV, "addr", "add", DEV_IP + "/24", "dev", "ymveth1")
        for ns, dev in ((NS_BOX, "ymveth0"), (NS_DEV, "ymveth1")):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", dev, "up")
        out = sh("ip", "-n", NS_DEV, "-j", "link", "show", "ymveth1").stdout
        cls.dev_mac = json.loads(out)[0]["address"]

    @classmethod
    def tearDownClass(cls):
        sh("ip", "netns", "del", NS_DEV, check=False)
        sh("ip", "netns", "del", NS_BOX, check=False)

    def setUp(self):
        self.state = tempfile.mkdtemp(prefix="ym-live-")

    def tearDown(self):
        shutil.rmtree(self.state, ignore_errors=True)

    def start(self, iface="ymveth0", extra=(), env=None):
        conf = os.path.join(self.state, "test.conf")
        with open(conf, "w") as f:
            f.write("commit_interval = 1\n")
        return subprocess.Popen(
            ["ip", "netns", "exec", NS_BOX, YAMORID, "-i", iface,
             "--state-dir", self.state, "-c", conf, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def wait_running(self, proc):
        """Waits until the daemon has written its first status."""
        db = os.path.join(self.state, "yamori.db")
        for _ in range(100):
            if proc.poll() is not None:
                self.fail("yamorid ended early: %s" % proc.stderr.read())
            if os.path.exists(db):
                r = sh(YAMORICTL, "--state-dir", self.state, "status", "--json", check=False)
                if r.returncode == 0 and json.loads(r.stdout)["state"] == "running":
                    return
            time.sleep(0.1)
        self.fail("yamorid did not start")

    def traffic(self):
        sh("ip", "netns", "exec", NS_DEV, "ping", "-c", "5", "-i", "0.2", "-W", "1", BOX_IP)
        # A UDP datagram too, from the device's own address.
        sh("ip", "netns", "exec", NS_DEV, "python3", "-c",
           "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
           "[s.sendto(b'hello', ('%s', 9)) for _ in range(3)]" % BOX_IP)

    def wait_for_device(self):
        """Commits are batched (here every second, up to a tick late)."""
        for _ in range(50):
            if self.dev_mac in self.devices():
                return
            time.sleep(0.1)
        self.fail("the neighbour was not recorded within 5 s")

    def wait_for_commit(self):
        """Waits until the device is in the database, not only in memory."""
        db = os.path.join(self.state, "yamori.db")
        for _ in range(50):
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            try:
                row = con.execute("SELECT 1 FROM devices WHERE mac = ?",
                                  (self.dev_mac,)).fetchone()
            except sqlite3.Error:
                row = None
            con.close()
            if row:
                return
            time.sleep(0.1)
        self.fail("the neighbour was not committed within 5 s")

    def devices(self):
        r = sh(YAMORICTL, "--state-dir", self.state, "devices", "--json")
        return {d["mac"]: d for d in json.loads(r.stdout)}


@unittest.skipUnless(HAVE_NETNS, "needs root and ip netns: run the tests as root (./run.sh test does)")
class LiveCapture(NetnsCase):
    def test_neighbour_becomes_device(self):
        proc = self.start()
        self.wait_running(proc)
        self.traffic()
        # While it runs, yamorictl asks the daemon itself.
        self.wait_for_device()
        # Captured packets reach the daemon in blocks (up to 200 ms late).
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)
        devs = self.devices()
        dev = devs[self.dev_mac]
        self.assertIn(DEV_IP, dev["ips"])
        self.assertGreaterEqual(dev["packets_up"], 8)
        self.assertGreaterEqual(dev["packets_down"], 5)
        st = json.loads(sh(YAMORICTL, "--state-dir", self.state, "status", "--json").stdout)
        self.assertEqual(st["mode"], "live")
        self.assertEqual(st["state"], "stopped")
        self.assertGreaterEqual(st["packets"], 13)
        self.assertGreater(st["flows"]["created"], 0)

    def test_any_interface_cooked_capture(self):
        proc = self.start(iface="any")
        self.wait_running(proc)
        self.traffic()
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)
        dev = self.devices().get(self.dev_mac)
        self.assertIsNotNone(dev, "the neighbour is found through -i any too")
        self.assertIn(DEV_IP, dev["ips"])

    def test_missing_interface(self):
        proc = self.start(iface="ymnosuch0")
        _, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(err.strip(), "yamorid: no network interface named ymnosuch0")

    def test_without_privileges(self):
        os.chmod(self.state, 0o777)
        r = subprocess.run(
            ["ip", "netns", "exec", NS_BOX, "setpriv", "--reuid=nobody", "--regid=nogroup",
             "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
             YAMORID, "-i", "ymveth0", "--state-dir", self.state, "-c", "/dev/null"],
            capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not allowed to capture on ymveth0", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_kill_9_leaves_sound_database(self):
        proc = self.start()
        self.wait_running(proc)
        pinger = subprocess.Popen(
            ["ip", "netns", "exec", NS_DEV, "ping", "-f", "-c", "20000", BOX_IP],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Wait for the first commit that holds the device, then kill the
        # daemon in the middle of work.
        self.wait_for_commit()
        proc.kill()
        proc.communicate(timeout=10)
        pinger.wait(timeout=30)
        db = sqlite3.connect(os.path.join(self.state, "yamori.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()
        st = json.loads(sh(YAMORICTL, "--state-dir", self.state, "status", "--json").stdout)
        self.assertEqual(st["state"], "ended", "a killed daemon is not shown as watching")
        # A restart continues on the same database.
        proc = self.start()
        self.wait_running(proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn(self.dev_mac, self.devices())


CLIENT = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "status"}\n')
print(s.recv(100))
"""


@unittest.skipUnless(HAVE_NETNS, "needs root and ip netns: run the tests as root (./run.sh test does)")
class ApiTest(NetnsCase):
    """The daemon's UNIX socket: JSON lines, errors that keep the
    connection, bounded input, slow clients dropped, peers checked, and
    yamorictl going through it while the daemon runs."""

    def setUp(self):
        super().setUp()
        self.proc = self.start()
        self.wait_running(self.proc)
        self.sock_path = os.path.join(self.state, "yamori.sock")

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.communicate(timeout=20)
        super().tearDown()

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        for _ in range(50):
            try:
                s.connect(self.sock_path)
                return s
            except BlockingIOError:
                time.sleep(0.05)  # the listen queue is full for a moment
        self.fail("cannot connect to the daemon")

    def ask(self, s, obj_or_text):
        line = obj_or_text if isinstance(obj_or_text, bytes) else \
            (json.dumps(obj_or_text) + "\n").encode()
        s.sendall(line)
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
        return json.loads(buf.split(b"\n")[0])

    def test_requests_and_errors(self):
        s = self.connect()
        st = self.ask(s, {"id": 1, "cmd": "status"})
        self.assertTrue(st["ok"])
        self.assertEqual(st["id"], 1)
        self.assertEqual(st["result"]["state"], "running")
        bad = self.ask(s, b"this is not json\n")
        self.assertFalse(bad["ok"])
        self.assertIn("JSON", bad["error"])
        self.assertEqual(bad["code"], "bad_request")
        r = self.ask(s, {"id": 2, "cmd": "make_coffee"})
        self.assertEqual((r["ok"], r["code"]), (False, "unknown_command"))
        r = self.ask(s, {"id": 3, "cmd": "rename", "args": {"mac": "nonsense"}})
        self.assertEqual((r["ok"], r["code"]), (False, "bad_request"))
        # The connection lives on after errors.
        self.assertTrue(self.ask(s, {"id": 4, "cmd": "devices"})["ok"])
        s.close()

    def test_rename_and_ctl_through_api(self):
        self.traffic()
        self.wait_for_device()
        s = self.connect()
        r = self.ask(s, {"id": 1, "cmd": "rename",
                         "args": {"mac": self.dev_mac, "name": "居間のカメラ"}})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["name"], "居間のカメラ")
        out = sh(YAMORICTL, "--state-dir", self.state, "devices").stdout
        self.assertIn("居間のカメラ", out)
        # yamorictl's own rename goes through the daemon too.
        sh(YAMORICTL, "--state-dir", self.state, "rename", self.dev_mac, "書斎")
        devs = {d["mac"]: d for d in json.loads(sh(
            YAMORICTL, "--state-dir", self.state, "devices", "--json").stdout)}
        self.assertEqual(devs[self.dev_mac]["name"], "書斎")
        # And the name is in the database after the daemon stops.
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20)
        devs = {d["mac"]: d for d in json.loads(sh(
            YAMORICTL, "--state-dir", self.state, "devices", "--json").stdout)}
        self.assertEqual(devs[self.dev_mac]["name"], "書斎")

    def test_oversized_and_garbage_input(self):
        s = self.connect()
        try:
            s.sendall(b"x" * (70 * 1024) + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        # One error answer, then the daemon hangs up on this client.
        r = json.loads(s.recv(65536).split(b"\n")[0])
        self.assertFalse(r["ok"])
        self.assertIn("too long", r["error"])
        self.assertEqual(r["code"], "bad_request")
        s2 = self.connect()
        # Binary garbage (with newlines in it): an error for each line,
        # and the same connection still answers a good request after.
        s2.sendall(bytes(range(256)) * 10 + b"\n" +
                   (json.dumps({"id": 9, "cmd": "status"}) + "\n").encode())
        answers, buf = [], b""
        while not any(a.get("id") == 9 for a in answers):
            chunk = s2.recv(65536)
            self.assertTrue(chunk, "connection closed")
            buf += chunk
            *lines, buf = buf.split(b"\n")
            answers += [json.loads(l) for l in lines if l]
        self.assertTrue([a for a in answers if a.get("id") == 9][0]["ok"])
        self.assertFalse(answers[0]["ok"])
        self.assertIsNone(self.proc.poll(), "the daemon is still running")

    def test_settings_last_across_restarts(self):
        s = self.connect()
        r = self.ask(s, {"id": 1, "cmd": "settings", "args": {"audit": "off",
                                                             "auto_isolate": "critical"}})
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["result"]["audit"], r["result"]["auto_isolate"]), ("off", "critical"))
        bad = self.ask(s, {"id": 2, "cmd": "settings", "args": {"audit": "sometimes"}})
        self.assertFalse(bad["ok"])
        self.assertEqual(bad["code"], "bad_request")
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20)
        self.proc = self.start()
        self.wait_running(self.proc)
        s = self.connect()
        r = self.ask(s, {"id": 3, "cmd": "settings"})
        self.assertEqual((r["result"]["audit"], r["result"]["auto_isolate"]), ("off", "critical"))
        # Password checks are off now: a check is refused, kindly.
        self.traffic()
        self.wait_for_device()
        r = self.ask(s, {"id": 4, "cmd": "audit", "args": {"target": DEV_IP}})
        self.assertFalse(r["ok"])
        self.assertIn("off", r["error"])
        self.assertEqual(r["code"], "off")

    def test_messages_in_the_households_language(self):
        # A replayed household served on the socket, the daemon in Japanese.
        fx = os.path.join(self.state, "fx")
        subprocess.run(["python3", os.path.join(os.path.dirname(os.path.dirname(__file__)),
                                                "fixtures", "mkhome.py"), "--out", fx],
                       check=True, capture_output=True)
        st = os.path.join(self.state, "ja")
        os.makedirs(st)
        proc = subprocess.Popen([YAMORID, "-r", os.path.join(fx, "home.pcap"), "--serve",
                                 "--state-dir", st, "-c", "/dev/null"],
                                env=dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            sock = os.path.join(st, "yamori.sock")
            for _ in range(100):
                if os.path.exists(sock):
                    break
                time.sleep(0.1)
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            s.connect(sock)
            for _ in range(100):
                alerts = self.ask(s, {"id": 1, "cmd": "alerts"})["result"]
                if alerts:
                    break
                time.sleep(0.1)
            news = [a for a in alerts if a["kind"] == "new_device"]
            self.assertTrue(news, alerts)
            self.assertIn("つながりました", news[0]["message"])
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0)

    def test_device_json_for_the_panel(self):
        self.traffic()
        self.wait_for_device()
        s = self.connect()
        devs = {d["mac"]: d for d in self.ask(s, {"id": 1, "cmd": "devices"})["result"]}
        dev = devs[self.dev_mac]
        self.assertIs(dev["never_isolate"], False)
        self.assertIn("support", dev)
        self.assertIn("contact_web", dev["support"])
        self.assertIn("reset_steps", dev)
        r = self.ask(s, {"id": 2, "cmd": "never_isolate", "args": {"mac": self.dev_mac}})
        self.assertIs(r["result"]["never_isolate"], True)

    def test_half_written_requests(self):
        # One client stops in the middle of a line and stays; another
        # leaves in the middle of one: the daemon answers others meanwhile.
        stuck = self.connect()
        stuck.sendall(b'{"id": 1, "cmd": "sta')
        gone = self.connect()
        gone.sendall(b'{"id": 2, "cmd": "devi')
        gone.close()
        s = self.connect()
        self.assertTrue(self.ask(s, {"id": 3, "cmd": "status"})["ok"])
        # The stuck client's line completes later and is answered.
        self.assertEqual(self.ask(stuck, b'tus"}\n')["id"], 1)
        # Sixteen clients at once: one more is turned away, not hung.
        many = []
        for _ in range(14):
            many.append(self.connect())
            self.assertTrue(self.ask(many[-1], {"id": 9, "cmd": "status"})["ok"])
        extra = self.connect()
        extra.settimeout(3)
        try:
            extra.sendall(b'{"id": 4, "cmd": "status"}\n')
            self.assertEqual(extra.recv(100), b"")
        except (ConnectionResetError, BrokenPipeError):
            pass  # turned away at once
        for m in many:
            m.close()
        self.assertTrue(self.ask(s, {"id": 5, "cmd": "status"})["ok"])

    def test_slow_client_is_dropped(self):
        slow = self.connect()
        # Thousands of requests whose answers are never read.
        req = (json.dumps({"id": 1, "cmd": "status"}) + "\n").encode()
        try:
            for _ in range(4000):
                slow.sendall(req)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        # Another client is answered promptly meanwhile.
        s = self.connect()
        self.assertTrue(self.ask(s, {"id": 2, "cmd": "status"})["ok"])
        st = self.ask(s, {"id": 3, "cmd": "status"})["result"]
        self.assertIsNone(self.proc.poll())

    def test_other_users_are_refused(self):
        os.chmod(self.state, 0o755)
        mode = os.stat(self.sock_path).st_mode & 0o777
        self.assertEqual(mode, 0o660)
        client = CLIENT
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            "python3", "-c", client, self.sock_path],
                           capture_output=True, text=True, timeout=20)
        # The socket's mode already keeps others out; nothing is answered.
        self.assertNotIn("ok", r.stdout)

    def test_subscribe_gets_alerts(self):
        s = self.connect()
        self.assertTrue(self.ask(s, {"id": 1, "cmd": "subscribe"})["ok"])
        # The neighbour offers telnet: a risky_service alert is pushed.
        srv = subprocess.Popen(["ip", "netns", "exec", NS_DEV, "python3", "-c",
                                "import socket,time; s=socket.socket(); "
                                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);"
                                "s.bind(('0.0.0.0', 23)); s.listen(1); c,_=s.accept();"
                                "c.sendall(b'login: '); time.sleep(1)"])
        self.addCleanup(srv.kill)
        time.sleep(0.5)
        sh("ip", "netns", "exec", NS_BOX, "python3", "-c",
           "import socket; s=socket.create_connection(('%s', 23), timeout=3); s.recv(10)" % DEV_IP)
        s.settimeout(8)
        buf = b""
        while b"risky_service" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        ev = [json.loads(l) for l in buf.split(b"\n") if b"risky_service" in l][0]
        self.assertEqual(ev["event"], "alert")
        self.assertEqual(ev["mac"], self.dev_mac)
        self.assertEqual(ev["severity"], "warning")


SERVER = r"""
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
desc = (b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        b'<device><deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>'
        b'<friendlyName>Living room TV</friendlyName><manufacturer>Sony Corporation</manufacturer>'
        b'<modelName>KJ-55X9500G</modelName><modelNumber>X9500G</modelNumber></device></root>')
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
s.listen(4)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.recv(4096)
    if mode == "hang":
        time.sleep(30)
    elif mode == "huge":
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n" + b"<root>" + b"x" * 200000)
    else:
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(desc) + desc)
    c.close()
"""


@unittest.skipUnless(HAVE_NETNS, "needs root and ip netns: run the tests as root (./run.sh test does)")
class UpnpFetch(NetnsCase):
    """A device announces a UPnP description over SSDP; Yamori fetches it
    from the device's own address, bounded in size and time."""

    def serve(self, mode, port=49152):
        path = os.path.join(self.state, "server.py")
        with open(path, "w") as f:
            f.write(SERVER)
        srv = subprocess.Popen(["ip", "netns", "exec", NS_DEV, "python3", path, str(port), mode],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.assertEqual(srv.stdout.readline().strip(), "ready")
        self.addCleanup(srv.kill)
        return srv

    def notify(self, location):
        msg = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
               "NT: urn:schemas-upnp-org:device:MediaRenderer:1\r\nNTS: ssdp:alive\r\n"
               "SERVER: Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0\r\n"
               "USN: uuid:00000000-0000-1010-8000-123456789abc\r\n"
               "LOCATION: %s\r\n\r\n" % location)
        sh("ip", "netns", "exec", NS_DEV, "python3", "-c",
           "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
           "s.sendto(sys.argv[1].encode(), ('%s', 1900))" % BOX_IP, msg)

    def upnp_status(self, key, want, seconds=8):
        for _ in range(int(seconds * 10)):
            st = json.loads(sh(YAMORICTL, "--state-dir", self.state, "status", "--json").stdout)
            if st["upnp"][key] >= want:
                return st
            time.sleep(0.1)
        self.fail("upnp.%s did not reach %d: %s" % (key, want, st["upnp"]))

    def run_daemon(self):
        proc = self.start()
        self.wait_running(proc)
        self.traffic()
        self.wait_for_device()
        return proc

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, err)

    def test_description_identifies_device(self):
        self.serve("good")
        proc = self.run_daemon()
        self.notify("http://%s:49152/desc.xml" % DEV_IP)
        self.upnp_status("fetched", 1)
        # Announcing again the same day does not fetch again.
        self.notify("http://%s:49152/desc.xml" % DEV_IP)
        time.sleep(1.5)
        self.stop(proc)
        st = json.loads(sh(YAMORICTL, "--state-dir", self.state, "status", "--json").stdout)
        self.assertEqual(st["upnp"]["requested"], 1)
        dev = self.devices()[self.dev_mac]
        ev = {(e["signal"], e["value"]) for e in dev["evidence"]}
        self.assertIn(("upnp_manufacturer", "Sony Corporation"), ev)
        self.assertIn(("upnp_model", "KJ-55X9500G X9500G"), ev)
        self.assertEqual(dev["name"], "Living room TV")

    def test_foreign_location_refused(self):
        proc = self.run_daemon()
        # A LOCATION at another address (here the appliance itself) or a
        # name is never fetched.
        self.notify("http://%s:49152/desc.xml" % BOX_IP)
        self.notify("http://printer.example:80/desc.xml")
        self.upnp_status("refused", 2)
        self.stop(proc)
        st = json.loads(sh(YAMORICTL, "--state-dir", self.state, "status", "--json").stdout)
        self.assertEqual(st["upnp"]["requested"], 0)

    def test_hanging_server_times_out(self):
        self.serve("hang", 49153)
        proc = self.run_daemon()
        self.notify("http://%s:49153/desc.xml" % DEV_IP)
        self.upnp_status("timeouts", 1, seconds=10)
        self.stop(proc)

    def test_huge_description_dropped(self):
        self.serve("huge", 49154)
        proc = self.run_daemon()
        self.notify("http://%s:49154/desc.xml" % DEV_IP)
        self.upnp_status("too_large", 1)
        self.stop(proc)
        dev = self.devices()[self.dev_mac]
        self.assertFalse([e for e in dev["evidence"] if e["signal"].startswith("upnp")])

    def test_stop_during_fetch(self):
        self.serve("hang", 49155)
        proc = self.run_daemon()
        self.notify("http://%s:49155/desc.xml" % DEV_IP)
        self.upnp_status("requested", 1)
        t = time.time()
        self.stop(proc)
        self.assertLess(time.time() - t, 3, "a fetch in progress does not hold up the exit")


if __name__ == "__main__":
    unittest.main()
