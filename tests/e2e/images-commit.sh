#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Images, the user's view of three things: `commit` (the new image's config
# is the container's: its Entrypoint, Cmd, Env, WorkingDir, User and
# published ports; then each of podman's and docker's --change instructions
# edits it, with $VAR from its Env, and a container of it really runs with
# its Cmd, Entrypoint, Env, WorkingDir, User, StopSignal and Volumes; a bad
# instruction is one line that names it, and nothing enters the store), `images --format json` (podman's keys with
# their types and values), and `images --filter before=|since=`.
#
# The base image is the test rootfs, made by podman (import, save) and
# loaded by the engine (lib.sh's img_from_dir): without podman the script
# skips.  Against podman (NOOK=podman) every check runs except docker's
# forms that podman 4.3 parses otherwise (several ports on one EXPOSE,
# "ENV KEY VALUE", several pairs on one LABEL), nook's store files and the
# one entry per image of `images --format json` (podman 4.3 prints an
# image once per name): those are marked nook-specific.
# The scripts in single quotes are the container's to expand (SC2016).
# shellcheck disable=SC2016
. "$(dirname "$0")/lib.sh"

BASE=localhost/cbase:1

# img_json REF JQ-FILTER: FILTER applied to the image's inspect object
img_json() {
	nk image inspect "$1" 2>/dev/null |
		jq -c "(if type == \"array\" then .[0] else . end) | $2" 2>/dev/null
}

# store_state: what the failed commits must not change (nook's store
# files with size and mtime; podman's are not ours to list)
store_state() {
	nk images -q --no-trunc 2>&1 | sort
	if [ "$T_PODMAN" = 0 ]; then
		find "$T_DIR/root/images" ! -name lock -exec stat -c '%n %s %Y %i' {} + 2>&1 | sort
	fi
}

# images_json JQ-FILTER: FILTER applied to `images --format json`
images_json() {
	nk images --format json 2>/dev/null | jq -c "$1" 2>/dev/null
}

if ! img_from_dir "$BASE" "$ROOTFS"; then
	skip "images-commit" "$IMG_WHY"
	exit 0
fi
BASE_ID=$(img_json "$BASE" .Id)
BASE_ID=${BASE_ID#\"}
BASE_ID=${BASE_ID%\"}

# ---- commit --change --------------------------------------------------------

t_begin "commit --change: CMD (shell form), ENV, WORKDIR, USER: the image's config and a container of it"
out=$(nk_run --name c1 --user 0 "$BASE" /bin/sh -c \
	'mkdir -p /srv/app && echo data >/srv/app/f' 2>&1)
expect_status "run c1" $? 0 "$out"
new=$(nk commit -q -c 'CMD echo "cmd:$FOO:$(pwd):$(id -u):$(cat f)"' --change 'ENV FOO=bar' \
	-c 'WORKDIR /srv' -c 'WORKDIR app' -c 'USER 1234' c1 localhost/cc:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_eq "Cmd" "$(img_json localhost/cc:1 .Config.Cmd)" \
	'["/bin/sh","-c","echo \"cmd:$FOO:$(pwd):$(id -u):$(cat f)\""]'
expect_eq "Env FOO" "$(img_json localhost/cc:1 '[.Config.Env[] | select(startswith("FOO="))]')" \
	'["FOO=bar"]'
expect_eq "WorkingDir (a relative WORKDIR is under the one before)" \
	"$(img_json localhost/cc:1 .Config.WorkingDir)" '"/srv/app"'
expect_eq "User" "$(img_json localhost/cc:1 .Config.User)" '"1234"'
out=$(nk_run --rm localhost/cc:1 2>&1)
expect_status "run of the new image" $? 0 "$out"
expect_eq "what its Cmd printed (Env, workdir, uid, the committed file)" "$out" \
	"cmd:bar:/srv/app:1234:data"
out=$(nk_run --rm -e FOO=over localhost/cc:1 2>&1)
expect_eq "-e still overrides the image's Env" "$out" "cmd:over:/srv/app:1234:data"
t_end

t_begin "commit --change: ENTRYPOINT and CMD in exec form, ENTRYPOINT in shell form"
new=$(nk commit -q -c 'ENTRYPOINT ["/bin/echo", "ep"]' -c 'CMD ["a", "b c"]' c1 localhost/ce:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_eq "Entrypoint" "$(img_json localhost/ce:1 .Config.Entrypoint)" '["/bin/echo","ep"]'
expect_eq "Cmd" "$(img_json localhost/ce:1 .Config.Cmd)" '["a","b c"]'
out=$(nk_run --rm localhost/ce:1 2>&1)
expect_eq "run: Entrypoint and Cmd" "$out" "ep a b c"
out=$(nk_run --rm localhost/ce:1 x 2>&1)
expect_eq "run with a command: it replaces Cmd" "$out" "ep x"
new=$(nk commit -q -c 'ENTRYPOINT echo shell-ep "$0"' -c 'CMD ["arg0"]' c1 localhost/ce:2 2>&1)
expect_status "commit (shell form)" $? 0 "$new"
expect_eq "Entrypoint (shell form)" "$(img_json localhost/ce:2 .Config.Entrypoint)" \
	'["/bin/sh","-c","echo shell-ep \"$0\""]'
out=$(nk_run --rm localhost/ce:2 2>&1)
expect_eq "run: the shell form through /bin/sh -c" "$out" "shell-ep arg0"
t_end

t_begin "commit --change: EXPOSE, LABEL, STOPSIGNAL, VOLUME: the config, the stop signal and the volume at run"
new=$(nk commit -q -c 'EXPOSE 8080' -c 'EXPOSE 53/udp' -c 'LABEL k="v w"' -c 'LABEL a=b' \
	-c 'STOPSIGNAL SIGUSR1' -c 'VOLUME /data' -c 'CMD ["/bin/nook-test", "sleep", "inf"]' \
	c1 localhost/cx:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_eq "ExposedPorts" "$(img_json localhost/cx:1 '.Config.ExposedPorts | keys')" \
	'["53/udp","8080/tcp"]'
expect_eq "Labels" "$(img_json localhost/cx:1 '.Config.Labels | {k, a}')" '{"k":"v w","a":"b"}'
# docker keeps the name, podman 4.3 the number
expect_match "StopSignal" "$(img_json localhost/cx:1 .Config.StopSignal)" '^"(SIGUSR1|10)"$'
expect_eq "Volumes" "$(img_json localhost/cx:1 '.Config.Volumes | keys')" '["/data"]'
out=$(nk_run -d --name cx localhost/cx:1 2>&1)
expect_status "run -d" $? 0 "$out"
wait_logs cx '^ready$' 10 || t_why "cx did not start: $(oneline "$(nk logs cx 2>&1)")"
expect_eq "a volume at /data" "$(insp cx '[.Mounts[] | select(.Destination == "/data")] | length')" 1
out=$(nk stop -t 10 cx 2>&1)
expect_status "stop" $? 0 "$out"
# nook-test exits 128+N on the signal it gets: SIGUSR1, not SIGTERM
expect_eq "stop sent SIGUSR1 (exit 128+10)" "$(insp cx .State.ExitCode)" 138
nk rm -f -v cx >/dev/null 2>&1
t_end

t_begin "commit --change: docker's forms (several ports, ENV KEY VALUE, several LABEL pairs, VOLUME as JSON)"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "4.3 takes one port per EXPOSE, ENV KEY VALUE as the key 'KEY VALUE', one LABEL pair"
	T_CUR=
else
	new=$(nk commit -q -c 'EXPOSE 80 443/tcp 5353/UDP' -c 'ENV GREETING hello world' \
		-c 'ENV A=1 "B=two words" C=x\ y' -c 'LABEL one=1 two="2 2"' \
		-c 'VOLUME ["/v1", "/v2"]' -c 'stopsignal 9' -c 'CMD ["/bin/sh", "-c", "echo $GREETING/$B/$C"]' \
		c1 localhost/cd:1 2>&1)
	expect_status "commit" $? 0 "$new"
	expect_eq "ExposedPorts" "$(img_json localhost/cd:1 '.Config.ExposedPorts | keys')" \
		'["443/tcp","5353/udp","80/tcp"]'
	expect_eq "Labels" "$(img_json localhost/cd:1 .Config.Labels)" '{"one":"1","two":"2 2"}'
	expect_eq "Volumes" "$(img_json localhost/cd:1 '.Config.Volumes | keys')" '["/v1","/v2"]'
	expect_eq "StopSignal (lower-case instruction)" "$(img_json localhost/cd:1 .Config.StopSignal)" '"9"'
	out=$(nk_run --rm localhost/cd:1 2>&1)
	expect_eq "run: ENV KEY VALUE and quoted pairs" "$out" "hello world/two words/x y"
	new=$(nk commit -q -c 'ENV A=2' c1 localhost/cd:2 2>&1)
	new=$(nk commit -q -c 'ENV A=3' c1 localhost/cd:2 2>&1)
	expect_eq "ENV replaces a variable's value" \
		"$(img_json localhost/cd:2 '[.Config.Env[] | select(startswith("A="))]')" '["A=3"]'
fi
[ -n "$T_CUR" ] && t_end

# ---- commit: the container's config -----------------------------------------
# podman's rule: the new image's Entrypoint, Cmd, Env, WorkingDir, User and
# ExposedPorts are the container's, --change goes over them.  c2 is made on
# the bridge network for its -p, and never started (no bridge on the host):
# its commit is its image's files with its config.

t_begin "commit: the container's entrypoint, command, env, workdir and published ports"
out=$(nk create $T_NONET_FLAGS --network bridge --name c2 -p 80 -p 127.0.0.1:47801:80 -p 53/udp \
	-e FOO=bar -w /tmp --entrypoint '["/bin/sh", "-c"]' "$BASE" \
	'echo "run:$FOO:$(pwd):$0:$1"' arg0 arg1 2>&1)
expect_status "create c2" $? 0 "$out"
new=$(nk commit -q c2 localhost/cc2:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_eq "Entrypoint" "$(img_json localhost/cc2:1 .Config.Entrypoint)" '["/bin/sh","-c"]'
expect_eq "Cmd" "$(img_json localhost/cc2:1 .Config.Cmd)" \
	'["echo \"run:$FOO:$(pwd):$0:$1\"","arg0","arg1"]'
expect_eq "Env FOO" "$(img_json localhost/cc2:1 '[.Config.Env[] | select(startswith("FOO="))]')" \
	'["FOO=bar"]'
expect_eq "Env PATH, once" "$(img_json localhost/cc2:1 '[.Config.Env[] | select(startswith("PATH="))] | length')" 1
expect_eq "WorkingDir" "$(img_json localhost/cc2:1 .Config.WorkingDir)" '"/tmp"'
expect_eq "ExposedPorts (80 published twice: once)" \
	"$(img_json localhost/cc2:1 '.Config.ExposedPorts | keys')" '["53/udp","80/tcp"]'
# podman 4.3 joins Entrypoint into a string
expect_match "inspect c2: Entrypoint apart" "$(insp c2 '.Config.Entrypoint | tojson')" \
	'^(\["/bin/sh","-c"\]|"/bin/sh -c")$'
expect_eq "inspect c2: Cmd apart" "$(insp c2 '.Config.Cmd | tojson')" \
	'["echo \"run:$FOO:$(pwd):$0:$1\"","arg0","arg1"]'
if [ "$T_PODMAN" = 0 ]; then
	expect_eq "Env: no HOSTNAME of c2's (nook-specific)" \
		"$(img_json localhost/cc2:1 '[.Config.Env[] | select(startswith("HOSTNAME="))]')" '[]'
fi
out=$(nk_run --rm localhost/cc2:1 2>&1)
expect_status "run of the new image" $? 0 "$out"
expect_eq "run with no command: the container's entrypoint and command" "$out" "run:bar:/tmp:arg0:arg1"
out=$(nk_run --rm localhost/cc2:1 'echo cmd:$0' x 2>&1)
expect_eq "run with a command: it replaces Cmd, the Entrypoint stays" "$out" "cmd:x"
t_end

t_begin "commit: a container that took its image's Entrypoint and Cmd keeps them, and its -u"
out=$(nk_create --name c3 -e FOO=baz -u 0 -w /tmp localhost/ce:1 2>&1)
expect_status "create c3 (no command)" $? 0 "$out"
new=$(nk commit -q c3 localhost/cc3:1 2>&1)
expect_status "commit" $? 0 "$new"
expect_eq "Entrypoint" "$(img_json localhost/cc3:1 .Config.Entrypoint)" '["/bin/echo","ep"]'
expect_eq "Cmd" "$(img_json localhost/cc3:1 .Config.Cmd)" '["a","b c"]'
expect_eq "User: the container's -u" "$(img_json localhost/cc3:1 .Config.User)" '"0"'
out=$(nk_run --rm localhost/cc3:1 2>&1)
expect_eq "run with no command" "$out" "ep a b c"
t_end

t_begin "commit --change: over the container's config, \$VAR from its Env"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "4.3 takes ENV values as written (no \$VAR), a relative WORKDIR as given"
	T_CUR=
else
	new=$(nk commit -q -c 'ENV PATH=$PATH:/opt/bin' -c 'ENV GREETING="hi $FOO" OLD=\$FOO' \
		-c 'WORKDIR sub' c3 localhost/cc3:2 2>&1)
	expect_status "commit" $? 0 "$new"
	path=$(img_json localhost/cc3:1 '[.Config.Env[] | select(startswith("PATH="))][0]')
	expect_eq "ENV PATH=\$PATH:/opt/bin" \
		"$(img_json localhost/cc3:2 '[.Config.Env[] | select(startswith("PATH="))][0]')" \
		"${path%\"}:/opt/bin\""
	expect_eq "ENV with \$FOO (the container's -e) and \\\$FOO" \
		"$(img_json localhost/cc3:2 '[.Config.Env[] | select(test("^(FOO|GREETING|OLD)="))]')" \
		'["FOO=baz","GREETING=hi baz","OLD=$FOO"]'
	expect_eq "WORKDIR sub: under the container's" "$(img_json localhost/cc3:2 .Config.WorkingDir)" \
		'"/tmp/sub"'
	path=${path#\"PATH=}
	out=$(nk_run --rm --entrypoint /bin/sh localhost/cc3:2 -c 'echo "$PATH $(pwd)"' 2>&1)
	expect_eq "a container of it: PATH, workdir" "$out" "${path%\"}:/opt/bin /tmp/sub"
fi
[ -n "$T_CUR" ] && t_end

t_begin "commit --change: \${VAR:-word}, \${VAR:+word} and an EXPOSE range"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "4.3 takes ENV values as written (no \$VAR)"
	T_CUR=
else
	new=$(nk commit -q -c 'ENV A=${FOO:-none} B=${NOPE:-dflt $FOO} C=${FOO:+set} D=${NOPE:+set}' \
		-c 'EXPOSE 8000-8002/udp 9000' c3 localhost/cc3:3 2>&1)
	expect_status "commit" $? 0 "$new"
	expect_eq "ENV with the two forms" \
		"$(img_json localhost/cc3:3 '[.Config.Env[] | select(test("^[ABCD]="))]')" \
		'["A=baz","B=dflt baz","C=set","D="]'
	expect_eq "ExposedPorts: the range's ports" \
		"$(img_json localhost/cc3:3 '[.Config.ExposedPorts | keys[] | select(test("^(800|9000)"))]')" \
		'["8000/udp","8001/udp","8002/udp","9000/tcp"]'
	out=$(nk_run --rm --entrypoint /bin/sh localhost/cc3:3 -c 'echo "$A/$B/$C/$D"' 2>&1)
	expect_eq "a container of it" "$out" "baz/dflt baz/set/"
	out=$(nk commit -q -c 'ENV A=${FOO:=x}' c3 localhost/cc3:4 2>&1)
	expect_status "\${FOO:=x} (a form the Dockerfile reference has not)" $? 125 "$out"
	expect_match "refused, named" "$out" 'ENV A=\$\{FOO:=x\}'
fi
[ -n "$T_CUR" ] && t_end

# A container record of an older nook says nothing of where its entrypoint
# ends: its commit keeps the base's Entrypoint and Cmd (the rest is the
# container's), inspect shows its args as Cmd.
t_begin "commit: a container of an older nook keeps the base's Entrypoint and Cmd"
if [ "$T_PODMAN" = 1 ]; then
	skip_podman "$T_CUR" "nook's own store files"
	T_CUR=
else
	out=$(nk_create --name c4 -e FOO=old localhost/cc2:1 'echo c4' 2>&1)
	expect_status "create c4" $? 0 "$out"
	f=$T_DIR/root/containers/$(cid c4)/config.json
	if jq -c 'del(.entrypointLen)' "$f" >"$f.new" 2>/dev/null && mv "$f.new" "$f"; then
		new=$(nk commit -q c4 localhost/cc4:1 2>&1)
		expect_status "commit" $? 0 "$new"
		expect_eq "Entrypoint: the base's" "$(img_json localhost/cc4:1 .Config.Entrypoint)" \
			'["/bin/sh","-c"]'
		expect_eq "Cmd: the base's" "$(img_json localhost/cc4:1 .Config.Cmd)" \
			'["echo \"run:$FOO:$(pwd):$0:$1\"","arg0","arg1"]'
		expect_eq "Env FOO: the container's" \
			"$(img_json localhost/cc4:1 '[.Config.Env[] | select(startswith("FOO="))]')" '["FOO=old"]'
		expect_eq "inspect: no Entrypoint" "$(insp c4 '.Config.Entrypoint | tojson')" null
		expect_eq "inspect: the args as Cmd" "$(insp c4 '.Config.Cmd | tojson')" '["/bin/sh","-c","echo c4"]'
	else
		t_why "could not edit $f"
	fi
fi
[ -n "$T_CUR" ] && t_end

# A bad instruction: exit 125, one line that names it, nothing written.
t_begin "commit twice of containers never started: an image with one layer twice runs"
# both commits add the same empty layer: the overlay takes its topmost
# copy once (the kernel refuses a lower directory twice).  The commits are
# a second apart: an unchanged container's layer does not depend on when
# (a layer has no entry for its root, whose time it would carry)
out=$(nk_create --name c5 "$BASE" /bin/echo ran 2>&1)
expect_status "create c5" $? 0 "$out"
new=$(nk commit -q c5 localhost/cr:1 2>&1)
expect_status "commit c5" $? 0 "$new"
sleep 1.1
out=$(nk_create --name c6 localhost/cr:1 2>&1)
expect_status "create c6 of it" $? 0 "$out"
new=$(nk commit -q c6 localhost/cr:2 2>&1)
expect_status "commit c6" $? 0 "$new"
expect_eq "its layers: the last two the same" \
	"$(img_json localhost/cr:2 '.RootFS.Layers | (.[-1] == .[-2])')" true
out=$(nk_run --rm localhost/cr:2 2>&1)
expect_status "run it" $? 0 "$out"
expect_eq "its command, committed" "$out" "ran"
nk rm -f c5 c6 >/dev/null 2>&1
t_end

t_begin "commit --change: an unknown or malformed instruction is refused, the store is as before"
before=$(store_state)
n_before=$(nk images -q --no-trunc 2>/dev/null | sort -u | wc -l)
for c in 'FOO bar' 'RUN echo hi' 'EXPOSE 99999' 'EXPOSE http' 'STOPSIGNAL NOPE' \
	'LABEL novalue' 'USER' 'WORKDIR'; do
	out=$(nk commit -q -c 'ENV OK=1' -c "$c" c1 localhost/bad:1 2>&1)
	expect_status "commit -c '$c'" $? 125 "$out"
	expect_eq "'$c': lines of output" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
	expect_match "'$c': the message names it" "$out" "$(printf '%s' "$c" | sed 's/[][\.*^$]/\\&/g')"
done
expect_eq "image count" "$(nk images -q --no-trunc 2>/dev/null | sort -u | wc -l)" "$n_before"
nk image inspect localhost/bad:1 >/dev/null 2>&1 && t_why "localhost/bad:1 exists"
after=$(store_state)
[ "$before" = "$after" ] || t_why "the store changed: $(oneline "$(printf '%s\n' "$before" >"$T_DIR/b"; printf '%s\n' "$after" | diff "$T_DIR/b" - | head -5)")"
t_end

# ---- images --format json ---------------------------------------------------

t_begin "images --format json: podman's keys, their types and values"
CX_ID=$(img_json localhost/cx:1 .Id | tr -d '"')
nk tag localhost/cx:1 localhost/cx:two >/dev/null 2>&1
nk create --name cxc localhost/cx:1 >/dev/null 2>&1 || t_why "create cxc failed"
j=$(nk images --format json 2>&1)
expect_status "images --format json" $? 0 "$j"
one=$(printf '%s' "$j" | jq -c --arg id "$CX_ID" '[.[] | select(.Id == $id)][0]' 2>/dev/null)
[ -n "$one" ] && [ "$one" != null ] || t_why "no entry with Id $CX_ID: $(oneline "$j")"
types=$(printf '%s' "$one" | jq -c '{Id: (.Id|type), ParentId: (.ParentId|type),
	RepoDigests: (.RepoDigests|type), Size: (.Size|type), VirtualSize: (.VirtualSize|type),
	Labels: (.Labels|type), Containers: (.Containers|type), Names: (.Names|type),
	Created: (.Created|type), CreatedAt: (.CreatedAt|type)}')
expect_eq "types" "$types" '{"Id":"string","ParentId":"string","RepoDigests":"array","Size":"number","VirtualSize":"number","Labels":"object","Containers":"number","Names":"array","Created":"number","CreatedAt":"string"}'
expect_eq "Names" "$(printf '%s' "$one" | jq -c '.Names | sort' 2>/dev/null)" \
	'["localhost/cx:1","localhost/cx:two"]'
# podman 4.3 leaves RepoTags null
expect_match "RepoTags" "$(printf '%s' "$one" | jq -c '.RepoTags | if . then sort else . end')" \
	'^(null|\["localhost/cx:1","localhost/cx:two"\])$'
expect_eq "Labels" "$(printf '%s' "$one" | jq -c '.Labels | {k, a}')" '{"k":"v w","a":"b"}'
expect_eq "Containers (cxc)" "$(printf '%s' "$one" | jq .Containers)" 1
expect_eq "ParentId: the committed container's image" "$(printf '%s' "$one" | jq -r .ParentId)" "$BASE_ID"
expect_eq "ParentId of the base" \
	"$(printf '%s' "$j" | jq -r --arg id "$BASE_ID" '[.[] | select(.Id == $id)][0].ParentId')" ""
expect_eq "Size: image inspect's" "$(printf '%s' "$one" | jq .Size)" "$(img_json localhost/cx:1 .Size)"
expect_eq "VirtualSize" "$(printf '%s' "$one" | jq .VirtualSize)" "$(img_json localhost/cx:1 .Size)"
created=$(printf '%s' "$one" | jq .Created)
at=$(printf '%s' "$one" | jq -r .CreatedAt)
expect_match "CreatedAt (RFC 3339, UTC)" "$at" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
# (busybox date reads no T or Z)
expect_eq "Created: CreatedAt in seconds" "$created" \
	"$(date -u -d "$(printf '%s' "$at" | tr T ' ' | tr -d Z)" +%s 2>/dev/null)"
now=$(date +%s)
[ "$created" -ge $((now - 600)) ] 2>/dev/null && [ "$created" -le $((now + 5)) ] ||
	t_why "Created $created is not within the last 10 minutes ($now)"
if [ "$T_PODMAN" = 0 ]; then
	expect_eq "one entry per image (nook-specific: podman 4.3 prints one per name)" \
		"$(printf '%s' "$j" | jq --arg id "$CX_ID" '[.[] | select(.Id == $id)] | length')" 1
fi
expect_eq "--filter reference=: the entry of that image only" \
	"$(nk images --format json --filter reference=localhost/cx:two | jq -r '[.[].Id] | unique | .[]')" "$CX_ID"
nk rm -f cxc >/dev/null 2>&1
t_end

# ---- images --filter before= / since= ---------------------------------------
# podman's semantics: the images created strictly before (after) the
# named one, by name or id; different filter keys must all match.

# fnames FILTER...: the localhost/f* names `images` lists with the filters
fnames() {
	nk images --format '{{.Repository}}:{{.Tag}}' "$@" 2>&1 | grep '^localhost/f' | sort | tr '\n' ' '
}

t_begin "images --filter before=IMG and since=IMG"
nk tag "$BASE" localhost/fa:1 >/dev/null 2>&1 || t_why "tag fa failed"
sleep 1
fb=$(nk commit -q -c 'LABEL f=b' c1 localhost/fb:1 2>&1) || t_why "commit fb: $fb"
sleep 1
fc=$(nk commit -q -c 'LABEL f=c' c1 localhost/fc:1 2>&1) || t_why "commit fc: $fc"
fc=${fc#sha256:}
expect_eq "before=fb" "$(fnames --filter before=localhost/fb:1)" "localhost/fa:1 "
expect_eq "before=fc (its short id)" "$(fnames --filter "before=$(printf %.12s "$fc")")" \
	"localhost/fa:1 localhost/fb:1 "
expect_eq "before=fa (the oldest)" "$(fnames --filter before=localhost/fa:1)" ""
expect_eq "since=fb" "$(fnames --filter since=fb:1)" "localhost/fc:1 "
expect_eq "since=fa" "$(fnames --filter since=localhost/fa:1)" "localhost/fb:1 localhost/fc:1 "
expect_eq "since=fc (the newest)" "$(fnames --filter since=localhost/fc:1)" ""
expect_eq "since=fa and before=fc" \
	"$(fnames --filter since=localhost/fa:1 --filter before=localhost/fc:1)" "localhost/fb:1 "
out=$(nk images --filter before=localhost/nope:1 2>&1)
expect_status "before= an image that does not exist" $? 125 "$out"
expect_match "its message names it" "$out" "nope"
t_end

exit $T_RC
