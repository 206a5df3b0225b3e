#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp as runc and crun apply it: ENOSYS for every syscall number
# above the profile's (errno defaults), the filter after the runtime's own
# checks, startContainer hooks under the filter, and SCMP_ACT_NOTIFY with
# the seccomp-agent protocol (listenerPath, listenerMetadata).
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# What a static musl nook-test and a shell loop need, and mkdir (the
# highest on x86_64 is clone3, 435).  The checks by number are x86_64's.
ALLOW='["execve", "brk", "arch_prctl", "set_tid_address", "mmap", "munmap",
	"mprotect", "madvise", "read", "readv", "write", "writev", "close",
	"exit", "exit_group", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn",
	"ioctl", "fstat", "newfstatat", "lseek", "getpid", "gettid", "futex",
	"open", "openat", "fcntl", "mkdir", "mkdirat", "clone", "clone3", "vfork",
	"fork", "wait4", "waitid", "dup", "dup2", "dup3", "getcwd", "stat", "statx",
	"getuid", "getgid", "geteuid", "getegid", "getppid", "pipe", "pipe2",
	"uname", "access", "faccessat", "faccessat2", "prlimit64", "sysinfo",
	"set_robust_list", "rseq", "poll", "ppoll", "getpgrp", "setpgid", "kill",
	"fstatfs", "statfs", "sched_yield", "nanosleep", "epoll_pwait", "epoll_ctl",
	"epoll_create1", "tgkill", "sigaltstack", "getdents64", "capget", "capset",
	"prctl", "setgroups", "setresuid", "setresgid", "chdir", "fchdir", "getrandom",
	"sched_getaffinity", "mincore", "readlinkat", "fchown", "umask", "setsid"]'
X86_64=0
[ "$(uname -m)" = x86_64 ] && X86_64=1
# Where nook goes further than runc (1.1): checks that runc fails are
# run against nook only (NOOK_RUNTIME=runc validates the others).
NOOK=0
[ "$(basename "$(runtime_path)")" = nook ] && NOOK=1

# ---- 1. ENOSYS above the profile's highest number ---------------------------

if [ $X86_64 = 1 ]; then
	# 462 mseal, 463-466 *xattrat, 467 open_tree_attr, 470: numbers
	# libseccomp 2.5.4 does not know; 100 (times) is older and unnamed.
	# Without architectures runc adds no stub; nook covers the native one.
	for which in listed native; do
		arch='architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],'
		if [ $which = native ]; then
			[ $NOOK = 1 ] || continue
			arch=
		fi
		t_begin "seccomp-conformance: errno default: syscalls numbered above the profile get ENOSYS (architectures: $which)"
		for pass in build cache; do
			run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", $arch
				syscalls: [{names: $ALLOW, action: \"SCMP_ACT_ALLOW\"}]}" \
				/bin/sh -c 'for n in 462 463 467 470 1000 100; do nook-test syscall nr $n; done'
			expect_status "run ($pass)" $rc 0 "$out"
			expect_eq "462 463 467 470 1000, then 100 ($pass)" "$(echo $out)" \
				"errno 38 ENOSYS errno 38 ENOSYS errno 38 ENOSYS errno 38 ENOSYS errno 38 ENOSYS errno 1 EPERM"
		done
		t_end
	done
	t_begin "seccomp-conformance: errno default: a profile naming a newer syscall keeps the errno below it"
	run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", defaultErrnoRet: 13,
		architectures: [\"SCMP_ARCH_X86_64\"], syscalls: [{names: ($ALLOW + [\"fchmodat2\"]), action: \"SCMP_ACT_ALLOW\"}]}" \
		/bin/sh -c 'for n in 400 470; do nook-test syscall nr $n; done'
	expect_eq "400 below fchmodat2 (452), 470 above" "$(echo $out)" "errno 13 EACCES errno 38 ENOSYS"
	t_end
else
	skip "seccomp-conformance: ENOSYS by number" "the numbers are x86_64's"
fi

# ---- 2. the runtime's own checks are not the profile's business -------------

# runc checks the cwd under the filter here (and fails).
if [ $NOOK = 1 ]; then
t_begin "seccomp-conformance: without no_new_privs, a profile denying getcwd does not fail the cwd check"
run_cfg '.process.noNewPrivileges = false | .process.cwd = "/tmp" |
	.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["getcwd"], action: "SCMP_ACT_ERRNO"}]}' \
	/bin/nook-test syscall mkdir /tmp/x
expect_status "run" $rc 0 "$out"
expect_eq "mkdir" "$out" ok
t_end
fi

t_begin "seccomp-conformance: with no_new_privs, a profile denying getcwd, stat and access does not fail the start"
run_cfg '.process.cwd = "/tmp" |
	.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["getcwd", "stat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
		"close_range", "prctl", "capset", "setresuid", "setresgid", "setgroups", "chdir"],
		action: "SCMP_ACT_ERRNO"}]}' \
	/bin/nook-test syscall mkdir /tmp/x
expect_status "run" $rc 0 "$out"
expect_eq "mkdir" "$out" ok
t_end

t_begin "seccomp-conformance: without no_new_privs, --preserve-fds keeps its fds under a filter"
make_bundle "$B" /bin/nook-test fds >/dev/null 2>&1
cfg "$B" '.process.noNewPrivileges = false | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
new_id
out=$(rt run --preserve-fds 1 --bundle "$B" "$ID" 3</dev/null </dev/null 2>&1)
expect_status "run" $? 0 "$out"
expect_match "fd 3" "$out" "^3 /dev/null$"
t_end

# ---- 3. startContainer runs under the filter --------------------------------

for nnp in true false; do
	t_begin "seccomp-conformance: the startContainer hook runs under the container's filter (noNewPrivileges $nnp)"
	make_bundle "$B" /bin/nook-test true >/dev/null 2>&1
	cat >"$B/rootfs/bin/hook" <<'HOOK'
#!/bin/sh
/bin/nook-test syscall mkdir /tmp/hookdir >/tmp/hook.out
HOOK
	chmod 0755 "$B/rootfs/bin/hook"
	cfg "$B" --argjson n $nnp '.process.noNewPrivileges = $n |
		.hooks = {startContainer: [{path: "/bin/hook"}]} |
		.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "mkdir in the hook" "$(cat "$B/rootfs/tmp/hook.out" 2>/dev/null)" "errno 1 EPERM"
	t_end
done

# ---- 4. SCMP_ACT_NOTIFY and the seccomp agent -------------------------------

# The agent: takes connections on $1, records each ContainerProcessState
# and the notified syscall numbers in $2, answers every notification with
# EXDEV (which mkdir never returns on its own for a path in one directory).
AGENT=$T_DIR/agent.py
cat >"$AGENT" <<'PY'
import fcntl, json, socket, struct, sys, threading
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(4)
out = open(sys.argv[2], "w", buffering=1)
lock = threading.Lock()
RECV, SEND = 0xC0502100, 0xC0182101  # _IOWR('!', 0/1, notif (80) / resp (24))
def serve(fd):
    while True:
        buf = bytearray(80)
        try:
            fcntl.ioctl(fd, RECV, buf)
        except OSError:
            return
        nid, pid, flags, nr = struct.unpack_from("=QIIi", buf)
        with lock:
            out.write("nr %d\n" % nr)
        try:
            fcntl.ioctl(fd, SEND, struct.pack("=QqiI", nid, 0, -18, 0))
        except OSError:
            pass
while True:
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
    conn.close()
    st = json.loads(msg)
    with lock:
        out.write("fds %s pid %s metadata %s id %s status %s nfds %d\n" % (
            ",".join(st["fds"]), st["pid"] > 0, st.get("metadata", ""), st["state"].get("id"),
            st["state"].get("status"), len(fds)))
    threading.Thread(target=serve, args=(fds[0],), daemon=True).start()
PY

if ! python3 -c 'import socket; socket.recv_fds' 2>/dev/null; then
	skip "seccomp-conformance: SCMP_ACT_NOTIFY" "no python3 with socket.recv_fds for the test agent"
else
	t_begin "seccomp-conformance: SCMP_ACT_NOTIFY: the agent at listenerPath gets the listener and answers mkdir"
	rm -f "$T_DIR/agent.sock" "$T_DIR/agent.log"
	python3 "$AGENT" "$T_DIR/agent.sock" "$T_DIR/agent.log" &
	track_pid $!
	i=0
	while [ ! -S "$T_DIR/agent.sock" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
		listenerPath: \"$T_DIR/agent.sock\", listenerMetadata: \"hello\",
		syscalls: [{names: [\"mkdir\", \"mkdirat\"], action: \"SCMP_ACT_NOTIFY\"}]}" \
		/bin/sh -c 'nook-test syscall mkdir /tmp/n; nook-test syscall chmod /tmp 1777'
	expect_status "run" $rc 0 "$out"
	expect_eq "mkdir answered by the agent, chmod by the kernel" "$(echo $out)" "errno 18 EXDEV ok"
	expect_eq "what the agent got" "$(head -n 1 "$T_DIR/agent.log" 2>/dev/null)" \
		"fds seccompFd pid True metadata hello id $ID status creating nfds 1"
	[ $X86_64 = 1 ] && expect_match "notified syscall" "$(cat "$T_DIR/agent.log" 2>/dev/null)" "^nr 83$"
	[ -e "$B/rootfs/tmp/n" ] && t_why "/tmp/n was created"
	t_end

	t_begin "seccomp-conformance: SCMP_ACT_NOTIFY: create, start and exec hand their listeners to the agent"
	: >"$T_DIR/agent.log"
	make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1
	cfg "$B" --arg l "$T_DIR/agent.sock" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		listenerPath: $l, syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}'
	new_id
	C=$ID
	rt create --bundle "$B" "$C" </dev/null >"$T_DIR/$C.out" 2>"$T_DIR/$C.err"
	expect_status "create" $? 0 "$(cat "$T_DIR/$C.err")"
	out=$(rt start "$C" 2>&1)
	expect_status "start" $? 0 "$out"
	expect_eq "the agent got the init's listener at create" \
		"$(grep -c "^fds seccompFd pid True metadata  id $C status creating nfds 1$" "$T_DIR/agent.log")" 1
	out=$(rt exec "$C" /bin/nook-test syscall mkdir /tmp/e 2>&1)
	expect_status "exec" $? 0 "$out"
	expect_eq "mkdir in exec, answered by the agent" "$out" "errno 18 EXDEV"
	expect_eq "listeners the agent got" "$(grep -c '^fds seccompFd pid True .* nfds 1$' "$T_DIR/agent.log")" 2
	t_end
	rt delete --force "$C" >/dev/null 2>&1

	t_begin "seccomp-conformance: SCMP_ACT_NOTIFY without listenerPath, or as the default, is refused"
	run_cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]}' /bin/nook-test true
	expect_ne "run without listenerPath" $rc 0
	expect_match "error" "$out" "listenerPath"
	run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_NOTIFY\", listenerPath: \"$T_DIR/agent.sock\",
		syscalls: [{names: [\"mkdir\"], action: \"SCMP_ACT_ALLOW\"}]}" /bin/nook-test true
	expect_ne "run with a NOTIFY default" $rc 0
	expect_imatch "error" "$out" "default"
	# nook hands the listener over with sendmsg: notified, it would wait
	# for an agent that has no listener yet (runc refuses write so).
	if [ $NOOK = 1 ]; then
		run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\", listenerPath: \"$T_DIR/agent.sock\",
			syscalls: [{names: [\"sendmsg\"], action: \"SCMP_ACT_NOTIFY\"}]}" /bin/nook-test true
		expect_ne "run with NOTIFY for sendmsg (the handover)" $rc 0
		expect_match "error" "$out" "sendmsg"
	fi
	t_end
fi

# ---- results ---------------------------------------------------------------

T_TIER=${NOOK_TEST_TIER:-priv}
. "$T_TOP/tests/result.sh"
