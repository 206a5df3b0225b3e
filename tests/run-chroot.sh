#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The exec and CVE tests where the container's init cannot pivot_root and
# moves its rootfs over "/" and chroots instead:
#   1. priv-chroot, e2e-chroot: nook itself runs in a chroot (its root a
#      mount point, as a router's or a build system's chroot into a mounted
#      image is): the container's pivot_root replaces the chroot's mount,
#      not the namespace's root;
#   2. priv-chroot-nopivot: the same chroot, every create/run --no-pivot
#      (the MS_MOVE + chroot path of an initramfs root);
#   3. priv-nopivot: on this root, every create/run with --no-pivot.
# In 1 and 2 the mount namespace's own root is the host's, not the
# container's: an exec that only joins the namespace lands in the host's
# filesystem.  A chroot into a plain directory (not a mount point) is
# refused with an error that says so.
#
# usage: tests/run-chroot.sh BUILD_DIR
# Prints the result lines of the tests it runs (tests/summary.sh counts
# them); exits 1 if any failed.  Needs root, unshare and chroot.
build=${1:?usage: tests/run-chroot.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
PRIV="exec fds sec-cve-2019-5736 sec-cve-2021-30465 sec-cve-2024-21626"
E2E="exec cve-2019-5736"

if [ "$(id -u)" != 0 ]; then
	echo "ok - priv-chroot: all # SKIP needs root"
	exit 0
fi

rc=0
# shellcheck disable=SC2086
NOOK_TEST_TIER=priv-nopivot NOOK_TEST_NO_PIVOT=1 sh "$top/tests/run-tier.sh" priv "$build" $PRIV || rc=1

# The chroot: a directory on the filesystem of /tmp, the host's own
# directories bound into it, in a private mount namespace of ours (the binds
# vanish with it: nothing of the host's mounts changes).
c=$(mktemp -d /tmp/nook-chroot.XXXXXX) || exit 1
trap 'rm -rf "$c"' EXIT
# shellcheck disable=SC2016
unshare -m --propagation private sh -c '
	c=$1 top=$2 build=$3 priv=$4 e2e=$5
	set -e
	mount --bind "$c" "$c"
	for d in bin sbin lib lib32 lib64 libx32; do
		if [ -L "/$d" ]; then
			cp -P "/$d" "$c/$d"             # merged /usr: a symlink
		elif [ -d "/$d" ]; then
			mkdir "$c/$d" && mount --bind "/$d" "$c/$d"
		fi
	done
	for d in usr etc var tmp run; do
		mkdir -p "$c/$d" && mount --bind "/$d" "$c/$d"
	done
	for d in proc sys dev; do
		mkdir -p "$c/$d" && mount --rbind "/$d" "$c/$d"
	done
	mkdir -p "$c$top" && mount --bind "$top" "$c$top"
	set +e
	exec chroot "$c" /bin/sh -c "
		cd \"$top\" || exit 1
		rc=0
		NOOK_TEST_TIER=priv-chroot sh tests/run-tier.sh priv \"$build\" $priv || rc=1
		NOOK_TEST_TIER=priv-chroot-nopivot NOOK_TEST_NO_PIVOT=1 sh tests/run-tier.sh priv \"$build\" $priv || rc=1
		NOOK_TEST_TIER=e2e-chroot sh tests/run-tier.sh e2e \"$build\" $e2e || rc=1
		exit \$rc"
' chroot "$c" "$top" "$build" "$PRIV" "$E2E" || rc=1

# A chroot into a plain directory: "/" cannot be made rslave, so the
# container's mounts could reach the host: refused, and said why.
mkdir -p "$c/plain/bin" "$c/plain/proc" "$c/plain/b/rootfs"
cp "$build/nook" "$c/plain/bin/nook"
"$build/nook" runtime spec --bundle "$c/plain/b" >/dev/null 2>&1
cp "$build/nook-test" "$c/plain/b/rootfs/nook-test"
out=$(unshare -m --propagation private sh -c '
	mount --rbind /proc "$1/proc" &&
	chroot "$1" /bin/nook runtime --root /state run --bundle /b plain-chroot 2>&1
' plain "$c/plain" </dev/null)
case $out in
*"/ is not a mount point"*) echo "ok - priv-chroot: a chroot into a plain directory is refused, and the error says why" ;;
*)
	echo "not ok - priv-chroot: a chroot into a plain directory is refused, and the error says why: got: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
	rc=1
	;;
esac
exit $rc
