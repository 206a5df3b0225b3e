#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The container's output: `run` in the foreground passes stdout and stderr
# through apart and loses nothing at exit; `logs` after exit (both
# streams), --tail, -t, --since, and -f that ends when the container exits.
. "$(dirname "$0")/lib.sh"

t_begin "output: run prints the container's stdout and stderr, apart"
nk_run --rm --rootfs "$ROOTFS" /bin/sh -c 'echo to-stdout; echo to-stderr >&2' \
	>"$T_DIR/o" 2>"$T_DIR/e"
expect_status "run" $? 0 "$(cat "$T_DIR/e")"
expect_eq "stdout" "$(cat "$T_DIR/o")" to-stdout
expect_match "stderr" "$(cat "$T_DIR/e")" '^to-stderr$'
expect_nomatch "stdout has no stderr" "$(cat "$T_DIR/o")" to-stderr
t_end

t_begin "output: run loses no output when the container exits at once"
out=$(nk_run --rm --rootfs "$ROOTFS" /bin/sh -c 'seq 1 5000' 2>"$T_DIR/e")
expect_status "run" $? 0 "$(cat "$T_DIR/e")"
expect_eq "lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 5000
expect_eq "last line" "$(printf '%s\n' "$out" | tail -n 1)" 5000
t_end

t_begin "output: run without a trailing newline"
out=$(nk_run --rm --rootfs "$ROOTFS" /bin/sh -c 'printf partial' 2>&1)
expect_eq "output" "$out" partial
t_end

t_begin "output: logs after exit show both streams"
out=$(nk_run --name both --rootfs "$ROOTFS" /bin/sh -c \
	'echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2' 2>&1)
expect_status "run" $? 0 "$out"
nk logs both >"$T_DIR/o" 2>"$T_DIR/e"
expect_status "logs" $? 0 "$(cat "$T_DIR/e")"
expect_eq "logs stdout" "$(cat "$T_DIR/o")" "out-1
out-2"
expect_eq "logs stderr" "$(cat "$T_DIR/e")" "err-1
err-2"
t_end

t_begin "output: logs --tail"
nk_run --name five --rootfs "$ROOTFS" /bin/sh -c 'for i in 1 2 3 4 5; do echo l$i; done' >/dev/null 2>&1
out=$(nk logs --tail 2 five 2>&1)
expect_status "logs --tail 2" $? 0 "$out"
expect_eq "logs --tail 2" "$out" "l4
l5"
out=$(nk logs --tail 0 five 2>&1)
expect_eq "logs --tail 0" "$out" ""
out=$(nk logs --tail 10 five 2>&1)
expect_eq "logs --tail 10" "$(printf '%s' "$out" | tr '\n' ' ')" "l1 l2 l3 l4 l5"
t_end

t_begin "output: logs -t prefixes RFC 3339 timestamps"
out=$(nk logs -t five 2>&1)
expect_status "logs -t" $? 0 "$out"
expect_eq "lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 5
bad=$(printf '%s\n' "$out" | grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2}) l[1-5]$')
expect_eq "lines without a timestamp" "$bad" 0
day=$(date -u +%Y-%m-%d)
expect_match "today (UTC)" "$out" "^$day"
t_end

t_begin "output: logs --since"
nk_run -d --name since --rootfs "$ROOTFS" /bin/sh -c 'echo early; sleep 2; echo late' >/dev/null 2>&1
if wait_logs since '^early$' 5; then
	sleep 1
	mark=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	wait_status since exited 10 || t_why "did not exit"
	out=$(nk logs --since "$mark" since 2>&1)
	expect_status "logs --since $mark" $? 0 "$out"
	expect_eq "logs --since $mark" "$out" late
	out=$(nk logs --since 10m since 2>&1)
	expect_eq "logs --since 10m" "$(printf '%s' "$out" | tr '\n' ' ')" "early late"
	out=$(nk logs --since 2099-01-01T00:00:00Z since 2>&1)
	expect_eq "logs --since (future)" "$out" ""
else
	t_why "no 'early' in logs: $(nk logs since 2>&1)"
fi
t_end

t_begin "output: logs -f follows a running container and ends when it exits"
nk_run -d --name follow --rootfs "$ROOTFS" /bin/sh -c \
	'for i in 1 2 3; do echo f$i; sleep 0.5; done' >/dev/null 2>&1
t0=$(now_ms)
out=$(nk logs -f follow 2>&1)
st=$?
t1=$(now_ms)
expect_status "logs -f" $st 0 "$out"
expect_eq "logs -f" "$(printf '%s' "$out" | tr '\n' ' ')" "f1 f2 f3"
[ $((t1 - t0)) -lt 8000 ] || t_why "logs -f took $((t1 - t0)) ms"
expect_eq "status" "$(cstatus follow)" exited
t_end

t_begin "output: logs -f of an exited container returns at once"
t0=$(now_ms)
out=$(nk logs -f five 2>&1)
expect_status "logs -f" $? 0 "$out"
t1=$(now_ms)
expect_eq "logs -f" "$(printf '%s' "$out" | tr '\n' ' ')" "l1 l2 l3 l4 l5"
[ $((t1 - t0)) -lt 3000 ] || t_why "logs -f took $((t1 - t0)) ms"
t_end

t_begin "output: logs of a running container"
if run_sleeper sl; then
	out=$(nk logs sl 2>&1)
	expect_status "logs" $? 0 "$out"
	expect_eq "logs" "$out" ready
else
	t_why "run: $RUN_OUT"
fi
t_end

exit $T_RC
