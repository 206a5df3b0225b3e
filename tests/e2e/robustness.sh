#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# robustness: what routers do to an engine.  The monitor killed with SIGKILL
# (sync/ps show the container stopped, wait returns); the CLI killed at
# random points of create/start/rm (the next command can read the state);
# a reboot simulated by changing the recorded boot id, then `system
# refresh`; a corrupt state file (an error naming the file, no silent
# reset); a full disk under --root (a clear error, the old state kept).
# All nook-specific: skipped when the tests are validated against podman.
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "robustness: all" "podman keeps its state in a database"
	exit $T_RC
fi

state_file() { # CONTAINER -> path of its state.json
	echo "$T_DIR/root/containers/$(cid "$1")/state.json"
}

t_begin "robustness: monitor killed with SIGKILL: ps shows it stopped, wait returns"
run_sleeper mk || t_why "no container: $RUN_OUT"
mpid=$(insp mk .State.ConmonPid)
[ -n "$mpid" ] && [ "$mpid" -gt 0 ] || t_why "no monitor pid in inspect: '$mpid'"
kill -9 "$mpid"
st=$(nk ps -a --filter name=mk --format '{{.State}}' 2>&1)
expect_match "ps after the monitor died" "$st" '^(stopped|exited)$'
out=$(nk wait mk 2>&1)
expect_status "wait" $? 0 "$out"
out=$(nk sync mk 2>&1)
expect_status "sync" $? 0 "$out"
expect_eq "status after sync" "$(cstatus mk)" exited
t_end

t_begin "robustness: the CLI killed at random points leaves readable state"
i=0
bad=
while [ $i -lt 12 ]; do
	# a different moment each time: 0..55 ms into the command
	d=$(((i * 5) % 60))
	nk_run -d --name "rk$i" --rootfs "$ROOTFS" /bin/nook-test sleep inf >/dev/null 2>&1 &
	p=$!
	sleep "0.0$((d / 10))$((d % 10))"
	kill -9 $p 2>/dev/null
	wait $p 2>/dev/null
	# whatever happened, the store must answer
	out=$(nk ps -a --format '{{.Names}} {{.State}}' 2>&1) || bad="$bad ps($i): $out"
	if nk inspect "rk$i" >/dev/null 2>&1; then
		out=$(nk rm -f "rk$i" 2>&1) || bad="$bad rm($i): $out"
	fi
	i=$((i + 1))
done
out=$(nk ps -a -q 2>&1)
expect_status "ps at the end" $? 0 "$out"
[ -z "$bad" ] || t_why "$(oneline "$bad")"
t_end

t_begin "robustness: a reboot (new boot id) then system refresh"
nk_run -d --name rb-always --restart always --rootfs "$ROOTFS" /bin/nook-test sleep inf >/dev/null 2>&1
nk_run -d --name rb-no --rootfs "$ROOTFS" /bin/sh -c 'exit 7' >/dev/null 2>&1
nk wait rb-no >/dev/null 2>&1
wait_logs rb-always '^ready$' 5
# What a reboot leaves: no process, a state file from the previous boot.
old=$(insp rb-always .State.Pid)
nk kill -s KILL rb-always >/dev/null 2>&1
nk wait rb-always >/dev/null 2>&1
for c in rb-always rb-no; do
	f=$(state_file $c)
	sed 's/"bootId":"[^"]*"/"bootId":"00000000-0000-0000-0000-000000000000"/; s/"stoppedByUser":true/"stoppedByUser":false/' "$f" >"$f.new" && mv "$f.new" "$f"
done
out=$(nk system refresh 2>&1)
expect_status "system refresh" $? 0 "$out"
wait_status rb-always '^running$' 10 || t_why "rb-always is $(cstatus rb-always) after refresh"
expect_ne "new pid" "$(insp rb-always .State.Pid)" "$old"
expect_eq "rb-no stays exited" "$(cstatus rb-no)" exited
expect_eq "rb-no keeps its exit code" "$(insp rb-no .State.ExitCode)" 7
t_end

t_begin "robustness: a corrupt state file is an error naming the file"
nk_create --name cs --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1
f=$(state_file cs)
printf '{"state":"runn' >"$f"
out=$(nk inspect cs 2>&1)
expect_status "inspect" $? 125 "$out"
expect_match "names the file" "$out" "state.json"
expect_eq "the file is left as it was" "$(cat "$f")" '{"state":"runn'
printf '{"state":"configured"}' >"$f"
t_end

t_begin "robustness: a full disk under --root gives a clear error and keeps the old state"
if ! command -v mount >/dev/null; then
	skip "robustness: full disk" "optional: no mount command"
else
	small="$T_DIR/small"
	mkdir -p "$small"
	if mount -t tmpfs -o size=64k tmpfs "$small" 2>/dev/null; then
		N2="$NOOK --root $small/root --runroot $T_DIR/run2"
		id=$($N2 create --name fd --rootfs "$ROOTFS" /bin/true 2>&1)
		expect_status "create on the small disk" $? 0 "$id"
		before=$(cat "$small/root/containers/$id/state.json" 2>/dev/null)
		dd if=/dev/zero of="$small/fill" bs=1k count=200 2>/dev/null
		out=$($N2 start fd 2>&1)
		expect_status "start with a full disk" $? 125 "$out"
		expect_imatch "says why" "$out" "no space left"
		expect_eq "old state kept" "$(cat "$small/root/containers/$id/state.json")" "$before"
		rm -f "$small/fill"
		$N2 rm -f fd >/dev/null 2>&1
		umount "$small"
	else
		skip "robustness: full disk" "optional: cannot mount a tmpfs here"
	fi
fi
t_end

exit $T_RC
