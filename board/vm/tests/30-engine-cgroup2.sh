#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The engine on a host whose /sys/fs/cgroup is cgroup2 (OpenWrt's, this
# VM's; the dev hosts' is hybrid): --network host binds the host's /sys,
# cgroup2 root included, and the container's own cgroup2 must still be
# mounted over it (the kernel refuses a filesystem on its own root: our
# copy of the host's goes first, inside the container only).
# Results: ok/not ok - vm: engine cgroup2: NAME.

NOOK=${NOOK:-/nook/nook}
ROOTFS=${ROOTFS:-/rootfs}
W=/tmp/vmcg2
rm -rf "$W" && mkdir -p "$W"
nk() {
	timeout -s KILL 30 "$NOOK" --root "$W/root" --runroot "$W/run" "$@"
}

WHY=
before=$(grep -c ' - cgroup2 ' /proc/self/mountinfo)
out=$(nk run --rm --network host --rootfs "$ROOTFS" sh -c \
	'cat /proc/self/cgroup; test -f /sys/fs/cgroup/cgroup.events && echo own-cgroup;
	 grep " /sys/fs/cgroup " /proc/self/mountinfo | grep -c " ro,"' 2>&1) ||
	WHY="run --network host: $out"
case $out in *"0::/"*own-cgroup*) ;; *) WHY="${WHY:+$WHY; }the container's view: $out" ;; esac
[ "$(grep -c ' - cgroup2 ' /proc/self/mountinfo)" = "$before" ] ||
	WHY="${WHY:+$WHY; }the host's cgroup2 mounts changed"
[ -f /sys/fs/cgroup/cgroup.controllers ] || WHY="${WHY:+$WHY; }the host's /sys/fs/cgroup is gone"
if [ -z "$WHY" ]; then
	echo "ok - vm: engine cgroup2: --network host mounts the container's own cgroup2 over the host's /sys"
else
	echo "not ok - vm: engine cgroup2: --network host mounts the container's own cgroup2 over the host's /sys: $(echo "$WHY" | tr '\n' ' ')"
fi
