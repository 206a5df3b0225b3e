#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The fallbacks for older kernels, run on this one: the runtime and the
# engine under a seccomp filter that answers ENOSYS to openat2 (< 5.6:
# paths inside the rootfs are then resolved by nook's own symlink-safe
# walk) and clone3 (< 5.3: clone(2), then the move into the cgroup).
# cp.sh runs there too: its escapes go through the walk; conformance-mounts
# too (a dangling symlink destination is resolved by the walk).
# Result lines priv-nosys / e2e-nosys; the CVE-2021-30465 and 2024-21626
# tests among them run through the walk.
#
# usage: tests/run-fallback.sh BUILD_DIR
build=${1:?usage: tests/run-fallback.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
NOSYS=openat2,clone3
PRIV="run exec mounts conformance-mounts lifecycle sec-cve-2021-30465 sec-cve-2024-21626"
E2E="lifecycle exec overlay cp"

if [ "$(id -u)" != 0 ]; then
	echo "ok - priv-nosys: all # SKIP needs root"
	exit 0
fi
# The filter must hold, or these runs would test nothing new.
out=$("$build/nook-nosys" $NOSYS --check 2>&1 | tr '\n' ' ')
if [ "$out" != "openat2 ENOSYS clone3 ENOSYS " ]; then
	echo "not ok - priv-nosys: the filter answers ENOSYS to $NOSYS: got '$out'"
	exit 1
fi
echo "ok - priv-nosys: the filter answers ENOSYS to $NOSYS"

w=$(mktemp -d /tmp/nook-nosys.XXXXXX) || exit 1
trap 'rm -rf "$w"' EXIT
for b in nook-runtime nook; do
	printf '#!/bin/sh\nexec "%s" %s "%s" "$@"\n' "$build/nook-nosys" "$NOSYS" "$build/$b" >"$w/$b"
	chmod 755 "$w/$b"
done
rc=0
# shellcheck disable=SC2086
NOOK_TEST_TIER=priv-nosys NOOK_RUNTIME=$w/nook-runtime sh "$top/tests/run-tier.sh" priv "$build" $PRIV || rc=1
# shellcheck disable=SC2086
NOOK_TEST_TIER=e2e-nosys NOOK=$w/nook sh "$top/tests/run-tier.sh" e2e "$build" $E2E || rc=1
exit $rc
