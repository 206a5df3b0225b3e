# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the privileged end-to-end tests (tests/priv/*.sh).  POSIX sh:
# it must also run under busybox ash.  Source it as
#	. "$(dirname "$0")/../lib.sh"
#
# Environment:
#   NOOK_RUNTIME       the runtime to test: a path or a name in PATH ("runc"
#                      to validate the tests themselves); default
#                      build/x86_64/nook-runtime
#   NOOK_TEST_ROOTFS   a rootfs made by tests/mkrootfs.sh; default
#                      build/test-rootfs, (re)built on use with
#   NOOK_TEST_PAYLOAD  the static nook-test; default build/x86_64/nook-test
#   NOOK_TEST_ROOTFS_READY=1  use NOOK_TEST_ROOTFS as it is (run-priv.sh
#                      built it once for all scripts)
#   NOOK_TEST_TIMEOUT  seconds any one runtime command may take (20)
#   NOOK_TEST_NO_PIVOT=1  every create/run gets --no-pivot (the MS_MOVE +
#                      chroot path of an initramfs root)
#   NOOK_TEST_TIER     the prefix of the result lines (default priv;
#                      tests/run-chroot.sh names its passes apart)
#
# Results are lines counted by tests/summary.sh:
#   ok - priv: NAME / not ok - priv: NAME: WHY / ok - priv: NAME # SKIP WHY
# A script exits 1 when one of its checks failed.
#
# Every runtime command goes through rt(), which adds `--root $T_ROOT` (a
# state directory of this script's own) and a timeout.  Containers get ids
# from new_id; the EXIT trap force-deletes each of them, kills the
# background processes this script started (by pid), checks that no state
# and no host mount was left behind, and removes the scratch directory.
# Requires jq (JSON editing of config.json) and timeout.

T_TOP=$(cd "$(dirname "$0")/../.." && pwd)
T_NAME=$(basename "$0" .sh | tr -c 'A-Za-z0-9_.\n-' '_')
RUNTIME=${NOOK_RUNTIME:-$T_TOP/build/x86_64/nook-runtime}
# a relative path must survive the cd of make_bundle
case $RUNTIME in
/*) ;;
*/*) RUNTIME=$PWD/$RUNTIME ;;
esac
T_ROOT=/tmp/nook-test-root-$$
T_TIMEOUT=${NOOK_TEST_TIMEOUT:-20}
T_ROOTFS=${NOOK_TEST_ROOTFS:-$T_TOP/build/test-rootfs}
T_PAYLOAD=${NOOK_TEST_PAYLOAD:-$T_TOP/build/x86_64/nook-test}
T_IDS=
T_BGPIDS=
T_N=0
T_RC=0
T_CLEANUP=
T_CUR=
T_WHY=

# ---- results ---------------------------------------------------------------

T_TIER=${NOOK_TEST_TIER:-priv}
. "$T_TOP/tests/result.sh"

# ---- the runtime -----------------------------------------------------------


# rt ARGS...: the runtime with our --root.
rt() {
	if [ "${NOOK_TEST_NO_PIVOT:-0}" = 1 ]; then
		case $1 in
		create | run)
			_c=$1
			shift
			set -- "$_c" --no-pivot "$@"
			;;
		esac
	fi
	$T_TIMEOUT_CMD "$RUNTIME" --root "$T_ROOT" "$@"
}

# The runtime binary on disk, symlinks resolved.
runtime_path() {
	p=$(command -v "$RUNTIME" 2>/dev/null) || p=$RUNTIME
	readlink -f "$p"
}

# new_id: a fresh container id in $ID, deleted by the EXIT trap.
new_id() {
	T_N=$((T_N + 1))
	ID=nt-$T_NAME-$$-$T_N
	T_IDS="$T_IDS $ID"
}

# track_pid PID: a background process of ours that the trap must kill.
track_pid() {
	T_BGPIDS="$T_BGPIDS $1"
}

# status ID: the "status" of `state ID` ("" if state fails).
status() {
	rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null
}

# state_field ID FIELD
state_field() {
	rt state "$1" 2>/dev/null | jq -r ".$2" 2>/dev/null
}

# wait_status ID STATUS [SECONDS=5]: poll until state says STATUS.
wait_status() {
	i=0
	max=$((${3:-5} * 20))
	while [ "$i" -lt "$max" ]; do
		[ "$(status "$1")" = "$2" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait_file FILE ERE [SECONDS=5]: poll until a line of FILE matches.
wait_file() {
	i=0
	max=$((${3:-5} * 20))
	while [ "$i" -lt "$max" ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# ---- bundles ---------------------------------------------------------------

# The test rootfs, its payload refreshed (mkrootfs.sh is idempotent and fast).
ensure_rootfs() {
	# tests/run-priv.sh built it already
	if [ "${NOOK_TEST_ROOTFS_READY:-0}" = 1 ]; then
		return 0
	elif [ -x "$T_PAYLOAD" ]; then
		sh "$T_TOP/tests/mkrootfs.sh" "$T_ROOTFS" "$T_PAYLOAD"
	elif [ -f "$T_ROOTFS/.nook-rootfs" ] && [ -x "$T_ROOTFS/bin/nook-test" ]; then
		return 0
	else
		echo "$T_PAYLOAD missing: make build/x86_64/nook-test" >&2
		return 1
	fi
}

# cfg BUNDLE JQ-ARGS... FILTER: edit BUNDLE/config.json in place with jq.
cfg() {
	_b=$1
	shift
	jq "$@" "$_b/config.json" >"$_b/config.json.new" &&
		mv -f "$_b/config.json.new" "$_b/config.json"
}

# make_bundle DIR ARGS...: DIR/rootfs (a private copy of the test rootfs) and
# DIR/config.json from `$RUNTIME spec`, with process.args = ARGS, no
# terminal, a writable rootfs.  Everything else is the runtime's default.
make_bundle() {
	_b=$1
	shift
	mkdir -p "$_b" || return 1
	rm -rf "$_b/rootfs" "$_b/config.json"
	mkdir "$_b/rootfs" && cp -a "$T_ROOTFS/." "$_b/rootfs/" || return 1
	(cd "$_b" && $T_TIMEOUT_CMD "$RUNTIME" spec) || {
		echo "make_bundle: $RUNTIME spec failed" >&2
		return 1
	}
	# NUL-separated with an end marker: args may hold anything but NUL
	_args=$({ printf '%s\0' "$@"; printf END; } | jq -Rsc 'split("\u0000")[:-1]') || return 1
	cfg "$_b" --argjson a "$_args" \
		'.process.args = $a | .process.terminal = false |
		 .root = {path: "rootfs", readonly: false}'
}

# bundle_run BUNDLE ID [RUNTIME-RUN-OPTIONS]: `run` in the foreground;
# output of the container on stdout, status in $?.
bundle_run() {
	_b=$1
	_id=$2
	shift 2
	rt run "$@" --bundle "$_b" "$_id" </dev/null
}

# run_cfg FILTER ARGS...: a fresh bundle $B (default $T_DIR/b) running ARGS,
# the jq FILTER applied to its config.json; run it in the foreground: $out
# (stdout and stderr) and $rc.
run_cfg() {
	_f=$1
	shift
	make_bundle "${B:=$T_DIR/b}" "$@" >/dev/null 2>&1 && cfg "$B" "$_f"
	new_id
	out=$(bundle_run "$B" "$ID" 2>&1)
	rc=$?
}

# mountopt MOUNTPOINT: "TYPE MNT-OPTIONS SUPER-OPTIONS" from `nook-test
# mounts` output in $out (the last mount on that point wins, as in the
# kernel).
mountopt() {
	printf '%s\n' "$out" | awk -v m="$1" '$1 == m { r = $2 " " $3 " " $4 } END { print r }'
}

# start_bg BUNDLE ID: `run -d`; the container's stdout and stderr go to
# $T_DIR/ID.out and $T_DIR/ID.err (the runtime's own errors too).
start_bg() {
	rt run -d --bundle "$1" "$2" </dev/null >"$T_DIR/$2.out" 2>"$T_DIR/$2.err"
}

# ---- host observations -----------------------------------------------------

# The cgroup2 mount point ("" if none).
cg2_mount() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo
}

# Pids of processes whose command line, root or cwd mentions STR (other
# than this shell and the helpers it runs here).
procs_mentioning() {
	{
		grep -lF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
		ls -l /proc/[0-9]*/root /proc/[0-9]*/cwd 2>/dev/null |
			grep -F -- "-> $1" | sed 's|.*/proc/\([0-9]*\)/.*|\1|'
	} | sort -u | while read -r p; do
		[ "$p" = "$$" ] && continue
		# the grep above matched itself, and is gone by now
		[ -d "/proc/$p" ] || continue
		# busybox timeout's watcher outlives the command by up to 1 s
		case $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) in
		"timeout "*) continue ;;
		esac
		echo "$p"
	done
}

# ---- setup and cleanup -----------------------------------------------------

t_cleanup() {
	for _id in $T_IDS; do
		rt delete --force "$_id" >/dev/null 2>&1
	done
	for _p in $T_BGPIDS; do
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	[ -n "$T_CLEANUP" ] && eval "$T_CLEANUP"
	# .seccomp: the runtime's cache of built seccomp programs (kept by
	# design, oci/seccomp.c), not a container's state.
	_left=$(ls -A "$T_ROOT" 2>/dev/null | grep -Fvx .seccomp | tr '\n' ' ')
	if [ -n "$_left" ]; then
		fail "$T_NAME: cleanup" "state left in $T_ROOT after delete --force: $_left"
	fi
	rm -rf "$T_ROOT"
	if [ -n "$T_DIR" ] && [ -d "$T_DIR" ]; then
		t_drop_dir "$T_DIR" ""
	fi
}

t_init() {
	t_need_root_tools
	if ! command -v "$RUNTIME" >/dev/null 2>&1 && [ ! -x "$RUNTIME" ]; then
		fail "$T_NAME" "no runtime at $RUNTIME (set NOOK_RUNTIME)"
		exit 1
	fi
	if ! ensure_rootfs; then
		fail "$T_NAME" "cannot build the test rootfs $T_ROOTFS"
		exit 1
	fi
	T_DIR=$(mktemp -d "/tmp/nook-test-$T_NAME.XXXXXX") || exit 1
	# user namespace tests need others to reach the rootfs
	chmod 0755 "$T_DIR"
	mkdir -p "$T_ROOT"
	trap 't_cleanup; exit $T_RC' EXIT
	trap 'T_RC=130; exit' INT TERM HUP PIPE
}

t_init
