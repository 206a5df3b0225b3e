#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): nook's images side by side with
# podman's in one run.
#   1. `load -i` of a ~100 MB multi-layer docker-archive (made here with
#      podman import + podman build + podman save) into a fresh store:
#      nook vs podman; nook's peak RSS
#   2. a gzip'd layer: `nook import layer.tar.gz` vs the floor
#      `gzip -dc | tar -x`; and `nook import layer.tar` vs `tar -x`
#   3. `run --rm IMAGE /bin/true`: nook vs podman, and nook --rootfs
#   4. the disk footprint of each store after the load
#   5. `pull` of the same image from a local registry (Debian's
#      docker-registry on 127.0.0.1, plain http; pushed by skopeo, which
#      gzips the layers) into a fresh store: nook vs podman
#
#   tests/bench/images.sh [BUILD_DIR]     (default build/x86_64; needs root)
#
# Environment:
#   BENCH_IMG_ROUNDS      timed rounds of load and unpack (default 5)
#   BENCH_IMG_RUN_ROUNDS  timed rounds of run (default 20)
#   BENCH_IMG_WARMUP      untimed warm-up rounds of run (default 2)
#   BENCH_IMG_MB          MiB of data in the image's layers (default 100)
#   BENCH_IMG_DRIVER      podman's storage driver: overlay or vfs (default:
#                         overlay if it works here, else vfs)
#   BENCH_TIMEOUT         limit for the whole run, seconds (default 600)
#   BENCH_RAW=1           also print every timed value, in run order
#
# Everything lives in one work dir under /tmp: each engine's stores
# (--root/--runroot, podman also --tmpdir), the build context, the archives.
# The script runs in a private mount namespace in which /var/tmp is a
# directory of the work dir (podman load unpacks an archive there first);
# nothing it mounts reaches the host. On exit, failure, interrupt or time-out
# (trap) the containers and images of every store are removed, mounts
# under the work dir unmounted and the work dir deleted.
set -u
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

BUILD=${1:-build/x86_64}

die() {
	echo "bench: error: $*" >&2
	exit 1
}

# ---- outside: re-exec in a private mount namespace --------------------------
if [ "${NOOK_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "must run as root (namespaces, mounts, chown)"
	command -v unshare >/dev/null || die "unshare missing (apt-get install -y util-linux)"
	NOOK_BENCH_INNER=1 exec unshare -m --propagation private bash "$0" "$BUILD"
fi

ROUNDS=${BENCH_IMG_ROUNDS:-5}
RUN_ROUNDS=${BENCH_IMG_RUN_ROUNDS:-20}
WARMUP=${BENCH_IMG_WARMUP:-2}
MB=${BENCH_IMG_MB:-100}
DRIVER=${BENCH_IMG_DRIVER:-}
LIMIT=${BENCH_TIMEOUT:-600}
RUNTIME=/usr/sbin/runc # as engine.sh: crun refuses the hybrid cgroup layout of the dev hosts
GNUTIME=/usr/bin/time
IMG=localhost/nook-bench:1

# ---- checks -------------------------------------------------------------------
for v in "$ROUNDS" "$RUN_ROUNDS" "$WARMUP" "$MB" "$LIMIT"; do
	case $v in '' | *[!0-9]*) die "BENCH_IMG_ROUNDS/RUN_ROUNDS/WARMUP/MB and BENCH_TIMEOUT must be numbers (got '$v')" ;; esac
done
if [ "$ROUNDS" -lt 1 ] || [ "$RUN_ROUNDS" -lt 1 ]; then
	die "BENCH_IMG_ROUNDS and BENCH_IMG_RUN_ROUNDS must be >= 1"
fi
[ "$MB" -ge 10 ] || die "BENCH_IMG_MB must be >= 10"
case $DRIVER in '' | overlay | vfs) ;; *) die "BENCH_IMG_DRIVER must be overlay or vfs (got '$DRIVER')" ;; esac
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"
[ -x "$BUILD/nook" ] || die "nook binary missing: $BUILD/nook (run 'make' first)"
command -v podman >/dev/null || die "podman not installed (apt-get install -y podman)"
command -v conmon >/dev/null || die "conmon not installed (apt-get install -y conmon)"
[ -x $RUNTIME ] || die "$RUNTIME missing (apt-get install -y runc)"
[ -x $GNUTIME ] || die "GNU time missing: $GNUTIME (apt-get install -y time)"
for t in gzip tar timeout sync find sort; do
	command -v $t >/dev/null || die "$t missing"
done
tar --version 2>/dev/null | grep -q 'GNU tar' || die "tar is not GNU tar"
HERE=$(cd "$(dirname "$0")" && pwd)
MKROOTFS=$HERE/../mkrootfs.sh
[ -x "$MKROOTFS" ] || die "$MKROOTFS missing"
NOOK=$(cd "$BUILD" && pwd)/nook

T_START=$EPOCHREALTIME
WORK=$(mktemp -d /tmp/nook-bench-img.XXXXXX) || die "mktemp failed"
mkdir -p "$WORK/times" "$WORK/vartmp" "$WORK/nook" "$WORK/podman" "$WORK/x" || die "mkdir in $WORK failed"

# ---- cleanup (EXIT), interrupts, watchdog ---------------------------------------
WATCHDOG=
VARTMP_BOUND=
# stores: NK / PM for the store named $1 (nook/NAME, podman/NAME)
nk_of() { NK=("$NOOK" --root "$WORK/nook/$1/root" --runroot "$WORK/nook/$1/run"); }
pm_of() {
	PM=(podman --root "$WORK/podman/$1/root" --runroot "$WORK/podman/$1/run" --tmpdir "$WORK/podman/$1/tmp"
		--storage-driver "$DRIVER" --cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME")
}
cleanup() {
	local rc=$? p d n ids a pid cmd i left
	trap - EXIT INT TERM HUP
	set +e
	[ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null
	for p in $(jobs -p); do [ "$p" = "$WATCHDOG" ] || kill -KILL "$p" 2>/dev/null; done
	exec 3>&2 2>/dev/null # no "Killed" job notices
	wait
	exec 2>&3 3>&-
	[ "$rc" = 0 ] || echo "bench: cleaning up $WORK ..." >&2
	[ -n "${DRIVER:-}" ] || DRIVER=vfs
	for d in "$WORK"/nook/*/root; do
		[ -d "$d" ] || continue
		n=${d%/root}
		nk_of "${n##*/}"
		ids=$(timeout 60 "${NK[@]}" ps -aq 2>/dev/null)
		# shellcheck disable=SC2086
		if [ -n "$ids" ] && ! timeout 120 "${NK[@]}" rm -f $ids >/dev/null 2>&1; then
			echo "bench: cleanup: nook rm -f failed in $n" >&2
		fi
	done
	for d in "$WORK"/podman/*/root; do
		[ -d "$d" ] || continue
		n=${d%/root}
		pm_of "${n##*/}"
		timeout 120 "${PM[@]}" rm -af -t 0 >/dev/null 2>&1 ||
			echo "bench: cleanup: podman rm -af failed in $n (its locks in /dev/shm/libpod_lock may leak)" >&2
		timeout 120 "${PM[@]}" rmi -af >/dev/null 2>&1 ||
			echo "bench: cleanup: podman rmi -af failed in $n" >&2
	done
	# Last resort, by pid: processes whose command line names the work dir
	# (monitors, conmons), given 5 s to finish on their own.
	for i in $(seq 50) kill; do
		left=0
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			[ "$pid" = $$ ] && continue
			{ mapfile -d '' -t a <"$d/cmdline"; } 2>/dev/null || continue
			cmd="${a[*]}"
			case $cmd in *"$WORK/"*) ;; *) continue ;; esac
			left=1
			[ "$i" = kill ] && kill -KILL "$pid" 2>/dev/null &&
				echo "bench: cleanup: killed leftover $pid: ${cmd:0:80}" >&2
		done
		[ $left = 0 ] && break
		[ "$i" = kill ] || sleep 0.1
	done
	umount_under "$WORK"
	[ -z "$VARTMP_BOUND" ] || umount -l /var/tmp || echo "bench: cleanup: could not unmount /var/tmp (private)" >&2
	rm -rf "$WORK" || echo "bench: cleanup: could not remove $WORK" >&2
	if grep -q "$WORK" /proc/self/mountinfo; then
		echo "bench: cleanup: mounts left under $WORK:" >&2
		grep "$WORK" /proc/self/mountinfo >&2
		[ "$rc" != 0 ] || rc=1
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT HUP
trap 'echo "bench: terminated" >&2; exit 143' TERM

bench_watchdog "$LIMIT"

# podman load tries an archive as an OCI archive first, which unpacks it
# under /var/tmp whatever TMPDIR says: a private /var/tmp keeps that in here.
mount --bind "$WORK/vartmp" /var/tmp || die "cannot bind $WORK/vartmp on /var/tmp (private mount namespace)"
VARTMP_BOUND=1

# ---- helpers ---------------------------------------------------------------------
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }
since_s() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; } # KiB -> MiB

# fail RC CMD...: report a failed command with its output, and stop.
fail() {
	local rc=$1
	shift
	echo "bench: error: command failed (exit $rc): $*" >&2
	sed 's/^/  | /' "$WORK/out" "$WORK/err" 2>/dev/null | head -20 >&2
	exit 1
}

# run1 CMD...: run CMD untimed, its stdout in $OUT; stop if it fails.
run1() {
	local rc
	"$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc = 0 ] || fail $rc "$@"
	OUT=$(cat "$WORK/out")
}

# timed KEY|- CMD...: run CMD (stdin /dev/null); its wall time (us) goes to
# times/KEY; stop the benchmark if it fails.
timed() {
	local k=$1 t0 t1 rc
	shift
	t0=$EPOCHREALTIME
	"$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc = 0 ] || fail $rc "$@"
	[ "$k" = - ] || echo $((10#${t1/./} - 10#${t0/./})) >>"$WORK/times/$k"
}

# timedm KEY CMD...: timed, under GNU time: also the peak RSS (KiB, the
# largest process of CMD's tree) to times/KEY.rss.
timedm() {
	local k=$1
	shift
	timed "$k" "$GNUTIME" -f %M -o "$WORK/rss" "$@"
	tail -n1 "$WORK/rss" >>"$WORK/times/$k.rss"
}

# wipe DIR: remove a store or tree (untimed), then flush the file system's
# dirty data (syncfs) so that no timed command pays for the writeback of one
# before it. Each command's output is wiped right after it, while still
# unwritten: on an ext4 with -o discard, deleting a tree already on disk
# costs seconds of discards, and would delay the next command's journal.
wipe() {
	umount_under "$1"
	rm -rf "$1" || die "cannot remove $1"
	sync -f "$WORK"
}

# stats FILE [DIV] -> "median min p90 n" (values / DIV: 1000 for us -> ms).
stats() {
	sort -n "$1" | awk -v d="${2:-1000}" '{ v[NR] = $1 }
	END {
		n = NR
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
		printf "%.2f %.2f %.2f %d\n", med / d, v[1] / d, v[r] / d, n
	}'
}
median_of() { read -r m _ <<<"$(stats "$1" "${2:-1000}")"; echo "$m"; }
max_of() { sort -n "$1" | tail -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v + 0 <= g + 0) ? "met" : "NOT met" }'; }

# ---- preparation: the data, the image, the archives --------------------------------
TP=$(now_us)
echo "nook images benchmark: nook vs podman, side by side in one run"
echo "  nook:   $NOOK"
echo "  podman: $(podman --version | sed 's/.*version //') with $($RUNTIME --version | head -1), $(conmon --version | head -1)"
echo "  host: $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); /tmp is $(stat -f -c %T "$WORK"); timer: bash EPOCHREALTIME"

"$MKROOTFS" "$WORK/rootfs" >"$WORK/out" 2>&1 || fail $? "$MKROOTFS $WORK/rootfs"

# pick LABEL QUOTA_KiB DIR...: files and symlinks under the DIRs (those that
# exist), in path order, until QUOTA_KiB: single-link files up to 16 MiB (no
# hardlinks: their size would count once but be stored twice). Copied to
# $WORK/ctx/LABEL/<their path>.
PICKED=
pick() {
	local label=$1 q=$(($2 * 1024)) d n b dirs=()
	shift 2
	for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
	[ ${#dirs[@]} -gt 0 ] || die "no data for the $label layer: none of $* exists"
	for d in "${dirs[@]}"; do
		find "$d" -xdev \( -type f -o -type l \) -printf '%n\t%s\t%p\n' 2>/dev/null | sort -t "$(printf '\t')" -k3,3
	done | awk -F'\t' -v q="$q" -v list="$WORK/$label.list" '
		$1 > 1 || $2 > 16777216 || seen[$3]++ { next }
		{ if (t >= q) exit; t += $2; n++; print substr($3, 2) > list }
		END { print n + 0, t + 0 }' >"$WORK/out"
	read -r n b <"$WORK/out"
	if [ "$b" -lt $((q * 9 / 10)) ]; then
		die "not enough data for the $label layer: $(mib $((b / 1024))) MiB in ${dirs[*]}, need $(mib $((q / 1024))) MiB (lower BENCH_IMG_MB=$MB, or install more packages)"
	fi
	mkdir -p "$WORK/ctx/$label"
	tar -C / -c --verbatim-files-from -T "$WORK/$label.list" -f - 2>"$WORK/err" |
		tar -x -C "$WORK/ctx/$label" 2>>"$WORK/err" || fail $? "tar copy of the $label data"
	PICKED="$PICKED $label: $n files, $(mib $((b / 1024))) MiB from ${dirs[*]};"
}
ARCH=$(uname -m)
KB=$((MB * 1024))
shopt -s nullglob
pick lib $((KB * 60 / 100)) "/usr/lib/$ARCH-linux-gnu" /usr/lib/gcc /usr/libexec /usr/lib/modules
pick share $((KB * 20 / 100)) /usr/share/locale /usr/share/doc /usr/share/man /usr/share/i18n /usr/share/zoneinfo
pick src $((KB - KB * 80 / 100)) /usr/include /usr/share/perl /usr/*-linux-gnu*/include /usr/lib/python3*
shopt -u nullglob

# Podman's storage driver: overlay if it works here, else vfs.
mkdir -p "$WORK/podman/probe/tmp"
DRIVER_NOTE=
if [ -z "$DRIVER" ]; then
	DRIVER=overlay
	pm_of probe
	if ! "${PM[@]}" info --format '{{.Store.GraphDriverName}}' >"$WORK/out" 2>"$WORK/err" ||
		[ "$(cat "$WORK/out")" != overlay ]; then
		DRIVER_NOTE=" (overlay does not work here: $(head -c 200 "$WORK/err" | tr '\n' ' '))"
		DRIVER=vfs
	fi
	wipe "$WORK/podman/probe"
fi

# The image: the busybox rootfs as the base layer, then one layer per data set.
mkdir -p "$WORK/podman/build/tmp"
pm_of build
tar -C "$WORK/rootfs" -c . 2>"$WORK/err" | "${PM[@]}" import - localhost/nook-bench-base >"$WORK/out" 2>>"$WORK/err" ||
	fail $? "tar -C $WORK/rootfs -c . | podman import - localhost/nook-bench-base"
cat >"$WORK/ctx/Containerfile" <<'EOF'
FROM localhost/nook-bench-base
COPY lib/ /
COPY share/ /
COPY src/ /
EOF
run1 "${PM[@]}" build --isolation chroot --pull=never -q -t "$IMG" -f "$WORK/ctx/Containerfile" "$WORK/ctx"
run1 "${PM[@]}" save --format docker-archive -o "$WORK/x/image.tar" "$IMG"
run1 "${PM[@]}" image inspect --format '{{len .RootFS.Layers}}' "$IMG"
NLAYERS=$OUT
run1 "${PM[@]}" rmi -af
wipe "$WORK/podman/build"

# One layer tar of the same data (GNU tar, as root: owners and modes), and
# the same gzip'd.
tar -C "$WORK/ctx" -cf "$WORK/x/layer.tar" lib share src || fail $? "tar -cf layer.tar"
gzip -6 -c "$WORK/x/layer.tar" >"$WORK/x/layer.tar.gz" || fail $? "gzip -6 layer.tar"

# The same files as a plain directory, for run --rootfs.
mkdir -p "$WORK/runfs"
cp -a "$WORK/rootfs/." "$WORK/runfs/" || fail $? "cp -a rootfs runfs"
tar -C "$WORK/runfs" -x --same-owner -p --strip-components=1 -f "$WORK/x/layer.tar" || fail $? "tar -x layer.tar into runfs"

# Both sides read warm files: read once now (no dropping of caches on a shared host).
cat "$WORK/x/image.tar" "$WORK/x/layer.tar" "$WORK/x/layer.tar.gz" >/dev/null
WARM=
if command -v fincore >/dev/null; then
	WARM=$(fincore -b -n -o RES,SIZE "$WORK/x/image.tar" "$WORK/x/layer.tar" "$WORK/x/layer.tar.gz" |
		awk '{ r += $1; s += $2 } END { printf "%.0f%% of the archives in the page cache", s ? 100 * r / s : 0 }')
fi
sync -f "$WORK"
sz() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "  data:$PICKED"
echo "  image: $IMG, $NLAYERS layers (busybox rootfs + lib + share + src), docker-archive $(sz "$WORK/x/image.tar")"
echo "  layer: layer.tar $(sz "$WORK/x/layer.tar"), gzip -6: $(sz "$WORK/x/layer.tar.gz")${WARM:+; $WARM}"
echo "  podman: --storage-driver $DRIVER$DRIVER_NOTE, --root/--runroot/--tmpdir per store, --cgroup-manager=cgroupfs --events-backend=file --runtime $RUNTIME"
echo "  method: every load/import into a fresh store or dir, whose output is removed right after it (untimed) and"
echo "          the file system synced (sync -f); rounds interleaved, their order alternating; stdin /dev/null"
echo "  prepared in $(since_s "$TP") s (podman import + build + save, tar, gzip)"
echo

# ---- 1. load -------------------------------------------------------------------------
t=$(now_us)
# Each store is wiped right after its load, but for the last round's: they
# are measured (4.) and run (3.). After the first round, both must hold the
# same image.
NK_ID='' PM_ID=''
load_nook() { # load_nook ROUND
	nk_of load
	timedm load.nook "${NK[@]}" load -i "$WORK/x/image.tar"
	if [ "$1" = 0 ]; then
		run1 "${NK[@]}" images -q --no-trunc
		NK_ID=$OUT
	fi
	[ "$1" = $((ROUNDS - 1)) ] || wipe "$WORK/nook/load"
}
load_podman() { # load_podman ROUND
	mkdir -p "$WORK/podman/load/tmp"
	pm_of load
	timedm load.podman "${PM[@]}" load -q -i "$WORK/x/image.tar"
	if [ "$1" = 0 ]; then
		run1 "${PM[@]}" images -q --no-trunc "$IMG"
		PM_ID=$OUT
	fi
	[ "$1" = $((ROUNDS - 1)) ] || wipe "$WORK/podman/load"
}
for ((i = 0; i < ROUNDS; i++)); do
	if ((i % 2 == 0)); then load_nook $i; load_podman $i; else load_podman $i; load_nook $i; fi
done
if [ -z "$NK_ID" ] || [ "$NK_ID" != "$PM_ID" ]; then
	die "image ids differ after load: nook '$NK_ID', podman '$PM_ID'"
fi
echo "[1/5] load -i docker-archive into a fresh store: $ROUNDS rounds, interleaved (order alternating) ($(since_s "$t") s)"

# ---- 4. footprint (of the stores the last load left) -----------------------------------
du_k() { du -sk "$1" | cut -f1; }
FP_NOOK=$(du_k "$WORK/nook/load/root")
FP_PODMAN=$(du_k "$WORK/podman/load/root")
FP_FILES=$(du_k "$WORK/runfs")

# ---- 2. gzip unpack ---------------------------------------------------------------------
t=$(now_us)
imp_nook() { # imp_nook gz|tar: nook import into a fresh store
	local f=$WORK/x/layer.tar
	[ "$1" = tar ] || f=$f.gz
	nk_of "imp-$1"
	timedm "imp.nook.$1" "${NK[@]}" import "$f" "localhost/nook-bench-layer:$1"
	wipe "$WORK/nook/imp-$1"
}
imp_gnu() { # imp_gnu gz|tar: the floor, GNU tar as root (owners and modes kept) into a fresh dir
	mkdir -p "$WORK/tarx"
	if [ "$1" = gz ]; then
		# shellcheck disable=SC2016 # sh -c's own $1 and $2
		timedm imp.gnu.gz bash -o pipefail -c 'gzip -dc "$1" | tar -x --same-owner -p -f - -C "$2"' sh \
			"$WORK/x/layer.tar.gz" "$WORK/tarx"
	else
		timedm imp.gnu.tar tar -x --same-owner -p -f "$WORK/x/layer.tar" -C "$WORK/tarx"
	fi
	wipe "$WORK/tarx"
}
# shellcheck disable=SC2016 # sh -c's own $1
inflate_only() { timed imp.gunzip bash -c 'gzip -dc "$1" >/dev/null' sh "$WORK/x/layer.tar.gz"; }
for ((i = 0; i < ROUNDS; i++)); do
	if ((i % 2 == 0)); then
		imp_nook gz; imp_gnu gz; imp_nook tar; imp_gnu tar; inflate_only
	else
		inflate_only; imp_gnu tar; imp_nook tar; imp_gnu gz; imp_nook gz
	fi
done
echo "[2/5] unpack one layer: nook import vs gzip -dc | tar -x, and of the plain tar vs tar -x: $ROUNDS rounds ($(since_s "$t") s)"

# ---- 3. run --rm IMAGE /bin/true -----------------------------------------------------------
t=$(now_us)
NK_RUN=(--network none) # the same mode as podman's below
PM_RUN=(--network none --pids-limit -1 --ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --pull=never)
nk_of load
pm_of load
run_nook() { timed "$1" "${NK[@]}" run --rm "${NK_RUN[@]}" "$IMG" /bin/true; }
run_podman() { timed "$1" "${PM[@]}" run --rm "${PM_RUN[@]}" "$IMG" /bin/true; }
run_rootfs() { timed "$1" "${NK[@]}" run --rm "${NK_RUN[@]}" --rootfs "$WORK/runfs" /bin/true; }
for ((i = 0; i < (WARMUP > 0 ? WARMUP : 1); i++)); do run_nook -; run_podman -; run_rootfs -; done
for ((i = 0; i < RUN_ROUNDS; i++)); do
	run_nook run.nook
	run_podman run.podman
	run_rootfs run.rootfs
done
run1 "${NK[@]}" ps -aq
[ -z "$OUT" ] || die "nook containers left after run --rm: $OUT"
run1 "${PM[@]}" ps -aq
[ -z "$OUT" ] || die "podman containers left after run --rm: $OUT"
echo "[3/5] run --rm IMAGE /bin/true: $RUN_ROUNDS rounds (+$WARMUP warm-up), interleaved nook / podman / nook --rootfs ($(since_s "$t") s)"
echo "[4/5] disk footprint after the load (du -sk of each store)"

# ---- 5. pull from a local registry ----------------------------------------------------------
t=$(now_us)
PULL=
PULL_WHY=
for c in docker-registry skopeo curl; do
	command -v $c >/dev/null || PULL_WHY="$c missing (apt-get install -y docker-registry skopeo curl)"
done
# start_reg: docker-registry on a free port of 127.0.0.1 (plain http), its
# storage in the work dir; REG=127.0.0.1:PORT
start_reg() {
	local port pid i _
	mkdir -p "$WORK/reg/data"
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
		curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/" && continue
		printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
			"$WORK/reg/data" "$port" >"$WORK/reg/config.yml"
		docker-registry serve "$WORK/reg/config.yml" >"$WORK/reg/log" 2>&1 &
		pid=$!
		for ((i = 0; i < 50; i++)); do
			kill -0 $pid 2>/dev/null || break
			[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" = 200 ] &&
				REG=127.0.0.1:$port && return 0
			sleep 0.1
		done
		kill $pid 2>/dev/null
	done
	return 1
}
if [ -z "$PULL_WHY" ] && ! start_reg; then
	PULL_WHY="docker-registry did not start: $(tail -n 2 "$WORK/reg/log" | tr '\n' ' ')"
fi
if [ -z "$PULL_WHY" ]; then
	run1 skopeo copy -q --dest-tls-verify=false "docker-archive:$WORK/x/image.tar" "docker://$REG/nook-bench:1"
	PULL=1
	NK_PID='' PM_PID=''
	pull_nook() { # pull_nook ROUND
		nk_of pull
		timedm pull.nook "${NK[@]}" pull -q "$REG/nook-bench:1"
		[ "$1" != 0 ] || NK_PID=$(cat "$WORK/out")
		wipe "$WORK/nook/pull"
	}
	pull_podman() { # pull_podman ROUND
		mkdir -p "$WORK/podman/pull/tmp"
		pm_of pull
		timedm pull.podman "${PM[@]}" pull -q --tls-verify=false "$REG/nook-bench:1"
		[ "$1" != 0 ] || PM_PID=$(cat "$WORK/out")
		"${PM[@]}" rmi -af >/dev/null 2>&1
		wipe "$WORK/podman/pull"
	}
	for ((i = 0; i < ROUNDS; i++)); do
		if ((i % 2 == 0)); then pull_nook $i; pull_podman $i; else pull_podman $i; pull_nook $i; fi
	done
	if [ -z "$NK_PID" ] || [ "$NK_PID" != "$PM_PID" ]; then
		die "image ids differ after pull: nook '$NK_PID', podman '$PM_PID'"
	fi
	GZ=$(du -sk "$WORK/reg/data" | cut -f1)
	echo "[5/5] pull from docker-registry on 127.0.0.1 (http; the layers gzip'd by skopeo, $(mib "$GZ") MiB stored): $ROUNDS rounds, interleaved ($(since_s "$t") s)"
else
	echo "[5/5] pull: not measured: $PULL_WHY"
fi
echo

# ---- results ----------------------------------------------------------------------------
line() { printf '%-32s %-28s %9s %9s %9s %9s %3s\n' "$@"; }
line measurement command median min p90 ratio N
row() { # row LABEL CMDLABEL KEY [RATIO_TO_KEY] [UNIT_DIV]
	local m a b n r=
	read -r m a b n <<<"$(stats "$WORK/times/$3" "${5:-1000000}")"
	[ -z "${4:-}" ] || r=$(ratio "$(median_of "$WORK/times/$3")" "$(median_of "$WORK/times/$4")")
	line "$1" "$2" "$m" "$a" "$b" "$r" "$n"
}
echo "(seconds)"
row "1. load -i, fresh store" "nook load" load.nook load.podman
row "" "podman load" load.podman
row "2. gzip'd layer, fresh store/dir" "nook import layer.tar.gz" imp.nook.gz imp.gnu.gz
row "" "gzip -dc | tar -x" imp.gnu.gz
row "   plain layer" "nook import layer.tar" imp.nook.tar imp.gnu.tar
row "" "tar -x" imp.gnu.tar
row "   (inflate alone)" "gzip -dc >/dev/null" imp.gunzip
if [ -n "$PULL" ]; then
	row "5. pull, fresh store" "nook pull" pull.nook pull.podman
	row "" "podman pull" pull.podman
fi
echo "(milliseconds)"
row "3. run --rm IMAGE /bin/true" "nook run IMAGE" run.nook run.podman 1000
row "" "podman run IMAGE" run.podman "" 1000
row "" "nook run --rootfs DIR" run.rootfs run.nook 1000
echo "  (ratio: the row's median / the next row's; for --rootfs: / nook run IMAGE)"
echo

echo "peak RSS (KiB, GNU time %M: the largest process of the command's tree), median / max:"
rss() { printf '  %-28s %8s / %s\n' "$1" "$(median_of "$WORK/times/$2.rss" 1 | cut -d. -f1)" "$(max_of "$WORK/times/$2.rss")"; }
rss "nook load" load.nook
rss "podman load" load.podman
rss "nook import layer.tar.gz" imp.nook.gz
rss "nook import layer.tar" imp.nook.tar
rss "gzip -dc | tar -x" imp.gnu.gz
[ -z "$PULL" ] || rss "nook pull" pull.nook
[ -z "$PULL" ] || rss "podman pull" pull.podman
echo

echo "disk footprint after one load (du -sk):"
printf '  %-28s %8s KiB  %6s MiB\n' "nook --root" "$FP_NOOK" "$(mib "$FP_NOOK")"
printf '  %-28s %8s KiB  %6s MiB  (nook/podman %s)\n' "podman --root ($DRIVER)" "$FP_PODMAN" "$(mib "$FP_PODMAN")" "$(ratio "$FP_NOOK" "$FP_PODMAN")"
printf '  %-28s %8s KiB  %6s MiB\n' "the files, as one directory" "$FP_FILES" "$(mib "$FP_FILES")"
echo

if [ "${BENCH_RAW:-}" = 1 ]; then
	for f in "$WORK"/times/*; do
		printf '%s raw:' "$(basename "$f")"
		tr '\n' ' ' <"$f"
		echo
	done
	echo
fi

# ---- goals ------------------------------------------------------------------------------
echo "goals:"
# goal GOAL LABEL KEY REF_KEY: the ratio of the medians (as in the table)
goal() {
	local a b r
	a=$(median_of "$WORK/times/$3") b=$(median_of "$WORK/times/$4")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
	echo "  $2 = ${r}x ($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f / %.2f s", a / 1000, b / 1000 }')) (goal <= ${1}x): $(verdict "$r" "$1")"
}
goal 0.5 "load: nook/podman" load.nook load.podman
m=$(max_of "$WORK/times/load.nook.rss")
echo "  nook load peak RSS: $m KiB, max of $ROUNDS (goal <= 4096 KiB): $(verdict "$m" 4096)"
goal 1.5 "import layer.tar.gz: nook/(gzip -dc | tar -x)" imp.nook.gz imp.gnu.gz
if [ -n "$PULL" ]; then
	goal 0.5 "pull: nook/podman" pull.nook pull.podman
else
	echo "  pull: nook/podman: not measured ($PULL_WHY)"
fi
rn=$(median_of "$WORK/times/run.nook") rp=$(median_of "$WORK/times/run.podman")
r=$(awk -v a="$rn" -v b="$rp" 'BEGIN { printf "%.3f", a / b }')
echo "  run --rm IMAGE: nook/podman = ${r}x ($rn / $rp ms) (goal <= 0.1x): $(verdict "$r" 0.1)"
echo
echo "total time: $(since_s "${T_START/./}") s; load now $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host skews absolute times; compare within one run)"
