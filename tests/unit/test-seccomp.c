// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-seccomp: oci/seccomp, from hand-built struct oci_seccomp (no parser).
 * Filters are really loaded, each in a forked child that sets no_new_privs,
 * installs the filter, makes the syscalls under test and reports through its
 * exit code (or dies of SIGSYS).  Filters block only the syscalls under test
 * so that ASan/UBSan's own syscalls in the child keep working.  Without
 * kernel seccomp (qemu-user) the loading tests are skipped, saying why.
 */
#define UNIT_NAME "test-seccomp"
#include "tests/unit/unit.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "oci/seccomp.h"

/* mkdir(2) is mkdirat(2) on newer architectures; the name this arch lacks
 * is skipped by the builder, which also exercises that path. */
static char *mkdir_names[] = { "mkdir", "mkdirat", NULL };
/* A path where mkdir fails with ENOENT when no filter is in the way. */
#define NO_DIR "/proc/nook-test-seccomp-no-such-dir/x"

static pid_t parent_pid;

static struct oci_seccomp profile(enum oci_seccomp_action def, struct oci_seccomp_rule *rules,
				  size_t n)
{
	return (struct oci_seccomp){
		.default_action = def,
		.rules = rules,
		.n_rules = n,
	};
}

static struct oci_seccomp_rule rule(char **names, enum oci_seccomp_action a)
{
	return (struct oci_seccomp_rule){ .names = names, .action = a };
}

static struct oci_seccomp_rule rule_errno(char **names, unsigned ret)
{
	return (struct oci_seccomp_rule){
		.names = names,
		.action = OCI_SCMP_ERRNO,
		.has_errno_ret = 1,
		.errno_ret = ret,
	};
}

/* Build and return the instruction count, or -1 (message on stderr). */
static int build_len(const struct oci_seccomp *s)
{
	struct oci_seccomp_prog b;
	struct err e = { 0 };
	int len;

	if (oci_seccomp_build(s, &b, &e) < 0) {
		fprintf(stderr, "# build: %s\n", e.msg);
		return -1;
	}
	len = b.len;
	oci_seccomp_prog_free(&b);
	return len;
}

/* Leave the child by the bare syscall: ASan instruments every call of a
 * noreturn function such as _exit with __asan_handle_no_return, which makes
 * syscalls (sigaltstack) that a default-deny filter refuses. */
static void child_exit(int code)
{
	syscall(SYS_exit_group, code);
	_exit(code);
}

/* Fork a child that loads b and exits with fn()'s result; return the wait
 * status.  Exit codes 100+ mean the setup failed. */
static int child_run(const struct oci_seccomp_prog *b, int (*fn)(void))
{
	int status;
	pid_t pid;

	parent_pid = getpid();
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		struct err e = { 0 };

		/* The SIGSYS deaths below must not leave core dumps. */
		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(100);
		if (oci_seccomp_load(b, &e) < 0)
			_exit(101);
		child_exit(fn());
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* The child exited 0; else say how it ended on stderr. */
static int exited_ok(int status)
{
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (status == -1)
		fprintf(stderr, "# child: not run\n");
	else
		fprintf(stderr, "# child: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

/* Build s and run fn under it in a child; the wait status or -1. */
static int build_and_run(const struct oci_seccomp *s, int (*fn)(void))
{
	struct oci_seccomp_prog b;
	struct err e = { 0 };
	int status;

	if (oci_seccomp_build(s, &b, &e) < 0) {
		fprintf(stderr, "# build: %s\n", e.msg);
		return -1;
	}
	status = child_run(&b, fn);
	oci_seccomp_prog_free(&b);
	return status;
}

/* ---- child bodies: 0 = as expected, else the failing step ------------- */

static int mkdir_fails_with(int want)
{
	errno = 0;
	if (mkdir(NO_DIR, 0700) == 0 || errno != want)
		return 1;
	if (getppid() != parent_pid)
		return 2;
	return 0;
}

static int child_mkdir_enosys(void)
{
	return mkdir_fails_with(ENOSYS);
}

static int child_mkdir_enotblk(void)
{
	return mkdir_fails_with(ENOTBLK);
}

static int child_mkdir_eperm(void)
{
	return mkdir_fails_with(EPERM);
}

static int child_mkdir_enoent(void)
{
	return mkdir_fails_with(ENOENT);
}

static int child_mkdir(void)
{
	mkdir(NO_DIR, 0700);
	return 3; /* still alive: the action did not kill */
}

static int child_personality_ne(void)
{
	errno = 0;
	if (personality(0xffffffff) == -1)
		return 1;
	errno = 0;
	if (personality(PER_LINUX) != -1 || errno != ENOTBLK)
		return 2;
	return 0;
}

static int child_personality_or(void)
{
	errno = 0;
	if (personality(ADDR_NO_RANDOMIZE) != -1 || errno != ENOTBLK)
		return 1;
	errno = 0; /* MASKED_EQ 0xff == PER_LINUX32 */
	if (personality(PER_LINUX32 | READ_IMPLIES_EXEC) != -1 || errno != ENOTBLK)
		return 2;
	errno = 0;
	if (personality(0xffffffff) == -1)
		return 3;
	return 0;
}

static int child_getpriority_and(void)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 424242) != -1 || errno != ENOTBLK)
		return 1;
	errno = 0; /* arg 0 differs: the kernel answers */
	if (getpriority(PRIO_PGRP, 424242) != -1 || errno != ESRCH)
		return 2;
	errno = 0; /* arg 1 differs */
	getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		return 3;
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

static int seccomp_available(void)
{
	return !(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && (errno == EINVAL || errno == ENOSYS));
}

#define RUN_LOAD(fn)                                                       \
	do {                                                               \
		if (seccomp_available())                                   \
			RUN(fn);                                           \
		else                                                       \
			printf("ok - %s: %s # SKIP optional: seccomp not " \
			       "available (qemu-user)\n",                  \
			       UNIT_NAME, #fn);                            \
	} while (0)

static void test_errno_rule_loaded(void)
{
	struct oci_seccomp_rule r = rule_errno(mkdir_names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	struct oci_seccomp_rule r2 = rule(mkdir_names, OCI_SCMP_ERRNO);
	struct oci_seccomp s2 = profile(OCI_SCMP_ALLOW, &r2, 1);
	struct oci_seccomp none = profile(OCI_SCMP_ALLOW, NULL, 0);

	/* Without a filter the path gives ENOENT. */
	CHECK(mkdir(NO_DIR, 0700) < 0 && errno == ENOENT);
	CHECK(exited_ok(build_and_run(&none, child_mkdir_enoent)));
	CHECK(exited_ok(build_and_run(&s, child_mkdir_enosys)));
	/* ERRNO without errnoRet is EPERM. */
	CHECK(exited_ok(build_and_run(&s2, child_mkdir_eperm)));
}

/* fchmodat2 + 18: 470 on x86_64, above every name of the profile below,
 * and a number no kernel of today has. */
static long above_nr;

static int child_enosys_above(void)
{
	errno = 0;
	if (syscall(above_nr, 0, 0, 0) != -1 || errno != ENOSYS)
		return 1;
	/* Older and not named: the profile's errno. */
	errno = 0;
	if (syscall(SYS_getuid) != -1 || errno != EACCES)
		return 2;
	return 0;
}

/* Under an errno default, numbers above the profile's highest get ENOSYS
 * from the stub in front of libseccomp's program; older ones the errno. */
static void test_enosys_above_loaded(void)
{
	char *names[] = { "exit_group", "exit", "fchmodat2", NULL };
	struct oci_seccomp_rule r = rule(names, OCI_SCMP_ALLOW);
	struct oci_seccomp s = profile(OCI_SCMP_ERRNO, &r, 1);
	int nr = seccomp_syscall_resolve_name("fchmodat2");

	CHECK(nr > 0);
	above_nr = nr + 18;
	s.has_default_errno_ret = 1;
	s.default_errno_ret = EACCES;
	CHECK(exited_ok(build_and_run(&s, child_enosys_above)));
}

static void test_unknown_name_skipped(void)
{
	char *unknown[] = { "nook_no_such_syscall", NULL };
	char *mixed[] = { "nook_no_such_syscall", "mkdir", "mkdirat", NULL };
	struct oci_seccomp_rule r = rule(unknown, OCI_SCMP_ERRNO);
	struct oci_seccomp_rule r2 = rule(mixed, OCI_SCMP_ERRNO);
	struct oci_seccomp none = profile(OCI_SCMP_ALLOW, NULL, 0);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	struct oci_seccomp s2 = profile(OCI_SCMP_ALLOW, &r2, 1);
	int base = build_len(&none);

	CHECK(base > 0);
	CHECK(build_len(&s) == base);
	CHECK(build_len(&s2) > base);
}

/* e.msg is want (else both on stderr). */
static int msg_is(const struct err *e, const char *want)
{
	if (!strcmp(e->msg, want))
		return 1;
	fprintf(stderr, "# got '%s', want '%s'\n", e->msg, want);
	return 0;
}

static void check_build_err(const struct oci_seccomp *s, const char *want, int *ok)
{
	struct oci_seccomp_prog b = { .insns = (void *)1 };
	struct err e = { 0 };

	*ok = oci_seccomp_build(s, &b, &e) == -1 && !b.insns && !b.len && msg_is(&e, want);
}

static void test_bad_action(void)
{
	struct oci_seccomp_rule r[2] = {
		rule(mkdir_names, OCI_SCMP_ERRNO),
		rule(mkdir_names, OCI_SCMP_NOTIFY),
	};
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, r, 2);
	int ok;

	check_build_err(&s, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY", &ok);
	CHECK(ok);
	r[1].action = (enum oci_seccomp_action)99;
	check_build_err(&s, "linux.seccomp.syscalls[1].action: unknown action 99", &ok);
	CHECK(ok);
	s = profile(OCI_SCMP_NOTIFY, NULL, 0);
	s.listener_path = "/run/agent.sock";
	check_build_err(&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default",
			&ok);
	CHECK(ok);
	r[0] = rule_errno(mkdir_names, 5000);
	s = profile(OCI_SCMP_ALLOW, r, 1);
	check_build_err(&s,
			"linux.seccomp.syscalls[0].errnoRet: 5000 out of "
			"range (0-4094)",
			&ok);
	CHECK(ok);
	s = profile(OCI_SCMP_ERRNO, NULL, 0);
	s.has_default_errno_ret = 1;
	s.default_errno_ret = 4095;
	check_build_err(&s,
			"linux.seccomp.defaultErrnoRet: 4095 out of range "
			"(0-4094)",
			&ok);
	CHECK(ok);
}

static void test_bad_name_and_args(void)
{
	char *empty[] = { "mkdir", "", NULL };
	struct oci_seccomp_arg bad_index = { .index = 6, .op = OCI_SCMP_CMP_EQ };
	struct oci_seccomp_arg args[2] = {
		{ .index = 0, .op = OCI_SCMP_CMP_EQ },
		{ .index = 1, .op = (enum oci_seccomp_op)42 },
	};
	struct oci_seccomp_rule r = rule(empty, OCI_SCMP_ERRNO);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	int ok;

	check_build_err(&s, "linux.seccomp.syscalls[0].names[1]: empty syscall name", &ok);
	CHECK(ok);
	r = rule(mkdir_names, OCI_SCMP_ERRNO);
	r.args = &bad_index;
	r.n_args = 1;
	check_build_err(&s,
			"linux.seccomp.syscalls[0].args[0].index: 6 out of "
			"range (0-5)",
			&ok);
	CHECK(ok);
	r.args = args;
	r.n_args = 2;
	check_build_err(&s,
			"linux.seccomp.syscalls[0].args[1].op: unknown "
			"operator 42",
			&ok);
	CHECK(ok);
}

/* The spec name of the native architecture, from libseccomp. */
static const char *native_arch(void)
{
	for (const char *const *a = oci_seccomp_archs(); *a; a++) {
		char low[32];
		size_t j;

		for (j = 0; (*a)[10 + j] && j < sizeof(low) - 1; j++)
			low[j] = (char)tolower((unsigned char)(*a)[10 + j]);
		low[j] = '\0';
		if (seccomp_arch_resolve_name(low) == seccomp_arch_native())
			return *a;
	}
	return NULL;
}

static void test_arch(void)
{
	const char *native = native_arch();
	/* A filter holds arches of one byte order only. */
	const char *other =
		__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "SCMP_ARCH_MIPS" : "SCMP_ARCH_MIPSEL";
	char *bad[] = { (char *)native, "SCMP_ARCH_VAX", NULL };
	char *lower[] = { "scmp_arch_x86_64", NULL };
	char *mixed[] = { (char *)native, (char *)other, NULL };
	char want[128];
	struct oci_seccomp_rule r = rule_errno(mkdir_names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	int ok;

	CHECK(native);
	s.architectures = bad;
	check_build_err(&s,
			"linux.seccomp.architectures[1] \"SCMP_ARCH_VAX\": "
			"unknown architecture",
			&ok);
	CHECK(ok);
	s.architectures = lower;
	check_build_err(&s,
			"linux.seccomp.architectures[0] \"scmp_arch_x86_64\": "
			"unknown architecture",
			&ok);
	CHECK(ok);
	s.architectures = mixed;
	snprintf(want, sizeof(want), "linux.seccomp.architectures[1] \"%s\": add to filter", other);
	check_build_err(&s, want, &ok);
	CHECK(ok);
}

/* The native arch listed again is fine; more arches make a longer filter
 * that still acts on the native one. */
static void test_multi_arch_loaded(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	static char *n[] = { "SCMP_ARCH_X86_64", NULL };
	static char *m[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
	char **native = n, **multi = m;
#elif defined(__aarch64__)
	static char *n[] = { "SCMP_ARCH_AARCH64", NULL };
	static char *m[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
	char **native = n, **multi = m;
#else
	char **native = NULL, **multi = NULL;
#endif
	struct oci_seccomp_rule r = rule_errno(mkdir_names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	int base = build_len(&s);

	CHECK(base > 0);
	if (!native)
		return; /* no second arch known to pair with this one */
	s.architectures = native;
	CHECK(build_len(&s) == base);
	s.architectures = multi;
	CHECK(build_len(&s) > base);
	CHECK(exited_ok(build_and_run(&s, child_mkdir_enosys)));
}

static void test_args_ne_loaded(void)
{
	char *names[] = { "personality", NULL };
	struct oci_seccomp_arg a = {
		.index = 0,
		.op = OCI_SCMP_CMP_NE,
		.value = 0xffffffff,
	};
	struct oci_seccomp_rule r = rule_errno(names, ENOTBLK);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);

	r.args = &a;
	r.n_args = 1;
	CHECK(exited_ok(build_and_run(&s, child_personality_ne)));
}

/* Two tests of argument 0: each becomes its own rule (OR), as in runc. */
static void test_args_same_index_loaded(void)
{
	char *names[] = { "personality", NULL };
	struct oci_seccomp_arg a[2] = {
		{ .index = 0, .op = OCI_SCMP_CMP_EQ, .value = ADDR_NO_RANDOMIZE },
		{ .index = 0,
		  .op = OCI_SCMP_CMP_MASKED_EQ,
		  .value = 0xff,
		  .value_two = PER_LINUX32 },
	};
	struct oci_seccomp_rule r = rule_errno(names, ENOTBLK);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);

	r.args = a;
	r.n_args = 2;
	CHECK(exited_ok(build_and_run(&s, child_personality_or)));
}

/* Tests of different arguments are ANDed in one rule. */
static void test_args_and_loaded(void)
{
	char *names[] = { "getpriority", NULL };
	struct oci_seccomp_arg a[2] = {
		{ .index = 0, .op = OCI_SCMP_CMP_EQ, .value = PRIO_PROCESS },
		{ .index = 1, .op = OCI_SCMP_CMP_EQ, .value = 424242 },
	};
	struct oci_seccomp_rule r = rule_errno(names, ENOTBLK);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);

	r.args = a;
	r.n_args = 2;
	CHECK(exited_ok(build_and_run(&s, child_getpriority_and)));
}

/* A Docker-sized rule (over 32 names) gets libseccomp's binary tree; the
 * names this arch lacks (vm86, create_module...) are skipped. */
static void test_large_profile_loaded(void)
{
	char *names[] = { "acct",
			  "add_key",
			  "bpf",
			  "clock_adjtime",
			  "create_module",
			  "delete_module",
			  "finit_module",
			  "init_module",
			  "kexec_load",
			  "keyctl",
			  "lookup_dcookie",
			  "mount",
			  "move_pages",
			  "nfsservctl",
			  "open_by_handle_at",
			  "perf_event_open",
			  "pivot_root",
			  "quotactl",
			  "reboot",
			  "request_key",
			  "setns",
			  "swapon",
			  "swapoff",
			  "sysfs",
			  "_sysctl",
			  "umount",
			  "umount2",
			  "unshare",
			  "uselib",
			  "userfaultfd",
			  "ustat",
			  "vm86",
			  "vm86old",
			  "iopl",
			  "ioperm",
			  "kcmp",
			  "get_mempolicy",
			  "set_mempolicy",
			  "mbind",
			  "syslog",
			  "mkdir",
			  "mkdirat",
			  NULL };
	struct oci_seccomp_rule r = rule_errno(names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);

	CHECK(exited_ok(build_and_run(&s, child_mkdir_enosys)));
}

/* Default ERRNO: everything but the allowed calls fails with the
 * defaultErrnoRet (EPERM without one). */
static void test_default_errno_loaded(void)
{
	char *allow[] = { "exit_group", "getppid", NULL };
	struct oci_seccomp_rule r = rule(allow, OCI_SCMP_ALLOW);
	struct oci_seccomp s = profile(OCI_SCMP_ERRNO, &r, 1);

	CHECK(exited_ok(build_and_run(&s, child_mkdir_eperm)));
	s.has_default_errno_ret = 1;
	s.default_errno_ret = ENOTBLK;
	CHECK(exited_ok(build_and_run(&s, child_mkdir_enotblk)));
}

static void test_flags_loaded(void)
{
	char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC",
			  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
	char *bad[] = { "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS", NULL };
	struct oci_seccomp_rule r = rule_errno(mkdir_names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	struct oci_seccomp_prog b;
	struct err e = { 0 };
	int ok, status;

	s.flags = flags;
	CHECK(oci_seccomp_build(&s, &b, &e) == 0);
	/* WAIT_KILLABLE_RECV is accepted but needs a listener: dropped. */
	CHECK(b.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_TSYNC));
	status = child_run(&b, child_mkdir_enosys);
	oci_seccomp_prog_free(&b);
	CHECK(exited_ok(status));
	s.flags = bad;
	check_build_err(&s,
			"linux.seccomp.flags[1] \"SECCOMP_FILTER_FLAG_BOGUS\": "
			"unknown flag",
			&ok);
	CHECK(ok);
}

static void test_load_errors(void)
{
	struct oci_seccomp none = profile(OCI_SCMP_ALLOW, NULL, 0);
	struct oci_seccomp_prog b = { 0 };
	struct err e = { 0 };

	CHECK(oci_seccomp_load(&b, &e) == -1);
	CHECK(msg_is(&e, "seccomp: load filter: empty program"));
	/* An unknown flag fails before anything is installed. */
	CHECK(oci_seccomp_build(&none, &b, &e) == 0);
	b.flags = 1U << 30;
	CHECK(oci_seccomp_load(&b, &e) == -1);
	oci_seccomp_prog_free(&b);
	CHECK(e.errnum == EINVAL);
	CHECK(msg_is(&e, "seccomp: load filter (flags 0x40000000)"));
	CHECK(!b.insns && !b.len);
}

/* A rule with the default action is dropped, not refused by libseccomp. */
static void test_redundant_rule_skipped(void)
{
	char *getpid_names[] = { "getpid", NULL };
	struct oci_seccomp_rule r = rule(getpid_names, OCI_SCMP_ALLOW);
	struct oci_seccomp none = profile(OCI_SCMP_ALLOW, NULL, 0);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	int base = build_len(&none);

	CHECK(base > 0);
	CHECK(build_len(&s) == base);
	/* ERRNO(n) spelled out equals the default ERRNO(n) (ENOSYS: no
	 * ENOSYS stub, which a rule naming getpid would add). */
	none = profile(OCI_SCMP_ERRNO, NULL, 0);
	none.has_default_errno_ret = 1;
	none.default_errno_ret = ENOSYS;
	base = build_len(&none);
	r = rule_errno(getpid_names, ENOSYS);
	s = none;
	s.rules = &r;
	s.n_rules = 1;
	CHECK(base > 0);
	CHECK(build_len(&s) == base);
	/* SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD. */
	none = profile(OCI_SCMP_KILL, NULL, 0);
	base = build_len(&none);
	r = rule(getpid_names, OCI_SCMP_KILL_THREAD);
	s = profile(OCI_SCMP_KILL, &r, 1);
	CHECK(base > 0);
	CHECK(build_len(&s) == base);
}

/* The killing actions end the child with SIGSYS at its mkdir. */
static void test_kill_loaded(void)
{
	static const enum oci_seccomp_action acts[] = {
		OCI_SCMP_KILL_PROCESS,
		OCI_SCMP_KILL,
		OCI_SCMP_KILL_THREAD,
		OCI_SCMP_TRAP,
	};

	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		struct oci_seccomp_rule r = rule(mkdir_names, acts[i]);
		struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
		int status = build_and_run(&s, child_mkdir);

		CHECK(status != -1);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
	}
}

/* LOG and TRACE (no tracer: ENOSYS) load and let the process live. */
static void test_log_trace_loaded(void)
{
	struct oci_seccomp_rule r = rule(mkdir_names, OCI_SCMP_LOG);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);

	CHECK(exited_ok(build_and_run(&s, child_mkdir_enoent)));
	r.action = OCI_SCMP_TRACE;
	CHECK(exited_ok(build_and_run(&s, child_mkdir_enosys)));
}

/* b has a `ret k` instruction. */
static int bpf_returns(const struct oci_seccomp_prog *b, uint32_t k)
{
	const struct sock_filter *f = b->insns;

	for (unsigned i = 0; i < b->len; i++)
		if (f[i].code == (BPF_RET | BPF_K) && f[i].k == k)
			return 1;
	return 0;
}

/* Each action reaches the program as the right SECCOMP_RET_* value (also
 * those a test process cannot tell apart: TRACE without a tracer, KILL_*
 * in a single-threaded child).  Runs under qemu-user, minus the actions
 * libseccomp asks the kernel about. */
static void test_action_codes(void)
{
	static const struct {
		enum oci_seccomp_action act;
		int has_ret;
		unsigned ret;
		uint32_t k;
		int probed; /* libseccomp checks kernel support */
	} t[] = {
		{ OCI_SCMP_KILL, 0, 0, SECCOMP_RET_KILL_THREAD, 0 },
		{ OCI_SCMP_KILL_THREAD, 0, 0, SECCOMP_RET_KILL_THREAD, 0 },
		{ OCI_SCMP_KILL_PROCESS, 0, 0, SECCOMP_RET_KILL_PROCESS, 1 },
		{ OCI_SCMP_TRAP, 0, 0, SECCOMP_RET_TRAP, 0 },
		{ OCI_SCMP_ERRNO, 0, 0, SECCOMP_RET_ERRNO | EPERM, 0 },
		{ OCI_SCMP_ERRNO, 1, 0, SECCOMP_RET_ERRNO | 0, 0 },
		{ OCI_SCMP_ERRNO, 1, 4094, SECCOMP_RET_ERRNO | 4094, 0 },
		{ OCI_SCMP_TRACE, 0, 0, SECCOMP_RET_TRACE | EPERM, 0 },
		{ OCI_SCMP_TRACE, 1, 4711, SECCOMP_RET_TRACE | 4711, 0 },
		{ OCI_SCMP_LOG, 0, 0, SECCOMP_RET_LOG, 1 },
	};
	int avail = seccomp_available();

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct oci_seccomp_rule r = rule(mkdir_names, t[i].act);
		struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
		struct oci_seccomp_prog b;
		struct err e = { 0 };
		int ok;

		if (t[i].probed && !avail)
			continue;
		r.has_errno_ret = t[i].has_ret;
		r.errno_ret = t[i].ret;
		CHECK(oci_seccomp_build(&s, &b, &e) == 0);
		ok = bpf_returns(&b, t[i].k) && bpf_returns(&b, SECCOMP_RET_ALLOW);
		/* The bad-arch check returns KILL_THREAD; never KILL_PROCESS.
		 */
		if (t[i].k != SECCOMP_RET_KILL_PROCESS)
			ok = ok && !bpf_returns(&b, SECCOMP_RET_KILL_PROCESS);
		oci_seccomp_prog_free(&b);
		if (!ok)
			fprintf(stderr, "# case %zu: no ret 0x%x\n", i, t[i].k);
		CHECK(ok);
	}
	/* The default action too, with its errno. */
	{
		char *allow[] = { "getppid", NULL };
		struct oci_seccomp_rule r = rule(allow, OCI_SCMP_ALLOW);
		struct oci_seccomp s = profile(OCI_SCMP_ERRNO, &r, 1);
		struct oci_seccomp_prog b;
		struct err e = { 0 };
		int ok;

		s.has_default_errno_ret = 1;
		s.default_errno_ret = ENOTBLK;
		CHECK(oci_seccomp_build(&s, &b, &e) == 0);
		ok = bpf_returns(&b, SECCOMP_RET_ERRNO | ENOTBLK) &&
		     bpf_returns(&b, SECCOMP_RET_ALLOW);
		oci_seccomp_prog_free(&b);
		CHECK(ok);
	}
}

static int has(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return 1;
	return 0;
}

static void test_features(void)
{
	CHECK(has(oci_seccomp_actions(), "SCMP_ACT_KILL_PROCESS"));
	CHECK(has(oci_seccomp_actions(), "SCMP_ACT_LOG"));
	CHECK(has(oci_seccomp_actions(), "SCMP_ACT_NOTIFY"));
	CHECK(has(oci_seccomp_archs(), "SCMP_ARCH_X86_64"));
	CHECK(has(oci_seccomp_archs(), "SCMP_ARCH_MIPSEL"));
	CHECK(has(oci_seccomp_archs(), "SCMP_ARCH_AARCH64"));
	CHECK(has(oci_seccomp_flags(), "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	CHECK(has(oci_seccomp_flags(), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
	CHECK(has(oci_seccomp_operators(), "SCMP_CMP_MASKED_EQ"));
	CHECK(has(oci_seccomp_operators(), "SCMP_CMP_NE"));
}

/* ---- the cache (oci_seccomp_get) ------------------------------------- */

static char cache_base[] = "/tmp/nook-test-seccomp.XXXXXX";

/* A profile big enough for the binary tree, with flags and args: every
 * part of the key and of the program is there. */
static char *big_names[] = { "acct",
			     "add_key",
			     "bpf",
			     "clock_adjtime",
			     "delete_module",
			     "finit_module",
			     "init_module",
			     "kexec_load",
			     "keyctl",
			     "mount",
			     "move_pages",
			     "open_by_handle_at",
			     "perf_event_open",
			     "pivot_root",
			     "quotactl",
			     "reboot",
			     "request_key",
			     "setns",
			     "swapon",
			     "swapoff",
			     "sysfs",
			     "umount2",
			     "unshare",
			     "userfaultfd",
			     "kcmp",
			     "get_mempolicy",
			     "set_mempolicy",
			     "mbind",
			     "name_to_handle_at",
			     "lookup_dcookie",
			     "syslog",
			     "vhangup",
			     "ptrace",
			     "process_vm_readv",
			     NULL };
static char *big_flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };

static struct oci_seccomp_arg big_args[] = {
	{ .index = 0, .op = OCI_SCMP_CMP_MASKED_EQ, .value = 0x7e020000, .value_two = 0 },
};

static void big_profile(struct oci_seccomp *s, struct oci_seccomp_rule r[2])
{
	static char *clone_name[] = { "clone", NULL };

	r[0] = rule_errno(big_names, EPERM);
	r[1] = rule(clone_name, OCI_SCMP_ALLOW);
	r[1].args = big_args;
	r[1].n_args = 1;
	*s = profile(OCI_SCMP_ERRNO, r, 2);
	s->flags = big_flags;
}

static int bpf_equal(const struct oci_seccomp_prog *a, const struct oci_seccomp_prog *b)
{
	return a->len && a->len == b->len && a->flags == b->flags &&
	       !memcmp(a->insns, b->insns, a->len * sizeof(struct sock_filter));
}

/* The names of the cache directory's files, or -1. */
static int cache_files(const char *dir, char names[4][300])
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n < 4)
			snprintf(names[n], 300, "%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	struct err e = { 0 };

	return file_read(path, len, &e);
}

/* Rewrite path with len bytes of data (mode kept). */
static int spew(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int ok = fd >= 0 && write_all(fd, data, len) == 0;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* A miss builds and stores, a hit loads: both exactly libseccomp's export,
 * and the spec's flags on both. */
static void test_cache_same_as_build(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/same", cache_base);
	struct oci_seccomp_rule r[2];
	struct oci_seccomp s;
	struct oci_seccomp_prog want, miss, hit;
	struct err e = { 0 };
	char names[4][300];
	int ok;

	big_profile(&s, r);
	CHECK(oci_seccomp_build(&s, &want, &e) == 0);
	CHECK(want.flags == SECCOMP_FILTER_FLAG_LOG);
	CHECK(oci_seccomp_get(&s, dir, &miss, &e) == 0);
	CHECK(cache_files(dir, names) == 1);
	CHECK(oci_seccomp_get(&s, dir, &hit, &e) == 1);
	ok = bpf_equal(&want, &miss) && bpf_equal(&want, &hit);
	oci_seccomp_prog_free(&want);
	oci_seccomp_prog_free(&miss);
	oci_seccomp_prog_free(&hit);
	CHECK(ok);
	/* No directory: a plain build. */
	CHECK(oci_seccomp_get(&s, NULL, &hit, &e) == 0);
	oci_seccomp_prog_free(&hit);
	/* A bad profile is the build's error, and stores nothing. */
	r[0].errno_ret = 5000;
	CHECK(oci_seccomp_get(&s, dir, &hit, &e) == -1);
	CHECK(!hit.insns);
	CHECK_HAS(e.msg, "errnoRet: 5000 out of range");
	CHECK(cache_files(dir, names) == 1);
}

/* Corrupt, truncated, forged or foreign-writable files are passed over
 * and rewritten; the program is still libseccomp's. */
static void test_cache_corrupt(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/corrupt", cache_base);
	_cleanup_free_ char *good = NULL;
	struct oci_seccomp_rule r[2];
	struct oci_seccomp s;
	struct oci_seccomp_prog want, b;
	struct err e = { 0 };
	char names[4][300];
	size_t len, len2;

	big_profile(&s, r);
	CHECK(oci_seccomp_build(&s, &want, &e) == 0);
	CHECK(oci_seccomp_get(&s, dir, &b, &e) == 0);
	oci_seccomp_prog_free(&b);
	CHECK(cache_files(dir, names) == 1);
	good = slurp(names[0], &len);
	/* The header (oci/seccomp.c): magic 8, format 4, length 4 (at 12),
	 * key 32 (at 16), checksum 8 (at 48), notify 4 (at 56), pad 4: 64
	 * bytes. */
	CHECK(good && len > 64 + 8);
	for (int round = 0; round < 9; round++) {
		_cleanup_free_ char *bad = xmalloc(len);
		_cleanup_free_ char *now = NULL;
		size_t blen = len;
		int ok;

		memcpy(bad, good, len);
		switch (round) {
		case 0: bad[len - 3] ^= 0x40; break; /* an instruction */
		case 1: blen = len - 8; break; /* truncated by one insn */
		case 2: blen = 40; break; /* inside the header */
		case 3: bad[0] = 'X'; break; /* magic */
		case 4: bad[16] ^= 1; break; /* the key in the header */
		case 5: /* length 0 (the size then disagrees too) */ memset(bad + 12, 0, 4); break;
		case 7: bad[56] = 1; break; /* notify flipped: the checksum */
		case 8: bad[56] = 2; break; /* notify out of range */
		case 6: /* writable by others: not trusted, even intact */
			chmod(names[0], 0666);
			break;
		}
		CHECK(spew(names[0], bad, blen) == 0);
		CHECK(oci_seccomp_get(&s, dir, &b, &e) == 0);
		ok = bpf_equal(&want, &b);
		oci_seccomp_prog_free(&b);
		if (!ok)
			fprintf(stderr, "# round %d: program differs\n", round);
		CHECK(ok);
		/* Rewritten: the good bytes again, ours only, and a hit. */
		now = slurp(names[0], &len2);
		CHECK(now && len2 == len && !memcmp(now, good, len));
		{
			struct stat st;

			CHECK(stat(names[0], &st) == 0 && (st.st_mode & 0777) == 0600);
		}
		CHECK(oci_seccomp_get(&s, dir, &b, &e) == 1);
		oci_seccomp_prog_free(&b);
	}
	oci_seccomp_prog_free(&want);
}

/* A different profile (one errno, one flag) has an entry of its own;
 * each gets its own program back. */
static void test_cache_other_profile(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/other", cache_base);
	struct oci_seccomp_rule r1[2], r2[2];
	struct oci_seccomp s1, s2;
	struct oci_seccomp_prog w1, w2, b1, b2;
	struct err e = { 0 };
	char names[4][300];
	int ok;

	big_profile(&s1, r1);
	big_profile(&s2, r2);
	r2[0].errno_ret = EACCES;
	CHECK(oci_seccomp_build(&s1, &w1, &e) == 0);
	CHECK(oci_seccomp_build(&s2, &w2, &e) == 0);
	CHECK(!bpf_equal(&w1, &w2));
	CHECK(oci_seccomp_get(&s1, dir, &b1, &e) == 0);
	oci_seccomp_prog_free(&b1);
	CHECK(oci_seccomp_get(&s2, dir, &b2, &e) == 0);
	oci_seccomp_prog_free(&b2);
	CHECK(cache_files(dir, names) == 2);
	CHECK(oci_seccomp_get(&s1, dir, &b1, &e) == 1);
	CHECK(oci_seccomp_get(&s2, dir, &b2, &e) == 1);
	ok = bpf_equal(&w1, &b1) && bpf_equal(&w2, &b2);
	oci_seccomp_prog_free(&b1);
	oci_seccomp_prog_free(&b2);
	/* Only the flags differ: the same program, another entry. */
	s2 = s1;
	s2.flags = NULL;
	CHECK(oci_seccomp_get(&s2, dir, &b2, &e) == 0);
	ok = ok && b2.flags == 0 && b2.len == w1.len;
	oci_seccomp_prog_free(&b2);
	CHECK(cache_files(dir, names) == 3);
	oci_seccomp_prog_free(&w1);
	oci_seccomp_prog_free(&w2);
	CHECK(ok);
}

/* A directory others may write is not used at all (nor written). */
static void test_cache_untrusted_dir(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/open", cache_base);
	_cleanup_free_ char *link = xasprintf("%s/link", cache_base);
	struct oci_seccomp_rule r[2];
	struct oci_seccomp s;
	struct oci_seccomp_prog b;
	struct err e = { 0 };
	char names[4][300];

	big_profile(&s, r);
	CHECK(mkdir(dir, 0700) == 0 && chmod(dir, 0777) == 0);
	for (int i = 0; i < 2; i++) {
		CHECK(oci_seccomp_get(&s, dir, &b, &e) == 0);
		oci_seccomp_prog_free(&b);
	}
	CHECK(cache_files(dir, names) == 0);
	/* Nor one reached through a symlink. */
	CHECK(chmod(dir, 0700) == 0 && symlink(dir, link) == 0);
	for (int i = 0; i < 2; i++) {
		CHECK(oci_seccomp_get(&s, link, &b, &e) == 0);
		oci_seccomp_prog_free(&b);
	}
	CHECK(cache_files(dir, names) == 0);
}

/* A program from the cache really filters. */
static void test_cache_loaded(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/loaded", cache_base);
	struct oci_seccomp_rule r = rule_errno(mkdir_names, ENOSYS);
	struct oci_seccomp s = profile(OCI_SCMP_ALLOW, &r, 1);
	struct oci_seccomp_prog b;
	struct err e = { 0 };
	int status;

	CHECK(oci_seccomp_get(&s, dir, &b, &e) == 0);
	oci_seccomp_prog_free(&b);
	CHECK(oci_seccomp_get(&s, dir, &b, &e) == 1);
	status = child_run(&b, child_mkdir_enosys);
	oci_seccomp_prog_free(&b);
	CHECK(exited_ok(status));
}

/* ---- deferred syscall lists (oci_spec_parse_owned) ------------------ */

/* big_profile as config.json text, its list first with extra rules. */
static char *big_config(const char *extra, const char *after)
{
	char *names = xstrdup(""), *t;

	for (size_t i = 0; big_names[i]; i++) {
		/* spaced out past the size worth deferring (1 KB) */
		t = xasprintf("%s%s\n%32s\"%s\"", names, i ? "," : "", "", big_names[i]);
		free(names);
		names = t;
	}
	t = xasprintf("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},\n"
		      " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		      "   \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"
		      "   \"syscalls\": [%s{\"names\": [%s],\n"
		      "     \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},\n"
		      "    {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		      "     \"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0,\n"
		      "       \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]},\n"
		      "  \"maskedPaths\": [\"/proc/kcore\"]}%s}\n",
		      extra, names, after);
	free(names);
	return t;
}

/* The list stays text until a miss; miss and hit give libseccomp's program
 * for the same profile parsed in full, and the hit parses nothing. */
static void test_deferred_same(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/deferred", cache_base);
	_cleanup_free_ char *text = big_config("", "");
	struct oci_seccomp_rule r[2];
	struct oci_seccomp s;
	struct oci_seccomp_prog want, miss, hit;
	struct oci_spec *d, *full;
	struct err e = { 0 };
	char names[4][300];
	int ok;

	big_profile(&s, r);
	CHECK(oci_seccomp_build(&s, &want, &e) == 0);
	full = oci_spec_parse(text, &e);
	d = oci_spec_parse_owned(xstrdup(text), &e);
	CHECK(full && d);
	if (!full || !d) {
		oci_seccomp_prog_free(&want);
		oci_spec_free(full);
		oci_spec_free(d);
		return;
	}
	CHECK(!full->linux.seccomp->syscalls_text && full->linux.seccomp->n_rules == 2);
	CHECK(d->linux.seccomp->syscalls_text && d->linux.seccomp->n_rules == 0);
	/* The rest is parsed as usual. */
	CHECK(d->linux.masked_paths && !strcmp(d->linux.masked_paths[0], "/proc/kcore"));
	CHECK(d->linux.seccomp->flags && !d->linux.seccomp->flags[1]);
	CHECK(oci_seccomp_get(d->linux.seccomp, dir, &miss, &e) == 0);
	CHECK(cache_files(dir, names) == 1);
	CHECK(oci_seccomp_get(d->linux.seccomp, dir, &hit, &e) == 1);
	ok = bpf_equal(&want, &miss) && bpf_equal(&want, &hit);
	oci_seccomp_prog_free(&miss);
	oci_seccomp_prog_free(&hit);
	CHECK(ok);
	/* The parsed form has an entry of its own (another encoding). */
	CHECK(oci_seccomp_get(full->linux.seccomp, dir, &hit, &e) == 0);
	CHECK(bpf_equal(&want, &hit));
	oci_seccomp_prog_free(&hit);
	CHECK(cache_files(dir, names) == 2);
	oci_seccomp_prog_free(&want);
	oci_spec_free(full);
	oci_spec_free(d);
}

/* A bad rule in a deferred list is the full parse's error, from the miss,
 * and stores nothing; bad JSON in it names the document's line. */
static void test_deferred_errors(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/deferred-bad", cache_base);
	_cleanup_free_ char *bad_action =
		big_config("{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_NOPE\"},\n", "");
	_cleanup_free_ char *bad_json =
		big_config("{\"names\": [\"chmod\"], \"errnoRet\": 1x},\n", "");
	_cleanup_free_ char *notify =
		big_config("{\"names\": [\"sendmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"},\n", "");
	struct oci_seccomp_prog b;
	struct oci_spec *d;
	struct err e = { 0 }, fe = { 0 };
	char names[4][300];

	d = oci_spec_parse_owned(xstrdup(bad_action), &e);
	CHECK(d && d->linux.seccomp->syscalls_text);
	if (d) {
		CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == -1 && !b.insns);
		CHECK_HAS(e.msg, "linux.seccomp.syscalls[0].action");
		CHECK_HAS(e.msg, "SCMP_ACT_NOPE");
		oci_spec_free(d);
	}
	CHECK(cache_files(dir, names) <= 0);
	/* The same message as the full parse gives at load. */
	CHECK(!oci_spec_parse(bad_action, &fe));
	CHECK_STR(e.msg, fe.msg);

	memset(&e, 0, sizeof(e));
	memset(&fe, 0, sizeof(fe));
	d = oci_spec_parse_owned(xstrdup(bad_json), &e);
	CHECK(d && d->linux.seccomp->syscalls_text);
	if (d) {
		CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == -1 && !b.insns);
		oci_spec_free(d);
	}
	CHECK(!oci_spec_parse(bad_json, &fe));
	CHECK_HAS(fe.msg, "line 4");
	CHECK_STR(e.msg, fe.msg);

	memset(&e, 0, sizeof(e));
	d = oci_spec_parse_owned(xstrdup(notify), &e);
	CHECK(d && d->linux.seccomp->syscalls_text);
	if (d) {
		CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == -1);
		CHECK_HAS(e.msg, "SCMP_ACT_NOTIFY for sendmsg");
		oci_spec_free(d);
	}
	CHECK(cache_files(dir, names) <= 0);
}

/* NOTIFY rules: the listener flag comes back with a hit (it is stored with
 * the program, as the list is not parsed then), and listenerPath is still
 * required. */
static void test_deferred_notify(void)
{
	_cleanup_free_ char *dir = xasprintf("%s/deferred-notify", cache_base);
	_cleanup_free_ char *text =
		big_config("{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_NOTIFY\"},\n",
			   ", \"annotations\": {\"a\": \"b\"}");
	struct oci_seccomp_prog b;
	struct oci_spec *d;
	struct err e = { 0 };
	char *lp;

	d = oci_spec_parse_owned(xstrdup(text), &e);
	CHECK(d && d->linux.seccomp->syscalls_text);
	if (!d)
		return;
	CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == -1);
	CHECK_HAS(e.msg, "listenerPath: required");
	lp = d->linux.seccomp->listener_path = xstrdup("/run/agent.sock");
	for (int round = 0; round < 2; round++) {
		CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == round);
		CHECK(b.flags & OCI_BPF_LISTENER);
		oci_seccomp_prog_free(&b);
	}
	/* From the cache too, the missing path is refused. */
	d->linux.seccomp->listener_path = NULL;
	CHECK(oci_seccomp_get(d->linux.seccomp, dir, &b, &e) == -1);
	CHECK_HAS(e.msg, "listenerPath: required");
	d->linux.seccomp->listener_path = lp;
	oci_spec_free(d);
}

/* Where the cut could change what cJSON reads, nothing is cut: an escaped
 * key, a key twice, a short list, a list that is not an array; quotes and
 * brackets inside strings do not end the list early. */
static void test_deferred_not_cut(void)
{
	static const struct {
		const char *extra, *after;
		int deferred;
		size_t rules;
	} cases[] = {
		{ "", "", 1, 2 },
		{ "{\"names\": [\"a]}\\\"[{,\"], \"action\": \"SCMP_ACT_ERRNO\"},\n", "", 1, 3 },
		{ "", ", \"linux\": {}", 0, 2 }, /* twice: cJSON takes the first */
		{ "", ", \"\\u006cinux\": {}", 0, 2 },
	};
	struct err e = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *text = big_config(cases[i].extra, cases[i].after);
		struct oci_spec *d = oci_spec_parse_owned(xstrdup(text), &e);
		struct oci_spec *full = oci_spec_parse(text, &e);
		struct oci_seccomp_rule *r = NULL;
		size_t n = 0;

		CHECK(d && full);
		if (!d || !full) {
			fprintf(stderr, "# case %zu: %s\n", i, e.msg);
			oci_spec_free(d);
			oci_spec_free(full);
			continue;
		}
		CHECK(!!d->linux.seccomp->syscalls_text == cases[i].deferred);
		CHECK(oci_seccomp_rules(d->linux.seccomp, &r, &n, &e) == 0);
		if (!cases[i].deferred)
			n = d->linux.seccomp->n_rules;
		CHECK(n == cases[i].rules && full->linux.seccomp->n_rules == n);
		if (i == 1 && n == 3)
			CHECK_STR(r[0].names[0], "a]}\"[{,");
		oci_seccomp_rules_free(r, cases[i].deferred ? n : 0);
		oci_spec_free(d);
		oci_spec_free(full);
	}
}

/* ---- the cut against the full parse, on damaged texts --------------- */

static int rules_same(const struct oci_seccomp_rule *a, size_t na, const struct oci_seccomp_rule *b,
		      size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		size_t k = 0;

		if (a[i].action != b[i].action || a[i].has_errno_ret != b[i].has_errno_ret ||
		    a[i].errno_ret != b[i].errno_ret || a[i].n_args != b[i].n_args)
			return 0;
		for (; a[i].names && a[i].names[k]; k++)
			if (!b[i].names || !b[i].names[k] || strcmp(a[i].names[k], b[i].names[k]))
				return 0;
		if (b[i].names && b[i].names[k])
			return 0;
		for (k = 0; k < a[i].n_args; k++)
			if (a[i].args[k].index != b[i].args[k].index ||
			    a[i].args[k].op != b[i].args[k].op ||
			    a[i].args[k].value != b[i].args[k].value ||
			    a[i].args[k].value_two != b[i].args[k].value_two)
				return 0;
	}
	return 1;
}

/* One text: oci_spec_parse_owned says what oci_spec_parse says.  Both
 * fail alike; or both parse, to the same rules (the deferred ones once
 * parsed); or only the cut one parses, with its list deferred, and then
 * parsing the list fails as the full parse did. */
static int cut_agrees(const char *text, char why[128])
{
	struct err ef = { 0 }, eo = { 0 };
	struct oci_spec *full = oci_spec_parse(text, &ef);
	struct oci_spec *own = oci_spec_parse_owned(xstrdup(text), &eo);
	struct oci_seccomp_rule *r = NULL;
	size_t n = 0;
	int ok = 1;

	if (!own) {
		ok = !full && !strcmp(ef.msg, eo.msg);
		snprintf(why, 128, "cut failed (%.40s), full %s (%.40s)", eo.msg,
			 full ? "parsed" : "failed", ef.msg);
	} else if (!own->linux.seccomp || !own->linux.seccomp->syscalls_text) {
		ok = full && (!full->linux.seccomp == !own->linux.seccomp) &&
		     (!own->linux.seccomp ||
		      rules_same(own->linux.seccomp->rules, own->linux.seccomp->n_rules,
				 full->linux.seccomp->rules, full->linux.seccomp->n_rules));
		snprintf(why, 128, "not cut: full %s (%.60s)", full ? "parsed" : "failed", ef.msg);
	} else if (oci_seccomp_rules(own->linux.seccomp, &r, &n, &eo) < 0) {
		ok = !full && !strcmp(ef.msg, eo.msg);
		snprintf(why, 128, "list: '%.40s' full: '%.40s'", eo.msg, ef.msg);
	} else {
		ok = full && full->linux.seccomp &&
		     rules_same(r, n, full->linux.seccomp->rules, full->linux.seccomp->n_rules);
		snprintf(why, 128, "deferred list parsed: full %s (%.60s)",
			 full ? "parsed" : "failed", ef.msg);
		oci_seccomp_rules_free(r, n);
	}
	oci_spec_free(full);
	oci_spec_free(own);
	return ok;
}

/* 2000 damaged configs (bytes that matter to JSON put anywhere,
 * bytes taken out): the cut never parses what the full parse would not,
 * nor differently. */
static void test_deferred_damaged(void)
{
	static const char bytes[] = "\"\\{}[],: u0ae\n";
	_cleanup_free_ char *base = big_config("", "");
	size_t len = strlen(base);
	unsigned seed = 12345, cut = 0, bad = 0;
	char why[128];

	CHECK(cut_agrees(base, why));
	for (int i = 0; i < 2000; i++) {
		_cleanup_free_ char *t = xstrdup(base);
		int edits = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 3;

		for (int k = 0; k < edits; k++) {
			size_t at = ((seed = seed * 1103515245 + 12345) >> 8) % len;
			unsigned what = (seed >> 4) % 4;

			if (what == 3) /* take one out */
				memmove(t + at, t + at + 1, strlen(t + at));
			else
				t[at] = bytes[(seed >> 12) % (sizeof(bytes) - 1)];
		}
		{
			struct err e = { 0 };
			struct oci_spec *o = oci_spec_parse_owned(xstrdup(t), &e);

			cut += o && o->linux.seccomp && o->linux.seccomp->syscalls_text;
			oci_spec_free(o);
		}
		if (!cut_agrees(t, why)) {
			if (bad++ < 3)
				fprintf(stderr, "# round %d: %s\n", i, why);
		}
	}
	fprintf(stderr, "# %u of 2000 damaged texts were cut\n", cut);
	CHECK(bad == 0);
	CHECK(cut > 400); /* the cut itself was exercised */
}

static void cache_cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", cache_base);

	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", cache_base);
	free(cmd);
}

int main(void)
{
	RUN(test_unknown_name_skipped);
	RUN(test_bad_action);
	RUN(test_bad_name_and_args);
	RUN(test_arch);
	RUN(test_redundant_rule_skipped);
	RUN(test_features);
	RUN(test_action_codes);
	RUN_LOAD(test_errno_rule_loaded);
	RUN_LOAD(test_enosys_above_loaded);
	RUN_LOAD(test_multi_arch_loaded);
	RUN_LOAD(test_args_ne_loaded);
	RUN_LOAD(test_args_same_index_loaded);
	RUN_LOAD(test_args_and_loaded);
	RUN_LOAD(test_large_profile_loaded);
	RUN_LOAD(test_default_errno_loaded);
	RUN_LOAD(test_flags_loaded);
	RUN_LOAD(test_load_errors);
	RUN_LOAD(test_kill_loaded);
	RUN_LOAD(test_log_trace_loaded);
	if (!mkdtemp(cache_base)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	RUN(test_cache_same_as_build);
	RUN(test_cache_corrupt);
	RUN(test_cache_other_profile);
	RUN(test_cache_untrusted_dir);
	RUN_LOAD(test_cache_loaded);
	RUN(test_deferred_same);
	RUN(test_deferred_errors);
	RUN_LOAD(
		test_deferred_notify); /* libseccomp adds NOTIFY rules only where the kernel has it */
	RUN(test_deferred_not_cut);
	RUN(test_deferred_damaged);
	cache_cleanup();
	UNIT_EXIT();
}
