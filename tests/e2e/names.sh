#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Names and ids: lookup by name, full id and unique id prefix; a duplicate
# name, an ambiguous prefix, an unknown container and an invalid name give
# a clear one-line error (exit 125) that names what was asked for, and lose
# nothing.
. "$(dirname "$0")/lib.sh"

t_begin "names: lookup by name, full id, 12-char id, unique prefix"
ID=$(nk_create --name web --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "create" $? 0 "$ID"
short=$(printf '%s' "$ID" | cut -c1-12)
for ref in web "$ID" "$short"; do
	expect_eq "inspect $ref .Id" "$(cid "$ref")" "$ID"
done
# the shortest prefix that only this container has (all of them, for now)
expect_eq "inspect by 5-char prefix" "$(cid "$(printf '%s' "$ID" | cut -c1-5)")" "$ID"
out=$(nk start "$short" 2>&1)
expect_status "start by short id" $? 0 "$out"
expect_eq "status by name" "$(cstatus web)" running
out=$(nk stop -t 1 "$ID" 2>&1)
expect_status "stop by full id" $? 0 "$out"
t_end

t_begin "names: inspect .Name and ps show the name"
expect_eq ".Name" "$(insp web .Name)" web
expect_eq "ps {{.Names}}" "$(nk ps -a --format '{{.Names}}' 2>&1)" web
t_end

t_begin "names: a duplicate --name fails and names the holder"
out=$(nk_create --name web --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create --name web" $? 125 "$out"
expect_match "message names the name" "$out" '"?web"?'
printf '%s' "$out" | grep -qE "$short" ||
	t_why "message does not name the holder $short: '$(oneline "$out")'"
expect_eq "containers" "$(nk ps -a -q --no-trunc 2>&1)" "$ID"
out=$(nk_run --name web --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "run --name web" $? 125 "$out"
expect_eq "containers" "$(nk ps -a -q --no-trunc 2>&1)" "$ID"
t_end

t_begin "names: a name is free again after rm"
out=$(nk rm web 2>&1)
expect_status "rm" $? 0 "$out"
out=$(nk_create --name web --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "create --name web again" $? 0 "$out"
expect_ne "new id" "$out" "$ID"
ID=$out
t_end

t_begin "names: a container without --name gets one"
anon=$(nk_create --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
expect_status "create" $? 0 "$anon"
name=$(insp "$anon" .Name)
expect_match "generated name" "$name" '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'
expect_eq "lookup by it" "$(cid "$name")" "$anon"
t_end

t_begin "names: invalid names are refused"
# (an empty --name means "generate one", as podman's)
for bad in 'bad name' 'bad/name' '.hidden' '-dash'; do
	out=$(nk_create --name "$bad" --rootfs "$ROOTFS" /bin/nook-test true 2>&1)
	expect_status "create --name '$bad'" $? 125 "$out"
done
n=$(nk ps -a -q 2>&1 | wc -l | tr -d ' ')
expect_eq "containers" "$n" 2
t_end

t_begin "names: an ambiguous id prefix fails"
# at most 17 containers until two share their first hex digit
i=0
amb=
while [ $i -lt 17 ] && [ -z "$amb" ]; do
	nk_create --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1 || t_why "create $i failed"
	amb=$(nk ps -a -q --no-trunc 2>/dev/null | cut -c1 | sort | uniq -d | head -n 1)
	i=$((i + 1))
done
if [ -n "$amb" ]; then
	n=$(nk ps -a -q 2>/dev/null | wc -l | tr -d ' ')
	for op in inspect start rm; do
		out=$(nk $op "$amb" 2>&1)
		expect_status "$op $amb" $? 125 "$out"
		expect_match "$op: message names the prefix" "$out" "\"?$amb\"?"
	done
	expect_eq "containers after" "$(nk ps -a -q 2>/dev/null | wc -l | tr -d ' ')" "$n"
	expect_eq "none started" "$(nk ps -q 2>/dev/null)" ""
else
	t_why "no two ids share a first digit after 17 creates"
fi
t_end

t_begin "names: an unknown container: 125, the error names it"
for op in inspect start stop kill pause unpause logs wait restart init export mount attach; do
	nk $op no-such-ctr </dev/null >/dev/null 2>"$T_DIR/e"
	st=$?
	out=$(cat "$T_DIR/e")
	expect_status "$op no-such-ctr" $st 125 "$out"
	expect_match "$op: message names it" "$out" 'no-such-ctr'
	expect_eq "$op: one line on stderr" "$(printf '%s\n' "$out" | grep -c .)" 1
done
out=$(nk exec no-such-ctr /bin/nook-test true 2>&1)
expect_status "exec no-such-ctr" $? 125 "$out"
expect_match "exec: message names it" "$out" 'no-such-ctr'
# podman documents 1 for rm of a container that does not exist
out=$(nk rm no-such-ctr 2>&1)
expect_status "rm no-such-ctr" $? '1|125' "$out"
expect_match "rm: message names it" "$out" 'no-such-ctr'
out=$(nk rm -f no-such-ctr 2>&1)
expect_status "rm -f no-such-ctr" $? 0 "$out"
t_end

exit $T_RC
