#!/usr/bin/env python3
"""The touchscreen panel against a running daemon, headless.

yamorid replays the fixture household (tests/fixtures/mkhome.py) and keeps
serving its API, with isolate = nft, inside a private network namespace the
test makes (so the nftables rules it applies live and die there; its socket
is a path in the state directory, so the panel outside still reaches it);
yamori-panel runs under Xvfb at 800x480 with a private
D-Bus session and the accessibility bus, strictly (G_DEBUG=fatal-warnings,
GSETTINGS_BACKEND=memory) and in Japanese. The tests drive it through the
accessibility tree (libatspi), keep a screenshot of every screen in
build/test-artifacts/panel/, and check:
  - every screen shows and every touch target is at least 48x48 (the
    panel's own --self-test walks its widget tree; at-spi extents too);
  - a device can be opened and renamed (the daemon's name changes); its
    isolation asks first, then really happens (the daemon flags it and its
    MAC is in the namespace's nft set) and the panel shows it stopped; it
    is brought back (the flag goes); the router offers no isolation and
    the daemon refuses it; and rule 2 walks to "Done";
  - with the daemon stopped the panel says so, and it reconnects by itself;
  - the auto-isolation choice on the settings page reaches the daemon;
  - PanelAuditTest: rule 2's password check from a device's page against
    a real telnet device in namespaces, found and then, after the
    password is changed, no longer found; the stop button red in danger;
  - issue 19: PanelRulesTest (a month on in short, idle_days = 1): rule 3
    asks about a door lock instead of telling, never says to switch it
    off, and says a switched-off TV went quiet only once checked; rule 4
    shows the reset steps first, marks only after 「データを消しました」,
    keeps a given-away list with undo, and includes the router.
    PanelTest 7-9: the stop question's 何もしない / 通信を止める, red only
    in danger, the window behind dimmed, the PIN pad's true trust line and
    the PIN recovery (--forget-pin); the larger text by default and a
    screenshot of each size; WCAG AA contrast (4.5:1) of every label and
    button measured in screenshots of every screen and a question; no
    telnet/FTP/IP/MAC outside 詳しく, the trust line on rule 2, the device
    page and Settings, every button a verb.
  - issue 14: PanelFirstScreenTest: a new box's kiosk starts on the PIN
    offer; two different PINs keep nothing; leaving the pad comes back to
    the offer; the PIN is kept hashed in a private file; the next start is
    Home; --forget-pin makes the next start offer a PIN again, which the
    household may decline; a desktop start asks nothing.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import calendar
import unittest

import ymapi  # noqa: E402  (tests/integration, the script's folder)


def _python_with_gi():
    """The libatspi bindings are Debian's (python3-gi): run under the
    system Python when the one given has no gi."""
    try:
        import gi  # noqa: F401
        return
    except ImportError:
        pass
    system = "/usr/bin/python3"
    if os.path.exists(system) and os.path.realpath(sys.executable) != system \
            and not os.environ.get("YM_PANEL_REEXEC"):
        os.environ["YM_PANEL_REEXEC"] = "1"
        os.execv(system, [system] + sys.argv)


_python_with_gi()

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
PANEL = os.path.join(BUILD, "ui", "yamori-panel")
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
ARTIFACTS = os.path.join(BUILD, "test-artifacts", "panel")
WIDTH, HEIGHT = 800, 480
CAMERA = "d0:37:45:8e:31:c2"
ROUTER = "6c:e4:da:a0:10:01"
TRUST = "この画面が、お金やパスワードを聞くことはありません。"
TRUST_PIN = "この画面が、お金を聞くことはありません。決めた暗証番号は、この箱の外に出ません。"
FORGOT_PIN = "忘れたときは、買ったお店か回線の会社に聞いてください。"
BRAVIA = "fc:f1:52:e5:50:9b"
NOT_RUNNING = "家守が動いていません。"


# -- colours in screenshots (WCAG 2.1 contrast) ---------------------------------

def read_screenshot(png):
    """(width, height, bytes RGB) of a screenshot, through ImageMagick's
    plain PPM (no imaging library needed)."""
    data = subprocess.run(["convert", png, "-depth", "8", "ppm:-"], capture_output=True,
                          check=True).stdout
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    return int(fields[1]), int(fields[2]), data[pos:]


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def region_colours(img, x, y, w, h):
    """{(r, g, b): count} inside the rectangle, clipped to the image."""
    width, height, px = img
    counts = {}
    for j in range(max(0, y), min(height, y + h)):
        row = j * width * 3
        for i in range(max(0, x), min(width, x + w)):
            k = row + i * 3
            c = (px[k], px[k + 1], px[k + 2])
            counts[c] = counts.get(c, 0) + 1
    return counts


def text_contrast(img, x, y, w, h):
    """(ratio, background, text) of the text in a rectangle: the background
    is its most common colour; the text, of the colours that make up at
    least 5 % of what is not background, the one furthest from it (the
    core of the glyphs, not their smoothed edges). None when no text shows."""
    counts = region_colours(img, x, y, w, h)
    if not counts:
        return None
    bg = max(counts, key=counts.get)
    ink = {c: n for c, n in counts.items() if contrast(c, bg) > 1.25}
    total = sum(ink.values())
    if total < 12:
        return None
    solid = [c for c, n in ink.items() if n >= max(3, total * 0.05)]
    if not solid:
        return None
    fg = max(solid, key=lambda c: contrast(c, bg))
    return contrast(fg, bg), bg, fg


def dominant(img, x, y, w, h):
    """The most common colour in the rectangle (a button's face)."""
    counts = region_colours(img, x, y, w, h)
    return max(counts, key=counts.get)


def mean_luminance(img, x, y, w, h):
    counts = region_colours(img, x, y, w, h)
    n = sum(counts.values())
    return sum(luminance(c) * k for c, k in counts.items()) / n if n else 0


def reddish(rgb):
    r, g, b = rgb
    return r > 140 and g < 90 and b < 90


def idle_pcap(path, mac, ip, router_mac, router_ip, start, days, every_h=4):
    """A device that only chatters: a DNS question to the router every few
    hours for DAYS, from START (seconds since the epoch)."""
    def m(s):
        return bytes(int(x, 16) for x in s.split(":"))

    def a(s):
        return bytes(int(x) for x in s.split("."))

    def csum(b):
        if len(b) % 2:
            b += b"\0"
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s) & 0xffff

    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for i in range(int(days * 24 / every_h) + 1):
        ts = start + i * every_h * 3600
        q = struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0) + \
            b"\x04time\x07example\x00" + struct.pack("!HH", 1, 1)
        udp = struct.pack("!HHHH", 40000 + i, 53, 8 + len(q), 0) + q
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                          a(ip), a(router_ip))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        frame = m(router_mac) + m(mac) + b"\x08\x00" + hdr + udp
        frame += b"\0" * max(0, 60 - len(frame))
        out.append(struct.pack("<IIII", ts, 0, len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))


# Japanese verb phrases end so (PLAIN_JA J12): 閉じる, 何もしない, 切りました.
VERB_ENDINGS = ("う", "く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る", "ない", "ます", "ました",
                "ません")
# The rail's five places are where to go, not what to do; the text sizes
# are a choice among three (toggles, which GTK 4.8 shows as push buttons).
RAIL = ("いまの様子", "機器", "点検", "お知らせ", "設定")
CHOICES = ("ふつう", "大きい", "もっと大きい")


def missing_tools():
    """Why the panel cannot be tested here, or None."""
    if not os.path.exists(PANEL):
        return "yamori-panel was not built (needs libgtk-4-dev, libadwaita-1-dev, libjson-glib-dev)"
    for tool in ("Xvfb", "dbus-daemon", "import"):
        if not shutil.which(tool):
            return "%s is not installed (xvfb, dbus, imagemagick)" % tool
    if not os.path.exists("/usr/libexec/at-spi-bus-launcher"):
        return "at-spi2-core is not installed"
    try:
        import gi
        gi.require_version("Atspi", "2.0")
        from gi.repository import Atspi  # noqa: F401
    except (ImportError, ValueError) as e:
        return "libatspi bindings missing (python3-gi, gir1.2-atspi-2.0): %s" % e
    return None


def missing_netns():
    """Why the daemon cannot isolate for real here, or None."""
    if os.geteuid() != 0:
        return "needs root to run yamorid in a network namespace with isolate = nft"
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            return "%s is not installed (iproute2, nftables)" % tool
    probe = "ymtp%d-probe" % os.getpid()
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "ip netns add failed: network namespaces are not available here"
    try:
        r = subprocess.run(["ip", "netns", "exec", probe, "nft", "list", "ruleset"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return "nft does not work in a network namespace here: %s" % r.stderr.strip()
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


SKIP = missing_tools() or missing_netns()


class Headless:
    """Xvfb, a private session bus and the accessibility bus, stopped in
    reverse order; every process in its own group so nothing is left."""

    def __init__(self, tmp):
        self.procs = []
        self.runtime = os.path.join(tmp, "runtime")
        os.makedirs(self.runtime, mode=0o700)
        r, w = os.pipe()
        self.start(["Xvfb", "-displayfd", str(w), "-screen", "0",
                    "%dx%dx24" % (WIDTH, HEIGHT), "-nolisten", "tcp", "-noreset"],
                   pass_fds=(w,))
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        self.display = ":" + number
        # The number comes when the server is set up; wait until it takes
        # connections too.
        path = "/tmp/.X11-unix/X" + number
        deadline = time.time() + 15
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(path)
                break
            except OSError:
                if time.time() > deadline or self.procs[0].poll() is not None:
                    raise RuntimeError("Xvfb did not start on " + self.display)
                time.sleep(0.1)
        bus = self.start(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                         stdout=subprocess.PIPE, text=True)
        self.bus = bus.stdout.readline().strip()
        self.env = dict(os.environ, DISPLAY=self.display, DBUS_SESSION_BUS_ADDRESS=self.bus,
                        XDG_RUNTIME_DIR=self.runtime)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.start(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                   env=self.env)
        # This process reads the accessibility tree over the same buses.
        os.environ.update(DISPLAY=self.display, DBUS_SESSION_BUS_ADDRESS=self.bus,
                          XDG_RUNTIME_DIR=self.runtime)
        time.sleep(0.5)

    def start(self, argv, **kw):
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        p = subprocess.Popen(argv, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            stop_group(p)


_headless = None


def shared_headless():
    """One display and one accessibility bus for every test class: libatspi
    stays on the first bus it met in this process."""
    global _headless
    if _headless is None:
        tmp = tempfile.mkdtemp(prefix="yamori-headless-")
        unittest.addModuleCleanup(shutil.rmtree, tmp, ignore_errors=True)
        _headless = Headless(tmp)
        unittest.addModuleCleanup(_headless.stop)
    return _headless


def answered_first_screen(config_home, extra=""):
    """A panel.conf in which the household already answered the kiosk's
    first screen (the PIN offer), so a test starts on Home."""
    conf_dir = os.path.join(config_home, "yamori-panel")
    os.makedirs(conf_dir, exist_ok=True)
    with open(os.path.join(conf_dir, "panel.conf"), "w") as f:
        f.write("[panel]\npin_offered=true\n" + extra)


def stop_group(p, sig=signal.SIGTERM):
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


class PanelDriver:
    """Drives a running panel through the accessibility tree and talks to
    its daemon (cls.state, cls.socket, cls.headless, cls.panel set by the
    test class, mostly through the set-up helpers below)."""

    # -- setting up a test class -------------------------------------------

    @classmethod
    def make_tmp(cls, prefix):
        """cls.tmp, removed after the class; the artifacts folder made."""
        cls.tmp = tempfile.mkdtemp(prefix=prefix)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        os.makedirs(ARTIFACTS, exist_ok=True)
        return cls.tmp

    @classmethod
    def make_fixtures(cls, script="mkhome.py"):
        """The captures tests/fixtures/SCRIPT writes, in cls.tmp; their folder."""
        fixtures = os.path.join(cls.tmp, "fixtures")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures", script),
                        "--out", fixtures], check=True, stdout=subprocess.DEVNULL)
        return fixtures

    @classmethod
    def open_log(cls, name):
        """A log in the artifacts folder, closed after the class."""
        log = open(os.path.join(ARTIFACTS, name), "w")
        cls.addClassCleanup(log.close)
        return log

    @classmethod
    def daemon_conf(cls, text):
        """cls.state and cls.socket in cls.tmp, and a yamori.conf of TEXT;
        its path."""
        cls.state = os.path.join(cls.tmp, "state")
        cls.socket = os.path.join(cls.state, "yamori.sock")
        conf = os.path.join(cls.tmp, "yamori.conf")
        with open(conf, "w") as f:
            f.write(text)
        return conf

    @classmethod
    def run_daemon(cls, args, log, netns=None):
        """yamorid ARGS in Japanese, in its own process group, logging to
        LOG; inside NETNS if given (ip netns exec execs yamorid itself: the
        group is the daemon's)."""
        prefix = ["ip", "netns", "exec", netns] if netns else []
        return subprocess.Popen(prefix + [YAMORID] + list(args),
                                env=dict(os.environ, LANG="ja_JP.UTF-8", LANGUAGE="ja"),
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @classmethod
    def wait_serving(cls, daemon, log_name, ready=None, timeout=30, step=0.2,
                     what="start serving"):
        """Until the daemon's socket is there and READY() (by default: ctl
        status answers); RuntimeError after TIMEOUT s or if it stops."""
        if ready is None:
            def ready():
                return cls.ctl("status").returncode == 0
        deadline = time.time() + timeout
        while not os.path.exists(cls.socket) or not ready():
            if time.time() > deadline or daemon.poll() is not None:
                raise RuntimeError("yamorid did not %s (see %s)" % (what, log_name))
            time.sleep(step)

    @classmethod
    def start_serving_daemon(cls, args, conf_text, log_name, **wait):
        """yamorid ARGS --serve on a yamori.conf of CONF_TEXT, stopped after
        the class; waits (see wait_serving) until it serves."""
        conf = cls.daemon_conf(conf_text)
        log = cls.open_log(log_name)
        daemon = cls.run_daemon(list(args) + ["--state-dir", cls.state, "-c", conf, "--serve"],
                                log)
        cls.addClassCleanup(stop_group, daemon)
        cls.wait_serving(daemon, log_name, **wait)
        return daemon

    @classmethod
    def make_panel_env(cls, config_dir, socket=None, **extra):
        """The panel's environment: the headless display and buses, the
        daemon's socket, strict GTK (fatal warnings, memory GSettings), in
        Japanese, its settings in CONFIG_DIR."""
        return dict(cls.headless.env, YAMORI_SOCKET=socket or cls.socket,
                    GSETTINGS_BACKEND="memory", G_DEBUG="fatal-warnings",
                    LANG="ja_JP.UTF-8", LANGUAGE="ja", XDG_CONFIG_HOME=config_dir,
                    NO_AT_BRIDGE="0", **extra)

    @classmethod
    def spawn_panel(cls, args, log, env):
        """yamori-panel ARGS in its own process group, logging to LOG."""
        return subprocess.Popen([PANEL] + list(args), env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)

    @classmethod
    def start_panel(cls, log_name, **extra_env):
        """The kiosk on cls.socket with the first screen answered (settings
        in cls.tmp/config), stopped after the class."""
        cls.headless = shared_headless()
        log = cls.open_log(log_name)
        config = os.path.join(cls.tmp, "config")
        answered_first_screen(config)
        cls.panel = cls.spawn_panel(["--kiosk"], log, cls.make_panel_env(config, **extra_env))
        cls.addClassCleanup(stop_group, cls.panel)

    @classmethod
    def load_atspi(cls):
        """cls.Atspi (libatspi) and cls.GLibError."""
        import gi
        gi.require_version("Atspi", "2.0")
        from gi.repository import Atspi, GLib
        cls.Atspi = Atspi
        cls.GLibError = GLib.Error

    # -- the daemon ----------------------------------------------------------

    @classmethod
    def ctl(cls, *args):
        return subprocess.run([YAMORICTL, "--state-dir", cls.state] + list(args),
                              capture_output=True, text=True)

    @classmethod
    def api(cls, cmd, args=None):
        """One raw request on the daemon's socket; its result."""
        answer = ymapi.ask(cls.socket, {"id": 1, "cmd": cmd, "args": args or {}})
        assert answer and answer.get("ok"), answer
        return answer["result"]

    @classmethod
    def flags(cls):
        """Every device's flags, as the daemon has them: {mac: [flag]}."""
        r = cls.ctl("devices", "--json")
        assert r.returncode == 0, r.stderr
        return {d["mac"]: d["flags"] for d in json.loads(r.stdout)}

    # -- the accessibility tree --------------------------------------------

    def setUp(self):
        self.assertIsNone(self.panel.poll(), "the panel has stopped (see panel.log)")

    def app(self):
        desktop = self.Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            a = desktop.get_child_at_index(i)
            if a and a.get_name() == "yamori-panel":
                return a
        return None

    def showing(self, node):
        """GTK 4.8 sets no SHOWING state below the window: a node shows
        when it has a size and lies at least partly in its window (hidden
        stack pages are 0x0, a closed revealer is above the window)."""
        if node.get_role_name() in ("frame", "dialog", "window", "alert"):
            return True
        try:
            e = node.get_extents(self.Atspi.CoordType.WINDOW)
        except Exception:
            return True  # no Component (a stack page): look inside
        return (e.width > 0 and e.height > 0 and e.x < WIDTH and e.y < HEIGHT and
                e.x + e.width > 0 and e.y + e.height > 0)

    def nodes(self, root=None, anywhere=False):
        """Every node that shows (ANYWHERE: also scrolled out of sight),
        depth first."""
        root = root or self.app()
        if root is None:
            return
        stack = [root]
        while stack:
            n = stack.pop()
            try:
                if n is not root and not anywhere and not self.showing(n):
                    continue
                yield n
                stack.extend(n.get_child_at_index(i) for i in
                             reversed(range(n.get_child_count())))
            except Exception:  # a node went away while we walked
                continue

    @staticmethod
    def facts(node):
        """(name, role) of NODE, or None when it has gone away (a toast
        that timed out while we walked: at-spi says "The application no
        longer exists")."""
        try:
            return node.get_name() or "", node.get_role_name()
        except Exception:
            return None

    def named(self, root=None, anywhere=False):
        """(node, name, role) of every node that shows and still exists."""
        for n in self.nodes(root, anywhere):
            f = self.facts(n)
            if f is not None:
                yield (n,) + f

    def find(self, name=None, role=None, contains=None, timeout=15, root=None,
             anywhere=False):
        deadline = time.time() + timeout
        while True:
            for n in self.nodes(root, anywhere):
                try:
                    nm, rl = n.get_name(), n.get_role_name()
                except Exception:
                    continue
                if role and rl != role:
                    continue
                # libadwaita 1.2 names an alert's buttons twice ("OK OK").
                if name is not None and nm != name and nm != name + " " + name:
                    continue
                if contains is not None and contains not in nm:
                    continue
                return n
            if time.time() > deadline:
                self.fail("nothing showing with name=%r role=%r contains=%r" %
                          (name, role, contains))
            time.sleep(0.2)

    def find_any(self, texts, timeout=15, anywhere=False):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for n, nm, _ in self.named(anywhere=anywhere):
                if any(t in nm for t in texts):
                    return n
            time.sleep(0.2)
        self.fail("none of %r showing" % (texts,))

    def gone(self, contains, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not any(contains in nm for _, nm, _ in self.named()):
                return
            time.sleep(0.2)
        self.fail("still showing: %r" % contains)

    def press(self, name, root=None):
        # A finger would scroll first; the action works the same.
        node = self.find(name=name, role="push button", root=root, anywhere=True)
        node.do_action(0)
        time.sleep(0.4)
        return node

    def dialog(self, heading, timeout=30):
        """The alert window whose heading is HEADING."""
        return self.dialog_of((heading,), timeout)[1]

    def dialog_of(self, headings, timeout=30):
        """(heading, window) of the first alert showing one of HEADINGS."""
        deadline = time.time() + timeout
        while True:
            app = self.app()
            for i in range(app.get_child_count() if app else 0):
                try:
                    top = app.get_child_at_index(i)
                    if top.get_role_name() == "dialog" and top.get_name() in headings:
                        return top.get_name(), top
                except Exception:
                    continue
            if time.time() > deadline:
                self.fail("no alert showing any of %r" % (headings,))
            time.sleep(0.2)

    def fits_screen(self, dialog):
        """DIALOG, with the text size in use, fits the 7-inch 800x480
        screen: its buttons are on it. Measured in the dialog's own window,
        so it holds wherever the dialog is placed."""
        for n, name, role in self.named(root=dialog, anywhere=True):
            if role != "push button":
                continue
            e = n.get_extents(self.Atspi.CoordType.WINDOW)
            self.assertLessEqual(e.y + e.height, HEIGHT, "%r is below the screen" % name)

    def tap(self, node, across=0.5):
        """A touch on NODE, ACROSS its width, in the middle of its height
        (list rows have no action)."""
        e = node.get_extents(self.Atspi.CoordType.WINDOW)
        # Kiosk: the window is the screen, at 0,0.
        self.Atspi.generate_mouse_event(e.x + int(e.width * across), e.y + e.height // 2, "b1c")
        time.sleep(0.5)

    def scroll_into_view(self, node, timeout=10):
        """Wheel the list under the pointer until NODE lies wholly in the
        window (GTK 4.8 has no at-spi ScrollTo)."""
        deadline = time.time() + timeout
        while True:
            e = node.get_extents(self.Atspi.CoordType.WINDOW)
            if e.height > 0 and e.y >= 0 and e.y + e.height <= HEIGHT:
                return
            if time.time() > deadline:
                self.fail("%r did not scroll into sight" % node.get_name())
            x = e.x + e.width // 2
            self.Atspi.generate_mouse_event(x, HEIGHT // 2, "abs")
            self.Atspi.generate_mouse_event(x, HEIGHT // 2,
                                            "b5c" if e.y + e.height > HEIGHT else "b4c")
            time.sleep(0.3)

    def shot(self, name):
        time.sleep(0.6)  # transitions end
        path = os.path.join(ARTIFACTS, name + ".png")
        subprocess.run(["import", "-display", self.headless.display, "-window", "root", path],
                       check=True, env=self.headless.env)
        return path

    def rail(self, name):
        self.press(name)

    def card(self, name, line, timeout=15):
        """The lines of the rules' card whose heading is NAME and which
        says LINE (a device's name shows on other pages too)."""
        deadline = time.time() + timeout
        while True:
            for n, nm, rl in self.named(anywhere=True):
                if nm != name or rl != "label":
                    continue
                try:
                    lines = [x for _, x, _ in self.named(n.get_parent(), anywhere=True)]
                except Exception:
                    continue
                if line in lines:
                    return lines
            if time.time() > deadline:
                self.fail("no card %r saying %r" % (name, line))
            time.sleep(0.3)

    def card_node(self, name, timeout=15):
        """The rule page's card of the device named NAME (its heading's
        box's box)."""
        label = self.find(name=name, role="label", anywhere=True, timeout=timeout)
        return label.get_parent().get_parent()

    def buttons_in(self, root):
        """The names of the push buttons under ROOT, each once (libadwaita
        1.2 names an alert's buttons twice, "OK OK", and shows each twice)."""
        return sorted({nm.split(" ")[0] if nm and len(set(nm.split(" "))) == 1 else nm
                       for _, nm, rl in self.named(root, anywhere=True) if rl == "push button"})

    def texts_in(self, root):
        return [nm for _, nm, _ in self.named(root, anywhere=True) if nm]

    def extents(self, node):
        # Window coordinates: GTK 4 has no screen coordinates (asking
        # warns, and the panel runs with fatal warnings). The kiosk window
        # is the screen, and under Xvfb without a window manager a dialog
        # window sits at 0,0 too.
        e = node.get_extents(self.Atspi.CoordType.WINDOW)
        return e.x, e.y, e.width, e.height

    def low_contrast(self, png, root=None, minimum=4.5):
        """Every label and button showing (under ROOT) whose text has less
        contrast than MINIMUM in the screenshot PNG: [(name, ratio)]; and
        how many were measured."""
        img = read_screenshot(png)
        bad, measured = [], 0
        for n, nm, rl in list(self.named(root)):
            if rl not in ("label", "push button", "toggle button", "heading") or not nm.strip():
                continue
            try:
                x, y, w, h = self.extents(n)
            except Exception:
                continue
            # Partly scrolled out of sight: measured where it shows, inside
            # the window and every scrolled pane around it.
            x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, WIDTH), min(y + h, HEIGHT)
            try:
                p = n.get_parent()
                while p is not None:
                    if p.get_role_name() in ("scroll pane", "viewport"):
                        px, py, pw, ph = self.extents(p)
                        x0, y0 = max(x0, px), max(y0, py)
                        x1, y1 = min(x1, px + pw), min(y1, py + ph)
                    p = p.get_parent()
            except Exception:
                continue
            w, h = x1 - x0, y1 - y0
            if w < 8 or h < 8:
                continue
            r = text_contrast(img, x0, y0, w, h)
            if r is None:
                continue
            measured += 1
            if r[0] < minimum:
                bad.append((nm[:40], round(r[0], 2), r[1], r[2]))
        return bad, measured


@unittest.skipIf(SKIP, SKIP)
class PanelTest(PanelDriver, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_tmp("yamori-panel-")
        # The daemon's own network: what it does to nftables stays there.
        cls.netns = "ymtp%d" % os.getpid()
        subprocess.run(["ip", "netns", "add", cls.netns], check=True)
        cls.addClassCleanup(subprocess.run, ["ip", "netns", "del", cls.netns],
                            capture_output=True)
        subprocess.run(["ip", "netns", "exec", cls.netns, "ip", "link", "set", "lo", "up"],
                       check=True)
        cls.conf = cls.daemon_conf("isolate = nft\n")
        cls.daemon_log = cls.open_log("yamorid.log")
        cls.pcap = os.path.join(cls.make_fixtures(), "home.pcap")
        cls.headless = shared_headless()
        cls.daemon = None
        cls.addClassCleanup(cls.stop_daemon)
        cls.start_daemon()
        cls.panel_log = open(os.path.join(ARTIFACTS, "panel.log"), "w")
        # The household finished the check 40 days ago: Home reminds.
        answered_first_screen(os.path.join(cls.tmp, "config"),
                              "last_check=%d\n" % (time.time() - 40 * 86400))
        cls.panel_env = cls.make_panel_env(os.path.join(cls.tmp, "config"))
        cls.panel_log.write("DISPLAY=%s XAUTHORITY=%s\n" % (
            cls.panel_env.get("DISPLAY"), cls.panel_env.get("XAUTHORITY")))
        cls.panel_log.flush()
        cls.panel = cls.spawn_panel(["--kiosk"], cls.panel_log, cls.panel_env)
        cls.load_atspi()

    @classmethod
    def tearDownClass(cls):
        stop_group(cls.panel)
        cls.panel_log.close()
        cls.stop_daemon()

    @classmethod
    def start_daemon(cls):
        cls.daemon = cls.run_daemon(["-r", cls.pcap, "--state-dir", cls.state,
                                     "-c", cls.conf, "--serve"],
                                    cls.daemon_log, netns=cls.netns)
        cls.wait_serving(cls.daemon, "yamorid.log")

    @classmethod
    def stop_daemon(cls):
        if cls.daemon:
            stop_group(cls.daemon)
            cls.daemon = None

    @classmethod
    def nft_set(cls):
        """The MACs in the daemon's isolation sets, in its namespace."""
        macs = set()
        for family in ("bridge", "inet"):
            r = subprocess.run(["ip", "netns", "exec", cls.netns, "nft", "-j", "list",
                                "set", family, "yamori", "isolated"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                continue
            for item in json.loads(r.stdout)["nftables"]:
                for e in item.get("set", {}).get("elem", []):
                    macs.add(e if isinstance(e, str) else json.dumps(e))
        return macs

    # -- tests ---------------------------------------------------------------

    DUE = "前の点検から、30日より長くたちました。"
    NOT_FOUND = "買ったときのままのパスワードは、見つかっていません。"

    def check_rule_1(self):
        """Issue 19, finding 5: rule 1 never says "all is well" on
        unknown data: three counts, and the model and maker's contact of
        each device whose end of support is unknown (every device of this
        household: the data has no dates for them)."""
        self.find(contains="• 修理や更新が終わった機器は、0台です。")
        self.find(contains="• まだ続いている機器は、0台です。")
        self.find(contains="• わからない機器は、7台です。")
        names = [nm for _, nm, _ in self.named(anywhere=True)]
        self.assertFalse([n for n in names if "大丈夫" in n or "問題はありません" in n],
                         "rule 1 says all is well on unknown data")
        card = self.card("Tapo_C200", "メーカーがいつまで直してくれるか、わかりません。")
        self.assertIn("型番(かたばん)は、C200です。", card)
        self.assertTrue([n for n in card if "https://www.tp-link.com/jp/support/" in n], card)
        self.assertIn("メーカーがいつまで直してくれるか、わかりません。", card)
        # The laptop's maker is not in the data: said, with where to look.
        self.find(name="家守は、メーカーの窓口(まどぐち)を知りません。"
                       "箱や機器に、書いてあることが多いです。", anywhere=True)

    def check_rule_2_before_any_check(self):
        """Finding 1: before any check, rule 2 never says "not found";
        every device, the router too, says it is not checked yet."""
        names = [nm for _, nm, _ in self.named(anywhere=True)]
        self.assertNotIn(self.NOT_FOUND, names)
        self.assertEqual(names.count("まだ、調べていません。"), 7, names)
        self.card("NECのルーター", "まだ、調べていません。")

    def test_1_every_screen(self):
        self.find(name="安心")  # the fixture has only notices
        self.find(contains="お知らせが、7件あります。")
        # Issue 19, finding 10: the last check was 40 days ago.
        self.find(contains=self.DUE)
        self.shot("01-home")
        self.rail("機器")
        self.find(contains="Tapo_C200", role="list item")
        # Issue 19, finding 9: makers as the household reads them (the
        # console has no name: its maker and kind), TP-Link as it is.
        self.find(contains="任天堂のゲーム機", role="list item", anywhere=True)
        self.find(contains="テレビ · ソニー", role="list item", anywhere=True)
        self.find(contains="カメラ · TP-Link", role="list item", anywhere=True)
        self.shot("02-devices")
        self.tap(self.find(contains="Tapo_C200", role="list item"))
        self.find(name="問題", role="heading")
        self.shot("03-device-detail")
        self.rail("点検")
        for i, title in enumerate(["相談できる機器を使う", "初期設定(しょきせってい)に気をつける",
                                   "使わない機器は電源を切る", "手放すときはデータを消す"]):
            self.find(name=title)
            self.find(name="約束 %d / 4" % (i + 1))
            if i == 0:
                self.check_rule_1()
            if i == 1:
                self.check_rule_2_before_any_check()
            self.shot("04-rule-%d" % (i + 1))
            self.press("つぎへ進む")
        self.find(name="点検が終わりました")
        # Finding 10: what is still open (nothing in this household), and
        # the promise, kept: Home no longer reminds once it is finished.
        self.find(name="いま、直すことはありません。")
        self.find(name="30日たったら、家守がお知らせします。")
        self.shot("04-rule-done")
        self.press("終わる")
        self.find(name="点検を始める")
        self.gone(self.DUE)
        self.rail("お知らせ")
        self.find(name=TRUST)
        # The daemon's own message, in Japanese when yamorid runs under a
        # Japanese locale (else its English).
        self.find_any(("」が、つながりました。", "A new device joined your network"))
        self.shot("05-alerts")
        self.rail("設定")
        self.find(name="パスワードの確認")
        self.shot("06-settings")
        self.press("決める")
        self.find(name="暗証番号を決める")
        self.shot("07-pin-pad")
        self.press("何もしない")
        self.rail("いまの様子")

    def test_2_rename_isolate_and_rule_2(self):
        self.rail("機器")
        self.tap(self.find(contains="Tapo_C200", role="list item"))
        self.find(name="問題", role="heading")
        # Rename with a ready name: a kiosk may have no keyboard.
        self.press("名前を変える")
        dialog = self.dialog("名前を変える")
        self.find(contains=TRUST, root=dialog)
        self.press("居間のカメラ", root=dialog)
        self.shot("08-rename-dialog")
        self.press("変える", root=dialog)
        self.find(name="居間のカメラ", role="heading")
        deadline = time.time() + 10
        while True:
            devices = json.loads(self.ctl("devices", "--json").stdout)
            name = {d["mac"]: d["name"] for d in devices}.get(CAMERA)
            if name == "居間のカメラ" or time.time() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(name, "居間のカメラ", "the daemon has the new name")

        # Isolate: a question first, then the daemon really does it.
        self.assertNotIn("isolated", self.flags()[CAMERA])
        self.press("通信を止める")
        question = self.dialog("通信を止めますか。")
        self.find(contains="「居間のカメラ」は、通信できなくなります。", root=question)
        self.find(contains=TRUST, root=question)
        self.shot("09-isolate-question")
        self.press("通信を止める", root=question)
        # The daemon answers once it has checked the kernel's set (~2 s).
        answer, box = self.dialog_of(("通信を、止められませんでした。",
                                      "「居間のカメラ」の通信を、いったん止めました。",
                                      "通信を、止めているところです。"))
        self.find(contains=TRUST, root=box)
        self.shot("10-isolate-answer")
        self.assertEqual(answer, "「居間のカメラ」の通信を、いったん止めました。",
                         "the daemon isolated the camera (see yamorid.log)")
        self.press("閉じる", root=box)
        # The panel shows it stopped, with the way back (below the fold
        # with the larger text the panel starts with).
        self.find(contains="通信を止めています。", anywhere=True)
        self.find(name="もとに戻す", role="push button", anywhere=True)
        self.shot("10b-isolated")
        self.assertIn("isolated", self.flags()[CAMERA], "the daemon flags it")
        self.assertIn(CAMERA, self.nft_set(), "its MAC is in the kernel's set")
        for mac, flags in self.flags().items():
            if mac != CAMERA:
                self.assertNotIn("isolated", flags, mac)

        # Bring it back (no PIN is set here, so no PIN pad).
        self.press("もとに戻す")
        box = self.dialog("通信を、もとに戻しますか。")
        self.find(contains="「居間のカメラ」", root=box)
        self.shot("10c-release-question")
        self.press("もとに戻す", root=box)
        self.find(contains="通信を、もとに戻しました。")  # a toast
        self.find(contains="通信を、いったん止めます。", anywhere=True)
        self.find(name="通信を止める", role="push button", anywhere=True)
        deadline = time.time() + 10
        while "isolated" in self.flags()[CAMERA] and time.time() < deadline:
            time.sleep(0.3)
        self.assertNotIn("isolated", self.flags()[CAMERA], "the flag is gone")
        self.assertNotIn(CAMERA, self.nft_set(), "the kernel's set lets it go")

        # The router: the panel offers no isolation, and the daemon refuses.
        self.rail("機器")
        # Its row is below the fold: bring it into sight as a finger would.
        # The list is rebuilt when the daemon's answers change: a row that
        # went away meanwhile is looked up again.
        # The list is rebuilt when the daemon's data refreshes: a row found
        # may be gone by the time it is scrolled to or touched; find it again.
        for attempt in range(3):
            row = self.find(contains="ルーター", role="list item", anywhere=True)
            try:
                self.scroll_into_view(row)
                if attempt == 0:
                    self.shot("10d-list")
                self.tap(row, across=0.9)  # beside the toast, which may still show
                break
            except self.GLibError:
                if attempt == 2:
                    raise
        self.find(name="名前を変える", role="push button", anywhere=True)
        # One walk over the page; a node that goes away meanwhile (the
        # toast timing out) is skipped, not an error. The same walk must
        # have seen the router's page, so an empty walk cannot pass.
        buttons = [nm for _, nm, rl in self.named(anywhere=True) if rl == "push button"]
        self.assertTrue({"名前を変える", "名前を変える 名前を変える"} & set(buttons),
                        "the walk saw the router's page: %r" % buttons)
        self.assertFalse([nm for nm in buttons if nm in ("通信を止める", "通信を止める 通信を止める")],
                         "the router's page offers to stop it")
        self.shot("10d-router")
        r = self.ctl("isolate", ROUTER)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("router", (r.stdout + r.stderr).lower())
        self.assertNotIn("isolated", self.flags()[ROUTER])
        self.assertNotIn(ROUTER, self.nft_set())

        # Rule 2 to "Done": consent first (the default is to ask).
        self.rail("点検")
        self.find(name="約束 1 / 4")
        self.press("つぎへ進む")
        self.find(name="初期設定(しょきせってい)に気をつける")
        self.press("できました")
        consent = self.dialog("パスワードを調べますか。")
        self.find(contains=TRUST, root=consent)
        self.shot("11-rule-2-consent")
        self.press("調べる", root=consent)
        answers = ("パスワードを、調べられませんでした。", "点検が終わりました。",
                   "買ったときのパスワードのままです。")
        answer, box = self.dialog_of(answers, timeout=90)
        self.find(contains=TRUST, root=box)
        self.shot("12-rule-2-done")
        # This daemon replays a capture: there is no device to reach, and
        # the panel says the check could not be done rather than "no
        # default works" (PanelAuditTest checks real devices).
        self.assertEqual(answer, "パスワードを、調べられませんでした。")
        # Finding 1: every device named with its own result, the router
        # too (it is checked again as well).
        text = " ".join(nm for _, nm, _ in self.named(box, anywhere=True))
        self.assertIn("「居間のカメラ」: うまくいきませんでした。", text)
        self.assertIn("「NECのルーター」: ", text)
        self.assertNotIn(self.NOT_FOUND, text)
        self.press("閉じる", root=box)
        # The page says so per device, never "not found".
        self.find(name="家守は、この機器を調べられませんでした。", anywhere=True)
        names = [nm for _, nm, _ in self.named(anywhere=True)]
        self.assertNotIn(self.NOT_FOUND, names)
        self.assertNotIn("まだ、調べていません。", names)
        self.rail("いまの様子")

    def test_3_touch_targets(self):
        # The panel's own walk over every screen and dialog.
        r = subprocess.run([PANEL, "--kiosk", "--self-test"], env=dict(
            self.panel_env, XDG_CONFIG_HOME=os.path.join(self.tmp, "config-self-test")),
            capture_output=True, text=True, timeout=120)
        print(r.stdout, r.stderr, file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"self-test: [1-9]\d* touch targets checked, 0 problems")
        self.assertNotIn("did not answer", r.stdout)
        # And what a screen reader sees on each screen: a name and room
        # for a finger on every button.
        small = []
        for screen in ("いまの様子", "機器", "点検", "お知らせ", "設定"):
            self.rail(screen)
            time.sleep(0.5)
            checked = 0
            for n, nm, rl in self.named():
                if rl not in ("push button", "toggle button"):
                    continue
                try:
                    e = n.get_extents(self.Atspi.CoordType.WINDOW)
                except Exception:
                    continue  # went away (a toast) while we walked
                checked += 1
                if not nm:
                    small.append("%s: a button without a name" % screen)
                if e.width < 48 or e.height < 48:
                    small.append("%s: %r %dx%d" % (screen, nm, e.width, e.height))
            self.assertGreater(checked, 0, "%s: the walk saw its buttons" % screen)
        self.assertEqual(small, [])
        self.rail("いまの様子")

    def test_4_daemon_stops_and_comes_back(self):
        self.rail("いまの様子")
        # Safe, or Caution when test 2 left a notice (its isolation).
        deadline = time.time() + 15
        while True:
            levels = [nm for _, nm, _ in self.named() if nm in ("安心", "注意", "危険")]
            if levels or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertTrue(levels, "the home page shows the household's state")
        level = levels[0]
        self.stop_daemon()
        self.find(contains=NOT_RUNNING)
        self.find(name="わかりません")
        self.shot("13-not-running")
        self.start_daemon()
        self.find(name=level, timeout=20)
        self.gone(NOT_RUNNING, timeout=20)
        self.rail("機器")
        self.find(contains="BRAVIA", role="list item")
        self.rail("いまの様子")

    def test_6_what_is_this(self):
        """Item 8 of issue 12: the device page offers "What is this?"; the
        kind chosen reaches the daemon and shows as the household's word."""
        pc = "ac:ed:5c:70:70:ab"
        self.rail("機器")
        row = self.find(contains="taro-laptop", role="list item", anywhere=True)
        self.scroll_into_view(row)
        self.tap(row, across=0.9)
        self.find(name="問題", role="heading")
        self.press("種類を教える")
        dialog = self.dialog("これは何ですか")
        self.find(contains=TRUST, root=dialog)
        self.shot("16-what-is-this")
        self.press("プリンター", root=dialog)
        self.press("教える", root=dialog)
        self.find(name="あなたが、プリンターだと教えてくれました。", anywhere=True)
        # The traffic still reads as a computer: said, not hidden.
        self.find(name="通信からは、パソコンのように見えます。", anywhere=True)
        self.shot("17-told-by-household")
        deadline = time.time() + 10
        while True:
            devices = json.loads(self.ctl("devices", "--json").stdout)
            dev = {d["mac"]: d for d in devices}[pc]
            if dev["type"] == "printer" or time.time() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(dev["type"], "printer")
        self.assertIn("household", [e["signal"] for e in dev["evidence"]])
        self.assertEqual(self.ctl("kind", pc, "none").returncode, 0)
        # Offered first: what the traffic and the maker point to (the
        # daemon's "maybe"), kinds the short list lacks among them. The
        # camera is a camera by its traffic; TP-Link also makes doorbells
        # and smart home hubs, which the short list does not show.
        cam = {d["mac"]: d for d in devices}["d0:37:45:8e:31:c2"]
        self.assertEqual(cam["maybe"][0], "camera")
        self.assertIn("doorbell", cam["maybe"])
        self.assertNotIn("router", cam["maybe"])
        # By the household's name when an earlier test renamed it.
        self.open_device(cam["name"])
        self.press("種類を教える")
        dialog = self.dialog("これは何ですか")
        self.find(name="通信とメーカーから、このどれかだと思います。", root=dialog)
        self.find(name="ほかの種類", root=dialog, anywhere=True)
        self.find(name="玄関のチャイム", role="push button", root=dialog, anywhere=True)
        self.find(name="家電をつなぐ機器", role="push button", root=dialog, anywhere=True)
        # Each kind once: the camera is offered, not listed again.
        buttons = [nm for _, nm, rl in self.named(root=dialog, anywhere=True)
                   if rl == "push button"]
        self.assertEqual(buttons[0], "カメラ", buttons)
        self.assertEqual(buttons.count("カメラ"), 1, buttons)
        # No router among the offered (it does not route): it stays in
        # the short list, after the offered kinds, once.
        self.assertEqual(buttons.count("ルーター"), 1, buttons)
        self.assertGreater(buttons.index("ルーター"), buttons.index("玄関のチャイム"))
        self.assertGreater(buttons.index("ルーター"), buttons.index("スピーカー"))
        self.shot("18-what-is-this-offered")
        self.press("何もしない", root=dialog)
        self.rail("いまの様子")

    def test_5_settings_live_in_the_daemon(self):
        def choose(n, name):
            # The isolation policy's buttons come after the password
            # check's, with the same names.
            self.find(name="パスワードの確認")
            # GTK 4.8 calls toggle buttons "push button".
            buttons = [b for b, nm, rl in self.named(anywhere=True)
                       if rl in ("push button", "toggle button") and nm == name]
            self.assertEqual(len(buttons), 2, "%r twice on the settings page" % name)
            buttons[n].do_action(0)

        def daemon_holds(value):
            deadline = time.time() + 10
            while True:
                held = self.api("settings")["auto_isolate"]
                if held == value or time.time() > deadline:
                    break
                time.sleep(0.3)
            self.assertEqual(held, value, "the daemon holds the panel's choice")

        self.rail("設定")
        # About: the data in use (the packaged data: no update yet).
        self.find(contains="データ: はじめのままです。", anywhere=True)
        choose(1, "する")
        daemon_holds("critical")
        self.shot("14-settings-auto-isolate")
        choose(1, "毎回聞く")
        daemon_holds("ask")
        # Issue 19, finding 1: with the checks off, rule 2 says so and
        # never "not found"; there is nothing to press to check.
        choose(0, "しない")
        deadline = time.time() + 10
        while self.api("settings")["audit"] != "off" and time.time() < deadline:
            time.sleep(0.3)
        self.rail("点検")
        for _ in range(5):
            shown = [nm for _, nm, _ in self.named()]
            if "初期設定(しょきせってい)に気をつける" in shown:
                break
            self.press("つぎへ進む" if "約束 1 / 4" in shown else "もどる")
        self.find(name="初期設定(しょきせってい)に気をつける")
        self.find(name="パスワードの確認は、止めています。")
        names = [nm for _, nm, rl in self.named(anywhere=True)]
        self.assertNotIn(PanelTest.NOT_FOUND, names)
        self.assertNotIn("できました", names)
        self.shot("15-rule-2-checks-off")
        self.rail("設定")
        choose(0, "毎回聞く")
        deadline = time.time() + 10
        while self.api("settings")["audit"] != "ask" and time.time() < deadline:
            time.sleep(0.3)
        self.assertEqual(self.api("settings")["audit"], "ask")
        self.rail("いまの様子")

    def open_device(self, contains):
        """The page of the device whose row says CONTAINS."""
        for attempt in range(3):
            self.rail("機器")
            # Back to the list when a device's page shows.
            for n, nm, rl in list(self.named()):
                if rl == "push button" and nm == "もどる":
                    n.do_action(0)
                    time.sleep(0.6)
                    break
            # The devices list's row: rows of hidden pages (an alert that
            # names the device) have no size.
            rows = [n for n, nm, rl in self.named(anywhere=True)
                    if rl == "list item" and contains in nm and self.extents(n)[2] > 0]
            if not rows:
                time.sleep(0.5)
                continue
            try:
                self.scroll_into_view(rows[0])
                self.tap(rows[0], across=0.9)
            except self.GLibError:
                # The list was rebuilt (a device changed) while we walked.
                time.sleep(0.5)
                continue
            deadline = time.time() + 10
            while time.time() < deadline:
                # The page may open scrolled: its heading has a size, not
                # necessarily a place on the screen.
                if any(nm == "問題" and rl == "heading" and self.extents(n)[2] > 0
                       for n, nm, rl in self.named(anywhere=True)):
                    return
                time.sleep(0.3)
        self.shot("open-device-failed")
        self.fail("the page of %r did not open" % contains)

    def test_7_buttons_say_what_they_do(self):
        """Issue 19 item 7: the stop question pairs 何もしない with 通信を止める
        (never やめる with 止める), red only in danger, the window behind
        dimmed; a forgotten PIN has a way back (--forget-pin)."""
        self.open_device("BRAVIA")
        stop = self.find(name="通信を止める", role="push button", anywhere=True)
        self.scroll_into_view(stop)
        before = read_screenshot(self.shot("30-healthy-device"))
        x, y, w, h = self.extents(stop)
        # A healthy device: its stop button is not a red alarm.
        bg = dominant(before, x, y, w, h)
        self.assertFalse(reddish(bg), "a red stop button on a healthy device: %r" % (bg,))
        stop.do_action(0)
        question = self.dialog("通信を止めますか。")
        self.assertEqual(sorted(self.buttons_in(question)), sorted(["何もしない", "通信を止める"]))
        self.find(contains=TRUST, root=question)
        after = read_screenshot(self.shot("31-stop-question-healthy"))
        go = self.find(name="通信を止める", role="push button", root=question)
        bg = dominant(after, *self.extents(go))
        self.assertFalse(reddish(bg), "the question's button is red on a healthy device: %r" % (bg,))
        # The window behind is dimmed: measured beside the dialog.
        dx, dy, dw, dh = self.extents(question)
        area = (dx + dw, 0, WIDTH - dx - dw, HEIGHT) if dx + dw < WIDTH - 40 else \
            (0, dy + dh, WIDTH, HEIGHT - dy - dh)
        self.assertGreater(area[2] * area[3], 0, "the dialog covers the screen")
        self.assertLess(mean_luminance(after, *area), 0.7 * mean_luminance(before, *area),
                        "the window behind the question is not dimmed")
        self.press("何もしない", root=question)
        self.assertNotIn("isolated", self.flags()[BRAVIA])

        # A PIN, then the PIN pad: the trust line there is true (it asks
        # for a PIN), and it says where to turn when the PIN is forgotten.
        self.rail("設定")
        self.press("決める")
        choose = self.dialog("暗証番号を決める")
        self.assertFalse([t for t in self.texts_in(choose) if TRUST in t],
                         "the PIN pad says it never asks for passwords")
        self.find(contains=TRUST_PIN, root=choose)
        for d in "2468":
            self.press(d, root=choose)
        self.press("進む", root=choose)
        again = self.dialog("もう一度、入れる")
        for d in "2468":
            self.press(d, root=again)
        self.press("進む", root=again)
        box = self.dialog("暗証番号を、決めました。")
        self.press("閉じる", root=box)
        self.open_device("BRAVIA")
        self.press("止めない")
        pad = self.dialog("暗証番号を入れる")
        self.find(contains=FORGOT_PIN, root=pad)
        self.find(contains=TRUST_PIN, root=pad)
        self.shot("32-pin-pad-check")
        self.fits_screen(pad)
        self.press("何もしない", root=pad)
        # The recovery the seller follows (docs/PIN.md): run as the panel's
        # user on the box, it forgets the PIN and keeps the rest.
        conf = os.path.join(self.tmp, "config", "yamori-panel", "panel.conf")
        deadline = time.time() + 10
        def read(path):
            with open(path) as f:
                return f.read()
        while "pin_hash" not in read(conf) and time.time() < deadline:
            time.sleep(0.2)
        self.assertIn("pin_hash", read(conf))
        other = os.path.join(self.tmp, "config-forget")
        os.makedirs(os.path.join(other, "yamori-panel"), exist_ok=True)
        shutil.copy(conf, os.path.join(other, "yamori-panel", "panel.conf"))
        r = subprocess.run([PANEL, "--forget-pin"], capture_output=True, text=True,
                           env=dict(os.environ, XDG_CONFIG_HOME=other), timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        kept = read(os.path.join(other, "yamori-panel", "panel.conf"))
        self.assertNotIn("pin_hash", kept)
        self.assertNotIn("pin_salt", kept)
        self.assertIn("text_size", kept)
        self.assertEqual(os.stat(os.path.join(other, "yamori-panel", "panel.conf")).st_mode & 0o777,
                         0o600)
        # The running panel's PIN goes the household's way.
        self.rail("設定")
        self.press("番号をやめる")
        pad = self.dialog("暗証番号を入れる")
        for d in "2468":
            self.press(d, root=pad)
        self.press("進む", root=pad)
        self.find(name="決める", role="push button", anywhere=True)
        self.rail("いまの様子")

    def test_8_readable(self):
        """Issue 19 item 8: larger text by default, each size on record, and
        WCAG AA contrast (4.5:1) of every label and button measured in
        screenshots of every screen."""
        self.rail("設定")
        heading = self.find(name="パスワードの確認")
        default_h = self.extents(heading)[3]
        large = self.find(name="大きい", anywhere=True)
        states = large.get_state_set()
        self.assertTrue(states.contains(self.Atspi.StateType.CHECKED) or
                        states.contains(self.Atspi.StateType.PRESSED),
                        "the larger text is not the default")
        heights = {}
        for size, name in (("ふつう", "normal"), ("もっと大きい", "largest"), ("大きい", "large")):
            self.press(size)
            time.sleep(0.5)
            self.rail("いまの様子")
            self.press("点検を始める")
            self.find(name="約束 1 / 4")
            self.shot("40-text-%s-rule-1" % name)
            self.rail("設定")
            heights[name] = self.extents(self.find(name="パスワードの確認", anywhere=True))[3]
            self.shot("40-text-%s-settings" % name)
        self.assertGreater(default_h, heights["normal"], heights)
        self.assertEqual(default_h, heights["large"], heights)
        self.assertGreater(heights["largest"], heights["large"], heights)

        # Contrast on every screen, at the size the panel starts with.
        bad, measured = [], 0
        screens = [("いまの様子", "いまの様子", None), ("機器", "機器", None),
                   ("お知らせ", "お知らせ", None), ("設定", "設定", None)]
        for rail, tag, _ in screens:
            self.rail(rail)
            b, m = self.low_contrast(self.shot("41-contrast-" + {
                "いまの様子": "home", "機器": "devices", "お知らせ": "alerts",
                "設定": "settings"}[rail]))
            bad += [(tag,) + x for x in b]
            measured += m
        self.rail("いまの様子")
        self.press("点検を始める")
        for i in range(4):
            self.find(name="約束 %d / 4" % (i + 1))
            b, m = self.low_contrast(self.shot("41-contrast-rule-%d" % (i + 1)))
            bad += [("rule %d" % (i + 1),) + x for x in b]
            measured += m
            self.press("つぎへ進む")
        self.press("終わる")
        self.open_device("BRAVIA")
        b, m = self.low_contrast(self.shot("41-contrast-device"))
        bad += [("device",) + x for x in b]
        measured += m
        self.press("通信を止める")
        question = self.dialog("通信を止めますか。")
        b, m = self.low_contrast(self.shot("41-contrast-question"), root=question)
        bad += [("question",) + x for x in b]
        measured += m
        self.press("何もしない", root=question)
        self.assertGreater(measured, 60, "the walk measured the screens")
        self.assertEqual(bad, [], "text under 4.5:1")
        self.rail("いまの様子")

    def test_9_words(self):
        """Issue 19 item 9: no telnet/FTP/IP/MAC on the pages a household
        reads (they are under 詳しく); the trust line on rule 2, the device
        page's password row and Settings (J11); every button a verb (J12)."""
        self.open_device("BRAVIA")
        self.find(contains="メーカー: ソニー", anywhere=True)
        shown = [nm for _, nm, _ in self.named(anywhere=False) if nm]
        for word in ("telnet", "FTP", "IP", "MAC"):
            self.assertFalse([t for t in shown if word in t], "%s on the device page" % word)
        self.find(contains=TRUST, anywhere=True)
        details = self.find(name="詳しく", anywhere=True)
        self.scroll_into_view(details)
        self.tap(details, across=0.2)
        self.find(contains=BRAVIA, anywhere=True)  # the MAC, under 詳しく
        self.rail("設定")
        self.find(contains=TRUST_PIN)
        self.rail("いまの様子")
        self.press("点検を始める")
        self.press("つぎへ進む")
        self.find(name="初期設定(しょきせってい)に気をつける")
        self.find(contains=TRUST, anywhere=True)
        self.press("もどる")
        # Every button on every screen is a verb.
        nouns = set()
        for screen in RAIL:
            self.rail(screen)
            time.sleep(0.5)
            for name in self.buttons_in(self.app()):
                if name and name not in RAIL + CHOICES and not name.endswith(VERB_ENDINGS) \
                        and not name.isdigit():
                    nouns.add(name)
        self.assertEqual(nouns, set(), "buttons that are not verbs")
        self.rail("いまの様子")


@unittest.skipIf(SKIP, SKIP)
class PanelRulesTest(PanelDriver, unittest.TestCase):
    """Rules 3 and 4 over a household a month on, in short: the fixture's
    devices, then two days in which only a door lock (the household says
    what it is) chatters; with idle_days = 1 every device but the router
    is idle. Rule 3 asks about the lock and checks that a switched-off TV
    went quiet; rule 4 shows how to erase first, marks only after, keeps
    a given-away list with undo, and includes the router."""

    LOCK = "24:6f:28:00:00:77"
    LOCK_NAME = "玄関の鍵"
    TV_NAME = "居間のテレビ"
    ROUTER_NAME = "家のルーター"

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("yamori-panel-rules-")
        fixtures = cls.make_fixtures()
        later = os.path.join(fixtures, "two-days-later.pcap")
        idle_pcap(later, cls.LOCK, "192.168.10.77", ROUTER, "192.168.10.1",
                  calendar.timegm((2026, 11, 1, 11, 0, 0)), 2)
        cls.start_serving_daemon(["-r", os.path.join(fixtures, "home.pcap"), "-r", later],
                                 "idle_days = 1\nisolate = none\n", "yamorid-rules.log")
        for args in (("kind", cls.LOCK, "lock"), ("rename", cls.LOCK, cls.LOCK_NAME),
                     ("rename", BRAVIA, cls.TV_NAME), ("rename", ROUTER, cls.ROUTER_NAME)):
            r = cls.ctl(*args)
            assert r.returncode == 0, r.stderr
        # Quiet for two seconds counts here: a replay sees no new packet,
        # so the answer cannot depend on it.
        cls.start_panel("panel-rules.log", YAMORI_PANEL_QUIET_SECONDS="2")
        cls.load_atspi()

    @classmethod
    def all_flags(cls):
        r = cls.ctl("devices", "--all", "--json")
        assert r.returncode == 0, r.stderr
        return {d["mac"]: d["flags"] for d in json.loads(r.stdout)}

    def to_rule(self, n):
        self.rail("いまの様子")
        self.press("点検を始める")
        self.find(name="約束 1 / 4")
        for _ in range(n - 1):
            self.press("つぎへ進む")
        self.find(name="約束 %d / 4" % n)

    def test_3_idle_asks_about_a_lock_and_checks_quiet(self):
        self.assertIn("idle", self.flags()[self.LOCK], "the fixture's lock is idle")
        self.to_rule(3)
        lock = self.card_node(self.LOCK_NAME)
        texts = " ".join(self.texts_in(lock))
        # A lock works without traffic: asked, never told to switch off.
        self.assertIn("この機器を、使っていますか。", texts)
        self.assertNotIn("電源を切", texts)
        self.assertEqual(sorted(self.buttons_in(lock)), sorted(["使っています", "使っていません"]))
        self.shot("50-rule-3-lock-asked")
        self.press("使っていません", root=lock)
        lock = self.card_node(self.LOCK_NAME)
        self.find(contains="取り付けた人に相談してください。", root=lock, anywhere=True)
        texts = " ".join(self.texts_in(lock))
        self.assertNotIn("電源を切", texts)
        self.assertEqual(self.buttons_in(lock), [])
        self.shot("51-rule-3-lock-not-used")

        # A TV's use shows in its traffic: told, then checked.
        tv = self.card_node(self.TV_NAME)
        self.press("切りました", root=tv)
        tv = self.card_node(self.TV_NAME)
        self.find(contains="通信が止まるか、確かめています。", root=tv, anywhere=True)
        self.assertNotIn("ありがとうございます。", " ".join(self.texts_in(tv)))
        self.shot("52-rule-3-checking")
        # Nothing came from it since: said only once checked.
        self.find(contains="通信が止まったのを、確かめました。", anywhere=True, timeout=30)
        self.shot("53-rule-3-quiet")
        self.rail("いまの様子")

    def test_4_give_away_erase_first_then_undo(self):
        self.to_rule(4)
        router = self.card_node(self.ROUTER_NAME)
        self.find(contains="借りたルーターを返すときも、消してください。", root=router, anywhere=True)
        self.press("手放す", root=router)
        # The steps first, and nothing marked yet.
        self.find(name="初期化(しょきか)のやり方", anywhere=True)
        self.find(contains="1. ", anywhere=True)
        self.shot("54-rule-4-steps")
        self.assertNotIn("retired", self.all_flags()[ROUTER])
        self.press("データを消しました")
        deadline = time.time() + 10
        while "retired" not in self.all_flags()[ROUTER] and time.time() < deadline:
            time.sleep(0.2)
        self.assertIn("retired", self.all_flags()[ROUTER], "marked once erased")
        # The given-away list keeps it, with its steps and the way back.
        self.find(name="手放した機器", anywhere=True)
        gone = self.card_node(self.ROUTER_NAME)
        self.assertIn("もとに戻す", self.buttons_in(gone))
        self.assertIn("初期化(しょきか)のやり方", self.texts_in(gone))
        self.shot("55-rule-4-given-away")
        self.press("もとに戻す", root=gone)
        deadline = time.time() + 10
        while "retired" in self.all_flags()[ROUTER] and time.time() < deadline:
            time.sleep(0.2)
        self.assertNotIn("retired", self.all_flags()[ROUTER], "undone")
        self.gone("手放した機器")

        # From a device's page: the steps first too; 何もしない marks nothing.
        self.rail("機器")
        row = self.find(contains=self.TV_NAME, role="list item", anywhere=True)
        self.scroll_into_view(row)
        self.tap(row, across=0.9)
        self.find(name="問題", role="heading")
        self.press("手放す")
        box = self.dialog("「%s」のデータの消し方" % self.TV_NAME)
        self.find(contains="初期化(しょきか)のやり方", root=box)
        self.shot("56-device-give-away-steps")
        self.assertEqual(sorted(self.buttons_in(box)), sorted(["何もしない", "データを消しました"]))
        self.press("何もしない", root=box)
        self.assertNotIn("retired", self.all_flags()[BRAVIA])
        self.rail("いまの様子")


@unittest.skipIf(SKIP, SKIP)
class PanelDangerTest(PanelDriver, unittest.TestCase):
    """Issue 19 on a household in danger: the plug floods (dos_attack,
    critical: the daemon marks it suspicious), then, ten days later, an
    extender answers telnet and the NAS FTP (risky_service, warnings) and
    two new devices join (notices, newer than the danger). yamorid replays
    both captures with isolate = none (nothing to cut off here) and keeps
    serving; the panel runs as in PanelTest."""

    PLUG = "24:6f:28:3a:1f:2c"
    PLUG_NAME = "ESP_3A1F2C"

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("yamori-panel-danger-")
        fixtures = cls.make_fixtures("mkattacks.py")

        def replayed():
            r = cls.ctl("alerts", "--json")
            return r.returncode == 0 and {"dos_attack", "risky_service"} <= {
                a["kind"] for a in json.loads(r.stdout or "[]")}

        cls.start_serving_daemon(["-r", os.path.join(fixtures, "dos_syn_flood.pcap"),
                                  "-r", os.path.join(fixtures, "risky_service.pcap")],
                                 "isolate = none\n", "yamorid-danger.log",
                                 ready=replayed, timeout=60, step=0.3, what="replay")
        cls.start_panel("panel-danger.log")
        cls.load_atspi()

    def severities(self):
        """The alerts' severity words, top to bottom, as listed."""
        rows = []
        for row, _, rl in self.named(anywhere=True):
            if rl != "list item":
                continue
            try:
                e = row.get_extents(self.Atspi.CoordType.WINDOW)
            except Exception:
                continue
            if e.width <= 0 or e.height <= 0:
                continue  # a row of a page not shown
            words = [nm for _, nm, r in self.named(row, anywhere=True)
                     if r == "label" and nm in ("危険", "注意", "お知らせ")]
            if words:
                rows.append((e.y, words[0]))
        return [nm for _, nm in sorted(rows)]

    def test_1_danger_stays_until_fixed(self):
        """Finding 2: Home shows the worst of alerts and devices; alerts
        sort by severity; a danger is fixed or put off with a reason."""
        self.rail("いまの様子")
        self.find(name="危険")
        self.find(contains="「%s」: 危険" % self.PLUG_NAME)
        self.shot("30-danger-home")
        self.rail("お知らせ")
        self.find(name=TRUST)
        order = []
        deadline = time.time() + 15
        while len(order) < 3 and time.time() < deadline:
            order = self.severities()
            time.sleep(0.3)
        self.assertGreaterEqual(len(order), 3, order)
        self.assertEqual(order[0], "危険", order)
        rank = {"危険": 0, "注意": 1, "お知らせ": 2}
        self.assertEqual(order, sorted(order, key=rank.get), "sorted by severity")
        # The danger offers "fix" and "put off", never just "read".
        self.find(name="直す", role="push button")
        self.shot("31-danger-alerts")
        self.press("あとにする")
        box = self.dialog("なぜ、あとにしますか。")
        self.find(contains=TRUST, root=box)
        # A touch (GTK 4.8 gives check buttons no at-spi action).
        self.tap(self.find(name="あとで直します。", root=box))
        self.shot("32-danger-put-off")
        self.press("あとにする", root=box)
        deadline = time.time() + 10
        while True:
            alerts = json.loads(self.ctl("alerts", "--json").stdout)
            state = [a["state"] for a in alerts if a["kind"] == "dos_attack"]
            if state == ["acknowledged"] or time.time() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(state, ["acknowledged"])
        log = json.loads(self.ctl("log", "--json").stdout)
        put_off = [e for e in log if e["kind"] == "alert_put_off"]
        self.assertEqual([(e["mac"], e["detail"]["reason"]) for e in put_off],
                         [(self.PLUG, "later")])
        self.assertIn("suspicious", self.flags()[self.PLUG])
        # Put off for later, the plug is still suspicious: Home stays 危険.
        self.rail("いまの様子")
        self.find(name="危険")
        self.find(name="危険な機器があります。すぐに見てください。")
        self.assertFalse([nm for _, nm, _ in self.named() if nm == "安心"])
        self.shot("33-danger-home-after-put-off")
        # The way to fix it: Home opens the device.
        self.press("機器を見る")
        self.find(name=self.PLUG_NAME, role="heading")

    def test_2_errors_in_japanese(self):
        """Finding 6: a daemon error is told by its code in Japanese, with
        a step the household can take (here isolation is off in the
        config: the settings cannot change it)."""
        self.rail("機器")
        row = self.find(contains=self.PLUG_NAME, role="list item", anywhere=True)
        self.scroll_into_view(row)
        self.tap(row, across=0.9)
        self.find(name=self.PLUG_NAME, role="heading")
        stop = self.find_any(("通信を止める", "止める"), anywhere=True)
        stop.do_action(0)
        time.sleep(0.4)
        name, question = self.dialog_of(("通信を止めますか。",))
        for label in ("通信を止める", "止める"):
            buttons = [n for n, nm, rl in self.named(question, anywhere=True)
                       if rl == "push button" and nm in (label, label + " " + label)]
            if buttons:
                buttons[0].do_action(0)
                break
        answer, box = self.dialog_of(("通信を、止められませんでした。",
                                      "「%s」の通信を、いったん止めました。" % self.PLUG_NAME))
        self.shot("34-error-isolate-off")
        self.assertEqual(answer, "通信を、止められませんでした。")
        text = " ".join(nm for _, nm, _ in self.named(box, anywhere=True))
        self.assertIn("この箱は、機器の通信を止められません。", text)
        self.assertIn("いまは、機器の電源を切ってください。", text)
        self.assertNotRegex(text, r"isolat|none|[Ee]rror", "English from the daemon")
        self.press("閉じる", root=box)

    def test_3_the_rules_say_what_to_do(self):
        """Findings 5, 6 and 10 on this household: rule 1's counts; rule 2
        names the telnet/FTP devices with the maker's contact and says the
        household may not close that way in, offering to stop it; the end
        counts what is left."""
        self.rail("点検")
        self.find(name="約束 1 / 4")
        self.find(contains="• わからない機器は、9台です。")
        self.card(self.PLUG_NAME, "何の機器か、家守に教えてください。")
        self.press("つぎへ進む")
        self.find(name="初期設定(しょきせってい)に気をつける")
        lines = self.card("DiskStation", "ほかの人が使える入り口が、開いています。")
        self.assertIn("自分では、閉じられないことがあります。", lines)
        self.assertTrue([n for n in lines if "https://www.synology.com/ja-jp/support" in n], lines)
        self.assertTrue([n for n in lines if "メーカーに、閉じ方を聞きます。" in n], lines)
        self.find(name="通信を止める", role="push button", anywhere=True)
        self.shot("35-rule-2-telnet")
        self.press("つぎへ進む")
        self.press("つぎへ進む")
        self.press("つぎへ進む")
        self.find(name="点検が終わりました")
        # The two open ways in, and the plug that is still suspicious.
        self.find(name="まだ直すことが、3件あります。")
        lines = [nm for _, nm, _ in self.named(anywhere=True)]
        self.assertTrue([n for n in lines if "「DiskStation」: ほかの人が使える入り口が" in n], lines)
        self.assertTrue([n for n in lines if "「%s」: " % self.PLUG_NAME in n], lines)
        self.shot("36-rule-done-open-items")
        self.press("終わる")

    def test_4_the_household_knows_why(self):
        """Finding 2, the other reason: "I know why; I did it myself"
        takes the device's danger mark off (the household's word), and
        Home leaves 危険 (the open ways in keep it at 注意)."""
        alert = [a for a in json.loads(self.ctl("alerts", "--json").stdout)
                 if a["kind"] == "dos_attack"][0]
        self.api("acknowledge", {"id": alert["id"], "reason": "expected"})
        deadline = time.time() + 10
        while "suspicious" in self.flags()[self.PLUG] and time.time() < deadline:
            time.sleep(0.3)
        self.assertNotIn("suspicious", self.flags()[self.PLUG])
        self.rail("いまの様子")
        # The panel asks the daemon again every 30 s, or on an event.
        self.find(name="注意", timeout=45)
        self.assertFalse([nm for _, nm, _ in self.named() if nm == "危険"])
        log = json.loads(self.ctl("log", "--json").stdout)
        self.assertEqual([e["detail"]["reason"] for e in log if e["kind"] == "alert_put_off"],
                         ["later", "expected"])


@unittest.skipIf(SKIP, SKIP)
class PanelAuditTest(PanelDriver, unittest.TestCase):
    """Rule 2 from the panel against a real device: a camera in its own
    namespace (BusyBox telnetd and login, root on a factory password from
    Mirai's list)
    on a bridge where yamorid captures live with audit = ask. The household
    taps the device's Check, agrees, and is told the password is still the
    one it came with; the daemon flags it. After the password is changed, a
    second Check says no device opened, and the flag goes."""

    MAC = "02:36:00:00:00:20"
    NAME = "書斎のカメラ"
    HOSTILE = "02:36:00:00:00:21"
    HOSTILE_NAME = "物置の箱"
    NOT_FOUND = "買ったときのままのパスワードは、見つかっていません。"
    FOUND = "買ったときのパスワードのままです。"
    DONE = "点検が終わりました。"
    FAILED = "パスワードを、調べられませんでした。"

    @classmethod
    def setUpClass(cls):
        from test_audit import private_accounts, telnetd_command
        cls.private_accounts = staticmethod(private_accounts)
        cls.make_tmp("yamori-panel-audit-")
        pid = os.getpid()
        box, dev = "ymtpa-box%d" % pid, "ymtpa-dev%d" % pid
        hostile = "ymtpa-hos%d" % pid
        for ns in (box, dev, hostile):
            subprocess.run(["ip", "netns", "add", ns], check=True)
            cls.addClassCleanup(subprocess.run, ["ip", "netns", "del", ns], capture_output=True)
        for cmd in (["-n", box, "link", "add", "br0", "type", "bridge"],
                    ["-n", box, "addr", "add", "10.236.0.1/24", "dev", "br0"],
                    ["-n", box, "link", "set", "br0", "up"],
                    ["-n", box, "link", "set", "lo", "up"],
                    ["-n", box, "link", "add", "vb", "type", "veth", "peer", "name", "vd",
                     "netns", dev],
                    ["-n", box, "link", "set", "vb", "master", "br0", "up"],
                    ["-n", dev, "link", "set", "vd", "address", cls.MAC, "up"],
                    ["-n", dev, "addr", "add", "10.236.0.20/24", "dev", "vd"],
                    ["-n", dev, "link", "set", "lo", "up"],
                    # A second device that answers every way in badly
                    # (audit_hostile_server.py): its check ends in errors.
                    ["-n", box, "link", "add", "vh", "type", "veth", "peer", "name", "vd",
                     "netns", hostile],
                    ["-n", box, "link", "set", "vh", "master", "br0", "up"],
                    ["-n", hostile, "link", "set", "vd", "address", cls.HOSTILE, "up"],
                    ["-n", hostile, "addr", "add", "10.236.0.21/24", "dev", "vd"],
                    ["-n", hostile, "link", "set", "lo", "up"]):
            subprocess.run(["ip"] + cmd, check=True)
        bad = subprocess.Popen(["ip", "netns", "exec", hostile, sys.executable,
                                os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "audit_hostile_server.py"),
                                "10.236.0.21", "--lifetime", "600"],
                               start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        cls.addClassCleanup(stop_group, bad)
        # The camera: BusyBox telnetd and login, root with the factory
        # password (from Mirai's list), in a private passwd/shadow.
        cls.dev_dir = os.path.join(cls.tmp, "camera")
        os.makedirs(cls.dev_dir)
        binds = cls.set_password("xc3511")
        telnetd = subprocess.Popen(["ip", "netns", "exec", dev, "unshare", "-m", "--propagation",
                                    "private", "sh", "-c",
                                    binds + telnetd_command(cls.dev_dir, "10.236.0.20")],
                                   start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        cls.addClassCleanup(stop_group, telnetd)
        # The daemon, live on the bridge.
        conf = cls.daemon_conf("audit = ask\ncommit_interval = 1\n")
        os.makedirs(cls.state)
        daemon = cls.run_daemon(["-i", "br0", "--state-dir", cls.state, "-c", conf],
                                cls.open_log("yamorid-audit.log"), netns=box)
        cls.addClassCleanup(stop_group, daemon)
        deadline = time.time() + 30

        def learned(mac, addr):
            # Its IPv4 address, not only its MAC (IPv6 neighbour discovery
            # may come first): the check needs the address.
            devices = json.loads(cls.ctl("devices", "--json").stdout or "[]")
            return any(d["mac"] == mac and addr in json.dumps(d) for d in devices)

        for ns, mac, addr in ((dev, cls.MAC, "10.236.0.20"),
                              (hostile, cls.HOSTILE, "10.236.0.21")):
            while not learned(mac, addr):
                if time.time() > deadline or daemon.poll() is not None:
                    raise RuntimeError("yamorid did not learn %s (see yamorid-audit.log)" % mac)
                subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1",
                                "10.236.0.1"], capture_output=True)
                time.sleep(0.3)
        for mac, name in ((cls.MAC, cls.NAME), (cls.HOSTILE, cls.HOSTILE_NAME)):
            r = cls.ctl("rename", mac, name)
            assert r.returncode == 0, r.stderr
        # The panel.
        cls.start_panel("panel-audit.log")
        cls.load_atspi()

    @classmethod
    def set_password(cls, password):
        """root's password on the camera; the bind-mount words."""
        return cls.private_accounts(cls.dev_dir, {"root": password})

    def check_from_the_device_page(self):
        """Check on the camera's page, agree; the answer's (heading, box)."""
        self.rail("機器")
        self.tap(self.find(contains=self.NAME, role="list item", timeout=30))
        self.find(name=self.NAME, role="heading")
        self.press("調べる")
        consent = self.dialog("パスワードを調べますか。")
        self.find(contains=TRUST, root=consent)
        self.press("調べる", root=consent)
        return self.dialog_of((self.FOUND, self.DONE, self.FAILED), timeout=120)

    def card(self, name, line, timeout=15):
        return PanelTest.card(self, name, line, timeout)

    def test_1_found_then_changed(self):
        # Rule 2 first (issue 19, finding 1): nothing checked yet, and
        # never "not found"; "Done" checks every device.
        self.rail("点検")
        self.find(name="約束 1 / 4")
        self.press("つぎへ進む")
        self.find(name="初期設定(しょきせってい)に気をつける")
        self.card(self.NAME, "まだ、調べていません。")
        self.card(self.HOSTILE_NAME, "まだ、調べていません。")
        self.assertNotIn(self.NOT_FOUND, [nm for _, nm, _ in self.named(anywhere=True)])
        self.press("できました")
        consent = self.dialog("パスワードを調べますか。")
        self.press("調べる", root=consent)
        answer, box = self.dialog_of((self.FOUND, self.DONE, self.FAILED), timeout=180)
        self.shot("20-audit-found")
        # The other device's errors do not hide the camera's factory
        # password, and each result names its device.
        self.assertEqual(answer, self.FOUND, "the factory password was found (see yamorid-audit.log)")
        self.find(contains=TRUST, root=box)
        text = " ".join(nm for _, nm, _ in self.named(box, anywhere=True))
        self.assertIn("「%s」: パスワードが、買ったときのままです。" % self.NAME, text)
        self.assertIn("「%s」: 家守は、この機器を調べられませんでした。" % self.HOSTILE_NAME, text)
        self.press("閉じる", root=box)
        self.assertIn("default_password", self.flags()[self.MAC])
        # The page, per device: the camera's factory password with its
        # next step; the other could not be checked; never "not found".
        self.card(self.NAME, "パスワードが、買ったときのままです。")
        self.card(self.HOSTILE_NAME, "家守は、この機器を調べられませんでした。")
        self.assertNotIn(self.NOT_FOUND, [nm for _, nm, _ in self.named(anywhere=True)])
        self.shot("20b-rule-2-per-device")
        # Finding 10: the end says what is still open, the camera first.
        for _ in range(3):
            self.press("つぎへ進む")
        self.find(name="点検が終わりました")
        self.find(contains="まだ直すことが、")
        self.find(contains="「%s」: パスワードが、買ったときのままです。" % self.NAME)
        self.shot("20c-rule-done-open")
        self.press("終わる")
        self.rail("機器")
        self.tap(self.find(contains=self.NAME, role="list item", timeout=30))
        self.find(contains="パスワードが、買ったときのままです。", anywhere=True)
        # In danger, and only then, the stop button is red (issue 19 item 7).
        stop = self.find(name="通信を止める", role="push button", anywhere=True)
        self.scroll_into_view(stop)
        face = dominant(read_screenshot(self.shot("20b-danger-device")), *self.extents(stop))
        self.assertTrue(reddish(face), "the stop button of a device in danger: %r" % (face,))

        # The household changes it and asks again.
        self.set_password("Yamori-new-9f3k")
        answer, box = self.check_from_the_device_page()
        self.find(contains="買ったときのパスワードで、入れる機器はありませんでした。", root=box)
        self.shot("21-audit-changed")
        self.assertEqual(answer, self.DONE)
        self.press("閉じる", root=box)
        self.assertNotIn("default_password", self.flags()[self.MAC])
        # The warning is over (resolved, not just read), and the page no
        # longer says so.
        alerts = json.loads(self.ctl("alerts", "--json").stdout)
        states = {a["state"] for a in alerts
                  if a["mac"] == self.MAC and a["kind"] == "default_password"}
        self.assertEqual(states, {"resolved"})
        self.gone("パスワードが、買ったときのままです。")
        self.assertFalse([nm for _, nm, _ in self.named() if nm == "危険"],
                         "the device is still shown in danger")
        # Still "caution", and the page says why: telnet is open.
        self.find(name="注意")
        self.find(contains="「%s」に、危ない入り口が開いています。" % self.NAME, anywhere=True)
        self.shot("22-audit-fixed")


class PanelFirstScreenTest(PanelDriver, unittest.TestCase):
    """Issue 14: a new box's kiosk starts on the PIN offer. The panel runs
    alone (no daemon is needed for this screen), with an empty settings
    directory, as on a box's first boot."""

    FIRST = "画面の暗証番号を決める"

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("yamori-panel-first-")
        cls.config = os.path.join(cls.tmp, "config")
        cls.conf = os.path.join(cls.config, "yamori-panel", "panel.conf")
        cls.headless = shared_headless()
        cls.panel_log = cls.open_log("panel-first.log")
        cls.panel = None
        cls.addClassCleanup(lambda: cls.panel and stop_group(cls.panel))
        cls.load_atspi()

    def setUp(self):
        pass  # each test starts its own panel

    def start(self, *args):
        if self.panel:
            stop_group(self.panel)
            deadline = time.time() + 15
            while self.app() is not None and time.time() < deadline:
                time.sleep(0.2)
        self.panel = type(self).panel = self.spawn_panel(
            args, self.panel_log,
            self.make_panel_env(self.config, socket=os.path.join(self.tmp, "no-daemon.sock")))
        # The window is up once its rail is.
        self.find(name="設定", timeout=60, anywhere=True)

    def read_conf(self, key_wanted=None, timeout=10):
        """panel.conf's text; waits (the panel saves in the background)
        until KEY_WANTED is in it."""
        deadline = time.time() + timeout
        while True:
            text = ""
            if os.path.exists(self.conf):
                with open(self.conf) as f:
                    text = f.read()
            if key_wanted is None or key_wanted in text or time.time() > deadline:
                return text
            time.sleep(0.2)

    def no_first_screen(self):
        """Home, and no PIN offer over it: looked for a few seconds after
        the window came up (the offer is shown with the window)."""
        time.sleep(3)
        app = self.app()
        headings = [app.get_child_at_index(i).get_name()
                    for i in range(app.get_child_count())]
        self.assertNotIn(self.FIRST, headings)

    def type_pin(self, dialog, digits):
        for d in digits:
            self.press(d, root=dialog)
        self.press("進む", root=dialog)

    def test_1_first_boot_offers_a_pin(self):
        self.start("--kiosk")
        first = self.dialog(self.FIRST)
        self.find(contains=TRUST_PIN, root=first)
        self.assertEqual(sorted(self.buttons_in(first)), sorted(["決めずに始める", "暗証番号を決める"]))
        self.shot("40-first-screen")
        # A slip of the finger: the two PINs differ, so nothing is kept
        # and the pad asks again.
        self.press("暗証番号を決める", root=first)
        pad = self.dialog("暗証番号を決める")
        self.shot("41-first-screen-pin-pad")
        self.fits_screen(pad)
        self.type_pin(pad, "1357")
        self.type_pin(self.dialog("もう一度、入れる"), "1375")
        retry = self.dialog("2回の番号が、同じではありませんでした。")
        self.assertNotIn("pin_hash", self.read_conf())
        # Leaving the pad is no answer: the first screen comes back.
        self.press("何もしない", root=retry)
        first = self.dialog(self.FIRST)
        self.press("暗証番号を決める", root=first)
        self.type_pin(self.dialog("暗証番号を決める"), "2468")
        self.type_pin(self.dialog("もう一度、入れる"), "2468")
        self.press("閉じる", root=self.dialog("暗証番号を、決めました。"))
        conf = self.read_conf("pin_offered")
        self.assertIn("pin_hash", conf)
        self.assertIn("pin_offered=true", conf)
        self.assertNotIn("2468", conf)
        self.assertEqual(os.stat(self.conf).st_mode & 0o777, 0o600)
        # Asked once: the next start is Home.
        self.start("--kiosk")
        self.no_first_screen()

    def test_2_forgotten_pin_is_offered_again_and_can_be_declined(self):
        # The seller's recovery (docs/PIN.md) forgets the PIN; the next
        # start offers a new one.
        r = subprocess.run([PANEL, "--forget-pin"], capture_output=True, text=True,
                           env=dict(os.environ, XDG_CONFIG_HOME=self.config), timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("pin_offered", self.read_conf())
        self.start("--kiosk")
        first = self.dialog(self.FIRST)
        self.press("決めずに始める", root=first)
        conf = self.read_conf("pin_offered")
        self.assertIn("pin_offered=true", conf)
        self.assertNotIn("pin_hash", conf)
        self.start("--kiosk")
        self.no_first_screen()

    def test_4_largest_text_still_fits(self):
        # The largest text a household can choose: the first screen and
        # the PIN pad keep their buttons on the 800x480 screen.
        os.makedirs(os.path.dirname(self.conf), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write("[panel]\ntext_size=largest\n")
        self.start("--kiosk")
        first = self.dialog(self.FIRST)
        self.fits_screen(first)
        self.press("暗証番号を決める", root=first)
        pad = self.dialog("暗証番号を決める")
        self.shot("42-pin-pad-largest-text")
        self.fits_screen(pad)
        self.press("何もしない", root=pad)

    def test_3_desktop_window_is_not_a_first_boot(self):
        # Without --kiosk (a developer's or an ISP's desktop) nothing is
        # asked: the first screen belongs to the appliance.
        os.remove(self.conf)
        self.start()
        self.no_first_screen()


if __name__ == "__main__":
    unittest.main()
