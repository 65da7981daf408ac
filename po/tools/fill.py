#!/usr/bin/env python3
"""Fills empty msgstr entries of a .po file from a JSON map msgid -> msgstr.
Used when new strings arrive: msgmerge, then fill, then review by hand."""
import json
import re
import sys


def unquote(lines):
    return "".join(json.loads(l) for l in lines)


def quote(s):
    return json.dumps(s, ensure_ascii=False)


def main(po_path, map_path):
    tr = json.load(open(map_path, encoding="utf-8"))
    out = []
    for block in open(po_path, encoding="utf-8").read().split("\n\n"):
        lines = block.split("\n")
        try:
            i = next(k for k, l in enumerate(lines) if l.startswith("msgid "))
        except StopIteration:
            out.append(block)
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith('"'):
            j += 1
        msgid = unquote([lines[i][6:]] + lines[i + 1:j])
        if j < len(lines) and lines[j].startswith("msgstr ") and msgid in tr:
            k = j + 1
            while k < len(lines) and lines[k].startswith('"'):
                k += 1
            if unquote([lines[j][7:]] + lines[j + 1:k]) == "":
                lines[j:k] = ["msgstr " + quote(tr[msgid])]
        out.append("\n".join(lines))
    open(po_path, "w", encoding="utf-8").write("\n\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
