#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# board/vm/run.sh BUILD_DIR: the cgroup tests in a qemu VM that has cgroup v2
# with every controller (the dev/CI host has a hybrid cgroup2 with hugetlb
# only, so memory, pids, cpu and io limits can only be tested here).
#
# What it does (about 10 s, no network, no disk image):
#  1. builds build/vm/test-cgroup (tests/unit/test-cgroup.c, static musl);
#  2. stages an initramfs in build/vm/root: busybox-static with its applet
#     links, board/vm/init as /init, BUILD_DIR's nook and nook-test in /nook,
#     board/vm/tests/*.sh in /tests, a busybox rootfs for containers in
#     /rootfs, and the kernel modules in VM_MODULES (with their dependencies
#     from modules.dep); when the host has criu (VM_CRIU, /usr/sbin/criu;
#     empty: none), criu and the programs it runs in build/vm/root-criu,
#     its modules (CRIU_MODULES) with the others.  VM_TESTS (a glob,
#     e.g. '40-*') picks the test scripts;
#  3. packs each reproducibly (sorted names, mtimes at SOURCE_DATE_EPOCH or
#     0, cpio --reproducible, gzip -n): build/vm/initramfs-base.gz, and
#     build/vm/initramfs.gz, that one with the criu archive appended;
#  4. boots Debian's kernel (/boot/vmlinuz-*, newest; VM_KERNEL overrides)
#     with qemu TCG (KVM does not work on these hosts) under `timeout 600`;
#  5. prints the result lines the tests wrote on the serial console
#     (build/vm/console.log keeps all of it).  No NOOK-VM-DONE marker (a
#     timeout, a kernel panic) is a failure, shown with the console's last
#     30 lines; a guest that printed nothing at all in 600 s (an emulator
#     stall) is booted once more first;
#  6. runs board/vm/boot-test.sh on initramfs-base.gz (no criu): three
#     boots of busybox init with an ext4 disk for /var/lib/nook
#     (VM_BOOT_TEST=0 skips it).
# Exit status: 0 if every line is ok/skip, 1 otherwise.
#
# The tests drive the runtime as "$RT": "/nook/nook runtime" by default.  To
# check the test scripts against another runc-compatible runtime, name its
# binary in NOOK_VM_RUNTIME (e.g. /usr/sbin/runc): it is copied in with the
# libraries ldd lists and used instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:?usage: board/vm/run.sh BUILD_DIR}
OUT=build/vm
ROOT=$OUT/root
CROOT=$OUT/root-criu # criu and its programs: an archive of their own
# overlay for the tests; virtio_pci, virtio_blk, crc32c and ext4 for the
# boot test's data disk (boot-test.sh).
VM_MODULES=${VM_MODULES:-overlay virtio_pci virtio_blk crc32c_generic ext4}
# With criu on the host (VM_CRIU= leaves it out): what it needs at run time.
# The sock-diag modules to dump sockets; nf_tables for the nftables network
# lock and the nft ruleset of a network namespace it dumps (its libcrc32c
# wants a crc32c: crc32c_generic, loaded first, above); nf_conntrack_netlink
# for a network namespace's conntrack.
VM_CRIU=${VM_CRIU-/usr/sbin/criu}
CRIU_MODULES="unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag
crc32c_generic nf_tables nf_conntrack_netlink"
NET_MODULES="veth bridge crc32c_generic nf_tables nft_chain_nat nft_nat nft_masq nft_ct
nft_fib_inet nft_fib_ipv4"
# Only the scripts of board/vm/tests whose names match this (a shell glob).
VM_TESTS=${VM_TESTS:-*}
EPOCH=${SOURCE_DATE_EPOCH:-0}
MUSL_GCC=${MUSL_GCC:-build/deps/x86_64/bin/musl-gcc}
rc=0

fail() {
	echo "not ok - vm: $*"
	exit 1
}

KERNEL=${VM_KERNEL:-$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
	fail "no readable kernel in /boot (apt-get install linux-image-amd64)"
KVER=${KERNEL##*/vmlinuz-}
MODDIR=/lib/modules/$KVER
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not installed"
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	fail "/bin/busybox is missing or not static (apt-get install busybox-static)"

mkdir -p "$OUT"
if [ ! -x "$BUILD/nook" ]; then
	# Still boot: the cgroup unit test runs without it.
	echo "not ok - vm: $BUILD/nook is missing (run make first)"
	rc=1
fi

# 1. the cgroup unit test, static, for the VM
rm -f "$OUT/test-cgroup"
if [ -x "$MUSL_GCC" ]; then
	"$MUSL_GCC" -static -Os -std=gnu11 -D_GNU_SOURCE -I. -Wno-format-truncation \
		-o "$OUT/test-cgroup" tests/unit/test-cgroup.c oci/cgroup.c oci/util.c oci/err.c \
		oci/sys.c oci/log.c -lcjson \
		>"$OUT/test-cgroup.log" 2>&1 ||
		{ echo "not ok - vm: build test-cgroup: see $OUT/test-cgroup.log"; rc=1; }
else
	echo "ok - vm: test-cgroup # SKIP $MUSL_GCC missing (make deps)"
fi

# 2. stage the initramfs
rm -rf "$ROOT" "$CROOT"
for d in bin dev proc sys tmp run newroot nook tests etc rootfs; do
	mkdir -p "$ROOT/$d"
done
ln -s bin "$ROOT/sbin"
mknod -m 600 "$ROOT/dev/console" c 5 1
mknod -m 666 "$ROOT/dev/null" c 1 3

# busybox and its applets into DIR/bin
install_busybox() {
	cp /bin/busybox "$1/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done
}
install_busybox "$ROOT"
cp board/vm/init "$ROOT/init"
cp board/vm/initramfs-exec.sh "$ROOT/initramfs-exec.sh"
chmod 755 "$ROOT/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
echo "root:x:0:" >"$ROOT/etc/group"

for f in nook nook-test; do
	[ -x "$BUILD/$f" ] && cp "$BUILD/$f" "$ROOT/nook/$f"
done
[ -x "$ROOT/nook/nook" ] && ln -s nook "$ROOT/nook/nook-runtime"
[ -x "$OUT/test-cgroup" ] && cp "$OUT/test-cgroup" "$ROOT/nook/test-cgroup"
for t in board/vm/tests/$VM_TESTS.sh; do
	[ -f "$t" ] && cp "$t" "$ROOT/tests/"
done
cp board/vm/tests/lib.inc "$ROOT/tests/" # what they share

# A dynamically linked program of the host as DEST in the VM, with the
# libraries ldd lists (the dynamic loader too) at their host paths, into
# TREE ($ROOT unless given).
install_elf() { # SRC DEST [TREE]
	t=${3:-$ROOT}
	mkdir -p "$t${2%/*}"
	cp -L "$1" "$t$2" || fail "copy $1"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		{ [ -f "$ROOT$lib" ] || [ -f "$t$lib" ]; } && continue
		mkdir -p "$t${lib%/*}"
		cp -L "$lib" "$t$lib" || fail "copy $lib"
	done
}

# criu (Debian's works with the VM's 6.1 kernel, not with the hosts'), in
# /usr/sbin, with the programs it runs by name (the tests that use criu put
# /usr/sbin first in PATH; busybox's applets stay for the others): GNU tar
# and gzip (criu saves a tmpfs's contents with GNU tar's options, which
# busybox tar refuses), iproute2's ip (`ip addr save` and friends, which
# busybox's ip lacks) and iptables-save/-restore, ip6tables-save/-restore
# for a network namespace it dumps (the nft variant: criu 3.17 only asks
# it for its version, then saves the ruleset with libnftables; without the
# xtables extensions the default iptables network lock fails, nook uses
# --network-lock=nftables).  They are 3/4 of the initramfs: in a tree and
# an archive of their own, appended to the rest (the kernel unpacks both);
# the three-boot test boots without them.
if [ -n "$VM_CRIU" ] && [ -x "$VM_CRIU" ]; then
	install_elf "$VM_CRIU" /usr/sbin/criu "$CROOT"
	for b in ip tar gzip; do
		p=$(command -v $b) || fail "$b not found on the host"
		install_elf "$p" /usr/sbin/$b "$CROOT"
	done
	if [ -x /usr/sbin/xtables-nft-multi ]; then
		install_elf /usr/sbin/xtables-nft-multi /usr/sbin/xtables-nft-multi "$CROOT"
		for t in iptables ip6tables; do
			for s in "" -save -restore; do
				ln -s xtables-nft-multi "$CROOT/usr/sbin/$t$s"
			done
		done
	else
		echo "# vm: no /usr/sbin/xtables-nft-multi (apt-get install iptables): criu cannot dump a network namespace"
	fi
	VM_MODULES="$VM_MODULES $CRIU_MODULES"
fi

# Bridge networks (the nft program, which nook runs, and the modules of its
# table: veth, bridge, nat, masquerade, conntrack, fib), when the host has
# nft: in the same archive as criu, whose libraries it shares.
if [ -x /usr/sbin/nft ]; then
	install_elf /usr/sbin/nft /usr/sbin/nft "$CROOT"
	VM_MODULES="$VM_MODULES $NET_MODULES"
fi

# The containers' rootfs: busybox, nook-test, the usual mount points.
mkdir -p "$ROOT/rootfs/bin" "$ROOT/rootfs/etc" "$ROOT/rootfs/proc" \
	"$ROOT/rootfs/sys" "$ROOT/rootfs/dev" "$ROOT/rootfs/tmp" "$ROOT/rootfs/root"
ln -s bin "$ROOT/rootfs/sbin"
install_busybox "$ROOT/rootfs"
[ -x "$BUILD/nook-test" ] && cp "$BUILD/nook-test" "$ROOT/rootfs/bin/nook-test"
cp "$ROOT/etc/passwd" "$ROOT/etc/group" "$ROOT/rootfs/etc/"

# Modules with their dependencies, dependencies first.
: >"$ROOT/modules.list"
add_module() { # $1: path relative to $MODDIR
	grep -qx "/lib/modules/$KVER/$1" "$ROOT/modules.list" && return
	for dep in $(grep "^$1:" "$MODDIR/modules.dep" | cut -d: -f2); do
		add_module "$dep"
	done
	mkdir -p "$ROOT/lib/modules/$KVER/${1%/*}"
	cp "$MODDIR/$1" "$ROOT/lib/modules/$KVER/$1"
	echo "/lib/modules/$KVER/$1" >>"$ROOT/modules.list"
}
for m in $VM_MODULES; do
	p=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" | cut -d: -f1)
	[ -n "$p" ] || fail "module $m not in $MODDIR/modules.dep"
	add_module "$p"
done

# The three-boot test (board/vm/boot-test.sh): busybox init's files, used
# only when the kernel command line has nookboot=N.  S60nook is the sysv
# script users install (board/sysv/).
mkdir -p "$ROOT/etc/init.d" "$ROOT/boot-test" "$ROOT/var/lib/nook" "$ROOT/usr/bin"
cp board/vm/boot/inittab "$ROOT/etc/inittab"
cp board/vm/boot/rcS board/vm/boot/rcK "$ROOT/etc/init.d/"
cp board/vm/boot/test.sh "$ROOT/boot-test/test.sh"
ln -s ../../boot-test/test.sh "$ROOT/etc/init.d/S05boottest"
ln -s ../../boot-test/test.sh "$ROOT/etc/init.d/S99boottest"
for s in board/sysv/S??nook; do
	[ -f "$s" ] && cp "$s" "$ROOT/etc/init.d/" && chmod 755 "$ROOT/etc/init.d/${s##*/}"
done
ln -s /nook/nook "$ROOT/usr/bin/nook"

# What the tests are told.
RT="/nook/nook runtime"
if [ -n "${NOOK_VM_RUNTIME:-}" ]; then
	[ -x "$NOOK_VM_RUNTIME" ] || fail "NOOK_VM_RUNTIME=$NOOK_VM_RUNTIME is not executable"
	install_elf "$NOOK_VM_RUNTIME" "/nook/${NOOK_VM_RUNTIME##*/}"
	RT=/nook/${NOOK_VM_RUNTIME##*/}
fi
cat >"$ROOT/vm.env" <<EOF
NOOK=/nook/nook
NOOK_TEST=/nook/nook-test
RT="$RT"
ROOTFS=/rootfs
EOF

# 3. pack
pack() { # TREE ARCHIVE
	find "$1" -exec touch -h -d "@$EPOCH" {} +
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet) |
		gzip -n -1 >"$2" || fail "cpio/gzip of $1 failed"
}
pack "$ROOT" "$OUT/initramfs-base.gz"
rm -f "$OUT/initramfs-criu.gz"
[ -d "$CROOT" ] && pack "$CROOT" "$OUT/initramfs-criu.gz"
cat "$OUT/initramfs-base.gz" >"$OUT/initramfs.gz" &&
	{ [ ! -f "$OUT/initramfs-criu.gz" ] || cat "$OUT/initramfs-criu.gz" >>"$OUT/initramfs.gz"; } ||
	fail "write $OUT/initramfs.gz"

# 4. boot
boot() {
	timeout 600 qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu max -smp 2 \
		-m 512M -nographic -no-reboot -kernel "$KERNEL" -initrd "$OUT/initramfs.gz" \
		-append "console=ttyS0 panic=-1 rdinit=/init quiet" \
		</dev/null >"$OUT/console.raw" 2>&1
	qrc=$?
	tr -d '\r' <"$OUT/console.raw" >"$OUT/console.log"
	rm -f "$OUT/console.raw"
}
boot
# Each test script runs under a 120 s timeout inside the guest, so a guest
# that printed no result and no marker in 600 s did not run them at all: a
# stalled emulator (seen once in many runs of multi-threaded TCG).  Boot
# once more; a hang our code causes hangs again and fails below.
if [ "$qrc" = 124 ] && ! grep -aqE '^(ok|not ok|skip) - |^vm: .* took ' "$OUT/console.log"; then
	cp "$OUT/console.log" "$OUT/console-stalled.log"
	echo "# vm: the guest printed nothing in 600 s (see $OUT/console-stalled.log): booting again"
	boot
fi

# 5. results
grep -aE '^(ok|not ok|skip) - ' "$OUT/console.log"
grep -aqE '^not ok - ' "$OUT/console.log" && rc=1
if ! grep -aqx 'NOOK-VM-DONE' "$OUT/console.log"; then
	why="exit $qrc"
	[ "$qrc" = 124 ] && why="timed out after 600 s"
	grep -aq 'Kernel panic' "$OUT/console.log" && why="kernel panic"
	echo "not ok - vm: no NOOK-VM-DONE marker on the console ($why); last 30 lines:"
	tail -n 30 "$OUT/console.log" | sed 's/^/    /'
	rc=1
fi

# 6. the three-boot test (VM_BOOT_TEST=0 skips it)
if [ "${VM_BOOT_TEST:-1}" != 0 ]; then
	VM_KERNEL=$KERNEL board/vm/boot-test.sh "$OUT/initramfs-base.gz" || rc=1
fi
exit $rc
