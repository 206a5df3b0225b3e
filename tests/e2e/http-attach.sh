#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# http_attach (engine/LIFECYCLE.md) through `system service`: POST
# /containers/NAME/attach over the unix socket, with curl --unix-socket.
# The log replay of an exited container, the live stream of a running one
# (docker's 8-byte frame headers, checked byte for byte), stdout apart
# from stderr, a tty container's raw bytes, stdin forwarded, the errors
# (400 without logs and stream, 404, 409), /_ping, /version, the idle exit
# (--time) that removes the socket, SIGTERM, a stale socket, and no
# process left behind.  Runs against podman too (NOOK=podman): the checks
# where nook differs on purpose are marked nook-specific.
. "$(dirname "$0")/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
	skip "$T_NAME" "needs curl"
	exit 0
fi

SOCK=$T_DIR/api.sock
SVC=

# svc_start SOCKET SECONDS: `system service --time SECONDS unix://SOCKET` in
# the background (not under nk's timeout: it would SIGKILL it); SVC_PID.
# Status 1 if the socket does not appear within 5 s.
svc_start() {
	$NOOK $T_GLOBAL system service --time "$2" "unix://$1" 2>"$T_DIR/svc.err" &
	SVC_PID=$!
	track_pid "$SVC_PID"
	wait_for 5 test -S "$1"
}

# api METHOD PATH [CURL-ARGS...]: the request on $SOCK; the headers in
# $T_DIR/h, the body in $T_DIR/b; prints the status code.
api() {
	_m=$1
	_p=$2
	shift 2
	rm -f "$T_DIR/h" "$T_DIR/b"
	curl -s -m 15 -X "$_m" -D "$T_DIR/h" -o "$T_DIR/b" -w '%{http_code}' "$@" \
		--unix-socket "$SOCK" "http://d$_p"
}

# hdr NAME: the value of a response header in $T_DIR/h (the last response)
hdr() {
	tr -d '\r' <"$T_DIR/h" | awk -v n="$1" 'BEGIN { n = tolower(n) }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) v = substr($0, i + 2) }
		END { print v }'
}

# demux FILE: docker's multiplexed stream, checked frame by frame; prints
# "out TEXT" and "err TEXT" (each stream's bytes joined, newlines as \n),
# or "bad: ..." for a malformed frame or trailing bytes.
demux() {
	od -An -v -tu1 "$1" | awk '
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		END {
			o = ""; e = ""
			for (i = 0; i < n;) {
				if (i + 8 > n) { print "bad: a header cut at byte " i; exit }
				if ((b[i] != 1 && b[i] != 2) || b[i + 1] || b[i + 2] || b[i + 3]) {
					print "bad: header at byte " i ": " b[i] " " b[i + 1] " " b[i + 2] " " b[i + 3]
					exit
				}
				len = ((b[i + 4] * 256 + b[i + 5]) * 256 + b[i + 6]) * 256 + b[i + 7]
				if (i + 8 + len > n) { print "bad: frame at byte " i " longer than the rest"; exit }
				t = ""
				for (j = i + 8; j < i + 8 + len; j++)
					t = t (b[j] == 10 ? "\\n" : sprintf("%c", b[j]))
				if (b[i] == 1) o = o t; else e = e t
				i += 8 + len
			}
			print "out " o
			print "err " e
		}'
}

# hexbody: the body's bytes as "01 00 ..."
hexbody() {
	od -An -v -tx1 "$T_DIR/b" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# attach_bg NAME QUERY [CURL-ARGS...]: an attach in the background, its
# headers in $T_DIR/bh and body in $T_DIR/bb; BG_PID.
attach_bg() {
	_n=$1
	_q=$2
	shift 2
	rm -f "$T_DIR/bh" "$T_DIR/bb" "$T_DIR/brc"
	{
		curl -s -N -m 15 -X POST -D "$T_DIR/bh" -o "$T_DIR/bb" "$@" \
			--unix-socket "$SOCK" "http://d/containers/$_n/attach?$_q"
		echo $? >"$T_DIR/brc"
	} &
	BG_PID=$!
	track_pid "$BG_PID"
}

# ping_ok: GET /_ping on $SOCK answers 200
ping_ok() {
	[ "$(api GET /_ping)" = 200 ]
}

# not_alive PID: gone or a zombie
not_alive() {
	! pid_alive "$1"
}

# no_children PID
no_children() {
	[ -z "$(children "$1")" ]
}

# created NAME ARGS...: a container in state created (create + init), so an
# attach is in place before it starts (docker's create, attach, start).
created() {
	_n=$1
	shift
	nk_create --name "$_n" "$@" >/dev/null 2>"$T_DIR/e" && nk init "$_n" >/dev/null 2>>"$T_DIR/e"
}

t_begin "http-attach: system service listens, GET /_ping and /version"
if svc_start "$SOCK" 60; then
	SVC=$SVC_PID
	code=$(api GET /_ping)
	expect_eq "/_ping status" "$code" 200
	expect_eq "/_ping body" "$(cat "$T_DIR/b")" OK
	code=$(api GET /v1.41/_ping)
	expect_eq "/v1.41/_ping status" "$code" 200
	code=$(api GET /version)
	expect_eq "/version status" "$code" 200
	expect_match "/version ApiVersion" "$(jq -r .ApiVersion "$T_DIR/b" 2>&1)" '^1\.[0-9]+$'
	expect_match "/version Version" "$(jq -r .Version "$T_DIR/b" 2>&1)" '^[0-9]+\.[0-9]+'
else
	t_why "no socket $SOCK after 5 s: $(oneline "$(cat "$T_DIR/svc.err")")"
fi
t_end
if [ -z "$SVC" ]; then
	exit 1
fi

t_begin "http-attach: logs=1&stream=0 replays an exited container's log, by stream"
out=$(nk_run --name ex --rootfs "$ROOTFS" /bin/sh -c \
	'echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2' 2>&1)
expect_status "run" $? 0 "$out"
for p in /v4.0.0/libpod/containers/ex/attach /v1.41/containers/ex/attach /containers/ex/attach; do
	code=$(api POST "$p?logs=1&stream=0&stdout=1&stderr=1")
	expect_eq "$p: status" "$code" 200
	expect_match "$p: Content-Type" "$(hdr Content-Type)" '^application/vnd\.docker\.(multiplexed|raw)-stream$'
	[ "$T_PODMAN" = 1 ] && continue # see below
	d=$(demux "$T_DIR/b")
	expect_eq "$p: stdout" "$(field out "$d")" 'out-1\nout-2\n'
	expect_eq "$p: stderr" "$(field err "$d")" 'err-1\nerr-2\n'
	expect_nomatch "$p: frames" "$d" '^bad'
done
t_end

t_begin "http-attach: stdout=1&stderr=0 and stdout=false&stderr=true pick one stream"
if [ "$T_PODMAN" = 1 ]; then
	# nook-specific: podman 4.3 frames each replayed log line with a
	# length one byte short (without its newline)
	skip_podman "http-attach: replay frames" "4.3 gives replayed lines a length without their newline"
else
	code=$(api POST "/containers/ex/attach?logs=1&stream=0&stdout=1&stderr=0")
	expect_eq "stdout only: status" "$code" 200
	d=$(demux "$T_DIR/b")
	expect_eq "stdout only: stdout" "$(field out "$d")" 'out-1\nout-2\n'
	expect_eq "stdout only: stderr" "$(field err "$d")" ''
	code=$(api POST "/containers/ex/attach?logs=true&stream=false&stdout=false&stderr=true")
	expect_eq "stderr only: status" "$code" 200
	d=$(demux "$T_DIR/b")
	expect_eq "stderr only: stdout" "$(field out "$d")" ''
	expect_eq "stderr only: stderr" "$(field err "$d")" 'err-1\nerr-2\n'
	t_end
fi

t_begin "http-attach: stream=1 relays a running container's output, framed, until it exits"
if created live --rootfs "$ROOTFS" /bin/sh -c \
	'sleep 1; echo out; sleep 0.3; echo err >&2; sleep 0.3; echo out2'; then
	attach_bg live "stream=1&stdout=1&stderr=1"
	wait_for 5 test -s "$T_DIR/bh" || t_why "no response headers within 5 s"
	out=$(nk start live 2>&1)
	expect_status "start" $? 0 "$out"
	wait_for 10 test -s "$T_DIR/brc" || t_why "the stream did not end within 10 s of the exit"
	expect_eq "curl status" "$(cat "$T_DIR/brc" 2>/dev/null)" 0
	expect_match "status line" "$(head -n 1 "$T_DIR/bh" | tr -d '\r')" '^HTTP/1\.1 200 '
	cp "$T_DIR/bb" "$T_DIR/b" 2>/dev/null
	# 1 = stdout, 0 0 0, big-endian length 4, "out\n"; 2 = stderr ...
	expect_eq "bytes" "$(hexbody)" \
		"01 00 00 00 00 00 00 04 6f 75 74 0a 02 00 00 00 00 00 00 04 65 72 72 0a 01 00 00 00 00 00 00 05 6f 75 74 32 0a"
else
	t_why "create/init: $(oneline "$(cat "$T_DIR/e")")"
fi
t_end

t_begin "http-attach: Upgrade: tcp gets 101 UPGRADED and the same stream"
if created up --rootfs "$ROOTFS" /bin/sh -c 'sleep 1; echo up-out; echo up-err >&2'; then
	attach_bg up "stream=1&stdout=1&stderr=1&logs=1" -H 'Connection: Upgrade' -H 'Upgrade: tcp'
	wait_for 5 test -s "$T_DIR/bh" || t_why "no response headers within 5 s"
	nk start up >/dev/null 2>&1
	wait_for 10 test -s "$T_DIR/brc" || t_why "the stream did not end within 10 s"
	cp "$T_DIR/bh" "$T_DIR/h" 2>/dev/null
	expect_match "status line" "$(head -n 1 "$T_DIR/h" | tr -d '\r')" '^HTTP/1\.1 101 '
	expect_eq "Upgrade" "$(hdr Upgrade)" tcp
	expect_eq "Connection" "$(hdr Connection)" Upgrade
	d=$(demux "$T_DIR/bb")
	expect_eq "stdout" "$(field out "$d")" 'up-out\n'
	expect_eq "stderr" "$(field err "$d")" 'up-err\n'
else
	t_why "create/init: $(oneline "$(cat "$T_DIR/e")")"
fi
t_end

t_begin "http-attach: a tty container's output comes raw, without frame headers"
if created tty -t --rootfs "$ROOTFS" /bin/sh -c 'sleep 1; echo tty-out; echo tty-err >&2'; then
	attach_bg tty "stream=1&stdout=1&stderr=1"
	wait_for 5 test -s "$T_DIR/bh" || t_why "no response headers within 5 s"
	nk start tty >/dev/null 2>&1
	wait_for 10 test -s "$T_DIR/brc" || t_why "the stream did not end within 10 s"
	expect_eq "body" "$(tr -d '\r' <"$T_DIR/bb")" "tty-out
tty-err"
	cp "$T_DIR/bh" "$T_DIR/h" 2>/dev/null
	expect_match "Content-Type" "$(hdr Content-Type)" '^application/vnd\.docker\.raw-stream$'
else
	t_why "create/init: $(oneline "$(cat "$T_DIR/e")")"
fi
t_end

t_begin "http-attach: stdin=1 forwards the request body to the container's stdin"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "http-attach: stdin" "4.3 drops a request body sent before the hijack (curl cannot send after it)"
else
	# curl sends its body and then waits for the answer: the body is the
	# first stdin of the hijacked connection.  `cat` echoes it back.
	out=$(nk_run -d -i --name cat --rootfs "$ROOTFS" /bin/cat 2>&1)
	expect_status "run -d -i cat" $? 0 "$out"
	printf 'hello-stdin\n' >"$T_DIR/in"
	attach_bg cat "stream=1&stdin=1&stdout=1&stderr=1" --data-binary "@$T_DIR/in"
	if wait_for 10 grep -qs hello-stdin "$T_DIR/bb"; then
		d=$(demux "$T_DIR/bb")
		expect_eq "echoed" "$(field out "$d")" 'hello-stdin\n'
	else
		t_why "cat did not echo within 10 s: $(oneline "$(od -c "$T_DIR/bb" 2>&1 | head -n 3)")"
	fi
	nk kill cat >/dev/null 2>&1
	wait_for 10 test -s "$T_DIR/brc" || t_why "the stream did not end within 10 s of the kill"
	t_end
fi

t_begin "http-attach: neither logs nor stream is 400 with a JSON message"
code=$(api POST "/containers/ex/attach?logs=0&stream=0")
expect_eq "status" "$code" 400
expect_eq "response" "$(jq -r .response "$T_DIR/b" 2>&1)" 400
expect_imatch "message" "$(jq -r .message "$T_DIR/b" 2>&1)" 'logs.*stream'
code=$(api POST "/containers/no-such-ctr/attach?logs=false&stream=false")
expect_eq "status (no such container too)" "$code" 400
code=$(api POST "/containers/ex/attach?logs=maybe&stream=0")
expect_eq "logs=maybe: status" "$code" 400
t_end

t_begin "http-attach: an unknown container is 404 naming it"
code=$(api POST "/v1.41/containers/no-such-ctr/attach?logs=1&stream=1")
expect_eq "status" "$code" 404
expect_eq "response" "$(jq -r .response "$T_DIR/b" 2>&1)" 404
expect_match "message" "$(jq -r .message "$T_DIR/b" 2>&1)" 'no-such-ctr'
t_end

t_begin "http-attach: stream=1 to an exited container is 409 (nook-specific)"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "http-attach: 409" "re-initialises an exited container to attach to it"
else
	code=$(api POST "/containers/ex/attach?stream=1")
	expect_eq "status" "$code" 409
	expect_eq "response" "$(jq -r .response "$T_DIR/b" 2>&1)" 409
	expect_match "message" "$(jq -r .message "$T_DIR/b" 2>&1)" 'ex.*exited'
	t_end
fi

t_begin "http-attach: unknown endpoints are 404, malformed requests 400"
code=$(api GET /v1.41/no/such/thing)
expect_eq "GET /v1.41/no/such/thing" "$code" 404
code=$(api GET /containers/ex/attach?logs=1)
expect_status "GET .../attach (not POST)" "$code" '404|405'
# "GE T /_ping HTTP/1.1": the target is "T", not a path
code=$(api 'GE T' /_ping)
expect_eq "malformed request line" "$code" 400
t_end

t_begin "http-attach: each attach appends an attach event"
n=$(nk events --since 5m --until 1s --format json --filter container=ex 2>/dev/null |
	jq -r "$EV_STATUS" 2>/dev/null | grep -c '^attach$')
[ "${n:-0}" -ge 1 ] || t_why "no attach event for ex (got $n)"
n=$(nk events --since 5m --until 1s --format json --filter container=live 2>/dev/null |
	jq -r "$EV_STATUS" 2>/dev/null | grep -c '^attach$')
[ "${n:-0}" -ge 1 ] || t_why "no attach event for live (got $n)"
t_end

t_begin "http-attach: nothing left: no child of the service once the attaches ended"
# a client that goes away while the container runs on
if run_sleeper sleeper; then
	curl -s -N -m 1 -X POST -o /dev/null --unix-socket "$SOCK" \
		"http://d/containers/sleeper/attach?stream=1&stdout=1&stderr=1"
	expect_status "curl -m 1 on a running container" $? 28
else
	t_why "sleeper: $(oneline "$RUN_OUT")"
fi
wait_for 5 no_children "$SVC" ||
	t_why "children of the service: $(oneline "$(children "$SVC")")"
t_end

t_begin "http-attach: SIGTERM ends the service and removes its socket"
kill -TERM "$SVC" 2>/dev/null
if wait_for 5 not_alive "$SVC"; then
	wait "$SVC" 2>/dev/null
	[ -e "$SOCK" ] && t_why "$SOCK is still there"
else
	t_why "still running 5 s after SIGTERM"
fi
t_end

t_begin "http-attach: --time 1 exits after 1 s idle, removes its socket"
if svc_start "$T_DIR/idle.sock" 1; then
	if wait_for 6 not_alive "$SVC_PID"; then
		wait "$SVC_PID"
		expect_status "exit status" $? 0 "$(cat "$T_DIR/svc.err")"
		[ -e "$T_DIR/idle.sock" ] && t_why "$T_DIR/idle.sock is still there"
	else
		t_why "still running 6 s later"
	fi
else
	t_why "no socket: $(oneline "$(cat "$T_DIR/svc.err")")"
fi
t_end

t_begin "http-attach: a stale socket is replaced; a file that is not a socket is not (nook-specific)"
if svc_start "$T_DIR/stale.sock" 0; then
	kill -KILL "$SVC_PID"
	wait "$SVC_PID" 2>/dev/null
	[ -S "$T_DIR/stale.sock" ] || t_why "SIGKILL left no socket to test with"
	if svc_start "$T_DIR/stale.sock" 0; then
		SOCK=$T_DIR/stale.sock
		# the old socket file is there at once: wait for the new service
		wait_for 5 ping_ok || t_why "/_ping on the new service: status $(api GET /_ping)"
		kill -TERM "$SVC_PID"
		wait "$SVC_PID" 2>/dev/null
	else
		t_why "a stale socket stopped the service: $(oneline "$(cat "$T_DIR/svc.err")")"
	fi
else
	t_why "no socket: $(oneline "$(cat "$T_DIR/svc.err")")"
fi
if [ "$T_PODMAN" != 1 ]; then
	echo keep >"$T_DIR/file.sock"
	out=$($T_TIMEOUT_CMD $NOOK $T_GLOBAL system service --time 1 "unix://$T_DIR/file.sock" 2>&1)
	expect_status "on a regular file" $? 125 "$out"
	expect_match "the error names the path" "$out" "file\.sock.*not a socket"
	expect_eq "the file is kept" "$(cat "$T_DIR/file.sock")" keep
	out=$($T_TIMEOUT_CMD $NOOK $T_GLOBAL system service --time x 2>&1)
	expect_status "--time x" $? 125 "$out"
	expect_match "--time x: the error names it" "$out" '--time'
fi
t_end

exit $T_RC
