#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Pull over real https: nook has no TLS of its own and fetches https with
# the device's curl or wget (store/http.h); these checks run them for real
# against Debian's docker-registry serving TLS on 127.0.0.1:<free port>,
# with a throwaway CA and a server certificate for IP:127.0.0.1 and
# DNS:localhost made here by openssl (in $T_DIR, gone with it).
#
# The CA is trusted the way a user configures it: podman's certs.d layout,
# $NOOK_CERTS_DIR/HOST:PORT/ca.crt (default /etc/nook/certs.d), which nook
# hands to curl --cacert or wget --ca-certificate; a registry with a CA
# there is https also on 127.0.0.1 (which is plain http otherwise).
# The fetcher is chosen by PATH, as on a device: curl first, then
# uclient-fetch, then wget; each check gives the engine a PATH that holds
# one of them alone.
#
# Checks: pull through curl and through wget, the image's file in a
# container; a certificate from another CA refused with one line naming
# the registry, nothing left in the store; no certs.d entry (plain http to
# a TLS port) refused in one line; --tls-verify=false (https unchecked)
# against that certificate; a second registry with htpasswd (Basic) auth
# over https: pull without login, a wrong password, login, pull, run.
# The image (a podman import of the test rootfs plus one file) is pushed by
# skopeo over TLS too, with the CA as its cert dir.  Both registries are
# stopped by the EXIT trap (lib.sh), which removes $T_DIR.
#
# Needs docker-registry, openssl, htpasswd, podman, skopeo, curl, jq and
# GNU wget (board/setup.sh); the wget cases are skipped without it (a
# failure in CI).
# shellcheck disable=SC2317
. "$(dirname "$0")/lib.sh"

PB_DIR=$T_DIR/pb
IMG=$T_DIR/img
PKI=$T_DIR/pki
mkdir -p "$PB_DIR/tmp" "$IMG" "$PKI" "$T_DIR/certs.d"
TMO="timeout -s KILL 120"
NOOK_CERTS_DIR=$T_DIR/certs.d
export NOOK_CERTS_DIR

t_need_tools docker-registry openssl htpasswd podman skopeo curl
if [ "$T_PODMAN" = 1 ]; then
	skip "$T_NAME" "optional: nook's certs.d and fetchers only"
	exit 0
fi

. "$(dirname "$0")/stores.inc" # pb, nks_path, nks

# store_left NAME: images, layers and staged files in the store NAME
store_left() {
	printf 'images=%s layers=%s tmp=%s\n' "$(nks "$1" images -q 2>/dev/null | grep -c .)" \
		"$(find "$T_DIR/$1/root/images/layers" -mindepth 1 -maxdepth 1 2>/dev/null | grep -c .)" \
		"$(find "$T_DIR/$1/root/images/tmp" -mindepth 1 -maxdepth 1 2>/dev/null | grep -c .)"
}

# nks_run NAME ARGS...: `run --rm --pull never` with $NOOK_RUN_FLAGS on the
# store NAME
nks_run() {
	_s=$1
	shift
	# shellcheck disable=SC2086
	nks "$_s" run $NOOK_RUN_FLAGS --rm --pull never "$@"
}

# trust REGISTRY CA: CA as REGISTRY's in certs.d (none: remove it)
trust() {
	rm -rf "${NOOK_CERTS_DIR:?}/$1"
	[ "$2" = none ] && return 0
	mkdir -p "$NOOK_CERTS_DIR/$1" && cp "$2" "$NOOK_CERTS_DIR/$1/ca.crt"
}

# ---- the certificates --------------------------------------------------------------

# mk_ca NAME: a self-signed CA $PKI/NAME.crt (key NAME.key)
mk_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 2 -subj "/CN=nook test $1" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign
}

# mk_server CA: $PKI/server.crt for 127.0.0.1 and localhost, signed by CA
mk_server() {
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$PKI/ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI/server.key" -out "$PKI/server.csr" -subj "/CN=127.0.0.1" &&
		openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/$1.crt" -CAkey "$PKI/$1.key" \
			-CAcreateserial -days 2 -extfile "$PKI/ext" -out "$PKI/server.crt"
}

if ! { mk_ca ca && mk_ca rogue && mk_server ca; } >"$PKI/log" 2>&1; then
	fail "$T_NAME: openssl" "the test certificates: $(oneline "$(tail -3 "$PKI/log")")"
	exit 1
fi
# skopeo's --dest-cert-dir: a directory with the CA as *.crt
mkdir -p "$PKI/skopeo" && cp "$PKI/ca.crt" "$PKI/skopeo/ca.crt"

# start_registry NAME [AUTH]: a TLS registry in $T_DIR/NAME on a free port
# of 127.0.0.1 ($REG_PORT); AUTH: an htpasswd file it requires.
start_registry() {
	_d=$T_DIR/$1
	mkdir -p "$_d/data"
	_try=0
	while [ "$_try" -lt 8 ]; do
		REG_PORT=$(awk -v s="$$$_try$1" 'BEGIN { srand(); srand(srand() + s); printf "%d\n", 20000 + int(rand() * 30000) }')
		_try=$((_try + 1))
		# a port something else answers on is not free
		curl -s -o /dev/null -m 2 "http://127.0.0.1:$REG_PORT/" && continue
		curl -s -k -o /dev/null -m 2 "https://127.0.0.1:$REG_PORT/" && continue
		{
			printf 'version: 0.1\nlog:\n  level: info\n'
			printf 'storage:\n  filesystem:\n    rootdirectory: %s\n' "$_d/data"
			printf 'http:\n  addr: 127.0.0.1:%s\n' "$REG_PORT"
			printf '  tls:\n    certificate: %s\n    key: %s\n' "$PKI/server.crt" "$PKI/server.key"
			[ -n "${2:-}" ] &&
				printf 'auth:\n  htpasswd:\n    realm: nook-test\n    path: %s\n' "$2"
		} >"$_d/config.yml"
		docker-registry serve "$_d/config.yml" >"$_d/log" 2>&1 &
		_pid=$!
		track_pid "$_pid"
		_i=0
		while [ "$_i" -lt 50 ] && kill -0 "$_pid" 2>/dev/null; do
			_st=$(curl -s --cacert "$PKI/ca.crt" -o /dev/null -w '%{http_code}' \
				"https://127.0.0.1:$REG_PORT/v2/")
			case $_st in 200 | 401) return 0 ;; esac
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_pid" 2>/dev/null
	done
	return 1
}

# push ARCHIVE REF [CREDS]: skopeo copy over TLS, checked against the CA
push() {
	$TMO skopeo copy -q --dest-cert-dir "$PKI/skopeo" ${3:+--dest-creds "$3"} \
		"docker-archive:$1" "docker://$2" >/dev/null
}

_t0=$(date +%s)

# ---- the registries and the image ------------------------------------------------------

if ! start_registry reg; then
	fail "$T_NAME: docker-registry (tls)" "did not start: $(oneline "$(tail -3 "$T_DIR/reg/log")")"
	exit 1
fi
R=127.0.0.1:$REG_PORT
htpasswd -Bbn puller 's3cret pw' >"$T_DIR/htpasswd" 2>/dev/null
if ! start_registry areg "$T_DIR/htpasswd"; then
	fail "$T_NAME: docker-registry (tls, htpasswd)" "did not start: $(oneline "$(tail -3 "$T_DIR/areg/log")")"
	exit 1
fi
AR=127.0.0.1:$REG_PORT

CONTENT="over-https-$$"
build_why=
mkdir -p "$IMG/root" && cp -a "$ROOTFS/." "$IMG/root/" && printf '%s\n' "$CONTENT" >"$IMG/root/https-f" &&
	(cd "$IMG/root" && tar -cf "$IMG/base.tar" .) || build_why="tar of the rootfs"
[ -z "$build_why" ] && { _o=$(pb import "$IMG/base.tar" localhost/nhttps:1 2>&1) || build_why="podman import: $(oneline "$_o")"; }
[ -z "$build_why" ] && { _o=$(pb save --format docker-archive -o "$IMG/nhttps.tar" localhost/nhttps:1 2>&1) || build_why="podman save: $(oneline "$_o")"; }
if [ -z "$build_why" ]; then
	APP_ID=$(pb image inspect --format '{{.Id}}' localhost/nhttps:1)
	push "$IMG/nhttps.tar" "$R/nhttps:1" && push "$IMG/nhttps.tar" "$AR/nhttps:1" "puller:s3cret pw" ||
		build_why="skopeo copy over TLS"
fi
if [ -n "$build_why" ]; then
	fail "$T_NAME: the test image" "$build_why"
	exit 1
fi
echo "# pull-https: registries and image ready in $(($(date +%s) - _t0)) s"

# One fetcher alone in a PATH directory each, as on a device that has only
# that one.
mkdir -p "$T_DIR/curlbin" "$T_DIR/wgetbin"
ln -s "$(command -v curl)" "$T_DIR/curlbin/curl"
HAVE_WGET=0
if command -v wget >/dev/null 2>&1 && wget --version 2>/dev/null | grep -q 'GNU Wget'; then
	ln -s "$(command -v wget)" "$T_DIR/wgetbin/wget"
	HAVE_WGET=1
	# OpenWrt's uclient-fetch (tests/e2e/uclient-fetch stands in for it,
	# over this wget): no heads, an HTTP error's status as its last line
	mkdir -p "$T_DIR/uclientbin"
	cat >"$T_DIR/uclientbin/uclient-fetch" <<EOF
#!/bin/sh
PATH=$PATH UCLIENT_WGET=$T_DIR/wgetbin/wget exec /bin/sh "$T_TOP/tests/e2e/uclient-fetch" "\$@"
EOF
	chmod +x "$T_DIR/uclientbin/uclient-fetch"
fi

# ---- trusted through certs.d -------------------------------------------------------------

trust "$R" "$PKI/ca.crt"
for f in curl wget uclient; do
	if [ "$f" != curl ] && [ "$HAVE_WGET" = 0 ]; then
		skip "https: through $f" "needs GNU wget (board/setup.sh installs it)"
		continue
	fi
	t_begin "https: pull through $f, the CA from certs.d/HOST:PORT/ca.crt; the image runs"
	before=$(grep -c 'msg="response completed"' "$T_DIR/reg/log")
	out=$(nks_path "$T_DIR/${f}bin" "s-$f" pull -q "$R/nhttps:1" 2>&1)
	expect_status "pull" $? 0 "$out"
	expect_eq "its id" "$out" "$APP_ID"
	expect_ne "requests in the registry's log" "$(grep -c 'msg="response completed"' "$T_DIR/reg/log")" "$before"
	out=$(nks_run "s-$f" "$R/nhttps:1" cat /https-f 2>&1)
	expect_status "run" $? 0 "$out"
	expect_eq "/https-f" "$out" "$CONTENT"
	t_end
done

# ---- not trusted -----------------------------------------------------------------------------

trust "$R" "$PKI/rogue.crt"
for f in curl wget uclient; do
	[ "$f" != curl ] && [ "$HAVE_WGET" = 0 ] && continue
	t_begin "https: a certificate from another CA: refused through $f, one line, nothing stored"
	out=$(nks_path "$T_DIR/${f}bin" "s-bad-$f" pull "$R/nhttps:1" 2>&1)
	expect_status "pull" $? 125 "$out"
	err=$(printf '%s\n' "$out" | grep -v '^Trying to pull')
	expect_eq "one line" "$(printf '%s\n' "$err" | grep -c .)" 1
	expect_match "names the registry" "$err" "^Error: $R/nhttps:1: "
	fn=$f
	[ "$f" = uclient ] && fn=uclient-fetch
	expect_match "names the fetcher" "$err" ": $fn failed \\(exit [0-9]+\\): "
	expect_imatch "says why" "$err" "certificate"
	expect_eq "the store" "$(store_left "s-bad-$f")" "images=0 layers=0 tmp=0"
	t_end
done

t_begin "https: no certs.d entry: 127.0.0.1 is plain http, refused in one line"
trust "$R" none
out=$(nks_path "$T_DIR/curlbin" s-plain pull -q "$R/nhttps:1" 2>&1)
expect_status "pull" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
# Go's words for it come when the body outran the server's close (mostly)
expect_match "names the registry, says why" "$out" \
	"^Error: $R/nhttps:1: registry $R answered 400(: Client sent an HTTP request to an HTTPS server\\.)?$"
expect_eq "the store" "$(store_left s-plain)" "images=0 layers=0 tmp=0"
t_end

t_begin "https: nothing listening: curl's own word, one line"
trust 127.0.0.1:1 "$PKI/ca.crt" # https, not 127.0.0.1's plain http
out=$(nks_path "$T_DIR/curlbin" s-none pull -q "127.0.0.1:1/nhttps:1" 2>&1)
expect_status "pull" $? 125 "$out"
expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
expect_match "curl says it" "$out" "^Error: 127\\.0\\.0\\.1:1/nhttps:1: .*curl failed \\(exit 7\\): .*onnect"
trust 127.0.0.1:1 none
t_end

# ---- --tls-verify=false ------------------------------------------------------------------------

trust "$R" "$PKI/rogue.crt"
for f in curl wget uclient; do
	[ "$f" != curl ] && [ "$HAVE_WGET" = 0 ] && continue
	t_begin "https: --tls-verify=false through $f: the certificate is not checked"
	out=$(nks_path "$T_DIR/${f}bin" "s-insec-$f" pull -q --tls-verify=false "$R/nhttps:1" 2>&1)
	expect_status "pull" $? 0 "$out"
	expect_eq "its id" "$out" "$APP_ID"
	out=$(nks_run "s-insec-$f" "$R/nhttps:1" cat /https-f 2>&1)
	expect_eq "/https-f" "$out" "$CONTENT"
	t_end
done
trust "$R" none

# ---- Basic auth (htpasswd) over https ------------------------------------------------------------

trust "$AR" "$PKI/ca.crt"
for f in curl wget uclient; do
	[ "$f" != curl ] && [ "$HAVE_WGET" = 0 ] && continue
	t_begin "https auth: no login, a wrong password, login, pull, run ($f)"
	FB=$T_DIR/${f}bin
	out=$(nks_path "$FB" "s-auth-$f" pull -q "$AR/nhttps:1" 2>&1)
	expect_status "pull without login" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	if [ "$f" = uclient ]; then # no heads: Basic or a token?
		expect_match "names the registry and 401, says what to do" "$out" \
			"^Error: $AR/nhttps:1: registry $AR asks for a login or a token \\(401\\), and uclient-fetch shows no headers .*add \"token = $AR REALM SERVICE\" .* or install curl or wget$"
	else
		expect_match "names the registry and 401" "$out" "^Error: $AR/nhttps:1: registry $AR requires a login \\(401"
	fi
	out=$(nks_path "$FB" "s-auth-$f" login -u puller -p wrong "$AR" 2>&1)
	expect_status "login, a wrong password" $? 125 "$out"
	expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
	expect_match "refused, naming the registry" "$out" "^Error: .*registry $AR refused the credentials"
	expect_eq "nothing stored" "$(cat "$T_DIR/s-auth-$f/root/auth.json" 2>/dev/null)" ""
	out=$(printf 's3cret pw\n' | nks_path "$FB" "s-auth-$f" login -u puller --password-stdin "$AR" 2>&1)
	expect_status "login" $? 0 "$out"
	expect_eq "its line" "$out" "Login Succeeded!"
	out=$(nks_path "$FB" "s-auth-$f" pull -q "$AR/nhttps:1" 2>&1)
	expect_status "pull after login" $? 0 "$out"
	expect_eq "its id" "$out" "$APP_ID"
	out=$(nks_run "s-auth-$f" "$AR/nhttps:1" cat /https-f 2>&1)
	expect_eq "/https-f" "$out" "$CONTENT"
	t_end
done

# ---- Bearer tokens over https (registry-proxy.py with TLS) ---------------------------------------

if ! command -v python3 >/dev/null 2>&1; then
	skip "https auth: Bearer tokens" "optional: needs python3 for tests/e2e/registry-proxy.py"
else
	rm -f "$T_DIR/proxy.port"
	PROXY_TLS_CERT=$PKI/server.crt PROXY_TLS_KEY=$PKI/server.key PROXY_UPSTREAM_CA=$PKI/ca.crt \
		python3 "$T_TOP/tests/e2e/registry-proxy.py" bearer "$T_DIR/proxy.port" "${R#*:}" \
		"$T_DIR/proxy.log" "puller:s3cret pw" 2>"$T_DIR/proxy.err" &
	track_pid $!
	wait_for 5 test -s "$T_DIR/proxy.port"
	P=127.0.0.1:$(cat "$T_DIR/proxy.port" 2>/dev/null)
	for f in curl wget uclient; do
		[ "$f" != curl ] && [ "$HAVE_WGET" = 0 ] && continue
		t_begin "https auth: Bearer tokens for a login, realm on https ($f)"
		FB=$T_DIR/${f}bin
		if [ "$P" != 127.0.0.1: ]; then
			trust "$P" "$PKI/ca.crt"
			if [ "$f" = uclient ]; then
				# no heads, no challenge: the realm from registries.conf
				printf '# the realm of its challenge\ntoken = %s https://%s/token nook-test # ours\n' \
					"$P" "$P" >"$T_DIR/registries.conf"
				NOOK_REGISTRIES_CONF=$T_DIR/registries.conf
				export NOOK_REGISTRIES_CONF
			fi
			: >"$T_DIR/proxy.log"
			out=$(nks_path "$FB" "s-bear-$f" pull -q "$P/nhttps:1" 2>&1)
			expect_status "pull without login" $? 125 "$out"
			expect_match "names the registry and 401" "$out" "^Error: $P/nhttps:1: registry $P requires a login \\(401"
			out=$(nks_path "$FB" "s-bear-$f" login -u puller -p nope "$P" 2>&1)
			expect_status "login, a wrong password" $? 125 "$out"
			expect_match "refused, naming the registry" "$out" "registry $P refused the credentials"
			out=$(nks_path "$FB" "s-bear-$f" login -u puller -p 's3cret pw' "$P" 2>&1)
			expect_status "login" $? 0 "$out"
			out=$(nks_path "$FB" "s-bear-$f" pull -q "$P/nhttps:1" 2>&1)
			expect_status "pull after login" $? 0 "$out"
			expect_eq "its id" "$out" "$APP_ID"
			expect_match "a token was asked for over https" "$(cat "$T_DIR/proxy.log")" \
				"^GET /token\\?service=nook-test&scope=repository%3Anhttps%3Apull "
			out=$(nks_run "s-bear-$f" "$P/nhttps:1" cat /https-f 2>&1)
			expect_eq "/https-f" "$out" "$CONTENT"
			unset NOOK_REGISTRIES_CONF
		else
			t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy.err")")"
		fi
		t_end
	done
	# Blobs redirected to another host (as registries send them to a CDN or
	# to storage behind signed URLs, which refuses a second credential):
	# the token must not follow them there.  --tls-verify=false: the other
	# host's certificate is checked by the fetcher's own CA store, which
	# has no test CA.
	rm -f "$T_DIR/proxy2.port"
	PROXY_TLS_CERT=$PKI/server.crt PROXY_TLS_KEY=$PKI/server.key PROXY_UPSTREAM_CA=$PKI/ca.crt \
		PROXY_REDIRECT_BLOBS=1 python3 "$T_TOP/tests/e2e/registry-proxy.py" bearer \
		"$T_DIR/proxy2.port" "${R#*:}" "$T_DIR/proxy2.log" 2>"$T_DIR/proxy2.err" &
	track_pid $!
	wait_for 5 test -s "$T_DIR/proxy2.port"
	P2=127.0.0.1:$(cat "$T_DIR/proxy2.port" 2>/dev/null)
	for f in curl wget; do
		[ "$f" = wget ] && [ "$HAVE_WGET" = 0 ] && continue
		t_begin "https: blobs redirected to another host get no Authorization header ($f)"
		if [ "$P2" != 127.0.0.1: ]; then
			: >"$T_DIR/proxy2.log"
			out=$(nks_path "$T_DIR/${f}bin" "s-cdn-$f" pull -q --tls-verify=false "$P2/nhttps:1" 2>&1)
			expect_status "pull" $? 0 "$out"
			expect_eq "its id" "$out" "$APP_ID"
			expect_match "the blobs came from the other host" "$(cat "$T_DIR/proxy2.log")" \
				"^GET /_cdn/v2/nhttps/blobs/sha256:"
		else
			t_why "the proxy did not start: $(oneline "$(cat "$T_DIR/proxy2.err")")"
		fi
		t_end
	done
	if [ "$HAVE_WGET" = 1 ]; then
		t_begin "https auth: Bearer tokens through uclient-fetch without a token line: one line that says what to add"
		FB=$T_DIR/uclientbin
		out=$(nks_path "$FB" s-bear-nl pull -q "$P/nhttps:1" 2>&1)
		expect_status "pull without login" $? 125 "$out"
		expect_eq "one line" "$(printf '%s\n' "$out" | grep -c .)" 1
		expect_match "names the registry, says what to add" "$out" \
			"^Error: $P/nhttps:1: registry $P asks for a login or a token \\(401\\), and uclient-fetch shows no headers .*add \"token = $P REALM SERVICE\" .* or install curl or wget$"
		out=$(nks_path "$FB" s-bear-nl login -u puller -p 's3cret pw' "$P" 2>&1)
		expect_status "login (Basic tried, a token wanted)" $? 125 "$out"
		expect_match "says so" "$out" "registry $P refused the credentials as Basic auth \\(401\\), and uclient-fetch shows no headers .*add \"token = $P REALM SERVICE\""
		expect_eq "the store" "$(store_left s-bear-nl)" "images=0 layers=0 tmp=0"
		t_end
	fi
fi

echo "# pull-https: the whole script took $(($(date +%s) - _t0)) s"
