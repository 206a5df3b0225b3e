#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# checkpoint/restore with CRIU, in the VM (Debian's criu works with its
# kernel, not with the dev hosts'): the engine (`nook checkpoint/restore`)
# and the runtime's runc command line.  A counter that keeps counting
# across a checkpoint and a restore (read from the container's log, so the
# restored init's stdout reaches the new monitor), --leave-running, the
# restart policy (not applied at the checkpoint, applied to the restored
# init), and the refusals.  Results: ok/not ok - vm: checkpoint: NAME (TAP; skips: ok - ... # SKIP WHY).

NOOK=${NOOK:-/nook/nook}
RT=${RT:-/nook/nook runtime}
ROOTFS=${ROOTFS:-/rootfs}
W=/tmp/vmck
PATH=/usr/sbin:$PATH
export PATH

T=checkpoint
. /tests/lib.inc

if ! command -v criu >/dev/null 2>&1; then
	echo "ok - vm: checkpoint: all # SKIP criu not installed on the host (apt-get install criu)"
	exit 0
fi
if ! out=$(criu check 2>&1); then
	echo "not ok - vm: checkpoint: all: criu check fails in the VM: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	exit 0
fi

rm -rf "$W"
mkdir -p "$W"
nk() {
	timeout -s KILL 60 "$NOOK" --root "$W/root" --runroot "$W/run" "$@"
}
cleanup() {
	for c in $(nk ps -aq 2>/dev/null); do
		nk rm -f "$c" >/dev/null 2>&1
	done
}
trap cleanup EXIT
insp() { # CTR FIELD: a scalar of inspect's State
	nk inspect "$1" 2>/dev/null | tr -d '\n\t ' | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}
last_count() {
	nk logs "$1" 2>/dev/null | tail -n 1
}
# wait_count CTR MIN: until the log's last line is a number >= MIN (10 s)
wait_count() {
	i=0
	while [ $i -lt 100 ]; do
		n=$(last_count "$1")
		[ -n "$n" ] && [ "$n" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
COUNTER='i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done'

# ---- the engine --------------------------------------------------------

begin "engine: a counter keeps counting across checkpoint and restore"
cp -a "$ROOTFS" "$W/rootfs1"
out=$(nk run -d --name c1 --network none --rootfs "$W/rootfs1" sh -c "$COUNTER" 2>&1) || why "run: $out"
wait_count c1 3 || why "the counter did not count: $(last_count c1)"
pid1=$(insp c1 Pid)
t0=$(now_ms)
out=$(nk checkpoint c1 2>&1) || {
	why "checkpoint: $out"
	grep -h -B3 -A3 'Error' "$W"/root/containers/*/criu/dump.log | head -n 40 | sed 's/^/# /'
}
t1=$(now_ms)
expect_eq "checkpoint output" "$out" c1
expect_eq "status after checkpoint" "$(insp c1 Status)" exited
expect_eq "Checkpointed" "$(insp c1 Checkpointed)" true
kill -0 "$pid1" 2>/dev/null && why "the init $pid1 still runs after the checkpoint"
at=$(last_count c1)
sleep 1
expect_eq "no counting while checkpointed" "$(last_count c1)" "$at"
t2=$(now_ms)
out=$(nk restore c1 2>&1) || why "restore: $out"
t3=$(now_ms)
expect_eq "restore output" "$out" c1
expect_eq "status after restore" "$(insp c1 Status)" running
expect_eq "Restored" "$(insp c1 Restored)" true
wait_count c1 $((at + 3)) || why "the restored counter does not count on from $at: $(nk logs c1 2>&1 | tail -n 3 | tr '\n' ' ')"
first=$(nk logs c1 2>/dev/null | sed -n "$((at + 1))p")
expect_eq "the line after the checkpoint" "$first" $((at + 1))
pid2=$(insp c1 Pid)
[ -n "$pid2" ] && [ "$pid2" != 0 ] && kill -0 "$pid2" 2>/dev/null || why "restored pid '$pid2' not alive"
[ -d "$W/root/containers/$(nk inspect --format '{{.Id}}' c1 2>/dev/null)/checkpoint" ] &&
	why "the images are still there after a restore without --keep"
out=$(nk stop -t 1 c1 2>&1) || why "stop: $out"
expect_eq "status after stop" "$(insp c1 Status)" exited
ev=$(nk events --since 10m --until 1s --filter container=c1 --format json 2>/dev/null | tr '\n' ' ')
case $ev in *checkpoint*restore*) ;; *) why "events: $ev" ;; esac
end
echo "# vm bench: nook checkpoint $((t1 - t0)) ms, nook restore $((t3 - t2)) ms"

begin "engine: --leave-running, then restore from the kept images"
cp -a "$ROOTFS" "$W/rootfs2"
out=$(nk run -d --name c2 --network none --rootfs "$W/rootfs2" sh -c "$COUNTER" 2>&1) || why "run: $out"
wait_count c2 2 || why "the counter did not count"
pid=$(insp c2 Pid)
out=$(nk checkpoint --leave-running c2 2>&1) || why "checkpoint -R: $out"
expect_eq "status after checkpoint -R" "$(insp c2 Status)" running
expect_eq "pid after checkpoint -R" "$(insp c2 Pid)" "$pid"
at=$(last_count c2)
wait_count c2 $((at + 2)) || why "it stopped counting after checkpoint -R"
out=$(nk restore c2 2>&1)
[ $? = 125 ] || why "restore of a running container: exit $?: $out"
nk stop -t 1 c2 >/dev/null 2>&1
out=$(nk restore c2 2>&1)
[ $? = 125 ] && case $out in *"has no checkpoint"*) ;; *) why "restore after stop: $out" ;; esac
end

begin "engine: the restart policy is not applied at the checkpoint, it is to the restored init"
cp -a "$ROOTFS" "$W/rootfs3"
out=$(nk run -d --name c3 --restart always --network none --rootfs "$W/rootfs3" sh -c "$COUNTER" 2>&1) || why "run: $out"
wait_count c3 2 || why "the counter did not count"
out=$(nk checkpoint c3 2>&1) || why "checkpoint: $out"
sleep 1
expect_eq "status 1 s after checkpoint" "$(insp c3 Status)" exited
expect_eq "restarts after checkpoint" "$(nk inspect --format '{{.RestartCount}}' c3 2>&1)" 0
out=$(nk restore c3 2>&1) || why "restore: $out"
pid=$(insp c3 Pid)
kill -9 "$pid" 2>/dev/null || why "kill $pid"
i=0
while [ $i -lt 50 ] && [ "$(nk inspect --format '{{.RestartCount}}' c3 2>&1)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
expect_eq "restarts after the restored init was killed" "$(nk inspect --format '{{.RestartCount}}' c3 2>&1)" 1
expect_eq "status after restart" "$(insp c3 Status)" running
end

begin "engine: --print-stats, attach after restore"
out=$(nk start c1 2>&1)
# (c1 was stopped: start it, checkpoint it, restore it, attach)
wait_count c1 1 || why "c1 did not start: $out"
out=$(nk checkpoint --print-stats c1 2>&1) || why "checkpoint --print-stats: $out"
case $out in *'"runtime_checkpoint_duration":'*) ;; *) why "checkpoint --print-stats printed: $out" ;; esac
out=$(nk restore --print-stats c1 2>&1) || why "restore --print-stats: $out"
case $out in *'"runtime_restore_duration":'*) ;; *) why "restore --print-stats printed: $out" ;; esac
timeout -s INT 2 "$NOOK" --root "$W/root" --runroot "$W/run" attach --no-stdin c1 >"$W/attach.out" 2>&1
n=$(grep -c '^[0-9][0-9]*$' "$W/attach.out")
[ "$n" -ge 3 ] || why "attach after restore showed $n counts: $(head -c 200 "$W/attach.out")"
nk stop -t 1 c1 >/dev/null 2>&1
end

begin "engine: export, rm, import under a new name: new id, same count, root changes kept"
cp -a "$ROOTFS" "$W/rootfs4"
out=$(nk run -d --name c4 --network none -v vol4:/data --rootfs "$W/rootfs4:O" sh -c "$COUNTER" 2>&1) || why "run: $out"
id4=$(nk inspect --format '{{.Id}}' c4 2>/dev/null)
wait_count c4 2 || why "the counter did not count"
nk exec c4 sh -c 'echo changed >/etc/marker && echo kept >/data/f' || why "exec: could not change the root"
out=$(nk checkpoint --export "$W/c4.tar" c4 2>&1) || why "checkpoint --export: $out"
at=$(last_count c4)
[ -s "$W/c4.tar" ] || why "no archive"
[ -d "$W/root/containers/$id4/checkpoint" ] && why "the images stayed without --keep"
out=$(nk rm c4 2>&1) || why "rm: $out"
out=$(nk volume rm vol4 2>&1) || why "volume rm: $out"
id5=$(nk restore --import "$W/c4.tar" --name c5 2>&1) || why "restore --import: $id5"
[ "$id5" != "$id4" ] && [ ${#id5} = 64 ] || why "import printed '$id5' (old id $id4)"
expect_eq "status of the import" "$(insp c5 Status)" running
wait_count c5 $((at + 2)) || why "the imported counter does not count: $(nk logs c5 2>&1 | head -n 3 | tr '\n' ' ')"
expect_eq "its first line" "$(nk logs c5 2>/dev/null | head -n 1)" $((at + 1))
expect_eq "the root's change" "$(nk exec c5 cat /etc/marker 2>&1)" changed
expect_eq "the volume's contents" "$(nk exec c5 cat /data/f 2>&1)" kept
out=$(nk restore --import "$W/c4.tar" --name c5 2>&1) && why "a second import as c5 succeeded"
case $out in *"already in use"*) ;; *) why "second import: $out" ;; esac
out=$(nk checkpoint --export "$W/c5.tar" --ignore-rootfs c5 2>&1) || why "checkpoint --export --ignore-rootfs: $out"
out=$(nk restore --import "$W/c5.tar" --name c6 2>&1) && why "an import over an existing volume succeeded"
case $out in *"volume vol4 already exists"*) ;; *) why "import over vol4: $out" ;; esac
[ "$(nk ps -a --format '{{.Names}}' 2>/dev/null | grep -c c6)" = 0 ] || why "c6 left by a failed import"
out=$(nk restore --import "$W/c5.tar" --name c6 --ignore-volumes 2>&1) || why "import of --ignore-rootfs: $out"
expect_eq "c6 shares vol4" "$(nk exec c6 cat /data/f 2>&1)" kept
expect_eq "no root change with --ignore-rootfs" "$(nk exec c6 cat /etc/marker 2>&1 | grep -c changed)" 0
nk rm -f c5 c6 >/dev/null 2>&1
end

begin "engine: --tcp-established keeps a connection inside the container"
cp -a "$ROOTFS" "$W/rootfs7"
out=$(nk run -d --name c7 --network none --rootfs "$W/rootfs7" sh -c \
	"sleep 100000 | nc -l -p 5000 >/tmp/got & sleep 2; ($COUNTER) | nc 127.0.0.1 5000; echo client exit \$?" 2>&1) ||
	why "run: $out"
sleep 3.5
got() { nk exec c7 tail -n 1 /tmp/got 2>/dev/null; }
b=$(got)
[ -n "$b" ] || why "nothing went through the connection: $(nk logs c7 2>&1 | head -n 5)"
out=$(nk checkpoint c7 2>&1) && why "checkpoint without --tcp-established succeeded"
expect_eq "status after the refused dump" "$(insp c7 Status)" running
out=$(nk checkpoint --tcp-established c7 2>&1) || why "checkpoint --tcp-established: $out"
out=$(nk restore --tcp-established c7 2>&1) || why "restore --tcp-established: $out"
sleep 1.5
a=$(got)
[ -n "$a" ] && [ "$a" -gt "$b" ] 2>/dev/null || why "the connection carried nothing after restore: '$a' after '$b'"
nk rm -f c7 >/dev/null 2>&1
end

# ---- the runtime (runc's command line) ------------------------------------

begin "runtime: pre-dump, checkpoint and restore --detach as podman and containerd call them"
b=$W/bundle
mkdir -p "$b" && cp -a "$ROOTFS" "$b/rootfs"
cat >"$b/config.json" <<EOF
{
	"ociVersion": "1.0.2",
	"process": { "terminal": false, "user": { "uid": 0, "gid": 0 },
		"args": [ "sh", "-c", "i=0; while :; do i=\$((i+1)); echo \$i >/tmp/count; sleep 0.2; done" ],
		"env": [ "PATH=/bin" ], "cwd": "/" },
	"root": { "path": "rootfs" },
	"hostname": "ck",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "mode=755" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs" }
	],
	"linux": { "cgroupsPath": "/nook/vmck",
		"namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" }, { "type": "network" } ] }
}
EOF
rtc() { timeout -s KILL 60 $RT "$@"; }
# As conmon does: the init's stdio are pipes (CRIU hands new ones to the
# restored init; a file of the host, /dev/null too, it cannot reach).  The
# reader holds on until the init is gone: in the background.
rt_bg() { # LOG ARGS...
	_log=$1
	shift
	{ : | rtc "$@" 2>&1 | cat >"$_log"; } &
}
rt_status() {
	rtc state "$1" 2>/dev/null | tr -d '\n\t ' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}
wait_running() { # ID
	i=0
	while [ $i -lt 100 ] && [ "$(rt_status "$1")" != running ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
rt_bg "$W/run.out" run -d --bundle "$b" vmck
wait_running vmck
expect_eq "state after run -d" "$(rt_status vmck)" running
sleep 1
# (read again when empty: the counter's `>/tmp/count` truncates, then writes)
count() {
	for _ in 1 2 3; do
		c=$(rtc exec vmck cat /tmp/count 2>/dev/null)
		[ -n "$c" ] && break
		sleep 0.05
	done
	echo "$c"
}
before=$(count)
[ -n "$before" ] || why "no count in the container"
out=$(rtc checkpoint --pre-dump --image-path "$W/pre" --work-path "$W/work" vmck 2>&1) ||
	why "checkpoint --pre-dump: $out"
expect_eq "state after --pre-dump" "$(rt_status vmck)" running
out=$(rtc checkpoint --image-path "$W/img" --parent-path ../pre --work-path "$W/work" vmck 2>&1) ||
	why "checkpoint --parent-path: $out"
[ -e "$W/img/parent" ] || why "no parent link in the images"
out=$(rtc state vmck 2>&1) && why "the container is still there after checkpoint: $out"
rt_bg "$W/restore.out" restore --detach --image-path "$W/img" --work-path "$W/work" --bundle "$b" vmck
wait_running vmck
expect_eq "state after restore" "$(rt_status vmck)" running
[ -s "$W/restore.out" ] && why "restore said: $(cat "$W/restore.out")"
sleep 1
after=$(count)
[ -n "$after" ] && [ "$after" -gt "$before" ] 2>/dev/null || why "count after restore '$after' not above '$before'"
rtc kill vmck KILL >/dev/null 2>&1
sleep 0.5
rtc delete --force vmck >/dev/null 2>&1
[ -d /sys/fs/cgroup/nook/vmck ] && why "cgroup left after delete"
end

begin "runtime: checkpoint of a container that does not run, restore without images"
out=$(rtc checkpoint --image-path "$W/img2" nosuch 2>&1) && why "checkpoint nosuch succeeded"
case $out in *"does not exist"*) ;; *) why "checkpoint nosuch: $out" ;; esac
out=$(rtc restore -d --image-path "$W/empty" --bundle "$b" vmck2 </dev/null 2>&1) && why "restore without images succeeded"
case $out in *"descriptors.json"*) ;; *) why "restore without images: $out" ;; esac
[ -d /run/nook-runtime/vmck2 ] && why "state left by a failed restore"
[ -d /sys/fs/cgroup/vmck2 ] && why "cgroup left by a failed restore"
end
