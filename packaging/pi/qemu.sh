# shellcheck shell=bash
# Sourced by the scripts in packaging/pi: arm64 programs must run here
# through qemu-user-static and binfmt_misc. Exits 77 (skip) when they
# cannot. Mounts binfmt_misc when it is not (a container may not have it).
need_arm64_emulation() {
	command -v qemu-aarch64-static >/dev/null ||
		skip "qemu-user-static is not installed"
	if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
			skip "binfmt_misc is not mounted and cannot be"
	fi
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && command -v update-binfmts >/dev/null; then
		update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
	fi
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
		skip "no binfmt_misc entry for arm64 (binfmt-support, update-binfmts --enable qemu-aarch64)"
	if command -v arch-test >/dev/null; then
		arch-test arm64 >/dev/null 2>&1 || skip "arch-test arm64 fails: arm64 programs do not run here"
	fi
}
