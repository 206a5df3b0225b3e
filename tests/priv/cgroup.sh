#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup v2 membership: linux.cgroupsPath, the default path, a cgroup
# namespace, exec joining the container's cgroup, removal on delete; pids
# and memory limits where this host's cgroup2 has those controllers.
. "$(dirname "$0")/../lib.sh"

CG2=$(cg2_mount)
if [ -z "$CG2" ]; then
	skip "cgroup: all" "no cgroup2 mounted on this host"
	exit 0
fi
PARENT=nooktest-$$
# rmdir only: never remove a cgroup that still has processes
T_CLEANUP='for d in "$CG2/$PARENT" /sys/fs/cgroup/*/"$PARENT"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done'

B=$T_DIR/b
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null || { fail "cgroup: bundle" "make_bundle failed"; exit; }

# The cgroup2 path ("0::" line) of a host pid.
cg_of() {
	sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null
}

t_begin "cgroup: cgroupsPath places the container, /proc/self/cgroup shows it"
new_id
C=$ID
cfg "$B" --arg p "/$PARENT/$C" '.linux.cgroupsPath = $p |
	.linux.namespaces |= map(select(.type != "cgroup"))'
if start_bg "$B" "$C" && wait_file "$T_DIR/$C.out" '^ready$'; then
	pid=$(state_field "$C" pid)
	expect_eq "host view of pid $pid" "$(cg_of "$pid")" "/$PARENT/$C"
	grep -qx "$pid" "$CG2/$PARENT/$C/cgroup.procs" 2>/dev/null ||
		t_why "pid $pid not in $CG2/$PARENT/$C/cgroup.procs"
	out=$(rt exec "$C" /bin/nook-test cgroup 2>&1)
	expect_match "inside" "$out" "^0::/$PARENT/$C\$"
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end

t_begin "cgroup: an exec'd process joins the container's cgroup"
rt exec -d "$C" /bin/nook-test sleep 30 </dev/null >/dev/null 2>"$T_DIR/x.err"
procs=$(cat "$CG2/$PARENT/$C/cgroup.procs" 2>/dev/null | wc -l)
[ "$procs" -eq 2 ] || t_why "$procs processes in the cgroup, want 2: $(cat "$T_DIR/x.err")"
t_end

t_begin "cgroup: delete removes the container's cgroup"
rt delete --force "$C" >/dev/null 2>&1
[ -d "$CG2/$PARENT/$C" ] && t_why "$CG2/$PARENT/$C still exists"
t_end

t_begin "cgroup: a cgroup namespace shows / inside"
new_id
cfg "$B" --arg p "/$PARENT/$ID" '.linux.cgroupsPath = $p |
	.linux.namespaces = (.linux.namespaces | map(select(.type != "cgroup"))) + [{type: "cgroup"}]'
if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
	pid=$(state_field "$ID" pid)
	expect_eq "host view" "$(cg_of "$pid")" "/$PARENT/$ID"
	out=$(rt exec "$ID" /bin/nook-test cgroup 2>&1)
	expect_match "inside" "$out" "^0::/\$"
	rt delete --force "$ID" >/dev/null 2>&1
else
	t_why "container did not start: $(cat "$T_DIR/$ID.err")"
fi
t_end

t_begin "cgroup: without cgroupsPath the container gets its own cgroup"
new_id
cfg "$B" 'del(.linux.cgroupsPath)'
if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
	pid=$(state_field "$ID" pid)
	cg=$(cg_of "$pid")
	expect_ne "host view" "$cg" "$(cg_of $$)"
	expect_match "host view" "$cg" "/$ID\$"
	rt delete --force "$ID" >/dev/null 2>&1
	[ -n "$cg" ] && [ -d "$CG2$cg" ] && t_why "$CG2$cg left after delete"
else
	t_why "container did not start: $(cat "$T_DIR/$ID.err")"
fi
t_end

# Limits: only where cgroup2 offers the controller (the test VM does; the
# hybrid dev host has hugetlb only: tests/priv/bad-input.sh checks the error).
has_ctrl() {
	grep -qw "$1" "$CG2/cgroup.controllers" 2>/dev/null
}

t_begin "cgroup: pids.max limits forks"
if has_ctrl pids; then
	make_bundle "$B" /bin/nook-test fork 20 >/dev/null
	new_id
	cfg "$B" --arg p "/$PARENT/$ID" '.linux.cgroupsPath = $p | .linux.resources.pids = {limit: 10}'
	out=$(bundle_run "$B" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	# 10 pids: ours plus 9 children
	expect_eq "forked" "$(field forked "$out")" 9
	expect_match "fork error" "$out" "^errno [0-9]+ EAGAIN$"
	t_end
else
	skip "$T_CUR" "optional: no pids controller in $CG2"
fi

t_begin "cgroup: memory.max is set and enforced"
if has_ctrl memory; then
	make_bundle "$B" /bin/nook-test sleep 60 >/dev/null
	new_id
	cfg "$B" --arg p "/$PARENT/$ID" '.linux.cgroupsPath = $p |
		.linux.resources.memory = {limit: 16777216, swap: 16777216}'
	if start_bg "$B" "$ID" && wait_file "$T_DIR/$ID.out" '^ready$'; then
		expect_eq "memory.max" "$(cat "$CG2/$PARENT/$ID/memory.max" 2>&1)" 16777216
		out=$(rt exec "$ID" /bin/nook-test alloc 64 2>&1)
		rc=$?
		expect_nomatch "alloc 64 MB in 16 MB" "$out" "^ok 64$"
		expect_ne "exit status" "$rc" 0
		rt delete --force "$ID" >/dev/null 2>&1
	else
		t_why "container did not start: $(cat "$T_DIR/$ID.err")"
	fi
	t_end
else
	skip "$T_CUR" "optional: no memory controller in $CG2"
fi
