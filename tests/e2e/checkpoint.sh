#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# checkpoint/restore are not implemented yet (they need CRIU).  Until
# they are, they must say so clearly (exit 125, naming the command and
# why) and touch nothing: the container keeps running, its state and
# store unchanged.
# nook-specific: podman implements them (with CRIU).
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "checkpoint: not implemented" "implements checkpoint/restore with CRIU"
	exit 0
fi

t_begin "checkpoint: not implemented, said clearly, nothing touched"
run_sleeper cp1 || t_why "run: $RUN_OUT"
pid=$(insp cp1 .State.Pid)
before=$(nk inspect cp1 2>&1 | jq -c '.[0] | {State, RestartCount, MountCount}' 2>&1)
out=$(nk checkpoint cp1 2>&1)
expect_status "checkpoint" $? 125 "$out"
expect_match "checkpoint message" "$out" '^Error: checkpoint: not implemented'
expect_match "checkpoint says why" "$out" 'CRIU'
out=$(nk restore cp1 2>&1)
expect_status "restore" $? 125 "$out"
expect_match "restore message" "$out" '^Error: restore: not implemented'
expect_eq "status after" "$(cstatus cp1)" running
expect_eq "pid after" "$(insp cp1 .State.Pid)" "$pid"
pid_alive "$pid" || t_why "the container's init $pid is gone"
expect_eq "inspect after" "$(nk inspect cp1 2>&1 | jq -c '.[0] | {State, RestartCount, MountCount}' 2>&1)" "$before"
t_end

t_begin "checkpoint: --help says what it is"
out=$(nk checkpoint --help 2>&1)
expect_status "checkpoint --help" $? 0 "$out"
expect_match "help" "$out" "^usage: nook checkpoint CONTAINER"
t_end
