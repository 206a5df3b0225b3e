#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Volumes, as podman has them: volume create|ls|inspect|exists|rm|prune;
# -v NAME:/DST (made on first use, kept across containers, :ro), -v /DST
# (anonymous: gone with rm -v and --rm, kept by a plain rm), --mount
# type=volume|bind|tmpfs, inspect's Mounts; the copy-up of an image's files
# into a new volume (owners kept; not into one with files; a destination
# the image lacks leaves the volume to the container's user); refusals
# (bad names, a volume in use: exit 2, -f removes its users; a missing one:
# exit 1) that leave nothing behind.
#
# The image is made by podman (img_from_dir: podman import in a store of
# this script's own, podman save, load); without podman those checks skip.
# Against podman (NOOK=podman) the one-line messages that name the volume
# are nook-specific (podman 4.3 says "names must match ..." without the
# name).
. "$(dirname "$0")/lib.sh"

VOLS=$T_DIR/root/volumes

# one_line WHAT TEXT: TEXT is one line
one_line() {
	[ "$(printf '%s\n' "$2" | wc -l)" = 1 ] || t_why "$1: not one line: '$(oneline "$2")'"
}

t_begin "volumes: create, ls, inspect, exists"
out=$(nk volume create --label app=web v1 2>&1)
expect_status "create v1" $? 0 "$out"
expect_eq "create prints the name" "$out" v1
anon=$(nk volume create 2>&1)
expect_status "create without a name" $? 0 "$anon"
expect_match "a random name" "$anon" '^[0-9a-f]{64}$'
out=$(nk volume ls -q 2>&1)
expect_eq "ls -q" "$(printf '%s\n' "$out" | sort)" "$(printf '%s\nv1\n' "$anon" | sort)"
out=$(nk volume ls 2>&1)
expect_match "ls header" "$out" '^DRIVER +VOLUME NAME$'
expect_match "ls row" "$out" '^local +v1$'
j=$(nk volume inspect v1 2>&1)
expect_status "inspect" $? 0 "$j"
expect_eq "Name" "$(printf '%s' "$j" | jq -r '.[0].Name')" v1
expect_eq "Driver" "$(printf '%s' "$j" | jq -r '.[0].Driver')" local
expect_eq "Scope" "$(printf '%s' "$j" | jq -r '.[0].Scope')" local
expect_eq "Labels" "$(printf '%s' "$j" | jq -c '.[0].Labels')" '{"app":"web"}'
expect_eq "Options" "$(printf '%s' "$j" | jq -c '.[0].Options')" '{}'
expect_eq "Mountpoint" "$(printf '%s' "$j" | jq -r '.[0].Mountpoint')" "$VOLS/v1/_data"
expect_match "CreatedAt" "$(printf '%s' "$j" | jq -r '.[0].CreatedAt')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
[ -d "$VOLS/v1/_data" ] || t_why "no $VOLS/v1/_data"
out=$(nk volume ls --format json 2>&1)
expect_eq "ls --format json" "$(printf '%s' "$out" | jq -r '[.[].Name] | sort | join(" ")')" \
	"$(printf '%s\nv1\n' "$anon" | sort | tr '\n' ' ' | sed 's/ $//')"
nk volume exists v1
expect_status "exists v1" $? 0
nk volume exists nope
expect_status "exists nope" $? 1
t_end

t_begin "volumes: bad names are refused with one line, nothing made"
for n in a/b .. ../x .hidden; do
	out=$(nk volume create "$n" 2>&1)
	expect_status "create '$n'" $? 125 "$out"
	one_line "create '$n'" "$out"
	if [ "$T_PODMAN" = 0 ]; then
		expect_match "create '$n' names it" "$out" "invalid volume name \"$(printf '%s' "$n" | sed 's/\./\\./g')\""
	fi
done
out=$(nk_run --rm -v 'a/b:/x' --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "run -v a/b:/x" $? 125 "$out"
one_line "run -v a/b:/x" "$out"
out=$(nk volume create v1 2>&1)
expect_status "create v1 again" $? 125 "$out"
expect_match "create v1 again" "$out" 'v1.*already exists'
[ -e "$T_DIR/root/x" ] || [ -e "$T_DIR/x" ] || [ -e "$VOLS/a" ] && t_why "a bad name made a directory"
expect_eq "no container left" "$(nk ps -a -q 2>&1)" ""
t_end

t_begin "volumes: -v NAME:/DST made on first use, kept across containers, :ro refused"
out=$(nk_run --rm -v data:/data --rootfs "$ROOTFS" /bin/sh -c 'echo one >/data/f && cat /data/f' 2>&1)
expect_status "first run" $? 0 "$out"
expect_eq "first run" "$out" one
nk volume exists data || t_why "volume data not made"
expect_eq "on the host" "$(cat "$VOLS/data/_data/f" 2>&1)" one
out=$(nk_run --rm -v data:/other --rootfs "$ROOTFS" /bin/cat /other/f 2>&1)
expect_status "second run" $? 0 "$out"
expect_eq "second run" "$out" one
out=$(nk_run --rm -v data:/data:ro --rootfs "$ROOTFS" /bin/sh -c 'echo two >/data/f' 2>&1)
expect_status ":ro write" $? 1 "$out"
expect_match ":ro write" "$out" 'Read-only file system'
expect_eq "after :ro" "$(cat "$VOLS/data/_data/f" 2>&1)" one
t_end

t_begin "volumes: --mount type=volume|bind|tmpfs, and inspect's Mounts"
mkdir -p "$T_DIR/bind" && echo bound >"$T_DIR/bind/b"
out=$(nk_create --name m1 --mount type=volume,src=mv,dst=/mv \
	--mount "type=bind,src=$T_DIR/bind,dst=/b,ro" \
	--mount type=tmpfs,dst=/t,tmpfs-size=1m -v data:/data:ro \
	--rootfs "$ROOTFS" /bin/sh -c 'cat /b/b; grep " /t " /proc/mounts; echo x >/mv/x && echo mv-ok' 2>&1)
expect_status "create" $? 0 "$out"
m=$(insp m1 '.Mounts')
expect_eq "volume mount" "$(printf '%s' "$m" | jq -c '.[] | select(.Destination == "/mv") | [.Type, .Name, .Source, .RW]')" \
	"[\"volume\",\"mv\",\"$VOLS/mv/_data\",true]"
expect_eq "-v :ro" "$(printf '%s' "$m" | jq -c '.[] | select(.Destination == "/data") | [.Type, .Name, .RW]')" \
	'["volume","data",false]'
expect_eq "bind mount" "$(printf '%s' "$m" | jq -c '.[] | select(.Destination == "/b") | [.Type, .Source, .RW]')" \
	"[\"bind\",\"$T_DIR/bind\",false]"
expect_eq "tmpfs not listed" "$(printf '%s' "$m" | jq -c '[.[] | select(.Destination == "/t")]')" '[]'
out=$(nk start -a m1 2>&1)
expect_status "start -a" $? 0 "$out"
expect_match "bind" "$out" '^bound$'
expect_match "tmpfs size" "$out" '^tmpfs /t tmpfs .*size=1024k'
expect_match "volume written" "$out" '^mv-ok$'
out=$(nk_run --rm --mount type=bind,dst=/x --rootfs "$ROOTFS" /bin/true 2>&1)
expect_status "--mount bind without src" $? 125 "$out"
one_line "--mount bind without src" "$out"
t_end

t_begin "volumes: rm of a volume in use is refused (exit 2), -f removes its users"
out=$(nk volume rm mv 2>&1)
expect_status "rm mv" $? 2 "$out"
expect_match "rm mv names the volume" "$out" 'volume mv is being used'
one_line "rm mv" "$out"
nk volume exists mv || t_why "mv removed though in use"
nk inspect m1 >/dev/null 2>&1 || t_why "m1 removed by a refused rm"
out=$(nk volume rm nope 2>&1)
expect_status "rm nope" $? 1 "$out"
expect_match "rm nope" "$out" 'nope'
out=$(nk volume rm -f nope 2>&1)
expect_status "rm -f nope" $? 0 "$out"
expect_eq "rm -f nope" "$out" ""
out=$(nk volume rm -f mv 2>&1)
expect_status "rm -f mv" $? 0 "$out"
expect_eq "rm -f prints" "$out" mv
nk volume exists mv && t_why "mv still there"
nk inspect m1 >/dev/null 2>&1 && t_why "m1 not removed by rm -f"
[ -e "$VOLS/mv" ] && t_why "$VOLS/mv left"
t_end

t_begin "volumes: prune removes the unused ones only"
nk_create --name p1 -v data:/data --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 || t_why "create p1"
out=$(echo n | nk volume prune 2>&1)
expect_status "prune, answered n" $? 0 "$out"
expect_match "prune asks" "$out" 'Are you sure you want to continue\? \[y/N\]'
nk volume exists v1 || t_why "prune answered n removed v1"
out=$(nk volume prune -f 2>&1)
expect_status "prune" $? 0 "$out"
expect_eq "pruned" "$(printf '%s\n' "$out" | sort | tr '\n' ' ')" \
	"$(printf '%s\nv1\n' "$anon" | sort | tr '\n' ' ')"
expect_eq "left" "$(nk volume ls -q 2>&1)" data
nk rm -f p1 >/dev/null 2>&1
t_end

t_begin "volumes: anonymous (-v /DST): rm keeps it, rm -v and --rm remove it"
nk_run --name a1 -v /anon --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 || t_why "run a1"
a1=$(insp a1 '.Mounts[] | select(.Destination == "/anon") | .Name')
expect_match "a1's volume" "$a1" '^[0-9a-f]{64}$'
nk rm a1 >/dev/null 2>&1
nk volume exists "$a1" || t_why "rm without -v removed the anonymous volume"
nk_run --name a2 -v /anon --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 || t_why "run a2"
a2=$(insp a2 '.Mounts[] | select(.Destination == "/anon") | .Name')
nk rm -v a2 >/dev/null 2>&1
[ -n "$a2" ] && nk volume exists "$a2" && t_why "rm -v kept the anonymous volume"
before=$(nk volume ls -q | sort)
out=$(nk_run --rm -v /anon -v data:/data --rootfs "$ROOTFS" /bin/sh -c 'echo hi >/anon/x; ls /anon' 2>&1)
expect_status "run --rm" $? 0 "$out"
expect_eq "run --rm" "$out" x
expect_eq "volumes after --rm" "$(nk volume ls -q | sort)" "$before"
t_end

# ---- copy-up from an image ------------------------------------------------

IMGROOT=$T_DIR/imgroot
mkdir -p "$IMGROOT" && cp -a "$ROOTFS/." "$IMGROOT/" &&
	mkdir -p "$IMGROOT/seed/sub" && echo seeded >"$IMGROOT/seed/f" &&
	echo deep >"$IMGROOT/seed/sub/g" && chown 1000:1000 "$IMGROOT/seed/f" &&
	chmod 0750 "$IMGROOT/seed/sub" && chmod 0711 "$IMGROOT/seed"
if ! img_from_dir localhost/nook-vol:1 "$IMGROOT"; then
	skip "volumes: copy-up" "$IMG_WHY"
else
	t_begin "volumes: a new volume gets the image's files (owners and modes kept)"
	out=$(nk_run --rm -v seed:/seed localhost/nook-vol:1 /bin/sh -c \
		'stat -c "%n %a %u:%g" /seed /seed/f /seed/sub /seed/sub/g; cat /seed/f' 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "in the container" "$out" "/seed 711 0:0
/seed/f 644 1000:1000
/seed/sub 750 0:0
/seed/sub/g 644 0:0
seeded"
	expect_eq "in the volume" "$(stat -c '%a %u:%g' "$VOLS/seed/_data/f" 2>&1)" "644 1000:1000"
	echo changed >"$VOLS/seed/_data/f"
	out=$(nk_run --rm -v seed:/seed localhost/nook-vol:1 /bin/cat /seed/f 2>&1)
	expect_eq "a second container sees the volume" "$out" changed
	# (podman mounts its hostname and hosts over /etc: only passwd tells)
	out=$(nk_run --rm -v seed:/etc localhost/nook-vol:1 /bin/ls /etc 2>&1)
	expect_match "the volume at /etc" "$out" '^sub$'
	expect_nomatch "no second copy-up (at /etc)" "$out" '^(passwd|group)$'
	t_end

	t_begin "volumes: no copy-up into a volume that has files, nor with nocopy"
	nk volume create full >/dev/null 2>&1
	echo mine >"$VOLS/full/_data/mine"
	out=$(nk_run --rm -v full:/seed localhost/nook-vol:1 /bin/ls /seed 2>&1)
	expect_eq "a volume with files" "$out" mine
	out=$(nk_run --rm -v nc:/seed:nocopy localhost/nook-vol:1 /bin/ls -A /seed 2>&1)
	expect_status "nocopy" $? 0 "$out"
	expect_eq "nocopy" "$out" ""
	t_end

	t_begin "volumes: a destination the image lacks: the container's user owns the volume"
	out=$(nk_run --rm -u 1000:1000 -v late:/nothere localhost/nook-vol:1 \
		/bin/sh -c 'stat -c "%u:%g" /nothere; echo x >/nothere/x && echo written' 2>&1)
	expect_eq "owner, write" "$out" "1000:1000
written"
	# still waiting for a copy-up: a container with the path gets it
	rm -f "$VOLS/late/_data/x"
	out=$(nk_run --rm -v late:/seed localhost/nook-vol:1 /bin/cat /seed/f 2>&1)
	expect_eq "copy-up on a later use" "$out" seeded
	t_end
fi

# ---- the image's Volumes ---------------------------------------------------

if ! img_from_dir localhost/nook-vol:2 "$IMGROOT" "VOLUME /seed"; then
	skip "volumes: an image's Volumes" "$IMG_WHY"
else
	t_begin "volumes: an image's VOLUME is a new anonymous volume with the image's files"
	before=$(nk volume ls -q | sort)
	out=$(nk_run --name iv localhost/nook-vol:2 /bin/sh -c \
		'grep -q " /seed " /proc/self/mountinfo && echo mounted; cat /seed/f; echo mine >/seed/new' 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "in the container" "$out" "mounted
seeded"
	new=$(nk volume ls -q | sort | comm -13 "$(printf '%s\n' "$before" >"$T_DIR/vb"; echo "$T_DIR/vb")" -)
	expect_match "one new anonymous volume" "$new" '^[0-9a-f]{64}$'
	[ -n "$new" ] && expect_eq "the write went into it" "$(cat "$VOLS/$new/_data/new" 2>&1)" mine
	expect_eq "inspect's Mounts" "$(nk inspect iv 2>&1 | jq -r '.[0].Mounts[] | select(.Destination == "/seed") | .Type')" \
		volume
	out=$(nk rm -v iv 2>&1)
	expect_status "rm -v" $? 0 "$out"
	expect_eq "volumes after rm -v" "$(nk volume ls -q | sort)" "$before"
	out=$(nk_run --rm -v given:/seed localhost/nook-vol:2 /bin/cat /seed/f 2>&1)
	expect_eq "a named volume at the path takes its place" "$out" seeded
	expect_eq "volumes after --rm with -v given:/seed" "$(nk volume ls -q | sort)" \
		"$(printf '%s\ngiven\n' "$before" | sed '/^$/d' | sort)"
	out=$(nk_run --rm localhost/nook-vol:2 /bin/true 2>&1)
	expect_status "run --rm" $? 0 "$out"
	expect_eq "volumes after run --rm" "$(nk volume ls -q | sort)" \
		"$(printf '%s\ngiven\n' "$before" | sed '/^$/d' | sort)"
	t_end
fi

