"""What the knowledge checks share (identify-nmap-check.py,
identify-satori-check.py): replaying one written capture of many devices
through yamorid, judging each device's type against the types a public
base allows for it, and printing the table.

Each check writes one device per entry of its base, from a MAC block no
rule knows, so a device is named by what it says and by nothing else."""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CONFIDENT = 0.8

sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import mkhome as H  # noqa: E402,F401  (the checks write their captures with it)


def replay(build, net, name):
    """Writes net's frames as one capture, replays it through yamorid
    in a fresh state directory and returns its devices by MAC."""
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, name + ".pcap")
        H.write_pcap(pcap, 1700000000, net.frames())
        d = os.path.join(tmp, "st")
        os.mkdir(d)
        r = subprocess.run([os.path.join(build, "daemon", "yamorid"), "-r", pcap,
                            "--state-dir", d, "-c", "/dev/null"],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("yamorid: " + r.stderr)
        out = subprocess.run([os.path.join(build, "daemon", "yamorictl"), "--state-dir", d,
                              "devices", "--json"], capture_output=True, text=True, check=True)
    devs = json.loads(out.stdout)
    devs = devs.get("devices", devs) if isinstance(devs, dict) else devs
    return {x["mac"]: x for x in devs}


def judge(tally, cls, allowed, kind, dev):
    """Counts one device of the base's class cls under tally[cls]: right
    (a type in allowed), unknown, or wrong (and wrong at confidence
    >= 0.8); kind counts the kind of text it was written from. Returns
    (result, type, confidence)."""
    ty, conf = (dev["type"], dev["confidence"]) if dev else ("unknown", 0.0)
    res = "unknown" if ty == "unknown" else "right" if ty in allowed else "wrong"
    c = tally[cls]
    c["n"] += 1
    c[res] += 1
    c[kind] += 1
    if res == "wrong" and conf >= CONFIDENT:
        c["wrong>=0.8"] += 1
    return res, ty, conf


def print_table(title, tally, kinds):
    """One line per class and a total; the kinds' counts in brackets."""
    row = "%-22s %5d %6d %8d %6d %11d"
    print("%-22s %5s %6s %8s %6s %11s   (%s)" % (title, "n", "right", "unknown", "wrong",
                                               "wrong>=0.8", "/".join(kinds)))
    total = collections.Counter()
    for cls in sorted(tally):
        c = tally[cls]
        total.update(c)
        print(row % (cls, c["n"], c["right"], c["unknown"], c["wrong"], c["wrong>=0.8"]) +
              "   (%s)" % "/".join(str(c[k]) for k in kinds))
    print(row % ("all", total["n"], total["right"], total["unknown"], total["wrong"],
                 total["wrong>=0.8"]))


def main(doc, tsv, measure, title, kinds):
    """The checks' command line: --build DIR, --verbose; exit 77 when the
    base (../shared) is absent."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(tsv):
        print("skip: %s is absent" % tsv, file=sys.stderr)
        return 77
    print_table(title, measure(a.build, a.verbose), kinds)
    return 0
