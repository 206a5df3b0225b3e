# SPDX-License-Identifier: GPL-2.0-or-later
# Shell helpers the benchmark scripts share (bash; sourced).

# umount_under DIR: everything mounted under DIR, deepest first.
umount_under() {
	awk -v w="$1/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r d; do umount -l "$d" && echo "bench: cleanup: unmounted $d" >&2; done
}

# bench_watchdog LIMIT: after LIMIT seconds, TERM to this shell and to what
# it runs (BENCH_TIMEOUT); its pid into WATCHDOG, for the cleanup to kill.
bench_watchdog() {
	(
		trap 'kill $sp 2>/dev/null; exit 0' TERM
		sleep "$1" >/dev/null 2>&1 &
		sp=$!
		wait $sp
		echo "bench: error: time limit of ${1}s reached (BENCH_TIMEOUT); stopping" >&2
		kill -TERM $$
		for p in $(ps -o pid= --ppid $$); do [ "$p" = "$BASHPID" ] || kill -TERM "$p"; done
	) &
	WATCHDOG=$!
}
