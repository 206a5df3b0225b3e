#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `--help` of every command: exit 0, a usage line naming the command on
# stdout, and nothing done (`system refresh --help` once ran a refresh).
# nook-specific: podman's help texts and its store differ.
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "help" "other help texts"
	exit 0
fi

run_sleeper h1 || fail "help: setup" "run: $RUN_OUT"
state() {
	find "$T_DIR/root" "$T_DIR/run" -newer "$T_DIR/stamp" 2>/dev/null | sort
	insp h1 '.State | "\(.Status) \(.Pid)"'
}
: >"$T_DIR/stamp"
sleep 1
: >"$T_DIR/stamp"
before=$(state)

for cmd in create run init start stop restart kill pause unpause rm ps inspect wait logs \
	attach exec mount unmount export cleanup sync events artifact batch \
	"system refresh" "system service" "system check" system checkpoint restore; do
	t_begin "help: nook $cmd --help"
	# shellcheck disable=SC2086
	out=$(nk $cmd --help 2>"$T_DIR/help.err")
	expect_status "exit" $? 0 "$(cat "$T_DIR/help.err")"
	expect_match "usage line" "$out" "^usage: nook $cmd( |$)"
	expect_eq "stderr" "$(cat "$T_DIR/help.err")" ""
	t_end
done

t_begin "help: nook runtime --help (the runtime takes no engine options)"
out=$($NOOK runtime --help 2>"$T_DIR/help.err")
expect_status "exit" $? 0 "$(cat "$T_DIR/help.err")"
expect_match "runc's USAGE section" "$out" "^USAGE:"
expect_match "runc's COMMANDS section" "$out" "^COMMANDS:"
out=$(nk runtime --help 2>&1)
expect_status "after --root/--runroot" $? 125 "$out"
expect_match "message" "$out" "runtime: give it first"
t_end

t_begin "help: nothing was done"
expect_eq "files changed and the sleeper's state" "$(state)" "$before"
t_end
