#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.resources through the runc-compatible CLI ($RT, "/nook/nook runtime"
# unless run.sh was given NOOK_VM_RUNTIME), in the VM where every cgroup v2
# controller exists: limits written to the files, `update`, pause/resume
# (state "paused", cgroup frozen), kill, delete (cgroup gone), memory.max
# enforced with an OOM kill in memory.events, pids.max stopping a fork loop.
# Plain busybox ash; bundles in /tmp/vmrt with a copy of /rootfs each.
# Results: ok/not ok - vm: runtime: NAME (TAP; skips: ok - ... # SKIP WHY).

RT=${RT:-/nook/nook runtime}
ROOTFS=${ROOTFS:-/rootfs}
CG=/sys/fs/cgroup
W=/tmp/vmrt
N=0
IDS=

set -- $RT
if [ ! -x "$1" ]; then
	echo "ok - vm: runtime: all # SKIP $1 is not in the VM"
	exit 0
fi
mkdir -p "$W"

# ---- results -------------------------------------------------------------

T=runtime
. /tests/lib.inc

# ---- runtime and bundles -------------------------------------------------

rt() {
	timeout -s KILL 30 $RT "$@"
}

# field ID KEY: a scalar of `state ID` ("" if state fails)
field() {
	rt state "$1" 2>/dev/null | tr -d '\n\t ' |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# wait_status ID STATUS [SECONDS=10]
wait_status() {
	i=0
	while [ "$i" -lt "$((${3:-10} * 10))" ]; do
		[ "$(field "$1" status)" = "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# new_id: a fresh id in $ID; deleted (--force) at exit
new_id() {
	N=$((N + 1))
	ID=vmrt-$N
	IDS="$IDS $ID"
}
cleanup() {
	for id in $IDS; do
		rt delete --force "$id" >/dev/null 2>&1
	done
}
trap cleanup EXIT

# bundle ID RESOURCES ARGS [CGROUPS_PATH]: $W/ID with config.json; ARGS and
# RESOURCES are JSON text.  CGROUPS_PATH defaults to /nook/ID; "-" leaves
# linux.cgroupsPath out (the runtime's default).
bundle() {
	b=$W/$1
	rm -rf "$b"
	mkdir -p "$b" && cp -a "$ROOTFS" "$b/rootfs" || return 1
	cgp="\"cgroupsPath\": \"${4:-/nook/$1}\","
	[ "${4:-}" = - ] && cgp=
	cat >"$b/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": $3,
		"env": [ "PATH=/bin", "HOME=/root" ],
		"cwd": "/",
		"noNewPrivileges": true
	},
	"root": { "path": "rootfs" },
	"hostname": "$1",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs" }
	],
	"linux": {
		$cgp
		"resources": $2,
		"namespaces": [ { "type": "pid" }, { "type": "mount" },
				{ "type": "ipc" }, { "type": "uts" } ]
	}
}
EOF
}

# start_detached ID: create + start, output in $W/ID.out/.err
start_detached() {
	rt create --bundle "$W/$1" "$1" </dev/null >"$W/$1.out" 2>"$W/$1.err" ||
		{ why "create: $(cat "$W/$1.err")"; return 1; }
	rt start "$1" 2>>"$W/$1.err" || { why "start: $(cat "$W/$1.err")"; return 1; }
}

cgval() { # FILE: its content on one line, or "(missing)"
	if [ -e "$1" ]; then tr '\n' ' ' <"$1" | sed 's/ $//'; else echo "(missing)"; fi
}

# ---- limits written, update, pause/resume, kill, delete ------------------

new_id
C=$ID
C_CG=$CG/nook/$C
# shares 512 -> weight 1 + (512 - 2) * 9999 / 262142 = 20; blkio 500 -> io
# weight 1 + (500 - 10) * 9999 / 990 = 4950.
bundle "$C" '{
		"memory": { "limit": 67108864, "reservation": 33554432, "swap": 100663296 },
		"pids": { "limit": 20 },
		"cpu": { "shares": 512, "quota": 20000, "period": 100000, "cpus": "0", "mems": "0" },
		"blockIO": { "weight": 500 },
		"unified": { "memory.high": "60000000" }
	}' '[ "sleep", "300" ]'

begin "limits written to the cgroup files"
if start_detached "$C"; then
	expect_eq "status" "$(field "$C" status)" running
	pid=$(field "$C" pid)
	expect_eq "/proc/$pid/cgroup" "$(cat "/proc/$pid/cgroup" 2>/dev/null)" "0::/nook/$C"
	expect_eq memory.max "$(cgval "$C_CG/memory.max")" 67108864
	expect_eq memory.low "$(cgval "$C_CG/memory.low")" 33554432
	expect_eq memory.swap.max "$(cgval "$C_CG/memory.swap.max")" 33554432
	expect_eq memory.high "$(cgval "$C_CG/memory.high")" 59998208
	expect_eq pids.max "$(cgval "$C_CG/pids.max")" 20
	expect_eq cpu.max "$(cgval "$C_CG/cpu.max")" "20000 100000"
	expect_eq cpu.weight "$(cgval "$C_CG/cpu.weight")" 20
	expect_eq cpuset.cpus "$(cgval "$C_CG/cpuset.cpus")" 0
	expect_eq cpuset.mems "$(cgval "$C_CG/cpuset.mems")" 0
	expect_eq io.weight "$(cgval "$C_CG/io.weight")" "default 4950"
fi
end

begin "update changes pids.max and cpu.max"
out=$(rt update --pids-limit 50 --cpu-quota 30000 "$C" 2>&1) || why "update: $out"
expect_eq pids.max "$(cgval "$C_CG/pids.max")" 50
expect_eq cpu.max "$(cgval "$C_CG/cpu.max")" "30000 100000"
end

begin "pause freezes the cgroup, resume thaws it"
out=$(rt pause "$C" 2>&1) || why "pause: $out"
expect_eq "status after pause" "$(field "$C" status)" paused
expect_eq cgroup.freeze "$(cgval "$C_CG/cgroup.freeze")" 1
grep -qx 'frozen 1' "$C_CG/cgroup.events" 2>/dev/null || why "cgroup.events: $(cgval "$C_CG/cgroup.events")"
out=$(rt resume "$C" 2>&1) || why "resume: $out"
expect_eq "status after resume" "$(field "$C" status)" running
grep -qx 'frozen 0' "$C_CG/cgroup.events" 2>/dev/null || why "cgroup.events: $(cgval "$C_CG/cgroup.events")"
end

begin "kill KILL stops the container"
out=$(rt kill "$C" KILL 2>&1) || why "kill: $out"
wait_status "$C" stopped || why "status: '$(field "$C" status)', want stopped"
end

begin "delete removes the cgroup"
out=$(rt delete "$C" 2>&1) || why "delete: $out"
[ -e "$C_CG" ] && why "$C_CG still exists"
rt state "$C" >/dev/null 2>&1 && why "state still works after delete"
end

# ---- kill --all reaches every process of the cgroup ----------------------

new_id
K=$ID
bundle "$K" '{}' '[ "sh", "-c", "sleep 300 & sleep 300 & wait" ]'
begin "kill --all KILL empties the cgroup"
if start_detached "$K"; then
	i=0
	while [ "$(wc -l <"$CG/nook/$K/cgroup.procs")" -lt 3 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	expect_eq "processes before" "$(wc -l <"$CG/nook/$K/cgroup.procs")" 3
	out=$(rt kill --all "$K" KILL 2>&1) || why "kill --all: $out"
	wait_status "$K" stopped || why "status: '$(field "$K" status)'"
	i=0
	while grep -qx 'populated 1' "$CG/nook/$K/cgroup.events" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -qx 'populated 0' "$CG/nook/$K/cgroup.events" ||
		why "cgroup.events: $(cgval "$CG/nook/$K/cgroup.events")"
	out=$(rt delete "$K" 2>&1) || why "delete: $out"
fi
end

# ---- memory.max: OOM kill ------------------------------------------------

# The shell doubles a string until the 32 MiB limit (no swap) kills it.
OOM_ARGS='[ "sh", "-c", "x=a; while :; do x=$x$x; done" ]'
OOM_RES='{ "memory": { "limit": 33554432, "swap": 33554432 } }'

new_id
begin "memory.max: run exits 137 (SIGKILL) when over the limit"
bundle "$ID" "$OOM_RES" "$OOM_ARGS"
rt run --bundle "$W/$ID" "$ID" </dev/null >"$W/$ID.out" 2>&1
expect_eq "exit status" $? 137
[ -e "$CG/nook/$ID" ] && why "$CG/nook/$ID left behind after run"
end

new_id
O=$ID
begin "memory.max: OOM kill recorded in memory.events, then delete"
bundle "$O" "$OOM_RES" "$OOM_ARGS"
if start_detached "$O"; then
	wait_status "$O" stopped 30 || why "status: '$(field "$O" status)', want stopped"
	ev=$(cat "$CG/nook/$O/memory.events" 2>/dev/null)
	kills=$(printf '%s\n' "$ev" | sed -n 's/^oom_kill //p')
	[ "${kills:-0}" -ge 1 ] || why "memory.events: '$ev'"
	out=$(rt delete "$O" 2>&1) || why "delete right after the OOM kill: $out"
	[ -e "$CG/nook/$O" ] && why "$CG/nook/$O still exists"
fi
end

# ---- pids.max: a fork loop stops at the limit ----------------------------

new_id
begin "pids.max: the 10th process cannot be forked"
bundle "$ID" '{ "pids": { "limit": 10 } }' \
	'[ "sh", "-c", "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); echo $i; done" ]'
rt run --bundle "$W/$ID" "$ID" </dev/null >"$W/$ID.out" 2>"$W/$ID.err"
st=$?
last=$(tail -n 1 "$W/$ID.out")
# sh itself is one of the 10: 9 children at most.
[ -n "$last" ] && [ "$last" -ge 1 ] && [ "$last" -le 9 ] ||
	why "forked $last of 30 (status $st): $(cat "$W/$ID.err")"
grep -q 'fork' "$W/$ID.err" || why "stderr: '$(cat "$W/$ID.err")'"
end

# ---- the default cgroup path (nook: /nook/<id>) --------------------------

case ${RT%% *} in
*/nook | */nook-runtime)
	new_id
	begin "no cgroupsPath: the cgroup is /nook/<id>"
	bundle "$ID" '{ "pids": { "limit": 5 } }' '[ "sleep", "300" ]' -
	if start_detached "$ID"; then
		pid=$(field "$ID" pid)
		expect_eq "/proc/$pid/cgroup" "$(cat "/proc/$pid/cgroup" 2>/dev/null)" "0::/nook/$ID"
		expect_eq pids.max "$(cgval "$CG/nook/$ID/pids.max")" 5
		out=$(rt delete --force "$ID" 2>&1) || why "delete --force: $out"
		[ -e "$CG/nook/$ID" ] && why "$CG/nook/$ID still exists"
	fi
	end
	;;
esac
