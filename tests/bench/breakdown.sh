#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): where the time of a container
# start goes.  Side by side in one run, interleaved: the kernel's floor
# (`unshare -mpfuin --mount-proc /bin/true`), `nook runtime run`, crun and
# runc `run` of /bin/true on one bundle, `nook run --rm --rootfs DIR
# /bin/true`, and `exec /bin/true` into a running container with `nook
# runtime exec`, `crun exec` and `nook exec`; `nook runtime run` and `crun
# run` again on the bundle without its seccomp profile (*-plain-*: as
# `runtime spec` makes it, and as the floor loads no filter).  Then the
# median of every step that nook marks with NOOK_TIMING (oci/log.h), per
# command, from rounds of their own: the marks cost (a write each, and
# each process opens the file), so the medians above are of runs without
# them, as a user runs nook.
#
#   tests/bench/breakdown.sh [BUILD_DIR]      (default build/x86_64; root)
#
# Environment:
#   BENCH_ROUNDS=20  BENCH_WARMUP=2
#   BENCH_STEP_ROUNDS  rounds of nook's commands with NOOK_TIMING, for the
#                    steps (default: BENCH_ROUNDS, at most 10)
#   BENCH_RUNTIMES   references to compare (default "crun runc", if installed)
#   BENCH_CGROUP2=1  keep /sys/fs/cgroup/unified visible (nook then makes a
#                    cgroup v2 and loads its device program; crun refuses
#                    the hybrid layout and is left out)
#   BENCH_RAW=1      also print every timing file of the last round
#   BENCH_BASE=DIR   another build (its DIR/nook) timed too, as base-*:
#                    before/after figures from one interleaved run
#   BENCH_SECCOMP    podman's seccomp file (default
#                    /usr/share/containers/seccomp.json, from podman's
#                    containers-common): the bundle gets it in OCI form,
#                    so every runtime loads the profile podman would give it
#
# Conditions as runtime.sh: a private mount namespace, /sys/fs/cgroup/unified
# lazily unmounted there (unless BENCH_CGROUP2=1), the runtimes' state and the engine's runroot
# on a tmpfs (as /run), the engine's root under /tmp.
# nook-ro-* run the same binary through a read-only bind mount made in that
# namespace, as installed on a router's squashfs: then the runtime need not
# detach its image from the file (oci_protect_exe).
set -u
export LC_ALL=C

BUILD=${1:-build/x86_64}
ROUNDS=${BENCH_ROUNDS:-20}
WARMUP=${BENCH_WARMUP:-2}
STEP_ROUNDS=${BENCH_STEP_ROUNDS:-$((ROUNDS < 10 ? ROUNDS : 10))}

die() {
	echo "bench: error: $*" >&2
	exit 1
}

if [ "${NOOK_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "must run as root (namespaces, cgroups)"
	case "$ROUNDS$WARMUP$STEP_ROUNDS" in
	*[!0-9]*) die "BENCH_ROUNDS/BENCH_WARMUP/BENCH_STEP_ROUNDS must be numbers" ;;
	esac
	[ "$ROUNDS" -ge 1 ] || die "BENCH_ROUNDS must be >= 1"
	[ -x "$BUILD/nook" ] || die "nook binary missing: $BUILD/nook (run 'make' first)"
	[ -x "$BUILD/nook-test" ] || die "test payload missing: $BUILD/nook-test (run 'make' first)"
	for tool in jq unshare runc; do
		command -v $tool >/dev/null || die "$tool not installed"
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		die "need a static /bin/busybox (apt-get install -y busybox-static)"
	fi
	REFS=
	for rt in ${BENCH_RUNTIMES-crun runc}; do
		[ "$rt" = crun ] && [ "${BENCH_CGROUP2:-}" = 1 ] && continue
		command -v "$rt" >/dev/null && REFS="$REFS $rt"
	done
	NOOK=$(cd "$BUILD" && pwd)/nook
	BASE=
	if [ -n "${BENCH_BASE:-}" ]; then
		[ -x "$BENCH_BASE/nook" ] || die "BENCH_BASE: no $BENCH_BASE/nook"
		BASE=$(cd "$BENCH_BASE" && pwd)/nook
	fi
	PAYLOAD=$(cd "$BUILD" && pwd)/nook-test
	SPAWN=$(cd "$BUILD" && pwd)/bench-spawn
	MKROOTFS=$(cd "$(dirname "$0")/.." && pwd)/mkrootfs.sh
	export NOOK BASE PAYLOAD SPAWN MKROOTFS ROUNDS WARMUP REFS
	NOOK_BENCH_INNER=1 exec unshare -m --propagation private bash "$0" "$BUILD"
fi

# ---- inside the private mount namespace ----------------------------------
CGNOTE="cgroup v2 at /sys/fs/cgroup/unified visible (BENCH_CGROUP2=1)"
if [ "${BENCH_CGROUP2:-}" != 1 ] && mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
	umount -l /sys/fs/cgroup/unified || die "cannot hide /sys/fs/cgroup/unified"
	CGNOTE="cgroup v2 at /sys/fs/cgroup/unified hidden (private mount ns)"
fi

WORK=$(mktemp -d /tmp/nook-bench-bd.XXXXXX) || die "mktemp failed"
# The runtimes' state and the engine's runroot on a tmpfs, as /run is
# where they live (runc's /run/runc, crun's /run/crun, nook's /run/nook):
# on this host /tmp is ext4, whose inode allocation (recently_deleted) a
# create-and-delete loop pays.  The engine's root, bundle and rootfs stay
# on disk.
RUN=$WORK/run
mkdir -p "$RUN" && mount -t tmpfs -o mode=0755 tmpfs "$RUN" || die "cannot mount a tmpfs on $RUN"
NK=("$NOOK" --root "$WORK/nook/root" --runroot "$RUN/nook")
EXEC_IDS=()
cleanup() {
	set +e
	for x in "${EXEC_IDS[@]}"; do
		# shellcheck disable=SC2086
		$x >/dev/null 2>&1
	done
	"${NK[@]}" rm -f bench-exec >/dev/null 2>&1
	umount "$WORK/ro/nook" 2>/dev/null
	umount "$RUN" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$RUN/st" "$WORK/t" "$WORK/tm"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
ln -s busybox "$BUNDLE/rootfs/bin/true"
ln -s busybox "$BUNDLE/rootfs/bin/sleep"
(cd "$BUNDLE" && runc spec) || die "runc spec failed"
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$BUNDLE/config.json" \
	>"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json" || die "jq failed"
# podman's seccomp profile, as podman hands it to a runtime: its rules for
# this machine's arch and podman's default capabilities, in the OCI form
# (containers-common's file has includes/excludes that podman resolves)
PODMAN_SECCOMP=${BENCH_SECCOMP:-/usr/share/containers/seccomp.json}
if [ -f "$PODMAN_SECCOMP" ] && [ "$(uname -m)" = x86_64 ]; then
	caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL",
	"CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID","CAP_SYS_CHROOT"]'
	jq --argjson caps "$caps" --slurpfile p "$PODMAN_SECCOMP" '.linux.seccomp = ($p[0] | {
		defaultAction, defaultErrnoRet,
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [.syscalls[]
			| select((.includes.caps // []) | all(. as $c | $caps | index($c)))
			| select((.includes.arches // ["amd64"]) | index("amd64"))
			| select(((.excludes.caps // []) | any(. as $c | $caps | index($c))) | not)
			| del(.includes, .excludes, .comment)] })' "$BUNDLE/config.json" >"$BUNDLE/c.json" &&
		mv "$BUNDLE/c.json" "$BUNDLE/config.json" || die "jq of $PODMAN_SECCOMP failed"
	echo "bench: the bundle has podman's seccomp profile ($PODMAN_SECCOMP)"
else
	echo "bench: no seccomp profile in the bundle ($PODMAN_SECCOMP missing or not x86_64)"
fi
# The same bundle without a seccomp profile, as `nook runtime spec` and
# `runc spec` make it (the demo's): the floor loads no filter either.
cp -a "$BUNDLE" "$WORK/pbundle"
jq 'del(.linux.seccomp)' "$BUNDLE/config.json" >"$WORK/pbundle/config.json" || die "jq failed"
# A second bundle whose init sleeps, for the exec measurements.
cp -a "$BUNDLE" "$WORK/sbundle"
jq '.process.args = ["/bin/sleep", "1000"]' "$BUNDLE/config.json" >"$WORK/sbundle/config.json"
"$MKROOTFS" "$WORK/rootfs" "$PAYLOAD" >/dev/null || die "mkrootfs failed"
# The binary on a read-only mount (private namespace: gone with it).
mkdir -p "$WORK/ro"
: >"$WORK/ro/nook"
mount --bind "$NOOK" "$WORK/ro/nook" && mount -o remount,bind,ro "$WORK/ro/nook" ||
	die "cannot bind-mount $NOOK read-only"
NOOK_RO=$WORK/ro/nook

now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }

SEQ=0
STEPS= # set: the steps' rounds (NOOK_TIMING on, wall times to tm/ only)
# timed NAME CMD...: run once, append its µs to t/NAME; in the steps'
# rounds, with NOOK_TIMING to tm/NAME.SEQ instead.  - as NAME: warm-up,
# nothing kept.
timed() {
	local name=$1 t0 t1 rc tm=
	shift
	SEQ=$((SEQ + 1))
	[ -n "$STEPS" ] && tm=$WORK/tm/$name.$SEQ # empty: the marks are off
	if [ -x "$SPAWN" ]; then
		# posix_spawn: bash's own fork (~2.3 ms here) not counted
		rm -f "$WORK/wall"
		NOOK_TIMING=$tm "$SPAWN" "$WORK/wall" "$@" </dev/null >"$WORK/out" 2>&1
		rc=$?
		t0=0 t1=$(cat "$WORK/wall" 2>/dev/null || echo 0)
	else
		t0=$(now_us)
		NOOK_TIMING=$tm "$@" </dev/null >"$WORK/out" 2>&1
		rc=$?
		t1=$(now_us)
	fi
	if [ $rc != 0 ]; then
		echo "bench: error: '$*' failed (exit $rc):" >&2
		sed 's/^/  | /' "$WORK/out" >&2
		exit 1
	fi
	if [ "$name" = - ]; then
		rm -f "$WORK/tm/-.$SEQ"
	elif [ -n "$STEPS" ]; then
		[ -f "$tm" ] && echo $((t1 - t0)) >"$tm.wall"
	else
		echo $((t1 - t0)) >>"$WORK/t/$name"
	fi
}

# One state root per runtime command for all rounds, as a runtime is used
# (containerd, podman: a fixed root), the warm-up's included: what a
# runtime keeps there between containers (nook: its seccomp programs)
# counts as it would.  A foreground run leaves no container behind.
rt_run() { # NAME RUNTIME...
	local name=$1 root
	shift
	SEQ=$((SEQ + 1))
	root=$RUN/st/${*//[^A-Za-z0-9]/_}
	mkdir -p "$root"
	timed "$name" "$@" --root "$root" run --bundle "$BUNDLE" "b$SEQ"
}

# Running containers for exec: one per runtime, and one of the engine.
declare -A XROOT
for rt in nook $REFS; do
	[ "$rt" = runc ] && continue # runc exec: not measured (slow, as run)
	XROOT[$rt]=$RUN/xst-$rt
	mkdir -p "${XROOT[$rt]}"
	if [ "$rt" = nook ]; then cmd=("$NOOK" runtime); else cmd=("$rt"); fi
	"${cmd[@]}" --root "${XROOT[$rt]}" run -d --bundle "$WORK/sbundle" bench-x </dev/null \
		>/dev/null 2>&1 || die "$rt run -d failed"
	EXEC_IDS+=("${cmd[*]} --root ${XROOT[$rt]} delete -f bench-x")
done
"${NK[@]}" run -d --network none --name bench-exec --rootfs "$WORK/rootfs" /bin/sleep 1000 >/dev/null ||
	die "nook run -d failed"

round() { # NAME-PREFIX ("-" for warm-up)
	local w=$1 n
	n() { [ "$w" = - ] && echo - || echo "$1"; }
	timed "$(n floor)" unshare -mpfuin --mount-proc /bin/true
	rt_run "$(n nook-runtime-run)" "$NOOK" runtime
	rt_run "$(n nook-ro-runtime-run)" "$NOOK_RO" runtime
	for rt in $REFS; do rt_run "$(n "$rt-run")" "$rt"; done
	BUNDLE=$WORK/pbundle rt_run "$(n nook-plain-runtime-run)" "$NOOK" runtime
	BUNDLE=$WORK/pbundle rt_run "$(n nook-ro-plain-runtime-run)" "$NOOK_RO" runtime
	case " $REFS " in *" crun "*) BUNDLE=$WORK/pbundle rt_run "$(n crun-plain-run)" crun ;; esac
	timed "$(n nook-run-rm)" "${NK[@]}" run --rm --network none --rootfs "$WORK/rootfs" /bin/true
	timed "$(n nook-ro-run-rm)" "$NOOK_RO" "${NK[@]:1}" run --rm --network none --rootfs "$WORK/rootfs" /bin/true
	if [ -n "$BASE" ]; then
		rt_run "$(n base-runtime-run)" "$BASE" runtime
		timed "$(n base-run-rm)" "$BASE" --root "$WORK/base/root" --runroot "$RUN/base" \
			run --rm --network none --rootfs "$WORK/rootfs" /bin/true
		timed "$(n base-exec)" "$BASE" --root "$WORK/nook/root" --runroot "$RUN/nook" \
			exec bench-exec /bin/true
	fi
	timed "$(n nook-runtime-exec)" "$NOOK" runtime --root "${XROOT[nook]}" exec bench-x /bin/true
	timed "$(n nook-ro-runtime-exec)" "$NOOK_RO" runtime --root "${XROOT[nook]}" exec bench-x /bin/true
	for rt in $REFS; do
		[ -n "${XROOT[$rt]:-}" ] || continue
		timed "$(n "$rt-exec")" "$rt" --root "${XROOT[$rt]}" exec bench-x /bin/true
	done
	timed "$(n nook-exec)" "${NK[@]}" exec bench-exec /bin/true
	timed "$(n nook-ro-exec)" "$NOOK_RO" "${NK[@]:1}" exec bench-exec /bin/true
}

echo "nook start-up breakdown: /bin/true, $ROUNDS interleaved rounds (+$WARMUP warm-up)"
echo "  host: $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $CGNOTE"
echo "  nook: $NOOK${BASE:+; base (BENCH_BASE): $BASE}"
if [ -x "$SPAWN" ]; then
	echo "  timer: bench-spawn (posix_spawn + wait: bash's own fork not counted, for every command)"
else
	echo "  timer: bash EPOCHREALTIME around bash's fork (no $SPAWN: make it for the spawn timer)"
fi
echo "  references:${REFS:- none}; state and runroot on a tmpfs, root under $WORK (fs $(stat -f -c %T "$WORK"))"
echo
for ((i = 0; i < WARMUP; i++)); do round -; done
for ((i = 0; i < ROUNDS; i++)); do round x; done
# the steps: nook's commands again, with their marks on
steps_round() {
	rt_run nook-runtime-run "$NOOK" runtime
	rt_run nook-ro-runtime-run "$NOOK_RO" runtime
	timed nook-run-rm "${NK[@]}" run --rm --network none --rootfs "$WORK/rootfs" /bin/true
	timed nook-runtime-exec "$NOOK" runtime --root "${XROOT[nook]}" exec bench-x /bin/true
	timed nook-exec "${NK[@]}" exec bench-exec /bin/true
}
STEPS=1
rm -f "$WORK"/tm/*
for ((i = 0; i < STEP_ROUNDS; i++)); do steps_round; done
STEPS=

med() { # FILE -> median in ms
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f", m / 1000 }'
}
declare -A M
for f in "$WORK"/t/*; do M[${f##*/}]=$(med "$f"); done
ratio() { awk -v a="${M[$1]:-}" -v b="${M[$2]:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

printf '%-20s %10s %9s %9s\n' command "median ms" "/floor" "/crun"
for k in floor nook-runtime-run nook-ro-runtime-run base-runtime-run crun-run runc-run \
	nook-plain-runtime-run nook-ro-plain-runtime-run crun-plain-run nook-run-rm nook-ro-run-rm base-run-rm nook-runtime-exec nook-ro-runtime-exec crun-exec \
	nook-exec nook-ro-exec base-exec; do
	[ -n "${M[$k]:-}" ] || continue
	c=crun-run
	case $k in *exec) c=crun-exec ;; *plain*) c=crun-plain-run ;; esac
	printf '%-20s %10s %9s %9s\n' "$k" "${M[$k]}" "$(ratio "$k" floor)" "$(ratio "$k" $c)"
done
echo
echo "goals: runtime run <= 1.3x floor and <= 0.5x crun; run --rm <= 1.5x runtime run;"
echo "  exec <= 0.5x crun exec"
goal() { # LABEL A B MAX
	local r
	r=$(awk -v a="${M[$2]:-}" -v b="${M[$3]:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.2f", a / b }')
	[ -n "$r" ] || return 0
	printf '  %-34s %5sx (goal <= %sx): %s\n' "$1" "$r" "$4" \
		"$(awk -v r="$r" -v g="$4" 'BEGIN { print (r <= g) ? "met" : "NOT met" }')"
}
goal "nook runtime run / floor" nook-runtime-run floor 1.3
goal "  the same, binary on a ro mount" nook-ro-runtime-run floor 1.3
goal "  no seccomp profile (as the floor)" nook-plain-runtime-run floor 1.3
goal "  the same, binary on a ro mount" nook-ro-plain-runtime-run floor 1.3
goal "nook runtime run / crun run" nook-runtime-run crun-run 0.5
goal "  the same, binary on a ro mount" nook-ro-runtime-run crun-run 0.5
goal "nook run --rm / nook runtime run" nook-run-rm nook-runtime-run 1.5
goal "nook exec / crun exec" nook-exec crun-exec 0.5
goal "  the same, binary on a ro mount" nook-ro-exec crun-exec 0.5
goal "nook runtime exec / crun exec" nook-runtime-exec crun-exec 0.5
echo

# ---- the steps: every timing file ordered by time; a step costs the time
# since the line before it (any process); repeated names get #2, #3.
# "(before main)" and "(after exit)" are the wall time outside the marks.
for k in nook-runtime-run nook-ro-runtime-run nook-run-rm nook-runtime-exec nook-exec; do
	[ -n "${M[$k]:-}" ] || continue
	i=0
	for f in "$WORK"/tm/"$k".*.wall; do [ -f "$f" ] && cat "$f"; done >"$WORK/tmwall.$k"
	[ -s "$WORK/tmwall.$k" ] || continue
	echo "$k: median per step over $STEP_ROUNDS runs with the marks on (µs; wall" \
		"$(med "$WORK/tmwall.$k") ms with them, ${M[$k]} ms without)"

	for f in "$WORK"/tm/"$k".*; do
		case $f in *.wall) continue ;; esac
		[ -s "$f" ] && [ -f "$f.wall" ] || continue
		i=$((i + 1))
		sort -n -k3,3 "$f" | awk -v run=$i -v wall="$(cat "$f.wall")" '{
			step = $5; for (k = 6; k <= NF; k++) step = step " " $k
			seen[step]++; if (seen[step] > 1) step = step " #" seen[step]
			print run "\t" step "\t" $3 - prev "\t" NR; prev = $3 }
			END { print run "\t(outside the marks: exec of nook, exit, reaping)\t" wall - prev "\t999" }'
	done >"$WORK/steps.$k"
	awk -F'\t' '{ v[$2] = v[$2] " " $3; if (!($2 in pos) || $4 < pos[$2]) pos[$2] = $4 }
	END { for (s in v) print pos[s] "\t" s "\t" v[s] }' "$WORK/steps.$k" | sort -n -k1,1 |
		while IFS=$'\t' read -r _ step vals; do
			# shellcheck disable=SC2086
			m=$(printf '%s\n' $vals | sort -n | awk '{ v[NR] = $1 } END {
				printf "%d", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
			printf '  %7s  %s\n' "$m" "$step"
		done
	echo
done
if [ "${BENCH_RAW:-}" = 1 ]; then
	for k in nook-runtime-run nook-run-rm; do
		f=$(ls "$WORK"/tm/"$k".* | grep -v '\.wall$' | tail -1)
		echo "raw ($f):"
		sort -n -k3,3 "$f" | sed 's/^/  /'
	done
fi
