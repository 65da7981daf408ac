#!/usr/bin/env bash
# Makes the Yamori Raspberry Pi image: Debian 12 (bookworm) for arm64 made by
# mmdebstrap, the Raspberry Pi boot firmware and Debian's own kernel
# (raspi-firmware from non-free-firmware, linux-image-arm64), the network on
# eth0 by systemd-networkd (DHCP), the yamori and yamori-panel packages and
# the panel as a kiosk (cage on tty1). The card has two partitions (MBR, as
# every Raspberry Pi's boot ROM reads it): the firmware (FAT, label
# YAMORIBOOT, mounted on /boot/firmware) and the root (ext4, label
# YAMORIROOT), which grows to the whole card at the first boot.
#
# Nothing in the image lets anyone in: no account has a password (root is
# locked, there is no other login user), there is no SSH server unless the
# ISP provisions its public key with --ssh-key (then key login only), the
# machine-id and the SSH host keys are made by each box at its first boot,
# and systemd-firstboot does not ask anything on the screen. The household
# sets the panel's PIN on the panel.
#
# Usage: build-image.sh [--ssh-key FILE] [--keep-tree] DEBS_DIR OUT_DIR
#   DEBS_DIR has yamori_*_arm64.deb and yamori-panel_*_arm64.deb
#   (build-debs.sh makes them). OUT_DIR gets yamori-pi-arm64.img, its
#   .sha256 and, with --keep-tree, the root tree (tree/) and the firmware
#   partition's files (firmware/) for checks.
# Environment: YAMORI_PI_MIRROR and YAMORI_PI_SECURITY_MIRROR, the Debian
# mirrors to build from (by default the ones in this machine's apt sources,
# else deb.debian.org); the image itself points at deb.debian.org.
# Needs root, mmdebstrap, qemu-user-static (binfmt_misc), mkfs.ext4 (1.47,
# for -d), mkfs.vfat and mcopy (dosfstools, mtools), sfdisk. Exit 77 when a
# tool is missing.
set -euo pipefail
export MTOOLS_SKIP_CHECK=1

HERE=$(dirname "$(realpath "$0")")
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
step() { printf -- '-- [%4ds] %s\n' "$SECONDS" "$*"; }

ssh_key=
keep_tree=
while [ $# -gt 0 ]; do
	case $1 in
	--ssh-key) ssh_key=$(realpath "$2"); shift 2 ;;
	--keep-tree) keep_tree=1; shift ;;
	-*) fail "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--ssh-key FILE] [--keep-tree] DEBS_DIR OUT_DIR" >&2; exit 2; }
DEBS=$(realpath "$1")
OUT=$2
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
CACHE=${YAMORI_PI_APT_CACHE:-$(dirname "$OUT")/apt-cache}
mkdir -p "$CACHE"
CACHE=$(realpath "$CACHE")

[ "$(id -u)" -eq 0 ] || skip "needs root (mmdebstrap --mode=root, chroot)"
for t in mmdebstrap mkfs.ext4 mkfs.vfat mcopy sfdisk sha256sum; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done
. "$HERE/qemu.sh"
need_arm64_emulation
if [ -n "$ssh_key" ]; then
	grep -qE '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-[a-z0-9]+|sk-ssh-ed25519@openssh.com) ' "$ssh_key" ||
		fail "$ssh_key is not an OpenSSH public key"
fi
ls "$DEBS"/yamori_*_arm64.deb "$DEBS"/yamori-panel_*_arm64.deb >/dev/null 2>&1 ||
	fail "no arm64 yamori packages in $DEBS (packaging/pi/build-debs.sh)"

# --- the mirror: this machine's own, if its apt sources name one ----------
mirror_of() { # SUITE: the first URI serving it in the host's apt sources
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v want="$1" 'BEGIN { RS = ""; FS = "\n" }
		{ uri = ""; suites = ""; types = ""
		  for (i = 1; i <= NF; i++) {
			if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, a, " "); uri = a[1] }
			if ($i ~ /^Suites:/) suites = " " $i " "
			if ($i ~ /^Types:/) types = $i " "
		  }
		  if (types ~ / deb / && index(suites, " " want " ") && uri != "") { print uri; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -E 's/\[[^]]*\]//' "$f" | awk -v want="$1" '$1 == "deb" && $3 == want { print $2; exit }'
	done
}
MIRROR=${YAMORI_PI_MIRROR:-$(mirror_of bookworm | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${YAMORI_PI_SECURITY_MIRROR:-$(mirror_of bookworm-security | head -1)}
SECMIRROR=${SECMIRROR:-http://deb.debian.org/debian-security}
COMP="main non-free-firmware"
step "mirrors: $MIRROR, $SECMIRROR"

# --- the root tree ---------------------------------------------------------
T="$OUT/tree"
rm -rf "$T" "$OUT/firmware" "$OUT"/*.img "$OUT"/*.img.sha256 "$OUT/debs"
mkdir -p "$OUT/debs"
cp "$DEBS"/yamori_*_arm64.deb "$DEBS"/yamori-panel_*_arm64.deb "$OUT/debs/"

# The system, the Pi's firmware and kernel, the network, the kiosk (cage,
# with Xwayland, which cage 0.1.4 needs to start, pam_systemd for its seat,
# and Mesa's drivers for the Pi's GPU), growpart for the first boot.
pkgs=systemd,systemd-sysv,udev,dbus,kmod,iproute2,ca-certificates
pkgs=$pkgs,systemd-timesyncd,linux-image-arm64,raspi-firmware
pkgs=$pkgs,initramfs-tools,zstd,e2fsprogs,dosfstools,cloud-guest-utils,fdisk
pkgs=$pkgs,libpam-systemd,cage,xwayland,libgl1-mesa-dri,libegl-mesa0,nftables
pkgs=$pkgs,systemd-resolved
[ -z "$ssh_key" ] || pkgs=$pkgs,openssh-server

step "mmdebstrap bookworm arm64 (log: $OUT/mmdebstrap.log)"
t0=$SECONDS
# One apt run installs everything, the Yamori packages included. The initrd
# is made once, at the end: update-initramfs is diverted to a no-op while
# the packages install (as live-build does; under qemu one initrd takes many
# minutes, and the kernel's postinst and the trigger of every package with
# an initramfs hook would each make one). The kernel command line
# (raspi-firmware's kernel hook writes cmdline.txt; it already names the
# wired port eth0 with net.ifnames=0): the root by label, and a quiet
# screen for the kiosk.
mmdebstrap --variant=minbase --mode=root --format=directory --architectures=arm64 \
	--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
	--components="$COMP" --include="$pkgs" \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\"; cp -al $CACHE/*_arm64.deb $CACHE/*_all.deb \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
	--include="$(ls "$OUT"/debs/yamori_*_arm64.deb)" \
	--include="$(ls "$OUT"/debs/yamori-panel_*_arm64.deb)" \
	--customize-hook="cp -al \"\$1\"/var/cache/apt/archives/*.deb $CACHE/ 2>/dev/null || true" \
	--essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs && printf "#!/bin/sh\n# build-image.sh: the initrd is made once, at the end\nexit 0\n" >"$1/usr/sbin/update-initramfs" && chmod 755 "$1/usr/sbin/update-initramfs"' \
	--customize-hook='rm -f "$1/usr/sbin/update-initramfs" && chroot "$1" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs && [ -x "$1/usr/sbin/update-initramfs" ]' \
	--customize-hook='sed -i "s/^#\?ROOTPART=.*/ROOTPART=LABEL=YAMORIROOT/" "$1/etc/default/raspi-firmware" && grep -qx ROOTPART=LABEL=YAMORIROOT "$1/etc/default/raspi-firmware" && echo quiet >"$1/etc/default/raspi-extra-cmdline"' \
	--customize-hook='chroot "$1" update-initramfs -c -k all && chroot "$1" env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware' \
	bookworm "$T" \
	"deb $MIRROR bookworm $COMP" "deb $MIRROR bookworm-updates $COMP" \
	"deb $SECMIRROR bookworm-security $COMP" >"$OUT/mmdebstrap.log" 2>&1 ||
	{ tail -40 "$OUT/mmdebstrap.log"; fail "mmdebstrap (see $OUT/mmdebstrap.log)"; }
echo "mmdebstrap: $((SECONDS - t0)) s" >"$OUT/timings.txt"

# --- the appliance's settings ---------------------------------------------
step "settings: network, kiosk, first boot, no way in"
cp -a "$HERE/rootfs/." "$T/"
[ -z "$ssh_key" ] || cp -a "$HERE/rootfs-ssh/." "$T/"
cat >"$T/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian bookworm $COMP
deb http://deb.debian.org/debian bookworm-updates $COMP
deb http://deb.debian.org/debian-security bookworm-security $COMP
EOF
echo yamori >"$T/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tyamori\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$T/etc/hosts"
ln -sf ../run/systemd/resolve/stub-resolv.conf "$T/etc/resolv.conf"
cat >"$T/etc/fstab" <<'EOF'
# <file system>		<mount point>	<type>	<options>			<dump> <pass>
LABEL=YAMORIROOT	/		ext4	rw,noatime,errors=remount-ro	0 1
LABEL=YAMORIBOOT	/boot/firmware	vfat	rw,noatime,umask=0022		0 2
EOF
# yamorid watches the wired port.
sed -i 's/^#interface = br-lan$/interface = eth0/' "$T/etc/yamori/yamori.conf"
grep -qx 'interface = eth0' "$T/etc/yamori/yamori.conf" || fail "could not set interface = eth0 in yamori.conf"
mkdir -p "$T/etc/yamori-image"
: >"$T/etc/yamori-image/grow-root"

systemctl --root="$T" enable systemd-networkd.service systemd-resolved.service \
	systemd-timesyncd.service yamori-grow-root.service yamorid.service \
	yamori-panel-kiosk.service >/dev/null 2>&1
systemctl --root="$T" set-default graphical.target >/dev/null 2>&1
# First boot asks nothing on the screen (no locale, no root password).
systemctl --root="$T" mask systemd-firstboot.service >/dev/null 2>&1

# No password: root locked ("!" before whatever it had), every other
# account with "!" or "*" (system users).
chroot "$T" passwd -l root >/dev/null
if [ -n "$ssh_key" ]; then
	install -d -m 700 "$T/root/.ssh"
	install -m 600 "$ssh_key" "$T/root/.ssh/authorized_keys"
	systemctl --root="$T" enable ssh.service yamori-ssh-host-keys.service >/dev/null 2>&1
fi
# Per box: the machine-id (empty: systemd makes one at the first boot) and
# the SSH host keys (made by yamori-ssh-host-keys.service); no leftovers of
# the build.
rm -f "$T"/etc/ssh/ssh_host_*
: >"$T/etc/machine-id"
rm -f "$T/var/lib/dbus/machine-id" "$T/var/lib/systemd/random-seed" \
	"$T/var/cache/debconf/"*-old "$T/var/lib/dpkg/"*-old
find "$T/var/log" -type f -delete
rm -rf "$T/tmp/"* "$T/var/tmp/"*

# --- the partitions ----------------------------------------------------------
step "the image: firmware (FAT) + root (ext4)"
t0=$SECONDS
[ -e "$T/boot/firmware/config.txt" ] || fail "raspi-firmware wrote no config.txt (see $OUT/mmdebstrap.log)"
mkdir -p "$OUT/firmware"
cp -a "$T/boot/firmware/." "$OUT/firmware/"
rm -rf "$T/boot/firmware/"*
mib=$((1024 * 1024))
boot_mib=256
# The root: what the tree holds, a fifth more for the file system's own
# needs, and 256 MiB free for the first days (it grows to the card anyway).
used_mib=$(du -s --block-size=1M "$T" | cut -f1)
root_mib=$(( (used_mib * 6 / 5 + 256 + 3) / 4 * 4 ))
start_mib=4
img="$OUT/yamori-pi-arm64.img"
rm -f "$OUT/boot.vfat" "$OUT/root.ext4"
mkfs.vfat -F 32 -n YAMORIBOOT -C "$OUT/boot.vfat" $((boot_mib * 1024)) >/dev/null
mcopy -s -p -m -i "$OUT/boot.vfat" "$OUT/firmware/"* ::
mkfs.ext4 -q -L YAMORIROOT -d "$T" -E root_owner=0:0 "$OUT/root.ext4" "${root_mib}M" >/dev/null
truncate -s $(( (start_mib + boot_mib + root_mib) * mib )) "$img"
sfdisk -q "$img" <<EOF
label: dos
unit: sectors
start=$((start_mib * 2048)), size=$((boot_mib * 2048)), type=c, bootable
start=$(( (start_mib + boot_mib) * 2048 )), size=$((root_mib * 2048)), type=83
EOF
dd if="$OUT/boot.vfat" of="$img" bs=1M seek=$start_mib conv=notrunc,sparse status=none
dd if="$OUT/root.ext4" of="$img" bs=1M seek=$((start_mib + boot_mib)) conv=notrunc,sparse status=none
rm -f "$OUT/boot.vfat" "$OUT/root.ext4"
(cd "$OUT" && sha256sum "$(basename "$img")" >"$(basename "$img").sha256")
echo "image: $((SECONDS - t0)) s" >>"$OUT/timings.txt"
if [ -z "$keep_tree" ]; then rm -rf "$T" "$OUT/firmware"; fi
rm -rf "$OUT/debs"
echo "root tree: $used_mib MiB; partitions: boot $boot_mib MiB, root $root_mib MiB" >>"$OUT/timings.txt"
echo "image: $(du -m --apparent-size "$img" | cut -f1) MiB ($(du -m "$img" | cut -f1) MiB allocated)" >>"$OUT/timings.txt"
cat "$OUT/timings.txt"
cat "$img.sha256"
