#!/usr/bin/env bash
# Yamori developer entry point; the README's two commands.
#   ./run.sh demo   set up, build, replay the sample household, list devices
#   ./run.sh test   set up, build (plain and with sanitizers), run every test
# Both install what is missing from Debian 12's packages first (as root, or
# through sudo).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake pkg-config gettext python3 libpcap-dev
	  libndpi-dev libndpi-bin libuv1-dev libsqlite3-dev sqlite3 libjansson-dev
	  libcmocka-dev ieee-data wireshark-common iproute2 iputils-ping util-linux locales-all
	  clang libclang-rt-14-dev libnftables-dev nftables arping dnsmasq-base
	  libssh-dev libgcrypt20-dev libssl-dev busybox-static openssh-server vsftpd lighttpd
	  lighttpd-mod-openssl
	  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
	  gstreamer1.0-plugins-good
	  libgtk-4-dev libadwaita-1-dev libjson-glib-dev xvfb xauth
	  gir1.2-atspi-2.0 at-spi2-core dbus-x11 imagemagick fonts-noto-cjk adwaita-icon-theme)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

setup() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "Installing: ${missing[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
		# The test servers (sshd, vsftpd, lighttpd) must not start on the
		# host's ports when installed: policy-rc.d says no while apt runs.
		local policy=/usr/sbin/policy-rc.d added=
		if [ ! -e "$policy" ]; then
			printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
			as_root chmod 755 "$policy"
			added=1
		fi
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}" || {
			[ -n "$added" ] && as_root rm -f "$policy"
			return 1
		}
		[ -n "$added" ] && as_root rm -f "$policy"
	fi
}

build() { # build DIR [cmake options...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j "$(nproc)"
}

demo() {
	setup
	build build
	python3 tests/fixtures/mkhome.py --out build/fixtures >/dev/null
	rm -rf build/demo-state
	echo "Replaying the sample household (build/fixtures/home.pcap, then home-part2.pcapng)..."
	build/daemon/yamorid -r build/fixtures/home.pcap \
		-r build/fixtures/home-part2.pcapng \
		--state-dir build/demo-state -c data/yamori.conf
	build/daemon/yamorictl --state-dir build/demo-state status
	echo
	build/daemon/yamorictl --state-dir build/demo-state devices
}

run_tests() {
	setup
	build build
	build build-asan -DYAMORI_SANITIZE=ON
	# Unit tests under AddressSanitizer and UBSan; everything on the plain
	# build, whose integration tests also replay bad captures through the
	# sanitizer build.
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	(cd build-asan && ctest -L unit --output-on-failure -j 2)
	(cd build && as_root env YAMORI_BUILD_ASAN="$PWD/../build-asan" \
		ctest --output-on-failure -j 2)
	# The parsers of untrusted input, fuzzed briefly with libFuzzer.
	CC=clang build build-fuzz -DYAMORI_FUZZ=ON
	(cd build-fuzz && ctest -L fuzz --output-on-failure -j 2)
}

case "${1:-}" in
demo) demo ;;
test) run_tests ;;
*)
	echo "usage: ./run.sh demo | test" >&2
	exit 2
	;;
esac
