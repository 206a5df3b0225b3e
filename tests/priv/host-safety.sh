#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The runtime never harms its host: a config without a mount namespace is
# refused before anything exists; sysctls only go into namespaces of the
# container's own; /sys/fs/cgroup without a cgroup namespace is read-only as
# asked; readonlyPaths and a read-only root keep nosuid/nodev/noexec; with
# --no-pivot the host's proc and sysfs are out of the container's namespace
# (no bare proc mount from a user namespace inside); an AppArmor profile is
# applied, or refused where the kernel has no AppArmor; a deny-all device
# rule also denies the nodes of linux.devices.
#
# Written so that a runtime without these fixes fails here without changing
# the host: the configs without a mount namespace run inside
# `unshare -m --propagation private`, every sysctl that one would write to
# the host's namespaces is given the value the host has (and is restored
# on exit all the same).
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# expect_refused WHAT ERE: the run failed, said ERE in one line, left no
# state behind.
expect_refused() {
	[ "$rc" -ne 0 ] || t_why "$1: run succeeded: $(oneline "$out")"
	expect_imatch "$1: message" "$out" "$2"
	[ "$(printf '%s\n' "$out" | grep -c .)" -le 1 ] || t_why "$1: more than one line: $(oneline "$out")"
	[ -e "$T_ROOT/$ID" ] && t_why "$1: state directory $T_ROOT/$ID left behind"
}

# ---- no mount namespace ----------------------------------------------------

# In a private mount namespace of our own: a runtime that pivots the
# caller's root changes only that namespace.  The runtime runs there and
# then lists "/", which must still be the host's.
have_unshare=0
if command -v unshare >/dev/null 2>&1 && unshare -m --propagation private true 2>/dev/null; then
	have_unshare=1
fi

# run_private FILTER: run /bin/true with FILTER applied inside a private
# mount namespace; $out, $rc, and $root (the listing of / afterwards).
run_private() {
	make_bundle "$B" /bin/true >/dev/null 2>&1 && cfg "$B" "$1"
	new_id
	rm -f "$T_DIR/priv.out" "$T_DIR/priv.out.rc" "$T_DIR/priv.out.root"
	# $1 is the timeout command, split on purpose
	unshare -m --propagation private sh -c '
		$1 "$2" --root "$3" run --bundle "$4" "$5" </dev/null >"$6" 2>&1
		echo $? >"$6.rc"
		ls / >"$6.root"' \
		sh "$T_TIMEOUT_CMD" "$RUNTIME" "$T_ROOT" "$B" "$ID" "$T_DIR/priv.out"
	out=$(cat "$T_DIR/priv.out")
	rc=$(cat "$T_DIR/priv.out.rc" 2>/dev/null || echo 255)
	root=$(tr '\n' ' ' <"$T_DIR/priv.out.root")
}

host_root=$(ls / | tr '\n' ' ')

t_begin "host-safety: a config without a mount namespace is refused, nothing left"
if [ $have_unshare = 1 ]; then
	run_private '.linux.namespaces |= map(select(.type != "mount"))'
	expect_refused "run" "mount namespace"
	expect_eq "/ after the run" "$root" "$host_root"
	expect_eq "state" "$(status "$ID")" ""
	rm -rf "${T_ROOT:?}/$ID"
	t_end
else
	skip "$T_CUR" "optional: no unshare -m --propagation private to run it safely"
fi

t_begin "host-safety: joining our own mount namespace by path is refused"
if [ $have_unshare = 1 ]; then
	# /proc/self is the runtime: its own (private) namespace
	run_private '.linux.namespaces |= map(if .type == "mount" then .path = "/proc/self/ns/mnt" else . end)'
	expect_refused "run" "mount namespace"
	expect_eq "/ after the run" "$root" "$host_root"
	rm -rf "${T_ROOT:?}/$ID"
	t_end
else
	skip "$T_CUR" "optional: no unshare -m --propagation private to run it safely"
fi

t_begin "host-safety: delete --force removes a state directory without state.json"
new_id
mkdir -p "$T_ROOT/$ID"
out=$(rt delete --force "$ID" 2>&1)
expect_status "delete --force" $? 0 "$out"
[ -e "$T_ROOT/$ID" ] && t_why "$T_ROOT/$ID is still there"
rm -rf "${T_ROOT:?}/$ID"
t_end

# ---- sysctls ---------------------------------------------------------------

# Each sysctl a broken runtime would write to the host gets the host's own
# value, and is written back on exit whatever happened.
SAVED=
for k in kernel/shmmax fs/mqueue/msg_max net/ipv4/ip_forward kernel/domainname vm/swappiness; do
	if [ -r "/proc/sys/$k" ]; then
		eval "host_$(echo "$k" | tr '/' '_')=\$(cat /proc/sys/$k)"
		SAVED="$SAVED $k"
	fi
done
restore_sysctls() {
	for _k in $SAVED; do
		eval "_v=\$host_$(echo "$_k" | tr '/' '_')"
		[ "$(cat "/proc/sys/$_k")" = "$_v" ] || printf '%s\n' "$_v" >"/proc/sys/$_k"
	done
}
T_CLEANUP="restore_sysctls; $T_CLEANUP"

# sysctl_case NAME KEY VALUE FILTER ERE: KEY=VALUE with FILTER is refused
# with ERE.
sysctl_case() {
	t_begin "host-safety: sysctl $1"
	run_cfg "$4 | .linux.sysctl = {\"$2\": \"$3\"}" /bin/true
	expect_refused "run" "$5"
	t_end
}

no_ns() {
	echo ".linux.namespaces |= map(select(.type != \"$1\"))"
}

sysctl_case "kernel.shmmax without an ipc namespace is refused" \
	kernel.shmmax "$host_kernel_shmmax" "$(no_ns ipc)" "kernel\.shmmax.*ipc namespace"
sysctl_case "fs.mqueue.msg_max without an ipc namespace is refused" \
	fs.mqueue.msg_max "$host_fs_mqueue_msg_max" "$(no_ns ipc)" "fs\.mqueue\.msg_max.*ipc namespace"
sysctl_case "net.* without a network namespace is refused" \
	net.ipv4.ip_forward "$host_net_ipv4_ip_forward" "$(no_ns network)" \
	"net\.ipv4\.ip_forward.*network namespace"
# pid 1 may be out of reach (more capabilities than ours): then a runtime
# cannot join its namespace either
if stat -L /proc/1/ns/net >/dev/null 2>&1; then
	sysctl_case "net.* in pid 1's network namespace joined by path is refused" \
		net.ipv4.ip_forward "$host_net_ipv4_ip_forward" \
		'.linux.namespaces |= map(if .type == "network" then .path = "/proc/1/ns/net" else . end)' \
		"net\.ipv4\.ip_forward.*network namespace"
else
	skip "host-safety: sysctl net.* in pid 1's network namespace joined by path is refused" \
		"optional: /proc/1/ns/net cannot be looked at here"
fi
sysctl_case "net.* in our own network namespace joined by path is refused" \
	net.ipv4.ip_forward "$host_net_ipv4_ip_forward" \
	'.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end)' \
	"net\.ipv4\.ip_forward.*network namespace"
sysctl_case "kernel.domainname without a uts namespace is refused" \
	kernel.domainname "$host_kernel_domainname" "del(.hostname) | $(no_ns uts)" \
	"kernel\.domainname.*uts namespace"
sysctl_case "kernel.hostname in conflict with hostname is refused" \
	kernel.hostname other '.hostname = "nook"' "kernel\.hostname.*hostname"
sysctl_case "a global sysctl (vm.swappiness) is refused" \
	vm.swappiness "$host_vm_swappiness" '.' "vm\.swappiness.*host"

t_begin "host-safety: namespaced sysctls in the container's own namespaces are set"
run_cfg 'del(.hostname) | .linux.sysctl = {"kernel.shmmax": "123456789",
	"fs.mqueue.msg_max": "17", "net.ipv4.ip_forward": "1", "kernel.domainname": "nook.test"}' \
	/bin/nook-test cat /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max \
	/proc/sys/net/ipv4/ip_forward /proc/sys/kernel/domainname
expect_status "run" $rc 0 "$out"
expect_eq "values" "$(printf '%s\n' "$out" | tr '\n' ' ')" "123456789 17 1 nook.test "
expect_eq "host kernel.shmmax" "$(cat /proc/sys/kernel/shmmax)" "$host_kernel_shmmax"
t_end

# `ip netns add` style: a network namespace of its own, joined by path.
t_begin "host-safety: net.* in a network namespace joined by path (not the host's) is set"
if : >"$T_DIR/netns" && unshare --net="$T_DIR/netns" true 2>/dev/null; then
	run_cfg ".linux.namespaces |= map(if .type == \"network\" then .path = \"$T_DIR/netns\" else . end) |
		.linux.sysctl = {\"net.ipv4.ip_forward\": \"1\"}" \
		/bin/nook-test cat /proc/sys/net/ipv4/ip_forward
	expect_status "run" $rc 0 "$out"
	expect_eq "net.ipv4.ip_forward" "$out" 1
	expect_eq "host net.ipv4.ip_forward" "$(cat /proc/sys/net/ipv4/ip_forward)" \
		"$host_net_ipv4_ip_forward"
	umount "$T_DIR/netns"
	t_end
else
	skip "$T_CUR" "optional: unshare --net=FILE not available"
fi

# ---- read-only mounts keep their flags -------------------------------------

t_begin "host-safety: /sys/fs/cgroup without a cgroup namespace is read-only as asked"
run_cfg "$(no_ns cgroup)" /bin/nook-test mounts
expect_status "run" $rc 0 "$out"
m=$(mountopt /sys/fs/cgroup)
if [ -z "$m" ]; then
	t_why "no /sys/fs/cgroup mount (no cgroup v2 here?): $(oneline "$out")"
else
	expect_match "/sys/fs/cgroup" "$m" " ro,nosuid,nodev,noexec"
fi
t_end

t_begin "host-safety: /sys/fs/cgroup with a cgroup namespace is read-only as asked"
run_cfg '.' /bin/nook-test mounts
expect_status "run" $rc 0 "$out"
expect_match "/sys/fs/cgroup" "$(mountopt /sys/fs/cgroup)" " ro,nosuid,nodev,noexec"
t_end

t_begin "host-safety: readonlyPaths keep nosuid, nodev and noexec"
make_bundle "$B" /bin/nook-test mounts >/dev/null
mkdir -p "$B/rootfs/rodir"
cfg "$B" '.mounts |= map(if .destination == "/proc" then .options = ["nosuid", "nodev", "noexec"] else . end) |
	.mounts += [{destination: "/rodir", type: "tmpfs", source: "tmpfs",
		options: ["nosuid", "nodev", "noexec"]}] |
	.linux.readonlyPaths = ["/proc/sys", "/rodir"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "/proc/sys" "$(mountopt /proc/sys)" " ro,nosuid,nodev,noexec"
expect_match "/rodir" "$(mountopt /rodir)" " ro,nosuid,nodev,noexec"
t_end

t_begin "host-safety: a read-only root keeps nosuid and nodev"
mkdir -p "$T_DIR/nosuid-root"
if mount -t tmpfs -o nosuid,nodev tmpfs "$T_DIR/nosuid-root" 2>/dev/null; then
	make_bundle "$B" /bin/nook-test mounts >/dev/null
	cp -a "$B/rootfs/." "$T_DIR/nosuid-root/"
	cfg "$B" --arg r "$T_DIR/nosuid-root" '.root = {path: $r, readonly: true}'
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	expect_match "/" "$(mountopt /)" " ro,nosuid,nodev"
	umount -l "$T_DIR/nosuid-root"
	t_end
else
	skip "$T_CUR" "optional: cannot mount a tmpfs"
fi

# ---- --no-pivot: no bare proc or sysfs from a user namespace -----------------

for fs in proc sysfs; do
	dir=/proc
	[ $fs = sysfs ] && dir=/sys
	t_begin "host-safety: --no-pivot: a user namespace inside cannot mount a new $fs"
	make_bundle "$B" /bin/nook-test usermount $fs $dir >/dev/null
	new_id
	out=$(bundle_run "$B" "$ID" --no-pivot 2>&1)
	expect_status "run" $? 0 "$out"
	expect_match "mount -t $fs" "$out" "^errno [0-9]+ EPERM$"
	t_end

	t_begin "host-safety: pivot_root: a user namespace inside cannot mount a new $fs"
	make_bundle "$B" /bin/nook-test usermount $fs $dir >/dev/null
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	expect_match "mount -t $fs" "$out" "^errno [0-9]+ EPERM$"
	t_end
done

# ---- AppArmor ----------------------------------------------------------------

if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
	t_begin "host-safety: apparmorProfile is applied"
	run_cfg '.process.apparmorProfile = "unconfined"' /bin/nook-test cat /proc/self/attr/current
	expect_status "run" $rc 0 "$out"
	expect_match "attr/current" "$out" "^unconfined"
	t_end
	t_begin "host-safety: an apparmorProfile that is not loaded fails the run"
	run_cfg '.process.apparmorProfile = "nook-test-no-such-profile"' /bin/true
	[ "$rc" -ne 0 ] || t_why "run succeeded"
	[ -e "$T_ROOT/$ID" ] && t_why "state directory $T_ROOT/$ID left behind"
	t_end
else
	t_begin "host-safety: apparmorProfile without AppArmor in the kernel is refused"
	run_cfg '.process.apparmorProfile = "nook-test-profile"' /bin/true
	expect_refused "run" "apparmor.*nook-test-profile|nook-test-profile.*apparmor"
	t_end

	t_begin "host-safety: exec --apparmor without AppArmor in the kernel is refused"
	make_bundle "$B" /bin/nook-test sleep 60 >/dev/null
	new_id
	if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
		out=$(rt exec --apparmor nook-test-profile "$ID" /bin/true 2>&1)
		[ $? -ne 0 ] || t_why "exec succeeded"
		expect_imatch "exec" "$out" "apparmor"
	else
		t_why "container did not start: $(cat "$T_DIR/$ID.err")"
	fi
	t_end
fi

# ---- device cgroup -------------------------------------------------------------

# runc's "device cgroup deny": /dev/kmsg is created, and a deny-all rule
# makes it EPERM to open (for writing: nothing is written).
kmsg_cfg='.linux.resources.devices = [{allow: false, access: "rwm"}] |
	.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11}]'

t_begin "host-safety: a deny-all device rule denies a node of linux.devices"
run_cfg "$kmsg_cfg" /bin/sh -c 'nook-test write /dev/kmsg; nook-test write /dev/null'
if printf '%s\n' "$out" | grep -q 'not enforced'; then
	skip "$T_CUR" "optional: the device cgroup cannot be enforced here: $(oneline "$out")"
else
	expect_status "run" $rc 0 "$out"
	expect_eq "open /dev/kmsg, /dev/null" "$(printf '%s\n' "$out" | tr '\n' ' ')" "errno 1 EPERM ok "
	t_end
fi

t_begin "host-safety: a deny-all device rule denies a node of linux.devices to exec"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null
cfg "$B" "$kmsg_cfg"
new_id
if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
	out=$(rt exec "$ID" /bin/nook-test write /dev/kmsg 2>&1)
	expect_status "exec" $? 0 "$out"
	if grep -q 'not enforced' "$T_DIR/$ID.err"; then
		skip "$T_CUR" "optional: the device cgroup cannot be enforced here"
	else
		expect_match "open /dev/kmsg" "$out" "^errno [0-9]+ EPERM$"
		t_end
	fi
else
	t_why "container did not start: $(cat "$T_DIR/$ID.err")"
	t_end
fi
