#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Flags after the positional arguments, as podman (cobra) takes them:
# `inspect NAME --format T`, `stop NAME -t 0`, `rm NAME -f`, ... are flags
# anywhere on the line, for every command that has no command line of its
# own; `--` ends them.  run, create and exec are the exception: everything
# after the container's command (or the container, for exec) belongs to
# that command; and logs, as podman's, stops at its container.  An unknown
# flag after a container is a usage error (125), not a container named
# "--bogus".
. "$(dirname "$0")/lib.sh"

t_begin "flags order: inspect NAME --format"
out=$(nk_run -d --name fo1 --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "run -d" $? 0 "$out"
want=$(nk inspect --format '{{.State.Pid}}' fo1 2>&1)
expect_status "inspect --format T fo1" $? 0 "$want"
got=$(nk inspect fo1 --format '{{.State.Pid}}' 2>&1)
expect_status "inspect fo1 --format T" $? 0 "$got"
expect_eq "inspect fo1 --format T" "$got" "$want"
case $got in '' | 0 | *[!0-9]*) t_why "inspect: no pid ('$(oneline "$got")')" ;; esac
got=$(nk inspect fo1 -f '{{.Name}}' 2>&1)
expect_status "inspect fo1 -f T" $? 0 "$got"
expect_eq "inspect fo1 -f {{.Name}}" "$got" fo1
t_end

t_begin "flags order: -- ends the flags"
got=$(nk inspect --format '{{.Name}}' -- fo1 2>&1)
expect_status "inspect --format T -- fo1" $? 0 "$got"
expect_eq "inspect -- fo1" "$got" fo1
out=$(nk inspect fo1 -- --format 2>&1)
expect_status "inspect fo1 -- --format" $? 125 "$out"
expect_match "after --, --format is a container name" "$out" 'format'
t_end

# podman's logs is the one command with a container and no command line
# that stops at the container (cobra: SetInterspersed(false)).
t_begin "flags order: logs --tail N NAME, but not logs NAME --tail N; ps"
wait_logs fo1 '^ready$' 10 || t_why "fo1 never printed ready"
got=$(nk logs --tail 1 fo1 2>&1)
expect_status "logs --tail 1 fo1" $? 0 "$got"
expect_eq "logs --tail 1 fo1" "$got" ready
out=$(nk logs fo1 --tail 1 2>&1)
expect_status "logs fo1 --tail 1" $? 125 "$out"
got=$(nk ps -a --format '{{.Names}}' --filter name=fo1 2>&1)
expect_status "ps -a --format T --filter" $? 0 "$got"
expect_eq "ps --filter name=fo1" "$got" fo1
t_end

t_begin "flags order: pause/unpause NAME --bogus is a usage error"
out=$(nk pause fo1 --bogus 2>&1)
expect_status "pause fo1 --bogus" $? 125 "$out"
expect_nomatch "not taken for a container" "$out" 'no such container'
expect_eq "still running" "$(cstatus fo1)" running
t_end

t_begin "flags order: stop NAME -t 0, wait NAME --interval, start NAME --attach"
out=$(nk stop fo1 -t 0 2>&1)
expect_status "stop fo1 -t 0" $? 0 "$out"
expect_eq "stop prints" "$(printf '%s\n' "$out" | tail -n1)" fo1
got=$(nk wait fo1 --interval 100ms 2>&1)
expect_status "wait fo1 --interval 100ms" $? 0 "$got"
expect_eq "wait: SIGKILL's code" "$got" 137
out=$(nk_create --name fo2 --rootfs "$ROOTFS" /bin/sh -c 'echo started' 2>&1)
expect_status "create fo2" $? 0 "$out"
got=$(nk start fo2 --attach 2>&1)
expect_status "start fo2 --attach" $? 0 "$got"
expect_eq "start fo2 --attach output" "$got" started
t_end

t_begin "flags order: kill NAME -s SIG, rm NAME -f, rm -f -- NAME"
out=$(nk_run -d --name fo3 --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "run -d fo3" $? 0 "$out"
out=$(nk kill fo3 -s KILL 2>&1)
expect_status "kill fo3 -s KILL" $? 0 "$out"
got=$(nk wait fo3 2>&1)
expect_eq "killed with KILL" "$got" 137
out=$(nk rm fo3 -f 2>&1)
expect_status "rm fo3 -f" $? 0 "$out"
out=$(nk rm -f -- fo2 2>&1)
expect_status "rm -f -- fo2" $? 0 "$out"
got=$(nk ps -a --format '{{.Names}}' 2>&1)
expect_eq "left" "$got" fo1
t_end

t_begin "flags order: run's and exec's flags end at the command"
got=$(nk_run --rm --rootfs "$ROOTFS" /bin/sh -c 'echo "$0 $1"' --rm -t 2>&1)
expect_status "run ... CMD --rm -t" $? 0 "$got"
expect_eq "the command got them" "$got" "--rm -t"
out=$(nk start fo1 2>&1)
expect_status "start fo1" $? 0 "$out"
got=$(nk exec fo1 /bin/sh -c 'echo "$0 $1"' -t --user 12 2>&1)
expect_status "exec fo1 CMD -t --user 12" $? 0 "$got"
expect_eq "the command got them" "$got" "-t --user"
t_end
