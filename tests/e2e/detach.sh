#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `run -d` prints the id at once; `attach` streams the container's output
# and takes its input; the detach keys (default ctrl-p,ctrl-q; or
# --detach-keys) leave it running.
#
# The keys come through a pipe, not a terminal: each key in its own write,
# a moment apart (podman 4.3 only sees a key sequence when each key arrives
# in a read of its own).  Against podman, attach returns only when its stdin
# reaches EOF after the detach, and the container's stdin is closed by the
# detach: the checks that need otherwise are nook-specific.
. "$(dirname "$0")/lib.sh"

# keys_then SECONDS KEY...: after 0.5 s, each KEY (printf format) a moment
# apart, then hold stdin open SECONDS more.
keys_then() {
	_hold=$1
	shift
	sleep 0.5
	for _k in "$@"; do
		printf "$_k"
		sleep 0.3
	done
	sleep "$_hold"
}

t_begin "detach: run -d prints the 64-hex id at once"
t0=$(now_ms)
out=$(nk_run -d --name bg --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
st=$?
t1=$(now_ms)
expect_status "run -d" $st 0 "$out"
expect_match "output" "$out" '^[0-9a-f]{64}$'
expect_eq "lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
expect_eq "id is inspect's" "$out" "$(cid bg)"
[ $((t1 - t0)) -lt 5000 ] || t_why "run -d took $((t1 - t0)) ms"
expect_eq "status" "$(cstatus bg)" running
t_end

t_begin "detach: run -d of a short-lived container returns before it ends"
t0=$(now_ms)
out=$(nk_run -d --name short --rootfs "$ROOTFS" /bin/sh -c 'sleep 3' 2>&1)
t1=$(now_ms)
expect_status "run -d" $? 0 "$out"
[ $((t1 - t0)) -lt 2500 ] || t_why "run -d took $((t1 - t0)) ms: it waited for the container"
t_end

t_begin "detach: attach with --detach-keys a,b leaves it running"
if run_sleeper det -i; then
	pid=$(insp det .State.Pid)
	t0=$(now_ms)
	keys_then 1 a b | nk attach --detach-keys a,b det >"$T_DIR/o" 2>"$T_DIR/e"
	st=$?
	t1=$(now_ms)
	expect_status "attach" $st 0 "$(cat "$T_DIR/e")"
	[ $((t1 - t0)) -lt 8000 ] || t_why "attach took $((t1 - t0)) ms"
	expect_eq "status" "$(cstatus det)" running
	expect_eq "pid" "$(insp det .State.Pid)" "$pid"
	pid_alive "$pid" || t_why "process $pid is gone"
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "detach: attach with the default keys ctrl-p,ctrl-q leaves it running"
if [ "$(cstatus det)" = running ]; then
	pid=$(insp det .State.Pid)
	keys_then 1 '\020' '\021' | nk attach det >"$T_DIR/o" 2>"$T_DIR/e"
	expect_status "attach" $? 0 "$(cat "$T_DIR/e")"
	expect_eq "status" "$(cstatus det)" running
	expect_eq "pid" "$(insp det .State.Pid)" "$pid"
else
	t_why "no running container from the check before"
fi
t_end

t_begin "detach: attach passes input and output, then detaches"
out=$(nk_run -d -i --name echoer --rootfs "$ROOTFS" /bin/sh -c \
	'echo hello-from-ctr; while read -r l; do echo "got $l"; done; echo stdin-closed' 2>&1)
if [ $? = 0 ] && wait_logs echoer hello-from-ctr 5; then
	{
		sleep 0.5
		echo ping
		sleep 1
		printf 'a'
		sleep 0.3
		printf 'b'
		sleep 1
	} | nk attach --detach-keys a,b echoer >"$T_DIR/o" 2>"$T_DIR/e"
	expect_status "attach" $? 0 "$(cat "$T_DIR/e")"
	expect_match "attach output" "$(cat "$T_DIR/o")" '^got ping$'
	expect_nomatch "detach keys reached the container" "$(nk logs echoer 2>&1)" 'got .*[ab]'
else
	t_why "run: $out"
fi
t_end

# nook-specific: podman 4.3 closes the container's stdin on detach
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "detach: the container's stdin stays open after a detach" "closes it"
else
	t_begin "detach: the container's stdin stays open after a detach"
	sleep 0.5
	expect_eq "status" "$(cstatus echoer)" running
	expect_nomatch "logs" "$(nk logs echoer 2>&1)" stdin-closed
	{
		sleep 0.5
		echo again
		sleep 0.5
		printf 'a'
		sleep 0.3
		printf 'b'
		sleep 1
	} | nk attach --detach-keys a,b echoer >"$T_DIR/o" 2>"$T_DIR/e"
	expect_match "second attach output" "$(cat "$T_DIR/o")" '^got again$'
	t_end
fi

# nook-specific: podman 4.3 returns only when its stdin reaches EOF, and
# misses a key sequence that arrives in one read
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "detach: attach returns at the detach keys, stdin still open" "returns at stdin's EOF"
	skip_podman "detach: detach keys that arrive in one read" "needs each key in a read of its own"
else
	t_begin "detach: attach returns at the detach keys, stdin still open"
	if [ "$(cstatus det)" = running ]; then
		# the pipeline lasts as long as the writer: time attach alone
		t0=$(now_ms)
		keys_then 4 a b | {
			nk attach --detach-keys a,b det >"$T_DIR/o" 2>"$T_DIR/e"
			echo $? >"$T_DIR/st"
			now_ms >"$T_DIR/t1"
		}
		expect_status "attach" "$(cat "$T_DIR/st")" 0 "$(cat "$T_DIR/e")"
		t1=$(cat "$T_DIR/t1")
		# keys sent after 0.5 + 0.3 s; stdin held open 4 s more
		[ $((t1 - t0)) -lt 3000 ] || t_why "attach took $((t1 - t0)) ms: it waited for stdin's EOF"
		expect_eq "status" "$(cstatus det)" running
	else
		t_why "no running container"
	fi
	t_end

	t_begin "detach: detach keys that arrive in one read"
	if [ "$(cstatus det)" = running ]; then
		{
			sleep 0.5
			printf '\020\021'
			sleep 2
		} | nk attach det >"$T_DIR/o" 2>"$T_DIR/e"
		expect_status "attach" $? 0 "$(cat "$T_DIR/e")"
		expect_eq "status" "$(cstatus det)" running
	else
		t_why "no running container"
	fi
	t_end
fi

t_begin "detach: attach --no-stdin ends when the container exits"
out=$(nk_run -d --name ender --rootfs "$ROOTFS" /bin/sh -c 'sleep 1; echo bye' 2>&1)
expect_status "run -d" $? 0 "$out"
t0=$(now_ms)
out=$(nk attach --no-stdin ender </dev/null 2>&1)
st=$?
t1=$(now_ms)
expect_status "attach" $st 0 "$out"
expect_match "attach output" "$out" '^bye$'
[ $((t1 - t0)) -lt 8000 ] || t_why "attach took $((t1 - t0)) ms"
wait_status ender exited 5 || t_why "status '$(cstatus ender)'"
t_end

exit $T_RC
