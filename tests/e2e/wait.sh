#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# wait: blocks until the container exits and prints its exit code (0 as its
# own status); --condition running waits for a start made by another
# process; a container removed while waited on does not leave wait hanging.
. "$(dirname "$0")/lib.sh"

t_begin "wait: blocks until the container exits, prints the code"
out=$(nk_run -d --name w4 --rootfs "$ROOTFS" /bin/sh -c 'sleep 1.5; exit 4' 2>&1)
expect_status "run -d" $? 0 "$out"
t0=$(now_ms)
out=$(nk wait w4 2>&1)
st=$?
t1=$(now_ms)
expect_status "wait" $st 0 "$out"
expect_eq "wait prints" "$out" 4
[ $((t1 - t0)) -ge 700 ] || t_why "wait returned after $((t1 - t0)) ms, before the container exited"
[ $((t1 - t0)) -lt 6000 ] || t_why "wait returned after $((t1 - t0)) ms"
# engine/LIFECYCLE.md: "stopped" until the runtime side is cleaned up
# (nook's wait answers from the exit file at once), then "exited"
# (podman's only word)
expect_match "status" "$(cstatus w4)" '^(stopped|exited)$'
t_end

t_begin "wait: returns soon after the exit (no long polling)"
out=$(nk_run -d --name wk --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
wait_logs wk '^ready$' 5
nk wait wk >"$T_DIR/wk.out" 2>&1 &
bg=$!
track_pid $bg
sleep 0.5
kill -0 $bg 2>/dev/null || t_why "wait returned while the container runs: $(cat "$T_DIR/wk.out")"
t0=$(now_ms)
out=$(nk kill wk 2>&1)
expect_status "kill" $? 0 "$out"
wait $bg
st=$?
t1=$(now_ms)
expect_status "wait" $st 0 "$(cat "$T_DIR/wk.out")"
expect_eq "wait prints" "$(cat "$T_DIR/wk.out")" 137
[ $((t1 - t0)) -lt 2000 ] || t_why "wait returned $((t1 - t0)) ms after the kill"
t_end

t_begin "wait: several containers, one code a line"
nk_run -d --name a2 --rootfs "$ROOTFS" /bin/nook-test exit 2 >/dev/null 2>&1
nk_run -d --name a3 --rootfs "$ROOTFS" /bin/nook-test exit 3 >/dev/null 2>&1
out=$(nk wait a2 a3 2>&1)
expect_status "wait a2 a3" $? 0 "$out"
expect_eq "wait prints" "$out" "2
3"
t_end

t_begin "wait: --condition running returns when another process starts it"
out=$(nk_create --name cr --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "create" $? 0 "$out"
nk wait --condition running cr >"$T_DIR/cr.out" 2>&1 &
bg=$!
track_pid $bg
sleep 1
kill -0 $bg 2>/dev/null || t_why "wait --condition running returned before the start: $(cat "$T_DIR/cr.out")"
t0=$(now_ms)
out=$(nk start cr 2>&1)
expect_status "start" $? 0 "$out"
wait $bg
st=$?
t1=$(now_ms)
expect_status "wait --condition running" $st 0 "$(cat "$T_DIR/cr.out")"
[ $((t1 - t0)) -lt 3000 ] || t_why "wait returned $((t1 - t0)) ms after the start"
expect_eq "status" "$(cstatus cr)" running
t_end

t_begin "wait: --condition running of a running container returns at once"
out=$(nk wait --condition running cr 2>&1)
expect_status "wait --condition running" $? 0 "$out"
t_end

t_begin "wait: a container removed while waited on"
nk wait cr >"$T_DIR/rm.out" 2>&1 &
bg=$!
track_pid $bg
sleep 0.5
out=$(nk rm -f cr 2>&1)
expect_status "rm -f" $? 0 "$out"
i=0
while kill -0 $bg 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $bg 2>/dev/null; then
	t_why "wait still blocked 5 s after rm -f"
else
	wait $bg
	st=$?
	# podman: 0 with the code it saw (137); nook: removed-container
	case $st in
	0) expect_match "wait prints" "$(cat "$T_DIR/rm.out")" '^(137|143)$' ;;
	125) expect_match "message" "$(cat "$T_DIR/rm.out")" 'cr|remov' ;;
	*) t_why "wait exited $st: $(cat "$T_DIR/rm.out")" ;;
	esac
fi
t_end

t_begin "wait: an unknown container fails"
out=$(nk wait no-such-ctr 2>&1)
expect_status "wait" $? 125 "$out"
expect_match "message" "$out" no-such-ctr
t_end

exit $T_RC
