#!/usr/bin/env python3
"""Measures Yamori's DHCP, User-Agent and web-server rules on Satori's.

Satori's passive fingerprints (../shared/refs/satori-fingerprints, GPL-2.0:
read here to measure, never copied into data/) pair a DHCP parameter
request list (option 55), a DHCP vendor class (option 60), a User-Agent or
a web server's Server: header with a kind of device. For each exact test
(and each User-Agent text) with a kind Yamori has a word for, this script
writes a capture in which one device, from a MAC block no rule knows,
does just that: asks for an address with that list or vendor class,
sends its own request to the internet with that User-Agent, or answers a
phone with that Server: header. It replays them all through yamorid at once and prints, per
Satori kind, how many Yamori names with the right type, leaves unknown,
names with another type, and names with another type at confidence >= 0.8
("confidently wrong").

    tools/identify-satori-check.py [--build DIR] [--verbose]

Exit status 0; 77 when ../shared is absent.
"""
import collections
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identify_check as C  # noqa: E402

H = C.H
TSV = os.path.join(C.SHARED, "refs", "satori-fingerprints", "satori_tests_flat.tsv")

# Satori's kinds -> the types Yamori may rightly say.
CLASSES = {
    "VoIP Phone": {"voip"},
    "Video Phone": {"voip"},
    "VoIP Adapter": {"voip"},
    "Wireless Access Point": {"access_point", "router", "network"},
    "Router": {"router", "access_point", "network"},
    "Wireless Router": {"router", "access_point", "network"},
    "Printer": {"printer"},
    "Scanner": {"printer"},
    "Smartphone": {"phone"},
    "Phone": {"phone", "voip"},
    "SmartWatch": {"wearable"},
    "Game Console": {"game_console"},
    "IP Network Camera": {"camera", "doorbell"},
    "NAS": {"nas"},
    "Smart TV": {"tv"},
    "SmartTV": {"tv"},
    "Digital Media Player": {"streaming", "tv"},
    "Digital Media Receiver": {"streaming", "tv", "speaker"},
    "IPTV": {"streaming", "tv"},
    "Tablet": {"tablet"},
    "tablet": {"tablet"},
    "eBook Reader": {"tablet"},
    "Multimedia Device": {"tv", "streaming", "speaker", "smart_speaker", "game_console"},
}


def cases(path):
    """(signal, value, satori kind, satori name) for each usable test."""
    seen = set()
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            kind = row["fp_device_type"].strip()
            if kind not in CLASSES:
                continue
            # A partial User-Agent test is a text the User-Agent holds:
            # written as a User-Agent of just that text.
            if row["matchtype"] != "exact" and row["file"] != "webuseragent.xml":
                continue
            attrs = dict(a.split("=", 1) for a in row["test_attrs"].split(";") if "=" in a)
            for key, sig in (("dhcpoption55", "dhcp_params"), ("dhcpvendorcode", "dhcp_vendor"),
                             ("webuseragent", "user_agent"), ("webserver", "server")):
                v = attrs.get(key, "").strip()
                if len(v) < 3 or not v.isprintable():
                    continue
                if sig == "dhcp_params" and not all(x.isdigit() and int(x) < 256
                                                    for x in v.split(",")):
                    continue
                if (sig, v) not in seen:
                    seen.add((sig, v))
                    yield sig, v, kind, row["fp_name"]


def dhcp_request(mac, params=None, vendor=None):
    opts = [(53, b"\x03")]
    if vendor:
        opts.append((60, vendor.encode("latin-1", "replace")[:255]))
    opts.append((55, bytes(int(x) for x in (params or "1,3,6,15").split(","))))
    return H.dhcp_msg(1, 0x5a7e0001, H.MAC(mac), opts)


def measure(build, verbose=False):
    todo = list(cases(TSV))
    net = H.Net(11)
    phone = H.Host("phone", "00:1b:63:00:00:02", "10.8.0.2", ttl=64)
    cloud = H.Host("cloud", ip4="198.51.100.10", ttl=50, remote=True)
    t = 1.0
    macs = {}
    for i, (sig, v, kind, name) in enumerate(todo):
        mac = "00:11:22:%02x:%02x:%02x" % (0x40 | (i >> 16 & 15), i >> 8 & 255, i & 255)
        ip = "10.8.%d.%d" % (1 + i // 250, 1 + i % 250)
        dev = H.Host("d%d" % i, mac, ip, ttl=64)
        if sig in ("dhcp_params", "dhcp_vendor"):
            msg = dhcp_request(mac, v if sig == "dhcp_params" else None,
                               v if sig == "dhcp_vendor" else None)
            net.udp(t, H.Host("zero", dev.mac, "0.0.0.0"), H.M_BCAST, 68, 67, msg)
            t += 0.01
        elif sig == "user_agent":
            f = H.TcpFlow(net, dev, cloud, 40000 + i % 20000, 80, rtt=0.001)
            t = f.handshake(t)
            t = f.send(t, True, ("GET /check HTTP/1.1\r\nHost: update.example.com\r\n"
                                 "User-Agent: %s\r\n\r\n" % v).encode("latin-1", "replace"))
            t = f.send(t + 0.002, False, b"HTTP/1.1 204 No Content\r\n\r\n")
            t = f.close(t + 0.001) + 0.01
        else:
            f = H.TcpFlow(net, phone, dev, 40000 + i % 20000, 80, rtt=0.001)
            t = f.handshake(t)
            t = f.send(t, True, b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % ip.encode())
            t = f.send(t + 0.002, False, ("HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Length: 0"
                                          "\r\n\r\n" % v).encode("latin-1", "replace"))
            t = f.close(t + 0.001) + 0.01
        macs[mac] = (sig, v, kind, name)
    got = C.replay(build, net, "satori")
    tally = collections.defaultdict(collections.Counter)
    known = C.brands()
    for mac, (sig, v, kind, name) in macs.items():
        x = got.get(mac)
        wrong = tally[kind]["vendor wrong"]
        res, ty, conf = C.judge(tally, kind, CLASSES[kind], sig, x, name, known)
        if tally[kind]["vendor wrong"] > wrong:
            res += "/vendor"
        if verbose and res != "unknown":
            print("%-6s %-11s %-22s %-40s -> %s %.2f  (%s)" % (res, sig, kind, v[:40], ty, conf,
                                                              name[:30]))
    return tally


if __name__ == "__main__":
    sys.exit(C.main(__doc__, TSV, measure, "Satori kind",
                    ("dhcp_params", "dhcp_vendor", "user_agent", "server")))
