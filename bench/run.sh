#!/usr/bin/env bash
# bench/run.sh: offline throughput and memory of yamorid against ndpiReader
# (nDPI's demo reader) and a bare libpcap read loop (bench/pcaploop, the
# ceiling).
#
#   bench/run.sh [--build DIR] [CAPTURE]
#
# Without CAPTURE one run measures two captures, each with its own table and
# ratios:
#   shared     every *.pcap/*.pcapng under ../shared/pcaps (relative to the
#              repo root) concatenated into one pcap, skipping files mergecap
#              refuses (e.g. another link type), and that repeated until it
#              holds at least BENCH_MIN_PACKETS packets. Left out when
#              ../shared/pcaps does not exist.
#   generated  tests/fixtures/mkhome.py --big BENCH_MIN_PACKETS, written into
#              the temp dir; BUILD/tests/fixtures/big.pcap is reused instead
#              when it exists and holds exactly that many packets. Its
#              repeats vary addresses and ports, so most of every repeat's
#              flows are new flows (LAN DHCP, mDNS, SSDP, ICMP repeat).
# With CAPTURE it measures only that file.
#
# Each tool runs BENCH_RUNS times; the table shows the best (minimum) wall
# time and the largest peak RSS, and below it the number of flows yamorid
# created (flows.created of `yamorictl status --json` on the last run's state
# dir) and ndpiReader's count of unique flows. The last thing printed is
# Markdown for docs/PERFORMANCE.md.
#
# Environment:
#   YAMORID            yamorid binary        (default BUILD/daemon/yamorid)
#   YAMORICTL          yamorictl binary      (default BUILD/daemon/yamorictl)
#   PCAPLOOP           pcaploop binary       (default BUILD/bench/pcaploop;
#                      compiled into a temp dir if that does not exist)
#   NDPIREADER         ndpiReader binary     (default: ndpiReader in PATH)
#   BENCH_RUNS         runs per tool         (default 3)
#   BENCH_MIN_PACKETS  size of the built captures (default 500000)
#   BENCH_REBASE       1 (default): shift timestamps while building the shared
#                      capture so they increase from file to file and from
#                      copy to copy; 0: concatenate as is (timestamps jump back
#                      and forth across decades and every copy repeats them).
#   BENCH_KEEP         if set, copy the shared capture (or CAPTURE) to this
#                      path and the generated one to BENCH_KEEP.generated.
#   TMPDIR             where the temp dir (captures, state dirs) goes.

set -euo pipefail
export LC_ALL=C            # '.' as decimal point in EPOCHREALTIME and printf

prog=${0##*/}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
invocation="$0${*:+ $*}"

usage() {
	sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
note() { printf '%s\n' "$*" >&2; }

build="$repo/build"
capture=""
while [[ $# -gt 0 ]]; do
	case $1 in
	--build) [[ $# -ge 2 ]] || die "--build needs a directory"; build=$2; shift 2 ;;
	--build=*) build=${1#--build=}; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; [[ $# -le 1 ]] || die "more than one CAPTURE"; capture=${1:-}; break ;;
	-*) die "unknown option: $1 (see --help)" ;;
	*) [[ -z $capture ]] || die "more than one CAPTURE"; capture=$1; shift ;;
	esac
done

runs=${BENCH_RUNS:-3}
min_packets=${BENCH_MIN_PACKETS:-500000}
rebase=${BENCH_REBASE:-1}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $min_packets =~ ^[1-9][0-9]*$ ]] || die "BENCH_MIN_PACKETS must be a positive integer"

yamorid=${YAMORID:-$build/daemon/yamorid}
yamorictl=${YAMORICTL:-$build/daemon/yamorictl}
pcaploop=${PCAPLOOP:-$build/bench/pcaploop}
ndpireader=${NDPIREADER:-ndpiReader}
gnutime=/usr/bin/time

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found${2:+ ($2)}"; }
need "$gnutime" "install the 'time' package"
need capinfos "install wireshark-common"
need mergecap "install wireshark-common"
need editcap "install wireshark-common"
need python3
need "$ndpireader" "install libndpi-bin or set NDPIREADER"
[[ -x $yamorid ]] || die "yamorid not found at $yamorid (build it, or set YAMORID)"
[[ -x $yamorictl ]] || die "yamorictl not found at $yamorictl (build it, or set YAMORICTL)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/yamori-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ! -x $pcaploop ]]; then
	[[ -z ${PCAPLOOP:-} ]] || die "PCAPLOOP=$pcaploop is not executable"
	note "note: $pcaploop not found; compiling bench/pcaploop.c into the temp dir"
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$tmp/pcaploop" "$repo/bench/pcaploop.c" -lpcap ||
		die "cannot compile bench/pcaploop.c (install libpcap-dev)"
	pcaploop=$tmp/pcaploop
fi

# packets FILE: number of packets, from capinfos' machine-readable output.
packets() {
	local n
	n=$(capinfos -c -M "$1" 2>/dev/null | sed -n 's/^Number of packets: *//p') || true
	[[ $n =~ ^[0-9]+$ ]] || die "capinfos cannot read $1"
	printf '%s\n' "$n"
}

# first_last FILE: "FIRST LAST" packet times in epoch seconds.
first_last() {
	capinfos -M -S -a -e "$1" 2>/dev/null | awk -F': *' '
		/^First packet time:/ { f = $2 }
		/^Last packet time:/  { l = $2 }
		END { if (f !~ /^[0-9.]+$/ || l !~ /^[0-9.]+$/) exit 1; print f, l }'
}

# commas N: N with thousands separators (37123 -> 37,123); "?" as is.
commas() {
	printf '%s\n' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'
}

# ---------------------------------------------------------------------------
# The captures.

# build_shared: writes $tmp/shared.pcap from ../shared/pcaps; sets
# shared_desc and copies.
build_shared() {
	shared=$(cd "$repo/../shared/pcaps" && pwd)
	mapfile -d '' all < <(find "$shared" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -print0 | LC_ALL=C sort -z)
	[[ ${#all[@]} -gt 0 ]] || die "no *.pcap or *.pcapng under $shared"
	note "building a capture from ${#all[@]} files under $shared"

	# Decide which files go in, and in which order.
	accepted=()
	skipped=()
	if mergecap -a -F pcap -w "$tmp/probe.pcap" "${all[@]}" 2>"$tmp/mergecap.err"; then
		accepted=("${all[@]}")
	else
		note "mergecap refused the set at once: $(head -n 1 "$tmp/mergecap.err")"
		note "adding the files one by one"
		# Seed with the largest file so its link type is the one kept.
		seed=$(for f in "${all[@]}"; do printf '%s\t%s\n' "$(stat -c %s "$f")" "$f"; done |
			sort -t $'\t' -k1,1nr | head -n 1 | cut -f2-)
		for f in "$seed" "${all[@]}"; do
			if [[ ${#accepted[@]} -gt 0 ]]; then
				[[ $f != "$seed" ]] || continue
				inputs=("$tmp/probe.pcap" "$f")
			else
				inputs=("$f")
			fi
			if mergecap -a -F pcap -w "$tmp/probe.next.pcap" "${inputs[@]}" 2>"$tmp/mergecap.err"; then
				mv "$tmp/probe.next.pcap" "$tmp/probe.pcap"
				accepted+=("$f")
			else
				rm -f "$tmp/probe.next.pcap"
				skipped+=("${f#"$shared"/}: $(head -n 1 "$tmp/mergecap.err")")
				[[ $f != "$seed" ]] || die "mergecap refuses even $f"
			fi
		done
	fi
	rm -f "$tmp/probe.pcap"

	# Rebase: lay the files end to end in time, 1 s apart, from 2001-09-09.
	# The early start leaves room below 2^31 s (2038) for the copies: three
	# files span weeks to a year, so one copy spans about 1.5 years.
	parts=()
	if [[ $rebase == 1 ]]; then
		mkdir "$tmp/parts"
		cursor=1000000000
		i=0
		for f in "${accepted[@]}"; do
			i=$((i + 1))
			if ! fl=$(first_last "$f"); then
				skipped+=("${f#"$shared"/}: no packets")
				continue
			fi
			read -r first last <<<"$fl"
			delta=$(awk -v c="$cursor" -v f="$first" 'BEGIN { printf "%.6f", c - f }')
			out=$(printf '%s/%04d.pcap' "$tmp/parts" "$i")
			if ! editcap -F pcap -t "$delta" "$f" "$out" 2>"$tmp/editcap.err"; then
				skipped+=("${f#"$shared"/}: editcap: $(head -n 1 "$tmp/editcap.err")")
				continue
			fi
			parts+=("$out")
			cursor=$(awk -v c="$cursor" -v f="$first" -v l="$last" \
				'BEGIN { printf "%d", c + (l - f) + 2 }')
		done
	else
		parts=("${accepted[@]}")
	fi
	[[ ${#parts[@]} -gt 0 ]] || die "no usable capture under $shared"
	mergecap -a -F pcap -w "$tmp/merged.pcap" "${parts[@]}" 2>"$tmp/mergecap.err" ||
		die "mergecap failed on the accepted files: $(head -n 1 "$tmp/mergecap.err")"
	rm -rf "$tmp/parts"

	merged_packets=$(packets "$tmp/merged.pcap")
	[[ $merged_packets -gt 0 ]] || die "the merged capture holds no packets"
	copies=$(((min_packets + merged_packets - 1) / merged_packets))

	note "merged ${#parts[@]} of ${#all[@]} files: $merged_packets packets; repeating $copies times"
	if [[ ${#skipped[@]} -gt 0 ]]; then
		note "skipped ${#skipped[@]} files:"
		for s in "${skipped[@]}"; do note "  $s"; done
	fi

	if [[ $copies -le 1 ]]; then
		mv "$tmp/merged.pcap" "$tmp/shared.pcap"
	else
		reps=("$tmp/merged.pcap")
		if [[ $rebase == 1 ]]; then
			# Copy k starts k spans later, so time keeps increasing.
			read -r first last <<<"$(first_last "$tmp/merged.pcap")"
			step=$(awk -v f="$first" -v l="$last" 'BEGIN { printf "%d", (l - f) + 2 }')
			for ((k = 1; k < copies; k++)); do
				editcap -F pcap -t $((k * step)) "$tmp/merged.pcap" "$tmp/copy$k.pcap" ||
					die "editcap failed"
				reps+=("$tmp/copy$k.pcap")
			done
		else
			for ((k = 1; k < copies; k++)); do reps+=("$tmp/merged.pcap"); done
		fi
		mergecap -a -F pcap -w "$tmp/shared.pcap" "${reps[@]}" || die "mergecap failed"
		rm -f "$tmp"/copy*.pcap "$tmp/merged.pcap"
	fi
	if [[ $rebase == 1 ]]; then
		read -r first last <<<"$(first_last "$tmp/shared.pcap")"
		if awk -v l="$last" 'BEGIN { exit !(l > 2147483647) }'; then
			note "warning: the capture's last packet is past 2038-01-19 (epoch $last)"
		fi
	fi
	shared_desc="${#parts[@]} of ${#all[@]} files under ../shared/pcaps concatenated ($merged_packets packets), x$copies"
	if [[ $rebase == 1 ]]; then shared_desc+=", timestamps rebased"; fi
}

# prepare_generated: sets generated (the file) and generated_desc.
prepare_generated() {
	local reuse=$build/tests/fixtures/big.pcap
	if [[ -r $reuse && $(packets "$reuse") == "$min_packets" ]]; then
		note "generated capture: reusing $reuse"
		generated=$reuse
	else
		if [[ -r $reuse ]]; then
			note "$reuse does not hold $min_packets packets; generating a new one"
		fi
		note "generating $min_packets packets with tests/fixtures/mkhome.py into the temp dir"
		mkdir "$tmp/generated"
		python3 "$repo/tests/fixtures/mkhome.py" --out "$tmp/generated" --big "$min_packets" >&2 ||
			die "tests/fixtures/mkhome.py failed"
		generated=$tmp/generated/big.pcap
		[[ -r $generated ]] || die "mkhome.py did not write $generated"
	fi
	generated_desc="tests/fixtures/mkhome.py --big $min_packets"
	[[ $generated == "$reuse" ]] && generated_desc+=" ($reuse)"
	return 0
}

# labels: the captures to measure, in order; cap_file, cap_desc and cap_about
# (one or two sentences for under the Markdown table; @FLOWS@ and
# @NDPI_FLOWS@ become the flow counts of yamorid and ndpiReader) by label.
labels=()
declare -A cap_file cap_desc cap_about
if [[ -n $capture ]]; then
	[[ -r $capture ]] || die "cannot read $capture"
	labels=(given)
	cap_file[given]=$capture
	cap_desc[given]="$capture (given on the command line)"
	cap_about[given]=""
	if [[ -n ${BENCH_KEEP:-} ]]; then cp "$capture" "$BENCH_KEEP"; fi
else
	if [[ -d $repo/../shared/pcaps ]]; then
		build_shared
		labels+=(shared)
		cap_file[shared]=$tmp/shared.pcap
		cap_desc[shared]=$shared_desc
		about="The public sample captures under ../shared/pcaps merged into one pcap"
		if ((copies > 1)); then about+=" and repeated $copies times"; fi
		if [[ $rebase == 1 ]]; then
			about+=", each file (and copy) shifted in time to follow the previous one."
			if ((copies > 1)); then
				about+=" The $copies copies repeat the same @NDPI_FLOWS@ flows years apart: ndpiReader never expires flows, so it classifies each only once (and keeps them all in memory), while yamorid expires idle flows on the capture clock (as a router must, with bounded memory) and classifies them again in each copy (@FLOWS@ flow classifications)."
			fi
		else
			about+=" with timestamps as recorded, so time jumps back and forth across decades and every copy repeats the same times."
		fi
		cap_about[shared]=$about
		if [[ -n ${BENCH_KEEP:-} ]]; then cp "$tmp/shared.pcap" "$BENCH_KEEP"; fi
	else
		note "no ../shared/pcaps; measuring only the generated capture"
	fi
	prepare_generated
	labels+=(generated)
	cap_file[generated]=$generated
	cap_desc[generated]=$generated_desc
	cap_about[generated]="Synthetic home-network traffic from tests/fixtures/mkhome.py: the household of home.pcap repeated with timestamps shifted 7201 s per repeat, the remote addresses and ports and the ephemeral ports of LAN flows changed in every repeat. So most of each repeat's flows are new flows that both tools must classify again; only LAN DHCP, mDNS, SSDP and ICMP/ICMPv6 flows repeat unchanged."
	if [[ -n ${BENCH_KEEP:-} ]]; then cp "$generated" "$BENCH_KEEP.generated"; fi
fi

# ---------------------------------------------------------------------------
# Measurements.

# measure NAME CMD...: runs CMD $runs times with stdout and stderr captured;
# sets best[NAME] (seconds, minimum wall) and rss[NAME] (KiB, maximum).
# An argument equal to $state is replaced by a fresh empty directory per run,
# $tmp/$cur.state.NAME.RUN ($cur: the capture's label).
# Wall time is taken around /usr/bin/time with bash's microsecond clock,
# because time's %e only has 10 ms resolution; %M gives the peak RSS.
state=$tmp/state.RUN
declare -A best rss
measure() {
	local name=$1 r a t0 t1 wall e kib min="" maxrss=0
	local -a cmd
	shift
	for ((r = 1; r <= runs; r++)); do
		cmd=()
		for a in "$@"; do
			if [[ $a == "$state" ]]; then
				a=$tmp/$cur.state.$name.$r
				mkdir "$a"
			fi
			cmd+=("$a")
		done
		t0=$EPOCHREALTIME
		if ! "$gnutime" -f '%e %M' -o "$tmp/time.out" "${cmd[@]}" >"$tmp/$cur.$name.out" 2>"$tmp/$cur.$name.err"; then
			note "$name failed (run $r): ${cmd[*]}"
			tail -n 20 "$tmp/$cur.$name.err" >&2 || true
			exit 1
		fi
		t1=$EPOCHREALTIME
		read -r e kib <"$tmp/time.out"
		wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
		note "  $name run $r: ${wall}s (time: ${e}s) ${kib} KiB"
		if [[ -z $min ]] || awk -v w="$wall" -v m="$min" 'BEGIN { exit !(w < m) }'; then
			min=$wall
		fi
		if ((kib > maxrss)); then maxrss=$kib; fi
	done
	best[$name]=$min
	rss[$name]=$maxrss
}

pps() { awk -v n="$npackets" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

: >"$tmp/empty.conf"

printf 'Command:  %s\n' "$invocation"
printf 'Runs:     %s per tool, best wall time, largest peak RSS\n' "$runs"
printf 'Captures: %s\n' "${labels[*]}"
echo

# bench LABEL: measures the three tools on capture LABEL, prints its plain
# table and writes its Markdown to $tmp/LABEL.md.
bench() {
	cur=$1
	local capture=${cap_file[$1]} capture_desc=${cap_desc[$1]} about=${cap_about[$1]}
	local nbytes seen flows ndpi_flows last_state row t n s p m
	local pps_pcaploop pps_ndpi pps_yamorid r_pps_ndpi r_rss_ndpi r_pps_loop
	local -a rows cmd_pcaploop cmd_ndpi cmd_yamorid

	npackets=$(packets "$capture")
	[[ $npackets -gt 0 ]] || die "$capture holds no packets"
	nbytes=$(stat -L -c %s "$capture")

	cat "$capture" >/dev/null        # start with the capture in the page cache

	cmd_pcaploop=("$pcaploop" "$capture")
	cmd_ndpi=("$ndpireader" -i "$capture" -q -v 0)
	cmd_yamorid=("$yamorid" -r "$capture" --state-dir "$state" -c "$tmp/empty.conf")

	printf '== %s ==\n' "$cur"
	printf 'Capture:  %s\n' "$capture_desc"
	printf 'Packets:  %s (capinfos -c -M), %s bytes on disk\n' "$npackets" "$nbytes"
	printf 'Tools:\n'
	printf '  pcaploop:   %s\n' "${cmd_pcaploop[*]}"
	printf '  ndpiReader: %s >/dev/null\n' "${cmd_ndpi[*]}"
	printf '  yamorid:    %s   (RUN: a fresh empty --state-dir per run; -c: an empty file)\n' "${cmd_yamorid[*]}"
	echo

	note "[$cur] pcaploop:"
	measure pcaploop "${cmd_pcaploop[@]}"
	seen=$(sed -n 's/^packets=\([0-9]*\) .*/\1/p' "$tmp/$cur.pcaploop.out")
	[[ $seen == "$npackets" ]] || note "warning: pcaploop read ${seen:-?} packets, capinfos says $npackets"

	note "[$cur] ndpiReader:"
	measure ndpi "${cmd_ndpi[@]}"
	# One untimed run without -q to check that ndpiReader read the capture
	# once, and for its count of flows.
	"$ndpireader" -i "$capture" -v 0 >"$tmp/$cur.ndpi.check" 2>&1 || true
	seen=$(sed -n 's/^[[:space:]]*IP packets:.* of \([0-9]*\) packets total.*/\1/p' "$tmp/$cur.ndpi.check" | head -n 1)
	[[ $seen == "$npackets" ]] || note "warning: ndpiReader saw ${seen:-?} packets, capinfos says $npackets"
	ndpi_flows=$(sed -n 's/^[[:space:]]*Unique flows:[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/$cur.ndpi.check" | head -n 1)
	[[ -n $ndpi_flows ]] || { note "warning: no 'Unique flows' in ndpiReader's output"; ndpi_flows='?'; }

	note "[$cur] yamorid:"
	measure yamorid "${cmd_yamorid[@]}"
	last_state=$tmp/$cur.state.yamorid.$runs
	flows=$("$yamorictl" --state-dir "$last_state" -c "$tmp/empty.conf" status --json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["flows"]["created"])') ||
		die "cannot read flows.created from yamorictl status --json on $last_state"
	[[ $flows =~ ^[0-9]+$ ]] || die "flows.created is not a number: $flows"

	pps_pcaploop=$(pps "${best[pcaploop]}")
	pps_ndpi=$(pps "${best[ndpi]}")
	pps_yamorid=$(pps "${best[yamorid]}")

	r_pps_ndpi=$(ratio "$pps_yamorid" "$pps_ndpi")
	r_rss_ndpi=$(ratio "${rss[yamorid]}" "${rss[ndpi]}")
	r_pps_loop=$(ratio "$pps_yamorid" "$pps_pcaploop")

	rows=(
		"pcaploop|$npackets|${best[pcaploop]}|$pps_pcaploop|$(mib "${rss[pcaploop]}")"
		"ndpiReader|$npackets|${best[ndpi]}|$pps_ndpi|$(mib "${rss[ndpi]}")"
		"yamorid|$npackets|${best[yamorid]}|$pps_yamorid|$(mib "${rss[yamorid]}")"
	)

	echo
	printf '%-11s %10s %10s %12s %13s\n' tool packets 'best s' 'packets/s' 'peak RSS MB'
	for row in "${rows[@]}"; do
		IFS='|' read -r t n s p m <<<"$row"
		printf '%-11s %10s %10.3f %12s %13s\n' "$t" "$n" "$s" "$p" "$m"
	done
	echo
	printf 'yamorid pps / ndpiReader pps: %s\n' "$r_pps_ndpi"
	printf 'yamorid RSS / ndpiReader RSS: %s\n' "$r_rss_ndpi"
	printf 'yamorid pps / pcaploop pps:   %s\n' "$r_pps_loop"
	printf 'flows created by yamorid:     %s (yamorictl status --json: flows.created, last run)\n' "$flows"
	printf 'unique flows in ndpiReader:   %s\n' "$ndpi_flows"
	echo

	about=${about//@FLOWS@/$(commas "$flows")}
	about=${about//@NDPI_FLOWS@/$(commas "$ndpi_flows")}
	{
		printf '**Capture: %s.** %s; %s packets, %s bytes.\n' "$cur" "$capture_desc" "$npackets" "$nbytes"
		echo
		echo '| tool | packets | best s | packets/s | peak RSS MB |'
		echo '|---|---:|---:|---:|---:|'
		for row in "${rows[@]}"; do
			IFS='|' read -r t n s p m <<<"$row"
			printf '| %s | %s | %.3f | %s | %s |\n' "$t" "$n" "$s" "$p" "$m"
		done
		echo
		echo '| ratio | value |'
		echo '|---|---:|'
		printf '| yamorid pps / ndpiReader pps | %s |\n' "$r_pps_ndpi"
		printf '| yamorid RSS / ndpiReader RSS | %s |\n' "$r_rss_ndpi"
		printf '| yamorid pps / pcaploop pps | %s |\n' "$r_pps_loop"
		echo
		if [[ -n $about ]]; then printf '%s\n' "$about"; fi
		# shellcheck disable=SC2016 # the backquotes are Markdown
		printf 'Flows created by yamorid: %s (`flows.created` of `yamorictl status --json` after the last run); unique flows counted by ndpiReader: %s.\n' \
			"$(commas "$flows")" "$(commas "$ndpi_flows")"
	} >"$tmp/$cur.md"

	# The capture is no longer needed; free the temp dir's space.
	if [[ $capture == "$tmp"/* ]]; then rm -f "$capture"; fi
}

for label in "${labels[@]}"; do
	bench "$label"
done

# ---------------------------------------------------------------------------
# Markdown.

ndpi_version=$("$ndpireader" -h 2>&1 | sed -n 's/^Welcome to nDPI \([^ ]*\).*/\1/p' | head -n 1) || true
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1) || true

echo '---- Markdown ----'
echo
printf 'Machine: %s, %s cores, %s; nDPI %s.\n' "${cpu:-unknown CPU}" "$(nproc)" "$(uname -sr)" "${ndpi_version:-?}"
# shellcheck disable=SC2016 # the backquotes are Markdown
printf 'Command: `%s`\n' "$invocation"
printf 'Best of %s runs per tool; peak RSS is the largest of the runs.\n' "$runs"
for label in "${labels[@]}"; do
	echo
	cat "$tmp/$label.md"
done
