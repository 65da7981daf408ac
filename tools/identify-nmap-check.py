#!/usr/bin/env python3
"""Measures how Yamori names devices by what their own servers say.

nmap's service probes (../shared/refs/nmap-service-probes, NPSL: read here
to measure, never copied into data/) pair answers with a device type
(d/webcam/, d/printer/ ...). For each HTTP match whose pattern holds a
literal login realm, page title or Server: header, and each FTP greeting
and telnet login prompt (their literal text), this script writes a
capture in which one device at home answers a phone with exactly that
(a 401 with the realm, a page with the title, an answer with the Server:
header, the greeting, the prompt), from a MAC block no rule knows,
replays all of them through yamorid at once, and prints per nmap device
type how many Yamori names with the right type, leaves unknown, names with another type, and
names with another type at confidence >= 0.8 ("confidently wrong").

    tools/identify-nmap-check.py [--build DIR] [--verbose]

Routers and access points are right only as what they are; without routing
evidence Yamori holds them at 0.5 or leaves them unknown, which is counted
as unknown or right, never as confidently wrong.

Exit status 0; 77 when ../shared is absent.
"""
import collections
import csv
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identify_check as C  # noqa: E402

H = C.H
TSV = os.path.join(C.SHARED, "refs", "nmap-service-probes", "nmap_service_matches.tsv")

# nmap's device types -> the types Yamori may rightly say.
CLASSES = {
    "webcam": {"camera", "doorbell"},
    "printer": {"printer"},
    "print server": {"printer"},
    "storage-misc": {"nas"},
    "VoIP phone": {"voip"},
    "VoIP adapter": {"voip"},
    "PBX": {"voip"},
    "WAP": {"access_point", "router", "network"},
    "router": {"router", "access_point", "network"},
    "broadband router": {"router", "access_point", "network"},
    "switch": {"network", "router"},
    "media device": {"tv", "streaming", "speaker", "smart_speaker"},
    "game console": {"game_console"},
    "phone": {"phone"},
    "power-device": {"smart_plug", "appliance"},
}
META = set("()[]{}*+?|^$")


def literal(s):
    """The regex fragment s as a literal string, or None when it is not one."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s):
                return None
            n = s[i + 1]
            if n.isalnum():  # \d, \w, \s, \x..: not a literal
                return None
            out.append(n)
            i += 2
            continue
        if c in META or c == ".":
            return None
        out.append(c)
        i += 1
    text = "".join(out).strip()
    return text if len(text) >= 3 and text.isprintable() else None


def literal_runs(pat):
    """The literal text of a regex, its runs joined by spaces: what a
    banner matching it says, less the parts the regex leaves open."""
    runs, cur, i = [], [], 0
    while i < len(pat):
        c = pat[i]
        if c == "\\" and i + 1 < len(pat):
            n = pat[i + 1]
            if n in "rnt0" or n.isalnum():
                if n == "x":
                    i += 4
                else:
                    i += 2
                runs.append("".join(cur))
                cur = []
                continue
            cur.append(n)
            i += 2
            continue
        if c in "*+?{":
            if cur:
                cur.pop()
            runs.append("".join(cur))
            cur = []
            if c == "{":
                i = pat.find("}", i) + 1 or len(pat)
                continue
        elif c in "([":
            runs.append("".join(cur))
            cur = []
            close = ")" if c == "(" else "]"
            depth, j = 0, i
            while j < len(pat):
                if pat[j] == "\\":
                    j += 2
                    continue
                if pat[j] == c:
                    depth += 1
                elif pat[j] == close:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        elif c in ".^$|)]":
            runs.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    runs.append("".join(cur))
    text = " ".join(r.strip() for r in runs if len(r.strip()) >= 2)
    return text if text.isprintable() else None


def banner_cases(path):
    """(kind, text, nmap type, product) for telnet prompts and FTP
    greetings with a device type."""
    seen = set()
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            dt = row["devicetype"]
            if dt not in CLASSES or row["kind"] != "match":
                continue
            pat = row["pattern"]
            if row["service"] == "ftp" and pat.startswith("^220"):
                text = literal_runs(pat[4:])
                kind = "ftp"
            elif row["service"] == "telnet" and re.search(r"login: ?\$?$", pat, re.I):
                text = literal_runs(re.sub(r"(?i)login: ?\$?$", "", pat))
                kind = "telnet"
            else:
                continue
            if text and len(text) >= 3 and (kind, text) not in seen:
                seen.add((kind, text))
                yield kind, text, dt, row["product"]


def cases(path):
    """(kind, text, nmap type, product) for each usable HTTP match."""
    seen = set()
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            dt = row["devicetype"]
            if row["service"] not in ("http", "http-proxy") or dt not in CLASSES:
                continue
            pat = row["pattern"]
            for kind, rx in (("realm", r'realm=\\?"([^"\\]*(?:\\.[^"\\]*)*?)\\?"'),
                             ("title", r"<title>(.*?)</title>"),
                             ("server", r"\\r\\nServer: ([^\\\r\n]*?)(?:\\r\\n|/|\(|\[| \(|$)")):
                m = re.search(rx, pat, re.I)
                if not m:
                    continue
                text = literal(m.group(1))
                if text and (kind, text) not in seen:
                    seen.add((kind, text))
                    yield kind, text, dt, row["product"]


def answer(kind, text):
    body = b""
    if kind == "ftp":
        return ("220 %s\r\n" % text).encode("latin-1", "replace")
    if kind == "telnet":
        return b"\xff\xfb\x01\xff\xfb\x03\r\n" + text.encode("latin-1", "replace") + b"\r\nlogin: "
    if kind == "realm":
        head = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="%s"\r\n' % text
    elif kind == "title":
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        body = ("<html><head><title>%s</title></head><body></body></html>" % text).encode()
    else:
        head = "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: text/html\r\n" % text
    return (head + "Content-Length: %d\r\n\r\n" % len(body)).encode("latin-1", "replace") + body


def measure(build, verbose=False):
    """Per nmap device type: Counter of n, right, unknown, wrong,
    wrong>=0.8 and of the kinds of text (realm, title, server)."""
    todo = list(cases(TSV)) + list(banner_cases(TSV))
    phone = H.Host("phone", "00:1b:63:00:00:02", "10.9.0.2", ttl=64)
    net = H.Net(7)
    t = 1.0
    macs = {}
    for i, (kind, text, dt, product) in enumerate(todo):
        mac = "00:11:22:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        ip = "10.9.%d.%d" % (1 + i // 250, 1 + i % 250)
        dev = H.Host("d%d" % i, mac, ip, ttl=64)
        port = {"ftp": 21, "telnet": 23}.get(kind, 80)
        f = H.TcpFlow(net, phone, dev, 40000 + i % 20000, port, rtt=0.001)
        t = f.handshake(t)
        if port == 80:
            t = f.send(t, True, b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % ip.encode())
        t = f.send(t + 0.002, False, answer(kind, text))
        t = f.close(t + 0.001) + 0.01
        macs[mac] = (kind, text, dt, product)
    got = C.replay(build, net, "nmap")
    tally = collections.defaultdict(collections.Counter)
    known = C.brands()
    for mac, (kind, text, dt, product) in macs.items():
        x = got.get(mac)
        wrong = tally[dt]["vendor wrong"]
        res, ty, conf = C.judge(tally, dt, CLASSES[dt], kind, x, product, known)
        if tally[dt]["vendor wrong"] > wrong:
            res += "/vendor"
        if verbose and (res != "unknown" or "/" in res):
            print("%-6s %-7s %-16s %-40s -> %s %.2f %s" % (res, kind, dt, text[:40], ty, conf,
                                                            x["vendor"] if x else ""))
    return tally


if __name__ == "__main__":
    sys.exit(C.main(__doc__, TSV, measure, "nmap type",
                    ("realm", "title", "server", "ftp", "telnet")))
