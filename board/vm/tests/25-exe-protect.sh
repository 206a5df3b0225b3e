#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# CVE-2019-5736 in the VM, where root has every capability (the host's root
# lacks CAP_SYS_RESOURCE, so its test sees only PR_SET_MM_MAP): the
# runtime moves its image in place with PR_SET_MM_EXE_FILE, without a
# re-exec, onto the binary's file seen through a read-only clone of its
# mount (the default) or onto a sealed memfd copy (NOOK_EXE_MEMFD=1): the
# init of a created container maps nothing of the binary's file but
# through that, and a write into its exe fails.  Then the same with
# NOOK_EXE_COPY=1 (the re-exec).
# Results: ok/not ok - vm: exe: NAME.

RT=${RT:-/nook/nook runtime}
ROOTFS=${ROOTFS:-/rootfs}
W=/tmp/vmexe
T=exe
. /tests/lib.inc

set -- $RT
BIN=$1
case ${BIN##*/} in
nook*) ;;
*)
	echo "ok - vm: exe: all # SKIP the runtime under test ($BIN) is not nook"
	exit 0
	;;
esac
rm -rf "$W"
mkdir -p "$W/b" && cp -a "$ROOTFS" "$W/b/rootfs" || {
	echo "not ok - vm: exe: bundle: cannot copy $ROOTFS"
	exit 1
}
cat >"$W/b/config.json" <<'JSON'
{
	"ociVersion": "1.0.2",
	"process": { "user": { "uid": 0, "gid": 0 }, "args": [ "sleep", "300" ],
		     "env": [ "PATH=/bin" ], "cwd": "/" },
	"root": { "path": "rootfs" },
	"mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
	"linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] }
}
JSON
trap 'timeout -s KILL 30 $RT delete --force exe-clone >/dev/null 2>&1;
	timeout -s KILL 30 $RT delete --force exe-memfd >/dev/null 2>&1;
	timeout -s KILL 30 $RT delete --force exe-copy >/dev/null 2>&1' EXIT

for way in clone memfd copy; do
	memfd= copy=
	[ $way = memfd ] && memfd=1
	[ $way = copy ] && copy=1
	begin "the init of a created container does not run the binary's file ($way)"
	NOOK_EXE_MEMFD=$memfd NOOK_EXE_COPY=$copy NOOK_TIMING=$W/tm.$way timeout -s KILL 30 \
		$RT --debug create --bundle "$W/b" "exe-$way" </dev/null >"$W/out" 2>"$W/err" ||
		why "create: $(cat "$W/err")"
	pid=$(timeout -s KILL 30 $RT state "exe-$way" 2>/dev/null | tr -d '\n\t ' |
		sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	if [ -z "$pid" ]; then
		why "no init pid"
	elif [ $way = clone ]; then
		# the binary's own inode, through a mount that refuses writes
		[ "$(ls -Li "/proc/$pid/exe" | awk '{print $1}')" = "$(ls -Li "$BIN" | awk '{print $1}')" ] ||
			why "the init's exe is not the binary's inode: $(ls -Li "/proc/$pid/exe")"
		printf '' >>"/proc/$pid/exe" 2>/dev/null && why "the init's exe opens for writing"
		grep -q 'detached from the file in place onto a read-only clone of its mount (PR_SET_MM_EXE_FILE)' \
			"$W/err" || why "no in-place detach onto a read-only clone: $(grep 'exe:' "$W/err")"
		expect_eq "times main ran" "$(grep -c ' main$' "$W/tm.$way")" 1
	else
		case $(readlink "/proc/$pid/exe") in
		/memfd:*) ;;
		*) why "the init's exe is $(readlink "/proc/$pid/exe"), not a memfd" ;;
		esac
		grep -q " $BIN\$" "/proc/$pid/maps" && why "the init maps $BIN"
		# the write seal: open succeeds, the write fails
		printf x >>"/proc/$pid/exe" 2>/dev/null && why "a write into the init's exe succeeded"
		if [ $way = memfd ]; then
			grep -q 'detached from the file in place onto a sealed memfd copy (PR_SET_MM_EXE_FILE)' \
				"$W/err" || why "no in-place detach with PR_SET_MM_EXE_FILE: $(grep 'exe:' "$W/err")"
			expect_eq "times main ran" "$(grep -c ' main$' "$W/tm.$way")" 1
		else
			expect_eq "times main ran" "$(grep -c ' main$' "$W/tm.$way")" 2
		fi
	fi
	timeout -s KILL 30 $RT delete --force "exe-$way" >/dev/null 2>&1
	end
done
