#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything `make check` runs, in order, into one log; the closing line is
# "N passed, N failed, N skipped" (tests/summary.sh).
#   1. unit tests (host gcc, ASan/UBSan)          tests/unit/
#   2. privileged tests: real containers (root)    tests/priv/
#   3. the engine end to end (root)                tests/e2e/
#   4. exec and CVE tests from a chroot and with
#      --no-pivot (root)                           tests/run-chroot.sh
#      the fallbacks: openat2 and clone3 made to
#      answer ENOSYS (root)                        tests/run-fallback.sh
#   5. cross builds + unit tests in qemu-user      make cross-check
#   6. the test VM: cgroup v2 with all controllers board/vm/
#   7. packaging; style: clang-format of the C sources
# Each section ends with a "# time: SECTION: N s" line.
# usage: tests/check.sh BUILD_DIR UNIT_TEST_BINARIES...
build=$1
shift
log=build/check.log
mkdir -p build
: > "$log"

# section NAME: closes the previous section with its time, opens NAME
cur=
t0=$(date +%s)
section() {
	now=$(date +%s)
	[ -n "$cur" ] && echo "# time: $cur: $((now - t0)) s" | tee -a "$log"
	cur=$1
	t0=$now
	[ -n "$1" ] && echo "== $1" | tee -a "$log"
}

# What nook's networks leave on the host (bridges nook*, the nftables table
# inet nook): the suite makes its networks in namespaces of its own only.
host_net() {
	ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep '^nook' | sort
	command -v nft >/dev/null && nft list tables 2>/dev/null | grep -x 'table inet nook'
}
host_net0=$(host_net)

section "unit tests"
tests/run-unit.sh "$@" 2>&1 | tee -a "$log"

section "privileged tests"
tests/run-priv.sh "$build" 2>&1 | tee -a "$log"

section "engine end-to-end tests"
tests/run-e2e.sh "$build" 2>&1 | tee -a "$log"

section "exec and CVE tests from a chroot and with --no-pivot"
tests/run-chroot.sh "$build" 2>&1 | tee -a "$log"

section "fallbacks: openat2 and clone3 answering ENOSYS"
tests/run-fallback.sh "$build" 2>&1 | tee -a "$log"

section "cross builds and qemu-user unit tests"
if [ "${NOOK_SKIP_CROSS:-0}" = 1 ]; then
	echo "ok - cross: all # SKIP NOOK_SKIP_CROSS=1" | tee -a "$log"
else
	make --no-print-directory cross-check 2>&1 | tee -a "$log"
fi

section "VM tests"
if [ "${NOOK_SKIP_VM:-0}" = 1 ]; then
	echo "ok - vm: all # SKIP NOOK_SKIP_VM=1" | tee -a "$log"
else
	board/vm/run.sh "$build" 2>&1 | tee -a "$log"
fi

section "packaging"
sh board/openwrt/check.sh 2>&1 | tee -a "$log"
# the smallest build: without the API service and without images
v=build/x86_64-noapi-noimages
if out=$(make -s NOOK_API=0 NOOK_IMAGES=0 "$v/nook" 2>&1); then
	img=$("$v/nook" --root "$v/root" --runroot "$v/run" run --rm localhost/x true 2>&1)
	api=$("$v/nook" --root "$v/root" --runroot "$v/run" system service 2>&1)
	case $img$api in
	*"built without images"*"NOOK_API=0"*)
		echo "ok - packaging: NOOK_API=0 NOOK_IMAGES=0 builds ($(stat -c %s "$v/nook") bytes) and says what it lacks" ;;
	*) echo "not ok - packaging: NOOK_API=0 NOOK_IMAGES=0: run IMAGE said '$img', system service '$api'" ;;
	esac
else
	echo "not ok - packaging: make NOOK_API=0 NOOK_IMAGES=0: $(printf '%s\n' "$out" | tail -1)"
fi 2>&1 | tee -a "$log"
rm -rf "$v/root" "$v/run"

section "host"
if [ "$(host_net)" = "$host_net0" ]; then
	echo "ok - host: the tests left no bridge or nftables table of nook on the host"
else
	echo "not ok - host: the tests left on the host: $(host_net | tr '\n' ' ')(before: $(printf '%s' "$host_net0" | tr '\n' ' '))"
fi 2>&1 | tee -a "$log"

section "style"
if command -v clang-format >/dev/null; then
	files=$(ls oci/*.[ch] engine/*.[ch] store/*.[ch] monitor/*.[ch] tests/unit/*.[ch] tests/payload/*.c 2>/dev/null)
	# shellcheck disable=SC2086
	if out=$(clang-format --dry-run $files 2>&1) && [ -z "$out" ]; then
		echo "ok - style: clang-format" | tee -a "$log"
	else
		echo "not ok - style: clang-format: $(echo "$out" | grep -c 'warning:') lines differ (make format)" | tee -a "$log"
	fi
else
	echo "ok - style: clang-format # SKIP optional: clang-format not installed" | tee -a "$log"
fi

section ""
echo "==" | tee -a "$log"
tests/summary.sh "$log"
