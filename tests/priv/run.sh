#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `run` in the foreground: exit codes, stdio, removal after exit.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/true || { fail "run: bundle" "make_bundle failed"; exit; }

t_begin "run: /bin/true exits 0 and leaves no state"
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "output" "$out" ""
rt state "$ID" >/dev/null 2>&1 && t_why "state still known after run returned"
[ -e "$T_ROOT/$ID" ] && t_why "$T_ROOT/$ID still exists"
t_end

t_begin "run: exit code 3 propagates"
cfg "$B" '.process.args = ["/bin/nook-test", "exit", "3"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 3 "$out"
t_end

t_begin "run: exit code 255 propagates"
cfg "$B" '.process.args = ["/bin/nook-test", "exit", "255"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 255 "$out"
t_end

t_begin "run: stdout and stderr reach the caller"
cfg "$B" '.process.args = ["/bin/sh", "-c", "echo out-line; echo err-line >&2"]'
new_id
bundle_run "$B" "$ID" >"$T_DIR/o" 2>"$T_DIR/e"
expect_status "run" $? 0
expect_eq "stdout" "$(cat "$T_DIR/o")" "out-line"
expect_match "stderr" "$(cat "$T_DIR/e")" "^err-line$"
t_end

t_begin "run: stdin reaches the container"
cfg "$B" '.process.args = ["/bin/cat"]'
new_id
out=$(echo stdin-data | rt run --bundle "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "output" "$out" "stdin-data"
t_end

t_begin "run: args and env reach the process"
cfg "$B" '.process.args = ["/bin/nook-test", "echo", "a b", "c"] |
	.process.env = ["PATH=/bin:/usr/bin", "NOOK_X=1"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_eq "echo" "$out" "a b c"
cfg "$B" '.process.args = ["nook-test", "env"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_match "env" "$out" "^NOOK_X=1$"
expect_match "env" "$out" "^PATH=/bin:/usr/bin$"
t_end

t_begin "run: a container killed by SIGKILL gives 137"
cfg "$B" '.process.args = ["/bin/nook-test", "sleep", "30"]'
new_id
rt run --bundle "$B" "$ID" </dev/null >"$T_DIR/k.out" 2>&1 &
bg=$!
track_pid $bg
if wait_status "$ID" running && wait_file "$T_DIR/k.out" '^ready$'; then
	rt kill "$ID" KILL
	wait $bg
	expect_status "run" $? 137 "$(cat "$T_DIR/k.out")"
else
	t_why "container never ran: $(cat "$T_DIR/k.out")"
fi
t_end

# podman picks 127 and 126 by these exit codes and texts (STYLE.md).
t_begin "run: a missing executable gives 127 and names it"
cfg "$B" '.process.args = ["/no/such/binary"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 127 "$out"
expect_match "error" "$out" "/no/such/binary"
t_end

t_begin "run: a non-executable file gives 126"
cfg "$B" '.process.args = ["/etc/passwd"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 126 "$out"
t_end
