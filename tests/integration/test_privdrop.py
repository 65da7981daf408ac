#!/usr/bin/env python3
"""yamorid started by hand as root drops to the yamori user once its capture
is open, keeping only CAP_NET_RAW (CAP_NET_ADMIN too with nft isolation).

The host's user database is left alone: the daemon runs in a private mount
namespace where /etc/passwd and /etc/group are copies with three more
entries (yamori; a panel user whose *supplementary* group is yamori; an
outsider), and in a network namespace on one end of a veth pair. Checks:
/proc/PID/status (Uid, Gid, Groups, CapEff, CapPrm, CapBnd, NoNewPrivs),
who owns the database and socket, that the neighbour still becomes a device
(the capture kept working after the drop), that the panel's user is let in
through its supplementary group and the outsider is not, and SIGTERM exit 0.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
YAMORID = os.path.join(BUILD, "daemon", "yamorid")

NS_DEV = "ympd-dev%d" % os.getpid()
NS_BOX = "ympd-box%d" % os.getpid()
DEV_IP, BOX_IP = "10.232.0.2", "10.232.0.1"
# Ids far from any the host hands out (Debian: system < 1000, users
# 1000..59999).
YAMORI, PANEL, OUTSIDER = 61990, 61991, 61992
CAP_NET_RAW, CAP_NET_ADMIN = 13, 12


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def can_run():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("unshare") \
            or not shutil.which("setpriv"):
        return "needs root, ip, unshare and setpriv: run the tests as root (./run.sh test does)"
    probe = "ympd-probe%d" % os.getpid()
    if sh("ip", "netns", "add", probe, check=False).returncode != 0:
        return "cannot make network namespaces here"
    sh("ip", "netns", "del", probe, check=False)
    return None


WHY_NOT = can_run()


def status_fields(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


@unittest.skipIf(WHY_NOT, WHY_NOT or "")
class PrivilegeDrop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sh("ip", "netns", "add", NS_DEV)
        sh("ip", "netns", "add", NS_BOX)
        sh("ip", "link", "add", "ympd0", "netns", NS_BOX, "type", "veth",
           "peer", "name", "ympd1", "netns", NS_DEV)
        sh("ip", "-n", NS_BOX, "addr", "add", BOX_IP + "/24", "dev", "ympd0")
        sh("ip", "-n", NS_DEV, "addr", "add", DEV_IP + "/24", "dev", "ympd1")
        for ns, dev in ((NS_BOX, "ympd0"), (NS_DEV, "ympd1")):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", ns, "link", "set", dev, "up")
        out = sh("ip", "-n", NS_DEV, "-j", "link", "show", "ympd1").stdout
        cls.dev_mac = json.loads(out)[0]["address"]
        cls.tmp = tempfile.mkdtemp(prefix="ym-privdrop-")
        os.chmod(cls.tmp, 0o755)
        with open("/etc/passwd") as f:
            passwd = f.read()
        with open("/etc/group") as f:
            group = f.read()
        cls.passwd = os.path.join(cls.tmp, "passwd")
        cls.group = os.path.join(cls.tmp, "group")
        with open(cls.passwd, "w") as f:
            f.write(passwd.rstrip("\n") + "\n" + "\n".join([
                "yamori:x:%d:%d::/var/lib/yamori:/usr/sbin/nologin" % (YAMORI, YAMORI),
                "ympanel:x:%d:%d::/nonexistent:/usr/sbin/nologin" % (PANEL, PANEL),
                "ymoutsider:x:%d:%d::/nonexistent:/usr/sbin/nologin" % (OUTSIDER, OUTSIDER),
            ]) + "\n")
        with open(cls.group, "w") as f:
            f.write(group.rstrip("\n") + "\n" + "\n".join([
                "yamori:x:%d:ympanel" % YAMORI,
                "ympanel:x:%d:" % PANEL,
                "ymoutsider:x:%d:" % OUTSIDER,
            ]) + "\n")
        os.chmod(cls.passwd, 0o644)
        os.chmod(cls.group, 0o644)

    @classmethod
    def tearDownClass(cls):
        sh("ip", "netns", "del", NS_DEV, check=False)
        sh("ip", "netns", "del", NS_BOX, check=False)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, conf_text):
        """yamorid as root in the private mount namespace and NS_BOX; the
        Popen's pid is the daemon's own (unshare and ip netns exec exec)."""
        state = tempfile.mkdtemp(prefix="state-", dir=self.tmp)
        conf = os.path.join(self.tmp, "test.conf")
        with open(conf, "w") as f:
            f.write("commit_interval = 1\n" + conf_text)
        script = ('mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && '
                  'shift 2 && exec "$@"')
        proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
             self.passwd, self.group, "ip", "netns", "exec", NS_BOX, YAMORID,
             "-i", "ympd0", "--state-dir", state, "-c", conf],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop, proc)
        sock = os.path.join(state, "yamori.sock")
        for _ in range(100):
            if proc.poll() is not None:
                self.fail("yamorid ended early: %s" % proc.stderr.read())
            if os.path.exists(sock) and status_fields(proc.pid).get("Uid", "").startswith(str(YAMORI)):
                break
            time.sleep(0.1)
        else:
            self.fail("yamorid did not drop to the yamori user within 10 s")
        with open("/proc/%d/comm" % proc.pid) as f:
            self.assertEqual(f.read().strip(), "yamorid")
        return proc, state, sock

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def request(self, sock, uid, gid, groups):
        """One API request as uid/gid with the given supplementary groups."""
        code = ("import json,socket,sys\n"
                "s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])\n"
                "s.sendall(b'{\"id\":1,\"cmd\":\"%s\",\"args\":{}}\\n')\n"
                "d=b''\n"
                "while not d.endswith(b'\\n'):\n"
                "    c=s.recv(65536)\n"
                "    if not c: break\n"
                "    d+=c\n"
                "print(d.decode())\n") % "devices"
        groups_arg = ["--groups=" + ",".join(map(str, groups))] if groups else ["--clear-groups"]
        return sh("setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, *groups_arg,
                  "python3", "-c", code, sock, check=False)

    def check_drop(self, proc, caps):
        st = status_fields(proc.pid)
        self.assertEqual(st["Uid"].split(), [str(YAMORI)] * 4, st["Uid"])
        self.assertEqual(st["Gid"].split(), [str(YAMORI)] * 4, st["Gid"])
        self.assertEqual(st["Groups"].split(), [str(YAMORI)], st["Groups"])
        want = sum(1 << c for c in caps)
        for field in ("CapEff", "CapPrm", "CapBnd"):
            self.assertEqual(int(st[field], 16), want, "%s = %s" % (field, st[field]))
        self.assertEqual(int(st["CapInh"], 16), 0)
        self.assertEqual(int(st["CapAmb"], 16), 0)
        self.assertEqual(st["NoNewPrivs"].strip(), "1")

    def test_finding_6_drop_keeps_only_net_raw(self):
        proc, state, sock = self.start("")
        self.check_drop(proc, [CAP_NET_RAW])
        for name in ("yamori.db", "yamori.sock"):
            st = os.stat(os.path.join(state, name))
            self.assertEqual((st.st_uid, st.st_gid), (YAMORI, YAMORI), name)
        self.assertEqual(os.stat(sock).st_mode & 0o777, 0o660)
        self.assertEqual(os.stat(state).st_uid, YAMORI)
        # The group may come in (the panel's user reaches the socket).
        os.chmod(state, 0o750)

        # The capture still works after the drop: the neighbour appears.
        sh("ip", "netns", "exec", NS_DEV, "ping", "-c", "5", "-i", "0.2", "-W", "1", BOX_IP)
        macs = []
        for _ in range(50):
            r = self.request(sock, PANEL, PANEL, [YAMORI])
            self.assertEqual(r.returncode, 0, r.stderr)
            answer = json.loads(r.stdout)
            self.assertTrue(answer.get("ok"), answer)
            macs = [d["mac"] for d in answer["result"]]
            if self.dev_mac in macs:
                break
            time.sleep(0.2)
        self.assertIn(self.dev_mac, macs, "the neighbour was not seen after the drop")

        # The panel's user is in group yamori only as a supplementary group:
        # let in (above). The outsider is not, whatever the path allows.
        r = self.request(sock, OUTSIDER, OUTSIDER, [])
        self.assertFalse(r.returncode == 0 and '"ok":true' in r.stdout.replace(" ", ""),
                         "the outsider was let in: %s" % r.stdout)

        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=20), 0, proc.stderr.read())

    def test_finding_6_nft_isolation_keeps_net_admin(self):
        proc, _, _ = self.start("isolate = nft\n")
        self.check_drop(proc, [CAP_NET_RAW, CAP_NET_ADMIN])
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=20), 0, proc.stderr.read())

    def test_user_root_stays_root(self):
        state = tempfile.mkdtemp(prefix="state-", dir=self.tmp)
        r = sh(YAMORID, "--user", "no-such-user-here", "-r", "/dev/null",
               "--state-dir", state, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no user named no-such-user-here", r.stderr)


if __name__ == "__main__":
    unittest.main()
