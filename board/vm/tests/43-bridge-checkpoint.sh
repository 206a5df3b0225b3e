#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A container on the default bridge network with a published port, in the
# VM (its own kernel: the dev hosts' network must not be touched): the
# port answers, and answers again after a checkpoint and a restore (the
# restored tree gets a new network namespace, set up again with the same
# lease and the port's DNAT).  Traffic goes only to addresses inside the
# VM.  Results: ok/not ok - vm: bridge: NAME (TAP; skips: ok - ... # SKIP WHY).

NOOK=${NOOK:-/nook/nook}
ROOTFS=${ROOTFS:-/rootfs}
W=/tmp/vmbr
PATH=/usr/sbin:$PATH
export PATH

if ! command -v nft >/dev/null 2>&1; then
	echo "ok - vm: bridge: all # SKIP nft not installed on the host (apt-get install nftables)"
	exit 0
fi
rm -rf "$W" && mkdir -p "$W"
nk() {
	timeout -s KILL 60 "$NOOK" --root "$W/root" --runroot "$W/run" "$@"
}
cleanup() {
	nk rm -f web >/dev/null 2>&1
}
trap cleanup EXIT
WHY=
why() {
	WHY="${WHY:+$WHY; }$(printf '%s' "$1" | tr '\n' ' ' | cut -c1-300)"
}
get() { # URL: the page, or nothing (3 s; busybox wget's own -T crashes)
	timeout 3 wget -q -O - "$1" 2>/dev/null
}
# until URL answers (10 s)
wait_page() {
	i=0
	while [ $i -lt 50 ]; do
		[ -n "$(get "$1")" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

cp -a "$ROOTFS" "$W/rootfs"
mkdir -p "$W/rootfs/www" && echo hello-from-nook >"$W/rootfs/www/index.html"
# httpd on the published port, a second one on the container's own
# address only (a socket that a restore can bind only if the address is
# there first), nc listening for a connection from outside.
out=$(nk run -d --name web -p 8080:80 --rootfs "$W/rootfs" sh -c '
	a=$(ip -4 addr show eth0 | sed -n "s/.*inet \([0-9.]*\).*/\1/p")
	httpd -p "$a:81" -h /www
	sleep 100000 | nc -l -p 5000 >/tmp/got &
	exec httpd -f -p 80 -h /www' 2>&1) ||
	why "run: $out"
ip=$(nk inspect --format '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)
case $ip in 10.*) ;; *) why "no address: '$ip'" ;; esac
wait_page "http://$ip/" || why "the container's address does not answer"
expect() { # WHAT URL
	got=$(get "$2")
	[ "$got" = hello-from-nook ] || why "$1: got '$got'"
}
expect "the container's address" "http://$ip/"
expect "the published port on 127.0.0.1" "http://127.0.0.1:8080/"
expect "the server bound to the container's address" "http://$ip:81/"
if [ -z "$WHY" ]; then
	echo "ok - vm: bridge: a published port answers on the default bridge network"
else
	echo "not ok - vm: bridge: a published port answers on the default bridge network: $WHY"
fi

if ! command -v criu >/dev/null 2>&1; then
	echo "ok - vm: bridge: checkpoint # SKIP criu not installed on the host (apt-get install criu)"
	exit 0
fi
WHY=
mac=$(nk inspect --format '{{.NetworkSettings.MacAddress}}' web 2>/dev/null)
# a connection from the VM to the container's own address, kept sending
i=0
while [ $i -lt 50 ] && ! nk exec web sh -c 'netstat -ltn | grep -q ":5000 "'; do
	sleep 0.2
	i=$((i + 1))
done
(n=0; while :; do n=$((n + 1)); echo $n; sleep 0.2; done) | nc "$ip" 5000 &
NCPID=$!
sleep 2
got() { nk exec web tail -n 1 /tmp/got 2>/dev/null; }
b=$(got)
[ -n "$b" ] || why "nothing came through the connection before the checkpoint"
out=$(nk checkpoint --tcp-established web 2>&1) || why "checkpoint: $out"
[ -n "$(get "http://127.0.0.1:8080/")" ] && why "the port still answers after the checkpoint"
out=$(nk restore --tcp-established web 2>&1) || why "restore: $out"
wait_page "http://127.0.0.1:8080/" || why "the port does not answer after the restore"
sleep 3
a=$(got)
[ -n "$a" ] && [ "$a" -gt "$b" ] 2>/dev/null ||
	why "the connection from outside carried nothing after the restore: '$a' after '$b'"
kill "$NCPID" 2>/dev/null
expect "the published port after restore" "http://127.0.0.1:8080/"
expect "the same address after restore" "http://$ip/"
expect "the server bound to the address after restore" "http://$ip:81/"
[ "$(nk inspect --format '{{.NetworkSettings.IPAddress}}' web 2>/dev/null)" = "$ip" ] ||
	why "the address changed"
[ "$(nk inspect --format '{{.NetworkSettings.MacAddress}}' web 2>/dev/null)" = "$mac" ] ||
	why "the MAC changed"
if [ -z "$WHY" ]; then
	echo "ok - vm: bridge: checkpoint and restore: the port answers again, same address and MAC, a connection from outside goes on"
else
	echo "not ok - vm: bridge: checkpoint and restore: the port answers again, same address and MAC, a connection from outside goes on: $WHY"
fi

WHY=
out=$(nk checkpoint --export "$W/web.tar" web 2>&1) || why "checkpoint --export: $out"
out=$(nk rm web 2>&1) || why "rm: $out"
id2=$(nk restore --import "$W/web.tar" --name web2 2>&1) || why "restore --import: $id2"
wait_page "http://127.0.0.1:8080/" || why "the port does not answer after the import"
expect "the published port of the import" "http://127.0.0.1:8080/"
ip2=$(nk inspect --format '{{.NetworkSettings.IPAddress}}' web2 2>/dev/null)
case $ip2 in 10.*) expect "the import's address" "http://$ip2/" ;; *) why "the import has no address: '$ip2'" ;; esac
mac2=$(nk inspect --format '{{.NetworkSettings.MacAddress}}' web2 2>/dev/null)
[ -n "$mac2" ] && [ "$mac2" != "$mac" ] || why "the import's MAC '$mac2' (the old one: $mac)"
nk rm -f web2 >/dev/null 2>&1
[ -z "$(get "http://127.0.0.1:8080/")" ] || why "the port still answers after rm"
if [ -z "$WHY" ]; then
	echo "ok - vm: bridge: export, rm, import: a new lease, the port answers again"
else
	echo "not ok - vm: bridge: export, rm, import: a new lease, the port answers again: $WHY"
fi
