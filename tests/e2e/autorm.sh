#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `--rm`: the container is removed when it exits, with everything it had:
# `ps -a` no longer lists it, `inspect` fails, no process, mount, cgroup or
# file named by its id is left (store, runroot, cgroup hierarchy).
. "$(dirname "$0")/lib.sh"

# leftovers ID: what is left on the host that names ID
leftovers() {
	{
		find "$T_DIR/root" "$T_DIR/run" "$T_DIR/tmp" -name "*$1*" 2>/dev/null
		grep -F "$1" /proc/self/mountinfo | awk '{ print "mount " $5 }'
		find /sys/fs/cgroup -maxdepth 6 -type d -name "*$1*" 2>/dev/null
		for _p in $(procs_mentioning "$1"); do
			echo "pid $_p $(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null | cut -c1-60)"
		done
	} | tr '\n' ' '
}

# gone NAME ID: the container is removed and left nothing behind
gone() {
	nk ps -a --format '{{.Names}}' 2>/dev/null | grep -qx "$1" &&
		t_why "ps -a still lists $1"
	nk ps -a -q --no-trunc 2>/dev/null | grep -qx "$2" &&
		t_why "ps -a -q still lists $2"
	out=$(nk inspect "$1" 2>&1)
	expect_status "inspect $1" $? 125 "$out"
	out=$(nk inspect "$2" 2>&1)
	expect_status "inspect $2" $? 125 "$out"
	[ -n "$2" ] && expect_eq "left behind" "$(leftovers "$2")" ""
}

# removed NAME [SECONDS=10]: poll until inspect fails
no_inspect() {
	! nk inspect "$1" >/dev/null 2>&1
}

removed() {
	wait_for "${2:-10}" no_inspect "$1"
}

t_begin "autorm: run --rm in the foreground"
out=$(nk_run --rm --name fg --rootfs "$ROOTFS" /bin/nook-test echo hi 2>&1)
expect_status "run --rm" $? 0 "$out"
expect_eq "output" "$out" hi
# run returns after the removal
gone fg ""
t_end

# The attached CLI removes the container itself (its monitor then runs no
# cleanup); killed before that, the monitor's cleanup must.
is_running() {
	[ "$(cstatus "$1")" = running ]
}

t_begin "autorm: run --rm whose CLI is killed: removed when it exits"
$NOOK $T_GLOBAL run $NOOK_RUN_FLAGS --rm --name orphan --rootfs "$ROOTFS" /bin/sh -c 'sleep 2' \
	>/dev/null 2>&1 &
cli=$!
if wait_for 10 is_running orphan; then
	id=$(cid orphan)
	kill -9 "$cli"
	wait "$cli" 2>/dev/null
	if removed orphan 15; then
		gone orphan "$id"
	else
		t_why "still there 15 s after its CLI was killed: status '$(cstatus orphan)'"
	fi
else
	t_why "never ran: status '$(cstatus orphan)'"
	kill -9 "$cli" 2>/dev/null
	wait "$cli" 2>/dev/null
fi
t_end

t_begin "autorm: run --rm -d: removed after it exits"
id=$(nk_run --rm -d --name bg --rootfs "$ROOTFS" /bin/sh -c 'sleep 1' 2>&1)
expect_status "run --rm -d" $? 0 "$id"
expect_eq "AutoRemove" "$(insp bg .HostConfig.AutoRemove)" true
expect_eq "ps -a while running" "$(nk ps -a --format '{{.Names}}' 2>&1)" bg
if removed bg 10; then
	gone bg "$id"
else
	t_why "still there 10 s later: status '$(cstatus bg)'"
fi
t_end

t_begin "autorm: run --rm with a failing command keeps its code and goes"
out=$(nk_run --rm --name fail --rootfs "$ROOTFS" /bin/nook-test exit 3 2>&1)
expect_status "run --rm" $? 3 "$out"
gone fail ""
t_end

t_begin "autorm: run --rm -d then stop: removed"
id=$(nk_run --rm -d --name stopped --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "run --rm -d" $? 0 "$id"
wait_logs stopped '^ready$' 5
out=$(nk stop stopped 2>&1)
expect_status "stop" $? 0 "$out"
if removed stopped 10; then
	gone stopped "$id"
else
	t_why "still there 10 s later: status '$(cstatus stopped)'"
fi
t_end

t_begin "autorm: run --rm -d then kill: removed"
id=$(nk_run --rm -d --name killed --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "run --rm -d" $? 0 "$id"
wait_logs killed '^ready$' 5
out=$(nk kill killed 2>&1)
expect_status "kill" $? 0 "$out"
if removed killed 10; then
	gone killed "$id"
else
	t_why "still there 10 s later: status '$(cstatus killed)'"
fi
t_end

t_begin "autorm: rm -f leaves nothing behind either"
id=$(nk_run -d --name plain --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "run -d" $? 0 "$id"
wait_logs plain '^ready$' 5
out=$(nk rm -f plain 2>&1)
expect_status "rm -f" $? 0 "$out"
gone plain "$id"
t_end

# A --rm container's record and name live in the runroot (RAM): nothing of
# a --rootfs DIR one is written under --root; its overlay, if any, stays on
# disk.  A reboot (the runroot emptied) ends it.
t_begin "autorm: a --rm container is kept in the runroot, nothing under --root"
ls -A "$T_DIR/root/names" >"$T_DIR/names.before" 2>&1
id=$(nk_create --rm --name vol --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create --rm" $? 0 "$id"
[ -e "$T_DIR/root/containers/$id" ] || [ -L "$T_DIR/root/containers/$id" ] &&
	t_why "--root has containers/$id"
expect_eq "--root's names" "$(ls -A "$T_DIR/root/names" 2>&1)" "$(cat "$T_DIR/names.before")"
[ -f "$T_DIR/run/volatile/$id/config.json" ] || t_why "no config.json in the runroot's record"
expect_eq "ps -a" "$(nk ps -a --format '{{.Names}}' 2>&1)" vol
expect_eq "inspect by name" "$(nk inspect --format '{{.Id}}' vol 2>&1)" "$id"
expect_eq "inspect by id prefix" "$(nk inspect --format '{{.Name}}' "$(echo "$id" | cut -c1-10)" 2>&1)" vol
out=$(nk_create --name vol --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create of a second vol (not --rm)" $? 125 "$out"
expect_match "its error" "$out" 'name "vol" is already in use'
id3=$(nk_create --name keep --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create keep (not --rm)" $? 0 "$id3"
out=$(nk_create --rm --name keep --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create --rm of a second keep" $? 125 "$out"
expect_match "its error" "$out" 'name "keep" is already in use'
nk rm -f keep >/dev/null 2>&1
rm -rf "$T_DIR/run/volatile" "$T_DIR/run/names" # what a reboot does to the runroot
expect_eq "ps -a once the record is gone" "$(nk ps -a --format '{{.Names}}' 2>&1)" ""
expect_eq "left behind" "$(leftovers "$id")" ""
id2=$(nk_create --rm --name vol --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "the name is free again" $? 0 "$id2"
nk rm -f vol >/dev/null 2>&1
gone vol "$id2"
t_end

t_begin "autorm: a --rm container's overlay stays on disk, and goes with it"
id=$(nk_run --rm -d --name ovl --rootfs "$ROOTFS:O" /bin/sh -c 'echo data >/written; sleep 30' 2>&1)
expect_status "run --rm -d DIR:O" $? 0 "$id"
wait_for 5 test -f "$T_DIR/root/volatile-overlay/$id/upper/written" ||
	t_why "no upper/written under --root's volatile-overlay/$id: $(ls "$T_DIR/root" 2>&1 | tr '\n' ' ')"
[ -L "$T_DIR/run/volatile/$id/overlay" ] || t_why "the record has no overlay link"
nk rm -f ovl >/dev/null 2>&1
removed ovl 10
gone ovl "$id"
t_end

t_begin "autorm: a --rm container's overlay goes once a reboot took its record"
id=$(nk_create --rm --name ovl2 --rootfs "$ROOTFS:O" /bin/nook-test true 2>&1)
expect_status "create --rm DIR:O" $? 0 "$id"
[ -d "$T_DIR/root/volatile-overlay/$id" ] || t_why "no volatile-overlay/$id under --root"
rm -rf "$T_DIR/run/volatile" "$T_DIR/run/names" # a reboot
expect_eq "ps -a" "$(nk ps -a --format '{{.Names}}' 2>&1)" ""
expect_eq "left behind" "$(leftovers "$id")" ""
t_end

t_begin "autorm: --rm and --restart always do not mix"
out=$(nk_run --rm -d --restart always --name both --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "run --rm --restart always" $? 125 "$out"
expect_match "message" "$out" 'rm|restart'
t_end

exit $T_RC
