#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# create / start / state / kill / delete, list, ps, pause / resume, signals
# by name and number, delete --force, --pid-file.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/nook-test sleep 60 || { fail "lifecycle: bundle" "make_bundle failed"; exit; }

t_begin "lifecycle: create, state created with pid and bundle"
new_id
C=$ID
rt create --bundle "$B" --pid-file "$T_DIR/c.pid" "$C" </dev/null >"$T_DIR/c.out" 2>"$T_DIR/c.err"
expect_status "create" $? 0 "$(cat "$T_DIR/c.err")"
st=$(rt state "$C" 2>&1)
expect_status "state" $? 0 "$st"
expect_eq "status" "$(printf '%s' "$st" | jq -r .status)" created
expect_eq "id" "$(printf '%s' "$st" | jq -r .id)" "$C"
expect_eq "bundle" "$(printf '%s' "$st" | jq -r .bundle)" "$B"
pid=$(printf '%s' "$st" | jq -r .pid)
case $pid in
'' | null | 0 | *[!0-9]*) t_why "pid: '$pid'" ;;
*) [ -d "/proc/$pid" ] || t_why "pid $pid: no such process" ;;
esac
expect_eq "--pid-file" "$(cat "$T_DIR/c.pid" 2>/dev/null)" "$pid"
[ -f "$T_ROOT/$C/state.json" ] || t_why "no $T_ROOT/$C/state.json"
grep -q ready "$T_DIR/c.out" && t_why "the process ran before start"
t_end

t_begin "lifecycle: start, state running, process runs"
rt start "$C" 2>"$T_DIR/s.err"
expect_status "start" $? 0 "$(cat "$T_DIR/s.err")"
expect_eq "status" "$(status "$C")" running
expect_eq "pid after start" "$(state_field "$C" pid)" "$pid"
wait_file "$T_DIR/c.out" '^ready$' || t_why "process output: '$(cat "$T_DIR/c.out")'"
t_end

t_begin "lifecycle: start twice fails"
out=$(rt start "$C" 2>&1)
[ $? -ne 0 ] || t_why "second start succeeded"
expect_eq "status" "$(status "$C")" running
t_end

t_begin "lifecycle: list and list -q"
out=$(rt list 2>&1)
expect_status "list" $? 0 "$out"
expect_match "list" "$out" "^$C +$pid +running +$B"
out=$(rt list -q 2>&1)
expect_eq "list -q" "$out" "$C"
out=$(rt list --format json 2>&1)
expect_eq "list json" "$(printf '%s' "$out" | jq -r '.[] | .id + " " + .status')" "$C running"
t_end

t_begin "lifecycle: ps lists the container's process"
out=$(rt ps "$C" 2>&1)
expect_status "ps" $? 0 "$out"
printf '%s\n' "$out" | awk -v p="$pid" '{ for (i = 1; i <= NF; i++) if ($i == p) f = 1 } END { exit !f }' ||
	t_why "ps: no pid $pid in '$(oneline "$out")'"
out=$(rt ps --format json "$C" 2>&1)
expect_eq "ps --format json" "$(printf '%s' "$out" | jq -c .)" "[$pid]"
t_end

t_begin "lifecycle: pause freezes, resume thaws"
cfg "$B" '.process.args = ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /ticks; usleep 10000; done"]'
new_id
P=$ID
if start_bg "$B" "$P" && wait_file "$B/rootfs/ticks" '^[0-9]+$'; then
	out=$(rt pause "$P" 2>&1)
	expect_status "pause" $? 0 "$out"
	expect_eq "status" "$(status "$P")" paused
	t1=$(cat "$B/rootfs/ticks")
	sleep 0.3
	t2=$(cat "$B/rootfs/ticks")
	expect_eq "ticks while paused" "$t2" "$t1"
	out=$(rt resume "$P" 2>&1)
	expect_status "resume" $? 0 "$out"
	expect_eq "status" "$(status "$P")" running
	sleep 0.3
	t3=$(cat "$B/rootfs/ticks")
	expect_ne "ticks after resume" "$t3" "$t2"
	rt delete --force "$P" >/dev/null 2>&1
else
	t_why "container did not start: $(cat "$T_DIR/$P.err")"
fi
t_end

t_begin "lifecycle: kill KILL, state stopped, delete"
rt kill "$C" KILL
expect_status "kill" $? 0
wait_status "$C" stopped || t_why "status '$(status "$C")', want stopped"
out=$(rt delete "$C" 2>&1)
expect_status "delete" $? 0 "$out"
rt state "$C" >/dev/null 2>&1 && t_why "state still answers after delete"
[ -e "$T_ROOT/$C" ] && t_why "$T_ROOT/$C left"
t_end

t_begin "lifecycle: a process that exits leaves the container stopped"
cfg "$B" '.process.args = ["/bin/nook-test", "echo", "done"]'
new_id
rt create --bundle "$B" "$ID" </dev/null >"$T_DIR/e.out" 2>&1
expect_status "create" $? 0 "$(cat "$T_DIR/e.out")"
rt start "$ID"
wait_status "$ID" stopped || t_why "status '$(status "$ID")', want stopped"
expect_eq "output" "$(cat "$T_DIR/e.out")" "done"
rt delete "$ID" || t_why "delete failed"
t_end

# Signals by name, SIG-name and number; a handler in the payload makes TERM
# observable (an init without a handler ignores it).
cfg "$B" '.process.args = ["/bin/nook-test", "sleep", "60"]'
for sig in TERM SIGTERM 15 KILL SIGKILL 9 USR1; do
	t_begin "lifecycle: kill ID $sig"
	new_id
	if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
		out=$(rt kill "$ID" "$sig" 2>&1)
		expect_status "kill $sig" $? 0 "$out"
		wait_status "$ID" stopped || t_why "status '$(status "$ID")' after kill $sig"
		case $sig in
		*TERM | 15) expect_match "handler" "$(cat "$T_DIR/$ID.out")" "^signal 15$" ;;
		USR1) expect_match "handler" "$(cat "$T_DIR/$ID.out")" "^signal 10$" ;;
		esac
		rt delete "$ID" >/dev/null 2>&1 || t_why "delete after kill $sig failed"
	else
		t_why "container did not start: $(cat "$T_DIR/$ID.err")"
	fi
	t_end
done

t_begin "lifecycle: kill with an unknown signal fails"
new_id
if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
	out=$(rt kill "$ID" NOSUCHSIG 2>&1)
	[ $? -ne 0 ] || t_why "kill NOSUCHSIG succeeded"
	expect_eq "status" "$(status "$ID")" running
else
	t_why "container did not start: $(cat "$T_DIR/$ID.err")"
fi
t_end

t_begin "lifecycle: delete --force of a running container"
pid=$(state_field "$ID" pid)
out=$(rt delete --force "$ID" 2>&1)
expect_status "delete --force" $? 0 "$out"
rt state "$ID" >/dev/null 2>&1 && t_why "state still answers"
[ -e "$T_ROOT/$ID" ] && t_why "$T_ROOT/$ID left"
if [ -n "$pid" ] && [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
	t_why "process $pid still alive"
fi
t_end

t_begin "lifecycle: delete --force of a deleted id succeeds quietly"
out=$(rt delete --force "$ID" 2>&1)
expect_status "delete --force" $? 0 "$out"
expect_eq "output" "$out" ""
t_end

t_begin "lifecycle: delete (no --force) of a running container fails"
new_id
if start_bg "$B" "$ID"; then
	out=$(rt delete "$ID" 2>&1)
	[ $? -ne 0 ] || t_why "delete of a running container succeeded"
	expect_eq "status" "$(status "$ID")" running
else
	t_why "container did not start: $(cat "$T_DIR/$ID.err")"
fi
t_end

t_begin "lifecycle: state of an unknown id fails"
out=$(rt state nt-no-such-container-$$ 2>&1)
[ $? -ne 0 ] || t_why "state succeeded"
expect_match "error names the id" "$out" "nt-no-such-container-$$"
# containerd matches this text
expect_match "error wording" "$out" "does not exist"
t_end

t_begin "lifecycle: create with an id in use fails"
new_id
if rt create --bundle "$B" "$ID" </dev/null >/dev/null 2>&1; then
	out=$(rt create --bundle "$B" "$ID" </dev/null 2>&1)
	[ $? -ne 0 ] || t_why "second create succeeded"
	expect_eq "status" "$(status "$ID")" created
else
	t_why "first create failed"
fi
t_end
