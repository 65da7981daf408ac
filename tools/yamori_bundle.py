#!/usr/bin/env python3
"""Builds a signed Yamori data bundle from a data directory.

    tools/yamori_bundle.py --data data --version 7 --days 90 \\
                           --key ~/.minisign/isp.key -o yamori-data-7.tar

The bundle is an uncompressed POSIX tar holding "manifest" (format, version,
created, expires, and every file with its SHA-256 and size),
"manifest.minisig" (minisign's signature of the manifest, made by the
standard `minisign -S`), and the files of fingerprints/, support/, intel/
and credentials/. Install it with `yamorictl update FILE` or serve it at the
config's update_url. docs/DATA.md has the details.

Also a module: the integration tests build good and bad bundles with it.
"""
import argparse
import datetime
import hashlib
import io
import os
import subprocess
import sys
import tarfile

DATA_DIRS = ("fingerprints", "support", "intel", "credentials")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def data_files(root):
    """{relative path: bytes} of every regular file under the data dirs."""
    out = {}
    for top in DATA_DIRS:
        base = os.path.join(root, top)
        for dirpath, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and d != "__pycache__")
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                rel = os.path.relpath(path, root)
                with open(path, "rb") as f:
                    out[rel] = f.read()
    return out


def manifest(files, version, created, expires):
    """The manifest text (bytes) for {path: bytes}."""
    lines = ["yamori-bundle 1", "version %d" % version,
             "created " + iso(created), "expires " + iso(expires)]
    for path in sorted(files):
        data = files[path]
        lines.append("file %s %d %s" % (hashlib.sha256(data).hexdigest(),
                                        len(data), path))
    return ("\n".join(lines) + "\n").encode()


def sign(text, key, workdir, password=None):
    """minisign's signature file (bytes) of text, made with key."""
    path = os.path.join(workdir, "manifest")
    with open(path, "wb") as f:
        f.write(text)
    sig = path + ".minisig"
    if os.path.exists(sig):
        os.unlink(sig)
    subprocess.run(["minisign", "-S", "-s", key, "-m", path, "-x", sig,
                    "-t", "yamori data bundle"],
                   input=(password + "\n").encode() if password else None,
                   check=True, stdout=subprocess.DEVNULL)
    with open(sig, "rb") as f:
        return f.read()


def tar(entries):
    """A ustar archive (bytes) of [(name, bytes)], in that order."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build(files, version, key, workdir, days=90, created=None,
          password=None, expires=None):
    """A complete signed bundle (bytes)."""
    created = created or datetime.datetime.now(datetime.timezone.utc)
    expires = expires or created + datetime.timedelta(days=days)
    text = manifest(files, version, created, expires)
    sig = sign(text, key, workdir, password)
    return tar([("manifest", text), ("manifest.minisig", sig)] +
               sorted(files.items()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the data directory")
    ap.add_argument("--version", type=int, required=True,
                    help="bundle version, above every earlier one")
    ap.add_argument("--days", type=int, default=90,
                    help="days until the data counts as out of date")
    ap.add_argument("--key", required=True, help="minisign secret key")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    workdir = os.path.dirname(os.path.abspath(args.output))
    data = build(data_files(args.data), args.version, args.key, workdir,
                 args.days)
    with open(args.output, "wb") as f:
        f.write(data)
    for name in ("manifest", "manifest.minisig"):
        os.unlink(os.path.join(workdir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
