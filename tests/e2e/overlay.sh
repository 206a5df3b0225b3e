#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `--rootfs DIR:O` (as podman's): the container runs on an overlay whose
# lower layer is DIR, which it never changes; its changes live with the
# container (kept across restarts, shown by `mount` and `export`, gone
# with `rm`), and the overlay is mounted only while the container's
# runtime side or a user's `mount` needs it.
. "$(dirname "$0")/lib.sh"

# mounts_of PATH: lines of the mount table at or under PATH
mounts_of() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo
}

# A pristine copy of what DIR holds, to compare with afterwards.
(cd "$ROOTFS" && find . | sort) >"$T_DIR/before"

t_begin "overlay: the container's writes stay out of DIR"
out=$(nk_run --name o1 --rootfs "$ROOTFS:O" /bin/sh -c \
	'echo hello >/new && rm /bin/true && mkdir /d && cat /new && ls -d /d' 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "output" "$out" "hello
/d"
[ -e "$ROOTFS/new" ] && t_why "DIR/new was written"
[ -e "$ROOTFS/bin/true" ] || t_why "DIR/bin/true was removed"
(cd "$ROOTFS" && find . | sort) >"$T_DIR/after"
cmp -s "$T_DIR/before" "$T_DIR/after" || t_why "DIR changed: $(diff "$T_DIR/before" "$T_DIR/after" | head -5 | tr '\n' ' ')"
t_end

t_begin "overlay: the changes are kept across a restart"
out=$(nk start -a o1 2>&1)
# /bin/true is gone and /new exists: rm fails, so the && chain stops
expect_status "start -a" $? 1 "$out"
out=$(nk_run --rm --rootfs "$ROOTFS:O" /bin/sh -c 'ls /new' 2>&1)
expect_status "another container on the same DIR" $? 1 "$out"
t_end

t_begin "overlay: no mount left once the container exited"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "overlay: no mount left" "keeps its storage mounted until cleanup/rm"
else
	expect_eq "mounts under the runroot" "$(mounts_of "$T_DIR/run")" ""
	t_end
fi

t_begin "overlay: mount shows the container's files, unmount takes it down"
if [ "$T_PODMAN" = 1 ]; then
	# nook-specific: 4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container
	skip_podman "overlay: mount shows the container's files, unmount takes it down" "4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container"
else
	m=$(nk mount o1 2>&1)
	expect_status "mount" $? 0 "$m"
	expect_eq "new through the mount" "$(cat "$m/new" 2>&1)" hello
	[ -e "$m/bin/true" ] && t_why "bin/true visible through the mount"
	[ -e "$m/bin/sh" ] || t_why "the lower layer's bin/sh not visible"
	[ "$m" != "$ROOTFS" ] || t_why "mount returned DIR itself"
	if [ "$T_PODMAN" = 0 ]; then
		expect_ne "mounted at $m" "$(mounts_of "$m")" ""
	fi
	m2=$(nk mount o1 2>&1)
	expect_eq "second mount, same path" "$m2" "$m"
	out=$(nk unmount o1 2>&1)
	expect_status "unmount 1" $? 0 "$out"
	[ -e "$m/new" ] || t_why "unmount of one of two mounts took it down"
	out=$(nk unmount o1 2>&1)
	expect_status "unmount 2" $? 0 "$out"
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "mounts after the last unmount" "$(mounts_of "$T_DIR/run")" ""
	fi
	t_end
fi

t_begin "overlay: export is the container's view"
if [ "$T_PODMAN" = 1 ]; then
	# nook-specific: 4.3 exports an empty tree for a --rootfs DIR:O container
	skip_podman "overlay: export is the container's view" "4.3 exports an empty tree for a --rootfs DIR:O container"
else
	nk export -o "$T_DIR/o1.tar" o1 >"$T_DIR/export.out" 2>&1
	expect_status "export" $? 0 "$(cat "$T_DIR/export.out")"
	list=$(tar tf "$T_DIR/o1.tar" 2>&1)
	expect_match "new in the archive" "$list" '^(\./)?new$'
	expect_nomatch "bin/true in the archive" "$list" '^(\./)?bin/true$'
	expect_match "bin/sh in the archive" "$list" '^(\./)?bin/sh$'
	t_end
fi

t_begin "overlay: a running container, exec and mount while it runs"
if [ "$T_PODMAN" = 1 ]; then
	# nook-specific: 4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container
	skip_podman "overlay: a running container, exec and mount while it runs" "4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container"
else
	out=$(nk_run -d --name o2 --rootfs "$ROOTFS:O" /bin/nook-test sleep inf 2>&1)
	expect_status "run -d" $? 0 "$out"
	wait_logs o2 '^ready$' 10 || t_why "o2 did not start: $(nk logs o2 2>&1)"
	out=$(nk exec o2 /bin/sh -c 'echo x >/in-o2 && cat /in-o2' 2>&1)
	expect_status "exec" $? 0 "$out"
	expect_eq "exec output" "$out" x
	m=$(nk mount o2 2>&1)
	expect_eq "in-o2 through the mount" "$(cat "$m/in-o2" 2>&1)" x
	out=$(nk unmount o2 2>&1)
	expect_status "unmount" $? 0 "$out"
	out=$(nk exec o2 /bin/cat /in-o2 2>&1)
	expect_eq "the container's root after unmount" "$out" x
	[ -e "$ROOTFS/in-o2" ] && t_why "DIR/in-o2 was written"
	t_end
fi

t_begin "overlay: rm removes the changes and leaves no mount"
id=$(cid o2)
out=$(nk rm -f o2 2>&1)
expect_status "rm -f" $? 0 "$out"
if [ "$T_PODMAN" = 0 ]; then
	expect_eq "mounts under the state" "$(mounts_of "$T_DIR/run"; mounts_of "$T_DIR/root")" ""
	expect_eq "files of $id" "$(find "$T_DIR/root" "$T_DIR/run" -name "*$id*" 2>/dev/null)" ""
fi
t_end

t_begin "overlay: rm does not follow the container's symlinks out of it"
mkdir -p "$T_DIR/victim" && echo keep >"$T_DIR/victim/file"
out=$(nk_run --name o3 --rootfs "$ROOTFS:O" /bin/sh -c \
	"ln -s $T_DIR/victim /victim && mkdir /dir && ln -s $T_DIR/victim/file /dir/f" 2>&1)
expect_status "run" $? 0 "$out"
out=$(nk rm o3 2>&1)
expect_status "rm" $? 0 "$out"
expect_eq "the host's file" "$(cat "$T_DIR/victim/file" 2>&1)" keep
t_end

t_begin "overlay: a mounted container is not removed without --force"
if [ "$T_PODMAN" = 1 ]; then
	# nook-specific: 4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container; rm does not refuse
	skip_podman "overlay: a mounted container is not removed without --force" "4.3 mounts nothing at the path mount gives for a --rootfs DIR:O container; rm does not refuse"
else
	out=$(nk_create --name o4 --rootfs "$ROOTFS:O" /bin/true 2>&1)
	expect_status "create" $? 0 "$out"
	m=$(nk mount o4 2>&1)
	expect_status "mount of a created container" $? 0 "$m"
	[ -e "$m/bin/sh" ] || t_why "nothing at the mount of a created container"
	out=$(nk rm o4 2>&1)
	expect_status "rm of a mounted container" $? 125 "$out"
	out=$(nk rm -f o4 2>&1)
	expect_status "rm -f" $? 0 "$out"
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "mounts" "$(mounts_of "$T_DIR/run")" ""
	fi
	t_end
fi

t_begin "overlay: DIR:O of a path an overlay cannot take is an error"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "overlay: comma in the path" "other message"
else
	mkdir -p "$T_DIR/a,b" && cp -a "$ROOTFS/." "$T_DIR/a,b/"
	out=$(nk_create --name o5 --rootfs "$T_DIR/a,b:O" /bin/true 2>&1)
	expect_status "create" $? 125 "$out"
	expect_match "message" "$out" "a,b"
	expect_eq "containers" "$(nk ps -a --format '{{.Names}}' 2>&1 | grep -cx o5)" 0
	rm -rf "$T_DIR/a,b"
	t_end
fi

t_begin "overlay: a full disk under --root leaves no overlay mounted (mount, start)"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "overlay: full disk" "nook-specific store"
elif ! mkdir -p "$T_DIR/small" || ! mount -t tmpfs -o size=64k tmpfs "$T_DIR/small" 2>/dev/null; then
	skip "overlay: full disk" "optional: cannot mount a tmpfs here"
else
	N2="$NOOK --root $T_DIR/small/root --runroot $T_DIR/run2"
	id=$($N2 create --name fd --rootfs "$ROOTFS:O" /bin/nook-test sleep inf 2>&1)
	expect_status "create on the small disk" $? 0 "$id"
	# a first mount makes the overlay's directories, while there is room
	m=$($N2 mount fd 2>&1)
	expect_status "mount" $? 0 "$m"
	out=$($N2 unmount fd 2>&1)
	expect_status "unmount" $? 0 "$out"
	dd if=/dev/zero of="$T_DIR/small/fill" bs=1k count=200 2>/dev/null
	out=$($N2 mount fd 2>&1)
	expect_status "mount with a full disk" $? 125 "$out"
	expect_imatch "mount says why" "$out" "no space left"
	expect_eq "mounts after the failed mount" "$(mounts_of "$T_DIR/run2")" ""
	out=$($N2 start fd 2>&1)
	expect_status "start with a full disk" $? 125 "$out"
	expect_eq "mounts after the failed start" "$(mounts_of "$T_DIR/run2")" ""
	rm -f "$T_DIR/small/fill"
	$N2 rm -f fd >/dev/null 2>&1
	expect_eq "mounts after rm" "$(mounts_of "$T_DIR/run2")" ""
	umount "$T_DIR/small"
	t_end
fi
