#!/usr/bin/env python3
"""Measures what Yamori makes of ordinary words as device names.

A household names its own computers and phones after people ("Carlos-PC",
"Augustine's laptop") and sometimes after anything at all ("workforce",
"Smokey"); a maker's word or a kind word inside such a name ("Arlo" in
Carlos, "smoke" in Smokey) must not make the device an Arlo camera or a
smoke alarm. This script writes each word of the system's word list
(/usr/share/dict/words, Debian's wamerican) as the DHCP host name of one
device from a MAC block no rule knows, in three forms: the bare word
(every word), and a proper noun as its owner's PC ("Augustine-PC") and
laptop ("Augustines-Laptop"). It replays them through yamorid and prints,
per form, how many came out with a type, with a type at confidence >= 0.8,
with a type other than a computer (the PC forms), and with a maker; -v
lists them.

    tools/identify-names-check.py [--build DIR] [--verbose]

Exit status 0; 77 when the word list is absent.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import identify_check as C  # noqa: E402

H = C.H
WORDS = os.environ.get("YAMORI_WORDS", "/usr/share/dict/words")
BATCH = 2000
FORMS = ("word", "-PC", "s-Laptop")


def names():
    """(form, host name) for each usable word of the list."""
    words = set()
    with open(WORDS, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            w = line.strip()
            if len(w) >= 3 and w.isascii() and w.isalpha():
                words.add(w)
    for w in sorted(words):
        yield "word", w
        if w[0].isupper():
            yield "-PC", w + "-PC"
            yield "s-Laptop", w + "s-Laptop"


def replay_names(build, todo):
    """{host name: device} for the names, in batches of one capture each."""
    out = {}
    for b in range(0, len(todo), BATCH):
        net = H.Net(3)
        t = 1.0
        macs = {}
        for i, (_form, name) in enumerate(todo[b:b + BATCH]):
            mac = "00:11:22:%02x:%02x:%02x" % (0x60, i >> 8 & 255, i & 255)
            opts = [(53, b"\x03"), (12, name.encode()), (55, bytes([1, 3, 6, 15]))]
            msg = H.dhcp_msg(1, 0x5a7e0001 + i, H.MAC(mac), opts)
            net.udp(t, H.Host("zero", mac, "0.0.0.0"), H.M_BCAST, 68, 67, msg)
            t += 0.01
            macs[mac] = name
        got = C.replay(build, net, "names")
        for mac, name in macs.items():
            out[name] = got.get(mac)
    return out


def measure(build, verbose=False):
    """Per form: Counter of n, typed, typed>=0.8, not a computer (the PC
    forms: a type other than computer), maker; and the lists of each."""
    todo = list(names())
    got = replay_names(build, todo)
    tally = collections.defaultdict(collections.Counter)
    lists = collections.defaultdict(list)
    for form, name in todo:
        x = got.get(name)
        c = tally[form]
        c["n"] += 1
        if not x:
            c["missing"] += 1
            continue
        vendor = "" if x["vendor"].startswith(C.BLOCK_VENDOR) else x["vendor"]
        line = "%-26s -> %-12s %.2f %s" % (name, x["type"], x["confidence"], vendor)
        if x["type"] != "unknown":
            c["typed"] += 1
            if x["confidence"] >= C.CONFIDENT:
                c["typed>=0.8"] += 1
                lists[form, "typed>=0.8"].append(line)
            if form != "word" and x["type"] != "computer":
                c["not a computer"] += 1
                lists[form, "not a computer"].append(line)
        if vendor:
            c["maker"] += 1
            lists[form, "maker"].append(line)
        if verbose and (x["type"] != "unknown" or vendor):
            print(line)
    return tally, lists


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(C.ROOT, "build"))
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(WORDS):
        print("skip: %s is absent (Debian: apt install wamerican)" % WORDS, file=sys.stderr)
        return 77
    tally, _lists = measure(a.build, a.verbose)
    print("%-10s %7s %7s %11s %15s %7s %8s" % ("form", "n", "typed", "typed>=0.8",
                                              "not a computer", "maker", "missing"))
    for form in FORMS:
        c = tally[form]
        print("%-10s %7d %7d %11d %15s %7d %8d" % (
            form, c["n"], c["typed"], c["typed>=0.8"],
            "-" if form == "word" else c["not a computer"], c["maker"], c["missing"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
