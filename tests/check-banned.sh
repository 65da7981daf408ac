#!/bin/sh
# Fails when C sources (daemon, panel, tests, bench) call functions STYLE.md bans (unbounded or unchecked).
root=${1:-.}
if grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|gets)[[:space:]]*\(' \
	"$root/daemon" "$root/ui" "$root/tests" "$root/bench" --include='*.c' --include='*.h'; then
	echo "banned functions found (use snprintf, strtoul, strtok_r ...)" >&2
	exit 1
fi
echo "no banned functions"
