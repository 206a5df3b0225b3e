#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: `create` and `run` must exit non-zero with ONE line on stderr
# naming what is wrong, and leave nothing behind: no state under --root, no
# cgroup, no process, no host mount mentioning the bundle or the id.
. "$(dirname "$0")/../lib.sh"

CG2=$(cg2_mount)
B=$T_DIR/b

# leftovers ID BUNDLE: what a failed command left behind (empty: nothing)
leftovers() {
	_l=
	[ -n "$(ls -A "$T_ROOT" 2>/dev/null)" ] && _l="$_l state: $(ls -A "$T_ROOT" | tr '\n' ' ');"
	# (an invalid id names no cgroup: "../x" would be a parent's sibling)
	case $1 in
	'' | . | .. | *[!A-Za-z0-9_.-]*) ;;
	*)
		if [ -n "$CG2" ]; then
			for _d in "$CG2/nook/$1" "$CG2/$1"; do
				[ -d "$_d" ] && _l="$_l cgroup $_d;"
			done
		fi
		;;
	esac
	# by the bundle path, and by the id where it is one of ours (an invalid
	# id like "a/b" could be in anyone's command line); twice, so that a
	# process merely passing by is not counted
	for _try in 1 2; do
		_p=$(procs_mentioning "$2")
		case $1 in
		nt-*) _p="$_p $(procs_mentioning "$1")" ;;
		esac
		_p=$(echo $_p)
		[ -z "$_p" ] && break
		sleep 0.3
	done
	[ -n "$_p" ] && _l="$_l processes: $(for _q in $_p; do printf "%s(%s) " "$_q" "$(tr "\0" " " <"/proc/$_q/cmdline" 2>/dev/null)"; done);"
	grep -qF -- "$2" /proc/self/mountinfo && _l="$_l mounts: $(grep -F -- "$2" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ');"
	printf '%s' "$_l"
}

# check_bad NAME ERE ID: `create` then `run` of bundle $B as ID; both must
# fail with one stderr line matching ERE (case-insensitive) and leave
# nothing behind.
check_bad() {
	t_begin "bad input: $1"
	for _cmd in create run; do
		rt $_cmd --bundle "$B" "$3" </dev/null >"$T_DIR/out" 2>"$T_DIR/err"
		_rc=$?
		_err=$(cat "$T_DIR/err")
		if [ $_rc -eq 0 ]; then
			t_why "$_cmd succeeded"
			rt delete --force "$3" >/dev/null 2>&1
			continue
		fi
		[ "$(grep -c . "$T_DIR/err")" -eq 1 ] ||
			t_why "$_cmd: stderr is not one line: '$(oneline "$_err")'"
		printf '%s\n' "$_err" | grep -Eiq -- "$2" ||
			t_why "$_cmd: error '$(oneline "$_err")' does not name /$2/"
		_l=$(leftovers "$3" "$B")
		[ -n "$_l" ] && t_why "$_cmd left:$_l"
		# do not let one case's leftovers fail the next
		[ -n "$_l" ] && rt delete --force "$3" >/dev/null 2>&1
	done
	t_end
}

# fresh FILTER: a new bundle running /bin/nook-test true, FILTER applied
fresh() {
	make_bundle "$B" /bin/nook-test true >/dev/null && cfg "$B" "$@"
}

fresh '.'
printf '{"ociVersion": "1.0.2", "process": {"args": ["/bin/true"' >"$B/config.json"
new_id
check_bad "malformed config.json" "config\.json|json" "$ID"

fresh '.process.user.uid = "zero"'
new_id
check_bad "a string for process.user.uid" "uid" "$ID"

fresh '.linux.namespaces += [{type: "foo"}]'
new_id
check_bad "unknown namespace type foo" "foo" "$ID"

fresh --arg p "$T_DIR/no-such-rootfs" '.root.path = $p'
new_id
check_bad "a rootfs that does not exist" "$T_DIR/no-such-rootfs" "$ID"

fresh '.process.args = []'
new_id
check_bad "empty process.args" "args" "$ID"

fresh '.mounts += [{destination: "../../x", type: "tmpfs", source: "tmpfs"}]'
new_id
check_bad "a mount destination outside the rootfs (../../x)" "\.\./\.\./x" "$ID"
[ -e "$T_DIR/x" ] && fail "bad input: ../../x" "$T_DIR/x was created"

fresh '.process.rlimits += [{type: "RLIMIT_FOO", soft: 1, hard: 1}]'
new_id
check_bad "unknown rlimit RLIMIT_FOO" "RLIMIT_FOO" "$ID"

fresh '.linux.seccomp = {defaultAction: "SCMP_ACT_FOO"}'
new_id
check_bad "unknown seccomp action SCMP_ACT_FOO" "SCMP_ACT_FOO" "$ID"

fresh '.hostname = "h" | .linux.namespaces |= map(select(.type != "uts"))'
new_id
check_bad "hostname without a uts namespace" "hostname|uts" "$ID"

new_id
fresh --arg p "/nook/../../$ID" '.linux.cgroupsPath = $p'
check_bad "a cgroupsPath with .." "\.\." "$ID"

if [ -n "$CG2" ] && ! grep -qw memory "$CG2/cgroup.controllers" 2>/dev/null; then
	fresh '.linux.resources.memory = {limit: 67108864}'
	new_id
	check_bad "memory limit without a memory controller in cgroup2" "memory" "$ID"
else
	skip "bad input: memory limit without a memory controller in cgroup2" \
		"optional: this host's cgroup2 has a memory controller"
fi

fresh '.'
for bad in "a/b" ".." "../escape-$$" "a b" ".hidden"; do
	check_bad "invalid id '$bad'" "$(printf '%s' "$bad" | sed 's/[.]/\\./g')" "$bad"
done
[ -e "$(dirname "$T_ROOT")/escape-$$" ] && fail "bad input: id ../escape" "$(dirname "$T_ROOT")/escape-$$ was created"
for _e in "$CG2/escape-$$" "$CG2/nook/escape-$$"; do
	[ -n "$CG2" ] && [ -e "$_e" ] && fail "bad input: id ../escape" "$_e was created"
done

t_begin "bad input: a bundle that does not exist"
new_id
out=$(rt create --bundle "$T_DIR/no-such-bundle" "$ID" </dev/null 2>&1)
rc=$?
[ $rc -ne 0 ] || t_why "create succeeded"
expect_match "error" "$out" "$T_DIR/no-such-bundle"
expect_eq "state left" "$(ls -A "$T_ROOT")" ""
t_end
