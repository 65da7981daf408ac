#!/usr/bin/env python3
"""bench/audit-household.py: how long yamorid's automatic factory-password
checks (audit = on, rule 2) take for a whole household, and what they cost
the daemon's packet rate while they run. Started by bench/audit-household.sh.

    bench/audit-household.sh [--quick] [--build DIR] [--rate PPS[,PPS...]]
                             [--duration S] [--rate-runs N] [--sweep] [--pin]
                             [--skip-timing] [--skip-rate] [--keep]
                             [--cameras N --nas N --web N --others N]

Run as root (network namespaces, servers on ports below 1024). Not part of
the test suite: the default run takes about 20 minutes on 2 cores (11 of
them the household's check), --quick (6 devices, one pair of 15 s windows)
about 5. --keep keeps the temp dir (state dirs, captures, server logs).

The household, in network namespaces this script creates (names
ymhh<PID>-*, 10.234.0.0/24 only; the box has no default route, and every
frame it sends outside 10.234.0.0/24 is counted and reported). All are torn
down, and every process it started killed, on exit, failure, Ctrl-C or
SIGTERM:

  box        10.234.0.1 on bridge br0; yamorid -i br0 runs here with a fresh
             temp state dir and config (audit = on or off, api_socket inside
             the state dir; everything else the defaults: audit_attempts 6
             per device and service a day, audit_spacing 1 s,
             audit_parallel 2, commit_interval 30 s).
  devices    10.234.0.11.. on veth pairs into br0, each with its own MAC from
             a real maker's OUI (locally administered for phones):
               4 cameras  telnet 23 (BusyBox telnetd and BusyBox login),
                          ssh 22 (sshd), ftp 21 (vsftpd), http 80 Basic and
                          8080 Digest (lighttpd), https 443 Basic (lighttpd
                          with mod_openssl, if installed), rtsp 554 Basic and
                          8554 Digest (gst-rtsp-server through
                          tests/integration/audit_rtsp_server.py)
               1 NAS      ssh, ftp, http 80 Basic
               2 web      a router's (http 80 Basic) and a printer's (http 80
                          Digest) web login
               23 others  phones, TVs, speakers, plugs...: no login service
                          (every port checked answers with a reset)
             Every password is changed, so every attempt is refused and each
             service spends its day's attempts: the worst case for time. The
             accounts live in private passwd/shadow copies bind-mounted in
             private mount namespaces (as in tests/integration/test_audit.py);
             the host's are untouched. Every device pings the box every 2 s,
             so the daemon learns it from its traffic on the link.
  replayer   a namespace on one more bridge port that replays
             tests/fixtures/mkhome.py --big N (looped) with tcpreplay at a
             fixed rate (MTU 9000 on that link: a few frames are over 1500).
  All bridge ports are isolated (bridge_slave isolated on): frames go only
  between a port and the box, never port to port, so the replayed traffic
  is not copied into 30 namespaces (that copying would cost the simulation,
  not the daemon). yamorid sees everything: br0 is promiscuous.

Measured, each with a fresh daemon and state dir:

1. Timing (audit = on, no replay). From the moment every household device is
   in the daemon's device list (API `devices`) until every device's first
   automatic check has finished. The daemon reports nothing when an
   automatic check ends (no API event, no status counter; the audit_log
   table holds login attempts only, so devices without a login service
   leave no trace there), so the checks are observed on the wire: tcpdump
   in the box namespace records the TCP packets between the box and the
   devices on br0, and on lo any connection to the box's own address (the
   daemon sees the box itself as a device too). A device's check is a burst
   of such packets; it has ended when GAP seconds (default 15; inside a
   check the longest silence is the 5 s step timeout) pass without another.
   Later bursts are re-checks; the run watches LINGER seconds (default 65)
   after the last check ended to count them. Attempts come from the
   audit_log table of STATE_DIR/yamori.db (read after SIGTERM, which
   commits); connections and the ports that answered from the wire; the
   daemon's CPU (utime + stime of /proc/PID/stat, all threads, libssh's
   workers included) and peak RSS (VmHWM of /proc/PID/status).
2. Packet rate. tcpreplay sends the capture into br0 at each --rate for
   --duration seconds, with audit = off and with audit = on while checks run
   (the window starts when the first check of a device with a login service
   starts, the costly kind; the off window starts as long after the daemon's
   start, just after its first commit), --rate-runs pairs per rate. From the
   API `status` before and after each window (after 1.5 s to drain the
   ring): capture.received and capture.dropped (libpcap's counters: packets
   the kernel handed over / dropped because the ring was full) and packets
   (decoded by the daemon); the daemon's CPU seconds in the window and per
   million packets; the check connections and attempts that fell in the
   window. The status is also sampled every 0.5 s to place any drop in
   time, next to the commits (mtime of yamori.db-wal) and the check
   connections around it. The replayed household (192.168.10.0/24) becomes
   8 more devices; they are not on the box's link, so no check goes to them
   (the leak counter would show it). --pin puts yamorid alone on CPU 0 and
   everything else (servers, tcpreplay, tcpdump) on CPU 1: on a real
   network the devices' servers do not run on the box.
3. --sweep (optional): audit = off, 10 s at 10k, 20k, 40k, 80k, 160k and
   320k packets/s offered, to find the highest rate without drops and what
   tcpreplay can offer on this machine.

The last thing printed is Markdown for docs/PERFORMANCE.md.

Packages (Debian 12): iproute2, tcpdump, tcpreplay, busybox-static (telnetd
and login applets), openssh-server, openssh-client (ssh-keygen), vsftpd,
lighttpd (mod_openssl for https), openssl, util-linux (unshare, taskset),
iputils-ping, python3, gir1.2-gst-rtsp-server-1.0, python3-gi,
gstreamer1.0-plugins-base and -good (the RTSP test source); yamorid built
in BUILD (default build/). Missing ones are named at start; nothing is
installed.

Environment: YAMORI_BUILD (default build/), TMPDIR (temp dir).
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTSP_LAUNCHER = os.path.join(ROOT, "tests", "integration", "audit_rtsp_server.py")
MKHOME = os.path.join(ROOT, "tests", "fixtures", "mkhome.py")
SYS_PYTHON = "/usr/bin/python3"  # Debian's, which has python3-gi
PID = os.getpid()
PREFIX = "ymhh%d" % PID
NET = "10.234.0"
BOX_IP = NET + ".1"
COMMAND = " ".join(["bench/audit-household.sh"] + sys.argv[1:])

# (kind, label, MAC prefix). A prefix of 3 bytes is a maker's OUI
# (IEEE registry); phones use locally administered (randomised) MACs.
CAMERAS = [("camera", "Hikvision camera", "44:47:cc"),
           ("camera", "Dahua camera", "08:ed:ed"),
           ("camera", "TP-Link camera", "d0:37:45"),
           ("camera", "Hikvision doorbell", "44:47:cc")]
NAS = [("nas", "Synology NAS", "00:11:32")]
WEB = [("web", "Buffalo router", "34:3d:c4"), ("web", "Brother printer", "00:80:77")]
OTHERS = [("none", "iPhone", "5a:3c:91"), ("none", "iPhone", "6e:12:44"),
          ("none", "iPad", "fa:08:3c"), ("none", "Android phone", "d6:2b:70"),
          ("none", "Android phone", "ae:19:5e"), ("none", "MacBook", "60:8b:0e"),
          ("none", "Sony TV", "00:1a:80"), ("none", "Sharp TV", "68:79:ed"),
          ("none", "LG TV", "20:17:42"), ("none", "Roku", "d0:4d:2c"),
          ("none", "Echo speaker", "68:db:f5"), ("none", "Echo speaker", "68:db:f5"),
          ("none", "Google speaker", "58:cb:52"), ("none", "Google speaker", "58:cb:52"),
          ("none", "Sonos speaker", "54:2a:1b"), ("none", "Nintendo console", "98:e8:fa"),
          ("none", "smart plug", "24:6f:28"), ("none", "smart plug", "24:6f:28"),
          ("none", "smart plug", "24:6f:28"), ("none", "robot vacuum", "a4:45:19"),
          ("none", "Panasonic fridge", "bc:c3:42"), ("none", "Canon printer", "84:ba:3b"),
          ("none", "Samsung tablet", "d0:d0:03")]

NEEDED = ["ip", "tcpdump", "tcpreplay", "busybox", "/usr/sbin/sshd", "ssh-keygen",
          "/usr/sbin/vsftpd", "/usr/sbin/lighttpd", "unshare", "taskset", "openssl", "ping",
          SYS_PYTHON]

# The same sshd and vsftpd settings as the audit tests (the test module
# only defines things when imported; its namespaces are made by its tests).
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from test_audit import SSHD_CONF, VSFTPD_CONF  # noqa: E402

HAVE_MOD_OPENSSL = os.path.exists("/usr/lib/lighttpd/mod_openssl.so")


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def sh(*args, check=True, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()[-500:]))
    return r


# ---------------------------------------------------------------------------
# The household.

class Device:
    def __init__(self, idx, kind, label, prefix):
        self.idx = idx
        self.kind = kind
        self.label = label
        self.ip = "%s.%d" % (NET, 10 + idx)
        self.ns = "%s-d%d" % (PREFIX, idx)
        self.port = "hd%d" % idx  # its bridge port, in the box namespace
        tail = [0x50 + (idx >> 8), idx & 0xff, 0x5a]
        parts = prefix.split(":")
        self.mac = ":".join(parts + ["%02x" % b for b in tail[:6 - len(parts)]])
        self.ports = []  # TCP ports with a login service


class Household:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="ym-household-")
        os.chmod(self.tmp, 0o755)  # vsftpd enters the test account's home as uid 4242
        self.procs = []
        self.namespaces = []
        self.box = PREFIX + "-box"
        self.rp = PREFIX + "-rp"
        self.devices = []
        spec = (CAMERAS * 4)[:args.cameras] + (NAS * 4)[:args.nas] + \
            (WEB * 4)[:args.web] + (OTHERS * 4)[:args.others]
        for i, (kind, label, prefix) in enumerate(spec, start=1):
            self.devices.append(Device(i, kind, label, prefix))
        if len({d.mac for d in self.devices}) != len(self.devices):
            raise RuntimeError("duplicate MACs in the household")
        self.by_ip = {d.ip: d for d in self.devices}
        self.box_mac = None

    # -- network --
    def add_ns(self, ns):
        sh("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        # IPv4 only: nothing but our own traffic on the link.
        for k in ("all", "default"):
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % k)

    def build(self):
        self.add_ns(self.box)
        sh("ip", "-n", self.box, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.box, "addr", "add", BOX_IP + "/24", "dev", "br0")
        sh("ip", "-n", self.box, "link", "set", "br0", "up")
        self.box_mac = json.loads(sh("ip", "-n", self.box, "-j", "link", "show", "br0").stdout)[0]["address"]
        for d in self.devices:
            self.add_ns(d.ns)
            sh("ip", "link", "add", d.port, "netns", self.box, "type", "veth",
               "peer", "name", "eth0", "netns", d.ns)
            sh("ip", "-n", d.ns, "link", "set", "eth0", "address", d.mac)
            sh("ip", "-n", self.box, "link", "set", d.port, "master", "br0", "up")
            sh("ip", "-n", self.box, "link", "set", d.port, "type", "bridge_slave", "isolated", "on")
            sh("ip", "-n", d.ns, "addr", "add", d.ip + "/24", "dev", "eth0")
            sh("ip", "-n", d.ns, "link", "set", "eth0", "up")
        self.add_ns(self.rp)
        sh("ip", "link", "add", "hrp", "netns", self.box, "type", "veth", "peer", "name", "eth0",
           "netns", self.rp)
        sh("ip", "-n", self.box, "link", "set", "hrp", "master", "br0", "up")
        sh("ip", "-n", self.box, "link", "set", "hrp", "type", "bridge_slave", "isolated", "on")
        # The capture holds a few frames over 1500 bytes (IPv6 with TCP
        # options): a larger MTU on the replay link lets them all through.
        sh("ip", "-n", self.box, "link", "set", "hrp", "mtu", "9000")
        sh("ip", "-n", self.rp, "link", "set", "eth0", "mtu", "9000", "up")
        # The box has only its LAN route: a connect to any other address
        # fails at once with "network unreachable".
        routes = sh("ip", "-n", self.box, "-j", "route", "show").stdout
        assert all(r["dst"] != "default" for r in json.loads(routes)), routes

    def destroy(self):
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        if self.args.keep:
            log("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- processes --
    def spawn(self, ns, *argv, stdout=None, cpu=None):
        if self.args.pin:
            argv = ("taskset", "-c", "0" if cpu == "daemon" else "1") + argv
        path = os.path.join(self.tmp, "%s-%s-%d.log" % (ns, os.path.basename(argv[0]), len(self.procs)))
        with open(path, "w") as f:
            p = subprocess.Popen(["ip", "netns", "exec", ns, *argv],
                                 stdout=stdout if stdout is not None else f,
                                 stderr=subprocess.STDOUT if stdout is None else f,
                                 start_new_session=True)
        p.logpath = path
        self.procs.append(p)
        return p

    def reap(self, p, sig=signal.SIGTERM, timeout=30):
        """Stops one process this script started (its own process group)."""
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return p.returncode

    # -- servers (after tests/integration/test_audit.py) --
    def password(self, d, what):
        # Changed by the household: in no list of defaults.
        return "Bench-%s-%s-%d-q7Zr" % (d.kind, what, d.idx)

    def accounts(self, d, ddir, accounts):
        """A private passwd/shadow (copies of the host's with ACCOUNTS,
        {user: password}, set: root's password replaced, others added),
        bind-mounted in a private mount namespace for each server, so the
        host's accounts are untouched (as tests/integration/test_audit.py
        does). Returns the shell words that bind-mount them."""
        home = os.path.join(ddir, "home")
        os.makedirs(home, exist_ok=True)
        with open("/etc/passwd") as f:
            passwd = f.read()
        with open("/etc/shadow") as f:
            shadow = f.read()
        for i, (user, password) in enumerate(sorted(accounts.items())):
            crypted = sh("openssl", "passwd", "-6", "-stdin", input=password + "\n").stdout.strip()
            line = "%s:%s:19000:0:99999:7:::" % (user, crypted)
            if re.search("^%s:" % re.escape(user), shadow, re.M):
                shadow = re.sub("^%s:.*$" % re.escape(user), lambda m: line, shadow, flags=re.M)
            else:
                passwd += "%s:x:%d:%d:Yamori bench device account:%s:/bin/sh\n" % (
                    user, 4242 + i, 4242 + i, home)
                shadow += line + "\n"
        for name, text in (("passwd", passwd), ("shadow", shadow)):
            with open(os.path.join(ddir, name), "w") as f:
                f.write(text)
        os.chmod(os.path.join(ddir, "shadow"), 0o640)
        return ("mount --bind %(dir)s/passwd /etc/passwd && "
                "mount --bind %(dir)s/shadow /etc/shadow && " % {"dir": ddir})

    def ssh_ftp(self, d, ddir, binds):
        """sshd and vsftpd for the "admin" account."""
        os.makedirs(os.path.join(ddir, "empty"))
        os.chmod(os.path.join(ddir, "empty"), 0o555)
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(ddir, "host_key"))
        fill = {"dir": ddir, "ip": d.ip}
        for name, text in (("sshd_config", SSHD_CONF), ("vsftpd.conf", VSFTPD_CONF)):
            with open(os.path.join(ddir, name), "w") as f:
                f.write(text % fill)
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privsep dir
        self.spawn(d.ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                   binds + "exec /usr/sbin/sshd -D -e -f %(dir)s/sshd_config" % fill)
        self.spawn(d.ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                   binds + "exec /usr/sbin/vsftpd %(dir)s/vsftpd.conf" % fill)
        d.ports += [22, 21]

    def web(self, d, ddir, sites, realm):
        """lighttpd with mod_auth: sites = [(port, "basic"|"digest", tls)]."""
        os.makedirs(os.path.join(ddir, "www"), exist_ok=True)
        with open(os.path.join(ddir, "www", "index.html"), "w") as f:
            f.write("<html><body>%s</body></html>\n" % d.label)
        modules = ["mod_auth", "mod_authn_file"]
        if any(tls for _, _, tls in sites):
            modules.append("mod_openssl")
            sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
               "-nodes", "-days", "2", "-subj", "/CN=%s" % d.ip,
               "-keyout", os.path.join(ddir, "tls.pem"), "-out", os.path.join(ddir, "tls.crt"))
            with open(os.path.join(ddir, "tls.pem"), "a") as out, open(os.path.join(ddir, "tls.crt")) as crt:
                out.write(crt.read())
        lines = ['server.modules = (%s)' % ", ".join('"%s"' % m for m in modules),
                 'server.document-root = "%s/www"' % ddir,
                 'server.errorlog = "%s/lighttpd.log"' % ddir,
                 'index-file.names = ("index.html")',
                 'auth.backend = "htdigest"']
        for i, (port, method, tls) in enumerate(sites):
            u = "admin"
            p = self.password(d, "http%d" % port)
            ha1 = hashlib.md5(("%s:%s:%s" % (u, realm, p)).encode()).hexdigest()
            users = os.path.join(ddir, "users%d.htdigest" % port)
            with open(users, "w") as f:
                f.write("%s:%s:%s\n" % (u, realm, ha1))
            body = ['auth.backend.htdigest.userfile = "%s"' % users,
                    'auth.require = ("/" => ("method" => "%s", "realm" => "%s", '
                    '"require" => "valid-user"))' % (method, realm)]
            if tls:
                body += ['ssl.engine = "enable"', 'ssl.pemfile = "%s/tls.pem"' % ddir]
            if i == 0:
                lines += ['server.bind = "%s"' % d.ip, "server.port = %d" % port] + body
            else:
                lines += ['$SERVER["socket"] == "%s:%d" {' % (d.ip, port)] + \
                         ["  " + b for b in body] + ["}"]
            d.ports.append(port)
        conf = os.path.join(ddir, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.spawn(d.ns, "/usr/sbin/lighttpd", "-D", "-f", conf)

    def telnet(self, d, ddir, binds):
        """BusyBox telnetd with BusyBox's own login(1) (its applet, through
        a symlink named "login"): a prompt, the password without echo, a
        3 s delay and "Login incorrect" on failure; root's password is the
        private shadow's."""
        os.makedirs(os.path.join(ddir, "bin"), exist_ok=True)
        login = os.path.join(ddir, "bin", "login")
        os.symlink(shutil.which("busybox"), login)
        self.spawn(d.ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                   binds + "exec busybox telnetd -F -b %s:23 -l %s" % (d.ip, login))
        d.ports.append(23)

    def rtsp(self, d):
        for port, method in ((554, "basic"), (8554, "digest")):
            self.spawn(d.ns, SYS_PYTHON, RTSP_LAUNCHER, d.ip, str(port), method, "admin",
                       self.password(d, "rtsp%d" % port))
            d.ports.append(port)

    def servers(self):
        for d in self.devices:
            ddir = os.path.join(self.tmp, "dev%d" % d.idx)
            os.makedirs(ddir)
            if d.kind == "camera":
                binds = self.accounts(d, ddir, {"root": self.password(d, "telnet"),
                                                "admin": self.password(d, "ssh")})
                self.telnet(d, ddir, binds)
                self.ssh_ftp(d, ddir, binds)
                sites = [(80, "basic", False), (8080, "digest", False)]
                if HAVE_MOD_OPENSSL:
                    sites.append((443, "basic", True))
                self.web(d, ddir, sites, "IPCamera")
                self.rtsp(d)
            elif d.kind == "nas":
                self.ssh_ftp(d, ddir, self.accounts(d, ddir, {"admin": self.password(d, "ssh")}))
                self.web(d, ddir, [(80, "basic", False)], "DiskStation")
            elif d.kind == "web":
                method = "digest" if "printer" in d.label.lower() else "basic"
                self.web(d, ddir, [(80, method, False)], d.label)
        self.wait_ports()

    def wait_ports(self, timeout=60):
        want = [(d.ip, p) for d in self.devices for p in d.ports]
        code = ("import json, socket, sys, time\n"
                "pending = set(map(tuple, json.loads(sys.argv[1])))\n"
                "deadline = time.time() + %d\n"
                "while pending and time.time() < deadline:\n"
                "    for ip, port in sorted(pending):\n"
                "        try:\n"
                "            socket.create_connection((ip, port), 1).close()\n"
                "            pending.discard((ip, port))\n"
                "        except OSError:\n"
                "            pass\n"
                "    time.sleep(0.3)\n"
                "print(json.dumps(sorted(pending)))\n" % timeout)
        r = sh("ip", "netns", "exec", self.box, sys.executable, "-c", code, json.dumps(want))
        pending = json.loads(r.stdout)
        if pending:
            tails = []
            for p in self.procs:
                try:
                    with open(p.logpath) as f:
                        tails.append("%s: %s" % (os.path.basename(p.logpath), f.read()[-300:]))
                except OSError:
                    pass
            raise RuntimeError("not listening: %s\n%s" % (pending, "\n".join(tails)))

    def chatter(self):
        """Every device pings the box every 2 s: that is how the daemon
        learns it (ARP and IP from its MAC), and it keeps the bridge's
        forwarding entry fresh."""
        for d in self.devices:
            self.spawn(d.ns, "ping", "-q", "-i", "2", "-s", "16", BOX_IP)


# ---------------------------------------------------------------------------
# The daemon.

class Daemon:
    def __init__(self, h, name, audit):
        self.h = h
        self.state = os.path.join(h.tmp, "state-" + name)
        os.makedirs(self.state)
        self.conf = os.path.join(self.state, "yamori.conf")
        self.sock = os.path.join(self.state, "yamori.sock")
        with open(self.conf, "w") as f:
            f.write("audit = %s\napi_socket = %s\n" % (audit, self.sock))
        self.proc = None
        self.seq = 0
        self.lock = threading.Lock()

    def start(self):
        self.proc = self.h.spawn(self.h.box, self.h.args.yamorid, "-i", "br0",
                                 "--state-dir", self.state, "-c", self.conf, cpu="daemon")
        self.pid = self.proc.pid  # ip netns exec execs yamorid: same PID
        t0 = time.time()
        while True:
            if self.proc.poll() is not None:
                with open(self.proc.logpath) as f:
                    raise RuntimeError("yamorid exited %d: %s" % (self.proc.returncode, f.read()[-1000:]))
            try:
                with open("/proc/%d/comm" % self.pid) as f:
                    comm = f.read().strip()
                if comm == "yamorid" and os.path.exists(self.sock):
                    self.api("status")
                    break
            except (OSError, RuntimeError):
                pass
            if time.time() - t0 > 30:
                raise RuntimeError("yamorid did not answer on %s" % self.sock)
            time.sleep(0.1)
        return t0

    def api(self, cmd, args=None):
        with self.lock:
            self.seq += 1
            seq = self.seq
        req = {"id": seq, "cmd": cmd}
        if args is not None:
            req["args"] = args
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(30)
            s.connect(self.sock)
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    raise RuntimeError("the daemon closed the API connection")
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    msg = json.loads(line)
                    if msg.get("id") == seq:
                        if not msg.get("ok"):
                            raise RuntimeError("API %s: %s" % (cmd, msg.get("error")))
                        return msg.get("result")

    def cpu(self):
        """utime + stime in seconds (all threads, live and exited)."""
        with open("/proc/%d/stat" % self.pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")

    def mem_kb(self, key="VmHWM"):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def wait_learned(self, macs, timeout=120):
        deadline = time.time() + timeout
        want = {m.lower() for m in macs}
        while time.time() < deadline:
            seen = {d.get("mac", "").lower() for d in self.api("devices")}
            if want <= seen:
                return time.time()
            time.sleep(0.25)
        raise RuntimeError("the daemon did not learn %s" % sorted(want - seen))

    def stop(self):
        rc = self.h.reap(self.proc, signal.SIGTERM, timeout=60)
        if rc != 0:
            log("warning: yamorid exited %s (log %s)" % (rc, self.proc.logpath))
        return rc

    def audit_log(self):
        db = sqlite3.connect(os.path.join(self.state, "yamori.db"))
        try:
            return db.execute("SELECT at, mac, service, port, accepted FROM audit_log").fetchall()
        finally:
            db.close()


# ---------------------------------------------------------------------------
# The checks, seen on the wire.

class Wire:
    """tcpdump in the box namespace: on br0, TCP between the box and the
    household, and any frame the box sends outside 10.234.0.0/24 (a leak,
    must be 0); on lo, TCP to the box's own address (the daemon learns the
    box itself as a device from its own frames on br0, and a check of it
    goes over loopback, never over br0)."""

    SELF = "self"

    def __init__(self, h, name):
        self.h = h
        self.taps = []       # [proc, path, offset, endian, nano]
        self.name = name
        self.events = {}     # device ip (or SELF) -> [(ts, from_box, syn, ack, rst, port)]
        self.leaks = 0

    def start(self):
        br = ("(tcp and host %s and net %s.0/24) or "
              "(ether src %s and not arp and not (ip and dst net %s.0/24))"
              % (BOX_IP, NET, self.h.box_mac, NET))
        lo = "tcp and dst host %s and src host %s" % (BOX_IP, BOX_IP)
        for iface, filt in (("br0", br), ("lo", lo)):
            path = os.path.join(self.h.tmp, "wire-%s-%s.pcap" % (self.name, iface))
            proc = self.h.spawn(self.h.box, "tcpdump", "-i", iface, "-p", "-n", "-s", "96",
                                "-U", "-w", path, filt)
            self.taps.append([proc, path, 0, None, False])
            deadline = time.time() + 10
            while not (os.path.exists(path) and os.path.getsize(path) >= 24):
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("tcpdump did not start (log %s)" % proc.logpath)
                time.sleep(0.05)

    def stop(self):
        for tap in self.taps:
            self.h.reap(tap[0], signal.SIGINT, timeout=10)
        self.poll()

    def poll(self):
        for tap in self.taps:
            with open(tap[1], "rb") as f:
                if tap[2] == 0:
                    hdr = f.read(24)
                    if len(hdr) < 24:
                        continue
                    tap[3] = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
                    tap[4] = hdr[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
                    tap[2] = 24
                f.seek(tap[2])
                data = f.read()
            pos = 0
            while pos + 16 <= len(data):
                sec, frac, incl, _orig = struct.unpack(tap[3] + "IIII", data[pos:pos + 16])
                if pos + 16 + incl > len(data):
                    break
                self.packet(sec + frac / (1e9 if tap[4] else 1e6), data[pos + 16:pos + 16 + incl])
                pos += 16 + incl
            tap[2] += pos

    def packet(self, ts, frame):
        if len(frame) < 14:
            return
        src_mac = ":".join("%02x" % b for b in frame[6:12])
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype != 0x0800 or len(frame) < 34:
            if src_mac == self.h.box_mac and etype != 0x0806:
                self.leaks += 1
            return
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        src = socket.inet_ntoa(ip[12:16])
        dst = socket.inet_ntoa(ip[16:20])
        if src_mac == self.h.box_mac and not dst.startswith(NET + "."):
            self.leaks += 1
            return
        if ip[9] != 6 or len(ip) < ihl + 14:
            return
        tcp = ip[ihl:]
        sport, dport = struct.unpack("!HH", tcp[:4])
        flags = tcp[13]
        if src == BOX_IP and dst == BOX_IP:
            # Loopback: only the SYNs (the listener side is the box too).
            if flags & 2 and not flags & 16:
                self.events.setdefault(self.SELF, []).append((ts, True, True, False, False, dport))
            return
        if src == BOX_IP and dst in self.h.by_ip:
            dev, from_box, port = dst, True, dport
        elif dst == BOX_IP and src in self.h.by_ip:
            dev, from_box, port = src, False, sport
        else:
            return
        self.events.setdefault(dev, []).append(
            (ts, from_box, bool(flags & 2), bool(flags & 16), bool(flags & 4), port))

    def bursts(self, ip, gap):
        """[{start, end, connections, open_ports}] of one device."""
        out = []
        for ts, from_box, syn, ack, rst, port in self.events.get(ip, []):
            if not out or ts - out[-1]["end"] >= gap:
                out.append({"start": ts, "end": ts, "connections": 0, "open": set()})
            b = out[-1]
            b["end"] = ts
            if from_box and syn and not ack:
                b["connections"] += 1
            if not from_box and syn and ack:
                b["open"].add(port)
        return out

    def connections_between(self, t0, t1):
        n = 0
        for evs in self.events.values():
            n += sum(1 for ts, fb, syn, ack, _, _ in evs if fb and syn and not ack and t0 <= ts <= t1)
        return n

    def ports_between(self, t0, t1):
        """{port: packets} of the checks' traffic in [t0, t1]."""
        out = {}
        for evs in self.events.values():
            for e in evs:
                if t0 <= e[0] <= t1:
                    out[e[5]] = out.get(e[5], 0) + 1
        return dict(sorted(out.items()))

    def busy_seconds(self, t0, t1):
        """Seconds of [t0, t1) with at least one packet of a check."""
        secs = set()
        for evs in self.events.values():
            for e in evs:
                if t0 <= e[0] < t1:
                    secs.add(int(e[0] - t0))
        return len(secs)

    def first_syn(self, ips=None):
        best = None
        for ip, evs in self.events.items():
            if ips is not None and ip not in ips:
                continue
            for ts, fb, syn, ack, _, _ in evs:
                if fb and syn and not ack:
                    best = ts if best is None else min(best, ts)
                    break
        return best


# ---------------------------------------------------------------------------
# Measurements.

def run_timing(h, args):
    log("timing: fresh daemon, audit = on, no replay")
    wire = Wire(h, "timing")
    wire.start()
    d = Daemon(h, "timing", "on")
    t_start = d.start()
    t_learned = d.wait_learned([x.mac for x in h.devices])
    cpu_learned = d.cpu()
    log("timing: %d devices learned %.1f s after start" % (len(h.devices), t_learned - t_start))
    samples = [(t_learned, cpu_learned)]
    deadline = t_learned + args.timeout
    finished = False
    last_report = 0
    while time.time() < deadline:
        time.sleep(1)
        now = time.time()
        wire.poll()
        samples.append((now, d.cpu()))
        firsts = [wire.bursts(x.ip, args.gap) for x in h.devices]
        done = sum(1 for b in firsts if b and (len(b) > 1 or now - b[0]["end"] >= args.gap))
        if now - last_report >= 30:
            log("timing: %d of %d devices checked, %.0f s since learned" % (done, len(h.devices), now - t_learned))
            last_report = now
        if done == len(h.devices):
            finished = True
            break
    t_seen_done = time.time()
    if finished:
        log("timing: every device checked; watching %d s more for re-checks" % args.linger)
        end = t_seen_done + args.linger
        while time.time() < end:
            time.sleep(1)
            wire.poll()
            samples.append((time.time(), d.cpu()))
    else:
        log("timing: gave up after %d s" % args.timeout)
    hwm = d.mem_kb("VmHWM")
    cpu_end = d.cpu()
    d.stop()
    wire.stop()
    rows = d.audit_log()

    per = []
    for x in h.devices:
        b = wire.bursts(x.ip, args.gap)
        first = b[0] if b else None
        mac_rows = [r for r in rows if r[1].lower() == x.mac.lower()]
        first_rows = [r for r in mac_rows if first and r[0] / 1e6 <= first["end"] + 1]
        per.append({"dev": x, "first": first, "rechecks": max(0, len(b) - 1),
                    "attempts_first": len(first_rows), "attempts_all": len(mac_rows),
                    "accepted": sum(r[4] for r in mac_rows),
                    "services": sorted({(r[2], r[3]) for r in mac_rows})})
    ends = [p["first"]["end"] for p in per if p["first"]]
    starts = [p["first"]["start"] for p in per if p["first"]]
    me = wire.bursts(Wire.SELF, args.gap)
    # When checks start: moments (within 1 s) and how many start at each.
    moments = []
    for t in sorted(starts + [b["start"] for b in me]):
        if moments and t - moments[-1][0] < 1:
            moments[-1][1] += 1
        else:
            moments.append([t, 1])
    gaps = [b[0] - a[0] for a, b in zip(moments, moments[1:])]
    t_all = max(ends) if ends and finished else None

    def cpu_at(t):
        after = [c for ts, c in samples if ts >= t]
        return after[0] if after else samples[-1][1]
    res = {
        "finished": finished,
        "devices": len(h.devices),
        "learned_after_start": t_learned - t_start,
        "first_check_after_learned": (min(starts) - t_learned) if starts else None,
        "all_done_after_learned": (t_all - t_learned) if t_all else None,
        "attempts": sum(p["attempts_first"] for p in per),
        "attempts_all": len(rows),
        "accepted": sum(r[4] for r in rows),
        "connections": sum(p["first"]["connections"] for p in per if p["first"]),
        "cpu_checks": (cpu_at(t_all) - cpu_learned) if t_all else cpu_end - cpu_learned,
        "cpu_total": cpu_end,
        "hwm_kb": hwm,
        "rechecks": sum(p["rechecks"] for p in per),
        "rechecked_devices": sum(1 for p in per if p["rechecks"]),
        "linger": args.linger if finished else 0,
        "leaks": wire.leaks,
        "self_checks": len(me),
        "self_connections": sum(b["connections"] for b in me),
        "self_first_after_learned": (me[0]["start"] - t_learned) if me else None,
        "start_moments": len(moments),
        "start_most": max((m[1] for m in moments), default=0),
        "start_gap_min": min(gaps) if gaps else None,
        "start_gap_max": max(gaps) if gaps else None,
        "unchecked": [p["dev"].label + " " + p["dev"].ip for p in per if not p["first"]],
        "per": per,
    }
    return res


def tcpreplay(h, args, pps, duration, capture):
    pin = ("taskset", "-c", "1") if args.pin else ()
    r = sh("ip", "netns", "exec", h.rp, *pin, "tcpreplay", "-i", "eth0", "-K", "--pps", str(pps),
           "--loop", "0", "--duration", str(duration), "--no-flow-stats", capture,
           check=False, timeout=duration + 120)
    out = r.stdout + r.stderr
    m = re.search(r"Actual:\s+(\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds", out)
    fail = re.search(r"Failed packets:\s+(\d+)", out)
    if r.returncode != 0 or not m:
        raise RuntimeError("tcpreplay failed: %s" % out[-1000:])
    sent, secs = int(m.group(1)), float(m.group(3))
    return {"sent": sent, "secs": secs, "pps": sent / secs if secs else 0,
            "failed": int(fail.group(1)) if fail else 0}


def snapshot(d):
    st = d.api("status")
    return {"t": time.time(), "cpu": d.cpu(), "packets": st["packets"],
            "received": st["capture"]["received"], "dropped": st["capture"]["dropped"]}


def window(h, args, d, wire, pps, duration, capture):
    """One replay; the status is also sampled every 0.5 s to place any drop
    in time, next to the commits (the WAL file's mtime) and the checks."""
    samples = []
    stop = threading.Event()
    wal = os.path.join(d.state, "yamori.db-wal")

    def sampler():
        while not stop.wait(0.5):
            try:
                snap = snapshot(d)
                snap["wal"] = os.path.getmtime(wal) if os.path.exists(wal) else 0
                samples.append(snap)
            except (OSError, RuntimeError, ValueError):
                pass
    s0 = snapshot(d)
    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    try:
        tr = tcpreplay(h, args, pps, duration, capture)
        t_sent = time.time()
        time.sleep(1.5)  # the ring drains (200 ms capture timeout)
    finally:
        stop.set()
        th.join()
    s1 = snapshot(d)
    res = {k: s1[k] - s0[k] for k in ("cpu", "packets", "received", "dropped")}
    prev = s0
    res["drop_events"] = []
    for snap in samples + [s1]:
        if snap["dropped"] > prev["dropped"]:
            res["drop_events"].append((round(snap["t"] - s0["t"], 1), snap["dropped"] - prev["dropped"]))
        prev = snap
    res["commits"] = sorted({round(x["wal"] - s0["t"], 1) for x in samples
                             if x.get("wal", 0) >= s0["t"]})
    res.update(tr)
    res["t0"], res["t1"] = s0["t"], t_sent
    if wire:
        wire.poll()
        res["audit_connections"] = wire.connections_between(s0["t"], t_sent)
        res["busy_seconds"] = wire.busy_seconds(s0["t"], t_sent)
    res["cpu_per_mpkt"] = res["cpu"] / res["packets"] * 1e6 if res["packets"] else None
    res["cpu_pct"] = 100 * res["cpu"] / tr["secs"] if tr["secs"] else None
    return res


def run_rate(h, args, audit, n, pps, capture):
    name = "rate-%d-%s-%d" % (pps, audit, n)
    log("%s: fresh daemon, audit = %s, %d packets/s for %d s" % (name, audit, pps, args.duration))
    wire = Wire(h, name)
    wire.start()
    d = Daemon(h, name, audit)
    t_start = d.start()
    d.wait_learned([x.mac for x in h.devices])
    logins = {x.ip for x in h.devices if x.ports}
    if audit == "on":
        deadline = time.time() + 180
        while time.time() < deadline:
            wire.poll()
            if wire.first_syn(logins or None) is not None:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("%s: no check of a device with a login service started" % name)
    else:
        # As with audit = on, whose checks start at the first commit
        # (commit_interval, 30 s, after the start): the window then holds
        # the same number of commits.
        time.sleep(max(0, t_start + 30.5 - time.time()))
    res = window(h, args, d, wire, pps, args.duration, capture)
    res["target"] = pps
    res["hwm_kb"] = d.mem_kb("VmHWM")
    d.stop()
    wire.stop()
    rows = d.audit_log()
    res["audit_attempts"] = sum(1 for r in rows if res["t0"] <= r[0] / 1e6 <= res["t1"])
    res["leaks"] = wire.leaks
    res["audit"] = audit
    res["name"] = name
    if res["drop_events"]:
        near = []
        for at, _n in res["drop_events"]:
            # The sample that saw the drop came 0.5 s after the one before.
            t = res["t0"] + at
            near.append(wire.ports_between(t - 1.5, t))
        res["drop_check_ports"] = near
        log("%s: drops (s into the window, packets): %s; commits at %s; check packets by "
            "port in the 1.5 s before each sample: %s" % (name, res["drop_events"], res["commits"], near))
    log("%s: sent %d (%.0f/s), decoded %d, dropped %d, CPU %.2f s (%.1f s/M packets), "
        "%d audit connections in the window"
        % (name, res["sent"], res["pps"], res["packets"], res["dropped"], res["cpu"],
           res["cpu_per_mpkt"] or 0, res["audit_connections"]))
    return res


def run_sweep(h, args, capture):
    log("sweep: audit = off")
    d = Daemon(h, "sweep", "off")
    d.start()
    d.wait_learned([x.mac for x in h.devices])
    out = []
    for pps in args.sweep_rates:
        r = window(h, args, d, None, pps, args.sweep_duration, capture)
        r["target"] = pps
        out.append(r)
        log("sweep: target %d/s: sent %.0f/s, decoded %d of %d, dropped %d, CPU %.0f%%"
            % (pps, r["pps"], r["packets"], r["sent"], r["dropped"], r["cpu_pct"]))
    d.stop()
    return out


# ---------------------------------------------------------------------------
# Report.

def fmt_s(x):
    if x is None:
        return "—"
    if x >= 120:
        return "%.0f s (%.1f min)" % (x, x / 60)
    return "%.1f s" % x


def commas(n):
    return "{:,}".format(int(round(n)))


def describe(h):
    kinds = {}
    for x in h.devices:
        kinds.setdefault(x.kind, []).append(x)
    parts = []
    if "camera" in kinds:
        parts.append("%d cameras (telnet with BusyBox login, ssh, ftp, http Basic and Digest%s, "
                     "rtsp Basic and Digest)"
                     % (len(kinds["camera"]), ", https Basic" if HAVE_MOD_OPENSSL else ""))
    if "nas" in kinds:
        parts.append("%d NAS (ssh, ftp, http Basic)" % len(kinds["nas"]))
    if "web" in kinds:
        parts.append("%d with only a web login (http Basic or Digest)" % len(kinds["web"]))
    if "none" in kinds:
        parts.append("%d without any login service (phones, TVs, speakers, plugs...)" % len(kinds["none"]))
    return "%d devices: %s; every password changed" % (len(h.devices), ", ".join(parts))


def markdown(h, args, timing, rates, sweep):
    cpu = re.sub(r"\s+", " ", next((l.split(":", 1)[1] for l in open("/proc/cpuinfo")
                                    if l.startswith("model name")), "?")).strip()
    out = []
    out.append("Measured with `%s` on %s (%s, %d cores, Linux %s). Household: %s. "
               "Default settings: audit_attempts 6 per device and service a day, audit_spacing 1 s, "
               "audit_parallel 2, 3 s connect timeout, commit_interval 30 s."
               % (COMMAND, time.strftime("%Y-%m-%d"), cpu, os.cpu_count(), os.uname().release,
                  describe(h)))
    out.append("")
    if timing:
        t = timing
        out.append("**A full check of the household** (fresh daemon, `audit = on`, no other traffic):")
        out.append("")
        out.append("| | measured |")
        out.append("|---|---:|")
        out.append("| all %d devices known to the daemon | %.1f s after start |" % (t["devices"], t["learned_after_start"]))
        out.append("| first check started | %s after that |" % fmt_s(t["first_check_after_learned"]))
        out.append("| **every device checked once** | **%s** after all were known |"
                   % (fmt_s(t["all_done_after_learned"]) if t["finished"] else "not within %d s" % args.timeout))
        out.append("| login attempts (audit_log) | %d (%d accepted) |" % (t["attempts"], t["accepted"]))
        out.append("| TCP connections opened by the checks | %d |" % t["connections"])
        out.append("| daemon CPU while checking | %.2f s (%.2f s since start) |" % (t["cpu_checks"], t["cpu_total"]))
        out.append("| daemon peak RSS (VmHWM) | %.1f MB |" % (t["hwm_kb"] / 1024))
        if t["finished"]:
            out.append("| re-checks in the %d s after | %d (of %d devices) |" % (t["linger"], t["rechecks"], t["rechecked_devices"]))
        if t["start_moments"] > 1:
            out.append("| moments at which checks started | %d, %.1f-%.1f s apart, at most %d at once |"
                       % (t["start_moments"], t["start_gap_min"], t["start_gap_max"], t["start_most"]))
        out.append("| the box itself (%s, learned from its own frames) | %s |" % (
            BOX_IP, "checked too: %d connection%s over loopback, %.0f s after the household was known"
            % (t["self_connections"], "" if t["self_connections"] == 1 else "s",
               t["self_first_after_learned"]) if t["self_checks"] else "not checked"))
        out.append("| frames from the box outside 10.234.0.0/24 | %d |" % t["leaks"])
        out.append("")
        out.append("| kind | devices | ports answering | one check (median, max) | connections | attempts |")
        out.append("|---|---:|---|---:|---:|---:|")
        kinds = {}
        for p in t["per"]:
            kinds.setdefault(p["dev"].kind, []).append(p)
        names = {"camera": "camera", "nas": "NAS", "web": "web login only", "none": "no login service"}
        for k in ("camera", "nas", "web", "none"):
            ps = kinds.get(k)
            if not ps:
                continue
            durs = [p["first"]["end"] - p["first"]["start"] for p in ps if p["first"]]
            opened = sorted({port for p in ps if p["first"] for port in p["first"]["open"]})
            out.append("| %s | %d | %s | %s | %d | %d |" % (
                names[k], len(ps), ", ".join(map(str, opened)) or "none",
                ("%.1f s, %.1f s" % (statistics.median(durs), max(durs))) if durs else "—",
                sum(p["first"]["connections"] for p in ps if p["first"]),
                sum(p["attempts_first"] for p in ps)))
        out.append("")
    if rates:
        out.append("**Packet rate while checks run**: tcpreplay offers `tests/fixtures/mkhome.py --big %d` "
                   "(looped) at a fixed rate for %d s into the bridge from another namespace, with "
                   "`audit = off` and with `audit = on`, the window starting when the first check of a "
                   "device with a login service starts (the `off` window starts at the same time after "
                   "the start, just after the first commit); a fresh daemon each run, pairs alternated. "
                   "%s"
                   "Counters from the API `status`: capture.received and capture.dropped (libpcap's "
                   "counters; dropped = the kernel ring was full), packets (decoded by yamorid; it also "
                   "counts the devices' pings and the checks' own packets)."
                   % (args.replay_packets, args.duration,
                      "yamorid pinned alone on CPU 0, everything else on CPU 1 (`--pin`). " if args.pin
                      else "No pinning: yamorid shares the 2 cores with tcpreplay and the devices' servers. "))
        out.append("")
        out.append("| audit | offered packets/s | sent | received | kernel drops | decoded | "
                   "daemon CPU | % of a core | CPU s per M packets | check connections / attempts "
                   "in window | seconds with check traffic |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rates:
            out.append("| %s | %s | %s%s | %s | %s | %s | %.2f s | %.1f%% | %.3f | %s / %s | %s of %.0f |" % (
                r["audit"], commas(r["pps"]), commas(r["sent"]),
                " (%s refused)" % commas(r["failed"]) if r["failed"] else "",
                commas(r["received"]), commas(r["dropped"]), commas(r["packets"]),
                r["cpu"], r["cpu_pct"], r["cpu_per_mpkt"],
                r["audit_connections"], r["audit_attempts"], r["busy_seconds"], r["secs"]))
        out.append("")
        for r in rates:
            if r["drop_events"]:
                out.append("Drops in `%s`: %s (seconds into the window: packets, sampled every "
                           "0.5 s); commits at %s s; the checks' packets by port in the 1.5 s "
                           "before: %s." % (
                               r["name"], ", ".join("%.1f: %s" % (a, commas(n)) for a, n in
                                                    r["drop_events"]),
                               ", ".join("%.1f" % c for c in r["commits"]) or "none seen",
                               "; ".join(", ".join("%s: %d" % kv for kv in p.items()) or "none"
                                         for p in r.get("drop_check_ports", []))))
        for pps in sorted({r["target"] for r in rates}):
            off = [r["cpu_per_mpkt"] for r in rates if r["target"] == pps and r["audit"] == "off"]
            on = [r["cpu_per_mpkt"] for r in rates if r["target"] == pps and r["audit"] == "on"]
            drops = sum(r["dropped"] for r in rates if r["target"] == pps)
            if off and on:
                mo, mn = statistics.mean(off), statistics.mean(on)
                out.append("At %s packets/s: CPU s per M packets %.3f without checks (%s), %.3f with "
                           "checks running (%s), %+.1f%%; kernel drops in all runs: %s." % (
                               commas(pps), mo, ", ".join("%.3f" % x for x in off), mn,
                               ", ".join("%.3f" % x for x in on), 100 * (mn - mo) / mo if mo else 0,
                               commas(drops)))
        out.append("")
    if sweep:
        out.append("**Highest rate** (`audit = off`, %d s per step):" % args.sweep_duration)
        out.append("")
        out.append("| target packets/s | sent packets/s | sent | decoded | kernel drops | % of a core |")
        out.append("|---:|---:|---:|---:|---:|---:|")
        for r in sweep:
            out.append("| %s | %s | %s | %s | %s | %.0f%% |" % (
                commas(r["target"]), commas(r["pps"]), commas(r["sent"]), commas(r["packets"]),
                commas(r["dropped"]), r["cpu_pct"]))
        out.append("")
    return "\n".join(out)


def plain(timing, rates):
    if timing:
        print("== timing ==")
        for k, v in timing.items():
            if k != "per":
                print("  %-28s %s" % (k, v))
        for p in timing["per"]:
            f = p["first"]
            print("  %-3d %-15s %-20s %-7s check %6s s  conns %3s  attempts %3d  rechecks %d  open %s" % (
                p["dev"].idx, p["dev"].ip, p["dev"].label, p["dev"].kind,
                "%.1f" % (f["end"] - f["start"]) if f else "-", f["connections"] if f else "-",
                p["attempts_first"], p["rechecks"], sorted(f["open"]) if f else "-"))
    for r in rates:
        print("== rate audit=%s ==" % r["audit"])
        for k, v in sorted(r.items()):
            print("  %-20s %s" % (k, v))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="Full password check of a household in network "
                                 "namespaces, and its cost to the packet rate (see the header).")
    ap.add_argument("--build", default=os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build")))
    ap.add_argument("--quick", action="store_true",
                    help="6 devices (1 camera, 1 NAS, 1 web, 3 others), 15 s windows")
    ap.add_argument("--cameras", type=int)
    ap.add_argument("--nas", type=int)
    ap.add_argument("--web", type=int)
    ap.add_argument("--others", type=int)
    ap.add_argument("--rate", default="30000",
                    help="offered packets/s, or a comma-separated list (default 30000)")
    ap.add_argument("--duration", type=int, help="seconds per packet-rate window (default 60)")
    ap.add_argument("--rate-runs", type=int, default=2, help="off/on pairs (default 2)")
    ap.add_argument("--replay-packets", type=int, help="size of the replayed capture (default 200000)")
    ap.add_argument("--sweep", action="store_true", help="also find the highest rate without drops")
    ap.add_argument("--sweep-duration", type=int, default=10)
    ap.add_argument("--skip-timing", action="store_true")
    ap.add_argument("--skip-rate", action="store_true")
    ap.add_argument("--gap", type=float, default=15.0,
                    help="seconds of silence that end a device's check (default 15)")
    ap.add_argument("--linger", type=int, default=65,
                    help="seconds to watch for re-checks after all are done (default 65)")
    ap.add_argument("--timeout", type=int, default=3600,
                    help="give up on the timing run after this many seconds (default 3600)")
    ap.add_argument("--pin", action="store_true",
                    help="yamorid on CPU 0, everything else (servers, tcpreplay, tcpdump) on CPU 1")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (logs, pcaps, state)")
    args = ap.parse_args()
    q = args.quick
    for k, full, quick in (("cameras", 4, 1), ("nas", 1, 1), ("web", 2, 1), ("others", 23, 3)):
        if getattr(args, k) is None:
            setattr(args, k, quick if q else full)
    if args.duration is None:
        args.duration = 15 if q else 60
    if args.replay_packets is None:
        args.replay_packets = 50000 if q else 200000
    if q:
        args.rate_runs = min(args.rate_runs, 1)
    args.rates = [int(x) for x in str(args.rate).split(",") if x.strip()]
    args.sweep_rates = [10000, 20000, 40000, 80000, 160000, 320000]
    args.yamorid = os.path.join(args.build, "daemon", "yamorid")

    if os.geteuid() != 0:
        sys.exit("audit-household: run as root (network namespaces, servers on ports < 1024)")
    missing = [t for t in NEEDED if not shutil.which(t)]
    if missing:
        sys.exit("audit-household: missing %s (see the header for the packages)" % ", ".join(missing))
    applets = sh("busybox", "--list").stdout.split()
    if "telnetd" not in applets or "login" not in applets:
        sys.exit("audit-household: this BusyBox has no telnetd or login applet (install busybox-static)")
    if sh(SYS_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer','1.0')", check=False).returncode:
        sys.exit("audit-household: gst-rtsp-server's Python bindings missing "
                 "(gir1.2-gst-rtsp-server-1.0, python3-gi)")
    if not os.access(args.yamorid, os.X_OK):
        sys.exit("audit-household: %s not built" % args.yamorid)

    def bye(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGHUP, bye)

    h = Household(args)
    timing, rates, sweep = None, [], []
    try:
        log("building %d devices in namespaces %s-*" % (len(h.devices), PREFIX))
        h.build()
        h.servers()
        h.chatter()
        log("servers listening: %d ports on %d devices"
            % (sum(len(x.ports) for x in h.devices), sum(1 for x in h.devices if x.ports)))
        capture = None
        if not args.skip_rate or args.sweep:
            gdir = os.path.join(h.tmp, "replay")
            os.makedirs(gdir)
            sh(sys.executable, MKHOME, "--out", gdir, "--big", str(args.replay_packets))
            capture = os.path.join(gdir, "big.pcap")
        if not args.skip_timing:
            timing = run_timing(h, args)
        if not args.skip_rate:
            for pps in args.rates:
                for n in range(args.rate_runs):
                    for audit in ("off", "on"):
                        rates.append(run_rate(h, args, audit, n, pps, capture))
        if args.sweep:
            sweep = run_sweep(h, args, capture)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        h.destroy()
    plain(timing, rates)
    print()
    print("---- Markdown ----")
    print()
    print(markdown(h, args, timing, rates, sweep))


if __name__ == "__main__":
    main()
