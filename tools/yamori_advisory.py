#!/usr/bin/env python3
"""Makes the ISP's advisories for the boxes (docs/FLEET.md): the payload
to publish, retained, on ROOT/advisory of the fleet broker.

  yamori_advisory.py notice --key isp.key --version 3 --days 30 \\
      --ja "このカメラには弱点が見つかりました。更新してください。" \\
      [--en "..."] [--maker M --model M] > advisory.json
  yamori_advisory.py bundle yamori-data-7.tar > advisory.json
  mosquitto_pub ... -r -q 1 -t yamori/advisory -f advisory.json

A notice is signed text (minisign, the key of the data bundles); a bundle
is the signed data bundle of yamorictl update, as it is. The box refuses
an advisory that is not signed by a key it trusts, altered, older than the
one it has (rolled back) or expired, and logs the refusal."""
import argparse
import base64
import datetime
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yamori_bundle as yb  # noqa: E402


def notice_text(version, created, expires, ja, en=None, maker=None,
                model=None):
    """The text a notice signs (str)."""
    lines = ["yamori-notice 1", "version %d" % version,
             "created " + yb.iso(created), "expires " + yb.iso(expires),
             "ja " + ja]
    if en:
        lines.append("en " + en)
    if maker:
        lines.append("maker " + maker)
    if model:
        lines.append("model " + model)
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError("a notice line holds a line break")
    return "\n".join(lines) + "\n"


def notice(text, key, password=None):
    """The advisory (bytes) for the notice text, signed with key."""
    with tempfile.TemporaryDirectory() as d:
        sig = yb.sign(text.encode(), key, d, password)
    return json.dumps({"kind": "notice", "notice": text,
                       "minisig": sig.decode()}, ensure_ascii=False).encode()


def bundle(data):
    """The advisory (bytes) for a signed bundle (bytes)."""
    return json.dumps({"kind": "bundle",
                       "bundle": base64.b64encode(data).decode()}).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    n = sub.add_parser("notice")
    n.add_argument("--key", required=True)
    n.add_argument("--version", type=int, required=True)
    n.add_argument("--days", type=int, default=30)
    n.add_argument("--ja", required=True)
    n.add_argument("--en")
    n.add_argument("--maker")
    n.add_argument("--model")
    b = sub.add_parser("bundle")
    b.add_argument("file")
    a = ap.parse_args()
    if a.what == "notice":
        now = datetime.datetime.now(datetime.timezone.utc)
        text = notice_text(a.version, now,
                           now + datetime.timedelta(days=a.days), a.ja, a.en,
                           a.maker, a.model)
        out = notice(text, a.key)
    else:
        with open(a.file, "rb") as f:
            out = bundle(f.read())
    sys.stdout.buffer.write(out)


if __name__ == "__main__":
    main()
