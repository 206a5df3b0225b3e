#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The CRIU floor: checkpoint/restore with the criu program alone, no nook,
# in the VM (Debian's criu 3.17 works with its 6.1 kernel, not with the
# dev hosts' 6.18).  `criu check`; then a "container" made by hand: a
# counter in new pid, mount, uts, ipc and net namespaces, its mount
# namespace pivot_root'ed into a copy of /rootfs with /proc and a tmpfs on
# /tmp, its init a session leader, its stdio pipes.  Dumped (gone after
# the dump) and restored (counts on from where it was, its stdout into a
# new pipe, its tmpfs's file back) ROUNDS times twice: with its network
# namespace external as nook does it, and with criu saving it; then dumped
# with --leave-running (counts on) and restored from those images.
# Prints "# vm bench: criu dump N ms, criu restore N ms (...)" (medians) to
# compare `nook checkpoint/restore` (41-checkpoint.sh) with.
# Results: ok/not ok - vm: criu: NAME (TAP; skips: ok - ... # SKIP WHY).
#
# What criu 3.17 needed here (the command lines are in dump() and
# restore() below):
#  - the programs run.sh stages with it: GNU tar and gzip (tmpfs contents),
#    `ip` of iproute2 (busybox's lacks `ip addr save`) and
#    iptables-save/-restore, ip6tables-save/-restore (xtables-nft-multi)
#    when it dumps a network namespace itself; the sock-diag modules,
#    nf_tables (crc32c_generic loaded before it), nf_conntrack_netlink.
#    /usr/sbin first in PATH: criu runs them by name.
#  - No file of the old root may stay mapped: busybox runs its applets
#    (exec setsid, exec sh) as /proc/self/exe, the busybox of the old root,
#    which the dump cannot reach ("Can't lookup mount=N for fd=-3
#    path=/bin/busybox"): exec the new root's /bin/busybox by its path.
#  - The tree's init must be a session leader (setsid inside the new pid
#    namespace, as its pid 1), or the dump wants --shell-job.
#  - Its fds must all be reachable from its mount namespace: the host's
#    /dev/null or a log file of the host fails the dump ("Can't lookup
#    mount").  Pipes are fine: the dump records them as pipe:[INODE] (also
#    readable as /proc/PID/fd/N beforehand), and the restore gets new ones
#    with --inherit-fd fd[N]:pipe:[INODE], N an fd of criu's (7, 8 here).
#  - The pivoted root is a bind mount (of a directory of /tmp's tmpfs):
#    the dump needs nothing declared for it, the restore needs --root DIR
#    (the same directory, or a copy); /proc is mounted again by criu.
#    Other bind mounts from outside need --ext-mount-map DEST:DEST at the
#    dump and --ext-mount-map DEST:SOURCE at the restore (not needed here).
#  - A network namespace nook owns is declared external: dump with
#    --external net[INODE]:KEY (INODE of /proc/PID/ns/net), restore with
#    --inherit-fd fd[N]:KEY and fd N open on the namespace (a bind mount of
#    /proc/PID/ns/net kept across the dump).  Then criu saves no interfaces
#    and runs no ip/iptables.
#  - A tmpfs in the tree's mount namespace (nook's /dev, /tmp) is saved and
#    restored by running `tar` with GNU tar's options (busybox tar refuses
#    them: "Can't dump tmpfs content"), and tar runs gzip.
#  - --manage-cgroups=ignore: the restored tree stays in criu's cgroup.
#  - --network-lock=nftables works (nf_tables module).  The default
#    iptables lock fails here: iptables-restore "Couldn't load match
#    `mark'" (the xtables extensions, libxt_mark.so, are not staged).
#  - For a network namespace it dumps itself, criu 3.17 runs `ip addr save`,
#    `ip route save`, `ip -6 route save`, `ip rule save`, and
#    `iptables-save -V`: with the nft backend it skips iptables ("no legacy
#    version present") and saves the nft ruleset through libnftables.
#  - --restore-detached: criu exits once the tree runs; with --pidfile FILE
#    it says the restored init's pid (the pid in the VM's namespace).

W=/tmp/vmcriu
ROOTFS=${ROOTFS:-/rootfs}
PATH=/usr/sbin:$PATH
export PATH
ROUNDS=3
set -f # criu's arguments hold brackets: fd[7], net[INODE]

T=criu
. /tests/lib.inc
# The first error lines of a criu log, for a "not ok" line.
log_err() {
	grep -m 3 'Error' "$1" 2>/dev/null | tr '\n' ' ' | cut -c1-300
}

if ! command -v criu >/dev/null 2>&1; then
	echo "ok - vm: criu: all # SKIP criu not installed on the host (apt-get install criu)"
	exit 0
fi

begin "criu check passes"
out=$(criu check 2>&1) || why "criu check: $(echo "$out" | tail -n 5)"
end
[ -n "$WHY" ] && exit 0

rm -rf "$W"
mkdir -p "$W"
PIDS=
NETNS=
cleanup() {
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "$NETNS" ] && umount "$NETNS" 2>/dev/null
}
trap cleanup EXIT

COUNTER='i=0; while :; do i=$((i+1)); echo $i >/count; echo $i; sleep 0.1; done'

# start NAME: the "container" $W/NAME/root (a copy of /rootfs) running the
# counter; its init's pid (in the VM's pid namespace) in $PID.  Its stdin is
# an empty pipe, its stdout and stderr a pipe into $W/NAME/out.
start() {
	d=$W/$1
	mkdir -p "$d"
	cp -a "$ROOTFS" "$d/root"
	cat >"$d/pivot.sh" <<-EOF
		set -e
		mount --make-rprivate /
		mount --bind "$d/root" "$d/root"
		cd "$d/root"
		mkdir -p .old
		pivot_root . .old
		cd /
		mount -t proc proc /proc
		mount -t tmpfs -o size=1m tmpfs /tmp
		echo kept >/tmp/mark
		umount -l /.old
		rmdir /.old
		hostname floor
		ip link set lo up
		exec /bin/busybox setsid /bin/busybox sh -c '$COUNTER'
	EOF
	{ : | sh -c "echo \$\$ >$d/unshare.pid; exec unshare -p -m -u -i -n -f sh $d/pivot.sh" 2>&1 |
		cat >"$d/out"; } &
	PID=
	i=0
	while [ $i -lt 100 ]; do
		u=$(cat "$d/unshare.pid" 2>/dev/null)
		[ -n "$u" ] && PID=$(cat "/proc/$u/task/$u/children" 2>/dev/null | cut -d' ' -f1)
		[ -n "$PID" ] && [ "$(count "$1")" -ge 3 ] 2>/dev/null && break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$PID" ] && PIDS="$PIDS $PID"
}
count() { # NAME
	cat "$W/$1/root/count" 2>/dev/null
}
# wait_count NAME MIN: until the count is >= MIN (10 s); 1 if it never got
# there or went below LOW (a restart from 0) on the way
wait_count() {
	i=0
	while [ $i -lt 100 ]; do
		n=$(count "$1")
		[ -n "$n" ] && [ "$n" -lt "${LOW:-0}" ] 2>/dev/null && return 1
		[ -n "$n" ] && [ "$n" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# dump NAME IMAGES [ARGS...]: criu dump of $PID, its time in $MS.  Records
# the init's stdio (pipe:[INODE]) in IMAGES/stdin and IMAGES/stdout.
dump() {
	d=$W/$1
	img=$2
	shift 2
	mkdir -p "$img"
	readlink "/proc/$PID/fd/0" >"$img/stdin"
	readlink "/proc/$PID/fd/1" >"$img/stdout"
	t0=$(now_ms)
	criu dump -t "$PID" -D "$img" -o dump.log -v4 --manage-cgroups=ignore \
		--network-lock=nftables "$@"
	rc=$?
	MS=$(($(now_ms) - t0))
	[ $rc = 0 ] || why "criu dump: exit $rc: $(log_err "$img/dump.log")"
	return $rc
}

# restore NAME IMAGES [ARGS...]: criu restore into the root $W/NAME/root, in
# the background with new stdio pipes (stdout appended to $W/NAME/out);
# the restored init's pid in $PID, the time in $MS.  With NETNS set, fd 9
# is open on it (for --inherit-fd fd[9]:KEY).
restore() {
	d=$W/$1
	img=$2
	shift 2
	rm -f "$d/restore.rc" "$d/restore.pid"
	{ : | {
		t0=$(now_ms)
		criu restore -D "$img" -o restore.log -v4 --manage-cgroups=ignore \
			--network-lock=nftables --root "$d/root" --restore-detached \
			--pidfile "$d/restore.pid" \
			--inherit-fd "fd[7]:$(cat "$img/stdin")" \
			--inherit-fd "fd[8]:$(cat "$img/stdout")" "$@" \
			7<&0 8>&1 </dev/null >/dev/null 2>&1 9<"${NETNS:-/dev/null}"
		echo "$? $(($(now_ms) - t0))" >"$d/restore.rc"
	} | cat >>"$d/out"; } &
	i=0
	while [ $i -lt 300 ] && [ ! -s "$d/restore.rc" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	read -r rc MS <"$d/restore.rc" 2>/dev/null
	PID=$(cat "$d/restore.pid" 2>/dev/null)
	[ -n "$PID" ] && PIDS="$PIDS $PID"
	[ "$rc" = 0 ] || why "criu restore: exit ${rc:-none in 30 s}: $(log_err "$img/restore.log")"
	[ "$rc" = 0 ]
}

# is_ns_init PID: PID is the init (1) of its own pid namespace and the
# hostname is the container's
is_ns_init() {
	kill -0 "$1" 2>/dev/null || return 1
	ns=$(sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$1/status" | tr -s ' \t' ' ')
	case $ns in *" 1") ;; *) why "NSpid of $1: '$ns'" && return 1 ;; esac
	h=$(nsenter -t "$1" -u hostname 2>&1)
	[ "$h" = floor ] || why "hostname of $1: '$h'"
}

# cycles NAME: start NAME, then ROUNDS times dump it (gone?), restore it
# (the count goes on from where it was, its stdout too).  With EXT=1 its
# network namespace is external, as nook's are: kept by a bind mount,
# declared at the dump, handed back at the restore (--restore-sibling as
# nook does).  The times in $DUMPS and $RESTORES.
cycles() {
	DUMPS=
	RESTORES=
	NETNS=
	start "$1"
	[ -n "$PID" ] && is_ns_init "$PID" ||
		{ why "the counter did not start: $(head -c 300 "$W/$1/out")" && return; }
	dargs=
	rargs=
	if [ "${EXT:-0}" = 1 ]; then
		NETNS=$W/$1/netns
		touch "$NETNS"
		mount --bind "/proc/$PID/ns/net" "$NETNS" || why "keep the netns"
		ino=$(stat -L -c %i "/proc/$PID/ns/net")
		dargs="--external=net[$ino]:extRootNetNS"
		rargs="--restore-sibling --inherit-fd=fd[9]:extRootNetNS"
	fi
	r=0
	while [ -z "$WHY" ] && [ $r -lt "$ROUNDS" ]; do
		r=$((r + 1))
		img=$W/$1/img$r
		old=$PID
		dump "$1" "$img" $dargs || break
		DUMPS="$DUMPS $MS"
		kill -0 "$old" 2>/dev/null && why "round $r: $old still runs after the dump"
		# a dump between `>/count`'s truncation and its write leaves the
		# file empty: the count is then stdout's last line (the counter
		# writes the file first, then stdout)
		c0=$(count "$1")
		sleep 0.3
		[ "$(count "$1")" = "$c0" ] ||
			why "round $r: counting after the dump: '$c0', then $(count "$1")"
		at=${c0:-$(tail -n 1 "$W/$1/out")}
		restore "$1" "$img" $rargs || break
		RESTORES="$RESTORES $MS"
		is_ns_init "$PID" || why "round $r: the restored pid '$PID' is not a namespace's init"
		LOW=$at wait_count "$1" $((at + 3)) ||
			why "round $r: the count does not go on from $at: $(count "$1")"
		m=$(cat "/proc/$PID/root/tmp/mark" 2>&1)
		[ "$m" = kept ] || why "round $r: its tmpfs /tmp/mark: '$m'"
		# what the restored counter wrote to its new stdout pipe
		n=$(tail -n 1 "$W/$1/out")
		[ -n "$n" ] && [ "$n" -gt "$at" ] 2>/dev/null ||
			why "round $r: its stdout ends with '$n', not above $at"
		if [ -n "$NETNS" ]; then
			got=$(stat -L -c %i "/proc/$PID/ns/net")
			[ "$got" = "$ino" ] || why "round $r: restored into netns $got, not $ino"
			grep -q 'Running ip \|iptables-save' "$img/dump.log" &&
				why "round $r: criu ran ip or iptables-save for an external netns"
		fi
	done
	grep -q '^1$' "$W/$1/out" || why "the first count is not in its stdout"
}
bench() { # WHAT
	d=$(echo $DUMPS | tr ' ' '\n' | median)
	r=$(echo $RESTORES | tr ' ' '\n' | median)
	echo "# vm bench: criu dump ${d:-?} ms, criu restore ${r:-?} ms ($1; median of$DUMPS /$RESTORES ms)"
}

# ---- as nook does it: the network namespace external --------------------

begin "external netns (as nook): dump and restore $ROUNDS times, it counts on, its stdout too"
EXT=1 cycles b
end
bench "external netns, as nook"
[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
[ -n "$NETNS" ] && umount "$NETNS" && NETNS=

# ---- criu dumps the network namespace (ip, nftables) --------------------

begin "own netns: dump and restore $ROUNDS times, it counts on, its stdout too"
cycles a
grep -q 'Running ip addr save' "$W/a/img1/dump.log" ||
	why "criu did not run ip addr save for the netns it dumps"
end
bench "criu dumps the netns"

begin "dump --leave-running: it keeps counting; the images restore after a kill"
if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
	old=$PID
	dump a "$W/a/imgR" --leave-running
	kill -0 "$old" 2>/dev/null || why "$old is gone after --leave-running"
	at=$(count a)
	wait_count a $((at + 3)) || why "the count stopped at $at after --leave-running"
	kill -KILL "$old"
	sleep 0.3
	rm -f "$W/a/root/count"
	restore a "$W/a/imgR" && {
		is_ns_init "$PID" || why "the restored pid '$PID' is not a namespace's init"
		LOW=$at wait_count a $((at + 2)) ||
			why "the restored count did not go on from $at: $(count a)"
		kill -KILL "$PID"
	}
else
	why "no counter left from the previous case"
fi
end
