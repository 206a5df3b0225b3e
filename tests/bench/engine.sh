#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): the engine, `nook`, side by side
# with Debian's podman (conmon + runc) in one run, on the same busybox rootfs
# (`--rootfs DIR` for both):
#   1. `run --rm --rootfs DIR /bin/true` latency, interleaved
#   2. `ps -a` with 0, 100 and 1000 created (not started) containers
#   3. `wait` latency: the container's init is SIGKILLed, time until `wait`
#      returns; plus strace of `nook wait` (blocks in read() on inotify?)
#   4. resident memory of nook's monitor vs conmon, 1 and 5 running containers
#   and the binary sizes.
#
#   tests/bench/engine.sh [BUILD_DIR]     (default build/x86_64; needs root)
#
# Environment:
#   BENCH_ROUNDS      timed rounds of run and wait (default 20)
#   BENCH_WARMUP      untimed warm-up rounds of run (default 2)
#   BENCH_PS_N        container counts for `ps -a`, ascending (default "0 100 1000")
#   BENCH_PS_ROUNDS   timed `ps -a` per count and engine (default 10)
#   BENCH_PODMAN_CREATE_MAX  seconds podman may spend creating its containers
#                     (default 180); beyond, podman gets fewer, and says so
#   BENCH_WAIT_SETTLE seconds `wait` blocks before the kill (default 0.6)
#   BENCH_TIMEOUT     limit for the whole run, seconds (default 570)
#   BENCH_RAW=1       also print every timed value (ms), in run order
#
# Each engine has its own --root/--runroot (podman also --tmpdir) in one work
# dir under /tmp, the runroots on a tmpfs mounted there; every container
# either engine made is removed and the work dir deleted on exit, failure,
# interrupt or time-out (trap).
set -u
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

BUILD=${1:-build/x86_64}
ROUNDS=${BENCH_ROUNDS:-20}
WARMUP=${BENCH_WARMUP:-2}
PS_N=${BENCH_PS_N:-0 100 1000}
PS_ROUNDS=${BENCH_PS_ROUNDS:-10}
CREATE_MAX=${BENCH_PODMAN_CREATE_MAX:-180}
SETTLE=${BENCH_WAIT_SETTLE:-0.6}
LIMIT=${BENCH_TIMEOUT:-570}
RUNTIME=/usr/sbin/runc # crun refuses the hybrid cgroup layout of the dev hosts

die() {
	echo "bench: error: $*" >&2
	exit 1
}

# ---- checks ---------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root (namespaces, cgroups)"
for v in "$ROUNDS" "$WARMUP" "$PS_ROUNDS" "$CREATE_MAX" "$LIMIT" $PS_N; do
	case $v in '' | *[!0-9]*) die "BENCH_ROUNDS/WARMUP/PS_N/PS_ROUNDS/PODMAN_CREATE_MAX/TIMEOUT must be numbers (got '$v')" ;; esac
done
case $SETTLE in '' | *[!0-9.]*) die "BENCH_WAIT_SETTLE must be a number of seconds" ;; esac
[ "$ROUNDS" -ge 1 ] && [ "$PS_ROUNDS" -ge 1 ] || die "BENCH_ROUNDS and BENCH_PS_ROUNDS must be >= 1"
prev=-1
for n in $PS_N; do
	[ "$n" -gt "$prev" ] || die "BENCH_PS_N must be ascending (got '$PS_N')"
	prev=$n
done
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"
[ -x "$BUILD/nook" ] || die "nook binary missing: $BUILD/nook (run 'make' first)"
[ -x "$BUILD/nook-test" ] || die "test payload missing: $BUILD/nook-test (run 'make' first)"
command -v podman >/dev/null || die "podman not installed (apt-get install -y podman)"
command -v conmon >/dev/null || die "conmon not installed (apt-get install -y conmon)"
[ -x $RUNTIME ] || die "$RUNTIME missing (apt-get install -y runc)"
command -v timeout >/dev/null || die "timeout (coreutils) missing"
HERE=$(cd "$(dirname "$0")" && pwd)
MKROOTFS=$HERE/../mkrootfs.sh
[ -x "$MKROOTFS" ] || die "$MKROOTFS missing"
NOOK=$(cd "$BUILD" && pwd)/nook
SPAWN=$(cd "$BUILD" && pwd)/bench-spawn
PAYLOAD=$(cd "$BUILD" && pwd)/nook-test

T_START=$EPOCHREALTIME
WORK=$(mktemp -d /tmp/nook-bench-engine.XXXXXX) || die "mktemp failed"
ROOTFS=$WORK/rootfs
# The runroots (and podman's tmpdir) on a tmpfs, as /run is on a router and
# in podman's defaults; the roots on the disk under /tmp.
mkdir -p "$WORK/ram" && mount -t tmpfs -o mode=0755 nook-bench "$WORK/ram" ||
	die "cannot mount a tmpfs on $WORK/ram"
NK=("$NOOK" --root "$WORK/nook/root" --runroot "$WORK/ram/nook-run")
PM=(podman --root "$WORK/podman/root" --runroot "$WORK/ram/podman-run" --tmpdir "$WORK/ram/podman-tmp"
	--cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME")
# the same network mode for both (nook's default is bridge)
NK_RUN=(--network none)
PM_RUN=(--network none --pids-limit -1 --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
mkdir -p "$WORK/times" "$WORK/mem" || die "mkdir in $WORK failed"
: >"$WORK/pids"

# ---- cleanup (EXIT), interrupts, watchdog -----------------------------------
WATCHDOG=
cleanup() {
	local rc=$? p d ids a pid cmd i left
	trap - EXIT INT TERM HUP
	set +e
	[ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null
	for p in $(jobs -p); do [ "$p" = "$WATCHDOG" ] || kill -KILL "$p" 2>/dev/null; done
	exec 3>&2 2>/dev/null # no "Killed" job notices
	wait
	exec 2>&3 3>&-
	[ "$rc" = 0 ] || echo "bench: cleaning up $WORK ..." >&2
	if [ -d "$WORK/nook/root" ]; then
		ids=$(timeout 60 "${NK[@]}" ps -aq 2>/dev/null)
		# shellcheck disable=SC2086
		if [ -n "$ids" ] && ! timeout 120 "${NK[@]}" rm -f $ids >/dev/null 2>&1; then
			echo "bench: cleanup: nook rm -f failed" >&2
		fi
	fi
	if [ -d "$WORK/podman/root" ]; then
		if ! timeout 180 "${PM[@]}" rm -af -t 0 >/dev/null 2>&1; then
			echo "bench: cleanup: podman rm -af failed (its locks in /dev/shm/libpod_lock may leak)" >&2
		fi
	fi
	# Last resort, by pid: monitors and conmons of this work dir (and the
	# cleanup commands they run), given 5 s to finish on their own; then the
	# containers' own processes recorded by pid (if still the same command).
	for i in $(seq 50) kill; do
		left=0
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			[ "$pid" = $$ ] && continue
			mapfile -d '' -t a <"$d/cmdline" 2>/dev/null || continue
			cmd="${a[*]}"
			case $cmd in *"$WORK/"*) ;; *) continue ;; esac
			left=1
			[ "$i" = kill ] && kill -KILL "$pid" 2>/dev/null &&
				echo "bench: cleanup: killed leftover $pid: ${cmd:0:80}" >&2
		done
		[ $left = 0 ] && break
		[ "$i" = kill ] || sleep 0.1
	done
	while read -r pid; do
		[ -r "/proc/$pid/cmdline" ] || continue
		mapfile -d '' -t a <"/proc/$pid/cmdline" 2>/dev/null
		[ "${a[*]}" = "/bin/nook-test sleep inf" ] && kill -KILL "$pid" 2>/dev/null &&
			echo "bench: cleanup: killed leftover container process $pid" >&2
	done <"$WORK/pids"
	umount "$WORK/ram" 2>/dev/null # ours: no notice
	umount_under "$WORK"
	rm -rf "$WORK" || echo "bench: cleanup: could not remove $WORK" >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT HUP
trap 'echo "bench: terminated" >&2; exit 143' TERM

bench_watchdog "$LIMIT"

# ---- helpers ----------------------------------------------------------------
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }
since_s() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# fail RC CMD...: report a failed command with its output, and stop.
fail() {
	local rc=$1
	shift
	echo "bench: error: command failed (exit $rc): $*" >&2
	sed 's/^/  | /' "$WORK/out" "$WORK/err" 2>/dev/null | head -20 >&2
	exit 1
}

# timed FILE|- CMD...: run CMD (stdin /dev/null, output to $WORK/out),
# append its wall time (us) to FILE; stop the benchmark if it fails.  The
# command is started by bench-spawn (posix_spawn: bash's own fork, ~2.3 ms
# on this VM, is not counted); timed_sh starts it from bash, as a shell
# user would (that fork counted).
timed() {
	local f=$1 rc
	shift
	[ -x "$SPAWN" ] || {
		timed_sh "$f" "$@"
		return
	}
	"$SPAWN" "$f" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = 0 ] || fail $rc "$@"
}
timed_sh() {
	local f=$1 t0 t1 rc
	shift
	t0=$EPOCHREALTIME
	"$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc = 0 ] || fail $rc "$@"
	[ "$f" = - ] || echo $((10#${t1/./} - 10#${t0/./})) >>"$f"
}

# run1 CMD...: run CMD untimed, its stdout in $OUT; stop if it fails.
run1() {
	local rc
	"$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = 0 ] || fail $rc "$@"
	OUT=$(cat "$WORK/out")
}

# engine commands: E_CMD / E_RUN by engine name
cmd_of() { if [ "$1" = nook ]; then CMD=("${NK[@]}") RUNF=("${NK_RUN[@]}"); else CMD=("${PM[@]}") RUNF=("${PM_RUN[@]}"); fi; }

# start_sleeper ENGINE: a detached container running `nook-test sleep inf`;
# sets CID and CPID (its init's pid on the host).
start_sleeper() {
	cmd_of "$1"
	run1 "${CMD[@]}" run -d "${RUNF[@]}" --rootfs "$ROOTFS" /bin/nook-test sleep inf
	CID=$(tail -n1 <<<"$OUT")
	run1 "${CMD[@]}" inspect --format '{{.State.Pid}}' "$CID"
	CPID=$OUT
	case $CPID in '' | 0 | *[!0-9]*) die "$1: no pid for running container $CID (inspect said '$CPID')" ;; esac
	echo "$CPID" >>"$WORK/pids"
}

# stats FILE -> "median min p90 n" in ms (p90: nearest rank).
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	END {
		n = NR
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
		printf "%.2f %.2f %.2f %d\n", med / 1000, v[1] / 1000, v[r] / 1000, n
	}'
}
median_of() { read -r m _ <<<"$(stats "$1")"; echo "$m"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3fx", a / b; else print "-" }'; }

# ---- header -------------------------------------------------------------------
echo "nook engine benchmark: nook vs podman, side by side in one run"
echo "  nook:   $NOOK"
echo "  podman: $(podman --version | sed 's/.*version //') with $(conmon --version | head -1), $($RUNTIME --version | head -1)"
echo "          --root in $WORK, --runroot/--tmpdir on a tmpfs ($WORK/ram), --cgroup-manager=cgroupfs --events-backend=file --runtime $RUNTIME"
echo "          run/create: ${PM_RUN[*]}"
echo "  rootfs: busybox + nook-test (tests/mkrootfs.sh), --rootfs for both; nook: ${NK_RUN[*]}"
if [ -x "$SPAWN" ]; then
	TIMER="bench-spawn (posix_spawn + wait, CLOCK_MONOTONIC); 'from bash': bash EPOCHREALTIME around bash's fork"
else
	TIMER="bash EPOCHREALTIME around bash's fork (no $SPAWN: make $BUILD/bench-spawn)"
fi
echo "  timer: $TIMER; host: $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); /tmp is $(stat -f -c %T "$WORK")"
echo

"$MKROOTFS" "$ROOTFS" "$PAYLOAD" >"$WORK/out" 2>&1 || fail $? "$MKROOTFS $ROOTFS $PAYLOAD"

# ---- 1. run --rm /bin/true ------------------------------------------------------
t=$(now_us)
runrm() { # runrm ENGINE FILE|- [timed_sh]
	cmd_of "$1"
	${3:-timed} "$2" "${CMD[@]}" run --rm "${RUNF[@]}" --rootfs "$ROOTFS" /bin/true
}
for ((i = 0; i < (WARMUP > 0 ? WARMUP : 1); i++)); do runrm nook -; runrm podman -; done
for ((i = 0; i < ROUNDS; i++)); do
	runrm nook "$WORK/times/run.nook"
	runrm podman "$WORK/times/run.podman"
	if [ -x "$SPAWN" ]; then
		runrm nook "$WORK/times/runsh.nook" timed_sh
		runrm podman "$WORK/times/runsh.podman" timed_sh
	fi
done
echo "[1/4] run --rm /bin/true: $ROUNDS rounds (+$WARMUP warm-up), interleaved nook/podman ($(since_s "$t") s)"

# ---- 2. ps -a with N created containers -------------------------------------------
t=$(now_us)
HAVE_nook=0 HAVE_podman=0
CT_nook=0 CT_podman=0  # us spent in create
PODMAN_CAPPED=
# grow ENGINE TARGET: create containers (not started) until ENGINE has TARGET.
grow() {
	local e=$1 target=$2 t0 t1 rate left n
	cmd_of "$e"
	if [ "$e" = podman ] && [ "$HAVE_podman" -ge 20 ]; then
		# Projected time for the rest: fewer containers if over budget.
		rate=$((CT_podman / HAVE_podman))
		left=$(((CREATE_MAX * 1000000 - CT_podman) / rate))
		if [ $((target - HAVE_podman)) -gt "$left" ]; then
			n=$(((HAVE_podman + left) / 100 * 100))
			[ "$n" -gt "$HAVE_podman" ] || n=$HAVE_podman
			PODMAN_CAPPED="podman: $n containers instead of $target (creating all would take ~$(((target * rate) / 1000000)) s > BENCH_PODMAN_CREATE_MAX=${CREATE_MAX} s)"
			target=$n
		fi
	fi
	local have=HAVE_$e
	while [ "${!have}" -lt "$target" ]; do
		t0=$EPOCHREALTIME
		"${CMD[@]}" create "${RUNF[@]}" --rootfs "$ROOTFS" /bin/true </dev/null >"$WORK/out" 2>"$WORK/err" ||
			fail $? "${CMD[@]}" create "${RUNF[@]}" --rootfs "$ROOTFS" /bin/true
		t1=$EPOCHREALTIME
		eval "HAVE_$e=\$((HAVE_$e + 1)); CT_$e=\$((CT_$e + 10#${t1/./} - 10#${t0/./}))"
		# Hard stop if podman gets slower as it grows.
		if [ "$e" = podman ] && [ "$CT_podman" -gt $((CREATE_MAX * 1200000)) ]; then
			PODMAN_CAPPED="podman: $HAVE_podman containers instead of $2 (creation passed 1.2 x BENCH_PODMAN_CREATE_MAX=${CREATE_MAX} s)"
			break
		fi
	done
}
PS_LIST=
for n in $PS_N; do
	grow nook "$n"
	grow podman "$n"
	for e in nook podman; do
		cmd_of $e
		run1 "${CMD[@]}" ps -aq
		got=$(grep -c . <<<"$OUT")
		[ "$got" = "$(eval echo \$HAVE_$e)" ] || die "$e ps -aq lists $got containers, expected $(eval echo \$HAVE_$e)"
	done
	for e in nook podman; do cmd_of $e; timed - "${CMD[@]}" ps -a; done # warm-up
	for ((i = 0; i < PS_ROUNDS; i++)); do
		for e in nook podman; do cmd_of $e; timed "$WORK/times/ps$n.$e" "${CMD[@]}" ps -a; done
	done
	eval "PSN_nook_$n=$HAVE_nook PSN_podman_$n=$HAVE_podman"
	PS_LIST="$PS_LIST $n"
done
per_ms() { awk -v t="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t / n / 1000; else print "-" }'; }
echo "[2/4] ps -a with ${PS_N// /, } containers: created $HAVE_nook with nook in $(awk -v t=$CT_nook 'BEGIN{printf "%.1f", t/1e6}') s ($(per_ms $CT_nook $HAVE_nook) ms each), $HAVE_podman with podman in $(awk -v t=$CT_podman 'BEGIN{printf "%.1f", t/1e6}') s ($(per_ms $CT_podman $HAVE_podman) ms each)"
[ -z "$PODMAN_CAPPED" ] || echo "      NOTE: $PODMAN_CAPPED"
# Remove them (timed, for information) so the rest runs on empty stores.
RM_INFO=
for e in nook podman; do
	cmd_of $e
	[ "$(eval echo \$HAVE_$e)" -gt 0 ] || continue
	t0=$(now_us)
	if [ $e = nook ]; then
		run1 "${CMD[@]}" ps -aq
		# shellcheck disable=SC2086
		run1 "${CMD[@]}" rm -f $OUT
	else
		run1 "${CMD[@]}" rm -a -f -t 0
	fi
	RM_INFO="$RM_INFO $e $(since_s "$t0") s,"
done
echo "      removing them:${RM_INFO%,}  (whole step $(since_s "$t") s)"

# ---- 3. wait latency ------------------------------------------------------------------
t=$(now_us)
# ticks PID: its user+system CPU (1/100 s); fails once it has exited.
ticks() {
	local s
	read -r -a s <"/proc/$1/stat" 2>/dev/null || return 1
	[ "${s[2]}" != Z ] || return 1
	echo $((s[13] + s[14]))
}
HALF=$(awk -v s="$SETTLE" 'BEGIN { printf "%.3f", s / 2 }')
# wait1 ENGINE FILE|-: container killed with SIGKILL at t0; t1 when `wait` returns.
wait1() {
	local e=$1 f=$2 wp c0 c1 t0 t1 rc
	start_sleeper "$e"
	cmd_of "$e"
	"${CMD[@]}" wait "$CID" </dev/null >"$WORK/wait.out" 2>"$WORK/wait.err" &
	wp=$!
	sleep "$HALF"
	c0=$(ticks $wp) || die "$e wait returned before the container exited: $(cat "$WORK/wait.err")"
	sleep "$HALF"
	c1=$(ticks $wp) || die "$e wait returned before the container exited: $(cat "$WORK/wait.err")"
	t0=$EPOCHREALTIME
	kill -KILL "$CPID"
	wait $wp
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc = 0 ] || die "$e wait $CID failed (exit $rc): $(cat "$WORK/wait.err")"
	[ "$(tail -n1 "$WORK/wait.out")" = 137 ] ||
		die "$e wait $CID printed '$(cat "$WORK/wait.out")', expected 137 (SIGKILL)"
	if [ "$f" != - ]; then
		echo $((10#${t1/./} - 10#${t0/./})) >>"$f"
		# CPU of the blocked wait over the second half of the settle time, in %.
		awk -v d=$((c1 - c0)) -v h="$HALF" 'BEGIN { printf "%.0f\n", d / 100 / h * 100 }' >>"$f.cpu"
	fi
	run1 "${CMD[@]}" rm -f "$CID"
}
wait1 nook -
wait1 podman -
for ((i = 0; i < ROUNDS; i++)); do
	wait1 nook "$WORK/times/wait.nook"
	wait1 podman "$WORK/times/wait.podman"
done
echo "[3/4] wait latency: $ROUNDS rounds, interleaved; SIGKILL to the container's init after wait blocked ${SETTLE} s ($(since_s "$t") s)"

# strace: does `nook wait` block in read() on inotify, or loop?
STRACE_LINE="strace not installed: no syscall check of nook wait (apt-get install -y strace)"
STRACE_OK=
if command -v strace >/dev/null; then
	start_sleeper nook
	strace -f -y -T -o "$WORK/strace" "${NK[@]}" wait "$CID" </dev/null >"$WORK/wait.out" 2>"$WORK/wait.err" &
	sp=$!
	sleep "$SETTLE"
	kill -0 $sp 2>/dev/null || die "strace nook wait ended before the kill: $(cat "$WORK/wait.err")"
	kill -KILL "$CPID"
	wait $sp || die "strace nook wait $CID failed: $(cat "$WORK/wait.err")"
	run1 "${NK[@]}" rm -f "$CID"
	read -r sleeps inoreads calls longest <<<"$(awk '
		/ (clock_)?nanosleep\(/ { s++ }
		/ read\([0-9]+<anon_inode:inotify>/ { r++ }
		/ = / { n++ }
		match($0, /<[0-9]+\.[0-9]+>$/) {
			d = substr($0, RSTART + 1, RLENGTH - 2) + 0
			if (d > best) { best = d; w = $2; sub(/,.*/, "", w) }
		}
		END { printf "%d %d %d %s@%.3f\n", s, r, n, w, best }' "$WORK/strace")"
	lsys=${longest%@*} ldur=${longest#*@}
	STRACE_LINE="strace -f nook wait (killed after ${SETTLE} s): $calls syscalls, $sleeps nanosleep/clock_nanosleep, $inoreads read() on inotify; longest: $lsys ${ldur} s"
	if [ "$sleeps" = 0 ] && [ "$inoreads" -le 10 ] && [[ $lsys == read*inotify* || $lsys == poll*inotify* ]] &&
		awk -v d="$ldur" -v s="$SETTLE" 'BEGIN { exit !(d >= 0.8 * s) }'; then
		STRACE_OK=met
	else
		STRACE_OK="NOT met"
	fi
fi

# ---- 4. monitor memory ---------------------------------------------------------------
t=$(now_us)
# memof ENGINE CID >> file: "VmRSS Pss Private" (kB) of the container's monitor.
memof() {
	local e=$1 id=$2 mp comm
	cmd_of "$e"
	run1 "${CMD[@]}" inspect --format '{{.State.ConmonPid}}' "$id"
	mp=$OUT
	case $mp in '' | 0 | *[!0-9]*) die "$e: no monitor pid for $id (inspect .State.ConmonPid said '$mp')" ;; esac
	comm=$(cat "/proc/$mp/comm" 2>/dev/null) || die "$e: monitor $mp of $id is not running"
	[ -r "/proc/$mp/smaps_rollup" ] || die "no /proc/$mp/smaps_rollup (kernel >= 4.14 needed)"
	awk -v c="$comm" '
		FILENAME ~ /status$/ && /^VmRSS:/ { rss = $2 }
		FILENAME ~ /rollup$/ && /^Pss:/ { pss = $2 }
		FILENAME ~ /rollup$/ && /^Private_(Clean|Dirty):/ { priv += $2 }
		END { print rss, pss, priv, c }' "/proc/$mp/status" "/proc/$mp/smaps_rollup"
}
declare -A MEMIDS=([nook]="" [podman]="")
for k in 1 5; do
	for e in nook podman; do
		while [ "$(wc -w <<<"${MEMIDS[$e]}")" -lt $k ]; do
			start_sleeper $e
			MEMIDS[$e]="${MEMIDS[$e]} $CID"
		done
	done
	sleep 0.5 # let the monitors settle (log files opened, children reaped)
	for e in nook podman; do
		: >"$WORK/mem/$e.$k"
		for id in ${MEMIDS[$e]}; do memof $e "$id" >>"$WORK/mem/$e.$k"; done
	done
done
# shellcheck disable=SC2086
run1 "${NK[@]}" rm -f ${MEMIDS[nook]}
# shellcheck disable=SC2086
run1 "${PM[@]}" rm -f -t 0 ${MEMIDS[podman]}
echo "[4/4] monitor memory with 1 and 5 running containers per engine ($(since_s "$t") s)"
echo

# ---- results ---------------------------------------------------------------------------
printf '%-26s %-14s %10s %9s %9s %12s %5s\n' measurement engine "median ms" min p90 "nook/podman" N
row() { # row LABEL KEY ENGINELABEL-nook ENGINELABEL-podman
	local mn mp a
	read -r mn a b c <<<"$(stats "$WORK/times/$2.nook")"
	printf '%-26s %-14s %10s %9s %9s %12s %5s\n' "$1" "$3" "$mn" "$a" "$b" \
		"$(ratio "$mn" "$(median_of "$WORK/times/$2.podman")")" "$c"
	read -r mp a b c <<<"$(stats "$WORK/times/$2.podman")"
	printf '%-26s %-14s %10s %9s %9s %12s %5s\n' "" "$4" "$mp" "$a" "$b" "" "$c"
}
row "run --rm /bin/true" run nook podman
[ -f "$WORK/times/runsh.nook" ] && row "  the same, from bash" runsh nook podman
for n in $PS_LIST; do
	pn=PSN_podman_$n
	pn=${!pn}
	pl=podman
	[ "$pn" = "$n" ] || pl="podman ($pn)"
	row "ps -a, $n containers" "ps$n" nook "$pl"
done
row "wait: SIGKILL -> return" wait nook "podman"
echo "  (ratio: nook's median / podman's; podman wait polls: its default --interval is 250ms)"
cpu() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%s%%", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "  CPU of the blocked wait process (median over the rounds): nook $(cpu "$WORK/times/wait.nook.cpu"), podman $(cpu "$WORK/times/wait.podman.cpu")"
echo "  $STRACE_LINE"
echo
if [ "${BENCH_RAW:-}" = 1 ]; then
	for f in "$WORK"/times/*.nook "$WORK"/times/*.podman; do
		printf '%s raw ms:' "$(basename "$f")"
		awk '{ printf " %.2f", $1 / 1000 } END { print "" }' "$f"
	done
	echo
fi

echo "monitor memory per running container (kB; from /proc/PID/status, smaps_rollup):"
printf '  %-22s %11s %14s %11s %11s %12s\n' "" "containers" "VmRSS avg/max" "Pss avg" "Private avg" "Pss total"
memrow() { # memrow ENGINE K
	awk -v e="$1" -v k="$2" '{ r += $1; if ($1 > m) m = $1; p += $2; q += $3; n++; c = $4 }
	END { printf "  %-22s %11d %8d/%-5d %11d %11d %12d\n", e " (" c ")", k, r / n, m, p / n, q / n, p }' "$WORK/mem/$1.$2"
}
for k in 1 5; do memrow nook $k; memrow podman $k; done
echo "  (VmRSS counts the binary's code pages shared with the other monitors;"
echo "   Pss divides them among the sharers; Private = Private_Clean + Private_Dirty)"
echo

# ---- binary sizes -------------------------------------------------------------------------
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
stripped() { file -L "$1" 2>/dev/null | grep -o 'not stripped\|stripped' | head -1; }
libs_of() { ldd "$1" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }' | xargs -r readlink -f; }
echo "binary sizes:"
NOOK_BYTES=$(stat -L -c %s "$NOOK")
printf '  %-7s %10s bytes %9s KB  %s (%s, static)\n' nook "$NOOK_BYTES" "$(kb "$NOOK_BYTES")" "$NOOK" "$(stripped "$NOOK")"
STACK=0
ALL_LIBS=
for b in podman conmon $RUNTIME; do
	p=$(command -v "$b")
	sz=$(stat -L -c %s "$p")
	STACK=$((STACK + sz))
	printf '  %-7s %10s bytes %9s KB  %s (%s)\n' "$(basename "$b")" "$sz" "$(kb "$sz")" "$p" "$(stripped "$p")"
	libs=$(libs_of "$p")
	ALL_LIBS="$ALL_LIBS $libs"
	if [ -n "$libs" ]; then
		# shellcheck disable=SC2086
		lt=$(stat -c %s $libs | awk '{ t += $1 } END { print t }')
		printf '  %-7s %10s bytes %9s KB  + %d shared libs\n' "" "$lt" "$(kb "$lt")" "$(wc -w <<<"$libs")"
	fi
done
# shellcheck disable=SC2086
UL=$(printf '%s\n' $ALL_LIBS | sort -u)
# shellcheck disable=SC2086
ULB=$(stat -c %s $UL | awk '{ t += $1 } END { print t }')
printf '  %-7s %10s bytes %9s KB  podman + conmon + runc + %d distinct libs (%.0fx nook)\n' total \
	$((STACK + ULB)) "$(kb $((STACK + ULB)))" "$(wc -l <<<"$UL")" "$(awk -v a=$((STACK + ULB)) -v b="$NOOK_BYTES" 'BEGIN { print a / b }')"
echo

# ---- goals ------------------------------------------------------------------------------------
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 <= g + 0) ? "met" : "NOT met" }'; }
echo "goals:"
rn=$(median_of "$WORK/times/run.nook") rp=$(median_of "$WORK/times/run.podman")
r=$(awk -v a="$rn" -v b="$rp" 'BEGIN { printf "%.3f", a / b }')
echo "  run --rm: nook/podman = ${r}x ($rn / $rp ms) (goal <= 0.05x): $(verdict "$r" 0.05)"
if [ -f "$WORK/times/runsh.nook" ]; then
	rn=$(median_of "$WORK/times/runsh.nook") rp=$(median_of "$WORK/times/runsh.podman")
	r=$(awk -v a="$rn" -v b="$rp" 'BEGIN { printf "%.3f", a / b }')
	echo "    the same, from bash: ${r}x ($rn / $rp ms)"
fi
if [ -f "$WORK/times/ps1000.nook" ]; then
	m=$(median_of "$WORK/times/ps1000.nook")
	echo "  ps -a, 1000 containers: nook $m ms (goal < 50 ms): $(awk -v m="$m" 'BEGIN { print (m < 50) ? "met" : "NOT met" }')"
else
	echo "  ps -a, 1000 containers: not measured (BENCH_PS_N=\"$PS_N\")"
fi
m=$(median_of "$WORK/times/wait.nook")
echo "  wait: nook returns $m ms after the exit (median; goal <= 5 ms): $(verdict "$m" 5)"
if [ -n "$STRACE_OK" ]; then
	echo "  wait blocks on inotify (poll/read), no sleep loop (strace): $STRACE_OK"
fi
mx=$(awk '{ if ($1 > m) m = $1 } END { print m }' "$WORK/mem/nook.1" "$WORK/mem/nook.5")
read -r p1 q1 <<<"$(awk '{ p += $2; q += $3; n++ } END { printf "%d %d", p / n, q / n }' "$WORK/mem/nook.1")"
echo "  monitor VmRSS: nook max $mx kB (goal < 300 kB): $(awk -v m="$mx" 'BEGIN { print (m < 300) ? "met" : "NOT met" }')  [1 container: Pss $p1 kB, Private $q1 kB]"
echo
echo "total time: $(since_s "${T_START/./}") s; load now $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host skews absolute times; compare within one run)"
