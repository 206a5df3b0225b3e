// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nook-test: the payload the privileged tests run inside containers (crun's
 * tests/init.c, bubblewrap's try-syscall.c).  One static binary, plain libc,
 * no dependencies: it reports what the process sees (hostname, ids, caps,
 * mounts, fds, namespaces, a syscall's result) as simple lines that a POSIX
 * shell can grep.
 *
 * Output format: one fact per line, "KEY VALUE..." where a subcommand reports
 * several facts, bare values otherwise.  A failed call is reported, not
 * fatal: "errno N NAME" (match NAME in tests: numbers differ per arch, e.g.
 * MIPS).  Exit status: 0 the thing asked was done and reported, 1 usage,
 * 2 the report itself could not be made (e.g. /proc is not mounted); `exit N`
 * and the signal handlers of `sleep` choose their own.
 *
 * Nothing here writes to a file it did not create, except `write FILE DATA`
 * with DATA given: the CVE checks only open files, never modify them.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef O_PATH
#define O_PATH 010000000
#endif

extern char **environ;

/* clang-format off */
#define ERRNO_NAME(x) { x, #x }
/* clang-format on */
static const struct {
	int num;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM),	  ERRNO_NAME(ENOENT),
	ERRNO_NAME(ESRCH),	  ERRNO_NAME(EINTR),
	ERRNO_NAME(EIO),	  ERRNO_NAME(ENXIO),
	ERRNO_NAME(E2BIG),	  ERRNO_NAME(ENOEXEC),
	ERRNO_NAME(EBADF),	  ERRNO_NAME(ECHILD),
	ERRNO_NAME(EAGAIN),	  ERRNO_NAME(ENOMEM),
	ERRNO_NAME(EACCES),	  ERRNO_NAME(EFAULT),
	ERRNO_NAME(ENOTBLK),	  ERRNO_NAME(EBUSY),
	ERRNO_NAME(EEXIST),	  ERRNO_NAME(EXDEV),
	ERRNO_NAME(ENODEV),	  ERRNO_NAME(ENOTDIR),
	ERRNO_NAME(EISDIR),	  ERRNO_NAME(EINVAL),
	ERRNO_NAME(ENFILE),	  ERRNO_NAME(EMFILE),
	ERRNO_NAME(ENOTTY),	  ERRNO_NAME(ETXTBSY),
	ERRNO_NAME(EFBIG),	  ERRNO_NAME(ENOSPC),
	ERRNO_NAME(ESPIPE),	  ERRNO_NAME(EROFS),
	ERRNO_NAME(EMLINK),	  ERRNO_NAME(EPIPE),
	ERRNO_NAME(EDOM),	  ERRNO_NAME(ERANGE),
	ERRNO_NAME(EDEADLK),	  ERRNO_NAME(ENAMETOOLONG),
	ERRNO_NAME(ENOLCK),	  ERRNO_NAME(ENOSYS),
	ERRNO_NAME(ENOTEMPTY),	  ERRNO_NAME(ELOOP),
	ERRNO_NAME(EOVERFLOW),	  ERRNO_NAME(EOPNOTSUPP),
	ERRNO_NAME(EAFNOSUPPORT), ERRNO_NAME(EPROTONOSUPPORT),
	ERRNO_NAME(EADDRINUSE),	  ERRNO_NAME(ECONNREFUSED),
	ERRNO_NAME(ETIMEDOUT),	  ERRNO_NAME(EUSERS),
	ERRNO_NAME(EDQUOT),	  ERRNO_NAME(ECANCELED),
	ERRNO_NAME(EOWNERDEAD),	  ERRNO_NAME(ENOTSOCK),
	ERRNO_NAME(ENETUNREACH),  ERRNO_NAME(EHOSTUNREACH),
	ERRNO_NAME(ECONNRESET),	  ERRNO_NAME(EADDRNOTAVAIL),
};

static const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == e)
			return errno_names[i].name;
	return "E?";
}

/* The one way every subcommand reports a failed call. */
static void print_errno(int e)
{
	printf("errno %d %s\n", e, errno_name(e));
}

static int report(long ret)
{
	if (ret < 0)
		print_errno(errno);
	else
		printf("ok\n");
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: nook-test COMMAND [ARGS]\n"
		"  hostname | domainname | id | caps | signals | mounts | cgroup | fds | cwd\n"
		"  env | pid | ns | oomscore | umask | tty\n"
		"  rlimit NAME            soft hard (NAME: NOFILE, NPROC, ...)\n"
		"  syscall NAME ARGS...   ok | errno N NAME; NAME: mkdir rmdir unlink chmod chown\n"
		"                         mknod sethostname setdomainname mount umount unshare\n"
		"                         chroot setuid setgid kill ptrace getpid clone3\n"
		"                         nr NUMBER (a raw syscall, no arguments)\n"
		"  write FILE [DATA] | open PATH | readlink PATH | cat FILE... | ls DIR\n"
		"  statfs PATH            ro|rw and the filesystem magic\n"
		"  usermount FSTYPE DIR   in new user, mount, pid and net namespaces (as\n"
		"                         `unshare -mrpfn`), mount FSTYPE on DIR: ok | errno\n"
		"  true | exit N | sleep SECS|inf | fork N | alloc MB | echo ARGS...\n"
		"  ignore-exec SIG[,SIG...] CMD...  CMD with those signals ignored\n"
		"  cve-2019-5736 SECS     watch /proc for foreign exes, try to reopen them "
		"for writing\n"
		"  serve tcp|udp [IP:]PORT [N]  answer N connections or datagrams (0: no end)\n"
		"                         with \"from PEER-IP DATA\"; prints \"listening PORT\"\n"
		"  connect tcp|udp HOST PORT DATA [SECS]  send DATA, print the answer\n");
	return 1;
}

static int print_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		print_errno(errno);
		return 2;
	}
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(1, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	return 0;
}

static int cmd_hostname(void)
{
	struct utsname u;

	if (uname(&u) < 0) {
		print_errno(errno);
		return 2;
	}
	printf("%s\n", u.nodename);
	return 0;
}

static int cmd_domainname(void)
{
	struct utsname u;

	if (uname(&u) < 0) {
		print_errno(errno);
		return 2;
	}
	printf("%s\n", u.domainname);
	return 0;
}

static int cmd_id(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	printf("uid %u\neuid %u\ngid %u\negid %u\ngroups", (unsigned)getuid(), (unsigned)geteuid(),
	       (unsigned)getgid(), (unsigned)getegid());
	for (int i = 0; i < n; i++)
		printf(" %u", (unsigned)groups[i]);
	printf("\n");
	return 0;
}

/* Lines of /proc/self/status whose key is in keys, as "Key value". */
static int status_lines(const char *const *keys)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		print_errno(errno);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *v;

		if (!colon)
			continue;
		*colon = '\0';
		for (const char *const *k = keys; *k; k++) {
			if (strcmp(line, *k) != 0)
				continue;
			v = colon + 1;
			v += strspn(v, " \t");
			printf("%s %s", line, v);
		}
	}
	fclose(f);
	return 0;
}

static int cmd_caps(void)
{
	static const char *const keys[] = { "CapInh", "CapPrm",	    "CapEff",  "CapBnd",
					    "CapAmb", "NoNewPrivs", "Seccomp", NULL };
	return status_lines(keys);
}

/* ignore-exec SIG[,SIG...] CMD...: exec CMD with those signals ignored,
 * set with the kernel's call (libc refuses the ones it keeps for itself,
 * 32-34), as a caller may have left them. */
static int cmd_ignore_exec(char *sigs, char **argv)
{
#ifdef __x86_64__
	struct {
		unsigned long handler, flags, restorer, mask;
	} ign = { .handler = 1 /* SIG_IGN */ };

	for (char *t = strtok(sigs, ","); t; t = strtok(NULL, ","))
		if (syscall(SYS_rt_sigaction, atoi(t), &ign, NULL, 8) < 0) {
			print_errno(errno);
			return 2;
		}
	execvp(argv[0], argv);
	print_errno(errno);
	return 127;
#else
	(void)sigs;
	(void)argv;
	fprintf(stderr, "nook-test ignore-exec: x86_64 only\n");
	return 2;
#endif
}

/* The signal mask and dispositions (bit N-1: signal N). */
static int cmd_signals(void)
{
	static const char *const keys[] = { "SigBlk", "SigIgn", "SigCgt", NULL };
	return status_lines(keys);
}

/* mountinfo: "id parent maj:min root mountpoint opts [tags] - type src super" */
static int cmd_mounts(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f) {
		print_errno(errno);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[6], *save = NULL, *p, *type, *super;
		int i;

		line[strcspn(line, "\n")] = '\0';
		p = strtok_r(line, " ", &save);
		for (i = 0; p && i < 6; i++) {
			field[i] = p;
			p = strtok_r(NULL, " ", &save);
		}
		if (i < 6)
			continue;
		while (p && strcmp(p, "-") != 0)
			p = strtok_r(NULL, " ", &save);
		type = strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save); /* source */
		super = strtok_r(NULL, " ", &save);
		printf("%s %s %s %s\n", field[4], type ? type : "?", field[5], super ? super : "");
	}
	fclose(f);
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "CPU", RLIMIT_CPU },		 { "FSIZE", RLIMIT_FSIZE },
	{ "DATA", RLIMIT_DATA },	 { "STACK", RLIMIT_STACK },
	{ "CORE", RLIMIT_CORE },	 { "RSS", RLIMIT_RSS },
	{ "NPROC", RLIMIT_NPROC },	 { "NOFILE", RLIMIT_NOFILE },
	{ "MEMLOCK", RLIMIT_MEMLOCK },	 { "AS", RLIMIT_AS },
	{ "LOCKS", RLIMIT_LOCKS },	 { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "RTPRIO", RLIMIT_RTPRIO },	 { "RTTIME", RLIMIT_RTTIME },
};

static void print_rlim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static int cmd_rlimit(const char *name)
{
	struct rlimit rl;

	if (strncmp(name, "RLIMIT_", 7) == 0)
		name += 7;
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++) {
		if (strcmp(name, rlimit_names[i].name) != 0)
			continue;
		if (getrlimit(rlimit_names[i].res, &rl) < 0) {
			print_errno(errno);
			return 2;
		}
		print_rlim(rl.rlim_cur);
		printf(" ");
		print_rlim(rl.rlim_max);
		printf("\n");
		return 0;
	}
	fprintf(stderr, "nook-test: unknown rlimit %s\n", name);
	return 1;
}

static const struct {
	const char *name;
	int flag;
} ns_flags[] = {
	{ "mnt", CLONE_NEWNS },	  { "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC },
	{ "net", CLONE_NEWNET },  { "pid", CLONE_NEWPID }, { "user", CLONE_NEWUSER },
	{ "cgroup", 0x02000000 },
};

static unsigned long num(const char *s)
{
	return strtoul(s, NULL, 0);
}

/* syscall NAME ARGS...: perform one syscall, print "ok" or "errno N NAME". */
static int cmd_syscall(int argc, char **argv)
{
	const char *n;

	if (argc < 1)
		return usage();
	n = argv[0];
#define NEED(k)                         \
	do {                            \
		if (argc < (k) + 1)     \
			return usage(); \
	} while (0)
	if (strcmp(n, "mkdir") == 0) {
		NEED(1);
		return report(mkdir(argv[1], 0755));
	} else if (strcmp(n, "rmdir") == 0) {
		NEED(1);
		return report(rmdir(argv[1]));
	} else if (strcmp(n, "unlink") == 0) {
		NEED(1);
		return report(unlink(argv[1]));
	} else if (strcmp(n, "chmod") == 0) {
		NEED(2);
		return report(chmod(argv[1], (mode_t)strtoul(argv[2], NULL, 8)));
	} else if (strcmp(n, "chown") == 0) {
		NEED(3);
		return report(chown(argv[1], (uid_t)num(argv[2]), (gid_t)num(argv[3])));
	} else if (strcmp(n, "mknod") == 0) {
		NEED(1); /* a char device like /dev/null */
		return report(mknod(argv[1], S_IFCHR | 0666, makedev(1, 3)));
	} else if (strcmp(n, "sethostname") == 0) {
		NEED(1);
		return report(sethostname(argv[1], strlen(argv[1])));
	} else if (strcmp(n, "setdomainname") == 0) {
		NEED(1);
		return report(setdomainname(argv[1], strlen(argv[1])));
	} else if (strcmp(n, "mount") == 0) {
		NEED(3); /* mount SOURCE TARGET FSTYPE */
		return report(mount(argv[1], argv[2], argv[3], 0, NULL));
	} else if (strcmp(n, "umount") == 0) {
		NEED(1);
		return report(umount2(argv[1], MNT_DETACH));
	} else if (strcmp(n, "unshare") == 0) {
		NEED(1);
		for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
			if (strcmp(argv[1], ns_flags[i].name) == 0)
				return report(unshare(ns_flags[i].flag));
		return usage();
	} else if (strcmp(n, "chroot") == 0) {
		NEED(1);
		return report(chroot(argv[1]));
	} else if (strcmp(n, "setuid") == 0) {
		NEED(1);
		return report(setuid((uid_t)num(argv[1])));
	} else if (strcmp(n, "setgid") == 0) {
		NEED(1);
		return report(setgid((gid_t)num(argv[1])));
	} else if (strcmp(n, "kill") == 0) {
		NEED(2);
		return report(kill((pid_t)strtol(argv[1], NULL, 0), (int)num(argv[2])));
	} else if (strcmp(n, "ptrace") == 0) {
		return report(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	} else if (strcmp(n, "getpid") == 0) {
		return report(getpid());
	} else if (strcmp(n, "nr") == 0) {
		NEED(1); /* a raw number, no arguments: for ENOSYS checks */
		return report(syscall((long)num(argv[1]), 0, 0, 0, 0, 0, 0));
	} else if (strcmp(n, "clone3") == 0) {
		/* Size 0 is EINVAL where clone3 runs: never makes a process.
		 * ENOSYS or EPERM come from a seccomp filter or an old kernel. */
		return report(syscall(SYS_clone3, NULL, 0));
	}
#undef NEED
	fprintf(stderr, "nook-test: unknown syscall %s\n", n);
	return 1;
}

/* usermount FSTYPE DIR: what a process that owns its namespaces may mount.
 * The kernel lets a user namespace mount proc or sysfs only where one is
 * already fully visible in its mount namespace (mnt_already_visible): a
 * host /proc left under a chroot would be one.  The pid and network
 * namespaces are new so that ours owns them (proc and sysfs check it). */
static int cmd_usermount(const char *fstype, const char *dir)
{
	pid_t pid;
	int st;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) < 0)
		return report(-1);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return report(-1);
	if (pid == 0) {
		/* no propagation back to the container's mounts */
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		report(mount(fstype, dir, fstype, 0, NULL));
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) < 0)
		return report(-1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static int cmd_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (!d) {
		print_errno(errno);
		return 2;
	}
	self = dirfd(d);
	while ((de = readdir(d))) {
		char path[64], target[PATH_MAX];
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		if (fd == self)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

/* The kernel's own answer: getcwd(2) says "(unreachable)/..." for a cwd
 * outside the root, which libc hides behind ENOENT. */
static int cmd_cwd(void)
{
	char buf[PATH_MAX + 1];
	long n = syscall(SYS_getcwd, buf, sizeof(buf) - 1);

	if (n < 0) {
		print_errno(errno);
		return 0;
	}
	buf[sizeof(buf) - 1] = '\0';
	printf("%s\n", buf);
	return 0;
}

static int cmd_env(void)
{
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}

static int cmd_ns(void)
{
	static const char *const names[] = { "cgroup", "ipc",  "mnt", "net", "pid",
					     "time",   "user", "uts", NULL };
	for (const char *const *n = names; *n; n++) {
		char path[64], target[256];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", *n);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		printf("%s %s\n", *n, target);
	}
	return 0;
}

static int cmd_write(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		print_errno(errno);
		return 0;
	}
	if (data && write(fd, data, strlen(data)) < 0) {
		print_errno(errno);
		close(fd);
		return 0;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static int cmd_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		print_errno(errno);
		return 0;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static int cmd_readlink(const char *path)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0) {
		print_errno(errno);
		return 0;
	}
	target[n] = '\0';
	printf("%s\n", target);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ls(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		print_errno(errno);
		return 0;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static void on_signal(int sig)
{
	char msg[32];
	int len = snprintf(msg, sizeof(msg), "signal %d\n", sig);

	if (write(1, msg, (size_t)len) < 0) {
		/* nothing to do: we are leaving anyway */
	}
	_exit(128 + sig);
}

/* Handlers make a pid-namespace init killable by TERM (an init ignores
 * signals it has no handler for); "ready" tells the test they are in place. */
static int cmd_sleep(const char *arg)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	struct sigaction sa;
	time_t end;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	if (strcmp(arg, "inf") == 0) {
		for (;;)
			pause();
	}
	end = time(NULL) + (time_t)strtol(arg, NULL, 10);
	while (time(NULL) < end)
		sleep((unsigned)(end - time(NULL)));
	return 0;
}

/* statfs PATH: "ro" or "rw" (the mount's flag) and the filesystem magic. */
static int cmd_statfs(const char *path)
{
	struct statvfs sv;
	struct statfs sf;

	if (statvfs(path, &sv) < 0 || statfs(path, &sf) < 0) {
		print_errno(errno);
		return 0;
	}
	printf("%s 0x%lx\n", (sv.f_flag & ST_RDONLY) ? "ro" : "rw", (unsigned long)sf.f_type);
	return 0;
}

static int cmd_tty(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		char *name = isatty(fd) ? ttyname(fd) : NULL;

		if (isatty(fd))
			printf("%d tty %s\n", fd, name ? name : "?");
		else
			printf("%d notty\n", fd);
	}
	return 0;
}

/* fork N children that wait to be killed (so they count against pids.max
 * together), report how many forks succeeded, then reap them all. */
static int cmd_fork(long n)
{
	pid_t *pids = calloc((size_t)(n > 0 ? n : 1), sizeof(*pids));
	long ok = 0;
	int err = 0;

	if (!pids)
		return 2;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0) {
			err = errno;
			break;
		}
		pids[ok++] = p;
	}
	for (long i = 0; i < ok; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < ok; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	printf("forked %ld\n", ok);
	if (err)
		print_errno(err);
	return 0;
}

static int cmd_alloc(long mb)
{
	size_t len = (size_t)mb << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *p = malloc(len);

	if (!p) {
		print_errno(ENOMEM);
		return 0;
	}
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	printf("ok %ld\n", mb);
	free(p);
	return 0;
}

static int cmd_oomscore(void)
{
	return print_file("/proc/self/oom_score_adj");
}

static int cmd_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	printf("%04o\n", (unsigned)m);
	return 0;
}

/*
 * CVE-2019-5736 from the inside: for SECS seconds watch /proc for processes
 * whose executable is neither ours nor busybox (a runtime entering the
 * container during `exec`, or a `#!/proc/self/exe` script it ran), hold an
 * O_PATH handle on each such exe and try to reopen it for writing, while the
 * process lives and after it is gone (the attack waits for ETXTBSY to end).
 * Reopening is done without O_TRUNC and nothing is ever written.  Lines:
 *   exe PID DEV:INO ro|rw TARGET          a foreign exe (st_dev and st_ino as
 *                                         `stat -L -c %d:%i` prints them) and
 *                                         whether its mount is read-only
 *   writable PID DEV:INO sealed|unsealed  reopened O_WRONLY; "sealed": a
 *                                         memfd with F_SEAL_WRITE
 *   summary foreign N denied N writable N
 * The host judges: its runtime binary's DEV:INO on a writable mount is the
 * CVE (runc 1.1 hands out a read-only bind mount of the same file).
 */
#define WATCH_MAX 1024
struct watched {
	pid_t pid;
	int fd;
	char id[48];
};

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int mount_ro(int fd)
{
	struct statvfs sv;

	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static void try_reopen(struct watched *w, long *writable)
{
	char path[64];
	int fd, seals;

	if (w->fd < 0)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	seals = fcntl(fd, F_GET_SEALS);
	(*writable)++;
	printf("writable %d %s %s\n", (int)w->pid, w->id,
	       seals >= 0 && (seals & F_SEAL_WRITE) ? "sealed" : "unsealed");
	close(fd);
	close(w->fd);
	w->fd = -1;
}

static int cmd_cve_2019_5736(long secs)
{
	static pid_t seen[WATCH_MAX];
	static struct watched held[WATCH_MAX];
	size_t n_seen = 0, n_held = 0;
	long foreign = 0, denied = 0, writable = 0;
	struct stat own1, own2;
	int have1, have2;
	time_t end = time(NULL) + secs;
	pid_t self = getpid();

	have1 = stat("/proc/self/exe", &own1) == 0;
	have2 = stat("/bin/busybox", &own2) == 0;
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d) {
			print_errno(errno);
			return 2;
		}
		while ((de = readdir(d))) {
			char path[64], target[PATH_MAX];
			struct stat st;
			pid_t pid = (pid_t)atoi(de->d_name);
			size_t i;
			ssize_t len;
			int fd;

			if (pid <= 0 || pid == self)
				continue;
			for (i = 0; i < n_seen && seen[i] != pid; i++)
				;
			if (i < n_seen || n_seen == WATCH_MAX)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
			fd = open(path, O_PATH | O_CLOEXEC);
			if (fd < 0) {
				if (errno == EACCES || errno == EPERM) {
					denied++;
					seen[n_seen++] = pid;
				}
				/* ENOENT: a kernel thread or gone */
				continue;
			}
			seen[n_seen++] = pid;
			if (fstat(fd, &st) < 0 || (have1 && same_file(&st, &own1)) ||
			    (have2 && same_file(&st, &own2)) || n_held == WATCH_MAX) {
				close(fd);
				continue;
			}
			len = readlink(path, target, sizeof(target) - 1);
			target[len < 0 ? 0 : len] = '\0';
			foreign++;
			held[n_held].pid = pid;
			held[n_held].fd = fd;
			snprintf(held[n_held].id, sizeof(held[n_held].id), "%llu:%llu",
				 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
			printf("exe %d %s %s %s\n", (int)pid, held[n_held].id,
			       mount_ro(fd) ? "ro" : "rw", target);
			n_held++;
		}
		closedir(d);
		for (size_t i = 0; i < n_held; i++)
			try_reopen(&held[i], &writable);
		fflush(stdout);
		usleep(1000);
	}
	printf("summary foreign %ld denied %ld writable %ld\n", foreign, denied, writable);
	return 0;
}

/* ---- network: a server and a client for the bridge tests ------------------ */

static int sock_type(const char *proto)
{
	if (strcmp(proto, "tcp") == 0)
		return SOCK_STREAM;
	if (strcmp(proto, "udp") == 0)
		return SOCK_DGRAM;
	return -1;
}

/* serve tcp|udp [IP:]PORT [N]: "listening PORT" (the bound port: 0 picks one)
 * once bound, then N connections or datagrams (0: no end), each answered with
 * "from PEER-IP DATA" (the first read, its trailing newline dropped): the
 * tests see who the server saw, e.g. whether a published port kept the LAN
 * client's address or a masquerade replaced it. */
static int cmd_serve(const char *proto, const char *where, long n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const char *colon = strrchr(where, ':');
	int type = sock_type(proto), one = 1, fd;
	socklen_t al = sizeof(a);

	if (type < 0)
		return usage();
	if (colon) {
		char ip[INET_ADDRSTRLEN] = "";

		memcpy(ip, where,
		       (size_t)(colon - where) < sizeof(ip) - 1 ? (size_t)(colon - where)
								: sizeof(ip) - 1);
		if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
			return usage();
		where = colon + 1;
	}
	a.sin_port = htons((uint16_t)strtol(where, NULL, 10));
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		print_errno(errno);
		return 0;
	}
	printf("listening %d\n", ntohs(a.sin_port));
	for (long i = 0; n <= 0 || i < n; i++) {
		struct sockaddr_in peer;
		struct timeval tv = { 2, 0 };
		socklen_t pl = sizeof(peer);
		char buf[512], out[600], ip[INET_ADDRSTRLEN] = "?";
		ssize_t r;
		int c = -1, len;

		if (type == SOCK_STREAM) {
			c = accept4(fd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			r = read(c, buf, sizeof(buf) - 1);
		} else {
			r = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &pl);
		}
		buf[r > 0 ? r : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		len = snprintf(out, sizeof(out), "from %s %s\n", ip, buf);
		if (type == SOCK_STREAM) {
			if (write(c, out, (size_t)len) < 0)
				print_errno(errno);
			close(c);
		} else if (sendto(fd, out, (size_t)len, 0, (struct sockaddr *)&peer, pl) < 0) {
			print_errno(errno);
		}
	}
	return 0;
}

/* connect tcp|udp HOST PORT DATA [SECS]: send DATA to HOST:PORT and print
 * the answer.  HOST is looked up by the C library (musl: /etc/hosts, then
 * the resolv.conf servers).  A failure prints "resolve HOST: WHY" or
 * "errno N NAME" (no answer within SECS, default 2: ETIMEDOUT; the whole
 * call, lookup included, ends within 2 * SECS + 1); exit 0 as the other
 * reports. */
static void on_alarm(int sig)
{
	static const char msg[] = "errno 110 ETIMEDOUT\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(0);
	_exit(0);
}

static int cmd_connect(const char *proto, const char *host, const char *port, const char *data,
		       long secs)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *ai = NULL;
	struct timeval tv = { secs > 0 ? secs : 2, 0 };
	char buf[600];
	size_t got = 0;
	ssize_t r;
	int fd, g;

	hints.ai_socktype = sock_type(proto);
	if (hints.ai_socktype < 0)
		return usage();
	/* a bound on the whole call: a name missing from /etc/hosts goes to
	 * the resolv.conf servers, 5 s per try by default */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(2 * tv.tv_sec + 1));
	g = getaddrinfo(host, port, &hints, &ai);
	if (g != 0) {
		printf("resolve %s: %s\n", host, gai_strerror(g));
		return 0;
	}
	fd = socket(AF_INET, hints.ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || send(fd, data, strlen(data), 0) < 0)
		goto fail;
	if (hints.ai_socktype == SOCK_STREAM)
		shutdown(fd, SHUT_WR);
	while (got < sizeof(buf) && (r = read(fd, buf + got, sizeof(buf) - got)) > 0) {
		got += (size_t)r;
		if (hints.ai_socktype == SOCK_DGRAM)
			break;
	}
	if (got == 0)
		goto fail;
	fwrite(buf, 1, got, stdout);
	return 0;
fail:
	/* SO_SNDTIMEO ends a connect with EINPROGRESS, SO_RCVTIMEO a read
	 * with EAGAIN; a read that ended with EOF and no answer is a reset */
	print_errno(errno == EINPROGRESS || errno == EAGAIN ? ETIMEDOUT
		    : errno				    ? errno
							    : ECONNRESET);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	c = argv[1];
	argc -= 2;
	argv += 2;
#define IS(s, nargs) (strcmp(c, (s)) == 0 && argc >= (nargs))
	if (IS("hostname", 0))
		return cmd_hostname();
	if (IS("domainname", 0))
		return cmd_domainname();
	if (IS("id", 0))
		return cmd_id();
	if (IS("caps", 0))
		return cmd_caps();
	if (IS("signals", 0))
		return cmd_signals();
	if (IS("mounts", 0))
		return cmd_mounts();
	if (IS("rlimit", 1))
		return cmd_rlimit(argv[0]);
	if (IS("syscall", 1))
		return cmd_syscall(argc, argv);
	if (IS("cgroup", 0))
		return print_file("/proc/self/cgroup");
	if (IS("fds", 0))
		return cmd_fds();
	if (IS("cwd", 0))
		return cmd_cwd();
	if (IS("env", 0))
		return cmd_env();
	if (IS("pid", 0)) {
		printf("pid %d\nppid %d\n", (int)getpid(), (int)getppid());
		return 0;
	}
	if (IS("ns", 0))
		return cmd_ns();
	if (IS("write", 1))
		return cmd_write(argv[0], argc > 1 ? argv[1] : NULL);
	if (IS("readlink", 1))
		return cmd_readlink(argv[0]);
	if (IS("open", 1))
		return cmd_open(argv[0]);
	if (IS("statfs", 1))
		return cmd_statfs(argv[0]);
	if (IS("ls", 1))
		return cmd_ls(argv[0]);
	if (IS("usermount", 2))
		return cmd_usermount(argv[0], argv[1]);
	if (IS("exit", 1))
		return (int)strtol(argv[0], NULL, 10);
	if (IS("true", 0))
		return 0;
	if (IS("sleep", 1))
		return cmd_sleep(argv[0]);
	if (IS("oomscore", 0))
		return cmd_oomscore();
	if (IS("umask", 0))
		return cmd_umask();
	if (IS("tty", 0))
		return cmd_tty();
	if (IS("fork", 1))
		return cmd_fork(strtol(argv[0], NULL, 10));
	if (IS("alloc", 1))
		return cmd_alloc(strtol(argv[0], NULL, 10));
	if (IS("echo", 0)) {
		for (int i = 0; i < argc; i++)
			printf("%s%s", i ? " " : "", argv[i]);
		printf("\n");
		return 0;
	}
	if (IS("cat", 1)) {
		int rc = 0;

		for (int i = 0; i < argc; i++)
			if (print_file(argv[i]))
				rc = 2;
		return rc;
	}
	if (IS("serve", 2))
		return cmd_serve(argv[0], argv[1], argc > 2 ? strtol(argv[2], NULL, 10) : 0);
	if (IS("connect", 4))
		return cmd_connect(argv[0], argv[1], argv[2], argv[3],
				   argc > 4 ? strtol(argv[4], NULL, 10) : 2);
	if (IS("cve-2019-5736", 1))
		return cmd_cve_2019_5736(strtol(argv[0], NULL, 10));
	if (IS("ignore-exec", 2))
		return cmd_ignore_exec(argv[0], argv + 1);
#undef IS
	return usage();
}
