#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The lifecycle through the CLI: create, init, start, stop, start again,
# restart, rm; `ps` (-a, -q, --format json, --format '{{.Names}}',
# --filter name=, --filter status=).
. "$(dirname "$0")/lib.sh"

t_begin "lifecycle: create prints the id, status configured"
out=$(nk_create --name lc --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1)
expect_status "create" $? 0 "$out"
expect_match "create prints the id" "$out" '^[0-9a-f]{64}$'
ID=$(printf '%s\n' "$out" | tail -n 1)
expect_eq "inspect .Id" "$(cid lc)" "$ID"
expect_eq "inspect .Name" "$(insp lc .Name)" lc
S_CREATE=$(cstatus lc)
# nook: configured (nothing in the kernel yet); podman says "created"
expect_match "status after create" "$S_CREATE" '^(configured|created)$'
expect_eq "State.Running" "$(insp lc .State.Running)" false
t_end

t_begin "lifecycle: init, status created"
out=$(nk init lc 2>&1)
expect_status "init" $? 0 "$out"
s=$(cstatus lc)
# nook: created; podman: "initialized".  Either way a step on from create.
expect_match "status after init" "$s" '^(created|initialized)$'
expect_ne "status after init vs after create" "$s" "$S_CREATE"
pid=$(insp lc .State.Pid)
pid_alive "$pid" || t_why "State.Pid '$pid' is not a live process after init"
nk logs lc 2>&1 | grep -q ready && t_why "the process ran before start"
t_end

t_begin "lifecycle: start, status running"
out=$(nk start lc 2>&1)
expect_status "start" $? 0 "$out"
expect_eq "status" "$(cstatus lc)" running
expect_eq "State.Running" "$(insp lc .State.Running)" true
wait_logs lc '^ready$' || t_why "no 'ready' in logs: $(nk logs lc 2>&1)"
pid=$(insp lc .State.Pid)
pid_alive "$pid" || t_why "State.Pid '$pid' is not a live process"
t_end

t_begin "lifecycle: ps -a shows it running"
out=$(nk ps -a 2>&1)
expect_status "ps -a" $? 0 "$out"
expect_match "ps -a" "$out" "^$(printf '%s' "$ID" | cut -c1-12) .* lc$"
expect_imatch "ps -a status column" "$out" ' up '
t_end

t_begin "lifecycle: ps -q and ps --no-trunc -q"
out=$(nk ps -q 2>&1)
expect_status "ps -q" $? 0 "$out"
expect_eq "ps -q" "$out" "$(printf '%s' "$ID" | cut -c1-12)"
out=$(nk ps -q --no-trunc 2>&1)
expect_eq "ps -q --no-trunc" "$out" "$ID"
t_end

t_begin "lifecycle: ps --format json"
out=$(nk ps --format json 2>&1)
expect_status "ps --format json" $? 0 "$out"
expect_eq "json .[].Id" "$(printf '%s' "$out" | jq -r '.[].Id' 2>&1)" "$ID"
expect_eq "json .[].Names" "$(printf '%s' "$out" | jq -r '.[].Names[]' 2>&1)" lc
expect_eq "json .[].State" "$(printf '%s' "$out" | jq -r '.[].State' 2>&1)" running
expect_eq "json .[].Pid" "$(printf '%s' "$out" | jq -r '.[].Pid' 2>&1)" "$(insp lc .State.Pid)"
expect_eq "json .[].Command" "$(printf '%s' "$out" | jq -c '.[].Command' 2>&1)" '["/bin/nook-test","sleep","inf"]'
t_end

t_begin "lifecycle: ps --format '{{.Names}}' and {{.ID}}"
out=$(nk ps --format '{{.Names}}' 2>&1)
expect_status "ps --format" $? 0 "$out"
expect_eq "{{.Names}}" "$out" lc
out=$(nk ps --format '{{.ID}} {{.Names}}' 2>&1)
expect_eq "{{.ID}} {{.Names}}" "$out" "$(printf '%s' "$ID" | cut -c1-12) lc"
t_end

t_begin "lifecycle: stop, status exited, code 128+15"
out=$(nk stop lc 2>&1)
expect_status "stop" $? 0 "$out"
wait_status lc exited 5 || t_why "status '$(cstatus lc)' after stop, want exited"
expect_eq "ExitCode" "$(insp lc .State.ExitCode)" 143
expect_eq "State.Running" "$(insp lc .State.Running)" false
t_end

t_begin "lifecycle: ps without -a hides it, ps -a shows Exited"
expect_eq "ps -q" "$(nk ps -q 2>&1)" ""
out=$(nk ps -a 2>&1)
expect_match "ps -a" "$out" '[Ee]xited \(143\).* lc$'
expect_eq "json State" "$(nk ps -a --format json 2>/dev/null | jq -r '.[].State')" exited
expect_eq "json ExitCode" "$(nk ps -a --format json 2>/dev/null | jq -r '.[].ExitCode')" 143
t_end

t_begin "lifecycle: start again after exit"
out=$(nk start lc 2>&1)
expect_status "start" $? 0 "$out"
expect_eq "status" "$(cstatus lc)" running
pid1=$(insp lc .State.Pid)
pid_alive "$pid1" || t_why "State.Pid '$pid1' is not a live process"
t_end

t_begin "lifecycle: restart a running container gives a new process"
out=$(nk restart lc 2>&1)
expect_status "restart" $? 0 "$out"
expect_eq "status" "$(cstatus lc)" running
pid2=$(insp lc .State.Pid)
pid_alive "$pid2" || t_why "State.Pid '$pid2' is not a live process"
expect_ne "pid after restart" "$pid2" "$pid1"
pid_alive "$pid1" && t_why "old process $pid1 still alive"
t_end

t_begin "lifecycle: restart an exited container starts it"
nk stop lc >/dev/null 2>&1
wait_status lc exited 5 || t_why "status '$(cstatus lc)' after stop"
out=$(nk restart lc 2>&1)
expect_status "restart" $? 0 "$out"
expect_eq "status" "$(cstatus lc)" running
t_end

t_begin "lifecycle: ps --filter name= and status="
run_sleeper other || t_why "second container: $RUN_OUT"
nk_create --name fresh --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1 || t_why "create fresh failed"
nk_run --name finished --rootfs "$ROOTFS" /bin/nook-test true >/dev/null 2>&1 || t_why "run finished failed"
wait_status finished exited 5
out=$(nk ps -a --filter name=other --format '{{.Names}}' 2>&1)
expect_eq "--filter name=other" "$out" other
out=$(nk ps -a --filter status=exited --format '{{.Names}}' 2>&1)
expect_eq "--filter status=exited" "$out" finished
out=$(nk ps --filter status=running --format '{{.Names}}' 2>&1 | sort | tr '\n' ' ')
expect_eq "--filter status=running" "$out" "lc other "
out=$(nk ps -a --format '{{.Names}}' 2>&1 | sort | tr '\n' ' ')
expect_eq "ps -a names" "$out" "finished fresh lc other "
out=$(nk ps --format '{{.Names}}' 2>&1 | sort | tr '\n' ' ')
expect_eq "ps names" "$out" "lc other "
t_end

t_begin "lifecycle: rm an exited container, then it is gone"
nk stop lc >/dev/null 2>&1
wait_status lc exited 5 || t_why "status '$(cstatus lc)' after stop"
out=$(nk rm lc 2>&1)
expect_status "rm" $? 0 "$out"
out=$(nk inspect lc 2>&1)
expect_status "inspect after rm" $? 125 "$out"
expect_nomatch "ps -a after rm" "$(nk ps -a --format '{{.Names}}' 2>&1)" '^lc$'
t_end

t_begin "lifecycle: rm a created container"
out=$(nk rm fresh 2>&1)
expect_status "rm" $? 0 "$out"
nk inspect fresh >/dev/null 2>&1 && t_why "inspect still works"
t_end

exit $T_RC
