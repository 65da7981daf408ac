#!/usr/bin/env bash
# The Debian packages, for real: builds them from a copy of the sources with
# dpkg-buildpackage, runs lintian (no error allowed), then installs them
# into a clean Debian 12 tree made by mmdebstrap from the host's own apt
# sources, apt resolving the dependencies, and checks inside it (chroot):
#   - the conffile, the sysusers users and group, the tmpfiles directories;
#   - as the user yamori, yamorid -r replays a capture into /var/lib/yamori
#     and yamorictl devices --json lists the devices;
#   - an upgrade (the same package with a higher version) keeps the state
#     and the administrator's conffile change;
#   - purge removes the state, the conffile and the users.
# Then, where systemd-nspawn --boot works, boots the tree and checks that
# yamorid.service reaches active (a skip with the reason where it cannot).
#
# Usage: test_packages.sh SOURCE_DIR WORK_DIR
# Needs root, dpkg-buildpackage (debhelper, and the build dependencies),
# lintian, mmdebstrap and the network to the Debian mirror. Exit 77 when a
# tool is missing. Artifacts (the .debs, lintian.txt, timings) stay in
# WORK_DIR.
set -euo pipefail

SRC=$(realpath "$1")
WORK=$2
mkdir -p "$WORK"
WORK=$(realpath "$WORK")

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
step() { printf '%s [%4ds] %s\n' "--" "$((SECONDS))" "$*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (mmdebstrap, chroot)"
for t in dpkg-buildpackage dh lintian mmdebstrap python3; do
	command -v "$t" >/dev/null || skip "$t is not installed (./run.sh test installs it)"
done

# --- build -------------------------------------------------------------
# YAMORI_PKG_REUSE=1 keeps the packages of the last run (for work on the
# checks); the suite always builds.
if [ "${YAMORI_PKG_REUSE:-}" = 1 ] && ls "$WORK"/yamori_*.changes >/dev/null 2>&1; then
	step "reusing the packages in $WORK"
else
rm -rf "$WORK/src" "$WORK"/*.deb "$WORK"/*.changes "$WORK"/*.buildinfo
mkdir -p "$WORK/src/yamori"
step "copying the sources"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -co --exclude-standard | grep -v '^build' |
		tar -cf - -T -) | tar -xf - -C "$WORK/src/yamori"
else
	tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . |
		tar -xf - -C "$WORK/src/yamori"
fi
step "dpkg-buildpackage -us -uc -b"
t0=$SECONDS
(cd "$WORK/src/yamori" &&
	DEB_BUILD_OPTIONS="parallel=$(nproc) ${YAMORI_DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) ||
	{ tail -40 "$WORK/build.log"; fail "dpkg-buildpackage (see $WORK/build.log)"; }
echo "build: $((SECONDS - t0)) s" >"$WORK/timings.txt"
mv "$WORK"/src/*.deb "$WORK"/src/*.changes "$WORK"/src/*.buildinfo "$WORK"/
fi
rm -rf "$WORK/tree"
ls "$WORK"/*.deb

# --- lintian -----------------------------------------------------------
step "lintian"
t0=$SECONDS
lintian --no-tag-display-limit --display-info "$WORK"/yamori_*.changes \
	>"$WORK/lintian.txt" 2>&1 || true
echo "lintian: $((SECONDS - t0)) s" >>"$WORK/timings.txt"
cat "$WORK/lintian.txt"
if grep -q '^E: ' "$WORK/lintian.txt"; then
	fail "lintian reports errors"
fi

# --- a clean Debian 12 tree with the packages --------------------------
# The host's own apt sources; the host's downloaded packages are linked in
# first (same file system: hard links, nothing copied) to spare the mirror.
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
step "mmdebstrap bookworm (minbase) from $sources"
t0=$SECONDS
tree="$WORK/tree"
rm -rf "$WORK/debs" && mkdir -p "$WORK/debs"
cp "$WORK"/yamori_*.deb "$WORK"/yamori-panel_*.deb "$WORK/debs/"
python3 "$SRC/tests/fixtures/mkhome.py" --out "$WORK/fixtures" >/dev/null
chmod -R a+rX "$WORK/fixtures"
mmdebstrap --variant=minbase --mode=root --format=directory \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"; cp -al /var/cache/apt/archives/*.deb "$1/var/cache/apt/archives/" 2>/dev/null || true' \
	--customize-hook="mkdir -p \"\$1/tmp/yamori\" && cp -r $WORK/debs $WORK/fixtures \"\$1/tmp/yamori/\"" \
	--customize-hook='chroot "$1" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/yamori/debs/*.deb"' \
	--customize-hook="$SRC/tests/packaging/check_tree.sh \"\$1\"" \
	bookworm "$tree" "$sources" >"$WORK/mmdebstrap.log" 2>&1 ||
	{ tail -60 "$WORK/mmdebstrap.log"; fail "mmdebstrap or the checks in the tree (see $WORK/mmdebstrap.log)"; }
grep -E '^(ok|FAIL|SKIP|--)' "$WORK/mmdebstrap.log" || true
echo "tree, install, checks, purge: $((SECONDS - t0)) s" >>"$WORK/timings.txt"

# --- boot it -----------------------------------------------------------
step "systemd-nspawn --boot"
t0=$SECONDS
boot_result=$("$SRC/tests/packaging/boot_tree.sh" "$tree" "$WORK" 2>&1) && rc=0 || rc=$?
echo "$boot_result"
echo "boot: $((SECONDS - t0)) s (rc $rc)" >>"$WORK/timings.txt"
cat "$WORK/timings.txt"
[ -n "${YAMORI_PKG_KEEP_TREE:-}" ] || rm -rf "$tree"
rm -rf "$WORK/src"
[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || fail "the booted tree (see above)"
echo "ok: packages built, linted, installed, used, upgraded and purged"
