#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# export: the container's root filesystem as a tar archive (-o FILE or
# stdout) that GNU tar and busybox tar both read, with files, symlinks,
# modes and owners as they are.
#
# podman 4.3 exports an empty archive for a --rootfs container that is not
# running: those checks are nook-specific.
. "$(dirname "$0")/lib.sh"

BB=
for c in busybox /bin/busybox /usr/bin/busybox; do
	command -v "$c" >/dev/null 2>&1 && "$c" tar --help >/dev/null 2>&1 && BB=$c && break
done
# by path first: busybox ash may run its own tar applet for "tar"
GNUTAR=
for c in gtar /usr/bin/tar /bin/tar tar; do
	if command -v "$c" >/dev/null 2>&1 && "$c" --version 2>/dev/null | grep -q 'GNU tar'; then
		GNUTAR=$c
		break
	fi
done

# check_tar WHAT FILE: both tars list bin/busybox and the marker, and
# extract the same busybox
check_tar() {
	[ -s "$2" ] || {
		t_why "$1: $2 is empty or missing"
		return
	}
	if [ -n "$GNUTAR" ]; then
		l=$($GNUTAR -tf "$2" 2>&1)
		expect_status "$1: tar -tf" $? 0 "$l"
		expect_match "$1: tar -tf" "$l" '^(\./)?bin/busybox$'
		expect_match "$1: tar -tf" "$l" '^(\./)?marker$'
		rm -rf "$T_DIR/x"
		mkdir "$T_DIR/x"
		$GNUTAR -xf "$2" -C "$T_DIR/x" 2>"$T_DIR/x.err" || t_why "$1: tar -xf: $(cat "$T_DIR/x.err")"
		cmp -s "$T_DIR/x/bin/busybox" "$ROOTFS/bin/busybox" || t_why "$1: bin/busybox differs after tar -x"
		expect_eq "$1: bin/sh link" "$(readlink "$T_DIR/x/bin/sh")" "$(readlink "$ROOTFS/bin/sh")"
		expect_eq "$1: tmp mode" "$(stat -c %a "$T_DIR/x/tmp")" 1777
		expect_eq "$1: home/test owner" "$(stat -c %u:%g "$T_DIR/x/home/test")" 1000:1000
		expect_eq "$1: marker" "$(cat "$T_DIR/x/marker" 2>&1)" marked
	else
		skip "$T_CUR: GNU tar" "optional: no GNU tar here"
	fi
	if [ -n "$BB" ]; then
		l=$($BB tar -tf "$2" 2>&1)
		expect_status "$1: busybox tar -tf" $? 0 "$l"
		expect_match "$1: busybox tar -tf" "$l" '^(\./)?bin/busybox$'
		rm -rf "$T_DIR/y"
		mkdir "$T_DIR/y"
		(cd "$T_DIR/y" && $BB tar -xf "$2") 2>"$T_DIR/y.err" || t_why "$1: busybox tar -xf: $(cat "$T_DIR/y.err")"
		cmp -s "$T_DIR/y/bin/busybox" "$ROOTFS/bin/busybox" || t_why "$1: bin/busybox differs after busybox tar -x"
		expect_eq "$1: bin/sh link (busybox tar)" "$(readlink "$T_DIR/y/bin/sh")" "$(readlink "$ROOTFS/bin/sh")"
	else
		skip "$T_CUR: busybox tar" "optional: no busybox here"
	fi
}

echo marked >"$ROOTFS/marker"

t_begin "export: -o FILE of a running container"
if run_sleeper ex; then
	out=$(nk export -o "$T_DIR/ex.tar" ex 2>&1)
	expect_status "export -o" $? 0 "$out"
	check_tar "export -o" "$T_DIR/ex.tar"
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "export: to stdout"
nk export ex >"$T_DIR/out.tar" 2>"$T_DIR/err"
expect_status "export" $? 0 "$(cat "$T_DIR/err")"
check_tar "export >" "$T_DIR/out.tar"
t_end

t_begin "export: -o into a missing directory fails and says where"
out=$(nk export -o "$T_DIR/no/such/dir/x.tar" ex 2>&1)
expect_status "export -o" $? 125 "$out"
expect_match "message" "$out" 'no/such/dir'
t_end

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "export: an exited container" "exports an empty archive for --rootfs containers"
	skip_podman "export: a configured container" "exports an empty archive for --rootfs containers"
else
	t_begin "export: an exited container"
	nk stop ex >/dev/null 2>&1
	wait_status ex exited 5 || t_why "status '$(cstatus ex)'"
	out=$(nk export -o "$T_DIR/exited.tar" ex 2>&1)
	expect_status "export -o" $? 0 "$out"
	check_tar "export (exited)" "$T_DIR/exited.tar"
	t_end

	t_begin "export: a configured container"
	nk_create --name cf --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1
	out=$(nk export -o "$T_DIR/cf.tar" cf 2>&1)
	expect_status "export -o" $? 0 "$out"
	check_tar "export (configured)" "$T_DIR/cf.tar"
	t_end
fi

exit $T_RC
