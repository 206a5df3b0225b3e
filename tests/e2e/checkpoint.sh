#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# checkpoint/restore on this host: what a user sees when CRIU cannot work
# here, and the refusals that come before CRIU is asked.  That CRIU really
# checkpoints and restores is tested in the VM (board/vm/tests/
# 41-checkpoint.sh), where Debian's criu works with its kernel.
# nook-specific: podman needs a working criu for all of it.
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "checkpoint: refusals" "needs a working criu on this host"
	exit 0
fi
criu_ok=0
command -v criu >/dev/null 2>&1 && criu check >/dev/null 2>&1 && criu_ok=1

run_sleeper cp1 || fail "checkpoint: run" "$RUN_OUT"
if [ $criu_ok = 1 ]; then
	skip "checkpoint: refused where criu cannot work" "optional: criu works on this host (the VM's tests cover checkpoints)"
else
	t_begin "checkpoint: refused clearly where criu cannot work, nothing touched"
	pid=$(insp cp1 .State.Pid)
	before=$(nk inspect cp1 2>&1 | jq -c '.[0] | {State, RestartCount, MountCount}' 2>&1)
	out=$(nk checkpoint cp1 2>&1)
	expect_status "checkpoint" $? 125 "$out"
	if command -v criu >/dev/null 2>&1; then
		expect_match "checkpoint says why" "$out" '^Error: criu cannot checkpoint on this kernel \(`criu check`: .+\)$'
	else
		expect_match "checkpoint says why" "$out" '^Error: checkpoint/restore needs the criu program, which is not installed$'
	fi
	expect_eq "status after" "$(cstatus cp1)" running
	expect_eq "pid after" "$(insp cp1 .State.Pid)" "$pid"
	pid_alive "$pid" || t_why "the container's init $pid is gone"
	expect_eq "inspect after" "$(nk inspect cp1 2>&1 | jq -c '.[0] | {State, RestartCount, MountCount}' 2>&1)" "$before"
	t_end
fi

t_begin "restore: a running container, one never checkpointed, bad flags"
out=$(nk restore cp1 2>&1)
expect_status "restore running" $? 125 "$out"
expect_match "restore running message" "$out" '^Error: cannot restore container cp1: it is running$'
nk stop -t 0 cp1 >/dev/null 2>&1
out=$(nk restore cp1 2>&1)
expect_status "restore exited" $? 125 "$out"
expect_match "restore exited message" "$out" '^Error: cannot restore container cp1: it has no checkpoint$'
out=$(nk checkpoint cp1 2>&1)
expect_status "checkpoint exited" $? 125 "$out"
expect_match "checkpoint exited message" "$out" '^Error: cannot checkpoint container cp1: it is not running \(state exited\)$'
out=$(nk checkpoint --import x cp1 2>&1)
expect_status "checkpoint --import" $? 125 "$out"
expect_match "checkpoint --import message" "$out" 'is not an option of checkpoint'
out=$(nk checkpoint nosuch 2>&1)
expect_status "checkpoint nosuch" $? 125 "$out"
expect_match "checkpoint nosuch message" "$out" 'no such container: nosuch'
t_end

t_begin "checkpoint: a terminal and --rm are refused before criu runs"
RUN_OUT=$(nk_run -d -t --name cpt --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1) || t_why "run -t: $RUN_OUT"
out=$(nk checkpoint cpt 2>&1)
expect_status "checkpoint -t" $? 125 "$out"
expect_match "checkpoint -t message" "$out" '^Error: cannot checkpoint container cpt: it has a terminal \(-t\)$'
expect_eq "status -t after" "$(cstatus cpt)" running
RUN_OUT=$(nk_run -d --rm --name cprm --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1) || t_why "run --rm: $RUN_OUT"
out=$(nk checkpoint cprm 2>&1)
expect_status "checkpoint --rm" $? 125 "$out"
expect_match "checkpoint --rm message" "$out" 'it was started with --rm'
expect_eq "status --rm after" "$(cstatus cprm)" running
t_end
