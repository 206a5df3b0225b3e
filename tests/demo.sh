#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: one real container.  A busybox rootfs made from Debian's
# busybox-static, a config.json from `nook runtime spec`, and
# `nook runtime run` of a shell that shows where it runs.
# usage: tests/demo.sh BUILD_DIR
set -eu
build=${1:-build/x86_64}
nook=$build/nook
bundle=build/demo
[ -x "$nook" ] || { echo "demo: $nook missing (make)" >&2; exit 1; }

rm -rf "$bundle"
mkdir -p "$bundle"
tests/mkrootfs.sh "$bundle/rootfs" "$build/nook-test" >/dev/null
"$nook" runtime spec --bundle "$bundle"
# Not interactive, and a command that shows the container from inside.
jq '.process.terminal = false
  | .hostname = "nook-demo"
  | .process.args = ["sh", "-c",
      "echo \"hello from $(hostname): pid $$, uid $(id -u)\"; echo \"root: $(ls / | tr \"\\n\" \" \")\"; echo \"cgroup v2: $(grep ^0:: /proc/self/cgroup) (own cgroup namespace)\"; echo \"capabilities: $(grep CapEff /proc/self/status)\""]' \
	"$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

id=demo-$$
echo "\$ nook runtime run --bundle $bundle $id"
"$nook" runtime --root build/demo-state run --bundle "$bundle" "$id"
echo "(exit status $?; nook is $(stat -c %s "$nook") bytes, $(file -b "$nook" | cut -d, -f1-2 | tr -d '\n'), statically linked: $(file -b "$nook" | grep -q 'static' && echo yes || echo no))"
