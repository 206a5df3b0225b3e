#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Exit codes, podman's convention (engine/LIFECYCLE.md, "Errors"): `run`,
# `start -a` and `exec` give the container's (or process's) own code,
# `wait` prints it; 125 an engine error; 126 a command that cannot be
# invoked; 127 one not found; 128+N for a signal.
. "$(dirname "$0")/lib.sh"

t_begin "exitcodes: run returns the container's code"
for code in 0 1 3 42 255; do
	out=$(nk_run --rm --rootfs "$ROOTFS" /bin/nook-test exit $code 2>&1)
	expect_status "run exit $code" $? $code "$out"
done
t_end

t_begin "exitcodes: run of a container killed by a signal returns 128+N"
# pid 1 cannot SIGKILL itself: the kill comes from outside
nk_run --rm --name sig --rootfs "$ROOTFS" /bin/nook-test sleep inf >"$T_DIR/sig.out" 2>&1 &
bg=$!
track_pid $bg
if wait_logs sig '^ready$' 10; then
	out=$(nk kill sig 2>&1)
	expect_status "kill" $? 0 "$out"
	wait $bg
	expect_status "run (SIGKILL)" $? 137 "$(cat "$T_DIR/sig.out")"
else
	t_why "did not start: $(cat "$T_DIR/sig.out")"
fi
t_end

t_begin "exitcodes: run with an unknown flag: 125"
out=$(nk_run --rm --no-such-flag --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "run --no-such-flag" $? 125 "$out"
expect_match "error names the flag" "$out" 'no-such-flag'
expect_eq "no container left" "$(nk ps -a -q 2>&1)" ""
t_end

t_begin "exitcodes: run with a bad flag value: 125"
out=$(nk_run --restart sometimes --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "run --restart sometimes" $? 125 "$out"
expect_match "error names the value" "$out" 'sometimes'
expect_eq "no container left" "$(nk ps -a -q 2>&1)" ""
t_end

t_begin "exitcodes: run with a missing rootfs: 125"
out=$(nk_run --rm --rootfs "$T_DIR/no-such-rootfs" /bin/nook-test true 2>&1)
expect_status "run --rootfs missing" $? 125 "$out"
expect_match "error names the path" "$out" 'no-such-rootfs'
expect_eq "no container left" "$(nk ps -a -q 2>&1)" ""
t_end

t_begin "exitcodes: run of a file that is not executable: 126"
out=$(nk_run --rm --rootfs "$ROOTFS" /etc/passwd 2>&1)
expect_status "run /etc/passwd" $? 126 "$out"
expect_match "error names the file" "$out" '/etc/passwd'
t_end

t_begin "exitcodes: run of a directory: 126"
out=$(nk_run --rm --rootfs "$ROOTFS" /tmp 2>&1)
expect_status "run /tmp" $? 126 "$out"
t_end

t_begin "exitcodes: run of a command that does not exist: 127"
out=$(nk_run --rm --rootfs "$ROOTFS" /no/such/cmd 2>&1)
expect_status "run /no/such/cmd" $? 127 "$out"
expect_match "error names the command" "$out" '/no/such/cmd'
out=$(nk_run --rm --rootfs "$ROOTFS" no-such-cmd 2>&1)
expect_status "run no-such-cmd (PATH lookup)" $? 127 "$out"
expect_match "error names the command" "$out" 'no-such-cmd'
t_end

t_begin "exitcodes: a command in PATH runs"
out=$(nk_run --rm --rootfs "$ROOTFS" nook-test exit 5 2>&1)
expect_status "run nook-test (PATH lookup)" $? 5 "$out"
t_end

t_begin "exitcodes: start -a returns the container's code"
out=$(nk_create --name sa --rootfs "$ROOTFS" /bin/nook-test exit 7 2>&1)
expect_status "create" $? 0 "$out"
out=$(nk start -a sa 2>&1)
expect_status "start -a" $? 7 "$out"
# and again, from exited
out=$(nk start -a sa 2>&1)
expect_status "start -a again" $? 7 "$out"
t_end

t_begin "exitcodes: start (no -a) returns 0 and wait gives the code"
out=$(nk_create --name sw --rootfs "$ROOTFS" /bin/nook-test exit 9 2>&1)
nk start sw >/dev/null 2>&1
expect_status "start" $? 0
out=$(nk wait sw 2>&1)
expect_status "wait" $? 0 "$out"
expect_eq "wait prints" "$out" 9
expect_eq "ExitCode" "$(insp sw .State.ExitCode)" 9
t_end

t_begin "exitcodes: wait of an exited container prints its code at once"
out=$(nk wait sw 2>&1)
expect_status "wait" $? 0 "$out"
expect_eq "wait prints" "$out" 9
t_end

t_begin "exitcodes: exec returns the process's code"
if run_sleeper ex; then
	for code in 0 4 200; do
		out=$(nk exec ex /bin/nook-test exit $code 2>&1)
		expect_status "exec exit $code" $? $code "$out"
	done
	out=$(nk exec ex /no/such/cmd 2>&1)
	expect_status "exec /no/such/cmd" $? 127 "$out"
	out=$(nk exec ex /etc/passwd 2>&1)
	expect_status "exec /etc/passwd" $? 126 "$out"
	out=$(nk exec ex /bin/sh -c 'kill -TERM $$' 2>&1)
	expect_status "exec (SIGTERM)" $? 143 "$out"
	out=$(nk exec --no-such-flag ex /bin/nook-test true 2>&1)
	expect_status "exec --no-such-flag" $? 125 "$out"
	expect_eq "status" "$(cstatus ex)" running
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "exitcodes: unknown command: 125"
out=$(nk no-such-command 2>&1)
expect_status "nook no-such-command" $? 125 "$out"
t_end

exit $T_RC
