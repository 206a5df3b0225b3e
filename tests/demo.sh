#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: real containers from a busybox rootfs made from Debian's
# busybox-static (nook's default image), first through the engine
# (`nook run`), then through the runc-compatible runtime (`nook runtime
# run` of a config.json from `nook runtime spec`).
# usage: tests/demo.sh BUILD_DIR
set -eu
build=${1:-build/x86_64}
nook=$(pwd)/$build/nook
demo=build/demo
[ -x "$nook" ] || { echo "demo: $nook missing (make)" >&2; exit 1; }

rm -rf "$demo"
mkdir -p "$demo/bundle"
tests/mkrootfs.sh "$demo/bundle/rootfs" "$build/nook-test" >/dev/null
rootfs=$demo/bundle/rootfs
N="$nook --root $demo/root --runroot $demo/run"
show='echo "hello from $(hostname): pid $$, uid $(id -u)"; echo "root: $(ls / | tr "\n" " ")"; echo "cgroup v2: $(grep ^0:: /proc/self/cgroup)"; echo "capabilities: $(grep CapEff /proc/self/status)"'

# A network of the demo's own (its bridge and firewall rules go with it
# at the end), so that the demo leaves nothing on this machine.
$N network rm -f demo >/dev/null 2>&1 || true
echo "\$ nook network create demo"
$N network create demo
trap '$N rm -f web >/dev/null 2>&1; $N network rm -f demo >/dev/null 2>&1' EXIT

echo
echo "\$ nook run --rm --network demo --hostname nook-demo --rootfs $rootfs sh -c '...'"
$N run --rm --network demo --hostname nook-demo --rootfs "$rootfs" sh -c "$show"

echo
echo "\$ nook run -d --name web --network demo -p 127.0.0.1:18080:8080 --restart always --rootfs $rootfs httpd -f -p 8080"
$N run -d --name web --network demo -p 127.0.0.1:18080:8080 --restart always --rootfs "$rootfs" httpd -f -p 8080 >/dev/null
$N ps
$N port web
$N exec web sh -c 'echo "exec in web: $(ps | wc -l) processes, address $(ip -4 -o addr show eth0 | awk "{print \$4}")"'
echo "\$ wget -qO- http://127.0.0.1:18080/etc/hosts     # the host, through the published port"
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	if wget -qO- -T 2 http://127.0.0.1:18080/etc/hosts; then
		ok=1
		break
	fi
	sleep 0.2
done
[ "$ok" = 1 ] || { echo "demo: the published port 18080 did not answer" >&2; exit 1; }
$N stop -t 2 web >/dev/null
$N ps -a --format '{{.Names}} {{.Status}}'
$N rm web >/dev/null
echo "\$ nook network rm demo"
$N network rm demo
trap - EXIT

echo
"$nook" runtime spec --bundle "$demo/bundle"
jq --arg s "$show" '.process.terminal = false | .hostname = "nook-runtime-demo"
  | .process.args = ["sh", "-c", $s]' "$demo/bundle/config.json" >"$demo/bundle/config.json.new"
mv "$demo/bundle/config.json.new" "$demo/bundle/config.json"
echo "\$ nook runtime run --bundle $demo/bundle demo"
"$nook" runtime --root "$demo/runtime" run --bundle "$demo/bundle" demo-$$
echo
echo "nook: $(stat -c %s "$nook") bytes, $(file -b "$nook" | cut -d, -f1-2),$(file -b "$nook" | grep -o ' statically linked')"
