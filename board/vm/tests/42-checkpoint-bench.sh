#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Checkpoint + restore timed in the VM, side by side in one run, ROUNDS
# rounds interleaved (medians; /proc/uptime: 10 ms steps, and qemu TCG
# makes everything ~10x slower than a real machine: compare ratios):
#   floor    criu alone: `criu dump` and `criu restore` of the same
#            container run by the runtime (the same flags nook gives criu);
#   runtime  `nook runtime checkpoint` + `nook runtime restore --detach`
#            of the same kind of container (what podman and containerd
#            call);
#   engine   `nook checkpoint` + `nook restore` of a counter container.
# Prints "# vm bench: ..." lines; fails only when a step fails.

NOOK=${NOOK:-/nook/nook}
RT=${RT:-/nook/nook runtime}
ROOTFS=${ROOTFS:-/rootfs}
ROUNDS=${ROUNDS:-3}
W=/tmp/vmckb
PATH=/usr/sbin:$PATH
export PATH

if ! command -v criu >/dev/null 2>&1 || ! criu check >/dev/null 2>&1; then
	echo "ok - vm: checkpoint bench # SKIP criu missing or not working in the VM"
	exit 0
fi
rm -rf "$W"
mkdir -p "$W"
. /tests/lib.inc
FAIL=
bad() {
	FAIL="${FAIL:+$FAIL; }$1"
}
nk() {
	timeout -s KILL 60 "$NOOK" --root "$W/root" --runroot "$W/run" "$@"
}
rtc() {
	timeout -s KILL 60 $RT "$@"
}
cleanup() {
	nk rm -f eb >/dev/null 2>&1
	rtc delete --force rb >/dev/null 2>&1
	[ -n "${FPID:-}" ] && kill -9 "$FPID" 2>/dev/null
}
trap cleanup EXIT

# One container, three times: the engine's (its masked and read-only
# paths, /dev, /sys and all: what a dump walks), and its runtime config as
# the bundle of the floor's and the runtime's.  The init keeps its stdio
# inside the container (criu alone needs no --inherit-fd for them); its
# network namespace is external for the floor too, as nook makes it.
CMD='exec </dev/null >/tmp/out 2>&1; i=0; while :; do i=$((i+1)); echo $i; sleep 0.2; done'
nk run -d --name eb --network none --rootfs "$ROOTFS" sh -c "$CMD" >/dev/null 2>&1 ||
	bad "run the engine's container"
id=$(nk inspect --format '{{.Id}}' eb 2>/dev/null)
for b in fb rb; do
	mkdir -p "$W/$b" && cp -a "$ROOTFS" "$W/$b/rootfs"
	sed -e "s#\"path\":[[:space:]]*\"$ROOTFS\"#\"path\": \"rootfs\"#" \
		-e "s#\"cgroupsPath\":[[:space:]]*\"[^\"]*\"#\"cgroupsPath\": \"/nook/$b\"#" \
		"$W/run/containers/$id/config.json" >"$W/$b/config.json" || bad "bundle $b"
done
rtc run -d --bundle "$W/fb" fb </dev/null >/dev/null 2>&1 || bad "run the floor's container"
FPID=$(rtc state fb 2>/dev/null | tr -d '\n\t ' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
# The floor's container is dumped and restored by criu alone: the
# runtime's state of it is forgotten at once (the pid changes).
rtc run -d --bundle "$W/rb" rb </dev/null >/dev/null 2>&1 || bad "run the runtime's container"
sleep 1

CR="--manage-cgroups=ignore --network-lock=nftables"
i=0
while [ $i -lt "$ROUNDS" ] && [ -z "$FAIL" ]; do
	i=$((i + 1))
	# floor
	rm -rf "$W/fimg" && mkdir -p "$W/fimg"
	t0=$(now_ms)
	ino=$(stat -L -c %i "/proc/$FPID/ns/net")
	criu dump -t "$FPID" -D "$W/fimg" -o dump.log $CR "--external=net[$ino]:extRootNetNS" ||
		bad "floor: criu dump"
	t1=$(now_ms)
	unshare -m -n sh -c "ip link set lo up && exec 3</proc/self/ns/net &&
		mount --make-rprivate / && mount --bind $W/fb/rootfs $W/fb/rootfs &&
		exec criu restore -D $W/fimg -o restore.log --root $W/fb/rootfs --restore-detached \
		--pidfile $W/fimg/pid $CR --inherit-fd=fd[3]:extRootNetNS" ||
		bad "floor: criu restore ($(tail -n 3 "$W/fimg/restore.log" | tr '\n' ' '))"
	t2=$(now_ms)
	FPID=$(cat "$W/fimg/pid" 2>/dev/null)
	echo "$((t2 - t0))" >>"$W/floor"
	echo "$((t1 - t0))" >>"$W/floor.dump"
	echo "$((t2 - t1))" >>"$W/floor.restore"
	# runtime
	rm -rf "$W/rimg"
	t0=$(now_ms)
	rtc checkpoint --image-path "$W/rimg" rb >/dev/null 2>&1 || bad "runtime checkpoint"
	t1=$(now_ms)
	rtc restore -d --image-path "$W/rimg" --bundle "$W/rb" rb </dev/null >/dev/null 2>&1 || bad "runtime restore"
	t2=$(now_ms)
	echo "$((t2 - t0))" >>"$W/runtime"
	echo "$((t1 - t0))" >>"$W/runtime.dump"
	echo "$((t2 - t1))" >>"$W/runtime.restore"
	# engine
	t0=$(now_ms)
	nk checkpoint eb >/dev/null 2>&1 || bad "engine checkpoint"
	t1=$(now_ms)
	nk restore eb >/dev/null 2>&1 || bad "engine restore"
	t2=$(now_ms)
	echo "$((t2 - t0))" >>"$W/engine"
	echo "$((t1 - t0))" >>"$W/engine.dump"
	echo "$((t2 - t1))" >>"$W/engine.restore"
done
if [ -n "$FAIL" ]; then
	echo "not ok - vm: checkpoint bench: $FAIL"
	exit 0
fi
f=$(median <"$W/floor")
r=$(median <"$W/runtime")
e=$(median <"$W/engine")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo "# vm bench: checkpoint+restore, median of $ROUNDS (ms; dump / restore):"
echo "# vm bench:   criu alone (floor)  $f ($(median <"$W/floor.dump") / $(median <"$W/floor.restore"))"
echo "# vm bench:   nook runtime        $r ($(median <"$W/runtime.dump") / $(median <"$W/runtime.restore")) $(ratio "$r" "$f")x floor"
echo "# vm bench:   nook engine         $e ($(median <"$W/engine.dump") / $(median <"$W/engine.restore")) $(ratio "$e" "$f")x floor"
if [ -n "${NOOK_VM_TIMING:-1}" ]; then
	NOOK_TIMING=1 nk checkpoint eb 2>&1 >/dev/null | sed 's/^/# vm timing: checkpoint: /'
	NOOK_TIMING=1 nk restore eb 2>&1 >/dev/null | sed 's/^/# vm timing: restore: /'
fi
echo "ok - vm: checkpoint bench: $ROUNDS rounds of the floor, the runtime and the engine"
