#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What can be checked of the OpenWrt package without OpenWrt's tree or SDK:
#   board/openwrt/check.sh
#  1. syntax: files/nook.init under sh -n and busybox sh -n; files/nook.config
#     is UCI (config/option/list lines, comments);
#  2. the package Makefile, evaluated with a stand-in for OpenWrt's rules.mk
#     and package.mk (board/openwrt/test/): the fields a feed package must
#     set, and `$(eval $(call BuildPackage,nook))`;
#  3. the package built the way OpenWrt builds it (Build/Compile with
#     OpenWrt's CC/CFLAGS/LDFLAGS/CROSS_COMPILE hand-over, dynamic against
#     libseccomp and libcjson, make install DESTDIR, Package/nook/install)
#     with the host's compiler, and the result's layout and binary; and
#     the commands of a build with CONFIG_USE_MIPS16's -mips16 (make -n);
#  4. files/nook.init's procd functions (start_service, stop_service,
#     reload_service, status_service, boot, service_triggers) run with stubs
#     for rc.common/procd/uci and a fake nook: what it hands to the helper
#     (board/sysv/S60nook), the mount wait, the default-path links.
# Prints "ok - openwrt: ..." / "not ok - ..." / "ok - ... # SKIP ..." lines (the
# format tests/summary.sh counts); exits 1 if a check failed.  Needs GNU
# make; step 3 needs cc and Debian's libseccomp-dev and libcjson-dev.
# Everything it makes is in a temporary directory, removed at the end.
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=$top/board/openwrt/nook
rc=0
T=$(mktemp -d /tmp/nook-openwrt-check.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

ok() { echo "ok - openwrt: $1"; }
fail() {
	echo "not ok - openwrt: $1: $(printf '%s' "$2" | tr '\n\t' '  ' | cut -c1-400)"
	rc=1
}
skip() { echo "ok - openwrt: $1 # SKIP $2"; }
# result NAME WHY: ok when WHY is empty
result() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		fail "$1" "${2#; }"
	fi
}

# ---- 1. syntax ---------------------------------------------------------------

why=
out=$(sh -n "$pkg/files/nook.init" 2>&1) || why="sh -n: $out"
if command -v busybox >/dev/null 2>&1; then
	out=$(busybox sh -n "$pkg/files/nook.init" 2>&1) || why="$why busybox sh -n: $out"
fi
head -n 1 "$pkg/files/nook.init" | grep -qx '#!/bin/sh /etc/rc.common' || why="$why no rc.common shebang"
result "nook.init: syntax" "$why"

bad=$(awk '
	/^[ \t]*(#|$)/ { next }
	/^config [a-z_]+( (\x27[A-Za-z0-9_]+\x27|[A-Za-z0-9_]+))?$/ { sec = 1; next }
	sec && /^[ \t]+(option|list) [A-Za-z0-9_]+ (\x27[^\x27]*\x27|"[^"]*"|[^ \t\x27"]+)$/ { next }
	{ print FILENAME ":" NR ": " $0 }' "$pkg/files/nook.config")
result "nook.config: UCI syntax" "$bad"

# ---- 2. the Makefile ----------------------------------------------------------

pmake() {
	make --no-print-directory -C "$pkg" TOPDIR="$top/board/openwrt/test" OUT="$T" NOOK_SRC="$top" "$@"
}

if ! command -v make >/dev/null 2>&1; then
	skip "Makefile" "needs GNU make"
	exit $rc
fi
dump=$(pmake -s dump 2>&1)
st=$?
why=
[ $st = 0 ] || why="make dump: status $st: $dump"
for want in '^Package: nook$' '^Version: [0-9][0-9.]*-[0-9]+$' '^License: GPL-2.0-or-later$' \
	'^Source: git [^ ]+ [^ ]+$' '^Section: utils$' '^Category: Utilities$' \
	'^Depends: .*\+libseccomp' '^Depends: .*\+cJSON' '^Depends: .*\+@KERNEL_NAMESPACES' \
	'^Conffiles: /etc/config/nook$'; do
	printf '%s\n' "$dump" | grep -Eq -- "$want" || why="$why; no line /$want/"
done
# the version is the binary's
v=$(sed -n 's/^#define NOOK_VERSION "\(.*\)"/\1/p' "$top/oci/util.h")
printf '%s\n' "$dump" | grep -q "^Version: $v-" || why="$why; PKG_VERSION is not NOOK_VERSION $v"
result "Makefile: evaluates, BuildPackage, fields" "$why"

# ---- 3. the build -------------------------------------------------------------

hdr() {
	printf '#include <%s>\n' "$1" | cc -E -x c - >/dev/null 2>&1
}
if ! command -v cc >/dev/null 2>&1 || ! hdr seccomp.h || ! hdr cjson/cJSON.h; then
	skip "build" "needs cc, libseccomp-dev and libcjson-dev"
else
	out=$(pmake install 2>&1)
	st=$?
	I=$T/ipkg-nook
	why=
	[ $st = 0 ] || why="make install: status $st: $(printf '%s' "$out" | tail -n 5)"
	for f in usr/bin/nook usr/libexec/nook/nook-init etc/init.d/nook; do
		[ -f "$I/$f" ] && [ -x "$I/$f" ] || why="$why; no executable $f"
	done
	[ "$(readlink "$I/usr/bin/nook-runtime" 2>/dev/null)" = nook ] || why="$why; usr/bin/nook-runtime is not a link to nook"
	[ "$(stat -c %a "$I/etc/config/nook" 2>/dev/null)" = 600 ] || why="$why; etc/config/nook is not 0600"
	[ "$(cat "$I/CONTROL/conffiles" 2>/dev/null)" = /etc/config/nook ] || why="$why; conffiles"
	cmp -s "$I/usr/libexec/nook/nook-init" "$top/board/sysv/S60nook" || why="$why; nook-init is not board/sysv/S60nook"
	# OpenWrt's flags reached the compiler and the linker
	printf '%s\n' "$out" | grep -q -- '-D_FORTIFY_SOURCE=1 .*-c engine/cli.c' || why="$why; TARGET_CFLAGS did not reach cc"
	printf '%s\n' "$out" | grep -q -- '-Wl,-z,relro .*-lseccomp -lcjson' || why="$why; TARGET_LDFLAGS/LIBS did not reach the link"
	if [ -x "$I/usr/bin/nook" ]; then
		ldd "$I/usr/bin/nook" 2>/dev/null | grep -q libseccomp || why="$why; not linked against the shared libseccomp (STATIC=)"
		ldd "$I/usr/bin/nook" 2>/dev/null | grep -q libcjson || why="$why; not linked against the shared libcjson"
		vo=$("$I/usr/bin/nook" version 2>&1)
		[ "$vo" = "nook version $v" ] || why="$why; nook version: $vo"
	fi
	result "build: OpenWrt's flags, dynamic link, package layout" "$why"
fi
# CONFIG_USE_MIPS16 adds -mips16 -minterlink-mips16 to TARGET_CFLAGS: the
# allocator must still be compiled in standard MIPS, and the link keep the
# floating-point stubs (a dry run: the commands, no MIPS compiler needed)
out=$(make --no-print-directory -n -C "$top" CC=cc CFLAGS="-Os -pipe -mips16 -minterlink-mips16" \
	BUILD="$T/mips16" "$T/mips16/nook" 2>&1)
why=
printf '%s\n' "$out" | grep -q -- '-mips16 -minterlink-mips16 .*-mno-mips16 -c oci/alloc.c' ||
	why="oci/alloc.c is not compiled with -mno-mips16"
printf '%s\n' "$out" | grep -q -- '-mips16 .*-o [^ ]*/engine/cli.o' || why="$why; -mips16 did not reach cc"
printf '%s\n' "$out" | grep -q -- '-Wl,-T,board/mips16.ld .*-o [^ ]*nook.unstripped' ||
	why="$why; the link has no board/mips16.ld"
result "build: CONFIG_USE_MIPS16's flags" "${why#; }"

# ---- 4. the procd init script ---------------------------------------------------

S=$T/init
mkdir -p "$S/mnt"
sed -e "s|'/overlay/nook'|'$S/root'|" -e "s|'/var/run/nook'|'$S/run'|" \
	-e "s|option stop_timeout ''|option stop_timeout '5'|" \
	"$pkg/files/nook.config" >"$S/config"
# A fake nook: logs its arguments; one running container "web" (id abc1)
# until it is stopped.
cat >"$S/nook" <<'EOF'
#!/bin/sh
echo "$*" >>"$NOOK_FAKE_LOG"
while [ $# -gt 0 ]; do
	case $1 in
	--root | --runroot) shift 2 ;;
	*) break ;;
	esac
done
case $1 in
ps) [ -f "$NOOK_FAKE_LOG.stopped" ] || echo abc1 ;;
inspect)
	if [ -f "$NOOK_FAKE_LOG.stopped" ]; then
		echo "abc1 exited 30 no true web []"
	else
		echo "abc1 running 30 no false web []"
	fi
	;;
stop) : >"$NOOK_FAKE_LOG.stopped" ;;
esac
exit 0
EOF
chmod +x "$S/nook"
# The stubs of rc.common, procd.sh and functions.sh that nook.init uses,
# then nook.init with its paths moved into $S, then the command.
cat >"$S/run.sh" <<'EOF'
S=$1
shift
config_load() { :; }
config_get() {
	_v=$(awk -v s="$2" -v o="$3" '
		$1 == "config" { gsub(/\x27/, "", $3); in_s = ($3 == s); next }
		in_s && $1 == "option" && $2 == o {
			v = $0; sub(/^[ \t]*option[ \t]+[^ \t]+[ \t]+/, "", v)
			gsub(/^\x27|\x27$/, "", v); print v; exit }' "$S/config")
	[ -n "$_v" ] || _v=$4
	eval "$1=\$_v"
}
procd_get_mountpoints() { [ -n "$STUB_MOUNT" ] && echo "$STUB_MOUNT"; }
procd_add_reload_trigger() { echo "reload_trigger $*" >>"$S/triggers"; }
procd_add_restart_mount_trigger() { echo "mount_trigger $*" >>"$S/triggers"; }
logger() {
	[ "$1" = -t ] && shift 2
	if [ $# -gt 0 ]; then echo "$*"; else cat; fi >>"$S/syslog"
}
start() { start_service "$@"; }
stop() { stop_service "$@"; }
. "$NOOK_INIT"
PROG=$S/nook
HELPER=$NOOK_HELPER
ACTIVE=$S/active
DEFAULT_ROOT=$S/var/lib/nook
DEFAULT_RUNROOT=$S/run-default/nook
DEFAULT_CONF=$S/etc/nook/nook.conf
CONF=$S/var/etc/nook.conf
"$@"
EOF
init() {
	NOOK_FAKE_LOG=$S/nook.log NOOK_INIT="$pkg/files/nook.init" NOOK_HELPER="$top/board/sysv/S60nook" \
		sh "$S/run.sh" "$S" "$@"
}
reset() {
	rm -rf "$S/nook.log" "$S/nook.log.stopped" "$S/syslog" "$S/triggers" "$S/active"
}

why=
STUB_MOUNT=$S/mnt init boot
[ -e "$S/nook.log" ] && why="$why; nook ran at boot with the root's mount missing: $(cat "$S/nook.log")"
[ -e "$S/root" ] && why="$why; boot created the root with its mount missing"
[ -e "$S/active" ] && why="$why; boot wrote $S/active with the root's mount missing"
result "nook.init: boot waits for the root's mount (fstab)" "$why"

why=
reset
init boot
grep -qx -- "--root $S/root --runroot $S/run system refresh" "$S/nook.log" 2>/dev/null ||
	why="$why; no refresh of the configured root: $(cat "$S/nook.log" 2>/dev/null)"
[ -d "$S/root" ] && [ -d "$S/run" ] || why="$why; root and runroot not made"
[ "$(readlink "$S/var/lib/nook")" = "$S/root" ] || why="$why; no link from nook's default root"
[ "$(readlink "$S/run-default/nook")" = "$S/run" ] || why="$why; no link from nook's default runroot"
[ "$(cat "$S/active" 2>/dev/null)" = "$(printf '%s\n%s' "$S/root" "$S/run")" ] || why="$why; active: $(cat "$S/active" 2>/dev/null)"
grep -q 'nook: running:' "$S/syslog" 2>/dev/null || why="$why; nothing in syslog: $(cat "$S/syslog" 2>/dev/null)"
result "nook.init: boot/start refreshes the configured root, links the defaults" "$why"

why=
[ "$(readlink "$S/etc/nook/nook.conf")" = "$S/var/etc/nook.conf" ] || why="no link from nook's default defaults file"
want="# written by /etc/init.d/nook from /etc/config/nook
log_size_max = '1M'
network = 'bridge'"
[ "$(cat "$S/var/etc/nook.conf" 2>/dev/null)" = "$want" ] || why="$why; defaults file: $(cat "$S/var/etc/nook.conf" 2>/dev/null)"
if [ -x "$top/build/x86_64/nook" ]; then
	# what nook makes of it: the same flags, no error
	out=$(NOOK_CONF=$S/var/etc/nook.conf "$top/build/x86_64/nook" --root "$S/nk" --runroot "$S/nkr" \
		create --name conftest --rootfs /nonexistent-rootfs true 2>&1)
	case $out in *nook.conf*) why="$why; nook rejects the file: $out" ;; esac
fi
sed -i "s|option network 'bridge'|option network 'host'|" "$S/config"
init reload_service
grep -qx "network = 'host'" "$S/var/etc/nook.conf" || why="$why; reload did not rewrite the defaults: $(cat "$S/var/etc/nook.conf")"
sed -i "s|option network 'host'|option network 'bridge'|" "$S/config"
result "nook.init: defaults for new containers from UCI (nook.conf)" "$why"

why=
init status_service >"$S/status.out"
st=$?
[ $st = 0 ] || why="status: $st"
grep -q '^web  *running' "$S/status.out" || why="$why; status: $(cat "$S/status.out")"
result "nook.init: status_service" "$why"

why=
# stop under the root the containers started under, not the edited config's
sed -i "s|'$S/root'|'$S/root2'|" "$S/config"
init stop_service
grep -qx -- "--root $S/root --runroot $S/run stop -t 5 abc1" "$S/nook.log" ||
	why="stop: $(grep -- ' stop' "$S/nook.log")"
[ -e "$S/active" ] && why="$why; $S/active left after stop"
result "nook.init: stop_service under the active root, stop_timeout caps" "$why"

why=
reset
sed -i "s|'$S/root2'|'$S/root'|" "$S/config"
init start
: >"$S/nook.log"
init reload_service
grep -q 'refresh\| stop ' "$S/nook.log" && why="reload with the same root: $(cat "$S/nook.log")"
sed -i "s|'$S/root'|'$S/root2'|" "$S/config"
init reload_service
grep -qx -- "--root $S/root --runroot $S/run stop -t 5 abc1" "$S/nook.log" || why="$why; reload did not stop under the old root"
grep -qx -- "--root $S/root2 --runroot $S/run system refresh" "$S/nook.log" || why="$why; reload did not start under the new root"
result "nook.init: reload_service restarts only for a new root/runroot" "$why"

why=
reset
STUB_MOUNT=$S/mnt init service_triggers
grep -qx 'reload_trigger nook' "$S/triggers" 2>/dev/null || why="no reload trigger: $(cat "$S/triggers" 2>/dev/null)"
grep -qx "mount_trigger $S/root2" "$S/triggers" 2>/dev/null || why="$why; no mount trigger on the root"
result "nook.init: service_triggers (config, mount)" "$why"

exit $rc
