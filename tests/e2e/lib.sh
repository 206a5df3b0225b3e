# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the end-to-end tests of the `nook` engine CLI (tests/e2e/*.sh).
# POSIX sh: it must also run under busybox ash.  Source it as
#	. "$(dirname "$0")/lib.sh"
#
# nook's CLI follows podman's, so the same scripts run against podman to
# validate the tests themselves:
#	NOOK=podman tests/run-e2e.sh build/x86_64
#
# Environment:
#   NOOK               the engine command (word-split); default
#                      build/x86_64/nook.  Every call gets
#                      `--root $T_DIR/root --runroot $T_DIR/run` added.  When
#                      its first word is podman, the lib also adds
#                      `--tmpdir $T_DIR/tmp --cgroup-manager=cgroupfs
#                      --events-backend=file --runtime $NOOK_PODMAN_RUNTIME`
#                      (default runc: crun refuses the dev hosts)
#   NOOK_RUN_FLAGS     flags added to every `run`/`create`; default empty for
#                      nook, for podman what the dev hosts need
#                      (`--network none --pids-limit -1 --ulimit ...`: no
#                      CAP_SYS_RESOURCE there)
#   NOOK_TEST_ROOTFS   a rootfs made by tests/mkrootfs.sh; default
#                      build/test-rootfs, built on first use from
#   NOOK_TEST_PAYLOAD  the static nook-test; default build/x86_64/nook-test
#   NOOK_TEST_TIMEOUT  seconds any one engine command may take (20)
#   NOOK_TEST_TIER     the prefix of the result lines (default e2e)
#
# Results are lines counted by tests/summary.sh:
#   ok - e2e: NAME / not ok - e2e: NAME: WHY / ok - e2e: NAME # SKIP WHY
# (a skip that is fine on this host says "optional:" first).  A script exits 1
# when one of its checks failed.
#
# Every script gets its own scratch directory $T_DIR (state, runroot, a
# private copy of the rootfs in $ROOTFS).  The EXIT trap kills the background
# jobs it started (by pid), SIGKILLs and `rm -f`s every container in its
# store, reports what `rm -f` left behind (containers, processes, mounts),
# and removes $T_DIR: it runs on failure and on interrupt too.
#
# Where podman and nook (engine/LIFECYCLE.md) differ on purpose, a check
# either accepts both or is skipped against podman with "optional: podman ...";
# those places are marked "nook-specific" in the scripts.

T_TOP=$(cd "$(dirname "$0")/../.." && pwd)
T_NAME=$(basename "$0" .sh | tr -c 'A-Za-z0-9_.\n-' '_')
T_TIMEOUT=${NOOK_TEST_TIMEOUT:-20}
T_ROOTFS_SRC=${NOOK_TEST_ROOTFS:-$T_TOP/build/test-rootfs}
T_PAYLOAD=${NOOK_TEST_PAYLOAD:-$T_TOP/build/x86_64/nook-test}
NOOK=${NOOK:-$T_TOP/build/x86_64/nook}
# No defaults for new containers but --network none, whatever the host has
# in /etc/nook/nook.conf (tests/e2e/defaults.sh writes its own): no test
# makes a bridge on the host.
NOOK_CONF=$T_TOP/tests/e2e/nook.conf
export NOOK_CONF
T_BGPIDS=
T_RC=0
T_CUR=
T_WHY=
T_DIR=

case ${NOOK%% *} in
podman | */podman) T_PODMAN=1 ;;
*) T_PODMAN=0 ;;
esac
if [ "$T_PODMAN" = 1 ]; then
	NOOK_RUN_FLAGS=${NOOK_RUN_FLAGS-"--network none --pids-limit -1 --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"}
else
	NOOK_RUN_FLAGS=${NOOK_RUN_FLAGS-}
fi

# NOOK_RUN_FLAGS without any --network/--net: for the checks that choose it.
T_NONET_FLAGS=
_skipnext=0
for _w in $NOOK_RUN_FLAGS; do
	if [ "$_skipnext" = 1 ]; then
		_skipnext=0
		continue
	fi
	case $_w in
	--network | --net) _skipnext=1 ;;
	--network=* | --net=*) ;;
	*) T_NONET_FLAGS="$T_NONET_FLAGS $_w" ;;
	esac
done

# ---- results ---------------------------------------------------------------

T_TIER=${NOOK_TEST_TIER:-e2e}
. "$T_TOP/tests/result.sh"

# skip_podman NAME WHY: a nook-specific check, skipped when validating
# against podman (WHY says what podman does instead).
skip_podman() {
	skip "$1" "optional: podman: $2"
}

# ---- the engine ------------------------------------------------------------

# nk ARGS...: the engine with this script's --root/--runroot and a timeout.
# Word-split on purpose: $NOOK may carry options.
nk() {
	$T_TIMEOUT_CMD $NOOK $T_GLOBAL "$@"
}

# nk_run / nk_create ARGS...: `run`/`create` with $NOOK_RUN_FLAGS.  The
# rootfs goes last: `--rootfs DIR` takes the first positional argument as
# the rootfs, as podman's does (`nk_run -d --name x --rootfs "$ROOTFS" CMD`).
nk_run() {
	nk run $NOOK_RUN_FLAGS "$@"
}

nk_create() {
	nk create $NOOK_RUN_FLAGS "$@"
}

# nk_run_nonet ARGS...: `run` without the --network of $NOOK_RUN_FLAGS.
nk_run_nonet() {
	nk run $T_NONET_FLAGS "$@"
}

# insp CONTAINER JQ-FILTER: FILTER applied to the container's inspect object
# (podman prints an array of them; a bare object is accepted too).  Empty
# when inspect fails.
insp() {
	nk inspect "$1" 2>/dev/null |
		jq -r "(if type == \"array\" then .[0] else . end) | $2" 2>/dev/null
}

# cstatus CONTAINER: State.Status
cstatus() {
	insp "$1" .State.Status
}

# cid CONTAINER: the full id
cid() {
	insp "$1" .Id
}

# wait_status CONTAINER ERE [SECONDS=10]: poll until State.Status matches.
wait_status() {
	_i=0
	_max=$((${3:-10} * 10))
	while [ "$_i" -lt "$_max" ]; do
		cstatus "$1" | grep -Eqx -- "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_for SECONDS COMMAND...: poll (10/s) until COMMAND succeeds.
wait_for() {
	_i=0
	_max=$(($1 * 10))
	shift
	while [ "$_i" -lt "$_max" ]; do
		"$@" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# wait_logs CONTAINER ERE [SECONDS=10]: poll until a line of `logs` matches.
wait_logs() {
	_i=0
	_max=$((${3:-10} * 10))
	while [ "$_i" -lt "$_max" ]; do
		nk logs "$1" 2>&1 | grep -Eq -- "$2" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# pid_alive PID: PID exists and is not a zombie.
pid_alive() {
	[ -n "$1" ] && [ "$1" != 0 ] && [ -d "/proc/$1" ] &&
		! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# run_sleeper NAME [RUN-OPTIONS...]: a detached container running
# `nook-test sleep inf` (prints "ready"; exits 128+N on TERM, INT, HUP,
# QUIT, USR1, USR2).  Returns when it prints "ready"; status 1 (and its
# output in $RUN_OUT) if it did not start.
run_sleeper() {
	_n=$1
	shift
	RUN_OUT=$(nk_run -d --name "$_n" "$@" --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1) || return 1
	wait_logs "$_n" '^ready$' 10
}

# expect_refused WHAT STATUS OUTPUT CONTAINER STATE [WANT-STATUS=125] [QUIRK]
# An operation refused because of the container's state: exit WANT-STATUS,
# and the message names the container (its name, full or short id) and the
# state it is in (engine/LIFECYCLE.md: the message names the container and
# its state).  Against podman the state is not looked for (its messages often
# name the accepted states instead), and QUIRK=noname skips the container
# too (podman 4.3 names neither in some messages).
expect_refused() {
	expect_status "$1" "$2" "${6:-125}" "$3"
	[ -n "$3" ] || t_why "$1: no error message"
	[ "$T_PODMAN" = 1 ] && [ "${7:-}" = noname ] && return 0
	_id=$(cid "$4")
	_short=$(printf '%s' "$_id" | cut -c1-12)
	_hit=0
	for _w in "$4" "$_id" "$_short"; do
		[ -n "$_w" ] && printf '%s' "$3" | grep -qF -- "$_w" && _hit=1
	done
	[ "$_hit" = 1 ] || t_why "$1: the message does not name the container '$4': '$(oneline "$3")'"
	if [ "$T_PODMAN" != 1 ]; then
		printf '%s' "$3" | grep -qiF -- "$5" ||
			t_why "$1: the message does not name the state '$5': '$(oneline "$3")'"
	fi
}

# ev_name / ev_id / ev_cname: jq expressions for an event line: podman writes
# {"ID","Name","Status","Type":"container"}, nook {"id","name","status",
# "type":"container"} (engine/events.h).
EV_STATUS='(.Status // .status // "")'
EV_NAME='(.Name // .name // "")'
EV_ID='(.ID // .id // "")'

# img_from_dir REF DIR [CHANGE]: DIR as a one-layer image REF in the
# engine's store (CHANGE: a Containerfile line for `podman import --change`),
# made the way a user makes one: `podman import` into a store of this
# script's own ($T_DIR/pb: vfs driver, never the machine's storage), `podman
# save`, then the engine's `load`.  Status 1 with the reason in IMG_WHY when
# there is no podman or a step fails.
img_from_dir() {
	IMG_WHY=
	if ! command -v podman >/dev/null 2>&1; then
		IMG_WHY="no podman to make the image with"
		return 1
	fi
	_pb=$T_DIR/pb
	mkdir -p "$_pb/tmp"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$_pb/root" "$_pb/run" >"$_pb/storage.conf"
	for _step in import save load; do
		case $_step in
		import) _o=$( (cd "$2" && tar -cf "$_pb/in.tar" .) 2>&1 &&
			img_podman import ${3:+--change "$3"} "$_pb/in.tar" "$1" 2>&1) ;;
		save) _o=$(rm -f "$_pb/out.tar" && img_podman save -o "$_pb/out.tar" "$1" 2>&1) ;;
		load) _o=$(nk load -i "$_pb/out.tar" 2>&1) ;;
		esac || {
			IMG_WHY="$_step of $1 failed: $(oneline "$_o")"
			return 1
		}
	done
}

# img_podman ARGS...: podman on the store of img_from_dir
img_podman() {
	env CONTAINERS_STORAGE_CONF="$_pb/storage.conf" TMPDIR="$_pb/tmp" \
		timeout -s KILL 60 podman --root "$_pb/root" --runroot "$_pb/run" \
		--storage-driver vfs --tmpdir "$_pb/tmp" --cgroup-manager=cgroupfs \
		--events-backend=file "$@"
}

# ---- host observations -----------------------------------------------------

# Pids of processes whose command line, root, cwd or an open file mentions
# STR (other than this shell and the helpers it runs here): the monitors
# (conmon) hold the runroot's files open.  A container's own processes are
# in another mount namespace, where their root reads "/": look for those
# by State.Pid.
procs_mentioning() {
	{
		grep -lF -- "$1" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3
		ls -l /proc/[0-9]*/root /proc/[0-9]*/cwd 2>/dev/null |
			grep -F -- "-> $1" | sed 's|.*/proc/\([0-9]*\)/.*|\1|'
		ls -l /proc/[0-9]*/fd/ 2>/dev/null | awk -v s="$1" '
			/^\/proc\/[0-9]+\/fd\/?:$/ { split($0, a, "/"); p = a[3]; next }
			index($0, "-> " s) { print p }'
	} | sort -u | while read -r _p; do
		[ "$_p" = "$$" ] && continue
		[ -d "/proc/$_p" ] || continue
		case $(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null) in
		# busybox timeout's watcher outlives the command by up to 1 s
		"timeout "* | "") continue ;;
		esac
		echo "$_p"
	done
}

# children PID: the pids whose parent is PID.  Through cat: awk (gawk and
# mawk alike) stops at the first file it cannot open, a process that ended
# after the glob, and the rest went unread (kill_tree then missed
# children).  A stat line: "PID (COMM) STATE PPID ...".
children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pp="$1" '{
		pid = $1
		sub(/.*\) /, "")
		if ($2 == pp) print pid
	}'
}

# kill_tree PID: SIGKILL PID and its descendants (a background `nk` is a
# subshell over timeout over the engine), children first.
kill_tree() {
	kill -STOP "$1" 2>/dev/null
	for _k in $(children "$1"); do
		kill_tree "$_k"
	done
	kill -9 "$1" 2>/dev/null
}

# track_pid PID: a background job of ours that the trap must kill.
track_pid() {
	T_BGPIDS="$T_BGPIDS $1"
}

# ---- setup and cleanup -----------------------------------------------------

t_cleanup() {
	trap '' INT TERM HUP
	for _p in $T_BGPIDS; do
		kill_tree "$_p"
		wait "$_p" 2>/dev/null
	done
	[ -n "$T_DIR" ] && [ -d "$T_DIR" ] || return 0
	_ids=$(nk ps -a -q --no-trunc 2>/dev/null)
	_cpids=
	for _c in $_ids; do
		_cpids="$_cpids $(insp "$_c" .State.Pid)"
	done
	if [ -n "$_ids" ]; then
		# SIGKILL first: rm -f would wait the stop timeout of containers
		# that ignore SIGTERM.  Paused ones are thawed for it.
		nk unpause $_ids >/dev/null 2>&1
		nk kill -s KILL $_ids >/dev/null 2>&1
		nk rm -f $_ids >/dev/null 2>&1 || for _c in $_ids; do
			nk rm -f "$_c" >/dev/null 2>&1
		done
		_left=$(nk ps -a -q 2>/dev/null)
		[ -n "$_left" ] && fail "$T_NAME: cleanup" "rm -f left containers: $(oneline "$_left")"
	fi
	# the monitors (conmon) and the containers' processes go away when
	# their container is removed
	_procs=
	_i=0
	while [ "$_i" -lt 30 ]; do
		_procs=$(
			procs_mentioning "$T_DIR"
			for _p in $_cpids; do
				pid_alive "$_p" && echo "$_p"
			done
		)
		[ -z "$_procs" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	if [ -n "$_procs" ]; then
		_what=
		for _p in $_procs; do
			_what="$_what $_p:$(tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null |
				sed "s|$T_DIR|\$T|g" | cut -c1-160)"
			# started by this script's engine calls: ours to end
			kill -9 "$_p" 2>/dev/null
		done
		fail "$T_NAME: cleanup" "processes left after rm -f:$_what"
	fi
	t_drop_dir "$T_DIR" "after rm -f"
}

t_init() {
	t_need_root_tools
	if ! command -v "${NOOK%% *}" >/dev/null 2>&1; then
		fail "$T_NAME" "no engine at ${NOOK%% *} (set NOOK)"
		exit 1
	fi
	if [ "${NOOK_TEST_ROOTFS_READY:-0}" != 1 ]; then
		if [ -x "$T_PAYLOAD" ]; then
			sh "$T_TOP/tests/mkrootfs.sh" "$T_ROOTFS_SRC" "$T_PAYLOAD" >&2
		fi
	fi
	if ! [ -f "$T_ROOTFS_SRC/.nook-rootfs" ] || ! [ -x "$T_ROOTFS_SRC/bin/nook-test" ]; then
		fail "$T_NAME" "no test rootfs at $T_ROOTFS_SRC (make build/x86_64/nook-test; tests/mkrootfs.sh)"
		exit 1
	fi
	T_DIR=$(mktemp -d "/tmp/nook-e2e-$T_NAME.XXXXXX") || exit 1
	chmod 0755 "$T_DIR"
	trap 't_cleanup; exit $T_RC' EXIT
	trap 'T_RC=130; exit' INT TERM HUP PIPE
	ROOTFS=$T_DIR/rootfs
	mkdir "$ROOTFS" && cp -a "$T_ROOTFS_SRC/." "$ROOTFS/" || {
		fail "$T_NAME" "cannot copy $T_ROOTFS_SRC to $ROOTFS"
		exit 1
	}
	mkdir -p "$T_DIR/root" "$T_DIR/run" "$T_DIR/tmp"
	T_GLOBAL="--root $T_DIR/root --runroot $T_DIR/run"
	if [ "$T_PODMAN" = 1 ]; then
		_rt=${NOOK_PODMAN_RUNTIME:-$(command -v runc)}
		T_GLOBAL="$T_GLOBAL --tmpdir $T_DIR/tmp --cgroup-manager=cgroupfs --events-backend=file${_rt:+ --runtime $_rt}"
	fi
}

t_init
