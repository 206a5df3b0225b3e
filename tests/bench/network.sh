#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a test: it prints figures): bridge networking, side by side
# in one run, all of it inside network namespaces made here (the host's own
# interfaces, routes and rulesets are never touched):
#   1. `run --rm /bin/true` latency: nook --network bridge, nook --network
#      none, podman --network bridge (CNI here), interleaved
#   2. iperf3 TCP throughput: container to container over nook's bridge, a
#      LAN client to a port nook published, a container to the LAN netns
#      (outbound, routed and masqueraded: what a change to the containers'
#      own links, such as a larger GSO size, may cost the rest), and the
#      floor: the same iperf3 between two netns joined by a raw veth pair
#      made with `ip`
#      Where br_netfilter is loaded (built into this host's kernel), every
#      frame a bridge forwards also goes through the IPv4 hooks and
#      conntrack of the netns that holds the bridge.  OpenWrt has no
#      br_netfilter unless kmod-br-netfilter is installed, so the bridge
#      paths are measured both ways, interleaved: as the host sets
#      net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}, and with
#      them 0, each in the bench's own netns only (the sysctls are per
#      network namespace)
# and the ratios against the goals.
#
#   tests/bench/network.sh [BUILD_DIR]     (default build/x86_64; needs root)
#
# Topology: nook runs as `nsenter --net=/run/netns/ROUTER nook ...` (nsenter,
# not `ip netns exec`, which would give each call a mount namespace of its
# own); its bridges, veths and nft table live in ROUTER.  A LAN netns is
# joined to ROUTER by a veth pair (192.0.2.2 <-> 192.0.2.1).  podman runs in
# a netns of its own (its CNI bridge would take 10.88.0.0/16 too), with
# --network-config-dir pointing at a copy of Debian's CNI conflist whose
# host-local leases are kept in the work dir, not /var/lib/cni.  iperf3 runs
# in the containers from the host's files: `--rootfs /:O` (an overlay on /).
#
# Environment:
#   BENCH_ROUNDS        timed rounds of run --rm (default 20)
#   BENCH_WARMUP        untimed warm-up rounds (default 2)
#   BENCH_IPERF_SECS    seconds per iperf3 run (default 5)
#   BENCH_IPERF_ROUNDS  iperf3 runs per path, interleaved (default 3)
#   BENCH_TIMEOUT       limit for the whole run, seconds (default 400)
#   BENCH_RAW=1         also print every value
#   BENCH_PODMAN=0      leave podman's row out (its runs load the machine)
#   BENCH_BASE=DIR      another build (its DIR/nook) timed too in part 1,
#                       interleaved, same root: before/after from one run
# Needs: iproute2, util-linux (nsenter), iperf3, jq, busybox-static; podman,
# conmon, runc for podman's row (without them the row says why).
set -u
. "$(dirname "$0")/lib.sh"
export LC_ALL=C

BUILD=${1:-build/x86_64}
ROUNDS=${BENCH_ROUNDS:-20}
WARMUP=${BENCH_WARMUP:-2}
ISECS=${BENCH_IPERF_SECS:-5}
IROUNDS=${BENCH_IPERF_ROUNDS:-3}
LIMIT=${BENCH_TIMEOUT:-400}
RUNTIME=/usr/sbin/runc # crun refuses the hybrid cgroup layout of the dev hosts

die() {
	echo "bench: error: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (namespaces)"
for v in "$ROUNDS" "$WARMUP" "$ISECS" "$IROUNDS" "$LIMIT"; do
	case $v in '' | *[!0-9]*) die "BENCH_* must be numbers (got '$v')" ;; esac
done
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash >= 5 (EPOCHREALTIME)"
[ -x "$BUILD/nook" ] || die "nook binary missing: $BUILD/nook (run 'make' first)"
[ -x "$BUILD/nook-test" ] || die "test payload missing: $BUILD/nook-test (run 'make' first)"
for c in ip nsenter jq timeout; do
	command -v $c >/dev/null || die "$c missing (apt-get install -y iproute2 util-linux jq coreutils)"
done
HAVE_IPERF=1
command -v iperf3 >/dev/null || HAVE_IPERF=0
HERE=$(cd "$(dirname "$0")" && pwd)
NOOK=$(cd "$BUILD" && pwd)/nook
PAYLOAD=$(cd "$BUILD" && pwd)/nook-test
NSENTER=$(command -v nsenter)
BASE=
if [ -n "${BENCH_BASE:-}" ]; then
	[ -x "$BENCH_BASE/nook" ] || die "BENCH_BASE: no $BENCH_BASE/nook"
	BASE=$(cd "$BENCH_BASE" && pwd)/nook
fi

T_START=$EPOCHREALTIME
WORK=$(mktemp -d /tmp/nook-bench-net.XXXXXX) || die "mktemp failed"
ROOTFS=$WORK/rootfs
S=$$
RNS=nkb-router-$S LNS=nkb-lan-$S PNS=nkb-podman-$S F1=nkb-f1-$S F2=nkb-f2-$S
B0=nkb-b0-$S B1=nkb-b1-$S B2=nkb-b2-$S
NETNS=()
NK=("$NSENTER" --net=/run/netns/$RNS "$NOOK" --root "$WORK/nook/root" --runroot "$WORK/nook/run")
NKB=("$NSENTER" --net=/run/netns/$RNS "$BASE" --root "$WORK/nook/root" --runroot "$WORK/nook/run")
PM=("$NSENTER" --net=/run/netns/$PNS podman --root "$WORK/podman/root" --runroot "$WORK/podman/run"
	--tmpdir "$WORK/podman/tmp" --cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME"
	--network-config-dir "$WORK/cni")
PM_RUN=(--pids-limit -1 --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
mkdir -p "$WORK/times" "$WORK/cni" "$WORK/cni-ipam" || die "mkdir in $WORK failed"

# ---- cleanup (EXIT), interrupts, watchdog ------------------------------------
WATCHDOG=
cleanup() {
	local rc=$? p ids ns
	trap - EXIT INT TERM HUP
	set +e
	[ -z "$WATCHDOG" ] || kill "$WATCHDOG" 2>/dev/null
	# bash reports a killed job ("Killed ...") as soon as it reaps it
	exec 3>&2 2>/dev/null
	for p in $(jobs -p); do [ "$p" = "$WATCHDOG" ] || kill -KILL "$p" 2>/dev/null; done
	for p in "$WORK"/iperf.*.pid; do
		[ -s "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null
	done
	wait
	exec 2>&3 3>&-
	if [ -d "$WORK/nook/root" ]; then
		ids=$(timeout 60 "${NK[@]}" ps -aq 2>/dev/null)
		# shellcheck disable=SC2086
		[ -z "$ids" ] || timeout 120 "${NK[@]}" rm -f $ids >/dev/null 2>&1 ||
			echo "bench: cleanup: nook rm -f failed" >&2
	fi
	if [ -d "$WORK/podman/root" ]; then
		timeout 120 "${PM[@]}" rm -af -t 0 >/dev/null 2>&1 ||
			echo "bench: cleanup: podman rm -af failed (its locks in /dev/shm/libpod_lock may leak)" >&2
	fi
	# by pid: processes whose command line names the work dir
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF "$WORK/" && kill -KILL "$p" 2>/dev/null &&
			echo "bench: cleanup: killed leftover $p" >&2
	done
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	umount_under "$WORK"
	rm -rf "$WORK" || echo "bench: cleanup: could not remove $WORK" >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT HUP
trap 'echo "bench: terminated" >&2; exit 143' TERM
bench_watchdog "$LIMIT"

# ---- helpers ------------------------------------------------------------------
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo $((10#$t)); }
since_s() { awk -v a="$1" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
mkns() { ip netns add "$1" && NETNS+=("$1") && ip -n "$1" link set lo up; }
inns() { local ns=$1; shift; "$NSENTER" --net="/run/netns/$ns" "$@"; }
# stats FILE -> "median min p90 n" (values as written)
stats() {
	if ! [ -s "$1" ]; then
		echo "- - - 0"
		return
	fi
	sort -g "$1" | awk '{ v[NR] = $1 }
	END {
		n = NR
		if (n == 0) { print "- - - 0"; exit }
		med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		r = int(0.9 * n); if (r < 0.9 * n) r++; if (r < 1) r = 1
		printf "%.2f %.2f %.2f %d\n", med, v[1], v[r], n
	}'
}
median_of() { local m; read -r m _ <<<"$(stats "$1")"; echo "$m"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.3fx", a / b; else print "-" }'; }

# timed FILE CMD...: wall ms of CMD appended to FILE; status of CMD (its
# output in $WORK/out, $WORK/err)
timed() {
	local f=$1 t0 t1 rc
	shift
	t0=$EPOCHREALTIME
	timeout -s KILL 60 "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc = 0 ] && awk -v a="${t0/[.,]/}" -v b="${t1/[.,]/}" 'BEGIN { printf "%.3f\n", (b - a) / 1000 }' >>"$f"
	return $rc
}
why() { tr '\n' ' ' <"$WORK/err" | cut -c1-300; }

# ---- the namespaces -------------------------------------------------------------
mkns "$RNS" && mkns "$LNS" && mkns "$PNS" && mkns "$F1" && mkns "$F2" &&
	mkns "$B0" && mkns "$B1" && mkns "$B2" || die "cannot make network namespaces"
# br_netfilter: the host's setting in a new netns (1 here), "" without it
BRNF=$(inns "$RNS" cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)
# brnf NS 0|1: br_netfilter's calls in NS (a netns made here)
brnf() {
	local k
	for k in iptables ip6tables arptables; do
		echo "$2" | inns "$1" tee "/proc/sys/net/bridge/bridge-nf-call-$k" >/dev/null || return 1
	done
}
ip link add nkb-lan netns "$RNS" type veth peer name eth0 netns "$LNS" &&
	ip -n "$RNS" addr add 192.0.2.1/24 dev nkb-lan && ip -n "$RNS" link set nkb-lan up &&
	ip -n "$LNS" addr add 192.0.2.2/24 dev eth0 && ip -n "$LNS" link set eth0 up &&
	ip link add eth0 netns "$F1" type veth peer name eth0 netns "$F2" &&
	ip -n "$F1" addr add 10.200.0.1/24 dev eth0 && ip -n "$F1" link set eth0 up &&
	ip -n "$F2" addr add 10.200.0.2/24 dev eth0 && ip -n "$F2" link set eth0 up &&
	# the second floor: two netns on a kernel bridge in a third, all by
	# `ip` (what any bridge network costs: the path of nook's bridge
	# without nook)
	ip -n "$B0" link add br0 type bridge && ip -n "$B0" link set br0 up &&
	ip link add v1 netns "$B0" type veth peer name eth0 netns "$B1" &&
	ip link add v2 netns "$B0" type veth peer name eth0 netns "$B2" &&
	ip -n "$B0" link set v1 master br0 up && ip -n "$B0" link set v2 master br0 up &&
	ip -n "$B1" addr add 10.201.0.1/24 dev eth0 && ip -n "$B1" link set eth0 up &&
	ip -n "$B2" addr add 10.201.0.2/24 dev eth0 && ip -n "$B2" link set eth0 up ||
	die "cannot make the veth pairs"

"$HERE/../mkrootfs.sh" "$ROOTFS" "$PAYLOAD" >"$WORK/out" 2>&1 || die "tests/mkrootfs.sh failed: $(cat "$WORK/out")"

# podman: Debian's conflist, leases in the work dir
PODMAN_WHY=
if [ "${BENCH_PODMAN:-1}" = 0 ]; then
	PODMAN_WHY="left out (BENCH_PODMAN=0)"
elif ! command -v podman >/dev/null || ! command -v conmon >/dev/null || ! [ -x $RUNTIME ]; then
	PODMAN_WHY="podman, conmon or $RUNTIME not installed"
elif ! [ -f /etc/cni/net.d/87-podman-bridge.conflist ]; then
	PODMAN_WHY="no /etc/cni/net.d/87-podman-bridge.conflist (podman's CNI bridge)"
else
	jq --arg d "$WORK/cni-ipam" '(.plugins[] | select(.type == "bridge") | .ipam.dataDir) = $d' \
		/etc/cni/net.d/87-podman-bridge.conflist >"$WORK/cni/87-podman-bridge.conflist" ||
		PODMAN_WHY="cannot write the CNI conflist"
fi

echo "nook network benchmark, side by side in one run (all inside netns made here)"
echo "  nook:   $NOOK  ($(stat -L -c %s "$NOOK") bytes)"
[ -z "$BASE" ] || echo "  base:   $BASE  ($(stat -L -c %s "$BASE") bytes) (BENCH_BASE)"
echo "  podman: $(podman --version 2>/dev/null | sed 's/.*version //') CNI bridge, runc; ${PODMAN_WHY:-its own netns}"
echo "  host: $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# ---- 1. run --rm /bin/true --------------------------------------------------------
t=$(now_us)
declare -A FAILED=()
run_one() { # KIND FILE
	case $1 in
	bridge) timed "$2" "${NK[@]}" run --rm --network bridge --rootfs "$ROOTFS" /bin/true ;;
	none) timed "$2" "${NK[@]}" run --rm --network none --rootfs "$ROOTFS" /bin/true ;;
	base-bridge) timed "$2" "${NKB[@]}" run --rm --network bridge --rootfs "$ROOTFS" /bin/true ;;
	base-none) timed "$2" "${NKB[@]}" run --rm --network none --rootfs "$ROOTFS" /bin/true ;;
	podman) timed "$2" "${PM[@]}" run --rm --network bridge "${PM_RUN[@]}" --rootfs "$ROOTFS" /bin/true ;;
	esac || { [ -n "${FAILED[$1]:-}" ] || FAILED[$1]="exit $?: $(why)"; }
}
KINDS=(bridge none)
[ -z "$BASE" ] || KINDS+=(base-bridge base-none)
[ -z "$PODMAN_WHY" ] && KINDS+=(podman)
for ((i = 0; i < WARMUP; i++)); do for k in "${KINDS[@]}"; do run_one "$k" "$WORK/warm"; done; done
for ((i = 0; i < ROUNDS; i++)); do
	for k in "${KINDS[@]}"; do
		[ -n "${FAILED[$k]:-}" ] || run_one "$k" "$WORK/times/run.$k"
	done
done
echo "[1/2] run --rm /bin/true: $ROUNDS rounds (+$WARMUP warm-up), interleaved ($(since_s "$t") s)"

# ---- 2. iperf3 ------------------------------------------------------------------------
# gbps FILE.json: received Gbit/s of an iperf3 -J run
gbps() { jq -r '.end.sum_received.bits_per_second / 1e9' "$1" 2>/dev/null | awk '{ printf "%.3f\n", $1 }'; }
IPERF_WHY=
if [ "$HAVE_IPERF" = 1 ]; then
	t=$(now_us)
	# the floor: a raw veth pair
	# --pidfile: the cleanup kills them by it (a background job is only
	# the subshell over nsenter, which execs iperf3)
	inns "$F2" iperf3 -s --pidfile "$WORK/iperf.f2.pid" >/dev/null 2>&1 &
	inns "$B2" iperf3 -s --pidfile "$WORK/iperf.b2.pid" >/dev/null 2>&1 &
	inns "$LNS" iperf3 -s --pidfile "$WORK/iperf.lns.pid" >/dev/null 2>&1 &
	# the bridge: two containers on nook's default network; the LAN: a
	# published port
	"${NK[@]}" run -d --name ips --network bridge --rootfs /:O /usr/bin/iperf3 -s >"$WORK/out" 2>"$WORK/err" ||
		FAILED[iperf-bridge]="run the iperf3 server: $(why)"
	"${NK[@]}" run -d --name ipp --network bridge -p 5201:5201 --rootfs /:O /usr/bin/iperf3 -s >"$WORK/out" 2>"$WORK/err" ||
		FAILED[iperf-lan]="run the iperf3 server with -p 5201:5201: $(why)"
	SIP=$("${NK[@]}" inspect --format '{{.NetworkSettings.IPAddress}}' ips 2>/dev/null)
	sleep 0.5
	# the bridge paths as the host has br_netfilter ("" suffix), and
	# without its calls (-nonf) where it is there and on
	MODES=("")
	[ "$BRNF" = 1 ] && MODES+=(-nonf)
	for ((i = 0; i < IROUNDS; i++)); do
		inns "$F1" timeout 60 iperf3 -c 10.200.0.2 -t "$ISECS" -J >"$WORK/j" 2>&1 && gbps "$WORK/j" >>"$WORK/times/iperf.floor" ||
			{ [ -n "${FAILED[iperf-floor]:-}" ] || FAILED[iperf-floor]="iperf3 over the veth pair: $(jq -r .error "$WORK/j" 2>/dev/null)"; }
		for m in "${MODES[@]}"; do
			if [ "$BRNF" = 1 ]; then
				v=1
				[ "$m" = -nonf ] && v=0
				brnf "$B0" $v && brnf "$RNS" $v || die "cannot set net.bridge.bridge-nf-call-* in the bench's netns"
			fi
			inns "$B1" timeout 60 iperf3 -c 10.201.0.2 -t "$ISECS" -J >"$WORK/j" 2>&1 && gbps "$WORK/j" >>"$WORK/times/iperf.brfloor$m" ||
				{ [ -n "${FAILED[iperf-brfloor$m]:-}" ] || FAILED[iperf-brfloor$m]="iperf3 over the ip bridge: $(jq -r .error "$WORK/j" 2>/dev/null)"; }
			if [ -z "${FAILED[iperf-bridge$m]:-}" ]; then
				timeout 60 "${NK[@]}" run --rm --network bridge --rootfs /:O /usr/bin/iperf3 -c "$SIP" -t "$ISECS" -J >"$WORK/j" 2>"$WORK/err" &&
					gbps "$WORK/j" >>"$WORK/times/iperf.bridge$m" ||
					FAILED[iperf-bridge$m]="iperf3 -c $SIP in a container: $(why) $(jq -r .error "$WORK/j" 2>/dev/null)"
			fi
			if [ -z "${FAILED[iperf-lan$m]:-}" ]; then
				inns "$LNS" timeout 60 iperf3 -c 192.0.2.1 -p 5201 -t "$ISECS" -J >"$WORK/j" 2>&1 &&
					gbps "$WORK/j" >>"$WORK/times/iperf.lan$m" ||
					FAILED[iperf-lan$m]="iperf3 -c 192.0.2.1 -p 5201 from the LAN netns: $(jq -r .error "$WORK/j" 2>/dev/null)"
			fi
		done
		[ "$BRNF" = 1 ] && { brnf "$B0" 1 && brnf "$RNS" 1 || die "cannot set net.bridge.bridge-nf-call-* back"; }
		if [ -z "${FAILED[iperf-out]:-}" ]; then
			timeout 60 "${NK[@]}" run --rm --network bridge --rootfs /:O /usr/bin/iperf3 -c 192.0.2.2 -t "$ISECS" -J >"$WORK/j" 2>"$WORK/err" &&
				gbps "$WORK/j" >>"$WORK/times/iperf.out" ||
				FAILED[iperf-out]="iperf3 -c 192.0.2.2 in a container: $(why) $(jq -r .error "$WORK/j" 2>/dev/null)"
		fi
	done
	echo "[2/2] iperf3: $IROUNDS x ${ISECS} s per path, interleaved ($(since_s "$t") s)"
else
	IPERF_WHY="iperf3 not installed (apt-get install -y iperf3)"
	echo "[2/2] iperf3: skipped: $IPERF_WHY"
fi
echo

# ---- results --------------------------------------------------------------------------
row() { # LABEL FILE FAILKEY UNIT
	local m a b n
	if [ -n "${FAILED[$3]:-}" ] && ! [ -s "$2" ]; then
		printf '  %-44s %s\n' "$1" "not measured: ${FAILED[$3]}"
		return
	fi
	read -r m a b n <<<"$(stats "$2")"
	printf '  %-44s %10s %9s %9s %4s %s\n' "$1" "$m" "$a" "$b" "$n" "${4:-}"
}
echo "run --rm /bin/true (ms)                          median       min       p90    N"
row "nook --network bridge" "$WORK/times/run.bridge" bridge
row "nook --network none" "$WORK/times/run.none" none
if [ -n "$BASE" ]; then
	row "base --network bridge" "$WORK/times/run.base-bridge" base-bridge
	row "base --network none" "$WORK/times/run.base-none" base-none
fi
if [ -n "$PODMAN_WHY" ]; then
	printf '  %-44s %s\n' "podman --network bridge" "not measured: $PODMAN_WHY"
else
	row "podman --network bridge (CNI)" "$WORK/times/run.podman" podman
fi
echo
if [ "$HAVE_IPERF" = 1 ]; then
	echo "iperf3 TCP throughput (Gbit/s, received)         median       min       p90    N"
	row "floor: two netns, a raw veth pair" "$WORK/times/iperf.floor" iperf-floor
	for m in "${MODES[@]}"; do
		case $m$BRNF in
		1) echo "  as this host has br_netfilter (bridge-nf-call-* = 1):" ;;
		-nonf*) echo "  without br_netfilter's calls (bridge-nf-call-* = 0), as OpenWrt:" ;;
		0) echo "  br_netfilter's calls off in a new netns here (as OpenWrt):" ;;
		'') echo "  no br_netfilter in this kernel (as OpenWrt):" ;;
		esac
		row "floor: two netns on a bridge made with ip" "$WORK/times/iperf.brfloor$m" "iperf-brfloor$m"
		row "container -> container over nook's bridge" "$WORK/times/iperf.bridge$m" "iperf-bridge$m"
		row "LAN netns -> port published by nook" "$WORK/times/iperf.lan$m" "iperf-lan$m"
	done
	row "container -> LAN netns (outbound)" "$WORK/times/iperf.out" iperf-out
	echo
fi
if [ "${BENCH_RAW:-}" = 1 ]; then
	for f in "$WORK"/times/*; do
		printf '%s raw:' "$(basename "$f")"
		tr '\n' ' ' <"$f"
		echo
	done
	echo
fi

verdict() { awk -v v="$1" -v g="$2" -v o="$3" 'BEGIN { if (v == "-" || v == "") print "not measured"; else if ((o == "<=" && v + 0 <= g + 0) || (o == ">=" && v + 0 >= g + 0)) print "met"; else print "NOT met" }'; }
mb=$(median_of "$WORK/times/run.bridge") mn=$(median_of "$WORK/times/run.none")
mp=-
[ -z "$PODMAN_WHY" ] && mp=$(median_of "$WORK/times/run.podman")
r=$(ratio "$mb" "$mp")
echo "goals:"
echo "  nook bridge / podman bridge = $r ($mb / $mp ms) (goal <= 0.1x): $(verdict "${r%x}" 0.1 '<=')"
d=$(awk -v a="$mb" -v b="$mn" 'BEGIN { if (a != "-" && b != "-") printf "%.2f", a - b; else print "-" }')
echo "  nook bridge - nook none = $d ms (goal <= 2 ms): $(verdict "$d" 2 '<=')"
if [ -n "$BASE" ]; then
	d=$(awk -v a="$(median_of "$WORK/times/run.base-bridge")" -v b="$(median_of "$WORK/times/run.base-none")" \
		'BEGIN { if (a != "-" && b != "-") printf "%.2f", a - b; else print "-" }')
	echo "  base bridge - base none = $d ms (goal <= 2 ms): $(verdict "$d" 2 '<=')"
fi
if [ "$HAVE_IPERF" = 1 ]; then
	fl=$(median_of "$WORK/times/iperf.floor")
	for m in "${MODES[@]}"; do
		w=
		case $m$BRNF in 1) w=", br_netfilter on" ;; -nonf*) w=", br_netfilter off" ;; esac
		for p in bridge lan; do
			v=$(median_of "$WORK/times/iperf.$p$m")
			r=$(ratio "$v" "$fl")
			echo "  iperf3 $p$w / floor = $r ($v / $fl Gbit/s) (goal >= 0.95x): $(verdict "${r%x}" 0.95 '>=')"
		done
		bf=$(median_of "$WORK/times/iperf.brfloor$m")
		for p in bridge lan; do
			v=$(median_of "$WORK/times/iperf.$p$m")
			echo "  iperf3 $p$w / the ip bridge = $(ratio "$v" "$bf") ($v / $bf Gbit/s): what nook adds to a kernel bridge"
		done
	done
	v=$(median_of "$WORK/times/iperf.out")
	echo "  iperf3 outbound / floor = $(ratio "$v" "$fl") ($v / $fl Gbit/s) (no goal: watched, not to regress)"
else
	echo "  iperf3: not measured: $IPERF_WHY"
fi
echo
echo "total time: $(since_s "${T_START/[.,]/}") s; load now $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
for k in bridge none base-bridge base-none iperf-bridge iperf-lan iperf-bridge-nonf iperf-lan-nonf iperf-out; do
	[ -z "${FAILED[$k]:-}" ] || rc=1
done
exit $rc
