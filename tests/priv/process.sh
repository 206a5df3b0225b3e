#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The process as configured: hostname, domainname, user and groups, umask,
# capabilities, noNewPrivileges, rlimits, oomScoreAdj, cwd, terminal.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/nook-test hostname || { fail "process: bundle" "make_bundle failed"; exit; }

t_begin "process: hostname in a new uts namespace"
run_cfg '.hostname = "nook-h1"' /bin/nook-test hostname
expect_status "run" $rc 0 "$out"
expect_eq "hostname" "$out" "nook-h1"
[ "$(hostname)" = nook-h1 ] && t_why "the host's hostname changed"
t_end

# The runtime's caller may ignore or block signals (nohup, a shell's
# background job, an init script); none of that reaches the container.
t_begin "process: signals the caller ignores or blocks are reset"
out=$(
	trap '' HUP INT PIPE USR1
	run_cfg . /bin/nook-test signals
	printf '%s' "$out"
)
expect_eq "SigIgn" "$(field SigIgn "$out")" 0000000000000000
expect_eq "SigBlk" "$(field SigBlk "$out")" 0000000000000000
expect_eq "SigCgt" "$(field SigCgt "$out")" 0000000000000000
t_end

# ... even those libc keeps for itself (musl's and glibc's 32-34), which
# only the kernel's own call can reset.
if [ "$(uname -m)" = x86_64 ] && [ -x "$T_PAYLOAD" ]; then
	t_begin "process: signals 32 and 33 the caller ignores are reset too"
	out=$(
		T_TIMEOUT_CMD="$T_PAYLOAD ignore-exec 32,33 $T_TIMEOUT_CMD"
		run_cfg . /bin/nook-test signals
		printf '%s' "$out"
	)
	expect_eq "SigIgn" "$(field SigIgn "$out")" 0000000000000000
	t_end
else
	skip "process: signals 32 and 33 the caller ignores are reset too" \
		"optional: nook-test ignore-exec knows x86_64's sigaction layout only"
fi

t_begin "process: domainname"
run_cfg '.hostname = "nook-h1" | .domainname = "example.test"' /bin/nook-test domainname
expect_status "run" $rc 0 "$out"
expect_eq "domainname" "$out" "example.test"
t_end

t_begin "process: uid, gid and additionalGids"
run_cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20]}' /bin/nook-test id
expect_status "run" $rc 0 "$out"
expect_eq "uid" "$(field uid "$out")" 1000
expect_eq "euid" "$(field euid "$out")" 1000
expect_eq "gid" "$(field gid "$out")" 1000
expect_eq "egid" "$(field egid "$out")" 1000
expect_eq "groups" "$(field groups "$out")" "10 20"
t_end

t_begin "process: root without additionalGids has no supplementary groups"
run_cfg '.process.user = {uid: 0, gid: 0}' /bin/nook-test id
expect_eq "uid" "$(field uid "$out")" 0
expect_eq "groups" "$(field groups "$out")" ""
t_end

t_begin "process: user.umask"
run_cfg '.process.user.umask = 63' /bin/nook-test umask
expect_status "run" $rc 0 "$out"
expect_eq "umask" "$out" "0077"
t_end

# CAP_NET_BIND_SERVICE is bit 10.
t_begin "process: capabilities reduced to one"
run_cfg '.process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"],
	effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"]}' \
	/bin/nook-test caps
expect_status "run" $rc 0 "$out"
expect_eq "CapEff" "$(field CapEff "$out")" 0000000000000400
expect_eq "CapPrm" "$(field CapPrm "$out")" 0000000000000400
expect_eq "CapBnd" "$(field CapBnd "$out")" 0000000000000400
expect_eq "CapInh" "$(field CapInh "$out")" 0000000000000000
expect_eq "CapAmb" "$(field CapAmb "$out")" 0000000000000000
t_end

t_begin "process: without CAP_CHOWN and CAP_SYS_ADMIN, chown and sethostname fail"
run_cfg '.process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"],
	effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"]}' \
	/bin/sh -c 'nook-test syscall chown /etc/passwd 1000 1000; nook-test syscall sethostname x'
expect_eq "chown, sethostname" "$(echo $out)" "errno 1 EPERM errno 1 EPERM"
t_end

t_begin "process: with CAP_CHOWN and CAP_SYS_ADMIN, chown and sethostname work"
run_cfg '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_SYS_ADMIN"],
	effective: ["CAP_CHOWN", "CAP_SYS_ADMIN"], permitted: ["CAP_CHOWN", "CAP_SYS_ADMIN"]}' \
	/bin/sh -c 'nook-test syscall chown /etc/passwd 1000 1000; nook-test syscall sethostname x'
expect_eq "chown, sethostname" "$(echo $out)" "ok ok"
t_end

t_begin "process: ambient capabilities for a non-root user"
run_cfg '.process.user = {uid: 1000, gid: 1000} |
	.process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE"],
	effective: ["CAP_NET_BIND_SERVICE"], permitted: ["CAP_NET_BIND_SERVICE"],
	inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}' \
	/bin/nook-test caps
expect_status "run" $rc 0 "$out"
expect_eq "CapEff" "$(field CapEff "$out")" 0000000000000400
expect_eq "CapAmb" "$(field CapAmb "$out")" 0000000000000400
expect_eq "CapBnd" "$(field CapBnd "$out")" 0000000000000400
t_end

t_begin "process: empty capabilities leave root with none"
run_cfg '.process.capabilities = {}' /bin/nook-test caps
expect_eq "CapEff" "$(field CapEff "$out")" 0000000000000000
expect_eq "CapBnd" "$(field CapBnd "$out")" 0000000000000000
t_end

t_begin "process: noNewPrivileges true"
run_cfg '.process.noNewPrivileges = true' /bin/nook-test caps
expect_eq "NoNewPrivs" "$(field NoNewPrivs "$out")" 1
t_end

t_begin "process: noNewPrivileges false"
run_cfg '.process.noNewPrivileges = false' /bin/nook-test caps
expect_eq "NoNewPrivs" "$(field NoNewPrivs "$out")" 0
t_end

t_begin "process: rlimits NOFILE and CORE"
run_cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 123, hard: 456},
	{type: "RLIMIT_CORE", soft: 1000, hard: 2000}]' \
	/bin/sh -c 'nook-test rlimit NOFILE; nook-test rlimit CORE'
expect_status "run" $rc 0 "$out"
expect_eq "NOFILE, CORE" "$(echo $out)" "123 456 1000 2000"
t_end

t_begin "process: RLIMIT_NOFILE is enforced"
# fds 0-9 in use, so the next open needs fd 10: over a limit of 10
run_cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 10, hard: 10}] ' \
	/bin/sh -c 'exec 3</etc/hostname 4<&3 5<&3 6<&3 7<&3 8<&3 9<&3; nook-test open /etc/passwd'
expect_eq "open with fds 0-9 in use" "$out" "errno 24 EMFILE"
t_end

t_begin "process: oomScoreAdj"
run_cfg '.process.oomScoreAdj = 234' /bin/nook-test oomscore
expect_status "run" $rc 0 "$out"
expect_eq "oom_score_adj" "$out" 234
t_end

t_begin "process: cwd"
run_cfg '.process.cwd = "/usr/bin"' /bin/nook-test cwd
expect_status "run" $rc 0 "$out"
expect_eq "cwd" "$out" /usr/bin
t_end

t_begin "process: a relative cwd is refused"
run_cfg '.process.cwd = "tmp"' /bin/nook-test cwd
[ $rc -ne 0 ] || t_why "run succeeded (output '$out')"
t_end

t_begin "process: terminal gives the process a pty on 0, 1, 2"
# The runtime's own stdin must be a terminal for a foreground run:
# script(1) gives it one.
if command -v script >/dev/null 2>&1; then
	make_bundle "$B" /bin/nook-test tty >/dev/null 2>&1
	cfg "$B" '.process.terminal = true'
	new_id
	out=$(script -qec "$T_TIMEOUT_CMD $RUNTIME --root $T_ROOT run --bundle $B $ID" /dev/null </dev/null 2>&1 | tr -d '\r\000')
	expect_status "run" $? 0 "$out"
	expect_match "fd 0" "$out" "(^|[^0-9])0 tty /dev/pts/[0-9]+" # script(1) may echo a ^@ anywhere
	expect_match "fd 1" "$out" "(^|[^0-9])1 tty /dev/pts/[0-9]+"
	expect_match "fd 2" "$out" "(^|[^0-9])2 tty /dev/pts/[0-9]+"
	t_end
else
	skip "$T_CUR" "optional: needs script(1) for a terminal"
fi

t_begin "process: no terminal, no tty"
run_cfg '.process.terminal = false' /bin/nook-test tty
expect_eq "tty" "$(echo $out)" "0 notty 1 notty 2 notty"
t_end
