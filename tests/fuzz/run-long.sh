#!/bin/sh
# run-long.sh - runs each libFuzzer harness for a set time and writes the
# executions, coverage and crashes into docs/FUZZING.md.
#
#   [RUNS=N] tests/fuzz/run-long.sh SECONDS [HARNESS[=SECONDS] ...]
#
# Without harness names every harness runs SECONDS; a name with =SECONDS
# runs that long instead. With RUNS set a harness also stops after N
# executions (libFuzzer's -runs), whichever comes first; the table shows
# the seconds it really ran. JOBS=N runs N processes of each harness at
# once on a shared corpus (RUNS is split among them; executions are summed,
# exec/s is per wall-clock second). Needs the fuzz build (BUILD, default build-fuzz):
#   CC=clang cmake -S . -B build-fuzz -DYAMORI_FUZZ=ON && cmake --build build-fuzz
#   tests/fuzz/run-long.sh --record HARNESS ...
# writes the row of a run that went on after its script was stopped, from
# the harness's log. One process per harness, one after the other (-jobs=1
# in spirit: the machine is shared). New inputs go to BUILD/tests/fuzz/corpus-long/NAME,
# never into the committed seeds; crashes to BUILD/tests/fuzz/crashes/NAME.
# Rows of harnesses not run this time are kept from the last table.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build-fuzz}
jobs=${JOBS:-1}
doc=$root/docs/FUZZING.md
all="fuzz_dns fuzz_ssdp fuzz_lldp fuzz_dhcp fuzz_decode fuzz_audit fuzz_config
fuzz_datafile fuzz_api fuzz_packet fuzz_wps fuzz_appproto fuzz_p0f"

if [ $# -lt 1 ]; then
	echo "usage: $0 SECONDS [HARNESS[=SECONDS] ...]" >&2
	echo "       $0 --record HARNESS ...   (a run whose script was stopped)" >&2
	exit 2
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# --record: the row of a harness whose run went on after this script was
# stopped (its libFuzzer process writes BUILD/tests/fuzz/NAME.long.log
# itself): read from that log alone. A crash shows there as libFuzzer's
# "Test unit written" or a missing "Done" line.
if [ "$1" = --record ]; then
	shift
	for name in "$@"; do
		log=$build/tests/fuzz/$name.long.log
		done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n 1 || true)
		if [ -z "$done_line" ]; then
			echo "$0: $log has no Done line: the run has not ended (or crashed)" >&2
			exit 1
		fi
		t=$(echo "$done_line" | sed 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/')
		[ "$t" -gt 0 ] || t=1
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1)
		cov=$(echo "$final" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$final" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
		ncrash=$(grep -c 'Test unit written' "$log" || true)
		echo "$name $t ${execs:-0} ${cov:-?} ${ft:-?} $ncrash 0" >>"$results"
		echo "   $name: ${execs:-0} executions in ${t}s, cov ${cov:-?}, crashes $ncrash" >&2
	done
	set --
	list=
else
	secs=$1
	shift
	list=${*:-$all}
fi

for item in $list; do
	name=${item%%=*}
	t=$secs
	[ "$item" != "$name" ] && t=${item#*=}
	bin=$build/tests/fuzz/$name
	if [ ! -x "$bin" ]; then
		echo "$0: no $bin; build with -DYAMORI_FUZZ=ON" >&2
		exit 1
	fi
	new=$build/tests/fuzz/corpus-long/$name
	crashes=$build/tests/fuzz/crashes/$name
	log=$build/tests/fuzz/$name.long.log
	mkdir -p "$new" "$crashes"
	before=$(ls "$crashes" | wc -l)
	opts=
	case $name in
	fuzz_datafile|fuzz_api|fuzz_packet) opts=-entropic=0 ;;
	esac
	[ -n "${RUNS:-}" ] && opts="$opts -runs=$(( RUNS / jobs ))"
	echo "== $name for ${t}s${RUNS:+ or $RUNS executions}, $jobs process(es)" >&2
	rc=0
	start=$(date +%s)
	pids=
	j=1
	while [ "$j" -le "$jobs" ]; do
		jlog=$log
		[ "$j" -gt 1 ] && jlog=${log%.log}.$j.log
		"$bin" -max_total_time="$t" -rss_limit_mb=2048 -timeout=10 \
			-print_final_stats=1 -artifact_prefix="$crashes/" $opts \
			"$new" "$here/corpus/$name" >"$jlog" 2>&1 &
		pids="$pids $!"
		j=$(( j + 1 ))
	done
	for pid in $pids; do
		wait "$pid" || rc=$?
	done
	t=$(( $(date +%s) - start ))
	[ "$t" -gt 0 ] || t=1
	# With JOBS the processes share the corpus directory (libFuzzer
	# reloads it every second): executions add up, coverage is the most
	# any one of them saw.
	execs=0 cov=0 ft=0
	j=1
	while [ "$j" -le "$jobs" ]; do
		jlog=$log
		[ "$j" -gt 1 ] && jlog=${log%.log}.$j.log
		j=$(( j + 1 ))
		e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$jlog" | tail -n 1)
		final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$jlog" | tail -n 1)
		c=$(echo "$final" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
		f=$(echo "$final" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
		execs=$(( execs + ${e:-0} ))
		[ "${c:-0}" -gt "$cov" ] && cov=$c
		[ "${f:-0}" -gt "$ft" ] && ft=$f
	done
	ncrash=$(( $(ls "$crashes" | wc -l) - before ))
	[ "$rc" -ne 0 ] && [ "$ncrash" -eq 0 ] && ncrash=1
	echo "$name $t ${execs:-0} ${cov:-?} ${ft:-?} $ncrash $rc" >>"$results"
	echo "   ${execs:-0} executions, cov ${cov:-?}, crashes $ncrash (exit $rc)" >&2
done

python3 - "$doc" "$results" "$(date -u +%Y-%m-%d)" <<'PY'
import sys
doc, results, day = sys.argv[1:4]
BEGIN, END = "<!-- run-long:begin -->", "<!-- run-long:end -->"
text = open(doc).read() if __import__("os").path.exists(doc) else BEGIN + "\n" + END + "\n"
head, rest = text.split(BEGIN, 1)
old, tail = rest.split(END, 1)
rows = {}
for line in old.splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 9 and cells[0].startswith("fuzz_"):
        rows[cells[0]] = cells
for line in open(results):
    name, t, execs, cov, ft, crashes, rc = line.split()
    t, execs = int(t), int(execs)
    rate = execs // t if t else 0
    if execs >= 10_000_000:
        need = "reached"
    elif rate:
        need = "~%d min" % -(-10_000_000 // rate // 60)
    else:
        need = "?"
    rows[name] = [name, day, "%d" % t, "{:,}".format(execs), "{:,}".format(rate),
                  cov, ft, crashes, need]
hdr = ["harness", "date", "seconds", "executions", "exec/s", "cov", "ft",
       "crashes", "10M executions"]
out = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
for name in sorted(rows):
    out.append("| " + " | ".join(rows[name]) + " |")
open(doc, "w").write(head + BEGIN + "\n" + "\n".join(out) + "\n" + END + tail)
PY
echo "table written to $doc" >&2
