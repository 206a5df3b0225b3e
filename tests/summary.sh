#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Count the result lines of a test log (TAP test lines, numbers left out)
# and print the plan and the closing line.
#   ok - NAME                 a pass
#   not ok - NAME: WHY        a failure
#   ok - NAME # SKIP WHY      a skip; with NOOK_MUST_WORK=1 (CI) a skip
#                             whose reason does not start "optional:"
#                             counts as a failure
# A result line in another shape ("skip - ...", the old form) is a failure:
# TAP readers would not see it.
# usage: tests/summary.sh LOG
log=$1
skips() { grep -a '^ok - .* # SKIP ' "$log"; }
all=$(grep -ac '^ok - ' "$log")
skip=$(skips | grep -c .)
pass=$((all - skip))
fail=$(grep -ac '^not ok - ' "$log")
bad=$(grep -ac "^skip - " "$log")
if [ "$bad" -gt 0 ]; then
	echo "result lines that are not TAP, counted as failures:"
	grep -a "^skip - " "$log"
	fail=$((fail + bad))
fi
if [ "${NOOK_MUST_WORK:-0}" = 1 ]; then
	hard=$(skips | grep -vc ' # SKIP optional:')
	if [ "$hard" -gt 0 ]; then
		echo "skips of required features (NOOK_MUST_WORK=1), counted as failures:"
		skips | grep -v ' # SKIP optional:'
		fail=$((fail + hard))
		skip=$((skip - hard))
	fi
fi
if [ "$fail" -gt 0 ]; then
	echo "failures:"
	grep -a '^not ok - ' "$log"
fi
echo "1..$((pass + skip + fail))"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
