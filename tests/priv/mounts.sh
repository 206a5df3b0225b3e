#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Mounts: tmpfs with options, bind ro/rw, readonly rootfs, masked and
# readonly paths, default devices, missing destinations created.
. "$(dirname "$0")/../lib.sh"

B=$T_DIR/b

t_begin "mounts: tmpfs with size and mode"
run_cfg '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs",
	options: ["nosuid", "nodev", "size=1m", "mode=1770"]}]' \
	/bin/sh -c 'nook-test mounts; stat -c "mode %a" /t;
	dd if=/dev/zero of=/t/f bs=1024 count=2048 2>/dev/null && echo dd-ok || echo dd-full'
expect_status "run" $rc 0 "$out"
m=$(mountopt /t)
expect_match "/t" "$m" "^tmpfs "
expect_match "/t options" "$m" " rw,nosuid,nodev"
expect_match "/t size" "$m" "size=1024k"
expect_match "/t mode" "$out" "^mode 1770$"
expect_match "writing 2 MB into 1 MB" "$out" "^dd-full$"
t_end

mkdir -p "$T_DIR/data"
echo host-marker >"$T_DIR/data/marker"

t_begin "mounts: read-only bind mount"
run_cfg ".mounts += [{destination: \"/data\", type: \"bind\", source: \"$T_DIR/data\",
	options: [\"bind\", \"ro\"]}]" \
	/bin/sh -c 'nook-test mounts; nook-test cat /data/marker; nook-test write /data/new x'
expect_status "run" $rc 0 "$out"
expect_match "/data" "$(mountopt /data)" " ro[ ,]"
expect_match "read through the bind" "$out" "^host-marker$"
expect_match "write" "$out" "^errno [0-9]+ EROFS$"
[ -e "$T_DIR/data/new" ] && t_why "file created on the host"
t_end

t_begin "mounts: read-write bind mount writes through to the host"
run_cfg ".mounts += [{destination: \"/data\", type: \"none\", source: \"$T_DIR/data\",
	options: [\"rbind\", \"rw\"]}]" \
	/bin/nook-test write /data/new from-container
expect_eq "write" "$out" ok
expect_eq "host file" "$(cat "$T_DIR/data/new" 2>/dev/null)" from-container
rm -f "$T_DIR/data/new"
t_end

t_begin "mounts: a missing destination is created in the rootfs"
run_cfg '.mounts += [{destination: "/new/deep/dir", type: "tmpfs", source: "tmpfs"}]' \
	/bin/nook-test mounts
expect_status "run" $rc 0 "$out"
expect_match "/new/deep/dir" "$(mountopt /new/deep/dir)" "^tmpfs "
[ -d "$B/rootfs/new/deep/dir" ] || t_why "$B/rootfs/new/deep/dir not created"
t_end

# Images have /var/run -> ../run; a mount below it must follow the link
# inside the rootfs (resolution in the rootfs, not refusal of symlinks).
t_begin "mounts: a destination through a symlink inside the rootfs follows it"
make_bundle "$B" /bin/nook-test mounts >/dev/null
mkdir -p "$B/rootfs/var"
ln -s ../run "$B/rootfs/var/run"
cfg "$B" '.mounts += [{destination: "/var/run/sub", type: "tmpfs", source: "tmpfs"}]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "/run/sub" "$(mountopt /run/sub)" "^tmpfs "
[ -L "$B/rootfs/var/run" ] || t_why "the symlink /var/run was replaced"
t_end

t_begin "mounts: readonly rootfs"
run_cfg '.root.readonly = true' \
	/bin/sh -c 'nook-test mounts; nook-test write /newfile; nook-test write /etc/passwd'
expect_status "run" $rc 0 "$out"
expect_match "/" "$(mountopt /)" " ro[ ,]"
expect_eq "write /newfile, /etc/passwd" "$(printf '%s\n' "$out" | grep '^errno' | tr '\n' ' ')" \
	"errno 30 EROFS errno 30 EROFS "
[ -e "$B/rootfs/newfile" ] && t_why "file created in the rootfs"
t_end

t_begin "mounts: writable rootfs"
run_cfg '.root.readonly = false' /bin/nook-test write /newfile
expect_eq "write /newfile" "$out" ok
[ -e "$B/rootfs/newfile" ] || t_why "file not in the rootfs"
t_end

t_begin "mounts: maskedPaths hide files and directories"
# a /proc file that exists and is not empty on this host (kernels differ)
pf=
for f in /proc/kcore /proc/timer_list /proc/keys /proc/interrupts /proc/cpuinfo; do
	[ -n "$(head -c 1 "$f" 2>/dev/null)" ] && pf=$f && break
done
make_bundle "$B" /bin/sh -c "echo procfile; nook-test cat $pf | wc -c;"'
	echo secret.txt; nook-test cat /secret.txt; echo secret; nook-test ls /secret;
	nook-test write /secret/new; echo end' >/dev/null
mkdir -p "$B/rootfs/secret/sub"
echo topsecret >"$B/rootfs/secret.txt"
echo topsecret >"$B/rootfs/secret/file"
cfg "$B" --arg pf "$pf" '.linux.maskedPaths = [$pf, "/secret.txt", "/secret", "/no/such/path"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_nomatch "content" "$out" "topsecret|^file$|^sub$"
expect_match "$pf" "$(printf '%s\n' "$out" | sed -n '/^procfile$/{n;p}')" "^ *0$"
expect_match "write in a masked dir" "$out" "^errno [0-9]+ (EROFS|EACCES|EPERM)$"
expect_match "end reached" "$out" "^end$"
t_end

t_begin "mounts: readonlyPaths"
make_bundle "$B" /bin/sh -c 'nook-test mounts; echo rodir; nook-test write /rodir/f;
	echo rwdir; nook-test write /rwdir/f; echo proc; nook-test write /proc/sys/kernel/hostname' >/dev/null
mkdir -p "$B/rootfs/rodir" "$B/rootfs/rwdir"
# CAP_SYS_ADMIN: only the read-only mount may stop the write to /proc/sys
cfg "$B" '.linux.readonlyPaths = ["/proc/sys", "/rodir", "/no/such/path"] |
	.process.capabilities.bounding += ["CAP_SYS_ADMIN"] |
	.process.capabilities.effective += ["CAP_SYS_ADMIN"] |
	.process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
new_id
out=$(bundle_run "$B" "$ID" 2>&1)
expect_status "run" $? 0 "$out"
expect_match "/rodir" "$(mountopt /rodir)" " ro[ ,]"
expect_match "/proc/sys" "$(mountopt /proc/sys)" " ro[ ,]"
expect_match "write /rodir/f" "$(printf '%s\n' "$out" | sed -n '/^rodir$/{n;p}')" "EROFS"
expect_eq "write /rwdir/f" "$(printf '%s\n' "$out" | sed -n '/^rwdir$/{n;p}')" ok
expect_match "write /proc/sys/kernel/hostname" "$(printf '%s\n' "$out" | sed -n '/^proc$/{n;p}')" "EROFS"
t_end

t_begin "mounts: default devices and /dev symlinks"
run_cfg '.' /bin/sh -c 'for d in null zero full random urandom tty; do
	[ -c /dev/$d ] && echo "dev $d"; done;
	nook-test readlink /dev/fd; nook-test readlink /dev/stdin; nook-test readlink /dev/ptmx;
	nook-test write /dev/null x; head -c 4 /dev/zero | wc -c'
expect_status "run" $rc 0 "$out"
for d in null zero full random urandom tty; do
	expect_match "/dev/$d" "$out" "^dev $d$"
done
expect_match "/dev/fd" "$out" "^/proc/self/fd$"
expect_match "/dev/stdin" "$out" "^/proc/self/fd/0$"
expect_match "/dev/ptmx" "$out" "^(pts/ptmx|/dev/pts/ptmx)$"
expect_match "write /dev/null" "$out" "^ok$"
expect_match "read /dev/zero" "$out" "^ *4$"
t_end

t_begin "mounts: proc shows the container's own pids"
run_cfg '.' /bin/nook-test ls /proc
expect_match "/proc/1" "$out" "^1$"
n=$(printf '%s\n' "$out" | grep -c '^[0-9][0-9]*$')
[ "$n" -le 3 ] || t_why "$n pids visible in /proc"
t_end

# Device nodes get exactly the mode and owner asked for, whatever the
# caller's umask (they are made with umask 0, then chowned).
t_begin "mounts: device nodes keep their mode and owner under umask 077"
old_umask=$(umask)
umask 077
run_cfg '.linux.devices = [{path: "/dev/tdev", type: "c", major: 1, minor: 3,
	fileMode: 416, uid: 1000, gid: 1001}]' \
	/bin/sh -c 'stat -c "%n %A %u:%g %t:%T" /dev/null /dev/zero /dev/tty /dev/tdev'
umask "$old_umask"
expect_status "run" $rc 0 "$out"
expect_match "/dev/null" "$out" "^/dev/null crw-rw-rw- 0:0 1:3$"
expect_match "/dev/zero" "$out" "^/dev/zero crw-rw-rw- 0:0 1:5$"
expect_match "/dev/tty" "$out" "^/dev/tty crw-rw-rw- 0:0 5:0$"
expect_match "/dev/tdev" "$out" "^/dev/tdev crw-r----- 1000:1001 1:3$"
t_end
