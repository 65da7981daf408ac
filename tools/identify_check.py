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
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("YAMORI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CONFIDENT = 0.8
# The MAC block the checks write devices from: its registry name is the
# vendor of a device nothing else names.
BLOCK_VENDOR = "CIMSYS"

sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import mkhome as H  # noqa: E402,F401  (the checks write their captures with it)


def load_tool(name):
    """A measuring tool of tools/ (its file name has dashes) as a module."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name.replace("-", "_")[:-3],
                                                  os.path.join(ROOT, "tools", name))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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


def brands():
    """The brands plausible.rules knows, lower case."""
    out = set()
    with open(os.path.join(ROOT, "data", "fingerprints", "plausible.rules")) as fh:
        for line in fh:
            m = re.match(r'plausible\s+(?:"([^"]+)"|(\S+))', line)
            if m:
                out.add((m.group(1) or m.group(2)).lower())
    return out


def names_brand(text, brand):
    return re.search(r"(?<![a-z0-9])%s(?![a-z0-9])" % re.escape(brand), text.lower()) is not None


def judge(tally, cls, allowed, kind, dev, says="", known=frozenset()):
    """Counts one device of the base's class cls under tally[cls]: right
    (a type in allowed), unknown, or wrong (and wrong at confidence
    >= 0.8); kind counts the kind of text it was written from. When the
    base's own words for the device (says) name a brand Yamori knows and
    Yamori named another maker that those words do not name, the vendor
    is counted as "vendor wrong". Returns (result, type, confidence)."""
    ty, conf = (dev["type"], dev["confidence"]) if dev else ("unknown", 0.0)
    res = "unknown" if ty == "unknown" else "right" if ty in allowed else "wrong"
    c = tally[cls]
    c["n"] += 1
    c[res] += 1
    c[kind] += 1
    if res == "wrong" and conf >= CONFIDENT:
        c["wrong>=0.8"] += 1
    vendor = dev["vendor"] if dev else ""
    if vendor and not vendor.startswith(BLOCK_VENDOR):
        theirs = [b for b in known if names_brand(says, b)]
        ours = [w for w in re.split(r"[\s()]+", vendor.lower()) if len(w) > 1]
        if theirs and not any(w in says.lower() for w in ours):
            c["vendor wrong"] += 1
    return res, ty, conf


def print_table(title, tally, kinds):
    """One line per class and a total; the kinds' counts in brackets."""
    row = "%-22s %5d %6d %8d %6d %11d %13d"
    print("%-22s %5s %6s %8s %6s %11s %13s   (%s)" % (
        title, "n", "right", "unknown", "wrong", "wrong>=0.8", "vendor wrong", "/".join(kinds)))
    total = collections.Counter()
    for cls in sorted(tally):
        c = tally[cls]
        total.update(c)
        print(row % (cls, c["n"], c["right"], c["unknown"], c["wrong"], c["wrong>=0.8"],
                     c["vendor wrong"]) + "   (%s)" % "/".join(str(c[k]) for k in kinds))
    print(row % ("all", total["n"], total["right"], total["unknown"], total["wrong"],
                 total["wrong>=0.8"], total["vendor wrong"]))


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
