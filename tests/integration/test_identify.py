#!/usr/bin/env python3
"""Identification replay tests: captures go through yamorid and the devices
must come out as the expected JSON says (type, vendor, model, os,
confidence), with the evidence that says why. Tests on ../shared/pcaps are
skipped with a message when that folder is absent."""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build"))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
PCAPS = os.path.join(SHARED, "pcaps")
YAMORID = os.path.join(BUILD, "daemon", "yamorid")
YAMORICTL = os.path.join(BUILD, "daemon", "yamorictl")
HERE = os.path.dirname(os.path.abspath(__file__))


def replay(state, *files, config=None):
    args = [YAMORID]
    for f in files:
        args += ["-r", f]
    args += ["--state-dir", state, "-c", config or "/dev/null"]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def _sum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, flags, payload=b"", seq=1):
    """One Ethernet/IPv4/TCP frame with correct checksums."""
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    ip = lambda a: bytes(int(x) for x in a.split("."))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1 if flags & 0x10 else 0, 5 << 4,
                      flags, 65535, 0, 0)
    pseudo = ip(src_ip) + ip(dst_ip) + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    csum = _sum16(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0, 64, 6, 0,
                      ip(src_ip), ip(dst_ip))
    iph = iph[:10] + struct.pack("!H", _sum16(iph)) + iph[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + iph + tcp + payload


def tcp6_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, flags, payload=b"", seq=1):
    """One Ethernet/IPv6/TCP frame with a correct checksum."""
    import ipaddress
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    src, dst = ipaddress.IPv6Address(src_ip).packed, ipaddress.IPv6Address(dst_ip).packed
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1 if flags & 0x10 else 0, 5 << 4,
                      flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!IxxxB", len(tcp) + len(payload), 6)
    csum = _sum16(pseudo + tcp + payload)
    tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(tcp) + len(payload), 6, 64) + src + dst
    return mac(dst_mac) + mac(src_mac) + b"\x86\xdd" + ip6 + tcp + payload


def ra_frame(router_mac, prefix):
    """The router's IPv6 router advertisement announcing prefix/64."""
    import ipaddress
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    src = ipaddress.IPv6Address("fe80::1").packed
    dst = ipaddress.IPv6Address("ff02::1").packed
    pio = struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + \
        ipaddress.IPv6Address(prefix).packed
    icmp = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + pio
    pseudo = src + dst + struct.pack("!IxxxB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", _sum16(pseudo + icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + src + dst
    return b"\x33\x33\x00\x00\x00\x01" + mac(router_mac) + b"\x86\xdd" + ip6 + icmp


def udp_frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, payload):
    """One Ethernet/IPv4/UDP frame (UDP checksum 0: not computed)."""
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    ip = lambda a: bytes(int(x) for x in a.split("."))
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 1, 0, 64, 17, 0,
                      ip(src_ip), ip(dst_ip))
    iph = iph[:10] + struct.pack("!H", _sum16(iph)) + iph[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + iph + udp + payload


def syn_frame(src_mac, dst_mac, src_ip, dst_ip, ttl, window, options, sport=50123):
    """A client's SYN with its own TTL, window and TCP options (the
    system's fingerprint), DF set and an IP ID, as Linux and Windows send."""
    mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
    ip = lambda a: bytes(int(x) for x in a.split("."))
    tcp = struct.pack("!HHIIBBHHH", sport, 443, 0x12345678, 0, (5 + len(options) // 4) << 4,
                      0x02, window, 0, 0) + options
    pseudo = ip(src_ip) + ip(dst_ip) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _sum16(pseudo + tcp)) + tcp[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0x1c46, 0x4000, ttl, 6, 0,
                      ip(src_ip), ip(dst_ip))
    iph = iph[:10] + struct.pack("!H", _sum16(iph)) + iph[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + iph + tcp


# TCP options: Linux (mss 1460, sok, ts, nop, ws 7) and Windows 10
# (mss 1460, nop, ws 8, nop, nop, sok).
LINUX_OPTS = bytes.fromhex("020405b40402080a0001020300000000") + bytes.fromhex("01030307")
WINDOWS_OPTS = bytes.fromhex("020405b4010303080101" + "0402")


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def devices(state):
    out = subprocess.run([YAMORICTL, "--state-dir", state, "devices", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return {d["mac"]: d for d in json.loads(out)}


class Identify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ym-identify-")
        cls.fixtures = os.path.join(cls.tmp, "fixtures")
        subprocess.run(["python3", os.path.join(ROOT, "tests", "fixtures", "mkhome.py"),
                        "--out", cls.fixtures], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def state(self):
        return tempfile.mkdtemp(dir=self.tmp)

    def replay_frames(self, name, frames):
        """The frames written as a capture, replayed; the devices by MAC."""
        pcap = os.path.join(self.tmp, name)
        write_pcap(pcap, frames)
        st = self.state()
        r = replay(st, pcap)
        self.assertEqual(r.returncode, 0, r.stderr)
        return devices(st)

    def test_household_matches_expected_json(self):
        st = self.state()
        r = replay(st, os.path.join(self.fixtures, "home.pcap"),
                   os.path.join(self.fixtures, "home-part2.pcapng"))
        self.assertEqual(r.returncode, 0, r.stderr)
        got = devices(st)
        want = json.load(open(os.path.join(HERE, "expected", "home-devices.json")))
        for mac, exp in want.items():
            if mac.startswith("_"):
                continue
            with self.subTest(device=mac):
                dev = got[mac]
                for key in ("type", "vendor", "os", "gateway"):
                    if key in exp:
                        self.assertEqual(dev[key], exp[key], key)
                if "model_contains" in exp:
                    self.assertIn(exp["model_contains"], dev["model"])
                if "min_confidence" in exp:
                    self.assertGreaterEqual(dev["confidence"], exp["min_confidence"])
                if "max_confidence" in exp:
                    self.assertLessEqual(dev["confidence"], exp["max_confidence"])
                for flag in exp.get("flags", []):
                    self.assertIn(flag, dev["flags"])
                # A decided type always comes with evidence that says so.
                if dev["type"] != "unknown":
                    self.assertTrue(any(("type %s" % dev["type"]) in e["conclusion"]
                                        for e in dev["evidence"]), dev["evidence"])
                for e in dev["evidence"]:
                    self.assertEqual(set(e), {"signal", "value", "conclusion"})

    def test_bad_rule_file_is_refused(self):
        data = os.path.join(self.tmp, "data")
        shutil.copytree(os.path.join(ROOT, "data"), data, dirs_exist_ok=True)
        with open(os.path.join(data, "fingerprints", "zz-local.rules"), "w") as f:
            f.write("# local additions\ndhcp_hostname Fridge-* type=fridge source=me\n")
        conf = os.path.join(self.tmp, "bad.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n" % data)
        r = replay(self.state(), os.path.join(self.fixtures, "home.pcap"), config=conf)
        self.assertEqual(r.returncode, 2)
        self.assertIn("zz-local.rules:2: unknown type 'fridge'", r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_without_rules_devices_keep_registry_names(self):
        data = os.path.join(self.tmp, "empty-data")
        os.makedirs(data, exist_ok=True)
        conf = os.path.join(self.tmp, "empty.conf")
        with open(conf, "w") as f:
            f.write("data_dir = %s\n" % data)
        st = self.state()
        r = replay(st, os.path.join(self.fixtures, "home.pcap"), config=conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("will not be identified", r.stderr)
        got = devices(st)
        # The registry's name, without its company form; the evidence
        # keeps it whole.
        brother = got["3c:2a:f4:6b:40:1e"]
        self.assertEqual(brother["vendor"], "Brother Industries")
        self.assertIn(("oui", "Brother Industries, LTD."),
                      [(e["signal"], e["value"]) for e in brother["evidence"]])
        self.assertEqual(got["6c:e4:da:a0:10:01"]["type"], "router")

    def test_served_port_and_http_server_header(self):
        """A device that answers on RTSP and whose web server names its
        model is a camera; a web answer from the internet (through the
        router) says nothing about the router."""
        phone, phone_ip = "00:1b:63:00:00:01", "192.168.7.20"
        cam, cam_ip = "00:11:22:33:44:55", "192.168.7.30"
        router = "6c:e4:da:00:00:09"
        answer = (b"HTTP/1.1 200 OK\r\nServer: DCS-5020L/1.02\r\n"
                  b"Content-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>")
        from_net = (b"HTTP/1.1 200 OK\r\nServer: DCS-930L\r\n"
                    b"Content-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>")
        frames = [
            tcp_frame(phone, cam, phone_ip, cam_ip, 50000, 554, 0x02),
            tcp_frame(cam, phone, cam_ip, phone_ip, 554, 50000, 0x12),
            tcp_frame(phone, cam, phone_ip, cam_ip, 50001, 80, 0x02),
            tcp_frame(cam, phone, cam_ip, phone_ip, 80, 50001, 0x12),
            tcp_frame(cam, phone, cam_ip, phone_ip, 80, 50001, 0x18, answer, seq=2),
            tcp_frame(router, phone, "93.184.216.34", phone_ip, 80, 50002, 0x18, from_net),
        ]
        got = self.replay_frames("camera-answers.pcap", frames)
        dev = got[cam]
        ev = [(e["signal"], e["value"], e["conclusion"]) for e in dev["evidence"]]
        self.assertIn(("service", "tcp/554", "type camera"), ev)
        self.assertTrue(any(s == "http_server" and v == "DCS-5020L/1.02" and "type camera" in c
                            for s, v, c in ev), ev)
        self.assertEqual((dev["type"], dev["vendor"]), ("camera", "D-Link"), ev)
        self.assertLess(dev["confidence"], 0.95)
        for mac, d in got.items():
            if mac != cam:
                self.assertFalse([e for e in d["evidence"] if e["signal"] == "http_server"],
                                 (mac, d["evidence"]))

    def test_syn_names_the_system(self):
        """A device's own SYN names its system by p0f's signatures: a
        Windows 10 PC's os is Windows, a Linux camera's Linux; a SYN the
        router passes on from the internet names nothing of the router.
        The system alone names no kind of device."""
        pc, cam = "00:11:22:33:44:66", "00:11:22:33:44:77"
        router = "6c:e4:da:00:00:09"
        frames = [
            syn_frame(pc, router, "192.168.7.40", "20.42.65.92", 128, 64240, WINDOWS_OPTS),
            syn_frame(cam, router, "192.168.7.41", "93.184.216.34", 64, 29200, LINUX_OPTS),
            # Inbound, through the router, with Windows' shape: from the
            # internet, and from a VPN client's private address.
            syn_frame(router, pc, "198.51.100.7", "192.168.7.40", 119, 64240, WINDOWS_OPTS),
            syn_frame(router, pc, "10.8.0.2", "192.168.7.40", 127, 64240, WINDOWS_OPTS),
        ]
        got = self.replay_frames("syns.pcap", frames)
        syn = lambda mac: [(e["value"], e["conclusion"]) for e in got[mac]["evidence"]
                           if e["signal"] == "tcp_syn"]
        self.assertEqual(syn(pc), [("Windows 10 or 11", "type computer; os Windows")])
        self.assertEqual(got[pc]["os"], "Windows")
        self.assertIn(got[pc]["type"], ("unknown", "computer"))
        self.assertLess(got[pc]["confidence"], 0.5)
        self.assertEqual([v for v, _ in syn(cam)], ["Linux 3.11 and newer"])
        self.assertEqual((got[cam]["os"], got[cam]["type"]), ("Linux", "unknown"))
        self.assertEqual(syn(router), [])
        self.assertNotEqual(got[router]["os"], "Windows")

    def test_firmware_check_names_the_model(self):
        """A device's own request to the internet that names its model in
        the query (a firmware check) names the device; a browser's request
        for a page about a plug, and a request to a device at home, do
        not."""
        sensor, sensor_ip = "00:11:22:33:44:66", "192.168.7.31"
        pc, pc_ip = "00:11:22:33:44:77", "192.168.7.32"
        router = "6c:e4:da:00:00:09"
        check = (b"GET /router/firmware/query.aspx?model=DCH-S150_Ax_Default_FW_0123_0011223344"
                 b"&lang=en HTTP/1.1\r\nHost: wrpd.dlink.com.tw\r\n\r\n")
        browse = (b"GET /search?q=plug&model=HS110 HTTP/1.1\r\nHost: shop.example.com\r\n"
                  b"user-agent: Mozilla/5.0 (X11; Linux x86_64)\r\n\r\n")
        local = (b"GET /info?model=DCS-930L HTTP/1.1\r\nHost: 192.168.7.31\r\n\r\n")
        # Over IPv6 a device's own global address (in the prefix the
        # router announces) is no private one; the same check from a
        # camera counts, and a request the router passes on from outside
        # names nothing.
        cam = "00:11:22:33:44:88"
        cam_check = check.replace(b"DCH-S150_Ax", b"DCS-930L_Ax")
        inbound = b"GET /x?model=HS110 HTTP/1.1\r\nHost: [2001:db8:1::40]\r\n\r\n"
        frames = [
            tcp_frame(sensor, router, sensor_ip, "203.0.113.7", 40000, 80, 0x02),
            tcp_frame(sensor, router, sensor_ip, "203.0.113.7", 40000, 80, 0x18, check, seq=2),
            tcp_frame(pc, router, pc_ip, "203.0.113.8", 40001, 80, 0x18, browse, seq=2),
            tcp_frame(pc, sensor, pc_ip, sensor_ip, 40002, 80, 0x18, local, seq=2),
            tcp_frame(router, pc, "203.0.113.9", pc_ip, 80, 40001, 0x12),
            ra_frame(router, "2001:db8:1::"),
            tcp6_frame(cam, router, "2001:db8:1::33", "2001:db8:ffff::7", 40003, 80, 0x18,
                       cam_check, seq=2),
            tcp6_frame(router, pc, "2001:db8:ffff::9", "2001:db8:1::40", 40004, 80, 0x18,
                       inbound, seq=2),
        ]
        got = self.replay_frames("firmware-check.pcap", frames)
        dev = got[sensor]
        ev = [(e["signal"], e["value"], e["conclusion"]) for e in dev["evidence"]]
        self.assertTrue(any(s == "http_model" and v.startswith("DCH-S150_Ax") and
                            "type sensor" in c for s, v, c in ev), ev)
        self.assertEqual((dev["type"], dev["vendor"], dev["model"]),
                         ("sensor", "D-Link", "DCH-S150"), ev)
        self.assertFalse([e for e in got[pc]["evidence"] if e["signal"] == "http_model"],
                         got[pc]["evidence"])
        self.assertEqual(got[pc]["type"], "unknown")
        self.assertEqual((got[cam]["type"], got[cam]["model"]), ("camera", "DCS-930L"),
                         got[cam]["evidence"])
        for mac, d in got.items():
            if mac not in (sensor, cam):
                self.assertFalse([e for e in d["evidence"] if e["signal"] == "http_model"],
                                 (mac, d["evidence"]))

    def test_served_answers_name_a_camera(self):
        """What a device's own server answers with names a camera whatever
        it is called: a live view as a stream of JPEG frames, an RTSP
        description with a video track, a NIPCA or ONVIF "who are you"
        answer (maker and model too), the realm of its password prompt, the
        title of its web page. A
        page that lists a model, a stream or a prompt from the internet, a
        PC's "Login" prompt and an AirPlay speaker's RTSP answer name
        nothing."""
        phone, phone_ip = "00:1b:63:00:00:02", "192.168.7.20"
        router = "6c:e4:da:00:00:09"
        mjpeg_cam, mjpeg_ip = "b0:c5:54:00:00:41", "192.168.7.41"   # D-Link's block
        nipca_cam, nipca_ip = "00:11:22:33:55:02", "192.168.7.42"
        onvif_cam, onvif_ip = "00:11:22:33:55:03", "192.168.7.43"
        rtsp_cam, rtsp_ip = "00:11:22:33:55:04", "192.168.7.44"
        pc, pc_ip = "00:11:22:33:55:05", "192.168.7.45"
        speaker, speaker_ip = "00:11:22:33:55:06", "192.168.7.46"
        live = (b"HTTP/1.0 200 OK\r\nServer: alphapd\r\n"
                b"Content-Type: multipart/x-mixed-replace;boundary=--video boundary--\r\n\r\n")
        # The headers in one segment, the body in the next (as small web
        # servers write them).
        info_head = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
        info_body = (b"model=DCS-2132L\nbrand=D-Link\nproduct=Garden\nversion=2.13\n"
                     b"nipca=1.9.5\nname=Garden\n")
        onvif = (b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n\r\n"
                 b'<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
                 b' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>'
                 b"<tds:GetDeviceInformationResponse><tds:Manufacturer>Amcrest</tds:Manufacturer>"
                 b"<tds:Model>IP2M-841</tds:Model><tds:FirmwareVersion>2.420</tds:FirmwareVersion>"
                 b"</tds:GetDeviceInformationResponse></s:Body></s:Envelope>")
        describe = (b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n\r\n"
                    b"v=0\r\no=- 1 1 IN IP4 192.168.7.44\r\ns=Stream\r\n"
                    b"m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")
        page = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                b"model=HS110\nbrand=TP-Link\nprice=20\n")
        airplay = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: AirTunes/366.0\r\n\r\n"
        # A camera's password prompt names its model; a PC's says "Login".
        realm_cam, realm_ip = "00:11:22:33:55:07", "192.168.7.47"
        prompt = (b"HTTP/1.1 401 Unauthorized\r\nServer: alphapd\r\n"
                  b'WWW-Authenticate: Basic realm="DCS-930L"\r\nContent-Length: 0\r\n\r\n')
        login = prompt.replace(b"DCS-930L", b"Login")
        # Auth-parameter names are case-insensitive: Realm= is a realm.
        digest_cam, digest_ip = "00:11:22:33:55:09", "192.168.7.49"
        digest = (b"HTTP/1.1 401 Unauthorized\r\n"
                  b'WWW-Authenticate: Digest Realm="DCS-942L", nonce="1a2b"\r\n\r\n')
        # The title of its own web page names it; a settings page's title
        # ("Motion Detection") names no sensor.
        settings_page = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                         b"<html><head><title>Motion Detection</title></head></html>")
        page_plug, page_ip = "00:11:22:33:55:08", "192.168.7.48"
        home_page = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                     b"<html><head><Title id=t>EDIMAX SP-2101W</Title></head><body></body></html>")
        frames = [
            tcp_frame(mjpeg_cam, phone, mjpeg_ip, phone_ip, 80, 50001, 0x18, live, seq=2),
            tcp_frame(nipca_cam, phone, nipca_ip, phone_ip, 80, 50002, 0x18, info_head, seq=2),
            tcp_frame(nipca_cam, phone, nipca_ip, phone_ip, 80, 50002, 0x18, info_body,
                      seq=2 + len(info_head)),
            tcp_frame(onvif_cam, phone, onvif_ip, phone_ip, 8000, 50003, 0x18, onvif, seq=2),
            tcp_frame(rtsp_cam, phone, rtsp_ip, phone_ip, 10554, 50004, 0x18, describe, seq=2),
            tcp_frame(pc, phone, pc_ip, phone_ip, 8080, 50005, 0x18, page, seq=2),
            tcp_frame(router, phone, "203.0.113.9", phone_ip, 80, 50006, 0x18, live, seq=2),
            tcp_frame(speaker, phone, speaker_ip, phone_ip, 7000, 50007, 0x18, airplay, seq=2),
            tcp_frame(realm_cam, phone, realm_ip, phone_ip, 80, 50008, 0x18, prompt, seq=2),
            tcp_frame(pc, phone, pc_ip, phone_ip, 80, 50009, 0x18, login, seq=2),
            tcp_frame(router, phone, "203.0.113.9", phone_ip, 80, 50010, 0x18, prompt, seq=2),
            tcp_frame(page_plug, phone, page_ip, phone_ip, 80, 50011, 0x18, home_page, seq=2),
            tcp_frame(digest_cam, phone, digest_ip, phone_ip, 80, 50013, 0x18, digest, seq=2),
            tcp_frame(mjpeg_cam, phone, mjpeg_ip, phone_ip, 80, 50012, 0x18, settings_page, seq=2),
        ]
        got = self.replay_frames("served.pcap", frames)

        def ev(mac):
            return [(e["signal"], e["value"]) for e in got[mac]["evidence"]]

        self.assertIn(("service", "http/mjpeg"), ev(mjpeg_cam))
        self.assertEqual((got[mjpeg_cam]["type"], got[mjpeg_cam]["vendor"]), ("camera", "D-Link"),
                         ev(mjpeg_cam))
        self.assertFalse([e for e in got[mjpeg_cam]["evidence"] if "sensor" in e["conclusion"]],
                         ev(mjpeg_cam))
        self.assertIn(("service", "http/nipca"), ev(nipca_cam))
        self.assertEqual((got[nipca_cam]["type"], got[nipca_cam]["vendor"],
                          got[nipca_cam]["model"]), ("camera", "D-Link", "DCS-2132L"), ev(nipca_cam))
        self.assertIn(("service", "http/onvif"), ev(onvif_cam))
        self.assertEqual((got[onvif_cam]["type"], got[onvif_cam]["vendor"]), ("camera", "Amcrest"),
                         ev(onvif_cam))
        self.assertIn("IP2M-841", got[onvif_cam]["model"])
        self.assertIn(("service", "rtsp/video"), ev(rtsp_cam))
        # A served video track alone (no maker, no name) is a hint only.
        self.assertEqual(got[rtsp_cam]["type"], "unknown", ev(rtsp_cam))
        self.assertIn(("http_name", "DCS-930L"), ev(realm_cam))
        self.assertEqual((got[realm_cam]["type"], got[realm_cam]["vendor"],
                          got[realm_cam]["model"]), ("camera", "D-Link", "DCS-930L"), ev(realm_cam))
        self.assertIn(("http_title", "EDIMAX SP-2101W"), ev(page_plug))
        self.assertEqual((got[digest_cam]["type"], got[digest_cam]["model"]), ("camera", "DCS-942L"),
                         ev(digest_cam))
        self.assertEqual((got[page_plug]["type"], got[page_plug]["vendor"]),
                         ("smart_plug", "Edimax"), ev(page_plug))
        for mac in (pc, router, speaker, phone):
            if mac in got:
                self.assertFalse([e for e in got[mac]["evidence"]
                                  if e["signal"] in ("service", "upnp_model", "http_name",
                                                     "http_title")],
                                 (mac, got[mac]["evidence"]))
                self.assertNotEqual(got[mac]["type"], "camera")

    def test_banners_name_the_device(self):
        """The greeting of a device's own FTP server and the text before
        its telnet login prompt name it; a session's output after a login,
        and a greeting from the internet, do not."""
        pc, pc_ip = "00:1b:63:00:00:02", "192.168.7.20"
        router = "6c:e4:da:00:00:09"
        ftp_cam, ftp_ip = "00:11:22:33:66:01", "192.168.7.51"
        tel_cam, tel_ip = "00:11:22:33:66:02", "192.168.7.52"
        shell, shell_ip = "00:11:22:33:66:03", "192.168.7.53"
        greeting = b"220 DCS-930L FTP server ready.\r\n"
        prompt = b"\xff\xfb\x01\xff\xfb\x03\xff\xfd\x18\r\nWelcome\r\nIPCam login: "
        # After a failed login the prompt line still names it; a two-byte
        # telnet command (IAC GA) eats no letter; a bare "login:" takes the
        # line before it; an FTP greeting may end in a bare LF.
        retry = b"\xff\xf9Login incorrect\r\n\r\nDCS-942L login: "
        bare = b"\r\nWelcome to IPCam\r\nlogin: "
        lf_greeting = b"220 DCS-935L\n"
        retry_cam, retry_ip = "00:11:22:33:66:04", "192.168.7.54"
        bare_cam, bare_ip = "00:11:22:33:66:05", "192.168.7.55"
        lf_cam, lf_ip = "00:11:22:33:66:06", "192.168.7.56"
        after = (b"Last login: Mon Dec  7 10:00:00 on pts/0\r\n# ls\r\n"
                 b"camera.cgi  plug.cgi\r\n# ")
        frames = [
            tcp_frame(ftp_cam, pc, ftp_ip, pc_ip, 21, 50001, 0x18, greeting, seq=2),
            tcp_frame(tel_cam, pc, tel_ip, pc_ip, 23, 50002, 0x18, prompt, seq=2),
            tcp_frame(shell, pc, shell_ip, pc_ip, 23, 50003, 0x18, after, seq=2),
            tcp_frame(router, pc, "203.0.113.9", pc_ip, 21, 50004, 0x18, greeting, seq=2),
            tcp_frame(retry_cam, pc, retry_ip, pc_ip, 23, 50005, 0x18, retry, seq=2),
            tcp_frame(bare_cam, pc, bare_ip, pc_ip, 23, 50006, 0x18, bare, seq=2),
            tcp_frame(lf_cam, pc, lf_ip, pc_ip, 21, 50007, 0x18, lf_greeting, seq=2),
        ]
        got = self.replay_frames("banners.pcap", frames)

        def ev(mac):
            return [(e["signal"], e["value"]) for e in got[mac]["evidence"]]

        self.assertIn(("banner", "DCS-930L FTP server ready."), ev(ftp_cam))
        self.assertEqual((got[ftp_cam]["type"], got[ftp_cam]["vendor"], got[ftp_cam]["model"]),
                         ("camera", "D-Link", "DCS-930L"), ev(ftp_cam))
        self.assertIn(("banner", "IPCam"), ev(tel_cam))
        self.assertEqual(got[tel_cam]["type"], "camera", ev(tel_cam))
        self.assertIn(("banner", "DCS-942L"), ev(retry_cam))
        self.assertEqual((got[retry_cam]["type"], got[retry_cam]["model"]), ("camera", "DCS-942L"),
                         ev(retry_cam))
        self.assertIn(("banner", "Welcome to IPCam"), ev(bare_cam))
        self.assertEqual(got[bare_cam]["type"], "camera", ev(bare_cam))
        self.assertIn(("banner", "DCS-935L"), ev(lf_cam))
        self.assertEqual(got[lf_cam]["model"], "DCS-935L", ev(lf_cam))
        for mac in (shell, router, pc):
            if mac in got:
                self.assertFalse([e for e in got[mac]["evidence"] if e["signal"] == "banner"],
                                 (mac, got[mac]["evidence"]))
                self.assertNotEqual(got[mac]["type"], "camera")

    def test_wps_set_up_names_the_device(self):
        """A WPS set-up's M1 (EAPoL from the joining device) names its
        maker, model and kind; the access point's M2 names the access
        point, not the device."""
        dev_mac, ap_mac = "00:11:22:aa:bb:01", "6c:e4:da:00:00:09"
        mac = lambda m: bytes(int(x, 16) for x in m.split(":"))

        def wsc(msg_type, maker, model, number, name, pdt):
            a = b""
            for t, v in ((0x104a, b"\x10"), (0x1022, bytes([msg_type])), (0x1021, maker),
                         (0x1023, model), (0x1024, number), (0x1054, pdt), (0x1011, name)):
                a += struct.pack("!HH", t, len(v)) + v
            eap = struct.pack("!BBHB", 2 if msg_type == 4 else 1, 5, 14 + len(a), 254)
            eap += b"\x00\x37\x2a\x00\x00\x00\x01\x04\x00" + a
            return struct.pack("!BBH", 1, 0, len(eap)) + eap

        cam_pdt = struct.pack("!H4sH", 4, b"\x00\x50\xf2\x04", 4)     # camera / security
        ap_pdt = struct.pack("!H4sH", 6, b"\x00\x50\xf2\x04", 1)      # network / AP
        m1 = wsc(4, b"Edimax Technology", b"IC-3115W", b"v2", b"IC-3115W-01", cam_pdt)
        m2 = wsc(5, b"Acme Networks", b"AX-100", b"1", b"acme-ap", ap_pdt)
        frames = [mac(ap_mac) + mac(dev_mac) + b"\x88\x8e" + m1,
                  mac(dev_mac) + mac(ap_mac) + b"\x88\x8e" + m2]
        got = self.replay_frames("wps.pcap", frames)
        cam = got[dev_mac]
        ev = [(e["signal"], e["value"], e["conclusion"]) for e in cam["evidence"]]
        self.assertIn(("wps_category", "4-4", "type camera"), ev)
        self.assertTrue(any(s == "wps_manufacturer" and "vendor Edimax" in c for s, v, c in ev), ev)
        self.assertEqual((cam["type"], cam["vendor"]), ("camera", "Edimax"), ev)
        self.assertIn("IC-3115W", cam["model"])
        ap = got.get(ap_mac)
        if ap:
            self.assertFalse([e for e in ap["evidence"] if "Edimax" in e["value"]], ap["evidence"])
            # It says it is an access point, but nothing shows it routes.
            self.assertNotIn(ap["type"], ("access_point", "router"))

    def test_onvif_hello_names_a_camera_not_the_searcher(self):
        """An ONVIF camera's WS-Discovery Hello (types, hardware and name
        scopes) names it; the phone app's Probe for cameras does not make
        the phone one."""
        phone, cam = "00:1b:63:00:00:02", "00:11:22:00:00:31"
        env = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope '
               'xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
               'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
               'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
               'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>'
               '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/%s</a:Action>'
               '</s:Header><s:Body>%s</s:Body></s:Envelope>')
        probe = env % ("Probe", "<d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe>")
        hello = env % ("Hello", "<d:Hello><d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>"
                       "<d:Scopes>onvif://www.onvif.org/type/video_encoder "
                       "onvif://www.onvif.org/hardware/IPC-K35 "
                       "onvif://www.onvif.org/name/HomeCam</d:Scopes></d:Hello>")
        frames = [udp_frame(phone, "01:00:5e:7f:ff:fa", "192.168.7.20", "239.255.255.250",
                            50003, 3702, probe.encode()),
                  udp_frame(cam, "01:00:5e:7f:ff:fa", "192.168.7.31", "239.255.255.250",
                            3702, 3702, hello.encode())]
        got = self.replay_frames("onvif.pcap", frames)
        dev = got[cam]
        ev = [(e["signal"], e["value"], e["conclusion"]) for e in dev["evidence"]]
        self.assertIn(("wsd_type", "dn:NetworkVideoTransmitter tds:Device", "type camera"), ev)
        self.assertEqual(dev["type"], "camera", ev)
        self.assertEqual(dev["model"], "IPC-K35", ev)
        self.assertNotEqual(got[phone]["type"], "camera", got[phone]["evidence"])
        self.assertFalse([e for e in got[phone]["evidence"] if e["signal"] == "wsd_type"])

    def shared(self, *parts):
        path = os.path.join(PCAPS, *parts)
        if not os.path.exists(path):
            self.skipTest("%s is absent (../shared/pcaps not here)" % path)
        st = self.state()
        r = replay(st, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        return devices(st)

    def by_name(self, devs, name):
        found = [d for d in devs.values() if d["name"] == name or d["hostname"] == name]
        self.assertTrue(found, "no device named %s" % name)
        return found[0]

    def test_iphone_capture(self):
        devs = self.shared("ndpi", "iphone.pcap")
        phone = self.by_name(devs, "Lucas-iPhone")
        self.assertEqual((phone["type"], phone["vendor"]), ("phone", "Apple"))
        imac = self.by_name(devs, "Lucas-iMac")
        self.assertEqual(imac["type"], "computer")

    def test_nintendo_capture(self):
        devs = self.shared("ndpi", "nintendo.pcap")
        consoles = [d for d in devs.values() if d["type"] == "game_console"]
        self.assertEqual(len(consoles), 1)
        self.assertEqual(consoles[0]["vendor"], "Nintendo")

    def test_sonos_capture(self):
        devs = self.shared("ndpi", "head-sonos.pcapng")
        speakers = [d for d in devs.values() if d["vendor"] == "Sonos"]
        self.assertTrue(speakers)
        for d in speakers:
            self.assertIn(d["type"], ("speaker", "unknown"))

    def test_no_confident_router_among_1kxun_clients(self):
        devs = self.shared("ndpi", "1kxun.pcap")
        routers = [d for d in devs.values() if d["type"] == "router"]
        self.assertEqual(len(routers), 1, [d["mac"] for d in routers])
        self.assertTrue(routers[0]["gateway"])
        # The Windows and Mac clients are computers, not cameras or TVs.
        for name in ("kevin-PC", "Joanna-PC", "MacBook-Air"):
            self.assertEqual(self.by_name(devs, name)["type"], "computer", name)


if __name__ == "__main__":
    unittest.main()
