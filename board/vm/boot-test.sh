#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# board/vm/boot-test.sh [INITRAMFS]: the three-boot test.  The test VM's
# initramfs (built by board/vm/run.sh, which runs this after its own tests)
# booted three times with one ext4 disk that holds /var/lib/nook; the kernel
# command line's nookboot=N makes /init hand over to busybox init
# (board/vm/boot/: inittab, rcS, rcK, test.sh; board/sysv/S60nook as
# /etc/init.d/S60nook).
#
#  0. a fresh 64 MB sparse disk image, mkfs.ext4 on the host;
#  1. boot 1 creates the containers, then powers off cleanly (rcK:
#     S60nook stop), see board/vm/boot/test.sh;
#  2. boot 2 (refresh after a clean shutdown) checks what came back, then
#     prints NOOK-BOOT-KILL-ME: this script kills qemu (SIGKILL, by its
#     pid) while the containers run;
#  3. the disk as the crash left it, on a copy: e2fsck (journal replay,
#     then a forced check) must find it clean, and every state.json and
#     config.json must parse (jq);
#  4. boot 3 from the crashed disk checks that everything comes back, and
#     powers off cleanly; then e2fsck -fn of the disk itself.
# Prints the guest's result lines and its own ("ok - vm: boot: ...").
# Files: build/vm/boot-disk.img, build/vm/boot{1,2,3}.log (the consoles),
# build/vm/boot-fsck{-crash,}.log.
# Exit status: 0 if every line is ok, 1 otherwise.  About 60-80 s under TCG.
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT=build/vm
INITRD=${1:-$OUT/initramfs.gz}
DISK=$OUT/boot-disk.img
DEADLINE=${VM_BOOT_DEADLINE:-90} # seconds per boot
rc=0
qpid=

say() {
	echo "$1 - vm: boot: $2"
	[ "$1" = ok ] || rc=1
}
fail() {
	say "not ok" "$*"
	exit 1
}
# Only the qemu this script started, by its pid.
cleanup() {
	[ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null
	rm -rf "$OUT/boot-crash"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

KERNEL=${VM_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || fail "no readable kernel in /boot"
[ -r "$INITRD" ] || fail "$INITRD missing (board/vm/run.sh builds it)"
for t in qemu-system-x86_64 mkfs.ext4 e2fsck debugfs jq; do
	command -v $t >/dev/null || fail "$t not installed (e2fsprogs, jq, qemu-system-x86)"
done

now() {
	date +%s
}

# boot N [KILL]: boot with nookboot=N; with KILL, SIGKILL qemu once the
# console shows NOOK-BOOT-KILL-ME.  Sets bootlog and boot_secs.
boot() {
	_n=$1
	bootlog=$OUT/boot$_n.log
	_raw=$OUT/boot$_n.raw
	_t0=$(now)
	qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu max -smp 2 -m 512M \
		-nographic -no-reboot -kernel "$KERNEL" -initrd "$INITRD" \
		-drive "file=$DISK,if=virtio,format=raw" \
		-append "console=ttyS0 panic=-1 rdinit=/init quiet nookboot=$_n" \
		</dev/null >"$_raw" 2>&1 &
	qpid=$!
	_why=
	while kill -0 "$qpid" 2>/dev/null; do
		if [ -n "${2:-}" ] && grep -aq '^NOOK-BOOT-KILL-ME' "$_raw"; then
			# let flap be mid-restart, then pull the plug
			sleep 0.5
			kill -KILL "$qpid"
			_why=killed
			break
		fi
		if [ $(($(now) - _t0)) -ge "$DEADLINE" ]; then
			kill -KILL "$qpid"
			_why="timed out after $DEADLINE s"
			break
		fi
		sleep 0.2
	done
	wait "$qpid" 2>/dev/null
	qpid=
	boot_secs=$(($(now) - _t0))
	tr -d '\r' <"$_raw" >"$bootlog"
	rm -f "$_raw"
	grep -aE '^(ok|not ok|skip) - ' "$bootlog"
	grep -aqE '^not ok - ' "$bootlog" && rc=1
	if [ -n "${2:-}" ]; then
		[ "$_why" = killed ] ||
			say "not ok" "boot $_n: no NOOK-BOOT-KILL-ME on the console (${_why:-qemu exited})"
	elif [ -n "$_why" ] || ! grep -aqx "NOOK-BOOT-DONE $_n" "$bootlog"; then
		grep -aq 'Kernel panic' "$bootlog" && _why="kernel panic"
		say "not ok" "boot $_n: no clean shutdown (NOOK-BOOT-DONE $_n; ${_why:-qemu exited})"
	fi
	if grep -aqE '^not ok - |Kernel panic' "$bootlog" || { [ -n "$_why" ] && [ "$_why" != killed ]; }; then
		echo "    last 30 lines of $bootlog:"
		tail -n 30 "$bootlog" | sed 's/^/    /'
	fi
	echo "vm: boot $_n took $boot_secs s"
}

# check_store IMAGE WHAT MIN: every state.json and config.json in IMAGE
# parses, and there are at least MIN of them.
check_store() {
	_d=$OUT/boot-crash
	rm -rf "$_d"
	mkdir -p "$_d"
	debugfs -R "rdump /containers $_d" "$1" >/dev/null 2>&1
	_n=0
	_bad=
	for f in "$_d"/containers/*/state.json "$_d"/containers/*/config.json; do
		[ -f "$f" ] || continue
		_n=$((_n + 1))
		jq -e . "$f" >/dev/null 2>&1 || _bad="$_bad ${f#"$_d"/containers/}"
	done
	_tmp=$(find "$_d/containers" -name '*.tmp' | wc -l)
	echo "vm: boot: $2: $_n state.json/config.json, $_tmp leftover .tmp"
	if [ $_n -ge "$3" ] && [ -z "$_bad" ]; then
		say ok "$2: every state.json and config.json parses"
	else
		say "not ok" "$2: $_n JSON files, corrupt:${_bad:- none}"
	fi
}

# 0. the disk
rm -f "$DISK"
truncate -s 64M "$DISK" || fail "create $DISK"
mkfs.ext4 -q -F -L nook -m 0 -E lazy_itable_init=0,lazy_journal_init=0 "$DISK" ||
	fail "mkfs.ext4 $DISK"
total0=$(now)

# 1. create, clean shutdown
boot 1

# 2. refresh after a clean shutdown, then the hard power-off
boot 2 kill

# 3. the crashed disk, on a copy so that boot 3 replays the journal itself
cp --sparse=always "$DISK" "$DISK.crash"
e2fsck -fy "$DISK.crash" >"$OUT/boot-fsck-crash.log" 2>&1
frc=$?
# 0: clean; 1: the journal replayed (and only that, as the -n run shows)
if [ $frc -le 1 ] && e2fsck -fn "$DISK.crash" >>"$OUT/boot-fsck-crash.log" 2>&1; then
	echo "vm: boot: e2fsck -fy of the crashed disk: exit $frc (1: journal replayed, free counts fixed: what a crash leaves)"
	say ok "after the hard power-off: e2fsck finds the disk clean"
else
	say "not ok" "after the hard power-off: e2fsck exit $frc, see $OUT/boot-fsck-crash.log"
fi
check_store "$DISK.crash" "after the hard power-off" 8 # db web job flap
rm -f "$DISK.crash"

# 4. back after the crash, clean shutdown
boot 3
if e2fsck -fn "$DISK" >"$OUT/boot-fsck.log" 2>&1; then
	say ok "after boot 3's shutdown: e2fsck -fn finds the disk clean"
else
	say "not ok" "after boot 3's shutdown: e2fsck -fn: see $OUT/boot-fsck.log"
fi
check_store "$DISK" "after boot 3" 6 # flap removed
echo "vm: boot test took $(($(now) - total0)) s"
exit $rc
