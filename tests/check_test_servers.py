#!/usr/bin/env python3
"""The test servers ./run.sh test installs (sshd, vsftpd, lighttpd...) must
never start on the host: the tests run the programs in namespaces, not the
services. Every systemd unit those packages ship must be masked (a link to
/dev/null in /etc/systemd/system) and enabled nowhere (no link in a .wants/
or .requires/ directory), and no SysV start link may be left for them.

Exit 0 when so, 1 with the offending units listed, 77 (skipped) when none
of the packages is installed.

Usage: check_test_servers.py [ROOT] (default /; a root to check another tree)
"""
import glob
import os
import subprocess
import sys

# Keep in step with SERVER_PACKAGES in run.sh.
PACKAGES = ["openssh-server", "vsftpd", "lighttpd", "lighttpd-mod-openssl",
            "dnsmasq-base"]
UNIT_DIRS = ("/lib/systemd/system/", "/usr/lib/systemd/system/")
UNIT_SUFFIXES = (".service", ".socket", ".timer", ".path")


def shipped_files(root, pkg):
    """The files of an installed package, from dpkg's list; None if absent."""
    path = os.path.join(root, "var/lib/dpkg/info")
    for name in (pkg + ".list", pkg + ":amd64.list", pkg + ":arm64.list"):
        try:
            with open(os.path.join(path, name)) as f:
                return [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            continue
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/"
    etc = os.path.join(root, "etc/systemd/system")
    units, installed = set(), []
    for pkg in PACKAGES:
        files = shipped_files(root, pkg)
        if files is None:
            continue
        installed.append(pkg)
        for f in files:
            if f.startswith(UNIT_DIRS) and f.endswith(UNIT_SUFFIXES):
                units.add(os.path.basename(f))
    if not installed:
        print("none of %s is installed; nothing to check" % ", ".join(PACKAGES))
        return 77
    problems = []
    for u in sorted(units):
        link = os.path.join(etc, u)
        if not (os.path.islink(link) and os.readlink(link) == "/dev/null"):
            problems.append("%s is not masked" % u)
        for d in glob.glob(os.path.join(etc, "*.wants")) + \
                glob.glob(os.path.join(etc, "*.requires")):
            if os.path.lexists(os.path.join(d, u)):
                problems.append("%s is enabled (%s)" % (u, os.path.relpath(d, etc)))
    # SysV start links ("S" links) would start them on a machine without
    # systemd.
    for script in ("ssh", "vsftpd", "lighttpd"):
        for link in glob.glob(os.path.join(root, "etc/rc[2-5].d/S??" + script)):
            problems.append("SysV start link %s" % link)
    # Where systemd can say, it must agree.
    if root == "/" and units:
        try:
            out = subprocess.run(["systemctl", "--root=/", "is-enabled"] + sorted(units),
                                 capture_output=True, text=True, timeout=60)
            for u, state in zip(sorted(units), out.stdout.split()):
                if state not in ("masked", "masked-runtime"):
                    problems.append("systemctl says %s is %s" % (u, state))
        except (FileNotFoundError, subprocess.TimeoutExpired):
            pass
    print("installed: %s; units: %s" % (", ".join(installed), ", ".join(sorted(units)) or "none"))
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
