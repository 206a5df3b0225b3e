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

echo "\$ nook run --rm --hostname nook-demo --rootfs $rootfs sh -c '...'"
$N run --rm --hostname nook-demo --rootfs "$rootfs" sh -c "$show"

echo
echo "\$ nook run -d --name web --restart always --rootfs $rootfs httpd -f -p 8080"
$N run -d --name web --restart always --rootfs "$rootfs" httpd -f -p 8080 >/dev/null
$N ps
$N exec web sh -c 'echo "exec in web: $(ps | wc -l) processes"'
$N stop -t 2 web >/dev/null
$N ps -a --format '{{.Names}} {{.Status}}'
$N rm web >/dev/null

echo
"$nook" runtime spec --bundle "$demo/bundle"
jq --arg s "$show" '.process.terminal = false | .hostname = "nook-runtime-demo"
  | .process.args = ["sh", "-c", $s]' "$demo/bundle/config.json" >"$demo/bundle/config.json.new"
mv "$demo/bundle/config.json.new" "$demo/bundle/config.json"
echo "\$ nook runtime run --bundle $demo/bundle demo"
"$nook" runtime --root "$demo/runtime" run --bundle "$demo/bundle" demo-$$
echo
echo "nook: $(stat -c %s "$nook") bytes, $(file -b "$nook" | cut -d, -f1-2),$(file -b "$nook" | grep -o ' statically linked')"
