#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `start -a` loses no output (engine/LIFECYCLE.md, start and attach: the
# attach is in place before the process starts): a container that prints a
# line on each stream and exits at once, started with -a NOOK_E2E_LOOPS
# times (default 100); each time both lines must be there and the exit code must come back.  The same
# for `run` in the foreground, a fresh container each time
# (NOOK_E2E_RUN_LOOPS, default 10).
. "$(dirname "$0")/lib.sh"

LOOPS=${NOOK_E2E_LOOPS:-100}
RUN_LOOPS=${NOOK_E2E_RUN_LOOPS:-10}

t_begin "startattach: start -a $LOOPS times, no output lost"
out=$(nk_create --name quick --rootfs "$ROOTFS" /bin/sh -c 'echo quick-out; echo quick-err >&2; exit 3' 2>&1)
expect_status "create" $? 0 "$out"
i=0
lost=0
badrc=0
first=
t0=$(now_ms)
while [ $i -lt "$LOOPS" ]; do
	o=$(nk start -a quick 2>"$T_DIR/e")
	st=$?
	if [ "$o" != quick-out ] || ! grep -qx quick-err "$T_DIR/e"; then
		lost=$((lost + 1))
		[ -z "$first" ] && first="run $i: stdout '$(oneline "$o")' stderr '$(oneline "$(cat "$T_DIR/e")")'"
	fi
	if [ $st != 3 ]; then
		badrc=$((badrc + 1))
		[ -z "$first" ] && first="run $i: status $st: $(oneline "$(cat "$T_DIR/e")")"
	fi
	i=$((i + 1))
done
t1=$(now_ms)
[ $lost = 0 ] || t_why "output lost in $lost of $LOOPS runs"
[ $badrc = 0 ] || t_why "status not 3 in $badrc of $LOOPS runs"
[ -n "$first" ] && t_why "first: $first"
t_end
echo "# startattach: $LOOPS x start -a in $((t1 - t0)) ms" >&2

t_begin "startattach: run $RUN_LOOPS times, no output lost"
i=0
lost=0
first=
while [ $i -lt "$RUN_LOOPS" ]; do
	o=$(nk_run --rm --rootfs "$ROOTFS" /bin/nook-test echo "run-$i" 2>"$T_DIR/e")
	st=$?
	if [ "$o" != "run-$i" ] || [ $st != 0 ]; then
		lost=$((lost + 1))
		[ -z "$first" ] && first="run $i: status $st stdout '$(oneline "$o")' stderr '$(oneline "$(cat "$T_DIR/e")")'"
	fi
	i=$((i + 1))
done
[ $lost = 0 ] || t_why "$lost of $RUN_LOOPS runs wrong; first: $first"
expect_eq "containers left (--rm)" "$(nk ps -a -q 2>/dev/null | wc -l | tr -d " ")" 1
t_end

exit $T_RC
