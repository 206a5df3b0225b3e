#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The operations table of engine/LIFECYCLE.md through the CLI: for each
# operation the states it accepts (and where they lead) and the states it
# refuses (exit 125, a message naming the container and its state).
# A check that changes the state makes its container fresh (mk_STATE):
# configured (create), created (create + init), running, paused, exited
# (run, then stop); one that must leave the state as it was reuses one per
# state (use STATE).
# podman names them created / initialized / running / paused / exited.
#
# Where podman 4.3 and engine/LIFECYCLE.md disagree, nook follows
# engine/LIFECYCLE.md; the check then expects podman's behaviour when
# validating against podman and says so:
#   stop of a configured container: podman 0, nook state-invalid
#   kill of a paused container: podman 0, nook state-invalid (nook only)
#   exec into a non-running container: podman exits 255, nook 125
#   rm of a running container: podman exits 2 (its documented code), nook
#     may give 2 or 125
#   start of a running container: podman and nook 0 (a no-op); 0 and
#     state-invalid both accepted, the container must stay running with
#     the same pid
#   mount of a --rootfs container: podman mounts an empty storage layer
. "$(dirname "$0")/lib.sh"

# pm PODMAN NOOK: the value that applies to the engine under test
pm() {
	if [ "$T_PODMAN" = 1 ]; then echo "$1"; else echo "$2"; fi
}

# a_n WORD: the article for WORD
a_n() {
	case $1 in
	[aeiou]*) echo an ;;
	*) echo a ;;
	esac
}

S_CREATED=$(pm initialized created)
N=0

# mk_configured / mk_created / mk_running / mk_paused / mk_exited: a fresh
# container in that state, its name in $C.  Status 1 (and t_why) if not.
mk_configured() {
	N=$((N + 1))
	C=c$N
	out=$(nk_create --name "$C" --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1) || {
		t_why "create $C: $out"
		return 1
	}
}

mk_created() {
	mk_configured || return 1
	out=$(nk init "$C" 2>&1) || {
		t_why "init $C: $out"
		return 1
	}
}

mk_running() {
	N=$((N + 1))
	C=c$N
	run_sleeper "$C" || {
		t_why "run $C: $RUN_OUT"
		return 1
	}
}

mk_paused() {
	mk_running || return 1
	out=$(nk pause "$C" 2>&1) || {
		t_why "pause $C: $out"
		return 1
	}
}

mk_exited() {
	mk_running || return 1
	out=$(nk stop "$C" 2>&1) || {
		t_why "stop $C: $out"
		return 1
	}
	wait_status "$C" exited 5 || {
		t_why "$C: status '$(cstatus "$C")' after stop"
		return 1
	}
}

# st_name STATE: how the engine under test names a state (engine/LIFECYCLE.md)
st_name() {
	case $1 in
	configured) pm created configured ;;
	created) pm initialized created ;;
	*) echo "$1" ;;
	esac
}

# use_STATE... : like mk_STATE, but reuses the container of an earlier
# use_ call while it is still in that state (refused operations leave it
# as it was: each check makes sure of that)
use() {
	eval "C=\${POOL_$1:-}"
	if [ -n "$C" ] && [ "$(cstatus "$C")" = "$(st_name "$1")" ]; then
		return 0
	fi
	mk_$1 || return 1
	eval "POOL_$1=\$C"
}

# state_is WANT: the current container's status
state_is() {
	expect_eq "status of $C" "$(cstatus "$C")" "$1"
}

# ---- init -------------------------------------------------------------------

for from in configured exited; do
	t_begin "states: init of $(a_n $from) $from container"
	if mk_$from; then
		out=$(nk init "$C" 2>&1)
		expect_status "init" $? 0 "$out"
		state_is "$S_CREATED"
	fi
	t_end
done

for from in created running paused; do
	t_begin "states: init of $(a_n $from) $from container is refused"
	if use $from; then
		before=$(cstatus "$C")
		out=$(nk init "$C" 2>&1)
		expect_refused "init" $? "$out" "$C" "$from"
		state_is "$before"
	fi
	t_end
done

# ---- start ------------------------------------------------------------------

for from in configured created exited; do
	t_begin "states: start of $(a_n $from) $from container"
	if mk_$from; then
		out=$(nk start "$C" 2>&1)
		expect_status "start" $? 0 "$out"
		state_is running
		wait_logs "$C" '^ready$' 5 || t_why "no 'ready' in logs"
	fi
	t_end
done

t_begin "states: start of a running container changes nothing"
if use running; then
	pid=$(insp "$C" .State.Pid)
	out=$(nk start "$C" 2>&1)
	st=$?
	# podman and nook: a no-op success; state-invalid would do.  Either,
	# but not a second process.
	expect_status "start" "$st" '0|125' "$out"
	[ "$st" = 125 ] && expect_refused "start" "$st" "$out" "$C" running
	state_is running
	expect_eq "pid" "$(insp "$C" .State.Pid)" "$pid"
fi
t_end

t_begin "states: start of a paused container is refused"
if use paused; then
	out=$(nk start "$C" 2>&1)
	expect_refused "start" $? "$out" "$C" paused
	state_is paused
fi
t_end

# ---- restart ----------------------------------------------------------------

for from in configured created running exited; do
	t_begin "states: restart of $(a_n $from) $from container"
	if mk_$from; then
		out=$(nk restart "$C" 2>&1)
		expect_status "restart" $? 0 "$out"
		state_is running
	fi
	t_end
done

# podman 4.3: "unable to restart a container in a paused or unknown state"
t_begin "states: restart of a paused container is refused"
if use paused; then
	out=$(nk restart "$C" 2>&1)
	expect_refused "restart" $? "$out" "$C" paused 125 noname
	state_is paused
fi
t_end

# ---- stop -------------------------------------------------------------------

t_begin "states: stop of a created container"
if mk_created; then
	out=$(nk stop "$C" 2>&1)
	expect_status "stop" $? 0 "$out"
	wait_status "$C" exited 5 || t_why "status '$(cstatus "$C")', want exited"
fi
t_end

t_begin "states: stop of an exited container succeeds quietly (already stopped)"
if use exited; then
	nk stop "$C" >"$T_DIR/out" 2>"$T_DIR/err"
	expect_status "stop" $? 0 "$(cat "$T_DIR/err")"
	expect_nomatch "stderr" "$(cat "$T_DIR/err")" '[Ee]rror'
	state_is exited
fi
t_end

t_begin "states: stop of a paused container is refused"
if use paused; then
	out=$(nk stop -t 1 "$C" 2>&1)
	expect_refused "stop" $? "$out" "$C" paused
	state_is paused
fi
t_end

# nook-specific: podman 4.3 stops a never-initialised container with
# status 0; nook accepts only created and running
t_begin "states: stop of a configured container"
if mk_configured; then
	out=$(nk stop "$C" 2>&1)
	st=$?
	if [ "$T_PODMAN" = 1 ]; then
		expect_status "stop (podman)" $st 0 "$out"
	else
		expect_refused "stop" $st "$out" "$C" configured
		state_is configured
	fi
fi
t_end

# ---- kill -------------------------------------------------------------------

t_begin "states: kill of a running container"
if mk_running; then
	out=$(nk kill "$C" 2>&1)
	expect_status "kill" $? 0 "$out"
	wait_status "$C" exited 5 || t_why "status '$(cstatus "$C")', want exited"
	expect_eq "ExitCode" "$(insp "$C" .State.ExitCode)" 137
fi
t_end

for from in configured created exited; do
	t_begin "states: kill of $(a_n $from) $from container is refused"
	if use $from; then
		before=$(cstatus "$C")
		out=$(nk kill "$C" 2>&1)
		expect_refused "kill" $? "$out" "$C" "$from"
		state_is "$before"
	fi
	t_end
done

# nook-specific: podman 4.3 kills a paused container (status 0)
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "states: kill of a paused container is refused" "kills it (status 0)"
else
	t_begin "states: kill of a paused container is refused"
	if use paused; then
		out=$(nk kill "$C" 2>&1)
		expect_refused "kill" $? "$out" "$C" paused
		state_is paused
	fi
	t_end
fi

# ---- exec -------------------------------------------------------------------

t_begin "states: exec into a running container"
if use running; then
	out=$(nk exec "$C" /bin/nook-test echo hi 2>&1)
	expect_status "exec" $? 0 "$out"
	expect_eq "output" "$out" hi
fi
t_end

# podman 4.3: exit 255 and a message that names neither
for from in created paused exited; do
	t_begin "states: exec into $(a_n $from) $from container is refused"
	if use $from; then
		before=$(cstatus "$C")
		out=$(nk exec "$C" /bin/nook-test echo hi 2>&1)
		expect_refused "exec" $? "$out" "$C" "$from" "$(pm 255 125)" noname
		expect_nomatch "output" "$out" '^hi$'
		state_is "$before"
	fi
	t_end
done

# ---- attach -----------------------------------------------------------------

# podman 4.3: "you can only attach to running containers" (names neither)
t_begin "states: attach to a paused container is refused"
if use paused; then
	out=$(nk attach --no-stdin "$C" </dev/null 2>&1)
	expect_refused "attach" $? "$out" "$C" paused 125 noname
	state_is paused
fi
t_end

# ---- pause / unpause --------------------------------------------------------

t_begin "states: pause of a running container freezes it, unpause thaws"
N=$((N + 1))
C=c$N
if out=$(nk_run -d --name "$C" --rootfs "$ROOTFS" /bin/sh -c \
	"i=0; while :; do i=\$((i+1)); echo \$i >/tmp/ticks-$C; usleep 20000; done" 2>&1) &&
	wait_for 5 test -s "$ROOTFS/tmp/ticks-$C"; then
	out=$(nk pause "$C" 2>&1)
	expect_status "pause" $? 0 "$out"
	state_is paused
	expect_eq "State.Paused" "$(insp "$C" .State.Paused)" true
	t1=$(cat "$ROOTFS/tmp/ticks-$C")
	sleep 0.3
	t2=$(cat "$ROOTFS/tmp/ticks-$C")
	expect_eq "ticks while paused" "$t2" "$t1"
	out=$(nk unpause "$C" 2>&1)
	expect_status "unpause" $? 0 "$out"
	state_is running
	expect_eq "State.Paused" "$(insp "$C" .State.Paused)" false
	sleep 0.3
	expect_ne "ticks after unpause" "$(cat "$ROOTFS/tmp/ticks-$C")" "$t2"
else
	t_why "ticker did not start: $out"
fi
t_end

t_begin "states: pause of a paused container is refused (already paused)"
if use paused; then
	out=$(nk pause "$C" 2>&1)
	expect_refused "pause" $? "$out" "$C" paused
	state_is paused
fi
t_end

# podman 4.3: '"exited" is not running, can't pause' (the state, not the
# container)
for from in configured exited; do
	t_begin "states: pause of $(a_n $from) $from container is refused (not running)"
	if use $from; then
		before=$(cstatus "$C")
		out=$(nk pause "$C" 2>&1)
		expect_refused "pause" $? "$out" "$C" "$from" 125 noname
		state_is "$before"
	fi
	t_end
done

for from in running exited; do
	t_begin "states: unpause of $(a_n $from) $from container is refused (not paused)"
	if use $from; then
		out=$(nk unpause "$C" 2>&1)
		expect_refused "unpause" $? "$out" "$C" "$from"
		state_is "$from"
	fi
	t_end
done

# ---- mount / unmount --------------------------------------------------------

for from in configured running exited; do
	t_begin "states: mount of $(a_n $from) $from container gives its rootfs, unmount"
	if use $from; then
		before=$(cstatus "$C")
		out=$(nk mount "$C" 2>&1)
		expect_status "mount" $? 0 "$out"
		mp=$(printf '%s\n' "$out" | tail -n 1)
		case $mp in
		/*) [ -d "$mp" ] || t_why "mount point '$mp' is not a directory" ;;
		*) t_why "mount printed '$(oneline "$out")', not a path" ;;
		esac
		# podman 4.3 mounts an empty storage layer for --rootfs containers
		if [ "$T_PODMAN" != 1 ] && [ -d "$mp" ]; then
			[ -f "$mp/bin/busybox" ] || t_why "no bin/busybox under $mp: $(ls "$mp" 2>&1 | tr '\n' ' ')"
		fi
		out=$(nk unmount "$C" 2>&1)
		expect_status "unmount" $? 0 "$out"
		state_is "$before"
	fi
	t_end
done

# nook-specific: nook counts mounts; the last one of an exited container
# really goes away
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "states: mount is counted" "mounts an empty storage layer for --rootfs containers"
else
	t_begin "states: mount is counted"
	if mk_exited; then
		mp=$(nk mount "$C" 2>/dev/null | tail -n 1)
		mp2=$(nk mount "$C" 2>/dev/null | tail -n 1)
		expect_eq "second mount's path" "$mp2" "$mp"
		nk unmount "$C" >/dev/null 2>&1 || t_why "first unmount failed"
		[ -f "$mp/bin/busybox" ] || t_why "one mount left, but $mp is empty"
		nk unmount "$C" >/dev/null 2>&1 || t_why "second unmount failed"
		awk -v d="$mp" '$5 == d { f = 1 } END { exit !f }' /proc/self/mountinfo &&
			t_why "$mp still mounted after the last unmount"
	fi
	t_end
fi

# ---- cleanup / sync ---------------------------------------------------------

# podman's is `container cleanup`
if [ "$T_PODMAN" = 1 ]; then CLEANUP="container cleanup"; else CLEANUP=cleanup; fi

t_begin "states: cleanup of a running container is refused"
if use running; then
	out=$(nk $CLEANUP "$C" 2>&1)
	expect_refused "cleanup" $? "$out" "$C" running
	state_is running
fi
t_end

t_begin "states: cleanup of an exited container"
if use exited; then
	out=$(nk $CLEANUP "$C" 2>&1)
	expect_status "cleanup" $? 0 "$out"
	state_is exited
fi
t_end

# nook-specific: podman has no sync command (it syncs inside ps/inspect --sync)
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "states: sync of a running container keeps it running" "no sync command"
else
	t_begin "states: sync of a running container keeps it running"
	if use running; then
		out=$(nk sync "$C" 2>&1)
		expect_status "sync" $? 0 "$out"
		state_is running
	fi
	t_end
fi

# ---- rm ---------------------------------------------------------------------

for from in running paused; do
	t_begin "states: rm of a $from container without -f is refused"
	if use $from; then
		out=$(nk rm "$C" 2>&1)
		# podman documents 2 for "running or paused"
		expect_refused "rm" $? "$out" "$C" "$from" "$(pm 2 '2|125')"
		state_is "$from"
	fi
	t_end
done

t_begin "states: rm -f of a running container"
if mk_running; then
	pid=$(insp "$C" .State.Pid)
	out=$(nk rm -f "$C" 2>&1)
	expect_status "rm -f" $? 0 "$out"
	nk inspect "$C" >/dev/null 2>&1 && t_why "inspect still works"
	pid_alive "$pid" && t_why "process $pid still alive"
fi
t_end

t_begin "states: rm -f of a paused container"
if mk_paused; then
	out=$(nk rm -f "$C" 2>&1)
	expect_status "rm -f" $? 0 "$out"
	nk inspect "$C" >/dev/null 2>&1 && t_why "inspect still works"
fi
t_end

t_begin "states: inspect works in every state"
for from in configured created running paused exited; do
	use $from || continue
	st=$(cstatus "$C")
	[ -n "$st" ] || t_why "inspect of a $from container failed: $(nk inspect "$C" 2>&1 | head -c 200)"
done
t_end

exit $T_RC
