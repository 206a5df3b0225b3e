#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# events: one line per operation, in order, with the container's id and
# name; --since/--until, --filter event=/container=, --format json, and
# following the log as it grows.
#
# The JSON keys differ: podman writes {"ID","Name","Status","Time",
# "Type":"container"}, nook's engine/events.h {"id","name","status","time",
# "type":"container"}; both are read (EV_* in lib.sh).
#
# A relative --until counts forward in podman ("--until 1s" follows the log
# for one more second); engine/events.h counts it back from now.  The
# listings below first wait 1.1 s so that either way they hold everything,
# and one check asks for podman's meaning.
. "$(dirname "$0")/lib.sh"

# evs FILTER-ARGS...: the event statuses (one a line) of a listing
evs() {
	nk events --since 1m --until 1s --format json "$@" 2>"$T_DIR/ev.err" |
		jq -r "$EV_STATUS" 2>>"$T_DIR/ev.err"
}

# in_order LIST WANT...: the words WANT appear in LIST in this order
# (other words may come between)
in_order() {
	_l=$1
	shift
	printf '%s\n' "$_l" | awk -v want="$*" '
		BEGIN { n = split(want, w, " "); i = 1 }
		i <= n && $0 == w[i] { i++ }
		END { exit i <= n }'
}

out=$(nk_run --name ev --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
[ $? = 0 ] || fail "events: setup" "run: $out"
ID=$(cid ev)
nk rm ev >/dev/null 2>&1 || fail "events: setup" "rm failed"
nk_run --name other --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1
sleep 1.1

t_begin "events: run then rm: create, init, start, died, cleanup, remove, in order"
json=$(nk events --since 1m --until 1s --format json --filter container=ev 2>"$T_DIR/ev.err")
expect_status "events" $? 0 "$(cat "$T_DIR/ev.err")"
printf '%s\n' "$json" | jq -e . >/dev/null 2>&1 || t_why "not JSON lines: $(oneline "$json")"
list=$(printf '%s\n' "$json" | jq -r "$EV_STATUS" 2>/dev/null)
in_order "$list" create init start died cleanup remove ||
	t_why "events: '$(printf '%s' "$list" | tr '\n' ' ')'"
for want in create init start died cleanup remove; do
	n=$(printf '%s\n' "$list" | grep -cx "$want")
	[ "$n" = 1 ] || t_why "$n '$want' events"
done
t_end

t_begin "events: each line has the id, the name, a time, type container"
bad=$(printf '%s\n' "$json" | jq -r "select($EV_ID != \"$ID\" or $EV_NAME != \"ev\") | $EV_STATUS" 2>&1)
expect_eq "lines with another id or name" "$bad" ""
types=$(printf '%s\n' "$json" | jq -r '.Type // .type' 2>&1 | sort -u)
expect_eq "types" "$types" container
times=$(printf '%s\n' "$json" | jq -r '.Time // .time' 2>&1)
expect_nomatch "times" "$times" '^(null|)$'
today=$(date -u +%Y-%m-%d)
printf '%s\n' "$times" | grep -q "^$today" || printf '%s\n' "$times" | grep -q "^$(date +%Y-%m-%d)" ||
	t_why "times are not of today: $(oneline "$times")"
sorted=$(printf '%s\n' "$times" | sort)
expect_eq "times in order" "$sorted" "$times"
t_end

t_begin "events: --filter event=start"
out=$(evs --filter event=start)
expect_eq "statuses" "$(printf '%s\n' "$out" | sort -u)" start
expect_eq "lines (two containers)" "$(printf '%s\n' "$out" | grep -c .)" 2
t_end

t_begin "events: --filter container=NAME and container=ID"
out=$(nk events --since 1m --until 1s --format json --filter container=other 2>&1 | jq -r "$EV_NAME" 2>&1 | sort -u)
expect_eq "names (container=other)" "$out" other
out=$(nk events --since 1m --until 1s --format json --filter container="$ID" 2>&1 | jq -r "$EV_NAME" 2>&1 | sort -u)
expect_eq "names (container=ID)" "$out" ev
t_end

t_begin "events: --filter container= and event= together"
out=$(evs --filter container=other --filter event=died)
expect_eq "statuses" "$out" died
t_end

t_begin "events: the other operations have their events"
if run_sleeper ops; then
	nk pause ops >/dev/null 2>&1
	nk unpause ops >/dev/null 2>&1
	nk exec ops /bin/nook-test true >/dev/null 2>&1
	nk kill ops >/dev/null 2>&1
	wait_status ops exited 5
	sleep 1.1
	list=$(evs --filter container=ops)
	in_order "$list" create init start pause unpause kill died ||
		t_why "events: '$(printf '%s' "$list" | tr '\n' ' ')'"
	printf '%s\n' "$list" | grep -qx exec || t_why "no exec event: '$(printf '%s' "$list" | tr '\n' ' ')'"
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "events: --filter container= of an unknown name gives nothing"
out=$(nk events --since 1m --until 1s --format json --filter container=no-such-ctr 2>&1)
expect_status "events" $? 0 "$out"
expect_eq "events" "$out" ""
t_end

t_begin "events: the text format names the event and the container"
out=$(nk events --since 1m --until 1s --filter container=other --filter event=start 2>&1)
expect_status "events" $? 0 "$out"
expect_match "line" "$out" "container start [0-9a-f]{12,64} .*name=other"
t_end

t_begin "events: following the log (inotify) sees a new container"
nk events --format json --filter container=late >"$T_DIR/follow" 2>&1 &
fpid=$!
track_pid $fpid
sleep 1
nk_run --rm --name late --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1
if wait_for 5 grep -q '"remove"' "$T_DIR/follow"; then
	list=$(jq -r "$EV_STATUS" "$T_DIR/follow" 2>&1)
	in_order "$list" create start died remove ||
		t_why "events: '$(printf '%s' "$list" | tr '\n' ' ')'"
else
	t_why "no remove event within 5 s: $(oneline "$(cat "$T_DIR/follow")")"
fi
kill -0 $fpid 2>/dev/null || t_why "events (following) exited"
kill_tree $fpid
t_end

# podman: a relative --until counts forward from now and the listing
# follows the log until then
t_begin "events: --until 3s follows the log for 3 s (podman's meaning)"
t0=$(now_ms)
nk events --since 1s --until 3s --format json --filter container=during >"$T_DIR/during" 2>&1 &
upid=$!
track_pid $upid
sleep 1
nk_run --rm --name during --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1
wait $upid
t1=$(now_ms)
[ $((t1 - t0)) -ge 2500 ] && [ $((t1 - t0)) -lt 6000 ] || t_why "it took $((t1 - t0)) ms"
list=$(jq -r "$EV_STATUS" "$T_DIR/during" 2>&1)
in_order "$list" create start died remove ||
	t_why "events: '$(printf '%s' "$list" | tr '\n' ' ')'"
t_end

exit $T_RC
