#!/usr/bin/env bash
# packaging/openwrt/build-musl.sh: builds the router's minimal yamorid and
# yamorictl against musl (OpenWrt's C library) on Debian, without OpenWrt's
# SDK: Debian's musl-gcc (musl-tools), and the five libraries plus libsodium
# built as static musl libraries from Debian 12's source packages.
#
#   packaging/openwrt/build-musl.sh SRC_DIR [OUT_DIR]
#
# SRC_DIR holds the upstream tarballs of Debian 12's source packages (fetch
# them with: apt-get source --download-only libuv1 jansson sqlite3 libpcap
# libsodium ndpi, with a deb-src line for bookworm): libuv1_1.44.2,
# jansson_2.14, sqlite3_3.40.1, libpcap_1.10.3, libsodium_1.0.18,
# ndpi_4.2 (*.orig.tar.*; Debian's own patches are not applied). OUT_DIR
# (default build-musl) gets deps/ (the static libraries) and yamori/ (the
# CMake build, YAMORI_NFT/SSH/TLS/FETCH/PANEL/TESTS off, linked statically).
# Needs musl-tools, autoconf, automake, libtool, flex, bison, cmake.
set -euo pipefail

src=$(cd "${1:?usage: build-musl.sh SRC_DIR [OUT_DIR]}" && pwd)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mkdir -p "${2:-$repo/build-musl}" && cd "${2:-$repo/build-musl}" && pwd)
prefix=$out/deps
work=$out/work
mkdir -p "$prefix" "$work" "$out/kernel-headers"
jobs=$(nproc)

# musl-gcc sees musl's headers only; the Linux UAPI headers (linux/, asm/,
# asm-generic/) come from Debian's linux-libc-dev, as OpenWrt's toolchain
# has its own copy.
kh=$out/kernel-headers
ln -sfn /usr/include/linux "$kh/linux"
ln -sfn /usr/include/asm-generic "$kh/asm-generic"
ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$kh/asm"

export CC="musl-gcc"
export CFLAGS="-O2 -fPIC -isystem $kh"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig

unpack() { # NAME GLOB -> prints the unpacked directory
	local name=$1 tarball
	# shellcheck disable=SC2206 # $2 is a glob on purpose
	local found=("$src"/$2)
	tarball=${found[0]}
	rm -rf "${work:?}/$name"
	mkdir -p "$work/$name"
	tar -xf "$tarball" -C "$work/$name" --strip-components=1
	echo "$work/$name"
}

autotools() { # DIR [configure options...]
	local dir=$1
	shift
	(cd "$dir" && ./configure --prefix="$prefix" --enable-static \
		--disable-shared --host=x86_64-linux-musl "$@" >configure.log &&
		make -j"$jobs" >make.log && make install >install.log)
}

step() { printf '== %s\n' "$*" >&2; }
# built LIB: true when $prefix has libLIB.a from an earlier run (each
# library is built once; remove OUT_DIR/deps to start again).
built() { [[ -e $prefix/lib/lib$1.a ]]; }

step libuv
if ! built uv; then
	d=$(unpack libuv 'libuv1_*.orig.tar.gz')
	(cd "$d" && sh autogen.sh >autogen.log 2>&1)
	autotools "$d"
fi

step jansson
# The upstream tarball is a git snapshot without configure: its CMake build.
if ! built jansson; then
	d=$(unpack jansson 'jansson_*.orig.tar.gz')
	cmake -S "$d" -B "$d/build" -DCMAKE_C_COMPILER=musl-gcc \
		-DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
		-DJANSSON_BUILD_SHARED_LIBS=OFF -DJANSSON_BUILD_DOCS=OFF \
		-DJANSSON_EXAMPLES=OFF -DJANSSON_WITHOUT_TESTS=ON >"$d/cmake.log"
	cmake --build "$d/build" -j"$jobs" --target install >"$d/build.log"
fi

step sqlite
if ! built sqlite3; then
	d=$(unpack sqlite 'sqlite3_*.orig.tar.xz')
	autotools "$d" --disable-tcl --disable-readline --disable-editline
fi

step libpcap
if ! built pcap; then
	d=$(unpack libpcap 'libpcap_*.orig.tar.gz')
	autotools "$d" --disable-dbus --disable-rdma --disable-bluetooth \
		--disable-usb --disable-netmap --without-libnl --without-dpdk
fi

step libsodium
# A git snapshot too: configure from autogen.sh (autoreconf).
if ! built sodium; then
	d=$(unpack libsodium 'libsodium_*.orig.tar.gz')
	(cd "$d" && sh autogen.sh -s >autogen.log 2>&1)
	autotools "$d"
fi

step nDPI
if ! built ndpi; then
	d=$(unpack ndpi 'ndpi_*.orig.tar.gz')
	# autogen.sh runs configure itself; then again with ours.
	(cd "$d" && sh autogen.sh >autogen.log 2>&1) || true
	autotools "$d" --with-only-libndpi
fi
# nDPI's Makefile builds and installs its shared library whatever
# --disable-shared says; a static link must not find it.
rm -f "$prefix"/lib/libndpi.so*

step yamori
rm -rf "$out/yamori"
cmake -S "$repo" -B "$out/yamori" -DCMAKE_BUILD_TYPE=MinSizeRel \
	-DCMAKE_C_COMPILER=musl-gcc -DCMAKE_C_FLAGS="-isystem $kh" \
	-DCMAKE_EXE_LINKER_FLAGS="-static" -DCMAKE_FIND_LIBRARY_SUFFIXES=.a \
	-DYAMORI_NFT=OFF -DYAMORI_SSH=OFF -DYAMORI_TLS=OFF -DYAMORI_FETCH=OFF \
	-DYAMORI_PANEL=OFF -DYAMORI_TESTS=OFF >"$out/yamori-cmake.log"
cmake --build "$out/yamori" -j"$jobs" --target yamorid yamorictl >"$out/yamori-build.log"
file "$out/yamori/daemon/yamorid" "$out/yamori/daemon/yamorictl"
ls -l "$out/yamori/daemon/yamorid" "$out/yamori/daemon/yamorictl"
