#!/usr/bin/env bash
# Builds the Debian packages (yamori, yamori-panel) for arm64, the Raspberry
# Pi, on an amd64 machine: natively, in a throwaway Debian 12 arm64 tree made
# by mmdebstrap, every arm64 program run by qemu-user-static (binfmt_misc).
#
# Why not a multiarch cross build (dpkg-buildpackage -a arm64)? The daemon
# alone would cross-build, but on Debian 12 the panel's build dependencies
# cannot be installed for arm64 next to the amd64 build tools:
# libgtk-4-dev:arm64 pulls libgraphene-1.0-dev, which depends on
# libgirepository1.0-dev and so on gobject-introspection:arm64, which
# depends on python3:arm64, and python3 (Multi-Arch: allowed) cannot be
# installed for two architectures at once (apt-get build-dep -a arm64 stops
# there; Debian 13 splits gobject-introspection to fix this). Faking that
# package would build the panel against a tree no Debian user has. Under
# qemu the build is the ordinary native one, the unit tests (cmocka) run as
# arm64 code, and nothing of the host's dpkg changes (the machine is shared):
# the price is time (figures in docs/PI.md).
#
# Usage: build-debs.sh SOURCE_DIR OUT_DIR
# Needs root, mmdebstrap, qemu-user-static with binfmt_misc (arch-test
# arm64), and the network to the Debian mirror (the host's apt sources).
# Exit 77 when one is missing. The .debs, the .changes and build.log land in
# OUT_DIR. The downloaded packages are kept in OUT_DIR/../apt-cache for the
# next run (YAMORI_PI_APT_CACHE overrides). YAMORI_PI_NOCHECK=1 skips the
# unit tests in the build.
set -euo pipefail

SRC=$(realpath "$1")
OUT=$2
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
CACHE=${YAMORI_PI_APT_CACHE:-$(dirname "$OUT")/apt-cache}
mkdir -p "$CACHE"
CACHE=$(realpath "$CACHE")

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
step() { printf -- '-- [%4ds] %s\n' "$SECONDS" "$*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (mmdebstrap --mode=root)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed"
. "$(dirname "$0")/qemu.sh"
need_arm64_emulation

sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list

rm -rf "$OUT/src" "$OUT"/*.deb "$OUT"/*.changes "$OUT"/*.buildinfo
mkdir -p "$OUT/src/yamori"
step "copying the sources"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -co --exclude-standard | grep -v '^build' |
		tar -cf - -T -) | tar -xf - -C "$OUT/src/yamori"
else
	tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . |
		tar -xf - -C "$OUT/src/yamori"
fi

opts="parallel=$(nproc)"
prof=
if [ "${YAMORI_PI_NOCHECK:-}" = 1 ]; then opts="nocheck $opts"; prof=-Pnocheck; fi
step "building for arm64 under qemu in a throwaway arm64 tree (log: $OUT/build.log)"
t0=$SECONDS
# The packages apt fetched are hard-linked in from the cache first and back
# out at the end (same file system).
mmdebstrap --variant=buildd --mode=root --format=null --architectures=arm64 \
	--include=debhelper,dpkg-dev \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -al $CACHE/*.deb /var/cache/apt/archives/*_all.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
	--customize-hook="mkdir -p \"\$1/build\" && cp -a $OUT/src/yamori \"\$1/build/\"" \
	--customize-hook="chroot \"\$1\" sh -c 'cd /build/yamori && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y $prof ./'" \
	--customize-hook="cp -al \"\$1\"/var/cache/apt/archives/*.deb $CACHE/ 2>/dev/null || true" \
	--customize-hook="chroot \"\$1\" sh -c 'cd /build/yamori && DEB_BUILD_OPTIONS=\"$opts\" dpkg-buildpackage $prof -us -uc -b'" \
	--customize-hook="cp -a \"\$1\"/build/*.deb \"\$1\"/build/*.changes \"\$1\"/build/*.buildinfo $OUT/" \
	bookworm /dev/null "$sources" >"$OUT/build.log" 2>&1 ||
	{ tail -40 "$OUT/build.log"; fail "the arm64 build (see $OUT/build.log)"; }
rm -rf "$OUT/src"
echo "arm64 build under qemu (tree, build dependencies, dpkg-buildpackage): $((SECONDS - t0)) s"
for deb in "$OUT"/yamori_*_arm64.deb "$OUT"/yamori-panel_*_arm64.deb; do
	[ -s "$deb" ] || fail "no $deb"
	arch=$(dpkg-deb -f "$deb" Architecture)
	[ "$arch" = arm64 ] || fail "$deb is for $arch"
done
ls -l "$OUT"/*.deb
