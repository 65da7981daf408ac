#!/usr/bin/env bash
# bench/router-memory.sh: peak memory (RSS) of the router build of yamorid
# (OpenWrt's: every optional part off, ./run.sh test's build-min) against
# the budget of 48 MB on a 256 MB router; the figures in
# docs/PERFORMANCE.md ("On a router").
#
#   bench/router-memory.sh [--build DIR] [CAPTURE...]
#
# Captures (without CAPTURE arguments):
#   benchmark  tests/fixtures/mkhome.py --big 500000, bench/run.sh's
#              generated capture (most flows new);
#   household  bench/mkhousehold.py: a day of a 50-device household;
#   soak       tests/fixtures/mksoak.py: a day of eight devices with floods
#              of random MACs and port scans every 4 hours (the tables at
#              their caps: the worst case).
# They are written once into BUILD/bench-captures and reused.
#
# Each capture is replayed (yamorid -r, a fresh state directory) with two
# configurations: "router", the shipped UCI file
# (packaging/openwrt/files/yamori.config) rendered by yamori-uci2conf
# (isolate = none here, since the minimal build has no nftables), and
# "defaults" (no config file). Peak RSS is GNU time's %M (the kernel's
# high-water mark of the process), the largest of BENCH_RUNS runs (default
# 2). The last thing printed is Markdown for docs/PERFORMANCE.md. Exit 1
# when a figure is over BUDGET_MB (default 48).
set -euo pipefail
export LC_ALL=C

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$repo/build-min
if [[ ${1:-} == --build ]]; then
	build=$(cd "$2" && pwd)
	shift 2
fi
runs=${BENCH_RUNS:-2}
budget_mb=${BUDGET_MB:-48}
yamorid=$build/daemon/yamorid
yamorictl=$build/daemon/yamorictl
gnutime=/usr/bin/time
[[ -x $yamorid ]] || { echo "no $yamorid (build it: see docs/BUILDING.md)" >&2; exit 1; }
[[ -x $gnutime ]] || { echo "GNU time is needed ($gnutime)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ym-router-mem.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

captures=()
if [[ $# -gt 0 ]]; then
	captures=("$@")
else
	cache=$build/bench-captures
	mkdir -p "$cache"
	if [[ ! -s $cache/big.pcap ]]; then
		python3 "$repo/tests/fixtures/mkhome.py" --out "$cache/mkhome" --big 500000 >&2
		mv "$cache/mkhome/big.pcap" "$cache/big.pcap"
		rm -rf "$cache/mkhome"
	fi
	if [[ ! -s $cache/household.pcap ]]; then
		python3 "$repo/bench/mkhousehold.py" --out "$cache" >&2
	fi
	if [[ ! -s $cache/soak.pcap ]]; then
		python3 "$repo/tests/fixtures/mksoak.py" --out "$cache" >&2
	fi
	captures=("$cache/big.pcap" "$cache/household.pcap" "$cache/soak.pcap")
fi

# The router's configuration, as the init script renders it.
sh "$repo/packaging/openwrt/files/yamori-uci2conf" \
	"$repo/packaging/openwrt/files/yamori.config" |
	sed 's/^isolate = nft$/isolate = none/' >"$tmp/router.conf"
"$yamorid" --check-config -c "$tmp/router.conf" >/dev/null

features=$("$yamorid" --version)
rows=()
over=0
for cap in "${captures[@]}"; do
	for conf in router defaults; do
		cfile=/dev/null
		[[ $conf == router ]] && cfile=$tmp/router.conf
		max=0
		for ((r = 1; r <= runs; r++)); do
			st=$tmp/state.$r
			rm -rf "$st"
			mkdir "$st"
			"$gnutime" -f '%e %M' -o "$tmp/time.out" "$yamorid" -r "$cap" \
				--state-dir "$st" -c "$cfile" --user root >/dev/null 2>"$tmp/err" ||
				{ cat "$tmp/err" >&2; exit 1; }
			read -r secs kib <"$tmp/time.out"
			echo "  $(basename "$cap") $conf run $r: ${secs}s ${kib} KiB" >&2
			((kib > max)) && max=$kib
		done
		status=$("$yamorictl" --state-dir "$st" status --json)
		packets=$(python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["packets"], s["devices"]["in_memory"], s["flows"]["created"])' <<<"$status")
		read -r npk ndev nflows <<<"$packets"
		dbkib=$(du -k "$st/yamori.db" | cut -f1)
		mb=$(awk -v k="$max" 'BEGIN { printf "%.1f", k / 1024 }')
		awk -v k="$max" -v b="$budget_mb" 'BEGIN { exit !(k / 1024 > b) }' && over=1
		rows+=("| $(basename "$cap") | $conf | $npk | $ndev | $nflows | $mb | $dbkib |")
	done
done

echo
echo "$features, $(uname -m), built without nftables, SSH, TLS and downloads;"
echo "peak RSS the largest of $runs runs; budget $budget_mb MB."
echo
echo "| capture | config | packets | devices | flows | peak RSS MB | database KB |"
echo "|---|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if ((over)); then
	echo "over the budget of $budget_mb MB" >&2
	exit 1
fi
