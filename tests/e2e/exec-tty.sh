#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# exec -t: the process gets a terminal of its own (a pty from the
# container's devpts), its output comes back through it, and its exit code
# is exec's.  `script` (util-linux) gives the test a terminal to run in.
. "$(dirname "$0")/lib.sh"

t_begin "exec-tty: exec -it runs on a pty and returns its code"
if ! command -v script >/dev/null; then
	skip "exec-tty: exec -it" "optional: no script(1) to provide a terminal"
else
	run_sleeper et || t_why "no container: $RUN_OUT"
	out=$(script -qec "$NOOK $T_GLOBAL exec -it et sh -c 'tty; exit 6'" /dev/null 2>&1 </dev/null)
	st=$?
	expect_match "tty inside" "$out" "/dev/pts/[0-9]+"
	# script(1) passes the child's status through with -e
	expect_status "exit code" $st 6 "$out"
	out=$(nk exec et /bin/nook-test tty 2>&1)
	expect_match "no terminal without -t" "$out" '^1 notty'
fi
t_end

exit $T_RC
