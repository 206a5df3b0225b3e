# SPDX-License-Identifier: GPL-2.0-or-later
# Result lines and expectations shared by tests/lib.sh (privileged runtime
# tests) and tests/e2e/lib.sh (the engine end to end).  POSIX sh, busybox
# ash too.  The sourcing lib sets T_TIER (the prefix of the result lines:
# priv, e2e) and T_TIMEOUT before sourcing it.  Lines, counted by
# tests/summary.sh:
#   ok - TIER: NAME / not ok - TIER: NAME: WHY / ok - TIER: NAME # SKIP WHY

# The text of $1 on one line, cut to 400 characters.
oneline() {
	printf '%s' "$1" | tr '\n\t' '  ' | cut -c1-400
}

ok() {
	echo "ok - $T_TIER: $1"
}

fail() {
	echo "not ok - $T_TIER: $1: $(oneline "$2")"
	T_RC=1
}

skip() {
	echo "ok - $T_TIER: $1 # SKIP $2"
}

# A check made of several expectations: t_begin NAME; expect_* ...; t_end.
t_begin() {
	T_CUR=$1
	T_WHY=
}

t_why() {
	if [ -n "$T_WHY" ]; then
		T_WHY="$T_WHY; $1"
	else
		T_WHY=$1
	fi
}

t_end() {
	if [ -z "$T_WHY" ]; then
		ok "$T_CUR"
	else
		fail "$T_CUR" "$T_WHY"
	fi
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || t_why "$1: got '$(oneline "$2")', want '$3'"
}

# expect_ne WHAT GOT UNWANTED
expect_ne() {
	[ "$2" != "$3" ] || t_why "$1: got '$(oneline "$2")'"
}

# expect_match WHAT TEXT ERE: some line of TEXT matches ERE
expect_match() {
	printf '%s\n' "$2" | grep -Eq -- "$3" ||
		t_why "$1: '$(oneline "$2")' does not match /$3/"
}

# expect_imatch WHAT TEXT ERE: the same, ignoring case
expect_imatch() {
	printf '%s\n' "$2" | grep -Eiq -- "$3" ||
		t_why "$1: '$(oneline "$2")' does not match /$3/i"
}

# expect_nomatch WHAT TEXT ERE: no line of TEXT matches ERE
expect_nomatch() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		t_why "$1: '$(oneline "$2")' matches /$3/"
	fi
}

# expect_status WHAT GOT WANT [OUTPUT shown on mismatch]; WANT may be an
# ERE of codes ("0|125")
expect_status() {
	printf '%s\n' "$2" | grep -Eqx -- "$3" ||
		t_why "$1: exit status $2, want $3${4:+ ($(oneline "$4"))}"
}

# The value of "KEY value" lines (nook-test's output format).
field() {
	printf '%s\n' "$2" | awk -v k="$1" '$1 == k { sub(/^[^ ]+ ?/, ""); print; exit }'
}

# Milliseconds since boot (/proc/uptime: busybox date has no %N).
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# Every tested command runs under it: nothing may hang a test run.
if command -v timeout >/dev/null 2>&1; then
	T_TIMEOUT_CMD="timeout -s KILL $T_TIMEOUT"
else
	T_TIMEOUT_CMD=
fi

# Mount points of this (host) mount namespace at or under DIR.
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# Remove the scratch directory DIR; a mount left under it is a failure
# (WHAT says after what), unmounted deepest first: never rm -rf across a
# mount.
t_drop_dir() {
	_m=$(mounts_under "$1")
	if [ -n "$_m" ]; then
		fail "$T_NAME: cleanup" "host mounts left under $1 $2: $(oneline "$_m")"
		printf '%s\n' "$_m" | sort -r | while read -r _mp; do
			umount -l "$_mp" 2>/dev/null
		done
	fi
	if [ -z "$(mounts_under "$1")" ]; then
		rm -rf "$1"
	fi
}

# t_need_tools PROGRAM...: skip the whole script unless each is installed
# (board/setup.sh installs them all).
t_need_tools() {
	for _c in "$@"; do
		if ! command -v "$_c" >/dev/null 2>&1; then
			skip "$T_NAME" "needs $_c (board/setup.sh installs it)"
			exit 0
		fi
	done
}

# A test needs root, jq and timeout: skip the whole script without them.
t_need_root_tools() {
	if [ "$(id -u)" != 0 ]; then
		skip "$T_NAME" "needs root"
		exit 0
	fi
	for _c in jq timeout; do
		if ! command -v "$_c" >/dev/null 2>&1; then
			skip "$T_NAME" "needs $_c (apt-get install jq coreutils)"
			exit 0
		fi
	done
}
