#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The defaults file for new containers (NOOK_CONF, else /etc/nook/nook.conf;
# OpenWrt's init writes it from /etc/config/nook): `create` and `run` take
# its values as if given as flags, their own flags win, and a bad file is a
# clear error that names the file and the line and creates nothing.
# nook-specific: podman reads containers.conf (TOML, CONTAINERS_CONF).
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip_podman "defaults: nook.conf" "reads containers.conf instead"
	exit 0
fi

CONF=$T_DIR/nook.conf
export NOOK_CONF="$CONF"

# interfaces NAME: the network interfaces the container NAME's process sees
netifs() {
	awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "$1" | sort | tr '\n' ' '
}

t_begin "defaults: no file, the default network (bridge)"
rm -f "$CONF"
# create only: a run would make the bridge on this host
out=$(nk create --name d0 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "create" $? 0 "$out"
expect_eq "NetworkMode" "$(insp d0 .HostConfig.NetworkMode)" bridge
nk rm d0 >/dev/null 2>&1
t_end

host_ifs=$(netifs /proc/net/dev)

t_begin "defaults: network = host from the file"
printf '# defaults\nnetwork = "host"  # the host network\n' >"$CONF"
out=$(nk run --rm --name d1 --rootfs "$ROOTFS" /bin/cat /proc/net/dev 2>&1)
expect_status "run" $? 0 "$out"
printf '%s\n' "$out" >"$T_DIR/d1.net"
expect_eq "interfaces" "$(netifs "$T_DIR/d1.net")" "$host_ifs"
t_end

t_begin "defaults: a flag of the command wins over the file"
out=$(nk run --rm --name d2 --network none --rootfs "$ROOTFS" /bin/cat /proc/net/dev 2>&1)
expect_status "run --network none" $? 0 "$out"
printf '%s\n' "$out" >"$T_DIR/d2.net"
expect_eq "interfaces" "$(netifs "$T_DIR/d2.net")" "lo "
t_end

t_begin "defaults: stop_timeout for create, --stop-timeout over it"
printf 'stop_timeout = 3\n' >"$CONF"
out=$(nk create --name d3 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "create" $? 0 "$out"
expect_eq "StopTimeout" "$(insp d3 .Config.StopTimeout)" 3
out=$(nk create --name d4 --stop-timeout 7 --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "create --stop-timeout 7" $? 0 "$out"
expect_eq "StopTimeout" "$(insp d4 .Config.StopTimeout)" 7
t_end

t_begin "defaults: log_size_max caps the log"
printf "log_size_max = '4k'\nnetwork = none  # no bridge on this host\n" >"$CONF"
out=$(nk run --name d5 --rootfs "$ROOTFS" /bin/sh -c \
	'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i + 1)); done' 2>&1)
expect_status "run" $? 0 "$(printf '%s\n' "$out" | tail -n 1)"
logs=$(nk logs d5 2>&1)
n=$(printf '%s\n' "$logs" | wc -l)
# 4 KiB of records (~45 bytes each), twice (the file and its rotation)
[ "$n" -gt 0 ] && [ "$n" -le 200 ] || t_why "logs has $n lines, want 1..200 with a 4k cap"
expect_eq "last line" "$(printf '%s\n' "$logs" | tail -n 1)" "line 2999"
t_end

# bad FILE-TEXT WANT-ERE: create fails (125) naming the file, nothing made
bad() {
	printf '%s' "$1" >"$CONF"
	out=$(nk create --name bad --rootfs "$ROOTFS" /bin/true 2>&1)
	expect_status "create" $? 125 "$out"
	expect_match "message" "$out" "$CONF"
	expect_match "message" "$out" "$2"
	expect_eq "containers named bad" "$(nk ps -a --format '{{.Names}}' 2>&1 | grep -cx bad)" 0
}

t_begin "defaults: an unknown key is an error naming file and line"
bad '# x
colour = blue
' ':2: unknown key "colour"'
t_end

t_begin "defaults: a bad value is the flag's error, naming the file"
bad 'log_size_max = lots
' 'log size "lots"'
t_end

t_begin "defaults: a network nook does not have, from the file"
bad 'network = "no such/net"
' 'invalid --network "no such/net"'
t_end

t_begin "defaults: a line that is no assignment"
bad 'network none
' ':1: not "key = value"'
t_end

t_begin "defaults: an unreadable defaults file is an error, not ignored"
rm -f "$CONF"
mkdir "$CONF"
out=$(nk create --name bad --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "create" $? 125 "$out"
expect_match "message" "$out" "$CONF"
rmdir "$CONF"
t_end

t_begin "defaults: other commands do not read the file"
printf 'colour = blue\n' >"$CONF"
out=$(nk ps -a 2>&1)
expect_status "ps -a" $? 0 "$out"
rm -f "$CONF"
t_end
