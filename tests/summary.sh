#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Count the result lines of a test log and print the closing line.
#   ok - NAME            a pass
#   not ok - NAME: WHY   a failure
#   skip - NAME: WHY     a skip; with NOOK_MUST_WORK=1 (CI) a skip whose
#                        reason is not marked "optional:" counts as a failure
# usage: tests/summary.sh LOG
log=$1
pass=$(grep -c '^ok - ' "$log")
fail=$(grep -c '^not ok - ' "$log")
skip=$(grep -c '^skip - ' "$log")
if [ "${NOOK_MUST_WORK:-0}" = 1 ]; then
	hard=$(grep '^skip - ' "$log" | grep -vc ': optional:')
	if [ "$hard" -gt 0 ]; then
		echo "skips of required features (NOOK_MUST_WORK=1), counted as failures:"
		grep '^skip - ' "$log" | grep -v ': optional:'
		fail=$((fail + hard))
		skip=$((skip - hard))
	fi
fi
if [ "$fail" -gt 0 ]; then
	echo "failures:"
	grep '^not ok - ' "$log"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
