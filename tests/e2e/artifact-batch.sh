#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# artifacts (small named files kept with a container) and batch (several
# operations under one lock).  nook-specific: podman has neither as CLI.
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "artifact-batch: all" "podman has no artifact or batch commands"
	exit $T_RC
fi

t_begin "artifact: add, get, rm; gone with the container"
nk_create --name art --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 || t_why "create failed"
printf 'checkpoint data\n' >"$T_DIR/in"
out=$(nk artifact add art cp1 "$T_DIR/in" 2>&1)
expect_status "add" $? 0 "$out"
out=$(printf 'from stdin' | nk artifact add art cp2 2>&1)
expect_status "add from stdin" $? 0 "$out"
expect_eq "get" "$(nk artifact get art cp1 2>&1)" "checkpoint data"
expect_eq "get stdin one" "$(nk artifact get art cp2 2>&1)" "from stdin"
out=$(nk artifact add art ../evil "$T_DIR/in" 2>&1)
expect_status "a name with ../" $? 125 "$out"
out=$(nk artifact rm art cp1 2>&1)
expect_status "rm" $? 0 "$out"
out=$(nk artifact get art cp1 2>&1)
expect_status "get after rm" $? 125 "$out"
expect_match "names it" "$out" cp1
nk rm art >/dev/null 2>&1
out=$(nk artifact get art cp2 2>&1)
expect_status "get after the container is gone" $? 125 "$out"
t_end

t_begin "batch: several operations under one lock, in order"
nk_create --name bt --rootfs "$ROOTFS" /bin/nook-test sleep inf >/dev/null 2>&1 || t_why "create failed"
out=$(nk batch bt init start pause 2>&1)
expect_status "batch init start pause" $? 0 "$out"
expect_eq "status" "$(cstatus bt)" paused
out=$(nk batch bt unpause kill:KILL 2>&1)
expect_status "batch unpause kill" $? 0 "$out"
nk wait bt >/dev/null 2>&1
expect_match "status after kill" "$(cstatus bt)" '^(stopped|exited)$'
out=$(nk batch bt start frobnicate 2>&1)
expect_status "an unknown operation" $? 125 "$out"
expect_match "names it" "$out" frobnicate
t_end

exit $T_RC
