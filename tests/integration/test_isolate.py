#!/usr/bin/env python3
"""Isolation on a real network, in network namespaces this test creates.

    internet (10.232.2.2, "server" 10.232.3.3)
        |  veth
    router (10.232.2.1 | br0 10.232.1.1): forwards, nftables, dnsmasq (DHCP, DNS)
        |  Linux bridge br0, one veth port each
    device A (10.232.1.10)   device B (10.232.1.20)   appliance (10.232.1.5)

Private addresses only; nothing leaves the namespaces, which tearDown
removes. tests/isolate_driver runs each isolation operation.

nft (router mode, the driver runs in the router): isolated A reaches neither
the internet nor B nor the router's other services, and nobody reaches A; B
is unaffected; A still gets DHCP offers and DNS answers from the router;
the isolation outlives the process that applied it; re-applying changes
nothing; a foreign table is untouched and Yamori's tables are the only others;
verify notices a tampered chain and apply repairs it; release brings A back.

arp (appliance mode, the driver runs in the appliance): while the driver runs
A cannot reach the internet and B can; release (SIGUSR1) and exit (SIGTERM)
tell both sides the truth and A is back within seconds; the router, the
appliance and their addresses are refused with exit 2; proxy ARP on the
router, a second device answering for the router's address and forwarding on
the appliance are refused with exit 2 and a reason.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
DRIVER = os.path.join(BUILD, "tests", "isolate_driver")

TAG = "%d" % os.getpid()
NS = {k: "ymiso-%s%s" % (k, TAG) for k in ("r", "i", "a", "b", "p")}
GW_IP, INET_IP, SERVER_IP = "10.232.1.1", "10.232.2.2", "10.232.3.3"
A_IP, B_IP, P_IP = "10.232.1.10", "10.232.1.20", "10.232.1.5"
DNS_NAME = "yamori.test"


def sh(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def nsx(ns, *args, check=True, **kw):
    return sh("ip", "netns", "exec", NS[ns], *args, check=check, **kw)


def can_make_namespaces():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft"):
        return False
    probe = "ymiso-probe%s" % TAG
    ok = sh("ip", "netns", "add", probe, check=False).returncode == 0
    if ok:
        ok = sh("ip", "netns", "exec", probe, "nft", "list", "ruleset",
                check=False).returncode == 0
        sh("ip", "netns", "del", probe, check=False)
    return ok


HAVE_NETNS = can_make_namespaces()
HAVE_BR_NETFILTER = os.path.exists("/proc/sys/net/bridge/bridge-nf-call-iptables")
SKIP_REASON = ("needs root, ip netns and nftables: run the tests as root "
               "(./run.sh test does)")

# A DNS query for DNS_NAME (type A) over UDP from inside a namespace; prints
# the answer's address or exits 1.
DNS_CLIENT = r"""
import socket, struct, sys
q = struct.pack(">HHHHHH", 0x5959, 0x0100, 1, 0, 0, 0)
for label in sys.argv[2].split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, (sys.argv[1], 53))
try:
    r = s.recv(512)
except socket.timeout:
    sys.exit(1)
if len(r) < len(q) + 16 or struct.unpack(">H", r[6:8])[0] < 1:
    sys.exit(1)
print(socket.inet_ntoa(r[-4:]))
"""

# A DHCPDISCOVER with the broadcast flag from the device's interface; prints
# the offered address or exits 1.
DHCP_CLIENT = r"""
import socket, struct, sys
ifname, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
xid = 0x59414d4f
p = struct.pack(">BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0x8000,
                bytes(4), bytes(4), bytes(4), bytes(4))
p += mac + bytes(10) + bytes(64) + bytes(128) + b"\x63\x82\x53\x63"
p += bytes([53, 1, 1, 55, 3, 1, 3, 6, 255])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
s.bind(("0.0.0.0", 68))
s.settimeout(3)
s.sendto(p, ("255.255.255.255", 67))
try:
    while True:
        r = s.recv(1500)
        if len(r) > 240 and struct.unpack(">I", r[4:8])[0] == xid and r[0] == 2:
            print(socket.inet_ntoa(r[16:20]))
            break
except socket.timeout:
    sys.exit(1)
"""

# A TCP service that accepts and closes (http.server would look up the
# address's name first, which takes seconds in a namespace without DNS).
TCP_SERVICE = r"""
import socket, sys
s = socket.create_server((sys.argv[1], int(sys.argv[2])))
while True:
    s.accept()[0].close()
"""


class Driver:
    """isolate_driver running in the background; its stdout read by a thread."""

    def __init__(self, ns, *args):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS[ns], DRIVER, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def expect(self, prefix, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            if line.startswith(prefix):
                return line
        raise AssertionError("driver did not say %r; stderr: %s" % (
            prefix, self.proc.stderr.read() if self.proc.poll() is not None else ""))

    def signal(self, sig):
        self.proc.send_signal(sig)

    def finish(self, timeout=15):
        self.proc.wait(timeout=timeout)
        self.thread.join(timeout=5)
        err = self.proc.stderr.read()
        self.close()
        return self.proc.returncode, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.thread.join(timeout=5)
        self.close()

    def close(self):
        for f in (self.proc.stdout, self.proc.stderr):
            if not f.closed:
                f.close()


class Network(unittest.TestCase):
    """The namespaces above, built for each test and removed after it."""

    BR_NETFILTER = 0

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ym-isolate-")
        self.procs = []
        self.drivers = []
        self.addCleanup(self.cleanup)
        for ns in NS.values():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        r = NS["r"]
        sh("ip", "-n", r, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", r, "link", "set", "br0", "up")
        sh("ip", "-n", r, "addr", "add", GW_IP + "/24", "dev", "br0")
        self.mac = {}
        for dev, ip in (("a", A_IP), ("b", B_IP), ("p", P_IP)):
            port, ifname = "port" + dev, "lan" + dev
            sh("ip", "link", "add", port, "netns", r, "type", "veth",
               "peer", "name", ifname, "netns", NS[dev])
            sh("ip", "-n", r, "link", "set", port, "master", "br0")
            sh("ip", "-n", r, "link", "set", port, "up")
            sh("ip", "-n", NS[dev], "addr", "add", ip + "/24", "dev", ifname)
            sh("ip", "-n", NS[dev], "link", "set", ifname, "up")
            sh("ip", "-n", NS[dev], "route", "add", "default", "via", GW_IP)
            self.mac[dev] = self.link_mac(dev, ifname)
        self.mac["r"] = self.link_mac("r", "br0")
        sh("ip", "link", "add", "wan", "netns", r, "type", "veth",
           "peer", "name", "up0", "netns", NS["i"])
        sh("ip", "-n", r, "addr", "add", "10.232.2.1/24", "dev", "wan")
        sh("ip", "-n", r, "link", "set", "wan", "up")
        sh("ip", "-n", r, "route", "add", "default", "via", INET_IP)
        sh("ip", "-n", NS["i"], "addr", "add", INET_IP + "/24", "dev", "up0")
        sh("ip", "-n", NS["i"], "addr", "add", SERVER_IP + "/32", "dev", "lo")
        sh("ip", "-n", NS["i"], "link", "set", "up0", "up")
        sh("ip", "-n", NS["i"], "route", "add", "10.232.1.0/24", "via", "10.232.2.1")
        nsx("r", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        # Where the br_netfilter module is loaded (Docker hosts), bridged
        # frames also pass the inet hooks; a home router usually lacks it.
        # Tests run without it unless the class asks, so the bridge table's
        # own work shows.
        if HAVE_BR_NETFILTER:
            for key in ("bridge-nf-call-iptables", "bridge-nf-call-ip6tables"):
                nsx("r", "sysctl", "-qw", "net.bridge.%s=%d" % (key, self.BR_NETFILTER))
        # The appliance must not forward (a fresh namespace does not).
        nsx("p", "sysctl", "-qw", "net.ipv4.ip_forward=0")
        self.start_router_services()

    def link_mac(self, dev, ifname):
        out = sh("ip", "-n", NS[dev], "-j", "link", "show", ifname).stdout
        return json.loads(out)[0]["address"]

    def start_router_services(self):
        dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        self.procs.append(subprocess.Popen(
            ["ip", "netns", "exec", NS["r"], dnsmasq, "--keep-in-foreground",
             "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-ping",
             "--bind-interfaces", "--interface=br0", "--except-interface=lo",
             "--listen-address=" + GW_IP, "--user=root", "--pid-file=",
             "--address=/%s/%s" % (DNS_NAME, SERVER_IP),
             "--dhcp-range=10.232.1.100,10.232.1.150,255.255.255.0,1h",
             "--dhcp-leasefile=" + os.path.join(self.tmp, "leases"),
             "--log-facility=" + os.path.join(self.tmp, "dnsmasq.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # Another service on the router, which an isolated device must not reach.
        self.procs.append(subprocess.Popen(
            ["ip", "netns", "exec", NS["r"], "python3", "-c", TCP_SERVICE, GW_IP, "8080"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(50):
            if self.dns("a") and self.tcp("b", GW_IP, 8080):
                return
            time.sleep(0.1)
        self.fail("dnsmasq or the router's TCP service did not start")

    def cleanup(self):
        try:
            for d in self.drivers:
                d.kill()
            for p in self.procs:
                if p.poll() is None:
                    p.kill()
                p.wait(timeout=10)
        finally:
            for ns in NS.values():
                sh("ip", "netns", "del", ns, check=False)
            shutil.rmtree(self.tmp, ignore_errors=True)

    # What a device can reach.

    def ping(self, dev, ip, count=2):
        return nsx(dev, "ping", "-c", str(count), "-i", "0.3", "-W", "1", ip,
                   check=False).returncode == 0

    def ping_soon(self, dev, ip, within=8):
        end = time.monotonic() + within
        while time.monotonic() < end:
            if self.ping(dev, ip, count=1):
                return True
        return False

    def tcp(self, dev, ip, port):
        code = ("import socket,sys\n"
                "try:\n socket.create_connection((%r, %d), timeout=1.5).close()\n"
                "except OSError:\n sys.exit(1)\n" % (ip, port))
        return nsx(dev, "python3", "-c", code, check=False).returncode == 0

    def dns(self, dev):
        r = nsx(dev, "python3", "-c", DNS_CLIENT, GW_IP, DNS_NAME, check=False)
        return r.returncode == 0 and r.stdout.strip() == SERVER_IP

    def dhcp(self, dev):
        r = nsx(dev, "python3", "-c", DHCP_CLIENT, "lan" + dev, self.mac[dev], check=False)
        return r.returncode == 0 and r.stdout.strip().startswith("10.232.1.1")

    def neigh(self, dev, ip):
        out = nsx(dev, "ip", "-j", "neigh", "show", ip).stdout
        entries = json.loads(out) if out.strip() else []
        return entries[0].get("lladdr") if entries else None


@unittest.skipUnless(HAVE_NETNS, SKIP_REASON)
class RouterMode(Network):
    """isolate = nft: the driver runs in the router's namespace."""

    def setUp(self):
        super().setUp()
        # A table of someone else's, which Yamori must leave as it is.
        nsx("r", "nft", "-f", "-", input="""
table inet foreign {
    set blocked { type ipv4_addr; elements = { 10.232.9.9 } }
    chain screen {
        type filter hook forward priority 0; policy accept;
        ip saddr @blocked drop
    }
}
""")
        self.foreign = self.ruleset_of("inet", "foreign")

    def nft(self, op, mac, *extra):
        return nsx("r", DRIVER, "nft", "br0", GW_IP, self.mac["r"], self.mac["r"],
                   op, mac, *extra, check=False)

    def ruleset_of(self, family, table):
        return nsx("r", "nft", "list", "table", family, table).stdout

    def tables(self):
        out = nsx("r", "nft", "list", "tables").stdout.split("\n")
        return sorted(line.strip() for line in out if line.strip())

    def test_isolate_and_release(self):
        a = self.mac["a"]
        self.assertTrue(self.ping("a", INET_IP) and self.ping("a", B_IP))
        self.assertTrue(self.tcp("a", GW_IP, 8080))

        r = self.nft("apply", a)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "verified " + a)

        # The process that applied it has ended; the kernel holds the isolation.
        self.assertFalse(self.ping("a", INET_IP), "A reaches the internet")
        self.assertFalse(self.ping("a", SERVER_IP), "A reaches a server on the internet")
        self.assertFalse(self.ping("a", B_IP), "A reaches B")
        self.assertFalse(self.ping("b", A_IP), "B reaches A")
        self.assertFalse(self.ping("i", A_IP), "the internet reaches A")
        self.assertFalse(self.ping("a", GW_IP), "A pings the router")
        self.assertFalse(self.tcp("a", GW_IP, 8080), "A reaches the router's TCP service")
        # ...but it may still ask the router for an address and a name.
        self.assertTrue(self.dhcp("a"), "A gets no DHCP offer")
        self.assertTrue(self.dns("a"), "A gets no DNS answer")
        # B is unaffected.
        self.assertTrue(self.ping("b", INET_IP) and self.ping("b", GW_IP))
        self.assertTrue(self.tcp("b", GW_IP, 8080) and self.dns("b") and self.dhcp("b"))

        r = self.nft("list", a)
        self.assertEqual(r.stdout.split(), [a])
        r = self.nft("verify", a)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "1"))
        r = self.nft("verify", self.mac["b"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("not in set", r.stdout)

        # Yamori's two tables beside the foreign one, which is untouched.
        self.assertEqual(self.tables(), ["table bridge yamori", "table inet foreign",
                                         "table inet yamori"])
        self.assertEqual(self.ruleset_of("inet", "foreign"), self.foreign)

        r = self.nft("release", a)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "released " + a)
        self.assertTrue(self.ping_soon("a", INET_IP), "A is not back after release")
        self.assertTrue(self.ping("a", B_IP) and self.ping("b", A_IP) and self.ping("i", A_IP))
        self.assertTrue(self.tcp("a", GW_IP, 8080))
        self.assertEqual(self.nft("list", a).stdout, "")
        # Releasing again is fine; the foreign table is still as it was.
        self.assertEqual(self.nft("release", a).returncode, 0)
        self.assertEqual(self.ruleset_of("inet", "foreign"), self.foreign)

    def test_reapply_is_idempotent(self):
        a = self.mac["a"]
        self.assertEqual(self.nft("apply", a).returncode, 0)
        first = nsx("r", "nft", "list", "ruleset").stdout
        for _ in range(2):
            r = self.nft("apply", a)
            self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(nsx("r", "nft", "list", "ruleset").stdout, first)
        self.assertEqual(first.count(a), 2, "one element in each of the two sets")
        self.assertFalse(self.ping("a", INET_IP))

    def test_tampering_is_noticed_and_repaired(self):
        a = self.mac["a"]
        self.assertEqual(self.nft("apply", a).returncode, 0)
        nsx("r", "nft", "flush", "chain", "bridge", "yamori", "forward")
        self.assertTrue(self.ping_soon("a", B_IP), "the test's tampering had no effect")
        r = self.nft("verify", a)
        self.assertEqual(r.returncode, 1)
        self.assertIn("chain bridge yamori forward holds 0 rules, not Yamori's 2", r.stdout)
        r = self.nft("apply", a)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(self.ping("a", B_IP))
        # A deleted table comes back empty when the next process starts.
        nsx("r", "nft", "delete", "table", "inet", "yamori")
        r = self.nft("verify", a)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is not in set inet yamori isolated", r.stdout)
        self.assertEqual(self.nft("apply", a).returncode, 0)
        self.assertFalse(self.ping("a", INET_IP))

    def test_refusals(self):
        r = self.nft("apply", self.mac["r"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("is the router", r.stderr)
        # Any interface of the router is the router.
        wan = self.link_mac("r", "wan")
        r = self.nft("apply", wan)
        self.assertEqual(r.returncode, 2)
        self.assertIn("belongs to this box (interface wan)", r.stderr)
        for bad in ("01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00"):
            r = self.nft("apply", bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("not the address of a device", r.stderr)
        r = self.nft("apply", "not-a-mac")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(self.nft("list", self.mac["a"]).stdout, "")
        self.assertTrue(self.ping("a", INET_IP))

    def test_without_privileges(self):
        r = sh("ip", "netns", "exec", NS["r"], "setpriv", "--reuid=nobody",
               "--regid=nogroup", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
               DRIVER, "nft", "br0", GW_IP, self.mac["r"], self.mac["r"], "apply",
               self.mac["a"], check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("isolation needs CAP_NET_ADMIN", r.stderr)


@unittest.skipUnless(HAVE_NETNS and HAVE_BR_NETFILTER,
                     SKIP_REASON + ", and the br_netfilter module loaded")
class RouterModeBrNetfilter(RouterMode):
    """The same with br_netfilter: bridged frames pass the inet hooks too."""

    BR_NETFILTER = 1
    test_tampering_is_noticed_and_repaired = None
    test_without_privileges = None
    test_refusals = None


YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")


@unittest.skipUnless(HAVE_NETNS, SKIP_REASON)
class DaemonRouterMode(Network):
    """The whole path: yamorid on the router's LAN bridge learns the devices
    from their own traffic; yamorictl isolates and releases through the
    daemon, which verifies before it says "isolated"; isolation holds when
    the daemon is killed and is reconciled when it starts again."""

    def start_daemon(self):
        conf = os.path.join(self.tmp, "yamori.conf")
        with open(conf, "w") as f:
            f.write("isolate = nft\ncommit_interval = 1\n")
        self.state = os.path.join(self.tmp, "state")
        proc = subprocess.Popen(["ip", "netns", "exec", NS["r"], YAMORID, "-i", "br0",
                                 "--state-dir", self.state, "-c", conf],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        for _ in range(100):
            if proc.poll() is not None:
                self.fail("yamorid ended: %s" % proc.stderr.read())
            # Answered by this daemon through its socket, not read from
            # the database an earlier one left.
            r = self.ctl("status", "--json", check=False)
            if r.returncode == 0 and json.loads(r.stdout).get("pid") == proc.pid:
                return proc
            time.sleep(0.1)
        self.fail("yamorid did not start")

    def ctl(self, *args, check=True):
        return subprocess.run([YAMORICTL, "--state-dir", self.state, *args],
                              capture_output=True, text=True, check=check, timeout=60)

    def devices(self):
        return {d["mac"]: d for d in json.loads(self.ctl("devices", "--json").stdout)}

    def learn(self):
        # The devices make themselves known as at home: DHCP, pings out.
        self.assertTrue(self.dhcp("a"))
        self.assertTrue(self.dhcp("b"))
        for _ in range(50):
            self.ping("a", INET_IP, count=1)
            self.ping("b", GW_IP, count=1)
            devs = self.devices()
            if self.mac["a"] in devs and devs.get(self.mac["r"], {}).get("gateway"):
                return
            time.sleep(0.5)
        self.fail("the daemon did not learn the devices and the router: %s" % self.devices())

    def test_isolate_verify_kill_restart_release(self):
        self.start_daemon()
        self.learn()
        a = self.mac["a"]
        r = self.ctl("isolate", a, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cut off", r.stdout)
        self.assertIn("isolated", self.devices()[a]["flags"])
        self.assertFalse(self.ping("a", INET_IP))
        self.assertFalse(self.ping("a", B_IP))
        self.assertTrue(self.ping("b", INET_IP))
        self.assertTrue(self.dns("a"), "an isolated device still gets DNS")
        kinds = [al["kind"] for al in json.loads(self.ctl("alerts", "--json").stdout)
                 if al["mac"] == a]
        self.assertIn("isolated", kinds)
        # Never the router itself.
        r = self.ctl("isolate", self.mac["r"], check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("refused", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        # kill -9: the kernel keeps the isolation.
        proc = self.procs[-1]
        proc.kill()
        proc.wait(timeout=10)
        self.assertFalse(self.ping("a", INET_IP))
        # Restarted, the daemon reconciles and still knows.
        self.start_daemon()
        self.assertIn("isolated", self.devices()[a]["flags"])
        r = self.ctl("release", a, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.ping_soon("a", INET_IP))
        self.assertNotIn("isolated", self.devices()[a]["flags"])

    def test_never_isolate_and_none_mode(self):
        self.start_daemon()
        self.learn()
        b = self.mac["b"]
        sock = os.path.join(self.state, "yamori.sock")
        code = ("import json,socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);"
                "s.sendall(json.dumps({'id':1,'cmd':'never_isolate','args':{'mac':sys.argv[2]}})"
                ".encode()+b'\\n'); print(s.recv(65536).decode())")
        out = subprocess.run(["python3", "-c", code, sock, b], capture_output=True,
                             text=True, check=True).stdout
        self.assertTrue(json.loads(out)["ok"], out)
        r = self.ctl("isolate", b, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("never isolate", r.stderr)
        self.assertTrue(self.ping("b", INET_IP))


@unittest.skipUnless(HAVE_NETNS, SKIP_REASON)
class DaemonApplianceMode(DaemonRouterMode):
    """isolate = arp through the daemon: yamorid runs on the appliance,
    which sees only what a box on a switched LAN sees (broadcasts, DHCP,
    ARP), learns the devices and the router from that, and cuts A off from
    the router; release and a clean exit put the caches right again."""

    def start_daemon(self):
        conf = os.path.join(self.tmp, "yamori.conf")
        with open(conf, "w") as f:
            f.write("isolate = arp\ncommit_interval = 1\n")
        self.state = os.path.join(self.tmp, "state")
        proc = subprocess.Popen(["ip", "netns", "exec", NS["p"], YAMORID, "-i", "lanp",
                                 "--state-dir", self.state, "-c", conf],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        for _ in range(100):
            if proc.poll() is not None:
                self.fail("yamorid ended: %s" % proc.stderr.read())
            r = self.ctl("status", "--json", check=False)
            if r.returncode == 0 and json.loads(r.stdout).get("pid") == proc.pid:
                return proc
            time.sleep(0.1)
        self.fail("yamorid did not start")

    def learn(self):
        for _ in range(50):
            self.assertTrue(self.dhcp("a"))
            # The router asks for A (a broadcast the appliance hears).
            nsx("r", "ip", "neigh", "flush", "dev", "br0", check=False)
            self.ping("a", INET_IP, count=1)
            devs = self.devices()
            if self.mac["a"] in devs and devs.get(self.mac["r"], {}).get("gateway"):
                return
            time.sleep(0.5)
        self.fail("the appliance did not learn A and the router: %s" % self.devices())

    def test_isolate_verify_kill_restart_release(self):
        proc = self.start_daemon()
        self.learn()
        a = self.mac["a"]
        self.assertTrue(self.ping("a", INET_IP))
        r = self.ctl("isolate", a, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("isolated", self.devices()[a]["flags"])
        time.sleep(1)
        self.assertFalse(self.ping("a", INET_IP))
        self.assertTrue(self.ping("b", INET_IP))
        # Never the router, never the appliance itself.
        for mac in (self.mac["r"], self.mac["p"]):
            r = self.ctl("isolate", mac, check=False)
            self.assertEqual(r.returncode, 2, (mac, r.stdout, r.stderr))
        r = self.ctl("release", a, check=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.ping_soon("a", INET_IP))
        # Isolated again, then the daemon exits: the caches are restored.
        self.assertEqual(self.ctl("isolate", a, check=False).returncode, 0)
        time.sleep(1)
        self.assertFalse(self.ping("a", INET_IP))
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0)
        self.assertTrue(self.ping_soon("a", INET_IP))

    # Not repeated here: router mode covers "never isolate".
    test_never_isolate_and_none_mode = None


@unittest.skipUnless(HAVE_NETNS, SKIP_REASON)
class ApplianceMode(Network):
    """isolate = arp: the driver runs in the appliance's namespace."""

    def arp(self, mac, ip, op="apply"):
        d = Driver("p", "arp", "lanp", GW_IP, self.mac["r"], self.mac["p"], op, mac, ip)
        self.drivers.append(d)
        return d

    def warm_caches(self):
        """A and the router know each other, as on a LAN in use."""
        self.assertTrue(self.ping("a", INET_IP))
        self.assertEqual(self.neigh("a", GW_IP), self.mac["r"])

    def test_isolate_and_release(self):
        self.warm_caches()
        d = self.arp(self.mac["a"], A_IP)
        d.expect("verified " + self.mac["a"])
        self.assertEqual(self.neigh("a", GW_IP), self.mac["p"])
        self.assertEqual(self.neigh("r", A_IP), self.mac["p"])
        self.assertFalse(nsx("a", "ping", "-c", "6", "-i", "0.5", "-W", "1", INET_IP,
                             check=False).returncode == 0, "A reaches the internet")
        self.assertFalse(self.ping("i", A_IP), "the internet reaches A")
        self.assertTrue(self.ping("b", INET_IP), "B is affected")
        # Still cut off after several refreshes.
        time.sleep(3)
        self.assertFalse(self.ping("a", INET_IP))
        # The router forgets A and asks for it by broadcast, which A hears
        # (and takes the router's true MAC from); the lie follows at once.
        # The race with A's own answer may let a packet or two through
        # (inherent to ARP isolation), then the caches are poisoned again.
        nsx("r", "ip", "neigh", "flush", "dev", "br0")
        self.ping("r", A_IP, count=1)
        time.sleep(0.5)
        self.assertEqual(self.neigh("a", GW_IP), self.mac["p"])
        self.assertEqual(self.neigh("r", A_IP), self.mac["p"])
        self.assertFalse(self.ping("a", INET_IP))

        d.signal(signal.SIGUSR1)
        d.expect("released " + self.mac["a"])
        self.assertTrue(self.ping_soon("a", INET_IP, within=5), "A is not back after release")
        self.assertEqual(self.neigh("a", GW_IP), self.mac["r"])
        self.assertEqual(self.neigh("r", A_IP), self.mac["a"])
        d.signal(signal.SIGTERM)
        code, err = d.finish()
        self.assertEqual(code, 0, err)

    def test_exit_restores(self):
        self.warm_caches()
        d = self.arp(self.mac["a"], A_IP)
        d.expect("verified")
        self.assertFalse(self.ping("a", INET_IP))
        start = time.monotonic()
        d.signal(signal.SIGTERM)
        code, err = d.finish()
        self.assertEqual(code, 0, err)
        self.assertLess(time.monotonic() - start, 8, "restoring took too long")
        # The correct replies went out before the driver ended.
        self.assertEqual(self.neigh("a", GW_IP), self.mac["r"])
        self.assertEqual(self.neigh("r", A_IP), self.mac["a"])
        self.assertTrue(self.ping_soon("a", INET_IP, within=3))

    def refused(self, mac, ip, expect):
        d = self.arp(mac, ip)
        code, err = d.finish()
        self.assertEqual(code, 2, err)
        self.assertIn(expect, err)

    def test_refusals(self):
        self.warm_caches()
        self.refused(self.mac["r"], GW_IP, "is the router")
        self.refused(self.mac["p"], P_IP, "this Yamori box itself")
        self.refused(self.mac["a"], GW_IP, "the router's address")
        self.refused(self.mac["a"], P_IP, "this Yamori box's own address")
        self.refused("ff:ff:ff:ff:ff:ff", A_IP, "not the address of a device")
        self.assertEqual(self.neigh("a", GW_IP), self.mac["r"])
        self.assertTrue(self.ping("a", INET_IP))

    def test_proxy_arp_refused(self):
        self.warm_caches()
        nsx("r", "sysctl", "-qw", "net.ipv4.conf.br0.proxy_arp=1")
        self.refused(self.mac["a"], A_IP, "(proxy ARP)")
        self.assertEqual(self.neigh("a", GW_IP), self.mac["r"])
        self.assertTrue(self.ping("a", INET_IP))

    def test_second_gateway_refused(self):
        self.warm_caches()
        # B answers for the router's address too.
        sh("ip", "-n", NS["b"], "addr", "add", GW_IP + "/32", "dev", "lanb")
        self.refused(self.mac["a"], A_IP, "another device (%s) answers for the router's address"
                     % self.mac["b"])

    def test_forwarding_appliance_refused(self):
        nsx("p", "sysctl", "-qw", "net.ipv4.conf.lanp.forwarding=1")
        self.refused(self.mac["a"], A_IP, "this box forwards IPv4 on lanp")


if __name__ == "__main__":
    unittest.main()
