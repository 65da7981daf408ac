#!/bin/sh
# Every user-facing string in the sources must be translated in po/ja.po.
set -eu
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --keyword=dngettext:2,3 \
	--from-code=UTF-8 -o "$tmp/yamori.pot" -f po/POTFILES.in
msgmerge -q --no-fuzzy-matching -o "$tmp/ja.po" po/ja.po "$tmp/yamori.pot"
stats=$(msgfmt --statistics -o /dev/null "$tmp/ja.po" 2>&1)
echo "$stats"
case "$stats" in
*untranslated* | *fuzzy*) exit 1 ;;
esac
