#!/bin/sh
# Checks the arrows between the daemon's modules (../shared/HOUSE.md):
#  1. no include circle between modules, and
#  2. the parts that only read or write the device record include device.h,
#     never the inventory.
# A module is a pair X.c/X.h. A file with no partner of its own named X-part
# (audit-proto.h, isolate-nft.c) belongs to module X when X.h exists: a
# module's private headers and extra sources are inside it, not arrows.
# X.c or X.h including "Y.h" is an arrow X -> Y; tsort finds the circles.
set -u
root=${1:-.}
d=$root/daemon
fail=0

module() {
	b=${1##*/}
	b=${b%.*}
	case $1 in
	*.c) partner=$d/$b.h ;;
	*) partner=$d/$b.c ;;
	esac
	p=${b%%-*}
	if [ ! -f "$partner" ] && [ "$p" != "$b" ] && [ -f "$d/$p.h" ]; then
		b=$p
	fi
	printf '%s\n' "$b"
}

includes() {
	sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

edges=$(mktemp)
loops=$(mktemp)
trap 'rm -f "$edges" "$loops"' EXIT
for f in "$d"/*.c "$d"/*.h; do
	from=$(module "$f")
	# Every module is a node, even one that includes nothing.
	printf '%s %s\n' "$from" "$from" >>"$edges"
	for h in $(includes "$f"); do
		[ -f "$d/$h" ] || continue
		to=$(module "$d/$h")
		[ "$from" = "$to" ] || printf '%s %s\n' "$from" "$to" >>"$edges"
	done
done
if ! tsort "$edges" >/dev/null 2>"$loops"; then
	echo "include circle between daemon modules:" >&2
	sed -n 's/^tsort: //p' "$loops" | grep -v 'input contains a loop' >&2
	fail=1
fi

# The device record's readers and writers do not include the inventory.
for m in identify store report alerts lifecycle sniff ctl; do
	for f in "$d/$m.c" "$d/$m.h"; do
		[ -f "$f" ] || continue
		if includes "$f" | grep -qx 'inventory.h'; then
			echo "${f#"$root"/} includes inventory.h; the record is" \
			     "in device.h" >&2
			fail=1
		fi
	done
done

[ "$fail" -eq 0 ] && echo "no include circles; the record's users include device.h"
exit "$fail"
