#!/usr/bin/env python3
"""Writes household.pcap: a day of a 50-device household, for measuring the
router build's memory (bench/router-memory.sh, docs/PERFORMANCE.md).

Deterministic (seed 50). Built from tests/fixtures/mkhome.py's packet
builders. Fifty devices on 192.168.10.100-149 with the makers' prefixes of
the sample household's devices and their DHCP fingerprints, in four kinds:

  - 12 busy ones (phones, tablets, laptops): a name looked up and a TLS
    session every 20-120 s from 07:00 to 24:00, to one of 400 servers;
  - 8 streamers (TVs, consoles): a session every 10-40 s for four evening
    hours, every 5-15 min otherwise;
  - 30 quiet ones (cameras, plugs, sensors, speakers): a session to their
    maker's cloud every 2-6 min all day;
  - every device: a DHCP exchange at the start, a renewal every 2 hours,
    the router asking for it by ARP every 30 minutes.

About 1.1 million packets and 300 MB: generated in about a minute.

    python3 bench/mkhousehold.py --out DIR [--devices N]
"""
import argparse
import calendar
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "fixtures"))
import mkhome as H  # noqa: E402

DAY = 24 * 3600
T0 = calendar.timegm((2026, 11, 3, 0, 0, 0, 0, 0, 0))
SERVERS = 400
# (kind, how many of 50, OUI taken from, DHCP option 55)
KINDS = [("busy", 12, H.PHONE, H.PHONE_PRL),
         ("stream", 8, H.TV, H.TV_PRL),
         ("quiet", 30, H.CAMERA, H.CAMERA_PRL)]
ALT = [(H.LAPTOP, H.LAPTOP_PRL), (H.CONSOLE, H.CONSOLE_PRL), (H.PLUG, H.PLUG_PRL)]


def servers(n):
    """n servers on the benchmarking range 198.18.0.0/15 (RFC 2544)."""
    return [H.Host("s%d.cdn%d.example.net" % (i, i % 17),
                   ip4="198.18.%d.%d" % (i // 250, 1 + i % 250), ttl=50, remote=True)
            for i in range(n)]


def devices(total):
    out = []
    scale = total / 50.0
    i = 0
    for kind, n, like, prl in KINDS:
        for k in range(max(1, round(n * scale))):
            if k % 2 and kind != "stream":
                like, prl = ALT[(i + k) % len(ALT)]
            mac = bytes(like.mac[:3]) + bytes([0x50, i // 256, i % 256])
            host = H.Host("%s-%d" % (kind, k), mac, "192.168.10.%d" % (100 + i), ttl=64)
            out.append((kind, host, "%s%d" % (kind, k), prl))
            i += 1
    return out


def session(net, t, dev, srv, cport):
    net.dns(t, dev, srv.name, "A", [srv.ip4])
    H.tls_session(net, t + 0.05, dev, srv, cport, srv.name,
                  requests=((300, 1200),))


def build(total=50, seed=50):
    net = H.Net(seed)
    rng = net.rng
    srv = servers(SERVERS)
    devs = devices(total)
    for i, (_, dev, host, prl) in enumerate(devs):
        net.dhcp_dora(1 + i * 0.5, dev, host, prl)
    for n, (kind, dev, host, prl) in enumerate(devs):
        cport = 40000 + rng.below(10000)
        cloud = srv[n % 40]  # a quiet device talks to its maker's cloud
        t = 60 + rng.uniform(0, 60)
        while t < DAY - 60:
            hour = t / 3600
            if kind == "busy":
                if hour < 7:
                    t = 7 * 3600 + rng.uniform(0, 600)
                    continue
                gap, target = rng.uniform(20, 120), srv[rng.below(SERVERS)]
            elif kind == "stream":
                evening = 19 <= hour < 23
                gap = rng.uniform(10, 40) if evening else rng.uniform(300, 900)
                target = srv[rng.below(SERVERS)]
            else:
                gap, target = rng.uniform(120, 360), cloud
            cport = 40000 + (cport - 40000 + 1) % 20000
            session(net, t, dev, target, cport)
            t += gap
        for r in range(2 * 3600, DAY, 2 * 3600):
            net.dhcp_renew(r + rng.uniform(0, 60), dev, host, prl)
        for a in range(1800, DAY, 1800):
            net.arp_exchange(a + rng.uniform(0, 5), H.GW, dev)
    return net, len(devs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--devices", type=int, default=50, help="devices (default 50)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    net, n = build(args.devices)
    frames = net.frames()
    path = os.path.join(args.out, "household.pcap")
    data = H.write_pcap(path, T0, frames)
    print("household.pcap: %d devices, %d packets, %d bytes, %.1f h" %
          (n, len(frames), len(data), (frames[-1][0] - frames[0][0]) / 3.6e9))
    return 0


if __name__ == "__main__":
    sys.exit(main())
