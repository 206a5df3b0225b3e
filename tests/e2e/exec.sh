#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# exec: a new process in the container's namespaces and cgroup with its own
# user (numeric or looked up in the container's /etc/passwd), env, workdir,
# stdin, privileges; its exit code; -d returns at once; inspect lists exec
# sessions only while they run.
. "$(dirname "$0")/lib.sh"

if ! run_sleeper ctr -e BASE=from-run --hostname ctr-host; then
	fail "exec: setup" "run: $RUN_OUT"
	exit 1
fi

# exec_ids: the ids in inspect's ExecIDs, one a line
exec_ids() {
	insp ctr '(.ExecIDs // [])[]'
}

no_exec_ids() {
	[ -z "$(exec_ids)" ]
}

# new_exec_ids: the ExecIDs not in $base; status 1 if none
new_exec_ids() {
	exec_ids | grep -vxF "${base:-no-such-id}" | grep .
}

no_new_exec_ids() {
	! new_exec_ids >/dev/null
}

t_begin "exec: runs as root by default, in the container"
out=$(nk exec ctr /bin/nook-test id 2>&1)
expect_status "exec" $? 0 "$out"
expect_eq "uid" "$(field uid "$out")" 0
expect_eq "gid" "$(field gid "$out")" 0
out=$(nk exec ctr /bin/nook-test hostname 2>&1)
expect_eq "hostname" "$out" ctr-host
out=$(nk exec ctr /bin/nook-test cat /proc/1/cmdline 2>&1 | tr '\0' ' ')
expect_eq "pid 1 of its pid namespace" "$out" "/bin/nook-test sleep inf "
a=$(nk exec ctr /bin/nook-test cgroup 2>&1)
b=$(nk exec ctr /bin/nook-test cat /proc/1/cgroup 2>&1)
expect_eq "cgroup is the container's" "$a" "$b"
t_end

t_begin "exec: -u 1000:1000"
out=$(nk exec -u 1000:1000 ctr /bin/nook-test id 2>&1)
expect_status "exec -u" $? 0 "$out"
expect_eq "uid" "$(field uid "$out")" 1000
expect_eq "euid" "$(field euid "$out")" 1000
expect_eq "gid" "$(field gid "$out")" 1000
t_end

t_begin "exec: -u NAME is looked up in the container's /etc/passwd"
out=$(nk exec -u test ctr /bin/nook-test id 2>&1)
expect_status "exec -u test" $? 0 "$out"
expect_eq "uid" "$(field uid "$out")" 1000
expect_eq "gid" "$(field gid "$out")" 1000
out=$(nk exec -u nobody ctr /bin/nook-test id 2>&1)
expect_eq "uid of nobody" "$(field uid "$out")" 65534
t_end

t_begin "exec: -u of an unknown user fails"
out=$(nk exec -u no-such-user ctr /bin/nook-test id 2>&1)
st=$?
# podman 4.3 exits 255 here
if [ "$T_PODMAN" = 1 ]; then
	expect_status "exec -u no-such-user" $st 255 "$out"
else
	expect_status "exec -u no-such-user" $st 125 "$out"
fi
expect_match "message names the user" "$out" no-such-user
expect_nomatch "it did not run" "$out" '^uid '
t_end

t_begin "exec: -e adds to the container's env"
out=$(nk exec -e FOO=bar -e "SP=a b" ctr /bin/nook-test env 2>&1)
expect_status "exec -e" $? 0 "$out"
expect_match "FOO" "$out" '^FOO=bar$'
expect_match "SP" "$out" '^SP=a b$'
expect_match "BASE (from run -e)" "$out" '^BASE=from-run$'
expect_match "PATH" "$out" '^PATH=.*/bin'
out=$(nk exec -e BASE=over ctr /bin/nook-test env 2>&1)
expect_match "-e overrides run -e" "$out" '^BASE=over$'
t_end

t_begin "exec: -e NAME and an --env-file line NAME take NAME's value here, or nothing if unset"
printf 'NOOK_T_FILE\nNOOK_T_UNSET\n' >"$T_DIR/env-file"
out=$(
	unset NOOK_T_UNSET
	NOOK_T_HOST=host-value NOOK_T_FILE=file-value
	export NOOK_T_HOST NOOK_T_FILE
	nk exec -e NOOK_T_HOST -e NOOK_T_UNSET --env-file "$T_DIR/env-file" ctr /bin/nook-test env 2>&1
)
expect_status "exec -e NAME" $? 0 "$out"
expect_match "-e NAME" "$out" '^NOOK_T_HOST=host-value$'
expect_match "--env-file NAME" "$out" '^NOOK_T_FILE=file-value$'
expect_nomatch "unset NAME left out" "$out" 'NOOK_T_UNSET'
t_end

t_begin "exec: -w"
out=$(nk exec -w /tmp ctr /bin/nook-test cwd 2>&1)
expect_status "exec -w /tmp" $? 0 "$out"
expect_eq "cwd" "$out" /tmp
out=$(nk exec ctr /bin/nook-test cwd 2>&1)
expect_eq "default cwd" "$out" /
t_end

t_begin "exec: -u, -e and -w together"
out=$(nk exec -u 1000:1000 -e FOO=bar -w /tmp ctr /bin/sh -c 'echo "$(id -u):$(id -g) $FOO $(pwd)"' 2>&1)
expect_eq "output" "$out" "1000:1000 bar /tmp"
t_end

t_begin "exec: -i passes stdin"
out=$(printf 'line1\nline2\n' | nk exec -i ctr /bin/sh -c 'cat; echo done' 2>&1)
expect_status "exec -i" $? 0 "$out"
expect_eq "output" "$out" "line1
line2
done"
t_end

t_begin "exec: stdout and stderr apart"
nk exec ctr /bin/sh -c 'echo o; echo e >&2' >"$T_DIR/o" 2>"$T_DIR/e"
expect_eq "stdout" "$(cat "$T_DIR/o")" o
expect_match "stderr" "$(cat "$T_DIR/e")" '^e$'
t_end

t_begin "exec: the process's exit code"
for code in 0 1 7; do
	out=$(nk exec ctr /bin/nook-test exit $code 2>&1)
	expect_status "exec exit $code" $? $code "$out"
done
t_end

t_begin "exec: --privileged has all capabilities"
def=$(field CapEff "$(nk exec ctr /bin/nook-test caps 2>&1)")
priv=$(field CapEff "$(nk exec --privileged ctr /bin/nook-test caps 2>&1)")
bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
expect_eq "CapEff --privileged" "$priv" "$bnd"
expect_ne "CapEff default" "$def" "$bnd"
t_end

t_begin "exec: inspect lists a session while it runs, not after"
base=$(exec_ids)
# nook-specific: podman 4.3 keeps sessions that failed to start (-u
# no-such-user above) in ExecIDs
[ "$T_PODMAN" = 1 ] || expect_eq "ExecIDs before (all ended)" "$base" ""
nk exec ctr /bin/nook-test sleep 2 >/dev/null 2>&1 &
bg=$!
track_pid $bg
wait_for 5 new_exec_ids >/dev/null
expect_eq "new sessions while it runs" "$(new_exec_ids | grep -c .)" 1
if [ "$T_PODMAN" != 1 ]; then
	# nook: sessions are kept in the runroot (tmpfs), never in the
	# root's state.json (flash, fsync'd)
	_id=$(insp ctr .Id)
	grep -q execSessions "$T_DIR/root/containers/$_id/state.json" &&
		t_why "state.json holds exec sessions"
	grep -qF "$(new_exec_ids)" "$T_DIR/run/containers/$_id/exec.json" 2>/dev/null ||
		t_why "no session in the runroot's exec.json"
fi
wait $bg
expect_status "exec" $? 0
wait_for 5 no_new_exec_ids || t_why "ExecIDs after it ended: '$(exec_ids | tr '\n' ' ')'"
t_end

t_begin "exec: -d returns at once and the process runs"
t0=$(now_ms)
out=$(nk exec -d ctr /bin/sh -c 'sleep 2; echo bg > /tmp/exec-d' 2>&1)
st=$?
t1=$(now_ms)
expect_status "exec -d" $st 0 "$out"
[ $((t1 - t0)) -lt 1500 ] || t_why "exec -d took $((t1 - t0)) ms"
wait_for 10 test -f "$ROOTFS/tmp/exec-d" || t_why "the detached process did not run"
t_end

# nook-specific: podman 4.3 keeps a detached session in ExecIDs after it
# ended (it removes only attached ones)
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "exec: an exec -d session leaves inspect when it ends" "keeps ended detached sessions in ExecIDs"
else
	t_begin "exec: an exec -d session leaves inspect when it ends"
	nk exec -d ctr /bin/nook-test sleep 1 >/dev/null 2>&1
	expect_eq "sessions while it runs" "$(exec_ids | grep -c .)" 1
	wait_for 5 no_exec_ids || t_why "ExecIDs after it ended: '$(exec_ids | tr '\n' ' ')'"
	t_end
fi

t_begin "exec: the container is still running"
expect_eq "status" "$(cstatus ctr)" running
t_end

exit $T_RC
