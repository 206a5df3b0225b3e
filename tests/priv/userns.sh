#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A user namespace: uid/gid 0 inside is 100000 outside, seen from the host
# in /proc/<pid>/status; host files are not root's inside.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null || { fail "userns: bundle" "make_bundle failed"; exit; }
mkdir -p "$T_DIR/data"
# the container's root cannot create mount points in a rootfs owned by the
# host's root
mkdir -p "$B/rootfs/data"
echo host >"$T_DIR/data/file"
chmod 0644 "$T_DIR/data/file"
# Keep to mounts that a user namespace may make; the rootfs stays owned by
# the host's root (nobody inside).
cfg "$B" --arg d "$T_DIR/data" '
	.linux.namespaces = [{type: "user"}, {type: "pid"}, {type: "network"},
		{type: "ipc"}, {type: "uts"}, {type: "mount"}] |
	.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	.mounts |= map(select(.destination != "/sys/fs/cgroup")) |
	.mounts += [{destination: "/data", type: "bind", source: $d, options: ["rbind", "rw"]}]'

new_id
C=$ID
if ! start_bg "$B" "$C" || ! wait_file "$T_DIR/$C.out" '^ready$'; then
	fail "userns: container" "did not start: $(cat "$T_DIR/$C.err")"
	exit
fi
pid=$(state_field "$C" pid)

t_begin "userns: uid 0 inside is 100000 on the host"
st=$(cat "/proc/$pid/status" 2>/dev/null)
expect_match "host Uid" "$st" "^Uid:[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000$"
expect_match "host Gid" "$st" "^Gid:[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000[[:space:]]+100000$"
out=$(rt exec "$C" /bin/nook-test id 2>&1)
expect_eq "uid inside" "$(field uid "$out")" 0
expect_eq "gid inside" "$(field gid "$out")" 0
t_end

t_begin "userns: uid_map and gid_map"
out=$(rt exec "$C" /bin/nook-test cat /proc/self/uid_map /proc/self/gid_map 2>&1)
expect_eq "maps" "$(echo $out)" "0 100000 65536 0 100000 65536"
expect_ne "user ns" "$(readlink "/proc/$pid/ns/user")" "$(readlink /proc/self/ns/user)"
t_end

t_begin "userns: an exec'd process is mapped too"
rt exec -d --pid-file "$T_DIR/e.pid" "$C" /bin/nook-test sleep 30 </dev/null >/dev/null 2>"$T_DIR/e.err"
epid=$(cat "$T_DIR/e.pid" 2>/dev/null)
expect_match "host Uid of exec" "$(cat "/proc/$epid/status" 2>/dev/null)" "^Uid:[[:space:]]+100000[[:space:]]"
expect_eq "user ns of exec" "$(readlink "/proc/$epid/ns/user")" "$(readlink "/proc/$pid/ns/user")"
t_end

t_begin "userns: host root's files are not root's inside"
out=$(rt exec "$C" /bin/sh -c 'stat -c "owner %u" /data/file; nook-test write /data/file x; nook-test write /data/new x' 2>&1)
expect_match "owner" "$out" "^owner 65534$"
expect_eq "writes" "$(printf '%s\n' "$out" | grep -c '^errno [0-9]* EACCES$')" 2
expect_eq "host file" "$(cat "$T_DIR/data/file")" host
[ -e "$T_DIR/data/new" ] && t_why "file created on the host"
t_end
