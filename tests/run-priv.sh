#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the privileged end-to-end tests (tests/priv/*.sh) against a build.
#   tests/run-priv.sh BUILD_DIR [TEST...]
# BUILD_DIR holds nook-runtime and nook-test (e.g. build/x86_64).  The busybox
# rootfs is built once into build/test-rootfs with BUILD_DIR/nook-test.  The
# runtime is BUILD_DIR/nook-runtime, or $NOOK_RUNTIME if set (NOOK_RUNTIME=runc
# validates the tests themselves).  TEST names (e.g. "exec" or
# "tests/priv/exec.sh") pick scripts; default all.
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
	echo "skip - priv: all: needs root"
	exit 0
fi
for c in jq timeout; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "skip - priv: all: needs $c (apt-get install jq coreutils)"
		exit 0
	fi
done

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
export NOOK_RUNTIME="${NOOK_RUNTIME:-$build/nook-runtime}"
export NOOK_TEST_PAYLOAD="$build/nook-test"
export NOOK_TEST_ROOTFS="${NOOK_TEST_ROOTFS:-$top/build/test-rootfs}"

if ! sh "$top/tests/mkrootfs.sh" "$NOOK_TEST_ROOTFS" "$NOOK_TEST_PAYLOAD"; then
	echo "not ok - priv: rootfs: tests/mkrootfs.sh $NOOK_TEST_ROOTFS $NOOK_TEST_PAYLOAD failed"
	exit 1
fi
export NOOK_TEST_ROOTFS_READY=1

if [ $# -eq 0 ]; then
	set -- "$top"/tests/priv/*.sh
fi

rc=0
log=$(mktemp /tmp/nook-run-priv.XXXXXX) || exit 1
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT TERM HUP
for t in "$@"; do
	case $t in
	*/*) ;;
	*) t=$top/tests/priv/${t%.sh}.sh ;;
	esac
	name=$(basename "$t" .sh)
	# TERM, not KILL: the script's trap must get to clean up
	timeout 150 ${NOOK_TEST_SHELL:-sh} "$t" >"$log" 2>&1
	st=$?
	cat "$log"
	if grep -q '^not ok - ' "$log"; then
		rc=1
	elif [ $st -ne 0 ]; then
		echo "not ok - priv: $name: the script exited with status $st"
		rc=1
	elif ! grep -q -e '^ok - ' -e '^skip - ' "$log"; then
		echo "not ok - priv: $name: no result"
		rc=1
	fi
done
exit $rc
