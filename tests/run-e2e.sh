#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the end-to-end tests of the engine CLI (tests/e2e/*.sh) against a build.
#   tests/run-e2e.sh BUILD_DIR [TEST...]
# BUILD_DIR holds nook and nook-test (e.g. build/x86_64).  The busybox rootfs
# is built once into build/test-rootfs with BUILD_DIR/nook-test.  The engine
# is BUILD_DIR/nook, or $NOOK if set: NOOK=podman validates the tests
# themselves against podman (see tests/e2e/lib.sh for what it adds).  TEST
# names (e.g. "exec" or "tests/e2e/exec.sh") pick scripts; default all.
# Prints every result line (see tests/summary.sh); exits 1 if any failed.
# Needs root, jq and timeout; POSIX sh (busybox ash too: NOOK_TEST_SHELL
# picks the shell that runs each test, default sh).
build=$1
if [ -z "$build" ]; then
	echo "usage: $0 BUILD_DIR [TEST...]" >&2
	exit 2
fi
shift
if [ "$(id -u)" != 0 ]; then
	echo "skip - e2e: all: needs root"
	exit 0
fi
for c in jq timeout; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "skip - e2e: all: needs $c (apt-get install jq coreutils)"
		exit 0
	fi
done

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
export NOOK="${NOOK:-$build/nook}"
export NOOK_TEST_PAYLOAD="$build/nook-test"
export NOOK_TEST_ROOTFS="${NOOK_TEST_ROOTFS:-$top/build/test-rootfs}"

if ! sh "$top/tests/mkrootfs.sh" "$NOOK_TEST_ROOTFS" "$NOOK_TEST_PAYLOAD"; then
	echo "not ok - e2e: rootfs: tests/mkrootfs.sh $NOOK_TEST_ROOTFS $NOOK_TEST_PAYLOAD failed"
	exit 1
fi
export NOOK_TEST_ROOTFS_READY=1

if [ $# -eq 0 ]; then
	set -- "$top"/tests/e2e/*.sh
fi

rc=0
log=$(mktemp /tmp/nook-run-e2e.XXXXXX) || exit 1
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT TERM HUP
for t in "$@"; do
	case $t in
	*/lib.sh | lib) continue ;;
	*/*) ;;
	*) t=$top/tests/e2e/${t%.sh}.sh ;;
	esac
	name=$(basename "$t" .sh)
	# TERM, not KILL: the script's trap must get to clean up
	timeout -k 30 120 ${NOOK_TEST_SHELL:-sh} "$t" >"$log" 2>&1
	st=$?
	cat "$log"
	if grep -q '^not ok - ' "$log"; then
		rc=1
	elif [ $st -ne 0 ]; then
		echo "not ok - e2e: $name: the script exited with status $st"
		rc=1
	elif ! grep -q -e '^ok - ' -e '^skip - ' "$log"; then
		echo "not ok - e2e: $name: no result"
		rc=1
	fi
done
exit $rc
