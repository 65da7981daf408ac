#!/usr/bin/env bash
# Cross-builds the Debian packages (yamori, yamori-panel) for arm64, the
# Raspberry Pi, on an amd64 machine (multiarch), then runs their unit tests
# as arm64 code under qemu-user-static.
#
# How: a throwaway Debian 12 amd64 tree made by mmdebstrap with arm64 as a
# foreign architecture, crossbuild-essential-arm64 and the :arm64 build
# dependencies (apt-get build-dep -a arm64), then dpkg-buildpackage -a arm64
# in it. The tree keeps the host's dpkg free of a foreign architecture (the
# machine is shared). The compiler runs natively, so the build takes about
# as long as the amd64 one; a native build under qemu-user-static was tried
# first and emulates every compiler run: it had not got past a tenth of the
# compilation after 5 minutes on this 2-core machine (docs/PI.md).
#
# One stand-in: on Debian 12, libgtk-4-dev:arm64 pulls libgraphene-1.0-dev,
# which depends on libgirepository1.0-dev, which depends on
# gobject-introspection:arm64 (the GIR code generator, a Python program),
# which needs python3:arm64 and build-essential:arm64; those cannot be
# installed next to the amd64 build tools (Debian 13 fixes this by splitting
# gobject-introspection). Yamori's build never runs gobject-introspection
# nor reads its files, so an empty package of that name and version stands
# in for it in the build tree only; every library the programs link with is
# Debian's own arm64 build.
#
# Usage: build-debs.sh SOURCE_DIR OUT_DIR
# Needs root, mmdebstrap, qemu-user-static with binfmt_misc (arch-test
# arm64; for the unit tests) and the network to the Debian mirror (the
# host's apt sources). Exit 77 when one is missing. The .debs, the .changes,
# build.log and unit-tests.log land in OUT_DIR. The downloaded packages are
# kept in OUT_DIR/../apt-cache for the next run (YAMORI_PI_APT_CACHE
# overrides). YAMORI_PI_NOCHECK=1 skips the unit tests.
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
[ "${YAMORI_PI_NOCHECK:-}" = 1 ] || need_arm64_emulation

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

# The stand-in, made in the tree (its version is what
# libgirepository1.0-dev:arm64 asks for).
standin='set -e
v=$(apt-cache show libgirepository1.0-dev:arm64 | sed -n "s/.*gobject-introspection (= \([^)]*\)).*/\1/p" | head -1)
[ -n "$v" ]
mkdir -p /tmp/gi/DEBIAN
printf "%s\n" "Package: gobject-introspection" "Version: $v" "Architecture: arm64" \
	"Multi-Arch: foreign" "Maintainer: Yamori maintainers <maintainers@users.noreply.r-seed-fdb061e1.example>" \
	"Description: empty stand-in for the cross build (see packaging/pi/build-debs.sh)" \
	>/tmp/gi/DEBIAN/control
dpkg-deb -b /tmp/gi /tmp/gi.deb >/dev/null
dpkg -i /tmp/gi.deb'
unit='cd /build/yamori/obj-aarch64-linux-gnu && ctest -L unit -j2 --output-on-failure'
[ "${YAMORI_PI_NOCHECK:-}" != 1 ] || unit=true
# The build dependencies with the tests' own (ieee-data, for the unit
# tests run after the build); dpkg-buildpackage itself with nocheck: a cross
# build does not run the tests.
step "cross-building for arm64 in a throwaway amd64 tree (log: $OUT/build.log)"
t0=$SECONDS
# The packages apt fetched (both architectures) are hard-linked in from the
# cache first and back out at the end (same file system).
mmdebstrap --variant=buildd --mode=root --format=null \
	--architectures=amd64,arm64 \
	--include=crossbuild-essential-arm64,debhelper,dpkg-dev \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -al $CACHE/*.deb /var/cache/apt/archives/*_amd64.deb /var/cache/apt/archives/*_all.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
	--customize-hook="mkdir -p \"\$1/build\" && cp -a $OUT/src/yamori \"\$1/build/\"" \
	--customize-hook="chroot \"\$1\" sh -c '$standin'" \
	--customize-hook='chroot "$1" sh -c "cd /build/yamori && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -a arm64 ./"' \
	--customize-hook="cp -al \"\$1\"/var/cache/apt/archives/*.deb $CACHE/ 2>/dev/null || true" \
	--customize-hook='chroot "$1" sh -c "cd /build/yamori && DEB_BUILD_OPTIONS=\"nocheck parallel=$(nproc)\" dpkg-buildpackage -a arm64 -Pnocheck -us -uc -b"' \
	--customize-hook="cp -a \"\$1\"/build/*.deb \"\$1\"/build/*.changes \"\$1\"/build/*.buildinfo $OUT/" \
	--customize-hook="chroot \"\$1\" sh -c '$unit' >$OUT/unit-tests.log 2>&1 || { tail -30 $OUT/unit-tests.log; exit 1; }" \
	bookworm /dev/null "$sources" >"$OUT/build.log" 2>&1 ||
	{ tail -40 "$OUT/build.log"; fail "the cross build or its unit tests (see $OUT/build.log, $OUT/unit-tests.log)"; }
rm -rf "$OUT/src"
echo "arm64 cross build (tree, build dependencies, dpkg-buildpackage, unit tests under qemu): $((SECONDS - t0)) s"
grep -E '^[0-9]+% tests passed|tests passed' "$OUT/unit-tests.log" || true
for deb in "$OUT"/yamori_*_arm64.deb "$OUT"/yamori-panel_*_arm64.deb; do
	[ -s "$deb" ] || fail "no $deb"
	arch=$(dpkg-deb -f "$deb" Architecture)
	[ "$arch" = arm64 ] || fail "$deb is for $arch"
done
ls -l "$OUT"/*.deb
