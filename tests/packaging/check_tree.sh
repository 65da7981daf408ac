#!/usr/bin/env bash
# Checks inside a Debian 12 tree where the yamori and yamori-panel packages
# were just installed (an mmdebstrap customize hook: $1 is the tree, with
# /proc, /sys and /dev mounted). Prints "ok ..." per check, exits non-zero
# at the first failure. Leaves the packages installed (purged and installed
# again) for the boot test.
set -euo pipefail
T=$1
inside() { chroot "$T" "$@"; }
as_yamori() { chroot --userspec=yamori:yamori "$T" env HOME=/var/lib/yamori "$@"; }
ok() { echo "ok $*"; }
fail() { echo "FAIL: $*"; exit 1; }

mode_owner() { inside stat -c '%a %U:%G' "$1"; }

# --- what the packages put in place --------------------------------------
inside dpkg-query -W yamori yamori-panel
grep -qx /etc/yamori/yamori.conf "$T/var/lib/dpkg/info/yamori.conffiles" ||
	fail "/etc/yamori/yamori.conf is not a conffile"
[ -s "$T/etc/yamori/yamori.conf" ] || fail "no /etc/yamori/yamori.conf"
ok "conffile /etc/yamori/yamori.conf"
inside getent passwd yamori >/dev/null || fail "no user yamori"
inside getent group yamori >/dev/null || fail "no group yamori"
[ "$(inside id -gn yamori)" = yamori ] || fail "yamori's group is not yamori"
inside getent passwd yamori-panel >/dev/null || fail "no user yamori-panel"
members=$(inside getent group yamori | cut -d: -f4)
[ "$members" = yamori-panel ] || fail "group yamori has members '$members', want yamori-panel only"
ok "sysusers: yamori (user and group), yamori-panel in group yamori and nobody else"
[ "$(mode_owner /var/lib/yamori)" = "750 yamori:yamori" ] ||
	fail "/var/lib/yamori is $(mode_owner /var/lib/yamori)"
[ "$(mode_owner /run/yamori)" = "750 yamori:yamori" ] ||
	fail "/run/yamori is $(mode_owner /run/yamori)"
[ "$(mode_owner /var/lib/yamori-panel)" = "750 yamori-panel:yamori-panel" ] ||
	fail "/var/lib/yamori-panel is $(mode_owner /var/lib/yamori-panel)"
ok "tmpfiles: /var/lib/yamori and /run/yamori 0750 yamori:yamori"
for f in /usr/share/man/man8/yamorid.8.gz /usr/share/man/man1/yamorictl.1.gz \
	 /usr/share/man/man1/yamori-panel.1.gz /lib/systemd/system/yamorid.service \
	 /lib/systemd/system/yamori-panel-kiosk.service \
	 /usr/share/applications/jp.yamori.Panel.desktop \
	 /usr/share/metainfo/jp.yamori.Panel.metainfo.xml \
	 /usr/share/yamori/fingerprints/oui.rules; do
	[ -e "$T$f" ] || fail "missing $f"
done
ok "man pages, units, desktop file, metainfo, data"
[ -L "$T/etc/systemd/system/multi-user.target.wants/yamorid.service" ] ||
	fail "yamorid.service is not enabled"
[ ! -e "$T/etc/systemd/system/graphical.target.wants/yamori-panel-kiosk.service" ] ||
	fail "the kiosk was enabled by the package"
ok "yamorid.service enabled, the kiosk left to the integrator"

# --- the daemon as its user -----------------------------------------------
as_yamori yamorid -r /tmp/yamori/fixtures/home.pcap ||
	fail "yamorid -r as yamori"
# (No python3 in the minimal tree: the MACs are counted.)
n=$(as_yamori yamorictl devices --json | grep -o '"mac"' | wc -l)
[ "$n" -gt 0 ] || fail "yamorictl devices --json lists no device"
[ "$(inside stat -c %U /var/lib/yamori/yamori.db)" = yamori ] || fail "the database is not yamori's"
ok "as yamori: yamorid -r home.pcap, yamorictl devices --json lists $n devices"

# --- upgrade: the same package, a higher version ---------------------------
echo "# changed by the administrator" >>"$T/etc/yamori/yamori.conf"
before=$(as_yamori yamorictl devices --json | md5sum)
up="$T/tmp/yamori/upgrade"
rm -rf "$up" && mkdir -p "$up"
for deb in "$T"/tmp/yamori/debs/yamori_*.deb "$T"/tmp/yamori/debs/yamori-panel_*.deb; do
	name=$(basename "$deb" | cut -d_ -f1)
	dpkg-deb -R "$deb" "$up/$name"
	sed -i -E 's/^(Version: .*)$/\1+upgrade1/; s/^(Depends: .*yamori \(= [^)]*)\)/\1+upgrade1)/' \
		"$up/$name/DEBIAN/control"
	dpkg-deb -b "$up/$name" "$up/${name}_upgrade.deb" >/dev/null
done
inside sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Options::=--force-confold /tmp/yamori/upgrade/*.deb' >/dev/null ||
	fail "the upgrade"
inside dpkg-query -W -f '${Version}\n' yamori | grep -q upgrade1 || fail "not upgraded"
grep -q "changed by the administrator" "$T/etc/yamori/yamori.conf" ||
	fail "the upgrade lost the administrator's conffile change"
[ -s "$T/var/lib/yamori/yamori.db" ] || fail "the upgrade lost the database"
after=$(as_yamori yamorictl devices --json | md5sum)
[ "$before" = "$after" ] || fail "the devices changed across the upgrade"
as_yamori yamorid -r /tmp/yamori/fixtures/home-part2.pcapng ||
	fail "yamorid after the upgrade (the database migrates at start)"
ok "upgrade keeps the database and the conffile change; the daemon starts on it"

# --- purge -------------------------------------------------------------------
inside sh -c 'DEBIAN_FRONTEND=noninteractive apt-get purge -y yamori-panel yamori' >/dev/null ||
	fail "purge"
for p in /var/lib/yamori /run/yamori /etc/yamori /var/lib/yamori-panel \
	 /usr/lib/sysusers.d/yamori.conf /usr/lib/tmpfiles.d/yamori.conf; do
	[ ! -e "$T$p" ] || fail "$p is left after purge"
done
! inside getent passwd yamori >/dev/null || fail "user yamori is left after purge"
! inside getent passwd yamori-panel >/dev/null || fail "user yamori-panel is left after purge"
! inside getent group yamori >/dev/null || fail "group yamori is left after purge"
ok "purge removes the state, the conffile, the users and the group"

# Installed again for the boot test.
inside sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/yamori/debs/*.deb' >/dev/null ||
	fail "installing again after purge"
ok "installed again after purge"
