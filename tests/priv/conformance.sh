#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What runc and crun do that the runtime spec leaves to the runtime, and
# that programs written against them count on: HOME from the container's
# /etc/passwd, `kill ID 0`, loopback up, what hooks see, ENOSYS for
# syscalls newer than a seccomp profile, exec into a paused container, the
# namespaces of `spec`.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# run_cfg FILTER ARGS...: a fresh bundle running ARGS after FILTER, run in
# the foreground; output in $out, status in $rc.
run_cfg() {
	_f=$1
	shift
	make_bundle "$B" "$@" >/dev/null 2>&1 && cfg "$B" "$_f"
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	rc=$?
}

# home_of OUTPUT: the HOME line of `nook-test env` ("none" if absent)
home_of() {
	printf '%s\n' "$1" | sed -n 's/^HOME=//p' | grep . || echo none
}

# ---- 1. HOME ----------------------------------------------------------------

NOHOME='.process.env = [.process.env[] | select(startswith("HOME=") | not)]'

t_begin "conformance: run without HOME gets the user's home from the container's /etc/passwd"
run_cfg "$NOHOME | .process.user = {uid: 1000, gid: 1000}" /bin/nook-test env
expect_status "run" $rc 0 "$out"
expect_eq "HOME of uid 1000" "$(home_of "$out")" /home/test
run_cfg "$NOHOME | .process.user = {uid: 0, gid: 0}" /bin/nook-test env
expect_eq "HOME of uid 0" "$(home_of "$out")" /root
run_cfg "$NOHOME | .process.user = {uid: 4242, gid: 4242}" /bin/nook-test env
expect_eq "HOME of a uid not in /etc/passwd" "$(home_of "$out")" /
run_cfg "$NOHOME | .process.env += [\"HOME=/elsewhere\"]" /bin/nook-test env
expect_eq "HOME set in process.env" "$(home_of "$out")" /elsewhere
t_end

t_begin "conformance: exec without HOME gets the user's home"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1 && cfg "$B" "$NOHOME"
new_id
C=$ID
if start_bg "$B" "$C"; then
	out=$(rt exec --user 1000:1000 "$C" /bin/nook-test env 2>&1)
	expect_status "exec" $? 0 "$out"
	expect_eq "HOME of uid 1000" "$(home_of "$out")" /home/test
	out=$(rt exec "$C" /bin/nook-test env 2>&1)
	expect_eq "HOME of uid 0" "$(home_of "$out")" /root
	out=$(rt exec --env HOME=/x "$C" /bin/nook-test env 2>&1)
	expect_eq "HOME from --env" "$(home_of "$out")" /x
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 2. kill ID 0 -----------------------------------------------------------

t_begin "conformance: kill ID 0 checks the init exists and exits 0"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1
new_id
C=$ID
if start_bg "$B" "$C"; then
	out=$(rt kill "$C" 0 2>&1)
	expect_status "kill 0 of a running container" $? 0 "$out"
	expect_eq "status after kill 0" "$(status "$C")" running
	rt kill "$C" KILL >/dev/null 2>&1
	wait_status "$C" stopped || t_why "did not stop after KILL"
	out=$(rt kill "$C" 0 2>&1)
	expect_ne "kill 0 of a stopped container" $? 0
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 3. loopback ------------------------------------------------------------

# /sys/class/net/lo/flags: IFF_UP is bit 0 (0x9 up, 0x8 down)
t_begin "conformance: lo is up in a new network namespace"
run_cfg '.' /bin/nook-test cat /sys/class/net/lo/flags
expect_status "run" $rc 0 "$out"
expect_eq "lo flags" "$out" 0x9
t_end
