#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run one tier of the shell tests against a build.
#   tests/run-tier.sh priv BUILD_DIR [TEST...]   tests/priv/*.sh: the runtime
#   tests/run-tier.sh e2e BUILD_DIR [TEST...]    tests/e2e/*.sh: the engine
# BUILD_DIR holds nook, nook-runtime and nook-test (e.g. build/x86_64).  The
# busybox rootfs is built once into build/test-rootfs with BUILD_DIR/nook-test.
# What is tested: BUILD_DIR/nook-runtime or $NOOK_RUNTIME (priv;
# NOOK_RUNTIME=runc validates the tests themselves), BUILD_DIR/nook or $NOOK
# (e2e; NOOK=podman validates them against podman, see tests/e2e/lib.sh).
# TEST names ("exec" or "tests/e2e/exec.sh") pick scripts; default all.
# Prints every result line (see tests/summary.sh); exits 1 if any failed.
# Needs root, jq and timeout; POSIX sh (busybox ash too: NOOK_TEST_SHELL
# picks the shell that runs each test, default sh).
tier=$1
build=$2
case $tier in
priv | e2e) ;;
*)
	echo "usage: $0 priv|e2e BUILD_DIR [TEST...]" >&2
	exit 2
	;;
esac
if [ -z "$build" ]; then
	echo "usage: $0 $tier BUILD_DIR [TEST...]" >&2
	exit 2
fi
shift 2
if [ "$(id -u)" != 0 ]; then
	echo "ok - $tier: all # SKIP needs root"
	exit 0
fi
for c in jq timeout; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "ok - $tier: all # SKIP needs $c (apt-get install jq coreutils)"
		exit 0
	fi
done

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
if [ "$tier" = priv ]; then
	export NOOK_RUNTIME="${NOOK_RUNTIME:-$build/nook-runtime}"
else
	export NOOK="${NOOK:-$build/nook}"
fi
export NOOK_TEST_PAYLOAD="$build/nook-test"
export NOOK_TEST_ROOTFS="${NOOK_TEST_ROOTFS:-$top/build/test-rootfs}"

if ! sh "$top/tests/mkrootfs.sh" "$NOOK_TEST_ROOTFS" "$NOOK_TEST_PAYLOAD"; then
	echo "not ok - $tier: rootfs: tests/mkrootfs.sh $NOOK_TEST_ROOTFS $NOOK_TEST_PAYLOAD failed"
	exit 1
fi
export NOOK_TEST_ROOTFS_READY=1

if [ $# -eq 0 ]; then
	set -- "$top/tests/$tier"/*.sh
fi

rc=0
log=$(mktemp "/tmp/nook-run-$tier.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT TERM HUP
for t in "$@"; do
	case $t in
	*/lib.sh | lib) continue ;;
	*/*) ;;
	*) t=$top/tests/$tier/${t%.sh}.sh ;;
	esac
	name=$(basename "$t" .sh)
	# TERM, not KILL: the script's trap must get to clean up
	timeout -k 30 150 ${NOOK_TEST_SHELL:-sh} "$t" >"$log" 2>&1
	st=$?
	cat "$log"
	if grep -q '^not ok - ' "$log"; then
		rc=1
	elif [ $st -ne 0 ]; then
		echo "not ok - $tier: $name: the script exited with status $st"
		rc=1
	elif ! grep -q "^ok - " "$log"; then
		echo "not ok - $tier: $name: no result"
		rc=1
	fi
done
exit $rc
