#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the unit tests built for one target (make xunit-build: static, that
# target's musl toolchain) under qemu-user, or natively when QEMU is empty.
# Every result line gets the target's name: "ok - mips: test-spec: NAME".
# A status other than 0 or 1 (a signal, a timeout) is a crash and a failure.
# qemu-user has no clone3, no clone with namespaces and no seccomp_load: the
# tests that need them skip with "optional: qemu-user ...".
# usage: tests/run-cross.sh TARGET QEMU TEST_BINARIES...
target=$1
qemu=$2
shift 2
if [ -n "$qemu" ] && ! command -v "$qemu" >/dev/null; then
	echo "ok - $target: unit tests # SKIP $qemu not installed (apt-get install qemu-user-static)"
	exit 0
fi
st=$(mktemp)
trap 'rm -f "$st"' EXIT
rc=0
for t in "$@"; do
	# shellcheck disable=SC2086
	{ timeout -k 10 600 $qemu "$t"; echo $? > "$st"; } 2>&1 |
		sed -u "s/^\(ok\|not ok\|skip\) - /\1 - $target: /"
	s=$(cat "$st")
	case $s in
	0) ;;
	1) rc=1 ;;
	124) echo "not ok - $target: $(basename "$t"): timed out after 600 s"; rc=1 ;;
	*) echo "not ok - $target: $(basename "$t"): crashed with status $s"; rc=1 ;;
	esac
done
exit $rc
