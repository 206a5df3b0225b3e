#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the unit test binaries given as arguments; each prints ok/not ok lines
# and exits 1 when one of them failed.  Any other status (ASan, UBSan, a
# signal) is a crash and counts as a failure of its own.
export ASAN_OPTIONS=exitcode=66 UBSAN_OPTIONS=halt_on_error=1:exitcode=66:print_stacktrace=1
rc=0
for t in "$@"; do
	"$t"
	st=$?
	case $st in
	0) ;;
	1) rc=1 ;;
	*) echo "not ok - $(basename "$t"): crashed with status $st"; rc=1 ;;
	esac
done
exit $rc
