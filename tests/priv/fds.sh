#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# File descriptors: none of the caller's extra fds reach the container (run,
# exec), --preserve-fds passes exactly the ones asked for, --pid-file.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/nook-test fds >/dev/null || { fail "fds: bundle" "make_bundle failed"; exit; }
echo preserved-content >"$T_DIR/pf3"
echo other >"$T_DIR/pf4"
mkdir -p "$T_DIR/hostdir"

# fd numbers only, on one line
fdnums() {
	printf '%s\n' "$1" | awk '/^[0-9]+ / { printf "%s%s", s, $1; s = " " }'
}

t_begin "fds: run with extra fds open: the container sees only 0 1 2"
new_id
out=$(
	exec 3<"$T_DIR/pf3" 4<"$T_DIR/hostdir" 7</etc/passwd 9>>"$T_DIR/pf4"
	bundle_run "$B" "$ID" 2>&1
)
expect_status "run" $? 0 "$out"
expect_eq "fds" "$(fdnums "$out")" "0 1 2"
t_end

t_begin "fds: --preserve-fds 1 passes fd 3 and nothing more"
cfg "$B" '.process.args = ["/bin/sh", "-c", "nook-test fds; nook-test cat /proc/self/fd/3"]'
new_id
out=$(
	exec 3<"$T_DIR/pf3" 4<"$T_DIR/pf4" 7</etc/passwd
	bundle_run "$B" "$ID" --preserve-fds 1 2>&1
)
expect_status "run" $? 0 "$out"
expect_eq "fds" "$(fdnums "$out")" "0 1 2 3"
expect_match "fd 3" "$out" "^3 .*/pf3$"
expect_match "fd 3 content" "$out" "^preserved-content$"
t_end

t_begin "fds: --preserve-fds 2 passes fds 3 and 4"
cfg "$B" '.process.args = ["/bin/nook-test", "fds"]'
new_id
out=$(
	exec 3<"$T_DIR/pf3" 4<"$T_DIR/pf4" 5</etc/passwd
	bundle_run "$B" "$ID" --preserve-fds 2 2>&1
)
expect_eq "fds" "$(fdnums "$out")" "0 1 2 3 4"
t_end

t_begin "fds: exec with extra fds open: the process sees only 0 1 2"
cfg "$B" '.process.args = ["/bin/nook-test", "sleep", "60"]'
new_id
C=$ID
if start_bg "$B" "$C" && wait_file "$T_DIR/$C.out" '^ready$'; then
	out=$(
		exec 3<"$T_DIR/pf3" 4<"$T_DIR/hostdir" 7</etc/passwd
		rt exec "$C" /bin/nook-test fds 2>&1
	)
	expect_status "exec" $? 0 "$out"
	expect_eq "fds" "$(fdnums "$out")" "0 1 2"
	out=$(rt exec "$C" /bin/nook-test ls /proc/1/fd 2>&1)
	expect_eq "fds of the container's init" "$(echo $out)" "0 1 2"
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end

t_begin "fds: --pid-file of run -d, absolute and relative"
new_id
rt run -d --pid-file "$T_DIR/abs.pid" --bundle "$B" "$ID" </dev/null >/dev/null 2>"$T_DIR/p.err"
expect_status "run -d" $? 0 "$(cat "$T_DIR/p.err")"
expect_eq "pid file" "$(cat "$T_DIR/abs.pid" 2>&1)" "$(state_field "$ID" pid)"
new_id
(cd "$T_DIR" && rt run -d --pid-file rel.pid --bundle "$B" "$ID" </dev/null >/dev/null 2>"$T_DIR/p.err")
expect_status "run -d" $? 0 "$(cat "$T_DIR/p.err")"
expect_eq "relative pid file" "$(cat "$T_DIR/rel.pid" 2>&1)" "$(state_field "$ID" pid)"
t_end

t_begin "fds: exec --pid-file"
rt exec -d --pid-file "$T_DIR/exec.pid" "$ID" /bin/nook-test sleep 30 </dev/null >/dev/null 2>"$T_DIR/p.err"
expect_status "exec -d" $? 0 "$(cat "$T_DIR/p.err")"
p=$(cat "$T_DIR/exec.pid" 2>/dev/null)
if [ -n "$p" ] && [ -r "/proc/$p/cmdline" ]; then
	expect_match "process of the pid file" "$(tr '\0' ' ' <"/proc/$p/cmdline")" "nook-test sleep 30"
else
	t_why "pid file '$p' names no process"
fi
t_end
