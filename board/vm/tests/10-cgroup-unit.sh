#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/test-cgroup.c, built static by board/vm/run.sh, run where every
# cgroup v2 controller exists: the pids, memory and cpu branches that only
# check the "not available" error on the host run for real here (limits
# written, fork limit and OOM kill enforced).  Result names get a "vm: "
# prefix so they do not collide with the host run of the same test.
t=/nook/test-cgroup
if [ ! -x "$t" ]; then
	echo "ok - vm: test-cgroup # SKIP not built (musl toolchain missing)"
	exit 0
fi
"$t" >/tmp/test-cgroup.out 2>&1
st=$?
sed -E 's/^(ok|not ok|skip) - /\1 - vm: /' /tmp/test-cgroup.out
case $st in
0 | 1) ;;
*) echo "not ok - vm: test-cgroup: crashed with status $st" ;;
esac
