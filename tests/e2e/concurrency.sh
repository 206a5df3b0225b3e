#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrent CLI calls on one container serialise on its lock: 20 start /
# stop / inspect / pause-free calls at once leave a readable, consistent
# state, and every failure is a state error (never a corrupt or lost state,
# a crash or a hang).  Then 20 concurrent creates each get a container.
. "$(dirname "$0")/lib.sh"

N=${NOOK_E2E_CONCURRENCY:-20}

# consistent C: inspect works; status running (live pid) or exited (no
# pid); ps -a agrees; the next start/stop work.
consistent() {
	js=$(nk inspect "$1" 2>&1)
	expect_status "inspect" $? 0 "$js"
	printf '%s' "$js" | jq -e . >/dev/null 2>&1 || t_why "inspect is not JSON: $(oneline "$js")"
	# a stop in flight may leave it stopped for a moment before cleanup
	wait_status "$1" 'running|exited' 5
	s=$(cstatus "$1")
	pid=$(insp "$1" .State.Pid)
	case $s in
	running) pid_alive "$pid" || t_why "status running, but pid '$pid' is not alive" ;;
	exited) [ "${pid:-0}" = 0 ] || t_why "status exited, but pid $pid" ;;
	*) t_why "status '$s', want running or exited" ;;
	esac
	expect_eq "ps -a" "$(nk ps -a --no-trunc --format '{{.ID}}' 2>&1)" "$(cid "$1")"
}

t_begin "concurrency: $N concurrent start/stop/inspect on one container"
if run_sleeper one; then
	mkdir "$T_DIR/c"
	i=0
	while [ $i -lt "$N" ]; do
		case $((i % 3)) in
		0) op="start" ;;
		1) op="stop -t 1" ;;
		*) op="inspect" ;;
		esac
		(
			nk $op one >"$T_DIR/c/$i.out" 2>"$T_DIR/c/$i.err"
			echo $? >"$T_DIR/c/$i.st"
		) &
		track_pid $!
		i=$((i + 1))
	done
	wait
	i=0
	while [ $i -lt "$N" ]; do
		st=$(cat "$T_DIR/c/$i.st" 2>/dev/null)
		err=$(cat "$T_DIR/c/$i.err" 2>/dev/null)
		case $st in
		0) ;;
		125)
			# a state error is fine: "not running", "already
			# stopped", "running or paused, refusing to clean up"
			printf '%s' "$err" | grep -Eiq 'state|running|stopped|exited|created|configured|paused' ||
				t_why "call $i ($(sed -n 1p "$T_DIR/c/$i.st")): not a state error: $(oneline "$err")"
			;;
		*) t_why "call $i: exit status '$st': $(oneline "$err")" ;;
		esac
		i=$((i + 1))
	done
	consistent one
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "concurrency: the container still works afterwards"
nk stop -t 1 one >/dev/null 2>&1
wait_status one exited 5 || t_why "stop: status '$(cstatus one)'"
out=$(nk start one 2>&1)
expect_status "start" $? 0 "$out"
expect_eq "status" "$(cstatus one)" running
out=$(nk exec one /bin/nook-test echo hi 2>&1)
expect_eq "exec" "$out" hi
t_end

t_begin "concurrency: $N concurrent pause/unpause/exec on a running container"
i=0
while [ $i -lt "$N" ]; do
	case $((i % 3)) in
	0) set -- pause one ;;
	1) set -- unpause one ;;
	*) set -- exec one /bin/nook-test true ;;
	esac
	(
		nk "$@" >"$T_DIR/c/p$i.out" 2>"$T_DIR/c/p$i.err"
		echo $? >"$T_DIR/c/p$i.st"
	) &
	track_pid $!
	i=$((i + 1))
done
wait
i=0
while [ $i -lt "$N" ]; do
	st=$(cat "$T_DIR/c/p$i.st" 2>/dev/null)
	err=$(cat "$T_DIR/c/p$i.err" 2>/dev/null)
	case $st in
	0) ;;
	125 | 255)
		# podman 4.3's exec into a paused container exits 255
		printf '%s' "$err" | grep -Eiq 'state|running|paused' ||
			t_why "call $i: not a state error: $(oneline "$err")"
		;;
	*) t_why "call $i: exit status '$st': $(oneline "$err")" ;;
	esac
	i=$((i + 1))
done
s=$(cstatus one)
case $s in
paused) nk unpause one >/dev/null 2>&1 || t_why "unpause afterwards failed" ;;
running) ;;
*) t_why "status '$s'" ;;
esac
expect_eq "status" "$(cstatus one)" running
out=$(nk exec one /bin/nook-test echo hi 2>&1)
expect_eq "exec afterwards" "$out" hi
t_end

t_begin "concurrency: $N concurrent creates each get a container"
i=0
while [ $i -lt "$N" ]; do
	(
		nk_create --name "m$i" --rootfs "$ROOTFS" /bin/nook-test true >"$T_DIR/c/m$i.out" 2>&1
		echo $? >"$T_DIR/c/m$i.st"
	) &
	track_pid $!
	i=$((i + 1))
done
wait
i=0
while [ $i -lt "$N" ]; do
	expect_status "create m$i" "$(cat "$T_DIR/c/m$i.st")" 0 "$(cat "$T_DIR/c/m$i.out")"
	expect_eq "m$i id" "$(cid "m$i")" "$(tail -n 1 "$T_DIR/c/m$i.out")"
	i=$((i + 1))
done
expect_eq "containers" "$(nk ps -a -q 2>/dev/null | wc -l | tr -d ' ')" $((N + 1))
t_end

t_begin "concurrency: $N concurrent creates with the same name: exactly one wins"
i=0
while [ $i -lt "$N" ]; do
	(
		nk_create --name same --rootfs "$ROOTFS" /bin/nook-test true >"$T_DIR/c/s$i.out" 2>&1
		echo $? >"$T_DIR/c/s$i.st"
	) &
	track_pid $!
	i=$((i + 1))
done
wait
wins=$(cat "$T_DIR"/c/s*.st | grep -cx 0)
expect_eq "creates that succeeded" "$wins" 1
other=$(cat "$T_DIR"/c/s*.st | grep -vx 0 | grep -vx 125 | tr '\n' ' ')
expect_eq "statuses other than 0 and 125" "$other" ""
expect_eq "containers" "$(nk ps -a -q 2>/dev/null | wc -l | tr -d ' ')" $((N + 2))
t_end

t_begin "concurrency: $N concurrent rm of the created ones"
i=0
while [ $i -lt "$N" ]; do
	(
		nk rm "m$i" >"$T_DIR/c/r$i.out" 2>&1
		echo $? >"$T_DIR/c/r$i.st"
	) &
	track_pid $!
	i=$((i + 1))
done
wait
i=0
while [ $i -lt "$N" ]; do
	expect_status "rm m$i" "$(cat "$T_DIR/c/r$i.st")" 0 "$(cat "$T_DIR/c/r$i.out")"
	i=$((i + 1))
done
expect_eq "containers left" "$(nk ps -a --format '{{.Names}}' 2>/dev/null | sort | tr '\n' ' ')" "one same "
t_end

exit $T_RC
