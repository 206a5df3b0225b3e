#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepare a Debian 12 host (as root) to build and test nook: the packages
# below, and a deb-src entry so board/deps.sh can fetch the sources of musl,
# libseccomp and cJSON.  Idempotent: does nothing when all is there.
# The cross compilers (with the kernel headers board/deps.sh copies) and
# qemu-user for `make cross-check` are part of it: NOOK_CROSS=0 leaves them
# out.
set -eu
t0=$(date +%s)

pkgs="make gcc libc6-dev gperf file cpio busybox-static dpkg-dev
libseccomp-dev libcjson-dev jq clang-format curl
qemu-system-x86 linux-image-amd64 crun runc iproute2 procps e2fsprogs util-linux
podman conmon skopeo squashfs-tools pigz docker-registry apache2-utils python3
wget openssl time nftables iperf3 containernetworking-plugins criu iptables zstd"
[ "${NOOK_CROSS:-1}" = 1 ] && pkgs="$pkgs qemu-user-static
gcc-arm-linux-gnueabihf linux-libc-dev-armhf-cross
gcc-aarch64-linux-gnu linux-libc-dev-arm64-cross
gcc-mips-linux-gnu linux-libc-dev-mips-cross
gcc-mipsel-linux-gnu linux-libc-dev-mipsel-cross"

if [ "$(id -u)" != 0 ]; then
	echo "board/setup.sh: run as root (it installs packages)" >&2
	exit 1
fi

need_update=0
src=/etc/apt/sources.list.d/nook-deb-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ &&
   ! grep -qs '^deb-src' /etc/apt/sources.list; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src"
	else
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/nook-deb-src.list
	fi
	need_update=1
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ] || [ "$need_update" = 1 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "board/setup.sh: host ready ($(($(date +%s) - t0)) s)"
