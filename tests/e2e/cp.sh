#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cp, as podman's: files and directories in and out of running and stopped
# containers (--rootfs DIR, --rootfs DIR:O, an image), podman's rules for a
# destination that exists, does not, ends with "/", and for "DIR/."; tar
# archives on stdin and stdout; what goes in belongs to the container's
# user (--archive=false: as it was), what comes out to us.  A container's
# paths never lead out of it: "..", absolute and relative symlinks in the
# container are resolved inside its root, and the host paths they name are
# checked to be untouched.  Refusals are one line, exit 125.
#
# The image is made by podman (img_from_dir); without podman that check
# skips.  Against podman (NOOK=podman): its one-line messages are checked,
# not their words, and a tar entry with "../" is extracted inside the
# container by podman where nook refuses it: that the host is untouched is
# checked against both.
. "$(dirname "$0")/lib.sh"

H=$T_DIR/host
mkdir -p "$H/dir/sub" "$T_DIR/victim"
echo hf >"$H/file"
echo a >"$H/dir/a"
echo b >"$H/dir/sub/b"
chown 1234:1234 "$H/dir/a"
chmod 0640 "$H/dir/a"
echo secret >"$T_DIR/victim/secret"

# In the container's rootfs: symlinks that would leave it if followed on
# the host, and a file owned by 1000.
mkdir -p "$ROOTFS/data"
echo data >"$ROOTFS/data/f"
chown 1000:1000 "$ROOTFS/data/f"
ln -s /etc "$ROOTFS/abs-etc"
ln -s ../../../../../../../../../../etc "$ROOTFS/rel-etc"
ln -s "$T_DIR/victim" "$ROOTFS/to-victim"
ln -s /etc/passwd "$ROOTFS/passwd-link"

# one_line WHAT TEXT: TEXT is one line
one_line() {
	[ "$(printf '%s\n' "$2" | wc -l)" = 1 ] || t_why "$1: not one line: '$(oneline "$2")'"
}

# refused WHAT OUTPUT STATUS [ERE]: exit 125, one line (naming ERE, nook)
refused() {
	expect_status "$1" "$3" 125 "$2"
	one_line "$1" "$2"
	if [ -n "${4:-}" ] && [ "$T_PODMAN" = 0 ]; then
		expect_match "$1" "$2" "$4"
	fi
}

# s1 runs (podman 4.3 copies to and from an empty tree for a stopped
# --rootfs container): its root is DIR, seen here as $ROOTFS
run_sleeper s1 || fail "cp: setup" "run s1: $RUN_OUT"

t_begin "cp: a file in: new name, into a directory, over a file"
out=$(nk cp "$H/file" s1:/new1 2>&1)
expect_status "to a new name" $? 0 "$out"
out=$(nk cp "$H/file" s1:/tmp 2>&1)
expect_status "into /tmp" $? 0 "$out"
echo old >"$ROOTFS/over"
out=$(nk cp "$H/file" s1:over 2>&1)
expect_status "over a file (relative path)" $? 0 "$out"
expect_eq "new1" "$(cat "$ROOTFS/new1" 2>&1)" hf
expect_eq "tmp/file" "$(cat "$ROOTFS/tmp/file" 2>&1)" hf
expect_eq "over" "$(cat "$ROOTFS/over" 2>&1)" hf
expect_eq "owner: the container's user" "$(stat -c %u:%g "$ROOTFS/new1")" 0:0
out=$(nk cp "$H/file" s1:/nodir/ 2>&1)
refused "to a missing directory/" "$out" $? '"/nodir/" could not be found on container s1'
out=$(nk cp "$H/file" s1:/nodir/x 2>&1)
refused "into a missing directory" "$out" $? 'could not be found on container s1'
[ -e "$ROOTFS/nodir" ] && t_why "nodir made"
t_end

t_begin "cp: a directory in: new name, into a directory, DIR/. its contents"
out=$(nk cp "$H/dir" s1:/newd 2>&1)
expect_status "to a new name" $? 0 "$out"
out=$(nk cp "$H/dir/" s1:/tmp 2>&1)
expect_status "into /tmp" $? 0 "$out"
out=$(nk cp "$H/dir/." s1:/root 2>&1)
expect_status "DIR/. into /root" $? 0 "$out"
expect_eq "newd" "$(cd "$ROOTFS/newd" 2>&1 && find . | sort | tr '\n' ' ')" ". ./a ./sub ./sub/b "
expect_eq "tmp/dir" "$(cat "$ROOTFS/tmp/dir/sub/b" 2>&1)" b
expect_eq "root/a" "$(cat "$ROOTFS/root/a" 2>&1)" a
expect_eq "/root's own mode kept" "$(stat -c %a "$ROOTFS/root")" 700
expect_eq "a's mode" "$(stat -c %a "$ROOTFS/newd/a")" 640
expect_eq "a's owner: the container's user" "$(stat -c %u:%g "$ROOTFS/newd/a")" 0:0
out=$(nk cp "$H/dir" s1:/new1 2>&1)
refused "a directory over a file" "$out" $? 'destination must be a directory'
expect_eq "new1 untouched" "$(cat "$ROOTFS/new1" 2>&1)" hf
out=$(nk cp "$H/nofile" s1:/x 2>&1)
refused "a missing source" "$out" $? 'nofile" could not be found on the host'
out=$(nk cp "$H/file" nosuchctr:/x 2>&1)
refused "a missing container" "$out" $? 'nosuchctr'
t_end

t_begin "cp: out: a file, a directory, DIR/., owned by us"
rm -rf "$T_DIR/out" && mkdir "$T_DIR/out"
out=$(nk cp s1:/data/f "$T_DIR/out/f" 2>&1)
expect_status "a file" $? 0 "$out"
expect_eq "f" "$(cat "$T_DIR/out/f" 2>&1)" data
expect_eq "f's owner" "$(stat -c %u:%g "$T_DIR/out/f")" "$(id -u):$(id -g)"
out=$(nk cp s1:/newd "$T_DIR/out/d" 2>&1)
expect_status "a directory to a new name" $? 0 "$out"
out=$(nk cp s1:/newd "$T_DIR/out" 2>&1)
expect_status "a directory into one" $? 0 "$out"
mkdir "$T_DIR/out/c"
out=$(nk cp s1:/newd/. "$T_DIR/out/c" 2>&1)
expect_status "DIR/." $? 0 "$out"
expect_eq "d" "$(cat "$T_DIR/out/d/sub/b" 2>&1)" b
expect_eq "into" "$(cat "$T_DIR/out/newd/a" 2>&1)" a
expect_eq "contents" "$(cat "$T_DIR/out/c/a" 2>&1)" a
out=$(nk cp s1:/nope "$T_DIR/out/x" 2>&1)
refused "a missing source" "$out" $? '"/nope" could not be found on container s1'
out=$(nk cp s1:/data/f "$T_DIR/out/nodir/" 2>&1)
refused "to a missing directory/" "$out" $? 'could not be found on the host'
t_end

t_begin "cp: tar archives on stdin and stdout"
out=$(nk cp s1:/newd - 2>/dev/null | tar -tf - 2>&1 | sed 's|/$||' | sort | tr '\n' ' ')
expect_eq "a directory out" "$out" "newd newd/a newd/sub newd/sub/b "
out=$(nk cp s1:/newd/. - 2>/dev/null | tar -tf - 2>&1 | sed 's|^\./||; s|/$||' | grep -v '^\.\?$' | sort | tr '\n' ' ')
expect_eq "DIR/. out" "$out" "a sub sub/b "
mkdir -p "$ROOTFS/tin"
out=$( (cd "$H/dir" && tar -cf - .) | nk cp - s1:/tin 2>&1)
expect_status "a tar in" $? 0 "$out"
out=$( (cd "$H/dir" && tar -czf - . 2>/dev/null) | nk cp - s1:/tin/gz 2>&1)
refused "into a missing directory" "$out" $? 'destination must be a directory'
mkdir -p "$ROOTFS/tin/gz"
out=$( (cd "$H/dir" && tar -czf - .) | nk cp - s1:/tin/gz 2>&1)
expect_status "a gzip'd tar in" $? 0 "$out"
expect_eq "tar in" "$(cat "$ROOTFS/tin/sub/b" "$ROOTFS/tin/gz/a" 2>&1)" "b
a"
out=$(echo garbage | nk cp - s1:/tin 2>&1)
refused "not a tar" "$out" $? 'tar archive'
t_end

t_begin "cp: paths stay inside the container"
out=$(nk cp "$H/file" s1:../../../../etc/cp-dotdot 2>&1)
expect_status "to ../../../../etc/cp-dotdot" $? 0 "$out"
[ -e /etc/cp-dotdot ] && t_why "/etc/cp-dotdot written on the host" && rm -f /etc/cp-dotdot
expect_eq "lands in the container's /etc" "$(cat "$ROOTFS/etc/cp-dotdot" 2>&1)" hf
for l in abs-etc rel-etc; do
	out=$(nk cp "$H/file" "s1:/$l/cp-$l" 2>&1)
	expect_status "through /$l" $? 0 "$out"
	[ -e "/etc/cp-$l" ] && t_why "/etc/cp-$l written on the host" && rm -f "/etc/cp-$l"
	expect_eq "through /$l" "$(cat "$ROOTFS/etc/cp-$l" 2>&1)" hf
done
out=$(nk cp "$H/file" s1:/passwd-link 2>&1)
expect_status "over /passwd-link" $? 0 "$out"
expect_eq "the container's passwd written" "$(cat "$ROOTFS/etc/passwd" 2>&1)" hf
grep -q '^root:' /etc/passwd || t_why "the host's /etc/passwd changed"
out=$(nk cp "$H/file" s1:/to-victim/planted 2>&1)
refused "through a link to a host path" "$out" $? 'could not be found on container s1'
[ -e "$T_DIR/victim/planted" ] && t_why "written through /to-victim on the host"
out=$(nk cp s1:/to-victim/secret "$T_DIR/out/stolen" 2>&1)
refused "out through a link to a host path" "$out" $? 'could not be found on container s1'
out=$(nk cp "s1:/../../../../$T_DIR/victim/secret" "$T_DIR/out/stolen2" 2>&1)
refused "out through ../" "$out" $? 'could not be found on container s1'
[ -e "$T_DIR/out/stolen" ] || [ -e "$T_DIR/out/stolen2" ] && t_why "a host file copied out"
# a tar entry that climbs (GNU tar writes one): refused by nook, kept
# inside by podman
GNUTAR=
for c in gtar /usr/bin/tar /bin/tar; do
	"$c" --version 2>/dev/null | grep -q 'GNU tar' && GNUTAR=$c && break
done
if [ -n "$GNUTAR" ]; then
	printf 'x\n' >"$T_DIR/climb"
	out=$($GNUTAR -cf - -P --transform 's|.*climb|../../../../../../../../../../tmp/cp-climbed|' \
		"$T_DIR/climb" 2>/dev/null | nk cp - s1:/tin 2>&1)
	st=$?
	[ -e /tmp/cp-climbed ] && t_why "a ../ tar entry written on the host" && rm -f /tmp/cp-climbed
	if [ "$T_PODMAN" = 0 ]; then
		refused "a ../ tar entry" "$out" $st 'refusing path with ".."'
	fi
else
	skip "$T_CUR: a ../ tar entry" "optional: no GNU tar here to write one"
fi
t_end

t_begin "cp: --archive: the container's user by default, the source's owners with =false"
run_sleeper u1 -u 1000:1000 || t_why "run u1: $RUN_OUT"
out=$(nk cp "$H/dir" u1:/tmp/d1 2>&1)
expect_status "cp" $? 0 "$out"
out=$(nk cp --archive=false "$H/dir" u1:/tmp/d2 2>&1)
expect_status "cp --archive=false" $? 0 "$out"
out=$(nk exec u1 /bin/stat -c '%n %u:%g' /tmp/d1/a /tmp/d1/sub/b /tmp/d2/a 2>&1)
expect_eq "owners" "$out" "/tmp/d1/a 1000:1000
/tmp/d1/sub/b 1000:1000
/tmp/d2/a 1234:1234"
t_end

t_begin "cp: a stopped --rootfs DIR container: DIR itself"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "cp: a stopped --rootfs DIR container" "4.3 copies to and from an empty tree"
else
	nk_create --name s2 --rootfs "$ROOTFS" /bin/true >/dev/null 2>&1 || t_why "create s2"
	out=$(nk cp "$H/dir" s2:/s2dir 2>&1)
	expect_status "in" $? 0 "$out"
	expect_eq "in DIR" "$(cat "$ROOTFS/s2dir/sub/b" 2>&1)" b
	out=$(nk cp s2:/s2dir/a - 2>/dev/null | tar -xOf - 2>&1)
	expect_eq "out" "$out" a
	t_end
fi

t_begin "cp: a running container: its mounts are seen, files come and go both ways"
out=$(nk_run -d --name r1 --tmpfs /scratch -v rv:/vol --rootfs "$ROOTFS" /bin/sh -c \
	'echo from-ctr >/scratch/made; echo ready; while [ ! -e /vol/in ]; do sleep 0.1; done; cat /vol/in /scratch/in2; sleep 1000' 2>&1)
expect_status "run -d" $? 0 "$out"
wait_logs r1 '^ready$' 10 || t_why "r1 did not start"
out=$(nk cp "$H/file" r1:/scratch/in2 2>&1)
expect_status "into its tmpfs" $? 0 "$out"
out=$(nk cp "$H/file" r1:/vol/in 2>&1)
expect_status "into its volume" $? 0 "$out"
wait_logs r1 '^hf$' 10 || t_why "the container did not see the files: $(nk logs r1 2>&1 | tr '\n' ' ')"
[ -e "$ROOTFS/scratch/in2" ] && t_why "the tmpfs file landed in DIR"
out=$(nk cp r1:/scratch/made "$T_DIR/out/made" 2>&1)
expect_status "out of its tmpfs" $? 0 "$out"
expect_eq "out of its tmpfs" "$(cat "$T_DIR/out/made" 2>&1)" from-ctr
nk rm -f r1 >/dev/null 2>&1
t_end

t_begin "cp: between two containers, and within one; paths stay inside both"
out=$(nk_run -d --name x1 --tmpfs /t1 --rootfs "$ROOTFS" /bin/sh -c \
	'mkdir -p /t1/d/sub; echo one >/t1/d/f; echo two >/t1/d/sub/g; echo ready; sleep 1000' 2>&1)
expect_status "run -d x1" $? 0 "$out"
out=$(nk_run -d --name x2 --tmpfs /t2 --rootfs "$ROOTFS" /bin/sh -c 'echo ready; sleep 1000' 2>&1)
expect_status "run -d x2" $? 0 "$out"
wait_logs x1 '^ready$' 10 || t_why "x1 did not start"
wait_logs x2 '^ready$' 10 || t_why "x2 did not start"
out=$(nk cp x1:/t1/d x2:/t2/copy 2>&1)
expect_status "a directory from x1's tmpfs to x2's" $? 0 "$out"
expect_eq "what x2 sees" "$(nk exec x2 cat /t2/copy/f /t2/copy/sub/g 2>&1 | tr '\n' ' ')" "one two "
[ -e "$ROOTFS/t2/copy" ] && t_why "the copy landed in DIR, not in x2's tmpfs"
out=$(nk cp x1:/data/f x2:/t2/owned 2>&1)
expect_status "a file of uid 1000" $? 0 "$out"
expect_eq "owned by x2's user" "$(nk exec x2 stat -c %u:%g /t2/owned 2>&1)" "0:0"
# podman 4.3 between containers: --archive=false gives root too, and a
# copy within one container hangs until the test's timeout kills it
kept=
if [ "$T_PODMAN" = 0 ]; then
	out=$(nk cp --archive=false x1:/data/f x2:/t2/kept 2>&1)
	expect_status "--archive=false" $? 0 "$out"
	expect_eq "--archive=false keeps its owner" "$(nk exec x2 stat -c %u:%g /t2/kept 2>&1)" "1000:1000"
	kept=kept
	out=$(nk cp x1:/t1/d/f x1:/t1/f2 2>&1)
	expect_status "within x1" $? 0 "$out"
	expect_eq "within x1" "$(nk exec x1 cat /t1/f2 2>&1)" one
fi
# the host's victim is not in either container's root
out=$(nk cp x1:/to-victim/secret x2:/t2/secret 2>&1)
refused "a symlink to a host path" "$out" $? 'to-victim'
expect_eq "nothing copied" "$(nk exec x2 ls /t2 2>&1 | tr '\n' ' ')" "copy ${kept:+$kept }owned "
out=$(nk cp x1:/t1/d x2:/rel-etc/copied 2>&1)
[ -e /etc/copied ] && { rm -rf /etc/copied; t_why "written into the host's /etc"; }
out=$(nk cp x1:/nonexistent x2:/t2/n 2>&1)
refused "a missing source" "$out" $? '/nonexistent'
out=$(nk cp nosuchctr:/a x2:/t2/n 2>&1)
refused "an unknown container" "$out" $? 'nosuchctr'
nk rm -f x1 x2 >/dev/null 2>&1
t_end

mkdir -p "$T_DIR/imgroot/opt" && cp -a "$ROOTFS/bin" "$ROOTFS/etc" "$T_DIR/imgroot/" &&
	echo layer >"$T_DIR/imgroot/opt/l"
if ! img_from_dir localhost/nook-cp:1 "$T_DIR/imgroot"; then
	skip "cp: an image's stopped container" "$IMG_WHY"
else
	t_begin "cp: a stopped container of an image: its overlay, mounted for the copy only; its volume"
	nk_create --name i1 -v cpvol:/vol localhost/nook-cp:1 /bin/cat /opt/l /opt/in /vol/d/a \
		>/dev/null 2>&1 || t_why "create i1"
	out=$(nk cp "$H/file" i1:/opt/in 2>&1)
	expect_status "in" $? 0 "$out"
	out=$(nk cp "$H/dir" i1:/vol/d 2>&1)
	expect_status "into the volume" $? 0 "$out"
	expect_eq "in the volume" "$(cat "$T_DIR/root/volumes/cpvol/_data/d/sub/b" 2>&1)" b
	# (not /vol itself: podman 4.3 copies a volume's root to the
	# destination's directory, whatever its name)
	out=$(nk cp i1:/vol/d "$T_DIR/out/volcopy" 2>&1)
	expect_status "out of the volume" $? 0 "$out"
	expect_eq "out of the volume" "$(cat "$T_DIR/out/volcopy/a" 2>&1)" a
	out=$(nk cp i1:/opt/l - 2>/dev/null | tar -xOf - 2>&1)
	expect_eq "out" "$out" layer
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "no mount left" "$(mounts_under "$T_DIR/run")" ""
	fi
	out=$(nk start -a i1 2>&1)
	expect_eq "the container sees it" "$out" "layer
hf
a"
	t_end
fi
