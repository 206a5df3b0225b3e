#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Namespaces: pid (pid 1 inside), network (only lo), uts/ipc/mnt differ from
# the host's, joining another container's namespaces by path, a persistent
# (bind-mounted) network namespace, no pid namespace.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# interface names from /proc/net/dev, on one line
ifaces() {
	printf '%s\n' "$1" | awk -F: 'NR > 2 && /:/ { gsub(/ /, "", $1); printf "%s%s", s, $1; s = " " }'
}

t_begin "namespaces: pid namespace, the process is pid 1"
run_cfg '.' /bin/nook-test pid
expect_status "run" $rc 0 "$out"
expect_eq "pid" "$(field pid "$out")" 1
expect_eq "ppid" "$(field ppid "$out")" 0
t_end

t_begin "namespaces: network namespace has only lo"
run_cfg '.' /bin/nook-test cat /proc/net/dev
expect_status "run" $rc 0 "$out"
expect_eq "interfaces" "$(ifaces "$out")" lo
t_end

t_begin "namespaces: each namespace in the config differs from the host's"
run_cfg '.linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"},
	{type: "uts"}, {type: "mount"}, {type: "cgroup"}]' /bin/nook-test ns
expect_status "run" $rc 0 "$out"
for ns in pid net ipc uts mnt cgroup; do
	expect_ne "$ns" "$(field $ns "$out")" "$(readlink /proc/self/ns/$ns)"
done
expect_eq "user (not asked for)" "$(field user "$out")" "$(readlink /proc/self/ns/user)"
t_end

t_begin "namespaces: without network and pid namespaces the host's are kept"
run_cfg '.linux.namespaces |= map(select(.type != "network" and .type != "pid"))' \
	/bin/nook-test ns
expect_eq "net" "$(field net "$out")" "$(readlink /proc/self/ns/net)"
expect_eq "pid" "$(field pid "$out")" "$(readlink /proc/self/ns/pid)"
t_end

# A first container whose namespaces a second one joins by path.
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null
cfg "$B" '.hostname = "first-host"'
new_id
A=$ID
if start_bg "$B" "$A" && wait_file "$T_DIR/$A.out" '^ready$'; then
	apid=$(state_field "$A" pid)
	B2=$T_DIR/b2

	t_begin "namespaces: join another container's network and uts by path"
	make_bundle "$B2" /bin/sh -c 'nook-test ns; nook-test hostname' >/dev/null
	cfg "$B2" --arg net "/proc/$apid/ns/net" --arg uts "/proc/$apid/ns/uts" \
		'del(.hostname) | .linux.namespaces |= map(
			if .type == "network" then .path = $net
			elif .type == "uts" then .path = $uts else . end)'
	new_id
	out=$(bundle_run "$B2" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "net" "$(field net "$out")" "$(readlink "/proc/$apid/ns/net")"
	expect_eq "uts" "$(field uts "$out")" "$(readlink "/proc/$apid/ns/uts")"
	expect_match "hostname" "$out" "^first-host$"
	expect_ne "ipc (not joined)" "$(field ipc "$out")" "$(readlink "/proc/$apid/ns/ipc")"
	t_end

	t_begin "namespaces: join another container's pid namespace"
	make_bundle "$B2" /bin/nook-test pid >/dev/null
	cfg "$B2" --arg pid "/proc/$apid/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $pid else . end)'
	new_id
	out=$(bundle_run "$B2" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	p=$(field pid "$out")
	expect_ne "pid" "$p" 1
	expect_ne "pid" "$p" ""
	t_end

	t_begin "namespaces: joining a path that is not a namespace fails"
	make_bundle "$B2" /bin/true >/dev/null
	cfg "$B2" '.linux.namespaces |= map(if .type == "network" then .path = "/etc/passwd" else . end)'
	new_id
	out=$(bundle_run "$B2" "$ID" 2>&1)
	[ $? -ne 0 ] || t_why "run succeeded"
	t_end
	rt delete --force "$A" >/dev/null 2>&1
else
	fail "namespaces: join by path" "first container did not start: $(cat "$T_DIR/$A.err")"
fi

# `ip netns add` style: a network namespace kept by a bind mount on a file.
t_begin "namespaces: join a bind-mounted network namespace"
if command -v unshare >/dev/null 2>&1 && : >"$T_DIR/netns" &&
	unshare --net="$T_DIR/netns" true 2>/dev/null; then
	T_CLEANUP="umount '$T_DIR/netns' 2>/dev/null; $T_CLEANUP"
	make_bundle "$B" /bin/nook-test ns >/dev/null
	cfg "$B" --arg p "$T_DIR/netns" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	want=$(stat -L -c %i "$T_DIR/netns")
	expect_eq "net" "$(field net "$out")" "net:[$want]"
	t_end
	umount "$T_DIR/netns"
else
	skip "$T_CUR" "optional: unshare --net=FILE not available"
fi
