#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by board/vm/init while "/" is still the initramfs (stage 1, before
# switch_root): pivot_root(2) cannot move an initramfs, so the container's
# init moves its rootfs over "/" and chroots.  `exec` (the runtime's and
# the engine's) must then run in the container's root, not in the
# initramfs.  Plain busybox ash; results: ok/not ok - vm: initramfs: NAME.
# The caller mounted proc, sys, dev and cgroup2 and unmounts them after.

RT=${RT:-/nook/nook runtime}
NOOK=${NOOK:-/nook/nook}
W=/tmp/ifs
mkdir -p "$W/b"
cp -a /rootfs "$W/b/rootfs" || { echo "not ok - vm: initramfs: copy /rootfs"; exit 0; }
echo inside-the-container >"$W/b/rootfs/marker"
cat >"$W/b/config.json" <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": { "terminal": false, "user": { "uid": 0, "gid": 0 },
		"args": [ "sleep", "300" ], "env": [ "PATH=/bin" ], "cwd": "/" },
	"root": { "path": "rootfs" },
	"hostname": "ifs",
	"mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
	"linux": { "cgroupsPath": "/nook-ifs",
		"namespaces": [ { "type": "pid" }, { "type": "mount" },
				{ "type": "ipc" }, { "type": "uts" } ] }
}
JSON

# check NAME OUTPUT: the exec saw the container's root (its marker file,
# and no /init of the initramfs)
check() {
	case $2 in
	"inside-the-container no-init") echo "ok - vm: initramfs: $1" ;;
	*) echo "not ok - vm: initramfs: $1: got '$(printf '%s' "$2" | tr '\n' ' ' | cut -c1-200)'" ;;
	esac
}
probe='cat /marker; [ -e /init ] && echo has-init || echo no-init'

if timeout 30 $RT --root "$W/rt" run -d --bundle "$W/b" ifs </dev/null >"$W/rt.out" 2>&1; then
	out=$(timeout 30 $RT --root "$W/rt" exec ifs sh -c "$probe" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	check "runtime exec runs in the container's root" "$out"
else
	echo "not ok - vm: initramfs: runtime run -d: $(tr '\n' ' ' <"$W/rt.out" | cut -c1-200)"
fi
timeout 30 $RT --root "$W/rt" delete --force ifs >/dev/null 2>&1

E="$NOOK --root $W/root --runroot $W/run"
if timeout 30 $E run -d --name ifs --network none --rootfs "$W/b/rootfs" sleep 300 </dev/null >"$W/e.out" 2>&1; then
	out=$(timeout 30 $E exec ifs sh -c "$probe" 2>&1 | tr '\n' ' ' | sed 's/ $//')
	check "engine exec runs in the container's root" "$out"
else
	echo "not ok - vm: initramfs: engine run -d: $(tr '\n' ' ' <"$W/e.out" | cut -c1-200)"
fi
timeout 30 $E rm -f ifs >/dev/null 2>&1
rm -rf "$W"
