#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Mounts and devices as runc and crun make them, where the runtime spec
# leaves room: a destination that is a dangling symlink (created inside
# the root), rbind against bind, a tmpfs keeping its mount point's mode,
# the recursive options (rro, rnosuid...), a read-only /dev, a device path
# with a trailing slash, the owner of the console pty.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

# ---- 1. a destination that is a dangling symlink ---------------------------

# runc and crun resolve the link inside the rootfs and create what it
# names there; the host path of the same name stays untouched.
HOSTP=/nook-dangling-$$
t_begin "conformance-mounts: a dangling symlink destination is created inside the rootfs"
echo file-marker >"$T_DIR/file-src"
make_bundle "$B" /bin/sh -c 'nook-test mounts; nook-test cat /made/file' >/dev/null 2>&1
ln -s "$HOSTP/dir" "$B/rootfs/dirlink"
ln -s ../made/file "$B/rootfs/etc/filelink"
cfg "$B" --arg f "$T_DIR/file-src" '.mounts += [
	{destination: "/dirlink", type: "tmpfs", source: "tmpfs"},
	{destination: "/etc/filelink", type: "bind", source: $f, options: ["bind", "ro"]}]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "tmpfs on the link's target" "$(mountopt "$HOSTP/dir")" "^tmpfs "
expect_match "file bound on the link's target" "$out" "^file-marker$"
[ -d "$B/rootfs$HOSTP/dir" ] || t_why "$HOSTP/dir not created in the rootfs"
[ -f "$B/rootfs/made/file" ] || t_why "/made/file not created in the rootfs"
[ -L "$B/rootfs/dirlink" ] || t_why "the symlink /dirlink was replaced"
[ -e "$HOSTP" ] && t_why "$HOSTP created on the host"
t_end
rmdir "$HOSTP/dir" "$HOSTP" 2>/dev/null

# ---- 2. rbind and bind -----------------------------------------------------

# A source with a tmpfs mounted below it (on the host: removed by the trap).
SRC=$T_DIR/src
mkdir -p "$SRC/sub"
echo top >"$SRC/top"
if mount -t tmpfs -o size=64k nook-test-sub "$SRC/sub"; then
	T_CLEANUP="umount -l '$SRC/sub' 2>/dev/null; $T_CLEANUP"
	echo sub-marker >"$SRC/sub/marker"
	HAVE_SUB=1
else
	HAVE_SUB=0
fi

t_begin "conformance-mounts: rbind brings the source's submounts, bind does not"
if [ $HAVE_SUB = 1 ]; then
	run_cfg ".mounts += [
		{destination: \"/r\", type: \"bind\", source: \"$SRC\", options: [\"rbind\"]},
		{destination: \"/p\", type: \"bind\", source: \"$SRC\", options: [\"bind\"]}]" \
		/bin/sh -c 'nook-test mounts; echo r; nook-test cat /r/sub/marker; echo p;
		nook-test ls /p/sub; echo end'
	expect_status "run" $rc 0 "$out"
	expect_match "/r/sub" "$(mountopt /r/sub)" "^tmpfs "
	expect_eq "/p/sub" "$(mountopt /p/sub)" ""
	expect_eq "/r/sub/marker" "$(printf '%s\n' "$out" | sed -n '/^r$/{n;p}')" sub-marker
	expect_eq "/p/sub is the empty directory" \
		"$(printf '%s\n' "$out" | sed -n '/^p$/,/^end$/p' | tr '\n' ' ')" "p end "
	t_end
else
	skip "$T_CUR" "cannot mount a tmpfs on $SRC/sub"
fi

# ---- 3. tmpfs mode ---------------------------------------------------------

# runc (1.2 on) and crun add mode= of the existing mount point unless the
# options have one; the tmpfs default (1777) only for a point they create.
# (runc 1.1 chmod-ed the tmpfs to the point's mode even over mode=.)
t_begin "conformance-mounts: a tmpfs keeps its mount point's mode, or its mode= option"
make_bundle "$B" /bin/sh -c 'stat -c "%n %a" /keep /opt712 /fresh' >/dev/null 2>&1
mkdir -p "$B/rootfs/keep" "$B/rootfs/opt712"
chmod 0750 "$B/rootfs/keep"
chmod 0755 "$B/rootfs/opt712"
cfg "$B" '.mounts += [
	{destination: "/keep", type: "tmpfs", source: "tmpfs", options: ["size=64k"]},
	{destination: "/opt712", type: "tmpfs", source: "tmpfs", options: ["mode=0712"]},
	{destination: "/fresh", type: "tmpfs", source: "tmpfs"}]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "/keep" "$out" "^/keep 750$"
expect_match "/opt712" "$out" "^/opt712 712$"
expect_match "/fresh" "$out" "^/fresh 1777$"
t_end

# ---- 4. recursive options --------------------------------------------------

t_begin "conformance-mounts: rro, rnosuid, rnodev, rnoexec apply to the submounts"
if [ $HAVE_SUB = 1 ]; then
	run_cfg ".mounts += [{destination: \"/rr\", type: \"bind\", source: \"$SRC\",
		options: [\"rbind\", \"rro\", \"rnosuid\", \"rnodev\", \"rnoexec\", \"rnoatime\"]}]" \
		/bin/sh -c 'nook-test mounts; echo top; nook-test write /rr/new;
		echo sub; nook-test write /rr/sub/new'
	expect_status "run" $rc 0 "$out"
	for m in /rr /rr/sub; do
		o=$(mountopt $m)
		for f in ro nosuid nodev noexec noatime; do
			expect_match "$m $f" "$o" "[ ,]$f[ ,]"
		done
	done
	expect_match "write /rr/new" "$(printf '%s\n' "$out" | sed -n '/^top$/{n;p}')" EROFS
	expect_match "write /rr/sub/new" "$(printf '%s\n' "$out" | sed -n '/^sub$/{n;p}')" EROFS
	[ -e "$SRC/new" ] || [ -e "$SRC/sub/new" ] && t_why "file created on the host"
	t_end
else
	skip "$T_CUR" "cannot mount a tmpfs on $SRC/sub"
fi

t_begin "conformance-mounts: rrw and rsuid clear what the source mount has"
if [ $HAVE_SUB = 1 ] && mount -o remount,bind,ro,nosuid "$SRC/sub"; then
	run_cfg ".mounts += [{destination: \"/rw\", type: \"bind\", source: \"$SRC\",
		options: [\"rbind\", \"rrw\", \"rsuid\"]}]" \
		/bin/sh -c 'nook-test mounts; nook-test write /rw/sub/new'
	# the host's own mount keeps its flags: the container's is a copy
	host=$(awk -v m="$SRC/sub" '$5 == m { print $6 }' /proc/self/mountinfo)
	mount -o remount,bind,rw,suid "$SRC/sub"
	rm -f "$SRC/sub/new"
	expect_status "run" $rc 0 "$out"
	expect_match "/rw/sub" "$(mountopt /rw/sub)" "^tmpfs rw,"
	expect_nomatch "/rw/sub nosuid" "$(mountopt /rw/sub)" "nosuid"
	expect_match "write /rw/sub/new" "$out" "^ok$"
	expect_match "the host's $SRC/sub" "$host" "^ro,nosuid"
	t_end
else
	skip "$T_CUR" "cannot remount $SRC/sub read-only"
fi

# Kernels before 5.12 have no mount_setattr: the error names the option.
t_begin "conformance-mounts: without mount_setattr a recursive option fails by name"
NOSYS_BIN=$(dirname "$T_PAYLOAD")/nook-nosys
if [ $HAVE_SUB = 1 ] && [ -x "$NOSYS_BIN" ]; then
	make_bundle "$B" /bin/true >/dev/null 2>&1
	cfg "$B" --arg s "$SRC" '.mounts += [{destination: "/rr", type: "bind", source: $s,
		options: ["rbind", "rnodev"]}]'
	new_id
	out=$("$NOSYS_BIN" mount_setattr "$RUNTIME" --root "$T_ROOT" run --bundle "$B" "$ID" </dev/null 2>&1)
	expect_ne "run" $? 0
	expect_match "error" "$out" "rnodev"
	expect_match "error" "$out" "mount_setattr"
	t_end
else
	skip "$T_CUR" "needs nook-nosys next to nook-test and a submount"
fi

# ---- 5. a read-only /dev ---------------------------------------------------

# runc mounts /dev (and any tmpfs) writable, makes the devices and the
# mounts below it, then remounts it read-only.
t_begin "conformance-mounts: a read-only /dev still has its devices and /dev/pts"
run_cfg '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]' \
	/bin/sh -c 'nook-test mounts; stat -c "%n %t:%T" /dev/null /dev/zero;
	nook-test write /dev/null x; echo new; nook-test write /dev/new x;
	[ -e /dev/pts/ptmx ] && echo ptmx'
expect_status "run" $rc 0 "$out"
expect_match "/dev ro" "$(mountopt /dev)" "^tmpfs ro,"
expect_match "/dev/pts" "$(mountopt /dev/pts)" "^devpts "
expect_match "/dev/null" "$out" "^/dev/null 1:3$"
expect_match "/dev/zero" "$out" "^/dev/zero 1:5$"
expect_match "write /dev/null" "$out" "^ok$"
expect_match "write /dev/new" "$(printf '%s\n' "$out" | sed -n '/^new$/{n;p}')" EROFS
expect_match "/dev/pts/ptmx" "$out" "^ptmx$"
t_end

# ---- 6. a device path with a trailing slash --------------------------------

# runc joins the path onto the rootfs with filepath.Join, which drops the
# slash: "/dev/foo/" makes /dev/foo.
t_begin "conformance-mounts: a device path with a trailing slash names the node without it"
run_cfg '.linux.devices = [{path: "/dev/foo/", type: "c", major: 1, minor: 5, fileMode: 438},
	{path: "/dev/null/", type: "c", major: 1, minor: 3, fileMode: 438}]' \
	/bin/sh -c 'stat -c "%n %F %t:%T" /dev/foo /dev/null'
expect_status "run" $rc 0 "$out"
expect_match "/dev/foo" "$out" "^/dev/foo character special file 1:5$"
expect_match "/dev/null" "$out" "^/dev/null character special file 1:3$"
t_end

# ---- 7. the console pty's owner --------------------------------------------

# runc (fixStdioPermissions) and crun chown the pty to the process's uid
# and leave its group: devpts's gid=5 (tty).
# (script(1) may put a ^@ anywhere in the line: no anchors.)
t_begin "conformance-mounts: the console pty belongs to the process's uid, group tty"
if command -v script >/dev/null 2>&1; then
	make_bundle "$B" /bin/sh -c 'stat -L -c "pty %u %g %a" /proc/self/fd/0' >/dev/null 2>&1
	cfg "$B" '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
	new_id
	out=$(script -qec "$T_TIMEOUT_CMD $RUNTIME --root $T_ROOT run --bundle $B $ID" /dev/null </dev/null 2>&1 | tr -d '\r\000')
	expect_status "run" $? 0 "$out"
	expect_match "owner" "$out" "pty 1000 5 620"
	t_end
else
	skip "$T_CUR" "optional: needs script(1) for a terminal"
fi
