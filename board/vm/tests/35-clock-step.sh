#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Waits keep their length when the wall clock jumps.  A router without a
# hardware clock boots in 1970 (or at its firmware's build date) and NTP
# steps CLOCK_REALTIME by years a little later; a deadline on that clock
# either expires at once (a step forward: `stop -t` kills without the
# grace period) or never (a step back: `stop` hangs).  Here the VM's own
# clock is stepped while `nook stop -t 3` waits on a container that
# ignores SIGTERM; the grace period must last its 3 s either way.  The
# clock is put back afterwards from /proc/uptime.  With deadlines on
# CLOCK_REALTIME the step back hangs the stop until the test's 60 s kill;
# the step forward passes there too (the poll's timeout was computed
# before the step), so it is a control of the other direction.
# Results: ok/not ok - vm: clock: NAME.

NOOK=${NOOK:-/nook/nook}
ROOTFS=${ROOTFS:-/rootfs}
W=/tmp/vmclock
T=clock
. /tests/lib.inc

rm -rf "$W"
mkdir -p "$W"
nk() {
	timeout -s KILL 60 "$NOOK" --root "$W/root" --runroot "$W/run" "$@"
}
read -r up0 _ </proc/uptime
wall0=$(date +%s)
restore_clock() {
	read -r up _ </proc/uptime
	date -s "@$((wall0 + ${up%.*} - ${up0%.*}))" >/dev/null 2>&1
}
cleanup() {
	restore_clock
	for c in $(nk ps -aq 2>/dev/null); do
		nk rm -f "$c" >/dev/null 2>&1
	done
}
trap cleanup EXIT

# step_during_stop NAME WHEN: `stop -t 3` of a TERM-ignoring container while
# the wall clock is set to WHEN (a date -s argument) one second in; prints
# how long the stop took in ms, or why it failed.
step_during_stop() {
	if ! out=$(nk run -d --name "$1" --network none --rootfs "$ROOTFS" \
		sh -c 'trap "" TERM; echo up; while :; do sleep 1; done' 2>&1); then
		echo "run: $out"
		return 1
	fi
	i=0
	until [ "$(nk logs "$1" 2>/dev/null)" = up ] || [ $i -ge 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t0=$(now_ms)
	nk stop -t 3 "$1" >"$W/stop.out" 2>&1 &
	spid=$!
	sleep 1
	date -s "$2" >/dev/null 2>&1 || echo "date -s $2 failed"
	wait $spid
	src=$?
	t1=$(now_ms)
	restore_clock
	[ $src -eq 0 ] || echo "stop exited $src: $(cat "$W/stop.out")"
	echo $((t1 - t0))
}

for step in back:2000-01-01 forward:2040-01-01; do
	name=${step%%:*}
	begin "stop -t 3 lasts its grace period when the clock steps $name by years"
	out=$(step_during_stop "clk-$name" "${step#*:} 00:00:00")
	ms=$(echo "$out" | tail -n 1)
	case $ms in
	'' | *[!0-9]*) why "$out" ;;
	*)
		[ "$(echo "$out" | wc -l)" -eq 1 ] || why "$(echo "$out" | sed '$d')"
		[ "$ms" -ge 2800 ] || why "the stop took $ms ms: the grace period was cut short"
		[ "$ms" -le 8000 ] || why "the stop took $ms ms: the wait outlived its deadline"
		;;
	esac
	st=$(nk inspect --format '{{.State.Status}} {{.State.ExitCode}}' "clk-$name" 2>&1)
	expect_eq "state after the stop" "$st" "exited 137"
	end
done
