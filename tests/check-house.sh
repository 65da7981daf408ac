#!/bin/sh
# The nevers of ../shared/HOUSE.md, each as a grep over the tree as it is
# laid out (daemon/proto, model, judge, audit, isolate; the spine, face and
# base in daemon/ itself; the panel in ui/). A failure names the rule and
# the lines that break it.
set -u
root=${1:-.}
d=$root/daemon
fail=0

# never RULE HITS: prints the lines that break RULE, if any, and fails.
never() {
	if [ -n "$2" ]; then
		echo "NEVER broken: $1" >&2
		printf '%s\n' "$2" >&2
		fail=1
	fi
}

includes_of() { # "file:line:#include "x.h"" for each include of FILES
	grep -Hn '^#[[:space:]]*include[[:space:]]*"' "$@" 2>/dev/null
}

hits=$(grep -rln 'sqlite3_' "$d" | grep -vE "^$d/store(-[a-z]+)?\.c$|^$d/store-private\.h$")
never "only the store (daemon/store*.c) calls sqlite3_*" "$hits"

hits=$(grep -rnE '^#[[:space:]]*include[[:space:]]*<(gtk/|adwaita|glib|gio/|json-glib)' \
	"$d" --include='*.[ch]')
never "the daemon includes no GTK, GLib or json-glib" "$hits"

hits=$(includes_of "$root"/ui/*.c "$root"/ui/*.h | grep -v '#include "ym-')
never "the panel includes no daemon header (it speaks the socket)" "$hits"

hits=$(grep -nE 'ym_(store|inventory|alerts|identify|api|device|sniff|detect)_' \
	"$d"/proto/*.c "$d"/proto/*.h)
never "parsers never call store, inventory, alerts, identify or api" "$hits"

hits=$(includes_of "$d"/proto/* |
	grep -vE '"(decode|dhcp|dns|edimax|lldp|p0f|smarter|ssdp|tplink|wps|util|ym-limits)\.h"')
never "parsers include only parsers and the base" "$hits"

hits=$(grep -n 'ym_store_' "$d"/model/*.c "$d"/judge/detect.c \
	"$d"/judge/intel.c "$d"/judge/lifecycle.c "$d"/judge/support.c)
never "the model and the judge (but alerts.c) never call ym_store_*" "$hits"

hits=$(includes_of "$d"/audit/* "$d"/isolate/* |
	grep -E '"(store|device|inventory|identify|flow|sniff|detect|alerts|lifecycle|intel|support|engine[a-z-]*|api|report)\.h"')
never "audit and isolate never include the store, the model or the judge" "$hits"

hits=$(includes_of "$d"/judge/* | grep -E '"(audit[a-z-]*|isolate[a-z-]*)\.h"')
never "detection never includes audit or isolate" "$hits"

hits=$(includes_of "$d"/model/* |
	grep -E '"(detect|intel|lifecycle|support|alerts|store|api|report|engine[a-z-]*|audit[a-z-]*|isolate[a-z-]*)\.h"')
never "the model never includes the judge, the store, the face or the act" "$hits"

hits=$(includes_of "$d"/store.c "$d"/store-*.c "$d"/store*.h |
	grep -E '"(detect|intel|lifecycle|support|alerts|engine[a-z-]*)\.h"')
never "the store never includes the judge or the engine" "$hits"

hits=$(includes_of "$d"/util.[ch] "$d"/config.[ch] "$d"/i18n.[ch] "$d"/evlog.[ch] \
	"$d"/datafile.[ch] "$d"/bundle*.[ch] "$d"/ym-limits.h |
	grep -vE '"(util|config|i18n|datafile|evlog|bundle[a-z-]*|ym-limits)\.h"')
never "the base includes nothing above it" "$hits"

[ "$fail" -eq 0 ] && echo "every never of HOUSE.md holds"
exit "$fail"
