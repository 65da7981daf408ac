#!/usr/bin/env python3
"""Checks po/ja.po against the rules of ../shared/PLAIN_JA.md that a test
can check: every msgid translated (J0), sentence length (J1), kanji per
sentence (J2), polite endings (J3) and katakana words from an allow-list
(J6). Labels (no sentence end) are held to the label length instead."""
import re
import sys

ALLOWED_KATAKANA = {
    # PLAIN_JA.md's allow-list and everyday words a household knows.
    "パスワード", "カメラ", "ルーター", "データ", "メーカー", "テレビ", "スマートフォン",
    "パソコン", "プリンター", "スピーカー", "スマートスピーカー", "ネットワーク", "ゲーム",
    "エアコン", "チャイム", "センサー", "タブレット", "アドレス", "コマンド", "ウイルス",
    "ボタン", "ランプ", "アプリ", "ケーブル", "カード",
}
POLITE_ENDINGS = ("です", "ます", "ました", "ません", "でした", "ください", "ましょう", "ますか", "ですか")
KATAKANA = re.compile(r"[\u30a0-\u30ffー]+")
KANJI = re.compile(r"[\u4e00-\u9fff]")


def entries(path):
    """Yields (msgid, [msgstr...]) with continuation lines joined."""
    text = open(path, encoding="utf-8").read()
    for block in text.split("\n\n"):
        cur, fields = None, {}
        for line in block.split("\n"):
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                cur = m.group(1)
                fields[cur] = m.group(2)
            elif line.startswith('"') and cur:
                fields[cur] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue  # the header
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        yield fields["msgid"], [decode(x) for x in strs]


def decode(s):
    return s.encode().decode("unicode_escape").encode("latin-1").decode()


def check(path):
    problems = []
    for msgid, strs in entries(path):
        for s in strs:
            if not s:
                problems.append("J0 untranslated: %r" % msgid)
                continue
            if s.startswith("使い方:"):
                continue  # command-line usage text
            for word in KATAKANA.findall(s):
                if word not in ALLOWED_KATAKANA:
                    problems.append("J6 katakana %r not on the allow-list: %r" % (word, s))
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


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "po/ja.po"
    found = check_kb(path) if path.endswith(".kb") else check(path)
    for p in found:
        print(p)
    print("%d problems in %s" % (len(found), path))
    sys.exit(1 if found else 0)
