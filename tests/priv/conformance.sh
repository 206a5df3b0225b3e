#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What runc and crun do that the runtime spec leaves to the runtime, and
# that programs written against them count on: HOME from the container's
# /etc/passwd, `kill ID 0`, loopback up, what hooks see, ENOSYS for
# syscalls newer than a seccomp profile, exec into a paused container, the
# namespaces of `spec`.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# home_of OUTPUT: the HOME line of `nook-test env` ("none" if absent)
home_of() {
	printf '%s\n' "$1" | sed -n 's/^HOME=//p' | grep . || echo none
}

# ---- 1. HOME ----------------------------------------------------------------

NOHOME='.process.env = [.process.env[] | select(startswith("HOME=") | not)]'

t_begin "conformance: run without HOME gets the user's home from the container's /etc/passwd"
run_cfg "$NOHOME | .process.user = {uid: 1000, gid: 1000}" /bin/nook-test env
expect_status "run" $rc 0 "$out"
expect_eq "HOME of uid 1000" "$(home_of "$out")" /home/test
run_cfg "$NOHOME | .process.user = {uid: 0, gid: 0}" /bin/nook-test env
expect_eq "HOME of uid 0" "$(home_of "$out")" /root
run_cfg "$NOHOME | .process.user = {uid: 4242, gid: 4242}" /bin/nook-test env
expect_eq "HOME of a uid not in /etc/passwd" "$(home_of "$out")" /
run_cfg "$NOHOME | .process.env += [\"HOME=/elsewhere\"]" /bin/nook-test env
expect_eq "HOME set in process.env" "$(home_of "$out")" /elsewhere
t_end

t_begin "conformance: exec without HOME gets the user's home"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1 && cfg "$B" "$NOHOME"
new_id
C=$ID
if start_bg "$B" "$C"; then
	out=$(rt exec --user 1000:1000 "$C" /bin/nook-test env 2>&1)
	expect_status "exec" $? 0 "$out"
	expect_eq "HOME of uid 1000" "$(home_of "$out")" /home/test
	out=$(rt exec "$C" /bin/nook-test env 2>&1)
	expect_eq "HOME of uid 0" "$(home_of "$out")" /root
	out=$(rt exec --env HOME=/x "$C" /bin/nook-test env 2>&1)
	expect_eq "HOME from --env" "$(home_of "$out")" /x
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 2. kill ID 0 -----------------------------------------------------------

t_begin "conformance: kill ID 0 checks the init exists and exits 0"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1
new_id
C=$ID
if start_bg "$B" "$C"; then
	out=$(rt kill "$C" 0 2>&1)
	expect_status "kill 0 of a running container" $? 0 "$out"
	expect_eq "status after kill 0" "$(status "$C")" running
	rt kill "$C" KILL >/dev/null 2>&1
	wait_status "$C" stopped || t_why "did not stop after KILL"
	out=$(rt kill "$C" 0 2>&1)
	expect_ne "kill 0 of a stopped container" $? 0
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 3. loopback ------------------------------------------------------------

# /sys/class/net/lo/flags: IFF_UP is bit 0 (0x9 up, 0x8 down)
t_begin "conformance: lo is up in a new network namespace"
run_cfg '.' /bin/nook-test cat /sys/class/net/lo/flags
expect_status "run" $rc 0 "$out"
expect_eq "lo flags" "$out" 0x9
t_end

# ---- 4. hooks ---------------------------------------------------------------

# A hook on the host that records the status it reads on stdin, its
# environment (through /usr/bin/env: dash exports no PATH of its own) and
# says something on stdout and stderr.  The runtime spec: the create
# operation (prestart, createRuntime, createContainer) sees "creating",
# startContainer "created" (create finished, the program not yet run),
# poststart "running", poststop "stopped".
H=$T_DIR/hooks
mkdir -p "$H"
cat >"$H/hook" <<HOOK
#!/bin/sh
jq -r .status >"$H/\$1.status"
/usr/bin/env >"$H/\$1.env"
echo "hook-out-\$1"
echo "hook-err-\$1" >&2
HOOK
chmod 0755 "$H/hook"

t_begin "conformance: hooks read the state of their phase, find programs without env, and their output passes through"
make_bundle "$B" /bin/nook-test true >/dev/null 2>&1
# startContainer runs in the container: a script in its rootfs
cat >"$B/rootfs/bin/hook" <<'HOOK'
#!/bin/sh
cat >/tmp/startContainer.status
HOOK
chmod 0755 "$B/rootfs/bin/hook"
cfg "$B" --arg h "$H/hook" '.hooks = {
	prestart: [{path: $h, args: ["hook", "prestart"]}],
	createRuntime: [{path: $h, args: ["hook", "createRuntime"]}],
	createContainer: [{path: $h, args: ["hook", "createContainer"]}],
	startContainer: [{path: "/bin/hook", args: ["hook"], env: ["PATH=/bin"]}],
	poststart: [{path: $h, args: ["hook", "poststart"]}],
	poststop: [{path: $h, args: ["hook", "poststop"]}]}'
new_id
rt run --bundle "$B" "$ID" </dev/null >"$T_DIR/hook.out" 2>"$T_DIR/hook.err"
expect_status "run" $? 0 "$(cat "$T_DIR/hook.err")"
for k in prestart:creating createRuntime:creating createContainer:creating \
	poststart:running poststop:stopped; do
	expect_eq "status seen by ${k%%:*}" "$(cat "$H/${k%%:*}.status" 2>/dev/null)" "${k#*:}"
	expect_match "PATH of ${k%%:*}" "$(cat "$H/${k%%:*}.env" 2>/dev/null)" \
		'^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$'
done
expect_eq "status seen by startContainer" "$(jq -r .status "$B/rootfs/tmp/startContainer.status" 2>/dev/null)" created
expect_match "hook stdout on the runtime's stdout" "$(cat "$T_DIR/hook.out")" '^hook-out-prestart$'
expect_match "hook stdout on the runtime's stdout" "$(cat "$T_DIR/hook.out")" '^hook-out-poststop$'
expect_match "hook stderr on the runtime's stderr" "$(cat "$T_DIR/hook.err")" '^hook-err-createRuntime$'
expect_match "hook stderr on the runtime's stderr" "$(cat "$T_DIR/hook.err")" '^hook-err-poststart$'
t_end

t_begin "conformance: create then start: startContainer sees created, poststart running"
rm -f "$H"/*.status "$B/rootfs/tmp/startContainer.status"
cfg "$B" '.process.args = ["/bin/nook-test", "sleep", "60"]'
new_id
C=$ID
rt create --bundle "$B" "$C" </dev/null >"$T_DIR/hook.out" 2>"$T_DIR/hook.err"
expect_status "create" $? 0 "$(cat "$T_DIR/hook.err")"
expect_eq "status seen by createRuntime" "$(cat "$H/createRuntime.status" 2>/dev/null)" creating
rt start "$C" >/dev/null 2>&1
expect_status "start" $? 0
wait_file "$B/rootfs/tmp/startContainer.status" . 2
expect_eq "status seen by startContainer" "$(jq -r .status "$B/rootfs/tmp/startContainer.status" 2>/dev/null)" created
expect_eq "status seen by poststart" "$(cat "$H/poststart.status" 2>/dev/null)" running
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 5. seccomp: ENOSYS for syscalls newer than the profile -----------------

# What a static musl nook-test needs, and mkdir: all older than clone3.
ALLOW='["execve", "brk", "arch_prctl", "set_tid_address", "mmap", "munmap",
	"mprotect", "madvise", "read", "readv", "write", "writev", "close",
	"exit", "exit_group", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn",
	"ioctl", "fstat", "newfstatat", "lseek", "getpid", "gettid", "futex",
	"open", "openat", "fcntl", "mkdir", "mkdirat"]'

t_begin "conformance: seccomp ERRNO default: clone3, newer than the profile, gets ENOSYS; older syscalls keep the errno"
run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", architectures: [\"SCMP_ARCH_X86_64\"],
	syscalls: [{names: $ALLOW, action: \"SCMP_ACT_ALLOW\"}]}" \
	/bin/nook-test syscall clone3
expect_status "run" $rc 0 "$out"
expect_eq "clone3" "$out" "errno 38 ENOSYS"
run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", architectures: [\"SCMP_ARCH_X86_64\"],
	syscalls: [{names: ($ALLOW - [\"mkdir\", \"mkdirat\"]), action: \"SCMP_ACT_ALLOW\"}]}" \
	/bin/nook-test syscall mkdir /tmp/d
expect_eq "mkdir, not allowed" "$out" "errno 1 EPERM"
run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", defaultErrnoRet: 13,
	architectures: [\"SCMP_ARCH_X86_64\"], syscalls: [{names: $ALLOW, action: \"SCMP_ACT_ALLOW\"}]}" \
	/bin/nook-test syscall clone3
expect_eq "clone3 with defaultErrnoRet 13" "$out" "errno 38 ENOSYS"
t_end

t_begin "conformance: seccomp: a profile that names clone3 keeps its own answer"
run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ERRNO\", architectures: [\"SCMP_ARCH_X86_64\"],
	syscalls: [{names: $ALLOW, action: \"SCMP_ACT_ALLOW\"},
		{names: [\"clone3\"], action: \"SCMP_ACT_ERRNO\", errnoRet: 1}]}" \
	/bin/nook-test syscall clone3
expect_eq "clone3 named with EPERM" "$out" "errno 1 EPERM"
run_cfg ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
	syscalls: [{names: [\"mkdir\"], action: \"SCMP_ACT_ERRNO\"}]}" \
	/bin/nook-test syscall clone3
expect_eq "clone3 under an ALLOW default" "$out" "errno 22 EINVAL"
t_end

# ---- 6. exec: paused containers, --pid-file ----------------------------------

t_begin "conformance: exec into a paused container is refused with 255 unless --ignore-paused"
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1
new_id
C=$ID
if start_bg "$B" "$C"; then
	out=$(rt pause "$C" 2>&1)
	if [ $? -ne 0 ]; then
		t_why "pause failed: $out"
	else
		out=$(rt exec "$C" /bin/nook-test true 2>&1)
		expect_status "exec into paused" $? 255 "$out"
		expect_imatch "error" "$out" 'paused'
		rt resume "$C" >/dev/null 2>&1
		out=$(rt exec "$C" /bin/nook-test true 2>&1)
		expect_status "exec after resume" $? 0 "$out"
	fi
else
	t_why "container did not start: $(cat "$T_DIR/$C.err")"
fi
t_end

t_begin "conformance: exec --pid-file in a directory that does not exist fails with 255"
if [ "$(status "$C")" = running ]; then
	out=$(rt exec --pid-file "$T_DIR/no/such/dir/pid" "$C" /bin/nook-test true 2>&1)
	expect_status "exec" $? 255 "$out"
	[ -e "$T_DIR/no" ] && t_why "$T_DIR/no was created"
else
	t_why "container not running"
fi
t_end
rt delete --force "$C" >/dev/null 2>&1

# ---- 7. spec: runc's namespaces --------------------------------------------

# runc's `spec` (specconv.Example): pid, network, ipc, uts, mount, and
# cgroup only where /sys/fs/cgroup is cgroup2 (unified); --rootless drops
# network and appends user.
if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	CGNS=,cgroup
else
	CGNS=
fi

t_begin "conformance: spec writes runc's namespaces"
rm -rf "$T_DIR/spec" && mkdir -p "$T_DIR/spec"
(cd "$T_DIR/spec" && rt spec) || t_why "spec failed"
expect_eq "namespaces" "$(jq -r '[.linux.namespaces[].type] | join(",")' "$T_DIR/spec/config.json")" \
	"pid,network,ipc,uts,mount$CGNS"
rm -f "$T_DIR/spec/config.json"
(cd "$T_DIR/spec" && rt spec --rootless) || t_why "spec --rootless failed"
expect_eq "rootless namespaces" "$(jq -r '[.linux.namespaces[].type] | join(",")' "$T_DIR/spec/config.json")" \
	"pid,ipc,uts,mount$CGNS,user"
t_end

if [ -z "$CGNS" ]; then
	t_begin "conformance: a caller adding the cgroup namespace runc's spec lacks can run it"
	run_cfg '.linux.namespaces += [{type: "cgroup"}]' /bin/nook-test true
	expect_status "run with a cgroup namespace added" $rc 0 "$out"
	t_end
else
	skip "conformance: adding a cgroup namespace" "/sys/fs/cgroup is cgroup2: runc's spec has one"
fi
