#!/usr/bin/env python3
"""Checks po/ja.po against the rules of ../shared/PLAIN_JA.md that a test
can check: every msgid translated (J0), sentence length (J1), kanji per
sentence (J2), polite endings (J3), katakana words from an allow-list or
explained once in brackets (J6), readings of hard words (J8), one spelling
per word, and no telnet/FTP/IP/MAC outside the "Details" page and the
command line. Labels (no sentence end) are held to the label length
instead; a reading or an explanation in brackets does not count.

With --sources ROOT it also checks the panel's sources: the trust line
(J11) on every screen that names it, and every button a verb (J12), at
most two per alert."""
import os
import re
import sys

ALLOWED_KATAKANA = {
    # PLAIN_JA.md's allow-list.
    "パスワード", "カメラ", "ルーター", "データ", "メーカー", "テレビ", "スマートフォン",
    "パソコン", "プリンター", "スピーカー",
    # Everyday things a household names the same way (JLPT N4-N5 level);
    # anything else is explained once in brackets: ウイルス(...)
    "スマートスピーカー", "ゲーム", "エアコン", "チャイム", "タブレット", "ボタン",
    "ランプ", "アプリ", "ケーブル", "カード",
}
# J8: hard words keep their reading in brackets at their first use in each
# text a screen shows.
READINGS = {
    "初期化": "しょきか",
    "初期設定": "しょきせってい",
    "型番": "かたばん",
    "窓口": "まどぐち",
}
# One spelling per word: the spelling to use, and the others.
SPELLINGS = [
    ("確かめ", re.compile(r"たしかめ")),
    ("とき", re.compile(r"(?<![日何同当])時(?![間刻計々])")),
]
# Technical words a household never needs: kept to the "Details" page and
# the command line (these msgids only).
TECHNICAL = re.compile(r"telnet|FTP|SSH|\bIP|MAC", re.I)
TECHNICAL_ALLOWED = {
    "IP address", "MAC address",  # the device page's "Details"
    "no device with that MAC address",  # yamorictl
    "give a MAC address like aa:bb:cc:dd:ee:ff",  # yamorictl
    "password checks over SSH",  # yamorictl status: "Not built in:"
}
BRACKETS = re.compile(r"[(（][^)）]*[)）]")
# J12: how a Japanese verb phrase ends (dictionary, negative and polite
# forms: 閉じる, 何もしない, 切りました, 使っています).
VERB_ENDINGS = ("う", "く", "ぐ", "す", "つ", "ぬ", "ぶ", "む", "る", "ない", "ます",
                "ました", "ません")
POLITE_ENDINGS = ("です", "ます", "ました", "ません", "でした", "ください", "ましょう", "ますか", "ですか")
KATAKANA = re.compile(r"[\u30a0-\u30ffー]+")
KANJI = re.compile(r"[\u4e00-\u9fff]")


def entries(path, with_context=False):
    """Yields (msgid, [msgstr...]) with continuation lines joined; with
    WITH_CONTEXT (msgctxt or None, msgid, [msgstr...]), msgid decoded."""
    text = open(path, encoding="utf-8").read()
    for block in text.split("\n\n"):
        cur, fields = None, {}
        for line in block.split("\n"):
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                cur = m.group(1)
                fields[cur] = m.group(2)
            elif line.startswith('"') and cur:
                fields[cur] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue  # the header
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        if with_context:
            yield fields.get("msgctxt"), decode(fields["msgid"]), [decode(x) for x in strs]
        else:
            yield fields["msgid"], [decode(x) for x in strs]


def decode(s):
    return s.encode().decode("unicode_escape").encode("latin-1").decode()


def explained_words(path):
    """Katakana words the catalogue explains once: ウイルス(悪さをする仕組み)."""
    words = set()
    for _, strs in entries(path):
        for s in strs:
            for m in re.finditer(r"([\u30a0-\u30ffー]+)[(（][^)）]*[^\u30a0-\u30ffー)）][^)）]*[)）]", s):
                words.add(m.group(1))
    return words


def check(path):
    problems = []
    explained = explained_words(path)
    for ctxt, msgid, strs in entries(path, with_context=True):
        for s in strs:
            if not s:
                problems.append("J0 untranslated: %r" % msgid)
                continue
            if s.startswith("使い方:"):
                continue  # command-line usage text
            # A maker's name (パナソニック) is a name, not a word to explain.
            for word in KATAKANA.findall(s) if ctxt != "maker" else ():
                if word not in ALLOWED_KATAKANA and word not in explained:
                    problems.append("J6 katakana %r not on the allow-list nor explained "
                                    "once: %r" % (word, s))
            for word, reading in READINGS.items():
                at = s.find(word)
                if at >= 0 and not s.startswith("(%s)" % reading, at + len(word)):
                    problems.append("J8 %r without its reading (%s) at its first use: %r" %
                                    (word, reading, s))
            for right, wrong in SPELLINGS:
                if wrong.search(s):
                    problems.append("spelling: write %r: %r" % (right, s))
            if TECHNICAL.search(s) and msgid not in TECHNICAL_ALLOWED:
                problems.append("technical word outside Details: %r" % s)
            # Readings and explanations in brackets do not count.
            s = BRACKETS.sub("", s)
            sentences = [x for x in re.split(r"(?<=。)", s.strip()) if x]
            for sent in sentences:
                if sent.endswith("。"):
                    body = sent[:-1]
                    if len(sent) > 30:
                        problems.append("J1 sentence over 30 characters: %r" % sent)
                    if len(KANJI.findall(sent)) > 13:
                        problems.append("J2 more than 13 kanji: %r" % sent)
                    if not body.endswith(POLITE_ENDINGS):
                        problems.append("J3 not a です/ます ending: %r" % sent)
                elif len(sent.strip()) > 12:
                    problems.append("label over 12 characters: %r" % sent)
    return problems


def kb_entries(path):
    """Yields the reset steps of a support knowledge base file as msgstrs."""
    for line in open(path, encoding="utf-8"):
        if line.strip().startswith("reset_ja"):
            steps = line.split("=", 1)[1].strip()
            yield path, [step for step in steps.split("|")]


def check_kb(path):
    """Every reset step is one plain sentence."""
    problems = []
    for _, steps in kb_entries(path):
        for step in steps:
            if not step.endswith("。"):
                problems.append("step is not one sentence: %r" % step)
            # Latin product names and readings in brackets are fine; the
            # sentence rules apply as for translations.
            body = re.sub(r"\(.*?\)", "", step)
            for word in KATAKANA.findall(body):
                if word not in ALLOWED_KATAKANA:
                    problems.append("J6 katakana %r not on the allow-list: %r" % (word, step))
            if len(step) > 30 + len(step) - len(body):
                problems.append("J1 step over 30 characters: %r" % step)
            if len(KANJI.findall(body)) > 13:
                problems.append("J2 more than 13 kanji: %r" % step)
            if not step.rstrip("。").endswith(POLITE_ENDINGS):
                problems.append("J3 not a です/ます ending: %r" % step)
    return problems


# -- the panel's sources: J11 and J12 ----------------------------------------

# The screens that must say the trust line (PLAIN_JA J11 and issue 19): every
# alert (ym_dialog_new), the alerts page, rule 2, the device page's password
# row, Settings, and the dialogs that ask for something.
TRUST_SCREENS = {
    "ui/ym-dialogs.c": "every alert",
    "ui/ym-alerts-page.c": "the alerts page",
    "ui/ym-rules-page.c": "rule 2",
    "ui/ym-device-detail.c": "the device page's password row",
    "ui/ym-settings-page.c": "Settings",
    "ui/ym-pin-dialog.c": "the PIN pad",
    "ui/ym-kind-dialog.c": "\"What is this?\"",
    "ui/ym-rename-dialog.c": "Rename",
}
TRUST_MSGIDS = ("This screen never asks you for money or passwords.",
                "This screen never asks you for money. The PIN you choose never "
                "leaves this box.")


def c_string(text):
    """The C string literal(s) at the start of TEXT, joined."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    return "".join(p.encode().decode("unicode_escape") for p in parts)


def button_labels(root):
    """(file, msgid) of every push button and alert response in the panel."""
    import glob
    import xml.etree.ElementTree as ET
    found = []
    for ui in sorted(glob.glob(os.path.join(root, "ui", "*.ui"))):
        name = os.path.relpath(ui, root)
        tree = ET.parse(ui)
        for obj in tree.iter("object"):
            # The rail's five screens are places, not actions.
            if obj.get("class") != "GtkButton" or name == "ui/ym-window.ui":
                continue
            for prop in obj.findall("property"):
                if prop.get("name") == "label" and prop.get("translatable") == "yes":
                    found.append((name, prop.text))
        for responses in tree.iter("responses"):
            items = responses.findall("response")
            if len(items) > 2:
                found.append((name, "J12: more than two buttons"))
            for r in items:
                found.append((name, r.text))
    call = re.compile(r"\b(button|gtk_button_new_with_label|add_response|add_responses)"
                      r"\s*\(([^;]*?)\)\s*[,;)]", re.S)
    for c in sorted(glob.glob(os.path.join(root, "ui", "*.c"))):
        name = os.path.relpath(c, root)
        text = open(c, encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for m in re.finditer(r"\b(?:button|gtk_button_new_with_label)\s*\(\s*_\(((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*\)", text):
            found.append((name, c_string(m.group(1))))
        for m in re.finditer(r"adw_message_dialog_add_responses?\s*\(([^;]*);", text, re.S):
            for lit in re.findall(r"_\(((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*\)", m.group(1)):
                found.append((name, c_string(lit)))
        # ym_dialog_confirm (parent, heading, body, LABEL, ...): its last
        # translated string is the label.
        for m in re.finditer(r"\bym_dialog_confirm\s*\(([^;]*);", text, re.S):
            lits = re.findall(r"_\(((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*\)", m.group(1))
            if lits:
                found.append((name, c_string(lits[-1])))
    return found


def check_sources(root, po):
    problems = []
    translated = {}
    for ctxt, msgid, strs in entries(po, with_context=True):
        if ctxt is None:  # a button's label has no context here
            translated[msgid] = strs[0] if strs else ""
    for f, screen in TRUST_SCREENS.items():
        text = open(os.path.join(root, f), encoding="utf-8").read()
        if not re.search(r"ym_dialogs_trust_line(_pin)?\s*\(", text):
            problems.append("J11 %s (%s) does not say the trust line" % (screen, f))
    for msgid in TRUST_MSGIDS:
        ja = translated.get(msgid, "")
        if "お金" not in ja:
            problems.append("J11 the trust line %r says nothing of money: %r" % (msgid, ja))
    seen = 0
    for f, msgid in button_labels(root):
        if msgid.startswith("J12:"):
            problems.append("%s %s" % (msgid, f))
            continue
        seen += 1
        ja = translated.get(msgid)
        if ja is None:
            problems.append("J12 %s: button %r has no translation" % (f, msgid))
        elif not BRACKETS.sub("", ja).rstrip("。").endswith(VERB_ENDINGS):
            problems.append("J12 %s: button %r is not a verb: %r" % (f, msgid, ja))
    if seen < 20:
        problems.append("J12 only %d buttons found in %s: the scan is broken" % (seen, root))
    return problems


if __name__ == "__main__":
    args = sys.argv[1:]
    root = None
    if "--sources" in args:
        i = args.index("--sources")
        root = args[i + 1]
        del args[i:i + 2]
    path = args[0] if args else "po/ja.po"
    found = check_kb(path) if path.endswith(".kb") else check(path)
    if root:
        found += check_sources(root, path)
    for p in found:
        print(p)
    print("%d problems in %s" % (len(found), path))
    sys.exit(1 if found else 0)
