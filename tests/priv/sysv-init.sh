#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# board/sysv/S60nook, the busybox init script (and the helper of the OpenWrt
# and Yocto init), against real containers of the nook engine in a root and
# runroot of this script's own:
#   store (restart no) <- web (always, --requires store) <- probe (--requires
#   web); oneshot (no, paused before stop); keeper (unless-stopped); manual
#   (unless-stopped, stopped by the user first); stubborn and slow ignore
#   SIGTERM (busybox sleep as a pid namespace's init) with stop timeouts 1 and
#   60, stop runs under NOOK_STOP_TIMEOUT=4.
# stop must stop them dependents first (probe, then web, then store), each
# with its own timeout (capped), and start must bring back exactly web, its
# dependency store, and keeper.  The script runs under busybox sh when there
# is one (the shell of its targets), else sh; NOOK_INIT_SHELL overrides.
# The engine is $NOOK, else the binary that NOOK_RUNTIME (nook-runtime, a
# symlink to nook) resolves to.
. "$(dirname "$0")/../lib.sh"

INIT=$T_TOP/board/sysv/S60nook
NOOK=${NOOK:-$(runtime_path)}
case $("$NOOK" version 2>/dev/null) in
"nook version"*) ;;
*)
	skip "sysv-init: all" "needs the nook engine: NOOK=path/to/nook (NOOK_RUNTIME is $RUNTIME)"
	exit 0
	;;
esac
if [ -n "${NOOK_INIT_SHELL:-}" ]; then
	INIT_SH=$NOOK_INIT_SHELL
elif command -v busybox >/dev/null 2>&1; then
	INIT_SH="busybox sh"
else
	INIT_SH="sh"
fi
R=$T_DIR/root
RR=$T_DIR/run
ROOTFS=$T_DIR/rootfs
mkdir "$ROOTFS" && cp -a "$T_ROOTFS/." "$ROOTFS/" || {
	fail "sysv-init: rootfs" "cannot copy $T_ROOTFS"
	exit 1
}

nk() {
	$T_TIMEOUT_CMD "$NOOK" --root "$R" --runroot "$RR" "$@"
}

# insp CONTAINER TEMPLATE
insp() {
	nk inspect --format "$2" "$1" 2>/dev/null
}

# init ACTION [VAR=VALUE...]: the init script with our state, its output in
# $OUT, its status in $?.
init() {
	_a=$1
	shift
	# shellcheck disable=SC2086
	OUT=$(env NOOK="$NOOK" NOOK_ROOT="$R" NOOK_RUNROOT="$RR" NOOK_DEFAULTS=/dev/null "$@" \
		$T_TIMEOUT_CMD $INIT_SH "$INIT" "$_a" 2>&1)
}

# Seconds (with fraction) since midnight of an RFC 3339 UTC time.
tod() {
	printf '%s\n' "$1" | awk -F'[T:Z]' '{ printf "%.3f\n", $2 * 3600 + $3 * 60 + $4 }'
}

# secs_between T1 T2: T2 - T1 in seconds (over midnight too).
secs_between() {
	awk -v a="$(tod "$1")" -v b="$(tod "$2")" 'BEGIN { d = b - a; if (d < -43200) d += 86400; printf "%.3f\n", d }'
}

# ge A B: A >= B (decimals)
ge() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'
}

sysv_cleanup() {
	_ids=$(nk ps -a -q --no-trunc 2>/dev/null)
	if [ -n "$_ids" ]; then
		# shellcheck disable=SC2086
		nk unpause $_ids >/dev/null 2>&1
		# shellcheck disable=SC2086
		nk kill -s KILL $_ids >/dev/null 2>&1
		# shellcheck disable=SC2086
		nk rm -f $_ids >/dev/null 2>&1
		_left=$(nk ps -a -q 2>/dev/null)
		[ -n "$_left" ] && fail "sysv-init: cleanup" "rm -f left containers: $_left"
	fi
	_i=0
	while [ "$_i" -lt 30 ]; do
		_procs=$(procs_mentioning "$T_DIR")
		[ -z "$_procs" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ -n "$_procs" ]; then
		fail "sysv-init: cleanup" "processes left: $(oneline "$_procs")"
		for _p in $_procs; do
			kill -9 "$_p" 2>/dev/null
		done
	fi
}
T_CLEANUP="sysv_cleanup; $T_CLEANUP"

t_begin "sysv-init: syntax (sh -n, busybox sh -n)"
out=$(sh -n "$INIT" 2>&1)
expect_status "sh -n" $? 0 "$out"
if command -v busybox >/dev/null 2>&1; then
	out=$(busybox sh -n "$INIT" 2>&1)
	expect_status "busybox sh -n" $? 0 "$out"
fi
t_end

t_begin "sysv-init: containers for the test"
run() {
	_n=$1
	shift
	_o=$(nk run -d --name "$_n" --network none "$@" 2>&1) || t_why "run $_n: $_o"
}
run store --rootfs "$ROOTFS" /bin/nook-test sleep inf
run web --restart always --requires store --rootfs "$ROOTFS" /bin/nook-test sleep inf
run probe --requires web --rootfs "$ROOTFS" /bin/nook-test sleep inf
run oneshot --rootfs "$ROOTFS" /bin/nook-test sleep inf
run keeper --restart unless-stopped --rootfs "$ROOTFS" /bin/nook-test sleep inf
run manual --restart unless-stopped --rootfs "$ROOTFS" /bin/nook-test sleep inf
run stubborn --stop-timeout 1 --rootfs "$ROOTFS" /bin/sleep 1000
run slow --stop-timeout 60 --rootfs "$ROOTFS" /bin/sleep 1000
ALL="store web probe oneshot keeper manual stubborn slow"
for c in $ALL; do
	expect_eq "$c status" "$(insp "$c" '{{.State.Status}}')" running
done
t_end
[ -n "$T_WHY" ] && exit 1

t_begin "sysv-init: status with every container up: exit 0, lists them"
init status
expect_status "status" $? 0 "$OUT"
for c in $ALL; do
	expect_match "status lists $c" "$OUT" "^$c +running"
done
t_end

t_begin "sysv-init: start when all run changes nothing"
pids=
for c in $ALL; do
	pids="$pids $(insp "$c" '{{.State.Pid}}')"
done
init start
expect_status "start" $? 0 "$OUT"
pids2=
for c in $ALL; do
	pids2="$pids2 $(insp "$c" '{{.State.Pid}}')"
done
expect_eq "pids" "$pids2" "$pids"
t_end

t_begin "sysv-init: stop stops dependents first, each with its own stop timeout"
nk stop manual >/dev/null 2>&1 || t_why "nook stop manual failed"
nk pause oneshot >/dev/null 2>&1 || t_why "nook pause oneshot failed"
t0=$(awk '{ print $1 }' /proc/uptime)
init stop NOOK_STOP_TIMEOUT=4
st=$?
t1=$(awk '{ print $1 }' /proc/uptime)
expect_status "stop" $st 0 "$OUT"
for c in $ALL; do
	expect_eq "$c status" "$(insp "$c" '{{.State.Status}}')" exited
done
for c in probe web store oneshot; do
	eval "fin_$c=\$(insp $c '{{.State.FinishedAt}}')"
done
fin_stubborn=$(insp stubborn '{{.State.FinishedAt}}')
fin_slow=$(insp slow '{{.State.FinishedAt}}')
# shellcheck disable=SC2154
{
	d=$(secs_between "$fin_probe" "$fin_web")
	ge "$d" 0.001 || t_why "web stopped before probe, which requires it (${d}s)"
	d=$(secs_between "$fin_web" "$fin_store")
	ge "$d" 0.001 || t_why "store stopped before web, which requires it (${d}s)"
	# web waited for all of the first round, slow included
	d=$(secs_between "$fin_slow" "$fin_web")
	ge "$d" 0 || t_why "web stopped before the first round ended (${d}s after slow)"
	# oneshot stopped at once (TERM): the others' timeouts count from there
	d=$(secs_between "$fin_oneshot" "$fin_stubborn")
	{ ge "$d" 0.7 && ge 2.5 "$d"; } || t_why "stubborn (stop timeout 1) was killed ${d}s after TERM"
	d=$(secs_between "$fin_oneshot" "$fin_slow")
	{ ge "$d" 3.5 && ge 6.5 "$d"; } || t_why "slow (stop timeout 60, NOOK_STOP_TIMEOUT=4) was killed ${d}s after TERM"
}
expect_eq "stubborn ExitCode (killed)" "$(insp stubborn '{{.State.ExitCode}}')" 137
expect_eq "oneshot ExitCode (TERM after unpause)" "$(insp oneshot '{{.State.ExitCode}}')" 143
ge 10 "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" ||
	t_why "stop took $t0 -> $t1 s of uptime"
expect_eq "init-stopped (the unless-stopped one that stop stopped)" \
	"$(cat "$R/init-stopped" 2>/dev/null)" "$(insp keeper '{{.Id}}')"
t_end

t_begin "sysv-init: status after stop: exit 3, names the containers start brings back"
init status
expect_status "status" $? 3 "$OUT"
expect_match "status" "$OUT" "not running: .*web"
expect_match "status" "$OUT" "not running: .*keeper"
expect_nomatch "status" "$OUT" "not running: .*(manual|probe|store)"
t_end

t_begin "sysv-init: stop with nothing running: exit 0"
init stop
expect_status "stop" $? 0 "$OUT"
t_end

t_begin "sysv-init: start brings back always, its dependency, unless-stopped"
init start
expect_status "start" $? 0 "$OUT"
for c in web store keeper; do
	expect_eq "$c status" "$(insp "$c" '{{.State.Status}}')" running
done
for c in probe oneshot manual stubborn slow; do
	expect_eq "$c status" "$(insp "$c" '{{.State.Status}}')" exited
done
expect_eq "oneshot ExitCode kept" "$(insp oneshot '{{.State.ExitCode}}')" 143
expect_eq "stubborn ExitCode kept" "$(insp stubborn '{{.State.ExitCode}}')" 137
[ -e "$R/init-stopped" ] && t_why "$R/init-stopped is still there"
t_end

t_begin "sysv-init: status after start: exit 0"
init status
expect_status "status" $? 0 "$OUT"
t_end

t_begin "sysv-init: restart stops and starts them again"
p1=$(insp web '{{.State.Pid}}')
init restart
expect_status "restart" $? 0 "$OUT"
for c in web store keeper; do
	expect_eq "$c status" "$(insp "$c" '{{.State.Status}}')" running
done
p2=$(insp web '{{.State.Pid}}')
expect_ne "web pid after restart" "$p2" "$p1"
t_end

t_begin "sysv-init: NOOK_WAIT_MOUNT: start waits, then fails without touching the root"
init start NOOK_WAIT_MOUNT="$T_DIR/not-mounted" NOOK_WAIT_TIMEOUT=1 NOOK_ROOT="$T_DIR/root2"
expect_status "start (not mounted)" $? 1 "$OUT"
expect_match "message" "$OUT" "not mounted"
[ -e "$T_DIR/root2" ] && t_why "start created $T_DIR/root2"
init start NOOK_WAIT_MOUNT=/proc
expect_status "start (/proc is mounted)" $? 0 "$OUT"
t_end

t_begin "sysv-init: stop and status never create a missing root (an unmounted disk)"
init stop NOOK_ROOT="$T_DIR/root3"
expect_status "stop" $? 0 "$OUT"
init status NOOK_ROOT="$T_DIR/root3"
expect_status "status" $? 3 "$OUT"
[ -e "$T_DIR/root3" ] && t_why "$T_DIR/root3 was created"
t_end

t_begin "sysv-init: without the binary: stop 0, start 1, status 4"
init stop NOOK=/nonexistent/nook
expect_status "stop" $? 0 "$OUT"
init start NOOK=/nonexistent/nook
expect_status "start" $? 1 "$OUT"
init status NOOK=/nonexistent/nook
expect_status "status" $? 4 "$OUT"
t_end
