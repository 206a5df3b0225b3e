#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): `run` of /bin/true with
# `nook runtime`, crun and runc on the same bundle, interleaved.
#
#   tests/bench/runtime.sh [BUILD_DIR]      (default build/x86_64; needs root)
#
# Environment:
#   BENCH_RUNTIMES  runtimes to compare, in round order (default "nook crun runc")
#   BENCH_ROUNDS    timed rounds (default 30)
#   BENCH_WARMUP    untimed warm-up rounds (default 3)
#   BENCH_RAW=1     also print every run's time (ms), in run order
#
# Every run gets a unique container id and its own --root in the work dir
# under /tmp.  The whole benchmark runs in a private mount namespace in which
# /sys/fs/cgroup/unified is lazily unmounted (crun refuses the hybrid
# cgroup layout otherwise); all runtimes see the same conditions and the
# host's mounts are never touched.
set -u
export LC_ALL=C

BUILD=${1:-build/x86_64}
RUNTIMES=${BENCH_RUNTIMES:-nook crun runc}
ROUNDS=${BENCH_ROUNDS:-30}
WARMUP=${BENCH_WARMUP:-3}

die() {
	echo "bench: error: $*" >&2
	exit 1
}

# ---- outside: checks, then re-exec in a private mount namespace ----------
if [ "${NOOK_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "must run as root (namespaces, cgroups)"
	case "$ROUNDS$WARMUP" in *[!0-9]*) die "BENCH_ROUNDS/BENCH_WARMUP must be numbers" ;; esac
	[ "$ROUNDS" -ge 1 ] || die "BENCH_ROUNDS must be >= 1"
	[ -n "$RUNTIMES" ] || die "BENCH_RUNTIMES is empty"
	for rt in $RUNTIMES; do
		case $rt in
		nook)
			[ -x "$BUILD/nook" ] ||
				die "nook binary missing: $BUILD/nook (run 'make' first, or set BENCH_RUNTIMES=\"crun runc\")"
			;;
		crun | runc)
			command -v "$rt" >/dev/null ||
				die "$rt not installed (apt-get install -y $rt)"
			;;
		*) die "unknown runtime '$rt' in BENCH_RUNTIMES (nook, crun, runc)" ;;
		esac
	done
	for tool in jq unshare; do
		command -v $tool >/dev/null || die "$tool not installed (apt-get install -y ${tool/unshare/util-linux})"
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		die "need a static /bin/busybox (apt-get install -y busybox-static)"
	fi
	command -v runc >/dev/null || die "runc is needed for 'runc spec' (apt-get install -y runc)"
	NOOK=$(cd "$BUILD" 2>/dev/null && pwd)/nook
	export NOOK RUNTIMES ROUNDS WARMUP
	NOOK_BENCH_INNER=1 exec unshare -m --propagation private bash "$0" "$BUILD"
fi

# ---- inside the private mount namespace ----------------------------------
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
	umount -l /sys/fs/cgroup/unified || die "cannot hide /sys/fs/cgroup/unified in the private namespace"
	CGNOTE="cgroup v2 at /sys/fs/cgroup/unified hidden (private mount ns)"
else
	CGNOTE="no /sys/fs/cgroup/unified mount (nothing hidden)"
fi

WORK=$(mktemp -d /tmp/nook-bench.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$WORK/state" "$WORK/times"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
ln -s busybox "$BUNDLE/rootfs/bin/true"
(cd "$BUNDLE" && runc spec) || die "runc spec failed"
if ! jq '.process.args = ["/bin/true"] | .process.terminal = false' \
	"$BUNDLE/config.json" >"$BUNDLE/config.json.new"; then
	die "jq edit of config.json failed"
fi
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"

# Timer without a fork: bash 5's $EPOCHREALTIME (µs); else date +%s%N.
if [ -n "${EPOCHREALTIME:-}" ]; then
	now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }
	TIMER='bash EPOCHREALTIME (us, no fork)'
else
	now_us() { echo $(($(date +%s%N) / 1000)); }
	TIMER='date +%s%N'
fi

# rt_cmd RUNTIME: the command prefix of a runtime.
rt_cmd() {
	case $1 in
	nook) echo "$NOOK runtime" ;;
	*) command -v "$1" ;;
	esac
}

SEQ=0
# run_one RUNTIME TIMESFILE|-: one `run`, timed from just before the exec
# to just after it returns.  Fails the benchmark on a non-zero exit.
run_one() {
	local rt=$1 out=$2 cmd id root t0 t1 rc
	SEQ=$((SEQ + 1))
	id=bench-$rt-$$-$SEQ
	root=$WORK/state/$rt-$SEQ
	mkdir -p "$root"
	cmd=$(rt_cmd "$rt")
	t0=$(now_us)
	$cmd --root "$root" run --bundle "$BUNDLE" "$id" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	t1=$(now_us)
	if [ $rc != 0 ]; then
		echo "bench: error: '$rt run' failed (exit $rc): $cmd --root $root run --bundle $BUNDLE $id" >&2
		sed 's/^/  | /' "$WORK/out" "$WORK/err" >&2
		$cmd --root "$root" delete --force "$id" >/dev/null 2>&1
		exit 1
	fi
	[ "$out" = - ] || echo $((t1 - t0)) >>"$out"
	rm -rf "$root"
}

echo "nook runtime benchmark: run of /bin/true (busybox rootfs, runc spec config)"
echo "  runtimes: $RUNTIMES   rounds: $ROUNDS (+$WARMUP warm-up), interleaved"
echo "  timer: $TIMER;  $CGNOTE"
echo "  host: $(uname -sr), $(nproc) CPUs"
for rt in $RUNTIMES; do
	case $rt in
	nook) echo "  nook: $NOOK" ;;
	crun) echo "  crun: $(crun --version 2>/dev/null | head -1)" ;;
	runc) echo "  runc: $(runc --version 2>/dev/null | head -1)" ;;
	esac
done
echo

for ((i = 0; i < WARMUP; i++)); do
	for rt in $RUNTIMES; do run_one "$rt" -; done
done
# Without warm-ups, still check every runtime works before timing it.
if [ "$WARMUP" = 0 ]; then
	for rt in $RUNTIMES; do run_one "$rt" -; done
fi
for ((i = 0; i < ROUNDS; i++)); do
	for rt in $RUNTIMES; do run_one "$rt" "$WORK/times/$rt"; done
done

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

declare -A MED
for rt in $RUNTIMES; do
	read -r med min p90 n < <(stats "$WORK/times/$rt")
	MED[$rt]=$med
	eval "S_$rt=\"$med $min $p90 $n\""
done

ratio() { # ratio A B -> A/B or -
	if [ -n "${MED[$1]:-}" ] && [ -n "${MED[$2]:-}" ]; then
		awk -v a="${MED[$1]}" -v b="${MED[$2]}" 'BEGIN { printf "%.2fx", (b > 0) ? a / b : 0 }'
	else
		echo -
	fi
}

printf '%-8s %10s %8s %8s %9s %9s %5s\n' runtime "median ms" "min" "p90" "/crun" "/runc" N
for rt in $RUNTIMES; do
	eval "set -- \$S_$rt"
	printf '%-8s %10s %8s %8s %9s %9s %5s\n' "$rt" "$1" "$2" "$3" \
		"$(ratio "$rt" crun)" "$(ratio "$rt" runc)" "$4"
done
echo "  (ratios: this runtime's median / crun's or runc's median)"
echo
if [ "${BENCH_RAW:-}" = 1 ]; then
	for rt in $RUNTIMES; do
		printf '%s raw ms:' "$rt"
		awk '{ printf " %.1f", $1 / 1000 } END { print "" }' "$WORK/times/$rt"
	done
	echo
fi

# ---- binary sizes ---------------------------------------------------------
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
stripped() { # "(stripped)", "(not stripped)" or nothing
	local w
	w=$(file -L "$1" 2>/dev/null | grep -o 'not stripped\|stripped' | head -1)
	[ -z "$w" ] || echo "($w)"
}
size_line() { # size_line NAME PATH [NOTE]
	local s
	s=$(stat -L -c %s "$2")
	printf '  %-6s %10s bytes %9s KB  %s %s\n' "$1" "$s" "$(kb "$s")" "$2" "${3:-}"
}
echo "binary sizes:"
NOOK_BYTES=
if [ -x "$NOOK" ]; then
	if [ "$(stripped "$NOOK")" = "(not stripped)" ] && command -v strip >/dev/null; then
		strip -o "$WORK/nook.stripped" "$NOOK"
		size_line nook "$NOOK" "(not stripped)"
		size_line nook "$WORK/nook.stripped" "(stripped copy)"
		NOOK_BYTES=$(stat -c %s "$WORK/nook.stripped")
	else
		size_line nook "$NOOK" "$(stripped "$NOOK")"
		NOOK_BYTES=$(stat -c %s "$NOOK")
	fi
fi
for rt in crun runc; do
	p=$(command -v $rt) || continue
	size_line $rt "$p" "$(stripped "$p")"
	# Shared libraries it loads (resolved through symlinks), summed.
	libs=$(ldd "$p" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }')
	if [ -n "$libs" ]; then
		total=0
		names=
		for l in $libs; do
			r=$(readlink -f "$l")
			s=$(stat -c %s "$r")
			total=$((total + s))
			names="$names $(basename "$l")"
		done
		printf '  %-6s %10s bytes %9s KB  + %d shared libs:%s\n' "" "$total" "$(kb $total)" \
			"$(echo "$libs" | wc -l)" "$names"
	fi
done
echo

# ---- goals ---------------------------------------------------------------
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "met" : "NOT met" }'; }
echo "goals: nook <= 0.8x crun, <= 0.3x runc (median run); nook binary < 400 KB"
if [ -n "${MED[nook]:-}" ]; then
	for ref in crun:0.8 runc:0.3; do
		r=${ref%:*} g=${ref#*:}
		[ -n "${MED[$r]:-}" ] || continue
		v=$(awk -v a="${MED[nook]}" -v b="${MED[$r]}" 'BEGIN { printf "%.2f", a / b }')
		echo "  nook/$r = ${v}x (goal <= ${g}x): $(verdict "$v" "$g")"
	done
fi
if [ -n "$NOOK_BYTES" ]; then
	echo "  nook binary = $(kb "$NOOK_BYTES") KB (goal < 400 KB): $( [ "$NOOK_BYTES" -lt 409600 ] && echo met || echo NOT met)"
fi
[ -n "${MED[nook]:-}" ] || echo "  (nook not benchmarked: BENCH_RUNTIMES=\"$RUNTIMES\")"
