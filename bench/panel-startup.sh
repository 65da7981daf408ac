#!/usr/bin/env bash
# bench/panel-startup.sh: how fast yamori-panel shows its first frame, how
# fast it shows the household, and how much memory it holds (target: first
# frame under one second on this machine).
#
#   bench/panel-startup.sh [--build DIR] [--runs N]
#
# Starts Xvfb at 800x480 (the appliance's 7-inch screen) unless DISPLAY is
# set, a private D-Bus session, and yamorid replaying the fixture household
# (tests/fixtures/mkhome.py) with --serve; then runs `yamori-panel --kiosk
# --bench` N times (default 5). The panel prints, on its first frame and
# once the daemon's devices and alerts arrived:
#   *_ms             wall time since this script's clock before exec (so the
#                    dynamic loading of GTK counts)
#   *_since_main_ms  time since main()
#   *_rss_kb         resident memory then (VmRSS)
# The table shows the median and the worst of each; the last lines are
# Markdown for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
runs=5
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--runs N]" >&2; exit 2 ;;
	esac
done
panel=$build/ui/yamori-panel
[ -x "$panel" ] || { echo "no $panel: build with libgtk-4-dev and libadwaita-1-dev" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
		wait "${pids[i]}" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${DISPLAY:-}" ]; then
	Xvfb -displayfd 9 -screen 0 800x480x24 -nolisten tcp -noreset 9>"$tmp/display" 2>/dev/null &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.05; done
	export DISPLAY=:$(head -n1 "$tmp/display")
	for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X${DISPLAY#:}" ] && break; sleep 0.05; done
fi
dbus-daemon --session --nofork --print-address=3 3>"$tmp/bus" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/bus" ] && break; sleep 0.05; done
export DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$tmp/bus")

python3 tests/fixtures/mkhome.py --out "$tmp/fixtures" >/dev/null
"$build/daemon/yamorid" -r "$tmp/fixtures/home.pcap" --state-dir "$tmp/state" \
	-c /dev/null --serve 2>/dev/null &
pids+=($!)
for _ in $(seq 200); do [ -S "$tmp/state/yamori.sock" ] && break; sleep 0.05; done

# No screen reader runs on the appliance; GTK_A11Y=none keeps the panel from
# looking for the accessibility bus, as on a kiosk without one.
for ((r = 1; r <= runs; r++)); do
	YAMORI_BENCH_T0_NS=$(date +%s%N) \
		YAMORI_SOCKET=$tmp/state/yamori.sock XDG_CONFIG_HOME=$tmp/config \
		GSETTINGS_BACKEND=memory GTK_A11Y=none LANG=ja_JP.UTF-8 \
		"$panel" --kiosk --bench >>"$tmp/runs" 2>>"$tmp/errors"
done
if [ -s "$tmp/errors" ]; then
	echo "the panel complained:" >&2
	cat "$tmp/errors" >&2
fi

python3 - "$tmp/runs" "$runs" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    for field in line.split():
        k, v = field.split("=")
        rows.setdefault(k, []).append(float(v))
print("%-30s %10s %10s" % ("yamori-panel (%s runs)" % sys.argv[2], "median", "worst"))
for k in ("first_frame_ms", "first_frame_since_main_ms", "first_frame_rss_kb",
          "loaded_ms", "loaded_since_main_ms", "loaded_rss_kb"):
    v = rows.get(k, [])
    if v:
        print("%-30s %10.1f %10.1f" % (k, statistics.median(v), max(v)))
ff = statistics.median(rows.get("first_frame_ms", [0]))
print()
print("| panel | first frame | household shown | RSS |")
print("|---|---|---|---|")
print("| yamori-panel, 800x480 Xvfb | %.0f ms | %.0f ms | %.0f MB |" % (
    ff, statistics.median(rows.get("loaded_ms", [0])),
    statistics.median(rows.get("loaded_rss_kb", [0])) / 1024))
print("target: first frame under 1000 ms:", "met" if 0 < ff < 1000 else "NOT met")
EOF
