#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the static musl toolchain prefix for one target: musl libc, the
# kernel UAPI headers, cJSON and libseccomp, all from Debian's source
# packages, into build/deps/<target>.  The result is cached: a prefix with a
# .done stamp is reused (the stamp holds the extra flags it was built with; a
# change of them rebuilds).  Used by the Makefile only when the caller did
# not hand us its own toolchain (OpenWrt SDK, Yocto).
#
# usage: board/deps.sh TARGET OUTDIR
set -eu

target=$1
out=$2
srcdir=$(dirname "$out")/src

case $target in
x86_64)  triple=x86_64-linux-gnu;    arch=x86 ;;
armhf)   triple=arm-linux-gnueabihf; arch=arm ;;
aarch64) triple=aarch64-linux-gnu;   arch=arm64 ;;
mips)    triple=mips-linux-gnu;      arch=mips ;;
mipsel)  triple=mipsel-linux-gnu;    arch=mips ;;
*) echo "deps.sh: unknown target '$target' (x86_64 armhf aarch64 mips mipsel)" >&2; exit 1 ;;
esac

# Extra code generation flags for the whole prefix (the Makefile gives nook
# the same): Debian's MIPS gcc makes PIC code by default (PIE), which a
# static executable does not need: nook is 12% smaller without.  No unwind
# tables (C, nothing unwinds): ~7 KB of libseccomp and cJSON on x86_64 and
# aarch64.
nounwind="-fno-asynchronous-unwind-tables -fno-unwind-tables"
case $target in
mips | mipsel) xflags="-fno-pie -mno-shared -mplt $nounwind" xldflags=-no-pie ;;
*) xflags=$nounwind xldflags='' ;;
esac

if [ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$xflags" ]; then
	touch "$out/.done" # newer than this script: make is satisfied
	exit 0
fi

if [ "$target" = x86_64 ] && [ "$(uname -m)" = x86_64 ]; then
	cross=
	hostcc=gcc
	uapi=/usr/include
	asmdir=/usr/include/x86_64-linux-gnu/asm
else
	cross=$triple-
	hostcc=${triple}-gcc
	uapi=/usr/$triple/include
	asmdir=$uapi/asm
fi
command -v "$hostcc" >/dev/null || {
	echo "deps.sh: compiler '$hostcc' not found (apt-get install gcc-$triple)" >&2
	exit 1
}

# Sources: Debian's source packages, fetched once into build/src.
mkdir -p "$srcdir"
for p in musl libseccomp cjson; do
	if ! ls -d "$srcdir/$p"-[0-9]* >/dev/null 2>&1; then
		(cd "$srcdir" && apt-get source -qq "$p" >/dev/null 2>&1) || {
			echo "deps.sh: 'apt-get source $p' failed: add a deb-src entry (see README)" >&2
			exit 1
		}
	fi
done
musl_src=$(ls -d "$srcdir"/musl-[0-9]* | head -n1)
seccomp_src=$(ls -d "$srcdir"/libseccomp-[0-9]* | head -n1)
cjson_src=$(ls -d "$srcdir"/cjson-[0-9]* | head -n1)

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
mkdir -p "$work"

echo "  DEPS    musl for $target"
cp -a "$musl_src" "$work/musl"
(cd "$work/musl" &&
	./configure --prefix="$out" --disable-shared --enable-wrapper=gcc --target="$triple" \
		CROSS_COMPILE="$cross" CC="$hostcc" CFLAGS="$xflags" >/dev/null &&
	make -j"$(nproc)" >/dev/null && make install >/dev/null)

# Kernel UAPI headers: musl ships none, libseccomp and we need them.
cp -a "$uapi/linux" "$uapi/asm-generic" "$out/include/"
[ -d "$uapi/mtd" ] && cp -a "$uapi/mtd" "$out/include/"
cp -a "$asmdir" "$out/include/asm"

cc="$out/bin/musl-gcc"
[ -x "$cc" ] || { echo "deps.sh: musl-gcc wrapper missing in $out/bin" >&2; exit 1; }

echo "  DEPS    cJSON for $target"
# shellcheck disable=SC2086
"$cc" -Os $xflags -ffunction-sections -fdata-sections -c "$cjson_src/cJSON.c" -o "$work/cJSON.o"
"${cross}ar" rcs "$out/lib/libcjson.a" "$work/cJSON.o"
mkdir -p "$out/include/cjson"
cp "$cjson_src/cJSON.h" "$out/include/cjson/"

echo "  DEPS    libseccomp for $target"
cp -a "$seccomp_src" "$work/seccomp"
(cd "$work/seccomp" &&
	./configure --host="$triple" --prefix="$out" --enable-static \
		--disable-shared --disable-python CC="$cc" \
		CFLAGS="-Os $xflags -ffunction-sections -fdata-sections" \
		LDFLAGS="$xldflags" >/dev/null &&
	make -j"$(nproc)" -C include >/dev/null &&
	make -j"$(nproc)" -C src libseccomp.la >/dev/null &&
	make -C include install >/dev/null &&
	make -C src install-libLTLIBRARIES >/dev/null)

rm -rf "$work"
printf '%s' "$xflags" > "$out/.done"
