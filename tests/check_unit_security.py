#!/usr/bin/env python3
"""yamorid.service's exposure as systemd rates it must stay at 2.0 or lower,
alone and with the nft isolation drop-in (CAP_NET_ADMIN) applied.

Usage: check_unit_security.py UNIT [DROPIN...]
Runs `systemd-analyze security --offline=true` on the unit, then on a copy
with each drop-in appended (the same settings, as systemd merges them), and
parses "Overall exposure level for NAME: N.N". Exit 77 (skipped) where
systemd-analyze has no --offline (systemd < 250).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

LIMIT = 2.0


def exposure(path):
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", path],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", r.stdout)
    if not m:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("no exposure figure from systemd-analyze for %s" % path)
    return float(m.group(1))


def main():
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze is not installed")
        return 77
    probe = subprocess.run(["systemd-analyze", "security", "--help"],
                           capture_output=True, text=True)
    if "--offline" not in probe.stdout:
        print("systemd-analyze has no --offline")
        return 77
    unit, dropins = sys.argv[1], sys.argv[2:]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        variants = [("as shipped", unit)]
        for d in dropins:
            merged = os.path.join(tmp, os.path.basename(unit))
            with open(unit) as f, open(d) as g, open(merged, "w") as out:
                out.write(f.read() + "\n" + g.read())
            variants.append(("with " + os.path.basename(d), merged))
        for name, path in variants:
            figure = exposure(path)
            ok = figure <= LIMIT
            failed |= not ok
            print("%s %s: exposure %.1f (limit %.1f)" % ("ok" if ok else "FAIL",
                                                       name, figure, LIMIT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
