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

# An archive as checkpoint --export writes it: DIR with manifest.json,
# config.dump, state.dump, checkpoint/ (the parts import checks).
mk_archive() { # DIR ARCH
	mkdir -p "$1/checkpoint"
	printf '{"nookCheckpoint":1,"arch":"%s","id":"x","name":"imp"}' "$2" >"$1/manifest.json"
	echo '{"spec":{"linux":{}},"rootfs":"/nonexistent"}' >"$1/config.dump"
	echo '{"name":"imp","command":["sh"]}' >"$1/state.dump"
	echo '["pipe:[1]","pipe:[2]","pipe:[3]"]' >"$1/checkpoint/descriptors.json"
}

t_begin "restore --import: bad archives are refused by name, nothing is left"
out=$(nk restore --import "$T_DIR/nosuch.tar" 2>&1)
expect_status "missing file" $? 125 "$out"
expect_match "missing file message" "$out" "^Error: --import $T_DIR/nosuch.tar: No such file or directory$"
mkdir -p "$T_DIR/a1/x" && tar -C "$T_DIR/a1" -cf "$T_DIR/plain.tar" x
out=$(nk restore --import "$T_DIR/plain.tar" 2>&1)
expect_status "not a checkpoint" $? 125 "$out"
expect_match "not a checkpoint message" "$out" "^Error: --import $T_DIR/plain.tar: .*manifest.json"
mk_archive "$T_DIR/a2" mips
tar -C "$T_DIR/a2" -cf "$T_DIR/mips.tar" .
out=$(nk restore --import "$T_DIR/mips.tar" 2>&1)
expect_status "other machine" $? 125 "$out"
expect_match "other machine message" "$out" "a checkpoint of a mips machine cannot be restored on $(uname -m)"
mk_archive "$T_DIR/a3" "$(uname -m)"
tar -C "$T_DIR/a3" -cf "$T_DIR/ok.tar" .
head -c 1500 "$T_DIR/ok.tar" >"$T_DIR/short.tar"
out=$(nk restore --import "$T_DIR/short.tar" 2>&1)
expect_status "truncated" $? 125 "$out"
expect_match "truncated message" "$out" "^Error: --import $T_DIR/short.tar: "
# (a network this machine has not: the host's network is not touched)
mk_archive "$T_DIR/a4" "$(uname -m)"
printf '{"nookCheckpoint":1,"arch":"%s","networks":["nosuchnet"]}' "$(uname -m)" >"$T_DIR/a4/manifest.json"
echo '{"spec":{"linux":{}},"netMode":"bridge"}' >"$T_DIR/a4/config.dump"
tar -C "$T_DIR/a4" -cf "$T_DIR/bridge.tar" .
out=$(nk restore --import "$T_DIR/bridge.tar" 2>&1)
expect_status "no such network" $? 125 "$out"
expect_match "no such network message" "$out" "^Error: --import $T_DIR/bridge.tar: .*nosuchnet"
out=$(nk restore --import "$T_DIR/ok.tar" --name cp1 2>&1)
expect_status "name taken" $? 125 "$out"
expect_match "name taken message" "$out" "cp1.* already in use"
if [ $criu_ok = 0 ]; then
	out=$(nk restore --import "$T_DIR/ok.tar" 2>&1)
	expect_status "no criu: import" $? 125 "$out"
	expect_match "no criu: import message" "$out" "criu"
fi
expect_eq "import dirs left" "$(ls "$T_DIR/root" | grep -c '^import-')" 0
expect_eq "containers after the failed imports" "$(nk ps -aq | wc -l)" 3
out=$(nk restore --import "$T_DIR/ok.tar" cp1 2>&1)
expect_status "import with a container" $? 125 "$out"
out=$(nk restore --name x cp1 2>&1)
expect_status "--name without --import" $? 125 "$out"
expect_match "--name without --import message" "$out" "needs --import"
t_end
