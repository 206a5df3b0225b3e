#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp: errno rules, errnoRet, argument conditions, kill.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# Errno numbers below 35 are the same on every Linux arch.
t_begin "seccomp: SCMP_ACT_ERRNO for mkdir gives EPERM, the rest works"
run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}' \
	/bin/sh -c 'nook-test syscall mkdir /x; nook-test syscall chmod /tmp 1777; nook-test caps'
expect_status "run" $rc 0 "$out"
expect_match "mkdir" "$out" "^errno 1 EPERM$"
expect_match "chmod" "$out" "^ok$"
expect_eq "Seccomp" "$(field Seccomp "$out")" 2
[ -e "$B/rootfs/x" ] && t_why "/x was created"
t_end

t_begin "seccomp: errnoRet"
run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}' \
	/bin/nook-test syscall mkdir /x
expect_status "run" $rc 0 "$out"
expect_eq "mkdir" "$out" "errno 13 EACCES"
t_end

t_begin "seccomp: argument condition"
# kill(1, 0) refused, kill(1, SIGCONT) allowed
run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 13,
	args: [{index: 1, value: 0, op: "SCMP_CMP_EQ"}]}]}' \
	/bin/sh -c 'nook-test syscall kill 1 0; nook-test syscall kill 1 18'
expect_eq "kill 0, kill CONT" "$(echo $out)" "errno 13 EACCES ok"
t_end

t_begin "seccomp: SCMP_ACT_KILL ends the process with SIGSYS"
run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["sethostname"], action: "SCMP_ACT_KILL"}]}' \
	/bin/nook-test syscall sethostname x
expect_status "run" $rc 159 "$out"
expect_nomatch "output" "$out" "^(ok|errno)"
t_end

t_begin "seccomp: without linux.seccomp there is no filter"
run_cfg 'del(.linux.seccomp)' /bin/nook-test caps
expect_eq "Seccomp" "$(field Seccomp "$out")" 0
t_end

# Docker's profiles name syscalls an older libseccomp does not know: runc and
# crun skip such names and apply the rest of the rule.
t_begin "seccomp: unknown syscall names are skipped, the rule still applies"
run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["no_such_syscall_xyz", "mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}' \
	/bin/nook-test syscall mkdir /x
expect_status "run" $rc 0 "$out"
expect_eq "mkdir" "$out" "errno 1 EPERM"
t_end
