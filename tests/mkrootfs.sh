#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build a minimal busybox root filesystem for the privileged tests.
#   tests/mkrootfs.sh DIR [PAYLOAD]
# DIR gets bin/busybox (a static busybox, Debian's busybox-static on the
# dev/CI host) with a symlink for every applet at its usual place, /etc/passwd
# and /etc/group (root, nobody 65534, test 1000:1000), empty /proc /sys /dev
# /tmp /run /root /home, and PAYLOAD (the static nook-test) as bin/nook-test.
# Idempotent and fast: an existing, complete DIR only gets its payload
# refreshed.  BUSYBOX=path overrides the busybox binary.
set -e
dir=$1
payload=$2
if [ -z "$dir" ]; then
	echo "usage: $0 DIR [PAYLOAD]" >&2
	exit 1
fi

bb=${BUSYBOX:-}
if [ -z "$bb" ]; then
	for c in /bin/busybox /usr/bin/busybox /sbin/busybox; do
		[ -x "$c" ] && bb=$c && break
	done
fi
if [ -z "$bb" ]; then
	echo "$0: no busybox (apt-get install busybox-static)" >&2
	exit 1
fi
# A dynamically linked busybox would not run inside the rootfs.
if command -v file >/dev/null 2>&1 && file -L "$bb" | grep -q 'dynamically linked'; then
	echo "$0: $bb is dynamically linked (apt-get install busybox-static)" >&2
	exit 1
fi

mkdir -p "$dir"
# The stamp holds the checksum of the busybox the rootfs was made from.
stamp=$dir/.nook-rootfs
sum=$(cksum <"$bb")
if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
	for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp run root home/test var/tmp; do
		mkdir -p "$dir/$d"
	done
	chmod 1777 "$dir/tmp" "$dir/var/tmp"
	chmod 0700 "$dir/root"
	cp "$bb" "$dir/bin/busybox.new"
	chmod 0755 "$dir/bin/busybox.new"
	mv -f "$dir/bin/busybox.new" "$dir/bin/busybox"
	# Links to /bin/busybox at each applet's usual place: busybox makes
	# them itself in a chroot (one process, root only), else one ln each
	# from --list-full ("usr/bin/awk").
	if ! chroot "$dir" /bin/busybox --install -s 2>/dev/null || [ ! -L "$dir/bin/sh" ]; then
		"$bb" --list-full | while read -r app; do
			case $app in
			bin/busybox | "") continue ;;
			esac
			[ -e "$dir/$app" ] || [ -L "$dir/$app" ] || ln -s /bin/busybox "$dir/$app"
		done
	fi
	cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
test:x:1000:1000:test:/home/test:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
	cat >"$dir/etc/group" <<'EOF'
root:x:0:
test:x:1000:
nogroup:x:65534:
EOF
	echo nook-test >"$dir/etc/hostname"
	: >"$dir/etc/resolv.conf"
	printf '127.0.0.1\tlocalhost\n' >"$dir/etc/hosts"
	chown 1000:1000 "$dir/home/test" 2>/dev/null || : # not as a user
	echo "$sum" >"$stamp"
fi

if [ -n "$payload" ]; then
	if ! cmp -s "$payload" "$dir/bin/nook-test" 2>/dev/null; then
		cp "$payload" "$dir/bin/nook-test.new"
		chmod 0755 "$dir/bin/nook-test.new"
		mv -f "$dir/bin/nook-test.new" "$dir/bin/nook-test"
	fi
fi
