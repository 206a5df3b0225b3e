#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# CVE-2019-5736 in the VM, where root has every capability (the host's root
# lacks CAP_SYS_RESOURCE, so its test sees only PR_SET_MM_MAP): the
# runtime moves its image onto a sealed memfd copy in place with
# PR_SET_MM_EXE_FILE, without a re-exec; the init of a created container
# maps nothing of the binary's file, its exe is the memfd, and a write
# into that exe fails.  Then the same with NOOK_EXE_COPY=1 (the re-exec).
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
trap 'timeout -s KILL 30 $RT delete --force exe-detach >/dev/null 2>&1;
	timeout -s KILL 30 $RT delete --force exe-copy >/dev/null 2>&1' EXIT

for way in detach copy; do
	copy=
	[ $way = copy ] && copy=1
	begin "the init of a created container does not run the binary's file ($way)"
	NOOK_EXE_COPY=$copy NOOK_TIMING=$W/tm.$way timeout -s KILL 30 $RT --debug create \
		--bundle "$W/b" "exe-$way" </dev/null >"$W/out" 2>"$W/err" ||
		why "create: $(cat "$W/err")"
	pid=$(timeout -s KILL 30 $RT state "exe-$way" 2>/dev/null | tr -d '\n\t ' |
		sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	if [ -z "$pid" ]; then
		why "no init pid"
	else
		case $(readlink "/proc/$pid/exe") in
		/memfd:*) ;;
		*) why "the init's exe is $(readlink "/proc/$pid/exe"), not a memfd" ;;
		esac
		grep -q " $BIN\$" "/proc/$pid/maps" && why "the init maps $BIN"
		# the write seal: open succeeds, the write fails
		printf x >>"/proc/$pid/exe" 2>/dev/null && why "a write into the init's exe succeeded"
	fi
	if [ $way = detach ]; then
		grep -q 'detached from the file in place (PR_SET_MM_EXE_FILE)' "$W/err" ||
			why "no in-place detach with PR_SET_MM_EXE_FILE: $(grep 'exe:' "$W/err")"
		expect_eq "times main ran" "$(grep -c ' main$' "$W/tm.$way")" 1
	else
		expect_eq "times main ran" "$(grep -c ' main$' "$W/tm.$way")" 2
	fi
	timeout -s KILL 30 $RT delete --force "exe-$way" >/dev/null 2>&1
	end
done
