#!/usr/bin/env bash
# Boots the Debian 12 tree (with yamori installed) under systemd-nspawn and
# checks that yamorid.service reaches "active" as the yamori user, with
# CAP_NET_RAW as its only capability and its socket 0660 group yamori: the
# hardened unit as shipped, sandbox and system call filter included.
# (--register=no --keep-unit: no machined or system bus on the host needed.)
# A one-shot unit in the tree waits for yamorid, writes what systemd says
# into /var/tmp/yamori-boot.txt and powers the container off.
#
# Usage: boot_tree.sh TREE WORK_DIR. Exit 0 when active, 1 when not, 77 when
# the container cannot boot here (the reason is printed).
set -uo pipefail
T=$1
WORK=$2
skip() { echo "SKIP (boot): $*"; exit 77; }

command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (systemd-container)"
[ -x "$T/lib/systemd/systemd" ] || skip "no systemd in the tree"

# The daemon watches the loopback interface (the minimal tree has nothing
# to bring a veth up; lo is up from the start).
sed -i '/^interface = /d' "$T/etc/yamori/yamori.conf"
echo "interface = lo" >>"$T/etc/yamori/yamori.conf"
rm -f "$T/var/tmp/yamori-boot.txt"
cat >"$T/etc/systemd/system/yamori-boot-check.service" <<'EOF'
[Unit]
Description=Report yamorid's state, then power off (test)
After=yamorid.service
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for i in $(seq 30); do systemctl is-active -q yamorid && break; sleep 1; done; sleep 3; { systemctl is-active yamorid; systemctl show -p User,MainPID yamorid; pid=$(systemctl show -p MainPID --value yamorid); grep -E "^(Uid|CapEff)" /proc/$pid/status; stat -c "socket %%a %%U:%%G" /run/yamori/yamori.sock; journalctl -b -u yamorid --no-pager | tail -20; } >/var/tmp/yamori-boot.txt 2>&1; systemctl poweroff'
[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/yamori-boot-check.service \
	"$T/etc/systemd/system/multi-user.target.wants/yamori-boot-check.service"

timeout 180 systemd-nspawn -q -D "$T" --boot --register=no --keep-unit --private-network --console=pipe \
	--machine="ymtest$$" </dev/null >"$WORK/boot.log" 2>&1
rc=$?
rm -f "$T/etc/systemd/system/multi-user.target.wants/yamori-boot-check.service" \
	"$T/etc/systemd/system/yamori-boot-check.service"
if [ ! -s "$T/var/tmp/yamori-boot.txt" ]; then
	tail -15 "$WORK/boot.log"
	skip "systemd-nspawn --boot did not come up here (exit $rc; see $WORK/boot.log)"
fi
cat "$T/var/tmp/yamori-boot.txt"
r="$T/var/tmp/yamori-boot.txt"
if [ "$(head -1 "$r")" = active ] && grep -q "^User=yamori$" "$r" &&
	grep -qE "^CapEff:[[:space:]]+0000000000002000$" "$r" &&
	grep -q "^socket 660 yamori:yamori$" "$r"; then
	echo "ok booted: yamorid.service is active as yamori with CAP_NET_RAW only, socket 0660 group yamori"
	exit 0
fi
echo "FAIL: yamorid.service did not reach active as yamori with CAP_NET_RAW only in the booted tree"
exit 1
