#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Pull: `pull`, `login`, `logout`, `run --pull`, against a real registry:
# Debian's docker-registry (distribution 2.8) started here on
# 127.0.0.1:<free port> with its own config and storage under $T_DIR, and a
# second one with `auth: htpasswd` (bcrypt, made by htpasswd -B).  Both are
# stopped by the EXIT trap.
#
# The images are built by podman in a store of this script's own (as
# tests/e2e/images.sh does: --root/--runroot under $T_DIR, vfs driver,
# nothing pulled) and pushed with skopeo from docker-archives:
#   napp:1    the test rootfs (podman import) + a layer writing /f
#   narm:1    the same base + a layer writing /arch
#   ntamp:1   the same base + a layer of its own, whose blob is tampered with
#   tm:1      napp with an OCI manifest (skopeo --format oci), which is
#             tampered with
#   multi:1   a manifest list (podman manifest create/add --arch arm64
#             --variant v8, podman manifest push): amd64 -> napp, arm64 -> narm
# Checks: pull by tag (podman's image id, podman's progress lines), the
# files in a container, a second pull downloads no blob (the registry's
# log), pull by digest, the platform chosen from a list and --platform, a
# missing tag, a tampered manifest and a tampered layer refused with one
# line and nothing left in the store, `run` pulling a missing image and
# --pull never refusing to, Basic auth (htpasswd) with login/logout and
# auth.json, Bearer tokens (registry-proxy.py, as Docker Hub has them:
# anonymous, and with a login), a blob download cut half way and resumed
# with Range (and read again when the registry ignores Range), https
# through a fake curl and a fake wget that turn https://registry.test into
# the local http registry, no fetcher at all, and --tls-verify=false on
# this plain-http registry (https is tried first: tests/e2e/pull-https.sh
# has the real TLS registries).
#
# Needs docker-registry, htpasswd (apache2-utils), podman, skopeo, curl,
# jq (board/setup.sh); the proxy cases need python3 (skipped without).
# On this machine (2 cores) the whole script takes about 30 s.
# shellcheck disable=SC2317
. "$(dirname "$0")/lib.sh"

PB_DIR=$T_DIR/pb
IMG=$T_DIR/img
mkdir -p "$PB_DIR/tmp" "$IMG"
TMO="timeout -s KILL 120"

t_need_tools docker-registry htpasswd podman skopeo curl
if [ "$T_PODMAN" = 1 ]; then
	skip "$T_NAME" "optional: nook's pull only (its messages, store and log checks)"
	exit 0
fi

. "$(dirname "$0")/stores.inc" # pb, nks_path, nks

# nks_run NAME ARGS...: `run` with $NOOK_RUN_FLAGS on the store NAME
nks_run() {
	_s=$1
	shift
	# shellcheck disable=SC2086
	nks "$_s" run $NOOK_RUN_FLAGS "$@"
}

# img_field STORE IMAGE JQ-FILTER
img_field() {
	nks "$1" image inspect "$2" 2>/dev/null |
		jq -r "(if type == \"array\" then .[0] else . end) | $3" 2>/dev/null
}

# start_registry NAME [AUTH]: a registry in $T_DIR/NAME on a free port
# ($REG_PORT); AUTH: an htpasswd file it requires.
start_registry() {
	_d=$T_DIR/$1
	mkdir -p "$_d/data"
	_try=0
	while [ "$_try" -lt 8 ]; do
		REG_PORT=$(awk -v s="$$$_try$1" 'BEGIN { srand(); srand(srand() + s); printf "%d\n", 20000 + int(rand() * 30000) }')
		_try=$((_try + 1))
		# a port something else answers on is not free
		curl -s -o /dev/null -m 2 "http://127.0.0.1:$REG_PORT/" && continue
		{
			printf 'version: 0.1\nlog:\n  level: info\n'
			printf 'storage:\n  filesystem:\n    rootdirectory: %s\n' "$_d/data"
			printf 'http:\n  addr: 127.0.0.1:%s\n' "$REG_PORT"
			[ -n "${2:-}" ] &&
				printf 'auth:\n  htpasswd:\n    realm: nook-test\n    path: %s\n' "$2"
		} >"$_d/config.yml"
		docker-registry serve "$_d/config.yml" >"$_d/log" 2>&1 &
		_pid=$!
		track_pid "$_pid"
		_i=0
		while [ "$_i" -lt 50 ] && kill -0 "$_pid" 2>/dev/null; do
			_st=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REG_PORT/v2/")
			case $_st in 200 | 401) return 0 ;; esac
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_pid" 2>/dev/null
	done
	return 1
}

# start_proxy MODE [USER:PASS]: registry-proxy.py in front of $REG ($PX_PORT,
# its log $PX_LOG)
start_proxy() {
	PX_LOG=$T_DIR/proxy-$1.log
	rm -f "$T_DIR/proxy.port"
	: >"$PX_LOG"
	python3 "$T_TOP/tests/e2e/registry-proxy.py" "$1" "$T_DIR/proxy.port" "$REG_PORT" \
		"$PX_LOG" ${2:+"$2"} 2>"$T_DIR/proxy-$1.err" &
	track_pid $!
	_i=0
	while [ "$_i" -lt 50 ] && ! [ -s "$T_DIR/proxy.port" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	PX_PORT=$(cat "$T_DIR/proxy.port" 2>/dev/null)
	[ -n "$PX_PORT" ]
}

# push ARCHIVE REF [CREDS [FORMAT]]: skopeo copy of a docker-archive to the
# registry (FORMAT: oci for an OCI manifest)
push() {
	$TMO skopeo copy -q --dest-tls-verify=false ${3:+--dest-creds "$3"} ${4:+--format "$4"} \
		"docker-archive:$1" "docker://$2" >/dev/null
}

# blob_gets LOG: the registry's GETs of blobs so far
blob_gets() {
	grep 'msg="response completed"' "$1" | grep -c 'method=GET .*uri="/v2/[^"]*/blobs/'
}

# layer_count STORE: the layers in a store
layer_count() {
	find "$T_DIR/$1/root/images/layers" -mindepth 1 -maxdepth 1 2>/dev/null | grep -c .
}

# tmp_left STORE: what a pull left in the store's staging area
tmp_left() {
	ls -A "$T_DIR/$1/root/images/tmp" 2>/dev/null
}

_t0=$(date +%s)

# ---- the registries and the images ---------------------------------------------

if ! start_registry reg; then
	fail "$T_NAME: docker-registry" "did not start: $(oneline "$(tail -3 "$T_DIR/reg/log")")"
	exit 1
fi
REG=$REG_PORT
R=127.0.0.1:$REG
htpasswd -Bbn puller 's3cret pw' >"$T_DIR/htpasswd" 2>/dev/null
if ! start_registry areg "$T_DIR/htpasswd"; then
	fail "$T_NAME: docker-registry (htpasswd)" "did not start: $(oneline "$(tail -3 "$T_DIR/areg/log")")"
	exit 1
fi
AREG=$REG_PORT
AR=127.0.0.1:$AREG
REG_PORT=$REG

build_why=
(cd "$ROOTFS" && tar -cf "$IMG/base.tar" .) || build_why="tar of the rootfs"
[ -z "$build_why" ] && { pb import "$IMG/base.tar" localhost/nbase:latest >/dev/null 2>&1 || build_why="podman import"; }
for _b in "napp echo pulled-content >/f" "narm echo arm >/arch" "ntamp echo tamper >/t"; do
	[ -n "$build_why" ] && break
	mkdir -p "$PB_DIR/${_b%% *}"
	printf 'FROM localhost/nbase:latest\nRUN %s\n' "${_b#* }" >"$PB_DIR/${_b%% *}/Containerfile"
	_o=$(pb build --isolation chroot --pull=never -t "localhost/${_b%% *}:1" "$PB_DIR/${_b%% *}" 2>&1) &&
		_o=$(pb save --format docker-archive -o "$IMG/${_b%% *}.tar" "localhost/${_b%% *}:1" 2>&1) ||
		build_why="podman build ${_b%% *}: $(oneline "$(printf '%s\n' "$_o" | tail -2)")"
done
if [ -z "$build_why" ]; then
	APP_ID=$(pb image inspect --format '{{.Id}}' localhost/napp:1)
	ARM_ID=$(pb image inspect --format '{{.Id}}' localhost/narm:1)
	push "$IMG/napp.tar" "$R/napp:1" && push "$IMG/narm.tar" "$R/narm:1" &&
		push "$IMG/napp.tar" "$R/multi:amd" && push "$IMG/narm.tar" "$R/multi:arm" &&
		push "$IMG/napp.tar" "$R/tm:1" "" oci && push "$IMG/ntamp.tar" "$R/tl:1" &&
		push "$IMG/napp.tar" "$AR/napp:1" "puller:s3cret pw" &&
		push "$IMG/narm.tar" "$AR/narm:1" "puller:s3cret pw" || build_why="skopeo copy"
fi
if [ -z "$build_why" ]; then
	{ pb manifest create localhost/mlist &&
		pb manifest add --tls-verify=false localhost/mlist "docker://$R/multi:amd" &&
		pb manifest add --tls-verify=false --arch arm64 --variant v8 localhost/mlist \
			"docker://$R/multi:arm" &&
		pb manifest push --tls-verify=false localhost/mlist "docker://$R/multi:1"; } \
		>"$T_DIR/manifest.log" 2>&1 || build_why="podman manifest: $(oneline "$(tail -2 "$T_DIR/manifest.log")")"
fi
if [ -n "$build_why" ]; then
	fail "$T_NAME: the test images" "$build_why"
	exit 1
fi
echo "# pull: registries and images ready in $(($(date +%s) - _t0)) s"

# ---- pull by tag -----------------------------------------------------------------

t_begin "pull: by tag: podman's image id, podman's progress lines"
out=$(nks s1 pull "$R/napp:1" 2>"$T_DIR/err")
st=$?
err=$(cat "$T_DIR/err")
expect_status "pull" "$st" 0 "$err"
expect_eq "the id on stdout" "$out" "$APP_ID"
expect_match "progress" "$err" "^Trying to pull $R/napp:1\\.\\.\\."
expect_match "progress" "$err" "^Copying blob sha256:[0-9a-f]{64}$"
expect_match "progress" "$err" "^Copying config sha256:$APP_ID"
expect_match "progress" "$err" "^Writing manifest to image destination"
expect_eq "its name" "$(nks s1 images --format '{{.repository}}:{{.tag}}')" "$R/napp:1"
t_end

t_begin "pull: the image's files in a container"
out=$(nks_run s1 --rm "$R/napp:1" cat /f 2>&1)
expect_status "run" $? 0 "$out"
expect_eq "/f" "$out" "pulled-content"
t_end

t_begin "pull: again: no blob downloaded, the layers skipped"
before=$(blob_gets "$T_DIR/reg/log")
out=$(nks s1 pull "$R/napp:1" 2>&1)
expect_status "pull" $? 0 "$out"
expect_eq "blob GETs in the registry's log" "$(blob_gets "$T_DIR/reg/log")" "$((before + 1))"
expect_match "progress" "$out" "skipped: already exists"
expect_nomatch "progress" "$out" "^Copying blob sha256:[0-9a-f]{64}$"
out=$(nks s1 pull -q "$R/napp:1" 2>&1)
expect_eq "-q: only the id" "$out" "$APP_ID"
t_end

t_begin "pull: a shared base layer is not downloaded for another image"
before=$(blob_gets "$T_DIR/reg/log")
out=$(nks s1 pull -q "$R/narm:1" 2>&1)
expect_status "pull" $? 0 "$out"
expect_eq "blob GETs: the config and the one new layer" "$(blob_gets "$T_DIR/reg/log")" "$((before + 2))"
t_end

# ---- by digest, lists, platforms, missing ------------------------------------------

t_begin "pull: by digest (name@sha256:...)"
dig=$($TMO skopeo inspect --tls-verify=false "docker://$R/napp:1" 2>/dev/null | jq -r .Digest)
out=$(nks s-dig pull -q "$R/napp@$dig" 2>&1)
expect_status "pull" $? 0 "$out"
expect_eq "its id" "$out" "$APP_ID"
expect_eq "no tag, its repository" "$(nks s-dig images --format '{{.repository}} {{.tag}}')" "$R/napp <none>"
expect_eq "RepoDigests" "$(img_field s-dig "$R/napp@$dig" '.RepoDigests[0]')" "$R/napp@$dig"
out=$(nks_run s-dig --rm --pull never "$R/napp@$dig" cat /f 2>&1)
expect_eq "run by digest" "$out" "pulled-content"
out=$(nks s-dig pull "$R/napp@sha256:0123" 2>&1)
expect_status "a bad digest" $? 125 "$out"
bad=sha256:0000000000000000000000000000000000000000000000000000000000000000
out=$(nks s-dig pull "$R/napp@$bad" 2>&1)
expect_status "an unknown digest" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -c '^Error:')" 1
t_end

t_begin "pull: a manifest list: this machine's platform, and --platform"
out=$(nks s-list pull -q "$R/multi:1" 2>&1)
expect_status "pull" $? 0 "$out"
expect_eq "amd64: napp" "$out" "$APP_ID"
out=$(nks s-list pull -q --platform linux/arm64 "$R/multi:1" 2>&1)
expect_status "pull --platform linux/arm64" $? 0 "$out"
expect_eq "arm64: narm" "$out" "$ARM_ID"
out=$(nks_run s-list --rm "$R/multi:1" cat /arch 2>&1)
expect_eq "the name went to the last one pulled" "$out" "arm"
out=$(nks s-list pull --platform linux/s390x "$R/multi:1" 2>&1)
expect_status "--platform linux/s390x" $? 125 "$out"
expect_match "names the platforms" "$out" "^Error: .*no image for linux/s390x.*linux/amd64, linux/arm64/v8"
out=$(nks s-list pull --platform nonsense "$R/multi:1" 2>&1)
expect_status "--platform nonsense" $? 125 "$out"
t_end

t_begin "pull: a missing tag and a missing repository: one line each"
out=$(nks s-miss pull "$R/napp:nosuch" 2>&1)
expect_status "missing tag" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -v '^Trying' | grep -c .)" 1
expect_match "the message" "$out" "^Error: $R/napp:nosuch: .*manifest unknown.*404"
out=$(nks s-miss pull -q "$R/nosuchrepo:1" 2>&1)
expect_status "missing repository" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
expect_eq "nothing stored" "$(layer_count s-miss)" 0
t_end

# ---- tampered content ----------------------------------------------------------------

# tm_manifest REPO: the data of the blob the tag :1 of REPO names (its
# manifest) in the registry's storage
tm_manifest() {
	_h=$(sed 's/^sha256://' "$T_DIR/reg/data/docker/registry/v2/repositories/$1/_manifests/tags/1/current/link")
	printf '%s\n' "$T_DIR/reg/data/docker/registry/v2/blobs/sha256/$(printf '%s' "$_h" | cut -c1-2)/$_h/data"
}

t_begin "pull: a manifest whose content is not its digest: refused, nothing left"
f=$(tm_manifest tm)
if [ -f "$f" ]; then
	printf ' ' >>"$f"
	nks s-tamp pull -q "$R/narm:1" >/dev/null 2>&1 # a layer in the store already
	layers=$(layer_count s-tamp)
	out=$(nks s-tamp pull -q "$R/tm:1" 2>&1)
	expect_status "pull" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	expect_match "the message" "$out" "^Error: $R/tm:1: manifest sha256:[0-9a-f]{64}: its content's digest is sha256:"
	expect_eq "layers in the store" "$(layer_count s-tamp)" "$layers"
	expect_eq "images" "$(nks s-tamp images -q | grep -c .)" 1
	expect_eq "staging left" "$(tmp_left s-tamp)" ""
else
	t_why "no manifest blob at $f"
fi
t_end

t_begin "pull: a layer blob whose content is not its digest: refused, nothing left"
lay=$($TMO skopeo inspect --raw --tls-verify=false "docker://$R/tl:1" 2>/dev/null | jq -r '.layers[-1].digest' | sed 's/^sha256://')
f=$T_DIR/reg/data/docker/registry/v2/blobs/sha256/$(printf '%s' "$lay" | cut -c1-2)/$lay/data
if [ -f "$f" ]; then
	# the same length, one byte changed near the end (the gzip trailer's
	# CRC): flipped, so that it cannot stay what it was (an 'X' written
	# there was one in 256 times the byte that was there)
	sz=$(stat -c %s "$f")
	b=$(dd if="$f" bs=1 skip=$((sz - 6)) count=1 2>/dev/null | od -An -tu1 | tr -d ' \n')
	printf "\\$(printf %o $((b ^ 1)))" | dd of="$f" bs=1 seek=$((sz - 6)) conv=notrunc 2>/dev/null
	layers=$(layer_count s-tamp)
	out=$(nks s-tamp pull -q "$R/tl:1" 2>&1)
	expect_status "pull" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	expect_match "the message" "$out" "^Error: $R/tl:1: .*(digest|gzip|CRC)"
	expect_eq "layers in the store" "$(layer_count s-tamp)" "$layers"
	expect_eq "images" "$(nks s-tamp images -q | grep -c .)" 1
	expect_eq "staging left" "$(tmp_left s-tamp)" ""
	# into an empty store: the other layers were being pulled beside it
	# (a process each, one per CPU): none of them is left either
	out=$(nks s-tamp3 pull -q "$R/tl:1" 2>&1)
	expect_status "pull into an empty store" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	expect_match "the message" "$out" "^Error: $R/tl:1: .*(digest|gzip|CRC)"
	expect_eq "layers in the empty store" "$(layer_count s-tamp3)" 0
	expect_eq "its images" "$(nks s-tamp3 images -q | grep -c .)" 0
	expect_eq "its staging left" "$(tmp_left s-tamp3)" ""
else
	t_why "no layer blob at $f"
fi
t_end

# ---- run --pull -----------------------------------------------------------------------

t_begin "run: a missing image is pulled first (--pull missing, the default)"
out=$(nks_run s-run --rm "$R/napp:1" cat /f 2>"$T_DIR/err")
expect_status "run" $? 0 "$(cat "$T_DIR/err")"
expect_eq "/f" "$out" "pulled-content"
expect_match "the pull's progress on stderr" "$(cat "$T_DIR/err")" "^Writing manifest"
out=$(nks_run s-run --rm -q --pull always "$R/napp:1" cat /f 2>&1)
expect_eq "--pull always -q" "$out" "pulled-content"
before=$(blob_gets "$T_DIR/reg/log")
out=$(nks_run s-run --rm "$R/napp:1" true 2>&1)
expect_eq "present: no pull" "$out" ""
expect_eq "no blob GET" "$(blob_gets "$T_DIR/reg/log")" "$before"
t_end

t_begin "run: --pull never on a missing image: no such image"
out=$(nks_run s-never --rm --pull never "$R/napp:1" true 2>&1)
expect_status "run" $? 125 "$out"
expect_match "the message" "$out" "no such image"
expect_eq "nothing pulled" "$(layer_count s-never)" 0
out=$(nks_run s-never --rm --pull sometimes "$R/napp:1" true 2>&1)
expect_status "--pull sometimes" $? 125 "$out"
out=$(nks_run s-never --rm "$R/napp:nosuch" true 2>&1)
expect_status "run of a missing tag" $? 125 "$out"
expect_match "its message" "$out" "manifest unknown"
t_end

# ---- Basic auth (htpasswd) ----------------------------------------------------------------

t_begin "auth: Basic: 401 without a login, login, pull, logout"
out=$(nks s-auth pull -q "$AR/napp:1" 2>&1)
expect_status "pull without login" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
expect_match "names the registry and 401" "$out" "^Error: $AR/napp:1: registry $AR requires a login \\(401"
out=$(nks s-auth login -u puller -p wrong "$AR" 2>&1)
expect_status "login, a wrong password" $? 125 "$out"
expect_match "refused" "$out" "refused the credentials"
expect_eq "nothing stored" "$(cat "$T_DIR/s-auth/root/auth.json" 2>/dev/null)" ""
out=$(printf 's3cret pw\n' | nks s-auth login -u puller --password-stdin "$AR" 2>&1)
expect_status "login" $? 0 "$out"
expect_eq "its line" "$out" "Login Succeeded!"
expect_eq "auth.json's mode" "$(stat -c %a "$T_DIR/s-auth/root/auth.json" 2>&1)" 600
expect_eq "auth.json: podman's format" \
	"$(jq -r ".auths[\"$AR\"].auth" "$T_DIR/s-auth/root/auth.json" | base64 -d)" "puller:s3cret pw"
out=$(nks s-auth pull -q "$AR/napp:1" 2>&1)
expect_status "pull after login" $? 0 "$out"
expect_eq "its id" "$out" "$APP_ID"
out=$(nks s-auth logout "$AR" 2>&1)
expect_status "logout" $? 0 "$out"
out=$(nks s-auth pull -q "$AR/narm:1" 2>&1)
expect_status "pull after logout" $? 125 "$out"
expect_match "401 again" "$out" "requires a login"
out=$(nks s-auth logout "$AR" 2>&1)
expect_status "logout again" $? 125 "$out"
expect_match "not logged in" "$out" "not logged in to $AR"
nks s-auth login -u puller -p 's3cret pw' "$AR" >/dev/null 2>&1
out=$(nks s-auth logout --all 2>&1)
expect_status "logout --all" $? 0 "$out"
expect_eq "auth.json gone" "$(ls "$T_DIR/s-auth/root/auth.json" 2>/dev/null)" ""
t_end

# ---- through the proxy: Bearer tokens, cut transfers -----------------------------------------

if ! command -v python3 >/dev/null 2>&1; then
	skip "pull: Bearer tokens, resumed blobs" "optional: needs python3 for tests/e2e/registry-proxy.py"
else
	t_begin "auth: Bearer: an anonymous token (Docker Hub's way)"
	if start_proxy bearer; then
		out=$(nks s-bear pull -q "127.0.0.1:$PX_PORT/napp:1" 2>&1)
		expect_status "pull" $? 0 "$out"
		expect_eq "its id" "$out" "$APP_ID"
		expect_match "a token was asked for with the scope" "$(cat "$PX_LOG")" \
			"^GET /token\\?service=nook-test&scope=repository%3Anapp%3Apull "
	else
		t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy-bearer.err")")"
	fi
	t_end

	t_begin "auth: Bearer: a token for a login only"
	if start_proxy bearer "puller:s3cret pw"; then
		P=127.0.0.1:$PX_PORT
		out=$(nks s-bear2 pull -q "$P/napp:1" 2>&1)
		expect_status "pull without login" $? 125 "$out"
		expect_match "names the registry and 401" "$out" "^Error: $P/napp:1: registry $P requires a login \\(401"
		out=$(nks s-bear2 login -u puller -p nope "$P" 2>&1)
		expect_status "login, a wrong password" $? 125 "$out"
		out=$(nks s-bear2 login -u puller -p 's3cret pw' "$P" 2>&1)
		expect_status "login" $? 0 "$out"
		out=$(nks s-bear2 pull -q "$P/napp:1" 2>&1)
		expect_status "pull after login" $? 0 "$out"
		expect_eq "its id" "$out" "$APP_ID"
	else
		t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy-bearer.err")")"
	fi
	t_end

	t_begin "pull: a blob cut half way is resumed with Range"
	if start_proxy cut; then
		out=$(nks s-cut pull "127.0.0.1:$PX_PORT/napp:1" 2>"$T_DIR/err")
		expect_status "pull" $? 0 "$(cat "$T_DIR/err")"
		expect_eq "its id" "$out" "$APP_ID"
		expect_match "said so" "$(cat "$T_DIR/err")" "^Copying blob sha256:[0-9a-f]{64}: resuming at byte [1-9]"
		expect_eq "GETs with Range (the config, two layers)" \
			"$(grep -Ec "^GET /v2/napp/blobs/sha256:[0-9a-f]{64} range=bytes=[1-9][0-9]*-$" "$PX_LOG")" 3
		out=$(nks_run s-cut --rm "127.0.0.1:$PX_PORT/napp:1" cat /f 2>&1)
		expect_eq "/f" "$out" "pulled-content"
	else
		t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy-cut.err")")"
	fi
	t_end

	t_begin "pull: a registry that ignores Range: the blob read again"
	if start_proxy norange; then
		out=$(nks s-norange pull -q "127.0.0.1:$PX_PORT/napp:1" 2>&1)
		expect_status "pull" $? 0 "$out"
		expect_eq "its id" "$out" "$APP_ID"
		expect_eq "each blob (the config, two layers) asked for twice" \
			"$(grep '^GET /v2/napp/blobs/' "$PX_LOG" | sed 's/ range=.*//' | sort | uniq -d | grep -c .)" 3
		expect_match "the second time with Range (which the registry did not see)" \
			"$(cat "$PX_LOG")" "^GET /v2/napp/blobs/sha256:[0-9a-f]{64} range=bytes=[1-9][0-9]*-$"
	else
		t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy-norange.err")")"
	fi
	t_end
fi

# ---- https: the device's fetcher ---------------------------------------------------------------

# The fake fetchers turn https://registry.test:PORT into the local http
# registry, and note that they ran.
mkdir -p "$T_DIR/fbin" "$T_DIR/wbin" "$T_DIR/nobin"
REAL_CURL=$(command -v curl)
cat >"$T_DIR/fbin/curl" <<EOF
#!/bin/sh
echo curl "\$@" >>"$T_DIR/fetch.log"
n=\$#
while [ "\$n" -gt 0 ]; do
	a=\$1
	shift
	[ "\$a" = =https ] && a==http
	set -- "\$@" "\$a"
	n=\$((n - 1))
done
sed 's|https://registry.test:|http://127.0.0.1:|' | exec "$REAL_CURL" "\$@"
EOF
if command -v wget >/dev/null 2>&1; then
	cat >"$T_DIR/wbin/wget" <<EOF
#!/bin/sh
n=\$#
while [ "\$n" -gt 0 ]; do
	a=\$1
	shift
	case \$a in https://registry.test:*) a=http://127.0.0.1:\${a#https://registry.test:} ;; esac
	set -- "\$@" "\$a"
	n=\$((n - 1))
done
echo wget "\$@" >>"$T_DIR/fetch.log"
exec "$(command -v wget)" "\$@"
EOF
fi
chmod +x "$T_DIR/fbin/curl" "$T_DIR/wbin/wget" 2>/dev/null

t_begin "https: through curl (a fake one that fetches from the local registry)"
out=$(nks_path "$T_DIR/fbin:$PATH" s-https pull -q "registry.test:$REG/napp:1" 2>&1)
expect_status "pull" $? 0 "$out"
expect_eq "its id" "$out" "$APP_ID"
expect_match "curl ran, with its options" "$(cat "$T_DIR/fetch.log" 2>/dev/null)" "^curl -sS -i -L --max-redirs 5 --proto =https --proto-redir =https .*-K -$"
out=$(nks_path "$T_DIR/fbin:$PATH" s-https pull -q "registry.test:$REG/napp:nosuch" 2>&1)
expect_status "a missing tag" $? 125 "$out"
expect_match "its message" "$out" "manifest unknown"
t_end

# fetcher_pull DIR STORE RAN_ERE ERR_ERE: pull napp:1 through the one
# fetcher in DIR (its command line in fetch.log matching RAN_ERE), then a
# missing tag: one line of error matching ERR_ERE
fetcher_pull() {
	: >"$T_DIR/fetch.log"
	out=$(nks_path "$1" "$2" pull -q "registry.test:$REG/napp:1" 2>&1)
	expect_status "pull" $? 0 "$out"
	expect_eq "its id" "$out" "$APP_ID"
	expect_match "the fetcher ran, with its options" "$(cat "$T_DIR/fetch.log" 2>/dev/null)" "$3"
	out=$(nks_path "$1" "$2" pull -q "registry.test:$REG/napp:nosuch" 2>&1)
	expect_status "a missing tag" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	expect_match "its message" "$out" "$4"
}

if [ -x "$T_DIR/wbin/wget" ]; then
	t_begin "https: through wget when there is no curl: the status from wget -S"
	fetcher_pull "$T_DIR/wbin" s-wget "^wget -q -S --max-redirect=0 -O - -T 30 --header=Accept: " \
		"napp:nosuch: not found \\(404 from registry"
	t_end
	# uclient-fetch (OpenWrt's) shows no heads, only "HTTP error NNN" as
	# its last line: tests/e2e/uclient-fetch stands in for it, over GNU wget
	mkdir -p "$T_DIR/ubin"
	cat >"$T_DIR/ubin/uclient-fetch" <<EOF
#!/bin/sh
PATH=$PATH UCLIENT_WGET=$T_DIR/wbin/wget UCLIENT_LOG=$T_DIR/fetch.log exec /bin/sh "$T_TOP/tests/e2e/uclient-fetch" "\$@"
EOF
	chmod +x "$T_DIR/ubin/uclient-fetch"
	t_begin "https: through uclient-fetch (a stand-in): a pull, and the status of its HTTP error"
	fetcher_pull "$T_DIR/ubin" s-ucl "^uclient-fetch -O - -T 30 --header=Accept: " \
		"napp:nosuch: not found \\(404 from registry"
	t_end
	t_begin "registries.conf: an insecure = HOST:PORT line is https without a check of the certificate"
	printf '# not checked\ninsecure = registry.test:%s # a comment\n' "$REG" >"$T_DIR/registries.conf"
	: >"$T_DIR/fetch.log"
	out=$(NOOK_REGISTRIES_CONF=$T_DIR/registries.conf nks_path "$T_DIR/wbin" s-conf pull -q "registry.test:$REG/napp:1" 2>&1)
	expect_status "pull" $? 0 "$out"
	expect_match "wget ran without the check" "$(cat "$T_DIR/fetch.log")" "^wget -q -S --max-redirect=0 -O - -T 30 --no-check-certificate "
	printf 'insecure = registry.test:1%s\n' "$REG" >"$T_DIR/registries.conf"
	: >"$T_DIR/fetch.log"
	out=$(NOOK_REGISTRIES_CONF=$T_DIR/registries.conf nks_path "$T_DIR/wbin" s-conf2 pull -q "registry.test:$REG/napp:1" 2>&1)
	expect_status "pull (another port listed)" $? 0 "$out"
	expect_nomatch "wget checked it" "$(cat "$T_DIR/fetch.log")" "no-check-certificate"
	t_end
else
	skip "https: through wget" "optional: no wget here"
fi

t_begin "--tls-verify=false on a plain-http registry: https tried first, then http"
out=$(nks s-insecure pull -q --tls-verify=false "$R/napp:1" 2>&1)
expect_status "pull (curl finds no TLS there)" $? 0 "$out"
expect_eq "its id" "$out" "$APP_ID"
out=$(nks_path "$T_DIR/nobin" s-insecure2 pull -q --tls-verify=false "$R/napp:1" 2>&1)
expect_status "pull (no fetcher at all)" $? 0 "$out"
expect_eq "its id" "$out" "$APP_ID"
t_end

t_begin "https: no fetcher at all: the error names them"
out=$(nks_path "$T_DIR/nobin" s-none pull -q "registry.test:$REG/napp:1" 2>&1)
expect_status "pull" $? 125 "$out"
expect_match "names them" "$out" "curl, uclient-fetch or wget"
t_end

echo "# pull: the whole script took $(($(date +%s) - _t0)) s"
