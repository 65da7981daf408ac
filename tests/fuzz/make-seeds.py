#!/usr/bin/env python3
"""make-seeds.py - writes the fuzzers' seed corpora into tests/fuzz/corpus/.

Standard library only; deterministic. Frames come from the synthetic
household of tests/fixtures/mkhome.py and the attack scenarios of
tests/fixtures/mkattacks.py (run into a temporary directory);
config, data-file and API seeds are small realistic texts, the data-file
ones cut from data/. Re-run after changing a harness's input format:

    python3 tests/fuzz/make-seeds.py

Each seed's name says what it holds. Files already in a corpus directory
(for example regression inputs for a fixed crash, named crash-*) are kept.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read_pcap(path):
    """The frames of a classic little-endian pcap (what mkhome writes)."""
    with open(path, "rb") as f:
        buf = f.read()
    magic, = struct.unpack_from("<I", buf, 0)
    assert magic == 0xA1B2C3D4, "mkhome.py writes microsecond pcap"
    off, frames = 24, []
    while off + 16 <= len(buf):
        _, _, incl, _ = struct.unpack_from("<IIII", buf, off)
        off += 16
        frames.append(buf[off:off + incl])
        off += incl
    return frames


def classify(fr):
    """(kind, l4 payload, key of the flow) of an Ethernet frame."""
    if len(fr) < 14:
        return ("short", b"", None)
    et, = struct.unpack_from("!H", fr, 12)
    p = 14
    if et == 0x8100 and len(fr) >= 18:
        et, = struct.unpack_from("!H", fr, 16)
        p = 18
    if et == 0x0806:
        return ("arp", b"", ("arp",))
    if et == 0x88CC:
        return ("lldp", fr[p:], ("lldp",))
    if et == 0x0800 and len(fr) >= p + 20:
        ihl = (fr[p] & 15) * 4
        proto = fr[p + 9]
        src, dst = fr[p + 12:p + 16], fr[p + 16:p + 20]
        l4 = p + ihl
        if proto in (6, 17) and len(fr) >= l4 + 8:
            sp, dp = struct.unpack_from("!HH", fr, l4)
            if proto == 17:
                pay = fr[l4 + 8:]
            else:
                pay = fr[l4 + (fr[l4 + 12] >> 4) * 4:] if len(fr) >= l4 + 13 else b""
            key = (proto,) + tuple(sorted([(src, sp), (dst, dp)]))
            return ("ip4-%d-%d" % (proto, min(sp, dp)), pay, key)
        return ("ip4-%d" % proto, b"", ("ip4", proto))
    if et == 0x86DD and len(fr) >= p + 40:
        nh = fr[p + 6]
        src, dst = fr[p + 8:p + 24], fr[p + 24:p + 40]
        l4 = p + 40
        if nh in (6, 17) and len(fr) >= l4 + 8:
            sp, dp = struct.unpack_from("!HH", fr, l4)
            pay = fr[l4 + 8:] if nh == 17 else b""
            key = (nh,) + tuple(sorted([(src, sp), (dst, dp)]))
            return ("ip6-%d-%d" % (nh, min(sp, dp)), pay, key)
        return ("ip6-%d" % nh, b"", ("ip6", nh))
    return ("eth-%04x" % et, b"", ("eth", et))


def frame_seeds(frames):
    kinds, flows = {}, {}
    for fr in frames:
        kind, pay, key = classify(fr)
        kinds.setdefault(kind, []).append((fr, pay))
        if key is not None:
            flows.setdefault(key, (kind, []))[1].append(fr)

    # The decoder: the first two frames of each kind of traffic (a kind is
    # the ethertype, IP protocol and service port; byte 0 = 1 picks
    # Ethernet).
    for kind, lst in sorted(kinds.items()):
        for j, (fr, _) in enumerate(lst[:2]):
            put("fuzz_decode", "eth-%s-%d" % (kind, j), b"\x01" + fr)
    # The whole-packet path: the first frames of the two longest flows of
    # each kind, each after its 2-byte length, so a handshake and the start
    # of the conversation are there for nDPI.
    by_kind = {}
    for key, (kind, frs) in flows.items():
        by_kind.setdefault(kind, []).append(frs)
    for kind, lst in sorted(by_kind.items()):
        lst.sort(key=lambda frs: (-len(frs), frs[0]))
        for j, frs in enumerate(lst[:2]):
            blob = b"".join(struct.pack("!H", len(f)) + f for f in frs[:12])
            put("fuzz_packet", "%s-%d" % (kind, j), blob)
    # The datagram parsers: distinct payloads by port.
    seen = set()
    for kind, lst in sorted(kinds.items()):
        parts = kind.split("-")
        ports = set(int(x) for x in parts[2:]) if len(parts) > 2 else set()
        lst = [x for x in lst if x[1] and hashlib.sha1(x[1]).digest() not in seen]
        for j, (fr, pay) in enumerate(lst[:4]):
            seen.add(hashlib.sha1(pay).digest())
            if not pay:
                continue
            if ports & {53, 5353, 5355, 137}:
                put("fuzz_dns", "%s-%d" % (kind, j), pay)
            if 1900 in ports:
                put("fuzz_ssdp", "%s-%d" % (kind, j), pay)
            if ports & {67, 68, 546, 547}:
                put("fuzz_dhcp", "%s-%d" % (kind, j), pay)
    for j, (fr, pay) in enumerate(kinds.get("lldp", [])[:3]):
        put("fuzz_lldp", "lldp-%d" % j, pay)


def text_seeds():
    # UPnP description and HTTP answers for the SSDP harness.
    put("fuzz_ssdp", "upnp-description",
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 400\r\n\r\n"
        '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<device><deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType>"
        "<friendlyName>BRAVIA KJ-55X9500G</friendlyName><manufacturer>Sony Corporation"
        "</manufacturer><modelName>KJ-55X9500G</modelName><modelNumber>55X9500G"
        "</modelNumber><serialNumber>1234567</serialNumber>"
        "<UDN>uuid:00000000-0000-1010-8000-fcf152e5509b</UDN></device></root>")
    put("fuzz_ssdp", "ssdp-notify",
        "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
        "LOCATION: http://192.168.10.50:52323/dmr.xml\r\nNT: upnp:rootdevice\r\n"
        "NTS: ssdp:alive\r\nSERVER: Linux/4.9 UPnP/1.0 Sony-BRAVIA/1.0\r\n"
        "USN: uuid:00000000-0000-1010-8000-fcf152e5509b::upnp:rootdevice\r\n\r\n")
    # LLDP: chassis MAC, port, TTL, system name and description, caps, end.
    def tlv(t, v):
        return struct.pack("!H", (t << 9) | len(v)) + v
    lldp = (tlv(1, b"\x04" + bytes.fromhex("6ce4daa01001")) + tlv(2, b"\x05eth0") +
            tlv(3, b"\x00\x78") + tlv(5, b"aterm-router") +
            tlv(6, b"NEC Aterm WX3600HP firmware 1.4.2") + tlv(7, b"\x00\x14\x00\x10") +
            tlv(0, b""))
    put("fuzz_lldp", "lldp-router", lldp)
    # DHCPv6 Solicit with client id, ORO, FQDN and vendor class.
    d6 = (b"\x01\x12\x34\x56" + struct.pack("!HH", 1, 10) + b"\x00\x03\x00\x01" +
          bytes.fromhex("acED5c7070ab") + struct.pack("!HH", 6, 4) + b"\x00\x17\x00\x18" +
          struct.pack("!HH", 39, 13) + b"\x00\x0btaro-laptop"[:13] +
          struct.pack("!HH", 16, 14) + b"\x00\x00\x01\x37\x00\x08MSFT 5.0")
    put("fuzz_dhcp", "dhcpv6-solicit", d6)
    # The password check's engines: byte 0 cuts the answer in two.
    put("fuzz_audit", "telnet-login", b"\x05\xff\xfb\x01\xff\xfb\x03\r\nTapo login: ")
    put("fuzz_audit", "ftp-banner", b"\x0a220 NAS FTP server ready.\r\n331 Password required\r\n")
    put("fuzz_audit", "http-digest",
        b"\x20HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"IP Camera\", "
        b"nonce=\"5f2b1c\", qop=\"auth\", opaque=\"abc\"\r\nContent-Length: 0\r\n\r\n")
    put("fuzz_audit", "http-form",
        b"\x30HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 90\r\n\r\n"
        b"<html><form method=post><input type=password name=pwd></form></html>")
    put("fuzz_audit", "rtsp-basic",
        b"\x08RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm=\"cam\"\r\n\r\n")

    # The config: the documented default file and a few changed ones.
    with open(os.path.join(ROOT, "data", "yamori.conf"), "rb") as f:
        put("fuzz_config", "default-yamori.conf", f.read())
    put("fuzz_config", "router",
        "# a router\ninterface = br-lan\ninterface = wan\nisolate = nft\n"
        "auto_isolate = critical\naudit = ask\naudit_parallel = 2\n"
        "max_devices = 512\ncommit_interval = 10\npromiscuous = no\n")
    put("fuzz_config", "paths",
        "state_dir = /var/lib/yamori\noui_dir = /usr/share/ieee-data\n"
        "data_dir = /usr/share/yamori\napi_socket = /run/yamori/yamori.sock\n")
    put("fuzz_config", "bad-value", "max_flows = 12abc\n")
    put("fuzz_config", "bad-key", "no_such_setting = 1\n")
    put("fuzz_config", "long-line", "state_dir = /" + "a" * 1100 + "\n")

    # The data files: byte 0 picks the module (0 rules, 1 kb, 2 list,
    # 3 creds), byte 1 cuts the rest in two files.
    def head_lines(path, n):
        out = []
        with open(path, "rb") as f:
            for line in f:
                if line.strip() and not line.startswith(b"#"):
                    out.append(line)
                if len(out) == n:
                    break
        return b"".join(out)
    data = os.path.join(ROOT, "data")
    for sub, module, n in (("fingerprints", 0, 12), ("support", 1, 40),
                           ("intel", 2, 10), ("credentials", 3, 10)):
        d = os.path.join(data, sub)
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.startswith(".") or name.endswith(".md") or not os.path.isfile(p):
                continue
            body = head_lines(p, n)
            put("fuzz_datafile", "%d-%s" % (module, name),
                bytes([module, len(body) // 2 % 256]) + body)

    # API requests, one per line as the panel and yamorictl send them; the
    # harness's engine knows 02:11:22:33:44:55 and :66.
    mac = "02:11:22:33:44:55"
    reqs = {
        "status": '{"id":1,"cmd":"status"}',
        "devices": '{"id":2,"cmd":"devices","args":{"all":true}}',
        "alerts": '{"id":3,"cmd":"alerts","args":{"offset":0,"limit":50}}',
        "rename": '{"id":4,"cmd":"rename","args":{"mac":"%s","name":"居間のカメラ"}}\n'
                  '{"id":5,"cmd":"devices"}' % mac,
        "retire": '{"id":6,"cmd":"retire","args":{"mac":"%s"}}' % mac,
        "never-isolate": '{"id":7,"cmd":"never_isolate","args":{"mac":"%s","on":true}}' % mac,
        "acknowledge": '{"id":8,"cmd":"acknowledge","args":{"id":1}}',
        "settings": '{"id":9,"cmd":"settings","args":{"audit":"ask","auto_isolate":"never"}}',
        "audit-off": '{"id":10,"cmd":"audit","args":{"target":"192.168.1.20"}}',
        "isolate": '{"id":11,"cmd":"isolate","args":{"mac":"%s"}}' % mac,
        "release": '{"id":12,"cmd":"release","args":{"mac":"%s"}}' % mac,
        "device": '{"id":13,"cmd":"device","args":{"mac":"02:11:22:33:44:66"}}',
        "alert": '{"id":14,"cmd":"alert","args":{"id":1}}',
        "unknown": '{"id":15,"cmd":"make_coffee","args":[]}',
        "subscribe": '{"id":16,"cmd":"subscribe"}',
        "not-object": '[1,2,3]',
    }
    for name, text in reqs.items():
        put("fuzz_api", name, text + "\n")


def appproto_seeds():
    """TP-Link Smart Home answers (autokey XOR from 171; TCP with its
    4-byte length) and Smarter identify answers, for fuzz_appproto: the
    first byte picks the parser (0 TCP, 1 UDP, 2 Smarter)."""
    def autokey(text):
        key, out = 171, bytearray()
        for b in text.encode():
            key ^= b
            out.append(key)
        return bytes(out)
    info = ('{"system":{"get_sysinfo":{"sw_ver":"1.2.5 Build 171213","model":"HS110(EU)",'
            '"type":"IOT.SMARTPLUGSWITCH","alias":"Kitchen","mac":"50:C7:BF:00:00:01"}}}')
    bulb = '{"system":{"get_sysinfo":{"model":"LB130(EU)","mic_type":"IOT.SMARTBULB"}}}'
    for name, text in (("tplink-plug", info), ("tplink-bulb", bulb),
                       ("tplink-other", '{"emeter":{"get_realtime":{}}}')):
        body = autokey(text)
        put("fuzz_appproto", name + "-tcp", b"\x00" + struct.pack("!I", len(body)) + body)
        put("fuzz_appproto", name + "-udp", b"\x01" + body)
    put("fuzz_appproto", "smarter-kettle", b"\x02\x14\x01\x7e\x65\x01\x13\x7e")
    put("fuzz_appproto", "smarter-coffee", b"\x02\x65\x02\x16\x7e")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "fixtures", "mkhome.py"),
                        "--out", tmp], check=True, stdout=subprocess.DEVNULL)
        frames = read_pcap(os.path.join(tmp, "home.pcap"))
        # The detectors' scenarios: the first frames of each attack
        # capture (a scan, a flood, a look-alike) as one input.
        subprocess.run([sys.executable,
                        os.path.join(ROOT, "tests", "fixtures", "mkattacks.py"),
                        "--out", tmp], check=True, stdout=subprocess.DEVNULL)
        for name in sorted(os.listdir(tmp)):
            if not name.endswith(".pcap") or name in ("home.pcap", "truncated.pcap"):
                continue
            frs = read_pcap(os.path.join(tmp, name))[:24]
            put("fuzz_packet", "attack-" + name[:-5],
                b"".join(struct.pack("!H", len(f)) + f for f in frs))
    frame_seeds(frames)
    text_seeds()
    appproto_seeds()
    for h in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, h))
        size = sum(os.path.getsize(os.path.join(CORPUS, h, f)) for f in files)
        print("%-14s %3d seeds %7d bytes" % (h, len(files), size))


if __name__ == "__main__":
    main()
