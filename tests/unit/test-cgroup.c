// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-cgroup: oci/cgroup.
 *
 * Path resolution runs anywhere a cgroup2 mount exists.  The rest needs root
 * and a writable cgroup2: it works in "<mnt>/nook-unit-test-<pid>" (removed
 * at the end) with children this test forks, and adapts to the controllers
 * the mount offers: on a hybrid host with only hugetlb, a pids/memory/cpu
 * limit must fail naming the controller; in the test VM (all controllers)
 * the same limits must land in the files and be enforced.
 */
#define UNIT_NAME "test-cgroup"
#include "tests/unit/unit.h"

#include "oci/cgroup.h"
#include "oci/sys.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char mnt[4096];
static char base[4200]; /* <mnt>/nook-unit-test-<pid> */
static int have_mnt, can_write;
static char skip_why[128];
static volatile unsigned long *counters; /* shared with the spinning children */
static pid_t children[16];
static size_t n_children;

/* ---- helpers --------------------------------------------------------- */

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* <dir>/<file> without the trailing newline, or NULL.  Caller frees. */
static char *cgfile(const char *dir, const char *file)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
	char *s = file_read(p, NULL, NULL);
	size_t n;

	if (s && (n = strlen(s)) && s[n - 1] == '\n')
		s[n - 1] = '\0';
	return s;
}

static int has_controller(const char *name)
{
	_cleanup_free_ char *list = cgfile(mnt, "cgroup.controllers");
	size_t n = strlen(name);

	for (const char *p = list; p && (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Fork a child that spins on counters[slot]; returns its pid. */
static pid_t spin_child(int slot)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			counters[slot]++;
	}
	if (pid > 0 && n_children < ARRAY_SIZE(children))
		children[n_children++] = pid;
	return pid;
}

/* Wait for our child; returns the wait status, -1 after 5 s. */
static int reap(pid_t pid)
{
	int st;

	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			for (size_t j = 0; j < n_children; j++)
				if (children[j] == pid)
					children[j] = 0;
			return st;
		}
		msleep(10);
	}
	return -1;
}

/* Kill and reap whatever a failed test left behind (only our children). */
static void cleanup_children(void)
{
	for (size_t i = 0; i < n_children; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
	}
	n_children = 0;
}

static int pid_in(const char *cg, pid_t pid)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;
	struct err e;

	if (oci_cgroup_pids(cg, &pids, &n, &e) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

static char *errtext(const struct err *e)
{
	static char buf[800];

	return (char *)err_str(e, buf, sizeof(buf));
}

/* ---- path resolution ------------------------------------------------- */

static void test_mount(void)
{
	struct statfs sf;
	struct err e;
	char small[4];

	CHECK(statfs(mnt, &sf) == 0);
	CHECK(sf.f_type == CGROUP2_SUPER_MAGIC);
	CHECK(oci_cgroup_mount(small, sizeof(small), &e) < 0);
	CHECK(e.errnum == ENAMETOOLONG);
}

static void test_path_default(void)
{
	_cleanup_free_ char *want = xasprintf("%s/nook/c1", mnt);
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct err e;

	a = oci_cgroup_path(NULL, "c1", &e);
	CHECK_STR(a, want);
	b = oci_cgroup_path("", "c1", &e);
	CHECK_STR(b, want);
}

static void test_path_absolute(void)
{
	_cleanup_free_ char *want = xasprintf("%s/a/b", mnt);
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct err e;

	a = oci_cgroup_path("/a/b", "ignored", &e);
	CHECK_STR(a, want);
	b = oci_cgroup_path("//a/./b/", "ignored", &e);
	CHECK_STR(b, want);
}

static void test_path_relative(void)
{
	_cleanup_free_ char *cg = file_read("/proc/self/cgroup", NULL, NULL);
	_cleanup_free_ char *want = NULL, *got = NULL;
	char *own, *nl;
	struct err e;

	CHECK(cg);
	own = strstr(cg, "0::");
	CHECK(own);
	own += 3;
	if ((nl = strchr(own, '\n')))
		*nl = '\0';
	want = xasprintf("%s%s/a/b", mnt, strcmp(own, "/") == 0 ? "" : own);
	got = oci_cgroup_path("a/b", "x", &e);
	CHECK_STR(got, want);
}

static void test_path_refused(void)
{
	struct err e;

	CHECK(!oci_cgroup_path("system.slice:nook:c1", "c1", &e));
	CHECK_HAS(e.msg, "systemd cgroup paths are not supported");
	CHECK(!oci_cgroup_path("/a/../b", "c1", &e));
	CHECK_HAS(e.msg, "\"..\" is not allowed");
	CHECK(!oci_cgroup_path("../x", "c1", &e));
	CHECK_HAS(e.msg, "\"..\" is not allowed");
	CHECK(!oci_cgroup_path("/", "c1", &e));
	CHECK_HAS(e.msg, "names no cgroup");
	CHECK(!oci_cgroup_path(NULL, "../evil", &e));
	CHECK_HAS(e.msg, "invalid id");
}

/* ---- lifecycle (root) ------------------------------------------------ */

static void test_create_remove(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/plain/leaf", base);
	_cleanup_free_ char *parent = xasprintf("%s/plain", base);
	struct err e;
	struct stat st;
	int fd;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(faccessat(fd, "cgroup.procs", W_OK, 0) == 0);
	close(fd);
	/* An existing cgroup is fine (runc reuses one). */
	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	close(fd);
	CHECK(oci_cgroup_populated(cg) == 0);
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(!exists(cg));
	CHECK(exists(parent)); /* parents are shared: left alone */
	CHECK(oci_cgroup_remove(cg, &e) == 0); /* gone already: success */
	CHECK(oci_cgroup_remove(parent, &e) == 0);
}

static void test_freeze_thaw_kill(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/freeze", base);
	_cleanup_free_ char *events = NULL;
	unsigned long c1, c2;
	struct err e;
	pid_t pid;
	int fd, st, i;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	close(fd);
	pid = spin_child(0);
	CHECK(pid > 0);
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	CHECK(pid_in(cg, pid));
	CHECK(oci_cgroup_populated(cg) == 1);
	CHECK(oci_cgroup_frozen(cg) == 0);

	CHECK(oci_cgroup_freeze(cg, 1, &e) == 0);
	CHECK(oci_cgroup_frozen(cg) == 1);
	events = cgfile(cg, "cgroup.events");
	CHECK_HAS(events, "frozen 1");
	c1 = counters[0];
	msleep(100);
	c2 = counters[0];
	CHECK(c1 == c2); /* no progress while frozen */

	CHECK(oci_cgroup_freeze(cg, 0, &e) == 0);
	CHECK(oci_cgroup_frozen(cg) == 0);
	for (i = 0; i < 200 && counters[0] == c2; i++)
		msleep(10);
	CHECK(counters[0] != c2); /* running again */

	CHECK(oci_cgroup_signal_all(cg, SIGKILL, &e) == 0);
	st = reap(pid);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(!exists(cg));
}

/* Signals other than SIGKILL go through freeze / cgroup.procs / thaw; a
 * paused cgroup stays paused. */
static void test_signal_term(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/term", base);
	struct err e;
	pid_t pid;
	int fd, st;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	close(fd);
	pid = spin_child(1);
	CHECK(pid > 0);
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	CHECK(oci_cgroup_signal_all(cg, SIGTERM, &e) == 0);
	st = reap(pid);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	CHECK(oci_cgroup_frozen(cg) == 0);

	/* SIGWINCH is ignored by default: the child lives on, and the cgroup
	 * the user paused is still paused afterwards. */
	pid = spin_child(1);
	CHECK(pid > 0);
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	CHECK(oci_cgroup_freeze(cg, 1, &e) == 0);
	CHECK(oci_cgroup_signal_all(cg, SIGWINCH, &e) == 0);
	CHECK(oci_cgroup_frozen(cg) == 1);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(oci_cgroup_freeze(cg, 0, &e) == 0);
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(oci_cgroup_remove(cg, &e) == 0);
}

/* remove kills what is left, including a sub-cgroup the container made. */
static void test_remove_populated(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/busy", base);
	_cleanup_free_ char *sub = xasprintf("%s/busy/inner", base);
	struct err e;
	pid_t a, b;
	int fd, st;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	close(fd);
	CHECK(mkdir(sub, 0755) == 0);
	a = spin_child(2);
	b = spin_child(3);
	CHECK(a > 0 && b > 0);
	CHECK(oci_cgroup_enter(cg, a, &e) == 0);
	CHECK(oci_cgroup_enter(sub, b, &e) == 0);
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(!exists(cg));
	st = reap(a);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	st = reap(b);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* The fd create returns is good for clone3(CLONE_INTO_CGROUP). */
static void test_clone_into_cgroup(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/clone", base);
	struct nook_clone_args args = { 0 };
	struct err e;
	pid_t pid;
	int fd, st;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	args.flags = NOOK_CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)fd;
	pid = sys_clone3(&args);
	if (pid == 0) {
		/* Plain syscalls only after a raw clone3. */
		for (;;)
			pause();
	}
	close(fd);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG)) {
		CHECK(oci_cgroup_remove(cg, &e) == 0);
		return; /* kernel < 5.7: the caller falls back to enter */
	}
	CHECK(pid > 0);
	children[n_children++] = pid;
	CHECK(pid_in(cg, pid));
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	st = reap(pid);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/* A failed create removes the directories it made, and only those. */
static void test_create_rollback(void)
{
	_cleanup_free_ char *top = xasprintf("%s-rb", base);
	_cleanup_free_ char *mid = xasprintf("%s-rb/a", base);
	_cleanup_free_ char *cg = xasprintf("%s-rb/a/b", base);
	_cleanup_free_ char *depth = NULL;
	struct oci_keyval kv = { "cgroup.max.depth", "bogus" };
	struct oci_keyval missing = { "cgroup.no-such-file", "1" };
	struct oci_resources r = { 0 };
	struct err e;
	int fd;

	r.unified = &kv;
	r.n_unified = 1;
	CHECK(oci_cgroup_create(cg, &r, &e) < 0);
	CHECK_HAS(e.msg, "write \"bogus\" to ");
	CHECK_HAS(e.msg, "/a/b/cgroup.max.depth");
	CHECK(e.errnum == EINVAL);
	CHECK(!exists(top));

	r.unified = &missing;
	CHECK(oci_cgroup_create(cg, &r, &e) < 0);
	CHECK_HAS(e.msg, "cgroup.no-such-file");
	CHECK(!exists(top));

	kv.value = "5";
	r.unified = &kv;
	fd = oci_cgroup_create(cg, &r, &e);
	CHECK(fd >= 0);
	close(fd);
	depth = cgfile(cg, "cgroup.max.depth");
	CHECK_STR(depth, "5");
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(exists(mid)); /* remove leaves the parents */
	CHECK(rmdir(mid) == 0 && rmdir(top) == 0);
}

/* Controller present: the value lands.  Absent: an error naming it, and no
 * directory left behind. */
#define CHECK_ABSENT(cg, e, ctrl, field)                                                 \
	do {                                                                             \
		CHECK(oci_cgroup_create(cg, &r, &e) < 0);                                \
		CHECK_HAS(e.msg, "cgroup controller \"" ctrl "\" is not available in "); \
		CHECK_HAS(e.msg, mnt);                                                   \
		CHECK_HAS(e.msg, "(needed for " field);                                  \
		CHECK(!exists(cg));                                                      \
	} while (0)

static void test_limit_pids(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/pids", base);
	_cleanup_free_ char *v = NULL;
	struct oci_resources r = { 0 };
	struct err e;
	int fd, st;
	pid_t pid;

	r.has_pids_limit = 1;
	r.pids_limit = 5;
	if (!has_controller("pids")) {
		CHECK_ABSENT(cg, e, "pids", "linux.resources.pids");
		return;
	}
	fd = oci_cgroup_create(cg, &r, &e);
	CHECK(fd >= 0);
	close(fd);
	v = cgfile(cg, "pids.max");
	CHECK_STR(v, "5");

	/* Enforced: a child forking 10 times gets at most 4 more tasks. */
	pid = fork();
	if (pid == 0) {
		int ok = 0;

		/* wait to be moved */
		while (!pid_in(cg, getpid()))
			msleep(5);
		for (int i = 0; i < 10; i++) {
			pid_t c = fork();

			if (c == 0) {
				pause();
				_exit(0);
			}
			ok += c > 0;
		}
		_exit(ok);
	}
	CHECK(pid > 0);
	children[n_children++] = pid;
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	st = reap(pid);
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 4);

	r.pids_limit = -1; /* update: no limit */
	CHECK(oci_cgroup_apply(cg, &r, &e) == 0);
	free(v);
	v = cgfile(cg, "pids.max");
	CHECK_STR(v, "max");
	CHECK(oci_cgroup_remove(cg, &e) == 0); /* kills the grandchildren */
}

static void test_limit_memory(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/mem", base);
	_cleanup_free_ char *max = NULL, *low = NULL, *swap = NULL;
	struct oci_resources r = { 0 };
	struct oci_cgroup_stats s;
	struct err e;
	pid_t pid;
	int fd, st;

	r.has_memory_limit = r.has_memory_reservation = r.has_memory_swap = 1;
	r.memory_limit = 16 << 20;
	r.memory_reservation = 8 << 20;
	r.memory_swap = 16 << 20; /* memory + swap: no swap */
	if (!has_controller("memory")) {
		CHECK_ABSENT(cg, e, "memory", "linux.resources.memory");
		return;
	}
	fd = oci_cgroup_create(cg, &r, &e);
	CHECK(fd >= 0);
	close(fd);
	max = cgfile(cg, "memory.max");
	low = cgfile(cg, "memory.low");
	swap = cgfile(cg, "memory.swap.max");
	CHECK_STR(max, "16777216");
	CHECK_STR(low, "8388608");
	CHECK_STR(swap, "0");

	r.memory_swap = 8 << 20; /* below the limit: refused */
	CHECK(oci_cgroup_apply(cg, &r, &e) < 0);
	CHECK_HAS(e.msg, "cannot be below memory.limit");

	/* Enforced: touching 64 MiB gets the child OOM-killed. */
	pid = fork();
	if (pid == 0) {
		while (!pid_in(cg, getpid()))
			msleep(5);
		char *p = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		for (size_t i = 0; i < (64u << 20); i += 4096)
			p[i] = 1;
		_exit(0);
	}
	CHECK(pid > 0);
	children[n_children++] = pid;
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	st = reap(pid);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(oci_cgroup_stats(cg, &s, &e) == 0);
	CHECK(s.memory_oom_kill >= 1);
	CHECK(s.memory_max == 16 << 20);
	/* Right after an OOM kill rmdir may say EBUSY: remove retries. */
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(!exists(cg));
}

static void test_limit_cpu(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/cpu", base);
	_cleanup_free_ char *w = NULL, *m1 = NULL, *m2 = NULL, *m3 = NULL;
	struct oci_resources r = { 0 };
	struct err e;
	int fd;

	r.has_cpu_shares = r.has_cpu_quota = r.has_cpu_period = 1;
	r.cpu_shares = 1024;
	r.cpu_quota = 50000;
	r.cpu_period = 100000;
	if (!has_controller("cpu")) {
		CHECK_ABSENT(cg, e, "cpu", "linux.resources.cpu");
		return;
	}
	fd = oci_cgroup_create(cg, &r, &e);
	CHECK(fd >= 0);
	close(fd);
	w = cgfile(cg, "cpu.weight");
	m1 = cgfile(cg, "cpu.max");
	CHECK_STR(w, "39"); /* 1 + (1024 - 2) * 9999 / 262142 */
	CHECK_STR(m1, "50000 100000");

	/* update with a period alone keeps the quota */
	memset(&r, 0, sizeof(r));
	r.has_cpu_period = 1;
	r.cpu_period = 200000;
	CHECK(oci_cgroup_apply(cg, &r, &e) == 0);
	m2 = cgfile(cg, "cpu.max");
	CHECK_STR(m2, "50000 200000");
	r.has_cpu_quota = 1;
	r.cpu_quota = -1;
	CHECK(oci_cgroup_apply(cg, &r, &e) == 0);
	m3 = cgfile(cg, "cpu.max");
	CHECK_STR(m3, "max 200000");
	CHECK(oci_cgroup_remove(cg, &e) == 0);
}

/* A write the kernel refuses names the value and the file. */
static void test_write_error(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/badval", base);
	struct oci_keyval kv = { "pids.max", "bogus" };
	struct oci_resources r = { 0 };
	struct err e;

	r.unified = &kv;
	r.n_unified = 1;
	if (!has_controller("pids")) {
		CHECK_ABSENT(cg, e, "pids", "linux.resources.unified.pids.max");
		return;
	}
	CHECK(oci_cgroup_create(cg, &r, &e) < 0);
	CHECK_HAS(errtext(&e), "write \"bogus\" to ");
	CHECK_HAS(errtext(&e), "/badval/pids.max: Invalid argument");
	CHECK(!exists(cg));
}

static void test_stats(void)
{
	_cleanup_free_ char *cg = xasprintf("%s/stats", base);
	struct oci_cgroup_stats s;
	struct err e;
	pid_t pid;
	int fd;

	fd = oci_cgroup_create(cg, NULL, &e);
	CHECK(fd >= 0);
	close(fd);
	pid = spin_child(4);
	CHECK(pid > 0);
	CHECK(oci_cgroup_enter(cg, pid, &e) == 0);
	msleep(100);
	CHECK(oci_cgroup_stats(cg, &s, &e) == 0);
	CHECK(s.cpu_usage_usec > 0); /* cpu.stat is there without the cpu
				       * controller */
	CHECK(oci_cgroup_remove(cg, &e) == 0);
	CHECK(oci_cgroup_stats(cg, &s, &e) < 0);
}

/* ---- main ------------------------------------------------------------ */

#define RUN_ROOT(fn)                                                                           \
	do {                                                                                   \
		if (!can_write)                                                                \
			printf("ok - %s: %s # SKIP optional: %s\n", UNIT_NAME, #fn, skip_why); \
		else                                                                           \
			RUN(fn);                                                               \
		cleanup_children();                                                            \
	} while (0)

int main(void)
{
	struct err e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	have_mnt = oci_cgroup_mount(mnt, sizeof(mnt), &e) == 0;
	if (!have_mnt) {
		printf("ok - %s: all # SKIP optional: no cgroup2 mount\n", UNIT_NAME);
		return 0;
	}
	RUN(test_mount);
	RUN(test_path_default);
	RUN(test_path_absolute);
	RUN(test_path_relative);
	RUN(test_path_refused);

	snprintf(base, sizeof(base), "%s/nook-unit-test-%d", mnt, (int)getpid());
	if (geteuid() != 0) {
		snprintf(skip_why, sizeof(skip_why), "needs root");
	} else if (mkdir(base, 0755) < 0) {
		snprintf(skip_why, sizeof(skip_why), "cannot write %.60s: %s", mnt,
			 strerror(errno));
	} else {
		can_write = 1;
	}
	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counters == MAP_FAILED)
		return 1;
	RUN_ROOT(test_create_remove);
	RUN_ROOT(test_freeze_thaw_kill);
	RUN_ROOT(test_signal_term);
	RUN_ROOT(test_remove_populated);
	RUN_ROOT(test_clone_into_cgroup);
	RUN_ROOT(test_create_rollback);
	RUN_ROOT(test_limit_pids);
	RUN_ROOT(test_limit_memory);
	RUN_ROOT(test_limit_cpu);
	RUN_ROOT(test_write_error);
	RUN_ROOT(test_stats);
	if (can_write && oci_cgroup_remove(base, &e) < 0) {
		printf("not ok - %s: cleanup: %s\n", UNIT_NAME, errtext(&e));
		unit_failed_total++;
	}
	UNIT_EXIT();
}
