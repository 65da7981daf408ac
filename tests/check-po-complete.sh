#!/bin/sh
# Every user-facing string in the sources must be translated in po/ja.po:
# C files through xgettext's C parser, GtkBuilder .ui files through Glade.
set -eu
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
grep '\.c$' po/POTFILES.in >"$tmp/c-files" || true
grep '\.ui$' po/POTFILES.in >"$tmp/ui-files" || true
xgettext --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=ngettext:1,2 \
	--keyword=dngettext:2,3 --from-code=UTF-8 -o "$tmp/c.pot" -f "$tmp/c-files"
if [ -s "$tmp/ui-files" ]; then
	xgettext -L Glade --from-code=UTF-8 -o "$tmp/ui.pot" -f "$tmp/ui-files"
	msgcat -o "$tmp/yamori.pot" "$tmp/c.pot" "$tmp/ui.pot"
else
	cp "$tmp/c.pot" "$tmp/yamori.pot"
fi
msgmerge -q --no-fuzzy-matching -o "$tmp/ja.po" po/ja.po "$tmp/yamori.pot"
stats=$(msgfmt --statistics -o /dev/null "$tmp/ja.po" 2>&1)
echo "$stats"
case "$stats" in
*untranslated* | *fuzzy*) exit 1 ;;
esac
