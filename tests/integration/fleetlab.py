"""The ISP's side of fleet reports, made here for tests and the bench
(docs/FLEET.md): a certificate authority with the broker's and the boxes'
certificates, a 3-node nats-server cluster (MQTT over TLS with JetStream)
each node in its own network namespace on a bridge (private addresses
only), PostgreSQL started in a temporary directory as the unprivileged
postgres user, and yamori-fleet aggregators. Everything made here is
removed by close()."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(REPO, "build"))
AGGREGATOR = os.path.join(BUILD, "tools", "yamori-fleet")
LOAD = os.path.join(BUILD, "bench", "fleet-load")
PG_BIN = "/usr/lib/postgresql/15/bin"
BROKER_NAME = "fleet.test"
MQTT_PORT = 8883
NATS_PORT = 4222


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, capture_output=True, text=True, **kw)


def missing():
    """The programs the lab needs that are not installed."""
    need = ["nats-server", "mosquitto_pub", "mosquitto_sub", "openssl",
            "ip", os.path.join(PG_BIN, "initdb")]
    out = [p for p in need if not shutil.which(p)]
    for p in (AGGREGATOR, LOAD):
        if not os.access(p, os.X_OK):
            out.append(p)
    if os.geteuid() != 0:
        out.append("root (network namespaces)")
    return out


def wait_for(cond, timeout, what, step=0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


class Lab:
    def __init__(self, tag, nodes=3):
        pid = os.getpid()
        self.tag = "%s%d" % (tag, pid % 100000)
        self.tmp = tempfile.mkdtemp(prefix="ymfleet-")
        os.chmod(self.tmp, 0o755)
        self.net = "10.118.%d" % (pid % 200 + 20)
        self.hub = "yfh" + self.tag
        self.node_ns = ["yfn%d%s" % (i, self.tag) for i in range(1, nodes + 1)]
        self.node_ip = ["%s.%d" % (self.net, 11 + i) for i in range(nodes)]
        self.procs = {}
        self.aggs = []
        self.pg = None
        self.etc_netns = "/etc/netns/" + self.hub
        try:
            self._certs()
            self._network()
        except Exception:
            self.close()
            raise

    # --- certificates ---------------------------------------------------

    def _ca(self, name):
        key = os.path.join(self.tmp, name + ".key")
        crt = os.path.join(self.tmp, name + ".crt")
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", crt,
           "-days", "3", "-subj", "/CN=" + name)
        return key, crt

    def cert(self, name, ca="ca", san=None):
        key = os.path.join(self.tmp, name + ".key")
        csr = os.path.join(self.tmp, name + ".csr")
        crt = os.path.join(self.tmp, name + ".crt")
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
           "-subj", "/CN=" + name)
        ext = os.path.join(self.tmp, name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            if san:
                f.write("subjectAltName=" + san + "\n")
        sh("openssl", "x509", "-req", "-in", csr, "-CA",
           os.path.join(self.tmp, ca + ".crt"), "-CAkey",
           os.path.join(self.tmp, ca + ".key"), "-CAcreateserial", "-out",
           crt, "-days", "3", "-extfile", ext)
        return crt, key

    def _certs(self):
        self._ca("ca")
        self._ca("otherca")
        san = ",".join(["DNS:" + BROKER_NAME] +
                       ["IP:" + ip for ip in self.node_ip])
        self.server_crt, self.server_key = self.cert("broker", san=san)
        self.box_crt, self.box_key = self.cert("box")
        self.wrong_crt, self.wrong_key = self.cert("stranger", ca="otherca")
        self.ca = os.path.join(self.tmp, "ca.crt")
        self.other_ca = os.path.join(self.tmp, "otherca.crt")

    # --- the network ----------------------------------------------------

    def hub_exec(self, *args):
        return ["ip", "netns", "exec", self.hub, *args]

    def _network(self):
        sh("ip", "netns", "add", self.hub)
        sh("ip", "-n", self.hub, "link", "set", "lo", "up")
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "addr", "add", self.net + ".1/24", "dev",
           "br0")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")
        for i, ns in enumerate(self.node_ns):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "-n", self.hub, "link", "add", "v%d" % i, "type", "veth",
               "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.hub, "link", "set", "v%d" % i, "master", "br0",
               "up")
            sh("ip", "-n", ns, "addr", "add", self.node_ip[i] + "/24", "dev",
               "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        # The ISP's broker name, resolving to the three nodes, for what runs
        # in the hub (ip netns exec mounts /etc/netns/NAME/hosts there).
        os.makedirs(self.etc_netns, exist_ok=True)
        with open(os.path.join(self.etc_netns, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")
            for ip in self.node_ip:
                f.write("%s %s\n" % (ip, BROKER_NAME))

    # --- the broker cluster ---------------------------------------------

    def node_conf(self, i):
        routes = ", ".join("nats-route://%s:6222" % ip for ip in self.node_ip)
        store = os.path.join(self.tmp, "js%d" % i)
        path = os.path.join(self.tmp, "node%d.conf" % i)
        with open(path, "w") as f:
            f.write("""server_name: node%d
listen: %s:%d
http: %s:8222
jetstream { store_dir: "%s" }
cluster { name: yamori-fleet, listen: %s:6222, routes: [%s] }
mqtt {
  listen: %s:%d
  tls { cert_file: "%s", key_file: "%s", ca_file: "%s", verify: true, timeout: 5 }
  ack_wait: "10s"
}
""" % (i + 1, self.node_ip[i], NATS_PORT, self.node_ip[i], store,
       self.node_ip[i], routes, self.node_ip[i], MQTT_PORT, self.server_crt,
       self.server_key, self.ca))
        return path

    def start_node(self, i):
        with open(os.path.join(self.tmp, "node%d.log" % i), "a") as log:
            p = subprocess.Popen(["ip", "netns", "exec", self.node_ns[i],
                                  "nats-server", "-c", self.node_conf(i)],
                                 stdout=log, stderr=subprocess.STDOUT)
        self.procs["node%d" % i] = p
        return p

    def node_up(self, i):
        try:
            with urllib.request.urlopen(self.monitor(i, "healthz?js-enabled-only=true"),
                                        timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def monitor(self, i, what):
        return "http://%s:8222/%s" % (self.node_ip[i], what)

    def varz(self, i):
        out = sh(*self.hub_exec("python3", "-c",
                 "import urllib.request,sys;"
                 "sys.stdout.write(urllib.request.urlopen(%r,timeout=5)"
                 ".read().decode())" % self.monitor(i, "varz")), check=False)
        return json.loads(out.stdout) if out.returncode == 0 else {}

    def start_cluster(self):
        for i in range(len(self.node_ns)):
            self.start_node(i)

        def ready():
            r = sh(*self.hub_exec("python3", "-c",
                   "import urllib.request\n"
                   "for ip in %r:\n"
                   "  u='http://%%s:8222/healthz' %% ip\n"
                   "  assert urllib.request.urlopen(u,timeout=2).status==200\n"
                   % self.node_ip), check=False)
            return r.returncode == 0
        wait_for(ready, 180, "the cluster's health", step=1)

    def kill_node(self, i):
        p = self.procs.pop("node%d" % i)
        p.send_signal(signal.SIGKILL)
        p.wait()

    def servers(self, port=MQTT_PORT):
        return ",".join("%s:%d" % (ip, port) for ip in self.node_ip)

    # --- PostgreSQL -----------------------------------------------------

    def start_postgres(self):
        d = os.path.join(self.tmp, "pg")
        os.makedirs(d)
        shutil.chown(d, "postgres", "postgres")
        data = os.path.join(d, "data")
        sh("runuser", "-u", "postgres", "--", PG_BIN + "/initdb", "-D", data,
           "-A", "trust", "-U", "fleet", "--no-sync")
        sh("runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D", data,
           "-o", "-k %s -c listen_addresses='' -c fsync=on" % d, "-l",
           os.path.join(d, "log"), "-w", "start")
        self.pg = data
        sh("runuser", "-u", "postgres", "--", PG_BIN + "/createdb", "-h", d,
           "-U", "fleet", "fleet")
        self.db = "host=%s user=fleet dbname=fleet" % d
        return self.db

    def psql(self, sql):
        out = sh("psql", self.db, "-At", "-F", ",", "-c", sql)
        return out.stdout.strip()

    # --- the aggregator -------------------------------------------------

    def start_aggregator(self, batch=64, name="agg"):
        log = open(os.path.join(self.tmp, "%s%d.log" % (name, len(self.aggs))),
                   "w+")
        p = subprocess.Popen(self.hub_exec(
            AGGREGATOR, "run", "--nats", self.servers(NATS_PORT), "--db",
            self.db, "--batch", str(batch)), stdout=log,
            stderr=subprocess.STDOUT)
        self.aggs.append((p, log))
        return p, log

    def stop_aggregators(self):
        logs = []
        for p, log in self.aggs:
            p.send_signal(signal.SIGTERM)
        for p, log in self.aggs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.seek(0)
            logs.append(log.read())
            log.close()
        self.aggs = []
        return logs

    def stats(self):
        out = sh(AGGREGATOR, "stats", "--db", self.db)
        return json.loads(out.stdout)

    # --- MQTT from the hub ----------------------------------------------

    def mqtt_args(self, node=0, crt=None, key=None):
        return ["--cafile", self.ca, "--cert", crt or self.box_crt, "--key",
                key or self.box_key, "-h", self.node_ip[node], "-p",
                str(MQTT_PORT), "-V", "mqttv311"]

    def publish_retained(self, topic, payload_path, node=0):
        """As the ISP's publisher would: a lost connection (mosquitto_pub
        exit 7, seen on a starved machine) is tried again."""
        argv = self.hub_exec("mosquitto_pub", *self.mqtt_args(node), "-i",
                             "isp-advisory", "-q", "1", "-r", "-t", topic, "-f",
                             payload_path)
        for attempt in range(4):
            r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            if r.returncode == 0:
                return
            if r.returncode != 7 or attempt == 3:
                raise subprocess.CalledProcessError(r.returncode, argv, r.stdout, r.stderr)
            time.sleep(1 + attempt)

    def close(self):
        self.stop_aggregators()
        for name, p in list(self.procs.items()):
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = {}
        if self.pg:
            sh("runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D",
               self.pg, "-m", "immediate", "stop", check=False)
            self.pg = None
        for ns in self.node_ns + [self.hub]:
            sh("ip", "netns", "delete", ns, check=False)
        shutil.rmtree(self.etc_netns, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
