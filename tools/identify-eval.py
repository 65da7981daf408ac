#!/usr/bin/env python3
"""Measures identification on the public labeled captures.

Builds a labeled development set from ../shared/refs/labeled-captures
(ALL_LABELS.tsv) and ../shared/pcaps/nku (labeled by IP), splits the devices
by a hash of their MAC into a part to tune on and a held-out part, replays
each device's own captures through yamorid (capped per device), and prints
type and vendor accuracy and confident-wrong counts per device class.

    tools/identify-eval.py [--part heldout|tune|all] [--build DIR]
                           [--json OUT] [--verbose]

Exit status 0; 77 when ../shared is absent (ctest's skip code).
"""
import argparse
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
LABELED = os.path.join(SHARED, "refs", "labeled-captures")
NKU = os.path.join(SHARED, "pcaps", "nku", "traffic_demo")

# Bytes of capture replayed per device: enough for set-up, DHCP, discovery
# and the first cloud lookups; keeps one full run to about a minute.
CAP_BYTES = 3 * 1024 * 1024
CONFIDENT = 0.8
# A device seen in fewer frames than this (summed over the captures, from
# the labels' "N frames") is left out: a handful of frames from a lab
# neighbour cannot identify anything, and counting them would measure the
# lab, not Yamori.
MIN_FRAMES = 20
ROLES = ("labeled_device", "other_known_device", "protocol_labeled")


def split_of(mac):
    """Deterministic split: a device is held out when the first byte of the
    SHA-1 of its MAC is even. Never tune on the held-out part."""
    return "heldout" if hashlib.sha1(mac.encode()).digest()[0] % 2 == 0 else "tune"


def vendor_aliases(label):
    """'Blink (Amazon)' -> {'blink (amazon)', 'blink', 'amazon'}."""
    out = {label.lower()}
    for part in label.replace("(", "|").replace(")", "|").split("|"):
        part = part.strip().lower()
        if part:
            out.add(part)
            out.update(w for w in part.split() if len(w) > 2)
    return out


def vendor_ok(pred, label):
    if not pred:
        return False
    p = pred.lower()
    al = vendor_aliases(label)
    return p in al or any(a in p or p in a for a in al if len(a) > 2)


def pcap_ip_to_mac(path, ip):
    """The Ethernet source of frames sent from ip (classic pcap only)."""
    want = bytes(int(x) for x in ip.split("."))
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return None
        endian = "<" if hdr[:4] == b"\xd4\xc3\xb2\xa1" else ">"
        while True:
            rh = f.read(16)
            if len(rh) < 16:
                return None
            _, _, incl, _ = struct.unpack(endian + "IIII", rh)
            frame = f.read(incl)
            if len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[26:30] == want:
                return ":".join("%02x" % b for b in frame[6:12])


def devset():
    """{mac: {type, vendor, model, files[], source}}"""
    devs = {}
    rows = []
    with open(os.path.join(LABELED, "ALL_LABELS.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    rank = {r: i for i, r in enumerate(ROLES)}
    files_of = collections.defaultdict(list)
    frames = collections.Counter()
    for r in rows:
        m = re.search(r"(\d+) frames", r.get("evidence_in_capture", ""))
        if m:
            frames[r["device_mac"].lower()] += int(m.group(1))
        path = os.path.join(LABELED, r["subfolder"], r["file"])
        if path not in files_of[r["device_mac"]]:
            files_of[r["device_mac"]].append((rank.get(r["role"], 9), path))
        if r["role"] not in rank or r["device_type"] in ("", "unknown"):
            continue
        mac = r["device_mac"].lower()
        old = devs.get(mac)
        if old and rank[old["role"]] <= rank[r["role"]]:
            continue
        devs[mac] = {"type": r["device_type"], "vendor": r["vendor"], "model": r["model"],
                     "role": r["role"], "source": r["subfolder"]}
    for mac in [m for m in devs if m in frames and frames[m] < MIN_FRAMES]:
        del devs[mac]
    for mac, d in devs.items():
        # The device's own captures first, then the smaller ones it shows in.
        fl = sorted(set(files_of[mac]), key=lambda x: (x[0], os.path.getsize(x[1])))
        d["files"] = [p for _, p in fl]
    # NKU lifecycle captures, labeled by IP in device-IP.csv.
    nku = {"xiaodu_plug": ("smart_plug", "Xiaodu (Baidu)", "Xiaodu smart plug"),
           "xiaobai_Y2camera": ("camera", "Xiaobai", "Xiaobai Y2 camera")}
    csv = os.path.join(NKU, "device-IP.csv")
    if os.path.exists(csv):
        for line in open(csv).read().split("\n")[1:]:
            if "," not in line:
                continue
            name, ip = line.split(",", 1)
            if name not in nku:
                continue
            lc = os.path.join(NKU, name + "_lifecycle")
            files = sorted(os.path.join(lc, x) for x in os.listdir(lc) if x.endswith(".pcap"))
            files.sort(key=lambda p: (0 if "setup" in p else 1, os.path.getsize(p)))
            mac = None
            for p in files:
                mac = pcap_ip_to_mac(p, ip.strip())
                if mac:
                    break
            if mac:
                t, v, m = nku[name]
                devs[mac] = {"type": t, "vendor": v, "model": m, "role": "labeled_device",
                             "source": "nku", "files": files}
    return devs


def truncate_pcap(src, dst, limit):
    """Copies at most limit bytes of packets of a classic pcap."""
    with open(src, "rb") as f, open(dst, "wb") as o:
        hdr = f.read(24)
        o.write(hdr)
        endian = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        used = 24
        while used < limit:
            rh = f.read(16)
            if len(rh) < 16:
                break
            incl = struct.unpack(endian + "IIII", rh)[2]
            o.write(rh + f.read(incl))
            used += 16 + incl


def captures_for(d, tmp):
    out, left = [], CAP_BYTES
    for i, p in enumerate(d["files"]):
        if left <= 0:
            break
        size = os.path.getsize(p)
        if size > left:
            with open(p, "rb") as f:
                magic = f.read(4)
            if magic == b"\x0a\x0d\x0d\x0a":
                continue  # pcapng: whole or nothing
            dst = os.path.join(tmp, "cut%d.pcap" % i)
            truncate_pcap(p, dst, left)
            out.append(dst)
            left = 0
        else:
            out.append(p)
            left -= size
    return out


def replay(build, mac, d):
    with tempfile.TemporaryDirectory(prefix="ym-eval-") as tmp:
        args = [os.path.join(build, "daemon", "yamorid")]
        for p in captures_for(d, tmp):
            args += ["-r", p]
        state = os.path.join(tmp, "state")
        os.mkdir(state)
        args += ["--state-dir", state, "-c", "/dev/null"]
        r = subprocess.run(args, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            return {"error": r.stderr.strip()[-300:]}
        out = subprocess.run([os.path.join(build, "daemon", "yamorictl"), "--state-dir", state,
                              "devices", "--json"], capture_output=True, text=True)
        for dev in json.loads(out.stdout or "[]"):
            if dev["mac"].lower() == mac:
                return dev
    return {"error": "device not in inventory"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("heldout", "tune", "all"), default="heldout")
    ap.add_argument("--build", default=os.environ.get("YAMORI_BUILD", os.path.join(ROOT, "build")))
    ap.add_argument("--json", help="write per-device results here")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--why", action="store_true",
                    help="for each device not named right, print the evidence seen "
                         "(tune part only: the held-out part is for measuring)")
    a = ap.parse_args()
    if a.why and a.part != "tune":
        ap.error("--why only with --part tune")
    if not os.path.isdir(LABELED):
        print("skip: %s is absent" % LABELED)
        return 77
    devs = devset()
    chosen = {m: d for m, d in devs.items() if a.part == "all" or split_of(m) == a.part}
    results = {}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        futs = {ex.submit(replay, a.build, m, d): m for m, d in chosen.items()}
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]] = f.result()
    per = collections.defaultdict(lambda: collections.Counter())
    rows = []
    for mac in sorted(chosen, key=lambda m: (chosen[m]["type"], m)):
        d, got = chosen[mac], results[mac]
        gt, gv, conf = got.get("type", "unknown"), got.get("vendor", ""), got.get("confidence", 0)
        c = per[d["type"]]
        c["n"] += 1
        c["type_ok"] += gt == d["type"]
        c["vendor_ok"] += vendor_ok(gv, d["vendor"])
        c["unknown"] += gt == "unknown"
        c["wrong"] += gt not in ("unknown", d["type"])
        c["conf_wrong"] += gt not in ("unknown", d["type"]) and conf >= CONFIDENT
        # Not named right: is the right kind among those the household is
        # offered first ("What is this?", the device's "maybe")?
        maybe = got.get("maybe", [])
        if gt != d["type"]:
            c["missed"] += 1
            c["offered"] += d["type"] in maybe
            c["offered4"] += d["type"] in maybe[:4]
            c["offered_n"] += len(maybe)
        rows.append({"mac": mac, "label_type": d["type"], "label_vendor": d["vendor"],
                     "label_model": d["model"], "type": gt, "vendor": gv,
                     "model": got.get("model", ""), "confidence": conf,
                     "maybe": maybe,
                     "error": got.get("error", ""), "split": split_of(mac),
                     "evidence": got.get("evidence", [])})
        if a.verbose or a.why:
            mark = "ok " if gt == d["type"] else ("BAD" if gt != "unknown" else "unk")
            print("%s %s %-14s %-22s -> %-14s %-20s %-24s %.2f %s%s" % (
                mark, mac, d["type"], d["vendor"][:22], gt, gv[:20], got.get("model", "")[:24],
                conf, got.get("error", ""),
                "" if gt == d["type"] else " offered: " + ",".join(maybe)))
        if a.why and (gt != d["type"] or not vendor_ok(gv, d["vendor"])):
            ev = got.get("evidence", [])
            kinds = sorted({e["signal"] for e in ev})
            print("      signals seen: %s" % (", ".join(kinds) or "none"))
            for e in ev:
                print("      %-18s %-44s %s" % (e["signal"], e["value"][:44], e["conclusion"]))
            if not any(e["conclusion"].startswith("type") or "; type" in e["conclusion"]
                       for e in ev):
                print("      missing: nothing in its traffic names a kind of device")
    tot = collections.Counter()
    print("part: %s (%d devices; split = SHA-1(MAC)[0] even -> heldout)" % (a.part, len(chosen)))
    print("%-14s %3s %9s %9s %7s %7s %12s" % ("class", "n", "type ok", "vendor ok", "unknown",
                                            "wrong", "wrong>=0.8"))
    for cls in sorted(per):
        c = per[cls]
        tot.update(c)
        print("%-14s %3d %9d %9d %7d %7d %12d" % (cls, c["n"], c["type_ok"], c["vendor_ok"],
                                                   c["unknown"], c["wrong"], c["conf_wrong"]))
    n = max(tot["n"], 1)
    print("%-14s %3d %9d %9d %7d %7d %12d" % ("all", tot["n"], tot["type_ok"], tot["vendor_ok"],
                                               tot["unknown"], tot["wrong"], tot["conf_wrong"]))
    print("type %.0f%%  vendor %.0f%%  confidently wrong %d" % (
        100.0 * tot["type_ok"] / n, 100.0 * tot["vendor_ok"] / n, tot["conf_wrong"]))
    print("not named right %d: the right kind is among those offered first to the "
          "household for %d (among the first four for %d; %.1f kinds offered on average)" % (
              tot["missed"], tot["offered"], tot["offered4"],
              tot["offered_n"] / max(tot["missed"], 1)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
