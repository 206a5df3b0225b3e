#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# podman (with conmon) drives nook as its OCI runtime: `podman --runtime
# nook-runtime` runs, execs into, stops and removes a container.  On the dev
# and CI hosts podman also needs --pids-limit -1 (their cgroup v2 has no
# pids controller) and --ulimit for nofile/nproc (no CAP_SYS_RESOURCE).
. "$(dirname "$0")/../lib.sh"

if ! command -v podman >/dev/null 2>&1 || ! command -v conmon >/dev/null 2>&1; then
	skip "podman-runtime: all" "optional: podman/conmon not installed"
	exit 0
fi
case $RUNTIME in
*nook*) ;;
*)
	skip "podman-runtime: all" "optional: only meaningful for nook's runtime"
	exit 0
	;;
esac

P="$T_DIR/podman"
mkdir -p "$P/tmp"
R="$T_DIR/rootfs"
mkdir "$R" && cp -a "$T_ROOTFS/." "$R/"
pm() {
	$T_TIMEOUT_CMD podman --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" \
		--cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME" "$@"
}
RUNFLAGS="--network none --pids-limit -1 --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"

t_begin "podman-runtime: podman run --rm with nook as the runtime"
# shellcheck disable=SC2086
out=$(pm run --rm $RUNFLAGS --rootfs "$R" /bin/nook-test hostname 2>&1)
expect_status "podman run" $? 0 "$out"
expect_match "output: the container's hostname (its short id)" "$out" '^[0-9a-f]{12}$'
# shellcheck disable=SC2086
out=$(pm run --rm $RUNFLAGS --rootfs "$R" /bin/sh -c 'exit 7' 2>&1)
expect_status "exit code" $? 7 "$out"
t_end

t_begin "podman-runtime: run -d, exec, stop, rm through conmon and nook"
# shellcheck disable=SC2086
out=$(pm run -d --name pr $RUNFLAGS --rootfs "$R" /bin/nook-test sleep inf 2>&1)
expect_status "podman run -d" $? 0 "$out"
out=$(pm exec pr /bin/nook-test echo from-exec 2>&1)
expect_status "podman exec" $? 0 "$out"
expect_match "exec output" "$out" '^from-exec$'
st=$(pm inspect --format '{{.State.Status}}' pr 2>&1)
expect_eq "status" "$st" running
out=$(pm stop -t 2 pr 2>&1)
expect_status "podman stop" $? 0 "$out"
out=$(pm rm pr 2>&1)
expect_status "podman rm" $? 0 "$out"
t_end

# podman keeps lock files of its own; its rm -af leaves nothing of ours
pm rm -af >/dev/null 2>&1
exit $T_RC
