#!/usr/bin/env python3
"""Signed data bundles (issue 15): real bundles signed here with a
throwaway minisign key. Every bad bundle (tampered file, tampered manifest,
wrong key, rolled-back version, expired, truncated, huge, path traversal,
a link, a malformed rule file) is refused while yamorid serves a replayed
household, with the running data intact; a good one is applied in the
running daemon without a restart and its new rule changes a device. The
HTTPS fetch runs against lighttpd with TLS in a network namespace made
here (private addresses only inside it): a good certificate is fetched, a
certificate for another name and a redirect are refused."""
import datetime
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest

import ymapi  # noqa: E402  (tests/integration, the script's folder)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(REPO, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
MKHOME = os.path.join(REPO, "tests", "fixtures", "mkhome.py")
sys.path.insert(0, os.path.join(REPO, "tools"))
import yamori_bundle as yb  # noqa: E402

LAPTOP = "ac:ed:5c:70:70:ab"
# The new rule a good bundle brings: the laptop's DHCP host name now says
# it is a camera of a made-up brand.
NEW_RULE = ('dhcp_hostname "taro-laptop" type=camera vendor=Yamoritest '
            'weight=1.0 source=test\n')
NOW = datetime.datetime.now(datetime.timezone.utc)
PID = os.getpid()
NS = "ymbundle%d" % PID
SERVER_IP = "10.99.%d.1" % (PID % 200 + 20)


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, capture_output=True, text=True, **kw)


def missing():
    tools = ["minisign"]
    return [t for t in tools if not shutil.which(t)]


class Env:
    """Keys, the data files, a household capture."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="ymbundle-")
        self.keys = os.path.join(self.tmp, "keys")
        os.makedirs(self.keys)
        self.key = os.path.join(self.tmp, "test.key")
        self.wrong = os.path.join(self.tmp, "wrong.key")
        sh("minisign", "-G", "-W", "-p", os.path.join(self.keys, "test.pub"),
           "-s", self.key)
        sh("minisign", "-G", "-W", "-p", os.path.join(self.tmp, "wrong.pub"),
           "-s", self.wrong)
        self.files = yb.data_files(os.path.join(REPO, "data"))
        sh(sys.executable, MKHOME, "--out", self.tmp)
        self.pcap = os.path.join(self.tmp, "home.pcap")
        self.n = 0

    def long_capture(self, repeats=20):
        """The household's two hours again and again, each copy later: a
        replay that lasts long enough to update in the middle of it."""
        path = os.path.join(self.tmp, "long.pcap")
        with open(self.pcap, "rb") as f:
            data = f.read()
        recs, off = [], 24
        while off < len(data):
            ts, us, cl, ol = struct.unpack("<IIII", data[off:off + 16])
            recs.append((ts, us, data[off + 16:off + 16 + cl], ol))
            off += 16 + cl
        span = recs[-1][0] - recs[0][0] + 60
        with open(path, "wb") as f:
            f.write(data[:24])
            for k in range(repeats):
                for ts, us, b, ol in recs:
                    f.write(struct.pack("<IIII", ts + k * span, us, len(b), ol) + b)
        return path

    def conf(self, state, extra=""):
        path = os.path.join(state, "test.conf")
        with open(path, "w") as f:
            f.write("keys_dir = %s\ndata_dir = %s\n%s" %
                    (self.keys, os.path.join(REPO, "data"), extra))
        return path

    def write(self, data, name=None):
        self.n += 1
        path = os.path.join(self.tmp, name or "b%d.tar" % self.n)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def good(self, version, extra_rule=NEW_RULE, **kw):
        files = dict(self.files)
        files["fingerprints/zz-test.rules"] = extra_rule.encode()
        return yb.build(files, version, kw.pop("key", self.key), self.tmp, **kw)

    def parts(self, version, files=None, key=None):
        files = dict(files or self.files)
        text = yb.manifest(files, version, NOW, NOW + datetime.timedelta(days=30))
        return text, yb.sign(text, key or self.key, self.tmp), files


class Serving:
    """yamorid replaying the sample household and serving its socket."""

    def __init__(self, env, state, prefix=(), extra="", files=None):
        self.state = state
        self.sock = os.path.join(state, "yamori.sock")
        reads = []
        for path in files or [env.pcap]:
            reads += ["-r", path]
        self.proc = subprocess.Popen(
            [*prefix, YAMORID, *reads, "--state-dir", state, "-c",
             env.conf(state, extra), "--serve"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("yamorid exited: " + self.proc.stderr.read())
            if os.path.exists(self.sock) and self.ask({"cmd": "status"}).get("ok"):
                return
            time.sleep(0.1)
        raise AssertionError("the socket never answered")

    def ask(self, req, timeout=60):
        return ymapi.ask(self.sock, req, timeout) or {}

    def status(self):
        return self.ask({"cmd": "status"})["result"]

    def device(self, mac):
        for d in self.ask({"cmd": "devices"})["result"]:
            if d["mac"] == mac:
                return d
        raise AssertionError("no device " + mac)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, err


def tar_entries(entries):
    return yb.tar(entries)


@unittest.skipIf(missing(), "missing %s: ./run.sh installs it" % ", ".join(missing()))
class Bundles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = Env()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.env.tmp, ignore_errors=True)

    def bad_bundles(self):
        """(name, bundle bytes, a word the reason holds)."""
        env = self.env
        text, sig, files = env.parts(3)
        good = [("manifest", text), ("manifest.minisig", sig)] + sorted(files.items())
        out = []
        # A file changed after signing (same size, one byte).
        t = dict(files)
        changed = bytearray(t["intel/test.list"])
        changed[0] ^= 1
        t["intel/test.list"] = bytes(changed)
        out.append(("tampered file", tar_entries(
            [("manifest", text), ("manifest.minisig", sig)] + sorted(t.items())),
            "SHA-256"))
        # The manifest changed after signing (a later expiry).
        forged = text.replace(b"expires 20", b"expires 29", 1)
        out.append(("tampered manifest", tar_entries(
            [("manifest", forged), ("manifest.minisig", sig)] + sorted(files.items())),
            "signature"))
        out.append(("wrong key", env.good(3, key=env.wrong), "trust"))
        out.append(("expired", env.good(3, created=NOW - datetime.timedelta(days=100),
                                        days=10), "expired"))
        whole = tar_entries(good)
        out.append(("truncated", whole[:len(whole) // 2], "truncated"))
        out.append(("no signature", tar_entries([("manifest", text)] +
                                                sorted(files.items())), "signature"))
        # Path traversal: the name is signed, and still refused.
        t = dict(files)
        t["fingerprints/../../../tmp/evil.rules"] = b"# evil\n"
        ttext, tsig, _ = env.parts(3, t)
        out.append(("path traversal", tar_entries(
            [("manifest", ttext), ("manifest.minisig", tsig)] + sorted(t.items())),
            "not allowed"))
        # An absolute name in the archive, not in the manifest.
        out.append(("absolute name", tar_entries(good + [("/etc/evil.rules", b"x\n")]),
                    "manifest"))
        # A symbolic link entry.
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            for name, data in good:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            info = tarfile.TarInfo("fingerprints/link.rules")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/shadow"
            t.addfile(info)
        out.append(("symbolic link", buf.getvalue(), "other than files"))
        # A rule file that does not parse, signed and hashed correctly.
        out.append(("malformed rules", env.good(3, extra_rule="dhcp_hostname\n"),
                    "zz-test.rules:1"))
        return out

    def test_1_refused_then_applied_while_serving(self):
        env = self.env
        state = tempfile.mkdtemp(dir=env.tmp)
        d = Serving(env, state)
        try:
            st = d.status()
            self.assertEqual(st["data"]["version"], 0)
            before = d.device(LAPTOP)
            self.assertNotEqual(before["vendor"], "Yamoritest")
            n_dev = st["devices"]["in_memory"]
            n_alerts = len(d.ask({"cmd": "alerts"})["result"])
            # A subscriber hears every refusal.
            sub = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sub.settimeout(30)
            sub.connect(d.sock)
            sub.sendall(b'{"cmd":"subscribe"}\n')
            events = sub.makefile("rb")
            self.assertTrue(json.loads(events.readline())["ok"])
            huge = os.path.join(env.tmp, "huge.tar")
            with open(huge, "wb") as f:
                f.truncate(65 << 20)
            cases = self.bad_bundles() + [("huge", None, "larger")]
            for name, data, word in cases:
                with self.subTest(name):
                    path = huge if data is None else env.write(data)
                    r = d.ask({"cmd": "update", "args": {"path": path}})
                    self.assertFalse(r.get("ok"), name)
                    self.assertEqual(r["code"], "refused", r)
                    self.assertIn(word, r["error"])
                    self.assertNotIn("\n", r["error"])
                    ev = json.loads(events.readline())
                    while ev.get("event") != "update_refused":
                        ev = json.loads(events.readline())
                    self.assertEqual(ev["reason"], r["error"])
                    # The running data stays.
                    self.assertEqual(d.status()["data"]["version"], 0)
                    self.assertEqual(d.device(LAPTOP)["vendor"], before["vendor"])
                    self.assertFalse(os.path.exists(os.path.join(state, "data", "current")))
            self.assertFalse(os.path.exists("/tmp/evil.rules"))
            stage = [n for n in os.listdir(os.path.join(state, "data"))
                     if n.startswith(".stage")]
            self.assertEqual(stage, [], "staging directories left behind")

            # A good one: in use at once, no restart, nothing lost.
            r = d.ask({"cmd": "update", "args": {"path": env.write(env.good(5))}})
            self.assertTrue(r.get("ok"), r)
            self.assertEqual(r["result"]["version"], 5)
            ev = json.loads(events.readline())
            while ev.get("event") != "data_updated":
                ev = json.loads(events.readline())
            self.assertEqual(ev["version"], 5)
            st = d.status()
            self.assertEqual(st["data"]["version"], 5)
            self.assertFalse(st["data"]["expired"])
            after = d.device(LAPTOP)
            self.assertEqual(after["vendor"], "Yamoritest", after)
            self.assertEqual(after["type"], "camera", after)
            self.assertEqual(st["devices"]["in_memory"], n_dev)
            self.assertGreaterEqual(len(d.ask({"cmd": "alerts"})["result"]), n_alerts)
            self.assertEqual(os.readlink(os.path.join(state, "data", "current")), "5")

            # No rollback: an older or the same version is refused.
            for v in (4, 5):
                r = d.ask({"cmd": "update", "args": {"path": env.write(env.good(v))}})
                self.assertFalse(r.get("ok"))
                self.assertIn("not newer", r["error"])
            self.assertEqual(d.status()["data"]["version"], 5)
            # yamorictl goes through the daemon.
            ctl = sh(YAMORICTL, "--state-dir", state, "-c", env.conf(state),
                     "update", env.write(env.good(6)), check=False)
            self.assertEqual(ctl.returncode, 0, ctl.stderr)
            self.assertEqual(d.status()["data"]["version"], 6)
            ctl = sh(YAMORICTL, "--state-dir", state, "-c", env.conf(state),
                     "update", env.write(env.good(2)), check=False)
            self.assertEqual(ctl.returncode, 1)
            self.assertEqual(len(ctl.stderr.strip().splitlines()), 1, ctl.stderr)
            sub.close()
        finally:
            rc, err = d.stop()
        self.assertEqual(rc, 0, err)
        self.assertIn("refused", err)
        # Yamori's own record keeps every update applied or refused, and
        # the chain holds.
        log = sh(YAMORICTL, "--state-dir", state, "log", "--json", check=False)
        self.assertEqual(log.returncode, 0, log.stderr)
        kinds = [e["kind"] for e in json.loads(log.stdout)]
        self.assertIn("update_refused", kinds)
        self.assertEqual(kinds.count("update_applied"), 2, kinds)
        verify = sh(YAMORICTL, "--state-dir", state, "log", "verify", check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)

        # A restart uses the installed bundle.
        d = Serving(env, state)
        try:
            self.assertEqual(d.status()["data"]["version"], 6)
            self.assertEqual(d.device(LAPTOP)["vendor"], "Yamoritest")
            rules = d.status()["fingerprint_rules"]
        finally:
            rc, err = d.stop()
        self.assertEqual(rc, 0, err)
        # A file changed on the disk after it was installed: the daemon
        # says so and falls back to the packaged data.
        with open(os.path.join(state, "data", "6", "fingerprints", "zz-test.rules"), "a") as f:
            f.write("# edited\n")
        d = Serving(env, state)
        try:
            # The packaged rules: one fewer than the bundle's.
            self.assertEqual(d.status()["fingerprint_rules"], rules - 1)
        finally:
            rc, err = d.stop()
        self.assertEqual(rc, 0, err)
        self.assertIn("cannot be used", err)
        self.assertIn("SHA-256", err)

    def test_3_applied_during_a_replay(self):
        env = self.env
        state = tempfile.mkdtemp(dir=env.tmp)
        long = env.long_capture()
        d = Serving(env, state, files=[long] * 300)
        try:
            r = d.ask({"cmd": "update", "args": {"path": env.write(env.good(9))}})
            self.assertTrue(r.get("ok"), r)
            st = d.status()
            files = st["files"]
            if files["read"] >= files["total"]:
                self.skipTest("this machine replayed everything before the "
                              "update was in use")
            self.assertEqual(st["data"]["version"], 9)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                files = d.status()["files"]
                if files["read"] >= files["total"]:
                    break
                time.sleep(0.5)
            after = d.device(LAPTOP)
            self.assertEqual(after["vendor"], "Yamoritest", after)
            self.assertEqual(after["type"], "camera", after)
            self.assertGreater(d.status()["packets"], st["packets"])
        finally:
            rc, err = d.stop()
        self.assertEqual(rc, 0, err)

    def test_4_refused_update_is_on_disk_at_once(self):
        """A refused update is in Yamori's own record before anything
        else commits: kill -9 right after the refusal (a power cut) and
        the record still shows it, its chain intact."""
        env = self.env
        state = tempfile.mkdtemp(dir=env.tmp)
        d = Serving(env, state, extra="commit_interval = 3600\n")
        try:
            text, sig, files = env.parts(3)
            t = dict(files)
            changed = bytearray(t["intel/test.list"])
            changed[0] ^= 1
            t["intel/test.list"] = bytes(changed)
            bad = tar_entries([("manifest", text), ("manifest.minisig", sig)] +
                              sorted(t.items()))
            r = d.ask({"cmd": "update", "args": {"path": env.write(bad)}})
            self.assertEqual(r.get("code"), "refused", r)
            d.proc.kill()
            d.proc.wait()
        finally:
            d.stop()
        log = sh(YAMORICTL, "--state-dir", state, "log", "--json", check=False)
        self.assertEqual(log.returncode, 0, log.stderr)
        refused = [e for e in json.loads(log.stdout) if e["kind"] == "update_refused"]
        self.assertEqual(len(refused), 1, log.stdout)
        self.assertIn("SHA-256", json.dumps(refused[0]))
        verify = sh(YAMORICTL, "--state-dir", state, "log", "verify", check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)

    def test_2_offline_and_stale_warning(self):
        env = self.env
        state = tempfile.mkdtemp(dir=env.tmp)
        conf = env.conf(state)
        r = sh(YAMORICTL, "--state-dir", state, "-c", conf, "update",
               env.write(env.good(3, created=NOW - datetime.timedelta(days=1),
                                  expires=datetime.datetime.now(datetime.timezone.utc)
                                  + datetime.timedelta(seconds=4))),
               check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("3", r.stdout)
        r = sh(YAMORICTL, "--state-dir", state, "-c", conf, "update",
               env.write(env.good(2)), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not newer", r.stderr)
        time.sleep(5)
        # A replay records the status; the data is now past its expiry.
        r = sh(YAMORID, "-r", env.pcap, "--state-dir", state, "-c", conf, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        st = json.loads(sh(YAMORICTL, "--state-dir", state, "status", "--json").stdout)
        self.assertEqual(st["data"]["version"], 3)
        self.assertTrue(st["data"]["expired"])
        env_ja = dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja", LC_ALL="ja_JP.UTF-8")
        r = subprocess.run([YAMORICTL, "--state-dir", state, "status"], env=env_ja,
                           capture_output=True, text=True, check=True)
        self.assertIn("古く", r.stdout)
        r = sh(YAMORICTL, "--state-dir", state, "status")
        self.assertIn("out of date", r.stdout)


def netns_skip():
    if os.geteuid() != 0:
        return "needs root (a network namespace): ./run.sh test runs it as root"
    for t in ("minisign", "openssl", "ip", "/usr/sbin/lighttpd"):
        if not shutil.which(t):
            return "missing %s: ./run.sh installs it" % t
    if not os.path.exists("/usr/lib/lighttpd/mod_openssl.so"):
        return "missing lighttpd-mod-openssl"
    if sh("ip", "netns", "add", NS + "p", check=False).returncode != 0:
        return "cannot create network namespaces here"
    sh("ip", "netns", "del", NS + "p", check=False)
    return None


LIGHTTPD_CONF = """
server.document-root = "%(www)s"
server.bind = "%(ip)s"
server.port = 443
server.errorlog = "%(dir)s/lighttpd.log"
server.modules = ("mod_openssl", "mod_redirect")
ssl.engine = "enable"
ssl.pemfile = "%(dir)s/good.pem"
$SERVER["socket"] == "%(ip)s:8443" {
    ssl.engine = "enable"
    ssl.pemfile = "%(dir)s/other.pem"
}
url.redirect = ("^/moved.tar$" => "https://192.168.77.1/b.tar")
"""


@unittest.skipIf("update_download" in os.environ.get("YAMORI_FEATURES_OFF", "").split(","),
                 "built without downloads (YAMORI_FETCH=OFF); test_features.py checks "
                 "that update_url is refused")
@unittest.skipIf(missing() or netns_skip(), missing() and "minisign missing" or netns_skip())
class Fetch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = env = Env()
        d = cls.dir = os.path.join(env.tmp, "https")
        www = os.path.join(d, "www")
        os.makedirs(www)
        sh("ip", "netns", "add", NS)
        ns = ("ip", "netns", "exec", NS)
        sh(*ns, "ip", "link", "set", "lo", "up")
        # A veth pair inside the namespace (dummy links need a module).
        sh(*ns, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "up1")
        sh(*ns, "ip", "addr", "add", SERVER_IP + "/24", "dev", "up0")
        sh(*ns, "ip", "link", "set", "up0", "up")
        sh(*ns, "ip", "link", "set", "up1", "up")
        # A CA of our own; the server's certificate names its address, the
        # other one names another host.
        sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
           "-subj", "/CN=Yamori test CA", "-keyout", os.path.join(d, "ca.key"),
           "-out", os.path.join(d, "ca.crt"))
        for name, san in (("good", "IP:" + SERVER_IP),
                          ("other", "DNS:updates.example.net")):
            key, csr, crt = (os.path.join(d, name + x) for x in (".key", ".csr", ".crt"))
            sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj",
               "/CN=" + name, "-keyout", key, "-out", csr)
            ext = os.path.join(d, name + ".ext")
            with open(ext, "w") as f:
                f.write("subjectAltName=%s\n" % san)
            sh("openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(d, "ca.crt"),
               "-CAkey", os.path.join(d, "ca.key"), "-CAcreateserial", "-days", "2",
               "-extfile", ext, "-out", crt)
            with open(os.path.join(d, name + ".pem"), "w") as f:
                for p in (crt, key):
                    with open(p) as g:
                        f.write(g.read())
        with open(os.path.join(www, "b.tar"), "wb") as f:
            f.write(env.good(7))
        with open(os.path.join(d, "lighttpd.conf"), "w") as f:
            f.write(LIGHTTPD_CONF % {"www": www, "ip": SERVER_IP, "dir": d})
        cls.httpd = subprocess.Popen([*ns, "/usr/sbin/lighttpd", "-D", "-f",
                                      os.path.join(d, "lighttpd.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            r = sh(*ns, sys.executable, "-c",
                   "import socket; socket.create_connection(('%s', 443), 1)" % SERVER_IP,
                   check=False)
            if r.returncode == 0:
                break
            time.sleep(0.1)

    @classmethod
    def tearDownClass(cls):
        cls.httpd.terminate()
        cls.httpd.wait()
        sh("ip", "netns", "del", NS, check=False)
        shutil.rmtree(cls.env.tmp, ignore_errors=True)

    def serve(self, url):
        state = tempfile.mkdtemp(dir=self.env.tmp)
        return Serving(self.env, state, prefix=("ip", "netns", "exec", NS),
                       extra="update_url = %s\nupdate_ca = %s\n" %
                       (url, os.path.join(self.dir, "ca.crt")))

    def test_fetch_verified(self):
        d = self.serve("https://%s/b.tar" % SERVER_IP)
        try:
            # The schedule's first fetch comes soon after the start.
            deadline = time.monotonic() + 60
            while d.status()["data"]["version"] != 7 and time.monotonic() < deadline:
                time.sleep(0.5)
            self.assertEqual(d.status()["data"]["version"], 7)
            self.assertEqual(d.device(LAPTOP)["vendor"], "Yamoritest")
        finally:
            rc, err = d.stop()
        self.assertEqual(rc, 0, err)

    def test_certificate_mismatch_and_redirect_refused(self):
        for url, word in (("https://%s:8443/b.tar" % SERVER_IP, "cannot download"),
                          ("https://%s/moved.tar" % SERVER_IP, "answered 30")):
            with self.subTest(url):
                d = self.serve(url)
                try:
                    r = d.ask({"cmd": "update", "args": {}})
                    self.assertFalse(r.get("ok"), r)
                    self.assertIn(word, r["error"])
                    self.assertEqual(d.status()["data"]["version"], 0)
                finally:
                    d.stop()


if __name__ == "__main__":
    unittest.main()
