#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `--rootfs FILE.sqfs`: a squashfs image (OpenWrt's way of shipping a
# read-only root) is mounted through a read-only loop device as the lower
# layer of the container's overlay, never unpacked and never written: the
# container's changes live with the container (kept across restarts, gone
# with rm), user names come from the image's /etc, and nothing is left
# mounted or attached once the container is down.  The image is made by
# mksquashfs (squashfs-tools, in board/setup.sh) from the test rootfs.
. "$(dirname "$0")/lib.sh"

if [ "$T_PODMAN" = 1 ]; then
	skip "$T_NAME" "optional: podman: runs no squashfs file as a rootfs"
	exit 0
fi
if ! command -v mksquashfs >/dev/null 2>&1; then
	skip "$T_NAME" "needs mksquashfs (squashfs-tools; board/setup.sh installs it)"
	exit 0
fi
if ! grep -qw squashfs /proc/filesystems && ! modprobe squashfs 2>/dev/null; then
	skip "$T_NAME" "the kernel has no squashfs"
	exit 0
fi
SQ=$T_DIR/img.sqfs
mksquashfs "$ROOTFS" "$SQ" -noappend -quiet >/dev/null 2>&1 || {
	skip "$T_NAME" "mksquashfs of the rootfs failed"
	exit 0
}
sum0=$(md5sum <"$SQ")

# loops_of FILE: the loop devices attached to FILE
loops_of() {
	for _b in /sys/block/loop*/loop/backing_file; do
		[ -r "$_b" ] && [ "$(cat "$_b")" = "$1" ] && echo "${_b%/loop/backing_file}"
	done
}
mounts_of() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1' /proc/self/mountinfo
}

t_begin "squashfs: a container runs from the image; its writes stay out of the file"
out=$(nk_run --name sq1 --rootfs "$SQ" /bin/sh -c 'echo hello >/new && rm /bin/true && cat /new' 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "output" "$out" hello
expect_eq "the image file" "$(md5sum <"$SQ")" "$sum0"
t_end

t_begin "squashfs: the changes are kept across a restart, and another container has none"
out=$(nk start -a sq1 2>&1)
expect_status "start -a (true is gone, so rm fails)" $? 1 "$out"
out=$(nk_run --rm --rootfs "$SQ" /bin/sh -c 'ls /new' 2>&1)
expect_status "another container on the same image" $? 1 "$out"
t_end

t_begin "squashfs: user names from the image's /etc/passwd"
out=$(nk_run --rm -u test --rootfs "$SQ" id -u 2>&1)
expect_eq "id -u" "$out" 1000
t_end

t_begin "squashfs: nothing mounted or attached once the containers are down"
out=$(nk_run -d --name sq2 --rootfs "$SQ" /bin/sleep 30 2>&1)
expect_status "run -d" $? 0 "$out"
[ -n "$(loops_of "$SQ")" ] || t_why "no loop device while sq2 runs"
out=$(nk rm -f sq1 sq2 2>&1)
expect_status "rm -f" $? 0 "$out"
expect_eq "mounts under the runroot" "$(mounts_of "$T_DIR/run")" ""
expect_eq "loop devices on the image" "$(loops_of "$SQ")" ""
t_end

t_begin "squashfs: a file that is not a squashfs image is refused with one line"
echo "not an image" >"$T_DIR/bad.sqfs"
out=$(nk_run --rm --rootfs "$T_DIR/bad.sqfs" /bin/true 2>&1)
expect_status "run" $? 125 "$out"
expect_match "error" "$out" "bad.sqfs: not a squashfs image"
expect_eq "error lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
expect_eq "containers" "$(nk ps -aq 2>&1)" ""
t_end

# ---- image import --squashfs: the file as an image in the store ----------

SQS=$T_DIR/root/images/squashfs
t_begin "squashfs: image import --squashfs keeps the file as it is, unpacks nothing, runs it"
out=$(nk image import --squashfs "$SQ" localhost/sq:1 2>&1)
expect_status "image import --squashfs" $? 0 "$out"
expect_match "its id" "$out" '^sha256:[0-9a-f]{64}$'
want=$(sha256sum "$SQ" | cut -c1-64)
expect_eq "the stored file" "$(ls "$SQS" 2>&1)" "$want.sqfs"
expect_eq "unpacked layers" "$(ls -A "$T_DIR/root/images/layers" 2>/dev/null)" ""
expect_eq "images" "$(nk images --format '{{.Repository}}:{{.Tag}}' 2>&1)" localhost/sq:1
out=$(nk_run --name sqi localhost/sq:1 /bin/sh -c 'echo hi >/new && cat /new && id -un' 2>&1)
expect_status "run IMAGE" $? 0 "$out"
expect_eq "run IMAGE" "$out" "hi
root"
out=$(nk_run --rm -u test localhost/sq:1 id -u 2>&1)
expect_eq "user names from the image's /etc" "$out" 1000
expect_eq "inspect's image name" "$(nk inspect --format '{{.ImageName}}' sqi 2>&1)" localhost/sq:1
expect_eq "the stored file after runs" "$(sha256sum "$SQS/$want.sqfs" 2>&1 | cut -c1-64)" "$want"
t_end

t_begin "squashfs: a squashfs image in use is not removed; save and commit refuse it"
out=$(nk rmi localhost/sq:1 2>&1)
expect_status "rmi while sqi uses it" $? 2 "$out"
out=$(nk save -o "$T_DIR/sq.tar" localhost/sq:1 2>&1)
expect_status "save" $? 125 "$out"
expect_match "save's error" "$out" "squashfs image"
[ -e "$T_DIR/sq.tar" ] || [ -e "$T_DIR/sq.tar.tmp" ] && t_why "save left an archive"
out=$(nk commit sqi localhost/sq:2 2>&1)
expect_status "commit" $? 125 "$out"
expect_match "commit's error" "$out" "squashfs image"
out=$(nk rm sqi 2>&1)
expect_status "rm" $? 0 "$out"
out=$(nk rmi localhost/sq:1 2>&1)
expect_status "rmi" $? 0 "$out"
expect_eq "the store's squashfs files after rmi" "$(ls -A "$SQS" 2>&1)" ""
expect_eq "loop devices on the stored file" "$(loops_of "$SQS/$want.sqfs")" ""
t_end

t_begin "squashfs: image import --squashfs of a file that is not one: one line, nothing stored"
out=$(nk image import --squashfs "$T_DIR/bad.sqfs" localhost/bad:1 2>&1)
expect_status "import" $? 125 "$out"
expect_match "error" "$out" "bad.sqfs: not a squashfs image"
expect_eq "error lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
expect_eq "images" "$(nk images -q 2>&1)" ""
expect_eq "the store's squashfs files" "$(ls -A "$SQS" 2>/dev/null)" ""
t_end

exit $T_RC
