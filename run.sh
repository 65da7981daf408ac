#!/usr/bin/env bash
# Yamori developer entry point; the README's two commands.
#   ./run.sh demo   set up, build, replay the sample household, list devices,
#                   and show the panel when there is a display
#   ./run.sh test   set up, build (plain, with sanitizers, and the router's
#                   minimal configuration), run every test
#   ./run.sh pi     build the Raspberry Pi image and check it (docs/PI.md;
#                   long, so not part of the tests)
# Both install what is missing from Debian 12's packages first (as root, or
# through sudo); the demo only what it needs, the tests also the tools and
# the test servers, whose units stay disabled and masked.
set -euo pipefail
cd "$(dirname "$0")"

# What the demo needs: the build, the OUI table and the panel's toolkit.
DEMO_PACKAGES=(build-essential cmake pkg-config gettext python3 libpcap-dev
	       libndpi-dev libuv1-dev libsqlite3-dev libjansson-dev libcmocka-dev
	       libnftables-dev libssh-dev libssl-dev libsodium-dev
	       libcurl4-openssl-dev libmosquitto-dev libpq-dev ieee-data
	       libgtk-4-dev libadwaita-1-dev libjson-glib-dev fonts-noto-cjk
	       adwaita-icon-theme)
# What the tests need on top: tools, the headless display, the packaging
# tools and the programs of the test servers.
TEST_PACKAGES=(libndpi-bin sqlite3 wireshark-common iproute2 iputils-ping
	       util-linux locales-all clang libclang-rt-14-dev nftables arping
	       busybox-static python3-gi gir1.2-gst-rtsp-server-1.0
	       gstreamer1.0-plugins-base gstreamer1.0-plugins-good xvfb xauth
	       gir1.2-atspi-2.0 at-spi2-core dbus-x11 imagemagick
	       debhelper fakeroot lintian mmdebstrap desktop-file-utils
	       appstream cage grim xwayland systemd-container minisign
	       shellcheck nats-server postgresql mosquitto-clients wamerican)
# The test servers: tests run the programs in namespaces, never the
# services, so their units are left disabled and masked (see
# tests/check_test_servers.py).
SERVER_PACKAGES=(openssh-server vsftpd lighttpd lighttpd-mod-openssl
		 dnsmasq-base)

# What the Raspberry Pi image needs on top of the tests' packaging tools:
# arm64 programs through qemu, and the tools to make and check the image.
PI_PACKAGES=(qemu-user-static binfmt-support arch-test dosfstools mtools
	     fdisk e2fsprogs openssh-client)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_of() { # PACKAGE... -> prints those not installed
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			echo "$p"
	done
}

apt_install() { # PACKAGE...
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$@"
}

setup() { # PACKAGE...
	local missing
	mapfile -t missing < <(missing_of "$@")
	if [ ${#missing[@]} -eq 0 ]; then
		return 0
	fi
	echo "Installing: ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
	apt_install "${missing[@]}"
}

# The units the server packages ship, by name.
server_units() {
	local p
	for p in "${SERVER_PACKAGES[@]}"; do
		dpkg-query -L "$p" 2>/dev/null || true
	done | grep -E '^/(usr/)?lib/systemd/system/[^/]+\.(service|socket|timer|path)$' |
		xargs -r -n1 basename | sort -u
}

# Disables and masks the test servers' units. systemctl --root works on the
# files without a running systemd; where systemctl is missing the mask is
# the link to /dev/null that systemctl would make.
quiet_servers() {
	local u
	for u in $(server_units); do
		if command -v deb-systemd-helper >/dev/null; then
			as_root deb-systemd-helper disable "$u" >/dev/null 2>&1 || true
		fi
		if command -v systemctl >/dev/null; then
			as_root systemctl --root=/ disable "$u" >/dev/null 2>&1 || true
			as_root systemctl --root=/ mask "$u" >/dev/null 2>&1 || true
		fi
		if [ "$(readlink "/etc/systemd/system/$u" 2>/dev/null)" != /dev/null ]; then
			as_root mkdir -p /etc/systemd/system
			as_root ln -sf /dev/null "/etc/systemd/system/$u"
		fi
	done
	# Without systemd, the SysV links: no server starts at boot either.
	if command -v update-rc.d >/dev/null; then
		for u in ssh vsftpd lighttpd; do
			[ -e "/etc/init.d/$u" ] &&
				as_root update-rc.d "$u" disable >/dev/null 2>&1
		done
	fi
	return 0
}

# Installs the test servers without starting them: a policy-rc.d that says
# no while apt runs (unless the machine has its own, which then decides),
# then their units disabled and masked.
setup_servers() {
	local missing policy=/usr/sbin/policy-rc.d added=
	mapfile -t missing < <(missing_of "${SERVER_PACKAGES[@]}")
	if [ ${#missing[@]} -gt 0 ]; then
		echo "Installing the test servers (left disabled): ${missing[*]}"
		if [ ! -e "$policy" ]; then
			printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
			as_root chmod 755 "$policy"
			added=1
		fi
		if ! apt_install "${missing[@]}"; then
			if [ -n "$added" ]; then as_root rm -f "$policy"; fi
			return 1
		fi
		if [ -n "$added" ]; then as_root rm -f "$policy"; fi
	fi
	quiet_servers
}

build() { # build DIR [cmake options...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j "$(nproc)"
}

demo() {
	setup "${DEMO_PACKAGES[@]}"
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
	echo
	demo_panel
}

# The panel against a daemon that replays the same household and then
# keeps answering (--serve), when there is a display to show it on.
demo_panel() {
	local state=build/demo-panel-state daemon rc=0
	if [ ! -x build/ui/yamori-panel ]; then
		echo "The panel was not built (it needs libgtk-4-dev, libadwaita-1-dev, libjson-glib-dev)."
		return 0
	fi
	if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
		cat <<-EOF
		No display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so the panel
		is not shown. To see it, run ./run.sh demo from a desktop session, or with
		X forwarding (ssh -X), or headless through cage and grim (as the tests do):
		  build/daemon/yamorid -r build/fixtures/home.pcap --state-dir $state --serve &
		  YAMORI_SOCKET=$state/yamori.sock build/ui/yamori-panel
		EOF
		return 0
	fi
	rm -rf "$state"
	build/daemon/yamorid -r build/fixtures/home.pcap \
		-r build/fixtures/home-part2.pcapng \
		--state-dir "$state" -c data/yamori.conf --serve &
	daemon=$!
	for _ in $(seq 50); do
		[ -S "$state/yamori.sock" ] && break
		sleep 0.1
	done
	echo "The panel shows the same household; close its window to end the demo."
	YAMORI_SOCKET="$state/yamori.sock" build/ui/yamori-panel || rc=$?
	kill "$daemon" 2>/dev/null || true
	wait "$daemon" 2>/dev/null || true
	return "$rc"
}

run_tests() {
	setup "${DEMO_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
	setup_servers
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
	# The router's build (OpenWrt): every optional part off, no panel.
	# Its unit tests, a replay, the signed bundles and log (libsodium),
	# and the "not supported" answers.
	build build-min -DYAMORI_NFT=OFF -DYAMORI_SSH=OFF -DYAMORI_TLS=OFF \
		-DYAMORI_FETCH=OFF -DYAMORI_FLEET=OFF -DYAMORI_PANEL=OFF
	(cd build-min && as_root ctest -L unit --output-on-failure -j 2 &&
		as_root ctest -R '^integration_(replay|features|bundle|evlog)$' \
			--output-on-failure -j 2)
	# The parsers of untrusted input, fuzzed briefly with libFuzzer.
	CC=clang build build-fuzz -DYAMORI_FUZZ=ON
	(cd build-fuzz && ctest -L fuzz --output-on-failure -j 2)
}

pi_image() {
	setup python3 mmdebstrap "${PI_PACKAGES[@]}"
	as_root packaging/pi/check.sh . build/pi-check
}

case "${1:-}" in
demo) demo ;;
test) run_tests ;;
pi) pi_image ;;
*)
	echo "usage: ./run.sh demo | test | pi" >&2
	exit 2
	;;
esac
