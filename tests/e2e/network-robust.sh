#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# network-robust: network files edited by hand or damaged, and host ports
# held over IPv6.  As in network.sh, nook runs in a "router" netns this
# script makes (nsenter --net), so its bridges, veths and nft table never
# touch the host's.
#
# A network's file (<root>/networks/NAME.json) damaged in each of these
# ways: a lease that is not an object, without "iface", with iface "eth",
# "x" or "ethZ", without an ip, under an id that is none; no "leases"; the
# file without a subnet, gateway, interface or id, or with them not
# strings, its leases an array or a string, the file not an object, not
# JSON.  Then network ls, inspect, exists, run --network, network
# connect/disconnect, start and inspect of a container on it, system
# refresh (its lease gc), network prune and rm: none may crash.  A damaged
# lease is left out with a warning naming the file, and the rest of the
# network works (no "leases" is no leases, without a warning); a file that
# is no network gives the commands that name it a one-line error naming
# the file and what is wrong, and ls a warning (it lists the others),
# never a silent reset (the default network's file is not made anew
# either).  Also: the file's name is the network's whatever its "name"
# says, and a damaged lease in the runroot's file (a --rm container's).
# network rm says -f removes such a file; rm -f does, with the network's
# bridge and its nft elements when the file still names that bridge (else
# a warning says what stays), and never another link (a host's eth9 named
# in the file, lo); a bridge with ports (in use) is an error, and nothing
# goes.
#
# A host process listening on [::]:PORT (IPv6, v6only off: the IPv4 port
# is its too) holds PORT: run -p PORT:80 fails naming the port and the
# process, as for an IPv4 listener (TCP and UDP); a v6only one leaves the
# IPv4 port free (nook publishes IPv4 only) and create -p succeeds.
#
# nook-specific (podman keeps no leases in its network files).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns.inc" # bridge networks, mkns
netns_need network-robust "nook's network files (podman's differ)"

RNS=nkt-robust-$$
NETS=$T_DIR/root/networks
HAVE_NFT=0
command -v nft >/dev/null 2>&1 && HAVE_NFT=1

if ! mkns "$RNS"; then
	skip "network-robust: all" "optional: cannot make network namespaces here (ip netns add)"
	exit $T_RC
fi
# From here on every engine call runs in the router netns.
NOOK="$NSENTER --net=/run/netns/$RNS $NK_BIN"

# try WHAT ARGS...: `nk ARGS` into OUT and ST; a crash (a signal's status,
# a shell's report of one) fails the check.
try() {
	_w=$1
	shift
	OUT=$(nk "$@" 2>&1)
	ST=$?
	if [ "$ST" -ge 128 ] || printf '%s\n' "$OUT" | grep -Eq 'Segmentation fault|core dumped|Aborted'; then
		t_why "$_w: crashed (status $ST): $(oneline "$OUT")"
	fi
}
# ok_run WHAT ARGS...: try, and it must succeed
ok_run() {
	try "$@"
	[ "$ST" = 0 ] || t_why "$1: status $ST: $(oneline "$OUT")"
}
# refused WHAT ERE ARGS...: try, and it must fail with one line matching ERE
# (inspect prints its empty array too, as podman's does)
refused() {
	_w=$1
	_re=$2
	shift 2
	try "$_w" "$@"
	[ "$ST" != 0 ] || t_why "$_w: succeeded, want an error"
	[ "$(printf '%s\n' "$OUT" | grep -vcx '\[\]')" = 1 ] || t_why "$_w: not one line: '$(oneline "$OUT")'"
	expect_match "$_w: the message" "$OUT" "$_re"
}
rx() { # a command in the router netns
	"$NSENTER" --net="/run/netns/$RNS" "$@"
}
links() { # the router's links, names only
	ip -n "$RNS" -o link show 2>&1 | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
}
# bridge_gone WHAT BRIDGE SUBNET: no link BRIDGE in the router, nor (with
# nft) an element of it or of SUBNET in nook's table.
bridge_gone() {
	ip -n "$RNS" link show "$2" >/dev/null 2>&1 && t_why "$1: $2 is still there"
	if [ "$HAVE_NFT" = 1 ]; then
		_t=$(rx nft list table inet nook 2>/dev/null)
		printf '%s\n' "$_t" | grep -qF -e "\"$2\"" -e "$3" &&
			t_why "$1: nft elements of $2 or $3 left: $(oneline "$_t")"
	fi
}
# bridge_kept WHAT BRIDGE: link BRIDGE there, and (with nft) its elements.
bridge_kept() {
	ip -n "$RNS" link show "$2" >/dev/null 2>&1 || t_why "$1: $2 is gone"
	if [ "$HAVE_NFT" = 1 ]; then
		rx nft list set inet nook bridges 2>/dev/null | grep -qF "\"$2\"" ||
			t_why "$1: no nft element of $2"
	fi
}

# ---- a network to damage ------------------------------------------------------

t_begin "network-robust: setup: networks rb, ro; c1 on rb, c2 on ro"
ok_run "network create rb" network create rb
ok_run "network create ro" network create ro
ok_run "create c1" create --name c1 --network rb --rootfs "$ROOTFS" /bin/true
ok_run "create c2" create --name c2 --network ro --rootfs "$ROOTFS" /bin/true
C1=$(cid c1)
[ -n "$C1" ] && [ -f "$NETS/rb.json" ] || t_why "no c1 or no $NETS/rb.json"
jq -e --arg id "$C1" '.leases[$id].iface == "eth0"' "$NETS/rb.json" >/dev/null 2>&1 ||
	t_why "no eth0 lease of c1 in rb.json: $(oneline "$(cat "$NETS/rb.json" 2>&1)")"
ORIG=$(cat "$NETS/rb.json" 2>/dev/null)
RB_IF=$(printf '%s\n' "$ORIG" | jq -r .interface 2>/dev/null)
RB_SUB=$(printf '%s\n' "$ORIG" | jq -r .subnet 2>/dev/null)
RO_IF=$(jq -r .interface "$NETS/ro.json" 2>/dev/null)
# ro's bridge up, to see that what goes with rb leaves it; a host link of
# the router's that a damaged rb.json names
ok_run "run --rm --network ro" run --rm --network ro --rootfs "$ROOTFS" /bin/true
ip -n "$RNS" link add eth9 type veth peer name eth9p || t_why "ip link add eth9 failed"
t_end
if [ -z "$ORIG" ] || [ -z "$C1" ]; then
	exit $T_RC
fi

# damage JQ-FILTER: rb.json as made above, through the filter ($id: c1's id)
damage() {
	printf '%s\n' "$ORIG" | jq -c --arg id "$C1" "$1" >"$NETS/rb.json"
}

# lease_case WHAT JQ-FILTER QUIET: rb.json with a damaged lease or leases: the
# network works without them (QUIET: and no warning, as for no "leases").
lease_case() {
	t_begin "network-robust: $1: left out, the network works"
	damage "$2"
	if [ "$3" = quiet ]; then
		want=''
	else
		want='rb\.json'
	fi
	ok_run "network ls" network ls
	expect_match "network ls lists rb" "$OUT" '[[:space:]]rb[[:space:]]'
	if [ -n "$want" ]; then
		expect_match "network ls warns, naming the file" "$OUT" "warning.*$want"
	else
		expect_nomatch "network ls warns" "$OUT" 'warning'
	fi
	ok_run "network inspect rb" network inspect rb
	expect_eq "rb's containers" "$(printf '%s\n' "$OUT" | sed -n '/^\[/,$p' | jq -c '.[0].containers' 2>&1)" '{}'
	ok_run "network exists rb" network exists rb
	ok_run "inspect c1" inspect c1
	ok_run "run --rm --network rb" run --rm --network rb --rootfs "$ROOTFS" /bin/true
	ok_run "network connect rb c2" network connect rb c2
	ok_run "network inspect rb after connect" network inspect rb
	expect_eq "rb's containers after connect" "$(printf '%s\n' "$OUT" | sed -n '/^\[/,$p' | jq -r '.[0].containers[] | "\(.name) \(.interface)"' 2>&1)" "c2 eth1"
	ok_run "network disconnect rb c2" network disconnect rb c2
	ok_run "network connect ro c1" network connect ro c1
	ok_run "network disconnect ro c1" network disconnect ro c1
	ok_run "start c1" start c1
	nk wait c1 >/dev/null 2>&1
	ok_run "system refresh" system refresh
	ok_run "network prune" network prune -f
	# (rb had no lease left: prune took it)
	expect_match "prune removed rb" "$OUT" '^rb$'
	t_end
}

# file_case WHAT JQ-FILTER|-RAW TEXT: rb.json is no network: the commands that
# name it fail naming the file, the others warn and go on.
file_case() {
	t_begin "network-robust: $1: a clear error naming the file, rm -f removes it"
	# rb's bridge up (a container ran on it), for rm -f below
	printf '%s\n' "$ORIG" >"$NETS/rb.json"
	ok_run "run --rm --network rb (its bridge up)" run --rm --network rb --rootfs "$ROOTFS" /bin/true
	if [ "$2" = -raw ]; then
		printf '%s\n' "$3" >"$NETS/rb.json"
	else
		damage "$2"
	fi
	try "network ls" network ls
	[ "$ST" = 0 ] || t_why "network ls: status $ST: $(oneline "$OUT")"
	expect_match "network ls warns, naming the file" "$OUT" 'warning.*rb\.json'
	expect_match "network ls lists ro" "$OUT" '[[:space:]]ro[[:space:]]'
	refused "network inspect rb" 'rb\.json' network inspect rb
	refused "network exists rb" 'rb\.json' network exists rb
	refused "run --network rb" 'rb\.json' run --rm --network rb --rootfs "$ROOTFS" /bin/true
	refused "network connect rb c2" 'rb\.json' network connect rb c2
	try "network connect ro c1" network connect ro c1
	try "network disconnect ro c1" network disconnect ro c1
	try "inspect c1" inspect c1
	try "start c1" start c1
	nk wait c1 >/dev/null 2>&1
	try "system refresh" system refresh
	try "network prune" network prune -f
	refused "network rm rb" 'rb\.json.*network rm -f removes it' network rm rb
	[ -f "$NETS/rb.json" ] || t_why "rb.json is gone"
	# -f: the file, rb's bridge and its nft elements go, at once when the
	# file still names the bridge, else by prune; every other link stays
	want=$(links | grep -vx "$RB_IF")
	named=$(jq -r .interface "$NETS/rb.json" 2>/dev/null)
	ok_run "network rm -f rb" network rm -f rb
	[ -f "$NETS/rb.json" ] && t_why "network rm -f rb: rb.json is still there"
	if [ "$named" = "$RB_IF" ]; then
		expect_nomatch "network rm -f rb warns" "$OUT" 'warning'
	else
		expect_match "network rm -f rb says what stays" "$OUT" \
			'warning.*its bridge and its firewall elements stay: its file names none'
		bridge_kept "rb's bridge (no file names it)" "$RB_IF"
		# the next case's start: rb's bridge and elements gone
		printf '%s\n' "$ORIG" | jq -c '.leases = {}' >"$NETS/rb.json"
		ok_run "network rm rb (whole again, no leases)" network rm rb
	fi
	bridge_gone "rb's bridge" "$RB_IF" "$RB_SUB"
	bridge_kept "ro's bridge" "$RO_IF"
	expect_eq "the router's other links" "$(links)" "$want"
	t_end
}

lease_case "no \"leases\"" 'del(.leases)' quiet
lease_case "a lease without iface" '.leases[$id] |= del(.iface)'
lease_case "a lease with iface \"eth\"" '.leases[$id].iface = "eth"'
lease_case "a lease with iface \"x\"" '.leases[$id].iface = "x"'
lease_case "a lease with iface \"ethZ\"" '.leases[$id].iface = "ethZ"'
lease_case "a lease not an object" '.leases[$id] = "eth0"'
lease_case "a lease without ip" '.leases[$id] |= del(.ip)'
lease_case "a lease with a bad id" '.leases = {"../../x": .leases[$id]}'
file_case "no subnet" 'del(.subnet)'
file_case "a subnet not a string" '.subnet = 10'
file_case "no gateway" 'del(.gateway)'
file_case "a gateway not a string" '.gateway = ["10.89.0.1"]'
file_case "no interface" 'del(.interface)'
file_case "an interface not nook's (lo)" '.interface = "lo"'
file_case "an interface not nook's (a host link)" '.interface = "eth9"'
file_case "an interface that is no nookN" '.interface = "nook1x"'
file_case "no id" 'del(.id)'
file_case "leases an array" '.leases = [.leases[]]'
file_case "leases a string" '.leases = "x"'
file_case "not an object" -raw '[]'
file_case "not JSON" -raw '{"name": "rb", '

t_begin "network-robust: network rm -f of a damaged file whose bridge is in use: refused, nothing goes"
printf '%s\n' "$ORIG" >"$NETS/rb.json"
ok_run "run -d --network rb" run -d --name u1 --network rb --rootfs "$ROOTFS" /bin/nook-test sleep inf
damage 'del(.subnet)'
refused "network rm -f rb" "network rb: its bridge $RB_IF is in use: remove the containers on it first" \
	network rm -f rb
[ -f "$NETS/rb.json" ] || t_why "rb.json is gone"
bridge_kept "rb's bridge in use" "$RB_IF"
expect_eq "u1 still runs" "$(nk inspect -f '{{.State.Status}}' u1 2>/dev/null)" running
ok_run "rm -f u1" rm -f u1
ok_run "network rm -f rb" network rm -f rb
bridge_gone "rb's bridge once unused" "$RB_IF" "$RB_SUB"
printf '%s\n' "$ORIG" >"$NETS/rb.json"
t_end

t_begin "network-robust: the file's name is the network's, whatever its \"name\" says"
for f in 'del(.name)' '.name = 5' '.name = "other"'; do
	damage "$f"
	ok_run "network inspect rb ($f)" network inspect rb
	expect_eq "its name ($f)" "$(printf '%s\n' "$OUT" | sed -n '/^\[/,$p' | jq -r '.[0].name' 2>&1)" rb
	ok_run "network connect rb c2 ($f)" network connect rb c2
	ok_run "network disconnect rb c2 ($f)" network disconnect rb c2
	expect_eq "network files ($f)" "$(cd "$NETS" && ls)" "nook.json
rb.json
ro.json"
done
printf '%s\n' "$ORIG" >"$NETS/rb.json"
t_end

t_begin "network-robust: a damaged lease of a --rm container (the runroot's file): dropped with a warning"
ok_run "run -d --rm --network rb" run -d --rm --name v1 --network rb --rootfs "$ROOTFS" /bin/nook-test sleep inf
VOL=$T_DIR/run/networks/rb.json
if [ -f "$VOL" ]; then
	jq -c 'map_values(.iface = "x")' "$VOL" >"$VOL.new" && mv "$VOL.new" "$VOL"
	ok_run "network inspect rb" network inspect rb
	expect_match "it warns, naming the runroot's file" "$OUT" "warning.*$T_DIR/run/networks/rb\.json"
	expect_eq "rb's containers" "$(printf '%s\n' "$OUT" | sed -n '/^\[/,$p' | jq -r '[.[0].containers[].name] | join(" ")' 2>&1)" c1
	ok_run "inspect v1" inspect v1
	ok_run "rm -f v1" rm -f v1
else
	t_why "no $VOL after run -d --rm: $(oneline "$OUT")"
fi
t_end

t_begin "network-robust: a damaged default network file stays, and run says which"
printf '{"name": "nook", \n' >"$NETS/nook.json"
refused "run --rm (the default network)" 'nook\.json' run --rm --rootfs "$ROOTFS" /bin/true
expect_eq "nook.json untouched" "$(cat "$NETS/nook.json")" '{"name": "nook", '
try "network ls" network ls
expect_match "network ls warns, naming the file" "$OUT" 'warning.*nook\.json'
expect_match "network ls lists rb" "$OUT" '[[:space:]]rb[[:space:]]'
rm -f "$NETS/nook.json"
ok_run "run --rm (a new default network)" run --rm --rootfs "$ROOTFS" /bin/true
t_end

# ---- host ports held over IPv6 ----------------------------------------------------

# v6srv PROTO PORT V6ONLY: a process of the router listening on [::]:PORT
# (background, killed by the trap); status 1 if it does not.
v6srv() {
	# not under $T_TIMEOUT_CMD: it outlives one command's timeout
	timeout -s KILL 300 "$NSENTER" --net="/run/netns/$RNS" python3 -c '
import socket, sys, time
udp = sys.argv[1] == "udp"
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(sys.argv[3]))
s.bind(("::", int(sys.argv[2])))
if not udp:
    s.listen(1)
print("listening", flush=True)
time.sleep(300)' "$1" "$2" "$3" >"$T_DIR/v6.$1.$2" 2>&1 &
	SRV_PID=$!
	track_pid $!
	wait_for 5 grep -qs '^listening' "$T_DIR/v6.$1.$2"
}

t_begin "network-robust: a host process on [::]:PORT holds the port: run -p fails naming it"
if ! command -v python3 >/dev/null 2>&1; then
	T_CUR="$T_CUR # SKIP optional: needs python3 for an IPv6 listener"
elif ! v6srv tcp 9191 0; then
	T_CUR="$T_CUR # SKIP optional: no IPv6 listener here: $(oneline "$(cat "$T_DIR/v6.tcp.9191")")"
else
	refused "run -p 9191:80 (tcp [::]:9191)" '9191' \
		run -d --name v6t -p 9191:80 --rootfs "$ROOTFS" /bin/true
	expect_match "the message names the owner" "$OUT" "pid $(children "$SRV_PID") \\(python"
	if v6srv udp 9192 0; then
		refused "run -p 9192:53/udp (udp [::]:9192)" '9192/udp' \
			run -d --name v6u -p 9192:53/udp --rootfs "$ROOTFS" /bin/true
		expect_match "the message names the owner" "$OUT" "pid $(children "$SRV_PID") \\(python"
	else
		t_why "no udp listener on [::]:9192: $(oneline "$(cat "$T_DIR/v6.udp.9192")")"
	fi
	# v6only: IPv4's 9193 is free, and nook publishes IPv4 only
	if v6srv tcp 9193 1; then
		ok_run "create -p 9193:80 (a v6only [::]:9193)" \
			create --name v6o -p 9193:80 --rootfs "$ROOTFS" /bin/true
		nk rm -f v6o >/dev/null 2>&1
	else
		t_why "no v6only listener on [::]:9193: $(oneline "$(cat "$T_DIR/v6.tcp.9193")")"
	fi
	nk inspect v6t >/dev/null 2>&1 && t_why "the refused v6t exists"
	nk inspect v6u >/dev/null 2>&1 && t_why "the refused v6u exists"
fi
t_end

exit $T_RC
