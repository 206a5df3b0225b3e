#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): store/inflate against GNU
# gzip -dc (and busybox zcat when there is one), store/digest against
# coreutils' sha256sum, on the same files, interleaved.
#
#   make build/x86_64/bench-stream && tests/bench/stream.sh [BUILD_DIR]
#
# Data (made once in BENCH_DIR, default /tmp/nook-bench-stream): the first
# 100 MiB of a tar of /usr, and 100 MiB of /dev/urandom, each through
# gzip -6; their 200 MiB together for sha256.  Every tool writes to
# /dev/null; the output is compared once before timing.
#
# Environment: BENCH_ROUNDS (default 5, the median is printed), BENCH_DIR.
set -u
export LC_ALL=C

BUILD=${1:-build/x86_64}
ROUNDS=${BENCH_ROUNDS:-5}
DIR=${BENCH_DIR:-/tmp/nook-bench-stream}
BIN=$BUILD/bench-stream
MIB=104857600

die() {
	echo "bench: error: $*" >&2
	exit 1
}

[ -x "$BIN" ] || die "$BIN missing: make $BIN"
command -v gzip >/dev/null || die "gzip not installed"
mkdir -p "$DIR" || die "mkdir $DIR"
if [ ! -s "$DIR/usr.tar.gz" ]; then
	tar -cf - /usr 2>/dev/null | head -c $MIB >"$DIR/usr.tar"
	gzip -6 -n -c "$DIR/usr.tar" >"$DIR/usr.tar.gz"
	head -c $MIB /dev/urandom >"$DIR/random"
	gzip -6 -n -c "$DIR/random" >"$DIR/random.gz"
	cat "$DIR/usr.tar" "$DIR/random" >"$DIR/both"
fi

# "wall cpu" seconds of one run of "$@" >/dev/null (cpu: user + system,
# less disturbed by other load on the machine than the wall time)
# (the builtin times, in this shell, for the children's cpu time)
once() {
	local t0 t1 tf
	tf=$(mktemp)
	times >"$tf"
	t0=$EPOCHREALTIME
	"$@" >/dev/null || die "$* failed"
	t1=$EPOCHREALTIME
	times >>"$tf"
	awk -v w="$t1 - $t0" 'NR % 2 == 0 { split($1, u, /[ms]/); split($2, s, /[ms]/);
			c[NR] = u[1] * 60 + u[2] + s[1] * 60 + s[2] }
		END { split(w, x, " - "); printf "%.4f %.4f\n", x[1] - x[2], c[4] - c[2] }' "$tf"
	rm -f "$tf"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# compare NAME BYTES CMD... -- CMD... ...: interleaved rounds, the median
# of each command in MB/s (10^6 bytes of output or input per second).
# The commands are split on spaces again: no spaces in BENCH_DIR.
compare() {
	local name=$1 bytes=$2 n k cmd cmds=() log
	shift 2
	while [ $# -gt 0 ]; do
		local words=()
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			words+=("$1")
			shift
		done
		[ $# -gt 0 ] && shift
		cmds+=("${words[*]}")
	done
	n=${#cmds[@]}
	log=$(mktemp)
	for _ in $(seq "$ROUNDS"); do
		for k in $(seq 0 $((n - 1))); do
			# shellcheck disable=SC2086
			echo "$k $(once ${cmds[$k]})" >>"$log"
		done
	done
	echo "$name: median of $ROUNDS, wall (cpu)"
	for k in $(seq 0 $((n - 1))); do
		local m u
		cmd=${cmds[$k]% *}
		cmd=${cmd##*/}
		m=$(awk -v k="$k" '$1 == k { print $2 }' "$log" | median)
		u=$(awk -v k="$k" '$1 == k { print $3 }' "$log" | median)
		awk -v m="$m" -v u="$u" -v b="$bytes" -v cmd="$cmd" \
			'BEGIN { printf "  %-40s %6.3f s %7.1f MB/s  (%6.3f s %7.1f MB/s)\n",
				cmd, m, b / m / 1e6, u, b / u / 1e6 }'
	done
	rm -f "$log"
}

for f in usr.tar random; do
	"$BIN" inflate "$DIR/$f.gz" | cmp -s - "$DIR/$f" || die "$f.gz: wrong output"
done
[ "$("$BIN" sha256 "$DIR/both" | cut -c8-)" = "$(sha256sum <"$DIR/both" | cut -c1-64)" ] ||
	die "sha256 differs from sha256sum"

have_bb=0
gzip -c </dev/null | busybox zcat >/dev/null 2>&1 && have_bb=1
for f in usr.tar random; do
	args=("$BIN" inflate "$DIR/$f.gz" -- gzip -dc "$DIR/$f.gz")
	[ $have_bb = 1 ] && args+=(-- busybox zcat "$DIR/$f.gz")
	command -v pigz >/dev/null && args+=(-- pigz -dc "$DIR/$f.gz")
	compare "inflate $f.gz ($(stat -c %s "$DIR/$f.gz") bytes -> $MIB)" $MIB "${args[@]}"
done
compare "sha256 of $((2 * MIB)) bytes" $((2 * MIB)) \
	"$BIN" sha256 "$DIR/both" -- sha256sum "$DIR/both"
