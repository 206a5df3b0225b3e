#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# exec into a running container: args, exit code, --process, --env, --cwd,
# --user, -d, stdin, namespaces, the container's seccomp and capabilities.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b
make_bundle "$B" /bin/nook-test sleep 60 >/dev/null || { fail "exec: bundle" "make_bundle failed"; exit; }
cfg "$B" '.hostname = "exec-host" |
	.process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FROMCONFIG=1"] |
	.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]} |
	.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
new_id
C=$ID
if ! start_bg "$B" "$C" || ! wait_file "$T_DIR/$C.out" '^ready$'; then
	fail "exec: container" "did not start: $(cat "$T_DIR/$C.err")"
	exit
fi
pid=$(state_field "$C" pid)

t_begin "exec: runs a command in the container"
out=$(rt exec "$C" nook-test hostname 2>&1)
expect_status "exec" $? 0 "$out"
expect_eq "hostname" "$out" exec-host
t_end

t_begin "exec: exit code propagates"
out=$(rt exec "$C" /bin/nook-test exit 7 2>&1)
expect_status "exec" $? 7 "$out"
t_end

t_begin "exec: joins the container's namespaces"
out=$(rt exec "$C" /bin/nook-test ns 2>&1)
for ns in pid mnt net uts ipc; do
	expect_eq "$ns" "$(field $ns "$out")" "$(readlink "/proc/$pid/ns/$ns")"
done
out=$(rt exec "$C" /bin/nook-test pid 2>&1)
expect_ne "pid inside" "$(field pid "$out")" 1
expect_ne "pid inside" "$(field pid "$out")" ""
t_end

t_begin "exec: the container's env, --env adds"
out=$(rt exec --env FOO=bar --env FROMCONFIG=2 "$C" /bin/nook-test env 2>&1)
expect_match "env" "$out" "^FOO=bar$"
expect_match "env" "$out" "^PATH=/usr/sbin:/usr/bin:/sbin:/bin$"
expect_match "--env overrides" "$out" "^FROMCONFIG=2$"
expect_nomatch "--env overrides" "$out" "^FROMCONFIG=1$"
t_end

t_begin "exec: --cwd"
out=$(rt exec --cwd /usr/bin "$C" /bin/nook-test cwd 2>&1)
expect_eq "cwd" "$out" /usr/bin
t_end

t_begin "exec: --user 1000:1000"
out=$(rt exec --user 1000:1000 "$C" /bin/nook-test id 2>&1)
expect_status "exec" $? 0 "$out"
expect_eq "uid" "$(field uid "$out")" 1000
expect_eq "gid" "$(field gid "$out")" 1000
t_end

t_begin "exec: --process file"
cat >"$T_DIR/process.json" <<'EOF'
{
	"terminal": false,
	"user": {"uid": 1000, "gid": 1000, "additionalGids": [20]},
	"args": ["/bin/sh", "-c", "nook-test env; nook-test cwd; nook-test id; exit 5"],
	"env": ["PATH=/bin", "FROMJSON=yes"],
	"cwd": "/tmp"
}
EOF
out=$(rt exec --process "$T_DIR/process.json" "$C" 2>&1)
expect_status "exec" $? 5 "$out"
expect_match "env" "$out" "^FROMJSON=yes$"
expect_nomatch "env" "$out" "^FROMCONFIG="
expect_match "cwd" "$out" "^/tmp$"
expect_eq "uid" "$(field uid "$out")" 1000
expect_eq "groups" "$(field groups "$out")" 20
t_end

t_begin "exec: stdin reaches the process"
out=$(echo exec-stdin | rt exec "$C" /bin/cat 2>&1)
expect_eq "output" "$out" exec-stdin
t_end

t_begin "exec: -d returns at once, the process runs"
rt exec -d "$C" /bin/sh -c 'sleep 0.2; echo detached > /tmp/d' </dev/null >/dev/null 2>"$T_DIR/d.err"
expect_status "exec -d" $? 0 "$(cat "$T_DIR/d.err")"
wait_file "$B/rootfs/tmp/d" '^detached$' || t_why "the detached process did not run"
t_end

t_begin "exec: the container's seccomp filter and capabilities apply"
out=$(rt exec "$C" /bin/sh -c 'nook-test syscall mkdir /x; nook-test caps' 2>&1)
expect_match "mkdir" "$out" "^errno 1 EPERM$"
# CAP_KILL is bit 5
expect_eq "CapBnd" "$(field CapBnd "$out")" 0000000000000020
expect_eq "CapEff" "$(field CapEff "$out")" 0000000000000020
t_end

t_begin "exec: a missing executable fails and names it"
out=$(rt exec "$C" /no/such/binary 2>&1)
rc=$?
[ $rc -ne 0 ] || t_why "exec succeeded"
expect_match "error" "$out" "/no/such/binary"
t_end

t_begin "exec: into a stopped container fails"
rt kill "$C" KILL
wait_status "$C" stopped || t_why "container did not stop"
out=$(rt exec "$C" /bin/true 2>&1)
[ $? -ne 0 ] || t_why "exec into a stopped container succeeded"
t_end
