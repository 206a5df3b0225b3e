#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Restart policies (applied by cleanup when the container's process exits):
# on-failure:N restarts exactly N times, always brings it back, and neither
# restarts a container that the user stopped or killed.
#
# RestartCount (inspect) counts restarts made by the policy: podman 4.3 does
# not count a manual `restart`, and does not reset it on a manual `start`.
. "$(dirname "$0")/lib.sh"

# count C: RestartCount
count() {
	insp "$1" .RestartCount
}

# count_ge C N: RestartCount >= N
count_ge() {
	_n=$(count "$1")
	[ "${_n:-0}" -ge "$2" ] 2>/dev/null
}

# runs_ge C N: at least N "run" lines in the logs (one per run)
runs_ge() {
	[ "$(nk logs "$1" 2>/dev/null | grep -c '^run$')" -ge "$2" ]
}

# stays_exited C SECONDS: the container is exited now and SECONDS later, and
# its RestartCount did not move.
stays_exited() {
	wait_status "$1" exited 10 || {
		t_why "$1: status '$(cstatus "$1")', want exited"
		return
	}
	_c=$(count "$1")
	sleep "$2"
	expect_eq "$1 status ${2}s later" "$(cstatus "$1")" exited
	expect_eq "$1 RestartCount ${2}s later" "$(count "$1")" "$_c"
}

t_begin "restart: on-failure:3 of a failing container restarts it exactly 3 times"
out=$(nk_run -d --name of3 --restart on-failure:3 --rootfs "$ROOTFS" /bin/sh -c 'echo run; exit 1' 2>&1)
expect_status "run -d" $? 0 "$out"
wait_for 15 count_ge of3 3 ||
	t_why "RestartCount '$(count of3)' after 15 s"
stays_exited of3 2
expect_eq "RestartCount" "$(count of3)" 3
expect_eq "ExitCode" "$(insp of3 .State.ExitCode)" 1
expect_eq "runs (logs)" "$(nk logs of3 2>&1 | grep -c '^run$')" 4
t_end

t_begin "restart: inspect shows the policy"
expect_eq "HostConfig.RestartPolicy" "$(insp of3 '.HostConfig.RestartPolicy.Name + ":" + (.HostConfig.RestartPolicy.MaximumRetryCount | tostring)')" on-failure:3
t_end

t_begin "restart: on-failure does not restart a container that exits 0"
out=$(nk_run -d --name of0 --restart on-failure --rootfs "$ROOTFS" /bin/nook-test exit 0 2>&1)
expect_status "run -d" $? 0 "$out"
stays_exited of0 1.5
expect_eq "RestartCount" "$(count of0)" 0
t_end

t_begin "restart: always brings it back after its process exits"
out=$(nk_run -d --name al --restart always --rootfs "$ROOTFS" /bin/sh -c 'echo run; sleep 1' 2>&1)
expect_status "run -d" $? 0 "$out"
wait_for 10 runs_ge al 2 ||
	t_why "logs: '$(nk logs al 2>&1)'"
c=$(count al)
[ "${c:-0}" -ge 1 ] 2>/dev/null || t_why "RestartCount '$c', want >= 1"
wait_status al running 3 || t_why "status '$(cstatus al)', want running"
t_end

t_begin "restart: always, then stop: not restarted"
if [ "$(cstatus al)" = running ] || wait_status al running 3; then
	out=$(nk stop -t 1 al 2>&1)
	expect_status "stop" $? 0 "$out"
	c=$(count al)
	stays_exited al 2.5
	expect_eq "RestartCount" "$(count al)" "$c"
else
	t_why "not running"
fi
t_end

t_begin "restart: always, then kill: not restarted"
if run_sleeper alk --restart always; then
	out=$(nk kill alk 2>&1)
	expect_status "kill" $? 0 "$out"
	stays_exited alk 2
	expect_eq "RestartCount" "$(count alk)" 0
	expect_eq "ExitCode" "$(insp alk .State.ExitCode)" 137
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "restart: on-failure, then kill: not restarted"
if run_sleeper ofk --restart on-failure; then
	out=$(nk kill ofk 2>&1)
	expect_status "kill" $? 0 "$out"
	stays_exited ofk 2
	expect_eq "RestartCount" "$(count ofk)" 0
else
	t_why "run: $RUN_OUT"
fi
t_end

# nook-specific: kill records "stopped by user" whatever the signal
# (engine/LIFECYCLE.md); podman 4.3 restarts a container that a kill -s
# TERM made exit
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "restart: always, then kill -s TERM: not restarted" "restarts it (RestartCount 1)"
else
	t_begin "restart: always, then kill -s TERM: not restarted"
	if run_sleeper alt --restart always; then
		out=$(nk kill -s TERM alt 2>&1)
		expect_status "kill -s TERM" $? 0 "$out"
		stays_exited alt 2
		expect_eq "RestartCount" "$(count alt)" 0
		expect_eq "ExitCode" "$(insp alt .State.ExitCode)" 143
	else
		t_why "run: $RUN_OUT"
	fi
	t_end
fi

t_begin "restart: a start after stop re-arms the policy"
if [ "$(cstatus al)" = exited ]; then
	c=$(count al)
	out=$(nk start al 2>&1)
	expect_status "start" $? 0 "$out"
	# it exits on its own after 1 s and must come back
	wait_for 10 count_ge al $((c + 1)) ||
		t_why "RestartCount '$(count al)' did not go past $c"
else
	t_why "status '$(cstatus al)', want exited"
fi
t_end

t_begin "restart: a manual restart does not count"
if run_sleeper man; then
	out=$(nk restart man 2>&1)
	expect_status "restart" $? 0 "$out"
	expect_eq "status" "$(cstatus man)" running
	expect_eq "RestartCount" "$(count man)" 0
else
	t_why "run: $RUN_OUT"
fi
t_end

t_begin "restart: unless-stopped brings it back, stop ends it"
out=$(nk_run -d --name us --restart unless-stopped --rootfs "$ROOTFS" /bin/sh -c 'echo run; sleep 1' 2>&1)
expect_status "run -d" $? 0 "$out"
wait_for 10 runs_ge us 2 ||
	t_why "not restarted: logs '$(nk logs us 2>&1)'"
wait_status us running 3
out=$(nk stop -t 1 us 2>&1)
expect_status "stop" $? 0 "$out"
stays_exited us 2
t_end

exit $T_RC
