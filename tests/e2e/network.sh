#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bridge networking with real traffic, all of it inside network namespaces
# this script makes; the host's own interfaces, routes and ruleset are never
# touched.  The topology:
#
#   LAN client netns  eth0 192.0.2.2/24 --veth-- nkt-lan 192.0.2.1/24
#                                                  "router" netns: nook runs
#                                                  here (nsenter --net), its
#                                                  bridges, veths, nft table
#   WAN netns         eth0 198.51.100.2/24 --veth-- nkt-wan 198.51.100.1/24
#
# The router's default route points at the WAN netns, which has no route back
# to the container subnets: outbound traffic arrives there only when nook
# masquerades it.  nook runs as `nsenter --net=/run/netns/ROUTER nook ...`
# (not `ip netns exec`, which would give every call a mount namespace of its
# own: the overlay and bind mounts must stay in the host's).  Traffic is made
# by the test payload (`nook-test serve|connect tcp|udp`, static, in the
# containers and on the netns side alike); the server answers "from PEER-IP
# DATA", so each check also sees the source address that arrived.
#
# Covered: --network none (lo up), host, bridge (the default network nook,
# nook0, 10.88.0.0/16), NAME, ns:PATH, container:NAME; container to
# container by IP and by name on a user network (and /etc/hosts kept
# current), to the gateway, outbound masqueraded to the WAN, a LAN client to
# published TCP and UDP ports (ranges, -P), the host to 127.0.0.1; --internal
# has no way out; two networks isolated; network create|ls|inspect|exists|
# connect|disconnect|rm|prune; /etc/hosts, /etc/resolv.conf, --dns*,
# --add-host, --hostname; fixed --ip/--mac-address kept across restart and
# across a simulated reboot (new boot id, the router's links and nft tables
# deleted) + system refresh; leases released by rm, rm -f, rm after the
# monitor's SIGKILL; bad input (taken or foreign --ip, a published port, a
# port held by a host process, an overlapping --subnet, rm of a network in
# use, no nft in PATH) with nothing left behind; the default subnet avoiding
# the host's routes; no leftovers at the end (links, ruleset, leases).
#
# nook-specific (podman here uses CNI and is not validated by this script).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.inc" # nook's own default network, mkns
netns_need network "the script checks nook's bridge (podman here uses CNI)"

RNS=nkt-router-$$
LNS=nkt-lan-$$
WNS=nkt-wan-$$
XNS=nkt-ns-$$
R2NS=nkt-r2-$$
PAY=$T_PAYLOAD
NETS=$T_DIR/root/networks
NETS_RUN=$T_DIR/run/networks # the leases of --rm containers
GONE_IDS=$T_DIR/ids

# in NS CMD...: CMD in netns NS (and in the host's mount namespace)
in_ns() {
	_ns=$1
	shift
	$T_TIMEOUT_CMD "$NSENTER" --net="/run/netns/$_ns" "$@"
}
rx() { in_ns "$RNS" "$@"; }

if ! mkns "$RNS" || ! mkns "$LNS" || ! mkns "$WNS"; then
	skip "network: all" "optional: cannot make network namespaces here (ip netns add)"
	exit $T_RC
fi
setup_out=$({
	ip link add nkt-lan netns "$RNS" type veth peer name eth0 netns "$LNS" &&
		ip link add nkt-wan netns "$RNS" type veth peer name eth0 netns "$WNS" &&
		ip -n "$RNS" addr add 192.0.2.1/24 dev nkt-lan &&
		ip -n "$RNS" addr add 198.51.100.1/24 dev nkt-wan &&
		ip -n "$LNS" addr add 192.0.2.2/24 dev eth0 &&
		ip -n "$WNS" addr add 198.51.100.2/24 dev eth0 &&
		ip -n "$RNS" link set nkt-lan up && ip -n "$RNS" link set nkt-wan up &&
		ip -n "$LNS" link set eth0 up && ip -n "$WNS" link set eth0 up &&
		ip -n "$LNS" route add default via 192.0.2.1 &&
		ip -n "$RNS" route add default via 198.51.100.2 &&
		# nook has to turn forwarding on itself
		rx sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
} 2>&1)
if [ $? != 0 ]; then
	fail "network: setup" "the test's netns and veths: $setup_out"
	exit $T_RC
fi
# From here on every engine call runs in the router netns.
NOOK="$NSENTER --net=/run/netns/$RNS $NK_BIN"
HAVE_NFT=0
command -v nft >/dev/null 2>&1 && HAVE_NFT=1

# ---- observations ----------------------------------------------------------

links() { # the router's links, names only
	ip -n "$RNS" -o link show 2>&1 | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
}
ruleset() { # the router's nft ruleset, counters left out
	if [ "$HAVE_NFT" = 1 ]; then
		rx nft list ruleset 2>&1 | sed 's/counter packets [0-9]* bytes [0-9]*/counter/'
	fi
}
leases() { # every file under the store's networks/ (root, runroot), with its content
	find "$NETS" "$NETS_RUN" -type f 2>/dev/null | sort | while read -r _f; do
		echo "== ${_f#"$T_DIR"/}"
		cat "$_f"
	done
}
# settle CMD WANT: wait (3 s at most) until CMD prints WANT.  A container's
# veths go with its network namespace, which the kernel takes down by
# itself a moment after the container's processes.
settle() {
	_i=0
	while [ "$_i" -lt 30 ] && [ "$($1)" != "$2" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}
snap() {
	echo "-- links"
	links
	echo "-- ruleset"
	ruleset
	echo "-- leases"
	leases
	echo "-- containers"
	nk ps -a -q 2>&1
	echo "-- networks"
	nk network ls -q 2>&1 | sort
}
# expect_same WHAT BEFORE: snap now equals BEFORE (what changed, if not)
expect_same() {
	settle snap "$2"
	_now=$(snap)
	if [ "$_now" != "$2" ]; then
		_d=$(printf '%s\n' "$2" >"$T_DIR/snap.a"
			printf '%s\n' "$_now" >"$T_DIR/snap.b"
			diff "$T_DIR/snap.a" "$T_DIR/snap.b" | grep '^[<>]')
		t_why "$1: left behind or changed: $(oneline "$_d")"
	fi
}
one_line() {
	[ "$(printf '%s\n' "$2" | wc -l)" = 1 ] || t_why "$1: not one line: '$(oneline "$2")'"
}
# expect_error WHAT STATUS OUTPUT ERE: refused (non-zero), one line, naming ERE
expect_error() {
	[ "$2" != 0 ] || t_why "$1: succeeded, want an error"
	one_line "$1" "$3"
	expect_match "$1: the message" "$3" "$4"
}

# remember NAME: its id goes to the list of ids no lease may name at the end
remember() {
	_i=$(cid "$1")
	[ -n "$_i" ] && echo "$_i" >>"$GONE_IDS"
}

# srv_ns NS TAG PROTO [IP:]PORT: a payload server in NS (background, killed by
# the trap); returns when it listens
srv_ns() {
	# not under $T_TIMEOUT_CMD: a server outlives one command's timeout
	# (its SIGTERM would orphan it), and the trap kills it by its tree
	timeout -s KILL 600 "$NSENTER" --net="/run/netns/$1" "$PAY" serve "$3" "$4" >"$T_DIR/srv.$2" 2>&1 &
	SRV_PID=$!
	track_pid $!
	wait_for 5 grep -qs '^listening' "$T_DIR/srv.$2"
}

# srv NAME RUN-OPTIONS... -- SERVE-ARGS...: a detached container running
# `nook-test serve SERVE-ARGS` ("tcp 80"; several, separated by "+", run
# side by side: "tcp 80 + udp 53") under a shell that ends on SIGTERM (a
# pid 1 without a handler would make stop and rm -f wait for the timeout);
# returns once every server listens.
srv() {
	_n=$1
	shift
	_opts=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_opts="$_opts $1"
		shift
	done
	shift
	_cmd=$(printf '%s\n' "$*" | sed 's|^|/bin/nook-test serve |; s| + | \& /bin/nook-test serve |g')
	_cmd="trap 'exit 143' TERM; $_cmd & wait"
	_want=$(printf '%s\n' "$*" | awk -F' \\+ ' '{ print NF }')
	# shellcheck disable=SC2086
	RUN_OUT=$(nk_run_nonet -d --name "$_n" $_opts --rootfs "$ROOTFS" /bin/sh -c "$_cmd" 2>&1) || return 1
	remember "$_n"
	_i=0
	while [ $_i -lt 50 ]; do
		[ "$(nk logs "$_n" 2>&1 | grep -c '^listening')" -ge "$_want" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	RUN_OUT="not listening: $(nk logs "$_n" 2>&1)"
	return 1
}

# cx CTR PROTO HOST PORT DATA [SECS]: the payload's client, exec'd in CTR
cx() {
	_c=$1
	shift
	nk exec "$_c" /bin/nook-test connect "$@" 2>&1
}
# hx NS PROTO HOST PORT DATA [SECS]: the payload's client in netns NS
hx() {
	_ns=$1
	shift
	in_ns "$_ns" "$PAY" connect "$@" 2>&1
}

ip_of() { # CONTAINER NETWORK
	insp "$1" ".NetworkSettings.Networks[\"$2\"].IPAddress // empty"
}
mac_of() {
	insp "$1" ".NetworkSettings.Networks[\"$2\"].MacAddress // empty"
}
# eth0 CONTAINER: "MAC IP/LEN" of eth0 as the container sees it
eth0() {
	nk exec "$1" /bin/sh -c 'cat /sys/class/net/eth0/address 2>/dev/null || ip -o link show eth0 | sed "s/.*ether \([^ ]*\).*/\1/"; ip -o -4 addr show eth0 | awk "{ print \$4 }"' 2>&1 | tr '\n' ' ' | sed 's/ $//'
}
netinsp() { # NETWORK JQ
	nk network inspect "$1" 2>/dev/null | jq -r "(if type == \"array\" then .[0] else . end) | $2" 2>/dev/null
}

MACRE='^[0-9a-f]{2}(:[0-9a-f]{2}){5}$'
HOST_LINKS0=$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep '^nook' | sort)
HOST_NOOKTABLES0=
[ "$HAVE_NFT" = 1 ] && HOST_NOOKTABLES0=$(nft list tables 2>/dev/null | grep -i nook)
LINKS0=$(links)
RULES0=$(ruleset)

# ---- modes that make no bridge ---------------------------------------------

t_begin "network: --network none has lo, up, and nothing else"
out=$(nk_run_nonet --rm --network none --rootfs "$ROOTFS" /bin/sh -c \
	'/bin/nook-test serve tcp 127.0.0.1:5000 1 >/dev/null & sleep 0.3; /bin/nook-test connect tcp 127.0.0.1 5000 lo-ok; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "' 2>&1)
expect_status "run" $? 0 "$out"
expect_match "a connection on 127.0.0.1 inside" "$out" '^from 127\.0\.0\.1 lo-ok$'
expect_eq "interfaces" "$(printf '%s\n' "$out" | grep -v '^from ')" lo
t_end

t_begin "network: --network host shares the router's stack"
out=$(nk_run_nonet --rm --network host --rootfs "$ROOTFS" /bin/cat /proc/net/dev 2>&1)
expect_status "run" $? 0 "$out"
expect_match "the router's LAN link" "$out" 'nkt-lan:'
expect_match "the router's WAN link" "$out" 'nkt-wan:'
t_end

t_begin "network: --network ns:PATH joins that netns and leaves it there"
# (a veth pair inside it: the dummy driver may be missing)
if mkns "$XNS" && ip -n "$XNS" link add nktdummy0 type veth peer name nktdummy1; then
	out=$(nk_run_nonet --rm --network "ns:/run/netns/$XNS" --rootfs "$ROOTFS" /bin/cat /proc/net/dev 2>&1)
	expect_status "run" $? 0 "$out"
	expect_match "the netns's dummy link" "$out" 'nktdummy0:'
	[ -e "/run/netns/$XNS" ] && ip -n "$XNS" link show nktdummy0 >/dev/null 2>&1 ||
		t_why "the netns or its link is gone after the container"
else
	t_why "cannot make netns $XNS with a dummy link"
fi
t_end

# ---- the default network -----------------------------------------------------

t_begin "network: the default network is bridge: nook, nook0, 10.88.0.0/16"
srv d1 -- tcp 80 || t_why "d1: $RUN_OUT"
d1ip=$(insp d1 '.NetworkSettings.IPAddress // empty')
expect_match "IPAddress" "$d1ip" '^10\.88\.[0-9]+\.[0-9]+$'
expect_eq "Gateway" "$(insp d1 .NetworkSettings.Gateway)" 10.88.0.1
expect_match "MacAddress" "$(insp d1 .NetworkSettings.MacAddress)" "$MACRE"
expect_eq "Networks.nook.IPAddress" "$(ip_of d1 nook)" "$d1ip"
expect_eq "Networks.nook.IPPrefixLen" "$(insp d1 '.NetworkSettings.Networks.nook.IPPrefixLen')" 16
expect_eq "Networks.nook.Gateway" "$(insp d1 '.NetworkSettings.Networks.nook.Gateway')" 10.88.0.1
expect_eq "Networks.nook.MacAddress" "$(mac_of d1 nook)" "$(insp d1 .NetworkSettings.MacAddress)"
expect_eq "eth0 inside" "$(eth0 d1)" "$(insp d1 .NetworkSettings.MacAddress) $d1ip/16"
j=$(nk network inspect nook 2>&1)
expect_status "network inspect nook" $? 0 "$j"
expect_eq "name, driver, interface" "$(printf '%s' "$j" | jq -r '.[0] | [.name, .driver, .network_interface] | join(" ")' 2>&1)" "nook bridge nook0"
expect_eq "subnets" "$(printf '%s' "$j" | jq -c '.[0].subnets' 2>&1)" '[{"subnet":"10.88.0.0/16","gateway":"10.88.0.1"}]'
expect_eq "internal, dns_enabled" "$(printf '%s' "$j" | jq -r '.[0] | [.internal, .dns_enabled] | join(" ")' 2>&1)" "false false"
expect_match "id" "$(printf '%s' "$j" | jq -r '.[0].id' 2>&1)" '^[0-9a-f]{64}$'
ip -n "$RNS" -o addr show nook0 2>/dev/null | grep -q ' 10\.88\.0\.1/16 ' ||
	t_why "no nook0 with 10.88.0.1/16 in the router netns: $(oneline "$(ip -n "$RNS" -o addr show nook0 2>&1)")"
srv d2 --network bridge -- tcp 80 || t_why "d2 (--network bridge): $RUN_OUT"
expect_match "--network bridge is nook too" "$(ip_of d2 nook)" '^10\.88\.'
t_end
# The default network's bridge and its rules stay while the network does
# (always: like docker0 and CNI's bridge): what the end is held against.
LINKS1=$(printf '%s\nnook0\n' "$LINKS0" | sort)
RULES1=$(ruleset)

t_begin "network: nothing on the host's own network"
expect_eq "host links named nook*" "$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep '^nook' | sort)" "$HOST_LINKS0"
[ "$HAVE_NFT" = 1 ] && expect_eq "host nft tables named *nook*" "$(nft list tables 2>/dev/null | grep -i nook)" "$HOST_NOOKTABLES0"
t_end

t_begin "network: container to the gateway, and the default network has no names"
srv_ns "$RNS" gw tcp 0.0.0.0:7001 || t_why "no server on the router"
out=$(cx d1 tcp 10.88.0.1 7001 gw)
expect_eq "d1 -> 10.88.0.1:7001" "$out" "from $d1ip gw"
out=$(cx d1 tcp "$(ip_of d2 nook)" 80 d2)
expect_eq "d1 -> d2 by IP" "$out" "from $d1ip d2"
# (podman: no names on the default network)
expect_nomatch "d2 in d1's /etc/hosts" "$(nk exec d1 cat /etc/hosts 2>&1)" '[[:space:]]d2([[:space:]]|$)'
t_end

t_begin "network: outbound traffic reaches the WAN masqueraded"
srv_ns "$WNS" wan tcp 198.51.100.2:7002 || t_why "no TCP server in the WAN netns"
srv_ns "$WNS" wanu udp 198.51.100.2:7003 || t_why "no UDP server in the WAN netns"
expect_eq "tcp, WAN sees the router" "$(cx d1 tcp 198.51.100.2 7002 out)" "from 198.51.100.1 out"
expect_eq "udp, WAN sees the router" "$(cx d1 udp 198.51.100.2 7003 outu)" "from 198.51.100.1 outu"
rx sh -c 'cat /proc/sys/net/ipv4/ip_forward' | grep -qx 1 || t_why "ip_forward is not 1 in the router netns"
t_end

# ---- published ports -----------------------------------------------------------

t_begin "network: a LAN client reaches published TCP and UDP ports"
srv p1 -p 8080:80 -p 5353:53/udp -- tcp 80 + udp 53 || t_why "p1: $RUN_OUT"
p1ip=$(insp p1 .NetworkSettings.IPAddress)
expect_eq "LAN -> 192.0.2.1:8080/tcp" "$(hx "$LNS" tcp 192.0.2.1 8080 lan-tcp)" "from 192.0.2.2 lan-tcp"
expect_eq "LAN -> 192.0.2.1:5353/udp" "$(hx "$LNS" udp 192.0.2.1 5353 lan-udp)" "from 192.0.2.2 lan-udp"
expect_match "the host -> its LAN address:8080" "$(hx "$RNS" tcp 192.0.2.1 8080 h1)" '^from [0-9.]+ h1$'
expect_match "the host -> 127.0.0.1:8080" "$(hx "$RNS" tcp 127.0.0.1 8080 h2)" '^from [0-9.]+ h2$'
expect_match "another container -> the router's LAN address:8080" "$(cx d1 tcp 192.0.2.1 8080 hp)" '^from [0-9.]+ hp$'
out=$(nk port p1 2>&1)
expect_status "port p1" $? 0 "$out"
expect_eq "port p1" "$(printf '%s\n' "$out" | sort)" "53/udp -> 0.0.0.0:5353
80/tcp -> 0.0.0.0:8080"
expect_eq "inspect Ports 80/tcp" "$(insp p1 '.NetworkSettings.Ports["80/tcp"][0] | [(.HostIp | sub("^$"; "0.0.0.0")), .HostPort] | join(" ")')" "0.0.0.0 8080"
expect_eq "inspect Ports 53/udp" "$(insp p1 '.NetworkSettings.Ports["53/udp"][0].HostPort')" 5353
t_end

t_begin "network: -p 127.0.0.1:PORT: the host reaches it, the LAN does not"
srv p2 -p 127.0.0.1:8081:80 -- tcp 80 || t_why "p2: $RUN_OUT"
expect_match "the host -> 127.0.0.1:8081" "$(hx "$RNS" tcp 127.0.0.1 8081 lo)" '^from [0-9.]+ lo$'
expect_match "LAN -> 192.0.2.1:8081" "$(hx "$LNS" tcp 192.0.2.1 8081 no 1)" '^errno '
expect_eq "port p2" "$(nk port p2 2>&1)" "80/tcp -> 127.0.0.1:8081"
t_end

t_begin "network: -p ranges"
srv p3 -p 8100-8101:90-91 -- tcp 90 + tcp 91 || t_why "p3: $RUN_OUT"
expect_eq "LAN -> 8100" "$(hx "$LNS" tcp 192.0.2.1 8100 r0)" "from 192.0.2.2 r0"
expect_eq "LAN -> 8101" "$(hx "$LNS" tcp 192.0.2.1 8101 r1)" "from 192.0.2.2 r1"
expect_eq "port p3" "$(nk port p3 2>&1 | sort)" "90/tcp -> 0.0.0.0:8100
91/tcp -> 0.0.0.0:8101"
t_end

# An image with ExposedPorts for -P, made with podman (as img_from_dir).
img_exposed() {
	command -v podman >/dev/null 2>&1 || return 1
	_pb=$T_DIR/pb
	mkdir -p "$_pb/tmp"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$_pb/root" "$_pb/run" >"$_pb/storage.conf"
	(cd "$ROOTFS" && tar -cf "$_pb/in.tar" .) &&
		img_podman import --change 'EXPOSE 80/tcp' "$_pb/in.tar" localhost/nook-net:1 >/dev/null 2>&1 &&
		img_podman save -o "$_pb/out.tar" localhost/nook-net:1 >/dev/null 2>&1 &&
		nk load -i "$_pb/out.tar" >/dev/null 2>&1
}
if ! img_exposed; then
	skip "network: -P" "optional: no podman to make an image with ExposedPorts, or it failed"
else
	t_begin "network: -P publishes the image's ExposedPorts on a free port"
	out=$(nk_run_nonet -d --name pp -P localhost/nook-net:1 /bin/sh -c \
		"trap 'exit 143' TERM; /bin/nook-test serve tcp 80 & wait" 2>&1)
	expect_status "run -P" $? 0 "$out"
	remember pp
	wait_logs pp '^listening' 10
	pl=$(nk port pp 2>&1)
	expect_match "port pp" "$pl" '^80/tcp -> 0\.0\.0\.0:[0-9]+$'
	hp=$(printf '%s\n' "$pl" | sed -n 's|^80/tcp -> 0\.0\.0\.0:||p')
	[ -n "$hp" ] && expect_eq "LAN -> the -P port" "$(hx "$LNS" tcp 192.0.2.1 "$hp" pp)" "from 192.0.2.2 pp"
	t_end
fi

# ---- user networks -----------------------------------------------------------------

t_begin "network: create, ls, inspect, exists"
out=$(nk network create n1 2>&1)
expect_status "create n1" $? 0 "$out"
expect_eq "create prints the name" "$out" n1
expect_eq "n1: interface, subnet, gateway" "$(netinsp n1 '[.driver, .network_interface, .subnets[0].subnet, .subnets[0].gateway] | join(" ")')" \
	"bridge nook1 10.89.0.0/24 10.89.0.1"
expect_eq "n1: internal, dns_enabled" "$(netinsp n1 '[.internal, .dns_enabled] | join(" ")')" "false true"
out=$(nk network create -d bridge --subnet 10.99.0.0/24 --gateway 10.99.0.254 --ip-range 10.99.0.128/25 n2 2>&1)
expect_status "create n2" $? 0 "$out"
expect_eq "n2: interface, subnet, gateway" "$(netinsp n2 '[.network_interface, .subnets[0].subnet, .subnets[0].gateway] | join(" ")')" \
	"nook2 10.99.0.0/24 10.99.0.254"
out=$(nk network ls -q 2>&1)
expect_status "ls -q" $? 0 "$out"
expect_eq "ls -q" "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" "n1 n2 nook "
out=$(nk network ls 2>&1)
expect_match "ls header" "$out" '^NETWORK ID +NAME +DRIVER$'
expect_match "ls row" "$out" '^[0-9a-f]{12} +n1 +bridge$'
nk network exists n1 >/dev/null 2>&1
expect_status "exists n1" $? 0
nk network exists nope >/dev/null 2>&1
expect_status "exists nope" $? 1
t_end

t_begin "network: containers on a user network reach each other by IP and by name"
srv a1 --network n1 --hostname a1host -- tcp 80 || t_why "a1: $RUN_OUT"
srv a2 --network n1 -- tcp 80 || t_why "a2: $RUN_OUT"
a1ip=$(ip_of a1 n1)
a2ip=$(ip_of a2 n1)
expect_match "a1's address" "$a1ip" '^10\.89\.0\.[0-9]+$'
expect_match "a2's address" "$a2ip" '^10\.89\.0\.[0-9]+$'
expect_ne "two addresses" "$a1ip" "$a2ip"
expect_eq "a2 -> a1 by IP" "$(cx a2 tcp "$a1ip" 80 ip)" "from $a2ip ip"
expect_eq "a2 -> a1 by name" "$(cx a2 tcp a1 80 name)" "from $a2ip name"
expect_eq "a1 -> a2 by name (a2 came later)" "$(cx a1 tcp a2 80 name)" "from $a1ip name"
expect_eq "a2 -> a1 by hostname" "$(cx a2 tcp a1host 80 hn)" "from $a2ip hn"
expect_eq "a1 -> the gateway" "$(cx a1 tcp 10.89.0.1 7001 gw)" "from $a1ip gw"
expect_eq "a1 -> WAN" "$(cx a1 tcp 198.51.100.2 7002 w)" "from 198.51.100.1 w"
srv a3 --network n1 -- tcp 80 || t_why "a3: $RUN_OUT"
expect_eq "a1 -> a3 (started after a1)" "$(cx a1 tcp a3 80 late)" "from $a1ip late"
nk rm -f a3 >/dev/null 2>&1
out=$(nk exec a1 cat /etc/hosts 2>&1)
expect_nomatch "a3 left a1's /etc/hosts" "$out" '[[:space:]]a3([[:space:]]|$)'
expect_match "a2 in a1's /etc/hosts" "$out" "^$a2ip[[:space:]].*a2"
expect_nomatch "a1 in d1's /etc/hosts (default network)" "$(nk exec d1 cat /etc/hosts 2>&1)" '[[:space:]]a1([[:space:]]|$)'
t_end

t_begin "network: --ip-range is where addresses come from"
srv b1 --network n2 -- tcp 80 || t_why "b1: $RUN_OUT"
b1ip=$(ip_of b1 n2)
expect_match "b1 in 10.99.0.128/25" "$b1ip" '^10\.99\.0\.(129|1[3-9][0-9]|2[0-4][0-9]|25[0-4])$'
expect_eq "b1's gateway" "$(insp b1 '.NetworkSettings.Networks.n2.Gateway')" 10.99.0.254
expect_eq "b1 -> WAN" "$(cx b1 tcp 198.51.100.2 7002 w)" "from 198.51.100.1 w"
t_end

t_begin "network: two networks are isolated from each other"
expect_match "a2 (n1) -> b1 (n2)" "$(cx a2 tcp "$b1ip" 80 x 1)" '^errno '
expect_match "b1 (n2) -> a1 (n1)" "$(cx b1 tcp "$a1ip" 80 x 1)" '^errno '
expect_match "d1 (nook) -> a1 (n1)" "$(cx d1 tcp "$a1ip" 80 x 1)" '^errno '
expect_match "b1 (n2) -> d1 (nook)" "$(cx b1 tcp "$d1ip" 80 x 1)" '^errno '
t_end

t_begin "network: connect and disconnect a running container"
out=$(nk network connect n2 a2 2>&1)
expect_status "connect n2 a2" $? 0 "$out"
a2ip2=$(ip_of a2 n2)
expect_match "a2's address on n2" "$a2ip2" '^10\.99\.0\.'
expect_eq "a2 -> b1 over n2" "$(cx a2 tcp "$b1ip" 80 c)" "from $a2ip2 c"
expect_eq "a2 -> a1 still" "$(cx a2 tcp a1 80 c)" "from $a2ip c"
# the router ends of a2's eth0 and eth1: two links, whatever its id
a2id=$(cid a2)
links=$(rx ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
expect_eq "a2's eth0 link on the router" "$(printf '%s\n' "$links" | grep -cx "nk$(printf %.12s "$a2id")")" 1
expect_eq "a2's eth1 link, named apart" "$(printf '%s\n' "$links" | grep -cx "nk$(printf %.11s "$a2id")-1")" 1
out=$(nk network disconnect n2 a2 2>&1)
expect_status "disconnect n2 a2" $? 0 "$out"
expect_eq "a2's networks" "$(insp a2 '.NetworkSettings.Networks | keys | join(" ")')" n1
expect_match "a2 -> b1 after disconnect" "$(cx a2 tcp "$b1ip" 80 x 1)" '^errno '
t_end

t_begin "network: --network container:NAME shares a1's network"
out=$(nk_run_nonet --rm --network container:a1 --rootfs "$ROOTFS" /bin/sh -c \
	'/bin/nook-test connect tcp 127.0.0.1 80 shared; ip -o -4 addr show eth0' 2>&1)
expect_status "run" $? 0 "$out"
expect_match "a1's server on 127.0.0.1" "$out" '^from 127\.0\.0\.1 shared$'
expect_match "a1's address" "$out" " $a1ip/24 "
t_end

t_begin "network: /etc/hosts, /etc/resolv.conf, --hostname, --add-host, --dns*"
out=$(nk_run_nonet --rm --name h1 --network n1 --hostname hh --add-host db.lan:192.0.2.77 \
	--dns 192.0.2.53 --dns-search example.org --dns-option ndots:2 --rootfs "$ROOTFS" \
	/bin/sh -c 'hostname; echo ==; cat /etc/hosts; echo ==; cat /etc/resolv.conf; echo ==; ip -o -4 addr show eth0' 2>&1)
expect_status "run" $? 0 "$out"
hosts=$(printf '%s\n' "$out" | awk '/^==$/ { n++; next } n == 1')
resolv=$(printf '%s\n' "$out" | awk '/^==$/ { n++; next } n == 2')
h1ip=$(printf '%s\n' "$out" | awk '/^==$/ { n++; next } n == 3' | sed -n 's|.* \([0-9.]*\)/24 .*|\1|p')
expect_eq "hostname" "$(printf '%s\n' "$out" | head -n 1)" hh
expect_match "hosts: its address, hostname and name" "$hosts" "^$h1ip[[:space:]]+(.*[[:space:]])?hh([[:space:]]|$)"
expect_match "hosts: its name" "$hosts" "^$h1ip[[:space:]].*[[:space:]]h1([[:space:]]|$)"
expect_match "hosts: --add-host" "$hosts" '^192\.0\.2\.77[[:space:]]+db\.lan$'
expect_match "hosts: localhost" "$hosts" '^127\.0\.0\.1[[:space:]]+.*localhost'
expect_eq "resolv.conf nameservers" "$(printf '%s\n' "$resolv" | grep '^nameserver')" "nameserver 192.0.2.53"
expect_match "resolv.conf search" "$resolv" '^search example\.org$'
expect_match "resolv.conf options" "$resolv" '^options ndots:2$'
# the host's resolvers, a 127.x one replaced by the network's gateway
want=$(awk '$1 == "nameserver" { print "nameserver " ($2 ~ /^127\./ ? "10.89.0.1" : $2) }' /etc/resolv.conf | awk '!s[$0]++')
out=$(nk exec a1 cat /etc/resolv.conf 2>&1)
expect_eq "a1's nameservers (the host's; 127.x -> 10.89.0.1)" "$(printf '%s\n' "$out" | grep '^nameserver')" "$want"
t_end

# ---- fixed addresses, restarts, a reboot -------------------------------------------

t_begin "network: --ip and --mac-address, kept across restart (and automatic ones too)"
srv f1 --network n1 --ip 10.89.0.50 --mac-address 02:00:5e:10:00:50 --restart always -- tcp 80 ||
	t_why "f1: $RUN_OUT"
expect_eq "f1 inspect" "$(ip_of f1 n1) $(mac_of f1 n1)" "10.89.0.50 02:00:5e:10:00:50"
expect_eq "f1 eth0" "$(eth0 f1)" "02:00:5e:10:00:50 10.89.0.50/24"
a1mac=$(mac_of a1 n1)
expect_match "a1's MAC" "$a1mac" "$MACRE"
a1eth=$(eth0 a1)
out=$(nk restart f1 a1 2>&1)
expect_status "restart f1 a1" $? 0 "$out"
wait_logs f1 '^listening' 5
expect_eq "f1 eth0 after restart" "$(eth0 f1)" "02:00:5e:10:00:50 10.89.0.50/24"
expect_eq "a1 eth0 after restart" "$(eth0 a1)" "$a1eth"
expect_eq "a1 inspect after restart" "$(ip_of a1 n1) $(mac_of a1 n1)" "$a1ip $a1mac"
nk stop a1 >/dev/null 2>&1
nk start a1 >/dev/null 2>&1
expect_eq "a1 eth0 after stop, start" "$(eth0 a1)" "$a1eth"
expect_eq "a2 -> f1 after restart" "$(cx a2 tcp 10.89.0.50 80 f)" "from $a2ip f"
t_end

# Before the reboot only f1 (restart always) and a1 stay.
for c in d1 d2 p1 p2 p3 pp a2 b1; do
	nk rm -f "$c" >/dev/null 2>&1
done

t_begin "network: a simulated reboot + system refresh keeps addresses and MACs"
nk kill -s KILL f1 a1 >/dev/null 2>&1
nk wait f1 a1 >/dev/null 2>&1
before=$(leases)
# a --rm container that the reboot ended: refresh removes it (its lease was
# in the runroot, RAM, which the reboot emptied)
nk_run_nonet -d --rm --name rb1 --network n1 --rootfs "$ROOTFS" /bin/sleep 60 >/dev/null 2>&1 ||
	t_why "run -d --rm rb1 failed"
remember rb1
rb1=$(cid rb1)
for p in "$(insp rb1 .State.ConmonPid)" "$(insp rb1 .State.Pid)"; do
	[ -n "$p" ] && [ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
done
grep -rqF "$rb1" "$NETS_RUN" 2>/dev/null || t_why "no lease of rb1 under the runroot's networks/"
rm -f "$NETS_RUN"/*
# What a reboot leaves: state files from the previous boot, and nothing in the
# kernel: the router's new links and nft tables go, forwarding is off.
# (rb1 by its id: an inspect now would find its monitor gone)
for i in "$(cid f1)" "$(cid a1)" "$rb1"; do
	f=$T_DIR/root/containers/$i/state.json
	[ -f "$f" ] || continue
	sed 's/"bootId":"[^"]*"/"bootId":"00000000-0000-0000-0000-000000000000"/; s/"stoppedByUser":true/"stoppedByUser":false/' "$f" >"$f.new" && mv "$f.new" "$f"
done
for l in $(links); do
	printf '%s\n' "$LINKS0" | grep -qx -- "$l" || ip -n "$RNS" link del "$l" 2>/dev/null
done
if [ "$HAVE_NFT" = 1 ]; then
	rx nft list tables 2>/dev/null | while read -r _ fam tab; do
		printf '%s\n' "$RULES0" | grep -q "^table $fam $tab " || rx nft delete table "$fam" "$tab"
	done
fi
rx sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
expect_eq "the router's links after the 'reboot'" "$(links)" "$LINKS0"
out=$(nk system refresh 2>&1)
expect_status "system refresh" $? 0 "$out"
wait_status f1 '^running$' 10 || t_why "f1 is $(cstatus f1) after refresh"
wait_logs f1 '^listening' 5
expect_eq "f1 eth0 after refresh" "$(eth0 f1)" "02:00:5e:10:00:50 10.89.0.50/24"
expect_eq "the router -> f1" "$(hx "$RNS" tcp 10.89.0.50 80 boot)" "from 10.89.0.1 boot"
expect_eq "f1 -> WAN" "$(cx f1 tcp 198.51.100.2 7002 w)" "from 198.51.100.1 w"
expect_eq "a1 after refresh" "$(cstatus a1)" exited
[ -n "$rb1" ] && [ -d "$T_DIR/root/containers/$rb1" ] && t_why "the --rm rb1 is still there after refresh"
out=$(nk start a1 2>&1)
expect_status "start a1" $? 0 "$out"
expect_eq "a1 eth0 after reboot, start" "$(eth0 a1)" "$a1eth"
expect_eq "a1 -> f1 by name" "$(cx a1 tcp f1 80 n)" "from $a1ip n"
expect_eq "the leases" "$(leases)" "$before"
t_end

# ---- leases released --------------------------------------------------------------

# free_ip IP: a new container can take IP on n1 (then it is removed again)
free_ip() {
	_o=$(nk_run_nonet --rm --network n1 --ip "$1" --rootfs "$ROOTFS" /bin/true 2>&1) ||
		t_why "$2: --ip $1 is not free: $(oneline "$_o")"
}
veths() {
	ip -n "$RNS" -o link show type veth 2>/dev/null | wc -l
}
t_begin "network: leases released by rm, rm -f of a running one, rm after the monitor's SIGKILL"
nv=$(veths)
nk_run_nonet --name r1 --network n1 --ip 10.89.0.60 --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 ||
	t_why "run r1 failed"
remember r1
r1=$(cid r1)
nk rm r1 >/dev/null 2>&1 || t_why "rm r1 failed"
free_ip 10.89.0.60 "after rm"
srv r2 --network n1 --ip 10.89.0.60 -- tcp 80 || t_why "r2: $RUN_OUT"
r2=$(cid r2)
nk rm -f r2 >/dev/null 2>&1 || t_why "rm -f r2 failed"
free_ip 10.89.0.60 "after rm -f of a running one"
srv r3 --network n1 --ip 10.89.0.60 -- tcp 80 || t_why "r3: $RUN_OUT"
r3=$(cid r3)
mpid=$(insp r3 .State.ConmonPid)
if [ -n "$mpid" ] && [ "$mpid" -gt 0 ] 2>/dev/null; then
	kill -9 "$mpid"
	# whatever ran the container is gone with its monitor, or now
	p=$(insp r3 .State.Pid)
	[ -n "$p" ] && [ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
else
	t_why "no monitor pid for r3: '$mpid'"
fi
out=$(nk rm -f r3 2>&1)
expect_status "rm -f r3 after the monitor's SIGKILL" $? 0 "$out"
free_ip 10.89.0.60 "after the monitor's SIGKILL and rm"
settle veths "$nv"
expect_eq "veths in the router" "$(veths)" "$nv"
# a container gone without its release (a power cut between the two):
# system refresh gives its lease back
nk create --name r4 --network n1 --ip 10.89.0.60 --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 ||
	t_why "create r4 failed"
r4=$(cid r4)
if [ -n "$r4" ] && [ -d "$T_DIR/root/containers/$r4" ]; then
	rm -rf "${T_DIR:?}/root/containers/$r4" "$T_DIR/root/names/r4" 2>/dev/null
	out=$(nk system refresh 2>&1)
	expect_status "system refresh" $? 0 "$out"
	free_ip 10.89.0.60 "after a lost container and system refresh"
else
	t_why "no container directory for r4"
fi
for id in $r1 $r2 $r3 $r4; do
	grep -rlq "$id" "$NETS" "$NETS_RUN" 2>/dev/null && t_why "a file under networks/ still names $id"
done
t_end

t_begin "network: a --rm container's lease is in the runroot (RAM) only, and goes with it"
nk_run_nonet -d --rm --name rm1 --network n1 --ip 10.89.0.61 --rootfs "$ROOTFS" /bin/sleep 30 >/dev/null 2>&1 ||
	t_why "run -d --rm rm1 failed"
remember rm1
rm1=$(cid rm1)
if [ -n "$rm1" ]; then
	grep -rqF "$rm1" "$NETS_RUN" 2>/dev/null || t_why "no lease of rm1 under the runroot's networks/"
	grep -rqF "$rm1" "$NETS" 2>/dev/null && t_why "a lease of rm1 under the root's networks/"
else
	t_why "no id for rm1"
fi
out=$(nk_run_nonet --rm --network n1 --ip 10.89.0.61 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "--ip of the running --rm rm1" $? "$out" '10\.89\.0\.61'
nk rm -f rm1 >/dev/null 2>&1 || t_why "rm -f rm1 failed"
free_ip 10.89.0.61 "after rm -f of the --rm rm1"
[ -n "$rm1" ] && grep -rqF "$rm1" "$NETS" "$NETS_RUN" 2>/dev/null && t_why "a file under networks/ still names rm1"
t_end

# ---- bad input ------------------------------------------------------------------------

srv_ns "$RNS" held tcp 0.0.0.0:9090 || t_why "no host process on 9090"
held_pid=$SRV_PID
srv p1 -p 8080:80 -- tcp 80 || fail "network: bad input" "p1: $RUN_OUT"

t_begin "network: a taken --ip or one outside the subnet: an error, nothing left"
s0=$(snap)
out=$(nk_run_nonet -d --name bad1 --network n1 --ip 10.89.0.50 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "--ip of f1" $? "$out" '10\.89\.0\.50'
out=$(nk_run_nonet -d --name bad2 --network n1 --ip 10.77.0.5 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "--ip outside n1" $? "$out" '10\.77\.0\.5'
out=$(nk_run_nonet -d --name bad3 --network n1 --ip 10.89.0.1 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "--ip of the gateway" $? "$out" '10\.89\.0\.1'
out=$(nk_run_nonet -d --name bad4 --network nosuch --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "--network nosuch" $? "$out" 'nosuch'
expect_same "after the refusals" "$s0"
t_end

t_begin "network: a published port taken by a container or a host process: an error, nothing left"
s0=$(snap)
out=$(nk_run_nonet -d --name bad5 -p 8080:80 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "-p 8080 (p1's)" $? "$out" '8080'
expect_match "-p 8080 names p1" "$out" 'p1'
out=$(nk_run_nonet -d --name bad6 -p 9090:80 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "-p 9090 (a host process's)" $? "$out" '9090'
expect_match "-p 9090 names its owner" "$out" "nook-test|$held_pid"
out=$(nk_run_nonet -d --name bad7 -p 8200:80 -p 8200:81 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_error "-p 8200 twice" $? "$out" '8200'
expect_same "after the refusals" "$s0"
expect_eq "LAN -> p1 still" "$(hx "$LNS" tcp 192.0.2.1 8080 still)" "from 192.0.2.2 still"
t_end

t_begin "network: an overlapping or bad --subnet: an error, no bridge"
s0=$(snap)
out=$(nk network create --subnet 10.89.0.0/25 over 2>&1)
expect_error "--subnet inside n1's" $? "$out" 'n1|10\.89\.0\.0'
out=$(nk network create --subnet 10.0.0.0/8 over 2>&1)
expect_error "--subnet around n1's" $? "$out" 'n1|10\.89\.0\.0|10\.0\.0\.0/8'
out=$(nk network create --subnet 10.300.0.0/24 over 2>&1)
expect_error "--subnet 10.300.0.0/24" $? "$out" '10\.300\.0\.0'
out=$(nk network create --subnet 10.98.0.0/24 --gateway 10.97.0.1 over 2>&1)
expect_error "--gateway outside" $? "$out" '10\.97\.0\.1'
out=$(nk network create n1 2>&1)
expect_error "n1 again" $? "$out" 'n1'
expect_same "after the refusals" "$s0"
t_end

t_begin "network: network rm of a network in use is refused, -f removes its users"
s0=$(snap)
out=$(nk network rm n1 2>&1)
expect_error "rm n1 (f1 and a1 use it)" $? "$out" 'n1'
expect_same "after the refusal" "$s0"
expect_eq "f1 untouched" "$(cstatus f1)" running
out=$(nk network rm nook 2>&1)
expect_error "rm of the default network" $? "$out" 'nook'
srv b2 --network n2 -- tcp 80 || t_why "b2: $RUN_OUT"
out=$(nk network rm -f n2 2>&1)
expect_status "rm -f n2" $? 0 "$out"
nk inspect b2 >/dev/null 2>&1 &&
	t_why "b2 is still there after network rm -f n2 ($(insp b2 .State.Status); rm said: $(oneline "$out"))"
nk network exists n2 >/dev/null 2>&1 && t_why "n2 still exists"
ip -n "$RNS" link show nook2 >/dev/null 2>&1 && t_why "nook2 still in the router"
t_end

t_begin "network: without nft in PATH: a clear error and nothing left, or it works"
mkdir -p "$T_DIR/nftless" && ln -sf "$(command -v timeout)" "$T_DIR/nftless/timeout"
s0=$(snap)
out=$(
	PATH=$T_DIR/nftless
	export PATH
	nk run -d --name nn -p 8300:80 --rootfs "$ROOTFS" /bin/nook-test sleep inf 2>&1
)
st=$?
if [ $st = 0 ]; then
	nk rm -f nn >/dev/null 2>&1
else
	one_line "run without nft" "$out"
	expect_imatch "run without nft says why" "$out" 'nft'
fi
expect_same "after it" "$s0"
t_end

# ---- internal networks ---------------------------------------------------------------

t_begin "network: --internal has no way out"
srv_ns "$LNS" lansrv tcp 192.0.2.2:7004 || t_why "no server in the LAN netns"
out=$(nk network create --internal ni 2>&1)
expect_status "create --internal ni" $? 0 "$out"
expect_eq "ni internal" "$(netinsp ni .internal)" true
srv i1 --network ni -- tcp 80 || t_why "i1: $RUN_OUT"
srv i2 --network ni -- tcp 80 || t_why "i2: $RUN_OUT"
i1ip=$(ip_of i1 ni)
expect_eq "i2 -> i1 by name" "$(cx i2 tcp i1 80 in)" "from $(ip_of i2 ni) in"
expect_match "i2 -> WAN" "$(cx i2 tcp 198.51.100.2 7002 x 1)" '^errno '
expect_match "i2 -> WAN udp" "$(cx i2 udp 198.51.100.2 7003 x 1)" '^errno '
expect_match "i2 -> a LAN host" "$(cx i2 tcp 192.0.2.2 7004 x 1)" '^errno '
expect_match "a LAN host -> i1" "$(hx "$LNS" tcp "$i1ip" 80 x 1)" '^errno '
t_end

# ---- the default subnet avoids the host's routes ----------------------------------------

t_begin "network: the default subnets skip the host's routes and addresses"
if mkns "$R2NS" && ip -n "$R2NS" link add nktd0 type veth peer name nktd1 &&
	ip -n "$R2NS" link set nktd1 up && ip -n "$R2NS" link set nktd0 up &&
	ip -n "$R2NS" addr add 10.88.7.1/16 dev nktd0 && ip -n "$R2NS" route add 10.89.0.0/24 dev nktd0; then
	N2="$T_TIMEOUT_CMD $NSENTER --net=/run/netns/$R2NS $NK_BIN --root $T_DIR/root2 --runroot $T_DIR/run2"
	out=$($N2 run --rm --rootfs "$ROOTFS" /bin/true 2>&1)
	expect_status "run on the default network" $? 0 "$out"
	sub=$($N2 network inspect nook 2>/dev/null | jq -r '.[0].subnets[0].subnet' 2>&1)
	expect_eq "the default network's subnet" "$sub" 10.89.1.0/24
	out=$($N2 network create x 2>&1)
	expect_status "create x" $? 0 "$out"
	sub=$($N2 network inspect x 2>/dev/null | jq -r '.[0].subnets[0].subnet' 2>&1)
	expect_eq "x's subnet" "$sub" 10.89.2.0/24
	$N2 network rm x >/dev/null 2>&1
	expect_eq "links left in the second router (the default network's bridge stays)" "$(ip -n "$R2NS" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')" "lo nktd0 nktd1 nook0 "
	ip netns del "$R2NS"
else
	t_why "cannot make the second router netns"
fi
t_end

# ---- no leftovers -----------------------------------------------------------------------

t_begin "network: no leftovers: links, ruleset, leases as before"
ids=$(nk ps -a -q --no-trunc 2>/dev/null)
for i in $ids; do
	echo "$i" >>"$GONE_IDS"
done
# shellcheck disable=SC2086
[ -z "$ids" ] || nk rm -f $ids >/dev/null 2>&1 || t_why "rm -f of the rest failed"
for n in n1 ni; do
	out=$(nk network rm "$n" 2>&1)
	expect_status "network rm $n" $? 0 "$out"
done
out=$(nk network create n3 2>&1 && nk network prune -f 2>&1)
expect_status "create n3, prune -f" $? 0 "$out"
expect_match "prune removed n3" "$out" '^n3$'
expect_eq "networks left" "$(nk network ls -q 2>&1)" nook
settle links "$LINKS1"
expect_eq "the router's links (the default network's bridge stays)" "$(links)" "$LINKS1"
expect_eq "the router's ruleset (the default network's stays)" "$(ruleset)" "$RULES1"
if [ -s "$GONE_IDS" ]; then
	left=$(grep -rlFf "$GONE_IDS" "$NETS" "$NETS_RUN" 2>/dev/null)
	[ -z "$left" ] || t_why "files under networks/ still name removed containers: $(oneline "$left")"
fi
for a in 10.89.0.50 10.89.0.60 "$a1ip"; do
	[ -n "$a" ] && grep -rqF "\"$a\"" "$NETS" "$NETS_RUN" 2>/dev/null && t_why "a file under networks/ still holds $a"
done
t_end

exit $T_RC
