// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nook-nosys: run a command with some system calls answering ENOSYS, as on
 * an older kernel (openat2 < 5.6, clone3 < 5.3), so that the fallbacks
 * behind them (the symlink-safe path walk, clone(2)) run on this one.
 *
 *   nook-nosys SYSCALL[,SYSCALL...] CMD [ARG...]
 *   nook-nosys SYSCALL[,SYSCALL...] --check   print each one's errno
 *
 * The filter is a seccomp filter (libseccomp, no no_new_privs: the caller
 * is root); it is inherited by every child and kept across execve, so a
 * runtime started under it, its re-exec and its containers all see it.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int add_all(scmp_filter_ctx ctx, char *list)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "nook-nosys: unknown system call '%s'\n", name);
			return -1;
		}
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0) {
			fprintf(stderr, "nook-nosys: cannot filter '%s'\n", name);
			return -1;
		}
	}
	return 0;
}

/* What each filtered call answers now (any arguments: ENOSYS comes first). */
static int check(const char *list)
{
	char *copy = strdup(list);

	for (char *name = strtok(copy, ","); name; name = strtok(NULL, ",")) {
		long r = syscall(seccomp_syscall_resolve_name(name), 0, 0, 0, 0, 0, 0);

		printf("%s %s\n", name, r < 0 && errno == ENOSYS ? "ENOSYS" : "answered");
	}
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	char *list;

	if (argc < 3) {
		fprintf(stderr, "usage: nook-nosys SYSCALL[,SYSCALL...] CMD [ARG...] | --check\n");
		return 125;
	}
	list = strdup(argv[1]);
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!list || !ctx || add_all(ctx, list) < 0)
		return 125;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 || seccomp_load(ctx) < 0) {
		fprintf(stderr, "nook-nosys: cannot load the filter\n");
		return 125;
	}
	seccomp_release(ctx);
	if (strcmp(argv[2], "--check") == 0)
		return check(argv[1]);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nook-nosys: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
