#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest side of the three-boot test (board/vm/boot-test.sh), busybox ash.
# Which boot this is comes from nookboot=N on the kernel command line; the
# data disk (ext4, /dev/vda) is mounted on /var/lib/nook by rcS, and
# S60nook start (`nook system refresh`) has run before this.
#
#   /boot-test/test.sh        (inittab "once") this boot's checks
#   /etc/init.d/S99boottest stop   (a link here) first of the shutdown: the
#                             time stop begins
#   /etc/init.d/S05boottest stop   (a link here) last of the shutdown, after
#                             S60nook stop: every container stopped, each
#                             within its stop timeout; then NOOK-BOOT-DONE N
#
# Boot 1: `nook system check` finds everything; creates db (a TERM-deaf
#   sleeper, --stop-timeout 2), web (--restart always, --requires db) and
#   job (--restart no, exits 7); checks they run / exited; poweroff.
# Boot 2 (after the clean shutdown): a new boot id in every state.json;
#   web and its dependency db run again, job is exited with code 7; creates
#   flap (--restart always, exits every 0.3 s: state files are being
#   rewritten all the time), then prints NOOK-BOOT-KILL-ME and waits for
#   the host to kill qemu.
# Boot 3 (after the hard power-off): ps -a and inspect work for every
#   container, web and db run, job is still exited 7; poweroff.
# Result lines: "ok - vm: bootN: ..." / "not ok - vm: bootN: ...".

PATH=/usr/bin:/nook:/bin:/sbin
export PATH
ROOTFS=/rootfs
STORE=/var/lib/nook
MARK=$STORE/boot-test # survives the reboots, with the containers
N=$(sed -n 's/.*nookboot=\([0-9]*\).*/\1/p' /proc/cmdline)
B="boot: ${N:-?}"

ok() {
	echo "ok - vm: $B: $*"
}
nok() {
	echo "not ok - vm: $B: $*"
}

# "STATUS EXITCODE" of a container, or the error.
st() {
	nook inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>&1 | tr '\n' ' ' |
		sed 's/ $//'
}

# expect_st NAME PATTERN SECS DESC: st NAME matches the case PATTERN within
# SECS seconds.
expect_st() {
	_i=0
	while :; do
		_s=$(st "$1")
		# shellcheck disable=SC2254
		case $_s in
		$2)
			ok "$4"
			return 0
			;;
		esac
		if [ $_i -ge $(($3 * 5)) ]; then
			nok "$4: $1 is '$_s'"
			return 1
		fi
		sleep 0.2
		_i=$((_i + 1))
	done
}

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# Every container's state.json carries this boot's id (refresh wrote it).
check_boot_ids() {
	_now=$(cat /proc/sys/kernel/random/boot_id)
	_bad=
	_n=0
	for _id in $(nook ps -a -q --no-trunc); do
		_b=$(sed -n 's/.*"bootId":[[:space:]]*"\([^"]*\)".*/\1/p' \
			"$STORE/containers/$_id/state.json")
		[ "$_b" = "$_now" ] || _bad="$_bad ${_id%"${_id#????????????}"}=${_b:-none}"
		_n=$((_n + 1))
	done
	if [ -z "$_bad" ] && [ $_n -gt 0 ]; then
		ok "refresh wrote the new boot id into all $_n state.json"
	else
		nok "state.json boot ids: want $_now, got$_bad ($_n containers)"
	fi
	# one refresh event per container in this boot's event log
	_e=$(nook events --stream=false --filter event=refresh 2>&1)
	if [ "$(printf '%s\n' "$_e" | grep -c refresh)" = $_n ]; then
		ok "refresh logged one refresh event per container"
	else
		nok "refresh events: want $_n, got: $(printf '%s\n' "$_e" | tr '\n' ' ' | head -c 300)"
	fi
}

boot1() {
	mkdir -p "$MARK"
	cat /proc/sys/kernel/random/boot_id >"$MARK/boot1.id"

	# nook system check: in this VM every feature is there.
	out=$(nook system check 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/vm: check: /'
	missing=$(printf '%s\n' "$out" | awk '!/^#/ && $2 != "yes" { printf " %s", $1 }')
	if [ $rc = 0 ] && [ -z "$missing" ]; then
		ok "system check: exit 0, every feature found"
	else
		nok "system check: exit $rc, not found:$missing"
	fi
	if nook system check --format json | grep -q '"ok":[[:space:]]*true'; then
		ok "system check --format json says ok"
	else
		nok "system check --format json: $(nook system check --format json 2>&1 | head -c 300)"
	fi

	# busybox sleep as a pid namespace's init ignores TERM: stopping db
	# takes its full 2 s timeout, then KILL.
	out=$(nook run -d --name db --network none --stop-timeout 2 --rootfs "$ROOTFS" /bin/sleep 100000 2>&1) ||
		nok "run db: $out"
	out=$(nook run -d --name web --network none --restart always --requires db --rootfs "$ROOTFS" \
		/bin/nook-test sleep inf 2>&1) || nok "run web: $out"
	out=$(nook run -d --name job --network none --restart no --rootfs "$ROOTFS" /bin/nook-test exit 7 2>&1) ||
		nok "run job: $out"
	expect_st db 'running *' 10 "db (the dependency) runs"
	expect_st web 'running *' 10 "web (--restart always, --requires db) runs"
	expect_st job 'exited 7' 10 "job (--restart no) exited with code 7"
	echo "vm: $B: checks done after $(uptime_s) s; poweroff"
	poweroff
}

boot2() {
	b1=$(cat "$MARK/boot1.id" 2>/dev/null)
	now=$(cat /proc/sys/kernel/random/boot_id)
	if [ -n "$b1" ] && [ "$b1" != "$now" ]; then
		echo "vm: $B: boot id $now, boot 1's $b1"
		ok "a new boot id"
	else
		nok "boot id: boot 1 had '$b1', now '$now'"
	fi
	check_boot_ids
	expect_st web 'running *' 10 "web (--restart always) is back after the clean shutdown"
	expect_st db 'running *' 10 "db (web's dependency) is back with it"
	expect_st job 'exited 7' 1 "job (--restart no) stays exited, exit code 7 kept"

	# A hard power-off while state files are being rewritten.
	out=$(nook run -d --name flap --network none --restart always --rootfs "$ROOTFS" \
		/bin/sh -c 'sleep 0.3; exit 3' 2>&1) || nok "run flap: $out"
	i=0
	while [ "$(nook inspect --format '{{.RestartCount}}' flap 2>/dev/null)" -lt 2 ] 2>/dev/null &&
		[ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "vm: $B: flap restarted $(nook inspect --format '{{.RestartCount}}' flap) times"
	echo "vm: $B: checks done after $(uptime_s) s; waiting to be killed"
	echo NOOK-BOOT-KILL-ME
	sleep 600
}

boot3() {
	if out=$(nook ps -a --format '{{.Names}} {{.Status}}' 2>&1); then
		n=$(printf '%s\n' "$out" | grep -c .)
		printf '%s\n' "$out" | sed "s/^/vm: $B: ps: /"
		if [ "$n" = 4 ]; then
			ok "ps -a works after the hard power-off, 4 containers"
		else
			nok "ps -a lists $n containers, want 4 (db web job flap)"
		fi
	else
		nok "ps -a after the hard power-off: $out"
	fi
	bad=
	for id in $(nook ps -a -q --no-trunc); do
		nook inspect "$id" >/dev/null 2>&1 || bad="$bad $id"
	done
	if [ -z "$bad" ]; then
		ok "inspect works for every container"
	else
		nok "inspect fails for:$bad"
	fi
	check_boot_ids
	expect_st web 'running *' 10 "web (--restart always) runs again after the hard power-off"
	expect_st db 'running *' 10 "db (web's dependency) runs again"
	expect_st job 'exited 7' 1 "job stays exited with code 7"
	# flap, between two restarts when S60nook lists the containers,
	# would be missed by its stop: not what this shutdown checks.
	out=$(nook rm -f flap 2>&1) || nok "rm -f flap: $out"
	echo "vm: $B: checks done after $(uptime_s) s; poweroff"
	poweroff
}

# The shutdown hooks (rcK runs S99 first, S05 last).
shutdown_begin() {
	uptime_s >/run/boottest.t0
}

shutdown_end() {
	t0=$(cat /run/boottest.t0 2>/dev/null)
	t1=$(uptime_s)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "vm: $B: shutdown: containers stopped in $took s"
	# web stops on TERM (143); db ignores it and is killed after its
	# 2 s (137); job had exited already.
	expect_st web 'exited 143' 1 "shutdown: web stopped by TERM (exit 143)"
	expect_st db 'exited 137' 1 "shutdown: db killed after its 2 s stop timeout (exit 137)"
	expect_st job 'exited 7' 1 "shutdown: job still exited 7"
	# at least db's 2 s (it was not killed early), well under the sum of
	# the timeouts (web 10 s + db 2 s)
	if awk -v t="$took" 'BEGIN { exit !(t >= 2 && t < 12) }'; then
		ok "shutdown: S60nook stop took $took s: within the stop timeouts"
	else
		nok "shutdown: S60nook stop took $took s, want 2 to 12"
	fi
	echo "NOOK-BOOT-DONE $N"
}

case ${0##*/}:${1:-} in
S99boottest:stop) shutdown_begin ;;
S05boottest:stop) shutdown_end ;;
S??boottest:*) ;;
*)
	echo "vm: $B: kernel $(uname -r), up $(uptime_s) s, store on $(awk '$2 == "/var/lib/nook" { print $1, $3 }' /proc/mounts)"
	case $N in
	1) boot1 ;;
	2) boot2 ;;
	3) boot3 ;;
	*) nok "no nookboot=N on the kernel command line" ;;
	esac
	;;
esac
