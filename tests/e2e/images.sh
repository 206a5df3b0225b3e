#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Images: `load` of what real tools write (podman's docker-archive and
# oci-archive, skopeo's OCI layout directories with plain and gzip layers,
# stdin), `images`, `image inspect`, `tag`, `rmi`, `image prune`, and
# containers run from an image (`run IMAGE`): its files as podman sees them,
# its config (Env, WorkingDir, User, Entrypoint, Cmd) and the overrides,
# layers stored once and never changed by a container, a 42-layer image;
# broken and malicious archives are refused with one line and leave nothing.
#
# The images are made here by podman itself, never by nook, in a store of
# this script's own ($T_DIR/pb: --root/--runroot there, overlay driver, or
# vfs where overlay cannot mount; the machine's podman storage is never
# used, nothing is pulled):
#   tar -C $ROOTFS -c . >base.tar
#   podman import base.tar localhost/nbase:latest
#   podman build --isolation chroot --pull=never --layers -t localhost/nfull:1
#     (Containerfile below: a file added, one deleted, a directory replaced
#     (the overlay driver writes it as an opaque whiteout), a setuid file, a
#     hardlink pair, a symlink, ENV, WORKDIR, ENTRYPOINT, CMD, USER)
#   podman build ... -t localhost/nother:1     (nbase + one layer)
#   podman save --format docker-archive -o full.tar localhost/nfull:1
#   podman save --format oci-archive -o full-oci.tar localhost/nfull:1
#   podman save --format docker-archive -o untagged.tar ID
#   podman tag localhost/nfull:1 localhost/nfull:two
#   podman save -m --format docker-archive -o multi.tar localhost/nfull:1 \
#     localhost/nfull:two localhost/nother:1
#   skopeo copy docker-archive:full.tar oci:nfull-gz:localhost/nfull:gz
#     (gzip layers; the ref name annotation is localhost/nfull:gz, though
#     podman 4.3 names the image after the directory: either is accepted)
#   skopeo copy --dest-oci-accept-uncompressed-layers \
#     docker-archive:full.tar oci:nfull-plain:localhost/nfull:plain (plain
#     tar layers that the manifest still calls tar+gzip: compression is
#     read off the bytes)
#   skopeo copy --dest-compress --dest-compress-format zstd \
#     docker-archive:full.tar oci:nfull-zstd:localhost/nfull:zstd (zstd
#     layers, unpacked through the zstd program)
#   podman image mount localhost/nfull:1 + chroot: podman's view of the files
#   in a second store, in the background while the other checks run:
#   podman import base.tar + podman build of 41 COPY steps (42 layers) +
#   podman save: many.tar
# On this machine (2 cores) the foreground part takes 6 to 11 s, the
# 42-layer build 25 to 45 s (in the background, behind the other checks:
# built in the foreground, 41 COPY steps take 18 s, 41 RUN steps 30 s), the
# whole script 35 to 55 s.  The malicious archives are crafted with GNU
# tar, sha256sum and jq, as no real tool writes them.
#
# Needs podman (images), skopeo (OCI directories), GNU tar, sha256sum; all in
# board/setup.sh.  Without podman the script skips (a required feature:
# NOOK_MUST_WORK=1 counts it as a failure); without skopeo the two OCI
# directory checks do.  Against podman (NOOK=podman; all pass there) the
# checks of nook's own store layout (<root>/images/layers/<diff id hex>/)
# and its one-line messages are skipped, and so are three refusals that
# podman 4.3 does not make: a docker-archive layer that is not its diff id
# (not checked), a ../ entry and a write through the layer's own absolute
# symlink (unpacked chrooted, inside the layer); that nothing escapes is
# checked against both.
# The scripts in single quotes are the container's to expand (SC2016);
# img_cleanup runs from the EXIT trap (SC2317).
# shellcheck disable=SC2016,SC2317
. "$(dirname "$0")/lib.sh"

PB_DIR=$T_DIR/pb
IMG=$T_DIR/img
STORE=$T_DIR/root/images
mkdir -p "$PB_DIR/tmp" "$IMG" "$T_DIR/escape" "$T_DIR/victim"
BUILD_TIMEOUT="timeout -s KILL 120"
# NOOK_TEST_IMG_DRIVER=vfs: the builder's storage driver (default overlay,
# vfs where overlay cannot mount)
PB_DRIVER=${NOOK_TEST_IMG_DRIVER:-overlay}
MANY_PID=

# ---- podman as the image builder -------------------------------------------

# pb ARGS...: podman on the builder's own store ($T_DIR/pb), driver
# $PB_DRIVER, never the machine's storage or configuration of storage.
# shellcheck disable=SC2086
pb() {
	env CONTAINERS_STORAGE_CONF="$PB_DIR/storage.conf" TMPDIR="$PB_DIR/tmp" \
		$BUILD_TIMEOUT podman --root "$PB_DIR/root" --runroot "$PB_DIR/run" \
		--storage-driver "$PB_DRIVER" --tmpdir "$PB_DIR/tmp" \
		--cgroup-manager=cgroupfs --events-backend=file "$@"
}

# pb2 ARGS...: the same on a second store, for the 42-layer image built in
# the background (one store would serialize the two builds on its lock).
# shellcheck disable=SC2086
pb2() {
	env CONTAINERS_STORAGE_CONF="$PB_DIR/storage.conf" TMPDIR="$PB_DIR/tmp2" \
		$BUILD_TIMEOUT podman --root "$PB_DIR/root2" --runroot "$PB_DIR/run2" \
		--storage-driver "$PB_DRIVER" --tmpdir "$PB_DIR/tmp2" \
		--cgroup-manager=cgroupfs --events-backend=file "$@"
}

# The listing of a root filesystem, run by the image's own busybox (so that
# podman's view and the container's are printed by the same program): every
# directory, file, symlink and other node with mode and owner, files with
# size, link count and md5, symlinks with their target.
LIST_SCRIPT='cd / && {
find . -xdev -type d -exec stat -c "%n d %a %u:%g" {} +
find . -xdev -type f -exec stat -c "%n f %a %u:%g %s %h" {} +
find . -xdev -type l -exec stat -c "%n l %u:%g %N" {} +
find . -xdev ! -type d ! -type f ! -type l -exec stat -c "%n o %F %a %u:%g %t:%T" {} +
find . -xdev -type f -exec md5sum {} + | sed "s/^\([0-9a-f]*\)  \(.*\)$/\2 md5 \1/"
} | sort'

# view_filter: a listing without what an engine mounts or makes over the
# image (the root itself, /proc /sys /dev /run, /etc/hosts, hostname,
# resolv.conf; podman adds an /etc/mtab symlink).
view_filter() {
	grep -Ev '^\. |^\./(proc|sys|dev|run)( |/)|^\./etc/(hosts|hostname|resolv\.conf|mtab) '
}

# The Containerfile of localhost/nfull:1.
write_containerfile() {
	cat >"$1" <<'EOF'
FROM localhost/nbase:latest
RUN mkdir /d && echo old >/d/old && echo gone >/etc/gone && echo keep >/etc/keep
RUN echo added-content >/added && rm /etc/gone && \
    rm -rf /d && mkdir /d && echo new >/d/new && \
    echo setuid >/bin/suid && chmod 4755 /bin/suid && \
    echo linked >/h1 && ln /h1 /h2 && ln -s /etc/keep /lnk && \
    mkdir /work && chown 1234:1234 /work
ENV FOO=bar GREETING="hello world"
WORKDIR /work
ENTRYPOINT ["/bin/echo", "ep"]
CMD ["default-cmd"]
USER 1234:1234
EOF
}

# build_many: the 42-layer image (base + 41 COPY steps) in the second store,
# saved as $IMG/many.tar; $PB_DIR/many.done holds its status.
build_many() {
	_c=$PB_DIR/ctxmany
	mkdir -p "$_c" "$PB_DIR/tmp2"
	echo "FROM localhost/nbase:latest" >"$_c/Containerfile"
	_i=1
	while [ "$_i" -le 41 ]; do
		echo "$_i" >"$_c/f$_i"
		echo "COPY f$_i /" >>"$_c/Containerfile"
		_i=$((_i + 1))
	done
	echo 'CMD ["/bin/cat", "/f1", "/f41"]' >>"$_c/Containerfile"
	_t0=$(date +%s)
	if pb2 import "$IMG/base.tar" localhost/nbase:latest &&
		pb2 build --isolation chroot --pull=never --layers -t localhost/nmany:1 "$_c" &&
		pb2 save --format docker-archive -o "$IMG/many.tar" localhost/nmany:1; then
		echo "0 $(($(date +%s) - _t0))" >"$PB_DIR/many.done"
	else
		echo "1 $(($(date +%s) - _t0))" >"$PB_DIR/many.done"
	fi
}

# pb_conf DRIVER: the builder's storage.conf (the --root/--runroot of pb and
# pb2 override its paths)
pb_conf() {
	printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$1" "$PB_DIR/root" "$PB_DIR/run" >"$PB_DIR/storage.conf"
}

# build_images: everything the checks load, in $IMG; status 1 with the
# reason in $BUILD_WHY when podman or skopeo fail.
build_images() {
	BUILD_WHY=
	(cd "$ROOTFS" && tar -cf "$IMG/base.tar" .) || {
		BUILD_WHY="tar of the rootfs failed"
		return 1
	}
	pb_conf "$PB_DRIVER"
	if ! _o=$(pb import "$IMG/base.tar" localhost/nbase:latest 2>&1); then
		[ "$PB_DRIVER" = vfs ] && {
			BUILD_WHY="podman import: $_o"
			return 1
		}
		# an overlay that cannot mount here (overlay on overlay): vfs
		# works anywhere, and writes a replaced directory as
		# whiteouts of its old entries instead of an opaque one
		pb rm -af >/dev/null 2>&1
		rm -rf "$PB_DIR/root" "$PB_DIR/run"
		PB_DRIVER=vfs
		pb_conf vfs
		_o=$(pb import "$IMG/base.tar" localhost/nbase:latest 2>&1) || {
			BUILD_WHY="podman import: $_o"
			return 1
		}
	fi
	# the 42-layer image, behind the rest
	build_many >"$PB_DIR/many.log" 2>&1 &
	MANY_PID=$!
	track_pid "$MANY_PID"

	mkdir -p "$PB_DIR/ctx" "$PB_DIR/ctxother"
	write_containerfile "$PB_DIR/ctx/Containerfile"
	printf 'FROM localhost/nbase:latest\nRUN echo other >/other\nCMD ["/bin/cat", "/other"]\n' \
		>"$PB_DIR/ctxother/Containerfile"
	for _b in "nfull:1 ctx" "nother:1 ctxother"; do
		_o=$(pb build --isolation chroot --pull=never --layers \
			-t "localhost/${_b% *}" "$PB_DIR/${_b#* }" 2>&1) || {
			BUILD_WHY="podman build ${_b% *}: $(printf '%s\n' "$_o" | tail -3)"
			return 1
		}
	done
	if ! FULL_ID=$(pb image inspect --format '{{.Id}}' localhost/nfull:1 2>&1) ||
		! OTHER_ID=$(pb image inspect --format '{{.Id}}' localhost/nother:1 2>&1) ||
		! FULL_LAYERS=$(pb image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' localhost/nfull:1 2>&1) ||
		! OTHER_LAYERS=$(pb image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' localhost/nother:1 2>&1); then
		BUILD_WHY="podman image inspect: $FULL_ID $OTHER_ID"
		return 1
	fi
	FULL_LAYERS=$(printf '%s\n' "$FULL_LAYERS" | grep .)
	OTHER_LAYERS=$(printf '%s\n' "$OTHER_LAYERS" | grep .)
	FULL_ID=${FULL_ID#sha256:}
	OTHER_ID=${OTHER_ID#sha256:}
	for _s in "docker-archive full.tar localhost/nfull:1" \
		"oci-archive full-oci.tar localhost/nfull:1" \
		"docker-archive other.tar localhost/nother:1" \
		"docker-archive untagged.tar $FULL_ID"; do
		# shellcheck disable=SC2086
		set -- $_s
		_o=$(pb save --format "$1" -o "$IMG/$2" "$3" 2>&1) || {
			BUILD_WHY="podman save --format $1 $3: $(oneline "$_o")"
			return 1
		}
	done
	# two images, one of them with two names, in one archive
	if ! _o=$(pb tag localhost/nfull:1 localhost/nfull:two 2>&1) ||
		! _o=$(pb save -m --format docker-archive -o "$IMG/multi.tar" \
			localhost/nfull:1 localhost/nfull:two localhost/nother:1 2>&1); then
		BUILD_WHY="podman save -m: $(oneline "$_o")"
		return 1
	fi
	if command -v skopeo >/dev/null 2>&1; then
		if ! _o=$($BUILD_TIMEOUT skopeo copy -q "docker-archive:$IMG/full.tar" "oci:$IMG/nfull-gz:localhost/nfull:gz" 2>&1) ||
			! _o=$($BUILD_TIMEOUT skopeo copy -q --dest-oci-accept-uncompressed-layers \
				"docker-archive:$IMG/full.tar" "oci:$IMG/nfull-plain:localhost/nfull:plain" 2>&1) ||
			! _o=$($BUILD_TIMEOUT skopeo copy -q --dest-compress --dest-compress-format zstd \
				"docker-archive:$IMG/full.tar" "oci:$IMG/nfull-zstd:localhost/nfull:zstd" 2>&1); then
			BUILD_WHY="skopeo copy: $(oneline "$_o")"
			return 1
		fi
	fi
	# podman's view of the files
	if ! _m=$(pb image mount localhost/nfull:1 2>&1) || ! [ -d "$_m" ]; then
		BUILD_WHY="podman image mount: $_m"
		return 1
	fi
	chroot "$_m" /bin/sh -c "$LIST_SCRIPT" 2>&1 | view_filter >"$IMG/full.view"
	pb image unmount localhost/nfull:1 >/dev/null 2>&1
	[ -s "$IMG/full.view" ] || {
		BUILD_WHY="no listing of podman's view"
		return 1
	}
	return 0
}

img_cleanup() {
	if [ -n "$MANY_PID" ]; then
		kill_tree "$MANY_PID"
		wait "$MANY_PID" 2>/dev/null
	fi
	# the other stores of this script: containers left there are a failure
	for _d in "$T_DIR"/s-*; do
		[ -d "$_d/root" ] || continue
		_s=${_d##*/}
		_ids=$(nks "$_s" ps -a -q --no-trunc 2>/dev/null)
		if [ -n "$_ids" ]; then
			# shellcheck disable=SC2086
			nks "$_s" rm -f $_ids >/dev/null 2>&1
			fail "$T_NAME: cleanup" "containers left in store $_s: $(oneline "$_ids")"
		fi
	done
	if [ -d "$PB_DIR/root" ]; then
		pb image unmount -a >/dev/null 2>&1
	fi
	# a build killed half way (an interrupted run) leaves its overlays
	# mounted, and podman's overlay driver then keeps its home mounted:
	# the builder's own mounts, not the engine's
	mounts_under "$PB_DIR" | sort -r | while read -r _m; do
		umount -l "$_m" 2>/dev/null
	done
}
trap 'img_cleanup; t_cleanup; exit $T_RC' EXIT

# ---- the engine on other stores ------------------------------------------------

# nks NAME ARGS...: the engine on the store $T_DIR/NAME (its own --root and
# --runroot; podman's other options as nk gives them).
nks() {
	_s=$1
	shift
	if [ "$_s" = . ]; then
		nk "$@"
		return
	fi
	mkdir -p "$T_DIR/$_s/root" "$T_DIR/$_s/run"
	# shellcheck disable=SC2086
	$T_TIMEOUT_CMD $NOOK --root "$T_DIR/$_s/root" --runroot "$T_DIR/$_s/run" \
		${T_GLOBAL#--root "$T_DIR/root" --runroot "$T_DIR/run"} "$@"
}

# nks_run NAME ARGS...: `run` with $NOOK_RUN_FLAGS on the store NAME.
nks_run() {
	_s=$1
	shift
	# shellcheck disable=SC2086
	nks "$_s" run $NOOK_RUN_FLAGS "$@"
}

# img_id STORE IMAGE: the image's Id (64 hex) as `image inspect` says.
img_id() {
	nks "$1" image inspect "$2" 2>/dev/null |
		jq -r '(if type == "array" then .[0] else . end) | .Id // empty' 2>/dev/null |
		sed 's/^sha256://'
}

# img_field STORE IMAGE JQ-FILTER
img_field() {
	nks "$1" image inspect "$2" 2>/dev/null |
		jq -r "(if type == \"array\" then .[0] else . end) | $3" 2>/dev/null
}

# loaded_names OUTPUT: the NAMEs of its "Loaded image: NAME" lines
loaded_names() {
	printf '%s\n' "$1" | sed -n 's/^Loaded image[s()]*: *//p' | tr ',' '\n' | sed 's/^ *//'
}

# ld STORE ARGS...: `load ARGS` on STORE (from the directory $LD_DIR if
# set, with PATH=$LD_PATH if set);
# its stdout in $LD_OUT, stderr in $LD_ERR, status in $LD_ST.
ld() {
	(
		[ -z "${LD_PATH:-}" ] || PATH=$LD_PATH
		if [ -n "${LD_DIR:-}" ]; then
			case $NOOK in
			/*) ;;
			*/*) NOOK=$(pwd)/$NOOK ;;
			esac
			cd "$LD_DIR" || exit 125
		fi
		_s=$1
		shift
		nks "$_s" load "$@"
	) >"$T_DIR/ld.out" 2>"$T_DIR/ld.err"
	LD_ST=$?
	LD_OUT=$(cat "$T_DIR/ld.out")
	LD_ERR=$(cat "$T_DIR/ld.err")
}

# check_load WHAT STORE: the load just made ($LD_*) must have worked:
# status 0, a "Loaded image: NAME" line at least, and every NAME is the
# image $FULL_ID.  Status 1 if the load failed (the rest of a check is moot).
check_load() {
	expect_status "$1" "$LD_ST" 0 "$LD_ERR"
	[ "$LD_ST" = 0 ] || return 1
	_names=$(loaded_names "$LD_OUT")
	[ -n "$_names" ] || {
		t_why "$1: no 'Loaded image:' line: '$(oneline "$LD_OUT")'"
		return 1
	}
	for _n in $_names; do
		expect_eq "$1: id of '$_n'" "$(img_id "$2" "$_n")" "$FULL_ID"
	done
	return 0
}

# need_image STORE IMAGE: status 1, and the check says why, when IMAGE is
# not in STORE (a load before failed: the rest of the check is moot)
need_image() {
	[ -n "$(img_id "$1" "$2")" ] && return 0
	t_why "no image $2 in the store (its load failed: see above)"
	return 1
}

# view STORE IMAGE: the listing of the image's files as a container of it
# sees them (as root, from /: the image's User and WorkingDir are not
# what this compares).
view() {
	nks_run "$1" --rm -u 0 -w / --entrypoint /bin/sh "$2" -c "$LIST_SCRIPT" 2>&1 | view_filter
}

# check_view WHAT STORE IMAGE: the container's view is podman's
check_view() {
	view "$2" "$3" >"$T_DIR/view.$2"
	if ! cmp -s "$IMG/full.view" "$T_DIR/view.$2"; then
		t_why "$1: the files differ from podman's view (< podman, > container): $(diff "$IMG/full.view" "$T_DIR/view.$2" | grep '^[<>]' | head -6 | tr '\n' ' ')"
	fi
}

# The store's contents but lock files, to tell that a failed load left
# nothing ("" against podman: its store is its own).
store_list() {
	[ "$T_PODMAN" = 1 ] && return 0
	[ -d "$1" ] || return 0
	(cd "$1" && find . ! -name '*lock*' -exec stat -c '%n %F' {} +) 2>/dev/null | sort
}

# images_list STORE: `images -a` without the CREATED column
images_list() {
	nks "$1" images -a --no-trunc 2>&1 | awk '{ print $1, $2, $3 }' | sort
}

# layer_dirs [STORE-DIR]: the layer directories in the store (the main one)
layer_dirs() {
	for _d in "${1:-$STORE}"/layers/*; do
		[ -e "$_d" ] && echo "${_d##*/}"
	done | grep -v lock
}

# layer_sum HEX...: a checksum of everything in those layer directories
# (paths, types, modes, owners, sizes, mtimes, contents)
layer_sum() {
	for _h in "$@"; do
		(cd "$STORE/layers/$_h" 2>/dev/null && {
			find . -exec stat -c '%n %F %a %u:%g %s %Y' {} + | sort
			find . -type f -exec md5sum {} + | sort
		}) || echo "no $_h"
	done | md5sum | cut -c1-32
}

# hexes DIFFIDS: the hex part of "sha256:HEX" lines
hexes() {
	printf '%s\n' "$1" | sed -n 's/^sha256://p'
}

# ---- the images ----------------------------------------------------------------

if ! command -v podman >/dev/null 2>&1; then
	skip "$T_NAME" "needs podman to build the test images (board/setup.sh installs it)"
	exit 0
fi
T_START=$(date +%s)
_t0=$T_START
if ! build_images; then
	fail "images: the test images (podman)" "$BUILD_WHY"
	exit 1
fi
echo "# images: test images built with podman ($PB_DRIVER) in $(($(date +%s) - _t0)) s"
FULL12=$(printf '%s' "$FULL_ID" | cut -c1-12)
OTHER12=$(printf '%s' "$OTHER_ID" | cut -c1-12)

# ---- load ----------------------------------------------------------------------

t_begin "images: load a docker-archive (podman save)"
ld . -i "$IMG/full.tar"
if check_load "load -i full.tar" .; then
	expect_eq "load output" "$LD_OUT" 'Loaded image: localhost/nfull:1'
	list=$(nk images 2>&1)
	expect_status "images" $? 0 "$list"
	expect_match "images header" "$list" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE'
	expect_match "images row" "$list" "^localhost/nfull +1 +$FULL12 "
	expect_eq "images -q" "$(nk images -q 2>&1)" "$FULL12"
	expect_eq "image inspect .RootFS.Layers" "$(img_field . localhost/nfull:1 '.RootFS.Layers[]')" "$FULL_LAYERS"
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "layer directories" "$(layer_dirs | sort)" "$(hexes "$FULL_LAYERS" | sort)"
	fi
fi
t_end

t_begin "images: a container of the image has its files"
if need_image . localhost/nfull:1; then
	out=$(nk_run --rm --entrypoint /bin/sh localhost/nfull:1 -c '
	cat /added
	[ -e /etc/gone ] && echo gone-is-there
	cat /etc/keep
	ls -A /d
	stat -c "%a %u" /bin/suid
	[ "$(stat -c %i /h1)" = "$(stat -c %i /h2)" ] && echo same-inode
	stat -c %h /h1
	readlink /lnk
	cat /lnk
	stat -c "%u:%g" /home/test
	stat -c %a /tmp' 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "the files" "$out" "$(printf '%s\n' added-content keep new '4755 0' same-inode 2 \
		/etc/keep keep 1000:1000 1777)"
fi
t_end

t_begin "images: the image's config is applied, and the run options override it"
if need_image . localhost/nfull:1; then
	out=$(nk_run --rm localhost/nfull:1 2>&1)
	expect_status "run IMAGE" $? 0 "$out"
	expect_eq "Entrypoint + Cmd" "$out" "ep default-cmd"
	out=$(nk_run --rm localhost/nfull:1 x "y z" 2>&1)
	expect_eq "Entrypoint + COMMAND" "$out" "ep x y z"
	out=$(nk_run --rm --entrypoint /bin/echo localhost/nfull:1 2>&1)
	expect_status "run --entrypoint" $? 0 "$out"
	expect_eq "--entrypoint clears Cmd" "$out" ""
	out=$(nk_run --rm --entrypoint /bin/sh localhost/nfull:1 -c \
		'echo "$(id -u):$(id -g) $(pwd) $FOO|$GREETING"' 2>&1)
	expect_eq "User, WorkingDir, Env" "$out" "1234:1234 /work bar|hello world"
	out=$(nk_run --rm -u 0 -w /d -e FOO=baz -e NEW=1 --entrypoint /bin/sh localhost/nfull:1 -c \
		'echo "$(id -u) $(pwd) $FOO $NEW|$GREETING"' 2>&1)
	expect_eq "-u, -w, -e" "$out" "0 /d baz 1|hello world"
	out=$(nk_run --rm --entrypoint '["/bin/sh","-c","echo json $0"]' localhost/nfull:1 arg 2>&1)
	expect_eq "--entrypoint as a JSON array" "$out" "json arg"
	out=$(nk_run --rm --entrypoint /bin/sh localhost/nfull:1 -c 'echo $PATH' 2>&1)
	expect_eq "PATH (the image's)" "$out" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
fi
t_end

t_begin "images: load the oci-archive of the same image: the same image, no duplicate layers"
ld . -i "$IMG/full-oci.tar"
if check_load "load -i full-oci.tar" .; then
	expect_eq "load output" "$LD_OUT" 'Loaded image: localhost/nfull:1'
	expect_eq "images -q" "$(nk images -q 2>&1 | sort -u)" "$FULL12"
	expect_eq "rows of localhost/nfull:1" "$(nk images 2>&1 | grep -Ec '^localhost/nfull +1 ')" 1
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "layer directories" "$(layer_dirs | sort)" "$(hexes "$FULL_LAYERS" | sort)"
	fi
fi
t_end

t_begin "images: an oci-archive into an empty store: files as podman sees them"
ld s-ociarch -i "$IMG/full-oci.tar"
if check_load "load -i full-oci.tar" s-ociarch; then
	check_view "run" s-ociarch localhost/nfull:1
	out=$(nks_run s-ociarch --rm localhost/nfull:1 2>&1)
	expect_eq "run IMAGE" "$out" "ep default-cmd"
fi
t_end

for v in plain gz zstd; do
	case $v in
	plain) what="plain tar layers (labelled tar+gzip by skopeo)" ;;
	gz) what="gzip layers" ;;
	zstd) what="zstd layers (through the zstd program)" ;;
	esac
	if [ ! -d "$IMG/nfull-$v" ]; then
		skip "images: an OCI layout directory, $what" "needs skopeo (board/setup.sh installs it)"
		continue
	fi
	t_begin "images: an OCI layout directory (skopeo), $what"
	# from $IMG: podman 4.3 names the image after the path given
	LD_DIR=$IMG ld "s-oci$v" -i "nfull-$v"
	if check_load "load -i DIR" "s-oci$v"; then
		name=$(loaded_names "$LD_OUT" | head -1)
		check_view "run" "s-oci$v" "$name"
		out=$(nks_run "s-oci$v" --rm "$name" 2>&1)
		expect_eq "run IMAGE" "$out" "ep default-cmd"
		# into a store that has the image: the same one again
		LD_DIR=$IMG ld . -i "nfull-$v"
		check_load "load -i DIR into the main store" .
		expect_eq "images -q in the main store" "$(nk images -q 2>&1 | sort -u)" "$FULL12"
	fi
	t_end
done

t_begin "images: load from stdin"
ld s-stdin <"$IMG/full.tar"
if check_load "load <full.tar" s-stdin; then
	expect_eq "load output" "$LD_OUT" 'Loaded image: localhost/nfull:1'
	out=$(nks_run s-stdin --rm --entrypoint /bin/cat localhost/nfull:1 /added 2>&1)
	expect_eq "run" "$out" "added-content"
	ld s-stdin -q <"$IMG/other.tar"
	expect_status "load -q <other.tar" "$LD_ST" 0 "$LD_ERR"
	expect_eq "images -q" "$(nks s-stdin images -q 2>&1 | sort)" "$(printf '%s\n' "$FULL12" "$OTHER12" | sort)"
fi
t_end

t_begin "images: a docker-archive of two images, one with two names (podman save -m)"
ld s-multi -i "$IMG/multi.tar"
expect_status "load -i multi.tar" "$LD_ST" 0 "$LD_ERR"
if [ "$LD_ST" = 0 ]; then
	expect_eq "load output" "$(printf '%s\n' "$LD_OUT" | sort)" \
		"$(printf 'Loaded image: %s\n' localhost/nfull:1 localhost/nfull:two localhost/nother:1)"
	expect_eq "images -q" "$(nks s-multi images -q 2>&1 | sort)" "$(printf '%s\n' "$FULL12" "$OTHER12" | sort)"
	expect_eq "id of localhost/nfull:two" "$(img_id s-multi localhost/nfull:two)" "$FULL_ID"
	expect_eq "id of localhost/nother:1" "$(img_id s-multi localhost/nother:1)" "$OTHER_ID"
	out=$(nks_run s-multi --rm localhost/nother:1 2>&1)
	expect_eq "run nother" "$out" other
	out=$(nks_run s-multi --rm localhost/nfull:two 2>&1)
	expect_eq "run nfull:two" "$out" "ep default-cmd"
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "layer directories (one base for both)" \
			"$(layer_dirs "$T_DIR/s-multi/root/images" | sort)" \
			"$(hexes "$(printf '%s\n%s\n' "$FULL_LAYERS" "$OTHER_LAYERS")" | sort -u)"
	fi
fi
t_end

t_begin "images: images --filter (reference, dangling, id; a bad key refused)"
out=$(nks s-multi images -q --filter reference=nother 2>&1)
expect_eq "reference=nother" "$out" "$OTHER12"
out=$(nks s-multi images --filter 'reference=localhost/nfull:*' --format '{{.Tag}}' 2>&1 | sort)
expect_eq "reference=localhost/nfull:*" "$out" "$(printf '1\ntwo')"
out=$(nks s-multi images --filter reference=nother --filter reference=nfull:two --format '{{.Repository}}:{{.Tag}}' 2>&1 | sort)
expect_eq "two references: either" "$out" "$(printf 'localhost/nfull:two\nlocalhost/nother:1')"
out=$(nks s-multi images --filter reference=nother --filter dangling=false -q 2>&1)
expect_eq "reference and dangling=false: both" "$out" "$OTHER12"
out=$(nks s-multi images -q --filter dangling=true 2>&1)
expect_eq "dangling=true" "$out" ""
out=$(nks s-multi images --filter "id=$OTHER12" --format '{{.Repository}}' 2>&1)
expect_eq "id=" "$out" localhost/nother
out=$(nks s-multi images --filter bogus=1 2>&1)
expect_status "an unknown key" $? 125 "$out"
t_end

t_begin "images: an untagged image loads as sha256:ID and runs by id"
ld s-untagged -i "$IMG/untagged.tar"
if check_load "load -i untagged.tar" s-untagged; then
	expect_eq "load output" "$LD_OUT" "Loaded image: sha256:$FULL_ID"
	expect_match "images row" "$(nks s-untagged images 2>&1)" "^<none> +<none> +$FULL12 "
	out=$(nks_run s-untagged --rm "$FULL12" 2>&1)
	expect_eq "run ID" "$out" "ep default-cmd"
	out=$(nks_run s-untagged --rm "$(printf '%s' "$FULL_ID" | cut -c1-5)" 2>&1)
	expect_eq "run ID-PREFIX" "$out" "ep default-cmd"
fi
t_end

t_begin "images: files as podman sees them (docker-archive)"
if need_image . localhost/nfull:1; then
	check_view "run" . localhost/nfull:1
fi
t_end

# ---- names, inspect, rmi --------------------------------------------------------

t_begin "images: tag, short names, ids and id prefixes"
if need_image . localhost/nfull:1; then
	out=$(nk tag localhost/nfull:1 mytag example.org/a/b:2 docker.io/library/nbb 2>&1)
	expect_status "tag" $? 0 "$out"
	list=$(nk images 2>&1)
	expect_match "images: mytag" "$list" "^localhost/mytag +latest +$FULL12 "
	expect_match "images: example.org/a/b:2" "$list" "^example.org/a/b +2 +$FULL12 "
	expect_match "images: docker.io/library/nbb" "$list" "^docker.io/library/nbb +latest +$FULL12 "
	for ref in nfull:1 localhost/nfull:1 mytag mytag:latest localhost/mytag nbb nbb:latest \
		example.org/a/b:2 "$FULL_ID" "sha256:$FULL_ID" "$FULL12" "$(printf '%s' "$FULL_ID" | cut -c1-3)"; do
		expect_eq "image inspect $ref" "$(img_id . "$ref")" "$FULL_ID"
	done
	out=$(nk_run --rm mytag 2>&1)
	expect_eq "run mytag" "$out" "ep default-cmd"
	out=$(nk image inspect nosuchimage 2>&1)
	expect_status "image inspect nosuchimage" $? 125 "$out"
	expect_match "message names it" "$out" nosuchimage
	out=$(nk_run --rm nosuchimage 2>&1)
	expect_status "run nosuchimage" $? 125 "$out"
fi
t_end

t_begin "images: image inspect"
if need_image . localhost/nfull:1; then
	j=$(nk image inspect localhost/nfull:1 2>&1)
	expect_status "image inspect" $? 0 "$j"
	expect_eq "an array" "$(printf '%s' "$j" | jq -r 'type' 2>&1)" array
	o='.[0]'
	expect_eq ".Id" "$(printf '%s' "$j" | jq -r "$o.Id" 2>&1)" "$FULL_ID"
	expect_eq ".RepoTags has localhost/nfull:1" "$(printf '%s' "$j" | jq -r "$o.RepoTags | index(\"localhost/nfull:1\") != null" 2>&1)" true
	expect_eq ".RepoTags has localhost/mytag:latest" "$(printf '%s' "$j" | jq -r "$o.RepoTags | index(\"localhost/mytag:latest\") != null" 2>&1)" true
	expect_eq ".Config.Env FOO" "$(printf '%s' "$j" | jq -r "$o.Config.Env[]" 2>&1 | grep -c '^FOO=bar$')" 1
	expect_eq ".Config.Env GREETING" "$(printf '%s' "$j" | jq -r "$o.Config.Env[]" 2>&1 | grep -c '^GREETING=hello world$')" 1
	expect_eq ".Config.Entrypoint" "$(printf '%s' "$j" | jq -c "$o.Config.Entrypoint" 2>&1)" '["/bin/echo","ep"]'
	expect_eq ".Config.Cmd" "$(printf '%s' "$j" | jq -c "$o.Config.Cmd" 2>&1)" '["default-cmd"]'
	expect_eq ".Config.WorkingDir" "$(printf '%s' "$j" | jq -r "$o.Config.WorkingDir" 2>&1)" /work
	expect_eq ".Config.User" "$(printf '%s' "$j" | jq -r "$o.Config.User" 2>&1)" 1234:1234
	expect_eq ".RootFS.Type" "$(printf '%s' "$j" | jq -r "$o.RootFS.Type" 2>&1)" layers
	expect_eq ".RootFS.Layers" "$(printf '%s' "$j" | jq -r "$o.RootFS.Layers[]" 2>&1)" "$FULL_LAYERS"
	expect_eq ".Architecture" "$(printf '%s' "$j" | jq -r "$o.Architecture" 2>&1)" amd64
	expect_eq ".Os" "$(printf '%s' "$j" | jq -r "$o.Os" 2>&1)" linux
	size=$(printf '%s' "$j" | jq -r "$o.Size" 2>&1)
	expect_match ".Size (the layers unpacked, about 2.2 MB)" "$size" '^[1-9][0-9]{6}$'
	out=$(nk image inspect localhost/nfull:1 nosuchimage 2>&1)
	expect_status "image inspect IMAGE nosuchimage" $? 125 "$out"
fi
t_end

t_begin "images: images -q, --no-trunc, --format, image ls"
if need_image . localhost/nfull:1; then
	expect_eq "images -q" "$(nk images -q 2>&1)" "$FULL12"
	expect_eq "images -q --no-trunc" "$(nk images -q --no-trunc 2>&1)" "sha256:$FULL_ID"
	expect_eq "image ls -q" "$(nk image ls -q 2>&1)" "$FULL12"
	expect_match "images --no-trunc" "$(nk images --no-trunc 2>&1)" "^localhost/nfull +1 +sha256:$FULL_ID "
	nk images --format '{{.ID}} {{.Repository}}:{{.Tag}}' 2>&1 | grep -qx "$FULL12 localhost/nfull:1" ||
		t_why "images --format '{{.ID}} {{.Repository}}:{{.Tag}}' has no line '$FULL12 localhost/nfull:1'"
fi
t_end

t_begin "images: rmi of an image in use is refused; rmi -f removes its containers"
ld . -i "$IMG/other.tar"
expect_status "load -i other.tar" "$LD_ST" 0 "$LD_ERR"
if [ "$LD_ST" = 0 ]; then
	cid1=$(nk_create --name user1 localhost/nother:1 2>&1)
	expect_status "create" $? 0 "$cid1"
	out=$(nk_run --name user2 localhost/nother:1 2>&1)
	expect_eq "run IMAGE (its Cmd)" "$out" other
	out=$(nk rmi localhost/nother:1 2>&1)
	expect_status "rmi of an image in use" $? 2 "$out"
	cid2=$(cid user2)
	printf '%s' "$out" | grep -qE "user[12]|$(printf '%s' "$cid1" | cut -c1-12)|$(printf '%s' "$cid2" | cut -c1-12)" ||
		t_why "the message names no container: '$(oneline "$out")'"
	expect_eq "the image is still there" "$(img_id . localhost/nother:1)" "$OTHER_ID"
	out=$(nk image rm localhost/nother:1 2>&1)
	expect_status "image rm of an image in use" $? 2 "$out"
	out=$(nk rmi -f localhost/nother:1 2>&1)
	expect_status "rmi -f" $? 0 "$out"
	expect_match "rmi -f output" "$out" '^Untagged: localhost/nother:1$'
	expect_match "rmi -f output" "$out" "^Deleted: (sha256:)?$OTHER_ID\$"
	expect_eq "containers left" "$(nk ps -a --format '{{.Names}}' 2>&1 | grep -c '^user')" 0
	expect_eq "images -q" "$(nk images -q 2>&1)" "$FULL12"
fi
t_end

t_begin "images: rmi of one name of several untags it"
if need_image . localhost/nfull:1; then
	out=$(nk rmi example.org/a/b:2 2>&1)
	expect_status "rmi example.org/a/b:2" $? 0 "$out"
	expect_eq "rmi output" "$out" "Untagged: example.org/a/b:2"
	expect_eq "image still there" "$(img_id . localhost/nfull:1)" "$FULL_ID"
	out=$(nk rmi example.org/a/b:2 2>&1)
	expect_status "rmi of a name no more there" $? 1 "$out"
fi
t_end

# ---- containers on the image's layers ------------------------------------

t_begin "images: a container's writes do not change the image; two containers do not share them"
if need_image . localhost/nfull:1; then
	hx=$(hexes "$FULL_LAYERS")
	if [ "$T_PODMAN" = 0 ]; then
		# shellcheck disable=SC2086
		before=$(layer_sum $hx)
	fi
	out=$(nk_run --name w1 -u 0 --entrypoint /bin/sh localhost/nfull:1 -c '
	echo changed >/added && rm /etc/keep && echo more >>/bin/suid && chmod 600 /h1 &&
	rm -rf /d && mkdir /d && echo mine >/d/mine && echo w1 >/w1 && cat /added /h2' 2>&1)
	expect_status "run (writes)" $? 0 "$out"
	expect_eq "what it wrote" "$out" "$(printf '%s\n' changed linked)"
	out=$(nk_run --rm -u 0 --entrypoint /bin/sh localhost/nfull:1 -c '
	cat /added /etc/keep; ls -A /d; stat -c %a /h1 /bin/suid; [ -e /w1 ] && echo w1-seen' 2>&1)
	expect_eq "another container's view" "$out" "$(printf '%s\n' added-content keep new 644 4755)"
	out=$(nk start -a w1 2>&1)
	# /etc/keep is gone now: rm fails, so the && chain stops
	expect_status "w1 restarted keeps its writes" $? 1 "$out"
	if [ "$T_PODMAN" = 0 ]; then
		# shellcheck disable=SC2086
		expect_eq "layer directories' checksum" "$(layer_sum $hx)" "$before"
	fi
	out=$(nk rm w1 2>&1)
	expect_status "rm" $? 0 "$out"
fi
t_end

t_begin "images: inspect and ps show the image"
if need_image . localhost/nfull:1; then
	out=$(nk_create --name ref nfull:1 2>&1)
	expect_status "create by short name" $? 0 "$out"
	expect_eq ".ImageName" "$(insp ref .ImageName)" localhost/nfull:1
	expect_eq ".Image" "$(insp ref .Image | sed 's/^sha256://')" "$FULL_ID"
	expect_match "ps -a IMAGE" "$(nk ps -a 2>&1)" "localhost/nfull:1 .*ref\$"
	out=$(nk rm ref 2>&1)
	expect_status "rm" $? 0 "$out"
fi
t_end

t_begin "images: image prune -a removes the unused images only"
ld s-prune -i "$IMG/full.tar"
expect_status "load -i full.tar" "$LD_ST" 0 "$LD_ERR"
st1=$LD_ST
ld s-prune -i "$IMG/other.tar"
expect_status "load -i other.tar" "$LD_ST" 0 "$LD_ERR"
if [ "$st1" = 0 ] && [ "$LD_ST" = 0 ]; then
	# shellcheck disable=SC2086
	out=$(nks s-prune create $NOOK_RUN_FLAGS --name keeper localhost/nother:1 2>&1)
	expect_status "create" $? 0 "$out"
	# podman asks first without -f: "y" answers it; nook does not ask
	out=$(echo y | nks s-prune image prune 2>&1)
	expect_status "image prune (no dangling image)" $? 0 "$out"
	expect_eq "images -q after image prune" "$(nks s-prune images -q 2>&1 | sort)" "$(printf '%s\n' "$FULL12" "$OTHER12" | sort)"
	out=$(echo y | nks s-prune image prune -a 2>&1)
	expect_status "image prune -a" $? 0 "$out"
	expect_eq "images -q after image prune -a" "$(nks s-prune images -q 2>&1)" "$OTHER12"
	out=$(nks s-prune rm keeper 2>&1)
	expect_status "rm" $? 0 "$out"
fi
t_end

# ---- bad input ----------------------------------------------------------------

GNUTAR=
for c in gtar /usr/bin/tar /bin/tar tar; do
	if command -v "$c" >/dev/null 2>&1 && "$c" --version 2>/dev/null | grep -q 'GNU tar'; then
		GNUTAR=$c
		break
	fi
done
# from any directory the loader may unpack in, to /
UP=../../../../../../../../../../../../../../../..

# flip_byte FILE OFFSET: change one byte in place
flip_byte() {
	_b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' \n')
	printf '%b' "\\0$(printf '%03o' $((${_b:-0} ^ 255)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc 2>/dev/null
}

# sha FILE: its sha256 hex
sha() {
	sha256sum <"$1" | cut -c1-64
}

# mk_docker_archive OUT NAME LAYER.tar...: a docker-archive as podman writes
# them (manifest.json, config HEX.json with the layers' diff ids,
# HEX.tar layers), made by hand for inputs no real tool writes.
mk_docker_archive() {
	_out=$1
	_name=$2
	shift 2
	_d=$T_DIR/mk
	rm -rf "$_d"
	mkdir "$_d"
	_diffs=
	_files=
	for _l in "$@"; do
		_h=$(sha "$_l")
		cp "$_l" "$_d/$_h.tar"
		_diffs="$_diffs sha256:$_h"
		_files="$_files $_h.tar"
	done
	# shellcheck disable=SC2086
	jq -cn '{architecture: "amd64", os: "linux",
		config: {Cmd: ["/bin/sh"]},
		rootfs: {type: "layers", diff_ids: $ARGS.positional}}' --args $_diffs >"$_d/config"
	_c=$(sha "$_d/config")
	mv "$_d/config" "$_d/$_c.json"
	# shellcheck disable=SC2086
	jq -cn --arg c "$_c.json" --arg n "$_name" \
		'[{Config: $c, RepoTags: [$n], Layers: $ARGS.positional}]' --args $_files >"$_d/manifest.json"
	# shellcheck disable=SC2086
	(cd "$_d" && tar -cf "$_out" manifest.json "$_c.json" $_files)
}

# oci_manifest DIR: the path of the (one) manifest blob of an OCI layout
oci_manifest() {
	echo "$1/blobs/sha256/$(jq -r '.manifests[0].digest' "$1/index.json" | sed 's/^sha256://')"
}

# oci_layer DIR N: the hex digest of layer N of its manifest
oci_layer() {
	jq -r ".layers[$2].digest" "$(oci_manifest "$1")" | sed 's/^sha256://'
}

# bad_load WHAT INPUT CAUSE-ERE [NAMES-ERE] [QUIRK]: `load -i INPUT` must fail
# with one line on stderr that names the input (its file name, or
# NAMES-ERE: a blob's digest) and matches CAUSE-ERE (case ignored), and
# leave the images and the store as they were.  QUIRK=podman-loads:WHY:
# podman 4.3 loads it (WHY says how); against podman the refusal is
# skipped, and only the "nothing escaped" checks apply.
bad_load() {
	_what=$1
	_in=$2
	_before_img=$(images_list "$BAD")
	_before_store=$(store_list "$BAD_STORE")
	ld "$BAD" -i "$_in"
	_st=$LD_ST
	_err=$LD_ERR
	if [ "$T_PODMAN" = 1 ] && [ "${5%%:*}" = podman-loads ]; then
		skip_podman "$T_CUR: refused" "${5#*:}"
		# podman's store is left with it: take it out again
		for _n in $(loaded_names "$LD_OUT"); do
			nks "$BAD" rmi -f "$_n" >/dev/null 2>&1
		done
		return 0
	fi
	if [ "$T_PODMAN" = 1 ]; then
		expect_status "$_what: load" "$_st" '[1-9][0-9]*' "$_err"
	else
		expect_status "$_what: load" "$_st" 125 "$_err"
		expect_eq "$_what: lines on stderr" "$(printf '%s\n' "$_err" | grep -c .)" 1
		expect_eq "$_what: stdout" "$LD_OUT" ""
		expect_imatch "$_what: the cause" "$_err" "$3"
		printf '%s' "$_err" | grep -qF -- "$(basename "$_in")" ||
			{ [ -n "${4:-}" ] && printf '%s' "$_err" | grep -Eq -- "$4"; } ||
			t_why "$_what: the message names neither $(basename "$_in")${4:+ nor /$4/}: '$(oneline "$_err")'"
	fi
	expect_eq "$_what: images" "$(images_list "$BAD")" "$_before_img"
	_after=$(store_list "$BAD_STORE")
	[ "$_after" = "$_before_store" ] ||
		t_why "$_what: the store changed: $(printf '%s\n' "$_before_store" >"$T_DIR/st1"; printf '%s\n' "$_after" >"$T_DIR/st2"; diff "$T_DIR/st1" "$T_DIR/st2" | grep '^[<>]' | head -5 | tr '\n' ' ')"
}

# no_escape WHAT: nothing was written outside the store
no_escape() {
	_e=$(ls -A "$T_DIR/escape")
	[ -z "$_e" ] || t_why "$1: written outside the store: $T_DIR/escape/$(oneline "$_e")"
	expect_eq "$1: the victim's link count" "$(stat -c %h "$T_DIR/victim/secret")" 1
	expect_eq "$1: the victim's content" "$(cat "$T_DIR/victim/secret")" secret
	_f=$(find "$T_DIR/$BAD/root" -inum "$(stat -c %i "$T_DIR/victim/secret")" 2>/dev/null)
	[ -z "$_f" ] || t_why "$1: a link to the victim in the store: $_f"
}
echo secret >"$T_DIR/victim/secret"

# The bad input goes to a store of its own that has nother: the base layer
# is there already, so that a load must read (and check) the layers that
# are not, and a failed load must leave the base as it was and take back the
# layers it unpacked before it failed.  (A loader may skip a blob whose layer
# it has: podman 4.3 does, and so never sees the damage in it.)
BAD="s-bad"
BAD_STORE=$T_DIR/$BAD/root/images
ld "$BAD" -i "$IMG/other.tar"
[ "$LD_ST" = 0 ] || fail "images: bad input: the store for it" "load -i other.tar: $LD_ERR"

t_begin "images: bad input: a truncated docker-archive"
sz=$(stat -c %s "$IMG/full.tar")
head -c $((sz / 2)) "$IMG/full.tar" >"$T_DIR/truncated.tar"
bad_load "truncated" "$T_DIR/truncated.tar" 'truncat|unexpected (end|eof)|short|incomplete|eof'
t_end

t_begin "images: bad input: a byte changed in a gzip layer of an OCI directory"
if [ -d "$IMG/nfull-gz" ]; then
	rm -rf "$T_DIR/flipped" && cp -a "$IMG/nfull-gz" "$T_DIR/flipped"
	h=$(oci_layer "$T_DIR/flipped" 2)
	b=$T_DIR/flipped/blobs/sha256/$h
	flip_byte "$b" $(($(stat -c %s "$b") / 2))
	bad_load "flipped byte" "$T_DIR/flipped" 'digest|checksum|sha256|mismatch|gzip|corrupt|invalid' "$(printf '%s' "$h" | cut -c1-12)"
else
	t_why "no OCI directory (skopeo)"
fi
t_end

# corrupt_layer KIND REGEX: an OCI directory of KIND layers ($IMG/nfull-KIND)
# with a byte flipped in its top layer and every digest made to match, so
# that only the decompressor can tell
corrupt_layer() {
	if [ ! -d "$IMG/nfull-$1" ]; then
		t_why "no OCI directory (skopeo)"
		return
	fi
	d=$T_DIR/bad$1
	rm -rf "$d" && cp -a "$IMG/nfull-$1" "$d"
	h=$(oci_layer "$d" 2)
	b=$d/blobs/sha256/$h
	flip_byte "$b" $(($(stat -c %s "$b") / 2))
	nh=$(sha "$b")
	mv "$b" "$d/blobs/sha256/$nh"
	m=$(oci_manifest "$d")
	jq -c --arg o "sha256:$h" --arg n "sha256:$nh" \
		'.layers |= map(if .digest == $o then .digest = $n else . end)' "$m" >"$T_DIR/m.json"
	rm -f "$m"
	mh=$(sha "$T_DIR/m.json")
	mv "$T_DIR/m.json" "$d/blobs/sha256/$mh"
	jq -c --arg d "sha256:$mh" --argjson s "$(stat -c %s "$d/blobs/sha256/$mh")" \
		'.manifests[0].digest = $d | .manifests[0].size = $s' "$d/index.json" >"$T_DIR/i.json" &&
		mv "$T_DIR/i.json" "$d/index.json"
	bad_load "corrupt $1" "$d" "$2" "$(printf '%s' "$nh" | cut -c1-12)|$(hexes "$FULL_LAYERS" | tail -1 | cut -c1-12)"
}

t_begin "images: bad input: a corrupt gzip layer whose digests all match"
corrupt_layer gz 'gzip|deflate|inflate|compress|corrupt|crc|checksum|diff.?id|digest|mismatch|invalid'
t_end

t_begin "images: bad input: a corrupt zstd layer whose digests all match"
corrupt_layer zstd 'zstd|corrupt|checksum|diff.?id|digest|mismatch|invalid'
t_end

t_begin "images: bad input: zstd layers on a device without the zstd program"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "podman decompresses zstd itself"
elif [ -d "$IMG/nfull-zstd" ]; then
	# a PATH with timeout and mkdir only (nook is run by its path; /usr/sbin has no zstd)
	mkdir -p "$T_DIR/nozstd" && for p in timeout mkdir; do ln -sf "$(command -v $p)" "$T_DIR/nozstd/$p"; done
	if [ -e /usr/sbin/zstd ]; then
		t_why "/usr/sbin/zstd exists: the check cannot hide it"
	else
		LD_PATH=$T_DIR/nozstd
		bad_load "no zstd" "$IMG/nfull-zstd" 'zstd' "$(hexes "$FULL_LAYERS" | tail -1 | cut -c1-12)|install zstd"
		LD_PATH=
	fi
else
	t_why "no OCI directory (skopeo)"
fi
t_end

t_begin "images: bad input: a blob whose content is another's (digest mismatch)"
if [ -d "$IMG/nfull-plain" ]; then
	d=$T_DIR/swapped
	rm -rf "$d" && cp -a "$IMG/nfull-plain" "$d"
	h1=$(oci_layer "$d" 1)
	h2=$(oci_layer "$d" 2)
	cp "$d/blobs/sha256/$h1" "$d/blobs/sha256/$h2"
	bad_load "swapped blob" "$d" 'digest|checksum|sha256|mismatch' "$(printf '%s' "$h2" | cut -c1-12)"
else
	t_why "no OCI directory (skopeo)"
fi
t_end

t_begin "images: bad input: a docker-archive layer that is not the config's diff id"
d=$T_DIR/da
rm -rf "$d" && mkdir "$d" && tar -C "$d" -xf "$IMG/full.tar"
l1=$(jq -r '.[0].Layers[1]' "$d/manifest.json")
l2=$(jq -r '.[0].Layers[2]' "$d/manifest.json")
cp "$d/$l1" "$d/$l2"
(cd "$d" && tar -cf "$T_DIR/diffid.tar" ./*)
bad_load "diff id" "$T_DIR/diffid.tar" 'digest|diff.?id|checksum|sha256|mismatch' "$(printf '%s' "${l2%.tar}" | cut -c1-12)" \
	"podman-loads:4.3 does not check a docker-archive's layer against its diff id"
t_end

if [ -z "$GNUTAR" ]; then
	skip "images: bad input: crafted layers" "needs GNU tar (board/setup.sh has it)"
else
	t_begin "images: bad input: a layer entry with ../ in its name"
	s=$T_DIR/stage && rm -rf "$s" && mkdir "$s" && echo pwned >"$s/evil"
	$GNUTAR -C "$s" -cPf "$T_DIR/dotdot-layer.tar" \
		--transform "s|^evil\$|$UP$T_DIR/escape/evil|" evil
	$GNUTAR -tPf "$T_DIR/dotdot-layer.tar" | grep -q '^\.\./' || t_why "GNU tar did not keep ../"
	mk_docker_archive "$T_DIR/dotdot.tar" localhost/evil:dotdot "$IMG/base.tar" "$T_DIR/dotdot-layer.tar"
	bad_load "../" "$T_DIR/dotdot.tar" '\.\.|outside|escape|unsafe|invalid|illegal|path' 'evil' \
		"podman-loads:4.3 unpacks it chrooted: ../ stops at the layer's root"
	no_escape "../"
	t_end

	t_begin "images: bad input: a layer writing through its own absolute symlink"
	s=$T_DIR/stage && rm -rf "$s" && mkdir -p "$s/1" "$s/2/x" && echo pwned >"$s/2/x/pwned"
	ln -s "$T_DIR/escape" "$s/1/x"
	$GNUTAR -C "$s/1" -cf "$T_DIR/symlink-layer.tar" x &&
		$GNUTAR -C "$s/2" -rf "$T_DIR/symlink-layer.tar" x/pwned
	[ "$($GNUTAR -tf "$T_DIR/symlink-layer.tar" | tr '\n' ' ')" = "x x/pwned " ] ||
		t_why "the crafted layer: $($GNUTAR -tvf "$T_DIR/symlink-layer.tar" | tr '\n' ' ')"
	mk_docker_archive "$T_DIR/symlink.tar" localhost/evil:symlink "$IMG/base.tar" "$T_DIR/symlink-layer.tar"
	bad_load "symlink" "$T_DIR/symlink.tar" 'symlink|link|outside|escape|unsafe|through|path' 'x/pwned' \
		"podman-loads:4.3 unpacks it chrooted: x/pwned lands inside the layer"
	no_escape "symlink"
	t_end

	t_begin "images: bad input: a hardlink to a file out of the layer"
	for how in relative absolute; do
		s=$T_DIR/stage && rm -rf "$s" && mkdir "$s" && echo x >"$s/a" && ln "$s/a" "$s/hl"
		case $how in
		relative) target=$UP$T_DIR/victim/secret ;;
		absolute) target=$T_DIR/victim/secret ;;
		esac
		# a, then hl as a link to a, both renamed; then a is dropped
		$GNUTAR -C "$s" -cPf "$T_DIR/hl-layer.tar" --transform "s|^a\$|$target|" a hl &&
			$GNUTAR --delete -Pf "$T_DIR/hl-layer.tar" "$target"
		$GNUTAR -tvPf "$T_DIR/hl-layer.tar" | grep -q "^h.* hl link to $target\$" ||
			t_why "the crafted layer: $($GNUTAR -tvPf "$T_DIR/hl-layer.tar" | tr '\n' ' ')"
		mk_docker_archive "$T_DIR/hardlink-$how.tar" "localhost/evil:hl$how" "$IMG/base.tar" "$T_DIR/hl-layer.tar"
		bad_load "hardlink ($how)" "$T_DIR/hardlink-$how.tar" 'link|outside|escape|unsafe|\.\.|path' 'hl|victim'
		no_escape "hardlink ($how)"
	done
	t_end
fi

t_begin "images: bad input: not an archive"
echo hi >"$T_DIR/notanimage"
bad_load "not an archive" "$T_DIR/notanimage" 'format|not an? (image|archive|tar)|unrecogni[sz]ed|unsupported|invalid'
t_end

t_begin "images: bad input: a missing file"
bad_load "missing" "$T_DIR/nosuchfile.tar" 'no such file|not found|does not exist'
t_end

# A full disk mid-layer: the store on a small tmpfs holding one image, then
# an image with one layer of 8 MiB of
# random bytes over the base.  The load must fail naming the cause, leave
# the store as it was (no half layer, not even unlisted: the tmpfs's used
# space is back where it was) and leave it usable.
t_begin "images: bad input: a layer larger than the free space (a small tmpfs store)"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "the check is on nook's store files"
elif ! mkdir -p "$T_DIR/fullfs" || ! mount -t tmpfs -o size=6m,mode=0700 tmpfs "$T_DIR/fullfs" 2>"$T_DIR/m.err"; then
	t_why "mount a 6 MiB tmpfs: $(cat "$T_DIR/m.err")"
	t_end
else
	s=$T_DIR/bigstage && rm -rf "$s" && mkdir "$s"
	head -c 8388608 /dev/urandom >"$s/big"
	tar -C "$s" -cf "$T_DIR/big-layer.tar" big
	mk_docker_archive "$T_DIR/big.tar" localhost/nbig:1 "$IMG/base.tar" "$T_DIR/big-layer.tar"
	fs_nk() {
		$T_TIMEOUT_CMD $NOOK --root "$T_DIR/fullfs/root" --runroot "$T_DIR/fullrun" "$@"
	}
	(cd "$T_DIR" && mk_docker_archive "$T_DIR/small.tar" localhost/nsmall:1 "$IMG/base.tar")
	fs_nk load -i "$T_DIR/small.tar" >"$T_DIR/full.out" 2>"$T_DIR/full.err"
	expect_status "a load that fits" $? 0 "$(cat "$T_DIR/full.err")"
	before=$(store_list "$T_DIR/fullfs/root/images")
	imgs=$(fs_nk images -a -q 2>&1)
	used0=$(df -k --output=used "$T_DIR/fullfs" | tail -1)
	fs_nk load -i "$T_DIR/big.tar" >"$T_DIR/full.out" 2>"$T_DIR/full.err"
	st=$?
	err=$(cat "$T_DIR/full.err")
	expect_status "load" "$st" 125 "$err"
	expect_eq "lines on stderr" "$(printf '%s\n' "$err" | grep -c .)" 1
	expect_imatch "the cause" "$err" 'no space left|ENOSPC'
	expect_imatch "names the archive" "$err" 'big\.tar'
	expect_eq "images" "$(fs_nk images -a -q 2>&1)" "$imgs"
	after=$(store_list "$T_DIR/fullfs/root/images")
	[ "$after" = "$before" ] ||
		t_why "the store changed: $(printf '%s\n' "$before" >"$T_DIR/st1"; printf '%s\n' "$after" >"$T_DIR/st2"; diff "$T_DIR/st1" "$T_DIR/st2" | grep '^[<>]' | head -5 | tr '\n' ' ')"
	used1=$(df -k --output=used "$T_DIR/fullfs" | tail -1)
	[ "$used1" -le $((used0 + 64)) ] || t_why "the tmpfs holds ${used1} KiB after the failed load, ${used0} KiB before"
	# and the store still takes an image that fits, on the same base
	echo small >"$s/small" && tar -C "$s" -cf "$T_DIR/small-layer.tar" small
	mk_docker_archive "$T_DIR/small2.tar" localhost/nsmall:2 "$IMG/base.tar" "$T_DIR/small-layer.tar"
	fs_nk load -i "$T_DIR/small2.tar" >"$T_DIR/full.out" 2>"$T_DIR/full.err"
	expect_status "then a load that fits" $? 0 "$(cat "$T_DIR/full.err")"
	expect_eq "its file" "$(fs_nk run --rm --network none localhost/nsmall:2 cat /small 2>&1)" small
	fs_nk rmi -a -f >/dev/null 2>&1
	umount "$T_DIR/fullfs" || t_why "umount the tmpfs"
	t_end
fi

# ---- layers shared --------------------------------------------------------

t_begin "images: two images share their base layer; it goes with the last of them"
base_hex=$(hexes "$FULL_LAYERS" | head -1)
other_hex=$(hexes "$OTHER_LAYERS" | tail -1)
expect_eq "the base layer, as podman built them" "$(hexes "$OTHER_LAYERS" | head -1)" "$base_hex"
if need_image . localhost/nfull:1; then
	[ "$T_PODMAN" = 0 ] && kb0=$(du -sk "$STORE" | cut -f1)
	ld . -i "$IMG/other.tar"
	expect_status "load -i other.tar" "$LD_ST" 0 "$LD_ERR"
fi
if [ -z "$T_WHY" ]; then
	expect_eq "nother's layers" "$(img_field . localhost/nother:1 '.RootFS.Layers[]')" "$OTHER_LAYERS"
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "layer directories (one base for both)" "$(layer_dirs | sort)" \
			"$(hexes "$(printf '%s\n%s\n' "$FULL_LAYERS" "$OTHER_LAYERS")" | sort -u)"
		# the base is 2.2 MB; nother's own layer a few KB
		kb=$(($(du -sk "$STORE" | cut -f1) - kb0))
		[ "$kb" -lt 500 ] || t_why "the store grew by $kb KB with nother"
	fi
	out=$(nk rmi localhost/nother:1 2>&1)
	expect_status "rmi nother" $? 0 "$out"
	if [ "$T_PODMAN" = 0 ]; then
		[ -d "$STORE/layers/$base_hex" ] || t_why "the shared base layer went with nother"
		[ -d "$STORE/layers/$other_hex" ] && t_why "nother's own layer is still there"
	fi
	out=$(nk_run --rm --entrypoint /bin/cat localhost/nfull:1 /added 2>&1)
	expect_eq "nfull still runs" "$out" added-content
	# every name of nfull
	names=$(img_field . localhost/nfull:1 '.RepoTags[]')
	# shellcheck disable=SC2086
	out=$(nk rmi $names 2>&1)
	expect_status "rmi $(oneline "$names")" $? 0 "$out"
	expect_match "rmi output" "$out" "^Deleted: (sha256:)?$FULL_ID\$"
	expect_eq "images -q" "$(nk images -q 2>&1)" ""
	if [ "$T_PODMAN" = 0 ]; then
		expect_eq "layer directories" "$(layer_dirs)" ""
	fi
fi
t_end

# ---- save ------------------------------------------------------------------

# pl ARGS...: podman on a store of its own, only to load what was saved
pl() {
	env TMPDIR="$PB_DIR/tmp" $BUILD_TIMEOUT podman --root "$T_DIR/pl/root" \
		--runroot "$T_DIR/pl/run" --storage-driver vfs --tmpdir "$PB_DIR/tmp" \
		--cgroup-manager=cgroupfs --events-backend=file "$@"
}

t_begin "images: save: the layers byte for byte as podman saved them; podman loads the same image"
ld s-save -i "$IMG/full.tar"
expect_status "load -i full.tar" "$LD_ST" 0 "$LD_ERR"
if [ "$LD_ST" = 0 ]; then
	out=$(nks s-save save -o "$T_DIR/saved.tar" localhost/nfull:1 2>&1)
	expect_status "save -o saved.tar" $? 0 "$out"
	for h in $(hexes "$FULL_LAYERS"); do
		tar -xOf "$IMG/full.tar" "$h.tar" >"$T_DIR/want.layer" 2>/dev/null ||
			t_why "podman's archive has no $h.tar"
		tar -xOf "$T_DIR/saved.tar" "$h.tar" >"$T_DIR/got.layer" 2>/dev/null ||
			t_why "the saved archive has no $h.tar"
		cmp -s "$T_DIR/want.layer" "$T_DIR/got.layer" || t_why "layer $h differs from podman's"
	done
	out=$(pl load -i "$T_DIR/saved.tar" 2>&1)
	expect_status "podman load -i saved.tar" $? 0 "$out"
	expect_eq "podman's id of it" "$(pl image inspect --format '{{.Id}}' localhost/nfull:1 2>&1)" \
		"$FULL_ID"
	pl rmi -af >/dev/null 2>&1
fi
t_end

t_begin "images: save --format oci-archive: podman and nook load it as the same image"
out=$(nks s-save save --format oci-archive -o "$T_DIR/saved-oci.tar" localhost/nfull:1 2>&1)
expect_status "save --format oci-archive" $? 0 "$out"
if [ -s "$T_DIR/saved-oci.tar" ]; then
	out=$(pl load -i "$T_DIR/saved-oci.tar" 2>&1)
	expect_status "podman load" $? 0 "$out"
	expect_eq "podman's id of it" "$(pl image inspect --format '{{.Id}}' localhost/nfull:1 2>&1)" \
		"$FULL_ID"
	pl rmi -af >/dev/null 2>&1
	ld s-save2 -i "$T_DIR/saved-oci.tar"
	check_load "nook load of it" s-save2
	out=$(nks_run s-save2 --rm --entrypoint /bin/cat localhost/nfull:1 /added 2>&1)
	expect_eq "a container of it" "$out" added-content
fi
t_end

t_begin "images: save --format oci-dir: podman and nook load the directory as the same image"
out=$(nks s-save save --format oci-dir -o "$T_DIR/saved-dir" localhost/nfull:1 2>&1)
expect_status "save --format oci-dir" $? 0 "$out"
if [ -f "$T_DIR/saved-dir/index.json" ]; then
	# relative: podman 4.3 names the image after the path given
	out=$(cd "$T_DIR" && pl load -i saved-dir 2>&1)
	expect_status "podman load DIR" $? 0 "$out"
	expect_eq "podman's id of it" "$(pl image inspect --format '{{.Id}}' "$(loaded_names "$out" | head -1)" 2>&1)" \
		"$FULL_ID"
	pl rmi -af >/dev/null 2>&1
	ld s-save5 -i "$T_DIR/saved-dir"
	check_load "nook load of it" s-save5
	out=$(nks_run s-save5 --rm --entrypoint /bin/cat localhost/nfull:1 /added 2>&1)
	expect_eq "a container of it" "$out" added-content
else
	t_why "no index.json in the directory: $(ls "$T_DIR/saved-dir" 2>&1)"
fi
if [ "$T_PODMAN" = 0 ]; then
	out=$(nks s-save save --format oci-dir -o "$T_DIR/saved-dir" localhost/nfull:1 2>&1)
	expect_status "save onto an existing directory" $? 125 "$out"
	expect_match "its error" "$out" "saved-dir already exists"
	out=$(nks s-save save --format oci-dir -o "$T_DIR/none-dir" localhost/nosuch:1 2>&1)
	expect_status "save of a missing image" $? 125 "$out"
	[ -e "$T_DIR/none-dir" ] || [ -e "$T_DIR/none-dir.tmp" ] && t_why "a directory was left"
fi
t_end

t_begin "images: save of two images that share a layer stores it once; by id, without a name"
ld s-save -i "$IMG/other.tar"
expect_status "load -i other.tar" "$LD_ST" 0 "$LD_ERR"
base_hex=$(hexes "$FULL_LAYERS" | head -1)
out=$(nks s-save save -o "$T_DIR/two.tar" localhost/nfull:1 localhost/nother:1 2>&1)
expect_status "save of both" $? 0 "$out"
expect_eq "entries $base_hex.tar" "$(tar -tf "$T_DIR/two.tar" | grep -c "^$base_hex.tar\$")" 1
ld s-save3 -i "$T_DIR/two.tar"
expect_status "load of both" "$LD_ST" 0 "$LD_ERR"
expect_eq "loaded" "$(loaded_names "$LD_OUT" | sort)" "$(printf 'localhost/nfull:1\nlocalhost/nother:1')"
out=$(nks s-save save -o "$T_DIR/byid.tar" "$FULL_ID" 2>&1)
expect_status "save by id" $? 0 "$out"
ld s-save4 -i "$T_DIR/byid.tar"
expect_eq "loaded by id" "$LD_OUT" "Loaded image: sha256:$FULL_ID"
t_end

t_begin "images: save: bad input leaves no archive"
out=$(nks s-save save -o "$T_DIR/none.tar" localhost/nosuch:1 2>&1)
expect_status "save of a missing image" $? 125 "$out"
expect_match "its error" "$out" "no such image|image not known"
[ -e "$T_DIR/none.tar" ] || [ -e "$T_DIR/none.tar.tmp" ] && t_why "an archive was left"
if [ "$T_PODMAN" = 0 ]; then
	# a layer's tree changed behind the store's back: refused, not
	# written as something else
	top_hex=$(hexes "$FULL_LAYERS" | tail -1)
	echo tampered >"$T_DIR/s-save/root/images/layers/$top_hex/added"
	out=$(nks s-save save -o "$T_DIR/bad.tar" localhost/nfull:1 2>&1)
	expect_status "save of a changed layer" $? 125 "$out"
	expect_match "its error" "$out" "layer.*(no longer give its diff id|shorter than when it was unpacked)"
	expect_eq "error lines" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
	[ -e "$T_DIR/bad.tar" ] || [ -e "$T_DIR/bad.tar.tmp" ] && t_why "an archive was left"
fi
t_end

# ---- commit and history ----------------------------------------------------

t_begin "images: commit: a container's changes as a new image (added, deleted, a replaced directory)"
ld s-commit -i "$IMG/full.tar"
expect_status "load -i full.tar" "$LD_ST" 0 "$LD_ERR"
out=$(nks_run s-commit --name cw --user 0 --entrypoint /bin/sh localhost/nfull:1 -c \
	'echo two >/added2 && rm /added && rm -rf /d && mkdir /d && echo only >/d/only' 2>&1)
expect_status "run cw" $? 0 "$out"
new=$(nks s-commit commit -f docker -m "my change" cw localhost/ncommit:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_match "commit output" "$new" '^(sha256:)?[0-9a-f]{64}$'
new=${new#sha256:}
out=$(nks_run s-commit --rm --user 0 --entrypoint /bin/sh localhost/ncommit:1 -c \
	'cat /added2; ls /added 2>/dev/null || echo no-added; ls /d' 2>&1)
expect_eq "a container of the new image" "$out" "$(printf 'two\nno-added\nonly')"
expect_eq "its layers" "$(img_field s-commit localhost/ncommit:1 '.RootFS.Layers | length')" \
	"$(($(printf '%s\n' "$FULL_LAYERS" | wc -l) + 1))"
expect_eq "its config: still nfull's Env" \
	"$(img_field s-commit localhost/ncommit:1 '.Config.Env[]' | grep -c '^FOO=bar$')" 1
out=$(nks s-commit history localhost/ncommit:1 2>&1)
expect_status "history" $? 0 "$out"
# podman 4.3 shows its own comment there
[ "$T_PODMAN" = 1 ] || expect_match "history: the newest line first, with the message" \
	"$(printf '%s\n' "$out" | sed -n 2p)" "my change"
if [ "$T_PODMAN" = 0 ]; then
	out=$(nks s-commit save -o "$T_DIR/committed.tar" localhost/ncommit:1 2>&1)
	expect_status "save of it" $? 0 "$out"
	out=$(pl load -i "$T_DIR/committed.tar" 2>&1)
	expect_status "podman load of it" $? 0 "$out"
	expect_eq "podman's id of it" \
		"$(pl image inspect --format '{{.Id}}' localhost/ncommit:1 2>&1)" "$new"
	out=$(pl create --name pc localhost/ncommit:1 >/dev/null 2>&1 &&
		pl export pc | tar -tf - | grep -E '^(\./)?(added2|added|d/only|d/new)$' | sort)
	expect_eq "podman's view of its files" "$out" "$(printf 'added2\nd/only')"
	pl rm -f pc >/dev/null 2>&1
	pl rmi -af >/dev/null 2>&1
	out=$(nks_run s-commit --name rfs --rootfs "$ROOTFS" true 2>&1)
	out=$(nks s-commit commit rfs localhost/nope:1 2>&1)
	expect_status "commit of a --rootfs container" $? 125 "$out"
	expect_match "its error" "$out" "not made from an image"
fi
nks s-commit rm -f cw >/dev/null 2>&1
nks s-commit rm -f rfs >/dev/null 2>&1
t_end

# ---- many layers ----------------------------------------------------------

t_begin "images: a 42-layer image runs"
# tests/run-tier.sh gives a script 150 s: wait for the build until 130 s
left=$((130 - ($(date +%s) - T_START)))
[ "$left" -gt 5 ] || left=5
wait_for "$left" test -s "$PB_DIR/many.done" || true
if ! [ -s "$PB_DIR/many.done" ]; then
	skip "$T_CUR" "podman had not built it after $(($(date +%s) - T_START)) s (a loaded machine?): $(tail -1 "$PB_DIR/many.log" | cut -c1-100)"
	T_CUR=
elif [ "$(cut -d' ' -f1 "$PB_DIR/many.done")" != 0 ]; then
	t_why "podman build of 42 layers failed: $(tail -3 "$PB_DIR/many.log" | tr '\n' ' ')"
else
	echo "# images: the 42-layer image built with podman in $(cut -d' ' -f2 "$PB_DIR/many.done") s"
	ld s-many -i "$IMG/many.tar"
	expect_status "load -i many.tar" "$LD_ST" 0 "$LD_ERR"
	if [ "$LD_ST" = 0 ]; then
		expect_eq "load output" "$LD_OUT" 'Loaded image: localhost/nmany:1'
		expect_eq "layers" "$(img_field s-many localhost/nmany:1 '.RootFS.Layers | length')" 42
		out=$(nks_run s-many --rm localhost/nmany:1 2>&1)
		expect_status "run" $? 0 "$out"
		expect_eq "run: /f1 and /f41" "$out" "$(printf '%s\n' 1 41)"
		out=$(nks_run s-many --rm localhost/nmany:1 /bin/sh -c 'echo x >/f20 && cat /f20 /f21' 2>&1)
		expect_eq "run: a write over a middle layer" "$out" "$(printf '%s\n' x 21)"
	fi
fi
[ -n "$T_CUR" ] && t_end

exit $T_RC
