#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line of `nook runtime` as runc's callers see it: ps, list,
# --version and --help in runc's formats; exec --no-new-privs and exec -t
# on the caller's terminal; --debug and --log; and what runc does that the
# spec leaves open: a missing process.cwd is made, a cwd only root can
# enter is entered before the user switch, a hostname with a joined
# (not the host's) uts namespace, bind sources opened before a new user
# namespace, and a new user namespace without mappings is refused.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# ---- 1. formats -------------------------------------------------------------

t_begin "conformance-runtime: --version and --help in runc's layout"
out=$(rt --version 2>&1)
expect_status "--version" $? 0 "$out"
expect_match "first line" "$(printf '%s\n' "$out" | head -n1)" '^nook-runtime version [0-9]'
expect_match "spec line" "$out" '^spec: 1\.[0-9]+\.[0-9]+$'
out=$(rt -v 2>&1)
expect_match "-v" "$out" '^nook-runtime version '
out=$(rt --help 2>&1)
expect_status "--help" $? 0 "$out"
for h in NAME: USAGE: VERSION: COMMANDS: "GLOBAL OPTIONS:"; do
	expect_match "--help section $h" "$out" "^$h\$"
done
expect_match "--help command line" "$out" '^   list  +lists containers'
expect_eq "-h same as --help" "$(rt -h 2>&1)" "$out"
t_end

make_bundle "$B" /bin/nook-test sleep 60 >/dev/null 2>&1
new_id
C=$ID
start_bg "$B" "$C" || t_why "container did not start: $(cat "$T_DIR/$C.err")"

t_begin "conformance-runtime: list table is runc's (tabwriter, owner, created)"
out=$(rt list 2>&1)
expect_status "list" $? 0 "$out"
pid=$(state_field "$C" pid)
created=$(rt list --format json 2>/dev/null | jq -r '.[0].created')
# Go's tabwriter: each column but the last max(12, widest cell + 3) wide
w() { [ $(($1 + 3)) -lt 12 ] && echo 12 || echo $(($1 + 3)); }
expect_eq "header" "$(printf '%s\n' "$out" | head -n1)" \
	"$(printf '%-*s%-12s%-12s%-*s%-*sOWNER' "$(w ${#C})" ID PID STATUS "$(w ${#B})" BUNDLE "$(w ${#created})" CREATED)"
expect_eq "row" "$(printf '%s\n' "$out" | sed -n 2p)" \
	"$(printf '%-*s%-12s%-12s%-*s%-*sroot' "$(w ${#C})" "$C" "$pid" running "$(w ${#B})" "$B" "$(w ${#created})" "$created")"
# Go's RFC3339Nano: no trailing zeros in the fraction
expect_match "created" "$created" '^[0-9-]+T[0-9:]+(\.[0-9]*[1-9])?Z$'
t_end

t_begin "conformance-runtime: list -q and list --format json"
out=$(rt list -q 2>&1)
expect_eq "list -q" "$out" "$C"
out=$(rt list --format json 2>&1)
expect_eq "json is one line" "$(printf '%s\n' "$out" | wc -l)" 1
expect_eq "json id" "$(printf '%s' "$out" | jq -r '.[0].id')" "$C"
expect_eq "json pid" "$(printf '%s' "$out" | jq -r '.[0].pid')" "$pid"
expect_eq "json owner" "$(printf '%s' "$out" | jq -r '.[0].owner')" root
expect_eq "json keys" "$(printf '%s' "$out" | jq -c '.[0] | keys_unsorted')" \
	'["ociVersion","id","pid","status","bundle","rootfs","created","owner"]'
mkdir -p "$T_DIR/empty-root"
out=$(rt --root "$T_DIR/empty-root" list --format json 2>&1)
expect_eq "no containers" "$out" null
out=$(rt --root "$T_DIR/no-root" list 2>&1)
expect_ne "a --root that does not exist" $? 0
t_end

t_begin "conformance-runtime: ps is ps -ef filtered to the container, ps --format json"
out=$(rt ps "$C" 2>&1)
expect_status "ps" $? 0 "$out"
expect_match "header of ps -ef" "$(printf '%s\n' "$out" | head -n1)" '^UID +PID +PPID '
expect_match "the init's line" "$out" "^[^ ]+ +$pid +.*sleep 60\$"
expect_eq "only the container's processes" "$(printf '%s\n' "$out" | wc -l)" 2
out=$(rt ps "$C" -o pid,comm 2>&1)
expect_match "ps arguments" "$out" "^ *$pid nook-test\$"
out=$(rt ps --format json "$C" 2>&1)
expect_eq "ps json" "$out" "[$pid]"
t_end

# ---- 2. exec ------------------------------------------------------------------

t_begin "conformance-runtime: exec --no-new-privs sets no_new_privs"
cfg "$B" '.process.noNewPrivileges = false'
rt delete --force "$C" >/dev/null 2>&1
start_bg "$B" "$C" || t_why "container did not start: $(cat "$T_DIR/$C.err")"
out=$(rt exec "$C" /bin/nook-test cat /proc/self/status 2>&1)
expect_match "without the flag" "$out" '^NoNewPrivs:[[:space:]]+0$'
out=$(rt exec --no-new-privs "$C" /bin/nook-test cat /proc/self/status 2>&1)
expect_status "exec --no-new-privs" $? 0 "$out"
expect_match "with the flag" "$out" '^NoNewPrivs:[[:space:]]+1$'
t_end

t_begin "conformance-runtime: exec -t without --console-socket uses the caller's terminal"
if command -v script >/dev/null 2>&1; then
	out=$(script -qec "$T_TIMEOUT_CMD $RUNTIME --root $T_ROOT exec -t $C /bin/nook-test tty" /dev/null </dev/null 2>&1 | tr -d '\r\000')
	expect_status "exec -t" $? 0 "$out"
	# script(1) may echo a ^@ anywhere
	expect_match "fd 0" "$out" "(^|[^0-9])0 tty /dev/pts/[0-9]+"
	expect_match "fd 1" "$out" "(^|[^0-9])1 tty /dev/pts/[0-9]+"
	out=$(rt exec -t -d "$C" /bin/nook-test true 2>&1)
	expect_ne "exec -t -d without --console-socket" $? 0
	expect_match "its error" "$out" "cannot allocate tty if runc will detach without setting console socket"
	t_end
else
	skip "$T_CUR" "optional: needs script(1) for a terminal"
fi
rt delete --force "$C" >/dev/null 2>&1

# ---- 3. --debug, --log ------------------------------------------------------

t_begin "conformance-runtime: --debug --log FILE writes logrus text lines"
L=$T_DIR/log.txt
rm -f "$L"
run_cfg '.' /bin/nook-test true
new_id
out=$(rt --debug --log "$L" run --bundle "$B" "$ID" </dev/null 2>&1)
expect_status "run" $? 0 "$out"
expect_match "debug lines" "$(cat "$L" 2>/dev/null)" '^time="[0-9-]+T[0-9:]+Z" level=debug msg=".+"$'
expect_eq "nothing on stderr" "$out" ""
t_end

t_begin "conformance-runtime: --log-format json writes JSON debug lines"
L=$T_DIR/log.json
rm -f "$L"
new_id
out=$(rt --debug --log "$L" --log-format json run --bundle "$B" "$ID" </dev/null 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "every line is JSON with level debug, msg, time" \
	"$(jq -r 'select(.level == "debug" and .msg != null and .time != null) | "x"' "$L" 2>/dev/null | sort -u)" x
t_end

t_begin "conformance-runtime: --debug without --log writes debug lines on stderr"
new_id
out=$(rt --debug run --bundle "$B" "$ID" </dev/null 2>&1)
expect_match "debug on stderr" "$out" 'level=debug msg='
t_end

t_begin "conformance-runtime: without --debug, no debug lines in the log"
L=$T_DIR/log2.txt
rm -f "$L"
new_id
rt --log "$L" run --bundle "$B" "$ID" </dev/null >/dev/null 2>&1
expect_eq "log" "$(cat "$L" 2>/dev/null)" ""
t_end

# ---- 4. cwd -------------------------------------------------------------------

t_begin "conformance-runtime: a missing process.cwd is created"
run_cfg '.process.cwd = "/new/dir" | .process.user = {uid: 1000, gid: 1000}' /bin/nook-test cwd
expect_status "run" $rc 0 "$out"
expect_eq "cwd" "$out" /new/dir
expect_eq "made in the bundle's rootfs" "$(stat -c %F "$B/rootfs/new/dir" 2>&1)" directory
t_end

t_begin "conformance-runtime: a missing cwd behind a symlink out of the root stays inside"
make_bundle "$B" /bin/nook-test cwd >/dev/null 2>&1
cfg "$B" '.process.cwd = "/escape/sub"'
rm -rf "$T_DIR/outside"
ln -s "$T_DIR/outside" "$B/rootfs/escape"
new_id
# runc's MkdirAll refuses the dangling link; either way nothing outside
out=$(bundle_run "$B" "$ID" 2>&1)
[ -e "$T_DIR/outside" ] && t_why "created $T_DIR/outside on the host ($out)"
t_end

t_begin "conformance-runtime: a cwd only root may enter is entered before the user switch"
make_bundle "$B" /bin/nook-test cwd >/dev/null 2>&1
cfg "$B" '.process.cwd = "/private" | .process.user = {uid: 1000, gid: 1000}'
mkdir -p "$B/rootfs/private" && chmod 700 "$B/rootfs/private"
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "cwd" "$out" /private
t_end

# ---- 5. uts -------------------------------------------------------------------

t_begin "conformance-runtime: hostname with a joined uts namespace (not the host's)"
host_h=$(hostname)
unshare --uts sleep 60 &
U=$!
track_pid $U
sleep 0.2
run_cfg ".hostname = \"joined-h\" | (.linux.namespaces[] | select(.type == \"uts\")) |= {type: \"uts\", path: \"/proc/$U/ns/uts\"}" /bin/nook-test hostname
expect_status "run" $rc 0 "$out"
expect_eq "hostname inside" "$out" joined-h
expect_eq "hostname of the joined namespace" "$(nsenter -t $U -u hostname 2>&1)" joined-h
expect_eq "host's hostname" "$(hostname)" "$host_h"
t_end

t_begin "conformance-runtime: hostname with the host's uts namespace joined is refused"
run_cfg ".hostname = \"host-h\" | (.linux.namespaces[] | select(.type == \"uts\")) |= {type: \"uts\", path: \"/proc/$$/ns/uts\"}" /bin/nook-test hostname
expect_ne "run" $rc 0
expect_match "error" "$out" "hostname.*uts|uts.*hostname"
expect_eq "host's hostname" "$(hostname)" "$host_h"
t_end

# ---- 6. user namespaces ------------------------------------------------------

USERNS='.linux.namespaces = [{type: "user"}, {type: "pid"}, {type: "network"},
		{type: "ipc"}, {type: "uts"}, {type: "mount"}] |
	.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	.linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}] |
	.mounts |= map(select(.destination != "/sys/fs/cgroup"))'

t_begin "conformance-runtime: a bind source only root may open is opened before the user namespace"
# under a directory that only the host's root may search
S=$T_DIR/priv/src
mkdir -p "$S" && echo secret-ok >"$S/f" && chmod 700 "$T_DIR/priv"
make_bundle "$B" /bin/nook-test mounts >/dev/null 2>&1
# the container's root cannot create mount points in a rootfs owned by
# the host's root
mkdir -p "$B/rootfs/mnt/b"
cfg "$B" --arg s "$S" "$USERNS"' | .mounts += [{destination: "/mnt/b", type: "bind", source: $s, options: ["rbind", "ro"]}]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "mounted" "$(mountopt /mnt/b)" "^[a-z0-9]+ ro"
t_end

t_begin "conformance-runtime: a new user namespace without mappings is refused (runc)"
run_cfg '.linux.namespaces += [{type: "user"}] | del(.linux.uidMappings, .linux.gidMappings)' /bin/nook-test id
expect_ne "run without mappings" $rc 0
expect_match "error" "$out" "[Mm]appings"
run_cfg '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | del(.linux.gidMappings)' /bin/nook-test id
expect_ne "run without gidMappings" $rc 0
expect_match "error" "$out" "gidMappings"
t_end
