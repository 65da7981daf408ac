#!/bin/sh
# Checks the arrows between the daemon's modules (../shared/HOUSE.md):
#  1. no include circle between modules, and
#  2. the parts that only read or write the device record include device.h,
#     never the inventory.
# A module is a pair X.c/X.h in one folder of daemon/. A file with no
# partner of its own named X-part (audit-proto.h, isolate-nft.c) belongs to
# module X when X.h exists beside it: a module's private headers and extra
# sources are inside it, not arrows. X.c or X.h including "Y.h" (found in
# any folder of daemon/) is an arrow X -> Y; tsort finds the circles.
set -u
root=${1:-.}
d=$root/daemon
fail=0

module() {
	dir=${1%/*}
	b=${1##*/}
	b=${b%.*}
	case $1 in
	*.c) partner=$dir/$b.h ;;
	*) partner=$dir/$b.c ;;
	esac
	p=${b%%-*}
	if [ ! -f "$partner" ] && [ "$p" != "$b" ] && [ -f "$dir/$p.h" ]; then
		b=$p
	fi
	printf '%s\n' "$b"
}

includes() {
	sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"
}

# The daemon's own header of that name, in whichever folder it lives.
header() {
	find "$d" -name "$1" -type f | head -n 1
}

edges=$(mktemp)
loops=$(mktemp)
trap 'rm -f "$edges" "$loops"' EXIT
for f in $(find "$d" -name '*.[ch]' -type f | sort); do
	from=$(module "$f")
	# Every module is a node, even one that includes nothing.
	printf '%s %s\n' "$from" "$from" >>"$edges"
	for h in $(includes "$f"); do
		path=$(header "$h")
		[ -n "$path" ] || continue
		to=$(module "$path")
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
	for f in $(find "$d" -name "$m.c" -o -name "$m.h"); do
		if includes "$f" | grep -qx 'inventory.h'; then
			echo "${f#"$root"/} includes inventory.h; the record is" \
			     "in device.h" >&2
			fail=1
		fi
	done
done

[ "$fail" -eq 0 ] && echo "no include circles; the record's users include device.h"
exit "$fail"
